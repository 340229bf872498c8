"""A run's key figures (``summary.json``), worked out from its exact values.

Counts, days and shares are decided on integers (fen, point units, the exact price); each
amount becomes yuan once, as it goes into the summary. The summary is deterministic (no
wall-clock time), so the same scenario and seed give the same file.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

import pandas as pd

from sim import __version__
from sim.analysis.collapse import detect
from sim.analysis.evidence import CANNOT_FAIL, insolvency_levers
from sim.analysis.moneyflow import funded_by_others, trace_run
from sim.analysis.netinvest import net_investment
from sim.analysis.outcomes import measure_run
from sim.analysis.redflags import flags_json, red_flags
from sim.core.law import PYRAMID_LEVELS, PYRAMID_PARTICIPANTS
from sim.core.units import fen_to_yuan, price_to_yuan
from sim.distribution.summary import in_yuan
from sim.model.network import summary as network_summary


def plain(value):
    """A scenario dump as JSON-ready values (exact decimals become numbers)."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def losing_counting_points(buyers: pd.DataFrame, payout, price) -> int:
    """Buyers whose net result stays below 0 even after selling every point they hold at
    the closing ``price`` (fen per unit) for ``payout`` of its value: decided exactly."""
    p, q = payout.numerator * price.numerator, payout.denominator * price.denominator
    nets, held = buyers["net_result"].tolist(), buyers["points_held"].tolist()
    return sum(1 for net, h in zip(nets, held, strict=True) if q * net + p * h < 0)


def summarize(model, members: pd.DataFrame, layer: dict | None) -> dict:
    """The key figures of a finished ``model`` from its exact members table and the exact
    figures of its distribution layer (None without one)."""
    book, ledger = model.book, model.book.ledger
    rows, unit = model.day_rows, book.mechanics.unit
    prices = [row["price"] for row in rows]
    peak = max(range(len(prices)), key=prices.__getitem__)
    fell = sum(1 for a, b in pairwise(prices) if b < a)
    buyers = members[members["spent"] > 0]
    losing = int((buyers["net_withdrawn"] < 0).sum())  # on cash that left the platform
    losing_credited = int((buyers["net_result"] < 0).sum())
    losing_with_points = losing_counting_points(buyers, book.mechanics.sell_payout, book.price)
    paid, withdrawn = book.paid_totals()
    collapse = detect(rows, model.scenario.collapse)
    outcomes = measure_run(members, model.scenario)
    flow = trace_run(rows, dict(model.scenario.order.rules_not_given))
    by_source = {k: fen_to_yuan(v) for k, v in ledger.entered_by.items()}

    def yuan_per_point(price) -> float:
        return price_to_yuan(price, unit)

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
        "money_entered_by_source": by_source,
        "paid_to_members": fen_to_yuan(paid),
        "withdrawn_by_members": fen_to_yuan(withdrawn),
        "withdrawal_queue_at_end": fen_to_yuan(model.withdrawals.queued),
        "unpaid_claims": fen_to_yuan(book.unpaid),
        "price_start": yuan_per_point(book.mechanics.start_price_per_unit),
        "price_end": yuan_per_point(prices[-1]),
        "price_peak": yuan_per_point(prices[peak]),
        "price_peak_day": rows[peak]["day"],
        "price_min_after_peak": yuan_per_point(min(prices[peak:])),
        "days_price_fell": fell,
        "orders_minting_nothing": model.surprises.minting_nothing,
        "orders_minting_nothing_yuan": fen_to_yuan(model.surprises.minting_nothing_fen),
        "leftover_pool_taken": model.surprises.leftover_taken,
        "leftover_pool_taken_yuan": fen_to_yuan(model.surprises.leftover_taken_fen),
        "share_of_buyers_losing": losing / len(buyers) if len(buyers) else 0.0,
        "share_of_buyers_losing_counting_credited": (
            losing_credited / len(buyers) if len(buyers) else 0.0
        ),
        "share_of_buyers_losing_counting_points": (
            losing_with_points / len(buyers) if len(buyers) else 0.0
        ),
        **collapse.metrics(),
        "insolvency_levers": insolvency_levers(model.scenario),
        **outcomes.metrics(),
        "share_payouts_funded_by_others": funded_by_others(members, book.mechanics.pool_share),
        "net_investment": net_investment(members, book.price, unit, book.mechanics.sell_payout),
        **flow.metrics(),
        **flow.takes(),
        "cohorts": outcomes.cohorts.to_dict("records"),
        "money_flow": flow.table(),
        "network": network_summary(model.network),
        **({} if layer is None else {"distribution": in_yuan(layer)}),
        "red_flags": run_flags(model, members, by_source, layer),
        "ledger_balanced": ledger.total() == ledger.entered,
        "accounts": {a.name: fen_to_yuan(a.balance) for a in ledger.accounts.values()},
        "scenario_definition": plain(model.scenario.model_dump()),
    }


