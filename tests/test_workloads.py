"""The scale workloads of ``python -m sim bench``: the scenarios they run and the figures
they print (measured by the bench, never asserted on time)."""

from __future__ import annotations

import pytest

from sim.batch import workloads
from sim.batch.run import simulate
from sim.scenario.root import Scenario, load_scenario
from tests.conftest import SCENARIOS


def test_the_workloads_run_the_scenarios_they_name():
    national = load_scenario(SCENARIOS / "national-100k.yaml")
    year = workloads.year_1m()
    assert year.inflow.rate == 10 * national.inflow.rate
    assert year.inflow.initial_members == 10 * national.inflow.initial_members
    assert (year.run.core, year.run.days) == ("fast", 365)
    assert year.population == national.population and year.order == national.order
    largest = workloads.largest_9m()
    assert largest == load_scenario(SCENARIOS / "largest-case-9m.yaml")
    seed004 = workloads.seed004_1m()
    assert seed004.inflow.market_size == 1_000_000 and seed004.distribution is not None
    assert seed004.run.core == "fast"
    big = workloads.seed004_9m()
    assert (big.inflow.market_size, big.run.days) == (9_000_000, 1095)
    assert big.distribution == seed004.distribution


def short(name: str, days: int) -> Scenario:
    data = load_scenario(SCENARIOS / f"{name}.yaml").model_dump()
    data["run"]["days"] = days
    return Scenario.from_dict(data)


def test_a_measured_run_counts_the_runs_events_and_members():
    scenario = short("national-100k", 40)
    figures = workloads.measure_run(scenario)
    rows = simulate(scenario).rows
    events = sum(row["orders"] + row["sales"] + row["forced_exits"] for row in rows)
    assert figures["members"] == rows[-1]["members_total"] > 0
    assert figures["events_per_s"] * figures["seconds"] == pytest.approx(events)
    assert figures["peak_bytes_per_member"] >= 0


def test_the_bench_prints_name_value_unit_lines(cli, monkeypatch):
    monkeypatch.setitem(workloads.WORKLOADS, "year_1m", lambda: short("seed-generic-3x", 20))
    result = cli("bench", "--workload", "year_1m")
    assert result.code == 0
    lines = [line.split() for line in result.out.strip().splitlines()]
    assert [name for name, _, _ in lines] == [
        "year_1m_members",
        "year_1m_seconds",
        "year_1m_events_per_s",
        "year_1m_peak_bytes_per_member",
    ]
    assert all(float(value) >= 0 for _, value, _ in lines)


def test_the_replay_workload_writes_a_log_the_replay_accepts(tmp_path, cli):
    from sim.batch.replay_workload import SCENARIO, write_log

    log = tmp_path / "export.parquet"
    rows = write_log(3_000, log)
    result = cli("replay", log, "--scenario", SCENARIO, "--out", tmp_path / "out", "--quiet")
    assert result.code == 0, result.err
    import pyarrow.parquet as pq

    table = pq.read_table(log).to_pandas()
    assert len(table) == rows and set(table.action) == {
        "join",
        "buy",
        "bonus",
        "withdraw",
        "sell",
        "fee",
    }
    assert list(table.day) == sorted(table.day)  # in time order
    assert (table.action == "join").sum() == 300  # a tenth of the rows asked for


def test_the_comparison_schemes_national_case_on_the_bench(cli):
    """bench --workload wanjia_2m runs scenarios/comparison/wanjia-national.yaml whole: the
    README's figures (288,721 members, insolvent on day 163; seed 1)."""
    result = cli("bench", "--workload", "wanjia_2m")
    assert result.code == 0, result.err
    lines = {name: (value, unit) for name, value, unit in map(str.split, result.out.splitlines())}
    assert lines["wanjia_2m_members"] == ("288721", "members")
    assert lines["wanjia_2m_collapse_day"] == ("163", "day")
    assert float(lines["wanjia_2m_members_per_s"][0]) > 0
    assert list(lines) == [
        "wanjia_2m_members",
        "wanjia_2m_collapse_day",
        "wanjia_2m_seconds",
        "wanjia_2m_members_per_s",
        "wanjia_2m_peak_bytes_per_member",
    ]
