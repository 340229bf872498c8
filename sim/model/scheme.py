"""One run: a population of members on one shared pool, one step a day.

:meth:`SchemeRun.step` is the README's day, call by call: financing rounds and legacy
releases land; new members arrive (walk-ins from the inflow process) and place their first
order; members woken by their calendar (a repeat order, a comeback, a recruit), by a
personal sell target or by a panic trigger hand in intents; the day's intents are shuffled
with the run's generator and applied by the core (the same rules as everywhere), with the
distribution rules' end-of-day payouts; the withdrawal queue is paid; the operator takes
what the scenario says; the ledger is checked and the day's row kept (exact units,
:mod:`sim.model.daily`). :meth:`SchemeRun.finish` ends the run (the distribution rules
name what they still hold for nobody).

Only members with something to do that day are touched: orders and recruiting wait in a
calendar, sell targets in an indexed heap keyed by price (:mod:`sim.model.sell_targets`), panic
sellers in a set read only on days a trigger fires (:mod:`sim.model.panic`); the count of
members below break-even is kept as records change (:mod:`sim.model.break_even`).

``SchemeRun`` needs no Mesa: ``python -m sim run`` and a batch's runs step it as it is (Mesa's
import, with scipy's and networkx's, was a tenth of a shipped run's wall). Its face for Mesa
users is :class:`sim.model.mesa_model.SchemeModel`, the same run as a ``mesa.Model``.
"""

from __future__ import annotations

from fractions import Fraction
from math import floor
from pathlib import Path
from random import Random
from typing import Any

import numpy as np

from sim.core.book import Book
from sim.core.referral import TwoLevel
from sim.core.units import yuan_to_fen
from sim.distribution.booking import open_rule_accounts, take_fees
from sim.distribution.network import ReferralNetwork
from sim.distribution.runtime import Distribution
from sim.draws import Picker, Uniforms
from sim.errors import BeyondRange
from sim.limits import MAX_MEMBERS
from sim.model import agents, compiled_day
from sim.model.agents import KIND_CODES, ORDER
from sim.model.arithmetic import Surprises
from sim.model.break_even import BreakEvenCount
from sim.model.calendar import Calendar
from sim.model.columns import LEGACY, MemberColumns, Members
from sim.model.consequences import Seen
from sim.model.daily import DayFigures, day_row
from sim.model.inflow import Arrivals, check_inflow, expected_room
from sim.model.market import Intent, ReferenceMarket
from sim.model.members import member_frame, member_table
from sim.model.network import sponsor_rule
from sim.model.panic import PanicTriggers
from sim.model.sell_targets import SellTargets
from sim.model.stress import StressSchedule, equal_shares
from sim.model.withdrawals import CompiledWithdrawals, WithdrawalQueue
from sim.scenario.points import scenario_from, with_values
from sim.scenario.root import Scenario
from sim.scenario.scheme import points_scheme_only


