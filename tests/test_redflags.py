"""Legal red flags (SPEC §7) on hand-built members tables: each threshold from both sides."""

import numpy as np
import pandas as pd
import pytest

from sim.analysis.redflags import flags_json, flags_table, red_flags
from sim.analysis.redflags_org import chains, organisations
from sim.analysis.redflags_tree import Tree
from sim.errors import InputError
from sim.scenario.root import Scenario


def scenario(direct=0.03, indirect=0.02, exit_multiple=3, mint_ratio=0.7, split=None) -> Scenario:
    return Scenario.from_dict(
        {
            "name": "t",
            "order": {
                "amount": 1000,
                "split": split
                or {"product_cost": 0.3, "distribution": 0.3, "platform": 0.1, "pool": 0.3},
            },
            "points": {"mint_ratio": mint_ratio, "exit_multiple": exit_multiple},
            "referral": {"direct": direct, "indirect": indirect},
        }
    )


MONEY = ["spent", "cash_received", "bonuses_received"]


def members(rows) -> pd.DataFrame:
    """Rows of (member, sponsor, spent, cash_received, bonuses_received[, forced_exits]),
    money written in yuan; members join on the day of their id. The run's exact members
    table (money in fen), as the red flags read it."""
    full = [(*row, 0)[:6] for row in rows]
    frame = pd.DataFrame(full, columns=["member", "sponsor", *MONEY, "forced_exits"])
    frame[MONEY] = (frame[MONEY] * 100).round().astype("int64")
    frame["join_day"] = frame["member"]
    return frame


def star(size: int, leader_paid: bool = True, spent: float = 1000.0) -> pd.DataFrame:
    """Member 1 (no sponsor) recruited members 2..size, who all bought; member 1 was paid
    bonuses on their orders when ``leader_paid``: 2 member levels, 3 with the organiser."""
    rows = [(1, None, 1000.0, 0.0, 30.0 if leader_paid else 0.0)]
    rows += [(m, 1, spent, 0.0, 0.0) for m in range(2, size + 1)]
    return members(rows)


def flag(table, key, reading="platform", **kw):
    found = {(f.key, f.reading): f for f in red_flags(table, {}, scenario(**kw))}
    return found[key, reading]


# -- the tree ------------------------------------------------------------------------------


def test_team_sums_and_chain_from_the_sponsor_column():
    # 1 -> 2 -> 3 and 1 -> 4; listed out of join order, sponsors as floats with NaN (how a
    # nullable int64 Parquet column reads into pandas)
    table = members(
        [(3, 2.0, 10.0, 0, 0), (1, np.nan, 1.0, 0, 5), (4, 1.0, 100.0, 0, 0), (2, 1.0, 0, 0, 2)]
    )
    tree = Tree(table)
    assert tree.table["member"].tolist() == [1, 2, 3, 4]
    assert tree.parent.tolist() == [-1, 0, 1, 0]
    # one team under 1: 3 of its 4 members paid in (2 never bought), 11,100 fen in all
    nobody = np.zeros(4, dtype=np.int64)
    count, _, team = organisations(tree, tree.compensated_links(True, False), nobody, "leader")
    assert (count, team.head, team.participants, team.money) == (1, "1", 3, 11100)
    # direct: 3 bought and paid 2, 4 bought and paid 1; 2 never bought, so 1 -> 2 carries
    # pay only through the indirect reward (3's order paid 1 two levels up)
    assert tree.compensated_links(True, False).tolist() == [False, False, True, True]
    assert tree.compensated_links(True, True).tolist() == [False, True, True, True]
    assert chains(tree, tree.compensated_links(True, False), nobody).max() == 2
    assert chains(tree, tree.compensated_links(True, True), nobody).max() == 3


def test_indirect_only_pay_makes_a_three_member_chain():
    # 1 -> 2 -> 3: only 3 bought; with the indirect reward alone it paid 1, through 2
    table = members([(1, None, 0, 0, 20.0), (2, 1, 0, 0, 0), (3, 2, 1000.0, 0, 0)])
    assert flag(table, "pyramid_levels", direct=0, indirect=0.02).measured["levels"] == 4
    # the direct reward alone cannot have paid 1 from 3's order: no compensated link
    assert flag(table, "pyramid_levels", direct=0.03, indirect=0).measured["levels"] == 2


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([(1, None, 0, 0, 0), (2, 7, 0, 0, 0)], "member 2's sponsor 7 is not a member"),
        ([(1, 2, 0, 0, 0), (2, None, 0, 0, 0)], "member 1's sponsor 2 did not join before them"),
        ([(1, 1, 0, 0, 0)], "member 1's sponsor 1 did not join before"),
        ([(1, None, -5.0, 0, 0)], "spent: expected amounts of whole fen >= 0"),
    ],
)
def test_bad_members_tables_are_input_errors(rows, message):
    with pytest.raises(InputError, match=message) as error:
        red_flags(members(rows), {}, scenario())
    assert str(error.value).startswith("members table: ")


