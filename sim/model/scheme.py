"""The Mesa model: a population of members on one shared pool, one step a day.

Each day: financing rounds and legacy releases land; new members arrive (walk-ins from the
inflow process, recruits from referrers); members woken by their schedule, by a personal
sell target or by a panic trigger hand in intents; the day's intents are shuffled with the
run's generator and applied by the core (the same rules as everywhere); the distribution
rules' end-of-day payouts (dividends) are made; then the withdrawal queue is paid and the
operator takes what the scenario says. The ledger is checked at the end of every day and
one row of figures is kept. :meth:`SchemeModel.finish` ends the run (the distribution
rules name what they still hold for nobody).

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

from sim.core import rules
from sim.core.book import Book
from sim.core.referral import TwoLevel
from sim.core.units import fen_to_yuan, price_to_yuan, units_to_points, yuan_to_fen
from sim.distribution.booking import take_fees
from sim.distribution.posting import open_accounts
from sim.distribution.runtime import Distribution
from sim.draws import Picker, Uniforms
from sim.model.agents import AGENT_TYPES, ORDER, LegacyMember, Participant
from sim.model.inflow import Arrivals
from sim.model.market import Intent, ReferenceCore
from sim.model.network import ReferralNetwork, sponsor_rule
from sim.model.stress import StressSchedule, equal_shares
from sim.model.withdrawals import WithdrawalQueue

TARGETS_SLACK = 4096  # stale sell-target entries tolerated beyond twice the holders


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
    fees: int = 0  # paid for regions and service points (distribution layer)
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
        self.draws = Uniforms(self.rng)  # behaviour's uniform draws, from the one generator
        self.scenario = scenario
        self.days = scenario.run.days if days is None else days
        self.population = scenario.population
        self.stress = StressSchedule(scenario.stress)
        self.network = ReferralNetwork()  # who sponsored whom (sim.model.network)
        spec = scenario.network
        self.sponsor_rule = sponsor_rule(spec.sponsor, spec.recruited_share, spec.max_recruits)
        mechanics = scenario.mechanics()
        self.distribution = None  # the bonus rules of SPEC §6 (sim.distribution.runtime)
        if scenario.distribution is not None:
            self.distribution = Distribution(
                scenario.distribution, mechanics.split_table, self.network, self.seed
            )
        if scenario.run.core == "fast":  # the compiled core (sim.model.compiled): same results
            from sim.model.compiled import FastCore, FastCoreBook

            self.book = FastCoreBook(mechanics)
            self.core = FastCore(
                self.book,
                self._referral_rule(),
                self.network.sponsor,
                prices=False,
                distribution=self.distribution,
            )
        else:
            self.book = Book(mechanics)
            self.core = ReferenceCore(
                self.book, self._referral_rule(), self.network.sponsor, self.distribution
            )
        self.book.open_stress_accounts()
        if self.distribution is not None:
            open_accounts(self.book.ledger, self.distribution.accounts())
        self.finished = False
        self.book.custody_shortfall = self.stress.custody_shortfall
        self.withdrawals = WithdrawalQueue(self.stress.withdrawal_cap)
        self.arrivals = Arrivals(scenario.inflow, self.rng)
        self.members: dict[int, Participant] = {}
        self.joined = 0
        self.day = 0
        self.rows: list[dict] = []
        self._calendar: dict[int, list[tuple[int, str]]] = defaultdict(list)
        self._targets: list[tuple[float, int, int]] = []
        self._panic_holders: set[int] = set()
        self._today: list[Intent] = []
        self._bought = 0  # members who bought
        self._losing = 0  # members who bought and are below break-even
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
            self._add_to_network(member, None, legacy.start_day, buys=False)
        self.joined += len(members)
        return members

    # -- what agents call ---------------------------------------------------------------

    def draw_amount(self) -> int:
        """An order amount in fen from the scenario's distribution."""
        return self._amounts[self._pick_amount(self.draws)]

    def schedule(self, agent: Participant, day: int, reason: str = ORDER) -> None:
        """Wake ``agent`` on ``day`` (past the horizon: never)."""
        if day < self.days:
            self._calendar[day].append((agent.unique_id, reason))

    def join(self, day: int, sponsor: int | None = None) -> Participant:
        """A new member of a type drawn from the mix; their first order joins today's stream."""
        kind = self._types[self._pick_type(self.draws)]
        agent = AGENT_TYPES[kind](self, day, sponsor)
        self.members[agent.unique_id] = agent
        self._add_to_network(agent, sponsor, day)
        self.joined += 1
        self._figures.new_members += 1
        self._today.append(agent.order())
        return agent

    def _add_to_network(
        self, agent: Participant, sponsor: int | None, day: int, buys: bool = True
    ) -> None:
        """The agent joins the network under ``sponsor``; with the distribution layer, where
        spill-over places them, in their district, and the rules see the join (legacy
        members, who join before the run, buy no region or service point)."""
        dist = self.distribution
        if dist is None:
            self.network.add(agent.unique_id, sponsor)
            return
        placed, district = dist.place(agent.unique_id, sponsor)
        agent.sponsor = placed
        self.network.add(agent.unique_id, placed, district)
        outcomes, incomes = dist.join(agent.unique_id, sponsor, district, buys)
        self._figures.fees += take_fees(self.book.ledger, incomes)
        self._paid(self.core.post(outcomes), day)

    def recruit(self, referrer: Participant, day: int) -> bool:
        """A referrer's recruit joins, unless the market is exhausted or the platform halted."""
        market = self.scenario.inflow.market_size
        if (market is not None and self.joined >= market) or self.stress.halted(day):
            return False
        self.join(day, sponsor=self.sponsor_rule.place(self.network, referrer.unique_id))
        return True

    # -- one day ------------------------------------------------------------------------

    def step(self) -> None:
        day = self.day
        self._figures = figures = DayFigures()
        dist = self.distribution
        if dist is not None:
            dist.today = day
        if not self.stress.halted(day):
            self._today = []
            self._financing_and_legacy(day)
            arrivals = self.arrivals.draw(day, self.joined)
            if day == 0:
                arrivals += self.scenario.inflow.initial_members
            for _ in range(arrivals):
                self.join(day, self.sponsor_rule.choose(self.network, self.draws))
            for agent_id, reason in self._calendar.pop(day, ()):
                self._today += self.members[agent_id].wake(day, reason)
            self._today += self._due_sell_targets()
            if self._panic_holders and self._panic_fires(day):
                figures.panic = True
                for agent_id in sorted(self._panic_holders):
                    self._today += self.members[agent_id].on_panic(day)
            self._apply(self._shuffled(self._today), day)
            if dist is not None:
                self._paid(self.core.post(dist.day(day)), day)
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
        self._paid(result.bonuses, day)

    def _paid(self, bonuses: list, day: int) -> None:
        """Bonuses credited to members (referral bonuses or distribution payouts, all posted
        already): count them, re-check each paid member's break-even and let them ask to
        withdraw, once per member in the order first paid (a second request would find the
        balance queued already, a second check the same standing)."""
        standing = self.book.standing
        self._figures.bonuses += sum(bonus.amount for bonus in bonuses)
        for member in dict.fromkeys(bonus.member for bonus in bonuses):
            agent = self.members.get(member)
            if agent is not None:
                _, _, _, spent, received = standing(member)
                self._settle(agent, spent, received, day)
            self._credit(member)

    def _handle(self, events, day: int) -> None:
        """Tell agents what the core did, and keep the day's figures."""
        figures = self._figures
        standing = self.book.standing
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
            now = standing(event.member)
            if now is not None:
                held, spent_entry, version, spent, received = now
                self._track(agent, held, spent_entry, version)
                self._settle(agent, spent, received, day)

    def _credit(self, member_id: int) -> None:
        agent = self.members.get(member_id)
        if agent is not None and agent.withdraws:
            self.withdrawals.request(self.book, member_id)

    def _settle(self, agent: Participant, spent: int, received: int, day: int) -> None:
        """Keep the count of members below break-even (cash back and bonuses under their
        spend) and each member's first break-even day, after any change to their record."""
        if not spent:
            return
        even = received >= spent
        was = agent.even
        if even is was:
            return
        if was is None:
            self._bought += 1
        elif was is False:
            self._losing -= 1
        if even:
            if agent.break_even_day is None:
                agent.break_even_day = day
        else:
            self._losing += 1
        agent.even = even

    def _track(self, agent: Participant, held: int, spent_entry: int, version: int) -> None:
        """Re-file the agent's sell target and panic-holder status after a change.

        The sell-target heap is keyed by the trigger price as a float, which is cheap to
        compare; members popped near the price are checked exactly (:func:`rules.cap_reached`)
        before they sell, so the float only orders the heap and never decides a sale."""
        if agent.panics:
            if held:
                self._panic_holders.add(agent.unique_id)
            else:
                self._panic_holders.discard(agent.unique_id)
        millionths = agent.target_millionths
        if millionths is not None and held:
            trigger = millionths * spent_entry / (held * 10**6)
            heapq.heappush(self._targets, (trigger, agent.unique_id, version))
            if len(self._targets) > 2 * self.book.holders + TARGETS_SLACK:
                self._compact_targets()

    def _compact_targets(self) -> None:
        """Drop the heap's stale entries (every order files a new one), so that its size
        follows the members holding points, not the orders ever placed."""
        standing = self.book.standing
        live = []
        for entry in self._targets:
            now = standing(entry[1])
            if now.version == entry[2] and now.held:
                live.append(entry)
        heapq.heapify(live)
        self._targets = live

    def _due_sell_targets(self) -> list[Intent]:
        """Members whose personal target multiple the price has reached sell everything."""
        out, early = [], []
        price = self.book.price
        near = float(price) * (1 + 1e-9)  # above any float error in the heap's keys
        targets, members = self._targets, self.book.members
        while targets and targets[0][0] <= near:
            entry = heapq.heappop(targets)
            _, agent_id, version = entry
            record = members[agent_id]
            if record.version != version or not record.held:
                continue  # stale: the member has bought, sold or exited since
            target = self.members[agent_id].target
            if rules.cap_reached(record.held, record.spent_entry, 0, target, price):
                out.append(Intent(agent_id, "sell", None))
            else:
                early.append(entry)
        for entry in early:
            heapq.heappush(targets, entry)
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
            "members_bought": self._bought,
            "members_losing": self._losing,
            "new_members": f.new_members,
            "orders": f.orders,
            "inflow": fen_to_yuan(f.order_volume + f.subsidies + f.fees),
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
        if self.distribution is not None:  # only then: other runs keep their columns
            row["fees"] = fen_to_yuan(f.fees)
        for account in book.ledger.accounts.values():
            row[f"account_{account.name}"] = fen_to_yuan(account.balance)
        return row

    def finish(self) -> None:
        """End the run after its last step: the distribution rules name what they still hold
        for members who never qualified (frozen funds forfeited); the last day's row is
        redone with the final balances. Does nothing the second time."""
        if self.finished:
            return
        self.finished = True
        dist = self.distribution
        if dist is None or not self.rows:
            return
        day = self.day - 1
        self._paid(self.core.post(dist.close()), day)
        self.book.ledger.check()
        self.rows[-1] = self._row(day, self._figures)

    def close(self) -> None:
        """Drop Mesa's class-level id counter for this model, which would keep it alive
        (mesa#3179) across the runs of a batch."""
        mesa.Agent._ids.pop(self, None)
