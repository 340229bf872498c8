"""The count of members below break-even, kept as records change (not by a daily scan).

A member is *even* once the cash they got back plus the bonuses they were paid reach what
they spent. The daily row reports how many members have bought and how many are still
below break-even; each member's first break-even day goes into the members table.
"""

from __future__ import annotations


class BreakEvenCount:
    """Members who bought, and those of them below break-even, updated member by member."""

    def __init__(self) -> None:
        self.bought = 0
        self.losing = 0

    def settle(self, columns, member: int, spent: int, received: int, day: int) -> None:
        """Re-judge ``member`` (their ``even`` and ``break_even_day`` in the members'
        ``columns``) after a change to their record (``spent`` and ``received`` in fen); a
        member who never spent is not counted."""
        if not spent:
            return
        row = member - 1
        even = 1 if received >= spent else 0
        was = columns.even[row]
        if even == was:
            return
        if was < 0:
            self.bought += 1
        elif was == 0:
            self.losing -= 1
        if even:
            if columns.break_even_day[row] < 0:
                columns.break_even_day[row] = day
        else:
            self.losing += 1
        columns.even[row] = even
