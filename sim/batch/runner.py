"""Monte Carlo batches: replicates of scenarios (and of their sweep points), streamed to disk.

``python -m sim batch S.yaml... --replicates N [--workers K] [--executor ...] [--out DIR]``

The plan is a list of runs — scenario × sweep point × replicate — each with its own seed,
spawned from the scenario's ``run.seed`` with :class:`numpy.random.SeedSequence` (replicate
*i* gets child *i* whatever the sweep point, so points are compared on common random
numbers). A run is a pure function of its spec (:func:`execute`), so one worker, K local
processes and a Dask cluster give the same results, value for value. The parent writes each
finished run at once as two small Parquet files (written to a temporary name, then renamed):

    DIR/manifest.json            the plan: scenarios (with a hash of each file), replicates,
                                 seeds, package version, command
    DIR/runs/<key>.parquet       one row per run: scenario, point, parameters, replicate,
                                 seed, status, error, outcome metrics
    DIR/timeseries/<key>.parquet one row per run and day (the columns of ``run``'s time
                                 series but the account balances)
    DIR/accounts/<key>.parquet   one row per run, day and ledger account (tidy, because
                                 scenarios differ in their split lines)

``DIR/runs``, ``DIR/timeseries`` and ``DIR/accounts`` are Parquet datasets
(``pandas.read_parquet(DIR/"runs")``). Memory stays flat however long the batch. After an
interruption (Ctrl-C, kill -9) the same command runs only the runs whose files are missing,
so the final dataset equals that of an uninterrupted batch. A run that raises is recorded
with ``status = "error"`` and its message and does not stop the batch.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from sim import __version__
from sim.batch.run import member_table, simulate, summarize, timeseries_schema
from sim.distribution.summary import METRICS as DISTRIBUTION_METRICS
from sim.distribution.summary import metrics as distribution_metrics
from sim.errors import InputError
from sim.scenario.root import Scenario
from sim.scenario.sweep import apply_point, load_design

METRICS = (
    ("members", pa.int64()),
    ("members_who_bought", pa.int64()),
    ("members_active_at_end", pa.int64()),
    ("orders", pa.int64()),
    ("sales", pa.int64()),
    ("forced_exits", pa.int64()),
    ("money_entered", pa.float64()),
    ("paid_to_members", pa.float64()),
    ("withdrawn_by_members", pa.float64()),
    ("withdrawal_queue_at_end", pa.float64()),
    ("unpaid_claims", pa.float64()),
    ("price_end", pa.float64()),
    ("price_peak", pa.float64()),
    ("price_peak_day", pa.int64()),
    ("price_min_after_peak", pa.float64()),
    ("days_price_fell", pa.int64()),
    ("share_of_buyers_losing", pa.float64()),
    ("share_of_buyers_losing_counting_points", pa.float64()),
    # collapse (sim.analysis.collapse): whether, when, why, and each condition's first day
    ("collapsed", pa.bool_()),
    ("collapse_day", pa.int64()),
    ("collapse_condition", pa.string()),
    ("operator_halt_day", pa.int64()),
    ("unpaid_withdrawals_day", pa.int64()),
    ("pool_drawdown_day", pa.int64()),
    ("inflow_stall_day", pa.int64()),
    ("loss_majority_day", pa.int64()),
    # participant outcomes (sim.analysis.outcomes)
    ("goods_fair_value", pa.float64()),
    ("share_losing_counting_goods", pa.float64()),
    ("gini_net_result", pa.float64()),
    ("top1_payout_share", pa.float64()),
    ("share_reaching_1x", pa.float64()),
    ("share_ever_breaking_even", pa.float64()),
    ("share_reaching_cap", pa.float64()),
    ("median_days_to_break_even", pa.float64()),
    # where the money went (sim.analysis.moneyflow); the money_share_* sum to 1
    ("share_payouts_funded_by_others", pa.float64()),
    ("money_share_split_lines", pa.float64()),
    ("money_share_referral_bonuses", pa.float64()),
    ("money_share_member_payouts", pa.float64()),
    ("money_share_left_in_pool", pa.float64()),
    ("money_share_operator_diverted", pa.float64()),
    ("money_share_custody_shortfall", pa.float64()),
    # the distribution layer (sim.distribution.summary): null for a run without it
    *((name, kind) for name, _, kind in DISTRIBUTION_METRICS),
    ("ledger_balanced", pa.bool_()),
)


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


@dataclass
class RunOutput:
    key: str
    row: dict
    timeseries: list[dict] = field(default_factory=list)
    accounts: list[dict] = field(default_factory=list)


ACCOUNTS_SCHEMA = pa.schema(
    [
        ("scenario", pa.string()),
        ("point", pa.int64()),
        ("replicate", pa.int64()),
        ("seed", pa.int64()),
        ("day", pa.int64()),
        ("account", pa.string()),
        ("balance", pa.float64()),
    ]
)


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
    for path in paths:
        scenario, points = load_design(path)
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
        for index, point in enumerate(points):
            variant = apply_point(scenario, point, index=index) if point else scenario
            params = tuple((name, _plain(value)) for name, value in point.items())
            for replicate, seed in enumerate(seeds):
                key = f"{scenario.name}__p{index:05d}__r{replicate:05d}"
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
    """A swept value as it goes into a Parquet column (exact decimals become floats)."""
    return float(value) if isinstance(value, Decimal) else value


def execute(spec: RunSpec) -> RunOutput:
    """Run one spec; never raises for a failing model: the error is the output."""
    row = {
        "key": spec.key,
        "scenario": spec.scenario.name,
        "point": spec.point,
        "replicate": spec.replicate,
        "seed": spec.seed,
        **{name: value for name, value in spec.params},
    }
    try:
        model = simulate(spec.scenario, spec.seed, spec.days)
        try:
            summary = summarize(model, member_table(model).to_pandas())
        finally:
            model.close()
    except Exception as error:  # a failing run is recorded, not fatal
        message = f"{type(error).__name__}: {error}".replace("\n", " ")
        return RunOutput(spec.key, {**row, "status": "error", "error": message})
    flat = {**summary, **distribution_metrics(summary)}
    metrics = {name: flat[name] for name, _ in METRICS}
    meta = {
        "scenario": spec.scenario.name,
        "point": spec.point,
        "replicate": spec.replicate,
        "seed": spec.seed,
    }
    series, accounts = [], []
    for day in model.rows:
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


class BatchStore:
    """The batch folder: manifest, one runs file and one time-series file per finished run."""

    def __init__(self, out: Path, manifest: dict, specs: list[RunSpec]) -> None:
        self.out = Path(out)
        self.runs = self.out / "runs"
        self.timeseries = self.out / "timeseries"
        self.accounts = self.out / "accounts"
        self.manifest = manifest
        self.schema = runs_schema(specs)

    def open(self) -> None:
        """Create the folder, or check it holds this same plan (resume)."""
        if self.out.exists() and not self.out.is_dir():
            raise InputError("output path exists and is not a folder", file=self.out)
        path = self.out / "manifest.json"
        plan_only = {k: v for k, v in self.manifest.items() if k != "command"}
        if path.exists():
            found = json.loads(path.read_text(encoding="utf-8"))
            if {k: v for k, v in found.items() if k != "command"} != plan_only:
                raise InputError(
                    "holds a batch with a different plan (scenarios, replicates or days); "
                    "use another --out to start a new batch",
                    file=self.out,
                )
        for folder in (self.runs, self.timeseries, self.accounts):
            folder.mkdir(parents=True, exist_ok=True)
            for stale in folder.glob(".tmp-*"):
                stale.unlink()
        if not path.exists():
            _atomic_write_text(path, json.dumps(self.manifest, indent=2) + "\n")

    def done(self) -> set[str]:
        """Keys of the runs whose runs row was written (a write cut short leaves only a
        ``.tmp-`` file, which does not count)."""
        return {p.stem for p in self.runs.glob("*.parquet") if not p.name.startswith(".tmp-")}

    def save(self, output: RunOutput) -> None:
        """Write one run: its daily tables first, then its runs row (which marks it done)."""
        if output.timeseries:
            table = pa.Table.from_pylist(output.timeseries, schema=_series_schema(output))
            _atomic_parquet(table, self.timeseries / f"{output.key}.parquet")
            table = pa.Table.from_pylist(output.accounts, schema=ACCOUNTS_SCHEMA)
            _atomic_parquet(table, self.accounts / f"{output.key}.parquet")
        row = {name: output.row.get(name) for name in self.schema.names}
        _atomic_parquet(
            pa.Table.from_pylist([row], schema=self.schema), self.runs / f"{output.key}.parquet"
        )


def _series_schema(output: RunOutput) -> pa.Schema:
    head = [
        ("scenario", pa.string()),
        ("point", pa.int64()),
        ("replicate", pa.int64()),
        ("seed", pa.int64()),
    ]
    rows = [{k: v for k, v in output.timeseries[0].items() if k not in dict(head)}]
    return pa.schema(head + list(timeseries_schema(rows)))


def runs_schema(specs: list[RunSpec]) -> pa.Schema:
    """Columns of the runs table: identity, swept parameters (dotted paths), status, metrics."""
    params: dict[str, pa.DataType] = {}
    for spec in specs:
        for name, value in spec.params:
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            kind = pa.float64() if numeric else pa.string()
            if params.get(name, kind) != kind:
                kind = pa.string()
            params[name] = kind
    fields = [
        ("key", pa.string()),
        ("scenario", pa.string()),
        ("point", pa.int64()),
        ("replicate", pa.int64()),
        ("seed", pa.int64()),
    ]
    fields += list(params.items())
    fields += [("status", pa.string()), ("error", pa.string())]
    fields += list(METRICS)
    return pa.schema(fields)


def _atomic_parquet(table: pa.Table, path: Path) -> None:
    temporary = path.with_name(f".tmp-{path.name}")
    pq.write_table(table, temporary, compression="zstd")
    os.replace(temporary, path)


def _atomic_write_text(path: Path, text: str) -> None:
    temporary = path.with_name(f".tmp-{path.name}")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


# -- executors ----------------------------------------------------------------------------


def _serial(specs: list[RunSpec], workers: int, scheduler: str | None) -> Iterator[RunOutput]:
    for spec in specs:
        yield execute(spec)


def _process(specs: list[RunSpec], workers: int, scheduler: str | None) -> Iterator[RunOutput]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(execute, spec) for spec in specs]
        try:
            for future in as_completed(futures):
                yield future.result()
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def _dask(specs: list[RunSpec], workers: int, scheduler: str | None) -> Iterator[RunOutput]:
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        futures = client.map(execute, specs, pure=False)
        for future in as_completed(futures):
            yield future.result()
            future.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


RUNNERS = {"serial": _serial, "process": _process, "dask": _dask}


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
    workers: int = 1,
    executor: str | None = None,
    scheduler: str | None = None,
    days: int | None = None,
    progress: bool = False,
) -> BatchResult:
    """Plan, resume and run a batch; see the module docstring."""
    started = time.perf_counter()
    executor = executor or ("process" if workers > 1 else "serial")
    if executor not in RUNNERS:
        raise InputError(f"unknown executor '{executor}'; expected one of: serial, process, dask")
    specs, manifest = plan([Path(p) for p in paths], replicates, days)
    manifest["command"] = " ".join(["python -m sim", *sys.argv[1:]]) if sys.argv else ""
    store = BatchStore(Path(out), manifest, specs)
    store.open()
    done = store.done()
    pending = [spec for spec in specs if spec.key not in done]
    with tqdm(
        total=len(specs),
        initial=len(specs) - len(pending),
        unit="run",
        desc="batch",
        disable=None if progress else True,
    ) as bar:
        for output in RUNNERS[executor](pending, workers, scheduler):
            store.save(output)
            bar.update(1)
    statuses = pq.read_table(store.runs, columns=["status"]).column("status").to_pylist()
    return BatchResult(
        len(specs),
        len(pending),
        len(specs) - len(pending),
        statuses.count("error"),
        time.perf_counter() - started,
        Path(out),
    )
