"""The scheme's arithmetic (SPEC §1–4), each rule once, as pure functions over exact values.

Units: money in integer fen, points in integer units (``Mechanics.unit`` units per point),
prices as exact fractions in fen per unit, ratios as fractions. Every rounding goes the
pool's way — minted points and payouts are rounded down — so the pool always covers the
points at the posted price and rounding alone can never make the price fall.

The book (:mod:`sim.core.book`), the agents and the replay call these; the compiled kernel is
tested against them.
"""

from __future__ import annotations

from fractions import Fraction
from math import lcm
from typing import NamedTuple

Split = tuple[tuple[str, Fraction], ...]


class SplitTable(NamedTuple):
    """A split as integer numerators over one common denominator, computed once per scenario."""

    names: tuple[str, ...]
    numerators: tuple[int, ...]
    denominator: int


def split_table(split: Split) -> SplitTable:
    denominator = lcm(*(share.denominator for _, share in split))
    numerators = tuple(share.numerator * (denominator // share.denominator) for _, share in split)
    return SplitTable(tuple(name for name, _ in split), numerators, denominator)


def split_order(amount: int, split: Split | SplitTable) -> dict[str, int]:
    """Divide an order of ``amount`` fen into its named lines, to the fen, summing to ``amount``.

    Each line gets its share rounded down; the fen left over go one each to the lines with
    the largest remainders (earlier lines first on ties) — the largest-remainder method, so
    no fen is created or lost.
    """
    names, numerators, denominator = split if isinstance(split, SplitTable) else split_table(split)
    exact = [n * amount for n in numerators]  # each line's share, in fen x denominator
    parts = [e // denominator for e in exact]
    leftover = amount - sum(parts)
    if leftover:
        order = sorted(range(len(parts)), key=lambda i: (-(exact[i] % denominator), i))
        for i in order[:leftover]:
            parts[i] += 1
    return dict(zip(names, parts, strict=True))


def price(pool: int, points: int, empty_price: Fraction) -> Fraction:
    """Price = pool / points (fen per unit). With no points in circulation the formula has no
    value; the price is then ``empty_price``: the last price at which points circulated, or the
    start price before the first order. Whatever the pool still holds then goes, in effect, to
    the holders of the next points minted."""
    if points > 0:
        return Fraction(pool, points)
    return empty_price


def mint(contribution: int, price_before: Fraction, mint_ratio: Fraction, cap: int | None) -> int:
    """Points granted for an order: ``mint_ratio × contribution`` worth at the price before the
    order, rounded down to a unit, and at most ``cap`` units (the per-order cap lever)."""
    if price_before <= 0:
        raise ValueError("cannot mint points at a price of zero or less")
    granted = (mint_ratio.numerator * contribution * price_before.denominator) // (
        mint_ratio.denominator * price_before.numerator
    )
    if cap is not None:
        granted = min(granted, cap)
    return granted


def value(units: int, at_price: Fraction) -> Fraction:
    """What ``units`` points are worth at a price, in fen (exact)."""
    return units * at_price


def grant_value(units: int, at_price: Fraction) -> int:
    """The value of points when granted, booked to the fen (rounded down): the reference of
    the ``grant_value`` forced-exit basis ("2x the points' value at grant")."""
    return units * at_price.numerator // at_price.denominator


def sale_payout(units: int, at_price: Fraction, payout_ratio: Fraction) -> int:
    """Cash paid for selling ``units`` points: ``payout_ratio`` of their value, rounded down to
    the fen. The rest of the value stays in the pool."""
    return (payout_ratio.numerator * units * at_price.numerator) // (
        payout_ratio.denominator * at_price.denominator
    )


def exit_trigger(
    measure: int, reference: Fraction | int, cash: int, multiple: Fraction
) -> Fraction | None:
    """The price at which a member's cap is reached: ``measure × price + cash >= multiple ×
    reference``. ``measure`` is the points counted (held or obtained), ``reference`` the spend
    or grant value, ``cash`` the realised cash counted (0 when not counted). Returns the
    lowest such price (0 when already reached at any price), or None when points cannot
    reach it (no points counted)."""
    if measure <= 0:
        return None
    target = multiple.numerator * reference - multiple.denominator * cash  # x denominator
    if target <= 0:
        return Fraction(0)
    return Fraction(target, multiple.denominator * measure)


def cap_reached(
    measure: int, reference: Fraction | int, cash: int, multiple: Fraction, at_price: Fraction
) -> bool:
    """Whether the forced-exit test holds at ``at_price`` (the direct form of exit_trigger)."""
    return measure > 0 and measure * at_price + cash >= multiple * reference
