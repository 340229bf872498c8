"""Two languages (issue 19): the message catalogue is complete and compiled, money is written
as each reader expects it, and run prints its summary in Chinese on --lang zh."""

from __future__ import annotations

import gettext
import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from sim.i18n import LOCALE, default_lang, money
from tests.conftest import SCENARIOS

PO = LOCALE / "zh" / "LC_MESSAGES" / "sim.po"
MO = PO.with_suffix(".mo")
FIELD = re.compile(r"\{(\w*)[^{}]*\}")


def _catalogue():
    with PO.open("rb") as handle:
        return read_po(handle)


def _in_code() -> set[str]:
    """Every message in the code: ``_("...")`` and ``N_("...")`` (constants)."""
    found = extract_from_dir(
        str(LOCALE.parent),
        method_map=[("**.py", "python")],
        keywords={"_": None, "N_": None},
    )
    return {message for _, _, message, _, _ in found}


def test_every_message_in_the_code_has_its_chinese():
    catalogue = _catalogue()
    held = {m.id: m for m in catalogue if m.id}
    missing = sorted(_in_code() - held.keys())
    assert missing == [], f"add to {PO} (then pybabel compile -d sim/locale -D sim): {missing}"
    stale = sorted(held.keys() - _in_code())
    assert stale == [], f"no longer in the code, remove from {PO}: {stale}"
    for message in held.values():
        assert message.string.strip() and not message.fuzzy, message.id
        assert "python-format" not in message.flags, message.id  # "95%" is text (compile)
        assert sorted(FIELD.findall(message.id)) == sorted(FIELD.findall(message.string)), (
            message.id
        )


def test_the_compiled_catalogue_is_the_po():
    """sim.mo (what Python's gettext reads) holds exactly the .po's translations."""
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    held = [m for m in _catalogue() if m.id]
    for message in held:
        assert compiled.gettext(message.id) == message.string
    assert len(compiled._catalog) == len(held) + 1  # and the header


def test_money_as_each_reader_expects_it():
    assert money(1_234_567.891, "en") == "1,234,567.89"
    assert money(87_940_000, "zh") == "8,794.00 万元"
    assert money(155_313_790, "zh") == "1.55 亿元"
    assert money(9_999.5, "zh") == "9,999.50 元"
    assert money(-25_000, "zh") == "-2.50 万元"
    assert money(0, "zh") == "0.00 元"


def test_the_default_language_is_the_environments():
    assert default_lang({}) == "en"
    assert default_lang({"LANG": "zh_CN.UTF-8"}) == "zh"
    assert default_lang({"LANG": "zh_CN.UTF-8", "LC_ALL": "en_US.UTF-8"}) == "en"
    assert default_lang({"LANGUAGE": "zh_TW", "LANG": "C.UTF-8"}) == "zh"
    assert default_lang({"LC_MESSAGES": "", "LANG": "de_DE.UTF-8"}) == "en"


def test_run_prints_its_summary_in_chinese(cli, tmp_path):
    path = SCENARIOS / "halt.yaml"
    english = cli("run", path, "--days", "40", "--out", tmp_path / "en")
    chinese = cli("run", path, "--days", "40", "--out", tmp_path / "zh", "--lang", "zh")
    assert english.code == chinese.code == 0
    assert english.out.startswith("Ran scenario 'halt' for 40 days with seed 1")
    lines = chinese.out.splitlines()
    assert lines[0] == "情景“halt”运行 40 天，随机种子 1"
    assert lines[1].startswith("  会员     加入 ") and "期末持有积分" in lines[1]
    assert "万元" in lines[4] and "yuan" not in chinese.out
    assert lines[-2] == "  账本     精确到分，收支平衡"
    assert not re.search(r"[A-Za-z]{4,}", "\n".join(lines[:-1]).replace("halt", ""))
    # the same run: the files do not depend on the language
    for name in ("timeseries.parquet", "members.parquet"):
        assert (tmp_path / "en" / name).read_bytes() == (tmp_path / "zh" / name).read_bytes()


@pytest.mark.parametrize(
    ("name", "first", "end"),
    [
        (
            "wanjia-national",
            "情景“wanjia-national”（消费全返，每日释放 (wanjia)）运行 200 天",
            "；第 163 天无力兑付",
        ),
        (
            "compare-schemes-ponzi",
            "情景“compare-schemes-ponzi”（经典庞氏骗局）运行 200 天",
            "；期末仍在兑付",
        ),
    ],
)
def test_a_comparison_scheme_in_chinese(cli, tmp_path, name, first, end):
    path = SCENARIOS / "comparison" / f"{name}.yaml"
    result = cli("run", path, "--days", "200", "--out", tmp_path / "o", "--lang", "zh")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith(first) and lines[3].endswith(end)
    assert "万元" in lines[2] and "yuan" not in result.out


