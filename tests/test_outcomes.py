"""Participant outcomes on a scripted members table with hand-computed answers, and on a
brief run of a shipped scenario against the members table it wrote."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from sim.analysis.netinvest import net_investment_metrics
from sim.analysis.outcomes import cohorts, gini, goods_share, measure, measure_run, top_share
from sim.batch.columns import METRICS
from sim.batch.runner import run_metrics
from sim.distribution.summary import metrics as distribution_metrics
from sim.scenario.root import Scenario, load_scenario
from tests.conftest import SCENARIOS, member_rows, run_model, summary_of

COLUMNS = ("member", "join_day", "spent", "cash_received", "bonuses_received")
COLUMNS += ("forced_exits", "break_even_day")
# the exact members table (money in fen) of a scripted run. Net results: +600, -700,
# -1400, 0 yuan; member 5 never bought (a legacy member, paid 200 yuan); member 3 broke even
# on day 35, then bought again and is below break-even at the end
SCRIPT = [
    (1, 0, 100_000, 160_000, 0, 1, 40),
    (2, 5, 100_000, 0, 30_000, 0, None),
    (3, 31, 200_000, 50_000, 10_000, 0, 35),
    (4, 40, 100_000, 100_000, 0, 0, 70),
    (5, 45, 0, 20_000, 0, 0, None),
]


def members(script=SCRIPT) -> pd.DataFrame:
    frame = pd.DataFrame([dict(zip(COLUMNS, row, strict=True)) for row in script])
    frame["net_result"] = frame.cash_received + frame.bonuses_received - frame.spent
    return frame


def test_scripted_outcomes() -> None:
    found = measure(members(), Fraction(3, 10), cohort_days=30)
    assert found.buyers == 4
    # goods at 30%: -700 + 300 and -1400 + 600 stay below 0; +600 + 300 and 0 + 300 do not
    assert found.share_losing_counting_goods == 0.5
    assert found.gini_net_result == pytest.approx(67 / 108, abs=1e-15)
    assert found.top1_payout_share == pytest.approx(16 / 37, abs=1e-15)  # 1600 of 3700
    assert found.share_reaching_1x == 0.5  # 1600 >= 1000 and exactly 1000 >= 1000
    assert found.share_ever_breaking_even == 0.75  # members 1, 3 and 4
    assert found.share_reaching_cap == 0.25
    assert found.median_days_to_break_even == 30.0  # of 40, 4 and 30 days
    assert found.goods_fair_value == 0.3


def test_goods_exactly_covering_the_loss_are_not_a_loss() -> None:
    # at 70% the goods bring member 2 to -700 + 700 = 0 and member 3 to -1400 + 1400 = 0
    assert measure(members(), Fraction(7, 10)).share_losing_counting_goods == 0.0
    assert measure(members(), Fraction(69, 100)).share_losing_counting_goods == 0.5
    assert measure(members(), Fraction(0)).share_losing_counting_goods == 0.5


def test_cohorts_of_join_days() -> None:
    table = cohorts(members().query("spent > 0"), 30)
    assert table.to_dict("records") == [
        # members 1 and 2: returns +0.6 and -0.7
        {
            "cohort": 0,
            "first_day": 0,
            "last_day": 29,
            "members": 2,
            "spent": 2000.0,
            "net_result": -100.0,
            "mean_return": pytest.approx(-0.05),
            "median_return": pytest.approx(-0.05),
            "share_losing": 0.5,
        },
        # members 3 and 4: returns -0.7 and 0
        {
            "cohort": 1,
            "first_day": 30,
            "last_day": 59,
            "members": 2,
            "spent": 3000.0,
            "net_result": -1400.0,
            "mean_return": pytest.approx(-0.35),
            "median_return": pytest.approx(-0.35),
            "share_losing": 0.5,
        },
    ]
    weekly = cohorts(members().query("spent > 0"), 7)
    assert weekly.cohort.tolist() == [0, 4, 5]  # days 0 and 5; 31; 40
    assert weekly.members.tolist() == [2, 1, 1]
    assert (weekly.first_day.tolist(), weekly.last_day.tolist()) == ([0, 28, 35], [6, 34, 41])


def test_gini_of_signed_values() -> None:
    # pairs of -1400, -700, 0, 600: |differences| sum to 6700; mean |x| is 675
    assert gini([600, -700, -1400, 0]) == pytest.approx(2 * 6700 / (2 * 4**2 * 675))
    assert gini([0, 0, 0, 4]) == pytest.approx(0.75)  # the usual Gini, (n - 1) / n
    assert gini([1, 2, 3, 4]) == pytest.approx(0.25)  # the usual Gini: 20 / (2 * 16 * 2.5)
    assert gini([-5, -5, -5]) == 0.0  # all lost the same
    assert gini([-1, 1]) == pytest.approx(0.5)
    assert gini([0, 0]) == 0.0
    assert gini([]) is None


def test_top_share_takes_the_ceiling_of_one_percent() -> None:
    assert top_share([1600, 300, 600, 1000, 200]) == pytest.approx(16 / 37)  # 1 of 5
    paid = [1.0] * 99 + [50.0, 51.0]  # 101 members: the top 2
    assert top_share(paid) == pytest.approx(101 / 200)
    assert top_share([0.0, 0.0]) is None


def test_nobody_bought() -> None:
    found = measure(members(SCRIPT[4:]), Fraction(3, 10))
    assert found.buyers == 0 and found.cohorts.empty
    assert found.share_losing_counting_goods is None and found.gini_net_result is None
    assert found.median_days_to_break_even is None
    assert found.top1_payout_share == 1.0  # the legacy member got every payout


def test_a_list_of_rows_without_any_break_even() -> None:
    rows = members().assign(break_even_day=None).to_dict("records")
    found = measure_run(rows, load_scenario(SCENARIOS / "seed-generic-3x.yaml"))
    assert found.share_ever_breaking_even == 0.0 and found.median_days_to_break_even is None


def test_the_fair_value_of_goods_defaults_to_the_lines_paying_for_goods() -> None:
    assert goods_share(load_scenario(SCENARIOS / "seed-generic-3x.yaml")) == Fraction(3, 10)
    assert goods_share(load_scenario(SCENARIOS / "seed-talk-5x.yaml")) == Fraction(1, 2)
    # a merchant line only
    local = load_scenario(SCENARIOS / "seed-local-services-1.2x-referral-only.yaml")
    assert goods_share(local) == Fraction(4, 5)
    data = local.model_dump()
    data["outcomes"] = {"goods_fair_value": Decimal("0.5")}
    assert goods_share(Scenario.from_dict(data)) == Fraction(1, 2)
    data["outcomes"] = {}
    data["order"]["split"] = {"distribution": Decimal("0.7"), "pool": Decimal("0.3")}
    assert goods_share(Scenario.from_dict(data)) == 0


# --- a brief run of a shipped scenario ----------------------------------------------------


def test_a_brief_run_agrees_with_its_members_table() -> None:
    scenario = load_scenario(SCENARIOS / "seed-generic-2x.yaml")
    model = run_model(scenario, days=90)
    rows = member_rows(model)
    summary = summary_of(model)
    # every batch metric is a summary key, or (the distribution layer's, the flags raised)
    # one read from it; the comparison schemes' own are null for the points scheme
    read = {**net_investment_metrics(summary), **distribution_metrics(summary)}
    own = {"scheme", "fund_at_end", "owed_at_end", "red_flags_raised"}
    assert {name for name, _ in METRICS} <= set(summary) | set(read) | own
    metrics = run_metrics(summary)
    assert metrics["scheme"] == "consumption_appreciation" and metrics["owed_at_end"] is None
    flags = summary["red_flags"]
    raised = sorted({f["key"] for f in flags if f["raised"] and f["reading"] == "platform"})
    assert metrics["red_flags_raised"] == ",".join(raised)
    buyers = [m for m in rows if m["spent"] > 0]
    n = len(buyers)
    assert n > 500
    fen = {k: [round(m[k] * 100) for m in buyers] for k in ("spent", "cash_received")}
    fen["bonuses"] = [round(m["bonuses_received"] * 100) for m in buyers]
    back = [c + b for c, b in zip(fen["cash_received"], fen["bonuses"], strict=True)]
    at_1x = sum(r >= s for r, s in zip(back, fen["spent"], strict=True))
    assert summary["share_reaching_1x"] == at_1x / n
    assert 0 < at_1x < n  # the earliest buyers are paid back within 90 days
    assert summary["share_reaching_cap"] == sum(m["forced_exits"] > 0 for m in buyers) / n
    ever = [m for m in buyers if m["break_even_day"] is not None]
    assert summary["share_ever_breaking_even"] == len(ever) / n
    waited = sorted(m["break_even_day"] - m["join_day"] for m in ever)
    assert summary["median_days_to_break_even"] == float(np.median(waited))
    goods = [10 * m["net_result"] + 3 * m["spent"] < 0 for m in buyers]  # 30% product cost
    assert summary["share_losing_counting_goods"] == sum(goods) / n
    nets = np.array([m["net_result"] for m in buyers])
    pairs = np.abs(nets[:, None] - nets[None, :]).sum()
    assert summary["gini_net_result"] == pytest.approx(pairs / (2 * n * np.abs(nets).sum()))
    paid = sorted((m["cash_received"] + m["bonuses_received"] for m in rows), reverse=True)
    top = math.ceil(len(rows) / 100)
    assert summary["top1_payout_share"] == pytest.approx(sum(paid[:top]) / sum(paid))
    cohort_sizes = [c["members"] for c in summary["cohorts"]]
    assert cohort_sizes == [sum(m["join_day"] // 30 == k for m in buyers) for k in range(3)]
    # where the money went agrees with what members got
    uses = {row["use"]: row for row in summary["money_flow"]}
    assert uses["member_payouts"]["yuan"] == pytest.approx(sum(fen["cash_received"]) / 100)
    assert uses["referral_bonuses"]["yuan"] == pytest.approx(sum(fen["bonuses"]) / 100)
    assert sum(round(row["yuan"] * 100) for row in uses.values()) == round(
        summary["money_entered"] * 100
    )
    # pool payouts beyond a member's own 30% of their spend, in fen, by hand
    cash = [(round(m["cash_received"] * 100), round(m["spent"] * 100)) for m in rows]
    others = sum(max(0, 10 * c - 3 * s) for c, s in cash if c)
    expected = Fraction(others, 10 * sum(c for c, _ in cash))
    assert summary["share_payouts_funded_by_others"] == float(expected)
    assert summary["collapsed"] is False and summary["loss_majority_day"] == 0
