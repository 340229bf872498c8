"""Withdrawals of members' cash (零钱) to their banks: a FIFO queue under an optional daily cap.

Members ask to withdraw; each day the platform pays the queue in order, up to the cap (a
partly paid request keeps its place). A halted platform pays nothing, so the queue is what
members are owed but cannot get.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable

import numpy as np
from numba import njit

from sim.core.book import Book
from sim.core.capacity import grown
from sim.core.mechanics import MEMBER_CASH, WITHDRAWN


class WithdrawalQueue:
    def __init__(self, daily_cap: int | None) -> None:
        self.daily_cap = daily_cap
        self.queued = 0  # fen waiting
        self._queue: deque[list] = deque()  # [member, fen]
        self._waiting: dict[Hashable, int] = {}

    def request(self, book: Book, member: Hashable) -> None:
        """Ask to withdraw the member's whole cash balance not already queued."""
        amount = book.cash_balance(member) - self._waiting.get(member, 0)
        if amount > 0:
            self._queue.append([member, amount])
            self._waiting[member] = self._waiting.get(member, 0) + amount
            self.queued += amount

    def waiting_all(self, members: int) -> np.ndarray:
        """Fen members ``1 .. members`` have asked to withdraw and not yet been paid, as an
        array (exact ints if large)."""
        column = [self._waiting.get(member, 0) for member in range(1, members + 1)]
        try:
            return np.array(column, np.int64)
        except OverflowError:
            return np.array(column, object)

    def pay(self, book: Book) -> int:
        """Pay requests in order up to the day's cap; returns fen paid."""
        budget = self.daily_cap
        paid = 0
        queue = self._queue
        while queue and (budget is None or budget > 0):
            head = queue[0]
            member, amount = head
            pay = amount if budget is None else min(amount, budget)
            book.withdraw(member, pay)
            paid += pay
            if budget is not None:
                budget -= pay
            head[1] -= pay
            self._waiting[member] -= pay
            if head[1] == 0:
                queue.popleft()
                if self._waiting[member] == 0:
                    del self._waiting[member]
        self.queued -= paid
        return paid


class CompiledWithdrawals:
    """The same queue for the compiled core (``run.core: fast``), over arrays and compiled:
    requests in bulk, in order (:meth:`request_all`), the day's payments in one pass and
    one posting. The tests compare the two cores' files, capped and halted."""

    def __init__(self, daily_cap: int | None) -> None:
        self.daily_cap = daily_cap
        self.queued = 0
        self._member = np.zeros(1024, np.int64)  # the queue: request i is member, fen
        self._amount = np.zeros(1024, np.int64)
        self._head = self._tail = 0
        self._waiting = np.zeros(1024, np.int64)  # by member row

    def _room(self, requests: int, rows: int) -> None:
        if self._head and self._head * 2 >= self._tail:  # drop the paid requests
            kept = slice(self._head, self._tail)
            self._tail -= self._head
            self._member[: self._tail] = self._member[kept]
            self._amount[: self._tail] = self._amount[kept]
            self._head = 0
        self._member, self._amount = (
            _grown(column, self._tail + requests) for column in (self._member, self._amount)
        )
        self._waiting = _grown(self._waiting, rows)

    def request(self, book, member: int) -> None:
        self.request_all(book, np.array([member], np.int64))

    def request_all(self, book, members: np.ndarray) -> None:
        """:meth:`WithdrawalQueue.request` for each of ``members`` (ids), in order."""
        if not len(members):
            return
        self._room(len(members), book.kernel.capacity)
        self._tail, asked = _request(
            members,
            book._cash,
            book._bonus,
            book._withdrawn,
            self._waiting,
            self._member,
            self._amount,
            self._tail,
        )
        self.queued += asked

    def waiting_all(self, members: int) -> np.ndarray:
        """Fen members ``1 .. members`` are waiting for, as an array."""
        column = np.zeros(members, np.int64)
        known = min(members, len(self._waiting))
        column[:known] = self._waiting[:known]
        return column

    def pay(self, book) -> int:
        """Pay requests in order up to the day's cap; returns fen paid."""
        if self._head == self._tail:
            return 0
        budget = -1 if self.daily_cap is None else self.daily_cap
        self._head, paid = _pay(
            budget,
            self._member,
            self._amount,
            self._head,
            self._tail,
            self._waiting,
            book._withdrawn,
        )
        if paid:
            book.ledger.transfer(MEMBER_CASH, WITHDRAWN, paid)
        self.queued -= paid
        return paid


def _grown(column: np.ndarray, size: int) -> np.ndarray:
    """``column``, or a longer copy (sim.core.capacity) if it is shorter than ``size``."""
    if size <= len(column):
        return column
    out = np.zeros(grown(len(column), size), column.dtype)
    out[: len(column)] = column
    return out


@njit(cache=True)
def _request(members, cash, bonus, withdrawn, waiting, member, amount, tail):  # pragma: no cover
    """Queue each member's cash balance not already queued; returns the new tail and the
    fen asked for."""
    asked = 0
    for who in members:
        m = who - 1
        left = cash[m] + bonus[m] - withdrawn[m] - waiting[m]
        if left > 0:
            member[tail] = who
            amount[tail] = left
            tail += 1
            waiting[m] += left
            asked += left
    return tail, asked


@njit(cache=True)
def _pay(budget, member, amount, head, tail, waiting, withdrawn):  # pragma: no cover
    """Pay the queue from ``head`` in order up to ``budget`` fen (-1: no cap; a partly paid
    request keeps its place); returns the new head and the fen paid."""
    paid = 0
    while head < tail and budget != 0:
        m = member[head] - 1
        pay = amount[head] if budget < 0 else min(amount[head], budget)
        withdrawn[m] += pay
        paid += pay
        if budget > 0:
            budget -= pay
        amount[head] -= pay
        waiting[m] -= pay
        if amount[head] == 0:
            head += 1
    return head, paid
