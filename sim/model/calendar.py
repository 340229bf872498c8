"""Members' wake-ups by day (a repeat order, a comeback, a recruit), held in flat arrays.

Each day is a linked list of entries — ``head[day]`` and ``tail[day]`` name its first and
last, ``following[entry]`` the next — and an entry is a member and a reason, in two more
columns. Entries are kept in the order they were made, so members wake in that order, and a
day's entries go back to a free list once the day is read: the arrays' size follows the
wake-ups pending, not those ever made, and no Python object is kept per entry.

Compiled code adds wake-ups with :func:`add_entry` on entries reserved for it beforehand
(:meth:`Calendar.reserve`): it links them exactly as :meth:`Calendar.add` does.
"""

from __future__ import annotations

from array import array

import numpy as np
from numba import njit

REASONS = ("order", "recruit")
_CODE = {reason: code for code, reason in enumerate(REASONS)}
END = -1


class Calendar:
    """Wake-ups on days ``0 .. days - 1``."""

    def __init__(self, days: int) -> None:
        self.head = array("q", [END]) * max(days, 0)
        self.tail = array("q", [END]) * max(days, 0)
        self.member = array("q")
        self.reason = array("b")
        self.following = array("q")
        self._free = END  # the first reusable entry, the others linked through ``following``
        self._spare = 0  # entries in the free list

    def add(self, day: int, member: int, reason: str) -> None:
        """Wake ``member`` on ``day`` for ``reason``, after those already due that day."""
        entry = self._free
        if entry == END:
            entry = len(self.member)
            self.member.append(member)
            self.reason.append(_CODE[reason])
            self.following.append(END)
        else:
            self._free = self.following[entry]
            self._spare -= 1
            self.member[entry] = member
            self.reason[entry] = _CODE[reason]
            self.following[entry] = END
        last = self.tail[day]
        if last == END:
            self.head[day] = entry
        else:
            self.following[last] = entry
        self.tail[day] = entry

    def pop(self, day: int) -> list[tuple[int, str]]:
        """The day's wake-ups as ``(member, reason)`` in the order made; the day is emptied
        (a day past the calendar's has none)."""
        out: list[tuple[int, str]] = []
        if not 0 <= day < len(self.head):
            return out
        entry = self.head[day]
        while entry != END:
            out.append((self.member[entry], REASONS[self.reason[entry]]))
            following = self.following[entry]
            self.following[entry] = self._free
            self._free = entry
            self._spare += 1
            entry = following
        self.head[day] = self.tail[day] = END
        return out

    def reserve(self, n: int) -> None:
        """At least ``n`` entries in the free list, for compiled code to add to."""
        for _ in range(n - self._spare):
            entry = len(self.member)
            self.member.append(0)
            self.reason.append(0)
            self.following.append(self._free)
            self._free = entry
            self._spare += 1

    def arrays(self) -> tuple[np.ndarray, ...]:
        """``head``, ``tail``, ``member``, ``reason`` and ``following`` as arrays over the
        same memory, for compiled code (drop them before the calendar grows again)."""
        return (
            np.frombuffer(self.head, np.int64),
            np.frombuffer(self.tail, np.int64),
            np.frombuffer(self.member, np.int64),
            np.frombuffer(self.reason, np.int8),
            np.frombuffer(self.following, np.int64),
        )

    def used(self, free: int, taken: int) -> None:
        """Compiled code took ``taken`` reserved entries; ``free`` is the free list's head."""
        self._free = free
        self._spare -= taken

    def pending(self) -> int:
        """Wake-ups still to come (for tests and memory figures)."""
        free, entry = 0, self._free
        while entry != END:
            free += 1
            entry = self.following[entry]
        return len(self.member) - free


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
