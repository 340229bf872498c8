"""Every shipped scenario, run 60 days, writes the files it wrote before the package was
laid out in wings: the same ``summary.json`` byte for byte, the same ``timeseries`` and
``members`` tables value for value, and (with the pyarrow that wrote the record) the same
Parquet bytes. See :mod:`tests.golden` for how the record was made."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from sim.batch.run import run_to_files
from sim.scenario.root import load_scenario
from tests.conftest import ROOT, SCENARIOS
from tests.golden import DAYS, TABLES, digests

RECORD = json.loads((ROOT / "tests" / "data" / "golden-60-days.json").read_text())
SHIPPED = sorted(p.stem for p in SCENARIOS.glob("*.yaml"))


def test_the_record_covers_every_shipped_scenario():
    assert sorted(RECORD["runs"]) == SHIPPED and RECORD["days"] == DAYS


@pytest.mark.parametrize("name", SHIPPED)
def test_a_shipped_scenario_writes_the_recorded_files(tmp_path, name):
    run_to_files(load_scenario(SCENARIOS / f"{name}.yaml"), tmp_path / name, days=DAYS)
    found, recorded = digests(tmp_path / name), RECORD["runs"][name]
    assert found["summary.json"] == recorded["summary.json"]
    for table in TABLES:
        assert found[f"{table} content"] == recorded[f"{table} content"], table
        if pa.__version__ == RECORD["pyarrow"]:
            assert found[table] == recorded[table], table
