"""What a replay found: the printed summary and ``summary.json`` (the figures a report or a
court reads: events, members' outcomes, the clawback pool, teams at the filing thresholds,
rules against records, the insolvency day and what the platform owes its members at the end).
Money is decided in fen in the tables' makers; yuan here, once."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sim.core import rules
from sim.core.book import Book
from sim.core.law import PYRAMID_LEVELS, PYRAMID_PARTICIPANTS
from sim.core.mechanics import MEMBER_CASH
from sim.core.units import fen_to_yuan, price_to_yuan, units_to_points
from sim.replay.entitlement import Entitlement, findings
from sim.replay.forensics import MemberFigures, outcome_counts
from sim.replay.records import Records


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
    judged: dict = field(default_factory=dict)  # name -> pa.Table made by a higher wing
    about: dict = field(default_factory=dict)  # what was replayed: the log, the scenario


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
        f"{in_profit:,} were paid more by their sales than they spent on orders",
    ]
    if records is not None and (acts["join"] or acts["bonus"] or acts["withdraw"] or acts["fee"]):
        roots = sum(1 for seen in records.members.values() if seen.sponsor is None)
        lines.append(
            f"  records  {acts['join']:,} joins ({roots:,} members with no sponsor); "
            f"bonuses {fen_to_yuan(sum(records.bonuses.values())):,.2f} yuan "
            f"({fen_to_yuan(records.unfunded):,.2f} beyond the '{records.bonus_line}' line); "
            f"withdrawn {fen_to_yuan(sum(m.withdrawn for m in book.members.values())):,.2f} "
            f"yuan, asked for and not paid {fen_to_yuan(records.queue.queued):,.2f}; "
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
    if records is not None and acts["withdraw"]:
        queue = records.queue
        owed = book.ledger.balance(MEMBER_CASH)
        when = (
            f"insolvent on day {queue.insolvent_day}: a request had waited {queue.wait_days} "
            f"day(s) unpaid, {fen_to_yuan(queue.queued_then):,.2f} yuan were waiting"
            if queue.insolvent_day is not None
            else f"no request waited {queue.wait_days} day(s) unpaid"
        )
        lines.append(
            f"  cash     {when}; owed to members at the end {fen_to_yuan(owed):,.2f} yuan "
            f"credited ({fen_to_yuan(queue.queued):,.2f} asked for and unpaid)"
        )
    if "flags" in summary.judged:
        lines.append(_flags_line(summary.judged["flags"].to_pylist()))
    if summary.entitlement is not None:
        lines.append(_check_line(summary.entitlement, records))
    lines += [
        f"  book     pool {fen_to_yuan(book.pool):,.2f} yuan, "
        f"points {units_to_points(book.points, unit):,.2f}, "
        f"price {price_to_yuan(book.price, unit):.4f} "
        f"(low {summary.price_low:.4f}, high {summary.price_high:.4f})",
        f"  ledger   {fen_to_yuan(ledger.entered):,.2f} yuan entered, all of it in: {accounts}",
    ]
    return "\n".join(lines)


def _check_line(entitlement: Entitlement, records) -> str:
    """Rules against records, one line: the totals, the finding, the kinds not checked."""
    found = findings(entitlement.checked(records.bonuses), entitlement.due)
    line = (
        f"  rules    records paid {fen_to_yuan(found['paid']):,.2f} yuan of bonuses, the "
        f"published rules make {fen_to_yuan(found['due']):,.2f} due"
    )
    if found["over"] or found["short"]:
        line += (
            f"; FINDING: {found['members_over']:,} members paid "
            f"{fen_to_yuan(found['over']):,.2f} more than the rules allow, "
            f"{found['members_short']:,} paid {fen_to_yuan(found['short']):,.2f} less"
        )
    else:
        line += "; every member was paid exactly what the rules make due"
    unchecked = entitlement.unchecked_paid(records.bonuses)
    if unchecked:
        shown = ", ".join(f"{kind} {fen_to_yuan(fen):,.2f}" for kind, fen in unchecked.items())
        line += (
            f"; not checked (the log names no region, service point or shop per order): "
            f"records of kind {shown} yuan"
        )
    return line


def _teams_line(teams: list[dict]) -> str:
    """The recruiters, the largest team and how many teams reach the filing thresholds
    (participants and levels counting the head, as the 2013 opinion counts them)."""
    largest = max(teams, key=lambda t: (t["participants_below"], t["levels_all_links"]))
    every, paid = (_at_threshold(teams, f"levels_{links}_links") for links in ("all", "paid"))
    return (
        f"  teams    {len(teams):,} members recruited; the largest team is "
        f"{largest['member']}'s, {largest['participants_below']:,} below over "
        f"{largest['levels_all_links']} levels ({largest['levels_paid_links']} over paid links); "
        f"{every:,} teams reach {PYRAMID_PARTICIPANTS} people and "
        f"{PYRAMID_LEVELS} levels over all links, {paid:,} over paid links"
    )


def _at_threshold(teams: list[dict], levels: str) -> int:
    """Teams of at least 30 people (the head counted) over at least 3 levels."""
    return sum(
        1
        for t in teams
        if t["participants_below"] + 1 >= PYRAMID_PARTICIPANTS and t[levels] >= PYRAMID_LEVELS
    )


def summary_json(book: Book, summary: ReplaySummary) -> dict:
    """The replay's findings as ``summary.json`` holds them (yuan, points)."""
    records, unit = summary.records, book.mechanics.unit
    count = outcome_counts(summary.figures)
    queue = records.queue
    held = sum(f.held for f in summary.figures)
    out = {
        **summary.about,
        "events": {
            "rows": summary.rows,
            **{k: summary.actions[k] for k in sorted(summary.actions)},
        },
        "members": len(records.members),
        "outcomes": {
            "method": "per member: paid in (orders and fees) less withdrawn",
            "net_winners": count["net_winner"],
            "net_losers": count["net_loser"],
            "even": count["even"],
            "not_involved": count["none"],
            "clawback_pool": fen_to_yuan(count["clawback_pool"]),
            "net_losses": fen_to_yuan(count["net_losses"]),
        },
        "teams": {
            "recruiters": len(summary.teams),
            "at_filing_thresholds_all_links": _at_threshold(summary.teams, "levels_all_links"),
            "at_filing_thresholds_paid_links": _at_threshold(summary.teams, "levels_paid_links"),
        },
        "insolvency": {
            "day": queue.insolvent_day,
            "request_wait_days": queue.wait_days,
            "asked_for_and_unpaid_then": fen_to_yuan(queue.queued_then),
        },
        "owed_to_members_at_end": {
            "cash_credited": fen_to_yuan(book.ledger.balance(MEMBER_CASH)),
            "of_it_asked_for_and_unpaid": fen_to_yuan(queue.queued),
            "points_held": units_to_points(held, unit),
            "points_value_at_final_price": fen_to_yuan(rules.value(held, book.price)),
        },
        "bonuses": {
            "paid_by_records": fen_to_yuan(sum(records.bonuses.values())),
            "beyond_the_bonus_line": fen_to_yuan(records.unfunded),
            "bonus_line": records.bonus_line,
        },
        "final_price": price_to_yuan(book.price, unit),
        "ledger_entered": fen_to_yuan(book.ledger.entered),
    }
    for name, table in summary.judged.items():
        out[name] = table.to_pylist()
    entitlement = summary.entitlement
    if entitlement is not None:
        found = findings(entitlement.checked(records.bonuses), entitlement.due)
        out["rules_against_records"] = {
            "paid": fen_to_yuan(found["paid"]),
            "due": fen_to_yuan(found["due"]),
            "paid_beyond_the_rule": fen_to_yuan(found["over"]),
            "members_paid_beyond_the_rule": found["members_over"],
            "due_and_not_paid": fen_to_yuan(found["short"]),
            "members_shorted": found["members_short"],
            "unchecked_paid": {
                kind: fen_to_yuan(fen)
                for kind, fen in entitlement.unchecked_paid(records.bonuses).items()
            },
        }
    return out


def _flags_line(flags: list[dict]) -> str:
    """The flags raised at the end, each with the first day it was raised."""
    raised = [f for f in flags if f["raised"]]
    if not raised:
        return "  flags    none of the red flags is raised at the end of the log"
    shown = ", ".join(f"{f['key']} ({f['reading']}) from day {f['first_day']}" for f in raised)
    return f"  flags    raised: {shown}"
