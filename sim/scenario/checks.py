"""The building blocks of scenario validation: checkers, value types and the ``Section`` base.

Shared by :mod:`sim.scenario.root` (the rules' sections and the whole ``Scenario``) and
:mod:`sim.scenario.sections` (the agent model's sections), which is why they live apart from
both. A checker takes one value as parsed from YAML and returns it typed, or raises
:class:`Problem` (a ``ValueError``) with a plain message; :func:`sim.scenario.root.load_scenario`
turns that into one located line. Strings and booleans where a number belongs are refused
rather than coerced, since ``"0.3"`` or ``yes`` there is almost always a mistake.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainValidator, model_validator

from sim.core.units import to_decimal, yuan_to_fen

KeyPart = str | int


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


def as_number(value: object) -> Decimal:
    """An exact number; strings, booleans and null are refused, not coerced."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise Problem(f"expected a number, got {show(value)}")
    return to_decimal(value, "a finite number")


def as_ratio(value: object) -> Decimal:
    result = as_number(value)
    if not 0 <= result <= 1:
        raise Problem(f"expected a ratio in [0, 1], got {show(result)}")
    return result


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


def one_of(*choices: str) -> PlainValidator:
    def check(value: object) -> str:
        if value not in choices:
            raise Problem(f"expected one of: {', '.join(choices)}; got {show(value)}")
        return str(value)

    return PlainValidator(check)


def as_text(value: object) -> str:
    if not isinstance(value, str):
        raise Problem(f"expected text, got {show(value)}")
    return value


Ratio = Annotated[Decimal, PlainValidator(as_ratio)]
Positive = Annotated[Decimal, PlainValidator(as_positive)]
Yuan = Annotated[Decimal, PlainValidator(as_yuan)]
Text = Annotated[str, PlainValidator(as_text)]


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
