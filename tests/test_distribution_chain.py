"""链动2+1 on hand-built networks: every figure below is worked out by hand from the seed's
rules (100 direct, 200 见点, 10% peer, 20% frozen; a pack is 1000 yuan = 100,000 fen and
its chain-motion line 330 yuan = 33,000 fen)."""

from __future__ import annotations

from sim.distribution import AGENT, BOSS, RECRUIT, SALE, ChainMotion, Payout, RuleSet
from tests.test_distribution_net import TinyNetwork, grow, leftovers, paid_to, spent

PACK, LINE = 100_000, 33_000


def setup(sponsors, **options):
    rules = RuleSet([ChainMotion(**options)])
    net = grow(TinyNetwork(), sponsors, rules)
    return rules, net


def buy(rules, net, member, packs=1, day=0):
    out = rules.order(member, PACK * packs, {"chain_motion": LINE * packs}, net, day)
    assert spent(out, "chain_motion") == LINE * packs  # payouts + leftovers = the budget
    return out


def rows(out, rule=None):
    return [(p.member, p.amount, p.level) for o in out for p in o.payouts if rule in (None, p.rule)]


def test_a_boss_receives_200_on_every_sale_in_a_five_level_line():
    # 1 recruits 2, 3 (left to the upline) and 4 (makes 1 a boss); 4-5-6-7-8 is a line
    rules, net = setup({1: None, 2: 1, 3: 1, 4: 1, 5: 4, 6: 5, 7: 6, 8: 7})
    for m in (1, 2, 3):
        buy(rules, net, m)
    out = buy(rules, net, 4)  # third agent recruit: 1 is a boss, paid 100 + 200
    assert rules.state.identity[1] == BOSS
    assert rows(out) == [(1, 10_000, 1), (1, 20_000, 1)]
    assert leftovers(out) == {"unpaid_chain_motion": 3_000}  # 1 has no boss above for peer
    for level, m in enumerate((5, 6, 7, 8), start=2):
        out = buy(rules, net, m)
        assert rows(out, "chain_see_point") == [(1, 20_000, level)]
        # the recruiter, an agent whose task is not met, gets 100 with 20 of it frozen
        assert rows(out, "chain_direct") == [(m - 1, 8_000, 1)]
        assert leftovers(out) == {"chain_frozen": 2_000, "unpaid_chain_motion": 3_000}
    out = buy(rules, net, 8)  # a repeat sale pays the same, as a sale
    assert rows(out, "chain_see_point") == [(1, 20_000, 5)]
    assert {p.reason for o in out for p in o.payouts} == {SALE}


def test_the_first_two_recruits_pass_up_and_a_boss_pays_his_upline_boss_10_percent():
    # boss 1 (recruits 2, 3, 4); 4 recruits 5, 6 (left to 1) and 7 (makes 4 a boss)
    sponsors = {1: None, 2: 1, 3: 1, 4: 1, 5: 4, 6: 4, 7: 4, 8: 5, 9: 7}
    rules, net = setup(sponsors)
    for m in (1, 2, 3, 4, 5, 6):
        buy(rules, net, m)
    assert rules.state.contributed[4] == [5, 6]
    out = buy(rules, net, 7)  # 4 becomes a boss: 300 to 4, 10% of it to 1; all 330 paid
    assert rows(out) == [(4, 10_000, 1), (4, 20_000, 1), (1, 1_000, 2), (1, 2_000, 2)]
    assert leftovers(out) == {}
    out = buy(rules, net, 8)  # 8 is in 5's line, which 4 left to 1: 见点 goes to 1
    assert rows(out, "chain_see_point") == [(1, 20_000, 3)]
    assert rows(out, "chain_peer") == []
    out = buy(rules, net, 9)  # 9 is in 4's own team: 200 to 4, 10% of it up to 1
    assert rows(out, "chain_see_point") == [(4, 20_000, 2)]
    assert rows(out, "chain_peer") == [(1, 2_000, 3)]
    # agent 7's 100 yields no peer bonus (平级 is boss to boss): those 10 stay unpaid
    assert leftovers(out) == {"chain_frozen": 2_000, "unpaid_chain_motion": 1_000}


