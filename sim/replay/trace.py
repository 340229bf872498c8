"""The replay's trace, a row per event, written a batch of columns at a time.

Each row keeps its exact values (fen, point units, the price as a fraction) until its batch
is written; then each column becomes yuan, points or yuan per point at once, as
:mod:`sim.core.units` converts one value (an integer below 2**53 divided by another is the
same correctly rounded float in numpy as in Python; larger ones are divided by Python).
"""

from __future__ import annotations

from collections import Counter, deque
from concurrent.futures import Future, ThreadPoolExecutor
from fractions import Fraction
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sim.core.book import Applied
from sim.core.units import FEN_PER_YUAN, divided, prices_in_yuan
from sim.replay.event_rules import Event

TRACE_SCHEMA = pa.schema(
    [
        ("seq", pa.int64()),
        ("day", pa.int64()),
        ("member", pa.string()),
        ("action", pa.string()),
        ("amount", pa.float64()),
        ("points_delta", pa.float64()),
        ("cash_delta", pa.float64()),
        ("pool", pa.float64()),
        ("points", pa.float64()),
        ("price", pa.float64()),
        ("source_line", pa.int64()),
        ("kind", pa.string()),
        ("other_member", pa.string()),
    ]
)
_COLUMNS = ("day", "member", "action", "amount", "per", "points_delta", "cash_delta")
_COLUMNS += ("pool", "points", "price", "line", "kind", "other")
_TEXT = ("member", "action", "kind", "other")


