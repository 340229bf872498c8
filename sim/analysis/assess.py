"""A platform's published rules judged before any data: ``python -m sim assess FILE.yaml``.

What a regulator reading a vendor's brochure can know in a second, from the rules alone:

- which features of the statutes the rules themselves have — pay per recruit (a recruit's
  joining or first purchase pays someone), pay on downline sales (orders below a member pay
  them, beyond their own recruits; "cannot tell" when no rule pays so but a line's rules are
  not given, ``order.rules_not_given``), a required purchase to join (points, the return, come
  only with an order, and part of its price buys no goods), a promised multiple (an exit
  that pays back more than the spend);
- the growth of orders the break-even law (:mod:`sim.analysis.breakeven`) requires before
  an order's points are worth 1x, 2x and the exit cap of its price;
- what an order loses at once: its points are worth ``mint_ratio × pool share`` of its price
  at grant, and a sale pays ``sell_payout`` of that.

Rules, not results: whether anyone is paid, how deep or how much depends on who joins, which
the runs measure.
"""

from __future__ import annotations

from fractions import Fraction

from sim.analysis import breakeven
from sim.core.mechanics import GOODS_LINES, POOL
from sim.i18n import N_, gettext, money

AGAINST = {"spend": N_("spend"), "grant_value": N_("points' value at grant")}  # exit_against
# the distribution rules' kinds as text names them: the key in English, the seeds' terms in
# Chinese (seed 000: "直推奖+间推奖+多级别级差奖"; seed 004: "链动奖励", "区域奖励")
KIND_NAMES = (
    N_("direct_indirect"),
    N_("level_differential"),
    N_("chain_motion"),
    N_("merchant_recruitment"),
)

# distribution rule kind -> (pays per recruit, pays on downline sales), with why
RULE_FEATURES: dict[str, tuple[bool, bool, str]] = {
    "direct_indirect": (True, True, "a recruit's every order, the first included, pays 1-2 up"),
    "level_differential": (True, True, "every order below pays the tiers above, any depth"),
    "chain_motion": (True, True, "a direct sale pays 100; 见点 pays on every sale below"),
    "merchant_recruitment": (True, True, "a recruited merchant's turnover pays the recruiter"),
    "regional_agents": (False, False, "pays on orders in a region, whoever recruited"),
    "tier_dividend": (False, False, "a pool shared by tier, not by recruit or downline"),
    "shareholder_dividend": (False, False, "a pool shared by shareholders"),
    "service_points": (False, False, "pays per pickup at a service point"),
}


def features(scenario, lang: str = "en") -> list[dict]:
    """The statutory features the rules have: feature, present, why (in ``lang``)."""
    _ = gettext(lang)
    referral, points = scenario.referral, scenario.points
    split = dict(scenario.order.split)
    rules = [] if scenario.distribution is None else list(scenario.distribution.specs())
    recruit = [r.kind for r in rules if RULE_FEATURES.get(r.kind, (False,))[0]]
    downline = [r.kind for r in rules if RULE_FEATURES.get(r.kind, (False, False))[1]]
    if referral.direct > 0:
        recruit.insert(0, f"referral.direct {float(referral.direct):.2%}")
    if referral.indirect > 0:
        downline.insert(0, f"referral.indirect {float(referral.indirect):.2%}")
    goods = sum(Fraction(split.get(line, 0)) for line in GOODS_LINES)
    returns = points.mint_ratio > 0 and split.get(POOL, 0) > 0
    multiple = points.exit_multiple
    exit_pays = None
    if multiple is not None:
        of_spend = Fraction(multiple) * (
            1 if points.exit_against == "spend" else scenario.mechanics().grant_share
        )
        exit_pays = of_spend * Fraction(points.sell_payout)
    unknown = _not_given(scenario, _)
    if exit_pays is None:
        promised = _("no exit multiple")
    else:
        promised = _(
            "the exit at {multiple}x the {against} pays {pays}x of the spend in cash (sold at "
            "{payout})"
        ).format(
            multiple=f"{float(multiple):g}",
            against=_(AGAINST[points.exit_against]),
            pays=f"{float(exit_pays):.2f}",
            payout=f"{float(points.sell_payout):.0%}",
        )
    return [
        _paid_by(
            _("pay per recruit"),
            recruit,
            unknown,
            _("no rule pays on a recruit's joining or first order"),
            _,
        ),
        _paid_by(
            _("pay on downline sales"),
            downline,
            unknown,
            _("no rule pays on orders below a member's recruits"),
            _,
        ),
        {
            "feature": _("a required purchase to join"),
            "present": bool(returns and goods < 1),
            "why": _("points come only with an order; {share} of its price buys no goods").format(
                share=f"{float(1 - goods):.0%}"
            )
            if returns
            else _("no points are minted"),
        },
        {
            "feature": _("a promised multiple"),
            "present": exit_pays is not None and exit_pays >= 1,
            "why": promised,
        },
    ]


