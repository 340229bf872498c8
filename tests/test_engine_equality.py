"""The compiled core equals the reference on random scenarios, day by day and member by
member: the same rows of exact figures, the same members table, the same bonuses.

Each scenario is drawn across what a run can vary — exit rules, point decimals, minimum
spend, order amounts, the member mix and its behaviours (repeat orders, sell targets,
comebacks, recruits with a market size, panic triggers of each kind), the sponsor rules,
the two-level referral and the distribution presets, the inflow processes with and without
noise, and every stress lever (a withdrawal cap, a halt, a custody shortfall, the operator's
diversion, financing rounds, legacy claims released as points) — and run on both cores with
the same seed. The files follow from these tables by one writer (tests.test_fast_core
compares the files of the shipped scenarios)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.batch.run import simulate
from sim.core.kernel_book import KernelBook
from sim.errors import BeyondRange
from sim.model.members import member_table
from sim.scenario.reader import load_yaml
from sim.scenario.root import Scenario
from tests.conftest import SCENARIOS
from tests.test_kernel_levers import assert_beyond_range

BASES = (
    "seed-generic-3x",
    "two-level-only",
    "seed-004-pack-3x-direct-only",
    "seed-004-chain-motion",
    "seed-local-services-distribution",
)
D = Decimal

inflows = st.one_of(
    st.fixed_dictionaries(
        {
            "kind": st.just("constant"),
            "rate": st.sampled_from([0, 3, D("7.5"), 20]),
            "noise": st.sampled_from(["poisson", "none"]),
        }
    ),
    st.fixed_dictionaries(
        {
            "kind": st.just("growth_decay"),
            "rate": st.sampled_from([2, 10]),
            "growth": st.sampled_from([D("0.01"), D("0.08")]),
            "decay_start_day": st.integers(5, 25),
            "half_life_days": st.sampled_from([3, 10]),
        }
    ),
    st.fixed_dictionaries(
        {
            "kind": st.just("bass"),
            "market_size": st.integers(40, 400),
            "innovation": st.sampled_from([D("0.01"), D("0.05")]),
            "imitation": st.sampled_from([D("0.3"), D("0.8")]),
        }
    ),
    st.fixed_dictionaries({"kind": st.just("referral")}),
)

MIXES = [  # consumer, referrer, panic seller
    (D("1"), D("0"), D("0")),
    (D("0.5"), D("0.5"), D("0")),
    (D("0.4"), D("0.3"), D("0.3")),
    (D("0"), D("1"), D("0")),
    (D("0.2"), D("0.1"), D("0.7")),
    (D("0"), D("0.5"), D("0.5")),
]
shares = st.sampled_from([D("0"), D("0.3"), D("0.7"), D("1")])

population = st.fixed_dictionaries(
    {
        "mix": st.sampled_from(MIXES).map(
            lambda mix: dict(zip(("consumer", "referrer", "panic_seller"), mix, strict=True))
        ),
        "consumer": st.fixed_dictionaries(
            {
                "rebuy_probability": shares,
                "rebuy_interval_days": st.sampled_from([D("0.5"), 1, D("4.5"), 30]),
                "reentry_probability": shares,
                "reentry_delay_days": st.sampled_from([1, 3, 12]),
            },
            optional={
                "amount": st.one_of(
                    st.sampled_from([D("199"), D("1000"), D("2999.99")]),
                    st.just({"choices": [199, 1000, D("2999.99")], "weights": [1, 3, D("0.5")]}),
                ),
                "sell_target": st.sampled_from(
                    [
                        {"low": D("0.3"), "high": D("0.6")},
                        {"low": D("1.02"), "high": D("1.3")},
                        {"low": D("1.5"), "high": D("1.5")},
                    ]
                ),
            },
        ),
        "referrer": st.fixed_dictionaries(
            {
                "reach": st.sampled_from([1, 2, D("9.5"), 25]),
                "recruit_rate": st.sampled_from([D("0.05"), D("0.2"), 1]),
            }
        ),
        "panic_seller": st.fixed_dictionaries(
            {
                "react_probability": st.sampled_from([D("0.3"), D("1")]),
                "shock_days": st.lists(st.integers(0, 45), min_size=1, max_size=2, unique=True),
            },
            optional={
                "herding": st.just({"window_days": 5, "above": D("0.05")}),
                "price_growth": st.just({"window_days": 4, "below": D("0.01")}),
            },
        ),
    }
)

points = st.fixed_dictionaries(
    {
        "exit_multiple": st.sampled_from([None, D("1.2"), D("1.5"), 2]),
        "exit_points": st.sampled_from(["held", "obtained"]),
        "exit_against": st.sampled_from(["spend", "grant_value"]),
        "exit_counts_cash": st.booleans(),
        "decimals": st.sampled_from([0, 2, 4]),
        "min_spend_to_sell": st.sampled_from([0, 1200]),
    }
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base=st.sampled_from(BASES),
    inflow=inflows,
    initial=st.integers(0, 40),
    people=population,
    rules=points,
    sponsor=st.sampled_from(["none", "uniform", "preferential", "branching"]),
    referral=st.sampled_from([None, (D("0.1"), D("0.05")), (D("0.3"), 0)]),
    stress=st.fixed_dictionaries(
        {},
        optional={
            "withdrawal_cap": st.sampled_from([D("100"), D("5000")]),
            "halt_day": st.integers(5, 45),
            "custody_shortfall": st.sampled_from([D("0.1"), D("0.45")]),
            "diversion": st.sampled_from(
                [
                    {"daily_share": D("0.01"), "start_day": 10},
                    {"on_days": [{"day": 20, "share": D("0.9")}, {"day": 21, "share": 1}]},
                ]
            ),
            "subsidies": st.just([{"day": 8, "amount": 5000}, {"day": 30, "amount": 20000}]),
            "legacy": st.fixed_dictionaries(
                {
                    "claims": st.sampled_from([3000, 200_000]),
                    "members": st.integers(1, 6),
                    "start_day": st.integers(0, 20),
                    "batches": st.integers(1, 4),
                    "every_days": st.sampled_from([1, 7]),
                    "sell_probability": st.sampled_from([D("0.5"), 1]),
                    "reading": st.sampled_from(["price_growth", "full_value"]),
                }
            ),
        },
    ),
    withdraw=st.booleans(),
    market=st.sampled_from([60, 300, 1500]),
    seed=st.integers(0, 2**32),
)
def test_the_fast_core_equals_the_reference_on_random_scenarios(
    base, inflow, initial, people, rules, sponsor, referral, stress, withdraw, market, seed
):
    data, _ = load_yaml(SCENARIOS / f"{base}.yaml")
    data.pop("sweep", None)
    data["points"].update(rules)
    data["run"] = {"days": 50, "seed": seed, "core": "reference"}
    data["inflow"] = {**inflow, "initial_members": initial}
    if inflow["kind"] == "bass":
        data["inflow"]["initial_members"] = min(initial, inflow["market_size"])
    else:  # recruits multiply: a market keeps the runs small (and is exhausted at times)
        data["inflow"]["market_size"] = market
    data["population"] = {**people, "consumer": {**people["consumer"], "withdraw": withdraw}}
    if inflow["kind"] == "referral":  # recruits are the only newcomers: some must recruit
        data["population"]["mix"] = {"consumer": D("0.5"), "referrer": D("0.5")}
        data["inflow"]["initial_members"] = max(initial, 1)
    data["network"] = {"sponsor": sponsor}
    if (
        "distribution" in data["order"]["split"]
        and referral is not None
        and "distribution" not in data
    ):
        data["referral"] = {"direct": referral[0], "indirect": referral[1]}
        data["order"].pop("rules_not_given", None)  # the referral rules are given here
    data["stress"] = stress
    reference = simulate(Scenario.from_dict(data))
    data["run"]["core"] = "fast"
    try:
        fast = simulate(Scenario.from_dict(data))
    except BeyondRange:  # honest only if the reference's points really outgrew 64 bits
        book = reference.model.book
        assert_beyond_range(book, KernelBook(book.mechanics, 1))
        return
    assert fast.rows == reference.rows
    assert member_table(fast.model).equals(member_table(reference.model))
    if reference.model.distribution is not None:
        totals = [run.model.distribution.log.totals() for run in (fast, reference)]
        for fast_column, reference_column in zip(*totals, strict=True):
            assert list(fast_column) == list(reference_column)
