"""The daily-release scheme (消费全返) as a scenario's scheme: presets and their keys, bad
input, and a run whose files are the member-level fund's with its money in a ledger."""

from __future__ import annotations

import json
from decimal import Decimal

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sim.batch.columns import METRICS
from sim.batch.scheme_metrics import FILLED
from sim.batch.store import read_table
from sim.errors import InputError
from sim.report.load import load_batch
from sim.scenario.root import load_scenario
from tests.conftest import SCENARIOS
from tests.test_bad_input import assert_nothing_written, assert_refused


def scenario_file(tmp_path, scheme, days=120, inflow=None):
    data = {
        "name": "release",
        "scheme": scheme,
        "order": {"amount": 1000, "split": {"pool": 1}},
        "inflow": inflow or {"kind": "constant", "initial_members": 10, "rate": 0},
        "run": {"days": days, "seed": 5},
    }
    path = tmp_path / "release.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_a_preset_fills_the_terms_and_a_key_overrides_it(tmp_path):
    scheme = load_scenario(
        scenario_file(tmp_path, {"kind": "daily_release", "preset": "yunlianhui"})
    ).scheme
    assert (scheme.fee_share, scheme.buyer_multiple, scheme.merchant_multiple) == (
        Decimal("0.16"),
        Decimal("1"),
        Decimal("0.16"),
    )
    assert scheme.promoter_multiple == Decimal("0.44") and scheme.release_rate == Decimal("0.0005")
    mine = {"kind": "daily_release", "preset": "wanjia", "release_rate": 0.001}
    scheme = load_scenario(scenario_file(tmp_path, mine)).scheme
    assert scheme.release_rate == Decimal("0.001") and scheme.fee_share == Decimal("0.16")


def test_a_wanjia_cohort_is_paid_until_its_fee_runs_out(cli, tmp_path):
    """Ten members buy 1,000 yuan on day 0 and nobody after: the 16% fee pays 0.2% a day
    for 80 days; insolvent on day 81 (releases start the day after the purchase)."""
    out = tmp_path / "out"
    scheme = {"kind": "daily_release", "preset": "wanjia"}
    result = cli("run", scenario_file(tmp_path, scheme), "--out", out)
    assert result.code == 0, result.err
    assert "daily release (wanjia)" in result.out and "insolvent on day 81" in result.out
    summary = json.loads((out / "summary.json").read_text())
    assert summary["collapse_day"] == 81 and summary["members"] == 10
    assert summary["fees_and_memberships"] == 1_600 and summary["paid_to_buyers"] == 1_600
    assert summary["share_net_losers"] == 1.0
    series = pd.read_parquet(out / "timeseries.parquet")
    assert (series.pool == series.account_fund).all()
    assert (series.fees.cumsum() - series.pool - series.account_withdrawn).abs().max() < 1e-6
    assert series.withdrawals[1:81].tolist() == [20.0] * 80  # 2 yuan a member a day
    # day 81's release (2 yuan each) leaves the points but is not paid: owed at insolvency
    assert series.outstanding.iloc[0] == 10_000 and series.outstanding.iloc[-1] == 8_380
    assert summary["unpaid_at_insolvency"] == 20
    members = pd.read_parquet(out / "members.parquet")
    assert (
        members.withdrawn.tolist() == [160.0] * 10 and members.outstanding.tolist() == [838.0] * 10
    )


def test_memberships_and_agents_move_the_fund(cli, tmp_path):
    scheme = {
        "kind": "daily_release",
        "preset": "yunlianhui",
        "membership_fee": 99.9,
        "agent_share": 0.02,
        "release": "geometric",
    }
    out = tmp_path / "out"
    inflow = {"kind": "constant", "rate": 7, "noise": "none"}
    assert cli("run", scenario_file(tmp_path, scheme, 30, inflow), "--out", out).code == 0
    series = pd.read_parquet(out / "timeseries.parquet")
    assert series.fees.tolist() == [1819.3] * 30  # fees and memberships: 7 x (160 + 99.9)
    assert series.agents.tolist() == [7 * 1000 * 0.02] * 30
    assert (
        series.fees.cumsum() - series.pool - series.account_withdrawn - series.account_agents
    ).abs().max() < 1e-6


