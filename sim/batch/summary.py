"""A run's key figures (``summary.json``), worked out from its exact values.

Counts, days and shares are decided on integers (fen, point units, the exact price); each
amount becomes yuan once, as it goes into the summary. The summary is deterministic (no
wall-clock time), so the same scenario and seed give the same file.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

import numpy as np
import pandas as pd

from sim import __version__
from sim.analysis.collapse import detect
from sim.analysis.evidence import CANNOT_FAIL, insolvency_levers
from sim.analysis.moneyflow import funded_by_others, trace_run
from sim.analysis.netinvest import net_investment
from sim.analysis.outcomes import measure_run
from sim.analysis.redflags import flags_json, red_flags
from sim.core.exact_sign import exact_columns, signs
from sim.core.law import PYRAMID_LEVELS, PYRAMID_PARTICIPANTS
from sim.core.units import fen_to_yuan, price_to_yuan
from sim.distribution.summary import in_yuan
from sim.i18n import N_, gettext, money
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
    nets, held = exact_columns(buyers["net_result"], buyers["points_held"])
    return int(np.count_nonzero(signs(nets, held, payout * price) < 0))


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


def run_flags(
    model, members: pd.DataFrame, by_source: dict, layer: dict | None, lang: str = "en"
) -> list[dict]:
    """The legal red flags of the run (:mod:`sim.analysis.redflags`), both readings of who
    organises, as ``summary.json`` holds them (``by_source``: the money entered by source),
    explained in ``lang``."""
    entered = {"money_entered_by_source": by_source}
    dist = model.distribution
    if dist is None:
        bonuses = None
    else:
        totals = dist.log.totals()
        bonuses = pd.DataFrame({"member": totals.member, "level": totals.level})
    return flags_json(red_flags(members, entered, model.scenario, layer, bonuses, lang=lang))


# the collapse conditions in words (the English is the key with spaces; sim.i18n translates)
CONDITION_WORDS = {
    "operator_halt": N_("operator halt"),
    "unpaid_withdrawals": N_("unpaid withdrawals"),
    "pool_drawdown": N_("pool drawdown"),
    "inflow_stall": N_("inflow stall"),
    "loss_majority": N_("loss majority"),
}


def describe(s: dict, lang: str = "en") -> str:
    """A short human summary of a run from its summary, in ``lang`` (:mod:`sim.i18n`)."""
    _ = gettext(lang)
    net, inv, levers = s["network"], s["net_investment"], s.get("insolvency_levers", [])

    def yuan(value: float) -> str:
        return money(value, lang)

    price = _(
        "  price    start {start}, peak {peak} on day {day}, end {end}; fell on {fell} days"
    ).format(
        start=f"{s['price_start']:.4f}",
        peak=f"{s['price_peak']:.4f}",
        day=s["price_peak_day"],
        end=f"{s['price_end']:.4f}",
        fell=s["days_price_fell"],
    )
    if s["collapsed"]:
        collapse = _("on day {day} ({condition})").format(
            day=s["collapse_day"], condition=_(CONDITION_WORDS[s["collapse_condition"]])
        )
    else:
        collapse = _("none of the scenario's collapse conditions fired")
        collapse += "" if levers else _(". ") + _(CANNOT_FAIL)
    warning = []
    if s.get("orders_minting_nothing") or s.get("leftover_pool_taken"):
        warning.append(
            _(
                "  warning  {orders} orders ({orders_yuan} yuan) minted no points (rounded down "
                "to the smallest unit); {buyers} buyers took over a leftover pool ({pool_yuan} "
                "yuan) after every point had left the book"
            ).format(
                orders=f"{s['orders_minting_nothing']:,}",
                orders_yuan=yuan(s["orders_minting_nothing_yuan"]),
                buyers=f"{s['leftover_pool_taken']:,}",
                pool_yuan=yuan(s["leftover_pool_taken_yuan"]),
            )
        )
    return "\n".join(
        [
            _("Ran scenario '{scenario}' for {days} days with seed {seed}").format(
                scenario=s["scenario"], days=s["days"], seed=s["seed"]
            ),
            _(
                "  members  {joined} joined, {bought} bought; {active} hold points at the end"
            ).format(
                joined=f"{s['members']:,}",
                bought=f"{s['members_who_bought']:,}",
                active=f"{s['members_active_at_end']:,}",
            ),
            _("  activity {orders} orders, {sales} sales, {forced} forced exits").format(
                orders=f"{s['orders']:,}", sales=f"{s['sales']:,}", forced=f"{s['forced_exits']:,}"
            ),
            price + ("" if levers else _(" (without a stress lever it cannot)")),
            _(
                "  money    {entered} yuan entered; {paid} paid to members, {withdrawn} "
                "withdrawn; queue {queue}, unpaid {unpaid}"
            ).format(
                entered=yuan(s["money_entered"]),
                paid=yuan(s["paid_to_members"]),
                withdrawn=yuan(s["withdrawn_by_members"]),
                queue=yuan(s["withdrawal_queue_at_end"]),
                unpaid=yuan(s["unpaid_claims"]),
            ),
            _(
                "  losers   {cash} of buyers got less cash out of the platform than they paid "
                "in; {credited} counting cash credited but not withdrawn, {points} also selling "
                "their points at the final price"
            ).format(
                cash=f"{s['share_of_buyers_losing']:.1%}",
                credited=f"{s['share_of_buyers_losing_counting_credited']:.1%}",
                points=f"{s['share_of_buyers_losing_counting_points']:.1%}",
            ),
            _(
                "  net      {losers} net losers and {winners} net winners (cash out minus money "
                "in); clawback pool {clawback}, net losses {losses}; beside it {credited} "
                "credited but not withdrawn ({queued} queued) and points worth {points} at the "
                "final price"
            ).format(
                losers=f"{inv['net_losers']:,}",
                winners=f"{inv['net_winners']:,}",
                clawback=yuan(inv["clawback_pool"]),
                losses=yuan(inv["net_losses"]),
                credited=yuan(inv["credited_on_platform"]),
                queued=yuan(inv["queued_for_withdrawal"]),
                points=yuan(inv["points_value_at_final_price"]),
            ),
            _("  collapse ") + collapse,
            *warning,
            _(
                "  network  {roots} lines started by the platform, {depth} levels deep, largest "
                "team {team}; {heads} members head a team of {people}+ people over {levels}+ "
                "levels"
            ).format(
                roots=f"{net['roots']:,}",
                depth=net["max_depth"],
                team=f"{net['largest_team']:,}",
                heads=f"{net['filing_heads']:,}",
                people=PYRAMID_PARTICIPANTS,
                levels=PYRAMID_LEVELS,
            ),
            *_describe_distribution(s.get("distribution"), lang),
            _("  ledger   balanced to the fen")
            if s["ledger_balanced"]
            else _("  ledger   NOT BALANCED"),
        ]
    )


def _describe_distribution(d: dict | None, lang: str) -> list[str]:
    if d is None:
        return []
    _ = gettext(lang)
    recruit = _("n/a") if d["share_recruit"] is None else f"{d['share_recruit']:.1%}"
    top = _("n/a") if d["top1_share"] is None else f"{d['top1_share']:.1%}"
    return [
        _(
            "  bonuses  {paid} yuan to {members} members; {recruit} triggered by recruits' first "
            "orders; top 1% took {top}; paid up to {level} levels up"
        ).format(
            paid=money(d["paid"], lang),
            members=f"{d['members_paid']:,}",
            recruit=recruit,
            top=top,
            level=d["deepest_level"],
        )
    ]
