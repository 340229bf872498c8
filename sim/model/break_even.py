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

    def settle(self, agent, spent: int, received: int, day: int) -> None:
        """Re-judge ``agent`` after a change to their record (``spent`` and ``received`` in
        fen); a member who never spent is not counted."""
        if not spent:
            return
        even = received >= spent
        was = agent.even
        if even is was:
            return
        if was is None:
            self.bought += 1
        elif was is False:
            self.losing -= 1
        if even:
            if agent.break_even_day is None:
                agent.break_even_day = day
        else:
            self.losing += 1
        agent.even = even
