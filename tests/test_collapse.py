"""Collapse conditions on scripted time series: each fires on the hand-computed day, and
stays silent just on the other side of its threshold."""

from __future__ import annotations

import pandas as pd

from sim.analysis import collapse
from sim.analysis.collapse import detect
from sim.batch.columns import METRICS
from sim.scenario.root import Scenario, load_scenario
from sim.scenario.sections import COLLAPSE_CONDITIONS, CollapseSection
from tests.conftest import SCENARIOS, run_model

QUIET = {
    "halted": False,
    "unpaid_claims": 0.0,
    "withdrawals": 0.0,
    "withdrawal_queue": 0.0,
    "pool": 1000.0,
    "order_volume": 1000.0,
    "members_losing": 0,
    "members_total": 10,
}
MONEY = ("unpaid_claims", "withdrawals", "withdrawal_queue", "pool", "order_volume")


def series(**columns: list) -> list[dict]:
    """Exact daily rows, as the model keeps them: the given columns (money written here in
    yuan, turned into fen), a quiet platform for the rest."""
    days = len(next(iter(columns.values())))
    rows = [
        {"day": day, **QUIET, **{name: values[day] for name, values in columns.items()}}
        for day in range(days)
    ]
    return [{k: round(v * 100) if k in MONEY else v for k, v in row.items()} for row in rows]


def spec(**sections: dict) -> CollapseSection:
    return CollapseSection.model_validate(sections)


def first_day(condition: str, rows: list[dict], **settings) -> int | None:
    section = getattr(spec(**{condition: settings}), condition)
    return collapse.FIRST_DAY[condition](rows, section)


# --- each condition, both sides of its threshold ----------------------------------------


def test_operator_halt_fires_on_the_first_halted_day() -> None:
    assert first_day("operator_halt", series(halted=[False, False, True, True])) == 2
    assert first_day("operator_halt", series(halted=[False] * 4)) is None


def test_unpaid_claims_must_be_outstanding_for_the_period() -> None:
    claims = [0, 0, 0, 5.0, 5.0, 5.0]  # unpaid from day 3: the 3rd day in a row is day 5
    assert first_day("unpaid_withdrawals", series(unpaid_claims=claims), days=3) == 5
    assert first_day("unpaid_withdrawals", series(unpaid_claims=claims), days=4) is None
    broken = [0, 5.0, 5.0, 0, 5.0, 5.0]  # two spells of 2 days do not make 3
    assert first_day("unpaid_withdrawals", series(unpaid_claims=broken), days=3) is None


def test_a_withdrawal_queue_above_its_share_of_the_pool() -> None:
    # 10% of a pool of 1000 is 100: a queue of exactly 100 is not above it, 100.01 is
    at = series(withdrawal_queue=[0.0, 100.0, 100.0], pool=[1000.0] * 3)
    above = series(withdrawal_queue=[0.0, 100.0, 100.01], pool=[1000.0] * 3)
    assert first_day("unpaid_withdrawals", at, queue_share_of_pool=0.1) is None
    assert first_day("unpaid_withdrawals", above, queue_share_of_pool=0.1) == 2
    empty = series(withdrawal_queue=[0.0, 1.0], pool=[0.0, 0.0])  # nothing to pay it from
    assert first_day("unpaid_withdrawals", empty) == 1


def test_the_wait_of_the_oldest_withdrawal_request() -> None:
    # day 0: 100 asked, 50 paid; day 1: 50 paid (day 0's rest), 30 more asked and waiting;
    # then nothing is paid: day 1's request waits 1, 2, 3 days; day 5 pays it
    rows = series(
        withdrawals=[50.0, 50.0, 0.0, 0.0, 0.0, 30.0],
        withdrawal_queue=[50.0, 30.0, 30.0, 30.0, 30.0, 0.0],
    )
    assert collapse.request_waits(rows) == [0, 0, 1, 2, 3, None]
    assert first_day("unpaid_withdrawals", rows, request_wait_days=3) == 4
    assert first_day("unpaid_withdrawals", rows, request_wait_days=4) is None
    assert first_day("unpaid_withdrawals", rows) is None  # not tested unless set
    partly = series(withdrawals=[10.0, 10.0, 10.0], withdrawal_queue=[20.0, 10.0, 0.0])
    assert collapse.request_waits(partly) == [0, 1, None]  # day 0's 30 paid 10 a day


def test_pool_drawdown_against_the_running_peak() -> None:
    pools = [100.0, 200.0, 150.0, 100.0, 99.99]  # peak 200 on day 1: half of it is 100
    assert first_day("pool_drawdown", series(pool=pools), share_of_peak=0.5) == 4
    assert first_day("pool_drawdown", series(pool=pools[:4]), share_of_peak=0.5) is None
    assert first_day("pool_drawdown", series(pool=pools), share_of_peak=0.4) is None


