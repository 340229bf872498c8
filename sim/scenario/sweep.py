"""Sweeps: the ``sweep`` section of a scenario, its design points and their sensitivity indices.

A sweep varies some of the scenario's own values, named by their dotted path
(``points.exit_multiple``, ``order.split.pool``, ``stress.subsidies.0.amount``), over a
design: ``grid`` (the cartesian product of each parameter's values, the last parameter
varying fastest), ``random`` (independent uniform draws), ``lhs`` (Latin hypercube),
``sobol`` (Saltelli's extension of the Sobol' sequence) or ``morris`` (Morris trajectories).
The last three come from SALib, which also computes the Sobol' and Morris indices
(:func:`analyze`). Each point of the design is one variant of the scenario
(:func:`apply_point`); a batch runs each point for every replicate.

The design is a pure function of the section: the same YAML and ``sweep.seed`` give the same
points in the same order (SALib and numpy get the seed explicitly; no global random state).
Values are typed like the field they set: whole numbers for counts and days (rounded to the
nearest, halves to even), exact ``Decimal`` for money and shares (the shortest repr of the
sampled float, or exact grid steps), ``float`` for rates. Every point is validated as a whole
scenario, and a point that breaks a rule is one located :class:`~sim.errors.InputError`
naming the parameter and the point's index.

SALib (and scipy) are imported only when a design or an analysis needs them, so reading a
scenario stays fast.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args, get_origin

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    PlainValidator,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_validator,
)

from sim.errors import InputError, did_you_mean
from sim.scenario.checks import Problem, Section, as_flag, as_number, show
from sim.scenario.reader import Lines, load_yaml
from sim.scenario.sections import a_list, as_day, number_check, or_null

if TYPE_CHECKING:
    from sim.scenario.root import Scenario

DESIGNS: tuple[str, ...] = ("grid", "random", "lhs", "sobol", "morris")
PARAMETER_KEYS: tuple[str, ...] = ("values", "low", "high", "steps", "decimals")
UNSWEPT: tuple[str, ...] = ("name", "sweep")  # top-level keys a sweep cannot set
MAX_POINTS = 1_000_000  # a design larger than this is surely a mistake (10 steps x 7 params)

Scalar = str | int | float | Decimal | bool | None

# What a dotted path holds: the kinds a value can be typed to, and "other" (a section, a
# list or a mapping: not one value).
NUMERIC = ("int", "float", "decimal")


# --- checkers -----------------------------------------------------------------------------


def as_design(value: object) -> str:
    if not isinstance(value, str):
        raise Problem(f"expected one of: {', '.join(DESIGNS)}; got {show(value)}")
    if value not in DESIGNS:
        raise Problem(f"unknown design '{value}'" + did_you_mean(value, DESIGNS))
    return value


as_samples = number_check("a whole number >= 1", lambda n: n >= 1, int, whole=True)
as_steps = number_check("a whole number >= 2", lambda n: n >= 2, int, whole=True)
as_decimals = number_check("a whole number from 0 to 12", lambda n: 0 <= n <= 12, int, whole=True)
as_levels = number_check(
    "an even whole number >= 2", lambda n: n >= 2 and n % 2 == 0, int, whole=True
)


def as_values(value: object) -> tuple[Scalar, ...]:
    """A non-empty list of distinct plain values (numbers, text, true/false, null)."""
    items = a_list(value)
    if not items:
        raise Problem("expected at least one value")
    seen: list[Scalar] = []
    for index, item in enumerate(items):
        if isinstance(item, dict | list | tuple):
            raise Problem(
                f"expected a number, text, true/false or null, got {show(item)}", key=index
            )
        if any(_same(item, other) for other in seen):
            raise Problem(f"{show(item)} appears twice", key=index)
        seen.append(item)
    return tuple(seen)


def _same(a: object, b: object) -> bool:
    """Equal values of the same kind (so ``1`` and ``true`` are not duplicates)."""
    return isinstance(a, bool) == isinstance(b, bool) and (a is None) == (b is None) and a == b


# --- the section --------------------------------------------------------------------------


class SweepParameter(Section):
    """One swept value: explicit ``values``, or a range ``low``..``high`` (``steps`` for grid)."""

    values: tuple[Scalar, ...] | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    steps: int | None = None  # grid: evenly spaced values from low to high, both included
    decimals: int | None = None  # round each value in the range to this many decimals

    @property
    def is_range(self) -> bool:
        return self.values is None

    def bounds(self) -> tuple[Decimal, Decimal]:
        assert self.low is not None and self.high is not None
        return self.low, self.high


def _parameter(path: object, spec: object) -> tuple[str, SweepParameter]:
    """Check one ``path: spec`` entry of ``sweep.parameters``; problems keep their key."""
    if not isinstance(path, str) or not path:
        raise Problem("expected a dotted path of scenario keys", key=str(path))
    if not isinstance(spec, dict):
        raise Problem(
            f"expected a mapping {{values: [...]}} or {{low, high}}, got {show(spec)}", key=path
        )
    checks = {
        "values": as_values,
        "low": as_number,
        "high": as_number,
        "steps": as_steps,
        "decimals": as_decimals,
    }
    found: dict[str, Any] = {}
    for key, value in spec.items():
        if key not in checks:
            raise Problem(
                f"unknown key '{key}'" + did_you_mean(str(key), PARAMETER_KEYS), key=(path, key)
            )
        if value is None:
            continue
        try:
            found[key] = checks[key](value)
        except Problem as problem:
            inner = () if problem.key is None else (problem.key,)
            raise Problem(str(problem), key=(path, key, *inner)) from None
        except ValueError as problem:
            raise Problem(str(problem), key=(path, key)) from None
    ranged = [key for key in ("low", "high", "steps", "decimals") if key in found]
    if "values" in found and ranged:
        raise Problem(
            f"give either values or a range (low, high), not both: remove {ranged[0]}",
            key=(path, ranged[0]),
        )
    if "values" not in found:
        if "low" not in found and "high" not in found:
            raise Problem("expected values: [...] or a range low: ..., high: ...", key=path)
        for key in ("low", "high"):
            if key not in found:
                raise Problem(f"missing required key '{key}'", key=path)
        if found["high"] <= found["low"]:
            raise Problem(
                f"expected high > low ({show(found['low'])}), got {show(found['high'])}",
                key=(path, "high"),
            )
    return path, SweepParameter(**found)


class SweepSection(Section):
    """A design over dotted paths of the scenario; see the module docstring."""

    design: Annotated[str, PlainValidator(as_design)]
    samples: Annotated[int | None, PlainValidator(or_null(as_samples))] = None
    seed: Annotated[int, PlainValidator(as_day)] = 0
    calc_second_order: Annotated[bool, PlainValidator(as_flag)] = False
    levels: Annotated[int, PlainValidator(as_levels)] = 4
    parameters: tuple[tuple[str, SweepParameter], ...]  # YAML order

    @field_validator("parameters", mode="before")
    @classmethod
    def _parameters(cls, value: object) -> tuple[tuple[str, SweepParameter], ...]:
        if not isinstance(value, dict):
            raise Problem(
                f"expected a mapping of dotted paths to {{values}} or {{low, high}}, "
                f"got {show(value)}"
            )
        if not value:
            raise Problem("expected at least one parameter")
        return tuple(_parameter(path, spec) for path, spec in value.items())

    @field_serializer("parameters")
    def _dump_parameters(
        self, parameters: tuple[tuple[str, SweepParameter], ...]
    ) -> dict[str, dict[str, Any]]:
        return {path: spec.model_dump(exclude_none=True) for path, spec in parameters}

    @model_validator(mode="after")
    def _fits_the_design(self) -> SweepSection:
        design = self.design
        for path, spec in self.parameters:
            where = ("parameters", path)
            if design == "grid":
                if spec.is_range and spec.steps is None:
                    raise Problem(
                        "a grid needs steps (how many values from low to high) or values",
                        key=where,
                    )
                continue
            if spec.steps is not None:
                raise Problem("steps is only for grid designs", key=(*where, "steps"))
            if design != "random" and not spec.is_range:
                raise Problem(
                    f"{design} needs a range low/high; values are only for grid and random",
                    key=(*where, "values"),
                )
        if design != "grid" and self.samples is None:
            raise Problem(f"{design} needs samples ({_SAMPLES_MEANING[design]})")
        if design == "sobol":
            n = self.samples
            assert n is not None
            if n & (n - 1):
                below = 1 << (n.bit_length() - 1)
                raise Problem(
                    f"sobol needs samples to be a power of 2 (Sobol' points are balanced only "
                    f"then), got {n}; use {below} or {below * 2}",
                    key="samples",
                )
        for key, owner in (("calc_second_order", "sobol"), ("levels", "morris")):
            # a default value is harmless (and what a dumped scenario holds)
            if getattr(self, key) != type(self).model_fields[key].default and design != owner:
                raise Problem(f"{key} is only for {owner} designs", key=key)
        count = design_size(self)
        if count > MAX_POINTS:
            raise Problem(f"the design has {count:,} points, more than {MAX_POINTS:,}")
        return self

    def names(self) -> list[str]:
        return [path for path, _ in self.parameters]


_SAMPLES_MEANING = {
    "random": "the number of points",
    "lhs": "the number of points",
    "sobol": "N base samples, a power of 2; the design has N * (D + 2) points",
    "morris": "the number of trajectories r; the design has r * (D + 1) points",
}


def design_size(sweep: SweepSection) -> int:
    """The number of points ``sweep`` declares (before any is generated)."""
    dims = len(sweep.parameters)
    samples = sweep.samples or 0
    if sweep.design == "grid":
        return math.prod(
            len(spec.values) if spec.values is not None else (spec.steps or 0)
            for _, spec in sweep.parameters
        )
    if sweep.design == "sobol":
        return samples * (2 * dims + 2 if sweep.calc_second_order else dims + 2)
    if sweep.design == "morris":
        return samples * (dims + 1)
    return samples


# --- paths into the scenario --------------------------------------------------------------


def target_kind(path: str, data: dict[str, Any]) -> str:
    """What ``path`` holds in a scenario dumped to ``data``: ``int``, ``float``, ``decimal``,
    ``flag``, ``text``, or raises :class:`Problem` (unknown key, or not one value)."""
    from sim.scenario.root import Scenario, _model_in  # at call time: sim.scenario.root imports us

    parts = path.split(".")
    if not all(parts):
        raise Problem(f"'{path}' is not a dotted path of scenario keys")
    if parts[0] in UNSWEPT:
        raise Problem(f"cannot sweep '{parts[0]}'")
    model: type[BaseModel] | None = Scenario
    items: type[BaseModel] | None = None  # the model of each item of a list of sections
    annotation: Any = None
    value: Any = data
    for depth, part in enumerate(parts):
        here = "the scenario" if depth == 0 else f"'{'.'.join(parts[:depth])}'"
        if model is not None:
            keys = [key for key in model.model_fields if depth or key not in UNSWEPT]
            if part not in keys:
                raise Problem(f"unknown key '{part}' in {here}" + did_you_mean(part, keys))
            annotation = model.model_fields[part].annotation
            value = value.get(part) if isinstance(value, dict) else None
            inner = _model_in(annotation)
            model, items = (None, inner) if _is_tuple(annotation) else (inner, None)
            continue
        if isinstance(value, dict):
            if part not in value:
                raise Problem(f"unknown key '{part}' in {here}" + did_you_mean(part, list(value)))
            value, annotation = value[part], None
        elif isinstance(value, list | tuple):
            if not value:
                raise Problem(f"{here} is empty in this scenario; it has no item '{part}'")
            if not part.isdigit() or int(part) >= len(value):
                raise Problem(
                    f"{here} is a list of {len(value)}: expected an index from 0 to "
                    f"{len(value) - 1}, got '{part}'"
                )
            value, annotation = value[int(part)], None
            # a list of sections of several kinds (distribution rules) names each item's model
            pick = getattr(items, "model_for", None)
            model, items = (items if pick is None else pick(value)), None
        elif value is None:
            raise Problem(f"{here} is not set in this scenario; it has no key '{part}'")
        else:
            raise Problem(f"{here} is one value ({show(value)}); it has no key '{part}'")
    kind = _kind(annotation, value)
    if kind == "other":
        what = _what(value, model is not None, items is not None or _is_tuple(annotation))
        raise Problem(f"'{path}' is {what}, not one value; sweep a key below it")
    return kind


def _is_tuple(annotation: Any) -> bool:
    return get_origin(annotation) is tuple or any(
        get_origin(arg) is tuple for arg in get_args(annotation)
    )


def _kind(annotation: Any, value: Any) -> str:
    """The kind of one value, from the field's type (or the value's, below a mapping or list)."""
    if annotation is None:
        types: tuple[Any, ...] = (type(value),)
    elif get_origin(annotation) is Literal:  # a choice of names: exit_points, exit_against
        types = tuple(type(arg) for arg in get_args(annotation))
    else:
        types = tuple(arg for arg in get_args(annotation) if arg is not type(None))
        if not types or get_origin(annotation) is tuple:
            types = (annotation,)
    for python, kind in ((bool, "flag"), (int, "int"), (float, "float"), (Decimal, "decimal")):
        if python in types:
            return kind
    return "text" if str in types else "other"


def _what(value: Any, section: bool, listed: bool) -> str:
    if isinstance(value, dict) and not section:
        return "a mapping"
    if section:
        return "a section"
    return "a list" if listed or isinstance(value, list | tuple) else "not a number or text"


def _dumped(sections: dict[str, Any]) -> dict[str, Any]:
    return {k: v.model_dump() if isinstance(v, BaseModel) else v for k, v in sections.items()}


def _check_targets(sweep: SweepSection, info: ValidationInfo) -> SweepSection:
    """The rules that need the rest of the scenario: every path exists and fits its spec."""
    from sim.scenario.root import Scenario

    data = _dumped(info.data)
    missing = [key for key in Scenario.model_fields if key not in data and key != "sweep"]
    for path, spec in sweep.parameters:
        where = ("parameters", path)
        if path.split(".")[0] in missing:  # that section failed: its own error is reported
            continue
        try:
            kind = target_kind(path, data)
        except Problem as problem:
            raise Problem(str(problem), key=where) from None
        if spec.is_range:
            if kind not in NUMERIC:
                word = "true/false" if kind == "flag" else "text"
                raise Problem(
                    f"'{path}' is {word}, not a number: sweep it with values", key=(*where, "low")
                )
            if kind == "int":
                for key, bound in zip(("low", "high"), spec.bounds(), strict=True):
                    if bound != bound.to_integral_value():
                        raise Problem(
                            f"'{path}' is a whole number: expected a whole {key}, "
                            f"got {show(bound)}",
                            key=(*where, key),
                        )
            if sweep.design == "grid":
                _grid_column(path, spec, kind)  # refuses steps that round to the same value
    return sweep


Sweep = Annotated[SweepSection | None, AfterValidator(_check_targets)]


# --- design points ------------------------------------------------------------------------


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
    kinds = {path: target_kind(path, data) for path in sweep.names()}
    columns = _columns(sweep, kinds)
    if sweep.design == "grid":
        rows = list(itertools.product(*columns))
    else:
        rows = list(zip(*columns, strict=True))
    points = [dict(zip(sweep.names(), row, strict=True)) for row in rows]
    if check:
        for index, point in enumerate(points):
            apply_point(scenario, point, index=index, source=source, lines=lines)
    return points


def load_design(path: str | Path) -> tuple[Scenario, list[dict[str, Any]]]:
    """Read a scenario file and its checked design points; every error names its line."""
    from sim.scenario.root import Scenario

    data, lines = load_yaml(path)
    scenario = Scenario.from_dict(data, source=path, lines=lines)
    return scenario, design_points(scenario, source=path, lines=lines)


def apply_point(
    scenario: Scenario,
    point: dict[str, Any],
    *,
    index: int | None = None,
    source: str | Path | None = None,
    lines: Lines | None = None,
) -> Scenario:
    """A new validated scenario with the point's values set at their paths (and no sweep)."""
    data = scenario.model_dump()
    data.pop("sweep", None)
    for path, value in point.items():
        try:
            target_kind(path, data)
        except Problem as problem:
            raise _point_error(
                str(problem), path, point, index=index, source=source, lines=lines
            ) from None
        data = _set(data, path.split("."), value)
    try:
        return type(scenario).from_dict(data)
    except InputError as error:
        blamed = _blamed(error.key, list(point))
        located = _point_error(str(error), blamed, point, index=index, source=source, lines=lines)
        raise located from None


