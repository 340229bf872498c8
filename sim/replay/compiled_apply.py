"""The replay's fast path: a chunk of the log at a time, its buys and sales through the
compiled kernel in one call, the other rows through the same :class:`~sim.replay.records.Records`
as the reference replay (:func:`sim.replay.apply.apply_events`), with the same results.

Why it can: buys and sales never read a join, bonus, withdrawal or fee, so the kernel can
apply a chunk's orders and sales first; those other rows read the book only through the
ledger (a bonus's line balance, a withdrawal's member cash) and a member's cash balance,
which :class:`AsOfBook` gives *as of the row*: the ledger caught up with the orders and
payouts before it (their postings summed, the same totals), the member's cash less what
the kernel paid them after it. Members are numbered by first appearance (the kernel's
member ``place`` is ``records.members[id].place``); the trace and the day-by-day history of
the chunk are merged by row in the reference's order.

A log the kernel refuses (a sale of points not held, numbers beyond its exact range) or
whose rows break a rule raises :class:`Declined`: the caller replays it through the
reference, which names the row. Published rules to check the records against (an
``Entitlement``) read the tree and the orders, never the book: they are told of each
appearance and order as the rows are first read, in file order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from itertools import islice

import numpy as np
import pyarrow as pa

from sim.core.book import Member, Refused
from sim.core.kernel_layout import (
    BUY,
    EV_BUY,
    EV_FORCED_EXIT,
    EV_REFUSED,
    EVENT_NAMES,
    SELL,
    SELL_ALL,
)
from sim.core.ledger import Ledger, LedgerError
from sim.core.mechanics import MEMBER_CASH, POOL, Mechanics
from sim.core.units import FEN_PER_YUAN
from sim.errors import BeyondRange, InputError
from sim.model.compiled_book import CompiledBook
from sim.replay.entitlement import Entitlement
from sim.replay.event_rules import Event
from sim.replay.history import WHAT, MoneyHistory
from sim.replay.records import Records
from sim.replay.trace import Trace, record_cash

CHUNK_ROWS = 65_536
_IN_HISTORY = ("bonus", "fee")
_ORDER, _CASH, _EXIT, _FEE = (WHAT.index(name) for name in ("order", "cash", "exit", "fee"))


class Declined(Exception):
    """The compiled replay does not apply this log: the reference replays it (and says why,
    when the log breaks a rule)."""


class _Balance:
    __slots__ = ("balance",)

    def __init__(self, balance: int) -> None:
        self.balance = balance


class AsOfBook:
    """The book as :class:`Records` reads it while a chunk's other rows are applied, after
    the kernel applied the whole chunk's orders and sales: the ledger and each member's cash
    as of the row being applied (:meth:`at` moves to a row)."""

    def __init__(self, book: CompiledBook, records: Records) -> None:
        self.compiled = book
        self.ledger = book.ledger
        self.members = self  # what Records reads: members.get(id).balance
        self._records = records
        self._lines = list(book.mechanics.parts(FEN_PER_YUAN))
        # the day of the last withdrawal row: the request queue changes only there, so the
        # days it saw end are told to it there (the same first insolvent day)
        self.queue_day: int | None = None

    def chunk(self, rows: np.ndarray, amounts: np.ndarray, buys: np.ndarray, events) -> None:
        """A chunk's orders and sales (their rows, fen or units, which are buys) and the
        kernel's events for them: the postings still to make, row by row."""
        self._rows = rows
        bought = np.where(buys, amounts, 0)
        self._money = np.concatenate(([0], np.cumsum(bought)))
        self._buys = np.concatenate(([0], np.cumsum(buys)))
        parts = np.zeros((len(rows), len(self._lines)), np.int64)
        values, where = np.unique(bought, return_inverse=True)
        for i, amount in enumerate(values.tolist()):
            if amount:
                parts[where == i] = list(self.compiled.mechanics.parts(amount).values())
        self._parts = np.vstack((np.zeros((1, len(self._lines)), np.int64), np.cumsum(parts, 0)))
        self._event_rows = rows[events.source]
        self._paid = np.concatenate(([0], np.cumsum(events.cash_delta)))
        self._posted = (0, 0)
        later: dict[int, list[tuple[int, int]]] = {}
        paid = np.flatnonzero(events.cash_delta)
        for row, member, cash in zip(
            self._event_rows[paid].tolist(),
            events.member[paid].tolist(),
            events.cash_delta[paid].tolist(),
            strict=True,
        ):
            later.setdefault(member, []).append((row, cash))
        self._later = later
        self._row = 0

    def before(self, rows: np.ndarray) -> list[tuple[int, int, int]]:
        """For each of ``rows`` (increasing): the row, and how many of the chunk's orders
        and sales, and of the kernel's events, come before it."""
        orders = np.searchsorted(self._rows, rows).tolist()
        events = np.searchsorted(self._event_rows, rows).tolist()
        return list(zip(rows.tolist(), orders, events, strict=True))

    def at(self, row: int, orders: int, events: int) -> None:
        """Post the orders and payouts of the chunk's rows before ``row`` (the first
        ``orders`` orders and sales, the first ``events`` events: :meth:`before`)."""
        self._row = row
        done_orders, done_events = self._posted
        if orders == done_orders and events == done_events:
            return
        if self._buys[orders] > self._buys[done_orders]:
            money = int(self._money[orders] - self._money[done_orders])
            parts = (self._parts[orders] - self._parts[done_orders]).tolist()
            self.ledger.receive(money, dict(zip(self._lines, parts, strict=True)))
        paid = int(self._paid[events] - self._paid[done_events])
        if paid:
            self.ledger.transfer(POOL, MEMBER_CASH, paid)
        self._posted = (orders, events)

    def get(self, key: str) -> _Balance:
        """A member's cash balance as of the row (0: no record)."""
        place = self._records.members[key].place
        try:
            balance = self.compiled.cash_balance(place + 1)
        except KeyError:
            return _Balance(0)
        after = sum(cash for row, cash in self._later.get(place, ()) if row > self._row)
        return _Balance(balance - after)

    def pay_bonus(self, key: str, amount: int, line: str) -> None:
        self.compiled.pay_bonus(self._records.members[key].place + 1, amount, line)

    def withdraw(self, key: str, amount: int) -> None:
        self.compiled.withdraw(self._records.members[key].place + 1, amount)


