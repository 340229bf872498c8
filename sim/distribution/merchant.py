"""招商 merchant recruitment (seed 001): a promoter who brings a shop onto the platform earns
0.5% of that shop's turnover (享受后续门店流水的0.5%), for as long as it trades.

Orders name the shop they were placed in (``Order.merchant``); an order in a shop nobody
recruited, or in no shop, leaves the amount unpaid.
"""

from __future__ import annotations

from sim.distribution.amounts import Amount
from sim.distribution.base import Purse, Rule


class MerchantRecruitment(Rule):
    name = "merchant_recruitment"

    def __init__(
        self, share: Amount, line: str = "distribution", *, unpaid="unpaid_merchant_recruitment"
    ) -> None:
        self.share, self.line, self.unpaid = share, line, unpaid

    def register(self, state, merchant: int, promoter: int) -> None:
        if merchant in state.merchant_promoter:
            raise ValueError(f"merchant {merchant} was already recruited")
        state.merchant_promoter[merchant] = promoter

    def pay(self, order, budget, net, state):
        purse = Purse(self.line, budget)
        promoter = state.merchant_promoter.get(order.merchant)
        if promoter is not None:
            due = purse.cap(self.share.of(order.amount))
            purse.pay(promoter, due, self.name, 0, order.reason)
        return [purse.close(self.unpaid)]
