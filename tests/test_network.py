"""The referral network and the sponsor rules: hand-built trees with hand-computed answers,
and the known results for random recursive trees (Gastwirth 1977) and preferential
attachment."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.distribution.network import ReferralNetwork
from sim.draws import Uniforms
from sim.model.network import (
    Branching,
    NoSponsor,
    Preferential,
    Uniform,
    sponsor_rule,
    summary,
    team_heads,
)


class Script:
    """Draws scripted in advance; a draw beyond the script fails the test."""

    def __init__(self, *values: float) -> None:
        self.values = list(values)
        self.used = 0

    def random(self) -> float:
        if not self.values:
            raise AssertionError("an unexpected draw")
        self.used += 1
        return self.values.pop(0)


class Counted:
    """A generator's uniforms, counted."""

    def __init__(self, seed: int) -> None:
        self.draws = Uniforms(np.random.default_rng(seed))
        self.used = 0

    def random(self) -> float:
        self.used += 1
        return self.draws.random()


def network(*sponsors: int | None) -> ReferralNetwork:
    """Members 1, 2, ... joining under the given sponsors in order."""
    net = ReferralNetwork(capacity=2)
    for member, sponsor in enumerate(sponsors, start=1):
        net.add(member, sponsor)
    return net


def grown(rule, members: int, seed: int) -> ReferralNetwork:
    net, draws = ReferralNetwork(), Uniforms(np.random.default_rng(seed))
    for member in range(1, members + 1):
        net.add(member, rule.choose(net, draws))
    return net


#   1            7
#   ├── 2        └── 8
#   │   ├── 4
#   │   │   └── 6
#   │   └── 5
#   └── 3
HAND = (None, 1, 1, 2, 2, 4, None, 7)


def test_a_hand_built_tree_answers_every_question():
    net = network(*HAND)
    assert len(net) == 8 and net.root_count() == 2 and net.max_depth() == 4
    assert [net.sponsor(m) for m in range(1, 9)] == [None, 1, 1, 2, 2, 4, None, 7]
    assert [net.depth(m) for m in range(1, 9)] == [1, 2, 2, 3, 3, 4, 1, 2]
    assert [net.direct_count(m) for m in range(1, 9)] == [2, 2, 0, 1, 0, 0, 1, 0]
    assert net.lines(1) == [2, 3] and net.lines(2) == [4, 5] and net.lines(3) == []
    assert list(net.upline(6)) == [4, 2, 1]
    assert list(net.upline(6, levels=2)) == [4, 2] and list(net.upline(6, levels=0)) == []
    assert list(net.upline(1)) == [] and list(net.upline(8, levels=5)) == [7]
    assert [net.team_size(m) for m in range(1, 9)] == [5, 3, 0, 1, 0, 0, 1, 0]
    assert net.team_sizes().tolist() == [0, 5, 3, 0, 1, 0, 0, 1, 0]
    assert net.levels().tolist() == [0, 4, 3, 1, 2, 1, 1, 2, 1]
    assert net.depth_counts().tolist() == [0, 2, 3, 2, 1]
    assert net.sponsors().tolist() == [0, 0, 1, 1, 2, 2, 4, 0, 7]
    assert net.region(5) == 0


def test_team_sizes_stay_right_whether_counted_up_or_recomputed():
    # asked after every join: each new member is added to its few ancestors
    net, draws, rule = ReferralNetwork(), Uniforms(np.random.default_rng(11)), Uniform()
    for member in range(1, 3001):
        net.add(member, rule.choose(net, draws))
        assert net.team_size(1) == member - 1
    brute = np.zeros(len(net) + 1, np.int64)
    for member in range(1, len(net) + 1):
        for up in net.upline(member):
            brute[up] += 1
    assert net.team_sizes().tolist() == brute.tolist()
    # a chain asked once: the sum of depths (~n²/2) is dearer than one reverse pass
    chain = network(None, *range(1, 500))
    assert chain.team_size(1) == 499 and chain.team_size(500) == 0
    assert chain.team_sizes()[1:].tolist() == list(range(499, -1, -1))
    assert chain.levels()[1] == 500 and chain.max_depth() == 500
    chain.add(501, 250)  # then one more join: counted up its 250 ancestors
    assert chain.team_size(1) == 500 and chain.team_size(250) == 251
    assert chain.team_size(251) == 249


