"""A comparison scheme's run (``classic_ponzi``, ``daily_release``) in the runs table's
columns, so that one batch (and ``compare``) holds 消费增值 beside the schemes courts judged.

Only the columns that mean the same thing under every scheme are filled: who joined, the
money members paid in and what was paid back to them, the net losers (cash back below the
money paid in, goods not counted, as the net-investment method does), the first day money
due went unpaid, the ledger's balance and the red flags raised
(:mod:`sim.analysis.scheme_flags`). The points scheme's own columns (price, sales,
forced exits, bonuses, the money-flow shares) are null for them; ``fund_at_end`` and
``owed_at_end`` are theirs (null for 消费增值, which promises no cash: its points are worth
pool ÷ points, and its pool is in the time series).
"""

from __future__ import annotations

from sim.analysis.redflags_org import DEFAULT_READING
from sim.batch.columns import METRICS

POINTS_SCHEME = "consumption_appreciation"  # the runs' scheme column for 消费增值
CONDITION = "unpaid_withdrawals"  # what stops a comparison scheme: it cannot pay what is due
# the runs table's metrics a comparison run has (the others do not apply to it: "n/a")
FILLED = frozenset(
    {
        "members", "members_who_bought", "money_entered", "paid_to_members",
        "withdrawn_by_members", "share_of_buyers_losing", "net_investment_participants",
        "net_investment_net_losers", "net_investment_share_net_losers",
        "net_investment_net_winners", "net_investment_net_losses",
        "net_investment_clawback_pool", "collapsed",
        "collapse_day", "collapse_condition", "unpaid_withdrawals_day", "fund_at_end",
        "owed_at_end", "ledger_balanced", "red_flags_raised",
    }
)  # fmt: skip


def scheme_metrics(summary: dict) -> dict:
    """The runs-table row of a comparison run's ``summary.json`` (:data:`METRICS` order)."""
    ponzi = summary["scheme"] == "classic_ponzi"
    if ponzi:
        money_in, paid, owed = summary["deposited"], summary["paid_out"], summary["promised_at_end"]
    else:
        money_in = summary["spent"] + summary["memberships"]
        paid = summary["paid_to_buyers"] + summary["paid_to_merchants"]
        paid += summary["paid_to_promoters"]
        owed = summary["outstanding_at_end"]
    members, day = summary["members"], summary["collapse_day"]
    found = {
        "scheme": summary["scheme"],
        "members": members,
        "members_who_bought": members,
        "money_entered": money_in,
        "paid_to_members": paid,
        "withdrawn_by_members": paid,  # released or withdrawn cash leaves at once
        "share_of_buyers_losing": summary["share_net_losers"],
        "net_investment_participants": members,
        "net_investment_net_losers": summary["net_losers"],
        "net_investment_share_net_losers": summary["share_net_losers"],
        "net_investment_net_winners": summary["net_winners"],
        "net_investment_net_losses": summary["net_losses"],
        "net_investment_clawback_pool": summary["clawback_pool"],
        "collapsed": day is not None,
        "collapse_day": day,
        "collapse_condition": None if day is None else CONDITION,
        "unpaid_withdrawals_day": day,
        "fund_at_end": summary["fund_at_end"],
        "owed_at_end": owed,
        "ledger_balanced": True,  # each day's ledger.check() raised otherwise
        "red_flags_raised": raised_flags(summary),
    }
    return {name: found.get(name) for name, _ in METRICS}


def applies(metric: str, scheme: object) -> bool:
    """Whether a runs-table ``metric`` means something for a run of ``scheme`` (a batch made
    before the scheme column has none: 消费增值)."""
    return not isinstance(scheme, str) or scheme == POINTS_SCHEME or metric in FILLED


def raised_flags(summary: dict) -> str:
    """The red flags a run raised (``summary["red_flags"]``; the pyramid flags under the
    default reading, the operator as organiser), their keys sorted, comma-separated."""
    raised = {
        flag["key"]
        for flag in summary.get("red_flags", [])
        if flag["raised"] and flag.get("reading", DEFAULT_READING) == DEFAULT_READING
    }
    return ",".join(sorted(raised))
