"""A day's walk-ins and wake-ups in one compiled pass (``run.core: fast``).

The twin of :meth:`sim.model.scheme.SchemeRun._arrivals` and ``_wake_members``' calendar
part, which the reference core keeps: walk-ins join under the sponsor rule's choice
(``none`` or ``uniform``), each new member's type, sell target, reach and first recruit are
drawn (:func:`sim.model.agents.join`), and their first order joins the day's stream; then
the day's wake-ups, in the order they were made: a repeat order or a comeback
(:func:`sim.model.agents.wake`), or a referrer's recruit, who joins under them unless the
market is exhausted. Every draw comes from the run's one stream in the reference's order
(:mod:`sim.draws`), so the runs are the same to the byte; the tests compare the cores' files.

The pass writes new rows into the members' columns and the referral network, and the
orders into two arrays; it stops early when the numbers peeked run low (a Poisson count
may take many), and the caller peeks more and goes on where it stopped.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.draws import chance_at, index_at, pick_at, poisson_at, uniform_at, wait_for_rate_at
from sim.model.calendar import END, ORDER_CODE, RECRUIT_CODE, add_entry
from sim.model.columns import REFERRER

SPONSOR_CODES = {"none": 0, "uniform": 1}  # the sponsor rules the pass knows
MARGIN = 1024  # numbers left before an item is started (more than any item takes, bar
# a Poisson count beyond all likelihood, which is then an error, not a stray read)

# places in ``state`` (int64), kept between calls
SIZE, NETWORK, ROOTS, DEEPEST, JOINED, FREE, TAKEN, ORDERS, NEW = range(9)


@njit(cache=True)
def network_add(network, state, member, sponsor):  # pragma: no cover - compiled
    """:meth:`sim.distribution.network.ReferralNetwork.add` (without a region) on its arrays."""
    sponsors, depth, first, after, direct = network
    n = state[NETWORK] + 1
    if sponsor == 0:
        d = 1
        state[ROOTS] += 1
    else:
        d = depth[sponsor] + 1
        sponsors[n] = sponsor
        after[n] = first[sponsor]
        first[sponsor] = n
        direct[sponsor] += 1
    depth[n] = d
    if d > state[DEEPEST]:
        state[DEEPEST] = d
    state[NETWORK] = n


@njit(cache=True)
def network_add_all(network, state, members, sponsors):  # pragma: no cover - compiled
    """:func:`network_add` for each member in order (ids in order: the next ones)."""
    for i in range(members.shape[0]):
        network_add(network, state, members[i], sponsors[i])


@njit(cache=True)
def _schedule(calendar, state, horizon, day, member, code):  # pragma: no cover - compiled
    if day < horizon:
        head, tail, wake_member, wake_reason, following = calendar
        state[FREE] = add_entry(
            head, tail, wake_member, wake_reason, following, state[FREE], day, member, code
        )
        state[TAKEN] += 1


@njit(cache=True)
def _plan_recruit(columns, calendar, state, horizon, u, at, rate, row, day):  # pragma: no cover
    """:func:`sim.model.agents._plan_recruit`."""
    reach, recruited = columns[6][row], columns[7][row]
    if recruited >= reach:
        return
    wait = wait_for_rate_at(u, at, rate * (1 - recruited / reach))
    if wait >= 0:
        _schedule(calendar, state, horizon, day + wait, row + 1, RECRUIT_CODE)


@njit(cache=True)
def _join(
    columns, network, calendar, state, horizon, u, at, choices, behaviour, day, sponsor, out,
    deferred,
):  # fmt: skip  # pragma: no cover - compiled
    """:meth:`sim.model.scheme.SchemeRun.join` with :func:`sim.model.agents.join`: a new
    row, the member in the network (or, with ``deferred`` columns, their id and sponsor
    there, for the distribution layer to place), their first order in ``out``."""
    kinds, join_day, _, _, _, target, reach, _ = columns
    types, type_shares, type_certain, amounts, amount_shares, amount_certain = choices
    low, high, has_target, reach_mean, recruit_rate = behaviour
    kind = types[pick_at(u, at, type_shares, type_certain)]
    row = state[SIZE]
    state[SIZE] = row + 1
    kinds[row] = kind
    join_day[row] = day
    if has_target:
        target[row] = int(np.rint(uniform_at(u, at, low, high) * 10**6))
    if kind == REFERRER:
        reach[row] = poisson_at(u, at, reach_mean)
        _plan_recruit(columns, calendar, state, horizon, u, at, recruit_rate, row, day)
    if deferred.shape[1]:  # the distribution layer places the member after the pass
        deferred[0, state[NEW]] = row + 1
        deferred[1, state[NEW]] = sponsor
        state[NETWORK] += 1
    else:
        network_add(network, state, row + 1, sponsor)
    state[JOINED] += 1
    state[NEW] += 1
    out[0, state[ORDERS]] = row + 1
    out[1, state[ORDERS]] = amounts[pick_at(u, at, amount_shares, amount_certain)]
    state[ORDERS] += 1


@njit(cache=True)
def walk_ins_and_wake_ups(
    start,  # the first item to do: walk-ins 0 .. arrivals - 1, then the wake-ups
    arrivals,
    woken,  # (member, reason) of the day's wake-ups, in order
    columns,  # kind, join_day, exit_day, even, break_even_day, target, reach, recruited
    network,  # sponsor, depth, first, next, direct
    calendar,  # head, tail, member, reason, following (entries reserved)
    state,
    horizon,
    u,
    at,
    choices,  # member types and order amounts: values, cumulative shares, certain index
    behaviour,  # sell target low, high, whether any; reach mean; recruit rate
    sponsoring,  # sponsor rule code, recruited share, market size (-1: none)
    day,
    out,  # the orders: member, fen
    deferred,  # (2, 0), or the joiners' ids and sponsors when the distribution places them
):  # pragma: no cover - compiled
    """Do the items from ``start`` on; returns the next item to do (all done: the count)."""
    rule, share, market = sponsoring
    items = arrivals + len(woken[0])
    item = start
    while item < items:
        if len(u) - at[0] < MARGIN:
            return item
        if item < arrivals:
            sponsor = 0
            if rule == 1 and state[NETWORK] > 0 and chance_at(u, at, share):
                sponsor = index_at(u, at, state[NETWORK]) + 1
            _join(columns, network, calendar, state, horizon, u, at, choices, behaviour, day,
                  sponsor, out, deferred)  # fmt: skip
        else:
            member = woken[0][item - arrivals]
            if woken[1][item - arrivals] == ORDER_CODE:
                amounts, amount_shares, amount_certain = choices[3], choices[4], choices[5]
                out[0, state[ORDERS]] = member
                out[1, state[ORDERS]] = amounts[pick_at(u, at, amount_shares, amount_certain)]
                state[ORDERS] += 1
            elif market < 0 or state[JOINED] < market:
                _join(columns, network, calendar, state, horizon, u, at, choices, behaviour,
                      day, member, out, deferred)  # fmt: skip
                columns[7][member - 1] += 1
                _plan_recruit(columns, calendar, state, horizon, u, at, behaviour[4],
                              member - 1, day)  # fmt: skip
        item += 1
    return item


@njit(cache=True)
def pop_day(calendar, free, day, out_member, out_reason):  # pragma: no cover - compiled
    """:meth:`sim.model.calendar.Calendar.pop` into arrays (room for every entry pending);
    returns how many and the free list's head."""
    head, tail, member, reason, following = calendar
    k, entry = 0, head[day]
    while entry != END:
        out_member[k] = member[entry]
        out_reason[k] = reason[entry]
        k += 1
        after = following[entry]
        following[entry] = free
        free = entry
        entry = after
    head[day] = END
    tail[day] = END
    return k, free
