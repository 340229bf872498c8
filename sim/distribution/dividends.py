"""分红 dividend pools: every order parks its budget in a pool, paid out once per period.

Tier dividend (seed 004's 链动分红: 40 per pack; 董事平分30%，联创平分30%，合伙人平分40%):
at the end of each period each tier's share of the pool is split equally among the members
holding exactly that tier on that day. A tier with nobody in it leaves its share to
``unclaimed_dividend`` (the platform keeps it); the fen lost to equal division, and any share
the table does not assign, stay in the pool for the next period.

Weighted shareholder dividend (股东加权分红, seed 001, no figures given): the pool is split
among registered shareholders in proportion to a weight: their ``shares`` (registered with
:meth:`ShareholderDividend.add`) or their ``volume`` (own plus team orders in fen during the
period, 业绩加权). Rounding and a period with no weight leave the money in the pool.

Periods end on days ``period - 1``, ``2 * period - 1``, ... (day 0 is the first day).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from sim.distribution.base import DIVIDEND, HELD, KEPT, Outcome, Purse, Rule
from sim.distribution.tiers import TierLadder


class _Pool(Rule):
    """Parks each order's budget in ``pool``; pays it out at the end of each period."""

    pool = "pool"
    period = 30

    def pay(self, order, budget, net, state):
        state.pools[self.pool] = state.pools.get(self.pool, 0) + budget
        return [Outcome(self.line, (), {self.pool: budget} if budget else {})]

    def on_day(self, day, net, state):
        balance = state.pools.get(self.pool, 0)
        if (day + 1) % self.period:
            return []
        purse = Purse(self.pool, balance)
        self.share_out(purse, net, state)
        state.pools[self.pool] = purse.left
        outcome = purse.outcome()
        return [outcome] if outcome.total else []

    def share_out(self, purse: Purse, net, state) -> None:
        raise NotImplementedError


class TierDividend(_Pool):
    name = "tier_dividend"

    def __init__(
        self,
        ladder: TierLadder,
        shares: Mapping[str, Fraction],
        line: str = "chain_dividend",
        *,
        period: int = 30,
        pool: str = "tier_dividend_pool",
        unclaimed: str = "unclaimed_dividend",
    ) -> None:
        self.shares = {ladder.index(name): Fraction(s) for name, s in shares.items()}
        if sum(self.shares.values()) > 1 or any(s < 0 for s in self.shares.values()):
            raise ValueError("tier shares must be >= 0 and sum to at most 1")
        if period < 1:
            raise ValueError("a period is at least one day")
        self.line, self.period, self.pool, self.unpaid = line, period, pool, unclaimed

    def accounts(self):
        return {self.pool: HELD, self.unpaid: KEPT}

    def share_out(self, purse, net, state):
        balance = purse.left
        for tier in sorted(self.shares, reverse=True):
            share = self.shares[tier]
            amount = share.numerator * balance // share.denominator
            members = sorted(state.tier_members.get(tier, ()))
            if not members:
                purse.park(self.unpaid, amount)
                continue
            purse.pay_each(members, amount // len(members), self.name, 0, DIVIDEND)


class ShareholderDividend(_Pool):
    name = "shareholder_dividend"

    def __init__(
        self,
        line: str,
        *,
        weight: str = "shares",
        period: int = 30,
        pool: str = "shareholder_pool",
    ) -> None:
        if weight not in ("shares", "volume"):
            raise ValueError("weight is 'shares' or 'volume'")
        if period < 1:
            raise ValueError("a period is at least one day")
        self.line, self.weight, self.period, self.pool = line, weight, period, pool
        self._start: dict[int, int] = {}  # volume at the start of the period

    def accounts(self):
        return {self.pool: HELD}

    def add(self, state, member: int, weight: int = 1) -> None:
        """Register a shareholder (or add to their shares)."""
        if weight <= 0:
            raise ValueError("a shareholder's weight is > 0")
        state.shareholders[member] = state.shareholders.get(member, 0) + weight
        self._start.setdefault(member, _volume(state, member))

    def share_out(self, purse, net, state):
        members = sorted(state.shareholders)
        if self.weight == "shares":
            weights = [state.shareholders[m] for m in members]
        else:
            now = [_volume(state, m) for m in members]
            weights = [v - self._start.get(m, 0) for m, v in zip(members, now, strict=True)]
            self._start.update(zip(members, now, strict=True))
        total, balance = sum(weights), purse.left
        if not total:
            return
        for member, w in zip(members, weights, strict=True):
            purse.pay(member, balance * w // total, self.name, 0, DIVIDEND)


def _volume(state, member: int) -> int:
    return state.own_volume.get(member, 0) + state.team_volume.get(member, 0)
