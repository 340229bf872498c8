"""A run of the classic Ponzi scheme (``scheme.kind: classic_ponzi``): the member-level fund
of :mod:`sim.core.ponzi_members` stepped a day at a time over the scenario's horizon, its
money posted to a ledger, with the same files as any run (``timeseries``, ``members``,
``summary``).

Deposits come from ``scheme.deposits`` (one member a day depositing the day's flow,
``per_year·e^{growth·t}`` at the middle of the day, rounded to the fen) or from the
scenario's ``inflow`` (each new member depositing ``order.amount``, the day's arrivals
drawn as a points-scheme run draws them with the same seed). The fund's day row has it as
``pool``; the first day it cannot pay what its members are due is ``collapse_day``.
"""

from __future__ import annotations

import math
from decimal import Decimal

import pyarrow as pa

from sim.core.ledger import Ledger
from sim.core.ponzi_members import PonziFund, Terms
from sim.core.units import fen_to_yuan, yuan_to_fen
from sim.errors import InputError
from sim.i18n import gettext, money
from sim.model.cohorts import CohortRun, Paid, daily_arrivals, members_table, paid_of, paid_summary
from sim.model.daily import ACCOUNT
from sim.scenario.scheme import growth_problem

FUND, PAID_OUT = "fund", "withdrawn"  # ledger accounts: the fund, money paid to members
DEPOSITS, RETURNS = "deposits", "returns"  # sources: members' money, what the fund earned
MEMBERS_SCHEMA = pa.schema(
    [
        ("member", pa.int64()),
        ("join_day", pa.int64()),
        ("deposited", pa.float64()),
        ("withdrawn", pa.float64()),
        ("net_result", pa.float64()),
        ("promised", pa.float64()),
    ]
)


def simulate_ponzi(scenario, seed: int | None = None, days: int | None = None) -> CohortRun:
    """Run ``scenario`` (a ``classic_ponzi`` scheme) for ``days`` (default its horizon)."""
    seed = scenario.run.seed if seed is None else seed
    days = scenario.run.days if days is None else days
    scheme = scenario.scheme
    found = growth_problem(scheme, days)  # a horizon longer than the scenario's own
    if found is not None:
        raise InputError(f"with --days {days}: {found[1]}", key=f"scheme.{found[0]}")
    terms = Terms(scheme.promised_rate, scheme.nominal_rate or Decimal(0), scheme.withdrawal_rate)
    fund = PonziFund(terms, yuan_to_fen(scheme.initial_deposit or 0))
    ledger = Ledger()
    ledger.open(FUND, "pool")
    ledger.open(PAID_OUT, "out")
    if fund.initial:
        ledger.receive(fund.initial, {FUND: fund.initial}, source=DEPOSITS)
    deposits = _deposits(scenario, seed)
    rows = []
    joined = 1 if fund.initial else 0
    for day in range(days):
        made = deposits(day, joined)
        step = fund.step(made)
        new = sum(made.values()) if step.deposits else 0  # none once it has collapsed
        joined += new
        ledger.receive(step.deposits, {FUND: step.deposits}, source=DEPOSITS)
        ledger.receive(step.returns, {FUND: step.returns}, source=RETURNS)
        ledger.transfer(FUND, PAID_OUT, step.paid)
        ledger.check()
        if ledger.balance(FUND) != fund.fund:
            raise AssertionError(f"day {day}: the ledger's fund is not the fund's")
        rows.append(
            {
                "day": day,
                "pool": step.fund,
                "members_total": joined,
                "new_members": new,
                "inflow": step.deposits,
                "returns": step.returns,
                "due": step.due,
                "withdrawals": step.paid,
                "promised": step.promised,
                "collapsed": fund.collapsed_at is not None,
                **{f"{ACCOUNT}{a.name}": a.balance for a in ledger.accounts.values()},
            }
        )
    cohorts = fund.cohorts
    members = members_table(
        MEMBERS_SCHEMA,
        [c.count for c in cohorts],
        [max(c.step, 0) for c in cohorts],
        {
            "deposited": [c.deposit for c in cohorts],
            "withdrawn": [c.paid for c in cohorts],
            "net_result": [c.paid - c.deposit for c in cohorts],
            "promised": [c.promised for c in cohorts],
        },
    )
    paid = paid_of([(c.count, c.deposit, c.paid) for c in cohorts])
    summary = _summary(scenario, seed, days, fund, paid)
    return CohortRun(scenario, seed, days, rows, summary, members, paid=paid)


def _deposits(scenario, seed: int):
    """The day's deposits as {fen each: members}, from ``scheme.deposits`` or the inflow."""
    flow = scenario.scheme.deposits
    if flow is not None:
        per_year, growth = float(flow.per_year) * 100, float(flow.growth)

        def of_flow(day: int, joined: int) -> dict[int, int]:
            amount = round(per_year * math.exp(growth * (day + 0.5) / 365) / 365)
            return {amount: 1} if amount > 0 else {}

        return of_flow
    arrivals = daily_arrivals(scenario, seed)
    amount = yuan_to_fen(scenario.order.amount)

    def of_inflow(day: int, joined: int) -> dict[int, int]:
        count = arrivals(day, joined)
        return {amount: count} if count and amount else {}

    return of_inflow


def _summary(scenario, seed: int, days: int, fund: PonziFund, paid: Paid) -> dict:
    """The key figures of a Ponzi run (yuan), ``collapse_day`` None while it pays."""
    owed = fund.steps[-1].promised if fund.steps else fund.initial
    return {
        "scenario": scenario.name,
        "scheme": scenario.scheme.kind,
        "seed": seed,
        "days": days,
        "members": paid.members,
        "deposited": fen_to_yuan(fund.entered),
        "paid_out": fen_to_yuan(fund.paid),
        "returns_earned": fen_to_yuan(fund.earned),
        "fund_at_end": fen_to_yuan(fund.fund),
        "promised_at_end": fen_to_yuan(owed),
        "collapse_day": fund.collapsed_at,
        **paid_summary(paid),
    }


def describe_ponzi(s: dict, lang: str = "en") -> str:
    """A short human summary of a Ponzi run, in ``lang`` (:mod:`sim.i18n`)."""
    _ = gettext(lang)
    if s["collapse_day"] is not None:
        collapse = _("collapsed on day {day}").format(day=s["collapse_day"])
    else:
        collapse = _("still paying at the end")
    return "\n".join(
        [
            _("Ran scenario '{scenario}' (classic Ponzi) for {days} days, seed {seed}").format(
                scenario=s["scenario"], days=s["days"], seed=s["seed"]
            ),
            _("  members  {members}; {losers} got back less than they deposited").format(
                members=f"{s['members']:,}", losers=f"{s['share_net_losers']:.1%}"
            ),
            _(
                "  money    {deposited} yuan deposited, {paid} paid out, {earned} earned by the "
                "fund"
            ).format(
                deposited=money(s["deposited"], lang),
                paid=money(s["paid_out"], lang),
                earned=money(s["returns_earned"], lang),
            ),
            _("  fund     {fund} yuan at the end against {promised} promised; {collapse}").format(
                fund=money(s["fund_at_end"], lang),
                promised=money(s["promised_at_end"], lang),
                collapse=collapse,
            ),
        ]
    )
