"""The distribution layer of one agent-model run: the rule set, where orders happen, and the
record of what was paid.

The model calls :meth:`Distribution.place` and :meth:`Distribution.join` on every join (in
join order), the core calls :meth:`Distribution.order` on every order it applies (in event
order: the rules keep state, so the order matters), and the model calls
:meth:`Distribution.day` at the end of each day and :meth:`Distribution.close` at the end of
the run. Each returns the outcomes for the caller to post (:mod:`sim.distribution.booking`)
and logs their payouts by member, rule, level and reason.

Its random draws (districts, region and point purchases, shops, pickups, line
re-assignment) come from a generator of its own, spawned from the run's seed: the
population, its orders and the price path are the same whatever rules a scenario sets, so
rule sets are compared on common random numbers.
"""

from __future__ import annotations

import numpy as np

from sim.core import capacity
from sim.distribution import build
from sim.distribution import compiled_layout as L
from sim.distribution.base import KEPT, Income, Outcome
from sim.distribution.compiled_joins import (
    BOUGHT_REGION,
    OPENED_POINT,
    SpillPlaces,
    place_joins,
)
from sim.distribution.compiled_rules import (
    CompiledRules,
    PaidBatch,
    owners_by_id,
    unsupported,
)
from sim.distribution.payouts import PayoutLog
from sim.distribution.spillover import SpillOver
from sim.distribution.venues import Venues
from sim.draws import Uniforms
from sim.scenario.distribution import DistributionSection


def generator(seed: int) -> np.random.Generator:
    """The distribution layer's generator: the run seed's first spawned child."""
    return np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])


