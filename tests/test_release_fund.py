"""The daily-release scheme (消费全返) member by member in fen (sim.core.release): the
issue's three derived checks from simulation, a fund by hand, and the money exact on
random purchases."""

from __future__ import annotations

import math
from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core.release import (
    BUYER,
    MERCHANT,
    PROMOTER,
    ReleaseFund,
    ReleaseTerms,
    required_growth,
)

YUNLIANHUI = ReleaseTerms(
    Fraction(16, 100), Fraction(1), Fraction(16, 100), Fraction(44, 100), Fraction(5, 10_000)
)
WANJIA = ReleaseTerms(Fraction(16, 100), Fraction(1), rate=Fraction(2, 1000))


def test_a_yunlianhui_cohorts_fee_is_used_up_after_about_200_days():
    """No new money: the 16% fee pays 0.05% a day of 160% of the spend for 0.16 / 0.0008 =
    200 days."""
    fund = ReleaseFund(YUNLIANHUI)
    fund.step({100_000: 1_000})  # a thousand members buy 1,000 yuan each on day 0
    while fund.insolvent_at is None and len(fund.days) < 400:
        fund.step({})
    assert fund.insolvent_at == 201  # releases from day 1: days 1-200 paid in full
    day = fund.days[200]
    assert (
        day.paid == day.due == 80_000 and day.fund == 0 and fund.days[201].paid < fund.days[201].due
    )
    buyer = next(a for a in fund.accounts if a.holder == BUYER)
    assert buyer.released == 200 * 50  # 10% of the spend back, the rest owed
    assert {a.holder for a in fund.accounts} == {BUYER, MERCHANT, PROMOTER}