class _Names:
    """Member ids by place, for the trace's member column (an object array, grown)."""

    def __init__(self) -> None:
        self.ids = np.empty(1024, object)
        self.count = 0

    def add(self, key: str) -> None:
        if self.count == len(self.ids):
            grown = np.empty(2 * len(self.ids), object)
            grown[: self.count] = self.ids[: self.count]
            self.ids = grown
        self.ids[self.count] = key
        self.count += 1


def apply_compiled(
    book: CompiledBook,
    events: Iterable[Event],
    records: Records,
    trace: Trace,
    progress: Callable[[int], object] | None = None,
    chunk_rows: int = CHUNK_ROWS,
    entitlement: Entitlement | None = None,
) -> None:
    """Apply the log ``chunk_rows`` rows at a time (see the module docstring); Declined if
    the compiled path does not apply it. ``entitlement`` (published rules, which read the
    tree and the orders, never the book) is told of each appearance and order in file
    order, as :func:`sim.replay.apply.apply_events` tells it."""
    as_of = AsOfBook(book, records)
    records.book = as_of  # type: ignore[assignment]  # the records read the book as of a row
    names = _Names()
    last = None
    try:
        for chunk in _chunks(iter(events), chunk_rows):
            last = _apply_chunk(book, as_of, chunk, records, trace, names, entitlement)
            if progress is not None:
                progress(len(chunk))
    except (InputError, Refused, BeyondRange, LedgerError, OverflowError) as why:
        raise Declined(str(why)) from None
    if last is not None:
        records.queue.day_passed(last, None)
    if entitlement is not None:
        entitlement.close(last)


def _chunks(events: Iterator[Event], rows: int) -> Iterator[list[Event]]:
    while chunk := list(islice(events, rows)):
        yield chunk


