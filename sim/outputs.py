"""Write result tables all-or-nothing: staged on the output's filesystem, published by rename.

An output folder is checked before any work (:func:`check_out_dir`), written into a hidden
staging folder beside it, fsynced and published with one rename (:func:`staged`); files that
join others in a shared folder (a report) are each moved in by rename (:func:`staged_files`).
A command that fails part-way (bad row 10,000 of a log, Ctrl-C, kill -9, a full disk) leaves
the output as it was; the next command sweeps up the stages of dead processes. Tables are
written with pyarrow without wall-clock metadata, so the same inputs give byte-identical
files.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sim.errors import InputError

# Every file a command writes into an output folder: anything else found there is the
# user's, so the folder is not replaced (a file of ours with a folder's name is not ours).
OUTPUT_NAMES = frozenset(
    f"{table}.{kind}"
    for table in (
        "timeseries",
        "members",
        "bonuses",
        "trace",
        "ledger",
        "clawback",
        "bonus_check",
        "teams",
        "flags",
    )
    for kind in ("parquet", "csv")
) | {"summary.json", "run.html"}
STAGE, ASIDE = ".sim-staging-", ".sim-aside-"  # hidden, beside the output, with the pid


def default_out(base: str | Path, *parts: str) -> Path:
    """``base/parts...`` for an output the user did not name; refused if a symlink on the way
    leads it outside ``base`` (the parts come from scenario names, which are checked too)."""
    out = Path(base).joinpath(*parts)
    if not out.resolve().is_relative_to(Path(base).resolve()):
        raise InputError(f"resolves to {out.resolve()}, outside {base}/ (a symlink?)", file=out)
    return out


def check_out_dir(out: str | Path) -> Path:
    """Refuse, before any work is done, an output folder this command could not publish:
    a file in the way, a parent that is not a folder, a place that cannot be written (probed
    by making the staging folder there), or a folder holding files this tool did not write."""
    out, anchor = _destination(out)
    shutil.rmtree(_make_stage(anchor, out))
    return out


@contextmanager
def staged(out: str | Path) -> Iterator[Path]:
    """Yield a hidden staging folder on the output's filesystem; on success fsync its files
    and publish it as ``out`` with one rename (an old ``out`` goes aside first, removed
    after), else remove it. Readers see the old folder or the new one, never a mix."""
    out, anchor = _destination(out)
    stage = _make_stage(anchor, out)  # making it is the check that the place is writable
    try:
        with _one_line(out):
            yield stage
            _publish(stage, out)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _destination(out: str | Path) -> tuple[Path, Path]:
    """The output folder (a symlink resolved to where it leads) and the folder to stage it
    in, checked; stale stages of dead processes there are swept up."""
    out = Path(out)
    if out.is_symlink():  # the folder it leads to is the output, checked like any other
        if not out.exists():
            raise InputError("output path is a symlink that leads nowhere", file=out)
        out = out.resolve()
    if out.exists() and not out.is_dir():
        raise InputError("output path exists and is not a folder", file=out)
    _refuse_foreign(out)
    anchor = _anchor(out)
    _clean_stale(anchor)
    return out, anchor


def _refuse_foreign(out: Path) -> None:
    """An existing output folder is replaced whole, so it may hold only files of ours."""
    if out.is_dir():
        foreign = sorted(p.name for p in out.iterdir() if not _ours(p))
        if foreign:
            raise InputError(
                f"output folder holds '{foreign[0]}', which this tool did not write; "
                "give a new or empty folder",
                file=out,
            )


@contextmanager
def staged_files(folder: str | Path) -> Iterator[Path]:
    """Yield a staging folder for files that go *into* ``folder`` beside others (a report
    and its summary in reports/): each is fsynced and moved in with one rename."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError("output path exists and is not a folder", file=folder)
    anchor = _anchor(folder)
    _clean_stale(anchor)
    stage = _make_stage(anchor, folder)
    try:
        with _one_line(folder):
            yield stage
            _sync(stage)
            folder.mkdir(parents=True, exist_ok=True)
            for item in sorted(stage.iterdir()):
                os.replace(item, folder / item.name)
            _sync_folder(folder)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _ours(path: Path) -> bool:
    return path.name in OUTPUT_NAMES and path.is_file() and not path.is_symlink()


