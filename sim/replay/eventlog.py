"""Read a platform's event log (CSV or Parquet) into checked events.

The columns ``day,member,action,amount`` are required; ``sponsor``, ``source_member`` and
``kind`` are optional; any other column is refused. Actions: ``join`` (a member placed under
``sponsor``, no amount), ``buy`` (yuan), ``sell`` (points or ``all``), ``withdraw``, ``bonus``
and ``fee`` (yuan). Each row is validated as it is read and every problem is reported with
the file and line (for Parquet, the row number + 1: its line in a CSV export). Rows stream,
so a log of any length is read in constant memory. What a row means for the members and the
money is :mod:`sim.replay.apply`'s.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from sim.errors import InputError, did_you_mean
from sim.limits import EVENTS_MB, check_input_file
from sim.replay.event_rules import (
    ACTIONS,
    ALL,
    COLUMNS,
    DEFAULT_KIND,
    HEADER,
    KINDS_OF,
    MAX_EVENT_DAY,
    MAX_ID,
    OPTIONAL,
    YUAN_ACTIONS,
    Event,
    exact,
)
from sim.replay.parquet_batches import plain_events


def read_events(path: str | Path, unit: int) -> Iterator[Event]:
    """The events of ``path`` (``.parquet``: Parquet, anything else CSV) in file order;
    InputError at the first bad row. The file's kind and size are checked now."""
    check_input_file(path, "an event log", EVENTS_MB)
    path = Path(path)
    if is_parquet(path):
        return _parquet_events(path, unit)
    return _csv_events(path, unit)


def is_parquet(path: Path) -> bool:
    return path.suffix.lower() in (".parquet", ".pq")


def _csv_events(path: Path, unit: int) -> Iterator[Event]:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise InputError(f"cannot read event log: {error.strerror}", file=path) from None
    with handle:
        reader = csv.reader(handle)
        try:
            yield from _parse(((reader.line_num, row) for row in reader), path, unit)
        except UnicodeDecodeError:
            raise InputError("event log is not UTF-8 text", file=path) from None
        except csv.Error as error:
            raise InputError(f"malformed CSV: {error}", file=path) from None


def _parquet_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """The header, then each row as text cells (numbers as decimal text), batch by batch."""
    source = _parquet_file(path)
    yield 1, list(source.schema_arrow.names)
    line = 1
    for batch in source.iter_batches(batch_size=BATCH_ROWS):
        yield from _batch_rows(batch, line)
        line += batch.num_rows


