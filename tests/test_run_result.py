"""The run boundary: ``simulate`` returns exact values, and the files are those values
turned into yuan once; the model's day is made of objects that each keep one thing."""

from __future__ import annotations

import json
from fractions import Fraction
from types import SimpleNamespace

import pandas as pd
import pyarrow.parquet as pq
from hypothesis import given
from hypothesis import strategies as st

from sim.batch.run import simulate, write_outputs
from sim.core.mechanics import PARTS_CACHED, Mechanics
from sim.core.rules import split_order
from sim.model.break_even import BreakEvenCount
from sim.model.columns import CONSUMER, MemberColumns, Members
from sim.model.daily import KINDS, kind
from sim.model.sell_targets import SellTargets
from sim.scenario.root import load_scenario
from tests.conftest import SCENARIOS


def test_a_result_is_exact_and_its_files_are_the_same_values_in_yuan(tmp_path):
    result = simulate(load_scenario(SCENARIOS / "withdrawal-cap-queue.yaml"), days=40)
    first = result.rows[0]
    assert isinstance(first["price"], Fraction)
    money = [name for name in first if kind(name) is not None]
    assert all(isinstance(first[name], int) for name in money if KINDS.get(name) != "price")
    assert result.members["spent"].dtype == "int64"
    assert int(result.members["spent"].sum()) == result.model.book.ledger.entered_by["orders"]
    files = write_outputs(result, tmp_path)
    assert files == ["members.parquet", "summary.json", "timeseries.parquet"]
    series = pd.read_parquet(tmp_path / "timeseries.parquet")
    pd.testing.assert_frame_equal(series, result.timeseries())
    assert series["pool"].iloc[-1] == result.rows[-1]["pool"] / 100
    members = pq.read_table(tmp_path / "members.parquet")
    assert members.equals(result.members_output())
    assert members.column("spent").to_pylist() == [s / 100 for s in result.members["spent"]]
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary == json.loads(json.dumps(result.summary))


@given(st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=40))
def test_an_order_is_split_once_per_amount_and_as_the_rule_says(amounts):
    mechanics = Mechanics()
    for amount in amounts:
        parts = mechanics.parts(amount)
        assert parts == split_order(amount, mechanics.split_table)
        assert mechanics.parts(amount) is parts  # worked out once, then read
    assert len(mechanics._parts) == len(set(amounts))


def test_the_split_cache_is_bounded():
    mechanics = Mechanics()
    for amount in range(1, PARTS_CACHED + 100):
        mechanics.parts(amount)
    assert len(mechanics._parts) == PARTS_CACHED
    assert mechanics.parts(PARTS_CACHED + 50) == split_order(
        PARTS_CACHED + 50, mechanics.split_table
    )


def test_the_break_even_count_follows_each_member_once():
    count, columns = BreakEvenCount(), MemberColumns()
    member = columns.add(CONSUMER, 0)
    view = Members(columns, None)[member]
    count.settle(columns, member, 0, 0, day=0)  # never spent: not counted
    assert (count.bought, count.losing, view.even) == (0, 0, None)
    count.settle(columns, member, 100_000, 0, day=1)
    assert (count.bought, count.losing, view.even) == (1, 1, False)
    count.settle(columns, member, 100_000, 100_000, day=5)  # back at 1x exactly: even
    assert (count.bought, count.losing, view.break_even_day) == (1, 0, 5)
    count.settle(columns, member, 200_000, 100_000, day=9)  # bought again: below, day kept
    assert (count.bought, count.losing, view.break_even_day) == (1, 1, 5)


def test_sell_targets_sell_only_when_the_exact_price_reaches_them():
    targets = SellTargets(capacity=4)  # grows as members come
    # member 7 holds 100 units bought for 100 fen and sells at 2x: at 2 fen per unit
    targets.file(7, 2_000_000, held=100, spent_entry=100, version=3)
    record = SimpleNamespace(version=3, held=100, spent_entry=100)
    records = {7: record}
    assert targets.due(Fraction(199, 100), records, lambda m: Fraction(2)) == []
    assert len(targets) == 1  # not yet: kept
    due = targets.due(Fraction(2), records, lambda m: Fraction(2))
    assert [(i.member, i.action) for i in due] == [(7, "sell")] and len(targets) == 0
    # re-keyed in place: one node a member, whatever the number of changes
    targets.file(7, 2_000_000, held=100, spent_entry=100, version=4)
    targets.file(7, 2_000_000, held=100, spent_entry=300, version=5)  # bought: now at 6
    assert len(targets) == 1
    record.spent_entry, record.version = 300, 5
    assert targets.due(Fraction(5), records, lambda m: Fraction(2)) == []
    targets.remove(7)  # sold everything: nothing to watch
    assert len(targets) == 0 and targets.due(Fraction(9), records, lambda m: Fraction(2)) == []


def test_sell_targets_come_due_by_price_then_member_and_twice_when_filed_twice():
    targets = SellTargets(capacity=2)
    for member, spent in ((9, 100), (8, 100), (3, 300), (5, 50)):  # triggers 2, 2, 6, 1
        targets.file(member, 2_000_000, held=100, spent_entry=spent, version=1)
    targets.file(5, 2_000_000, held=100, spent_entry=50, version=1)  # two events, one day
    records = {m: SimpleNamespace(held=100, spent_entry=s) for m, s in targets_spent().items()}
    due = targets.due(Fraction(2), records, lambda m: Fraction(2))
    assert [i.member for i in due] == [5, 5, 8, 9]  # the second sale of 5 finds nothing
    assert len(targets) == 1  # member 3, at 6
    due = targets.due(Fraction(6), records, lambda m: Fraction(2))
    assert [i.member for i in due] == [3] and len(targets) == 0


def targets_spent() -> dict[int, int]:
    return {9: 100, 8: 100, 3: 300, 5: 50}
