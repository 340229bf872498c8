"""The one hop from exact values to the tables a file holds: yuan, points, yuan per point.

A run keeps its day rows and members in exact units (:mod:`sim.model.daily`,
:mod:`sim.model.members`); here they become the ``timeseries`` and ``members`` tables of
the run's files and of a batch. Money is divided by 100 once, points by the unit once, the
price and the value of the points held come from exact integers: the same correctly
rounded floats, whatever the size of the run.
"""

from __future__ import annotations

from fractions import Fraction

import pyarrow as pa

from sim.core.units import FEN_PER_YUAN, yuan_array
from sim.model import members as exact_members
from sim.model.daily import output_row


def _members_schema() -> pa.Schema:
    """The exact members table's columns with money and points as floats, and the value of
    the points held beside them: the schema of ``members.parquet``."""
    fields = []
    for field in exact_members.SCHEMA:
        if field.name in exact_members.KINDS:
            fields.append(pa.field(field.name, pa.float64()))
        else:
            fields.append(field)
        if field.name == "points_held":
            fields.append(pa.field("value_held", pa.float64()))
    return pa.schema(fields)


MEMBERS_SCHEMA = _members_schema()


def members_output(table: pa.Table, price: Fraction, unit: int) -> pa.Table:
    """The exact members table as ``members.parquet`` holds it; ``value_held`` is the
    points held at the closing ``price`` (fen per unit), in yuan."""
    num, den = price.numerator, price.denominator * FEN_PER_YUAN
    columns = {}
    for name in exact_members.SCHEMA.names:
        column = table.column(name)
        if name not in exact_members.KINDS:
            columns[name] = column
            continue
        wide = exact_members.is_wide(table.schema.field(name))  # outgrew int64: exact text
        values = [int(v) for v in column.to_pylist()] if wide else column.to_numpy()
        if name == "points_held":
            columns[name] = [h / unit for h in values] if wide else values / unit
            exact = values if wide else values.tolist()
            columns["value_held"] = [h * num / den for h in exact]
        else:  # money
            columns[name] = [f / FEN_PER_YUAN for f in values] if wide else yuan_array(values)
    return pa.table(columns, schema=MEMBERS_SCHEMA)


def timeseries_rows(rows: list[dict], unit: int) -> list[dict]:
    """The exact day rows as the ``timeseries`` table holds them."""
    return [output_row(row, unit) for row in rows]


def timeseries_schema(rows: list[dict]) -> pa.Schema:
    """The schema of output day rows: flags, counts (int64) and amounts (float64)."""

    def kind(name: str, value) -> pa.DataType:
        if isinstance(value, bool):
            return pa.bool_()
        if isinstance(value, int) and not name.startswith("account_"):
            return pa.int64()
        return pa.float64()

    return pa.schema([(name, kind(name, value)) for name, value in rows[0].items()])