def _apply_chunk(book, as_of, chunk, records, trace, names, rules=None) -> int:
    """One chunk; returns the day of its last row. ``rules``: the published rules'
    entitlement, told of appearances and orders in file order."""
    members, join, appear = records.members, records.join, records.appear
    find = members.get

    def sponsor(member: str) -> str | None:
        return members[member].sponsor

    lines, days, book_rows, places, codes, amounts, others = [], [], [], [], [], [], []
    for i, event in enumerate(chunk):
        line, day, member, action, amount, _, _ = event
        lines.append(line)
        days.append(day)
        if rules is not None and (far := rules.beyond(day)) is not None:
            raise InputError(far, file=records.source, line=line, key="day")
        if action == "buy" or action == "sell":
            seen = find(member)
            if seen is None:
                appear(event)
                names.add(member)
                seen = members[member]
                if rules is not None:
                    rules.appear(day, member, None)
            book_rows.append(i)
            places.append(seen.place)
            if action == "buy":
                codes.append(BUY)
                amounts.append(amount)
                if rules is not None:  # it reads the tree and the order, not the book
                    rules.order(day, member, amount, sponsor)
            else:
                codes.append(SELL_ALL if amount is None else SELL)
                amounts.append(amount or 0)
            continue
        others.append(i)
        known = len(members)
        if action == "join":
            join(event)
        elif member not in members:
            appear(event)
        if len(members) > known:
            names.add(member)
            if rules is not None:
                rules.appear(day, member, members[member].sponsor)
    rows = np.array(book_rows, np.int64)
    places = np.array(places, np.int64)
    codes = np.array(codes, np.int8)
    amounts = np.array(amounts, np.int64)
    if len(places):
        book.ensure(int(places.max()) + 1)
    start = (book.pool, book.points, book.kernel.price)
    applied = book.kernel.apply(places, codes, amounts)
    if (applied.kind == EV_REFUSED).any():
        raise Declined("the kernel refused an order or sale")
    book.applied(applied)
    as_of.chunk(rows, amounts, codes == BUY, applied)
    days, lines = np.array(days, np.int64), np.array(lines, np.int64)
    history = MoneyHistory()
    records.history, kept = history, records.history
    handle = {"withdraw": records.withdraw, "bonus": records.bonus, "fee": records.fee}
    queue = records.queue
    asked = np.array([i for i in others if chunk[i].action != "join"] + [len(chunk)], np.int64)
    for i, orders, events in as_of.before(asked)[:-1]:
        event = chunk[i]
        action = event.action
        as_of.at(i, orders, events)
        if action == "withdraw":  # the days since the last withdrawal end (none else asks)
            if as_of.queue_day is not None and event.day > as_of.queue_day:
                queue.day_passed(as_of.queue_day, event.day)
            as_of.queue_day = event.day
        handle[action](event)
    records.history = kept
    # the records add one entry for each bonus and fee, none for a withdrawal
    history_rows = np.array([i for i in others if chunk[i].action in _IN_HISTORY], np.int64)
    if len(history_rows) != len(history):
        raise AssertionError("a bonus or fee row made other than one history entry")
    as_of.at(*as_of.before(asked[-1:])[0])
    book.ledger.check()
    book.check_pool()
    _trace(trace, chunk, others, rows, applied, start, days, lines, names)
    _history(kept, history, history_rows, rows, applied, days)
    return int(days[-1])


def _trace(trace, chunk, others, rows, applied, start, days, lines, names) -> None:
    """The chunk's trace rows: the kernel's events and the other rows (each with the book
    as it stood after the last event before it), in the reference's order."""
    event_rows = rows[applied.source]
    other_rows = np.array(others, np.int64)
    before = np.searchsorted(event_rows, other_rows) - 1  # the last event before; -1: none
    state = {}
    for name, first, column in (
        ("pool", start[0], applied.pool),
        ("points", start[1], applied.points),
        ("price_num", start[2].numerator, applied.price_num),
        ("price_den", start[2].denominator, applied.price_den),
    ):
        state[name] = np.concatenate(([first], column))[before + 1]
    records = [chunk[i] for i in others]
    kind = applied.kind
    per = np.where(kind == EV_BUY, FEN_PER_YUAN, trace.unit)
    n = len(records)
    ours = {
        "day": days[other_rows],
        "line": lines[other_rows],
        "missing": np.array([e.amount is None for e in records], bool),
        "amount": np.array([e.amount or 0 for e in records], np.int64),
        "per": np.full(n, FEN_PER_YUAN, np.int64),
        "points_delta": np.zeros(n, np.int64),
        "cash_delta": np.array([record_cash(e) for e in records], np.int64),
        **state,
        "member": pa.array([e.member for e in records], pa.string()),
        "action": pa.array([e.action for e in records], pa.string()),
        "kind": pa.array([e.kind for e in records], pa.string()),
        "other": pa.array([e.other for e in records], pa.string()),
    }
    kernels = {
        "day": days[event_rows],
        "line": lines[event_rows],
        "missing": np.zeros(len(kind), bool),
        "amount": applied.amount,
        "per": per,
        "points_delta": applied.points_delta,
        "cash_delta": applied.cash_delta,
        "pool": applied.pool,
        "points": applied.points,
        "price_num": applied.price_num,
        "price_den": applied.price_den,
        "member": pa.array(names.ids[applied.member], pa.string()),
        "action": pa.array(np.array(EVENT_NAMES, object)[kind], pa.string()),
        "kind": pa.nulls(len(kind), pa.string()),
        "other": pa.nulls(len(kind), pa.string()),
    }
    order = np.argsort(np.concatenate((event_rows, other_rows)), kind="stable")
    merged = {}
    for name, column in kernels.items():
        if isinstance(column, np.ndarray):
            merged[name] = np.concatenate((column, ours[name]))[order]
        else:
            merged[name] = pa.concat_arrays([column, ours[name]]).take(pa.array(order))
    trace.extend(merged)


