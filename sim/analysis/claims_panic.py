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
    FAILED,
    HELD,
    MIXED,
    UNTESTABLE,
    ScenarioEvidence,
    Verdict,
    claim_text,
    daily_changes,
    overall,
    pct,
    ratio_interval,
    reason,
)
from sim.i18n import N_, gettext

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


def _span(mean: float, low: float, high: float, lang: str = "en") -> str:
    if np.isnan(low):
        return _signed(mean)
    _ = gettext(lang)
    return _("{mean} ({level} interval {low} to {high})").format(
        mean=_signed(mean), level="95%", low=_signed(low), high=_signed(high)
    )


QUIET = N_("no panic trigger fired in any run")  # a row's "why" when nothing can be compared
WHY_NOT = (  # the other reasons a scenario cannot test the claim, for the catalogue
    N_("no re-run"),
    N_("the re-runs have no run without the panic reaction"),
    N_("no trigger fired in the re-runs"),
    N_("one pair: at least two re-runs are needed for an interval"),
    N_("{why}; the paired test needs re-runs"),
)


def _row(item: ScenarioEvidence, exact: dict) -> dict:
    """The row of one scenario; ``exact`` gets its ratios' (mean, low, high) and the pairs
    identical until the trigger, for the words."""
    row = {"scenario": item.name}
    if not item.timeseries["panic"].astype(bool).any():
        return {**row, "verdict": UNTESTABLE, "why": QUIET}
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
    exact[item.name] = (jump, horizon, sum(p["same before"] for p in pairs))
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


def _why(r: dict, _) -> str:
    """The row's reason in the reader's language (a re-run's own reason kept as it is)."""
    why = r["why"]
    if why.endswith("; the paired test needs re-runs"):
        return _("{why}; the paired test needs re-runs").format(
            why=reason(why.removesuffix("; the paired test needs re-runs"), _)
        )
    return reason(why, _)


def _sentence(r: dict, exact: dict, lang: str) -> str:
    _ = gettext(lang)
    if "pairs (same seeds)" not in r:
        return _("{scenario}: not testable ({why}).").format(scenario=r["scenario"], why=_why(r, _))
    jump, horizon, same = exact[r["scenario"]]
    text = _(
        "{scenario}: run again on {pairs} seeds with the panic reaction switched off and nothing "
        "else changed (the two runs identical until the trigger in {same}), the price at the "
        "close of the first trigger day (day {day}, median) was {jump} against the run without "
        "panic, {after} on average on the first day of each panic episode ({episodes} per run), "
        "and {horizon} on day {last}"
    ).format(
        scenario=r["scenario"],
        pairs=r["pairs (same seeds)"],
        same=_("{same} of {pairs}").format(same=same, pairs=r["pairs (same seeds)"]),
        day=r["first trigger day (median)"],
        jump=_span(*jump, lang),
        after=r["price after each trigger vs without (mean)"],
        episodes=r["panic episodes per run (mean)"],
        horizon=_span(*horizon, lang),
        last=r["last day"],
    )
    text += _("; {why}.").format(why=_why(r, _)) if r["why"] else _(".")
    return text + _(
        " (A plain comparison of panic days, {on} a day, with other days, {off}, mixes the "
        "fading phase with the growth phase and is not the test.)"
    ).format(on=r["panic days, mean change (context)"], off=r["other days, mean change (context)"])


def claim_panic_restarts_cycle(evidence: list[ScenarioEvidence], lang: str = "en") -> Verdict:
    _ = gettext(lang)
    exact: dict = {}
    rows = [_row(item, exact) for item in evidence]
    tested = [r for r in rows if "pairs (same seeds)" in r]
    quiet = [r["scenario"] for r in rows if r["why"] == QUIET]
    parts = [_sentence(r, exact, lang) for r in rows if r["scenario"] not in quiet]
    if quiet:
        parts.append(
            _(
                "No panic in {scenarios} (needs panic sellers with a trigger, e.g. "
                "scenarios/panic-after-shock.yaml)."
            ).format(scenarios=_(", ").join(quiet))
        )
    if tested:
        r = tested[0]
        jump, horizon, _same = exact[r["scenario"]]
        headline = _(
            "{scenario}: against the same seeds with the panic reaction switched off, the price "
            "was {jump} on the trigger day and {horizon} on day {last} ({pairs} pairs)."
        ).format(
            scenario=r["scenario"],
            jump=_span(*jump, lang),
            horizon=_span(*horizon, lang),
            last=r["last day"],
            pairs=r["pairs (same seeds)"],
        )
    elif quiet and len(quiet) == len(rows):
        headline = _("No panic trigger fired in any run of this batch.")
    else:
        headline = _("Not testable: {which}").format(
            which=_("; ").join(
                _("{scenario}: {why}").format(scenario=r["scenario"], why=_why(r, _)) for r in rows
            )
        )
    return Verdict(3, claim_text(3, lang), overall(rows), " ".join(parts), rows, headline)
