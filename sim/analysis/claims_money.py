"""Claims 4 to 6 of SPEC §5, about money from outside the rules: financing rounds inject money
into the pool; points become listed shares; legacy debts are paid from new members' money.

What each test uses (see :mod:`sim.analysis.claims`): the subsidies booked and the share of
buyers losing with and without them on the same seeds (4); nothing, as no rule does it (5);
what old members received against their claims, and who funded it (6).
"""

from __future__ import annotations

import numpy as np

from sim.analysis.evidence import (
    FAILED,
    HELD,
    UNTESTABLE,
    ScenarioEvidence,
    Verdict,
    claim_text,
    overall,
    pct,
    reason,
)
from sim.core.units import fen_to_yuan
from sim.i18n import N_, gettext

# -- claim 4 -------------------------------------------------------------------------------


def _with_without(item: ScenarioEvidence, lever: str) -> tuple[float, float, int]:
    """Mean share of buyers losing in the re-runs, with and without ``lever``."""
    pairs = [(r.summary, r.without[lever]) for r in item.reruns if lever in r.without]
    if not pairs:
        return np.nan, np.nan, 0
    key = "share_of_buyers_losing"
    return (
        float(np.mean([a[key] for a, _ in pairs])),
        float(np.mean([b[key] for _, b in pairs])),
        len(pairs),
    )


def claim_financing(evidence: list[ScenarioEvidence], lang: str = "en") -> Verdict:
    _ = gettext(lang)
    rows = []
    for item in evidence:
        if item.scenario is None or not item.scenario.stress.subsidies:
            continue
        per_run = item.timeseries.groupby(["point", "replicate"])["subsidies"].sum()
        entered = float(item.runs["money_entered"].mean())
        with_, without, n = _with_without(item, "subsidies")
        rows.append(
            {
                "scenario": item.name,
                "verdict": HELD if per_run.mean() > 0 else FAILED,
                "subsidies into the pool (mean yuan)": round(float(per_run.mean()), 2),
                "share of money entered": pct(per_run.mean() / entered if entered else np.nan),
                "buyers losing, with subsidies": pct(with_),
                "buyers losing, same seeds without": pct(without),
                "re-runs compared": n,
            }
        )
    if not rows:
        return Verdict(
            4,
            claim_text(4, lang),
            UNTESTABLE,
            _(
                "No scenario of this batch has financing rounds (stress.subsidies); run "
                "scenarios/financing-rounds.yaml to test it."
            ),
            [],
            _("Not testable here: no scenario of this batch has financing rounds."),
        )
    parts = [
        _(
            "{scenario}: {subsidies} yuan of subsidies entered the pool per run ({share} of all "
            "money entered). They are an input of the scenario, so the claim holds by "
            "construction; what the runs measure is their effect: {with_} of buyers lost money "
            "with them, {without} on the same seeds without them ({reruns} re-runs)."
        ).format(
            scenario=r["scenario"],
            subsidies=f"{r['subsidies into the pool (mean yuan)']:,.0f}",
            share=r["share of money entered"],
            with_=r["buyers losing, with subsidies"],
            without=r["buyers losing, same seeds without"],
            reruns=r["re-runs compared"],
        )
        for r in rows
    ]
    r = rows[0]
    headline = _(
        "{scenario}: {subsidies} yuan of subsidies a run went into the pool — an input of the "
        "scenario, not a result; {with_} of buyers still lost money ({without} without them)."
    ).format(
        scenario=r["scenario"],
        subsidies=f"{r['subsidies into the pool (mean yuan)']:,.0f}",
        with_=r["buyers losing, with subsidies"],
        without=r["buyers losing, same seeds without"],
    )
    return Verdict(4, claim_text(4, lang), overall(rows), " ".join(parts), rows, headline)


# -- claim 5 -------------------------------------------------------------------------------


def claim_listed_shares(evidence: list[ScenarioEvidence], lang: str = "en") -> Verdict:
    _ = gettext(lang)
    text = _(
        "Not modelled, because there is nothing to model: no rule in the source documents "
        "turns points into shares, and none says who would issue them, at what rate, or with "
        "what money. In the rules, a point is only a claim on the pool, worth pool ÷ points, "
        "paid at 80% when sold. A promise of a listing is a promise outside the scheme; "
        "nothing in the simulated platform can pay it."
    )
    headline = _(
        "Not modelled: no rule turns points into shares; a point is only a claim on the pool."
    )
    return Verdict(5, claim_text(5, lang), UNTESTABLE, text, [], headline)


# -- claim 6 -------------------------------------------------------------------------------

