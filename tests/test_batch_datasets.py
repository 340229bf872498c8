"""A finished batch folder is a set of datasets: DuckDB and polars read each table with hive
partitioning, two batches combine with one glob, and more replicates extend a batch."""

from __future__ import annotations

import json
import shutil

import duckdb
import pandas as pd
import polars as pl
import pyarrow.parquet as pq
import pytest

from sim.batch.columns import TABLES
from sim.batch.designs import load_design
from sim.batch.runner import execute, plan, run_batch
from sim.batch.store import TABLE_NAMES, BatchStore, partition, read_table, scenario_of
from tests.conftest import SCENARIOS

PLAIN = SCENARIOS / "seed-generic-3x.yaml"
SWEEP = SCENARIOS / "sweep-cap-and-decay.yaml"  # a 3 x 3 grid
REPLICATES, DAYS = 2, 6


def expected_rows(paths, replicates=REPLICATES, days=DAYS) -> dict[str, int]:
    """Rows each table of a batch must hold: runs = points x replicates per scenario;
    timeseries: that times days; accounts: that times days times the scenario's ledger
    accounts (one row each a day, as one run gives them)."""
    counts = dict.fromkeys(TABLE_NAMES, 0)
    for path in paths:
        _, points = load_design(path)
        specs, _ = plan([path], 1, 1)
        accounts = len(execute(specs[0]).accounts)  # one day of one run
        runs = len(points) * replicates
        counts["runs"] += runs
        counts["timeseries"] += runs * days
        counts["accounts"] += runs * days * accounts
    return counts


@pytest.fixture(scope="module")
def batches(tmp_path_factory):
    """A finished batch of a plain and a sweep scenario, and a plain and a sweep batch."""
    base = tmp_path_factory.mktemp("datasets")
    run_batch([PLAIN, SWEEP], REPLICATES, base / "both", days=DAYS)
    run_batch([SCENARIOS / "halt.yaml"], REPLICATES, base / "plain", days=DAYS)
    run_batch([SWEEP], REPLICATES, base / "sweep", days=DAYS)
    return base


def duck_count(glob, by_scenario=False):
    source = f"read_parquet({glob!r}, hive_partitioning=true)"
    if by_scenario:
        query = f"select scenario, count(*) from {source} group by scenario order by scenario"
        return dict(duckdb.sql(query).fetchall())
    return duckdb.sql(f"select count(*) from {source}").fetchall()[0][0]


def polars_frame(glob) -> pl.DataFrame:
    return pl.scan_parquet(glob, hive_partitioning=True).collect()


def test_duckdb_and_polars_read_each_table_with_hive_partitioning(batches):
    folder = batches / "both"
    counts = expected_rows([PLAIN, SWEEP])
    assert counts["runs"] == (1 + 9) * REPLICATES
    for table in TABLE_NAMES:
        glob = str(folder / table / "**" / "*.parquet")
        assert duck_count(glob) == counts[table], table
        frame = polars_frame(glob)
        assert len(frame) == counts[table], table
        assert len(read_table(folder, table)) == counts[table], table
        per_scenario = duck_count(glob, by_scenario=True)
        assert set(per_scenario) == {"seed-generic-3x", "sweep-cap-and-decay"}
        polars_counts = dict(frame.group_by("scenario").len().iter_rows())
        assert polars_counts == per_scenario
    runs = polars_frame(str(folder / "runs" / "**" / "*.parquet"))
    assert runs.schema["scenario"] == pl.String and runs.schema["params"] == pl.String
    plain = runs.filter(pl.col("scenario") == "seed-generic-3x")
    assert plain["params"].null_count() == len(plain) and set(plain["point"]) == {0}
    swept = runs.filter(pl.col("scenario") == "sweep-cap-and-decay")
    values = {json.loads(text)["points.exit_multiple"] for text in swept["params"]}
    assert values == {1.2, 2.0, 3.0}


