"""One day's figures and the day's row of the time series, in exact units.

The model counts what happened on a day in fen and point units (:class:`DayFigures`) and
closes the day with one row (:func:`day_row`): money in fen, points in units, the price as
an exact fraction (fen per unit). :data:`KINDS` says which is which, so that the one hop to
a file (:func:`sim.core.units.to_output`) turns the row into yuan and points.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.core.units import FEN, PRICE, UNITS, to_output


@dataclass
class DayFigures:
    """What happened on one day (fen and units)."""

    new_members: int = 0
    orders: int = 0
    order_volume: int = 0
    sales: int = 0
    forced_exits: int = 0
    payouts: int = 0
    bonuses: int = 0
    fees: int = 0  # paid for regions and service points (distribution layer)
    withdrawals: int = 0
    subsidies: int = 0
    diverted: int = 0
    legacy_points: int = 0
    skipped: int = 0
    panic: bool = False


# the exact kind of each money, points or price column; the others are counts and flags.
# ``account_*`` columns (one per ledger account) are fen.
KINDS = {
    "price": PRICE,
    "pool": FEN,
    "pool_cash": FEN,
    "points": UNITS,
    "inflow": FEN,
    "order_volume": FEN,
    "subsidies": FEN,
    "payouts": FEN,
    "bonuses": FEN,
    "withdrawals": FEN,
    "withdrawal_queue": FEN,
    "unpaid_claims": FEN,
    "diverted": FEN,
    "legacy_points": UNITS,
    "fees": FEN,
    "returns": FEN,  # the classic Ponzi's fund: what it earned, was due, promised
    "due": FEN,
    "promised": FEN,
    "agents": FEN,  # the daily-release scheme's: regional agents' share, points not yet
    "outstanding": FEN,  # released (a point is a yuan of promise)
}
ACCOUNT = "account_"  # prefix of the ledger accounts' balance columns


def kind(column: str) -> str | None:
    """The exact kind of a time-series column (None: a count or a flag)."""
    return FEN if column.startswith(ACCOUNT) else KINDS.get(column)


def day_row(model, day: int, f: DayFigures) -> dict:
    """The time series' row for ``day``: the book as it closed and the day's figures."""
    book = model.book
    row = {
        "day": day,
        "price": book.price,
        "pool": book.pool,
        "pool_cash": book.pool_cash,
        "points": book.points,
        "members_active": book.holders,
        "members_total": model.joined,
        "members_bought": model.break_even.bought,
        "members_losing": model.break_even.losing,
        "new_members": f.new_members,
        "orders": f.orders,
        "inflow": f.order_volume + f.subsidies + f.fees,
        "order_volume": f.order_volume,
        "subsidies": f.subsidies,
        "sales": f.sales,
        "forced_exits": f.forced_exits,
        "payouts": f.payouts,
        "bonuses": f.bonuses,
        "withdrawals": f.withdrawals,
        "withdrawal_queue": model.withdrawals.queued,
        "unpaid_claims": book.unpaid,
        "diverted": f.diverted,
        "legacy_points": f.legacy_points,
        "skipped_intents": f.skipped,
        "panic": f.panic,
        "halted": model.stress.halted(day),
    }
    if model.distribution is not None:  # only then: other runs keep their columns
        row["fees"] = f.fees
    for account in book.ledger.accounts.values():
        row[f"{ACCOUNT}{account.name}"] = account.balance
    return row


def output_row(row: dict, unit: int) -> dict:
    """An exact row as a file shows it: yuan, points, yuan per point (the one hop)."""
    return {name: to_output(value, kind(name), unit) for name, value in row.items()}
