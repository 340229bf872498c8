"""The net-investment method: cash that left the platform against money paid in, with cash
credited but not withdrawn (and of it, queued) and points at the final price shown beside."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest

from sim.analysis.netinvest import net_investment
from sim.batch.run import simulate
from sim.scenario.root import load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
UNIT = 100  # point units per point in this hand-made table


def test_net_investment_by_hand():
    # fen and point units; the price is 2 yuan a point = 200 fen per 100 units = 2 fen a unit
    members = pd.DataFrame(
        {
            "spent": [100_000, 100_000, 100_000, 0, 0],
            "withdrawn": [150_000, 40_000, 100_000, 5_000, 0],
            "cash_balance": [0, 70_000, 0, 0, 0],
            "queued": [0, 70_000, 0, 0, 0],
            "points_held": [0, 0, 10_000, 0, 0],
        }
    )
    # a: +500 (winner); b: -600 left, +100 counting the queued 700 (a winner only on credit);
    # c: even on cash, +200 yuan of points x 80% = +160 counting points; d: a legacy member
    # paid 50 without paying in (winner); e: never took part
    table = net_investment(members, Fraction(2), UNIT, Fraction(4, 5))
    assert table["participants"] == 4
    assert (table["net_winners"], table["net_losers"], table["even"]) == (2, 1, 1)
    assert table["share_net_losers"] == 0.25
    assert table["paid_in"] == 3_000 and table["paid_out"] == 2_950
    assert table["clawback_pool"] == 550 and table["net_losses"] == 600
    assert table["credited_on_platform"] == 700 and table["queued_for_withdrawal"] == 700
    assert table["points_value_at_final_price"] == 200
    assert table["net_winners_counting_credited"] == 3  # b joins a and d
    assert table["net_winners_counting_points"] == 4  # and c, with its points sold at 80%
    assert table["final_price"] == 2.0


@pytest.fixture(scope="module")
def halted():
    """The halt scenario to day 320: the platform stops paying on day 300."""
    return simulate(load_scenario(SCENARIOS / "halt.yaml"), 1, 320)


def test_a_halt_leaves_credited_cash_on_the_platform(halted):
    summary, members = halted.summary, halted.members
    table = summary["net_investment"]
    assert table["queued_for_withdrawal"] == summary["withdrawal_queue_at_end"] > 0
    assert int(members["queued"].sum()) == round(summary["withdrawal_queue_at_end"] * 100)
    assert (members["queued"] <= members["cash_balance"]).all()
    # cash credited but queued makes winners that never got their money
    assert table["net_winners_counting_credited"] > table["net_winners"]
    buyers = members[members["spent"] > 0]
    assert summary["share_of_buyers_losing"] == (buyers["net_withdrawn"] < 0).mean()
    assert summary["share_of_buyers_losing_counting_credited"] == (buyers["net_result"] < 0).mean()
    assert summary["share_of_buyers_losing"] > summary["share_of_buyers_losing_counting_credited"]
    nets = members["withdrawn"] - members["spent"]
    assert (members["net_withdrawn"] == nets).all()
    assert table["clawback_pool"] == int(nets[nets > 0].sum()) / 100
    assert table["net_losses"] == int(-nets[nets < 0].sum()) / 100
    assert table["paid_in"] - table["paid_out"] == pytest.approx(
        table["net_losses"] - table["clawback_pool"]
    )
