"""The dashboard: what its controls set (pure), and the page served by ``python -m sim
dashboard`` driven in headless Chromium — it loads with no console error and no request
leaving the machine, moving the exit-multiple slider runs the model again and changes the
plotted price, and what is on screen is drawn (the screenshot is not blank)."""

from __future__ import annotations

import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.dashboard.controls import (
    CONTROLS,
    controls_for,
    controls_of,
    scenario_with,
    shipped_names,
)
from sim.dashboard.server import running
from sim.scenario.points import scenario_from
from tests.conftest import SCENARIOS
from tests.test_bad_input import assert_refused
from tests.test_report_browser import ARGS, CHROMIUM, INSPECT_IMAGES, browser_or_reason

LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")


def test_an_untouched_dashboard_runs_the_scenario_as_written():
    for name in ("national-100k", "seed-generic-nocap", "withdrawal-cap-queue"):
        scenario = scenario_from(name)
        assert scenario_with(scenario, controls_for(scenario)) == scenario
    assert "national-100k" in shipped_names() and "largest-case-9m" not in shipped_names()


def test_the_controls_set_their_paths():
    scenario = scenario_from("national-100k")
    values = controls_for(scenario)
    assert values["points.exit_multiple"] == 3.0
    assert values["mix.referrer"] == 0.1 and values["stress.withdrawal_cap"] == 0
    moved = {
        **values,
        "points.exit_multiple": 2.0,
        "mix.referrer": 0.25,
        "mix.panic_seller": 0.05,
        "stress.withdrawal_cap": 50_000,
        "stress.halt_day": 0,
    }
    changed = scenario_with(scenario, moved)
    assert changed.points.exit_multiple == 2
    assert dict(changed.population.mix) == {"consumer": 0.7, "referrer": 0.25, "panic_seller": 0.05}
    assert changed.stress.withdrawal_cap == 50_000 and changed.stress.halt_day is None
    assert changed.inflow == scenario.inflow
    # a scenario without an exit cap offers no exit-multiple slider
    assert "points.exit_multiple" not in controls_for(scenario_from("seed-generic-nocap"))
    assert {c.group for c in CONTROLS} == {"rules", "inflow", "population", "stress"}
    groups = {c.group for c in controls_of(values)}
    assert groups == {"rules", "split", "distribution", "inflow", "population", "stress"}


def test_the_split_and_the_distribution_rules():
    """The split's first line not moved takes up the difference; a split that cannot sum to
    1 is one error; the rules can be dropped, or a preset whose lines the split has."""
    from decimal import Decimal

    from sim.errors import InputError

    scenario = scenario_from("seed-generic-3x")
    values = controls_for(scenario)
    assert values["order.split.pool"] == 0.3 and values["distribution.preset"] == "as written"
    moved = scenario_with(scenario, {**values, "order.split.pool": 0.4})
    assert dict(moved.order.split) == {
        "product_cost": Decimal("0.2"),
        "distribution": Decimal("0.3"),
        "platform": Decimal("0.1"),
        "pool": Decimal("0.4"),
    }
    with pytest.raises(InputError, match="'product_cost' take 130% of an order"):
        scenario_with(scenario, {**values, "order.split.pool": 0.9})
    local = scenario_from("seed-local-services-distribution")
    values = controls_for(local)
    assert scenario_with(local, {**values, "distribution.preset": "none"}).distribution is None
    with pytest.raises(InputError, match=r"'chain_motion' is not a line of order\.split"):
        scenario_with(local, {**values, "distribution.preset": "two_level_only"})


def test_a_bad_scenario_is_refused_before_the_server_starts(cli):
    result = cli("dashboard", "no-such-scenario", "--port", "8799")
    assert_refused(result, "no scenario file 'no-such-scenario'")


def test_a_port_in_use_is_one_line(cli):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("dashboard", "seed-generic-3x", "--port", str(port))
    assert_refused(result, f"--port: cannot serve on 127.0.0.1:{port}", "choose another port")


@pytest.fixture(scope="module")
def dashboard_url():
    reason = browser_or_reason()
    if reason:
        import os

        if os.environ.get("CI"):
            pytest.fail(reason + "; .ci/run installs chromium before the tests")
        pytest.skip(reason)
    with running("seed-generic-3x") as url:
        yield url
    time.sleep(1)
    with pytest.raises(OSError):  # stopping the command stopped the server: nothing left over
        urllib.request.urlopen(url, timeout=2)


def _headline(page) -> str:
    return page.locator(".run-headline").inner_text(timeout=120_000)


