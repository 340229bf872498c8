"""Rules against records: the bonuses the scenario's published rules would pay on the
logged tree and orders, beside what the platform's records say it paid.

Two rule sets may be published (a scenario sets one of them: both is an input error):

- the two-level referral (``referral.direct`` and ``indirect``, paid out of
  ``referral.paid_from``): each logged order owes its buyer's sponsor the direct share
  (record kind ``direct``) and the sponsor's sponsor the indirect share (``indirect``),
  within the order's share of the line — :class:`sim.core.referral.TwoLevel`, the rule the
  model pays, on the sponsor tree as it stood when the order was placed;
- the ``distribution`` rules (:mod:`sim.replay.distribution_due`): chain motion, level
  differential, peer bonus, direct/indirect schedules, tier and shareholder dividends, each
  payout under the record kind a platform files it as. Rules whose inputs a log does not
  carry (regional agents, service points, merchants) are not computed, and records of
  their kinds are left out of the comparison (``unchecked``), not reported as over-paid.

Records of any other kind are due nothing. A platform paying more than its own rules allow
is a finding; paying less is one too (members were shorted).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from fractions import Fraction

import pyarrow as pa

from sim.core.mechanics import Mechanics
from sim.core.referral import TwoLevel
from sim.core.units import fen_to_yuan
from sim.replay.distribution_due import DistributionDue
from sim.replay.event_rules import BONUS_KINDS
from sim.scenario.distribution import DistributionSection

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


class ReferralDue:
    """What the published two-level referral rule owes, added to ``due`` (fen by (member,
    kind))."""

    def __init__(self, direct: Fraction, indirect: Fraction, line: str, mechanics: Mechanics):
        self.rule = TwoLevel(direct, indirect, line)
        self.mechanics = mechanics

    def order(
        self, buyer: str, amount: int, sponsor: Callable[[str], str | None], due: Counter
    ) -> None:
        """An order of ``amount`` fen by ``buyer``: what it owes up the tree."""
        budget = self.mechanics.parts(amount)[self.rule.line]
        for bonus in self.rule.payouts(buyer, amount, budget, sponsor):
            due[bonus.member, LEVEL_KINDS[bonus.level]] += bonus.amount


class Entitlement:
    """What the scenario's published rules owe each member, by record kind, in fen
    (``due``); the record kinds it cannot compute from a log (``unchecked``)."""

    def __init__(
        self,
        mechanics: Mechanics,
        referral: tuple[Fraction, Fraction, str] | None = None,
        distribution: DistributionSection | None = None,
    ) -> None:
        self.due: Counter = Counter()
        self.referral = None if referral is None else ReferralDue(*referral, mechanics)
        self.distribution = (
            None if distribution is None else DistributionDue(distribution, mechanics, self.due)
        )
        self.unchecked = () if self.distribution is None else self.distribution.unchecked

    @classmethod
    def of(cls, scenario) -> Entitlement | None:
        """The scenario's rules, or None if it pays no bonus by rule."""
        spec = scenario.referral
        referral = None
        if spec.direct or spec.indirect:
            referral = (Fraction(spec.direct), Fraction(spec.indirect), spec.paid_from)
        if referral is None and scenario.distribution is None:
            return None
        return cls(scenario.mechanics(), referral, scenario.distribution)

    def beyond(self, day: int) -> str | None:
        """Why the rules cannot reach ``day`` (None: they can)."""
        return None if self.distribution is None else self.distribution.beyond(day)

    def appear(self, day: int, member: str, sponsor: str | None) -> None:
        """``member`` first appears in the log, under ``sponsor``."""
        if self.distribution is not None:
            self.distribution.appear(day, member, sponsor)

    def order(
        self, day: int, buyer: str, amount: int, sponsor: Callable[[str], str | None]
    ) -> None:
        """An order of ``amount`` fen by ``buyer`` on ``day``, applied by the book."""
        if self.referral is not None:
            self.referral.order(buyer, amount, sponsor, self.due)
        if self.distribution is not None:
            self.distribution.order(day, buyer, amount)

    def close(self, last_day: int | None) -> None:
        """The log ended on ``last_day``."""
        if self.distribution is not None:
            self.distribution.close(last_day)

    def checked(self, paid: Counter) -> Counter:
        """The records' payments the rules can be held against (kinds not ``unchecked``)."""
        skip = set(self.unchecked)
        return Counter({key: fen for key, fen in paid.items() if key[1] not in skip})

    def unchecked_paid(self, paid: Counter) -> dict[str, int]:
        """Fen the records paid under each unchecked kind."""
        out = dict.fromkeys(self.unchecked, 0)
        for (_, kind), fen in paid.items():
            if kind in out:
                out[kind] += fen
        return out


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
