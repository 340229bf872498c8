"""The classic Ponzi as a scenario's scheme: the ``scheme`` section and its bad input, a run
whose files are the member-level fund's (sim.core.ponzi_members) with its money in a
ledger, deposits from the flow or from the inflow, and the commands that do not run it yet
saying so in one line."""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal

import pandas as pd
import pytest
import yaml

from sim.batch.store import read_table
from sim.core.ponzi import Fund, collapse_time
from sim.scenario.root import Scenario, load_scenario
from sim.scenario.scheme import RELEASE_PRESETS, SchemeSection
from tests.conftest import SCENARIOS
from tests.test_bad_input import assert_nothing_written, assert_refused

# K = 100,000 yuan, deposits of 100,000 yuan a year growing at 80%; 100% promised, half of
# the promise withdrawn a year, 5% earned: the closed form empties after 3.36 years
SCHEME = {
    "kind": "classic_ponzi",
    "initial_deposit": 100_000,
    "promised_rate": 1.0,
    "nominal_rate": 0.05,
    "withdrawal_rate": 0.5,
    "deposits": {"per_year": 100_000, "growth": 0.8},
}
FUND = Fund(10_000_000.0, 1.0, 0.05, 0.5, 10_000_000.0, 0.8)  # the same, in fen


def scenario_file(tmp_path, scheme=SCHEME, days=1300, **sections):
    data = {
        "name": "ponzi",
        "scheme": scheme,
        "order": {"amount": 1000, "split": {"pool": 1}},
        "run": {"days": days, "seed": 3},
        **sections,
    }
    path = tmp_path / "ponzi.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_a_run_collapses_where_the_closed_form_empties(cli, tmp_path):
    out = tmp_path / "out"
    result = cli("run", scenario_file(tmp_path), "--out", out)
    assert result.code == 0, result.err
    assert "classic Ponzi" in result.out and "collapsed on day" in result.out
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scheme"] == "classic_ponzi"
    assert summary["scenario_definition"]["scheme"]["kind"] == "classic_ponzi"
    day = summary["collapse_day"]
    assert abs(day + 0.5 - collapse_time(FUND) * 365) <= 1
    series = pd.read_parquet(out / "timeseries.parquet")
    assert (series.pool == series.account_fund).all()  # the fund is the ledger's
    money_in = series.inflow.cumsum() + series.returns.cumsum() + 100_000
    assert (money_in - series.pool - series.account_withdrawn).abs().max() < 1e-6
    assert series.collapsed.tolist() == [d >= day for d in range(1300)]
    assert (series.withdrawals[day + 1 :] == 0).all() and (series.inflow[day + 1 :] == 0).all()
    members = pd.read_parquet(out / "members.parquet")
    assert len(members) == summary["members"] == day + 2  # K, and a member a day
    assert members.withdrawn.sum() == pytest.approx(summary["paid_out"], abs=1e-6)
    losers = (members.withdrawn < members.deposited).sum()
    assert summary["net_losers"] == losers and 0 < losers < len(members)


def test_a_batch_row_is_the_runs_summary(cli, tmp_path):
    """The deposits are drawn from nothing random: each replicate is the run above, and the
    runs table holds its summary under the names every scheme shares."""
    out = tmp_path / "batch"
    result = cli("batch", scenario_file(tmp_path), "--replicates", "2", "--out", out)
    assert result.code == 0, result.err
    assert cli("run", scenario_file(tmp_path), "--out", tmp_path / "run").code == 0
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    for row in read_table(out, "runs").itertuples():
        assert (row.scheme, row.status, row.members) == ("classic_ponzi", "ok", summary["members"])
        assert row.money_entered == summary["deposited"] and row.collapsed
        assert row.paid_to_members == row.withdrawn_by_members == summary["paid_out"]
        assert row.collapse_day == row.unpaid_withdrawals_day == summary["collapse_day"]
        assert row.net_investment_net_losers == summary["net_losers"]
        assert (row.fund_at_end, row.owed_at_end) == (
            summary["fund_at_end"],
            summary["promised_at_end"],
        )
        assert row.ledger_balanced and pd.isna(row.price_end)
        raised = sorted(f["key"] for f in summary["red_flags"] if f["raised"])
        assert row.red_flags_raised == ",".join(raised)
        assert "illegal_fundraising" in raised and "entry_fee" not in raised
        assert row.net_investment_net_losses == summary["net_losses"] > 0


def test_deposits_from_the_inflow(cli, tmp_path):
    scheme = {k: v for k, v in SCHEME.items() if k != "deposits"}
    inflow = {"kind": "constant", "rate": 4, "noise": "none"}
    out = tmp_path / "out"
    result = cli("run", scenario_file(tmp_path, scheme, 30, inflow=inflow), "--out", out)
    assert result.code == 0, result.err
    series = pd.read_parquet(out / "timeseries.parquet")
    assert series.new_members.tolist() == [4] * 30
    assert series.inflow.tolist() == [4_000.0] * 30  # four members of order.amount a day
    assert len(pd.read_parquet(out / "members.parquet")) == 1 + 120


