"""The day's market under ``run.core: fast``: :class:`CompiledMarket` applies a day's intents
on the compiled kernel, the twin of :class:`sim.model.market.ReferenceMarket`.

``run.core: fast`` makes :class:`sim.model.scheme.SchemeRun` use
:class:`sim.model.compiled_book.CompiledBook` in place of :class:`sim.core.book.Book` and
:class:`CompiledMarket` in place of :class:`sim.model.market.ReferenceMarket`. The results are
the same to the fen — timeseries, members and summary — only faster: a day's intents go to
the compiled kernel in one call instead of one Python call per order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import numpy as np

from sim.core.book import Refused
from sim.core.kernel_layout import BUY, EV_BUY, EV_REFUSED, SELL, SELL_ALL
from sim.core.referral import Bonus, PayoutRule
from sim.distribution.base import Outcome, Payout
from sim.distribution.booking import post_batch, post_in_bulk
from sim.model.compiled_book import CompiledBook, events_as_applied
from sim.model.market import DayResult, Intent

if TYPE_CHECKING:
    from sim.distribution.runtime import Distribution

_ACTIONS = {"buy": BUY, "sell": SELL}


class CompiledMarket:
    """Applies a day's intents through the compiled kernel in one call; the same
    :class:`~sim.model.market.DayResult` as :class:`~sim.model.market.ReferenceMarket`, event for
    event: sales the rules refuse (nothing held, below the minimum spend, ...) are skipped, and
    referral bonuses (or the distribution rules, which keep state) are worked out after the
    kernel has applied the day, order by order in the order of the events, and posted in
    bulk."""

    def __init__(
        self,
        book: CompiledBook,
        rule: PayoutRule | None,
        sponsors: Callable[[], np.ndarray],
        prices: bool = True,
        distribution: Distribution | None = None,
    ) -> None:
        self.book = book
        self.rule = rule
        # every member's sponsor as an array by id (0: none), for the bonuses in bulk
        self.sponsors = sponsors
        self.distribution = distribution
        # the agent model reads the events as arrays (``DayResult.applied``); the objects
        # with their exact prices are built only when asked for
        self.prices = prices

    def apply(self, intents: Iterable[Intent]) -> DayResult:
        intents = list(intents)
        result = DayResult()
        book = self.book
        if not intents:
            book.check_pool()
            return result
        keys, actions, amounts = zip(*intents, strict=True)
        codes = np.array(
            [
                _ACTIONS[a] if n is not None or a == "buy" else SELL_ALL
                for a, n in zip(actions, amounts, strict=True)
            ],
            np.int8,
        )
        fen = np.array([0 if n is None else n for n in amounts], np.int64)
        return self.apply_arrays(np.array(keys, np.int64), codes, fen)

    def apply_arrays(self, members: np.ndarray, codes: np.ndarray, fen: np.ndarray) -> DayResult:
        """:meth:`apply` for a stream of arrays: member ids, the kernel's action codes (BUY,
        SELL, SELL_ALL) and fen (or units) asked for."""
        result = DayResult()
        book = self.book
        if not len(members):
            book.check_pool()
            return result
        if members.min() < 1:
            raise ValueError("the fast core numbers members from 1")
        book.ensure(int(members.max()))
        ev = book.kernel.apply(members - 1, codes, fen)
        kind = ev.kind
        refused = kind == EV_REFUSED
        if refused.any():
            if (codes[ev.source[refused]] == BUY).any():
                raise Refused("an order must be of more than 0 yuan")
            result.skipped = int(refused.sum())
            done = ~refused
            ev = type(ev)(*(column[done] for column in ev))
            kind = ev.kind
        book.applied(ev)
        is_buy = kind == EV_BUY
        book.post(ev.amount[is_buy], int(ev.cash_delta[~is_buy].sum()))
        result.applied = ev
        if self.prices:  # the objects, for those who compare them with the reference's
            result.events = events_as_applied(ev)
        buys = kind == EV_BUY
        if self.rule is not None:
            self._referrals(ev.member[buys] + 1, ev.amount[buys], result)
        elif self.distribution is not None and self.distribution.compiled is not None:
            dist = self.distribution
            batch = dist.orders(ev.member[buys] + 1, ev.amount[buys])
            post_batch(book, batch, dist.compiled.accounts, dist.lines)
            result.paid = (batch.members, batch.fen)
            if self.prices:  # the objects, for those who compare them with the reference's
                result.bonuses = batch.payouts()
        elif self.distribution is not None:
            order = self.distribution.order
            outcomes = []
            buyers, spends = (ev.member[buys] + 1).tolist(), ev.amount[buys].tolist()
            for buyer, amount in zip(buyers, spends, strict=True):
                outcomes += order(buyer, amount)
            result.bonuses = self.post(outcomes)
        book.check_pool()
        return result

    def post(self, outcomes: list[Outcome]) -> list[Payout]:
        """Post the distribution rules' outcomes summed by account; their payouts, in order."""
        if not outcomes:
            return []
        return post_in_bulk(self.book, outcomes, self.distribution.lines)

    def _referrals(self, buyers: np.ndarray, amounts: np.ndarray, result: DayResult) -> None:
        """The referral bonuses of the day's orders, worked out in bulk by the same rule
        (:meth:`~sim.core.referral.TwoLevel.payouts_in_bulk`) and paid in one posting."""
        rule = self.rule
        if not len(buyers):
            return
        distinct, where = np.unique(amounts, return_inverse=True)
        parts = self.book.mechanics.parts
        budgets = np.array([parts(a)[rule.line] for a in distinct.tolist()], np.int64)[where]
        members, paid, levels = rule.payouts_in_bulk(buyers, amounts, budgets, self.sponsors())
        result.paid = (members, paid)
        if len(members):
            self.book.pay_bonuses_in_bulk(members, paid, rule.line)
        if self.prices:  # the objects, for those who compare them with the reference's
            result.bonuses = [
                Bonus(m, a, level, rule.name)
                for m, a, level in zip(
                    members.tolist(), paid.tolist(), levels.tolist(), strict=True
                )
            ]
