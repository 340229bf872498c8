"""The fast core: the per-order pool process compiled with numba over flat arrays.

:class:`FastBook` applies a stream of events — buys, sales of ``n`` units, sales of all
units — to members numbered ``0 .. capacity - 1`` and does what :class:`sim.core.book.Book` does,
event for event: split the order (:func:`sim.core.rules.split_order`: largest remainder for the
pool line), mint at the price before the order (rounded down, capped by
``max_points_per_order``), sell at the current price paying ``sell_payout`` (rounded down),
refuse what the book refuses, re-enter a member on their first order after a forced exit
(the since-entry counts restart), keep the last price while no points circulate, and after
every event force members out — lowest trigger price first, ties by member number, each
exit selling everything at the current price and raising it — until nobody crosses.

**Supported**: all of :class:`~sim.core.mechanics.Mechanics` — any split with a pool line, mint
and payout ratios, start price, decimals, ``max_points_per_order``, ``min_spend_to_sell``,
and the forced exit at ``exit_multiple`` (or none) on every basis the book has: points
``held`` or ``obtained`` since entry, against ``spend`` since entry or ``grant_value``,
with or without realised cash counted. Orders of any amount, sales of ``n`` units or all.
Refused events (an order of 0 or less; a sale of nothing, of more than held, by a member
who never bought, or before ``min_spend_to_sell``) change nothing and are reported as
``refused`` events where the book raises :class:`sim.core.book.Refused`.

**Not supported yet** (use :class:`sim.core.book.Book`): the stress levers (subsidies into the
pool, the operator's diversion, a custody shortfall and the unpaid payouts it causes,
legacy points granted without money), referral bonuses and withdrawals (members' bonus and
withdrawn balances), the double-entry ledger (the core keeps totals: money in, pool inflow,
units minted, fen paid), and member keys other than the numbers ``0 .. capacity - 1`` (ties
between members are broken by that number, as the book breaks them for integer ids).
``grant_value_entry`` is tracked only under the ``grant_value`` basis (0 otherwise).

**Exact arithmetic**, as in the reference: money in integer fen, points in integer units,
the price as the pair (pool, points) — or the last such pair, or the start price, while no
points circulate. ``floor(a*b/c)`` is computed exactly (a float estimate corrected with the
remainder taken modulo 2**64, or a 128-bit long division when the quotient is large) and
``a*b`` is compared with ``c*d`` in 128 bits whenever float products are within a few ulps.
So every result equals the reference's exactly (the 1e-9 contract holds with room to
spare) while money and units minted, times the mechanics' numerators and denominators, stay
below 2**62. A call that could leave that range raises :class:`OverflowError` before it
changes anything (the price never falls, so a call mints at most its money's worth at
today's price). W1 (10 million orders of 1000 yuan) stays in range with up to 10 decimals;
with 11 or 12 decimals the points outgrow it after about 1.4 million or 50,000 such orders
(the reference book has no limit).

**Forced exits without scanning holders**: an indexed binary min-heap over members. A heap
node holds a trigger price as an exact fraction (numerator, denominator) and the member;
each member's row holds their node's position (-1: none), so a node is found and moved
(sift up/down) in O(log members). A node's key is kept at or below the member's true
trigger: when a trigger falls (a new member, a member re-filed after a sale that counts
cash, ...) the node moves up at once; when it rises — the common case, every order by a
holder — the node is left where it is and corrected only if it reaches the top of the heap
at or below the price (it is then re-keyed and sifted down, or dropped if the member no
longer has a trigger). The top node is thus exact whenever it is acted on, so exits happen
in the reference's order, and an order costs no heap work unless a trigger fell. Memory
is O(members), never O(orders).

**Layout**: ``hot`` is an int64 (capacity, 8) array, one 64-byte row per member with the
fields an order touches (held, spend since entry, spend, obtained, obtained since entry,
grant value since entry, status, heap position); ``cold`` an int64 (capacity, 5) array
(cash, cash since entry, entries, sales, forced exits); the heap 32 bytes per member:
136 bytes per member in all (:attr:`FastBook.nbytes`). The fields are exposed as per-field
views (:attr:`FastBook.held`, ...). The main loops prefetch the rows of members a few
orders ahead.
"""

from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple

import numpy as np
from llvmlite import ir
from numba import njit
from numba.core import cgutils, types
from numba.extending import intrinsic

from sim.core.mechanics import POOL, Mechanics

# -- actions (input) and event kinds (output) ----------------------------------------------

