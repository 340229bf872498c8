"""The report (sim.report) and the six claims (sim.analysis.claims): hand-made tables with
known answers, and one small real batch reported end to end."""

from __future__ import annotations

import functools
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim.analysis.claims import (
    FAILED,
    HELD,
    MIXED,
    UNTESTABLE,
    Rerun,
    ScenarioEvidence,
    claim_early_exit_then_bottleneck,
    claim_financing,
    claim_legacy_debts,
    claim_listed_shares,
    claim_price_never_falls,
    cohort_exits,
)
from sim.batch.compare import wilson
from sim.batch.integrity import rewrite
from sim.batch.runner import run_batch
from sim.errors import InputError
from sim.report.fonts import RELOAD
from sim.report.headline import collapse as headline_collapse
from sim.report.headline import readings
from sim.report.render import write_report
from sim.report.sections_runs import collapse_table
from sim.scenario.root import load_scenario
from tests.conftest import SCENARIOS

SCENARIO = """\
name: {name}
description: '{description}'
order:
  amount: 1000
  split: {{product_cost: 0.30, distribution: 0.30, platform: 0.10, pool: 0.30}}
points: {{exit_multiple: 1.5}}
run: {{days: 60, seed: 3}}
inflow: {{kind: constant, initial_members: 20, rate: 8}}
population:
  mix: {{consumer: 0.7, referrer: 0.1, panic_seller: 0.2}}
  consumer:
    rebuy_probability: 0.3
    rebuy_interval_days: 10
    sell_target: {{low: 1.1, high: 1.4}}
  referrer: {{reach: 5, recruit_rate: 0.05}}
  panic_seller: {{shock_days: [30]}}
referral: {{direct: 0.03, indirect: 0.02, paid_from: distribution}}
{extra}
"""

VARIANTS = {
    "plain": "",
    "diverted": "stress:\n  diversion: {on_days: [{day: 30, share: 0.6}]}\n",
    "legacy": "stress:\n  legacy: {claims: 200000, members: 50, start_day: 5, batches: 4, "
    "every_days: 10}\n",
    "financed": "stress:\n  subsidies: [{day: 20, amount: 100000}]\n",
}
SWEEP = (
    "stress:\n  diversion: {on_days: [{day: 30, share: 0.1}]}\n"
    "sweep:\n  design: grid\n  parameters:\n"
    "    stress.diversion.on_days.0.share: {values: [0.1, 0.6]}\n"
    "    points.exit_multiple: {values: [1.5, 3]}\n"
)
NASTY = '<script>alert(1)</script> & "quotes"'


def write_scenario(folder: Path, name: str, extra: str, description: str = "") -> Path:
    path = folder / f"{name}.yaml"
    text = SCENARIO.format(name=name, description=description or f"test {name}", extra=extra)
    path.write_text(text, encoding="utf-8")
    return path


@functools.cache
def built(base: Path) -> dict:
    """Two small batches (4 scenarios; a 2 x 2 sweep), 2 replicates, 60 days, and their report.
    Cached per test session: the browser test reads the same report."""
    scenarios = base / "scenarios"
    scenarios.mkdir(parents=True)
    paths = [
        write_scenario(scenarios, name, extra, NASTY if name == "plain" else "")
        for name, extra in VARIANTS.items()
    ]
    swept = write_scenario(scenarios, "swept", SWEEP)
    run_batch(paths, 2, base / "batch-a", workers=2)
    run_batch([swept], 2, base / "batch-b", workers=2)
    html, markdown = write_report(
        [base / "batch-a", base / "batch-b"], base / "reports" / "small.html", reruns=1
    )
    return {"base": base, "html": html, "markdown": markdown, "scenarios": scenarios}


@pytest.fixture(scope="session")
def small_report(tmp_path_factory) -> dict:
    return built(tmp_path_factory.getbasetemp() / "report-batches")


# -- statistics ------------------------------------------------------------------------------


