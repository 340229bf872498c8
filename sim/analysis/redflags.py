"""Legal red flags of one run (SPEC §7): the facts a regulator or auditor checks, measured on
a run's members table and summary, each against its statutory threshold, with the numbers.

The flags say where a simulated platform stands against the thresholds the law sets; they do
not decide any case. Thresholds use "at least" (以上 includes the number itself).

The referral tree comes from the ``sponsor`` column (:mod:`sim.analysis.redflags_tree`); the
thresholds and the laws that set them are in :mod:`sim.core.law`.

Who organises. The pyramid and serious flags measure one organisation at a time, under two
readings (:mod:`sim.analysis.redflags_org`): ``platform`` (the default: the operator, which
sits above every member without a sponsor and takes a share of every order, heads everyone
who paid in, and counts as the first level, as the 2013 Opinion says,
"包括组织者、领导者本人及其本层级在内") and ``leader`` (each top member's team alone). Only
links that carried pay count as levels.

Where compensated depth comes from. Without a distribution layer, from the sponsor tree and
the scenario's two-level ``referral`` rule (who bought, who was paid, and how far up the rule
reaches). A run with the distribution layer (``summary["distribution"]``, SPEC §6) records
each payout's level, its distance up the network from the buyer, so the depth is read from
there: a payout at level L paid a member on a purchase L levels below them, a compensated
chain of L + 1 members, L + 2 levels with the organiser on top (a paid direct sponsor gives 3,
as in the tree). Payouts at level 0 (pools, regions, service points, merchants) are not along
the chain and add no depth. Under the platform reading the flag takes the deeper of the two
figures; with ``bonuses.parquet`` each member's deepest paid level also gives their own team
its depth. The recruitment flag
adds what the layer paid and which share of it a recruit's first order triggered (拉人头),
later sales (团队计酬) or dividend pools.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from sim.analysis.flag import Flag
from sim.analysis.flag import yuan_text as _yuan
from sim.analysis.redflags_money import entry_fee, fundraising, promise, recruitment
from sim.analysis.redflags_org import (
    READINGS,
    Organisation,
    organisations,
    reach_of,
)
from sim.analysis.redflags_tree import Tree
from sim.core.law import (
    LAW_PYRAMID,
    LAW_SERIOUS,
    PYRAMID_LEVELS,
    PYRAMID_PARTICIPANTS,
    SERIOUS_MONEY,
    SERIOUS_PARTICIPANTS,
)
from sim.core.units import fen_to_yuan
from sim.i18n import gettext, money


def red_flags(
    members: pd.DataFrame,
    summary: dict,
    scenario,
    layer: dict | None = None,
    bonuses: pd.DataFrame | None = None,
    links: np.ndarray | None = None,
    readings: tuple[str, ...] = READINGS,
    parents: np.ndarray | None = None,
    lang: str = "en",
) -> list[Flag]:
    """The flags of SPEC §7 for one run, the pyramid ones under each reading of who
    organises (:mod:`sim.analysis.redflags_org`): ``members`` is its exact members table
    (:mod:`sim.model.members`, money in fen), ``summary`` its summary (the money entered by
    source), ``scenario`` the scenario it ran, ``layer`` the distribution layer's exact
    figures when the run had one (:func:`sim.distribution.summary.figures`) and ``bonuses``
    what its rules paid by member and level (``bonuses.parquet``: each member's deepest
    paid level gives their team its depth). ``links`` (per member in table order: whether
    the link to their sponsor carried pay) is given when records name who was paid on whose
    order (a replay: :func:`sim.replay.teams.link_days`); the table is then in join order
    already. Without it the links are read from the totals and the scenario's referral rule.
    ``readings``: those the pyramid flags are measured under (none: the other flags only);
    ``parents`` (with ``links``): each member's sponsor's position, -1 for none. ``lang``:
    the language of the explanations (``summary.json`` keeps English)."""
    tree = Tree(members, ordered=links is not None, parent=parents)
    return [
        *pyramid_flags(tree, scenario, layer, bonuses, links, readings, lang),
        fundraising(tree, summary, lang),
        entry_fee(tree, scenario, lang),
        recruitment(tree, scenario, layer, lang),
        promise(tree, scenario, lang),
    ]


def pyramid_flags(
    tree: Tree,
    scenario,
    layer: dict | None = None,
    bonuses: pd.DataFrame | None = None,
    links: np.ndarray | None = None,
    readings: tuple[str, ...] = READINGS,
    lang: str = "en",
) -> list[Flag]:
    """The pyramid flag under each of ``readings``, then its serious circumstances under
    each (:func:`red_flags`' first flags; a comparison run's tree gives ``links`` and no
    ``scenario`` is read)."""
    pyramids = [
        _pyramid(tree, scenario, layer, bonuses, reading, links, lang) for reading in readings
    ]
    return [
        *(flag for flag, _org in pyramids),
        *(_serious(flag, org, lang) for flag, org in pyramids),
    ]


NOT_MEASURED = ("key", "raised", "reading", "threshold", "law", "explanation")


def flags_json(flags: list[Flag]) -> list[dict]:
    """The flags as ``summary.json`` holds them (``red_flags``)."""
    return [
        {
            "key": flag.key,
            "raised": flag.raised,
            "reading": flag.reading,
            **flag.measured,
            "threshold": flag.threshold,
            "law": flag.law,
            "explanation": flag.explanation,
        }
        for flag in flags
    ]


def distribution_levels(deepest_level: int) -> int:
    """Levels, counted as the 2013 Opinion counts them, of a compensated chain whose deepest
    payout was ``deepest_level`` levels up from the buyer: the paid member, everyone down to
    the buyer, and the organiser on top (L + 2); 0 when nothing was paid along the chain."""
    return deepest_level + 2 if deepest_level > 0 else 0


def _pyramid(
    tree: Tree, scenario, layer: dict | None, bonuses, reading: str, links=None, lang="en"
) -> tuple[Flag, Organisation | None]:
    """The pyramid flag under ``reading``, and the organisation it measured."""
    _ = gettext(lang)
    if links is None:
        referral = scenario.referral
        links = tree.compensated_links(referral.direct > 0, referral.indirect > 0)
    reach = reach_of(tree, bonuses)
    deepest = max(int(reach.max()) if len(reach) else 0, _layer_level(layer))
    count, at_filing, org = organisations(tree, links, reach, reading)
    if reading == "platform" and layer is not None and org is not None:  # the layer's
        # deepest payout, wherever it was
        org = replace(org, levels=max(org.levels, distribution_levels(deepest)))
        at_filing = int(org.at_filing)
    levels, participants = (0, 0) if org is None else (org.levels, org.participants)
    raised = org is not None and org.at_filing
    reached = _("reaching both") if raised else _("not reaching both")
    values: tuple[tuple[str, float | int | str], ...] = (
        ("levels", levels),
        ("participants", participants),
        ("paid_in_yuan", 0.0 if org is None else fen_to_yuan(org.money)),
        ("organiser", "" if org is None else org.head),
        ("organisations", count),
        ("organisations_at_filing", at_filing),
        ("compensated_links", int(links.sum())),
    )
    if layer is not None or bonuses is not None:
        values += (("deepest_level_paid", deepest),)
    if layer is not None:
        from_layer = distribution_levels(deepest) >= levels
        values += (("depth_source", "distribution layer" if from_layer else "referral rule"),)
    if reading == "platform":
        what = _(
            "Reading 'platform' (the operator organises one organisation): {participants} "
            "members paid in. "
        ).format(participants=f"{participants:,}") + (
            _layer_depth(deepest, levels, from_layer, lang)
            if layer is not None
            else _(
                "The deepest chain of links that carried pay, with the platform on top as the "
                "organiser, has {levels} levels"
            ).format(levels=levels)
        )
    else:
        what = _(
            "Reading 'leader' (each top member heads a team): {at_filing} of {count} teams "
            "reach both thresholds; the closest, led by member {head}, has {participants} "
            "participants over {levels} levels (the deepest chain of paid links inside the team)"
        ).format(
            at_filing=at_filing,
            count=f"{count:,}",
            head=org.head if org else "",
            participants=f"{participants:,}",
            levels=levels,
        )
    flag = Flag(
        key="pyramid_levels",
        law=LAW_PYRAMID,
        raised=raised,
        values=values,
        threshold=(
            f"one organisation with levels >= {PYRAMID_LEVELS} and participants >= "
            f"{PYRAMID_PARTICIPANTS}"
        ),
        explanation=_(
            "{what}: {reached} of the filing thresholds of {levels} levels and {participants} "
            "participants. Only links that carried pay count as levels."
        ).format(
            what=what, reached=reached, levels=PYRAMID_LEVELS, participants=PYRAMID_PARTICIPANTS
        ),
        reading=reading,
    )
    return flag, org


def _layer_level(layer: dict | None) -> int:
    return int(layer.get("deepest_level") or 0) if layer is not None else 0


def _layer_depth(deepest: int, levels: int, from_layer: bool, lang: str = "en") -> str:
    """Where a distribution run's compensated depth came from, in words."""
    _ = gettext(lang)
    below = _("1 level") if deepest == 1 else _("{levels} levels").format(levels=deepest)
    if from_layer:
        return _(
            "The distribution layer paid a member on a purchase {below} below them, a chain of "
            "{chain} members; with the platform on top as the organiser that makes {levels} "
            "levels"
        ).format(below=below, chain=deepest + 1, levels=levels)
    paid = (
        _(
            "paid no member on a purchase below them (only pools, regions, service points or "
            "merchants)"
        )
        if deepest == 0
        else _("paid a member on a purchase at most {below} below them").format(below=below)
    )
    return _(
        "The distribution layer {paid}; the deepest chain the referral rule paid along, read "
        "from the sponsor tree with the platform on top as the organiser, has {levels} levels"
    ).format(paid=paid, levels=levels)


