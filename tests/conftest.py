"""Shared helpers: write event logs, run the command line in-process, read its tables."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sim.batch.run import result_of, simulate
from sim.batch.tables import members_output, timeseries_rows
from sim.cli import main
from sim.model.members import member_table

# the commands print in the environment's language by default (sim.i18n): English here,
# whatever the machine's locale; tests of Chinese ask for it with --lang zh
os.environ["LANGUAGE"] = "en"

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
EXAMPLES = ROOT / "examples"


def run_model(scenario, seed=None, days=None):
    """Run a scenario (:func:`sim.batch.run.simulate`) and return the finished model, for
    tests that look inside it (book, network, rules)."""
    return simulate(scenario, seed, days).model


def summary_of(model) -> dict:
    """The summary of a finished model, as ``summary.json`` holds it."""
    return result_of(model).summary


def yuan_rows(model) -> list[dict]:
    """A model's day rows as ``timeseries.parquet`` holds them (yuan, points)."""
    return timeseries_rows(model.day_rows, model.book.mechanics.unit)


def member_rows(model) -> list[dict]:
    """A model's members as ``members.parquet`` holds them (yuan, points), one dict a row."""
    table = member_table(model)
    return members_output(table, model.book.price, model.book.mechanics.unit).to_pylist()


def run_program(*args) -> subprocess.CompletedProcess:
    """Run ``python -m sim ARGS`` as a real process from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "sim", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def write_log(path: Path, rows, header=("day", "member", "action", "amount")) -> Path:
    """Write an event log; ``rows`` are tuples in header order."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        if header:
            writer.writerow(header)
        writer.writerows(rows)
    return path


def orders(count: int, amount=1000, first_member: int = 1, day: int = 0) -> list[tuple]:
    """``count`` buys by distinct members numbered from ``first_member``."""
    return [(day, first_member + i, "buy", amount) for i in range(count)]


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys):
    """Run ``python -m sim ARGS`` in-process; returns exit code, stdout and stderr."""

    def run(*argv) -> Result:
        try:
            code = main([str(a) for a in argv])
        except SystemExit as stop:  # argparse exits on usage errors and --help
            code = stop.code
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def replay(cli, tmp_path):
    """Replay ``rows`` under a shipped scenario; returns the trace, members and ledger frames."""

    def run(rows, scenario: str, *extra):
        log = write_log(tmp_path / "events.csv", rows)
        out = tmp_path / "out"
        result = cli(
            "replay", log, "--scenario", SCENARIOS / f"{scenario}.yaml", "--out", out, *extra
        )
        assert result.code == 0, result.err
        return Tables(
            *(
                pq.read_table(out / f"{n}.parquet").to_pandas()
                for n in ("trace", "members", "ledger")
            ),
            result,
        )

    return run


@dataclass
class Tables:
    trace: object
    members: object
    ledger: object
    result: Result


@pytest.fixture(scope="session")
def cli_runner():
    """Like ``cli`` but usable inside hypothesis tests (no function-scoped capsys)."""
    import contextlib
    import io

    def run(*argv):
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            try:
                code = main([str(a) for a in argv])
            except SystemExit as stop:
                code = stop.code
        return code, err.getvalue()

    return run
