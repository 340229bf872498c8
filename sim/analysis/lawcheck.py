"""The break-even law beside simulated runs: did the runs' orders need the growth the law says?

The law (:mod:`sim.analysis.breakeven`, SPEC §5) says an order's points are worth ``x`` times what
it paid once the platform's cumulative orders have grown ``(x / (m·s))^(1/(1−m))``-fold since it
was placed, when orders are steady and nobody sells. A run is neither: inflow grows and fades,
members sell (each sale leaves 20% in the pool and burns points, which lifts the price) and
stress levers add or take money. This module reads what each order of a run actually needed.

It works from a run's daily series alone (``day``, ``price``, ``order_volume``), so it covers
every replicate of a batch without re-running anything. An order of ``A`` yuan placed at price
``p`` is minted ``m·s·A / p`` points, worth ``x·A`` once the price reaches ``p · x / (m·s)``,
whoever holds them. For the first order of each day, minted at the previous day's closing
price when ``V`` yuan of orders had been placed before it, the module finds the first day ``t``
whose closing price reaches that, and the growth ``V_t / V`` of the cumulative order volume
(cumulative orders, when orders are of one size) it took. The law is in volume, not in order
counts, when orders differ in size: the mint rule makes the points grow like ``V^m``.

What it reads is approximate to a day: a day's volume is counted whole on the day the price got
there, and a per-order cap on points (``max_points_per_order``) is ignored, as the law ignores it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis import breakeven
from sim.i18n import N_, gettext

MAX_DAYS = 6_000  # a days × days comparison per run: 36M cells at most
CLOSE = 0.05  # runs within 5% of the law "follow" it


@dataclass(frozen=True)
class Target:
    """A multiple an order's points may reach: as a multiple of the spend, as the rise of
    the price since the order it takes (``price_ratio``), and the law's growth (None: never)."""

    label: str
    multiple_of_spend: float
    price_ratio: float
    law_growth: float | None


def targets(scenario) -> list[Target]:
    """1x, 2x and the scenario's exit cap (:func:`sim.analysis.breakeven.law_table`'s rows); none
    when orders mint no points (pool share or mint ratio 0)."""
    mech = scenario.mechanics()
    at_entry = float(mech.mint_ratio) * float(mech.pool_share)  # worth at entry / spend
    if at_entry <= 0:
        return []
    return [
        Target(
            row["label"],
            row["multiple_of_spend"],
            row["multiple_of_spend"] / at_entry,
            row["law_growth"],
        )
        for row in breakeven.law_table(scenario)
    ]


def order_paths(daily: pd.DataFrame, wanted: list[Target]) -> pd.DataFrame:
    """One run: a row per day with orders after the first day, for the first order of that
    day — ``day``, ``volume`` (that day's order volume, yuan), ``volume_before`` (cumulative
    before the day), ``growth_by_end`` (the growth still to come by the run's last day), and
    per target ``reached_<i>`` (the first day its points were worth the target, -1 never) and
    ``growth_<i>`` (the growth it took, NaN never). ``daily`` has ``day, price,
    order_volume``, one row per day."""
    frame = daily.sort_values("day")
    if len(frame) > MAX_DAYS:
        raise ValueError(f"a run of {len(frame)} days is longer than {MAX_DAYS}")
    price = frame["price"].to_numpy(dtype=float)
    volume = frame["order_volume"].to_numpy(dtype=float)
    cumulative = np.cumsum(volume)
    days = frame["day"].to_numpy()
    rows = np.flatnonzero((volume > 0) & (np.arange(len(volume)) > 0))
    rows = rows[cumulative[rows - 1] > 0]
    before = cumulative[rows - 1]
    out = pd.DataFrame(
        {
            "day": days[rows],
            "volume": volume[rows],
            "volume_before": before,
            "growth_by_end": cumulative[-1] / before,
        }
    )
    later = np.arange(len(price))[None, :] >= rows[:, None]  # day t at or after the order
    for i, target in enumerate(wanted):
        goal = price[rows - 1] * target.price_ratio
        hit = later & (price[None, :] >= goal[:, None] * (1 - 1e-12))
        found = hit.any(axis=1)
        first = np.where(found, hit.argmax(axis=1), -1)
        out[f"reached_{i}"] = np.where(found, days[first], -1)
        out[f"growth_{i}"] = np.where(found, cumulative[first] / before, np.nan)
    return out


