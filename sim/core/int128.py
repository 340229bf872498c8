"""Exact integer maths for the compiled kernel: 128-bit products, floor division and ratio
comparisons on int64, compiled with numba.

The reference (:mod:`sim.core.rules`) computes with Python's unbounded integers and
:class:`~fractions.Fraction`; the kernel has int64 only. ``floor(a*b/c)`` is computed exactly
(a float estimate corrected with the remainder taken modulo 2**64, or a 128-bit long
division when the quotient is large) and ``a*b`` is compared with ``c*d`` in 128 bits
whenever float products are within a few ulps, so every result equals the reference's while
the operands stay below 2**62 (:data:`sim.core.kernel_book.LIMIT`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

TOLERANCE = 1e-15  # float products closer than this (relative) are compared exactly

_LOW = np.uint64(0xFFFFFFFF)
_SHIFT = np.uint64(32)
_ONE = np.uint64(1)
_BIG = 2.0**50
_BIG_DIVISOR = 2**60


@njit(cache=True, _nrt=False)
def mul128(a, b):
    """The 128-bit product of two non-negative int64 as (high, low) uint64 words."""
    ua = np.uint64(a)
    ub = np.uint64(b)
    a0 = ua & _LOW
    a1 = ua >> _SHIFT
    b0 = ub & _LOW
    b1 = ub >> _SHIFT
    p00 = a0 * b0
    p01 = a0 * b1
    p10 = a1 * b0
    mid = (p00 >> _SHIFT) + (p01 & _LOW) + (p10 & _LOW)
    low = (p00 & _LOW) | (mid << _SHIFT)
    high = a1 * b1 + (p01 >> _SHIFT) + (p10 >> _SHIFT) + (mid >> _SHIFT)
    return high, low


# Python's a * b < c * d on unbounded integers
@njit(cache=True, _nrt=False)
def cmp_products(a, b, c, d):
    """-1, 0 or 1 as a*b is below, equal to or above c*d (all non-negative int64)."""
    h1, l1 = mul128(a, b)
    h2, l2 = mul128(c, d)
    if h1 != h2:
        return -1 if h1 < h2 else 1
    if l1 != l2:
        return -1 if l1 < l2 else 1
    return 0


@njit(cache=True, _nrt=False)
def muldiv_long(a, b, c):
    """floor(a*b/c) by 128-bit long division (a, b >= 0; 0 < c < 2**63; result < 2**63)."""
    high, low = mul128(a, b)
    uc = np.uint64(c)
    remainder = high
    quotient = np.uint64(0)
    for bit in range(63, -1, -1):
        remainder = (remainder << _ONE) | ((low >> np.uint64(bit)) & _ONE)
        quotient = quotient << _ONE
        if remainder >= uc:
            remainder -= uc
            quotient |= _ONE
    return np.int64(quotient)


# the a * b // c of rules.mint, rules.sale_payout and rules.grant_value, in int64
@njit(cache=True, _nrt=False)
def muldiv(a, b, c):
    """floor(a*b/c), exactly, for a, b >= 0, 0 < c < 2**62 and a result below 2**63: a float
    estimate corrected with the remainder computed modulo 2**64 (exact while the estimate is
    off by a few and c is below 2**60), else a long division."""
    estimate = np.float64(a) * np.float64(b) / np.float64(c)
    if estimate >= _BIG or c >= _BIG_DIVISOR:
        return muldiv_long(a, b, c)
    q = np.int64(estimate)
    r = np.int64(np.uint64(a) * np.uint64(b) - np.uint64(q) * np.uint64(c))
    while r < 0:
        q -= 1
        r += c
    while r >= c:
        q += 1
        r -= c
    return q


# the comparison of two Fractions (Book._force_exits: trigger > price), in int64
@njit(cache=True, _nrt=False)
def ratio_cmp(n1, d1, n2, d2):
    """-1, 0 or 1 as n1/d1 is below, equal to or above n2/d2 (n >= 0, d > 0): float cross
    products, exact 128-bit ones when those are within a few ulps."""
    f1 = np.float64(n1) * np.float64(d2)
    f2 = np.float64(n2) * np.float64(d1)
    tol = TOLERANCE * max(f1, f2)
    if f1 < f2 - tol:
        return -1
    if f1 > f2 + tol:
        return 1
    return cmp_products(n1, d2, n2, d1)
