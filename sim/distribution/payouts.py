"""Every fen the rules paid to members in a run, summed by member, rule, level and reason.

A run with millions of members pays tens of millions of bonuses, so they are not kept one by
one: each payout is appended to three plain lists, and every ``flush_at`` payouts the lists
are folded into sorted numpy arrays of totals keyed by ``member << 20 | kind`` (a *kind* is
one (rule, level, reason), numbered as first seen). Memory follows the distinct (member,
kind) pairs, not the payouts. :meth:`PayoutLog.totals` gives the table the outputs are made
of, sorted by member, rule, level and reason, whatever order the kinds were seen in.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby, repeat
from operator import itemgetter
from typing import NamedTuple

import numpy as np

from sim.distribution.base import Payout

KIND_BITS = 20


class Totals(NamedTuple):
    """The summed payouts, one row per (member, rule, level, reason), fen."""

    member: np.ndarray  # int64
    rule: list[str]
    level: np.ndarray  # int64
    reason: list[str]
    fen: np.ndarray  # int64
    kinds: list[tuple[str, int, str]]  # the distinct (rule, level, reason), sorted
    kind: np.ndarray  # int64: each row's index into ``kinds``


class PayoutLog:
    def __init__(self, flush_at: int = 1 << 20) -> None:
        self.flush_at = flush_at
        self.kinds: dict[tuple[str, int, str], int] = {}
        self._members: list[int] = []
        self._kinds: list[int] = []
        self._fen: list[int] = []
        self._keys = np.zeros(0, np.int64)
        self._sums = np.zeros(0, np.int64)
        self._coded: list[tuple[np.ndarray, ...]] = []  # (members, kinds, fen) from add_coded
        self._coded_rows = 0
        self._totals: Totals | None = None  # until the next payout

    def add(self, payouts: Iterable[Payout]) -> None:
        """Log payouts; they come in runs of one kind (a dividend's thousands of equal
        shares), so each run is appended whole."""
        self._totals = None
        for kind, run in groupby(payouts, key=itemgetter(2, 3, 4)):  # rule, level, reason
            run = list(run)
            code = self._code(kind)
            self._members += map(itemgetter(0), run)
            self._fen += map(itemgetter(1), run)
            self._kinds += repeat(code, len(run))
        if len(self._members) >= self.flush_at:
            self._flush()

    def _code(self, kind: tuple[str, int, str]) -> int:
        """The number of a (rule, level, reason) kind, given in the order kinds are first
        seen; at most 2**20 of them fit beside a member id in a key."""
        code = self.kinds.get(kind)
        if code is None:
            code = self.kinds[kind] = len(self.kinds)
            if code >= 1 << KIND_BITS:
                raise OverflowError("more than 2**20 (rule, level, reason) kinds")
        return code

    def add_coded(self, members, rules, levels, reasons, fen, names) -> None:
        """:meth:`add` for payouts as arrays (the compiled rules'): ``rules`` and
        ``reasons`` index ``names`` = (rule names, reason names), the same on every call;
        the (rule, level, reason) kinds are numbered when the arrays are folded."""
        self._totals = None
        self._names = names
        packed = (levels.astype(np.int64) * len(names[0]) + rules) * len(names[1]) + reasons
        self._coded.append((members.astype(np.int64), packed, fen.astype(np.int64)))
        self._coded_rows += len(members)
        if self._coded_rows >= self.flush_at:
            self._flush()

    def _coded_keys(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """The arrays from :meth:`add_coded` as keys (member and kind code) and fen."""
        if not self._coded:
            return [], []
        rule_names, reason_names = self._names
        packed = np.concatenate([p for _, p, _ in self._coded])
        distinct, where = _distinct(packed)
        codes = []
        for key in distinct.tolist():
            rest, reason = divmod(key, len(reason_names))
            level, rule = divmod(rest, len(rule_names))
            codes.append(self._code((rule_names[rule], level, reason_names[reason])))
        members = np.concatenate([m for m, _, _ in self._coded])
        keys = (members << KIND_BITS) | np.array(codes, np.int64)[where]
        return [keys], [np.concatenate([f for _, _, f in self._coded])]

    def _flush(self) -> None:
        if not self._members and not self._coded:
            return
        keys = (np.array(self._members, np.int64) << KIND_BITS) | np.array(self._kinds, np.int64)
        coded_keys, coded_fen = self._coded_keys()
        self._keys, self._sums = _fold(
            np.concatenate([self._keys, keys, *coded_keys]),
            np.concatenate([self._sums, np.array(self._fen, np.int64), *coded_fen]),
        )
        self._members, self._kinds, self._fen = [], [], []
        self._coded, self._coded_rows = [], 0

    def totals(self) -> Totals:
        """The payouts summed, sorted by member, rule, level, reason (worked out once until
        the next payout: the summary and the bonuses table both read it)."""
        if self._totals is None:
            self._totals = self._summed()
        return self._totals

    def _summed(self) -> Totals:
        self._flush()
        names = sorted(self.kinds)
        rank = np.zeros(len(self.kinds) + 1, np.int64)
        for i, kind in enumerate(names):
            rank[self.kinds[kind]] = i
        members = self._keys >> KIND_BITS
        ranks = rank[self._keys & ((1 << KIND_BITS) - 1)]
        order = np.lexsort((ranks, members))
        ranks, members, fen = ranks[order], members[order], self._sums[order]
        rules = np.array([r for r, _, _ in names] or [""], object)[ranks].tolist()
        reasons = np.array([r for _, _, r in names] or [""], object)[ranks].tolist()
        levels = np.array([lvl for _, lvl, _ in names] or [0], np.int64)[ranks]
        return Totals(members, rules, levels, reasons, fen, names, ranks)


def _distinct(packed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(packed, return_inverse=True)`` for the few kinds of millions of payouts:
    the rows are sorted only when the kinds are too spread out for a table of them."""
    if not len(packed):
        return packed, packed
    low, high = int(packed.min()), int(packed.max())
    if high - low > 4 * len(packed) + (1 << 16):
        distinct, where = np.unique(packed, return_inverse=True)
        return distinct, where.reshape(-1)
    seen = np.zeros(high - low + 1, np.int64)
    seen[packed - low] = 1
    present = np.flatnonzero(seen)
    seen[present] = np.arange(len(present))
    return present + low, seen[packed - low]


def _fold(keys: np.ndarray, fen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sum ``fen`` by ``keys``: the distinct keys in order, and their exact int64 sums (the
    order of equal keys does not change an integer sum, so the sort need not be stable)."""
    order = np.argsort(keys)
    keys, fen = keys[order], fen[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.zeros(0, int)
    return keys[starts], np.add.reduceat(fen, starts) if len(keys) else fen