def _anchor(out: Path) -> Path:
    """The nearest folder that exists on the way to ``out``: staging happens there, on the
    filesystem ``out`` will be on, so publishing is a rename, never a copy."""
    anchor = out.absolute().parent
    while not anchor.exists() and anchor != anchor.parent:
        anchor = anchor.parent
    if not anchor.is_dir():
        raise InputError(f"cannot write under {anchor}: it is not a folder", file=out)
    return anchor


def _make_stage(anchor: Path, out: Path) -> Path:
    try:
        return Path(tempfile.mkdtemp(prefix=f"{STAGE}{os.getpid()}-", dir=anchor))
    except OSError as error:
        cause = error.strerror or str(error)
        raise InputError(f"cannot write in {anchor}: {cause}", file=out) from None


def _publish(stage: Path, out: Path) -> None:
    _sync(stage)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not out.exists():
        os.rename(stage, out)
    else:
        _refuse_foreign(out)  # nothing foreign arrived while we worked
        aside = Path(tempfile.mkdtemp(prefix=f"{ASIDE}{os.getpid()}-", dir=out.parent))
        os.rename(out, aside / "old")
        try:
            os.rename(stage, out)
        except OSError:
            os.rename(aside / "old", out)
            raise
        finally:
            shutil.rmtree(aside, ignore_errors=True)
    _sync_folder(out.parent)


def _sync(stage: Path) -> None:
    """Flush every file and the folder itself to disk before anything is published."""
    for item in stage.iterdir():
        if item.is_file():
            descriptor = os.open(item, os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
    _sync_folder(stage)


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    except OSError:  # some filesystems cannot fsync a folder; the files are synced
        pass
    finally:
        os.close(descriptor)


def _clean_stale(anchor: Path) -> None:
    """Remove staging and aside folders left here by processes that no longer run (kill -9)."""
    try:
        entries = [p for p in anchor.iterdir() if p.name.startswith((STAGE, ASIDE))]
    except OSError:
        return
    for entry in entries:
        pid = entry.name.removeprefix(STAGE).removeprefix(ASIDE).split("-")[0]
        if pid.isdigit() and not alive(int(pid)):
            shutil.rmtree(entry, ignore_errors=True)


def alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a stale staging folder or lock is a dead one's)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


@contextmanager
def _one_line(path: Path) -> Iterator[None]:
    """An I/O failure (no space, read-only, permission, not a folder) as one located line."""
    try:
        yield
    except OSError as error:
        where = error.filename or path
        raise InputError(f"cannot write: {error.strerror or error}", file=where) from None


class TableWriter:
    """Stream rows (dicts) into a Parquet file in batches, with a fixed schema."""

    def __init__(self, path: Path, schema: pa.Schema, batch_rows: int = 65_536) -> None:
        self.path = path
        self.schema = schema
        self.batch_rows = batch_rows
        self.rows = 0
        self._batch: list[dict] = []  # made columns by Arrow at each flush (5x a Python loop)
        self._writer = pq.ParquetWriter(path, schema, compression="zstd")

    def append(self, row: dict) -> None:
        self._batch.append(row)
        self.rows += 1
        if len(self._batch) >= self.batch_rows:
            self._flush()

    def _flush(self) -> None:
        if self._batch:
            self._writer.write_table(pa.Table.from_pylist(self._batch, schema=self.schema))
            self._batch = []

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


def write_json(path: Path, data: dict) -> None:
    """A summary as indented UTF-8 JSON (Chinese text as itself), one trailing newline."""
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def parquet_to_csv(source: Path, target: Path) -> None:
    """Copy a Parquet table to CSV (floats in shortest round-trip form), batch by batch."""
    table_file = pq.ParquetFile(source)
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(table_file.schema_arrow.names)
        for batch in table_file.iter_batches():
            columns = [column.to_pylist() for column in batch.columns]
            writer.writerows(zip(*columns, strict=True))
