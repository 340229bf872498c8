"""Where a run's orders happen: members' districts, the regions sold to agents, the service
points orders are picked up at, the shops they are placed in.

The seeds name these but say nothing of how many there are or who buys them, so a scenario
sets it (``distribution.regions``, ``service_points``, ``merchants``) and this module draws
it, from the distribution layer's own generator:

- a member lives in a district drawn uniformly when they join;
- a joiner buys the smallest region over their district that nobody owns yet with chance
  ``take_up`` (a district agent first, then the city, ...), paying its fee (a level whose
  fee is null is not for sale);
- a joiner opens a service point in their district with chance ``open_share``, paying the
  franchise fee; an order is picked up at a uniformly drawn point of the buyer's district,
  if it has any, with chance ``pickup_share``;
- ``shops`` shops take the orders, each order in a uniformly drawn one; a joiner brings the
  next shop nobody has recruited onto the platform with chance ``recruit_share``.

Regions, points and shops only exist for the rules that pay on them (no regional agents: no
region is sold). Fees are :class:`~sim.distribution.base.Income`; a draw whose outcome is
certain is not made.
"""

from __future__ import annotations

from sim.core.units import yuan_to_fen
from sim.distribution.base import Income
from sim.distribution.merchant import MerchantRecruitment
from sim.distribution.regional import RegionalAgents, RegionMap
from sim.distribution.ruleset import RuleSet
from sim.distribution.service import ServicePoints
from sim.draws import UniformSource, chance
from sim.scenario.distribution import DistributionSection


def _pick(draws: UniformSource, items: list[int]) -> int:
    if len(items) == 1:
        return items[0]
    return items[min(int(draws.random() * len(items)), len(items) - 1)]


def _rule(rules: RuleSet, kind: type):
    return next((rule for rule in rules.rules if isinstance(rule, kind)), None)


class Venues:
    def __init__(
        self,
        section: DistributionSection,
        rules: RuleSet,
        regions: RegionMap,
        districts: list[int],
        draws: UniformSource,
    ) -> None:
        self.draws = draws
        self.state = rules.state
        self.regions, self.districts = regions, districts
        self.regional = _rule(rules, RegionalAgents) if section.regions is not None else None
        self.service = _rule(rules, ServicePoints) if section.service_points is not None else None
        self.merchant = _rule(rules, MerchantRecruitment) if section.merchants is not None else None
        if section.regions is not None:
            fees = section.regions.fees
            self.region_fees = [  # by level index: district, city, province, big region
                None if fee is None else yuan_to_fen(fee)
                for fee in (getattr(fees, level) for level in type(fees).model_fields)
            ]
            self.take_up = section.regions.take_up
        if section.service_points is not None:
            spec = section.service_points
            self.point_fee, self.open_share = yuan_to_fen(spec.fee), spec.open_share
            self.pickup_share = spec.pickup_share
            self.points: dict[int, list[int]] = {}  # district -> its points, in opening order
        if section.merchants is not None:
            self.shops, self.recruit_share = (
                section.merchants.shops,
                section.merchants.recruit_share,
            )
            self.recruited = 0  # shops 1 .. recruited have a promoter

    def district(self) -> int:
        """A new member's district (0 when the scenario has no regions)."""
        return _pick(self.draws, self.districts)

    def join(self, member: int, district: int) -> list[Income]:
        """What a joiner buys: a region, a service point, a shop brought in."""
        out = []
        if self.regional is not None:
            owner, level, fees = self.state.region_owner, self.regions.level, self.region_fees
            unsold = [
                r
                for r in self.regions.chain(district)
                if r not in owner and fees[level[r]] is not None
            ]
            if unsold and chance(self.draws, self.take_up):
                region = unsold[0]
                out.append(self.regional.sell(self.state, region, member, fees[level[region]]))
        if self.service is not None and chance(self.draws, self.open_share):
            point = len(self.state.service_points) + 1
            self.points.setdefault(district, []).append(point)
            out.append(self.service.open(self.state, point, member, self.point_fee))
        more_shops = self.merchant is not None and self.recruited < self.shops
        if more_shops and chance(self.draws, self.recruit_share):
            self.recruited += 1
            self.merchant.register(self.state, self.recruited, member)
        return out

    def pickup(self, district: int) -> int | None:
        """The service point an order is picked up at (None: none)."""
        if self.service is None:
            return None
        points = self.points.get(district)
        if not points or not chance(self.draws, self.pickup_share):
            return None
        return _pick(self.draws, points)

    def shop(self) -> int | None:
        """The shop an order is placed in (None: the scenario has no shops)."""
        if self.merchant is None:
            return None
        if self.shops == 1:
            return 1
        return min(int(self.draws.random() * self.shops), self.shops - 1) + 1
