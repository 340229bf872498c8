"""Rules against records for a scenario's distribution rules: what its rule set makes due
on the logged tree and orders.

The rules are the model's own (:class:`sim.distribution.ruleset.RuleSet`, built from the
scenario's ``distribution:`` section as a run builds it), fed what the log says, in its
order: each member joins the network (:class:`sim.distribution.network.ReferralNetwork`)
when they first appear, under the logged sponsor; each logged order goes through the rules
on its day, after the book applied it; each day from the log's first to its last ends with
the rules' day (dividends, line re-assignment); the log's end closes them. Each payout is
counted under the record ``kind`` a platform would file it as (:data:`RECORD_KIND`).

What a log does not say is read one way, and said:

- it names no region, service point or shop for an order, so the regional agent, service
  point and merchant rules are not computed, and records of their kinds (``regional``,
  ``service``, ``merchant``) are not checked: :attr:`DistributionDue.unchecked` lists them;
- the logged sponsor is the network the rules walk and the recruiter both (spill-over
  placement is not redone: a platform's export shows where members were placed);
- chain motion's line re-assignment takes line A where the model draws one at random
  (``state.rng`` is None).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sim.core.mechanics import Mechanics
from sim.distribution import build
from sim.distribution.base import Outcome, Payout
from sim.distribution.network import ReferralNetwork
from sim.limits import MAX_DAYS
from sim.scenario.distribution import DistributionSection

# a rule's payouts -> the record kind a platform files them under (sim.replay.eventlog)
RECORD_KIND = {
    "chain_direct": "direct",
    "chain_see_point": "see_point",
    "chain_peer": "peer",
    "level_differential": "differential",
    "peer_bonus": "peer",
    "tier_dividend": "dividend",
    "shareholder_dividend": "dividend",
    "regional_agent": "regional",
    "service_point": "service",
    "merchant_recruitment": "merchant",
}
# rules whose inputs a log does not carry (a region, pickup point or shop per order)
UNLOGGED = ("regional_agent", "service_point", "merchant_recruitment")


def record_kind(payout: Payout) -> str:
    """The record kind of one payout: direct_indirect's level 1 is ``direct``, deeper
    levels ``indirect``."""
    if payout.rule == "direct_indirect":
        return "direct" if payout.level == 1 else "indirect"
    return RECORD_KIND[payout.rule]


class DistributionDue:
    """The scenario's distribution rules run on a log; ``due`` counts fen by (member, kind)."""

    def __init__(self, section: DistributionSection, mechanics: Mechanics, due: Counter):
        regions, _ = build.region_map(section.regions)
        self.rules = build.rule_set(section, regions)
        self.rules.state.rng = None  # no draws: line re-assignment takes line A
        self.founders = build.founders(self.rules, section)
        self.parts = mechanics.parts
        self.network = ReferralNetwork()
        self.ids: dict[str, int] = {}
        self.names = [""]  # id -> member (ids from 1, in order of first appearance)
        self.due = due
        self.unchecked = tuple(
            RECORD_KIND[rule.name] for rule in self.rules.rules if rule.name in UNLOGGED
        )
        self.today: int | None = None  # the first day whose end the rules have not seen
        self.first: int | None = None  # the log's first day

    def beyond(self, day: int) -> str | None:
        """Why ``day`` is too far from the log's first day for the rules to end each day in
        between (None: it is not)."""
        if self.first is None:
            self.first = day
        if day - self.first > MAX_DAYS:
            return (
                f"day {day:,} is {day - self.first:,} days after the log's first day "
                f"{self.first:,}; the distribution rules end each day in turn, for at most "
                f"{MAX_DAYS:,} days"
            )
        return None

    def appear(self, day: int, member: str, sponsor: str | None) -> None:
        """``member`` appears in the log (their join, or their first row of any kind)."""
        self._until(day)
        n = len(self.names)
        self.ids[member] = n
        self.names.append(member)
        self.network.add(n, None if sponsor is None else self.ids[sponsor])
        self._count(self.rules.join(n, self.network))
        if self.founders is not None and n <= self.founders[1]:
            self.founders[0].add(self.rules.state, n)

    def order(self, day: int, buyer: str, amount: int) -> None:
        """An order of ``amount`` fen the book applied."""
        self._until(day)
        parts = self.parts(amount)
        self._count(self.rules.order(self.ids[buyer], amount, parts, self.network, day))

    def close(self, last_day: int | None) -> None:
        """The log ended on ``last_day``: its end, then what the rules name at the close."""
        if last_day is not None:
            self._until(last_day + 1)
        self._count(self.rules.close(self.network))

    def _until(self, day: int) -> None:
        """The end of every day before ``day`` not yet ended."""
        if self.today is None:
            self.today = day
        while self.today < day:
            self._count(self.rules.day(self.today, self.network))
            self.today += 1

    def _count(self, outcomes: Iterable[Outcome]) -> None:
        names, due = self.names, self.due
        for outcome in outcomes:
            for payout in outcome.payouts:
                due[names[payout.member], record_kind(payout)] += payout.amount
