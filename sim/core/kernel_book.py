"""The Python face of the compiled kernel: :class:`KernelBook`, the compiled book (the
kernel's arrays and the numba process over them, :mod:`sim.core.kernel`), and
:class:`Events`, what one call applied.

A :class:`KernelBook` holds one set of :class:`~sim.core.mechanics.Mechanics` as integers,
the members' rows (:mod:`sim.core.kernel_layout`), the forced-exit heap
(:mod:`sim.core.trigger_heap`) and the totals; it checks its input, hands whole streams to
the kernel in one call and reads the state back as exact integers and fractions, each
field as a view over all members.

**The exact range**: every result equals the reference's while money and units minted,
times the mechanics' numerators and denominators, stay below 2**62 (:data:`LIMIT`). A call
that could leave that range raises :class:`OverflowError` before it changes anything (the
price never falls, so a call mints at most its money's worth at today's price). W1 (10
million orders of 1000 yuan) stays in range with up to 10 decimals; with 11 or 12 decimals
the points outgrow it after about 1.4 million or 50,000 such orders (the reference book has
no limit).
"""

from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple

import numpy as np

from sim.core import kernel
from sim.core.kernel_layout import (
    BUY,
    C_CASH,
    C_CASH_ENTRY,
    C_ENTRIES,
    C_FORCED_EXITS,
    C_SALES,
    C_UNPAID,
    COUNTERS,
    G_HOLDERS,
    G_LAST_AMOUNT,
    G_MINTED,
    G_MISSING,
    G_MONEY_IN,
    G_POINTS,
    G_POOL,
    G_PRICE_DEN,
    G_PRICE_NUM,
    G_UNPAID,
    H_GRANT_VALUE_ENTRY,
    H_HELD,
    H_OBTAINED,
    H_OBTAINED_ENTRY,
    H_POS,
    H_SPENT,
    H_SPENT_ENTRY,
    H_STATUS,
    N_COLD,
    N_EVENT,
    N_GLOBAL,
    N_HOT,
    N_NODE,
    N_PARAMS,
    P_CAP,
    P_COUNTS_CASH,
    P_EXIT_ON,
    P_GRANT_VALUE,
    P_MIN_SPEND,
    P_MINT_DEN,
    P_MINT_NUM,
    P_MULT_DEN,
    P_MULT_NUM,
    P_OBTAINED,
    P_PAY_DEN,
    P_PAY_NUM,
    P_POOL_INDEX,
    P_SHORT_DEN,
    P_SHORT_NUM,
    P_SPLIT_DEN,
    P_START_DEN,
    P_START_NUM,
    SELL,
    SELL_ALL,
)
from sim.core.mechanics import POOL, Mechanics
from sim.core.units import price_to_yuan
from sim.errors import BeyondRange

LIMIT = 2**62  # quantities times the mechanics' integers stay below this


def _beyond(what: str) -> BeyondRange:
    """The fast core's refusal, naming what the user can change: the reference core."""
    return BeyondRange(
        f"{what}; set run.core: reference (exact Python integers, any size)", key="run.core"
    )


class Events(NamedTuple):
    """The events applied, one row each, in the order they happened (the book's ``Applied``
    rows, plus refusals). ``source`` is the index of the input event that caused it;
    ``kind`` one of :mod:`sim.core.kernel_layout`'s EV_* (names in EVENT_NAMES); ``amount``
    fen for a buy, units for a sale or exit (as asked, for a refusal); ``points_delta`` and
    ``cash_delta`` the member's change; ``pool``, ``points`` and ``price_num / price_den``
    (fen per unit) the book after the event."""

    source: np.ndarray
    kind: np.ndarray
    member: np.ndarray
    amount: np.ndarray
    points_delta: np.ndarray
    cash_delta: np.ndarray
    pool: np.ndarray
    points: np.ndarray
    price_num: np.ndarray
    price_den: np.ndarray


def _aligned_rows(rows: int, cols: int, fill: int = 0) -> np.ndarray:
    """An int64 (rows, cols) array filled with ``fill``, starting on a 64-byte boundary."""
    raw = np.full(rows * cols + 8, fill, np.int64)
    skip = (-raw.ctypes.data % 64) // 8
    return raw[skip : skip + rows * cols].reshape(rows, cols)


