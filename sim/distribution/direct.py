"""直推 / 间推: the recruiter, the recruiter's recruiter, ... each get a fixed schedule.

Seed 000: 0.3% and 0.2% of every order the referred member places, anywhere, forever; seed
004: a fixed 100 per pack. ``amounts[0]`` goes to level 1 (the recruiter), ``amounts[1]`` to
level 2 and so on; a missing upline's amount is unpaid. The chain is the recruiting chain
(who brought whom), which differs from the network only where spill-over placed someone;
``Payout.level`` counts generations of recruiting.
"""

from __future__ import annotations

from collections.abc import Sequence

from sim.distribution.amounts import Amount
from sim.distribution.base import Purse, Rule


class DirectIndirect(Rule):
    name = "direct_indirect"

    def __init__(
        self, amounts: Sequence[Amount], line: str = "distribution", *, unpaid="unpaid_referral"
    ) -> None:
        if not amounts:
            raise ValueError("give at least the direct reward")
        self.amounts, self.line, self.unpaid = tuple(amounts), line, unpaid

    def pay(self, order, budget, net, state):
        purse = Purse(self.line, budget)
        member = order.buyer
        for level, amount in enumerate(self.amounts, start=1):
            member = state.recruiter_of(member, net)
            if member is None:
                break
            purse.pay(member, purse.cap(amount.of(order.amount)), self.name, level, order.reason)
        return [purse.close(self.unpaid)]
