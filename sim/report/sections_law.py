"""The report's sections on the law and the vendor's claims: the break-even law beside the runs,
the distribution layer's pay, the legal red flags and the six claims one by one.

They read the scenarios (the law is a function of the rules) and the re-runs' member tables
(:mod:`sim.report.load`), not only the batch's tables; each builder that feeds the summary also
returns its sentences for it.
"""

from __future__ import annotations

import pandas as pd

from sim.analysis import breakeven, compensation, lawcheck, redflags
from sim.analysis.claims import ScenarioEvidence, Verdict
from sim.report import figures
from sim.report.sections import ReportSection

DEPTH_ROWS = 12  # levels shown one by one; deeper ones in one row


def law_section(
    evidence: list[ScenarioEvidence], variants: dict[str, object]
) -> tuple[ReportSection, list[str]]:
    """The break-even law (SPEC §5) and, beside it, what the runs' orders needed
    (:mod:`sim.analysis.lawcheck`, every replicate of each scenario's first point); and a sentence
    per scenario for the summary."""
    section, said = ReportSection("The break-even law beside the runs"), []
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


def compensation_section(
    evidence: list[ScenarioEvidence],
) -> tuple[ReportSection | None, list[str]]:
    """How deep and on what the distribution layer paid (SPEC §6,
    :mod:`sim.analysis.compensation`), on
    the first re-run of each scenario that has the layer; None when none has it."""
    section, said = ReportSection("Compensation: who the distribution layer paid, and how deep"), []
    named = {}
    for item in evidence:
        if not item.reruns or item.reruns[0].layer is None:
            continue
        first = item.reruns[0]
        named[item.name] = first.layer
        said.append(compensation.sentence(item.name, first.layer, first.summary))
        caption = f"{item.name} (replicate {first.replicate})"
        section.tables += [
            (
                f"{caption}: the distribution layer in figures",
                compensation.headline_rows(first.layer, first.summary, first.members),
            ),
            (
                f"{caption}: paid by level above the buyer",
                _shares_in_percent(compensation.depth_rows(first.layer, fold_after=DEPTH_ROWS)),
            ),
            (
                f"{caption}: what triggered the pay",
                _shares_in_percent(compensation.reason_rows(first.layer)),
            ),
            (
                f"{caption}: paid by rule",
                _shares_in_percent(compensation.rule_rows(first.layer)),
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
    figure = figures.depth_figure(named)
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


def extras_section(evidence: list[ScenarioEvidence]) -> tuple[ReportSection, list[str]]:
    """Red flags (SPEC §7), one re-run per scenario; and a sentence per scenario naming the
    flags raised, for the summary."""
    section, said = ReportSection("Legal red flags"), []
    for item in evidence:
        if item.reruns and item.scenario is not None:
            first = item.reruns[0]
            flags = first.summary["red_flags"]  # as the run's summary.json holds them
            raised = [
                flag["key"].replace("_", " ")
                + (f" ({flag['reading']} reading)" if flag["key"].startswith("pyramid") else "")
                for flag in flags
                if flag["raised"]
            ]
            said.append(
                f"{item.name}: {len(raised)} of {len(flags)} raised"
                + (f" ({', '.join(raised)})." if raised else ".")
                + " Pyramid flags are measured on one organisation at a time: under the "
                "'platform' reading (the default: the operator writes the pay plan and is paid "
                "on every order) and under the 'leader' reading (each top member's team alone)."
            )
            section.tables.append(
                (
                    f"{item.name}: red flags (replicate {first.replicate})",
                    redflags.flags_table(flags),
                )
            )
    return section, said


def claims_section(verdicts: list[Verdict], evidence: list[ScenarioEvidence]) -> ReportSection:
    section = ReportSection("The six claims, one by one")
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


def _plain_rows(rows: list[dict]) -> list[dict]:
    """Rows with only scalar cells (nested tables are shown as figures)."""
    return [
        {k: v for k, v in row.items() if not isinstance(v, pd.DataFrame | list | dict)}
        for row in rows
    ]
