"""Whole columns of exact integers, and the exact sign of ``a + ratio * b`` for them.

A run's summary decides member by member whether a net result plus points (or goods)
valued at an exact fraction is above or below zero — for a million members. In Python
integers that is a loop a member; here float64 decides every member whose estimate is
further from zero than its rounding error can reach, and Python's integers decide the few
left (:func:`signs`). Columns are int64 while no sum over a column, nor of a few columns,
can overflow, and Python integers (numpy ``object``) past that (:func:`exact_columns`), so
every count and sum stays exact at any size.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

_ROOM = 2**60  # int64 room for a column's sum, four times over (a sum of four columns)
_EXACT_FLOAT = 2**53  # integers float64 holds exactly
_ROUNDING = 8 * 2.0**-53  # a few roundings of the estimate, relative, with room to spare
_TINY = 1e-300  # a subnormal ratio's absolute error times an int below 2**53, and more


def exact_columns(*columns) -> list[np.ndarray]:
    """``columns`` (of equal length) as int64 arrays, or as arrays of Python integers if a
    column's sum, or a sum of four columns, could leave int64."""
    arrays = [np.asarray(column) for column in columns]
    limit = _ROOM // max(1, *(len(a) for a in arrays))
    if all(_small(a, limit) for a in arrays):
        return [a.astype(np.int64, copy=False) for a in arrays]
    return [np.array([int(v) for v in a], dtype=object) for a in arrays]


def _small(a: np.ndarray, limit: int) -> bool:
    if a.dtype.kind not in "iu":
        return False
    return not len(a) or (int(a.max()) < limit and int(a.min()) > -limit)


def signs(a: np.ndarray, b: np.ndarray, ratio: Fraction) -> np.ndarray:
    """The sign (-1, 0, 1) of ``a[i] + ratio * b[i]`` for each ``i``, exact (``ratio`` >= 0;
    ``a`` and ``b`` columns from :func:`exact_columns`)."""
    ratio = Fraction(ratio)
    out = np.zeros(len(a), np.int8)
    if a.dtype == object or b.dtype == object:
        unsure = np.arange(len(a))
    else:
        try:
            r = float(ratio)
        except OverflowError:
            r = float("inf")
        af, term = a.astype(np.float64), r * b.astype(np.float64)
        estimate = af + term
        bound = _ROUNDING * (np.abs(af) + np.abs(term)) + _TINY
        sure = (np.abs(estimate) > bound) & (np.abs(a) < _EXACT_FLOAT) & (np.abs(b) < _EXACT_FLOAT)
        out[sure] = np.sign(estimate[sure])
        unsure = np.flatnonzero(~sure)
    p, q = ratio.numerator, ratio.denominator
    for i in unsure.tolist():
        value = q * int(a[i]) + p * int(b[i])
        out[i] = (value > 0) - (value < 0)
    return out