def test_replay_prints_its_findings_in_chinese(cli, tmp_path):
    """The worked example's export replayed with --lang zh: the README's findings (insolvent
    on day 55, two members paid 4,500 yuan beyond the rules, 298 net losers 501,179 yuan
    short) in Chinese, money in 万元; the files are the English run's."""
    export = SCENARIOS.parent / "examples" / "platform-export.csv"
    scenario = SCENARIOS / "seed-generic-3x-assumed-referral.yaml"
    english = cli("replay", export, "--scenario", scenario, "--out", tmp_path / "en")
    chinese = cli(
        "replay", export, "--scenario", scenario, "--out", tmp_path / "zh", "--lang", "zh"
    )
    assert english.code == chinese.code == 0, chinese.err
    assert "insolvent on day 55" in english.out
    lines = chinese.out.splitlines()
    assert lines[0] == f"按情景“seed-generic-3x-assumed-referral”重放 {export}"
    assert "298 名净亏损者共亏 50.12 万元" in chinese.out
    assert "第 55 天无力兑付" in chinese.out
    assert "发现：2 名会员多得 4,500.00 元，超出规则允许" in chinese.out
    assert "yuan" not in chinese.out
    # the flags by the statutes' words, with who is read as the organiser
    assert "非法集资（平台为组织者）自第 29 天起" in chinese.out
    assert "组织、领导传销：三十人以上且三级以上（团队领导为组织者）自第 14 天起" in chinese.out
    for name in ("members.parquet", "trace.parquet", "flags.parquet"):
        assert (tmp_path / "en" / name).read_bytes() == (tmp_path / "zh" / name).read_bytes()


def test_assess_judges_the_rules_in_chinese(cli):
    """seed-generic-3x's rules judged in Chinese: the statutes' features by their own words,
    the break-even growth and an order's loss at once (832 yuan of 1,000, 83.2%)."""
    result = cli("assess", SCENARIOS / "seed-generic-3x.yaml", "--lang", "zh")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "“seed-generic-3x”的规则，在任何数据之前："
    assert lines[1].startswith("  ？    按发展人头计酬（拉人头）: 无法判断：“distribution”分账")
    assert lines[3] == "  是   以购买为加入条件: 积分只随订单获得；订单金额中有 70% 并未购买商品"
    assert lines[4] == (
        "  是   承诺的收益倍数: 按消费额的 3 倍出局，以现金支付消费额的 2.40 倍（按 80% 卖出）"
    )
    assert lines[8] == "    3x（出局封顶）: 7,074 倍"
    assert "下单那一刻就亏损 832.00 元（83.2%）" in lines[9]
    seed004 = cli("assess", SCENARIOS / "seed-004-chain-motion.yaml", "--lang", "zh")
    assert "按发展人头计酬（拉人头）: 链动奖励（链动2+1），多级别级差奖" in seed004.out


def test_no_message_hides_inside_an_f_string():
    """Babel cannot see a _() call inside an f-string's braces, so such a message would never
    reach the catalogue (nor this test's check that it is translated)."""
    import ast

    hidden = []
    for path in sorted(LOCALE.parent.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                for inner in ast.walk(node):
                    called = isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name)
                    if called and inner.func.id in ("_", "N_"):
                        hidden.append(f"{path.name}:{inner.lineno}")
    assert hidden == []


def test_breakeven_explains_the_law_in_chinese(cli):
    result = cli("breakeven", "--scenario", SCENARIOS / "seed-generic-3x.yaml", "--lang", "zh")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith("情景“seed-generic-3x”的回本定律：每笔 1,000.00 元 订单的 30%")
    assert lines[1].startswith("倍数") and "模拟：第 100 笔订单的买家" in lines[1]
    assert lines[4].startswith("3x（出局封顶）") and "7,028.2 倍（第 702,817 笔订单）" in lines[4]
    assert "积分价格只按 n^0.3 增长" in lines[5] and "约 182·k 笔订单" in lines[5]


def test_no_message_is_passed_to_gettext_where_babel_cannot_see_it():
    """``gettext(lang)("...")`` translates at run time, but Babel extracts only ``_("...")``
    and ``N_("...")``: a message written so never reaches the catalogue and stays English."""
    import ast

    unseen = []
    for path in sorted(LOCALE.parent.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Call):
                literal = [a for a in node.args if isinstance(a, ast.Constant)]
                if literal and isinstance(literal[0].value, str):
                    unseen.append(f"{path.name}:{node.lineno}")
    assert unseen == []
