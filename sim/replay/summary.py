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
from sim.i18n import gettext, money
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


def describe(
    book: Book, summary: ReplaySummary, source: tuple[object, str], lang: str = "en"
) -> str:
    """A short human summary of a replay of ``source`` (the log, the scenario's name), in
    ``lang`` (:mod:`sim.i18n`)."""
    _ = gettext(lang)
    title = _("Replayed {log} under scenario '{scenario}'").format(
        log=source[0], scenario=source[1]
    )

    def yuan(fen: int) -> str:
        return money(fen_to_yuan(fen), lang)

    unit = book.mechanics.unit
    bought = [m for m in book.members.values() if m.entries > 0]
    statuses = Counter(m.status for m in bought)
    in_profit = sum(1 for m in bought if m.cash > m.spent)
    ledger = book.ledger
    accounts = "  ".join(f"{a.name} {yuan(a.balance)}" for a in ledger.accounts.values())
    acts = summary.actions
    records = summary.records
    everyone = len(records.members) if records is not None else len(book.members)
    lines = [
        title,
        _("  events   {rows} rows: {orders} orders, {sales} sales, {forced} forced exits").format(
            rows=f"{summary.rows:,}",
            orders=f"{acts['buy']:,}",
            sales=f"{acts['sell']:,}",
            forced=f"{acts['forced_exit']:,}",
        ),
        _(
            "  members  {everyone}: {active} active, {sold} sold out, {exited} exited, {never} "
            "never bought; {profit} were paid more by their sales than they spent on orders"
        ).format(
            everyone=f"{everyone:,}",
            active=f"{statuses['active']:,}",
            sold=f"{statuses['sold_out']:,}",
            exited=f"{statuses['exited']:,}",
            never=f"{everyone - len(bought):,}",
            profit=f"{in_profit:,}",
        ),
    ]
    if records is not None and (acts["join"] or acts["bonus"] or acts["withdraw"] or acts["fee"]):
        roots = sum(1 for seen in records.members.values() if seen.sponsor is None)
        lines.append(
            _(
                "  records  {joins} joins ({roots} members with no sponsor); bonuses {bonuses} "
                "yuan ({beyond} beyond the '{line}' line); withdrawn {withdrawn} yuan, asked for "
                "and not paid {queued}; fees {fees} yuan"
            ).format(
                joins=f"{acts['join']:,}",
                roots=f"{roots:,}",
                bonuses=yuan(sum(records.bonuses.values())),
                beyond=yuan(records.unfunded),
                line=records.bonus_line,
                withdrawn=yuan(sum(m.withdrawn for m in book.members.values())),
                queued=yuan(records.queue.queued),
                fees=yuan(sum(records.fees.values())),
            )
        )
    if summary.figures:
        count = outcome_counts(summary.figures)
        lines.append(
            _(
                "  outcome  {winners} net winners withdrew {clawback} yuan more than they paid "
                "in (the clawback pool), {losers} net losers are {losses} yuan short, {even} "
                "even (net investment: paid in less withdrawn)"
            ).format(
                winners=f"{count['net_winner']:,}",
                clawback=yuan(count["clawback_pool"]),
                losers=f"{count['net_loser']:,}",
                losses=yuan(count["net_losses"]),
                even=f"{count['even']:,}",
            )
        )
    if summary.teams:
        lines.append(_teams_line(summary.teams, _))
    if records is not None and acts["withdraw"]:
        queue = records.queue
        if queue.insolvent_day is not None:
            when = _(
                "insolvent on day {day}: a request had waited {wait} day(s) unpaid, {waiting} "
                "yuan were waiting"
            ).format(day=queue.insolvent_day, wait=queue.wait_days, waiting=yuan(queue.queued_then))
        else:
            when = _("no request waited {wait} day(s) unpaid").format(wait=queue.wait_days)
        lines.append(
            _(
                "  cash     {when}; owed to members at the end {owed} yuan credited ({queued} "
                "asked for and unpaid)"
            ).format(
                when=when, owed=yuan(book.ledger.balance(MEMBER_CASH)), queued=yuan(queue.queued)
            )
        )
    if "flags" in summary.judged:
        lines.append(_flags_line(summary.judged["flags"].to_pylist(), _))
    if summary.entitlement is not None:
        lines.append(_check_line(summary.entitlement, records, yuan, _))
    lines += [
        _(
            "  book     pool {pool} yuan, points {points}, price {price} (low {low}, high {high})"
        ).format(
            pool=yuan(book.pool),
            points=f"{units_to_points(book.points, unit):,.2f}",
            price=f"{price_to_yuan(book.price, unit):.4f}",
            low=f"{summary.price_low:.4f}",
            high=f"{summary.price_high:.4f}",
        ),
        _("  ledger   {entered} yuan entered, all of it in: {accounts}").format(
            entered=yuan(ledger.entered), accounts=accounts
        ),
    ]
    return "\n".join(lines)


def _check_line(entitlement: Entitlement, records, yuan, _) -> str:
    """Rules against records, one line: the totals, the finding, the kinds not checked."""
    found = findings(entitlement.checked(records.bonuses), entitlement.due)
    line = _(
        "  rules    records paid {paid} yuan of bonuses, the published rules make {due} due"
    ).format(paid=yuan(found["paid"]), due=yuan(found["due"]))
    if found["over"] or found["short"]:
        line += _(
            "; FINDING: {over_members} members paid {over} more than the rules allow, "
            "{short_members} paid {short} less"
        ).format(
            over_members=f"{found['members_over']:,}",
            over=yuan(found["over"]),
            short_members=f"{found['members_short']:,}",
            short=yuan(found["short"]),
        )
    else:
        line += _("; every member was paid exactly what the rules make due")
    unchecked = entitlement.unchecked_paid(records.bonuses)
    if unchecked:
        shown = ", ".join(f"{kind} {yuan(fen)}" for kind, fen in unchecked.items())
        line += _(
            "; not checked (the log names no region, service point or shop per order): "
            "records of kind {shown} yuan"
        ).format(shown=shown)
    return line


def _teams_line(teams: list[dict], _) -> str:
    """The recruiters, the largest team and how many teams reach the filing thresholds
    (participants and levels counting the head, as the 2013 opinion counts them)."""
    largest = max(teams, key=lambda t: (t["participants_below"], t["levels_all_links"]))
    every, paid = (_at_threshold(teams, f"levels_{links}_links") for links in ("all", "paid"))
    return _(
        "  teams    {recruiters} members recruited; the largest team is {head}'s, {below} below "
        "over {levels} levels ({paid_levels} over paid links); {every} teams reach {people} "
        "people and {thresholds} levels over all links, {paid} over paid links"
    ).format(
        recruiters=f"{len(teams):,}",
        head=largest["member"],
        below=f"{largest['participants_below']:,}",
        levels=largest["levels_all_links"],
        paid_levels=largest["levels_paid_links"],
        every=f"{every:,}",
        people=PYRAMID_PARTICIPANTS,
        thresholds=PYRAMID_LEVELS,
        paid=f"{paid:,}",
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


def _flags_line(flags: list[dict], _) -> str:
    """The flags raised at the end, each with the first day it was raised."""
    raised = [f for f in flags if f["raised"]]
    if not raised:
        return _("  flags    none of the red flags is raised at the end of the log")
    shown = _(", ").join(
        _("{key} ({reading}) from day {day}").format(
            key=_(f["key"]), reading=_(f["reading"]), day=f["first_day"]
        )
        for f in raised
    )
    return _("  flags    raised: {shown}").format(shown=shown)
