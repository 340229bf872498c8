"""The day's steps on the compiled core (``run.core: fast``): the glue between
:class:`sim.model.scheme.SchemeRun` and its compiled passes.

Each function is the twin of a step of the model that the reference core keeps in Python,
handing the passes the members' columns, the book's arrays and the numbers of the run's one
stream, and writing back what they counted: the walk-ins and wake-ups
(:mod:`sim.model.joining`), what the applied events set off (:mod:`sim.model.consequences`)
and the members paid bonuses. The tests compare the two cores' files byte for byte.
"""

from __future__ import annotations

import numpy as np

from sim.core.book import Applied
from sim.core.kernel_layout import BUY, EV_BUY, SELL_ALL
from sim.distribution.booking import take_fees
from sim.model import joining
from sim.model.columns import COLUMNS
from sim.model.consequences import FIGURES, figures_of, handle_events, settle_in_bulk
from sim.model.market import Intent


def _fees_of(model, members: np.ndarray, offset: int = 0) -> np.ndarray:
    """What each of ``members + offset`` (ids) paid for regions and service points, fen
    (zeros without the distribution layer): ``SchemeRun._paid_in`` less the spend."""
    if model.distribution is None:
        return np.zeros(len(members), np.int64)
    return model.distribution.fees.of(members + offset)


def handle_applied(model, ev, day: int) -> None:
    """``SchemeRun._handle`` for the compiled core's events (arrays), in one compiled
    pass (:func:`sim.model.consequences.handle_events`): the same draws in the same order."""
    n = len(ev.kind)
    if not n:
        return
    book, columns, calendar = model.book, model.columns, model._calendar
    top = int(ev.member.max()) + 1
    model.sell_targets.room(top)
    calendar.reserve(n)
    numbers, at = model.draws.peek(2 * n), np.zeros(1, np.int64)
    counted, credits = np.zeros(len(FIGURES), np.int64), np.empty(n, np.int64)
    fees = _fees_of(model, ev.member, offset=1)
    spec = model.population.consumer
    panic = model.panic
    panic.room(top)
    heap_size, free, taken, paid, holders = handle_events(
        (ev.kind, ev.member, ev.amount, ev.cash_delta),
        columns.arrays(),
        (book._held, book._spent_entry, book._version, book._spent, book._cash, book._bonus),
        fees,
        model.sell_targets.arrays(),
        len(model.sell_targets),
        calendar.arrays(),
        calendar._free,
        model.days,
        numbers,
        at,
        (
            float(spec.rebuy_probability),
            float(spec.rebuy_interval_days),
            float(spec.reentry_probability),
            float(spec.reentry_delay_days),
        ),
        day,
        counted,
        model.break_even.counts,
        credits,
        panic.holding(),
    )
    model.draws.advance(int(at[0]))
    model.sell_targets._size = heap_size
    calendar.used(free, taken)
    figures = model._figures
    for name, value in figures_of(counted).items():
        setattr(figures, name, getattr(figures, name) + value)
    panic.holders += holders
    _surprises(model, ev)
    if model._withdraw:
        model.withdrawals.request_all(book, credits[:paid])


def _surprises(model, ev) -> None:
    """Count the orders that minted nothing or took over a leftover pool (few: the rest
    are passed over in bulk)."""
    buys = ev.kind == EV_BUY
    odd = buys & ((ev.points_delta == 0) | (ev.points == ev.points_delta))
    for i in np.flatnonzero(odd).tolist():
        event = Applied(
            "buy",
            int(ev.member[i]) + 1,
            int(ev.amount[i]),
            int(ev.points_delta[i]),
            int(ev.cash_delta[i]),
            int(ev.pool[i]),
            int(ev.points[i]),
            None,
        )
        model.surprises.observe(event, model.book.mechanics)


def paid_in_bulk(model, members: np.ndarray, amounts: np.ndarray, day: int) -> None:
    """``SchemeRun._paid`` for the compiled core's bonuses (arrays, in order): referral
    bonuses, or the distribution rules' payouts."""
    if not len(members):
        return
    model._figures.bonuses += int(amounts.sum())
    book = model.book
    fees = np.zeros(0, np.int64) if model.distribution is None else model.distribution.fees.column
    joined = len(model.columns)
    paid = settle_in_bulk(
        members,
        joined,
        model._first_paid.scratch(joined),
        fees,
        model.columns.arrays(),
        (book._spent, book._cash, book._bonus),
        model.break_even.counts,
        day,
    )
    if model._withdraw:
        model.withdrawals.request_all(book, paid)


def compiled_joins(model) -> tuple | None:
    """The settings the walk-ins pass reads, or None where it does not apply (a
    distribution layer with no compiled twin places members in Python; other sponsor rules
    choose in Python)."""
    spec = model.scenario
    dist = model.distribution
    if (
        spec.run.core != "fast"
        or (dist is not None and dist.compiled is None)
        or spec.network.sponsor not in joining.SPONSOR_CODES
    ):
        return None
    population = model.population
    target = population.consumer.sell_target
    types, amounts = model._pick_type, model._pick_amount

    def certain(picker) -> int:
        return -1 if picker.certain is None else picker.certain

    choices = (
        np.array(model._types, np.int64),
        np.array(types.cumulative, np.float64),
        certain(types),
        np.array(model._amounts, np.int64),
        np.array(amounts.cumulative, np.float64),
        certain(amounts),
    )
    behaviour = (
        0.0 if target is None else float(target.low),
        0.0 if target is None else float(target.high),
        target is not None,
        float(population.referrer.reach),
        float(population.referrer.recruit_rate),
    )
    market = spec.inflow.market_size
    sponsoring = (
        joining.SPONSOR_CODES[spec.network.sponsor],
        float(spec.network.recruited_share),
        -1 if market is None else int(market),
    )
    return choices, behaviour, sponsoring


