"""The report's summary in plain words, harm first.

What a regulator needs first is who was hurt and by how much, so the summary opens with the
harm by the net-investment method (:mod:`sim.analysis.netinvest`: cash that left the
platform against money paid in), the money the net winners took from later members (the
clawback pool), and the operator's and the distribution layer's take, each with its 95%
interval and the number of runs it rests on. Then who lost money on each basis, then
collapse — each condition defined, and where no stress lever is on, the plain statement that
the rules cannot become insolvent, so a collapse probability of 0 there says nothing about
safety — then the readings of the seeds the scenarios use, then the claims. In English or
Chinese (``lang``, :mod:`sim.i18n`; money in 万元 in Chinese).
"""

from __future__ import annotations

import math

import pandas as pd

from sim.analysis.claims import ScenarioEvidence, Verdict
from sim.analysis.evidence import CANNOT_FAIL, insolvency_levers, verdict_word
from sim.batch.compare import mean_interval
from sim.i18n import N_, gettext, money

CONDITIONS = {  # collapse conditions in the summary's words
    "operator_halt": N_("the operator halted the platform"),
    "unpaid_withdrawals": N_("payouts went unpaid or withdrawals queued up"),
    "pool_drawdown": N_("the pool fell far below its peak"),
    "inflow_stall": N_("new money dried up"),
    "loss_majority": N_("most buyers were below break-even"),
}
CONDITION_NAMES = {  # the conditions' keys in words
    "operator_halt": N_("operator halt"),
    "unpaid_withdrawals": N_("unpaid withdrawals"),
    "pool_drawdown": N_("pool drawdown"),
    "inflow_stall": N_("inflow stall"),
    "loss_majority": N_("loss majority"),
}


def share_with_interval(values: pd.Series, lang: str = "en") -> str:
    """A share's mean over runs with its 95% Student-t interval, kept inside [0, 1], and the
    number of runs it rests on."""
    _ = gettext(lang)
    n, mean, low, high = mean_interval(values)
    if n == 0:
        return _("n/a")
    if math.isnan(low):
        return _("{mean} (1 run: no interval)").format(mean=f"{mean:.1%}")
    return _("{mean} ({level} interval {low} to {high}, {n} runs)").format(
        mean=f"{mean:.1%}", level="95%", low=f"{max(low, 0):.1%}", high=f"{min(high, 1):.1%}", n=n
    )


def yuan_with_interval(values: pd.Series, lang: str = "en") -> str:
    _ = gettext(lang)
    n, mean, low, high = mean_interval(values)
    if n == 0:
        return _("n/a")

    def show(value: float) -> str:
        return f"{value:,.0f}" if lang == "en" else money(value, lang)

    if math.isnan(low):
        return _("{mean} yuan (1 run: no interval)").format(mean=show(mean))
    return _("{mean} yuan ({level} interval {low} to {high}, {n} runs)").format(
        mean=show(mean), level="95%", low=show(max(low, 0)), high=show(high), n=n
    )


def harm(ok: pd.DataFrame, lang: str = "en") -> list[str]:
    """One sentence a scenario: net losers, the clawback pool, the operator's and the
    distribution layer's take."""
    _ = gettext(lang)
    if "net_investment_share_net_losers" not in ok:
        return [_("The net-investment figures are not in this batch (made by an older version).")]
    out = []
    for name, group in ok.groupby("scenario", sort=False):
        text = _(
            "{name}: {losers} of the members who took part lost money by the net-investment "
            "method (cash withdrawn from the platform minus money paid in). The net winners "
            "took {clawback} more than they paid in, all of it other members' money (the "
            "clawback pool), against net losses of {losses}"
        ).format(
            name=name,
            losers=share_with_interval(group["net_investment_share_net_losers"], lang),
            clawback=yuan_with_interval(group["net_investment_clawback_pool"], lang),
            losses=yuan_with_interval(group["net_investment_net_losses"], lang),
        )
        if "operator_take_share" in group:
            text += _(
                ". The operator kept {operator} of the money paid in (split lines other than "
                "the goods, fees, money diverted) and the distribution layer paid {layer} to "
                "members as bonuses"
            ).format(
                operator=share_with_interval(group["operator_take_share"], lang),
                layer=share_with_interval(group["distribution_take_share"], lang),
            )
        not_given = group.get("money_share_rules_not_given")
        if not_given is not None and not_given.fillna(0).gt(0).any():
            text += _(
                ". A further {share} was kept, rules not given: the seeds name its line but not "
                "how it is paid out, so it counts neither as the operator's take nor as bonuses"
            ).format(share=share_with_interval(not_given, lang))
        out.append(text + _("."))
    return out


