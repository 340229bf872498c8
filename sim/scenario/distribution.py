"""The ``distribution:`` section: which bonus rules of SPEC §6 a run pays (:mod:`sim.distribution`).

Either a ``preset`` (the seeds' rule sets, :mod:`sim.scenario.distribution_presets`) or a list
of ``rules`` (:mod:`sim.scenario.distribution_rules`), each a mapping with a ``kind`` and the
``order.split`` line it is ``paid_from``; a ``ladder`` of tiers for the rules that read tiers;
a ``placement`` of recruits (directly under their recruiter, or 三三滑落 spill-over); and where
orders happen: ``regions`` (regional agents), ``service_points`` and ``merchants`` (none of
them by default: no region is sold, no point opened, no shop recruited).

This module only checks and types what the user wrote; :class:`sim.scenario.root.Scenario` checks
the rules against ``order.split`` and ``referral``, and :mod:`sim.distribution.build` makes the
rule objects. A preset is stored as written and expanded by :meth:`DistributionSection.specs`
into the same rule specs a user could write, so both are checked and built the same way.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, PlainValidator, field_serializer, field_validator, model_validator

from sim.errors import did_you_mean
from sim.scenario.checks import Count, Probability, Problem, Section, a_list, one_of, or_null, show
from sim.scenario.distribution_presets import PRESET_LADDERS, PRESET_RULES, PRESETS
from sim.scenario.distribution_rules import (
    LevelDifferentialRule,
    MaybeMoney,
    Money,
    Rule,
    RuleSpec,
    TierDividendRule,
    TierSpec,
)

PLACEMENTS: tuple[str, ...] = ("direct", "spill_over")
MAX_TIERS = 9


# --- where orders happen --------------------------------------------------------------------


class RegionFees(Section):
    """What a region costs its agent, in yuan (platform income); null: that level is not
    sold (seeds 000/001 have no big-region agents)."""

    district: MaybeMoney = Decimal(50_000)
    city: MaybeMoney = Decimal(100_000)
    province: MaybeMoney = Decimal(200_000)
    big_region: MaybeMoney = Decimal(300_000)


class RegionsSection(Section):
    """The map: ``big_regions`` at the top, each with ``provinces``, each with ``cities``,
    each with ``districts``. Each member lives in a district drawn uniformly; a joiner buys
    the smallest unsold region over their district with chance ``take_up``."""

    big_regions: Count = 1
    provinces: Count = 2
    cities: Count = 3
    districts: Count = 4
    fees: RegionFees = Field(default_factory=RegionFees)
    take_up: Probability = 0.0

    @property
    def district_count(self) -> int:
        return self.big_regions * self.provinces * self.cities * self.districts


class ServicePointsSection(Section):
    """A joiner opens a service point in their district with chance ``open_share``, paying
    ``fee`` yuan; each order is picked up at a random point of the buyer's district, if any,
    with chance ``pickup_share``."""

    fee: Money = Decimal(9_800)
    open_share: Probability = 0.0
    pickup_share: Probability = 1.0


class MerchantsSection(Section):
    """``shops`` shops take the orders, each order in a random one; a joiner brings the next
    shop not yet recruited onto the platform with chance ``recruit_share``."""

    shops: Count = 100
    recruit_share: Probability = 0.0


# --- the section ----------------------------------------------------------------------------


def as_preset(value: object) -> str:
    if value not in PRESETS:
        raise Problem(f"unknown preset {show(value)}" + did_you_mean(str(value), PRESETS))
    return str(value)


class DistributionSection(Section):
    """The distribution layer: a preset or rules, the ladder, placement and venues."""

    preset: Annotated[str | None, PlainValidator(or_null(as_preset))] = None
    rules: tuple[Rule, ...] = ()
    placement: Annotated[str, one_of(*PLACEMENTS)] = "direct"
    ladder: tuple[TierSpec, ...] | None = None
    regions: RegionsSection | None = None
    service_points: ServicePointsSection | None = None
    merchants: MerchantsSection | None = None

    @field_validator("rules", mode="before")
    @classmethod
    def _rule_list(cls, value: object) -> object:
        return a_list(value, " of rules")

    @field_serializer("rules")
    def _dump_rules(self, rules: tuple[RuleSpec, ...]) -> list[dict]:
        return [rule.model_dump() for rule in rules]  # each with its own kind's keys

    @field_validator("ladder", mode="before")
    @classmethod
    def _tier_list(cls, value: object) -> object:
        return None if value is None else a_list(value, " of tiers")

    @field_validator("ladder", mode="after")
    @classmethod
    def _tiers(cls, ladder: tuple[TierSpec, ...] | None) -> tuple[TierSpec, ...] | None:
        if ladder is None:
            return None
        if not 1 <= len(ladder) <= MAX_TIERS:
            raise Problem(f"a ladder has 1 to {MAX_TIERS} tiers, got {len(ladder)}")
        seen = set()
        for i, tier in enumerate(ladder):
            if tier.name in seen:
                raise Problem(f"tier '{tier.name}' is named twice", key=(i, "name"))
            seen.add(tier.name)
            if tier.pack is None and not any(
                v is not None for v in (tier.own_spend, tier.team_size, tier.team_volume)
            ):
                raise Problem(
                    "a tier needs a pack or a condition (own_spend, team_size, team_volume)",
                    key=i,
                )
        return ladder

    @model_validator(mode="after")
    def _consistent(self) -> DistributionSection:
        if self.preset is not None and self.rules:
            raise Problem("give a preset or a list of rules, not both", key="rules")
        if self.preset is None and not self.rules:
            raise Problem("give a preset (" + ", ".join(PRESETS) + ") or a list of rules")
        rules, ladder = self.specs(), self.tiers()
        where = (lambda i, *key: ("preset",)) if self.preset else (lambda i, *k: ("rules", i, *k))
        seen: dict[str, int] = {}
        for i, rule in enumerate(rules):
            if rule.kind in seen:
                raise Problem(f"rule '{rule.kind}' is given twice", key=where(i, "kind"))
            seen[rule.kind] = i
            if isinstance(rule, LevelDifferentialRule | TierDividendRule) and ladder is None:
                raise Problem(f"{rule.kind} needs a ladder of tiers", key=where(i))
            if isinstance(rule, LevelDifferentialRule) and len(rule.amounts) != len(ladder):
                raise Problem(
                    f"expected {len(ladder)} amounts, one per tier of the ladder, got "
                    f"{len(rule.amounts)}",
                    key=where(i, "amounts"),
                )
            if isinstance(rule, TierDividendRule):
                names = [t.name for t in ladder]
                for name, _ in rule.shares:
                    if name not in names:
                        message = f"no tier '{name}' in the ladder" + did_you_mean(name, names)
                        raise Problem(message, key=where(i, "shares", name))
        return self

    def specs(self) -> tuple[RuleSpec, ...]:
        """The rules to run: the preset's, or those written."""
        return PRESET_RULES[self.preset] if self.preset is not None else self.rules

    def tiers(self) -> tuple[TierSpec, ...] | None:
        """The ladder: the one written, or the preset's."""
        if self.ladder is not None or self.preset is None:
            return self.ladder
        return PRESET_LADDERS.get(self.preset)
