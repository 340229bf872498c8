"""The agent model's scenario sections: defaults, exact types, and one located line per mistake."""

from __future__ import annotations

import re
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import get_origin

import pytest
from pydantic import BaseModel

from sim.scenario.checks import model_in
from sim.scenario.reader import load_yaml
from sim.scenario.root import Scenario, load_scenario
from sim.scenario.sections import (
    AmountChoices,
    DiversionTake,
    HerdingTrigger,
    LegacySection,
    PriceGrowthTrigger,
    SellTarget,
    Subsidy,
)
from tests.conftest import SCENARIOS
from tests.test_scenario import assert_located, error_for, write

README = Path(__file__).resolve().parent.parent / "README.md"
AGENT_SECTIONS = (
    "run",
    "inflow",
    "population",
    "referral",
    "network",
    "stress",
    "collapse",
    "outcomes",
)
BASE = """\
name: test
order:
  split: {product_cost: 0.30, distribution: 0.30, platform: 0.10, pool: 0.30}
"""
FULL = (
    BASE
    + """\
run:
  days: 730
  seed: 42
  core: reference
inflow:
  kind: growth_decay
  initial_members: 50
  rate: 12.5
  growth: 0.02
  decay_start_day: 120
  half_life_days: 45
  market_size: 100000
  innovation: 0.02
  imitation: 0.45
  noise: none
population:
  mix: {consumer: 0.6, referrer: 0.3, panic_seller: 0.1}
  consumer:
    amount: {choices: [199, 1000, 2999.99], weights: [1, 3, 0.5]}
    rebuy_probability: 0.4
    rebuy_interval_days: 14
    sell_target: {low: 1.5, high: 3}
    reentry_probability: 0.25
    reentry_delay_days: 3.5
    withdraw: false
  referrer:
    reach: 25
    recruit_rate: 0.5
  panic_seller:
    react_probability: 0.8
    price_growth: {window_days: 7, below: -0.01}
    herding: {window_days: 3, above: 0.2}
    shock_days: [30, 400, 900]
referral:
  rule: two_level
  direct: 0.003
  indirect: 0.002
  paid_from: distribution
network:
  sponsor: branching
  recruited_share: 0.75
  max_recruits: 4
stress:
  diversion:
    daily_share: 0.001
    start_day: 60
    on_days:
      - {day: 100, share: 0.25}
      - {day: 200, share: 0.5}
  custody_shortfall: 0.1
  withdrawal_cap: 50000.50
  halt_day: 500
  subsidies:
    - {day: 90, amount: 1000000}
  legacy:
    claims: 2500000.75
    members: 300
    start_day: 10
    batches: 4
    every_days: 15
    sell_probability: 0.5
    reading: full_value
collapse:
  operator_halt: {enabled: false}
  unpaid_withdrawals: {enabled: false, days: 7, queue_share_of_pool: 1.5, request_wait_days: 21}
  pool_drawdown: {enabled: false, share_of_peak: 0.25}
  inflow_stall: {enabled: false, share_of_peak: 0.2, days: 60}
  loss_majority: {enabled: true, share: 0.9}
outcomes:
  goods_fair_value: 0.15
  cohort_days: 7
"""
)


def same(value: object, expected: object) -> None:
    """Equal *and* of the same type (so 1 == 1.0 == Decimal(1) cannot hide a wrong type)."""
    assert value == expected and type(value) is type(expected), (value, expected)


# --- defaults -----------------------------------------------------------------------------


