"""The legal red flags of a comparison scheme's run (``classic_ponzi``, ``daily_release``),
against the same thresholds (:mod:`sim.core.law`) as the 消费增值 runs' flags
(:mod:`sim.analysis.redflags`), so that a report can set them side by side.

What a comparison run can show is measured: the money, payers and direct loss of illegal
fund-raising; a fee paid for the right to returns (a release scheme's membership); pay for
others' purchases (a release scheme's promoters); a promised return actually paid. The
pyramid flags are measured on a release run that drew a referral network (its scenario's
``network`` set: :mod:`sim.model.release_network`, promoters paid on their recruits'
purchases), as a 消费增值 run's are; without one (a Ponzi's depositors, a release run
without ``network``) there is no tree, and reports name them "not measured" instead of a
"no" that would read as a finding.

A flag is raised by what the run paid, not by a setting alone: a promise counts once money
was paid on it, a promoter's share once promoters were paid, a membership once members paid it.
"""

from __future__ import annotations

from sim.analysis.flag import Flag
from sim.analysis.flag import yuan_text as _yuan
from sim.analysis.redflags import pyramid_flags
from sim.analysis.redflags_tree import Tree
from sim.core.law import (
    FUNDRAISING_LOSS,
    FUNDRAISING_MONEY,
    FUNDRAISING_PAYERS,
    LAW_ENTRY_FEE,
    LAW_FUNDRAISING,
    LAW_PROMISE,
    LAW_RECRUITMENT,
)
from sim.core.units import fen_to_yuan, yuan_to_fen


def scheme_flags(paid, scheme, network: tuple | None = None) -> list[Flag]:
    """The flags of a comparison run: ``paid`` its exact :class:`sim.model.cohorts.Paid`,
    ``scheme`` the scenario's scheme section; ``network``, when the run drew one, its
    members table (money in fen, join order), whether each member's link to their sponsor
    carried pay, and each one's sponsor's position (-1: none): the pyramid flags too."""
    flags = [
        _fundraising(paid),
        _entry_fee(paid, scheme, yuan_to_fen(scheme.membership_fee or 0)),
        _recruitment(paid, scheme),
        _promise(paid, scheme),
    ]
    if network is not None:
        members, links, parents = network
        tree = Tree(members, ordered=True, parent=parents)
        flags += pyramid_flags(tree, None, links=links)
    return flags


def _fundraising(paid) -> Flag:
    hits = [
        paid.paid_in >= FUNDRAISING_MONEY,
        paid.payers >= FUNDRAISING_PAYERS,
        paid.net_losses >= FUNDRAISING_LOSS,
    ]
    return Flag(
        key="illegal_fundraising",
        law=LAW_FUNDRAISING,
        raised=any(hits),
        values=(
            ("absorbed_yuan", fen_to_yuan(paid.paid_in)),
            ("payers", paid.payers),
            ("direct_loss_yuan", fen_to_yuan(paid.net_losses)),
        ),
        threshold=(
            f"absorbed >= {_yuan(FUNDRAISING_MONEY)} or payers >= {FUNDRAISING_PAYERS} or "
            f"direct loss >= {_yuan(FUNDRAISING_LOSS)}"
        ),
        explanation=(
            f"{paid.payers:,} members paid in {_yuan(paid.paid_in)} and those who got back "
            f"less cash are short {_yuan(paid.net_losses)} in all (goods not counted, as for "
            f"消费增值): {sum(hits)} of 3 thresholds reached."
        ),
    )


def _entry_fee(paid, scheme, fee: int) -> Flag:
    if scheme.ponzi:
        raised, explanation = (
            False,
            (
                "Members deposit money for a promised return and join no network: there is no "
                "fee to enter one (the deposits are measured under illegal_fundraising)."
            ),
        )
    else:
        raised = fee > 0 and paid.payers > 0
        explanation = (
            f"Each of {paid.payers:,} members paid a {_yuan(fee)} membership for the right to "
            "the releases, beside a purchase of goods at their price."
            if raised
            else "Members paid for goods at their price and no membership: nothing was paid "
            "only for the right to take part."
        )
    return Flag(
        key="entry_fee",
        law=LAW_ENTRY_FEE,
        raised=raised,
        values=(("membership_fee_yuan", fen_to_yuan(fee)), ("payers", paid.payers)),
        threshold="members paid, beyond goods at their price, for the right to returns",
        explanation=explanation,
    )


def _recruitment(paid, scheme) -> Flag:
    share = paid.to_promoters / paid.got_back if paid.got_back else 0.0
    raised = paid.to_promoters > 0
    if scheme.ponzi:
        explanation = "A Ponzi pays its members on their own deposits only: no recruitment pay."
    else:
        explanation = (
            f"Promoters were paid {_yuan(paid.to_promoters)} in releases of points booked on "
            f"other members' purchases ({float(scheme.promoter_multiple or 0):.0%} of each "
            f"sale), beside {_yuan(paid.got_back)} released to the buyers themselves."
        )
    return Flag(
        key="recruitment_pay",
        law=LAW_RECRUITMENT,
        raised=raised,
        values=(
            ("promoters_paid_yuan", fen_to_yuan(paid.to_promoters)),
            ("share_of_buyers_releases", share),
        ),
        threshold="any pay for other members' joining or purchases",
        explanation=explanation,
    )


def _promise(paid, scheme) -> Flag:
    if scheme.ponzi:
        promise = (
            f"a return of {float(scheme.promised_rate):.1%} a year on each deposit, "
            f"{float(scheme.withdrawal_rate):.1%} of the promised capital paid out a year"
        )
    else:
        promise = (
            f"{float(scheme.buyer_multiple):.0%} of the spend back as cash, "
            f"{float(scheme.release_rate):.2%} of it a day"
        )
    back = paid.got_back / paid.paid_in if paid.paid_in else 0.0
    raised = paid.got_back > 0
    return Flag(
        key="promised_multiple",
        law=LAW_PROMISE,
        raised=raised,
        values=(("paid_back_yuan", fen_to_yuan(paid.got_back)), ("share_paid_back", back)),
        threshold="a return on principal promised and paid on the promise",
        explanation=(
            f"The scheme promises {promise}; it paid {_yuan(paid.got_back)} on it, "
            f"{back:.1%} of what members paid in."
        ),
    )
