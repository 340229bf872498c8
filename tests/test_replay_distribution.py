"""Rules against records for a scenario's distribution rules: a hand-built log with the
answer worked out by hand, and the model's own joins and orders replayed, whose due must be
what the model paid, payout for payout summed by member and kind."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import yaml

from sim.core.units import fen_to_yuan
from sim.distribution.runtime import Distribution
from sim.replay.apply import replay_file
from sim.replay.distribution_due import record_kind
from sim.replay.entitlement import Entitlement
from sim.scenario.root import load_scenario
from tests.conftest import SCENARIOS, run_model
from tests.test_bad_input import assert_nothing_written, assert_refused
from tests.test_distribution_model import EVERY_RULE

HEADER = "day,member,action,amount,sponsor,source_member,kind\n"


def generic_with(distribution: dict, tmp_path: Path, split: dict | None = None) -> Path:
    """seed-generic-3x-assumed-referral with a distribution section instead of its referral."""
    spec = yaml.safe_load((SCENARIOS / "seed-generic-3x-assumed-referral.yaml").read_text())
    spec["name"] = "replay-distribution"
    spec.pop("referral", None)
    if split is not None:
        spec["order"]["split"] = split
    spec["distribution"] = distribution
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


HAND = {
    "regions": {"big_regions": 1, "provinces": 1, "cities": 1, "districts": 1},
    "rules": [
        {"kind": "direct_indirect", "amounts": [0.03, 0.02], "allot": 0.05},
        {"kind": "shareholder_dividend", "founders": 1, "period": 2, "allot": 0.01},
        {"kind": "regional_agents", "amounts": [0.01]},
    ],
}
HAND_SPLIT = {
    "product_cost": 0.29,
    "distribution": 0.30,
    "regional_agents": 0.01,
    "platform": 0.10,
    "pool": 0.30,
}
# a <- b <- c. Day 0: c orders (b direct 30, a indirect 20, 10 into the shareholders' pool);
# the records pay b 30 direct, a 25 indirect (5 over) and a 7 as a regional agent (a kind
# the log cannot check: no region per order). End of day 1: a, the one founder, is due the
# pool's 10 (the records pay no dividend: 10 short). Day 2: b orders (a direct 30, paid; 10
# more into the pool, not due before the end of day 3, after the log ends).
HAND_LOG = (
    HEADER + "0,a,join,,,,\n"
    "0,b,join,,a,,\n"
    "0,c,join,,b,,\n"
    "0,c,buy,1000,,,\n"
    "1,b,bonus,30,,c,direct\n"
    "1,a,bonus,25,,c,indirect\n"
    "1,a,bonus,7,,,regional\n"
    "2,b,buy,1000,,,\n"
    "2,a,bonus,30,,b,direct\n"
)


def _replay_hand_log(cli, tmp_path, scenario: Path) -> tuple[dict, object]:
    """:data:`HAND_LOG` replayed under ``scenario``: bonus_check's rows by (member, kind)."""
    log = tmp_path / "export.csv"
    log.write_text(HAND_LOG)
    result = cli("replay", log, "--scenario", scenario, "--out", tmp_path / "out")
    assert result.code == 0, result.err
    rows = pq.read_table(tmp_path / "out" / "bonus_check.parquet").to_pylist()
    return {(r["member"], r["kind"]): r for r in rows}, result


def test_distribution_rules_against_hand_built_records(cli, tmp_path):
    rows, result = _replay_hand_log(cli, tmp_path, generic_with(HAND, tmp_path, HAND_SPLIT))
    assert {k: (r["paid"], r["due"], r["difference"]) for k, r in rows.items()} == {
        ("a", "direct"): (30.0, 30.0, 0.0),
        ("a", "indirect"): (25.0, 20.0, 5.0),
        ("a", "dividend"): (0.0, 10.0, -10.0),
        ("b", "direct"): (30.0, 30.0, 0.0),
    }
    assert (
        "records paid 85.00 yuan of bonuses, the published rules make 90.00 due; FINDING: "
        "1 members paid 5.00 more than the rules allow, 1 paid 10.00 less; not checked (the "
        "log names no region, service point or shop per order): records of kind regional "
        "7.00 yuan"
    ) in result.out
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    checked = summary["rules_against_records"]
    assert checked["paid_beyond_the_rule"] == 5.0
    assert checked["due_and_not_paid"] == 10.0
    assert checked["unchecked_paid"] == {"regional": 7.0}


