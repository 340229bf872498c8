"""Members' personal sell targets, in an indexed heap keyed by the price that reaches them.

A consumer with a target sells everything once their points are worth ``target`` times what
they spent since entry. Scanning every holder each day would cost the whole population; the
heap costs only the members the price has reached. It is an indexed binary min-heap over
flat arrays, compiled with numba: one node per member holding points, re-keyed in place
after every change to their record (an order, a sale, a forced exit) and removed when they
hold nothing, so it never holds a stale entry and its size is the holders with a target —
no Python object per member. Nodes are ordered by trigger price, ties by member id.

A member filed twice at the same record ``version`` (two events of theirs in one day's
stream: the model re-reads the record once the whole stream is applied) counts twice, and
is due twice, as in the heap of entries this replaced, so the runs stay the same to the
byte; the second sale finds nothing to sell and is skipped.

Filing is compiled (:func:`file_target`, :func:`trigger_price`) so that the fast core's
compiled pass (:mod:`sim.model.consequences`) and this class file alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from numba import njit

from sim.core import rules
from sim.core.capacity import grown
from sim.model.market import Intent

NONE = -1


@njit(cache=True)
def _before(key, a, b):
    return key[a] < key[b] or (key[a] == key[b] and a < b)


@njit(cache=True)
def _up(key, pos, heap, p):
    m = heap[p]
    while p > 0:
        parent = (p - 1) >> 1
        other = heap[parent]
        if not _before(key, m, other):
            break
        heap[p] = other
        pos[other] = p
        p = parent
    heap[p] = m
    pos[m] = p


@njit(cache=True)
def _down(key, pos, heap, size, p):
    m = heap[p]
    while True:
        child = 2 * p + 1
        if child >= size:
            break
        if child + 1 < size and _before(key, heap[child + 1], heap[child]):
            child += 1
        other = heap[child]
        if not _before(key, other, m):
            break
        heap[p] = other
        pos[other] = p
        p = child
    heap[p] = m
    pos[m] = p


@njit(cache=True)
def _file(key, pos, heap, size, m, trigger):
    """Put member ``m`` at ``trigger`` (insert or re-key); returns the new size."""
    p = pos[m]
    if p < 0:
        key[m] = trigger
        heap[size] = m
        pos[m] = size
        _up(key, pos, heap, size)
        return size + 1
    old = key[m]
    key[m] = trigger
    if trigger < old:
        _up(key, pos, heap, p)
    elif trigger > old:
        _down(key, pos, heap, size, p)
    return size


@njit(cache=True)
def _remove(key, pos, heap, size, m):
    """Take member ``m`` out (if in); returns the new size."""
    p = pos[m]
    if p < 0:
        return size
    pos[m] = -1
    size -= 1
    if p < size:
        last = heap[size]
        heap[p] = last
        pos[last] = p
        _up(key, pos, heap, p)
        _down(key, pos, heap, size, pos[last])
    return size


_EXACT = 2**53  # integers below this are floats exactly
_INT64 = 2**63


@njit(cache=True)
def trigger_price(millionths, held, spent_entry):  # pragma: no cover - compiled
    """The price (fen per unit, a float) at which ``held`` units are worth ``millionths /
    10**6`` x ``spent_entry`` fen: the correctly rounded quotient while both products are
    exact floats (as Python's ``int / int`` gives it), the float product quotient beyond
    (within a few parts in 10**16: the key only orders the heap)."""
    if millionths <= 0:
        return 0.0
    if spent_entry < _EXACT // millionths and held < _EXACT // 10**6:
        return float(millionths * spent_entry) / float(held * 10**6)
    return (float(millionths) * float(spent_entry)) / (float(held) * 1e6)


@njit(cache=True)
def file_target(
    key, pos, heap, filed_version, copies, size, m, trigger, version
):  # pragma: no cover - compiled
    """File member ``m``'s target price ``trigger`` after a change to their record, at record
    ``version``; returns the heap's new size. The same record filed again counts again
    (``copies``)."""
    if pos[m] >= 0 and filed_version[m] == version:
        copies[m] += 1
        return size
    filed_version[m] = version
    copies[m] = 1
    return _file(key, pos, heap, size, m, trigger)


class SellTargets:
    """The heap of members by trigger price (a float: it only orders the heap and never
    decides a sale: members popped near the price are checked exactly,
    :func:`sim.core.rules.cap_reached`, before they sell)."""

    def __init__(self, capacity: int = 1024) -> None:
        self._key = np.zeros(capacity, np.float64)
        # ids, positions, versions and counts fit 32 bits (sim.limits): 24 bytes a member
        self._pos = np.full(capacity, NONE, np.int32)
        self._heap = np.zeros(capacity, np.int32)
        self._version = np.full(capacity, NONE, np.int32)  # the record version filed
        self._copies = np.zeros(capacity, np.int32)  # filings at that version
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def room(self, member: int) -> None:
        """Make room for members up to ``member``."""
        capacity = len(self._key)
        if member < capacity:
            return
        capacity = grown(capacity, member + 1)
        fills = (("_key", 0.0), ("_pos", NONE), ("_heap", 0), ("_version", NONE), ("_copies", 0))
        for name, fill in fills:
            old = getattr(self, name)
            new = np.full(capacity, fill, old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)

    def file(self, member: int, millionths: int, held: int, spent_entry: int, version: int) -> None:
        """File the member's target after a change to their record (``held`` > 0, at record
        ``version``): the price at which ``held`` units are worth ``millionths / 10**6`` x
        ``spent_entry`` (:func:`file_target`)."""
        self.room(member)
        millionths, held, spent_entry = int(millionths), int(held), int(spent_entry)
        if max(millionths, held, spent_entry) < _INT64:
            trigger = trigger_price(millionths, held, spent_entry)
        else:  # the reference book's records may outgrow machine integers
            trigger = millionths * spent_entry / (held * 10**6)
        self._size = file_target(
            self._key,
            self._pos,
            self._heap,
            self._version,
            self._copies,
            self._size,
            member,
            trigger,
            version,
        )

    def arrays(self) -> tuple:
        """The heap's arrays, for compiled code that files and removes in place (the size is
        :attr:`_size`; room for every member it files must be made first: :meth:`room`)."""
        return self._key, self._pos, self._heap, self._version, self._copies

    def remove(self, member: int) -> None:
        """The member holds nothing any more: no target to watch."""
        if member < len(self._pos):
            self._size = _remove(self._key, self._pos, self._heap, self._size, member)

    def due(self, price, records: Mapping, targets: Callable[[int], object]) -> list[Intent]:
        """The sales of members whose target the exact ``price`` has reached (``records``:
        the book's member records; ``targets(member)``: the member's exact multiple); each
        leaves the heap until their record changes again."""
        out, early = [], []
        near = float(price) * (1 + 1e-9)  # above any float error in the heap's keys
        key, pos, heap = self._key, self._pos, self._heap
        while self._size and key[heap[0]] <= near:
            member = int(heap[0])
            trigger = float(key[member])
            self._size = _remove(key, pos, heap, self._size, member)
            record = records[member]
            if not record.held:
                continue
            if rules.cap_reached(record.held, record.spent_entry, 0, targets(member), price):
                out += [Intent(member, "sell", None) for _ in range(self._copies[member])]
            else:
                early.append((member, trigger))
        for member, trigger in early:
            self._size = _file(key, pos, heap, self._size, member, trigger)
        return out
