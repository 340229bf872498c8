"""The ``replay_10m`` workload of ``python -m sim bench``: a platform's export of ``rows``
events (10 million by default) generated as Parquet, then replayed by ``python -m sim
replay`` as a user runs it (its own process: reading, the book, the records, every table,
the red flags), timed from outside.

The log (a fixed seed; :func:`write_log`): a tenth of the rows are members joining under a
random earlier member (a few with no sponsor), each ordering 1000 yuan as they join; repeat
orders; bonuses of 30 yuan to the sponsor of an order's buyer, naming the buyer, some
withdrawn at once; fees; members selling everything once, after their first order; 365 days.
Replayed under ``scenarios/seed-generic-nocap.yaml`` (no forced exit, so every sale is of
points still held). Columns are built with numpy and written with pyarrow, nothing per row
in Python.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent.parent
SCENARIO = ROOT / "scenarios" / "seed-generic-nocap.yaml"
DAYS = 365
TICKS = 1_000_000  # ticks a day: events are ordered by tick, then by the action's rank
JOIN, BUY, BONUS, WITHDRAW, SELL, FEE = range(6)
ACTIONS = np.array(["join", "buy", "bonus", "withdraw", "sell", "fee"], dtype=object)


def write_log(rows: int, path: Path, seed: int = 10) -> int:
    """A valid log of about ``rows`` events in ``path`` (Parquet); the rows written."""
    rng = np.random.default_rng(seed)
    members = max(rows // 10, 2)
    joined = np.sort(rng.integers(0, DAYS * TICKS, members))  # member i joins at joined[i]
    index = np.arange(members)
    sponsor = (rng.random(members) * index).astype(np.int64)  # an earlier member's index
    sponsor[(rng.random(members) < 0.01) | (index == 0)] = -1  # no sponsor
    repeat = max(rows * 6 // 10 - members, 0)
    buyer = rng.integers(0, members, repeat)
    when = joined[buyer] + (rng.random(repeat) * (DAYS * TICKS - joined[buyer])).astype(np.int64)
    order_member = np.concatenate((index, buyer))
    order_tick = np.concatenate((joined, when))
    paid = (sponsor[order_member] >= 0) & (rng.random(len(order_member)) < 0.25)
    bonus_member, bonus_source = sponsor[order_member[paid]], order_member[paid]
    bonus_tick = order_tick[paid]
    withdrawn = rng.random(len(bonus_member)) < 0.3
    sellers = rng.choice(members, size=max(rows // 50, 1), replace=False)
    sell_tick = joined[sellers] + (
        rng.random(len(sellers)) * (DAYS * TICKS - joined[sellers])
    ).astype(np.int64)
    payers = rng.integers(0, members, max(rows // 100, 1))
    fee_tick = joined[payers] + (rng.random(len(payers)) * (DAYS * TICKS - joined[payers])).astype(
        np.int64
    )
    parts = [  # (member index, tick, action, other member index or -1, yuan)
        (index, joined, JOIN, sponsor, 0),
        (order_member, order_tick, BUY, -1, 1000),
        (bonus_member, bonus_tick, BONUS, bonus_source, 30),
        (bonus_member[withdrawn], bonus_tick[withdrawn], WITHDRAW, -1, 30),
        (sellers, sell_tick, SELL, -1, 0),
        (payers, fee_tick, FEE, -1, 100),
    ]
    member = np.concatenate([p[0] for p in parts])
    tick = np.concatenate([p[1] for p in parts])
    action = np.concatenate([np.full(len(p[0]), p[2]) for p in parts])
    other = np.concatenate([np.broadcast_to(p[3], len(p[0])) for p in parts])
    yuan = np.concatenate([np.full(len(p[0]), p[4]) for p in parts])
    order = np.lexsort((action, tick))  # by tick, then the action's rank
    member, tick, action, other, yuan = (c[order] for c in (member, tick, action, other, yuan))
    texts = pc.cast(pa.array(member + 1), pa.string())
    others = pc.cast(pa.array(other + 1, mask=other < 0), pa.string())
    amount = np.where(action == SELL, "all", yuan.astype(str))
    amount = np.where(action == JOIN, None, amount)
    table = pa.table(
        {
            "day": pa.array(tick // TICKS),
            "member": texts,
            "action": pa.array(ACTIONS[action]),
            "amount": pa.array(amount, pa.string()),
            "sponsor": pc.if_else(
                pa.array(action == JOIN), others, pa.nulls(len(action), pa.string())
            ),
            "source_member": pc.if_else(
                pa.array(action == BONUS), others, pa.nulls(len(action), pa.string())
            ),
            "kind": pa.array(
                np.where(action == BONUS, "direct", np.where(action == FEE, "membership", None))
            ),
        }
    )
    pq.write_table(table, path)
    return len(table)


def measure_replay(rows: int = 10_000_000) -> dict[str, float]:
    """Generate the log, replay it in its own process; wall seconds and events a second."""
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "export.parquet"
        written = write_log(rows, log)
        started = time.perf_counter()
        command = [sys.executable, "-m", "sim", "replay", str(log), "--scenario", str(SCENARIO)]
        subprocess.run([*command, "--out", str(Path(folder) / "out"), "--quiet"], check=True)
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    peak = peak if sys.platform == "darwin" else peak * 1024
    return {"rows": written, "seconds": seconds, "events_per_s": written / seconds, "peak": peak}
