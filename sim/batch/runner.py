"""Monte Carlo batches: replicates of scenarios (and of their sweep points), streamed to disk.

``python -m sim batch S.yaml... --replicates N [--workers K] [--executor ...] [--out DIR]``

The plan is a list of runs — scenario × sweep point × replicate — each with its own seed,
spawned from the scenario's ``run.seed`` with :class:`numpy.random.SeedSequence` (replicate
*i* gets child *i* whatever the sweep point, so points are compared on common random
numbers, and more replicates later extend the plan without changing the earlier runs). A
run is a pure function of its spec (:func:`execute`), so one worker, K local processes and a
Dask cluster (:mod:`sim.batch.executors`) give the same results, value for value. The parent
writes each finished run at once (:class:`sim.batch.store.BatchStore`, which defines the
folder's layout), so memory stays flat however long the batch, and compacts each table into
one file per scenario when every run is done:

    DIR/manifest.json   the plan: scenarios (with a hash of each file), replicates, days,
                        seeds, package version, command
    DIR/runs/           one row per run: key, point, replicate, seed, the sweep point's
                        values, status, error, outcome metrics
    DIR/timeseries/     one row per run and day (the columns of ``run``'s time series but
                        the account balances)
    DIR/accounts/       one row per run, day and ledger account (tidy, because scenarios
                        differ in their split lines)

After an interruption (Ctrl-C, kill -9) the same command runs only the runs not yet written,
so the final dataset equals that of an uninterrupted batch; the same command with more
``--replicates`` adds the new replicates to a finished batch. A run that raises is recorded
with ``status = "error"`` and its message and does not stop the batch.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
from tqdm import tqdm

from sim import __version__
from sim.analysis.netinvest import net_investment_metrics
from sim.batch.columns import METRICS
from sim.batch.designs import load_variants
from sim.batch.executors import DEFAULT_WORKERS, check_scheduler, choose, execute_all
from sim.batch.integrity import locked
from sim.batch.run import simulate
from sim.batch.scheme_metrics import POINTS_SCHEME, raised_flags, scheme_metrics
from sim.batch.store import BatchStore, RunOutput, encode_params, read_table, run_key
from sim.batch.tables import timeseries_rows
from sim.distribution.summary import metrics as distribution_metrics
from sim.errors import InputError
from sim.limits import MAX_RUNS
from sim.scenario.root import Scenario
from sim.scenario.scheme import growth_problem


@dataclass(frozen=True)
class RunSpec:
    """Everything one run needs; picklable, so it can go to any worker."""

    key: str
    scenario: Scenario
    source: str
    point: int
    params: tuple[tuple[str, object], ...]
    replicate: int
    seed: int
    days: int | None


def child_seeds(master: int, count: int) -> list[int]:
    """Seeds for ``count`` replicates, spawned from ``master`` (63-bit, so they fit int64)."""
    children = np.random.SeedSequence(master).spawn(count)
    return [int(child.generate_state(1, np.uint64)[0] >> np.uint64(1)) for child in children]


def plan(paths: list[Path], replicates: int, days: int | None) -> tuple[list[RunSpec], dict]:
    """All runs of the batch, in a fixed order, and the manifest describing them."""
    if replicates < 1:
        raise InputError("--replicates must be at least 1")
    specs: list[RunSpec] = []
    described = []
    names = set()
    planned = 0
    for path in paths:
        room = (MAX_RUNS - planned) // replicates  # the points this file may still add
        why = (
            f"with {replicates:,} replicates the batch would pass the limit of {MAX_RUNS:,} "
            "runs; use fewer --replicates or sweep points"
        )
        scenario, points, variants = load_variants(path, room, why)  # each validated once
        if days is not None and (found := growth_problem(scenario.scheme, days)):
            raise InputError(f"with --days {days}: {found[1]}", file=path, key=f"scheme.{found[0]}")
        planned += len(points) * replicates
        if scenario.name in names:
            raise InputError(f"two scenarios are named '{scenario.name}'", file=path, key="name")
        names.add(scenario.name)
        seeds = child_seeds(scenario.run.seed, replicates)
        described.append(
            {
                "name": scenario.name,
                "file": str(path),
                "sha256": hashlib.sha256(Path(path).read_bytes()).hexdigest(),
                "seed": scenario.run.seed,
                "points": len(points),
            }
        )
        for index, (point, variant) in enumerate(zip(points, variants, strict=True)):
            params = tuple((name, _plain(value)) for name, value in point.items())
            for replicate, seed in enumerate(seeds):
                key = run_key(scenario.name, index, replicate)
                specs.append(RunSpec(key, variant, str(path), index, params, replicate, seed, days))
    manifest = {
        "version": __version__,
        "replicates": replicates,
        "days": days,
        "runs": len(specs),
        "scenarios": described,
        "seeds": "numpy SeedSequence(run.seed).spawn(replicates); replicate i uses child i",
    }
    return specs, manifest


def _plain(value):
    """A swept value as it goes into the ``params`` column (exact decimals become floats)."""
    return float(value) if isinstance(value, Decimal) else value


def run_metrics(summary: dict) -> dict:
    """A run's outcome metrics, as the runs table holds them (:data:`METRICS`)."""
    if "scheme" in summary:  # a comparison scheme's run
        return scheme_metrics(summary)
    flat = {**summary, **net_investment_metrics(summary), **distribution_metrics(summary)}
    flat.update(scheme=POINTS_SCHEME, fund_at_end=None, owed_at_end=None)
    flat["red_flags_raised"] = raised_flags(summary)
    return {name: flat[name] for name, _ in METRICS}


