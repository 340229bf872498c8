"""The members' money day by day, as a replay records it for the red flags' first days: a
row per amount paid in or got (an order, a fee, a sale's or forced exit's cash, a bonus) and
per forced exit, held as four typed columns (25 bytes a row, not a Python tuple of objects:
a log of tens of millions of rows keeps it in memory).
"""

from __future__ import annotations

from array import array

import numpy as np

WHAT = ("order", "fee", "cash", "bonus", "exit")  # what a row records (an exit: fen 0)
_CODE = {name: i for i, name in enumerate(WHAT)}


class MoneyHistory:
    """Rows in time order: the day, the member's place (order of first appearance), what
    (an index of :data:`WHAT`) and the fen."""

    def __init__(self) -> None:
        self._day, self._member, self._fen = array("q"), array("q"), array("q")
        self._what = array("b")

    def add(self, day: int, member: int, what: str, fen: int) -> None:
        self._day.append(day)
        self._member.append(member)
        self._what.append(_CODE[what])
        self._fen.append(fen)

    def extend(self, day, member, what, fen) -> None:
        """Rows given as int64 columns (``what``: int8 codes)."""
        self._day.frombytes(np.ascontiguousarray(day, np.int64).tobytes())
        self._member.frombytes(np.ascontiguousarray(member, np.int64).tobytes())
        self._what.frombytes(np.ascontiguousarray(what, np.int8).tobytes())
        self._fen.frombytes(np.ascontiguousarray(fen, np.int64).tobytes())

    def __len__(self) -> int:
        return len(self._day)

    def columns(self) -> dict[str, object]:
        """The rows as numpy columns (views, no copy) and the names of the ``what`` codes:
        what the red flags read (:func:`sim.analysis.replay_flags.replay_flags`)."""
        return {
            "day": np.frombuffer(self._day, np.int64),
            "member": np.frombuffer(self._member, np.int64),
            "what": np.frombuffer(self._what, np.int8),
            "fen": np.frombuffer(self._fen, np.int64),
            "names": WHAT,
        }
