"""The building blocks of scenario validation: checkers, value types and the ``Section`` base.

Shared by every section module of the wing (:mod:`sim.scenario.root`,
:mod:`sim.scenario.sections`, the distribution and sweep sections), which is why they live
apart from all of them. A checker takes one value as parsed from YAML and returns it typed,
or raises :class:`Problem` (a ``ValueError``) with a plain message;
:func:`sim.scenario.root.load_scenario` turns that into one located line. Strings and booleans
where a number belongs are refused rather than coerced, since ``"0.3"`` or ``yes`` there is
almost always a mistake.

Types follow what the model reads: rates, probabilities and multiples are ``float`` (from
the exact decimal the user wrote); money and shares of money stay exact ``Decimal``; counts
and days are ``int`` (``true`` or ``2.5`` are refused). A list becomes a tuple, so every
section stays frozen and hashable.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, PlainValidator, model_validator

from sim.core.units import FEN_PER_YUAN, to_decimal, yuan_to_fen
from sim.limits import MAX_DAYS, MAX_MEMBERS, MAX_SEED

KeyPart = str | int
T = TypeVar("T")


class Problem(ValueError):
    """A validation failure about ``key`` below the value being checked (e.g. one split line).

    ``key`` is one key or list index, or a tuple of them for a path further down (a check
    across sections names e.g. ``("referral", "paid_from")``).
    """

    def __init__(self, message: str, key: KeyPart | tuple[KeyPart, ...] | None = None) -> None:
        super().__init__(message)
        self.key = key


def show(value: object) -> str:
    """A value as the user wrote it in YAML, for messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return repr(value)


# --- checkers that build checkers ---------------------------------------------------------


def number_check(
    expected: str,
    test: Callable[[Decimal], bool],
    convert: Callable[[Decimal], T],
    *,
    whole: bool = False,
) -> Callable[[object], T]:
    """A checker for one number: ``expected`` names what ``test`` accepts, for the message.

    Strings, booleans and null are refused; ``whole`` also refuses fractions (``2.0`` is 2).
    """

    def check(value: object) -> T:
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise Problem(f"expected {expected}, got {show(value)}")
        number = to_decimal(value, "a finite number")
        if not test(number) or (whole and number != number.to_integral_value()):
            raise Problem(f"expected {expected}, got {show(number)}")
        result = convert(number)
        if isinstance(result, float) and not math.isfinite(result):
            raise Problem(f"expected {expected}, got {show(number)}, too large for this value")
        return result

    return check


def in_unit_interval(what: str, convert: Callable[[Decimal], T]) -> Callable[[object], T]:
    """The one [0, 1] check: a ``what`` (ratio, share, probability) from 0 to 1, both included."""
    return number_check(f"a {what} in [0, 1]", lambda n: 0 <= n <= 1, convert)


def or_null(check: Callable[[object], T]) -> Callable[[object], T | None]:
    """``check``, but null is allowed (it means none, or "not set")."""

    def nullable(value: object) -> T | None:
        if value is None:
            return None
        try:
            return check(value)
        except Problem as problem:
            if problem.key is not None:  # about an item inside the value: null is beside the point
                raise
            raise Problem(str(problem).replace(", got ", " (or null), got ", 1)) from None

    return nullable


def list_of(check: Callable[[object], T]) -> Callable[[object], tuple[T, ...]]:
    """A list whose every item passes ``check``; a bad item is reported at its index."""

    def items(value: object) -> tuple[T, ...]:
        result = []
        for index, item in enumerate(a_list(value)):
            try:
                result.append(check(item))
            except ValueError as problem:
                raise Problem(str(problem), key=index) from None
        return tuple(result)

    return items


def a_list(value: object, what: str = "") -> list[Any] | tuple[Any, ...]:
    if not isinstance(value, list | tuple):
        raise Problem(f"expected a list{what}, got {show(value)}")
    return value


def one_of(*choices: str) -> PlainValidator:
    def check(value: object) -> str:
        if value not in choices:
            raise Problem(f"expected one of: {', '.join(choices)}; got {show(value)}")
        return str(value)

    return PlainValidator(check)


# --- checkers -----------------------------------------------------------------------------