def test_a_plain_and_a_sweep_batch_combine_with_one_glob(batches):
    counts = {
        name: expected_rows([path])
        for name, path in (("plain", SCENARIOS / "halt.yaml"), ("sweep", SWEEP))
    }
    for table in TABLE_NAMES:
        total = counts["plain"][table] + counts["sweep"][table]
        # one glob over both folders (neither engine expands {plain,sweep}), or a list
        glob = str(batches / "[ps]*" / table / "**" / "*.parquet")
        assert duck_count(glob) == total, table
        assert len(polars_frame(glob)) == total, table
        listed = [str(batches / name / table / "**" / "*.parquet") for name in ("plain", "sweep")]
        assert len(polars_frame(listed)) == total
        query = f"select count(*) from read_parquet({listed}, hive_partitioning=true)"
        assert duckdb.sql(query).fetchall()[0][0] == total
    # one schema whatever the batch: the same column names and types in every file
    schemas = {
        pq.read_schema(path).remove_metadata()
        for name in ("plain", "sweep", "both")
        for path in (batches / name / "runs").rglob("*.parquet")
    }
    assert len({str(s) for s in schemas}) == 1


def test_a_finished_batch_of_two_scenarios_has_one_file_per_scenario_and_table(batches):
    folder = batches / "both"
    for table in TABLE_NAMES:
        found = sorted(p.relative_to(folder / table) for p in (folder / table).rglob("*"))
        files = [p for p in found if (folder / table / p).is_file()]
        assert len(files) <= 2
        assert [str(p) for p in files] == [
            "scenario=seed-generic-3x/part-0.parquet",
            "scenario=sweep-cap-and-decay/part-0.parquet",
        ]
    sweep = pq.ParquetFile(folder / "runs" / "scenario=sweep-cap-and-decay" / "part-0.parquet")
    groups = [
        sweep.read_row_group(i, columns=["point"])["point"].to_pylist()
        for i in range(sweep.num_row_groups)
    ]
    assert groups == [[point] * REPLICATES for point in range(9)]  # a row group per point
    series = read_table(folder, "timeseries")
    keys = ["scenario", "point", "replicate", "day"]
    assert series[keys].equals(series[keys].sort_values(keys).reset_index(drop=True))


def test_the_column_descriptions_are_in_the_schema_metadata(batches):
    for table in TABLE_NAMES:
        row, words = TABLES[table]
        for path in (batches / "both" / table).rglob("*.parquet"):
            schema = pq.read_schema(path)
            assert "scenario" not in schema.names  # the hive key, not a column of the file
            for column in schema:
                assert column.metadata[b"description"].decode() == words[column.name]
            assert row in schema.metadata[b"description"].decode()
            described = json.loads(schema.metadata[b"columns"])
            assert set(described) == {"scenario", *schema.names}
            query = f"select key from parquet_kv_metadata('{path}')"
            assert b"columns" in {key for (key,) in duckdb.sql(query).fetchall()}


def frames(folder) -> dict[str, pd.DataFrame]:
    return {table: read_table(folder, table) for table in TABLE_NAMES}


def sorted_frame(frame: pd.DataFrame) -> pd.DataFrame:
    keys = [c for c in ("scenario", "point", "replicate", "day", "account") if c in frame]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def data_files(folder) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for table in TABLE_NAMES
        for p in sorted((folder / table).rglob("*.parquet"))
    }


