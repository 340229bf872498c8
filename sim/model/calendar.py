"""Members' wake-ups by day (a repeat order, a comeback, a recruit), held in flat arrays.

Each day is a linked list of entries — ``head[day]`` and ``tail[day]`` name its first and
last, ``following[entry]`` the next — and an entry is a member and a reason, in two more
columns. Entries are kept in the order they were made, so members wake in that order, and a
day's entries go back to a free list once the day is read: the arrays' size follows the
wake-ups pending, not those ever made, and no Python object is kept per entry.

Entries are taken from the free list only, which grows (:mod:`sim.core.capacity`) when empty
(:meth:`Calendar.reserve`); compiled code adds wake-ups with the same function,
:func:`add_entry`, on entries reserved for it beforehand.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.core.capacity import grown

REASONS = ("order", "recruit")
_CODE = {reason: code for code, reason in enumerate(REASONS)}
ORDER_CODE, RECRUIT_CODE = _CODE["order"], _CODE["recruit"]  # for compiled code
END = -1


class Calendar:
    """Wake-ups on days ``0 .. days - 1``."""

    def __init__(self, days: int, room: int = 0) -> None:
        self.head = np.full(max(days, 0), END, np.int64)
        self.tail = np.full(max(days, 0), END, np.int64)
        # 32-bit members and links: 9 bytes an entry, not 17 (a 9-million-member run keeps
        # millions pending); entries and members stay below 2**31 (sim.limits). ``room``
        # entries are allocated from the start but touched only once made: growing later
        # would hold the old and the new copy at once, the peak of a large run
        self.member = np.zeros(room, np.int32)
        self.reason = np.zeros(room, np.int8)
        self.following = np.zeros(room, np.int32)
        self._made = 0  # entries made (used or free); those beyond are untouched room
        self._free = END  # the first unused entry, the others linked through ``following``
        self._spare = 0  # entries in the free list

    @property
    def entries(self) -> int:
        """Entries made so far (used or free)."""
        return self._made

    def add(self, day: int, member: int, reason: str) -> None:
        """Wake ``member`` on ``day`` for ``reason``, after those already due that day."""
        if self._free == END:
            self.reserve(1)
        self._free = add_entry(*self.arrays(), self._free, day, member, _CODE[reason])
        self._spare -= 1

    def pop(self, day: int) -> list[tuple[int, str]]:
        """The day's wake-ups as ``(member, reason)`` in the order made; the day is emptied
        (a day past the calendar's has none)."""
        out: list[tuple[int, str]] = []
        if not 0 <= day < len(self.head):
            return out
        entry = int(self.head[day])
        while entry != END:
            out.append((int(self.member[entry]), REASONS[self.reason[entry]]))
            following = int(self.following[entry])
            self.following[entry] = self._free
            self._free = entry
            self._spare += 1
            entry = following
        self.head[day] = self.tail[day] = END
        return out

    def reserve(self, n: int) -> None:
        """At least ``n`` entries in the free list (the arrays grow and are replaced:
        re-read them), for compiled code to add to."""
        if n <= self._spare:
            return
        made = self._made
        size = grown(made, made + n - self._spare)
        if size > len(self.member):  # beyond the room: the arrays grow
            columns = []
            for column in (self.member, self.reason, self.following):
                bigger = np.zeros(size, column.dtype)
                bigger[:made] = column[:made]
                columns.append(bigger)
            self.member, self.reason, self.following = columns
        self._made = size
        # the new entries join the free list, lowest first
        self.following[made : size - 1] = np.arange(made + 1, size)
        self.following[size - 1] = self._free
        self._free = made
        self._spare += size - made

    def arrays(self) -> tuple[np.ndarray, ...]:
        """``head``, ``tail``, ``member``, ``reason`` and ``following``, for compiled code."""
        return self.head, self.tail, self.member, self.reason, self.following

    def used(self, free: int, taken: int) -> None:
        """Compiled code took ``taken`` free entries (negative: gave them back); ``free`` is
        the free list's head."""
        self._free = free
        self._spare -= taken

    def pending(self) -> int:
        """Wake-ups still to come (for tests and memory figures)."""
        return self._made - self._spare


@njit(cache=True)
def add_entry(head, tail, member, reason, following, free, day, who, code):  # pragma: no cover
    """:meth:`Calendar.add` on the arrays, from the free list (entries reserved beforehand);
    returns the free list's new head."""
    entry = free
    free = following[entry]
    member[entry] = who
    reason[entry] = code
    following[entry] = END
    last = tail[day]
    if last == END:
        head[day] = entry
    else:
        following[last] = entry
    tail[day] = entry
    return free
