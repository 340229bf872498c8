"""Collapse: the first day a run's daily time series meets a condition the scenario names.

A scheme like this one rarely ends with a bang the ledger can see: the price only rises
while the money runs out. So collapse is defined on what an outsider would observe, per
day, in the run's exact daily rows (:mod:`sim.model.daily`: money in fen; the same rows
``timeseries.parquet`` holds in yuan), by the scenario's
``collapse`` section (:class:`sim.scenario.sections.CollapseSection`):

- ``operator_halt``: the platform is halted (``halted``);
- ``unpaid_withdrawals``: payouts booked but never paid (``unpaid_claims`` > 0) for ``days``
  days in a row, a withdrawal queue above ``queue_share_of_pool`` of the posted pool, or (off
  unless ``request_wait_days`` is set) a withdrawal request waiting that many days;
- ``pool_drawdown``: the posted pool below ``share_of_peak`` of its running peak;
- ``inflow_stall``: new money (``inflow`` = orders + subsidies) below ``share_of_peak`` of its
  running peak for ``days`` days in a row (days before any inflow do not count);
- ``loss_majority``: more than ``share`` of the members who bought are below break-even
  (``members_losing``); off by default, because every buyer starts below break-even and it
  would fire on day 0 of every run.

A condition "fires" on the day it is first met; for one that must last a period, on the last
day of that period (the day it became observable). Every condition's first day is reported,
enabled or not; only enabled ones make the run collapse, and when several fire on the same
first day the one earliest in :data:`COLLAPSE_CONDITIONS` is named.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from sim.scenario.sections import (
    COLLAPSE_CONDITIONS,
    CollapseSection,
    InflowStall,
    LossMajority,
    OperatorHalt,
    PoolDrawdown,
    UnpaidWithdrawals,
)

Rows = Iterable[Mapping] | pd.DataFrame


@dataclass(frozen=True)
class Collapse:
    """Whether and when a run collapsed, and each condition's first day (None: never)."""

    collapsed: bool
    day: int | None
    condition: str | None
    first_days: tuple[tuple[str, int | None], ...]

    def metrics(self) -> dict:
        """Flat, stable names for ``summary.json`` and the batch ``runs`` table."""
        return {
            "collapsed": self.collapsed,
            "collapse_day": self.day,
            "collapse_condition": self.condition,
            **{f"{name}_day": day for name, day in self.first_days},
        }


def operator_halt(rows: list[Mapping], spec: OperatorHalt) -> int | None:
    return next((row["day"] for row in rows if row["halted"]), None)


def request_waits(rows: list[Mapping]) -> list[int | None]:
    """Each day, how many days the oldest unpaid withdrawal request has waited (None: the
    queue is empty). The queue is first come first paid (:mod:`sim.model.withdrawals`), so the
    requests made up to day k total what was paid by then plus what waited then, and the
    oldest request still waiting on day d is from the first day whose total exceeds what was
    paid by day d."""
    waits: list[int | None] = []
    requested: list[int] = []
    paid = first = 0
    for index, row in enumerate(rows):
        paid += row["withdrawals"]
        requested.append(paid + row["withdrawal_queue"])
        while first <= index and requested[first] <= paid:
            first += 1
        waits.append(index - first if first <= index else None)
    return waits


def unpaid_withdrawals(rows: list[Mapping], spec: UnpaidWithdrawals) -> int | None:
    run = 0
    limit = spec.request_wait_days
    waits = request_waits(rows) if limit is not None else [None] * len(rows)
    for row, wait in zip(rows, waits, strict=True):
        run = run + 1 if row["unpaid_claims"] > 0 else 0
        if (
            run >= spec.days
            or row["withdrawal_queue"] > spec.queue_share_of_pool * row["pool"]
            or (wait is not None and wait >= limit)
        ):
            return row["day"]
    return None


def pool_drawdown(rows: list[Mapping], spec: PoolDrawdown) -> int | None:
    peak = 0
    for row in rows:
        peak = max(peak, row["pool"])
        if row["pool"] < spec.share_of_peak * peak:
            return row["day"]
    return None


def inflow_stall(rows: list[Mapping], spec: InflowStall) -> int | None:
    """New money from members' orders (``order_volume``): subsidies are left out, so that a
    financing round paid in on one day does not become the peak every later day is held to."""
    peak, run = 0, 0
    for row in rows:
        volume = row["order_volume"]
        peak = max(peak, volume)
        run = run + 1 if peak > 0 and volume < spec.share_of_peak * peak else 0
        if run >= spec.days:
            return row["day"]
    return None


def loss_majority(rows: list[Mapping], spec: LossMajority) -> int | None:
    """Buyers are ``members_bought`` when the time series has it, else ``members_total``
    (every member but legacy ones places an order the day they join)."""
    for row in rows:
        buyers = row.get("members_bought", row["members_total"])
        if buyers and row["members_losing"] > spec.share * buyers:
            return row["day"]
    return None


FIRST_DAY: dict[str, Callable[[list[Mapping], object], int | None]] = {
    "operator_halt": operator_halt,
    "unpaid_withdrawals": unpaid_withdrawals,
    "pool_drawdown": pool_drawdown,
    "inflow_stall": inflow_stall,
    "loss_majority": loss_majority,
}


def detect(rows: Rows, spec: CollapseSection) -> Collapse:
    """The collapse of one run from its daily rows (a list of dicts or a DataFrame)."""
    records = rows.to_dict("records") if isinstance(rows, pd.DataFrame) else list(rows)
    first = {name: FIRST_DAY[name](records, getattr(spec, name)) for name in COLLAPSE_CONDITIONS}
    fired = [
        (day, rank, name)
        for rank, (name, day) in enumerate(first.items())
        if day is not None and getattr(spec, name).enabled
    ]
    found = tuple((name, None if day is None else int(day)) for name, day in first.items())
    if not fired:
        return Collapse(False, None, None, found)
    day, _, name = min(fired)
    return Collapse(True, int(day), name, found)
