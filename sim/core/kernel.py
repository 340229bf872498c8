"""The compiled kernel: the per-order pool process, compiled with numba over flat arrays.

Through :class:`sim.core.kernel_book.KernelBook`, the kernel applies a stream of events —
buys, sales of ``n`` units, sales of all units — to members numbered ``0 .. capacity - 1``
and does what :class:`sim.core.book.Book` does, event for event: split the order
(:func:`sim.core.rules.split_order`: largest remainder for the pool line), mint at the price
before the order (rounded down, capped by ``max_points_per_order``), sell at the current
price paying ``sell_payout`` (rounded down), refuse what the book refuses, re-enter a member
on their first order after a forced exit (the since-entry counts restart), keep the last
price while no points circulate, and after every event force members out — lowest trigger
price first, ties by member number, each exit selling everything at the current price and
raising it — until nobody crosses. Where a function restates a rule of the reference, a
comment names its twin (``# Book._force_exits``, ``# rules.mint, in int64``).

**Supported**: all of :class:`~sim.core.mechanics.Mechanics` — any split with a pool line, mint
and payout ratios, start price, decimals, ``max_points_per_order``, ``min_spend_to_sell``,
and the forced exit at ``exit_multiple`` (or none) on every basis the book has: points
``held`` or ``obtained`` since entry, against ``spend`` since entry or ``grant_value``,
with or without realised cash counted. Orders of any amount, sales of ``n`` units or all.
Refused events (an order of 0 or less; a sale of nothing, of more than held, by a member
who never bought, or before ``min_spend_to_sell``) change nothing and are reported as
``refused`` events where the book raises :class:`sim.core.book.Refused`.

**The stress levers** that move money or points outside the rules: money paid straight into
the pool (:func:`add_to_pool`, a financing round's subsidy; the forced exits it sets off by
:func:`force_exits`), the operator taking the pool's cash (:func:`take_from_pool`), points
granted without money (:func:`grant`, legacy claims), and a custody shortfall (a share of
every pool inflow skimmed: still posted, never held; a payout the cash cannot cover is booked
as unpaid), as :class:`sim.core.book.Book` applies them.

**Not here** (kept by :class:`sim.model.compiled_book.CompiledBook` beside the kernel):
referral bonuses and withdrawals (members' bonus and withdrawn balances), the double-entry
ledger (the core keeps totals: money in, pool inflow, units minted, fen paid), and member
keys other than the numbers ``0 .. capacity - 1`` (ties between members are broken by that
number, as the book breaks them for integer ids). ``grant_value_entry`` is tracked only
under the ``grant_value`` basis (0 otherwise).

**Exact arithmetic**, as in the reference: money in integer fen, points in integer units,
the price as the pair (pool, points) — or the last such pair, or the start price, while no
points circulate; ``floor(a*b/c)`` and ``a*b`` against ``c*d`` in 128 bits
(:mod:`sim.core.int128`). So every result equals the reference's exactly (the 1e-9 contract
holds with room to spare) while money and units minted, times the mechanics' numerators and
denominators, stay below 2**62 (:class:`~sim.core.kernel_book.KernelBook` refuses a call that
could leave that range).

**Rooms**: the arrays' layout in :mod:`sim.core.kernel_layout`, the forced-exit heap in
:mod:`sim.core.trigger_heap`, the Python face in :mod:`sim.core.kernel_book`; here the
events themselves. The main loops prefetch the rows of members a few orders ahead.
"""

from __future__ import annotations

from llvmlite import ir
from numba import njit
from numba.core import cgutils, types
from numba.extending import intrinsic