def run_flags(model, members: pd.DataFrame, by_source: dict, layer: dict | None) -> list[dict]:
    """The legal red flags of the run (:mod:`sim.analysis.redflags`), both readings of who
    organises, as ``summary.json`` holds them (``by_source``: the money entered by source)."""
    entered = {"money_entered_by_source": by_source}
    dist = model.distribution
    if dist is None:
        bonuses = None
    else:
        totals = dist.log.totals()
        bonuses = pd.DataFrame({"member": totals.member, "level": totals.level})
    return flags_json(red_flags(members, entered, model.scenario, layer, bonuses))


def describe(s: dict) -> str:
    """A short human summary of a run from its summary."""
    net, inv, levers = s["network"], s["net_investment"], s.get("insolvency_levers", [])
    return "\n".join(
        [
            f"Ran scenario '{s['scenario']}' for {s['days']} days with seed {s['seed']}",
            f"  members  {s['members']:,} joined, {s['members_who_bought']:,} bought; "
            f"{s['members_active_at_end']:,} hold points at the end",
            f"  activity {s['orders']:,} orders, {s['sales']:,} sales, "
            f"{s['forced_exits']:,} forced exits",
            f"  price    start {s['price_start']:.4f}, peak {s['price_peak']:.4f} on day "
            f"{s['price_peak_day']}, end {s['price_end']:.4f}; fell on {s['days_price_fell']} days"
            + ("" if levers else " (without a stress lever it cannot)"),
            f"  money    {s['money_entered']:,.2f} yuan entered; {s['paid_to_members']:,.2f} paid "
            f"to members, {s['withdrawn_by_members']:,.2f} withdrawn; queue "
            f"{s['withdrawal_queue_at_end']:,.2f}, unpaid {s['unpaid_claims']:,.2f}",
            f"  losers   {s['share_of_buyers_losing']:.1%} of buyers got less cash out of the "
            f"platform than they paid in; {s['share_of_buyers_losing_counting_credited']:.1%} "
            "counting cash credited but not withdrawn, "
            f"{s['share_of_buyers_losing_counting_points']:.1%} also selling their points at "
            "the final price",
            f"  net      {inv['net_losers']:,} net losers and {inv['net_winners']:,} net winners "
            f"(cash out minus money in); clawback pool {inv['clawback_pool']:,.2f}, net losses "
            f"{inv['net_losses']:,.2f}; beside it {inv['credited_on_platform']:,.2f} credited "
            f"but not withdrawn ({inv['queued_for_withdrawal']:,.2f} queued) and points worth "
            f"{inv['points_value_at_final_price']:,.2f} at the final price",
            "  collapse "
            + (
                f"on day {s['collapse_day']} ({s['collapse_condition'].replace('_', ' ')})"
                if s["collapsed"]
                else "none of the scenario's collapse conditions fired"
                + ("" if levers else ". " + CANNOT_FAIL)
            ),
            *(
                [
                    f"  warning  {s['orders_minting_nothing']:,} orders "
                    f"({s['orders_minting_nothing_yuan']:,.2f} yuan) minted no points (rounded "
                    f"down to the smallest unit); {s['leftover_pool_taken']:,} buyers took over "
                    f"a leftover pool ({s['leftover_pool_taken_yuan']:,.2f} yuan) after every "
                    "point had left the book"
                ]
                if s.get("orders_minting_nothing") or s.get("leftover_pool_taken")
                else []
            ),
            f"  network  {net['roots']:,} lines started by the platform, {net['max_depth']} "
            f"levels deep, largest team {net['largest_team']:,}; {net['filing_heads']:,} members "
            f"head a team of {PYRAMID_PARTICIPANTS}+ people over {PYRAMID_LEVELS}+ levels",
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
