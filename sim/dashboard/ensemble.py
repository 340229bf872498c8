"""The dashboard's ensemble: N replicates of the scenario the controls make, run in the
background on every core, summed up as bands and figures with intervals; and the A/B pair.

The replicates use ``sim batch``'s seeds (replicate *i*: child *i* of the seed,
:func:`sim.batch.runner.child_seeds`), so the dashboard's ensemble of a scenario is the
batch's. Per day and series: the median and the 25–75% and 5–95% bands over replicates
(:func:`quantiles`). Per run: collapsed or not (the share with its Wilson interval, as the
reports give it) and the loss figures (each a mean with its 95% Student-t interval, as
``compare`` gives it).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sim.batch.compare import mean_interval, wilson
from sim.batch.executors import execute_all
from sim.batch.run import simulate
from sim.batch.runner import child_seeds
from sim.i18n import N_
from sim.scenario.root import Scenario

SERIES = {  # series a user can draw as bands -> its label
    "price": N_("price (yuan a point)"),
    "pool": N_("pool (yuan)"),
    "members_losing": N_("members below break-even"),
    "withdrawal_queue": N_("withdrawal queue (yuan)"),
    "forced_exits": N_("forced exits a day"),
}
LOSS_FIGURES = {  # a run's summary figure -> its label
    "share_of_buyers_losing": N_("share of buyers who got back less than they paid in"),
    "net_investment_share_net_losers": N_("share of members who are net losers"),
    "net_investment_net_losses": N_("net losses (yuan)"),
    "net_investment_clawback_pool": N_("clawback pool: the net winners' gains (yuan)"),
}
BANDS = {"q05": 0.05, "q25": 0.25, "q50": 0.5, "q75": 0.75, "q95": 0.95}


def replicate(job: tuple[int, Scenario, int, int]) -> tuple[int, pd.DataFrame, dict]:
    """One replicate (index, scenario, seed, days): its series and its per-run figures."""
    index, scenario, seed, days = job
    result = simulate(scenario, seed=seed, days=days)
    summary = result.summary
    figures = {
        "collapsed": bool(summary["collapsed"]),
        "share_of_buyers_losing": summary["share_of_buyers_losing"],
        "net_investment_share_net_losers": summary["net_investment"]["share_net_losers"],
        "net_investment_net_losses": summary["net_investment"]["net_losses"],
        "net_investment_clawback_pool": summary["net_investment"]["clawback_pool"],
    }
    return index, result.timeseries()[["day", *SERIES]], figures


@dataclass
class Ensemble:
    """The replicates' series (one frame, a ``replicate`` column) and per-run figures."""

    days: pd.DataFrame
    runs: pd.DataFrame

    def quantiles(self, column: str) -> pd.DataFrame:
        """``day, q05, q25, q50, q75, q95`` of ``column`` over the replicates."""
        grouped = self.days.groupby("day")[column]
        frame = pd.DataFrame({name: grouped.quantile(q) for name, q in BANDS.items()})
        return frame.reset_index()

    def figures(self) -> list[dict]:
        """Collapse and loss figures, each with its 95% interval and the runs it rests on."""
        n = len(self.runs)
        collapsed = int(self.runs["collapsed"].sum())
        share, low, high = wilson(collapsed, n)
        rows = [
            {
                "figure": N_("runs that collapsed"),
                "value": share,
                "low": low,
                "high": high,
                "runs": n,
                "interval": N_("Wilson"),
            }
        ]
        for key, label in LOSS_FIGURES.items():
            count, mean, low, high = mean_interval(self.runs[key])
            rows.append(
                {
                    "figure": label,
                    "value": mean,
                    "low": low,
                    "high": high,
                    "runs": count,
                    "interval": N_("Student t"),
                }
            )
        return rows


def run_ensemble(scenario: Scenario, seed: int, days: int, replicates: int, workers: int = 2):
    """``replicates`` runs of ``scenario`` over ``days`` from ``seed``'s children, on
    ``workers`` processes (1: in this process)."""
    jobs = [(i, scenario, child, days) for i, child in enumerate(child_seeds(seed, replicates))]
    executor = "process" if workers > 1 and replicates > 1 else "serial"
    done = sorted(execute_all(executor, replicate, jobs, workers), key=lambda out: out[0])
    frames = [frame.assign(replicate=index) for index, frame, _ in done]
    runs = pd.DataFrame([{"replicate": index, **figures} for index, _, figures in done])
    return Ensemble(pd.concat(frames, ignore_index=True), runs)
