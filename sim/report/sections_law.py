"""The report's sections on the law and the vendor's claims: the break-even law beside the runs,
the distribution layer's pay, the legal red flags and the six claims one by one.

They read the scenarios (the law is a function of the rules) and the re-runs' member tables
(:mod:`sim.report.load`), not only the batch's tables; each builder that feeds the summary also
returns its sentences for it. Each takes ``lang`` (:mod:`sim.i18n`): English or Chinese.
"""

from __future__ import annotations

import pandas as pd

from sim.analysis import breakeven, compensation, lawcheck, redflags
from sim.analysis.claims import ScenarioEvidence, Verdict, verdict_word
from sim.analysis.flag import flag_and_reading, statute_text
from sim.i18n import N_, gettext
from sim.report import figures
from sim.report.sections import ReportSection

DEPTH_ROWS = 12  # levels shown one by one; deeper ones in one row


def law_section(
    evidence: list[ScenarioEvidence], variants: dict[str, object], lang: str = "en"
) -> tuple[ReportSection, list[str]]:
    """The break-even law (SPEC §5) and, beside it, what the runs' orders needed
    (:mod:`sim.analysis.lawcheck`, every replicate of each scenario's first point); and a sentence
    per scenario for the summary."""
    _ = gettext(lang)
    section, said = ReportSection(_("The break-even law beside the runs")), []
    laws: dict[str, list[str]] = {}  # the same law for many scenarios: explained once
    panels, compared = {}, []
    for item in evidence:
        scenario = variants.get(item.name)
        if scenario is None:
            continue
        rows = breakeven.law_table(scenario)
        shown = tuple((row["label"], row["law_growth"]) for row in rows)
        law = breakeven.describe(scenario, rows, lang).splitlines()[-1]
        laws.setdefault(law, []).append(item.name)
        series = item.timeseries
        if not {"price", "order_volume"} <= set(series.columns) or not len(series):
            said.append(
                _("{name}: the batch has no daily order volume to compare with.").format(
                    name=item.name
                )
            )
            continue
        wanted = lawcheck.targets(scenario)
        first = series[series["point"] == series["point"].min()]
        paths = lawcheck.compare(first, wanted)
        table = lawcheck.table(paths, wanted) if wanted and len(paths) else []
        mint = float(scenario.points.mint_ratio)
        section.text.append(lawcheck.sentence(item.name, table, mint, lang))
        said.append(lawcheck.headline(item.name, table, lang))
        if table:
            panels[item.name] = (paths, wanted)
            compared.append((item.name, table))
        elif not wanted:
            section.tables.append(
                (
                    _("Break-even law: {name}").format(name=item.name),
                    [{"points worth": label, "law": _growth(g, _)} for label, g in shown],
                )
            )
    laws_text = [
        _("{names}: {law}").format(names=_(", ").join(names), law=text)
        for text, names in laws.items()
    ]
    section.text[:0] = [
        *laws_text,
        _(
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
                figures.law_beside_runs(panels, lang),
                _(
                    "Growth of cumulative orders each day's first order needed before its points "
                    "were worth each multiple (dots, every replicate), the law's figure (dashed) "
                    "and the growth still to come by the end (grey)"
                ),
            )
        )
    for name, table in compared:
        section.tables.append(
            (
                _("Break-even law beside the runs: {name}").format(name=name),
                _law_rows(table, lang),
            )
        )
    return section, said


def _growth(value: float | None, _) -> str:
    return _("never") if value is None else f"{value:,.1f}x"


def _law_rows(table: list[dict], lang: str = "en") -> list[dict]:
    """:func:`sim.analysis.lawcheck.table` rows in words: growth as ``182.0x``, shares as
    percents."""
    _ = gettext(lang)
    out = []
    for row in table:
        shown = {}
        for key, value in row.items():
            if "growth" in key and not isinstance(value, str):
                shown[key] = "–" if value is None else _growth(value, _)
            elif "share" in key and value is not None:
                shown[key] = lawcheck.percent(value, lang)
            else:
                shown[key] = value
        out.append(shown)
    return out


