"""级差 level differential, 平级 peer bonus and the tier ladder, by hand: partner 10 /
co-founder 20 / director 30 yuan per 1000-yuan pack (1,000 / 2,000 / 3,000 fen); the seed's
line is 30 yuan (3,000 fen) per pack."""

from __future__ import annotations

from fractions import Fraction

import pytest

from sim.distribution import LevelDifferential, RuleSet, Tier, TierLadder, yuan_per_pack
from tests.test_distribution_net import TinyNetwork, grow, leftovers, spent

PACK = 100_000
CHAIN = {1: None, 2: 1, 3: 2, 4: 3, 5: 4}  # a line: 5 below 4 below 3 below 2 below 1


def ladder(**tiers):
    names = ("partner", "co_founder", "director")
    return TierLadder([Tier(n, **tiers.get(n, {})) for n in names])


def setup(tiers, budget=3_000, sponsors=CHAIN, lad=None, **options):
    lad = lad or ladder()
    rule = LevelDifferential(lad, [yuan_per_pack(y) for y in (10, 20, 30)], **options)
    rules = RuleSet([rule], ladder=lad)
    net = grow(TinyNetwork(), sponsors, rules)
    for member, name in tiers.items():
        lad.grant(rules.state, member, name)

    def buy(member, packs=1):
        out = rules.order(member, PACK * packs, {"level_differential": budget * packs}, net)
        assert spent(out, "level_differential") == budget * packs
        return out

    return rules, buy


def rows(out):
    return [(p.member, p.amount, p.rule, p.level) for o in out for p in o.payouts]


def test_a_partner_under_a_director_leaves_the_director_the_difference():
    _, buy = setup({4: "partner", 3: "director"})
    out = buy(5)
    assert rows(out) == [(4, 1_000, "level_differential", 1), (3, 2_000, "level_differential", 2)]
    assert leftovers(out) == {}


def test_a_partner_under_a_co_founder_under_a_director_yields_the_director_10():
    _, buy = setup({4: "partner", 3: "co_founder", 2: "director"})
    assert [r[1] for r in rows(buy(5))] == [1_000, 1_000, 1_000]


def test_lower_and_equal_tiers_above_the_paid_tier_get_nothing():
    _, buy = setup({4: "director", 3: "partner", 2: "director"})
    out = buy(5)
    assert rows(out) == [(4, 3_000, "level_differential", 1)]


def test_what_nobody_claims_is_left_over():
    _, buy = setup({3: "partner"})
    out = buy(5)
    assert rows(out) == [(3, 1_000, "level_differential", 2)]
    assert leftovers(out) == {"unpaid_differential": 2_000}
    _, buy = setup({})
    assert leftovers(buy(5)) == {"unpaid_differential": 3_000}


def test_amounts_are_per_pack():
    _, buy = setup({4: "partner", 1: "director"})
    assert [r[1] for r in rows(buy(5, packs=2))] == [2_000, 4_000]


def test_the_buyer_counts_only_when_asked():
    _, buy = setup({5: "partner", 4: "director"}, include_buyer=True)
    assert rows(buy(5)) == [
        (5, 1_000, "level_differential", 0),
        (4, 2_000, "level_differential", 1),
    ]


def test_the_first_same_tier_member_above_an_earner_gets_10_percent_of_it():
    tiers = {4: "partner", 3: "partner", 2: "director", 1: "director"}
    _, buy = setup(tiers, budget=5_000, peer=Fraction(1, 10))
    out = buy(5)
    assert rows(out) == [
        (4, 1_000, "level_differential", 1),
        (3, 100, "peer_bonus", 2),
        (2, 2_000, "level_differential", 3),
        (1, 200, "peer_bonus", 4),
    ]
    assert leftovers(out) == {"unpaid_differential": 1_700}
    # on the seed's 30-yuan line the budget runs out first
    _, buy = setup(tiers, peer=Fraction(1, 10))
    assert [r[1] for r in rows(buy(5))] == [1_000, 100, 1_900]


def test_peer_bonus_is_one_generation_only():
    sponsors = {1: None, 2: 1, 3: 2, 4: 3}
    tiers = {3: "partner", 2: "partner", 1: "partner"}
    _, buy = setup(tiers, budget=5_000, sponsors=sponsors, peer=Fraction(1, 10))
    assert rows(buy(4)) == [(3, 1_000, "level_differential", 1), (2, 100, "peer_bonus", 2)]


def test_team_volume_upgrades_count_from_the_next_order():
    lad = ladder(partner={"team_volume": 2 * PACK})
    rules, buy = setup({}, sponsors={1: None, 2: 1, 3: 2}, lad=lad)
    buy(3)
    out = buy(3)  # 1 and 2 reach 2 packs of team volume with this order ...
    assert rows(out) == []
    assert rules.state.tier == {1: 1, 2: 1}
    assert rows(buy(3)) == [(2, 1_000, "level_differential", 1)]  # ... and are paid from here


def test_the_walk_up_the_chain_skips_only_ancestors_no_tier_above_could_take():
    # An order re-assesses the buyer's ancestors, skipping those whose team volume is below
    # every volume bar above their tier; a tier above without a volume bar (the director
    # here) disables the shortcut (gate 0).
    lad = ladder(
        partner={"team_volume": 5 * PACK},
        co_founder={"team_volume": 10 * PACK},
        director={"own_spend": 2 * PACK},
    )
    assert lad._volume_gate == (0, 0, 0, float("inf"))
    rules, buy = setup({}, sponsors={1: None, 2: 1, 3: 2}, lad=lad)
    buy(1, packs=2)
    buy(3)
    assert rules.state.tier == {1: 3}
    volume_only = ladder(partner={"team_volume": 5 * PACK}, co_founder={"team_volume": 9 * PACK})
    assert volume_only._volume_gate == (5 * PACK, 9 * PACK, float("inf"), float("inf"))
    rules, buy = setup({}, sponsors={1: None, 2: 1, 3: 2}, lad=volume_only)
    for _ in range(5):
        buy(3)
    assert rules.state.tier == {1: 1, 2: 1}  # 5 packs below each: the partner's bar
    for _ in range(4):
        buy(3)
    assert rules.state.tier == {1: 2, 2: 2}


def test_a_pack_buys_a_tier_and_tiers_never_fall():
    lad = ladder(director={"pack": 10 * PACK}, partner={"own_spend": PACK})
    rules, buy = setup({}, sponsors={1: None, 2: 1}, lad=lad)
    buy(2)
    assert rules.state.tier[2] == 1  # own spend of one pack: partner
    buy(2, packs=10)
    assert rules.state.tier[2] == 3
    lad.grant(rules.state, 2, "partner")
    assert rules.state.tier[2] == 3
    assert rules.state.tier_members == {1: set(), 3: {2}}


def test_team_size_upgrades_on_join():
    lad = ladder(co_founder={"team_size": 3})
    rules = RuleSet([], ladder=lad)
    grow(TinyNetwork(), {1: None, 2: 1, 3: 2, 4: 2}, rules)
    assert rules.state.tier == {1: 2}


def test_a_ladder_has_at_most_nine_tiers_and_amounts_must_not_fall():
    with pytest.raises(ValueError, match="1 to 9 tiers"):
        TierLadder([Tier(str(i)) for i in range(10)])
    rule = LevelDifferential(ladder(), [yuan_per_pack(y) for y in (20, 10, 30)])
    rules = RuleSet([rule])
    net = grow(TinyNetwork(), {1: None, 2: 1})
    with pytest.raises(ValueError, match="must not fall"):
        rules.order(2, PACK, {"level_differential": 3_000}, net)