def test_promotion_on_the_next_order_when_asked():
    sponsors = {1: None, 2: 1, 3: 1, 4: 1, 5: 4, 6: 4, 7: 4}
    rules, net = setup(sponsors, promote_first=False)
    for m in (1, 2, 3, 4, 5, 6):
        buy(rules, net, m)
    out = buy(rules, net, 7)  # 4 is still an agent for this order: the 200 passes to 1
    assert rows(out) == [(4, 10_000, 1), (1, 20_000, 2)]
    assert rules.state.identity[4] == BOSS
    out = buy(rules, net, 7)
    assert rows(out) == [(4, 10_000, 1), (4, 20_000, 1), (1, 1_000, 2), (1, 2_000, 2)]


def test_the_frozen_20_percent_unlocks_exactly_when_the_task_completes():
    # 1's lines: 2 (never buys) and 3; the task is met by more than 20 orders in them
    rules, net = setup({1: None, 2: 1, 3: 1, 4: 3})
    state = rules.state
    buy(rules, net, 1)
    for _ in range(10):  # 1 earns 100 each time, 20 of it frozen
        out = buy(rules, net, 3)
        assert paid_to(out) == {1: 8_000}
    assert state.frozen[1] == {
        ("chain_direct", 1, RECRUIT): 2_000,
        ("chain_direct", 1, SALE): 18_000,
    }
    for _ in range(10):  # orders 11-20 in the lines: still frozen (超过20单: more than 20)
        out = buy(rules, net, 4)
        assert all(o.source == "chain_motion" for o in out)
    assert sum(state.frozen[1].values()) == 20_000
    out = buy(rules, net, 4)  # the 21st: 1 earns nothing on it, but the task is met
    released = [o for o in out if o.source == "chain_frozen"]
    assert released == [
        type(released[0])(
            "chain_frozen",
            (
                Payout(1, 2_000, "chain_direct", 1, RECRUIT),
                Payout(1, 18_000, "chain_direct", 1, SALE),
            ),
            {},
        )
    ]
    assert 1 not in state.frozen and 1 in state.task_done
    assert paid_to(buy(rules, net, 3)) == {1: 10_000}  # nothing frozen any more


def test_the_task_is_also_met_when_both_lines_become_agents():
    rules, net = setup({1: None, 2: 1, 3: 1})
    buy(rules, net, 1)
    assert paid_to(buy(rules, net, 2)) == {1: 8_000}
    out = buy(rules, net, 3)  # both lines are agents: this 100 is whole, the 20 released
    assert rows(out) == [(1, 10_000, 1), (1, 2_000, 1)]
    assert out[1].source == "chain_frozen"


def test_with_both_tasks_required_agents_alone_do_not_unlock():
    rules, net = setup({1: None, 2: 1, 3: 1}, unlock="both")
    for m in (1, 2, 3):
        buy(rules, net, m)
    assert rules.state.identity[2] == rules.state.identity[3] == AGENT
    assert sum(rules.state.frozen[1].values()) == 4_000
    for _ in range(18):  # 2 + 18 = 20 orders in the lines: not more than 20 yet
        buy(rules, net, 2)
    assert sum(rules.state.frozen[1].values()) == 4_000 + 18 * 2_000
    out = buy(rules, net, 3)
    assert out[-1].source == "chain_frozen" and out[-1].paid == 40_000


def test_contributed_lines_can_be_the_first_two_to_buy():
    rules, net = setup({1: None, 2: 1, 3: 1, 4: 1, 5: 1}, contribute="agents")
    for m in (1, 4, 5, 3):  # 2 never buys; 4 and 5 are the lines left to the upline
        buy(rules, net, m)
    assert rules.state.contributed[1] == [4, 5]
    assert rules.state.identity[1] == BOSS


def test_close_names_what_is_still_frozen():
    rules, net = setup({1: None, 2: 1})
    buy(rules, net, 1)
    buy(rules, net, 2)
    (out,) = rules.close(net)
    assert out.source == "chain_frozen" and out.leftovers == {"frozen_forever": 2_000}
    assert rules.state.frozen == {}


