"""The Mesa model: a population of members on one shared pool, one step a day.

Each day: financing rounds and legacy releases land; new members arrive (walk-ins from the
inflow process, recruits from referrers); members woken by their schedule, by a personal
sell target or by a panic trigger hand in intents; the day's intents are shuffled with the
run's generator and applied by the core (the same rules as everywhere); then the withdrawal
queue is paid and the operator takes what the scenario says. The ledger is checked at the
end of every day and one row of figures is kept.

Only members with something to do that day are touched: orders and recruiting are kept in a
calendar, sell targets in a heap keyed by price, panic sellers in a set that is read only on
days a trigger fires.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction
from math import floor

import mesa
import numpy as np

from sim import rules
from sim.agents import AGENT_TYPES, ORDER, LegacyMember, PanicSeller, Participant
from sim.book import Book
from sim.draws import Picker
from sim.inflow import Arrivals
from sim.market import Intent, ReferenceCore
from sim.referral import TwoLevel
from sim.stress import StressSchedule, equal_shares
from sim.units import fen_to_yuan, price_to_yuan, units_to_points, yuan_to_fen
from sim.withdrawals import WithdrawalQueue


@dataclass
class DayFigures:
    """What happened on one day (fen and units), before conversion for output."""

    new_members: int = 0
    orders: int = 0
    order_volume: int = 0
    sales: int = 0
    forced_exits: int = 0
    payouts: int = 0
    bonuses: int = 0
    withdrawals: int = 0
    subsidies: int = 0
    diverted: int = 0
    legacy_points: int = 0
    skipped: int = 0
    panic: bool = False


class SchemeModel(mesa.Model):
    """One run of a scenario with one seed."""

    def __init__(self, scenario, seed: int | None = None, days: int | None = None) -> None:
        self.seed = scenario.run.seed if seed is None else seed
        super().__init__(rng=np.random.default_rng(self.seed))
        self.scenario = scenario
        self.days = scenario.run.days if days is None else days
        self.population = scenario.population
        self.stress = StressSchedule(scenario.stress)
        self.sponsors: dict[int, int] = {}
        if scenario.run.core == "fast":  # the compiled core (sim.fast_core): same results
            from sim.fast_core import FastCore, FastCoreBook

            self.book = FastCoreBook(scenario.mechanics())
            self.core = FastCore(self.book, self._referral_rule(), self.sponsors)
        else:
            self.book = Book(scenario.mechanics())
            self.core = ReferenceCore(self.book, self._referral_rule(), self.sponsors)
        self.book.open_stress_accounts()
        self.book.custody_shortfall = self.stress.custody_shortfall
        self.withdrawals = WithdrawalQueue(self.stress.withdrawal_cap)
        self.arrivals = Arrivals(scenario.inflow, self.rng)
        self.members: dict[int, Participant] = {}
        self.joined = 0
        self.day = 0
        self.rows: list[dict] = []
        self._calendar: dict[int, list[tuple[int, str]]] = defaultdict(list)
        self._targets: list[tuple[Fraction, int, int]] = []
        self._panic_holders: set[int] = set()
        self._today: list[Intent] = []
        self._figures = DayFigures()
        self._prices: list[Fraction] = []
        self._sellers: list[int] = []
        self._types = [name for name, _ in self.population.mix]
        self._pick_type = Picker([share for _, share in self.population.mix])
        self._amounts, self._pick_amount = self._amount_choices()
        self._legacy = self._legacy_members()

    # -- set-up -------------------------------------------------------------------------

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

    def _legacy_members(self) -> list[LegacyMember]:
        legacy = self.scenario.stress.legacy
        if legacy is None:
            return []
        members = [LegacyMember(self, legacy.start_day) for _ in range(legacy.members)]
        for member in members:
            self.members[member.unique_id] = member
        self.joined += len(members)
        return members

    # -- what agents call ---------------------------------------------------------------

    def draw_amount(self) -> int:
        """An order amount in fen from the scenario's distribution."""
        return self._amounts[self._pick_amount(self.rng)]

    def schedule(self, agent: Participant, day: int, reason: str = ORDER) -> None:
        """Wake ``agent`` on ``day`` (past the horizon: never)."""
        if day < self.days:
            self._calendar[day].append((agent.unique_id, reason))

    def join(self, day: int, sponsor: int | None = None) -> Participant:
        """A new member of a type drawn from the mix; their first order joins today's stream."""
        kind = self._types[self._pick_type(self.rng)]
        agent = AGENT_TYPES[kind](self, day, sponsor)
        self.members[agent.unique_id] = agent
        if sponsor is not None:
            self.sponsors[agent.unique_id] = sponsor
        self.joined += 1
        self._figures.new_members += 1
        self._today.append(agent.order())
        return agent

    def recruit(self, referrer: Participant, day: int) -> bool:
        """A referrer's recruit joins, unless the market is exhausted or the platform halted."""
        market = self.scenario.inflow.market_size
        if (market is not None and self.joined >= market) or self.stress.halted(day):
            return False
        self.join(day, sponsor=referrer.unique_id)
        return True

    # -- one day ------------------------------------------------------------------------

    def step(self) -> None:
        day = self.day
        self._figures = figures = DayFigures()
        if not self.stress.halted(day):
            self._today = []
            self._financing_and_legacy(day)
            arrivals = self.arrivals.draw(day, self.joined)
            if day == 0:
                arrivals += self.scenario.inflow.initial_members
            for _ in range(arrivals):
                self.join(day)
            for agent_id, reason in self._calendar.pop(day, ()):
                self._today += self.members[agent_id].wake(day, reason)
            self._today += self._due_sell_targets()
            if self._panic_holders and self._panic_fires(day):
                figures.panic = True
                for agent_id in sorted(self._panic_holders):
                    self._today += self.members[agent_id].on_panic(day)
            self._apply(self._shuffled(self._today), day)
            figures.withdrawals = self.withdrawals.pay(self.book)
        else:
            self._calendar.pop(day, None)
        for share in self.stress.diversion_shares(day):  # a halt does not stop the operator
            figures.diverted += self.book.divert(floor(share * self.book.pool_cash))
        self.book.ledger.check()
        self._prices.append(self.book.price)
        self._sellers.append(figures.sales)
        self.rows.append(self._row(day, figures))
        self.day += 1

    def _financing_and_legacy(self, day: int) -> None:
        subsidy = self.stress.subsidy(day)
        if subsidy:
            self._figures.subsidies += subsidy
            self._handle(self.book.subsidize(subsidy), day)
        release = self.stress.legacy_release(day)
        if release:
            for member, value in zip(
                self._legacy, equal_shares(release, len(self._legacy)), strict=True
            ):
                if value:
                    self._handle(self.book.grant(member.unique_id, value), day)
                    self._today += member.on_release(day)

    def _shuffled(self, intents: list[Intent]) -> list[Intent]:
        """The day's stream in an order drawn from the run's generator."""
        if len(intents) < 2:
            return intents
        return [intents[i] for i in self.rng.permutation(len(intents))]

    def _apply(self, intents: list[Intent], day: int) -> None:
        result = self.core.apply(intents)
        self._figures.skipped += result.skipped
        self._handle(result.events, day)
        for bonus in result.bonuses:
            self._figures.bonuses += bonus.amount
            self._credit(bonus.member)

    def _handle(self, events, day: int) -> None:
        """Tell agents what the core did, and keep the day's figures."""
        figures = self._figures
        for event in events:
            agent = self.members[event.member]
            action = event.action
            if action == "buy":
                figures.orders += 1
                figures.order_volume += event.amount
                agent.after_order(day)
            elif action == "sell":
                figures.sales += 1
                figures.payouts += event.cash_delta
                self._credit(event.member)
            elif action == "forced_exit":
                figures.forced_exits += 1
                figures.payouts += event.cash_delta
                agent.on_forced_exit(day)
                self._credit(event.member)
            elif action == "grant":
                figures.legacy_points += event.points_delta
            self._track(agent)

    def _credit(self, member_id: int) -> None:
        agent = self.members.get(member_id)
        if agent is not None and agent.withdraws:
            self.withdrawals.request(self.book, member_id)

    def _track(self, agent: Participant) -> None:
        """Re-file the agent's sell target and panic-holder status after a change."""
        record = self.book.members.get(agent.unique_id)
        if record is None:
            return
        if isinstance(agent, PanicSeller):
            if record.held:
                self._panic_holders.add(agent.unique_id)
            else:
                self._panic_holders.discard(agent.unique_id)
        if agent.target is not None and record.held:
            trigger = rules.exit_trigger(record.held, record.spent_entry, 0, agent.target)
            if trigger is not None:
                heapq.heappush(self._targets, (trigger, agent.unique_id, record.version))

    def _due_sell_targets(self) -> list[Intent]:
        """Members whose personal target multiple the price has reached sell everything."""
        out = []
        price = self.book.price
        targets = self._targets
        while targets and targets[0][0] <= price:
            _, agent_id, version = heapq.heappop(targets)
            record = self.book.members[agent_id]
            if record.version == version and record.held:
                out.append(Intent(agent_id, "sell", None))
        return out

    def _panic_fires(self, day: int) -> bool:
        spec = self.population.panic_seller
        if day in spec.shock_days:
            return True
        growth = spec.price_growth
        if growth is not None and day > growth.window_days:
            then, now = self._prices[day - 1 - growth.window_days], self._prices[day - 1]
            if then > 0 and float(now / then) - 1 < growth.below:
                return True
        herding = spec.herding
        if herding is not None and day > 0 and self.book.holders:
            recent = sum(self._sellers[-herding.window_days :])
            if recent / self.book.holders > herding.above:
                return True
        return False

    # -- output -------------------------------------------------------------------------

    def _row(self, day: int, f: DayFigures) -> dict:
        book = self.book
        unit = book.mechanics.unit
        row = {
            "day": day,
            "price": price_to_yuan(book.price, unit),
            "pool": fen_to_yuan(book.pool),
            "pool_cash": fen_to_yuan(book.pool_cash),
            "points": units_to_points(book.points, unit),
            "members_active": book.holders,
            "members_total": self.joined,
            "new_members": f.new_members,
            "orders": f.orders,
            "inflow": fen_to_yuan(f.order_volume + f.subsidies),
            "order_volume": fen_to_yuan(f.order_volume),
            "subsidies": fen_to_yuan(f.subsidies),
            "sales": f.sales,
            "forced_exits": f.forced_exits,
            "payouts": fen_to_yuan(f.payouts),
            "bonuses": fen_to_yuan(f.bonuses),
            "withdrawals": fen_to_yuan(f.withdrawals),
            "withdrawal_queue": fen_to_yuan(self.withdrawals.queued),
            "unpaid_claims": fen_to_yuan(book.unpaid),
            "diverted": fen_to_yuan(f.diverted),
            "legacy_points": units_to_points(f.legacy_points, unit),
            "skipped_intents": f.skipped,
            "panic": f.panic,
            "halted": self.stress.halted(day),
        }
        for account in book.ledger.accounts.values():
            row[f"account_{account.name}"] = fen_to_yuan(account.balance)
        return row

    def close(self) -> None:
        """Drop Mesa's class-level id counter for this model, which would keep it alive
        (mesa#3179) across the runs of a batch."""
        mesa.Agent._ids.pop(self, None)
