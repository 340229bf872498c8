"""The pictures of one run: the day series a user watches, and where the money went by the
end — the dashboard's (:mod:`sim.dashboard.app`) and ``run --plot``'s
(:mod:`sim.report.run_page`).

Each panel is a matplotlib :class:`~matplotlib.figure.Figure` made from the run's time
series as ``timeseries.parquet`` holds it (yuan, points) and its summary's money flow;
``headline`` is the run in one line of figures (the browser test reads it). Each takes a
``lang``: in Chinese the titles, legends and axes are the catalogue's words and money is in
元/万元/亿元; draw Chinese inside :func:`sim.report.fonts.figure_font` (the CJK font).
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.i18n import N_, gettext, money, named

# panel title -> (columns drawn on the left axis, columns on the right axis)
PANELS = {
    N_("Price (yuan a point), pool (yuan) and points"): (["pool", "points"], ["price"]),
    N_("Members: active, total, losing"): (
        ["members_active", "members_total", "members_losing"],
        [],
    ),
    N_("Orders, sales and forced exits a day"): (["orders", "sales", "forced_exits"], []),
    N_("Withdrawal queue and unpaid claims (yuan)"): (["withdrawal_queue", "unpaid_claims"], []),
}


# a comparison scheme's panels (classic_ponzi, daily_release): the fund against what it owes
SCHEME_PANELS = {
    N_("The fund (yuan) and what it owes its members"): (["pool"], ["promised", "outstanding"]),
    N_("Money in and paid out a day (yuan)"): (["inflow", "fees", "returns", "withdrawals"], []),
    N_("Members: total and new a day"): (["members_total"], ["new_members"]),
}

LINE_NAMES = {  # a series' name in a Chinese legend (English shows the column's own name)
    "pool": N_("the profit pool"),
    "points": N_("points in circulation"),
    "price": N_("price of a point"),
    "members_active": N_("members holding points"),
    "members_total": N_("members in all"),
    "members_losing": N_("members below break-even"),
    "orders": N_("orders a day"),
    "sales": N_("sales a day"),
    "forced_exits": N_("forced exits a day"),
    "withdrawal_queue": N_("withdrawal queue"),
    "unpaid_claims": N_("unpaid claims"),
    "promised": N_("promised to members"),
    "outstanding": N_("still owed to members"),
    "inflow": N_("money in"),
    "fees": N_("fees"),
    "returns": N_("returns paid"),
    "withdrawals": N_("withdrawals"),
    "new_members": N_("new members a day"),
}
USE_NAMES = {  # where money went, in a Chinese chart (English shows the summary's key)
    "product_cost": N_("cost of the goods"),
    "platform": N_("the platform's line"),
    "distribution": N_("the distribution line"),
    "unallocated_distribution": N_("distribution line, unallocated"),
    "chain_motion": N_("chain motion bonus"),
    "chain_dividend": N_("chain motion dividend"),
    "chain_frozen": N_("chain motion bonus, frozen"),
    "frozen_forever": N_("frozen for good (forfeited)"),
    "unpaid_chain_motion": N_("chain motion, unpaid"),
    "tier_dividend_pool": N_("tier dividend pool"),
    "unclaimed_dividend": N_("dividend nobody could claim"),
    "level_differential": N_("level differential bonus"),
    "unpaid_differential": N_("level differential, unpaid"),
    "regional_agents": N_("regional agents' bonus"),
    "unpaid_regional": N_("regional bonus, unpaid"),
    "service_point": N_("service point bonus"),
    "unpaid_service_point": N_("service point bonus, unpaid"),
    "merchant": N_("merchant recruitment bonus"),
    "unpaid_merchant_recruitment": N_("merchant recruitment bonus, unpaid"),
    "unpaid_referral": N_("referral line, unpaid"),
    "region_fees": N_("fees for regions"),
    "service_point_fees": N_("fees for service points"),
    "referral_bonuses": N_("referral bonuses"),
    "member_payouts": N_("paid to members for sales and exits"),
    "left_in_pool": N_("left in the profit pool"),
    "operator_diverted": N_("diverted by the operator"),
    "custody_shortfall": N_("missing from custody"),
}


def line_name(column: str, lang: str = "en") -> str:
    """A series' name in a legend: its column's words in English, the catalogue's in Chinese."""
    return named(column, LINE_NAMES, lang, column.replace("_", " "))


def use_name(use: str, lang: str = "en") -> str:
    """Where money went, named as in :func:`line_name` (a split line of the scenario's own
    that the catalogue does not know keeps its key)."""
    return named(use, USE_NAMES, lang, use.replace("_", " "))


def _thousands(value, _pos) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.2f}"


