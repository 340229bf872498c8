"""The report's sections read from a batch's own tables: collapse, sweeps, series, outcomes.

Collapse probability per scenario comes with a 95% Wilson score interval (exact enough at 0
and at n runs, where the normal interval collapses to a point), and the time to collapse as the
share of runs collapsed by each day; for sweeps, the phase diagrams and the PRIM box
(:mod:`sim.analysis.discovery`); price, pool and members over time with bands over replicates;
participant outcomes with Student-t intervals (:func:`sim.batch.compare.mean_interval`). None
of these needs a re-run: the ``runs`` and ``timeseries`` tables hold every figure.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.analysis.claims import ScenarioEvidence, levers
from sim.analysis.discovery import describe_box, prim
from sim.batch.compare import mean_interval, wilson
from sim.report import figures
from sim.report.sections import ReportSection, fmt

# outcome metrics shown when the runs table has them: column -> words
OUTCOMES = {
    "net_investment_share_net_losers": "net losers: withdrew less than they paid in",
    "net_investment_clawback_pool": "clawback pool: net winners' gains (yuan)",
    "net_investment_net_losses": "net losses (yuan)",
    "net_investment_credited_on_platform": "cash credited but not withdrawn (yuan)",
    "operator_take_share": "operator's take (kept lines but goods, fees, diversion)",
    "distribution_take_share": "distribution layer's take (bonuses paid)",
    "share_of_buyers_losing": "buyers who got less cash out of the platform than they paid in",
    "share_of_buyers_losing_counting_credited": "… counting cash credited, not withdrawn",
    "share_of_buyers_losing_counting_points": "… and their points sold at the end",
    "share_losing_counting_goods": "… counting the goods at their fair value",
    "share_reaching_1x": "buyers back at 1x at the end (cash and bonuses at least their spend)",
    "share_ever_breaking_even": "buyers who ever got back their spend",
    "share_reaching_cap": "buyers who reached the cap (forced exit)",
    "median_days_to_break_even": "median days to break even (those who did)",
    "gini_net_result": "Gini of members' net results (0 equal, 1 one takes all)",
    "top1_payout_share": "share of all payouts to the top 1% of members",
    "share_payouts_funded_by_others": "share of pool payouts funded by other members' money",
    "money_share_split_lines": "money kept by product cost, platform and the other lines",
    "money_share_rules_not_given": "money kept, rules not given (lines the seeds name only)",
    "money_share_member_fees": "money members paid as fees (regions, service points)",
    "money_share_referral_bonuses": "money paid as referral bonuses",
    "money_share_member_payouts": "money paid back to members for their points",
    "money_share_left_in_pool": "money left in the pool at the end",
    "money_share_operator_diverted": "money the operator took from the pool",
    "money_share_custody_shortfall": "money never really held (custody shortfall)",
    "money_entered": "money paid in (yuan)",
    "paid_to_members": "paid to members (yuan)",
    "withdrawn_by_members": "withdrawn by members (yuan)",
    "unpaid_claims": "payouts booked but never paid (yuan)",
    "members": "members who joined",
    "price_end": "price at the end",
}


def collapse_table(runs: pd.DataFrame) -> pd.DataFrame | None:
    """Per scenario: runs, collapsed, probability with its Wilson interval, typical day and
    condition; None when the runs table has no collapse columns."""
    if "collapsed" not in runs:
        return None
    rows = []
    for name, group in runs.groupby("scenario", sort=False):
        collapsed = group["collapsed"].fillna(False).astype(bool)
        p, low, high = wilson(int(collapsed.sum()), len(group))
        days = group.loc[collapsed, "collapse_day"]
        conditions = group.loc[collapsed, "collapse_condition"].value_counts()
        rows.append(
            {
                "scenario": name,
                "runs": len(group),
                "collapsed": int(collapsed.sum()),
                "p": p,
                "low": low,
                "high": high,
                "median day": float(days.median()) if len(days) else math.nan,
                "first day": float(days.min()) if len(days) else math.nan,
                "conditions": ", ".join(f"{k} ({v})" for k, v in conditions.items()) or "–",
            }
        )
    return pd.DataFrame(rows)


def outcome_rows(runs: pd.DataFrame) -> list[dict]:
    rows = []
    for column, words in OUTCOMES.items():
        if column not in runs:
            continue
        row = {"outcome": words}
        for name, group in runs.groupby("scenario", sort=False):
            values = group[column].astype(float)
            _n, mean, low, high = mean_interval(values)
            share = "share" in column
            show = (lambda v: f"{min(max(v, 0.0), 1.0):.1%}") if share else fmt
            if math.isnan(mean):  # nothing to measure in any run (e.g. no pool payouts)
                row[name] = "–"
                continue
            if not share and np.all(values.dropna() % 1 == 0) and mean % 1 == 0:
                show = lambda v: f"{v:,.0f}"  # noqa: E731 - counts stay whole
            row[name] = show(mean) + ("" if math.isnan(low) else f" [{show(low)}, {show(high)}]")
        rows.append(row)
    return rows


def outcomes_section(runs: pd.DataFrame) -> ReportSection:
    """Who gained and who lost: :func:`outcome_rows` of the successful runs."""
    section = ReportSection("Who gained and who lost")
    counts = ", ".join(
        f"{name}: {len(group)}" for name, group in runs.groupby("scenario", sort=False)
    )
    section.text.append(
        f"Mean over runs [95% Student-t interval of the mean; shares kept inside 0 to 100%]. "
        f"Runs per scenario: {counts}."
    )
    section.tables.append(("Outcomes per scenario", outcome_rows(runs)))
    return section


def _panel(key, names: dict | None = None) -> str:
    key = key if isinstance(key, tuple) else (key,)
    if len(key) == 1:
        return str(key[0])
    return f"{key[0]} · " + ((names or {}).get(key) or f"point {key[1]}")


def point_names(runs: pd.DataFrame, params: list[str]) -> dict[tuple, str]:
    """(scenario, point) -> its swept values in words, e.g. 'exit_multiple=2, half_life_days=10'."""
    names = {}
    for (scenario, point), group in runs.groupby(["scenario", "point"]):
        values = [
            f"{p.rsplit('.', 1)[-1]}={fmt(group[p].iloc[0])}"
            for p in params
            if p in group and group[p].notna().any()
        ]
        names[(scenario, point)] = ", ".join(values)
    return names


def bands_of(
    timeseries: pd.DataFrame, column: str, by: list[str], names: dict | None = None
) -> dict[str, pd.DataFrame]:
    """Per panel (scenario, or scenario and point): the quantiles of ``column`` each day."""
    quantiles = (
        timeseries.groupby([*by, "day"])[column]
        .quantile([0.05, 0.25, 0.5, 0.75, 0.95])
        .unstack()
        .rename(columns={0.05: "q05", 0.25: "q25", 0.5: "q50", 0.75: "q75", 0.95: "q95"})
        .reset_index()
    )
    return {
        _panel(key, names): frame.sort_values("day").reset_index(drop=True)
        for key, frame in quantiles.groupby(by, sort=False)
    }


def series_section(timeseries: pd.DataFrame, names: dict | None = None) -> ReportSection:
    section = ReportSection("Price, pool and members over time")
    points = timeseries.groupby(["scenario", "point"]).ngroups
    by = ["scenario"]
    if timeseries["scenario"].nunique() < points <= 12:
        by = ["scenario", "point"]
    section.text.append(
        "Each panel is one scenario"
        + (" and sweep point" if len(by) == 2 else "")
        + ": the line is the median over replicates, the dark band holds the middle half of "
        "them, the light band 90% (with few replicates the light band is close to the lowest "
        "and highest run)."
    )
    price = bands_of(timeseries, "price", by, names)
    section.figures.append((figures.bands(price, "price (yuan/point)"), "Points price"))
    pool = bands_of(timeseries, "pool", by, names)
    if "pool_cash" in timeseries and (timeseries["pool_cash"] < timeseries["pool"] - 0.005).any():
        cash = bands_of(timeseries, "pool_cash", by, names)
        for label, frame in pool.items():
            frame["extra"] = cash[label]["q50"].to_numpy()
        section.text.append("Dashed: the cash really in the pool (median), below what is posted.")
    section.figures.append((figures.bands(pool, "pool (yuan)"), "Pool posted by the platform"))
    members = bands_of(timeseries, "members_active", by, names)
    section.figures.append((figures.bands(members, "members holding points"), "Members active"))
    return section


def collapse_section(
    runs: pd.DataFrame, horizons: dict[str, int]
) -> tuple[ReportSection, pd.DataFrame | None]:
    section = ReportSection("How often, and how soon, it collapsed")
    table = collapse_table(runs)
    if table is None:
        section.text.append(
            "This batch has no collapse columns (it was made before collapse detection); run "
            "the batch again with this version to see collapse probabilities."
        )
        return section, None
    section.text.append(
        "A run collapses on the first day one of the scenario's collapse conditions holds "
        "(see the scenario's collapse section). The interval is the 95% Wilson score "
        "interval for a share: with few runs it is wide, and it is honest at 0 and at 100%."
    )
    labelled = table.assign(label=table["scenario"])
    section.figures.append((figures.collapse_bars(labelled), "Collapse probability per scenario"))
    curves = {}
    for name, group in runs.groupby("scenario", sort=False):
        days = group.loc[group["collapsed"].fillna(False).astype(bool), "collapse_day"]
        curves[name] = (days.to_numpy(dtype=float), len(group), horizons.get(name, 0))
    if any(len(days) for days, _, _ in curves.values()):
        section.figures.append(
            (figures.collapse_ecdf(curves), "Time to collapse: share of runs collapsed by each day")
        )
    shown = table.assign(
        **{
            "probability [95% Wilson]": [
                f"{p:.0%} [{lo:.0%}, {hi:.0%}]"
                for p, lo, hi in zip(table.p, table.low, table.high, strict=True)
            ]
        }
    ).drop(columns=["p", "low", "high"])
    section.tables.append(("Collapse per scenario", shown.to_dict("records")))
    return section, table


def _axis(values: pd.Series):
    """A swept parameter as heat-map cells: its values, or five quantile bins if many."""
    if values.nunique() <= 8:
        return values
    return pd.qcut(values, 5, duplicates="drop")


def sweep_section(runs: pd.DataFrame, params: list[str]) -> ReportSection | None:
    """Phase diagrams and PRIM for the scenarios that were swept."""
    numeric = [p for p in params if pd.api.types.is_numeric_dtype(runs[p])]
    swept = runs.dropna(subset=numeric, how="all") if numeric else runs.iloc[0:0]
    if swept.empty:
        return None
    section = ReportSection("Which parameter ranges lead to collapse")
    has_collapse = "collapsed" in runs
    outcome = (
        swept["collapsed"].fillna(False).astype(bool)
        if has_collapse
        else swept["share_of_buyers_losing"] > 0.5
    )
    words = "collapsed" if has_collapse else "most buyers lost money (collapse not in this batch)"
    for name, group in swept.groupby("scenario", sort=False):
        used = [p for p in numeric if group[p].notna().all() and group[p].nunique() > 1]
        y = outcome.loc[group.index]
        section.text.append(
            f"{name}: {len(group)} runs over {group['point'].nunique()} points of a sweep of "
            + ", ".join(used)
            + "."
        )
        section.tables.append((f"{name}: every sweep point", _point_rows(group, used, y, words)))
        if len(used) >= 2:
            x_name, y_name = _pair(group[used], y, used)
            cells = group.assign(_x=_axis(group[x_name]), _y=_axis(group[y_name]), _bad=y)
            grouped = cells.groupby(["_x", "_y"], observed=True)
            heat = grouped.agg(
                n=("_bad", "size"), bad=("_bad", "mean"), loss=("share_of_buyers_losing", "mean")
            ).reset_index()
            section.figures.append(
                (
                    figures.heatmap(
                        heat.rename(columns={"_x": x_name, "_y": y_name}),
                        x_name,
                        y_name,
                        "bad",
                        f"{name}: share of runs that {words}",
                    ),
                    f"Phase diagram of {name}: share of runs that {words}",
                )
            )
            section.figures.append(
                (
                    figures.heatmap(
                        heat.rename(columns={"_x": x_name, "_y": y_name}),
                        x_name,
                        y_name,
                        "loss",
                        f"{name}: share of buyers losing (mean)",
                    ),
                    f"Phase diagram of {name}: share of buyers who lost money",
                )
            )
        if y.all() or not y.any():
            section.text.append(
                f"PRIM needs runs that {words} and runs that did not; in {name} "
                + ("all did." if y.all() else "none did.")
            )
            continue
        result = prim(group[used].reset_index(drop=True), y.to_numpy(), alpha=0.1, min_mass=0.05)
        box = result.box
        section.text.append(
            f"PRIM (scenario discovery) for {name}: runs that {words} concentrate where "
            f"{describe_box(result)}. Inside that box {box.density:.0%} of the runs {words} "
            f"(against {result.base_density:.0%} overall); the box holds {box.coverage:.0%} "
            f"of all such runs and {box.mass:.0%} of the runs."
        )
        section.tables.append(
            (
                f"{name}: PRIM box (parameters it narrows)",
                [
                    {
                        "parameter": p,
                        "box from": lo,
                        "box to": hi,
                        "swept from": result.ranges[p][0],
                        "swept to": result.ranges[p][1],
                    }
                    for p, (lo, hi) in result.restricted.items()
                ],
            )
        )
    return section


def _pair(x: pd.DataFrame, y: pd.Series, used: list[str]) -> tuple[str, str]:
    """The two parameters for the phase diagram: those PRIM narrows first, else the first two."""
    if y.any() and not y.all():
        restricted = list(prim(x.reset_index(drop=True), y.to_numpy(), alpha=0.1).restricted)
        ordered = restricted + [p for p in used if p not in restricted]
        return ordered[0], ordered[1]
    return used[0], used[1]


def _point_rows(group: pd.DataFrame, used: list[str], y: pd.Series, words: str) -> list[dict]:
    rows = []
    for point, runs in group.groupby("point"):
        bad = y.loc[runs.index]
        p, low, high = wilson(int(bad.sum()), len(runs))
        _n, mean, _lo, _hi = mean_interval(runs["share_of_buyers_losing"])
        rows.append(
            {
                "point": int(point),
                **{name: runs[name].iloc[0] for name in used},
                "runs": len(runs),
                f"share that {words.split(' (')[0]} [95% Wilson]": (
                    f"{p:.0%} [{low:.0%}, {high:.0%}]"
                ),
                "buyers losing (mean)": f"{mean:.1%}",
            }
        )
    return rows[:60]


def scenarios_section(runs: pd.DataFrame, evidence: list[ScenarioEvidence]) -> ReportSection:
    """The scenarios in this report: runs (``runs`` holds failed ones too), days, stress levers
    and description."""
    scenario_rows = [
        {
            "scenario": item.name,
            "runs": len(runs[runs["scenario"] == item.name]),
            "failed": int((runs[runs["scenario"] == item.name]["status"] == "error").sum()),
            "days": item.horizon,
            "stress levers": ", ".join(levers(item.scenario)) or "none",
            "description": item.scenario.description if item.scenario is not None else "",
        }
        for item in evidence
    ]
    return ReportSection("The scenarios", tables=[("Scenarios in this report", scenario_rows)])
