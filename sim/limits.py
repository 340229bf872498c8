"""The limits a user can see: the largest inputs the commands accept (README, *Limits*).

Each is far above any real platform or study and far below what would run for days or
exhaust memory before saying so; past one, the input is refused in one line naming the file
or option and the limit, before any work. Scenario and event-log files are checked for size
and kind before they are opened for parsing (``--max-input-mb`` raises the size limits).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sim.errors import InputError

MAX_DAYS = 36_600  # a run's horizon: a hundred years of days
MAX_REPLICATES = 100_000  # replicates of one scenario (and --reruns)
MAX_RUNS = 1_000_000  # a batch's plan: scenarios x sweep points x replicates
MAX_SWEEP_POINTS = 1_000_000  # the points of one sweep design
MAX_MEMBERS = 10_000_000  # members of one run (about 1.5 KB each: 15 GB), bench members
MAX_ORDERS = 10_000_000_000  # bench --orders, breakeven --max-orders
MAX_WORKERS = 1_024  # --workers
MAX_SEED = 2**63 - 1  # seeds are int64 in every table
SCENARIO_MB = 16  # a scenario file (a large sweep is a few kB)
EVENTS_MB = 4_096  # an event log (about 100 million events)

_raised_mb: int | None = None  # --max-input-mb, when given


def raise_input_limit(megabytes: int | None) -> None:
    """``--max-input-mb``: the size limit of scenario and event-log files for this command."""
    global _raised_mb
    _raised_mb = megabytes


def check_input_file(path: str | Path, what: str, default_mb: int) -> None:
    """Refuse at once a path that is not a regular file (a FIFO or device would hang or never
    end) or that is larger than the limit, before anything reads it."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        raise InputError("file not found", file=path) from None
    except OSError as error:
        raise InputError(f"cannot read file: {error.strerror or error}", file=path) from None
    if stat.S_ISDIR(found.st_mode):
        raise InputError("is a directory, not a file", file=path)
    if not stat.S_ISREG(found.st_mode):
        raise InputError(
            f"is not a regular file (a FIFO, socket or device); expected {what}", file=path
        )
    limit = _raised_mb or default_mb
    if found.st_size > limit * 2**20:
        raise InputError(
            f"is {found.st_size / 2**20:,.1f} MB, over the {limit:,} MB limit for {what}; "
            "raise it with --max-input-mb",
            file=path,
        )
