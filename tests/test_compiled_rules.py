"""The compiled rule set (:mod:`sim.distribution.compiled_orders`, ``compiled_joins``) equals
the Python rules it restates, payout for payout: two distribution layers, one per
implementation, see the same joins and orders on random networks under random settings; the
joiners' places, districts and purchases, every day's payouts (in order, with their
source), leftovers, day outcomes and, at the close, everything the rules keep per member
must be the same."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.distribution.base import Outcome
from sim.distribution.compiled_layout import RULE_NAMES
from sim.distribution.compiled_rules import unsupported
from sim.distribution.network import ReferralNetwork
from sim.distribution.runtime import Distribution
from sim.scenario.root import Scenario
from tests.test_distribution_model import EVERY_RULE, pack


def scenario(chain: dict, rules: list[dict], ladder: list[dict], placement: str) -> Scenario:
    spec = {k: v for k, v in EVERY_RULE["distribution"].items() if k != "rules"}
    spec |= {"placement": placement, "ladder": ladder}
    spec["rules"] = [{"kind": "chain_motion", **chain}, *rules]
    return Scenario.from_dict({**EVERY_RULE, "distribution": spec})


def reference_rows(outcomes: list[Outcome]) -> tuple[list[tuple], dict]:
    """The payouts (with their source) in order, and leftovers summed by (source, account)."""
    rows, moved = [], {}
    for outcome in outcomes:
        for p in outcome.payouts:
            rows.append((p.member, p.amount, outcome.source, p.rule, p.level, p.reason))
        for account, fen in outcome.leftovers.items():
            moved[outcome.source, account] = moved.get((outcome.source, account), 0) + fen
    return rows, moved


def compiled_rows(batch, accounts: list[str]) -> tuple[list[tuple], dict]:
    sources = [accounts[s] for s in batch.rows[:, 2].tolist()]
    rows = [
        (p.member, p.amount, source, p.rule, p.level, p.reason)
        for p, source in zip(batch.payouts(), sources, strict=True)
    ]
    moved = {(accounts[s], accounts[a]): fen for (s, a), fen in batch.leftovers.items() if fen}
    return rows, moved


def state_of(dist: Distribution) -> dict:
    """What the rules keep per member, as the reference keeps it."""
    if dist.compiled is not None:
        dist.compiled.export()
    s = dist.rules.state
    return {
        "counters": (s.own_orders, s.own_volume, s.team_orders, s.team_volume),
        "tiers": (s.tier, {t: m for t, m in s.tier_members.items() if m}),
        "chain": (s.identity, s.agent_recruits, s.task_done, s.recruiter),
        "lines": {m: lines for m, lines in s.contributed.items() if lines},
        "frozen": {m: parts for m, parts in s.frozen.items() if parts},
        "pools": {name: fen for name, fen in s.pools.items() if fen},
    }


def drive(
    spec: Scenario, seed: int, days: int, joins: int, orders: int
) -> tuple[list, Distribution]:
    """Run both layers side by side; the payouts compared, and the compiled layer."""
    mechanics = spec.mechanics()
    layers = []
    for compiled in (False, True):
        net = ReferralNetwork(16)
        layers.append(Distribution(spec.distribution, mechanics, net, seed, compiled=compiled))
    reference, fast = layers
    assert reference.compiled is None and fast.compiled is not None
    rng = np.random.default_rng(seed)
    amounts = np.array([100_000, 200_000, 49_900, 300_000, 1_000])
    compared = []
    for day in range(days):
        for dist in layers:
            dist.today = day
        chosen, bought = [], []
        for _ in range(int(rng.integers(0, joins + 1))):
            n = len(reference.network)
            recruiter = int(rng.integers(1, n + 1)) if n and rng.random() < 0.85 else None
            chosen.append(recruiter or 0)
            member = len(reference.network) + 1
            placed, district = reference.place(member, recruiter)
            reference.network.add(member, placed, district)
            outcomes, incomes = reference.join(member, recruiter, district)
            assert outcomes == []
            bought += incomes
        if chosen:  # the compiled joins: the day's joiners at once
            first = len(fast.network) + 1
            members = np.arange(first, first + len(chosen), dtype=np.int64)
            placed, districts, incomes = fast.place_all(members, np.array(chosen, np.int64))
            for m, p, d in zip(members.tolist(), placed.tolist(), districts.tolist(), strict=True):
                fast.network.add(m, p or None, d)
            fast.joined_all(members, np.array(chosen, np.int64))
            assert incomes == bought, f"day {day}: what the joiners bought differs"
            assert np.array_equal(fast.network.sponsors(), reference.network.sponsors())
            assert np.array_equal(fast.network.regions(), reference.network.regions())
        n = len(reference.network)
        if n:
            count = int(rng.integers(0, orders + 1))
            buyers = rng.integers(1, n + 1, count).astype(np.int64)
            spends = amounts[rng.integers(0, len(amounts), count)]
            expected = []
            for b, a in zip(buyers.tolist(), spends.tolist(), strict=True):
                expected += reference.order(b, a)
            batch = fast.orders(buyers, spends)
            want = reference_rows(expected)
            got = compiled_rows(batch, fast.compiled.accounts)
            assert got[0] == want[0], f"day {day}: payouts differ"
            assert got[1] == want[1], f"day {day}: leftovers differ"
            compared += want[0]
        assert fast.day(day) == reference.day(day), f"day {day}: day outcomes differ"
    assert state_of(fast) == state_of(reference)
    assert fast.fees == reference.fees
    assert fast.venues.points == reference.venues.points
    assert fast.close() == reference.close()
    assert _same_totals(fast, reference)
    return compared, fast


def _same_totals(a: Distribution, b: Distribution) -> bool:
    x, y = a.log.totals(), b.log.totals()
    return (
        np.array_equal(x.member, y.member)
        and x.rule == y.rule
        and np.array_equal(x.level, y.level)
        and x.reason == y.reason
        and np.array_equal(x.fen, y.fen)
    )


LADDERS = st.sampled_from(
    [
        [
            {"name": "partner", "pack": 2000},
            {"name": "co_founder", "team_volume": 5000},
            {"name": "director", "team_volume": 20000},
        ],
        [
            {"name": "partner", "own_spend": 1000, "team_volume": 3000},
            {"name": "co_founder", "pack": 3000},
            {"name": "director", "own_spend": 5000},
        ],
        [
            {"name": "partner", "team_size": 3},
            {"name": "co_founder", "team_size": 8, "team_volume": 5000},
            {"name": "director", "pack": 3000, "team_size": 30},
        ],
    ]
)
CHAIN = st.fixed_dictionaries(
    {
        "peer": st.sampled_from([0, 0.05, 0.1]),
        "freeze": st.sampled_from([0, 0.2, 0.5]),
        "boss_at": st.integers(1, 4),
        "orders_over": st.integers(0, 30),
        "contribute": st.sampled_from(["joined", "agents"]),
        "unlock": st.sampled_from(["either", "both"]),
        "promote_first": st.booleans(),
        "peer_to": st.sampled_from(["recruiter_boss", "team_owner"]),
    },
    optional={"reassign_every": st.sampled_from([2, 5])},
)
OTHERS = st.fixed_dictionaries(
    {
        "diff_peer": st.sampled_from([None, 0.1, 0.5]),
        "include_buyer": st.booleans(),
        "regional_differential": st.booleans(),
        "direct": st.sampled_from([[0.01], [0.01, 0.005], [pack(5), pack(3), 0.002]]),
        "shareholders": st.sampled_from(["shares", "volume"]),
    }
)


def other_rules(o: dict) -> list[dict]:
    return [
        {"kind": "tier_dividend", "shares": {"director": 0.3, "partner": 0.4}, "period": 5},
        {
            "kind": "level_differential",
            "amounts": [pack(10), pack(20), pack(30)],
            "peer": o["diff_peer"],
            "include_buyer": o["include_buyer"],
        },
        {
            "kind": "regional_agents",
            "amounts": [
                pack(y) for y in ((3, 5, 8, 10) if o["regional_differential"] else (1, 2, 3, 4))
            ],
            "differential": o["regional_differential"],
        },
        {"kind": "service_points"},
        {"kind": "direct_indirect", "amounts": o["direct"], "allot": 0.03},
        {"kind": "merchant_recruitment", "share": 0.005, "allot": 0.01},
        {
            "kind": "shareholder_dividend",
            "weight": o["shareholders"],
            "period": 4,
            "founders": 6,
            "allot": 0.02,
        },
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    chain=CHAIN,
    others=OTHERS,
    ladder=LADDERS,
    placement=st.sampled_from(["spill_over", "direct"]),
    seed=st.integers(0, 2**16),
)
def test_the_compiled_rules_pay_what_the_python_rules_pay(chain, others, ladder, placement, seed):
    spec = scenario(chain, other_rules(others), ladder, placement)
    drive(spec, seed, days=24, joins=12, orders=30)


def test_a_long_run_pays_thousands_of_payouts_the_same():
    chain = {"peer": 0.1, "freeze": 0.2, "boss_at": 3, "orders_over": 20}
    others = {"diff_peer": 0.1, "include_buyer": False, "regional_differential": True}
    others["shareholders"] = "volume"
    spec = scenario(
        chain,
        other_rules(others | {"direct": [0.01, 0.005]}),
        EVERY_RULE["distribution"]["ladder"],
        "spill_over",
    )
    compared, fast = drive(spec, 7, days=60, joins=40, orders=150)
    assert len(compared) > 5_000
    state = fast.rules.state  # regions, service points and shops were bought on the way
    assert state.region_owner and state.service_points and state.merchant_promoter
    assert {row[3] for row in compared} == set(RULE_NAMES)  # every rule paid per order
    paid = set(fast.log.totals().rule)  # and the dividends, compared day by day
    assert {"tier_dividend", "shareholder_dividend"} <= paid
    assert {row[2] for row in compared if row[3] == "chain_direct"} == {
        "chain_motion",
        "chain_frozen",  # frozen and released
    }


def test_every_rule_has_a_compiled_twin():
    spec = Scenario.from_dict(EVERY_RULE)  # every rule kind, line re-assignment included
    rules = Distribution(spec.distribution, spec.mechanics(), ReferralNetwork(), 1).rules
    assert unsupported(rules) is None
    dist = Distribution(spec.distribution, spec.mechanics(), ReferralNetwork(), 1, compiled=True)
    assert dist.compiled is not None


def test_lines_are_reassigned_the_same():
    chain = {"peer": 0.1, "freeze": 0.5, "boss_at": 2, "orders_over": 40, "reassign_every": 3}
    others = {"diff_peer": None, "include_buyer": False, "regional_differential": True}
    others |= {"direct": [0.01], "shareholders": "shares"}
    spec = scenario(chain, other_rules(others), EVERY_RULE["distribution"]["ladder"], "direct")
    _, fast = drive(spec, 11, days=45, joins=25, orders=60)
    released = [p for p in fast.log.totals().rule]  # the day outcomes were compared daily
    assert released and fast.rules.state.identity


def test_spill_over_placed_in_python_carries_on_compiled():
    """Members placed in Python before the compiled joins take over (a run's legacy
    members) are where the compiled places expect them: both go on the same."""
    from sim.distribution.compiled_joins import SpillPlaces, _spill
    from sim.distribution.spillover import SpillOver

    rng = np.random.default_rng(4)
    python = SpillOver()
    recruiters = rng.integers(1, 6, 400).tolist()
    for member, recruiter in enumerate(recruiters[:150], start=10):
        python.place(recruiter, member)
    places = SpillPlaces(python)
    for member, recruiter in enumerate(recruiters[150:], start=160):
        places.room(1, recruiter)
        got = _spill(places.count, places.table, places.filled, recruiter, member)
        assert got == python.place(recruiter, member)
    assert places.filled[0] == 400 and 2 * places.filled[0] <= len(places.table)


def test_the_numba_caches_notice_an_edit_to_the_code_they_compile_in():
    """numba's cache tracks each module's own file (numba#1833): each compiled module's
    digest of the modules it calls into must be up to date, so an edit there is one here
    (and a stale cache cannot run yesterday's rule)."""
    import hashlib
    import importlib
    from pathlib import Path

    for name in ("compiled_purse", "compiled_chain", "compiled_orders", "compiled_joins"):
        module = importlib.import_module(f"sim.distribution.{name}")
        digest = hashlib.sha256()
        for dep in module.DEPENDENCIES:
            path = Path(importlib.import_module(f"sim.distribution.{dep}").__file__)
            digest.update(path.read_text(encoding="utf-8").encode())
        found = digest.hexdigest()
        assert found == module.DEPENDENCIES_SHA256, f"set {name}.DEPENDENCIES_SHA256 = {found!r}"


def test_the_shipped_distribution_scenarios_run_compiled():
    """The fast core's distribution runs take the compiled joins and orders (a silent fall
    back to the Python rules would leave the equality tests comparing Python with Python)."""
    from sim.model.mesa_model import SchemeModel
    from sim.scenario.root import load_scenario
    from tests.conftest import SCENARIOS

    for name in ("seed-004-chain-motion", "seed-local-services-distribution", "two-level-only"):
        model = SchemeModel(load_scenario(SCENARIOS / f"{name}.yaml"), days=2)
        assert model.distribution.compiled is not None, name
        assert model._joins is not None, name  # the walk-ins pass places through the layer