def _set(node: Any, parts: list[str], value: Any) -> Any:
    """``node`` (a dumped scenario, or a part of it) with ``value`` at ``parts``; copies."""
    if not parts:
        return value
    head, rest = parts[0], parts[1:]
    if isinstance(node, list | tuple):
        items = list(node)
        items[int(head)] = _set(items[int(head)], rest, value)
        return items
    node = dict(node) if isinstance(node, dict) else {}  # an unset optional section: {}
    node[head] = _set(node.get(head), rest, value)
    return node


def _blamed(key: str | None, paths: list[str]) -> str:
    """The point's parameter an error is about: the path at, below or above its key."""
    if key:
        for path in sorted(paths, key=len, reverse=True):
            if path == key or path.startswith(key + ".") or key.startswith(path + "."):
                return path
    return paths[0]


def _point_error(
    message: str,
    path: str,
    point: dict[str, Any],
    *,
    index: int | None,
    source: str | Path | None,
    lines: Lines | None,
) -> InputError:
    which = "this point" if index is None else f"point {index}"
    values = ", ".join(f"{name}={show(value)}" for name, value in point.items())
    line = (lines or {}).get(("sweep", "parameters", path), (lines or {}).get(("sweep",)))
    return InputError(
        f"{which} ({values}) makes the scenario invalid: {message}",
        file=source,
        line=line,
        key=f"sweep.parameters.{path}",
    )


