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

import numpy as np
import pandas as pd

from sim.core.exact_sign import exact_columns, signs
from sim.core.units import fen_to_yuan, price_to_yuan


def net_investment(members: pd.DataFrame, price: Fraction, unit: int, payout: Fraction) -> dict:
    """The net-investment table of one run from its exact members table (fen, units), the
    closing ``price`` (fen per unit), the point ``unit`` and the ``sell_payout``."""
    zeros = np.zeros(len(members), np.int64)
    spent, out, credited, queued, held = exact_columns(
        members["spent"],
        members["withdrawn"],
        members["cash_balance"],
        members.get("queued", zeros),
        members["points_held"],
    )
    nets = out - spent
    part = (spent > 0) | (out > 0)
    # with credited cash, then also the points at the final price and payout, decided exactly
    with_credit = nets + credited
    with_points = signs(with_credit, held, payout * price)
    losers = int(np.count_nonzero(part & (nets < 0)))
    participants = int(np.count_nonzero(part))
    value = price * int(held.sum())
    return {
        "method": "per member: cash withdrawn from the platform minus money paid in",
        "participants": participants,
        "net_winners": int(np.count_nonzero(part & (nets > 0))),
        "net_losers": losers,
        "even": int(np.count_nonzero(part & (nets == 0))),
        "share_net_losers": losers / participants if participants else 0.0,
        "paid_in": fen_to_yuan(int(spent.sum())),
        "paid_out": fen_to_yuan(int(out.sum())),
        "clawback_pool": fen_to_yuan(int(nets[nets > 0].sum())),
        "net_losses": fen_to_yuan(-int(nets[nets < 0].sum())),
        "credited_on_platform": fen_to_yuan(int(credited.sum())),
        "queued_for_withdrawal": fen_to_yuan(int(queued.sum())),
        "points_value_at_final_price": float(value / 100),
        "net_winners_counting_credited": int(np.count_nonzero(part & (with_credit > 0))),
        "net_winners_counting_points": int(np.count_nonzero(part & (with_points > 0))),
        "final_price": price_to_yuan(price, unit),
    }


def net_investment_metrics(summary: dict) -> dict:
    """The net-investment table of a run's summary as the runs table's scalars."""
    return {f"net_investment_{key}": value for key, value in summary["net_investment"].items()}
