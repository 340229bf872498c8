"""The tier ladder (董事 / 联创 / 合伙人 ...): who holds which tier, and how they get there.

Seed 004: up to 9 tiers, reached by buying a pack (可购买礼包升级) or by assessment of team,
volume and own spend (考核发展团队/业绩/自身消费条件升级). A tier is reached by a single order
of at least its ``pack`` fen, or when every assessment condition it sets holds; tiers never
fall and may be skipped. The level differential, its peer bonus and the tier dividend read
the same ladder. An order counts toward a tier from the next order on (the rule set promotes
after the rules have paid).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from sim.distribution.state import DistributionState

MAX_TIERS = 9


@dataclass(frozen=True)
class Tier:
    name: str
    pack: int | None = None  # fen: one order of at least this buys the tier
    own_spend: int | None = None  # fen, the member's own orders
    team_size: int | None = None  # members below
    team_volume: int | None = None  # fen, orders of members below

    @cached_property  # read for every ancestor of every order: worked out once
    def assessed(self) -> bool:
        return any(v is not None for v in (self.own_spend, self.team_size, self.team_volume))

    def passes(self, member: int, net, state: DistributionState) -> bool:
        """Every assessment condition the tier sets holds (False if it sets none)."""
        if not self.assessed:
            return False
        if self.own_spend is not None and state.own_volume.get(member, 0) < self.own_spend:
            return False
        if self.team_volume is not None and state.team_volume.get(member, 0) < self.team_volume:
            return False
        return self.team_size is None or net.team_size(member) >= self.team_size


class TierLadder:
    """Tiers lowest first; a member's tier is an index, 1 = lowest, 0 = none."""

    def __init__(self, tiers: Sequence[Tier]) -> None:
        self.tiers = tuple(tiers)
        if not 1 <= len(self.tiers) <= MAX_TIERS:
            raise ValueError(f"a ladder has 1 to {MAX_TIERS} tiers, got {len(self.tiers)}")
        names = [t.name for t in self.tiers]
        if len(set(names)) != len(names):
            raise ValueError(f"tier names must be unique, got {names}")
        self._by_team = any(t.team_size is not None for t in self.tiers)
        self._by_volume = any(t.team_volume is not None for t in self.tiers)
        self._team_gate = self._gates("team_size")
        self._volume_gate = self._gates("team_volume")

    def _gates(self, condition: str) -> tuple[float, ...]:
        """For each tier held (0 = none), the least ``condition`` any tier above it could be
        assessed at: an ancestor below it cannot move, so the walks up the chain on every
        join and order skip it without assessing every tier (0: no such shortcut)."""
        gates: list[float] = []
        for held in range(len(self.tiers) + 1):
            needs = [getattr(t, condition) for t in self.tiers[held:] if t.assessed]
            if not needs:
                gates.append(math.inf)  # nothing above can be reached by assessment
            elif None in needs:
                gates.append(0)  # a tier above does not ask for this condition
            else:
                gates.append(min(needs))
        return tuple(gates)

    def index(self, name: str) -> int:
        for i, tier in enumerate(self.tiers, start=1):
            if tier.name == name:
                return i
        raise KeyError(f"no tier '{name}'")

    def grant(self, state: DistributionState, member: int, name: str) -> None:
        """Give a tier outright (内排 / 赠送身份)."""
        state.set_tier(member, self.index(name))

    def on_join(self, member: int, net, state: DistributionState) -> None:
        if self._by_team:
            gate, tier = self._team_gate, state.tier
            for a in net.upline(member):
                if net.team_size(a) >= gate[tier.get(a, 0)]:
                    self._assess(a, net, state)

    def after_order(self, order, net, state: DistributionState) -> None:
        buyer = order.buyer
        for i in range(len(self.tiers), state.tier.get(buyer, 0), -1):
            pack = self.tiers[i - 1].pack
            if pack is not None and order.amount >= pack:
                state.set_tier(buyer, i)
                break
        self._assess(buyer, net, state)
        if self._by_volume:
            gate, tier, volume = self._volume_gate, state.tier, state.team_volume
            for a in order.upline:
                if volume.get(a, 0) >= gate[tier.get(a, 0)]:
                    self._assess(a, net, state)

    def _assess(self, member: int, net, state: DistributionState) -> None:
        for i in range(len(self.tiers), state.tier.get(member, 0), -1):
            if self.tiers[i - 1].passes(member, net, state):
                state.set_tier(member, i)
                return
