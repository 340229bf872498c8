"""The report of a replayed platform (a ``python -m sim replay`` output folder): the forensic
tables, the red flags with their dates and the insolvency day, with figures, harm first.

A replay folder holds ``trace``, ``members``, ``ledger``, ``clawback``, ``teams``, ``flags``
(and with a published rule ``bonus_check``) as Parquet, and ``summary.json``; every number
here is read from them (yuan, as the replay wrote them), none recomputed.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.errors import InputError
from sim.report.figures import COLORS, WIDTH, _figure, data_uri
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


def timeline_figure(days: pd.DataFrame, marks: list[tuple[int, str]]) -> str:
    """Price, pool, and money in against money out, day by day, with the dated findings."""
    figure = _figure(WIDTH, 6.4)
    axes = figure.subplots(3, 1, sharex=True)
    axes[0].plot(days["day"], days["price"], color=COLORS[0], lw=1.4)
    axes[0].set_ylabel("price (yuan/point)", fontsize=8)
    axes[1].plot(days["day"], days["pool"], color=COLORS[2], lw=1.4)
    axes[1].set_ylabel("pool (yuan)", fontsize=8)
    axes[2].plot(days["day"], days["paid_in"], color=COLORS[3], lw=1.4, label="paid in")
    axes[2].plot(days["day"], days["withdrawn"], color=COLORS[1], lw=1.4, label="withdrawn")
    axes[2].set_ylabel("yuan, to date", fontsize=8)
    axes[2].legend(fontsize=8, loc="upper left")
    for number, (day, _) in enumerate(marks):
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
    axes[-1].set_xlabel("day of the log")
    figure.tight_layout()
    return data_uri(figure)


def outcome_figure(members: pd.DataFrame) -> str:
    """Every member's net investment, largest loss first: losers above the line, winners
    below it."""
    values = np.sort(members["net_investment"].to_numpy(float))[::-1]
    figure = _figure(WIDTH, 3.2)
    axis = figure.subplots()
    ranks = np.arange(1, len(values) + 1)
    axis.fill_between(ranks, values, 0, where=values > 0, color=COLORS[3], alpha=0.6, step="mid")
    axis.fill_between(ranks, values, 0, where=values < 0, color=COLORS[2], alpha=0.8, step="mid")
    axis.axhline(0, color="#333", lw=0.8)
    axis.set_xlabel("members, largest net loss first", fontsize=8)
    axis.set_ylabel("net investment (yuan)", fontsize=8)
    axis.set_yscale("symlog", linthresh=100)
    axis.tick_params(labelsize=8)
    axis.grid(alpha=0.3)
    figure.tight_layout()
    return data_uri(figure)


def _money(value: float) -> str:
    return f"{value:,.2f} yuan"


def replay_report(folder: str | Path, title: str | None = None):
    """The report of one replay folder (``sim.report.build.Report``)."""
    from sim.report.build import Report

    tables, found = load_replay(folder)
    flags = tables["flags"]
    outcomes, insolvency = found["outcomes"], found["insolvency"]
    owed = found["owed_to_members_at_end"]
    raised = flags[flags["raised"]]
    dated = [
        (int(row.first_day), f"{row.key} ({row.reading})")
        for row in raised.itertuples()
        if pd.notna(row.first_day)
    ]
    if insolvency["day"] is not None:
        dated.append((int(insolvency["day"]), "insolvent"))
    dated.sort()
    harm = [
        f"{outcomes['net_losers']:,} of {found['members']:,} members are net losers: they "
        f"paid in {_money(outcomes['net_losses'])} more than they withdrew.",
        f"{outcomes['net_winners']:,} net winners withdrew {_money(outcomes['clawback_pool'])} "
        "more than they paid in: the clawback pool.",
        f"At the end the platform owes its members {_money(owed['cash_credited'])} of credited "
        f"cash ({_money(owed['of_it_asked_for_and_unpaid'])} asked for and unpaid), beside "
        f"points worth {_money(owed['points_value_at_final_price'])} at the final price.",
    ]
    if insolvency["day"] is not None:
        harm.append(
            f"Insolvent on day {insolvency['day']}: a withdrawal request had waited "
            f"{insolvency['request_wait_days']} day(s) unpaid "
            f"({_money(insolvency['asked_for_and_unpaid_then'])} waiting)."
        )
    law = [
        f"{row.key} ({row.reading}) raised from day {int(row.first_day)}."
        for row in raised.itertuples()
    ] or ["None of the red flags is raised at the end of the log."]
    rules = found.get("rules_against_records")
    if rules is not None and rules["paid_beyond_the_rule"]:
        law.append(
            f"The records paid {rules['members_paid_beyond_the_rule']:,} members "
            f"{_money(rules['paid_beyond_the_rule'])} more than the platform's own published rules "
            "allow."
        )
    unchecked = {k: v for k, v in (rules or {}).get("unchecked_paid", {}).items() if v}
    if unchecked:
        shown = ", ".join(f"{kind} {_money(yuan)}" for kind, yuan in unchecked.items())
        law.append(
            f"Not checked against the rules (the log names no region, service point or shop "
            f"per order): records of kind {shown}."
        )
    summary = [("Who paid", harm), ("The law and the platform's own rules", law)]
    sections = _sections(tables, found, dated)
    name = Path(folder).name
    return Report(
        title or f"Replay of a platform's records: {found.get('log', name)}",
        summary,
        [],
        sections,
        [
            "Every number comes from the platform's own records as replayed "
            f"({found.get('log', 'the log')}, {found['events']['rows']:,} rows), under the "
            f"rules of scenario '{found.get('scenario')}'. The flags say where the records "
            "stand against the thresholds the law sets; they do not decide any case."
        ],
        source="Every number comes from the replayed records",
        all_tables_in_markdown=True,
    )


def _sections(tables: dict, found: dict, dated: list[tuple[int, str]]) -> list[ReportSection]:
    members, teams, flags = tables["members"], tables["teams"], tables["flags"]
    timeline = ReportSection(
        "The platform day by day",
        [
            "The dashed lines mark the dated findings: "
            + "; ".join(f"{i + 1}: {what}, day {day}" for i, (day, what) in enumerate(dated))
            + "."
            if dated
            else "No finding is dated."
        ],
        [
            (
                timeline_figure(_days(tables["trace"]), dated),
                "Price, pool, and money paid in against money withdrawn, day by day",
            )
        ],
    )
    ledger = ReportSection(
        "Where the money is",
        [f"{found['ledger_entered']:,.2f} yuan entered; every fen is in one account."],
        tables=[("The ledger at the end (yuan)", tables["ledger"].to_dict("records"))],
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
        "Who won and who lost (net investment: paid in less withdrawn)",
        [
            f"{found['outcomes']['net_winners']:,} net winners, "
            f"{found['outcomes']['net_losers']:,} net losers; the clawback pool is "
            f"{found['outcomes']['clawback_pool']:,.2f} yuan."
        ],
        [(outcome_figure(members), "Each member's net investment, largest loss first")],
        [
            (
                f"The net winners (the clawback pool), largest first (at most {SHOWN})",
                tables["clawback"].head(SHOWN).to_dict("records"),
            ),
            (f"The largest net losers (at most {SHOWN})", losers[columns].to_dict("records")),
        ],
    )
    team = ReportSection(
        "Teams",
        [
            "Levels count the head's own; paid links are those a bonus in the records was paid "
            "along."
        ],
        tables=[
            (
                f"The largest teams (at most {SHOWN})",
                teams.sort_values("participants_below", ascending=False, kind="stable")
                .head(SHOWN)
                .to_dict("records"),
            )
        ],
    )
    shown = flags[["key", "reading", "raised", "first_day", "threshold", "explanation"]]
    law = ReportSection(
        "Legal red flags, with the first day each was raised",
        ["A flag's first day is the first day on which it holds for the log up to that day."],
        tables=[("The red flags on the platform's real tree", shown.to_dict("records"))],
    )
    sections = [timeline, outcome, team, law, ledger]
    check = tables.get("bonus_check")
    if check is not None:
        differ = check[check["difference"] != 0]
        sections.append(
            ReportSection(
                "Rules against records",
                [
                    f"{len(differ):,} of {len(check):,} member-and-kind rows differ from what the "
                    "published rules make due."
                ],
                tables=[
                    (
                        f"Where the records and the rule differ (at most {SHOWN})",
                        differ.head(SHOWN).to_dict("records"),
                    )
                ],
            )
        )
    return sections