def test_wilson_interval_known_values():
    # 0 of 3: centre = half = (z²/6) / (1 + z²/3) = 0.28075, so [0, 0.56150]
    p, low, high = wilson(0, 3)
    assert (p, low) == (0.0, 0.0) and high == pytest.approx(0.56150, abs=1e-5)
    # 5 of 10: the textbook [0.2366, 0.7634]
    assert wilson(5, 10) == pytest.approx((0.5, 0.23659, 0.76341), abs=1e-5)
    # 2 of 2: [0.3424, 1]
    assert wilson(2, 2) == pytest.approx((1.0, 0.34238, 1.0), abs=1e-5)
    assert all(np.isnan(v) for v in wilson(0, 0))


def test_collapse_table_from_a_runs_table():
    runs = pd.DataFrame(
        {
            "scenario": ["a"] * 4 + ["b"] * 2,
            "collapsed": [True, True, False, True, False, False],
            "collapse_day": [10, 30, None, 20, None, None],
            "collapse_condition": ["inflow_stall", "pool_drawdown", None, "inflow_stall"]
            + [None] * 2,
        }
    )
    table = collapse_table(runs).set_index("scenario")
    assert table.loc["a", "collapsed"] == 3 and table.loc["a", "runs"] == 4
    assert table.loc["a", "p"] == 0.75
    assert (table.loc["a", "low"], table.loc["a", "high"]) == pytest.approx(wilson(3, 4)[1:])
    assert table.loc["a", "median day"] == 20 and table.loc["a", "first day"] == 10
    assert table.loc["a", "conditions"] == "inflow_stall (2), pool_drawdown (1)"
    assert table.loc["b", "collapsed"] == 0 and table.loc["b", "conditions"] == "–"
    assert collapse_table(runs.drop(columns=["collapsed"])) is None
    # the headline: b's file is not available, so its levers are unknown, not "none"
    known = load_scenario(SCENARIOS / "halt.yaml")
    evidence = [
        ScenarioEvidence("a", known, runs_of(), series([1.0, 1.1]), 2),
        ScenarioEvidence("b", None, runs_of(), series([1.0, 1.1]), 2),
    ]
    lines = headline_collapse(collapse_table(runs), evidence)
    assert lines[1].startswith("a: collapsed in 3 of 4 runs")
    assert "(stress levers: withdrawal cap 1,500/day, halt on day 300)" in lines[1]
    assert lines[2] == (
        "b: collapsed in 0 of 2 runs (0%; 95% Wilson interval 0% to 66%) (its scenario file "
        "is not available, so its stress levers are unknown)."
    )
    assert len(lines) == 3  # no "cannot become insolvent" for a scenario nobody can read


# -- the claims on hand-made evidence ----------------------------------------------------------


def series(prices, panic=None, point=0, replicate=0, orders=None) -> pd.DataFrame:
    days = len(prices)
    return pd.DataFrame(
        {
            "point": point,
            "replicate": replicate,
            "day": range(days),
            "price": prices,
            "panic": panic if panic is not None else [False] * days,
            "orders": orders if orders is not None else [10] * days,
            "subsidies": 0.0,
        }
    )


def runs_of(**columns) -> pd.DataFrame:
    base = {
        "days_price_fell": [0],
        "price_peak": [2.0],
        "price_min_after_peak": [2.0],
        "unpaid_claims": [0.0],
        "money_entered": [1000.0],
    }
    return pd.DataFrame({**base, **columns})


def test_claim_1_price_falls_and_hollow_prices():
    falling = ScenarioEvidence(
        "falls",
        None,
        runs_of(days_price_fell=[1], price_peak=[2.0], price_min_after_peak=[1.5]),
        series([1.0, 2.0, 1.5, 1.6]),
        4,
    )
    steady = ScenarioEvidence(
        "steady", None, runs_of(unpaid_claims=[500.0]), series([1.0, 1.5, 2.0, 2.0]), 4
    )
    verdict = claim_price_never_falls([falling, steady])
    assert verdict.verdict == FAILED
    rows = {r["scenario"]: r for r in verdict.rows}
    assert rows["falls"]["verdict"] == FAILED
    assert rows["falls"]["largest one-day fall"] == "25.0%"  # 2.0 -> 1.5
    assert rows["falls"]["largest fall from peak"] == "25.0%"
    assert rows["steady"]["verdict"] == HELD
    assert rows["steady"]["largest one-day fall"] == "0.0%"  # not "-0.0%"
    assert "500 yuan of payouts unpaid" in verdict.evidence
    assert claim_price_never_falls([steady]).verdict == HELD


