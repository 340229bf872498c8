"""Measure a year of the agent model with every rule of seed 004 on, at scale (not a test).

    /usr/bin/time -v .venv/bin/python scripts/measure_distribution.py --members 1000000
    .venv/bin/python scripts/measure_distribution.py --members 200000 --profile 25

The scenario is ``scenarios/seed-004-chain-motion.yaml``'s split and rules (the
``seed004_pack`` preset with 三三滑落 placement, regions and service points) on the fast
core, with arrivals at a constant rate that fills ``--members`` people in about 300 days
(``inflow.market_size`` caps the total, referrers' recruits included). Prints the wall time
of the run and of writing its four files, the run's size and the process's peak RSS; with
``--profile N`` the top N functions by cumulative time (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import resource
import shutil
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

from sim.batch.run import simulate, write_outputs
from sim.batch.workloads import seed004
from sim.scenario.root import Scenario

ROOT = Path(__file__).resolve().parent.parent


def scenario(members: int, days: int) -> Scenario:
    """The ``seed004_1m`` bench workload's scenario on ``members`` people."""
    return seed004(members, days)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--profile", type=int, default=0, help="print the top N by cumtime")
    args = parser.parse_args()
    s = scenario(args.members, args.days)
    start = time.perf_counter()
    if args.profile:
        profiler = cProfile.Profile()
        result = profiler.runcall(simulate, s, progress=True)
    else:
        result = simulate(s, progress=True)
    ran = time.perf_counter() - start
    out = Path(tempfile.mkdtemp(prefix="measure-")) / "run"
    try:
        start = time.perf_counter()
        write_outputs(result, out)
        written = time.perf_counter() - start
        rows = pq.ParquetFile(out / "bonuses.parquet").metadata.num_rows
    finally:
        shutil.rmtree(out.parent)
    summary = result.summary
    d = summary["distribution"]
    print(f"members {summary['members']:,}, orders {summary['orders']:,}, days {result.days}")
    print(f"bonuses {d['paid']:,.2f} yuan to {d['members_paid']:,} members; {rows:,} rows")
    print(f"deepest level paid {d['deepest_level']}; recruit share {d['share_recruit']:.3f}")
    print(f"run {ran:.1f} s; writing the four files {written:.1f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:,.0f} MB; ledger balanced {summary['ledger_balanced']}")
    if args.profile:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)


if __name__ == "__main__":
    main()
