"""Where the money went: hand-computed uses of a scripted 3-member run, exact shares summing
to 1, and the same accounting on a run with every lever that moves money."""

from __future__ import annotations

from fractions import Fraction

import pandas as pd
import pytest

from sim.analysis.moneyflow import FLOW_METRICS, funded_by_others, trace, trace_run
from sim.core.book import Book
from sim.core.mechanics import Mechanics
from sim.scenario.root import Scenario
from tests.conftest import member_rows, run_model, yuan_rows


def three_members() -> Book:
    """Seeds 001-004's arithmetic: a, b, c each buy 1000 yuan (300 into the pool, 210, 147
    and 124.95 points), then sell everything in turn: a for 313.72 (80% of 210 × 900 /
    481.95, rounded down to the fen), b for 253.52 (80% of 147 × 586.28 / 271.95), c for
    266.20 (80% of the last 332.76); 66.56 stays in the pool."""
    book = Book(Mechanics())
    for member in "abc":
        book.buy(member, 100_000)
    for member in "abc":
        book.sell(member)
    assert [book.members[m].cash for m in "abc"] == [31372, 25352, 26620]
    return book


def exact(book: Book) -> tuple[dict[str, int], pd.DataFrame]:
    """The book's final balances and members, in fen (what the analysis reads)."""
    accounts = {a.name: a.balance for a in book.ledger.accounts.values()}
    members = [
        {"member": m.key, "spent": m.spent, "cash_received": m.cash} for m in book.members.values()
    ]
    return accounts, pd.DataFrame(members)


def test_the_three_members_money_by_use() -> None:
    accounts, _ = exact(three_members())
    flow = trace(accounts, bonuses=0, from_orders=300_000)
    assert flow.uses == (
        ("product_cost", "kept", 90_000),
        ("distribution", "kept", 90_000),
        ("platform", "kept", 30_000),
        ("referral_bonuses", "members", 0),
        ("member_payouts", "members", 83_344),  # 313.72 + 253.52 + 266.20
        ("left_in_pool", "pool", 6_656),
        ("operator_diverted", "operator", 0),
        ("custody_shortfall", "missing", 0),
    )
    shares = flow.shares()
    assert sum(shares.values()) == 1
    assert shares["member_payouts"] == Fraction(83_344, 300_000)
    assert flow.metrics()["money_share_split_lines"] == 0.7
    assert flow.metrics()["money_share_left_in_pool"] == 6_656 / 300_000


def test_payouts_beyond_ones_own_pool_money_are_funded_by_others() -> None:
    # each put 300 into the pool; only a got more back (313.72): 13.72 of others' money
    _, members = exact(three_members())
    expected = Fraction(1372, 83_344)
    assert funded_by_others(members, Fraction(3, 10)) == float(expected)
    # counting the whole price as one's own money, nobody was paid by others
    assert funded_by_others(members, Fraction(1)) == 0.0
    # a legacy member (paid 50 without buying) is paid wholly by others
    old = pd.DataFrame([{"member": "old", "spent": 0, "cash_received": 5_000}])
    legacy = pd.concat([members, old], ignore_index=True)
    assert funded_by_others(legacy, Fraction(3, 10)) == float(Fraction(1372 + 5000, 88_344))
    nothing = pd.DataFrame([{"spent": 100_000, "cash_received": 0}])
    assert funded_by_others(nothing, Fraction(3, 10)) is None


def test_fees_members_paid_are_a_line_of_their_own() -> None:
    # one 1000 order (300 to the pool, 700 kept) and a 50,000 region bought by its buyer
    accounts = {"platform": 70_000, "pool": 30_000, "region_fees": 5_000_000}
    flow = trace(accounts, bonuses=0, from_orders=100_000, from_fees=5_000_000)
    kinds = {use: kind for use, kind, _ in flow.uses}
    assert kinds["region_fees"] == "fees" and kinds["platform"] == "kept"
    metrics = flow.metrics()
    assert metrics["money_share_member_fees"] == 5_000_000 / 5_100_000
    assert metrics["money_share_split_lines"] == 70_000 / 5_100_000
    assert sum(v for v in metrics.values() if v) == pytest.approx(1)
    # the operator keeps the platform line and the fee; no goods line, no bonuses
    assert flow.takes() == {
        "operator_take_share": 5_070_000 / 5_100_000,
        "distribution_take_share": 0.0,
    }


