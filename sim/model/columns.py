"""The members of a run held as columns: one typed array per attribute, one row a member.

A member is the row ``id - 1`` (ids count from 1, in the order members joined). What the
behaviours (:mod:`sim.model.agents`) decide on and the members table reports is here —
type, join day, exit day, break-even, sell target, reach and recruits — as numpy columns of
machine integers with room to spare, which grow (:mod:`sim.core.capacity`) as members join. No
Python object is made per member: a row costs 26 bytes, where a Mesa agent with its
registration cost about 470. ``-1`` stands for "none" (never exited, never even, no
target). Who sponsored whom is the referral network's (:mod:`sim.distribution.network`), not
repeated here.

:class:`MemberView` reads one member as an object on demand, and :class:`Members` is the
model's ``members`` mapping of such views, for notebooks and tests.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from fractions import Fraction

import numpy as np

from sim.core.capacity import grown

KINDS = ("consumer", "referrer", "panic_seller", "legacy")
CONSUMER, REFERRER, PANIC_SELLER, LEGACY = range(len(KINDS))
NONE = -1


# each column: its numpy type and the value of a new row
COLUMNS = {
    "kind": (np.int8, 0),
    "join_day": (np.int32, 0),  # days and member ids fit 32 bits (sim.limits)
    "exit_day": (np.int32, NONE),
    "even": (np.int8, NONE),  # -1 never bought, 0 below break-even, 1 even
    "break_even_day": (np.int32, NONE),
    # sell target in millionths of a multiple of spend (at most 1000x: 32 bits), reach (at
    # most the members of a run)
    "target": (np.int32, NONE),
    "reach": (np.int32, 0),
    "recruited": (np.int32, 0),  # at most the members of a run
}


class MemberColumns:
    """The columns; ``add`` appends a member's row and returns their id. Each column is a
    numpy array with room beyond the members (:mod:`sim.core.capacity`); rows past ``len`` are
    not members yet."""

    def __init__(self, capacity: int = 1024) -> None:
        self._size = 0
        for name, (dtype, fill) in COLUMNS.items():
            setattr(self, name, np.full(max(capacity, 1), fill, dtype))

    def __len__(self) -> int:
        return self._size

    @property
    def capacity(self) -> int:
        return len(self.kind)

    def reserve(self, rows: int) -> None:
        """Room for ``rows`` more members (the columns are replaced: re-read them)."""
        capacity = self.capacity
        if self._size + rows <= capacity:
            return
        capacity = grown(capacity, self._size + rows)
        for name, (dtype, fill) in COLUMNS.items():
            column = np.full(capacity, fill, dtype)
            column[: self._size] = getattr(self, name)[: self._size]
            setattr(self, name, column)

    def add(self, kind: int, join_day: int) -> int:
        self.reserve(1)
        row = self._size
        self.kind[row] = kind
        self.join_day[row] = join_day
        self._size = row + 1
        return self._size

    def joined(self, size: int) -> None:
        """Compiled code filled rows up to ``size`` (reserved beforehand)."""
        self._size = size

    def arrays(self) -> tuple[np.ndarray, ...]:
        """``kind``, ``exit_day``, ``even``, ``break_even_day`` and ``target``, for compiled
        code (the columns themselves: re-read them after a member joins)."""
        return self.kind, self.exit_day, self.even, self.break_even_day, self.target

    def target_of(self, member: int) -> Fraction | None:
        """The member's sell target as an exact multiple (None: none)."""
        millionths = int(self.target[member - 1])
        return None if millionths == NONE else Fraction(millionths, 10**6)

    def numbers(self, name: str) -> np.ndarray:
        """A column's members as a numpy array (a copy: the column may grow again)."""
        return getattr(self, name)[: self._size].copy()


class MemberView:
    """One member read from the columns and the referral network."""

    __slots__ = ("_columns", "_network", "unique_id")

    def __init__(self, columns: MemberColumns, network, member: int) -> None:
        self._columns = columns
        self._network = network
        self.unique_id = member

    def _get(self, name: str) -> int:
        return int(getattr(self._columns, name)[self.unique_id - 1])

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
    the :class:`~sim.distribution.network.ReferralNetwork` they joined); all of them as one table
    with :meth:`to_arrow` or :meth:`to_pandas` (``table``: what builds it)."""

    def __init__(self, columns: MemberColumns, network, table=None, frame=None) -> None:
        self._columns = columns
        self._network = network
        self._table, self._frame = table, frame  # sim.model.members' builders

    def to_arrow(self):
        """The members table, one row a member, exact (money in fen, points in units:
        :mod:`sim.model.members`), as a :class:`pyarrow.Table`."""
        if self._table is None:
            raise TypeError("these members were made without a table")
        return self._table()

    def to_pandas(self):
        """:meth:`to_arrow` as a pandas DataFrame (figures past int64 as Python integers)."""
        return self._frame(self.to_arrow())

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