def test_claim_2_cohorts_by_hand():
    # horizon 40, window 10, cohorts of 10 days: complete cohorts start at 0, 10, 20
    members = pd.DataFrame(
        {
            "type": ["consumer"] * 7 + ["legacy"],
            "spent": [1000.0] * 7 + [0.0],
            "join_day": [0, 2, 5, 12, 15, 22, 35, 0],
            "forced_exits": [1, 1, 0, 1, 0, 0, 1, 1],
            "exit_day": [4, 20, None, 18, None, None, 36, 1],
        }
    )
    table = cohort_exits(members, horizon=40, width=10, window=10)
    assert table["cohort_start"].tolist() == [0, 10, 20]  # 30+ is cut short, legacy ignored
    assert table["buyers"].tolist() == [3, 2, 1]
    # cohort 0: out within 10 days: member 0 (4 days); member 1 took 18 days
    assert table["share_exited_within"].tolist() == pytest.approx([1 / 3, 1 / 2, 0.0])
    assert table["median_days_to_exit"].iloc[0] == 11.0  # (4 + 18) / 2
    evidence = ScenarioEvidence(
        "s",
        None,
        runs_of(),
        series([1.0] * 40),
        40,
        [Rerun(0, {}, members)],
    )
    verdict = claim_early_exit_then_bottleneck([evidence])
    # 1/3, 1/2, 0: the first >= 25% (fast); the last <= half the first (a bottleneck)
    assert verdict.rows[0]["rank correlation (cohort, share out)"] == -0.5
    assert verdict.rows[0]["early members out fast"] == "yes"
    assert verdict.rows[0]["bottleneck"] == "yes"
    assert verdict.verdict == HELD
    assert "at least 25% of the first join cohort" in verdict.evidence  # thresholds stated
    no_reruns = ScenarioEvidence("t", None, runs_of(), series([1.0] * 40), 40, missing="why")
    assert claim_early_exit_then_bottleneck([no_reruns]).verdict == UNTESTABLE


def test_claim_2_halves_by_hand(tmp_path):
    scenario = load_scenario(write_scenario(tmp_path, "plain", ""))
    # 210 points an order at price 1 (mint 0.7 x pool 0.3 x 1000); cohorts of 10 days, window 10
    members = pd.DataFrame(
        {
            "type": ["consumer"] * 4,
            "spent": [1000.0] * 4,
            "join_day": [0, 1, 10, 20],
            "forced_exits": [1, 0, 1, 0],
            "exit_day": [5, None, 15, None],
        }
    )  # shares out within 10 days: 1/2, 1/1, 0/1

    def judged(prices, table=members):
        evidence = ScenarioEvidence(
            "s", scenario, runs_of(), series(prices), 40, [Rerun(0, {}, table)]
        )
        return claim_early_exit_then_bottleneck([evidence])

    rising = [1.0] * 20 + [3.0] * 20  # 210 points on day 0, 70 on day 20
    verdict = judged(rising)
    row = verdict.rows[0]
    assert (row["points per order, first cohort"], row["points per order, last cohort"]) == (
        210,
        70,
    )
    assert verdict.verdict == HELD
    flat = judged([1.0] * 40)  # exits narrow, but a new order buys as many points: no bottleneck
    assert flat.rows[0]["bottleneck"] == "no" and flat.verdict == MIXED
    nobody = members.assign(forced_exits=0)  # nobody out: not fast, no narrowing
    assert judged(rising, nobody).verdict == FAILED


