"""One run of the agent model: ``python -m sim run SCENARIO.yaml [--seed N] [--days N]``.

Steps the model day by day (with a progress bar), then writes ``timeseries.parquet`` (one row
a day), ``members.parquet`` (one row a member) and ``summary.json`` (key figures, the
scenario, the seed) — all or nothing, and byte-identical for the same scenario and seed (no
wall-clock time in them). Every column is documented in the README.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import pyarrow as pa
from tqdm import tqdm

from sim import __version__
from sim.model import SchemeModel
from sim.outputs import check_out_dir, staged, write_table
from sim.units import fen_to_yuan, price_to_yuan, units_to_points

MEMBERS_SCHEMA = pa.schema(
    [
        ("member", pa.int64()),
        ("type", pa.string()),
        ("join_day", pa.int64()),
        ("sponsor", pa.int64()),
        ("status", pa.string()),
        ("entries", pa.int64()),
        ("spent", pa.float64()),
        ("points_held", pa.float64()),
        ("value_held", pa.float64()),
        ("cash_received", pa.float64()),
        ("bonuses_received", pa.float64()),
        ("withdrawn", pa.float64()),
        ("cash_balance", pa.float64()),
        ("unpaid", pa.float64()),
        ("forced_exits", pa.int64()),
        ("exit_day", pa.int64()),
        ("net_result", pa.float64()),
        ("net_withdrawn", pa.float64()),
    ]
)


@dataclass
class RunResult:
    model: SchemeModel
    summary: dict
    files: list[str]


def simulate(
    scenario, seed: int | None = None, days: int | None = None, progress: bool = False
) -> SchemeModel:
    """Step a fresh model through the horizon and return it (for notebooks and tests)."""
    model = SchemeModel(scenario, seed, days)
    for _ in tqdm(
        range(model.days),
        desc=scenario.name,
        unit="day",
        leave=False,
        disable=None if progress else True,
    ):
        model.step()
    return model


def member_rows(model: SchemeModel) -> list[dict]:
    """One row per member, by id."""
    book = model.book
    unit, price = book.mechanics.unit, book.price
    rows = []
    records = dict(book.members.items())  # the fast core's records are read in bulk
    for member_id in sorted(model.members):
        agent = model.members[member_id]
        record = records.get(member_id)
        spent = record.spent if record else 0
        cash = record.cash if record else 0
        bonus = record.bonus if record else 0
        withdrawn = record.withdrawn if record else 0
        held = record.held if record else 0
        rows.append(
            {
                "member": member_id,
                "type": agent.kind,
                "join_day": agent.join_day,
                "sponsor": agent.sponsor,
                "status": record.status if record else "never_bought",
                "entries": record.entries if record else 0,
                "spent": fen_to_yuan(spent),
                "points_held": units_to_points(held, unit),
                "value_held": fen_to_yuan(held * price),
                "cash_received": fen_to_yuan(cash),
                "bonuses_received": fen_to_yuan(bonus),
                "withdrawn": fen_to_yuan(withdrawn),
                "cash_balance": fen_to_yuan(cash + bonus - withdrawn),
                "unpaid": fen_to_yuan(record.unpaid if record else 0),
                "forced_exits": record.forced_exits if record else 0,
                "exit_day": agent.exit_day,
                "net_result": fen_to_yuan(cash + bonus - spent),
                "net_withdrawn": fen_to_yuan(withdrawn - spent),
            }
        )
    return rows


def timeseries_schema(rows: list[dict]) -> pa.Schema:
    def kind(name: str, value) -> pa.DataType:
        if isinstance(value, bool):
            return pa.bool_()
        if isinstance(value, int) and not name.startswith("account_"):
            return pa.int64()
        return pa.float64()

    return pa.schema([(name, kind(name, value)) for name, value in rows[0].items()])


def plain(value):
    """A scenario dump as JSON-ready values (exact decimals become numbers)."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def summarize(model: SchemeModel, members: list[dict]) -> dict:
    """The run's key figures (JSON-ready, deterministic)."""
    book, ledger = model.book, model.book.ledger
    rows = model.rows
    prices = [row["price"] for row in rows]
    peak = max(range(len(prices)), key=prices.__getitem__)
    fell = sum(1 for a, b in pairwise(prices) if b < a)
    buyers = [m for m in members if m["spent"] > 0]
    losing = sum(1 for m in buyers if m["net_result"] < 0)
    payout = float(book.mechanics.sell_payout)
    losing_with_points = sum(1 for m in buyers if m["net_result"] + payout * m["value_held"] < 0)
    unit = book.mechanics.unit
    return {
        "scenario": model.scenario.name,
        "seed": model.seed,
        "days": model.days,
        "version": __version__,
        "members": model.joined,
        "members_who_bought": len(buyers),
        "members_active_at_end": book.holders,
        "orders": sum(row["orders"] for row in rows),
        "forced_exits": sum(row["forced_exits"] for row in rows),
        "sales": sum(row["sales"] for row in rows),
        "money_entered": fen_to_yuan(ledger.entered),
        "money_entered_by_source": {k: fen_to_yuan(v) for k, v in ledger.entered_by.items()},
        "paid_to_members": fen_to_yuan(sum(m.cash + m.bonus for m in book.members.values())),
        "withdrawn_by_members": fen_to_yuan(sum(m.withdrawn for m in book.members.values())),
        "withdrawal_queue_at_end": fen_to_yuan(model.withdrawals.queued),
        "unpaid_claims": fen_to_yuan(book.unpaid),
        "price_start": price_to_yuan(book.mechanics.start_price_per_unit, unit),
        "price_end": prices[-1],
        "price_peak": prices[peak],
        "price_peak_day": rows[peak]["day"],
        "price_min_after_peak": min(prices[peak:]),
        "days_price_fell": fell,
        "share_of_buyers_losing": losing / len(buyers) if buyers else 0.0,
        "share_of_buyers_losing_counting_points": (
            losing_with_points / len(buyers) if buyers else 0.0
        ),
        "ledger_balanced": ledger.total() == ledger.entered,
        "accounts": {a.name: fen_to_yuan(a.balance) for a in ledger.accounts.values()},
        "scenario_definition": plain(model.scenario.model_dump()),
    }


