"""Every shipped scenario runs its whole horizon with the ledger balanced on every day, and
each stress scenario shows what it is for."""

from __future__ import annotations

import itertools

import pytest

from sim.scenario.root import load_scenario
from tests.conftest import SCENARIOS, member_rows, run_model, yuan_rows

SHIPPED = sorted(p.stem for p in SCENARIOS.glob("*.yaml"))
# scenarios at the scale of the performance targets (README, Performance): here only their
# first days, where the same code runs on fewer members
AT_SCALE = {"national-100k": 60, "largest-case-9m": 20}
# the distribution layer's rules run in Python: here a third of the year
DISTRIBUTION = {"seed-004-chain-motion": 120, "seed-local-services-distribution": 120}
DISTRIBUTION["two-level-only"] = 120
DAYS = {**AT_SCALE, **DISTRIBUTION}
NO_STRESS = [name for name in SHIPPED if name.startswith("seed-")] + [
    "two-level-only",
    "growth-then-decay",
    "panic-after-shock",
    "withdrawal-cap-queue",
    "financing-rounds",
    *AT_SCALE,
]


@pytest.fixture(scope="module")
def runs():
    cache = {}

    def run(name):
        if name not in cache:
            model = run_model(load_scenario(SCENARIOS / f"{name}.yaml"), days=DAYS.get(name))
            cache[name] = (model, member_rows(model))
        return cache[name]

    return run


def fen(yuan: float) -> int:
    return round(yuan * 100)


@pytest.mark.parametrize("name", SHIPPED)
def test_ledger_balances_on_every_day(runs, name):
    model, members = runs(name)
    assert len(yuan_rows(model)) == model.days == DAYS.get(name, model.scenario.run.days)
    entered = 0
    for row in yuan_rows(model):
        entered += fen(row["inflow"])
        accounts = sum(fen(v) for k, v in row.items() if k.startswith("account_"))
        assert accounts == entered, f"day {row['day']}"
    assert entered == model.book.ledger.entered
    entered_by = model.book.ledger.entered_by  # members paid for orders and fees
    paid_in = entered_by["orders"] + entered_by.get("fees", 0)
    assert fen(sum(m["spent"] for m in members)) == paid_in
    assert fen(sum(m["fees_paid"] for m in members)) == entered_by.get("fees", 0)


@pytest.mark.parametrize("name", NO_STRESS)
def test_without_stress_levers_the_price_never_falls(runs, name):
    model, _ = runs(name)
    prices = [row["price"] for row in yuan_rows(model)]
    assert prices == sorted(prices)


def test_operator_diversion_makes_the_price_fall(runs):
    model, _ = runs("operator-diversion")
    rows = yuan_rows(model)
    assert rows[250]["price"] < 0.8 * rows[249]["price"]  # the 30% take on day 250
    assert [r["day"] for r in rows if r["diverted"] > 0] == list(range(100, 365))
    assert sum(r["price"] < p["price"] for p, r in itertools.pairwise(rows)) > 30


def test_withdrawal_cap_makes_a_queue(runs):
    model, _ = runs("withdrawal-cap-queue")
    rows = yuan_rows(model)
    assert max(r["withdrawals"] for r in rows) <= 2000
    assert rows[-1]["withdrawal_queue"] > 100_000


def test_halt_freezes_everything(runs):
    model, _ = runs("halt")
    rows = yuan_rows(model)
    frozen = rows[299]
    assert frozen["withdrawal_queue"] > 0
    for row in rows[300:]:
        assert row["halted"] and row["withdrawals"] == row["orders"] == row["sales"] == 0
        assert row["withdrawal_queue"] == frozen["withdrawal_queue"]
        assert row["account_withdrawn"] == frozen["account_withdrawn"]


def test_custody_shortfall_ends_in_unpaid_claims(runs):
    model, members = runs("custody-shortfall")
    before, run_day = yuan_rows(model)[249], yuan_rows(model)[250]
    assert before["unpaid_claims"] == 0 and run_day["panic"]
    assert yuan_rows(model)[-1]["unpaid_claims"] > 1_000_000
    assert sum(m["unpaid"] for m in members) == pytest.approx(yuan_rows(model)[-1]["unpaid_claims"])


def test_financing_rounds_enter_the_pool(runs):
    model, _ = runs("financing-rounds")
    assert model.book.ledger.entered_by["financing"] == 37_500_000 * 100
    assert [r["day"] for r in yuan_rows(model) if r["subsidies"]] == [60, 120, 180, 240, 300]


def test_legacy_releases_dilute_the_price(runs):
    model, members = runs("legacy-debts")
    releases = [r for r in yuan_rows(model) if r["legacy_points"] > 0]
    assert [r["day"] for r in releases] == list(range(30, 361, 30))  # 12 monthly batches
    assert sum(r["price"] < yuan_rows(model)[r["day"] - 1]["price"] for r in releases) >= 6
    legacy = [m for m in members if m["type"] == "legacy"]
    assert len(legacy) == 2000 and all(m["spent"] == 0 for m in legacy)