def test_claims_4_and_6_need_their_scenarios_and_5_is_never_testable():
    evidence = [ScenarioEvidence("x", None, runs_of(), series([1.0, 1.1]), 2)]
    for test, needs in (
        (claim_financing, "financing-rounds.yaml"),
        (claim_legacy_debts, "legacy-debts.yaml"),
    ):
        verdict = test(evidence)
        assert verdict.verdict == UNTESTABLE and needs in verdict.evidence
    verdict = claim_listed_shares(evidence)
    assert verdict.verdict == UNTESTABLE
    assert "no rule" in verdict.evidence and "claim on the pool" in verdict.evidence


def test_claim_6_legacy_payouts_by_hand(tmp_path):
    scenario = load_scenario(write_scenario(tmp_path, "legacy", VARIANTS["legacy"]))
    members = pd.DataFrame(
        {
            "type": ["legacy", "legacy", "consumer"],
            "spent": [0, 0, 100_000],  # exact: fen
            "cash_received": [3_000_000, 2_000_000, 10_000],
        }
    )
    summary = {"money_entered_by_source": {"orders": 1000000.0}, "share_of_buyers_losing": 0.9}
    rerun = Rerun(0, summary, members, {"legacy": {"share_of_buyers_losing": 0.8}})
    evidence = ScenarioEvidence("legacy", scenario, runs_of(), series([1.0, 1.1]), 2, [rerun])
    verdict = claim_legacy_debts([evidence])
    row = verdict.rows[0]
    assert verdict.verdict == HELD
    assert row["paid to old members (mean yuan)"] == 50000.0
    assert row["share of claims paid"] == "25.0%"  # of 200,000
    assert row["share funded by later orders"] == "100.0%"
    assert row["buyers losing, with legacy points"] == "90.0%"
    assert row["buyers losing, same seeds without"] == "80.0%"
    assert row["reading"] == "price_growth"  # the default: the seeds' literal reading
    assert "released under the seeds' reading" in verdict.evidence
    (line,) = [r for r in readings([evidence]) if "legacy claims are" in r]
    assert line.startswith("legacy: legacy claims are released as the points an order")
    full = scenario.model_copy(
        update={
            "stress": scenario.stress.model_copy(
                update={
                    "legacy": scenario.stress.legacy.model_copy(update={"reading": "full_value"})
                }
            )
        }
    )
    evidence.scenario = full
    assert "not the seeds' reading" in claim_legacy_debts([evidence]).evidence
    assert "not the seeds' literal reading" in " ".join(readings([evidence]))


# -- end to end ------------------------------------------------------------------------------


def test_report_is_self_contained_and_escaped(small_report):
    page = small_report["html"].read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page
    # no script but the embedded font's reload (sim.report.fonts.RELOAD), no link
    assert "<script" not in page.replace(RELOAD, "").lower() and "<link" not in page.lower()
    sources = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert sources and all(s.startswith("data:image/png;base64,") for s in sources)
    assert NASTY not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quotes&#34;" in page
    markdown = small_report["markdown"].read_text(encoding="utf-8")
    assert "<script>" not in markdown and "&lt;script&gt;" in markdown
    assert small_report["markdown"] == small_report["html"].with_suffix(".md")


