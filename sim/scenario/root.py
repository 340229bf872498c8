"""Scenario files -> frozen, validated values, checked once at the edge of the program.

A scenario is what an analyst writes to describe one variant of the scheme (the seeds' order
splits, exit multiples and levers). It is read with :func:`sim.scenario.reader.load_yaml` and
checked here by small pydantic models, one per YAML section, so later sections are new fields
holding new sub-models, not a rewrite: the agent model's sections (``run``, ``inflow``,
``population``, ``referral``, ``stress``) live in :mod:`sim.scenario.sections`, the bonus rules
(``distribution``) in :mod:`sim.scenario.distribution`, the ``sweep`` in
:mod:`sim.scenario.sweep`, the checkers and the ``Section`` base they all use in
:mod:`sim.scenario.checks`. :class:`Scenario` checks the rules that span sections (a
distribution rule is paid from a line of the split, within its share; every swept path exists
in the scenario). This module holds those sections; none of them imports it.

Numbers keep the exact decimal the user wrote (``Decimal``); :meth:`Scenario.mechanics`
turns them into the exact units the book uses (fen, point units, fractions). Strings and
booleans where a number belongs are refused rather than coerced, since ``"0.3"`` or ``yes``
there is almost always a mistake.

Every failure becomes one :class:`~sim.errors.InputError` naming the file, the line of the
offending key, the dotted key path and what was expected; pydantic's own text never reaches
the user.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    Field,
    PlainValidator,
    SerializerFunctionWrapHandler,
    ValidationError,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_serializer,
    model_validator,
)

from sim.core.mechanics import (
    EXIT_AGAINST,
    EXIT_POINTS,
    MEMBER_CASH,
    POOL,
    ExitAgainst,
    ExitPoints,
    Mechanics,
)
from sim.core.units import points_to_units, yuan_to_fen
from sim.errors import InputError, did_you_mean
from sim.scenario.checks import (
    Positive,
    Problem,
    Ratio,
    Section,
    Text,
    Yuan,
    as_flag,
    as_number,
    as_positive_or_null,
    as_ratio,
    as_text,
    model_in,
    one_of,
    show,
)
from sim.scenario.distribution import DistributionSection
from sim.scenario.paid_from import check_distribution, check_not_given
from sim.scenario.reader import Lines, load_yaml
from sim.scenario.scheme import SchemeSection, growth_problem
from sim.scenario.sections import (
    CollapseSection,
    InflowSection,
    NetworkSection,
    OutcomesSection,
    PopulationSection,
    ReferralSection,
    RunSection,
    StressSection,
)
from sim.scenario.sweep import SweepSection, check_targets


def as_points_or_null(value: object) -> Decimal | None:
    if value is None:
        return None
    result = as_number(value)
    if result < 0:
        raise Problem(f"expected a number of points >= 0 (or null for none), got {show(result)}")
    return result


def as_decimals(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 12:
        raise Problem(f"expected a whole number from 0 to 12, got {show(value)}")
    return value


MAX_NAME = 64  # characters; a name is one path component, far below any file-name limit
_SAFE_NAME = re.compile(r"[^\W_][\w.-]*")  # letters (any script), digits, _ . - inside


def as_name(value: object) -> str:
    """A scenario's name: it becomes a folder name (``out/NAME``, ``scenario=NAME``), so it
    is restricted to letters of any script, digits and ``_ . -``, starting with a letter or
    digit: no separator, no ``..``, no control character can take an output elsewhere."""
    text = as_text(value)
    if not text.strip():
        raise Problem("expected a non-empty name")
    if len(text) > MAX_NAME or not _SAFE_NAME.fullmatch(text):
        raise Problem(
            f"expected a name of at most {MAX_NAME} letters, digits, '_', '.' or '-' "
            f"starting with a letter or digit (it names output folders), got {show(text)}"
        )
    return text


_LINE_NAME = re.compile(r"\w+")


class OrderSection(Section):
    """One purchase: its amount and how the price is split into named lines (SPEC §1)."""

    amount: Yuan = Decimal(1000)
    split: tuple[tuple[str, Decimal], ...]  # YAML order; a tuple keeps the model hashable

    @field_validator("split", mode="before")
    @classmethod
    def _split(cls, value: object) -> tuple[tuple[str, Decimal], ...]:
        if not isinstance(value, dict):
            raise Problem(f"expected a mapping of line names to shares, got {show(value)}")
        lines = []
        for line, share in value.items():
            if not isinstance(line, str) or not _LINE_NAME.fullmatch(line):
                raise Problem("line names are letters, digits and _", key=str(line))
            if line == MEMBER_CASH:
                raise Problem(f"'{line}' is a reserved account name, not a split line", key=line)
            try:
                lines.append((line, as_ratio(share)))
            except ValueError as problem:
                raise Problem(str(problem), key=line) from None
        if POOL not in value:
            raise Problem(f"split needs a '{POOL}' line (the share paid into the profit pool)")
        total = sum((share for _, share in lines), Decimal(0))
        if total != 1:
            raise Problem(f"split shares must sum to 1, they sum to {show(total)}")
        return tuple(lines)

    # lines a seed names without saying how they are paid: line -> the seed's words; the
    # money stays with the platform and reports label it "kept, rules not given"
    rules_not_given: tuple[tuple[str, str], ...] = ()

    @field_validator("rules_not_given", mode="before")
    @classmethod
    def _not_given(cls, value: object) -> tuple[tuple[str, str], ...]:
        if value is None:
            return ()
        if not isinstance(value, dict):
            raise Problem(
                f"expected a mapping of split lines to the seed's words naming them, got "
                f"{show(value)}"
            )
        out = []
        for line, words in value.items():
            try:
                out.append((str(line), as_text(words)))
            except ValueError as problem:
                raise Problem(str(problem), key=str(line)) from None
            if not out[-1][1].strip():
                raise Problem("expected the seed's words naming this line, got ''", key=line)
        return tuple(out)

    @model_validator(mode="after")
    def _not_given_are_lines(self) -> OrderSection:
        lines = dict(self.split)
        for line, _ in self.rules_not_given:
            if line == POOL:
                raise Problem(
                    "the pool's rules are the scheme itself, not a line without rules",
                    key=("rules_not_given", line),
                )
            if line not in lines:
                others = [name for name in lines if name != POOL]
                raise Problem(
                    f"'{line}' is not a line of order.split" + did_you_mean(line, others),
                    key=("rules_not_given", line),
                )
        return self

    @field_serializer("split")
    def _dump_split(self, split: tuple[tuple[str, Decimal], ...]) -> dict[str, Decimal]:
        return dict(split)

    @field_serializer("rules_not_given")
    def _dump_not_given(self, lines: tuple[tuple[str, str], ...]) -> dict[str, str]:
        return dict(lines)


class PointsSection(Section):
    """Minting, selling and the forced exit (SPEC §2-4), and the seeds' levers (§3)."""

    start_price: Positive = Decimal("1.0")
    mint_ratio: Ratio = Decimal("0.70")
    sell_payout: Ratio = Decimal("0.80")
    exit_multiple: Annotated[Decimal | None, PlainValidator(as_positive_or_null)] = None
    exit_points: Annotated[ExitPoints, one_of(*EXIT_POINTS)] = "obtained"
    exit_against: Annotated[ExitAgainst, one_of(*EXIT_AGAINST)] = "spend"
    exit_counts_cash: Annotated[bool, PlainValidator(as_flag)] = False
    decimals: Annotated[int, PlainValidator(as_decimals)] = 6
    max_points_per_order: Annotated[Decimal | None, PlainValidator(as_points_or_null)] = None
    min_spend_to_sell: Yuan = Decimal(0)

    @model_validator(mode="after")
    def _cap_fits_decimals(self) -> PointsSection:
        if self.max_points_per_order is not None:
            try:
                points_to_units(self.max_points_per_order, 10**self.decimals)
            except ValueError as problem:
                raise Problem(str(problem), key="max_points_per_order") from None
        return self


