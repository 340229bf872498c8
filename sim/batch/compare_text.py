"""The comparison as a person reads it: each metric in its own unit with fixed decimals and
thousands separators, a day nobody reached as "never", a sweep point named by its values,
the share of runs that collapsed, and a table cut into blocks of columns that fit the
terminal (each block repeats the metric names).

The numbers come from :func:`sim.batch.compare.tidy_comparison` (the tidy CSV keeps them
exact); only their text is made here, in English (metrics by their keys, as the CSV names
them) or in Chinese (metrics by their names in the catalogue, money in 元/万元/亿元, columns
aligned by display width: a Chinese character takes two terminal cells).
"""

from __future__ import annotations

import json
import math
import shutil
import unicodedata
from pathlib import Path

import pandas as pd

from sim.i18n import N_, gettext, money, named

DAY_METRICS = {"price_peak_day", "median_days_to_break_even"}  # and every *_day
PRICE_METRICS = {"price_end", "price_peak", "price_min_after_peak"}
YUAN_METRICS = {
    "money_entered",
    "paid_to_members",
    "withdrawn_by_members",
    "withdrawal_queue_at_end",
    "unpaid_claims",
    "net_investment_clawback_pool",
    "net_investment_net_losses",
    "net_investment_credited_on_platform",
    "net_investment_queued_for_withdrawal",
    "distribution_paid",
    "fund_at_end",
    "owed_at_end",
}
RATIO_METRICS = {"gini_net_result"}
NOT_APPLICABLE = "not_applicable"  # the interval of a metric a run's scheme does not have
REPLICATES = "replicates (n)"  # the first row: the runs each column rests on

METRIC_NAMES = {  # a metric's name in a Chinese table (English tables show its key)
    REPLICATES: N_("replicates (n)"),
    "collapsed": N_("runs that collapsed"),
    "members": N_("members who joined"),
    "members_who_bought": N_("members who bought"),
    "members_active_at_end": N_("members holding points at the end"),
    "orders": N_("orders"),
    "sales": N_("voluntary sales"),
    "forced_exits": N_("forced exits"),
    "money_entered": N_("money paid in"),
    "paid_to_members": N_("cash paid to members for sales and exits"),
    "withdrawn_by_members": N_("withdrawn by members"),
    "withdrawal_queue_at_end": N_("withdrawals queued at the end"),
    "unpaid_claims": N_("payouts never paid for lack of pool cash"),
    "price_end": N_("price at the end (yuan per point)"),
    "price_peak": N_("highest price"),
    "price_peak_day": N_("day of the highest price"),
    "price_min_after_peak": N_("lowest price after the peak"),
    "days_price_fell": N_("days the price fell"),
    "share_of_buyers_losing": N_("buyers losing (cash withdrawn)"),
    "share_of_buyers_losing_counting_credited": N_("buyers losing (credited cash counted)"),
    "share_of_buyers_losing_counting_points": N_("buyers losing (points sold at the end)"),
    "net_investment_participants": N_("participants (net investment)"),
    "net_investment_net_winners": N_("net winners"),
    "net_investment_net_losers": N_("net losers"),
    "net_investment_share_net_losers": N_("net losers, share of participants"),
    "net_investment_clawback_pool": N_("clawback pool (net winnings)"),
    "net_investment_net_losses": N_("net losses"),
    "net_investment_credited_on_platform": N_("cash credited, still on the platform"),
    "net_investment_queued_for_withdrawal": N_("queued for withdrawal"),
    "collapse_day": N_("collapse day"),
    "operator_halt_day": N_("day the operator halted"),
    "unpaid_withdrawals_day": N_("day withdrawals went unpaid"),
    "pool_drawdown_day": N_("day the pool fell far below its peak"),
    "inflow_stall_day": N_("day new money dried up"),
    "loss_majority_day": N_("day most buyers were below break-even"),
    "goods_fair_value": N_("goods' fair value, share of the price"),
    "share_losing_counting_goods": N_("buyers losing (goods counted)"),
    "gini_net_result": N_("Gini coefficient of net results"),
    "top1_payout_share": N_("payouts to the top one percent"),
    "share_reaching_1x": N_("buyers paid back their spend"),
    "share_ever_breaking_even": N_("buyers ever at break-even"),
    "share_reaching_cap": N_("buyers force-exited at the cap"),
    "median_days_to_break_even": N_("median days to break-even"),
    "share_payouts_funded_by_others": N_("payouts funded by other members' money"),
    "money_share_split_lines": N_("money to: split lines (goods, operator)"),
    "money_share_rules_not_given": N_("money to: kept, rules not given"),
    "money_share_member_fees": N_("money to: fees for regions and service points"),
    "money_share_referral_bonuses": N_("money to: bonuses"),
    "money_share_member_payouts": N_("money to: members' sales and exits"),
    "money_share_left_in_pool": N_("money to: left in the pool"),
    "money_share_operator_diverted": N_("money to: diverted by the operator"),
    "money_share_custody_shortfall": N_("money to: custody shortfall"),
    "operator_take_share": N_("operator's take"),
    "distribution_take_share": N_("paid as bonuses, share of money in"),
    "distribution_paid": N_("bonuses paid"),
    "distribution_share_recruit": N_("bonuses for recruiting, share"),
    "distribution_share_sale": N_("bonuses on sales, share"),
    "distribution_top1_share": N_("bonuses to the top one percent"),
    "distribution_deepest_level": N_("deepest level paid"),
    "fund_at_end": N_("fund at the end (comparison schemes)"),
    "owed_at_end": N_("still owed at the end (comparison schemes)"),
}


