"""Write result tables all-or-nothing: staged beside the output folder, moved in at the end.

A command that fails part-way (bad row 10,000 of a log, Ctrl-C) leaves the output folder as
it was. Tables are written with pyarrow without wall-clock metadata, so the same inputs give
byte-identical files.
"""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sim.errors import InputError


def check_out_dir(out: str | Path) -> Path:
    """Refuse an output path that exists and is not a folder, before any work is done."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError("output path exists and is not a folder", file=out)
    return out


def default_out(base: str | Path, *parts: str) -> Path:
    """``base/parts...`` for an output the user did not name; refused if a symlink on the way
    leads it outside ``base`` (the parts come from scenario names, which are checked too)."""
    out = Path(base).joinpath(*parts)
    if not out.resolve().is_relative_to(Path(base).resolve()):
        raise InputError(f"resolves to {out.resolve()}, outside {base}/ (a symlink?)", file=out)
    return out


@contextmanager
def staged(out: str | Path) -> Iterator[Path]:
    """Yield a staging folder; on success move its files into ``out``, else remove it all."""
    out = check_out_dir(out)
    anchor = out.parent
    while not anchor.exists():
        anchor = anchor.parent
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=anchor))
    try:
        yield stage
        out.mkdir(parents=True, exist_ok=True)
        for item in sorted(stage.iterdir()):
            os.replace(item, out / item.name)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


class TableWriter:
    """Stream rows (dicts) into a Parquet file in batches, with a fixed schema."""

    def __init__(self, path: Path, schema: pa.Schema, batch_rows: int = 65_536) -> None:
        self.path = path
        self.schema = schema
        self.batch_rows = batch_rows
        self.rows = 0
        self._columns: dict[str, list] = {name: [] for name in schema.names}
        self._writer = pq.ParquetWriter(path, schema, compression="zstd")

    def append(self, row: dict) -> None:
        for name, column in self._columns.items():
            column.append(row[name])
        self.rows += 1
        if len(self._columns[self.schema.names[0]]) >= self.batch_rows:
            self._flush()

    def _flush(self) -> None:
        if self._columns[self.schema.names[0]]:
            self._writer.write_table(pa.table(self._columns, schema=self.schema))
            for column in self._columns.values():
                column.clear()

    def close(self) -> None:
        self._flush()
        self._writer.close()


def write_arrow(path: Path, table: pa.Table, batch_rows: int = 65_536) -> None:
    """Write an Arrow table as :class:`TableWriter` would write its rows (same batches)."""
    with pq.ParquetWriter(path, table.schema, compression="zstd") as writer:
        for offset in range(0, table.num_rows, batch_rows):
            writer.write_table(table.slice(offset, batch_rows))


def write_table(path: Path, schema: pa.Schema, rows: list[dict]) -> None:
    """Write a small table in one go."""
    writer = TableWriter(path, schema)
    for row in rows:
        writer.append(row)
    writer.close()


def parquet_to_csv(source: Path, target: Path) -> None:
    """Copy a Parquet table to CSV (floats in shortest round-trip form), batch by batch."""
    table_file = pq.ParquetFile(source)
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(table_file.schema_arrow.names)
        for batch in table_file.iter_batches():
            columns = [column.to_pylist() for column in batch.columns]
            writer.writerows(zip(*columns, strict=True))
