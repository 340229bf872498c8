"""The ``distribution:`` section: presets and rules read exactly, checked against the split,
and every mistake one located line (exit status 2 on the command line)."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from sim.core import rules as split_rules
from sim.distribution import PerPack, RegionMap, Share, local_services, seed004_pack
from sim.distribution.build import amount, region_map, rule_set
from sim.distribution.presets import two_level_only
from sim.errors import InputError
from sim.scenario.distribution import (
    DistributionSection,
    MerchantsSection,
    RegionFees,
    RegionsSection,
    ServicePointsSection,
)
from sim.scenario.distribution_rules import RULE_KINDS, Fixed, TierSpec
from sim.scenario.root import Scenario, load_scenario
from tests.conftest import ROOT, SCENARIOS
from tests.test_distribution_net import TinyNetwork, grow
from tests.test_scenario import assert_located, write

SPLIT_004 = (
    "  split: {product_cost: 0.20, chain_motion: 0.33, chain_dividend: 0.04,\n"
    "          level_differential: 0.03, platform: 0.07, pool: 0.30, service_point: 0.02,\n"
    "          regional_agents: 0.01}\n"
)
BASE = "name: t\norder:\n" + SPLIT_004  # distribution: on line 6, its first key on 7
GENERIC = (
    "name: t\norder:\n  split: {product_cost: 0.3, distribution: 0.3, platform: 0.1, pool: 0.3}\n"
)


def rules(text: str, base: str = BASE) -> str:
    return base + "distribution:\n  rules:\n" + text


# --- reading ------------------------------------------------------------------------------


def test_amounts_are_shares_or_yuan_per_pack_in_exact_fen():
    assert amount(Decimal("0.003")) == Share(Fraction(3, 1000))
    assert amount(Fixed(yuan=Decimal("100"), pack=Decimal(1000))) == PerPack(10_000, 100_000)
    assert amount(Fixed(yuan=Decimal("2.5"))) == PerPack(250, None)


def test_the_region_map_counts_down_from_the_big_regions():
    section = DistributionSection(
        preset="seed004_pack", regions={"provinces": 2, "cities": 1, "districts": 2}
    )
    regions, districts = region_map(section.regions)
    # 1 big region; provinces 2, 3; cities 4 (in 2), 5 (in 3); districts 6, 7 in 4; 8, 9 in 5
    assert districts == [6, 7, 8, 9]
    assert regions.chain(8) == [8, 5, 3, 1]
    assert [regions.level[r] for r in regions.chain(8)] == [0, 1, 2, 3]
    empty, only = region_map(None)
    assert only == [0] and empty.chain(0) == [] and empty.level == {}


def test_the_shipped_seed_004_rules_are_the_preset_written_out():
    scenario = load_scenario(SCENARIOS / "seed-004-chain-motion.yaml")
    preset = DistributionSection(preset="seed004_pack")
    assert scenario.distribution.specs() == preset.specs()
    assert scenario.distribution.tiers() == preset.tiers()


README = ROOT / "README.md"
PACK = 100_000
REGIONS = RegionMap({1000: 100, 100: 10, 10: 1, 1: None}, {1000: 0, 100: 1, 10: 2, 1: 3})
SPONSORS = {1: None, 2: 1, 3: 1, 4: 1, 5: 4, 6: 4, 7: 4, 8: 7}


def outcomes_of(made, split):
    """Every outcome of a fixed sequence of joins, sales of regions, orders and days."""
    net = TinyNetwork()
    grow(net, SPONSORS, made, regions=dict.fromkeys(SPONSORS, 1000))
    state = made.state
    for rule in made.rules:
        if rule.name == "regional_agent":
            rule.sell(state, 1000, 2, 1)
            rule.sell(state, 10, 3, 1)
        if rule.name == "service_point":
            rule.open(state, 9, 6, 1)
        if rule.name == "merchant_recruitment":
            rule.register(state, 50, 5)
    log = []
    for day, member in enumerate([*SPONSORS, 8, 3, 5]):
        parts = split_rules.split_order(PACK, split)
        log.append(made.order(member, PACK, parts, net, day, merchant=50, pickup=9))
        log.append(made.day(day, net))
    return [*log, made.day(29, net), made.close(net)]


@pytest.mark.parametrize("name", ["seed004_pack", "local_services", "two_level_only"])
def test_a_preset_runs_the_package_preset(name):
    ours = rule_set(DistributionSection(preset=name), REGIONS)
    if name == "seed004_pack":
        split, theirs = seed004_pack(REGIONS)
    elif name == "local_services":
        split, theirs = local_services(REGIONS)
    else:
        split, theirs = (
            seed004_pack()[0],
            two_level_only(Fraction(1, 10), Fraction(2, 10), "chain_motion"),
        )
    ours_log, theirs_log = outcomes_of(ours, split), outcomes_of(theirs, split)
    assert ours_log == theirs_log
    assert sum(o.paid for outs in ours_log for o in outs) > 0


def test_the_section_round_trips_and_hashes():
    scenario = load_scenario(SCENARIOS / "seed-004-chain-motion.yaml")
    again = Scenario.from_dict(scenario.model_dump())
    assert again == scenario and hash(again) == hash(scenario)
    dumped = scenario.model_dump()["distribution"]
    assert dumped["rules"][0]["see_point"] == Decimal(200)
    assert dumped["rules"][1]["shares"] == {
        "director": Decimal("0.3"),
        "co_founder": Decimal("0.3"),
        "partner": Decimal("0.4"),
    }


def test_a_preset_fits_the_seed_split_to_the_fen(tmp_path: Path):
    # seed 004's chain motion pays at most 100 + 200 + 10% of both = 330 of its 330 line
    scenario = load_scenario(write(tmp_path, BASE + "distribution: {preset: seed004_pack}\n"))
    assert scenario.distribution.preset == "seed004_pack" and scenario.distribution.rules == ()
    assert scenario.distribution.specs()[0].most(Decimal(1000)) == Decimal("0.33")


def test_the_readme_documents_every_key_and_the_example_loads(tmp_path: Path):
    text = README.read_text(encoding="utf-8")
    start = text.index("### The distribution layer")
    part = text[start : text.index("\n### ", start + 1)]
    models = [DistributionSection, TierSpec, RegionsSection, RegionFees, ServicePointsSection]
    models += [MerchantsSection, Fixed, *RULE_KINDS.values()]
    missing = {
        (model.__name__, key)
        for model in models
        for key in model.model_fields
        if not re.search(rf"[`{{ ]{key}[`:, }}]", part)
    }
    assert missing == set()
    example = part.split("```yaml\n", 1)[1].split("```", 1)[0]
    scenario = load_scenario(write(tmp_path, BASE + example, "readme.yaml"))
    assert scenario.distribution.preset == "seed004_pack"


# --- bad input: one located line ------------------------------------------------------------

BAD = {
    "unknown rule kind": (
        rules("    - {kind: chain_moton}\n"),
        8,
        "distribution.rules.0.kind",
        "unknown rule kind 'chain_moton'; did you mean 'chain_motion'?",
    ),
    "rule without a kind": (
        rules("    - {paid_from: chain_motion}\n"),
        8,
        "distribution.rules.0",
        "missing required key 'kind'",
    ),
    "unknown key in a rule": (
        rules("    - {kind: chain_motion, see_pont: 250}\n"),
        8,
        "distribution.rules.0.see_pont",
        "unknown key 'see_pont'; did you mean 'see_point'?",
    ),
    "paid from the pool": (
        rules("    - {kind: chain_motion, paid_from: pool}\n"),
        8,
        "distribution.rules.0.paid_from",
        "bonuses cannot be paid from the pool; name another line of order.split",
    ),
    "paid from no line": (
        rules("    - {kind: chain_motion, paid_from: chain_motoin}\n"),
        8,
        "distribution.rules.0.paid_from",
        "'chain_motoin' is not a line of order.split; did you mean 'chain_motion'?",
    ),
    "pays more than its line": (
        rules("    - {kind: chain_motion, see_point: 250}\n"),
        8,
        "distribution.rules.0",
        "chain_motion pays up to 0.385 of each order, more than the 'chain_motion' line's "
        "share 0.33",
    ),
    "a shared line without allotments": (
        rules(
            "    - {kind: direct_indirect, amounts: [0.01]}\n    - {kind: merchant_recruitment}\n",
            GENERIC,
        ),
        6,
        "distribution.rules.0",
        "line 'distribution' feeds several rules (direct_indirect, merchant_recruitment); "
        "give each an allot, its part of the line",
    ),
    "allotments above the line": (
        rules(
            "    - {kind: direct_indirect, amounts: [0.01], allot: 0.2}\n"
            "    - {kind: merchant_recruitment, allot: 0.2}\n",
            GENERIC,
        ),
        7,
        "distribution.rules.1.allot",
        "the allotments of line 'distribution' sum to 0.4 of each order, more than its share 0.3",
    ),
    "a rule above its allotment": (
        rules(
            "    - {kind: direct_indirect, amounts: [0.01, 0.01], allot: 0.015}\n"
            "    - {kind: merchant_recruitment, allot: 0.01}\n",
            GENERIC,
        ),
        6,
        "distribution.rules.0",
        "direct_indirect pays up to 0.02 of each order, more than its allot 0.015",
    ),
    "referral beside distribution": (
        GENERIC + "referral: {direct: 0.03}\ndistribution: {preset: two_level_only}\n",
        4,
        "referral",
        "referral rewards and a distribution section both pay bonuses",
    ),
    "a differential without a ladder": (
        rules("    - {kind: level_differential, amounts: [0.01]}\n"),
        8,
        "distribution.rules.0",
        "level_differential needs a ladder of tiers",
    ),
    "one amount per tier": (
        rules("    - {kind: level_differential, amounts: [0.01]}\n")
        + "  ladder: [{name: a, pack: 1000}, {name: b, pack: 5000}]\n",
        8,
        "distribution.rules.0.amounts",
        "expected 2 amounts, one per tier of the ladder, got 1",
    ),
    "amounts must not fall": (
        rules("    - {kind: level_differential, amounts: [0.02, 0.01]}\n")
        + "  ladder: [{name: a, pack: 1000}, {name: b, pack: 5000}]\n",
        8,
        "distribution.rules.0.amounts.1",
        "each must be at least the one before",
    ),
    "a dividend for no tier": (
        rules("    - {kind: tier_dividend, shares: {directr: 0.3}}\n")
        + "  ladder: [{name: director, pack: 1000}]\n",
        8,
        "distribution.rules.0.shares.directr",
        "no tier 'directr' in the ladder; did you mean 'director'?",
    ),
    "a tier with no way in": (
        rules("    - {kind: chain_motion}\n") + "  ladder:\n    - {name: a}\n",
        10,
        "distribution.ladder.0",
        "a tier needs a pack or a condition",
    ),
    "money finer than a fen": (
        rules("    - {kind: service_points, reward: {yuan: 20.005, pack: 1000}}\n"),
        8,
        "distribution.rules.0.reward.yuan",
        "with at most 2 decimals, got 20.005",
    ),
    "a share above 1": (
        rules("    - {kind: direct_indirect, paid_from: chain_motion, amounts: [1.5]}\n"),
        8,
        "distribution.rules.0.amounts.0",
        "expected a share of the order in [0, 1] or {yuan, pack}, got 1.5",
    ),
    "unknown key in an amount": (
        rules("    - {kind: service_points, reward: {yaun: 20}}\n"),
        8,
        "distribution.rules.0.reward.yaun",
        "unknown key 'yaun'; did you mean 'yuan'?",
    ),
    "a rule given twice": (
        rules(
            "    - {kind: chain_motion}\n    - {kind: chain_motion, paid_from: chain_dividend}\n"
        ),
        9,
        "distribution.rules.1.kind",
        "rule 'chain_motion' is given twice",
    ),
    "preset and rules": (
        BASE + "distribution:\n  preset: seed004_pack\n  rules: [{kind: chain_motion}]\n",
        8,
        "distribution.rules",
        "give a preset or a list of rules, not both",
    ),
    "unknown preset": (
        BASE + "distribution: {preset: seed004}\n",
        6,
        "distribution.preset",
        "unknown preset 'seed004'; did you mean 'seed004_pack'?",
    ),
    "neither preset nor rules": (
        BASE + "distribution: {placement: direct}\n",
        6,
        "distribution",
        "give a preset (seed004_pack, local_services, two_level_only) or a list of rules",
    ),
    "a preset without its lines": (
        GENERIC + "distribution: {preset: seed004_pack}\n",
        4,
        "distribution.preset",
        "'chain_motion' is not a line of order.split",
    ),
    "unknown placement": (
        BASE + "distribution: {preset: seed004_pack, placement: spill}\n",
        6,
        "distribution.placement",
        "expected one of: direct, spill_over; got 'spill'",
    ),
    "a region count of 0": (
        BASE + "distribution:\n  preset: seed004_pack\n  regions: {districts: 0}\n",
        8,
        "distribution.regions.districts",
        "expected a whole number >= 1, got 0",
    ),
    "unknown key in the regions": (
        BASE + "distribution:\n  preset: seed004_pack\n  regions: {take_upp: 0.1}\n",
        8,
        "distribution.regions.take_upp",
        "unknown key 'take_upp'; did you mean 'take_up'?",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_distribution_input_is_one_located_line(tmp_path: Path, case: str) -> None:
    assert_located(tmp_path, BAD[case])


@pytest.mark.parametrize("command", ["run", "validate"])
def test_bad_distribution_input_exits_2_with_one_line(cli, tmp_path, command):
    text, line, key, message = BAD["pays more than its line"]
    path = write(tmp_path, text)
    out = tmp_path / "out"
    args = (command, path, "--out", out) if command == "run" else (command, path)
    result = cli(*args)
    assert result.code == 2, result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.err
    assert f"{path}:{line}: {key}: {message}" in lines[0]
    assert not out.exists()


def test_a_sweep_reaches_into_a_rule_by_its_kind():
    from sim.batch.designs import apply_point
    from sim.scenario.sweep import target_kind

    scenario = load_scenario(SCENARIOS / "seed-004-chain-motion.yaml")
    dumped = scenario.model_dump()
    assert target_kind("distribution.rules.0.see_point", dumped, Scenario) == "decimal"
    assert target_kind("distribution.rules.2.amounts.0.yuan", dumped, Scenario) == "decimal"
    point = apply_point(scenario, {"distribution.rules.0.see_point": 150})
    assert point.distribution.rules[0].see_point == 150
    with pytest.raises(InputError, match=r"more than the 'chain_motion' line's share 0\.33"):
        apply_point(scenario, {"distribution.rules.0.see_point": 250})
