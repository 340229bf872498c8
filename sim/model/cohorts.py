"""What a run of a comparison scheme (``classic_ponzi``, ``daily_release``) hands on: its
day rows, its summary and its members, who are held as cohorts (members who joined on the
same day with the same amount are alike) and written one row each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pyarrow as pa

from sim.core.units import fen_to_yuan
from sim.draws import Uniforms
from sim.model.inflow import Arrivals


@dataclass(frozen=True)
class Paid:
    """What a comparison run's members paid in and got back, in fen (exact): the money, the
    payers, the net losses (paid in − got back where positive) and wins (the reverse), and
    what was paid to promoters on others' purchases (a release scheme's)."""

    members: int
    paid_in: int
    payers: int
    got_back: int
    net_losses: int
    net_wins: int
    losers: int  # members who got back less than they paid in
    winners: int  # members who got back more than they paid in
    to_promoters: int = 0


def paid_of(cohorts: list[tuple[int, int, int]], to_promoters: int = 0) -> Paid:
    """:class:`Paid` of cohorts ``(count, paid in each, got back each)``."""
    return Paid(
        members=sum(n for n, _, _ in cohorts),
        paid_in=sum(n * paid for n, paid, _ in cohorts),
        payers=sum(n for n, paid, _ in cohorts if paid > 0),
        got_back=sum(n * back for n, _, back in cohorts),
        net_losses=sum(n * (paid - back) for n, paid, back in cohorts if paid > back),
        net_wins=sum(n * (back - paid) for n, paid, back in cohorts if back > paid),
        losers=sum(n for n, paid, back in cohorts if back < paid),
        winners=sum(n for n, paid, back in cohorts if back > paid),
        to_promoters=to_promoters,
    )


def paid_summary(paid: Paid) -> dict:
    """The summary's net losers (members who got back less than they paid in) and their
    share, net winners, losses and wins (yuan), as the net-investment method names them."""
    share = float(Fraction(paid.losers, paid.members)) if paid.members else 0.0
    return {
        "net_losers": paid.losers,
        "share_net_losers": share,
        "net_winners": paid.winners,
        "net_losses": fen_to_yuan(paid.net_losses),
        "clawback_pool": fen_to_yuan(paid.net_wins),
    }


@dataclass
class CohortRun:
    """A finished run: exact day rows (fen), the summary (yuan), ``members.parquet``."""

    scenario: object
    seed: int
    days: int
    rows: list[dict]
    summary: dict
    members: pa.Table
    unit: int = 1  # no points: the rows' amounts are fen
    bonuses: None = None
    paid: Paid | None = None  # exact: what members paid in and got back (the flags read it)
    # a release run's referral tree for the pyramid flags (sim.model.release_network.tree_table)
    network: tuple | None = None

    def members_output(self) -> pa.Table:
        return self.members


def daily_arrivals(scenario, seed: int) -> Callable[[int, int], int]:
    """The members who join on a day (given how many joined before it), drawn from the
    scenario's ``inflow`` as a points-scheme run draws them with the same seed; the
    ``initial_members`` join on day 0."""
    arrivals = Arrivals(scenario.inflow, Uniforms(np.random.default_rng(seed)))
    first = scenario.inflow.initial_members

    def on(day: int, joined: int) -> int:
        return arrivals.draw(day, joined) + (first if day == 0 else 0)

    return on


def members_table(
    schema: pa.Schema, counts: list[int], join_days: list[int], money: dict[str, list[int]]
) -> pa.Table:
    """One row per member, numbered from 1: each cohort's values repeated ``count`` times;
    ``money`` columns (fen, Python integers of any size, by the schema's names) as yuan."""
    repeat = np.array(counts, np.int64)

    def each(values: list[int]) -> np.ndarray:
        return np.repeat(np.array(values, np.int64), repeat)

    columns = {
        "member": np.arange(1, int(repeat.sum()) + 1, dtype=np.int64),
        "join_day": each(join_days),
    }
    for name, values in money.items():  # a cohort's yuan, then repeated: a promise grown
        # past int64 (a Ponzi's, e^200-fold at most) is still one correctly rounded float
        yuan = np.array([fen_to_yuan(value) for value in values], np.float64)
        columns[name] = np.repeat(yuan, repeat)
    return pa.table([columns[name] for name in schema.names], schema=schema)
