"""A scenario with some of its values set by dotted path (``points.exit_multiple``): a sweep's
points (:mod:`sim.batch.designs`), and the keyword arguments a Mesa user hands the model
(``SchemeModel("national-100k", seed=7, **{"points.exit_multiple": 2.0})``, what
``mesa.batch_run`` passes). A scenario is named by itself, a YAML file or the name of a
shipped scenario (``scenarios/NAME.yaml``). Every result is validated as a whole scenario;
a value that breaks a rule is one :class:`~sim.errors.InputError` naming its path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sim.errors import InputError
from sim.scenario.checks import Problem, show
from sim.scenario.reader import Lines
from sim.scenario.root import Scenario, load_scenario
from sim.scenario.sweep import target_kind, typed

SHIPPED = Path(__file__).resolve().parents[2] / "scenarios"  # the scenarios the repo ships


def scenario_from(spec: Scenario | str | Path) -> Scenario:
    """``spec`` itself, the scenario file at that path, or the shipped scenario of that name
    (``national-100k``)."""
    if isinstance(spec, Scenario):
        return spec
    path = Path(spec)
    if not path.exists() and isinstance(spec, str) and (SHIPPED / f"{spec}.yaml").exists():
        path = SHIPPED / f"{spec}.yaml"
    if not path.exists():
        names = ", ".join(sorted(p.stem for p in SHIPPED.glob("*.yaml")))
        raise InputError(
            f"no scenario file '{spec}' and no shipped scenario of that name (shipped: {names})",
            file=path,
        )
    return load_scenario(path)


def with_values(scenario: Scenario, values: Mapping[str, Any]) -> Scenario:
    """``scenario`` with each value at its dotted path (typed like the field it sets), as a
    new validated scenario; a bad path or value is one error naming it."""
    if not values:
        return scenario

    def invalid(error: InputError, blamed: str) -> InputError:
        shown = ", ".join(f"{name}={show(value)}" for name, value in values.items())
        where = f" at {error.key}" if error.key and error.key != blamed else ""
        return InputError(f"{shown} makes the scenario invalid{where}: {error.message}", key=blamed)

    return _applied(scenario, values, lambda message, path: InputError(message, key=path), invalid)


def apply_point(
    scenario: Scenario,
    point: dict[str, Any],
    *,
    index: int | None = None,
    source: str | Path | None = None,
    lines: Lines | None = None,
) -> Scenario:
    """A new validated scenario with the point's values set at their paths (and no sweep)."""

    def refused(message: str, path: str) -> InputError:
        return _point_error(message, path, point, index=index, source=source, lines=lines)

    return _applied(
        scenario, point, refused, lambda error, blamed: refused(str(error), blamed), typing=False
    )


def _applied(
    scenario: Scenario,
    values: Mapping[str, Any],
    bad_path: Callable[[str, str], InputError],
    invalid: Callable[[InputError, str], InputError],
    typing: bool = True,
) -> Scenario:
    """``scenario`` dumped, each value (typed like its field, with ``typing``: a design's
    points are typed already) set at its path, and validated again, without a sweep.
    ``bad_path(message, path)`` is the error for a path that is not one value,
    ``invalid(error, blamed)`` for values the scenario's rules refuse (``blamed``: the path
    the error is about)."""
    data = scenario.model_dump()
    data.pop("sweep", None)
    for path, value in values.items():
        try:
            kind = target_kind(path, data, type(scenario))
        except Problem as problem:
            raise bad_path(str(problem), path) from None
        data = _set(data, path.split("."), typed(value, kind) if typing else value)
    try:
        return type(scenario).from_dict(data)
    except InputError as error:
        raise invalid(error, _blamed(error.key, list(values))) from None


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
