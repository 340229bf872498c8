"""Digests of a run's files, to hold every shipped scenario's outputs fixed across refactors.

``tests/data/golden-60-days.json`` holds, for each shipped scenario run for 60 days with its
own seed, the SHA-256 of ``timeseries.parquet``, ``members.parquet`` and ``summary.json``
(the bytes) and of each table's content (schema and every value, floats by ``repr``, so
the check survives a pyarrow release that writes other bytes for the same table). It was
made from the files the code wrote before the package was laid out in wings::

    python -m tests.golden OUT_DIR          # OUT_DIR/NAME/ from `python -m sim run ... --days 60`

prints the JSON to keep; ``tests/test_golden_outputs.py`` runs the scenarios again and
compares.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

DAYS = 60
TABLES = ("timeseries.parquet", "members.parquet")


def table_digest(table: pa.Table) -> str:
    """The content of a table: its schema and every value, in order."""
    h = hashlib.sha256(str(table.schema).encode())
    for row in table.to_pylist():
        h.update(repr(sorted(row.items())).encode())
    return h.hexdigest()


def digests(folder: Path) -> dict[str, str]:
    """Byte and content digests of one run's files."""
    out = {}
    for name in (*TABLES, "summary.json"):
        out[name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    for name in TABLES:
        out[f"{name} content"] = table_digest(pq.read_table(folder / name))
    return out


def main(argv: list[str]) -> int:
    root = Path(argv[0])
    found = {
        "pyarrow": pa.__version__,
        "days": DAYS,
        "runs": {run.name: digests(run) for run in sorted(root.iterdir()) if run.is_dir()},
    }
    print(json.dumps(found, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
