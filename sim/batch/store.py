"""The batch folder, defined once: where each table's rows live, how they get there, and how
they are read back.

A batch folder holds a plan and three tables, each a hive-partitioned Parquet dataset with
one folder per scenario (``scenario=NAME``, NAME percent-encoded where a path needs it)::

    DIR/manifest.json                              the plan (see sim.batch.runner)
    DIR/runs/scenario=NAME/part-0.parquet          one row per run
    DIR/timeseries/scenario=NAME/part-0.parquet    one row per run and day
    DIR/accounts/scenario=NAME/part-0.parquet      one row per run, day and ledger account
    DIR/checksums.jsonl, DIR/.lock                 see sim.batch.integrity

While the batch runs each finished run is written at once as one small file per table
(``run-pPOINT-rREPLICATE.parquet`` beside ``part-0.parquet``; written to a temporary name,
then renamed), which makes the batch resumable. When every run is done,
:meth:`BatchStore.compact` merges each scenario's files into ``part-0.parquet`` — rows
sorted by point, replicate (and day), one row group per sweep point (or more for a very
large point) — written to a temporary name, renamed, and only then are the run files
deleted. A folder cut
short anywhere in between reads the same, because a run file whose run ``part-0.parquet``
already holds is ignored.

The files have one schema whatever the batch: the scenario is the partition key, not a
column of the files (DuckDB and polars take a hive key over a file column), and the sweep
point's values are one JSON column, ``params``, null without a sweep; so DuckDB's
``read_parquet(['A/runs/**/*.parquet', 'B/runs/**/*.parquet'], hive_partitioning=true)``
and polars' ``scan_parquet`` read a plain and a sweep batch together (a list of globs, or
one glob such as ``out/*/runs/**/*.parquet``: neither expands ``{A,B}``). Every column's meaning
(:mod:`sim.batch.columns`) is in the files' schema metadata. :func:`read_table` gives a
table in the columns, dtypes and row order the per-run files used to give.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sim.batch import integrity
from sim.batch.columns import ACCOUNTS_COLUMNS, METRICS, TABLES
from sim.batch.tables import timeseries_schema
from sim.errors import InputError

TABLE_NAMES = tuple(TABLES)  # runs, timeseries, accounts: one folder each
MANIFEST = "manifest.json"
PARTITION = "scenario"  # the hive key
COMPACTED = "part-0.parquet"
TEMPORARY = ".tmp"  # suffix of a file being written (no reader matches *.parquet.tmp)
PART = re.compile(r"run-p(\d+)-r(\d+)\.parquet")
UNSAFE = set('/\\%=<>:"|?*#[]{}')  # characters percent-encoded in a partition folder's name

IDENTITY = (("point", pa.int64()), ("replicate", pa.int64()), ("seed", pa.int64()))
RUNS_SCHEMA = pa.schema(
    [
        ("key", pa.string()),
        *IDENTITY,
        ("params", pa.string()),
        ("status", pa.string()),
        ("error", pa.string()),
        *METRICS,
    ]
)
ACCOUNTS_SCHEMA = pa.schema([*IDENTITY, *ACCOUNTS_COLUMNS])


@dataclass
class RunOutput:
    """One finished run as the store writes it: its runs row and its daily rows."""

    key: str
    row: dict
    timeseries: list[dict] = field(default_factory=list)
    accounts: list[dict] = field(default_factory=list)


def run_key(scenario: str, point: int, replicate: int) -> str:
    """A run's name, the ``key`` column: ``SCENARIO__pPOINT__rREPLICATE``, zero-padded."""
    return f"{scenario}__p{point:05d}__r{replicate:05d}"


def encode_params(params: tuple[tuple[str, object], ...]) -> str | None:
    """The ``params`` column: a sweep point's values as JSON in declaration order, or null."""
    return json.dumps(dict(params), separators=(",", ":")) if params else None


def partition(folder: Path, table: str, scenario: str) -> Path:
    """The folder of one scenario's rows of ``table``."""
    name = "".join(
        "".join(f"%{byte:02X}" for byte in char.encode()) if char in UNSAFE or char < " " else char
        for char in scenario
    )
    return Path(folder) / table / f"{PARTITION}={name}"


