"""Posting outcomes and income to the double-entry ledger, and tallying payouts.

Payouts move from their source account to the members' cash account; leftovers to their named
accounts; income (regions sold, franchise fees) enters from outside. The per-member credit
(``Book.pay_bonus``) and the per-rule tallies are the caller's, from the same outcomes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from sim.core.ledger import Ledger
from sim.distribution.base import KEPT, Income, Outcome


def open_accounts(ledger: Ledger, accounts: Mapping[str, str]) -> None:
    for name, kind in accounts.items():
        ledger.open(name, kind)


def post(ledger: Ledger, outcomes: Iterable[Outcome], cash: str = "member_cash") -> None:
    for outcome in outcomes:
        if outcome.paid:
            ledger.transfer(outcome.source, cash, outcome.paid)
        for account, amount in outcome.leftovers.items():
            ledger.transfer(outcome.source, account, amount)


def receive(ledger: Ledger, income: Income, source: str = "fees") -> None:
    ledger.open(income.account, KEPT)
    ledger.receive(income.amount, {income.account: income.amount}, source=source)


def tally(outcomes: Iterable[Outcome]) -> Counter[tuple[str, int, str]]:
    """Fen paid to members by (rule, level, reason): payouts by rule and by depth."""
    found: Counter[tuple[str, int, str]] = Counter()
    for outcome in outcomes:
        for p in outcome.payouts:
            found[p.rule, p.level, p.reason] += p.amount
    return found
