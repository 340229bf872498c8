"""The trace's columns are the values :mod:`sim.core.units` gives one by one, small or past
2**53 (where numpy's floats would round the integer before dividing)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core.book import Applied
from sim.core.units import FEN_PER_YUAN, divided, fen_to_yuan, price_to_yuan, units_to_points
from sim.replay.event_rules import Event
from sim.replay.trace import Trace

UNIT = 10**6
BIG = (1 << 60) + 7  # not a float: 2**60 + 7 rounds to 2**60 as a float64


def test_each_column_as_units_converts_it(tmp_path):
    price = Fraction(BIG, 3)
    trace = Trace(tmp_path / "trace.parquet", UNIT, batch_rows=2)  # two batches
    order = Event(2, 0, "7", "buy", 100_000)
    trace.applied(order, Applied("buy", "7", 100_000, 12_345_678, 0, 30_000, BIG, price))
    sale = Event(3, 1, "7", "sell", None)
    trace.applied(sale, Applied("sell", "7", BIG, -BIG, 999, 29_001, 1, Fraction(5, 7)))
    trace.record(Event(4, 1, "8", "join", None, "7"), 29_001, 1, Fraction(5, 7))
    trace.record(Event(5, 2, "7", "bonus", 3_001, "8", "direct"), BIG, BIG, price)
    trace.close()
    rows = pq.read_table(tmp_path / "trace.parquet").to_pylist()
    assert [r["seq"] for r in rows] == [1, 2, 3, 4]
    assert [r["amount"] for r in rows] == [1000.0, units_to_points(BIG, UNIT), None, 30.01]
    assert [r["points_delta"] for r in rows] == [12.345678, -units_to_points(BIG, UNIT), 0, 0]
    assert [r["cash_delta"] for r in rows] == [0, 9.99, 0, 30.01]
    assert rows[3]["pool"] == fen_to_yuan(BIG) and rows[3]["points"] == BIG / UNIT
    assert [r["price"] for r in rows] == [
        price_to_yuan(price, UNIT),
        price_to_yuan(Fraction(5, 7), UNIT),
        price_to_yuan(Fraction(5, 7), UNIT),
        price_to_yuan(price, UNIT),
    ]
    assert [(r["kind"], r["other_member"]) for r in rows] == [
        (None, None),
        (None, None),
        (None, "7"),
        ("direct", "8"),
    ]
    assert trace.rows == 4 and trace.actions == {"buy": 1, "sell": 1, "join": 1, "bonus": 1}
    assert trace.price_low == price_to_yuan(Fraction(5, 7), UNIT)


def test_rows_given_as_columns_make_the_same_file_as_rows_given_one_by_one(tmp_path):
    """The compiled replay hands the trace whole columns; mixed with single rows, in batches
    that end mid-way, the file is the same bytes and the row groups the same sizes."""
    rows = [  # (day, member, action, fen or units, per, points, cash, pool, points, price)
        (0, "1", "buy", 100_000, 100, 21_000, 0, 30_000, 21_000, Fraction(30_000, 21_000)),
        (1, "2", "buy", 50_000, 100, 9_000, 0, 45_000, 30_000, Fraction(3, 2)),
        (1, "1", "sell", 1_000, UNIT, -1_000, 1_200, 44_700, 29_000, Fraction(447, 290)),
        (2, "2", "forced_exit", 9_000, UNIT, -9_000, 11_100, 40_000, 20_000, Fraction(2)),
    ]
    one_by_one = Trace(tmp_path / "one.parquet", UNIT, batch_rows=3)
    for line, (day, member, action, amount, _, points, cash, pool, total, price) in enumerate(
        rows, start=2
    ):
        one = Applied(action, member, amount, points, cash, pool, total, price)
        one_by_one.applied(Event(line, day, member, action, amount), one)
    one_by_one.close()
    mixed = Trace(tmp_path / "mixed.parquet", UNIT, batch_rows=3)
    day, member, action, amount, _, points, cash, pool, total, price = rows[0]
    mixed.applied(
        Event(2, day, member, action, amount),
        Applied(action, member, amount, points, cash, pool, total, price),
    )
    rest = list(zip(*rows[1:], strict=True))
    mixed.extend(
        {
            "day": np.array(rest[0]),
            "line": np.array([3, 4, 5]),
            "missing": np.zeros(3, bool),
            **{
                name: np.array(rest[i])
                for i, name in enumerate(
                    ("amount", "per", "points_delta", "cash_delta", "pool", "points"), start=3
                )
            },
            "price_num": np.array([p.numerator for p in rest[9]]),
            "price_den": np.array([p.denominator for p in rest[9]]),
            "member": pa.array(rest[1]),
            "action": pa.array(rest[2]),
            "kind": pa.nulls(3, pa.string()),
            "other": pa.nulls(3, pa.string()),
        }
    )
    mixed.close()
    assert (tmp_path / "one.parquet").read_bytes() == (tmp_path / "mixed.parquet").read_bytes()
    assert pq.ParquetFile(tmp_path / "mixed.parquet").metadata.num_row_groups == 2
    assert mixed.actions == {"buy": 2, "sell": 1, "forced_exit": 1}
    assert mixed.price_high == price_to_yuan(Fraction(2), UNIT)


@settings(max_examples=200, derandomize=True)
@given(
    values=st.lists(st.integers(-(1 << 70), 1 << 70) | st.integers(-(10**6), 10**6), max_size=20),
    by=st.sampled_from([1, FEN_PER_YUAN, UNIT, 10**12, (1 << 60) + 3]),
)
def test_a_column_divided_is_each_value_divided(values, by):
    """A column at a time (the trace, the members table) is the value-by-value conversion:
    numpy's while exact, Python's past 2**53."""
    expected = [value / by for value in values]
    assert divided(values, by).tolist() == expected
    if all(abs(value) < 1 << 63 for value in values):
        assert divided(np.array(values, np.int64), by).tolist() == expected
