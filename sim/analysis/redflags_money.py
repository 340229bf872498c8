"""The red flags about money (SPEC §7): illegal fund-raising (非法集资), the entry fee
(入门费), pay for recruiting (拉人头、团队计酬) and the promised multiple — each measured on the
run's members as a tree (:mod:`sim.analysis.redflags_tree`) against its statutory threshold
(:mod:`sim.core.law`), explained in English or Chinese."""

from __future__ import annotations

import numpy as np

from sim.analysis.flag import Flag
from sim.analysis.flag import share_text as _share
from sim.analysis.flag import yuan_text as _yuan
from sim.analysis.redflags_tree import Tree
from sim.core.law import (
    FUNDRAISING_LOSS,
    FUNDRAISING_MONEY,
    FUNDRAISING_PAYERS,
    LAW_ENTRY_FEE,
    LAW_FUNDRAISING,
    LAW_PROMISE,
    LAW_RECRUITMENT,
)
from sim.core.mechanics import GOODS_LINES
from sim.core.units import fen_to_yuan
from sim.i18n import N_, gettext

# the rules that paid, named in Chinese text (English keeps the keys; sim.i18n translates)
PAID_RULE_NAMES = (
    N_("chain_direct"),
    N_("chain_see_point"),
    N_("chain_peer"),
    N_("level_differential"),
    N_("peer_bonus"),
    N_("regional_agent"),
    N_("service_point"),
    N_("direct_indirect"),
    N_("merchant_recruitment"),
    N_("tier_dividend"),
    N_("shareholder_dividend"),
)


def fundraising(tree: Tree, summary: dict, lang: str = "en") -> Flag:
    _ = gettext(lang)
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
        explanation=_(
            "{payers} members paid in {absorbed} and those who got back less cash than they "
            "paid are short {loss} in all, against thresholds of {money}, {least} payers or "
            "{most_loss} of loss: {hits} of 3 reached."
        ).format(
            payers=f"{payers:,}",
            absorbed=_yuan(absorbed, lang),
            loss=_yuan(loss, lang),
            money=_yuan(FUNDRAISING_MONEY, lang),
            least=FUNDRAISING_PAYERS,
            most_loss=_yuan(FUNDRAISING_LOSS, lang),
            hits=sum(hits),
        ),
    )


def entry_fee(tree: Tree, scenario, lang: str = "en") -> Flag:
    """From what members paid to take part: their order spend and fees, and the part of it
    that bought no goods (the split's non-goods share of orders, and every fee)."""
    _ = gettext(lang)
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
        explanation = _(
            "{payers} members paid to take part — points, the scheme's return, came only with "
            "orders (the least any member spent on orders was {least}) — and {not_goods} of "
            "the {absorbed} they paid in ({share}) bought no goods: {other} of every order"
        ).format(
            payers=f"{int(payers.sum()):,}",
            least=_yuan(least, lang),
            not_goods=_yuan(not_goods, lang),
            absorbed=_yuan(absorbed, lang),
            share=f"{not_goods / absorbed:.1%}",
            other=f"{float(other):.0%}",
        )
        if fees:
            explanation += _(" and {fees} of fees").format(fees=_yuan(fees, lang))
        explanation += _(". A required purchase of which part works as an entry fee.")
    else:
        explanation = _(
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


def recruitment(tree: Tree, scenario, layer: dict | None, lang: str = "en") -> Flag:
    _ = gettext(lang)
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
        rule = _("direct {direct}, indirect {indirect}").format(
            direct=f"{float(referral.direct):.2%}", indirect=f"{float(referral.indirect):.2%}"
        )
        return Flag(
            key="recruitment_pay",
            law=LAW_RECRUITMENT,
            raised=bonuses > 0,
            values=values,
            threshold="any bonus paid for recruits' or the downline's orders",
            explanation=_(
                "Members were paid {bonuses} in referral bonuses on their recruits' and "
                "downline's orders ({rule} of each order), {share} of the {payouts} paid to "
                "members in all."
            ).format(
                bonuses=_yuan(bonuses, lang),
                rule=rule,
                share=f"{share:.1%}",
                payouts=_yuan(payouts, lang),
            ),
        )
    paid = int(layer.get("paid") or 0)
    shares = {
        reason: float(layer.get(f"share_{reason}") or 0.0)
        for reason in ("recruit", "sale", "dividend")
    }
    named = [_(rule) for rule in sorted(layer.get("paid_by_rule") or {})]
    rules = (", " if lang == "en" else "、").join(named) or _("no rule paid")
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
        explanation=_(
            "The distribution layer paid members {paid} ({rules}): {recruit} of it triggered "
            "by recruiting (a recruit's first order), {sale} by the downline's later sales and "
            "{dividend} by dividend pools. Members' bonuses were {share} of the {payouts} paid "
            "to members in all."
        ).format(
            paid=_yuan(paid, lang),
            rules=rules,
            recruit=f"{shares['recruit']:.1%}",
            sale=f"{shares['sale']:.1%}",
            dividend=f"{shares['dividend']:.1%}",
            share=f"{share:.1%}",
            payouts=_yuan(payouts, lang),
        ),
    )


def promise(tree: Tree, scenario, lang: str = "en") -> Flag:
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
    _ = gettext(lang)
    if multiple is None:
        explanation = _(
            "The scenario sets no exit multiple, so no return on principal is promised."
        )
    else:
        x = float(multiple)
        spend = scenario.points.exit_against == "spend"
        basis = _("spend") if spend else _("points' value at grant")
        paid = (
            _(
                "the {reached} forced out ({share} of {buyers} buyers) got back a median "
                "{median}x of what they paid in, {back} of them at least 1x"
            ).format(
                reached=f"{reached:,}",
                share=_share(reached, buyers),
                buyers=f"{buyers:,}",
                median=f"{median:.2f}",
                back=f"{back:,}",
            )
            if reached
            else _("none of the {buyers} buyers was forced out").format(buyers=f"{buyers:,}")
        )
        verdict = (
            _("a return on principal was paid as promised")
            if raised
            else _("no return on principal was paid at the exit")
        )
        explanation = _(
            "The scheme advertises an exit at {multiple}x the {basis}; {paid}: {verdict}."
        ).format(multiple=f"{x:g}", basis=basis, paid=paid, verdict=verdict)
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
