"""Members' wake-ups by day (a repeat order, a comeback, a recruit), held in flat arrays.

Each day is a linked list of entries — ``head[day]`` and ``tail[day]`` name its first and
last, ``following[entry]`` the next — and an entry is a member and a reason, in two more
columns. Entries are kept in the order they were made, so members wake in that order, and a
day's entries go back to a free list once the day is read: the arrays' size follows the
wake-ups pending, not those ever made, and no Python object is kept per entry.
"""

from __future__ import annotations

from array import array

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
            entry = following
        self.head[day] = self.tail[day] = END
        return out

    def pending(self) -> int:
        """Wake-ups still to come (for tests and memory figures)."""
        free, entry = 0, self._free
        while entry != END:
            free += 1
            entry = self.following[entry]
        return len(self.member) - free
