"""Sweeps: each design gives exactly the points it declares, typed, seeded, and checked."""

from __future__ import annotations

import itertools
import math
import re
import tempfile
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from SALib.sample import sobol as sobol_sample
from SALib.test_functions import Ishigami

from sim.batch.designs import design_points, load_design, load_variants
from sim.batch.runner import plan
from sim.batch.sensitivity import analyze, design_matrix, problem_spec, sensitivity
from sim.errors import InputError
from sim.scenario.points import apply_point
from sim.scenario.root import Scenario, load_scenario
from sim.scenario.sweep import PARAMETER_KEYS, SweepSection
from tests.test_scenario import assert_located, write
from tests.test_scenario_model import BASE, FULL, same

README = Path(__file__).resolve().parent.parent / "README.md"

# Ishigami (a = 7, b = 0.1) on [-pi, pi]^3: the analytic first-order and total indices.
ISHIGAMI_S1 = (0.3139, 0.4424, 0.0)
ISHIGAMI_ST = (0.5576, 0.4424, 0.2437)


def scenario(sweep: str, base: str = BASE) -> Scenario:
    """The scenario ``base + sweep``, read from a file like any other."""
    with tempfile.TemporaryDirectory() as folder:
        return load_scenario(write(Path(folder), base + sweep, "sweep.yaml"))


GRID = """\
sweep:
  design: grid
  parameters:
    points.mint_ratio: {low: 0.5, high: 0.9, steps: 5}
    points.exit_multiple: {values: [1.2, 2, 3]}
    run.days: {values: [30, 60]}
"""

RANGES = """\
    inflow.rate: {low: 5, high: 50}
    points.sell_payout: {low: 0.5, high: 0.9}
    run.days: {low: 100, high: 400}
"""


def ranged(design: str, samples: int, extra: str = "") -> str:
    return f"sweep:\n  design: {design}\n  samples: {samples}\n{extra}  parameters:\n" + RANGES


def in_bounds(points: list[dict], bounds: dict[str, tuple[float, float]]) -> None:
    for point in points:
        for path, (low, high) in bounds.items():
            assert low <= point[path] <= high, (path, point[path])


BOUNDS = {"inflow.rate": (5, 50), "points.sell_payout": (0.5, 0.9), "run.days": (100, 400)}


# --- each design gives the points it declares ---------------------------------------------


def test_grid_is_the_product_last_parameter_fastest_with_exact_steps() -> None:
    points = design_points(scenario(GRID))
    assert len(points) == 5 * 3 * 2
    ratios = [Decimal(x) for x in ("0.5", "0.6", "0.7", "0.8", "0.9")]
    multiples = [Decimal("1.2"), Decimal(2), Decimal(3)]
    expected = [
        {"points.mint_ratio": r, "points.exit_multiple": m, "run.days": d}
        for r in ratios
        for m in multiples
        for d in (30, 60)
    ]
    assert points == expected
    for point, want in zip(points, expected, strict=True):
        assert list(point) == list(want)  # columns in declaration order
        for path, value in point.items():
            same(value, want[path])


def test_grid_steps_on_float_and_whole_number_keys() -> None:
    text = """\
sweep:
  design: grid
  parameters:
    inflow.rate: {low: 0, high: 1, steps: 3}
    inflow.initial_members: {low: 0, high: 100, steps: 5}
"""
    points = design_points(scenario(text))
    assert len(points) == 15
    rates = sorted({p["inflow.rate"] for p in points})
    members = sorted({p["inflow.initial_members"] for p in points})
    assert rates == [0.0, 0.5, 1.0] and all(type(r) is float for r in rates)
    assert members == [0, 25, 50, 75, 100] and all(type(m) is int for m in members)


def test_random_draws_samples_points_within_the_ranges_and_from_the_values() -> None:
    text = ranged("random", 200) + "    points.exit_points: {values: [held, obtained]}\n"
    points = design_points(scenario(text))
    assert len(points) == 200
    in_bounds(points, BOUNDS)
    assert {p["points.exit_points"] for p in points} == {"held", "obtained"}
    for point in points:
        assert type(point["inflow.rate"]) is float
        assert type(point["points.sell_payout"]) is Decimal
        assert type(point["run.days"]) is int
        assert point["points.sell_payout"] == Decimal(repr(float(point["points.sell_payout"])))


