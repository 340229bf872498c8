"""How the distribution layer paid (sim.analysis.compensation) and the red flags it raises
(sim.analysis.redflags with a ``distribution`` summary): hand-computed figures on a hand-built
summary,
both sides of each threshold, and a small seed-004 run checked against its own bonus log."""

from __future__ import annotations

import base64
import io
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml
from PIL import Image

from sim.analysis import compensation
from sim.analysis.redflags import red_flags
from sim.batch.run import simulate
from sim.distribution.base import Payout
from sim.distribution.payouts import PayoutLog
from sim.distribution.state import DistributionState
from sim.distribution.summary import figures, in_yuan
from sim.report.figures import depth_figure
from sim.scenario.root import Scenario
from tests.conftest import SCENARIOS
from tests.test_redflags import members, scenario, star

TOTAL = 35_005  # fen paid in the hand-built summary below


def layer(**changes) -> dict:
    """The distribution layer's exact figures by hand (fen): 210 yuan of 见点 three levels up
    on a recruit's first order, 100 to a sponsor and 0.05 two levels up on later sales, 40 of
    tier dividend."""
    found = {
        "preset": None,
        "rules": ["chain_motion", "tier_dividend"],
        "placement": "direct",
        "paid": 35_005,
        "paid_by_rule": {
            "chain_direct": 10_000,
            "chain_peer": 5,
            "chain_see_point": 21_000,
            "tier_dividend": 4_000,
        },
        "paid_by_reason": {"recruit": 21_000, "sale": 10_005, "dividend": 4_000},
        "paid_by_level": [4_000, 10_000, 5, 21_000],
        "share_recruit": 21_000 / TOTAL,
        "share_sale": 10_005 / TOTAL,
        "share_dividend": 4_000 / TOTAL,
        "members_paid": 3,
        "top1_share": 31_005 / TOTAL,
        "deepest_level": 3,
        "leftovers": {"unpaid_chain_motion": 1_250, "frozen_forever": 30},
        "held": {"chain_frozen": 120, "tier_dividend_pool": 400},
        "fees": {"service_point_fees": 9_800},
    }
    return found | changes


def summary(**changes) -> dict:
    """A run's summary around :func:`layer` (``changes`` go to the layer), as
    ``summary.json`` holds it: the layer in yuan."""
    network = {"filing_heads": 2, "serious_heads": 0, "largest_team": 45, "max_depth": 6}
    return {"members": 150, "network": network, "distribution": in_yuan(layer(**changes))}


NOTHING = {
    "paid": 0,
    "paid_by_rule": {},
    "paid_by_reason": {"recruit": 0, "sale": 0, "dividend": 0},
    "paid_by_level": [0],
    "share_recruit": None,
    "share_sale": None,
    "share_dividend": None,
    "members_paid": 0,
    "top1_share": None,
    "deepest_level": 0,
}


def nothing_paid() -> dict:
    """A layer that paid nobody (the shares are undefined, as the summary writes them)."""
    return summary(**NOTHING)


def test_the_hand_built_summary_has_the_real_summary_s_keys():
    # the same payouts through sim.distribution.summary.figures: same keys, same figures
    log = PayoutLog()
    log.add(
        [
            Payout(7, 21_000, "chain_see_point", 3, "recruit"),
            Payout(2, 10_000, "chain_direct", 1, "sale"),
            Payout(2, 5, "chain_peer", 2, "sale"),
            Payout(5, 4_000, "tier_dividend", 0, "dividend"),
        ]
    )
    dist = SimpleNamespace(
        log=log,
        section=SimpleNamespace(preset=None, placement="direct", specs=lambda: ()),
        rules=SimpleNamespace(accounts=dict, state=DistributionState(), ladder=None),
        venues=SimpleNamespace(regional=None, service=None),
        fees={},
    )
    real = figures(dist, ledger=None, members=150)
    assert set(layer()) <= set(real)
    for key in ("paid", "paid_by_rule", "paid_by_reason", "paid_by_level", "deepest_level"):
        assert real[key] == layer()[key], key
    for key in ("share_recruit", "share_sale", "share_dividend", "top1_share"):
        assert real[key] == pytest.approx(layer()[key]), key


