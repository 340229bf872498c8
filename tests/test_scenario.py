"""Scenario files: the shipped seeds load exactly, and every bad input is one located line."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.errors import InputError
from sim.scenario.reader import load_yaml
from sim.scenario.root import Scenario, load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
GENERIC = {"product_cost": "0.30", "distribution": "0.30", "platform": "0.10", "pool": "0.30"}
SHIPPED = {
    "seed-generic-2x": (GENERIC, "2"),
    "seed-generic-3x": (GENERIC, "3"),
    "seed-generic-nocap": (GENERIC, None),
    "seed-talk-5x": (
        {"product_cost": "0.50", "distribution": "0.10", "platform": "0.10", "pool": "0.30"},
        "5",
    ),
    "seed-004-pack-3x-direct-only": (
        {
            "product_cost": "0.20",
            "chain_motion": "0.33",
            "chain_dividend": "0.04",
            "level_differential": "0.03",
            "platform": "0.07",
            "pool": "0.30",
            "service_point": "0.02",
            "regional_agents": "0.01",
        },
        "3",
    ),
    "seed-local-services-1.2x-referral-only": (
        {"merchant": "0.80", "distribution": "0.02", "platform": "0.02", "pool": "0.16"},
        "1.2",
    ),
}
# with the distribution layer (seed-004-chain-motion) or an assumed referral
SHIPPED["seed-004-chain-motion"] = SHIPPED["seed-004-pack-3x-direct-only"]
SHIPPED["seed-generic-3x-assumed-referral"] = SHIPPED["seed-generic-3x"]
SHIPPED["seed-local-services-distribution"] = SHIPPED["seed-local-services-1.2x-referral-only"]
VALID = """\
name: test
order:
  split: {product_cost: 0.30, distribution: 0.30, platform: 0.10, pool: 0.30}