BUY, SELL, SELL_ALL = 0, 1, 2
EV_BUY, EV_SELL, EV_FORCED_EXIT, EV_REFUSED = 0, 1, 2, 3
EVENT_NAMES = ("buy", "sell", "forced_exit", "refused")

# member status; NONE = never bought (the book has no record of the member)
NONE, ACTIVE, SOLD_OUT, EXITED = 0, 1, 2, 3
STATUS_NAMES = ("none", "active", "sold_out", "exited")

# hot member fields: one 64-byte row per member
H_HELD, H_SPENT_ENTRY, H_SPENT, H_OBTAINED, H_OBTAINED_ENTRY, H_GRANT_VALUE_ENTRY = range(6)
H_STATUS, H_POS = 6, 7
N_HOT = 8
# cold member fields
C_CASH, C_CASH_ENTRY, C_ENTRIES, C_SALES, C_FORCED_EXITS = range(5)
N_COLD = 5
# heap node columns (node p lives in row p + 1, so a node's two children share a cache line)
N_NUM, N_DEN, N_MEMBER = 0, 1, 2
N_NODE = 4

# parameters
(
    P_SPLIT_DEN,
    P_POOL_INDEX,
    P_MINT_NUM,
    P_MINT_DEN,
    P_PAY_NUM,
    P_PAY_DEN,
    P_EXIT_ON,
    P_MULT_NUM,
    P_MULT_DEN,
    P_OBTAINED,
    P_GRANT_VALUE,
    P_COUNTS_CASH,
    P_CAP,
    P_MIN_SPEND,
    P_START_NUM,
    P_START_DEN,
) = range(16)
N_PARAMS = 16

# global state and counters
(
    G_POOL,
    G_POINTS,
    G_PRICE_NUM,
    G_PRICE_DEN,
    G_HEAP,
    G_HOLDERS,
    G_LAST_AMOUNT,
    G_LAST_POOL_PART,
    G_BUYS,
    G_SELLS,
    G_EXITS,
    G_REFUSED,
    G_MONEY_IN,
    G_POOL_IN,
    G_MINTED,
    G_PAID_SALES,
    G_PAID_EXITS,
    G_UNITS_SOLD,
    G_UNITS_EXITED,
    G_REKEYED,
) = range(20)
N_GLOBAL = 20
COUNTERS = (
    ("buys", G_BUYS),
    ("sales", G_SELLS),
    ("forced_exits", G_EXITS),
    ("refused", G_REFUSED),
    ("money_in", G_MONEY_IN),
    ("pool_in", G_POOL_IN),
    ("minted", G_MINTED),
    ("paid_sales", G_PAID_SALES),
    ("paid_exits", G_PAID_EXITS),
    ("units_sold", G_UNITS_SOLD),
    ("units_exited", G_UNITS_EXITED),
    ("heap_rekeyed", G_REKEYED),
)

# event record columns
(
    E_SOURCE,
    E_KIND,
    E_MEMBER,
    E_AMOUNT,
    E_POINTS_DELTA,
    E_CASH_DELTA,
    E_POOL,
    E_POINTS,
    E_PRICE_NUM,
    E_PRICE_DEN,
) = range(10)
N_EVENT = 10

LIMIT = 2**62  # quantities times the mechanics' integers stay below this
TOLERANCE = 1e-15  # float products closer than this (relative) are compared exactly
PREFETCH = 16  # orders ahead whose member rows are prefetched

# -- exact integer helpers -----------------------------------------------------------------

_LOW = np.uint64(0xFFFFFFFF)
_SHIFT = np.uint64(32)
_ONE = np.uint64(1)
_BIG = 2.0**50
_BIG_DIVISOR = 2**60