def test_uses_with_bonuses_diversion_and_financing() -> None:
    # 2 orders of 1000 and a 500 subsidy; 10 of distribution paid as bonuses; 400 paid out of
    # the pool to members, who withdrew 300; the operator took 100 of the pool
    accounts = {  # fen
        "product_cost": 60_000,
        "distribution": 59_000,
        "platform": 20_000,
        "pool": 60_000,
        "member_cash": 11_000,
        "withdrawn": 30_000,
        "operator_diverted": 10_000,
        "custody_shortfall": 0,
    }
    flow = trace(accounts, bonuses=1_000, from_orders=200_000, from_financing=50_000)
    assert flow.entered == 250_000
    assert dict((use, fen) for use, _, fen in flow.uses) == {
        "product_cost": 60_000,
        "distribution": 59_000,
        "platform": 20_000,
        "referral_bonuses": 1_000,
        "member_payouts": 40_000,
        "left_in_pool": 60_000,
        "operator_diverted": 10_000,
        "custody_shortfall": 0,
    }
    assert flow.metrics() == {
        "money_share_split_lines": pytest.approx(0.556),
        "money_share_rules_not_given": 0.0,
        "money_share_member_fees": 0.0,
        "money_share_referral_bonuses": pytest.approx(0.004),
        "money_share_member_payouts": pytest.approx(0.16),
        "money_share_left_in_pool": pytest.approx(0.24),
        "money_share_operator_diverted": pytest.approx(0.04),
        "money_share_custody_shortfall": 0.0,
    }
    assert [row["share"] for row in flow.table()][:2] == [0.24, 0.236]
    # the operator: distribution 590 and platform 200 kept, 100 diverted; the goods line
    # (product cost) is not a take; the layer paid 10 of bonuses
    assert flow.takes() == {
        "operator_take_share": pytest.approx(89_000 / 250_000),
        "distribution_take_share": pytest.approx(1_000 / 250_000),
    }
    with pytest.raises(ValueError, match="entered"):
        trace(accounts, bonuses=1_000, from_orders=200_000)  # the subsidy left out
    with pytest.raises(ValueError, match="bonuses"):
        trace(accounts, bonuses=50_000, from_orders=200_000, from_financing=50_000)


LEVERS = {
    "name": "levers",
    "order": {"split": {"product_cost": 0.3, "distribution": 0.3, "platform": 0.1, "pool": 0.3}},
    "points": {"exit_multiple": 1.5},
    "run": {"days": 60, "seed": 7},
    "inflow": {"kind": "constant", "rate": 8, "initial_members": 20},
    "population": {
        "mix": {"consumer": 0.7, "referrer": 0.3},
        "consumer": {"sell_target": {"low": 1.05, "high": 1.3}, "rebuy_probability": 0.3},
    },
    "referral": {"direct": 0.05, "indirect": 0.02},
    "stress": {
        "diversion": {"daily_share": 0.01, "start_day": 20},
        "custody_shortfall": 0.1,
        "withdrawal_cap": 2000,
        "subsidies": [{"day": 10, "amount": 5000}],
    },
}


def test_a_run_with_every_lever_traces_every_fen() -> None:
    model = run_model(Scenario.from_dict(LEVERS))
    rows, members = yuan_rows(model), member_rows(model)
    entered = model.book.ledger.entered
    flow = trace_run(model.day_rows)  # exact rows (fen); checked below against the files
    fen = dict((use, amount) for use, _, amount in flow.uses)
    assert sum(fen.values()) == flow.entered == entered
    assert flow.from_financing == 500_000
    assert sum(flow.shares().values()) == 1
    assert sum(flow.metrics().values()) == pytest.approx(1, abs=1e-12)
    assert set(flow.metrics()) == set(FLOW_METRICS)
    assert all(fen[use] > 0 for use in ("referral_bonuses", "member_payouts"))
    assert all(fen[use] > 0 for use in ("operator_diverted", "custody_shortfall"))
    assert fen["member_payouts"] == sum(round(m["cash_received"] * 100) for m in members)
    assert fen["referral_bonuses"] == sum(round(m["bonuses_received"] * 100) for m in members)
    assert fen["member_payouts"] == sum(round(r["payouts"] * 100) for r in rows)
