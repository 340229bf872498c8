"""A batch folder that checks itself: one writer at a time, and every data file's checksum.

``DIR/.lock`` holds the pid of the batch writing the folder; a second batch on the same
folder is refused in one line while that process lives, and takes the lock over once it
is gone (kill -9 leaves the file, not the process).

``DIR/checksums.jsonl`` is the journal of the data files: after a run's three files are in
place one line records each file's size and SHA-256; compaction records ``part-0.parquet``
before it is renamed in and rewrites the journal when it is done. A file is intact when its
size and digest were recorded for its path; anything else — a truncated run file, a damaged
compacted file, a file written by a run killed before its line — is damaged: ``batch``
deletes it (with the run's other files) and runs it again, ``compare`` and ``report`` name it
in one line. A folder from before the journal is checked by reading each file's footer.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow.parquet as pq

from sim.errors import InputError
from sim.outputs import alive

LOCK = ".lock"
JOURNAL = "checksums.jsonl"
TABLE_FOLDERS = ("runs", "timeseries", "accounts")
Recorded = dict[str, set[tuple[int, str]]]  # relative path -> (size, sha256) recorded


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold ``folder``'s lock while the body runs; refuse if a live process holds it."""
    if folder.exists() and not folder.is_dir():
        raise InputError("output path exists and is not a folder", file=folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK
    for _ in range(2):
        try:
            descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            owner = _owner(path)
            if owner is not None and owner != os.getpid() and alive(owner):
                raise InputError(
                    f"another batch (pid {owner}) is writing this folder; wait for it to "
                    "finish or use another --out",
                    file=folder,
                ) from None
            path.unlink(missing_ok=True)  # stale: its process is gone
            continue
        with os.fdopen(descriptor, "w") as handle:
            handle.write(f"{os.getpid()}\n")
        break
    else:
        raise InputError("cannot take the batch lock (it keeps reappearing)", file=path)
    try:
        yield
    finally:
        if _owner(path) == os.getpid():
            path.unlink(missing_ok=True)


def _owner(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def digest(path: Path) -> tuple[int, str]:
    """A file's size and SHA-256."""
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            sha.update(chunk)
    return path.stat().st_size, sha.hexdigest()


def record(folder: Path, paths: dict[Path, Path]) -> None:
    """Append one journal line with the size and digest of each file (flushed to disk):
    ``paths`` maps the path a file has (or will have once renamed) to where it is now."""
    line = {str(name.relative_to(folder)): list(digest(now)) for name, now in paths.items()}
    with (folder / JOURNAL).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, separators=(",", ":")) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def rewrite(folder: Path) -> None:
    """Replace the journal by the digests of the data files present (after compaction)."""
    current = {str(p.relative_to(folder)): list(digest(p)) for p in data_files(folder)}
    temporary = folder / (JOURNAL + ".tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        for name, value in sorted(current.items()):
            handle.write(json.dumps({name: value}, separators=(",", ":")) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, folder / JOURNAL)


def recorded(folder: Path) -> Recorded | None:
    """Every (size, digest) the journal holds per file, or None for a folder without one.
    A last line cut short by kill -9 is ignored (its files then count as damaged)."""
    path = folder / JOURNAL
    if not path.is_file():
        return None
    found: Recorded = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entries = json.loads(line)
        except ValueError:
            continue
        if isinstance(entries, dict):
            for name, value in entries.items():
                if isinstance(value, list) and len(value) == 2:
                    found.setdefault(name, set()).add((int(value[0]), str(value[1])))
    return found


def data_files(folder: Path) -> list[Path]:
    """The Parquet files of the three tables (run files and compacted files)."""
    return sorted(
        path
        for table in TABLE_FOLDERS
        if (folder / table).is_dir()
        for path in (folder / table).glob("*/*.parquet")
    )


def damaged(folder: Path) -> list[Path]:
    """The data files that are not as they were written (see the module docstring)."""
    journal = recorded(folder)
    bad = []
    for path in data_files(folder):
        if journal is None:
            try:
                pq.read_metadata(path)
            except Exception:  # any unreadable footer is damage, whatever pyarrow calls it
                bad.append(path)
            continue
        sizes = journal.get(str(path.relative_to(folder)), set())
        size = path.stat().st_size
        if not any(size == s for s, _ in sizes) or digest(path) not in sizes:
            bad.append(path)
    return bad


def repair(folder: Path) -> list[Path]:
    """Delete the damaged files and what goes with them, so those runs run again: a run
    file takes the run's files in all three tables, a compacted file its scenario's
    compacted files. Returns the damaged files."""
    bad = damaged(folder)
    for path in bad:
        partition, name = path.parent.name, path.name
        for table in TABLE_FOLDERS:
            (folder / table / partition / name).unlink(missing_ok=True)
    return bad


def check_intact(folder: Path) -> None:
    """Refuse, in one line, a batch folder with a damaged file (``compare``, ``report``)."""
    bad = damaged(folder)
    if bad:
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        raise InputError(
            f"damaged: not the file the batch wrote (truncated or changed){more}; run the "
            "same batch command again to re-run what it held",
            file=bad[0],
        )


def distinct(folders: list) -> list[Path]:
    """Batch folders as given, each once (the same folder typed twice is one batch)."""
    seen: dict[Path, Path] = {}
    for folder in folders:
        seen.setdefault(Path(folder).resolve(), Path(folder))
    return list(seen.values())
