"""The agent model on the compiled core: a book-like face over :class:`sim.core.kernel.FastBook`.

``run.core: fast`` makes :class:`sim.model.scheme.SchemeModel` use :class:`FastCoreBook` in place of
:class:`sim.core.book.Book` and :class:`FastCore` in place of
:class:`sim.model.market.ReferenceCore`.
The results are the same to the fen — timeseries, members and summary — only faster: a
day's intents go to the compiled core in one call instead of one Python call per order.

What the model and :mod:`sim.batch.run` read of a book is here: the mechanics, a real
:class:`~sim.core.ledger.Ledger` with the same accounts, opened in the same order, the posted
pool (the pool's cash: no stress levers), the points, the exact price, the holders, and
``members``, a read-only mapping from member id to a record named like
:class:`sim.core.book.Member`. Members are the model's ids 1, 2, ... (Mesa's ``unique_id``),
member ``k`` being the kernel's number ``k - 1``; the kernel's arrays grow (doubling) as
new ids come, keeping every member's state and the exit heap as they were.

What the kernel has no field for is kept here, per member, in arrays: referral bonuses,
withdrawals, and ``version`` — the count of the member's orders, sales and forced exits,
which is exactly what :class:`sim.core.book.Book` bumps its ``Member.version`` on, so the model's
sell-target heap discards the same stale entries on either core.

**The ledger**, day by day: the day's orders are received (each order's split parts,
:func:`sim.core.rules.split_order`, summed by amount), then the day's payouts move from the
pool to ``member_cash``, then the day's referral bonuses from their line to
``member_cash`` (or the distribution rules' outcomes, summed by account:
:func:`sim.distribution.booking.post_in_bulk`); withdrawals move ``member_cash`` to
``withdrawn`` one by one. Balances, money entered by source and every account's totals end
each day exactly as the reference's do (the same postings, summed), and after each day the
ledger's pool must equal the kernel's pool to the fen (:class:`~sim.core.ledger.LedgerError`
otherwise).

``members.get(id)`` and ``members[id]`` give live views of a record;
``members.values()`` and ``members.items()`` read every record in bulk, as of the call
(cached until the book next changes), which is what the run's member table and summary use.

**Not supported** (refused when the scenario is read, see :mod:`sim.scenario.root`): the stress
levers that move money or points outside the rules — subsidies, the operator's diversion,
a custody shortfall, legacy points. A withdrawal cap and a halt work as with the book.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from fractions import Fraction
from math import gcd
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from sim.core import rules
from sim.core.book import (
    MEMBER_FIGURES,
    NEVER_BOUGHT,
    SOLD_OUT,
    Applied,
    Refused,
    Standing,
    open_accounts,
    open_stress_accounts,
)
from sim.core.kernel import (
    BUY,
    EV_BUY,
    EV_REFUSED,
    EVENT_NAMES,
    NONE,
    SELL,
    SELL_ALL,
    STATUS_NAMES,
    FastBook,
)
from sim.core.ledger import Ledger, LedgerError
from sim.core.mechanics import (
    MEMBER_CASH,
    POOL,
    WITHDRAWN,
    Mechanics,
)
from sim.core.referral import Bonus, PayoutRule
from sim.distribution.base import Outcome, Payout
from sim.distribution.booking import post_in_bulk
from sim.model.market import DayResult, Intent

if TYPE_CHECKING:
    from sim.distribution.runtime import Distribution

START_CAPACITY = 1024

# the kernel's status names as the book's; a member known only from a bonus is "sold_out"
_STATUS = {i: name for i, name in enumerate(STATUS_NAMES)}
_STATUS[NONE] = SOLD_OUT


class FastMember:
    """One member's record read from the arrays, named like :class:`sim.core.book.Member`."""

    __slots__ = ("_book", "_i", "key")

    def __init__(self, book: FastCoreBook, key: int) -> None:
        self._book = book
        self._i = int(key) - 1
        self.key = key

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in RECORD_FIELDS)
        return f"FastMember(key={self.key}, {fields})"

    @property
    def status(self) -> str:
        return _STATUS[int(self._book._status[self._i])]

    @property
    def held(self) -> int:
        return int(self._book._held[self._i])

    @property
    def spent(self) -> int:
        return int(self._book._spent[self._i])

    @property
    def spent_entry(self) -> int:
        return int(self._book._spent_entry[self._i])

    @property
    def obtained(self) -> int:
        return int(self._book.fast.obtained[self._i])

    @property
    def obtained_entry(self) -> int:
        return int(self._book.fast.obtained_entry[self._i])

    @property
    def grant_value_entry(self) -> int:
        """Tracked under the ``grant_value`` exit basis only (0 otherwise), as in the kernel."""
        return int(self._book.fast.grant_value_entry[self._i])

    @property
    def cash(self) -> int:
        return int(self._book._cash[self._i])

    @property
    def cash_entry(self) -> int:
        return int(self._book.fast.cash_entry[self._i])

    @property
    def entries(self) -> int:
        return int(self._book._entries[self._i])

    @property
    def sales(self) -> int:
        return int(self._book._sales[self._i])

    @property
    def forced_exits(self) -> int:
        return int(self._book._forced_exits[self._i])

    @property
    def bonus(self) -> int:
        return int(self._book._bonus[self._i])

    @property
    def withdrawn(self) -> int:
        return int(self._book._withdrawn[self._i])

    @property
    def unpaid(self) -> int:
        return 0

    @property
    def version(self) -> int:
        return int(self._book._version[self._i])

    @property
    def balance(self) -> int:
        """The member's cash (零钱) balance: payouts and bonuses not yet withdrawn."""
        return self._book.cash_balance(self.key)