def test_a_geometric_release_halves_in_ln2_over_the_rate_days():
    terms = ReleaseTerms(Fraction(1), Fraction(1), rate=Fraction(5, 10_000), geometric=True)
    fund = ReleaseFund(terms)
    fund.step({10**10: 1})  # a hundred million yuan of points, paid for in full
    half = math.log(2) / 0.0005  # 1,386.3 days
    for _ in range(1_390):
        fund.step({})
    remaining = [d.outstanding for d in fund.days]
    first = next(i for i, left in enumerate(remaining) if left <= 10**10 // 2)
    # (1 - r)^n = 1/2 at n = ln 2 / -ln(1 - r), a third of a day below ln 2 / r
    assert abs(first - math.log(2) / -math.log(1 - 0.0005)) <= 1 and abs(first - half) <= 1


def test_wanjia_returns_the_full_spend_on_day_500():
    fund = ReleaseFund(WANJIA)
    fund.step({100_000: 1})
    fund.fund += 10**9  # enough money that nothing stops it
    for _ in range(520):
        fund.step({})
    buyer = fund.accounts[0]
    released = [0]
    for day in fund.days[1:]:
        released.append(released[-1] + day.paid)
    assert released[499] < 100_000 == released[500] == buyer.released
    assert fund.days[501].paid == 0 and buyer.remaining == 0


def test_a_fund_by_hand():
    """20% fee, 150% booked to the buyer, 10% a day linear, 5 yuan membership, 1% agents."""
    terms = ReleaseTerms(
        Fraction(1, 5),
        Fraction(3, 2),
        rate=Fraction(1, 10),
        membership_fee=500,
        agent_share=Fraction(1, 100),
    )
    fund = ReleaseFund(terms)
    first = fund.step({10_000: 2}, joiners=2)  # fees 2 x 2,000 + 1,000; agents 200
    assert (first.fees, first.memberships, first.agents, first.paid) == (4_000, 1_000, 200, 200)
    assert first.fund == 4_800 and first.outstanding == 30_000
    second = fund.step({})  # each releases 1,500: 3,000 of 4,800
    assert (second.due, second.paid, second.fund, second.outstanding) == (
        3_000,
        3_000,
        1_800,
        27_000,
    )
    third = fund.step({})  # 3,000 due of 1,800: insolvent, each gets 900
    assert fund.insolvent_at == 2 and third.paid == 1_800 and fund.unpaid == 1_200
    assert fund.accounts[0].released == 2_400
    assert fund.step({10_000: 5}).sales == 0  # nothing more is taken


@settings(max_examples=200, deadline=None)
@given(
    shares=st.tuples(*[st.fractions(0, 1, max_denominator=1000)] * 2),
    multiples=st.tuples(*[st.fractions(0, 3, max_denominator=100)] * 3),
    rate=st.fractions(Fraction(1, 10_000), Fraction(1, 2), max_denominator=10_000),
    geometric=st.booleans(),
    days=st.lists(
        st.tuples(
            st.dictionaries(st.integers(1, 10**7), st.integers(1, 30), max_size=3),
            st.integers(0, 5),
        ),
        max_size=40,
    ),
)
def test_the_money_is_exact_every_day(shares, multiples, rate, geometric, days):
    terms = ReleaseTerms(shares[0], *multiples, rate, geometric, 300, shares[1] / 10)
    fund = ReleaseFund(terms)
    for purchases, joiners in days:
        row = fund.step(purchases, joiners)
        assert fund.entered == fund.paid + fund.fund and fund.fund >= 0
        assert row.paid <= row.due
        paid = fund.to_agents + sum(a.released * a.count for a in fund.accounts)
        assert paid == fund.paid
        assert all(0 <= a.remaining <= a.booked for a in fund.accounts)


def _grown_stream(terms: ReleaseTerms, growth: float, days: int) -> ReleaseFund:
    """A fund fed sales of 100 members (1,000 yuan each) on day 0, growing e^{growth} a day."""
    fund = ReleaseFund(terms)
    for day in range(days):
        count = round(100 * math.exp(growth * day))
        fund.step({100_000: count}, count)
    return fund


def test_the_growth_a_release_scheme_needs():
    """云联惠 needs its sales to grow ln 1.005 a day (0.0008 of releases on 0.16 of fee),
    geometric release a little less (ln(1 + rate·M/c − rate)), 万家购物 about 1.24%; a scheme
    whose fee covers every promise needs none."""
    yunlianhui = ReleaseTerms(Fraction(16, 100), Fraction(1), Fraction(16, 100), Fraction(44, 100))
    assert required_growth(yunlianhui, 100_000) == pytest.approx(math.log(1.005), abs=2e-5)
    geometric = replace(yunlianhui, geometric=True)
    # e^{-g}·rate·M = c·(1 − (1 − rate)·e^{-g}): g = ln(1 + rate·M/c − rate)
    assert required_growth(geometric, 100_000) == pytest.approx(math.log(1.0045), rel=1e-9)
    wanjia = ReleaseTerms(Fraction(16, 100), Fraction(1), rate=Fraction(1, 500))
    assert 0.0123 < required_growth(wanjia, 100_000) < 0.0125
    assert required_growth(replace(wanjia, buyer=Fraction(1, 10)), 100_000) == 0.0
    fee = replace(wanjia, membership_fee=10_000)  # 100 yuan a member on 1,000: c = 0.26
    assert required_growth(fee, 100_000) < required_growth(wanjia, 100_000)


@pytest.mark.parametrize("geometric", [False, True], ids=["linear", "geometric"])
def test_below_the_growth_it_needs_the_fund_empties_and_above_it_lasts(geometric):
    """Simulated: sales growing 15% below the required growth leave the fund insolvent
    within 600 days; 15% above it, it pays every release to the end and keeps growing."""
    terms = ReleaseTerms(Fraction(1, 2), Fraction(1), rate=Fraction(1, 100), geometric=geometric)
    needed = required_growth(terms, 100_000)
    assert needed > 0
    assert _grown_stream(terms, 0.85 * needed, 600).insolvent_at is not None
    lasting = _grown_stream(terms, 1.15 * needed, 600)
    assert lasting.insolvent_at is None and lasting.unpaid == 0
    assert lasting.days[-1].fund > lasting.days[300].fund > 0
