"""The worked example of the README (``examples/platform-export.csv``, written by
``scripts/make_platform_export.py``): replayed under its published rule, every figure the
walk-through quotes."""

from __future__ import annotations

import csv
import io
import json
import runpy

import pyarrow.parquet as pq
import pytest

from tests.conftest import EXAMPLES, ROOT, SCENARIOS

EXPORT = EXAMPLES / "platform-export.csv"
RULES = SCENARIOS / "seed-generic-3x-assumed-referral.yaml"


@pytest.fixture(scope="module")
def replayed(tmp_path_factory):
    from sim.cli import main

    out = tmp_path_factory.mktemp("example") / "out"
    assert (
        main(["replay", str(EXPORT), "--scenario", str(RULES), "--out", str(out), "--quiet"]) == 0
    )
    tables = {
        name: pq.read_table(out / f"{name}.parquet").to_pandas()
        for name in ("trace", "members", "ledger", "clawback", "teams", "flags", "bonus_check")
    }
    tables["summary"] = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    tables["folder"] = out
    return tables


def test_the_script_writes_the_shipped_export():
    script = runpy.run_path(str(ROOT / "scripts" / "make_platform_export.py"))
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(script["HEADER"])
    writer.writerows(script["rows"]())
    assert text.getvalue() == EXPORT.read_text(encoding="utf-8")


def test_the_export_is_what_the_readme_says(replayed):
    members, teams = replayed["members"], replayed["teams"]
    assert len(members) == 300
    assert teams.levels_all_links.max() >= 5  # a tree at least 5 levels deep
    assert (replayed["trace"].action == "fee").sum() == 1


def test_the_walk_through_figures(replayed):
    found = replayed["summary"]
    assert found["outcomes"]["net_winners"] == 2
    assert found["outcomes"]["clawback_pool"] == 2497.0
    assert list(replayed["clawback"].member) == ["u009", "u057"]
    assert found["insolvency"]["day"] == 55
    assert found["insolvency"]["asked_for_and_unpaid_then"] == 698.0
    rules = found["rules_against_records"]
    assert (rules["paid_beyond_the_rule"], rules["members_paid_beyond_the_rule"]) == (4500.0, 2)
    check = replayed["bonus_check"]
    over = check[check.difference > 0]
    assert set(zip(over.member, over.kind, strict=True)) == {
        ("u009", "differential"),
        ("u057", "differential"),
    }
    largest = replayed["teams"].sort_values("participants_below").iloc[-1]
    assert (largest.member, largest.participants_below, largest.levels_all_links) == (
        "u009",
        134,
        14,
    )
    flags = replayed["flags"].set_index(["key", "reading"])
    assert flags.loc[("pyramid_levels", "platform"), "first_day"] == 5
    assert flags.loc[("pyramid_levels", "leader"), "first_day"] == 14
    ledger = replayed["ledger"].set_index("account").balance
    assert ledger.sum() == pytest.approx(526_000.0, abs=1e-6)  # orders and the region fee
    assert ledger["region_fees"] == 50_000.0


