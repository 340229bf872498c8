"""The seeds' rule sets, ready to run: seed 004's 1000-yuan pack, the local-services variant
of seeds 000/001, and the two-level-only variant the seeds call compliant.

Each returns the order split (line -> share, to check against the scenario's ``order.split``)
and the :class:`RuleSet`. What the seeds leave open (tier upgrade conditions, dividend
period, region fees) are parameters; the defaults are illustrative, not from the seeds.
"""

from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple

from sim.distribution.amounts import Share, yuan_per_pack
from sim.distribution.chain import ChainMotion
from sim.distribution.differential import LevelDifferential
from sim.distribution.direct import DirectIndirect
from sim.distribution.dividends import TierDividend
from sim.distribution.merchant import MerchantRecruitment
from sim.distribution.regional import RegionalAgents, RegionMap
from sim.distribution.ruleset import RuleSet
from sim.distribution.service import ServicePoints
from sim.distribution.tiers import Tier, TierLadder

F = Fraction

SPLIT_004 = (
    ("product_cost", F(20, 100)),
    ("chain_motion", F(33, 100)),
    ("chain_dividend", F(4, 100)),
    ("level_differential", F(3, 100)),
    ("platform", F(7, 100)),
    ("pool", F(30, 100)),
    ("service_point", F(2, 100)),
    ("regional_agents", F(1, 100)),
)
SPLIT_LOCAL = (
    ("merchant", F(80, 100)),
    ("distribution", F(2, 100)),
    ("platform", F(2, 100)),
    ("pool", F(16, 100)),
)
PACK = 100_000  # fen: the 1000-yuan pack


class Preset(NamedTuple):
    split: tuple[tuple[str, Fraction], ...]
    rules: RuleSet


def ladder_004(packs: tuple[int, int, int] = (10, 50, 200)) -> TierLadder:
    """合伙人 / 联创 / 董事 by team volume of ``packs`` packs (the seed gives no figures)."""
    names = ("partner", "co_founder", "director")
    return TierLadder([Tier(n, team_volume=p * PACK) for n, p in zip(names, packs, strict=True)])


def seed004_pack(
    regions: RegionMap | None = None,
    ladder: TierLadder | None = None,
    *,
    dividend_period: int = 30,
    **chain_options,
) -> Preset:
    """Seed 004: 330 chain motion, 40 tier dividend (30/30/40), 30 level differential
    (10/20/30), 10 regional agents (3/5/8/10), 20 per pickup at a service point."""
    ladder = ladder or ladder_004()
    regions = regions or RegionMap({}, {})
    rules = [
        ChainMotion("chain_motion", pack=PACK, **chain_options),
        TierDividend(
            ladder,
            {"director": F(3, 10), "co_founder": F(3, 10), "partner": F(4, 10)},
            "chain_dividend",
            period=dividend_period,
        ),
        LevelDifferential(ladder, [yuan_per_pack(y) for y in (10, 20, 30)], "level_differential"),
        RegionalAgents(regions, [yuan_per_pack(y) for y in (3, 5, 8, 10)], "regional_agents"),
        ServicePoints(yuan_per_pack(20), "service_point"),
    ]
    return Preset(SPLIT_004, RuleSet(rules, ladder=ladder))


def local_services(regions: RegionMap | None = None) -> Preset:
    """Seeds 000/001: out of the 2% distribution line, 0.3% / 0.2% direct / indirect, 0.1 /
    0.2 / 0.3% district / city / province (differential), 0.5% to a shop's recruiter; the
    rest of the line (0.7%) is unallocated."""
    per_mille = [Share(F(n, 1000)) for n in (1, 2, 3, 3)]  # no big-region agents: = province
    rules = [
        DirectIndirect([Share(F(3, 1000)), Share(F(2, 1000))], "distribution"),
        RegionalAgents(regions or RegionMap({}, {}), per_mille, "distribution"),
        MerchantRecruitment(Share(F(5, 1000)), "distribution"),
    ]
    allot = {
        "direct_indirect": Share(F(5, 1000)),
        "regional_agent": Share(F(3, 1000)),
        "merchant_recruitment": Share(F(5, 1000)),
    }
    return Preset(SPLIT_LOCAL, RuleSet(rules, allotments=allot))


def two_level_only(direct: Fraction, indirect: Fraction, line: str = "distribution") -> RuleSet:
    """Only 直推 and 间推 (二级分销): what the seeds call the compliant variant."""
    return RuleSet([DirectIndirect([Share(F(direct)), Share(F(indirect))], line)])
