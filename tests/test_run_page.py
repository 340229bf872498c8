"""``run --plot``: the run's main series on a self-contained page beside its tables, the same
bytes for the same run, opened in headless Chromium with nothing loaded from anywhere."""

from __future__ import annotations

import re

from tests.conftest import SCENARIOS
from tests.test_report_browser import open_in_chromium


def test_run_plot_writes_a_self_contained_page(cli, tmp_path):
    scenario = SCENARIOS / "withdrawal-cap-queue.yaml"
    out = tmp_path / "run"
    result = cli("run", scenario, "--days", "90", "--out", out, "--plot", "--quiet")
    assert result.code == 0, result.err
    page = (out / "run.html").read_text(encoding="utf-8")
    assert "withdrawal-cap-queue, seed 1, 90 days" in page
    assert len(re.findall(r'<img alt="[^"]+" src="data:image/png;base64,', page)) == 5
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing from anywhere
    again = tmp_path / "again"
    assert cli("run", scenario, "--days", "90", "--out", again, "--plot", "--quiet").code == 0
    assert (again / "run.html").read_bytes() == (out / "run.html").read_bytes()
    assert cli("run", scenario, "--days", "5", "--out", tmp_path / "plain", "--quiet").code == 0
    assert not (tmp_path / "plain" / "run.html").exists()  # only with --plot

    opened = open_in_chromium(out / "run.html", tmp_path / "run.png")
    assert opened["errors"] == [] and opened["blocked"] == []
    assert "price at the end" in opened["summary"]
    assert len(opened["images"]) == 5
    for image in opened["images"]:
        assert image["complete"] and image["colours"] >= 4 and image["inked"] > 0.01, image


def test_a_comparison_schemes_page_marks_its_insolvency(cli, tmp_path):
    """A daily-release run's page: the fund against what it owes, money in and out, members,
    the day it could not pay marked; self-contained, the same bytes twice, no console error."""
    path = tmp_path / "release.yaml"
    path.write_text(
        "name: release\nscheme: {kind: daily_release, preset: wanjia}\n"
        "order: {amount: 1000, split: {pool: 1}}\n"
        "inflow: {kind: constant, initial_members: 50, rate: 2, noise: none}\n"
        "run: {days: 200, seed: 1}\n",
        encoding="utf-8",
    )
    out, again = tmp_path / "run", tmp_path / "again"
    for folder in (out, again):
        assert cli("run", path, "--out", folder, "--plot", "--quiet").code == 0
    page = (out / "run.html").read_text(encoding="utf-8")
    assert (again / "run.html").read_bytes() == page.encode("utf-8")
    assert len(re.findall(r'<img alt="[^"]+" src="data:image/png;base64,', page)) == 3
    assert not re.search(r'(src|href)="(https?:)?//', page)
    opened = open_in_chromium(out / "run.html", tmp_path / "run.png")
    assert opened["errors"] == [] and opened["blocked"] == []
    assert opened["summary"].startswith("daily release: insolvent on day ")
    for image in opened["images"]:
        assert image["complete"] and image["colours"] >= 4 and image["inked"] > 0.01, image


def test_run_plot_in_chinese_carries_its_glyphs(cli, tmp_path):
    """``run --plot --lang zh``: titles, headline, legends and the flags' names and statutes
    in Chinese; the page embeds a font whose character map covers every Chinese character on
    it and names it first; the same bytes twice; opened in Chromium with no console error."""
    import base64

    from sim.report.fonts import EMBEDDED, covered

    scenario = SCENARIOS / "seed-004-chain-motion.yaml"
    out, again = tmp_path / "run", tmp_path / "again"
    for folder in (out, again):
        argv = ("run", scenario, "--days", "40", "--out", folder, "--plot", "--quiet")
        assert cli(*argv, "--lang", "zh").code == 0
    page = (out / "run.html").read_text(encoding="utf-8")
    assert (again / "run.html").read_bytes() == page.encode("utf-8")
    assert '<html lang="zh">' in page and "seed-004-chain-motion，种子 1，40 天" in page
    assert "积分价格（元/积分）、盈利池（元）与积分总量" in page  # a panel's title (its alt text)
    assert "已触发的法律红旗" in page and "《禁止传销条例》第七条" in page
    assert "Regulations on Prohibition" not in page  # the statute in its own words only
    assert "同时达到立案追诉标准" in page  # the flags measured again, explained in Chinese
    found = re.search(r"data:font/otf;base64,([A-Za-z0-9+/=]+)", page)
    assert found and f'body{{font-family:"{EMBEDDED}"' in page
    chinese = {c for c in page if 0x2E80 <= ord(c) <= 0x9FFF or 0xFF00 <= ord(c) <= 0xFFEF}
    assert chinese - covered(base64.b64decode(found[1])) == set()
    opened = open_in_chromium(out / "run.html", tmp_path / "run.png")
    assert opened["errors"] == [] and opened["blocked"] == []
    assert opened["summary"].startswith("期末积分价格 ")
    assert len(opened["images"]) == 5
    for image in opened["images"]:
        assert image["complete"] and image["colours"] >= 4 and image["inked"] > 0.01, image
