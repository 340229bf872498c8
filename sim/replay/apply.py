"""Replay a real event log through the reference book: the auditor's line-by-line trace.

``python -m sim replay EVENTS --scenario S.yaml --out DIR`` applies each row in file order:
buys and sales through :class:`~sim.core.book.Book` (the same rules every other part uses)
with the forced exits the rules trigger, joins, bonuses, withdrawals and fees through
:class:`~sim.replay.records.Records`; it checks the ledger after every row and writes
``trace``, ``members`` and ``ledger`` tables (see the README for every column).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
from tqdm import tqdm

from sim.core.book import Applied, Book, Refused
from sim.core.law import PYRAMID_LEVELS, PYRAMID_PARTICIPANTS
from sim.core.mechanics import Mechanics
from sim.core.units import fen_to_yuan, price_to_yuan, units_to_points
from sim.errors import InputError
from sim.outputs import TableWriter, check_out_dir, parquet_to_csv, staged, write_table
from sim.replay.entitlement import CHECK_SCHEMA, Entitlement, check_rows, findings
from sim.replay.eventlog import Event, count_rows, read_events
from sim.replay.forensics import (
    CLAWBACK_SCHEMA,
    MEMBERS_SCHEMA,
    MemberFigures,
    clawback_rows,
    member_figures,
    member_rows,
    outcome_counts,
)
from sim.replay.records import Records
from sim.replay.teams import TEAMS_SCHEMA, team_rows

TRACE_SCHEMA = pa.schema(
    [
        ("seq", pa.int64()),
        ("day", pa.int64()),
        ("member", pa.string()),
        ("action", pa.string()),
        ("amount", pa.float64()),
        ("points_delta", pa.float64()),
        ("cash_delta", pa.float64()),
        ("pool", pa.float64()),
        ("points", pa.float64()),
        ("price", pa.float64()),
        ("source_line", pa.int64()),
        ("kind", pa.string()),
        ("other_member", pa.string()),
    ]
)
LEDGER_SCHEMA = pa.schema(
    [
        ("account", pa.string()),
        ("kind", pa.string()),
        ("balance", pa.float64()),
        ("total_in", pa.float64()),
        ("total_out", pa.float64()),
    ]
)


@dataclass
class ReplaySummary:
    """Key figures of a replay, for the printed summary and for tests."""

    rows: int = 0
    actions: Counter = field(default_factory=Counter)
    price_low: float = float("inf")
    price_high: float = 0.0
    files: list[str] = field(default_factory=list)
    records: Records | None = None
    entitlement: Entitlement | None = None
    figures: list[MemberFigures] = field(default_factory=list)
    teams: list[dict] = field(default_factory=list)


def trace_row(seq: int, event: Event, applied: Applied, unit: int) -> dict:
    """One output row for one applied event (money in yuan, points in points)."""
    if applied.action == "buy":
        amount = fen_to_yuan(applied.amount)
    else:
        amount = units_to_points(applied.amount, unit)
    return {
        "seq": seq,
        "day": event.day,
        "member": str(applied.member),
        "action": applied.action,
        "amount": amount,
        "points_delta": units_to_points(applied.points_delta, unit),
        "cash_delta": fen_to_yuan(applied.cash_delta),
        "pool": fen_to_yuan(applied.pool),
        "points": units_to_points(applied.points, unit),
        "price": price_to_yuan(applied.price, unit),
        "source_line": event.line,
        "kind": None,
        "other_member": None,
    }


def record_row(seq: int, event: Event, book: Book) -> dict:
    """One output row for a join, bonus, withdrawal or fee: no points move; ``cash_delta`` is
    the change of the member's cash balance (a bonus adds, a paid withdrawal takes)."""
    amount = None if event.amount is None else fen_to_yuan(event.amount)
    cash = 0
    if event.action == "bonus":
        cash = event.amount
    elif event.action == "withdraw" and event.kind == "paid":
        cash = -event.amount
    return {
        "seq": seq,
        "day": event.day,
        "member": event.member,
        "action": event.action,
        "amount": amount,
        "points_delta": 0.0,
        "cash_delta": fen_to_yuan(cash),
        "pool": fen_to_yuan(book.pool),
        "points": units_to_points(book.points, book.mechanics.unit),
        "price": price_to_yuan(book.price, book.mechanics.unit),
        "source_line": event.line,
        "kind": event.kind,
        "other_member": event.other,
    }