from sim.core.int128 import muldiv, ratio_cmp
from sim.core.kernel_layout import (
    ACTIVE,
    BUY,
    C_CASH,
    C_CASH_ENTRY,
    C_ENTRIES,
    C_FORCED_EXITS,
    C_SALES,
    C_UNPAID,
    E_AMOUNT,
    E_CASH_DELTA,
    E_KIND,
    E_MEMBER,
    E_POINTS,
    E_POINTS_DELTA,
    E_POOL,
    E_PRICE_DEN,
    E_PRICE_NUM,
    E_SOURCE,
    EV_BUY,
    EV_FORCED_EXIT,
    EV_GRANT,
    EV_REFUSED,
    EV_SELL,
    EXITED,
    G_BUYS,
    G_EXITS,
    G_HEAP,
    G_HOLDERS,
    G_LAST_AMOUNT,
    G_LAST_POOL_PART,
    G_MINTED,
    G_MISSING,
    G_MONEY_IN,
    G_PAID_EXITS,
    G_PAID_SALES,
    G_POINTS,
    G_POOL,
    G_POOL_IN,
    G_PRICE_DEN,
    G_PRICE_NUM,
    G_REFUSED,
    G_REKEYED,
    G_SELLS,
    G_UNITS_EXITED,
    G_UNITS_SOLD,
    G_UNPAID,
    H_GRANT_VALUE_ENTRY,
    H_HELD,
    H_OBTAINED,
    H_OBTAINED_ENTRY,
    H_SPENT,
    H_SPENT_ENTRY,
    H_STATUS,
    N_DEN,
    N_MEMBER,
    N_NUM,
    NONE,
    P_CAP,
    P_EXIT_ON,
    P_GRANT_VALUE,
    P_MIN_SPEND,
    P_MINT_DEN,
    P_MINT_NUM,
    P_PAY_DEN,
    P_PAY_NUM,
    P_POOL_INDEX,
    P_SHORT_DEN,
    P_SHORT_NUM,
    P_SPLIT_DEN,
    P_START_DEN,
    P_START_NUM,
    SELL_ALL,
    SOLD_OUT,
)
from sim.core.trigger_heap import exit_trigger, pop_top, refile, sift_down

# numba's on-disk cache notices edits to this file only (numba#1833), yet the code it keeps
# for these functions holds int128, kernel_layout and trigger_heap too. This digest of those
# three files makes an edit to one of them an edit here (tests/test_kernel.py checks it).
DEPENDENCIES_SHA256 = "e53d5d82648ea9b85f9cb6df390d09d158344809a6d1201ecc591e963c3a103e"

PREFETCH = 16  # orders ahead whose member rows are prefetched


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


# rules.price, in int64
@njit(cache=True, _nrt=False)
def _reprice(g):
    """rules.price: pool / points, or the last price while no points circulate."""
    if g[G_POINTS] > 0:
        g[G_PRICE_NUM] = g[G_POOL]
        g[G_PRICE_DEN] = g[G_POINTS]


# rules.split_order's pool line, in int64
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


# Book._mint_price
@njit(cache=True, _nrt=False)
def mint_price(g, prm):
    """The price new points are minted at, (numerator, denominator): the current price, or
    the start price while the pool is empty (price 0, possible only under stress)."""
    if g[G_PRICE_NUM] <= 0:
        return prm[P_START_NUM], prm[P_START_DEN]
    return g[G_PRICE_NUM], g[G_PRICE_DEN]


# Book._order_points: rules.mint of an order's pool part, in int64
@njit(cache=True, _nrt=False)
def _order_points(c, pnum, pden, prm):
    """The units an order whose pool part is ``c`` fen is granted at the price pnum/pden:
    the mint ratio's worth, rounded down, at most ``max_points_per_order``."""
    granted = muldiv(prm[P_MINT_NUM] * c, pden, prm[P_MINT_DEN] * pnum)
    cap = prm[P_CAP]
    if cap >= 0 and granted > cap:
        granted = cap
    return granted


# Book.pool_cash
@njit(cache=True, _nrt=False)
def pool_cash(g):
    """The cash really in the pool: the posted pool less what a custody shortfall skimmed,
    plus the payouts booked but not paid."""
    return g[G_POOL] - g[G_MISSING] + g[G_UNPAID]


# Book._skim
@njit(cache=True, _nrt=False)
def _skim(inflow, g, prm):
    """book._skim: under a custody shortfall, its share of a pool inflow (rounded down) is
    never really held, though the pool still posts it."""
    if prm[P_SHORT_NUM] > 0:
        g[G_MISSING] += muldiv(prm[P_SHORT_NUM], inflow, prm[P_SHORT_DEN])


