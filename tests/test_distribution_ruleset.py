"""The rule set: lines shared by several rules, validation, and posting to the real ledger."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import pytest

from sim.core import rules as split_rules
from sim.distribution import (
    DirectIndirect,
    MerchantRecruitment,
    RegionMap,
    RuleSet,
    Share,
    local_services,
)
from sim.distribution.booking import post_each, take_fees
from tests.test_distribution_net import TinyNetwork, book_for, grow, leftovers, paid_to

PACK = 100_000
REGIONS = RegionMap({1000: 100, 100: 10, 10: None}, {1000: 0, 100: 1, 10: 2})


def test_local_services_shares_one_line_among_four_rewards():
    split, rules = local_services(REGIONS)
    net = grow(TinyNetwork(), {1: None, 2: 1, 3: 2, 9: None}, rules, regions={3: 1000})
    rules.rules[1].sell(rules.state, 100, 9, 10_000_000)
    rules.rules[2].register(rules.state, merchant=50, promoter=9)
    parts = split_rules.split_order(PACK, split)
    assert parts == {"merchant": 80_000, "distribution": 2_000, "platform": 2_000, "pool": 16_000}
    out = rules.order(3, PACK, parts, net, merchant=50)
    # 0.3% and 0.2% to the two sponsors; the city agent 0.2% (nobody below), nobody above;
    # 0.5% to the shop's recruiter; the 0.7% no rule is allotted stays unallocated
    assert paid_to(out) == {2: 300, 1: 200, 9: 200 + 500}
    assert leftovers(out) == {"unpaid_regional": 100, "unallocated_distribution": 700}
    assert sum(o.total for o in out) == 2_000


def test_a_shared_line_needs_allotments_and_names_must_be_unique():
    a = DirectIndirect([Share(Fraction(1, 100))], "distribution")
    b = MerchantRecruitment(Share(Fraction(1, 100)), "distribution")
    with pytest.raises(ValueError, match="allot"):
        RuleSet([a, b])
    with pytest.raises(ValueError, match="unique"):
        RuleSet([a, a])
    with pytest.raises(ValueError, match="unknown"):
        RuleSet([a], allotments={"nope": Share(Fraction(0))})


def test_an_allotment_larger_than_what_is_left_takes_only_the_rest():
    a = DirectIndirect([Share(Fraction(1, 100))], "distribution")
    b = MerchantRecruitment(Share(Fraction(1, 100)), "distribution")
    rules = RuleSet([a, b], allotments={a.name: Share(Fraction(15, 1000)), b.name: Share(1)})
    net = grow(TinyNetwork(), {1: None, 2: 1}, rules)
    rules.rules[1].register(rules.state, 7, 1)
    out = rules.order(2, PACK, {"distribution": 2_000}, net, merchant=7)
    assert [o.total for o in out] == [1_500, 500]
    assert paid_to(out) == {1: 1_000 + 500}


def test_outcomes_post_to_the_ledger_and_it_balances():
    split, rules = local_services(REGIONS)
    net = grow(TinyNetwork(), {1: None, 2: 1, 3: 2}, rules, regions={3: 1000})
    book = book_for(split, rules)
    ledger = book.ledger
    take_fees(ledger, [rules.rules[1].sell(rules.state, 1000, 1, 5_000_000)])
    everything = []
    for buyer in (2, 3, 3):
        parts = book.mechanics.parts(PACK)
        ledger.receive(PACK, parts)
        out = rules.order(buyer, PACK, parts, net)
        post_each(book, out)
        everything += out
        ledger.check()
    assert ledger.balance("distribution") == 0
    assert ledger.balance("region_fees") == 5_000_000
    # 2 buys in no sold region; 3 buys twice in district 1000, whose agent is 1
    assert ledger.balance("member_cash") == 300 + 2 * (300 + 200) + 2 * 100
    assert ledger.entered_by == {"fees": 5_000_000, "orders": 3 * PACK}
    paid = Counter()
    for payout in (p for outcome in everything for p in outcome.payouts):
        paid[payout.rule, payout.level, payout.reason] += payout.amount
    assert paid == {
        ("direct_indirect", 1, "recruit"): 600,
        ("direct_indirect", 2, "recruit"): 200,
        ("direct_indirect", 1, "sale"): 300,
        ("direct_indirect", 2, "sale"): 200,
        ("regional_agent", 0, "recruit"): 100,
        ("regional_agent", 0, "sale"): 100,
    }
