"""The compiled replay (:mod:`sim.replay.compiled_apply`) is the reference replay
(:func:`sim.replay.apply.apply_events`) event for event: on random valid logs under random
mechanics (forced exits, caps, partial and whole sales, bonuses beyond the line, paid and
queued withdrawals, fees, joins), cut into chunks of 1 to 9 rows, the trace file is the same
bytes and the records, the ledger (account order and the order money entered by source
included) and every member's figures are equal; and a whole replay writes the same files
either way."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core.book import Book
from sim.errors import InputError
from sim.model.compiled_book import CompiledBook
from sim.replay.apply import apply_events, replay_file
from sim.replay.compiled_apply import apply_compiled, replayed_book
from sim.replay.forensics import member_figures
from sim.replay.insolvency import RequestQueue
from sim.replay.records import Records
from sim.replay.trace import Trace
from sim.scenario.root import load_scenario
from tests.strategies import mechanics, replay_event, replay_steps

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


def _valid_log(mech, plan, per_day: int) -> list:
    """The plan's rows the reference accepts, applied one by one to find them."""
    book = Book(mech)
    records = Records(book, "distribution")
    book.ledger.open("distribution", "split")
    events = []
    for line, step in enumerate(plan, start=2):
        event = replay_event(book, records, line, line // per_day, step)
        if event is not None:
            apply_events(book, [event], records)
            events.append(event)
    return events


def _replayed(mech, events, path, wait_days, chunk_rows=None):
    book = Book(mech) if chunk_rows is None else CompiledBook(mech)
    records = Records(book, "distribution", queue=RequestQueue(wait_days))
    book.ledger.open("distribution", "split")
    trace = Trace(path, mech.unit)
    if chunk_rows is None:
        apply_events(book, events, records, None, trace)
    else:
        apply_compiled(book, events, records, trace, chunk_rows=chunk_rows)
        book = replayed_book(book, records)
    trace.close()
    return book, records


def _state(book, records) -> dict:
    ledger = book.ledger
    queue = records.queue
    history = records.history.columns()
    return {
        "figures": member_figures(book, records),
        "book": (book.pool, book.points, book.price),
        "accounts": [
            (a.name, a.kind, a.balance, a.total_in, a.total_out) for a in ledger.accounts.values()
        ],
        "entered": (ledger.entered, list(ledger.entered_by.items())),
        "tree": records.members,
        "records": (records.fees, records.bonuses, records.bonus_sources, records.bonus_days),
        "unfunded": records.unfunded,
        "queue": (queue.insolvent_day, queue.queued_then, queue.queued),
        "waiting": [queue.waiting(key) for key in records.members],
        "history": [history[name].tolist() for name in ("day", "member", "what", "fen")],
    }


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    mech=mechanics(),
    plan=replay_steps,
    per_day=st.integers(1, 4),
    chunk_rows=st.integers(1, 9),
    wait_days=st.integers(0, 3),
)
def test_the_compiled_replay_is_the_reference_event_for_event(
    tmp_path_factory, mech, plan, per_day, chunk_rows, wait_days
):
    events = _valid_log(mech, plan, per_day)
    folder = tmp_path_factory.mktemp("replays")
    reference = _state(*_replayed(mech, events, folder / "ref.parquet", wait_days))
    compiled = _state(*_replayed(mech, events, folder / "compiled.parquet", wait_days, chunk_rows))
    assert compiled == reference
    assert (folder / "compiled.parquet").read_bytes() == (folder / "ref.parquet").read_bytes()


@pytest.mark.parametrize("log", ["small-platform.csv", "platform-export.csv"])
def test_a_whole_replay_writes_the_same_files_either_way(tmp_path, monkeypatch, log):
    """The shipped exports (joins, orders, sales, bonuses with over-payments, withdrawals,
    a region fee) under a forced-exit scenario, without the published rules (a replay with
    them takes the reference path)."""
    scenario = load_scenario(ROOT / "scenarios" / "seed-generic-3x.yaml")
    files = {}
    for compiled in (False, True):
        if compiled:  # no falling back to the reference unseen
            monkeypatch.setattr("sim.replay.apply.apply_events", None)
        out = tmp_path / str(compiled)
        replay_file(
            ROOT / "examples" / log,
            scenario.mechanics(),
            out,
            ("parquet", "csv"),
            compiled=compiled,
        )
        files[compiled] = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
    assert len(files[True]) == 11
    assert files[True] == files[False]


@pytest.mark.parametrize(
    "rows, message",
    [
        (  # named by a bonus before their first row, in the same chunk
            ["0,m1,join,,,,", "0,m1,bonus,30,,m2,direct", "0,m2,buy,1000,,,"],
            "export.csv:3: source_member: source member m2 has not appeared",
        ),
        (["0,m1,buy,1000,,,", "0,m1,sell,5000,,,"], "export.csv:3: member m1 sells 5000 points"),
        (["0,m1,buy,1000,,,", "1,m1,withdraw,1,,,"], "export.csv:3: amount: member m1 withdraws"),
    ],
)
def test_a_bad_row_is_named_by_either_path(tmp_path, rows, message):
    """The compiled path declines a log that breaks a rule; the reference names the row."""
    log = tmp_path / "export.csv"
    log.write_text("\n".join(["day,member,action,amount,sponsor,source_member,kind", *rows]))
    mech = load_scenario(ROOT / "scenarios" / "seed-generic-3x.yaml").mechanics()
    said = []
    for compiled in (False, True):
        with pytest.raises(InputError) as caught:
            replay_file(log, mech, tmp_path / f"out{compiled}", compiled=compiled)
        said.append(str(caught.value))
        assert not (tmp_path / f"out{compiled}").exists()
    assert said[0] == said[1] and message in said[0]
