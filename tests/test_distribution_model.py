"""The distribution layer in the agent model: the ledger balances with every rule on, seed
004's pack pays out exactly its lines, and the outputs agree with the tidy bonus table."""

from __future__ import annotations

import json
from math import ceil
from types import SimpleNamespace

import pandas as pd
import pytest

from sim.batch.run import run_to_files
from sim.distribution.base import HELD, Payout
from sim.distribution.payouts import PayoutLog
from sim.distribution.state import DistributionState
from sim.distribution.summary import figures, in_yuan, metrics
from sim.scenario.root import Scenario, load_scenario
from tests.conftest import SCENARIOS, run_model, yuan_rows

PER_PACK = {"chain_motion": 33_000, "chain_dividend": 4_000, "level_differential": 3_000}
PER_PACK |= {"service_point": 2_000, "regional_agents": 1_000}  # fen of each 1000-yuan pack


def pack(yuan: int) -> dict:
    return {"yuan": yuan, "pack": 1000}


# every rule kind at once, three of them sharing one line, on a busy population
EVERY_RULE = {
    "name": "every-rule",
    "order": {
        "amount": 1000,
        "split": {
            "product_cost": 0.15,
            "chain_motion": 0.33,
            "chain_dividend": 0.04,
            "level_differential": 0.03,
            "platform": 0.05,
            "pool": 0.30,
            "service_point": 0.02,
            "regional_agents": 0.01,
            "distribution": 0.07,
        },
    },
    "points": {"exit_multiple": 2.0},
    "run": {"days": 45, "seed": 3},
    "inflow": {
        "kind": "growth_decay",
        "initial_members": 30,
        "rate": 6,
        "growth": 0.03,
        "decay_start_day": 30,
        "half_life_days": 10,
    },
    "population": {
        "mix": {"consumer": 0.5, "referrer": 0.35, "panic_seller": 0.15},
        "consumer": {
            "amount": {"choices": [1000, 2000, 499], "weights": [4, 1, 1]},
            "rebuy_probability": 0.6,
            "rebuy_interval_days": 5,
            "sell_target": {"low": 1.1, "high": 1.6},
            "reentry_probability": 0.5,
            "reentry_delay_days": 3,
        },
        "referrer": {"reach": 6, "recruit_rate": 0.4},
        "panic_seller": {"shock_days": [30], "react_probability": 0.8},
    },
    "network": {"sponsor": "uniform", "recruited_share": 0.7},
    "stress": {"withdrawal_cap": 30000},
    "distribution": {
        "placement": "spill_over",
        "rules": [
            {"kind": "chain_motion", "reassign_every": 7},
            {
                "kind": "tier_dividend",
                "shares": {"director": 0.3, "co_founder": 0.3, "partner": 0.4},
                "period": 7,
            },
            {"kind": "level_differential", "amounts": [pack(10), pack(20), pack(30)], "peer": 0.1},
            {"kind": "regional_agents", "amounts": [pack(3), pack(5), pack(8), pack(10)]},
            {"kind": "service_points"},
            {"kind": "direct_indirect", "amounts": [0.01, 0.005], "allot": 0.02},
            {"kind": "merchant_recruitment", "share": 0.005, "allot": 0.01},
            {
                "kind": "shareholder_dividend",
                "weight": "volume",
                "period": 10,
                "founders": 5,
                "allot": 0.02,
            },
        ],
        "ladder": [
            {"name": "partner", "pack": 2000},
            {"name": "co_founder", "team_volume": 5000},
            {"name": "director", "team_volume": 20000},
        ],
        "regions": {"provinces": 2, "cities": 2, "districts": 2, "take_up": 0.05},
        "service_points": {"open_share": 0.05, "pickup_share": 0.9},
        "merchants": {"shops": 5, "recruit_share": 0.05},
    },
}
ALL_PAID = {
    "chain_direct",
    "chain_see_point",
    "chain_peer",
    "tier_dividend",
    "level_differential",
    "peer_bonus",
    "regional_agent",
    "service_point",
    "direct_indirect",
    "merchant_recruitment",
    "shareholder_dividend",
}


def every_rule(seed: int, core: str = "reference") -> Scenario:
    return Scenario.from_dict({**EVERY_RULE, "run": {"days": 45, "seed": seed, "core": core}})


