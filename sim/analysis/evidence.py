"""What the claims of SPEC §5 are judged on and what a judgement is: the claims' text, the
evidence about one scenario of a batch (:class:`ScenarioEvidence`, with its :class:`Rerun`
replicates), a :class:`Verdict`, and the helpers every claim test shares.

A claim is judged per scenario, then overall (:func:`overall`): it **failed** if it failed
in any scenario (the vendor says "always"), **mixed** if in some scenario one half of it held
and the other did not, **held** if it held in every scenario that could test it, and is
**not testable** when no scenario of the batch can test it.

Each claim test takes ``lang`` (:mod:`sim.i18n`): the claim, its evidence and headline in
English or Chinese; a verdict is one of the four codes below in both (:func:`verdict_word`
says it), and the rows per scenario keep their English keys and values as data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.i18n import N_, gettext

HELD, FAILED, MIXED, UNTESTABLE = "held", "failed", "mixed", "not testable"

CLAIMS = {
    1: N_("Every order and every sale raises the price; the price never falls."),
    2: N_(
        "Early members exit fast, growth then slows, and a bottleneck comes when new members "
        "get few points and exits are slow."
    ),
    3: N_(
        "At the bottleneck, pessimistic members sell; because a sale leaves {kept} in the pool, "
        "the price jumps and a new rising cycle begins."
    ),
    4: N_("Financing rounds (angel to D) inject money into the pool as consumption subsidies."),
    5: N_("At the end, points convert into shares of a listed company (reverse merger)."),
    6: N_("A failed platform's debts to old members are paid out of new members' money over time."),
}
VERDICT_WORDS = {HELD: N_("held"), FAILED: N_("failed"), MIXED: N_("mixed")}
VERDICT_WORDS[UNTESTABLE] = N_("not testable")


def verdict_word(verdict: str, lang: str = "en") -> str:
    """A verdict as a reader of ``lang`` reads it (the code itself in English)."""
    return gettext(lang)(VERDICT_WORDS.get(verdict, verdict))


def claim_text(number: int, lang: str = "en") -> str:
    """Claim ``number`` in ``lang`` (a share written "20%" is a field: a catalogue reads
    "% i" as a printf conversion)."""
    return gettext(lang)(CLAIMS[number]).format(kept="20%")


def reason(why: str, _) -> str:
    """Why a scenario cannot test a claim, through ``_`` (an empty reason stays empty:
    gettext's translation of "" is its catalogue's header)."""
    return _(why) if why else why


@dataclass
class Rerun:
    """One replicate run again for member-level evidence, with and without a lever."""

    replicate: int
    summary: dict
    members: pd.DataFrame  # exact: money in fen (sim.model.members)
    without: dict = field(default_factory=dict)  # lever -> summary of the run without it
    layer: dict | None = None  # the distribution layer's exact figures, if the run had one
    daily: pd.DataFrame | None = None  # day rows (day, price, panic, orders) of the run
    without_daily: dict = field(default_factory=dict)  # lever -> day rows of the run without it
    red_flags: list[dict] | None = None  # the run's flags explained in the report's language


@dataclass
class ScenarioEvidence:
    """What the claims read about one scenario of a batch."""

    name: str
    scenario: object | None  # sim.scenario.root.Scenario, None when its file is not available
    runs: pd.DataFrame  # successful runs
    timeseries: pd.DataFrame
    horizon: int
    reruns: list[Rerun] = field(default_factory=list)
    missing: str = ""  # why there are no re-runs, if there are none


@dataclass
class Verdict:
    """One claim judged on a batch: held, failed or not testable, why, and a row per scenario."""

    number: int
    claim: str
    verdict: str
    evidence: str
    rows: list[dict]
    headline: str = ""  # one sentence for the report's summary


def levers(scenario, lang: str = "en") -> list[str]:
    """The stress levers a scenario sets (its ``stress`` section), in words."""
    if scenario is None:
        return []
    _ = gettext(lang)
    stress, found = scenario.stress, insolvency_levers(scenario, lang)
    if stress.subsidies:
        found.append(_("financing subsidies"))
    if stress.legacy is not None:
        found.append(_("legacy points"))
    return found


def insolvency_levers(scenario, lang: str = "en") -> list[str]:
    """The stress levers a scenario sets that can leave the platform unable to pay, in words
    (financing subsidies and legacy points add money or claims, not an outflow)."""
    if scenario is None:
        return []
    _ = gettext(lang)
    stress, found = scenario.stress, []
    if stress.diversion.daily_share or stress.diversion.on_days:
        found.append(_("operator diverts the pool"))
    if stress.custody_shortfall:
        found.append(
            _("custody shortfall {share}").format(share=f"{float(stress.custody_shortfall):.0%}")
        )
    if stress.withdrawal_cap is not None:
        found.append(
            _("withdrawal cap {cap}/day").format(cap=f"{float(stress.withdrawal_cap):,.0f}")
        )
    if stress.halt_day is not None:
        found.append(_("halt on day {day}").format(day=stress.halt_day))
    return found


CANNOT_FAIL = N_(
    "Without a stress lever (the operator diverting the pool, a custody shortfall, a "
    "withdrawal cap, a halt) the rules cannot become insolvent: price = pool ÷ points and a "
    "sale pays out only part of its points' value, so the pool always covers the points at "
    "the posted price. A collapse probability of 0 there says nothing about safety: the harm "
    "is in the losses."
)


def overall(rows: list[dict]) -> str:
    """A claim's verdict over scenarios: failed in any, else mixed in any, else held in any,
    else not testable."""
    verdicts = [row["verdict"] for row in rows]
    for verdict in (FAILED, MIXED, HELD):
        if verdict in verdicts:
            return verdict
    return UNTESTABLE


def ratio_interval(ratios: list[float], level: float = 0.95) -> tuple[float, float, float]:
    """The geometric mean of positive ratios over replicates and its ``level`` t-interval
    (worked on their logarithms, so it never crosses 0); NaN bounds for fewer than two."""
    logs = np.log(np.asarray(ratios, dtype=float))
    mean = float(np.exp(logs.mean())) if len(logs) else np.nan
    if len(logs) < 2:
        return mean, np.nan, np.nan
    from scipy import stats  # here: a run that never asks for an interval skips 0.5 s of import

    half = stats.t.ppf(0.5 + level / 2, len(logs) - 1) * logs.std(ddof=1) / np.sqrt(len(logs))
    return mean, float(np.exp(logs.mean() - half)), float(np.exp(logs.mean() + half))


def pct(value: float) -> str:
    """A share as the claims print it: one decimal, "n/a" for none, never "-0.0%"."""
    return "n/a" if value is None or np.isnan(value) else f"{value + 0.0:.1%}"  # no "-0.0%"


def daily_changes(timeseries: pd.DataFrame) -> pd.DataFrame:
    """Each run's days with the price change from the day before (NaN on its first day)."""
    frame = timeseries.sort_values(["point", "replicate", "day"]).copy()
    before = frame.groupby(["point", "replicate"])["price"].shift(1)
    frame["change"] = np.where(before > 0, frame["price"] / before - 1, np.nan)
    return frame
