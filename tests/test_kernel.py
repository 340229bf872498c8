"""The compiled kernel against the reference book: the same events, the same state, to the unit.

The kernel's contract is agreement with :class:`sim.core.book.Book` to 1e-9 relative; its
arithmetic is exact integers like the book's, so everything here is compared for exact
equality (which implies the contract): every event (kind, member, amount, points and cash
deltas, pool, points, exact price), and after every chunk the pool, points, price, every
member's record and every member's trigger price (the kernel's against :mod:`sim.core.rules`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import random
from fractions import Fraction as F
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.batch.kernel_bench import W1, main, run_bench
from sim.core import int128, kernel, kernel_layout, rules, trigger_heap
from sim.core.book import EXITED, Book, Refused
from sim.core.kernel_book import Events, KernelBook
from sim.core.kernel_layout import (
    BUY,
    EV_FORCED_EXIT,
    EV_REFUSED,
    EVENT_NAMES,
    SELL,
    SELL_ALL,
    STATUS_NAMES,
)
from sim.core.mechanics import Mechanics
from tests.strategies import mechanics

YUAN = 100

# a member's record in the kernel, named like the fields of sim.core.book.Member
MEMBER_FIELDS = (
    "held",
    "spent",
    "spent_entry",
    "obtained",
    "obtained_entry",
    "grant_value_entry",
    "cash",
    "cash_entry",
    "entries",
    "sales",
    "forced_exits",
)

# -- harness ----------------------------------------------------------------------------------


def outcome(book: Book, member: int, action: int, amount: int) -> list[tuple]:
    """Apply one input to the book; its events as kernel-style tuples (refusals included)."""
    try:
        if action == BUY:
            applied = book.buy(member, amount)
        else:
            applied = book.sell(member, None if action == SELL_ALL else amount)
    except Refused:
        if action == SELL_ALL:  # the kernel reports the units it was asked to sell: all held
            amount = book.members[member].held if member in book.members else 0
        return [("refused", member, amount, 0, 0, book.pool, book.points, book.price)]
    return [
        (a.action, a.member, a.amount, a.points_delta, a.cash_delta, a.pool, a.points, a.price)
        for a in applied
    ]


def record_of(fast: KernelBook, member: int) -> dict[str, int | str]:
    """One member's record read from the kernel's per-field views."""
    record: dict[str, int | str] = {"status": STATUS_NAMES[int(fast.status[member])]}
    for name in MEMBER_FIELDS:
        record[name] = int(getattr(fast, name)[member])
    return record


def reference_trigger(book: Book, member: int) -> F | None:
    """The member's trigger price as Book._track_cap files it (None: not filed)."""
    mech, record = book.mechanics, book.members.get(member)
    if mech.exit_multiple is None or record is None or not record.held:
        return None
    if record.status == EXITED:
        return None
    measure = record.held if mech.exit_points == "held" else record.obtained_entry
    spend = mech.exit_against == "spend"
    reference = record.spent_entry if spend else record.grant_value_entry
    cash = record.cash_entry if mech.exit_counts_cash else 0
    return rules.exit_trigger(measure, reference, cash, mech.exit_multiple)


def kernel_trigger(fast: KernelBook, member: int) -> F | None:
    """The member's trigger price as the kernel computes it (None: not filed)."""
    num, den = trigger_heap.exit_trigger(member, fast._hot, fast._cold, fast._prm)
    return None if den == 0 else F(int(num), int(den))


def event_row(events: Events, i: int) -> tuple:
    """The kernel's event ``i`` as the book's row: action, member, amount, points and cash
    deltas, pool, points, exact price."""
    return (
        EVENT_NAMES[events.kind[i]],
        int(events.member[i]),
        int(events.amount[i]),
        int(events.points_delta[i]),
        int(events.cash_delta[i]),
        int(events.pool[i]),
        int(events.points[i]),
        F(int(events.price_num[i]), int(events.price_den[i])),
    )


