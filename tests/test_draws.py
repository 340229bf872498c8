"""The behaviour draws: block-drawn uniforms, and the geometric wait by inversion."""

import math

import numpy as np
import pytest

from sim.draws import Picker, Uniforms, chance, uniform, wait_days, wait_for_rate


def test_uniforms_hand_out_the_generators_numbers_in_order_across_blocks():
    stream = Uniforms(np.random.default_rng(7), block=5)
    drawn = [stream.random() for _ in range(12)]
    assert drawn == np.random.default_rng(7).random(15)[:12].tolist()


def test_certain_outcomes_draw_nothing():
    stream = Uniforms(np.random.default_rng(1), block=3)
    assert chance(stream, 0.0) is False and chance(stream, 1.0) is True
    assert wait_days(stream, 1.0) == 1 and wait_for_rate(stream, 0.0) is None
    assert Picker([0, 2, 0])(stream) == 1 and uniform(stream, 2.0, 2.0) == 2.0
    assert stream.random() == np.random.default_rng(1).random()


def test_wait_days_is_geometric_with_the_given_mean():
    stream = Uniforms(np.random.default_rng(3))
    waits = np.array([wait_days(stream, 10.0) for _ in range(100_000)])
    assert waits.min() == 1
    assert waits.mean() == pytest.approx(10.0, rel=0.02)
    # P(wait = 1) = p = 1/10 and P(wait > k) = (1 - p)^k
    assert (waits == 1).mean() == pytest.approx(0.1, abs=0.005)
    assert (waits > 20).mean() == pytest.approx(0.9**20, abs=0.005)


def test_wait_for_rate_waits_for_the_next_event_of_a_poisson_process():
    stream = Uniforms(np.random.default_rng(4))
    rate = 0.05
    waits = np.array([wait_for_rate(stream, rate) for _ in range(50_000)])
    # at least one event in a day has probability 1 - e^-rate: the daily success probability
    assert waits.mean() == pytest.approx(1 / -math.expm1(-rate), rel=0.03)


def test_picker_and_uniform_follow_their_weights_and_range():
    stream = Uniforms(np.random.default_rng(5))
    picks = np.bincount([Picker([1, 3])(stream) for _ in range(40_000)], minlength=2)
    assert picks[1] / picks.sum() == pytest.approx(0.75, abs=0.01)
    values = [uniform(stream, 1.5, 3.0) for _ in range(10_000)]
    assert min(values) >= 1.5 and max(values) < 3.0
    assert np.mean(values) == pytest.approx(2.25, abs=0.02)
