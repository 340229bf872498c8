"""Claim 3 of SPEC §5 — panic sales make the price jump and start a new rising cycle — tested
as a paired counterfactual.

Why paired: panics come at the bottleneck, when growth has faded. Comparing the price moves
on panic days with those on all other days compares a fading phase with a growing one and
says more about the phase than about the panic (:func:`day_comparison`, kept for context
only). Instead each re-run replicate is run twice on the same seed: as written, and with the
panic sellers' reaction switched off (``react_probability`` 0, nothing else changed). Up to
the first trigger the two runs are the same day for day, so the ratio of their prices at the
close of the first trigger day is the jump the panic caused, and the ratio on the last day
says whether the price went on to end higher than it would have without the panic (the
"new rising cycle"). The ratios after every later trigger are shown beside them.

A half of the claim is *up* when the 95% interval of its ratio over the replicates lies
above 1, *down* when it lies below 1, and *unclear* otherwise. Verdict: **held** when both
halves are up; **failed** when one is down and the other is not up; **mixed** when one is
up and the other is not; **not testable** when both are unclear, or with fewer than two
pairs (no interval), or when no trigger fired in the re-runs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.evidence import (
    CLAIMS,
    FAILED,
    HELD,
    MIXED,
    UNTESTABLE,
    ScenarioEvidence,
    Verdict,
    daily_changes,
    overall,
    pct,
    ratio_interval,
)

PANIC = "panic"  # the lever switched off in the paired run (Rerun.without_daily)
UP, DOWN, UNCLEAR = "up", "down", "unclear"


def episode_starts(panic: pd.Series) -> list[int]:
    """The first day of each run of consecutive panic days (``panic`` indexed by day)."""
    panic = panic.astype(bool)
    return [int(day) for day in panic[panic & ~panic.shift(1, fill_value=False)].index]


def paired_ratios(daily: pd.DataFrame, without: pd.DataFrame) -> dict | None:
    """One pair of runs on one seed (day rows with ``day``, ``price``, ``panic``): the price
    as run ÷ the price without the panic reaction, at the close of the first trigger day,
    after each trigger and on the last day; None when no trigger fired."""
    run = daily.set_index("day")
    price, other = run["price"], without.set_index("day")["price"]
    starts = episode_starts(run["panic"])
    if not starts:
        return None
    first, last = starts[0], int(run.index.max())
    before = price.loc[: first - 1]
    return {
        "first trigger": first,
        "triggers": len(starts),
        "jump": float(price[first] / other[first]),
        "each trigger": [float(price[d] / other[d]) for d in starts],
        "horizon": float(price[last] / other[last]),
        "last day": last,
        "same before": bool((before == other.loc[: first - 1]).all()),
    }


def direction(low: float, high: float) -> str:
    """Up when a ratio's interval lies above 1, down when below, else unclear."""
    if low > 1:
        return UP
    if high < 1:
        return DOWN
    return UNCLEAR


def judge(jump: str, horizon: str) -> str:
    """The verdict from the two halves' directions (see the module's docstring)."""
    if jump == UP and horizon == UP:
        return HELD
    if DOWN in (jump, horizon) and UP not in (jump, horizon):
        return FAILED
    if UP in (jump, horizon):
        return MIXED
    return UNTESTABLE


def day_comparison(timeseries: pd.DataFrame) -> tuple[float, float]:
    """Mean daily price change on panic days and on all other days. For context only: it
    compares phases of growth as much as panics (see the module's docstring)."""
    daily = daily_changes(timeseries)
    panic = daily["panic"].astype(bool)
    return (
        float(daily.loc[panic, "change"].dropna().mean()),
        float(daily.loc[~panic, "change"].dropna().mean()),
    )


def _signed(ratio: float) -> str:
    return f"{ratio - 1:+.1%}"


def _span(mean: float, low: float, high: float) -> str:
    if np.isnan(low):
        return _signed(mean)
    return f"{_signed(mean)} (95% interval {_signed(low)} to {_signed(high)})"