def test_a_fractional_or_missing_amount_is_refused():
    half = members([(1, None, 10.0, 0, 0)]).astype({"spent": "float64"})
    half.loc[0, "spent"] = 0.5  # half a fen: no run writes that
    with pytest.raises(InputError, match="spent: expected amounts of whole fen"):
        red_flags(half, {}, scenario())
    half.loc[0, "spent"] = np.nan
    with pytest.raises(InputError, match="spent: expected amounts of whole fen"):
        red_flags(half, {}, scenario())


def test_missing_columns_are_named():
    with pytest.raises(InputError, match="missing columns sponsor, forced_exits"):
        red_flags(members([(1, None, 0, 0, 0)]).drop(columns=["sponsor", "forced_exits"]), {}, None)


# -- 1. levels and participants (filing standard) --------------------------------------------


def test_pyramid_raised_at_30_participants_and_3_levels():
    raised = flag(star(30), "pyramid_levels")
    assert raised.raised
    assert raised.measured == {
        "levels": 3,  # the platform, member 1, the 29 recruits
        "participants": 30,
        "paid_in_yuan": 30_000.0,
        "organiser": "platform",
        "organisations": 1,
        "organisations_at_filing": 1,
        "compensated_links": 29,
    }
    assert "as the organiser, has 3 levels: reaching both" in raised.explanation
    # member 1 heading the team: member 1 and the recruits are 2 levels, not 3
    team = flag(star(30), "pyramid_levels", reading="leader")
    assert not team.raised
    assert (team.measured["levels"], team.measured["participants"]) == (2, 30)
    assert team.measured["organiser"] == "1"


def test_pyramid_not_raised_at_29_participants():
    below = flag(star(29), "pyramid_levels")
    assert not below.raised
    assert (below.measured["levels"], below.measured["participants"]) == (3, 29)


def test_pyramid_not_raised_at_2_levels():
    # the same 30 members, but nobody was paid on another's order: organiser + buyers
    below = flag(star(30, leader_paid=False), "pyramid_levels")
    assert not below.raised
    assert (below.measured["levels"], below.measured["participants"]) == (2, 30)


def test_levels_follow_the_deepest_paid_chain():
    # 1 -> 2 -> 3 -> 4, all bought, 1, 2 and 3 paid on the order below them
    chain = [(1, None, 1000.0, 0, 30.0), (2, 1, 1000.0, 0, 30.0), (3, 2, 1000.0, 0, 30.0)]
    table = members([*chain, (4, 3, 1000.0, 0, 0)])
    assert flag(table, "pyramid_levels").measured["levels"] == 5
    assert flag(table, "pyramid_levels", reading="leader").measured["levels"] == 4


def test_a_large_shallow_team_and_a_small_deep_one_are_two_organisations():
    # member 1 recruited 40 buyers and was paid on each order (41 participants, 2 levels);
    # member 100 heads a paid chain 100 -> 101 -> 102 -> 103 (4 participants, 4 levels)
    wide = [(1, None, 1000.0, 0, 1200.0)] + [(m, 1, 1000.0, 0, 0) for m in range(2, 42)]
    deep = [(100, None, 1000.0, 0, 30.0), (101, 100, 1000.0, 0, 30.0)]
    deep += [(102, 101, 1000.0, 0, 30.0), (103, 102, 1000.0, 0, 0)]
    table = members(wide + deep)
    team = flag(table, "pyramid_levels", reading="leader")
    assert not team.raised  # no one team has both 30 participants and 3 levels
    assert team.measured["organisations"] == 2 and team.measured["organisations_at_filing"] == 0
    assert (team.measured["participants"], team.measured["levels"]) == (41, 2)
    assert "0 of 2 teams reach both thresholds" in team.explanation
    platform = flag(table, "pyramid_levels")
    assert platform.raised  # the platform organises all 45, 5 levels deep with it on top
    assert (platform.measured["participants"], platform.measured["levels"]) == (45, 5)
    assert not flag(table, "pyramid_serious", reading="leader").raised


# -- 2. serious circumstances ------------------------------------------------------------


def test_serious_at_120_participants_not_119():
    assert flag(star(120), "pyramid_serious").raised
    below = flag(star(119), "pyramid_serious")
    assert not below.raised
    assert below.measured["participants"] == 119


