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


def test_recruits_are_expected_from_the_reach_not_yet_used():
    """Referrers only (reach 1, recruiting at half a member a day): every newcomer brings one
    unit of reach and every recruit uses one, so the reach not used stays at the first 10
    members' 10, and 5 join a day until the market of 25 is full."""
    from sim.model.inflow import expected_members
    from sim.scenario.root import Scenario

    scenario = Scenario.from_dict(
        {
            "name": "t",
            "order": {"split": {"distribution": 0.7, "pool": 0.3}},
            "inflow": {"kind": "referral", "initial_members": 10, "market_size": 25},
            "population": {"mix": {"referrer": 1}, "referrer": {"reach": 1, "recruit_rate": 0.5}},
        }
    )
    assert [expected_members(scenario, days) for days in (0, 1, 2, 3, 4)] == [10, 15, 20, 25, 25]


@pytest.mark.parametrize("name", ["national-100k", "seed-generic-3x", "growth-then-decay"])
def test_a_run_holds_room_for_its_members_from_the_start(name):
    """The room a run holds from the start (walk-ins and referrers' recruits expected) is
    at least the members who join, and not much more: no array grows, and little is idle."""
    from sim.batch.run import simulate
    from sim.model.inflow import expected_room
    from sim.scenario.root import load_scenario
    from tests.conftest import SCENARIOS

    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    joined = simulate(scenario).model.joined
    room = expected_room(scenario, scenario.run.days)
    assert joined <= room <= 1.2 * joined
