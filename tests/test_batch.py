"""Batches: the same results with any executor, resumable after kill -9, failures recorded."""

from __future__ import annotations

import gc
import json
import math
import os
import signal
import subprocess
import sys
import time
import weakref

import mesa
import numpy as np
import pandas as pd
import pytest

from sim.batch import runner as batch_module
from sim.batch.compare import mean_interval
from sim.batch.compare_text import number
from sim.batch.executors import EXECUTORS, RUNNERS
from sim.batch.runner import child_seeds, run_batch
from sim.batch.store import TABLE_NAMES, read_table
from tests.conftest import ROOT, SCENARIOS

SMALL = [SCENARIOS / "halt.yaml", SCENARIOS / "seed-004-pack-3x-direct-only.yaml"]


def files(out):
    """Every data file of a batch, by relative path, with its bytes."""
    return {
        str(p.relative_to(out)): p.read_bytes()
        for table in TABLE_NAMES
        for p in sorted((out / table).rglob("*.parquet"))
    }


def run_files(out):
    """The per-run files of a batch's runs table (there while it runs, none once compacted)."""
    return list((out / "runs").rglob("run-p*-r*.parquet"))


def test_child_seeds_are_spawned_from_the_scenario_seed():
    seeds = child_seeds(1, 4)
    expected = [
        int(c.generate_state(1, np.uint64)[0] >> np.uint64(1))
        for c in np.random.SeedSequence(1).spawn(4)
    ]
    assert seeds == expected and len(set(seeds)) == 4
    assert child_seeds(1, 2) == seeds[:2]  # more replicates later extend, never reshuffle
    assert all(0 <= s < 2**63 for s in seeds)


def test_serial_process_and_dask_give_identical_datasets(tmp_path):
    outs = {}
    for executor in ("serial", "process", "dask"):
        out = tmp_path / executor
        result = run_batch(SMALL, 3, out, workers=2, executor=executor, days=25)
        assert (result.runs, result.ran, result.failed) == (6, 6, 0)
        outs[executor] = files(out)
    assert len(outs["serial"]) == 6  # one file per scenario and table once compacted
    assert outs["serial"] == outs["process"] == outs["dask"]


def test_runs_rows_and_manifest(tmp_path):
    out = tmp_path / "b"
    run_batch(SMALL, 2, out, days=20)
    runs = read_table(out, "runs").sort_values("key")
    assert list(runs.key) == [
        f"{name}__p00000__r0000{i}"
        for name in ("halt", "seed-004-pack-3x-direct-only")
        for i in (0, 1)
    ]
    assert (runs.status == "ok").all() and runs.error.isna().all()
    assert list(runs.seed) == child_seeds(1, 2) * 2
    series = read_table(out, "timeseries")
    assert len(series) == 4 * 20 and "account_pool" not in series.columns
    accounts = read_table(out, "accounts")
    last = accounts[accounts.day == 19].groupby(["scenario", "replicate"]).balance.sum()
    entered = runs.set_index(["scenario", "replicate"]).money_entered
    assert np.allclose(last.sort_index().to_numpy(), entered.sort_index().to_numpy())
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["replicates"], manifest["runs"], manifest["days"]) == (2, 4, 20)
    assert [s["name"] for s in manifest["scenarios"]] == ["halt", "seed-004-pack-3x-direct-only"]


def test_a_failing_run_is_recorded_and_the_batch_goes_on(tmp_path, monkeypatch):
    real = batch_module.simulate

    def flaky(scenario, seed, days):
        if seed == child_seeds(1, 3)[1]:
            raise ZeroDivisionError("boom\nsecond line")
        return real(scenario, seed, days)

    monkeypatch.setattr(batch_module, "simulate", flaky)
    result = run_batch([SCENARIOS / "halt.yaml"], 3, tmp_path / "b", days=10)
    assert (result.runs, result.failed) == (3, 1)
    runs = read_table(tmp_path / "b", "runs").sort_values("replicate")
    assert list(runs.status) == ["ok", "error", "ok"]
    assert runs.error.iloc[1] == "ZeroDivisionError: boom second line"
    assert math.isnan(runs.orders.iloc[1])
    assert sorted(set(read_table(tmp_path / "b", "timeseries").replicate)) == [0, 2]
    again = run_batch([SCENARIOS / "halt.yaml"], 3, tmp_path / "b", days=10)
    assert (again.ran, again.resumed, again.failed) == (0, 3, 1)