@intrinsic
def _prefetch_row(typingctx, array, row):
    """Hint the CPU to fetch row ``row`` of a 2-d array into the cache (no effect on data)."""

    def codegen(context, builder, signature, args):
        array_type = signature.args[0]
        view = context.make_array(array_type)(context, builder, args[0])
        zero = context.get_constant(types.intp, 0)
        pointer = cgutils.get_item_pointer(context, builder, array_type, view, [args[1], zero])
        byte_pointer = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        prefetch = cgutils.get_or_insert_function(
            builder.module,
            ir.FunctionType(ir.VoidType(), [byte_pointer, i32, i32, i32]),
            "llvm.prefetch.p0",
        )
        builder.call(prefetch, [builder.bitcast(pointer, byte_pointer), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return types.void(array, types.intp), codegen


@njit(cache=True, _nrt=False)
def _mul128(a, b):
    """The 128-bit product of two non-negative int64 as (high, low) uint64 words."""
    ua = np.uint64(a)
    ub = np.uint64(b)
    a0 = ua & _LOW
    a1 = ua >> _SHIFT
    b0 = ub & _LOW
    b1 = ub >> _SHIFT
    p00 = a0 * b0
    p01 = a0 * b1
    p10 = a1 * b0
    mid = (p00 >> _SHIFT) + (p01 & _LOW) + (p10 & _LOW)
    low = (p00 & _LOW) | (mid << _SHIFT)
    high = a1 * b1 + (p01 >> _SHIFT) + (p10 >> _SHIFT) + (mid >> _SHIFT)
    return high, low


@njit(cache=True, _nrt=False)
def _cmp_products(a, b, c, d):
    """-1, 0 or 1 as a*b is below, equal to or above c*d (all non-negative int64)."""
    h1, l1 = _mul128(a, b)
    h2, l2 = _mul128(c, d)
    if h1 != h2:
        return -1 if h1 < h2 else 1
    if l1 != l2:
        return -1 if l1 < l2 else 1
    return 0


@njit(cache=True, _nrt=False)
def _muldiv_long(a, b, c):
    """floor(a*b/c) by 128-bit long division (a, b >= 0; 0 < c < 2**63; result < 2**63)."""
    high, low = _mul128(a, b)
    uc = np.uint64(c)
    remainder = high
    quotient = np.uint64(0)
    for bit in range(63, -1, -1):
        remainder = (remainder << _ONE) | ((low >> np.uint64(bit)) & _ONE)
        quotient = quotient << _ONE
        if remainder >= uc:
            remainder -= uc
            quotient |= _ONE
    return np.int64(quotient)


@njit(cache=True, _nrt=False)
def _muldiv(a, b, c):
    """floor(a*b/c), exactly, for a, b >= 0, 0 < c < 2**62 and a result below 2**63: a float
    estimate corrected with the remainder computed modulo 2**64 (exact while the estimate is
    off by a few and c is below 2**60), else a long division."""
    estimate = np.float64(a) * np.float64(b) / np.float64(c)
    if estimate >= _BIG or c >= _BIG_DIVISOR:
        return _muldiv_long(a, b, c)
    q = np.int64(estimate)
    r = np.int64(np.uint64(a) * np.uint64(b) - np.uint64(q) * np.uint64(c))
    while r < 0:
        q -= 1
        r += c
    while r >= c:
        q += 1
        r -= c
    return q


@njit(cache=True, _nrt=False)
def _ratio_cmp(n1, d1, n2, d2):
    """-1, 0 or 1 as n1/d1 is below, equal to or above n2/d2 (n >= 0, d > 0): float cross
    products, exact 128-bit ones when those are within a few ulps."""
    f1 = np.float64(n1) * np.float64(d2)
    f2 = np.float64(n2) * np.float64(d1)
    tol = TOLERANCE * max(f1, f2)
    if f1 < f2 - tol:
        return -1
    if f1 > f2 + tol:
        return 1
    return _cmp_products(n1, d2, n2, d1)


# -- the forced-exit test and the heap -------------------------------------------------------


@njit(cache=True, _nrt=False)
def _trigger(m, hot, cold, prm):
    """A member's trigger price (numerator, denominator) like book._track_cap and
    rules.exit_trigger: (0, 1) when reached at any price; denominator 0 when not filed."""
    held = hot[m, H_HELD]
    if prm[P_EXIT_ON] == 0 or held == 0 or hot[m, H_STATUS] == EXITED:
        return 0, 0
    measure = hot[m, H_OBTAINED_ENTRY] if prm[P_OBTAINED] else held
    if measure <= 0:
        return 0, 0
    reference = hot[m, H_GRANT_VALUE_ENTRY] if prm[P_GRANT_VALUE] else hot[m, H_SPENT_ENTRY]
    target = prm[P_MULT_NUM] * reference
    if prm[P_COUNTS_CASH]:
        target -= prm[P_MULT_DEN] * cold[m, C_CASH_ENTRY]
    if target <= 0:
        return 0, 1
    return target, prm[P_MULT_DEN] * measure


@njit(cache=True, _nrt=False)
def _before(n1, d1, m1, n2, d2, m2):
    """Heap order: trigger price, then member number."""
    c = _ratio_cmp(n1, d1, n2, d2)
    if c != 0:
        return c < 0
    return m1 < m2


@njit(cache=True, _nrt=False)
def _place(heap, hot, p, num, den, m):
    r = p + 1
    heap[r, N_NUM] = num
    heap[r, N_DEN] = den
    heap[r, N_MEMBER] = m
    hot[m, H_POS] = p


@njit(cache=True, _nrt=False)
def _sift_up(heap, hot, p, num, den, m):
    """Put node (num, den, m) at position ``p`` or above it."""
    while p > 0:
        parent = (p - 1) >> 1
        r = parent + 1
        if not _before(num, den, m, heap[r, N_NUM], heap[r, N_DEN], heap[r, N_MEMBER]):
            break
        _place(heap, hot, p, heap[r, N_NUM], heap[r, N_DEN], heap[r, N_MEMBER])
        p = parent
    _place(heap, hot, p, num, den, m)


@njit(cache=True, _nrt=False)
def _sift_down(heap, hot, size, p, num, den, m):
    """Put node (num, den, m) at position ``p`` or below it, in a heap of ``size`` nodes."""
    while True:
        child = 2 * p + 1
        if child >= size:
            break
        r = child + 1
        if child + 1 < size and _before(
            heap[r + 1, N_NUM],
            heap[r + 1, N_DEN],
            heap[r + 1, N_MEMBER],
            heap[r, N_NUM],
            heap[r, N_DEN],
            heap[r, N_MEMBER],
        ):
            child += 1
            r += 1
        if not _before(heap[r, N_NUM], heap[r, N_DEN], heap[r, N_MEMBER], num, den, m):
            break
        _place(heap, hot, p, heap[r, N_NUM], heap[r, N_DEN], heap[r, N_MEMBER])
        p = child
    _place(heap, hot, p, num, den, m)


@njit(cache=True, _nrt=False)
def _pop_top(heap, hot, g):
    hot[heap[1, N_MEMBER], H_POS] = -1
    size = g[G_HEAP] - 1
    g[G_HEAP] = size
    if size > 0:
        r = size + 1
        _sift_down(heap, hot, size, 0, heap[r, N_NUM], heap[r, N_DEN], heap[r, N_MEMBER])


@njit(cache=True, _nrt=False)
def _refile(m, old_num, old_den, hot, cold, heap, g, prm):
    """After member ``m``'s record changed (their trigger was old_num/old_den; old_den 0:
    none): make sure a node at or below their new trigger is on the heap. A rising trigger
    leaves the node as it is (see the module docstring)."""
    num, den = _trigger(m, hot, cold, prm)
    if den == 0:
        return  # a node left behind is dropped when it reaches the top
    p = hot[m, H_POS]
    if p < 0:
        size = g[G_HEAP]
        g[G_HEAP] = size + 1
        _sift_up(heap, hot, size, num, den, m)
        return
    if old_den != 0 and _ratio_cmp(num, den, old_num, old_den) >= 0:
        return  # did not fall: the node is still at or below it
    r = p + 1
    if _ratio_cmp(num, den, heap[r, N_NUM], heap[r, N_DEN]) >= 0:
        return
    _sift_up(heap, hot, p, num, den, m)


# -- events ---------------------------------------------------------------------------------


@njit(cache=True, _nrt=False)
def _emit(ev, n, source, kind, m, amount, dpoints, dcash, g):
    """Write event row ``n`` (the caller has checked there is room)."""
    ev[n, E_SOURCE] = source
    ev[n, E_KIND] = kind
    ev[n, E_MEMBER] = m
    ev[n, E_AMOUNT] = amount
    ev[n, E_POINTS_DELTA] = dpoints
    ev[n, E_CASH_DELTA] = dcash
    ev[n, E_POOL] = g[G_POOL]
    ev[n, E_POINTS] = g[G_POINTS]
    ev[n, E_PRICE_NUM] = g[G_PRICE_NUM]
    ev[n, E_PRICE_DEN] = g[G_PRICE_DEN]


@njit(cache=True, _nrt=False)
def _reprice(g):
    """rules.price: pool / points, or the last price while no points circulate."""
    if g[G_POINTS] > 0:
        g[G_PRICE_NUM] = g[G_POOL]
        g[G_PRICE_DEN] = g[G_POINTS]


@njit(cache=True, _nrt=False)
def _pool_part(amount, numer, prm):
    """The pool line of rules.split_order(amount): its share rounded down, plus one fen if
    it is among the ``leftover`` lines with the largest remainders (earlier lines on ties)."""
    den = prm[P_SPLIT_DEN]
    pool_index = prm[P_POOL_INDEX]
    total = 0
    for i in range(numer.shape[0]):
        total += numer[i] * amount // den
    leftover = amount - total
    part = numer[pool_index] * amount // den
    if leftover > 0:
        rem = numer[pool_index] * amount % den
        rank = 0
        for i in range(numer.shape[0]):
            ri = numer[i] * amount % den
            if ri > rem or (ri == rem and i < pool_index):
                rank += 1
        if rank < leftover:
            part += 1
    return part


@njit(cache=True, _nrt=False)
def _pay(m, units, hot, cold, g, prm):
    """book._sell: pay ``sell_payout`` of ``units`` at the current price, rounded down."""
    due = _muldiv(prm[P_PAY_NUM] * units, g[G_PRICE_NUM], prm[P_PAY_DEN] * g[G_PRICE_DEN])
    cash = min(due, g[G_POOL])
    g[G_POOL] -= cash
    g[G_POINTS] -= units
    held = hot[m, H_HELD] - units
    hot[m, H_HELD] = held
    if held == 0 and units > 0:
        g[G_HOLDERS] -= 1
    cold[m, C_CASH] += cash
    cold[m, C_CASH_ENTRY] += cash
    _reprice(g)
    return cash


@njit(cache=True, _nrt=False)
def _force_exits(source, hot, cold, heap, g, prm, ev, n, record):
    """book._force_exits: while the lowest trigger is at or below the price, that member
    sells everything at the current price and is out. Returns (events written, done): not
    done when the event buffer filled up first (calling again goes on exactly)."""
    while g[G_HEAP] > 0:
        num = heap[1, N_NUM]
        den = heap[1, N_DEN]
        if _ratio_cmp(num, den, g[G_PRICE_NUM], g[G_PRICE_DEN]) > 0:
            break
        m = heap[1, N_MEMBER]
        true_num, true_den = _trigger(m, hot, cold, prm)
        if true_den == 0:  # no longer filed: drop the node
            _pop_top(heap, hot, g)
            continue
        if _ratio_cmp(true_num, true_den, num, den) > 0:  # rose since filed: re-key
            g[G_REKEYED] += 1
            _sift_down(heap, hot, g[G_HEAP], 0, true_num, true_den, m)
            continue
        if record and n >= ev.shape[0]:
            return n, False
        _pop_top(heap, hot, g)
        units = hot[m, H_HELD]
        cash = _pay(m, units, hot, cold, g, prm)
        cold[m, C_FORCED_EXITS] += 1
        hot[m, H_STATUS] = EXITED
        g[G_EXITS] += 1
        g[G_PAID_EXITS] += cash
        g[G_UNITS_EXITED] += units
        if record:
            _emit(ev, n, source, EV_FORCED_EXIT, m, units, -units, cash, g)
            n += 1
    return n, True


@njit(cache=True, _nrt=False)
def _buy(source, m, amount, hot, cold, heap, g, prm, numer, ev, n, record):
    """book.buy without its forced exits. Returns the events written."""
    if amount <= 0:
        g[G_REFUSED] += 1
        if record:
            _emit(ev, n, source, EV_REFUSED, m, amount, 0, 0, g)
            n += 1
        return n
    if amount == g[G_LAST_AMOUNT]:
        c = g[G_LAST_POOL_PART]
    else:
        c = _pool_part(amount, numer, prm)
        g[G_LAST_AMOUNT] = amount
        g[G_LAST_POOL_PART] = c
    # the mint price: the current price, or the start price if the pool is empty
    pnum = g[G_PRICE_NUM]
    pden = g[G_PRICE_DEN]
    if pnum <= 0:
        pnum = prm[P_START_NUM]
        pden = prm[P_START_DEN]
    granted = _muldiv(prm[P_MINT_NUM] * c, pden, prm[P_MINT_DEN] * pnum)
    cap = prm[P_CAP]
    if cap >= 0 and granted > cap:
        granted = cap
    g[G_POOL] += c
    g[G_POINTS] += granted
    _reprice(g)
    old_num, old_den = _trigger(m, hot, cold, prm)
    status = hot[m, H_STATUS]
    if status in (NONE, EXITED):  # (re-)entry: the since-entry counts restart
        cold[m, C_ENTRIES] += 1
        hot[m, H_SPENT_ENTRY] = 0
        hot[m, H_OBTAINED_ENTRY] = 0
        hot[m, H_GRANT_VALUE_ENTRY] = 0
        cold[m, C_CASH_ENTRY] = 0
    hot[m, H_STATUS] = ACTIVE
    hot[m, H_SPENT] += amount
    hot[m, H_SPENT_ENTRY] += amount
    held = hot[m, H_HELD]
    if held == 0 and granted > 0:
        g[G_HOLDERS] += 1
    hot[m, H_HELD] = held + granted
    hot[m, H_OBTAINED] += granted
    hot[m, H_OBTAINED_ENTRY] += granted
    if prm[P_GRANT_VALUE]:
        hot[m, H_GRANT_VALUE_ENTRY] += _muldiv(granted, pnum, pden)
    g[G_BUYS] += 1
    g[G_MONEY_IN] += amount
    g[G_POOL_IN] += c
    g[G_MINTED] += granted
    if prm[P_EXIT_ON]:
        _refile(m, old_num, old_den, hot, cold, heap, g, prm)
    if record:
        _emit(ev, n, source, EV_BUY, m, amount, granted, 0, g)
        n += 1
    return n


@njit(cache=True, _nrt=False)
def _sell(source, m, units, hot, cold, heap, g, prm, ev, n, record):
    """book.sell without its forced exits: ``units`` (< 0: all held), refused like the book
    refuses. Returns the events written."""
    held = hot[m, H_HELD]
    if units < 0:
        units = held
    if hot[m, H_STATUS] == NONE or units <= 0 or units > held or hot[m, H_SPENT] < prm[P_MIN_SPEND]:
        g[G_REFUSED] += 1
        if record:
            _emit(ev, n, source, EV_REFUSED, m, units, 0, 0, g)
            n += 1
        return n
    old_num, old_den = _trigger(m, hot, cold, prm)
    cash = _pay(m, units, hot, cold, g, prm)
    cold[m, C_SALES] += 1
    hot[m, H_STATUS] = ACTIVE if hot[m, H_HELD] > 0 else SOLD_OUT
    g[G_SELLS] += 1
    g[G_PAID_SALES] += cash
    g[G_UNITS_SOLD] += units
    if prm[P_EXIT_ON]:
        _refile(m, old_num, old_den, hot, cold, heap, g, prm)
    if record:
        _emit(ev, n, source, EV_SELL, m, units, -units, cash, g)
        n += 1
    return n


@njit(cache=True, _nrt=False)
def _apply(members, actions, amounts, start, resume, hot, cold, heap, g, prm, numer, ev, record):
    """Apply input events from ``start`` on, writing events into ``ev`` when ``record``.
    Returns (next input, events written, pending). Stops early when ``ev`` is full;
    ``pending`` then says the forced exits of input ``next - 1`` are not all done, and the
    next call (with ``resume``) finishes them first, exactly as if it had not stopped."""
    n = 0
    i = start
    total = members.shape[0]
    if resume:
        n, done = _force_exits(i - 1, hot, cold, heap, g, prm, ev, n, record)
        if not done:
            return i, n, True
    while i < total:
        if record and n >= ev.shape[0]:
            return i, n, False
        if i + PREFETCH < total:
            _prefetch_row(hot, members[i + PREFETCH])
        m = members[i]
        if actions[i] == BUY:
            n = _buy(i, m, amounts[i], hot, cold, heap, g, prm, numer, ev, n, record)
        else:
            units = -1 if actions[i] == SELL_ALL else amounts[i]
            n = _sell(i, m, units, hot, cold, heap, g, prm, ev, n, record)
        n, done = _force_exits(i, hot, cold, heap, g, prm, ev, n, record)
        i += 1
        if not done:
            return i, n, True
    return i, n, False


@njit(cache=True, _nrt=False)
def _buy_many(members, amount, hot, cold, heap, g, prm, numer, ev):
    """Orders of ``amount`` fen by ``members`` in turn, recording nothing."""
    total = members.shape[0]
    for i in range(total):
        if i + PREFETCH < total:
            _prefetch_row(hot, members[i + PREFETCH])
        _buy(i, members[i], amount, hot, cold, heap, g, prm, numer, ev, 0, False)
        _force_exits(i, hot, cold, heap, g, prm, ev, 0, False)


# -- the Python face ------------------------------------------------------------------------


class Events(NamedTuple):
    """The events applied, one row each, in the order they happened (the book's ``Applied``
    rows, plus refusals). ``source`` is the index of the input event that caused it;
    ``kind`` one of EV_* (names in EVENT_NAMES); ``amount`` fen for a buy, units for a sale
    or exit (as asked, for a refusal); ``points_delta`` and ``cash_delta`` the member's
    change; ``pool``, ``points`` and ``price_num / price_den`` (fen per unit) the book
    after the event."""

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

    @property
    def price(self) -> np.ndarray:
        """The price after each event, fen per unit, as float64."""
        return self.price_num / self.price_den

    def exact_price(self, i: int) -> Fraction:
        """The exact price after event ``i``, fen per unit."""
        return Fraction(int(self.price_num[i]), int(self.price_den[i]))


def _aligned_rows(rows: int, cols: int, fill: int = 0) -> np.ndarray:
    """An int64 (rows, cols) array filled with ``fill``, starting on a 64-byte boundary."""
    raw = np.full(rows * cols + 8, fill, np.int64)
    skip = (-raw.ctypes.data % 64) // 8
    return raw[skip : skip + rows * cols].reshape(rows, cols)


class FastBook:
    """The pool, the points and ``capacity`` members (numbered 0 .. capacity-1) under one
    set of :class:`~sim.core.mechanics.Mechanics`, applied by the compiled core."""

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
        }
        prm = np.zeros(N_PARAMS, np.int64)
        for index, value in values.items():
            if abs(int(value)) >= LIMIT:
                raise OverflowError("a mechanics parameter is too large for the fast core")
            prm[index] = int(value)
        self._prm = prm
        # the largest integer a quantity (fen, units) is multiplied by in 64 bits in the core
        self._factor = max(
            int(prm[i])
            for i in (P_MINT_NUM, P_MINT_DEN, P_PAY_NUM, P_PAY_DEN, P_MULT_NUM, P_MULT_DEN)
        )
        if int(prm[P_MINT_DEN]) * int(prm[P_START_NUM]) >= LIMIT:
            raise OverflowError("the start price is too fine for the fast core")
        self._max_amount = (LIMIT - 1) // table.denominator
        self._hot = _aligned_rows(capacity, N_HOT)
        self._hot[:, H_POS] = -1
        self._cold = np.zeros((capacity, N_COLD), np.int64)
        self._heap = _aligned_rows(capacity + 2, N_NODE)
        self._g = np.zeros(N_GLOBAL, np.int64)
        self._g[G_PRICE_NUM] = start.numerator
        self._g[G_PRICE_DEN] = start.denominator
        self._g[G_LAST_AMOUNT] = -1
        self._no_events = np.empty((0, N_EVENT), np.int64)

    # -- applying events ----------------------------------------------------------------

    def apply(
        self,
        members: np.ndarray,
        actions: np.ndarray,
        amounts: np.ndarray,
        record: bool = True,
    ) -> Events | None:
        """Apply events in order: ``actions[i]`` — BUY of ``amounts[i]`` fen, SELL of
        ``amounts[i]`` units, SELL_ALL (amount ignored) — by member ``members[i]``. Events
        the book refuses change nothing and are reported as ``refused``. Returns the events
        applied, forced exits included, or None when ``record`` is false (the counters and
        the state still tell everything)."""
        members = np.ascontiguousarray(members, np.int64)
        actions = np.ascontiguousarray(actions, np.int8)
        amounts = np.ascontiguousarray(amounts, np.int64)
        if not len(members) == len(actions) == len(amounts):
            raise ValueError("members, actions and amounts must have the same length")
        self._check_members(members)
        if len(actions) and (actions.min() < BUY or actions.max() > SELL_ALL):
            raise ValueError("actions must be BUY (0), SELL (1) or SELL_ALL (2)")
        if len(amounts) and int(np.abs(amounts).max()) > self._max_amount:
            raise OverflowError("an amount is too large for the fast core")
        buys = amounts[(actions == BUY) & (amounts > 0)]
        self._check_room(int(buys.sum(dtype=np.float64)), len(buys))
        state = (self._hot, self._cold, self._heap, self._g, self._prm, self._numer)
        if not record:
            _apply(members, actions, amounts, 0, False, *state, self._no_events, False)
            self._check_range()
            return None
        size = len(members) + len(members) // 8 + 64
        chunks = []
        start, pending = 0, False
        while True:
            buffer = np.empty((size, N_EVENT), np.int64)
            start, n, pending = _apply(
                members, actions, amounts, start, pending, *state, buffer, True
            )
            chunks.append(buffer[:n])
            if start >= len(members) and not pending:
                break
            size *= 2
        self._check_range()
        rows = chunks[0] if len(chunks) == 1 else np.concatenate(chunks)
        return Events(*(np.ascontiguousarray(rows[:, c]) for c in range(N_EVENT)))

    def buy_many(self, members: np.ndarray, amount: int) -> None:
        """Orders of ``amount`` fen by ``members`` in turn, forced exits included, recording
        no events (the fast path of workload W1)."""
        members = np.ascontiguousarray(members, np.int64)
        self._check_members(members)
        if abs(amount) > self._max_amount:
            raise OverflowError("an amount is too large for the fast core")
        self._check_room(max(int(amount), 0) * len(members), len(members))
        _buy_many(
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
        hot = _aligned_rows(capacity, N_HOT)
        hot[:old] = self._hot
        hot[old:, H_POS] = -1
        cold = np.zeros((capacity, N_COLD), np.int64)
        cold[:old] = self._cold
        heap = _aligned_rows(capacity + 2, N_NODE)
        heap[: old + 2] = self._heap
        self._hot, self._cold, self._heap = hot, cold, heap
        self.capacity = capacity

    def _check_members(self, members: np.ndarray) -> None:
        if len(members) and (members.min() < 0 or members.max() >= self.capacity):
            raise ValueError(f"members must be numbered 0..{self.capacity - 1}")

    def _check_room(self, new_money: int, new_orders: int) -> None:
        """Refuse a call that could leave the exact range. The price never falls under these
        rules, so the call mints at most ``new_money`` worth of points at today's price."""
        g = self._g
        num, den = int(g[G_PRICE_NUM]), int(g[G_PRICE_DEN])
        if num <= 0:
            num, den = int(self._prm[P_START_NUM]), int(self._prm[P_START_DEN])
        prm = self._prm
        pool_share = int(self._numer[prm[P_POOL_INDEX]]), int(prm[P_SPLIT_DEN])
        # the pool's part, rounded up; then its mint ratio's worth at today's price
        new_pool = -(-new_money * pool_share[0] // pool_share[1]) + new_orders
        worth = new_pool * int(prm[P_MINT_NUM]) * den // (int(prm[P_MINT_DEN]) * num)
        most_minted = int(g[G_MINTED]) + worth + 1
        most_money = int(g[G_MONEY_IN]) + new_money
        if max(most_minted, most_money) * self._factor >= LIMIT:
            raise OverflowError("the money or points would exceed what the fast core computes")

    def _check_range(self) -> None:
        g = self._g
        biggest = max(int(g[G_POOL]), int(g[G_POINTS]), int(g[G_MONEY_IN]), int(g[G_MINTED]))
        if biggest * self._factor >= LIMIT:
            raise OverflowError("pool or points have grown past what the fast core computes")

    # -- state ----------------------------------------------------------------------------

    @property
    def pool(self) -> int:
        """The pool, fen."""
        return int(self._g[G_POOL])

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
        return float(self._g[G_PRICE_NUM] / self._g[G_PRICE_DEN]) * self.mechanics.unit / 100

    @property
    def holders(self) -> int:
        """Members holding points."""
        return int(self._g[G_HOLDERS])

    @property
    def heap_size(self) -> int:
        """Nodes on the forced-exit heap (members filed, plus nodes not yet dropped)."""
        return int(self._g[G_HEAP])

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

    def trigger(self, member: int) -> Fraction | None:
        """A member's trigger price (fen per unit); None when they have none."""
        num, den = _trigger(member, self._hot, self._cold, self._prm)
        return None if den == 0 else Fraction(int(num), int(den))

    def member(self, member: int) -> dict[str, int | str]:
        """One member's record, named like the fields of :class:`sim.core.book.Member`."""
        record: dict[str, int | str] = {"status": STATUS_NAMES[int(self.status[member])]}
        for name in MEMBER_FIELDS:
            record[name] = int(getattr(self, name)[member])
        return record

    @property
    def nbytes(self) -> int:
        """Bytes of state: O(members), independent of the number of events applied."""
        arrays = (self._hot, self._cold, self._heap, self._g, self._prm, self._numer)
        return sum(a.nbytes for a in arrays)


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


def warm_up() -> None:
    """Compile the core's entry points (or load them from numba's cache) on a tiny book."""
    book = FastBook(Mechanics(exit_multiple=Fraction(3)), 4)
    book.buy_many(np.array([0, 1, 2, 3], np.int64), 100_000)
    for record in (True, False):
        book.apply(
            np.array([0, 1, 2], np.int64),
            np.array([BUY, SELL, SELL_ALL], np.int8),
            np.array([100_000, 1, 0], np.int64),
            record,
        )
