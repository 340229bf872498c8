"""Mesa stays the face of the engine: ``SchemeModel`` steps a day at a time and stops at its
horizon under Mesa's own ``run_model()``; ``model.datacollector`` holds the model-level series
as the time-series file shows them; ``model.members`` reads all members as one table and one
as an object — on either core."""

from __future__ import annotations

import subprocess
import sys

import mesa
import pyarrow.parquet as pq
import pytest

from sim.batch.run import run_to_files
from sim.model.members import member_frame, member_table
from sim.model.mesa_model import SchemeModel, day_collector
from sim.scenario.root import Scenario, load_scenario
from tests.conftest import SCENARIOS


def on_core(name: str, core: str) -> Scenario:
    data = load_scenario(SCENARIOS / f"{name}.yaml").model_dump()
    data["run"]["core"] = core
    return Scenario.from_dict(data)


@pytest.mark.parametrize("core", ["fast", "reference"])
def test_run_model_stops_at_the_horizon(core):
    model = SchemeModel(on_core("seed-generic-3x", core), days=25)
    assert isinstance(model, mesa.Model) and model.running
    model.run_model()
    assert not model.running and model.day == 25 and len(model.day_rows) == 25
    frame = model.datacollector.get_model_vars_dataframe()
    assert list(frame["day"]) == list(range(25))
    model.close()


@pytest.mark.parametrize("core", ["fast", "reference"])
def test_the_collector_holds_the_time_series_file_day_for_day(tmp_path, core):
    """Seed 004's rules, whose close forfeits the frozen funds of members who never
    qualified: the last day's row is redone when the run ends, in the collector too. The
    file is written by ``run``, which steps the plain ``SchemeRun`` without Mesa: the Mesa
    model draws the same and ends with the same rows and members."""
    scenario = on_core("seed-004-chain-motion", core)
    result, _ = run_to_files(scenario, tmp_path / "run", days=30)
    assert not isinstance(result.model, mesa.Model)
    model = SchemeModel(scenario, days=30)
    model.run_model()
    assert model.steps == 30 and model.day_rows == result.rows
    assert member_table(model).equals(result.member_table)
    collected = model.datacollector.get_model_vars_dataframe()
    written = pq.read_table(tmp_path / "run" / "timeseries.parquet").to_pandas()
    assert list(collected.columns) == list(written.columns)
    assert collected.to_dict("list") == written.to_dict("list")
    model.close()


def test_a_run_from_the_command_line_imports_no_mesa(tmp_path):
    """Mesa's import (with scipy's and networkx's) is the face's cost, not a run's."""
    script = (
        "import sys; from sim.cli import main; "
        f"code = main(['run', r'{SCENARIOS / 'seed-generic-3x.yaml'}', '--days', '5', "
        f"'--out', r'{tmp_path}']); "
        "print(code, sorted(m for m in sys.modules if m.split('.')[0] in ('mesa', 'networkx')))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "0 []"


@pytest.mark.parametrize("core", ["fast", "reference"])
def test_members_read_as_a_table_and_one_by_one(core):
    model = SchemeModel(on_core("seed-generic-3x-assumed-referral", core), days=40)
    model.run_model()
    table = model.members.to_arrow()
    assert table.equals(member_table(model))
    frame = model.members.to_pandas()
    assert frame.equals(member_frame(table))
    assert list(frame["member"]) == list(model.members) == list(range(1, model.joined + 1))
    for member in (1, model.joined // 2, model.joined):
        row = frame.iloc[member - 1]
        view = model.members[member]
        assert (view.kind, view.join_day) == (row["type"], row["join_day"])
    model.close()


def test_the_collector_shows_the_exact_rows_as_the_file_does():
    collector = day_collector(
        [{"day": 0, "pool": 500, "points": 7}, {"day": 1, "pool": 1000, "points": 9}], unit=100
    )
    frame = collector.get_model_vars_dataframe()
    assert frame.to_dict("list") == {"day": [0, 1], "pool": [5.0, 10.0], "points": [0.07, 0.09]}
