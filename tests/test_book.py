"""The reference book: forced exits in order, every exit basis, re-entry, levers, empty book."""

from fractions import Fraction as F

import pytest

from sim.core.book import EXITED, SOLD_OUT, Book, Refused
from sim.core.mechanics import MEMBER_CASH, Mechanics

YUAN = 100
UNIT = 10**6


def book(**changes) -> Book:
    return Book(Mechanics(**changes))


def price_yuan(b: Book) -> float:
    return float(b.price * UNIT / YUAN)


def buy_until(b: Book, stop, first_member=1, amount=1000 * YUAN):
    """Buy orders by new members until ``stop(events)`` holds; return the events and the count."""
    member = first_member
    while True:
        events = b.buy(member, amount)
        b.ledger.check()
        if stop(events):
            return events, member
        member += 1


def test_three_x_exits_at_the_seed_prices_and_in_trigger_order():
    b = book(exit_multiple=F(3))
    exits = []
    last_price = {}
    member = 1
    while len(exits) < 2:
        price_before = b.price
        for event in b.buy(member, 1000 * YUAN):
            if event.action == "forced_exit":
                exits.append(event)
                last_price[event.member] = price_before
            price_before = event.price
        member += 1
    assert [e.member for e in exits] == [1, 2]
    # The price at which each cap was reached: 14.29 (3000/210) and 20.41 (3000/147).
    assert round(float(last_price[1] * UNIT / YUAN), 2) == 14.29
    assert round(float(last_price[2] * UNIT / YUAN), 2) == 20.41
    # The whole 210 points are sold at 80%: about 0.8 x 3000 = 2400 yuan.
    assert exits[0].points_delta == -210 * UNIT
    assert exits[0].cash_delta == pytest.approx(2400 * YUAN, rel=1e-3)
    assert b.members[1].status == EXITED


def test_one_event_can_push_several_members_out_ties_by_numeric_id():
    # With mint ratio 1 every buyer gets c / p points and buys leave the price flat, so
    # buyers "3", "2" and "10" (same spend, same points) share one trigger price exactly.
    b = book(exit_multiple=F(1), mint_ratio=F(1))
    for member in ("3", "2", "10"):
        b.buy(member, 300 * YUAN)
        assert b.members[member].held == 90 * UNIT
    assert b.price == F(YUAN, UNIT)
    # A whale buys and sells, leaving 20% of 30,000 yuan in the pool: the price jumps past
    # 300 / 90 = 3.33 and all three cross in one event; ids compare as numbers (2 < 3 < 10).
    b.buy("whale", 100_000 * YUAN)
    events = b.sell("whale")
    b.ledger.check()
    assert [e.action for e in events] == ["sell"] + ["forced_exit"] * 3
    assert [e.member for e in events[1:]] == ["2", "3", "10"]
    # Each exit is paid at the price after the previous one, so later exits get more.
    cash = [e.cash_delta for e in events[1:]]
    assert cash == sorted(cash) and cash[0] < cash[-1]


def test_cascade_repeats_until_nobody_crosses():
    # Everyone at the same trigger: one sale lifts the price past all of them; they leave
    # in id order, each exit lifting the price further.
    b = book(exit_multiple=F(2), mint_ratio=F(1))
    for member in (5, 1, 3):
        b.buy(member, 1000 * YUAN)
    b.buy(99, 200_000 * YUAN)
    events = b.sell(99)
    b.ledger.check()
    exits = [e for e in events if e.action == "forced_exit"]
    assert [e.member for e in exits] == [1, 3, 5]
    prices = [e.price for e in events]
    assert prices == sorted(prices)
    assert all(b.members[m].status == EXITED for m in (1, 3, 5))


def test_reentry_resets_the_spend_since_entry():
    b = book(exit_multiple=F(3))
    buy_until(b, lambda events: any(e.action == "forced_exit" and e.member == 1 for e in events))
    first = b.members[1]
    assert first.status == EXITED and first.held == 0 and first.entries == 1
    cash_before = first.cash
    b.buy(1, 1000 * YUAN)  # 复投
    assert first.entries == 2
    assert first.spent == 2000 * YUAN and first.spent_entry == 1000 * YUAN
    assert first.cash_entry == 0 and first.cash == cash_before
    assert first.status == "active" and first.held > 0


