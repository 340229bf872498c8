"""链动2+1 chain motion (seed 004, 330 of each 1000 pack), as this simulator reads it.

The seed's own arithmetic fixes the budget: per pack, 100 direct reward + 200 见点 + 30 peer
bonus (10% of the 100 and 10% of the 200, seed §三) = 330. A boss's "300 per direct sale" is
the 100 direct reward plus the 200 见点 when the sale is in his own team. Readings of what the
seed leaves open (options where a scenario may want the other reading):

1. Agent (代理): one order of at least one pack. Every order pays, per whole pack in it, not
   only the entry order; ``Payout.reason`` tells recruiting (entry order) from repeat sales.
2. Direct reward, 100 per pack: to the buyer's recruiter if an agent or boss; a recruiter who
   never bought gets nothing (left unpaid).
3. Boss (老板): an agent with ``boss_at`` (3) direct recruits who became agents. With
   ``promote_first`` (default) the order that makes the third agent is already paid at boss
   rates ("成为老板后 300/单" read as including the third); otherwise from the next order.
4. Contributed lines (留给上级的 B1, B2): the first two direct recruits in join order, whether
   or not they ever buy (``contribute="joined"``): the seed's unlock task asks them to become
   agents, which only makes sense if they may not be (its worry is 僵尸账户). With
   ``contribute="agents"`` they are the first two recruits to buy.
5. 见点, 200 per pack, goes to one boss: walking up the network from the buyer, the first
   boss reached *not* through one of his contributed lines. A sale reached through a
   contributed line passes up as if it were that boss's own, at any depth (无限代 = any depth
   within the team). The budget has room for one 200, so bosses above the team get nothing.
6. Peer bonus, 10% (平级奖, 平一级): of each amount a boss earns (direct and 见点), one
   generation only. The seed: "老板拿平级老板（原来推荐关系的下级）的收益的10%" — a boss takes
   10% of what a peer boss who was his recruit (原来推荐关系的下级) earns. ``peer_to``:
   ``recruiter_boss`` (default, that literal reading) pays the earning boss's recruiter,
   when a boss above him in the network; ``team_owner`` pays the boss whose team the
   earning boss is in (the boss his own purchases pay 见点 to, the team he broke away
   from), the reading of earlier versions. An agent's direct reward yields no peer bonus
   (平级 is boss to boss); those 10 are left unpaid, as is a peer bonus with nobody to
   take it.
7. Frozen fund, 20% (链动基金): of every chain payout to a member whose task is not met,
   rounded down to the fen, held in ``chain_frozen``. Task (指定任务): both contributed lines
   are agents or bosses (1), or their teams, the two line heads included, placed more than
   ``orders_over`` (超过20单) orders (2); ``unlock="either"`` (default) or ``"both"``. It is
   checked after every order that reaches a contributed line and when paying; once met,
   everything frozen is released exactly, with its rule, level and reason, and nothing more
   is frozen. :meth:`close` names what is still frozen at the end ``frozen_forever``.
8. Line re-assignment (方案一, ``reassign_every`` days): for each boss whose two contributed
   lines both placed no order in the period, one of them, picked at random (``state.rng``;
   line A with none), is swapped with the boss's most active other direct line (most team
   orders in the period, earliest joined on ties), if it placed any. Only when both are dead:
   the seed's aim is that the upline keeps at least one live line.
9. 三三滑落 (方案二) decides where recruits are placed: :mod:`sim.distribution.spillover`.
   The network is the placement tree; the direct reward goes to the recruiter.

``Payout.level`` is the distance from the buyer up the network.
"""

from __future__ import annotations

from fractions import Fraction

from sim.distribution.base import HELD, KEPT, Outcome, Payout, Purse, Rule
from sim.draws import index

AGENT, BOSS = 1, 2
DIRECT, SEE_POINT, PEER = "chain_direct", "chain_see_point", "chain_peer"
PEER_TO = ("recruiter_boss", "team_owner")  # who takes a boss's peer bonus (point 6)


