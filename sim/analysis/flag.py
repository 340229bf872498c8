"""One red flag as measured (:mod:`sim.analysis.redflags`), and how its explanation says
money and shares: ``1,234.56 yuan`` in English, 元/万元/亿元 in Chinese (:mod:`sim.i18n`)."""

from __future__ import annotations

from dataclasses import dataclass

from sim.analysis.redflags_org import DEFAULT_READING
from sim.core.units import fen_to_yuan
from sim.i18n import money


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


def share_text(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "0.0%"
