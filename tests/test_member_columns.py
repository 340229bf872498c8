"""Members held as columns (sim.model.columns), one row each and read as views on demand
that agree with the members table, and their wake-ups in flat arrays (sim.model.calendar):
no Python object per member."""

from __future__ import annotations

import numpy as np
import pytest

from sim.distribution.network import ReferralNetwork
from sim.model.calendar import Calendar
from sim.model.columns import COLUMNS, KINDS, MemberColumns, Members
from sim.model.compiled_book import KnownIds
from sim.model.mesa_model import SchemeModel
from sim.scenario.root import load_scenario
from tests.conftest import SCENARIOS, member_rows, run_model
from tests.test_scenario import error_for, write


def test_a_run_keeps_its_members_in_columns_and_its_views_agree_with_the_table():
    scenario = load_scenario(SCENARIOS / "legacy-debts.yaml")
    model = run_model(scenario, days=45)
    rows = member_rows(model)
    face = SchemeModel(scenario, days=45)  # the same run as a mesa.Model
    face.run_model()
    assert len(face.agents) == 0  # no Mesa agent, no Python object per member
    assert face.joined == model.joined and face.day_rows == model.day_rows
    face.close()
    assert len(model.members) == len(rows) == model.joined == len(model.columns)
    for row in rows:
        view = model.members[row["member"]]
        assert (view.unique_id, view.kind, view.join_day) == (
            row["member"],
            row["type"],
            row["join_day"],
        )
        assert (view.sponsor, view.exit_day, view.break_even_day) == (
            row["sponsor"],
            row["exit_day"],
            row["break_even_day"],
        )
    kinds = {model.members[i].kind for i in model.members}
    assert kinds == {"consumer", "referrer", "panic_seller", "legacy"}
    # old members under the seeds' reading sell out at 1x their claims; referrers recruit
    legacy = [v for v in model.members.values() if v.kind == "legacy"]
    assert legacy and all(v.target == 1 for v in legacy)
    referrers = [v for v in model.members.values() if v.kind == "referrer"]
    assert all(0 <= v.recruited <= v.reach for v in referrers)
    assert any(v.recruited for v in referrers)


def test_the_mapping_knows_exactly_the_ids_it_holds():
    columns, network = MemberColumns(), ReferralNetwork()
    members = Members(columns, network)
    assert len(members) == 0 and list(members) == [] and 1 not in members
    first = columns.add(KINDS.index("referrer"), 3)
    second = columns.add(KINDS.index("consumer"), 4)
    network.add(first)
    network.add(second, first)
    assert (first, second) == (1, 2) and list(members) == [1, 2]
    assert members[2].sponsor == 1 and members[1].sponsor is None
    assert members[2].even is None and members[2].target is None
    columns.target[1] = 2_500_000
    assert members[2].target == 2.5
    for missing in (0, 3, -1, "1"):
        with pytest.raises(KeyError):
            members[missing]
    assert members.get(3) is None
    # a row is a few machine integers: 38 bytes, against ~470 for a Mesa agent and its
    # registration (ENGINE.md); the sponsor is the network's
    assert sum(getattr(columns, name).itemsize for name in COLUMNS) == 26


def test_the_calendar_wakes_members_in_the_order_made_and_reuses_its_entries():
    calendar = Calendar(5)
    calendar.add(3, 7, "order")
    calendar.add(1, 8, "recruit")
    calendar.add(3, 9, "recruit")
    calendar.add(3, 7, "order")  # a member may be due twice the same day
    assert calendar.pop(0) == [] and calendar.pending() == 4
    assert calendar.pop(1) == [(8, "recruit")]
    assert calendar.pop(3) == [(7, "order"), (9, "recruit"), (7, "order")]
    assert calendar.pop(3) == [] and calendar.pending() == 0
    made = calendar.entries
    for _ in range(3):  # freed entries serve again: no growth
        for member in range(made):
            calendar.add(4, member, "order")
        assert calendar.pop(4) == [(m, "order") for m in range(made)]
    assert calendar.entries == made
    for member in (1, 2, 3, 4):
        calendar.add(4, member, "order")
    calendar.add(2, 5, "recruit")
    for member in range(made):  # more than the entries made: they grow by a quarter or so
        calendar.add(0, member, "order")
    assert made + 5 <= calendar.entries <= 1.25 * (made + 5) and calendar.pending() == made + 5
    assert calendar.pop(4) == [(m, "order") for m in (1, 2, 3, 4)]
    assert calendar.pop(2) == [(5, "recruit")] and calendar.pop(9) == []


def test_the_fast_books_known_members_are_flags_not_a_set():
    known = KnownIds(4)
    known.update([3, 1, 3])  # a buyer may appear twice in a day
    known.update(np.array([3, 4], np.int64))
    assert len(known) == 3 and list(known) == [1, 3, 4]
    assert 3 in known and 2 not in known and 0 not in known and 9 not in known
    assert "3" not in known
    known.grow(16)
    known.update([16])
    assert list(known) == [1, 3, 4, 16] and len(known) == 4
    ids = np.array([0, 1, 2, 16, 17], np.int64)
    assert known.among(ids).tolist() == [False, True, False, True, False]


def test_compiled_wake_ups_link_as_the_calendar_does():
    """add_entry, on reserved entries, gives the days the same wake-ups in the same order as
    Calendar.add; the reserve is exactly what was asked."""
    from sim.model.calendar import add_entry

    rng = np.random.default_rng(3)
    plan = [(int(rng.integers(0, 6)), int(rng.integers(1, 50))) for _ in range(40)]
    python, compiled = Calendar(6), Calendar(6)
    compiled.add(2, 99, "recruit")  # entries of both kinds, old and new
    python.add(2, 99, "recruit")
    compiled.reserve(len(plan))
    assert compiled.pending() == 1
    free = compiled._free
    for day, member in plan:
        python.add(day, member, "order")
        free = add_entry(*compiled.arrays(), free, day, member, 0)
    compiled.used(free, len(plan))
    assert compiled.pending() == python.pending() == len(plan) + 1
    for day in range(6):
        assert compiled.pop(day) == python.pop(day)
    compiled.add(5, 1, "order")
    assert compiled.pop(5) == [(1, "order")]


@pytest.mark.parametrize(
    ("section", "key", "message"),
    [
        (
            "  consumer:\n    sell_target: {low: 2, high: 1000.5}\n",
            "population.consumer.sell_target.high",
            "expected a multiple of spend of at most 1,000, got 1000.5",
        ),
        (
            "  referrer: {reach: 10000001}\n",
            "population.referrer.reach",
            "expected at most 10,000,000 (the members one run holds), got 1e+07",
        ),
    ],
)
def test_a_target_or_reach_beyond_its_32_bit_column_is_refused(tmp_path, section, key, message):
    """The members' columns hold sell targets in millionths and reaches in 32 bits: a target
    above 1000x the spend (never reached) or a reach above a run's members (never used up) is
    refused where it is read."""
    text = "name: t\norder:\n  split: {distribution: 0.7, pool: 0.3}\npopulation:\n" + section
    error = error_for(write(tmp_path, text))
    assert (error.key, error.message) == (key, message)
    ok = text.replace("1000.5", "1000").replace("10000001", "10000000")
    assert load_scenario(write(tmp_path, ok, "ok.yaml")).population is not None
