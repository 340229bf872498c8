"""The seeds as written: every distribution line of the "as written" scenarios is paid by the
seeds' rules for it, or the scenario says the seeds give none (``order.rules_not_given``);
that money is "kept, rules not given" in the money flow, apart from the operator's take, and
the report says so beside the seed's words."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from sim.analysis.evidence import ScenarioEvidence
from sim.analysis.moneyflow import trace
from sim.core.book import Book
from sim.core.mechanics import GOODS_LINES, POOL, Mechanics
from sim.errors import InputError
from sim.report.headline import harm, readings
from sim.scenario.root import Scenario, load_scenario
from tests.conftest import run_model, summary_of

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
SCRIPTS = SCENARIOS.parent / "scripts"
AS_WRITTEN = [
    "seed-generic-2x",
    "seed-generic-3x",
    "seed-generic-nocap",
    "seed-talk-5x",
    "seed-local-services-distribution",
    "seed-004-chain-motion",
]
GENERIC = {"product_cost": 0.3, "distribution": 0.3, "platform": 0.1, "pool": 0.3}


def payers(scenario: Scenario) -> set[str]:
    """The split lines some bonus rule pays from."""
    paid = set()
    if scenario.referral.direct or scenario.referral.indirect:
        paid.add(scenario.referral.paid_from)
    if scenario.distribution is not None:
        paid |= {rule.paid_from for rule in scenario.distribution.specs()}
    return paid


@pytest.mark.parametrize("name", AS_WRITTEN)
def test_every_distribution_line_as_written_is_paid_or_said_to_have_no_rules(name):
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    lines = {line for line, _ in scenario.order.split} - {POOL, "platform", *GOODS_LINES}
    not_given = dict(scenario.order.rules_not_given)
    assert lines and lines == payers(scenario) | set(not_given)
    assert not payers(scenario) & set(not_given)
    for words in not_given.values():  # the seed's own words, quoted
        assert words.startswith("seed 00") and any("\u4e00" <= c <= "\u9fff" for c in words)


def test_the_report_of_the_seeds_runs_them_as_written_and_names_the_partial_variants():
    spec = importlib.util.spec_from_file_location("make_reports", SCRIPTS / "make_reports.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    title, names, _ = script.GROUPS["seed-variants"]
    assert names[: len(AS_WRITTEN)] == AS_WRITTEN and "as written" in title
    for partial in names[len(AS_WRITTEN) :]:
        description = load_scenario(SCENARIOS / f"{partial}.yaml").description
        assert "not the seeds as written" in description


def scenario(**order) -> dict:
    return {"name": "t", "order": {"split": GENERIC, **order}}


def test_a_line_without_rules_must_be_a_line_paid_by_nothing():
    said = {"distribution": "seed 001: 分销总波比300"}
    assert Scenario.from_dict(scenario(rules_not_given=said)).order.rules_not_given == (
        ("distribution", "seed 001: 分销总波比300"),
    )
    cases = [
        (scenario(rules_not_given={"distrbution": "x"}), "order.rules_not_given.distrbution"),
        (scenario(rules_not_given={"pool": "x"}), "order.rules_not_given.pool"),
        (scenario(rules_not_given={"distribution": ""}), "order.rules_not_given.distribution"),
        (scenario(rules_not_given=["distribution"]), "order.rules_not_given"),
        (
            {**scenario(rules_not_given=said), "referral": {"direct": 0.03}},
            "referral.paid_from",
        ),
    ]
    for data, key in cases:
        with pytest.raises(InputError) as caught:
            Scenario.from_dict(data)
        assert caught.value.key == key, str(caught.value)
    with pytest.raises(InputError, match="did you mean 'distribution'"):
        Scenario.from_dict(scenario(rules_not_given={"distrbution": "x"}))


def test_the_money_of_a_line_without_rules_is_kept_apart_from_the_operators_take():
    book = Book(Mechanics())
    for member in "abc":
        book.buy(member, 100_000)  # 3 × 1000 yuan: 900 to each of product, distribution, pool
    accounts = {a.name: a.balance for a in book.ledger.accounts.values()}
    flow = trace(accounts, bonuses=0, from_orders=300_000, not_given={"distribution"})
    assert flow.uses[:3] == (
        ("product_cost", "kept", 90_000),
        ("distribution", "not_given", 90_000),
        ("platform", "kept", 30_000),
    )
    metrics = flow.metrics()
    assert metrics["money_share_rules_not_given"] == 0.3
    assert metrics["money_share_split_lines"] == 0.4  # product cost and platform
    assert flow.takes()["operator_take_share"] == 0.1  # the platform line only
    assert sum(v for k, v in metrics.items()) == pytest.approx(1)
    # without the scenario's word the same money is the operator's
    assert trace(accounts, 0, 300_000).takes()["operator_take_share"] == 0.4


def test_a_run_as_written_keeps_the_whole_line_and_pays_no_bonus():
    model = run_model(load_scenario(SCENARIOS / "seed-generic-3x.yaml"), days=20)
    summary = summary_of(model)
    assert summary["money_share_rules_not_given"] == 0.3  # 300 of every 1000, to the fen
    assert summary["money_share_referral_bonuses"] == 0
    assert summary["operator_take_share"] == pytest.approx(0.1)
    row = next(r for r in summary["money_flow"] if r["use"] == "distribution")
    assert row["kind"] == "not_given" and row["yuan"] == summary["money_entered"] * 0.3


def test_the_report_labels_the_money_and_quotes_the_seed():
    item = ScenarioEvidence(
        name="seed-generic-3x",
        scenario=load_scenario(SCENARIOS / "seed-generic-3x.yaml"),
        runs=pd.DataFrame(),
        timeseries=pd.DataFrame(),
        horizon=365,
    )
    lines = readings([item])
    assert lines[0].startswith(
        "seed-generic-3x: the 'distribution' line (30% of each order) is kept, rules not given"
    )
    assert "分销总波比300" in lines[0]
    runs = pd.DataFrame(
        {
            "scenario": ["s", "s"],
            "net_investment_share_net_losers": [0.9, 0.9],
            "net_investment_clawback_pool": [10.0, 10.0],
            "net_investment_net_losses": [100.0, 100.0],
            "operator_take_share": [0.1, 0.1],
            "distribution_take_share": [0.0, 0.0],
            "money_share_rules_not_given": [0.3, 0.3],
        }
    )
    (text,) = harm(runs)
    assert "The operator kept 10.0%" in text
    assert "A further 30.0% (95% interval 30.0% to 30.0%, 2 runs) was kept, rules not given" in text
    (without,) = harm(runs.assign(money_share_rules_not_given=0.0))
    assert "rules not given" not in without


def test_a_preset_paying_from_a_line_without_rules_is_named_at_its_preset_line():
    data = load_scenario(SCENARIOS / "seed-local-services-distribution.yaml").model_dump()
    data["order"]["rules_not_given"] = {"distribution": "seed 000: 2%用来分销给推荐人"}
    with pytest.raises(InputError) as caught:
        Scenario.from_dict(data)
    assert caught.value.key == "distribution.preset"
    assert "which order.rules_not_given says has no rules" in str(caught.value)