class KernelBook:
    """The pool, the points and ``capacity`` members (numbered 0 .. capacity-1) under one
    set of :class:`~sim.core.mechanics.Mechanics`, applied by the compiled kernel
    (:mod:`sim.core.kernel`)."""

    def __init__(self, mechanics: Mechanics, capacity: int) -> None:
        if capacity <= 0:
            raise ValueError("capacity must be > 0")
        self.mechanics = mechanics
        self.capacity = capacity
        table = mechanics.split_table
        self._numer = np.array(table.numerators, np.int64)
        start = mechanics.start_price_per_unit
        multiple = mechanics.exit_multiple
        cap = mechanics.max_points_per_order
        values = {
            P_SPLIT_DEN: table.denominator,
            P_POOL_INDEX: table.names.index(POOL),
            P_MINT_NUM: mechanics.mint_ratio.numerator,
            P_MINT_DEN: mechanics.mint_ratio.denominator,
            P_PAY_NUM: mechanics.sell_payout.numerator,
            P_PAY_DEN: mechanics.sell_payout.denominator,
            P_EXIT_ON: multiple is not None,
            P_MULT_NUM: 0 if multiple is None else multiple.numerator,
            P_MULT_DEN: 1 if multiple is None else multiple.denominator,
            P_OBTAINED: mechanics.exit_points == "obtained",
            P_GRANT_VALUE: mechanics.exit_against == "grant_value",
            P_COUNTS_CASH: mechanics.exit_counts_cash,
            P_CAP: -1 if cap is None else cap,
            P_MIN_SPEND: mechanics.min_spend_to_sell,
            P_START_NUM: start.numerator,
            P_START_DEN: start.denominator,
            P_SHORT_NUM: 0,
            P_SHORT_DEN: 1,
        }
        prm = np.zeros(N_PARAMS, np.int64)
        for index, value in values.items():
            if abs(int(value)) >= LIMIT:
                raise _beyond("a mechanics parameter is too large for the fast core")
            prm[index] = int(value)
        self._prm = prm
        # the largest integer a quantity (fen, units) is multiplied by in 64 bits in the core
        self._factor = max(
            int(prm[i])
            for i in (P_MINT_NUM, P_MINT_DEN, P_PAY_NUM, P_PAY_DEN, P_MULT_NUM, P_MULT_DEN)
        )
        if int(prm[P_MINT_DEN]) * int(prm[P_START_NUM]) >= LIMIT:
            raise _beyond("the start price is too fine for the fast core")
        self._max_amount = (LIMIT - 1) // table.denominator
        self._hot = _aligned_rows(capacity, N_HOT)
        self._hot[:, H_POS] = -1
        self._cold = np.zeros((capacity, N_COLD), np.int64)
        self._heap = _aligned_rows(capacity + 2, N_NODE)
        self._g = np.zeros(N_GLOBAL, np.int64)
        self._g[G_PRICE_NUM] = start.numerator
        self._g[G_PRICE_DEN] = start.denominator
        self._g[G_LAST_AMOUNT] = -1
        self._no_events = _event_rows(0)

    # -- applying events ----------------------------------------------------------------

    def apply(self, members: np.ndarray, actions: np.ndarray, amounts: np.ndarray) -> Events:
        """Apply events in order: ``actions[i]`` — BUY of ``amounts[i]`` fen, SELL of
        ``amounts[i]`` units, SELL_ALL (amount ignored) — by member ``members[i]``. Events
        the book refuses change nothing and are reported as ``refused``. Returns the events
        applied, forced exits included."""
        members = np.ascontiguousarray(members, np.int64)
        actions = np.ascontiguousarray(actions, np.int8)
        amounts = np.ascontiguousarray(amounts, np.int64)
        if not len(members) == len(actions) == len(amounts):
            raise ValueError("members, actions and amounts must have the same length")
        self._check_members(members)
        if len(actions) and (actions.min() < BUY or actions.max() > SELL_ALL):
            raise ValueError("actions must be BUY (0), SELL (1) or SELL_ALL (2)")
        if len(amounts) and int(np.abs(amounts).max()) > self._max_amount:
            raise _beyond("an amount is too large for the fast core")
        buys = amounts[(actions == BUY) & (amounts > 0)]
        self._check_room(int(buys.sum(dtype=np.float64)), len(buys))
        state = (self._hot, self._cold, self._heap, self._g, self._prm, self._numer)
        size = len(members) + len(members) // 8 + 64
        chunks = []
        start, pending = 0, False
        while True:
            buffer = _event_rows(size)
            start, n, pending = kernel.apply_events(
                members, actions, amounts, start, pending, *state, buffer, True
            )
            chunks.append(buffer[:n])
            if start >= len(members) and not pending:
                break
            size *= 2
        self._check_range()
        return _events(chunks)

    def buy_many(self, members: np.ndarray, amount: int) -> None:
        """Orders of ``amount`` fen by ``members`` in turn, forced exits included, recording
        no events (the fast path of workload W1)."""
        members = np.ascontiguousarray(members, np.int64)
        self._check_members(members)
        if abs(amount) > self._max_amount:
            raise _beyond("an amount is too large for the fast core")
        self._check_room(max(int(amount), 0) * len(members), len(members))
        kernel.buy_many(
            members,
            int(amount),
            self._hot,
            self._cold,
            self._heap,
            self._g,
            self._prm,
            self._numer,
            self._no_events,
        )
        self._check_range()

    def grow(self, capacity: int) -> None:
        """Room for members numbered up to ``capacity - 1``: the state is copied into larger
        arrays, unchanged (members keep their numbers and heap nodes their positions, so
        exits still come in the same order); new members start as never having bought."""
        old = self.capacity
        if capacity <= old:
            return
        # one array at a time, each old one let go before the next is made: the peak while
        # growing is the state plus one new array, not plus all three
        hot = _aligned_rows(capacity, N_HOT)
        hot[:old] = self._hot
        hot[old:, H_POS] = -1
        self._hot = hot
        cold = np.zeros((capacity, self._cold.shape[1]), np.int64)
        cold[:old] = self._cold
        self._cold = cold
        heap = _aligned_rows(capacity + 2, N_NODE)
        heap[: old + 2] = self._heap
        self._heap = heap
        self.capacity = capacity

    # -- the stress levers ----------------------------------------------------------------

    def set_custody_shortfall(self, share: Fraction) -> None:
        """From now on, ``share`` of every pool inflow is skimmed (posted, never held); the
        members' unpaid payouts get their column. Set before the first event."""
        share = Fraction(share)
        if not 0 <= share < 1:
            raise ValueError(f"a custody shortfall is a share in [0, 1), got {share}")
        if max(share.numerator, share.denominator) >= LIMIT:
            raise _beyond("the custody shortfall is too fine for the fast core")
        self._prm[P_SHORT_NUM] = share.numerator
        self._prm[P_SHORT_DEN] = share.denominator
        if share and self._cold.shape[1] == N_COLD:
            cold = np.zeros((self.capacity, N_COLD + 1), np.int64)
            cold[:, :N_COLD] = self._cold
            self._cold = cold

    def subsidize(self, amount: int) -> Events:
        """``amount`` fen paid straight into the pool (no points minted: the price jumps);
        returns the forced exits it sets off."""
        if amount < 0 or (self.pool + amount) * self._factor >= LIMIT:
            raise _beyond("a subsidy would take the pool past what the fast core computes")
        kernel.add_to_pool(int(amount), self._g, self._prm)
        return _events(self._forced_exits(-1))

    def divert(self, amount: int) -> int:
        """The operator takes up to ``amount`` fen of the pool's cash; returns the fen taken."""
        return int(kernel.take_from_pool(max(int(amount), 0), self._g))

    def grant(self, member: int, value: int, as_order: bool) -> Events:
        """Points minted to ``member`` for a claim of ``value`` fen (see
        :func:`sim.core.kernel.grant`): the grant event, then the forced exits it sets off."""
        if not 0 <= member < self.capacity:
            raise ValueError(f"members must be numbered 0..{self.capacity - 1}")
        g, prm = self._g, self._prm
        num, den = self._mint_price()
        # the units the kernel mints (sim.core.kernel.grant; before any cap), in Python ints
        minted = value * den // num
        if as_order:
            pool_part = self.mechanics.parts(value)[POOL]
            minted = pool_part * int(prm[P_MINT_NUM]) * den // (int(prm[P_MINT_DEN]) * num)
        if value < 0 or max(value, int(g[G_MINTED]) + minted) * self._factor >= LIMIT:
            raise _beyond("a grant would take the points past what the fast core computes")
        first = _event_rows(1)
        state = (self._hot, self._cold, self._heap, g, prm, self._numer)
        kernel.grant(int(member), int(value), bool(as_order), *state, first)
        events = _events([first, *self._forced_exits(-1)])
        self._check_range()
        return events

    def _forced_exits(self, source: int) -> list[np.ndarray]:
        """The forced exits due now, as event rows (the buffer grows until all fit)."""
        state = (self._hot, self._cold, self._heap, self._g, self._prm)
        chunks, size = [], 64
        while True:
            buffer = _event_rows(size)
            n, done = kernel.force_exits(source, *state, buffer)
            chunks.append(buffer[:n])
            if done:
                return chunks
            size *= 2

    def _mint_price(self) -> tuple[int, int]:
        """:func:`sim.core.kernel.mint_price`, as Python integers."""
        num, den = kernel.mint_price(self._g, self._prm)
        return int(num), int(den)

    def _check_members(self, members: np.ndarray) -> None:
        if len(members) and (members.min() < 0 or members.max() >= self.capacity):
            raise ValueError(f"members must be numbered 0..{self.capacity - 1}")

    def _check_room(self, new_money: int, new_orders: int) -> None:
        """Refuse a call that could leave the exact range. The price never falls under these
        rules, so the call mints at most ``new_money`` worth of points at today's price."""
        g, prm = self._g, self._prm
        num, den = self._mint_price()
        pool_share = int(self._numer[prm[P_POOL_INDEX]]), int(prm[P_SPLIT_DEN])
        # the pool's part, rounded up; then its mint ratio's worth at today's price
        new_pool = -(-new_money * pool_share[0] // pool_share[1]) + new_orders
        worth = new_pool * int(prm[P_MINT_NUM]) * den // (int(prm[P_MINT_DEN]) * num)
        most_minted = int(g[G_MINTED]) + worth + 1
        most_money = int(g[G_MONEY_IN]) + new_money
        if max(most_minted, most_money) * self._factor >= LIMIT:
            raise _beyond("the money or points would exceed what the fast core computes")

    def _check_range(self) -> None:
        g = self._g
        biggest = max(int(g[G_POOL]), int(g[G_POINTS]), int(g[G_MONEY_IN]), int(g[G_MINTED]))
        if biggest * self._factor >= LIMIT:
            raise _beyond("pool or points have grown past what the fast core computes")

    # -- state ----------------------------------------------------------------------------

    @property
    def pool(self) -> int:
        """The posted pool, fen: the price's numerator."""
        return int(self._g[G_POOL])

    @property
    def pool_cash(self) -> int:
        """The cash really in the pool, fen: the posted pool less what a custody shortfall
        skimmed, plus the payouts booked but not paid."""
        return int(kernel.pool_cash(self._g))

    @property
    def custody_shortfall(self) -> Fraction:
        """The share of every pool inflow skimmed (:meth:`set_custody_shortfall`; 0: none)."""
        return Fraction(int(self._prm[P_SHORT_NUM]), int(self._prm[P_SHORT_DEN]))

    @property
    def missing(self) -> int:
        """Fen a custody shortfall skimmed from the pool's inflow."""
        return int(self._g[G_MISSING])

    @property
    def unpaid(self) -> int:
        """Fen of payouts booked but not paid (the pool's cash ran out)."""
        return int(self._g[G_UNPAID])

    @property
    def points(self) -> int:
        """Points in circulation, units."""
        return int(self._g[G_POINTS])

    @property
    def price(self) -> Fraction:
        """The price, fen per unit, exact (the last price while no points circulate)."""
        return Fraction(int(self._g[G_PRICE_NUM]), int(self._g[G_PRICE_DEN]))

    @property
    def price_yuan(self) -> float:
        """The price in yuan per point."""
        return price_to_yuan(self.price, self.mechanics.unit)

    @property
    def holders(self) -> int:
        """Members holding points."""
        return int(self._g[G_HOLDERS])

    def counters(self) -> dict[str, int]:
        """Totals since the start: events by kind, money in (fen), pool inflow (fen), units
        minted, sold and forced out, fen paid for sales and for forced exits, and how many
        times a heap node was re-keyed on reaching the top."""
        return {name: int(self._g[index]) for name, index in COUNTERS}

    @property
    def held(self) -> np.ndarray:
        return self._hot[:, H_HELD]

    @property
    def spent(self) -> np.ndarray:
        return self._hot[:, H_SPENT]

    @property
    def spent_entry(self) -> np.ndarray:
        return self._hot[:, H_SPENT_ENTRY]

    @property
    def obtained(self) -> np.ndarray:
        return self._hot[:, H_OBTAINED]

    @property
    def obtained_entry(self) -> np.ndarray:
        return self._hot[:, H_OBTAINED_ENTRY]

    @property
    def grant_value_entry(self) -> np.ndarray:
        """Tracked under the ``grant_value`` exit basis only (0 otherwise)."""
        return self._hot[:, H_GRANT_VALUE_ENTRY]

    @property
    def status(self) -> np.ndarray:
        """NONE (never bought), ACTIVE, SOLD_OUT or EXITED; names in STATUS_NAMES."""
        return self._hot[:, H_STATUS]

    @property
    def unpaid_of(self) -> np.ndarray:
        """Fen of each member's payouts booked but not paid (zeros without a shortfall)."""
        if self._cold.shape[1] > C_UNPAID:
            return self._cold[:, C_UNPAID]
        return np.zeros(self.capacity, np.int64)

    @property
    def cash(self) -> np.ndarray:
        """Fen paid to each member for their sales and forced exits."""
        return self._cold[:, C_CASH]

    @property
    def cash_entry(self) -> np.ndarray:
        return self._cold[:, C_CASH_ENTRY]

    @property
    def entries(self) -> np.ndarray:
        return self._cold[:, C_ENTRIES]

    @property
    def sales(self) -> np.ndarray:
        return self._cold[:, C_SALES]

    @property
    def forced_exits(self) -> np.ndarray:
        return self._cold[:, C_FORCED_EXITS]

    @property
    def nbytes(self) -> int:
        """Bytes of state: O(members), independent of the number of events applied."""
        arrays = (self._hot, self._cold, self._heap, self._g, self._prm, self._numer)
        return sum(a.nbytes for a in arrays)


def _event_rows(size: int) -> np.ndarray:
    """Room for ``size`` event rows, column by column (Fortran order): each column of the
    rows the kernel writes is already a contiguous array, so :func:`_events` hands them out
    without a copy (a day of a million sales at 9 million members: 80 MB less at the peak)."""
    return np.empty((N_EVENT, size), np.int64).T


def _events(chunks: list[np.ndarray]) -> Events:
    """Event rows, in order, as :class:`Events` columns."""
    chunks = [rows for rows in chunks if len(rows)] or chunks[:1]
    if len(chunks) == 1:
        return Events(*(chunks[0][:, c] for c in range(N_EVENT)))
    return Events(*(np.concatenate([rows[:, c] for rows in chunks]) for c in range(N_EVENT)))


def warm_up() -> None:
    """Compile the kernel's entry points (or load them from numba's cache) on a tiny book."""
    book = KernelBook(Mechanics(exit_multiple=Fraction(3)), 4)
    book.buy_many(np.array([0, 1, 2, 3], np.int64), 100_000)
    book.apply(
        np.array([0, 1, 2], np.int64),
        np.array([BUY, SELL, SELL_ALL], np.int8),
        np.array([100_000, 1, 0], np.int64),
    )
