"""The referral network (推荐关系): who recruited whom, cheap to grow and query at millions.

The tree the bonus rules read (:class:`sim.distribution.base.Network`), in the agent model
and in the replay of a platform's own log alike.

Members are the ints 1, 2, 3, ... in join order, and a sponsor always joins before their
recruit, so every sponsor's id is smaller than its recruit's. That order makes the whole tree
cheap: a pass from the last member to the first meets every recruit before its sponsor, so
team sizes and team heights are one compiled O(n) loop, without recursion or a Python object
per member. Storage is seven int32 arrays indexed by member id (slot 0 unused; 0 means "no
one") that grow by a quarter when full (:mod:`sim.core.capacity`): 28 bytes a member, at
most 35 just after growing.

Each member's lines (direct recruits) are first-child / next-sibling links, newest first: a
new recruit is pushed in front in O(1) without a last-child array, and :meth:`lines`
reverses them to join order.

Team sizes (everyone below a member, all levels) are brought up to date when asked, not on
each join: the members who joined since the last answer are either added to each of their
ancestors (cost: the sum of their depths) or the table is redone in one reverse pass (cost:
n), whichever is cheaper. Random trees are about ln n deep, so asking after every join costs
a few steps; a chain (depth ~ n) costs at most n per question. Adding every join to all its
ancestors at once would cost the sum of all depths — ~n²/2 for a chain — even if nobody asked.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numba import njit

from sim.core.capacity import grown


class ReferralNetwork:
    """The sponsor tree (a forest: members sponsored by nobody are roots, depth 1)."""

    _ARRAYS = ("_sponsor", "_depth", "_first", "_next", "_direct", "_region", "_team")
    # made when first written (a run without regions never needs them; team sizes are
    # counted at the end): 8 bytes a member less while the run steps
    _LAZY = ("_region", "_team")

    def __init__(self, capacity: int = 1024) -> None:
        for name in self._ARRAYS:
            size = 0 if name in self._LAZY else max(capacity, 2)
            setattr(self, name, np.zeros(size, np.int32))
        self._n = 0
        self._roots = 0
        self._max_depth = 0
        self._team_upto = 0  # the team table counts members 1 .. _team_upto

    def __len__(self) -> int:
        return self._n

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays (their whole capacity)."""
        return sum(getattr(self, name).nbytes for name in self._ARRAYS)

    # -- growing ----------------------------------------------------------------------------

    def add(self, member: int, sponsor: int | None = None, region: int = 0) -> None:
        """Member ``member`` (the next id, ``len + 1``) joins under ``sponsor`` (None: a root,
        recruited by the platform itself), in ``region`` (an int code)."""
        n = self._n + 1
        if member != n:
            raise ValueError(f"member {member} joins out of order: the next member is {n}")
        if n == len(self._sponsor):
            self._grow()
        if sponsor is None:
            depth = 1
            self._roots += 1
        else:
            if not 0 < sponsor < n:
                raise ValueError(f"sponsor {sponsor} of member {member} has not joined")
            depth = int(self._depth[sponsor]) + 1
            self._sponsor[n] = sponsor
            self._next[n] = self._first[sponsor]
            self._first[sponsor] = n
            self._direct[sponsor] += 1
        self._depth[n] = depth
        if region:
            self._made("_region")[n] = region
        if depth > self._max_depth:
            self._max_depth = depth
        self._n = n

    def set_regions(self, members: np.ndarray, regions: np.ndarray) -> None:
        """The region codes of members added by compiled code."""
        if len(regions) and regions.any():
            self._made("_region")[members] = regions

    def reserve(self, members: int) -> None:
        """Room for ``members`` more (the arrays are replaced: re-read them)."""
        if len(self._sponsor) <= self._n + members:
            self._grow(self._n + members + 1)

    def arrays(self) -> tuple[np.ndarray, ...]:
        """``sponsor``, ``depth``, ``first``, ``next`` and ``direct``, for compiled code that
        adds members (:func:`sim.model.joining.network_add`; room reserved first)."""
        return self._sponsor, self._depth, self._first, self._next, self._direct

    def counts(self) -> tuple[int, int, int]:
        """Members, roots and the deepest level: what :meth:`add` keeps beside the arrays."""
        return self._n, self._roots, self._max_depth

    def grown_to(self, members: int, roots: int, deepest: int) -> None:
        """Compiled code added members up to ``members`` (see :meth:`counts`)."""
        self._n, self._roots, self._max_depth = members, roots, deepest

    def _made(self, name: str) -> np.ndarray:
        """A lazy array, made at the others' length the first time it is written."""
        array = getattr(self, name)
        if len(array) != len(self._sponsor):
            array = np.zeros(len(self._sponsor), np.int32)
            setattr(self, name, array)
        return array

    def _grow(self, needed: int = 0) -> None:
        size = grown(len(self._sponsor), needed)
        for name in self._ARRAYS:
            old = getattr(self, name)
            if name in self._LAZY and not len(old):
                continue
            new = np.zeros(size, old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)

    # -- one member -------------------------------------------------------------------------

    def _known(self, member: int) -> int:
        if not 0 < member <= self._n:
            raise KeyError(f"member {member} is not in the network of {self._n}")
        return member

    def sponsor(self, member: int) -> int | None:
        return int(self._sponsor[self._known(member)]) or None

    def depth(self, member: int) -> int:
        """1 for a root, 2 for a root's recruit, ..."""
        return int(self._depth[self._known(member)])

    def upline(self, member: int, levels: int | None = None) -> Iterator[int]:
        """The member's sponsor, their sponsor, ... (at most ``levels`` of them)."""
        sponsor_of = self._sponsor.item  # a plain int, faster than indexing, per ancestor
        up = sponsor_of(self._known(member))
        left = -1 if levels is None else levels
        while up and left:
            yield up
            up = sponsor_of(up)
            left -= 1

    def direct_count(self, member: int) -> int:
        return int(self._direct[self._known(member)])

    def lines(self, member: int) -> list[int]:
        """The member's direct recruits, in join order."""
        out, after = [], self._next
        child = int(self._first[self._known(member)])
        while child:
            out.append(child)
            child = int(after[child])
        out.reverse()
        return out

    def team_size(self, member: int) -> int:
        """Everyone below the member, all levels (the member not counted)."""
        self._known(member)
        self._update_teams()
        return int(self._made("_team")[member])

    def region(self, member: int) -> int:
        self._known(member)
        return int(self._region[member]) if len(self._region) else 0

    # -- the whole network (arrays indexed by member id; entry 0 unused) ----------------------

    def root_count(self) -> int:
        return self._roots

    def max_depth(self) -> int:
        return self._max_depth

    def depth_counts(self) -> np.ndarray:
        """Members at each depth: ``counts[d]``, with ``counts[0] == 0``."""
        return np.bincount(self._depth[1 : self._n + 1], minlength=self._max_depth + 1)

    def sponsors(self) -> np.ndarray:
        """Each member's sponsor, 0 for a root (read-only views, like those below)."""
        return _frozen(self._sponsor[: self._n + 1])

    def regions(self) -> np.ndarray:
        """Each member's region code (0: none)."""
        if not len(self._region):
            return _frozen(np.zeros(self._n + 1, np.int32))
        return _frozen(self._region[: self._n + 1])

    def depths(self) -> np.ndarray:
        return _frozen(self._depth[: self._n + 1])

    def direct_counts(self) -> np.ndarray:
        return _frozen(self._direct[: self._n + 1])

    def team_sizes(self) -> np.ndarray:
        """Every member's :meth:`team_size` (a read-only view, current until the next add)."""
        self._update_teams()
        return _frozen(self._made("_team")[: self._n + 1])

    def levels(self) -> np.ndarray:
        """Levels of each member's team counting the member's own: 1 for a member who
        recruited nobody, 3 for one with a recruit's recruit. One reverse pass."""
        levels = np.ones(self._n + 1, np.int32)
        levels[0] = 0
        _fold_levels(self._sponsor, levels, self._n)
        return levels

    def _update_teams(self) -> None:
        n, done = self._n, self._team_upto
        if done == n:
            return
        self._made("_team")
        new = n - done
        if new * (self._max_depth - 1) <= n or (
            int(self._depth[done + 1 : n + 1].sum(dtype=np.int64)) - new <= n
        ):
            _count_into_ancestors(self._sponsor, self._team, done + 1, n)
        else:
            self._team[: n + 1] = 0
            _fold_team_sizes(self._sponsor, self._team, n)
        self._team_upto = n


def _frozen(view: np.ndarray) -> np.ndarray:
    view = view.view()
    view.flags.writeable = False
    return view


@njit(cache=True)
def _count_into_ancestors(sponsor, team, first, last):  # pragma: no cover - compiled
    for member in range(first, last + 1):
        up = sponsor[member]
        while up:
            team[up] += 1
            up = sponsor[up]


@njit(cache=True)
def _fold_team_sizes(sponsor, team, n):  # pragma: no cover - compiled
    for member in range(n, 0, -1):
        up = sponsor[member]
        if up:
            team[up] += team[member] + 1


@njit(cache=True)
def _fold_levels(sponsor, levels, n):  # pragma: no cover - compiled
    for member in range(n, 0, -1):
        up = sponsor[member]
        if up and levels[member] >= levels[up]:
            levels[up] = levels[member] + 1
