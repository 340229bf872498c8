"""Who gained and who paid: participant outcomes from a run's members table.

The run's exact members table (:func:`sim.model.members.member_table`: money in fen) has
one row a member with what they spent and got back. From it, over the members who bought
(``spent`` > 0):

- the share who lose money even counting the goods they bought at a fair value: the scenario's
  ``outcomes.goods_fair_value`` (a share of the price; default the ``product_cost`` line's
  share of ``order.split``, 0 without one), so that "consumers get the goods anyway" is
  weighed at what the goods cost, not at the price paid;
- results by join cohort (``outcomes.cohort_days`` wide): members, money, and the mean and
  median of each member's return, ``net_result / spent``;
- the Gini of net results. Net results are signed (most are losses), where the usual Gini
  (mean absolute difference over twice the mean) breaks down; we divide by twice the mean
  *absolute* value instead (Raffinetti, Siletti & Vernizzi 2015), which equals the usual
  Gini when nobody lost, is 0 when everybody has the same result and never exceeds 1;
- the share of buyers back at 1x (cash received + bonuses >= spent) at the end, the share
  who ever were (``break_even_day`` set), the share forced out at the cap at least once, and
  the median days from joining to the first break-even.

The top 1%'s share of all payouts (cash received + bonuses) is over every member, buyer or
not (legacy members are paid without buying): the ``ceil(n / 100)`` best-paid members.
Comparisons with the spend are made in integer fen, so a member exactly at break-even counts
as not losing. Sums, returns, the Gini and the top 1%'s share are taken over the yuan
values the members file shows (:func:`sim.core.units.yuan_array`), so that a query over
``members.parquet`` gives the same numbers. A share of nobody is None (null), not 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from sim.core.exact_sign import exact_columns, signs
from sim.core.mechanics import GOODS_LINES
from sim.core.units import yuan_array

COLUMNS = (  # the members table's columns read here
    "join_day",
    "spent",
    "fees_paid",
    "cash_received",
    "bonuses_received",
    "forced_exits",
    "break_even_day",
    "net_result",
)


@dataclass(frozen=True)
class Outcomes:
    """A run's participant outcomes; ``cohorts`` is a table, the rest are scalars."""

    buyers: int
    goods_fair_value: float
    share_losing_counting_goods: float | None
    gini_net_result: float | None
    top1_payout_share: float | None
    share_reaching_1x: float | None
    share_ever_breaking_even: float | None
    share_reaching_cap: float | None
    median_days_to_break_even: float | None
    cohorts: pd.DataFrame

    def metrics(self) -> dict:
        """The scalars, under the names of ``summary.json`` and the batch ``runs`` table."""
        return {
            "goods_fair_value": self.goods_fair_value,
            "share_losing_counting_goods": self.share_losing_counting_goods,
            "gini_net_result": self.gini_net_result,
            "top1_payout_share": self.top1_payout_share,
            "share_reaching_1x": self.share_reaching_1x,
            "share_ever_breaking_even": self.share_ever_breaking_even,
            "share_reaching_cap": self.share_reaching_cap,
            "median_days_to_break_even": self.median_days_to_break_even,
        }


def goods_share(scenario) -> Fraction:
    """What the goods are worth as a share of the price: the scenario's
    ``outcomes.goods_fair_value``, or the split lines that pay for the goods
    (:data:`sim.core.mechanics.GOODS_LINES`: ``product_cost``, ``merchant``; 0 without them)."""
    value = scenario.outcomes.goods_fair_value
    if value is None:
        split = dict(scenario.order.split)
        value = sum((split.get(line, 0) for line in GOODS_LINES), 0)
    return Fraction(value)


def share(count: int, total: int) -> float | None:
    return count / total if total else None


def gini(values) -> float | None:
    """Gini of signed values: mean absolute difference over twice the mean absolute value
    (the usual Gini when none is negative); 0 when all are 0, None for no values."""
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    if n == 0:
        return None
    scale = np.abs(x).sum()
    if scale == 0:
        return 0.0
    ranks = 2 * np.arange(1, n + 1) - n - 1  # sum over pairs |xi - xj| = 2 sum ranks * x
    return float(np.dot(ranks, x) / (n * scale))


