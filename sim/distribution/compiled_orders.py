"""A day's orders through the distribution rules in one compiled call: the twin of
:meth:`sim.distribution.ruleset.RuleSet.order` applied order by order, for the rules
:mod:`sim.distribution.compiled_rules` supports.

Each rule is restated here as a walk over flat arrays (:mod:`~.compiled_layout`), beside
its Python original, which stays the reference: ``tests/test_compiled_rules.py`` proves the
two equal payout for payout and counter for counter on random networks, orders and
settings. What a rule pays depends on the order's amount only through its dues, worked out
once per distinct amount in Python (``budgets``, ``dues``, ``unallocated``).

Payouts are written in the order the reference's outcomes list them (a rule's purse in the
order it pays, then chain motion's releases), leftovers summed by (source, account).
"""

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
    K_CHAIN,
    K_DIFFERENTIAL,
    K_DIRECT,
    K_MERCHANT,
    K_POOL,
    K_REGIONAL,
    K_SERVICE,
    M_AGENT_RECRUITS,
    M_FROZEN_HEAD,
    M_FROZEN_TAIL,
    M_IDENTITY,
    M_LINE_A,
    M_LINE_B,
    M_OWN_ORDERS,
    M_OWN_VOLUME,
    M_RECRUITER,
    M_TASK_DONE,
    M_TEAM_ORDERS,
    M_TEAM_VOLUME,
    M_TIER,
    O_FEN,
    O_LEVEL,
    O_MEMBER,
    O_REASON,
    O_RULE,
    O_SOURCE,
    R_CHAIN_DIRECT,
    R_CHAIN_PEER,
    R_CHAIN_SEE_POINT,
    R_DIFF_PEER,
    R_DIFFERENTIAL,
    R_DIRECT,
    R_MERCHANT,
    R_REGIONAL,
    R_SERVICE,
    S_BOSS_AT,
    S_CONTRIBUTE_AGENTS,
    S_DIFFERENTIAL,
    S_FREEZE_DEN,
    S_FREEZE_NUM,
    S_FROZEN,
    S_INCLUDE_BUYER,
    S_KIND,
    S_LEVELS,
    S_LINE,
    S_ORDERS_OVER,
    S_PEER_DEN,
    S_PEER_NUM,
    S_PEER_TO_OWNER,
    S_POOL,
    S_PROMOTE_FIRST,
    S_UNLOCK_BOTH,
    S_UNPAID,
)

# counters (``g``): payouts written, frozen entries used, frozen entries live
G_OUT, G_FROZEN_USED, G_FROZEN_LIVE = 0, 1, 2


@njit(cache=True)
def _emit(out, g, member, fen, source, rule, level, reason):
    """A payout (nothing for 0 fen, as ``Purse.pay``)."""
    if fen <= 0:
        return
    i = g[G_OUT]
    if i >= out.shape[0]:
        raise IndexError("payout buffer full")
    out[i, O_MEMBER] = member
    out[i, O_FEN] = fen
    out[i, O_SOURCE] = source
    out[i, O_RULE] = rule
    out[i, O_LEVEL] = level
    out[i, O_REASON] = reason
    g[G_OUT] = i + 1


@njit(cache=True)
def _cap(due, left):
    """``Purse.cap``: what can be paid of ``due`` out of ``left``."""
    if due > left:
        due = left
    return due if due > 0 else 0


@njit(cache=True)
def _recruiter(ms, sponsor, m):
    """``DistributionState.recruiter_of`` (0: none)."""
    r = ms[m, M_RECRUITER]
    return r if r != 0 else sponsor[m]


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
def _contribute(ms, sponsor, recruiter, member):
    """``ChainMotion._contribute``: the recruiter's first two lines placed under them."""
    if sponsor[member] != recruiter:
        return
    if ms[recruiter, M_LINE_A] == 0:
        ms[recruiter, M_LINE_A] = member
    elif ms[recruiter, M_LINE_B] == 0:
        ms[recruiter, M_LINE_B] = member


@njit(cache=True)
def join_member(ms, sponsor, member, recruiter, contribute):
    """``RuleSet.join`` for the rules compiled: who recruited the member where spill-over
    placed them elsewhere, and (``contribute``) chain motion's lines left to the upline."""
    if recruiter != 0 and recruiter != sponsor[member]:
        ms[member, M_RECRUITER] = recruiter
    if contribute:
        r = _recruiter(ms, sponsor, member)
        if r != 0:
            _contribute(ms, sponsor, r, member)


