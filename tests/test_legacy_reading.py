"""Legacy claims under the two readings of the seeds (``stress.legacy.reading``), by hand.

Seeds 000-002 and 004: "老会员应付资产转化成消费币 ... 交割同时赠送绿色积分 ...
当积分增长的价格*老用户持有流通积分量=老用户应付资产价值时，让老用户持有的积分能回本或者赚一部分
退出". The literal reading (``price_growth``, the default) grants the points an order of the
claim would get, so they are worth the claim only once the price has grown; ``full_value``
grants points worth the whole claim at release."""

from __future__ import annotations

from fractions import Fraction

import pytest

from sim.core.book import Book
from sim.core.mechanics import Mechanics
from sim.errors import InputError
from sim.scenario.root import Scenario, load_scenario
from tests.conftest import SCENARIOS, member_rows, run_model

UNIT = 10**6  # point units per point at 6 decimals; prices are fen per unit


def three_orders() -> Book:
    """Seeds 001-004's three orders of 1000: pool 900 yuan, 481.95 points."""
    book = Book(Mechanics())
    for member in "abc":
        book.buy(member, 100_000)
    assert (book.pool, book.points) == (90_000, 481_950_000)
    return book


def test_the_seeds_reading_grants_what_an_order_of_the_claim_would_get():
    book = three_orders()
    (event,) = book.grant("old", 100_000, as_order=True)  # a claim of 1000 yuan
    # 210 yuan of points (70% of the 300 an order of 1000 puts in the pool) at 900 / 481.95
    expected = (210 * 100 * 481_950_000) // 90_000  # fen x units / fen, rounded down
    assert event.points_delta == expected == 112_455_000  # 112.455 points
    assert event.cash_delta == 0 and book.pool == 90_000  # no cash: paid in consumption coins
    member = book.members["old"]
    assert (member.spent, member.spent_entry) == (0, 100_000)  # the claim, not money spent
    # worth 210.00 at release, and the claim's 1000 once the price reaches 1000 / 112.455
    worth = Fraction(expected) * Fraction(90_000, 481_950_000) / 100
    assert worth == 210
    assert Fraction(100_000, expected) * UNIT / 100 == pytest.approx(8.8925, abs=1e-4)


def test_the_full_value_reading_grants_the_whole_claim_at_release():
    book = three_orders()
    (event,) = book.grant("old", 100_000)
    assert event.points_delta == (100_000 * 481_950_000) // 90_000 == 535_500_000  # 535.5
    # the price falls from 900 / 481.95 = 1.867 to 900 / 1017.45 = 0.885
    assert book.price == Fraction(90_000, 1_017_450_000)


def legacy_run(reading: str) -> list[dict]:
    """One old member with a 1000-yuan claim released on day 1 who never sells on release."""
    data = load_scenario(SCENARIOS / "legacy-debts.yaml").model_dump()
    data["stress"]["legacy"] = {
        "claims": 1000,
        "members": 1,
        "start_day": 1,
        "batches": 1,
        "sell_probability": 0,
        "reading": reading,
    }
    data["points"]["exit_multiple"] = None
    model = run_model(Scenario.from_dict(data), days=150)
    return [row for row in member_rows(model) if row["type"] == "legacy"]


def test_old_members_sell_out_once_their_points_are_worth_the_claim():
    (old,) = legacy_run("price_growth")
    # sold everything at a price where the points were worth at least the 1000-yuan claim,
    # paid 80% of that value: at least 800 yuan, and not much more (the day's price step)
    assert old["points_held"] == 0 and 800 <= old["cash_received"] < 1000
    (kept,) = legacy_run("full_value")  # worth the claim at once; no target, no sale
    assert kept["cash_received"] == 0 and kept["points_held"] > 0


def test_the_reading_is_checked():
    data = {"name": "t", "order": {"split": {"pool": 1}}}
    data["stress"] = {"legacy": {"claims": 1, "members": 1, "reading": "literal"}}
    with pytest.raises(InputError) as caught:
        Scenario.from_dict(data)
    assert caught.value.key == "stress.legacy.reading"
    assert "price_growth" in str(caught.value) and "full_value" in str(caught.value)