def compare(timeseries: pd.DataFrame, wanted: list[Target]) -> pd.DataFrame:
    """:func:`order_paths` of every run of one scenario (``replicate`` column kept)."""
    parts = [
        order_paths(group, wanted).assign(replicate=replicate)
        for replicate, group in timeseries.groupby("replicate", sort=True)
    ]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def table(paths: pd.DataFrame, wanted: list[Target]) -> list[dict]:
    """A row per target: the law's growth beside the growth the runs' orders took, and the
    share of order money whose points got there by the end, as the law predicts it (the days
    whose growth by the end reached the law's) and as it happened."""
    rows = []
    weight = paths["volume"].to_numpy()
    total = weight.sum()
    for i, target in enumerate(wanted):
        took = paths[f"growth_{i}"].dropna()
        law = target.law_growth
        could = paths["growth_by_end"] >= law if law is not None else paths["day"] < 0
        did = paths[f"reached_{i}"] >= 0
        rows.append(
            {
                "points worth": target.label,
                "law: growth needed": law,
                "runs: growth it took (median)": float(took.median()) if len(took) else None,
                "runs: 25–75%": f"{took.quantile(0.25):,.1f}–{took.quantile(0.75):,.1f}"
                if len(took)
                else None,
                "runs: most growth an order saw by the end": float(paths["growth_by_end"].max()),
                "law: share of order money that gets there by the end": (
                    float(weight[could.to_numpy()].sum() / total) if total else None
                ),
                "runs: share that got there": float(weight[did.to_numpy()].sum() / total)
                if total
                else None,
                "law: last day an order gets there": _last_day(paths, could),
                "runs: last day an order got there": _last_day(paths, did),
            }
        )
    return rows


def _last_day(paths: pd.DataFrame, mask: pd.Series) -> int | None:
    """The latest day whose order got there, the median over the runs where one did (None:
    in none)."""
    days = paths[mask].groupby("replicate")["day"].max()
    return int(np.median(days)) if len(days) else None


def sentence(name: str, rows: list[dict], mint_ratio: float, lang: str = "en") -> str:
    """The comparison in words, for the first target the runs reached (1x if any)."""
    _ = gettext(lang)
    reached = [r for r in rows if r["runs: growth it took (median)"] is not None]
    if not reached:  # nothing to compare: the summary's words say it all
        return headline(name, rows, lang)
    parts = []
    for row in reached[:2]:
        law = row["law: growth needed"]
        parts.append(
            _(
                "points worth {target} took the platform's cumulative orders a median "
                "{took}-fold growth after the order {law}, and {share} of the order money got "
                "there (law: {law_share})"
            ).format(
                target=row["points worth"],
                took=f"{row['runs: growth it took (median)']:,.0f}",
                law=_("(law: {growth}-fold)").format(growth=f"{law:,.0f}")
                if law is not None
                else _("(law: never)"),
                share=percent(row["runs: share that got there"], lang),
                law_share=percent(
                    row["law: share of order money that gets there by the end"], lang
                ),
            )
        )
    first = reached[0]
    law, took = first["law: growth needed"], first["runs: growth it took (median)"]
    if law is not None and abs(took / law - 1) <= CLOSE:
        why = _(
            "the runs stay within {close} of it: little selling, so orders alone moved the price"
        ).format(close=f"{CLOSE:.0%}")
    elif law is None or took < law:
        why = _(
            "in the runs the price rose faster: every sale leaves part of its value in the "
            "pool and burns its points, and any subsidy adds money"
        )
    else:
        why = _(
            "in the runs the price rose slower: money was taken out of the pool or points "
            "were granted without money"
        )
    return _(
        "{name}: {parts}. The law assumes steady orders, nobody selling and mint ratio {mint}; "
        "{why}."
    ).format(name=name, parts=_("; ").join(parts), mint=f"{mint_ratio:g}", why=why)


def headline(name: str, rows: list[dict], lang: str = "en") -> str:
    """The comparison for a summary: the first target the runs reached, or that none did."""
    _ = gettext(lang)
    reached = [r for r in rows if r["runs: growth it took (median)"] is not None]
    if not rows:
        return _("{name}: orders mint no points.").format(name=name)
    if not reached:
        first = rows[0]
        law = first["law: growth needed"]
        return _(
            "{name}: no order's points reached {target} within the run: the platform's "
            "cumulative orders grew at most {most}-fold after any order {law}"
        ).format(
            name=name,
            target=first["points worth"],
            most=f"{first['runs: most growth an order saw by the end']:,.0f}",
            law=_("(the law: never).")
            if law is None
            else _("(the law needs {growth}-fold).").format(growth=f"{law:,.0f}"),
        )
    row = reached[0]
    law = row["law: growth needed"]
    return _(
        "{name}: an order's points were worth {target} its price once the platform's "
        "cumulative orders had grown a median {took}-fold after it (the law: {law}); {share} of "
        "all order money got there."
    ).format(
        name=name,
        target=row["points worth"],
        took=f"{row['runs: growth it took (median)']:,.0f}",
        law=_("never") if law is None else _("{growth}-fold").format(growth=f"{law:,.0f}"),
        share=percent(row["runs: share that got there"], lang),
    )


# the comparison table's columns, for the catalogue (a report names them in its language)
COLUMNS = (
    N_("points worth"),
    N_("law: growth needed"),
    N_("runs: growth it took (median)"),
    N_("runs: 25–75%"),
    N_("runs: most growth an order saw by the end"),
    N_("law: share of order money that gets there by the end"),
    N_("runs: share that got there"),
    N_("law: last day an order gets there"),
    N_("runs: last day an order got there"),
)


def percent(share: float | None, lang: str = "en") -> str:
    """A share in words; tiny ones as 'under 0.1%' rather than a misleading 0.0%."""
    if share is None:
        return "–"
    if 0 < share < 0.001:
        _ = gettext(lang)
        return _("under {share}").format(share="0.1%")
    return f"{share:.1%}"
