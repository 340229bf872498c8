"""The trace's columns are the values :mod:`sim.core.units` gives one by one, small or past
2**53 (where numpy's floats would round the integer before dividing)."""

from __future__ import annotations

from fractions import Fraction

import pyarrow.parquet as pq

from sim.core.book import Applied
from sim.core.units import fen_to_yuan, price_to_yuan, units_to_points
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
