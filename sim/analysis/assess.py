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


def features(scenario) -> list[dict]:
    """The statutory features the rules have: feature, present, why."""
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
    unknown = _not_given(scenario)
    return [
        _paid_by(
            "pay per recruit",
            recruit,
            unknown,
            "no rule pays on a recruit's joining or first order",
        ),
        _paid_by(
            "pay on downline sales",
            downline,
            unknown,
            "no rule pays on orders below a member's recruits",
        ),
        {
            "feature": "a required purchase to join",
            "present": bool(returns and goods < 1),
            "why": f"points come only with an order; {float(1 - goods):.0%} of its price buys "
            "no goods"
            if returns
            else "no points are minted",
        },
        {
            "feature": "a promised multiple",
            "present": exit_pays is not None and exit_pays >= 1,
            "why": "no exit multiple"
            if exit_pays is None
            else f"the exit at {float(multiple):g}x the {points.exit_against} pays "
            f"{float(exit_pays):.2f}x of the spend in cash (sold at "
            f"{float(points.sell_payout):.0%})",
        },
    ]


def _not_given(scenario) -> str:
    """The lines the scenario says have no rules, in words ('' when there are none)."""
    split = dict(scenario.order.split)
    return "; ".join(
        f"the '{line}' line ({float(split[line]):.0%} of each order) has no rules given"
        for line, _ in scenario.order.rules_not_given
    )


def _paid_by(feature: str, rules: list[str], unknown: str, absent: str) -> dict:
    """A pay feature: present when a rule has it; unknown (None) when no rule has it but a
    line's rules are not given, since those could have it."""
    if rules:
        return {"feature": feature, "present": True, "why": ", ".join(rules)}
    if unknown:
        return {"feature": feature, "present": None, "why": f"cannot tell: {unknown}"}
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


def assess(scenario) -> dict:
    """The rules-only assessment of a scenario: features, break-even growth, an order at once."""
    return {
        "scenario": scenario.name,
        "features": features(scenario),
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


def describe(found: dict) -> str:
    """The assessment in plain words, for the terminal."""
    lines = [f"Rules of '{found['scenario']}', before any data:"]
    for item in found["features"]:
        mark = {True: "yes", False: "no ", None: "?  "}[item["present"]]
        lines.append(f"  {mark}  {item['feature']}: {item['why']}")
    lines.append("  Growth of all orders after an order needed before its points are worth:")
    for row in found["break_even"]:
        growth = row["law_growth"]
        needed = "never" if growth is None else f"{growth:,.0f}-fold"
        lines.append(f"    {row['label']}: {needed}")
    order = found["order_at_once"]
    lines.append(
        f"  An order of {order['price']:,.2f} yuan gets points worth "
        f"{order['points_value_at_grant']:,.2f} at once, {order['cash_if_sold_at_once']:,.2f} "
        f"in cash if sold: it loses {order['lost_at_once']:,.2f} "
        f"({order['lost_at_once_share']:.1%}) the moment it is placed; "
        f"{order['lost_at_once_counting_goods']:,.2f} counting goods worth {order['goods']:,.2f}."
    )
    return "\n".join(lines)