def test_lhs_puts_exactly_one_point_in_each_stratum_of_each_parameter() -> None:
    text = "sweep:\n  design: lhs\n  samples: 40\n  parameters:\n" + (
        "    inflow.rate: {low: 5, high: 50}\n"
        "    points.sell_payout: {low: 0.5, high: 0.9}\n"
        "    population.consumer.rebuy_probability: {low: 0, high: 1}\n"
    )
    points = design_points(scenario(text))
    assert len(points) == 40
    bounds = {
        "inflow.rate": (5, 50),
        "points.sell_payout": (Decimal("0.5"), Decimal("0.9")),
        "population.consumer.rebuy_probability": (0, 1),
    }
    in_bounds(points, bounds)
    for path, (low, high) in bounds.items():
        width = (Fraction(high) - Fraction(low)) / 40
        strata = sorted(math.floor((Fraction(p[path]) - Fraction(low)) / width) for p in points)
        assert strata == list(range(40)), path


@pytest.mark.parametrize(("second_order", "per_sample"), [(False, 3 + 2), (True, 2 * 3 + 2)])
def test_sobol_gives_n_times_d_plus_2_points(second_order: bool, per_sample: int) -> None:
    extra = "  calc_second_order: true\n" if second_order else ""
    points = design_points(scenario(ranged("sobol", 16, extra)))
    assert len(points) == 16 * per_sample
    in_bounds(points, BOUNDS)


def test_morris_gives_r_times_d_plus_1_points_on_the_levels() -> None:
    text = "sweep:\n  design: morris\n  samples: 10\n  levels: 4\n  parameters:\n" + (
        "    inflow.rate: {low: 0, high: 30}\n"
        "    inflow.imitation: {low: 0, high: 3}\n"
        "    population.referrer.reach: {low: 3, high: 6}\n"
    )
    points = design_points(scenario(text))
    assert len(points) == 10 * (3 + 1)
    assert {round(p["inflow.rate"], 12) for p in points} <= {0.0, 10.0, 20.0, 30.0}
    assert {round(p["inflow.imitation"], 12) for p in points} <= {0.0, 1.0, 2.0, 3.0}
    assert {round(p["population.referrer.reach"], 12) for p in points} <= {3.0, 4.0, 5.0, 6.0}
    # consecutive points of a trajectory differ in exactly one parameter
    for start in range(0, len(points), 4):
        trajectory = points[start : start + 4]
        for a, b in itertools.pairwise(trajectory):
            assert sum(a[k] != b[k] for k in a) == 1


@pytest.mark.parametrize("design", ["random", "lhs", "sobol", "morris"])
def test_the_same_seed_gives_the_same_points_another_seed_others(design: str) -> None:
    def points(seed: int) -> list[dict]:
        return design_points(scenario(ranged(design, 8, f"  seed: {seed}\n")))

    assert points(3) == points(3)
    assert points(3) != points(4)


def test_the_design_does_not_touch_global_random_state() -> None:
    np.random.seed(123)
    before = np.random.random()
    np.random.seed(123)
    for design in ("random", "lhs", "sobol", "morris"):
        design_points(scenario(ranged(design, 8)))
    assert np.random.random() == before


def test_decimals_round_money_and_sampled_values_validate() -> None:
    text = "sweep:\n  design: lhs\n  samples: 30\n  parameters:\n" + (
        "    order.amount: {low: 100, high: 2000, decimals: 2}\n"
        "    stress.withdrawal_cap: {low: 0, high: 5000, decimals: 0}\n"
        "    points.mint_ratio: {low: 0.5, high: 0.9, decimals: 3}\n"
    )
    points = design_points(scenario(text))
    assert len(points) == 30
    for point in points:
        assert point["order.amount"] == point["order.amount"].quantize(Decimal("0.01"))
        assert point["points.mint_ratio"].as_tuple().exponent >= -3
        assert 100 <= point["order.amount"] <= 2000


def test_no_sweep_is_one_empty_point() -> None:
    plain = scenario("")
    assert plain.sweep is None and design_points(plain) == [{}]
    assert apply_point(plain, {}) == plain


# --- applying a point ---------------------------------------------------------------------


