"""Claim 3 as a paired counterfactual: the same seeds with the panic reaction switched off.

The scripted case is one where the phase of growth confounds the old test (panic days
against all other days): panics come when growth has faded, so a panic day rises less than
the average growth-phase day even though it lifts the price above where it would have been.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.claims import (
    FAILED,
    HELD,
    MIXED,
    PANIC,
    UNTESTABLE,
    Rerun,
    ScenarioEvidence,
    claim_panic_restarts_cycle,
    day_comparison,
)
from sim.analysis.claims_panic import DOWN, UNCLEAR, UP, direction, judge, paired_ratios
from sim.analysis.evidence import ratio_interval
from sim.batch.run import simulate
from sim.report.load import panics, without
from sim.scenario.root import load_scenario

DAYS, PANIC_DAY = 40, 25
GROWTH, FADING = 0.12, 0.002  # +12% a day for days 1-19, +0.2% a day from day 20


def path(jump: float | None) -> list[float]:
    """A price path: growth, then fading; ``jump`` on the panic day (None: no panic)."""
    prices = [1.0]
    for day in range(1, DAYS):
        rate = GROWTH if day < 20 else FADING
        if jump is not None and day == PANIC_DAY:
            rate = jump
        prices.append(prices[-1] * (1 + rate))
    return prices


def day_rows(prices: list[float], panic_day: int | None, replicate: int = 0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "point": 0,
            "replicate": replicate,
            "day": range(len(prices)),
            "price": prices,
            "panic": [day == panic_day for day in range(len(prices))],
            "orders": 10,
        }
    )


def scripted(jumps: list[float]) -> ScenarioEvidence:
    """One replicate per jump: the run as written and its pair without the panic."""
    reruns, series = [], []
    for replicate, jump in enumerate(jumps):
        daily = day_rows(path(jump), PANIC_DAY, replicate)
        rerun = Rerun(replicate, {}, pd.DataFrame(), daily=daily)
        rerun.without_daily[PANIC] = day_rows(path(None), None, replicate)
        reruns.append(rerun)
        series.append(daily)
    return ScenarioEvidence("scripted", None, pd.DataFrame(), pd.concat(series), DAYS, reruns)


def test_phase_confounds_the_day_comparison_but_not_the_paired_test():
    jumps = [0.050, 0.051, 0.052]
    evidence = scripted(jumps)
    on, off = day_comparison(evidence.timeseries)
    # panic days: the mean of the three jumps; other days: 19 growth days and 19 fading ones
    assert on == pytest.approx(0.051)
    assert off == pytest.approx((19 * GROWTH + 19 * FADING) / 38)
    assert on < off  # the old test ("panic days rise more than other days") said failed
    verdict = claim_panic_restarts_cycle([evidence])
    row = verdict.rows[0]
    assert verdict.verdict == HELD  # the paired test: the panic lifted the price
    ratios = [(1 + j) / (1 + FADING) for j in jumps]
    assert paired_ratios(evidence.reruns[0].daily, evidence.reruns[0].without_daily[PANIC]) == {
        "first trigger": PANIC_DAY,
        "triggers": 1,
        "jump": pytest.approx(ratios[0]),
        "each trigger": [pytest.approx(ratios[0])],
        "horizon": pytest.approx(ratios[0]),  # both grow alike after the panic
        "last day": DAYS - 1,
        "same before": True,
    }
    mean = math.prod(ratios) ** (1 / 3)
    assert row["pairs (same seeds)"] == 3 and row["identical until the trigger"] == "3 of 3"
    assert row["first trigger day (median)"] == PANIC_DAY
    assert row["price on the trigger day vs without panic"].startswith(f"{mean - 1:+.1%} (95%")
    assert row["price on the last day vs without panic"].startswith(f"{mean - 1:+.1%} (95%")
    assert row["panic days, mean change (context)"] == "5.1%"
    assert row["other days, mean change (context)"] == f"{off:.1%}"
    assert "mixes the fading phase" in verdict.evidence


def test_a_panic_that_lowers_the_price_fails_and_one_pair_is_not_enough():
    assert claim_panic_restarts_cycle([scripted([-0.03, -0.031, -0.032])]).verdict == FAILED
    one = claim_panic_restarts_cycle([scripted([0.05])])
    assert one.verdict == UNTESTABLE and "at least two re-runs" in one.evidence


def test_not_testable_without_panics_or_pairs():
    calm = scripted([0.05, 0.05])
    calm.timeseries["panic"] = False
    assert claim_panic_restarts_cycle([calm]).verdict == UNTESTABLE
    unpaired = scripted([0.05, 0.05])
    for rerun in unpaired.reruns:
        rerun.without_daily.clear()
    verdict = claim_panic_restarts_cycle([unpaired])
    assert verdict.verdict == UNTESTABLE and "no run without the panic" in verdict.evidence
    no_reruns = scripted([0.05, 0.05])
    no_reruns.reruns, no_reruns.missing = [], "re-runs were switched off (--reruns 0)"
    assert "switched off" in claim_panic_restarts_cycle([no_reruns]).evidence


def test_ratio_interval_by_hand():
    # two ratios: logs a, b; mean m = (a + b) / 2; sd = |a - b| / sqrt 2; t(0.975, 1) = 12.7062
    a, b = math.log(1.1), math.log(1.2)
    mean, low, high = ratio_interval([1.1, 1.2])
    half = 12.7062047 * abs(a - b) / math.sqrt(2) / math.sqrt(2)
    assert mean == pytest.approx(math.sqrt(1.1 * 1.2))
    centre = (a + b) / 2
    assert (low, high) == pytest.approx((math.exp(centre - half), math.exp(centre + half)))
    assert low > 0  # worked on logarithms: never below 0
    assert np.isnan(ratio_interval([1.3])[1])


def test_the_verdict_table():
    assert direction(1.01, 1.2) == UP and direction(0.8, 0.99) == DOWN
    assert direction(0.9, 1.1) == UNCLEAR
    assert judge(UP, UP) == HELD
    assert judge(UP, DOWN) == MIXED and judge(UNCLEAR, UP) == MIXED and judge(UP, UNCLEAR) == MIXED
    assert judge(DOWN, DOWN) == FAILED and judge(DOWN, UNCLEAR) == FAILED
    assert judge(UNCLEAR, DOWN) == FAILED
    assert judge(UNCLEAR, UNCLEAR) == UNTESTABLE


SCENARIO = """\
name: shock
order:
  amount: 1000
  split: {product_cost: 0.30, distribution: 0.30, platform: 0.10, pool: 0.30}
