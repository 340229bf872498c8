"""The side-by-side report of schemes (issue 18): 消费增值 beside the schemes courts judged.

``python -m sim report DIR --out reports/compare-schemes.html`` on a batch that holds runs of
a comparison scheme (``classic_ponzi``, ``daily_release``; e.g. the four
``scenarios/comparison/compare-schemes-*.yaml``) builds this report instead of the points
scheme's: for each scenario, the money members paid in and what was paid back to them, what
the platform or its operator holds at the end, the share of net losers, how often and when
it first could not pay what was due, the growth of new money its terms need to keep paying
(worked out, :func:`sim.core.release.required_growth`, :func:`sim.core.ponzi.required_growth`),
and the legal red flags each run raised; every figure a mean over replicates with its 95%
interval (Student t; Wilson for shares of runs) and the number of runs it rests on.

Only the metrics every scheme shares are compared (:mod:`sim.batch.scheme_metrics`); the
points scheme's own (price, sales) are in its own report. In English or Chinese
(:mod:`sim.i18n`; ``report --lang zh``): every sentence, heading, table header, caption and
figure label, money in 万元 in Chinese; the figures drawn in Noto Sans CJK SC.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from sim.batch.compare import mean_interval, wilson
from sim.batch.integrity import distinct
from sim.batch.scheme_metrics import POINTS_SCHEME
from sim.batch.store import read_table
from sim.core.ponzi import required_growth as ponzi_growth
from sim.core.release import required_growth as release_growth
from sim.core.units import yuan_to_fen
from sim.errors import InputError
from sim.i18n import gettext
from sim.model.release_run import release_terms
from sim.report import figures
from sim.report.build import Report
from sim.report.fonts import figure_font
from sim.report.load import load_batch
from sim.report.sections import ReportSection
from sim.report.sections_runs import bands_of

SERIES = ("scenario", "point", "replicate", "day", "pool", "inflow", "withdrawals")
SERIES += ("members_total",)
FLAGS = ("illegal_fundraising", "entry_fee", "recruitment_pay", "promised_multiple")
FLAGS_POINTS = ("pyramid_levels", "pyramid_serious")  # measured where a tree was kept


def holds_comparison(folder: str | Path) -> bool:
    """Whether a batch folder holds a run of a comparison scheme (then ``report`` makes
    this report of it)."""
    try:
        runs = read_table(folder, "runs", columns=["scheme"])
    except InputError:
        return False
    return "scheme" in runs and bool((runs.scheme.dropna() != POINTS_SCHEME).any())


def schemes_report(folders: list[str | Path], title: str | None = None, lang: str = "en") -> Report:
    """Everything the side-by-side report shows, in ``lang``, computed (nothing written)."""
    _ = gettext(lang)
    batches = [load_batch(f, SERIES, schemes=True) for f in distinct(folders)]
    runs = pd.concat([b.runs for b in batches], ignore_index=True)
    ok = runs[runs.status == "ok"]
    if ok.empty:
        raise InputError("no run of these batches succeeded; nothing to report", file=folders[0])
    series = pd.concat([b.timeseries for b in batches if len(b.timeseries)], ignore_index=True)
    scenarios = {name: s[0] for b in batches for name, s in b.scenarios.items()}
    names = list(dict.fromkeys(ok.scenario))
    labels = {name: _label(name, scenarios.get(name), _) for name in names}
    rows = [_row(n, labels[n], ok[ok.scenario == n], scenarios.get(n), lang) for n in names]
    replicates = sorted({int(b.manifest.get("replicates", 0)) for b in batches})
    with figure_font():
        drawn = _figures_section(rows, series, _)
    sections = [
        _explanation(rows, _),
        _table_section(rows, _),
        drawn,
        _flags_section(ok, labels, names, scenarios, _),
    ]
    notes = [
        _("run {key} failed: {error}").format(key=r.key, error=r.error)
        for r in runs[runs.status == "error"].head(10).itertuples()
    ]
    missing = [name for name in names if scenarios.get(name) is None]
    if missing:
        notes.append(
            _(
                "the growth each needs is worked out from the scenario file; not available for "
                "{names} (file gone or changed since the batch ran)"
            ).format(names=", ".join(missing))
        )
    title = title or _("消费增值 beside the schemes courts judged: {schemes}").format(
        schemes=_(", ").join(labels.values())
    )
    return Report(
        title,
        _summary(rows, replicates, _),
        [],
        sections,
        notes,
        all_tables_in_markdown=True,
        text_in_markdown=True,
    )


def _label(name: str, scenario, _) -> str:
    """The scenario's name and its scheme in words."""
    if scenario is None:
        return name
    scheme = scenario.scheme
    if scheme.kind == POINTS_SCHEME:
        return _("{name} (消费增值)").format(name=name)
    if scheme.ponzi:
        return _("{name} (classic Ponzi)").format(name=name)
    if scheme.preset:
        return _("{name} (daily release, {preset})").format(name=name, preset=scheme.preset)
    return _("{name} (daily release)").format(name=name)


