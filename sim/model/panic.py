"""The panic triggers: the days on which panic sellers holding points may sell everything.

A trigger fires on a shock day, when the price grew less than ``below`` over the last
``window_days``, or when the share of holders who sold over a window exceeds ``above``
(herding). Only panic sellers who hold points are asked, and only on a day a trigger fires,
so the rest of the days cost nothing.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from sim.core.capacity import grown


class PanicTriggers:
    """What the triggers read (each day's closing price and sales) and who they would ask."""

    def __init__(self, spec) -> None:
        self.spec = spec  # the scenario's ``population.panic_seller`` section
        self._holding = np.zeros(0, bool)  # by member row: a panic seller holding points
        self.holders = 0  # how many
        self._prices: list[Fraction] = []
        self._sellers: list[int] = []

    def room(self, rows: int) -> None:
        """Flags for members up to ``rows`` (compiled code keeps them: :meth:`holding`)."""
        if rows > len(self._holding):
            holding = np.zeros(grown(len(self._holding), rows), bool)
            holding[: len(self._holding)] = self._holding
            self._holding = holding

    def track(self, member: int, held: int) -> None:
        """Keep ``member`` (a panic seller) among the holders while they hold points."""
        self.room(member)
        now = bool(held)
        if now != self._holding[member - 1]:
            self.holders += 1 if now else -1
            self._holding[member - 1] = now

    def holding(self) -> np.ndarray:
        """The flags by member row, for compiled code that keeps them (and adds the change
        in their number to :attr:`holders`)."""
        return self._holding

    def members(self) -> list[int]:
        """The panic sellers holding points, by id."""
        return self.member_ids().tolist()

    def member_ids(self) -> np.ndarray:
        """:meth:`members` as an array."""
        return np.flatnonzero(self._holding) + 1

    def close_day(self, price: Fraction, sales: int) -> None:
        """Record the day's closing price and number of sales."""
        self._prices.append(price)
        self._sellers.append(sales)

    def fire(self, day: int, holders: int) -> bool:
        """Whether a trigger fires on ``day`` (``holders``: members holding points)."""
        spec = self.spec
        if day in spec.shock_days:
            return True
        growth = spec.price_growth
        if growth is not None and day > growth.window_days:
            then, now = self._prices[day - 1 - growth.window_days], self._prices[day - 1]
            if then > 0 and float(now / then) - 1 < growth.below:
                return True
        herding = spec.herding
        if herding is not None and day > 0 and holders:
            recent = sum(self._sellers[-herding.window_days :])
            if recent / holders > herding.above:
                return True
        return False
