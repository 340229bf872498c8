"""A daily-release run's referral network (:mod:`sim.model.release_network`): who was paid on
whose purchase, by hand; the network changes none of the run's money; the promoters' pay adds
up to what the fund paid them; and the pyramid flags are measured on it, against the filing
thresholds, exactly at their edges."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

from sim.analysis.scheme_flags import scheme_flags
from sim.batch.run import simulate
from sim.core.release import BUYER, MERCHANT, PROMOTER, Account, ReleaseFund, ReleaseTerms
from sim.model import release_network as rn
from sim.model.cohorts import paid_of
from sim.scenario.root import load_scenario


def _fund(accounts: list[Account]) -> ReleaseFund:
    return ReleaseFund(ReleaseTerms(Fraction(16, 100), Fraction(1)), accounts=accounts)


def test_each_sponsor_is_paid_their_recruits_part_of_the_days_promoter_points(monkeypatch):
    """Day 0: three buyers, the day's promoter account released 90 fen; day 1: two buyers,
    released nothing yet. Sponsors: 2 and 3 under 1, 4 under 2, 5 a root."""
    fund = _fund(
        [
            Account(0, BUYER, 3, 100_000, 0, released=500),
            Account(0, MERCHANT, 1, 48_000, 0, released=70),
            Account(0, PROMOTER, 1, 132_000, 0, released=90),
            Account(1, BUYER, 2, 100_000, 0),
            Account(1, PROMOTER, 1, 88_000, 0),
        ]
    )
    monkeypatch.setattr(rn, "draw_sponsors", lambda *_: np.array([0, 1, 1, 2, 0]))
    network = rn.release_network(None, 1, fund)
    assert network.promoter_pay == [60, 0, 0, 0, 0]  # 2 x 90/3 to member 1; day 1's: nothing
    assert network.paid_links.tolist() == [False, True, True, False, False]
    members, links, parents = rn.tree_table(network, fund, 100_000)
    assert parents.tolist() == [-1, 0, 0, 1, -1] and links is network.paid_links
    assert members.join_day.tolist() == [0, 0, 0, 1, 1]
    assert members.cash_received.tolist() == [500, 500, 500, 0, 0]
    assert members.bonuses_received.tolist() == [60, 0, 0, 0, 0]


@pytest.mark.parametrize(
    "levels, pay, links",
    [
        (1, [60, 30, 0, 0, 0], [False, True, True, True, False]),
        (2, [45, 15, 0, 0, 0], [False, True, True, True, False]),
        (3, [30, 10, 0, 0, 0], [False, True, True, True, False]),
    ],
)
def test_the_promoter_points_split_over_levels_up_the_line(monkeypatch, levels, pay, links):
    """Day 0: four buyers, the day's promoter account released 120 fen (30 each); day 1: one
    buyer, nothing released yet. Sponsors: 2 and 3 under 1, 4 under 2, 5 under 4. Over two
    levels member 4's 30 is 15 to member 2 and 15 to member 1 (its part crosses the links
    4-2 and 2-1); member 2's and 3's halves above member 1, a root, stay with the platform."""
    fund = _fund(
        [
            Account(0, BUYER, 4, 100_000, 0, released=400),
            Account(0, PROMOTER, 1, 176_000, 0, released=120),
            Account(1, BUYER, 1, 100_000, 0),
            Account(1, PROMOTER, 1, 44_000, 0),
        ]
    )
    monkeypatch.setattr(rn, "draw_sponsors", lambda *_: np.array([0, 1, 1, 2, 4]))
    network = rn.release_network(None, 1, fund, levels)
    assert network.promoter_pay == pay
    assert network.paid_links.tolist() == links
    platform = 120 - sum(network.promoter_pay)  # a root's part and what rose above one
    assert platform == {1: 30, 2: 60, 3: 80}[levels]


def _scenario(tmp_path, network: dict | None, members: int = 40, rate: float = 3):
    return load_scenario(_scenario_file(tmp_path, network, members, rate))


def _scenario_file(tmp_path, network: dict | None, members: int = 40, rate: float = 3):
    data = {
        "name": "release-network",
        "scheme": {"kind": "daily_release", "preset": "yunlianhui", "membership_fee": 99.9},
        "order": {"amount": 1000, "split": {"pool": 1}},
        "inflow": {"kind": "constant", "initial_members": members, "rate": rate},
        "run": {"days": 60, "seed": 3},
    }
    if network is not None:
        data["network"] = network
    path = tmp_path / f"net-{len(list(tmp_path.iterdir()))}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_the_network_changes_none_of_the_money_and_the_pay_adds_up(tmp_path, monkeypatch):
    plain = simulate(_scenario(tmp_path, None))
    seen = []  # the run's own fund and network, as the run drew it

    def kept(scenario, seed, fund, levels=1):
        seen.append((fund, rn.release_network(scenario, seed, fund, levels)))
        return seen[-1][1]

    monkeypatch.setattr("sim.model.release_run.release_network", kept)
    drawn = simulate(_scenario(tmp_path, {"sponsor": "uniform", "recruited_share": 0.8}))
    assert drawn.rows == plain.rows
    money = [k for k in plain.summary if k not in ("red_flags", "scenario_definition")]
    assert {k: drawn.summary[k] for k in money} == {k: plain.summary[k] for k in money}
    assert drawn.members.select(plain.members.schema.names).equals(plain.members)
    members, _, parents = drawn.network
    sponsors = members.sponsor.to_numpy()
    assert (sponsors == 0).any() and (sponsors > 0).sum() > len(sponsors) // 2
    assert (parents < np.arange(len(parents))).all()  # a sponsor joined before the recruit
    # every promoter account's releases: to sponsors (exact) or, for roots, the platform's own
    ((fund, network),) = seen
    assert sum(network.promoter_pay) + _roots_part(fund, sponsors) == plain.paid.to_promoters
    pay = [float(p) / 100 for p in network.promoter_pay]
    assert drawn.members.column("promoter_pay").to_pylist() == pay


def _roots_part(fund: ReleaseFund, sponsors: np.ndarray) -> Fraction:
    """What the roots' purchases released to promoters: kept by the platform's own."""
    buyers = [a for a in fund.accounts if a.holder == BUYER]
    promoted = {a.day: a.released for a in fund.accounts if a.holder == PROMOTER}
    days = np.repeat([a.day for a in buyers], [a.count for a in buyers])
    counts = {a.day: a.count for a in buyers}
    return sum(
        (Fraction(promoted.get(int(d), 0), counts[int(d)]) for d in days[sponsors == 0]),
        Fraction(0),
    )


def _line(n: int, paid: bool = True) -> tuple:
    """``n`` members in a line (each recruited by the one before), each paid in 1,099 yuan;
    every link carried pay unless ``paid`` is False."""
    members = pd.DataFrame(
        {
            "member": np.arange(1, n + 1),
            "join_day": np.zeros(n, np.int64),
            "sponsor": np.arange(n),
            "spent": np.full(n, 109_990),
            "cash_received": np.zeros(n, np.int64),
            "bonuses_received": np.zeros(n, np.int64),
            "forced_exits": np.zeros(n, np.int64),
            "fees_paid": np.full(n, 9_990),
        }
    )
    links = np.arange(n) > 0 if paid else np.zeros(n, bool)
    return members, links, np.arange(n) - 1


@pytest.mark.parametrize(
    "n, paid, raised", [(29, True, False), (30, True, True), (30, False, False)]
)
def test_the_pyramid_flags_on_a_line_of_recruits_at_the_filing_threshold(tmp_path, n, paid, raised):
    """30 participants over at least 3 levels (the 2013 Opinion): a line of 29 paid members
    is below it, 30 meets it under both readings; unpaid links make no organisation."""
    scenario = _scenario(tmp_path, None)
    paid_money = paid_of([(n, 109_990, 0)], 1)
    flags = scheme_flags(paid_money, scenario.scheme, _line(n, paid))
    pyramid = [f for f in flags if f.key == "pyramid_levels"]
    assert [f.reading for f in pyramid] == ["platform", "leader"]
    assert all(f.raised == raised for f in pyramid)
    if paid:
        platform = pyramid[0].measured
        assert platform["participants"] == n and platform["compensated_links"] == n - 1
    assert [f.key for f in flags][:4] == [
        "illegal_fundraising",
        "entry_fee",
        "recruitment_pay",
        "promised_multiple",
    ]


def test_a_run_without_a_network_has_no_pyramid_flag_and_one_with_it_has_them(tmp_path):
    plain = simulate(_scenario(tmp_path, None))
    keys = [flag["key"] for flag in plain.summary["red_flags"]]
    assert "pyramid_levels" not in keys and plain.network is None
    drawn = simulate(_scenario(tmp_path, {"sponsor": "uniform"}))
    flags = {(f["key"], f["reading"]): f for f in drawn.summary["red_flags"]}
    platform = flags["pyramid_levels", "platform"]
    assert platform["raised"] and platform["participants"] == drawn.summary["members"]
    assert ("pyramid_serious", "leader") in flags


def test_the_members_file_names_each_sponsor_and_their_promoter_pay(cli, tmp_path):
    out = tmp_path / "out"
    result = cli("run", _scenario_file(tmp_path, {"sponsor": "preferential"}), "--out", out)
    assert result.code == 0, result.err
    members = pq.read_table(out / "members.parquet").to_pandas()
    assert members.sponsor.isna().iloc[0] and members.sponsor.iloc[1:].notna().all()
    assert members.promoter_pay.sum() > 0


def test_the_side_by_side_report_measures_the_pyramid_flags_of_a_network(cli, tmp_path):
    """A release scheme whose scenario sets ``network``: the report counts the runs that
    raised each pyramid flag (a uniform tree of 220 or so paying members: every run), where a
    release run without one says 'not measured'."""
    from sim.batch.runner import run_batch

    files = [
        _scenario_file(tmp_path, {"sponsor": "uniform"}),
        _scenario_file(tmp_path, None),
    ]
    data = yaml.safe_load(files[1].read_text(encoding="utf-8"))
    data["name"] = "release-plain"
    files[1].write_text(yaml.safe_dump(data), encoding="utf-8")
    run_batch(files, 2, tmp_path / "batch", workers=1)
    page = tmp_path / "side.html"
    result = cli("report", tmp_path / "batch", "--out", page)
    assert result.code == 0, result.err
    lines = page.with_suffix(".md").read_text(encoding="utf-8").splitlines()
    *_, drawn = (line for line in lines if line.startswith("| release-network"))
    *_, plain = (line for line in lines if line.startswith("| release-plain"))
    assert drawn.count("2 of 2") == 6 and "not measured" not in drawn  # 4 + the 2 pyramid
    assert plain.count("not measured") == 2 and plain.count("2 of 2") == 4
