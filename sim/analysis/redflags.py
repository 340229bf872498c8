"""Legal red flags of one run (SPEC §7): the facts a regulator or auditor checks, measured on
a run's members table and summary, each against its statutory threshold, with the numbers.

The flags say where a simulated platform stands against the thresholds the law sets; they do
not decide any case. Thresholds use "at least" (以上 includes the number itself).

The referral tree comes from the ``sponsor`` column (:mod:`sim.analysis.redflags_tree`); the
thresholds and the laws that set them are in :mod:`sim.core.law`.

Who counts as the top of a line. Levels count the organiser — the platform, which sits above
every member without a sponsor and takes a share of every order — as the first level, as the
2013 Opinion says ("包括组织者、领导者本人及其本层级在内"). Participants and money for the
pyramid thresholds are those of the largest team a member leads (the member and everyone below
them, counted with the member, as the Opinion counts a leader's own): the pyramid standard
measures what a leader built by recruiting. The platform's whole intake is measured by the
illegal-fund-raising flag; taking it here too would make any platform with 120 buyers
"serious" without any referral pay at all.

Where compensated depth comes from. Without a distribution layer, from the sponsor tree and
the scenario's two-level ``referral`` rule (who bought, who was paid, and how far up the rule
reaches). A run with the distribution layer (``summary["distribution"]``, SPEC §6) records
each payout's level, its distance up the network from the buyer, so the depth is read from
there: a payout at level L paid a member on a purchase L levels below them, a compensated
chain of L + 1 members, L + 2 levels with the organiser on top (a paid direct sponsor gives 3,
as in the tree). Payouts at level 0 (pools, regions, service points, merchants) are not along
the chain and add no depth. The flag takes the deeper of the two figures. The recruitment flag
adds what the layer paid and which share of it a recruit's first order triggered (拉人头),
later sales (团队计酬) or dividend pools.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from sim.analysis.redflags_tree import Tree, member_id
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

    @property
    def measured(self) -> dict[str, float | int | str]:
        return dict(self.values)


def red_flags(
    members: pd.DataFrame, summary: dict, scenario, layer: dict | None = None
) -> list[Flag]:
    """The six flags of SPEC §7 for one run: ``members`` is its exact members table
    (:mod:`sim.model.members`, money in fen), ``summary`` its summary (the money entered by
    source), ``scenario`` the scenario it ran, ``layer`` the distribution layer's exact
    figures when the run had one (:func:`sim.distribution.summary.figures`: they give the
    pyramid and recruitment flags their depth and shares)."""
    tree = Tree(members)
    pyramid = _pyramid(tree, scenario, layer)
    return [
        pyramid,
        _serious(tree, pyramid),
        _fundraising(tree, summary),
        _entry_fee(tree, scenario),
        _recruitment(tree, scenario, layer),
        _promise(tree, scenario),
    ]


def distribution_levels(deepest_level: int) -> int:
    """Levels, counted as the 2013 Opinion counts them, of a compensated chain whose deepest
    payout was ``deepest_level`` levels up from the buyer: the paid member, everyone down to
    the buyer, and the organiser on top (L + 2); 0 when nothing was paid along the chain."""
    return deepest_level + 2 if deepest_level > 0 else 0


def _pyramid(tree: Tree, scenario, layer: dict | None) -> Flag:
    referral = scenario.referral
    links = tree.compensated_links(referral.direct > 0, referral.indirect > 0)
    from_tree = 1 + tree.deepest_chain(links)
    deepest = int(layer.get("deepest_level") or 0) if layer is not None else 0
    from_layer = distribution_levels(deepest)
    levels = max(from_tree, from_layer)
    teams = tree.team_sums(np.ones(len(tree.parent), dtype=np.int64))
    top = int(np.argmax(teams)) if len(teams) else None
    participants = 0 if top is None else int(teams[top])
    raised = levels >= PYRAMID_LEVELS and participants >= PYRAMID_PARTICIPANTS
    reached = "reaching both" if raised else "not reaching both"
    values: tuple[tuple[str, float | int | str], ...] = (
        ("levels", levels),
        ("participants", participants),
        ("largest_team_leader", "" if top is None else member_id(tree.table["member"].iloc[top])),
        ("compensated_links", int(links.sum())),
    )
    if layer is None:
        depth = (
            "The deepest chain of members paid bonuses on purchases below them, with the "
            f"platform on top as the organiser, has {levels} levels"
        )
    else:
        source = "distribution layer" if from_layer >= from_tree else "referral rule"
        values += (("deepest_level_paid", deepest), ("depth_source", source))
        depth = _layer_depth(deepest, levels, from_layer >= from_tree)
    return Flag(
        key="pyramid_levels",
        law=LAW_PYRAMID,
        raised=raised,
        values=values,
        threshold=f"levels >= {PYRAMID_LEVELS} and participants >= {PYRAMID_PARTICIPANTS}",
        explanation=(
            f"{depth}, and the largest team (one member and everyone below them) has "
            f"{participants:,} participants, {reached} of the filing thresholds of "
            f"{PYRAMID_LEVELS} levels and {PYRAMID_PARTICIPANTS} participants."
        ),
    )


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


def _serious(tree: Tree, pyramid: Flag) -> Flag:
    money = tree.team_sums(tree.spent)
    top_money = int(money.max()) if len(money) else 0
    participants = pyramid.measured["participants"]
    reached = participants >= SERIOUS_PARTICIPANTS or top_money >= SERIOUS_MONEY
    raised = pyramid.raised and reached
    if raised:
        verdict = "so the pyramid test above is met with serious circumstances"
    elif reached:
        verdict = "but the pyramid test above is not met, so there is nothing to aggravate"
    else:
        verdict = "below both"
    return Flag(
        key="pyramid_serious",
        law=LAW_SERIOUS,
        raised=raised,
        values=(
            ("participants", participants),
            ("team_money_yuan", fen_to_yuan(top_money)),
            ("platform_money_yuan", fen_to_yuan(int(tree.spent.sum()))),
        ),
        threshold=(
            f"pyramid_levels raised and (participants >= {SERIOUS_PARTICIPANTS} or team money "
            f">= {_yuan(SERIOUS_MONEY)})"
        ),
        explanation=(
            f"The largest team has {participants:,} participants and the team that paid in "
            f"most paid {_yuan(top_money)}, against {SERIOUS_PARTICIPANTS} participants or "
            f"{_yuan(SERIOUS_MONEY)}: {verdict}."
        ),
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
    split = dict(scenario.order.split)
    goods = float(sum(split.get(line, 0) for line in GOODS_LINES))
    other = 1 - goods
    pool, mint = float(split["pool"]), float(scenario.points.mint_ratio)
    amount = float(scenario.order.amount)
    returns = mint > 0 and pool > 0  # points, and with them any exit multiple, come with orders
    unpaid_earners = int(((tree.bonus > 0) & (tree.spent == 0)).sum())
    raised = returns and other > 0
    if raised:
        explanation = (
            f"Points, the scheme's return, come only with an order of {amount:,.2f} yuan, of "
            f"which {goods:.0%} pays for the goods and {other:.0%} ({other * amount:,.2f} yuan) "
            "does not: a required purchase that works as an entry fee."
        )
    else:
        explanation = (
            f"No order buys a right to returns beyond the goods (mint ratio {mint:g}, pool "
            f"{pool:.0%}, {other:.0%} of the price not for the goods)."
        )
    return Flag(
        key="entry_fee",
        law=LAW_ENTRY_FEE,
        raised=raised,
        values=(
            ("order_amount_yuan", amount),
            ("goods_share", goods),
            ("non_goods_share", other),
            ("pool_share", pool),
            ("mint_ratio", mint),
            ("bonus_earners_who_never_bought", unpaid_earners),
        ),
        threshold="points minted only on purchases, and a share of the price not for the goods",
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
    return Flag(
        key="recruitment_pay",
        law=LAW_RECRUITMENT,
        raised=bonuses > 0 or paid > 0,
        values=(
            *values,
            ("distribution_paid_yuan", fen_to_yuan(paid)),
            ("share_recruit", shares["recruit"]),
            ("share_sale", shares["sale"]),
            ("share_dividend", shares["dividend"]),
        ),
        threshold=(
            "any bonus paid for recruits' or the downline's orders (any payout of the "
            "distribution layer)"
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
    points = scenario.points
    multiple = points.exit_multiple
    bought = tree.spent > 0
    buyers = int(bought.sum())
    forced = tree.table["forced_exits"].to_numpy() > 0
    reached = int((bought & forced).sum())
    got = tree.cash + tree.bonus
    if multiple is None:
        paid_back = 0
        explanation = "The scenario sets no exit multiple, so no return on principal is promised."
    else:
        x, exact = float(multiple), Fraction(multiple)
        enough = got * exact.denominator >= exact.numerator * tree.spent
        paid_back = int((bought & enough).sum())
        basis = "spend" if points.exit_against == "spend" else "points' value at grant"
        explanation = (
            f"The scheme advertises an exit at {x:g}x the {basis} — a promised return on "
            f"principal — but only {reached:,} of {buyers:,} buyers ({_share(reached, buyers)}) "
            f"were forced out at it and {paid_back:,} ({_share(paid_back, buyers)}) got "
            f"{x:g}x their spend back in cash."
        )
    return Flag(
        key="promised_multiple",
        law=LAW_PROMISE,
        raised=multiple is not None,
        values=(
            ("multiple", 0.0 if multiple is None else float(multiple)),
            ("buyers", buyers),
            ("reached_cap", reached),
            ("share_reached_cap", reached / buyers if buyers else 0.0),
            ("share_paid_multiple_in_cash", paid_back / buyers if buyers else 0.0),
        ),
        threshold="an exit multiple is set (a return promised on the money paid in)",
        explanation=explanation,
    )


def _yuan(amount_fen: int) -> str:
    return f"{fen_to_yuan(amount_fen):,.2f} yuan"


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "0.0%"


def flags_table(flags: list[Flag]) -> list[dict]:
    """One row per flag for reports and Markdown: key, raised, measured values as text,
    threshold, law and explanation."""
    return [
        {
            "flag": flag.key,
            "raised": "yes" if flag.raised else "no",
            "measured": "; ".join(f"{name} = {_show(name, v)}" for name, v in flag.values),
            "threshold": flag.threshold,
            "law": flag.law,
            "explanation": flag.explanation,
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
