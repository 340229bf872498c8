"""What a log's rows other than buys and sales mean: who recruited whom, the bonuses the
platform's records say it paid, withdrawals (paid, or asked for and queued), fees.

The book (:class:`sim.core.book.Book`) keeps the points, the pool and each member's cash; this
keeps the referral tree and the records beside it, and posts their money to the book's ledger
so that every fen stays in exactly one account:

- a ``bonus`` moves money from the bonus line of the split (the scenario's
  ``referral.paid_from``, else ``distribution``) to the member's cash; what the line does not
  hold enters from outside the orders (ledger source ``unfunded_bonuses``: the operator's
  margin or other members' money — the log cannot tell which);
- a ``withdraw`` of kind ``paid`` moves money from the member's cash out of the platform
  (account ``withdrawn``); of kind ``requested`` it only records the member's ask (the
  platform's records show it queued); a later paid withdrawal settles the member's requests
  first;
- a ``fee`` enters as platform income in ``<kind>_fees`` (``region_fees``,
  ``service_point_fees``, ...), like the distribution layer's fees.

A member appears with their join, or with their first row of any other kind (then with no
sponsor). A sponsor must have appeared before; a member joins once, and a join after the
member's first row may not give them a sponsor. So the tree can have no cycle.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sim.core.book import Book
from sim.core.mechanics import WITHDRAWN
from sim.core.units import fen_to_yuan
from sim.distribution.base import Income
from sim.distribution.booking import take_fees
from sim.errors import InputError
from sim.replay.event_rules import Event
from sim.replay.history import MoneyHistory
from sim.replay.insolvency import RequestQueue

UNFUNDED = "unfunded_bonuses"  # ledger source: bonuses beyond what the bonus line held


@dataclass
class Appearance:
    """A member's place in the tree: sponsor (None: a root), first day and line, and the line
    of their join row (None: none yet)."""

    sponsor: str | None
    day: int
    line: int
    joined: int | None
    place: int = 0  # the order of first appearance, from 0


@dataclass
class Records:
    """The tree and the records of one replay, in order of first appearance."""

    book: Book
    bonus_line: str
    source: Path | None = None
    members: dict[str, Appearance] = field(default_factory=dict)
    fees: Counter = field(default_factory=Counter)  # fen by member
    bonuses: Counter = field(default_factory=Counter)  # fen by (member, kind)
    bonus_sources: Counter = field(default_factory=Counter)  # fen by (member, source member)
    bonus_days: dict = field(default_factory=dict)  # (member, source member) -> first day
    # the money each member paid in and got, day by day (sim.replay.history)
    history: MoneyHistory = field(default_factory=MoneyHistory)
    queue: RequestQueue = field(default_factory=RequestQueue)  # withdrawals asked for
    unfunded: int = 0  # fen of bonuses beyond the bonus line's balance

    def appear(self, event: Event) -> None:
        """The member of ``event`` enters the tree as a root if this is their first row."""
        if event.member not in self.members:
            place = len(self.members)
            self.members[event.member] = Appearance(None, event.day, event.line, None, place)

    def join(self, event: Event) -> None:
        member, sponsor = event.member, event.other
        seen = self.members.get(member)
        if seen is not None and seen.joined is not None:
            raise self._refused(
                event, f"member {member} joins twice (they joined on line {seen.joined})"
            )
        if seen is not None and sponsor is not None:
            raise self._refused(
                event,
                f"member {member} first appeared on line {seen.line} with no sponsor; a later "
                f"join may not give them sponsor {sponsor}",
                "sponsor",
            )
        if sponsor is not None and sponsor not in self.members:
            raise self._refused(
                event, f"sponsor {sponsor} has not joined (no earlier row names them)", "sponsor"
            )
        if seen is None:
            place = len(self.members)
            self.members[member] = Appearance(sponsor, event.day, event.line, event.line, place)
        else:
            seen.joined = event.line

    def bonus(self, event: Event) -> None:
        """The records' bonus, posted from the bonus line (the shortfall enters unfunded)."""
        source = None if event.other is None else self.members.get(event.other)
        if event.other is not None and (source is None or source.line >= event.line):
            # (the compiled replay has placed a whole chunk's members before it pays bonuses)
            raise self._refused(
                event,
                f"source member {event.other} has not appeared (no earlier row names them)",
                "source_member",
            )
        if self.bonus_line not in self.book.ledger.accounts:
            raise self._refused(
                event,
                f"bonuses are paid from the split's line '{self.bonus_line}', which the "
                "scenario's order.split has not; name one in referral.paid_from",
            )
        self.appear(event)
        amount, ledger, line = event.amount, self.book.ledger, self.bonus_line
        short = max(amount - ledger.balance(line), 0)
        if short:
            ledger.receive(short, {line: short}, source=UNFUNDED)
            self.unfunded += short
        self.book.pay_bonus(event.member, amount, line)
        self.bonuses[event.member, event.kind] += amount
        self.history.add(event.day, self.members[event.member].place, "bonus", amount)
        if event.other is not None:
            self.bonus_sources[event.member, event.other] += amount
            self.bonus_days.setdefault((event.member, event.other), event.day)

    def withdraw(self, event: Event) -> None:
        self.appear(event)
        member, amount = event.member, event.amount
        record = self.book.members.get(member)
        balance = 0 if record is None else record.balance
        if event.kind == "requested":
            free = balance - self.queue.waiting(member)
            if amount > free:
                raise self._refused(
                    event,
                    f"member {member} asks to withdraw {fen_to_yuan(amount):,.2f} yuan but has "
                    f"{fen_to_yuan(free):,.2f} yuan not yet asked for",
                    "amount",
                )
            self.queue.request(event.day, member, amount)
            return
        if amount > balance:
            raise self._refused(
                event,
                f"member {member} withdraws {fen_to_yuan(amount):,.2f} yuan but has "
                f"{fen_to_yuan(balance):,.2f} yuan in cash (a withdrawal the platform queued is a "
                "withdraw row of kind 'requested')",
                "amount",
            )
        self.book.ledger.open(WITHDRAWN, "out")
        self.book.withdraw(member, amount)
        self.queue.settle(member, amount)

    def fee(self, event: Event) -> None:
        self.appear(event)
        take_fees(self.book.ledger, [Income(f"{event.kind}_fees", event.amount, 0, event.kind)])
        self.fees[event.member] += event.amount
        self.history.add(event.day, self.members[event.member].place, "fee", event.amount)

    def applied(self, day: int, applied: list) -> None:
        """The book's events of one row (the order or sale, and the forced exits it set off)
        in the members' day-by-day history."""
        history, members = self.history, self.members
        for one in applied:
            place = members[one.member].place
            if one.action == "buy":
                history.add(day, place, "order", one.amount)
            else:
                history.add(day, place, "cash", one.cash_delta)
                if one.action == "forced_exit":
                    history.add(day, place, "exit", 0)

    def _refused(self, event: Event, message: str, key: str | None = None) -> InputError:
        return InputError(message, file=self.source, line=event.line, key=key)