def test_the_default_scheme_leaves_scenarios_as_they_were():
    scenario = load_scenario(SCENARIOS / "seed-generic-3x.yaml")
    assert scenario.scheme.kind == "consumption_appreciation"
    assert "scheme" not in scenario.model_dump()  # summaries read as before
    ponzi = Scenario.from_dict({**scenario.model_dump(), "scheme": SCHEME})
    again = Scenario.from_dict(ponzi.model_dump())  # sweeps and reruns keep the scheme
    assert again.scheme == ponzi.scheme and again.scheme.deposits.growth == Decimal("0.8")


BAD = {
    "unknown kind": ({**SCHEME, "kind": "pyramid"}, ["scheme.kind", "expected one of"]),
    "negative rate": ({**SCHEME, "promised_rate": -1}, ["scheme.promised_rate", "from 0"]),
    "rate too large": ({**SCHEME, "nominal_rate": 1000}, ["scheme.nominal_rate", "to 100"]),
    "rate as text": ({**SCHEME, "withdrawal_rate": "0.5"}, ["withdrawal_rate", "a number"]),
    "no withdrawals": ({**SCHEME, "withdrawal_rate": 0}, ["withdrawal_rate", "> 0"]),
    "no promise": (
        {k: v for k, v in SCHEME.items() if k != "promised_rate"},
        ["needs promised_rate"],
    ),
    "key under the wrong kind": (
        {"kind": "consumption_appreciation", "promised_rate": 1.0},
        ["scheme.promised_rate", "a key of the classic_ponzi scheme"],
    ),
    "unknown key": ({**SCHEME, "promise": 1.0}, ["scheme", "promise"]),
    "bad deposits": ({**SCHEME, "deposits": {"per_year": -5}}, ["deposits.per_year"]),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_scheme_is_one_line(cli, tmp_path, case):
    scheme, fragments = BAD[case]
    out = tmp_path / "out"
    result = cli("run", scenario_file(tmp_path, scheme), "--out", out)
    assert_refused(result, "ponzi.yaml", *fragments)
    assert_nothing_written(tmp_path, out)


def test_a_section_the_ponzi_would_ignore_is_refused(cli, tmp_path):
    path = scenario_file(tmp_path, stress={"halt_day": 10})
    assert_refused(cli("validate", path), "ponzi.yaml", "stress", "classic_ponzi")


@pytest.mark.parametrize(
    "command",
    [
        ("assess", "{path}"),
        ("breakeven", "--scenario", "{path}"),
        ("replay", "{events}", "--scenario", "{path}", "--out", "{out}"),
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_commands_that_do_not_run_it_yet_say_so(cli, tmp_path, command):
    path, out = scenario_file(tmp_path, days=5), tmp_path / "out"
    events = tmp_path / "events.csv"
    events.write_text("day,member,action,amount\n0,1,buy,1000\n", encoding="utf-8")
    argv = [part.format(path=path, out=out, events=events) for part in command]
    assert_refused(cli(*argv), "ponzi.yaml", "scheme.kind", "python -m sim run")
    assert_nothing_written(tmp_path, out)


def test_the_run_is_reproducible(cli, tmp_path):
    scheme = {k: v for k, v in SCHEME.items() if k != "deposits"}
    inflow = {"kind": "constant", "rate": 3, "noise": "poisson"}
    path = scenario_file(tmp_path, scheme, 40, inflow=inflow)
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        assert cli("run", path, "--out", out, "--quiet").code == 0
    for name in ("timeseries.parquet", "members.parquet", "summary.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
    assert math.isfinite(json.loads((first / "summary.json").read_text())["paid_out"])


def test_the_readme_documents_the_scheme(tmp_path):
    text = (SCENARIOS.parent / "README.md").read_text(encoding="utf-8")
    start = text.index("## The scheme: `scheme`")
    part = text[start : text.index("\n## ", start + 5)]
    documented = set(re.findall(r"^\| `scheme\.([a-z_.]+)` \|", part, re.MULTILINE))
    fields = set(SchemeSection.model_fields) - {"deposits"}
    assert documented == fields | {"deposits.per_year", "deposits.growth"}
    for preset in RELEASE_PRESETS:
        assert f"| `{preset}` (" in part  # with its terms and source
    example = yaml.safe_load(part.split("```yaml\n", 1)[1].split("```", 1)[0])
    path = scenario_file(tmp_path, example["scheme"], 30)
    assert load_scenario(path).scheme.deposits.per_year == 1_000_000


def test_money_grown_past_any_meaning_is_refused(cli, tmp_path):
    """A valid-looking Ponzi whose fund or promises would grow e^200-fold or more (past what
    a float in a file can hold, or any meaning) is one line, not a crash: in the scenario,
    and when --days stretches a valid one."""
    scheme = {**SCHEME, "nominal_rate": 100, "promised_rate": 100}
    out = tmp_path / "out"
    result = cli("run", scenario_file(tmp_path, scheme, days=800), "--out", out)
    assert_refused(result, "ponzi.yaml", "scheme.promised_rate", "at most 200")
    assert_nothing_written(tmp_path, out)
    path = scenario_file(tmp_path, {**scheme, "deposits": None}, days=365)
    for command in ("run",), ("batch", "--replicates", "2"):
        result = cli(*command, path, "--days", "5000", "--out", out)
        assert_refused(result, "ponzi.yaml", "scheme.promised_rate", "with --days 5000")
        assert_nothing_written(tmp_path, out)
