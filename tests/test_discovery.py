"""PRIM peeling (sim.analysis.discovery) on boxes one can check by hand."""

import numpy as np
import pandas as pd
import pytest

from sim.analysis.discovery import describe_box, prim


def grid(n: int = 10) -> pd.DataFrame:
    a, b = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    return pd.DataFrame({"a": a.ravel(), "b": b.ravel()})


def test_finds_the_box_a_at_least_7_on_a_10_by_10_grid():
    # 100 runs, a and b in 0..9; bad exactly when a >= 7: 30 bad runs. Each peel of 10% cuts
    # one level of a from below (the density rises 30/90, 30/80, ..., 30/30); cutting b never
    # helps. The first box with density >= 0.8 is a in [7, 9], b anything.
    x = grid()
    result = prim(x, x["a"] >= 7, alpha=0.1)
    assert result.restricted == {"a": (7.0, 9.0)}
    assert result.box.density == 1.0
    assert result.box.coverage == 1.0
    assert result.box.mass == pytest.approx(0.3)
    assert result.box.runs == 30
    assert result.base_density == pytest.approx(0.3)
    densities = [round(box.density, 4) for box in result.trajectory[:8]]
    assert densities == [0.3, round(30 / 90, 4), 0.375, round(30 / 70, 4), 0.5, 0.6, 0.75, 1.0]
    assert describe_box(result) == "a ≥ 7"


def test_two_sided_box_in_two_dimensions():
    # bad when a in 3..6 and b <= 4: 4 x 5 = 20 runs of 100
    x = grid()
    bad = x["a"].between(3, 6) & (x["b"] <= 4)
    result = prim(x, bad, alpha=0.1, threshold=1.0)
    assert result.restricted == {"a": (3.0, 6.0), "b": (0.0, 4.0)}
    assert (result.box.density, result.box.coverage, result.box.runs) == (1.0, 1.0, 20)
    assert describe_box(result) == "a from 3 to 6 and b ≤ 4"


def test_discrete_levels_are_peeled_whole():
    # a grid sweep of 3 values, 4 replicates each: the 5% quantile cuts nothing, so the
    # lowest level goes whole
    x = pd.DataFrame({"exit_multiple": [1.2] * 4 + [2.0] * 4 + [3.0] * 4})
    bad = [False] * 4 + [True] * 8
    result = prim(x, bad)
    assert result.restricted == {"exit_multiple": (2.0, 3.0)}
    assert result.box.density == 1.0 and result.box.mass == pytest.approx(8 / 12)


def test_continuous_sample_recovers_the_box():
    rng = np.random.default_rng(7)
    x = pd.DataFrame({"a": rng.uniform(0, 1, 2000), "b": rng.uniform(0, 1, 2000)})
    bad = (x["a"] > 0.7) & (x["b"] < 0.5)
    loose = prim(x, bad, alpha=0.05)  # the largest box with density >= 0.8
    assert loose.box.density >= 0.8 and loose.box.coverage >= 0.95
    strict = prim(x, bad, alpha=0.05, threshold=0.95)
    low_a, high_b = strict.restricted["a"][0], strict.restricted["b"][1]
    assert 0.67 < low_a <= 0.72 and 0.47 < high_b <= 0.53
    assert strict.box.density >= 0.95 and strict.box.coverage >= 0.9
    assert strict.box.mass < loose.box.mass


def test_text_parameters_are_ignored_and_no_signal_gives_the_densest_box():
    x = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "kind": ["x", "y", "x", "y"]})
    result = prim(x, [False, False, False, False], min_mass=0.5)
    assert result.ignored == ["kind"]
    assert result.box.density == 0.0 and result.box.mass == 1.0
    assert describe_box(result) == "the whole swept range"


def test_refuses_mismatched_input():
    with pytest.raises(ValueError):
        prim(pd.DataFrame({"a": [1.0, 2.0]}), [True])