def _growth(scenario, _) -> tuple[float | None, str]:
    """The growth of new money a day the scheme's terms need to keep paying, and in words."""
    if scenario is None:
        return None, _("n/a")
    scheme = scenario.scheme
    if scheme.kind == POINTS_SCHEME:
        return 0.0, _("none to stay solvent (sellers are paid with other members' money)")
    if scheme.ponzi:
        a_year = ponzi_growth(float(scheme.promised_rate), float(scheme.nominal_rate or 0))
        return a_year / 365, _("{year} a year ({day} a day): r_p").format(
            year=f"{a_year:.1%}", day=f"{a_year / 365:.3%}"
        )
    a_day = release_growth(release_terms(scheme), yuan_to_fen(scenario.order.amount))
    return a_day, _("{day} a day").format(day=f"{a_day:.3%}")


def _interval(values: pd.Series, unit: str, lang: str) -> str:
    """A mean over runs with its 95% Student-t interval (money and days are never below 0,
    shares never above 1) and the runs it rests on; yuan in 万 in Chinese."""
    _ = gettext(lang)
    n, mean, low, high = mean_interval(values)
    if n == 0:
        return _("n/a")
    if unit == "share":
        show, low, high = (lambda v: f"{v:.1%}"), max(low, 0.0), min(high, 1.0)
    elif unit == "yuan" and lang == "zh":
        show, low = (lambda v: f"{v / 10_000:,.2f}"), max(low, 0.0)
    else:
        show, low = (lambda v: f"{v:,.0f}"), max(low, 0.0)
    text = show(mean)
    if not math.isnan(low) and low != high:
        text += f" [{show(low)}, {show(high)}]"
    return text + _(" ({n} runs)").format(n=n)


def _row(name: str, label: str, group: pd.DataFrame, scenario, lang: str) -> dict:
    """One scenario's figures: the exact means and their text with intervals."""
    _ = gettext(lang)
    points = scenario is None or scenario.scheme.kind == POINTS_SCHEME
    unpaid = group.unpaid_withdrawals_day.notna()
    p, low, high = wilson(int(unpaid.sum()), len(group))
    kept = (
        group.operator_take_share * group.money_entered
        if points and "operator_take_share" in group
        else group.fund_at_end
    )
    growth, growth_text = _growth(scenario, _)
    inflow = scenario.inflow if scenario is not None else None
    back = group.paid_to_members / group.money_entered
    return {
        "name": name,
        "label": label,
        "points": points,
        "runs": len(group),
        "paid_back": back.mean(),
        "losers": group.net_investment_share_net_losers.mean(),
        "unpaid_p": (p, low, high),
        "unpaid_runs": int(unpaid.sum()),
        "unpaid_day": group.unpaid_withdrawals_day.dropna(),
        "growth": growth,
        "inflow_growth": float(getattr(inflow, "growth", 0) or 0),
        "inflow_until": getattr(inflow, "decay_start_day", None),
        "funded_by_others": group.share_payouts_funded_by_others.mean() if points else math.nan,
        "cells": {
            _("scheme"): label,
            _("runs"): len(group),
            _("money members paid in (yuan)"): _interval(group.money_entered, "yuan", lang),
            _("paid back to members (yuan)"): _interval(group.paid_to_members, "yuan", lang),
            _("paid back, share of money in"): _interval(back, "share", lang),
            _("kept by the platform or operator at the end (yuan)"): _interval(kept, "yuan", lang),
            _("still owed to members at the end (yuan)"): (
                _("none promised") if points else _interval(group.owed_at_end, "yuan", lang)
            ),
            _("net losers, share of members"): _interval(
                group.net_investment_share_net_losers, "share", lang
            ),
            _("runs that could not pay what was due"): _(
                "{count} of {runs} ({share}, Wilson 95% {low}–{high})"
            ).format(
                count=int(unpaid.sum()),
                runs=len(group),
                share=f"{p:.0%}",
                low=f"{low:.0%}",
                high=f"{high:.0%}",
            ),
            _("first unpaid day (runs where it came)"): _interval(
                group.unpaid_withdrawals_day.dropna(), "day", lang
            ),
            _("growth of new money needed to keep paying"): growth_text,
        },
    }


