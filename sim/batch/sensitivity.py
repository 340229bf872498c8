"""Sensitivity indices of a ``sobol`` or ``morris`` sweep (SALib): which swept value moves an
output most.

:func:`analyze` takes a scenario, its design points (e.g. read back from a batch) and one
output per point, checks the points are the scenario's own design (:mod:`sim.batch.designs`),
and returns :func:`sensitivity`'s Sobol' or Morris indices; the bootstrap of their confidence
intervals is seeded with ``sweep.seed``. SALib is imported only when an analysis needs it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np

from sim.batch.designs import design_points, salib_problem, salib_sample
from sim.errors import InputError
from sim.scenario.root import Scenario
from sim.scenario.sweep import SweepSection


def problem_spec(scenario: Scenario) -> dict[str, Any]:
    """The SALib problem of the sweep: ``num_vars``, ``names`` (dotted paths) and ``bounds``."""
    return salib_problem(_sweep_of(scenario))


def design_matrix(scenario: Scenario) -> np.ndarray:
    """The raw SALib sample of an ``lhs``, ``sobol`` or ``morris`` sweep: floats, one row per
    point, before rounding and typing (what :func:`SALib.analyze.morris.analyze` needs)."""
    sweep = _sweep_of(scenario)
    if sweep.design not in ("lhs", "sobol", "morris"):
        raise ValueError(f"a {sweep.design} design has no SALib sample")
    return salib_sample(sweep)


def analyze(
    scenario: Scenario,
    points: Sequence[dict[str, Any]],
    outputs: np.ndarray | Sequence[float],
    *,
    conf_level: float = 0.95,
    num_resamples: int = 100,
) -> dict[str, Any]:
    """Sensitivity indices of one output over a ``sobol`` or ``morris`` sweep.

    ``outputs`` holds one number per design point, ordered like ``points`` (which must be
    the scenario's design points, e.g. read back from a batch: numbers are compared to
    1e-9). The bootstrap of the confidence intervals is seeded with ``sweep.seed``. Returns
    :func:`sensitivity`'s dictionary.
    """
    sweep = _sweep_of(scenario)
    if sweep.design not in ("sobol", "morris"):
        raise InputError(
            f"sensitivity indices need a sobol or morris design, this sweep is {sweep.design}",
            key="sweep.design",
        )
    y = np.asarray(outputs, dtype=float)
    expected = design_points(scenario, check=False)
    if y.ndim != 1 or len(y) != len(expected):
        raise ValueError(f"expected {len(expected)} outputs, one per design point, got {y.shape}")
    if len(points) != len(expected) or not all(
        _close(a, b) for a, b in zip(points, expected, strict=True)
    ):
        raise ValueError("points are not the scenario's design points in design order")
    bad = np.flatnonzero(~np.isfinite(y))
    if bad.size:
        raise ValueError(f"outputs are not finite at points {bad[:10].tolist()}")
    return sensitivity(
        salib_problem(sweep),
        sweep.design,
        salib_sample(sweep),
        y,
        calc_second_order=sweep.calc_second_order,
        levels=sweep.levels,
        seed=sweep.seed,
        conf_level=conf_level,
        num_resamples=num_resamples,
    )


def _close(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if list(a) != list(b):
        return False
    for key, x in a.items():
        y = b[key]
        numbers = all(
            isinstance(v, int | float | Decimal) and not isinstance(v, bool) for v in (x, y)
        )
        if numbers:
            if not math.isclose(float(x), float(y), rel_tol=1e-9, abs_tol=1e-12):
                return False
        elif x != y:
            return False
    return True


def sensitivity(
    problem: dict[str, Any],
    method: str,
    x: np.ndarray,
    y: np.ndarray,
    *,
    calc_second_order: bool = False,
    levels: int = 4,
    seed: int = 0,
    conf_level: float = 0.95,
    num_resamples: int = 100,
) -> dict[str, Any]:
    """SALib's indices for a SALib ``problem``, its sample ``x`` and outputs ``y``.

    ``sobol``: ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (and ``S2``, ``S2_conf``, D x D
    lists, with ``calc_second_order``). ``morris``: ``mu``, ``mu_star``, ``mu_star_conf``,
    ``sigma`` (elementary effects per unit of the [0, 1]-scaled input). Every list follows
    ``names``; the values are plain floats (NaN where SALib has none).
    """
    names = list(problem["names"])
    problem = {**problem, "bounds": [list(b) for b in problem["bounds"]]}  # SALib may mutate
    if method == "sobol":
        from SALib.analyze import sobol

        found = sobol.analyze(
            problem,
            y,
            calc_second_order=calc_second_order,
            num_resamples=num_resamples,
            conf_level=conf_level,
            seed=seed,
        )
        keys = ["S1", "S1_conf", "ST", "ST_conf"]
        keys += ["S2", "S2_conf"] if calc_second_order else []
    elif method == "morris":
        from SALib.analyze import morris

        found = morris.analyze(
            problem,
            x,
            y,
            num_resamples=num_resamples,
            conf_level=conf_level,
            num_levels=levels,
            seed=seed,
        )
        keys = ["mu", "mu_star", "mu_star_conf", "sigma"]
    else:
        raise ValueError(f"no sensitivity indices for a {method} design")
    result: dict[str, Any] = {"method": method, "names": names}
    for key in keys:
        result[key] = np.ma.filled(np.ma.asarray(found[key], dtype=float), np.nan).tolist()
    return result


def _sweep_of(scenario: Scenario) -> SweepSection:
    if scenario.sweep is None:
        raise ValueError(f"scenario '{scenario.name}' declares no sweep")
    return scenario.sweep