class FixedPick:
    """A uniform stream that always gives ``value`` (0.75 picks the second of two lines)."""

    def __init__(self, value):
        self.value = value

    def random(self):
        return self.value


def test_dead_lines_are_swapped_for_the_most_active_line_each_period():
    # boss 1: lines 2 and 3 (never buy) are left to the upline; 4, 5, 6 are his own
    rules, net = setup({1: None, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 7: 5}, reassign_every=7)
    rules.state.rng = FixedPick(0.75)
    for m in (1, 4, 5, 6):
        buy(rules, net, m, day=0)
    buy(rules, net, 7, day=3)  # 5's team: 2 orders in the period, 4's and 6's: 1
    assert rules.day(5, net) == []
    assert rules.state.contributed[1] == [2, 3]
    rules.day(6, net)  # end of the week: both lines dead; line B (3) is replaced by 5
    assert rules.state.contributed[1] == [2, 5]
    out = buy(rules, net, 7, day=7)  # 5's team now passes up: 1 is a root, nobody takes 200
    assert rows(out, "chain_see_point") == []
    buy(rules, net, 2, day=8)  # a line is alive this week: no swap
    rules.day(13, net)
    assert rules.state.contributed[1] == [2, 5]


def test_a_recruit_placed_below_by_spill_over_pays_the_recruiter_at_his_depth():
    net = TinyNetwork()
    rules = RuleSet([ChainMotion()])
    grow(net, {1: None, 2: 1, 3: 2}, rules)
    net.add(4, 3)  # recruited by 1, placed under 3
    rules.join(4, net, recruiter=1)
    for m in (1, 2, 3):
        buy(rules, net, m)
    out = buy(rules, net, 4)
    assert rows(out, "chain_direct") == [(1, 8_000, 3)]
    assert rules.state.contributed.get(3) is None  # 4 is not one of 3's own recruits


def test_orders_below_a_pack_pay_nothing_and_make_no_agent():
    rules, net = setup({1: None, 2: 1})
    buy(rules, net, 1)
    out = rules.order(2, 50_000, {"chain_motion": 16_500}, net)
    assert leftovers(out) == {"unpaid_chain_motion": 16_500}
    assert 2 not in rules.state.identity


def test_two_packs_pay_twice():
    rules, net = setup({1: None, 2: 1})
    buy(rules, net, 1)
    assert paid_to(buy(rules, net, 2, packs=2)) == {1: 16_000}


def test_the_peer_bonus_goes_to_the_recruiter_boss_or_the_team_owner():
    # boss 0 (recruits 1, 2, 3); boss 3 (recruits 4, 5, 6: 4 and 5 are left to 0's team);
    # 4 recruits 7, 8 and 9, and 9's order makes 4 a boss. 4's recruiter is boss 3, but 4
    # sits in a line 3 left to 0, so the team 4 broke away from is 0's.
    sponsors = {0: None, 1: 0, 2: 0, 3: 0, 4: 3, 5: 3, 6: 3, 7: 4, 8: 4, 9: 4}
    paid = {}
    for peer_to in ("recruiter_boss", "team_owner"):
        rules, net = setup(sponsors, peer_to=peer_to)
        for m in range(9):
            buy(rules, net, m)
        out = buy(rules, net, 9)
        assert rules.state.identity[4] == BOSS
        assert rows(out, "chain_direct") + rows(out, "chain_see_point") == [
            (4, 10_000, 1),
            (4, 20_000, 1),
        ]
        paid[peer_to] = rows(out, "chain_peer")
    # the seed: "老板拿平级老板（原来推荐关系的下级）的收益的10%": 10% of 100 and of 200 to
    # recruiter 3, two levels above the buyer; the other reading pays 0, three levels up
    assert paid["recruiter_boss"] == [(3, 1_000, 2), (3, 2_000, 2)]
    assert paid["team_owner"] == [(0, 1_000, 3), (0, 2_000, 3)]