def _summary(rows: list[dict], replicates: list[int], _) -> list[tuple[str, list[str]]]:
    ran = _(", ").join(
        _("{label}: {runs} runs").format(label=r["label"], runs=r["runs"]) for r in rows
    )
    often = []
    for r in rows:
        p, low, high = r["unpaid_p"]
        line = _(
            "{label}: could not pay what was due in {count} of {runs} runs ({share}; at 95%: "
            "{low}–{high})"
        ).format(
            label=r["label"],
            count=r["unpaid_runs"],
            runs=r["runs"],
            share=f"{p:.0%}",
            low=f"{low:.0%}",
            high=f"{high:.0%}",
        )
        if r["unpaid_runs"]:
            line += _(", first on day {day} (median)").format(
                day=f"{r['unpaid_day'].median():,.0f}"
            )
        else:
            line += _(", paid all that was due to the end of every run")
        often.append(line)
    lost = [
        _(
            "{label}: {losers} of members got back less cash than they paid in; {back} of the "
            "money paid in was paid back to members"
        ).format(label=r["label"], losers=f"{r['losers']:.1%}", back=f"{r['paid_back']:.1%}")
        for r in rows
    ]
    what = _(
        "{ran}; replicates per scenario: {replicates}. Every figure is a mean over the runs "
        "with its interval at 95%."
    ).format(ran=ran, replicates=", ".join(map(str, replicates)))
    return [
        (_("What was run"), [what]),
        (_("How often it collapsed (could not pay what was due)"), often),
        (_("Who lost money (cash back below money paid in, goods not counted)"), lost),
    ]


def _explanation(rows: list[dict], _) -> ReportSection:
    section = ReportSection(_("Why they fail differently"))
    section.text.append(
        _(
            "消费增值 cannot become insolvent by its own rules: the price of a point is the "
            "pool divided by the points, and a sale pays out only part of its points' value "
            "(sell_payout; the seeds: 80%), so the pool always covers every point at the "
            "posted price. It never owes cash it does not have. It still moves money from "
            "later members to earlier ones: what a seller receives is money that other "
            "members paid into the pool. The harm is in the losses, not in a default."
        )
    )
    section.text.append(
        _(
            "The release schemes (消费全返: 云联惠, 万家购物) promise cash: every purchase books "
            "points worth a multiple of the spend, released a fixed share a day, while only a "
            "fee share of each sale (fee_share; 云联惠 and 万家购物: 16%) enters the fund. "
            "Today's releases are owed on the sales of the past months and are paid with "
            "today's fees, so the fund lasts only while sales grow at least as fast as the "
            "terms require; when growth slows, the releases due outrun the fees and the fund "
            "runs out of cash. A classic Ponzi is the same in its plainest form: the promise "
            "is paid from new deposits, and it lasts while deposits grow faster than the "
            "promised rate."
        )
    )
    for r in rows:
        if r["points"] and not math.isnan(r["funded_by_others"]):
            section.text.append(
                _(
                    "{label}: {share} of what sellers were paid (mean over runs) was other "
                    "members' money, not their own."
                ).format(label=r["label"], share=f"{r['funded_by_others']:.1%}")
            )
        elif r["growth"] is not None and r["growth"] > 0:
            fields = {
                "label": r["label"],
                "needed": f"{r['growth']:.3%}",
                "grows": f"{r['inflow_growth']:.2%}",
                "day": r["inflow_until"],
            }
            less = r["inflow_growth"] < r["growth"]
            if r["inflow_until"]:
                text = (
                    _(
                        "{label}: its terms need new money to grow {needed} a day; the inflow "
                        "grows {grows} a day until day {day}, then shrinks: less than that "
                        "while it grows."
                    )
                    if less
                    else _(
                        "{label}: its terms need new money to grow {needed} a day; the inflow "
                        "grows {grows} a day until day {day}, then shrinks: more than that "
                        "while it grows."
                    )
                )
            else:
                text = (
                    _(
                        "{label}: its terms need new money to grow {needed} a day; the inflow "
                        "grows {grows} a day: less than that."
                    )
                    if less
                    else _(
                        "{label}: its terms need new money to grow {needed} a day; the inflow "
                        "grows {grows} a day: more than that."
                    )
                )
            section.text.append(text.format(**fields))
    return section