def test_a_kind_the_rules_do_not_have_is_checked_and_due_nothing(cli, tmp_path):
    """Without a regional rule, a regional record is not passed over: it is due nothing."""
    rules = {"rules": [{"kind": "direct_indirect", "amounts": [0.03, 0.02]}]}
    rows, result = _replay_hand_log(cli, tmp_path, generic_with(rules, tmp_path))
    assert rows[("a", "regional")]["difference"] == 7.0
    assert "not checked" not in result.out


def _model_log(monkeypatch, scenario):
    """Run ``scenario`` on the reference core and write its joins and orders as a platform's
    log (members m1, m2, ... in join order), in the order the rules saw them."""
    calls = []
    join, order = Distribution.join, Distribution.order

    def joined(self, member, recruiter, district, buys=True):
        sponsor = self.network.sponsor(member)
        calls.append(f"{self.today},m{member},join,,{'' if sponsor is None else f'm{sponsor}'},,")
        return join(self, member, recruiter, district, buys)

    def ordered(self, buyer, amount):
        calls.append(f"{self.today},m{buyer},buy,{fen_to_yuan(amount):.2f},,,")
        return order(self, buyer, amount)

    monkeypatch.setattr(Distribution, "join", joined)
    monkeypatch.setattr(Distribution, "order", ordered)
    model = run_model(scenario)
    monkeypatch.undo()
    return model, HEADER + "\n".join(calls) + "\n"


def test_the_models_own_log_is_due_what_the_model_paid(tmp_path, monkeypatch):
    """Every rule a log can feed (chain motion with its frozen fund, the tier and shareholder
    dividends, the level differential with peers, direct/indirect) on the model's own tree
    and orders: what the replay makes due is what the model paid, member by member and kind
    by kind. (Line re-assignment draws at random in the model and spill-over re-places
    joins, so this run has neither; regions, service points and shops are not in a log.)"""
    spec = json.loads(json.dumps(EVERY_RULE))
    spec["distribution"]["placement"] = "direct"
    spec["distribution"]["rules"][0].pop("reassign_every")
    spec["run"] = {"days": 42, "seed": 3, "core": "reference"}
    path = tmp_path / "every-rule.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    scenario = load_scenario(path)
    model, log = _model_log(monkeypatch, scenario)
    assert f"\n{scenario.run.days - 1},m" in log  # orders on the last day (a dividend day)
    events = tmp_path / "model.csv"
    events.write_text(log)
    entitlement = Entitlement.of(scenario)
    replay_file(events, scenario.mechanics(), tmp_path / "out", entitlement=entitlement)

    totals = model.distribution.log.totals()
    paid = Counter()
    for member, rule, level, fen in zip(
        totals.member.tolist(), totals.rule, totals.level.tolist(), totals.fen.tolist(), strict=True
    ):
        kind = record_kind(type("P", (), {"rule": rule, "level": level})())
        if kind not in entitlement.unchecked:
            paid[f"m{member}", kind] += fen
    assert entitlement.unchecked == ("regional", "service", "merchant")
    kinds = {kind for _, kind in paid}
    assert {"direct", "see_point", "peer", "differential", "dividend", "indirect"} <= kinds
    assert sum(paid.values()) > 0
    assert entitlement.due == paid


def test_a_log_spanning_more_days_than_the_rules_walk_is_refused(cli, tmp_path):
    """The rules end every day in turn: a log from day 0 to day 10**9 is a one-line error at
    the far row, not a loop of a billion days."""
    scenario = generic_with(HAND, tmp_path, HAND_SPLIT)
    log = tmp_path / "events.csv"
    log.write_text(HEADER + "0,a,join,,,,\n0,a,buy,1000,,,\n1000000000,a,buy,1000,,,\n")
    out = tmp_path / "out"
    result = cli("replay", log, "--scenario", scenario, "--out", out)
    assert_refused(result, "events.csv:4", "day", "36,600 days")
    assert_nothing_written(tmp_path, out)
