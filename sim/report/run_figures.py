"""The pictures of one run: the day series a user watches, and where the money went by the
end — the dashboard's (:mod:`sim.dashboard.app`) and ``run --plot``'s
(:mod:`sim.report.run_page`).

Each panel is a matplotlib :class:`~matplotlib.figure.Figure` made from the run's time
series as ``timeseries.parquet`` holds it (yuan, points) and its summary's money flow;
``headline`` is the run in one line of figures (the browser test reads it).
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

# panel title -> (columns drawn on the left axis, columns on the right axis)
PANELS = {
    "Price (yuan a point), pool (yuan) and points": (["pool", "points"], ["price"]),
    "Members: active, total, losing": (["members_active", "members_total", "members_losing"], []),
    "Orders, sales and forced exits a day": (["orders", "sales", "forced_exits"], []),
    "Withdrawal queue and unpaid claims (yuan)": (["withdrawal_queue", "unpaid_claims"], []),
}


# a comparison scheme's panels (classic_ponzi, daily_release): the fund against what it owes
SCHEME_PANELS = {
    "The fund (yuan) and what it owes its members": (["pool"], ["promised", "outstanding"]),
    "Money in and paid out a day (yuan)": (["inflow", "fees", "returns", "withdrawals"], []),
    "Members: total and new a day": (["members_total"], ["new_members"]),
}


def _thousands(value, _pos) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.2f}"


def series_figure(days: pd.DataFrame, title: str, collapse_day: int | None = None) -> Figure:
    """One panel of :data:`PANELS` (or :data:`SCHEME_PANELS`) over the run's days (columns
    the run has not, left out), with the day of a collapse marked."""
    left, right = {**PANELS, **SCHEME_PANELS}[title]
    left, right = [c for c in left if c in days], [c for c in right if c in days]
    figure = Figure(figsize=(6.4, 2.8), layout="constrained")
    axis = figure.subplots()
    if collapse_day is not None:
        axis.axvline(collapse_day, color="#c44e52", linestyle="--", linewidth=1)
        axis.annotate(
            f"insolvent, day {collapse_day}",
            (collapse_day, 1),
            xycoords=("data", "axes fraction"),
            fontsize=8,
            color="#c44e52",
            ha="right",
            va="top",
        )
    for column in left:
        axis.plot(days["day"], days[column], label=column.replace("_", " "))
    axis.yaxis.set_major_formatter(FuncFormatter(_thousands))
    axis.set_xlabel("day")
    axis.set_title(title, fontsize=10)
    lines, labels = axis.get_legend_handles_labels()
    if right:
        twin = axis.twinx()
        for column in right:
            twin.plot(
                days["day"],
                days[column],
                color="black",
                label=column.replace("_", " "),
                linewidth=1.6,
            )
        twin.set_ylabel(" / ".join(c.replace("_", " ") for c in right))
        if "price" not in right:  # yuan and counts, not a price of a few decimals
            twin.yaxis.set_major_formatter(FuncFormatter(_thousands))
        more, names = twin.get_legend_handles_labels()
        lines, labels = lines + more, labels + names
    axis.legend(lines, labels, fontsize=8, loc="upper left")
    return figure


KIND_COLOURS = {  # the summary's money-flow kinds: who ends up with the money
    "kept": ("#8c8c8c", "kept by the operator (split lines)"),
    "not_given": ("#b0b0b0", "split lines whose rules are not given"),
    "members": ("#55a868", "paid to members"),
    "pool": ("#4c72b0", "left in the pool"),
    "operator": ("#c44e52", "diverted by the operator"),
    "missing": ("#222222", "missing from custody"),
}


def money_flow(summary: dict) -> Figure:
    """Where the money that entered went (the run summary's ``money_flow``: split lines,
    bonuses, payouts to members, left in the pool, diverted, missing), as bars in yuan
    coloured by who ends up with it."""
    rows = [row for row in summary["money_flow"] if row["yuan"]]
    rows.sort(key=lambda row: row["yuan"])
    figure = Figure(figsize=(6.4, 0.35 * len(rows) + 1.4), layout="constrained")
    axis = figure.subplots()
    labels = [f"{row['use'].replace('_', ' ')} ({row['share']:.1%})" for row in rows]
    colours = [KIND_COLOURS.get(row["kind"], ("#937860", row["kind"]))[0] for row in rows]
    axis.barh(labels, [row["yuan"] for row in rows], color=colours)
    axis.xaxis.set_major_locator(MaxNLocator(4))
    axis.xaxis.set_major_formatter(FuncFormatter(_thousands))
    kinds = dict.fromkeys(row["kind"] for row in reversed(rows))
    handles = [
        Patch(
            color=KIND_COLOURS.get(kind, ("#937860", kind))[0],
            label=KIND_COLOURS.get(kind, ("", kind))[1],
        )
        for kind in kinds
    ]
    axis.legend(handles=handles, fontsize=8, loc="lower right")
    axis.set_title(
        f"Where the {summary['money_entered']:,.0f} yuan paid in went (yuan)",
        fontsize=10,
    )
    return figure


def headline(summary: dict) -> str:
    """The run in one line: price, members, losers, money in and out."""
    return (
        f"price at the end {summary['price_end']:.4f} (peak {summary['price_peak']:.4f} on day "
        f"{summary['price_peak_day']}); {summary['members']:,} members; "
        f"{summary['share_of_buyers_losing']:.1%} of buyers got back less than they paid in; "
        f"{summary['money_entered']:,.2f} yuan entered, {summary['paid_to_members']:,.2f} paid "
        f"to members; {summary['forced_exits']:,} forced exits"
    )


def scheme_headline(summary: dict) -> str:
    """A comparison scheme's run in one line: when it could not pay, members, losers,
    money in and out, what it still owed."""
    paid_in = summary.get("deposited", summary.get("spent"))
    paid_out = summary.get("paid_out", summary.get("paid_to_buyers"))
    owed = summary.get("promised_at_end", summary.get("outstanding_at_end"))
    day = summary["collapse_day"]
    when = "still paying at the end" if day is None else f"insolvent on day {day}"
    return (
        f"{summary['scheme'].replace('_', ' ')}: {when}; {summary['members']:,} members; "
        f"{summary['share_net_losers']:.1%} got back less than they paid in; "
        f"{paid_in:,.2f} yuan paid in, {paid_out:,.2f} paid out; {owed:,.2f} yuan still "
        "promised at the end"
    )
