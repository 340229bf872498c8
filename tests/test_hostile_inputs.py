"""Input from a hostile or careless user: each case ends in one line on stderr naming the file
and the key or line, exit status 2, no traceback and nothing written; valid input runs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import SCENARIOS

HALT = (SCENARIOS / "halt.yaml").read_text(encoding="utf-8")
BODY = "".join(line for line in HALT.splitlines(keepends=True) if not line.startswith("name:"))


def assert_refused(result, *fragments):
    assert result.code == 2, (result.code, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "Traceback" not in result.err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def scenario_named(folder: Path, name_yaml: str, file: str = "s.yaml") -> Path:
    path = folder / file
    path.write_text(f"name: {name_yaml}\n{BODY}", encoding="utf-8")
    return path


UNSAFE_NAMES = {
    "parent folders": '"../../escaped_by_name"',
    "a separator": '"x/y"',
    "a backslash": '"x\\\\y"',
    "a NUL byte": '"a\\0b"',
    "a newline": '"a\\nb"',
    "hidden": '".hidden"',
    "dot dot": '".."',
    "a space": '"a b"',
    "too long": "n" + "x" * 64,
    "a number": "12.5",
}


@pytest.mark.parametrize("case", sorted(UNSAFE_NAMES))
@pytest.mark.parametrize("command", ["validate", "run", "batch", "breakeven"])
def test_a_name_that_would_be_a_path_is_refused_where_it_is_read(
    cli, tmp_path, monkeypatch, case, command
):
    work = tmp_path / "deep" / "work"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    path = scenario_named(work, UNSAFE_NAMES[case])
    argv = {
        "validate": ["validate", path],
        "run": ["run", path, "--days", "3", "--quiet"],
        "batch": ["batch", path, "--replicates", "1", "--days", "3", "--quiet"],
        "breakeven": ["breakeven", "--scenario", path],
    }[command]
    expected = "expected text" if case == "a number" else "letters, digits"
    assert_refused(cli(*argv), "s.yaml:1", "name:", expected)
    assert files_under(tmp_path) == [path]


@pytest.mark.parametrize("name", ["halt-v2", "停止_2", "a.b", "9m"])
def test_safe_names_in_any_script_run_into_their_own_folder(cli, tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    path = scenario_named(tmp_path, name)
    result = cli("run", path, "--days", "2", "--quiet")
    assert result.code == 0, result.err
    assert (tmp_path / "out" / name / "seed-1" / "summary.json").is_file()


def test_a_symlink_in_the_default_out_folder_cannot_take_a_run_elsewhere(
    cli, tmp_path, monkeypatch
):
    work, elsewhere = tmp_path / "work", tmp_path / "elsewhere"
    (work / "out").mkdir(parents=True)
    elsewhere.mkdir()
    os.symlink(elsewhere, work / "out" / "halt")
    monkeypatch.chdir(work)
    path = scenario_named(work, "halt")
    assert_refused(cli("run", path, "--days", "2", "--quiet"), "outside out/", "symlink")
    assert files_under(elsewhere) == []