def test_the_page_in_a_browser(dashboard_url, tmp_path):
    from playwright.sync_api import sync_playwright

    errors, outside = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on(
            "request",
            lambda r: None if r.url.startswith(LOCAL) else outside.append(r.url),
        )
        page.goto(dashboard_url)
        before = _headline(page)
        assert "price at the end" in before and "forced exits" in before
        flags = page.locator(".run-flags").inner_text(timeout=60_000)  # it showed nothing once
        assert "pyramid_levels" in flags and "illegal_fundraising" in flags
        price_plot = page.locator("img").first
        plotted = price_plot.get_attribute("src")

        slider = page.locator(".v-input", has_text="forced exit at").get_by_role("slider")
        slider.focus()
        page.keyboard.press("ArrowLeft")  # 3.0x -> 2.5x: more members are forced out
        page.wait_for_function(
            "(old) => { const e = document.querySelector('.run-headline');"
            " return e && e.innerText !== old; }",
            arg=before,
            timeout=120_000,
        )
        after = _headline(page)
        assert page.locator(".v-input", has_text="forced exit at (x spend): 2.5").count() == 1
        assert after != before
        page.wait_for_function(
            "(old) => document.images.length && document.images[0].src !== old",
            arg=plotted,
            timeout=60_000,
        )
        images = page.evaluate(INSPECT_IMAGES)
        shot = tmp_path / "dashboard.png"
        page.screenshot(path=str(shot))

        page.get_by_role("button", name="Live").click()
        page.get_by_role("button", name="Watch it step").click()
        page.wait_for_function(
            "() => { const e = document.querySelector('.live-headline');"
            " return e && e.innerText.endsWith('(done)'); }",
            timeout=120_000,
        )
        live = page.locator(".live-headline").inner_text()

        page.get_by_role("button", name="Ensemble").click()
        replicates = page.locator(".v-input", has_text="replicates:").get_by_role("slider")
        replicates.focus()
        page.keyboard.press("Home")  # 2 replicates
        page.keyboard.press("ArrowRight")  # 3
        page.get_by_role("button", name="Run the ensemble").click()
        headline = page.locator(".ensemble-headline").inner_text(timeout=180_000)
        figures = page.locator(".ensemble-figure").all_inner_texts()
        bands = page.evaluate(INSPECT_IMAGES)

        page.get_by_role("button", name="A/B").click()
        pair = page.locator(".ab-headline").inner_text(timeout=120_000)

        page.get_by_role("button", name="Claims").click()
        page.get_by_role("button", name="Test the six claims on this run").click()
        page.locator(".claims-headline").wait_for(timeout=120_000)
        verdicts = page.locator(".claim-verdict").all_inner_texts()
        browser.close()
    assert errors == [], errors
    assert outside == [], outside
    assert len(images) >= 5
    for image in images:
        assert image["complete"] and image["colours"] >= 4 and image["inked"] > 0.01, image
    assert shot.stat().st_size > 20_000  # a blank page compresses to a few kilobytes
    assert headline.startswith("3 replicates of seed-generic-3x over 365 days"), headline
    assert figures[0].startswith("runs that collapsed: 0.0% (95% Wilson interval 0.0% to")
    assert any("net losses" in line and "3 runs" in line for line in figures), figures
    assert any(image["inked"] > 0.05 for image in bands)  # the bands are drawn
    assert pair == "same seed (1) and days (365) on both sides"
    assert live == "seed-generic-3x: day 365 of 365 (done)"
    assert [v.split(".")[0] for v in verdicts] == ["1", "2", "3", "4", "5", "6"]
    assert "HELD" in verdicts[0] or "FAILED" in verdicts[0]  # claim 1 is testable on any run
    assert "NOT TESTABLE" in verdicts[4]  # no rule turns points into shares
    assert Path(shot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_ensemble_is_the_batchs(cli, tmp_path):
    """Replicate i of the dashboard's ensemble is replicate i of ``sim batch``: the same
    per-run figures; the bands are the replicates' quantiles day by day."""
    import duckdb

    from sim.dashboard.ensemble import run_ensemble

    spec = yaml.safe_load((SCENARIOS / "seed-generic-3x.yaml").read_text())
    spec["run"]["days"] = 25
    path = tmp_path / "short.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    out = tmp_path / "batch"
    assert cli("batch", path, "--replicates", "3", "--out", out, "--quiet").code == 0
    runs = duckdb.sql(
        f"select replicate, collapsed, share_of_buyers_losing, net_investment_net_losses "
        f"from read_parquet('{out}/runs/*/*.parquet') order by replicate"
    ).df()
    ensemble = run_ensemble(scenario_from(str(path)), spec["run"]["seed"], 25, 3, workers=1)
    mine = ensemble.runs[runs.columns]
    pd.testing.assert_frame_equal(mine, runs, check_dtype=False)
    day = ensemble.days[ensemble.days["day"] == 24]["price"]
    bands = ensemble.quantiles("price").set_index("day").loc[24]
    assert bands["q50"] == day.median() and bands["q05"] >= day.min() and bands["q95"] <= day.max()
    rows = {row["figure"]: row for row in ensemble.figures()}
    assert rows["runs that collapsed"]["runs"] == 3 and rows["runs that collapsed"]["value"] == 0
    losses = rows["net losses (yuan)"]
    assert (
        losses["low"] < losses["value"] == runs["net_investment_net_losses"].mean() < losses["high"]
    )


def test_a_b_draws_two_runs_on_the_same_axes():
    from sim.dashboard.views import series_pair

    a = pd.DataFrame({"day": [0, 1, 2], "price": [1.0, 1.5, 2.0]})
    b = pd.DataFrame({"day": [0, 1, 2], "price": [1.0, 1.2, 1.3]})
    figure = series_pair(a, b, ("A: one", "B: other"), "price")
    (axis,) = figure.axes
    assert [line.get_label() for line in axis.lines] == ["A: one", "B: other"]
    assert list(axis.lines[1].get_ydata()) == [1.0, 1.2, 1.3]


def test_the_claims_of_one_run_are_the_reports_tests():
    """The legacy-debts scenario's run, judged as a batch of one: the price falls when old
    members' points are released (claim 1 fails, naming the lever), and their claims are paid
    out of new members' orders (claim 6 holds); the panic and financing claims cannot be
    tested on it, and nothing turns points into shares."""
    from sim.batch.run import simulate
    from sim.dashboard.claims import claims_of_run

    verdicts = claims_of_run(simulate(scenario_from("legacy-debts"), days=120))
    assert [v.number for v in verdicts] == [1, 2, 3, 4, 5, 6]
    assert verdicts[0].verdict == "failed" and "legacy points" in verdicts[0].headline
    assert [v.verdict for v in verdicts[2:5]] == ["not testable"] * 3
    assert verdicts[5].verdict == "held" and "new members' orders" in verdicts[5].headline


def test_the_claims_of_one_run_in_chinese():
    """The same run judged in Chinese: the same verdicts, the claims in Chinese, the evidence
    and headlines in Chinese with the same numbers (the lever by its Chinese name)."""
    import re

    from sim.analysis.evidence import verdict_word
    from sim.batch.run import simulate
    from sim.dashboard.claims import claims_of_run

    result = simulate(scenario_from("legacy-debts"), days=120)
    english, chinese = claims_of_run(result), claims_of_run(result, "zh")
    assert [v.verdict for v in chinese] == [v.verdict for v in english]
    assert chinese[0].verdict == "failed" and chinese[5].verdict == "held"
    assert chinese[0].claim == "每一笔订单、每一次卖出都会推高价格；价格永远不会下跌。"
    assert "压力杠杆：历史积分" in chinese[0].headline
    assert chinese[4].evidence.startswith("未建模，因为无可建模")
    numbers = re.compile(r"[0-9][0-9,.]*%?")
    for en, zh in zip(english, chinese, strict=True):
        assert re.search("[\u4e00-\u9fff]", zh.claim + zh.evidence + zh.headline)
        assert sorted(numbers.findall(zh.headline)) == sorted(numbers.findall(en.headline))
    assert "老会员" in chinese[5].headline and "来自新会员的订单" in chinese[5].headline
    words = [verdict_word(v, "zh") for v in ("held", "failed", "mixed", "not testable")]
    assert words == ["成立", "不成立", "部分成立", "无法检验"]


def test_the_page_in_chinese(tmp_path):
    """``dashboard --lang zh``: the page's title, controls, views, headline, figures and red
    flags in Chinese, nothing fetched from outside, no console error (issue 19, item 1)."""
    import os

    reason = browser_or_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason + "; .ci/run installs chromium before the tests")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    errors, outside = [], []
    with running("seed-generic-3x", lang="zh") as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("request", lambda r: None if r.url.startswith(LOCAL) else outside.append(r.url))
        page.goto(url)
        headline = _headline(page)
        page.locator(".run-flags").wait_for(timeout=60_000)
        title = page.title()
        texts = page.locator("body").inner_text()
        images = page.evaluate(INSPECT_IMAGES)
        page.screenshot(path=str(tmp_path / "dashboard.zh.png"))
        browser.close()
    assert errors == [] and outside == [], (errors, outside)
    assert title == "消费增值积分模式：仪表盘"
    assert headline.startswith("期末积分价格 ") and "万元" in headline
    for words in (
        "强制出局倍数（消费额的倍数）",
        "单次运行",
        "多次重复",
        "本次运行的法律红旗",
        "随机种子",
    ):
        assert words in texts, words
    assert "立案追诉标准" in texts  # the flags measured again, explained in Chinese
    assert "组织、领导传销：三十人以上且三级以上" in texts  # a flag by its statute's words
    assert len(images) >= 5
    for image in images:
        assert image["complete"] and image["colours"] >= 4 and image["inked"] > 0.01, image
