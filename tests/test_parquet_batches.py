"""A Parquet log read a batch at a time with Arrow gives exactly the row parser's events,
or its error at the same line, on random logs good and bad (small batches, so that one log
mixes batches read at once with batches handed back to the row parser)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.errors import InputError
from sim.replay import eventlog
from sim.replay.eventlog import _parquet_rows, _parse, read_events

UNIT = 10**6
GOOD = {
    "member": ["A", "B", "c-7", "12"],
    "action": ["buy", "sell", "join", "withdraw", "bonus", "fee"],
    "amount": ["1000", "12.5", "0.01", "all", ""],
    "sponsor": ["", "A", "B"],
    "source_member": ["", "A", "c-7"],
    "kind": ["", "direct", "region", "requested", "paid"],
}
BAD = {  # cells the fast path hands back: some the row parser accepts, some it refuses
    "member": [" A", "会员1", "", "x" * 201, "a\tb"],
    "action": ["BUY", " buy", "rebuy", "sell!"],
    "amount": ["-5", "0", "1e3", "ALL", " 3", "0.001", "1.", "all"],
    "sponsor": ["会员1", "A ", "zz"],
    "source_member": ["会员1", " ", "A"],
    "kind": ["DIRECT", "other", "bogus", "membership "],
}


KINDS = {"withdraw": ["", "paid", "requested"], "bonus": ["", "direct"], "fee": ["", "region"]}


@st.composite
def row(draw):
    """A row valid for the reader, or (one time in three) with one cell from BAD."""
    action = draw(st.sampled_from(GOOD["action"]))
    member = draw(st.sampled_from(GOOD["member"]))
    cells = {"member": member, "action": action, "amount": "", "sponsor": "", "kind": ""}
    cells["source_member"] = ""
    if action != "join":
        amounts = GOOD["amount"][:4] if action == "sell" else GOOD["amount"][:3]
        cells["amount"] = draw(st.sampled_from(amounts))
    elif draw(st.booleans()):
        cells["sponsor"] = "Z" if member == "A" else "A"
    if action == "bonus":
        cells["source_member"] = draw(st.sampled_from(GOOD["source_member"]))
    cells["kind"] = draw(st.sampled_from(KINDS.get(action, [""])))
    if draw(st.integers(0, 2)) == 0:
        column = draw(st.sampled_from(sorted(BAD)))
        cells[column] = draw(st.sampled_from(BAD[column]))
    return cells


ROW = row()


def read_all(events):
    try:
        return list(events)
    except InputError as error:
        return str(error)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(st.tuples(st.integers(0, 3), ROW), min_size=0, max_size=14),
    batch=st.integers(1, 5),
    int_days=st.booleans(),
    blank=st.sampled_from([None, 0, 3]),
)
def test_batches_read_as_the_rows_do(tmp_path, monkeypatch, rows, batch, int_days, blank):
    monkeypatch.setattr(eventlog, "BATCH_ROWS", batch)
    days, day = [], 0
    for step, _ in rows:  # mostly in time order; a step of 3 goes back a day
        day = day - 1 if step == 3 else day + step
        days.append(day)
    columns = {
        "day": pa.array(days, pa.int64())
        if int_days
        else pa.array([str(d) for d in days], pa.string())
    }
    for name in GOOD:
        columns[name] = pa.array([row[name] or None for _, row in rows], pa.string())
    table = pa.table(columns) if rows else pa.table(columns).slice(0, 0)
    if blank is not None and len(table) > blank:  # a row with no cell at all
        empty = {name: pa.nulls(1, table.schema.field(name).type) for name in table.column_names}
        table = pa.concat_tables([table.slice(0, blank), pa.table(empty), table.slice(blank)])
    path = tmp_path / "log.parquet"
    pq.write_table(table, path)
    expected = read_all(_parse(_parquet_rows(path), path, UNIT))
    assert read_all(read_events(path, UNIT)) == expected


def test_a_plain_log_is_read_by_the_batch(tmp_path, monkeypatch):
    """The fast path is taken (the row parser is not called) on plainly valid rows."""
    table = pa.table(
        {
            "day": [0, 0, 1],
            "member": ["A", "B", "B"],
            "action": ["join", "join", "buy"],
            "amount": [None, None, "1000.5"],
            "sponsor": [None, "A", None],
        }
    )
    path = tmp_path / "log.parquet"
    pq.write_table(table, path)
    monkeypatch.setattr(eventlog._RowParser, "rows", None)  # would fail if called
    events = list(read_events(path, UNIT))
    assert [(e.line, e.day, e.member, e.action, e.amount, e.other) for e in events] == [
        (2, 0, "A", "join", None, None),
        (3, 0, "B", "join", None, "A"),
        (4, 1, "B", "buy", 100_050, None),
    ]


def test_a_float_column_is_read_by_the_rows(tmp_path):
    path = tmp_path / "log.parquet"
    pq.write_table(
        pa.table({"day": [0.0], "member": ["A"], "action": ["buy"], "amount": [5.0]}), path
    )
    (event,) = read_events(path, UNIT)
    assert (event.day, event.amount) == (0, 500)


@pytest.mark.parametrize("cells", [("-1", "A"), ("0", "会员")])
def test_the_rows_decide_what_the_batch_cannot(tmp_path, cells):
    path = tmp_path / "log.parquet"
    day, member = cells
    pq.write_table(
        pa.table({"day": [day], "member": [member], "action": ["buy"], "amount": ["1"]}), path
    )
    assert read_all(read_events(path, UNIT)) == read_all(_parse(_parquet_rows(path), path, UNIT))