# -- the tables, by hand ----------------------------------------------------------------------


def test_depth_rows_by_hand():
    rows = compensation.depth_rows(layer())
    assert [(r["level"], r["yuan"]) for r in rows] == [(0, 40.0), (1, 100.0), (2, 0.05), (3, 210.0)]
    assert [r["share"] for r in rows] == [4_000 / TOTAL, 10_000 / TOTAL, 5 / TOTAL, 21_000 / TOTAL]
    assert [r["cumulative_share"] for r in rows] == [
        4_000 / TOTAL,
        14_000 / TOTAL,
        14_005 / TOTAL,
        1.0,
    ]
    assert rows[0]["paid_to"].startswith("not along the chain")
    assert rows[1]["paid_to"] == "the buyer's sponsor (1 level up)"
    assert rows[3]["paid_to"] == "3 levels above the buyer"


def test_depth_rows_fold_the_deep_levels():
    rows = compensation.depth_rows(layer(), fold_after=1)
    assert [(r["level"], r["yuan"], r["share"]) for r in rows] == [
        (0, 40.0, 4_000 / TOTAL),
        (1, 100.0, 10_000 / TOTAL),
        (2, 210.05, 21_005 / TOTAL),
    ]
    assert rows[2]["paid_to"] == "2 or more levels above the buyer"
    assert rows[2]["cumulative_share"] == 1.0
    # folding a single level would change nothing: no fold
    assert len(compensation.depth_rows(layer(), fold_after=2)) == 4


def test_rule_and_reason_rows_by_hand():
    assert compensation.rule_rows(layer()) == [
        {"rule": "chain_see_point", "yuan": 210.0, "share": 21_000 / TOTAL},
        {"rule": "chain_direct", "yuan": 100.0, "share": 10_000 / TOTAL},
        {"rule": "tier_dividend", "yuan": 40.0, "share": 4_000 / TOTAL},
        {"rule": "chain_peer", "yuan": 0.05, "share": 5 / TOTAL},
    ]
    rows = compensation.reason_rows(layer())
    assert [(r["reason"], r["yuan"], r["share"]) for r in rows] == [
        ("recruit", 210.0, 21_000 / TOTAL),
        ("sale", 100.05, 10_005 / TOTAL),
        ("dividend", 40.0, 4_000 / TOTAL),
    ]
    assert "拉人头" in rows[0]["triggered_by"] and "团队计酬" in rows[1]["triggered_by"]


def test_headline_by_hand():
    found = compensation.headline(layer(), summary())
    assert found == {
        "paid_yuan": 350.05,
        "members_paid": 3,
        "members": 150,
        "deepest_level_paid": 3,
        "levels_with_organiser": 5,  # the paid member, 3 levels down to the buyer, organiser
        "share_recruit": 21_000 / TOTAL,
        "share_sale": 10_005 / TOTAL,
        "share_dividend": 4_000 / TOTAL,
        "top1_share": 31_005 / TOTAL,
        "filing_heads": 2,
        "serious_heads": 0,
        "largest_team": 45,
        "max_depth": 6,
        "leftovers_yuan": 12.8,
        "held_yuan": 5.2,
        "fees_yuan": 98.0,
    }
    # with the members table: who got more in bonuses than they spent (a fen more counts)
    exact = pd.DataFrame(
        {"spent": [100_000, 100_000, 0], "bonuses_received": [100_001, 100_000, 1]}
    )
    assert compensation.headline(layer(), summary(), exact)["bonus_above_spend"] == 2
    rows = compensation.headline_rows(layer(), summary(), exact)
    shown = {row["figure"]: row["value"] for row in rows}
    assert shown["share triggered by recruiting (a recruit's first order)"] == "60.0%"
    assert shown["paid to members by the distribution layer (yuan)"] == "350.05"
    assert shown["members paid more in bonuses than they spent"] == "2"
    assert len(rows) == 16