def _columns(sweep: SweepSection, kinds: dict[str, str]) -> list[list[Any]]:
    """One list of typed values per parameter, in declaration order."""
    if sweep.design == "grid":
        return [_grid_column(path, spec, kinds[path]) for path, spec in sweep.parameters]
    if sweep.design == "random":
        rng = np.random.default_rng(sweep.seed)
        n = sweep.samples or 0
        columns = []
        for path, spec in sweep.parameters:  # column by column: adding one keeps the others
            if spec.values is not None:
                picks = rng.integers(len(spec.values), size=n)
                columns.append([_typed(spec.values[int(i)], kinds[path]) for i in picks])
            else:
                low, high = spec.bounds()
                draws = rng.uniform(float(low), float(high), size=n)
                columns.append([_from_float(x, spec, kinds[path]) for x in draws])
        return columns
    matrix = _salib_sample(sweep)
    return [
        [_from_float(x, spec, kinds[path]) for x in matrix[:, j]]
        for j, (path, spec) in enumerate(sweep.parameters)
    ]


def _grid_column(path: str, spec: SweepParameter, kind: str) -> list[Any]:
    if spec.values is not None:
        return [_typed(value, kind) for value in spec.values]
    low, high = spec.bounds()
    steps = spec.steps or 2
    column = [_rounded(low + (high - low) * i / (steps - 1), spec, kind) for i in range(steps)]
    for i in range(1, steps):
        if column[i] == column[i - 1]:
            raise Problem(
                f"{steps} steps from {show(low)} to {show(high)} give {show(column[i])} twice "
                "once rounded; use fewer steps or values",
                key=("parameters", path, "steps"),
            )
    return column


