"""The report's sections read from a batch's own tables: collapse, sweeps, series, outcomes.

Collapse probability per scenario comes with a 95% Wilson score interval (exact enough at 0
and at n runs, where the normal interval collapses to a point), and the time to collapse as the
share of runs collapsed by each day; for sweeps, the phase diagrams and the PRIM box
(:mod:`sim.analysis.discovery`); price, pool and members over time with bands over replicates;
participant outcomes with Student-t intervals (:func:`sim.batch.compare.mean_interval`). None
of these needs a re-run: the ``runs`` and ``timeseries`` tables hold every figure. Each
takes ``lang`` (:mod:`sim.i18n`): its words, captions and figure labels in English or Chinese
(the renderer names the tables' columns, :func:`sim.report.render.header`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.analysis.claims import ScenarioEvidence, levers
from sim.analysis.discovery import describe_box, prim
from sim.batch.compare import mean_interval, wilson
from sim.i18n import N_, gettext
from sim.report import figures
from sim.report.sections import ReportSection, fmt

# outcome metrics shown when the runs table has them: column -> words
OUTCOMES = {
    "net_investment_share_net_losers": N_("net losers: withdrew less than they paid in"),
    "net_investment_clawback_pool": N_("clawback pool: net winners' gains (yuan)"),
    "net_investment_net_losses": N_("net losses (yuan)"),
    "net_investment_credited_on_platform": N_("cash credited but not withdrawn (yuan)"),
    "operator_take_share": N_("operator's take (kept lines but goods, fees, diversion)"),
    "distribution_take_share": N_("distribution layer's take (bonuses paid)"),
    "share_of_buyers_losing": N_("buyers who got less cash out of the platform than they paid in"),
    "share_of_buyers_losing_counting_credited": N_("… counting cash credited, not withdrawn"),
    "share_of_buyers_losing_counting_points": N_("… and their points sold at the end"),
    "share_losing_counting_goods": N_("… counting the goods at their fair value"),
    "share_reaching_1x": N_("buyers back at 1x at the end (cash and bonuses at least their spend)"),
    "share_ever_breaking_even": N_("buyers who ever got back their spend"),
    "share_reaching_cap": N_("buyers who reached the cap (forced exit)"),
    "median_days_to_break_even": N_("median days to break even (those who did)"),
    "gini_net_result": N_("Gini of members' net results (0 equal, 1 one takes all)"),
    "top1_payout_share": N_("share of all payouts to the top 1{percent} of members"),
    "share_payouts_funded_by_others": N_("share of pool payouts funded by other members' money"),
    "money_share_split_lines": N_("money kept by product cost, platform and the other lines"),
    "money_share_rules_not_given": N_("money kept, rules not given (lines the seeds name only)"),
    "money_share_member_fees": N_("money members paid as fees (regions, service points)"),
    "money_share_referral_bonuses": N_("money paid as referral bonuses"),
    "money_share_member_payouts": N_("money paid back to members for their points"),
    "money_share_left_in_pool": N_("money left in the pool at the end"),
    "money_share_operator_diverted": N_("money the operator took from the pool"),
    "money_share_custody_shortfall": N_("money never really held (custody shortfall)"),
    "money_entered": N_("money paid in (yuan)"),
    "paid_to_members": N_("paid to members (yuan)"),
    "withdrawn_by_members": N_("withdrawn by members (yuan)"),
    "unpaid_claims": N_("payouts booked but never paid (yuan)"),
    "members": N_("members who joined"),
    "price_end": N_("price at the end"),
}
# the columns of this module's tables, named for the catalogue (the renderer names them)
COLUMNS = (
    N_("outcome"),
    N_("scenario"),
    N_("runs"),
    N_("collapsed"),
    N_("median day"),
    N_("first day"),
    N_("conditions"),
    N_("probability [95% Wilson]"),
    N_("point"),
    N_("buyers losing (mean)"),
    N_("parameter"),
    N_("box from"),
    N_("box to"),
    N_("swept from"),
    N_("swept to"),
    N_("failed runs"),
    N_("days"),
    N_("stress levers"),
    N_("description"),
)


def outcome_words(column: str, lang: str = "en") -> str:
    """An outcome metric in words ("1%" is a field: a catalogue reads "% o" as printf)."""
    return gettext(lang)(OUTCOMES[column]).format(percent="%")


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


def outcome_rows(runs: pd.DataFrame, lang: str = "en") -> list[dict]:
    rows = []
    for column in OUTCOMES:
        if column not in runs:
            continue
        row = {"outcome": outcome_words(column, lang)}
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


def outcomes_section(runs: pd.DataFrame, lang: str = "en") -> ReportSection:
    """Who gained and who lost: :func:`outcome_rows` of the successful runs."""
    _ = gettext(lang)
    section = ReportSection(_("Who gained and who lost"))
    counts = _(", ").join(
        _("{name}: {runs}").format(name=name, runs=len(group))
        for name, group in runs.groupby("scenario", sort=False)
    )
    section.text.append(
        _(
            "Mean over runs [{level} Student-t interval of the mean; shares kept inside 0 to "
            "{whole}]. Runs per scenario: {counts}."
        ).format(level="95%", whole="100%", counts=counts)
    )
    section.tables.append((_("Outcomes per scenario"), outcome_rows(runs, lang)))
    return section


def _panel(key, names: dict | None = None, lang: str = "en") -> str:
    key = key if isinstance(key, tuple) else (key,)
    if len(key) == 1:
        return str(key[0])
    _ = gettext(lang)
    point = _("point {point}").format(point=key[1])
    return f"{key[0]} · " + ((names or {}).get(key) or point)


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
    timeseries: pd.DataFrame,
    column: str,
    by: list[str],
    names: dict | None = None,
    lang: str = "en",
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
        _panel(key, names, lang): frame.sort_values("day").reset_index(drop=True)
        for key, frame in quantiles.groupby(by, sort=False)
    }


def series_section(
    timeseries: pd.DataFrame, names: dict | None = None, lang: str = "en"
) -> ReportSection:
    _ = gettext(lang)
    section = ReportSection(_("Price, pool and members over time"))
    points = timeseries.groupby(["scenario", "point"]).ngroups
    by = ["scenario"]
    if timeseries["scenario"].nunique() < points <= 12:
        by = ["scenario", "point"]
    section.text.append(
        _(
            "Each panel is one scenario{and_point}: the line is the median over replicates, the "
            "dark band holds the middle half of them, the light band 90{percent} (with few "
            "replicates the light band is close to the lowest and highest run)."
        ).format(and_point=_(" and sweep point") if len(by) == 2 else "", percent="%")
    )
    day = _("day")
    price = bands_of(timeseries, "price", by, names, lang)
    section.figures.append(
        (figures.bands(price, _("price (yuan/point)"), xlabel=day), _("Points price"))
    )
    pool = bands_of(timeseries, "pool", by, names, lang)
    if "pool_cash" in timeseries and (timeseries["pool_cash"] < timeseries["pool"] - 0.005).any():
        cash = bands_of(timeseries, "pool_cash", by, names, lang)
        for label, frame in pool.items():
            frame["extra"] = cash[label]["q50"].to_numpy()
        section.text.append(
            _("Dashed: the cash really in the pool (median), below what is posted.")
        )
    section.figures.append(
        (figures.bands(pool, _("pool (yuan)"), xlabel=day), _("Pool posted by the platform"))
    )
    members = bands_of(timeseries, "members_active", by, names, lang)
    section.figures.append(
        (figures.bands(members, _("members holding points"), xlabel=day), _("Members active"))
    )
    return section


def collapse_section(
    runs: pd.DataFrame, horizons: dict[str, int], lang: str = "en"
) -> tuple[ReportSection, pd.DataFrame | None]:
    _ = gettext(lang)
    section = ReportSection(_("How often, and how soon, it collapsed"))
    table = collapse_table(runs)
    if table is None:
        section.text.append(
            _(
                "This batch has no collapse columns (it was made before collapse detection); "
                "run the batch again with this version to see collapse probabilities."
            )
        )
        return section, None
    section.text.append(
        _(
            "A run collapses on the first day one of the scenario's collapse conditions holds "
            "(see the scenario's collapse section). The interval is the {level} Wilson score "
            "interval for a share: with few runs it is wide, and it is honest at 0 and at "
            "{whole}."
        ).format(level="95%", whole="100%")
    )
    labelled = table.assign(label=table["scenario"])
    bars = figures.collapse_bars(
        labelled,
        _("share of runs that collapsed (bar) and its {level} Wilson interval").format(level="95%"),
    )
    section.figures.append((bars, _("Collapse probability per scenario")))
    curves = {}
    for name, group in runs.groupby("scenario", sort=False):
        days = group.loc[group["collapsed"].fillna(False).astype(bool), "collapse_day"]
        curves[name] = (days.to_numpy(dtype=float), len(group), horizons.get(name, 0))
    if any(len(days) for days, _, _ in curves.values()):
        section.figures.append(
            (
                figures.collapse_ecdf(curves, lang),
                _("Time to collapse: share of runs collapsed by each day"),
            )
        )
    shown = table.assign(
        **{
            "probability [95% Wilson]": [
                f"{p:.0%} [{lo:.0%}, {hi:.0%}]"
                for p, lo, hi in zip(table.p, table.low, table.high, strict=True)
            ]
        }
    ).drop(columns=["p", "low", "high"])
    section.tables.append((_("Collapse per scenario"), shown.to_dict("records")))
    return section, table


def _axis(values: pd.Series):
    """A swept parameter as heat-map cells: its values, or five quantile bins if many."""
    if values.nunique() <= 8:
        return values
    return pd.qcut(values, 5, duplicates="drop")


def sweep_section(runs: pd.DataFrame, params: list[str], lang: str = "en") -> ReportSection | None:
    """Phase diagrams and PRIM for the scenarios that were swept."""
    _ = gettext(lang)
    numeric = [p for p in params if pd.api.types.is_numeric_dtype(runs[p])]
    swept = runs.dropna(subset=numeric, how="all") if numeric else runs.iloc[0:0]
    if swept.empty:
        return None
    section = ReportSection(_("Which parameter ranges lead to collapse"))
    has_collapse = "collapsed" in runs
    outcome = (
        swept["collapsed"].fillna(False).astype(bool)
        if has_collapse
        else swept["share_of_buyers_losing"] > 0.5
    )
    words = (
        _("collapsed") if has_collapse else _("most buyers lost money (collapse not in this batch)")
    )
    for name, group in swept.groupby("scenario", sort=False):
        used = [p for p in numeric if group[p].notna().all() and group[p].nunique() > 1]
        y = outcome.loc[group.index]
        section.text.append(
            _("{name}: {runs} runs over {points} points of a sweep of {params}.").format(
                name=name, runs=len(group), points=group["point"].nunique(), params=", ".join(used)
            )
        )
        section.tables.append(
            (
                _("{name}: every sweep point").format(name=name),
                _point_rows(group, used, y, has_collapse, lang),
            )
        )
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
                        _("{name}: share of runs that {words}").format(name=name, words=words),
                    ),
                    _("Phase diagram of {name}: share of runs that {words}").format(
                        name=name, words=words
                    ),
                )
            )
            section.figures.append(
                (
                    figures.heatmap(
                        heat.rename(columns={"_x": x_name, "_y": y_name}),
                        x_name,
                        y_name,
                        "loss",
                        _("{name}: share of buyers losing (mean)").format(name=name),
                    ),
                    _("Phase diagram of {name}: share of buyers who lost money").format(name=name),
                )
            )
        if y.all() or not y.any():
            section.text.append(
                _("PRIM needs runs that {words} and runs that did not; in {name} {which}").format(
                    words=words, name=name, which=_("all did.") if y.all() else _("none did.")
                )
            )
            continue
        result = prim(group[used].reset_index(drop=True), y.to_numpy(), alpha=0.1, min_mass=0.05)
        box = result.box
        section.text.append(
            _(
                "PRIM (scenario discovery) for {name}: runs that {words} concentrate where "
                "{box}. Inside that box {density} of the runs {words} (against {base} overall); "
                "the box holds {coverage} of all such runs and {mass} of the runs."
            ).format(
                name=name,
                words=words,
                box=describe_box(result),
                density=f"{box.density:.0%}",
                base=f"{result.base_density:.0%}",
                coverage=f"{box.coverage:.0%}",
                mass=f"{box.mass:.0%}",
            )
        )
        section.tables.append(
            (
                _("{name}: PRIM box (parameters it narrows)").format(name=name),
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


SHARE_THAT = {  # the sweep table's column of runs that ended badly
    True: N_("share that collapsed [95% Wilson]"),
    False: N_("share that most buyers lost money [95% Wilson]"),
}


def _point_rows(
    group: pd.DataFrame, used: list[str], y: pd.Series, has_collapse: bool, lang: str
) -> list[dict]:
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
                SHARE_THAT[has_collapse]: f"{p:.0%} [{low:.0%}, {high:.0%}]",
                "buyers losing (mean)": f"{mean:.1%}",
            }
        )
    return rows[:60]


def scenarios_section(
    runs: pd.DataFrame, evidence: list[ScenarioEvidence], lang: str = "en"
) -> ReportSection:
    """The scenarios in this report: runs (``runs`` holds failed ones too), days, stress levers
    and description."""
    _ = gettext(lang)
    failed = "failed" if lang == "en" else "failed runs"  # "failed" is also a claim's verdict
    scenario_rows = [
        {
            "scenario": item.name,
            "runs": len(runs[runs["scenario"] == item.name]),
            failed: int((runs[runs["scenario"] == item.name]["status"] == "error").sum()),
            "days": item.horizon,
            "stress levers": _(", ").join(levers(item.scenario, lang)) or _("none"),
            "description": item.scenario.description if item.scenario is not None else "",
        }
        for item in evidence
    ]
    return ReportSection(
        _("The scenarios"), tables=[(_("Scenarios in this report"), scenario_rows)]
    )