def _history(history, theirs, their_rows, rows, applied, days) -> None:
    """The chunk's day-by-day history: the kernel's events (an order; a sale's or forced
    exit's cash, and an exit) and the records' rows, in the reference's order."""
    kind = applied.kind
    exits = np.flatnonzero(kind == EV_FORCED_EXIT)
    event_rows = rows[applied.source]
    # by row; within a row, the kernel's events in order, an exit's entry right after its
    # cash (rows of the records and of the kernel never share a row)
    keys = np.concatenate((event_rows, event_rows[exits], their_rows))
    order_key = np.concatenate(
        (2 * np.arange(len(kind)), 2 * exits + 1, np.arange(len(their_rows)))
    )
    what = np.concatenate(
        (
            np.where(kind == EV_BUY, _ORDER, _CASH),
            np.full(len(exits), _EXIT),
            theirs.columns()["what"],
        )
    )
    fen = np.concatenate(
        (
            np.where(kind == EV_BUY, applied.amount, applied.cash_delta),
            np.zeros(len(exits), np.int64),
            theirs.columns()["fen"],
        )
    )
    member = np.concatenate((applied.member, applied.member[exits], theirs.columns()["member"]))
    day = np.concatenate((days[event_rows], days[event_rows[exits]], theirs.columns()["day"]))
    order = np.lexsort((order_key, keys))
    history.extend(day[order], member[order], what[order].astype(np.int8), fen[order])


@dataclass
class ReplayedBook:
    """The compiled book at the end of the log as the tables read a book
    (:class:`sim.core.book.Book`'s fields of the same names)."""

    mechanics: Mechanics
    ledger: Ledger
    members: dict[str, Member]
    pool: int
    points: int
    price: Fraction


def replayed_book(book: CompiledBook, records: Records) -> ReplayedBook:
    """The end state of a compiled replay, each member's record as the reference's."""
    members = final_members(book, records)
    return ReplayedBook(book.mechanics, book.ledger, members, book.pool, book.points, book.price)


def final_members(book: CompiledBook, records: Records) -> dict[str, Member]:
    """Every member's record as the reference book would hold it at the end (a member it
    never saw: zeros), for the tables written after the log."""
    keys = list(records.members)
    figures = book.member_figures(list(range(1, len(keys) + 1)))
    kernel, n = book.kernel, len(keys)
    obtained = np.zeros(n, np.int64)
    sales = np.zeros(n, np.int64)
    inside = min(n, kernel.capacity)
    obtained[:inside], sales[:inside] = kernel.obtained[:inside], kernel.sales[:inside]
    columns = [figures[name] for name in ("entries", "spent", "held", "cash", "bonus")]
    columns += [figures[name] for name in ("withdrawn", "unpaid", "forced_exits")]
    columns = [c.tolist() if isinstance(c, np.ndarray) else c for c in columns]
    out = {}
    for key, status, entries, spent, held, cash, bonus, withdrawn, unpaid, exits, got, sold in zip(
        keys, figures["status"], *columns, obtained.tolist(), sales.tolist(), strict=True
    ):
        out[key] = Member(
            key,
            (),
            status=status,
            spent=spent,
            cash=cash,
            held=held,
            obtained=got,
            entries=entries,
            sales=sold,
            forced_exits=exits,
            bonus=bonus,
            withdrawn=withdrawn,
            unpaid=unpaid,
        )
    return out
