"""Posting the rules' outcomes to a run's book: the rules' accounts opened, payouts to
members' cash, leftovers to their named accounts, fees in from outside.

The reference core posts each outcome as it comes (one ledger transfer per payout, through
``Book.pay_bonus``); the fast core posts a day's outcomes at once, summed by account
(``pay_bonuses`` per source account, one transfer per source and leftover
account). Both end the day with the same balances and the same totals in and out of every
account. In bulk, outcomes paid out of the order split lines go first, then those out of
holding accounts (frozen funds released, pools paid): money is parked in a holding account
by an earlier order than the one that releases it, so no account goes below zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from sim.core.mechanics import MEMBER_CASH
from sim.distribution.base import KEPT, Income, Outcome, Payout
from sim.distribution.compiled_layout import O_FEN, O_MEMBER, O_SOURCE

FEES = "fees"  # the ledger's source for money paid for regions and service points
REGION_FEES, SERVICE_POINT_FEES = "region_fees", "service_point_fees"  # where the fees go
FEE_ACCOUNTS = (REGION_FEES, SERVICE_POINT_FEES)


def open_rule_accounts(ledger, accounts: Mapping[str, str]) -> None:
    """Open the rules' own accounts (:meth:`RuleSet.accounts`: name -> kind) in a ledger."""
    for name, kind in accounts.items():
        ledger.open(name, kind)


def post_each(book, outcomes: Iterable[Outcome]) -> list[Payout]:
    """Post outcomes one by one to a :class:`sim.core.book.Book`; the payouts, in order."""
    paid = []
    ledger = book.ledger
    for outcome in outcomes:
        for payout in outcome.payouts:
            book.pay_bonus(payout.member, payout.amount, outcome.source)
            paid.append(payout)
        for account, amount in outcome.leftovers.items():
            ledger.transfer(outcome.source, account, amount)
    return paid


def post_in_bulk(book, outcomes: list[Outcome], lines: frozenset[str]) -> list[Payout]:
    """Post outcomes to a compiled book (``pay_bonuses``), summed by account; the
    payouts, in order."""
    paid = [p for outcome in outcomes for p in outcome.payouts]
    for first in (True, False):
        by_source: dict[str, list[Payout]] = {}
        moved: dict[tuple[str, str], int] = {}
        for outcome in outcomes:
            if (outcome.source in lines) is not first:
                continue
            if outcome.payouts:
                by_source.setdefault(outcome.source, []).extend(outcome.payouts)
            for account, amount in outcome.leftovers.items():
                key = (outcome.source, account)
                moved[key] = moved.get(key, 0) + amount
        for source, payouts in by_source.items():
            book.pay_bonuses(payouts, source)
        for (source, account), amount in moved.items():
            book.ledger.transfer(source, account, amount)
    return paid


def post_batch(book, batch, accounts: list[str], lines: frozenset[str]) -> None:
    """:func:`post_in_bulk` for the compiled rules' payouts of a day
    (:class:`~sim.distribution.compiled_rules.PaidBatch`; ``accounts`` names its ids): the
    members credited in one pass, the ledger posted source by source in the same order."""
    rows = batch.rows
    sources = rows[:, O_SOURCE]
    book.credit_bonuses(rows[:, O_MEMBER], rows[:, O_FEN])
    paid = np.zeros(len(accounts), np.int64)
    np.add.at(paid, sources, rows[:, O_FEN])
    paid_from = np.flatnonzero(np.bincount(sources, minlength=len(accounts))).tolist()
    for first in (True, False):
        for source in paid_from:
            if (accounts[source] in lines) is first:
                book.ledger.transfer(accounts[source], MEMBER_CASH, int(paid[source]))
        for (source, account), amount in batch.leftovers.items():
            if (accounts[source] in lines) is first:
                book.ledger.transfer(accounts[source], accounts[account], amount)


def take_fees(ledger, incomes: Iterable[Income]) -> int:
    """Money paid for regions and service points enters the ledger (source ``fees``)."""
    total = 0
    for income in incomes:
        ledger.open(income.account, KEPT)
        ledger.receive(income.amount, {income.account: income.amount}, source=FEES)
        total += income.amount
    return total