def apply_events(
    book: Book, events: Iterable[Event], records: Records, entitlement: Entitlement | None = None
) -> Iterator[dict]:
    """Apply events in order and yield trace rows; the ledger is checked after each event.
    With ``entitlement``, each order's bonuses due under the published rule are counted.

    A rule the log breaks (selling more than held, a sponsor who never joined, ...) is bad
    input: an InputError at its line.
    """
    appearances = records.members

    def sponsor(member: str) -> str | None:
        return appearances[member].sponsor

    seq = 0
    handle = {
        "join": records.join,
        "withdraw": records.withdraw,
        "bonus": records.bonus,
        "fee": records.fee,
    }
    for event in events:
        if event.action in handle:
            handle[event.action](event)
            book.ledger.check()
            seq += 1
            yield record_row(seq, event, book)
            continue
        records.appear(event)
        try:
            if event.action == "buy":
                applied = book.buy(event.member, event.amount)
            else:
                applied = book.sell(event.member, event.amount)
        except Refused as refusal:
            raise InputError(str(refusal), file=records.source, line=event.line) from None
        book.ledger.check()
        if entitlement is not None and event.action == "buy":
            entitlement.order(event.member, event.amount, sponsor)
        for one in applied:
            seq += 1
            yield trace_row(seq, event, one, book.mechanics.unit)


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
) -> tuple[Book, ReplaySummary]:
    """Replay ``events_path`` and write the tables into ``out`` (all or nothing); bonus
    rows are paid from the split's ``bonus_line``. With ``entitlement`` (the published
    rule), ``bonus_check`` compares what the records paid with what it makes due."""
    events_path = Path(events_path)
    out = check_out_dir(out)
    book = Book(mechanics)
    records = Records(book, bonus_line, events_path)
    summary = ReplaySummary(records=records, entitlement=entitlement)
    events = read_events(events_path, mechanics.unit)
    bar = tqdm(
        total=count_rows(events_path),
        unit="event",
        desc="replay",
        disable=None if progress else True,
        leave=False,
    )
    with staged(out) as stage, bar:
        trace = TableWriter(stage / "trace.parquet", TRACE_SCHEMA)
        try:
            last_line = 0
            for row in apply_events(book, events, records, entitlement):
                trace.append(row)
                summary.actions[row["action"]] += 1
                summary.price_low = min(summary.price_low, row["price"])
                summary.price_high = max(summary.price_high, row["price"])
                if row["source_line"] != last_line:
                    bar.update(1)
                    last_line = row["source_line"]
        finally:
            trace.close()
        summary.rows = trace.rows
        figures = summary.figures = member_figures(book, records)
        members = member_rows(figures, book.price, mechanics.unit)
        write_table(stage / "members.parquet", MEMBERS_SCHEMA, members)
        write_table(stage / "clawback.parquet", CLAWBACK_SCHEMA, clawback_rows(figures))
        summary.teams = team_rows(figures, records)
        write_table(stage / "teams.parquet", TEAMS_SCHEMA, summary.teams)
        write_table(stage / "ledger.parquet", LEDGER_SCHEMA, ledger_rows(book))
        names = ["trace", "members", "ledger", "clawback", "teams"]
        if entitlement is not None:
            rows = check_rows(records.bonuses, entitlement.due, list(records.members))
            write_table(stage / "bonus_check.parquet", CHECK_SCHEMA, rows)
            names.append("bonus_check")
        if "csv" in formats:
            for name in names:
                parquet_to_csv(stage / f"{name}.parquet", stage / f"{name}.csv")
        summary.files = sorted(p.name for p in stage.iterdir())
    return book, summary


