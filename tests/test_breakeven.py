"""The break-even law (SPEC §5) against the seeds' figures, against exact simulation, and its
command ``python -m sim breakeven``."""

import json
import math
from fractions import Fraction

import pytest

from sim.analysis.breakeven import first_reached, growth_needed, law_table, multiple_after
from sim.core import rules
from sim.core.book import Book
from sim.core.mechanics import Mechanics
from sim.scenario.root import Scenario
from tests.conftest import SCENARIOS

SEED = Mechanics()  # 300/300/100/300 per 1000 yuan, mint 0.7, no forced exit
M = 0.7


@pytest.fixture(scope="module")
def simulated():
    """One exact simulation for every test below: buyers of orders 1, 10, 20 and 50, up to
    100,000 orders (about 0.2 s)."""
    return first_reached(SEED, [1, 10, 20, 50], [1, 2, 3], max_orders=100_000)


def test_law_gives_the_seed_figures():
    # (x / 0.21)^(1/0.3): SPEC §5 rounds these to 181, 1830 and "about 7000"
    assert growth_needed(1, 0.3, M) == pytest.approx(181.66406, rel=1e-6)
    assert growth_needed(2, 0.3, M) == pytest.approx(1831.0590, rel=1e-6)
    assert growth_needed(3, 0.3, M) == pytest.approx(7074.1327, rel=1e-6)
    for multiple, spec in ((1, 181), (2, 1830), (3, 7000)):
        assert growth_needed(multiple, 0.3, M) / spec == pytest.approx(1, abs=0.02)


def test_law_depends_on_pool_share_and_mint_ratio_only():
    # local-services split: pool 16%, mint 0.7 -> (1 / 0.112)^(1/0.3)
    assert growth_needed(1, 0.16, M) == pytest.approx(1476.6353, rel=1e-6)
    # mint 0.5, pool 0.5: (1 / 0.25)^2 = 16 exactly
    assert growth_needed(1, 0.5, 0.5) == pytest.approx(16.0)


def test_inverse_is_the_multiple_reached_after_a_growth():
    assert multiple_after(1, 0.3, M) == pytest.approx(0.21)  # worth 0.21x at once
    assert multiple_after(16, 0.5, 0.5) == pytest.approx(1.0)
    for multiple in (1, 2, 3, 5):
        growth = growth_needed(multiple, 0.3, M)
        assert multiple_after(growth, 0.3, M) == pytest.approx(multiple)


def test_law_edge_cases():
    assert growth_needed(0.2, 0.3, M) == 1.0  # 0.21x at entry already
    assert growth_needed(1, 0.3, 0) is None  # no points minted
    assert growth_needed(1, 0.3, 1) is None  # all minted: the price never rises
    assert growth_needed(1, 0, M) is None  # nothing into the pool
    with pytest.raises(ValueError, match="multiple"):
        growth_needed(0, 0.3, M)
    with pytest.raises(ValueError, match="mint_ratio"):
        growth_needed(1, 0.3, 1.5)
    with pytest.raises(ValueError, match="growth"):
        multiple_after(0.5, 0.3, M)


@pytest.mark.parametrize("entry", [10, 20, 50])
@pytest.mark.parametrize("multiple", [1, 2])
def test_law_agrees_with_exact_simulation(simulated, entry, multiple):
    growth = simulated[(entry, Fraction(multiple))] / entry
    law = growth_needed(multiple, 0.3, M)
    assert growth / law == pytest.approx(1, abs=0.07)  # "within a few percent" from k = 10
    # The gap is the law's large-k approximation, k^(m-1) for Γ(k-1+m)/Γ(k); it closes like
    # (2-m)/(2k): 6.5% at k = 10, 1.3% at k = 50. With it the match is within 0.1%.
    assert growth / law == pytest.approx(1 - (2 - M) / (2 * entry), rel=1e-3)


def test_law_agrees_at_3x_for_a_small_entry(simulated):
    assert simulated[(10, Fraction(3))] == 66_172  # 6617.2x vs the law's 7074.1x
    assert simulated[(10, Fraction(3))] / 10 / growth_needed(3, 0.3, M) == pytest.approx(
        1 - (2 - M) / 20, rel=1e-3
    )
    # beyond the limit: reported as not reached, not guessed
    assert simulated[(20, Fraction(3))] is None
    assert simulated[(50, Fraction(3))] is None


