"""The vocabulary every distribution rule shares: an order, a payout, an outcome, a rule.

A rule pays out of one split line of an order (its *budget*, in fen). What it does not pay to
members it parks in named accounts (a dividend pool, frozen funds, the unpaid rest), so the
payouts and leftovers of an order's outcome add up to the budget exactly and the ledger, which
moves each from the line to its account, still balances. Money parked in a holding account
leaves it later through outcomes whose ``source`` is that account.

``reason`` says what triggered a payout: the buyer's first order (their entry purchase, the
入门费 of recruiting someone) is ``recruit``, any later order ``sale``; pools paid out by
period are ``dividend``. That is the line the law draws between pay for recruiting (拉人头)
and pay on downline sales (团队计酬).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple, Protocol

from sim.distribution.state import DistributionState

RECRUIT = "recruit"
SALE = "sale"
DIVIDEND = "dividend"

HELD = "held"  # ledger kind: the platform holds it for members (pools, frozen funds)
KEPT = "operator"  # ledger kind: the platform keeps it (unpaid, unclaimed, forfeited)


class Network(Protocol):
    """The referral network the rules read (:class:`sim.distribution.network.ReferralNetwork`)."""

    def sponsor(self, m: int) -> int | None: ...
    def depth(self, m: int) -> int: ...
    def upline(self, m: int, levels: int | None = None) -> Sequence[int]: ...
    def direct_count(self, m: int) -> int: ...
    def lines(self, m: int) -> Sequence[int]: ...
    def team_size(self, m: int) -> int: ...
    def region(self, m: int) -> int: ...
    def __len__(self) -> int: ...


class Payout(NamedTuple):
    """``amount`` fen to ``member`` under ``rule``; ``level`` is the distance up the chain from
    the buyer (0: not paid along the chain: pools, regions, service points, merchants)."""

    member: int
    amount: int
    rule: str
    level: int
    reason: str


class Outcome(NamedTuple):
    """Money leaving one account (``source``): payouts to members, leftovers to named accounts."""

    source: str
    payouts: tuple[Payout, ...] = ()
    leftovers: Mapping[str, int] = {}

    @property
    def paid(self) -> int:
        return sum(p.amount for p in self.payouts)

    @property
    def total(self) -> int:
        return self.paid + sum(self.leftovers.values())


def spent_from(outcomes: Sequence[Outcome], source: str) -> int:
    """Fen that ``outcomes`` move out of ``source``, paid and parked (the rule set checks it
    against each rule's budget on every order, so it is summed without the properties)."""
    spent = 0
    for outcome in outcomes:
        if outcome.source == source:
            for payout in outcome.payouts:
                spent += payout.amount
            for fen in outcome.leftovers.values():
                spent += fen
    return spent


class Income(NamedTuple):
    """Money from outside that is platform income: a region sold, a franchise fee."""

    account: str
    amount: int
    member: int
    what: str


class Order(NamedTuple):
    """One order as the rules see it; ``upline`` is the buyer's ancestors, nearest first."""

    buyer: int
    amount: int
    day: int = 0
    upline: tuple[int, ...] = ()
    first: bool = False
    region: int | None = None
    merchant: int | None = None
    pickup: int | None = None

    @property
    def reason(self) -> str:
        return RECRUIT if self.first else SALE

    @classmethod
    def of(cls, net: Network, buyer: int, amount: int, **fields) -> Order:
        return cls(buyer, amount, upline=tuple(net.upline(buyer)), **fields)


class Purse:
    """Pays out of one budget and never more than it holds; builds the :class:`Outcome`."""

    def __init__(self, source: str, budget: int) -> None:
        if budget < 0:
            raise ValueError(f"negative budget {budget}")
        self.source = source
        self.left = budget
        self.payouts: list[Payout] = []
        self.leftovers: dict[str, int] = {}

    def cap(self, due: int) -> int:
        """What can be paid of ``due``: all of it, or what is left."""
        return max(0, min(due, self.left))

    def pay(self, member: int, amount: int, rule: str, level: int, reason: str) -> None:
        if amount > self.left:
            raise ValueError(f"{rule} pays {amount} fen out of {self.left}")
        if amount > 0:
            self.payouts.append(Payout(member, amount, rule, level, reason))
            self.left -= amount

    def pay_each(self, members, amount: int, rule: str, level: int, reason: str) -> None:
        """:meth:`pay` of ``amount`` to each of ``members`` in order (a dividend's equal
        shares: thousands of members at a period's end), checked against the purse once."""
        total = amount * len(members)
        if total > self.left:
            raise ValueError(f"{rule} pays {total} fen out of {self.left}")
        if amount > 0:
            self.payouts += [Payout(m, amount, rule, level, reason) for m in members]
            self.left -= total

    def park(self, account: str, amount: int) -> None:
        if amount > self.left:
            raise ValueError(f"parks {amount} fen in {account} out of {self.left}")
        if amount > 0:
            self.leftovers[account] = self.leftovers.get(account, 0) + amount
            self.left -= amount

    def outcome(self) -> Outcome:
        """What left the source; the rest stays there (a pool carried to the next period)."""
        return Outcome(self.source, tuple(self.payouts), dict(self.leftovers))

    def close(self, unpaid: str) -> Outcome:
        """The outcome with whatever is left parked in ``unpaid``: it spends the whole budget."""
        self.park(unpaid, self.left)
        return self.outcome()


class Rule:
    """A bonus rule paid from ``line``. Hooks default to doing nothing; each returns outcomes."""

    name = "rule"
    line = ""
    unpaid = "unpaid"

    def accounts(self) -> dict[str, str]:
        """The accounts this rule's leftovers go to, with their ledger kinds."""
        return {self.unpaid: KEPT}

    def on_join(self, member: int, net: Network, state: DistributionState) -> list[Outcome]:
        return []

    def pay(
        self, order: Order, budget: int, net: Network, state: DistributionState
    ) -> list[Outcome]:
        """Outcomes of one order; those from ``line`` together spend exactly ``budget``."""
        raise NotImplementedError

    def on_day(self, day: int, net: Network, state: DistributionState) -> list[Outcome]:
        return []

    def close(self, net: Network, state: DistributionState) -> list[Outcome]:
        """End of a run: name what is still held for members who never qualified."""
        return []
