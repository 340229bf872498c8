"""Arithmetic a user would not expect, counted as it happens and foreseen from the settings.

Two things the exact rules do that nobody reading a brochure expects:

- an order that mints **no points**: points are rounded down to the smallest unit
  (``points.decimals``), so once the price is high enough an order pays into the pool and
  gets nothing for it;
- a buyer **taking over a leftover pool**: when every point has been sold or forced out, the
  pool may still hold cash (the 20% every sale leaves, subsidies); price = pool ÷ points has
  no value then, and the next buyer's points are the only claim on all of it.

:class:`Surprises` counts both from the events the core applied (either core: they report
the same events); :func:`likely` names the settings that make them likely, for ``validate``.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from sim.core.mechanics import POOL

LEAST_UNITS = 100  # an order at the start price minting fewer units than this: a price
# that grows 100-fold (the break-even law asks for far more) makes orders mint nothing


@dataclass
class Surprises:
    """Orders that minted nothing, and buyers who took over a leftover pool (fen)."""

    minting_nothing: int = 0
    minting_nothing_fen: int = 0
    leftover_taken: int = 0
    leftover_taken_fen: int = 0

    def observe(self, event, mechanics) -> None:
        """Count one applied ``buy`` event (the book after it: ``pool``, ``points``)."""
        if event.points_delta == 0:
            self.minting_nothing += 1
            self.minting_nothing_fen += event.amount
        if event.points_delta and event.points == event.points_delta:  # none circulated before
            leftover = event.pool - mechanics.parts(event.amount)[POOL]
            if leftover > 0:
                self.leftover_taken += 1
                self.leftover_taken_fen += leftover


def likely(scenario) -> list[str]:
    """One line per setting of ``scenario`` that makes either surprise likely."""
    points, order = scenario.points, scenario.order
    grant_share = scenario.mechanics().grant_share
    units = grant_share * Fraction(order.amount) / Fraction(points.start_price)
    units *= 10**points.decimals
    found = []
    if units < LEAST_UNITS:
        found.append(
            f"points: an order of {order.amount} yuan mints {float(units):.4g} units at the start "
            f"price (points.decimals {points.decimals}): once the price grows "
            f"{float(max(units, 1)):.4g}-fold orders mint no points at all; use more decimals"
        )
    multiple = points.exit_multiple
    if multiple is not None:
        at_grant = Fraction(1) if points.exit_against == "grant_value" else grant_share
        if Fraction(multiple) <= at_grant:
            found.append(
                f"points.exit_multiple: {multiple} against {points.exit_against} is reached the "
                f"moment points are granted (they are worth {float(at_grant):.4g} of it then), "
                "so every buyer is forced out at once, the book empties and the next buyer "
                "takes over the leftover pool"
            )
    return found
