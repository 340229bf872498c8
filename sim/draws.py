"""The few random draws behaviour needs, each from the run's one generator.

A draw whose outcome is certain is not made (STYLE §5): a probability of 0 or 1, a single
choice, a wait of at most one day. So switching a behaviour fully on or off does not shift
the random stream of everything else in the run.
"""

from __future__ import annotations

import math
from bisect import bisect_right

import numpy as np


def chance(rng: np.random.Generator, probability: float) -> bool:
    if probability <= 0:
        return False
    if probability >= 1:
        return True
    return bool(rng.random() < probability)


def wait_days(rng: np.random.Generator, mean_days: float) -> int:
    """Whole days (>= 1) until something with the given mean waiting time happens."""
    if mean_days <= 1:
        return 1
    return int(rng.geometric(1 / mean_days))


def wait_for_rate(rng: np.random.Generator, per_day: float) -> int | None:
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

    def __call__(self, rng: np.random.Generator) -> int:
        if self.certain is not None:
            return self.certain
        return min(bisect_right(self.cumulative, rng.random()), len(self.cumulative) - 1)


def uniform(rng: np.random.Generator, low: float, high: float) -> float:
    if high <= low:
        return low
    return float(rng.uniform(low, high))
