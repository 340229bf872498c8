"""A run of the daily-release scheme (``scheme.kind: daily_release``, 消费全返): the
member-level fund of :mod:`sim.core.release` stepped a day at a time over the scenario's
horizon, its money posted to a ledger, with the same files as any run.

The members come from the scenario's ``inflow`` (drawn as a points-scheme run draws them,
with the same seed); each buys ``order.amount`` once, on the day they join, and pays the
membership fee. The fund's day row has it as ``pool``; the first day it cannot pay the
releases due (and the agents' share) is ``collapse_day``, the day of insolvency.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pyarrow as pa

from sim.core.ledger import Ledger
from sim.core.release import BUYER, MERCHANT, PROMOTER, ReleaseFund, ReleaseTerms
from sim.core.units import fen_to_yuan, yuan_to_fen
from sim.i18n import gettext, money
from sim.model.cohorts import CohortRun, Paid, daily_arrivals, members_table, paid_of, paid_summary
from sim.model.daily import ACCOUNT
from sim.model.release_network import release_network, tree_table

FUND, PAID_OUT, AGENTS = "fund", "withdrawn", "agents"  # ledger accounts
FEES, MEMBERSHIPS = "fees", "memberships"  # sources
MEMBERS_SCHEMA = pa.schema(
    [
        ("member", pa.int64()),
        ("join_day", pa.int64()),
        ("spent", pa.float64()),
        ("withdrawn", pa.float64()),
        ("net_result", pa.float64()),
        ("outstanding", pa.float64()),
    ]
)


def release_terms(scheme) -> ReleaseTerms:
    """The scheme section's terms as exact fractions and fen."""

    def share(value: Decimal | None) -> Fraction:
        return Fraction(value or 0)

    return ReleaseTerms(
        fee_share=share(scheme.fee_share),
        buyer=share(scheme.buyer_multiple),
        merchant=share(scheme.merchant_multiple),
        promoters=share(scheme.promoter_multiple),
        rate=share(scheme.release_rate),
        geometric=scheme.release == "geometric",
        membership_fee=yuan_to_fen(scheme.membership_fee or 0),
        agent_share=share(scheme.agent_share),
    )


def simulate_release(scenario, seed: int | None = None, days: int | None = None) -> CohortRun:
    """Run ``scenario`` (a ``daily_release`` scheme) for ``days`` (default its horizon)."""
    seed = scenario.run.seed if seed is None else seed
    days = scenario.run.days if days is None else days
    fund = ReleaseFund(release_terms(scenario.scheme))
    ledger = Ledger()
    for name, kind in ((FUND, "pool"), (PAID_OUT, "out"), (AGENTS, "out")):
        ledger.open(name, kind)
    arrivals = daily_arrivals(scenario, seed)
    amount = yuan_to_fen(scenario.order.amount)
    rows, joined = [], 0
    for day in range(days):
        count = arrivals(day, joined)
        step = fund.step({amount: count} if count and amount else {}, count)
        new = count if step.sales or step.memberships else 0
        joined += new
        ledger.receive(step.fees, {FUND: step.fees}, source=FEES)
        ledger.receive(step.memberships, {FUND: step.memberships}, source=MEMBERSHIPS)
        ledger.transfer(FUND, AGENTS, step.agents)
        ledger.transfer(FUND, PAID_OUT, step.paid - step.agents)
        ledger.check()
        if ledger.balance(FUND) != fund.fund:
            raise AssertionError(f"day {day}: the ledger's fund is not the fund's")
        rows.append(
            {
                "day": day,
                "pool": step.fund,
                "members_total": joined,
                "new_members": new,
                "inflow": step.sales,
                "fees": step.fees + step.memberships,
                "due": step.due,
                "withdrawals": step.paid - step.agents,
                "agents": step.agents,
                "outstanding": step.outstanding,
                "collapsed": fund.insolvent_at is not None,
                **{f"{ACCOUNT}{a.name}": a.balance for a in ledger.accounts.values()},
            }
        )
    buyers = [a for a in fund.accounts if a.holder == BUYER]
    spent = [amount] * len(buyers)
    paid_in = amount + fund.terms.membership_fee  # a member's net result counts the fee
    members = members_table(
        MEMBERS_SCHEMA,
        [a.count for a in buyers],
        [a.day for a in buyers],
        {
            "spent": spent,
            "withdrawn": [a.released for a in buyers],
            "net_result": [a.released - paid_in for a in buyers],
            "outstanding": [a.remaining for a in buyers],
        },
    )
    promoters = sum(a.released * a.count for a in fund.accounts if a.holder == PROMOTER)
    paid = paid_of([(a.count, paid_in, a.released) for a in buyers], promoters)
    summary = _summary(scenario, seed, days, fund, paid, amount)
    tree = None
    if scenario.network.sponsor != "none":  # who recruited whom, promoters paid on it
        network = release_network(scenario, seed, fund, scenario.scheme.promoter_levels or 1)
        tree = tree_table(network, fund, paid_in)
        members = members.append_column(
            pa.field("sponsor", pa.int64()), pa.array(network.sponsors, mask=network.sponsors == 0)
        ).append_column(
            pa.field("promoter_pay", pa.float64()),
            pa.array([fen_to_yuan(pay) for pay in network.promoter_pay], pa.float64()),
        )
    return CohortRun(scenario, seed, days, rows, summary, members, paid=paid, network=tree)


