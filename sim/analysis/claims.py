"""The six claims of the source documents (SPEC §5), each tested on a batch's runs.

Each test returns a :class:`Verdict`: ``held``, ``failed`` or ``not testable``, a paragraph
of evidence in plain words with the numbers from the runs, and a table with one row per
scenario. A claim is judged per scenario, then overall: it **failed** if it failed in any
scenario (the vendor says "always"), **held** if it held in every scenario that could test
it, and is **not testable** when no scenario of the batch can test it — the evidence then
names the scenario it needs.

What each test uses:

1. price never falls — every run's daily price (``timeseries``), the stress levers set;
2. early members exit fast, then a bottleneck — members of re-run replicates: the share of
   each join cohort forced out within a quarter of the horizon of joining (only cohorts that
   had that long, so late ones are not cut short); held when at least a quarter of the first
   cohort was out by then ("fast") and the share falls from cohort to cohort;
3. panic sales make the price jump and start a new cycle — daily price changes on the days a
   panic trigger fired against the other days, and the price 30 days later (not testable
   when the price jumped but no panic came early enough to look that far ahead);
4. financing rounds inject money into the pool — the subsidies booked, and the share of
   buyers losing with and without them on the same seeds (re-runs);
5. points become shares of a listed company — no rule does this: not testable;
6. legacy debts are paid from new members' money — what old members received, against
   their claims, and who funded it.

The evidence and the verdict are in :mod:`sim.analysis.evidence`, claims 1 to 3 in
:mod:`sim.analysis.claims_price`, claims 4 to 6 in :mod:`sim.analysis.claims_money`; every
name the report and tests use is importable from here.
"""

from __future__ import annotations

from sim.analysis.claims_money import claim_financing, claim_legacy_debts, claim_listed_shares
from sim.analysis.claims_price import (
    AFTER_DAYS,
    EARLY_SHARE,
    claim_early_exit_then_bottleneck,
    claim_panic_restarts_cycle,
    claim_price_never_falls,
    cohort_exits,
)
from sim.analysis.evidence import (
    CLAIMS,
    FAILED,
    HELD,
    UNTESTABLE,
    Rerun,
    ScenarioEvidence,
    Verdict,
    levers,
    overall,
)

__all__ = [
    "AFTER_DAYS",
    "CLAIMS",
    "EARLY_SHARE",
    "FAILED",
    "HELD",
    "TESTS",
    "UNTESTABLE",
    "Rerun",
    "ScenarioEvidence",
    "Verdict",
    "claim_early_exit_then_bottleneck",
    "claim_financing",
    "claim_legacy_debts",
    "claim_listed_shares",
    "claim_panic_restarts_cycle",
    "claim_price_never_falls",
    "cohort_exits",
    "judge_claims",
    "levers",
    "overall",
]

TESTS = (
    claim_price_never_falls,
    claim_early_exit_then_bottleneck,
    claim_panic_restarts_cycle,
    claim_financing,
    claim_listed_shares,
    claim_legacy_debts,
)


def judge_claims(evidence: list[ScenarioEvidence]) -> list[Verdict]:
    """All six claims, in order."""
    return [test(evidence) for test in TESTS]