def describe(book: Book, summary: ReplaySummary, title: str) -> str:
    """A short human summary of a replay."""
    unit = book.mechanics.unit
    bought = [m for m in book.members.values() if m.entries > 0]
    statuses = Counter(m.status for m in bought)
    in_profit = sum(1 for m in bought if m.cash > m.spent)
    ledger = book.ledger
    accounts = "  ".join(
        f"{a.name} {fen_to_yuan(a.balance):,.2f}" for a in ledger.accounts.values()
    )
    acts = summary.actions
    records = summary.records
    everyone = len(records.members) if records is not None else len(book.members)
    lines = [
        title,
        f"  events   {summary.rows:,} rows: {acts['buy']:,} orders, {acts['sell']:,} sales, "
        f"{acts['forced_exit']:,} forced exits",
        f"  members  {everyone:,}: {statuses['active']:,} active, "
        f"{statuses['sold_out']:,} sold out, {statuses['exited']:,} exited, "
        f"{everyone - len(bought):,} never bought; "
        f"{in_profit:,} got back more cash than they spent",
    ]
    if records is not None and (acts["join"] or acts["bonus"] or acts["withdraw"] or acts["fee"]):
        roots = sum(1 for seen in records.members.values() if seen.sponsor is None)
        lines.append(
            f"  records  {acts['join']:,} joins ({roots:,} members with no sponsor); "
            f"bonuses {fen_to_yuan(sum(records.bonuses.values())):,.2f} yuan "
            f"({fen_to_yuan(records.unfunded):,.2f} beyond the '{records.bonus_line}' line); "
            f"withdrawn {fen_to_yuan(sum(m.withdrawn for m in book.members.values())):,.2f} "
            f"yuan, asked for and not paid {fen_to_yuan(sum(records.requested.values())):,.2f}; "
            f"fees {fen_to_yuan(sum(records.fees.values())):,.2f} yuan"
        )
    if summary.figures:
        count = outcome_counts(summary.figures)
        lines.append(
            f"  outcome  {count['net_winner']:,} net winners withdrew "
            f"{fen_to_yuan(count['clawback_pool']):,.2f} yuan more than they paid in (the "
            f"clawback pool), {count['net_loser']:,} net losers are "
            f"{fen_to_yuan(count['net_losses']):,.2f} yuan short, {count['even']:,} even "
            "(net investment: paid in less withdrawn)"
        )
    if summary.teams:
        lines.append(_teams_line(summary.teams))
    if summary.entitlement is not None:
        lines.append(_check_line(findings(records.bonuses, summary.entitlement.due)))
    lines += [
        f"  book     pool {fen_to_yuan(book.pool):,.2f} yuan, "
        f"points {units_to_points(book.points, unit):,.2f}, "
        f"price {price_to_yuan(book.price, unit):.4f} "
        f"(low {summary.price_low:.4f}, high {summary.price_high:.4f})",
        f"  ledger   {fen_to_yuan(ledger.entered):,.2f} yuan entered, all of it in: {accounts}",
    ]
    return "\n".join(lines)


def _check_line(found: dict[str, int]) -> str:
    """Rules against records, one line: the totals and the finding."""
    line = (
        f"  rules    records paid {fen_to_yuan(found['paid']):,.2f} yuan of bonuses, the "
        f"published rule makes {fen_to_yuan(found['due']):,.2f} due"
    )
    if found["over"] or found["short"]:
        return line + (
            f"; FINDING: {found['members_over']:,} members paid "
            f"{fen_to_yuan(found['over']):,.2f} more than the rule allows, "
            f"{found['members_short']:,} paid {fen_to_yuan(found['short']):,.2f} less"
        )
    return line + "; every member was paid exactly what the rule makes due"


def _teams_line(teams: list[dict]) -> str:
    """The recruiters, the largest team and how many teams reach the filing thresholds
    (participants and levels counting the head, as the 2013 opinion counts them)."""
    largest = max(teams, key=lambda t: (t["participants_below"], t["levels_all_links"]))

    def at(levels: str) -> int:
        return sum(
            1
            for t in teams
            if t["participants_below"] + 1 >= PYRAMID_PARTICIPANTS and t[levels] >= PYRAMID_LEVELS
        )

    return (
        f"  teams    {len(teams):,} members recruited; the largest team is "
        f"{largest['member']}'s, {largest['participants_below']:,} below over "
        f"{largest['levels_all_links']} levels ({largest['levels_paid_links']} over paid links); "
        f"{at('levels_all_links'):,} teams reach {PYRAMID_PARTICIPANTS} people and "
        f"{PYRAMID_LEVELS} levels over all links, {at('levels_paid_links'):,} over paid links"
    )
