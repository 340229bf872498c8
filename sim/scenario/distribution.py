"""The ``distribution:`` section: which bonus rules of SPEC §6 a run pays (:mod:`sim.distribution`).

Either a ``preset`` (the seeds' rule sets) or a list of ``rules``, each a mapping with a
``kind`` and the ``order.split`` line it is ``paid_from``; a ``ladder`` of tiers for the rules
that read tiers; a ``placement`` of recruits (directly under their recruiter, or 三三滑落
spill-over); and where orders happen: ``regions`` (regional agents), ``service_points`` and
``merchants`` (none of them by default: no region is sold, no point opened, no shop recruited).

Money is yuan with at most 2 decimals. What a rule pays on an order is an *amount*: a number
in [0, 1] is that share of the order; ``{yuan: 100, pack: 1000}`` is 100 yuan per whole
1000-yuan pack in the order; ``{yuan: 5}`` is 5 yuan per order whatever its size.

This module only checks and types what the user wrote; :class:`sim.scenario.root.Scenario` checks
the rules against ``order.split`` and ``referral``, and :mod:`sim.distribution.build` makes the
rule objects. A preset is stored as written and expanded by :meth:`DistributionSection.specs`
into the same rule specs a user could write, so both are checked and built the same way.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    PlainSerializer,
    PlainValidator,
    field_serializer,
    field_validator,
    model_validator,
)

from sim.errors import did_you_mean
from sim.scenario.checks import Problem, Ratio, Section, Text, as_flag, as_ratio, one_of, show
from sim.scenario.sections import (
    Count,
    Day,
    Probability,
    a_list,
    as_amount_yuan,
    as_cap_yuan,
    as_count,
    or_null,
)

PRESETS: tuple[str, ...] = ("seed004_pack", "local_services", "two_level_only")
PLACEMENTS: tuple[str, ...] = ("direct", "spill_over")
REGION_LEVELS: tuple[str, ...] = ("district", "city", "province", "big_region")
MAX_TIERS = 9

Flag = Annotated[bool, PlainValidator(as_flag)]
Money = Annotated[Decimal, PlainValidator(as_cap_yuan)]  # yuan >= 0, whole fen
PositiveMoney = Annotated[Decimal, PlainValidator(as_amount_yuan)]  # yuan > 0, whole fen
MaybeMoney = Annotated[Decimal | None, PlainValidator(or_null(as_cap_yuan))]
MaybeCount = Annotated[int | None, PlainValidator(or_null(as_count))]


def _check_keys(value: dict, allowed: tuple[str, ...] | list[str]) -> None:
    """Unknown keys are named with a suggestion (pydantic's own suggestion would look in the
    wrong model for the items of a list of rules)."""
    for key in value:
        if key not in allowed:
            raise Problem(f"unknown key '{key}'" + did_you_mean(str(key), allowed), key=str(key))


# --- amounts ------------------------------------------------------------------------------


class Fixed(Section):
    """``yuan`` per whole pack of ``pack`` yuan in the order; with no ``pack``, per order."""

    yuan: Money
    pack: Annotated[Decimal | None, PlainValidator(or_null(as_amount_yuan))] = None

    def per_yuan(self, order_amount: Decimal) -> Decimal:
        """The most this pays per yuan of an order (per whole pack, or of ``order_amount``)."""
        return self.yuan / (self.pack if self.pack is not None else order_amount)

    def text(self) -> str:
        per = f"per {show(self.pack)}-yuan pack" if self.pack is not None else "per order"
        return f"{show(self.yuan)} yuan {per}"


Amount = Decimal | Fixed


def as_amount(value: object) -> Amount:
    """A share of the order (a number in [0, 1]) or ``{yuan, pack}``."""
    if isinstance(value, Fixed):
        return value
    if isinstance(value, dict):
        _check_keys(value, ("yuan", "pack"))
        if "yuan" not in value:
            raise Problem("missing required key 'yuan'")
        return Fixed.model_validate(value)  # its errors keep their key path
    try:
        return as_ratio(value)
    except Problem:
        raise Problem(
            f"expected a share of the order in [0, 1] or {{yuan, pack}}, got {show(value)}"
        ) from None


def _dump_amount(amount: Amount) -> Any:
    return amount.model_dump() if isinstance(amount, Fixed) else amount


AmountSpec = Annotated[Decimal | Fixed, PlainValidator(as_amount), PlainSerializer(_dump_amount)]


def per_yuan(amount: Amount, order_amount: Decimal) -> Decimal:
    """The most ``amount`` pays per yuan of an order (a share is itself)."""
    return amount.per_yuan(order_amount) if isinstance(amount, Fixed) else amount


def text(amount: Amount) -> str:
    return amount.text() if isinstance(amount, Fixed) else f"{show(amount)} of the order"


def _amount_list(value: object) -> object:
    items = a_list(value)
    if not items:
        raise Problem("expected at least one amount")
    return items


# --- rules --------------------------------------------------------------------------------


class RuleSpec(Section):
    """What every rule has: its ``kind``, the split line it is ``paid_from``, and ``allot``,
    its part of that line when the line feeds several rules."""

    kind: str
    paid_from: Text
    allot: AmountSpec | None = None

    @classmethod
    def model_for(cls, data: object) -> type[RuleSpec]:
        """The model of one dumped rule, by its ``kind`` (for sweep paths into a rule)."""
        kind = data.get("kind") if isinstance(data, dict) else None
        return RULE_KINDS.get(kind, cls) if isinstance(kind, str) else cls

    def most(self, order_amount: Decimal) -> Decimal | None:
        """The most the rule pays per yuan of an order (of ``order_amount`` yuan for amounts
        per order); None: it takes its whole line, as dividend pools do."""
        return None


class DirectIndirectRule(RuleSpec):
    """直推 / 间推: ``amounts[0]`` to the recruiter, ``amounts[1]`` to theirs, ..."""

    kind: Literal["direct_indirect"] = "direct_indirect"
    paid_from: Text = "distribution"
    amounts: tuple[AmountSpec, ...]

    @field_validator("amounts", mode="before")
    @classmethod
    def _list(cls, value: object) -> object:
        return _amount_list(value)

    def most(self, order_amount: Decimal) -> Decimal:
        return sum((per_yuan(a, order_amount) for a in self.amounts), Decimal(0))


class LevelDifferentialRule(RuleSpec):
    """级差: one cumulative amount per tier of the ladder; 平级 ``peer`` share (or none)."""

    kind: Literal["level_differential"] = "level_differential"
    paid_from: Text = "level_differential"
    amounts: tuple[AmountSpec, ...]
    peer: Annotated[Decimal | None, PlainValidator(or_null(as_ratio))] = None
    include_buyer: Flag = False

    @field_validator("amounts", mode="before")
    @classmethod
    def _list(cls, value: object) -> object:
        return _amount_list(value)

    @model_validator(mode="after")
    def _rising(self) -> LevelDifferentialRule:
        kinds = {type(a) for a in self.amounts}
        packs = {a.pack for a in self.amounts if isinstance(a, Fixed)}
        if len(kinds) > 1 or len(packs) > 1:
            raise Problem("give every tier's amount in the same form", key="amounts")
        for i in range(1, len(self.amounts)):
            if per_yuan(self.amounts[i], Decimal(1)) < per_yuan(self.amounts[i - 1], Decimal(1)):
                raise Problem(
                    "amounts are cumulative, lowest tier first: each must be at least the one "
                    "before",
                    key=("amounts", i),
                )
        return self

    def most(self, order_amount: Decimal) -> Decimal:
        return per_yuan(self.amounts[-1], order_amount)  # cumulative: the top tier's


class RegionalAgentsRule(RuleSpec):
    """区代 / 市代 / 省代 / 大区代: amounts by level, district first (levels not listed pay
    nothing); ``differential``: each owner gets their amount minus what was paid below."""

    kind: Literal["regional_agents"] = "regional_agents"
    paid_from: Text = "regional_agents"
    amounts: tuple[AmountSpec, ...]
    differential: Flag = True

    @field_validator("amounts", mode="before")
    @classmethod
    def _levels(cls, value: object) -> object:
        items = _amount_list(value)
        if len(items) > len(REGION_LEVELS):
            raise Problem(f"expected at most {len(REGION_LEVELS)} amounts: {REGION_LEVELS}")
        return items

    def most(self, order_amount: Decimal) -> Decimal:
        each = [per_yuan(a, order_amount) for a in self.amounts]
        return max(each) if self.differential else sum(each, Decimal(0))


def _tier_shares(value: object) -> tuple[tuple[str, Decimal], ...]:
    if not isinstance(value, dict):
        raise Problem(f"expected a mapping of tier names to shares, got {show(value)}")
    shares = []
    for name, share in value.items():
        try:
            shares.append((str(name), as_ratio(share)))
        except ValueError as problem:
            raise Problem(str(problem), key=str(name)) from None
    if sum((s for _, s in shares), Decimal(0)) > 1:
        raise Problem("tier shares must sum to at most 1")
    return tuple(shares)


class TierDividendRule(RuleSpec):
    """分红 by tier: the line fills a pool shared out every ``period`` days, each tier's
    share equally among the members holding exactly that tier."""

    kind: Literal["tier_dividend"] = "tier_dividend"
    paid_from: Text = "chain_dividend"
    shares: Annotated[tuple[tuple[str, Decimal], ...], PlainValidator(_tier_shares)]
    period: Count = 30

    @field_serializer("shares")
    def _dump_shares(self, shares: tuple[tuple[str, Decimal], ...]) -> dict[str, Decimal]:
        return dict(shares)


class ShareholderDividendRule(RuleSpec):
    """股东加权分红: the line fills a pool shared out every ``period`` days among the first
    ``founders`` members to join, by their ``shares`` (one each) or by their team's
    ``volume`` in the period."""

    kind: Literal["shareholder_dividend"] = "shareholder_dividend"
    paid_from: Text = "distribution"
    weight: Annotated[str, one_of("shares", "volume")] = "shares"
    period: Count = 30
    founders: Count = 10


class MerchantRecruitmentRule(RuleSpec):
    """招商: ``share`` of the turnover of a shop to the member who recruited it."""

    kind: Literal["merchant_recruitment"] = "merchant_recruitment"
    paid_from: Text = "distribution"
    share: AmountSpec = Decimal("0.005")

    def most(self, order_amount: Decimal) -> Decimal:
        return per_yuan(self.share, order_amount)


class ChainMotionRule(RuleSpec):
    """链动2+1 (seed 004): per ``pack``, ``direct`` to an agent recruiter, ``see_point`` 见点
    to the boss above, ``peer`` of a boss's earnings to the boss above him, ``freeze`` of
    every payout held until the task is met (:mod:`sim.distribution.chain`)."""

    kind: Literal["chain_motion"] = "chain_motion"
    paid_from: Text = "chain_motion"
    pack: PositiveMoney = Decimal(1000)
    direct: Money = Decimal(100)
    see_point: Money = Decimal(200)
    peer: Ratio = Decimal("0.1")
    freeze: Ratio = Decimal("0.2")
    boss_at: Count = 3
    contribute: Annotated[str, one_of("joined", "agents")] = "joined"
    orders_over: Day = 20
    unlock: Annotated[str, one_of("either", "both")] = "either"
    reassign_every: MaybeCount = None
    promote_first: Flag = True

    def most(self, order_amount: Decimal) -> Decimal:
        gross = self.direct + self.see_point  # the peer bonus is a share of what bosses earn
        return gross * (1 + self.peer) / self.pack


class ServicePointsRule(RuleSpec):
    """服务点: ``reward`` to the owner of the point where the order is picked up."""

    kind: Literal["service_points"] = "service_points"
    paid_from: Text = "service_point"
    reward: AmountSpec = Fixed(yuan=Decimal(20), pack=Decimal(1000))

    def most(self, order_amount: Decimal) -> Decimal:
        return per_yuan(self.reward, order_amount)


RULE_KINDS: dict[str, type[RuleSpec]] = {
    model.model_fields["kind"].default: model
    for model in (
        DirectIndirectRule,
        LevelDifferentialRule,
        RegionalAgentsRule,
        TierDividendRule,
        ShareholderDividendRule,
        MerchantRecruitmentRule,
        ChainMotionRule,
        ServicePointsRule,
    )
}


def as_rule(value: object) -> RuleSpec:
    """One rule: a mapping whose ``kind`` says which model checks the rest."""
    if isinstance(value, RuleSpec):
        return value
    if not isinstance(value, dict):
        raise Problem(f"expected a mapping with a 'kind', got {show(value)}")
    if "kind" not in value:
        raise Problem("missing required key 'kind'; expected one of: " + ", ".join(RULE_KINDS))
    kind = value["kind"]
    model = RULE_KINDS.get(kind) if isinstance(kind, str) else None
    if model is None:
        message = f"unknown rule kind {show(kind)}" + did_you_mean(str(kind), list(RULE_KINDS))
        raise Problem(message, key="kind")
    _check_keys(value, list(model.model_fields))
    return model.model_validate(value)  # its errors keep their key path


Rule = Annotated[RuleSpec, PlainValidator(as_rule)]


# --- tiers and where orders happen -----------------------------------------------------------


class TierSpec(Section):
    """One tier, lowest first: bought with one order of at least ``pack`` yuan, or reached
    when every condition it sets holds (own spend, team size, team volume; yuan)."""

    name: Text
    pack: Annotated[Decimal | None, PlainValidator(or_null(as_amount_yuan))] = None
    own_spend: MaybeMoney = None
    team_size: MaybeCount = None
    team_volume: MaybeMoney = None


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


# --- the seeds' rule sets (the same as sim.distribution.presets, as specs) ---------------------


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
PRESET_LADDERS: dict[str, tuple[TierSpec, ...]] = {
    # 合伙人 / 联创 / 董事 by team volume of 10 / 50 / 200 packs (the seed gives no figures)
    "seed004_pack": tuple(
        TierSpec(name=name, team_volume=Decimal(packs * 1000))
        for name, packs in (("partner", 10), ("co_founder", 50), ("director", 200))
    ),
}
