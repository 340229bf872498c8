"""A report a regulator can read: ``python -m sim report DIR... --out reports/NAME.html``.

Reads one or more batch folders (``python -m sim batch``), and writes one self-contained HTML
file — figures embedded as PNG ``data:`` URIs, no script, no link to anywhere, every piece of
scenario text escaped — and a Markdown summary beside it (``NAME.md``), all or nothing.

From top to bottom: a summary in plain words (what was run, how often it collapsed, who
lost, what became of the six claims); the claims table (:mod:`sim.analysis.claims`); collapse
probability per scenario with a 95% Wilson score interval (exact enough at 0 and at n runs,
where the normal interval collapses to a point); the time to collapse (share of runs
collapsed by each day); for sweeps, the phase diagrams and the PRIM box
(:mod:`sim.analysis.discovery`); price, pool and members over time with bands over replicates;
participant outcomes with Student-t intervals (:func:`sim.batch.compare.mean_interval`); legal red
flags and the break-even law when those modules are installed.

Member-level evidence (who exits when, what old members got, what subsidies change) is not
in a batch, so the report runs a few replicates of each scenario again — a run is a pure
function of its scenario and seed — after checking the scenario file is the one the batch
ran (its sha256), and says so when it cannot.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.dataset as ds
from jinja2 import Environment

from sim.analysis import breakeven, compensation, lawcheck, redflags
from sim.analysis.claims import (
    FAILED,
    HELD,
    Rerun,
    ScenarioEvidence,
    Verdict,
    judge_claims,
    levers,
)
from sim.analysis.discovery import describe_box, prim
from sim.batch.compare import mean_interval
from sim.errors import InputError
from sim.outputs import staged
from sim.report import figures

Z95 = 1.959963984540054
DEPTH_ROWS = 12  # levels shown one by one; deeper ones in one row

SERIES = (
    "scenario",
    "point",
    "replicate",
    "day",
    "price",
    "pool",
    "pool_cash",
    "members_active",
    "members_total",
    "orders",
    "inflow",
    "order_volume",
    "subsidies",
    "panic",
)

# outcome metrics shown when the runs table has them: column -> words
OUTCOMES = {
    "share_of_buyers_losing": "buyers who got back less cash than they spent",
    "share_of_buyers_losing_counting_points": "… even after selling their points at the end",
    "share_losing_counting_goods": "… counting the goods at their fair value",
    "share_reaching_1x": "buyers back at 1x at the end (cash and bonuses at least their spend)",
    "share_ever_breaking_even": "buyers who ever got back their spend",
    "share_reaching_cap": "buyers who reached the cap (forced exit)",
    "median_days_to_break_even": "median days to break even (those who did)",
    "gini_net_result": "Gini of members' net results (0 equal, 1 one takes all)",
    "top1_payout_share": "share of all payouts to the top 1% of members",
    "share_payouts_funded_by_others": "share of pool payouts funded by other members' money",
    "money_share_split_lines": "money kept by product cost, platform and the other lines",
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

CONDITIONS = {
    "operator_halt": "the operator halted the platform",
    "unpaid_withdrawals": "payouts went unpaid or withdrawals queued up",
    "pool_drawdown": "the pool fell far below its peak",
    "inflow_stall": "new money dried up",
    "loss_majority": "most buyers were below break-even",
}


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float, float]:
    """Share ``k / n`` with its Wilson score interval (95% by default)."""
    if n == 0:
        return math.nan, math.nan, math.nan
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    low = 0.0 if k == 0 else max(0.0, centre - half)  # exact at the ends, not 1e-17 off
    high = 1.0 if k == n else min(1.0, centre + half)
    return p, low, high


# -- reading batches --------------------------------------------------------------------------


@dataclass
class Batch:
    folder: Path
    manifest: dict
    runs: pd.DataFrame  # every run, failed ones too
    timeseries: pd.DataFrame
    params: list[str]  # swept parameters (dotted paths)
    scenarios: dict[str, tuple[object, list[dict], str]] = field(default_factory=dict)
    # name -> (Scenario or None, design points, why not available)


def load_batch(folder: str | Path) -> Batch:
    """A finished batch folder, checked: one line of :class:`InputError` if it is not one."""
    folder = Path(folder)
    manifest_path = folder / "manifest.json"
    if not folder.is_dir() or not manifest_path.is_file():
        raise InputError("is not a batch folder (no manifest.json)", file=folder)
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        expected = int(manifest["runs"])
    except (ValueError, KeyError, TypeError) as error:
        raise InputError(f"manifest.json is not a batch manifest ({error})", file=folder) from None
    files = sorted((folder / "runs").glob("*.parquet"))
    if len(files) < expected:
        raise InputError(
            f"the batch is incomplete: {len(files)} of {expected} runs finished; run its "
            f"command again to finish it ({manifest.get('command') or 'python -m sim batch'})",
            file=folder,
        )
    runs = pd.read_parquet(folder / "runs")
    names = list(runs.columns)
    params = names[names.index("seed") + 1 : names.index("status")]
    ok = runs[runs["status"] == "ok"]
    series = folder / "timeseries"
    if len(ok) and not any(series.glob("*.parquet")):
        raise InputError("has runs but no timeseries/*.parquet", file=folder)
    if len(ok):
        dataset = ds.dataset(series, format="parquet")
        columns = [c for c in SERIES if c in dataset.schema.names]
        timeseries = dataset.to_table(columns=columns).to_pandas()
    else:
        timeseries = pd.DataFrame(columns=list(SERIES))
    batch = Batch(folder, manifest, runs, timeseries, params)
    for entry in manifest.get("scenarios", []):
        batch.scenarios[entry["name"]] = _scenario_of(entry)
    return batch


def _scenario_of(entry: dict) -> tuple[object, list[dict], str]:
    """The scenario a batch ran, if its file is still the same; else why not."""
    from sim.scenario.sweep import load_design

    path = Path(entry.get("file", ""))
    if not path.is_file():
        return None, [], f"scenario file {path} not found"
    if hashlib.sha256(path.read_bytes()).hexdigest() != entry.get("sha256"):
        return None, [], f"scenario file {path} changed since the batch ran"
    try:
        scenario, points = load_design(path)
    except InputError as error:
        return None, [], f"scenario file no longer loads ({error})"
    return scenario, points, ""


# -- member-level evidence: re-runs ----------------------------------------------------------


def first_point(batch: Batch, name: str) -> tuple[object | None, str]:
    """The scenario as the batch ran its first sweep point (the scenario itself when it is not
    a sweep), or None and why not."""
    from sim.scenario.sweep import apply_point

    scenario, points, why = batch.scenarios.get(name, (None, [], "not in the manifest"))
    if scenario is None:
        return None, why
    return (apply_point(scenario, points[0], index=0) if points and points[0] else scenario), ""


def rerun_scenario(batch: Batch, name: str, count: int) -> tuple[list[Rerun], str]:
    """Replicates 0..count-1 of the scenario's first sweep point, run again, each also without
    its subsidies and without its legacy points when it has them (same seed)."""
    from sim.batch.run import member_rows, simulate, summarize

    variant, why = first_point(batch, name)
    if variant is None:
        return [], why
    if count <= 0:
        return [], "re-runs were switched off (--reruns 0)"
    rows = batch.runs[
        (batch.runs["scenario"] == name)
        & (batch.runs["point"] == 0)
        & (batch.runs["status"] == "ok")
    ].sort_values("replicate")
    days = batch.manifest.get("days")

    def one(definition, seed) -> tuple[dict, pd.DataFrame]:
        model = simulate(definition, seed, days)
        try:
            members = member_rows(model)
            return summarize(model, members), pd.DataFrame(members)
        finally:
            model.close()

    reruns, note = [], ""
    for _, row in rows.head(count).iterrows():
        summary, members = one(variant, int(row["seed"]))
        if summary["orders"] != row["orders"] or summary["price_end"] != row["price_end"]:
            note = "a re-run differs from the batch (the code changed since it ran)"
        rerun = Rerun(int(row["replicate"]), summary, members)
        stress = variant.stress
        if stress.subsidies:
            without = variant.model_copy(
                update={"stress": stress.model_copy(update={"subsidies": ()})}
            )
            rerun.without["subsidies"] = one(without, int(row["seed"]))[0]
        if stress.legacy is not None:
            without = variant.model_copy(
                update={"stress": stress.model_copy(update={"legacy": None})}
            )
            rerun.without["legacy"] = one(without, int(row["seed"]))[0]
        reruns.append(rerun)
    return reruns, note or ("" if reruns else "no successful run of the first point")


# -- the report's content ----------------------------------------------------------------------


@dataclass
class Section:
    title: str
    text: list[str] = field(default_factory=list)
    figures: list[tuple[str, str]] = field(default_factory=list)  # (data URI, caption)
    tables: list[tuple[str, list[dict]]] = field(default_factory=list)  # (caption, rows)


@dataclass
class Report:
    title: str
    summary: list[tuple[str, list[str]]]  # (heading, sentences)
    verdicts: list[Verdict]
    sections: list[Section]
    notes: list[str]


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        value = float(value)
        if value != 0 and abs(value) < 0.01:
            return f"{value:.3g}"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:,.2f}" if abs(value) >= 100 else f"{value:.4g}"
    return str(value)


def _plain_rows(rows: list[dict]) -> list[dict]:
    """Rows with only scalar cells (nested tables are shown as figures)."""
    return [
        {k: v for k, v in row.items() if not isinstance(v, pd.DataFrame | list | dict)}
        for row in rows
    ]


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
            share = column.startswith(("share", "top1", "money_share"))
            show = (lambda v: f"{min(max(v, 0.0), 1.0):.1%}") if share else _fmt
            if math.isnan(mean):  # nothing to measure in any run (e.g. no pool payouts)
                row[name] = "–"
                continue
            if not share and np.all(values.dropna() % 1 == 0) and mean % 1 == 0:
                show = lambda v: f"{v:,.0f}"  # noqa: E731 - counts stay whole
            row[name] = show(mean) + ("" if math.isnan(low) else f" [{show(low)}, {show(high)}]")
        rows.append(row)
    return rows


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
            f"{p.rsplit('.', 1)[-1]}={_fmt(group[p].iloc[0])}"
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


def series_section(timeseries: pd.DataFrame, names: dict | None = None) -> Section:
    section = Section("Price, pool and members over time")
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
) -> tuple[Section, pd.DataFrame | None]:
    section = Section("How often, and how soon, it collapsed")
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


def sweep_section(runs: pd.DataFrame, params: list[str]) -> Section | None:
    """Phase diagrams and PRIM for the scenarios that were swept."""
    numeric = [p for p in params if pd.api.types.is_numeric_dtype(runs[p])]
    swept = runs.dropna(subset=numeric, how="all") if numeric else runs.iloc[0:0]
    if swept.empty:
        return None
    section = Section("Which parameter ranges lead to collapse")
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


def law_section(
    evidence: list[ScenarioEvidence], variants: dict[str, object]
) -> tuple[Section, list[str]]:
    """The break-even law (SPEC §5) and, beside it, what the runs' orders needed
    (:mod:`sim.analysis.lawcheck`, every replicate of each scenario's first point); and a sentence
    per scenario for the summary."""
    section, said = Section("The break-even law beside the runs"), []
    laws: dict[str, list[str]] = {}  # the same law for many scenarios: explained once
    panels, compared = {}, []
    for item in evidence:
        scenario = variants.get(item.name)
        if scenario is None:
            continue
        rows = breakeven.law_table(scenario)
        shown = tuple((row["label"], row["law_growth"]) for row in rows)
        laws.setdefault(breakeven.describe(scenario, rows).splitlines()[-1], []).append(item.name)
        series = item.timeseries
        if not {"price", "order_volume"} <= set(series.columns) or not len(series):
            said.append(f"{item.name}: the batch has no daily order volume to compare with.")
            continue
        wanted = lawcheck.targets(scenario)
        first = series[series["point"] == series["point"].min()]
        paths = lawcheck.compare(first, wanted)
        table = lawcheck.table(paths, wanted) if wanted and len(paths) else []
        section.text.append(lawcheck.sentence(item.name, table, float(scenario.points.mint_ratio)))
        said.append(lawcheck.headline(item.name, table))
        if table:
            panels[item.name] = (paths, wanted)
            compared.append((item.name, table))
        elif not wanted:
            section.tables.append(
                (
                    f"Break-even law: {item.name}",
                    [{"points worth": label, "law": _growth(g)} for label, g in shown],
                )
            )
    laws_text = [f"{', '.join(names)}: {text}" for text, names in laws.items()]
    section.text[:0] = [
        *laws_text,
        (
            "Beside the law, the runs: for the first order of each day, the growth of the "
            "platform's cumulative order volume between the order and the first day its points "
            "were worth 1x, 2x or the exit cap of what it paid (the price, not any member's "
            "choice, decides that: an order's points are worth the price times what it minted), "
            "read from the daily series of every replicate. Where the grey curve (the growth "
            "still to come by the run's end) is below a dashed line (the law's), the law says an "
            "order placed that day could not get there within the run; the dots show how much "
            "growth the orders that did get there needed."
        ),
    ]
    if panels:
        section.figures.append(
            (
                figures.law_beside_runs(panels),
                "Growth of cumulative orders each day's first order needed before its points "
                "were worth each multiple (dots, every replicate), the law's figure (dashed) and "
                "the growth still to come by the end (grey)",
            )
        )
    for name, table in compared:
        section.tables.append((f"Break-even law beside the runs: {name}", _law_rows(table)))
    return section, said


def _growth(value: float | None) -> str:
    return "never" if value is None else f"{value:,.1f}x"


def _law_rows(table: list[dict]) -> list[dict]:
    """:func:`sim.analysis.lawcheck.table` rows in words: growth as ``182.0x``, shares as
    percents."""
    out = []
    for row in table:
        shown = {}
        for key, value in row.items():
            if "growth" in key and not isinstance(value, str):
                shown[key] = "–" if value is None else _growth(value)
            elif "share" in key and value is not None:
                shown[key] = lawcheck.percent(value)
            else:
                shown[key] = value
        out.append(shown)
    return out


def compensation_section(evidence: list[ScenarioEvidence]) -> tuple[Section | None, list[str]]:
    """How deep and on what the distribution layer paid (SPEC §6,
    :mod:`sim.analysis.compensation`), on
    the first re-run of each scenario that has the layer; None when none has it."""
    section, said = Section("Compensation: who the distribution layer paid, and how deep"), []
    named = {}
    for item in evidence:
        if not item.reruns or "distribution" not in item.reruns[0].summary:
            continue
        first = item.reruns[0]
        named[item.name] = first.summary
        said.append(compensation.sentence(item.name, first.summary))
        caption = f"{item.name} (replicate {first.replicate})"
        section.tables += [
            (
                f"{caption}: the distribution layer in figures",
                compensation.headline_rows(first.summary, first.members),
            ),
            (
                f"{caption}: paid by level above the buyer",
                _shares_in_percent(compensation.depth_rows(first.summary, fold_after=DEPTH_ROWS)),
            ),
            (
                f"{caption}: what triggered the pay",
                _shares_in_percent(compensation.reason_rows(first.summary)),
            ),
            (
                f"{caption}: paid by rule",
                _shares_in_percent(compensation.rule_rows(first.summary)),
            ),
        ]
    if not named:
        return None, []
    section.text = [
        "Levels count up the referral network from the buyer: level 1 is the buyer's sponsor. "
        "Pay on a recruit's first order is pay for recruiting (拉人头); pay on later orders of "
        "the downline is team pay (团队计酬); both are marks of pyramid selling in the "
        "Regulations on Prohibition of Pyramid Selling, Art. 7. The red flags below count the "
        "deepest level paid, with the platform on top as the organiser.",
        *said,
    ]
    figure = compensation.depth_figure(named)
    if figure is not None:
        section.figures.append((figure, "Distribution payouts by level above the buyer (yuan)"))
    return section, said


def _shares_in_percent(rows: list[dict]) -> list[dict]:
    """Columns named ``share…`` or ``…_share`` shown as percents, the rest as they are."""
    return [
        {
            key: lawcheck.percent(value)
            if "share" in key and isinstance(value, float | int) and not isinstance(value, bool)
            else value
            for key, value in row.items()
        }
        for row in rows
    ]


def extras_section(evidence: list[ScenarioEvidence]) -> tuple[Section, list[str]]:
    """Red flags (SPEC §7), one re-run per scenario; and a sentence per scenario naming the
    flags raised, for the summary."""
    section, said = Section("Legal red flags"), []
    for item in evidence:
        if item.reruns and item.scenario is not None:
            first = item.reruns[0]
            flags = redflags.red_flags(first.members, first.summary, item.scenario)
            raised = [flag.key.replace("_", " ") for flag in flags if flag.raised]
            said.append(
                f"{item.name}: {len(raised)} of {len(flags)} raised"
                + (f" ({', '.join(raised)})." if raised else ".")
            )
            section.tables.append(
                (
                    f"{item.name}: red flags (replicate {first.replicate})",
                    redflags.flags_table(flags),
                )
            )
    return section, said


def claims_section(verdicts: list[Verdict], evidence: list[ScenarioEvidence]) -> Section:
    section = Section("The six claims, one by one")
    for verdict in verdicts:
        if verdict.rows:
            section.tables.append(
                (f"Claim {verdict.number}: {verdict.verdict}", _plain_rows(verdict.rows))
            )
    cohorts = {
        row["scenario"]: row["cohorts"]
        for row in next(v for v in verdicts if v.number == 2).rows
        if isinstance(row.get("cohorts"), pd.DataFrame)
    }
    if cohorts:
        section.figures.append(
            (
                figures.cohort_exits(cohorts),
                "Claim 2: share of each join cohort forced out within the window (re-runs)",
            )
        )
    return section


def _summary(
    batches: list[Batch],
    runs: pd.DataFrame,
    collapse: pd.DataFrame | None,
    verdicts: list[Verdict],
    evidence: list[ScenarioEvidence],
) -> list[tuple[str, list[str]]]:
    ok = runs[runs["status"] == "ok"]
    replicates = sorted({int(b.manifest.get("replicates", 0)) for b in batches})
    days = sorted({item.horizon for item in evidence})
    ran = [
        f"We simulated {_count(runs['scenario'].nunique(), 'version')} of the points scheme, each "
        f"{' or '.join(map(str, replicates))} times with different random draws (who joins, "
        f"when, how much they buy and when they sell), for {' or '.join(map(str, days))} "
        f"days: {len(runs)} simulated platforms in all"
        + (f", {len(runs) - len(ok)} of which failed to run." if len(ok) < len(runs) else ".")
    ]
    for item in evidence:
        description = item.scenario.description if item.scenario is not None else ""
        ran.append(f"{item.name}: {description}".strip().rstrip(":"))
    collapsed = []
    if collapse is None:
        collapsed.append(
            "Collapse detection is not in this batch (it was made by an older version)."
        )
    else:
        for row in collapse.to_dict("records"):
            text = (
                f"{row['scenario']}: collapsed in {row['collapsed']} of {row['runs']} runs "
                f"({row['p']:.0%}; 95% interval {row['low']:.0%} to {row['high']:.0%})"
            )
            if row["collapsed"]:
                top = row["conditions"].split(" (")[0]
                text += (
                    f", typically around day {row['median day']:.0f}; most often because "
                    f"{CONDITIONS.get(top, top)}"
                )
            collapsed.append(text + ".")
    lost = []
    for name, group in ok.groupby("scenario", sort=False):
        _n, mean, low, high = mean_interval(group["share_of_buyers_losing"])
        text = (
            f"{name}: on average {mean:.0%} of the members who bought got back less cash than "
            "they spent"
        )
        if not math.isnan(low):
            text += f" (95% interval {max(low, 0):.0%} to {min(high, 1):.0%})"
        if "share_of_buyers_losing_counting_points" in group:
            text += (
                f"; {group['share_of_buyers_losing_counting_points'].mean():.0%} would still be "
                "behind after selling the points they hold at the final price"
            )
        if "share_losing_counting_goods" in group:
            text += (
                f"; counting the goods they received at a fair value, "
                f"{group['share_losing_counting_goods'].mean():.0%} lost"
            )
        lost.append(text + ".")
    claims = [
        f"Claim {v.number}, “{v.claim}” — {v.verdict.upper()}. {v.headline}" for v in verdicts
    ]
    return [
        ("What was run", ran),
        ("How often it collapsed", collapsed),
        ("Who lost money", lost),
        ("The vendor's claims", claims),
    ]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def build_report(folders: list[str | Path], reruns: int = 2, title: str | None = None) -> Report:
    """Everything the report shows, computed (nothing written)."""
    if not folders:
        raise InputError("give at least one batch folder")
    batches = [load_batch(folder) for folder in folders]
    seen: dict[str, Path] = {}
    for batch in batches:
        for name in batch.runs["scenario"].unique():
            if name in seen:
                raise InputError(
                    f"scenario '{name}' is in two batches ({seen[name]} and {batch.folder}); "
                    "report them separately",
                    file=batch.folder,
                )
            seen[name] = batch.folder
    runs = pd.concat([b.runs for b in batches], ignore_index=True)
    ok = runs[runs["status"] == "ok"]
    if ok.empty:
        raise InputError("no run of these batches succeeded; nothing to report", file=folders[0])
    timeseries = pd.concat([b.timeseries for b in batches if len(b.timeseries)], ignore_index=True)
    params = list(dict.fromkeys(p for b in batches for p in b.params))
    notes = []
    evidence = []
    variants = {}
    for batch in batches:
        for name in batch.runs["scenario"].unique():
            variants[name] = first_point(batch, name)[0]
            series = timeseries[timeseries["scenario"] == name]
            horizon = int(series["day"].max()) + 1 if len(series) else 0
            found, note = rerun_scenario(batch, name, reruns)
            if note:
                notes.append(f"{name}: {note}.")
            evidence.append(
                ScenarioEvidence(
                    name,
                    batch.scenarios.get(name, (None,))[0],
                    ok[ok["scenario"] == name],
                    series,
                    horizon,
                    found,
                    note if not found else "",
                )
            )
    evidence = [item for item in evidence if len(item.runs)]
    verdicts = judge_claims(evidence)
    horizons = {item.name: item.horizon for item in evidence}
    collapse, table = collapse_section(ok, horizons)
    sections = [claims_section(verdicts, evidence), collapse]
    swept = sweep_section(ok, params)
    if swept is not None:
        sections.append(swept)
    sections.append(series_section(timeseries, point_names(ok, params)))
    outcomes = Section("Who gained and who lost")
    outcomes.text.append("Mean over runs [95% Student-t interval of the mean].")
    outcomes.tables.append(("Outcomes per scenario", outcome_rows(ok)))
    sections.append(outcomes)
    law, compared = law_section(evidence, variants)
    sections.append(law)
    paid, depth = compensation_section(evidence)
    if paid is not None:
        sections.append(paid)
    extras, flagged = extras_section(evidence)
    sections.append(extras)
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
    sections.append(Section("The scenarios", tables=[("Scenarios in this report", scenario_rows)]))
    failures = runs[runs["status"] == "error"]
    for row in failures.head(10).itertuples():
        notes.append(f"run {row.key} failed: {row.error}")
    title = title or "Stress test of a consumption-points scheme: " + ", ".join(
        str(Path(f).name) for f in folders
    )
    summary = _summary(batches, runs, table, verdicts, evidence)
    if compared:
        summary.append(("The break-even law beside the runs (SPEC §5)", compared))
    if depth:
        summary.append(("The distribution layer (SPEC §6, one run per scenario)", depth))
    if flagged:
        summary.append(("Legal red flags (SPEC §7, one run per scenario)", flagged))
    return Report(title, summary, verdicts, sections, notes)


# -- writing ------------------------------------------------------------------------------------

TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ report.title }}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC",
"Microsoft YaHei",sans-serif;max-width:1020px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
.summary{background:#f6f7f9;border:1px solid #dde;padding:.5em 1.2em;border-radius:6px}
table{border-collapse:collapse;margin:.6em 0 1.4em;font-size:.86em;display:block;overflow-x:auto}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#eef}caption{text-align:left;font-weight:600;padding:.3em 0}
.held{color:#1a6b1a;font-weight:700}.failed{color:#b00;font-weight:700}
.untestable{color:#666;font-weight:700}
figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.9em;color:#555}
</style></head><body>
<h1>{{ report.title }}</h1>
<div class="summary" id="summary">
{% for heading, sentences in report.summary %}<h3>{{ heading }}</h3><ul>
{% for s in sentences %}<li>{{ s }}</li>{% endfor %}</ul>
{% endfor %}</div>
<h2 id="claims">The vendor's claims, tested</h2>
<table><tr><th>#</th><th>claim (SPEC §5)</th><th>verdict</th><th>evidence</th></tr>
{% for v in report.verdicts %}<tr><td>{{ v.number }}</td><td>{{ v.claim }}</td>
<td class="{{ css(v.verdict) }}">{{ v.verdict }}</td><td>{{ v.evidence }}</td></tr>
{% endfor %}</table>
{% for section in report.sections %}<h2>{{ section.title }}</h2>
{% for t in section.text %}<p>{{ t }}</p>{% endfor %}
{% for uri, caption in section.figures %}<figure><img src="{{ uri }}" alt="{{ caption }}">
<figcaption>{{ caption }}</figcaption></figure>{% endfor %}
{% for caption, rows in section.tables %}{% if rows %}<table><caption>{{ caption }}</caption>
<tr>{% for k in columns(rows) %}<th>{{ k }}</th>{% endfor %}</tr>
{% for row in rows %}<tr>{% for k in columns(rows) %}<td>{{ fmt(row.get(k)) }}</td>{% endfor %}</tr>
{% endfor %}</table>{% endif %}{% endfor %}
{% endfor %}
{% if report.notes %}<h2>Notes</h2><ul>{% for n in report.notes %}<li>{{ n }}</li>{% endfor %}</ul>
{% endif %}
<p><small>Made by consumption-points-sim {{ version }}. Every number comes from the simulated
runs; nothing in this file is loaded from the network.</small></p>
</body></html>
"""


def _columns(rows: list[dict]) -> list[str]:
    return list(dict.fromkeys(k for row in rows for k in row))


def _css(verdict: str) -> str:
    return {HELD: "held", FAILED: "failed"}.get(verdict, "untestable")


def render_html(report: Report) -> str:
    from sim import __version__

    environment = Environment(autoescape=True)
    template = environment.from_string(TEMPLATE)
    return template.render(report=report, columns=_columns, fmt=_fmt, css=_css, version=__version__)


def _md(text: str) -> str:
    """Scenario text in Markdown: HTML special characters escaped (a viewer renders raw HTML)."""
    return html.escape(str(text), quote=False)


def _md_cell(value) -> str:
    return _md(_fmt(value)).replace("|", "\\|").replace("\n", " ")


def _md_table(rows: list[dict]) -> str:
    columns = _columns(rows)
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_md_cell(row.get(c)) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


MARKDOWN_SECTIONS = (  # the sections whose tables the Markdown summary repeats
    "How often",
    "Who gained",
    "The break-even law",
    "Compensation",
    "Legal red flags",
)


def render_markdown(report: Report, html_name: str) -> str:
    parts = [f"# {_md(report.title)}", "", f"Figures and tables: [{html_name}]({html_name}).", ""]
    for heading, sentences in report.summary:
        parts += [f"## {heading}", "", *[f"- {_md(s)}" for s in sentences], ""]
    parts += ["## The claims, tested", ""]
    parts.append(
        _md_table(
            [
                {"#": v.number, "claim": v.claim, "verdict": v.verdict, "evidence": v.evidence}
                for v in report.verdicts
            ]
        )
    )
    for section in report.sections:
        if section.title.startswith(MARKDOWN_SECTIONS):
            parts += ["", f"## {section.title}", ""]
            for caption, rows in section.tables:
                if rows:
                    parts += [f"{caption}:", "", _md_table(rows), ""]
    if report.notes:
        parts += ["", "## Notes", "", *[f"- {_md(n)}" for n in report.notes]]
    return "\n".join(parts).rstrip() + "\n"


def write_report(
    folders: list[str | Path], out: str | Path, reruns: int = 2, title: str | None = None
) -> tuple[Path, Path]:
    """Build the report and write ``out`` (.html) and the .md beside it, all or nothing."""
    out = Path(out)
    if out.suffix.lower() != ".html":
        raise InputError("--out must name an .html file, e.g. reports/NAME.html", file=out)
    if out.is_dir():
        raise InputError("output path is a folder; give a file name ending in .html", file=out)
    report = build_report(folders, reruns, title)
    page = render_html(report)
    markdown = render_markdown(report, out.name)
    markdown_path = out.with_suffix(".md")
    with staged(out.parent) as stage:
        (stage / out.name).write_text(page, encoding="utf-8")
        (stage / markdown_path.name).write_text(markdown, encoding="utf-8")
    return out, markdown_path
