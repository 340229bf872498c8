"""Regional agents by hand: seed 004's 3 / 5 / 8 / 10 yuan per pack (differential, at most
10 yuan = 1,000 fen), seed 001's 0.1% / 0.2% / 0.3%."""

from __future__ import annotations

from fractions import Fraction

import pytest

from sim.distribution import Income, RegionalAgents, RegionMap, RuleSet, Share, yuan_per_pack
from tests.test_distribution_net import TinyNetwork, grow, leftovers, spent

PACK = 100_000
# district 1000 in city 100 in province 10 in big region 1; district 2000 in the same city
REGIONS = RegionMap(
    {1000: 100, 2000: 100, 100: 10, 10: 1, 1: None}, {1000: 0, 2000: 0, 100: 1, 10: 2, 1: 3}
)


def setup(owners, amounts=(3, 5, 8, 10), budget=1_000, **options):
    amounts = [yuan_per_pack(y) for y in amounts] if isinstance(amounts, tuple) else amounts
    rule = RegionalAgents(REGIONS, amounts, **options)
    rules = RuleSet([rule])
    net = grow(TinyNetwork(), {1: None, 2: 1}, rules, regions={2: 1000})
    for region, member in owners.items():
        rule.sell(rules.state, region, member, 5_000_000)

    def buy(member, region=None, amount=PACK, line=budget):
        out = rules.order(member, amount, {"regional_agents": line}, net, region=region)
        assert spent(out, "regional_agents") == line
        return out

    return rule, rules, buy


def paid(out):
    return [(p.member, p.amount, p.level) for o in out for p in o.payouts]


def test_each_owner_up_the_regions_gets_the_difference():
    _, _, buy = setup({1000: 7, 100: 8, 1: 9})
    out = buy(2)  # the buyer's region: district 1000; no province agent
    assert paid(out) == [(7, 300, 0), (8, 200, 0), (9, 500, 0)]
    assert leftovers(out) == {}


def test_the_delivery_address_decides_and_unowned_levels_are_left_over():
    _, _, buy = setup({1000: 7, 10: 8})
    out = buy(2, region=2000)  # delivered to district 2000: nobody below the province
    assert paid(out) == [(8, 800, 0)]
    assert leftovers(out) == {"unpaid_regional": 200}
    assert leftovers(buy(2, region=99)) == {"unpaid_regional": 1_000}  # not on the map


def test_without_differential_each_owner_takes_the_full_amount_while_it_lasts():
    _, _, buy = setup({1000: 7, 100: 8, 1: 9}, differential=False)
    assert paid(buy(2)) == [(7, 300, 0), (8, 500, 0), (9, 200, 0)]


def test_shares_of_the_order_as_in_seed_001():
    shares = [Share(Fraction(n, 1000)) for n in (1, 2, 3, 3)]
    _, _, buy = setup({1000: 7, 100: 8, 10: 9}, amounts=shares, budget=300)
    assert paid(buy(2)) == [(7, 100, 0), (8, 100, 0), (9, 100, 0)]


def test_selling_a_region_is_platform_income_once():
    rule, rules, _ = setup({})
    income = rule.sell(rules.state, 100, 4, 10_000_000)
    assert income == Income("region_fees", 10_000_000, 4, "city 100")
    with pytest.raises(ValueError, match="already sold"):
        rule.sell(rules.state, 100, 5, 1)
    with pytest.raises(KeyError):
        rule.sell(rules.state, 12345, 5, 1)
