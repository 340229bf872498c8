"""The 消费全返 daily-release scheme (云联惠, 万家购物, 人人公益) member by member, in exact
fen: the ``daily_release`` comparison scheme's arithmetic (issue 18).

Each purchase pays a fee share of its price into the platform's fund (the rest pays the
merchant for the goods); the buyer, and optionally the merchant and the promoters, are
booked points worth a multiple of the spend (a point is a yuan of promised return); every
day a rate of the points is released as cash, of the points as first booked (``linear``:
all of it after ``1/rate`` days) or of what remains (``geometric``: half after
``ln 2/rate`` days), from the day after the booking; the released cash is withdrawn at
once. Regional agents may take a share of each day's sales from the fund, and a new member
may pay a membership fee into it. The fund pays the day's agents and releases if it holds
them; the first day it does not, the platform is insolvent: it pays what it holds, each the
same share of their due (rounded down), and from then on takes and pays nothing.

Every amount is whole fen; each account's release carries its fraction of a fen to the next
day. Members who buy the same amount on the same day are one account with a count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

from scipy.optimize import brentq

BUYER, MERCHANT, PROMOTER = "buyer", "merchant", "promoter"


@dataclass(frozen=True)
class ReleaseTerms:
    fee_share: Fraction  # of each purchase, into the fund
    buyer: Fraction  # points (yuan) booked per yuan spent, to the buyer
    merchant: Fraction = Fraction(0)  # to the merchant, per yuan of the sale
    promoters: Fraction = Fraction(0)  # to the promoters, per yuan of the sale
    rate: Fraction = Fraction(1, 2000)  # released a day
    geometric: bool = False
    membership_fee: int = 0  # fen a new member pays into the fund
    agent_share: Fraction = Fraction(0)  # of each day's sales, paid from the fund to agents


@dataclass
class Account:
    """``count`` holders of ``holder`` kind booked ``booked`` fen of points each on ``day``."""

    day: int
    holder: str
    count: int
    booked: int
    remaining: int
    released: int = 0  # fen paid out to each
    carry: int = 0  # the fraction of a fen released but not yet paid (over the rate's den)


@dataclass
class ReleaseDay:
    day: int
    sales: int
    fees: int
    memberships: int
    agents: int
    due: int
    paid: int
    fund: int
    outstanding: int  # points booked and not yet released, fen


@dataclass
class ReleaseFund:
    terms: ReleaseTerms
    fund: int = 0
    insolvent_at: int | None = None
    accounts: list[Account] = field(default_factory=list)
    days: list[ReleaseDay] = field(default_factory=list)
    entered: int = 0  # fees and memberships
    paid: int = 0  # releases and agents paid
    to_agents: int = 0
    unpaid: int = 0  # released (or due to agents) on the day of insolvency but not paid

    def step(self, purchases: dict[int, int], joiners: int = 0) -> ReleaseDay:
        """A day: releases of the accounts booked before it, then ``purchases`` (count by fen
        each) and ``joiners`` new members' fees; the fund pays agents and releases."""
        day = len(self.days)
        if self.insolvent_at is not None:
            row = ReleaseDay(day, 0, 0, 0, 0, 0, 0, self.fund, self.days[-1].outstanding)
            self.days.append(row)
            return row
        t = self.terms
        sales = sum(amount * count for amount, count in purchases.items())
        fees = sum(_floor(amount * t.fee_share) * count for amount, count in purchases.items())
        memberships = joiners * t.membership_fee
        self.fund += fees + memberships
        self.entered += fees + memberships
        dues = [(a, self._release(a)) for a in self.accounts]
        agents = _floor(sales * t.agent_share)
        due = agents + sum(each * a.count for a, each in dues)
        share = Fraction(1)
        if due > self.fund:
            self.insolvent_at, share = day, Fraction(self.fund, due)
        agents = _floor(agents * share)
        paid = agents
        for a, each in dues:
            each = _floor(each * share)
            a.released += each
            paid += each * a.count
        self.fund -= paid
        self.paid += paid
        self.unpaid += due - paid
        self.to_agents += agents
        for amount, count in purchases.items():
            for holder, multiple, holders in (
                (BUYER, t.buyer, count),
                (MERCHANT, t.merchant, 1),
                (PROMOTER, t.promoters, 1),
            ):
                booked = _floor(amount * multiple) * (count if holders == 1 else 1)
                if booked:
                    self.accounts.append(Account(day, holder, holders, booked, booked))
        outstanding = sum(a.remaining * a.count for a in self.accounts)
        row = ReleaseDay(day, sales, fees, memberships, agents, due, paid, self.fund, outstanding)
        self.days.append(row)
        return row

    def _release(self, account: Account) -> int:
        """Whole fen released to each holder of ``account`` today (the fraction carried)."""
        if not account.remaining:
            return 0
        rate = self.terms.rate
        base = account.remaining if self.terms.geometric else account.booked
        whole, account.carry = divmod(base * rate.numerator + account.carry, rate.denominator)
        whole = min(whole, account.remaining)
        account.remaining -= whole
        return whole


def _floor(value: Fraction | int) -> int:
    if isinstance(value, int):
        return value
    return value.numerator // value.denominator


def required_growth(terms: ReleaseTerms, amount: int) -> float:
    """The least steady growth of sales, a day (sales ∝ e^{g·day}), at which the fund's intake
    keeps up with its releases for good; 0 when the intake covers every promise without
    growth. ``amount``: fen a member spends (the membership fee is per member).

    A yuan of sales brings the fund c = fee_share + membership_fee/amount − agent_share that
    day and is owed w_a = M·rate (linear: for 1/rate days; geometric: M·rate·(1 − rate)^{a−1})
    on day a after it, M the multiples booked on it. Under growth g today's releases are
    Σ_a w_a·e^{−g·a} of today's sales, so the fund lasts iff that is at most c: the growth
    needed is the root of Σ_a w_a·e^{−g·a} = c (for 云联惠, 0.0008/0.16: ln 1.005 ≈ 0.5% a
    day). Below it the releases outgrow the intake and the fund empties whatever it held."""
    booked = float(terms.buyer + terms.merchant + terms.promoters)
    rate = float(terms.rate)
    intake = float(terms.fee_share - terms.agent_share) + terms.membership_fee / amount
    if intake <= 0:
        return math.inf
    if terms.geometric:

        def owed(g: float) -> float:
            return booked * rate * math.exp(-g) / (1 - (1 - rate) * math.exp(-g))
    else:
        days, last = divmod(Fraction(1) / terms.rate, 1)  # whole days of rate, then the rest
        days, last = int(days), float(last) * rate

        def owed(g: float) -> float:
            ratio = math.exp(-g)
            whole = ratio * -math.expm1(-g * days) / -math.expm1(-g) if g else days
            return booked * (rate * whole + last * ratio ** (days + 1))

    if owed(0.0) <= intake:
        return 0.0
    high = 1.0
    while owed(high) > intake:
        high *= 2
    return brentq(lambda g: owed(g) - intake, 0.0, high)
