"""``python -m sim assess``: a platform's rules judged before any data, by hand."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from sim.analysis.assess import assess
from sim.cli import main
from sim.core.mechanics import Mechanics
from sim.scenario.root import load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def found(name: str) -> dict:
    return assess(load_scenario(SCENARIOS / f"{name}.yaml"))


def test_the_generic_seed_by_hand():
    result = found("seed-generic-3x")
    present = {f["feature"]: f["present"] for f in result["features"]}
    assert present == {  # the 300 distribution line has no rules given: pay cannot be told
        "pay per recruit": None,
        "pay on downline sales": None,
        "a required purchase to join": True,
        "a promised multiple": True,
    }
    why = next(f["why"] for f in result["features"] if f["feature"] == "pay per recruit")
    assert why == "cannot tell: the 'distribution' line (30% of each order) has no rules given"
    result = found("seed-generic-3x-assumed-referral")
    present = {f["feature"]: f["present"] for f in result["features"]}
    assert present == {
        "pay per recruit": True,  # 3% to the direct sponsor on every order, the first too
        "pay on downline sales": True,  # 2% two levels up
        "a required purchase to join": True,  # points only with an order, 70% not goods
        "a promised multiple": True,  # 3x of spend sold at 80%: 2.4x back
    }
    # 1000 yuan: 30% to the pool, minted at 70% of it: 210 of points, 168 in cash at 80%
    assert result["order_at_once"] == {
        "price": 1000.0,
        "goods": 300.0,
        "points_value_at_grant": 210.0,
        "cash_if_sold_at_once": 168.0,
        "lost_at_once": 832.0,
        "lost_at_once_share": 0.832,
        "lost_at_once_counting_goods": 532.0,
    }
    # the law: (x / 0.21)^(1 / 0.3): 181.7, 1830.5 and 7074.5 (SPEC §5: about 181, 1830, 7000)
    growth = {row["label"]: row["law_growth"] for row in result["break_even"]}
    assert growth["1x"] == pytest.approx((1 / 0.21) ** (1 / 0.3))
    assert growth["2x"] == pytest.approx((2 / 0.21) ** (1 / 0.3))
    assert growth["3x (exit cap)"] == pytest.approx((3 / 0.21) ** (1 / 0.3))


def test_a_cap_paying_less_than_the_spend_promises_nothing():
    result = found("seed-local-services-1.2x-referral-only")
    promise = next(f for f in result["features"] if f["feature"] == "a promised multiple")
    assert not promise["present"]
    assert "pays 0.96x of the spend" in promise["why"]  # 1.2 x 80%


def test_distribution_rules_name_the_features():
    result = found("seed-004-chain-motion")
    recruit = next(f for f in result["features"] if f["feature"] == "pay per recruit")
    assert recruit["present"] and "chain_motion" in recruit["why"]
    assert result["order_at_once"]["goods"] == 200.0  # the product_cost line, 20%


def test_the_command(capsys, tmp_path):
    path = SCENARIOS / "seed-generic-3x.yaml"
    assert main(["assess", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Rules of 'seed-generic-3x', before any data:")
    assert "it loses 832.00 (83.2%) the moment it is placed" in out
    assert "  ?    pay per recruit: cannot tell: the 'distribution' line" in out
    assert main(["assess", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["order_at_once"]["lost_at_once"] == 832.0
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\npoints: {mint_ratio: 2}\n", encoding="utf-8")
    assert main(["assess", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: {bad}:1: missing required key")


def test_what_an_orders_points_are_worth_at_grant_is_one_rule():
    # 70% of the 30% pool line (seeds 001-004), 70% of the 16% (local services)
    assert Mechanics().grant_share == Fraction(21, 100)
    local = load_scenario(SCENARIOS / "seed-local-services-distribution.yaml")
    assert local.mechanics().grant_share == Fraction(112, 1000)
    assert assess(local)["order_at_once"]["points_value_at_grant"] == 112.0
