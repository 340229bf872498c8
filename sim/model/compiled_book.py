"""The book the agent model reads under ``run.core: fast``: :class:`CompiledBook`, a book-like
face over the compiled kernel's :class:`sim.core.kernel_book.KernelBook`, in place of
:class:`sim.core.book.Book` (:mod:`sim.model.compiled_market` applies the day on it).

What the model and :mod:`sim.batch.run` read of a book is here: the mechanics, a real
:class:`~sim.core.ledger.Ledger` with the same accounts, opened in the same order, the posted
pool and the pool's cash, the payouts booked but unpaid, the points, the exact price, the
holders, the members table's figures in bulk (:meth:`CompiledBook.member_figures`), a member's
standing, and ``members``, a read-only mapping from member id to a live view of what the
sell-target heap reads of a record (held, spend since entry, version; named like
:class:`sim.core.book.Member`). Members are the model's ids 1, 2, ... (Mesa's ``unique_id``),
member ``k`` being the kernel's number ``k - 1``; the kernel's arrays grow
(:mod:`sim.core.capacity`) as new ids come, keeping every member's state and the exit heap as
they were.

What the kernel has no field for is kept here, per member, in arrays: referral bonuses,
withdrawals, and ``version`` — the count of the member's orders, sales and forced exits,
which is exactly what :class:`sim.core.book.Book` bumps its ``Member.version`` on, so the model's
sell-target heap discards the same stale entries on either core.

**The ledger**, day by day: the day's orders are received (each order's split parts,
:func:`sim.core.rules.split_order`, summed by amount), then the day's payouts move from the pool
to ``member_cash``, then the day's referral bonuses from their line to ``member_cash`` (or the
distribution rules' outcomes, summed by account: :func:`sim.distribution.booking.post_in_bulk`);
withdrawals move ``member_cash`` to ``withdrawn`` one by one. The stress levers post as the book
posts them: a subsidy is received into the pool, the operator's take moves the pool to
``operator_diverted``, a custody shortfall's skim (summed over the call) the pool to
``custody_shortfall``. Balances, money entered by source and every account's totals end each day
exactly as the reference's do (the same postings, summed), and after each day the ledger's pool
must hold the kernel's pool cash to the fen (:class:`~sim.core.ledger.LedgerError` otherwise).

Every stress lever works as with the book: subsidies, the operator's diversion, a custody
shortfall, legacy points (:meth:`CompiledBook.grant`), a withdrawal cap and a halt.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping
from fractions import Fraction
from math import gcd

import numpy as np
from numba import njit

from sim.core.book import (
    MEMBER_FIGURES,
    NEVER_BOUGHT,
    SOLD_OUT,
    Applied,
    Refused,
    Standing,
    open_book_accounts,
    open_stress_accounts,
)
from sim.core.capacity import grown
from sim.core.kernel_book import Events, KernelBook
from sim.core.kernel_layout import EV_BUY, EV_GRANT, EVENT_NAMES, NONE, STATUS_NAMES
from sim.core.ledger import Ledger, LedgerError
from sim.core.mechanics import (
    CUSTODY_SHORTFALL,
    MEMBER_CASH,
    OPERATOR_DIVERTED,
    POOL,
    WITHDRAWN,
    Mechanics,
)
from sim.core.referral import Bonus

START_CAPACITY = 1024
_VIEWS = ("_status", "_held", "_spent", "_spent_entry", "_cash", "_entries", "_forced_exits")

# the kernel's status names as the book's; a member known only from a bonus is "sold_out"
_STATUS = {i: name for i, name in enumerate(STATUS_NAMES)}
_STATUS[NONE] = SOLD_OUT


def _fraction(numerator: int, denominator: int) -> Fraction:
    """``Fraction(numerator, denominator)`` for ints with denominator > 0, built directly
    (the same normalised value, in half the time)."""
    g = gcd(numerator, denominator)
    value = object.__new__(Fraction)
    value._numerator = numerator // g
    value._denominator = denominator // g
    return value


def events_as_applied(ev: Events) -> list[Applied]:
    """The kernel's events as the reference book's :class:`~sim.core.book.Applied` rows."""
    prices = map(_fraction, ev.price_num.tolist(), ev.price_den.tolist())
    return [
        Applied(EVENT_NAMES[k], m, a, p, c, pool, points, price)
        for k, m, a, p, c, pool, points, price in zip(
            ev.kind.tolist(),
            (ev.member + 1).tolist(),
            ev.amount.tolist(),
            ev.points_delta.tolist(),
            ev.cash_delta.tolist(),
            ev.pool.tolist(),
            ev.points.tolist(),
            prices,
            strict=True,
        )
    ]


class CompiledMember:
    """What the sell-target heap reads of one member's record, live from the arrays, named
    like :class:`sim.core.book.Member`."""

    __slots__ = ("_book", "_i", "key")

    def __init__(self, book: CompiledBook, key: int) -> None:
        self._book = book
        self._i = int(key) - 1
        self.key = key

    def __repr__(self) -> str:
        return (
            f"CompiledMember(key={self.key}, held={self.held}, "
            f"spent_entry={self.spent_entry}, version={self.version})"
        )

    @property
    def held(self) -> int:
        return int(self._book._held[self._i])

    @property
    def spent_entry(self) -> int:
        return int(self._book._spent_entry[self._i])

    @property
    def version(self) -> int:
        return int(self._book._version[self._i])


class KnownIds:
    """The ids of the members the book has a record of (who bought or were paid a bonus), as
    one flag a member in an array that grows with the book's, not a set of Python ints."""

    def __init__(self, capacity: int) -> None:
        self.flags = np.zeros(capacity, bool)

    def grow(self, capacity: int) -> None:
        flags = np.zeros(capacity, bool)
        flags[: len(self.flags)] = self.flags
        self.flags = flags

    def update(self, keys) -> None:
        """Flag ``keys`` (ids within the arrays)."""
        self.flags[np.asarray(keys, np.int64) - 1] = True

    def among(self, ids: np.ndarray) -> np.ndarray:
        """Whether each of ``ids`` (int64) has a record."""
        inside = (ids >= 1) & (ids <= len(self.flags))
        known = np.zeros(len(ids), bool)
        known[inside] = self.flags[ids[inside] - 1]
        return known

    def __contains__(self, key: object) -> bool:
        return (
            isinstance(key, (int, np.integer))
            and 1 <= key <= len(self.flags)
            and self.flags.item(key - 1)
        )

    def __iter__(self) -> Iterator[int]:
        return iter((np.flatnonzero(self.flags) + 1).tolist())

    def __len__(self) -> int:
        return int(np.count_nonzero(self.flags))


