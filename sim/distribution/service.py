"""服务点 service points (seed 004): franchise fees in (9,800 each), a reward per pickup out
(20 per pack, paid when the order is collected at the point: 核销时平台给予服务点20元).

Orders name their pickup point (``Order.pickup``); an order with no pickup, or picked up at a
point nobody owns, leaves the reward unpaid.
"""

from __future__ import annotations

from sim.distribution.amounts import Amount
from sim.distribution.base import Income, Purse, Rule
from sim.distribution.booking import SERVICE_POINT_FEES


class ServicePoints(Rule):
    name = "service_point"
    fees = SERVICE_POINT_FEES

    def __init__(
        self, reward: Amount, line: str = "service_point", *, unpaid="unpaid_service_point"
    ) -> None:
        self.reward, self.line, self.unpaid = reward, line, unpaid

    def open(self, state, point: int, owner: int, fee: int) -> Income:
        """``owner`` opens ``point`` for a franchise fee of ``fee`` fen: platform income."""
        if point in state.service_points:
            raise ValueError(f"service point {point} is already open")
        state.service_points[point] = owner
        return Income(self.fees, fee, owner, f"service point {point}")

    def pay(self, order, budget, net, state):
        purse = Purse(self.line, budget)
        owner = state.service_points.get(order.pickup)
        if owner is not None:
            purse.pay(owner, purse.cap(self.reward.of(order.amount)), self.name, 0, order.reason)
        return [purse.close(self.unpaid)]