def test_kill_minus_nine_then_resume_equals_an_uninterrupted_batch(tmp_path):
    args = [
        sys.executable,
        "-m",
        "sim",
        "batch",
        str(SCENARIOS / "halt.yaml"),
        "--replicates",
        "16",
        "--days",
        "90",
        "--quiet",
    ]
    whole = tmp_path / "whole"
    subprocess.run([*args, "--out", str(whole)], cwd=ROOT, check=True)

    cut = tmp_path / "cut"
    process = subprocess.Popen([*args, "--out", str(cut)], cwd=ROOT)
    deadline = time.monotonic() + 120
    while len(run_files(cut)) < 3:
        assert process.poll() is None, "the batch finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    interrupted = len(run_files(cut))  # not a cut-short .tmp
    assert 3 <= interrupted < 16

    resumed = subprocess.run(
        [*args[:-1], "--out", str(cut)], cwd=ROOT, check=True, capture_output=True, text=True
    )
    assert f"({16 - interrupted} run now, {interrupted} already done, 0 failed)" in resumed.stdout
    assert files(cut) == files(whole)
    assert not list(cut.rglob("*.tmp")) and not run_files(cut)


def test_another_plan_in_the_same_folder_is_refused(tmp_path, cli):
    out = tmp_path / "b"
    assert (
        cli(
            "batch",
            SCENARIOS / "halt.yaml",
            "--replicates",
            3,
            "--days",
            5,
            "--out",
            out,
            "--quiet",
        ).code
        == 0
    )
    for other in (("--replicates", 2, "--days", 5), ("--replicates", 3, "--days", 6)):
        result = cli("batch", SCENARIOS / "halt.yaml", *other, "--out", out)
        assert result.code == 2 and "different plan" in result.err
        assert len(result.err.strip().splitlines()) == 1
    result = cli("batch", SCENARIOS / "halt.yaml", "--replicates", 3, "--days", 5, "--out", out)
    assert result.code == 0 and "(0 run now, 3 already done, 0 failed)" in result.out


def test_memory_does_not_grow_with_runs(tmp_path):
    """Mesa keeps a class-level id counter per model (mesa#3179); runs must not leave it
    behind, and no model may stay alive after its run."""
    before = len(mesa.Agent._ids)
    models = []
    real = batch_module.simulate

    def tracked(*args):
        model = real(*args)
        models.append(weakref.ref(model))
        return model

    batch_module.simulate = tracked
    try:
        run_batch([SCENARIOS / "halt.yaml"], 6, tmp_path / "b", days=10)
    finally:
        batch_module.simulate = real
    gc.collect()
    assert len(mesa.Agent._ids) == before
    assert all(ref() is None for ref in models)


def test_mean_interval_is_the_student_t_interval():
    n, mean, low, high = mean_interval(pd.Series([1.0, 2.0, 3.0, 4.0]))
    half = 3.182446305284263 * math.sqrt(5 / 3) / 2  # t(0.975, 3) x s / sqrt(n)
    assert (n, mean) == (4, 2.5)
    assert low == pytest.approx(2.5 - half) and high == pytest.approx(2.5 + half)
    n, mean, low, high = mean_interval(pd.Series([7.0, None]))
    assert (n, mean) == (1, 7.0) and math.isnan(low) and math.isnan(high)