points: {exit_multiple: 2.0}
run: {days: 50, seed: 4}
inflow: {kind: constant, initial_members: 20, rate: 6}
population:
  mix: {consumer: 0.6, referrer: 0.0, panic_seller: 0.4}
  panic_seller: {shock_days: [30], react_probability: 0.9}
"""


def test_the_paired_run_differs_only_from_the_trigger_on(tmp_path):
    file = tmp_path / "shock.yaml"
    file.write_text(SCENARIO, encoding="utf-8")
    scenario = load_scenario(file)
    calm = without(scenario, PANIC)
    assert panics(scenario) and not panics(calm)
    assert calm.model_dump(exclude={"population"}) == scenario.model_dump(exclude={"population"})
    assert calm.population.mix == scenario.population.mix  # the same members join
    run, other = simulate(scenario).timeseries(), simulate(calm).timeseries()
    assert run["panic"].tolist() == [day == 30 for day in range(50)]
    assert other["panic"][30]  # the trigger still fires; nobody reacts to it
    assert run["price"][:30].tolist() == other["price"][:30].tolist()
    assert run["sales"][30] > other["sales"][30]
    ratios = paired_ratios(run, other)
    # every sale leaves 20% of its value in the pool: the day's sales can only lift the price
    assert ratios["same before"] and ratios["jump"] > 1
