"""The rules of one scenario, applied to each join, order and day of a run.

Per order: the buyer's upline is read once, the order is counted once in the shared state,
then each split line's budget goes to the rules paid from it, in the order given. A line may
feed several rules (seeds 000/001 pay direct, indirect, regional and merchant rewards out of
one 2% line); each such rule then has an *allotment* (its share of the order) and what no
allotment claims goes to ``unallocated_<line>``. A line with one rule gives it all.
After the rules pay, the tier ladder (if any) promotes: an order counts toward a tier from the
next order on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sim.distribution.amounts import Amount
from sim.distribution.base import KEPT, Network, Order, Outcome, Rule, spent_from
from sim.distribution.state import DistributionState
from sim.distribution.tiers import TierLadder


class RuleSet:
    def __init__(
        self,
        rules: Sequence[Rule],
        *,
        ladder: TierLadder | None = None,
        allotments: Mapping[str, Amount] | None = None,
        state: DistributionState | None = None,
    ) -> None:
        self.rules = tuple(rules)
        self.ladder = ladder
        self.allotments = dict(allotments or {})
        self.state = state if state is not None else DistributionState()
        names = [rule.name for rule in self.rules]
        if len(set(names)) != len(names):
            raise ValueError(f"rule names must be unique, got {names}")
        unknown = set(self.allotments) - set(names)
        if unknown:
            raise ValueError(f"allotments for unknown rules {sorted(unknown)}")
        self.by_line: dict[str, list[Rule]] = {}
        for rule in self.rules:
            self.by_line.setdefault(rule.line, []).append(rule)
        for line, shared in self.by_line.items():
            missing = [r.name for r in shared if r.name not in self.allotments]
            if len(shared) > 1 and missing:
                raise ValueError(f"line '{line}' feeds several rules; allot a share to {missing}")

    @property
    def lines(self) -> tuple[str, ...]:
        return tuple(self.by_line)

    def accounts(self) -> dict[str, str]:
        """Every account the rules' leftovers can go to, with its ledger kind."""
        found: dict[str, str] = {}
        for rule in self.rules:
            found.update(rule.accounts())
        for line in self.by_line:
            if any(rule.name in self.allotments for rule in self.by_line[line]):
                found[f"unallocated_{line}"] = KEPT
        return found

    def join(self, member: int, net: Network, recruiter: int | None = None) -> list[Outcome]:
        """A member joined ``net`` (already added); ``recruiter`` if spill-over placed them
        under someone else."""
        if recruiter is not None and recruiter != net.sponsor(member):
            self.state.recruiter[member] = recruiter
        out: list[Outcome] = []
        for rule in self.rules:
            out += rule.on_join(member, net, self.state)
        if self.ladder is not None:
            self.ladder.on_join(member, net, self.state)
        return out

    def order(
        self,
        buyer: int,
        amount: int,
        parts: Mapping[str, int],
        net: Network,
        day: int = 0,
        *,
        region: int | None = None,
        merchant: int | None = None,
        pickup: int | None = None,
    ) -> list[Outcome]:
        """The outcomes of one order whose split is ``parts`` (line -> fen)."""
        state = self.state
        upline = tuple(net.upline(buyer))
        first = buyer not in state.own_orders
        order = Order(buyer, amount, day, upline, first, region, merchant, pickup)
        state.record(buyer, amount, upline)
        out: list[Outcome] = []
        for line, rules in self.by_line.items():
            left = parts[line]
            for rule in rules:
                allot = self.allotments.get(rule.name)
                budget = left if allot is None else min(allot.of(amount), left)
                outcomes = rule.pay(order, budget, net, state)
                spent = spent_from(outcomes, line)
                if spent != budget:
                    raise AssertionError(f"{rule.name} spent {spent} of a {budget} fen budget")
                out += outcomes
                left -= budget
            if left:
                out.append(Outcome(line, (), {f"unallocated_{line}": left}))
        if self.ladder is not None:
            self.ladder.after_order(order, net, state)
        return out

    def day(self, day: int, net: Network) -> list[Outcome]:
        """End of ``day``: periodic dividends, line re-assignment."""
        out: list[Outcome] = []
        for rule in self.rules:
            out += rule.on_day(day, net, self.state)
        return out

    def close(self, net: Network) -> list[Outcome]:
        """End of the run: what is still held for members who never qualified."""
        out: list[Outcome] = []
        for rule in self.rules:
            out += rule.close(net, self.state)
        return out