def test_serious_at_2_5_million_yuan_in_a_team_not_a_fen_less():
    # 30 members: 1000 + 29 x 86,172.41 = 2,499,999.89; then 10 fen more on member 1
    table = star(30, spent=86_172.41)
    table.loc[0, "spent"] = 100_010  # fen
    below = flag(table, "pyramid_serious")
    assert below.measured["paid_in_yuan"] == 2_499_999.99
    assert not below.raised
    table.loc[0, "spent"] = 100_011
    reached = flag(table, "pyramid_serious")
    assert reached.measured["paid_in_yuan"] == 2_500_000.00
    assert reached.raised
    assert "paid in 2,500,000.00 yuan" in reached.explanation


def test_serious_needs_the_pyramid_test_first():
    unpaid = flag(star(120, leader_paid=False), "pyramid_serious")
    assert not unpaid.raised
    assert "nothing aggravates" in unpaid.explanation


# -- 3. illegal fund-raising -------------------------------------------------------------


def paid_back(spends) -> pd.DataFrame:
    """Members without sponsors, each paid back in cash what they spent (no loss)."""
    return members([(m, None, s, s, 0) for m, s in enumerate(spends, start=1)])


def test_fundraising_money_threshold():
    below = flag(paid_back([500_000.00, 499_999.99]), "illegal_fundraising")
    assert below.measured["absorbed_yuan"] == 999_999.99
    assert not below.raised
    reached = flag(paid_back([500_000.00, 500_000.00]), "illegal_fundraising")
    assert reached.measured["absorbed_yuan"] == 1_000_000.00
    assert reached.raised
    assert "1 of 3 reached" in reached.explanation


def test_fundraising_payers_threshold():
    below = flag(paid_back([1.0] * 149), "illegal_fundraising")
    assert (below.measured["payers"], below.raised) == (149, False)
    reached = flag(paid_back([1.0] * 150), "illegal_fundraising")
    assert (reached.measured["payers"], reached.raised) == (150, True)


def test_fundraising_direct_loss_threshold():
    # loss = max(0, spent - cash - bonuses): 500,000 - 0.01 - 0 and 500,000 - 0 - 0
    below = members([(1, None, 500_000.0, 0.01, 0), (2, None, 10.0, 50.0, 0)])
    assert flag(below, "illegal_fundraising").measured["direct_loss_yuan"] == 499_999.99
    assert not flag(below, "illegal_fundraising").raised
    reached = members([(1, None, 500_000.0, 0, 0), (2, None, 10.0, 50.0, 0)])
    assert flag(reached, "illegal_fundraising").measured["direct_loss_yuan"] == 500_000.00
    assert flag(reached, "illegal_fundraising").raised


def test_fundraising_reports_financing_apart():
    summary = {"money_entered_by_source": {"orders": 2000.0, "financing": 50_000.0}}
    found = next(
        f
        for f in red_flags(paid_back([1000.0, 1000.0]), summary, scenario())
        if f.key == "illegal_fundraising"
    )
    assert found.measured["financing_yuan"] == 50_000.0
    assert found.measured["absorbed_yuan"] == 2000.0  # from the public only
    assert not found.raised


# -- 4. entry fee through a required purchase ----------------------------------------------


def test_entry_fee_when_points_come_only_with_a_purchase():
    fee = flag(star(3), "entry_fee")
    assert fee.raised
    # 3 members paid 1000 each; 70% of every order bought no goods: 2,100 of 3,000
    assert fee.measured["payers"] == 3
    assert fee.measured["least_order_spend_yuan"] == 1000.0
    assert fee.measured["paid_not_for_goods_yuan"] == 2100.0
    assert fee.measured["non_goods_share"] == pytest.approx(0.7)
    assert "2,100.00 yuan of the 3,000.00 yuan they paid in (70.0%)" in fee.explanation
    # a 9,800 franchise fee on top of member 1's order buys no goods either
    table = star(3)
    table.loc[0, "spent"] += 980_000
    table["fees_paid"] = [980_000, 0, 0]
    with_fee = flag(table, "entry_fee")
    assert with_fee.measured["paid_not_for_goods_yuan"] == 2100.0 + 9800.0
    assert with_fee.measured["least_order_spend_yuan"] == 1000.0  # orders, not the fee
    assert "and 9,800.00 yuan of fees" in with_fee.explanation


def test_no_entry_fee_when_no_points_are_minted():
    assert not flag(star(3), "entry_fee", mint_ratio=0).raised


def test_entry_fee_counts_the_merchant_line_as_goods():
    split = {"merchant": 0.8, "distribution": 0.02, "platform": 0.02, "pool": 0.16}
    fee = flag(star(3), "entry_fee", split=split, direct=0.01, indirect=0.01)
    assert fee.measured["non_goods_share"] == pytest.approx(0.2)
    assert fee.measured["paid_not_for_goods_yuan"] == 600.0


# -- 5. recruitment and team pay -----------------------------------------------------------