def _not_given(scenario, _) -> str:
    """The lines the scenario says have no rules, in words ('' when there are none)."""
    split = dict(scenario.order.split)
    return _("; ").join(
        _("the '{line}' line ({share} of each order) has no rules given").format(
            line=line, share=f"{float(split[line]):.0%}"
        )
        for line, _given in scenario.order.rules_not_given
    )


def _paid_by(feature: str, rules: list[str], unknown: str, absent: str, _) -> dict:
    """A pay feature: present when a rule has it; unknown (None) when no rule has it but a
    line's rules are not given, since those could have it."""
    if rules:
        return {"feature": feature, "present": True, "why": _(", ").join(map(_, rules))}
    if unknown:
        return {
            "feature": feature,
            "present": None,
            "why": _("cannot tell: {why}").format(why=unknown),
        }
    return {"feature": feature, "present": False, "why": absent}


def order_at_once(scenario) -> dict:
    """What one order of ``order.amount`` is worth the moment it is placed (yuan)."""
    split = dict(scenario.order.split)
    amount = Fraction(scenario.order.amount)
    points = scenario.points
    at_grant = scenario.mechanics().grant_share * amount
    cash = at_grant * Fraction(points.sell_payout)
    goods = sum(Fraction(split.get(line, 0)) for line in GOODS_LINES) * amount
    return {
        "price": float(amount),
        "goods": float(goods),
        "points_value_at_grant": float(at_grant),
        "cash_if_sold_at_once": float(cash),
        "lost_at_once": float(amount - cash),
        "lost_at_once_share": float((amount - cash) / amount),
        "lost_at_once_counting_goods": float(max(amount - cash - goods, 0)),
    }


def assess(scenario, lang: str = "en") -> dict:
    """The rules-only assessment of a scenario: features, break-even growth, an order at once
    (the words in ``lang``)."""
    return {
        "scenario": scenario.name,
        "features": features(scenario, lang),
        "break_even": [
            {
                "label": row["label"],
                "multiple_of_spend": row["multiple_of_spend"],
                "law_growth": row["law_growth"],
            }
            for row in breakeven.law_table(scenario)
        ],
        "order_at_once": order_at_once(scenario),
    }


def describe(found: dict, lang: str = "en") -> str:
    """The assessment in plain words, for the terminal, in ``lang`` (:mod:`sim.i18n`)."""
    _ = gettext(lang)
    marks = {True: _("yes"), False: _("no "), None: _("?  ")}
    lines = [_("Rules of '{scenario}', before any data:").format(scenario=found["scenario"])]
    for item in found["features"]:
        lines.append(f"  {marks[item['present']]}  {item['feature']}: {item['why']}")
    lines.append(_("  Growth of all orders after an order needed before its points are worth:"))
    for row in found["break_even"]:
        growth = row["law_growth"]
        fold = _("{growth}-fold")
        needed = _("never") if growth is None else fold.format(growth=f"{growth:,.0f}")
        label = row["label"].replace(" (exit cap)", _(" (exit cap)"))
        lines.append(f"    {label}: {needed}")
    order = found["order_at_once"]
    lines.append(
        _(
            "  An order of {price} yuan gets points worth {worth} at once, {cash} in cash if "
            "sold: it loses {lost} ({share}) the moment it is placed; {lost_goods} counting "
            "goods worth {goods}."
        ).format(
            price=money(order["price"], lang),
            worth=money(order["points_value_at_grant"], lang),
            cash=money(order["cash_if_sold_at_once"], lang),
            lost=money(order["lost_at_once"], lang),
            share=f"{order['lost_at_once_share']:.1%}",
            lost_goods=money(order["lost_at_once_counting_goods"], lang),
            goods=money(order["goods"], lang),
        )
    )
    return "\n".join(lines)