class Distribution:
    def __init__(
        self, section: DistributionSection, mechanics, network, seed: int, compiled: bool = False
    ) -> None:
        regions, districts = build.region_map(section.regions)
        self.section = section
        self.rules = build.rule_set(section, regions)
        stream = Uniforms(generator(seed))  # the layer's one stream: choices and venues
        self.rules.state.rng = stream
        self.venues = Venues(section, self.rules, regions, districts, stream)
        self.network = network
        self.spill = SpillOver() if section.placement == "spill_over" else None
        self.parts = mechanics.parts  # the order's lines, split once per amount
        self.lines = frozenset(self.rules.lines)
        self.today = 0
        self.log = PayoutLog()
        self._spill_places = None  # spill-over's state once the compiled joins take over
        self.fees = FeesPaid()  # member -> fen paid for regions and service points
        # ``compiled``: a day's orders in one compiled call where every rule has a twin
        self.compiled = None
        if compiled and unsupported(self.rules) is None:
            self.compiled = CompiledRules(self.rules, regions, districts)
            self.compiled.bind(mechanics.parts, network)
        self._founders = build.founders(self.rules, section)

    def accounts(self) -> dict[str, str]:
        """The accounts the rules and the venues need, with their ledger kinds."""
        found = self.rules.accounts()
        for rule in (self.venues.regional, self.venues.service):
            if rule is not None:
                found[rule.fees] = KEPT
        return found

    # -- joins -------------------------------------------------------------------------------

    def place(self, member: int, recruiter: int | None) -> tuple[int | None, int]:
        """Where a joiner goes: their sponsor in the network (the recruiter, or where
        spill-over slides them) and their district."""
        if self._spill_places is not None:
            raise RuntimeError("a join placed in Python after the compiled joins took over")
        district = self.venues.district()
        if recruiter is None or self.spill is None:
            return recruiter, district
        return self.spill.place(recruiter, member), district

    def join(
        self, member: int, recruiter: int | None, district: int, buys: bool = True
    ) -> tuple[list[Outcome], list[Income]]:
        """A member joined the network: the rules' outcomes, and what they bought (nothing
        unless ``buys``)."""
        if self.compiled is not None:
            outcomes = self.compiled.join(member, recruiter)
        else:
            outcomes = self.rules.join(member, self.network, recruiter)
        if self._founders is not None and len(self.network) <= self._founders[1]:
            self._founders[0].add(self.rules.state, member)
        incomes = self.venues.join(member, district) if buys else []
        for income in incomes:
            self.fees.add(member, income.amount)
        return self._logged(outcomes), incomes

    def place_all(
        self, members: np.ndarray, recruiters: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, list[Income]]:
        """:meth:`place` and what :meth:`join` buys, for a day's joiners at once (ids in
        order, recruiters 0: none), compiled: their sponsors in the network, districts, and
        what they bought. Then add them to the network and call :meth:`joined_all`."""
        venues, state = self.venues, self.rules.state
        if self._spill_places is None:
            self._spill_places = SpillPlaces(self.spill or SpillOver())
        places = self._spill_places
        n = len(members)
        places.room(n, int(max(members.max(), recruiters.max())) if n else 0)
        compiled = self.compiled
        region_owner = owners_by_id(state.region_owner, len(compiled.region_level) - 1)
        fees = getattr(venues, "region_fees", [None] * 4)
        level_fee = np.array([-1 if fee is None else fee for fee in fees], np.int64)
        point_district = np.zeros(len(state.service_points) + n + 1, np.int64)
        for district, points in getattr(venues, "points", {}).items():
            point_district[points] = district
        shops = venues.shops if venues.merchant is not None else 0
        promoter = owners_by_id(state.merchant_promoter, shops)
        placed, districts = np.zeros(n, np.int64), np.zeros(n, np.int64)
        bought = np.zeros((3 * n, 4), np.int64)
        used, rows = place_joins(
            members, recruiters, True, venues.draws.peek(4 * n),
            np.array(venues.districts, np.int64), self.spill is not None, places.count,
            places.table, places.filled,
            venues.regional is not None, compiled.region_chain, compiled.region_level,
            level_fee, region_owner, getattr(venues, "take_up", 0.0),
            venues.service is not None, getattr(venues, "open_share", 0.0), point_district,
            np.array([len(state.service_points)], np.int64),
            venues.merchant is not None, shops, np.array([getattr(venues, "recruited", 0)]),
            getattr(venues, "recruit_share", 0.0), promoter, placed, districts, bought,
        )  # fmt: skip
        venues.draws.advance(used)
        return placed, districts, self._bought(bought[:rows])

    def _bought(self, bought: np.ndarray) -> list[Income]:
        """The compiled joins' purchases, recorded as the venues record them."""
        venues, state = self.venues, self.rules.state
        incomes = []
        for kind, member, venue, extra in bought.tolist():
            if kind == BOUGHT_REGION:
                incomes.append(venues.regional.sell(state, venue, member, extra))
            elif kind == OPENED_POINT:
                venues.points.setdefault(extra, []).append(venue)
                incomes.append(venues.service.open(state, venue, member, venues.point_fee))
            else:
                venues.recruited += 1
                venues.merchant.register(state, venue, member)
        for income in incomes:
            self.fees.add(income.member, income.amount)
        return incomes

    def joined_all(self, members: np.ndarray, recruiters: np.ndarray) -> None:
        """The rules see the joins placed by :meth:`place_all` (now in the network)."""
        self.compiled.join_all(members, recruiters)
        if self._founders is not None:  # the first members are the shareholders
            for member in members[members <= self._founders[1]].tolist():
                self._founders[0].add(self.rules.state, member)

    # -- orders, days, the end ---------------------------------------------------------------

    def order(self, buyer: int, amount: int) -> list[Outcome]:
        """The outcomes of one applied order."""
        venues = self.venues
        shop = venues.shop()
        pickup = venues.pickup(self.network.region(buyer))
        outcomes = self.rules.order(
            buyer,
            amount,
            self.parts(amount),
            self.network,
            self.today,
            merchant=shop,
            pickup=pickup,
        )
        return self._logged(outcomes)

    def orders(self, buyers: np.ndarray, amounts: np.ndarray) -> PaidBatch:
        """A day's applied orders (member ids, fen) in one compiled call: what they paid."""
        batch = self.compiled.orders(buyers, amounts, self.venues)
        if len(batch.rows):
            rows = batch.rows
            self.log.add_coded(
                rows[:, L.O_MEMBER],
                rows[:, L.O_RULE],
                rows[:, L.O_LEVEL],
                rows[:, L.O_REASON],
                rows[:, L.O_FEN],
                (L.RULE_NAMES, L.REASONS),
            )
        return batch

    def day(self, day: int) -> list[Outcome]:
        if self.compiled is not None:
            return self._logged(self.compiled.day(day, self.network))
        return self._logged(self.rules.day(day, self.network))

    def close(self) -> list[Outcome]:
        if self.compiled is not None:
            return self._logged(self.compiled.close(self.network))
        return self._logged(self.rules.close(self.network))

    def _logged(self, outcomes: list[Outcome]) -> list[Outcome]:
        for outcome in outcomes:
            if outcome.payouts:
                self.log.add(outcome.payouts)
        return outcomes


class FeesPaid:
    """What each member paid for regions and service points (fen), as a column indexed by
    member id: read one at a time (``get``), for an array of ids at once (``of``), or whole
    (``column``) by the compiled passes that judge break-even."""

    def __init__(self) -> None:
        self.column = np.zeros(0, np.int64)  # row ``m`` is member ``m``'s fees; 0: none

    def add(self, member: int, fen: int) -> None:
        if not fen:
            return
        if member >= len(self.column):
            grown = np.zeros(capacity.grown(len(self.column), member + 1), np.int64)
            grown[: len(self.column)] = self.column
            self.column = grown
        self.column[member] += fen

    def get(self, member: int, default: int = 0) -> int:
        return int(self.column[member]) if 0 <= member < len(self.column) else default

    def of(self, members: np.ndarray) -> np.ndarray:
        """The fees of each of ``members`` (ids; 0 for those who paid none)."""
        fees = np.zeros(len(members), np.int64)
        known = (members >= 0) & (members < len(self.column))
        fees[known] = self.column[members[known]]
        return fees

    def items(self) -> list[tuple[int, int]]:
        """(member, fen) of every member who paid, by id."""
        payers = np.flatnonzero(self.column)
        return list(zip(payers.tolist(), self.column[payers].tolist(), strict=True))

    def __len__(self) -> int:
        """How many members paid fees."""
        return int(np.count_nonzero(self.column))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FeesPaid) and self.items() == other.items()

    __hash__ = None  # a mutable record
