"""Bad input through the command line: one line on stderr naming the file and the line or key,
exit status 2, no traceback, and nothing written (not even a staging folder)."""

from __future__ import annotations

import pytest

from tests.conftest import SCENARIOS, orders, run_program, write_log

GOOD_SCENARIO = SCENARIOS / "seed-generic-3x.yaml"
GOOD_YAML = GOOD_SCENARIO.read_text(encoding="utf-8")


def assert_refused(result, *fragments):
    assert result.code == 2, (result.code, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "Traceback" not in result.err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def assert_nothing_written(tmp_path, out):
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


EVENT_CASES = {
    "empty file": ("", ["events.csv:1", "empty"]),
    "missing column": ("day,member,action\n0,1,buy\n", ["events.csv:1", "missing column 'amount'"]),
    "unknown column": (
        "day,member,acton,amount\n0,1,buy,1000\n",
        ["events.csv:1", "unknown column 'acton'", "did you mean 'action'"],
    ),
    "header only": ("day,member,action,amount\n", ["events.csv", "no events"]),
    "unknown action": (
        "day,member,action,amount\n0,1,buy,1000\n0,1,sel,5\n",
        ["events.csv:3", "action", "unknown action 'sel'", "did you mean 'sell'"],
    ),
    "negative amount": (
        "day,member,action,amount\n0,1,buy,-5\n",
        ["events.csv:2", "amount", ">= 0"],
    ),
    "non-numeric amount": (
        "day,member,action,amount\n0,1,buy,lots\n",
        ["events.csv:2", "amount", "'lots'"],
    ),
    "fractional fen": (
        "day,member,action,amount\n0,1,buy,10.005\n",
        ["events.csv:2", "amount", "2 decimals"],
    ),
    "zero amount": ("day,member,action,amount\n0,1,buy,0\n", ["events.csv:2", "> 0"]),
    "selling more than held": (
        "day,member,action,amount\n0,1,buy,1000\n1,1,sell,211\n",
        ["events.csv:3", "member 1 sells", "holds"],
    ),
    "selling before buying": (
        "day,member,action,amount\n0,1,buy,1000\n0,2,sell,all\n",
        ["events.csv:3", "member 2 has never bought"],
    ),
    "day goes back": (
        "day,member,action,amount\n5,1,buy,1000\n4,2,buy,1000\n",
        ["events.csv:3", "day", "time order"],
    ),
    "day not a number": (
        "day,member,action,amount\nmonday,1,buy,1000\n",
        ["events.csv:2", "day", "whole day number"],
    ),
    "short row": ("day,member,action,amount\n0,1,buy\n", ["events.csv:2", "expected 4 fields"]),
    "empty member": ("day,member,action,amount\n0,,buy,1000\n", ["events.csv:2", "member"]),
    "too many point decimals": (
        "day,member,action,amount\n0,1,buy,1000\n0,1,sell,1.1234567\n",
        ["events.csv:3", "6 decimals"],
    ),
}


@pytest.mark.parametrize("case", sorted(EVENT_CASES))
def test_bad_event_logs(cli, tmp_path, case):
    text, fragments = EVENT_CASES[case]
    log = tmp_path / "events.csv"
    log.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = cli("replay", log, "--scenario", GOOD_SCENARIO, "--out", out)
    assert_refused(result, *fragments)
    assert_nothing_written(tmp_path, out)


def test_binary_garbage_is_a_bad_log(cli, tmp_path):
    log = tmp_path / "events.csv"
    log.write_bytes(b"\xff\xfe\x00\x81garbage\x00\x00")
    out = tmp_path / "out"
    assert_refused(cli("replay", log, "--scenario", GOOD_SCENARIO, "--out", out), "events.csv")
    assert_nothing_written(tmp_path, out)


def test_bad_row_deep_in_a_long_log_leaves_existing_output_untouched(cli, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "trace.csv").write_text("earlier results")
    rows = [*orders(5_000), (0, 9, "sell", "9999")]
    log = write_log(tmp_path / "events.csv", rows)
    result = cli("replay", log, "--scenario", GOOD_SCENARIO, "--out", out)
    assert_refused(result, "events.csv:5002", "member 9 sells")
    assert sorted(p.name for p in out.iterdir()) == ["trace.csv"]
    assert (out / "trace.csv").read_text() == "earlier results"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


SCENARIO_CASES = {
    "malformed YAML": ("name: x\norder: {split: [\n", ["s.yaml:"]),
    "unknown key": (
        GOOD_YAML.replace("exit_multiple:", "exit_multipel:"),
        ["s.yaml:", "exit_multipel", "did you mean 'exit_multiple'"],
    ),
    "shares do not sum to 1": (
        GOOD_YAML.replace("platform: 0.10", "platform: 0.05"),
        ["s.yaml:", "split", "sum to 1"],
    ),
    "ratio above 1": (
        GOOD_YAML.replace("mint_ratio: 0.70", "mint_ratio: 1.5"),
        ["s.yaml:", "mint_ratio", "1.5"],
    ),
    "negative amount": (
        GOOD_YAML.replace("amount: 1000", "amount: -1000"),
        ["s.yaml:", "order.amount"],
    ),
    "non-numeric": (
        GOOD_YAML.replace("sell_payout: 0.80", "sell_payout: lots"),
        ["s.yaml:", "sell_payout", "lots"],
    ),
    "python tag": (
        "name: !!python/object/apply:os.system ['touch PWNED']\n",
        ["s.yaml:1", "python"],
    ),
    "empty": ("", ["s.yaml", "empty"]),
}


@pytest.mark.parametrize("case", sorted(SCENARIO_CASES))
def test_bad_scenarios_through_replay_and_validate(cli, tmp_path, monkeypatch, case):
    monkeypatch.chdir(tmp_path)
    text, fragments = SCENARIO_CASES[case]
    scenario = tmp_path / "s.yaml"
    scenario.write_text(text, encoding="utf-8")
    log = write_log(tmp_path / "events.csv", orders(3))
    out = tmp_path / "out"
    assert_refused(cli("replay", log, "--scenario", scenario, "--out", out), *fragments)
    assert_nothing_written(tmp_path, out)
    assert_refused(cli("validate", scenario), *fragments)
    assert not (tmp_path / "PWNED").exists()


def test_validate_accepts_every_shipped_scenario(cli):
    files = sorted(SCENARIOS.glob("*.yaml"))
    result = cli("validate", *files)
    assert result.code == 0, result.err
    assert result.out.count("ok: ") == len(files) >= 6


def test_missing_files_and_a_file_as_output(cli, tmp_path):
    log = write_log(tmp_path / "events.csv", orders(1))
    assert_refused(
        cli("replay", tmp_path / "nope.csv", "--scenario", GOOD_SCENARIO, "--out", tmp_path / "o"),
        "nope.csv",
    )
    assert_refused(
        cli("replay", log, "--scenario", tmp_path / "nope.yaml", "--out", tmp_path / "o"),
        "nope.yaml",
    )
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert_refused(
        cli("replay", log, "--scenario", GOOD_SCENARIO, "--out", blocker), "not a folder"
    )
    assert blocker.read_text() == "x"


def test_usage_errors_are_one_line_too(cli):
    assert_refused(cli("replay"), "required")
    assert_refused(cli("frobnicate"), "invalid choice")


def test_bad_input_in_a_real_process_has_no_traceback(tmp_path):
    log = tmp_path / "events.csv"
    log.write_text("day,member,action,amount\n0,1,buy,1000\n0,1,sell,500\n", encoding="utf-8")
    run = run_program("replay", log, "--scenario", GOOD_SCENARIO, "--out", tmp_path / "out")
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert "events.csv:3" in run.stderr
    assert not (tmp_path / "out").exists()
