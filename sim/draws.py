"""The few random draws behaviour needs, each from the run's one generator.

A draw whose outcome is certain is not made (STYLE §5): a probability of 0 or 1, a single
choice, a wait of at most one day. So switching a behaviour fully on or off does not shift
the random stream of everything else in the run.

Behaviour draws one uniform number at a time, hundreds of thousands of times a run; a scalar
call into numpy costs about a microsecond, so :class:`Uniforms` takes them from the
generator in blocks. Every function here accepts it or a plain generator (anything with
``random()``).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from typing import Protocol

import numpy as np


class UniformSource(Protocol):
    def random(self) -> float: ...


class Uniforms:
    """Uniform numbers on [0, 1) from ``rng``, drawn ``block`` at a time and handed out in
    order: the same numbers, in the same order, as ``block`` scalar calls would give."""

    def __init__(self, rng: np.random.Generator, block: int = 4096) -> None:
        self.rng = rng
        self.block = block
        self._numbers: list[float] = []
        self._next = 0

    def random(self) -> float:
        if self._next == len(self._numbers):
            self._numbers = self.rng.random(self.block).tolist()
            self._next = 0
        self._next += 1
        return self._numbers[self._next - 1]


def chance(rng: UniformSource, probability: float) -> bool:
    if probability <= 0:
        return False
    if probability >= 1:
        return True
    return rng.random() < probability


def wait_days(rng: UniformSource, mean_days: float) -> int:
    """Whole days (>= 1) until something with the given mean waiting time happens: a
    geometric draw with success probability 1/mean, by inversion of one uniform number."""
    if mean_days <= 1:
        return 1
    return 1 + int(math.log1p(-rng.random()) / math.log1p(-1 / mean_days))


def wait_for_rate(rng: UniformSource, per_day: float) -> int | None:
    """Whole days (>= 1) until the next event of a Poisson process with ``per_day`` events a
    day; None if the rate is zero."""
    if per_day <= 0:
        return None
    return wait_days(rng, 1 / -math.expm1(-per_day))


class Picker:
    """Draws an index with fixed probabilities (no draw when only one is possible)."""

    def __init__(self, weights) -> None:
        total = float(sum(weights))
        self.certain = next((i for i, w in enumerate(weights) if w == total), None)
        running, self.cumulative = 0.0, []
        for weight in weights:
            running += weight / total
            self.cumulative.append(running)

    def __call__(self, rng: UniformSource) -> int:
        if self.certain is not None:
            return self.certain
        return min(bisect_right(self.cumulative, rng.random()), len(self.cumulative) - 1)


def uniform(rng: UniformSource, low: float, high: float) -> float:
    """A number uniform on [low, high) (numpy's formula)."""
    if high <= low:
        return low
    return low + (high - low) * rng.random()