RECORD_FIELDS = (
    "status",
    "held",
    "spent",
    "spent_entry",
    "obtained",
    "obtained_entry",
    "cash",
    "cash_entry",
    "entries",
    "sales",
    "forced_exits",
    "bonus",
    "withdrawn",
    "unpaid",
    "version",
)


class FastMembers(Mapping):
    """Member id -> :class:`FastMember`, for every member who has bought or been paid a bonus
    (the members :class:`sim.core.book.Book` keeps a record of), by id."""

    def __init__(self, book: FastCoreBook) -> None:
        self._book = book
        self._known = book._known
        self._cached: tuple[int, list[MemberRecord]] | None = None

    def __getitem__(self, key: object) -> FastMember:
        if key not in self._known:
            raise KeyError(key)
        return FastMember(self._book, key)  # type: ignore[arg-type]

    def get(self, key: object, default=None):  # type: ignore[override]
        if key not in self._known:
            return default
        return FastMember(self._book, key)  # type: ignore[arg-type]

    def __contains__(self, key: object) -> bool:
        return key in self._known

    def __iter__(self) -> Iterator[int]:
        return iter(sorted(self._known))

    def __len__(self) -> int:
        return len(self._known)

    def values(self) -> list[MemberRecord]:  # type: ignore[override]
        """Every record as of this call (read in bulk), by id."""
        return self._records()

    def items(self) -> list[tuple[int, MemberRecord]]:  # type: ignore[override]
        """(id, record) for every member as of this call (read in bulk), by id."""
        return [(record.key, record) for record in self._records()]

    def _records(self) -> list[MemberRecord]:
        """The records read in bulk, once per state of the book."""
        book = self._book
        if self._cached is None or self._cached[0] != book.generation:
            self._cached = (book.generation, self._read())
        return self._cached[1]

    def _read(self) -> list[MemberRecord]:
        book = self._book
        keys = sorted(self._known)
        rows = np.array(keys, np.int64) - 1
        fast = book.fast
        status = [_STATUS[s] for s in fast.status[rows].tolist()]
        columns = [getattr(fast, name)[rows].tolist() for name in MemberRecord._fields[2:13]]
        bonus = book._bonus[rows].tolist()
        withdrawn = book._withdrawn[rows].tolist()
        unpaid = [0] * len(keys)
        version = book._version[rows].tolist()
        rows = zip(keys, status, *columns, bonus, withdrawn, unpaid, version, strict=True)
        return [tuple.__new__(MemberRecord, row) for row in rows]


