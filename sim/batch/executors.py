"""Where a batch's runs execute: in this process, in K local processes, or on a Dask cluster.

A run is a pure function of its spec, so every executor gives the same results, value for
value; each yields the outputs as they finish (in any order) and the parent writes them.
The executor names and defaults are defined here once; ``sim.cli`` offers exactly these.
This module imports nothing heavy: the process pool and Dask are imported when used.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from sim.errors import InputError

Work = Callable[[Any], Any]  # one run: a picklable module-level function of its spec

DEFAULT_WORKERS = 1


def _serial(work: Work, specs: list, workers: int, scheduler: str | None) -> Iterator:
    for spec in specs:
        yield work(spec)


CONNECT_SECONDS = 10  # how long an unreachable Dask scheduler is waited for


def die_with(parent: int) -> None:
    """In a worker: exit as soon as ``parent`` is gone (kill -9 of a batch leaves no orphan
    computing for nobody). Linux is told directly; elsewhere a thread watches."""
    import signal
    import threading

    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=watch, daemon=True, name="die-with-parent").start()


def start_worker(parent: int, module: str) -> None:
    """A process-pool worker's start: it dies with ``parent``, imports the runs' ``module``
    once (the worker stays warm for every run) and keeps those imports out of the garbage
    collector's full passes (``gc.freeze``: they live as long as the worker)."""
    import gc
    import importlib

    die_with(parent)
    importlib.import_module(module)
    gc.freeze()


def _process(work: Work, specs: list, workers: int, scheduler: str | None) -> Iterator:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=start_worker,
        initargs=(os.getpid(), work.__module__),
    ) as pool:
        # the workers start once and stay warm for every run; a finished run's output is let
        # go once yielded, so the parent's memory does not grow with the replicates
        futures = {pool.submit(work, spec) for spec in specs}
        try:
            for future in as_completed(futures):
                futures.discard(future)
                yield future.result()
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def _dask(work: Work, specs: list, workers: int, scheduler: str | None) -> Iterator:
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    else:
        client = _connect(scheduler)
    try:
        futures = client.map(work, specs, pure=False)
        for future in as_completed(futures):
            yield future.result()
            future.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _connect(scheduler: str):
    from distributed import Client

    try:
        return Client(scheduler, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError, ValueError, TypeError) as error:
        cause = " ".join(str(error).split()) or type(error).__name__
        if len(cause) > 160:
            cause = cause[:157] + "..."
        raise InputError(
            f"cannot reach the Dask scheduler within {CONNECT_SECONDS} s ({cause})",
            key="--scheduler",
        ) from None


def check_scheduler(scheduler: str) -> None:
    """Connect once to ``scheduler`` and let go: one line if it cannot be reached."""
    _connect(scheduler).close()


RUNNERS = {"serial": _serial, "process": _process, "dask": _dask}
EXECUTORS = tuple(RUNNERS)  # the names --executor accepts


def choose(executor: str | None, workers: int, scheduler: str | None = None) -> str:
    """The executor to use: the one named, else dask if a scheduler address is given, else
    serial for one worker and process for more."""
    if scheduler and executor not in (None, "dask"):
        raise InputError("--scheduler only applies to --executor dask")
    if executor is None:
        return "dask" if scheduler else "process" if workers > 1 else "serial"
    if executor not in RUNNERS:
        raise InputError(f"unknown executor '{executor}'; expected one of: {', '.join(EXECUTORS)}")
    return executor


def execute_all(
    executor: str, work: Work, specs: list, workers: int, scheduler: str | None = None
) -> Iterator:
    """``work(spec)`` for every spec on ``executor``, yielded as each finishes."""
    return RUNNERS[executor](work, specs, workers, scheduler)
