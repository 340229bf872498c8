"""The side-by-side set (issue 18, item 4): scenarios/comparison/compare-schemes-*.yaml run
one inflow under 消费增值, 云联惠, 万家购物 and a classic Ponzi of matching promise."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sim.batch.compare import mean_interval, wilson
from sim.batch.store import read_table
from sim.core.ponzi import required_growth as ponzi_growth
from sim.core.release import required_growth as release_growth
from sim.core.units import yuan_to_fen
from sim.model.release_run import release_terms
from sim.scenario.root import load_scenario
from tests.conftest import SCENARIOS
from tests.test_report_browser import check_clean_and_legible, open_in_chromium

SET = ["points", "yunlianhui", "wanjia", "ponzi"]
FILES = [SCENARIOS / "comparison" / f"compare-schemes-{name}.yaml" for name in SET]


def test_the_set_shares_one_inflow_and_order():
    scenarios = [load_scenario(path) for path in FILES]
    assert [s.scheme.kind for s in scenarios] == [
        "consumption_appreciation",
        "daily_release",
        "daily_release",
        "classic_ponzi",
    ]
    assert all(s.inflow == scenarios[0].inflow for s in scenarios)
    assert all(s.order.amount == 1000 and s.run == scenarios[0].run for s in scenarios)
    assert "referrer" not in scenarios[0].population.mix  # recruits would add members


def test_the_growth_each_needs_against_the_inflows():
    """The inflow grows 0.5% a day: about what 云联惠 needs, a fraction of what 万家购物
    needs, and more than the Ponzi's promise of 29.2% a year (0.08% a day) needs."""
    points, yunlianhui, wanjia, ponzi = (load_scenario(path) for path in FILES)
    amount = yuan_to_fen(points.order.amount)
    growth = float(points.inflow.growth)
    assert release_growth(release_terms(yunlianhui.scheme), amount) == pytest.approx(
        math.log(1.005), abs=2e-5
    )
    assert release_growth(release_terms(wanjia.scheme), amount) > 2 * growth
    scheme = ponzi.scheme
    a_day = ponzi_growth(float(scheme.promised_rate), float(scheme.nominal_rate)) / 365
    assert a_day == pytest.approx(0.0008) and a_day < growth


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Two replicates of the set over its first 250 days (of growth)."""
    from sim.batch.runner import run_batch

    out = tmp_path_factory.mktemp("compare-schemes") / "batch"
    run_batch(FILES, 2, out, workers=1, days=250)
    return out


def test_a_batch_of_the_set_over_its_first_250_days(batch):
    """Two replicates of each over 250 days of growth: the release schemes and the Ponzi
    draw the same members each day (one seed, one inflow) until one stops taking them;
    万家购物, which needs more growth than the inflow has, is insolvent; 云联惠 and the Ponzi
    still pay; 消费增值 never leaves a withdrawal unpaid."""
    out = batch
    runs = read_table(out, "runs").set_index(["scenario", "replicate"])
    assert (runs.status == "ok").all()
    assert runs.unpaid_withdrawals_day.loc["compare-schemes-points"].isna().all()
    assert runs.unpaid_withdrawals_day.loc["compare-schemes-wanjia"].notna().all()
    for name in ("compare-schemes-yunlianhui", "compare-schemes-ponzi"):
        assert runs.unpaid_withdrawals_day.loc[name].isna().all()
    series = read_table(out, "timeseries")
    joined = series.pivot_table("new_members", ["replicate", "day"], "scenario")
    assert (joined["compare-schemes-yunlianhui"] == joined["compare-schemes-ponzi"]).all()
    first = runs.loc[("compare-schemes-wanjia", 0), "unpaid_withdrawals_day"]
    wanjia = joined.loc[0, "compare-schemes-wanjia"]
    assert (wanjia[: int(first)] == joined.loc[0, "compare-schemes-ponzi"][: int(first)]).all()
    assert pd.Series(runs.money_entered).gt(0).all()


def test_the_side_by_side_report(batch, cli, tmp_path):
    """report on a batch holding comparison schemes makes the side-by-side page: its
    Markdown states each scheme's figures with their intervals and run counts, the same
    numbers as the runs table, the growth each needs, and the flags raised; the page opens
    in headless Chromium with no console error and legible figures."""
    page = tmp_path / "compare.html"
    result = cli("report", batch, "--out", page)
    assert result.code == 0, result.err
    text = page.with_suffix(".md").read_text(encoding="utf-8")
    runs = read_table(batch, "runs").set_index("scenario")
    wanjia = runs.loc["compare-schemes-wanjia"]
    row = next(line for line in text.splitlines() if line.startswith("| compare-schemes-wanjia"))
    _, mean, low, high = mean_interval(wanjia.money_entered)
    assert f"{mean:,.0f} [{low:,.0f}, {high:,.0f}] (2 runs)" in row
    p, low, high = wilson(2, 2)
    assert f"2 of 2 ({p:.0%}, Wilson 95% {low:.0%}–{high:.0%})" in row and "1.240% a day" in row
    points = next(line for line in text.splitlines() if line.startswith("| compare-schemes-points"))
    assert "0 of 2" in points and "none promised" in points and "none to stay solvent" in points
    assert "29.2% a year (0.080% a day)" in text and "0.499% a day" in text
    assert "cannot become insolvent by its own rules" in text
    *_, flags = (line for line in text.splitlines() if line.startswith("| compare-schemes-yunl"))
    # the flags table: 云联惠 keeps a referral tree (its scenario sets network), so its
    # pyramid flags are measured; 万家购物 pays no promoters and keeps none
    assert flags.count("2 of 2") == 5 and "not measured" not in flags
    *_, flags = (line for line in text.splitlines() if line.startswith("| compare-schemes-wanj"))
    assert flags.count("not measured") == 2
    opened = open_in_chromium(page, tmp_path / "compare.png")
    check_clean_and_legible(opened)
    assert len(opened["images"]) == 5


def test_the_side_by_side_report_in_chinese(batch, cli, tmp_path):
    """report --lang zh: the same figures in Chinese, money in 万元, the figures drawn in
    Noto Sans CJK SC (no glyph missing), the page clean in headless Chromium."""
    import warnings

    page = tmp_path / "compare.zh.html"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = cli("report", batch, "--out", page, "--lang", "zh")
    assert result.code == 0, result.err
    assert not [w for w in caught if "missing from font" in str(w.message)]
    text = page.with_suffix(".md").read_text(encoding="utf-8")
    assert text.startswith("# 消费增值与已被法院判决的模式并列比较：")
    assert "## 为何失败方式不同" in text and "会员投入资金（万元）" in text
    runs = read_table(batch, "runs").set_index("scenario")
    _, mean, low, high = mean_interval(runs.loc["compare-schemes-wanjia"].money_entered)
    row = next(line for line in text.splitlines() if line.startswith("| compare-schemes-wanjia"))
    assert f"{mean / 1e4:,.2f} [{low / 1e4:,.2f}, {high / 1e4:,.2f}]（2 次运行）" in row
    assert "每天 1.240%" in row and "2 次中 2 次（100%" in row
    assert "每年 29.2%（每天 0.080%）" in text
    html = page.read_text(encoding="utf-8")
    assert '<html lang="zh-Hans">' in html and "本文件不从网络加载任何内容" in html
    opened = open_in_chromium(page, tmp_path / "zh.png")
    assert opened["errors"] == [] and opened["blocked"] == []
    assert len(opened["images"]) == 5 and "崩盘频率" in opened["summary"]
