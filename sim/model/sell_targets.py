"""Members' personal sell targets, in a heap keyed by the price that reaches them.

A consumer with a target sells everything once their points are worth ``target`` times what
they spent since entry. Scanning every holder each day would cost the whole population; the
heap costs only the members the price has reached. Each entry carries the member's record
``version`` (bumped by every order, sale and forced exit), so an entry made stale by a later
change is dropped when it surfaces, and the heap is compacted when stale entries pile up.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping

from sim.core import rules
from sim.model.market import Intent

SLACK = 4096  # stale entries tolerated beyond twice the holders before a compaction


class SellTargets:
    """The heap of ``(trigger price as a float, member, version)`` entries.

    The float key only orders the heap and never decides a sale: members popped near the
    price are checked exactly (:func:`sim.core.rules.cap_reached`) before they sell."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, int]] = []

    def __len__(self) -> int:
        return len(self._heap)

    def file(self, member: int, millionths: int, held: int, spent_entry: int, version: int) -> None:
        """File the member's target after a change to their record (``held`` > 0): the
        price at which ``held`` units are worth ``millionths / 10**6`` x ``spent_entry``."""
        trigger = millionths * spent_entry / (held * 10**6)
        heapq.heappush(self._heap, (trigger, member, version))

    def too_stale(self, holders: int) -> bool:
        """Whether the heap has outgrown the members holding points (every order files a
        new entry), so that :meth:`compact` should run."""
        return len(self._heap) > 2 * holders + SLACK

    def compact(self, standing: Callable) -> None:
        """Drop the stale entries, so the heap's size follows the holders, not the orders
        ever placed (``standing(member)`` is the book's current ``(held, ..., version)``)."""
        live = []
        for entry in self._heap:
            now = standing(entry[1])
            if now.version == entry[2] and now.held:
                live.append(entry)
        heapq.heapify(live)
        self._heap = live

    def due(self, price, records: Mapping, targets: Callable[[int], object]) -> list[Intent]:
        """The sales of members whose target the exact ``price`` has reached (``records``:
        the book's member records; ``targets(member)``: the member's exact multiple)."""
        out, early = [], []
        near = float(price) * (1 + 1e-9)  # above any float error in the heap's keys
        heap = self._heap
        while heap and heap[0][0] <= near:
            entry = heapq.heappop(heap)
            _, member, version = entry
            record = records[member]
            if record.version != version or not record.held:
                continue  # stale: the member has bought, sold or exited since
            if rules.cap_reached(record.held, record.spent_entry, 0, targets(member), price):
                out.append(Intent(member, "sell", None))
            else:
                early.append(entry)
        for entry in early:
            heapq.heappush(heap, entry)
        return out
