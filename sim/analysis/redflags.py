"""Legal red flags of one run (SPEC §7): the facts a regulator or auditor checks, measured on
a run's members table and summary, each against its statutory threshold, with the numbers.

The flags say where a simulated platform stands against the thresholds the law sets; they do
not decide any case. Thresholds use "at least" (以上 includes the number itself).

The referral tree comes from the ``sponsor`` column (:mod:`sim.analysis.redflags_tree`); the
thresholds and the laws that set them are in :mod:`sim.core.law`.

Who organises. The pyramid and serious flags measure one organisation at a time, under two
readings (:mod:`sim.analysis.redflags_org`): ``platform`` (the default: the operator, which
sits above every member without a sponsor and takes a share of every order, heads everyone
who paid in, and counts as the first level, as the 2013 Opinion says,
"包括组织者、领导者本人及其本层级在内") and ``leader`` (each top member's team alone). Only
links that carried pay count as levels.

Where compensated depth comes from. Without a distribution layer, from the sponsor tree and
the scenario's two-level ``referral`` rule (who bought, who was paid, and how far up the rule
reaches). A run with the distribution layer (``summary["distribution"]``, SPEC §6) records
each payout's level, its distance up the network from the buyer, so the depth is read from
there: a payout at level L paid a member on a purchase L levels below them, a compensated
chain of L + 1 members, L + 2 levels with the organiser on top (a paid direct sponsor gives 3,
as in the tree). Payouts at level 0 (pools, regions, service points, merchants) are not along
the chain and add no depth. Under the platform reading the flag takes the deeper of the two
figures; with ``bonuses.parquet`` each member's deepest paid level also gives their own team
its depth. The recruitment flag
adds what the layer paid and which share of it a recruit's first order triggered (拉人头),
later sales (团队计酬) or dividend pools.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from sim.analysis.redflags_org import (
    DEFAULT_READING,
    READINGS,
    Organisation,
    organisations,
    reach_of,
)
from sim.analysis.redflags_tree import Tree
from sim.core.law import (
    FUNDRAISING_LOSS,
    FUNDRAISING_MONEY,
    FUNDRAISING_PAYERS,
    LAW_ENTRY_FEE,
    LAW_FUNDRAISING,
    LAW_PROMISE,
    LAW_PYRAMID,
    LAW_RECRUITMENT,
    LAW_SERIOUS,
    PYRAMID_LEVELS,
    PYRAMID_PARTICIPANTS,
    SERIOUS_MONEY,
    SERIOUS_PARTICIPANTS,
)
from sim.core.mechanics import GOODS_LINES
from sim.core.units import fen_to_yuan


@dataclass(frozen=True)
class Flag:
    """One legal test: what was measured, against which threshold, and whether it is reached.
    ``values`` are ``(name, value)`` pairs; money is in yuan (names ending ``_yuan``)."""

    key: str
    law: str
    raised: bool
    values: tuple[tuple[str, float | int | str], ...]
    threshold: str
    explanation: str
    reading: str = DEFAULT_READING  # who is taken as the organiser (redflags_org)

    @property
    def measured(self) -> dict[str, float | int | str]:
        return dict(self.values)


def red_flags(
    members: pd.DataFrame,
    summary: dict,
    scenario,
    layer: dict | None = None,
    bonuses: pd.DataFrame | None = None,
    links: np.ndarray | None = None,
    readings: tuple[str, ...] = READINGS,
    parents: np.ndarray | None = None,
) -> list[Flag]:
    """The flags of SPEC §7 for one run, the pyramid ones under each reading of who
    organises (:mod:`sim.analysis.redflags_org`): ``members`` is its exact members table
    (:mod:`sim.model.members`, money in fen), ``summary`` its summary (the money entered by
    source), ``scenario`` the scenario it ran, ``layer`` the distribution layer's exact
    figures when the run had one (:func:`sim.distribution.summary.figures`) and ``bonuses``
    what its rules paid by member and level (``bonuses.parquet``: each member's deepest
    paid level gives their team its depth). ``links`` (per member in table order: whether
    the link to their sponsor carried pay) is given when records name who was paid on whose
    order (a replay: :func:`sim.replay.teams.link_days`); the table is then in join order
    already. Without it the links are read from the totals and the scenario's referral rule.
    ``readings``: those the pyramid flags are measured under (none: the other flags only);
    ``parents`` (with ``links``): each member's sponsor's position, -1 for none."""
    tree = Tree(members, ordered=links is not None, parent=parents)
    pyramids = [_pyramid(tree, scenario, layer, bonuses, reading, links) for reading in readings]
    return [
        *(flag for flag, _ in pyramids),
        *(_serious(flag, org) for flag, org in pyramids),
        _fundraising(tree, summary),
        _entry_fee(tree, scenario),
        _recruitment(tree, scenario, layer),
        _promise(tree, scenario),
    ]


NOT_MEASURED = ("key", "raised", "reading", "threshold", "law", "explanation")


def flags_json(flags: list[Flag]) -> list[dict]:
    """The flags as ``summary.json`` holds them (``red_flags``)."""
    return [
        {
            "key": flag.key,
            "raised": flag.raised,
            "reading": flag.reading,
            **flag.measured,
            "threshold": flag.threshold,
            "law": flag.law,
            "explanation": flag.explanation,
        }
        for flag in flags
    ]


def distribution_levels(deepest_level: int) -> int:
    """Levels, counted as the 2013 Opinion counts them, of a compensated chain whose deepest
    payout was ``deepest_level`` levels up from the buyer: the paid member, everyone down to
    the buyer, and the organiser on top (L + 2); 0 when nothing was paid along the chain."""
    return deepest_level + 2 if deepest_level > 0 else 0


def _pyramid(
    tree: Tree, scenario, layer: dict | None, bonuses, reading: str, links=None
) -> tuple[Flag, Organisation | None]:
    """The pyramid flag under ``reading``, and the organisation it measured."""
    if links is None:
        referral = scenario.referral
        links = tree.compensated_links(referral.direct > 0, referral.indirect > 0)
    reach = reach_of(tree, bonuses)
    deepest = max(int(reach.max()) if len(reach) else 0, _layer_level(layer))
    count, at_filing, org = organisations(tree, links, reach, reading)
    if reading == "platform" and layer is not None and org is not None:  # the layer's
        # deepest payout, wherever it was
        org = replace(org, levels=max(org.levels, distribution_levels(deepest)))
        at_filing = int(org.at_filing)
    levels, participants = (0, 0) if org is None else (org.levels, org.participants)
    raised = org is not None and org.at_filing
    reached = "reaching both" if raised else "not reaching both"
    values: tuple[tuple[str, float | int | str], ...] = (
        ("levels", levels),
        ("participants", participants),
        ("paid_in_yuan", 0.0 if org is None else fen_to_yuan(org.money)),
        ("organiser", "" if org is None else org.head),
        ("organisations", count),
        ("organisations_at_filing", at_filing),
        ("compensated_links", int(links.sum())),
    )
    if layer is not None or bonuses is not None:
        values += (("deepest_level_paid", deepest),)
    if layer is not None:
        from_layer = distribution_levels(deepest) >= levels
        values += (("depth_source", "distribution layer" if from_layer else "referral rule"),)
    if reading == "platform":
        what = (
            f"Reading 'platform' (the operator organises one organisation): {participants:,} "
            "members paid in. "
            + (
                _layer_depth(deepest, levels, from_layer)
                if layer is not None
                else "The deepest chain of links that carried pay, with the platform on top "
                f"as the organiser, has {levels} levels"
            )
        )
    else:
        what = (
            f"Reading 'leader' (each top member heads a team): {at_filing}"
            f" of {count:,} teams reach both thresholds; the closest, led by member "
            f"{org.head if org else ''}, has {participants:,} participants over {levels} levels "
            "(the deepest chain of paid links inside the team)"
        )
    flag = Flag(
        key="pyramid_levels",
        law=LAW_PYRAMID,
        raised=raised,
        values=values,
        threshold=(
            f"one organisation with levels >= {PYRAMID_LEVELS} and participants >= "
            f"{PYRAMID_PARTICIPANTS}"
        ),
        explanation=(
            f"{what}: {reached} of the filing thresholds of {PYRAMID_LEVELS} levels and "
            f"{PYRAMID_PARTICIPANTS} participants. Only links that carried pay count as levels."
        ),
        reading=reading,
    )
    return flag, org


def _layer_level(layer: dict | None) -> int:
    return int(layer.get("deepest_level") or 0) if layer is not None else 0


def _layer_depth(deepest: int, levels: int, from_layer: bool) -> str:
    """Where a distribution run's compensated depth came from, in words."""
    below = "1 level" if deepest == 1 else f"{deepest} levels"
    if from_layer:
        return (
            f"The distribution layer paid a member on a purchase {below} below them, a chain "
            f"of {deepest + 1} members; with the platform on top as the organiser that makes "
            f"{levels} levels"
        )
    paid = (
        "paid no member on a purchase below them (only pools, regions, service points or merchants)"
        if deepest == 0
        else f"paid a member on a purchase at most {below} below them"
    )
    return (
        f"The distribution layer {paid}; the deepest chain the referral rule paid along, read "
        f"from the sponsor tree with the platform on top as the organiser, has {levels} levels"
    )


