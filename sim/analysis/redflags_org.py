"""The pyramid thresholds on one organisation at a time, under two readings of who organises.

The 2013 Opinion counts an organisation's levels "包括组织者、领导者本人及其本层级在内" and its
participants, and sets the filing threshold at 30 participants over 3 levels. Mixing
organisations — depth over the whole platform, head count over its largest team — flags
platforms where no organisation reaches both. So each reading measures one organisation:

- ``platform`` (the default): the operator is the organiser and heads one organisation.
  Participants are everyone who paid in; levels are the deepest chain of links that carried
  pay, plus the organiser on top. The default because the operator writes the pay plan and
  takes a share of every order: it organises the whole scheme.
- ``leader``: each top member (one the platform itself placed, with no sponsor) heads a
  team. A team must have at least 30 participants (members who paid in, the leader
  included) and at least 3 levels itself: the members of the deepest chain of paid links
  inside the team (the leader among them when the chain starts at the leader; a link that
  carried no pay joins no levels). This answers whether a member-led downline would meet
  the thresholds on its own.

Only links that carried pay count as levels. A link carried pay when the referral rule paid
along it (:meth:`sim.analysis.redflags_tree.Tree.compensated_links`), or, with the
distribution layer, when a member was paid on a purchase L levels below them: that chain has
L links (``reach``, the deepest level each member was paid at, from ``bonuses.parquet``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis.redflags_tree import Tree, member_id
from sim.core.law import PYRAMID_LEVELS, PYRAMID_PARTICIPANTS, SERIOUS_MONEY, SERIOUS_PARTICIPANTS

READINGS = ("platform", "leader")
DEFAULT_READING = "platform"


@dataclass(frozen=True)
class Organisation:
    """One organisation as a reading sees it: who heads it, its participants, its levels and
    the money its participants paid in (fen)."""

    reading: str
    head: str  # "platform" or the leading member's id
    participants: int
    levels: int
    money: int

    @property
    def at_filing(self) -> bool:
        return self.levels >= PYRAMID_LEVELS and self.participants >= PYRAMID_PARTICIPANTS

    @property
    def beyond_serious(self) -> bool:
        """At the serious thresholds' head count or money (the pyramid test aside)."""
        return self.participants >= SERIOUS_PARTICIPANTS or self.money >= SERIOUS_MONEY


def chains(tree: Tree, links: np.ndarray, reach: np.ndarray) -> np.ndarray:
    """Members in the longest paid chain starting at each member and going down: one pass up
    the tree (latest joiners first) over the links that carried pay, and at least the
    member's own deepest paid level + 1."""
    height = reach.astype(np.int64).tolist()
    parents, paid = tree.parent.tolist(), links.tolist()
    for child in range(len(height) - 1, -1, -1):
        parent = parents[child]
        if parent >= 0 and paid[child] and height[child] + 1 > height[parent]:
            height[parent] = height[child] + 1
    return np.asarray(height, dtype=np.int64) + 1


def reach_of(tree: Tree, bonuses: pd.DataFrame | None) -> np.ndarray:
    """Per member (tree order), the deepest level above a buyer they were paid at (0: none
    along the chain), from a bonuses table (``member``, ``level``)."""
    reach = np.zeros(len(tree.parent), dtype=np.int64)
    if bonuses is None or bonuses.empty:
        return reach
    deepest = bonuses[bonuses["level"] > 0].groupby("member")["level"].max()
    where = pd.Index(tree.table["member"]).get_indexer(deepest.index)
    known = where >= 0
    reach[where[known]] = deepest.to_numpy()[known]
    return reach


def organisations(
    tree: Tree, links: np.ndarray, reach: np.ndarray, reading: str
) -> tuple[int, int, Organisation | None]:
    """Under ``reading``: how many organisations there are (one for ``platform``, one per
    top member with a participant for ``leader``), how many reach the filing thresholds,
    and the one closest to them: a serious one if any, else one at the thresholds, else the
    one with most participants (ties: most levels)."""
    paid_in = tree.spent > 0
    chain = chains(tree, links, reach)
    if reading == "platform":
        deepest = int(chain.max()) if len(chain) and (paid_in.any() or links.any()) else 0
        only = Organisation(
            reading,
            "platform",
            int(paid_in.sum()),
            deepest + 1 if deepest else 0,
            int(tree.spent.sum()),
        )
        return 1, int(only.at_filing), only
    # the deepest paid chain inside a team: the leader counts when it starts at them
    frame = pd.DataFrame(
        {"root": _roots(tree.parent), "paid_in": paid_in, "levels": chain, "money": tree.spent}
    )
    teams = frame.groupby("root").agg(
        participants=("paid_in", "sum"), levels=("levels", "max"), money=("money", "sum")
    )
    teams = teams[teams["participants"] > 0]
    at = (teams["levels"] >= PYRAMID_LEVELS) & (teams["participants"] >= PYRAMID_PARTICIPANTS)
    serious = at & (
        (teams["participants"] >= SERIOUS_PARTICIPANTS) | (teams["money"] >= SERIOUS_MONEY)
    )
    if teams.empty:
        return 0, 0, None
    order = pd.DataFrame({"serious": serious, "at": at, "p": teams["participants"]})
    order["levels"] = teams["levels"]
    top = order.sort_values(["serious", "at", "p", "levels"], ascending=False, kind="stable").index[
        0
    ]
    row = teams.loc[top]
    head = member_id(tree.table["member"].iloc[top])
    best = Organisation(
        reading, head, int(row["participants"]), int(row["levels"]), int(row["money"])
    )
    return len(teams), int(at.sum()), best


def _roots(parent: np.ndarray) -> np.ndarray:
    """Each member's top member (one pass down, in join order)."""
    root = list(range(len(parent)))
    for child, up in enumerate(parent.tolist()):
        if up >= 0:
            root[child] = root[up]
    return np.asarray(root, dtype=np.int64)
