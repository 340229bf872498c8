"""``run.core: fast``: the agent model on the compiled core gives the reference's files, byte
for byte, stress levers included."""

from __future__ import annotations

import json
from fractions import Fraction as F
from pathlib import Path

import numpy as np
import pytest

from sim.batch.run import run_to_files
from sim.core.kernel_layout import BUY
from sim.core.ledger import LedgerError
from sim.core.mechanics import CUSTODY_SHORTFALL, POOL, Mechanics
from sim.model import compiled_book
from sim.model.compiled_book import CompiledBook
from sim.model.compiled_market import CompiledMarket
from sim.model.mesa_model import SchemeModel
from sim.scenario.root import Scenario, load_scenario
from tests.conftest import SCENARIOS
from tests.test_scenario import error_for, write

GENERIC = {"product_cost": 0.30, "distribution": 0.30, "platform": 0.10, "pool": 0.30}

# referrals, sell targets, panic sellers, re-entries, amount choices, a withdrawal cap and
# a halt: everything the fast core supports at once
BUSY = {
    "name": "busy",
    "order": {"amount": 1000, "split": dict(GENERIC)},
    "points": {"exit_multiple": 2.0, "min_spend_to_sell": 1200},
    "run": {"days": 90, "seed": 5},
    "inflow": {
        "kind": "growth_decay",
        "initial_members": 30,
        "rate": 25,
        "growth": 0.02,
        "decay_start_day": 40,
        "half_life_days": 15,
    },
    "population": {
        "mix": {"consumer": 0.5, "referrer": 0.2, "panic_seller": 0.3},
        "consumer": {
            "amount": {"choices": [199, 1000, 2999.99], "weights": [1, 3, 0.5]},
            "rebuy_probability": 0.6,
            "rebuy_interval_days": 6,
            "sell_target": {"low": 1.1, "high": 1.6},
            "reentry_probability": 0.7,
            "reentry_delay_days": 3,
        },
        "referrer": {"reach": 4, "recruit_rate": 0.3},
        "panic_seller": {
            "react_probability": 0.7,
            "shock_days": [30, 60],
            "herding": {"window_days": 5, "above": 0.05},
        },
    },
    "referral": {"direct": 0.10, "indirect": 0.05, "paid_from": "distribution"},
    "stress": {"withdrawal_cap": 20000, "halt_day": 80},
}


def with_core(scenario: Scenario, core: str) -> Scenario:
    data = scenario.model_dump()
    data["run"]["core"] = core
    return Scenario.from_dict(data)


def assert_same_files(scenario: Scenario, tmp_path: Path, days: int | None = None) -> None:
    fast, reference = with_core(scenario, "fast"), with_core(scenario, "reference")
    ref_out, fast_out = tmp_path / "reference", tmp_path / "fast"
    run_to_files(reference, ref_out, days=days)
    run_to_files(fast, fast_out, days=days)
    names = ["timeseries.parquet", "members.parquet"]
    if scenario.distribution is not None:
        names.append("bonuses.parquet")
    for name in names:
        assert (ref_out / name).read_bytes() == (fast_out / name).read_bytes(), name
    ref_summary = json.loads((ref_out / "summary.json").read_text(encoding="utf-8"))
    fast_summary = json.loads((fast_out / "summary.json").read_text(encoding="utf-8"))
    assert ref_summary["scenario_definition"]["run"].pop("core") == "reference"
    assert fast_summary["scenario_definition"]["run"].pop("core") == "fast"
    assert ref_summary == fast_summary


@pytest.mark.parametrize(
    "name", ["seed-generic-3x", "seed-generic-2x", "seed-talk-5x", "panic-after-shock"]
)
def test_shipped_scenarios_give_the_same_files(name: str, tmp_path: Path) -> None:
    assert_same_files(load_scenario(SCENARIOS / f"{name}.yaml"), tmp_path, days=120)


def test_a_busy_population_gives_the_same_files(tmp_path: Path) -> None:
    assert_same_files(Scenario.from_dict(BUSY), tmp_path)


@pytest.mark.parametrize(
    "name", ["seed-004-chain-motion", "seed-local-services-distribution", "two-level-only"]
)
def test_the_distribution_layer_gives_the_same_files(name: str, tmp_path: Path) -> None:
    assert_same_files(load_scenario(SCENARIOS / f"{name}.yaml"), tmp_path, days=60)


def test_every_distribution_rule_gives_the_same_files(tmp_path: Path) -> None:
    from tests.test_distribution_model import every_rule

    assert_same_files(every_rule(5), tmp_path)


@pytest.mark.parametrize(
    "points",
    [
        {"exit_multiple": 1.5, "exit_points": "obtained", "exit_counts_cash": True},
        {"exit_multiple": 2.5, "exit_against": "grant_value", "max_points_per_order": 300},
        {"exit_multiple": None, "decimals": 2, "mint_ratio": 0.9, "sell_payout": 0.7},
    ],
)
def test_other_exit_rules_give_the_same_files(points: dict, tmp_path: Path) -> None:
    assert_same_files(Scenario.from_dict({**BUSY, "points": points}), tmp_path, days=60)


