"""Forced exits without scanning holders: the compiled kernel's indexed min-heap of trigger
prices, compiled with numba (the twin of :class:`sim.core.book.Book`'s ``_caps`` heap).

An indexed binary min-heap over members. A heap node holds a trigger price as an exact
fraction (numerator, denominator) and the member; each member's row holds their node's
position (-1: none), so a node is found and moved (sift up/down) in O(log members). A
node's key is kept at or below the member's true trigger: when a trigger falls (a new
member, a member re-filed after a sale that counts cash, ...) the node moves up at once;
when it rises — the common case, every order by a holder — the node is left where it is and
corrected only if it reaches the top of the heap at or below the price (it is then re-keyed
and sifted down, or dropped if the member no longer has a trigger:
:func:`sim.core.kernel._force_exits`). The top node is thus exact whenever it is acted on, so
exits happen in the reference's order, and an order costs no heap work unless a trigger
fell. Memory is O(members), never O(orders).

The book's heap keeps stale entries and skips them by version; this one keeps one node per
member. Ties go by member number, as :func:`sim.core.book.member_order` breaks them for
integer ids.
"""

from __future__ import annotations

from numba import njit

from sim.core.int128 import ratio_cmp
from sim.core.kernel_layout import (
    C_CASH_ENTRY,
    EXITED,
    G_HEAP,
    H_GRANT_VALUE_ENTRY,
    H_HELD,
    H_OBTAINED_ENTRY,
    H_POS,
    H_SPENT_ENTRY,
    H_STATUS,
    N_DEN,
    N_MEMBER,
    N_NUM,
    P_COUNTS_CASH,
    P_EXIT_ON,
    P_GRANT_VALUE,
    P_MULT_DEN,
    P_MULT_NUM,
    P_OBTAINED,
)


# Book._track_cap and rules.exit_trigger, in int64
@njit(cache=True, _nrt=False)
def exit_trigger(m, hot, cold, prm):
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


# the order of Book._caps: (trigger, member_order(key)) for integer keys
@njit(cache=True, _nrt=False)
def _before(n1, d1, m1, n2, d2, m2):
    """Heap order: trigger price, then member number."""
    c = ratio_cmp(n1, d1, n2, d2)
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
def sift_down(heap, hot, size, p, num, den, m):
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


# heapq.heappop(Book._caps)
@njit(cache=True, _nrt=False)
def pop_top(heap, hot, g):
    hot[heap[1, N_MEMBER], H_POS] = -1
    size = g[G_HEAP] - 1
    g[G_HEAP] = size
    if size > 0:
        r = size + 1
        sift_down(heap, hot, size, 0, heap[r, N_NUM], heap[r, N_DEN], heap[r, N_MEMBER])


# the heappush of Book._track_cap
@njit(cache=True, _nrt=False)
def refile(m, old_num, old_den, hot, cold, heap, g, prm):
    """After member ``m``'s record changed (their trigger was old_num/old_den; old_den 0:
    none): make sure a node at or below their new trigger is on the heap. A rising trigger
    leaves the node as it is (see the module docstring)."""
    num, den = exit_trigger(m, hot, cold, prm)
    if den == 0:
        return  # a node left behind is dropped when it reaches the top
    p = hot[m, H_POS]
    if p < 0:
        size = g[G_HEAP]
        g[G_HEAP] = size + 1
        _sift_up(heap, hot, size, num, den, m)
        return
    if old_den != 0 and ratio_cmp(num, den, old_num, old_den) >= 0:
        return  # did not fall: the node is still at or below it
    r = p + 1
    if ratio_cmp(num, den, heap[r, N_NUM], heap[r, N_DEN]) >= 0:
        return
    _sift_up(heap, hot, p, num, den, m)