def test_report_summary_and_claims(small_report):
    page = small_report["html"].read_text(encoding="utf-8")
    summary = page.split('id="summary"')[1].split("</div>")[0]
    headings = re.findall(r"<h3>([^<]+)</h3>", summary)
    assert headings[:6] == [  # harm first
        "The harm",
        "Who lost money",
        "What was run",
        "How often it collapsed, and what that means",
        "Readings of the seeds used",
        "The vendor&#39;s claims",
    ]
    assert "of the members who took part lost money by the net-investment method" in summary
    assert "2 runs)" in summary  # the runs an interval rests on stand beside it
    # the operator takes 60% of the pool on day 30: the posted pool falls below half its peak
    assert "diverted: collapsed in 2 of 2 runs (100%; 95% Wilson interval 34% to 100%)" in summary
    assert (
        "plain: collapsed in 0 of 2 runs (0%; 95% Wilson interval 0% to 66%) (no stress lever: "
        "it cannot become insolvent)" in summary
    )
    assert "A collapse probability of 0 there says nothing about safety" in summary
    assert (
        "forced exit at 1.5x when the points obtained × the price reach what they spent "
        "(seed 001&#39;s literal reading" in summary
    )
    markdown = small_report["markdown"].read_text(encoding="utf-8")
    claims = re.findall(r"^\| (\d) \| [^|]+ \| ([a-z ]+) \|", markdown, flags=re.M)
    verdicts = dict(claims)
    assert verdicts["1"] == "failed"  # the diversion lowers the price
    assert verdicts["4"] == "held" and verdicts["6"] == "held"
    assert verdicts["5"] == "not testable"
    assert "The price fell in" in markdown and "operator diverts the pool" in markdown
    # claim 2's why: (1.5 / 0.21)^(1 / 0.3) = 701.84 for every scenario's 1.5x cap
    assert (
        "the platform's cumulative orders have grown, after their order (steady orders, nobody "
        "selling), 702-fold for 1.5x in diverted, financed, legacy, plain, swept." in markdown
    )


def test_report_sets_the_break_even_law_beside_the_runs(small_report):
    page = small_report["html"].read_text(encoding="utf-8")
    summary = page.split('id="summary"')[1].split("</div>")[0]
    assert "The break-even law beside the runs (SPEC §5)" in summary
    # 20 members and 8 a day for 60 days: orders grow about 25-fold, far from the law's 182
    plain = re.search(
        r"plain: no order&#39;s points reached 1x within the run: the platform&#39;s "
        r"cumulative orders grew at most (\d+)-fold after any order \(the law "
        r"needs 182-fold\)",
        summary,
    )
    assert plain and 10 <= int(plain.group(1)) < 182
    # a 100,000-yuan subsidy into the pool on day 20 lifts the price far beyond orders alone
    financed = re.search(
        r"financed: an order&#39;s points were worth 1x its price once the "
        r"platform&#39;s cumulative orders had grown a median (\d+)-fold",
        summary,
    )
    assert financed and int(financed.group(1)) < 182
    section = page.split("<h2>The break-even law beside the runs</h2>")[1].split("<h2>")[0]
    assert section.count("<img") == 1 and "Break-even law beside the runs: financed" in section
    assert "rose faster" in section  # the runs' 1x came after less growth than the law's


def test_report_sweep_section_finds_the_diversion(small_report):
    page = small_report["html"].read_text(encoding="utf-8")
    assert "Phase diagram of swept" in page
    # collapse happens exactly when the day-30 take is 60%: PRIM narrows that parameter only
    assert "concentrate where stress.diversion.on_days.0.share ≥ 0.6" in page
    assert "Inside that box 100% of the runs collapsed (against 50% overall)" in page


def test_report_of_a_folder_that_is_not_a_batch(cli, tmp_path):
    out = tmp_path / "reports" / "x.html"
    result = cli("report", tmp_path, "--out", out)
    assert result.code == 2
    assert result.err.count("\n") == 1 and "is not a batch folder" in result.err
    assert not out.parent.exists()


def test_report_of_an_incomplete_batch(cli, small_report, tmp_path):
    batch = tmp_path / "batch"
    shutil.copytree(small_report["base"] / "batch-a", batch)
    part = next(iter(sorted((batch / "runs").rglob("part-0.parquet"))))
    pq.write_table(pq.read_table(part).slice(1), part)  # one run's row lost
    out = tmp_path / "reports" / "x.html"
    result = cli("report", batch, "--out", out)  # a file the batch did not write
    assert result.code == 2 and f"{part}: damaged: not the file the batch wrote" in result.err
    rewrite(batch)  # as if the batch had written it so: the run is simply missing
    result = cli("report", batch, "--out", out)
    assert result.code == 2
    assert "the batch is incomplete: 7 of 8 runs finished" in result.err
    assert not out.parent.exists()


def test_report_refuses_an_out_that_is_not_html(cli, small_report, tmp_path):
    result = cli("report", small_report["base"] / "batch-a", "--out", tmp_path / "x.pdf")
    assert result.code == 2 and "--out must name an .html file" in result.err
    assert list(tmp_path.iterdir()) == []