def test_sentence_by_hand():
    assert compensation.sentence("demo", layer(), summary()) == (
        "In demo the distribution layer paid 350.05 yuan to 3 members; it paid a member on a "
        "purchase as deep as 3 levels below them; 60.0% of it was triggered by recruiting (a "
        "recruit's first order), 28.6% by later sales and 11.4% by dividend pools; the "
        "best-paid 1% took 88.6%; 2 members head a team of at least 30 people over at least "
        "3 levels."
    )
    one = layer(deepest_level=1, paid_by_level=[4_000, 31_005], share_dividend=0.0)
    run = summary()
    run["network"]["filing_heads"] = 1
    text = compensation.sentence("one", one, run)
    assert "as deep as 1 level below them" in text
    assert "by later sales; the best-paid" in text  # no dividend clause at 0
    assert text.endswith("; 1 member heads a team of at least 30 people over at least 3 levels.")
    off = compensation.sentence("off", layer(deepest_level=0, paid_by_level=[35_005]), summary())
    assert "it paid nobody on a purchase below them" in off


def test_a_layer_that_paid_nothing():
    empty = layer(**NOTHING)
    assert compensation.depth_rows(empty) == [
        {
            "level": 0,
            "paid_to": compensation.OFF_CHAIN,
            "yuan": 0.0,
            "share": None,
            "cumulative_share": None,
        }
    ]
    assert compensation.rule_rows(empty) == []
    assert [r["share"] for r in compensation.reason_rows(empty)] == [None, None, None]
    assert compensation.headline(empty, nothing_paid())["levels_with_organiser"] == 0
    assert compensation.sentence("quiet", empty, nothing_paid()) == (
        "In quiet the distribution layer paid nothing to any member."
    )


def test_without_the_layer_there_is_nothing_to_show():
    plain = {"members": 10, "network": {"filing_heads": 0}}
    assert compensation.depth_rows(None) == []
    assert compensation.rule_rows(None) == []
    assert compensation.reason_rows(None) == []
    assert compensation.headline(None, plain) is None
    assert compensation.headline_rows(None, plain) == []
    assert compensation.sentence("plain", None, plain) is None
    assert depth_figure({"plain": None}) is None


# -- the red flags with the distribution layer ---------------------------------------------


def flags(table, found: dict | None) -> dict:
    """The flags of a run whose scenario has no two-level referral rule (as every scenario
    with a distribution section) and whose layer's exact figures are ``found``, by key."""
    flags = red_flags(table, {}, scenario(direct=0, indirect=0), found)
    return {f.key: f for f in flags if f.reading == "platform"}


def flags_with(table, scenario_, found: dict, summary: dict | None = None) -> dict:
    """The platform reading's flags of a run with its own scenario, by key."""
    flags = red_flags(table, summary or {}, scenario_, found)
    return {f.key: f for f in flags if f.reading == "platform"}


def test_a_level_1_payout_makes_3_levels_and_none_makes_2():
    paid = flags(star(30), layer(deepest_level=1, paid_by_level=[0, 3_000], paid=3_000))
    pyramid = paid["pyramid_levels"]
    assert pyramid.raised
    assert pyramid.measured == {
        "levels": 3,
        "participants": 30,
        "paid_in_yuan": 30_000.0,
        "organiser": "platform",
        "organisations": 1,
        "organisations_at_filing": 1,
        "compensated_links": 0,  # the referral rule is off: the tree alone finds no link
        "deepest_level_paid": 1,
        "depth_source": "distribution layer",
    }
    assert pyramid.explanation.startswith(
        "Reading 'platform' (the operator organises one organisation): 30 members paid in. "
        "The distribution layer paid a member on a purchase 1 level below them, a chain of 2 "
        "members; with the platform on top as the organiser that makes 3 levels"
    )
    assert "3 levels: reaching both" in pyramid.explanation
    none = flags(star(30), layer(**NOTHING))["pyramid_levels"]
    assert not none.raised
    assert none.measured["levels"] == 2  # the organiser and a buyer
    assert none.measured["deepest_level_paid"] == 0
    assert none.measured["depth_source"] == "referral rule"
    assert "paid no member on a purchase below them" in none.explanation