def scenario_of(directory: Path) -> str:
    """The scenario a partition folder holds (percent-decoded, as DuckDB and polars read it)."""
    return unquote(directory.name.removeprefix(f"{PARTITION}="))


def part_path(folder: Path, table: str, scenario: str, point: int, replicate: int) -> Path:
    """The file of one run's rows of ``table`` while the batch runs."""
    return partition(folder, table, scenario) / f"run-p{point:05d}-r{replicate:05d}.parquet"


def series_schema(rows: list[dict]) -> pa.Schema:
    """Columns of the timeseries table: the run's identity, then the model's daily columns."""
    identity = {"scenario", *(name for name, _ in IDENTITY)}
    rest = [{k: v for k, v in rows[0].items() if k not in identity}]
    return pa.schema([*IDENTITY, *timeseries_schema(rest)])


def described(schema: pa.Schema, table: str) -> pa.Schema:
    """``schema`` with each column's meaning as field metadata and the table's in the schema
    metadata (``description``; ``columns``, all of them as JSON, for readers without Arrow)."""
    row, words = TABLES[table]
    fields = [
        f.with_metadata({"description": words[f.name]}) if f.name in words else f for f in schema
    ]
    columns = {name: words[name] for name in [PARTITION, *schema.names] if name in words}
    metadata = {
        "description": f"{table}: {row}; the scenario is the hive key {PARTITION}=NAME",
        "columns": json.dumps(columns, ensure_ascii=False),
    }
    return pa.schema(fields, metadata=metadata)


class BatchStore:
    """The batch folder: its manifest, the runs written so far, and their compaction."""

    def __init__(self, out: Path, manifest: dict) -> None:
        self.out = Path(out)
        self.manifest = manifest

    def open(self) -> None:
        """Create the folder, or check it holds this same plan (resume) or the same plan with
        fewer replicates (which this one extends: more replicates add runs)."""
        if self.out.exists() and not self.out.is_dir():
            raise InputError("output path exists and is not a folder", file=self.out)
        path = self.out / MANIFEST
        write = not path.exists()
        if path.exists():
            found = read_manifest(self.out)
            other = ("command", "replicates", "runs")
            same = _plan(found, other) == _plan(self.manifest, other)
            if not same or found.get("replicates", 0) > self.manifest["replicates"]:
                raise InputError(
                    "holds a batch with a different plan (other scenarios or days, or more "
                    "replicates than asked for); use another --out to start a new batch",
                    file=self.out,
                )
            write = found["replicates"] < self.manifest["replicates"]
        for table in TABLE_NAMES:
            (self.out / table).mkdir(parents=True, exist_ok=True)
            for stale in (self.out / table).rglob(f"*{TEMPORARY}"):
                stale.unlink()
        if write:
            _atomic_write_text(path, json.dumps(self.manifest, indent=2) + "\n")
        self.repaired = integrity.repair(self.out)

    def done(self) -> set[str]:
        """Keys of the runs whose runs row was written, compacted or not (a write cut short
        leaves only a temporary file, which does not count)."""
        return _finished(self.out)

    def save(self, output: RunOutput) -> None:
        """Write one run: its daily tables first, then its runs row (which marks it done)."""
        row = output.row
        where = (self.out, row["scenario"], row["point"], row["replicate"])
        if output.timeseries:
            table = pa.Table.from_pylist(output.timeseries, schema=series_schema(output.timeseries))
            _atomic_parquet(table, part_path(where[0], "timeseries", *where[1:]))
            table = pa.Table.from_pylist(output.accounts, schema=ACCOUNTS_SCHEMA)
            _atomic_parquet(table, part_path(where[0], "accounts", *where[1:]))
        line = pa.Table.from_pylist([{k: row.get(k) for k in RUNS_SCHEMA.names}], RUNS_SCHEMA)
        _atomic_parquet(line, part_path(where[0], "runs", *where[1:]))
        written = [part_path(where[0], t, *where[1:]) for t in TABLE_NAMES]
        integrity.record(self.out, {path: path for path in written if path.is_file()})

    def compact(self) -> None:
        """Merge each scenario's run files into its ``part-0.parquet`` (with the rows it
        already holds), then delete them; the runs table last, so ``done`` stays right."""
        changed = False
        for table in ("timeseries", "accounts", "runs"):
            for directory in _partitions(self.out, table):
                parts = _parts(directory)
                if not parts:
                    continue
                changed = True
                target = directory / COMPACTED
                temporary = target.with_name(target.name + TEMPORARY)
                writer = None
                for piece in _point_tables(directory):
                    if writer is None:
                        writer = pq.ParquetWriter(
                            temporary, described(piece.schema, table), compression="zstd"
                        )
                    writer.write_table(piece)
                if writer is not None:
                    writer.close()
                    integrity.record(self.out, {target: temporary})  # before it is in place
                    os.replace(temporary, target)
                for path in parts.values():
                    path.unlink()
        if changed:
            integrity.rewrite(self.out)