def run_to_files(
    scenario,
    out: str | Path,
    seed: int | None = None,
    days: int | None = None,
    progress: bool = False,
) -> RunResult:
    """Run and write the three outputs into ``out``."""
    out = check_out_dir(out)
    model = simulate(scenario, seed, days, progress)
    try:
        members = member_rows(model)
        summary = summarize(model, members)
        with staged(out) as stage:
            write_table(stage / "timeseries.parquet", timeseries_schema(model.rows), model.rows)
            write_table(stage / "members.parquet", MEMBERS_SCHEMA, members)
            text = json.dumps(summary, indent=2, ensure_ascii=False) + "\n"
            (stage / "summary.json").write_text(text, encoding="utf-8")
            files = sorted(p.name for p in stage.iterdir())
    finally:
        model.close()
    return RunResult(model, summary, files)


def describe(result: RunResult) -> str:
    """A short human summary of a run."""
    s = result.summary
    return "\n".join(
        [
            f"Ran scenario '{s['scenario']}' for {s['days']} days with seed {s['seed']}",
            f"  members  {s['members']:,} joined, {s['members_who_bought']:,} bought; "
            f"{s['members_active_at_end']:,} hold points at the end",
            f"  activity {s['orders']:,} orders, {s['sales']:,} sales, "
            f"{s['forced_exits']:,} forced exits",
            f"  price    start {s['price_start']:.4f}, peak {s['price_peak']:.4f} on day "
            f"{s['price_peak_day']}, end {s['price_end']:.4f}; fell on {s['days_price_fell']} days",
            f"  money    {s['money_entered']:,.2f} yuan entered; {s['paid_to_members']:,.2f} paid "
            f"to members, {s['withdrawn_by_members']:,.2f} withdrawn; queue "
            f"{s['withdrawal_queue_at_end']:,.2f}, unpaid {s['unpaid_claims']:,.2f}",
            f"  losers   {s['share_of_buyers_losing']:.1%} of buyers got back less cash than they "
            f"spent; {s['share_of_buyers_losing_counting_points']:.1%} would even after selling "
            "their points at the final price",
            "  ledger   balanced to the fen" if s["ledger_balanced"] else "  ledger   NOT BALANCED",
        ]
    )