class MemberRecord(NamedTuple):
    """One member's record as read at one moment (what ``members.values()`` and
    ``members.items()`` give), named like :class:`sim.core.book.Member`."""

    key: int
    status: str
    held: int
    spent: int
    spent_entry: int
    obtained: int
    obtained_entry: int
    grant_value_entry: int
    cash: int
    cash_entry: int
    entries: int
    sales: int
    forced_exits: int
    bonus: int
    withdrawn: int
    unpaid: int
    version: int

    @property
    def balance(self) -> int:
        """The member's cash (零钱) balance: payouts and bonuses not yet withdrawn."""
        return self.cash + self.bonus - self.withdrawn


class FastCoreBook:
    """The book the model reads, kept by the compiled core (see the module docstring)."""

    def __init__(
        self, mechanics: Mechanics, ledger: Ledger | None = None, capacity: int | None = None
    ) -> None:
        self.mechanics = mechanics
        self.ledger = ledger if ledger is not None else Ledger()
        open_accounts(self.ledger, mechanics)
        self.fast = FastBook(mechanics, max(capacity or START_CAPACITY, 1))
        self._bonus = np.zeros(self.fast.capacity, np.int64)
        self._withdrawn = np.zeros(self.fast.capacity, np.int64)
        self._version = np.zeros(self.fast.capacity, np.int64)
        self._views()
        self._known: set[int] = set()  # ids of members who bought or were paid a bonus
        self.generation = 0  # counts changes to the members' records
        self.members = FastMembers(self)
        self.unpaid = 0
        self._parts: dict[int, dict[str, int]] = {}

    def _views(self) -> None:
        fast = self.fast
        self._status = fast.status
        self._held = fast.held
        self._spent = fast.spent
        self._spent_entry = fast.spent_entry
        self._cash = fast.cash
        self._entries = fast.entries
        self._sales = fast.sales
        self._forced_exits = fast.forced_exits

    @property
    def capacity(self) -> int:
        return self.fast.capacity

    def ensure(self, key: int) -> None:
        """Room for member ``key`` (an id >= 1): the arrays double until it fits."""
        if key < 1:
            raise ValueError(f"the fast core numbers members from 1, got {key}")
        capacity = self.fast.capacity
        if key <= capacity:
            return
        while capacity < key:
            capacity *= 2
        self.fast.grow(capacity)
        self.generation += 1
        for name in ("_bonus", "_withdrawn", "_version"):
            old = getattr(self, name)
            new = np.zeros(capacity, np.int64)
            new[: len(old)] = old
            setattr(self, name, new)
        self._views()

    def paid_totals(self) -> tuple[int, int]:
        """Fen paid to members in all (payouts and bonuses), and fen they withdrew."""
        return int(self._cash.sum()) + int(self._bonus.sum()), int(self._withdrawn.sum())

    def member_figures(self, keys: list[int]) -> dict[str, np.ndarray | list]:
        """The members table's figures for ``keys`` read from the arrays in bulk, one column
        per field of :data:`sim.core.book.MEMBER_FIGURES` (int64 arrays; status a list)."""
        known = np.fromiter((key in self._known for key in keys), bool, len(keys))
        rows = np.array(keys, np.int64) - 1
        rows[~known] = 0  # members the book never saw may lie beyond the arrays
        out: dict[str, np.ndarray | list] = {
            "status": [
                _STATUS[code] if seen else NEVER_BOUGHT
                for code, seen in zip(self._status[rows].tolist(), known.tolist(), strict=True)
            ]
        }
        arrays = {
            "entries": self._entries,
            "spent": self._spent,
            "held": self._held,
            "cash": self._cash,
            "bonus": self._bonus,
            "withdrawn": self._withdrawn,
            "forced_exits": self._forced_exits,
        }
        for name in MEMBER_FIGURES[1:]:
            column = np.zeros(len(keys), np.int64)
            if name in arrays:
                column[known] = arrays[name][rows[known]]
            out[name] = column
        return out

    def standing(self, key: int) -> Standing | None:
        """What the agent model re-reads about a member after each change (None: no record)."""
        if key not in self._known:
            return None
        i = key - 1
        return Standing(
            self._held.item(i),
            self._spent_entry.item(i),
            self._version.item(i),
            self._spent.item(i),
            self._cash.item(i) + self._bonus.item(i),
        )

    def open_stress_accounts(self) -> None:
        open_stress_accounts(self.ledger)

    @property
    def custody_shortfall(self) -> Fraction:
        return Fraction(0)

    @custody_shortfall.setter
    def custody_shortfall(self, value: Fraction) -> None:
        if value:  # sim.scenario.root refuses this combination when the scenario is read
            raise ValueError("the fast core has no custody shortfall; use run.core: reference")

    @property
    def pool(self) -> int:
        """The posted pool (fen): with no stress levers, the cash in the pool."""
        return self.fast.pool

    @property
    def pool_cash(self) -> int:
        return self.fast.pool

    @property
    def points(self) -> int:
        return self.fast.points

    @property
    def price(self) -> Fraction:
        return self.fast.price

    @property
    def holders(self) -> int:
        return self.fast.holders

    def parts(self, amount: int) -> dict[str, int]:
        """:func:`sim.core.rules.split_order` of ``amount`` fen (cached)."""
        found = self._parts.get(amount)
        if found is None:
            found = self._parts[amount] = rules.split_order(amount, self.mechanics.split_table)
        return found

    def pay_bonus(self, key: Hashable, amount: int, line: str) -> None:
        """A referral bonus of ``amount`` fen from an order split line to a member's cash."""
        self.ensure(key)  # type: ignore[arg-type]
        self.ledger.transfer(line, MEMBER_CASH, amount)
        self._bonus[key - 1] += amount  # type: ignore[operator]
        self._known.add(key)  # type: ignore[arg-type]
        self.generation += 1

    def pay_bonuses(self, bonuses: list[Bonus], line: str) -> None:
        """A day's referral bonuses from one split line, in one posting."""
        keys = [bonus.member for bonus in bonuses]
        amounts = [bonus.amount for bonus in bonuses]
        self.ensure(max(keys))
        self.ledger.transfer(line, MEMBER_CASH, sum(amounts))
        np.add.at(self._bonus, np.array(keys, np.int64) - 1, np.array(amounts, np.int64))
        self._known.update(keys)
        self.generation += 1

    def cash_balance(self, key: Hashable) -> int:
        """A member's cash (零钱) balance in fen (KeyError: no record), without building a
        record object: the withdrawal queue reads it for every member paid."""
        if key not in self._known:
            raise KeyError(key)
        i = key - 1  # type: ignore[operator]
        return self._cash.item(i) + self._bonus.item(i) - self._withdrawn.item(i)

    def withdraw(self, key: Hashable, amount: int) -> None:
        """Pay ``amount`` fen of a member's cash balance out of the platform."""
        balance = self.cash_balance(key)
        if amount > balance:
            raise Refused(f"member {key} withdraws {amount} fen but has {balance}")
        self.ledger.transfer(MEMBER_CASH, WITHDRAWN, amount)
        self._withdrawn[key - 1] += amount  # type: ignore[operator]
        self.generation += 1

    # -- one day's stream -----------------------------------------------------------------

    def post(self, buys: np.ndarray, paid: int) -> None:
        """Book a day's orders (fen, one per order) and payouts (fen in all) in the ledger."""
        ledger = self.ledger
        if len(buys):
            amounts, counts = np.unique(buys, return_counts=True)
            for amount, count in zip(amounts.tolist(), counts.tolist(), strict=True):
                parts = self.parts(amount)
                ledger.receive(amount * count, {line: part * count for line, part in parts.items()})
        if paid:
            ledger.transfer(POOL, MEMBER_CASH, paid)

    def check_pool(self) -> None:
        """The ledger's pool must be the kernel's pool, to the fen."""
        ledger_pool = self.ledger.balance(POOL)
        if ledger_pool != self.fast.pool:
            raise LedgerError(
                f"the ledger's pool holds {ledger_pool} fen but the fast core's {self.fast.pool}"
            )