def test_report_is_all_or_nothing(small_report, tmp_path, monkeypatch):
    # the HTML is written, then writing the Markdown fails: neither reaches the folder
    write_text = Path.write_text

    def failing(self, text, *args, **kwargs):
        if self.suffix == ".md":
            raise OSError("disk full")
        return write_text(self, text, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", failing)
    out = tmp_path / "reports" / "x.html"
    with pytest.raises(InputError, match="reports: cannot write: disk full"):
        write_report([small_report["base"] / "batch-b"], out, reruns=0)
    assert not out.exists() and not out.with_suffix(".md").exists()
    assert [p.name for p in tmp_path.iterdir()] == []


def test_report_refuses_a_scenario_in_two_batches(cli, small_report, tmp_path):
    batch = small_report["base"] / "batch-a"
    copy = shutil.copytree(batch, tmp_path / "copy")
    result = cli("report", batch, copy, "--out", tmp_path / "x.html")
    assert result.code == 2 and "scenario 'diverted' is in two batches" in result.err
    assert list(tmp_path.iterdir()) == [copy]


def test_report_of_seed_004_shows_compensation_depth_and_pyramid_flags(tmp_path):
    """Issue 6: the seed-004 report shows how deep the distribution layer paid, beside the
    pyramid-selling flags with their numbers (a small market: 5 walk-ins a day, 45 days)."""
    import yaml

    data = yaml.safe_load((SCENARIOS / "seed-004-chain-motion.yaml").read_text(encoding="utf-8"))
    data["inflow"]["rate"] = 5
    data["run"]["days"] = 45
    path = tmp_path / "seed-004-chain-motion.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    run_batch([path], 1, tmp_path / "batch", workers=1)
    html, markdown = write_report([tmp_path / "batch"], tmp_path / "seed004.html", reruns=1)
    page = html.read_text(encoding="utf-8")
    section = page.split("<h2>Compensation: who the distribution layer paid, and how deep</h2>")[1]
    section = section.split("<h2>")[0]
    deepest = int(re.search(r"it paid a member on a purchase as deep as (\d+) levels", section)[1])
    assert deepest > 2  # 见点 pays a boss on sales any number of levels below
    assert "paid by level above the buyer" in section and "what triggered the pay" in section
    assert section.count("<img") == 1
    flags = page.split("<h2>Legal red flags</h2>")[1].split("<h2>")[0]
    row = flags.split("<td>pyramid_levels</td>")[1].split("</tr>")[0]
    assert f"levels = {deepest + 2}" in row and f"deepest_level_paid = {deepest}" in row
    assert "<td>yes</td>" in row  # a chain that deep and a team of 30 in 45 days
    summary = markdown.read_text(encoding="utf-8")
    assert "## The distribution layer (SPEC §6, one run per scenario)" in summary


def test_the_summary_in_chinese_says_the_same_numbers():
    """The report's summary sentences in Chinese (money in 万元, the collapse conditions and
    the levers by their Chinese names) carry the English sentences' numbers."""
    from sim.report import headline

    ok = pd.DataFrame(
        {
            "scenario": ["a", "a"],
            "net_investment_share_net_losers": [0.5, 0.7],
            "net_investment_clawback_pool": [10_000.0, 30_000.0],
            "net_investment_net_losses": [50_000.0, 70_000.0],
            "share_of_buyers_losing": [0.8, 0.9],
            "share_losing_counting_goods": [0.1, 0.3],
        }
    )
    english, chinese = headline.harm(ok)[0], headline.harm(ok, "zh")[0]
    assert english.startswith("a: 60.0% (95% interval 0.0% to 100.0%, 2 runs) of the members")
    assert "took 20,000 yuan (95% interval 0 to 147,062, 2 runs) more" in english
    assert chinese.startswith("a：按净投入法（从平台提取的现金减去投入的资金），参与会员中有 60.0%")
    assert "多 2.00 万元（95% 区间 0.00 元 至 14.71 万元，2 次运行）" in chinese
    assert "净亏损合计 6.00 万元（95% 区间" in chinese
    assert headline.losses(ok, "zh") == [
        "a：购买过的会员中有 85.0%（95% 区间 21.5% 至 100.0%，2 次运行） 从平台拿回的现金少于投入"
        "；算上按公允价值计的所得商品：20.0%。"
    ]
    table = pd.DataFrame(
        [
            {"scenario": "a", "runs": 4, "collapsed": 1, "p": 0.25, "low": 0.05, "high": 0.7,
             "median day": 120.0, "conditions": "operator_halt (1)"},
        ]
    )  # fmt: skip
    said = headline.collapse(table, [], "zh")
    assert "：运营方停摆：运营方停止了平台；提现未兑付：卖出款未付或提现排队；" in said[0]
    assert said[1] == (
        "a：4 次运行中有 1 次崩盘（25%；95% Wilson 区间 5% 至 70%），通常在第 120 天左右；"
        "最常见的原因是运营方停止了平台。"
    )


def test_the_report_in_chinese(small_report, tmp_path):
    """report --lang zh on the same batches: every heading in Chinese, the same verdicts and
    the same shares as the English report, the collapse and the levers by their Chinese
    names, the tables' columns by theirs; the figures drawn with no glyph missing, every
    Chinese character of the page in its embedded font, the page clean in headless Chromium."""
    import base64
    import warnings

    from sim.analysis.evidence import verdict_word
    from sim.report import fonts
    from tests.test_report_browser import open_in_chromium

    base = small_report["base"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        page, markdown = write_report(
            [base / "batch-a", base / "batch-b"], tmp_path / "small.zh.html", 1, lang="zh"
        )
    assert not [w for w in caught if "missing from font" in str(w.message)]
    english = small_report["markdown"].read_text(encoding="utf-8")
    chinese = markdown.read_text(encoding="utf-8")
    assert chinese.startswith("# 消费增值积分模式压力测试：batch-a, batch-b\n")
    headings = [line for line in chinese.splitlines() if line.startswith("## ")]
    assert headings[:6] == [
        "## 损害",
        "## 谁亏了钱",
        "## 运行内容",
        "## 崩盘频率及其含义",
        "## 所采用的种子文件解读",
        "## 推广方的说法",
    ]
    assert all(re.search("[\u4e00-\u9fff]", h) for h in headings)
    ours = dict(re.findall(r"^\| (\d) \| [^|]+ \| ([^|]+) \|", chinese, flags=re.M))
    theirs = dict(re.findall(r"^\| (\d) \| [^|]+ \| ([a-z ]+) \|", english, flags=re.M))
    assert len(ours) == 6 and ours == {n: verdict_word(v, "zh") for n, v in theirs.items()}
    harm_en = english.split("## Who lost money")[0]
    harm_zh = chinese.split("## 谁亏了钱")[0]
    shares = re.compile(r"\d+\.\d%")
    assert shares.findall(harm_zh) == shares.findall(harm_en)
    assert "diverted：2 次运行中有 2 次崩盘（100%；95% Wilson 区间 34% 至 100%）" in chinese
    assert "压力杠杆：运营方挪用盈利池" in chinese
    assert "plain：当所得积分 × 价格达到其消费额的 1.5 倍时强制出局" in chinese
    assert "| 情景 | 运行次数 | 崩盘 |" in chinese  # the collapse table's columns
    html = page.read_text(encoding="utf-8")
    assert '<html lang="zh-Hans">' in html and "<th>结论</th>" in html
    embedded = re.search(r"data:font/otf;base64,([A-Za-z0-9+/=]+)", html)
    held = fonts.covered(base64.b64decode(embedded[1]))
    assert set(re.findall("[\u3000-\u9fff\uff00-\uffef]", html)) <= held
    opened = open_in_chromium(page, tmp_path / "zh.png")
    assert opened["errors"] == [] and opened["blocked"] == []
    assert len(opened["images"]) >= 9 and "谁亏了钱" in opened["summary"]
