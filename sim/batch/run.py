"""One run of the agent model, the boundary every caller uses: :func:`simulate`.

``python -m sim run``, a batch's runs, a report's re-runs and the notebooks all call
:func:`simulate` and get a :class:`RunResult`: the run's exact values (day rows and members
in fen and point units, the closing price as a fraction) and its summary. Files are written
from it by :func:`write_outputs` — ``timeseries.parquet`` (one row a day), ``members.parquet``
(one row a member), ``summary.json`` (key figures, the scenario, the seed) and, with a
``distribution`` section, ``bonuses.parquet`` (the rules' payouts by member, rule, level and
reason) — all or nothing, byte-identical for the same scenario and seed (no wall-clock time
in them), each amount turned into yuan once (:mod:`sim.batch.tables`). Every column is
documented in the README.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from pathlib import Path

import pandas as pd
import pyarrow as pa
from tqdm import tqdm

from sim.analysis.redflags import flags_json
from sim.analysis.scheme_flags import scheme_flags
from sim.batch.summary import plain, run_flags, summarize
from sim.batch.tables import members_output, timeseries_rows, timeseries_schema
from sim.distribution.summary import bonus_table
from sim.distribution.summary import figures as distribution_figures
from sim.errors import BeyondRange
from sim.model.members import member_frame, member_table
from sim.model.scheme import SchemeRun
from sim.outputs import check_out_dir, staged, write_arrow, write_json, write_table


@dataclass(frozen=True)
class RunResult:
    """A finished run.

    ``rows`` (one a day, :mod:`sim.model.daily`) and ``member_table``
    (:mod:`sim.model.members`) are exact: money in fen, points in units, the price in fen
    per unit; ``layer`` holds the distribution layer's exact figures (None without one);
    ``summary`` is ``summary.json``. ``model`` is the finished run
    (:class:`~sim.model.scheme.SchemeRun`), for notebooks and tests that look inside: its
    book, network and distribution rules."""

    scenario: object
    seed: int
    days: int
    rows: list[dict]
    member_table: pa.Table
    price: Fraction
    unit: int
    layer: dict | None
    summary: dict
    model: SchemeRun = field(repr=False)
    bonuses: pa.Table | None = field(default=None, repr=False)

    @cached_property
    def members(self) -> pd.DataFrame:
        """The exact members table as a DataFrame (what the analysis reads)."""
        return member_frame(self.member_table)

    def timeseries(self) -> pd.DataFrame:
        """The time series as ``timeseries.parquet`` holds it (yuan, points)."""
        return pd.DataFrame(timeseries_rows(self.rows, self.unit))

    def members_output(self) -> pa.Table:
        """The members table as ``members.parquet`` holds it (yuan, points)."""
        return members_output(self.member_table, self.price, self.unit)

    def red_flags(self, lang: str = "en") -> list[dict]:
        """The run's red flags as ``summary.json`` holds them, explained in ``lang`` (another
        language than English measures them again: the same flags and values)."""
        if lang == "en" or self.summary.get("scheme"):
            return self.summary["red_flags"]
        by_source = self.summary["money_entered_by_source"]
        return run_flags(self.model, self.members, by_source, self.layer, lang)


def settle_imports() -> None:
    """For a process that runs and then exits (``python -m sim run``; a batch worker does the
    same at its start, ``sim.batch.executors.start_worker``), not a notebook: the modules
    imported so far live as long as the process, so the garbage
    collector's full passes need not walk their objects again (``gc.freeze``). A 3-second
    run spent 0.2-0.3 s walking them; what a run makes afterwards is collected as before."""
    gc.freeze()


def simulate(
    scenario, seed: int | None = None, days: int | None = None, progress: bool = False
) -> RunResult:
    """Step a fresh model through the horizon (``days``, default the scenario's), finish the
    run and return its result (the seed defaults to the scenario's).

    A run on the fast core whose money or points outgrow its 64-bit integers (a price diluted
    to almost nothing, 12 point decimals) is redone on the reference core, which the tests
    prove equal to it: the result's scenario then says ``run.core: reference``."""
    if scenario.scheme.comparison:
        from sim.model.ponzi_run import simulate_ponzi
        from sim.model.release_run import simulate_release

        comparison = simulate_ponzi if scenario.scheme.ponzi else simulate_release
        result = comparison(scenario, seed, days)
        flags = scheme_flags(result.paid, scenario.scheme, result.network)
        result.summary["red_flags"] = flags_json(flags)
        result.summary["scenario_definition"] = plain(scenario.model_dump())
        return result
    try:
        return _stepped(scenario, seed, days, progress)
    except BeyondRange as refused:
        if scenario.run.core != "fast" or refused.key != "run.core":
            raise
    data = scenario.model_dump()
    data["run"]["core"] = "reference"
    return _stepped(type(scenario).from_dict(data), seed, days, progress)


def _stepped(scenario, seed: int | None, days: int | None, progress: bool) -> RunResult:
    model = SchemeRun(scenario, seed, days)
    for _ in tqdm(
        range(model.days),
        desc=scenario.name,
        unit="day",
        leave=False,
        disable=None if progress else True,
    ):
        model.step()
    model.finish()
    return result_of(model)


def result_of(model: SchemeRun) -> RunResult:
    """The result of a model stepped to its end and finished."""
    table = member_table(model)
    members = member_frame(table)
    dist = model.distribution
    layer = None if dist is None else distribution_figures(dist, model.book.ledger, model.joined)
    result = RunResult(
        scenario=model.scenario,
        seed=model.seed,
        days=model.days,
        rows=model.day_rows,
        member_table=table,
        price=model.book.price,
        unit=model.book.mechanics.unit,
        layer=layer,
        summary=summarize(model, members, layer),
        model=model,
        bonuses=None if dist is None else bonus_table(dist),
    )
    result.__dict__["members"] = members  # the frame the summary was worked out from
    return result


def run_to_files(
    scenario,
    out: str | Path,
    seed: int | None = None,
    days: int | None = None,
    progress: bool = False,
    pages: Callable[[RunResult], dict[str, str]] | None = None,
) -> tuple[RunResult, list[str]]:
    """Run and write the outputs into ``out``; the result and the files written. ``pages``
    (from a higher wing: ``run --plot``'s page) makes more files of the result, by name."""
    out = check_out_dir(out)
    result = simulate(scenario, seed, days, progress)
    return result, write_outputs(result, out, {} if pages is None else pages(result))


def write_outputs(result: RunResult, out: Path, pages: dict[str, str] | None = None) -> list[str]:
    """Write a finished run's files (and ``pages``, text by file name) into ``out``, all or
    nothing; the files' names."""
    rows = timeseries_rows(result.rows, result.unit)
    with staged(out) as stage:
        for name, text in (pages or {}).items():
            (stage / name).write_text(text, encoding="utf-8")
        write_table(stage / "timeseries.parquet", timeseries_schema(rows), rows)
        write_arrow(stage / "members.parquet", result.members_output())
        if result.bonuses is not None:
            write_arrow(stage / "bonuses.parquet", result.bonuses)
        write_json(stage / "summary.json", result.summary)
        return sorted(p.name for p in stage.iterdir())