class CompiledMembers(Mapping):
    """Member id -> :class:`CompiledMember`, for every member who has bought or been paid a
    bonus (the members :class:`sim.core.book.Book` keeps a record of), by id."""

    def __init__(self, book: CompiledBook) -> None:
        self._book = book
        self._known = book._known

    def __getitem__(self, key: object) -> CompiledMember:
        if key not in self._known:
            raise KeyError(key)
        return CompiledMember(self._book, key)  # type: ignore[arg-type]

    def __contains__(self, key: object) -> bool:
        return key in self._known

    def __iter__(self) -> Iterator[int]:
        return iter(self._known)

    def __len__(self) -> int:
        return len(self._known)


class CompiledBook:
    """The book the model reads, kept by the compiled kernel (see the module docstring)."""

    def __init__(
        self, mechanics: Mechanics, ledger: Ledger | None = None, capacity: int | None = None
    ) -> None:
        self.mechanics = mechanics
        self.ledger = ledger if ledger is not None else Ledger()
        open_book_accounts(self.ledger, mechanics)
        self.kernel = KernelBook(mechanics, max(capacity or START_CAPACITY, 1))
        self._bonus = np.zeros(self.kernel.capacity, np.int64)
        self._withdrawn = np.zeros(self.kernel.capacity, np.int64)
        self._version = np.zeros(self.kernel.capacity, np.int32)  # events a member: 32 bits
        self._views()
        self._known = KnownIds(self.kernel.capacity)  # who bought or were paid a bonus
        self.members = CompiledMembers(self)
        self._missing_posted = 0  # fen of the kernel's skim already posted to the ledger

    def _views(self) -> None:
        """Name the kernel's columns the book reads (views: re-made when the kernel grows)."""
        kernel = self.kernel
        self._status = kernel.status
        self._held = kernel.held
        self._spent = kernel.spent
        self._spent_entry = kernel.spent_entry
        self._cash = kernel.cash
        self._entries = kernel.entries
        self._forced_exits = kernel.forced_exits

    def ensure(self, key: int) -> None:
        """Room for member ``key`` (an id >= 1): the arrays grow until it fits."""
        if key < 1:
            raise ValueError(f"the fast core numbers members from 1, got {key}")
        capacity = self.kernel.capacity
        if key <= capacity:
            return
        capacity = grown(capacity, key)
        for name in _VIEWS:  # the views would keep the kernel's old arrays alive
            setattr(self, name, None)
        self.kernel.grow(capacity)
        for name in ("_bonus", "_withdrawn", "_version"):
            old = getattr(self, name)
            new = np.zeros(capacity, old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)
        self._known.grow(capacity)
        self._views()

    def paid_totals(self) -> tuple[int, int]:
        """Fen paid to members in all (payouts and bonuses), and fen they withdrew."""
        return int(self._cash.sum()) + int(self._bonus.sum()), int(self._withdrawn.sum())

    def member_figures(self, keys: list[int]) -> dict[str, np.ndarray | list]:
        """The members table's figures for ``keys`` read from the arrays in bulk, one column
        per field of :data:`sim.core.book.MEMBER_FIGURES` (int64 arrays; status a list)."""
        known = self._known.among(np.array(keys, np.int64))
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
            "unpaid": self.kernel.unpaid_of,
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
        return self.kernel.custody_shortfall

    @custody_shortfall.setter
    def custody_shortfall(self, value: Fraction) -> None:
        """Set before the first order (as the model does): the kernel skims from then on."""
        self.kernel.set_custody_shortfall(value)  # may give the kernel new arrays
        self._views()

    @property
    def pool(self) -> int:
        """The posted pool (fen): the price's numerator."""
        return self.kernel.pool

    @property
    def pool_cash(self) -> int:
        """The cash really in the pool (fen)."""
        return self.kernel.pool_cash

    @property
    def unpaid(self) -> int:
        """Fen of payouts booked but never paid (the pool's cash ran out)."""
        return self.kernel.unpaid

    @property
    def points(self) -> int:
        return self.kernel.points

    @property
    def price(self) -> Fraction:
        return self.kernel.price

    @property
    def holders(self) -> int:
        return self.kernel.holders

    def pay_bonuses(self, bonuses: list[Bonus], line: str) -> None:
        """A day's referral bonuses from one split line, in one posting."""
        keys = np.array([bonus.member for bonus in bonuses], np.int64)
        amounts = np.array([bonus.amount for bonus in bonuses], np.int64)
        self.pay_bonuses_in_bulk(keys, amounts, line)

    def pay_bonuses_in_bulk(self, members: np.ndarray, amounts: np.ndarray, line: str) -> None:
        """:meth:`pay_bonuses` for bonuses as arrays (member ids, fen)."""
        self.ledger.transfer(line, MEMBER_CASH, int(amounts.sum()))
        self.credit_bonuses(members, amounts)

    def credit_bonuses(self, members: np.ndarray, amounts: np.ndarray) -> None:
        """Bonuses (member ids, fen) onto the members' records; the caller posts the same
        total from their lines to ``member_cash`` (a day's payouts from many lines are
        credited in one pass)."""
        if len(members):
            self.ensure(int(members.max()))
            _add_at(self._bonus, members - 1, amounts)
            self._known.update(members)

    def pay_bonus(self, key: int, amount: int, line: str) -> None:
        """One referral bonus of ``amount`` fen from a split line to member ``key``'s cash
        (:meth:`sim.core.book.Book.pay_bonus`)."""
        self.ensure(key)
        self.ledger.transfer(line, MEMBER_CASH, amount)
        self._bonus[key - 1] += amount
        self._known.flags[key - 1] = True

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

    # -- the stress levers ----------------------------------------------------------------

    def subsidize(self, amount: int, source: str = "financing") -> list[Applied]:
        """Money paid straight into the pool (:meth:`sim.core.book.Book.subsidize`): the
        price jumps; returns the forced exits it sets off."""
        self.ledger.receive(amount, {POOL: amount}, source)
        return self._lever(self.kernel.subsidize(amount))

    def divert(self, amount: int) -> int:
        """The operator takes up to ``amount`` fen of the pool's cash; the price falls."""
        taken = self.kernel.divert(amount)
        self.ledger.open(OPERATOR_DIVERTED, "operator")
        self.ledger.transfer(POOL, OPERATOR_DIVERTED, taken)
        self.check_pool()
        return taken

    def grant(self, key: int, value: int, as_order: bool = False) -> list[Applied]:
        """Points minted to a member without money for a claim of ``value`` fen
        (:meth:`sim.core.book.Book.grant`); returns the grant and the forced exits it sets
        off."""
        self.ensure(key)
        return self._lever(self.kernel.grant(key - 1, value, as_order))

    def _lever(self, events: Events) -> list[Applied]:
        """Book what a lever set off (as :class:`sim.core.book.Applied` rows: few)."""
        self.applied(events)
        self.post(events.amount[:0], int(events.cash_delta.sum()))
        self.check_pool()
        return events_as_applied(events)

    # -- one day's stream -----------------------------------------------------------------

    def applied(self, events: Events) -> None:
        """After the kernel applied ``events`` (refusals left out): each bumps its member's
        ``version``, as the book bumps ``Member.version``; every buyer (or member granted
        points) now has a record."""
        kind = events.kind
        if len(kind) <= 4:  # a lever's few events (a grant and its exits): plain Python
            version, flags = self._version, self._known.flags
            for m, k in zip(events.member.tolist(), kind.tolist(), strict=True):
                version[m] += 1
                if k in (EV_BUY, EV_GRANT):
                    flags[m] = True
            return
        _add_at(self._version, events.member, np.ones(len(events.member), np.int32))
        self._known.update(events.member[(kind == EV_BUY) | (kind == EV_GRANT)] + 1)

    def post(self, buys: np.ndarray, paid: int) -> None:
        """Book a day's orders (fen, one per order) and payouts (fen in all) in the ledger."""
        ledger = self.ledger
        if len(buys):
            amounts, counts = np.unique(buys, return_counts=True)
            for amount, count in zip(amounts.tolist(), counts.tolist(), strict=True):
                parts = self.mechanics.parts(amount)
                ledger.receive(amount * count, {line: part * count for line, part in parts.items()})
        missing = self.kernel.missing - self._missing_posted
        if missing:
            ledger.open(CUSTODY_SHORTFALL, "missing")
            ledger.transfer(POOL, CUSTODY_SHORTFALL, missing)
            self._missing_posted += missing
        if paid:
            ledger.transfer(POOL, MEMBER_CASH, paid)

    def check_pool(self) -> None:
        """The ledger's pool must hold the kernel's pool cash, to the fen."""
        ledger_pool, cash = self.ledger.balance(POOL), self.kernel.pool_cash
        if ledger_pool != cash:
            raise LedgerError(
                f"the ledger's pool holds {ledger_pool} fen but the fast core's {cash}"
            )


@njit(cache=True)
def _add_at(target, rows, amounts):  # pragma: no cover - compiled
    """``np.add.at(target, rows, amounts)`` (rows may repeat), compiled: numpy's takes
    0.2 s of a million-member year's 3."""
    for i in range(rows.shape[0]):
        target[rows[i]] += amounts[i]