@njit(cache=True)
def _promote(ms, sponsor, p, buyer):
    """``ChainMotion._promote``: the buyer becomes an agent (or a boss), their recruiter
    counts one more agent recruit."""
    boss_at = p[S_BOSS_AT]
    ms[buyer, M_IDENTITY] = BOSS if ms[buyer, M_AGENT_RECRUITS] >= boss_at else AGENT
    r = _recruiter(ms, sponsor, buyer)
    if r == 0:
        return
    ms[r, M_AGENT_RECRUITS] += 1
    if ms[r, M_IDENTITY] == AGENT and ms[r, M_AGENT_RECRUITS] >= boss_at:
        ms[r, M_IDENTITY] = BOSS
    if p[S_CONTRIBUTE_AGENTS]:
        _contribute(ms, sponsor, r, buyer)


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
        _emit(out, g, member, fz[e, F_AMOUNT], p[S_FROZEN], fz[e, F_RULE], fz[e, F_LEVEL],
              fz[e, F_REASON])  # fmt: skip
        g[G_FROZEN_LIVE] -= 1
        e = fz[e, F_NEXT]
    ms[member, M_FROZEN_HEAD] = -1
    ms[member, M_FROZEN_TAIL] = -1


@njit(cache=True)
def _chain(ms, fz, g, out, left_over, sponsor, up, m, buyer, reason, budget, p, due):
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
        r = _recruiter(ms, sponsor, buyer)
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
                rb = _recruiter(ms, sponsor, boss)
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
            amount = _cap(earners[k, 2], left)
            held = 0
            if p[S_FREEZE_NUM] and not ms[member, M_TASK_DONE] and not _met(ms, p, member):
                held = p[S_FREEZE_NUM] * amount // p[S_FREEZE_DEN]
                if held:
                    _freeze(ms, fz, g, member, rule, level, reason, held)
                    left_over[line, p[S_FROZEN]] += held
                    left -= held
            _emit(out, g, member, amount - held, line, rule, level, reason)
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


