"""The comparison as a person reads it: each metric in its own unit with fixed decimals and
thousands separators, a day nobody reached as "never", a sweep point named by its values,
the share of runs that collapsed, and a table cut into blocks of columns that fit the
terminal (each block repeats the metric names).

The numbers come from :func:`sim.batch.compare.tidy_comparison` (the tidy CSV keeps them
exact); only their text is made here.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pandas as pd

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


def number(value: float, unit: str) -> str:
    """One number in its unit's text."""
    if math.isnan(value):
        return "n/a"
    if unit == "share":
        return f"{value:.1%}"
    if unit == "price":
        return f"{value:,.4f}"
    if unit == "ratio":
        return f"{value:.3f}"
    if unit in ("yuan", "day", "count") and float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.1f}" if unit != "yuan" else f"{value:,.0f}"


def cell(row: pd.Series, runs: int) -> str:
    """A metric's mean with its interval; a day no run reached is "never", a day some runs
    reached says in how many."""
    unit = unit_of(row["metric"])
    if row.get("interval") == NOT_APPLICABLE:  # a points-scheme metric, a comparison run
        return "n/a"
    if row["n"] == 0:
        return "never" if unit == "day" else "n/a"
    text = number(row["mean"], unit)
    if not math.isnan(row["low"]) and row["low"] != row["high"]:
        low, high = row["low"], row["high"]
        if unit == "share":
            low, high = max(low, 0.0), min(high, 1.0)
        elif unit != "price":
            low = max(low, 0.0) if row["mean"] >= 0 else low
        text += f" [{number(low, unit)}, {number(high, unit)}]"
    if unit == "day" and row["n"] < runs:
        text += f" ({row['n']} of {runs} runs)"
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


def blocks(wide: pd.DataFrame, width: int | None = None) -> str:
    """``wide`` (metric rows, one column of text per run group; a column's name may have two
    lines) as text no wider than ``width`` (the terminal's, 120 if unknown): as many columns
    a block as fit."""
    width = width or shutil.get_terminal_size((120, 40)).columns
    names = [str(i) for i in wide.index]
    first = max(len(n) for n in [*names, "metric"])
    columns = list(wide.columns)
    sizes = {
        c: max(*(len(line) for line in str(c).split("\n")), *(len(str(v)) for v in wide[c]))
        for c in columns
    }
    out, block, used = [], [], first
    for column in columns:
        if block and used + 2 + sizes[column] > width:
            out.append(_block(wide, block, names, first, sizes))
            block, used = [], first
        block.append(column)
        used += 2 + sizes[column]
    if block:
        out.append(_block(wide, block, names, first, sizes))
    return "\n\n".join(out)


def _block(wide, columns, names, first, sizes) -> str:
    heads = [str(c).split("\n") for c in columns]
    depth = max(len(h) for h in heads)
    lines = []
    for i in range(depth):
        left = "metric" if i == depth - 1 else ""
        parts = [
            (h[i] if i < len(h) else "").rjust(sizes[c])
            for h, c in zip(heads, columns, strict=True)
        ]
        lines.append(left.ljust(first) + "".join("  " + part for part in parts))
    for name, (_, row) in zip(names, wide.iterrows(), strict=True):
        cells = "".join("  " + str(row[c]).rjust(sizes[c]) for c in columns)
        lines.append(name.ljust(first) + cells)
    return "\n".join(lines)
