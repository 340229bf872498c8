"""The summary's member-by-member signs on whole columns (``sim.core.exact_sign``): float64
where it is sure, Python integers for the rest, always the exact answer — checked against
Python's integers on random columns built to cancel to within a fen of zero."""

from __future__ import annotations

from fractions import Fraction
from math import floor

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core.exact_sign import exact_columns, signs


def exact(a: int, b: int, ratio: Fraction) -> int:
    value = a + ratio * b
    return (value > 0) - (value < 0)


ratios = st.one_of(
    st.just(Fraction(0)),
    st.fractions(min_value=0, max_value=10**6),
    st.builds(Fraction, st.integers(1, 10**40), st.integers(1, 10**40)),  # a price's fraction
    st.builds(Fraction, st.integers(1, 3), st.integers(10**320, 10**330)),  # below float's range
)
members = st.lists(
    st.tuples(st.integers(-(2**55), 2**55), st.integers(0, 2**55), st.integers(-2, 2)),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(ratios, members)
def test_signs_are_the_exact_signs(ratio, rows):
    """Half the members are built to cancel: ``a`` is ``-ratio * b`` rounded, plus -2..2
    (where that fits in int64)."""
    a_values = []
    for i, (a, b, nudge) in enumerate(rows):
        cancelling = -floor(ratio * b) + nudge
        a_values.append(cancelling if i % 2 == 0 and abs(cancelling) < 2**62 else a)
    b_values = [b for _, b, _ in rows]
    a, b = exact_columns(np.array(a_values, np.int64), np.array(b_values, np.int64))
    got = signs(a, b, ratio)
    assert got.tolist() == [exact(x, y, ratio) for x, y in zip(a_values, b_values, strict=True)]


def test_a_price_a_hair_off_zero_is_decided_exactly():
    """A net of -1,000,000 fen against points worth 1,000,000 fen less one part in 10**30:
    float64 cannot tell; the answer is still below zero."""
    ratio = Fraction(10**30 - 1, 10**30)
    a, b = np.array([-1_000_000], np.int64), np.array([1_000_000], np.int64)
    assert signs(a, b, ratio).tolist() == [-1]
    assert signs(a, b, Fraction(1)).tolist() == [0]


def test_where_float64_gets_the_sign_wrong_the_integers_decide():
    """Found by search: float64 puts this member a fen above zero; exactly, they are 0.016
    fen below it (the ratio's own rounding, times a value near 2**53)."""
    ratio = Fraction(1173572797993187, 1137433243832681)
    a, b = -7486961476959909, 7256404454628700
    assert float(a) + float(ratio) * float(b) == 1.0  # what float64 alone would say
    assert signs(np.array([a]), np.array([b]), ratio).tolist() == [-1]


def test_columns_that_could_overflow_become_python_integers():
    small = exact_columns(np.array([2**40, -(2**40)]), np.array([1, 2]))
    assert all(column.dtype == np.int64 for column in small)
    big = np.array([2**62, 2**62], np.int64)
    wide, other = exact_columns(big, np.array([1, 2]))
    assert wide.dtype == object and other.dtype == object
    assert int(wide.sum()) == 2**63  # past int64, exact
    assert signs(wide, other, Fraction(1, 3)).tolist() == [1, 1]