def read_table(folder: str | Path, table: str, columns: list[str] | None = None) -> pd.DataFrame:
    """One table of a batch folder, compacted or not, as one data frame: the columns, dtypes
    and row order of the per-run files read as one dataset (``scenario`` a column; rows by
    key). The runs table has one column per swept parameter, named by its dotted path,
    between ``seed`` and ``status`` (float if every value is a number, else text) instead
    of ``params``. ``columns``: only these, in this order (names it lacks are left out)."""
    folder = Path(folder)
    if table not in TABLES:
        raise ValueError(f"unknown batch table '{table}'; expected one of {TABLE_NAMES}")
    directories = [d for d in _partitions(folder, table) if _has_rows(d)]
    if not directories:
        raise InputError(f"is not a batch folder (no {table}/{PARTITION}=*/*.parquet)", file=folder)
    directories.sort(key=lambda d: f"{scenario_of(d)}__p")  # the order of the runs' keys
    wanted = None if table == "runs" or columns is None else set(columns)
    pieces = []
    for directory in directories:
        piece = pa.concat_tables(list(_point_tables(directory, wanted)))
        name = pa.nulls(len(piece), pa.string()).fill_null(scenario_of(directory))
        pieces.append(piece.add_column(1 if table == "runs" else 0, PARTITION, name))
    combined = pa.concat_tables(pieces, promote_options="default")
    if table == "runs":
        combined = _expand_params(combined, _plan_order(folder, directories))
    frame = combined.to_pandas()
    if columns is not None:
        frame = frame[[c for c in columns if c in frame.columns]]
    return frame


def read_manifest(folder: Path) -> dict:
    """The batch's plan; a damaged or foreign ``manifest.json`` is one located line."""
    path = Path(folder) / MANIFEST
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("is not a batch folder (no manifest.json)", file=folder) from None
    except (OSError, ValueError) as error:
        raise InputError(f"damaged: cannot read it as JSON ({error})", file=path) from None
    if not isinstance(found, dict) or not isinstance(found.get("scenarios"), list):
        raise InputError("damaged: not a batch manifest (no list of scenarios)", file=path)
    return found


def _plan(manifest: dict, ignored: tuple[str, ...]) -> dict:
    """What makes two plans the same: all but ``ignored``, each scenario file by its
    resolved path (typed relative or absolute, it is one file) and its content's hash."""
    plan = {k: v for k, v in manifest.items() if k not in ignored}
    plan["scenarios"] = [
        {**entry, "file": str(Path(str(entry.get("file"))).resolve())}
        if isinstance(entry, dict)
        else entry
        for entry in plan.get("scenarios", [])
    ]
    return plan


def count_runs(folder: str | Path) -> int:
    """Runs of the folder whose runs row was written (0 for a folder without any)."""
    return len(_finished(Path(folder)))


# -- inside the folder ------------------------------------------------------------------------


def _finished(folder: Path) -> set[str]:
    keys: set[str] = set()
    for directory in _partitions(folder, "runs"):
        if (directory / COMPACTED).is_file():
            keys.update(pq.read_table(directory / COMPACTED, columns=["key"])["key"].to_pylist())
        name = scenario_of(directory)
        keys.update(run_key(name, point, replicate) for point, replicate in _parts(directory))
    return keys


def _partitions(folder: Path, table: str) -> list[Path]:
    base = Path(folder) / table
    return sorted(d for d in base.glob(f"{PARTITION}=*") if d.is_dir()) if base.is_dir() else []


