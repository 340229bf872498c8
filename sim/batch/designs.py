"""The design points of a scenario's sweep, and the scenario each point runs.

A sweep (:mod:`sim.scenario.sweep`) names dotted paths and a design; here the design becomes
its points, one ``{dotted path: value}`` each, in design order (:func:`design_points`), and
each point becomes one variant of the scenario (:func:`apply_point`); a batch runs each point
for every replicate.

The design is a pure function of the section: the same YAML and ``sweep.seed`` give the same
points in the same order (SALib and numpy get the seed explicitly; no global random state).
Values are typed like the field they set (:func:`sim.scenario.sweep.typed`,
:func:`sim.scenario.sweep.rounded`). Every point is validated as a whole scenario, once
(:func:`load_variants` keeps the validated variants, so a batch need not validate them
again), and a point that breaks a rule is one located :class:`~sim.errors.InputError` naming
the parameter and the point's index.

SALib (and scipy) are imported only when a design needs them, so reading a scenario stays
fast.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import InputError
from sim.scenario.points import apply_point
from sim.scenario.reader import Lines, load_yaml
from sim.scenario.root import Scenario
from sim.scenario.sweep import (
    SweepParameter,
    SweepSection,
    grid_column,
    rounded,
    target_kind,
    typed,
)


def design_points(
    scenario: Scenario,
    *,
    source: str | Path | None = None,
    lines: Lines | None = None,
    check: bool = True,
) -> list[dict[str, Any]]:
    """The sweep's points, in design order: one ``{dotted path: value}`` per point.

    Without a sweep, one empty point (the scenario itself). With ``check`` every point is
    applied to the scenario and validated; the first that breaks a rule raises one
    :class:`InputError` located (with ``source``/``lines``) at its parameter.
    """
    sweep = scenario.sweep
    if sweep is None:
        return [{}]
    data = scenario.model_dump()
    kinds = {path: target_kind(path, data, type(scenario)) for path in sweep.names()}
    columns = _columns(sweep, kinds)
    if sweep.design == "grid":
        rows = list(itertools.product(*columns))
    else:
        rows = list(zip(*columns, strict=True))
    points = [dict(zip(sweep.names(), row, strict=True)) for row in rows]
    if check:
        design_variants(scenario, points, source=source, lines=lines)
    return points


def design_variants(
    scenario: Scenario,
    points: list[dict[str, Any]],
    *,
    source: str | Path | None = None,
    lines: Lines | None = None,
) -> list[Scenario]:
    """The scenario each point runs, in the points' order, each validated once (an empty
    point is the scenario itself); the first point that breaks a rule raises."""
    return [
        apply_point(scenario, point, index=index, source=source, lines=lines) if point else scenario
        for index, point in enumerate(points)
    ]


def load_design(path: str | Path) -> tuple[Scenario, list[dict[str, Any]]]:
    """Read a scenario file and its checked design points; every error names its line."""
    scenario, points, _ = load_variants(path)
    return scenario, points


def load_variants(
    path: str | Path, most: int | None = None, why: str = ""
) -> tuple[Scenario, list[dict[str, Any]], list[Scenario]]:
    """:func:`load_design`, with the scenario each point runs (validated once, while checking
    the points: what a batch runs). More than ``most`` points is refused (with ``why``)
    before any point is validated."""
    data, lines = load_yaml(path)
    scenario = Scenario.from_dict(data, source=path, lines=lines)
    points = design_points(scenario, check=False)
    if most is not None and len(points) > most:
        raise InputError(f"the sweep has {len(points):,} points; {why}", file=path, key="sweep")
    return scenario, points, design_variants(scenario, points, source=path, lines=lines)


# --- the columns of each design -----------------------------------------------------------


def _columns(sweep: SweepSection, kinds: dict[str, str]) -> list[list[Any]]:
    """One list of typed values per parameter, in declaration order."""
    if sweep.design == "grid":
        return [grid_column(path, spec, kinds[path]) for path, spec in sweep.parameters]
    if sweep.design == "random":
        rng = np.random.default_rng(sweep.seed)
        n = sweep.samples or 0
        columns = []
        for path, spec in sweep.parameters:  # column by column: adding one keeps the others
            if spec.values is not None:
                picks = rng.integers(len(spec.values), size=n)
                columns.append([typed(spec.values[int(i)], kinds[path]) for i in picks])
            else:
                low, high = spec.bounds()
                draws = rng.uniform(float(low), float(high), size=n)
                columns.append([_from_float(x, spec, kinds[path]) for x in draws])
        return columns
    matrix = salib_sample(sweep)
    return [
        [_from_float(x, spec, kinds[path]) for x in matrix[:, j]]
        for j, (path, spec) in enumerate(sweep.parameters)
    ]


def _from_float(x: float, spec: SweepParameter, kind: str) -> int | float | Decimal:
    """A sampled float as the field's type, kept within [low, high]."""
    low, high = spec.bounds()
    exact = min(max(Decimal(repr(float(x))), low), high)  # a scaled 1.0 may overshoot by 1 ulp
    return rounded(exact, spec, kind)


def salib_problem(sweep: SweepSection) -> dict[str, Any]:
    """The SALib problem of a sweep: ``num_vars``, ``names`` (dotted paths) and ``bounds``."""
    bounds = []
    for path, spec in sweep.parameters:
        if not spec.is_range:
            raise ValueError(f"sweep parameter '{path}' has values, not a range low/high")
        low, high = spec.bounds()
        bounds.append([float(low), float(high)])
    return {"num_vars": len(bounds), "names": sweep.names(), "bounds": bounds}


def salib_sample(sweep: SweepSection) -> np.ndarray:
    """SALib's raw sample of an ``lhs``, ``sobol`` or ``morris`` sweep: floats, one row per
    point, before rounding and typing."""
    problem, n, seed = salib_problem(sweep), sweep.samples or 0, sweep.seed
    if sweep.design == "lhs":
        from SALib.sample import latin

        return latin.sample(problem, n, seed=seed)
    if sweep.design == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, n, calc_second_order=sweep.calc_second_order, seed=seed)
    if sweep.design == "morris":
        from SALib.sample import morris

        return morris.sample(problem, n, num_levels=sweep.levels, seed=seed)
    raise ValueError(f"a {sweep.design} design has no SALib sample")
