"""The members of the platform as Mesa agents: decisions only, no arithmetic.

An agent decides *whether* and *what*: to order (and how much), to order again later, to
sell, to come back after a forced exit, to recruit. It hands the model :class:`Intent`
values and asks to be woken on a later day; the model's core applies the intents through
the rules. A member with nothing scheduled costs nothing on a day.
"""

from __future__ import annotations

from fractions import Fraction

import mesa

from sim.draws import chance, poisson, uniform, wait_days, wait_for_rate
from sim.model.market import Intent

ORDER, RECRUIT = "order", "recruit"


class Participant(mesa.Agent):
    """Anyone holding an account on the platform."""

    kind = "member"
    target_millionths: int | None = None  # sells all when points are worth this x spend
    panics = False  # sells on the model's panic triggers

    @property
    def target(self) -> Fraction | None:
        """The sell target as an exact multiple (built when a sale is checked, which is rare)."""
        if self.target_millionths is None:
            return None
        return Fraction(self.target_millionths, 10**6)

    def __init__(self, model, join_day: int, sponsor: int | None = None) -> None:
        super().__init__(model)
        self.join_day = join_day
        self.sponsor = sponsor
        self.exit_day: int | None = None
        self.withdraws = model.population.consumer.withdraw
        self.even: bool | None = None  # cash back + bonuses >= spend (None: never bought)
        self.break_even_day: int | None = None  # the first day ``even`` became true

    def wake(self, day: int, reason: str) -> list[Intent]:
        return []

    def after_order(self, day: int) -> None:
        """Called after each of the member's orders is applied."""

    def on_forced_exit(self, day: int) -> None:
        self.exit_day = day


class Consumer(Participant):
    """Buys on arrival, may buy again on a schedule, may sell at a personal target multiple,
    is forced out at the cap and may come back (复投)."""

    kind = "consumer"

    def __init__(self, model, join_day: int, sponsor: int | None = None) -> None:
        super().__init__(model, join_day, sponsor)
        spec = model.population.consumer
        self.spec = spec
        if spec.sell_target is not None:
            low, high = spec.sell_target.low, spec.sell_target.high
            # a behavioural draw: a millionth of a multiple is resolution enough, and keeps
            # the exact trigger-price arithmetic on small fractions
            self.target_millionths = round(uniform(model.draws, low, high) * 10**6)

    def order(self) -> Intent:
        return Intent(self.unique_id, "buy", self.model.draw_amount())

    def wake(self, day: int, reason: str) -> list[Intent]:
        return [self.order()] if reason == ORDER else []

    def after_order(self, day: int) -> None:
        if chance(self.model.draws, self.spec.rebuy_probability):
            self.model.schedule(
                self, day + wait_days(self.model.draws, self.spec.rebuy_interval_days)
            )

    def on_forced_exit(self, day: int) -> None:
        super().on_forced_exit(day)
        if chance(self.model.draws, self.spec.reentry_probability):
            wait = wait_days(self.model.draws, self.spec.reentry_delay_days)
            self.model.schedule(self, day + wait)


class Referrer(Consumer):
    """A consumer who recruits: a personal reach drawn around the scenario's mean, recruits
    arriving at a rate that falls as the reach fills up."""

    kind = "referrer"

    def __init__(self, model, join_day: int, sponsor: int | None = None) -> None:
        super().__init__(model, join_day, sponsor)
        self.recruit_spec = model.population.referrer
        self.reach = poisson(model.draws, self.recruit_spec.reach)
        self.recruited = 0
        self._plan_recruit(join_day)

    def _plan_recruit(self, day: int) -> None:
        if self.recruited >= self.reach:
            return
        rate = self.recruit_spec.recruit_rate * (1 - self.recruited / self.reach)
        wait = wait_for_rate(self.model.draws, rate)
        if wait is not None:
            self.model.schedule(self, day + wait, RECRUIT)

    def wake(self, day: int, reason: str) -> list[Intent]:
        if reason != RECRUIT:
            return super().wake(day, reason)
        if self.model.recruit(self, day):
            self.recruited += 1
            self._plan_recruit(day)
        return []


class PanicSeller(Consumer):
    """A consumer who sells everything when a panic trigger fires (slowing price, herding,
    a shock day), each time with the scenario's reaction probability."""

    kind = "panic_seller"
    panics = True

    def on_panic(self, day: int) -> list[Intent]:
        if chance(self.model.draws, self.model.population.panic_seller.react_probability):
            return [Intent(self.unique_id, "sell", None)]
        return []


class LegacyMember(Participant):
    """A member of a failed platform whose claim is released as points in batches; sells
    each batch with the scenario's probability. Under the seeds' reading of the claims
    (``price_growth``) also sells everything once the points are worth the claims released to
    them (回本退出): a sell target of 1x their spend since entry, which the claims are."""

    kind = "legacy"

    def __init__(self, model, join_day: int, sponsor: int | None = None) -> None:
        super().__init__(model, join_day, sponsor)
        if model.scenario.stress.legacy.reading == "price_growth":
            self.target_millionths = 10**6

    def on_release(self, day: int) -> list[Intent]:
        if chance(self.model.draws, self.model.scenario.stress.legacy.sell_probability):
            return [Intent(self.unique_id, "sell", None)]
        return []


AGENT_TYPES = {cls.kind: cls for cls in (Consumer, Referrer, PanicSeller)}
