"""The net-investment method, the one receivers and courts use on a scheme's records: per
member, money paid in against money paid out, where *out* means cash that left the platform
(withdrawn to a bank), not cash merely credited to an on-platform balance.

Money a member is owed but has not got is shown beside it, never mixed in: cash credited
but still on the platform (``cash_balance``; of it, ``queued`` is waiting in the withdrawal
queue, which a halted or capped platform may never pay) and points held at the final price
(a sale would pay ``sell_payout`` of that). With those counted, the same members can look
like winners — in the halt scenario most of the "paid" money is in the queue.

Net winners got out more than they paid in; the sum of their net winnings is the
*clawback pool* a receiver would sue to recover. Net losers paid in more than they got out.
Everything is decided in exact fen and point units; amounts become yuan here, once.
"""

from __future__ import annotations

from fractions import Fraction

import pandas as pd

from sim.core.units import fen_to_yuan, price_to_yuan


def net_investment(members: pd.DataFrame, price: Fraction, unit: int, payout: Fraction) -> dict:
    """The net-investment table of one run from its exact members table (fen, units), the
    closing ``price`` (fen per unit), the point ``unit`` and the ``sell_payout``."""
    spent = [int(v) for v in members["spent"]]
    out = [int(v) for v in members["withdrawn"]]
    credited = [int(v) for v in members["cash_balance"]]
    queued = [int(v) for v in members["queued"]] if "queued" in members else [0] * len(spent)
    held = [int(v) for v in members["points_held"]]
    nets = [o - s for o, s in zip(out, spent, strict=True)]
    part = [i for i, (s, o) in enumerate(zip(spent, out, strict=True)) if s > 0 or o > 0]
    # with credited cash, then also the points at the final price and payout, decided exactly
    p, q = (payout * price).numerator, (payout * price).denominator
    with_credit = [n + c for n, c in zip(nets, credited, strict=True)]
    with_points = [q * (n + c) + p * h for n, c, h in zip(nets, credited, held, strict=True)]
    losers = sum(1 for i in part if nets[i] < 0)
    value = price * sum(held)
    return {
        "method": "per member: cash withdrawn from the platform minus money paid in",
        "participants": len(part),
        "net_winners": sum(1 for i in part if nets[i] > 0),
        "net_losers": losers,
        "even": sum(1 for i in part if nets[i] == 0),
        "share_net_losers": losers / len(part) if part else 0.0,
        "paid_in": fen_to_yuan(sum(spent)),
        "paid_out": fen_to_yuan(sum(out)),
        "clawback_pool": fen_to_yuan(sum(n for n in nets if n > 0)),
        "net_losses": fen_to_yuan(-sum(n for n in nets if n < 0)),
        "credited_on_platform": fen_to_yuan(sum(credited)),
        "queued_for_withdrawal": fen_to_yuan(sum(queued)),
        "points_value_at_final_price": float(value / 100),
        "net_winners_counting_credited": sum(1 for i in part if with_credit[i] > 0),
        "net_winners_counting_points": sum(1 for i in part if with_points[i] > 0),
        "final_price": price_to_yuan(price, unit),
    }


def net_investment_metrics(summary: dict) -> dict:
    """The net-investment table of a run's summary as the runs table's scalars."""
    return {f"net_investment_{key}": value for key, value in summary["net_investment"].items()}
