"""The members' behaviours — consumer, referrer, panic seller, old member — as functions over
the members' columns (:mod:`sim.model.columns`): decisions only, no arithmetic.

A behaviour decides *whether* and *what*: to order (and how much), to order again later, to
sell, to come back after a forced exit, to recruit. It hands the model :class:`Intent`
values and asks to be woken on a later day; the model's core applies the intents through
the rules. A member with nothing scheduled costs nothing on a day. Each function takes the
model and a member id and reads the member's kind from the columns:

- a **consumer** buys on arrival, may buy again on a schedule, may sell at a personal target
  multiple, is forced out at the cap and may come back (复投);
- a **referrer** is a consumer who recruits: a personal reach drawn around the scenario's
  mean, recruits arriving at a rate that falls as the reach fills up;
- a **panic seller** is a consumer who sells everything when a panic trigger fires (slowing
  price, herding, a shock day), each time with the scenario's reaction probability;
- an **old member** (legacy) of a failed platform has a claim released as points in batches
  and sells each batch with the scenario's probability; under the seeds' reading of the
  claims (``price_growth``) also sells everything once the points are worth the claims
  released to them (回本退出): a sell target of 1x their spend since entry, which the claims
  are.
"""

from __future__ import annotations

import numpy as np

from sim.draws import chance, poisson, uniform, wait_days, wait_for_rate
from sim.model.columns import CONSUMER, LEGACY, PANIC_SELLER, REFERRER
from sim.model.market import Intent

ORDER, RECRUIT = "order", "recruit"
KIND_CODES = {"consumer": CONSUMER, "referrer": REFERRER, "panic_seller": PANIC_SELLER}


def join(model, kind: int, day: int) -> int:
    """A new member's row, with the draws their type makes on joining; returns their id."""
    columns = model.columns
    member = columns.add(kind, day)
    if kind == LEGACY:
        if model.scenario.stress.legacy.reading == "price_growth":
            columns.target[member - 1] = 10**6
        return member
    target = model.population.consumer.sell_target
    if target is not None:
        # a behavioural draw: a millionth of a multiple is resolution enough, and keeps the
        # exact trigger-price arithmetic on small fractions
        columns.target[member - 1] = round(uniform(model.draws, target.low, target.high) * 10**6)
    if kind == REFERRER:
        columns.reach[member - 1] = poisson(model.draws, model.population.referrer.reach)
        _plan_recruit(model, member, day)
    return member


def order(model, member: int) -> Intent:
    return Intent(member, "buy", model.draw_amount())


def wake(model, member: int, day: int, reason: str) -> list[Intent]:
    if reason == ORDER:
        return [order(model, member)]
    if reason == RECRUIT and model.recruit(member, day):  # only referrers plan recruits
        model.columns.recruited[member - 1] += 1
        _plan_recruit(model, member, day)
    return []


def after_order(model, member: int, day: int) -> None:
    """After each of the member's orders: maybe plan the next one."""
    if model.columns.kind[member - 1] == LEGACY:
        return
    spec = model.population.consumer
    if chance(model.draws, spec.rebuy_probability):
        model.schedule(member, day + wait_days(model.draws, spec.rebuy_interval_days))


def on_forced_exit(model, member: int, day: int) -> None:
    """Out at the cap: noted, and maybe back after a while (复投)."""
    model.columns.exit_day[member - 1] = day
    if model.columns.kind[member - 1] == LEGACY:
        return
    spec = model.population.consumer
    if chance(model.draws, spec.reentry_probability):
        model.schedule(member, day + wait_days(model.draws, spec.reentry_delay_days))


def on_panic(model, member: int, day: int) -> list[Intent]:
    """A panic seller, on a day a trigger fires (the model asks only panic sellers)."""
    if chance(model.draws, model.population.panic_seller.react_probability):
        return [Intent(member, "sell", None)]
    return []


def panic_sales(model, members: np.ndarray) -> np.ndarray:
    """:func:`on_panic` for many panic sellers at once (ids in order): those who sell, from
    the same draws (one each, in order, unless the outcome is certain)."""
    react = model.population.panic_seller.react_probability
    if react <= 0:
        return members[:0]
    if react >= 1:
        return members
    return members[model.draws.take(len(members)) < react]


def on_release(model, member: int, day: int) -> list[Intent]:
    """An old member, on a day a batch of their claim is released as points."""
    if chance(model.draws, model.scenario.stress.legacy.sell_probability):
        return [Intent(member, "sell", None)]
    return []


def panics(model, member: int) -> bool:
    return model.columns.kind[member - 1] == PANIC_SELLER


def _plan_recruit(model, member: int, day: int) -> None:
    columns, row = model.columns, member - 1
    reach, recruited = columns.reach[row], columns.recruited[row]
    if recruited >= reach:
        return
    rate = model.population.referrer.recruit_rate * (1 - recruited / reach)
    wait = wait_for_rate(model.draws, rate)
    if wait is not None:
        model.schedule(member, day + wait, RECRUIT)
