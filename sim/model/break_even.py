"""The count of members below break-even, kept as records change (not by a daily scan).

A member is *even* once the cash they got back plus the bonuses they were paid reach what
they spent. The daily row reports how many members have bought and how many are still
below break-even; each member's first break-even day goes into the members table.

The rule is one function, :func:`settle_row`, over the members' columns; compiled code calls
its numba twin :data:`settle_compiled`, compiled from the same source.
"""

from __future__ import annotations

import numpy as np
from numba import njit

BOUGHT, LOSING = 0, 1  # the places of the two counts in ``counts``


def settle_row(even, break_even_day, counts, row, spent, received, day):
    """Re-judge the member in ``row`` (their ``even`` and ``break_even_day`` columns) after a
    change to their record (``spent`` and ``received`` in fen), keeping ``counts`` (members
    who bought, and those below break-even); a member who never spent is not counted."""
    if not spent:
        return
    now = 1 if received >= spent else 0
    was = even[row]
    if now == was:
        return
    if was < 0:
        counts[BOUGHT] += 1
    elif was == 0:
        counts[LOSING] -= 1
    if now:
        if break_even_day[row] < 0:
            break_even_day[row] = day
    else:
        counts[LOSING] += 1
    even[row] = now


settle_compiled = njit(cache=True)(settle_row)


class BreakEvenCount:
    """Members who bought, and those of them below break-even, updated member by member."""

    def __init__(self) -> None:
        self.counts = np.zeros(2, np.int64)

    @property
    def bought(self) -> int:
        return int(self.counts[BOUGHT])

    @property
    def losing(self) -> int:
        return int(self.counts[LOSING])

    def settle(self, columns, member: int, spent: int, received: int, day: int) -> None:
        """Re-judge ``member`` in the members' ``columns`` (see :func:`settle_row`)."""
        settle_row(
            columns.even, columns.break_even_day, self.counts, member - 1, spent, received, day
        )
