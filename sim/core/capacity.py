"""How arrays with a row a member grow: by a quarter at a time, not by doubling.

Members join one by one, so the arrays that hold them grow geometrically (amortised O(1)
per member). Doubling leaves up to half of every array unused: at 9 million members the
arrays were sized for 16.8 million. Growing by a quarter copies a little more often and
leaves at most a fifth unused. One rule, so that every member array grows alike.
"""

from __future__ import annotations

SMALLEST = 16


def grown(capacity: int, needed: int) -> int:
    """The capacity an array of ``capacity`` rows grows to so as to hold ``needed`` rows:
    at least a quarter more, and at least ``needed``."""
    return max(needed, capacity + capacity // 4, SMALLEST)
