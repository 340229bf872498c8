"""The members table in exact units: one row a member, money in fen, points in units.

``spent`` is every yuan a member paid in: orders and, with the distribution layer, the fees
for regions and service points (``fees_paid``, also shown apart), so net results, losses and
the money absorbed count them.

This is what the analysis reads of a run's members (:mod:`sim.analysis`); the members file
(``members.parquet``) is the same table with money in yuan, points in points and the value
of the points held at the closing price, made in one hop by :mod:`sim.batch.tables`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from sim.core.units import FEN, UNITS
from sim.model.columns import KINDS as KIND_NAMES
from sim.model.columns import NONE

MONEY = (
    "spent",
    "fees_paid",
    "cash_received",
    "bonuses_received",
    "withdrawn",
    "cash_balance",
    "queued",
    "unpaid",
    "net_result",
    "net_withdrawn",
)
KINDS = {**dict.fromkeys(MONEY, FEN), "points_held": UNITS}

SCHEMA = pa.schema(
    [
        ("member", pa.int64()),
        ("type", pa.string()),
        ("join_day", pa.int64()),
        ("sponsor", pa.int64()),
        ("depth", pa.int64()),
        ("recruits", pa.int64()),
        ("team_size", pa.int64()),
        ("status", pa.string()),
        ("entries", pa.int64()),
        ("spent", pa.int64()),
        ("fees_paid", pa.int64()),
        ("points_held", pa.int64()),
        ("cash_received", pa.int64()),
        ("bonuses_received", pa.int64()),
        ("withdrawn", pa.int64()),
        ("cash_balance", pa.int64()),
        ("queued", pa.int64()),
        ("unpaid", pa.int64()),
        ("forced_exits", pa.int64()),
        ("exit_day", pa.int64()),
        ("break_even_day", pa.int64()),
        ("net_result", pa.int64()),
        ("net_withdrawn", pa.int64()),
    ]
)


def member_table(model) -> pa.Table:
    """One row per member, by id, built column by column from the book's integers (arrays
    throughout: no Python object per member where the figures fit machine integers)."""
    book, members = model.book, model.columns
    n = len(members)
    ids = np.arange(1, n + 1, dtype=np.int64)
    network = model.network
    keys = ids if hasattr(book, "kernel") else ids.tolist()  # the reference book: ints
    figures = {
        name: column if name == "status" else _integers(column)
        for name, column in book.member_figures(keys).items()
    }
    dist = model.distribution
    fees_paid = np.zeros(n, np.int64) if dist is None else dist.fees.of(ids)
    spent, cash = figures["spent"] + fees_paid, figures["cash"]  # every yuan a member paid
    bonus, withdrawn = figures["bonus"], figures["withdrawn"]
    sponsors = network.sponsors()[ids]
    columns = {
        "member": ids,
        "type": _named(members.numbers("kind"), KIND_NAMES),
        "join_day": members.numbers("join_day"),
        "sponsor": pa.array(sponsors, pa.int64(), mask=sponsors == 0),
        "depth": network.depths()[ids],
        "recruits": network.direct_counts()[ids],
        "team_size": network.team_sizes()[ids],
        "status": figures["status"],
        "entries": figures["entries"],
        "spent": spent,
        "fees_paid": fees_paid,
        "points_held": figures["held"],
        "cash_received": cash,
        "bonuses_received": bonus,
        "withdrawn": withdrawn,
        "cash_balance": cash + bonus - withdrawn,
        "queued": model.withdrawals.waiting_all(n),
        "unpaid": figures["unpaid"],
        "forced_exits": figures["forced_exits"],
        "exit_day": _nullable(members.numbers("exit_day")),
        "break_even_day": _nullable(members.numbers("break_even_day")),
        "net_result": cash + bonus - spent,
        "net_withdrawn": withdrawn - spent,
    }
    return pa.table({field.name: _column(columns[field.name], field) for field in SCHEMA})


def _named(codes: np.ndarray, names: tuple[str, ...]) -> pa.Array:
    """Codes as the strings they stand for (through a dictionary: one string per name)."""
    return pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(names)).cast(pa.string())


def _nullable(days: np.ndarray) -> pa.Array:
    """A column of days with "none" (-1) as null."""
    return pa.array(days, pa.int64(), mask=days == NONE)


def _integers(column: list[int]) -> np.ndarray:
    """A figure as int64, or as exact Python integers where it outgrows int64 (points minted
    at a price diluted to almost nothing can)."""
    try:
        return np.asarray(column, np.int64)
    except OverflowError:
        return np.asarray(column, object)


def _column(values, field: pa.Field) -> pa.Array:
    """One column of the table: int64, or where a figure outgrew it its exact decimal text
    (Python integers have no ceiling; Arrow's widest decimal stops at 76 digits)."""
    if isinstance(values, pa.Array):
        return values
    if isinstance(values, np.ndarray) and values.dtype == object:
        return pa.array([str(int(v)) for v in values], pa.string())
    return pa.array(values, field.type)


def member_frame(table: pa.Table) -> pd.DataFrame:
    """The members table as a DataFrame the analysis reads: widened columns hold Python
    integers (exact, of any size)."""
    frame = table.to_pandas()
    for field in table.schema:
        if is_wide(field):
            frame[field.name] = frame[field.name].map(int).astype(object)
    return frame


def is_wide(field: pa.Field) -> bool:
    """Whether a figure of the table outgrew int64 and is held as exact decimal text."""
    return field.name in KINDS and pa.types.is_string(field.type)
