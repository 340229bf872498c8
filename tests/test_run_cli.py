"""``python -m sim run``: files, columns, determinism, errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

from sim.batch.tables import MEMBERS_SCHEMA
from tests.conftest import SCENARIOS

TIMESERIES_COLUMNS = [
    "day",
    "price",
    "pool",
    "pool_cash",
    "points",
    "members_active",
    "members_total",
    "members_bought",
    "members_losing",
    "new_members",
    "orders",
    "inflow",
    "order_volume",
    "subsidies",
    "sales",
    "forced_exits",
    "payouts",
    "bonuses",
    "withdrawals",
    "withdrawal_queue",
    "unpaid_claims",
    "diverted",
    "legacy_points",
    "skipped_intents",
    "panic",
    "halted",
    "account_product_cost",
    "account_distribution",
    "account_platform",
    "account_pool",
    "account_member_cash",
    "account_withdrawn",
    "account_operator_diverted",
    "account_custody_shortfall",
]


def test_run_writes_three_files_with_the_documented_columns(cli, tmp_path):
    out = tmp_path / "run"
    result = cli("run", SCENARIOS / "seed-generic-3x.yaml", "--days", 40, "--seed", 3, "--out", out)
    assert result.code == 0, result.err
    assert sorted(p.name for p in out.iterdir()) == [
        "members.parquet",
        "summary.json",
        "timeseries.parquet",
    ]
    series = pq.read_table(out / "timeseries.parquet")
    assert series.column_names == TIMESERIES_COLUMNS
    assert series.num_rows == 40 and series.column("day").to_pylist() == list(range(40))
    members = pq.read_table(out / "members.parquet")
    assert members.schema == MEMBERS_SCHEMA
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert (summary["scenario"], summary["seed"], summary["days"]) == ("seed-generic-3x", 3, 40)
    assert summary["members"] == members.num_rows
    assert summary["ledger_balanced"] is True
    assert summary["scenario_definition"]["points"]["exit_multiple"] == 3
    assert "Ran scenario 'seed-generic-3x' for 40 days with seed 3" in result.out
    assert "ledger   balanced to the fen" in result.out


def test_the_same_run_twice_writes_identical_files(cli, tmp_path):
    scenario = SCENARIOS / "legacy-debts.yaml"  # referrers, panic sellers, legacy points
    for name in ("a", "b"):
        result = cli("run", scenario, "--days", 90, "--out", tmp_path / name, "--quiet")
        assert result.code == 0, result.err
    for name in ("members.parquet", "summary.json", "timeseries.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_another_seed_gives_another_run(cli, tmp_path):
    scenario = SCENARIOS / "panic-after-shock.yaml"
    for seed in (1, 2):
        cli("run", scenario, "--days", 30, "--seed", seed, "--out", tmp_path / str(seed), "--quiet")
    one = json.loads((tmp_path / "1" / "summary.json").read_text())
    two = json.loads((tmp_path / "2" / "summary.json").read_text())
    assert one["members"] != two["members"] or one["orders"] != two["orders"]


def test_default_output_folder_is_named_after_scenario_and_seed(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("run", SCENARIOS / "halt.yaml", "--days", 5, "--quiet")
    assert result.code == 0, result.err
    assert (tmp_path / "out" / "halt" / "seed-1" / "summary.json").exists()


def test_bad_run_arguments_are_one_line_errors(cli, tmp_path):
    for args in (["--days", "0"], ["--days", "x"], ["--seed", "-1"]):
        result = cli("run", SCENARIOS / "halt.yaml", *args, "--out", tmp_path / "o")
        assert result.code == 2 and len(result.err.strip().splitlines()) == 1, result.err
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\norder: {split: {pool: 1}}\ninflow: {kind: bas}\n")
    result = cli("run", bad, "--out", tmp_path / "o")
    assert result.code == 2
    assert "bad.yaml:3: inflow.kind" in result.err and "bass" in result.err
    assert not (tmp_path / "o").exists()


def test_summary_figures_agree_with_the_tables(tmp_path):
    from sim.batch.run import run_to_files
    from sim.scenario.root import load_scenario

    result, _ = run_to_files(
        load_scenario(SCENARIOS / "withdrawal-cap-queue.yaml"), tmp_path / "o", days=120
    )
    summary = result.summary
    members = pq.read_table(tmp_path / "o" / "members.parquet").to_pylist()
    series = pq.read_table(tmp_path / "o" / "timeseries.parquet").to_pylist()
    buyers = [m for m in members if m["spent"] > 0]
    assert summary["members"] == len(members) == series[-1]["members_total"]
    assert summary["orders"] == sum(r["orders"] for r in series)
    assert summary["share_of_buyers_losing"] == sum(m["net_result"] < 0 for m in buyers) / len(
        buyers
    )
    assert summary["share_of_buyers_losing_counting_points"] == sum(
        m["net_result"] + 0.8 * m["value_held"] < 0 for m in buyers
    ) / len(buyers)
    assert summary["withdrawal_queue_at_end"] == series[-1]["withdrawal_queue"]
    assert round(summary["withdrawn_by_members"] * 100) == round(
        sum(m["withdrawn"] for m in members) * 100
    )
    queued = sum(m["cash_balance"] for m in members)
    assert round(queued * 100) == round(summary["withdrawal_queue_at_end"] * 100)
    assert summary["price_end"] == series[-1]["price"]
    # break-even: counted each day, dated per member
    assert series[-1]["members_losing"] == sum(m["net_result"] < 0 for m in buyers)
    assert series[-1]["members_bought"] == len(buyers) == summary["members_who_bought"]
    even = [m for m in buyers if m["net_result"] >= 0]
    assert even and all(m["join_day"] <= m["break_even_day"] <= 119 for m in even)
    assert all(m["break_even_day"] is None for m in members if m["spent"] == 0)


def test_run_as_a_real_program(tmp_path):
    from tests.conftest import run_program

    run = run_program("run", SCENARIOS / "halt.yaml", "--days", 10, "--out", tmp_path / "o")
    assert run.returncode == 0, run.stderr
    assert "Ran scenario 'halt' for 10 days with seed 1" in run.stdout
    assert (tmp_path / "o" / "timeseries.parquet").exists()


@pytest.mark.parametrize(("environment", "asked"), [(None, "False"), ("1", "True")])
def test_python_m_sim_asks_numpy_for_no_huge_pages_unless_told(tmp_path, environment, asked):
    """``python -m sim`` sets NUMPY_MADVISE_HUGEPAGE=0 before numpy is imported (2 MB pages
    cost a large run up to a second of page faults on the measured VM); a user's own setting
    wins."""
    script = (
        "import sys; sys.argv = ['sim', 'run', sys.argv[1], '--days', '3', '--out', sys.argv[2], "
        "'--quiet']\n"
        "try:\n    import sim.__main__\nexcept SystemExit as done:\n    code = done.code\n"
        "from numpy._core.multiarray import _get_madvise_hugepage\n"
        "print(code, _get_madvise_hugepage())"
    )
    env = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    if environment is not None:
        env["NUMPY_MADVISE_HUGEPAGE"] = environment
    scenario = str(SCENARIOS / "seed-generic-3x.yaml")
    done = subprocess.run(
        [sys.executable, "-c", script, scenario, str(tmp_path / "o")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == f"0 {asked}"