def _typed(value: Scalar, kind: str) -> Scalar:
    """An explicit value as the field's type, when it is a number of that kind."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    if kind == "int":
        return int(value) if value == int(value) else value
    if kind == "float":
        return float(value)
    if kind == "decimal":
        return value if isinstance(value, Decimal) else Decimal(repr(value))
    return value


def _from_float(x: float, spec: SweepParameter, kind: str) -> int | float | Decimal:
    """A sampled float as the field's type, kept within [low, high]."""
    low, high = spec.bounds()
    exact = min(max(Decimal(repr(float(x))), low), high)  # a scaled 1.0 may overshoot by 1 ulp
    return _rounded(exact, spec, kind)


def _rounded(exact: Decimal, spec: SweepParameter, kind: str) -> int | float | Decimal:
    if kind == "int":
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    if spec.decimals is not None:
        exact = exact.quantize(Decimal(1).scaleb(-spec.decimals), rounding=ROUND_HALF_EVEN)
    if kind == "float":
        return float(exact)
    return exact


# --- SALib --------------------------------------------------------------------------------


def problem_spec(scenario: Scenario) -> dict[str, Any]:
    """The SALib problem of the sweep: ``num_vars``, ``names`` (dotted paths) and ``bounds``."""
    sweep = _sweep_of(scenario)
    return _problem(sweep)


def _problem(sweep: SweepSection) -> dict[str, Any]:
    bounds = []
    for path, spec in sweep.parameters:
        if not spec.is_range:
            raise ValueError(f"sweep parameter '{path}' has values, not a range low/high")
        low, high = spec.bounds()
        bounds.append([float(low), float(high)])
    return {"num_vars": len(bounds), "names": sweep.names(), "bounds": bounds}


def design_matrix(scenario: Scenario) -> np.ndarray:
    """The raw SALib sample of an ``lhs``, ``sobol`` or ``morris`` sweep: floats, one row per
    point, before rounding and typing (what :func:`SALib.analyze.morris.analyze` needs)."""
    sweep = _sweep_of(scenario)
    if sweep.design not in ("lhs", "sobol", "morris"):
        raise ValueError(f"a {sweep.design} design has no SALib sample")
    return _salib_sample(sweep)


def _salib_sample(sweep: SweepSection) -> np.ndarray:
    problem, n, seed = _problem(sweep), sweep.samples or 0, sweep.seed
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
        _problem(sweep),
        sweep.design,
        _salib_sample(sweep),
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