def series_figure(
    days: pd.DataFrame, title: str, collapse_day: int | None = None, lang: str = "en"
) -> Figure:
    """One panel of :data:`PANELS` (or :data:`SCHEME_PANELS`) over the run's days (columns
    the run has not, left out), with the day of a collapse marked."""
    _ = gettext(lang)
    left, right = {**PANELS, **SCHEME_PANELS}[title]
    left, right = [c for c in left if c in days], [c for c in right if c in days]
    figure = Figure(figsize=(6.4, 2.8), layout="constrained")
    axis = figure.subplots()
    if collapse_day is not None:
        axis.axvline(collapse_day, color="#c44e52", linestyle="--", linewidth=1)
        axis.annotate(
            _("insolvent, day {day}").format(day=collapse_day),
            (collapse_day, 1),
            xycoords=("data", "axes fraction"),
            fontsize=8,
            color="#c44e52",
            ha="right",
            va="top",
        )
    for column in left:
        axis.plot(days["day"], days[column], label=line_name(column, lang))
    axis.yaxis.set_major_formatter(FuncFormatter(_thousands))
    axis.set_xlabel(_("day"))
    axis.set_title(_(title), fontsize=10)
    lines, labels = axis.get_legend_handles_labels()
    if right:
        twin = axis.twinx()
        for column in right:
            twin.plot(
                days["day"],
                days[column],
                color="black",
                label=line_name(column, lang),
                linewidth=1.6,
            )
        twin.set_ylabel(" / ".join(line_name(c, lang) for c in right))
        if "price" not in right:  # yuan and counts, not a price of a few decimals
            twin.yaxis.set_major_formatter(FuncFormatter(_thousands))
        more, names = twin.get_legend_handles_labels()
        lines, labels = lines + more, labels + names
    axis.legend(lines, labels, fontsize=8, loc="upper left")
    return figure


KIND_COLOURS = {  # the summary's money-flow kinds: who ends up with the money
    "kept": ("#8c8c8c", N_("kept by the operator (split lines)")),
    "not_given": ("#b0b0b0", N_("split lines whose rules are not given")),
    "members": ("#55a868", N_("paid to members")),
    "pool": ("#4c72b0", N_("left in the pool")),
    "operator": ("#c44e52", N_("diverted by the operator")),
    "missing": ("#222222", N_("missing from custody")),
    "fees": ("#937860", N_("fees")),
}


def money_flow(summary: dict, lang: str = "en") -> Figure:
    """Where the money that entered went (the run summary's ``money_flow``: split lines,
    bonuses, payouts to members, left in the pool, diverted, missing), as bars in yuan
    coloured by who ends up with it."""
    _ = gettext(lang)
    rows = [row for row in summary["money_flow"] if row["yuan"]]
    rows.sort(key=lambda row: row["yuan"])
    figure = Figure(figsize=(6.4, 0.35 * len(rows) + 1.4), layout="constrained")
    axis = figure.subplots()
    labels = [f"{use_name(row['use'], lang)} ({row['share']:.1%})" for row in rows]
    colours = [KIND_COLOURS.get(row["kind"], ("#937860", row["kind"]))[0] for row in rows]
    axis.barh(labels, [row["yuan"] for row in rows], color=colours)
    axis.xaxis.set_major_locator(MaxNLocator(4))
    axis.xaxis.set_major_formatter(FuncFormatter(_thousands))
    kinds = dict.fromkeys(row["kind"] for row in reversed(rows))
    handles = [
        Patch(
            color=KIND_COLOURS.get(kind, ("#937860", kind))[0],
            label=_(KIND_COLOURS[kind][1]) if kind in KIND_COLOURS else kind,
        )
        for kind in kinds
    ]
    axis.legend(handles=handles, fontsize=8, loc="lower right")
    entered = summary["money_entered"]
    amount = f"{entered:,.0f}" if lang == "en" else money(entered, lang)
    axis.set_title(
        _("Where the {amount} yuan paid in went (yuan)").format(amount=amount), fontsize=10
    )
    return figure


def headline(summary: dict, lang: str = "en") -> str:
    """The run in one line: price, members, losers, money in and out."""
    _ = gettext(lang)
    return _(
        "price at the end {end} (peak {peak} on day {day}); {members} members; {losing} of "
        "buyers got back less than they paid in; {entered} yuan entered, {paid} paid to "
        "members; {exits} forced exits"
    ).format(
        end=f"{summary['price_end']:.4f}",
        peak=f"{summary['price_peak']:.4f}",
        day=summary["price_peak_day"],
        members=f"{summary['members']:,}",
        losing=f"{summary['share_of_buyers_losing']:.1%}",
        entered=money(summary["money_entered"], lang),
        paid=money(summary["paid_to_members"], lang),
        exits=f"{summary['forced_exits']:,}",
    )


SCHEME_NAMES = {"classic_ponzi": N_("classic Ponzi"), "daily_release": N_("daily release")}


def scheme_headline(summary: dict, lang: str = "en") -> str:
    """A comparison scheme's run in one line: when it could not pay, members, losers,
    money in and out, what it still owed."""
    _ = gettext(lang)
    paid_in = summary.get("deposited", summary.get("spent"))
    paid_out = summary.get("paid_out", summary.get("paid_to_buyers"))
    owed = summary.get("promised_at_end", summary.get("outstanding_at_end"))
    day = summary["collapse_day"]
    when = _("still paying at the end") if day is None else _("insolvent on day {day}")
    scheme = summary["scheme"]
    name = named(scheme, SCHEME_NAMES, lang, scheme.replace("_", " "))
    return _(
        "{scheme}: {when}; {members} members; {losers} got back less than they paid in; "
        "{paid_in} yuan paid in, {paid_out} paid out; {owed} yuan still promised at the end"
    ).format(
        scheme=name,
        when=when.format(day=day),
        members=f"{summary['members']:,}",
        losers=f"{summary['share_net_losers']:.1%}",
        paid_in=money(paid_in, lang),
        paid_out=money(paid_out, lang),
        owed=money(owed, lang),
    )
