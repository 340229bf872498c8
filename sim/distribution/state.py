"""What the rules of one run share: counters, identities, tiers, owners, held funds.

One object per run, sparse dicts keyed by member id. The rule set records every order here
once (own and team counters, walking the upline once); each rule keeps its own entries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class DistributionState:
    own_orders: dict[int, int] = field(default_factory=dict)
    own_volume: dict[int, int] = field(default_factory=dict)  # fen
    team_orders: dict[int, int] = field(default_factory=dict)  # all descendants' orders
    team_volume: dict[int, int] = field(default_factory=dict)  # fen, descendants only
    recruiter: dict[int, int] = field(default_factory=dict)  # only where placement differs
    tier: dict[int, int] = field(default_factory=dict)  # level-differential tier, 1 = lowest
    tier_members: dict[int, set[int]] = field(default_factory=dict)
    identity: dict[int, int] = field(default_factory=dict)  # chain motion: 1 agent, 2 boss
    agent_recruits: dict[int, int] = field(default_factory=dict)
    contributed: dict[int, list[int]] = field(default_factory=dict)  # lines left to the upline
    task_done: set[int] = field(default_factory=set)
    frozen: dict[int, dict[tuple[str, int, str], int]] = field(default_factory=dict)
    pools: dict[str, int] = field(default_factory=dict)
    region_owner: dict[int, int] = field(default_factory=dict)
    service_points: dict[int, int] = field(default_factory=dict)  # point -> owner
    merchant_promoter: dict[int, int] = field(default_factory=dict)
    shareholders: dict[int, int] = field(default_factory=dict)  # member -> weight
    rng: Any = None  # a uniform stream (sim.draws.Uniforms): random choices

    def record(self, buyer: int, amount: int, upline: Sequence[int]) -> None:
        """Count an order for the buyer and for every ancestor's team."""
        self.own_orders[buyer] = self.own_orders.get(buyer, 0) + 1
        self.own_volume[buyer] = self.own_volume.get(buyer, 0) + amount
        orders, volume = self.team_orders, self.team_volume
        for a in upline:
            orders[a] = orders.get(a, 0) + 1
            volume[a] = volume.get(a, 0) + amount

    def recruiter_of(self, member: int, net) -> int | None:
        """Who recruited ``member``: the sponsor, unless spill-over placed them elsewhere."""
        found = self.recruiter.get(member)
        return net.sponsor(member) if found is None else found

    def set_tier(self, member: int, tier: int) -> None:
        """Raise a member's tier (tiers never fall)."""
        old = self.tier.get(member, 0)
        if tier <= old:
            return
        if old:
            self.tier_members[old].discard(member)
        self.tier[member] = tier
        self.tier_members.setdefault(tier, set()).add(member)
