"""The few random draws behaviour needs, each from one stream of uniform numbers.

A run draws every random quantity — chances, waits, choices, the day's arrivals, a
referrer's reach, the order of the day's stream — from one stream of uniforms on [0, 1), in
one order, each by an explicit algorithm written here: inversion, numpy's own Poisson
algorithms restated (:func:`poisson`), sorting by uniform keys (:meth:`Uniforms.order`). So
an engine that restates these functions over the same stream gives the same run, draw for
draw.

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
from numba import njit


class UniformSource(Protocol):
    def random(self) -> float: ...


class Uniforms:
    """Uniform numbers on [0, 1) from ``rng``, drawn ``block`` at a time and handed out in
    order: the same numbers, in the same order, as ``block`` scalar calls would give.

    The numbers are drawn into an array (compiled code reads them in bulk: :meth:`peek`, then
    :meth:`advance` past those it used); a Python caller takes them one at a time from a list
    made of the next block of it when needed (a list hands out a float fastest)."""

    def __init__(self, rng: np.random.Generator, block: int = 4096) -> None:
        self.rng = rng
        self.block = block
        self._array = np.zeros(0, np.float64)
        self._next = 0  # the next number to hand out, in the array
        self._numbers: list[float] = []  # the array from ``_listed`` on, as a list
        self._listed = 0

    def random(self) -> float:
        i = self._next - self._listed
        if not 0 <= i < len(self._numbers):
            if self._next == len(self._array):
                self._refill(1)
            self._listed, i = self._next, 0
            self._numbers = self._array[self._next : self._next + self.block].tolist()
        self._next += 1
        return self._numbers[i]

    def _refill(self, blocks: int) -> None:
        """Draw ``blocks`` more blocks behind the numbers not yet handed out (one call for
        many blocks gives the numbers as many calls would)."""
        fresh = self.rng.random(blocks * self.block)
        self._array = np.concatenate((self._array[self._next :], fresh))
        self._next = self._listed = 0
        self._numbers = []

    def peek(self, n: int) -> np.ndarray:
        """The next ``n`` numbers of the stream, without handing them out (a read-only view:
        :meth:`advance` past those used)."""
        short = n - (len(self._array) - self._next)
        if short > 0:
            self._refill(-(-short // self.block))
        view = self._array[self._next : self._next + n]
        view.flags.writeable = False
        return view

    def advance(self, n: int) -> None:
        """Hand out the next ``n`` numbers (read with :meth:`peek`)."""
        if not 0 <= n <= len(self._array) - self._next:
            raise ValueError(f"cannot advance {n} numbers past those peeked")
        self._next += n

    def take(self, n: int) -> np.ndarray:
        """The next ``n`` numbers of the stream, as an array (what ``n`` calls would give)."""
        out = self.peek(n).copy()
        self.advance(n)
        return out

    def order(self, n: int) -> np.ndarray:
        """A uniformly random order of ``0 .. n - 1``: the indices sorted by ``n`` uniform
        keys from the stream (stable, so the rare tie keeps index order); no draw for n < 2."""
        if n < 2:
            return np.arange(n)
        return np.argsort(self.take(n), kind="stable")


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


def index(rng: UniformSource, n: int) -> int:
    """An index in ``0 .. n - 1``, each equally likely, from one uniform (none when n == 1)."""
    if n <= 1:
        return 0
    return min(int(rng.random() * n), n - 1)


def poisson(rng: UniformSource, mean: float) -> int:
    """A Poisson count with the given mean: numpy's algorithms (``random_poisson``) restated
    over the stream, so the counts equal ``Generator.poisson``'s given the same uniforms —
    the multiplication method below a mean of 10, Hörmann's transformed rejection (PTRS,
    1993) from 10; no draw for a mean of 0 or less."""
    if mean <= 0:
        return 0
    if mean < 10:
        limit, count, product = math.exp(-mean), 0, 1.0
        while True:
            product *= rng.random()
            if product <= limit:
                return count
            count += 1
    root, log_mean = math.sqrt(mean), math.log(mean)
    b = 0.931 + 2.53 * root
    a = -0.059 + 0.02483 * b
    inverse_alpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)
    while True:
        u = rng.random() - 0.5
        v = rng.random()
        us = 0.5 - abs(u)
        k = math.floor((2 * a / us + b) * u + mean + 0.43)
        if us >= 0.07 and v <= vr:
            return k
        if k < 0 or (us < 0.013 and v > us):
            continue
        left = (math.log(v) if v > 0 else -math.inf) + math.log(inverse_alpha)
        if left - math.log(a / (us * us) + b) <= -mean + k * log_mean - log_gamma(k + 1):
            return k


_STIRLING = (
    8.333333333333333e-02,
    -2.777777777777778e-03,
    7.936507936507937e-04,
    -5.952380952380952e-04,
    8.417508417508418e-04,
    -1.917526917526918e-03,
    6.410256410256410e-03,
    -2.955065359477124e-02,
    1.796443723688307e-01,
    -1.39243221690590e00,
)


def log_gamma(x: float) -> float:
    """log Γ(x) for x > 0 as numpy computes it for the Poisson draw (``loggam``: a Stirling
    series, shifted up past 7). Compiled code calls :data:`log_gamma_compiled`, compiled
    from this source."""
    x = float(x)
    if x == 1.0 or x == 2.0:
        return 0.0
    shift = int(7 - x) if x <= 7.0 else 0
    x0 = x + shift
    x2 = 1.0 / (x0 * x0)
    series = _STIRLING[9]
    for i in range(8, -1, -1):
        series = series * x2 + _STIRLING[i]
    value = series / x0 + 0.5 * 1.8378770664093453 + (x0 - 0.5) * math.log(x0) - x0
    for _ in range(shift):
        value -= math.log(x0 - 1.0)
        x0 -= 1.0
    return value


def uniform(rng: UniformSource, low: float, high: float) -> float:
    """A number uniform on [low, high) (numpy's formula)."""
    if high <= low:
        return low
    return low + (high - low) * rng.random()


# -- the same draws for compiled code ----------------------------------------------------
# Compiled code cannot call a Python generator: it reads the stream's numbers from an array
# peeked ahead (Uniforms.peek) with a cursor ``at`` (a one-element array it moves on), and
# the caller hands out as many as were used (Uniforms.advance). Each function makes the same
# float operations on the same numbers as its Python twin above, and draws nothing where the
# twin draws nothing; the tests prove each equal to its twin on random inputs.


@njit(cache=True)
def next_uniform(u, at):  # pragma: no cover - compiled
    """The stream's next number (an error past those peeked: the caller peeks enough)."""
    if at[0] >= len(u):
        raise IndexError("the compiled draws ran past the numbers peeked")
    value = u[at[0]]
    at[0] += 1
    return value


@njit(cache=True)
def chance_at(u, at, probability):  # pragma: no cover - compiled
    """:func:`sim.draws.chance`."""
    if probability <= 0:
        return False
    if probability >= 1:
        return True
    return next_uniform(u, at) < probability


@njit(cache=True)
def wait_days_at(u, at, mean_days):  # pragma: no cover - compiled
    """:func:`sim.draws.wait_days`."""
    if mean_days <= 1:
        return 1
    return 1 + int(math.log1p(-next_uniform(u, at)) / math.log1p(-1 / mean_days))


@njit(cache=True)
def wait_for_rate_at(u, at, per_day):  # pragma: no cover - compiled
    """:func:`wait_for_rate`; -1 for None."""
    if per_day <= 0:
        return -1
    return wait_days_at(u, at, 1 / -math.expm1(-per_day))


@njit(cache=True)
def pick_at(u, at, cumulative, certain):  # pragma: no cover - compiled
    """:class:`Picker` (``cumulative``: its cumulative shares; ``certain``: its certain
    index, -1 for none)."""
    if certain >= 0:
        return certain
    value = next_uniform(u, at)
    i = 0
    while i < len(cumulative) and cumulative[i] <= value:  # bisect_right
        i += 1
    return min(i, len(cumulative) - 1)


@njit(cache=True)
def uniform_at(u, at, low, high):  # pragma: no cover - compiled
    """:func:`uniform`."""
    if high <= low:
        return low
    return low + (high - low) * next_uniform(u, at)


@njit(cache=True)
def index_at(u, at, n):  # pragma: no cover - compiled
    """:func:`index`."""
    if n <= 1:
        return 0
    return min(int(next_uniform(u, at) * n), n - 1)


log_gamma_compiled = njit(cache=True)(log_gamma)


@njit(cache=True)
def poisson_at(u, at, mean):  # pragma: no cover - compiled
    """:func:`poisson`."""
    if mean <= 0:
        return 0
    if mean < 10:
        limit, count, product = math.exp(-mean), 0, 1.0
        while True:
            product *= next_uniform(u, at)
            if product <= limit:
                return count
            count += 1
    root, log_mean = math.sqrt(mean), math.log(mean)
    b = 0.931 + 2.53 * root
    a = -0.059 + 0.02483 * b
    inverse_alpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)
    while True:
        x = next_uniform(u, at) - 0.5
        v = next_uniform(u, at)
        us = 0.5 - abs(x)
        k = math.floor((2 * a / us + b) * x + mean + 0.43)
        if us >= 0.07 and v <= vr:
            return k
        if k < 0 or (us < 0.013 and v > us):
            continue
        left = (math.log(v) if v > 0 else -math.inf) + math.log(inverse_alpha)
        if left - math.log(a / (us * us) + b) <= -mean + k * log_mean - log_gamma_compiled(k + 1.0):
            return k
