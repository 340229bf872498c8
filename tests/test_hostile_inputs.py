"""Input from a hostile or careless user: each case ends in one line on stderr naming the file
and the key or line, exit status 2, no traceback and nothing written; valid input runs."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from tests.conftest import SCENARIOS
from tests.test_bad_input import assert_refused

HALT = (SCENARIOS / "halt.yaml").read_text(encoding="utf-8")
BODY = "".join(line for line in HALT.splitlines(keepends=True) if not line.startswith("name:"))


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


# --- limits a user can see, numbers read one way ------------------------------------------

GENERIC = SCENARIOS / "seed-generic-3x.yaml"
OPTION_CASES = {
    "superscript day": (["run", GENERIC, "--days", "²"], "--days", "'²'"),
    "arabic-indic day": (["run", GENERIC, "--days", "٣"], "--days", "'٣'"),
    "a century and a day": (["run", GENERIC, "--days", "36601"], "--days", "1 to 36,600"),
    "huge seed": (["run", GENERIC, "--seed", str(2**63)], "--seed", "0 to"),
    "ten million replicates": (
        ["batch", GENERIC, "--replicates", "10000000"],
        "--replicates",
        "1 to 100,000",
    ),
    "a trillion replicates": (["batch", GENERIC, "--replicates", str(10**12)], "--replicates"),
    "no workers": (["batch", GENERIC, "--replicates", "1", "--workers", "0"], "--workers"),
    "bench members": (["bench", "--members", str(10**13)], "--members", "1 to 10,000,000"),
    "empty out": (["run", GENERIC, "--out", ""], "--out", "empty path"),
    "multiples beyond range": (
        ["breakeven", "--scenario", GENERIC, "--multiples", "1e400"],
        "multiples",
    ),
}


@pytest.mark.parametrize("case", sorted(OPTION_CASES))
def test_options_beyond_their_limits_are_one_line(cli, tmp_path, monkeypatch, case):
    monkeypatch.chdir(tmp_path)
    argv, *fragments = OPTION_CASES[case]
    assert_refused(cli(*argv), *fragments)
    assert list(tmp_path.iterdir()) == []


def test_non_regular_files_are_refused_at_once(cli, tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    out = tmp_path / "out"
    for argv, what in [
        (["validate", fifo], "a scenario file"),
        (["run", fifo, "--out", out], "a scenario file"),
        (["validate", "/dev/zero"], "a scenario file"),
        (["replay", fifo, "--scenario", GENERIC, "--out", out], "an event log"),
    ]:
        assert_refused(cli(*argv), "is not a regular file", what)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo"]


def test_a_scenario_over_the_size_limit_is_refused_before_parsing(cli, tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (17 * 2**20))  # a comment: parsed, it would be "empty"
    assert_refused(cli("validate", big), "big.yaml:", "17.0 MB, over the 16 MB limit")
    assert_refused(cli("validate", big, "--max-input-mb", "20"), "big.yaml:", "file is empty")


LOG = "day,member,action,amount\n"
EVENT_CASES = {
    "superscript day": (LOG + "²,1,buy,1000\n", "events.csv:2", "day:", "'²'"),
    "arabic-indic day": (LOG + "٣,1,buy,1000\n", "events.csv:2", "day:", "'٣'"),
    "day 10^20": (LOG + "100000000000000000000,1,buy,1000\n", "events.csv:2", "at most"),
    "amount 1e400": (LOG + "0,1,buy,1e400\n", "events.csv:2", "amount:", "decimal text"),
    "amount beyond 1e16": (LOG + "0,1,buy,100000000000000000\n", "amount:", "below 1e16"),
    "a tenth of a fen above 1e26": (
        LOG + "0,1,buy,100000000000000000000000000.001\n",
        "events.csv:2",
        "amount:",
    ),
    "three decimals": (LOG + "0,1,buy,10.001\n", "amount:", "at most 2 decimals"),
    "a NUL in a member id": (LOG + "0,a\x00b,buy,1000\n", "events.csv:2", "member:"),
    "a bell in a member id": (LOG + "0,a\x07b,buy,1000\n", "member:", "printable"),
}


@pytest.mark.parametrize("case", sorted(EVENT_CASES))
def test_event_log_numbers_and_ids_are_read_one_way(cli, tmp_path, case):
    text, *fragments = EVENT_CASES[case]
    log = tmp_path / "events.csv"
    log.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert_refused(cli("replay", log, "--scenario", GENERIC, "--out", out), *fragments)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.csv"]


SCENARIO_CASES = {
    "a billion days": ("  days: 365", "  days: 1000000000", "run.days", "1 to 36,600"),
    "a hundred million first members": (
        "  initial_members: 20",
        "  initial_members: 100000000",
        "inflow.initial_members",
        "0 to 10,000,000",
    ),
}


@pytest.mark.parametrize("case", sorted(SCENARIO_CASES))
def test_scenario_counts_beyond_their_limits_are_located(cli, tmp_path, case):
    old, new, *fragments = SCENARIO_CASES[case]
    path = tmp_path / "s.yaml"
    path.write_text(GENERIC.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    assert_refused(cli("validate", path), "s.yaml:", *fragments)


def test_a_plan_over_the_run_limit_is_refused_before_its_points_are_checked(cli, tmp_path):
    path = tmp_path / "s.yaml"
    sweep = "sweep:\n  design: grid\n  parameters:\n"
    sweep += "    points.mint_ratio: {low: 0.1, high: 0.9, steps: 1000}\n"
    sweep += "    points.sell_payout: {low: 0.1, high: 0.9, steps: 100}\n"
    path.write_text(GENERIC.read_text(encoding="utf-8") + sweep, encoding="utf-8")
    result = cli("batch", path, "--replicates", "11", "--out", tmp_path / "b")
    assert_refused(result, "s.yaml:", "sweep:", "100,000 points", "limit of 1,000,000 runs")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]


def test_validate_checks_every_sweep_point_as_batch_does(cli, tmp_path):
    path = tmp_path / "s.yaml"
    sweep = "sweep:\n  design: grid\n  parameters:\n    points.mint_ratio: {values: [0.5, 1.5]}\n"
    path.write_text(GENERIC.read_text(encoding="utf-8") + sweep, encoding="utf-8")
    batch = cli("batch", path, "--replicates", "1", "--out", tmp_path / "b")
    validate = cli("validate", path)
    assert_refused(validate, "s.yaml:", "mint_ratio")
    assert_refused(batch, "s.yaml:", "mint_ratio")
    assert validate.err.splitlines()[0].removeprefix("error: ") in batch.err


GROWING = """name: grow
order:
  amount: 1000
  split: {product_cost: 0.30, distribution: 0.30, platform: 0.10, pool: 0.30}
