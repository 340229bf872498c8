"""Seed 004's 1000-yuan pack: every pack pays out exactly 1000 across its lines, to the fen,
and a pack bought with every rule in reach pays the hand-computed amounts below."""

from __future__ import annotations

from fractions import Fraction

import yaml

from sim.distribution import RegionMap, seed004_pack
from sim.distribution.booking import post_each, take_fees
from sim.distribution.network import ReferralNetwork
from tests.conftest import ROOT
from tests.test_distribution_net import TinyNetwork, book_for, grow, leftovers, paid_to

PACK = 100_000
REGIONS = RegionMap({1000: 100, 100: 10, 10: 1, 1: None}, {1000: 0, 100: 1, 10: 2, 1: 3})
# boss 1 recruits 2, 3, 4; 4 recruits 5, 6 (left to 1) and 7 (makes 4 a boss); 7 recruits 8
SPONSORS = {1: None, 2: 1, 3: 1, 4: 1, 5: 4, 6: 4, 7: 4, 8: 7}
OTHER_LINES = ("product_cost", "platform", "pool")


def run(net):
    split, rules = seed004_pack(REGIONS, dividend_period=30)
    grow(net, SPONSORS, rules, regions=dict.fromkeys(SPONSORS, 1000))
    book = book_for(split, rules)
    ledger = book.ledger
    regional, service = rules.rules[3], rules.rules[4]
    for region, owner in {1000: 2, 100: 3, 1: 5}.items():  # no province agent
        take_fees(ledger, [regional.sell(rules.state, region, owner, 5_000_000)])
    take_fees(ledger, [service.open(rules.state, 9, 6, 980_000)])
    for member, tier in {7: "partner", 4: "co_founder", 1: "director"}.items():
        rules.ladder.grant(rules.state, member, tier)
    log = []
    for day, (member, packs) in enumerate([(m, 1) for m in range(1, 9)] + [(8, 2), (3, 1)]):
        amount = PACK * packs
        parts = book.mechanics.parts(amount)
        ledger.receive(amount, parts)
        out = rules.order(member, amount, parts, net, day, pickup=9 if member > 4 else None)
        post_each(book, out)
        ledger.check()
        from_lines = sum(o.total for o in out if o.source in rules.lines)
        assert from_lines == sum(parts[line] for line in rules.lines)
        assert from_lines + sum(parts[line] for line in OTHER_LINES) == amount
        assert all(ledger.balance(line) == 0 for line in rules.lines)
        log.append(out)
        log.append(rules.day(day, net))
    log.append(rules.day(29, net))
    post_each(book, log[-1])
    ledger.check()
    return rules, ledger, log


def test_every_pack_pays_out_exactly_1000_across_its_lines():
    rules, ledger, log = run(TinyNetwork())
    # the 8th pack (member 8, below partner 7, co-founder boss 4, director boss 1):
    out = log[2 * 7]
    assert paid_to([o for o in out if o.source == "chain_motion"]) == {
        7: 8_000,  # 100 direct, 20 frozen: 7's lines have not met the task
        4: 20_000,  # 见点: 8 is in boss 4's own team
        1: 2_000,  # 10% peer bonus on 4's 200
    }
    assert paid_to([o for o in out if o.source == "level_differential"]) == {
        7: 1_000,
        4: 1_000,
        1: 1_000,
    }
    assert paid_to([o for o in out if o.source == "regional_agents"]) == {2: 300, 3: 200, 5: 500}
    assert paid_to([o for o in out if o.source == "service_point"]) == {6: 2_000}
    assert leftovers(out) == {
        "chain_frozen": 2_000,
        "unpaid_chain_motion": 1_000,  # agent 7's 100 yields no peer bonus
        "tier_dividend_pool": 4_000,
    }
    # 36,000 paid + 7,000 parked or unpaid + 200 cost + 70 platform + 300 pool = 1000 yuan
    assert sum(o.paid for o in out) == 36_000
    # two packs at once (member 8 again): everything doubles, 7's 40 frozen again
    out = log[2 * 8]
    assert paid_to(out) == {
        7: 16_000 + 2_000,
        4: 40_000 + 2_000,
        1: 4_000 + 2_000,
        2: 600,
        3: 400,
        5: 1_000,
        6: 4_000,
    }
    assert leftovers(out) == {
        "chain_frozen": 4_000,
        "unpaid_chain_motion": 2_000,
        "tier_dividend_pool": 8_000,
    }
    # day 29: the pool of 11 packs (40 each) goes 30 / 30 / 40 to director, co-founder, partner
    assert paid_to(log[-1]) == {1: 13_200, 4: 13_200, 7: 17_600}
    assert ledger.balance("tier_dividend_pool") == 0
    assert ledger.balance("chain_frozen") == sum(
        sum(parts.values()) for parts in rules.state.frozen.values()
    )
    paid = sum(o.paid for outs in log for o in outs)
    assert ledger.balance("member_cash") == paid


def test_the_real_network_gives_the_same_outcomes():
    assert run(ReferralNetwork())[2] == run(TinyNetwork())[2]


def test_the_split_is_the_shipped_scenario_s():
    path = ROOT / "scenarios" / "seed-004-pack-3x-direct-only.yaml"
    scenario = yaml.safe_load(path.read_text("utf-8"))
    split, _ = seed004_pack()
    assert {k: Fraction(str(v)) for k, v in scenario["order"]["split"].items()} == dict(split)