BAD = {
    "unknown preset": (
        {"kind": "daily_release", "preset": "yunlian"},
        ["scheme.preset", "yunlianhui"],
    ),
    "no terms": ({"kind": "daily_release"}, ["needs fee_share"]),
    "multiple 0": (
        {"kind": "daily_release", "preset": "wanjia", "buyer_multiple": 0},
        ["scheme.buyer_multiple", "multiple > 0"],
    ),
    "rate 0": (
        {"kind": "daily_release", "preset": "wanjia", "release_rate": 0},
        ["release_rate", "above 0"],
    ),
    "share above 1": (
        {"kind": "daily_release", "preset": "wanjia", "fee_share": 1.5},
        ["fee_share"],
    ),
    "unknown release": (
        {"kind": "daily_release", "preset": "wanjia", "release": "stepwise"},
        ["scheme.release", "linear"],
    ),
    "ponzi key": (
        {"kind": "daily_release", "preset": "wanjia", "promised_rate": 1},
        ["scheme.promised_rate", "classic_ponzi"],
    ),
    "promoter levels 0": (
        {"kind": "daily_release", "preset": "yunlianhui", "promoter_levels": 0},
        ["scheme.promoter_levels", "from 1 to 10"],
    ),
    "promoter levels a fraction": (
        {"kind": "daily_release", "preset": "yunlianhui", "promoter_levels": 1.5},
        ["scheme.promoter_levels", "whole number"],
    ),
    "promoter levels under ponzi": (
        {"kind": "classic_ponzi", "promised_rate": 1, "withdrawal_rate": 0.5, "promoter_levels": 2},
        ["scheme.promoter_levels", "a key of the daily_release scheme"],
    ),
    "release key under ponzi": (
        {"kind": "classic_ponzi", "promised_rate": 1, "withdrawal_rate": 0.5, "preset": "wanjia"},
        ["scheme.preset", "a key of the daily_release scheme"],
    ),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_release_terms_are_one_line(cli, tmp_path, case):
    scheme, fragments = BAD[case]
    out = tmp_path / "out"
    assert_refused(
        cli("run", scenario_file(tmp_path, scheme), "--out", out), "release.yaml", *fragments
    )
    assert_nothing_written(tmp_path, out)


def test_a_membership_fee_counts_in_what_a_member_paid(cli, tmp_path):
    """Each of ten members pays 1,000 yuan and a 50-yuan membership and gets the 1,000 back
    in full (1% a day, 100 days, a fund of 10,500): each is 50 yuan down, a net loser."""
    terms = {"fee_share": 1, "buyer_multiple": 1, "release_rate": 0.01, "membership_fee": 50}
    out = tmp_path / "out"
    path = scenario_file(tmp_path, {"kind": "daily_release", **terms}, days=150)
    assert cli("run", path, "--out", out).code == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["collapse_day"] is None and summary["paid_to_buyers"] == 10_000
    assert (summary["spent"], summary["memberships"]) == (10_000, 500)
    assert summary["net_losers"] == 10 and summary["share_net_losers"] == 1.0
    members = pd.read_parquet(out / "members.parquet")
    assert members.withdrawn.tolist() == [1_000.0] * 10
    assert members.net_result.tolist() == [-50.0] * 10
    assert (summary["net_losses"], summary["clawback_pool"], summary["net_winners"]) == (500, 0, 0)
    flags = {flag["key"]: flag for flag in summary["red_flags"]}
    assert flags["entry_fee"]["raised"] and flags["entry_fee"]["membership_fee_yuan"] == 50
    assert flags["promised_multiple"]["raised"]
    assert flags["promised_multiple"]["share_paid_back"] == pytest.approx(10_000 / 10_500)
    assert not flags["recruitment_pay"]["raised"] and not flags["illegal_fundraising"]["raised"]


def test_a_batch_holds_release_runs_beside_the_points_scheme(cli, tmp_path):
    """One batch of a 万家购物 cohort and a 消费增值 seed: the release runs fill the metrics
    every scheme shares (the wanjia cohort's hand-computed figures), the points scheme's
    own metrics are null for them and "n/a" in compare."""
    release = scenario_file(tmp_path, {"kind": "daily_release", "preset": "wanjia"})
    points = SCENARIOS / "seed-generic-3x.yaml"
    out = tmp_path / "batch"
    result = cli("batch", release, points, "--replicates", "2", "--days", "120", "--out", out)
    assert result.code == 0, result.err
    runs = read_table(out, "runs").set_index("scenario")
    mine = runs.loc["release"]
    assert mine.scheme.tolist() == ["daily_release"] * 2
    assert mine.status.tolist() == ["ok"] * 2
    assert mine.members.tolist() == [10, 10] and mine.money_entered.tolist() == [10_000.0] * 2
    assert mine.paid_to_members.tolist() == [1_600.0] * 2  # the fee, all released, then none
    assert mine.collapse_day.tolist() == mine.unpaid_withdrawals_day.tolist() == [81, 81]
    assert mine.collapse_condition.tolist() == ["unpaid_withdrawals"] * 2
    assert mine.net_investment_share_net_losers.tolist() == [1.0, 1.0]
    assert mine.fund_at_end.tolist() == [0.0, 0.0] and mine.owed_at_end.tolist() == [8_380.0] * 2
    assert mine.price_end.isna().all() and mine.orders.isna().all()
    # the metrics compare treats as the comparison schemes' are exactly those they fill
    # (every one is filled by a run that collapsed), so FILLED cannot drift from the row
    filled = {name for name, _ in METRICS if mine[name].notna().all()}
    assert filled == FILLED | {"scheme"}
    # 10 payers, 10,000 yuan, 8,400 short: under every fund-raising threshold; no membership
    # and no promoters; the promise was paid on (1,600 yuan)
    assert mine.red_flags_raised.tolist() == ["promised_multiple"] * 2
    assert mine.net_investment_net_losses.tolist() == [8_400.0] * 2
    seeds = runs.loc["seed-generic-3x"]
    assert seeds.scheme.tolist() == ["consumption_appreciation"] * 2
    assert seeds.owed_at_end.isna().all() and seeds.price_end.notna().all()
    series = read_table(out, "timeseries")
    assert series[series.scenario == "release"].outstanding.iloc[0] == 10_000
    assert cli("compare", out, "--out", tmp_path / "c.csv").code == 0
    tidy = pd.read_csv(tmp_path / "c.csv").set_index(["scenario", "metric"])
    assert tidy.loc[("release", "price_end"), "interval"] == "not_applicable"
    assert tidy.loc[("release", "collapse_day"), "mean"] == 81
    assert tidy.loc[("seed-generic-3x", "price_end"), "interval"] == "student_t"
    page = tmp_path / "r.html"
    assert cli("report", out, "--out", page).code == 0  # the side-by-side report
    assert "## The schemes side by side" in page.with_suffix(".md").read_text(encoding="utf-8")
    with pytest.raises(InputError, match="'release', a daily_release scheme: this report"):
        load_batch(out)  # the points scheme's report (claims, re-runs) refuses it


def test_the_readme_example_runs(cli, tmp_path):
    readme = (SCENARIOS.parent / "README.md").read_text(encoding="utf-8")
    part = readme[readme.index("### `daily_release`") :]
    example = yaml.safe_load(part.split("```yaml\n", 1)[1].split("```", 1)[0])
    scheme = load_scenario(scenario_file(tmp_path, example["scheme"])).scheme
    assert scheme.membership_fee == Decimal("99.9") and scheme.fee_share == Decimal("0.16")


@pytest.mark.parametrize("name", ["yunlianhui-national", "wanjia-national"])
def test_the_national_cases_run_their_first_days(cli, tmp_path, name):
    """The shipped national cases (scenarios/comparison/), their first 60 days: every
    member of a day buys, the fund is the ledger's, nothing is insolvent yet."""
    out = tmp_path / "out"
    path = SCENARIOS / "comparison" / f"{name}.yaml"
    assert cli("run", path, "--out", out, "--days", "60", "--quiet").code == 0
    series = pd.read_parquet(out / "timeseries.parquet")
    assert (series.inflow == series.new_members * 1000).all()
    assert (series.pool == series.account_fund).all() and not series.collapsed.any()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["members"] == series.new_members.sum() > 10_000


def test_the_agent_model_does_not_run_a_comparison_scheme_as_its_own(tmp_path):
    """A notebook's SchemeModel on a daily_release scenario would run the 消费增值 rules:
    it is refused, naming the key, rather than run as the wrong scheme."""
    from sim.errors import InputError
    from sim.model.mesa_model import SchemeModel

    path = scenario_file(tmp_path, {"kind": "daily_release", "preset": "wanjia"})
    with pytest.raises(InputError, match=r"scheme\.kind: SchemeModel, the agent model, runs"):
        SchemeModel(load_scenario(path))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    scheme=st.one_of(
        st.fixed_dictionaries(
            {
                "kind": st.just("classic_ponzi"),
                "initial_deposit": st.integers(0, 10**12),
                "promised_rate": st.floats(0, 100),
                "nominal_rate": st.floats(0, 100),
                "withdrawal_rate": st.floats(0.001, 100),
            }
        ),
        st.fixed_dictionaries(
            {
                "kind": st.just("daily_release"),
                "fee_share": st.floats(0, 1),
                "buyer_multiple": st.floats(0.01, 100),
                "merchant_multiple": st.floats(0, 100),
                "release_rate": st.floats(0.0001, 1),
                "release": st.sampled_from(["linear", "geometric"]),
                "agent_share": st.floats(0, 1),
                "membership_fee": st.integers(0, 10**6),
            }
        ),
    ),
    days=st.integers(1, 400),
)
@example(
    scheme={
        "kind": "classic_ponzi",
        "initial_deposit": 64806,
        "promised_rate": 95.0,
        "nominal_rate": 100.0,
        "withdrawal_rate": 55.25,
    },
    days=267,
)  # promises past int64 (found by this test: the members table overflowed)
def test_a_valid_comparison_scenario_runs_or_is_one_line(cli, tmp_path, scheme, days):
    """Any scheme runs to its horizon or is refused in one line (money past e^200, a number
    the reader does not take): never a traceback."""
    path = scenario_file(tmp_path, scheme, days, {"kind": "constant", "rate": 3, "noise": "none"})
    result = cli("run", path, "--out", tmp_path / "out", "--quiet")
    assert result.code in (0, 2), result.err
    if result.code == 2:
        assert_refused(result, "release.yaml")
