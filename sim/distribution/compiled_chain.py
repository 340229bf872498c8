"""链动2+1 chain motion as a compiled walk: the twin of
:class:`sim.distribution.chain.ChainMotion` (its pay, promotions, contributed lines, task and
frozen fund), called by :func:`sim.distribution.compiled_orders.run_orders` for each order.
Frozen funds are entries chained per member in the order first frozen (a dict's order);
released entries go to a free list, so the store follows the funds frozen, not those ever
frozen."""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.distribution.compiled_layout import (
    AGENT,
    BOSS,
    F_AMOUNT,
    F_LEVEL,
    F_NEXT,
    F_REASON,
    F_RULE,
    M_AGENT_RECRUITS,
    M_FROZEN_HEAD,
    M_FROZEN_TAIL,
    M_IDENTITY,
    M_LINE_A,
    M_LINE_B,
    M_OWN_ORDERS,
    M_PERIOD,
    M_TASK_DONE,
    M_TEAM_ORDERS,
    R_CHAIN_DIRECT,
    R_CHAIN_PEER,
    R_CHAIN_SEE_POINT,
    S_BOSS_AT,
    S_CONTRIBUTE_AGENTS,
    S_FREEZE_DEN,
    S_FREEZE_NUM,
    S_FROZEN,
    S_LINE,
    S_ORDERS_OVER,
    S_PEER_DEN,
    S_PEER_NUM,
    S_PEER_TO_OWNER,
    S_PROMOTE_FIRST,
    S_REASSIGN,
    S_UNLOCK_BOTH,
    S_UNPAID,
)
from sim.distribution.compiled_purse import (
    G_FROZEN_FREE,
    G_FROZEN_LIVE,
    G_FROZEN_USED,
    cap,
    emit,
    recruiter_of,
)

# numba's on-disk cache notices edits to this file only (numba#1833), yet the code it keeps
# holds what it calls from the modules it names in DEPENDENCIES: their digest makes an edit
# to one of them an edit here (tests/test_compiled_rules.py checks it).
DEPENDENCIES = ("compiled_layout", "compiled_purse")
DEPENDENCIES_SHA256 = "c94adf48e4b990d2247ad16b3fe3c4ef7d16cde58ec8cc0b5fcfc92e1368c6a3"


@njit(cache=True)
def _in_lines(ms, p, child):
    """Whether ``child`` is one of ``p``'s contributed lines."""
    return child != 0 and (ms[p, M_LINE_A] == child or ms[p, M_LINE_B] == child)


@njit(cache=True)
def _position(up, m, member, start):
    """Position of ``member`` in ``up[start:m]`` (-1: not there)."""
    for i in range(start, m):
        if up[i] == member:
            return i
    return -1


@njit(cache=True)
def _owner(ms, up, m, child, start):
    """``ChainMotion._owner``: position of the boss whose team ``child`` is in (-1: none)."""
    for i in range(start, m):
        p = up[i]
        if ms[p, M_IDENTITY] == BOSS and not _in_lines(ms, p, child):
            return i
        child = p
    return -1


@njit(cache=True)
def _met(ms, p, member):
    """``ChainMotion._met``: the member's task is met (remembered once it is)."""
    a, b = ms[member, M_LINE_A], ms[member, M_LINE_B]
    agents = a != 0 and b != 0 and ms[a, M_IDENTITY] != 0 and ms[b, M_IDENTITY] != 0
    orders = 0
    for line in (a, b):
        if line != 0:
            orders += ms[line, M_OWN_ORDERS] + ms[line, M_TEAM_ORDERS]
    busy = orders > p[S_ORDERS_OVER]
    met = (agents and busy) if p[S_UNLOCK_BOTH] else (agents or busy)
    if met:
        ms[member, M_TASK_DONE] = 1
    return met