def test_the_report_of_the_replay(replayed, tmp_path):
    from sim.cli import main

    page = tmp_path / "export.html"
    assert main(["report", str(replayed["folder"]), "--out", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "http://" not in html and "https://" not in html
    assert html.count("data:image/png;base64,") == 2  # the timeline and the outcomes
    assert "Insolvent on day 55" in html
    assert "pyramid_levels (platform) raised from day 5." in html
    assert "Legal red flags, with the first day each was raised" in html
    assert "The vendor&#39;s claims, tested" not in html  # a replay has no claims to test
    assert "Every number comes from the replayed records" in html
    assert "Replay of a platform&#39;s records: platform-export.csv" in html
    markdown = page.with_suffix(".md").read_text(encoding="utf-8")
    assert "298 of 300 members are net losers" in markdown
    assert "| 1 | u009 | – | 1,000 | 3,084 | 2,084 |" in markdown  # the clawback table
    assert "paid 2 members 4,500.00 yuan more than the platform's own published rules" in markdown


def test_a_replay_is_reported_on_its_own(replayed, tmp_path, capsys):
    from sim.cli import main

    other = tmp_path / "batch"
    other.mkdir()
    code = main(["report", str(replayed["folder"]), str(other), "--out", str(tmp_path / "r.html")])
    assert code == 2
    assert "report a replay folder on its own" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


def test_an_incomplete_replay_folder_is_refused(replayed, tmp_path, capsys):
    import shutil

    from sim.cli import main

    copy = tmp_path / "copy"
    shutil.copytree(replayed["folder"], copy)
    (copy / "flags.parquet").unlink()
    assert main(["report", str(copy), "--out", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "flags.parquet is missing" in err


def test_the_summary_names_the_log_and_the_scenario(replayed):
    found = replayed["summary"]
    assert (found["log"], found["scenario"]) == (
        "platform-export.csv",
        "seed-generic-3x-assumed-referral",
    )


def test_the_report_of_the_replay_in_chinese(replayed, tmp_path):
    """report --lang zh on the worked example: the same figures in Chinese (money in 万元,
    the flags by the statutes' words and explained in Chinese, the ledger's accounts and the
    tables' headers by their names), the figures drawn in Noto Sans CJK SC with no glyph
    missing, every Chinese character of the page in its embedded font, and the page clean
    in headless Chromium."""
    import base64
    import re
    import warnings

    from sim.cli import main
    from sim.report import fonts
    from tests.test_report_browser import open_in_chromium

    found = replayed["summary"]
    page = tmp_path / "export.zh.html"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["report", str(replayed["folder"]), "--out", str(page), "--lang", "zh"]) == 0
    assert not [w for w in caught if "missing from font" in str(w.message)]
    text = page.with_suffix(".md").read_text(encoding="utf-8")
    assert text.startswith("# 平台记录回放：platform-export.csv\n")
    losses = f"{found['outcomes']['net_losses'] / 1e4:,.2f} 万元"
    assert losses == "50.12 万元"
    assert f"300 名会员中有 298 名净亏损：他们的投入比提现多 {losses}。" in text
    assert "2 名净获利者的提现比投入多 2,497.00 元：即可追回金额。" in text
    assert "第 55 天无力兑付：一笔提现申请已等待 1 天未付（待付 698.00 元）。" in text
    assert "组织、领导传销：三十人以上且三级以上（平台为组织者）：自第 5 天起触发。" in text
    assert "组织、领导传销：三十人以上且三级以上（团队领导为组织者）：自第 14 天起触发。" in text
    assert "记录显示，平台向 2 名会员多付了 4,500.00 元，超出其自身公布的规则。" in text
    assert "| 1 | u009 | – | 1,000 | 3,084 | 2,084 |" in text  # the clawback table
    assert "| 区域代理费 | 运营方收入 | 50,000 | 50,000 | 0 |" in text  # the region fee
    assert "| u009 | 级差奖 | 3,000 | 0 | 3,000 |" in text  # paid beyond the rule
    leader = next(line for line in text.splitlines() if "| 团队领导为组织者 | 是 | 14 |" in line)
    assert "《禁止传销条例》第七条" in leader
    assert "由会员 u009 领导，参与人数 135，层级 14 级" in leader
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert len(headings) == 10 and all(re.search("[\u4e00-\u9fff]", h) for h in headings)
    html = page.read_text(encoding="utf-8")
    assert '<html lang="zh-Hans">' in html and html.count("data:image/png;base64,") == 2
    embedded = re.search(r"data:font/otf;base64,([A-Za-z0-9+/=]+)", html)
    held = fonts.covered(base64.b64decode(embedded[1]))
    assert set(re.findall("[\u3000-\u9fff\uff00-\uffef]", html)) <= held
    opened = open_in_chromium(page, tmp_path / "zh.png")
    assert opened["errors"] == [] and opened["blocked"] == []
    assert len(opened["images"]) == 2 and "谁付出了代价" in opened["summary"]


def test_a_replay_folder_without_the_chinese_explanations_is_refused_in_chinese(
    replayed, tmp_path, capsys
):
    """A folder an older version wrote (flags.parquet without explanation_zh) still makes
    the English report; in Chinese it is one line saying to replay again, nothing written."""
    import shutil

    import pyarrow.parquet as pq

    from sim.cli import main

    old = tmp_path / "old"
    shutil.copytree(replayed["folder"], old)
    flags = pq.read_table(old / "flags.parquet")
    pq.write_table(flags.drop_columns(["explanation_zh"]), old / "flags.parquet")
    assert main(["report", str(old), "--out", str(tmp_path / "en.html")]) == 0
    capsys.readouterr()
    assert main(["report", str(old), "--out", str(tmp_path / "zh.html"), "--lang", "zh"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "replay the log again" in err
    assert not (tmp_path / "zh.html").exists() and not (tmp_path / "zh.md").exists()