# Book._sell with rules.sale_payout, in int64
@njit(cache=True, _nrt=False)
def _pay(m, units, hot, cold, g, prm):
    """book._sell: pay ``sell_payout`` of ``units`` at the current price, rounded down, as
    far as the pool's cash covers it; the rest is booked as unpaid (only under a custody
    shortfall). The posted pool drops by the whole payout."""
    due = muldiv(prm[P_PAY_NUM] * units, g[G_PRICE_NUM], prm[P_PAY_DEN] * g[G_PRICE_DEN])
    cash = min(due, pool_cash(g))
    g[G_POOL] -= due
    if due > cash:
        g[G_UNPAID] += due - cash
        if cold.shape[1] > C_UNPAID:  # the column exists under a custody shortfall only
            cold[m, C_UNPAID] += due - cash
    g[G_POINTS] -= units
    held = hot[m, H_HELD] - units
    hot[m, H_HELD] = held
    if held == 0 and units > 0:
        g[G_HOLDERS] -= 1
    cold[m, C_CASH] += cash
    cold[m, C_CASH_ENTRY] += cash
    _reprice(g)
    return cash


# Book._force_exits
@njit(cache=True, _nrt=False)
def _force_exits(source, hot, cold, heap, g, prm, ev, n, record):
    """book._force_exits: while the lowest trigger is at or below the price, that member
    sells everything at the current price and is out. Returns (events written, done): not
    done when the event buffer filled up first (calling again goes on exactly)."""
    while g[G_HEAP] > 0:
        num = heap[1, N_NUM]
        den = heap[1, N_DEN]
        if ratio_cmp(num, den, g[G_PRICE_NUM], g[G_PRICE_DEN]) > 0:
            break
        m = heap[1, N_MEMBER]
        true_num, true_den = exit_trigger(m, hot, cold, prm)
        if true_den == 0:  # no longer filed: drop the node
            pop_top(heap, hot, g)
            continue
        if ratio_cmp(true_num, true_den, num, den) > 0:  # rose since filed: re-key
            g[G_REKEYED] += 1
            sift_down(heap, hot, g[G_HEAP], 0, true_num, true_den, m)
            continue
        if record and n >= ev.shape[0]:
            return n, False
        pop_top(heap, hot, g)
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


# Book._member_for_order, Book._add_points and the since-entry counts of Book.buy/grant
@njit(cache=True, _nrt=False)
def _credit(m, spend, units, pnum, pden, hot, cold, g, prm):
    """Member ``m`` is credited ``units`` minted at the price pnum/pden for ``spend`` fen
    counted since entry (an order's amount, or a legacy claim): a first order or one after a
    forced exit starts a new entry (the since-entry counts restart)."""
    if hot[m, H_STATUS] in (NONE, EXITED):
        cold[m, C_ENTRIES] += 1
        hot[m, H_SPENT_ENTRY] = 0
        hot[m, H_OBTAINED_ENTRY] = 0
        hot[m, H_GRANT_VALUE_ENTRY] = 0
        cold[m, C_CASH_ENTRY] = 0
    hot[m, H_STATUS] = ACTIVE
    hot[m, H_SPENT_ENTRY] += spend
    held = hot[m, H_HELD]
    if held == 0 and units > 0:
        g[G_HOLDERS] += 1
    hot[m, H_HELD] = held + units
    hot[m, H_OBTAINED] += units
    hot[m, H_OBTAINED_ENTRY] += units
    if prm[P_GRANT_VALUE]:
        hot[m, H_GRANT_VALUE_ENTRY] += muldiv(units, pnum, pden)  # rules.grant_value