class SchemeRun:
    """One run of a scenario with one seed.

    ``scenario`` is a scenario, a scenario file or a shipped scenario's name; keyword
    arguments named by dotted path set its values (``**{"points.exit_multiple": 2.0}``), the
    way ``mesa.batch_run`` passes its parameters. ``seed`` defaults to ``run.seed`` and
    ``days`` to ``run.days``; at the horizon the run is finished and ``running`` is False."""

    def __init__(
        self,
        scenario: Scenario | str | Path,
        seed: int | None = None,
        days: int | None = None,
        **values: Any,
    ) -> None:
        scenario = with_values(scenario_from(scenario), values)
        points_scheme_only(scenario, None, "SchemeModel, the agent model,")
        self.seed = scenario.run.seed if seed is None else seed
        self._start(np.random.default_rng(self.seed))
        self.draws = Uniforms(self.rng)  # behaviour's uniform draws, from the one generator
        self.scenario = scenario
        self.days = scenario.run.days if days is None else days
        check_inflow(scenario.inflow, self.days)
        # room from the start for the members the inflow is expected to bring (arrays that
        # grow while full hold the old and the new copy at once: the peak of a large run)
        room = expected_room(scenario, self.days)
        self.population = scenario.population
        self.stress = StressSchedule(scenario.stress)
        self.network = ReferralNetwork(room)  # who sponsored whom (sim.distribution.network)
        spec = scenario.network
        self.sponsor_rule = sponsor_rule(spec.sponsor, spec.recruited_share, spec.max_recruits)
        mechanics = scenario.mechanics()
        self.distribution = None  # the bonus rules of SPEC §6 (sim.distribution.runtime)
        if scenario.distribution is not None:
            self.distribution = Distribution(
                scenario.distribution,
                mechanics,
                self.network,
                self.seed,
                compiled=scenario.run.core == "fast",
            )
        if scenario.run.core == "fast":  # the compiled kernel: the same results, faster
            from sim.model.compiled_book import CompiledBook
            from sim.model.compiled_market import CompiledMarket

            self.book = CompiledBook(mechanics, capacity=room)
            self.core = CompiledMarket(
                self.book,
                self._referral_rule(),
                self.network.sponsors,
                prices=False,
                distribution=self.distribution,
            )
        else:
            self.book = Book(mechanics)
            self.core = ReferenceMarket(
                self.book, self._referral_rule(), self.network.sponsor, self.distribution
            )
        self.book.open_stress_accounts()
        if self.distribution is not None:
            open_rule_accounts(self.book.ledger, self.distribution.accounts())
        self.finished = False
        self.book.custody_shortfall = self.stress.custody_shortfall
        if scenario.run.core == "fast":
            self.withdrawals = CompiledWithdrawals(self.stress.withdrawal_cap)
        else:
            self.withdrawals = WithdrawalQueue(self.stress.withdrawal_cap)
        self.arrivals = Arrivals(scenario.inflow, self.draws)
        self.columns = MemberColumns(room)  # the members, one row each (sim.model.columns)
        # ... read one by one as objects, or all as a table (model.members.to_pandas())
        self.members = Members(
            self.columns, self.network, table=lambda: member_table(self), frame=member_frame
        )
        self.joined = 0
        self.day = 0
        self.day_rows: list[dict] = []  # one a day, exact (sim.model.daily)
        self._calendar = Calendar(self.days, room)  # wake-ups by day (sim.model.calendar)
        # the members' sell targets, with room from the start if anyone has one (a heap that
        # grows while full holds the old and the new copy at once)
        targets = scenario.population.consumer.sell_target is not None
        self.sell_targets = SellTargets(room if targets else 1024)
        self.panic = PanicTriggers(self.population.panic_seller)
        self.break_even = BreakEvenCount()
        self._first_paid = Seen()  # scratch of the compiled break-even pass after bonuses
        self.surprises = Surprises()  # orders minting nothing, leftover pools taken over
        self._today: list[Intent] = []
        self._withdraw = self.population.consumer.withdraw  # members ask to withdraw cash
        self._figures = DayFigures()
        self._types = [KIND_CODES[name] for name, _ in self.population.mix]
        self._pick_type = Picker([share for _, share in self.population.mix])
        self._amounts, self._pick_amount = self._amount_choices()
        self._legacy = self._legacy_members()
        self._joins = compiled_day.compiled_joins(self)  # None: joins in Python

    # -- set-up -------------------------------------------------------------------------

    def _start(self, rng: np.random.Generator) -> None:
        """The run's one generator. Its first draw seeds a stdlib ``Random``, as
        ``mesa.Model.__init__`` does when handed a generator, so a run draws the same, and
        writes the same files, as a plain run or as :class:`~sim.model.mesa_model.SchemeModel`."""
        self.rng = rng
        self.random = Random(int(rng.integers(np.iinfo(np.int32).max)))
        self.running = True  # False at the horizon, as Mesa's loops read it

    def _referral_rule(self) -> TwoLevel | None:
        spec = self.scenario.referral
        if not spec.direct and not spec.indirect:
            return None
        return TwoLevel(Fraction(spec.direct), Fraction(spec.indirect), spec.paid_from)

    def _amount_choices(self) -> tuple[list[int], Picker]:
        amount = self.population.consumer.amount
        if amount is None:
            return [self.book.mechanics.order_amount], Picker([1])
        choices = getattr(amount, "choices", None)
        if choices is None:
            return [yuan_to_fen(amount)], Picker([1])
        weights = amount.weights or [1.0] * len(choices)
        return [yuan_to_fen(c) for c in choices], Picker(weights)

    def _legacy_members(self) -> list[int]:
        legacy = self.scenario.stress.legacy
        if legacy is None:
            return []
        start = legacy.start_day
        members = [agents.join(self, LEGACY, start) for _ in range(legacy.members)]
        for member in members:
            self._add_to_network(member, None, start, buys=False)
        self.joined += len(members)
        return members

    # -- what agents call ---------------------------------------------------------------

    def draw_amount(self) -> int:
        """An order amount in fen from the scenario's distribution."""
        return self._amounts[self._pick_amount(self.draws)]

    def schedule(self, member: int, day: int, reason: str = ORDER) -> None:
        """Wake ``member`` on ``day`` (past the horizon: never)."""
        if day < self.days:
            self._calendar.add(day, member, reason)

    def join(self, day: int, sponsor: int | None = None) -> int:
        """A new member of a type drawn from the mix; their first order joins today's stream."""
        kind = self._types[self._pick_type(self.draws)]
        member = agents.join(self, kind, day)
        self._add_to_network(member, sponsor, day)
        self.joined += 1
        self._figures.new_members += 1
        self._today.append(agents.order(self, member))
        return member

    def _add_to_network(
        self, member: int, sponsor: int | None, day: int, buys: bool = True
    ) -> None:
        """The member joins the network under ``sponsor``; with the distribution layer, where
        spill-over places them, in their district, and the rules see the join (legacy
        members, who join before the run, buy no region or service point)."""
        dist = self.distribution
        if dist is None:
            self.network.add(member, sponsor)
            return
        placed, district = dist.place(member, sponsor)
        self.network.add(member, placed, district)
        outcomes, incomes = dist.join(member, sponsor, district, buys)
        self._figures.fees += take_fees(self.book.ledger, incomes)
        self._paid(self.core.post(outcomes), day)

    def recruit(self, referrer: int, day: int) -> bool:
        """A referrer's recruit joins, unless the market is exhausted or the platform halted."""
        market = self.scenario.inflow.market_size
        if (market is not None and self.joined >= market) or self.stress.halted(day):
            return False
        self.join(day, sponsor=self.sponsor_rule.place(self.network, referrer))
        return True

    # -- one day ------------------------------------------------------------------------

    def step(self) -> None:
        """One day, in the README's order (a halt stops all but the operator's take)."""
        day = self.day
        self._figures = DayFigures()
        if self.distribution is not None:
            self.distribution.today = day
        if self.stress.halted(day):
            self._calendar.pop(day)
        else:
            self._today = []
            self._financing_and_legacy(day)
            if self._joins is None:
                self._arrivals(day)
                self._wake_members(day)
                self._apply(self._shuffled(self._today), day)
            else:  # the same, in compiled passes (sim.model.compiled_day)
                released, self._today = self._today, []  # old members' sales come first
                orders = compiled_day.walk_ins_and_wake_ups(self, day, self._joins)
                panicking = self._wake_sellers(day, panic_as_array=True)
                stream = compiled_day.stream(released, orders, self._today, panicking)
                del released, orders, panicking  # a panic's million sales: held once
                self._apply_stream(stream, day)
            self._pay_withdrawals()
        self._operator_takes(day)
        self._close_day(day)
        self.day += 1
        if self.day >= self.days:
            self.running = False  # Mesa's run_model() and batch_run() stop at the horizon
            self.finish()

    def _arrivals(self, day: int) -> None:
        """Walk-ins from the inflow process (and the first members, on day 0) join."""
        for _ in range(self.arrival_count(day)):
            self.join(day, self.sponsor_rule.choose(self.network, self.draws))

    def arrival_count(self, day: int) -> int:
        """How many walk-ins join on ``day`` (drawn from the inflow process)."""
        arrivals = self.arrivals.draw(day, self.joined)
        if day == 0:
            arrivals += self.scenario.inflow.initial_members
        if self.joined + arrivals > MAX_MEMBERS:
            raise BeyondRange(
                f"more than {MAX_MEMBERS:,} members would have joined by day {day} (the "
                "limit of one run); use a smaller inflow rate or growth",
                key="inflow",
            )
        return arrivals

    def _wake_members(self, day: int) -> None:
        """Members whose calendar, sell target or a panic trigger says so hand in intents."""
        for member, reason in self._calendar.pop(day):
            self._today += agents.wake(self, member, day, reason)
        self._wake_sellers(day)

    def _wake_sellers(self, day: int, panic_as_array: bool = False) -> np.ndarray:
        """Members whose sell target or a panic trigger says so hand in intents; with
        ``panic_as_array`` the panic sellers' sales of everything are returned as their ids
        instead (a panic can be millions of sales: no object each)."""
        self._today += self.sell_targets.due(
            self.book.price, self.book.members, self.columns.target_of
        )
        panic = self.panic
        if panic.holders and panic.fire(day, self.book.holders):
            self._figures.panic = True
            if panic_as_array:
                return agents.panic_sales(self, panic.member_ids())
            for member in panic.members():
                self._today += agents.on_panic(self, member, day)
        return np.zeros(0, np.int64)

    def _pay_withdrawals(self) -> None:
        self._figures.withdrawals = self.withdrawals.pay(self.book)

    def _operator_takes(self, day: int) -> None:
        """The operator's diversion of the pool's cash (a halt does not stop it)."""
        for share in self.stress.diversion_shares(day):
            self._figures.diverted += self.book.divert(floor(share * self.book.pool_cash))

    def _close_day(self, day: int) -> None:
        """Check the ledger and keep the day's row."""
        self.book.ledger.check()
        self.panic.close_day(self.book.price, self._figures.sales)
        self.day_rows.append(day_row(self, day, self._figures))

    def _financing_and_legacy(self, day: int) -> None:
        subsidy = self.stress.subsidy(day)
        if subsidy:
            self._figures.subsidies += subsidy
            self._handle(self.book.subsidize(subsidy), day)
        release = self.stress.legacy_release(day)
        if release:
            as_order = self.stress.legacy.reading == "price_growth"
            for member, value in zip(
                self._legacy, equal_shares(release, len(self._legacy)), strict=True
            ):
                if value:
                    self._handle(self.book.grant(member, value, as_order), day)
                    self._today += agents.on_release(self, member, day)

    def _shuffled(self, intents: list[Intent]) -> list[Intent]:
        """The day's stream in an order drawn from the run's generator."""
        if len(intents) < 2:
            return intents
        return [intents[i] for i in self.draws.order(len(intents)).tolist()]

    def _apply_stream(self, stream: list[np.ndarray], day: int) -> None:
        """:meth:`_apply` for a stream of arrays (member, action code, fen), shuffled as
        :meth:`_shuffled` shuffles a list. The list is emptied: on a day of a million sales
        each array is held once, and none while the events' consequences are worked out."""
        columns = stream.copy()
        stream.clear()
        if len(columns[0]) >= 2:
            order = self.draws.order(len(columns[0]))
            for i, column in enumerate(columns):
                columns[i] = column[order]
            del order, column
        result = self.core.apply_arrays(*columns)
        del columns
        self._applied(result, day)

    def _apply(self, intents: list[Intent], day: int) -> None:
        """The core applies the day's stream; then the distribution rules' day payouts."""
        self._applied(self.core.apply(intents), day)

    def _applied(self, result, day: int) -> None:
        self._figures.skipped += result.skipped
        if result.applied is None:
            self._handle(result.events, day)
        else:
            compiled_day.handle_applied(self, result.applied, day)
        if result.paid is None:
            self._paid(result.bonuses, day)
        else:
            compiled_day.paid_in_bulk(self, *result.paid, day)
        if self.distribution is not None:
            self._paid(self.core.post(self.distribution.day(day)), day)

    def _paid(self, bonuses: list, day: int) -> None:
        """Bonuses credited to members (referral bonuses or distribution payouts, all posted
        already): count them, re-check each paid member's break-even and let them ask to
        withdraw, once per member in the order first paid (a second request would find the
        balance queued already, a second check the same standing)."""
        if self.scenario.run.core == "fast":
            members = np.fromiter((bonus.member for bonus in bonuses), np.int64, len(bonuses))
            amounts = np.fromiter((bonus.amount for bonus in bonuses), np.int64, len(bonuses))
            compiled_day.paid_in_bulk(self, members, amounts, day)  # the same, in bulk
            return
        standing = self.book.standing
        self._figures.bonuses += sum(bonus.amount for bonus in bonuses)
        known = self.members
        for member in dict.fromkeys(bonus.member for bonus in bonuses):
            if member in known:
                _, _, _, spent, received = standing(member)
                self.break_even.settle(
                    self.columns, member, self._paid_in(member, spent), received, day
                )
            self._credit(member)

    def _handle(self, events, day: int) -> None:
        """Tell agents what the core did, and keep the day's figures."""
        figures = self._figures
        standing = self.book.standing
        for event in events:
            member = event.member
            action = event.action
            if action == "buy":
                figures.orders += 1
                figures.order_volume += event.amount
                self.surprises.observe(event, self.book.mechanics)
                agents.after_order(self, member, day)
            elif action == "sell":
                figures.sales += 1
                figures.payouts += event.cash_delta
                self._credit(event.member)
            elif action == "forced_exit":
                figures.forced_exits += 1
                figures.payouts += event.cash_delta
                agents.on_forced_exit(self, member, day)
                self._credit(event.member)
            elif action == "grant":
                figures.legacy_points += event.points_delta
            now = standing(event.member)
            if now is not None:
                held, spent_entry, version, spent, received = now
                self._track(member, held, spent_entry, version)
                self.break_even.settle(
                    self.columns, member, self._paid_in(member, spent), received, day
                )

    def _paid_in(self, member: int, spent: int) -> int:
        """What ``member`` paid in: ``spent`` on orders and any fees for regions and service
        points (fen)."""
        dist = self.distribution
        return spent if dist is None else spent + dist.fees.get(member, 0)

    def _credit(self, member: int) -> None:
        if self._withdraw and member in self.members:
            self.withdrawals.request(self.book, member)

    def _track(self, member: int, held: int, spent_entry: int, version: int) -> None:
        """Re-file the member's sell target and panic-holder status after a change."""
        if agents.panics(self, member):
            self.panic.track(member, held)
        millionths = int(self.columns.target[member - 1])
        if millionths >= 0:
            if held:
                self.sell_targets.file(member, millionths, held, spent_entry, version)
            else:
                self.sell_targets.remove(member)

    # -- output -------------------------------------------------------------------------

    def finish(self) -> None:
        """End the run after its last step: the distribution rules name what they still hold
        for members who never qualified (frozen funds forfeited); the last day's row is
        redone with the final balances. Does nothing the second time."""
        if self.finished:
            return
        self.finished = True
        dist = self.distribution
        if dist is None or not self.day_rows:
            return
        day = self.day - 1
        self._paid(self.core.post(dist.close()), day)
        self.book.ledger.check()
        self.day_rows[-1] = day_row(self, day, self._figures)
