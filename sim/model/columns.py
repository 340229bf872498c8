"""The members of a run held as columns: one typed array per attribute, one row a member.

A member is the row ``id - 1`` (ids count from 1, in the order members joined). What the
behaviours (:mod:`sim.model.agents`) decide on and the members table reports is here —
type, join day, exit day, break-even, sell target, reach and recruits — as ``array.array``
columns of machine integers, which grow in place as members join (amortised doubling). No
Python object is made per member: a row costs 50 bytes, where a Mesa agent with its
registration cost about 470. ``-1`` stands for "none" (never exited, never even, no
target). Who sponsored whom is the referral network's (:mod:`sim.model.network`), not
repeated here.

:class:`MemberView` reads one member as an object on demand, and :class:`Members` is the
model's ``members`` mapping of such views, for notebooks and tests.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Mapping
from fractions import Fraction

import numpy as np

KINDS = ("consumer", "referrer", "panic_seller", "legacy")
CONSUMER, REFERRER, PANIC_SELLER, LEGACY = range(len(KINDS))
NONE = -1


class MemberColumns:
    """The columns; ``add`` appends a member's row and returns their id."""

    def __init__(self) -> None:
        self.kind = array("b")
        self.join_day = array("q")
        self.exit_day = array("q")
        self.even = array("b")  # -1 never bought, 0 below break-even, 1 even
        self.break_even_day = array("q")
        self.target = array("q")  # sell target in millionths of a multiple of spend
        self.reach = array("q")
        self.recruited = array("q")

    def __len__(self) -> int:
        return len(self.kind)

    def add(self, kind: int, join_day: int) -> int:
        self.kind.append(kind)
        self.join_day.append(join_day)
        for column in (self.exit_day, self.break_even_day, self.target):
            column.append(NONE)
        self.even.append(NONE)
        self.reach.append(0)
        self.recruited.append(0)
        return len(self.kind)

    def arrays(self) -> tuple[np.ndarray, ...]:
        """``kind``, ``exit_day``, ``even``, ``break_even_day`` and ``target`` as arrays over
        the same memory, for compiled code (drop them before a member joins: a column
        cannot grow while an array looks at it)."""
        return (
            np.frombuffer(self.kind, np.int8),
            np.frombuffer(self.exit_day, np.int64),
            np.frombuffer(self.even, np.int8),
            np.frombuffer(self.break_even_day, np.int64),
            np.frombuffer(self.target, np.int64),
        )

    def target_of(self, member: int) -> Fraction | None:
        """The member's sell target as an exact multiple (None: none)."""
        millionths = self.target[member - 1]
        return None if millionths == NONE else Fraction(millionths, 10**6)

    def numbers(self, name: str) -> np.ndarray:
        """A column as a numpy array (a copy: the column may grow again)."""
        return np.array(getattr(self, name))

    def nullable(self, name: str) -> list[int | None]:
        """A column with its "none" rows as None, for a nullable table column."""
        return [None if value == NONE else value for value in getattr(self, name)]

    def kinds(self) -> list[str]:
        return [KINDS[code] for code in self.kind]


class MemberView:
    """One member read from the columns and the referral network."""

    __slots__ = ("_columns", "_network", "unique_id")

    def __init__(self, columns: MemberColumns, network, member: int) -> None:
        self._columns = columns
        self._network = network
        self.unique_id = member

    def _get(self, name: str) -> int:
        return getattr(self._columns, name)[self.unique_id - 1]

    @property
    def kind(self) -> str:
        return KINDS[self._get("kind")]

    @property
    def join_day(self) -> int:
        return self._get("join_day")

    @property
    def sponsor(self) -> int | None:
        return self._network.sponsor(self.unique_id)

    @property
    def exit_day(self) -> int | None:
        return None if self._get("exit_day") == NONE else self._get("exit_day")

    @property
    def break_even_day(self) -> int | None:
        day = self._get("break_even_day")
        return None if day == NONE else day

    @property
    def even(self) -> bool | None:
        return None if self._get("even") == NONE else bool(self._get("even"))

    @property
    def target(self) -> Fraction | None:
        return self._columns.target_of(self.unique_id)

    @property
    def reach(self) -> int:
        return self._get("reach")

    @property
    def recruited(self) -> int:
        return self._get("recruited")

    def __repr__(self) -> str:
        return f"<member {self.unique_id}: {self.kind}, joined day {self.join_day}>"


class Members(Mapping):
    """The model's members by id, each a :class:`MemberView` made when asked for (``network``:
    the :class:`~sim.model.network.ReferralNetwork` they joined)."""

    def __init__(self, columns: MemberColumns, network) -> None:
        self._columns = columns
        self._network = network

    def __getitem__(self, member: int) -> MemberView:
        if member not in self:
            raise KeyError(member)
        return MemberView(self._columns, self._network, int(member))

    def __contains__(self, member: object) -> bool:
        return isinstance(member, (int, np.integer)) and 1 <= member <= len(self._columns)

    def __iter__(self) -> Iterator[int]:
        return iter(range(1, len(self._columns) + 1))

    def __len__(self) -> int:
        return len(self._columns)
