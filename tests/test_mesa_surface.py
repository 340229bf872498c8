"""The model as a Mesa user drives it: built from the keyword arguments ``mesa.batch_run``
passes (a scenario's file or shipped name, ``seed``, ``days`` and values by dotted path),
stopped at the horizon, its series in ``datacollector``; ``mesa.batch_run`` gives, for the
same seeds, the figures ``python -m sim batch`` writes."""

from __future__ import annotations

import duckdb
import mesa
import pandas as pd
import pytest
import yaml

from sim.batch.run import simulate
from sim.batch.runner import child_seeds
from sim.errors import InputError
from sim.model.mesa_model import SchemeModel
from sim.scenario.root import load_scenario
from tests.conftest import SCENARIOS, yuan_rows

EXIT_MULTIPLES = [2.0, 3.0]


def _scenario_files(tmp_path):
    """seed-generic-3x over 40 days; beside it the same with a sweep of the exit multiple."""
    spec = yaml.safe_load((SCENARIOS / "seed-generic-3x.yaml").read_text())
    spec["run"]["days"] = 40
    base = tmp_path / "base.yaml"
    base.write_text(yaml.safe_dump(spec, sort_keys=False))
    spec["sweep"] = {
        "design": "grid",
        "parameters": {"points.exit_multiple": {"values": EXIT_MULTIPLES}},
    }
    swept = tmp_path / "swept.yaml"
    swept.write_text(yaml.safe_dump(spec, sort_keys=False))
    return base, swept, spec["run"]["seed"]


def test_mesa_batch_run_equals_sim_batch(cli, tmp_path):
    base, swept, seed = _scenario_files(tmp_path)
    out = tmp_path / "batch"
    result = cli("batch", swept, "--replicates", "2", "--out", out, "--quiet")
    assert result.code == 0, result.err
    days = duckdb.sql(
        f"select t.*, r.params from read_parquet('{out}/timeseries/*/*.parquet') t "
        f"join read_parquet('{out}/runs/*/*.parquet') r using (point, replicate)"
    ).df()
    seeds = child_seeds(seed, 2)
    rows = mesa.batch_run(
        SchemeModel,
        parameters={"scenario": str(base), "seed": seeds, "points.exit_multiple": EXIT_MULTIPLES},
        data_collection_period=1,
        display_progress=False,
    )
    mesa_days = pd.DataFrame(rows)
    assert len(mesa_days) == len(days) == 2 * 2 * 40
    columns = [
        c for c in mesa_days.columns if c in days.columns and c not in ("seed", "day", "scenario")
    ]
    assert {"price", "pool", "points", "forced_exits", "payouts", "members_losing"} <= set(columns)
    assert mesa_days["forced_exits"].sum() > 0  # the exit multiple matters in these runs
    for (multiple, run_seed), mine in mesa_days.groupby(["points.exit_multiple", "seed"]):
        theirs = days[
            (days["seed"] == run_seed)
            & (days["params"] == f'{{"points.exit_multiple":{multiple}}}')
        ].sort_values("day")
        assert mine["Step"].tolist() == theirs["day"].tolist() == list(range(40))
        pd.testing.assert_frame_equal(
            mine[columns].reset_index(drop=True),
            theirs[columns].reset_index(drop=True),
            check_dtype=False,
        )


def test_run_model_stops_at_the_horizon_with_the_runs_own_figures():
    """Mesa's ``run_model`` (step while ``running``) ends where ``simulate`` ends: the same
    day rows, the distribution layer's close included."""
    model = SchemeModel("seed-local-services-distribution", days=30)
    model.run_model()
    assert not model.running and model.steps == 30
    scenario = load_scenario(SCENARIOS / "seed-local-services-distribution.yaml")
    assert yuan_rows(model) == yuan_rows(simulate(scenario, days=30).model)
    frame = model.datacollector.get_model_vars_dataframe()
    assert frame["day"].tolist() == list(range(30))


def test_values_by_dotted_path():
    model = SchemeModel("seed-generic-3x", seed=5, days=3, **{"points.exit_multiple": 2.5})
    assert model.scenario.points.exit_multiple == 2.5
    assert model.seed == 5 and model.days == 3


@pytest.mark.parametrize(
    ("scenario", "values", "fragments"),
    [
        ("no-such-scenario", {}, ["no scenario file 'no-such-scenario'", "national-100k"]),
        (
            "seed-generic-3x",
            {"points.exit_multipl": 2.0},
            ["points.exit_multipl: unknown key 'exit_multipl'", "exit_multiple"],
        ),
        (
            "seed-generic-3x",
            {"points.sell_payout": 1.5},
            ["points.sell_payout=1.5 makes the scenario invalid", "points.sell_payout"],
        ),
    ],
)
def test_a_bad_name_or_value_is_one_error_naming_it(scenario, values, fragments):
    with pytest.raises(InputError) as caught:
        SchemeModel(scenario, **values)
    text = str(caught.value)
    assert "\n" not in text
    for fragment in fragments:
        assert fragment in text, (fragment, text)
