"""Who recruited whom in a daily-release run (消费全返), and what the promoters were paid on
their recruits' purchases: the tree and the paid links the pyramid flags read.

The release fund (:mod:`sim.core.release`) books each day's promoter points as one account;
who holds them is not its arithmetic. With the scenario's ``network`` set (a sponsor rule
other than ``none``), each member, in join order, is given a sponsor by that rule (as a
points-scheme run places a walk-in, :mod:`sim.model.network`), drawn from a random stream of
its own, so the members, the days and the money are those of the same run without a network.

The reading of who the promoters are (the scheme's rules are not published; the courts
describe them): a buyer's promoter points go to the member who recruited them. 益阳 court
(2020, 云联惠): members "通过缴纳升级、消费、推荐奖励等方式获得佣金", and the press: the
platform books "为其他分享、推广等一起参与平台合作创业的会员记录对应的白积分合计约44%"; a
member "可以通过介绍下线加入商城消费, 获取下线消费额一定比例的奖励". A buyer with no sponsor
(a root) has their promoter points held by the platform's own promoters, outside the
network. Each buyer's part of a day's promoter account is the same (they all spend
``order.amount``): the account's releases divided by the day's buyers, exact. The other
reading, the part shared by the first ``scheme.promoter_levels`` sponsors up the line, is
an option (:func:`release_network`'s ``levels``).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from sim.core.release import BUYER, PROMOTER, ReleaseFund
from sim.draws import Uniforms
from sim.model.network import ReferralNetwork, sponsor_rule

STREAM = 0x5EED_0F_7E  # the sponsor draws' own stream, beside the run's seed


@dataclass(frozen=True)
class ReleaseNetwork:
    """Members 1..N in join order: each one's sponsor (0: none), the promoter pay they got
    on their recruits' purchases (fen, exact), and whether the link to their sponsor carried
    pay (the sponsor was paid on this member's purchase by the end of the run)."""

    sponsors: np.ndarray
    promoter_pay: list[Fraction]
    paid_links: np.ndarray


def tree_table(network: ReleaseNetwork, fund: ReleaseFund, paid_in: int) -> tuple:
    """What the pyramid flags read (:func:`sim.analysis.scheme_flags.scheme_flags`): the
    members table in join order (money in fen: paid in, cash released to them as buyers,
    promoter pay rounded down to the fen), whether each link carried pay, and each member's
    sponsor's position (-1: none)."""
    buyers = [a for a in fund.accounts if a.holder == BUYER]
    counts = [a.count for a in buyers]
    n = len(network.sponsors)
    members = pd.DataFrame(
        {
            "member": np.arange(1, n + 1, dtype=np.int64),
            "join_day": np.repeat([a.day for a in buyers], counts).astype(np.int64),
            "sponsor": network.sponsors,
            "spent": np.full(n, paid_in, np.int64),
            "cash_received": np.repeat([a.released for a in buyers], counts).astype(np.int64),
            "bonuses_received": [pay.numerator // pay.denominator for pay in network.promoter_pay],
            "forced_exits": np.zeros(n, np.int64),
            "fees_paid": np.full(n, fund.terms.membership_fee, np.int64),
        }
    )
    return members, network.paid_links, network.sponsors - 1


def draw_sponsors(scenario, seed: int, members: int) -> np.ndarray:
    """The sponsor of each of ``members`` members (ids 1..members, in join order; 0: none),
    by the scenario's ``network`` rule, from the stream ``(seed, STREAM)``."""
    spec = scenario.network
    rule = sponsor_rule(spec.sponsor, float(spec.recruited_share), spec.max_recruits)
    draws = Uniforms(np.random.default_rng([seed, STREAM]))
    network = ReferralNetwork(max(members, 1))
    sponsors = np.zeros(members, np.int64)
    for member in range(1, members + 1):
        sponsor = rule.choose(network, draws)
        network.add(member, sponsor)
        sponsors[member - 1] = sponsor or 0
    return sponsors


def release_network(scenario, seed: int, fund: ReleaseFund, levels: int = 1) -> ReleaseNetwork:
    """The network of a finished release run (``fund``: its fund, accounts in booking
    order): a buyer's promoter points are split equally over the first ``levels`` sponsors up
    their line (1: their recruiter); the parts above the top of the line, and all of a
    root's, stay with the platform's own promoters. A link carried pay once a part crossed
    it (a part paid ``k`` levels up crosses the ``k`` links below the one paid)."""
    buyers = [a for a in fund.accounts if a.holder == BUYER]
    counts = np.array([a.count for a in buyers], np.int64)
    sponsors = draw_sponsors(scenario, seed, int(counts.sum()))
    promoted = {a.day: a.released for a in fund.accounts if a.holder == PROMOTER}
    each = [Fraction(promoted.get(a.day, 0), a.count) for a in buyers]  # a buyer's part
    account = np.repeat(np.arange(len(buyers)), counts).tolist()  # each member's account
    up = sponsors.tolist()
    pay = [Fraction(0)] * len(up)
    paid_links = np.zeros(len(up), bool)
    for member, sponsor in enumerate(up):
        share = each[account[member]] / levels
        below = member  # the member whose link to ``sponsor`` the part crosses
        for _ in range(levels):
            if not sponsor:
                break
            pay[sponsor - 1] += share
            if share:
                paid_links[below] = True
            below, sponsor = sponsor - 1, up[sponsor - 1]
    return ReleaseNetwork(sponsors, pay, paid_links)
