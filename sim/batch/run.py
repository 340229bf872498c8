"""One run of the agent model: ``python -m sim run SCENARIO.yaml [--seed N] [--days N]``.

Steps the model day by day (with a progress bar), then writes ``timeseries.parquet`` (one row
a day), ``members.parquet`` (one row a member), ``summary.json`` (key figures, the scenario,
the seed) and, with a ``distribution`` section, ``bonuses.parquet`` (the rules' payouts by
member, rule, level and reason) — all or nothing, and byte-identical for the same scenario
and seed (no wall-clock time in them). Every column is documented in the README.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from tqdm import tqdm

from sim import __version__
from sim.analysis.collapse import detect
from sim.analysis.moneyflow import funded_by_others, trace_run
from sim.analysis.outcomes import measure_run
from sim.core.units import FEN_PER_YUAN, fen_to_yuan, price_to_yuan
from sim.distribution.summary import bonus_table
from sim.distribution.summary import summarize as distribution_summary
from sim.model.network import summary as network_summary
from sim.model.scheme import SchemeModel
from sim.outputs import check_out_dir, staged, write_arrow, write_table

MEMBERS_SCHEMA = pa.schema(
    [
        ("member", pa.int64()),
        ("type", pa.string()),
        ("join_day", pa.int64()),
        ("sponsor", pa.int64()),
        ("depth", pa.int64()),
        ("recruits", pa.int64()),
        ("team_size", pa.int64()),
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
        ("break_even_day", pa.int64()),
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
    """Step a fresh model through the horizon, finish the run, and return the model (for
    notebooks and tests)."""
    model = SchemeModel(scenario, seed, days)
    for _ in tqdm(
        range(model.days),
        desc=scenario.name,
        unit="day",
        leave=False,
        disable=None if progress else True,
    ):
        model.step()
    model.finish()
    return model


def member_table(model: SchemeModel) -> pa.Table:
    """One row per member, by id (the columns of :data:`MEMBERS_SCHEMA`), built column by
    column: money from the book's integer fen, divided once (an int64 below 2**53 divided
    by 100 is the same correctly rounded float as :func:`sim.core.units.fen_to_yuan` gives);
    the value held from exact integers, like the price."""
    book = model.book
    unit, price = book.mechanics.unit, book.price
    num, den = price.numerator, price.denominator * FEN_PER_YUAN
    keys = sorted(model.members)
    agents = [model.members[key] for key in keys]
    network, ids = model.network, np.array(keys, np.int64)
    figures = {
        name: np.asarray(column, np.int64) if name != "status" else column
        for name, column in book.member_figures(keys).items()
    }
    spent, held, cash = figures["spent"], figures["held"], figures["cash"]
    bonus, withdrawn = figures["bonus"], figures["withdrawn"]

    def yuan(fen: np.ndarray) -> np.ndarray:
        return fen / FEN_PER_YUAN

    columns = {
        "member": keys,
        "type": [agent.kind for agent in agents],
        "join_day": [agent.join_day for agent in agents],
        "sponsor": [agent.sponsor for agent in agents],
        "depth": network.depths()[ids],
        "recruits": network.direct_counts()[ids],
        "team_size": network.team_sizes()[ids],
        "status": figures["status"],
        "entries": figures["entries"],
        "spent": yuan(spent),
        "points_held": held / unit,
        "value_held": [h * num / den for h in held.tolist()],
        "cash_received": yuan(cash),
        "bonuses_received": yuan(bonus),
        "withdrawn": yuan(withdrawn),
        "cash_balance": yuan(cash + bonus - withdrawn),
        "unpaid": yuan(figures["unpaid"]),
        "forced_exits": figures["forced_exits"],
        "exit_day": [agent.exit_day for agent in agents],
        "break_even_day": [agent.break_even_day for agent in agents],
        "net_result": yuan(cash + bonus - spent),
        "net_withdrawn": yuan(withdrawn - spent),
    }
    return pa.table(columns, schema=MEMBERS_SCHEMA)


def member_rows(model: SchemeModel) -> list[dict]:
    """The members table as a list of rows (for small runs, tests and notebooks)."""
    return member_table(model).to_pylist()


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


def summarize(model: SchemeModel, members: pd.DataFrame | list[dict]) -> dict:
    """The run's key figures (JSON-ready, deterministic) from the model and its members
    table (:func:`member_table` as a DataFrame, or its rows)."""
    if not isinstance(members, pd.DataFrame):
        members = pd.DataFrame(members, columns=MEMBERS_SCHEMA.names)
    book, ledger = model.book, model.book.ledger
    rows = model.rows
    prices = [row["price"] for row in rows]
    peak = max(range(len(prices)), key=prices.__getitem__)
    fell = sum(1 for a, b in pairwise(prices) if b < a)
    buyers = members[members["spent"] > 0]
    losing = int((buyers["net_result"] < 0).sum())
    payout = float(book.mechanics.sell_payout)
    losing_with_points = int((buyers["net_result"] + payout * buyers["value_held"] < 0).sum())
    paid, withdrawn = book.paid_totals()
    unit = book.mechanics.unit
    collapse = detect(rows, model.scenario.collapse)
    outcomes = measure_run(members, model.scenario)
    flow = trace_run(rows)
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
        "paid_to_members": fen_to_yuan(paid),
        "withdrawn_by_members": fen_to_yuan(withdrawn),
        "withdrawal_queue_at_end": fen_to_yuan(model.withdrawals.queued),
        "unpaid_claims": fen_to_yuan(book.unpaid),
        "price_start": price_to_yuan(book.mechanics.start_price_per_unit, unit),
        "price_end": prices[-1],
        "price_peak": prices[peak],
        "price_peak_day": rows[peak]["day"],
        "price_min_after_peak": min(prices[peak:]),
        "days_price_fell": fell,
        "share_of_buyers_losing": losing / len(buyers) if len(buyers) else 0.0,
        "share_of_buyers_losing_counting_points": (
            losing_with_points / len(buyers) if len(buyers) else 0.0
        ),
        **collapse.metrics(),
        **outcomes.metrics(),
        "share_payouts_funded_by_others": funded_by_others(members, book.mechanics.pool_share),
        **flow.metrics(),
        "cohorts": outcomes.cohorts.to_dict("records"),
        "money_flow": flow.table(),
        "network": network_summary(model.network),
        **_distribution(model),
        "ledger_balanced": ledger.total() == ledger.entered,
        "accounts": {a.name: fen_to_yuan(a.balance) for a in ledger.accounts.values()},
        "scenario_definition": plain(model.scenario.model_dump()),
    }


def _distribution(model: SchemeModel) -> dict:
    """``{"distribution": ...}`` for a run with the distribution layer, else nothing (so other
    runs' summaries keep their keys)."""
    dist = model.distribution
    if dist is None:
        return {}
    return {"distribution": distribution_summary(dist, model.book.ledger, model.joined)}


def run_to_files(
    scenario,
    out: str | Path,
    seed: int | None = None,
    days: int | None = None,
    progress: bool = False,
) -> RunResult:
    """Run and write the outputs into ``out``."""
    out = check_out_dir(out)
    model = simulate(scenario, seed, days, progress)
    try:
        summary, files = write_outputs(model, out)
    finally:
        model.close()
    return RunResult(model, summary, files)


def write_outputs(model: SchemeModel, out: Path) -> tuple[dict, list[str]]:
    """Write a finished run's files into ``out`` (all or nothing); its summary and files."""
    members = member_table(model)
    summary = summarize(model, members.to_pandas())
    with staged(out) as stage:
        write_table(stage / "timeseries.parquet", timeseries_schema(model.rows), model.rows)
        write_arrow(stage / "members.parquet", members)
        if model.distribution is not None:
            write_arrow(stage / "bonuses.parquet", bonus_table(model.distribution))
        text = json.dumps(summary, indent=2, ensure_ascii=False) + "\n"
        (stage / "summary.json").write_text(text, encoding="utf-8")
        files = sorted(p.name for p in stage.iterdir())
    return summary, files


def describe(result: RunResult) -> str:
    """A short human summary of a run."""
    s = result.summary
    net = s["network"]
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
            "  collapse "
            + (
                f"on day {s['collapse_day']} ({s['collapse_condition'].replace('_', ' ')})"
                if s["collapsed"]
                else "none of the scenario's collapse conditions fired"
            ),
            f"  network  {net['roots']:,} lines started by the platform, {net['max_depth']} "
            f"levels deep, largest team {net['largest_team']:,}; {net['filing_heads']:,} members "
            "head a team of 30+ people over 3+ levels",
            *_describe_distribution(s.get("distribution")),
            "  ledger   balanced to the fen" if s["ledger_balanced"] else "  ledger   NOT BALANCED",
        ]
    )


def _describe_distribution(d: dict | None) -> list[str]:
    if d is None:
        return []
    recruit = "n/a" if d["share_recruit"] is None else f"{d['share_recruit']:.1%}"
    top = "n/a" if d["top1_share"] is None else f"{d['top1_share']:.1%}"
    return [
        f"  bonuses  {d['paid']:,.2f} yuan to {d['members_paid']:,} members; {recruit} triggered "
        f"by recruits' first orders; top 1% took {top}; paid up to {d['deepest_level']} levels up"
    ]