_ACTIONS = {"buy": BUY, "sell": SELL}


def _fraction(numerator: int, denominator: int) -> Fraction:
    """``Fraction(numerator, denominator)`` for ints with denominator > 0, built directly
    (the same normalised value, in half the time)."""
    g = gcd(numerator, denominator)
    value = object.__new__(Fraction)
    value._numerator = numerator // g
    value._denominator = denominator // g
    return value


class FastCore:
    """Applies a day's intents through the compiled core in one call; the same
    :class:`~sim.model.market.DayResult` as :class:`~sim.model.market.ReferenceCore`, event for
    event: sales the rules refuse (nothing held, below the minimum spend, ...) are skipped, and
    referral bonuses (or the distribution rules, which keep state) are worked out after the
    kernel has applied the day, order by order in the order of the events, and posted in
    bulk."""

    def __init__(
        self,
        book: FastCoreBook,
        rule: PayoutRule | None,
        sponsor: Callable[[int], int | None],
        prices: bool = True,
        distribution: Distribution | None = None,
    ) -> None:
        self.book = book
        self.rule = rule
        self.sponsor = sponsor  # member -> their sponsor, or None
        self.distribution = distribution
        # the agent model never reads an event's price; without it, each event saves
        # building an exact Fraction (``price`` is then None)
        self.prices = prices

    def apply(self, intents: Iterable[Intent]) -> DayResult:
        intents = list(intents)
        result = DayResult()
        book = self.book
        if not intents:
            book.check_pool()
            return result
        keys, actions, amounts = zip(*intents, strict=True)
        members = np.array(keys, np.int64)
        if members.min() < 1:
            raise ValueError("the fast core numbers members from 1")
        book.ensure(int(members.max()))
        codes = np.array(
            [
                _ACTIONS[a] if n is not None or a == "buy" else SELL_ALL
                for a, n in zip(actions, amounts, strict=True)
            ],
            np.int8,
        )
        fen = np.array([0 if n is None else n for n in amounts], np.int64)
        ev = book.fast.apply(members - 1, codes, fen)
        book.generation += 1
        kind = ev.kind
        refused = kind == EV_REFUSED
        if refused.any():
            if (codes[ev.source[refused]] == BUY).any():
                raise Refused("an order must be of more than 0 yuan")
            result.skipped = int(refused.sum())
            done = ~refused
            ev = type(ev)(*(column[done] for column in ev))
            kind = ev.kind
        np.add.at(book._version, ev.member, 1)
        is_buy = kind == EV_BUY
        book.post(ev.amount[is_buy], int(ev.cash_delta[~is_buy].sum()))
        kinds = kind.tolist()
        members_out = (ev.member + 1).tolist()
        if self.prices:
            prices = map(_fraction, ev.price_num.tolist(), ev.price_den.tolist())
        else:
            prices = [None] * len(kinds)
        result.events = events = [
            Applied(EVENT_NAMES[k], m, a, p, c, pool, points, price)
            for k, m, a, p, c, pool, points, price in zip(
                kinds,
                members_out,
                ev.amount.tolist(),
                ev.points_delta.tolist(),
                ev.cash_delta.tolist(),
                ev.pool.tolist(),
                ev.points.tolist(),
                prices,
                strict=True,
            )
        ]
        book._known.update(m for m, k in zip(members_out, kinds, strict=True) if k == EV_BUY)
        if self.rule is not None:
            bonuses = result.bonuses
            for event in events:
                if event.action == "buy":
                    self._referrals(event.member, event.amount, bonuses)
            if bonuses:
                book.pay_bonuses(bonuses, self.rule.line)
        elif self.distribution is not None:
            order = self.distribution.order
            outcomes = []
            for event in events:
                if event.action == "buy":
                    outcomes += order(event.member, event.amount)
            result.bonuses = self.post(outcomes)
        book.check_pool()
        return result

    def post(self, outcomes: list[Outcome]) -> list[Payout]:
        """Post the distribution rules' outcomes summed by account; their payouts, in order."""
        if not outcomes:
            return []
        return post_in_bulk(self.book, outcomes, self.distribution.lines)

    def _referrals(self, buyer: int, amount: int, out: list[Bonus]) -> None:
        """The bonuses an order pays, appended to ``out``: the same rule ReferenceCore calls,
        with the order's split cached by amount."""
        rule = self.rule
        budget = self.book.parts(amount)[rule.line]
        out += rule.payouts(buyer, amount, budget, self.sponsor)
