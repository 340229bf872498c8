"""The break-even law beside simulated runs (sim/analysis/lawcheck.py): hand-computed price paths,
exact agreement with the rules' own stepping, and the words a report prints."""

import numpy as np
import pandas as pd
import pytest

from sim.analysis import lawcheck
from sim.analysis.breakeven import first_reached
from sim.analysis.lawcheck import Target
from sim.core import rules
from sim.core.mechanics import POOL, Mechanics
from sim.scenario.root import load_scenario
from tests.conftest import SCENARIOS

M, S = 0.7, 0.3  # the seeds' mint ratio and pool share


def daily(prices, volumes=None) -> pd.DataFrame:
    volumes = [1.0] * len(prices) if volumes is None else volumes
    return pd.DataFrame({"day": range(len(prices)), "price": prices, "order_volume": volumes})


def test_targets_of_a_seed_scenario_are_the_law_tables_rows():
    wanted = lawcheck.targets(load_scenario(SCENARIOS / "seed-generic-2x.yaml"))
    assert [t.label for t in wanted] == ["1x", "2x (exit cap)"]
    assert [t.price_ratio for t in wanted] == pytest.approx([1 / 0.21, 2 / 0.21])
    assert [t.law_growth for t in wanted] == pytest.approx([181.66406, 1831.0590], rel=1e-6)


def test_a_price_path_that_follows_the_law_needs_the_laws_growth():
    # one yuan of orders a day, price = (cumulative volume)^(1 - m): the law's path exactly
    volume = np.arange(1, 801, dtype=float)
    paths = lawcheck.order_paths(daily(volume ** (1 - M)), [Target("1x", 1, 1 / (M * S), None)])
    first, second = paths.iloc[0], paths.iloc[1]
    # the day-1 order came after 1 yuan: it needs 181.66 -> the day cumulative volume is 182
    assert (first["day"], first["volume_before"], first["reached_0"]) == (1, 1, 181)
    assert first["growth_0"] == 182
    # the day-2 order came after 2 yuan: 363.3 -> 364, day 363
    assert (second["reached_0"], second["growth_0"]) == (363, 182)
    assert paths["growth_by_end"].iloc[0] == 800
    # orders after day 4 (800 / 181.66 = 4.4 yuan before them) never get there
    assert paths.loc[paths["reached_0"] >= 0, "day"].max() == 4
    assert paths.loc[paths["day"] >= 5, "growth_0"].isna().all()


def test_the_first_day_the_price_gets_there_counts_not_the_highest():
    ratio_two = Target("2x price", 2, 2.0, None)
    paths = lawcheck.order_paths(daily([1, 2, 1.5, 3, 2.5, 5]), [ratio_two])
    assert paths["day"].tolist() == [1, 2, 3, 4, 5]
    assert paths["reached_0"].tolist() == [1, 5, 3, -1, 5]  # day 4 needs 6: never
    assert paths["growth_0"].tolist()[:3] == pytest.approx([2 / 1, 6 / 2, 4 / 3])
    assert np.isnan(paths["growth_0"].iloc[3])
    assert paths["growth_0"].iloc[4] == pytest.approx(6 / 5)
    (row,) = lawcheck.table(paths.assign(replicate=0), [ratio_two])
    assert row["runs: share that got there"] == pytest.approx(4 / 5)
    assert row["runs: growth it took (median)"] == pytest.approx(np.median([2, 3, 4 / 3, 6 / 5]))
    assert row["law: share of order money that gets there by the end"] == 0  # law: never
    assert row["law: last day an order gets there"] is None
    assert row["runs: last day an order got there"] == 5


