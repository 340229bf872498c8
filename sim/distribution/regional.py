"""区代 / 市代 / 省代 / 大区代: regional agents paid on every order delivered in their region.

Seeds 000/001/004: whoever recruited the buyer, the owner of the order's district, city,
province and big region are paid by differential (级差制): each gets their level's amount
minus the highest amount already paid to a lower level (seed 004: 3 / 5 / 8 / 10 per pack,
at most 10 in all; seed 001: 0.1% / 0.2% / 0.3%). An unowned region is skipped, so the next
owner up takes the difference from what was paid below. ``differential=False`` pays every
owner their full amount instead. The order's region is its delivery address when given,
else the buyer's region. Regions are sold (50,000 to 300,000 yuan): :meth:`sell` records the
owner and returns the fee as platform income.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sim.distribution.amounts import Amount
from sim.distribution.base import Income, Purse, Rule
from sim.distribution.booking import REGION_FEES

LEVELS = ("district", "city", "province", "big_region")


class RegionMap:
    """Regions as a tree: ``parent`` of each region (None at the top), ``level`` an index
    into :data:`LEVELS` (0 district)."""

    def __init__(self, parent: Mapping[int, int | None], level: Mapping[int, int]) -> None:
        self.parent, self.level = dict(parent), dict(level)
        for region, lvl in self.level.items():
            if not 0 <= lvl < len(LEVELS):
                raise ValueError(f"region {region} has level {lvl}, not one of {LEVELS}")

    def chain(self, region: int) -> list[int]:
        """The region and the regions containing it, smallest first (unknown: none)."""
        out = []
        while region is not None and region in self.level:
            out.append(region)
            region = self.parent.get(region)
        return out


class RegionalAgents(Rule):
    name = "regional_agent"
    fees = REGION_FEES

    def __init__(
        self,
        regions: RegionMap,
        amounts: Sequence[Amount],
        line: str = "regional_agents",
        *,
        differential: bool = True,
        unpaid: str = "unpaid_regional",
    ) -> None:
        if len(amounts) != len(LEVELS):
            raise ValueError(f"give one amount per level {LEVELS}")
        self.regions, self.amounts, self.line = regions, tuple(amounts), line
        self.differential, self.unpaid = differential, unpaid

    def sell(self, state, region: int, member: int, fee: int) -> Income:
        """``member`` buys ``region`` for ``fee`` fen: platform income."""
        if region not in self.regions.level:
            raise KeyError(f"no region {region}")
        if region in state.region_owner:
            raise ValueError(f"region {region} is already sold")
        state.region_owner[region] = member
        return Income(self.fees, fee, member, f"{LEVELS[self.regions.level[region]]} {region}")

    def pay(self, order, budget, net, state):
        purse = Purse(self.line, budget)
        region = order.region if order.region is not None else net.region(order.buyer)
        paid_due = 0
        for r in self.regions.chain(region):
            owner = state.region_owner.get(r)
            if owner is None:
                continue
            due = self.amounts[self.regions.level[r]].of(order.amount)
            if self.differential:
                due, paid_due = due - paid_due, max(paid_due, due)
            purse.pay(owner, purse.cap(due), self.name, 0, order.reason)
        return [purse.close(self.unpaid)]