def _table_section(rows: list[dict], _) -> ReportSection:
    section = ReportSection(_("The schemes side by side"))
    section.text.append(
        _(
            "Means over the runs with their 95% Student-t interval in brackets; the share of "
            "runs that could not pay with its Wilson interval. Money paid in: a Ponzi's "
            "deposits, a release scheme's purchases and memberships, 消费增值's orders. Kept by "
            "the platform or operator: 消费增值's kept split lines and fees "
            "(operator_take_share), a comparison scheme's fund at the end (its organiser's "
            "once it stops paying)."
        )
    )
    section.tables.append((_("Side by side"), [r["cells"] for r in rows]))
    return section


def _figures_section(rows: list[dict], series, _) -> ReportSection:
    labels = {r["name"]: r["label"] for r in rows}
    names = list(labels)
    section = ReportSection(_("Over time"))
    section.text.append(
        _(
            "The first figure sets the schemes on one axis (medians over runs); the others "
            "have one panel per scheme: the line is the median over runs, the dark band the "
            "middle half, the light band 90%."
        )
    )
    series = series[series.scenario.isin(names)].copy()
    series["label"] = series.scenario.map(labels)
    series = series.sort_values(["scenario", "point", "replicate", "day"])
    runs = series.groupby(["scenario", "replicate"])
    paid_in, paid_out = runs.inflow.cumsum(), runs.withdrawals.cumsum()
    series["paid_in"] = paid_in
    series["paid_back"] = (paid_out / paid_in).where(paid_in > 0)
    back = bands_of(series.dropna(subset=["paid_back"]), "paid_back", ["label"])
    day = _("day")
    section.figures.append(
        (
            figures.medians(back, _("cash paid back ÷ money paid in, so far"), True, day),
            _(
                "Cash paid out to members so far as a share of the money they paid in so far "
                "(median over runs)"
            ),
        )
    )
    for column, ylabel, caption in (
        (
            "pool",
            _("fund or pool (yuan)"),
            _("The fund (消费增值: the pool) at the end of each day"),
        ),
        ("paid_in", _("yuan"), _("Money paid in so far (purchases or deposits)")),
        ("members_total", _("members"), _("Members who joined")),
    ):
        panels = bands_of(series, column, ["label"])
        section.figures.append((figures.bands(panels, ylabel, xlabel=day), caption))
    table = pd.DataFrame(
        [dict(zip(("label", "p", "low", "high"), (r["label"], *r["unpaid_p"]), strict=True))
         for r in rows]
    )  # fmt: skip
    bars = _("share of runs that could not pay what was due (bar) and its 95% Wilson interval")
    section.figures.append(
        (
            figures.collapse_bars(table, bars),
            _("Share of runs that could not pay what was due, with its 95% Wilson interval"),
        )
    )
    return section


def _tree_kept(group, scenario) -> bool:
    """Whether the runs kept a referral network the pyramid flags are measured on: a
    消费增值 run's, or a daily-release run's with ``network`` set."""
    if (group.scheme == POINTS_SCHEME).all():
        return True
    return (
        scenario is not None
        and scenario.scheme.kind == "daily_release"
        and scenario.network.sponsor != "none"
    )


def _flags_section(ok, labels, names, scenarios, _) -> ReportSection:
    section = ReportSection(_("Legal red flags (SPEC §7)"))
    section.text.append(
        _(
            "How many runs raised each flag, against the same thresholds for every scheme "
            "(sim/core/law.py). A flag is raised by what the run paid, not by a setting alone; "
            "it says where a simulated platform stands against a threshold and decides no "
            "case. The pyramid flags are measured where the runs kept a referral network: "
            "消费增值's, and a daily-release scheme's whose scenario sets network (its promoters "
            "paid on their recruits' purchases); elsewhere they are not measured."
        )
    )
    rows = []
    for name in names:
        group = ok[ok.scenario == name]
        raised = group.red_flags_raised.fillna("").str.split(",")
        row = {_("scheme"): labels[name], _("runs"): len(group)}
        tree = _tree_kept(group, scenarios.get(name))
        for flag in (*FLAGS, *FLAGS_POINTS):
            if flag in FLAGS_POINTS and not tree:
                row[_(flag)] = _("not measured")
                continue
            count = int(raised.map(lambda keys, f=flag: f in keys).sum())
            row[_(flag)] = _("{count} of {runs}").format(count=count, runs=len(group))
        rows.append(row)
    section.tables.append((_("Runs that raised each flag"), rows))
    return section