def top_share(values, fraction: float = 0.01) -> float | None:
    """The share of the total held by the top ``ceil(fraction * n)`` values (None if 0)."""
    x = np.sort(np.asarray(values, dtype=float))[::-1]
    total = x.sum()
    if not len(x) or total <= 0:
        return None
    return float(x[: math.ceil(fraction * len(x))].sum() / total)


def losing_counting_goods(buyers: pd.DataFrame, goods: Fraction) -> int:
    """Buyers whose cash back + bonuses + goods at ``goods`` of the price is below what they
    paid in (goods come with orders only, not with fees)."""
    net, orders = exact_columns(buyers["net_result"], order_spend(buyers))
    return int(np.count_nonzero(signs(net, orders, goods) < 0))


def order_spend(members: pd.DataFrame) -> pd.Series:
    """What members spent on orders: ``spent`` less the fees in it (tables that predate
    ``fees_paid``, or rows without it, had none in ``spent``)."""
    if "fees_paid" not in members:
        return members["spent"]
    return members["spent"] - members["fees_paid"].fillna(0)


def cohorts(buyers: pd.DataFrame, days: int) -> pd.DataFrame:
    """Buyers by join cohort of ``days`` days: members, money (yuan) and returns
    (net / spent)."""
    spent = yuan_array(buyers["spent"].to_numpy())
    net = yuan_array(buyers["net_result"].to_numpy())
    frame = pd.DataFrame(
        {
            "cohort": buyers["join_day"].to_numpy() // days,
            "spent": spent,
            "net_result": net,
            "losing": net < 0,
            "ret": net / spent,
        }
    )
    grouped = frame.groupby("cohort", sort=True)
    out = grouped.agg(
        members=("ret", "size"),
        spent=("spent", "sum"),
        net_result=("net_result", "sum"),
        mean_return=("ret", "mean"),
        median_return=("ret", "median"),
        share_losing=("losing", "mean"),
    ).reset_index()
    out.insert(1, "first_day", out["cohort"] * days)
    out.insert(2, "last_day", out["cohort"] * days + days - 1)
    return out


def measure(members: pd.DataFrame, goods: Fraction, cohort_days: int = 30) -> Outcomes:
    """The outcomes of one run from its members table (see the module docstring)."""
    buyers = members[members["spent"] > 0]
    n = len(buyers)
    received = buyers["cash_received"].to_numpy() + buyers["bonuses_received"].to_numpy()
    even_day = pd.to_numeric(buyers["break_even_day"], errors="coerce")
    ever = even_day.notna()
    waited = (even_day[ever] - buyers.loc[ever, "join_day"]).to_numpy(dtype=float)
    payouts = yuan_array(members["cash_received"].to_numpy()) + yuan_array(
        members["bonuses_received"].to_numpy()
    )
    return Outcomes(
        buyers=n,
        goods_fair_value=float(goods),
        share_losing_counting_goods=share(losing_counting_goods(buyers, goods), n),
        gini_net_result=gini(yuan_array(buyers["net_result"].to_numpy())),
        top1_payout_share=top_share(payouts),
        share_reaching_1x=share(int((received >= buyers["spent"].to_numpy()).sum()), n),
        share_ever_breaking_even=share(int(ever.sum()), n),
        share_reaching_cap=share(int((buyers["forced_exits"] > 0).sum()), n),
        median_days_to_break_even=float(np.median(waited)) if len(waited) else None,
        cohorts=cohorts(buyers, cohort_days),
    )


def measure_run(members: pd.DataFrame | list[dict], scenario) -> Outcomes:
    """:func:`measure` with the scenario's ``outcomes`` settings."""
    if not isinstance(members, pd.DataFrame):
        members = pd.DataFrame(members, columns=list(COLUMNS))
    spec = scenario.outcomes
    return measure(members, goods_share(scenario), spec.cohort_days)
