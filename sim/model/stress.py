"""The stress levers of a scenario's ``stress`` section, as a day-by-day schedule.

Each lever is something the seeds' "the price only rises" argument silently assumes away
(SPEC §5): the operator taking from the pool, a custody shortfall, withdrawal limits, a halt,
financing rounds paid into the pool, and legacy debts released as points. This module only
says *what happens on which day*, in exact fen and fractions; the book moves the money.
"""

from __future__ import annotations

from fractions import Fraction

from sim.core.units import yuan_to_fen


class StressSchedule:
    def __init__(self, spec) -> None:
        self.spec = spec
        diversion = spec.diversion
        self.daily_share = Fraction(diversion.daily_share)
        self.diversion_start = diversion.start_day
        self.one_off: dict[int, list[Fraction]] = {}
        for take in diversion.on_days:
            self.one_off.setdefault(take.day, []).append(Fraction(take.share))
        self.subsidies: dict[int, int] = {}
        for round_ in spec.subsidies:
            self.subsidies[round_.day] = self.subsidies.get(round_.day, 0) + yuan_to_fen(
                round_.amount
            )
        self.custody_shortfall = Fraction(spec.custody_shortfall)
        cap = spec.withdrawal_cap
        self.withdrawal_cap = None if cap is None else yuan_to_fen(cap)
        self.halt_day = spec.halt_day
        self.legacy = spec.legacy
        self._legacy_batches = self._legacy_schedule()

    def halted(self, day: int) -> bool:
        return self.halt_day is not None and day >= self.halt_day

    def diversion_shares(self, day: int) -> list[Fraction]:
        """Shares of the pool's cash the operator takes on ``day``, applied in turn."""
        shares = list(self.one_off.get(day, ()))
        if self.daily_share and day >= self.diversion_start:
            shares.append(self.daily_share)
        return shares

    def subsidy(self, day: int) -> int:
        return self.subsidies.get(day, 0)

    def legacy_release(self, day: int) -> int:
        """Fen of legacy claims released as points on ``day`` (all legacy members together)."""
        return self._legacy_batches.get(day, 0)

    def _legacy_schedule(self) -> dict[int, int]:
        legacy = self.legacy
        if legacy is None:
            return {}
        total = yuan_to_fen(legacy.claims)
        per_batch, extra = divmod(total, legacy.batches)
        return {
            legacy.start_day + i * legacy.every_days: per_batch + (1 if i < extra else 0)
            for i in range(legacy.batches)
        }


def equal_shares(total: int, count: int) -> list[int]:
    """``total`` fen in ``count`` whole-fen parts, the first ones one fen larger if need be."""
    base, extra = divmod(total, count)
    return [base + 1 if i < extra else base for i in range(count)]