def _parquet_file(path: Path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise InputError(f"not a readable Parquet file: {error}", file=path) from None


def _batch_rows(batch, line: int) -> Iterator[tuple[int, list[str]]]:
    """A batch's rows as text cells, numbered from ``line + 1``."""
    columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
    for values in zip(*columns, strict=True):
        line += 1
        yield line, [_cell(value) for value in values]


def _parquet_events(path: Path, unit: int) -> Iterator[Event]:
    """The events of a Parquet log, each batch checked with Arrow at once
    (:func:`sim.replay.parquet_batches.plain_events`) and row by row only where a row is not
    plainly valid: the row parser then gives the events, or the error at its line."""
    source = _parquet_file(path)
    header = list(source.schema_arrow.names)
    if not any(cell.strip() for cell in header):  # the row parser's rules for a blank header
        yield from _parse(_parquet_rows(path), path, unit)
        return
    parser = _RowParser(path, unit, header, 1)
    line = 1
    for batch in source.iter_batches(batch_size=BATCH_ROWS):
        events = plain_events(batch, parser.index, unit, line, parser.last_day)
        if events is None:
            yield from parser.rows(_batch_rows(batch, line))
        else:
            parser.passed(events)
            yield from events
        line += batch.num_rows
    parser.done(line)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _parse(rows: Iterator[tuple[int, list[str]]], path: Path, unit: int) -> Iterator[Event]:
    line, header = next(rows, (1, None))
    while header is not None and not any(cell.strip() for cell in header):
        line, header = next(rows, (line, None))
    if header is None:
        raise InputError(f"event log is empty; expected the header {HEADER}", file=path, line=1)
    parser = _RowParser(path, unit, header, line)
    yield from parser.rows(rows)
    parser.done(parser.line)


class _RowParser:
    """Checks a header, then rows one by one (the reference for every rule of a row): the
    last day seen and the events counted carry from one batch of rows to the next."""

    def __init__(self, path: Path, unit: int, header: list[str], line: int) -> None:
        names = [cell.strip().lower() for cell in header]
        known = COLUMNS + OPTIONAL
        for name in names:
            if name not in known:
                raise InputError(
                    f"unknown column '{name}'{did_you_mean(name, known)}", file=path, line=line
                )
        for name in COLUMNS:
            if name not in names:
                raise InputError(
                    f"missing column '{name}'; expected the header {HEADER} "
                    f"(optional: {', '.join(OPTIONAL)})",
                    file=path,
                    line=line,
                )
        if len(set(names)) != len(names):
            raise InputError("a column appears twice in the header", file=path, line=line)
        self.path, self.unit, self.width = path, unit, len(names)
        self.index = {name: names.index(name) for name in known if name in names}
        self.last_day: int | None = None
        self.count = 0
        self.line = line

    def rows(self, rows: Iterator[tuple[int, list[str]]]) -> Iterator[Event]:
        path, unit = self.path, self.unit
        for line, row in rows:
            self.line = line
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != self.width:
                raise InputError(
                    f"expected {self.width} fields, got {len(row)}", file=path, line=line
                )
            cells = {name: row[i].strip() for name, i in self.index.items()}
            day = _day(cells["day"], path, line)
            last_day = self.last_day
            if last_day is not None and day < last_day:
                raise InputError(
                    f"day {day} comes after day {last_day}; events must be in time order",
                    file=path,
                    line=line,
                    key="day",
                )
            self.last_day = day
            member = _member_id(cells["member"], "member", path, line)
            action = cells["action"].lower()
            if action not in ACTIONS:
                raise InputError(
                    f"unknown action '{cells['action']}'{did_you_mean(action, ACTIONS)}",
                    file=path,
                    line=line,
                    key="action",
                )
            amount = _amount(action, cells["amount"], unit, path, line)
            other = _other(action, cells, member, path, line)
            kind = _kind(action, cells.get("kind", ""), path, line)
            self.count += 1
            yield Event(line, day, member, action, amount, other, kind)

    def passed(self, events: list[Event]) -> None:
        """Events read without this parser (a batch read at once): the day and count carry."""
        if events:
            self.last_day, self.count = events[-1].day, self.count + len(events)

    def done(self, line: int) -> None:
        """The end of the log: a log with no events is refused."""
        if self.count == 0:
            raise InputError("event log has a header but no events", file=self.path, line=line)


def _member_id(text: str, key: str, path: Path, line: int) -> str:
    if not text:
        raise InputError(f"{key} is empty", file=path, line=line, key=key)
    if not text.isprintable() or len(text) > MAX_ID:
        raise InputError(
            f"expected printable text of at most {MAX_ID} characters, got {text[:40]!r}",
            file=path,
            line=line,
            key=key,
        )
    return text


def _other(action: str, cells: dict[str, str], member: str, path: Path, line: int) -> str | None:
    """The sponsor of a join, the source member of a bonus; refused on any other row."""
    sponsor, source = cells.get("sponsor", ""), cells.get("source_member", "")
    if sponsor and action != "join":
        raise InputError(
            f"a sponsor is given only on join rows, not on a {action}",
            file=path,
            line=line,
            key="sponsor",
        )
    if source and action != "bonus":
        raise InputError(
            f"a source_member is given only on bonus rows, not on a {action}",
            file=path,
            line=line,
            key="source_member",
        )
    if action == "join" and sponsor:
        sponsor = _member_id(sponsor, "sponsor", path, line)
        if sponsor == member:
            raise InputError(
                f"member {member} is given as their own sponsor (a sponsor cycle)",
                file=path,
                line=line,
                key="sponsor",
            )
        return sponsor
    if action == "bonus" and source:
        return _member_id(source, "source_member", path, line)
    return None


def _kind(action: str, text: str, path: Path, line: int) -> str | None:
    kinds = KINDS_OF.get(action)
    text = text.lower()
    if kinds is None:
        if text:
            raise InputError(
                f"a kind is given only on bonus, fee and withdraw rows, not on a {action}",
                file=path,
                line=line,
                key="kind",
            )
        return None
    if not text:
        return DEFAULT_KIND[action]
    if text not in kinds:
        raise InputError(
            f"unknown {action} kind '{text[:40]}'{did_you_mean(text, kinds)}",
            file=path,
            line=line,
            key="kind",
        )
    return text


def _day(text: str, path: Path, line: int) -> int:
    """ASCII digits only (``str.isdigit`` also takes '²' and '٣'), at most MAX_EVENT_DAY."""
    if not (text.isascii() and text.isdigit()):
        raise InputError(
            f"expected a whole day number >= 0, got '{text[:40]}'", file=path, line=line, key="day"
        )
    if len(text) > 12 or int(text) > MAX_EVENT_DAY:
        raise InputError(
            f"expected a day number of at most {MAX_EVENT_DAY:,}, got {text[:40]}",
            file=path,
            line=line,
            key="day",
        )
    return int(text)


def _amount(action: str, text: str, unit: int, path: Path, line: int) -> int | None:
    if action == "join":
        if text:
            raise InputError(
                f"a join carries no amount, got '{text[:40]}'", file=path, line=line, key="amount"
            )
        return None
    in_yuan = action in YUAN_ACTIONS
    if text.lower() == ALL and not in_yuan:
        return None
    if not _DECIMAL_TEXT.fullmatch(text):
        what = "an amount in yuan" if in_yuan else "a number of points or 'all'"
        raise InputError(
            f"expected {what} as decimal text (digits, one '.'), got '{text[:40]}'",
            file=path,
            line=line,
            key="amount",
        )
    try:
        amount = exact(text, in_yuan, unit)
    except ValueError as error:
        raise InputError(str(error), file=path, line=line, key="amount") from None
    if amount == 0:
        raise InputError(
            f"expected an amount > 0, got '{text}'", file=path, line=line, key="amount"
        )
    return amount


BATCH_ROWS = 65_536  # rows of a Parquet log read at a time
_DECIMAL_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?")  # '-' kept: negatives get their own message


def count_rows(path: str | Path) -> int:
    """Data rows in the file (for a progress bar's total); 0 if unreadable."""
    path = Path(path)
    try:
        if is_parquet(path):
            import pyarrow.parquet as pq

            return pq.ParquetFile(path).metadata.num_rows
        with path.open("rb") as handle:
            return max(sum(1 for _ in handle) - 1, 0)
    except (OSError, ValueError):  # only a progress bar's total
        return 0
