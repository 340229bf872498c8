"""The behaviour draws: block-drawn uniforms, and the geometric wait by inversion."""

import math

import numpy as np
import pytest

from sim.draws import (
    Picker,
    Uniforms,
    chance,
    index,
    log_gamma,
    poisson,
    uniform,
    wait_days,
    wait_for_rate,
)


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


@pytest.mark.parametrize("mean", [0.3, 2.0, 9.999, 10.0, 17.5, 250.0, 40_000.0, 3e6])
def test_poisson_is_numpys_algorithm_restated_draw_for_draw(mean):
    # fed the generator's own uniforms, the counts are numpy's: the multiplication method
    # below 10, PTRS (with numpy's loggam) from 10
    stream = Uniforms(np.random.default_rng(11), block=97)
    mine = [poisson(stream, mean) for _ in range(5_000)]
    assert mine == np.random.default_rng(11).poisson(mean, 5_000).tolist()


def test_poisson_of_nothing_draws_nothing_and_log_gamma_is_exact_at_small_integers():
    stream = Uniforms(np.random.default_rng(5), block=4)
    assert poisson(stream, 0.0) == 0 and stream.random() == np.random.default_rng(5).random()
    for n in range(1, 40):  # log((n - 1)!) to the last few bits
        assert log_gamma(n) == pytest.approx(math.lgamma(n), rel=1e-14, abs=1e-14)


def test_take_hands_out_the_stream_in_order_across_blocks():
    stream = Uniforms(np.random.default_rng(3), block=7)
    drawn = [stream.random() for _ in range(5)]
    drawn += stream.take(2).tolist() + stream.take(30).tolist() + stream.take(0).tolist()
    drawn += [stream.random() for _ in range(4)]
    assert drawn == np.random.default_rng(3).random(41).tolist()


def test_order_is_a_uniformly_random_permutation():
    stream = Uniforms(np.random.default_rng(8))
    assert stream.order(1).tolist() == [0] and stream.order(0).tolist() == []
    firsts = np.zeros(5)
    for _ in range(20_000):
        order = stream.order(5)
        assert sorted(order.tolist()) == [0, 1, 2, 3, 4]
        firsts[order[0]] += 1
    assert firsts / 20_000 == pytest.approx([0.2] * 5, abs=0.015)
    # the order sorts the stream's next numbers: the same as sorting them by hand
    stream, again = Uniforms(np.random.default_rng(9)), np.random.default_rng(9).random(6)
    assert stream.order(6).tolist() == sorted(range(6), key=again.__getitem__)


def test_index_picks_each_of_n_equally_and_draws_nothing_for_one():
    stream = Uniforms(np.random.default_rng(2), block=3)
    assert index(stream, 1) == 0 and stream.random() == np.random.default_rng(2).random()
    picks = np.bincount([index(stream, 3) for _ in range(30_000)], minlength=3) / 30_000
    assert picks == pytest.approx([1 / 3] * 3, abs=0.015)


def test_the_compiled_draws_take_the_same_numbers_and_give_the_same_values():
    """chance and wait_days restated for compiled code (sim.draws) equal their
    Python twins on random inputs, number for number; certain outcomes draw nothing."""
    from sim.draws import chance_at, wait_days_at

    settings = np.random.default_rng(11)
    python, compiled = (
        Uniforms(np.random.default_rng(12), 64),
        Uniforms(np.random.default_rng(12), 64),
    )
    for _ in range(3000):
        probability = float(settings.choice([0.0, 1.0, 1.5, -0.2, settings.random()]))
        mean = float(settings.choice([0.5, 1.0, 1.0001, settings.random() * 400]))
        numbers, at = compiled.peek(2), np.zeros(1, np.int64)
        assert chance_at(numbers, at, probability) == chance(python, probability)
        assert wait_days_at(numbers, at, mean) == wait_days(python, mean)
        compiled.advance(int(at[0]))
        assert python.random() == compiled.random()


def test_peeking_hands_out_nothing_and_advancing_hands_out_what_was_peeked():
    stream = Uniforms(np.random.default_rng(9), block=4)
    expected = np.random.default_rng(9).random(40)
    assert stream.random() == expected[0]
    ahead = stream.peek(13)  # beyond the block: three more blocks drawn in one call
    assert ahead.tolist() == expected[1:14].tolist() and not ahead.flags.writeable
    stream.advance(5)
    assert stream.random() == expected[6]
    assert stream.take(3).tolist() == expected[7:10].tolist()
    with pytest.raises(ValueError):
        stream.advance(99)
    assert [stream.random() for _ in range(30)] == expected[10:40].tolist()


def test_the_compiled_choices_counts_and_waits_equal_their_twins():
    """Picker, uniform, index, poisson (both of numpy's algorithms) and wait_for_rate,
    restated for compiled code, give the same values from the same numbers on random inputs
    and leave the stream at the same place."""
    from sim.draws import index_at, pick_at, poisson_at, uniform_at, wait_for_rate_at

    settings = np.random.default_rng(21)
    python, compiled = Uniforms(np.random.default_rng(22)), Uniforms(np.random.default_rng(22))
    for _ in range(4000):
        weights = settings.random(int(settings.integers(1, 5))) * settings.choice([0, 1], 4)[0]
        weights = weights if weights.sum() else np.ones(len(weights))
        picker = Picker(weights.tolist())
        low = float(settings.random() * 3)
        high = low + float(settings.choice([0.0, -1.0, settings.random()]))
        mean = float(settings.choice([0.0, -1.0, 0.3, 4.0, 9.99, 10.0, 37.5, 2_000.0]))
        n = int(settings.integers(0, 7))
        rate = float(settings.choice([0.0, 1e-4, settings.random(), 3.0]))
        numbers, at = compiled.peek(400), np.zeros(1, np.int64)
        certain = -1 if picker.certain is None else picker.certain
        cumulative = np.array(picker.cumulative)
        assert pick_at(numbers, at, cumulative, certain) == picker(python)
        assert uniform_at(numbers, at, low, high) == uniform(python, low, high)
        assert index_at(numbers, at, n) == index(python, n)
        assert poisson_at(numbers, at, mean) == poisson(python, mean)
        wait = wait_for_rate(python, rate)
        assert wait_for_rate_at(numbers, at, rate) == (-1 if wait is None else wait)
        compiled.advance(int(at[0]))
        assert python.random() == compiled.random()


def test_compiled_draws_past_the_numbers_peeked_are_an_error():
    from sim.draws import next_uniform

    with pytest.raises(IndexError):
        next_uniform(np.zeros(2), np.array([2], np.int64))


def test_the_compiled_log_gamma_is_its_twin():
    from sim.draws import log_gamma_compiled

    for x in np.concatenate((np.arange(1.0, 40.0), np.random.default_rng(2).random(500) * 1e5 + 1)):
        assert log_gamma_compiled(float(x)) == log_gamma(float(x))
