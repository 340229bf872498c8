"""Money reconciles in every replay, to the fen, after every row: what entered (orders, fees,
bonuses beyond the bonus line) = what left (withdrawn) + members' cash + the pool + every
other account; and the members table sums to the ledger. Random logs of every action
(joins under random sponsors, orders, sales, bonuses, withdrawals paid and asked for, fees)
under random mechanics, applied in-process through the replay's own code."""

from __future__ import annotations

from hypothesis import given, settings

from sim.core.book import Book
from sim.core.mechanics import MEMBER_CASH, POOL, WITHDRAWN
from sim.replay.apply import apply_events
from sim.replay.forensics import member_figures
from sim.replay.records import UNFUNDED, Records
from tests.strategies import mechanics, replay_event, replay_steps


def _reconciles(book: Book, records: Records) -> None:
    ledger = book.ledger
    ledger.check()  # every account together holds exactly what entered
    members = book.members.values()
    orders = sum(m.spent for m in members)
    fees = sum(records.fees.values())
    assert ledger.entered == orders + fees + records.unfunded
    assert ledger.entered_by.get(UNFUNDED, 0) == records.unfunded
    withdrawn = ledger.accounts[WITHDRAWN].balance if WITHDRAWN in ledger.accounts else 0
    others = sum(
        a.balance
        for name, a in ledger.accounts.items()
        if name not in (WITHDRAWN, MEMBER_CASH, POOL)
    )
    assert ledger.entered == withdrawn + ledger.balance(MEMBER_CASH) + ledger.balance(POOL) + others
    assert ledger.balance(MEMBER_CASH) == sum(m.balance for m in members)
    assert withdrawn == sum(m.withdrawn for m in members)
    assert records.queue.queued == sum(records.queue.waiting(m) for m in records.members)
    for key in records.members:  # nobody waits for more than they are credited
        record = book.members.get(key)
        assert records.queue.waiting(key) <= (record.balance if record else 0)


@settings(max_examples=200, deadline=None)
@given(mech=mechanics(), plan=replay_steps)
def test_every_replay_reconciles_after_every_row(mech, plan):
    book = Book(mech)
    records = Records(book, "distribution")
    book.ledger.open("distribution", "split")  # the bonus line, where the split has none
    for line, step in enumerate(plan, start=2):
        event = replay_event(book, records, line, line, step)
        if event is None:
            continue
        apply_events(book, [event], records)
        _reconciles(book, records)
    figures = member_figures(book, records)  # the members table sums to the ledger
    assert sum(f.paid_in for f in figures) == sum(m.spent for m in book.members.values()) + sum(
        records.fees.values()
    )
    assert sum(f.balance for f in figures) == book.ledger.balance(MEMBER_CASH)
    assert sum(f.withdrawn for f in figures) == sum(m.withdrawn for m in book.members.values())
    assert sum(f.requested for f in figures) == records.queue.queued
    assert sum(f.held for f in figures) == book.points
