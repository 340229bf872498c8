"""Money is conserved, to the fen, every day of random valid scenarios with every stress lever
and every distribution preset: the model checks its ledger at the close of each day (a
LedgerError would end the run), and here the books are checked again from outside."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, reject, settings
from hypothesis import strategies as st

from sim.batch.run import simulate
from sim.errors import BeyondRange
from sim.scenario.reader import load_yaml
from sim.scenario.root import Scenario
from tests.conftest import SCENARIOS

BASES = (  # the generic split, and each preset with the split lines it pays from
    "seed-generic-3x",
    "seed-004-pack-3x-direct-only",
    "seed-local-services-distribution",
    "two-level-only",
)

LEVERS = st.fixed_dictionaries(
    {},
    optional={
        "diversion": st.fixed_dictionaries(
            {
                "daily_share": st.sampled_from([Decimal("0.001"), Decimal("0.05")]),
                "start_day": st.integers(0, 20),
                "on_days": st.lists(
                    st.fixed_dictionaries(
                        {
                            "day": st.integers(0, 25),
                            "share": st.sampled_from([Decimal("0.1"), Decimal("0.9")]),
                        }
                    ),
                    max_size=2,
                ),
            }
        ),
        "custody_shortfall": st.sampled_from([Decimal("0.1"), Decimal("0.5")]),
        "withdrawal_cap": st.sampled_from([Decimal("100"), Decimal("5000")]),
        "halt_day": st.integers(5, 25),
        "subsidies": st.lists(
            st.fixed_dictionaries(
                {
                    "day": st.integers(0, 25),
                    "amount": st.sampled_from([Decimal("1000"), Decimal("12345.67")]),
                }
            ),
            max_size=2,
        ),
        "legacy": st.fixed_dictionaries(
            {
                "claims": st.sampled_from([Decimal("50000"), Decimal("3000000")]),
                "members": st.integers(1, 50),
                "start_day": st.integers(0, 15),
                "batches": st.integers(1, 4),
                "every_days": st.integers(1, 7),
                "sell_probability": st.sampled_from([Decimal("0"), Decimal("0.5"), Decimal("1")]),
                "reading": st.sampled_from(["price_growth", "full_value"]),
            }
        ),
    },
)


@settings(max_examples=100, deadline=None)
@given(
    base=st.sampled_from(BASES),
    stress=LEVERS,
    multiple=st.sampled_from([None, Decimal("1.2"), Decimal("2"), Decimal("3")]),
    rate=st.integers(0, 25),
    seed=st.integers(0, 2**32),
)
def test_every_lever_and_preset_conserves_money_every_day(base, stress, multiple, rate, seed):
    data, _ = load_yaml(SCENARIOS / f"{base}.yaml")
    data.pop("sweep", None)
    data["points"]["exit_multiple"] = multiple
    data["run"] = {"days": 30, "seed": seed}
    data["inflow"] = {"kind": "constant", "rate": rate, "initial_members": 15}
    data["stress"] = stress
    try:
        result = simulate(Scenario.from_dict(data))
    except BeyondRange as refused:  # legacy claims on an empty pool dilute without bound
        assert refused.key == "points.decimals" and "legacy" in stress
        reject()
    ledger = result.model.book.ledger
    assert ledger.total() == ledger.entered == sum(ledger.entered_by.values())
    halt = stress.get("halt_day", 30)  # a halted platform takes no more financing
    subsidies = sum(int(s["amount"] * 100) for s in stress.get("subsidies", []) if s["day"] < halt)
    assert ledger.entered_by.get("financing", 0) == subsidies
    assert len(result.rows) == 30
    entered = 0
    for row in result.rows:  # every day's row holds exactly the money that had entered
        entered += row["order_volume"] + row["subsidies"] + row.get("fees", 0)
        assert sum(v for k, v in row.items() if k.startswith("account_")) == entered