def test_apply_point_sets_the_values_at_their_paths() -> None:
    base = scenario(GRID, base=FULL)
    point = {
        "points.mint_ratio": Decimal("0.6"),
        "run.days": 90,
        "inflow.rate": 7.5,
        "order.split.pool": Decimal("0.35"),
        "order.split.platform": Decimal("0.05"),
        "population.mix.referrer": 0.2,
        "population.mix.consumer": 0.7,
        "population.consumer.sell_target.high": 4.0,
        "stress.subsidies.0.amount": Decimal("2500.50"),
        "population.panic_seller.shock_days.1": 401,
        "points.exit_points": "obtained",
    }
    applied = apply_point(base, point)
    assert applied.sweep is None and base.sweep is not None
    same(applied.points.mint_ratio, Decimal("0.6"))
    same(applied.run.days, 90)
    same(applied.inflow.rate, 7.5)
    assert dict(applied.order.split)["pool"] == Decimal("0.35")
    assert dict(applied.order.split)["platform"] == Decimal("0.05")
    assert dict(applied.population.mix) == {"consumer": 0.7, "referrer": 0.2, "panic_seller": 0.1}
    assert applied.population.consumer.sell_target is not None
    same(applied.population.consumer.sell_target.high, 4.0)
    same(applied.population.consumer.sell_target.low, 1.5)  # the rest is kept
    same(applied.stress.subsidies[0].amount, Decimal("2500.50"))
    same(applied.population.panic_seller.shock_days, (30, 401, 900))
    same(applied.points.exit_points, "obtained")
    # everything else is the base scenario's
    assert applied.referral == base.referral and applied.stress.legacy == base.stress.legacy


def test_apply_point_into_an_unset_optional_section() -> None:
    base = scenario("")
    with pytest.raises(InputError) as caught:
        apply_point(base, {"stress.legacy.claims": Decimal(1000)}, index=4)
    error = caught.value
    assert error.key == "sweep.parameters.stress.legacy.claims"
    assert error.message.startswith("point 4 (stress.legacy.claims=1000) makes the scenario")
    assert "stress.legacy: missing required key 'members'" in error.message
    both = {"stress.legacy.claims": Decimal(1000), "stress.legacy.members": 10}
    legacy = apply_point(base, both).stress.legacy
    assert legacy is not None and legacy.claims == 1000 and legacy.members == 10


def test_every_grid_point_applies() -> None:
    base = scenario(GRID)
    for point in design_points(base):
        applied = apply_point(base, point)
        assert applied.points.mint_ratio == point["points.mint_ratio"]
        assert applied.points.exit_multiple == point["points.exit_multiple"]
        assert applied.run.days == point["run.days"]


def test_a_point_that_breaks_a_rule_names_the_parameter_and_the_point(tmp_path: Path) -> None:
    text = (
        BASE
        + """\
sweep:
  design: grid
  parameters:
    points.exit_multiple: {values: [2, 3]}
    order.split.pool: {values: [0.30, 0.35]}
"""
    )
    path = write(tmp_path, text, "sweep.yaml")
    load_scenario(path)  # the section itself is fine
    with pytest.raises(InputError) as caught:
        load_design(path)
    error = caught.value
    assert (error.file, error.line, error.key) == (
        str(path),
        8,
        "sweep.parameters.order.split.pool",
    )
    assert error.message == (
        "point 1 (points.exit_multiple=2, order.split.pool=0.35) makes the scenario invalid: "
        "order.split: split shares must sum to 1, they sum to 1.05"
    )
    assert "\n" not in str(error) and str(error).startswith(f"{path}:8: sweep.parameters.")
    # without a file it is still one line naming the point
    with pytest.raises(InputError, match=r"^sweep\.parameters\.order\.split\.pool: point 1 "):
        design_points(load_scenario(path))


def test_a_range_past_the_keys_limits_fails_at_the_first_bad_point() -> None:
    text = ranged("lhs", 10).replace("high: 0.9", "high: 1.5")
    with pytest.raises(InputError) as caught:
        design_points(scenario(text))
    assert caught.value.key == "sweep.parameters.points.sell_payout"
    assert re.search(
        r"^point \d+ \(.*\) makes the scenario invalid: points\.sell_payout: ",
        str(caught.value.message),
    )


def test_load_design_returns_the_scenario_and_its_points(tmp_path: Path) -> None:
    loaded, points = load_design(write(tmp_path, BASE + GRID, "grid.yaml"))
    assert loaded.sweep is not None and len(points) == 30