def _serious(pyramid: Flag, org: Organisation | None) -> Flag:
    """Serious circumstances, on the organisation the pyramid flag of its reading measured."""
    measured = pyramid.measured
    participants, money = measured["participants"], measured["paid_in_yuan"]
    reached = org is not None and org.beyond_serious
    raised = pyramid.raised and reached
    if raised:
        verdict = "so the pyramid test is met with serious circumstances"
    elif reached:
        verdict = "but that organisation does not meet the pyramid test, so nothing aggravates"
    else:
        verdict = "below both"
    return Flag(
        key="pyramid_serious",
        law=LAW_SERIOUS,
        raised=raised,
        values=(
            ("participants", participants),
            ("paid_in_yuan", money),
            ("organiser", measured["organiser"]),
        ),
        threshold=(
            f"pyramid_levels raised for the same organisation and (participants >= "
            f"{SERIOUS_PARTICIPANTS} or the money its participants paid in >= "
            f"{_yuan(SERIOUS_MONEY)})"
        ),
        explanation=(
            f"Reading '{pyramid.reading}': the organisation closest to the thresholds has "
            f"{participants:,} participants who paid in {money:,.2f} yuan, against "
            f"{SERIOUS_PARTICIPANTS} participants or {_yuan(SERIOUS_MONEY)}: {verdict}."
        ),
        reading=pyramid.reading,
    )


