"""Who sponsors a walk-in, and the referral network's shape at the end of a run.

The tree itself is :class:`sim.distribution.network.ReferralNetwork` (the bonus rules read
it; the replay of a platform's log builds one too). Here: the sponsor rules pick the sponsor
of a walk-in (a member nobody brought); a referrer's recruits keep their referrer
(:meth:`SponsorRule.place`); :func:`summary` and :func:`team_heads` measure the tree against
the legal thresholds.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from sim.core.law import PYRAMID_LEVELS, PYRAMID_PARTICIPANTS, SERIOUS_PARTICIPANTS
from sim.distribution.network import ReferralNetwork
from sim.draws import UniformSource, chance

__all__ = ["ReferralNetwork", "sponsor_rule", "summary", "team_heads"]


# --- who sponsors a walk-in ----------------------------------------------------------------


class SponsorRule:
    """A rule for the sponsor of a walk-in: ``recruited_share`` of walk-ins get a sponsor
    drawn from the members already in, the rest are roots. No draw is made when the outcome
    is certain (an empty network, a share of 0 or 1, a single member)."""

    name = ""

    def __init__(self, recruited_share: float = 1.0) -> None:
        self.recruited_share = recruited_share

    def choose(self, network: ReferralNetwork, draws: UniformSource) -> int | None:
        if not len(network) or not chance(draws, self.recruited_share):
            return None
        return self._pick(network, draws)

    def place(self, network: ReferralNetwork, referrer: int) -> int:
        """The sponsor of a recruit that ``referrer`` brought: the referrer."""
        return referrer

    def _pick(self, network: ReferralNetwork, draws: UniformSource) -> int:
        raise NotImplementedError


class NoSponsor(SponsorRule):
    """Every walk-in is a root, recruited by the platform itself (no draw)."""

    name = "none"

    def choose(self, network: ReferralNetwork, draws: UniformSource) -> int | None:
        return None


def _uniform_member(n: int, draws: UniformSource) -> int:
    if n == 1:
        return 1
    return min(int(draws.random() * n), n - 1) + 1


class Uniform(SponsorRule):
    """Any member with the same chance: the random recursive tree."""

    name = "uniform"

    def _pick(self, network: ReferralNetwork, draws: UniformSource) -> int:
        return _uniform_member(len(network), draws)


class Preferential(SponsorRule):
    """A member with chance proportional to their direct recruits + 1 (linear preferential
    attachment): "the big lines grow fastest".

    One draw over n + E slots: the first n are the members (the +1), the other E list each
    recruit's sponsor once (the direct recruits). The sponsor list is kept here and caught up
    with the network on each call, so recruits placed by anyone else count too."""

    name = "preferential"

    def __init__(self, recruited_share: float = 1.0) -> None:
        super().__init__(recruited_share)
        self._network: ReferralNetwork | None = None
        self._seen = 0
        self._ends = np.zeros(1024, np.int32)
        self._count = 0

    def _pick(self, network: ReferralNetwork, draws: UniformSource) -> int:
        self._catch_up(network)
        n = len(network)
        if n == 1:
            return 1
        slots = n + self._count
        slot = min(int(draws.random() * slots), slots - 1)
        return slot + 1 if slot < n else int(self._ends[slot - n])

    def _catch_up(self, network: ReferralNetwork) -> None:
        if network is not self._network:
            self._network, self._seen, self._count = network, 0, 0
        sponsors = network._sponsor
        for member in range(self._seen + 1, len(network) + 1):
            up = sponsors[member]
            if up:
                if self._count == len(self._ends):
                    self._ends = np.concatenate([self._ends, np.zeros_like(self._ends)])
                self._ends[self._count] = up
                self._count += 1
        self._seen = len(network)


class Branching(SponsorRule):
    """Each member has room for ``max_recruits`` lines (e.g. 3 for 三三滑落): a walk-in goes
    to a uniformly random member with room, and a referrer's recruit slides down to the
    first member with room below the referrer, breadth first (the referrer first, then their
    lines in join order, then those lines' lines, ...).

    The walk-in's draw is by rejection: at most (n - 1) / max_recruits members are full, so
    with max_recruits >= 2 a draw succeeds with chance at least 1/2."""

    name = "branching"

    def __init__(self, max_recruits: int = 3, recruited_share: float = 1.0) -> None:
        if max_recruits < 2:
            raise ValueError(f"max_recruits must be at least 2, got {max_recruits}")
        super().__init__(recruited_share)
        self.max_recruits = max_recruits

    def _pick(self, network: ReferralNetwork, draws: UniformSource) -> int:
        n, direct, cap = len(network), network._direct, self.max_recruits
        while True:
            member = _uniform_member(n, draws)
            if direct[member] < cap:
                return member

    def place(self, network: ReferralNetwork, referrer: int) -> int:
        """三三滑落 spill-over; visits the referrer's team down to the first open place."""
        queue = deque([referrer])
        while queue:
            member = queue.popleft()
            if network.direct_count(member) < self.max_recruits:
                return member
            queue.extend(network.lines(member))
        raise AssertionError("unreachable: a team's last joiner has room")


SPONSOR_RULES: dict[str, type[SponsorRule]] = {
    rule.name: rule for rule in (NoSponsor, Uniform, Preferential, Branching)
}


def sponsor_rule(
    name: str, recruited_share: float = 1.0, max_recruits: int | None = None
) -> SponsorRule:
    """The rule called ``name`` (a key of :data:`SPONSOR_RULES`)."""
    if name == "branching":
        return Branching(3 if max_recruits is None else max_recruits, recruited_share)
    return SPONSOR_RULES[name](recruited_share)


# --- outputs -------------------------------------------------------------------------------


def team_heads(
    network: ReferralNetwork, people: int = PYRAMID_PARTICIPANTS, levels: int = PYRAMID_LEVELS
) -> np.ndarray:
    """Members heading a team of at least ``people`` (the head included) over at least
    ``levels`` levels (the head's own level included: head, recruits, recruits' recruits is
    3), as a boolean array indexed by member id. Every sponsor of a head is a head too."""
    return _heads(network.team_sizes(), network.levels(), people, levels)


def _heads(teams: np.ndarray, levels: np.ndarray, people: int, deep: int) -> np.ndarray:
    heads = (teams + 1 >= people) & (levels >= deep)
    heads[0] = False
    return heads


def summary(network: ReferralNetwork) -> dict:
    """The network's shape, and the 传销 filing-threshold counts (SPEC §7)."""
    n = len(network)
    teams, levels = network.team_sizes(), network.levels()
    direct = network.direct_counts()[1:]
    heads = _heads(teams, levels, PYRAMID_PARTICIPANTS, PYRAMID_LEVELS)  # sim.core.law
    return {
        "members": n,
        "roots": network.root_count(),
        "max_depth": network.max_depth(),
        "mean_depth": float(network.depths()[1:].mean()) if n else 0.0,
        "no_recruit_share": float(np.count_nonzero(direct == 0) / n) if n else 0.0,
        "max_direct": int(direct.max(initial=0)),
        "largest_team": int(teams.max(initial=0)),
        "filing_heads": int(heads.sum()),  # members heading a team at the filing thresholds
        "filing_roots": int((heads & (network.sponsors() == 0)).sum()),  # separate schemes
        "serious_heads": int(_heads(teams, levels, SERIOUS_PARTICIPANTS, PYRAMID_LEVELS).sum()),
        "depth_counts": network.depth_counts()[1:].tolist(),  # members at depth 1, 2, ...
    }