@njit(cache=True)
def _differential(ms, g, out, left_over, up, m, buyer, reason, budget, p, dues, top):
    """``LevelDifferential.pay``; ``dues``: each tier's amount on this order (0: none)."""
    line = p[S_LINE]
    left = budget
    paid_tier = paid_due = earned = 0
    peer_open = False
    start = 0 if p[S_INCLUDE_BUYER] else 1
    for level in range(start, m + 1):
        if not left:
            break
        member = buyer if level == 0 else up[level - 1]
        tier = ms[member, M_TIER]
        if tier > paid_tier:
            earned = _cap(dues[tier] - paid_due, left)
            _emit(out, g, member, earned, line, R_DIFFERENTIAL, level, reason)
            left -= earned
            paid_tier, paid_due = tier, dues[tier]
            peer_open = p[S_PEER_DEN] != 0
        elif peer_open and tier == paid_tier:
            bonus = _cap(p[S_PEER_NUM] * earned // p[S_PEER_DEN], left)
            _emit(out, g, member, bonus, line, R_DIFF_PEER, level, reason)
            left -= bonus
            peer_open = False
        if paid_tier == top and not peer_open:
            break
    left_over[line, p[S_UNPAID]] += left


@njit(cache=True)
def _pay_one(g, out, left_over, member, due, budget, p, rule, reason):
    """A rule that pays one member (0: nobody) its due out of the budget, the rest unpaid."""
    paid = _cap(due, budget) if member != 0 else 0
    _emit(out, g, member, paid, p[S_LINE], rule, 0, reason)
    left_over[p[S_LINE], p[S_UNPAID]] += budget - paid


@njit(cache=True)
def _assess(ms, member, ladder, t_count):
    """``TierLadder._assess``: the highest tier above the member's whose every assessment
    condition holds (``ladder`` rows: pack, own spend, team volume; -1: not set)."""
    own, volume = ms[member, M_OWN_VOLUME], ms[member, M_TEAM_VOLUME]
    for t in range(t_count, ms[member, M_TIER], -1):
        spend, team = ladder[t - 1, 1], ladder[t - 1, 2]
        assessed = spend >= 0 or team >= 0
        if assessed and (spend < 0 or own >= spend) and (team < 0 or volume >= team):
            ms[member, M_TIER] = t
            return


@njit(cache=True)
def _promote_tiers(ms, up, m, buyer, amount, ladder, gates, by_volume):
    """``TierLadder.after_order``: a pack bought, then the buyer and the upline assessed."""
    t_count = ladder.shape[0]
    for t in range(t_count, ms[buyer, M_TIER], -1):
        pack = ladder[t - 1, 0]
        if pack >= 0 and amount >= pack:
            ms[buyer, M_TIER] = t
            break
    _assess(ms, buyer, ladder, t_count)
    if by_volume:
        for i in range(m):
            a = up[i]
            if ms[a, M_TEAM_VOLUME] >= gates[ms[a, M_TIER]]:
                _assess(ms, a, ladder, t_count)


@njit(cache=True)
def run_orders(
    buyers, kinds, amounts, districts_of, pickups, shops,
    ms, fz, g, out, left_over, pools, sponsor,
    steps, budgets, dues, unallocated, line_ids,
    region_chain, region_level, region_owner, point_owner, shop_promoter,
    ladder, gates, by_volume, top,
):  # fmt: skip
    """Every order of a day, in order: counted, paid by each rule step, tiers promoted.

    ``kinds[i]`` indexes the order's amount in the per-amount tables; ``pickups``/``shops``
    are the venues drawn for it (0: none)."""
    up = np.empty(64, np.int64)
    for i in range(buyers.shape[0]):
        buyer, k, amount = buyers[i], kinds[i], amounts[i]
        m = 0
        q = sponsor[buyer]
        while q != 0:
            if m == up.shape[0]:
                wider = np.empty(2 * m, np.int64)
                wider[:m] = up
                up = wider
            up[m] = q
            m += 1
            q = sponsor[q]
        reason = 1 if ms[buyer, M_OWN_ORDERS] else 0  # 0 recruit (first order), 1 sale
        ms[buyer, M_OWN_ORDERS] += 1
        ms[buyer, M_OWN_VOLUME] += amount
        for j in range(m):
            ms[up[j], M_TEAM_ORDERS] += 1
            ms[up[j], M_TEAM_VOLUME] += amount
        for s in range(steps.shape[0]):
            p = steps[s]
            kind, budget, due = p[S_KIND], budgets[k, s], dues[k, s]
            if kind == K_CHAIN:
                _chain(ms, fz, g, out, left_over, sponsor, up, m, buyer, reason, budget, p, due)
            elif kind == K_POOL:
                pools[p[S_POOL]] += budget
                left_over[p[S_LINE], p[S_UNPAID]] += budget
            elif kind == K_DIFFERENTIAL:
                _differential(ms, g, out, left_over, up, m, buyer, reason, budget, p, due, top)
            elif kind == K_REGIONAL:
                left = budget
                paid_due = 0
                district = districts_of[buyer]
                for c in range(region_chain.shape[1]):
                    r = region_chain[district, c]
                    if r < 0:
                        break
                    owner = region_owner[r]
                    if owner == 0:
                        continue
                    d = due[region_level[r]]
                    if p[S_DIFFERENTIAL]:
                        d, paid_due = d - paid_due, max(paid_due, d)
                    paid = _cap(d, left)
                    _emit(out, g, owner, paid, p[S_LINE], R_REGIONAL, 0, reason)
                    left -= paid
                left_over[p[S_LINE], p[S_UNPAID]] += left
            elif kind == K_SERVICE:
                owner = point_owner[pickups[i]]
                _pay_one(g, out, left_over, owner, due[0], budget, p, R_SERVICE, reason)
            elif kind == K_MERCHANT:
                owner = shop_promoter[shops[i]]
                _pay_one(g, out, left_over, owner, due[0], budget, p, R_MERCHANT, reason)
            elif kind == K_DIRECT:
                left = budget
                member = buyer
                for level in range(p[S_LEVELS]):
                    member = _recruiter(ms, sponsor, member)
                    if member == 0:
                        break
                    paid = _cap(due[level], left)
                    _emit(out, g, member, paid, p[S_LINE], R_DIRECT, level + 1, reason)
                    left -= paid
                left_over[p[S_LINE], p[S_UNPAID]] += left
        for j in range(line_ids.shape[0]):  # (line, its unallocated account)
            left_over[line_ids[j, 0], line_ids[j, 1]] += unallocated[k, j]
        if ladder.shape[0]:
            _promote_tiers(ms, up, m, buyer, amount, ladder, gates, by_volume)


@njit(cache=True)
def draw_venues(buyers, districts_of, uniforms, shops_n, points, point_start, point_list, share):
    """``Venues.shop`` then ``Venues.pickup`` for each order, from the layer's stream:
    (shops, pickups, numbers used). ``shops_n`` 0: no shops; ``points``: the scenario has
    service points, ``point_list[point_start[d]:point_start[d + 1]]`` district d's in
    opening order; ``share`` the pickup share."""
    n = buyers.shape[0]
    shops, pickups = np.zeros(n, np.int64), np.zeros(n, np.int64)
    used = 0
    for i in range(n):
        if shops_n == 1:
            shops[i] = 1
        elif shops_n > 1:
            shops[i] = min(int(uniforms[used] * shops_n), shops_n - 1) + 1
            used += 1
        if not points:
            continue
        d = districts_of[buyers[i]]
        lo, hi = point_start[d], point_start[d + 1]
        if hi == lo or share <= 0:
            continue
        if share < 1:
            u = uniforms[used]
            used += 1
            if not u < share:
                continue
        count = hi - lo
        if count == 1:
            pickups[i] = point_list[lo]
        else:
            pickups[i] = point_list[lo + min(int(uniforms[used] * count), count - 1)]
            used += 1
    return shops, pickups, used