LEGACY_READING = {
    "price_growth": N_(
        "released under the seeds' reading: the points an order of the claim would get, worth "
        "the claim only once the price has grown, then sold out"
    ),
    "full_value": N_("released as points worth the whole claim at release, not the seeds' reading"),
}


def claim_legacy_debts(evidence: list[ScenarioEvidence], lang: str = "en") -> Verdict:
    _ = gettext(lang)
    rows = []
    for item in evidence:
        if item.scenario is None or item.scenario.stress.legacy is None:
            continue
        if not item.reruns:
            rows.append({"scenario": item.name, "verdict": UNTESTABLE, "why": item.missing})
            continue
        claims = float(item.scenario.stress.legacy.claims)
        legacy = [r.members[r.members["type"] == "legacy"] for r in item.reruns]
        # members' money is exact (fen): summed exactly, then yuan
        paid = float(np.mean([fen_to_yuan(int(m["cash_received"].sum())) for m in legacy]))
        put_in = float(np.mean([fen_to_yuan(int(m["spent"].sum())) for m in legacy]))
        from_orders = _pool_share_from_orders(item)
        with_, without, n = _with_without(item, "legacy")
        rows.append(
            {
                "scenario": item.name,
                "verdict": HELD if paid > 0 else FAILED,
                "reading": item.scenario.stress.legacy.reading,
                "legacy claims (yuan)": round(claims, 2),
                "paid to old members (mean yuan)": round(paid, 2),
                "share of claims paid": pct(paid / claims),
                "paid in by old members (yuan)": round(put_in, 2),
                "share funded by later orders": pct(from_orders),
                "buyers losing, with legacy points": pct(with_),
                "buyers losing, same seeds without": pct(without),
                "re-runs compared": n,
            }
        )
    if not rows:
        return Verdict(
            6,
            claim_text(6, lang),
            UNTESTABLE,
            _(
                "No scenario of this batch has legacy points (stress.legacy); run "
                "scenarios/legacy-debts.yaml to test it."
            ),
            [],
            _("Not testable here: no scenario of this batch has legacy debts."),
        )
    parts = [_legacy_sentence(r, _) for r in rows]
    tested = [r for r in rows if r["verdict"] != UNTESTABLE]
    if tested:
        r = tested[0]
        headline = _(
            "{scenario}: old members got {paid} of their {claims} yuan of claims ({share}), "
            "{funded} of it from new members' orders."
        ).format(
            scenario=r["scenario"],
            paid=f"{r['paid to old members (mean yuan)']:,.0f}",
            claims=f"{r['legacy claims (yuan)']:,.0f}",
            share=r["share of claims paid"],
            funded=r["share funded by later orders"],
        )
    else:
        headline = _("Not testable: {which}").format(
            which=_("; ").join(
                _("{scenario}: {why}").format(scenario=r["scenario"], why=reason(r["why"], _))
                for r in rows
            )
        )
    return Verdict(6, claim_text(6, lang), overall(rows), " ".join(parts), rows, headline)


def _legacy_sentence(r: dict, _) -> str:
    if r["verdict"] == UNTESTABLE:
        return _("{scenario}: not testable ({why}).").format(
            scenario=r["scenario"], why=reason(r["why"], _)
        )
    return _(
        "{scenario}: old members held {claims} yuan of claims ({reading}) and received {paid} "
        "({share}) within the horizon, having paid {put_in} in. Every yuan came out of the pool, "
        "that is, {funded} of it from new members' orders. The cost falls on them: {with_} of "
        "buyers lost money with the legacy points, {without} on the same seeds without."
    ).format(
        scenario=r["scenario"],
        claims=f"{r['legacy claims (yuan)']:,.0f}",
        reading=_(LEGACY_READING[r["reading"]]),
        paid=f"{r['paid to old members (mean yuan)']:,.0f}",
        share=r["share of claims paid"],
        put_in=f"{r['paid in by old members (yuan)']:,.0f}",
        funded=r["share funded by later orders"],
        with_=r["buyers losing, with legacy points"],
        without=r["buyers losing, same seeds without"],
    )


def _pool_share_from_orders(item: ScenarioEvidence) -> float:
    """The share of the money paid into the pool that came from orders (the rest: subsidies),
    over the re-runs: what funds anything the pool pays out."""
    pool = float(dict(item.scenario.order.split).get("pool", 0))
    sources = [r.summary.get("money_entered_by_source", {}) for r in item.reruns]
    orders = pool * sum(s.get("orders", 0) for s in sources)
    other = sum(v for s in sources for k, v in s.items() if k != "orders")
    return orders / (orders + other) if orders + other else np.nan