def test_a_deep_see_point_payout_makes_the_levels_with_the_referral_rule_off():
    deep = layer(deepest_level=4, paid_by_level=[0, 0, 0, 0, 20_000], paid=20_000)
    found = flags(star(30), deep)
    assert found["pyramid_levels"].measured["levels"] == 6
    assert found["pyramid_levels"].raised
    assert found["pyramid_serious"].measured["participants"] == 30
    # as deep, but 29 participants: below the filing threshold
    below = flags(star(29), deep)["pyramid_levels"]
    assert below.measured["levels"] == 6 and not below.raised


def test_only_pools_paid_add_no_depth():
    pools = layer(deepest_level=0, paid_by_level=[35_005])
    found = flags(star(30, leader_paid=False), pools)
    assert found["pyramid_levels"].measured["levels"] == 2
    assert not found["pyramid_levels"].raised
    assert found["recruitment_pay"].raised  # the layer paid 350.05 yuan


def test_the_deeper_of_tree_and_layer_counts():
    # 1 -> 2 -> 3 -> 4 all paid on the order below them under a direct referral rule: 5
    # levels from the tree, deeper than the layer's level-1 payout (3 levels)
    chain = [(1, None, 1000.0, 0, 30.0), (2, 1, 1000.0, 0, 30.0), (3, 2, 1000.0, 0, 30.0)]
    table = members([*chain, (4, 3, 1000.0, 0, 0)])
    one = layer(deepest_level=1, paid_by_level=[0, 9_000])
    found = flags_with(table, scenario(direct=0.03, indirect=0), one)
    pyramid = found["pyramid_levels"]
    assert (pyramid.measured["levels"], pyramid.measured["depth_source"]) == (5, "referral rule")
    assert (
        "4 members paid in. The distribution layer paid a member on a purchase at most 1 level "
        "below them; the "
        "deepest chain the referral rule paid along, read from the sponsor tree with the "
        "platform on top as the organiser, has 5 levels" in pyramid.explanation
    )


def test_the_recruitment_flag_reads_the_layer():
    # nobody's bonuses in the members table: the layer's payouts alone raise the flag
    table = star(30, leader_paid=False)
    found = flags(table, layer())["recruitment_pay"]
    assert found.raised
    assert found.measured["distribution_paid_yuan"] == 350.05
    assert found.measured["share_recruit"] == summary()["distribution"]["share_recruit"]
    assert found.measured["share_sale"] == 10_005 / TOTAL
    assert found.measured["share_dividend"] == 4_000 / TOTAL
    assert "The distribution layer paid members 350.05 yuan" in found.explanation
    assert "60.0% of it triggered by recruiting" in found.explanation
    assert "chain_see_point" in found.explanation
    quiet = flags(table, layer(**NOTHING))["recruitment_pay"]
    assert not quiet.raised
    assert quiet.measured["distribution_paid_yuan"] == 0.0
    assert quiet.measured["share_recruit"] == 0.0


def test_runs_without_the_layer_keep_their_flags():
    pyramid = flags(star(30), None)["pyramid_levels"]
    assert "deepest_level_paid" not in pyramid.measured
    assert pyramid.measured["levels"] == 2
    recruitment = flags(star(30), None)["recruitment_pay"]
    assert "share_recruit" not in recruitment.measured
    assert "direct 0.00%, indirect 0.00%" in recruitment.explanation


# -- a small real run --------------------------------------------------------------------------


def small(name: str, days: int = 45) -> tuple:
    """A shipped scenario with a small market (5 walk-ins a day): summary, members table
    (exact), bonus table, scenario, the layer's exact figures."""
    data = yaml.safe_load((SCENARIOS / f"{name}.yaml").read_text(encoding="utf-8"))
    data["inflow"]["rate"] = 5
    chosen = Scenario.from_dict(data)
    result = simulate(chosen, days=days)
    return result.summary, result.members, result.bonuses.to_pandas(), chosen, result.layer


@pytest.fixture(scope="module")
def seed004():
    return small("seed-004-chain-motion")


@pytest.fixture(scope="module")
def two_level():
    return small("two-level-only")


