"""The agent model's scenario sections: run, inflow, population, referral and stress; and
the sections a run is judged by: collapse and outcomes.

Each section is optional and every key has a default, so a scenario written for the replay
(``name``, ``order``, ``points``) also runs in the agent model. The models here only check
and type what the user wrote; :class:`sim.scenario.root.Scenario` holds them and checks the
rules that span sections (a referral inflow needs referrers; referral rewards come out of a
line of ``order.split``).

Their checkers and value types are those of :mod:`sim.scenario.checks` (types follow what
the model reads: floats for rates, exact decimals for money, whole numbers for counts).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, PlainValidator, field_serializer, field_validator, model_validator

from sim.errors import did_you_mean
from sim.limits import MAX_MEMBERS
from sim.scenario.checks import (
    Count,
    Day,
    Days,
    Flag,
    Horizon,
    MemberRate,
    Members,
    NonNegativeFloat,
    PositiveFloat,
    PositiveYuan,
    Probability,
    Problem,
    Ratio,
    Section,
    Seed,
    Share,
    SomeMembers,
    Text,
    a_list,
    as_amount_yuan,
    as_any_float,
    as_cap_yuan,
    as_count,
    as_day,
    as_exact_share,
    as_flag,
    as_growth,
    as_positive_float,
    as_ratio,
    as_shortfall,
    as_some_members,
    list_of,
    number_check,
    one_of,
    or_null,
    show,
)

INFLOW_KINDS: tuple[str, ...] = (
    "constant",
    "exponential",
    "growth_decay",
    "bass",
    "referral",
    "none",
)
NOISE_KINDS: tuple[str, ...] = ("poisson", "none")
MEMBER_TYPES: tuple[str, ...] = ("consumer", "referrer", "panic_seller")
REFERRAL_RULES: tuple[str, ...] = ("two_level",)
CORES: tuple[str, ...] = ("reference", "fast")
LEGACY_READINGS: tuple[str, ...] = ("price_growth", "full_value")


# --- run ----------------------------------------------------------------------------------


class RunSection(Section):
    """The horizon of one run (one step is one day), its default random seed, and the core
    that applies the rules: ``fast``, the compiled :class:`sim.core.kernel_book.KernelBook`,
    or ``reference``, :class:`sim.core.book.Book` in exact Python integers of any size, which
    the tests prove the fast core equal to (a fast run that outgrows 64-bit integers is
    redone on it: :func:`sim.batch.run.simulate`)."""

    days: Horizon = 365
    seed: Seed = 0
    core: Annotated[str, one_of(*CORES)] = "fast"


# --- inflow -------------------------------------------------------------------------------


class InflowSection(Section):
    """How many new members join each day (the arrival process)."""

    kind: Annotated[str, one_of(*INFLOW_KINDS)] = "constant"
    initial_members: Members = 0
    rate: MemberRate = 10.0
    growth: Annotated[float, PlainValidator(as_growth)] = 0.0
    decay_start_day: Annotated[int | None, PlainValidator(or_null(as_day))] = None
    half_life_days: Annotated[float | None, PlainValidator(or_null(as_positive_float))] = None
    market_size: Annotated[int | None, PlainValidator(or_null(as_some_members))] = None
    innovation: Probability = 0.01
    imitation: NonNegativeFloat = 0.3
    noise: Annotated[str, one_of(*NOISE_KINDS)] = "poisson"

    @model_validator(mode="after")
    def _required_by_kind(self) -> InflowSection:
        needs = {
            "growth_decay": {
                "decay_start_day": "the day growth stops and decay starts",
                "half_life_days": "days for the rate to halve after decay_start_day",
            },
            "bass": {"market_size": "the number of people who could ever join"},
        }
        for key, meaning in needs.get(self.kind, {}).items():
            if getattr(self, key) is None:
                raise Problem(f"{self.kind} needs {key} ({meaning})")
        if self.market_size is not None and self.initial_members > self.market_size:
            raise Problem(
                f"initial_members {self.initial_members} is more than market_size "
                f"{self.market_size}",
                key="initial_members",
            )
        return self


# --- population ---------------------------------------------------------------------------


class AmountChoices(Section):
    """Order amounts drawn at random: ``choices`` in yuan, ``weights`` relative (None: equal)."""

    choices: Annotated[tuple[Decimal, ...], PlainValidator(list_of(as_amount_yuan))]
    weights: Annotated[
        tuple[float, ...] | None, PlainValidator(or_null(list_of(as_positive_float)))
    ] = None

    @field_validator("choices", mode="after")
    @classmethod
    def _some_choices(cls, choices: tuple[Decimal, ...]) -> tuple[Decimal, ...]:
        if not choices:
            raise Problem("expected at least one amount to choose from")
        return choices

    @model_validator(mode="after")
    def _one_weight_per_choice(self) -> AmountChoices:
        if self.weights is not None and len(self.weights) != len(self.choices):
            raise Problem(
                f"expected {len(self.choices)} weights, one per choice, got {len(self.weights)}",
                key="weights",
            )
        return self


MAX_SELL_TARGET = 1000  # a member's target in millionths fits 32 bits (sim.model.columns)


class SellTarget(Section):
    """Each member draws a target multiple uniformly in [low, high] and sells all on reaching
    it (at most 1000x the spend: a target beyond is a member who never sells)."""

    low: PositiveFloat
    high: PositiveFloat

    @model_validator(mode="after")
    def _ordered(self) -> SellTarget:
        if self.high < self.low:
            raise Problem(f"expected high >= low ({self.low:g}), got {self.high:g}", key="high")
        if self.high > MAX_SELL_TARGET:
            raise Problem(
                f"expected a multiple of spend of at most {MAX_SELL_TARGET:,}, got {self.high:g}",
                key="high",
            )
        return self


class ConsumerSection(Section):
    """How every member orders, sells, re-enters and withdraws (all types are consumers)."""

    amount: Decimal | AmountChoices | None = None  # None: order.amount
    rebuy_probability: Probability = 0.0
    rebuy_interval_days: PositiveFloat = 30.0
    sell_target: SellTarget | None = None  # None: hold until forced out
    reentry_probability: Probability = 0.0
    reentry_delay_days: PositiveFloat = 7.0
    withdraw: Annotated[bool, PlainValidator(as_flag)] = True

    @field_validator("amount", mode="wrap")
    @classmethod
    def _amount(cls, value: object, handler: Any) -> Decimal | AmountChoices | None:
        if value is None:
            return None
        if isinstance(value, dict | AmountChoices):
            return AmountChoices.model_validate(value)  # its errors keep their key path
        try:
            return as_amount_yuan(value)
        except Problem as problem:
            message = str(problem).replace(", got ", ", a mapping {choices, weights} or null, got ")
            raise Problem(message) from None


class ReferrerSection(Section):
    """Referrers recruit new members at a rate that falls as their reach is used up (a reach
    of at most the members one run holds, :data:`sim.limits.MAX_MEMBERS`)."""

    reach: PositiveFloat = 10.0
    recruit_rate: PositiveFloat = 0.2

    @field_validator("reach")
    @classmethod
    def _within_a_run(cls, value: float) -> float:
        if value > MAX_MEMBERS:
            raise Problem(
                f"expected at most {MAX_MEMBERS:,} (the members one run holds), got {value:g}"
            )
        return value


class PriceGrowthTrigger(Section):
    """Fires on a day when the price grew by less than ``below`` over the last window."""

    window_days: Count
    below: Annotated[float, PlainValidator(as_any_float)]


class HerdingTrigger(Section):
    """Fires when more than ``above`` of the active members sold within the window."""

    window_days: Count
    above: Probability


class PanicSellerSection(Section):
    """When panic sellers sell everything: on price stalls, on herding, on shock days."""

    react_probability: Probability = 1.0
    price_growth: PriceGrowthTrigger | None = None
    herding: HerdingTrigger | None = None
    shock_days: Days = ()


DEFAULT_MIX: tuple[tuple[str, float], ...] = (
    ("consumer", 1.0),
    ("referrer", 0.0),
    ("panic_seller", 0.0),
)


class PopulationSection(Section):
    """Who joins (shares of new members by type) and how each type behaves."""

    mix: tuple[tuple[str, float], ...] = DEFAULT_MIX  # always all MEMBER_TYPES, in that order
    consumer: ConsumerSection = Field(default_factory=ConsumerSection)
    referrer: ReferrerSection = Field(default_factory=ReferrerSection)
    panic_seller: PanicSellerSection = Field(default_factory=PanicSellerSection)

    @field_validator("mix", mode="before")
    @classmethod
    def _mix(cls, value: object) -> tuple[tuple[str, float], ...]:
        if not isinstance(value, dict):
            raise Problem(f"expected a mapping of member types to shares, got {show(value)}")
        shares = dict.fromkeys(MEMBER_TYPES, Decimal(0))
        for kind, share in value.items():
            if kind not in MEMBER_TYPES:
                message = f"unknown member type '{kind}'" + did_you_mean(str(kind), MEMBER_TYPES)
                raise Problem(message, key=str(kind))
            try:
                shares[kind] = as_ratio(share)
            except ValueError as problem:
                raise Problem(str(problem), key=kind) from None
        total = sum(shares.values(), Decimal(0))
        if total != 1:
            raise Problem(f"mix shares must sum to 1, they sum to {show(total)}")
        return tuple((kind, float(share)) for kind, share in shares.items())

    @field_serializer("mix")
    def _dump_mix(self, mix: tuple[tuple[str, float], ...]) -> dict[str, float]:
        return dict(mix)


# --- referral -----------------------------------------------------------------------------


class ReferralSection(Section):
    """Rewards to a buyer's sponsor (direct) and the sponsor's sponsor (indirect), as shares
    of each order's amount, paid out of the ``paid_from`` line of ``order.split``."""

    rule: Annotated[str, one_of(*REFERRAL_RULES)] = "two_level"
    direct: Ratio = Decimal(0)
    indirect: Ratio = Decimal(0)
    paid_from: Text = "distribution"


