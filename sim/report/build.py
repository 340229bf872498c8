"""A report a regulator can read: ``python -m sim report DIR... --out reports/NAME.html``.

Reads one or more batch folders (``python -m sim batch``, :mod:`sim.report.load`) and computes
everything the report shows as one :class:`Report`; :mod:`sim.report.render` writes it as one
self-contained HTML file and a Markdown summary beside it.

From top to bottom: a summary in plain words (what was run, how often it collapsed, who
lost, what became of the six claims); the claims table (:mod:`sim.analysis.claims`); collapse
probability per scenario with a 95% Wilson score interval; the time to collapse; for sweeps,
the phase diagrams and the PRIM box; price, pool and members over time with bands over
replicates; participant outcomes with Student-t intervals (all in
:mod:`sim.report.sections_runs`); legal red flags and the break-even law when those modules
are installed (:mod:`sim.report.sections_law`).

Member-level evidence is not in a batch: the report runs a few replicates of each scenario
again (:func:`sim.report.load.rerun_scenario`), and says so when it cannot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.analysis.claims import ScenarioEvidence, Verdict, judge_claims
from sim.batch.compare import mean_interval
from sim.batch.integrity import distinct
from sim.errors import InputError
from sim.report.load import Batch, first_point, load_batch, rerun_scenario
from sim.report.sections import ReportSection
from sim.report.sections_law import (
    claims_section,
    compensation_section,
    extras_section,
    law_section,
)
from sim.report.sections_runs import (
    collapse_section,
    outcomes_section,
    point_names,
    scenarios_section,
    series_section,
    sweep_section,
)

CONDITIONS = {  # collapse conditions in the summary's words
    "operator_halt": "the operator halted the platform",
    "unpaid_withdrawals": "payouts went unpaid or withdrawals queued up",
    "pool_drawdown": "the pool fell far below its peak",
    "inflow_stall": "new money dried up",
    "loss_majority": "most buyers were below break-even",
}


@dataclass
class Report:
    """Everything the report shows, ready to render (:mod:`sim.report.render`)."""

    title: str
    summary: list[tuple[str, list[str]]]  # (heading, sentences)
    verdicts: list[Verdict]
    sections: list[ReportSection]
    notes: list[str]


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


def build_report(folders: list[str | Path], reruns: int, title: str | None = None) -> Report:
    """Everything the report shows, computed (nothing written)."""
    if not folders:
        raise InputError("give at least one batch folder")
    batches = [load_batch(folder) for folder in distinct(folders)]
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
    sections.append(outcomes_section(ok))
    law, compared = law_section(evidence, variants)
    sections.append(law)
    paid, depth = compensation_section(evidence)
    if paid is not None:
        sections.append(paid)
    extras, flagged = extras_section(evidence)
    sections.append(extras)
    sections.append(scenarios_section(runs, evidence))
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