def test_inflow_stall_counts_days_in_a_row_after_the_peak() -> None:
    # peak 1000 on day 2; 10% of it is 100: 100 is not below, 99 is
    volume = [0.0, 0.0, 1000.0, 100.0, 99.0, 99.0, 99.0, 100.0, 99.0, 99.0]
    assert first_day("inflow_stall", series(order_volume=volume), share_of_peak=0.1, days=3) == 6
    assert first_day("inflow_stall", series(order_volume=volume), share_of_peak=0.1, days=4) is None
    assert first_day("inflow_stall", series(order_volume=volume), share_of_peak=0.1, days=2) == 5


def test_a_subsidy_day_does_not_set_the_peak_of_new_money() -> None:
    rows = series(
        order_volume=[1000.0] * 6, inflow=[1000.0, 50_000.0, 1000.0, 1000.0, 1000.0, 1000.0]
    )
    assert first_day("inflow_stall", rows, share_of_peak=0.1, days=2) is None


def test_inflow_stall_ignores_the_days_before_any_inflow() -> None:
    assert first_day("inflow_stall", series(order_volume=[0.0, 0.0, 0.0, 500.0]), days=2) is None
    assert first_day("inflow_stall", series(order_volume=[500.0, 0.0, 0.0, 0.0]), days=2) == 2


def test_loss_majority_is_a_share_of_the_buyers() -> None:
    losing = [5, 6]  # of 10: 50% is not above half, 60% is
    assert first_day("loss_majority", series(members_losing=losing), share=0.5) == 1
    assert first_day("loss_majority", series(members_losing=losing), share=0.6) is None
    # the buyers are members_bought when the series has it (legacy members never buy)
    rows = series(members_losing=[6, 6], members_total=[20, 20], members_bought=[20, 10])
    assert first_day("loss_majority", rows, share=0.5) == 1
    assert first_day("loss_majority", series(members_losing=[0], members_total=[0])) is None


# --- the verdict --------------------------------------------------------------------------


def scripted() -> list[dict]:
    """A loss majority on day 0, the pool halving on day 3, a halt on day 3, an inflow stall
    from day 4 on (3 days: day 6)."""
    return series(
        members_losing=[9, 9, 9, 9, 9, 9, 9],
        pool=[1000.0, 2000.0, 1500.0, 900.0, 900.0, 900.0, 900.0],
        halted=[False, False, False, True, True, True, True],
        order_volume=[1000.0, 1000.0, 1000.0, 1000.0, 0.0, 0.0, 0.0],
    )


def test_every_first_day_is_reported_and_ties_follow_the_fixed_order() -> None:
    found = detect(scripted(), spec(inflow_stall={"days": 3}))
    assert dict(found.first_days) == {
        "operator_halt": 3,
        "unpaid_withdrawals": None,
        "pool_drawdown": 3,
        "inflow_stall": 6,
        "loss_majority": 0,  # reported, but off by default
    }
    assert (found.collapsed, found.day, found.condition) == (True, 3, "operator_halt")


def test_switched_off_conditions_do_not_collapse_a_run() -> None:
    rows = scripted()
    found = detect(rows, spec(operator_halt={"enabled": False}, inflow_stall={"days": 3}))
    assert (found.day, found.condition) == (3, "pool_drawdown")
    only_stall = spec(operator_halt={"enabled": False}, pool_drawdown={"enabled": False})
    assert detect(rows, only_stall).collapsed is False  # the stall lasts 3 days, not 30
    found = detect(rows, spec(loss_majority={"enabled": True}))
    assert (found.day, found.condition) == (0, "loss_majority")
    nothing = {name: {"enabled": False} for name in COLLAPSE_CONDITIONS}
    found = detect(rows, spec(**nothing))
    assert (found.collapsed, found.day, found.condition) == (False, None, None)
    assert dict(found.first_days)["loss_majority"] == 0


def test_a_data_frame_gives_the_same_verdict_and_flat_metrics() -> None:
    rows = scripted()
    settings = spec(inflow_stall={"days": 3})
    found = detect(pd.DataFrame(rows), settings)
    assert found == detect(rows, settings)
    assert found.metrics() == {
        "collapsed": True,
        "collapse_day": 3,
        "collapse_condition": "operator_halt",
        "operator_halt_day": 3,
        "unpaid_withdrawals_day": None,
        "pool_drawdown_day": 3,
        "inflow_stall_day": 6,
        "loss_majority_day": 0,
    }
    days = [
        found.metrics()[f"{name}_day"] for name in ("collapse", "operator_halt", "inflow_stall")
    ]
    assert all(type(day) is int for day in days)  # not numpy integers: they go to JSON
    assert set(found.metrics()) <= {name for name, _ in METRICS}


# --- a shipped scenario -------------------------------------------------------------------


def test_the_halt_scenario_collapses_by_operator_halt_on_its_halt_day() -> None:
    halt_day = 25
    data = load_scenario(SCENARIOS / "halt.yaml").model_dump()
    data["stress"]["halt_day"] = halt_day
    model = run_model(Scenario.from_dict(data), days=40)
    found = detect(model.day_rows, model.scenario.collapse)
    assert (found.collapsed, found.day, found.condition) == (True, halt_day, "operator_halt")
    rows = model.day_rows
    assert rows[halt_day]["halted"] and not rows[halt_day - 1]["halted"]
    assert dict(found.first_days)["inflow_stall"] is None  # 15 days of no inflow, not 30
