"""The classic Ponzi fund member by member in fen (sim.core.ponzi_members) against the
aggregate (sim.core.ponzi): the same steps up to the fen each rounding drops, the money
exact at every step, the collapse where the closed form empties, and a case by hand."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core.ponzi import Fund, collapse_time, fund_by_steps, fund_closed_form
from sim.core.ponzi_members import PonziFund, Terms

FUNDS = [  # as test_ponzi_model's, in fen: K, r_p, r_n, r_w, s0 a year, r_i
    Fund(10_000_000.0, 0.10, 0.03, 0.05, 1_000_000.0, 0.0),
    Fund(0.0, 3.289, 0.0, 1.5, 113_000_000.0, 7.187),  # Ponzi's 1920 inflow, in fen
    Fund(100_000.0, 0.3, 0.05, 0.1, 100_000.0, 0.2),
    Fund(100_000.0, 0.2, 0.2, 0.2, 100_000.0, 0.5),
]


def members_run(fund: Fund, steps: int, steps_a_year: int = 365) -> PonziFund:
    """The member-level fund with one member a step depositing the step's inflow."""
    terms = Terms(*(Decimal(repr(r)) for r in (fund.promised, fund.nominal, fund.withdrawal)))
    ponzi = PonziFund(terms, round(fund.initial), steps_a_year)
    dt = 1 / steps_a_year
    for i in range(steps):
        deposit = round(fund.s0 * math.exp(fund.growth * (i + 0.5) * dt) * dt)
        ponzi.step({deposit: 1} if deposit else {})
    return ponzi


@pytest.mark.parametrize("fund", FUNDS)
def test_member_by_member_is_the_aggregate_to_the_fen(fund):
    """The members' dues, promises and the fund's returns carry their fractions of a fen,
    so the member-level fund differs from the aggregate's by what is carried (under a fen
    for each member and the fund) and the deposits' rounding to the fen (half a fen a
    step), grown at r_n: never by a rounding a step."""
    days = 400
    ponzi = members_run(fund, days)
    for day in (1, 10, 100, days):
        row = ponzi.steps[day - 1]
        if ponzi.collapsed_at is not None and day > ponzi.collapsed_at:
            break
        expected = fund_by_steps(fund, day / 365)
        carried = (day + 1) + 1 + day / 2  # members, the fund's return, deposits
        bound = carried * math.exp(fund.nominal * day / 365) + 1e-9 * abs(expected)
        assert abs(row.fund - expected) <= bound, (day, row.fund, expected)


def test_daily_members_are_the_closed_form_on_large_sums():
    fund = Fund(10**11, 0.10, 0.03, 0.05, 10**10, 0.0)  # a billion yuan, 100 million a year
    ponzi = members_run(fund, 365)
    assert ponzi.fund == pytest.approx(fund_closed_form(fund, 1.0), rel=1e-7)


def test_the_fund_collapses_when_the_closed_form_empties():
    """The issue's example promise: 100% a year, 5% earned, half the promise withdrawn a
    year, deposits of 100,000 yuan a year growing at 80%."""
    fund = Fund(10_000_000.0, 1.0, 0.05, 0.5, 10_000_000.0, 0.8)
    years = collapse_time(fund)
    ponzi = members_run(fund, math.ceil(years * 365) + 30)
    assert ponzi.collapsed_at is not None
    assert abs(ponzi.collapsed_at + 0.5 - years * 365) <= 1  # the step of the zero
    last = ponzi.steps[ponzi.collapsed_at]
    assert last.paid < last.due and ponzi.fund < len(ponzi.cohorts)  # a fen each at most
    after = ponzi.steps[ponzi.collapsed_at + 1 :]
    assert all(s.paid == 0 and s.deposits == 0 and s.fund == ponzi.fund for s in after)


def test_a_fund_by_hand():
    """r_p = r_w and r_n = 0 (no growth, no return), one step a year, r_w = 50%: 100 yuan
    at the start, a member of 10 yuan in the first step."""
    ponzi = PonziFund(Terms(Decimal("0.5"), Decimal(0), Decimal("0.5")), 10_000, 1)
    first = ponzi.step({1_000: 1})  # due: 10,000 x 50% and 1,000 x 50% / 2 (half a step)
    assert (first.due, first.paid, first.fund, first.promised) == (5_250, 5_250, 5_750, 11_000)
    second = ponzi.step({})  # due 5,000 + 500 of 5,750
    assert (second.due, second.paid, second.fund) == (5_500, 5_500, 250)
    third = ponzi.step({5_000: 2})  # due 5,500 of 250 + the new 2 x 1,250 = 10,250 held
    assert ponzi.collapsed_at is None and third.fund == 10_250 - 8_000
    fourth = ponzi.step({})  # due 5,500 + 2 x 2,500 = 10,500 of 2,250: each 2250/10500
    assert ponzi.collapsed_at == 3 and fourth.due == 10_500
    assert [c.paid for c in ponzi.cohorts] == [
        5_000 + 5_000 + 5_000 + 5_000 * 2_250 // 10_500,
        250 + 500 + 500 + 500 * 2_250 // 10_500,
        1_250 + 2_500 * 2_250 // 10_500,
    ]
    assert ponzi.step({1_000: 1}).deposits == 0  # collapsed: no more deposits


@settings(max_examples=200, deadline=None)
@given(
    rates=st.tuples(*[st.decimals("0", "5", places=3)] * 3),
    initial=st.integers(0, 10**9),
    deposits=st.lists(
        st.dictionaries(st.integers(1, 10**8), st.integers(1, 50), max_size=3), max_size=60
    ),
    steps_a_year=st.sampled_from([1, 12, 365]),
)
def test_the_money_is_exact_at_every_step(rates, initial, deposits, steps_a_year):
    ponzi = PonziFund(Terms(*rates), initial, steps_a_year)
    for step in deposits:
        row = ponzi.step(step)
        assert ponzi.entered + ponzi.earned == ponzi.paid + ponzi.fund
        assert ponzi.fund >= 0 and row.paid <= row.due
        assert sum(c.paid * c.count for c in ponzi.cohorts) == ponzi.paid
        assert sum(s.deposits for s in ponzi.steps) + initial == ponzi.entered
