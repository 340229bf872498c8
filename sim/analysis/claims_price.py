"""Claims 1 and 2 of SPEC §5, about the price and who gets out: the price never falls; early
members exit fast, then a bottleneck (claim 3, panics, is in :mod:`sim.analysis.claims_panic`).

What each test uses (see :mod:`sim.analysis.claims`): every run's daily price and the stress
levers set (1); the members of re-run replicates, by join cohort (2).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from sim.analysis import breakeven
from sim.analysis.evidence import (
    FAILED,
    HELD,
    MIXED,
    UNTESTABLE,
    ScenarioEvidence,
    Verdict,
    claim_text,
    daily_changes,
    levers,
    overall,
    pct,
    reason,
)
from sim.i18n import N_, gettext

EARLY_SHARE = 0.25  # claim 2, first half: "fast" = at least this share of the first cohort
# forced out within the window (a quarter of the horizon): if three in four of the first
# members are still in after a quarter of the run, they did not exit fast
NARROWING = 0.5  # claim 2, second half: a bottleneck is a narrowing, not a drift: the last
# complete cohort gets out at most this share as often as the first, within the same window,
# and a new order buys at most this share of the points it bought when the first joined
THRESHOLDS = N_(
    'Thresholds: "fast" means at least {early} of the first join cohort forced out within a '
    "quarter of the horizon of joining (if three in four of the first members are still in "
    'after a quarter of the run, they did not exit fast); a "bottleneck" means the last '
    "complete cohort got out at most {narrowing} as often as the first within the same window "
    "and a new order bought at most {narrowing} of the points it bought when the first cohort "
    "joined (a narrowing, not a drift). Held when both halves hold, mixed when one does."
)


def thresholds(lang: str = "en") -> str:
    """Claim 2's thresholds in words."""
    return gettext(lang)(THRESHOLDS).format(
        early=f"{EARLY_SHARE:.0%}", narrowing=f"{NARROWING:.0%}"
    )


# -- claim 1 -------------------------------------------------------------------------------


def claim_price_never_falls(evidence: list[ScenarioEvidence], lang: str = "en") -> Verdict:
    _ = gettext(lang)
    rows, said = [], {}
    for item in evidence:
        daily = daily_changes(item.timeseries)
        fell_runs = int((item.runs["days_price_fell"] > 0).sum())
        worst = daily["change"].min()
        drawdown = (1 - item.runs["price_min_after_peak"] / item.runs["price_peak"]).max()
        unpaid = float(item.runs["unpaid_claims"].mean())
        rows.append(
            {
                "scenario": item.name,
                "verdict": FAILED if fell_runs else HELD,
                "runs": len(item.runs),
                "runs where the price fell": fell_runs,
                "days it fell (mean per run)": round(float(item.runs["days_price_fell"].mean()), 1),
                "largest one-day fall": pct(-min(worst, 0.0)),
                "largest fall from peak": pct(max(float(drawdown), 0.0)),
                "unpaid claims (mean yuan)": round(unpaid, 2),
                "stress levers": ", ".join(levers(item.scenario)) or "none",
            }
        )
        said[item.name] = _(", ").join(levers(item.scenario, lang)) or _("none")
    failed = [r for r in rows if r["verdict"] == FAILED]
    held = [r for r in rows if r["verdict"] == HELD]
    parts = []
    if failed:
        fell = _("; ").join(
            _(
                "{scenario} ({fell} of {runs} runs, up to {day} in a day, {peak} from its peak; "
                "levers: {levers})"
            ).format(
                scenario=r["scenario"],
                fell=r["runs where the price fell"],
                runs=r["runs"],
                day=r["largest one-day fall"],
                peak=r["largest fall from peak"],
                levers=said[r["scenario"]],
            )
            for r in failed
        )
        parts.append(_("The price fell in {fell}.").format(fell=fell))
    if held:
        parts.append(
            _(
                "It never fell in {scenarios}. Without a stress lever it cannot: price = pool ÷ "
                "points, and an order adds more to the pool than its points are worth while a "
                "sale pays out only {paid} of its points' value."
            ).format(scenarios=_(", ").join(r["scenario"] for r in held), paid="80%")
        )
    hollow = [r for r in held if r["unpaid claims (mean yuan)"] > 0]
    if hollow:
        where = _(", ").join(
            _("{scenario} ({unpaid} yuan of payouts unpaid on average)").format(
                scenario=r["scenario"], unpaid=f"{r['unpaid claims (mean yuan)']:,.0f}"
            )
            for r in hollow
        )
        parts.append(
            _(
                "But a price that does not fall is not money: in {where} the posted price held "
                "while the pool did not hold the cash."
            ).format(where=where)
        )
    if failed:
        headline = _("The price fell in {failed} of {scenarios} scenarios: {which}.").format(
            failed=len(failed),
            scenarios=len(rows),
            which=_("; ").join(
                _("{scenario} (up to {day} in a day; levers: {levers})").format(
                    scenario=r["scenario"],
                    day=r["largest one-day fall"],
                    levers=said[r["scenario"]],
                )
                for r in failed
            ),
        )
    else:
        headline = _("The price never fell in any of the {runs} runs.").format(
            runs=sum(r["runs"] for r in rows)
        )
    return Verdict(1, claim_text(1, lang), overall(rows), " ".join(parts), rows, headline)