def walk_ins_and_wake_ups(model, day: int, settings: tuple) -> np.ndarray:
    """The day's walk-ins join and its wake-ups are served (the twin of the model's
    ``_arrivals`` and the calendar part of ``_wake_members``); returns the orders they
    place, in order, as an array of (member, fen) columns."""
    arrivals = model.arrival_count(day)
    calendar, columns, network = model._calendar, model.columns, model.network
    pending = calendar.pending()  # room for all: untouched pages cost nothing
    woken = (np.empty(pending, np.int64), np.empty(pending, np.int8))
    entries, free = joining.pop_day(calendar.arrays(), calendar._free, day, *woken)
    calendar.used(free, -entries)
    woken = (woken[0][:entries], woken[1][:entries])
    most = arrivals + entries  # every item joins a member at most
    joins = most
    market = settings[2][2]
    if market >= 0:  # nobody joins past the market but the first members on day 0
        joins = min(most, max(arrivals, market - model.joined))
    columns.reserve(joins)
    network.reserve(joins)
    calendar.reserve(2 * most)  # a join plans one recruit, a recruit one more
    state = np.zeros(9, np.int64)
    state[[joining.NETWORK, joining.ROOTS, joining.DEEPEST]] = network.counts()
    state[joining.SIZE] = len(columns)
    state[joining.JOINED] = model.joined
    state[joining.FREE] = calendar._free
    out = np.empty((2, most), np.int64)
    dist = model.distribution
    deferred = np.empty((2, joins if dist is not None else 0), np.int64)
    choices, behaviour, sponsoring = settings
    item, items = 0, most
    while True:  # until every item is done; a pass stops early when the numbers run low
        numbers, at = (
            model.draws.peek(8 * (items - item) + 2 * joining.MARGIN),
            np.zeros(1, np.int64),
        )
        item = joining.walk_ins_and_wake_ups(
            item,
            arrivals,
            woken,
            tuple(getattr(columns, name) for name in COLUMNS),
            network.arrays(),
            calendar.arrays(),
            state,
            model.days,
            numbers,
            at,
            choices,
            behaviour,
            sponsoring,
            day,
            out,
            deferred,
        )
        model.draws.advance(int(at[0]))
        if item == items:
            break
    columns.joined(int(state[joining.SIZE]))
    if dist is None:
        network.grown_to(*state[[joining.NETWORK, joining.ROOTS, joining.DEEPEST]].tolist())
    else:
        _placed_by_distribution(model, deferred[:, : state[joining.NEW]])
    model.joined = int(state[joining.JOINED])
    calendar.used(int(state[joining.FREE]), int(state[joining.TAKEN]))
    model._figures.new_members += int(state[joining.NEW])
    return out[:, : state[joining.ORDERS]]


def _placed_by_distribution(model, joins: np.ndarray) -> None:
    """The day's joiners (ids, sponsors chosen) placed by the distribution layer, added to
    the network in their districts, seen by the rules: ``SchemeRun._add_to_network`` for
    all of them at once. What they bought enters the ledger as fees."""
    members, chosen = joins
    if not len(members):
        return
    network, dist = model.network, model.distribution
    placed, districts, incomes = dist.place_all(members, chosen)
    counts = np.zeros(9, np.int64)
    counts[[joining.NETWORK, joining.ROOTS, joining.DEEPEST]] = network.counts()
    if members[0] != counts[joining.NETWORK] + 1:
        raise ValueError("the joiners are not the network's next members")
    joining.network_add_all(network.arrays(), counts, members, placed)
    network.grown_to(*counts[[joining.NETWORK, joining.ROOTS, joining.DEEPEST]].tolist())
    network.set_regions(members, districts)
    dist.joined_all(members, chosen)
    model._figures.fees += take_fees(model.book.ledger, incomes)


def stream(
    first: list[Intent], orders: np.ndarray, then: list[Intent], last: np.ndarray | None = None
) -> list[np.ndarray]:
    """The day's stream as arrays — member, action code, fen — in the reference's order:
    the intents handed in ``first`` (old members' sales on a release day), the orders, the
    intents handed in after them, then the members in ``last`` (panic sellers); the intents
    are sales of everything."""
    intents = first + then
    if any(intent.action != "sell" or intent.amount is not None for intent in intents):
        raise ValueError("only sales of everything may join the compiled orders")
    before = np.array([intent.member for intent in first], np.int64)
    after = np.array([intent.member for intent in then], np.int64)
    if last is not None and len(last):
        after = np.concatenate((after, last.astype(np.int64)))
    members = np.concatenate((before, orders[0], after))
    codes = np.full(len(members), SELL_ALL, np.int8)
    codes[len(before) : len(before) + orders.shape[1]] = BUY
    fen = np.zeros(len(members), np.int64)
    fen[len(before) : len(before) + orders.shape[1]] = orders[1]
    return [members, codes, fen]