def execute(spec: RunSpec) -> RunOutput:
    """Run one spec; never raises for a failing model: the error is the output."""
    row = {
        "key": spec.key,
        "scenario": spec.scenario.name,
        "point": spec.point,
        "replicate": spec.replicate,
        "seed": spec.seed,
        "params": encode_params(spec.params),
    }
    try:
        result = simulate(spec.scenario, spec.seed, spec.days)
        summary = result.summary
    except Exception as error:  # a failing run is recorded, not fatal
        message = f"{type(error).__name__}: {error}".replace("\n", " ")
        return RunOutput(spec.key, {**row, "status": "error", "error": message})
    metrics = run_metrics(summary)
    meta = {
        "scenario": spec.scenario.name,
        "point": spec.point,
        "replicate": spec.replicate,
        "seed": spec.seed,
    }
    series, accounts = [], []
    for day in timeseries_rows(result.rows, result.unit):
        plain = {k: v for k, v in day.items() if not k.startswith("account_")}
        # fees exist only with the distribution layer; a batch mixing scenarios keeps one schema
        series.append({**meta, **plain, "fees": day.get("fees", 0.0)})
        accounts += [
            {**meta, "day": day["day"], "account": k.removeprefix("account_"), "balance": v}
            for k, v in day.items()
            if k.startswith("account_")
        ]
    row = {**row, "status": "ok", "error": None, **metrics}
    return RunOutput(spec.key, row, series, accounts)


@dataclass
class BatchResult:
    runs: int
    ran: int
    resumed: int
    failed: int
    seconds: float
    out: Path


def run_batch(
    paths: Iterable[str | Path],
    replicates: int,
    out: str | Path,
    workers: int = DEFAULT_WORKERS,
    executor: str | None = None,
    scheduler: str | None = None,
    days: int | None = None,
    progress: bool = False,
) -> BatchResult:
    """Plan, resume and run a batch; see the module docstring."""
    started = time.perf_counter()
    executor = choose(executor, workers, scheduler)
    specs, manifest = plan([Path(p) for p in paths], replicates, days)
    manifest["command"] = " ".join(["python -m sim", *sys.argv[1:]]) if sys.argv else ""
    if executor == "dask" and scheduler:
        check_scheduler(scheduler)  # before anything is written
    store = BatchStore(Path(out), manifest)
    with locked(Path(out)):
        store.open()
        if store.repaired:
            more = f" and {len(store.repaired) - 1} more" if len(store.repaired) > 1 else ""
            print(
                f"warning: {store.repaired[0]}{more}: damaged; their runs run again",
                file=sys.stderr,
            )
        done = store.done()
        pending = [spec for spec in specs if spec.key not in done]
        with tqdm(
            total=len(specs),
            initial=len(specs) - len(pending),
            unit="run",
            desc="batch",
            disable=None if progress else True,
        ) as bar:
            for output in execute_all(executor, execute, pending, workers, scheduler):
                store.save(output)
                bar.update(1)
        store.compact()
    statuses = read_table(out, "runs", columns=["status"])["status"].tolist()
    return BatchResult(
        len(specs),
        len(pending),
        len(specs) - len(pending),
        statuses.count("error"),
        time.perf_counter() - started,
        Path(out),
    )