def test_a_seed_004_run_s_tables_agree_with_its_bonus_log(seed004):
    found, _, bonuses, _, exact = seed004
    bonuses["fen"] = (bonuses["yuan"] * 100).round().astype("int64")
    total = int(bonuses["fen"].sum())
    by_level = bonuses.groupby("level")["fen"].sum()
    rows = compensation.depth_rows(exact)
    assert len(rows) == int(by_level.index.max()) + 1
    assert {r["level"]: round(r["yuan"] * 100) for r in rows if r["yuan"]} == by_level[
        by_level > 0
    ].to_dict()
    assert rows[-1]["cumulative_share"] == 1.0
    assert sum(r["share"] for r in rows) == pytest.approx(1)
    by_rule = bonuses.groupby("rule")["fen"].sum().sort_values(ascending=False)
    assert [(r["rule"], round(r["yuan"] * 100)) for r in compensation.rule_rows(exact)] == list(
        by_rule.items()
    )
    recruit = compensation.reason_rows(exact)[0]
    assert recruit["share"] == int(bonuses.loc[bonuses["reason"] == "recruit", "fen"].sum()) / total
    top = compensation.headline(exact, found)
    assert top["paid_yuan"] == total / 100 > 0
    assert top["members_paid"] == bonuses["member"].nunique()
    # seed 004's 见点 pays bosses on sales anywhere below them: deeper than 2 levels
    assert top["deepest_level_paid"] == int(bonuses.loc[bonuses["fen"] > 0, "level"].max()) > 2
    assert top["filing_heads"] == found["network"]["filing_heads"] > 0


def test_a_seed_004_run_s_flags_and_sentence(seed004):
    found, table, bonuses, chosen, exact = seed004
    deepest = int(bonuses.loc[bonuses["yuan"] > 0, "level"].max())
    flagged = flags_with(table, chosen, exact, found)
    pyramid = flagged["pyramid_levels"]
    assert pyramid.raised
    assert pyramid.measured["levels"] == deepest + 2
    assert pyramid.measured["deepest_level_paid"] == deepest
    assert pyramid.measured["depth_source"] == "distribution layer"
    assert f"on a purchase {deepest} levels below them" in pyramid.explanation
    recruitment = flagged["recruitment_pay"]
    layer_found = found["distribution"]
    assert recruitment.raised
    assert recruitment.measured["share_recruit"] == layer_found["share_recruit"] > 0
    assert recruitment.measured["share_sale"] == layer_found["share_sale"]
    assert recruitment.measured["distribution_paid_yuan"] == layer_found["paid"]
    # every bonus in the members table is a payout of the layer
    assert recruitment.measured["bonuses_yuan"] == pytest.approx(layer_found["paid"])
    text = compensation.sentence(chosen.name, exact, found)
    assert text.startswith(
        f"In seed-004-chain-motion the distribution layer paid {layer_found['paid']:,.2f} yuan "
        f"to {layer_found['members_paid']:,} members; it paid a member on a purchase as deep "
        f"as {deepest} levels below them; {layer_found['share_recruit']:.1%} of it was "
        "triggered by recruiting"
    )
    heads = found["network"]["filing_heads"]
    assert text.endswith(
        f"{heads:,} members head a team of at least 30 people over at least 3 levels."
    )


def test_the_two_level_preset_pays_2_levels_deep(two_level):
    found, table, bonuses, chosen, exact = two_level
    assert compensation.headline(exact, found)["deepest_level_paid"] == 2
    assert [r["level"] for r in compensation.depth_rows(exact)] == [0, 1, 2]
    assert compensation.depth_rows(exact)[0]["yuan"] == 0.0  # nothing off the chain
    assert [r["rule"] for r in compensation.rule_rows(exact)] == ["direct_indirect"]
    pyramid = flags_with(table, chosen, exact, found)["pyramid_levels"]
    assert pyramid.measured["levels"] == 4  # the platform, a member paid 2 levels down
    # each member's team alone, from the payouts by member and level: a chain of 3
    team = {
        f.key: f
        for f in red_flags(table, found, chosen, exact, bonuses[["member", "level"]])
        if f.reading == "leader"
    }["pyramid_levels"]
    assert team.measured["levels"] == 3 and team.measured["deepest_level_paid"] == 2


def test_the_depth_figure(seed004, two_level):
    uri = depth_figure({"seed-004": seed004[4], "two-level": two_level[4], "plain": None})
    assert uri.startswith("data:image/png;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert image.format == "PNG" and image.width >= 900
