"""Every worked number of SPEC §2–4, through ``python -m sim replay`` and its output files."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from tests.conftest import EXAMPLES, SCENARIOS, orders, run_program, write_log

TRACE_COLUMNS = [
    "seq",
    "day",
    "member",
    "action",
    "amount",
    "points_delta",
    "cash_delta",
    "pool",
    "points",
    "price",
    "source_line",
    "kind",
    "other_member",
]


@pytest.mark.parametrize(
    ("scenario", "table"),
    [
        ("seed-generic-3x", [(210, 300, 210, 1.43), (147, 600, 357, 1.68), (125, 900, 482, 1.87)]),
        (
            "seed-local-services-1.2x-referral-only",
            [(112, 160, 112, 1.43), (78, 320, 190, 1.68), (67, 480, 257, 1.87)],
        ),
    ],
)
def test_three_order_tables(replay, scenario, table):
    trace = replay(orders(3), scenario).trace
    assert list(trace.columns) == TRACE_COLUMNS
    assert list(trace.action) == ["buy"] * 3
    got = [
        (round(r.points_delta), round(r.pool), round(r.points), round(r.price, 2))
        for r in trace.itertuples()
    ]
    assert got == table
    if scenario == "seed-generic-3x":
        assert trace.points_delta[2] == pytest.approx(124.95)


def test_767_orders_then_buyer_one_sells(replay):
    tables = replay([*orders(767), (0, 1, "sell", "all")], "seed-generic-nocap")
    trace = tables.trace
    before = trace.iloc[766]
    assert round(before.price, 2) == 9.52
    worth = 210 * before.price
    assert round(worth) == 2000
    sale = trace.iloc[767]
    assert (sale.action, sale.member, sale.amount, sale.points_delta) == ("sell", "1", 210, -210)
    assert round(sale.cash_delta) == 1600  # 80% of 2000
    assert round(worth - sale.cash_delta) == 400  # stays in the pool
    assert before.pool - sale.pool == pytest.approx(sale.cash_delta, abs=1e-9)
    assert sale.price > before.price  # "the price rises slightly"
    member = tables.members.set_index("member").loc["1"]
    assert member.status == "sold_out" and member.cash_received == sale.cash_delta


def test_break_even_at_4_76(replay):
    # Buyer 1's 210 points are worth their 1000 yuan at 1000 / 210 = 4.76 (seed 001).
    trace = replay(orders(120), "seed-generic-nocap").trace
    members = replay(orders(120), "seed-generic-nocap").members.set_index("member")
    break_even = members.spent["1"] / members.points_held["1"]
    assert round(break_even, 2) == 4.76
    crossing = trace[trace.price >= break_even].iloc[0]
    assert trace.price[crossing.seq - 2] < break_even  # crossed by this very order
    assert 210 * trace.price[crossing.seq - 2] < 1000 <= 210 * crossing.price


def exit_rows(trace):
    """Forced exits, each with the price its trigger took the book to (``reached``) and the
    price before that trigger (``before``)."""
    rows = trace[trace.action == "forced_exit"].copy()
    trigger = rows.index - 1
    assert (trace.action[trigger] == "buy").all()
    rows["reached"] = trace.price[trigger].to_numpy()
    rows["before"] = trace.price[trigger - 1].to_numpy()
    return rows


def assert_exit_at(row, cap_price: float, printed: float):
    """The seeds print the price at which the cap is reached; the exit comes with the first
    order that takes the price to it."""
    assert round(cap_price, 2) == printed
    assert row.before < cap_price <= row.reached


def test_three_x_exits_at_14_29_and_20_41(replay):
    trace = replay(orders(10_000), "seed-generic-3x").trace
    exits = exit_rows(trace)
    first, second = exits.iloc[0], exits.iloc[1]
    assert (first.member, second.member) == ("1", "2")
    assert_exit_at(first, 3000 / 210, 14.29)
    assert_exit_at(second, 3000 / 147, 20.41)
    assert first.points_delta == -210 and round(first.cash_delta, -1) == 2400  # 80% of 3000
    assert (trace.price.diff().dropna() >= 0).all()


def test_local_services_buyer_one_exits_at_1_2x_at_10_71(replay):
    tables = replay(orders(2_000), "seed-local-services-1.2x-referral-only")
    first = exit_rows(tables.trace).iloc[0]
    assert first.member == "1"
    assert_exit_at(first, 1200 / 112, 10.71)  # 112 x 10.71 = 1200
    assert round(first.cash_delta) == 960  # 80% of 1200, "接近消费全返"
    member = tables.members.set_index("member").loc["1"]
    assert member.status == "exited" and member.forced_exits == 1


def test_members_and_ledger_tables(replay):
    rows = [*orders(2), (1, 1, "sell", "105.5"), (2, 1, "buy", "99.99"), (3, 2, "sell", "all")]
    tables = replay(rows, "seed-generic-3x")
    assert list(tables.members.columns) == [
        "member",
        "status",
        "entries",
        "spent",
        "cash_received",
        "net_cash",
        "points_held",
        "value_held",
        "points_obtained",
        "sales",
        "forced_exits",
        "sponsor",
        "first_day",
        "fees",
        "bonuses",
        "withdrawn",
        "cash_balance",
        "requested",
        "paid_in",
        "paid_out",
        "net_investment",
        "outcome",
    ]
    m1 = tables.members.set_index("member").loc["1"]
    assert m1.spent == pytest.approx(1099.99) and m1.sales == 1
    assert m1.net_cash == pytest.approx(m1.cash_received - m1.spent)
    ledger = tables.ledger.set_index("account")
    assert list(ledger.index) == ["product_cost", "distribution", "platform", "pool", "member_cash"]
    assert ledger.balance.sum() == pytest.approx(2099.99, abs=1e-9)
    assert ledger.balance["member_cash"] == pytest.approx(tables.members.cash_received.sum())
    assert ledger.balance["pool"] == pytest.approx(tables.trace.pool.iloc[-1])
    assert (ledger.total_in - ledger.total_out).to_list() == pytest.approx(ledger.balance.to_list())
    assert "ledger   2,099.99 yuan entered" in tables.result.out


def test_replaying_twice_gives_byte_identical_files(cli, tmp_path):
    log = EXAMPLES / "small-platform.csv"
    scenario = SCENARIOS / "seed-generic-2x.yaml"
    for name in ("a", "b"):
        result = cli(
            "replay",
            log,
            "--scenario",
            scenario,
            "--out",
            tmp_path / name,
            "--format",
            "csv",
            "--quiet",
        )
        assert result.code == 0, result.err
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files == [
        "clawback.csv",
        "clawback.parquet",
        "flags.csv",
        "flags.parquet",
        "ledger.csv",
        "ledger.parquet",
        "members.csv",
        "members.parquet",
        "summary.json",
        "teams.csv",
        "teams.parquet",
        "trace.csv",
        "trace.parquet",
    ]
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    csv_lines = (tmp_path / "a" / "trace.csv").read_text().splitlines()
    assert csv_lines[0] == ",".join(TRACE_COLUMNS)
    assert len(csv_lines) - 1 == pq.read_metadata(tmp_path / "a" / "trace.parquet").num_rows


def test_forced_exit_rows_point_at_the_line_that_triggered_them(replay):
    trace = replay(orders(3_000), "seed-generic-3x").trace
    first = exit_rows(trace).iloc[0]
    trigger = trace.iloc[first.seq - 2]
    assert trigger.action == "buy" and trigger.source_line == first.source_line
    assert first.day == trigger.day


def test_python_dash_m_sim_runs_as_a_program(tmp_path):
    log = write_log(tmp_path / "e.csv", orders(3))
    run = run_program(
        "replay", log, "--scenario", SCENARIOS / "seed-generic-3x.yaml", "--out", tmp_path / "out"
    )
    assert run.returncode == 0, run.stderr
    assert "price 1.8674" in run.stdout
    assert (tmp_path / "out" / "trace.parquet").exists()
