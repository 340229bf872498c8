"""The ``scheme`` section: which scheme a scenario runs (issue 18).

``consumption_appreciation`` (the default) is the 消费增值 points scheme every other section
describes. ``classic_ponzi`` is Artzrouni's (2009) fund (:mod:`sim.core.ponzi`, member by
member in :mod:`sim.core.ponzi_members`): an initial deposit, a promised rate, the rate the
fund really earns and the rate members withdraw of their promised capital, with deposits
either given as a flow ``s(t) = s₀·e^{r_i·t}`` (``deposits``) or made by the scenario's
``inflow``, each new member depositing ``order.amount``. Rates are a year, continuous, as
the paper writes them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import PlainValidator, model_validator

from sim.errors import InputError
from sim.scenario.checks import Problem, Section, Yuan, as_number, one_of, show

SCHEME_KINDS = ("consumption_appreciation", "classic_ponzi")
MAX_RATE = Decimal(100)  # a year: e^100 is far past any horizon a run can have
PONZI_KEYS = ("initial_deposit", "promised_rate", "nominal_rate", "withdrawal_rate", "deposits")


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


Rate = Annotated[Decimal | None, PlainValidator(lambda v: None if v is None else as_rate(v))]


class DepositsSection(Section):
    """``s(t) = per_year·e^{growth·t}`` yuan a year (the paper's s₀ and r_i)."""

    per_year: Yuan
    growth: Annotated[Decimal, PlainValidator(as_growth_rate)] = Decimal(0)


class SchemeSection(Section):
    """Which scheme runs, and a classic Ponzi's terms."""

    kind: Annotated[str, one_of(*SCHEME_KINDS)] = "consumption_appreciation"
    initial_deposit: Yuan | None = None  # K
    promised_rate: Rate = None  # r_p
    nominal_rate: Rate = None  # r_n
    withdrawal_rate: Rate = None  # r_w
    deposits: DepositsSection | None = None  # omitted: the scenario's inflow

    @model_validator(mode="after")
    def _keys_of_the_kind(self) -> SchemeSection:
        given = [key for key in PONZI_KEYS if getattr(self, key) is not None]
        if self.kind != "classic_ponzi":
            if given:
                raise Problem(
                    f"{given[0]} is a key of the classic_ponzi scheme, not of {self.kind}",
                    key=given[0],
                )
            return self
        for key in ("promised_rate", "withdrawal_rate"):
            if getattr(self, key) is None:
                raise Problem(f"classic_ponzi needs {key} (a rate a year, continuous)")
        if self.withdrawal_rate == 0:
            raise Problem(
                "expected a withdrawal rate > 0 (with none nobody is ever paid)",
                key="withdrawal_rate",
            )
        return self

    @property
    def ponzi(self) -> bool:
        return self.kind == "classic_ponzi"


def points_scheme_only(scenario, file, what: str) -> None:
    """Refuse a scheme ``what`` (a command) does not run yet, in one line."""
    if scenario.scheme.kind != "consumption_appreciation":
        raise InputError(
            f"{what} runs the consumption_appreciation scheme only, so far; a "
            f"{scenario.scheme.kind} scenario runs with python -m sim run",
            file=file,
            key="scheme.kind",
        )
