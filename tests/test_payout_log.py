"""The payout log's folding: the coded payouts' kinds without sorting millions of rows, and
totals worked out once but never stale."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.distribution.base import Payout
from sim.distribution.payouts import PayoutLog, _distinct

NAMES = (("chain_direct", "chain_peer", "tier_dividend"), ("recruit", "sale", "dividend"))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(-(2**40), 2**40), max_size=60),
    st.integers(0, 2**50),
)
def test_the_distinct_kinds_are_numpys(values, shift):
    packed = np.array(values, np.int64) + shift  # near together, or spread out: both paths
    distinct, where = _distinct(packed)
    expected, inverse = np.unique(packed, return_inverse=True)
    assert distinct.tolist() == expected.tolist()
    assert where.tolist() == inverse.reshape(-1).tolist()


def test_the_distinct_kinds_of_a_dense_run():
    packed = np.array([5, 3, 5, 9, 3, 3], np.int64)
    distinct, where = _distinct(packed)
    assert distinct.tolist() == [3, 5, 9] and where.tolist() == [1, 0, 1, 2, 0, 0]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 50), st.integers(0, 2), st.integers(0, 70), st.integers(0, 2)),
        max_size=80,
    ),
    st.integers(1, 9),
)
def test_coded_payouts_sum_as_the_same_payouts_one_by_one(rows, flush_at):
    coded, plain = PayoutLog(flush_at=flush_at), PayoutLog()
    for start in range(0, len(rows), 7):  # a day's arrays at a time
        day = np.array(rows[start : start + 7], np.int64).reshape(-1, 4)
        member, rule, level, reason = day.T
        coded.add_coded(member, rule, level, reason, member * 3 + level + 1, NAMES)
    plain.add(
        Payout(m, m * 3 + lvl + 1, NAMES[0][r], lvl, NAMES[1][why]) for m, r, lvl, why in rows
    )
    x, y = coded.totals(), plain.totals()
    assert x.member.tolist() == y.member.tolist() and x.fen.tolist() == y.fen.tolist()
    assert x.rule == y.rule and x.reason == y.reason and x.level.tolist() == y.level.tolist()
    assert [x.kinds[k] for k in x.kind.tolist()] == list(
        zip(x.rule, x.level.tolist(), x.reason, strict=True)
    )


def test_totals_are_worked_out_again_after_a_payout():
    log = PayoutLog()
    log.add([Payout(4, 100, "chain_direct", 1, "sale")])
    first = log.totals()
    assert log.totals() is first  # the summary and the bonuses table read the same one
    log.add_coded(np.array([4]), np.array([0]), np.array([1]), np.array([1]), np.array([50]), NAMES)
    assert log.totals().fen.tolist() == [150]
    log.add([Payout(2, 7, "tier_dividend", 0, "dividend")])
    t = log.totals()
    assert t.member.tolist() == [2, 4] and t.fen.tolist() == [7, 150]
    assert t.rule == ["tier_dividend", "chain_direct"] and t.kinds == [
        ("chain_direct", 1, "sale"),
        ("tier_dividend", 0, "dividend"),
    ]
