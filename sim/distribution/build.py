"""From a scenario's ``distribution:`` section to the rule objects of this package.

Yuan become fen and decimal shares exact fractions here, once. The region map is built from
the section's ``regions`` counts: big regions first, then their provinces, cities and
districts, numbered 1, 2, 3, ... in that order, so a district's id says nothing about its
parents but :class:`RegionMap` does.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from sim.core.units import yuan_to_fen
from sim.distribution.amounts import Amount, PerPack, Share
from sim.distribution.chain import ChainMotion
from sim.distribution.differential import LevelDifferential
from sim.distribution.direct import DirectIndirect
from sim.distribution.dividends import ShareholderDividend, TierDividend
from sim.distribution.merchant import MerchantRecruitment
from sim.distribution.regional import LEVELS, RegionalAgents, RegionMap
from sim.distribution.ruleset import RuleSet
from sim.distribution.service import ServicePoints
from sim.distribution.tiers import Tier, TierLadder
from sim.scenario.distribution import DistributionSection, RegionsSection
from sim.scenario.distribution_rules import (
    ChainMotionRule,
    DirectIndirectRule,
    Fixed,
    LevelDifferentialRule,
    MerchantRecruitmentRule,
    RegionalAgentsRule,
    RuleSpec,
    ServicePointsRule,
    ShareholderDividendRule,
    TierDividendRule,
    TierSpec,
)


def amount(spec: Decimal | Fixed) -> Amount:
    """A share of the order, or fen per whole pack (per order without a pack)."""
    if isinstance(spec, Fixed):
        pack = None if spec.pack is None else yuan_to_fen(spec.pack)
        return PerPack(yuan_to_fen(spec.yuan), pack)
    return Share(Fraction(spec))


def _fen(yuan: Decimal | None) -> int | None:
    return None if yuan is None else yuan_to_fen(yuan)


def ladder(tiers: tuple[TierSpec, ...] | None) -> TierLadder | None:
    if tiers is None:
        return None
    return TierLadder(
        [
            Tier(t.name, _fen(t.pack), _fen(t.own_spend), t.team_size, _fen(t.team_volume))
            for t in tiers
        ]
    )


def region_map(spec: RegionsSection | None) -> tuple[RegionMap, list[int]]:
    """The map and its districts (in id order); no regions: an empty map, one district 0."""
    if spec is None:
        return RegionMap({}, {}), [0]
    parent: dict[int, int | None] = {}
    level: dict[int, int] = {}
    above: list[int | None] = [None]
    for lvl, count in zip(
        range(len(LEVELS) - 1, -1, -1),
        (spec.big_regions, spec.provinces, spec.cities, spec.districts),
        strict=True,
    ):
        now = []
        for up in above:
            for _ in range(count):
                region = len(level) + 1
                parent[region], level[region] = up, lvl
                now.append(region)
        above = now
    return RegionMap(parent, level), above


def rule(spec: RuleSpec, tiers: TierLadder | None, regions: RegionMap):
    """One rule object, paid from ``spec.paid_from``."""
    line = spec.paid_from
    if isinstance(spec, DirectIndirectRule):
        return DirectIndirect([amount(a) for a in spec.amounts], line)
    if isinstance(spec, LevelDifferentialRule):
        peer = None if spec.peer is None else Fraction(spec.peer)
        amounts = [amount(a) for a in spec.amounts]
        return LevelDifferential(tiers, amounts, line, peer=peer, include_buyer=spec.include_buyer)
    if isinstance(spec, RegionalAgentsRule):
        amounts = [amount(a) for a in spec.amounts]
        amounts += [Share(Fraction(0))] * (len(LEVELS) - len(amounts))
        return RegionalAgents(regions, amounts, line, differential=spec.differential)
    if isinstance(spec, TierDividendRule):
        shares = {name: Fraction(share) for name, share in spec.shares}
        return TierDividend(tiers, shares, line, period=spec.period)
    if isinstance(spec, ShareholderDividendRule):
        return ShareholderDividend(line, weight=spec.weight, period=spec.period)
    if isinstance(spec, MerchantRecruitmentRule):
        return MerchantRecruitment(amount(spec.share), line)
    if isinstance(spec, ChainMotionRule):
        return ChainMotion(
            line,
            pack=yuan_to_fen(spec.pack),
            direct=yuan_to_fen(spec.direct),
            see_point=yuan_to_fen(spec.see_point),
            peer=Fraction(spec.peer),
            freeze=Fraction(spec.freeze),
            boss_at=spec.boss_at,
            contribute=spec.contribute,
            orders_over=spec.orders_over,
            unlock=spec.unlock,
            reassign_every=spec.reassign_every,
            promote_first=spec.promote_first,
            peer_to=spec.peer_to,
        )
    if isinstance(spec, ServicePointsRule):
        return ServicePoints(amount(spec.reward), line)
    raise TypeError(f"no rule for {type(spec).__name__}")


def rule_set(section: DistributionSection, regions: RegionMap) -> RuleSet:
    """The scenario's rules, in the order given, with the ladder and the allotments."""
    tiers = ladder(section.tiers())
    rules, allotments = [], {}
    for spec in section.specs():
        made = rule(spec, tiers, regions)
        rules.append(made)
        if spec.allot is not None:
            allotments[made.name] = amount(spec.allot)
    return RuleSet(rules, ladder=tiers, allotments=allotments)


def founders(
    rules: RuleSet, section: DistributionSection
) -> tuple[ShareholderDividend, int] | None:
    """The shareholder dividend and how many of the first members to join are its
    shareholders (``founders``), or None if the section has no such rule."""
    for made, spec in zip(rules.rules, section.specs(), strict=True):
        if isinstance(spec, ShareholderDividendRule):
            return made, spec.founders
    return None
