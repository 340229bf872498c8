"""A report a regulator can read: ``python -m sim report DIR... --out reports/NAME.html``.

Reads one or more batch folders (``python -m sim batch``, :mod:`sim.report.load`) and computes
everything the report shows as one :class:`Report`; :mod:`sim.report.render` writes it as one
self-contained HTML file and a Markdown summary beside it.

From top to bottom: a summary in plain words, harm first (:mod:`sim.report.headline`: the
harm by the net-investment method, who lost on each basis, what was run, collapse and what
it means, the readings of the seeds used, what became of the six claims); the claims table
(:mod:`sim.analysis.claims`); collapse probability per scenario with a 95% Wilson score
interval; the time to collapse; for sweeps, the phase diagrams and the PRIM box; price,
pool and members over time with bands over replicates; participant outcomes with
Student-t intervals (all in :mod:`sim.report.sections_runs`); legal red flags and the
break-even law when those modules are installed (:mod:`sim.report.sections_law`).

Member-level evidence is not in a batch: the report runs a few replicates of each scenario
again (:func:`sim.report.load.rerun_scenario`), and says so when it cannot.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.analysis.claims import ScenarioEvidence, Verdict, judge_claims
from sim.batch.integrity import distinct
from sim.errors import InputError
from sim.i18n import N_, gettext
from sim.report import headline
from sim.report.fonts import drawing
from sim.report.load import first_point, load_batch, rerun_scenario
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


@dataclass
class Report:
    """Everything the report shows, ready to render (:mod:`sim.report.render`)."""

    title: str
    summary: list[tuple[str, list[str]]]  # (heading, sentences)
    verdicts: list[Verdict]
    sections: list[ReportSection]
    notes: list[str]
    source: str = N_("Every number comes from the simulated runs")  # in the page's language
    all_tables_in_markdown: bool = False  # a replay's: every section's tables
    text_in_markdown: bool = False  # the side-by-side report's: every section's paragraphs


def build_report(
    folders: list[str | Path], reruns: int, title: str | None = None, lang: str = "en"
) -> Report:
    """Everything the report shows, computed (nothing written), in ``lang``."""
    _ = gettext(lang)
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
            found, note = rerun_scenario(batch, name, reruns, lang)
            if note:
                notes.append(_("{name}: {note}.").format(name=name, note=_(note)))
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
    verdicts = judge_claims(evidence, lang)
    horizons = {item.name: item.horizon for item in evidence}
    with drawing(lang):
        collapse, table = collapse_section(ok, horizons, lang)
        sections = [claims_section(verdicts, evidence, lang), collapse]
        swept = sweep_section(ok, params, lang)
        if swept is not None:
            sections.append(swept)
        sections.append(series_section(timeseries, point_names(ok, params), lang))
        sections.append(outcomes_section(ok, lang))
        law, compared = law_section(evidence, variants, lang)
        sections.append(law)
        paid, depth = compensation_section(evidence, lang)
    if paid is not None:
        sections.append(paid)
    extras, flagged = extras_section(evidence, lang)
    sections.append(extras)
    sections.append(scenarios_section(runs, evidence, lang))
    failures = runs[runs["status"] == "error"]
    for row in failures.head(10).itertuples():
        notes.append(_("run {key} failed: {error}").format(key=row.key, error=row.error))
    title = title or _("Stress test of a consumption-points scheme: {batches}").format(
        batches=", ".join(str(Path(f).name) for f in folders)
    )
    replicates = sorted({int(b.manifest.get("replicates", 0)) for b in batches})
    summary = headline.summary(replicates, runs, table, verdicts, evidence, lang)
    if compared:
        summary.append((_("The break-even law beside the runs (SPEC §5)"), compared))
    if depth:
        summary.append((_("The distribution layer (SPEC §6, one run per scenario)"), depth))
    if flagged:
        summary.append((_("Legal red flags (SPEC §7, one run per scenario)"), flagged))
    return Report(title, summary, verdicts, sections, notes)