def _serious(pyramid: Flag, org: Organisation | None, lang: str = "en") -> Flag:
    """Serious circumstances, on the organisation the pyramid flag of its reading measured."""
    _ = gettext(lang)
    measured = pyramid.measured
    participants, paid_in = measured["participants"], measured["paid_in_yuan"]
    reached = org is not None and org.beyond_serious
    raised = pyramid.raised and reached
    if raised:
        verdict = _("so the pyramid test is met with serious circumstances")
    elif reached:
        verdict = _("but that organisation does not meet the pyramid test, so nothing aggravates")
    else:
        verdict = _("below both")
    return Flag(
        key="pyramid_serious",
        law=LAW_SERIOUS,
        raised=raised,
        values=(
            ("participants", participants),
            ("paid_in_yuan", paid_in),
            ("organiser", measured["organiser"]),
        ),
        threshold=(
            f"pyramid_levels raised for the same organisation and (participants >= "
            f"{SERIOUS_PARTICIPANTS} or the money its participants paid in >= "
            f"{_yuan(SERIOUS_MONEY)})"
        ),
        explanation=_(
            "Reading '{reading}': the organisation closest to the thresholds has "
            "{participants} participants who paid in {paid} yuan, against {most} "
            "participants or {money}: {verdict}."
        ).format(
            reading=_(pyramid.reading),
            participants=f"{participants:,}",
            paid=f"{paid_in:,.2f}" if lang == "en" else money(paid_in, lang),
            most=SERIOUS_PARTICIPANTS,
            money=_yuan(SERIOUS_MONEY, lang),
            verdict=verdict,
        ),
        reading=pyramid.reading,
    )


def flags_table(flags: list[dict]) -> list[dict]:
    """One row per flag, from the flags as ``summary.json`` holds them (:func:`flags_json`),
    for reports and Markdown: key, reading, raised, measured values as text, threshold, law
    and explanation."""
    return [
        {
            "flag": flag["key"],
            "reading": flag["reading"],
            "raised": "yes" if flag["raised"] else "no",
            "measured": "; ".join(
                f"{name} = {_show(name, v)}" for name, v in flag.items() if name not in NOT_MEASURED
            ),
            "threshold": flag["threshold"],
            "law": flag["law"],
            "explanation": flag["explanation"],
        }
        for flag in flags
    ]


def _show(name: str, value: float | int | str) -> str:
    if isinstance(value, str):
        return value or "-"
    if name.endswith("_yuan"):
        return f"{value:,.2f}"
    if "share" in name:
        return f"{value:.1%}"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:g}"
