"""Read a platform's event log (CSV ``day,member,action,amount``) into checked events.

Each row is validated as it is read and every problem is reported with the file and line:
missing or unknown columns, a day that is not a whole number or goes back in time, an
unknown action, an amount that is not a positive number of yuan (buy) or points (sell, or
``all``). Rows stream, so a log of any length is read in constant memory.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sim.core.units import points_to_units, yuan_to_fen
from sim.errors import InputError, did_you_mean
from sim.limits import EVENTS_MB, check_input_file

COLUMNS = ("day", "member", "action", "amount")
ACTIONS = ("buy", "sell")
ALL = "all"


@dataclass(frozen=True, slots=True)
class Event:
    """One row of the log. ``amount`` is fen for a buy, point units for a sale, None for
    ``sell all``."""

    line: int
    day: int
    member: str
    action: str
    amount: int | None


def read_events(path: str | Path, unit: int) -> Iterator[Event]:
    """The events of ``path`` in file order; InputError at the first bad row. The file's
    kind and size are checked now, before anything reads it."""
    check_input_file(path, "an event log", EVENTS_MB)
    return _events(Path(path), unit)


def _events(path: Path, unit: int) -> Iterator[Event]:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise InputError(f"cannot read event log: {error.strerror}", file=path) from None
    with handle:
        try:
            yield from _parse(csv.reader(handle), path, unit)
        except UnicodeDecodeError:
            raise InputError("event log is not UTF-8 text", file=path) from None
        except csv.Error as error:
            raise InputError(f"malformed CSV: {error}", file=path) from None


def _parse(reader, path: Path, unit: int) -> Iterator[Event]:
    header = next(reader, None)
    while header is not None and not any(cell.strip() for cell in header):
        header = next(reader, None)
    if header is None:
        raise InputError(
            "event log is empty; expected the header day,member,action,amount", file=path, line=1
        )
    names = [cell.strip().lower() for cell in header]
    line = reader.line_num
    for name in names:
        if name not in COLUMNS:
            raise InputError(
                f"unknown column '{name}'{did_you_mean(name, COLUMNS)}", file=path, line=line
            )
    for name in COLUMNS:
        if name not in names:
            raise InputError(
                f"missing column '{name}'; expected the header day,member,action,amount",
                file=path,
                line=line,
            )
    if len(set(names)) != len(names):
        raise InputError("a column appears twice in the header", file=path, line=line)
    index = {name: names.index(name) for name in COLUMNS}

    last_day = None
    count = 0
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(names):
            raise InputError(f"expected {len(names)} fields, got {len(row)}", file=path, line=line)
        cells = {name: row[i].strip() for name, i in index.items()}
        day = _day(cells["day"], path, line)
        if last_day is not None and day < last_day:
            raise InputError(
                f"day {day} comes after day {last_day}; events must be in time order",
                file=path,
                line=line,
                key="day",
            )
        last_day = day
        member = cells["member"]
        if not member:
            raise InputError("member is empty", file=path, line=line, key="member")
        if not member.isprintable() or len(member) > MAX_ID:
            raise InputError(
                f"expected printable text of at most {MAX_ID} characters, got {member[:40]!r}",
                file=path,
                line=line,
                key="member",
            )
        action = cells["action"].lower()
        if action not in ACTIONS:
            raise InputError(
                f"unknown action '{cells['action']}'{did_you_mean(action, ACTIONS)}",
                file=path,
                line=line,
                key="action",
            )
        amount = _amount(action, cells["amount"], unit, path, line)
        count += 1
        yield Event(line, day, member, action, amount)
    if count == 0:
        raise InputError("event log has a header but no events", file=path, line=line)


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
    if text.lower() != ALL and not _DECIMAL_TEXT.fullmatch(text):
        shown = text[:40]
        what = "an amount in yuan" if action == "buy" else "a number of points or 'all'"
        raise InputError(
            f"expected {what} as decimal text (digits, one '.'), got '{shown}'",
            file=path,
            line=line,
            key="amount",
        )
    try:
        if action == "buy":
            amount = yuan_to_fen(text, "an amount in yuan")
        elif text.lower() == ALL:
            return None
        else:
            amount = points_to_units(text, unit, "a number of points or 'all'")
    except ValueError as error:
        raise InputError(str(error), file=path, line=line, key="amount") from None
    if amount == 0:
        raise InputError(
            f"expected an amount > 0, got '{text}'", file=path, line=line, key="amount"
        )
    return amount


MAX_ID = 200  # characters of a member id
MAX_EVENT_DAY = 10**9  # day numbers (days since the platform opened; int64 in the trace)
_DECIMAL_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?")  # '-' kept: negatives get their own message


def count_rows(path: str | Path) -> int:
    """Data rows in the file (for a progress bar's total); 0 if unreadable."""
    try:
        with Path(path).open("rb") as handle:
            return max(sum(1 for _ in handle) - 1, 0)
    except OSError:
        return 0
