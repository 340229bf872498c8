"""The compiled kernel's stress levers against the reference book: subsidies into the pool,
the operator's diversion, points granted for legacy claims and a custody shortfall, mixed at
random with orders and sales, give the same events and the same state to the fen and unit —
pool posted and held, payouts booked but unpaid (overall and per member), every record and
every trigger price."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core import rules
from sim.core.book import Book
from sim.core.kernel_book import LIMIT, KernelBook
from sim.core.kernel_layout import BUY, SELL_ALL
from sim.core.mechanics import CUSTODY_SHORTFALL, Mechanics
from sim.errors import BeyondRange
from tests.strategies import mechanics
from tests.test_kernel import assert_same_state, event_row, outcome


def kernel_rows(events) -> list[tuple]:
    """The kernel's events, in order (a lever's have no input to be grouped by)."""
    return [event_row(events, i) for i in range(len(events.kind))]


def applied_rows(applied) -> list[tuple]:
    return [
        (a.action, a.member, a.amount, a.points_delta, a.cash_delta, a.pool, a.points, a.price)
        for a in applied
    ]


def lever(book: Book, fast: KernelBook, step: tuple) -> None:
    """Apply one drawn step to both books; their events must agree."""
    kind = step[0]
    if kind == "subsidy":
        expected = applied_rows(book.subsidize(step[1]))
        got = kernel_rows(fast.subsidize(step[1]))
    elif kind == "divert":  # a share of the pool's cash, in permille, as the model asks
        amount = book.pool_cash * step[1] // 1000
        assert fast.divert(amount) == book.divert(amount)
        return
    elif kind == "grant":
        _, member, value, as_order = step
        expected = applied_rows(book.grant(member, value, as_order))
        got = kernel_rows(fast.grant(member, value, as_order))
    else:  # an order, or a sale of everything held
        _, member, action, amount = step
        expected = outcome(book, member, action, amount)
        events = fast.apply(
            np.array([member], np.int64), np.array([action], np.int8), np.array([amount])
        )
        got = kernel_rows(events)
    assert got == expected


def assert_beyond_range(book: Book, fast: KernelBook) -> None:
    """The fast core refused a step honestly: the reference, which took it, has minted units
    that times the mechanics' integers reach 2**62 (within the few units the fast core's
    bound rounds up), unless a per-order cap, which that bound leaves out, held them back."""
    minted = sum(member.obtained for member in book.members.values())
    capped = book.mechanics.max_points_per_order is not None
    assert capped or (minted + 4) * fast._factor >= LIMIT


@st.composite
def lever_streams(draw):
    members = draw(st.integers(1, 8))
    who = st.integers(0, members - 1)
    fen = st.one_of(st.sampled_from([100_000, 50_000, 7]), st.integers(1, 3_000_000))
    step = st.one_of(
        st.tuples(st.just("trade"), who, st.just(BUY), fen),
        st.tuples(st.just("trade"), who, st.just(BUY), fen),
        st.tuples(st.just("trade"), who, st.just(SELL_ALL), st.just(0)),
        st.tuples(st.just("subsidy"), fen),
        st.tuples(st.just("divert"), st.sampled_from([1, 300, 1000])),
        st.tuples(st.just("grant"), who, fen, st.booleans()),
    )
    return members, draw(st.lists(step, min_size=1, max_size=60))


@settings(max_examples=250, deadline=None)
@given(mechanics(), lever_streams(), st.sampled_from([F(0), F(1, 10), F(1, 3), F(7, 10)]))
def test_levers_match_the_reference(mech, stream, shortfall):
    members, steps = stream
    book = Book(mech)
    book.open_stress_accounts()
    book.custody_shortfall = shortfall
    fast = KernelBook(mech, members)
    fast.set_custody_shortfall(shortfall)
    assert fast.custody_shortfall == shortfall
    for step in steps:
        try:
            lever(book, fast, step)
        except BeyondRange:  # a price diluted to almost nothing: the rest is the reference's
            assert_beyond_range(book, fast)
            return
        assert (fast.pool_cash, fast.unpaid) == (book.pool_cash, book.unpaid)
        assert fast.missing == book.ledger.balance(CUSTODY_SHORTFALL)
    assert_same_state(book, fast)
    for member in range(members):
        record = book.members.get(member)
        assert int(fast.unpaid_of[member]) == (0 if record is None else record.unpaid)


def test_a_shortfall_leaves_payouts_unpaid_once_the_cash_is_gone():
    """Half of each inflow never held: once the operator takes the cash, a sale is booked in
    full against the posted pool but paid only in what is left (here nothing)."""
    mech = Mechanics(exit_multiple=None)
    fast, book = KernelBook(mech, 2), Book(mech)
    book.open_stress_accounts()
    book.custody_shortfall = F(1, 2)
    fast.set_custody_shortfall(F(1, 2))
    for step in [("trade", 0, BUY, 100_000), ("trade", 1, BUY, 100_000), ("divert", 1000)]:
        lever(book, fast, step)
    # 1000 yuan orders put 300 yuan each in the pool: 600 posted, 300 held, all of it taken
    assert (fast.pool, fast.pool_cash, fast.missing) == (30_000, 0, 30_000)
    held, price = int(fast.held[0]), fast.price
    lever(book, fast, ("trade", 0, SELL_ALL, 0))
    due = rules.sale_payout(held, price, F(4, 5))  # 80% of the first buyer's share
    assert due > 0
    assert (fast.unpaid, int(fast.unpaid_of[0]), int(fast.cash[0])) == (due, due, 0)
    assert fast.pool == 30_000 - due and book.unpaid == due


def test_a_grant_mints_the_claims_worth_and_counts_it_as_spend():
    """Legacy claims: ``full_value`` mints the whole claim's worth at the price, ``as_order``
    what an order of it would get (30% to the pool, 70% of that minted): at the start price
    of 1 yuan a point (0.01 yuan a unit at 2 decimals)."""
    fast = KernelBook(Mechanics(exit_multiple=F(2), decimals=2), 2)
    events = fast.grant(0, 100_000, False)
    assert (int(events.points_delta[0]), int(fast.spent_entry[0]), int(fast.spent[0])) == (
        100_000,
        100_000,
        0,
    )
    events = fast.grant(1, 100_000, True)
    assert int(events.points_delta[0]) == 100_000 * 3 // 10 * 7 // 10
    assert fast.pool == 0 and fast.points == 100_000 + 21_000


def test_a_subsidy_beyond_range_is_refused_before_it_changes_anything():
    fast = KernelBook(Mechanics(), 1)
    with pytest.raises(BeyondRange, match="subsidy"):
        fast.subsidize(2**62)
    assert fast.pool == 0