def test_each_point_is_validated_once_and_the_batch_runs_those_scenarios(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, BASE + GRID, "grid.yaml")
    validated = []
    check = Scenario.model_validate.__func__

    def counting(cls, data, *args, **kwargs):
        validated.append(data)
        return check(cls, data, *args, **kwargs)

    monkeypatch.setattr(Scenario, "model_validate", classmethod(counting))
    specs, _ = plan([path], 2, None)
    assert len(validated) == 1 + 30  # the file, then each of its 30 points once
    base, points, variants = load_variants(path)
    assert [spec.scenario for spec in specs[::2]] == variants
    assert variants == [apply_point(base, point) for point in points]


def test_the_sweep_round_trips_and_hashes() -> None:
    for text in (GRID, ranged("sobol", 8, "  calc_second_order: true\n"), ranged("morris", 4)):
        swept = scenario(text)
        again = Scenario.from_dict(swept.model_dump())
        assert again == swept and hash(again) == hash(swept)


# --- SALib: problem and indices -----------------------------------------------------------


def test_problem_spec_names_the_paths_with_their_bounds() -> None:
    problem = problem_spec(scenario(ranged("sobol", 8)))
    assert problem == {
        "num_vars": 3,
        "names": ["inflow.rate", "points.sell_payout", "run.days"],
        "bounds": [[5.0, 50.0], [0.5, 0.9], [100.0, 400.0]],
    }
    with pytest.raises(ValueError, match="has values"):
        problem_spec(scenario(GRID))


def test_sobol_indices_of_ishigami_match_the_analytic_values() -> None:
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-math.pi, math.pi]] * 3}
    x = sobol_sample.sample(problem, 1024, calc_second_order=False, seed=7)
    result = sensitivity(problem, "sobol", x, Ishigami.evaluate(x), seed=7)
    assert result["names"] == ["x1", "x2", "x3"]
    assert np.allclose(result["S1"], ISHIGAMI_S1, atol=0.05)
    assert np.allclose(result["ST"], ISHIGAMI_ST, atol=0.05)
    assert all(0 < conf < 0.15 for conf in result["S1_conf"] + result["ST_conf"])


ISHIGAMI_SWEEP = """\
sweep:
  design: sobol
  samples: 1024
  seed: 11
  parameters:
    inflow.rate: {low: 0, high: 10}
    inflow.imitation: {low: 0, high: 1}
    population.referrer.reach: {low: 1, high: 5}
"""


def test_analyze_a_scenario_sobol_sweep_on_ishigami() -> None:
    swept = scenario(ISHIGAMI_SWEEP)
    points = design_points(swept, check=False)
    assert len(points) == 1024 * 5
    assert swept.sweep is not None

    def unit(value: float, low: float, high: float) -> float:
        return -math.pi + 2 * math.pi * (value - low) / (high - low)

    x = np.array(
        [
            [
                unit(p["inflow.rate"], 0, 10),
                unit(p["inflow.imitation"], 0, 1),
                unit(p["population.referrer.reach"], 1, 5),
            ]
            for p in points
        ]
    )
    result = analyze(swept, points, Ishigami.evaluate(x))
    assert result["method"] == "sobol"
    assert result["names"] == ["inflow.rate", "inflow.imitation", "population.referrer.reach"]
    assert np.allclose(result["S1"], ISHIGAMI_S1, atol=0.05)
    assert np.allclose(result["ST"], ISHIGAMI_ST, atol=0.05)
    assert set(result) == {"method", "names", "S1", "S1_conf", "ST", "ST_conf"}
    # points read back from a batch as floats are the same points
    floats = [{k: float(v) for k, v in p.items()} for p in points]
    assert analyze(swept, floats, Ishigami.evaluate(x)) == result


def test_analyze_a_morris_sweep_of_a_linear_output() -> None:
    text = "sweep:\n  design: morris\n  samples: 12\n  parameters:\n" + (
        "    inflow.rate: {low: 0, high: 30}\n"
        "    inflow.imitation: {low: 0, high: 3}\n"
        "    run.days: {low: 100, high: 400}\n"
    )
    swept = scenario(text)
    points = design_points(swept)
    y = [3 * p["inflow.rate"] - 2 * p["inflow.imitation"] for p in points]
    result = analyze(swept, points, y)
    assert result["method"] == "morris"
    # an elementary effect is per unit of the [0, 1]-scaled input: slope x range
    assert np.allclose(result["mu_star"], [90, 6, 0], atol=1e-9)
    assert np.allclose(result["mu"], [90, -6, 0], atol=1e-9)
    assert np.allclose(result["sigma"], [0, 0, 0], atol=1e-9)
    assert design_matrix(swept).shape == (len(points), 3)


