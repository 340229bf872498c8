"""The six claims of the source documents tested on the dashboard's current run, by the same
tests the reports use (:func:`sim.analysis.claims.judge_claims`).

The evidence is the one run the page shows, as a batch of one replicate would hold it (its
runs row, its day series, and the run again without each of its levers on the same seed:
:func:`sim.report.load.rerun_of`). A claim a single run cannot settle says so in its own
words (an interval over one replicate is not defined); the ensemble's intervals are in the
Ensemble view and in ``python -m sim report``. The claims, their verdicts and evidence are in
the page's language (``judge_claims(..., lang)``).
"""

from __future__ import annotations

import pandas as pd

from sim.analysis.claims import judge_claims
from sim.analysis.evidence import ScenarioEvidence, Verdict
from sim.batch.run import RunResult
from sim.batch.runner import run_metrics
from sim.report.load import rerun_of


def claims_of_run(result: RunResult, lang: str = "en") -> list[Verdict]:
    """The six verdicts on ``result`` (runs the scenario again without each lever it has),
    with their evidence in ``lang``."""
    scenario = result.scenario
    meta = {"scenario": scenario.name, "point": 0, "replicate": 0, "seed": result.seed}
    runs = pd.DataFrame([{**meta, "status": "ok", **run_metrics(result.summary)}])
    series = result.timeseries().assign(**meta)
    rerun = rerun_of(scenario, result.seed, result.days, result=result)
    evidence = ScenarioEvidence(scenario.name, scenario, runs, series, result.days, [rerun])
    return judge_claims([evidence], lang)