def test_days_without_orders_are_skipped_and_shares_weigh_money():
    ratio_two = Target("2x price", 2, 2.0, 4.0)
    paths = lawcheck.order_paths(
        daily([1, 1, 1, 2, 2], volumes=[0, 3, 0, 1, 4]), [ratio_two]
    ).assign(replicate=0)
    # day 0: nothing before it; day 1: nothing before it either; day 2: no order
    assert paths["day"].tolist() == [3, 4]
    assert paths["volume_before"].tolist() == [3, 4]
    # priced at day 2's close (1), day 3's order needs 2: day 3 itself; day 4's needs 4: never
    assert paths["reached_0"].tolist() == [3, -1]
    assert paths["growth_0"].iloc[0] == pytest.approx(4 / 3)
    (row,) = lawcheck.table(paths, [ratio_two])
    # the law's 4-fold growth: 8 / 3 and 8 / 4 by the end: neither day can get there
    assert row["law: share of order money that gets there by the end"] == 0
    assert row["runs: share that got there"] == pytest.approx(1 / 5)  # day 3's 1 of 5 yuan
    easy = Target("2x price", 2, 2.0, 2.0)  # a law of 2-fold growth: both days, just
    (row,) = lawcheck.table(paths, [easy])
    assert row["law: share of order money that gets there by the end"] == 1
    assert row["law: last day an order gets there"] == 4


def test_on_steady_orders_it_finds_the_day_the_exact_rules_do():
    """Step the rules (constant orders, nobody selling, as sim.analysis.breakeven does), close a
    'day' every 37 orders, and check the day-level reading against the exact first order at which
    each day's first buyer's points were worth 1x and 2x."""
    mech = Mechanics()
    per_day, days = 37, 2000
    contribution = rules.split_order(mech.order_amount, mech.split_table)[POOL]
    pool = points = 0
    price = mech.start_price_per_unit
    closes = []
    for _ in range(days):
        for _ in range(per_day):
            granted = rules.mint(contribution, price, mech.mint_ratio, None)
            pool, points = pool + contribution, points + granted
            price = rules.price(pool, points, price)
        closes.append(float(price))
    series = daily(closes, [per_day * mech.order_amount / 100] * days)
    wanted = [Target("1x", 1, 1 / (M * S), None), Target("2x", 2, 2 / (M * S), None)]
    paths = lawcheck.order_paths(series, wanted).set_index("day")
    check = [1, 2, 3, 5, 8]
    buyers = [d * per_day + 1 for d in check]  # the first order of each day
    exact = first_reached(mech, buyers, [1, 2], max_orders=days * per_day)
    compared = 0
    for day, buyer in zip(check, buyers, strict=True):
        for i, x in enumerate((1, 2)):
            n = exact[(buyer, x)]
            expected = -1 if n is None else (n - 1) // per_day
            assert paths.loc[day, f"reached_{i}"] == expected, (day, x)
            compared += n is not None
    assert compared >= 6  # 1x for every day checked, 2x for day 1 at least


def test_compare_keeps_each_replicate():
    one = daily([1, 2, 4, 8]).assign(replicate=0)
    two = daily([1, 1, 1, 1]).assign(replicate=1)
    wanted = [Target("2x price", 2, 2.0, None)]
    paths = lawcheck.compare(pd.concat([one, two]), wanted)
    assert paths.groupby("replicate")["reached_0"].apply(list).to_dict() == {
        0: [1, 2, 3],
        1: [-1, -1, -1],
    }
    (row,) = lawcheck.table(paths, wanted)
    assert row["runs: share that got there"] == pytest.approx(0.5)
    # the latest day an order got there, over the runs where one did
    assert row["runs: last day an order got there"] == 3


def test_sentences_say_whether_the_runs_followed_the_law():
    wanted = [Target("1x", 1, 1 / 0.21, 100.0)]

    def said(took: float) -> str:
        rows = [
            {
                "points worth": "1x",
                "law: growth needed": 100.0,
                "runs: growth it took (median)": took,
                "runs: share that got there": 0.004,
                "law: share of order money that gets there by the end": 0.0004,
            }
        ]
        return lawcheck.sentence("demo", rows, 0.7)

    assert "median 98-fold growth" in said(98) and "within 5% of it" in said(98)
    assert "rose faster" in said(50) and "0.4% of the order money" in said(50)
    assert "under 0.1%" in said(50)
    assert "rose slower" in said(300)
    assert lawcheck.sentence("demo", [], 0.7) == "demo: orders mint no points."
    assert wanted[0].price_ratio == pytest.approx(4.7619, rel=1e-4)