class Scenario(Section):
    """One variant of the scheme; ``mechanics()`` is what the book runs."""

    name: Annotated[str, PlainValidator(as_name)]
    description: Text = ""
    scheme: SchemeSection = Field(default_factory=SchemeSection)  # which scheme runs
    order: OrderSection
    points: PointsSection = Field(default_factory=PointsSection)
    # the agent model's sections (sim.scenario.sections)
    run: RunSection = Field(default_factory=RunSection)
    inflow: InflowSection = Field(default_factory=InflowSection)
    population: PopulationSection = Field(default_factory=PopulationSection)
    referral: ReferralSection = Field(default_factory=ReferralSection)
    network: NetworkSection = Field(default_factory=NetworkSection)
    distribution: DistributionSection | None = None  # the bonus rules (sim.distribution)
    stress: StressSection = Field(default_factory=StressSection)
    # how a run is judged (sim.analysis.collapse, sim.analysis.outcomes)
    collapse: CollapseSection = Field(default_factory=CollapseSection)
    outcomes: OutcomesSection = Field(default_factory=OutcomesSection)
    sweep: SweepSection | None = None  # a design over the keys above; checked after them, last

    @model_validator(mode="before")
    @classmethod
    def _empty_sections(cls, data: Any) -> Any:
        """An optional section left empty (``points:`` with every line commented) means defaults."""
        if isinstance(data, dict):
            optional = [key for key, field in cls.model_fields.items() if not field.is_required()]
            data = {k: v for k, v in data.items() if not (k in optional and v is None)}
        return data

    @field_validator("sweep", mode="after")
    @classmethod
    def _sweep_targets(
        cls, sweep: SweepSection | None, info: ValidationInfo
    ) -> SweepSection | None:
        """The sweep's rules that need the sections above it: every path exists in this
        scenario and fits its spec (:func:`sim.scenario.sweep.check_targets`)."""
        if sweep is not None:
            check_targets(sweep, _dumped(info.data), cls)
        return sweep

    @model_validator(mode="after")
    def _across_sections(self) -> Scenario:
        """Rules that tie one section to another."""
        if self.inflow.kind == "referral" and dict(self.population.mix)["referrer"] == 0:
            raise Problem(
                "referral-driven inflow needs referrers: population.mix.referrer is 0",
                key=("inflow", "kind"),
            )
        referral = self.referral
        if referral.direct or referral.indirect:
            lines = dict(self.order.split)
            where = ("referral", "paid_from")
            if referral.paid_from == POOL:
                raise Problem(
                    "referral rewards cannot be paid from the pool; name another line of "
                    "order.split",
                    key=where,
                )
            if referral.paid_from not in lines:
                others = [line for line in lines if line != POOL]
                message = f"'{referral.paid_from}' is not a line of order.split"
                if not others:
                    message += f"; it has no line but '{POOL}' to pay referral rewards from"
                else:
                    message += did_you_mean(referral.paid_from, others)
                raise Problem(message, key=where)
            total, share = referral.direct + referral.indirect, lines[referral.paid_from]
            if total > share:
                raise Problem(
                    f"referral shares sum to {show(total)}, more than the "
                    f"'{referral.paid_from}' line's share {show(share)} of each order",
                    key=("referral",),
                )
        if self.distribution is not None:
            check_distribution(self)
        check_not_given(self)
        if self.scheme.comparison:
            _comparison_sections(self)
        return self

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """The scenario as data; the default scheme is left out, so that the scenarios
        (and the summaries that carry them) written before there was a choice read the same."""
        data = handler(self)
        if self.scheme == SchemeSection():
            data.pop("scheme", None)
        return data

    @classmethod
    def from_dict(
        cls, data: object, *, source: str | Path | None = None, lines: Lines | None = None
    ) -> Scenario:
        """Validate parsed YAML (or a hand-built dict); ``source``/``lines`` locate errors."""
        try:
            scenario = cls.model_validate(data)
        except ValidationError as error:
            raise _input_error(error, source, lines or {}) from None
        try:
            scenario.mechanics()
        except ValueError as error:  # a rule Mechanics checks that the models missed
            raise InputError(str(error), file=source, line=(lines or {}).get(())) from None
        return scenario

    def mechanics(self) -> Mechanics:
        """The exact parameters for the book: fen, point units and fractions.

        Built once per scenario however often a run asks (validation, the model, the
        analyses): a cached function of the two sections it reads, so a copy with other
        sections shares it and a copy with other ``order`` or ``points`` gets its own."""
        return _mechanics(self.order, self.points)


