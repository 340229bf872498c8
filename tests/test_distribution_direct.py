"""直推 / 间推 by hand: seed 000's 0.3% / 0.2% of every order, and a fixed amount per pack."""

from __future__ import annotations

from fractions import Fraction

from sim.distribution import (
    RECRUIT,
    SALE,
    DirectIndirect,
    RuleSet,
    Share,
    two_level_only,
    yuan_per_pack,
)
from tests.test_distribution_net import TinyNetwork, grow, leftovers, spent

PACK = 100_000


def rows(out):
    return [(p.member, p.amount, p.level, p.reason) for o in out for p in o.payouts]


def test_direct_and_indirect_shares_of_every_order():
    rules = two_level_only(Fraction(3, 1000), Fraction(2, 1000))
    net = grow(TinyNetwork(), {1: None, 2: 1, 3: 2}, rules)
    out = rules.order(3, PACK, {"distribution": 2_000}, net)
    assert rows(out) == [(2, 300, 1, RECRUIT), (1, 200, 2, RECRUIT)]
    assert leftovers(out) == {"unpaid_referral": 1_500}
    out = rules.order(3, PACK, {"distribution": 2_000}, net)  # the same again, as a sale
    assert rows(out) == [(2, 300, 1, SALE), (1, 200, 2, SALE)]
    out = rules.order(2, PACK, {"distribution": 2_000}, net)  # no indirect sponsor
    assert rows(out) == [(1, 300, 1, RECRUIT)] and spent(out, "distribution") == 2_000


def test_fixed_amounts_per_pack_on_n_levels_within_the_budget():
    rule = DirectIndirect([yuan_per_pack(100), yuan_per_pack(50), yuan_per_pack(30)], "dist")
    rules = RuleSet([rule])
    net = grow(TinyNetwork(), {1: None, 2: 1, 3: 2, 4: 3}, rules)
    out = rules.order(4, 2 * PACK, {"dist": 33_000}, net)
    assert rows(out) == [(3, 20_000, 1, RECRUIT), (2, 10_000, 2, RECRUIT), (1, 3_000, 3, RECRUIT)]
    assert leftovers(out) == {}


def test_the_recruiting_chain_not_the_placement_pays():
    rules = RuleSet([DirectIndirect([Share(Fraction(3, 1000))], "dist")])
    net = grow(TinyNetwork(), {1: None, 2: 1}, rules)
    net.add(3, 2)
    rules.join(3, net, recruiter=1)
    assert rows(rules.order(3, PACK, {"dist": 1_000}, net)) == [(1, 300, 1, RECRUIT)]