@pytest.mark.parametrize("seed", [3, 11, 2027])
def test_the_ledger_balances_with_every_rule_on(seed):
    model = run_model(every_rule(seed))  # the model checks the ledger at the end of every day
    ledger, dist = model.book.ledger, model.distribution
    assert ledger.total() == ledger.entered
    assert all(account.balance >= 0 for account in ledger.accounts.values())
    for line in dist.lines:  # every fen of a rule's line went to a member or an account
        assert ledger.balance(line) == 0, line
    fees = ledger.balance("region_fees") + ledger.balance("service_point_fees")
    assert ledger.entered_by == {"orders": ledger.entered - fees, "fees": fees} and fees > 0
    paid = {rule for rule, fen in summary_of(model)["paid_by_rule"].items() if fen}
    assert paid == ALL_PAID
    assert ledger.balance("frozen_forever") > 0  # closed: what stayed frozen is forfeited
    assert ledger.balance("chain_frozen") == 0
    assert sum(row["fees"] for row in yuan_rows(model)) * 100 == pytest.approx(fees)


def summary_of(model):
    return in_yuan(figures(model.distribution, model.book.ledger, model.joined))


def test_the_seed_004_pack_pays_out_exactly_its_lines():
    model = run_model(load_scenario(SCENARIOS / "seed-004-chain-motion.yaml"), days=90)
    ledger, dist = model.book.ledger, model.distribution
    orders = sum(row["orders"] for row in yuan_rows(model))
    assert sum(row["order_volume"] for row in yuan_rows(model)) == orders * 1000  # all packs
    kinds = dist.rules.accounts()
    kept = sum(ledger.balance(a) for a, kind in kinds.items() if kind != HELD)
    held = sum(ledger.balance(a) for a, kind in kinds.items() if kind == HELD)
    paid = int(dist.log.totals().fen.sum())
    for line, fen in PER_PACK.items():
        assert ledger.accounts[line].total_in == orders * fen, line
        assert ledger.balance(line) == 0, line
    # the lines' 370 yuan per pack = what members were paid + what the platform kept +
    # what it still holds (the dividend pool between periods)
    assert orders * sum(PER_PACK.values()) == paid + kept + held
    assert paid > 0 and kept > 0 and held > 0
    # and with product cost, platform and pool the pack is 1000 yuan to the fen
    others = sum(ledger.accounts[line].total_in for line in ("product_cost", "platform", "pool"))
    assert others + orders * sum(PER_PACK.values()) == orders * 100_000


@pytest.fixture(scope="module")
def seed004_files(tmp_path_factory):
    out = tmp_path_factory.mktemp("seed004") / "run"
    result, files = run_to_files(
        load_scenario(SCENARIOS / "seed-004-chain-motion.yaml"), out, days=60
    )
    return out, result, files


def test_the_distribution_outputs_agree_with_the_bonus_table(seed004_files):
    out, _, files = seed004_files
    assert files == [
        "bonuses.parquet",
        "members.parquet",
        "summary.json",
        "timeseries.parquet",
    ]
    table = pd.read_parquet(out / "bonuses.parquet")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    d = summary["distribution"]
    table["fen"] = (table["yuan"] * 100).round().astype("int64")
    keys = ["member", "rule", "level", "reason"]
    assert not table.duplicated(keys).any()
    assert table[keys].equals(table.sort_values(keys)[keys].reset_index(drop=True))
    total = int(table["fen"].sum())
    assert round(d["paid"] * 100) == total > 0
    by_rule = table.groupby("rule")["fen"].sum()
    assert {k: round(v * 100) for k, v in d["paid_by_rule"].items()} == by_rule.to_dict()
    by_reason = table.groupby("reason")["fen"].sum().reindex(["recruit", "sale", "dividend"])
    assert [round(v * 100) for v in d["paid_by_reason"].values()] == by_reason.fillna(0).tolist()
    assert d["share_recruit"] == pytest.approx(by_reason["recruit"] / total)
    by_level = table.groupby("level")["fen"].sum()
    assert {i: round(v * 100) for i, v in enumerate(d["paid_by_level"]) if v} == by_level[
        by_level > 0
    ].to_dict()
    assert d["deepest_level"] == int(by_level[by_level > 0].index.max()) >= 3
    per_member = table.groupby("member")["fen"].sum().sort_values(ascending=False)
    assert d["members_paid"] == len(per_member)
    top = per_member.iloc[: ceil(summary["members"] / 100)].sum()
    assert d["top1_share"] == pytest.approx(top / total)
    # members' bonus income is the table's, and the days' bonuses add up to it
    members = pd.read_parquet(out / "members.parquet").set_index("member")
    income = (members["bonuses_received"] * 100).round().astype("int64")
    assert income[income > 0].to_dict() == per_member.sort_index().to_dict()
    series = pd.read_parquet(out / "timeseries.parquet")
    assert round(series["bonuses"].sum() * 100) == total
    assert metrics(summary)["distribution_top1_share"] == d["top1_share"]
    # the money flow counts the rules' payouts as bonuses and the fees as money entered
    flow = {row["use"]: row["yuan"] for row in summary["money_flow"]}
    assert flow["referral_bonuses"] == pytest.approx(d["paid"])
    assert sum(row["share"] for row in summary["money_flow"]) == pytest.approx(1)
    assert summary["money_entered_by_source"]["fees"] == pytest.approx(sum(d["fees"].values()))