def test_defaults_when_the_sections_are_absent(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, BASE, "ok.yaml"))
    run, inflow, population = scenario.run, scenario.inflow, scenario.population
    same(run.days, 365)
    same(run.seed, 0)
    same(inflow.kind, "constant")
    same(inflow.initial_members, 0)
    same(inflow.rate, 10.0)
    same(inflow.growth, 0.0)
    assert inflow.decay_start_day is None and inflow.half_life_days is None
    assert inflow.market_size is None
    same(inflow.innovation, 0.01)
    same(inflow.imitation, 0.3)
    same(inflow.noise, "poisson")
    same(population.mix, (("consumer", 1.0), ("referrer", 0.0), ("panic_seller", 0.0)))
    assert all(type(share) is float for _, share in population.mix)
    consumer = population.consumer
    assert consumer.amount is None and consumer.sell_target is None
    same(consumer.rebuy_probability, 0.0)
    same(consumer.rebuy_interval_days, 30.0)
    same(consumer.reentry_probability, 0.0)
    same(consumer.reentry_delay_days, 7.0)
    same(consumer.withdraw, True)
    same(population.referrer.reach, 10.0)
    same(population.referrer.recruit_rate, 0.2)
    panic = population.panic_seller
    same(panic.react_probability, 1.0)
    assert panic.price_growth is None and panic.herding is None
    same(panic.shock_days, ())
    referral = scenario.referral
    same(referral.rule, "two_level")
    same(referral.direct, Decimal(0))
    same(referral.indirect, Decimal(0))
    same(referral.paid_from, "distribution")
    stress = scenario.stress
    same(stress.diversion.daily_share, Decimal(0))
    same(stress.diversion.start_day, 0)
    same(stress.diversion.on_days, ())
    same(stress.custody_shortfall, Decimal(0))
    assert stress.withdrawal_cap is None and stress.halt_day is None and stress.legacy is None
    same(stress.subsidies, ())
    collapse = scenario.collapse
    same(collapse.operator_halt.enabled, True)
    same(collapse.unpaid_withdrawals.enabled, True)
    same(collapse.unpaid_withdrawals.days, 14)
    same(collapse.unpaid_withdrawals.queue_share_of_pool, 0.1)
    assert collapse.unpaid_withdrawals.request_wait_days is None
    same(collapse.pool_drawdown.enabled, True)
    same(collapse.pool_drawdown.share_of_peak, 0.5)
    same(collapse.inflow_stall.enabled, True)
    same(collapse.inflow_stall.share_of_peak, 0.1)
    same(collapse.inflow_stall.days, 30)
    same(collapse.loss_majority.enabled, False)
    same(collapse.loss_majority.share, 0.5)
    assert scenario.outcomes.goods_fair_value is None
    same(scenario.outcomes.cohort_days, 30)


def test_empty_sections_and_sub_sections_mean_defaults(tmp_path: Path) -> None:
    text = BASE + "run:\ninflow:\npopulation:\n  consumer:\n  referrer:\nstress:\n  diversion:\n"
    scenario = load_scenario(write(tmp_path, text, "ok.yaml"))
    assert scenario == load_scenario(write(tmp_path, BASE, "base.yaml"))


def test_unused_keys_of_other_kinds_are_allowed(tmp_path: Path) -> None:
    text = BASE + "inflow:\n  kind: constant\n  imitation: 0.9\n  half_life_days: 3\n"
    assert load_scenario(write(tmp_path, text, "ok.yaml")).inflow.half_life_days == 3.0


# --- a scenario with every key set --------------------------------------------------------