def test_more_replicates_extend_a_finished_batch(tmp_path, cli):
    grown, fresh = tmp_path / "grown", tmp_path / "fresh"
    run_batch([PLAIN, SWEEP], 1, grown, days=DAYS)
    before = frames(grown)
    result = run_batch([PLAIN, SWEEP], 3, grown, days=DAYS)
    assert (result.runs, result.ran, result.resumed) == (30, 20, 10)
    run_batch([PLAIN, SWEEP], 3, fresh, days=DAYS)
    after, wanted = frames(grown), frames(fresh)
    for table in TABLE_NAMES:
        pd.testing.assert_frame_equal(sorted_frame(after[table]), sorted_frame(wanted[table]))
        pd.testing.assert_frame_equal(after[table], wanted[table])  # the same order, too
        old = after[table][after[table].replicate == 0].reset_index(drop=True)
        pd.testing.assert_frame_equal(old, before[table])  # the old rows unchanged
    assert data_files(grown) == data_files(fresh)  # compacted alike, byte for byte
    manifest = json.loads((grown / "manifest.json").read_text())
    assert (manifest["replicates"], manifest["runs"]) == (3, 30)

    # the same replicates again: nothing new is run or written
    stamps = {p: p.stat().st_mtime_ns for p in grown.rglob("*") if p.is_file()}
    again = run_batch([PLAIN, SWEEP], 3, grown, days=DAYS)
    assert (again.ran, again.resumed) == (0, 30)
    assert {p: p.stat().st_mtime_ns for p in grown.rglob("*") if p.is_file()} == stamps

    # fewer replicates: refused, as another plan
    result = cli("batch", PLAIN, SWEEP, "--replicates", 2, "--days", DAYS, "--out", grown)
    assert result.code == 2 and "different plan" in result.err


def test_a_folder_read_mid_run_or_cut_short_in_compaction_reads_the_same(tmp_path, monkeypatch):
    whole = tmp_path / "whole"
    run_batch([PLAIN, SWEEP], 2, whole, days=DAYS)
    wanted = frames(whole)

    # mid-run: the per-run files, none compacted yet
    cut = tmp_path / "cut"
    with monkeypatch.context() as patch:
        patch.setattr(BatchStore, "compact", lambda self: None)
        run_batch([PLAIN, SWEEP], 2, cut, days=DAYS)
    assert len(list((cut / "runs").rglob("run-*.parquet"))) == 20
    assert not list((cut / "runs").rglob("part-0.parquet"))
    for table in TABLE_NAMES:
        pd.testing.assert_frame_equal(read_table(cut, table), wanted[table])

    # cut short after the compacted files were renamed, before the run files were deleted
    kept = tmp_path / "kept"
    shutil.copytree(cut, kept)
    BatchStore(cut, {}).compact()
    for table in TABLE_NAMES:
        for path in (kept / table).rglob("run-*.parquet"):
            shutil.copy(path, cut / path.relative_to(kept))
        pd.testing.assert_frame_equal(read_table(cut, table), wanted[table])

    # the same command again finishes the job: one file per scenario and table, as whole
    result = run_batch([PLAIN, SWEEP], 2, cut, days=DAYS)
    assert (result.ran, result.resumed) == (0, 20)
    assert data_files(cut) == data_files(whole)

    # more replicates, cut short before compaction: old compacted rows + new run files
    with monkeypatch.context() as patch:
        patch.setattr(BatchStore, "compact", lambda self: None)
        run_batch([PLAIN, SWEEP], 3, cut, days=DAYS)
    fresh = tmp_path / "fresh"
    run_batch([PLAIN, SWEEP], 3, fresh, days=DAYS)
    for table in TABLE_NAMES:
        pd.testing.assert_frame_equal(read_table(cut, table), read_table(fresh, table))


def test_read_table_gives_the_swept_parameters_as_columns(batches):
    runs = read_table(batches / "both", "runs")
    names = list(runs.columns)
    params = names[names.index("seed") + 1 : names.index("status")]
    assert params == ["points.exit_multiple", "inflow.half_life_days"]
    assert runs["points.exit_multiple"].dtype == "float64"
    plain = runs[runs.scenario == "seed-generic-3x"]
    assert plain[params].isna().all().all()
    series = read_table(batches / "both", "timeseries", columns=["scenario", "day", "nope"])
    assert list(series.columns) == ["scenario", "day"]


def test_scenario_names_that_need_escaping_survive_the_partition_folder(tmp_path):
    for name in ("a b", "x/y=z", "50%", "消费", "a[1]*"):
        directory = partition(tmp_path, "runs", name)
        assert directory.parent == tmp_path / "runs" and scenario_of(directory) == name