def test_obtained_basis_keeps_counting_sold_points():
    # Member 1 sells half; on the 'held' basis only the rest counts, on 'obtained' all 210.
    results = {}
    for basis in ("held", "obtained"):
        b = book(exit_multiple=F(2), exit_points=basis)
        b.buy(1, 1000 * YUAN)
        b.sell(1, 105 * UNIT)
        _, last = buy_until(
            b,
            lambda events: any(e.action == "forced_exit" and e.member == 1 for e in events),
            first_member=2,
        )
        results[basis] = last
    # 2000 / 210 = 9.52 is reached long before 2000 / 105 = 19.05.
    assert results["obtained"] < results["held"]


def test_counting_realised_cash_brings_the_exit_forward():
    counts = {}
    for counted in (False, True):
        b = book(exit_multiple=F(2), exit_counts_cash=counted)
        b.buy(1, 1000 * YUAN)
        buy_until(b, lambda events, b=b: price_yuan(b) >= 3, first_member=2)
        b.sell(1, 105 * UNIT)  # about 105 x 3 x 0.8 = 252 yuan realised
        _, last = buy_until(
            b,
            lambda events: any(e.action == "forced_exit" and e.member == 1 for e in events),
            first_member=10_000,
        )
        counts[counted] = last
    assert counts[True] < counts[False]


def test_grant_value_basis_exits_when_the_price_doubles_since_grant():
    b = book(exit_multiple=F(2), exit_against="grant_value")
    b.buy(1, 1000 * YUAN)  # 210 points at 1 yuan: grant value 210 yuan, exit at price >= 2
    before = []
    events, _ = buy_until(
        b,
        lambda events: (
            before.append(events[0].price)
            or any(e.action == "forced_exit" and e.member == 1 for e in events)
        ),
        first_member=2,
    )
    assert float(events[0].price * UNIT / YUAN) >= 2
    assert float(before[-2] * UNIT / YUAN) < 2


def test_member_who_buys_twice_is_tested_on_the_total():
    b = book(exit_multiple=F(3))
    b.buy(1, 1000 * YUAN)
    b.buy(2, 1000 * YUAN)
    b.buy(1, 1000 * YUAN)
    m = b.members[1]
    assert m.spent_entry == 2000 * YUAN
    # 210 points at 1.00, then 210 yuan of points at 600/357 = 1.68: 124.95 points.
    assert m.held == 210 * UNIT + 124_950_000
    assert m.obtained_entry == m.held


def test_levers_min_spend_and_points_cap():
    b = book(min_spend_to_sell=2000 * YUAN, max_points_per_order=100 * UNIT)
    events = b.buy(1, 1000 * YUAN)
    assert events[0].points_delta == 100 * UNIT  # 210 capped at 100
    with pytest.raises(Refused, match="required before any sale"):
        b.sell(1)
    b.buy(1, 1000 * YUAN)
    b.sell(1)
    assert b.members[1].status == SOLD_OUT


def test_refusals():
    b = book()
    with pytest.raises(Refused, match="never bought"):
        b.sell("ghost")
    b.buy("a", 1000 * YUAN)
    with pytest.raises(Refused, match="holds"):
        b.sell("a", 211 * UNIT)
    with pytest.raises(Refused):
        b.buy("a", 0)
    b.sell("a")
    with pytest.raises(Refused, match="no points"):
        b.sell("a")


def test_empty_book_keeps_the_price_and_the_residue_goes_to_the_next_buyer():
    b = book()
    b.buy(1, 1000 * YUAN)
    price = b.price
    events = b.sell(1)
    assert b.points == 0
    assert events[0].cash_delta == 240 * YUAN  # 210 points x 300/210 x 0.8
    assert b.pool == 60 * YUAN  # 20% stays
    assert b.price == price  # no division by zero: the last price stands
    b.buy(2, 1000 * YUAN)  # minted at the last price: 210 / 1.4286 = 147 points
    assert b.members[2].held == 147 * UNIT
    assert b.pool == 360 * YUAN
    b.ledger.check()


def test_ledger_accounts_follow_the_money():
    b = book()
    b.buy(1, 1000 * YUAN)
    b.buy(2, 1000 * YUAN)
    b.sell(1)
    accounts = {name: a.balance for name, a in b.ledger.accounts.items()}
    paid = b.members[1].cash
    assert accounts == {
        "product_cost": 600 * YUAN,
        "distribution": 600 * YUAN,
        "platform": 200 * YUAN,
        "pool": 600 * YUAN - paid,
        MEMBER_CASH: paid,
    }
    assert b.ledger.entered == 2000 * YUAN
    b.ledger.check()
