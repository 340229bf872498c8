"""The bonus rules a ``distribution:`` section names (SPEC §6), as checked specs, and the tiers
they read.

Each rule is a mapping with a ``kind`` and the ``order.split`` line it is ``paid_from``
(:class:`RuleSpec` and one subclass per kind, found by :func:`as_rule`). What a rule pays on
an order is an *amount*: a number in [0, 1] is that share of the order;
``{yuan: 100, pack: 1000}`` is 100 yuan per whole 1000-yuan pack in the order; ``{yuan: 5}``
is 5 yuan per order whatever its size. Money is yuan with at most 2 decimals.

These models only check and type what the user wrote; :mod:`sim.distribution.build` makes
the rule objects from them, and :mod:`sim.scenario.distribution` holds them in the section.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    PlainSerializer,
    PlainValidator,
    field_serializer,
    field_validator,
    model_validator,
)

from sim.errors import did_you_mean
from sim.scenario.checks import (
    Count,
    Day,
    Flag,
    PositiveYuan,
    Problem,
    Ratio,
    Section,
    Text,
    a_list,
    as_amount_yuan,
    as_cap_yuan,
    as_count,
    as_ratio,
    one_of,
    or_null,
    show,
)

REGION_LEVELS: tuple[str, ...] = ("district", "city", "province", "big_region")

Money = Annotated[Decimal, PlainValidator(as_cap_yuan)]  # yuan >= 0, whole fen
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
    pack: PositiveYuan = Decimal(1000)
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
    peer_to: Annotated[str, one_of("recruiter_boss", "team_owner")] = "recruiter_boss"

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


# --- tiers --------------------------------------------------------------------------------


class TierSpec(Section):
    """One tier, lowest first: bought with one order of at least ``pack`` yuan, or reached
    when every condition it sets holds (own spend, team size, team volume; yuan)."""

    name: Text
    pack: Annotated[Decimal | None, PlainValidator(or_null(as_amount_yuan))] = None
    own_spend: MaybeMoney = None
    team_size: MaybeCount = None
    team_volume: MaybeMoney = None
