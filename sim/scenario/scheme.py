"""The ``scheme`` section: which scheme a scenario runs (issue 18).

``consumption_appreciation`` (the default) is the 消费增值 points scheme every other section
describes. ``classic_ponzi`` is Artzrouni's (2009) fund (:mod:`sim.core.ponzi`, member by
member in :mod:`sim.core.ponzi_members`): an initial deposit, a promised rate, the rate the
fund really earns and the rate members withdraw of their promised capital, with deposits
either given as a flow ``s(t) = s₀·e^{r_i·t}`` (``deposits``) or made by the scenario's
``inflow``, each new member depositing ``order.amount``. Rates are a year, continuous, as
the paper writes them. ``daily_release`` is the 消费全返 family (云联惠, 万家购物, 人人公益;
:mod:`sim.core.release`): a fee share of each purchase into the fund, points booked at a
multiple of the spend and released a rate a day, from a preset or given key by key.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import PlainValidator, model_validator

from sim.errors import InputError
from sim.scenario.checks import (
    Problem,
    Section,
    Yuan,
    as_number,
    as_ratio,
    number_check,
    one_of,
    show,
)

SCHEME_KINDS = ("consumption_appreciation", "classic_ponzi", "daily_release")
MAX_RATE = Decimal(100)  # a year
MAX_GROWTH = 200  # rate x years: money grown e^200-fold (7e86) is past any meaning
PONZI_KEYS = ("initial_deposit", "promised_rate", "nominal_rate", "withdrawal_rate", "deposits")
RELEASE_KEYS = (
    "preset",
    "fee_share",
    "buyer_multiple",
    "merchant_multiple",
    "promoter_multiple",
    "release_rate",
    "release",
    "membership_fee",
    "agent_share",
    "promoter_levels",
)
MAX_PROMOTER_LEVELS = 10
# what each comparison scheme needs: keys given (or a preset's), and a key that may not be 0
REQUIRED = {
    "classic_ponzi": (
        ("promised_rate", "withdrawal_rate"),
        "a rate a year, continuous",
        "withdrawal_rate",
        "expected a withdrawal rate > 0 (with none nobody is ever paid)",
    ),
    "daily_release": (
        ("fee_share", "buyer_multiple", "release_rate"),
        "or a preset",
        "buyer_multiple",
        "expected a release multiple > 0 (with 0 nothing is ever returned)",
    ),
}
# the release platforms' terms as press and court reports give them (SPEC §7; the README
# names each source); a value the sources leave open is the documented option noted
RELEASE_PRESETS = {
    "yunlianhui": {  # 云联惠: merchants paid 16%; white points 100% to the buyer, 16% to the
        # merchant, about 44% to promoters; about 0.05% released a day
        "fee_share": Decimal("0.16"),
        "buyer_multiple": Decimal("1"),
        "merchant_multiple": Decimal("0.16"),
        "promoter_multiple": Decimal("0.44"),
        "release_rate": Decimal("0.0005"),
    },
    "wanjia": {  # 万家购物: 16% fee, about 0.2% a day, the full spend back on day 500
        "fee_share": Decimal("0.16"),
        "buyer_multiple": Decimal("1"),
        "release_rate": Decimal("0.002"),
    },
    "renrengongyi": {  # 人人公益: 24% (or 12%, 6%) of a purchase into the pool, returned in
        # instalments; the rate is not reported: 0.1% a day is an assumption
        "fee_share": Decimal("0.24"),
        "buyer_multiple": Decimal("1"),
        "release_rate": Decimal("0.001"),
    },
}


def as_rate(value: object) -> Decimal:
    """A continuous rate a year, from 0 to :data:`MAX_RATE`."""
    rate = as_number(value)
    if not 0 <= rate <= MAX_RATE:
        raise Problem(f"expected a rate a year from 0 to {MAX_RATE}, got {show(rate)}")
    return rate


def as_growth_rate(value: object) -> Decimal:
    """A continuous growth rate a year, from -MAX_RATE to MAX_RATE (deposits may shrink)."""
    rate = as_number(value)
    if not -MAX_RATE <= rate <= MAX_RATE:
        raise Problem(f"expected a rate a year from -{MAX_RATE} to {MAX_RATE}, got {show(rate)}")
    return rate


def as_multiple(value: object) -> Decimal:
    """Points booked per yuan spent: from 0 to 100."""
    multiple = as_number(value)
    if not 0 <= multiple <= 100:
        raise Problem(f"expected a multiple from 0 to 100, got {show(multiple)}")
    return multiple


def as_daily_rate(value: object) -> Decimal:
    """A share of the points released a day: above 0, at most 1."""
    rate = as_number(value)
    if not 0 < rate <= 1:
        raise Problem(f"expected a share a day above 0 and at most 1, got {show(rate)}")
    return rate


as_promoter_levels = number_check(
    f"a whole number of levels from 1 to {MAX_PROMOTER_LEVELS}",
    lambda n: 1 <= n <= MAX_PROMOTER_LEVELS,
    int,
    whole=True,
)


def _or_null(check):
    return PlainValidator(lambda v: None if v is None else check(v))


Rate = Annotated[Decimal | None, _or_null(as_rate)]
Multiple = Annotated[Decimal | None, _or_null(as_multiple)]
Share = Annotated[Decimal | None, _or_null(as_ratio)]


class DepositsSection(Section):
    """``s(t) = per_year·e^{growth·t}`` yuan a year (the paper's s₀ and r_i)."""

    per_year: Yuan
    growth: Annotated[Decimal, PlainValidator(as_growth_rate)] = Decimal(0)


class SchemeSection(Section):
    """Which scheme runs, and a comparison scheme's terms."""

    kind: Annotated[str, one_of(*SCHEME_KINDS)] = "consumption_appreciation"
    initial_deposit: Yuan | None = None  # K
    promised_rate: Rate = None  # r_p
    nominal_rate: Rate = None  # r_n
    withdrawal_rate: Rate = None  # r_w
    deposits: DepositsSection | None = None  # omitted: the scenario's inflow
    # daily_release (消费全返): a preset's terms, or each given
    preset: Annotated[str | None, _or_null(one_of(*RELEASE_PRESETS).func)] = None
    fee_share: Share = None  # of each purchase, into the fund
    buyer_multiple: Multiple = None  # points (yuan) booked per yuan spent
    merchant_multiple: Multiple = None
    promoter_multiple: Multiple = None
    release_rate: Annotated[Decimal | None, _or_null(as_daily_rate)] = None  # a day
    release: Annotated[str | None, _or_null(one_of("linear", "geometric").func)] = None
    membership_fee: Yuan | None = None  # yuan a new member pays into the fund
    agent_share: Share = None  # of each day's sales, from the fund to regional agents
    # with a network: the promoter points of a purchase, split equally over the first
    # promoter_levels sponsors up the buyer's line (default 1: their recruiter)
    promoter_levels: Annotated[int | None, _or_null(as_promoter_levels)] = None

    @model_validator(mode="before")
    @classmethod
    def _preset(cls, data: object) -> object:
        """A release preset's terms under the keys the scenario gives itself."""
        if isinstance(data, dict) and data.get("preset") in RELEASE_PRESETS:
            return {**RELEASE_PRESETS[data["preset"]], **data}
        return data

    @model_validator(mode="after")
    def _keys_of_the_kind(self) -> SchemeSection:
        for kind, keys in (("classic_ponzi", PONZI_KEYS), ("daily_release", RELEASE_KEYS)):
            given = [key for key in keys if getattr(self, key) is not None]
            if self.kind != kind and given:
                raise Problem(
                    f"{given[0]} is a key of the {kind} scheme, not of {self.kind}",
                    key=given[0],
                )
        required = REQUIRED.get(self.kind)
        if required is None:
            return self
        keys, meaning, nonzero, why = required
        for key in keys:
            if getattr(self, key) is None:
                raise Problem(f"{self.kind} needs {key} ({meaning})")
        if getattr(self, nonzero) == 0:
            raise Problem(why, key=nonzero)
        return self

    @property
    def ponzi(self) -> bool:
        return self.kind == "classic_ponzi"

    @property
    def comparison(self) -> bool:
        """A scheme other than 消费增值: a ``classic_ponzi`` or a ``daily_release``."""
        return self.kind != "consumption_appreciation"


def points_scheme_only(scenario, file, what: str) -> None:
    """Refuse a scheme ``what`` (a command) does not run yet, in one line."""
    if scenario.scheme.comparison:
        raise InputError(
            f"{what} runs the consumption_appreciation scheme only, so far; a "
            f"{scenario.scheme.kind} scenario runs with python -m sim run",
            file=file,
            key="scheme.kind",
        )


def growth_problem(scheme, days: int) -> tuple[str, str] | None:
    """A classic Ponzi whose money would grow past e^MAX_GROWTH over ``days`` (its numbers
    would outgrow any float a file can hold): the key and what to change; None if not."""
    if not scheme.ponzi:
        return None
    years = Decimal(days) / 365
    rates = {
        "promised_rate": scheme.promised_rate or 0,
        "nominal_rate": scheme.nominal_rate or 0,
        "deposits": max(scheme.deposits.growth, 0) if scheme.deposits else 0,  # shrinking: fine
    }
    for key, rate in rates.items():
        if rate * years > MAX_GROWTH:
            return key, (
                f"a rate of {show(rate)} a year over {days:,} days grows money "
                f"e^{float(rate * years):,.0f}-fold; keep rate x years at most {MAX_GROWTH}"
            )
    return None
