"""The figures a court asks of a replayed platform: per member what they paid in and took
out (the net-investment method receivers and courts use: *out* is money withdrawn from the
platform, not cash merely credited to a balance), who won and who lost, and the clawback
pool (the sum of net winnings a receiver would sue to recover) with its largest winners.

Decided in exact fen and point units; amounts become yuan here, once, for the tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import pyarrow as pa

from sim.core.book import NEVER_BOUGHT, Book
from sim.core.units import FEN_PER_YUAN, divided, fen_to_yuan
from sim.replay.records import Records

NET_WINNER, NET_LOSER, EVEN, NOT_INVOLVED = "net_winner", "net_loser", "even", "none"

MEMBERS_SCHEMA = pa.schema(
    [
        ("member", pa.string()),
        ("status", pa.string()),
        ("entries", pa.int64()),
        ("spent", pa.float64()),
        ("cash_received", pa.float64()),
        ("net_cash", pa.float64()),
        ("points_held", pa.float64()),
        ("value_held", pa.float64()),
        ("points_obtained", pa.float64()),
        ("sales", pa.int64()),
        ("forced_exits", pa.int64()),
        ("sponsor", pa.string()),
        ("first_day", pa.int64()),
        ("fees", pa.float64()),
        ("bonuses", pa.float64()),
        ("withdrawn", pa.float64()),
        ("cash_balance", pa.float64()),
        ("requested", pa.float64()),
        ("paid_in", pa.float64()),
        ("paid_out", pa.float64()),
        ("net_investment", pa.float64()),
        ("outcome", pa.string()),
    ]
)
CLAWBACK_SCHEMA = pa.schema(
    [
        ("rank", pa.int64()),
        ("member", pa.string()),
        ("sponsor", pa.string()),
        ("paid_in", pa.float64()),
        ("paid_out", pa.float64()),
        ("net_winnings", pa.float64()),
        ("share_of_pool", pa.float64()),
        ("cumulative_share", pa.float64()),
    ]
)


@dataclass(frozen=True, slots=True)
class MemberFigures:
    """One member's exact figures (fen, point units) at the end of the log."""

    member: str
    sponsor: str | None
    first_day: int
    status: str
    entries: int
    spent: int
    fees: int
    cash: int  # paid by sales and forced exits
    bonuses: int
    withdrawn: int
    balance: int  # credited, not withdrawn
    requested: int  # asked for, not yet paid
    held: int
    obtained: int
    sales: int
    forced_exits: int

    @property
    def paid_in(self) -> int:
        return self.spent + self.fees

    @property
    def net_investment(self) -> int:
        """Paid in less paid out (withdrawn): above 0 a net loser, below 0 a net winner."""
        return self.paid_in - self.withdrawn

    @property
    def outcome(self) -> str:
        if not self.paid_in and not self.withdrawn:
            return NOT_INVOLVED
        if self.net_investment < 0:
            return NET_WINNER
        return NET_LOSER if self.net_investment > 0 else EVEN


def member_figures(book: Book, records: Records) -> list[MemberFigures]:
    """Every member who appeared in the log, in order of first appearance."""
    out = []
    for key, seen in records.members.items():
        m = book.members.get(key)
        bought = m is not None and m.entries > 0
        out.append(
            MemberFigures(
                member=key,
                sponsor=seen.sponsor,
                first_day=seen.day,
                status=m.status if bought else NEVER_BOUGHT,
                entries=m.entries if m else 0,
                spent=m.spent if m else 0,
                fees=records.fees[key],
                cash=m.cash if m else 0,
                bonuses=m.bonus if m else 0,
                withdrawn=m.withdrawn if m else 0,
                balance=m.balance if m else 0,
                requested=records.queue.waiting(key),
                held=m.held if m else 0,
                obtained=m.obtained if m else 0,
                sales=m.sales if m else 0,
                forced_exits=m.forced_exits if m else 0,
            )
        )
    return out


def member_table(figures: list[MemberFigures], price: Fraction, unit: int) -> pa.Table:
    """The members table (yuan, points), one row per member, made a column at a time (a
    million members' rows as dicts took a gigabyte): each value as :mod:`sim.core.units`
    converts it one by one."""

    def of(name: str) -> list:
        return [getattr(f, name) for f in figures]

    spent, cash, fees, withdrawn = of("spent"), of("cash"), of("fees"), of("withdrawn")
    paid_in = [s + f for s, f in zip(spent, fees, strict=True)]
    held = of("held")
    worth = [units * price.numerator for units in held]  # fen times the denominator
    columns = {
        "member": of("member"),
        "status": of("status"),
        "entries": of("entries"),
        "spent": divided(spent, FEN_PER_YUAN),
        "cash_received": divided(cash, FEN_PER_YUAN),
        "net_cash": divided([c - s for c, s in zip(cash, spent, strict=True)], FEN_PER_YUAN),
        "points_held": divided(held, unit),
        "value_held": divided(worth, price.denominator * FEN_PER_YUAN),
        "points_obtained": divided(of("obtained"), unit),
        "sales": of("sales"),
        "forced_exits": of("forced_exits"),
        "sponsor": of("sponsor"),
        "first_day": of("first_day"),
        "fees": divided(fees, FEN_PER_YUAN),
        "bonuses": divided(of("bonuses"), FEN_PER_YUAN),
        "withdrawn": divided(withdrawn, FEN_PER_YUAN),
        "cash_balance": divided(of("balance"), FEN_PER_YUAN),
        "requested": divided(of("requested"), FEN_PER_YUAN),
        "paid_in": divided(paid_in, FEN_PER_YUAN),
        "paid_out": divided(withdrawn, FEN_PER_YUAN),
        "net_investment": divided(
            [p - w for p, w in zip(paid_in, withdrawn, strict=True)], FEN_PER_YUAN
        ),
        "outcome": [f.outcome for f in figures],
    }
    return pa.table(columns, schema=MEMBERS_SCHEMA)


def clawback_rows(figures: list[MemberFigures]) -> list[dict]:
    """The net winners, largest winnings first (ties in order of appearance), with each one's
    share of the clawback pool and the running share."""
    winners = sorted(
        (f for f in figures if f.outcome == NET_WINNER), key=lambda f: f.net_investment
    )  # stable: the most negative net investment (the largest winnings) first
    pool = -sum(f.net_investment for f in winners)
    rows, running = [], 0
    for rank, f in enumerate(winners, start=1):
        won = -f.net_investment
        running += won
        rows.append(
            {
                "rank": rank,
                "member": f.member,
                "sponsor": f.sponsor,
                "paid_in": fen_to_yuan(f.paid_in),
                "paid_out": fen_to_yuan(f.withdrawn),
                "net_winnings": fen_to_yuan(won),
                "share_of_pool": won / pool,
                "cumulative_share": running / pool,
            }
        )
    return rows


def outcome_counts(figures: list[MemberFigures]) -> dict[str, int]:
    """Members by outcome, and the clawback pool and net losses in fen."""
    counts = {NET_WINNER: 0, NET_LOSER: 0, EVEN: 0, NOT_INVOLVED: 0}
    for f in figures:
        counts[f.outcome] += 1
    nets = [f.net_investment for f in figures]
    counts["clawback_pool"] = -sum(n for n in nets if n < 0)
    counts["net_losses"] = sum(n for n in nets if n > 0)
    return counts