@njit(cache=True)
def contribute_line(ms, sponsor, recruiter, member):
    """``ChainMotion.contribute_line``: the recruiter's first two lines placed under them."""
    if sponsor[member] != recruiter:
        return
    if ms[recruiter, M_LINE_A] == 0:
        ms[recruiter, M_LINE_A] = member
    elif ms[recruiter, M_LINE_B] == 0:
        ms[recruiter, M_LINE_B] = member


@njit(cache=True)
def _promote(ms, sponsor, p, buyer):
    """``ChainMotion._promote``: the buyer becomes an agent (or a boss), their recruiter
    counts one more agent recruit."""
    boss_at = p[S_BOSS_AT]
    ms[buyer, M_IDENTITY] = BOSS if ms[buyer, M_AGENT_RECRUITS] >= boss_at else AGENT
    r = recruiter_of(ms, sponsor, buyer)
    if r == 0:
        return
    ms[r, M_AGENT_RECRUITS] += 1
    if ms[r, M_IDENTITY] == AGENT and ms[r, M_AGENT_RECRUITS] >= boss_at:
        ms[r, M_IDENTITY] = BOSS
    if p[S_CONTRIBUTE_AGENTS]:
        contribute_line(ms, sponsor, r, buyer)


@njit(cache=True)
def _freeze(ms, fz, g, member, rule, level, reason, held):
    """Add ``held`` to the member's frozen entry for (rule, level, reason), made at the end
    of their chain if new."""
    e = ms[member, M_FROZEN_HEAD]
    while e != -1:
        if fz[e, F_RULE] == rule and fz[e, F_LEVEL] == level and fz[e, F_REASON] == reason:
            fz[e, F_AMOUNT] += held
            return
        e = fz[e, F_NEXT]
    e = g[G_FROZEN_FREE]
    if e != -1:  # an entry released before
        g[G_FROZEN_FREE] = fz[e, F_NEXT]
    else:
        e = g[G_FROZEN_USED]
        if e >= fz.shape[0]:
            raise IndexError("frozen buffer full")
        g[G_FROZEN_USED] = e + 1
    g[G_FROZEN_LIVE] += 1
    fz[e, F_NEXT] = -1
    fz[e, F_RULE] = rule
    fz[e, F_LEVEL] = level
    fz[e, F_REASON] = reason
    fz[e, F_AMOUNT] = held
    tail = ms[member, M_FROZEN_TAIL]
    if tail == -1:
        ms[member, M_FROZEN_HEAD] = e
    else:
        fz[tail, F_NEXT] = e
    ms[member, M_FROZEN_TAIL] = e


@njit(cache=True)
def _settle(ms, fz, g, out, p, member):
    """``ChainMotion._settle``: everything frozen for the member, released if the task is
    now met."""
    if not _met(ms, p, member):
        return
    e = ms[member, M_FROZEN_HEAD]
    while e != -1:
        emit(out, g, member, fz[e, F_AMOUNT], p[S_FROZEN], fz[e, F_RULE], fz[e, F_LEVEL],
              fz[e, F_REASON])  # fmt: skip
        g[G_FROZEN_LIVE] -= 1
        e = fz[e, F_NEXT]
    fz[ms[member, M_FROZEN_TAIL], F_NEXT] = g[G_FROZEN_FREE]  # the entries are free again
    g[G_FROZEN_FREE] = ms[member, M_FROZEN_HEAD]
    ms[member, M_FROZEN_HEAD] = -1
    ms[member, M_FROZEN_TAIL] = -1


