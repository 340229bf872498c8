"""A day's joins through the distribution layer in one compiled call: each joiner's
district, where 三三滑落 spill-over places them, and what they buy (a region, a service
point, a shop brought in), drawn from the layer's stream in the reference's order.

The twins of :meth:`sim.distribution.runtime.Distribution.place` (``Venues.district`` and
:meth:`sim.distribution.spillover.SpillOver.place`) and of ``Venues.join``; the Python ones
stay the reference (``tests/test_compiled_rules.py`` compares the two). Spill-over's places
are kept in a table keyed by (recruiter, line, place): a line's places are a binary heap,
its layer ``r`` at places ``2**r - 1`` on, so the member above place ``i`` is at
``(i - 1) // 2``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.core.capacity import grown
from sim.distribution.compiled_chain import contribute_line
from sim.distribution.compiled_layout import M_RECRUITER, M_TEAM_SIZE, M_TIER
from sim.distribution.compiled_orders import assess_tier
from sim.distribution.compiled_purse import recruiter_of
from sim.distribution.spillover import slot

# what a joiner bought: (kind, member, venue id, the region's fee or the point's district)
BOUGHT_REGION, OPENED_POINT, BROUGHT_SHOP = 0, 1, 2


class SpillPlaces:
    """The compiled form of a :class:`~sim.distribution.spillover.SpillOver`'s state:
    recruits placed per recruiter (by id) and an open-addressing table of places, (key,
    member) rows, key -1 empty, never more than half full."""

    def __init__(self, spill) -> None:
        recruits = spill._recruits
        self.count = np.zeros(max([0, *recruits]) + 1, np.int64)
        for recruiter, k in recruits.items():
            self.count[recruiter] = k
        self.table = np.full((1024, 2), -1, np.int64)
        self.filled = np.zeros(1, np.int64)
        for (recruiter, line), layers in spill._layers.items():
            place = 0
            for layer in layers:
                for member in layer:
                    self.room(1, recruiter)
                    _put(self.table, self.filled, _key(recruiter, line, place), member)
                    place += 1

    def room(self, joins: int, last: int) -> None:
        """Room for ``joins`` more places and recruiters up to id ``last``."""
        if len(self.count) <= last:
            count = np.zeros(grown(len(self.count), last + 1), np.int64)
            count[: len(self.count)] = self.count
            self.count = count
        size = len(self.table)
        while 2 * (int(self.filled[0]) + joins) > size:
            size *= 2
        if size != len(self.table):
            old, self.table = self.table, np.full((size, 2), -1, np.int64)
            self.filled[0] = 0
            _rehash(old, self.table, self.filled)


# numba's on-disk cache notices edits to this file only (numba#1833), yet the code it keeps
# holds what it calls from the modules it names in DEPENDENCIES: their digest makes an edit
# to one of them an edit here (tests/test_compiled_rules.py checks it).
DEPENDENCIES = (
    "compiled_layout",
    "compiled_purse",
    "compiled_chain",
    "compiled_orders",
    "spillover",
)
DEPENDENCIES_SHA256 = "917a04d1ad983662eceb8e1eed75eb2f79bec65681995401e9ce0644508fba52"


@njit(cache=True)
def _find(table, key):
    """The row of ``key`` in the table, or the empty row where it goes."""
    mask = table.shape[0] - 1
    i = ((key >> 32) * 2654435761 + (key & 0xFFFFFFFF) * 40503) & mask
    while table[i, 0] != -1 and table[i, 0] != key:
        i = (i + 1) & mask
    return i


@njit(cache=True)
def _put(table, filled, key, member):
    i = _find(table, key)
    if table[i, 0] == -1:
        filled[0] += 1
        table[i, 0] = key
    table[i, 1] = member


@njit(cache=True)
def _rehash(old, table, filled):
    for i in range(old.shape[0]):
        if old[i, 0] != -1:
            _put(table, filled, old[i, 0], old[i, 1])


@njit(cache=True)
def _key(recruiter, line, place):
    """A place: recruiter (< 2**29), line (0-2) and place in the line (< 2**32)."""
    return ((recruiter * 3 + line) << 32) | place


# ``SpillOver``'s own slot arithmetic, compiled: one implementation for both
_slot = njit(cache=True)(slot)


@njit(cache=True)
def _spill(count, table, filled, recruiter, member):
    """``SpillOver.place``: the member under whom ``recruiter``'s next recruit goes."""
    k = count[recruiter]
    count[recruiter] = k + 1
    if k < 3:
        _put(table, filled, _key(recruiter, k, 0), member)
        return recruiter
    line, layer, pos = _slot(k - 3)
    _put(table, filled, _key(recruiter, line, (1 << layer) - 1 + pos), member)
    return table[_find(table, _key(recruiter, line, (1 << (layer - 1)) - 1 + pos // 2)), 1]


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
    members, recruiters, buys, u, districts, spill, count, table, filled,
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
        placed[i] = _spill(count, table, filled, r, m) if spill and r != 0 else r
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
def join_member(ms, sponsor, member, recruiter, contribute, ladder, team_gates, by_team):
    """``RuleSet.join`` for the rules compiled: who recruited the member where spill-over
    placed them elsewhere, (``contribute``) chain motion's lines left to the upline, and
    (``by_team``) the upline's team sizes counted and assessed for tiers
    (``TierLadder.on_join``)."""
    if recruiter != 0 and recruiter != sponsor[member]:
        ms[member, M_RECRUITER] = recruiter
    if contribute:
        r = recruiter_of(ms, sponsor, member)
        if r != 0:
            contribute_line(ms, sponsor, r, member)
    if by_team:
        a = sponsor[member]
        while a != 0:
            ms[a, M_TEAM_SIZE] += 1
            if ms[a, M_TEAM_SIZE] >= team_gates[ms[a, M_TIER]]:
                assess_tier(ms, a, ladder, ladder.shape[0])
            a = sponsor[a]


@njit(cache=True)
def join_members(ms, sponsor, members, recruiters, contribute, ladder, team_gates, by_team):
    """:func:`join_member` for each joiner, in order."""
    for i in range(members.shape[0]):
        join_member(ms, sponsor, members[i], recruiters[i], contribute, ladder, team_gates, by_team)
