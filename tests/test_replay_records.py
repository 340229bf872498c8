"""The richer event log: joins with sponsors, bonuses the records say were paid, withdrawals
(paid and queued), fees; CSV and Parquet; each bad row refused with its line. Hand-built logs
under seed-generic-3x (each 1000-yuan order puts 300 in the distribution line)."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import SCENARIOS
from tests.test_bad_input import assert_nothing_written, assert_refused

HEADER = ("day", "member", "action", "amount", "sponsor", "source_member", "kind")
SCENARIO = SCENARIOS / "seed-generic-3x.yaml"

# A recruits B, B recruits C; the records pay A and B bonuses on B's and C's orders, C buys a
# region, A withdraws, B asks for 30 and is paid 10 of it.
PLATFORM = [
    (0, "A", "join", "", "", "", ""),
    (0, "B", "join", "", "A", "", ""),
    (0, "A", "buy", "1000", "", "", ""),
    (1, "B", "buy", "1000", "", "", ""),
    (1, "A", "bonus", "30", "", "B", "direct"),
    (2, "C", "join", "", "B", "", ""),
    (2, "C", "fee", "500", "", "", "region"),
    (2, "C", "buy", "1000", "", "", ""),
    (3, "A", "bonus", "20", "", "C", "indirect"),
    (3, "B", "bonus", "30", "", "C", "direct"),
    (4, "A", "withdraw", "50", "", "", ""),
    (5, "B", "withdraw", "30", "", "", "requested"),
    (6, "B", "withdraw", "10", "", "", "paid"),
]


def _csv(path, rows, header=HEADER):
    lines = [",".join(header), *(",".join(map(str, row)) for row in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _replay(cli, tmp_path, rows, name="events.csv", out="out"):
    log = _csv(tmp_path / name, rows)
    folder = tmp_path / out
    result = cli("replay", log, "--scenario", SCENARIO, "--out", folder)
    assert result.code == 0, result.err
    tables = {
        n: pq.read_table(folder / f"{n}.parquet").to_pandas()
        for n in ("trace", "members", "ledger")
    }
    return tables, result


def test_the_tree_bonuses_withdrawals_and_fees_by_member(cli, tmp_path):
    tables, _ = _replay(cli, tmp_path, PLATFORM)
    members = tables["members"].set_index("member")
    assert list(members.index) == ["A", "B", "C"]
    assert members.sponsor.fillna("-").to_dict() == {"A": "-", "B": "A", "C": "B"}
    assert members.first_day.to_dict() == {"A": 0, "B": 0, "C": 2}
    assert members.bonuses.to_dict() == {"A": 50.0, "B": 30.0, "C": 0.0}
    assert members.withdrawn.to_dict() == {"A": 50.0, "B": 10.0, "C": 0.0}
    assert members.cash_balance.to_dict() == {"A": 0.0, "B": 20.0, "C": 0.0}
    assert members.requested.to_dict() == {"A": 0.0, "B": 20.0, "C": 0.0}
    assert members.fees.to_dict() == {"A": 0.0, "B": 0.0, "C": 500.0}
    assert members.spent.to_dict() == {"A": 1000.0, "B": 1000.0, "C": 1000.0}


def test_every_fen_is_in_one_account(cli, tmp_path):
    tables, result = _replay(cli, tmp_path, PLATFORM)
    ledger = tables["ledger"].set_index("account").balance
    assert ledger.to_dict() == {
        "product_cost": 900.0,
        "distribution": 820.0,  # 900 from three orders less 80 of bonuses
        "platform": 300.0,
        "pool": 900.0,
        "member_cash": 20.0,  # 80 of bonuses less 60 withdrawn
        "withdrawn": 60.0,
        "region_fees": 500.0,
    }
    assert ledger.sum() == 3500.0  # three orders and one fee entered
    assert ledger["member_cash"] == tables["members"].cash_balance.sum()
    assert "3,500.00 yuan entered" in result.out
    assert "3 joins (1 members with no sponsor); bonuses 80.00 yuan" in result.out


def test_record_rows_in_the_trace(cli, tmp_path):
    trace = _replay(cli, tmp_path, PLATFORM)[0]["trace"]
    assert list(trace.action) == [row[2] for row in PLATFORM]  # no forced exit in this log
    bonus = trace.iloc[4]
    assert (bonus.member, bonus.amount, bonus.cash_delta, bonus.kind, bonus.other_member) == (
        "A",
        30.0,
        30.0,
        "direct",
        "B",
    )
    assert trace.iloc[1].other_member == "A" and pd_isnull(trace.iloc[1].amount)
    assert list(trace.cash_delta[10:]) == [-50.0, 0.0, -10.0]  # a request moves no money
    assert list(trace.kind[10:]) == ["paid", "requested", "paid"]
    assert trace.iloc[6].kind == "region" and trace.iloc[6].points_delta == 0


def pd_isnull(value) -> bool:
    return value is None or value != value


def test_a_bonus_beyond_the_line_enters_as_unfunded(cli, tmp_path):
    rows = [(0, "A", "buy", "1000", "", "", ""), (0, "B", "bonus", "350", "", "A", "direct")]
    tables, result = _replay(cli, tmp_path, rows)
    ledger = tables["ledger"].set_index("account").balance
    assert ledger["distribution"] == 0.0 and ledger["member_cash"] == 350.0
    assert ledger.sum() == 1050.0  # 1000 of the order, 50 from outside the orders
    assert "(50.00 beyond the 'distribution' line)" in result.out
    members = tables["members"].set_index("member")
    assert members.loc["B", "status"] == "never_bought" and members.loc["B", "bonuses"] == 350.0


def test_a_parquet_log_gives_the_same_files_as_its_csv(cli, tmp_path):
    _replay(cli, tmp_path, PLATFORM)
    columns = list(zip(*PLATFORM, strict=True))
    table = pa.table(
        {
            "day": pa.array(columns[0], pa.int64()),
            "member": pa.array(columns[1]),
            "action": pa.array(columns[2]),
            "amount": pa.array([float(a) if a else None for a in columns[3]], pa.float64()),
            "sponsor": pa.array([s or None for s in columns[4]]),
            "source_member": pa.array([s or None for s in columns[5]]),
            "kind": pa.array([k or None for k in columns[6]]),
        }
    )
    pq.write_table(table, tmp_path / "events.parquet")
    result = cli(
        "replay", tmp_path / "events.parquet", "--scenario", SCENARIO, "--out", tmp_path / "pq"
    )
    assert result.code == 0, result.err
    for name in ("trace", "members", "ledger"):
        assert (tmp_path / "pq" / f"{name}.parquet").read_bytes() == (
            tmp_path / "out" / f"{name}.parquet"
        ).read_bytes()


BAD_ROWS = {
    "sponsor who never joined": (
        [(0, "B", "join", "", "Z", "", "")],
        ["events.csv:2", "sponsor: sponsor Z has not joined"],
    ),
    "own sponsor": ([(0, "A", "join", "", "A", "", "")], ["events.csv:2", "sponsor cycle"]),
    "joins twice": (
        [(0, "A", "join", "", "", "", ""), (1, "A", "join", "", "", "", "")],
        ["events.csv:3", "member A joins twice (they joined on line 2)"],
    ),
    "joins twice after an order": (
        [
            (0, "A", "buy", "10", "", "", ""),
            (1, "A", "join", "", "", "", ""),  # no sponsor, as on the order: accepted
            (2, "A", "join", "", "", "", ""),
        ],
        ["events.csv:4", "member A joins twice (they joined on line 3)"],
    ),
    "join after the first order with a sponsor": (
        [
            (0, "A", "join", "", "", "", ""),
            (0, "B", "buy", "10", "", "", ""),
            (1, "B", "join", "", "A", "", ""),
        ],
        ["events.csv:4", "first appeared on line 3 with no sponsor"],
    ),
    "withdrawal with no balance": (
        [(0, "A", "buy", "1000", "", "", ""), (1, "A", "withdraw", "10", "", "", "")],
        ["events.csv:3", "withdraws 10.00 yuan but has 0.00 yuan in cash"],
    ),
    "request beyond the balance": (
        [(0, "A", "withdraw", "10", "", "", "requested")],
        ["events.csv:2", "asks to withdraw 10.00 yuan but has 0.00"],
    ),
    "negative fee": ([(0, "A", "fee", "-5", "", "", "region")], ["events.csv:2", "amount", ">= 0"]),
    "non-numeric bonus": (
        [(0, "A", "bonus", "lots", "", "", "direct")],
        ["events.csv:2", "amount", "expected an amount in yuan as decimal text"],
    ),
    "unknown bonus kind": (
        [(0, "A", "bonus", "5", "", "", "dirct")],
        ["events.csv:2", "kind", "unknown bonus kind 'dirct'", "did you mean 'direct'"],
    ),
    "kind on a buy": (
        [(0, "A", "buy", "5", "", "", "direct")],
        ["events.csv:2", "a kind is given only on bonus, fee and withdraw rows"],
    ),
    "sponsor on a buy": (
        [(0, "A", "join", "", "", "", ""), (0, "B", "buy", "5", "A", "", "")],
        ["events.csv:3", "a sponsor is given only on join rows"],
    ),
    "amount on a join": (
        [(0, "A", "join", "5", "", "", "")],
        ["events.csv:2", "a join carries no amount"],
    ),
    "bonus from a member never seen": (
        [(0, "A", "bonus", "5", "", "Q", "direct")],
        ["events.csv:2", "source member Q has not appeared"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_bad_rows_are_refused_with_their_line(cli, tmp_path, case):
    rows, fragments = BAD_ROWS[case]
    log = _csv(tmp_path / "events.csv", rows)
    out = tmp_path / "out"
    assert_refused(cli("replay", log, "--scenario", SCENARIO, "--out", out), *fragments)
    assert_nothing_written(tmp_path, out)


def test_a_bad_parquet_row_names_its_line(cli, tmp_path):
    table = pa.table(
        {"day": [0, 1], "member": ["A", "A"], "action": ["buy", "sel"], "amount": [10.0, 1.0]}
    )
    pq.write_table(table, tmp_path / "events.parquet")
    out = tmp_path / "out"
    result = cli("replay", tmp_path / "events.parquet", "--scenario", SCENARIO, "--out", out)
    assert_refused(result, "events.parquet:3", "unknown action 'sel'")
    assert not out.exists()


def test_a_file_that_is_not_parquet_is_refused(cli, tmp_path):
    (tmp_path / "events.parquet").write_text("day,member,action,amount\n0,A,buy,10\n")
    out = tmp_path / "out"
    result = cli("replay", tmp_path / "events.parquet", "--scenario", SCENARIO, "--out", out)
    assert_refused(result, "events.parquet", "not a readable Parquet file")


RULED = SCENARIOS / "seed-generic-3x-assumed-referral.yaml"  # direct 3%, indirect 2%


def _checked(cli, tmp_path, rows):
    log = _csv(tmp_path / "events.csv", rows)
    out = tmp_path / "out"
    result = cli("replay", log, "--scenario", RULED, "--out", out)
    assert result.code == 0, result.err
    return pq.read_table(out / "bonus_check.parquet").to_pylist(), result


def test_records_that_follow_the_rule_are_all_due(cli, tmp_path):
    # B's order owes A 30 (direct); C's owes B 30 (direct) and A 20 (indirect): as recorded
    rows, result = _checked(cli, tmp_path, PLATFORM)
    assert rows == [
        {"member": "A", "kind": "direct", "paid": 30.0, "due": 30.0, "difference": 0.0},
        {"member": "A", "kind": "indirect", "paid": 20.0, "due": 20.0, "difference": 0.0},
        {"member": "B", "kind": "direct", "paid": 30.0, "due": 30.0, "difference": 0.0},
    ]
    assert "records paid 80.00 yuan of bonuses, the published rules make 80.00 due" in result.out
    assert "every member was paid exactly what the rules make due" in result.out


def test_paying_more_or_less_than_the_rule_is_a_finding(cli, tmp_path):
    rows = [row for row in PLATFORM if row[2] != "withdraw"]
    rows = [r for r in rows if not (r[1] == "A" and r[6] == "indirect")]  # A shorted 20
    rows = [(*r[:3], "40", *r[4:]) if (r[1], r[6]) == ("B", "direct") else r for r in rows]
    rows.append((7, "A", "bonus", "15", "", "C", "differential"))  # no such rule
    check, result = _checked(cli, tmp_path, rows)
    assert [(r["member"], r["kind"], r["difference"]) for r in check] == [
        ("A", "direct", 0.0),
        ("A", "indirect", -20.0),
        ("A", "differential", 15.0),
        ("B", "direct", 10.0),
    ]
    assert (
        "FINDING: 2 members paid 25.00 more than the rules allow, 1 paid 20.00 less" in result.out
    )


def test_no_check_without_a_published_rule(cli, tmp_path):
    _replay(cli, tmp_path, PLATFORM)  # seed-generic-3x: the 300 line has no rule given
    assert not (tmp_path / "out" / "bonus_check.parquet").exists()


def test_net_investment_outcomes_and_the_clawback_pool(cli, tmp_path):
    # 767 orders of 1000 (seed 003's table: the price reaches 9.52), then members 1 and 2
    # sell everything and withdraw 1500 and 1100: net winners by 500 and 100
    rows = [(0, i, "buy", "1000", "", "", "") for i in range(1, 768)]
    rows += [(1, 1, "sell", "all", "", "", ""), (1, 2, "sell", "all", "", "", "")]
    rows += [(2, 1, "withdraw", "1500", "", "", ""), (2, 2, "withdraw", "1100", "", "", "")]
    rows += [(2, "X", "join", "", "3", "", "")]  # joined, paid nothing: not involved
    log = _csv(tmp_path / "events.csv", rows)
    out = tmp_path / "out"
    result = cli("replay", log, "--scenario", SCENARIOS / "seed-generic-nocap.yaml", "--out", out)
    assert result.code == 0, result.err
    members = pq.read_table(out / "members.parquet").to_pandas().set_index("member")
    assert members.loc["1", ["paid_in", "paid_out", "net_investment"]].to_list() == [
        1000.0,
        1500.0,
        -500.0,
    ]
    assert members.outcome.value_counts().to_dict() == {
        "net_loser": 765,
        "net_winner": 2,
        "none": 1,
    }
    assert (members.paid_in - members.paid_out == members.net_investment).all()
    clawback = pq.read_table(out / "clawback.parquet").to_pylist()
    assert [(r["rank"], r["member"], r["net_winnings"]) for r in clawback] == [
        (1, "1", 500.0),
        (2, "2", 100.0),
    ]
    assert clawback[0]["share_of_pool"] == pytest.approx(5 / 6)
    assert clawback[1]["cumulative_share"] == 1.0
    assert "2 net winners withdrew 600.00 yuan more than they paid in" in result.out
    assert "765 net losers are 765,000.00 yuan short" in result.out


def test_fees_count_as_paid_in(cli, tmp_path):
    members = _replay(cli, tmp_path, PLATFORM)[0]["members"].set_index("member")
    assert members.paid_in.to_dict() == {"A": 1000.0, "B": 1000.0, "C": 1500.0}
    assert members.net_investment.to_dict() == {"A": 950.0, "B": 990.0, "C": 1500.0}
    assert set(members.outcome) == {"net_loser"}


def test_teams_count_people_levels_and_paid_links(cli, tmp_path):
    # R1 recruits x1, x2, x3 and x1 recruits y1; R2 heads a chain R2 -> a -> b -> c
    tree = [("R1", ""), ("x1", "R1"), ("x2", "R1"), ("x3", "R1"), ("y1", "x1")]
    tree += [("R2", ""), ("a", "R2"), ("b", "a"), ("c", "b")]
    rows = [(0, m, "join", "", s, "", "") for m, s in tree]
    rows += [(1, m, "buy", "100", "", "", "") for m, _ in tree]
    rows += [
        (2, "x1", "bonus", "3", "", "y1", "direct"),  # marks y1 -> x1
        (2, "R1", "bonus", "2", "", "y1", "indirect"),  # marks x1 -> R1
        (2, "R2", "bonus", "3", "", "a", "direct"),  # marks a -> R2
        (2, "b", "bonus", "3", "", "c", "direct"),  # marks c -> b; b -> a carried nothing
    ]
    _, result = _replay(cli, tmp_path, rows)
    teams = pq.read_table(tmp_path / "out" / "teams.parquet").to_pylist()
    got = {
        t["member"]: (
            t["recruits"],
            t["participants_below"],
            t["levels_all_links"],
            t["levels_paid_links"],
            t["team_paid_in"],
        )
        for t in teams
    }
    assert got == {
        "R1": (3, 4, 3, 3, 400.0),
        "x1": (1, 1, 2, 2, 100.0),
        "R2": (1, 3, 4, 2, 300.0),
        "a": (1, 2, 3, 1, 200.0),
        "b": (1, 1, 2, 2, 100.0),
    }
    assert [t["member"] for t in teams] == ["R1", "x1", "R2", "a", "b"]
    assert teams[0]["own_bonuses"] == 2.0 and teams[0]["own_net_investment"] == 100.0
    assert "5 members recruited; the largest team is R1's, 4 below over 3 levels" in result.out


def _insolvency(cli, tmp_path, tail):
    """Ten orders of 1000, member 1 sells everything on day 1 (cash 439.67), then
    ``tail``; the replay's summary.json."""
    rows = [(0, i, "buy", "1000", "", "", "") for i in range(1, 11)]
    rows += [(1, 1, "sell", "all", "", "", ""), *tail]
    log = _csv(tmp_path / "events.csv", rows)
    out = tmp_path / "out"
    result = cli("replay", log, "--scenario", SCENARIOS / "seed-generic-nocap.yaml", "--out", out)
    assert result.code == 0, result.err
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def test_a_request_unpaid_the_day_after_makes_the_platform_insolvent(cli, tmp_path):
    tail = [(3, 1, "withdraw", "300", "", "", "requested"), (4, 2, "buy", "1000", "", "", "")]
    tail += [(6, 1, "withdraw", "200", "", "", "paid")]
    found = _insolvency(cli, tmp_path, tail)
    assert found["insolvency"] == {
        "day": 4,  # asked on day 3, still unpaid when day 4 ended
        "request_wait_days": 1,
        "asked_for_and_unpaid_then": 300.0,
    }
    owed = found["owed_to_members_at_end"]
    assert owed["of_it_asked_for_and_unpaid"] == 100.0  # 200 of the 300 paid on day 6
    assert owed["cash_credited"] == 239.67  # 439.67 from the sale less 200 withdrawn