def _fundraising(tree: Tree, summary: dict) -> Flag:
    absorbed = int(tree.spent.sum())
    payers = int((tree.spent > 0).sum())
    loss = int(np.maximum(0, tree.spent - tree.cash - tree.bonus).sum())
    financing = summary.get("money_entered_by_source", {}).get("financing", 0.0)
    hits = [
        absorbed >= FUNDRAISING_MONEY,
        payers >= FUNDRAISING_PAYERS,
        loss >= FUNDRAISING_LOSS,
    ]
    return Flag(
        key="illegal_fundraising",
        law=LAW_FUNDRAISING,
        raised=any(hits),
        values=(
            ("absorbed_yuan", fen_to_yuan(absorbed)),
            ("payers", payers),
            ("direct_loss_yuan", fen_to_yuan(loss)),
            ("financing_yuan", float(financing)),
        ),
        threshold=(
            f"absorbed >= {_yuan(FUNDRAISING_MONEY)} or payers >= {FUNDRAISING_PAYERS} or "
            f"direct loss >= {_yuan(FUNDRAISING_LOSS)}"
        ),
        explanation=(
            f"{payers:,} members paid in {_yuan(absorbed)} and those who got back less cash "
            f"than they paid are short {_yuan(loss)} in all, against thresholds of "
            f"{_yuan(FUNDRAISING_MONEY)}, {FUNDRAISING_PAYERS} payers or {_yuan(FUNDRAISING_LOSS)} "
            f"of loss: {sum(hits)} of 3 reached."
        ),
    )