def test_compare_prints_and_saves_a_side_by_side_table(tmp_path, cli):
    for name, scenario in (("a", "halt.yaml"), ("b", "operator-diversion.yaml")):
        run_batch([SCENARIOS / scenario], 4, tmp_path / name, days=15)
    result = cli("compare", tmp_path / "a", tmp_path / "b", "--out", tmp_path / "cmp")
    assert result.code == 0, result.err
    assert "a:halt" in result.out and "b:operator-diversion" in result.out
    tidy = pd.read_csv(tmp_path / "cmp.csv")
    runs = read_table(tmp_path / "a", "runs")
    row = tidy[(tidy.scenario == "halt") & (tidy.metric == "orders")].iloc[0]
    assert row["n"] == 4 and row["mean"] == pytest.approx(runs.orders.mean())
    assert (tmp_path / "cmp.md").read_text().startswith("Mean and 95% confidence interval")
    assert cli("compare", tmp_path / "nothing").code == 2
    # readable in a terminal: 120 columns, units, "never", the collapsed row
    lines = result.out.splitlines()
    table = [line for line in lines if str(tmp_path) not in line]  # not the files' paths
    assert max(len(line) for line in table) <= 120, max(table, key=len)
    assert "e+" not in result.out and "nan" not in result.out
    rows = {line.split()[0]: line for line in lines if line and not line.startswith(" ")}
    assert rows["collapse_day"].split()[1:] == ["never", "never"]
    assert rows["collapsed"].split()[1] == "0.0%"  # halt: nothing collapses in 15 days
    assert rows["orders"].split()[1] == number(runs.orders.mean(), "count")
    money = tidy[(tidy.scenario == "halt") & (tidy.metric == "money_entered")].iloc[0]["mean"]
    assert f"{money:,.0f}" in rows["money_entered"]
    collapsed = tidy[(tidy.metric == "collapsed")]
    assert set(collapsed.interval) == {"wilson"} and set(collapsed.n) == {4}


def test_compare_names_sweep_points_by_their_values(tmp_path, cli):
    run_batch([SCENARIOS / "sweep-cap-and-decay.yaml"], 2, tmp_path / "s", days=8)
    result = cli("compare", tmp_path / "s", "--out", tmp_path / "cmp")
    assert result.code == 0, result.err
    assert "exit_multiple=1.2 half_life_days=10" in result.out
    assert "/p0" not in result.out
    table = [line for line in result.out.splitlines() if str(tmp_path) not in line]
    assert max(len(line) for line in table) <= 120


def test_a_sweep_batch_runs_every_declared_point_times_replicates(tmp_path):
    from sim.batch.designs import load_design

    path = SCENARIOS / "sweep-cap-and-decay.yaml"
    _, points = load_design(path)
    assert len(points) == 9
    result = run_batch([path], 2, tmp_path / "b", days=8)
    assert (result.runs, result.failed) == (18, 0)
    runs = read_table(tmp_path / "b", "runs").sort_values("key")
    assert list(runs.point) == [p for p in range(9) for _ in range(2)]
    for point, group in runs.groupby("point"):
        declared = points[point]
        assert group["points.exit_multiple"].unique().tolist() == [
            float(declared["points.exit_multiple"])
        ]
        assert group["inflow.half_life_days"].unique().tolist() == [
            float(declared["inflow.half_life_days"])
        ]
        assert list(group.seed) == child_seeds(1, 2)  # common random numbers across points
    assert json.loads((tmp_path / "b" / "manifest.json").read_text())["scenarios"][0]["points"] == 9


def test_a_latin_hypercube_sweep_batch(tmp_path):
    text = (SCENARIOS / "halt.yaml").read_text(encoding="utf-8")
    text += (
        "sweep:\n  design: lhs\n  samples: 5\n  seed: 3\n  parameters:\n"
        "    points.mint_ratio: {low: 0.5, high: 0.9}\n"
    )
    path = tmp_path / "lhs.yaml"
    path.write_text(text, encoding="utf-8")
    run_batch([path], 1, tmp_path / "b", days=5)
    runs = read_table(tmp_path / "b", "runs").sort_values("point")
    ratios = runs["points.mint_ratio"].to_numpy()
    assert len(ratios) == 5 and ((ratios >= 0.5) & (ratios <= 0.9)).all()
    strata = np.floor((ratios - 0.5) / 0.4 * 5).astype(int)
    assert sorted(strata) == [0, 1, 2, 3, 4]


def test_the_command_line_offers_exactly_the_executors_there_are():
    from sim.cli import build_parser

    commands = next(a for a in build_parser()._actions if a.dest == "command")
    batch = commands.choices["batch"]
    executor = next(a for a in batch._actions if a.dest == "executor")
    assert tuple(executor.choices) == EXECUTORS == tuple(RUNNERS)