# Book.buy, its forced exits apart
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
    pnum, pden = mint_price(g, prm)
    granted = _order_points(c, pnum, pden, prm)
    g[G_POOL] += c
    _skim(c, g, prm)
    g[G_POINTS] += granted
    _reprice(g)
    old_num, old_den = exit_trigger(m, hot, cold, prm)
    hot[m, H_SPENT] += amount
    _credit(m, amount, granted, pnum, pden, hot, cold, g, prm)
    g[G_BUYS] += 1
    g[G_MONEY_IN] += amount
    g[G_POOL_IN] += c
    g[G_MINTED] += granted
    if prm[P_EXIT_ON]:
        refile(m, old_num, old_den, hot, cold, heap, g, prm)
    if record:
        _emit(ev, n, source, EV_BUY, m, amount, granted, 0, g)
        n += 1
    return n


# Book.sell, its forced exits apart
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
    old_num, old_den = exit_trigger(m, hot, cold, prm)
    cash = _pay(m, units, hot, cold, g, prm)
    cold[m, C_SALES] += 1
    hot[m, H_STATUS] = ACTIVE if hot[m, H_HELD] > 0 else SOLD_OUT
    g[G_SELLS] += 1
    g[G_PAID_SALES] += cash
    g[G_UNITS_SOLD] += units
    if prm[P_EXIT_ON]:
        refile(m, old_num, old_den, hot, cold, heap, g, prm)
    if record:
        _emit(ev, n, source, EV_SELL, m, units, -units, cash, g)
        n += 1
    return n


@njit(cache=True, _nrt=False)
def apply_events(
    members, actions, amounts, start, resume, hot, cold, heap, g, prm, numer, ev, record
):
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
def buy_many(members, amount, hot, cold, heap, g, prm, numer, ev):
    """Orders of ``amount`` fen by ``members`` in turn, recording nothing."""
    total = members.shape[0]
    for i in range(total):
        if i + PREFETCH < total:
            _prefetch_row(hot, members[i + PREFETCH])
        _buy(i, members[i], amount, hot, cold, heap, g, prm, numer, ev, 0, False)
        _force_exits(i, hot, cold, heap, g, prm, ev, 0, False)


# -- the stress levers (between streams) ----------------------------------------------------


# Book.subsidize, its forced exits apart
@njit(cache=True, _nrt=False)
def add_to_pool(amount, g, prm):
    """Money paid straight into the pool: no points minted, so the price jumps (the forced
    exits it sets off: :func:`force_exits`)."""
    g[G_POOL] += amount
    _skim(amount, g, prm)
    _reprice(g)


@njit(cache=True, _nrt=False)
def force_exits(source, hot, cold, heap, g, prm, ev):
    """The forced exits due at the current price, recorded in ``ev`` as ``source``'s.
    Returns (events written, done): call again with a fresh buffer until done."""
    return _force_exits(source, hot, cold, heap, g, prm, ev, 0, True)


# Book.divert
@njit(cache=True, _nrt=False)
def take_from_pool(amount, g):
    """The operator takes up to ``amount`` fen of the pool's cash; the price falls. Returns
    the fen taken."""
    taken = min(amount, pool_cash(g))
    g[G_POOL] -= taken
    _reprice(g)
    return taken


# Book.grant, its forced exits apart
@njit(cache=True, _nrt=False)
def grant(m, value, as_order, hot, cold, heap, g, prm, numer, ev):
    """Points minted to member ``m`` without money for a claim of ``value`` fen: the claim's
    worth at the mint price, or with ``as_order`` what an order of ``value`` is granted. The
    claim counts as spend since entry (not as money spent). Writes the grant event (row 0)."""
    pnum, pden = mint_price(g, prm)
    if as_order:
        units = _order_points(_pool_part(value, numer, prm), pnum, pden, prm)
    else:  # rules.mint(value, price, 1, None)
        units = muldiv(value, pden, pnum)
    old_num, old_den = exit_trigger(m, hot, cold, prm)
    _credit(m, value, units, pnum, pden, hot, cold, g, prm)
    g[G_POINTS] += units
    g[G_MINTED] += units
    _reprice(g)
    if prm[P_EXIT_ON]:
        refile(m, old_num, old_den, hot, cold, heap, g, prm)
    _emit(ev, 0, -1, EV_GRANT, m, value, units, 0, g)