def test_analyze_refuses_other_designs_and_mismatched_outputs() -> None:
    with pytest.raises(InputError, match="need a sobol or morris design"):
        analyze(scenario(GRID), design_points(scenario(GRID)), np.zeros(30))
    swept = scenario(ranged("sobol", 8))
    points = design_points(swept)
    with pytest.raises(ValueError, match="expected 40 outputs"):
        analyze(swept, points, np.zeros(39))
    with pytest.raises(ValueError, match="not the scenario's design points"):
        analyze(swept, points[::-1], np.zeros(40))
    outputs = np.zeros(40)
    outputs[3] = np.nan
    with pytest.raises(ValueError, match=r"not finite at points \[3\]"):
        analyze(swept, points, outputs)


# --- bad sweep sections: one located line -------------------------------------------------


def sweep_case(body: str, line: int, key: str | None, message: str) -> tuple:
    return (BASE + body, line, key, message)


def params(design: str, *lines: str, head: str = "") -> str:
    return f"sweep:\n  design: {design}\n{head}  parameters:\n" + "".join(
        f"    {line}\n" for line in lines
    )


BAD = {
    "unknown design": sweep_case(
        params("sobel", "inflow.rate: {low: 1, high: 2}", head="  samples: 8\n"),
        5,
        "sweep.design",
        "unknown design 'sobel'; did you mean 'sobol'?",
    ),
    "design missing": sweep_case(
        "sweep:\n  parameters:\n    inflow.rate: {values: [1]}\n",
        4,
        "sweep",
        "missing required key 'design'",
    ),
    "misspelt section key": sweep_case(
        "sweep:\n  desing: grid\n", 5, "sweep.desing", "did you mean 'design'?"
    ),
    "misspelt path key": sweep_case(
        params("grid", "points.mint_ration: {values: [0.5]}"),
        7,
        "sweep.parameters.points.mint_ration",
        "unknown key 'mint_ration' in 'points'; did you mean 'mint_ratio'?",
    ),
    "misspelt section in path": sweep_case(
        params("grid", "inflow.rate: {values: [1]}", "pionts.mint_ratio: {values: [0.5]}"),
        8,
        "sweep.parameters.pionts.mint_ratio",
        "unknown key 'pionts' in the scenario; did you mean 'points'?",
    ),
    "misspelt split line": sweep_case(
        params("grid", "order.split.pol: {values: [0.3]}"),
        7,
        "sweep.parameters.order.split.pol",
        "unknown key 'pol' in 'order.split'; did you mean 'pool'?",
    ),
    "name": sweep_case(
        params("grid", "name: {values: [a, b]}"),
        7,
        "sweep.parameters.name",
        "cannot sweep 'name'",
    ),
    "sweep itself": sweep_case(
        params("grid", "sweep.seed: {values: [1, 2]}"),
        7,
        "sweep.parameters.sweep.seed",
        "cannot sweep 'sweep'",
    ),
    "a whole section": sweep_case(
        params("grid", "points: {values: [1]}"),
        7,
        "sweep.parameters.points",
        "'points' is a section, not one value; sweep a key below it",
    ),
    "a mapping": sweep_case(
        params("grid", "order.split: {values: [1]}"),
        7,
        "sweep.parameters.order.split",
        "'order.split' is a mapping, not one value",
    ),
    "below one value": sweep_case(
        params("grid", "run.days.x: {values: [1]}"),
        7,
        "sweep.parameters.run.days.x",
        "'run.days' is one value (365); it has no key 'x'",
    ),
    "an empty list": sweep_case(
        params("grid", "stress.subsidies.0.amount: {values: [100]}"),
        7,
        "sweep.parameters.stress.subsidies.0.amount",
        "'stress.subsidies' is empty in this scenario; it has no item '0'",
    ),
    "empty path segment": sweep_case(
        params("grid", "points..mint_ratio: {values: [0.5]}"),
        7,
        "sweep.parameters.points..mint_ratio",
        "is not a dotted path of scenario keys",
    ),
    "grid without steps": sweep_case(
        params("grid", "inflow.rate: {low: 1, high: 2}"),
        7,
        "sweep.parameters.inflow.rate",
        "a grid needs steps (how many values from low to high) or values",
    ),
    "lhs with values": sweep_case(
        params("lhs", "inflow.rate: {values: [1, 2]}", head="  samples: 4\n"),
        8,
        "sweep.parameters.inflow.rate.values",
        "lhs needs a range low/high; values are only for grid and random",
    ),
    "sobol with values": sweep_case(
        params("sobol", "inflow.rate: {values: [1, 2]}", head="  samples: 4\n"),
        8,
        "sweep.parameters.inflow.rate.values",
        "sobol needs a range low/high",
    ),
    "random with steps": sweep_case(
        params(
            "random",
            "inflow.rate:",
            "  low: 1",
            "  high: 2",
            "  steps: 3",
            head="  samples: 4\n",
        ),
        11,
        "sweep.parameters.inflow.rate.steps",
        "steps is only for grid designs",
    ),
    "low not below high": sweep_case(
        params("grid", "inflow.rate:", "  low: 2", "  high: 2", "  steps: 3"),
        9,
        "sweep.parameters.inflow.rate.high",
        "expected high > low (2), got 2",
    ),
    "high missing": sweep_case(
        params("grid", "inflow.rate: {low: 2, steps: 3}"),
        7,
        "sweep.parameters.inflow.rate",
        "missing required key 'high'",
    ),
    "neither values nor range": sweep_case(
        params("grid", "inflow.rate: {steps: 3}"),
        7,
        "sweep.parameters.inflow.rate",
        "expected values: [...] or a range low: ..., high: ...",
    ),
    "values and a range": sweep_case(
        params("grid", "inflow.rate: {values: [1], low: 0}"),
        7,
        "sweep.parameters.inflow.rate.low",
        "give either values or a range (low, high), not both",
    ),
    "misspelt parameter key": sweep_case(
        params("grid", "inflow.rate:", "  lo: 1"),
        8,
        "sweep.parameters.inflow.rate.lo",
        "unknown key 'lo'; did you mean 'low'?",
    ),
    "parameter not a mapping": sweep_case(
        params("grid", "inflow.rate: [1, 2]"),
        7,
        "sweep.parameters.inflow.rate",
        "expected a mapping {values: [...]} or {low, high}, got a list",
    ),
    "low not a number": sweep_case(
        params("grid", "inflow.rate:", "  low: '1'", "  high: 2", "  steps: 2"),
        8,
        "sweep.parameters.inflow.rate.low",
        "expected a number, got '1'",
    ),
    "empty values": sweep_case(
        params("grid", "inflow.rate: {values: []}"),
        7,
        "sweep.parameters.inflow.rate.values",
        "expected at least one value",
    ),
    "repeated value": sweep_case(
        params("grid", "inflow.rate:", "  values:", "    - 1", "    - 2", "    - 1"),
        11,
        "sweep.parameters.inflow.rate.values.2",
        "1 appears twice",
    ),
    "a mapping as a value": sweep_case(
        params("grid", "inflow.rate:", "  values:", "    - {a: 1}"),
        9,
        "sweep.parameters.inflow.rate.values.0",
        "expected a number, text, true/false or null, got a mapping",
    ),
    "one step": sweep_case(
        params("grid", "inflow.rate:", "  low: 1", "  high: 2", "  steps: 1"),
        10,
        "sweep.parameters.inflow.rate.steps",
        "expected a whole number >= 2, got 1",
    ),
    "steps that round to the same day": sweep_case(
        params("grid", "run.days:", "  low: 1", "  high: 2", "  steps: 3"),
        10,
        "sweep.parameters.run.days.steps",
        "3 steps from 1 to 2 give 2 twice once rounded; use fewer steps or values",
    ),
    "a range on text": sweep_case(
        params("grid", "inflow.kind: {low: 1, high: 2, steps: 2}"),
        7,
        "sweep.parameters.inflow.kind.low",
        "'inflow.kind' is text, not a number: sweep it with values",
    ),
    "a range on a flag": sweep_case(
        params("grid", "points.exit_counts_cash: {low: 0, high: 1, steps: 2}"),
        7,
        "sweep.parameters.points.exit_counts_cash.low",
        "is true/false, not a number: sweep it with values",
    ),
    "a fractional bound on days": sweep_case(
        params("lhs", "run.days:", "  low: 10.5", "  high: 20", head="  samples: 4\n"),
        9,
        "sweep.parameters.run.days.low",
        "'run.days' is a whole number: expected a whole low, got 10.5",
    ),
    "no parameters": sweep_case(
        "sweep:\n  design: grid\n  parameters: {}\n",
        6,
        "sweep.parameters",
        "expected at least one parameter",
    ),
    "samples missing": sweep_case(
        params("lhs", "inflow.rate: {low: 1, high: 2}"),
        4,
        "sweep",
        "lhs needs samples (the number of points)",
    ),
    "samples zero": sweep_case(
        params("random", "inflow.rate: {low: 1, high: 2}", head="  samples: 0\n"),
        6,
        "sweep.samples",
        "expected a whole number >= 1 (or null), got 0",
    ),
    "sobol samples not a power of 2": sweep_case(
        params("sobol", "inflow.rate: {low: 1, high: 2}", head="  samples: 100\n"),
        6,
        "sweep.samples",
        "sobol needs samples to be a power of 2 (Sobol' points are balanced only then), "
        "got 100; use 64 or 128",
    ),
    "odd morris levels": sweep_case(
        params("morris", "inflow.rate: {low: 1, high: 2}", head="  samples: 4\n  levels: 3\n"),
        7,
        "sweep.levels",
        "expected an even whole number >= 2, got 3",
    ),
    "levels for another design": sweep_case(
        params("lhs", "inflow.rate: {low: 1, high: 2}", head="  samples: 4\n  levels: 6\n"),
        7,
        "sweep.levels",
        "levels is only for morris designs",
    ),
    "second order for another design": sweep_case(
        params(
            "lhs",
            "inflow.rate: {low: 1, high: 2}",
            head="  samples: 4\n  calc_second_order: true\n",
        ),
        7,
        "sweep.calc_second_order",
        "calc_second_order is only for sobol designs",
    ),
    "negative seed": sweep_case(
        params("lhs", "inflow.rate: {low: 1, high: 2}", head="  samples: 4\n  seed: -1\n"),
        7,
        "sweep.seed",
        "expected a whole number >= 0, got -1",
    ),
    "too many points": sweep_case(
        params(
            "grid",
            "inflow.rate: {low: 0, high: 1000, steps: 1001}",
            "inflow.growth: {low: 0, high: 1000, steps: 1001}",
        ),
        4,
        "sweep",
        "the design has 1,002,001 points, more than 1,000,000",
    ),
    "not a mapping": sweep_case("sweep: grid\n", 4, "sweep", "expected a mapping of keys"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_sweep_is_one_located_line(tmp_path: Path, case: str) -> None:
    assert_located(tmp_path, BAD[case])


def test_a_bad_section_elsewhere_is_reported_not_the_sweep(tmp_path: Path) -> None:
    text = BASE + "points: {mint_ratio: 2}\n" + params("grid", "points.mint_ratio: {values: [1]}")
    assert_located(tmp_path, (text, 4, "points.mint_ratio", "expected a ratio in [0, 1]"))


def test_an_empty_sweep_means_none(tmp_path: Path) -> None:
    assert load_scenario(write(tmp_path, BASE + "sweep:\n", "ok.yaml")).sweep is None


# --- the README ---------------------------------------------------------------------------


def readme_sweeps() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("### Sweeps: `sweep`")
    return text[start : text.index("\n## ", start)]


def test_the_readme_documents_every_sweep_key() -> None:
    rows = re.findall(r"^\| \*\*`([\w.]+)`\*\*", readme_sweeps(), re.MULTILINE)
    documented = {row.split(".")[-1] for row in rows} | {"high"}  # low and high share a row
    assert set(SweepSection.model_fields) | set(PARAMETER_KEYS) <= documented


def test_the_readme_examples_give_the_points_they_say() -> None:
    lhs, grid = re.findall(r"```yaml\n(.*?)```", readme_sweeps(), re.DOTALL)
    points = design_points(scenario(lhs))
    assert len(points) == 64
    for point in points:
        assert type(point["run.days"]) is int
        assert point["order.amount"] == point["order.amount"].quantize(Decimal("0.01"))
    grid_points = design_points(scenario(grid))
    assert len(grid_points) == 15
    assert sorted({p["points.mint_ratio"] for p in grid_points}) == [
        Decimal(x) for x in ("0.5", "0.6", "0.7", "0.8", "0.9")
    ]