def test_recruitment_pay_from_the_first_fen():
    none = members([(1, None, 1000.0, 400.0, 0), (2, 1, 1000.0, 200.0, 0)])
    assert not flag(none, "recruitment_pay").raised
    one_fen = members([(1, None, 1000.0, 400.0, 0.01), (2, 1, 1000.0, 200.0, 0)])
    assert flag(one_fen, "recruitment_pay").raised
    paid = members([(1, None, 1000.0, 200.0, 50.0), (2, 1, 1000.0, 100.0, 50.0)])
    found = flag(paid, "recruitment_pay")
    assert found.measured["bonuses_yuan"] == 100.0
    assert found.measured["share_of_payouts"] == 0.25  # 100 of 400 paid to members
    assert "100.00 yuan in referral bonuses" in found.explanation
    assert "direct 3.00%, indirect 2.00%" in found.explanation


# -- 6. advertised multiple -----------------------------------------------------------------


def test_promised_multiple_and_who_reached_it():
    table = members(
        [
            (1, None, 1000.0, 2400.0, 600.0, 1),  # forced out at 3x; 3000 back with bonuses
            (2, None, 1000.0, 2999.99, 0, 1),  # forced out, a fen short of 3x in cash
            (3, None, 1000.0, 0, 0, 0),
            (4, None, 1000.0, 0, 0, 0),
            (5, None, 0, 0, 0, 0),  # never bought: not a buyer
        ]
    )
    found = flag(table, "promised_multiple")
    assert found.raised  # the two forced out got back 3x and 2.99999x: median above 1x
    assert found.measured["buyers"] == 4
    assert found.measured["share_reached_cap"] == 0.5
    assert found.measured["median_paid_back_of_spend"] == pytest.approx((3 + 2.99999) / 2)
    assert found.measured["forced_out_paid_back_1x"] == 2
    assert "the 2 forced out (50.0% of 4 buyers)" in found.explanation
    assert not flag(table, "promised_multiple", exit_multiple=None).raised


def test_a_cap_that_pays_less_than_the_spend_promises_no_return():
    # a 1.2x cap paid at 80%: forced out with 960 of 1000 back, as seed local-services does
    table = members([(1, None, 1000.0, 960.0, 0, 1), (2, None, 1000.0, 960.0, 0, 1)])
    found = flag(table, "promised_multiple", exit_multiple=1.2)
    assert not found.raised
    assert found.measured["median_paid_back_of_spend"] == pytest.approx(0.96)
    assert "no return on principal was paid at the exit" in found.explanation


# -- the table -----------------------------------------------------------------------------


def test_flags_table_rows():
    rows = flags_table(flags_json(red_flags(paid_back([500_000.0, 500_000.0]), {}, scenario())))
    assert [(r["flag"], r["reading"]) for r in rows] == [
        ("pyramid_levels", "platform"),
        ("pyramid_levels", "leader"),
        ("pyramid_serious", "platform"),
        ("pyramid_serious", "leader"),
        ("illegal_fundraising", "platform"),
        ("entry_fee", "platform"),
        ("recruitment_pay", "platform"),
        ("promised_multiple", "platform"),
    ]
    fundraising = rows[4]
    assert fundraising["raised"] == "yes"
    assert fundraising["measured"] == (
        "absorbed_yuan = 1,000,000.00; payers = 2; direct_loss_yuan = 0.00; financing_yuan = 0.00"
    )
    assert "《防范和处置非法集资条例》" in fundraising["law"]
    assert rows[0]["raised"] == "no"


def test_the_flags_explained_in_chinese_measure_the_same():
    """``lang="zh"``: the same flags, raised alike, with the same measured values; only the
    explanation is in Chinese, money in 万元, the statutes' terms (立案追诉标准)."""
    table = star(150, spent=10_000.0)
    english = red_flags(table, {}, scenario())
    chinese = red_flags(table, {}, scenario(), lang="zh")
    assert [(f.key, f.reading, f.raised, f.values, f.law) for f in chinese] == [
        (f.key, f.reading, f.raised, f.values, f.law) for f in english
    ]
    said = {(f.key, f.reading): f.explanation for f in chinese}
    assert said["pyramid_levels", "platform"].startswith("按“平台为组织者”解读")
    assert (
        "同时达到立案追诉标准（层级 3 级以上、参与人数 30 人以上）"
        in said["pyramid_levels", "platform"]
    )
    assert said["illegal_fundraising", "platform"].startswith("150 名会员共投入 149.10 万元")
    assert "3 项中达到 3 项" in said["illegal_fundraising", "platform"]
    assert "直推 3.00%、间推 2.00%" in said["recruitment_pay", "platform"]
    assert not any("yuan" in text for text in said.values())
