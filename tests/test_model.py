"""The agent model with scripted and simple populations: exact answers, not just plausibility."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction as F

import numpy as np
import pytest

from sim.core import rules
from sim.core.referral import TwoLevel
from sim.model.market import Intent, ReferenceMarket
from sim.model.mesa_model import SchemeModel
from sim.scenario.root import Scenario, load_scenario
from tests.conftest import SCENARIOS, member_rows, run_model, summary_of, yuan_rows

GENERIC = {"product_cost": 0.30, "distribution": 0.30, "platform": 0.10, "pool": 0.30}


def scenario(**sections) -> Scenario:
    """A scenario on the reference core, whose records these tests read (the fast core is
    proven equal to it: tests.test_engine_equality)."""
    data = {"name": "test", "order": {"amount": 1000, "split": dict(GENERIC)}}
    data.update(sections)
    data["run"] = {"core": "reference", **data.get("run", {})}
    return Scenario.from_dict(data)


def recorded(model: SchemeModel) -> list:
    """Record every event the core applies, in order (wraps the core's apply)."""
    events = []
    apply = model.core.apply

    def spy(intents):
        result = apply(intents)
        events.extend(result.events)
        return result

    model.core.apply = spy
    return events


def test_three_consumers_on_day_zero_reproduce_the_seed_table():
    model = SchemeModel(scenario(run={"days": 1}, inflow={"kind": "none", "initial_members": 3}))
    model.step()
    grants = sorted(r.held for r in model.book.members.values())
    assert grants == [124_950_000, 147_000_000, 210_000_000]  # 124.95, 147, 210 points
    row = yuan_rows(model)[0]
    assert (row["orders"], row["pool"], row["points"]) == (3, 900.0, 481.95)
    assert round(row["price"], 2) == 1.87
    assert row["members_active"] == row["members_total"] == 3


def test_a_panic_seller_sells_everything_at_that_moments_price():
    model = SchemeModel(
        scenario(
            run={"days": 6},
            inflow={"kind": "constant", "rate": 3, "noise": "none", "initial_members": 5},
            population={
                "mix": {"consumer": 0.5, "panic_seller": 0.5},
                "panic_seller": {"shock_days": [4]},
            },
        )
    )
    for _ in range(4):
        model.step()
    holders = {
        i
        for i, a in model.members.items()
        if a.kind == "panic_seller" and model.book.members[i].held
    }
    assert holders
    events = recorded(model)
    price = model.book.price
    model.step()  # day 4: the shock
    assert yuan_rows(model)[4]["panic"]
    sales = {}
    for event in events:
        if event.action == "sell":
            # the whole holding, paid at the price of that moment in the stream
            assert event.cash_delta == rules.sale_payout(-event.points_delta, price, F(4, 5))
            sales[event.member] = event
        price = event.price
    assert set(sales) == holders
    assert all(model.book.members[i].held == 0 for i in holders)
    assert yuan_rows(model)[4]["sales"] == len(holders)


def test_referrers_are_paid_exactly_the_configured_shares_of_orders_below():
    # A scripted chain R <- A <- B: B's order of 1000 pays A 10% and R 5%.
    model = SchemeModel(
        scenario(referral={"direct": 0.10, "indirect": 0.05, "paid_from": "distribution"})
    )
    book = model.book
    sponsors = {"A": "R", "B": "A"}
    core = ReferenceMarket(book, TwoLevel(F(1, 10), F(1, 20), "distribution"), sponsors.get)
    result = core.apply(
        [Intent("R", "buy", 100_000), Intent("A", "buy", 100_000), Intent("B", "buy", 100_000)]
    )
    assert [(b.member, b.amount, b.level) for b in result.bonuses] == [
        ("R", 10_000, 1),
        ("A", 10_000, 1),
        ("R", 5_000, 2),
    ]
    assert book.members["R"].bonus == 15_000 and book.members["A"].bonus == 10_000
    assert book.ledger.balance("distribution") == 90_000 - 25_000
    book.ledger.check()


def test_referral_bonuses_in_a_population_match_the_orders_below():
    s = scenario(
        run={"days": 60},
        inflow={"kind": "referral", "initial_members": 20},
        population={
            "mix": {"consumer": 0.5, "referrer": 0.5},
            "referrer": {"reach": 4, "recruit_rate": 0.3},
            "consumer": {"rebuy_probability": 0.5, "rebuy_interval_days": 5},
        },
        referral={"direct": 0.10, "indirect": 0.05, "paid_from": "distribution"},
    )
    model = run_model(s, seed=7)
    rows = {m["member"]: m for m in member_rows(model)}
    assert any(a.kind == "referrer" and a.recruited for a in model.members.values())
    expected = dict.fromkeys(rows, 0.0)
    for member in rows.values():
        sponsor = member["sponsor"]
        if sponsor is not None:
            expected[sponsor] += 0.10 * member["spent"]  # every order is 1000: floors exact
            grand = rows[sponsor]["sponsor"]
            if grand is not None:
                expected[grand] += 0.05 * member["spent"]
    assert sum(expected.values()) > 0
    for member_id, member in rows.items():
        assert member["bonuses_received"] == pytest.approx(expected[member_id], abs=1e-9)


def test_the_sell_target_heap_holds_exactly_the_holders_with_a_target():
    data = load_scenario(SCENARIOS / "seed-generic-3x.yaml").model_dump()
    data["population"]["consumer"]["sell_target"] = {"low": 0.22, "high": 0.6}  # reached soon
    model = SchemeModel(Scenario.from_dict(data), days=120)
    for _ in range(120):
        model.step()
        holders = sum(
            1
            for member, record in model.book.members.items()
            if record.held and model.columns.target[member - 1] >= 0
        )
        assert len(model.sell_targets) == holders  # no stale entry, whatever the orders
    assert sum(row["sales"] for row in yuan_rows(model)) > 1000  # targets were reached


@pytest.mark.parametrize("rule", ["none", "uniform", "branching"])
def test_walk_ins_join_the_network_by_the_scenarios_sponsor_rule(rule):
    data = load_scenario(SCENARIOS / "seed-generic-3x-assumed-referral.yaml").model_dump()
    data["network"] = {"sponsor": rule, "max_recruits": 2}
    model = run_model(Scenario.from_dict(data), days=90)
    rows = member_rows(model)
    by_id = {row["member"]: row for row in rows}
    referrers = {row["member"] for row in rows if row["type"] == "referrer"}
    roots = [row for row in rows if row["sponsor"] is None]
    if rule == "none":  # only referrers' recruits have a sponsor
        assert all(row["sponsor"] in referrers for row in rows if row["sponsor"] is not None)
    else:
        assert len(roots) == 1  # every walk-in but the very first is placed under someone
    recruits = Counter(row["sponsor"] for row in rows)
    for row in rows:  # the members table's network columns agree with its sponsor column
        sponsor = row["sponsor"]
        assert row["depth"] == (1 if sponsor is None else by_id[sponsor]["depth"] + 1)
        assert row["recruits"] == recruits[row["member"]]
        if rule == "branching":
            assert row["recruits"] <= 2
    assert sum(row["team_size"] for row in rows if row["sponsor"] is None) + len(roots) == len(rows)
    summary = summary_of(model)["network"]
    assert summary["members"] == len(rows) and summary["roots"] == len(roots)
    assert summary["max_depth"] == max(row["depth"] for row in rows)
    # bonuses follow the network: every order placed below a sponsor pays them
    bonuses = sum(row["bonuses_received"] for row in rows)
    assert (bonuses > 0) == any(row["sponsor"] is not None for row in rows)


@pytest.mark.parametrize("seed", range(20))
def test_referral_bonuses_in_bulk_equal_the_rule_order_by_order(seed):
    """TwoLevel.payouts_in_bulk (compiled, the fast core's) gives the bonuses TwoLevel.payouts
    gives, in the same order, on a random forest with random shares, amounts and budgets
    (budgets that run out, roots without a sponsor, chains of one level)."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 60))
    sponsors = np.zeros(n + 1, np.int32)
    for member in range(2, n + 1):
        sponsors[member] = rng.integers(0, member) if rng.random() < 0.8 else 0
    direct, indirect = (F(int(rng.integers(0, 40)), 100) for _ in range(2))
    rule = TwoLevel(direct, indirect, "distribution")
    orders = int(rng.integers(0, 80))
    buyers = rng.integers(1, n + 1, orders).astype(np.int64)
    amounts = rng.choice([1, 199, 1000, 99_999, 300_000], orders).astype(np.int64)
    budgets = (amounts * rng.choice([0.0, 0.05, 0.3, 1.0], orders)).astype(np.int64)
    members, paid, levels = rule.payouts_in_bulk(buyers, amounts, budgets, sponsors)

    def sponsor(member):
        return int(sponsors[member]) or None

    expected = [
        (bonus.member, bonus.amount, bonus.level)
        for buyer, amount, budget in zip(
            buyers.tolist(), amounts.tolist(), budgets.tolist(), strict=True
        )
        for bonus in rule.payouts(buyer, amount, budget, sponsor)
    ]
    assert list(zip(members.tolist(), paid.tolist(), levels.tolist(), strict=True)) == expected