def _parts(directory: Path) -> dict[tuple[int, int], Path]:
    """The run files of a partition, by (point, replicate), in that order."""
    found = {}
    for path in directory.glob("run-p*-r*.parquet"):
        match = PART.fullmatch(path.name)
        if match:
            found[(int(match[1]), int(match[2]))] = path
    return dict(sorted(found.items()))


def _has_rows(directory: Path) -> bool:
    return (directory / COMPACTED).is_file() or bool(_parts(directory))


def _point_tables(directory: Path, columns: set[str] | None = None) -> Iterator[pa.Table]:
    """A partition's rows, one sweep point at a time, sorted by replicate (a run's own rows
    in their order): the compacted rows and those of run files it does not hold yet. Memory
    holds one point, however many there are."""
    compacted = directory / COMPACTED
    old = pq.ParquetFile(compacted) if compacted.is_file() else None
    groups: dict[int, list[int]] = {}
    held: set[tuple[int, int]] = set()
    if old is not None:
        for index in range(old.num_row_groups):
            ids = old.read_row_group(index, columns=["point", "replicate"])
            points = ids["point"].to_pylist()
            groups.setdefault(points[0], []).append(index)
            held.update(zip(points, ids["replicate"].to_pylist(), strict=True))
    fresh: dict[int, list[Path]] = {}
    for (point, replicate), path in _parts(directory).items():
        if (point, replicate) not in held:
            fresh.setdefault(point, []).append(path)
    for point in sorted(groups.keys() | fresh.keys()):
        tables = []
        if point in groups:
            tables.append(
                old.read_row_groups(groups[point], columns=_names(old.schema_arrow, columns))
            )
        for path in fresh.get(point, []):
            tables.append(pq.read_table(path, columns=_names(pq.read_schema(path), columns)))
        tables = [pa.Table.from_arrays(t.columns, names=t.column_names) for t in tables]
        merged = pa.concat_tables(tables)
        if point in groups and point in fresh:
            merged = merged.take(_by_replicate(merged))
        if columns is not None:
            merged = merged.select([c for c in merged.column_names if c in columns])
        yield merged


def _names(schema: pa.Schema, columns: set[str] | None) -> list[str] | None:
    """The file columns to read for ``columns`` (with point and replicate, which order rows)."""
    if columns is None:
        return None
    return [n for n in schema.names if n in columns or n in ("point", "replicate")]


def _by_replicate(table: pa.Table) -> pa.Array:
    """Row order by replicate, each run's rows kept in their order (a stable sort)."""
    keys = pa.table({"r": table["replicate"], "i": np.arange(len(table))})
    return pc.sort_indices(keys, sort_keys=[("r", "ascending"), ("i", "ascending")])


def _plan_order(folder: Path, directories: list[Path]) -> list[str]:
    """Scenario names in the plan's order (the manifest's), then any others."""
    names = [scenario_of(d) for d in directories]
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        planned = [entry["name"] for entry in manifest["scenarios"]]
    except (OSError, ValueError, KeyError, TypeError):
        planned = []
    return [n for n in planned if n in names] + sorted(set(names) - set(planned))


def _expand_params(runs: pa.Table, order: list[str]) -> pa.Table:
    """The ``params`` JSON as one column per swept parameter, in the plan's first-seen order:
    float if every value is a number, else text."""
    values = [json.loads(v) if v is not None else {} for v in runs["params"].to_pylist()]
    scenarios = runs[PARTITION].to_pylist()
    names: dict[str, bool] = {}
    for scenario in order:
        for row, point in zip(scenarios, values, strict=True):
            if row != scenario:
                continue
            for name, value in point.items():
                numeric = isinstance(value, int | float) and not isinstance(value, bool)
                names[name] = names.get(name, True) and numeric
    at = runs.column_names.index("params")
    runs = runs.remove_column(at)
    for offset, (name, numeric) in enumerate(names.items()):
        column = [point.get(name) for point in values]
        if numeric:
            array = pa.array([None if v is None else float(v) for v in column], pa.float64())
        else:
            text = [v if v is None or isinstance(v, str) else json.dumps(v) for v in column]
            array = pa.array(text, pa.string())
        runs = runs.add_column(at + offset, name, array)
    return runs


def _atomic_parquet(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + TEMPORARY)
    pq.write_table(table, temporary, compression="zstd")
    os.replace(temporary, path)


def _atomic_write_text(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + TEMPORARY)
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
