"""How a run's distribution layer paid (SPEC §6–§7), as report-ready tables and one sentence.

A regulator asks three things of a bonus scheme: how far up the network it pays (the 传销
filing standard counts levels), what triggers the pay (a recruit's first order is pay for
recruiting, 拉人头; later orders are pay on the downline's sales, 团队计酬; pools pay
dividends), and who gets it. A run already holds every figure: the layer's exact figures
(``layer``: :func:`sim.distribution.summary.figures`, amounts in fen; ``summary.json`` holds
them in yuan under ``"distribution"``) and the network's (:func:`sim.model.network.summary`,
under ``"network"`` of the summary); these functions only arrange them, so the report and
``summary.json`` cannot disagree. Every function returns nothing (``None``, ``[]``) for a
run without the layer (``layer`` None): there is nothing of this kind to show.

Shares are worked out in whole fen, so a table's cumulative share ends at exactly 1; each
amount becomes yuan as it goes into a table.
"""

from __future__ import annotations

import pandas as pd

from sim.analysis.redflags import distribution_levels
from sim.core.law import PYRAMID_LEVELS, PYRAMID_PARTICIPANTS, SERIOUS_PARTICIPANTS
from sim.core.units import fen_to_yuan
from sim.i18n import N_, gettext

REASONS = {
    "recruit": N_("recruiting: a recruit's first order (拉人头)"),
    "sale": N_("the downline's later sales (团队计酬)"),
    "dividend": N_("dividend pools paid by period"),
}
OFF_CHAIN = N_("not along the chain (pools, regions, service points, merchants)")


def _share(part: int, whole: int) -> float | None:
    """A share of whole fen; None when nothing was paid (a share of nothing is undefined)."""
    return part / whole if whole else None


def _levels_above(level: int, _) -> str:
    if level == 0:
        return _(OFF_CHAIN)
    if level == 1:
        return _("the buyer's sponsor (1 level up)")
    return _("{level} levels above the buyer").format(level=level)


def depth_rows(layer: dict | None, fold_after: int | None = None, lang: str = "en") -> list[dict]:
    """Distribution payouts by level, the distance up the network from the buyer: one row per
    level from 0 (paid off the chain) to the deepest paid, with ``level``, ``paid_to`` (the
    level in words), ``yuan``, ``share`` of everything the layer paid, and
    ``cumulative_share`` (paid at this level or shallower, level 0 first), because the filing
    standard turns on how deep pay reaches and how much of it goes deep. ``fold_after``
    folds the levels below it into one row (unlimited-depth 见点 can reach dozens)."""
    if layer is None:
        return []
    fen = list(layer.get("paid_by_level") or [0])
    total = sum(fen)
    _ = gettext(lang)
    labels = [_levels_above(level, _) for level in range(len(fen))]
    if fold_after is not None and len(fen) > fold_after + 2:
        fen = [*fen[: fold_after + 1], sum(fen[fold_after + 1 :])]
        more = _("{level} or more levels above the buyer").format(level=fold_after + 1)
        labels = [*labels[: fold_after + 1], more]
    rows, running = [], 0
    for level, (paid, label) in enumerate(zip(fen, labels, strict=True)):
        running += paid
        rows.append(
            {
                "level": level,
                "paid_to": label,
                "yuan": fen_to_yuan(paid),
                "share": _share(paid, total),
                "cumulative_share": _share(running, total),
            }
        )
    return rows


def rule_rows(layer: dict | None) -> list[dict]:
    """What each rule paid (``rule``, ``yuan``, ``share`` of the layer's payouts), largest
    first: which of the scheme's named bonuses carries the money."""
    if layer is None:
        return []
    fen = dict(layer.get("paid_by_rule") or {})
    total = sum(fen.values())
    order = sorted(fen, key=lambda rule: (-fen[rule], rule))
    return [{"rule": r, "yuan": fen_to_yuan(fen[r]), "share": _share(fen[r], total)} for r in order]


def reason_rows(layer: dict | None, lang: str = "en") -> list[dict]:
    """What triggered the payouts (``reason``, ``triggered_by`` in words, ``yuan``,
    ``share``): recruit, sale, dividend, always in that order, because the law tells pay for
    recruiting apart from pay on the downline's sales."""
    if layer is None:
        return []
    by_reason = layer.get("paid_by_reason") or {}
    fen = {reason: by_reason.get(reason, 0) for reason in REASONS}
    total = sum(fen.values())
    return [
        {
            "reason": r,
            "triggered_by": gettext(lang)(words),
            "yuan": fen_to_yuan(fen[r]),
            "share": _share(fen[r], total),
        }
        for r, words in REASONS.items()
    ]


def headline(layer: dict | None, summary: dict, members: pd.DataFrame | None = None) -> dict | None:
    """The layer's key figures in one dict: money paid and to whom, how deep (the deepest
    level paid, and the levels it makes with the organiser on top, as :mod:`sim.analysis.redflags`
    counts them), what triggered it, how concentrated, the network's filing-threshold counts,
    and what the platform kept (leftovers), held (pools, frozen funds) and took in fees.
    With the run's exact ``members`` table, also how many members got more in bonuses than
    they spent: the ones the scheme made better off by recruiting. ``summary`` gives the
    members who joined and the network's figures."""
    if layer is None:
        return None
    network = summary.get("network") or {}
    deepest = int(layer.get("deepest_level") or 0)
    found = {
        "paid_yuan": fen_to_yuan(layer.get("paid") or 0),
        "members_paid": int(layer.get("members_paid") or 0),
        "members": summary.get("members"),
        "deepest_level_paid": deepest,
        "levels_with_organiser": distribution_levels(deepest),
        "share_recruit": layer.get("share_recruit"),
        "share_sale": layer.get("share_sale"),
        "share_dividend": layer.get("share_dividend"),
        "top1_share": layer.get("top1_share"),
        "filing_heads": network.get("filing_heads"),
        "serious_heads": network.get("serious_heads"),
        "largest_team": network.get("largest_team"),
        "max_depth": network.get("max_depth"),
        "leftovers_yuan": _total(layer.get("leftovers")),
        "held_yuan": _total(layer.get("held")),
        "fees_yuan": _total(layer.get("fees")),
    }
    if members is not None:
        bonus, spent = members["bonuses_received"], members["spent"]
        found["bonus_above_spend"] = int((bonus > spent).sum())
    return found