# --- network ------------------------------------------------------------------------------

SPONSOR_RULES: tuple[str, ...] = ("none", "uniform", "preferential", "branching")
as_branch_cap = number_check("a whole number >= 2", lambda n: n >= 2, int, whole=True)


class NetworkSection(Section):
    """Who sponsors a walk-in, a member no referrer brought (:mod:`sim.model.network`): nobody, so
    they start a line of their own (``none``); a uniformly random member (``uniform``, a
    random recursive tree); a member drawn in proportion to their recruits + 1
    (``preferential``); or a random member with fewer than ``max_recruits`` recruits
    (``branching``, where a referrer's recruits beyond the cap slide down their lines breadth
    first, 三三滑落). ``recruited_share`` of walk-ins get a sponsor; the rest are roots."""

    sponsor: Annotated[str, one_of(*SPONSOR_RULES)] = "none"
    recruited_share: Probability = 1.0
    max_recruits: Annotated[int, PlainValidator(as_branch_cap)] = 3


# --- stress -------------------------------------------------------------------------------


class DiversionTake(Section):
    """A one-off take of ``share`` of the pool on ``day``."""

    day: Day
    share: Ratio


class DiversionSection(Section):
    """The operator taking money out of the pool: daily from ``start_day``, and one-off."""

    daily_share: Ratio = Decimal(0)
    start_day: Day = 0
    on_days: tuple[DiversionTake, ...] = ()

    @field_validator("on_days", mode="before")
    @classmethod
    def _list(cls, value: object) -> object:
        return a_list(value, " of {day, share} mappings")


