"""Artzrouni's (2009) Ponzi fund, the published model the classic-Ponzi comparison scheme is
checked against: the closed form solves the paper's equation, the day-by-day steps converge
to it, the collapse time is the closed form's first zero, and the 1920 fit gives the paper's
s0 = 1.130 and r_i = 7.187."""

from __future__ import annotations

import math

import pytest

from sim.core.ponzi import (
    Fund,
    collapse_time,
    fund_by_steps,
    fund_closed_form,
    ponzi_1920_inflow,
    required_growth,
    withdrawals,
)

FUNDS = [
    Fund(100.0, 0.10, 0.03, 0.05, 10.0, 0.0),  # the paper's introductory kind: 10% promised
    Fund(0.0, 3.289, 0.0, 1.5, 1.13, 7.187),  # Ponzi's 1920 inflow, 50% in 45 days promised
    Fund(1.0, 0.3, 0.05, 0.1, 1.0, 0.2),  # deposits grow at r_p - r_w exactly
    Fund(1.0, 0.2, 0.2, 0.2, 1.0, 0.5),  # r_p - r_w = 0 = ... and r_n = r_p
    Fund(50.0, 0.08, 0.08, 0.02, 0.0, 0.0),  # no new money, a legal fund
]


def test_the_1920_fit_gives_the_papers_figures():
    s0, ri = ponzi_1920_inflow()
    assert s0 == pytest.approx(1.130, abs=5e-4) and ri == pytest.approx(7.187, abs=5e-4)
    assert round(s0 * 1e6 / 365) == 3095  # the paper: an initial flow of $3,095 a day


@pytest.mark.parametrize("fund", FUNDS)
def test_the_closed_form_solves_the_papers_equation(fund):
    """S' = r_n S + s - W by a central difference, S(0) = K, W(0) = r_w K."""
    assert fund_closed_form(fund, 0.0) == pytest.approx(fund.initial, abs=1e-12)
    assert withdrawals(fund, 0.0) == pytest.approx(fund.withdrawal * fund.initial)
    for t in (0.1, 0.5, 2.0):
        h = 1e-5
        slope = (fund_closed_form(fund, t + h) - fund_closed_form(fund, t - h)) / (2 * h)
        deposits = fund.s0 * math.exp(fund.growth * t)
        expected = fund.nominal * fund_closed_form(fund, t) + deposits - withdrawals(fund, t)
        assert slope == pytest.approx(expected, rel=1e-6, abs=1e-6)


def test_a_hand_solved_fund():
    """No deposits and r_p = r_w: the withdrawals stay r_w K, so
    S(t) = (K - r_w K / r_n) e^{r_n t} + r_w K / r_n."""
    fund = Fund(100.0, 0.05, 0.02, 0.05, 0.0, 0.0)
    for t in (1.0, 10.0, 30.0):
        exact = (100 - 0.05 * 100 / 0.02) * math.exp(0.02 * t) + 0.05 * 100 / 0.02
        assert fund_closed_form(fund, t) == pytest.approx(exact, rel=1e-12)
    # it empties when e^{0.02 t} = 2.5/1.5: t = ln(5/3) / 0.02 = 25.54 years
    assert collapse_time(fund) == pytest.approx(math.log(5 / 3) / 0.02, rel=1e-9)


@pytest.mark.parametrize("fund", FUNDS)
def test_the_daily_steps_converge_to_the_closed_form(fund):
    t = 73 / 365  # a whole number of days, and of tenths of a day
    exact = fund_closed_form(fund, t)
    errors = [abs(fund_by_steps(fund, t, steps) - exact) for steps in (365, 3650, 36500)]
    scale = max(abs(exact), 1.0)
    assert errors[2] <= 1e-7 * scale
    assert errors[1] <= errors[0] / 50 or errors[0] <= 1e-12 * scale  # second order


def test_collapse_is_the_first_zero():
    fund = Fund(100.0, 0.10, 0.03, 0.05, 10.0, 0.0)
    when = collapse_time(fund)
    assert when is not None and 5 < when < 50
    assert fund_closed_form(fund, when) == pytest.approx(0.0, abs=1e-8)
    assert all(fund_closed_form(fund, when * i / 100) > 0 for i in range(1, 100))
    legal = Fund(50.0, 0.08, 0.08, 0.02, 0.0, 0.0)  # earns what it promises
    assert collapse_time(legal) is None


@pytest.mark.parametrize(
    ("promised", "nominal", "withdrawal", "initial"),
    [(0.292, 0.0, 0.292, 0.0), (1.0, 0.05, 0.5, 1.0), (0.5, 0.1, 0.1, 5.0), (0.3, 0.0, 0.6, 0.0)],
)
def test_deposits_must_grow_at_the_promised_rate(promised, nominal, withdrawal, initial):
    """Deposits growing 3% slower than the promise empty the fund (closed form); 3% faster,
    it lasts 200 years; a fund that earns its promise needs no new money at all."""
    needed = required_growth(promised, nominal)
    assert needed == promised

    def fund(growth: float) -> Fund:
        return Fund(initial, promised, nominal, withdrawal, 1.0, growth)

    assert collapse_time(fund(0.97 * needed), horizon=200) is not None
    assert collapse_time(fund(1.03 * needed), horizon=200) is None
    assert required_growth(0.08, 0.08) == 0.0
    assert collapse_time(Fund(50.0, 0.08, 0.08, 0.02, 0.0, 0.0), horizon=200) is None
