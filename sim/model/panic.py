"""The panic triggers: the days on which panic sellers holding points may sell everything.

A trigger fires on a shock day, when the price grew less than ``below`` over the last
``window_days``, or when the share of holders who sold over a window exceeds ``above``
(herding). Only panic sellers who hold points are asked, and only on a day a trigger fires,
so the rest of the days cost nothing.
"""

from __future__ import annotations

from fractions import Fraction


class PanicTriggers:
    """What the triggers read (each day's closing price and sales) and who they would ask."""

    def __init__(self, spec) -> None:
        self.spec = spec  # the scenario's ``population.panic_seller`` section
        self.holders: set[int] = set()  # panic sellers holding points
        self._prices: list[Fraction] = []
        self._sellers: list[int] = []

    def track(self, member: int, held: int) -> None:
        """Keep ``member`` (a panic seller) among the holders while they hold points."""
        if held:
            self.holders.add(member)
        else:
            self.holders.discard(member)

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
