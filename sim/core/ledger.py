"""Double-entry money ledger: every fen that enters sits in exactly one named account.

Money enters only through :meth:`Ledger.receive` (a member pays for an order, split over
accounts; an investor pays a subsidy into the pool) and moves only through
:meth:`Ledger.transfer` (from one account to another), so the sum of all balances always
equals the money that entered. :meth:`Ledger.check` proves it, exactly, in integer fen;
tests call it after every event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


class LedgerError(RuntimeError):
    """A posting that would break the books: a bug, never bad input."""


@dataclass
class Account:
    name: str
    kind: str
    balance: int = 0
    total_in: int = 0
    total_out: int = 0


class Ledger:
    """Accounts in fen. ``kind`` groups them: ``split`` (lines of an order), ``pool``,
    ``members`` (cash owed to members, their 零钱 balances), ``out`` (paid out of the platform),
    ``operator`` (taken by the operator), ``missing`` (never really held).
    ``entered_by`` counts the money that entered by source (``orders``, ``financing``)."""

    def __init__(self) -> None:
        self.accounts: dict[str, Account] = {}
        self.entered = 0
        self.entered_by: dict[str, int] = {}

    def open(self, name: str, kind: str) -> Account:
        """Open an account (idempotent for the same kind)."""
        account = self.accounts.get(name)
        if account is None:
            account = self.accounts[name] = Account(name, kind)
        elif account.kind != kind:
            raise LedgerError(f"account '{name}' is already open as {account.kind}")
        return account

    def balance(self, name: str) -> int:
        return self.accounts[name].balance

    def receive(self, amount: int, parts: Mapping[str, int], source: str = "orders") -> None:
        """Money from outside: ``amount`` fen paid in, credited to ``parts`` (which sum to it)."""
        if amount < 0 or any(v < 0 for v in parts.values()):
            raise LedgerError(f"negative receipt {amount} {dict(parts)}")
        if sum(parts.values()) != amount:
            raise LedgerError(f"receipt of {amount} split into {sum(parts.values())}")
        for name, part in parts.items():
            account = self.accounts[name]
            account.balance += part
            account.total_in += part
        self.entered += amount
        self.entered_by[source] = self.entered_by.get(source, 0) + amount

    def transfer(self, source: str, target: str, amount: int) -> None:
        """Move ``amount`` fen from one account to another; no account may go negative."""
        if amount < 0:
            raise LedgerError(f"negative transfer {amount} from {source} to {target}")
        src, dst = self.accounts[source], self.accounts[target]
        if src.balance < amount:
            raise LedgerError(f"{source} holds {src.balance} fen, cannot pay {amount}")
        src.balance -= amount
        src.total_out += amount
        dst.balance += amount
        dst.total_in += amount

    def total(self) -> int:
        return sum(account.balance for account in self.accounts.values())

    def check(self) -> None:
        """Raise unless the accounts hold exactly the money that entered."""
        total = self.total()
        if total != self.entered:
            raise LedgerError(f"accounts hold {total} fen but {self.entered} fen entered")
