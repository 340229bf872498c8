"""Every valid scenario runs, or is refused in one located line: numbers beyond the range are
refused when read, figures that outgrow int64 are kept exact, and the fast core's limits name
the setting to change. Values are checked against the exact book, not just "no crash"."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SCENARIOS, run_model
from tests.test_hostile_inputs import assert_refused, files_under

GENERIC = (SCENARIOS / "seed-generic-3x.yaml").read_text(encoding="utf-8")


def with_values(text: str, **values: str) -> str:
    """The scenario text with its indented ``key: value`` lines replaced (each key once)."""
    lines = []
    for line in text.splitlines():
        key = line.strip().split(":")[0]
        if line.startswith("  ") and key in values:
            indent = line[: len(line) - len(line.lstrip())]
            line = f"{indent}{key}: {values.pop(key)}"
        lines.append(line)
    assert not values, f"no such line: {values}"
    return "\n".join(lines) + "\n"


def fast(text: str, core: str = "fast") -> str:
    return text.replace("  seed: 1\n", f"  seed: 1\n  core: {core}\n", 1)


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("amount", "1e400"),
        ("amount", "1e-400"),
        ("start_price", "1e-400"),
        ("exit_multiple", "1e100000"),
        ("amount", "1" + "0" * 30),
        ("days", "9" * 400),
    ],
)
def test_numbers_beyond_the_range_are_refused_when_read(cli, tmp_path, key, text):
    path = tmp_path / "s.yaml"
    path.write_text(with_values(GENERIC, **{key: text}), encoding="utf-8")
    for argv in (["validate", path], ["run", path, "--out", tmp_path / "out", "--quiet"]):
        assert_refused(cli(*argv), "s.yaml:", key, "out of range")
    assert files_under(tmp_path) == [path]


def test_points_that_outgrow_int64_stay_exact_to_the_file(cli, tmp_path):
    """A millionth of a yuan a point in 10^-12 units: one order mints 2.1e20 units, past
    int64; the members file shows each member's points as the book holds them."""
    path = tmp_path / "fine.yaml"
    text = with_values(GENERIC, start_price="0.000001", days="20")
    path.write_text(text.replace("  exit_multiple: 3.0", "  exit_multiple: 3.0\n  decimals: 12"))
    out = tmp_path / "out"
    result = cli("run", path, "--out", out, "--quiet")
    assert result.code == 0, result.err
    from sim.scenario.root import load_scenario

    model = run_model(load_scenario(path), days=20)
    held = {key: record.held for key, record in model.book.members.items()}
    assert max(held.values()) > 2**63
    table = pq.read_table(out / "members.parquet").to_pydict()
    for member, points in zip(table["member"], table["points_held"], strict=True):
        assert points == held.get(member, 0) / 10**12
    summary = json.loads((out / "summary.json").read_text())
    assert summary["members_who_bought"] == sum(1 for r in model.book.members.values() if r.spent)


def test_a_fast_run_past_int64_is_redone_on_the_reference_core(cli, tmp_path):
    """The fast core computes in 64-bit integers; a run that outgrows them is redone on the
    reference core (proven equal to it), and the summary says which core computed it."""
    text = with_values(GENERIC, start_price="0.000001", days="5")
    text = text.replace("  exit_multiple: 3.0", "  exit_multiple: 3.0\n  decimals: 12")
    for core in ("fast", "reference"):
        path = tmp_path / f"{core}.yaml"
        path.write_text(fast(text, core), encoding="utf-8")
        result = cli("run", path, "--out", tmp_path / core, "--quiet")
        assert result.code == 0, result.err
        summary = json.loads((tmp_path / core / "summary.json").read_text())
        assert summary["scenario_definition"]["run"]["core"] == "reference"
    for name in ("timeseries.parquet", "members.parquet"):
        assert (tmp_path / "fast" / name).read_bytes() == (
            tmp_path / "reference" / name
        ).read_bytes()


def test_a_diluted_price_keeps_the_legacy_scenario_exact(cli, tmp_path):
    """legacy-debts with one arrival a day, claims minted at their full value: released
    claims dilute the price towards 0 and new orders mint points past int64 (the shipped case
    that crashed, before the seeds' reading became the default)."""
    text = (SCENARIOS / "legacy-debts.yaml").read_text(encoding="utf-8")
    text = text.replace("  rate: 20\n", "  rate: 1\n", 1)
    text = text.replace("    reading: price_growth ", "    reading: full_value ")
    assert "reading: full_value" in text
    path = tmp_path / "legacy.yaml"
    path.write_text(text, encoding="utf-8")
    result = cli("run", path, "--out", tmp_path / "out", "--quiet")
    assert result.code == 0, result.err
    held = pq.read_table(tmp_path / "out" / "members.parquet").column("points_held")
    assert max(held.to_pylist()) * 10**6 > 2**63


EXTREMES = st.fixed_dictionaries(
    {
        "amount": st.sampled_from(["0.01", "1", "1000", "123456.78", "1e12", "1e15"]),
        "start_price": st.sampled_from(["1e-12", "0.000001", "0.01", "1.0", "1e6", "1e15"]),
        "decimals": st.integers(0, 12),
        "exit_multiple": st.sampled_from(["null", "1.01", "3.0", "1e15"]),
        "mint_ratio": st.sampled_from(["0.000001", "0.7", "1"]),
        "core": st.sampled_from(["reference", "fast"]),
        "legacy": st.booleans(),
        "rate": st.sampled_from(["0", "1", "20"]),
    }
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=EXTREMES)
def test_extreme_valid_scenarios_run_or_are_refused_in_one_line(cli_runner, tmp_path, values):
    """Valid scenarios at the edges of the range, on either core: the generic platform, and
    the legacy claims, which dilute the price."""
    decimals, core = values.pop("decimals"), values.pop("core")
    if values.pop("legacy") is False:
        text = with_values(GENERIC, days="12", **values)
    else:
        legacy = (SCENARIOS / "legacy-debts.yaml").read_text(encoding="utf-8")
        text = with_values(legacy, days="12", start_day="3", every_days="2", **values)
    text = fast(text, core).replace("  exit_multiple:", f"  decimals: {decimals}\n  exit_multiple:")
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    path = folder / "s.yaml"
    path.write_text(text, encoding="utf-8")
    code, err = cli_runner("validate", path)
    assert code == 0, text  # a valid scenario, every time: at most warnings, one a line
    assert all(line.startswith(f"warning: {path}: ") for line in err.splitlines()), err
    code, err = cli_runner("run", path, "--out", folder / "out", "--quiet")
    lines = err.strip().splitlines()
    assert code in (0, 2), err
    if code == 2:
        assert len(lines) == 1 and "s.yaml: " in lines[0] and "Traceback" not in err, err
        assert "run.core: " in lines[0] or "points.decimals: " in lines[0], err
        assert not (folder / "out").exists()
    else:
        assert (folder / "out" / "summary.json").is_file()