class Subsidy(Section):
    """A financing round: ``amount`` yuan paid into the pool on ``day``."""

    day: Day
    amount: PositiveYuan


class LegacySection(Section):
    """Old members' claims turned into points, released in batches they may sell.

    ``reading`` (seeds 000-002, 004: "老会员应付资产转化成消费币 ... 交割同时赠送绿色积分 ...
    当积分增长的价格*老用户持有流通积分量=老用户应付资产价值时，让老用户持有的积分能回本或者
    赚一部分退出"): ``price_growth``, the literal reading, grants the points an order of the
    claim would get (paid in consumption coins: no cash enters the pool), so they reach the
    claim's value only once the price has grown, and old members then sell out (回本退出);
    ``full_value`` grants points worth the whole claim at release."""

    claims: PositiveYuan
    members: SomeMembers
    start_day: Day = 0
    batches: Count = 10
    every_days: Count = 30
    sell_probability: Probability = 1.0
    reading: Annotated[str, one_of(*LEGACY_READINGS)] = "price_growth"


class StressSection(Section):
    """What can go wrong outside the rules: diversion, missing custody, caps, halt, subsidies."""

    diversion: DiversionSection = Field(default_factory=DiversionSection)
    custody_shortfall: Annotated[Decimal, PlainValidator(as_shortfall)] = Decimal(0)
    withdrawal_cap: Annotated[Decimal | None, PlainValidator(or_null(as_cap_yuan))] = None
    halt_day: Annotated[int | None, PlainValidator(or_null(as_day))] = None
    subsidies: tuple[Subsidy, ...] = ()
    legacy: LegacySection | None = None

    @field_validator("subsidies", mode="before")
    @classmethod
    def _list(cls, value: object) -> object:
        return a_list(value, " of {day, amount} mappings")


