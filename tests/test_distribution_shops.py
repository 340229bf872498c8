"""招商 merchant recruitment (0.5% of a shop's turnover) and service points (20 yuan per
pickup, a 9,800-yuan franchise fee in), by hand."""

from __future__ import annotations

from fractions import Fraction

import pytest

from sim.distribution import (
    Income,
    MerchantRecruitment,
    RuleSet,
    ServicePoints,
    Share,
    yuan_per_pack,
)
from tests.test_distribution_net import TinyNetwork, grow, leftovers, paid_to, spent

PACK = 100_000


def test_a_promoter_earns_half_a_percent_of_the_shop_he_recruited():
    rule = MerchantRecruitment(Share(Fraction(5, 1000)), "distribution")
    rules = RuleSet([rule])
    net = grow(TinyNetwork(), {1: None, 2: None}, rules)
    rule.register(rules.state, merchant=50, promoter=1)
    out = rules.order(2, PACK, {"distribution": 2_000}, net, merchant=50)
    assert [(p.member, p.amount, p.level) for p in out[0].payouts] == [(1, 500, 0)]
    assert leftovers(out) == {"unpaid_merchant_recruitment": 1_500}
    out = rules.order(2, PACK, {"distribution": 2_000}, net, merchant=51)
    assert paid_to(out) == {} and spent(out, "distribution") == 2_000
    with pytest.raises(ValueError):
        rule.register(rules.state, 50, 2)


def test_a_service_point_earns_20_per_pack_picked_up_and_pays_its_fee_in():
    rule = ServicePoints(yuan_per_pack(20))
    rules = RuleSet([rule])
    net = grow(TinyNetwork(), {1: None, 2: None}, rules)
    assert rule.open(rules.state, 9, 1, 980_000) == Income(
        "service_point_fees", 980_000, 1, "service point 9"
    )
    out = rules.order(2, 2 * PACK, {"service_point": 4_000}, net, pickup=9)
    assert paid_to(out) == {1: 4_000} and leftovers(out) == {}
    out = rules.order(2, PACK, {"service_point": 2_000}, net)  # delivered, not picked up
    assert leftovers(out) == {"unpaid_service_point": 2_000}
    with pytest.raises(ValueError):
        rule.open(rules.state, 9, 2, 1)
