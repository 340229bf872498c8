"""The report's summary in plain words, harm first.

What a regulator needs first is who was hurt and by how much, so the summary opens with the
harm by the net-investment method (:mod:`sim.analysis.netinvest`: cash that left the
platform against money paid in), the money the net winners took from later members (the
clawback pool), and the operator's and the distribution layer's take, each with its 95%
interval and the number of runs it rests on. Then who lost money on each basis, then
collapse — each condition defined, and where no stress lever is on, the plain statement that
the rules cannot become insolvent, so a collapse probability of 0 there says nothing about
safety — then the readings of the seeds the scenarios use, then the claims.
"""

from __future__ import annotations

import math

import pandas as pd

from sim.analysis.claims import ScenarioEvidence, Verdict
from sim.analysis.evidence import CANNOT_FAIL, insolvency_levers
from sim.batch.compare import mean_interval

CONDITIONS = {  # collapse conditions in the summary's words
    "operator_halt": "the operator halted the platform",
    "unpaid_withdrawals": "payouts went unpaid or withdrawals queued up",
    "pool_drawdown": "the pool fell far below its peak",
    "inflow_stall": "new money dried up",
    "loss_majority": "most buyers were below break-even",
}


def share_with_interval(values: pd.Series) -> str:
    """A share's mean over runs with its 95% Student-t interval, kept inside [0, 1], and the
    number of runs it rests on."""
    n, mean, low, high = mean_interval(values)
    if n == 0:
        return "n/a"
    if math.isnan(low):
        return f"{mean:.1%} (1 run: no interval)"
    return f"{mean:.1%} (95% interval {max(low, 0):.1%} to {min(high, 1):.1%}, {n} runs)"


def yuan_with_interval(values: pd.Series) -> str:
    n, mean, low, high = mean_interval(values)
    if n == 0:
        return "n/a"
    if math.isnan(low):
        return f"{mean:,.0f} yuan (1 run: no interval)"
    return f"{mean:,.0f} yuan (95% interval {max(low, 0):,.0f} to {high:,.0f}, {n} runs)"


def harm(ok: pd.DataFrame) -> list[str]:
    """One sentence a scenario: net losers, the clawback pool, the operator's and the
    distribution layer's take."""
    if "net_investment_share_net_losers" not in ok:
        return ["The net-investment figures are not in this batch (made by an older version)."]
    out = []
    for name, group in ok.groupby("scenario", sort=False):
        text = (
            f"{name}: {share_with_interval(group['net_investment_share_net_losers'])} of the "
            "members who took part lost money by the net-investment method (cash withdrawn from "
            "the platform minus money paid in). The net winners took "
            f"{yuan_with_interval(group['net_investment_clawback_pool'])} more than they paid "
            "in, all of it other members' money (the clawback pool), against net losses of "
            f"{yuan_with_interval(group['net_investment_net_losses'])}"
        )
        if "operator_take_share" in group:
            operator = share_with_interval(group["operator_take_share"])
            layer = share_with_interval(group["distribution_take_share"])
            text += (
                f". The operator kept {operator} of the money paid in (split lines other than "
                f"the goods, fees, money diverted) and the distribution layer paid {layer} to "
                "members as bonuses"
            )
        not_given = group.get("money_share_rules_not_given")
        if not_given is not None and not_given.fillna(0).gt(0).any():
            text += (
                f". A further {share_with_interval(not_given)} was kept, rules not given: the "
                "seeds name its line but not how it is paid out, so it counts neither as the "
                "operator's take nor as bonuses"
            )
        out.append(text + ".")
    return out


def losses(ok: pd.DataFrame) -> list[str]:
    out = []
    for name, group in ok.groupby("scenario", sort=False):
        text = (
            f"{name}: {share_with_interval(group['share_of_buyers_losing'])} of the members who "
            "bought got less cash out of the platform than they paid in"
        )
        for column, words in (
            (
                "share_of_buyers_losing_counting_credited",
                "counting cash credited but not withdrawn",
            ),
            (
                "share_of_buyers_losing_counting_points",
                "also counting their points sold at the final price",
            ),
            ("share_losing_counting_goods", "counting the goods they received at a fair value"),
        ):
            if column in group:
                text += f"; {words}, {group[column].mean():.1%}"
        out.append(text + ".")
    return out