def test_a_request_paid_the_next_day_is_not_insolvency(cli, tmp_path):
    tail = [(3, 1, "withdraw", "300", "", "", "requested"), (4, 1, "withdraw", "300", "", "", "")]
    tail += [(9, 2, "buy", "1000", "", "", "")]
    found = _insolvency(cli, tmp_path, tail)
    assert found["insolvency"]["day"] is None
    assert found["owed_to_members_at_end"]["of_it_asked_for_and_unpaid"] == 0.0


def test_a_gap_in_the_log_counts_as_days_without_payment(cli, tmp_path):
    # asked on day 3, the next row is on day 9: days 4 to 8 paid nothing
    tail = [(3, 1, "withdraw", "100", "", "", "requested"), (9, 1, "withdraw", "100", "", "", "")]
    assert _insolvency(cli, tmp_path, tail)["insolvency"]["day"] == 4


def test_a_request_on_the_last_day_has_not_yet_waited(cli, tmp_path):
    found = _insolvency(cli, tmp_path, [(3, 1, "withdraw", "100", "", "", "requested")])
    assert found["insolvency"]["day"] is None
    owed = found["owed_to_members_at_end"]
    assert owed["of_it_asked_for_and_unpaid"] == 100.0
    assert owed["cash_credited"] > 100.0  # the sale's payout, none of it withdrawn


