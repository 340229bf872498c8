"""When a replayed platform could no longer pay: the first day a withdrawal request the
records show (``withdraw`` rows of kind ``requested``) had waited ``wait_days`` days unpaid.

A request made on day r and not settled by the member's paid withdrawals by the end of day
``r + wait_days`` makes the platform insolvent on that day (``wait_days`` is the scenario's
``collapse.unpaid_withdrawals.request_wait_days``, 1 unless set: a request still unpaid the
day after it was made). A log is read in time order, so this is decided as the days pass:
when the next row is on a later day, and at the end of the log (a request made on the last
day has not yet waited). A member's paid withdrawals settle their own oldest requests first.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass
class Request:
    day: int
    member: str
    left: int  # fen not yet paid


@dataclass
class RequestQueue:
    """Withdrawal requests in the order they were made, and the insolvency day they show."""

    wait_days: int = 1
    insolvent_day: int | None = None
    queued_then: int = 0  # fen asked for and unpaid on the insolvency day
    queued: int = 0  # fen asked for and unpaid now
    _all: deque = field(default_factory=deque)
    _by_member: dict = field(default_factory=dict)

    def request(self, day: int, member: str, amount: int) -> None:
        ask = Request(day, member, amount)
        self._all.append(ask)
        self._by_member.setdefault(member, deque()).append(ask)
        self.queued += amount

    def waiting(self, member: str) -> int:
        """Fen the member has asked for and not been paid."""
        return sum(ask.left for ask in self._by_member.get(member, ()))

    def settle(self, member: str, amount: int) -> None:
        """A paid withdrawal of ``amount`` fen settles the member's oldest requests."""
        mine = self._by_member.get(member)
        while mine and amount:
            ask = mine[0]
            paid = min(ask.left, amount)
            ask.left -= paid
            amount -= paid
            self.queued -= paid
            if not ask.left:
                mine.popleft()

    def day_passed(self, last: int, next_day: int | None) -> None:
        """The log moves from day ``last`` to ``next_day`` (None: it ends after ``last``):
        every day up to ``next_day - 1`` (the end: ``last``) has ended."""
        if self.insolvent_day is not None:
            return
        while self._all and not self._all[0].left:
            self._all.popleft()
        if not self._all:
            return
        due = self._all[0].day + self.wait_days  # the end of this day is the test
        ended = last if next_day is None else next_day - 1
        if due <= ended:
            # due >= last: an earlier request would have been caught at an earlier day's end,
            # so nothing has changed between the end of day ``due`` and now
            self.insolvent_day = due
            self.queued_then = self.queued
