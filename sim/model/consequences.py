"""What a day's applied events set off, in one compiled pass (``run.core: fast``).

After the kernel has applied the day's stream, each event tells its member what happened,
in the order of the stream — the twin of :meth:`sim.model.scheme.SchemeRun._handle`, which
the reference core keeps: a buyer may plan a repeat order (:func:`sim.model.agents.after_order`),
a member forced out notes the day and may plan a comeback
(:func:`sim.model.agents.on_forced_exit`), and every member touched re-files their sell target
(:mod:`sim.model.sell_targets`) and is re-judged for break-even
(:mod:`sim.model.break_even`). The draws come from the run's one stream in the same order
(:mod:`sim.draws`), so the runs are the same to the byte on either core; the tests
compare the two cores' files.

What does not draw or order anything is left to the caller, in bulk: the orders that minted
nothing, the withdrawal requests (the pass lists the members paid, in order).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.core import capacity
from sim.core.kernel_layout import EV_BUY, EV_FORCED_EXIT, EV_SELL
from sim.draws import chance_at, wait_days_at
from sim.model.break_even import settle_compiled
from sim.model.calendar import ORDER_CODE, add_entry
from sim.model.columns import LEGACY, PANIC_SELLER
from sim.model.sell_targets import _remove, file_target, trigger_price

# the day's figures the pass counts, in this order
FIGURES = ("orders", "order_volume", "sales", "forced_exits", "payouts")


@njit(cache=True)
def handle_events(
    events,  # (kind, member row, amount, cash_delta) of each applied event
    columns,  # the members' (kind, exit_day, even, break_even_day, target)
    book,  # the book's (held, spent_entry, version, spent, cash, bonus) per member row
    fees,  # fen each event's member paid for regions and service points (or all zero)
    heap,  # the sell targets' (key, pos, heap, version, copies)
    heap_size,
    calendar,  # (head, tail, member, reason, following), entries reserved
    free,
    horizon,
    u,
    at,
    behaviour,  # (rebuy probability, rebuy interval, re-entry probability, re-entry delay)
    day,
    figures,  # int64[len(FIGURES)], added to
    counts,  # the break-even counts, kept
    credits,  # out: members paid, in the order paid
    holding,  # by member row: a panic seller holding points (kept)
):  # pragma: no cover - compiled
    """Apply the consequences of the day's events; returns the heap's size, the calendar's
    free-list head, the entries it took, the number of ``credits`` and the change in the
    number of panic sellers holding points."""
    kind, member, amount, cash_delta = events
    member_kind, exit_day, even, break_even_day, target = columns
    held, spent_entry, version, spent, cash, bonus = book
    key, pos, nodes, filed, copies = heap
    head, tail, wake_member, wake_reason, following = calendar
    rebuy_p, rebuy_days, reentry_p, reentry_days = behaviour
    taken = 0
    paid = 0
    holders = 0
    for i in range(len(kind)):
        m = member[i]
        k = kind[i]
        wake = -1
        if k == EV_BUY:
            figures[0] += 1
            figures[1] += amount[i]
            if member_kind[m] != LEGACY and chance_at(u, at, rebuy_p):
                wake = day + wait_days_at(u, at, rebuy_days)
        else:
            if k == EV_SELL:
                figures[2] += 1
            elif k == EV_FORCED_EXIT:
                figures[3] += 1
                exit_day[m] = day
                if member_kind[m] != LEGACY and chance_at(u, at, reentry_p):
                    wake = day + wait_days_at(u, at, reentry_days)
            figures[4] += cash_delta[i]
            credits[paid] = m + 1
            paid += 1
        if 0 <= wake < horizon:
            free = add_entry(
                head, tail, wake_member, wake_reason, following, free, wake, m + 1, ORDER_CODE
            )
            taken += 1
        millionths = target[m]
        if millionths >= 0:
            if held[m]:
                trigger = trigger_price(millionths, held[m], spent_entry[m])
                heap_size = file_target(
                    key, pos, nodes, filed, copies, heap_size, m + 1, trigger, version[m]
                )
            else:
                heap_size = _remove(key, pos, nodes, heap_size, m + 1)
        settle_compiled(
            even, break_even_day, counts, m, spent[m] + fees[i], cash[m] + bonus[m], day
        )
        if member_kind[m] == PANIC_SELLER:
            now = held[m] > 0
            if now != holding[m]:
                holding[m] = now
                holders += 1 if now else -1
    return heap_size, free, taken, paid, holders


def figures_of(counted: np.ndarray) -> dict[str, int]:
    """The pass's counted figures by name."""
    return dict(zip(FIGURES, counted.tolist(), strict=True))


@njit(cache=True)
def settle_in_bulk(paid, members, seen, fees, columns, book, counts, day):  # pragma: no cover
    """Re-judge for break-even each member of the run (ids 1 .. ``members``) among ``paid``
    (ids of bonuses' payees, in order) once, in the order first paid, after the bonuses were
    paid; returns those members. ``seen``: a zeroed scratch row per member id (zeroed again
    before returning); ``fees``: what each id paid for regions and service points (ids past
    its end paid none), beside what ``book`` holds per member row: spent, cash and bonus."""
    even, break_even_day = columns[2], columns[3]
    spent, cash, bonus = book
    first = np.empty(len(paid), np.int64)
    k = 0
    for member in paid:
        if 1 <= member <= members and not seen[member]:
            seen[member] = 1
            first[k] = member
            k += 1
    for i in range(k):
        member = first[i]
        seen[member] = 0
        m = member - 1
        fee = fees[member] if member < len(fees) else 0
        settle_compiled(even, break_even_day, counts, m, spent[m] + fee, cash[m] + bonus[m], day)
    return first[:k]


class Seen:
    """The scratch row per member id :func:`settle_in_bulk` marks (zeros between calls),
    grown as members join."""

    def __init__(self) -> None:
        self.row = np.zeros(0, np.uint8)

    def scratch(self, members: int) -> np.ndarray:
        if len(self.row) <= members:
            self.row = np.zeros(capacity.grown(len(self.row), members + 1), np.uint8)
        return self.row
