"""What a run's distribution layer paid, for ``summary.json`` and ``bonuses.parquet``.

All figures come from one table, the payouts summed by member, rule, level and reason
(:class:`~sim.distribution.payouts.PayoutLog`), and from the ledger's final balances of the
rules' accounts, so the summary and the tidy table cannot disagree. The figures a regulator
asks about (SPEC §7): how deep compensation reaches (payouts by level, the deepest level
paid), how much of it the buyer's first order triggered (``recruit``: pay for bringing in a
member, 拉人头) rather than later orders (``sale``) or pools (``dividend``), and how
concentrated it is (the best-paid 1%'s share).
"""

from __future__ import annotations

from collections import Counter
from math import ceil

import numpy as np
import pyarrow as pa

from sim.core.units import fen_to_yuan, yuan_array
from sim.distribution.base import DIVIDEND, HELD, RECRUIT, SALE
from sim.distribution.chain import AGENT, BOSS

BONUSES_SCHEMA = pa.schema(
    [
        ("member", pa.int64()),
        ("rule", pa.string()),
        ("level", pa.int64()),
        ("reason", pa.string()),
        ("yuan", pa.float64()),
    ]
)
# the scalar figures, as columns of a batch's runs table (null for a run without the layer)
METRICS = (
    ("distribution_paid", "paid", pa.float64()),
    ("distribution_share_recruit", "share_recruit", pa.float64()),
    ("distribution_share_sale", "share_sale", pa.float64()),
    ("distribution_top1_share", "top1_share", pa.float64()),
    ("distribution_deepest_level", "deepest_level", pa.int64()),
)


def bonus_table(dist) -> pa.Table:
    """One row per member, rule, level and reason: what the rules paid, in yuan."""
    t = dist.log.totals()
    kind = pa.array(t.kind, pa.int64())
    rule = pa.array([r for r, _, _ in t.kinds], pa.string()).take(kind)
    reason = pa.array([r for _, _, r in t.kinds], pa.string()).take(kind)
    columns = [t.member, rule, t.level, reason, yuan_array(t.fen)]
    return pa.table(columns, schema=BONUSES_SCHEMA)


MONEY = ("paid", "paid_by_rule", "paid_by_reason", "paid_by_level", "leftovers", "held", "fees")


def in_yuan(found: dict) -> dict:
    """:func:`figures` as ``summary.json`` holds them: each amount in yuan."""

    def yuan(value):
        if isinstance(value, dict):
            return {key: fen_to_yuan(fen) for key, fen in value.items()}
        if isinstance(value, list):
            return [fen_to_yuan(fen) for fen in value]
        return fen_to_yuan(value)

    return {key: yuan(value) if key in MONEY else value for key, value in found.items()}


def figures(dist, ledger, members: int) -> dict:
    """What the layer paid, exactly (amounts in fen; the keys of :data:`MONEY`), with its
    shares, depth and counts; ``members`` is everyone who joined."""
    t = dist.log.totals()
    total = int(t.fen.sum())
    by_rule: dict[str, int] = {}
    by_reason = dict.fromkeys((RECRUIT, SALE, DIVIDEND), 0)
    levels = [0] * (int(t.level.max()) + 1 if len(t.level) else 1)
    by_kind = np.zeros(len(t.kinds), np.int64)
    np.add.at(by_kind, t.kind, t.fen)
    for (rule, level, reason), fen in zip(t.kinds, by_kind.tolist(), strict=True):
        by_rule[rule] = by_rule.get(rule, 0) + fen
        by_reason[reason] = by_reason.get(reason, 0) + fen
        levels[level] += fen
    per_member = _per_member(t.member, t.fen)
    top = int(np.sort(per_member)[::-1][: ceil(members / 100)].sum()) if members else 0
    kinds = dist.rules.accounts()
    fees = {rule.fees for rule in (dist.venues.regional, dist.venues.service) if rule is not None}
    state = dist.rules.state
    identities = Counter(state.identity.values())

    def share(fen: int) -> float | None:
        return fen / total if total else None

    return {
        "preset": dist.section.preset,
        "rules": [spec.kind for spec in dist.section.specs()],
        "placement": dist.section.placement,
        "paid": total,
        "paid_by_rule": {rule: by_rule[rule] for rule in sorted(by_rule)},
        "paid_by_reason": dict(by_reason),
        "paid_by_level": levels,
        "share_recruit": share(by_reason[RECRUIT]),
        "share_sale": share(by_reason[SALE]),
        "share_dividend": share(by_reason[DIVIDEND]),
        "members_paid": len(per_member),
        "top1_share": share(top),
        "deepest_level": max((lvl for lvl, fen in enumerate(levels) if fen), default=0),
        "leftovers": {name: ledger.balance(name) for name, kind in kinds.items() if kind != HELD},
        "held": {name: ledger.balance(name) for name, kind in kinds.items() if kind == HELD},
        "fees": {name: ledger.balance(name) for name in sorted(fees)},
        "fee_payers": len(dist.fees),
        "regions_sold": len(state.region_owner),
        "service_points": len(state.service_points),
        "shops_recruited": len(state.merchant_promoter),
        "agents": identities[AGENT],
        "bosses": identities[BOSS],
        "tiers": _tiers(dist),
    }


def metrics(summary: dict) -> dict:
    """The scalar figures under their batch column names (None without the layer)."""
    found = summary.get("distribution") or {}
    return {name: found.get(key) for name, key, _ in METRICS}


def _per_member(members: np.ndarray, fen: np.ndarray) -> np.ndarray:
    """Each paid member's total (``members`` sorted, as the totals are)."""
    if not len(members):
        return np.zeros(0, np.int64)
    starts = np.flatnonzero(np.r_[True, members[1:] != members[:-1]])
    return np.add.reduceat(fen, starts)


def _tiers(dist) -> dict[str, int]:
    """Members holding each tier of the ladder at the end."""
    ladder = dist.rules.ladder
    if ladder is None:
        return {}
    members = dist.rules.state.tier_members
    return {tier.name: len(members.get(i, ())) for i, tier in enumerate(ladder.tiers, start=1)}
