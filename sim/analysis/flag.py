"""One red flag as measured (:mod:`sim.analysis.redflags`), and how its explanation says
money and shares: ``1,234.56 yuan`` in English, 元/万元/亿元 in Chinese (:mod:`sim.i18n`)."""

from __future__ import annotations

from dataclasses import dataclass

from sim.analysis.redflags_org import DEFAULT_READING
from sim.core.units import fen_to_yuan
from sim.i18n import gettext, money


@dataclass(frozen=True)
class Flag:
    """One legal test: what was measured, against which threshold, and whether it is reached.
    ``values`` are ``(name, value)`` pairs; money is in yuan (names ending ``_yuan``)."""

    key: str
    law: str
    raised: bool
    values: tuple[tuple[str, float | int | str], ...]
    threshold: str
    explanation: str
    reading: str = DEFAULT_READING  # who is taken as the organiser (redflags_org)

    @property
    def measured(self) -> dict[str, float | int | str]:
        return dict(self.values)


def yuan_text(amount_fen: int, lang: str = "en") -> str:
    """An amount in fen as the explanation says it: ``1,234.56 yuan``, or in 元/万元/亿元."""
    if lang == "en":
        return f"{fen_to_yuan(amount_fen):,.2f} yuan"
    return money(fen_to_yuan(amount_fen), lang)


def statute_text(law: str, lang: str = "en") -> str:
    """A flag's ``law`` as a reader of ``lang`` reads it: whole in English; in another
    language the statute in its own words (the text before `` / ``)."""
    return law if lang == "en" else law.split(" / ")[0]


def flag_and_reading(key: str, reading: str, lang: str = "en") -> str:
    """A flag under its reading, as a summary names it: ``pyramid_levels (platform)``, in
    Chinese by the statute's and the reading's names."""
    _ = gettext(lang)
    return _("{flag} ({reading})").format(flag=_(key), reading=_(reading))


def share_text(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "0.0%"
