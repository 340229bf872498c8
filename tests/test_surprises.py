"""Arithmetic a user would not expect: orders that mint no points, buyers who take over a
leftover pool — counted in the run's summary and printed, and foreseen by ``validate``."""

from __future__ import annotations

from fractions import Fraction as F

from sim.batch.run import simulate
from sim.batch.summary import describe
from sim.cli import main
from sim.core.book import Book
from sim.core.mechanics import Mechanics
from sim.model.arithmetic import Surprises, likely
from sim.scenario.root import load_scenario

YUAN = 100


def observed(book: Book, orders: int) -> Surprises:
    found = Surprises()
    for member in range(1, orders + 1):
        for event in book.buy(member, 1000 * YUAN):
            if event.action == "buy":
                found.observe(event, book.mechanics)
    return found


def test_a_buyer_takes_over_the_leftover_pool_by_hand():
    # exit at 1x the points' value at grant: every buyer is forced out by their own order.
    # Order 1: 300 into the pool, 210 points at 1 yuan; the price becomes 300 / 210 and the
    # points are worth 300 >= 210: sold at 80% (240), 60 left with no points. Order 2 mints
    # at the last price, 210 / (300 / 210) = 147 points, over a pool of 60 + 300: it took the
    # 60; sold again at 80% of 360 (288), leaving 72 for order 3.
    book = Book(Mechanics(exit_multiple=F(1), exit_against="grant_value"))
    found = observed(book, 3)
    assert (found.leftover_taken, found.leftover_taken_fen) == (2, (60 + 72) * YUAN)
    assert found.minting_nothing == 0


def test_orders_mint_nothing_below_the_smallest_unit():
    # whole points only and 1000 yuan a point: an order's 210 yuan of points is 0.21 of one
    book = Book(Mechanics(decimals=0, start_price=F(1000)))
    found = observed(book, 3)
    assert (found.minting_nothing, found.minting_nothing_fen) == (3, 3000 * YUAN)
    assert found.leftover_taken == 0  # nobody got points: nothing was taken over


SCENARIO = """\
name: surprising
order:
  amount: 1000
  split: {{product_cost: 0.30, distribution: 0.30, platform: 0.10, pool: 0.30}}
points:
  {{start_price: {price}, decimals: {decimals}, exit_multiple: {multiple}, exit_against: {against}}}
run: {{days: 20, seed: 2}}
inflow: {{kind: constant, initial_members: 5, rate: 3}}
"""


def scenario_file(tmp_path, price=1, decimals=6, multiple=2, against="spend"):
    path = tmp_path / f"s{price}-{decimals}-{multiple}-{against}.yaml"
    text = SCENARIO.format(price=price, decimals=decimals, multiple=multiple, against=against)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_run_counts_and_prints_them(tmp_path):
    result = simulate(load_scenario(scenario_file(tmp_path, price=1000, decimals=0)))
    summary = result.summary
    orders = summary["orders"]
    assert summary["orders_minting_nothing"] == orders > 0
    assert summary["orders_minting_nothing_yuan"] == orders * 1000
    assert summary["leftover_pool_taken"] == 0
    assert f"warning  {orders:,} orders ({orders * 1000:,.2f} yuan) minted no points" in describe(
        summary
    )
    quiet = simulate(load_scenario(scenario_file(tmp_path))).summary
    assert quiet["orders_minting_nothing"] == quiet["leftover_pool_taken"] == 0
    assert "warning" not in describe(quiet)


def test_validate_warns_on_settings_that_make_them_likely(tmp_path, capsys):
    assert likely(load_scenario(scenario_file(tmp_path))) == []
    coarse = likely(load_scenario(scenario_file(tmp_path, price=1000, decimals=0)))
    assert len(coarse) == 1 and "mints 0.21 units at the start price" in coarse[0]
    # at grant the points are worth 0.7 x 0.3 = 0.21 of the spend: a 0.2x cap fires at once
    at_once = likely(load_scenario(scenario_file(tmp_path, multiple=0.2)))
    assert len(at_once) == 1 and "reached the moment points are granted" in at_once[0]
    assert likely(load_scenario(scenario_file(tmp_path, multiple=1, against="grant_value")))
    assert not likely(load_scenario(scenario_file(tmp_path, multiple=1.1, against="grant_value")))
    path = scenario_file(tmp_path, price=1000, decimals=0)
    assert main(["validate", str(path)]) == 0  # a warning, not an error
    out, err = capsys.readouterr()
    assert out.startswith("ok: ")
    assert err.count("\n") == 1 and err.startswith(f"warning: {path}: points: an order of 1000")
