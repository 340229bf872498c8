"""Withdrawals of members' cash (零钱) to their banks: a FIFO queue under an optional daily cap.

Members ask to withdraw; each day the platform pays the queue in order, up to the cap (a
partly paid request keeps its place). A halted platform pays nothing, so the queue is what
members are owed but cannot get.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable

from sim.core.book import Book


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

    def waiting(self, member: Hashable) -> int:
        """Fen ``member`` has asked to withdraw and not yet been paid."""
        return self._waiting.get(member, 0)

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