def test_the_printed_summary_names_the_insolvency_day(cli, tmp_path):
    rows = [(0, i, "buy", "1000", "", "", "") for i in range(1, 11)]
    rows += [(1, 1, "sell", "all", "", "", ""), (3, 1, "withdraw", "300", "", "", "requested")]
    rows += [(5, 2, "buy", "1000", "", "", "")]
    log = _csv(tmp_path / "events.csv", rows)
    out = tmp_path / "out"
    result = cli("replay", log, "--scenario", SCENARIOS / "seed-generic-nocap.yaml", "--out", out)
    assert "insolvent on day 4: a request had waited 1 day(s) unpaid, 300.00 yuan" in result.out
    assert "owed to members at the end 439.67 yuan credited (300.00 asked for" in result.out


def _flags(cli, tmp_path, rows):
    _, result = _replay(cli, tmp_path, rows)
    table = pq.read_table(tmp_path / "out" / "flags.parquet").to_pylist()
    return {(f["key"], f["reading"]): f for f in table}, result


def test_a_wide_team_and_a_deep_one_raise_the_pyramid_flag_only_for_the_platform(cli, tmp_path):
    # D -> d1 -> d2 -> d3, each paid on the order below (day 1): deep and small;
    # L with 40 recruits joining on days 2 and 3, paid on each (day 3): large and shallow
    rows = [(0, m, "join", "", s, "", "") for m, s in [("D", ""), ("d1", "D"), ("d2", "d1")]]
    rows += [(0, "d3", "join", "", "d2", "", ""), (0, "L", "join", "", "", "", "")]
    rows += [(0, m, "buy", "1000", "", "", "") for m in ("D", "d1", "d2", "d3", "L")]
    rows += [(1, up, "bonus", "30", "", down, "direct") for up, down in [("D", "d1"), ("d1", "d2")]]
    rows += [(1, "d2", "bonus", "30", "", "d3", "direct")]
    for day, first in ((2, 0), (3, 20)):
        for i in range(first, first + 20):
            rows += [
                (day, f"r{i}", "join", "", "L", "", ""),
                (day, f"r{i}", "buy", "1000", "", "", ""),
            ]
    rows += [(3, "L", "bonus", "30", "", f"r{i}", "direct") for i in range(40)]
    flags, result = _flags(cli, tmp_path, rows)
    platform = flags["pyramid_levels", "platform"]
    assert platform["raised"] and platform["first_day"] == 3  # 25 had paid in on day 2
    assert json.loads(platform["measured"])["levels"] == 5  # the platform over D's chain
    assert json.loads(platform["measured"])["participants"] == 45
    leader = flags["pyramid_levels", "leader"]
    assert not leader["raised"] and leader["first_day"] is None
    closest = json.loads(leader["measured"])
    assert (closest["organiser"], closest["participants"], closest["levels"]) == ("L", 41, 2)
    assert "pyramid_levels (platform) from day 3" in result.out
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert {(f["key"], f["reading"]) for f in summary["flags"]} == set(flags)


def test_without_paid_links_there_are_no_levels(cli, tmp_path):
    # the same wide team with no bonus rows: nobody was paid along a link
    rows = [(0, "L", "join", "", "", "", ""), (0, "L", "buy", "1000", "", "", "")]
    for i in range(40):
        rows += [(1, f"r{i}", "join", "", "L", "", ""), (1, f"r{i}", "buy", "1000", "", "", "")]
    flags, _ = _flags(cli, tmp_path, rows)
    assert json.loads(flags["pyramid_levels", "platform"]["measured"])["compensated_links"] == 0
    assert not flags["pyramid_levels", "platform"]["raised"]
