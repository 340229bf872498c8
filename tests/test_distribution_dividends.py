"""Tier dividend (seed 004: 40 per pack, 30/30/40 by tier) and the weighted shareholder
dividend, by hand, through the real ledger."""

from __future__ import annotations

from fractions import Fraction

from sim.distribution import DIVIDEND, RuleSet, ShareholderDividend, Tier, TierDividend, TierLadder
from sim.distribution.booking import post_each
from tests.test_distribution_net import TinyNetwork, book_for, grow, paid_to

PACK = 100_000
LADDER = TierLadder([Tier("partner"), Tier("co_founder"), Tier("director")])
SHARES = {"director": Fraction(3, 10), "co_founder": Fraction(3, 10), "partner": Fraction(4, 10)}


def book_of(rules, line):
    """A book whose only paying line is ``line``."""
    return book_for([(line, 1)], rules)


def order(rules, net, book, line, member, budget):
    book.ledger.receive(budget, {line: budget})
    out = rules.order(member, PACK, {line: budget}, net)
    post_each(book, out)
    return out


def test_each_tier_shares_its_part_equally_and_an_empty_tier_is_left_over():
    rules = RuleSet([TierDividend(LADDER, SHARES, period=2)], ladder=LADDER)
    net = grow(TinyNetwork(), {m: None for m in range(1, 6)}, rules)
    for member, tier in {1: "director", 2: "partner", 3: "partner", 4: "partner"}.items():
        LADDER.grant(rules.state, member, tier)
    book = book_of(rules, "chain_dividend")
    for member in (5, 5):
        out = order(rules, net, book, "chain_dividend", member, 4_000)
        assert out[0].leftovers == {"tier_dividend_pool": 4_000} and not out[0].payouts
    assert rules.day(0, net) == []  # the period ends on day 1
    (out,) = rules.day(1, net)
    post_each(book, [out])
    assert out.source == "tier_dividend_pool"
    assert paid_to([out]) == {1: 2_400, 2: 1_066, 3: 1_066, 4: 1_066}
    assert {p.reason for p in out.payouts} == {DIVIDEND}
    assert out.leftovers == {"unclaimed_dividend": 2_400}  # no co-founder
    assert rules.state.pools["tier_dividend_pool"] == 2  # 3,200 / 3 leaves 2 fen
    assert book.ledger.balance("tier_dividend_pool") == 2
    book.ledger.check()


def test_shareholders_by_shares():
    rule = ShareholderDividend("dividend", period=1)
    rules = RuleSet([rule])
    net = grow(TinyNetwork(), {1: None, 2: None, 3: None}, rules)
    rule.add(rules.state, 1, 1)
    rule.add(rules.state, 2, 3)
    book = book_of(rules, "dividend")
    order(rules, net, book, "dividend", 3, 10_001)
    (out,) = rules.day(0, net)
    post_each(book, [out])
    assert paid_to([out]) == {1: 2_500, 2: 7_500}
    assert book.ledger.balance("shareholder_pool") == 1
    book.ledger.check()


def test_shareholders_by_volume_in_the_period():
    rule = ShareholderDividend("dividend", weight="volume", period=1)
    rules = RuleSet([rule])
    net = grow(TinyNetwork(), {1: None, 2: None, 3: 1, 4: 2}, rules)
    rule.add(rules.state, 1)
    rule.add(rules.state, 2)
    for buyer in (3, 3, 3, 4):  # 1's team: 3 packs, 2's team: 1 pack
        rules.order(buyer, PACK, {"dividend": 250}, net)
    assert paid_to(rules.day(0, net)) == {1: 750, 2: 250}
    rules.order(4, PACK, {"dividend": 250}, net)  # next period: only 2's team bought
    assert paid_to(rules.day(1, net)) == {2: 250}