def _total(accounts: dict | None) -> float:
    return fen_to_yuan(sum((accounts or {}).values()))


HEADLINE_WORDS = (  # a figure's words have fields: {top} "1%", {people} and {levels}
    ("paid_yuan", N_("paid to members by the distribution layer (yuan)")),
    ("members_paid", N_("members paid")),
    ("deepest_level_paid", N_("deepest level paid (a member paid on a purchase this far below)")),
    ("levels_with_organiser", N_("levels of that chain with the platform on top as organiser")),
    ("share_recruit", N_("share triggered by recruiting (a recruit's first order)")),
    ("share_sale", N_("share triggered by the downline's later sales")),
    ("share_dividend", N_("share paid from dividend pools")),
    ("top1_share", N_("share taken by the best-paid {top} of members")),
    ("filing_heads", N_("members heading ≥{people} people over ≥{levels} levels")),
    ("serious_heads", N_("of them heading ≥{serious} people over ≥{levels} levels")),
    ("largest_team", N_("largest team (a member and everyone below)")),
    ("max_depth", N_("deepest member in the network (levels below the platform)")),
    ("leftovers_yuan", N_("kept by the platform: unpaid, forfeited (yuan)")),
    ("held_yuan", N_("held for members at the end: pools, frozen funds (yuan)")),
    ("fees_yuan", N_("franchise and region fees taken in (yuan)")),
    ("bonus_above_spend", N_("members paid more in bonuses than they spent")),
)
_FIELDS = {
    "top": "1%",
    "people": PYRAMID_PARTICIPANTS,
    "serious": SERIOUS_PARTICIPANTS,
    "levels": PYRAMID_LEVELS,
}


def figure_words(words: str, lang: str = "en") -> str:
    """One of :data:`HEADLINE_WORDS`' figures in words, in ``lang``."""
    return gettext(lang)(words).format(**_FIELDS)


def headline_rows(
    layer: dict | None, summary: dict, members: pd.DataFrame | None = None, lang: str = "en"
) -> list[dict]:
    """:func:`headline` as a two-column table (``figure``, ``value`` as text), for a report
    that shows the figures under one another."""
    found = headline(layer, summary, members)
    if found is None:
        return []
    return [
        {"figure": figure_words(words, lang), "value": _text(key, found[key])}
        for key, words in HEADLINE_WORDS
        if key in found
    ]


def _text(key: str, value) -> str:
    if value is None:
        return "–"
    if "share" in key:
        return f"{value:.1%}"
    if key.endswith("_yuan"):
        return f"{value:,.2f}"
    return f"{value:,}"


def sentence(name: str, layer: dict | None, summary: dict, lang: str = "en") -> str | None:
    """One plain sentence for a regulator: how much the layer paid and to how many, how deep,
    what triggered it, how concentrated, and how many members lead a team past the filing
    threshold; None for a run without the layer."""
    found = headline(layer, summary)
    if found is None:
        return None
    _ = gettext(lang)
    paid, people = found["paid_yuan"], found["members_paid"]
    if not layer.get("paid"):
        return _("In {name} the distribution layer paid nothing to any member.").format(name=name)
    parts = [
        (
            _("In {name} the distribution layer paid {paid} yuan to {people} member")
            if people == 1
            else _("In {name} the distribution layer paid {paid} yuan to {people} members")
        ).format(name=name, paid=f"{paid:,.2f}", people=f"{people:,}")
    ]
    deepest = found["deepest_level_paid"]
    if deepest:
        parts.append(
            (
                _("it paid a member on a purchase as deep as 1 level below them")
                if deepest == 1
                else _("it paid a member on a purchase as deep as {levels} levels below them")
            ).format(levels=deepest)
        )
    else:
        parts.append(
            _(
                "it paid nobody on a purchase below them (only pools, regions, service points "
                "or merchants)"
            )
        )
    trigger = _(
        "{recruit} of it was triggered by recruiting (a recruit's first order), {sale} by later "
        "sales"
    ).format(recruit=f"{found['share_recruit']:.1%}", sale=f"{found['share_sale']:.1%}")
    if found["share_dividend"]:
        trigger += _(" and {share} by dividend pools").format(
            share=f"{found['share_dividend']:.1%}"
        )
    parts.append(trigger)
    parts.append(
        _("the best-paid {top} took {share}").format(top="1%", share=f"{found['top1_share']:.1%}")
    )
    heads = found["filing_heads"]
    if heads is not None:
        parts.append(
            (
                _(
                    "{heads} member heads a team of at least {people} people over at least "
                    "{levels} levels"
                )
                if heads == 1
                else _(
                    "{heads} members head a team of at least {people} people over at least "
                    "{levels} levels"
                )
            ).format(heads=f"{heads:,}", people=PYRAMID_PARTICIPANTS, levels=PYRAMID_LEVELS)
        )
    return _("; ").join(parts) + _(".")
