"""A batch of a Parquet event log checked with Arrow at once, not row by row in Python.

The rules of a row are :class:`sim.replay.eventlog._RowParser`'s. This only recognises the
rows that plainly pass them: member ids of printable ASCII with no space at either end, day
numbers of digits, actions and kinds of letters, amounts of plain decimal text (converted
by the parser's own cached :func:`~sim.replay.event_rules.exact`). A batch with anything else
in it (an empty row, a Chinese member id, a float column, a bad cell) is handed back (None)
for the row parser to read, which gives the same events or the error at its line. So the
two cannot disagree on what they both accept, and the tests check that they agree on
random logs, good and bad.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sim.replay.event_rules import (
    ACTIONS,
    DEFAULT_KIND,
    KINDS_OF,
    MAX_EVENT_DAY,
    MAX_ID,
    YUAN_ACTIONS,
    Event,
    exact,
)

_ID = f"^[!-~]([ -~]{{0,{MAX_ID - 2}}}[!-~])?$"  # printable ASCII, no space at either end
_DAY = "^[0-9]{1,10}$"
_DECIMAL = r"^[0-9]+(\.[0-9]+)?$"
_LETTERS = "^[A-Za-z_]*$"
_ACTION_CODE = {action: i for i, action in enumerate(ACTIONS)}
_SELL, _JOIN = _ACTION_CODE["sell"], _ACTION_CODE["join"]


def plain_events(
    batch: pa.RecordBatch, index: dict[str, int], unit: int, line: int, last_day: int | None
) -> list[Event] | None:
    """The events of ``batch`` (its rows numbered from ``line + 1``; ``last_day``: the day
    of the row before it), or None unless every row plainly passes the row rules."""
    n = batch.num_rows
    if not n:
        return []
    cells = {name: _text(batch.column(i)) for name, i in index.items()}
    if any(column is None for column in cells.values()):
        return None
    blank = pa.array(np.zeros(n, bool))
    for column in cells.values():
        blank = pc.or_(blank, pc.not_equal(column, ""))
    if not pc.all(blank).as_py():  # a row with no cell: the row parser skips it
        return None
    days = _days(cells["day"], last_day)
    if days is None or not _all(cells["member"], _ID):
        return None
    action = pc.ascii_lower(cells["action"])
    if not _all(cells["action"], _LETTERS):
        return None
    code = pc.index_in(action, pa.array(ACTIONS))
    if code.null_count:
        return None
    code = code.to_numpy(zero_copy_only=False)
    amounts = _amounts(cells["amount"], code, unit)
    others = _others(cells, code)
    kinds = _kinds(cells.get("kind"), code)
    if amounts is None or others is None or kinds is None:
        return None
    members = cells["member"].to_pylist()
    actions = [ACTIONS[c] for c in code.tolist()]
    lines = range(line + 1, line + 1 + n)
    return list(map(Event, lines, days.tolist(), members, actions, amounts, others, kinds))


def _text(column: pa.Array) -> pa.Array | None:
    """The column as text with empty cells for nulls, as the row parser reads it; None
    for a type whose text it might read otherwise (floats, dates, ...)."""
    if pa.types.is_dictionary(column.type):
        column = column.dictionary_decode()
    if pa.types.is_integer(column.type) or pa.types.is_large_string(column.type):
        column = pc.cast(column, pa.string())
    elif not pa.types.is_string(column.type):
        return None
    return pc.fill_null(column, "")


def _all(column: pa.Array, pattern: str) -> bool:
    return pc.all(pc.match_substring_regex(column, pattern)).as_py() is not False


def _days(text: pa.Array, last_day: int | None) -> np.ndarray | None:
    if not _all(text, _DAY):
        return None
    days = pc.cast(text, pa.int64()).to_numpy()
    if days.max() > MAX_EVENT_DAY:
        return None
    if (last_day is not None and days[0] < last_day) or (np.diff(days) < 0).any():
        return None
    return days


def _amounts(text: pa.Array, code: np.ndarray, unit: int) -> list | None:
    """Fen or point units per row (None for a join and ``sell all``), each distinct text
    converted once by the row parser's own conversion; None if any is not plainly valid."""
    texts = text.to_pylist()
    join, sell = code == _JOIN, code == _SELL
    if any(texts[i] for i in np.flatnonzero(join).tolist()):
        return None
    if not _all(text.filter(pa.array(~join & ~sell)), _DECIMAL):
        return None
    sold = text.filter(pa.array(sell))
    plain = pc.or_(pc.match_substring_regex(sold, _DECIMAL), pc.equal(pc.ascii_lower(sold), "all"))
    if pc.all(plain).as_py() is False:
        return None
    yuan = {_ACTION_CODE[a] for a in YUAN_ACTIONS}
    out: list[int | None] = [None] * len(texts)
    for i, (cell, c) in enumerate(zip(texts, code.tolist(), strict=True)):
        if c == _JOIN or (c == _SELL and cell.lower() == "all"):
            continue
        try:
            amount = exact(cell, c in yuan, unit)  # cached: a log repeats few amounts
        except ValueError:
            return None
        if not amount:  # zero: refused
            return None
        out[i] = amount
    return out


def _others(cells: dict[str, pa.Array], code: np.ndarray) -> list | None:
    """The sponsor of a join, the source member of a bonus, None elsewhere."""
    out: list[str | None] = [None] * len(code)
    for name, action in (("sponsor", "join"), ("source_member", "bonus")):
        column = cells.get(name)
        if column is None:
            continue
        given = pc.not_equal(column, "").to_numpy(zero_copy_only=False)
        mine = code == _ACTION_CODE[action]
        if (given & ~mine).any():
            return None
        rows = np.flatnonzero(given)
        if not len(rows):
            continue
        named = column.take(pa.array(rows))
        if not _all(named, _ID):
            return None
        if (
            name == "sponsor"
            and pc.any(pc.equal(named, cells["member"].take(pa.array(rows)))).as_py()
        ):
            return None
        for i, other in zip(rows.tolist(), named.to_pylist(), strict=True):
            out[i] = other
    return out


def _kinds(column: pa.Array | None, code: np.ndarray) -> list | None:
    """Each row's kind, its action's default where empty, None for actions without one."""
    defaults = [DEFAULT_KIND.get(action) for action in ACTIONS]
    out = [defaults[c] for c in code.tolist()]
    if column is None:
        return out
    if not _all(column, _LETTERS):
        return None
    for i, text in enumerate(pc.ascii_lower(column).to_pylist()):
        if not text:
            continue
        kinds = KINDS_OF.get(ACTIONS[code[i]])
        if kinds is None or text not in kinds:
            return None
        out[i] = text
    return out