def kernel_rows(events: Events) -> list[list[tuple]]:
    """The kernel's events grouped by the input that caused them."""
    grouped: dict[int, list[tuple]] = {}
    for i in range(len(events.kind)):
        grouped.setdefault(int(events.source[i]), []).append(event_row(events, i))
    return [grouped.get(i, []) for i in range(max(grouped, default=-1) + 1)]


def assert_same_state(book: Book, fast: KernelBook) -> None:
    assert fast.pool == book.pool
    assert fast.points == book.points
    assert fast.price == book.price
    assert fast.holders == book.holders
    grant_value = book.mechanics.exit_against == "grant_value"
    for member in range(fast.capacity):
        record = book.members.get(member)
        got = record_of(fast, member)
        trigger = kernel_trigger(fast, member)
        assert trigger == reference_trigger(book, member), member
        if record is None:
            assert got["status"] == "none" and got["entries"] == 0 and got["held"] == 0
            continue
        expected = {name: getattr(record, name) for name in MEMBER_FIELDS}
        if not grant_value:
            expected["grant_value_entry"] = 0  # tracked under that basis only
        expected["status"] = record.status
        assert got == expected, member
        if trigger is not None:
            assert trigger > book.price  # nobody left above their cap


def concrete(book: Book, raw: list[tuple]) -> tuple[list[tuple], list[list[tuple]]]:
    """Turn drawn actions into kernel inputs (sales as a share of what is held then), applying
    them to the book; returns the inputs and the book's events for each."""
    inputs, expected = [], []
    for kind, member, value in raw:
        held = book.members[member].held if member in book.members else 0
        if kind == "buy":
            row = (member, BUY, value)
        elif kind == "sell_all":
            row = (member, SELL_ALL, 0)
        elif kind == "sell":  # value: share of the holding, in permille
            row = (member, SELL, max(1, held * value // 1000))
        else:  # "bad": a sale the rules refuse (more than held, or nothing)
            row = (member, SELL, held + 1 if value % 2 else 0)
        inputs.append(row)
        expected.append(outcome(book, *row))
    return inputs, expected


def run_chunks(fast: KernelBook, inputs: list[tuple], cuts: list[int]) -> list[list[tuple]]:
    got: list[list[tuple]] = []
    bounds = [0, *sorted(c for c in cuts if 0 < c < len(inputs)), len(inputs)]
    for lo, hi in itertools.pairwise(bounds):
        part = inputs[lo:hi]
        if not part:
            continue
        members, actions, amounts = (np.array(col, np.int64) for col in zip(*part, strict=True))
        events = fast.apply(members, actions.astype(np.int8), amounts)
        rows = kernel_rows(events)
        got.extend(rows + [[]] * (len(part) - len(rows)))
    return got


# -- random streams ---------------------------------------------------------------------------


@st.composite
def streams(draw):
    members = draw(st.integers(1, 12))
    who = st.integers(0, members - 1)
    amounts = st.one_of(
        st.sampled_from([100_000, 100_000, 50_000, 30_000, 1, 7]),  # repeats make ties
        st.integers(1, 2_000_000),
        st.just(0),  # refused
    )
    action = st.one_of(
        st.tuples(st.just("buy"), who, amounts),
        st.tuples(st.just("buy"), who, amounts),
        st.tuples(st.just("sell"), who, st.integers(1, 999)),
        st.tuples(st.just("sell_all"), who, st.just(0)),
        st.tuples(st.just("bad"), who, st.integers(0, 1)),
    )
    raw = draw(st.lists(action, min_size=1, max_size=80))
    cuts = draw(st.lists(st.integers(0, len(raw)), max_size=4))
    return members, raw, cuts


@settings(max_examples=250, deadline=None)
@given(mechanics(), streams())
def test_random_streams_match_the_reference(mech, stream):
    members, raw, cuts = stream
    book = Book(mech)
    inputs, expected = concrete(book, raw)
    fast = KernelBook(mech, members)
    got = run_chunks(fast, inputs, cuts)
    assert got == expected
    assert_same_state(book, fast)


@settings(max_examples=60, deadline=None)
@given(mechanics(), streams(), st.randoms(use_true_random=False))
def test_state_matches_after_every_chunk(mech, stream, rnd):
    members, raw, _ = stream
    book = Book(mech)
    fast = KernelBook(mech, members)
    position = 0
    while position < len(raw):
        step = rnd.randint(1, 12)
        inputs, expected = concrete(book, raw[position : position + step])
        assert run_chunks(fast, inputs, []) == expected
        assert_same_state(book, fast)
        position += step


@settings(max_examples=40, deadline=None)
@given(mechanics(), streams(), st.one_of(st.integers(1, 2_000_000), st.just(0)))
def test_the_fast_path_records_nothing_and_changes_nothing_else(mech, stream, amount):
    """buy_many (the orders of one amount, recording no events) leaves the state apply does."""
    members, raw, _ = stream
    buyers = np.array([member for _, member, _ in raw], np.int64)
    loud, quiet = KernelBook(mech, members), KernelBook(mech, members)
    events = loud.apply(buyers, np.zeros(len(buyers), np.int8), np.full(len(buyers), amount))
    quiet.buy_many(buyers, amount)
    assert quiet.counters() == loud.counters()
    assert quiet.price == loud.price and quiet.pool == loud.pool
    for member in range(members):
        assert record_of(quiet, member) == record_of(loud, member)
    counted = loud.counters()
    kinds = list(events.kind)
    assert kinds.count(EV_FORCED_EXIT) == counted["forced_exits"]
    assert kinds.count(EV_REFUSED) == counted["refused"]


def test_many_members_with_tied_triggers_exit_in_member_order():
    # Mint ratio 1: buys leave the price flat, so equal buyers share one trigger exactly.
    # One sale then pushes hundreds out in a single event — more exits than the event
    # buffer first holds, so the core pauses and resumes inside the cascade.
    mech = Mechanics(exit_multiple=F(1), mint_ratio=F(1))
    order = list(range(1, 301))
    random.Random(7).shuffle(order)
    inputs = [(m, BUY, 300 * YUAN) for m in order]
    inputs += [(0, BUY, 2_000_000 * YUAN), (0, SELL_ALL, 0)]
    book = Book(mech)
    expected = [outcome(book, *row) for row in inputs]
    assert [e[1] for e in expected[-1][1:]] == list(range(1, 301))
    fast = KernelBook(mech, 301)
    got = run_chunks(fast, inputs[:-2], []) + run_chunks(fast, inputs[-2:], [])
    assert got == expected
    assert_same_state(book, fast)


def test_mixed_w1_like_stream_with_sales_and_low_cap():
    """A few thousand events of every kind, many exits and re-entries, vs the reference."""
    mech = dataclasses.replace(W1, exit_multiple=F(2, 5), exit_counts_cash=True)
    rng = np.random.default_rng(3)
    raw = []
    for _ in range(6_000):
        member = int(rng.integers(0, 300))
        roll = rng.random()
        if roll < 0.8:
            raw.append(("buy", member, 100_000))
        elif roll < 0.93:
            raw.append(("sell", member, int(rng.integers(1, 1000))))
        else:
            raw.append(("sell_all", member, 0))
    book = Book(mech)
    inputs, expected = concrete(book, raw)
    fast = KernelBook(mech, 300)
    assert run_chunks(fast, inputs, [1_000, 2_500, 4_000]) == expected
    assert_same_state(book, fast)
    assert fast.counters()["forced_exits"] > 100
    assert int(fast.entries.max()) > 1  # re-entries after exits


# -- the seeds ----------------------------------------------------------------------------------


def test_seed_three_orders():
    fast = KernelBook(Mechanics(exit_multiple=F(3)), 3)
    events = fast.apply(np.arange(3), np.zeros(3, np.int8), np.full(3, 1000 * YUAN))
    assert list(events.points_delta) == [210_000_000, 147_000_000, 124_950_000]
    assert list(events.pool) == [300 * YUAN, 600 * YUAN, 900 * YUAN]
    assert round(fast.price_yuan, 2) == 1.87


def test_seed_767_orders():
    fast = KernelBook(Mechanics(), 767)
    fast.buy_many(np.arange(767), 1000 * YUAN)
    assert round(fast.price_yuan, 2) == 9.52
    assert round(210 * fast.price_yuan) == 2000  # buyer 1's points are worth 2000 yuan


def test_w1_stream_of_200_000_orders_matches_the_reference():
    members, orders, fast_path = 100_000, 200_000, 50_000
    ids = np.random.default_rng(11).integers(0, members, orders)
    book = Book(W1)
    exits = []  # (input, member, units, cash)
    for i, m in enumerate(ids.tolist()):
        for event in book.buy(m, W1.order_amount)[1:]:
            exits.append((i, event.member, event.amount, event.cash_delta))
    fast = KernelBook(W1, members)
    fast.buy_many(ids[:fast_path], W1.order_amount)  # the fast path, then the recording one
    rest = orders - fast_path
    events = fast.apply(ids[fast_path:], np.zeros(rest, np.int8), np.full(rest, 100_000))
    out = events.kind == EV_FORCED_EXIT
    got = list(
        zip(
            (events.source[out] + fast_path).tolist(),
            events.member[out].tolist(),
            events.amount[out].tolist(),
            events.cash_delta[out].tolist(),
            strict=True,
        )
    )
    assert len(exits) > 5
    assert got == [e for e in exits if e[0] >= fast_path]
    assert fast.counters()["forced_exits"] == len(exits)
    assert fast.counters()["paid_exits"] == sum(e[3] for e in exits)
    assert fast.pool == book.pool and fast.points == book.points and fast.price == book.price
    for name in ("held", "spent", "spent_entry", "obtained_entry", "cash", "entries"):
        expected = np.zeros(members, np.int64)
        for key, record in book.members.items():
            expected[key] = getattr(record, name)
        assert np.array_equal(getattr(fast, name), expected), name


# -- edges --------------------------------------------------------------------------------------


def test_empty_book_keeps_the_last_price():
    fast = KernelBook(Mechanics(), 2)
    fast.apply(np.array([0, 0]), np.array([BUY, SELL_ALL], np.int8), np.array([100_000, 0]))
    assert fast.points == 0 and fast.pool == 6_000 and fast.price == F(30_000, 210_000_000)
    events = fast.apply(np.array([1]), np.array([BUY], np.int8), np.array([100_000]))
    assert events.points_delta[0] == 147_000_000


def test_refusals_are_events_that_change_nothing():
    fast = KernelBook(Mechanics(min_spend_to_sell=200_000), 2)
    events = fast.apply(
        np.array([1, 0, 0, 0, 0]),
        np.array([SELL_ALL, BUY, SELL, SELL_ALL, BUY], np.int8),
        np.array([0, 100_000, 1, 0, 0]),
    )
    kinds = [EVENT_NAMES[k] for k in events.kind]
    assert kinds == ["refused", "buy", "refused", "refused", "refused"]
    assert fast.counters()["refused"] == 4 and fast.sales[0] == 0
    assert STATUS_NAMES[fast.status[1]] == "none"


def test_bad_input_is_rejected():
    fast = KernelBook(Mechanics(), 2)
    with pytest.raises(ValueError, match="numbered"):
        fast.apply(np.array([2]), np.array([BUY], np.int8), np.array([1]))
    with pytest.raises(ValueError, match="actions"):
        fast.apply(np.array([0]), np.array([5], np.int8), np.array([1]))
    with pytest.raises(OverflowError):
        fast.buy_many(np.array([0, 1]), 2**61)
    assert fast.counters()["buys"] == 0
    # 12 decimals: a million orders could mint more units than 64 bits hold; refused whole
    fine = KernelBook(Mechanics(decimals=12), 2)
    with pytest.raises(OverflowError):
        fine.buy_many(np.zeros(1_000_000, np.int64), 100_000)
    assert fine.counters()["buys"] == 0 and fine.points == 0


def test_growing_a_kernel_book_keeps_its_state_and_exit_order() -> None:
    # newcomers' orders of 1000 yuan, and now and then an earlier member sells
    mech = Mechanics(exit_multiple=F(2))
    rng = np.random.default_rng(3)
    n = 3000
    sells = rng.random(n) < 0.05
    members = np.where(sells, rng.integers(0, np.maximum(np.arange(n), 1)), np.arange(n))
    actions = np.where(sells, rng.choice([SELL, SELL_ALL], n), BUY).astype(np.int8)
    amounts = np.where(actions == BUY, 100_000, rng.integers(1, 10**8, n))
    big = KernelBook(mech, n)
    grown = KernelBook(mech, 1)
    expected, got = [], []
    for start in range(0, n, 97):
        part = slice(start, start + 97)
        grown.grow(int(members[part].max()) + 1)
        expected.append(big.apply(members[part], actions[part], amounts[part]))
        got.append(grown.apply(members[part], actions[part], amounts[part]))
    for a, b in zip(expected, got, strict=True):
        for x, y in zip(a, b, strict=True):
            assert np.array_equal(x, y)
    kinds = np.concatenate([e.kind for e in got])
    assert (kinds == 2).sum() > 0 and (kinds == 3).sum() > 0  # forced exits and refusals
    assert grown.capacity == n
    for member in range(n):
        assert record_of(grown, member) == record_of(big, member)
    assert (grown.pool, grown.points, grown.price) == (big.pool, big.points, big.price)


def test_exact_integer_helpers():
    rnd = random.Random(5)
    for _ in range(3_000):
        a, b = rnd.randrange(2 ** rnd.randint(1, 62)), rnd.randrange(2 ** rnd.randint(1, 62))
        c = rnd.randrange(1, 2 ** rnd.randint(1, 62))
        if a * b // c < 2**62:
            assert int128.muldiv(a, b, c) == a * b // c
        q = rnd.randrange(2 ** rnd.randint(1, 50))  # exact multiples: estimates fall either side
        assert int128.muldiv(q, c, c) == q
        assert int128.muldiv(q, c, c + 1) == q * c // (c + 1)
        d = rnd.randrange(2 ** rnd.randint(1, 62))
        e = d if rnd.random() < 0.3 else rnd.randrange(2 ** rnd.randint(1, 62))
        assert int128.cmp_products(a, b, e, d) == (a * b > e * d) - (a * b < e * d)
        n1, d1 = rnd.randrange(2**40), rnd.randrange(1, 2**40)
        k = rnd.randrange(1, 2**20)
        assert int128.ratio_cmp(n1 * k, d1 * k, n1, d1) == 0
        assert int128.ratio_cmp(n1 * k + 1, d1 * k, n1, d1) == 1


def test_the_kernel_cache_notices_an_edit_to_the_code_it_compiles_in():
    """numba's cache tracks kernel.py alone (numba#1833): its digest of the modules it
    compiles in must be up to date, so that editing one of them is an edit to kernel.py."""
    digest = hashlib.sha256()
    for module in (int128, kernel_layout, trigger_heap):
        digest.update(Path(module.__file__).read_text(encoding="utf-8").encode())
    found = digest.hexdigest()
    assert found == kernel.DEPENDENCIES_SHA256, f"set kernel.DEPENDENCIES_SHA256 = {found!r}"


# -- the benchmark ------------------------------------------------------------------------------


def test_run_bench_reports_its_figures(capsys):
    result = run_bench(20_000, 1_000, seed=1)
    for key in (
        "orders",
        "members",
        "seconds",
        "orders_per_s",
        "forced_exits",
        "final_price",
        "peak_rss_bytes",
        "traced_peak_bytes",
        "bytes_per_member",
        "state_bytes_per_member",
    ):
        assert key in result
    assert result["orders"] == 20_000 and result["orders_per_s"] > 0
    assert result["state_bytes_per_member"] < 200
    assert main(5_000, 500) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    name, number = last.split()
    assert name == "orders_per_s" and float(number) > 0