def test_every_key_set_loads_to_the_right_values(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, FULL, "full.yaml"))
    same(scenario.run.days, 730)
    same(scenario.run.seed, 42)
    inflow = scenario.inflow
    same(inflow.kind, "growth_decay")
    same(inflow.initial_members, 50)
    same(inflow.rate, 12.5)
    same(inflow.growth, 0.02)
    same(inflow.decay_start_day, 120)
    same(inflow.half_life_days, 45.0)
    same(inflow.market_size, 100_000)
    same(inflow.innovation, 0.02)
    same(inflow.imitation, 0.45)
    same(inflow.noise, "none")

    population = scenario.population
    same(population.mix, (("consumer", 0.6), ("referrer", 0.3), ("panic_seller", 0.1)))
    consumer = population.consumer
    assert isinstance(consumer.amount, AmountChoices)
    same(consumer.amount.choices, (Decimal(199), Decimal(1000), Decimal("2999.99")))
    assert all(type(choice) is Decimal for choice in consumer.amount.choices)
    same(consumer.amount.weights, (1.0, 3.0, 0.5))
    assert all(type(weight) is float for weight in consumer.amount.weights)
    same(consumer.rebuy_probability, 0.4)
    same(consumer.rebuy_interval_days, 14.0)
    same(consumer.sell_target, SellTarget(low=1.5, high=3))
    same(consumer.sell_target.high, 3.0)
    same(consumer.reentry_probability, 0.25)
    same(consumer.reentry_delay_days, 3.5)
    same(consumer.withdraw, False)
    same(population.referrer.reach, 25.0)
    same(population.referrer.recruit_rate, 0.5)
    panic = population.panic_seller
    same(panic.react_probability, 0.8)
    same(panic.price_growth, PriceGrowthTrigger(window_days=7, below=-0.01))
    same(panic.price_growth.below, -0.01)
    same(panic.herding, HerdingTrigger(window_days=3, above=0.2))
    same(panic.shock_days, (30, 400, 900))  # days beyond run.days are allowed

    referral = scenario.referral
    same(referral.rule, "two_level")
    same(referral.direct, Decimal("0.003"))
    same(referral.indirect, Decimal("0.002"))
    same(referral.paid_from, "distribution")

    stress = scenario.stress
    same(stress.diversion.daily_share, Decimal("0.001"))
    same(stress.diversion.start_day, 60)
    same(
        stress.diversion.on_days,
        (
            DiversionTake(day=100, share=Decimal("0.25")),
            DiversionTake(day=200, share=Decimal("0.5")),
        ),
    )
    same(stress.diversion.on_days[0].share, Decimal("0.25"))
    same(stress.custody_shortfall, Decimal("0.1"))
    same(stress.withdrawal_cap, Decimal("50000.50"))
    same(stress.halt_day, 500)
    same(stress.subsidies, (Subsidy(day=90, amount=Decimal(1_000_000)),))
    same(stress.subsidies[0].amount, Decimal(1_000_000))
    same(
        stress.legacy,
        LegacySection(
            claims=Decimal("2500000.75"),
            members=300,
            start_day=10,
            batches=4,
            every_days=15,
            sell_probability=0.5,
            reading="full_value",
        ),
    )
    same(stress.legacy.claims, Decimal("2500000.75"))

    collapse = scenario.collapse
    same(collapse.operator_halt.enabled, False)
    same(collapse.unpaid_withdrawals.enabled, False)
    same(collapse.unpaid_withdrawals.days, 7)
    same(collapse.unpaid_withdrawals.queue_share_of_pool, 1.5)  # a queue may exceed the pool
    same(collapse.unpaid_withdrawals.request_wait_days, 21)
    same(collapse.pool_drawdown.enabled, False)
    same(collapse.pool_drawdown.share_of_peak, 0.25)
    same(collapse.inflow_stall.enabled, False)
    same(collapse.inflow_stall.share_of_peak, 0.2)
    same(collapse.inflow_stall.days, 60)
    same(collapse.loss_majority.enabled, True)
    same(collapse.loss_majority.share, 0.9)
    same(scenario.outcomes.goods_fair_value, Decimal("0.15"))  # a share of money: exact
    same(scenario.outcomes.cohort_days, 7)


def agent_paths() -> set[tuple[str | int, ...]]:
    """Every key of the agent sections; an item of a list of sections is index 0."""

    def paths(model: type[BaseModel], prefix: tuple[str | int, ...]) -> set[tuple[str | int, ...]]:
        found = set()
        for key, field in model.model_fields.items():
            found.add((*prefix, key))
            inner = model_in(field.annotation)
            if inner is not None:
                listed = get_origin(field.annotation) is tuple
                found |= paths(inner, (*prefix, key, 0) if listed else (*prefix, key))
        return found

    return {path for path in paths(Scenario, ()) if path[0] in AGENT_SECTIONS}


def test_the_full_scenario_sets_every_key(tmp_path: Path) -> None:
    _, lines = load_yaml(write(tmp_path, FULL, "full.yaml"))
    every = agent_paths()
    assert ("stress", "legacy", "sell_probability") in every
    assert ("population", "consumer", "amount", "weights") in every
    assert ("stress", "subsidies", 0, "amount") in every
    assert every - set(lines) == set()


def readme_subsection() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("### Agent-model sections")
    return text[start : text.index("\n## ", start)]


def test_the_readme_documents_every_key() -> None:
    documented = set()
    for row in re.findall(r"^\| `([a-z_.\[\]]+)` \|", readme_subsection(), re.MULTILINE):
        documented.add(tuple(0 if part == "[]" else part for part in re.findall(r"\[\]|\w+", row)))
    every = agent_paths()
    parents = {path[:n] for path in every for n in range(1, len(path))}
    leaves = every - parents
    assert leaves <= documented, leaves - documented
    assert documented <= every, documented - every


