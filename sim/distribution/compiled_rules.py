"""The rule set with its per-order walks compiled: a day's orders in one call, what the
rules keep per member held as columns (:mod:`~.compiled_layout`).

:class:`CompiledRules` stands beside a :class:`~sim.distribution.ruleset.RuleSet` and reads
its settings from the same rule objects. Orders go to the compiled twin
(:func:`sim.distribution.compiled_orders.run_orders`); joins are the twin of
``RuleSet.join``; the rules' end-of-day and end-of-run hooks stay the Python ones, fed the
state they read (dividend pools and tiers at a period's end, everything at the close) from
the columns. :func:`unsupported` names what has no compiled twin (a rule of a type this
module does not know): such a rule set runs on the reference, order by order.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.core.capacity import grown
from sim.distribution import compiled_layout as L
from sim.distribution.base import Outcome, Payout
from sim.distribution.chain import ChainMotion
from sim.distribution.compiled_chain import reassign_lines
from sim.distribution.compiled_joins import join_member, join_members
from sim.distribution.compiled_orders import draw_venues, run_orders
from sim.distribution.compiled_purse import (
    G_FROZEN_FREE,
    G_FROZEN_LIVE,
    G_FROZEN_USED,
    G_OUT,
    N_COUNTERS,
)
from sim.distribution.differential import LevelDifferential
from sim.distribution.direct import DirectIndirect
from sim.distribution.dividends import ShareholderDividend, TierDividend
from sim.distribution.merchant import MerchantRecruitment
from sim.distribution.regional import LEVELS, RegionalAgents, RegionMap
from sim.distribution.ruleset import RuleSet
from sim.distribution.service import ServicePoints

# chain motion pays at most four members an order (direct, 见点, and a peer bonus on each)
EARNERS_PER_ORDER = 4
POOLS = (TierDividend, ShareholderDividend)  # paid into a pool per order, out per period
_KINDS = {
    ChainMotion: L.K_CHAIN,
    TierDividend: L.K_POOL,
    ShareholderDividend: L.K_POOL,
    LevelDifferential: L.K_DIFFERENTIAL,
    RegionalAgents: L.K_REGIONAL,
    ServicePoints: L.K_SERVICE,
    DirectIndirect: L.K_DIRECT,
    MerchantRecruitment: L.K_MERCHANT,
}


def unsupported(rules: RuleSet) -> str | None:
    """Why ``rules`` has no compiled twin (None: it has one)."""
    for rule in rules.rules:
        if type(rule) not in _KINDS:
            return f"rule {rule.name} ({type(rule).__name__})"
    return None


class PaidBatch(NamedTuple):
    """What a day's orders paid: one row per payout in order (member, fen, and the ids of
    source account, rule, level, reason), and leftovers (source id, account id) -> fen."""

    rows: np.ndarray
    leftovers: dict[tuple[int, int], int]

    @property
    def members(self) -> np.ndarray:
        return self.rows[:, L.O_MEMBER]

    @property
    def fen(self) -> np.ndarray:
        return self.rows[:, L.O_FEN]

    def payouts(self) -> list[Payout]:
        """The payouts as :class:`Payout` objects, in order."""
        return payouts_of(self.rows)


def payouts_of(rows: np.ndarray) -> list[Payout]:
    """Payout rows (:data:`~.compiled_layout.O_MEMBER`, ...) as :class:`Payout` objects."""
    return [
        Payout(member, fen, L.RULE_NAMES[rule], level, L.REASONS[reason])
        for member, fen, _, rule, level, reason in rows.tolist()
    ]


class CompiledRules:
    def __init__(self, rules: RuleSet, regions: RegionMap, districts: list[int]) -> None:
        why = unsupported(rules)
        if why is not None:
            raise ValueError(f"no compiled twin for {why}")
        self.rules, self.state = rules, rules.state
        names = list(rules.lines)
        for name in rules.accounts():
            if name not in names:
                names.append(name)
        self.accounts = names
        ids = {name: i for i, name in enumerate(names)}
        self.pool_names = [r.pool for r in rules.rules if isinstance(r, POOLS)]
        self.pools = np.zeros(len(self.pool_names), np.int64)
        self.steps = np.zeros((len(rules.rules), L.N_STEP_COLS), np.int64)
        self.width = 1
        for s, rule in enumerate(rules.rules):
            self._step(self.steps[s], rule, ids)
        self.unallocated = [  # (line, its account) for lines whose rules have allotments
            (ids[line], ids[f"unallocated_{line}"])
            for line in rules.lines
            if f"unallocated_{line}" in ids
        ]
        self._ladder(rules)
        self._contribute = any(
            isinstance(r, ChainMotion) and r.contribute == "joined" for r in rules.rules
        )
        self._regions(regions, districts)
        self.ms = np.zeros((0, L.N_MEMBER_COLS), np.int64)
        self.fz = np.zeros((0, L.N_FROZEN_COLS), np.int64)
        self.g = np.zeros(N_COUNTERS, np.int64)
        self.g[G_FROZEN_FREE] = -1
        self._amounts: dict[int, int] = {}  # amount -> row of the per-amount tables
        self.budgets = np.zeros((0, len(rules.rules)), np.int64)
        self.dues = np.zeros((0, len(rules.rules), self.width), np.int64)
        self.unallocated_fen = np.zeros((0, len(self.unallocated)), np.int64)

    # -- settings as integers ------------------------------------------------------------

    def _step(self, p: np.ndarray, rule, ids: dict[str, int]) -> None:
        p[L.S_KIND], p[L.S_LINE] = _KINDS[type(rule)], ids[rule.line]
        p[L.S_UNPAID] = ids[rule.pool if isinstance(rule, POOLS) else rule.unpaid]
        if isinstance(rule, ChainMotion):
            p[L.S_FROZEN] = ids[rule.frozen]
            p[L.S_FREEZE_NUM], p[L.S_FREEZE_DEN] = rule.freeze.numerator, rule.freeze.denominator
            p[L.S_PEER_NUM], p[L.S_PEER_DEN] = rule.peer.numerator, rule.peer.denominator
            p[L.S_BOSS_AT], p[L.S_ORDERS_OVER] = rule.boss_at, rule.orders_over
            p[L.S_PROMOTE_FIRST] = rule.promote_first
            p[L.S_CONTRIBUTE_AGENTS] = rule.contribute == "agents"
            p[L.S_UNLOCK_BOTH] = rule.unlock == "both"
            p[L.S_PEER_TO_OWNER] = rule.peer_to == "team_owner"
            p[L.S_REASSIGN] = bool(rule.reassign_every)
            self.width = max(self.width, 3)
        elif isinstance(rule, LevelDifferential):
            if rule.peer is not None:
                p[L.S_PEER_NUM], p[L.S_PEER_DEN] = rule.peer.numerator, rule.peer.denominator
            p[L.S_INCLUDE_BUYER] = rule.include_buyer
            self.width = max(self.width, len(rule.amounts) + 1)
        elif isinstance(rule, RegionalAgents):
            p[L.S_DIFFERENTIAL] = rule.differential
            self.width = max(self.width, len(LEVELS))
        elif isinstance(rule, POOLS):
            p[L.S_POOL] = self.pool_names.index(rule.pool)
        elif isinstance(rule, DirectIndirect):
            p[L.S_LEVELS] = len(rule.amounts)
            self.width = max(self.width, len(rule.amounts))

    def _ladder(self, rules: RuleSet) -> None:
        ladder = rules.ladder
        tiers = () if ladder is None else ladder.tiers
        self.ladder = np.array(
            [
                [-1 if v is None else v for v in (t.pack, t.own_spend, t.team_volume, t.team_size)]
                for t in tiers
            ],
            np.int64,
        ).reshape(len(tiers), 4)
        self.gates = _gates(() if ladder is None else ladder._volume_gate)
        self.team_gates = _gates(() if ladder is None else ladder._team_gate)
        self.by_volume = ladder is not None and ladder._by_volume
        self.by_team = ladder is not None and ladder._by_team

    def _regions(self, regions: RegionMap, districts: list[int]) -> None:
        top = max([0, *regions.level])
        self.region_level = np.zeros(top + 1, np.int64)
        for region, level in regions.level.items():
            self.region_level[region] = level
        self.region_chain = np.full((max([0, *districts]) + 1, len(LEVELS)), -1, np.int64)
        for d in districts:
            chain = regions.chain(d)
            self.region_chain[d, : len(chain)] = chain

    def _dues(self, amount: int) -> tuple[list[int], list[list[int]], list[int]]:
        """Each step's budget and dues on an order of ``amount`` fen, and each allotted
        line's unallocated rest: ``RuleSet.order``'s budgets, worked out once per amount."""
        rules = self.rules
        parts = self._parts(amount)
        budgets, dues, rest = [], [], {}
        for line, shared in rules.by_line.items():
            left = parts[line]
            for rule in shared:
                allot = rules.allotments.get(rule.name)
                budget = left if allot is None else min(allot.of(amount), left)
                left -= budget
                budgets.append((rules.rules.index(rule), budget))
            rest[line] = left
        row = [0] * len(rules.rules)
        for s, budget in budgets:
            row[s] = budget
        for rule in rules.rules:
            dues.append(_rule_dues(rule, amount))
        names = self.accounts
        return row, dues, [rest[names[line]] for line, _ in self.unallocated]

    # -- the run -------------------------------------------------------------------------

    def bind(self, parts, network) -> None:
        """The order split (amount -> {line: fen}) and the network the orders walk."""
        self._parts, self.network = parts, network

    def _room(self, members: int) -> None:
        if len(self.ms) <= members:
            bigger = np.zeros((grown(len(self.ms), members + 1), L.N_MEMBER_COLS), np.int64)
            bigger[:, L.M_FROZEN_HEAD] = bigger[:, L.M_FROZEN_TAIL] = -1
            bigger[: len(self.ms)] = self.ms
            self.ms = bigger

    def join(self, member: int, recruiter: int | None) -> list[Outcome]:
        """``RuleSet.join`` (the rules supported pay nothing on a join)."""
        self._room(member)
        join_member(
            self.ms, self.network.sponsors(), member, recruiter or 0, *self._join_settings()
        )
        return []

    def _join_settings(self) -> tuple:
        return self._contribute, self.ladder, self.team_gates, self.by_team

    def join_all(self, members: np.ndarray, recruiters: np.ndarray) -> None:
        """:meth:`join` for many joiners at once (ids in order; recruiters 0: none)."""
        if len(members):
            self._room(int(members.max()))
            join_members(
                self.ms, self.network.sponsors(), members, recruiters, *self._join_settings()
            )

    def orders(self, buyers: np.ndarray, amounts: np.ndarray, venues) -> PaidBatch:
        """A day's orders (member ids, fen), in the order applied: what they paid."""
        net = self.network
        self._room(len(net))
        districts = net.regions()
        shops, pickups, owners = self._venues(buyers, districts, venues)
        distinct, where = np.unique(amounts, return_inverse=True)
        kinds = np.array([self._kind(a) for a in distinct.tolist()], np.int64)[where]
        n = len(buyers)
        chain = bool((self.steps[:, L.S_KIND] == L.K_CHAIN).any())
        fresh = EARNERS_PER_ORDER * n  # frozen entries the day can make, at most
        if chain and len(self.fz) < self.g[G_FROZEN_USED] + fresh:
            grown = np.zeros((max(2 * len(self.fz), self.g[G_FROZEN_USED] + fresh), 5), np.int64)
            grown[: len(self.fz)] = self.fz
            self.fz = grown
        releases = self.g[G_FROZEN_LIVE] + fresh  # every entry live today, released at most once
        out = np.zeros((n * self._most() + releases, L.N_OUT_COLS), np.int64)
        left_over = np.zeros((len(self.accounts), len(self.accounts)), np.int64)
        self.g[G_OUT] = 0
        run_orders(
            buyers.astype(np.int64), kinds, amounts.astype(np.int64), districts, pickups, shops,
            self.ms, self.fz, self.g, out, left_over, self.pools, net.sponsors(),
            self.steps, self.budgets, self.dues, self.unallocated_fen,
            np.array(self.unallocated, np.int64).reshape(-1, 2),
            self.region_chain, self.region_level, *owners,
            self.ladder, self.gates, self.by_volume, len(self.ladder),
        )  # fmt: skip
        sources, targets = np.nonzero(left_over)
        moved = {
            (s, t): int(left_over[s, t])
            for s, t in zip(sources.tolist(), targets.tolist(), strict=True)
        }
        return PaidBatch(out[: self.g[G_OUT]], moved)

    def _most(self) -> int:
        """The most payouts one order can make, releases aside."""
        most = 0
        for rule in self.rules.rules:
            if isinstance(rule, ChainMotion):
                most += EARNERS_PER_ORDER
            elif isinstance(rule, LevelDifferential):
                most += 2 * len(rule.amounts) + 1
            elif isinstance(rule, RegionalAgents):
                most += len(LEVELS)
            elif isinstance(rule, DirectIndirect):
                most += len(rule.amounts)
            elif not isinstance(rule, POOLS):
                most += 1
        return most

    def _kind(self, amount: int) -> int:
        found = self._amounts.get(amount)
        if found is None:
            row, dues, rest = self._dues(amount)
            found = self._amounts[amount] = len(self.budgets)
            self.budgets = np.vstack([self.budgets, np.array([row], np.int64)])
            table = np.zeros((1, len(dues), self.width), np.int64)
            for s, values in enumerate(dues):
                table[0, s, : len(values)] = values
            self.dues = np.concatenate([self.dues, table])
            self.unallocated_fen = np.vstack(
                [self.unallocated_fen, np.array([rest], np.int64).reshape(1, -1)]
            )
        return found

    def _venues(self, buyers, districts, venues) -> tuple[np.ndarray, np.ndarray, tuple]:
        """The shops and pickup points of the orders, drawn as ``Distribution.order`` does,
        and the owners of regions, service points and shops as arrays by id."""
        state = self.state
        shops_n = 0 if venues.merchant is None else venues.shops
        owners = (
            owners_by_id(state.region_owner, len(self.region_level) - 1),
            owners_by_id(state.service_points, len(state.service_points)),
            owners_by_id(state.merchant_promoter, shops_n),
        )
        points = venues.service is not None
        starts, listed = np.zeros(len(self.region_chain) + 1, np.int64), []
        if points:
            for d in range(len(self.region_chain)):
                listed += venues.points.get(d, [])
                starts[d + 1] = len(listed)
        share = venues.pickup_share if points else 0.0
        uniforms = venues.draws.peek(2 * len(buyers))
        shops, pickups, used = draw_venues(
            buyers, districts, uniforms, shops_n, points, starts,
            np.array(listed, np.int64), share,
        )  # fmt: skip
        venues.draws.advance(used)
        return shops, pickups, owners

    # -- what the Python hooks read --------------------------------------------------------

    def day(self, day: int, net) -> list[Outcome]:
        """``RuleSet.day``: the pools and (at a period's end) the tiers handed to the rules."""
        state = self.state
        for name, fen in zip(self.pool_names, self.pools.tolist(), strict=True):
            state.pools[name] = fen
        ends = [r for r in self.rules.rules if isinstance(r, POOLS) and not (day + 1) % r.period]
        if any(isinstance(r, TierDividend) for r in ends):
            self._export_tiers()
        if any(isinstance(r, ShareholderDividend) and r.weight == "volume" for r in ends):
            self._export_volumes(state.shareholders)
        out: list[Outcome] = []
        for s, rule in enumerate(self.rules.rules):  # RuleSet.day, chain motion compiled
            if isinstance(rule, ChainMotion):
                out += self._reassign(day, rule, self.steps[s])
            else:
                out += rule.on_day(day, net, state)
        for i, name in enumerate(self.pool_names):
            self.pools[i] = state.pools[name]
        return out

    def _reassign(self, day: int, rule: ChainMotion, step: np.ndarray) -> list[Outcome]:
        """``ChainMotion.on_day``: on a re-assignment day, dead contributed lines swapped
        (:func:`~sim.distribution.compiled_chain.reassign_lines`) and what that unlocks
        released, one outcome per boss."""
        if not rule.reassign_every or (day + 1) % rule.reassign_every:
            return []
        net, ms = self.network, self.ms
        self._room(len(net))
        _, _, first, after, _ = net.arrays()
        out = np.zeros((int(self.g[G_FROZEN_LIVE]), L.N_OUT_COLS), np.int64)
        self.g[G_OUT] = 0
        bosses = int(np.count_nonzero(ms[:, L.M_IDENTITY] == L.BOSS))
        stream = self.state.rng
        used = reassign_lines(
            ms, self.fz, self.g, out, step, first, after, stream.peek(bosses), len(net)
        )
        stream.advance(used)
        outcomes: list[Outcome] = []
        for payout in payouts_of(out[: self.g[G_OUT]]):  # one outcome per boss released
            if outcomes and outcomes[-1].payouts[-1].member == payout.member:
                outcomes[-1] = outcomes[-1]._replace(payouts=(*outcomes[-1].payouts, payout))
            else:
                outcomes.append(Outcome(rule.frozen, (payout,), {}))
        return outcomes

    def close(self, net) -> list[Outcome]:
        """``RuleSet.close``, after the columns are written back to the state."""
        self.export(full=False)
        return self.rules.close(net)

    def _export_volumes(self, members) -> None:
        """Own and team volume of ``members`` (what a dividend weighted by volume reads)."""
        state, ms = self.state, self.ms
        for m in members:
            for name, column in (("own_volume", L.M_OWN_VOLUME), ("team_volume", L.M_TEAM_VOLUME)):
                fen = int(ms[m, column]) if m < len(ms) else 0
                if fen:
                    getattr(state, name)[m] = fen

    def _export_tiers(self) -> None:
        state, ms = self.state, self.ms
        tiered = np.flatnonzero(ms[:, L.M_TIER])
        tiers = ms[tiered, L.M_TIER]
        state.tier = dict(zip(tiered.tolist(), tiers.tolist(), strict=True))
        state.tier_members = {
            t: set(tiered[tiers == t].tolist()) for t in np.unique(tiers).tolist()
        }

    def export(self, full: bool = True) -> None:
        """Write the columns back into the rules' :class:`DistributionState`, in the form the
        reference keeps them (a member appears in a dict once it has an entry there); not
        ``full``: what the close and the summary read (tiers, identities, frozen funds)."""
        state, ms = self.state, self.ms
        self._export_tiers()
        for name, column in (
            ("identity", L.M_IDENTITY),
            ("own_orders", L.M_OWN_ORDERS),
            ("own_volume", L.M_OWN_VOLUME),
            ("team_orders", L.M_TEAM_ORDERS),
            ("team_volume", L.M_TEAM_VOLUME),
            ("agent_recruits", L.M_AGENT_RECRUITS),
            ("recruiter", L.M_RECRUITER),
        )[: None if full else 1]:
            who = np.flatnonzero(ms[:, column])
            setattr(state, name, dict(zip(who.tolist(), ms[who, column].tolist(), strict=True)))
        self._export_frozen()
        for name, fen in zip(self.pool_names, self.pools.tolist(), strict=True):
            state.pools[name] = fen
        if not full:
            return
        state.task_done = set(np.flatnonzero(ms[:, L.M_TASK_DONE]).tolist())
        state.contributed = {
            int(m): [int(x) for x in ms[m, [L.M_LINE_A, L.M_LINE_B]] if x]
            for m in np.flatnonzero(ms[:, L.M_LINE_A])
        }

    def _export_frozen(self) -> None:
        state, ms = self.state, self.ms
        state.frozen = {}
        for m in np.flatnonzero(ms[:, L.M_FROZEN_HEAD] >= 0).tolist():
            parts, e = {}, int(ms[m, L.M_FROZEN_HEAD])
            while e != -1:
                rule, level, reason, fen = self.fz[e, 1:].tolist()
                parts[L.RULE_NAMES[rule], level, L.REASONS[reason]] = fen
                e = int(self.fz[e, L.F_NEXT])
            state.frozen[m] = parts


def _gates(gates) -> np.ndarray:
    """A ladder's gates as integers (none: a figure nothing reaches)."""
    return np.array([min(g, L.NO_GATE) for g in gates] or [0], np.int64)


def _rule_dues(rule, amount: int) -> list[int]:
    """What the compiled walk of ``rule`` reads per order amount."""
    if isinstance(rule, ChainMotion):
        packs = amount // rule.pack
        return [packs, rule.direct * packs, rule.see_point * packs]
    if isinstance(rule, LevelDifferential):
        return list(rule.dues(amount))
    if isinstance(rule, RegionalAgents | DirectIndirect):
        return [a.of(amount) for a in rule.amounts]
    if isinstance(rule, ServicePoints):
        return [rule.reward.of(amount)]
    if isinstance(rule, MerchantRecruitment):
        return [rule.share.of(amount)]
    return []


def owners_by_id(owners: dict[int, int], last: int) -> np.ndarray:
    """A dict of venue id (1 .. ``last``) -> owner as an array by id (0: nobody)."""
    found = np.zeros(max([last, *owners]) + 1, np.int64)
    if owners:
        found[list(owners)] = list(owners.values())
    return found