def _entry_fee(tree: Tree, scenario) -> Flag:
    """From what members paid to take part: their order spend and fees, and the part of it
    that bought no goods (the split's non-goods share of orders, and every fee)."""
    split = dict(scenario.order.split)
    goods = sum(split.get(line, 0) for line in GOODS_LINES)
    other = 1 - goods
    returns = scenario.points.mint_ratio > 0 and split["pool"] > 0
    payers = tree.spent > 0
    orders = tree.spent - tree.fees
    least = int(orders[payers].min()) if payers.any() else 0
    order_total, fees = int(orders.sum()), int(tree.fees.sum())
    not_goods = int(other * order_total) + fees  # fen, rounded down on the order share
    absorbed = order_total + fees
    unpaid_earners = int(((tree.bonus > 0) & ~payers).sum())
    raised = bool(returns and payers.any() and not_goods > 0)
    if raised:
        explanation = (
            f"{int(payers.sum()):,} members paid to take part — points, the scheme's return, "
            f"came only with orders (the least any member spent on orders was {_yuan(least)})"
            f" — and {_yuan(not_goods)} of the {_yuan(absorbed)} they paid in "
            f"({not_goods / absorbed:.1%}) bought no goods: {float(other):.0%} of every order"
            + (f" and {_yuan(fees)} of fees" if fees else "")
            + ". A required purchase of which part works as an entry fee."
        )
    else:
        explanation = (
            "No member paid for a right to returns beyond the goods (no points minted, or "
            "nothing paid in that did not buy goods)."
        )
    return Flag(
        key="entry_fee",
        law=LAW_ENTRY_FEE,
        raised=raised,
        values=(
            ("payers", int(payers.sum())),
            ("least_order_spend_yuan", fen_to_yuan(least)),
            ("paid_in_yuan", fen_to_yuan(absorbed)),
            ("paid_not_for_goods_yuan", fen_to_yuan(not_goods)),
            ("fees_yuan", fen_to_yuan(fees)),
            ("non_goods_share", float(other)),
            ("bonus_earners_who_never_bought", unpaid_earners),
        ),
        threshold="members paid for points (the return) and part of what they paid bought no goods",
        explanation=explanation,
    )


def _recruitment(tree: Tree, scenario, layer: dict | None) -> Flag:
    bonuses = int(tree.bonus.sum())
    payouts = bonuses + int(tree.cash.sum())
    share = bonuses / payouts if payouts else 0.0
    values: tuple[tuple[str, float | int | str], ...] = (
        ("bonuses_yuan", fen_to_yuan(bonuses)),
        ("share_of_payouts", share),
        ("members_paid_bonuses", int((tree.bonus > 0).sum())),
        ("member_payouts_yuan", fen_to_yuan(payouts)),
    )
    if layer is None:
        referral = scenario.referral
        rule = f"direct {float(referral.direct):.2%}, indirect {float(referral.indirect):.2%}"
        return Flag(
            key="recruitment_pay",
            law=LAW_RECRUITMENT,
            raised=bonuses > 0,
            values=values,
            threshold="any bonus paid for recruits' or the downline's orders",
            explanation=(
                f"Members were paid {_yuan(bonuses)} in referral bonuses on their recruits' "
                f"and downline's orders ({rule} of each order), {share:.1%} of the "
                f"{_yuan(payouts)} paid to members in all."
            ),
        )
    paid = int(layer.get("paid") or 0)
    shares = {
        reason: float(layer.get(f"share_{reason}") or 0.0)
        for reason in ("recruit", "sale", "dividend")
    }
    rules = ", ".join(sorted(layer.get("paid_by_rule") or {})) or "no rule paid"
    recruit = int((layer.get("paid_by_reason") or {}).get("recruit", 0))
    return Flag(
        key="recruitment_pay",
        law=LAW_RECRUITMENT,
        raised=recruit > 0,
        values=(
            *values,
            ("distribution_paid_yuan", fen_to_yuan(paid)),
            ("recruit_triggered_yuan", fen_to_yuan(recruit)),
            ("share_recruit", shares["recruit"]),
            ("share_sale", shares["sale"]),
            ("share_dividend", shares["dividend"]),
        ),
        threshold=(
            "any pay triggered by a recruit joining or by a recruit's first (entry) purchase "
            "(regional, service-point, sales and dividend pay do not count here)"
        ),
        explanation=(
            f"The distribution layer paid members {_yuan(paid)} ({rules}): "
            f"{shares['recruit']:.1%} of it triggered by recruiting (a recruit's first order), "
            f"{shares['sale']:.1%} by the downline's later sales and {shares['dividend']:.1%} "
            f"by dividend pools. Members' bonuses were {share:.1%} of the {_yuan(payouts)} "
            "paid to members in all."
        ),
    )