def _comparison_sections(scenario: Scenario) -> None:
    """A comparison scheme runs on the run, inflow and order amount of a scenario: a
    section it would silently ignore is an error."""
    ignored = {
        "distribution": scenario.distribution is not None,
        "referral": bool(scenario.referral.direct or scenario.referral.indirect),
        "stress": scenario.stress != StressSection(),
        "sweep": scenario.sweep is not None,
    }
    found = growth_problem(scenario.scheme, scenario.run.days)
    if found is not None:
        raise Problem(found[1], key=("scheme", found[0]))
    for section, set_ in ignored.items():
        if set_:
            raise Problem(
                f"the {scenario.scheme.kind} scheme takes no {section} section (it applies "
                "to consumption_appreciation)",
                key=(section,),
            )


def _dumped(sections: dict[str, Any]) -> dict[str, Any]:
    return {k: v.model_dump() if isinstance(v, BaseModel) else v for k, v in sections.items()}


@functools.lru_cache(maxsize=256)
def _mechanics(order: OrderSection, points: PointsSection) -> Mechanics:
    """The book's exact parameters of one order section and one points section."""
    cap = points.max_points_per_order
    return Mechanics(
        split=tuple((line, Fraction(share)) for line, share in order.split),
        order_amount=yuan_to_fen(order.amount),
        start_price=Fraction(points.start_price),
        mint_ratio=Fraction(points.mint_ratio),
        sell_payout=Fraction(points.sell_payout),
        exit_multiple=None if points.exit_multiple is None else Fraction(points.exit_multiple),
        exit_points=points.exit_points,
        exit_against=points.exit_against,
        exit_counts_cash=points.exit_counts_cash,
        decimals=points.decimals,
        max_points_per_order=None if cap is None else points_to_units(cap, 10**points.decimals),
        min_spend_to_sell=yuan_to_fen(points.min_spend_to_sell),
    )


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; any problem is one located :class:`InputError`."""
    data, lines = load_yaml(path)
    return Scenario.from_dict(data, source=path, lines=lines)


def _input_error(error: ValidationError, source: str | Path | None, lines: Lines) -> InputError:
    """The first of pydantic's errors as one located line; a misspelt key is reported first."""
    errors = sorted(error.errors(), key=lambda e: e["type"] != "extra_forbidden")
    first = errors[0]
    loc = tuple(first["loc"])
    cause = first.get("ctx", {}).get("error")
    if first["type"] == "missing":
        message, loc = f"missing required key '{loc[-1]}'", loc[:-1]
    elif first["type"] == "extra_forbidden":
        message = f"unknown key '{loc[-1]}'" + did_you_mean(str(loc[-1]), _keys_at(loc[:-1]))
    elif isinstance(cause, ValueError):
        message = str(cause)
        key = getattr(cause, "key", None)
        if key is not None:
            loc = (*loc, *key) if isinstance(key, tuple) else (*loc, key)
    elif first["type"] in ("model_type", "model_attributes_type", "dict_type"):
        message = f"expected a mapping of keys, got {show(first['input'])}"
    else:
        message = first["msg"]
    if len(errors) > 1:
        more = len(errors) - 1
        message += f" (and {more} more problem{'s' if more > 1 else ''})"
    line = next((lines[loc[:n]] for n in range(len(loc), -1, -1) if loc[:n] in lines), None)
    key = ".".join(str(part) for part in loc) or None
    return InputError(message, file=source, line=line, key=key)


def _keys_at(loc: tuple[Any, ...]) -> list[str]:
    """The valid keys of the section at ``loc``, for "did you mean" suggestions."""
    model: type[BaseModel] = Scenario
    for part in loc:
        if isinstance(part, int):  # an item of a list of sections: same model
            continue
        field = model.model_fields.get(str(part))
        found = None if field is None else model_in(field.annotation)
        if found is None:
            return []
        model = found
    return list(model.model_fields)
