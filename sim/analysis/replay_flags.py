"""The red flags of a replayed platform's real tree, with dates.

Each flag of SPEC §7 (:func:`sim.analysis.redflags.red_flags`: the pyramid test and its
serious circumstances under both readings of who organises, illegal fundraising, the entry
fee, recruitment pay, the promise) is measured on the replay's members as a run's are, with
one difference: the links that carried pay are the ones the records name (a bonus paid to a
member on the order of someone below them: ``link_days``, made by the replay), not read
from totals and the scenario's rule. Its first day is the first day of the log on which the
flag, measured on the log up to the end of that day, is raised: found by bisection for the
pyramid flags, which only ever turn on, and day by day for the others (one can be raised on
a day and not at the end: a loss that was later paid back).

It reads a replay's results as plain values (the members in order of first appearance, the
day-by-day history of their money, each link's first paid day), never the replay's code.
Money is in fen until :func:`sim.analysis.redflags.flags_json` makes yuan of it.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa

from sim.analysis.redflags import NOT_MEASURED, flags_json, red_flags
from sim.analysis.redflags_org import DEFAULT_READING, READINGS

FLAGS_SCHEMA = pa.schema(
    [
        ("key", pa.string()),
        ("reading", pa.string()),
        ("raised", pa.bool_()),
        ("first_day", pa.int64()),
        ("measured", pa.string()),
        ("threshold", pa.string()),
        ("law", pa.string()),
        ("explanation", pa.string()),
        ("explanation_zh", pa.string()),  # the same in Chinese: a report reads, never measures
    ]
)
_FIGURES = ("order", "fee", "cash", "bonus", "exit")


class _Members:
    """The members in order of first appearance, as arrays made once."""

    def __init__(self, members: pd.DataFrame) -> None:
        self.ids = members["member"].to_numpy(object)
        self.sponsors = members["sponsor"].to_numpy(object)
        self.first = members["first_day"].to_numpy(np.int64)
        self.place = {member: i for i, member in enumerate(self.ids)}
        self.parent = np.array(
            [-1 if s is None or s != s else self.place[s] for s in self.sponsors], np.int64
        )


class _History:
    """The day-by-day history as arrays: day, member position, figure (an index of
    ``_FIGURES``) and amount (1 for an exit, which is counted)."""

    def __init__(self, history: dict) -> None:
        code = np.array([_FIGURES.index(name) for name in history["names"]], np.int64)
        self.days = np.asarray(history["day"], np.int64)
        self.who = np.asarray(history["member"], np.int64)
        self.what = code[np.asarray(history["what"], np.int64)]
        self.fen = np.where(self.what == _FIGURES.index("exit"), 1, history["fen"])

    def upto(self, day: float) -> int:
        """How many entries are of ``day`` or before (the history is in time order)."""
        return int(np.searchsorted(self.days, day, side="right"))


class _Days:
    """The members' money day by day: each member's totals up to the end of a day. Days
    asked in increasing order add only the entries since the last; an earlier day starts
    again from nothing (exact int64 sums either way)."""

    def __init__(self, members: _Members, history: _History) -> None:
        self.members = members
        self.history = history
        self.next = 0
        self.sums = np.zeros((len(_FIGURES), len(members.ids)), np.int64)

    def frame(self, day: float, ids: bool = False) -> pd.DataFrame:
        """The members who had appeared by the end of ``day``, as the flags read them;
        with ``ids`` under their ids, else numbered by position (the flags are raised or
        not on numbers, never on an id's text: the ids only name an organiser)."""
        h = self.history
        upto = h.upto(day)
        if upto < self.next:
            self.sums[:] = 0
            self.next = 0
        if upto > self.next:
            span = slice(self.next, upto)
            np.add.at(self.sums, (h.what[span], h.who[span]), h.fen[span])
            self.next = upto
        m = self.members
        k = int(np.searchsorted(m.first, day, side="right"))  # appearance is time order
        order, fee, cash, bonus, exits = (column[:k] for column in self.sums)
        return pd.DataFrame(
            {
                "member": m.ids[:k] if ids else np.arange(k),
                "join_day": m.first[:k],
                "sponsor": m.sponsors[:k] if ids else m.parent[:k],
                "spent": order + fee,  # paid in to take part, fees included
                "cash_received": cash,
                "bonuses_received": bonus,
                "forced_exits": exits,
                "fees_paid": fee,
            }
        )


def replay_flags(members: pd.DataFrame, history: dict, link_days: np.ndarray, scenario) -> pa.Table:
    """Every flag under each reading at the end of the log, with its first day (null: never
    raised on any day of the log). ``members``: ``member``, ``first_day``, ``sponsor`` in
    order of first appearance; ``history``: columns in time order, ``day``, ``member`` (the
    position in ``members``), ``what`` (an index of ``names``: "order", "fee", "cash",
    "bonus", "exit") and ``fen``; ``link_days``: per member the first day the link to their
    sponsor carried pay (-1: never)."""
    summary = {"money_entered_by_source": {}}
    members = _Members(members)
    days = _Days(members, _History(history))

    def flags_at(
        day: float, readings: tuple[str, ...] = READINGS, ids: bool = False, lang: str = "en"
    ) -> list:
        frame = days.frame(day, ids)
        k = len(frame)
        links = (link_days[:k] >= 0) & (link_days[:k] <= day)
        parents = members.parent[:k]
        return red_flags(
            frame, summary, scenario, links=links, readings=readings, parents=parents, lang=lang
        )

    end = flags_at(np.inf, ids=True)
    in_chinese = [flag.explanation for flag in flags_at(np.inf, ids=True, lang="zh")]
    every_day = np.union1d(days.history.days, members.first).tolist()
    first = _first_pyramid_days(every_day, flags_at)
    others = {flag.key for flag in end if flag.key not in PYRAMID_KEYS}
    for day in every_day:  # the other flags need not stay raised: each day in turn
        if all((key, DEFAULT_READING) in first for key in others):
            break
        for flag in flags_at(day, ()):
            if flag.raised:
                first.setdefault((flag.key, flag.reading), day)
    rows = []
    for flag, shown, chinese in zip(end, flags_json(end), in_chinese, strict=True):
        measured = {k: v for k, v in shown.items() if k not in NOT_MEASURED}
        rows.append(
            {
                "key": flag.key,
                "reading": flag.reading,
                "raised": flag.raised,
                "first_day": first.get((flag.key, flag.reading)),
                "measured": json.dumps(measured, ensure_ascii=False),
                "threshold": flag.threshold,
                "law": flag.law,
                "explanation": flag.explanation,
                "explanation_zh": chinese,
            }
        )
    return pa.Table.from_pylist(rows, schema=FLAGS_SCHEMA)


PYRAMID_KEYS = ("pyramid_levels", "pyramid_serious")


def _first_pyramid_days(every_day: list, flags_at) -> dict:
    """The first day of each pyramid flag under each reading, by bisection over the days:
    these flags only ever turn on (participants, money and links that carried pay only grow
    as the log goes on, so an organisation's levels and head count never fall)."""
    first = {}
    seen: dict[tuple[int, str], dict[str, bool]] = {}  # both keys of a day and reading at once

    def raised(i: int, key: str, reading: str) -> bool:
        if (i, reading) not in seen:
            flags = flags_at(every_day[i], (reading,))
            seen[i, reading] = {f.key: f.raised for f in flags if f.key in PYRAMID_KEYS}
        return seen[i, reading][key]

    for reading in READINGS:
        for key in PYRAMID_KEYS:
            low, high = 0, len(every_day)  # the answer is in every_day[low:high], or none
            while low < high:
                middle = (low + high) // 2
                if raised(middle, key, reading):
                    high = middle
                else:
                    low = middle + 1
            if low < len(every_day):
                first[key, reading] = every_day[low]
    return first