def _promise(tree: Tree, scenario) -> Flag:
    """From what the platform paid out against spend: raised when members were forced out at
    the advertised multiple and those forced out got at least their spend back in cash (a
    return on principal actually paid), not merely because a multiple is set."""
    multiple = scenario.points.exit_multiple
    bought = tree.spent > 0
    buyers = int(bought.sum())
    forced = bought & (tree.table["forced_exits"].to_numpy() > 0)
    reached = int(forced.sum())
    got = tree.cash + tree.bonus
    ratios = got[forced] / tree.spent[forced] if reached else np.array([])
    median = float(np.median(ratios)) if reached else 0.0
    back = int((got[forced] >= tree.spent[forced]).sum()) if reached else 0
    raised = multiple is not None and reached > 0 and median >= 1
    if multiple is None:
        explanation = "The scenario sets no exit multiple, so no return on principal is promised."
    else:
        x = float(multiple)
        basis = "spend" if scenario.points.exit_against == "spend" else "points' value at grant"
        paid = (
            f"the {reached:,} forced out ({_share(reached, buyers)} of {buyers:,} buyers) got "
            f"back a median {median:.2f}x of what they paid in, {back:,} of them at least 1x"
            if reached
            else f"none of the {buyers:,} buyers was forced out"
        )
        verdict = (
            "a return on principal was paid as promised"
            if raised
            else "no return on principal was paid at the exit"
        )
        explanation = f"The scheme advertises an exit at {x:g}x the {basis}; {paid}: {verdict}."
    return Flag(
        key="promised_multiple",
        law=LAW_PROMISE,
        raised=raised,
        values=(
            ("multiple", 0.0 if multiple is None else float(multiple)),
            ("buyers", buyers),
            ("reached_cap", reached),
            ("share_reached_cap", reached / buyers if buyers else 0.0),
            ("median_paid_back_of_spend", median),
            ("forced_out_paid_back_1x", back),
        ),
        threshold=(
            "members forced out at the advertised multiple got back at least their spend in "
            "cash (median)"
        ),
        explanation=explanation,
    )


def _yuan(amount_fen: int) -> str:
    return f"{fen_to_yuan(amount_fen):,.2f} yuan"


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "0.0%"


def flags_table(flags: list[dict]) -> list[dict]:
    """One row per flag, from the flags as ``summary.json`` holds them (:func:`flags_json`),
    for reports and Markdown: key, reading, raised, measured values as text, threshold, law
    and explanation."""
    return [
        {
            "flag": flag["key"],
            "reading": flag["reading"],
            "raised": "yes" if flag["raised"] else "no",
            "measured": "; ".join(
                f"{name} = {_show(name, v)}" for name, v in flag.items() if name not in NOT_MEASURED
            ),
            "threshold": flag["threshold"],
            "law": flag["law"],
            "explanation": flag["explanation"],
        }
        for flag in flags
    ]


def _show(name: str, value: float | int | str) -> str:
    if isinstance(value, str):
        return value or "-"
    if name.endswith("_yuan"):
        return f"{value:,.2f}"
    if "share" in name:
        return f"{value:.1%}"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:g}"
