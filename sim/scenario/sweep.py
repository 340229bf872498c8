"""The ``sweep`` section of a scenario: which of its values vary, over which design.

A sweep varies some of the scenario's own values, named by their dotted path
(``points.exit_multiple``, ``order.split.pool``, ``stress.subsidies.0.amount``), over a
design: ``grid`` (the cartesian product of each parameter's values, the last parameter
varying fastest), ``random`` (independent uniform draws), ``lhs`` (Latin hypercube),
``sobol`` (Saltelli's extension of the Sobol' sequence) or ``morris`` (Morris trajectories).
The design's points are made by :mod:`sim.batch.designs`, their Sobol' and Morris indices by
:mod:`sim.batch.sensitivity`; this module only checks and types what the user wrote.

Values are typed like the field they set (:func:`typed`, :func:`rounded`, the rules a design
follows too): whole numbers for counts and days (rounded to the nearest, halves to even),
exact ``Decimal`` for money and shares (the shortest repr of the sampled float, or exact grid
steps), ``float`` for rates. What a path holds is read from the scenario's model, which
:class:`sim.scenario.root.Scenario` passes in (:func:`target_kind`, :func:`check_targets`):
this module imports nothing of the root, which holds it.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import (
    BaseModel,
    PlainValidator,
    field_serializer,
    field_validator,
    model_validator,
)

from sim.errors import did_you_mean
from sim.limits import MAX_SWEEP_POINTS
from sim.scenario.checks import (
    Problem,
    Section,
    a_list,
    as_day,
    as_flag,
    as_number,
    model_in,
    number_check,
    or_null,
    show,
)

DESIGNS: tuple[str, ...] = ("grid", "random", "lhs", "sobol", "morris")
PARAMETER_KEYS: tuple[str, ...] = ("values", "low", "high", "steps", "decimals")
UNSWEPT: tuple[str, ...] = ("name", "sweep")  # top-level keys a sweep cannot set
MAX_POINTS = MAX_SWEEP_POINTS  # a design larger than this is surely a mistake (sim.limits)

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


def target_kind(path: str, data: dict[str, Any], root: type[BaseModel]) -> str:
    """What ``path`` holds in a scenario dumped to ``data``: ``int``, ``float``, ``decimal``,
    ``flag``, ``text``, or raises :class:`Problem` (unknown key, or not one value).

    ``root`` is the scenario's model (:class:`sim.scenario.root.Scenario`), passed in so that
    this section, which the root holds, never imports it."""
    parts = path.split(".")
    if not all(parts):
        raise Problem(f"'{path}' is not a dotted path of scenario keys")
    if parts[0] in UNSWEPT:
        raise Problem(f"cannot sweep '{parts[0]}'")
    model: type[BaseModel] | None = root
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
            inner = model_in(annotation)
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


def check_targets(sweep: SweepSection, data: dict[str, Any], root: type[BaseModel]) -> None:
    """The rules that need the rest of the scenario: every path exists and fits its spec.

    ``data`` holds the scenario's other sections as validated so far (dumped), ``root`` is
    the scenario's model; :class:`sim.scenario.root.Scenario` calls this on its ``sweep``."""
    missing = [key for key in root.model_fields if key not in data and key != "sweep"]
    for path, spec in sweep.parameters:
        where = ("parameters", path)
        if path.split(".")[0] in missing:  # that section failed: its own error is reported
            continue
        try:
            kind = target_kind(path, data, root)
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
                grid_column(path, spec, kind)  # refuses steps that round to the same value


# --- typed values ---------------------------------------------------------------------------


def grid_column(path: str, spec: SweepParameter, kind: str) -> list[Any]:
    """A grid parameter's values, typed; steps that round to the same value are a problem."""
    if spec.values is not None:
        return [typed(value, kind) for value in spec.values]
    low, high = spec.bounds()
    steps = spec.steps or 2
    column = [rounded(low + (high - low) * i / (steps - 1), spec, kind) for i in range(steps)]
    for i in range(1, steps):
        if column[i] == column[i - 1]:
            raise Problem(
                f"{steps} steps from {show(low)} to {show(high)} give {show(column[i])} twice "
                "once rounded; use fewer steps or values",
                key=("parameters", path, "steps"),
            )
    return column


def typed(value: Scalar, kind: str) -> Scalar:
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


def rounded(exact: Decimal, spec: SweepParameter, kind: str) -> int | float | Decimal:
    """An exact number as the field's type: whole (halves to even), or to ``decimals``."""
    if kind == "int":
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    if spec.decimals is not None:
        exact = exact.quantize(Decimal(1).scaleb(-spec.decimals), rounding=ROUND_HALF_EVEN)
    if kind == "float":
        return float(exact)
    return exact