LOSS_BASES = (  # the other bases of "lost money" the summary gives, with their words
    ("share_of_buyers_losing_counting_credited", N_("counting cash credited but not withdrawn")),
    (
        "share_of_buyers_losing_counting_points",
        N_("also counting their points sold at the final price"),
    ),
    ("share_losing_counting_goods", N_("counting the goods they received at a fair value")),
)


def losses(ok: pd.DataFrame, lang: str = "en") -> list[str]:
    _ = gettext(lang)
    out = []
    for name, group in ok.groupby("scenario", sort=False):
        text = _(
            "{name}: {share} of the members who bought got less cash out of the platform than "
            "they paid in"
        ).format(name=name, share=share_with_interval(group["share_of_buyers_losing"], lang))
        for column, words in LOSS_BASES:
            if column in group:
                text += _("; {words}, {share}").format(
                    words=_(words), share=f"{group[column].mean():.1%}"
                )
        out.append(text + _("."))
    return out


def collapse(
    table: pd.DataFrame | None, evidence: list[ScenarioEvidence], lang: str = "en"
) -> list[str]:
    _ = gettext(lang)
    if table is None:
        return [_("Collapse detection is not in this batch (it was made by an older version).")]
    out = [
        _(
            "A run counts as collapsed on the first day one of its scenario's conditions fires: "
            "{conditions} (loss majority is off unless a scenario turns it on: every buyer "
            "starts below break-even)."
        ).format(
            conditions=_("; ").join(
                _("{name}: {words}").format(name=_(CONDITION_NAMES[key]), words=_(words))
                for key, words in CONDITIONS.items()
            )
        )
    ]
    levers = {item.name: insolvency_levers(item.scenario, lang) for item in evidence}
    unknown = {item.name for item in evidence if item.scenario is None}
    calm = []
    for row in table.to_dict("records"):
        text = _(
            "{scenario}: collapsed in {collapsed} of {runs} runs ({p}; {level} Wilson interval "
            "{low} to {high})"
        ).format(
            scenario=row["scenario"],
            collapsed=row["collapsed"],
            runs=row["runs"],
            p=f"{row['p']:.0%}",
            level="95%",
            low=f"{row['low']:.0%}",
            high=f"{row['high']:.0%}",
        )
        if row["collapsed"]:
            top = row["conditions"].split(" (")[0]
            text += _(", typically around day {day}; most often because {why}").format(
                day=f"{row['median day']:.0f}", why=_(CONDITIONS[top]) if top in CONDITIONS else top
            )
        if row["scenario"] in unknown:
            text += _(" (its scenario file is not available, so its stress levers are unknown)")
        elif levers.get(row["scenario"]):
            text += _(" (stress levers: {levers})").format(
                levers=_(", ").join(levers[row["scenario"]])
            )
        elif row["scenario"] in levers:
            calm.append(row["scenario"])
            text += (
                _(
                    " (no stress lever: it cannot become insolvent; what collapsed is what an "
                    "outsider sees, not the pool's solvency)"
                )
                if row["collapsed"]
                else _(" (no stress lever: it cannot become insolvent)")
            )
        out.append(text + _("."))
    if calm:
        out.append(_("{names}: {why}").format(names=_(", ").join(calm), why=_(CANNOT_FAIL)))
    return out