@njit(cache=True)
def pay_chain(ms, fz, g, out, left_over, sponsor, up, m, buyer, reason, budget, p, due):
    """``ChainMotion.pay``; ``due``: whole packs, the direct reward and the 见点 for them."""
    line = p[S_LINE]
    left = budget
    packs = due[0]
    joins = packs > 0 and ms[buyer, M_IDENTITY] == 0
    if joins and p[S_PROMOTE_FIRST]:
        _promote(ms, sponsor, p, buyer)
    if packs:
        # (member, position, gross, rule) in paying order: direct, 见点, then their peers
        earners = np.empty((4, 4), np.int64)
        n = 0
        r = recruiter_of(ms, sponsor, buyer)
        if r != 0 and ms[r, M_IDENTITY] != 0:
            pos = _position(up, m, r, 0)
            if pos >= 0:
                earners[n, 0], earners[n, 1], earners[n, 2] = r, pos, due[1]
                earners[n, 3] = R_CHAIN_DIRECT
                n += 1
        pos = _owner(ms, up, m, buyer, 0)
        if pos >= 0:
            earners[n, 0], earners[n, 1], earners[n, 2] = up[pos], pos, due[2]
            earners[n, 3] = R_CHAIN_SEE_POINT
            n += 1
        first = n
        for k in range(first):
            boss, pos = earners[k, 0], earners[k, 1]
            if ms[boss, M_IDENTITY] != BOSS:
                continue
            if p[S_PEER_TO_OWNER]:
                above = _owner(ms, up, m, boss, pos + 1)
            else:
                rb = recruiter_of(ms, sponsor, boss)
                above = -1
                if rb != 0 and ms[rb, M_IDENTITY] == BOSS:
                    above = _position(up, m, rb, pos + 1)
            if above >= 0:
                earners[n, 0], earners[n, 1] = up[above], above
                earners[n, 2] = p[S_PEER_NUM] * earners[k, 2] // p[S_PEER_DEN]
                earners[n, 3] = R_CHAIN_PEER
                n += 1
        for k in range(n):
            member, level, rule = earners[k, 0], earners[k, 1] + 1, earners[k, 3]
            amount = cap(earners[k, 2], left)
            held = 0
            if p[S_FREEZE_NUM] and not ms[member, M_TASK_DONE] and not _met(ms, p, member):
                held = p[S_FREEZE_NUM] * amount // p[S_FREEZE_DEN]
                if held:
                    _freeze(ms, fz, g, member, rule, level, reason, held)
                    left_over[line, p[S_FROZEN]] += held
                    left -= held
            emit(out, g, member, amount - held, line, rule, level, reason)
            left -= amount - held
    if joins and not p[S_PROMOTE_FIRST]:
        _promote(ms, sponsor, p, buyer)
    left_over[line, p[S_UNPAID]] += left
    child = buyer
    for i in range(m):
        q = up[i]
        if ms[q, M_FROZEN_HEAD] != -1 and _in_lines(ms, q, child):
            _settle(ms, fz, g, out, p, q)
        child = q
    if p[S_REASSIGN]:
        ms[buyer, M_PERIOD] += 1
        for i in range(m):
            ms[up[i], M_PERIOD] += 1


@njit(cache=True)
def reassign_lines(ms, fz, g, out, p, first, after, u, members):
    """``ChainMotion.on_day`` on a re-assignment day: each boss (by id) whose contributed
    lines both placed no order this period swaps one, drawn from ``u``, for their most active
    other direct line (earliest joined on ties; ``first``/``after``: the network's lines,
    newest first), then what is frozen for them is settled. Returns the numbers used."""
    used = 0
    for boss in range(1, members + 1):
        if ms[boss, M_IDENTITY] != BOSS:
            continue
        a, b = ms[boss, M_LINE_A], ms[boss, M_LINE_B]
        if a == 0 or ms[a, M_PERIOD] or (b != 0 and ms[b, M_PERIOD]):
            continue
        best, most = 0, 0
        child = first[boss]
        while child != 0:  # newest first: the last of the most active is the earliest
            orders = ms[child, M_PERIOD]
            if child != a and child != b and orders > 0 and orders >= most:
                best, most = child, orders
            child = after[child]
        if best == 0:
            continue
        pick = 0
        if b != 0:
            pick = min(int(u[used] * 2), 1)
            used += 1
        ms[boss, M_LINE_A if pick == 0 else M_LINE_B] = best
        if ms[boss, M_FROZEN_HEAD] != -1:
            _settle(ms, fz, g, out, p, boss)
    ms[:, M_PERIOD] = 0
    return used