def collapse(table: pd.DataFrame | None, evidence: list[ScenarioEvidence]) -> list[str]:
    if table is None:
        return ["Collapse detection is not in this batch (it was made by an older version)."]
    out = [
        "A run counts as collapsed on the first day one of its scenario's conditions fires: "
        + "; ".join(f"{key.replace('_', ' ')}: {words}" for key, words in CONDITIONS.items())
        + " (loss majority is off unless a scenario turns it on: every buyer starts below "
        "break-even)."
    ]
    levers = {item.name: insolvency_levers(item.scenario) for item in evidence}
    unknown = {item.name for item in evidence if item.scenario is None}
    calm = []
    for row in table.to_dict("records"):
        text = (
            f"{row['scenario']}: collapsed in {row['collapsed']} of {row['runs']} runs "
            f"({row['p']:.0%}; 95% Wilson interval {row['low']:.0%} to {row['high']:.0%})"
        )
        if row["collapsed"]:
            top = row["conditions"].split(" (")[0]
            text += (
                f", typically around day {row['median day']:.0f}; most often because "
                f"{CONDITIONS.get(top, top)}"
            )
        if row["scenario"] in unknown:
            text += " (its scenario file is not available, so its stress levers are unknown)"
        elif levers.get(row["scenario"]):
            text += f" (stress levers: {', '.join(levers[row['scenario']])})"
        elif row["scenario"] in levers:
            calm.append(row["scenario"])
            text += (
                " (no stress lever: it cannot become insolvent; what collapsed is what an "
                "outsider sees, not the pool's solvency)"
                if row["collapsed"]
                else " (no stress lever: it cannot become insolvent)"
            )
        out.append(text + ".")
    if calm:
        out.append(f"{', '.join(calm)}: {CANNOT_FAIL}")
    return out


def readings(evidence: list[ScenarioEvidence]) -> list[str]:
    """How each scenario reads the seeds where their text allows more than one reading."""
    out = []
    for item in evidence:
        order = getattr(item.scenario, "order", None)
        for line, words in () if order is None else order.rules_not_given:
            share = float(dict(order.split)[line])
            out.append(
                f"{item.name}: the '{line}' line ({share:.0%} of each order) is kept, rules not "
                f"given: the seeds name it without saying how it is paid ({words})."
            )
        stress = getattr(item.scenario, "stress", None)
        legacy = None if stress is None else stress.legacy
        if legacy is not None:
            out.append(
                f"{item.name}: legacy claims are "
                + (
                    "released as the points an order of the claim would get, worth the claim "
                    "only once the price has grown; old members sell out when they are (the "
                    "seeds' literal reading: "
                    "当积分增长的价格*老用户持有流通积分量=老用户应付资产价值时)."
                    if legacy.reading == "price_growth"
                    else "released as points worth the whole claim at release (not the seeds' "
                    "literal reading, under which they reach it only once the price has grown)."
                )
            )
        points = getattr(item.scenario, "points", None)
        if points is None or points.exit_multiple is None:
            continue
        against = "what they spent" if points.exit_against == "spend" else "their value at grant"
        out.append(
            f"{item.name}: forced exit at {float(points.exit_multiple):g}x when the points "
            f"{points.exit_points} × the price reach {against}"
            + (", cash already realised counted" if points.exit_counts_cash else "")
            + (
                " (seed 001's literal reading: points obtained from consumption)"
                if points.exit_points == "obtained"
                else " (not seed 001's literal reading, which counts the points obtained)"
            )
            + "."
        )
        distribution = getattr(item.scenario, "distribution", None)
        for rule in () if distribution is None else distribution.specs():
            if rule.kind == "chain_motion":
                out.append(
                    f"{item.name}: the 链动2+1 peer bonus goes to "
                    + (
                        "the earning boss's recruiter (seed 004's literal reading, "
                        "原来推荐关系的下级)."
                        if rule.peer_to == "recruiter_boss"
                        else "the boss whose team the earning boss is in (not seed 004's "
                        "literal reading, which names his recruiter)."
                    )
                )
    return out or ["No scenario here reads the seeds where their text allows more than one way."]


def summary(
    batches_replicates: list[int],
    runs: pd.DataFrame,
    table: pd.DataFrame | None,
    verdicts: list[Verdict],
    evidence: list[ScenarioEvidence],
) -> list[tuple[str, list[str]]]:
    """The report's summary: (heading, sentences), harm first."""
    ok = runs[runs["status"] == "ok"]
    days = sorted({item.horizon for item in evidence})
    ran = [
        f"We simulated {_count(runs['scenario'].nunique(), 'version')} of the points scheme, each "
        f"{' or '.join(map(str, batches_replicates))} times with different random draws (who "
        f"joins, when, how much they buy and when they sell), for "
        f"{' or '.join(map(str, days))} days: {len(runs)} simulated platforms in all"
        + (f", {len(runs) - len(ok)} of which failed to run." if len(ok) < len(runs) else ".")
    ]
    for item in evidence:
        description = item.scenario.description if item.scenario is not None else ""
        ran.append(f"{item.name}: {description}".strip().rstrip(":"))
    claims = [
        f"Claim {v.number}, “{v.claim}” — {v.verdict.upper()}. {v.headline}" for v in verdicts
    ]
    return [
        ("The harm", harm(ok)),
        ("Who lost money", losses(ok)),
        ("What was run", ran),
        ("How often it collapsed, and what that means", collapse(table, evidence)),
        ("Readings of the seeds used", readings(evidence)),
        ("The vendor's claims", claims),
    ]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