def test_the_readme_example_loads(tmp_path: Path) -> None:
    example = readme_subsection().split("```yaml\n", 1)[1].split("```", 1)[0]
    scenario = load_scenario(write(tmp_path, BASE + example, "readme.yaml"))
    assert scenario.inflow.kind == "growth_decay" and scenario.stress.legacy is not None


def test_the_readme_example_of_the_judging_sections_loads(tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("### Judging a run")
    example = text[start:].split("```yaml\n", 1)[1].split("```", 1)[0]
    scenario = load_scenario(write(tmp_path, BASE + example, "readme.yaml"))
    assert scenario.collapse.loss_majority.enabled and scenario.outcomes.cohort_days == 7


def test_the_sections_import_first_without_a_cycle() -> None:
    code = (
        "import sim.scenario.sections, sim.scenario.root; "
        "print(sim.scenario.root.Scenario.__name__)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Scenario"


def test_full_scenario_round_trips_and_hashes(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, FULL, "full.yaml"))
    again = Scenario.from_dict(scenario.model_dump())
    assert again == scenario and hash(again) == hash(scenario)
    assert scenario.model_dump()["population"]["mix"] == {
        "consumer": 0.6,
        "referrer": 0.3,
        "panic_seller": 0.1,
    }


def test_amount_forms_and_defaults_inside_optional_sections(tmp_path: Path) -> None:
    text = BASE + (
        "population:\n"
        "  mix: {referrer: 1}\n"
        "  consumer:\n    amount: 199.90\n"
        "inflow: {kind: referral}\n"
        "stress:\n  legacy: {claims: 1000, members: 2}\n"
    )
    scenario = load_scenario(write(tmp_path, text, "ok.yaml"))
    same(scenario.population.mix, (("consumer", 0.0), ("referrer", 1.0), ("panic_seller", 0.0)))
    same(scenario.population.consumer.amount, Decimal("199.90"))
    legacy = scenario.stress.legacy
    assert legacy is not None
    same((legacy.start_day, legacy.batches, legacy.every_days), (0, 10, 30))
    same(legacy.sell_probability, 1.0)
    choices = BASE + "population:\n  consumer:\n    amount: {choices: [5]}\n"
    amount = load_scenario(write(tmp_path, choices, "choices.yaml")).population.consumer.amount
    assert amount == AmountChoices(choices=(Decimal(5),)) and amount.weights is None


def test_integral_decimals_are_whole_numbers_and_mix_is_exact(tmp_path: Path) -> None:
    text = BASE + (
        "run: {days: 1e3}\npopulation:\n  mix: {consumer: 0.1, referrer: 0.2, panic_seller: 0.7}\n"
    )
    scenario = load_scenario(write(tmp_path, text, "ok.yaml"))
    same(scenario.run.days, 1000)  # 0.1 + 0.2 + 0.7 is exactly 1 in decimal, not in binary
    same(dict(scenario.population.mix)["panic_seller"], 0.7)


def test_referral_check_is_skipped_when_there_are_no_rewards(tmp_path: Path) -> None:
    text = BASE + "referral: {paid_from: nowhere}\n"
    assert load_scenario(write(tmp_path, text, "ok.yaml")).referral.paid_from == "nowhere"
    fits = BASE + "referral: {direct: 0.2, indirect: 0.1, paid_from: distribution}\n"
    assert load_scenario(write(tmp_path, fits, "fits.yaml")).referral.direct == Decimal("0.2")


# --- bad input: one line naming file, line and key --------------------------------------

BAD = {
    "unknown section key": (
        BASE + "run:\n  dayz: 3\n",
        5,
        "run.dayz",
        "unknown key 'dayz'; did you mean 'days'?",
    ),
    "unknown key in sub-section": (
        BASE + "population:\n  consumer:\n    rebuy_probabilty: 0.5\n",
        6,
        "population.consumer.rebuy_probabilty",
        "unknown key 'rebuy_probabilty'; did you mean 'rebuy_probability'?",
    ),
    "unknown key in optional section": (
        BASE + "stress:\n  legacy:\n    claimz: 5\n    members: 1\n",
        6,
        "stress.legacy.claimz",
        "unknown key 'claimz'; did you mean 'claims'?",
    ),
    "unknown key in list item": (
        BASE + "stress:\n  diversion:\n    on_days:\n      - {day: 3, share: 0.1}\n"
        "      - {dya: 4, share: 0.1}\n",
        8,
        "stress.diversion.on_days.1.dya",
        "unknown key 'dya'; did you mean 'day'?",
    ),
    "unknown key in amount choices": (
        BASE + "population:\n  consumer:\n    amount:\n      choices: [1]\n      wieghts: [1]\n",
        8,
        "population.consumer.amount.wieghts",
        "unknown key 'wieghts'; did you mean 'weights'?",
    ),
    "unknown key in trigger": (
        BASE + "population:\n  panic_seller:\n    herding: {window_days: 2, abvoe: 0.1}\n",
        6,
        "population.panic_seller.herding.abvoe",
        "unknown key 'abvoe'; did you mean 'above'?",
    ),
    "mix not summing to 1": (
        BASE + "population:\n  mix: {consumer: 0.5, referrer: 0.3}\n",
        5,
        "population.mix",
        "mix shares must sum to 1, they sum to 0.8",
    ),
    "unknown mix type": (
        BASE + "population:\n  mix:\n    consumer: 0.5\n    refferer: 0.5\n",
        7,
        "population.mix.refferer",
        "unknown member type 'refferer'; did you mean 'referrer'?",
    ),
    "mix share above 1": (
        BASE + "population:\n  mix:\n    consumer: 1.5\n    panic_seller: -0.5\n",
        6,
        "population.mix.consumer",
        "expected a ratio in [0, 1], got 1.5",
    ),
    "probability above 1": (
        BASE + "population:\n  consumer:\n    rebuy_probability: 1.2\n",
        6,
        "population.consumer.rebuy_probability",
        "expected a probability in [0, 1], got 1.2",
    ),
    "ratio above 1": (
        BASE + "stress:\n  diversion:\n    daily_share: 1.01\n",
        6,
        "stress.diversion.daily_share",
        "expected a ratio in [0, 1], got 1.01",
    ),
    "negative rate": (
        BASE + "inflow:\n  rate: -2\n",
        5,
        "inflow.rate",
        "expected a number from 0 to 10,000,000 (members a day), got -2",
    ),
    "growth of -1": (
        BASE + "inflow:\n  growth: -1\n",
        5,
        "inflow.growth",
        "expected a daily growth rate > -1, got -1",
    ),
    "zero interval": (
        BASE + "population:\n  consumer:\n    rebuy_interval_days: 0\n",
        6,
        "population.consumer.rebuy_interval_days",
        "expected a number > 0, got 0",
    ),
    "bool where int expected": (
        BASE + "run:\n  days: true\n",
        5,
        "run.days",
        "expected a whole number from 1 to 36,600 (days), got true",
    ),
    "fraction where int expected": (
        BASE + "run:\n  seed: 2.5\n",
        5,
        "run.seed",
        "expected a whole number from 0 to 9223372036854775807, got 2.5",
    ),
    "too large for a float": (
        BASE + "inflow:\n  rate: 1e400\n",
        5,
        "inflow.rate",
        "number '1e400' is out of range",
    ),
    "zero days": (
        BASE + "run: {days: 0}\n",
        4,
        "run.days",
        "expected a whole number from 1 to 36,600 (days), got 0",
    ),
    "quoted number": (
        BASE + "inflow:\n  rate: '10'\n",
        5,
        "inflow.rate",
        "expected a number from 0 to 10,000,000 (members a day), got '10'",
    ),
    "bad nullable": (
        BASE + "inflow:\n  market_size: 0\n",
        5,
        "inflow.market_size",
        "expected a whole number from 1 to 10,000,000 (or null), got 0",
    ),
    "unknown kind": (
        BASE + "inflow:\n  kind: bas\n",
        5,
        "inflow.kind",
        "expected one of: constant, exponential, growth_decay, bass, referral, none; got 'bas'",
    ),
    "growth_decay without decay_start_day": (
        BASE + "inflow:\n  kind: growth_decay\n  half_life_days: 30\n",
        4,
        "inflow",
        "growth_decay needs decay_start_day",
    ),
    "growth_decay without half_life_days": (
        BASE + "inflow:\n  kind: growth_decay\n  decay_start_day: 30\n",
        4,
        "inflow",
        "growth_decay needs half_life_days",
    ),
    "bass without market_size": (
        BASE + "inflow:\n  kind: bass\n",
        4,
        "inflow",
        "bass needs market_size",
    ),
    "more initial members than the market": (
        BASE + "inflow:\n  initial_members: 20\n  market_size: 10\n",
        5,
        "inflow.initial_members",
        "initial_members 20 is more than market_size 10",
    ),
    "referral inflow without referrers": (
        BASE + "inflow:\n  rate: 5\n  kind: referral\n",
        6,
        "inflow.kind",
        "referral-driven inflow needs referrers: population.mix.referrer is 0",
    ),
    "paid_from unknown line": (
        BASE + "referral:\n  direct: 0.01\n  paid_from: distributon\n",
        6,
        "referral.paid_from",
        "'distributon' is not a line of order.split; did you mean 'distribution'?",
    ),
    "paid_from with only a pool line": (
        "name: x\norder:\n  split: {pool: 1}\nreferral:\n  direct: 0.1\n",
        4,
        "referral.paid_from",
        "'distribution' is not a line of order.split; it has no line but 'pool'",
    ),
    "paid_from pool": (
        BASE + "referral:\n  indirect: 0.01\n  paid_from: pool\n",
        6,
        "referral.paid_from",
        "referral rewards cannot be paid from the pool",
    ),
    "referral shares above the line share": (
        BASE + "referral:\n  direct: 0.3\n  indirect: 0.2\n",
        4,
        "referral",
        "referral shares sum to 0.5, more than the 'distribution' line's share 0.3 of each order",
    ),
    "unknown referral rule": (
        BASE + "referral: {rule: three_level}\n",
        4,
        "referral.rule",
        "expected one of: two_level; got 'three_level'",
    ),
    "custody_shortfall of 1": (
        BASE + "stress:\n  custody_shortfall: 1\n",
        5,
        "stress.custody_shortfall",
        "expected a share in [0, 1), got 1",
    ),
    "sell_target high below low": (
        BASE + "population:\n  consumer:\n    sell_target:\n      low: 2\n      high: 1.5\n",
        8,
        "population.consumer.sell_target.high",
        "expected high >= low (2), got 1.5",
    ),
    "sell_target missing high": (
        BASE + "population:\n  consumer:\n    sell_target: {low: 2}\n",
        6,
        "population.consumer.sell_target",
        "missing required key 'high'",
    ),
    "weights of wrong length": (
        BASE + "population:\n  consumer:\n    amount:\n      choices: [199, 1000]\n"
        "      weights: [1]\n",
        8,
        "population.consumer.amount.weights",
        "expected 2 weights, one per choice, got 1",
    ),
    "empty choices": (
        BASE + "population:\n  consumer:\n    amount: {choices: []}\n",
        6,
        "population.consumer.amount.choices",
        "expected at least one amount to choose from",
    ),
    "bad choice": (
        BASE + "population:\n  consumer:\n    amount:\n      choices:\n        - 199\n"
        "        - 10.005\n",
        9,
        "population.consumer.amount.choices.1",
        "expected an amount in yuan > 0 with at most 2 decimals, got 10.005",
    ),
    "zero weight": (
        BASE + "population:\n  consumer:\n    amount: {choices: [1, 2], weights: [1, 0]}\n",
        6,
        "population.consumer.amount.weights.1",
        "expected a number > 0, got 0",
    ),
    "amount of zero": (
        BASE + "population:\n  consumer:\n    amount: 0\n",
        6,
        "population.consumer.amount",
        "expected an amount in yuan > 0 with at most 2 decimals, a mapping {choices, weights} "
        "or null, got 0",
    ),
    "bool where flag expected": (
        BASE + "population:\n  consumer:\n    withdraw: 1\n",
        6,
        "population.consumer.withdraw",
        "expected true or false, got 1",
    ),
    "negative shock day": (
        BASE + "population:\n  panic_seller:\n    shock_days:\n      - 3\n      - -1\n",
        8,
        "population.panic_seller.shock_days.1",
        "expected a whole number >= 0, got -1",
    ),
    "shock days not a list": (
        BASE + "population:\n  panic_seller:\n    shock_days: 3\n",
        6,
        "population.panic_seller.shock_days",
        "expected a list, got 3",
    ),
    "on_days not a list": (
        BASE + "stress:\n  diversion:\n    on_days: {day: 3, share: 0.1}\n",
        6,
        "stress.diversion.on_days",
        "expected a list of {day, share} mappings, got a mapping",
    ),
    "on_days item not a mapping": (
        BASE + "stress:\n  diversion:\n    on_days: [3]\n",
        6,
        "stress.diversion.on_days.0",
        "expected a mapping of keys, got 3",
    ),
    "subsidy of zero": (
        BASE + "stress:\n  subsidies:\n    - day: 5\n      amount: 0\n",
        7,
        "stress.subsidies.0.amount",
        "expected an amount in yuan > 0 with at most 2 decimals, got 0",
    ),
    "negative withdrawal cap": (
        BASE + "stress:\n  withdrawal_cap: -1\n",
        5,
        "stress.withdrawal_cap",
        "expected an amount in yuan >= 0 with at most 2 decimals (or null), got -1",
    ),
    "legacy missing members": (
        BASE + "stress:\n  legacy:\n    claims: 100\n",
        5,
        "stress.legacy",
        "missing required key 'members'",
    ),
    "collapse: unknown condition": (
        BASE + "collapse:\n  pool_drawdwn: {share_of_peak: 0.4}\n",
        5,
        "collapse.pool_drawdwn",
        "unknown key 'pool_drawdwn'; did you mean 'pool_drawdown'?",
    ),
    "collapse: share above 1": (
        BASE + "collapse:\n  inflow_stall:\n    share_of_peak: 1.5\n",
        6,
        "collapse.inflow_stall.share_of_peak",
        "expected a share in [0, 1], got 1.5",
    ),
    "collapse: zero days": (
        BASE + "collapse:\n  unpaid_withdrawals: {days: 0}\n",
        5,
        "collapse.unpaid_withdrawals.days",
        "expected a whole number >= 1, got 0",
    ),
    "collapse: zero wait": (
        BASE + "collapse:\n  unpaid_withdrawals: {request_wait_days: 0}\n",
        5,
        "collapse.unpaid_withdrawals.request_wait_days",
        "expected a whole number >= 1 (or null), got 0",
    ),
    "collapse: negative queue share": (
        BASE + "collapse:\n  unpaid_withdrawals:\n    queue_share_of_pool: -0.1\n",
        6,
        "collapse.unpaid_withdrawals.queue_share_of_pool",
        "expected a number >= 0, got -0.1",
    ),
    "collapse: enabled not a flag": (
        BASE + "collapse:\n  loss_majority:\n    enabled: 'yes'\n",
        6,
        "collapse.loss_majority.enabled",
        "expected true or false, got 'yes'",
    ),
    "outcomes: goods worth more than the price": (
        BASE + "outcomes:\n  goods_fair_value: 1.2\n",
        5,
        "outcomes.goods_fair_value",
        "expected a share in [0, 1] (or null), got 1.2",
    ),
    "outcomes: fractional cohort": (
        BASE + "outcomes: {cohort_days: 2.5}\n",
        4,
        "outcomes.cohort_days",
        "expected a whole number >= 1, got 2.5",
    ),
    "section not a mapping": (
        BASE + "population:\n  consumer: 5\n",
        5,
        "population.consumer",
        "expected a mapping of keys, got 5",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_one_located_line(tmp_path: Path, case: str) -> None:
    assert_located(tmp_path, BAD[case])


def test_problems_in_two_sections_report_the_first_and_count_the_rest(tmp_path: Path) -> None:
    text = BASE + "run: {days: 0}\nstress: {custody_shortfall: 2}\n"
    error = error_for(write(tmp_path, text))
    assert error.key == "run.days" and error.message.endswith("(and 1 more problem)")


def test_mechanics_is_built_once_per_scenario() -> None:
    scenario = load_scenario(SCENARIOS / "seed-generic-3x.yaml")
    assert scenario.mechanics() is scenario.mechanics()
    again = Scenario.from_dict(scenario.model_dump())
    assert again.mechanics() is scenario.mechanics()  # the same order and points
    other = scenario.model_copy(
        update={"points": scenario.points.model_copy(update={"mint_ratio": Decimal("0.5")})}
    )
    assert other.mechanics().mint_ratio == Fraction(1, 2)
    assert scenario.mechanics().mint_ratio == Fraction(7, 10)
