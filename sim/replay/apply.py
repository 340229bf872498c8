"""Replay a real event log through the reference book: the auditor's line-by-line trace.

``python -m sim replay EVENTS --scenario S.yaml --out DIR`` applies each row in file order:
buys and sales through :class:`~sim.core.book.Book` (the same rules every other part uses)
with the forced exits the rules trigger, joins, bonuses, withdrawals and fees through
:class:`~sim.replay.records.Records`; it checks the ledger at the end of every day and writes
``trace``, ``members`` and ``ledger`` tables (see the README for every column).

:func:`replay_file` applies a log through :mod:`sim.replay.compiled_apply` where it can (the
same files, a chunk of rows at a time, two to three times faster) and through
:func:`apply_events` otherwise: a log the compiled path declines (a broken rule, whose row
the reference names, or a number past the kernel's range).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from copy import deepcopy
from functools import partial
from pathlib import Path

import numpy as np
import pyarrow as pa
from tqdm import tqdm

from sim.core.book import Book, Refused
from sim.core.mechanics import Mechanics
from sim.core.units import fen_to_yuan
from sim.errors import InputError
from sim.model.compiled_book import CompiledBook
from sim.outputs import (
    check_out_dir,
    parquet_to_csv,
    staged,
    write_arrow,
    write_json,
    write_table,
)
from sim.replay.compiled_apply import Declined, apply_compiled, replayed_book
from sim.replay.entitlement import CHECK_SCHEMA, Entitlement, check_rows
from sim.replay.event_rules import Event
from sim.replay.eventlog import count_rows, read_events
from sim.replay.forensics import (
    CLAWBACK_SCHEMA,
    clawback_rows,
    member_figures,
    member_table,
)
from sim.replay.insolvency import RequestQueue
from sim.replay.records import Records
from sim.replay.summary import ReplaySummary, summary_json
from sim.replay.teams import TEAMS_SCHEMA, link_days, team_rows
from sim.replay.trace import Trace

LEDGER_SCHEMA = pa.schema(
    [
        ("account", pa.string()),
        ("kind", pa.string()),
        ("balance", pa.float64()),
        ("total_in", pa.float64()),
        ("total_out", pa.float64()),
    ]
)


def apply_events(
    book: Book,
    events: Iterable[Event],
    records: Records,
    entitlement: Entitlement | None = None,
    trace: Trace | None = None,
    progress: Callable[[int], object] | None = None,
) -> None:
    """Apply events in order, each as a row of the ``trace``; the ledger is checked at the
    end of each day and of the log (every posting keeps it whole; the check, a sum over the
    accounts, proves it once a day instead of once an event: 4 % of a replay's time). With
    ``entitlement``, the bonuses due under the published rules are counted: each member as
    they first appear, each order once applied, each day's end, the log's end.
    ``progress`` is told of every 4,096 events read.

    A rule the log breaks (selling more than held, a sponsor who never joined, ...) is bad
    input: an InputError at its line.
    """
    appearances = records.members

    def sponsor(member: str) -> str | None:
        return appearances[member].sponsor

    handle = {
        "join": records.join,
        "withdraw": records.withdraw,
        "bonus": records.bonus,
        "fee": records.fee,
    }
    last = None
    read = 0
    for event in events:
        read += 1
        if progress is not None and not read % 4096:
            progress(4096)
        if last is not None and event.day > last:
            book.ledger.check()
            records.queue.day_passed(last, event.day)
        last = event.day
        known = len(appearances)
        if entitlement is not None and (far := entitlement.beyond(event.day)) is not None:
            raise InputError(far, file=records.source, line=event.line, key="day")
        if event.action in handle:
            handle[event.action](event)
            if entitlement is not None and len(appearances) > known:
                entitlement.appear(event.day, event.member, sponsor(event.member))
            if trace is not None:
                trace.record(event, book.pool, book.points, book.price)
            continue
        records.appear(event)
        if entitlement is not None and len(appearances) > known:
            entitlement.appear(event.day, event.member, None)
        try:
            if event.action == "buy":
                applied = book.buy(event.member, event.amount)
            else:
                applied = book.sell(event.member, event.amount)
        except Refused as refusal:
            raise InputError(str(refusal), file=records.source, line=event.line) from None
        records.applied(event.day, applied)
        if entitlement is not None and event.action == "buy":
            entitlement.order(event.day, event.member, event.amount, sponsor)
        if trace is not None:
            for one in applied:
                trace.applied(event, one)
    book.ledger.check()
    if progress is not None:
        progress(read % 4096)
    if last is not None:
        records.queue.day_passed(last, None)
    if entitlement is not None:
        entitlement.close(last)


def ledger_rows(book: Book) -> list[dict]:
    """One row per ledger account."""
    return [
        {
            "account": a.name,
            "kind": a.kind,
            "balance": fen_to_yuan(a.balance),
            "total_in": fen_to_yuan(a.total_in),
            "total_out": fen_to_yuan(a.total_out),
        }
        for a in book.ledger.accounts.values()
    ]


def replay_file(
    events_path: str | Path,
    mechanics: Mechanics,
    out: str | Path,
    formats: tuple[str, ...] = ("parquet",),
    progress: bool = False,
    bonus_line: str = "distribution",
    entitlement: Entitlement | None = None,
    wait_days: int = 1,
    judge: Callable[[list, Records, np.ndarray], dict[str, pa.Table]] | None = None,
    scenario_name: str | None = None,
    compiled: bool = True,
) -> tuple[Book, ReplaySummary]:
    """Replay ``events_path`` and write the tables into ``out`` (all or nothing); bonus
    rows are paid from the split's ``bonus_line``. With ``entitlement`` (the published
    rule), ``bonus_check`` compares what the records paid with what it makes due; a
    withdrawal request unpaid for ``wait_days`` days makes the platform insolvent. ``judge``
    (from a higher wing: the red flags) makes more tables of the members, the records and
    the first day each sponsor link carried pay. With ``compiled`` the log is applied a chunk
    at a time through the compiled kernel (:mod:`sim.replay.compiled_apply`: the same
    files), else, or if that path declines the log, row by row through the reference book,
    which names a bad row."""
    replay = partial(
        _replay,
        events_path,
        mechanics,
        out,
        formats,
        progress,
        bonus_line,
        entitlement,
        wait_days,
        judge,
        scenario_name,
    )
    with _without_cycle_collection():
        if compiled:
            as_given = deepcopy(entitlement)  # a declined log starts the rules again
            try:
                return replay(compiled=True)
            except Declined:
                if entitlement is not None:
                    vars(entitlement).update(vars(as_given))
        return replay(compiled=False)


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector off: a replay makes tens of millions of short-lived rows and
    no cycles (reference counting frees them), and the collector's passes over the members'
    records took a fifth of its time."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _replay(
    events_path,
    mechanics,
    out,
    formats,
    progress,
    bonus_line,
    entitlement,
    wait_days,
    judge,
    scenario_name,
    compiled: bool,
) -> tuple[Book, ReplaySummary]:
    """:func:`replay_file` through one of the two paths."""
    events_path = Path(events_path)
    out = check_out_dir(out)
    book = CompiledBook(mechanics) if compiled else Book(mechanics)
    records = Records(book, bonus_line, events_path, queue=RequestQueue(wait_days))
    summary = ReplaySummary(records=records, entitlement=entitlement)
    summary.about = {"log": events_path.name, "scenario": scenario_name}
    events = read_events(events_path, mechanics.unit)
    bar = tqdm(
        total=count_rows(events_path),
        unit="event",
        desc="replay",
        disable=None if progress else True,
        leave=False,
    )
    with staged(out) as stage, bar:
        trace = Trace(stage / "trace.parquet", mechanics.unit)
        try:
            if compiled:
                apply_compiled(book, events, records, trace, bar.update, entitlement=entitlement)
                book = records.book = replayed_book(book, records)
            else:
                apply_events(book, events, records, entitlement, trace, bar.update)
        finally:
            trace.close()
        summary.rows, summary.actions = trace.rows, trace.actions
        summary.price_low = min(summary.price_low, trace.price_low)
        summary.price_high = max(summary.price_high, trace.price_high)
        figures = summary.figures = member_figures(book, records)
        write_arrow(stage / "members.parquet", member_table(figures, book.price, mechanics.unit))
        write_table(stage / "clawback.parquet", CLAWBACK_SCHEMA, clawback_rows(figures))
        links = link_days(figures, records)
        summary.teams = team_rows(figures, links)
        write_table(stage / "teams.parquet", TEAMS_SCHEMA, summary.teams)
        write_table(stage / "ledger.parquet", LEDGER_SCHEMA, ledger_rows(book))
        names = ["trace", "members", "ledger", "clawback", "teams"]
        if judge is not None:
            summary.judged = judge(figures, records, links)
            for name, table in summary.judged.items():
                write_arrow(stage / f"{name}.parquet", table)
                names.append(name)
        write_json(stage / "summary.json", summary_json(book, summary))
        if entitlement is not None:
            paid = entitlement.checked(records.bonuses)
            rows = check_rows(paid, entitlement.due, list(records.members))
            write_table(stage / "bonus_check.parquet", CHECK_SCHEMA, rows)
            names.append("bonus_check")
        if "csv" in formats:
            for name in names:
                parquet_to_csv(stage / f"{name}.parquet", stage / f"{name}.csv")
        summary.files = sorted(p.name for p in stage.iterdir())
    return book, summary