def test_rule_sets_share_their_orders_and_price_path():
    chain = run_model(load_scenario(SCENARIOS / "seed-004-chain-motion.yaml"), days=45)
    plain = run_model(load_scenario(SCENARIOS / "two-level-only.yaml"), days=45)
    for column in ("price", "orders", "order_volume", "members_total", "sales"):
        rows = yuan_rows(chain), yuan_rows(plain)
        assert [r[column] for r in rows[0]] == [r[column] for r in rows[1]], column
    two = summary_of(plain)
    assert set(two["paid_by_rule"]) == {"direct_indirect"} and two["deepest_level"] == 2
    assert summary_of(chain)["deepest_level"] > 2


def test_without_the_layer_the_outputs_keep_their_shape():
    model = run_model(load_scenario(SCENARIOS / "seed-004-pack-3x-direct-only.yaml"), days=5)
    assert model.distribution is None and "fees" not in yuan_rows(model)[0]


# --- the summary's arithmetic, by hand -----------------------------------------------------


def test_the_summary_figures_by_hand():
    log = PayoutLog(flush_at=2)  # folds every two payouts: the sums must not care
    log.add(
        [
            Payout(7, 20_000, "chain_see_point", 3, "recruit"),
            Payout(2, 10_000, "chain_direct", 1, "sale"),
            Payout(7, 1_000, "chain_see_point", 3, "recruit"),
        ]
    )
    log.add(
        [Payout(5, 4_000, "tier_dividend", 0, "dividend"), Payout(2, 5, "chain_peer", 2, "sale")]
    )
    t = log.totals()
    assert t.member.tolist() == [2, 2, 5, 7]
    assert t.rule == ["chain_direct", "chain_peer", "tier_dividend", "chain_see_point"]
    assert t.level.tolist() == [1, 2, 0, 3] and t.fen.tolist() == [10_000, 5, 4_000, 21_000]

    section = SimpleNamespace(preset=None, placement="direct", specs=lambda: ())
    dist = SimpleNamespace(
        log=log,
        section=section,
        rules=SimpleNamespace(accounts=dict, state=DistributionState(), ladder=None),
        venues=SimpleNamespace(regional=None, service=None),
        fees={},
    )
    d = in_yuan(figures(dist, ledger=None, members=150))
    assert d["paid"] == 350.05
    assert d["paid_by_level"] == [40.0, 100.0, 0.05, 210.0]
    assert d["share_recruit"] == 21_000 / 35_005 and d["share_dividend"] == 4_000 / 35_005
    assert d["deepest_level"] == 3 and d["members_paid"] == 3
    assert d["top1_share"] == (21_000 + 10_005) / 35_005  # 150 members: the best-paid 2


def test_two_members_by_hand(tmp_path):
    # member 2 joins under member 1 (the only member: no draw); each buys one pack on day 0
    split = {"product_cost": 0.20, "chain_motion": 0.33, "chain_dividend": 0.04}  # seed 004
    split |= {"level_differential": 0.03, "platform": 0.07, "pool": 0.30}
    split |= {"service_point": 0.02, "regional_agents": 0.01}
    data = {
        "name": "two",
        "order": {"amount": 1000, "split": split},
        "run": {"days": 1},
        "inflow": {"kind": "none", "initial_members": 2},
        "network": {"sponsor": "uniform"},
        "distribution": {"preset": "two_level_only"},
    }
    out = tmp_path / "two"
    result, _ = run_to_files(Scenario.from_dict(data), out)
    ledger = result.model.book.ledger
    # 2's pack: 100 (10%) to 1, nobody for the 200 (20%) two levels up, 30 of the 330 line
    # left; 1's pack: nobody above, the whole 330 unpaid
    assert pd.read_parquet(out / "bonuses.parquet").to_dict("records") == [
        {"member": 1, "rule": "direct_indirect", "level": 1, "reason": "recruit", "yuan": 100.0}
    ]
    assert ledger.balance("unpaid_referral") == 23_000 + 33_000
    assert ledger.balance("chain_motion") == 0
    assert ledger.balance("chain_dividend") == 2 * 4_000  # no rule pays it: the platform's
    d = result.summary["distribution"]
    assert (d["paid"], d["share_recruit"], d["deepest_level"], d["top1_share"]) == (
        100.0,
        1.0,
        1,
        1.0,
    )
    assert d["leftovers"] == {"unpaid_referral": 560.0}
    assert result.timeseries()["bonuses"][0] == 100.0
    assert result.rows[0]["bonuses"] == 10_000  # exact: fen