class Trace:
    """Rows appended in order (seq numbers them from 1), one at a time (:meth:`applied`,
    :meth:`record`) or as columns (:meth:`extend`); the counts of each action and the lowest
    and highest price for the summary. Every ``batch_rows`` rows are one row group."""

    def __init__(self, path: Path, unit: int, batch_rows: int = 65_536) -> None:
        self.unit = unit
        self.batch_rows = batch_rows
        self.rows = 0
        self.actions: Counter = Counter()
        self.price_low, self.price_high = float("inf"), float("-inf")
        self._columns: dict[str, list] = {name: [] for name in _COLUMNS}
        self._ready: list[pa.Table] = []  # converted rows not yet written
        self._buffered = 0
        self._writer = pq.ParquetWriter(path, TRACE_SCHEMA, compression="zstd")
        # row groups are encoded and compressed on a thread of their own (Arrow lets go of
        # the interpreter meanwhile), in the order given, while the next rows are applied
        self._encoder = ThreadPoolExecutor(1, thread_name_prefix="trace")
        self._pending: deque[Future] = deque()

    def applied(self, event: Event, one: Applied) -> None:
        """A row for one event the book applied (the order or sale, or a forced exit)."""
        c = self._columns
        c["day"].append(event.day)
        c["member"].append(str(one.member))
        c["action"].append(one.action)
        c["amount"].append(one.amount)
        c["per"].append(FEN_PER_YUAN if one.action == "buy" else self.unit)
        c["points_delta"].append(one.points_delta)
        c["cash_delta"].append(one.cash_delta)
        self._state(event, one.pool, one.points, one.price, None, None)

    def record(self, event: Event, pool: int, points: int, price: Fraction) -> None:
        """A row for a join, bonus, withdrawal or fee: no points move; ``cash_delta`` is the
        change of the member's cash balance (a bonus adds, a paid withdrawal takes)."""
        c = self._columns
        c["day"].append(event.day)
        c["member"].append(event.member)
        c["action"].append(event.action)
        c["amount"].append(event.amount)
        c["per"].append(FEN_PER_YUAN)
        c["points_delta"].append(0)
        c["cash_delta"].append(record_cash(event))
        self._state(event, pool, points, price, event.kind, event.other)

    def _state(self, event, pool, points, price, kind, other) -> None:
        c = self._columns
        c["pool"].append(pool)
        c["points"].append(points)
        c["price"].append(price)
        c["line"].append(event.line)
        c["kind"].append(kind)
        c["other"].append(other)
        if len(c["day"]) >= self.batch_rows:
            self._convert()

    def extend(self, columns: dict) -> None:
        """Rows given as columns, after the rows given so far: ``day``, ``line``,
        ``amount`` (null where ``missing``), ``per`` (what ``amount`` is divided by),
        ``points_delta``, ``cash_delta``, ``pool``, ``points``, ``price_num`` and
        ``price_den`` int64 arrays (exact: fen, point units, the price as a fraction);
        ``member``, ``action``, ``kind`` and ``other`` Arrow string arrays."""
        self._convert()
        self._add(columns)

    def _convert(self) -> None:
        """The rows given one at a time, as columns."""
        c = self._columns
        if not c["day"]:
            return
        amount = c["amount"]
        columns = {
            "day": c["day"],
            "line": c["line"],
            "missing": [v is None for v in amount],
            "amount": [0 if v is None else v for v in amount],
            "per": c["per"],
            "points_delta": c["points_delta"],
            "cash_delta": c["cash_delta"],
            "pool": c["pool"],
            "points": c["points"],
            "price_num": [p.numerator for p in c["price"]],
            "price_den": [p.denominator for p in c["price"]],
            **{name: pa.array(c[name], pa.string()) for name in _TEXT},
        }
        self._columns = {name: [] for name in _COLUMNS}
        self._add(columns)

    def _add(self, c: dict) -> None:
        """Exact columns as the file's (yuan, points, yuan per point), then written a
        batch of ``batch_rows`` rows at a time."""
        n = len(c["day"])
        if not n:
            return
        unit = self.unit
        price = prices_in_yuan(c["price_num"], c["price_den"], unit)
        self.price_low = min(self.price_low, float(price.min()))
        self.price_high = max(self.price_high, float(price.max()))
        counts = pc.value_counts(c["action"]).to_pylist()
        self.actions.update({count["values"]: count["counts"] for count in counts})
        missing = np.asarray(c["missing"], bool)
        table = pa.table(
            [
                pa.array(np.zeros(n, np.int64)),  # seq: numbered as written
                pa.array(np.asarray(c["day"], np.int64)),
                c["member"],
                c["action"],
                _divided(c["amount"], c["per"], missing if missing.any() else None),
                _divided(c["points_delta"], unit),
                _divided(c["cash_delta"], FEN_PER_YUAN),
                _divided(c["pool"], FEN_PER_YUAN),
                _divided(c["points"], unit),
                pa.array(price, pa.float64()),
                pa.array(np.asarray(c["line"], np.int64)),
                c["kind"],
                c["other"],
            ],
            schema=TRACE_SCHEMA,
        )
        self._ready.append(table)
        self._buffered += n
        while self._buffered >= self.batch_rows:
            self._write(self.batch_rows)

    def _write(self, n: int) -> None:
        """The first ``n`` converted rows into the file, as one row group."""
        table = pa.concat_tables(self._ready)
        rest = table.slice(n)
        batch = table.slice(0, n).combine_chunks()
        seq = pa.array(np.arange(self.rows + 1, self.rows + n + 1), pa.int64())
        self._pending.append(
            self._encoder.submit(self._writer.write_table, batch.set_column(0, "seq", seq))
        )
        while len(self._pending) > 2:  # at most two row groups waiting: memory stays flat
            self._pending.popleft().result()
        self.rows += n
        self._ready, self._buffered = [rest], self._buffered - n

    def close(self) -> None:
        """Write what is left and close the file (also after an error: the file is then
        left to the caller's staging folder to discard)."""
        try:
            self._convert()
            if self._buffered:
                self._write(self._buffered)
        finally:
            self._encoder.shutdown(wait=True)
        for written in self._pending:
            written.result()  # an error on the thread is raised here
        self._writer.close()


def record_cash(event: Event) -> int:
    """The change of a member's cash balance a record row makes: a bonus adds, a paid
    withdrawal takes, the others none."""
    if event.action == "bonus":
        return event.amount
    if event.action == "withdraw" and event.kind == "paid":
        return -event.amount
    return 0


def _divided(values, by, missing: np.ndarray | None = None) -> pa.Array:
    """Integers over ``by`` as correctly rounded floats (:func:`~sim.core.units.divided`);
    null where ``missing``."""
    return pa.array(divided(values, by), pa.float64(), mask=missing)
