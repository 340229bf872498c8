"""The seeds' rule sets as the specs a user could write (the same as
:mod:`sim.distribution.presets`): a ``distribution: {preset: NAME}`` section is expanded into
these by :meth:`sim.scenario.distribution.DistributionSection.specs`, so a preset is checked
and built exactly like written rules.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sim.scenario.distribution_rules import Fixed, RuleSpec, TierSpec, as_rule


def _per_pack(yuan: int) -> Fixed:
    return Fixed(yuan=Decimal(yuan), pack=Decimal(1000))


def _specs(*rules: dict[str, Any]) -> tuple[RuleSpec, ...]:
    return tuple(as_rule(rule) for rule in rules)


PRESET_RULES: dict[str, tuple[RuleSpec, ...]] = {
    # seed 004: 330 chain motion, 40 tier dividend (30/30/40), 30 level differential
    # (10/20/30), 10 regional agents (3/5/8/10), 20 per pickup at a service point
    "seed004_pack": _specs(
        {"kind": "chain_motion"},
        {
            "kind": "tier_dividend",
            "shares": {
                "director": Decimal("0.3"),
                "co_founder": Decimal("0.3"),
                "partner": Decimal("0.4"),
            },
        },
        {"kind": "level_differential", "amounts": [_per_pack(y) for y in (10, 20, 30)]},
        {"kind": "regional_agents", "amounts": [_per_pack(y) for y in (3, 5, 8, 10)]},
        {"kind": "service_points"},
    ),
    # seeds 000/001: out of the 2% distribution line, 0.3% / 0.2% direct / indirect, 0.1 /
    # 0.2 / 0.3% district / city / province, 0.5% to a shop's recruiter; 0.7% unallocated
    "local_services": _specs(
        {
            "kind": "direct_indirect",
            "amounts": [Decimal("0.003"), Decimal("0.002")],
            "allot": Decimal("0.005"),
        },
        {
            "kind": "regional_agents",
            "paid_from": "distribution",
            "amounts": [Decimal("0.001"), Decimal("0.002"), Decimal("0.003"), Decimal("0.003")],
            "allot": Decimal("0.003"),
        },
        {"kind": "merchant_recruitment", "share": Decimal("0.005"), "allot": Decimal("0.005")},
    ),
    # seed 004's 只有直推奖和间推奖 (变相的二级分销): 100 and 200 of each 1000 pack, from the
    # chain-motion line; the seeds call two-level distribution the compliant variant
    "two_level_only": _specs(
        {
            "kind": "direct_indirect",
            "paid_from": "chain_motion",
            "amounts": [Decimal("0.1"), Decimal("0.2")],
        },
    ),
}
PRESETS: tuple[str, ...] = tuple(PRESET_RULES)  # the preset names
PRESET_LADDERS: dict[str, tuple[TierSpec, ...]] = {
    # 合伙人 / 联创 / 董事 by team volume of 10 / 50 / 200 packs (the seed gives no figures)
    "seed004_pack": tuple(
        TierSpec(name=name, team_volume=Decimal(packs * 1000))
        for name, packs in (("partner", 10), ("co_founder", 50), ("director", 200))
    ),
}