def test_members_join_in_order_under_members_already_in():
    net = network(None, 1)
    with pytest.raises(ValueError, match="out of order"):
        net.add(4, 1)
    with pytest.raises(ValueError, match="has not joined"):
        net.add(3, 3)
    with pytest.raises(KeyError):
        net.sponsor(3)
    with pytest.raises(KeyError):
        net.team_size(0)
    net.add(3, 2, region=440305)
    assert net.region(3) == 440305 and net.depth(3) == 3


def test_growing_keeps_every_link_and_costs_under_36_bytes_a_member():
    net = ReferralNetwork(capacity=1024)
    for member in range(1, 1025):  # the 1024th member grows the arrays (slot 0 is unused)
        net.add(member, None if member == 1 else member // 2)
    assert len(net._sponsor) == 1280  # by a quarter
    assert net.nbytes / len(net) < 36  # the worst case, just after growing: 35
    assert net.nbytes / len(net) == 5 * 4 * 1280 / 1024  # no regions, team sizes not asked
    assert net.lines(511) == [1022, 1023] and net.lines(512) == [1024]
    assert net.depth(1024) == 11 and net.team_size(1) == 1023 and net.team_size(2) == 511
    assert net.nbytes / len(net) == 6 * 4 * 1280 / 1024  # team sizes now counted
    assert net.region(5) == 0 and not net.regions().any()


def test_about_half_of_a_uniformly_recruited_network_recruits_nobody():
    """Gastwirth (1977): in a random recursive tree the expected share of leaves is 1/2."""
    shares = [summary(grown(Uniform(), 20_000, seed))["no_recruit_share"] for seed in range(5)]
    assert np.mean(shares) == pytest.approx(0.5, abs=0.005)


def test_only_the_first_1_over_e_of_joiners_can_expect_a_recruit():
    """Gastwirth (1977): member j of n expects H(n-1) - H(j-1) ≈ ln(n/j) recruits (each
    later member i picks j with chance 1/(i-1)), which is 1 at j ≈ n/e."""
    n, seeds, width = 20_000, 5, 400
    direct = np.mean(
        [grown(Uniform(), n, seed).direct_counts()[1:] for seed in range(seeds)], axis=0
    )
    harmonic = np.concatenate([[0.0], np.cumsum(1 / np.arange(1, n))])  # H(0) .. H(n-1)
    expected = harmonic[n - 1] - harmonic[:n]  # member j = index + 1
    assert expected[np.argmax(expected < 1)] < 1 <= expected[np.argmax(expected < 1) - 1]
    assert np.argmax(expected < 1) / n == pytest.approx(1 / math.e, abs=0.001)
    observed = direct.reshape(-1, width).mean(axis=1)
    theory = expected.reshape(-1, width).mean(axis=1)
    spread = np.sqrt(theory / (seeds * width))  # a Poisson-like count's standard error
    assert np.all(np.abs(observed - theory) < 5 * spread + 0.01)
    assert np.mean(observed >= 1) == pytest.approx(1 / math.e, abs=0.03)
    assert direct.sum() == pytest.approx(n - 1)  # everyone but the first has a sponsor


def test_preferential_draws_each_member_by_recruits_plus_one():
    net = network(None, 1, 1, None)  # weights: 1 -> 3, members 2, 3, 4 -> 1 each
    rule = Preferential()
    slots = Script(*((k + 0.5) / 6 for k in range(6)))
    picks = [rule.choose(net, slots) for _ in range(6)]
    assert sorted(picks) == [1, 1, 1, 2, 3, 4]
    net.add(5, 4)  # a recruit placed by someone else counts too: 4 now weighs 2 of 8
    picks = [rule.choose(net, Script((k + 0.5) / 8)) for k in range(8)]
    assert sorted(picks) == [1, 1, 1, 2, 3, 4, 4, 5]


def test_preferential_attachment_has_a_heavier_tail_than_uniform_recruitment():
    """Leaves tend to 2/3 of a plane-oriented recursive tree (1/2 for uniform), and the
    largest line grows like sqrt(n), not like log n."""
    uniform = [summary(grown(Uniform(), 20_000, seed)) for seed in range(3)]
    preferential = [summary(grown(Preferential(), 20_000, seed)) for seed in range(3)]
    assert np.mean([s["no_recruit_share"] for s in preferential]) == pytest.approx(2 / 3, abs=0.01)
    most_uniform = max(s["max_direct"] for s in uniform)
    assert most_uniform < 25
    assert min(s["max_direct"] for s in preferential) > 5 * most_uniform
    assert np.mean([s["max_depth"] for s in preferential]) < np.mean(
        [s["max_depth"] for s in uniform]
    )


def test_branching_never_gives_anyone_more_lines_than_the_cap():
    rule, draws = Branching(max_recruits=3), Counted(5)
    net = ReferralNetwork()
    for member in range(1, 20_001):
        net.add(member, rule.choose(net, draws))
    direct = net.direct_counts()[1:]
    assert direct.max() == 3 and np.count_nonzero(direct == 3) > 2_000
    assert net.root_count() == 1
    assert draws.used <= 1.5 * len(net)  # at most a third of members are full
    with pytest.raises(ValueError, match="at least 2"):
        Branching(max_recruits=1)


def test_a_referrers_recruits_slide_down_breadth_first_when_the_referrer_is_full():
    rule, net = Branching(max_recruits=2), network(None)
    for member in range(2, 10):
        net.add(member, rule.place(net, 1))
    assert [net.sponsor(m) for m in range(2, 10)] == [1, 1, 2, 2, 3, 3, 4, 4]
    assert rule.place(net, 3) == 6 and rule.place(net, 9) == 9
    assert Uniform().place(net, 1) == 1  # other rules: a recruit keeps their referrer


def test_certain_outcomes_draw_nothing():
    empty, single = ReferralNetwork(), network(None)
    for rule in (Uniform(), Preferential(), Branching()):
        assert rule.choose(empty, Script()) is None
        assert rule.choose(single, Script()) == 1
        assert type(rule)(recruited_share=0.0).choose(single, Script()) is None
    assert NoSponsor().choose(network(None, 1, 1), Script()) is None


def test_a_share_of_walk_ins_is_recruited_and_the_rest_are_roots():
    net = grown(Uniform(recruited_share=0.25), 20_000, seed=3)
    assert net.root_count() / len(net) == pytest.approx(0.75, abs=0.01)


def test_the_same_generator_grows_the_same_network():
    for name in ("uniform", "preferential", "branching"):
        one, two = (grown(sponsor_rule(name, 0.9), 2_000, seed=8) for _ in range(2))
        assert one.sponsors().tolist() == two.sponsors().tolist()
    assert sponsor_rule("branching", max_recruits=2).max_recruits == 2
    assert isinstance(sponsor_rule("none"), NoSponsor)


def test_the_summary_counts_heads_of_30_people_over_3_levels():
    # member 1 heads 29 people below over 3 levels (30 counting them); member 31 heads 40
    # people in 2 levels (recruits only): under the filing standard, only member 1 counts
    sponsors = [None, 1, 1, *[2] * 14, *[3] * 13, None, *[31] * 40]
    net = network(*sponsors)
    assert net.team_size(1) == 29 and net.levels()[1] == 3 and net.team_size(31) == 40
    assert np.flatnonzero(team_heads(net)).tolist() == [1]
    assert not team_heads(net, people=31).any() and not team_heads(net, levels=4).any()
    assert np.flatnonzero(team_heads(net, levels=2)).tolist() == [1, 31]
    assert summary(net) == {
        "members": 71,
        "roots": 2,
        "max_depth": 3,
        "mean_depth": (2 * 1 + 42 * 2 + 27 * 3) / 71,
        "no_recruit_share": 67 / 71,
        "max_direct": 40,
        "largest_team": 40,
        "filing_heads": 1,
        "filing_roots": 1,
        "serious_heads": 0,
        "depth_counts": [2, 42, 27],
    }
    net.add(72, 4)  # a fourth level: member 2 still heads only 16 people
    assert np.flatnonzero(team_heads(net)).tolist() == [1]
    assert summary(ReferralNetwork())["members"] == 0
