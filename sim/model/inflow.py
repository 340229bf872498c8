"""New members per day: the arrival processes of a scenario's ``inflow`` section.

The expected number of arrivals on a day is a pure function of the day and of how many have
joined so far (:func:`expected_arrivals`); :class:`Arrivals` turns it into a whole number,
with Poisson noise drawn from the run's generator, or without noise by carrying the
fraction over to the next day (so ``rate: 2.5`` gives exactly 5 members every 2 days).
"""

from __future__ import annotations

import math

from sim.draws import UniformSource, poisson
from sim.errors import BeyondRange
from sim.limits import MAX_MEMBERS


def expected_arrivals(spec, day: int, joined: int) -> float:
    """Expected walk-in arrivals on ``day`` (referrers' recruits come on top)."""
    kind = spec.kind
    if kind == "constant":
        rate = spec.rate
    elif kind == "exponential":
        rate = spec.rate * _grown(spec.growth, day) if spec.rate else 0.0
    elif kind == "growth_decay":
        growth_days = min(day, spec.decay_start_day)
        rate = spec.rate * _grown(spec.growth, growth_days) if spec.rate else 0.0
        if day > spec.decay_start_day:
            rate *= 0.5 ** ((day - spec.decay_start_day) / spec.half_life_days)
    elif kind == "bass":
        left = max(spec.market_size - joined, 0)
        rate = (spec.innovation + spec.imitation * joined / spec.market_size) * left
    else:  # referral-driven or none: no walk-ins
        rate = 0.0
    if spec.market_size is not None:
        rate = min(rate, max(spec.market_size - joined, 0))
    return rate


def _grown(growth: float, days: int) -> float:
    """``(1 + growth) ** days``, infinite where a float cannot hold it (not an error)."""
    try:
        return (1 + growth) ** days
    except OverflowError:
        return math.inf


def expected_joiners(spec, days: int, most: float) -> float:
    """The members the inflow is expected to bring in ``days`` days (the first members
    included, referrers' recruits not), counted until they pass ``most``: a run that would
    pass the limit of members is refused before its first day, not after hours."""
    joined = float(spec.initial_members)
    for day in range(days):
        joined += expected_arrivals(spec, day, int(min(joined, 2**62)))
        if joined > most:
            break
    return joined


def expected_members(scenario, days: int) -> float:
    """The members a run is expected to have after ``days`` days: the inflow's walk-ins and
    first members, and the referrers' recruits, day by day in expectation (a referrer with
    ``k`` of a reach ``R`` used recruits ``recruit_rate * (1 - k/R)`` a day, so the recruits
    a day are ``recruit_rate / R`` times the reach not yet used; each newcomer is a referrer
    with the mix's share), within the market and before a halt."""
    spec = scenario.inflow
    market = math.inf if spec.market_size is None else spec.market_size
    halt = scenario.stress.halt_day
    referrer = dict(scenario.population.mix).get("referrer", 0)
    reach, rate = scenario.population.referrer.reach, scenario.population.referrer.recruit_rate
    joined = min(float(spec.initial_members), market)
    unused = float(referrer) * float(reach) * joined  # reach not yet used, summed
    for day in range(days if halt is None else min(days, halt)):
        walk_ins = expected_arrivals(spec, day, int(min(joined, 2**62)))
        recruits = unused * min(float(rate) / float(reach), 1.0)
        new = min(walk_ins + recruits, market - joined)
        unused += float(referrer) * float(reach) * new - recruits
        joined += new
        if joined > MAX_MEMBERS:
            break
    return joined


def expected_room(scenario, days: int) -> int:
    """Rows to hold from the start for a run's members: a twentieth above the members it
    is expected to have (:func:`expected_members`), but no more than its market, the old
    members of a failed platform, and a thousand (members beyond are room grown as they
    come)."""
    expected = expected_members(scenario, days) * 1.05
    market = scenario.inflow.market_size
    if market is not None:
        expected = min(expected, market)
    legacy = scenario.stress.legacy
    old = 0 if legacy is None else legacy.members
    return int(min(expected + old + 1024, MAX_MEMBERS + 1))


def check_inflow(spec, days: int) -> None:
    """Refuse a run whose inflow alone is expected to pass the limit of members."""
    expected = expected_joiners(spec, days, MAX_MEMBERS)
    if expected > MAX_MEMBERS:
        raise BeyondRange(
            f"the inflow is expected to bring more than {MAX_MEMBERS:,} members in {days:,} "
            "days (the limit of one run); use a smaller rate, growth or horizon",
            key="inflow",
        )


class Arrivals:
    """Draws each day's whole number of arrivals for one run."""

    def __init__(self, spec, rng: UniformSource) -> None:
        self.spec = spec
        self.rng = rng
        self._carry = 0.0

    def draw(self, day: int, joined: int) -> int:
        expected = expected_arrivals(self.spec, day, joined)
        if expected <= 0:
            return 0  # certain: no draw, so the random stream is not shifted
        if self.spec.noise == "poisson":
            count = poisson(self.rng, expected)
        else:
            total = self._carry + expected
            count = math.floor(total + 1e-9)
            self._carry = total - count
        if self.spec.market_size is not None:
            count = min(count, max(self.spec.market_size - joined, 0))
        return count
