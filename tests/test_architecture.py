"""The layout keeps its promises: small modules, few at the top, wings that import only
downward, no import circle. Imports are read from the source (every ``import`` statement,
inside functions too), so a lazy import cannot hide an upward arrow."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

SIM = ROOT / "sim"
# lowest first: a wing may import its own modules, the ones below it and the top level's
# utilities; never one above it
WINGS = (
    "core",
    "scenario",
    "distribution",
    "model",
    "replay",
    "analysis",
    "batch",
    "report",
    "dashboard",
)
UTILITIES = {"sim", "sim.errors", "sim.draws", "sim.outputs", "sim.limits", "sim.i18n"}
MAX_LINES = 500
MAX_TOP_LEVEL = 6


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its ``__init__``)."""
    found = {}
    for path in sorted(SIM.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """The modules of ``sim`` that ``path`` imports, anywhere in the file."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # ``from sim.core import rules`` imports the module sim.core.rules
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name.startswith("sim"):
                out.add(name)
    return out


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(path, known) - {name} for name, path in known.items()}


def wing(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in WINGS) else None


def test_every_module_is_under_500_lines():
    long = {
        name: n
        for name, path in modules().items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_top_level_holds_at_most_six_modules_and_the_wings():
    top = sorted(p.stem for p in SIM.glob("*.py") if p.stem not in ("__init__", "__main__"))
    assert len(top) <= MAX_TOP_LEVEL, top
    folders = sorted(p.name for p in SIM.iterdir() if (p / "__init__.py").exists())
    assert folders == sorted(WINGS)


@pytest.mark.parametrize("name", WINGS)
def test_each_wing_opens_with_a_map_of_its_rooms(name):
    init = SIM / name / "__init__.py"
    doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
    rooms = sorted(p.stem for p in (SIM / name).glob("*.py") if p.stem != "__init__")
    named = (lambda room: f"``{room}``", lambda room: f"{room}.py", lambda room: f"{name}.{room}")
    missing = [room for room in rooms if not any(form(room) in doc for form in named)]
    assert missing == [], f"sim/{name}/__init__.py does not name {missing}"


def test_no_wing_imports_a_higher_one():
    rank = {name: i for i, name in enumerate(WINGS)}
    upward = []
    for module, targets in graph().items():
        here = wing(module)
        for target in targets:
            there = wing(target)
            if module in UTILITIES:  # the utilities every wing uses import no wing
                if there is not None:
                    upward.append(f"{module} -> {target}")
                continue
            if here is None or target in UTILITIES:
                continue
            if there is None or rank[there] > rank[here]:
                upward.append(f"{module} -> {target}")
    assert upward == []


def test_there_is_no_import_circle():
    edges = graph()
    circles, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for target in sorted(edges.get(node, ())):
            if target == "sim" or target.endswith("__main__"):
                continue
            if state.get(target) == "open":
                circles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert circles == []


def test_the_checker_sees_a_lazy_upward_import(tmp_path):
    """The reading of imports is not blind to an import inside a function."""
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from sim.report.figures import DPI\n", encoding="utf-8")
    known = {"sim.report.figures": Path(), "sim.report": Path(), "sim": Path()}
    assert imports(source, known) == {"sim.report.figures"}
