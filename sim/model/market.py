"""The day's order stream: agents hand in intents, a core applies them in the drawn order.

Agents never touch the pool: each day they return :class:`Intent` values (buy so much, sell
so many or all); the model shuffles them with the run's generator and hands them to a core.
:class:`ReferenceMarket` applies them one by one through :class:`~sim.core.book.Book` and the
referral rule, or the distribution layer's rules (:mod:`sim.distribution.runtime`);
:class:`sim.model.compiled_market.CompiledMarket` (``run.core: fast``) takes the same stream
through the compiled kernel and returns the same :class:`DayResult`, with no change to the
agents.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from sim.core.book import Applied, Book, Refused
from sim.core.referral import PayoutRule
from sim.distribution.base import Outcome, Payout
from sim.distribution.booking import post_each

if TYPE_CHECKING:
    from sim.distribution.runtime import Distribution


class Intent(NamedTuple):
    """What a member wants to do: ``buy`` ``amount`` fen, or ``sell`` ``amount`` units
    (None: everything they hold)."""

    member: Hashable
    action: str
    amount: int | None = None


@dataclass
class DayResult:
    """What applying a day's stream did, in order. ``bonuses`` are the referral rule's
    :class:`~sim.core.referral.Bonus` values, or the distribution rules'
    :class:`~sim.distribution.base.Payout` values (both name ``member`` and ``amount``)."""

    events: list[Applied] = field(default_factory=list)
    bonuses: list = field(default_factory=list)
    skipped: int = 0  # intents the rules refused (nothing left to sell, minimum spend, ...)
    # the compiled core's events as arrays (sim.core.kernel_book.Events, refusals left out);
    # ``events`` then holds objects only when asked for
    applied: object = None
    # and its referral bonuses as arrays (members, fen), in order; ``bonuses`` then holds
    # objects only when asked for
    paid: tuple | None = None


class ReferenceMarket:
    """Applies intents through the reference book; pays referral bonuses, or the
    distribution rules' payouts, on every order as it is applied."""

    def __init__(
        self,
        book: Book,
        rule: PayoutRule | None,
        sponsor: Callable[[Hashable], Hashable],
        distribution: Distribution | None = None,
    ) -> None:
        self.book = book
        self.rule = rule
        self.sponsor = sponsor  # member -> their sponsor, or None
        self.distribution = distribution

    def apply(self, intents: Iterable[Intent]) -> DayResult:
        result = DayResult()
        book = self.book
        for intent in intents:
            if intent.action == "buy":
                result.events += book.buy(intent.member, intent.amount)
                if self.rule is not None:
                    self._pay_referrals(intent, result)
                elif self.distribution is not None:
                    result.bonuses += self.post(
                        self.distribution.order(intent.member, intent.amount)
                    )
                continue
            member = book.members.get(intent.member)
            if member is None or member.held == 0:
                result.skipped += 1
                continue
            try:
                result.events += book.sell(intent.member, intent.amount)
            except Refused:
                result.skipped += 1
        return result

    def post(self, outcomes: list[Outcome]) -> list[Payout]:
        """Post the distribution rules' outcomes as they come; their payouts, in order."""
        return post_each(self.book, outcomes)

    def _pay_referrals(self, intent: Intent, result: DayResult) -> None:
        rule = self.rule
        budget = self.book.mechanics.parts(intent.amount)[rule.line]
        for bonus in rule.payouts(intent.member, intent.amount, budget, self.sponsor):
            self.book.pay_bonus(bonus.member, bonus.amount, rule.line)
            result.bonuses.append(bonus)