def metric_label(metric: str, lang: str = "en") -> str:
    """A metric's row label: its key in English, its name in Chinese."""
    return named(metric, METRIC_NAMES, lang)


def unit_of(metric: str) -> str:
    """How ``metric`` is shown: ``share`` (percent), ``price``, ``yuan``, ``day``,
    ``ratio`` or ``count``."""
    if metric == "collapsed" or "share" in metric or metric == "goods_fair_value":
        return "share"
    if metric in PRICE_METRICS:
        return "price"
    if metric in YUAN_METRICS:
        return "yuan"
    if metric.endswith("_day") or metric in DAY_METRICS:
        return "day"
    if metric in RATIO_METRICS:
        return "ratio"
    return "count"


def number(value: float, unit: str, lang: str = "en") -> str:
    """One number in its unit's text (Chinese money in 元, 万元 or 亿元)."""
    _ = gettext(lang)
    if math.isnan(value):
        return _("n/a")
    if unit == "yuan" and lang != "en":
        return money(value, lang)
    if unit == "share":
        return f"{value:.1%}"
    if unit == "price":
        return f"{value:,.4f}"
    if unit == "ratio":
        return f"{value:.3f}"
    if unit in ("yuan", "day", "count") and float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.1f}" if unit != "yuan" else f"{value:,.0f}"


def cell(row: pd.Series, runs: int, lang: str = "en") -> str:
    """A metric's mean with its interval; a day no run reached is "never", a day some runs
    reached says in how many."""
    _ = gettext(lang)
    unit = unit_of(row["metric"])
    if row.get("interval") == NOT_APPLICABLE:  # a points-scheme metric, a comparison run
        return _("n/a")
    if row["n"] == 0:
        if unit != "day":
            return _("n/a")
        return "never" if lang == "en" else _("no run reached this day")
    text = number(row["mean"], unit, lang)
    if not math.isnan(row["low"]) and row["low"] != row["high"]:
        low, high = row["low"], row["high"]
        if unit == "share":
            low, high = max(low, 0.0), min(high, 1.0)
        elif unit != "price":
            low = max(low, 0.0) if row["mean"] >= 0 else low
        text += f" [{number(low, unit, lang)}, {number(high, unit, lang)}]"
    if unit == "day" and row["n"] < runs:
        text += " " + _("({reached} of {runs} runs)").format(reached=row["n"], runs=runs)
    return text


def column_label(batch: str, scenario: str, params: str | None, several: bool) -> str:
    """``batch:scenario``, and for a point of a sweep a second line with its values by their
    last key (``exit_multiple=2 half_life_days=30``)."""
    label = f"{Path(batch).name}:{scenario}"
    if several and params:
        values = json.loads(params)
        label += "\n" + " ".join(
            f"{path.rsplit('.', 1)[-1]}={_value(v)}" for path, v in values.items()
        )
    return label


def _value(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def cells(text: str) -> int:
    """The terminal cells ``text`` takes: two for a wide (Chinese) character, one else."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _right(text: str, size: int) -> str:
    return " " * (size - cells(text)) + text


def _left(text: str, size: int) -> str:
    return text + " " * (size - cells(text))


def blocks(wide: pd.DataFrame, width: int | None = None, lang: str = "en") -> str:
    """``wide`` (metric rows, one column of text per run group; a column's name may have two
    lines) as text no wider than ``width`` (the terminal's, 120 if unknown): as many columns
    a block as fit."""
    width = width or shutil.get_terminal_size((120, 40)).columns
    _ = gettext(lang)
    corner = _("metric")
    names = [str(i) for i in wide.index]
    first = max(cells(n) for n in [*names, corner])
    columns = list(wide.columns)
    sizes = {
        c: max(*(cells(line) for line in str(c).split("\n")), *(cells(str(v)) for v in wide[c]))
        for c in columns
    }
    out, block, used = [], [], first
    for column in columns:
        if block and used + 2 + sizes[column] > width:
            out.append(_block(wide, block, names, first, sizes, corner))
            block, used = [], first
        block.append(column)
        used += 2 + sizes[column]
    if block:
        out.append(_block(wide, block, names, first, sizes, corner))
    return "\n\n".join(out)


def _block(wide, columns, names, first, sizes, corner) -> str:
    heads = [str(c).split("\n") for c in columns]
    depth = max(len(h) for h in heads)
    lines = []
    for i in range(depth):
        left = corner if i == depth - 1 else ""
        parts = [
            _right(h[i] if i < len(h) else "", sizes[c])
            for h, c in zip(heads, columns, strict=True)
        ]
        lines.append(_left(left, first) + "".join("  " + part for part in parts))
    for name, (_, row) in zip(names, wide.iterrows(), strict=True):
        shown = "".join("  " + _right(str(row[c]), sizes[c]) for c in columns)
        lines.append(_left(name, first) + shown)
    return "\n".join(lines)
