"""The referral tree of a run's members table, as the red flags read it (SPEC §7).

The tree comes from the ``sponsor`` column, in join order (a sponsor always joins before the
recruit; a run's own numbering where legacy members carry a later ``join_day``), so the
walks over it (:mod:`sim.analysis.redflags_org`: paid chains, one pass up; teams, one pass
down) cost a loop each, never recursion. It reads the run's exact members table
(:mod:`sim.model.members`: money in integer fen), so sums and thresholds are exact.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.errors import InputError

COLUMNS = (
    "member",
    "join_day",
    "sponsor",
    "spent",
    "cash_received",
    "bonuses_received",
    "forced_exits",
)


class Tree:
    """The referral tree of a members table, in join order (positions, not member ids)."""

    def __init__(
        self, members: pd.DataFrame, ordered: bool = False, parent: np.ndarray | None = None
    ) -> None:
        """``ordered``: the table is in join order already (a replay's members, in order of
        first appearance, where ids are text and several join on one day); ``parent``, with
        it: each member's sponsor's position (-1: none), when the caller knows them."""
        missing = [c for c in COLUMNS if c not in members.columns]
        if missing:
            raise InputError(
                "missing column" + ("s " if len(missing) > 1 else " ") + ", ".join(missing),
                file="members table",
            )
        if not pd.Index(members["member"]).is_unique:
            raise InputError("a member id appears twice", file="members table", key="member")
        if ordered and parent is not None:  # sponsors before recruits, known to the caller
            table, known = members.reset_index(drop=True), parent >= 0
        else:
            table, parent, known = _ordered(members, [] if ordered else ["join_day", "member"])
        if (
            not ordered
            and (known & (parent >= np.arange(len(parent)))).any()
            and pd.api.types.is_integer_dtype(members["member"].dtype)
        ):  # a run numbers members as they enter the network: legacy members, placed
            # before the run, may carry a later join_day (the day their points came)
            table, parent, known = _ordered(members, ["member"])
        _check_parents(table, parent, known)
        self.table = table
        self.parent = parent
        self.spent = money(table["spent"])
        self.cash = money(table["cash_received"])
        self.bonus = money(table["bonuses_received"])
        fees = table["fees_paid"] if "fees_paid" in table else pd.Series(0, index=table.index)
        self.fees = money(fees.rename("fees_paid"))  # the part of spent paid as fees

    def compensated_links(self, direct: bool, indirect: bool) -> np.ndarray:
        """For each member, whether the link to their sponsor carried a bonus: some purchase at
        or below the member paid the sponsor or someone above them within the rule's reach.

        Read from the totals (who bought, who was paid): with the direct reward (one level
        up) a buyer's link carries pay when the sponsor was paid; with the indirect reward (two
        levels up) a buyer's link carries pay when the sponsor's sponsor was paid, and the
        link above a member with a buying recruit when the member's sponsor was paid."""
        parent = self.parent
        has_parent = parent >= 0
        up = np.where(has_parent, parent, 0)
        paid = self.bonus > 0
        bought = self.spent > 0
        paid_parent = has_parent & paid[up]
        grand = np.where(has_parent, parent[up], -1)
        paid_grand = (grand >= 0) & paid[np.where(grand >= 0, grand, 0)]
        buying_recruit = np.zeros(len(parent), dtype=bool)
        buying_recruit[parent[bought & has_parent]] = True
        links = np.zeros(len(parent), dtype=bool)
        if direct:
            links |= bought & paid_parent
        if indirect:
            links |= (bought & paid_grand) | (buying_recruit & paid_parent)
        return links


def _ordered(members: pd.DataFrame, by: list[str]):
    """The table sorted ``by`` these columns, each member's sponsor's position (-1: none or
    unknown) and whether a sponsor is named."""
    table = (members.sort_values(by, kind="stable") if by else members).reset_index(drop=True)
    ids = pd.Index(table["member"])
    known = table["sponsor"].notna().to_numpy()
    sponsors = table["sponsor"][known]
    if pd.api.types.is_integer_dtype(ids.dtype):  # a column with nulls reads as floats
        sponsors = sponsors.astype("int64")
    parent = np.full(len(table), -1, dtype=np.int64)
    parent[known] = ids.get_indexer(sponsors.to_numpy())
    return table, parent, known


def _check_parents(table: pd.DataFrame, parent: np.ndarray, known: np.ndarray) -> None:
    """Every sponsor is a member who joined before their recruit."""
    unknown = known & (parent < 0)
    late = known & (parent >= np.arange(len(parent)))
    for bad, problem in (
        (unknown, "is not a member of the table"),
        (late, "did not join before them"),
    ):
        rows = np.flatnonzero(bad)
        if len(rows):
            member, sponsor = (member_id(table[c].iloc[rows[0]]) for c in ("member", "sponsor"))
            raise InputError(
                f"member {member}'s sponsor {sponsor} {problem}",
                file="members table",
                key="sponsor",
            )


def member_id(value) -> str:
    """A member id as written (a whole float, as a nullable id column reads, without .0)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def money(column: pd.Series) -> np.ndarray:
    """An exact money column (integer fen) as int64; a missing, fractional or negative
    amount is refused, since no run writes one."""
    values = column.to_numpy()
    whole = pd.api.types.is_integer_dtype(values.dtype) or (
        pd.api.types.is_float_dtype(values.dtype)
        and not np.isnan(values).any()
        and (values == np.rint(values)).all()
    )
    if not whole or (values < 0).any():
        raise InputError(
            "expected amounts of whole fen >= 0, found a negative, fractional or missing value",
            file="members table",
            key=str(column.name),
        )
    return values.astype(np.int64)
