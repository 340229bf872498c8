"""Scenario discovery: which ranges of the swept parameters lead to collapse (PRIM).

Friedman and Fisher's Patient Rule Induction Method (1999), peeling only, as used for
scenario discovery (Bryant and Lempert 2010): start from the box holding every run; at each
step try to cut, on every parameter, the ``alpha`` share of the runs in the box with the
lowest or the highest values, and keep the cut that raises the share of "bad" runs in the
box the most per run removed; stop when the box would hold less than ``min_mass`` of the
runs. The result is the peeling trajectory and the box chosen from it: the largest box
(the earliest on the trajectory) whose density reaches ``threshold``, or the densest box
when none does.

Why our own ~100 lines: the maintained library (``ema_workbench``) pulls scikit-learn,
statsmodels, seaborn and an optimisation package in; the ``PRIM`` package is a single
2,400-line release tied to interactive matplotlib widgets. Pasting is not done: on the small
designs a batch holds it rarely moves a bound.

Discrete values (a grid sweeps 3 values) are peeled a whole level at a time: when the
``alpha`` quantile cuts no run off, the runs at the extreme value go.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class BoxStats:
    """One box: how many runs it holds and how well it separates the bad ones."""

    mass: float  # share of all runs inside the box
    density: float  # share of the runs inside that are bad
    coverage: float  # share of all bad runs that are inside
    runs: int
    limits: dict[str, tuple[float, float]]  # every parameter: lowest and highest value inside


@dataclass(frozen=True)
class PrimResult:
    box: BoxStats
    restricted: dict[str, tuple[float, float]]  # only the parameters the box narrows
    ranges: dict[str, tuple[float, float]]  # each parameter's full range in the runs
    trajectory: list[BoxStats]
    base_density: float  # share of bad runs overall
    ignored: list[str]  # parameters that are not numbers (not peeled)


def _stats(x: pd.DataFrame, y: np.ndarray, inside: np.ndarray) -> BoxStats:
    held = int(inside.sum())
    bad = int(y.sum())
    limits = {name: (float(x[name][inside].min()), float(x[name][inside].max())) for name in x}
    return BoxStats(
        mass=held / len(y),
        density=float(y[inside].mean()) if held else 0.0,
        coverage=float(y[inside].sum() / bad) if bad else 0.0,
        runs=held,
        limits=limits,
    )


def _peels(values: np.ndarray, alpha: float) -> list[np.ndarray]:
    """The two candidate cuts on one parameter (masks of runs to remove), low side first."""
    cuts = []
    low, high = np.quantile(values, alpha), np.quantile(values, 1 - alpha)
    for side, bound in (("low", low), ("high", high)):
        removed = values < bound if side == "low" else values > bound
        if not removed.any():  # ties at the quantile: remove the extreme level
            removed = values == (values.min() if side == "low" else values.max())
        cuts.append(removed)
    return cuts


def prim(
    x: pd.DataFrame,
    y,
    alpha: float = 0.05,
    min_mass: float = 0.05,
    threshold: float = 0.8,
) -> PrimResult:
    """Peel ``x`` (one row per run, one column per parameter) towards the runs where ``y`` is
    true; see the module docstring."""
    y = np.asarray(y, dtype=bool)
    if len(x) != len(y) or len(y) == 0:
        raise ValueError("x and y must describe the same, non-empty set of runs")
    numeric = [c for c in x.columns if pd.api.types.is_numeric_dtype(x[c])]
    ignored = [c for c in x.columns if c not in numeric]
    x = x[numeric].astype(float).reset_index(drop=True)
    inside = np.ones(len(y), dtype=bool)
    trajectory = [_stats(x, y, inside)]
    while True:
        current = y[inside].mean()
        best, best_key = None, None
        for order, name in enumerate(x.columns):
            values = x[name].to_numpy()[inside]
            if values.min() == values.max():
                continue
            for side, removed in enumerate(_peels(values, alpha)):
                kept = inside.copy()
                kept[np.flatnonzero(inside)[removed]] = False
                if kept.sum() / len(y) < min_mass or not kept.any():
                    continue
                gain = (y[kept].mean() - current) / removed.sum()
                key = (gain, kept.sum(), -order, -side)
                if best_key is None or key > best_key:
                    best, best_key = kept, key
        if best is None:
            break
        inside = best
        trajectory.append(_stats(x, y, inside))
    reaching = [box for box in trajectory if box.density >= threshold]
    box = reaching[0] if reaching else max(trajectory, key=lambda b: (b.density, b.mass))
    ranges = trajectory[0].limits
    restricted = {name: box.limits[name] for name in x if box.limits[name] != ranges[name]}
    return PrimResult(box, restricted, ranges, trajectory, float(y.mean()), ignored)


def describe_box(result: PrimResult) -> str:
    """The box in words: 'points.exit_multiple from 2 to 3 and inflow.half_life_days ≤ 20'."""
    parts = []
    for name, (low, high) in result.restricted.items():
        full_low, full_high = result.ranges[name]
        if low > full_low and high < full_high:
            parts.append(f"{name} from {low:g} to {high:g}")
        elif low > full_low:
            parts.append(f"{name} ≥ {low:g}")
        else:
            parts.append(f"{name} ≤ {high:g}")
    return " and ".join(parts) if parts else "the whole swept range"
