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

from sim.distribution.compiled_chain import pay_chain
from sim.distribution.compiled_layout import (
    K_CHAIN,
    K_DIFFERENTIAL,
    K_DIRECT,
    K_MERCHANT,
    K_POOL,
    K_REGIONAL,
    K_SERVICE,
    M_OWN_ORDERS,
    M_OWN_VOLUME,
    M_TEAM_ORDERS,
    M_TEAM_SIZE,
    M_TEAM_VOLUME,
    M_TIER,
    R_DIFF_PEER,
    R_DIFFERENTIAL,
    R_DIRECT,
    R_MERCHANT,
    R_REGIONAL,
    R_SERVICE,
    S_DIFFERENTIAL,
    S_INCLUDE_BUYER,
    S_KIND,
    S_LEVELS,
    S_LINE,
    S_PEER_DEN,
    S_PEER_NUM,
    S_POOL,
    S_UNPAID,
)
from sim.distribution.compiled_purse import cap, emit, recruiter_of

# numba's on-disk cache notices edits to this file only (numba#1833), yet the code it keeps
# holds what it calls from the modules it names in DEPENDENCIES: their digest makes an edit
# to one of them an edit here (tests/test_compiled_rules.py checks it).
DEPENDENCIES = ("compiled_layout", "compiled_purse", "compiled_chain")
DEPENDENCIES_SHA256 = "c5fbfdb8c65f118704a5399d02837421964d40ca2577c6dc5f21bd497c52f12e"


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
            earned = cap(dues[tier] - paid_due, left)
            emit(out, g, member, earned, line, R_DIFFERENTIAL, level, reason)
            left -= earned
            paid_tier, paid_due = tier, dues[tier]
            peer_open = p[S_PEER_DEN] != 0
        elif peer_open and tier == paid_tier:
            bonus = cap(p[S_PEER_NUM] * earned // p[S_PEER_DEN], left)
            emit(out, g, member, bonus, line, R_DIFF_PEER, level, reason)
            left -= bonus
            peer_open = False
        if paid_tier == top and not peer_open:
            break
    left_over[line, p[S_UNPAID]] += left


@njit(cache=True)
def _pay_one(g, out, left_over, member, due, budget, p, rule, reason):
    """A rule that pays one member (0: nobody) its due out of the budget, the rest unpaid."""
    paid = cap(due, budget) if member != 0 else 0
    emit(out, g, member, paid, p[S_LINE], rule, 0, reason)
    left_over[p[S_LINE], p[S_UNPAID]] += budget - paid


@njit(cache=True)
def assess_tier(ms, member, ladder, t_count):
    """``TierLadder._assess``: the highest tier above the member's whose every assessment
    condition holds (``ladder`` rows: pack, own spend, team volume, team size; -1: not
    set)."""
    own, volume, team = ms[member, M_OWN_VOLUME], ms[member, M_TEAM_VOLUME], ms[member, M_TEAM_SIZE]
    for t in range(t_count, ms[member, M_TIER], -1):
        spend, needs_volume, needs_team = ladder[t - 1, 1], ladder[t - 1, 2], ladder[t - 1, 3]
        if spend < 0 and needs_volume < 0 and needs_team < 0:
            continue  # a tier bought with a pack only is not assessed
        if (
            (spend < 0 or own >= spend)
            and (needs_volume < 0 or volume >= needs_volume)
            and (needs_team < 0 or team >= needs_team)
        ):
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
    assess_tier(ms, buyer, ladder, t_count)
    if by_volume:
        for i in range(m):
            a = up[i]
            if ms[a, M_TEAM_VOLUME] >= gates[ms[a, M_TIER]]:
                assess_tier(ms, a, ladder, t_count)


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
                pay_chain(ms, fz, g, out, left_over, sponsor, up, m, buyer, reason, budget, p, due)
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
                    paid = cap(d, left)
                    emit(out, g, owner, paid, p[S_LINE], R_REGIONAL, 0, reason)
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
                    member = recruiter_of(ms, sponsor, member)
                    if member == 0:
                        break
                    paid = cap(due[level], left)
                    emit(out, g, member, paid, p[S_LINE], R_DIRECT, level + 1, reason)
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
