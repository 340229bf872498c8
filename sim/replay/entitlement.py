"""Rules against records: the bonuses the scenario's published rules would pay on the
logged tree and orders, beside what the platform's records say it paid.

The rule is the scenario's two-level referral (``referral.direct`` and ``indirect``, paid out
of ``referral.paid_from``): each logged order owes its buyer's sponsor the direct share
(record kind ``direct``) and the sponsor's sponsor the indirect share (``indirect``), within
the order's share of the line — :class:`sim.core.referral.TwoLevel`, the rule the model
pays, on the sponsor tree as it stood when the order was placed. Records of any other kind
are due nothing under it. A platform paying more than its own rules allow is a finding;
paying less is one too (members were shorted).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from fractions import Fraction

import pyarrow as pa

from sim.core.mechanics import Mechanics
from sim.core.referral import TwoLevel
from sim.core.units import fen_to_yuan
from sim.replay.eventlog import BONUS_KINDS

LEVEL_KINDS = {1: "direct", 2: "indirect"}  # a referral level's record kind

CHECK_SCHEMA = pa.schema(
    [
        ("member", pa.string()),
        ("kind", pa.string()),
        ("paid", pa.float64()),
        ("due", pa.float64()),
        ("difference", pa.float64()),
    ]
)


class Entitlement:
    """What the published referral rule owes each member, by record kind, in fen."""

    def __init__(self, direct: Fraction, indirect: Fraction, line: str, mechanics: Mechanics):
        self.rule = TwoLevel(direct, indirect, line)
        self.mechanics = mechanics
        self.due: Counter = Counter()  # fen by (member, kind)

    @classmethod
    def of(cls, scenario) -> Entitlement | None:
        """The scenario's rule, or None if it pays no referral bonus."""
        spec = scenario.referral
        if not spec.direct and not spec.indirect:
            return None
        return cls(
            Fraction(spec.direct), Fraction(spec.indirect), spec.paid_from, scenario.mechanics()
        )

    def order(self, buyer: str, amount: int, sponsor: Callable[[str], str | None]) -> None:
        """An order of ``amount`` fen by ``buyer``: what it owes up the tree."""
        budget = self.mechanics.parts(amount)[self.rule.line]
        for bonus in self.rule.payouts(buyer, amount, budget, sponsor):
            self.due[bonus.member, LEVEL_KINDS[bonus.level]] += bonus.amount


def check_rows(paid: Counter, due: Counter, order: list[str]) -> list[dict]:
    """Per member (in ``order``) and kind: paid by records, due by rules, their difference."""
    rank = {kind: i for i, kind in enumerate(BONUS_KINDS)}
    place = {member: i for i, member in enumerate(order)}
    keys = sorted(set(paid) | set(due), key=lambda k: (place.get(k[0], len(place)), rank[k[1]]))
    return [
        {
            "member": member,
            "kind": kind,
            "paid": fen_to_yuan(paid[member, kind]),
            "due": fen_to_yuan(due[member, kind]),
            "difference": fen_to_yuan(paid[member, kind] - due[member, kind]),
        }
        for member, kind in keys
    ]


def findings(paid: Counter, due: Counter) -> dict[str, int]:
    """Totals in fen: paid, due, paid beyond what was due (over) and due but not paid
    (short), and how many members were overpaid and shorted."""
    members_over, members_short = Counter(), Counter()
    for key in set(paid) | set(due):
        gap = paid[key] - due[key]
        if gap > 0:
            members_over[key[0]] += gap
        elif gap < 0:
            members_short[key[0]] -= gap
    return {
        "paid": sum(paid.values()),
        "due": sum(due.values()),
        "over": sum(members_over.values()),
        "short": sum(members_short.values()),
        "members_over": len(members_over),
        "members_short": len(members_short),
    }
