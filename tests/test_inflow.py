"""Arrival processes against their closed forms."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from sim.model.inflow import Arrivals, expected_arrivals


def spec(**kw):
    base = dict(
        kind="constant",
        rate=10.0,
        growth=0.0,
        decay_start_day=None,
        half_life_days=None,
        market_size=None,
        innovation=0.01,
        imitation=0.3,
        noise="none",
    )
    base.update(kw)
    return SimpleNamespace(**base)


def test_closed_forms():
    assert expected_arrivals(spec(), 100, 0) == 10
    assert expected_arrivals(spec(kind="exponential", growth=0.01), 70, 0) == pytest.approx(
        10 * 1.01**70
    )
    decay = spec(kind="growth_decay", growth=0.02, decay_start_day=50, half_life_days=10)
    peak = 10 * 1.02**50
    assert expected_arrivals(decay, 50, 0) == pytest.approx(peak)
    assert expected_arrivals(decay, 60, 0) == pytest.approx(peak / 2)
    assert expected_arrivals(decay, 80, 0) == pytest.approx(peak / 8)
    bass = spec(kind="bass", market_size=1000, innovation=0.01, imitation=0.5)
    assert expected_arrivals(bass, 0, 0) == pytest.approx(10)  # p * M
    assert expected_arrivals(bass, 9, 400) == pytest.approx((0.01 + 0.5 * 0.4) * 600)
    assert expected_arrivals(bass, 9, 1000) == 0
    assert expected_arrivals(spec(kind="referral"), 5, 0) == 0
    assert expected_arrivals(spec(market_size=105), 1, 100) == 5  # the cap binds


def test_without_noise_fractions_carry_over_exactly():
    arrivals = Arrivals(spec(rate=2.5), np.random.default_rng(0))
    counts = [arrivals.draw(day, 0) for day in range(10)]
    assert counts == [2, 3] * 5


def test_poisson_noise_has_the_right_mean_and_draws_nothing_when_certain():
    rng = np.random.default_rng(1)
    arrivals = Arrivals(spec(rate=20.0, noise="poisson"), rng)
    counts = np.array([arrivals.draw(day, 0) for day in range(4000)])
    assert counts.mean() == pytest.approx(20, abs=4 * np.sqrt(20 / 4000))
    assert counts.var() == pytest.approx(20, rel=0.1)
    quiet = Arrivals(spec(kind="none", noise="poisson"), rng)
    state = rng.bit_generator.state
    assert [quiet.draw(day, 0) for day in range(5)] == [0] * 5
    assert rng.bit_generator.state == state


def test_bass_diffusion_fills_the_market():
    bass = spec(kind="bass", market_size=5000, innovation=0.01, imitation=0.4)
    arrivals = Arrivals(bass, np.random.default_rng(2))
    joined = 0
    for day in range(400):
        joined += arrivals.draw(day, joined)
    assert joined == 5000