def as_number(value: object) -> Decimal:
    """An exact number; strings, booleans and null are refused, not coerced."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise Problem(f"expected a number, got {show(value)}")
    return to_decimal(value, "a finite number")


_ratio = in_unit_interval("ratio", Decimal)


def as_ratio(value: object) -> Decimal:
    """A share of money in [0, 1], exact; anything but a number is "expected a number"."""
    return _ratio(as_number(value))


def as_positive(value: object) -> Decimal:
    result = as_number(value)
    if result <= 0:
        raise Problem(f"expected a number > 0, got {show(result)}")
    return result


def as_positive_or_null(value: object) -> Decimal | None:
    if value is None:
        return None
    result = as_number(value)
    if result <= 0:
        raise Problem(f"expected a number > 0 (or null for none), got {show(result)}")
    return result


def as_yuan(value: object) -> Decimal:
    """An amount in yuan: >= 0 and whole fen."""
    result = as_number(value)
    yuan_to_fen(result)
    return result


def as_flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise Problem(f"expected true or false, got {show(value)}")
    return value


def as_text(value: object) -> str:
    if not isinstance(value, str):
        raise Problem(f"expected text, got {show(value)}")
    return value


def _whole_fen(number: Decimal) -> bool:
    fen = number * FEN_PER_YUAN
    return fen == fen.to_integral_value()


as_day = number_check("a whole number >= 0", lambda n: n >= 0, int, whole=True)
as_count = number_check("a whole number >= 1", lambda n: n >= 1, int, whole=True)
as_probability = in_unit_interval("probability", float)
as_share = in_unit_interval("share", float)
as_exact_share = in_unit_interval("share", Decimal)
as_positive_float = number_check("a number > 0", lambda n: n > 0, float)
as_non_negative_float = number_check("a number >= 0", lambda n: n >= 0, float)
as_any_float = number_check("a number", lambda n: True, float)
as_growth = number_check("a daily growth rate > -1", lambda n: n > -1, float)
as_amount_yuan = number_check(
    "an amount in yuan > 0 with at most 2 decimals",
    lambda n: n > 0 and _whole_fen(n),
    Decimal,
)
as_shortfall = number_check("a share in [0, 1)", lambda n: 0 <= n < 1, Decimal)
as_cap_yuan = number_check(
    "an amount in yuan >= 0 with at most 2 decimals",
    lambda n: n >= 0 and _whole_fen(n),
    Decimal,
)

# --- value types --------------------------------------------------------------------------

Ratio = Annotated[Decimal, PlainValidator(as_ratio)]
Positive = Annotated[Decimal, PlainValidator(as_positive)]
Yuan = Annotated[Decimal, PlainValidator(as_yuan)]
Text = Annotated[str, PlainValidator(as_text)]
Flag = Annotated[bool, PlainValidator(as_flag)]
Day = Annotated[int, PlainValidator(as_day)]
Count = Annotated[int, PlainValidator(as_count)]


def whole_between(low: int, high: int, shown: str, unit: str = "") -> Callable[[object], int]:
    """A whole number in [low, high]: a count with a limit a user can see (sim.limits),
    beyond which a run would never end; ``shown`` is ``high`` as the message writes it."""
    expected = f"a whole number from {low} to {shown}{unit}"
    return number_check(expected, lambda n: low <= n <= high, int, whole=True)


as_horizon = whole_between(1, MAX_DAYS, f"{MAX_DAYS:,}", " (days)")
as_seed = whole_between(0, MAX_SEED, str(MAX_SEED))
as_members = whole_between(0, MAX_MEMBERS, f"{MAX_MEMBERS:,}")
as_some_members = whole_between(1, MAX_MEMBERS, f"{MAX_MEMBERS:,}")
as_member_rate = number_check(
    f"a number from 0 to {MAX_MEMBERS:,} (members a day)",
    lambda n: 0 <= n <= MAX_MEMBERS,
    float,
)
Horizon = Annotated[int, PlainValidator(as_horizon)]
Seed = Annotated[int, PlainValidator(as_seed)]
Members = Annotated[int, PlainValidator(as_members)]
SomeMembers = Annotated[int, PlainValidator(as_some_members)]
MemberRate = Annotated[float, PlainValidator(as_member_rate)]
Probability = Annotated[float, PlainValidator(as_probability)]
Share = Annotated[float, PlainValidator(as_share)]
PositiveFloat = Annotated[float, PlainValidator(as_positive_float)]
NonNegativeFloat = Annotated[float, PlainValidator(as_non_negative_float)]
PositiveYuan = Annotated[Decimal, PlainValidator(as_amount_yuan)]
Days = Annotated[tuple[int, ...], PlainValidator(list_of(as_day))]


# --- the base of every section ------------------------------------------------------------


class Section(BaseModel):
    """Base of every scenario model: immutable, and unknown keys are errors, not ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _empty_subsections(cls, data: Any) -> Any:
        """A sub-section left empty (``consumer:`` with every line commented) means defaults."""
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if not (v is None and cls._optional_section(k))}
        return data

    @classmethod
    def _optional_section(cls, key: str) -> bool:
        field = cls.model_fields.get(key)
        annotation = None if field is None else field.annotation
        return (
            field is not None
            and not field.is_required()
            and isinstance(annotation, type)
            and issubclass(annotation, Section)
        )


def model_in(annotation: Any) -> type[BaseModel] | None:
    """The section model a field holds: itself, optional (``X | None``) or in a tuple."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):  # unions, tuple[X, ...], Annotated[X, ...]
        found = model_in(arg)
        if found is not None:
            return found
    return None