def compensation_section(
    evidence: list[ScenarioEvidence], lang: str = "en"
) -> tuple[ReportSection | None, list[str]]:
    """How deep and on what the distribution layer paid (SPEC §6,
    :mod:`sim.analysis.compensation`), on
    the first re-run of each scenario that has the layer; None when none has it."""
    _ = gettext(lang)
    section = ReportSection(_("Compensation: who the distribution layer paid, and how deep"))
    said = []
    named = {}
    for item in evidence:
        if not item.reruns or item.reruns[0].layer is None:
            continue
        first = item.reruns[0]
        named[item.name] = first.layer
        said.append(compensation.sentence(item.name, first.layer, first.summary, lang))
        caption = _("{name} (replicate {replicate})").format(
            name=item.name, replicate=first.replicate
        )
        depth = compensation.depth_rows(first.layer, fold_after=DEPTH_ROWS, lang=lang)
        section.tables += [
            (
                _("{caption}: the distribution layer in figures").format(caption=caption),
                compensation.headline_rows(first.layer, first.summary, first.members, lang),
            ),
            (
                _("{caption}: paid by level above the buyer").format(caption=caption),
                _shares_in_percent(depth, lang),
            ),
            (
                _("{caption}: what triggered the pay").format(caption=caption),
                _shares_in_percent(compensation.reason_rows(first.layer, lang), lang),
            ),
            (
                _("{caption}: paid by rule").format(caption=caption),
                _shares_in_percent(compensation.rule_rows(first.layer), lang),
            ),
        ]
    if not named:
        return None, []
    section.text = [
        _(
            "Levels count up the referral network from the buyer: level 1 is the buyer's "
            "sponsor. Pay on a recruit's first order is pay for recruiting (拉人头); pay on later "
            "orders of the downline is team pay (团队计酬); both are marks of pyramid selling in "
            "the Regulations on Prohibition of Pyramid Selling, Art. 7. The red flags below count "
            "the deepest level paid, with the platform on top as the organiser."
        ),
        *said,
    ]
    figure = figures.depth_figure(named, lang)
    if figure is not None:
        section.figures.append((figure, _("Distribution payouts by level above the buyer (yuan)")))
    return section, said


def _shares_in_percent(rows: list[dict], lang: str = "en") -> list[dict]:
    """Columns named ``share…`` or ``…_share`` shown as percents, the rest as they are."""
    return [
        {
            key: lawcheck.percent(value, lang)
            if "share" in key and isinstance(value, float | int) and not isinstance(value, bool)
            else value
            for key, value in row.items()
        }
        for row in rows
    ]


PAY_COLUMNS = (  # the compensation tables' columns, for the catalogue
    N_("figure"),
    N_("value"),
    N_("level"),
    N_("paid_to"),
    N_("yuan"),
    N_("share"),
    N_("cumulative_share"),
    N_("reason"),
    N_("triggered_by"),
    N_("rule"),
    N_("law"),
)
FLAG_COLUMNS = (  # the red flags table's columns in Chinese (the statute in its own words)
    N_("red flag"),
    N_("reading"),
    N_("raised"),
    N_("measured"),
    N_("statute"),
    N_("what was measured"),
)


def extras_section(
    evidence: list[ScenarioEvidence], lang: str = "en"
) -> tuple[ReportSection, list[str]]:
    """Red flags (SPEC §7), one re-run per scenario; and a sentence per scenario naming the
    flags raised, for the summary."""
    _ = gettext(lang)
    section, said = ReportSection(_("Legal red flags")), []
    for item in evidence:
        if item.reruns and item.scenario is not None:
            first = item.reruns[0]
            flags = first.summary["red_flags"]  # as the run's summary.json holds them
            if lang == "en":
                raised = [
                    flag["key"].replace("_", " ")
                    + (f" ({flag['reading']} reading)" if flag["key"].startswith("pyramid") else "")
                    for flag in flags
                    if flag["raised"]
                ]
            else:
                raised = [
                    flag_and_reading(flag["key"], flag["reading"], lang)
                    for flag in flags
                    if flag["raised"]
                ]
            text = _("{name}: {raised} of {flags} raised").format(
                name=item.name, raised=len(raised), flags=len(flags)
            )
            text += _(" ({which}).").format(which=_(", ").join(raised)) if raised else _(".")
            said.append(
                text
                + _(
                    " Pyramid flags are measured on one organisation at a time: under the "
                    "'platform' reading (the default: the operator writes the pay plan and is paid "
                    "on every order) and under the 'leader' reading (each top member's team alone)."
                )
            )
            table = redflags.flags_table(flags)
            if lang != "en":
                table = _flags_in(first.red_flags or flags, table, lang)
            section.tables.append(
                (
                    _("{name}: red flags (replicate {replicate})").format(
                        name=item.name, replicate=first.replicate
                    ),
                    table,
                )
            )
    return section, said