# -- claim 2 -------------------------------------------------------------------------------


def cohort_exits(members: pd.DataFrame, horizon: int, width: int, window: int) -> pd.DataFrame:
    """Per join cohort (``width`` days) whose members all had ``window`` days before the end:
    buyers, share forced out within ``window`` days of joining, median days to the exit of
    members forced out once (their only exit, so its day is the first)."""
    buyers = members[(members["spent"] > 0) & (members["type"] != "legacy")].copy()
    buyers["cohort_start"] = (buyers["join_day"] // width) * width
    buyers["days_to_exit"] = buyers["exit_day"] - buyers["join_day"]
    rows = []
    for start, group in buyers.groupby("cohort_start"):
        if start + width - 1 + window > horizon - 1:
            continue
        exited = group[(group["forced_exits"] > 0) & (group["days_to_exit"] <= window)]
        once = group[group["forced_exits"] == 1]["days_to_exit"]
        rows.append(
            {
                "cohort_start": int(start),
                "buyers": len(group),
                "share_exited_within": len(exited) / len(group),
                "median_days_to_exit": float(once.median()) if len(once) else np.nan,
            }
        )
    return pd.DataFrame(
        rows, columns=["cohort_start", "buyers", "share_exited_within", "median_days_to_exit"]
    )


def _window(horizon: int) -> int:
    return max(horizon // 4, 1)


def _cohort_width(scenario, horizon: int) -> int:
    width = getattr(getattr(scenario, "outcomes", None), "cohort_days", 30)
    return max(1, min(int(width), horizon // 4 or 1))


def claim_early_exit_then_bottleneck(evidence: list[ScenarioEvidence], lang: str = "en") -> Verdict:
    _ = gettext(lang)
    rows = []
    for item in evidence:
        row = {"scenario": item.name}
        window = _window(item.horizon)
        if item.scenario is not None and item.scenario.points.exit_multiple is None:
            rows.append({**row, "verdict": UNTESTABLE, "why": "no forced exit in this scenario"})
            continue
        if not item.reruns:
            rows.append({**row, "verdict": UNTESTABLE, "why": item.missing or "no re-run"})
            continue
        members = pd.concat([r.members for r in item.reruns], ignore_index=True)
        table = cohort_exits(
            members, item.horizon, _cohort_width(item.scenario, item.horizon), window
        )
        if len(table) < 2:
            rows.append({**row, "verdict": UNTESTABLE, "why": "fewer than two complete cohorts"})
            continue
        first, last = table.iloc[0], table.iloc[-1]
        rho = table["share_exited_within"].rank().corr(table["cohort_start"].rank())
        fast = first["share_exited_within"] >= EARLY_SHARE
        price = item.timeseries.groupby("day")["price"].median()
        per_order = _points_per_order(item.scenario)
        points = (
            None
            if not per_order
            else (
                per_order / price.get(first.cohort_start),
                per_order / price.get(last.cohort_start),
            )
        )
        slower = last["share_exited_within"] <= NARROWING * first["share_exited_within"] and (
            first["share_exited_within"] > 0
        )
        fewer = points is None or points[1] <= NARROWING * points[0]
        narrows = bool(slower and fewer)
        rows.append(
            {
                **row,
                "verdict": HELD if fast and narrows else MIXED if fast or narrows else FAILED,
                "early members out fast": "yes" if fast else "no",
                "bottleneck": "yes" if narrows else "no",
                "window (days)": window,
                "first cohort": f"days {int(first.cohort_start)}+",
                "first cohort out within window": pct(first["share_exited_within"]),
                "first cohort median days to exit": first["median_days_to_exit"],
                "last complete cohort": f"days {int(last.cohort_start)}+",
                "last cohort out within window": pct(last["share_exited_within"]),
                "rank correlation (cohort, share out)": round(float(rho), 2),
                "points per order, first cohort": None if points is None else round(points[0], 2),
                "points per order, last cohort": None if points is None else round(points[1], 2),
                "cohorts": table,
            }
        )
    tested = [r for r in rows if r["verdict"] != UNTESTABLE]
    parts = [_cohorts_sentence(r, _) for r in tested]
    untested = [r for r in rows if r["verdict"] == UNTESTABLE]
    if untested:
        parts.append(
            _("Not testable in {which}.").format(
                which=_(", ").join(
                    _("{scenario} ({why})").format(scenario=r["scenario"], why=reason(r["why"], _))
                    for r in untested
                )
            )
        )
    if tested:
        parts.append(thresholds(lang))
        parts.append(
            _(
                "Growth slowing is an input of each scenario (its inflow), not a result; what the "
                "runs show is who gets out, and when."
            )
        )
        parts.append(_cap_law([r["scenario"] for r in tested], evidence, _))
    if tested:
        r = max(tested, key=lambda x: x["cohorts"]["share_exited_within"].iloc[0])
        headline = _(
            "In {held} of {tested} scenarios the earliest members were forced out fast and a "
            "bottleneck followed (e.g. {scenario}: {first} of the first cohort within {window} "
            "days, {last} of the last)."
        ).format(
            held=sum(x["verdict"] == HELD for x in tested),
            tested=len(tested),
            scenario=r["scenario"],
            first=r["first cohort out within window"],
            window=r["window (days)"],
            last=r["last cohort out within window"],
        )
    else:
        headline = _("No scenario of this batch could test it: {which}").format(
            which=_("; ").join(
                _("{scenario}: {why}").format(scenario=r["scenario"], why=reason(r["why"], _))
                for r in rows
            )
        )
    return Verdict(2, claim_text(2, lang), overall(rows), " ".join(parts), rows, headline)


# the reasons claim 2 cannot be tested in a scenario (row "why"), for the catalogue
WHY_NOT = (
    N_("no forced exit in this scenario"),
    N_("no re-run"),
    N_("fewer than two complete cohorts"),
)


def _cohorts_sentence(r: dict, _) -> str:
    """What the cohorts of one tested scenario show."""
    if r["cohorts"]["share_exited_within"].max() == 0:
        return _(
            "{scenario}: no member was forced out within {window} days of joining in any cohort "
            "that had that long{points}."
        ).format(scenario=r["scenario"], window=r["window (days)"], points=_points(r, _))
    first, last = (int(r["cohorts"]["cohort_start"].iloc[i]) for i in (0, -1))
    return _(
        "{scenario}: of the members who joined on days {first}+, {first_out} were forced out "
        "within {window} days; of those who joined on days {last}+, {last_out}{points}. Early "
        "members out fast: {fast}; a bottleneck: {bottleneck}."
    ).format(
        scenario=r["scenario"],
        first=first,
        first_out=r["first cohort out within window"],
        window=r["window (days)"],
        last=last,
        last_out=r["last cohort out within window"],
        points=_points(r, _),
        fast=_(r["early members out fast"]),
        bottleneck=_(r["bottleneck"]),
    )


def _points(row: dict, _) -> str:
    if row["points per order, first cohort"] is None:
        return ""
    return _(
        " (a new order bought {first} points when the first cohort joined and {last} when the "
        "last did)"
    ).format(first=row["points per order, first cohort"], last=row["points per order, last cohort"])


def _cap_law(names: list[str], evidence: list[ScenarioEvidence], _) -> str:
    """Why few get out, by the break-even law (SPEC §5): the growth each exit cap needs."""
    needs: dict[str, list[str]] = {}
    for item in evidence:
        if item.name not in names or item.scenario is None:
            continue
        rows = breakeven.law_table(item.scenario)
        cap = next((row for row in rows if row["label"].endswith("(exit cap)")), None)
        if cap is not None and cap["law_growth"] is not None:
            label = cap["label"].removesuffix(" (exit cap)")
            need = _("{growth}-fold for {label}").format(
                growth=f"{cap['law_growth']:,.0f}", label=label
            )
            needs.setdefault(need, []).append(item.name)
    if not needs:
        return ""
    return _(
        "By the break-even law, a member's points reach the exit cap only once the platform's "
        "cumulative orders have grown, after their order (steady orders, nobody selling), "
        "{needs}."
    ).format(
        needs=_("; ").join(
            _("{need} in {who}").format(need=need, who=_(", ").join(who))
            for need, who in needs.items()
        )
    )


def _points_per_order(scenario) -> float | None:
    """Points one order of ``order.amount`` mints at price 1: mint ratio × pool contribution."""
    if scenario is None:
        return None
    return float(scenario.mechanics().grant_share * Fraction(scenario.order.amount))
