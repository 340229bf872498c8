"""The pure rules against the seeds' worked numbers (SPEC §1–4) and hand-computed cases."""

from fractions import Fraction as F

import pytest

from sim.core import rules

GENERIC = (
    ("product_cost", F(3, 10)),
    ("distribution", F(3, 10)),
    ("platform", F(1, 10)),
    ("pool", F(3, 10)),
)
UNIT = 10**6  # point units per point
YUAN = 100  # fen per yuan


def test_generic_split_of_1000_yuan():
    assert rules.split_order(1000 * YUAN, GENERIC) == {
        "product_cost": 30_000,
        "distribution": 30_000,
        "platform": 10_000,
        "pool": 30_000,
    }


def test_split_hands_leftover_fen_to_largest_remainders():
    # 1 fen at 30/30/10/30: shares 0.3, 0.3, 0.1, 0.3 of a fen all round down to 0; the
    # leftover fen goes to the first of the largest remainders.
    assert rules.split_order(1, GENERIC) == {
        "product_cost": 1,
        "distribution": 0,
        "platform": 0,
        "pool": 0,
    }
    # 7 fen: exact 2.1, 2.1, 0.7, 2.1 -> floors 2, 2, 0, 2 and the leftover to platform (0.7).
    assert rules.split_order(7, GENERIC) == {
        "product_cost": 2,
        "distribution": 2,
        "platform": 1,
        "pool": 2,
    }
    thirds = (("a", F(1, 3)), ("b", F(1, 3)), ("pool", F(1, 3)))
    assert rules.split_order(100, thirds) == {"a": 34, "b": 33, "pool": 33}


def seed_table(contribution_yuan, orders=3):
    """Mint ``orders`` orders of the given pool contribution from an empty book."""
    pool = points = 0
    price = F(YUAN, UNIT)  # start price 1 yuan per point, in fen per unit
    rows = []
    for _ in range(orders):
        granted = rules.mint(contribution_yuan * YUAN, price, F(7, 10), None)
        pool += contribution_yuan * YUAN
        points += granted
        price = rules.price(pool, points, price)
        rows.append((granted / UNIT, pool / YUAN, points / UNIT, float(price * UNIT / YUAN)))
    return rows


@pytest.mark.parametrize(
    ("contribution", "table"),
    [
        (300, [(210, 300, 210, 1.43), (147, 600, 357, 1.68), (124.95, 900, 481.95, 1.87)]),
        (160, [(112, 160, 112, 1.43), (78.4, 320, 190.4, 1.68), (66.64, 480, 257.04, 1.87)]),
    ],
)
def test_seed_three_order_tables(contribution, table):
    for got, want in zip(seed_table(contribution), table, strict=True):
        granted, pool, points, price = got
        assert granted == pytest.approx(want[0], abs=1e-6)
        assert pool == want[1]
        assert points == pytest.approx(want[2], abs=1e-6)
        assert round(price, 2) == want[3]


def test_mint_rounds_down_and_respects_the_cap():
    price = F(3, 7)  # fen per unit
    assert rules.mint(100, price, F(1, 2), None) == 116  # 50 / (3/7) = 116.67 -> 116
    assert rules.mint(100, price, F(1, 2), 100) == 100
    with pytest.raises(ValueError):
        rules.mint(100, F(0), F(1, 2), None)


def test_sale_pays_payout_ratio_rounded_down_to_the_fen():
    # 210 points at 1000/105 yuan (worth 2000 yuan) pay 80% = 1600 yuan.
    price = F(1000 * YUAN, 105 * UNIT)
    assert rules.value(210 * UNIT, price) == 2000 * YUAN
    assert rules.sale_payout(210 * UNIT, price, F(4, 5)) == 1600 * YUAN
    # 1 unit at 7/3 fen is worth 2.33 fen; 80% is 1.87 fen -> 1 fen.
    assert rules.sale_payout(1, F(7, 3), F(4, 5)) == 1


def test_empty_book_keeps_its_last_price():
    last = F(5, 3)
    assert rules.price(0, 0, last) == last
    assert rules.price(40, 0, last) == last
    assert rules.price(40, 8, last) == 5


def test_exit_trigger_seed_figures():
    # 3x of 1000 yuan on 210 and 147 points: 14.29 and 20.41 yuan per point (seeds 001/002).
    for points, want in ((210, 14.29), (147, 20.41)):
        trigger = rules.exit_trigger(points * UNIT, 1000 * YUAN, 0, F(3))
        assert round(float(trigger * UNIT / YUAN), 2) == want
    # 1.2x of 1000 yuan on 112 points: 10.71 (seed 000).
    trigger = rules.exit_trigger(112 * UNIT, 1000 * YUAN, 0, F(6, 5))
    assert round(float(trigger * UNIT / YUAN), 2) == 10.71


def test_exit_trigger_with_cash_counted_and_edge_cases():
    # 2x of 1000 yuan with 1500 yuan already realised: the last 500 from 100 points -> 5 yuan.
    trigger = rules.exit_trigger(100 * UNIT, 1000 * YUAN, 1500 * YUAN, F(2))
    assert trigger * UNIT / YUAN == 5
    assert rules.exit_trigger(100 * UNIT, 1000 * YUAN, 2500 * YUAN, F(2)) == 0
    assert rules.exit_trigger(0, 1000 * YUAN, 0, F(2)) is None
    assert rules.cap_reached(100, 10, 0, F(2), F(1, 5))
    assert not rules.cap_reached(100, 10, 0, F(2), F(19, 100))


def test_grant_value_rounds_down_to_the_fen():
    assert rules.grant_value(210 * UNIT, F(YUAN, UNIT)) == 210 * YUAN
    assert rules.grant_value(3, F(1, 2)) == 1
