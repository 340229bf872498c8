"""``compare --lang zh``: the side-by-side table of batches in Chinese — metrics by their
names in the catalogue, money in 元/万元/亿元, a day no run reached said so, columns aligned
by display width — with the same CSV as in English and the Markdown as ``NAME.zh.md``."""

from __future__ import annotations

import pandas as pd

from sim.batch.compare import NUMERIC
from sim.batch.compare_text import METRIC_NAMES, REPLICATES, cells, metric_label
from sim.batch.runner import run_batch
from sim.i18n import money
from tests.conftest import SCENARIOS


def test_every_metric_compare_shows_has_a_chinese_name():
    assert {REPLICATES, "collapsed", *NUMERIC} <= set(METRIC_NAMES)
    assert metric_label("money_entered", "en") == "money_entered"  # English: the CSV's key
    assert metric_label("money_entered", "zh") == "流入平台的资金"
    assert metric_label("collapse_day", "zh") == "崩盘日"


def test_a_chinese_character_takes_two_terminal_cells():
    assert cells("崩盘日") == 6 and cells("b1:halt") == 7 and cells("（3 次）") == 8


def test_compare_in_chinese(tmp_path, cli):
    run_batch([SCENARIOS / "halt.yaml"], 3, tmp_path / "a", days=15)
    english = cli("compare", tmp_path / "a", "--out", tmp_path / "en", "--lang", "en")
    result = cli("compare", tmp_path / "a", "--out", tmp_path / "cmp", "--lang", "zh")
    assert english.code == 0 and result.code == 0, result.err
    assert (tmp_path / "cmp.zh.md").exists() and not (tmp_path / "cmp.md").exists()
    assert (tmp_path / "cmp.csv").read_bytes() == (tmp_path / "en.csv").read_bytes()
    assert (tmp_path / "cmp.zh.md").read_text(encoding="utf-8").startswith("各重复运行的均值")
    tidy = pd.read_csv(tmp_path / "cmp.csv").set_index("metric")
    table = result.out.split("\n\n")[0].splitlines()
    rows = {line.split()[0]: line for line in table}
    assert table[0].split() == ["指标", "a:halt"]
    assert rows["重复运行次数"].split()[-1] == "3"
    paid_in = money(tidy.loc["money_entered", "mean"], "zh")  # 万元 with two decimals
    assert rows["流入平台的资金"].split(paid_in)[0].strip() == "流入平台的资金"
    assert tidy.loc["operator_halt_day", "n"] == 0  # the halt is on day 300, the runs 15 days
    assert rows["运营方停摆之日"].endswith("均未发生")
    assert len({cells(line) for line in table}) == 1  # right-aligned by display width
    assert "已保存" in result.out and "metric" not in result.out