def readings(evidence: list[ScenarioEvidence], lang: str = "en") -> list[str]:
    """How each scenario reads the seeds where their text allows more than one reading."""
    _ = gettext(lang)
    out = []
    for item in evidence:
        order = getattr(item.scenario, "order", None)
        for line, words in () if order is None else order.rules_not_given:
            share = float(dict(order.split)[line])
            out.append(
                _(
                    "{name}: the '{line}' line ({share} of each order) is kept, rules not given: "
                    "the seeds name it without saying how it is paid ({words})."
                ).format(name=item.name, line=line, share=f"{share:.0%}", words=words)
            )
        stress = getattr(item.scenario, "stress", None)
        legacy = None if stress is None else stress.legacy
        if legacy is not None:
            out.append(
                _("{name}: legacy claims are {how}").format(
                    name=item.name,
                    how=_(
                        "released as the points an order of the claim would get, worth the "
                        "claim only once the price has grown; old members sell out when they "
                        "are (the seeds' literal reading: "
                        "当积分增长的价格*老用户持有流通积分量=老用户应付资产价值时)."
                    )
                    if legacy.reading == "price_growth"
                    else _(
                        "released as points worth the whole claim at release (not the seeds' "
                        "literal reading, under which they reach it only once the price has "
                        "grown)."
                    ),
                )
            )
        points = getattr(item.scenario, "points", None)
        if points is None or points.exit_multiple is None:
            continue
        against = (
            _("what they spent") if points.exit_against == "spend" else _("their value at grant")
        )
        text = _(
            "{name}: forced exit at {multiple}x when the {which} × the price reach {against}"
        ).format(
            name=item.name,
            multiple=f"{float(points.exit_multiple):g}",
            which=_(EXIT_POINTS[points.exit_points]),
            against=against,
        )
        if points.exit_counts_cash:
            text += _(", cash already realised counted")
        text += (
            _(" (seed 001's literal reading: points obtained from consumption)")
            if points.exit_points == "obtained"
            else _(" (not seed 001's literal reading, which counts the points obtained)")
        )
        out.append(text + _("."))
        distribution = getattr(item.scenario, "distribution", None)
        for rule in () if distribution is None else distribution.specs():
            if rule.kind == "chain_motion":
                out.append(
                    _("{name}: the 链动2+1 peer bonus goes to {whom}").format(
                        name=item.name,
                        whom=_(
                            "the earning boss's recruiter (seed 004's literal reading, "
                            "原来推荐关系的下级)."
                        )
                        if rule.peer_to == "recruiter_boss"
                        else _(
                            "the boss whose team the earning boss is in (not seed 004's "
                            "literal reading, which names his recruiter)."
                        ),
                    )
                )
    return out or [_("No scenario here reads the seeds where their text allows more than one way.")]


EXIT_POINTS = {"obtained": N_("points obtained"), "held": N_("points held")}  # exit_points


def summary(
    batches_replicates: list[int],
    runs: pd.DataFrame,
    table: pd.DataFrame | None,
    verdicts: list[Verdict],
    evidence: list[ScenarioEvidence],
    lang: str = "en",
) -> list[tuple[str, list[str]]]:
    """The report's summary: (heading, sentences), harm first."""
    _ = gettext(lang)
    ok = runs[runs["status"] == "ok"]
    days = sorted({item.horizon for item in evidence})
    versions = runs["scenario"].nunique()
    text = _(
        "We simulated {versions} of the points scheme, each {times} times with different "
        "random draws (who joins, when, how much they buy and when they sell), for {days} "
        "days: {platforms} simulated platforms in all"
    ).format(
        versions=(_("{n} version") if versions == 1 else _("{n} versions")).format(n=versions),
        times=_(" or ").join(map(str, batches_replicates)),
        days=_(" or ").join(map(str, days)),
        platforms=len(runs),
    )
    if len(ok) < len(runs):
        text += _(", {failed} of which failed to run.").format(failed=len(runs) - len(ok))
    else:
        text += _(".")
    ran = [text]
    for item in evidence:
        description = item.scenario.description if item.scenario is not None else ""
        ran.append(f"{item.name}: {description}".strip().rstrip(":"))
    claims = [
        _("Claim {number}, “{claim}” — {verdict}. {headline}").format(
            number=v.number,
            claim=v.claim,
            verdict=verdict_word(v.verdict, lang).upper(),
            headline=v.headline,
        )
        for v in verdicts
    ]
    return [
        (_("The harm"), harm(ok, lang)),
        (_("Who lost money"), losses(ok, lang)),
        (_("What was run"), ran),
        (_("How often it collapsed, and what that means"), collapse(table, evidence, lang)),
        (_("Readings of the seeds used"), readings(evidence, lang)),
        (_("The vendor's claims"), claims),
    ]
