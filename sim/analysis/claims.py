"""The six claims of the source documents (SPEC §5), each tested on a batch's runs.

Each test returns a :class:`Verdict`: ``held``, ``failed``, ``mixed`` (one half of a claim
held, the other not) or ``not testable``, a paragraph of evidence in plain words with the
numbers from the runs, and a table with one row per scenario. Each test says what it
compares and why that isolates the claim. A claim is judged per scenario, then overall: it
**failed** if it failed in any scenario (the vendor says "always"), **mixed** if it was
mixed in any, **held** if it held in every scenario that could test it, and is **not
testable** when no scenario of the batch can test it — the evidence then names the scenario
it needs.

What each test uses:

1. price never falls — every run's daily price (``timeseries``), the stress levers set;
2. early members exit fast, then a bottleneck — members of re-run replicates: the share of
   each join cohort forced out within a quarter of the horizon of joining (only cohorts that
   had that long, so late ones are not cut short); held when at least a quarter of the first
   cohort was out by then ("fast") and the share falls from cohort to cohort;
3. panic sales make the price jump and start a new cycle — a paired counterfactual: each
   re-run replicate run again on its seed with the panic reaction switched off, the prices
   compared on the first trigger day and on the last day, with intervals over replicates;
4. financing rounds inject money into the pool — the subsidies booked, and the share of
   buyers losing with and without them on the same seeds (re-runs);
5. points become shares of a listed company — no rule does this: not testable;
6. legacy debts are paid from new members' money — what old members received, against
   their claims, and who funded it.

The evidence and the verdict are in :mod:`sim.analysis.evidence`, claims 1 and 2 in
:mod:`sim.analysis.claims_price`, claim 3 in :mod:`sim.analysis.claims_panic`, claims 4
to 6 in :mod:`sim.analysis.claims_money`; every name the report and tests use is
importable from here.
"""

from __future__ import annotations

from sim.analysis.claims_money import claim_financing, claim_legacy_debts, claim_listed_shares
from sim.analysis.claims_panic import PANIC, claim_panic_restarts_cycle, day_comparison
from sim.analysis.claims_price import (
    EARLY_SHARE,
    claim_early_exit_then_bottleneck,
    claim_price_never_falls,
    cohort_exits,
)
from sim.analysis.evidence import (
    CLAIMS,
    FAILED,
    HELD,
    MIXED,
    UNTESTABLE,
    Rerun,
    ScenarioEvidence,
    Verdict,
    claim_text,
    levers,
    overall,
    verdict_word,
)

__all__ = [
    "CLAIMS",
    "EARLY_SHARE",
    "FAILED",
    "HELD",
    "MIXED",
    "PANIC",
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
    "claim_text",
    "cohort_exits",
    "day_comparison",
    "judge_claims",
    "levers",
    "overall",
    "verdict_word",
]

TESTS = (
    claim_price_never_falls,
    claim_early_exit_then_bottleneck,
    claim_panic_restarts_cycle,
    claim_financing,
    claim_listed_shares,
    claim_legacy_debts,
)


def judge_claims(evidence: list[ScenarioEvidence], lang: str = "en") -> list[Verdict]:
    """All six claims, in order, with their evidence in ``lang``."""
    return [test(evidence, lang) for test in TESTS]
