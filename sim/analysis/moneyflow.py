"""Where the money went: every yuan that entered a run, traced to where it sits at the end.

Money enters the ledger (:mod:`sim.core.ledger`) only as orders (split over the lines of
``order.split``), financing rounds (into the pool) and fees paid for regions and service
points (the distribution layer's), and then only moves between accounts.
So the final balances, with the day-by-day referral bonuses, say where each yuan went:

- ``kept`` by each split line other than the pool (product cost, platform, distribution...),
  net of the referral bonuses paid out of it;
- ``not_given``: kept by a line the seeds name without saying how it is paid
  (``order.rules_not_given``): "kept, rules not given", apart from what the operator chose
  to keep, since a platform run by the seed would pay it out by rules nobody wrote down;
- ``fees``: what members paid for regions and service points, kept by the platform (one
  line per kind of fee);
- ``referral_bonuses`` paid to members (out of ``referral.paid_from``);
- ``member_payouts``: cash paid to members out of the pool for sales and forced exits
  (``member_cash`` + ``withdrawn`` − bonuses: withdrawn or still on the platform);
- ``left_in_pool``: the pool's cash at the end;
- ``operator_diverted`` and ``custody_shortfall``: taken by the operator, or never held.

These amounts are exact fen and sum to the money entered, so the shares sum to exactly 1.
:meth:`MoneyFlow.takes` groups them by who took the money: the operator (kept lines other
than the goods, fees, diversion) and the distribution layer (bonuses paid to members).
With financing rounds the denominator is all money entered (consumers' and investors'): once
in the pool, a yuan's source cannot be told apart.

:func:`funded_by_others` attributes member payouts: all are paid from one common pool, so
for each member the payouts up to their own contributions to the pool (``pool`` share ×
spend, to within a fen per order of the split's rounding) count as their own money back, and
the rest as paid with other members' money (later members', and any subsidies).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

import pandas as pd

from sim.analysis.outcomes import order_spend
from sim.core.mechanics import (
    CUSTODY_SHORTFALL,
    GOODS_LINES,
    MEMBER_CASH,
    OPERATOR_DIVERTED,
    POOL,
    RESERVED_ACCOUNTS,
    WITHDRAWN,
)
from sim.core.units import fen_to_yuan
from sim.distribution.booking import FEE_ACCOUNTS

PREFIX = "account_"
# the scalar shares of the runs table: the split lines' part is summed, since lines differ
FLOW_METRICS = (
    "money_share_split_lines",
    "money_share_rules_not_given",
    "money_share_member_fees",
    "money_share_referral_bonuses",
    "money_share_member_payouts",
    "money_share_left_in_pool",
    "money_share_operator_diverted",
    "money_share_custody_shortfall",
)


@dataclass(frozen=True)
class MoneyFlow:
    """Money entered (fen) by source, and its uses: ``(use, kind, fen)`` summing to it."""

    from_orders: int
    from_financing: int
    uses: tuple[tuple[str, str, int], ...]
    from_fees: int = 0

    @property
    def entered(self) -> int:
        return self.from_orders + self.from_financing + self.from_fees

    def shares(self) -> dict[str, Fraction]:
        """Each use's exact share of the money entered (they sum to 1 when any entered)."""
        total = self.entered
        return {
            use: Fraction(amount, total) if total else Fraction(0) for use, _, amount in self.uses
        }

    def table(self) -> list[dict]:
        """One row per use, for ``summary.json``: use, kind, yuan, share."""
        shares = self.shares()
        return [
            {"use": use, "kind": kind, "yuan": fen_to_yuan(amount), "share": float(shares[use])}
            for use, kind, amount in self.uses
        ]

    def takes(self) -> dict[str, float | None]:
        """Who took what, as shares of the money entered (None when none entered): the
        operator (every kept line but those paying for the goods, members' fees, the pool
        money it diverted) and the distribution layer (bonuses paid to members). Money of lines
        without rules is in neither (``money_share_rules_not_given``)."""
        total = self.entered
        operator = sum(
            amount
            for use, kind, amount in self.uses
            if (kind == "kept" and use not in GOODS_LINES)
            or kind == "fees"
            or use == "operator_diverted"
        )
        layer = sum(amount for use, _, amount in self.uses if use == "referral_bonuses")
        return {
            "operator_take_share": operator / total if total else None,
            "distribution_take_share": layer / total if total else None,
        }

    def metrics(self) -> dict[str, float | None]:
        """Stable scalar shares (None when no money entered): split lines summed."""
        total = self.entered
        by_kind: dict[str, int] = {}
        for use, kind, amount in self.uses:
            name = {
                "kept": "split_lines",
                "not_given": "rules_not_given",
                "fees": "member_fees",
            }.get(kind, use)
            by_kind[name] = by_kind.get(name, 0) + amount
        return {
            metric: by_kind.get(metric.removeprefix("money_share_"), 0) / total if total else None
            for metric in FLOW_METRICS
        }


