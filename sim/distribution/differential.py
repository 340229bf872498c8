"""级差 level differential, with its 平级 peer bonus (seed 004, 30 per pack; seed 001).

Each tier has a cumulative amount per order (partner 10, co-founder 20, director 30). Walking
up the buyer's chain at unlimited depth, a member of a higher tier than any paid so far gets
their tier's amount minus the highest amount already paid below (the difference); lower or
equal tiers get nothing. The amounts are cumulative, not additive: the seed's line is 30 per
pack, exactly the director's amount, so a director with nobody tiered below takes all 30.

Peer bonus (``peer``, e.g. 10%): the first member above a differential earner who holds the
same tier (平一级: one generation) gets ``peer`` of what that earner took from this order,
while the budget lasts; later same-tier members get nothing. Peer and differential share the
line: what neither pays goes to ``unpaid_differential``. The buyer's own tier counts only
with ``include_buyer`` (a self-purchase rebate, 自购; off by default: the seed says 伞下).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from itertools import pairwise

from sim.distribution.amounts import Amount
from sim.distribution.base import Purse, Rule
from sim.distribution.tiers import TierLadder


class LevelDifferential(Rule):
    name = "level_differential"
    peer_name = "peer_bonus"

    def __init__(
        self,
        ladder: TierLadder,
        amounts: Sequence[Amount],
        line: str = "level_differential",
        *,
        peer: Fraction | None = None,
        include_buyer: bool = False,
        unpaid: str = "unpaid_differential",
    ) -> None:
        if len(amounts) != len(ladder.tiers):
            raise ValueError(f"{len(ladder.tiers)} tiers but {len(amounts)} amounts")
        self.ladder, self.amounts, self.line = ladder, tuple(amounts), line
        self.peer = None if peer is None else Fraction(peer)
        self.include_buyer, self.unpaid = include_buyer, unpaid
        self._dues: dict[int, tuple[int, ...]] = {}

    def dues(self, amount: int) -> tuple[int, ...]:
        """What each tier's amount comes to on an order of ``amount`` fen (0 for no tier),
        worked out and checked once per distinct amount."""
        found = self._dues.get(amount)
        if found is None:
            found = (0, *(a.of(amount) for a in self.amounts))
            if any(b < a for a, b in pairwise(found)):
                raise ValueError("tier amounts must not fall from one tier to the next")
            self._dues[amount] = found
        return found

    def pay(self, order, budget, net, state):
        purse = Purse(self.line, budget)
        dues = self.dues(order.amount)
        chain = [(0, order.buyer)] if self.include_buyer else []
        chain += list(enumerate(order.upline, start=1))
        paid_tier = paid_due = earned = 0
        peer_open = False
        top = len(dues) - 1
        for level, member in chain:
            if not purse.left:
                break
            tier = state.tier.get(member, 0)
            if tier > paid_tier:
                earned = purse.cap(dues[tier] - paid_due)
                purse.pay(member, earned, self.name, level, order.reason)
                paid_tier, paid_due = tier, dues[tier]
                peer_open = self.peer is not None
            elif peer_open and tier == paid_tier:
                bonus = purse.cap(self.peer.numerator * earned // self.peer.denominator)
                purse.pay(member, bonus, self.peer_name, level, order.reason)
                peer_open = False
            if paid_tier == top and not peer_open:
                break
        return [purse.close(self.unpaid)]
