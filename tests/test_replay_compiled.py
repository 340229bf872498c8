"""The compiled replay (:mod:`sim.replay.compiled_apply`) is the reference replay
(:func:`sim.replay.apply.apply_events`) event for event: on random valid logs under random
mechanics (forced exits, caps, partial and whole sales, bonuses beyond the line, paid and
queued withdrawals, fees, joins), cut into chunks of 1 to 9 rows, the trace file is the same
bytes and the records, the ledger (account order and the order money entered by source
included) and every member's figures are equal; and a whole replay writes the same files
either way."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core.book import Book
from sim.errors import InputError
from sim.model.compiled_book import CompiledBook
from sim.replay.apply import apply_events, replay_file
from sim.replay.compiled_apply import apply_compiled, replayed_book
from sim.replay.entitlement import Entitlement
from sim.replay.forensics import member_figures
from sim.replay.insolvency import RequestQueue
from sim.replay.records import Records
from sim.replay.trace import Trace
from sim.scenario.root import load_scenario
from tests.strategies import mechanics, replay_event, replay_steps

ROOT = Path(__file__).resolve().parent.parent


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


def _replayed(mech, events, path, wait_days, chunk_rows=None, rates=None):
    book = Book(mech) if chunk_rows is None else CompiledBook(mech)
    records = Records(book, "distribution", queue=RequestQueue(wait_days))
    book.ledger.open("distribution", "split")
    trace = Trace(path, mech.unit)
    rules = None
    if rates is not None:  # published two-level referral rates, paid from a split line
        line = mech.split_table.names[-1]
        rules = Entitlement(mech, (Fraction(rates[0], 100), Fraction(rates[1], 100), line))
    if chunk_rows is None:
        apply_events(book, events, records, rules, trace)
    else:
        apply_compiled(book, events, records, trace, chunk_rows=chunk_rows, entitlement=rules)
        book = replayed_book(book, records)
    trace.close()
    records.due = None if rules is None else rules.due  # compared with the rest
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
        "due": records.due,
    }


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    mech=mechanics(),
    plan=replay_steps,
    per_day=st.integers(1, 4),
    chunk_rows=st.integers(1, 9),
    wait_days=st.integers(0, 3),
    rates=st.none() | st.tuples(st.integers(0, 20), st.integers(0, 10)),
)
def test_the_compiled_replay_is_the_reference_event_for_event(
    tmp_path_factory, mech, plan, per_day, chunk_rows, wait_days, rates
):
    events = _valid_log(mech, plan, per_day)
    folder = tmp_path_factory.mktemp("replays")
    reference = _state(*_replayed(mech, events, folder / "ref.parquet", wait_days, None, rates))
    compiled = _state(
        *_replayed(mech, events, folder / "compiled.parquet", wait_days, chunk_rows, rates)
    )
    assert compiled == reference
    assert (folder / "compiled.parquet").read_bytes() == (folder / "ref.parquet").read_bytes()


@pytest.mark.parametrize(
    "log, name, count",
    [
        ("small-platform.csv", "seed-generic-3x", 11),
        ("platform-export.csv", "seed-generic-3x", 11),
        ("platform-export.csv", "seed-generic-3x-assumed-referral", 13),  # + bonus_check
    ],
)
def test_a_whole_replay_writes_the_same_files_either_way(tmp_path, monkeypatch, log, name, count):
    """The shipped exports (joins, orders, sales, bonuses with over-payments, withdrawals,
    a region fee) under a forced-exit scenario, without and with its published referral
    rule (the records held against it: ``bonus_check``)."""
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
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
            bonus_line=scenario.referral.paid_from,
            entitlement=Entitlement.of(scenario),
            compiled=compiled,
        )
        files[compiled] = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
    assert len(files[True]) == count
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


def test_a_log_past_the_kernels_range_is_replayed_by_the_reference_with_the_rules_anew(
    tmp_path,
):
    """An order of 9 million billion yuan takes the money past the kernel's exact range
    (2**62 fen): the compiled path declines after telling the published rules of the
    chunk's orders, and the reference replays the log with the rules as they were given
    (their dues counted once)."""
    log = tmp_path / "export.csv"
    rows = ["0,m1,join,,,,", "0,m2,join,,m1,,", "0,m2,buy,1000,,,", "1,m2,buy,9000000000000000,,,"]
    log.write_text("\n".join(["day,member,action,amount,sponsor,source_member,kind", *rows]))
    scenario = load_scenario(ROOT / "scenarios" / "seed-generic-3x-assumed-referral.yaml")
    dues = []
    for compiled in (False, True):
        rules = Entitlement.of(scenario)
        replay_file(
            log,
            scenario.mechanics(),
            tmp_path / f"out{compiled}",
            bonus_line=scenario.referral.paid_from,
            entitlement=rules,
            compiled=compiled,
        )
        dues.append(rules.due)
    assert dues[0] == dues[1] == {("m1", "direct"): 3_000 + 27_000_000_000_000_000}
    same = [(tmp_path / f"out{c}" / "trace.parquet").read_bytes() for c in (False, True)]
    assert same[0] == same[1]
