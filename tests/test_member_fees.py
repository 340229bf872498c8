"""Every yuan a member pays counts: fees for regions and service points are in that member's
spend, net result, losses and break-even, and are a line of their own in the money flow."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest

from sim.analysis.moneyflow import funded_by_others
from sim.analysis.outcomes import losing_counting_goods, order_spend
from sim.batch.run import simulate
from sim.scenario.root import load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
YUAN = 100  # fen


@pytest.fixture(scope="module")
def chain_motion():
    """Seed 004's pack for 120 days: regions (50,000 to 300,000) and service points (9,800)
    are bought along the way."""
    return simulate(load_scenario(SCENARIOS / "seed-004-chain-motion.yaml"), 1, 120)


def test_total_spend_is_order_volume_plus_fees_to_the_fen(chain_motion):
    members, rows = chain_motion.members, chain_motion.rows
    volume = sum(row["order_volume"] for row in rows)
    fees = sum(row["fees"] for row in rows)
    assert fees > 0
    assert int(members["spent"].sum()) == volume + fees
    assert int(members["fees_paid"].sum()) == fees
    assert int(order_spend(members).sum()) == volume
    entered = chain_motion.summary["money_entered_by_source"]
    assert entered["fees"] == fees / YUAN and entered["orders"] == volume / YUAN


def test_a_fee_payer_pays_the_fee_and_counts_it(chain_motion):
    members = chain_motion.members
    payers = members[members["fees_paid"] > 0]
    region, point = 50_000 * YUAN, 9_800 * YUAN
    # each fee is a sum of whole region fees (50,000 / 100,000 / 200,000 / 300,000) and
    # franchise fees (9,800)
    for fee in payers["fees_paid"]:
        assert fee % point == 0 or fee % region == 0 or (fee - point) % region == 0
    assert (payers["fees_paid"] % point == 0).any() and (payers["fees_paid"] >= region).any()
    net = payers["cash_received"] + payers["bonuses_received"] - payers["spent"]
    assert (payers["net_result"] == net).all()
    assert (payers["net_withdrawn"] == payers["withdrawn"] - payers["spent"]).all()
    # break-even counts the fee: nobody whose cash back stays below spend + fee broke even
    received = payers["cash_received"] + payers["bonuses_received"]
    below = payers[received < payers["spent"]]
    assert len(below) and below["break_even_day"].isna().all()


def test_the_money_flow_has_a_line_per_fee(chain_motion):
    flow = {row["use"]: row for row in chain_motion.summary["money_flow"]}
    fees = chain_motion.layer["fees"]
    assert set(fees) == {"region_fees", "service_point_fees"}
    for name, fen in fees.items():
        assert flow[name]["kind"] == "fees" and flow[name]["yuan"] == fen / YUAN
    assert sum(row["share"] for row in flow.values()) == pytest.approx(1, abs=1e-12)
    assert chain_motion.summary["money_share_member_fees"] == pytest.approx(
        sum(fees.values())
        / (sum(fees.values()) + sum(r["order_volume"] for r in chain_motion.rows))
    )


def test_goods_and_pool_shares_count_orders_not_fees():
    # a member paid 10,800: a 9,800 franchise fee and one 1,000 order; got back 2,000 in cash
    member = pd.DataFrame(
        {
            "spent": [10_800 * YUAN],
            "fees_paid": [9_800 * YUAN],
            "cash_received": [2_000 * YUAN],
            "net_result": [(2_000 - 10_800) * YUAN],
        }
    )
    # goods at the full price of the order: 2,000 + 1,000 < 10,800, still losing
    assert losing_counting_goods(member, Fraction(1)) == 1
    # the goods of the fee would have been 9,800 more: that is not goods, so it stays a loss
    # own money back = 30% of the 1,000 order = 300; the rest, 1,700 of 2,000, is others'
    assert funded_by_others(member, Fraction(3, 10)) == pytest.approx(1_700 / 2_000)
    old = member.drop(columns=["fees_paid"])  # a table from before fees_paid: spend = orders
    assert funded_by_others(old, Fraction(3, 10)) == 0.0
