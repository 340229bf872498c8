"""The reference book: the pool, every member's points, and the forced exits, applying the rules.

One order or sale is one call; it returns the events it caused — the order or sale itself,
then any forced exits (强制出局) it set off, in the order they happened. Members whose cap is
reached exit lowest trigger price first (ties by member id); each exit raises the price, so
the check repeats until nobody crosses. Caps are kept in a heap keyed by trigger price, so
an event costs O(log members) rather than a scan of every holder.

Money lives in the :class:`~sim.core.ledger.Ledger`; the book keeps the points and each member's
subsidiary record. The *posted* pool — what the platform shows, and divides by the points to
get the price — is the cash in the ledger's pool account, plus what a custody shortfall took
while still being posted, minus payouts booked but never paid for lack of cash. Without
stress levers the posted pool is exactly the cash in the pool.

Besides orders and sales the book applies the stress levers' money movements (subsidies into
the pool, the operator's diversion, a custody shortfall, legacy points minted without money)
and moves members' cash: referral bonuses in, withdrawals out.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable
from dataclasses import dataclass
from fractions import Fraction
from math import floor
from typing import NamedTuple

from sim.core import rules
from sim.core.ledger import Ledger
from sim.core.mechanics import (
    CUSTODY_SHORTFALL,
    MEMBER_CASH,
    OPERATOR_DIVERTED,
    POOL,
    WITHDRAWN,
    Mechanics,
)
from sim.core.units import fen_to_yuan, units_to_points
from sim.errors import BeyondRange

ACTIVE, SOLD_OUT, EXITED = "active", "sold_out", "exited"


class Refused(ValueError):
    """An event the platform's rules do not allow (selling points one does not hold, ...)."""


class Applied(NamedTuple):
    """One applied event. ``amount`` is fen for a buy and point units for a sale or exit;
    ``points_delta`` is the member's change in units; ``cash_delta`` the fen paid to them;
    ``pool``, ``points`` and ``price`` (fen per unit) are the book after the event."""

    action: str
    member: Hashable
    amount: int
    points_delta: int
    cash_delta: int
    pool: int
    points: int
    price: Fraction


# Exact at any size, but points past 2^1000 units (301 digits) no longer fit a float in
# the files (10^308), and arithmetic on them slows every order: the run stops there.
RANGE_BITS = 1000
NEVER_BOUGHT = "never_bought"  # the status of a member the book has no record of
MEMBER_FIGURES = (
    "status",
    "entries",
    "spent",
    "held",
    "cash",
    "bonus",
    "withdrawn",
    "unpaid",
    "forced_exits",
)


class Standing(NamedTuple):
    """A member's figures the agent model tracks: points held, spend since entry and the
    record's version (sell targets), total spend and cash back with bonuses (break-even)."""

    held: int
    spent_entry: int
    version: int
    spent: int
    received: int


@dataclass(slots=True)
class Member:
    """One member's record. ``*_entry`` fields count since the member last (re-)entered, i.e.
    since their first order after a forced exit (复投)."""

    key: Hashable
    tie: tuple
    status: str = ACTIVE
    spent: int = 0
    cash: int = 0
    held: int = 0
    obtained: int = 0
    spent_entry: int = 0
    cash_entry: int = 0
    obtained_entry: int = 0
    grant_value_entry: int = 0
    entries: int = 0
    sales: int = 0
    forced_exits: int = 0
    bonus: int = 0
    withdrawn: int = 0
    unpaid: int = 0
    version: int = 0

    @property
    def balance(self) -> int:
        """The member's cash (零钱) balance: payouts and bonuses not yet withdrawn."""
        return self.cash + self.bonus - self.withdrawn


def member_order(key: Hashable) -> tuple:
    """Sort key for ties between members: ids that are whole numbers numerically, then others."""
    text = str(key)
    if isinstance(key, int) or text.isdigit():
        return (0, int(text), text)
    return (1, 0, text)


