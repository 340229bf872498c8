"""Exact units: money in integer fen, points in integer units of ``10**-decimals`` points.

A platform books money to the fen and points to a fixed number of decimals, so the
simulator does too: every balance is an integer, the ledger balances exactly and the
price ``pool / points`` is an exact fraction. Values are converted to yuan and points
(floats) only for output. Input numbers are read from their decimal text, never through
a binary float, so ``0.3`` is exactly 3/10.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction

import numpy as np

FEN_PER_YUAN = 100
# the exact kinds of a table's columns, converted for output by :func:`to_output`
FEN, UNITS, PRICE = "fen", "units", "price"


def to_decimal(value: object, what: str) -> Decimal:
    """Read a number from YAML or CSV text exactly; bools and non-numbers are refused."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"expected {what}, got {value!r}")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"expected {what}, got {value!r}") from None
    else:
        raise ValueError(f"expected {what}, got {type(value).__name__} {value!r}")
    if not number.is_finite():
        raise ValueError(f"expected {what}, got {value!r}")
    return number


LARGEST_DIGITS = 15  # amounts and points below 10**16: far beyond any platform


def scaled(number: Decimal, places: int) -> int | None:
    """``number × 10**places`` as an exact integer, or None if it has more decimals.

    Exact whatever the size (Decimal arithmetic would round to 28 digits and silently drop
    a tenth of a fen above 10**26 yuan); callers bound the size first."""
    sign, digits, exponent = number.as_tuple()
    coefficient = int("".join(map(str, digits)) or "0")
    shift = int(exponent) + places
    if shift >= 0:
        result = coefficient * 10**shift
    elif coefficient and -shift > len(digits):
        return None  # a non-zero digit below the last place
    else:
        result, rest = divmod(coefficient, 10**-shift)
        if rest:
            return None
    return -result if sign else result


def _bounded(number: Decimal, what: str, value: object) -> Decimal:
    if number < 0:
        raise ValueError(f"expected {what} >= 0, got {value}")
    if number and number.adjusted() > LARGEST_DIGITS:
        raise ValueError(f"expected {what} below 1e{LARGEST_DIGITS + 1}, got {value}")
    return number


def yuan_to_fen(value: object, what: str = "an amount in yuan") -> int:
    """Yuan (at most 2 decimals) to integer fen; negative amounts are refused."""
    fen = scaled(_bounded(to_decimal(value, what), what, value), 2)
    if fen is None:
        raise ValueError(f"expected {what} with at most 2 decimals (whole fen), got {value}")
    return fen


def fen_to_yuan(fen: int | Fraction) -> float:
    """Fen to yuan for output (correctly rounded: int / int is exact then rounded once)."""
    if isinstance(fen, int):
        return fen / FEN_PER_YUAN
    return float(fen / FEN_PER_YUAN)


EXACT = 1 << 53  # integers below this are exact in a float64


def exact_ints(values, factor: int = 1) -> np.ndarray | None:
    """``values`` (a list of ints or an int64 array) as int64, or None if any of them times
    ``factor`` is not exact in a float."""
    if isinstance(values, np.ndarray):
        top = int(np.abs(values).max()) if len(values) else 0
        return values if top * factor < EXACT else None
    top = max(map(abs, values), default=0)
    return np.array(values, np.int64) if top * factor < EXACT else None


def divided(values, by) -> np.ndarray:
    """Integers over ``by`` (one integer, or one per value) as floats: each the correctly
    rounded quotient :func:`fen_to_yuan` and :func:`units_to_points` give, by numpy while
    both are exact in a float, else by Python (a column at a time, not a value)."""
    divisors = np.full(len(values), by, np.int64) if isinstance(by, int) else by
    whole, down = exact_ints(values), exact_ints(divisors)
    if whole is not None and down is not None:
        return whole / down
    pairs = zip(_ints(values), _ints(divisors), strict=True)
    return np.array([v / d for v, d in pairs], np.float64)


def prices_in_yuan(numerators, denominators, unit: int) -> np.ndarray:
    """Exact prices in fen per unit (numerator and denominator columns: lists of ints or
    int64 arrays) as yuan per point, each the correctly rounded quotient
    :func:`price_to_yuan` gives, by numpy while every operand is exact in a float."""
    num, den = exact_ints(numerators, unit), exact_ints(denominators, FEN_PER_YUAN)
    if num is not None and den is not None:
        return (num * unit) / (den * FEN_PER_YUAN)
    out, last, value = [], None, 0.0
    for pair in zip(_ints(numerators), _ints(denominators), strict=True):
        if pair != last:  # rows share the price of the last event: work each out once
            last, value = pair, (pair[0] * unit) / (pair[1] * FEN_PER_YUAN)
        out.append(value)
    return np.array(out, np.float64)


def _ints(values) -> list[int]:
    return values.tolist() if isinstance(values, np.ndarray) else list(values)


def points_to_units(value: object, unit: int, what: str = "a number of points") -> int:
    """Points to integer units (``unit`` units per point); refuses finer than one unit."""
    decimals = len(str(unit)) - 1
    units = scaled(_bounded(to_decimal(value, what), what, value), decimals)
    if units is None:
        raise ValueError(f"expected {what} with at most {decimals} decimals, got {value}")
    return units


def units_to_points(units: int | Fraction, unit: int) -> float:
    """Integer point units to points, for output."""
    if isinstance(units, int):
        return units / unit
    return float(Fraction(units) / unit)


def price_to_yuan(price: Fraction, unit: int) -> float:
    """An exact price in fen per unit to yuan per point, for output."""
    return (price.numerator * unit) / (price.denominator * FEN_PER_YUAN)


def to_output(value, kind: str | None, unit: int):
    """One exact value of ``kind`` (:data:`FEN`, :data:`UNITS`, :data:`PRICE`; anything else
    passes as it is) as the float a file or figure shows: yuan, points, yuan per point."""
    if kind == FEN:
        return fen_to_yuan(value)
    if kind == UNITS:
        return units_to_points(value, unit)
    if kind == PRICE:
        return price_to_yuan(value, unit)
    return value


def yuan_array(fen: np.ndarray) -> np.ndarray:
    """A column of integer fen as yuan: the same correctly rounded floats as
    :func:`fen_to_yuan` gives one by one (an int64 below 2**53 divided by 100)."""
    return np.asarray(fen, dtype=np.int64) / FEN_PER_YUAN
