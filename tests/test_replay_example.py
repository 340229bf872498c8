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