points: {start_price: 1.0, mint_ratio: 0.70, sell_payout: 0.80, exit_multiple: 3.0}
run: {days: DAYS, seed: 1}
inflow: {kind: exponential, rate: RATE, growth: 0.5}
"""


def test_an_inflow_past_the_member_limit_is_refused_before_the_first_day(cli, tmp_path):
    """Half again a day for a year: about 10^64 members expected, refused in under a second
    rather than after hours of simulating (or memory running out)."""
    path = tmp_path / "grow.yaml"
    path.write_text(GROWING.replace("DAYS", "365").replace("RATE", "10"), encoding="utf-8")
    out = tmp_path / "out"
    for argv in (["validate", path], ["run", path, "--out", out, "--quiet"]):
        started = time.perf_counter()
        assert_refused(cli(*argv), "grow.yaml: inflow:", "more than 10,000,000 members")
        assert time.perf_counter() - started < 10
    assert files_under(tmp_path) == [path]


def test_growth_of_nobody_runs_for_years_without_overflow(cli, tmp_path):
    """``rate: 0`` grown by half a day: (1.5)^2000 is beyond a float, 0 members a day is not."""
    path = tmp_path / "grow.yaml"
    path.write_text(GROWING.replace("DAYS", "2000").replace("RATE", "0"), encoding="utf-8")
    assert cli("validate", path).code == 0
    result = cli("run", path, "--out", tmp_path / "out", "--quiet")
    assert result.code == 0, result.err
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["members"] == 0
