"""Rules that tie the bonus sections (``referral``, ``distribution``) to ``order.split``:
every bonus is paid from a line of the split other than the pool, within its share or its
allotment, and never from a line the scenario says the seeds give no rules for.

Called by :class:`sim.scenario.root.Scenario` once its sections are valid; each failure is
one :class:`~sim.scenario.checks.Problem` with the key path it is about.
"""

from __future__ import annotations

from decimal import Decimal

from sim.core.mechanics import POOL
from sim.errors import did_you_mean
from sim.scenario.checks import Problem, show
from sim.scenario.distribution_rules import per_yuan


def check_distribution(scenario) -> None:
    """The rules pay out of lines of ``order.split`` (never the pool), each within its line or
    its allotment, shared lines' allotments within the line; and no ``referral`` beside them."""
    referral, dist = scenario.referral, scenario.distribution
    if referral.direct or referral.indirect:
        raise Problem(
            "referral rewards and a distribution section both pay bonuses; give the two-level "
            "rewards as a distribution rule (kind: direct_indirect) instead",
            key=("referral",),
        )
    lines = dict(scenario.order.split)
    amount = scenario.order.amount

    def where(i: int, *key: str) -> tuple:
        return _rule_key(dist, i, *key)

    by_line: dict[str, list] = {}
    for i, rule in enumerate(dist.specs()):
        line = rule.paid_from
        if line == POOL:
            raise Problem(
                "bonuses cannot be paid from the pool; name another line of order.split",
                key=where(i, "paid_from"),
            )
        if line not in lines:
            others = [name for name in lines if name != POOL]
            message = f"'{line}' is not a line of order.split"
            message += did_you_mean(line, others) if others else f"; it has only '{POOL}'"
            raise Problem(message, key=where(i, "paid_from"))
        by_line.setdefault(line, []).append((i, rule))
    for line, rules in by_line.items():
        share = lines[line]
        if len(rules) > 1:
            kinds = ", ".join(rule.kind for _, rule in rules)
            for i, rule in rules:
                if rule.allot is None:
                    raise Problem(
                        f"line '{line}' feeds several rules ({kinds}); give each an allot, "
                        "its part of the line",
                        key=where(i),
                    )
            total = sum((per_yuan(rule.allot, amount) for _, rule in rules), Decimal(0))
            if total > share:
                raise Problem(
                    f"the allotments of line '{line}' sum to {show(total)} of each order, more "
                    f"than its share {show(share)}",
                    key=where(rules[-1][0], "allot"),
                )
        for i, rule in rules:
            most = rule.most(amount)
            room, what = share, f"the '{line}' line's share"
            if rule.allot is not None and per_yuan(rule.allot, amount) < share:
                room, what = per_yuan(rule.allot, amount), "its allot"
            if most is not None and most > room:
                raise Problem(
                    f"{rule.kind} pays up to {show(most)} of each order, more than {what} "
                    f"{show(room)}",
                    key=where(i),
                )


def check_not_given(scenario) -> None:
    """A line said to have no rules is paid by none: neither ``referral`` nor a rule."""
    not_given = dict(scenario.order.rules_not_given)
    referral = scenario.referral
    payers = []
    if referral.direct or referral.indirect:
        payers.append((referral.paid_from, "referral", ("referral", "paid_from")))
    if scenario.distribution is not None:
        payers += [
            (rule.paid_from, rule.kind, _rule_key(scenario.distribution, i, "paid_from"))
            for i, rule in enumerate(scenario.distribution.specs())
        ]
    for line, what, key in payers:
        if line in not_given:
            raise Problem(
                f"{what} pays from '{line}', which order.rules_not_given says has no rules; "
                "drop one of the two",
                key=key,
            )


def _rule_key(dist, i: int, *key: str) -> tuple:
    """Where rule ``i`` of the distribution section is written: its own keys, or the
    ``preset`` line when the rules come from a preset."""
    if dist.preset is not None:
        return ("distribution", "preset")
    return ("distribution", "rules", i, *key)