def _summary(scenario, seed, days, fund: ReleaseFund, paid: Paid, amount: int) -> dict:
    """The key figures of a release run (yuan); ``collapse_day`` None while it pays."""
    members, fee = paid.members, fund.terms.membership_fee
    merchants = sum(a.released * a.count for a in fund.accounts if a.holder == MERCHANT)

    return {
        "scenario": scenario.name,
        "scheme": scenario.scheme.kind,
        "preset": scenario.scheme.preset,
        "seed": seed,
        "days": days,
        "members": members,
        "spent": fen_to_yuan(members * amount),
        "memberships": fen_to_yuan(members * fee),
        "fees_and_memberships": fen_to_yuan(fund.entered),
        "paid_to_buyers": fen_to_yuan(paid.got_back),
        "paid_to_merchants": fen_to_yuan(merchants),
        "paid_to_promoters": fen_to_yuan(paid.to_promoters),
        "paid_to_agents": fen_to_yuan(fund.to_agents),
        "fund_at_end": fen_to_yuan(fund.fund),
        "outstanding_at_end": fen_to_yuan(fund.days[-1].outstanding if fund.days else 0),
        "unpaid_at_insolvency": fen_to_yuan(fund.unpaid),
        "collapse_day": fund.insolvent_at,
        **paid_summary(paid),
    }


def describe_release(s: dict, lang: str = "en") -> str:
    """A short human summary of a release run, in ``lang`` (:mod:`sim.i18n`)."""
    _ = gettext(lang)
    if s["collapse_day"] is not None:
        end = _("insolvent on day {day}").format(day=s["collapse_day"])
    else:
        end = _("still paying at the end")
    preset = f" ({s['preset']})" if s["preset"] else ""
    return "\n".join(
        [
            _(
                "Ran scenario '{scenario}' (daily release{preset}) for {days} days, seed {seed}"
            ).format(scenario=s["scenario"], preset=preset, days=s["days"], seed=s["seed"]),
            _("  members  {members}; {losers} got back less than they paid in").format(
                members=f"{s['members']:,}", losers=f"{s['share_net_losers']:.1%}"
            ),
            _(
                "  money    {spent} yuan spent, {fund} into the fund, {buyers} released to buyers"
            ).format(
                spent=money(s["spent"], lang),
                fund=money(s["fees_and_memberships"], lang),
                buyers=money(s["paid_to_buyers"], lang),
            ),
            _(
                "  fund     {fund} yuan at the end against {outstanding} of points outstanding; "
                "{end}"
            ).format(
                fund=money(s["fund_at_end"], lang),
                outstanding=money(s["outstanding_at_end"], lang),
                end=end,
            ),
        ]
    )