# --- collapse and outcomes (what a run's tables are judged by) ----------------------------

# The fixed order in which collapse conditions that fire on the same day are named: the most
# direct failure (the operator stops) first, the softest signal (a loss majority) last.
COLLAPSE_CONDITIONS: tuple[str, ...] = (
    "operator_halt",
    "unpaid_withdrawals",
    "pool_drawdown",
    "inflow_stall",
    "loss_majority",
)


class OperatorHalt(Section):
    """The platform stops (``stress.halt_day``): fires on the first halted day."""

    enabled: Flag = True


class UnpaidWithdrawals(Section):
    """Payouts booked but not paid (unpaid claims) outstanding for ``days`` days in a row, a
    withdrawal queue above ``queue_share_of_pool`` of the posted pool, or (if set) a
    withdrawal request waiting ``request_wait_days`` days."""

    enabled: Flag = True
    days: Count = 14
    queue_share_of_pool: NonNegativeFloat = 0.1
    request_wait_days: Annotated[int | None, PlainValidator(or_null(as_count))] = None


class PoolDrawdown(Section):
    """The posted pool below ``share_of_peak`` of its running peak."""

    enabled: Flag = True
    share_of_peak: Share = 0.5


class InflowStall(Section):
    """New money (orders and subsidies) below ``share_of_peak`` of its running peak for
    ``days`` days in a row, counted once there has been some inflow."""

    enabled: Flag = True
    share_of_peak: Share = 0.1
    days: Count = 30


class LossMajority(Section):
    """More than ``share`` of the members who bought are below break-even. Off by default:
    every buyer starts below break-even, so in this scheme it fires on the first day."""

    enabled: Flag = False
    share: Share = 0.5


class CollapseSection(Section):
    """When a run counts as collapsed: the first day any enabled condition fires
    (:func:`sim.analysis.collapse.detect`); ties are named in the order of
    ``COLLAPSE_CONDITIONS``."""

    operator_halt: OperatorHalt = Field(default_factory=OperatorHalt)
    unpaid_withdrawals: UnpaidWithdrawals = Field(default_factory=UnpaidWithdrawals)
    pool_drawdown: PoolDrawdown = Field(default_factory=PoolDrawdown)
    inflow_stall: InflowStall = Field(default_factory=InflowStall)
    loss_majority: LossMajority = Field(default_factory=LossMajority)


class OutcomesSection(Section):
    """How members' results are judged (:mod:`sim.analysis.outcomes`): what the goods are worth, as
    a share of the price paid (None: the ``product_cost`` line's share of ``order.split``), and
    the width of a join cohort in days."""

    goods_fair_value: Annotated[Decimal | None, PlainValidator(or_null(as_exact_share))] = None
    cohort_days: Count = 30