def open_book_accounts(ledger: Ledger, mechanics: Mechanics) -> None:
    """The accounts every book has: one per split line (the pool's of kind ``pool``), and
    members' cash."""
    for name, _ in mechanics.split:
        ledger.open(name, "pool" if name == POOL else "split")
    ledger.open(MEMBER_CASH, "members")


def open_stress_accounts(ledger: Ledger) -> None:
    """The accounts the stress levers use, opened up front so every run reports the same
    columns."""
    ledger.open(WITHDRAWN, "out")
    ledger.open(OPERATOR_DIVERTED, "operator")
    ledger.open(CUSTODY_SHORTFALL, "missing")


class Book:
    """Pool, points and members under one set of :class:`~sim.core.mechanics.Mechanics`."""

    def __init__(self, mechanics: Mechanics, ledger: Ledger | None = None) -> None:
        self.mechanics = mechanics
        self.ledger = ledger if ledger is not None else Ledger()
        open_book_accounts(self.ledger, mechanics)
        self.points = 0
        self.members: dict[Hashable, Member] = {}
        self.custody_shortfall = Fraction(0)
        self.unpaid = 0
        self.holders = 0  # members holding points
        self._price = mechanics.start_price_per_unit
        self._caps: list[tuple[Fraction, tuple, int, Hashable]] = []

    def open_stress_accounts(self) -> None:
        open_stress_accounts(self.ledger)

    @property
    def pool(self) -> int:
        """The posted pool (fen): the price's numerator, what the platform shows."""
        accounts = self.ledger.accounts
        missing = accounts[CUSTODY_SHORTFALL].balance if CUSTODY_SHORTFALL in accounts else 0
        return accounts[POOL].balance + missing - self.unpaid

    @property
    def pool_cash(self) -> int:
        """The cash really in the pool (fen)."""
        return self.ledger.balance(POOL)

    def paid_totals(self) -> tuple[int, int]:
        """Fen paid to members in all (payouts and bonuses), and fen they withdrew."""
        members = self.members.values()
        return sum(m.cash + m.bonus for m in members), sum(m.withdrawn for m in members)

    def member_figures(self, keys: list) -> dict[str, list]:
        """The members table's figures for ``keys``, one list per field of
        :data:`MEMBER_FIGURES` (a key with no record: ``never_bought`` and zeros)."""
        records = [self.members.get(key) for key in keys]
        out: dict[str, list] = {
            "status": [NEVER_BOUGHT if m is None else m.status for m in records]
        }
        for name in MEMBER_FIGURES[1:]:
            out[name] = [0 if m is None else getattr(m, name) for m in records]
        return out

    def standing(self, key: Hashable) -> Standing | None:
        """What the agent model re-reads about a member after each change (None: no record)."""
        m = self.members.get(key)
        if m is None:
            return None
        return Standing(m.held, m.spent_entry, m.version, m.spent, m.cash + m.bonus)

    @property
    def price(self) -> Fraction:
        """Current price in fen per unit (see :func:`sim.core.rules.price` for the empty book)."""
        return self._price

    def _reprice(self) -> None:
        if self.points.bit_length() > RANGE_BITS:
            raise BeyondRange(
                f"points in circulation passed 2^{RANGE_BITS} units (the price was diluted to "
                "almost nothing); use fewer points.decimals or a larger points.start_price",
                key="points.decimals",
            )
        self._price = rules.price(self.pool, self.points, self._price)

    def member(self, key: Hashable) -> Member:
        found = self.members.get(key)
        if found is None:
            raise Refused(f"member {key} has never bought")
        return found

    # -- events -------------------------------------------------------------------------

    def buy(self, key: Hashable, amount: int) -> list[Applied]:
        """An order of ``amount`` fen: split it, mint points at the price before it, then
        apply any forced exits it sets off."""
        if amount <= 0:
            raise Refused(f"an order must be of more than 0 yuan, got {fen_to_yuan(amount)}")
        parts = self.mechanics.parts(amount)
        price_before = self._mint_price()
        granted = self._order_points(parts, price_before)
        self.ledger.receive(amount, parts)
        self._skim(parts[POOL])
        self.points += granted
        self._reprice()

        member = self._member_for_order(key)
        member.spent += amount
        member.spent_entry += amount
        self._add_points(member, granted)
        member.obtained += granted
        member.obtained_entry += granted
        member.grant_value_entry += rules.grant_value(granted, price_before)
        self._track_cap(member)
        out = [Applied("buy", key, amount, granted, 0, self.pool, self.points, self._price)]
        self._force_exits(out)
        return out

    def sell(self, key: Hashable, units: int | None = None) -> list[Applied]:
        """A sale of ``units`` points (None: all held) at the current price, paying
        ``sell_payout`` of their value into the member's cash balance."""
        member = self.member(key)
        if units is None:
            units = member.held
            if units == 0:
                raise Refused(f"member {key} holds no points to sell")
        unit = self.mechanics.unit
        if units <= 0:
            raise Refused(
                f"a sale must be of more than 0 points, got {units_to_points(units, unit)}"
            )
        if units > member.held:
            raise Refused(
                f"member {key} sells {units_to_points(units, unit):g} points "
                f"but holds {units_to_points(member.held, unit):g}"
            )
        if member.spent < self.mechanics.min_spend_to_sell:
            raise Refused(
                f"member {key} has spent {fen_to_yuan(member.spent):.2f} yuan, below the "
                f"{fen_to_yuan(self.mechanics.min_spend_to_sell):.2f} yuan required before any sale"
            )
        cash = self._sell(member, units)
        member.sales += 1
        member.status = ACTIVE if member.held else SOLD_OUT
        self._track_cap(member)
        out = [Applied("sell", key, units, -units, cash, self.pool, self.points, self._price)]
        self._force_exits(out)
        return out

    def subsidize(self, amount: int, source: str = "financing") -> list[Applied]:
        """Money paid straight into the pool (a financing round's consumption subsidy): no
        points are minted, so the price jumps; forced exits follow."""
        self.ledger.receive(amount, {POOL: amount}, source)
        self._skim(amount)
        self._reprice()
        out: list[Applied] = []
        self._force_exits(out)
        return out

    def divert(self, amount: int) -> int:
        """The operator takes up to ``amount`` fen of the pool's cash; the price falls."""
        taken = min(amount, self.pool_cash)
        self.ledger.open(OPERATOR_DIVERTED, "operator")
        self.ledger.transfer(POOL, OPERATOR_DIVERTED, taken)
        self._reprice()
        return taken

    def grant(self, key: Hashable, value: int, as_order: bool = False) -> list[Applied]:
        """Points minted to a member without money for a claim of ``value`` fen (legacy claims
        turned into points): worth the whole claim at the current price, or with ``as_order``
        the points an order of ``value`` would be granted (the seeds' reading: the claim is
        spent as consumption coins, which put no cash into the pool). The price falls. The
        claim counts as the member's spend since entry for the forced-exit test, not as money
        spent."""
        at_price = self._mint_price()
        if as_order:
            units = self._order_points(self.mechanics.parts(value), at_price)
        else:
            units = rules.mint(value, at_price, Fraction(1), None)
        member = self._member_for_order(key)
        member.spent_entry += value
        self._add_points(member, units)
        member.obtained += units
        member.obtained_entry += units
        member.grant_value_entry += rules.grant_value(units, at_price)
        self.points += units
        self._reprice()
        self._track_cap(member)
        out = [Applied("grant", key, value, units, 0, self.pool, self.points, self._price)]
        self._force_exits(out)
        return out

    def pay_bonus(self, key: Hashable, amount: int, line: str) -> None:
        """A referral bonus of ``amount`` fen from an order split line to a member's cash."""
        self.ledger.transfer(line, MEMBER_CASH, amount)
        member = self.members.get(key)
        if member is None:  # a sponsor who has not bought (yet)
            member = self.members[key] = Member(key, member_order(key), status=SOLD_OUT)
        member.bonus += amount

    def cash_balance(self, key: Hashable) -> int:
        """A member's cash (零钱) balance in fen (KeyError: no record)."""
        return self.members[key].balance

    def withdraw(self, key: Hashable, amount: int) -> None:
        """Pay ``amount`` fen of a member's cash balance out of the platform."""
        member = self.members[key]
        if amount > member.balance:
            raise Refused(f"member {key} withdraws {amount} fen but has {member.balance}")
        self.ledger.transfer(MEMBER_CASH, WITHDRAWN, amount)
        member.withdrawn += amount

    # -- internals ----------------------------------------------------------------------

    def _order_points(self, parts: dict[str, int], price_before: Fraction) -> int:
        """The points an order split into ``parts`` is granted at ``price_before``."""
        mech = self.mechanics
        return rules.mint(parts[POOL], price_before, mech.mint_ratio, mech.max_points_per_order)

    def _member_for_order(self, key: Hashable) -> Member:
        """The member placing an order (created on first use; re-entered after an exit)."""
        member = self.members.get(key)
        if member is None:
            member = self.members[key] = Member(key, member_order(key))
        if member.entries == 0 or member.status == EXITED:
            self._enter(member)
        member.status = ACTIVE
        return member

    def _mint_price(self) -> Fraction:
        """The price new points are minted at: the current price, or the start price when the
        pool is empty while points are outstanding (price 0: possible only under stress, e.g.
        the operator took the whole pool) — the platform then restarts its price."""
        return self._price if self._price > 0 else self.mechanics.start_price_per_unit

    def _add_points(self, member: Member, units: int) -> None:
        if member.held == 0 and units > 0:
            self.holders += 1
        member.held += units

    def _skim(self, inflow: int) -> None:
        """A custody shortfall: this share of a pool inflow is never really held, though the
        platform still posts it."""
        if self.custody_shortfall:
            missing = floor(self.custody_shortfall * inflow)
            self.ledger.open(CUSTODY_SHORTFALL, "missing")
            self.ledger.transfer(POOL, CUSTODY_SHORTFALL, missing)

    def _enter(self, member: Member) -> None:
        """Start a new entry (first order, or 复投 after a forced exit)."""
        member.entries += 1
        member.spent_entry = member.cash_entry = member.obtained_entry = 0
        member.grant_value_entry = 0

    def _sell(self, member: Member, units: int) -> int:
        """Sell at the current price; pay what the pool's cash covers. A payout the cash cannot
        cover (only under a custody shortfall) is booked as unpaid: the posted pool still
        drops by the whole payout."""
        due = rules.sale_payout(units, self._price, self.mechanics.sell_payout)
        cash = min(due, self.pool_cash)
        self.ledger.transfer(POOL, MEMBER_CASH, cash)
        self.unpaid += due - cash
        member.unpaid += due - cash
        self.points -= units
        member.held -= units
        if member.held == 0 and units > 0:
            self.holders -= 1
        member.cash += cash
        member.cash_entry += cash
        self._reprice()
        return cash

    def _track_cap(self, member: Member) -> None:
        """(Re)file the member's trigger price; older heap entries go stale by version."""
        member.version += 1
        multiple = self.mechanics.exit_multiple
        if multiple is None or member.held == 0 or member.status == EXITED:
            return
        mech = self.mechanics
        measure = member.held if mech.exit_points == "held" else member.obtained_entry
        reference = member.spent_entry if mech.exit_against == "spend" else member.grant_value_entry
        cash = member.cash_entry if mech.exit_counts_cash else 0
        trigger = rules.exit_trigger(measure, reference, cash, multiple)
        if trigger is not None:
            heapq.heappush(self._caps, (trigger, member.tie, member.version, member.key))

    def _force_exits(self, out: list[Applied]) -> None:
        caps = self._caps
        while caps:
            trigger, _, version, key = caps[0]
            member = self.members[key]
            if version != member.version:
                heapq.heappop(caps)
                continue
            if trigger > self._price:
                return
            heapq.heappop(caps)
            units = member.held
            cash = self._sell(member, units)
            member.forced_exits += 1
            member.status = EXITED
            member.version += 1
            out.append(
                Applied(
                    "forced_exit", key, units, -units, cash, self.pool, self.points, self._price
                )
            )
