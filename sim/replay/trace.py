"""The replay's trace, a row per event, written a batch of columns at a time.

Each row keeps its exact values (fen, point units, the price as a fraction) until its batch
is written; then each column becomes yuan, points or yuan per point at once, as
:mod:`sim.core.units` converts one value (an integer below 2**53 divided by another is the
same correctly rounded float in numpy as in Python; larger ones are divided by Python).
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim.core.book import Applied
from sim.core.units import FEN_PER_YUAN
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
_EXACT = 1 << 53
_COLUMNS = ("day", "member", "action", "amount", "per", "points_delta", "cash_delta")
_COLUMNS += ("pool", "points", "price", "line", "kind", "other")


class Trace:
    """Rows appended in order (seq numbers them from 1); the counts of each action and the
    lowest and highest price for the summary."""

    def __init__(self, path: Path, unit: int, batch_rows: int = 65_536) -> None:
        self.unit = unit
        self.batch_rows = batch_rows
        self.rows = 0
        self.actions: Counter = Counter()
        self.price_low, self.price_high = float("inf"), float("-inf")
        self._columns: dict[str, list] = {name: [] for name in _COLUMNS}
        self._writer = pq.ParquetWriter(path, TRACE_SCHEMA, compression="zstd")

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
        cash = 0
        if event.action == "bonus":
            cash = event.amount
        elif event.action == "withdraw" and event.kind == "paid":
            cash = -event.amount
        c["day"].append(event.day)
        c["member"].append(event.member)
        c["action"].append(event.action)
        c["amount"].append(event.amount)
        c["per"].append(FEN_PER_YUAN)
        c["points_delta"].append(0)
        c["cash_delta"].append(cash)
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
            self._flush()

    def _flush(self) -> None:
        c = self._columns
        n = len(c["day"])
        if not n:
            return
        unit = self.unit
        price = _prices(c["price"], unit)
        self.price_low = min(self.price_low, min(price))
        self.price_high = max(self.price_high, max(price))
        self.actions.update(c["action"])
        amount = _divided(c["amount"], c["per"])
        table = pa.table(
            [
                pa.array(np.arange(self.rows + 1, self.rows + n + 1), pa.int64()),
                pa.array(c["day"], pa.int64()),
                pa.array(c["member"], pa.string()),
                pa.array(c["action"], pa.string()),
                amount,
                _divided(c["points_delta"], unit),
                _divided(c["cash_delta"], FEN_PER_YUAN),
                _divided(c["pool"], FEN_PER_YUAN),
                _divided(c["points"], unit),
                pa.array(price, pa.float64()),
                pa.array(c["line"], pa.int64()),
                pa.array(c["kind"], pa.string()),
                pa.array(c["other"], pa.string()),
            ],
            schema=TRACE_SCHEMA,
        )
        self._writer.write_table(table)
        self.rows += n
        self._columns = {name: [] for name in _COLUMNS}

    def close(self) -> None:
        self._flush()
        self._writer.close()


def _divided(values: list, by) -> pa.Array:
    """Integers (None: null) over ``by`` (one integer, or one per value), as floats."""
    missing = [v is None for v in values]
    whole = [0 if v is None else v for v in values]
    divisors = by if isinstance(by, list) else [by] * len(whole)
    if max(map(abs, whole), default=0) < _EXACT and max(divisors, default=1) < _EXACT:
        quotient = np.array(whole, np.int64) / np.array(divisors, np.int64)
    else:
        quotient = np.array([v / d for v, d in zip(whole, divisors, strict=True)], np.float64)
    return pa.array(quotient, pa.float64(), mask=np.array(missing) if any(missing) else None)


def _prices(prices: list[Fraction], unit: int) -> list[float]:
    """Exact prices in fen per unit as yuan per point (:func:`~sim.core.units.price_to_yuan`),
    each distinct price worked out once (rows in a run share the price of the last event)."""
    out, last, value = [], None, 0.0
    scale = FEN_PER_YUAN
    for price in prices:
        if price is not last:
            last, value = price, (price.numerator * unit) / (price.denominator * scale)
        out.append(value)
    return out