class ChainMotion(Rule):
    name = "chain_motion"

    def __init__(
        self,
        line: str = "chain_motion",
        *,
        pack: int = 100_000,
        direct: int = 10_000,
        see_point: int = 20_000,
        peer: Fraction = Fraction(1, 10),
        freeze: Fraction = Fraction(1, 5),
        boss_at: int = 3,
        contribute: str = "joined",
        orders_over: int = 20,
        unlock: str = "either",
        reassign_every: int | None = None,
        promote_first: bool = True,
        peer_to: str = "recruiter_boss",
        frozen: str = "chain_frozen",
        unpaid: str = "unpaid_chain_motion",
        forfeited: str = "frozen_forever",
    ) -> None:
        if contribute not in ("joined", "agents"):
            raise ValueError("contribute is 'joined' or 'agents'")
        if unlock not in ("either", "both"):
            raise ValueError("unlock is 'either' or 'both'")
        if peer_to not in PEER_TO:
            raise ValueError(f"peer_to is one of {PEER_TO}")
        self.peer_to = peer_to
        if pack <= 0 or boss_at < 1 or (reassign_every is not None and reassign_every < 1):
            raise ValueError("pack, boss_at and reassign_every must be positive")
        self.line, self.pack, self.direct, self.see_point = line, pack, direct, see_point
        self.peer, self.freeze = Fraction(peer), Fraction(freeze)
        self.boss_at, self.contribute, self.orders_over = boss_at, contribute, orders_over
        self.unlock, self.reassign_every, self.promote_first = unlock, reassign_every, promote_first
        self.frozen, self.unpaid, self.forfeited = frozen, unpaid, forfeited
        self._period: dict[int, int] = {}  # orders in each member's team (self included)

    def accounts(self):
        return {self.frozen: HELD, self.unpaid: KEPT, self.forfeited: KEPT}

    # -- hooks ------------------------------------------------------------------------------

    def on_join(self, member, net, state):
        recruiter = state.recruiter_of(member, net)
        if self.contribute == "joined" and recruiter is not None:
            self._contribute(recruiter, member, net, state)
        return []

    def pay(self, order, budget, net, state):
        buyer, upline = order.buyer, order.upline
        packs = order.amount // self.pack
        purse = Purse(self.line, budget)
        released: list[Outcome] = []
        joins = packs > 0 and not state.identity.get(buyer)
        if joins and self.promote_first:
            self._promote(buyer, net, state)
        if packs:
            for member, pos, gross, rule in self._earnings(order, packs, net, state):
                self._credit(purse, state, member, purse.cap(gross), rule, pos + 1, order)
        if joins and not self.promote_first:
            self._promote(buyer, net, state)
        child = buyer
        for p in upline:
            if p in state.frozen and child in state.contributed.get(p, ()):
                released += self._settle(p, state)
            child = p
        if self.reassign_every:
            period = self._period
            for m in (buyer, *upline):
                period[m] = period.get(m, 0) + 1
        return [purse.close(self.unpaid), *released]

    def on_day(self, day, net, state):
        if not self.reassign_every or (day + 1) % self.reassign_every:
            return []
        out: list[Outcome] = []
        active = self._period
        bosses = sorted(m for m, who in state.identity.items() if who == BOSS)
        for boss in bosses:
            lines = state.contributed.get(boss, [])
            if not lines or any(active.get(b, 0) for b in lines):
                continue
            others = [x for x in net.lines(boss) if x not in lines and active.get(x, 0)]
            if not others:
                continue
            best = max(others, key=lambda x: active[x])
            pick = 0 if state.rng is None else index(state.rng, len(lines))
            lines[pick] = best
            if boss in state.frozen:
                out += self._settle(boss, state)
        self._period = {}
        return out

    def close(self, net, state):
        total = sum(sum(parts.values()) for parts in state.frozen.values())
        state.frozen.clear()
        return [Outcome(self.frozen, (), {self.forfeited: total})] if total else []

    # -- who earns what ---------------------------------------------------------------------

    def _earnings(self, order, packs, net, state):
        """(member, position in the upline, gross fen, rule) for one order, in paying order."""
        upline, identity = order.upline, state.identity
        out = []
        recruiter = state.recruiter_of(order.buyer, net)
        if recruiter is not None and identity.get(recruiter) and recruiter in upline:
            out.append((recruiter, upline.index(recruiter), self.direct * packs, DIRECT))
        owner = self._owner(order.buyer, upline, 0, state)
        if owner is not None:
            out.append((upline[owner], owner, self.see_point * packs, SEE_POINT))
        for member, pos, gross, _ in list(out):
            if identity.get(member) == BOSS:
                above = self._peer_of(member, upline, pos, net, state)
                if above is not None:
                    bonus = self.peer.numerator * gross // self.peer.denominator
                    out.append((upline[above], above, bonus, PEER))
        return out

    def _peer_of(self, boss, upline, pos, net, state) -> int | None:
        """Position in ``upline`` of who takes the peer bonus on what ``boss`` (at ``pos``)
        earns, by ``peer_to``; None: nobody (left unpaid)."""
        if self.peer_to == "team_owner":
            return self._owner(boss, upline, pos + 1, state)
        recruiter = state.recruiter_of(boss, net)
        if state.identity.get(recruiter) == BOSS and recruiter in upline[pos + 1 :]:
            return upline.index(recruiter, pos + 1)
        return None

    @staticmethod
    def _owner(child, upline, start, state) -> int | None:
        """Position in ``upline`` of the boss whose team ``child`` (at ``start - 1``) is in."""
        identity, contributed = state.identity, state.contributed
        for i in range(start, len(upline)):
            p = upline[i]
            if identity.get(p) == BOSS and child not in contributed.get(p, ()):
                return i
            child = p
        return None

    def _promote(self, buyer, net, state) -> None:
        identity, recruits = state.identity, state.agent_recruits
        identity[buyer] = BOSS if recruits.get(buyer, 0) >= self.boss_at else AGENT
        recruiter = state.recruiter_of(buyer, net)
        if recruiter is None:
            return
        recruits[recruiter] = recruits.get(recruiter, 0) + 1
        if identity.get(recruiter) == AGENT and recruits[recruiter] >= self.boss_at:
            identity[recruiter] = BOSS
        if self.contribute == "agents":
            self._contribute(recruiter, buyer, net, state)

    @staticmethod
    def _contribute(recruiter, member, net, state) -> None:
        lines = state.contributed.setdefault(recruiter, [])
        if len(lines) < 2 and net.sponsor(member) == recruiter:
            lines.append(member)

    # -- the frozen fund --------------------------------------------------------------------

    def _credit(self, purse, state, member, amount, rule, level, order) -> None:
        held = 0
        if self.freeze and member not in state.task_done and not self._met(member, state):
            held = self.freeze.numerator * amount // self.freeze.denominator
            if held:
                parts = state.frozen.setdefault(member, {})
                key = (rule, level, order.reason)
                parts[key] = parts.get(key, 0) + held
                purse.park(self.frozen, held)
        purse.pay(member, amount - held, rule, level, order.reason)

    def _met(self, member, state) -> bool:
        """Whether the member's task is met (and if so, remember it)."""
        lines = state.contributed.get(member, ())
        agents = len(lines) == 2 and all(state.identity.get(b) for b in lines)
        orders = sum(state.own_orders.get(b, 0) + state.team_orders.get(b, 0) for b in lines)
        busy = orders > self.orders_over
        met = (agents or busy) if self.unlock == "either" else (agents and busy)
        if met:
            state.task_done.add(member)
        return met

    def _settle(self, member, state) -> list[Outcome]:
        """Release everything frozen for ``member`` if the task is now met."""
        if not self._met(member, state):
            return []
        parts = state.frozen.pop(member, {})
        payouts = tuple(
            Payout(member, amount, rule, level, reason)
            for (rule, level, reason), amount in parts.items()
        )
        return [Outcome(self.frozen, payouts, {})] if payouts else []