def _flags_in(explained: list[dict], table: list[dict], lang: str) -> list[dict]:
    """The red flags table in the report's language: the flag and its reading by their names,
    the statute in its own words and the measurement explained (``explained``: the same flags
    measured again in that language, :meth:`sim.batch.run.RunResult.red_flags`)."""
    _ = gettext(lang)
    return [
        {
            "red flag": _(flag["key"]),
            "reading": _(flag["reading"]),
            "raised": flag["raised"],  # yes or no in the page's words (sim.report.sections.fmt)
            "measured": row["measured"],
            "statute": statute_text(flag["law"], lang),
            "what was measured": flag["explanation"],
        }
        for flag, row in zip(explained, table, strict=True)
    ]


# the claims' table columns (rows of sim.analysis.claims*), for the catalogue
CLAIM_COLUMNS = (
    N_("verdict"),
    N_("why"),
    N_("runs where the price fell"),
    N_("days it fell (mean per run)"),
    N_("largest one-day fall"),
    N_("largest fall from peak"),
    N_("unpaid claims (mean yuan)"),
    N_("early members out fast"),
    N_("bottleneck"),
    N_("window (days)"),
    N_("first cohort"),
    N_("first cohort out within window"),
    N_("first cohort median days to exit"),
    N_("last complete cohort"),
    N_("last cohort out within window"),
    N_("rank correlation (cohort, share out)"),
    N_("points per order, first cohort"),
    N_("points per order, last cohort"),
    N_("pairs (same seeds)"),
    N_("first trigger day (median)"),
    N_("identical until the trigger"),
    N_("price on the trigger day vs without panic"),
    N_("price after each trigger vs without (mean)"),
    N_("panic episodes per run (mean)"),
    N_("last day"),
    N_("price on the last day vs without panic"),
    N_("panic days, mean change (context)"),
    N_("other days, mean change (context)"),
    N_("subsidies into the pool (mean yuan)"),
    N_("share of money entered"),
    N_("buyers losing, with subsidies"),
    N_("buyers losing, same seeds without"),
    N_("re-runs compared"),
    N_("legacy claims (yuan)"),
    N_("paid to old members (mean yuan)"),
    N_("share of claims paid"),
    N_("paid in by old members (yuan)"),
    N_("share funded by later orders"),
    N_("buyers losing, with legacy points"),
)


def claims_section(
    verdicts: list[Verdict], evidence: list[ScenarioEvidence], lang: str = "en"
) -> ReportSection:
    _ = gettext(lang)
    section = ReportSection(_("The six claims, one by one"))
    for verdict in verdicts:
        if verdict.rows:
            section.tables.append(
                (
                    _("Claim {number}: {verdict}").format(
                        number=verdict.number, verdict=verdict_word(verdict.verdict, lang)
                    ),
                    _plain_rows(verdict.rows, lang),
                )
            )
    cohorts = {
        row["scenario"]: row["cohorts"]
        for row in next(v for v in verdicts if v.number == 2).rows
        if isinstance(row.get("cohorts"), pd.DataFrame)
    }
    if cohorts:
        section.figures.append(
            (
                figures.cohort_exits(cohorts, lang),
                _("Claim 2: share of each join cohort forced out within the window (re-runs)"),
            )
        )
    return section


def _plain_rows(rows: list[dict], lang: str = "en") -> list[dict]:
    """Rows with only scalar cells (nested tables are shown as figures); in Chinese a verdict,
    a yes or no and a reason in words."""
    _ = gettext(lang)

    def cell(key: str, value):
        if lang == "en" or not isinstance(value, str) or not value:
            return value
        if key == "verdict":
            return verdict_word(value, lang)
        if value in ("yes", "no", "none"):
            return _(value).strip()
        return _(value) if key == "why" else value

    return [
        {k: cell(k, v) for k, v in row.items() if not isinstance(v, pd.DataFrame | list | dict)}
        for row in rows
    ]