def test_first_buyer_differs_from_the_law(simulated):
    # Buyer 1 is minted at the start price, before any pool exists; the later buyers are
    # minted on the price path p_n = p0·Γ(m)·Γ(n+1)/Γ(n+m) ≈ p0·Γ(m)·n^(1-m). Relative to that
    # path the start price is low by Γ(m) = 1.30, so buyer 1's 210 points are worth 1.30x
    # what the law assumes and need only Γ(m)^(-1/(1-m)) = 0.42 of its growth: 1x at order 76
    # (seed 001: break-even at price 4.76) and 2x at order 768 (seed 003: "after 767 orders
    # the price is 9.52", exactly 9.5234, where 210 points are worth 1999.91).
    assert simulated[(1, Fraction(1))] == 76
    assert simulated[(1, Fraction(2))] == 768
    assert simulated[(1, Fraction(3))] == 2965
    for multiple in (1, 2, 3):
        ratio = simulated[(1, Fraction(multiple))] / growth_needed(multiple, 0.3, M)
        assert ratio == pytest.approx(math.gamma(M) ** (-1 / (1 - M)), rel=0.01)


def test_simulation_is_the_reference_book():
    """first_reached steps the rules without the Book's ledger; the Book with distinct members
    and no forced exit gives the same first order counts."""
    book = Book(SEED)
    wanted = {(1, 1): None, (1, 2): None, (2, 1): None, (10, 1): None}
    for n in range(1, 1700):
        book.buy(n, SEED.order_amount)
        for (entry, multiple), seen in wanted.items():
            member = book.members.get(entry)
            if (
                seen is None
                and member is not None
                and rules.cap_reached(member.held, member.spent, 0, Fraction(multiple), book.price)
            ):
                wanted[(entry, multiple)] = n
    assert wanted == {(1, 1): 76, (1, 2): 768, (2, 1): 250, (10, 1): 1699}
    fast = first_reached(SEED, [1, 2, 10], [1, 2], max_orders=1699)
    assert {key: fast[(key[0], Fraction(key[1]))] for key in wanted} == wanted


def scenario(**points) -> Scenario:
    return Scenario.from_dict(
        {
            "name": "t",
            "order": {"amount": 1000, "split": {"product_cost": 0.7, "pool": 0.3}},
            "points": {"mint_ratio": 0.7, **points},
        }
    )


def test_law_table_rows_with_the_exit_cap():
    rows = law_table(scenario(exit_multiple=3))
    assert [r["label"] for r in rows] == ["1x", "2x", "3x (exit cap)"]
    assert [round(r["law_growth"], 1) for r in rows] == [181.7, 1831.1, 7074.1]
    assert all(r["simulated_orders"] is None for r in rows)  # no entry: law only
    # a cap equal to a default multiple replaces it
    assert [r["label"] for r in law_table(scenario(exit_multiple=2))] == ["1x", "2x (exit cap)"]


def test_law_table_cap_on_grant_value():
    # "forced out at 2x the points' value at grant": the grant is worth 0.21x the spend, so
    # the cap is 0.42x of spend, reached after 2^(1/0.3) = 10.08-fold growth
    rows = law_table(scenario(exit_multiple=2, exit_against="grant_value"), entry=10)
    cap = rows[0]
    assert cap["label"] == "2x grant value (exit cap)"
    assert cap["multiple_of_spend"] == pytest.approx(0.42)
    assert cap["law_growth"] == pytest.approx(2 ** (1 / 0.3))
    assert cap["simulated_orders"] == 94  # law with the finite-k term: 10.08 × 9.35 = 94.2
    assert [r["label"] for r in rows[1:]] == ["1x", "2x"]


def test_cli_prints_the_table_and_the_explanation(cli):
    result = cli("breakeven", "--scenario", SCENARIOS / "seed-generic-3x.yaml", "--entry", 10)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert "pool 30% of each 1,000.00 yuan order, mint ratio 0.7" in lines[0]
    assert lines[2].split() == ["1x", "181.7x", "169.9x", "(order", "1,699)"]
    assert lines[3].split() == ["2x", "1,831.1x", "1,712.8x", "(order", "17,128)"]
    assert lines[4].split() == ["3x", "(exit", "cap)", "7,074.1x", "6,617.2x", "(order", "66,172)"]
    assert "grows only like n^0.3" in lines[5]
    assert "about 182·k orders for points worth 1x their spend, 1,831·k for 2x" in lines[5]


def test_cli_json_and_chosen_multiples(cli):
    result = cli(
        "breakeven",
        "--scenario",
        SCENARIOS / "seed-generic-nocap.yaml",
        "--multiples",
        "1",
        "1.5x",
        "--entry",
        "10",
        "--json",
    )
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    assert [r["multiple"] for r in rows] == [1.0, 1.5]
    assert rows[0]["simulated_orders"] == 1699
    assert rows[1]["law_growth"] == pytest.approx((1.5 / 0.21) ** (1 / 0.3))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scenario", "missing.yaml"], "missing.yaml: file not found"),
        (["--scenario", SCENARIOS / "seed-generic-3x.yaml", "--multiples", "0"], "--multiples"),
        (["--scenario", SCENARIOS / "seed-generic-3x.yaml", "--entry", "0"], "--entry"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(cli, args, message):
    result = cli("breakeven", *args)
    assert result.code == 2
    assert message in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert "Traceback" not in result.err