def _row(item: ScenarioEvidence) -> dict:
    row = {"scenario": item.name}
    if not item.timeseries["panic"].astype(bool).any():
        return {**row, "verdict": UNTESTABLE, "why": "no panic trigger fired in any run"}
    on, off = day_comparison(item.timeseries)
    context = {
        "panic days, mean change (context)": pct(on),
        "other days, mean change (context)": pct(off),
    }
    if not item.reruns:
        why = item.missing or "no re-run"
        return {**row, "verdict": UNTESTABLE, "why": f"{why}; the paired test needs re-runs"}
    paired = [r for r in item.reruns if r.daily is not None and PANIC in r.without_daily]
    if not paired:
        why = "the re-runs have no run without the panic reaction"
        return {**row, "verdict": UNTESTABLE, "why": why, **context}
    pairs = [paired_ratios(r.daily, r.without_daily[PANIC]) for r in paired]
    pairs = [p for p in pairs if p is not None]
    if not pairs:
        why = "no trigger fired in the re-runs"
        return {**row, "verdict": UNTESTABLE, "why": why, **context}
    jump = ratio_interval([p["jump"] for p in pairs])
    horizon = ratio_interval([p["horizon"] for p in pairs])
    after = [ratio for p in pairs for ratio in p["each trigger"]]
    if len(pairs) < 2:
        verdict, why = UNTESTABLE, "one pair: at least two re-runs are needed for an interval"
    else:
        verdict, why = judge(direction(*jump[1:]), direction(*horizon[1:])), ""
    return {
        **row,
        "verdict": verdict,
        "why": why,
        "pairs (same seeds)": len(pairs),
        "first trigger day (median)": int(np.median([p["first trigger"] for p in pairs])),
        "identical until the trigger": f"{sum(p['same before'] for p in pairs)} of {len(pairs)}",
        "price on the trigger day vs without panic": _span(*jump),
        "price after each trigger vs without (mean)": _signed(float(np.mean(after))),
        "panic episodes per run (mean)": round(float(np.mean([p["triggers"] for p in pairs])), 1),
        "last day": pairs[0]["last day"],
        "price on the last day vs without panic": _span(*horizon),
        **context,
    }


def _sentence(r: dict) -> str:
    if "pairs (same seeds)" not in r:
        return f"{r['scenario']}: not testable ({r['why']})."
    text = (
        f"{r['scenario']}: run again on {r['pairs (same seeds)']} seeds with the panic reaction "
        f"switched off and nothing else changed (the two runs identical until the trigger in "
        f"{r['identical until the trigger']}), the price at the close of the first trigger day "
        f"(day {r['first trigger day (median)']}, median) was "
        f"{r['price on the trigger day vs without panic']} against the run without panic, "
        f"{r['price after each trigger vs without (mean)']} on average on the first day of each "
        f"panic episode ({r['panic episodes per run (mean)']} per run), and "
        f"{r['price on the last day vs without panic']} on day {r['last day']}"
    )
    text += f"; {r['why']}." if r["why"] else "."
    return text + (
        f" (A plain comparison of panic days, {r['panic days, mean change (context)']} a day, "
        f"with other days, {r['other days, mean change (context)']}, mixes the fading phase "
        "with the growth phase and is not the test.)"
    )


def claim_panic_restarts_cycle(evidence: list[ScenarioEvidence]) -> Verdict:
    rows = [_row(item) for item in evidence]
    tested = [r for r in rows if "pairs (same seeds)" in r]
    quiet = [r["scenario"] for r in rows if r["why"] == "no panic trigger fired in any run"]
    parts = [_sentence(r) for r in rows if r["scenario"] not in quiet]
    if quiet:
        parts.append(
            "No panic in "
            + ", ".join(quiet)
            + " (needs panic sellers with a trigger, e.g. scenarios/panic-after-shock.yaml)."
        )
    if tested:
        r = tested[0]
        headline = (
            f"{r['scenario']}: against the same seeds with the panic reaction switched off, the "
            f"price was {r['price on the trigger day vs without panic']} on the trigger day and "
            f"{r['price on the last day vs without panic']} on day {r['last day']} "
            f"({r['pairs (same seeds)']} pairs)."
        )
    elif quiet and len(quiet) == len(rows):
        headline = "No panic trigger fired in any run of this batch."
    else:
        headline = "Not testable: " + "; ".join(f"{r['scenario']}: {r['why']}" for r in rows)
    return Verdict(3, CLAIMS[3], overall(rows), " ".join(parts), rows, headline)
