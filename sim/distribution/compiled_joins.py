"""A day's joins through the distribution layer in one compiled call: each joiner's
district, where 三三滑落 spill-over places them, and what they buy (a region, a service
point, a shop brought in), drawn from the layer's stream in the reference's order.

The twins of :meth:`sim.distribution.runtime.Distribution.place` (``Venues.district`` and
:meth:`sim.distribution.spillover.SpillOver.place`) and of ``Venues.join``; the Python ones
stay the reference (``tests/test_compiled_rules.py`` compares the two). Spill-over's places
are kept in a dict keyed by (recruiter, line, place): a line's places are a binary heap, its
layer ``r`` at places ``2**r - 1`` on, so the member above place ``i`` is at ``(i - 1) // 2``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, types
from numba.typed import Dict

from sim.distribution.compiled_orders import join_member

# what a joiner bought: (kind, member, venue id, the region's fee or the point's district)
BOUGHT_REGION, OPENED_POINT, BROUGHT_SHOP = 0, 1, 2


def spill_places(spill) -> tuple[np.ndarray, Dict]:
    """The compiled form of a :class:`~sim.distribution.spillover.SpillOver`'s state:
    recruits placed per recruiter (by id) and the dict of places."""
    recruits = spill._recruits
    count = np.zeros(max([0, *recruits]) + 1, np.int64)
    for recruiter, k in recruits.items():
        count[recruiter] = k
    slots = Dict.empty(types.int64, types.int64)
    for (recruiter, line), layers in spill._layers.items():
        place = 0
        for layer in layers:
            for member in layer:
                slots[_key(recruiter, line, place)] = member
                place += 1
    return count, slots


@njit(cache=True)
def _key(recruiter, line, place):
    return ((recruiter * 3 + line) << 32) | place


@njit(cache=True)
def _slot(s):
    """``spillover._slot``: the ``s``-th slid-down recruit's (line, layer, position)."""
    layer = 1
    while True:
        width = 1 << layer
        if s < width:
            return 2, layer, s
        s -= width
        if s < 2 * width:
            return s // width, layer, s % width
        s -= 2 * width
        layer += 1


@njit(cache=True)
def _spill(count, slots, recruiter, member):
    """``SpillOver.place``: the member under whom ``recruiter``'s next recruit goes."""
    k = count[recruiter]
    count[recruiter] = k + 1
    if k < 3:
        slots[_key(recruiter, k, 0)] = member
        return recruiter
    line, layer, pos = _slot(k - 3)
    slots[_key(recruiter, line, (1 << layer) - 1 + pos)] = member
    return slots[_key(recruiter, line, (1 << (layer - 1)) - 1 + pos // 2)]


@njit(cache=True)
def _chance(u, used, p):
    """``sim.draws.chance`` on the numbers ``u`` (no draw when the outcome is certain):
    (outcome, numbers used)."""
    if p <= 0:
        return False, used
    if p >= 1:
        return True, used
    return u[used] < p, used + 1


@njit(cache=True)
def place_joins(
    members, recruiters, buys, u, districts, spill, count, slots,
    regions, region_chain, region_level, level_fee, region_owner, take_up,
    service, open_share, point_district, points,
    merchant, shops, recruited, recruit_share, promoter,
    placed, district_of, bought,
):  # fmt: skip
    """Each joiner in order: district, place, purchases (``bought`` rows). Returns the
    numbers of ``u`` used and the rows of ``bought`` written. ``points`` and ``recruited``
    are one-element counters; ``level_fee`` < 0: that level is not for sale."""
    used = 0
    rows = 0
    n_districts = districts.shape[0]
    for i in range(members.shape[0]):
        m, r = members[i], recruiters[i]
        if n_districts == 1:
            d = districts[0]
        else:
            d = districts[min(int(u[used] * n_districts), n_districts - 1)]
            used += 1
        district_of[i] = d
        placed[i] = _spill(count, slots, r, m) if spill and r != 0 else r
        if not buys:
            continue
        if regions:
            unsold = -1
            for c in range(region_chain.shape[1]):
                region = region_chain[d, c]
                if region < 0:
                    break
                if region_owner[region] == 0 and level_fee[region_level[region]] >= 0:
                    unsold = region
                    break
            if unsold >= 0:
                yes, used = _chance(u, used, take_up)
                if yes:
                    region_owner[unsold] = m
                    bought[rows, 0], bought[rows, 1], bought[rows, 2] = BOUGHT_REGION, m, unsold
                    bought[rows, 3] = level_fee[region_level[unsold]]
                    rows += 1
        if service:
            yes, used = _chance(u, used, open_share)
            if yes:
                points[0] += 1
                point_district[points[0]] = d
                bought[rows, 0], bought[rows, 1], bought[rows, 2] = OPENED_POINT, m, points[0]
                bought[rows, 3] = d  # the point's district (its fee is the scenario's)
                rows += 1
        if merchant and recruited[0] < shops:
            yes, used = _chance(u, used, recruit_share)
            if yes:
                recruited[0] += 1
                promoter[recruited[0]] = m
                bought[rows, 0], bought[rows, 1], bought[rows, 2] = BROUGHT_SHOP, m, recruited[0]
                bought[rows, 3] = 0
                rows += 1
    return used, rows


@njit(cache=True)
def join_members(ms, sponsor, members, recruiters, contribute):
    """:func:`~sim.distribution.compiled_orders.join_member` for each joiner, in order."""
    for i in range(members.shape[0]):
        join_member(ms, sponsor, members[i], recruiters[i], contribute)