def test_growing_from_a_tiny_capacity_changes_nothing(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(compiled_book, "START_CAPACITY", 2)
    assert_same_files(Scenario.from_dict(BUSY), tmp_path, days=50)


def test_the_day_results_match_the_reference_event_for_event() -> None:
    scenario = Scenario.from_dict(BUSY)
    models = [SchemeModel(with_core(scenario, c)) for c in ("reference", "fast")]
    models[1].core.prices = True  # the model does not read them; compared here
    seen: list[list] = [[], []]
    for model, log in zip(models, seen, strict=True):
        # the fast core's model hands in the day's stream as arrays
        name = "apply_arrays" if hasattr(model.core, "apply_arrays") else "apply"
        apply = getattr(model.core, name)

        def spy(*stream, apply=apply, log=log):
            result = apply(*stream)
            log.append((result.events, result.bonuses, result.skipped))
            return result

        setattr(model.core, name, spy)
    try:
        for _ in range(scenario.run.days):
            for model in models:
                model.step()
            reference, fast = models
            book = fast.book
            # the ledger balances, and its pool is the kernel's, every day
            book.ledger.check()
            assert book.ledger.balance(POOL) == book.kernel.pool == reference.book.pool_cash
            assert book.price == reference.book.price
        assert seen[0] == seen[1]
        assert sum(skipped for *_, skipped in seen[1]) > 0  # refused sales were exercised
        assert any(bonuses for _, bonuses, _ in seen[1])
        assert any(e.action == "forced_exit" for events, *_ in seen[1] for e in events)
        # what the model and the run's files read of the members, on either book
        ref_book, fast_book = models[0].book, models[1].book
        keys = sorted(ref_book.members)
        assert list(fast_book.members) == keys
        ref_figures, fast_figures = ref_book.member_figures(keys), fast_book.member_figures(keys)
        for name, column in ref_figures.items():
            assert list(fast_figures[name]) == list(column), name
        for key in keys:
            assert fast_book.standing(key) == ref_book.standing(key), key
            assert fast_book.cash_balance(key) == ref_book.cash_balance(key), key
            ref, fast = ref_book.members[key], fast_book.members[key]
            assert (fast.held, fast.spent_entry, fast.version) == (
                ref.held,
                ref.spent_entry,
                ref.version,
            )
        assert fast_book.paid_totals() == ref_book.paid_totals()
        assert max(fast_figures["entries"]) > 1  # re-entries happened
    finally:
        for model in models:
            model.close()


def test_a_ledger_that_drifts_from_the_kernel_is_an_error() -> None:
    model = SchemeModel(Scenario.from_dict({**BUSY, "run": {"days": 5, "core": "fast"}}))
    model.step()
    model.book.ledger.accounts[POOL].balance += 1
    with pytest.raises(LedgerError, match="pool"):
        model.step()
    model.close()


@pytest.mark.parametrize(
    "name", ["financing-rounds", "operator-diversion", "legacy-debts", "custody-shortfall"]
)
def test_every_stress_lever_gives_the_same_files(name: str, tmp_path: Path) -> None:
    """Subsidies, the operator's take, legacy points and a custody shortfall (whose unpaid
    payouts the kernel's own tests compare, tests.test_kernel_levers)."""
    assert_same_files(load_scenario(SCENARIOS / f"{name}.yaml"), tmp_path, days=150)


def test_an_unknown_core_is_refused(tmp_path) -> None:
    text = "name: t\norder:\n  split: {distribution: 0.7, pool: 0.3}\nrun:\n  core: turbo\n"
    error = error_for(write(tmp_path, text))
    assert (error.line, error.key) == (5, "run.core")
    assert "expected one of: reference, fast" in error.message


def test_the_core_is_part_of_the_scenario_definition() -> None:
    scenario = load_scenario(SCENARIOS / "seed-generic-3x.yaml")
    assert scenario.run.core == "fast" and scenario.model_dump()["run"]["core"] == "fast"
    assert Scenario.from_dict(scenario.model_dump()) == scenario


def test_the_book_face_posts_a_custody_shortfall_and_refuses_a_whole_one() -> None:
    book = CompiledBook(Mechanics())
    book.open_stress_accounts()
    assert book.members.get(1) is None and 1 not in book.members and len(book.members) == 0
    with pytest.raises(ValueError, match="custody shortfall"):
        book.custody_shortfall = F(1)
    book.custody_shortfall = F(1, 10)
    assert book.custody_shortfall == F(1, 10)
    market = CompiledMarket(book, None, lambda: np.zeros(3, np.int64))
    market.apply_arrays(np.array([1, 2]), np.array([BUY, BUY], np.int8), np.array([999, 100_000]))
    skimmed = 299 // 10 + 30_000 // 10  # a tenth of each pool part, rounded down
    assert book.ledger.balance(CUSTODY_SHORTFALL) == skimmed
    assert (book.pool, book.pool_cash) == (30_299, 30_299 - skimmed)
    assert book.member_figures([1, 2, 3])["unpaid"].tolist() == [0, 0, 0]
