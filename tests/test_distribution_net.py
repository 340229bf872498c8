"""A dict-based stand-in for the referral network, shared by the distribution tests, and the
checks that it answers like the real :class:`sim.distribution.network.ReferralNetwork`."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from sim.core.book import Book
from sim.core.mechanics import Mechanics
from sim.distribution import Outcome, RuleSet
from sim.distribution.booking import open_rule_accounts
from sim.distribution.network import ReferralNetwork


class TinyNetwork:
    """Members are ints; ``add`` them in any order after their sponsor."""

    def __init__(self) -> None:
        self.parent: dict[int, int | None] = {}
        self.children: dict[int, list[int]] = {}
        self.regions: dict[int, int] = {}

    def add(self, member: int, sponsor: int | None = None, region: int = 0) -> None:
        assert member not in self.parent and (sponsor is None or sponsor in self.parent)
        self.parent[member] = sponsor
        self.children[member] = []
        self.regions[member] = region
        if sponsor is not None:
            self.children[sponsor].append(member)

    def __len__(self) -> int:
        return len(self.parent)

    def sponsor(self, m: int) -> int | None:
        return self.parent[m]

    def upline(self, m: int, levels: int | None = None) -> list[int]:
        out, up = [], self.parent[m]
        while up is not None and (levels is None or len(out) < levels):
            out.append(up)
            up = self.parent[up]
        return out

    def depth(self, m: int) -> int:
        return len(self.upline(m)) + 1

    def direct_count(self, m: int) -> int:
        return len(self.children[m])

    def lines(self, m: int) -> list[int]:
        return list(self.children[m])

    def team_size(self, m: int) -> int:
        return sum(1 + self.team_size(c) for c in self.children[m])

    def region(self, m: int) -> int:
        return self.regions[m]


def grow(net, sponsors: Mapping[int, int | None], rules: RuleSet | None = None, regions=None):
    """Add members 1, 2, ... with the given sponsors (and tell the rule set they joined)."""
    for member in sorted(sponsors):
        net.add(member, sponsors[member], (regions or {}).get(member, 0))
        if rules is not None:
            rules.join(member, net)
    return net


def book_for(split, rules: RuleSet) -> Book:
    """A real book for ``split`` (name, share pairs; a ``pool`` line of share 0 is added if
    it has none) with the rules' accounts open: what a run posts the rules' outcomes to."""
    lines = [(name, Fraction(share)) for name, share in split]
    if "pool" not in dict(lines):
        lines.append(("pool", Fraction(0)))
    book = Book(Mechanics(split=tuple(lines)))
    open_rule_accounts(book.ledger, rules.accounts())
    return book


def paid_to(outcomes: list[Outcome]) -> dict[int, int]:
    found: dict[int, int] = {}
    for o in outcomes:
        for p in o.payouts:
            found[p.member] = found.get(p.member, 0) + p.amount
    return found


def spent(outcomes: list[Outcome], source: str) -> int:
    return sum(o.total for o in outcomes if o.source == source)


def leftovers(outcomes: list[Outcome]) -> dict[str, int]:
    found: dict[str, int] = {}
    for o in outcomes:
        for k, v in o.leftovers.items():
            found[k] = found.get(k, 0) + v
    return found


SPONSORS = {1: None, 2: 1, 3: 1, 4: 2, 5: 4, 6: 1}


def test_the_stand_in_answers_like_the_real_network():
    tiny = grow(TinyNetwork(), SPONSORS, regions={5: 7})
    real = grow(ReferralNetwork(), SPONSORS, regions={5: 7})
    for m in SPONSORS:
        assert tiny.sponsor(m) == real.sponsor(m)
        assert tiny.depth(m) == real.depth(m)
        assert list(tiny.upline(m)) == list(real.upline(m))
        assert list(tiny.upline(m, 1)) == list(real.upline(m, 1))
        assert tiny.lines(m) == real.lines(m)
        assert tiny.direct_count(m) == real.direct_count(m)
        assert tiny.team_size(m) == real.team_size(m)
        assert tiny.region(m) == real.region(m)
    assert len(tiny) == len(real) == 6
    assert tiny.upline(5) == [4, 2, 1] and tiny.team_size(1) == 5 and tiny.region(5) == 7
