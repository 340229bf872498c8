"""Invariants over random scenarios and event streams: money is conserved to the fen after
every event, the price never falls under the seed rules, and nobody is left above their cap."""

from __future__ import annotations

import itertools
from decimal import Decimal
from fractions import Fraction as F

import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core import rules
from sim.core.book import EXITED, Book, Refused
from sim.core.mechanics import MEMBER_CASH, POOL
from tests.conftest import write_log
from tests.strategies import action_lists, mechanics


def apply(book: Book, action) -> list:
    """Apply a drawn action if the rules allow it; return the events (empty if refused)."""
    kind, member, amount = action
    if kind == "buy":
        return book.buy(member, amount)
    held = book.members[member].held if member in book.members else 0
    if held == 0:
        return []
    units = None if amount == 1000 else max(1, held * amount // 1000)
    try:
        return book.sell(member, units)
    except Refused as refusal:
        assert "required before any sale" in str(refusal)
        return []


def check_invariants(book: Book) -> None:
    ledger = book.ledger
    ledger.check()
    members = book.members.values()
    assert ledger.balance(MEMBER_CASH) == sum(m.cash for m in members)
    assert ledger.balance(POOL) >= 0
    assert book.points == sum(m.held for m in members)
    assert ledger.entered == sum(m.spent for m in members)
    mech = book.mechanics
    if mech.exit_multiple is None:
        return
    for m in members:  # the cascade is complete: nobody active is at or above the cap
        if m.status == EXITED or m.held == 0:
            continue
        measure = m.held if mech.exit_points == "held" else m.obtained_entry
        reference = m.spent_entry if mech.exit_against == "spend" else m.grant_value_entry
        cash = m.cash_entry if mech.exit_counts_cash else 0
        assert not rules.cap_reached(measure, reference, cash, mech.exit_multiple, book.price)


@settings(max_examples=300, deadline=None)
@given(mech=mechanics(), actions=action_lists)
def test_ledger_balances_and_price_never_falls_after_every_event(mech, actions):
    book = Book(mech)
    price = book.price
    for action in actions:
        for event in apply(book, action):
            assert event.price >= price, f"price fell on {event}"
            price = event.price
            if event.action == "forced_exit":
                assert book.members[event.member].status == EXITED
        check_invariants(book)


@settings(max_examples=25, deadline=None)
@given(mech=mechanics(), actions=action_lists, data=st.data())
def test_replayed_random_logs_balance_and_never_fall(
    mech, actions, data, tmp_path_factory, cli_runner
):
    """The same property end to end: random valid logs through ``python -m sim replay``."""
    shadow = Book(mech)
    rows = []
    for day, action in enumerate(actions):
        kind, member, amount = action
        before = shadow.members[member].held if member in shadow.members else 0
        if not apply(shadow, action):
            continue
        if kind == "buy":
            rows.append((day, f"m{member}", "buy", f"{amount / 100:.2f}"))
        else:
            sold = before - shadow.members[member].held  # what the shadow sold
            rows.append(
                (
                    day,
                    f"m{member}",
                    "sell",
                    "all" if amount == 1000 else decimal_text(F(sold, mech.unit)),
                )
            )
    if not rows:
        return
    folder = tmp_path_factory.mktemp("replay")
    scenario = folder / "s.yaml"
    scenario.write_text(scenario_yaml(mech), encoding="utf-8")
    code, err = cli_runner(
        "replay",
        write_log(folder / "e.csv", rows),
        "--scenario",
        scenario,
        "--out",
        folder / "out",
        "--quiet",
    )
    assert code == 0, err
    trace = pq.read_table(folder / "out" / "trace.parquet").to_pydict()
    prices = trace["price"]
    assert all(b >= a for a, b in itertools.pairwise(prices))
    ledger = pq.read_table(folder / "out" / "ledger.parquet").to_pydict()
    spent = sum(float(r[3]) for r in rows if r[2] == "buy")
    assert abs(sum(ledger["balance"]) - spent) < 1e-6 * max(1.0, spent)
    assert trace["cash_delta"] == [e.cash_delta / 100 for e in replay_events(mech, rows)]


def replay_events(mech, rows):
    """The events the book produces for the written rows (independent second run)."""
    book = Book(mech)
    out = []
    for _, member, kind, amount in rows:
        if kind == "buy":
            out += book.buy(member, round(float(amount) * 100))
        else:
            units = None if amount == "all" else round(float(amount) * mech.unit)
            out += book.sell(member, units)
    return out


def decimal_text(value: F) -> str:
    """Exact decimal text of a fraction whose denominator divides a power of ten."""
    return format(Decimal(value.numerator) / Decimal(value.denominator), "f")


def scenario_yaml(mech) -> str:
    """A scenario file equivalent to ``mech`` (decimal text, so nothing is lost)."""
    dec = decimal_text
    split = ", ".join(f"{name}: {dec(share)}" for name, share in mech.split)
    cap = (
        "null"
        if mech.max_points_per_order is None
        else decimal_text(F(mech.max_points_per_order, mech.unit))
    )
    exit_multiple = "null" if mech.exit_multiple is None else dec(mech.exit_multiple)
    return f"""name: random
order:
  split: {{{split}}}
points:
  start_price: {dec(mech.start_price)}
  mint_ratio: {dec(mech.mint_ratio)}
  sell_payout: {dec(mech.sell_payout)}
  exit_multiple: {exit_multiple}
  exit_points: {mech.exit_points}
  exit_against: {mech.exit_against}
  exit_counts_cash: {str(mech.exit_counts_cash).lower()}
  decimals: {mech.decimals}
  max_points_per_order: {cap}
  min_spend_to_sell: {mech.min_spend_to_sell / 100:.2f}
"""
