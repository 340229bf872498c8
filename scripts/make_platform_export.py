"""Write the worked example of the auditor's replay: ``python scripts/make_platform_export.py``
writes ``examples/platform-export.csv`` (the same bytes every time: a fixed seed).

A small synthetic platform as its database would export it: 300 members over 60 days, each
joining under a sponsor (new members mostly under recent ones, so the tree runs deep; a few
with no sponsor), an order of 1000 yuan at joining and some repeat orders; the bonuses its
published rule pays (``scenarios/seed-generic-3x-assumed-referral.yaml``: 3% of each order to
the buyer's sponsor, 2% to the sponsor's sponsor), each a ``bonus`` row naming the order's
buyer, plus three over-payments to two insiders that the rule does not allow; members
withdrawing most of their bonuses every week; one region bought for 50,000 yuan; some members
selling everything; and, in the last week, withdrawal requests the platform never pays. The
sellers withdraw what their sale paid (worked out by the book the replay uses).
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.core.book import Book  # noqa: E402
from sim.scenario.root import load_scenario  # noqa: E402

OUT = ROOT / "examples" / "platform-export.csv"
RULES = ROOT / "scenarios" / "seed-generic-3x-assumed-referral.yaml"
HEADER = ("day", "member", "action", "amount", "sponsor", "source_member", "kind")
DIRECT, INDIRECT = 30, 20  # yuan of a 1000-yuan order (3% and 2%)


def rows() -> list[tuple]:
    rng = random.Random(16)
    out: list[tuple] = []
    sponsor: dict[str, str] = {}
    bonus: dict[str, int] = {}  # yuan of bonuses not yet withdrawn or asked for
    members: list[str] = []
    sellers: set[str] = set()
    book = Book(load_scenario(RULES).mechanics())  # what each sale pays, as the replay has it
    paid_by_sale: dict[str, int] = {}

    def order(day: int, member: str) -> None:
        out.append((day, member, "buy", "1000", "", "", ""))
        book.buy(member, 100_000)
        up = sponsor.get(member)
        for amount, kind in ((DIRECT, "direct"), (INDIRECT, "indirect")):
            if up is None:
                break
            out.append((day, up, "bonus", str(amount), "", member, kind))
            bonus[up] = bonus.get(up, 0) + amount
            up = sponsor.get(up)

    for day in range(60):
        for _ in range(5):  # five new members a day
            member = f"u{len(members) + 1:03d}"
            if members and rng.random() > 0.03:
                recent = members[-15:]  # mostly under recent joiners: a deep tree
                sponsor[member] = rng.choice(recent if rng.random() < 0.7 else members)
            out.append((day, member, "join", "", sponsor.get(member, ""), "", ""))
            members.append(member)
            order(day, member)
        for member in rng.sample(members, k=min(3, len(members))):  # repeat orders
            if member not in sellers:
                order(day, member)
        if day == 20:  # a member buys the city's region
            out.append((day, "u007", "fee", "50000", "", "", "region"))
        if day in (12, 33, 47):  # over-payments to two insiders: paid beyond the rule
            lucky = "u009" if day < 40 else "u057"
            source = members[-1]
            out.append((day, lucky, "bonus", "1500", "", source, "differential"))
            bonus[lucky] = bonus.get(lucky, 0) + 1500
        if day % 7 == 6 and day < 53:  # weekly withdrawals of most of the bonuses, paid
            for member in sorted(m for m, b in bonus.items() if b >= 100):
                amount = bonus[member] * 9 // 10
                out.append((day, member, "withdraw", str(amount), "", "", "paid"))
                bonus[member] -= amount
        if day in (25, 40):  # some members sell everything: on day 40 the earliest
            chosen = rng.sample(members[:100], k=5) if day == 25 else members[:5]
            for member in chosen:
                if member not in sellers:
                    sellers.add(member)
                    out.append((day, member, "sell", "all", "", "", ""))
                    paid_by_sale[member] = book.sell(member)[0].cash_delta
        if day in (28, 43):  # the sellers take their money out (whole yuan)
            for member in sorted(paid_by_sale):
                yuan = paid_by_sale.pop(member) // 100
                out.append((day, member, "withdraw", str(yuan), "", "", "paid"))
        if day == 54:  # the last week: requests the platform never pays
            for member in sorted(m for m, b in bonus.items() if b >= 30)[:12]:
                out.append((day, member, "withdraw", str(bonus[member]), "", "", "requested"))
                bonus[member] = 0
    return out


def main() -> None:
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows())
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
