"""The classic Ponzi scheme as Artzrouni (2009) models it: the aggregate equation, its closed
form for exponentially growing deposits, and the fit to Charles Ponzi's 1920 scheme — the
published model the comparison scheme ``classic_ponzi`` (issue 18) is checked against.

M. Artzrouni, "The mathematics of Ponzi schemes", Mathematical Social Sciences 58(2) (2009)
190–201 (MPRA Paper 14420). A fund starts with a deposit ``K`` and takes in deposits at the
rate ``s(t)`` a year; it promises the rate ``r_p`` and earns the nominal rate ``r_n``; its
investors withdraw at the rate ``r_w`` of their promised accumulated capital, so that the
withdrawals at time ``t`` are (the paper's equation (1))

    W(t) = r_w · [K·e^{(r_p − r_w)t} + ∫₀ᵗ s(u)·e^{(r_p − r_w)(t − u)} du],

and the fund ``S`` follows ``S′(t) = r_n·S(t) + s(t) − W(t)``, ``S(0) = K`` (section 2.1).
The fund collapses the first time ``S`` reaches 0.

Here, in floats (years and any money unit): :func:`fund_closed_form` solves the equation for
``s(t) = s₀·e^{r_i t}``; :func:`fund_by_steps` steps it day by day (the promised capital
``P`` grows at ``r_p − r_w`` and takes each day's deposits, ``W = r_w·P``), which converges to
the closed form as the step shrinks (the tests measure it); :func:`collapse_time` finds the
first zero; :func:`ponzi_1920_inflow` reproduces the paper's fit, ``s₀ ≈ 1.130`` and
``r_i ≈ 7.187`` (section 3: 26 Dec 1919 to 26 Jul 1920 = 217 days, which the paper rounds to
0.58 year; $10 M taken in, $0.2 M on the last day; years and millions of dollars).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

from scipy.optimize import brentq

PONZI_DAYS = 217  # 26 December 1919 to 26 July 1920
PONZI_YEARS = 0.58  # the paper's t* = 217/365, which it rounds to 0.58 and fits with
PONZI_TAKEN = 10.0  # million dollars deposited in all
PONZI_LAST_DAY = 0.2  # million dollars deposited on the last day


class Fund(NamedTuple):
    """The parameters of Artzrouni's fund (rates a year, continuous)."""

    initial: float  # K
    promised: float  # r_p
    nominal: float  # r_n
    withdrawal: float  # r_w
    s0: float  # deposits at t = 0, a year
    growth: float  # r_i: s(t) = s0·e^{r_i t}


def _grow(rate: float, t: float) -> float:
    """(e^{rate·t} − 1) / rate, and t when the rate is 0."""
    return t if abs(rate) < 1e-12 else math.expm1(rate * t) / rate


def withdrawals(fund: Fund, t: float) -> float:
    """W(t), equation (1), for exponential deposits."""
    a = fund.promised - fund.withdrawal
    accrued = fund.s0 * math.exp(a * t) * _grow(fund.growth - a, t)
    return fund.withdrawal * (fund.initial * math.exp(a * t) + accrued)


def fund_closed_form(fund: Fund, t: float) -> float:
    """S(t): the solution of S′ = r_n·S + s − W, S(0) = K, for s(t) = s₀·e^{r_i t}.

    With a = r_p − r_w, the deposits' promised capital at t is s₀·e^{a t}·G(r_i − a, t)
    where G(c, t) = (e^{ct} − 1)/c; integrating e^{r_n (t − u)}·(s(u) − W(u)) gives the sum
    below, each term a G of the difference of two rates (so that equal rates are exact)."""
    a, rn, ri, rw = fund.promised - fund.withdrawal, fund.nominal, fund.growth, fund.withdrawal
    k, s0 = fund.initial, fund.s0
    total = k * math.exp(rn * t)
    total += s0 * math.exp(rn * t) * _grow(ri - rn, t)  # the deposits, earning r_n
    # the withdrawals: r_w·K·e^{a u} and r_w·s0·e^{a u}·G(ri − a, u), carried at r_n to t
    total -= rw * k * math.exp(rn * t) * _grow(a - rn, t)
    if abs(ri - a) < 1e-12:  # G(0, u) = u: ∫ u·e^{(a − rn) u} du
        c = a - rn
        inner = t * t / 2 if abs(c) < 1e-12 else (t * math.exp(c * t) - _grow(c, t)) / c
    else:
        inner = (_grow(ri - rn, t) - _grow(a - rn, t)) / (ri - a)
    total -= rw * s0 * math.exp(rn * t) * inner
    return total


def fund_by_steps(fund: Fund, t: float, steps_a_year: int = 365) -> float:
    """S(t) stepped ``steps_a_year`` times a year: each step the fund earns r_n, takes the
    step's deposits and pays r_w of the promised capital, which grows at r_p − r_w and takes
    the same deposits (exact growth within a step, the flows at its middle)."""
    dt = 1.0 / steps_a_year
    fund_s, promised = fund.initial, fund.initial
    for i in range(round(t * steps_a_year)):
        middle = (i + 0.5) * dt
        deposit = fund.s0 * math.exp(fund.growth * middle) * dt
        half = math.exp((fund.promised - fund.withdrawal) * dt / 2)
        paid = fund.withdrawal * (promised * half + deposit / 2) * dt
        promised = promised * half * half + deposit * half
        fund_s = fund_s * math.exp(fund.nominal * dt) + (deposit - paid) * math.exp(
            fund.nominal * dt / 2
        )
    return fund_s


def collapse_time(
    fund: Fund, horizon: float = 50.0, of: Callable[[Fund, float], float] = fund_closed_form
) -> float | None:
    """The first time the fund is empty (years), or None if it lasts past ``horizon``."""
    grid = [horizon * i / 2000 for i in range(1, 2001)]
    before = 0.0
    for t in grid:
        if of(fund, t) <= 0:
            return brentq(lambda x: of(fund, x), before, t) if before else t
        before = t
    return None


def required_growth(promised: float, nominal: float) -> float:
    """The least growth ``r_i`` of exponential deposits with which the fund never empties: the
    promised rate ``r_p`` (0 if the fund earns what it promises, ``r_n >= r_p``: then it is no
    Ponzi). From :func:`fund_closed_form`: when ``r_i`` is the fastest rate, S(t) ≈
    s₀·e^{r_i t}·(1 − r_w/(r_i − r_p + r_w))/(r_i − r_n), which is positive iff ``r_i > r_p``,
    whatever ``K``, ``s₀`` and ``r_w``; below it the fund empties (the tests check both sides
    against :func:`collapse_time`)."""
    return 0.0 if nominal >= promised else promised


def ponzi_1920_inflow() -> tuple[float, float]:
    """(s₀, r_i) of the 1920 scheme: s₀·e^{r_i T} = 0.2·365 (the last day's deposits, as a
    rate a year) and s₀·(e^{r_i T} − 1)/r_i = 10 (all that was taken in), with the paper's
    T = 0.58 (217/365 = 0.5945 exactly: s₀ = 1.011, r_i = 7.199)."""
    horizon = PONZI_YEARS
    rate_at_end = PONZI_LAST_DAY * 365

    def gap(ri: float) -> float:
        s0 = rate_at_end * math.exp(-ri * horizon)
        return s0 * _grow(ri, horizon) - PONZI_TAKEN

    ri = brentq(gap, 0.1, 50.0)
    return rate_at_end * math.exp(-ri * horizon), ri
