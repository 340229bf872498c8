"""Referral payouts (分销): paid out of an order's distribution line, not out of the pool.

A rule looks at one order and the buyer's sponsor chain and says who gets what. Only the
two-level rule (直推 direct and 间推 indirect, a share of every order placed below you) is here;
the full catalogue of SPEC §6 plugs in through the same :class:`PayoutRule` interface.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from fractions import Fraction
from math import floor
from typing import NamedTuple, Protocol

import numpy as np
from numba import njit


class Bonus(NamedTuple):
    member: Hashable
    amount: int  # fen
    level: int  # 1 = direct sponsor, 2 = the sponsor's sponsor, ...
    rule: str


class PayoutRule(Protocol):
    line: str

    def payouts(
        self, buyer: Hashable, amount: int, budget: int, sponsor: Callable[[Hashable], Hashable]
    ) -> list[Bonus]:
        """Bonuses for an order of ``amount`` fen; together at most ``budget`` fen (the order's
        share of ``line``); whatever they leave stays in the line's account."""
        ...


class TwoLevel:
    """直推 / 间推: ``direct`` of each order to the buyer's sponsor, ``indirect`` to theirs."""

    name = "two_level"

    def __init__(self, direct: Fraction, indirect: Fraction, line: str) -> None:
        self.shares = (Fraction(direct), Fraction(indirect))
        self.line = line
        self._due: dict[int, tuple[int, ...]] = {}  # amount -> each level's share, in fen

    def due(self, amount: int) -> tuple[int, ...]:
        """Each level's share of an order of ``amount`` fen, rounded down to the fen (cached:
        a run has few distinct order amounts)."""
        found = self._due.get(amount)
        if found is None:
            found = self._due[amount] = tuple(floor(share * amount) for share in self.shares)
        return found

    def payouts(
        self, buyer: Hashable, amount: int, budget: int, sponsor: Callable[[Hashable], Hashable]
    ) -> list[Bonus]:
        out = []
        member = buyer
        for level, due in enumerate(self.due(amount), start=1):
            member = sponsor(member)
            if member is None:
                break
            pay = min(due, budget)
            if pay > 0:
                out.append(Bonus(member, pay, level, self.name))
                budget -= pay
        return out

    def payouts_in_bulk(
        self, buyers: np.ndarray, amounts: np.ndarray, budgets: np.ndarray, sponsors: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`payouts` for a day's orders at once (``buyers``, ``amounts`` and their
        ``budgets`` in fen, in order; ``sponsors[m]``: member ``m``'s sponsor, 0 for none):
        the bonuses' members, amounts and levels, in the order :meth:`payouts` gives them."""
        distinct, where = np.unique(amounts, return_inverse=True)
        due = np.array([self.due(amount) for amount in distinct.tolist()], np.int64)
        levels = len(self.shares)
        out = np.empty((3, len(buyers) * levels), np.int64)
        n = _payouts_compiled(buyers, due.reshape(-1, levels)[where], budgets, sponsors, out)
        return out[0, :n], out[1, :n], out[2, :n]


@njit(cache=True)
def _payouts_compiled(buyers, due, budgets, sponsors, out):  # pragma: no cover - compiled
    """:meth:`TwoLevel.payouts` restated over arrays, order after order (``due[i]``: order
    ``i``'s share per level); writes member, amount and level in ``out``, returns how many.
    The tests prove it equal to the reference on random networks."""
    n = 0
    for i in range(len(buyers)):
        member = buyers[i]
        budget = budgets[i]
        for level in range(due.shape[1]):
            member = sponsors[member]
            if member == 0:
                break
            pay = min(due[i, level], budget)
            if pay > 0:
                out[0, n] = member
                out[1, n] = pay
                out[2, n] = level + 1
                n += 1
                budget -= pay
    return n