"""


def write(tmp_path: Path, text: str | bytes, name: str = "bad.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def error_for(path: Path) -> InputError:
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    text = str(caught.value)
    assert "\n" not in text and "^" not in text and "pydantic" not in text.lower()
    return caught.value


# --- the shipped scenarios ---------------------------------------------------------------


def test_every_seed_scenario_is_tested() -> None:
    # The stress scenarios are run whole in test_shipped_scenarios.py.
    assert {path.stem for path in SCENARIOS.glob("seed-*.yaml")} == set(SHIPPED)


@pytest.mark.parametrize("stem", sorted(SHIPPED))
def test_shipped_scenario_mechanics(stem: str) -> None:
    shares, multiple = SHIPPED[stem]
    scenario = load_scenario(SCENARIOS / f"{stem}.yaml")
    assert scenario.name == stem
    assert "eed" in scenario.description and "\n" not in scenario.description
    mechanics = scenario.mechanics()
    assert mechanics.split == tuple((line, Fraction(share)) for line, share in shares.items())
    assert mechanics.exit_multiple == (None if multiple is None else Fraction(multiple))
    assert mechanics.order_amount == 100_000  # 1000 yuan in fen
    assert mechanics.start_price == 1
    assert mechanics.mint_ratio == Fraction(7, 10)
    assert mechanics.sell_payout == Fraction(4, 5)
    assert (mechanics.exit_points, mechanics.exit_against) == ("obtained", "spend")


# --- exact reading -----------------------------------------------------------------------


def test_yaml_numbers_are_exact_and_lines_are_recorded(tmp_path: Path) -> None:
    path = write(
        tmp_path, "a: 0.3\nb:\n  - 7\n  - 1e-3\n  - '0.3'\nc: {d: null, e: true}\n", "x.yaml"
    )
    data, lines = load_yaml(path)
    assert data == {
        "a": Decimal("0.3"),
        "b": [7, Decimal("0.001"), "0.3"],
        "c": {"d": None, "e": True},
    }
    assert type(data["a"]) is Decimal and type(data["b"][0]) is int
    assert lines[("a",)] == 1 and lines[("b", 1)] == 4 and lines[("c", "e")] == 6


def test_keys_stay_text_and_dates_stay_strings(tmp_path: Path) -> None:
    data, _ = load_yaml(write(tmp_path, "on: 1\nno: 2\nday: 2024-01-31\n", "x.yaml"))
    assert data == {"on": 1, "no": 2, "day": "2024-01-31"}


def test_defaults_and_unit_conversion(tmp_path: Path) -> None:
    text = VALID + (
        "points:\n  decimals: 2\n  max_points_per_order: 12.34\n  min_spend_to_sell: 99.99\n"
        "  exit_multiple: 2.5\n  exit_points: obtained\n  exit_against: grant_value\n"
        "  exit_counts_cash: true\n  start_price: 0.5\n"
    )
    mechanics = load_scenario(write(tmp_path, text, "ok.yaml")).mechanics()
    assert mechanics.unit == 100 and mechanics.max_points_per_order == 1234
    assert mechanics.min_spend_to_sell == 9999
    assert mechanics.exit_multiple == Fraction(5, 2) and mechanics.start_price == Fraction(1, 2)
    assert (mechanics.exit_points, mechanics.exit_against) == ("obtained", "grant_value")
    assert mechanics.exit_counts_cash is True
    defaults = load_scenario(write(tmp_path, VALID + "points:\n", "empty_points.yaml"))
    assert defaults.description == "" and defaults.mechanics().decimals == 6
    assert defaults.mechanics().exit_multiple is None and defaults.mechanics().unit == 10**6


def test_from_dict_and_round_trip() -> None:
    data = {"name": "n", "order": {"amount": 250, "split": {"pool": Decimal("0.3"), "x": 0.7}}}
    scenario = Scenario.from_dict(data)
    assert scenario.mechanics().order_amount == 25_000
    assert scenario.mechanics().split == (("pool", Fraction(3, 10)), ("x", Fraction(7, 10)))
    assert Scenario.from_dict(scenario.model_dump()) == scenario
    assert hash(scenario) == hash(Scenario.from_dict(scenario.model_dump()))
    with pytest.raises(InputError) as caught:
        Scenario.from_dict({"name": "n", "order": {"split": {"pool": 0.5}}}, source="notebook")
    assert str(caught.value) == (
        "notebook: order.split: split shares must sum to 1, they sum to 0.5"
    )


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 100), min_size=1, max_size=6))
def test_any_split_of_whole_percents_summing_to_one_loads(cuts: list[int]) -> None:
    shares = [*cuts, max(0, 100 - sum(cuts))]
    split = {f"line_{i}": Decimal(share) / 100 for i, share in enumerate(shares)}
    split["pool"] = split.pop(f"line_{len(shares) - 1}")
    data = {"name": "h", "order": {"split": split}}
    if sum(shares) != 100:
        with pytest.raises(InputError, match="split shares must sum to 1"):
            Scenario.from_dict(data)
        return
    mechanics = Scenario.from_dict(data).mechanics()
    assert sum(share for _, share in mechanics.split) == 1
    assert [name for name, _ in mechanics.split] == list(split)


# --- bad input: one line naming file, line and key --------------------------------------

BAD = {
    "malformed": ("name: x\norder:\n  split: {pool: 1\n  amount: 3\n", 4, None, "invalid YAML"),
    "bad indent": ("name: x\n  bad: 1\n", 2, None, "mapping values are not allowed here"),
    "unknown top": (
        VALID + "descripton: hi\n",
        4,
        "descripton",
        "unknown key 'descripton'; did you mean 'description'?",
    ),
    "unknown nested": (
        VALID + "points:\n  exit_multipel: 3\n",
        5,
        "points.exit_multipel",
        "unknown key 'exit_multipel'; did you mean 'exit_multiple'?",
    ),
    "sum": (
        "name: x\norder:\n  split: {a: 0.3, b: 0.3, c: 0.1, pool: 0.2}\n",
        3,
        "order.split",
        "split shares must sum to 1, they sum to 0.9",
    ),
    "ratio": (
        VALID + "points:\n  mint_ratio: 1.5\n",
        5,
        "points.mint_ratio",
        "expected a ratio in [0, 1], got 1.5",
    ),
    "share": (
        "name: x\norder:\n  split:\n    pool: 1.2\n    x: -0.2\n",
        4,
        "order.split.pool",
        "expected a ratio in [0, 1], got 1.2",
    ),
    "negative": (
        "name: x\norder:\n  amount: -5\n  split: {pool: 1}\n",
        3,
        "order.amount",
        "expected an amount in yuan >= 0, got -5",
    ),
    "non-numeric": (
        "name: x\norder:\n  amount: abc\n  split: {pool: 1}\n",
        3,
        "order.amount",
        "expected a number, got 'abc'",
    ),
    "quoted number": (
        VALID + "points:\n  sell_payout: '0.8'\n",
        5,
        "points.sell_payout",
        "expected a number, got '0.8'",
    ),
    "bool": (
        VALID + "points:\n  start_price: true\n",
        5,
        "points.start_price",
        "expected a number, got true",
    ),
    "three decimals": (
        "name: x\norder:\n  amount: 10.005\n  split: {pool: 1}\n",
        3,
        "order.amount",
        "at most 2 decimals",
    ),
    "choice": (
        VALID + "points:\n  exit_points: helt\n",
        5,
        "points.exit_points",
        "expected one of: held, obtained",
    ),
    "cap finer than decimals": (
        VALID + "points:\n  decimals: 2\n  max_points_per_order: 1.234\n",
        6,
        "points.max_points_per_order",
        "at most 2 decimals",
    ),
    "zero exit": (
        VALID + "points:\n  exit_multiple: 0\n",
        5,
        "points.exit_multiple",
        "expected a number > 0 (or null for none), got 0",
    ),
    "infinite": ("name: x\norder:\n  split: {pool: .inf}\n", 3, "order.split.pool", "finite"),
    "duplicate": (
        "name: x\norder:\n  split: {pool: 1}\nname: y\n",
        4,
        "name",
        "key 'name' appears twice",
    ),
    "missing pool": (
        "name: x\norder:\n  split:\n    product: 0.7\n    platform: 0.3\n",
        3,
        "order.split",
        "split needs a 'pool' line",
    ),
    "reserved": (
        "name: x\norder:\n  split: {pool: 1, member_cash: 0}\n",
        3,
        "order.split.member_cash",
        "'member_cash' is a reserved account name",
    ),
    "missing name": ("# c\norder:\n  split: {pool: 1}\n", 2, None, "missing required key 'name'"),
    "missing split": ("name: x\norder:\n  amount: 5\n", 2, "order", "missing required key 'split'"),
    "section not mapping": ("name: x\norder: 5\n", 2, "order", "expected a mapping of keys, got 5"),
    "top level list": ("- a\n- b\n", 1, None, "expected a scenario mapping at the top level"),
    "typo reported first": (
        "nmae: x\norder:\n  split: {pool: 1}\n",
        1,
        "nmae",
        "unknown key 'nmae'; did you mean 'name'? (and 1 more problem)",
    ),
    "octal": (
        "name: x\norder:\n  amount: 010\n  split: {pool: 1}\n",
        3,
        "order.amount",
        "leading zero",
    ),
}


def assert_located(tmp_path: Path, case: tuple) -> None:
    """A bad file gives one InputError at the expected line and key, with the message."""
    text, line, key, message = case
    path = write(tmp_path, text)
    error = error_for(path)
    assert (error.file, error.line, error.key) == (str(path), line, key), str(error)
    assert message in error.message
    where = f"{path}:{line}: " + (f"{key}: " if key else "")
    assert str(error).startswith(where)


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_one_located_line(tmp_path: Path, case: str) -> None:
    assert_located(tmp_path, BAD[case])


@pytest.mark.parametrize(
    "tag", ["!!python/object/apply:os.system", "!!python/name:os.system", "!custom", "!!binary"]
)
def test_tags_are_refused_and_nothing_runs(tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "ran"
    text = f'name: x\norder:\n  amount: {tag} ["touch {marker}"]\n  split: {{pool: 1}}\n'
    error = error_for(write(tmp_path, text))
    assert error.message == f"YAML tag '{tag}' is not allowed"
    assert (error.line, error.key) == (3, "order.amount")
    assert not marker.exists()


def test_python_tag_does_not_run_the_command(tmp_path: Path, capfd: pytest.CaptureFixture) -> None:
    path = write(tmp_path, '!!python/object/apply:os.system ["echo hi"]\n')
    error = error_for(path)
    assert error.message == "YAML tag '!!python/object/apply:os.system' is not allowed"
    assert error.line == 1
    assert "hi" not in capfd.readouterr().out


@pytest.mark.parametrize("text", ["", "# only a comment\n\n", "---\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    assert str(error_for(path)) == f"{path}: file is empty; expected a scenario mapping"


def test_missing_file_and_directory(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    assert str(error_for(missing)) == f"{missing}: file not found"
    assert str(error_for(tmp_path)) == f"{tmp_path}: is a directory, not a file"


def test_not_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, b"name: x\ndescription: caf\xe9\n")
    error = error_for(path)
    assert error.line == 2 and "not UTF-8" in error.message


def test_recursive_alias_and_merge_keys_are_refused(tmp_path: Path) -> None:
    error = error_for(write(tmp_path, "a: &x [1, *x]\n"))
    assert error.line == 1 and "alias" in error.message
    error = error_for(write(tmp_path, "base: &b {x: 1}\nother:\n  <<: *b\n"))
    assert error.line == 3 and "merge keys" in error.message
