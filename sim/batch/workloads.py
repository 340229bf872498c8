"""The scale workloads of ``python -m sim bench --workload NAME``: whole runs of the agent
model at national scale, measured (never a timed test).

- ``year_1m``: ``scenarios/national-100k.yaml``'s behaviour with ten times its inflow
  (about 980,000 members, 1.55 million orders in a year), compiled core.
- ``largest_9m``: ``scenarios/largest-case-9m.yaml`` as shipped (9 million members over 3
  years).
- ``seed004_1m``: every rule of seed 004 (``scenarios/seed-004-chain-motion.yaml``: chain
  motion with 三三滑落, tier dividends, level differential, regional agents, service points)
  on 1 million members in a year, compiled core; ``seed004_9m`` the same on 9 million
  members over 3 years (the issue's "under 15 minutes"; about 14 GB).
- ``replicates_100k``: replicates of ``national-100k`` (a 100,000-member year) as a batch on
  every core.
- ``replay_10m``: a platform's export of 10 million events replayed
  (:mod:`sim.batch.replay_workload`).
- ``yunlianhui_9m``, ``wanjia_2m``: the comparison schemes' national cases
  (``scenarios/comparison/{yunlianhui,wanjia}-national.yaml``: 8.96 and 1.9 million members
  would join if they lasted), one run each; members a second instead of events.

Each prints ``NAME_figure value unit`` lines: the simulation's wall seconds (the model's
days; building the scenario, numba's compile and writing files excluded), events a second
(orders, sales and forced exits), and the peak bytes per member (the process's peak
resident set grown from before the model was made to the run's end, over the members;
everything Python allocates included); ``replicates_100k`` prints runs a second instead.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sim.scenario.reader import load_yaml
from sim.scenario.root import Scenario

ROOT = Path(__file__).resolve().parent.parent.parent
SCENARIOS = ROOT / "scenarios"


def _peak_rss_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _scenario(name: str) -> dict:
    data, _ = load_yaml(SCENARIOS / f"{name}.yaml")
    data.pop("sweep", None)
    return data


def year_1m() -> Scenario:
    data = _scenario("national-100k")
    data["name"] = "year_1m"
    data["inflow"]["rate"] *= 10
    data["inflow"]["initial_members"] *= 10
    data["run"] = {**data.get("run", {}), "core": "fast", "days": 365}
    return Scenario.from_dict(data)


def largest_9m() -> Scenario:
    return Scenario.from_dict(_scenario("largest-case-9m"))


def seed004(members: int, days: int = 365) -> Scenario:
    """Seed 004's rules on ``members`` people: arrivals at a constant rate that fills them
    in about 300 days (``market_size`` caps the total, referrers' recruits included), few
    regions and service points taken up (as many as a city's worth)."""
    data = _scenario("seed-004-chain-motion")
    data["name"] = f"seed004-{members}"
    data["run"] = {"days": days, "seed": 1, "core": "fast"}
    data["inflow"] = {
        "kind": "constant",
        "rate": members / 300 / 1.3,  # referrers bring about 30% more
        "market_size": members,
    }
    data["distribution"]["regions"]["take_up"] = 0.0002
    data["distribution"]["service_points"]["open_share"] = 0.0002
    return Scenario.from_dict(data)


def seed004_1m() -> Scenario:
    return seed004(1_000_000)


def seed004_9m() -> Scenario:
    return seed004(9_000_000, days=1095)


def measure_run(scenario: Scenario) -> dict[str, float]:
    """Step one run to its horizon; its wall seconds, events, members and peak bytes."""
    from sim.batch.run import settle_imports
    from sim.model.scheme import SchemeRun

    warm = scenario.model_dump()
    warm["run"]["days"] = 3
    warming = SchemeRun(Scenario.from_dict(warm))
    for _ in range(warming.days):  # numba's compiled code loaded (~50 MB) before the clock
        warming.step()
    del warming
    settle_imports()  # the process as ``python -m sim run`` leaves it before its run
    before = _peak_rss_bytes()
    started = time.perf_counter()
    model = SchemeRun(scenario)
    for _ in range(model.days):
        model.step()
    model.finish()
    seconds = time.perf_counter() - started
    grown = _peak_rss_bytes() - before
    events = sum(row["orders"] + row["sales"] + row["forced_exits"] for row in model.day_rows)
    members = model.joined
    return {
        "seconds": seconds,
        "events_per_s": events / seconds,
        "members": members,
        "peak_bytes_per_member": grown / max(members, 1),
    }


def measure_replicates(replicates: int = 20) -> dict[str, float]:
    """``replicates`` runs of national-100k as a batch on every core; runs a second."""
    from sim.batch.runner import run_batch

    workers = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        run_batch([SCENARIOS / "national-100k.yaml"], replicates, Path(folder) / "b", workers)
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "runs_per_s": replicates / seconds, "workers": workers}


def measure_comparison(name: str) -> dict[str, float]:
    """One run of a shipped national case of a comparison scheme
    (``scenarios/comparison/NAME.yaml``) to its horizon, files not written: its wall seconds,
    members (each buys once: a member is an order), peak bytes per member."""
    from sim.batch.run import simulate
    from sim.scenario.root import load_scenario

    scenario = load_scenario(SCENARIOS / "comparison" / f"{name}.yaml")
    before = _peak_rss_bytes()
    started = time.perf_counter()
    result = simulate(scenario)
    seconds = time.perf_counter() - started
    members = result.summary["members"]
    return {
        "seconds": seconds,
        "events_per_s": members / seconds,
        "members": members,
        "peak_bytes_per_member": (_peak_rss_bytes() - before) / max(members, 1),
        "collapse_day": result.summary["collapse_day"],
    }


# the comparison schemes' national cases (issue 18): bench name -> scenario file
COMPARISONS = {"yunlianhui_9m": "yunlianhui-national", "wanjia_2m": "wanjia-national"}

WORKLOADS: dict[str, Callable[[], Scenario]] = {
    "year_1m": year_1m,
    "largest_9m": largest_9m,
    "seed004_1m": seed004_1m,
    "seed004_9m": seed004_9m,
}
NAMES = ("w1", *WORKLOADS, "replicates_100k", "replay_10m", *COMPARISONS)


def report(name: str, replicates: int = 20, rows: int = 10_000_000) -> list[str]:
    """The workload's ``NAME_figure value unit`` lines (``rows``: the replay log's)."""
    if name == "replay_10m":
        from sim.batch.replay_workload import measure_replay

        r = measure_replay(rows)
        return [
            f"{name}_rows {r['rows']} rows",
            f"{name}_seconds {r['seconds']:.1f} s",
            f"{name}_events_per_s {r['events_per_s']:.0f} events/s",
            f"{name}_peak_rss {r['peak'] / 2**20:.0f} MiB",
        ]
    if name == "replicates_100k":
        r = measure_replicates(replicates)
        return [
            f"{name}_runs {replicates} runs",
            f"{name}_workers {r['workers']} processes",
            f"{name}_seconds {r['seconds']:.1f} s",
            f"{name}_runs_per_s {r['runs_per_s']:.3f} runs/s",
        ]
    if name in COMPARISONS:
        r = measure_comparison(COMPARISONS[name])
        return [
            f"{name}_members {r['members']} members",
            f"{name}_collapse_day {r['collapse_day']} day",
            f"{name}_seconds {r['seconds']:.2f} s",
            f"{name}_members_per_s {r['events_per_s']:.0f} members/s",
            f"{name}_peak_bytes_per_member {r['peak_bytes_per_member']:.0f} B",
        ]
    r = measure_run(WORKLOADS[name]())
    return [
        f"{name}_members {r['members']} members",
        f"{name}_seconds {r['seconds']:.2f} s",
        f"{name}_events_per_s {r['events_per_s']:.0f} events/s",
        f"{name}_peak_bytes_per_member {r['peak_bytes_per_member']:.0f} B",
    ]
