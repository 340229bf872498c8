"""The report of a replayed platform (a ``python -m sim replay`` output folder): the forensic
tables, the red flags with their dates and the insolvency day, with figures, harm first.

A replay folder holds ``trace``, ``members``, ``ledger``, ``clawback``, ``teams``, ``flags``
(and with a published rule ``bonus_check``) as Parquet, and ``summary.json``; every number
here is read from them (yuan, as the replay wrote them), none recomputed. In English or
Chinese (``report --lang zh``, :mod:`sim.i18n`): every sentence, heading, caption, table
header and figure label, money in 元/万元/亿元, the flags explained in the statutes' terms
(``flags.parquet``'s ``explanation_zh``), the figures drawn in Noto Sans CJK SC; ids, ledger
accounts without a Chinese name and the numbers in the tables are the same in both.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.analysis.flag import flag_and_reading, statute_text
from sim.errors import InputError
from sim.i18n import N_, gettext, money, named
from sim.report.figures import COLORS, WIDTH, _figure, data_uri
from sim.report.fonts import drawing
from sim.report.sections import ReportSection

TABLES = ("trace", "members", "ledger", "clawback", "teams", "flags")
SHOWN = 20  # rows of the long tables shown (the Parquet files hold them all)
# the trace (a row per event: millions) is read for the timeline's columns only
_READ = {"trace": ["day", "action", "amount", "cash_delta", "pool", "price"]}


def is_replay_folder(folder: str | Path) -> bool:
    folder = Path(folder)
    return (folder / "trace.parquet").is_file() and not (folder / "manifest.json").exists()


def load_replay(folder: str | Path) -> tuple[dict[str, pd.DataFrame], dict]:
    """The replay's tables and summary, checked: one line of InputError if one is missing or
    unreadable (a folder written by an older version lacks the forensic tables)."""
    folder = Path(folder)
    tables = {}
    for name in (*TABLES, "bonus_check"):
        path = folder / f"{name}.parquet"
        if not path.is_file():
            if name == "bonus_check":
                continue
            raise InputError(
                f"is not a complete replay folder: {name}.parquet is missing (replay the log "
                "again with this version)",
                file=folder,
            )
        try:
            tables[name] = pq.read_table(path, columns=_READ.get(name)).to_pandas()
        except (pa.ArrowInvalid, OSError) as error:
            raise InputError(f"{name}.parquet is unreadable: {error}", file=folder) from None
    try:
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        if "outcomes" not in summary or "insolvency" not in summary:
            raise KeyError("outcomes")
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise InputError(f"summary.json is not a replay's summary ({error})", file=folder) from None
    return tables, summary


def _days(trace: pd.DataFrame) -> pd.DataFrame:
    """Per day of the log: the price and pool at its end, money paid in and withdrawn so far."""
    paid_in = trace["amount"].where(trace["action"].isin(["buy", "fee"]), 0.0).fillna(0.0)
    withdrawn = -trace["cash_delta"].where(trace["action"] == "withdraw", 0.0)
    frame = pd.DataFrame(
        {"day": trace["day"], "price": trace["price"], "pool": trace["pool"]}
    ).assign(paid_in=paid_in, withdrawn=withdrawn)
    days = frame.groupby("day").agg(
        price=("price", "last"),
        pool=("pool", "last"),
        paid_in=("paid_in", "sum"),
        withdrawn=("withdrawn", "sum"),
    )
    days[["paid_in", "withdrawn"]] = days[["paid_in", "withdrawn"]].cumsum()
    return days.reset_index()


def timeline_figure(days: pd.DataFrame, marks: list[tuple[int, str]], lang: str = "en") -> str:
    """Price, pool, and money in against money out, day by day, with the dated findings."""
    _ = gettext(lang)
    figure = _figure(WIDTH, 6.4)
    axes = figure.subplots(3, 1, sharex=True)
    axes[0].plot(days["day"], days["price"], color=COLORS[0], lw=1.4)
    axes[0].set_ylabel(_("price (yuan/point)"), fontsize=8)
    axes[1].plot(days["day"], days["pool"], color=COLORS[2], lw=1.4)
    axes[1].set_ylabel(_("pool (yuan)"), fontsize=8)
    axes[2].plot(days["day"], days["paid_in"], color=COLORS[3], lw=1.4, label=_("paid in"))
    axes[2].plot(days["day"], days["withdrawn"], color=COLORS[1], lw=1.4, label=_("withdrawn"))
    axes[2].set_ylabel(_("yuan, to date"), fontsize=8)
    axes[2].legend(fontsize=8, loc="upper left")
    for number, (day, _what) in enumerate(marks):
        for axis in axes:
            axis.axvline(day, color=COLORS[(number + 4) % 10], lw=1, ls="--")
        axes[0].annotate(
            str(number + 1),
            (day, 1),
            xycoords=("data", "axes fraction"),
            fontsize=8,
            ha="left",
            va="top",
            color=COLORS[(number + 4) % 10],
        )
    for axis in axes:
        axis.tick_params(labelsize=8)
        axis.grid(alpha=0.3)
    axes[-1].set_xlabel(_("day of the log"))
    figure.tight_layout()
    return data_uri(figure)


def outcome_figure(members: pd.DataFrame, lang: str = "en") -> str:
    """Every member's net investment, largest loss first: losers above the line, winners
    below it."""
    _ = gettext(lang)
    values = np.sort(members["net_investment"].to_numpy(float))[::-1]
    figure = _figure(WIDTH, 3.2)
    axis = figure.subplots()
    ranks = np.arange(1, len(values) + 1)
    axis.fill_between(ranks, values, 0, where=values > 0, color=COLORS[3], alpha=0.6, step="mid")
    axis.fill_between(ranks, values, 0, where=values < 0, color=COLORS[2], alpha=0.8, step="mid")
    axis.axhline(0, color="#333", lw=0.8)
    axis.set_xlabel(_("members, largest net loss first"), fontsize=8)
    axis.set_ylabel(_("net investment (yuan)"), fontsize=8)
    axis.set_yscale("symlog", linthresh=100)
    axis.tick_params(labelsize=8)
    axis.grid(alpha=0.3)
    figure.tight_layout()
    return data_uri(figure)


# the tables' columns by their names (marked for the catalogue) and the words in their cells
COLUMN_NAMES = {
    "rank": N_("rank"),
    "member": N_("member"),
    "sponsor": N_("sponsor"),
    "paid_in": N_("paid_in"),
    "paid_out": N_("paid_out"),
    "net_winnings": N_("net_winnings"),
    "share_of_pool": N_("share_of_pool"),
    "cumulative_share": N_("cumulative_share"),
    "net_investment": N_("net_investment"),
    "cash_balance": N_("cash_balance"),
    "value_held": N_("value_held"),
    "outcome": N_("outcome"),
    "recruits": N_("recruits"),
    "participants_below": N_("participants_below"),
    "levels_all_links": N_("levels_all_links"),
    "levels_paid_links": N_("levels_paid_links"),
    "team_paid_in": N_("team_paid_in"),
    "own_paid_in": N_("own_paid_in"),
    "own_bonuses": N_("own_bonuses"),
    "own_net_investment": N_("own_net_investment"),
    "account": N_("account"),
    "kind": N_("kind"),
    "balance": N_("balance"),
    "total_in": N_("total_in"),
    "total_out": N_("total_out"),
    "key": N_("red flag"),
    "reading": N_("reading"),
    "raised": N_("raised"),
    "first_day": N_("first_day"),
    "law": N_("statute"),
    "explanation_zh": N_("what was measured"),
    "paid": N_("paid"),
    "due": N_("due"),
    "difference": N_("difference"),
}
WORDS = {  # values in the tables: outcomes, ledger accounts and their kinds, bonus kinds
    "net_winner": N_("net_winner"),
    "net_loser": N_("net_loser"),
    "even": N_("even"),
    "none": N_("none"),
    "product_cost": N_("product_cost"),
    "distribution": N_("distribution"),
    "platform": N_("platform account"),
    "pool": N_("pool"),
    "member_cash": N_("member_cash"),
    "withdrawn": N_("withdrawn"),
    "region_fees": N_("region_fees"),
    "service_point_fees": N_("service_point_fees"),
    "membership_fees": N_("membership_fees"),
    "unfunded_bonuses": N_("unfunded_bonuses"),
    "split": N_("split"),
    "members": N_("members"),
    "out": N_("out"),
    "operator": N_("operator"),
    "source": N_("source"),
    "direct": N_("direct"),
    "indirect": N_("indirect"),
    "differential": N_("differential"),
}
_FLAG_WORDS = ("key", "reading")  # columns whose values are flag keys and readings


def _rows(frame: pd.DataFrame, lang: str) -> list[dict]:
    """A table's rows: in English as in the file; in another language each column under its
    name (which the renderer says in that language, :func:`sim.report.render.header`; a yes
    or no it says too) and each flag, reading, statute, outcome, account or kind by its name
    in that language (ids and numbers as they are)."""
    rows = frame.to_dict("records")
    if lang == "en":
        return rows
    _ = gettext(lang)

    def cell(column: str, value):
        if column in _FLAG_WORDS:
            return _(value)
        if column == "law":
            return statute_text(value, lang)
        return named(value, WORDS, lang) if isinstance(value, str) else value

    return [{COLUMN_NAMES.get(k, k): cell(k, v) for k, v in row.items()} for row in rows]


def _money(value: float, lang: str = "en") -> str:
    return f"{value:,.2f} yuan" if lang == "en" else money(value, lang)


def replay_report(folder: str | Path, title: str | None = None, lang: str = "en"):
    """The report of one replay folder (``sim.report.build.Report``), in ``lang``."""
    from sim.report.build import Report

    _ = gettext(lang)
    tables, found = load_replay(folder)
    flags = tables["flags"]
    if lang != "en" and "explanation_zh" not in flags:
        raise InputError(
            "flags.parquet has no explanation_zh (an older version wrote it): replay the log "
            "again for the report in Chinese",
            file=folder,
        )
    outcomes, insolvency = found["outcomes"], found["insolvency"]
    owed = found["owed_to_members_at_end"]
    raised = flags[flags["raised"]]
    dated = [
        (int(row.first_day), flag_and_reading(row.key, row.reading, lang))
        for row in raised.itertuples()
        if pd.notna(row.first_day)
    ]
    if insolvency["day"] is not None:
        dated.append((int(insolvency["day"]), _("insolvent")))
    dated.sort()
    harm = [
        _(
            "{losers} of {members} members are net losers: they paid in {losses} more than "
            "they withdrew."
        ).format(
            losers=f"{outcomes['net_losers']:,}",
            members=f"{found['members']:,}",
            losses=_money(outcomes["net_losses"], lang),
        ),
        _(
            "{winners} net winners withdrew {clawback} more than they paid in: the clawback pool."
        ).format(
            winners=f"{outcomes['net_winners']:,}",
            clawback=_money(outcomes["clawback_pool"], lang),
        ),
        _(
            "At the end the platform owes its members {cash} of credited cash ({unpaid} asked "
            "for and unpaid), beside points worth {points} at the final price."
        ).format(
            cash=_money(owed["cash_credited"], lang),
            unpaid=_money(owed["of_it_asked_for_and_unpaid"], lang),
            points=_money(owed["points_value_at_final_price"], lang),
        ),
    ]
    if insolvency["day"] is not None:
        harm.append(
            _(
                "Insolvent on day {day}: a withdrawal request had waited {wait} day(s) unpaid "
                "({waiting} waiting)."
            ).format(
                day=insolvency["day"],
                wait=insolvency["request_wait_days"],
                waiting=_money(insolvency["asked_for_and_unpaid_then"], lang),
            )
        )
    law = [
        _("{flag} raised from day {day}.").format(
            flag=flag_and_reading(row.key, row.reading, lang), day=int(row.first_day)
        )
        for row in raised.itertuples()
    ] or [_("None of the red flags is raised at the end of the log.")]
    rules = found.get("rules_against_records")
    if rules is not None and rules["paid_beyond_the_rule"]:
        law.append(
            _(
                "The records paid {members} members {money} more than the platform's own "
                "published rules allow."
            ).format(
                members=f"{rules['members_paid_beyond_the_rule']:,}",
                money=_money(rules["paid_beyond_the_rule"], lang),
            )
        )
    unchecked = {k: v for k, v in (rules or {}).get("unchecked_paid", {}).items() if v}
    if unchecked:
        shown = _(", ").join(
            f"{named(kind, WORDS, lang)} {_money(yuan, lang)}" for kind, yuan in unchecked.items()
        )
        law.append(
            _(
                "Not checked against the rules (the log names no region, service point or shop "
                "per order): records of kind {shown}."
            ).format(shown=shown)
        )
    summary = [(_("Who paid"), harm), (_("The law and the platform's own rules"), law)]
    with drawing(lang):
        sections = _sections(tables, found, dated, lang)
    log = found.get("log", Path(folder).name)
    return Report(
        title or _("Replay of a platform's records: {log}").format(log=log),
        summary,
        [],
        sections,
        [
            _(
                "Every number comes from the platform's own records as replayed ({log}, {rows} "
                "rows), under the rules of scenario '{scenario}'. The flags say where the "
                "records stand against the thresholds the law sets; they do not decide any case."
            ).format(
                log=found.get("log", _("the log")),
                rows=f"{found['events']['rows']:,}",
                scenario=found.get("scenario"),
            )
        ],
        source=_("Every number comes from the replayed records"),
        all_tables_in_markdown=True,
    )


def _sections(
    tables: dict, found: dict, dated: list[tuple[int, str]], lang: str
) -> list[ReportSection]:
    _ = gettext(lang)
    members, teams, flags = tables["members"], tables["teams"], tables["flags"]
    marks = _("; ").join(
        _("{number}: {what}, day {day}").format(number=i + 1, what=what, day=day)
        for i, (day, what) in enumerate(dated)
    )
    timeline = ReportSection(
        _("The platform day by day"),
        [
            _("The dashed lines mark the dated findings: {marks}.").format(marks=marks)
            if dated
            else _("No finding is dated.")
        ],
        [
            (
                timeline_figure(_days(tables["trace"]), dated, lang),
                _("Price, pool, and money paid in against money withdrawn, day by day"),
            )
        ],
    )
    ledger = ReportSection(
        _("Where the money is"),
        [
            _("{entered} entered; every fen is in one account.").format(
                entered=_money(found["ledger_entered"], lang)
            )
        ],
        tables=[(_("The ledger at the end (yuan)"), _rows(tables["ledger"], lang))],
    )
    columns = [
        "member",
        "sponsor",
        "paid_in",
        "paid_out",
        "net_investment",
        "cash_balance",
        "value_held",
        "outcome",
    ]
    losers = members.sort_values("net_investment", ascending=False, kind="stable").head(SHOWN)
    outcome = ReportSection(
        _("Who won and who lost (net investment: paid in less withdrawn)"),
        [
            _("{winners} net winners, {losers} net losers; the clawback pool is {pool}.").format(
                winners=f"{found['outcomes']['net_winners']:,}",
                losers=f"{found['outcomes']['net_losers']:,}",
                pool=_money(found["outcomes"]["clawback_pool"], lang),
            )
        ],
        [(outcome_figure(members, lang), _("Each member's net investment, largest loss first"))],
        [
            (
                _("The net winners (the clawback pool), largest first (at most {shown})").format(
                    shown=SHOWN
                ),
                _rows(tables["clawback"].head(SHOWN), lang),
            ),
            (
                _("The largest net losers (at most {shown})").format(shown=SHOWN),
                _rows(losers[columns], lang),
            ),
        ],
    )
    team = ReportSection(
        _("Teams"),
        [
            _(
                "Levels count the head's own; paid links are those a bonus in the records was "
                "paid along."
            )
        ],
        tables=[
            (
                _("The largest teams (at most {shown})").format(shown=SHOWN),
                _rows(
                    teams.sort_values("participants_below", ascending=False, kind="stable").head(
                        SHOWN
                    ),
                    lang,
                ),
            )
        ],
    )
    said = ["key", "reading", "raised", "first_day", "threshold", "explanation"]
    if lang != "en":  # the statute's own words and the measurement explained in Chinese
        said = ["key", "reading", "raised", "first_day", "law", "explanation_zh"]
    law = ReportSection(
        _("Legal red flags, with the first day each was raised"),
        [_("A flag's first day is the first day on which it holds for the log up to that day.")],
        tables=[(_("The red flags on the platform's real tree"), _rows(flags[said], lang))],
    )
    sections = [timeline, outcome, team, law, ledger]
    check = tables.get("bonus_check")
    if check is not None:
        differ = check[check["difference"] != 0]
        sections.append(
            ReportSection(
                _("Rules against records"),
                [
                    _(
                        "{differ} of {rows} member-and-kind rows differ from what the published "
                        "rules make due."
                    ).format(differ=f"{len(differ):,}", rows=f"{len(check):,}")
                ],
                tables=[
                    (
                        _("Where the records and the rule differ (at most {shown})").format(
                            shown=SHOWN
                        ),
                        _rows(differ.head(SHOWN), lang),
                    )
                ],
            )
        )
    return sections