def trace(
    accounts: Mapping[str, int],
    bonuses: int,
    from_orders: int,
    from_financing: int = 0,
    from_fees: int = 0,
    not_given: Collection[str] = (),
) -> MoneyFlow:
    """The uses of the money entered, from the final account balances, the referral bonuses
    paid over the run and the money entered by source, all in fen; the lines in
    ``not_given`` are the scenario's lines without rules. Raises ``ValueError`` if the
    balances do not hold the money entered."""
    fen = dict(accounts)
    bonus, orders, financing, fees = bonuses, from_orders, from_financing, from_fees
    if sum(fen.values()) != orders + financing + fees:
        entered = orders + financing + fees
        raise ValueError(f"accounts hold {sum(fen.values())} fen but {entered} entered")
    members = fen.get(MEMBER_CASH, 0) + fen.get(WITHDRAWN, 0)
    if not 0 <= bonus <= members:
        raise ValueError(f"bonuses of {bonus} fen do not fit members' {members} fen")
    uses = [
        (name, _kept_kind(name, not_given), amount)
        for name, amount in fen.items()
        if name not in (POOL, *RESERVED_ACCOUNTS)
    ]
    uses += [
        ("referral_bonuses", "members", bonus),
        ("member_payouts", "members", members - bonus),
        ("left_in_pool", "pool", fen.get(POOL, 0)),
        ("operator_diverted", "operator", fen.get(OPERATOR_DIVERTED, 0)),
        ("custody_shortfall", "missing", fen.get(CUSTODY_SHORTFALL, 0)),
    ]
    return MoneyFlow(orders, financing, tuple(uses), fees)


def _kept_kind(account: str, not_given: Collection[str]) -> str:
    if account in FEE_ACCOUNTS:
        return "fees"
    return "not_given" if account in not_given else "kept"


def trace_run(rows: Iterable[Mapping], not_given: Collection[str] = ()) -> MoneyFlow:
    """:func:`trace` from a run's exact daily rows (:mod:`sim.model.daily`, fen): the last
    day's ``account_*`` balances and the sums of ``bonuses``, ``order_volume``,
    ``subsidies`` and (with the distribution layer) ``fees``."""
    records = list(rows)
    last = records[-1]
    accounts = {k.removeprefix(PREFIX): v for k, v in last.items() if k.startswith(PREFIX)}

    def total(column: str) -> int:
        return sum(row[column] for row in records)

    fees = total("fees") if "fees" in last else 0
    return trace(
        accounts,
        total("bonuses"),
        total("order_volume"),
        total("subsidies"),
        fees,
        not_given,
    )


def funded_by_others(members: pd.DataFrame, pool_share: Fraction) -> float | None:
    """The share of members' pool payouts (``cash_received``, fen) beyond each member's own
    contributions to the pool (``pool_share`` × their order spend: fees do not go to the
    pool); None when nothing was paid."""
    orders = order_spend(members).tolist()
    pairs = zip(members["cash_received"].tolist(), orders, strict=True)
    p, q = pool_share.numerator, pool_share.denominator
    paid = others = 0
    for cash, spent in pairs:
        if cash:
            paid += cash
            others += max(0, q * cash - p * spent)
    return float(Fraction(others, q * paid)) if paid else None
