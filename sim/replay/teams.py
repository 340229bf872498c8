"""The teams of a replayed platform: for each member who recruited anyone, the people and
levels below them and the money their team paid in, as an investigator counts them from a
seized membership database (the statute's thresholds are 30 participants and 3 levels).

Levels are counted two ways: over every sponsor link, and over the links that carried pay
only. A bonus the records show paid to S whose ``source_member`` X is below S carried pay
along every link from X up to S (a direct bonus on R's order marks R's link; an indirect one
on the order of R's recruit marks both links), as the red flags read a run's chains; a log
without ``source_member`` marks none. Levels count the member's own: 1 for a member with
recruits but no paid link, 2 with recruits, 3 with recruits' recruits.

Members are positions in order of first appearance; a sponsor always appears before the
recruit, so every count is one pass from the last member up (no recursion).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from sim.core.units import fen_to_yuan
from sim.replay.forensics import MemberFigures
from sim.replay.records import Records

TEAMS_SCHEMA = pa.schema(
    [
        ("member", pa.string()),
        ("sponsor", pa.string()),
        ("recruits", pa.int64()),
        ("participants_below", pa.int64()),
        ("levels_all_links", pa.int64()),
        ("levels_paid_links", pa.int64()),
        ("team_paid_in", pa.float64()),
        ("own_paid_in", pa.float64()),
        ("own_bonuses", pa.float64()),
        ("own_net_investment", pa.float64()),
    ]
)


def positions(figures: list[MemberFigures]) -> tuple[dict[str, int], np.ndarray]:
    """Each member's position in order of first appearance, and their sponsor's (-1: none)."""
    place = {f.member: i for i, f in enumerate(figures)}
    parent = np.array([-1 if f.sponsor is None else place[f.sponsor] for f in figures], np.int64)
    return place, parent


def link_days(figures: list[MemberFigures], records: Records) -> np.ndarray:
    """For each position, the first day the link to its sponsor carried pay (-1: never): a
    bonus paid to S on the order of X below S carries pay along every link from X up to S."""
    place, parent = positions(figures)
    days = np.full(len(parent), -1, np.int64)
    for (receiver, source), amount in records.bonus_sources.items():
        if amount <= 0:
            continue
        target, child = place[receiver], place[source]
        path = []
        while child >= 0 and child != target:
            path.append(child)
            child = parent[child]
        if child < 0:  # the receiver is not above the source: no link carried it
            continue
        day = records.bonus_days[receiver, source]
        for node in path:
            if days[node] < 0 or day < days[node]:
                days[node] = day
    return days


def team_rows(figures: list[MemberFigures], links: np.ndarray) -> list[dict]:
    """One row per member with at least one recruit, in order of first appearance;
    ``links``: :func:`link_days` of the same members."""
    n = len(figures)
    _, parent = positions(figures)
    paid = links >= 0
    recruits = np.zeros(n, np.int64)
    below = np.zeros(n, np.int64)
    depth_all = np.zeros(n, np.int64)  # levels below the member, over every link
    depth_paid = np.zeros(n, np.int64)  # over links that carried pay only
    team_in = [0] * n  # fen paid in by everyone below (Python ints: exact at any size)
    for i in range(n - 1, -1, -1):
        p = parent[i]
        if p < 0:
            continue
        recruits[p] += 1
        below[p] += below[i] + 1
        depth_all[p] = max(depth_all[p], depth_all[i] + 1)
        if paid[i]:
            depth_paid[p] = max(depth_paid[p], depth_paid[i] + 1)
        team_in[p] += team_in[i] + figures[i].paid_in
    return [
        {
            "member": f.member,
            "sponsor": f.sponsor,
            "recruits": int(recruits[i]),
            "participants_below": int(below[i]),
            "levels_all_links": int(depth_all[i]) + 1,
            "levels_paid_links": int(depth_paid[i]) + 1,
            "team_paid_in": fen_to_yuan(team_in[i]),
            "own_paid_in": fen_to_yuan(f.paid_in),
            "own_bonuses": fen_to_yuan(f.bonuses),
            "own_net_investment": fen_to_yuan(f.net_investment),
        }
        for i, f in enumerate(figures)
        if recruits[i]
    ]
