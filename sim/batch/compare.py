"""Side-by-side comparison of batches: each metric's mean and 95% interval over replicates.

``python -m sim compare DIR...`` reads each batch's ``runs`` table
(:func:`sim.batch.store.read_table`), groups successful runs by scenario and sweep point,
and gives for every outcome metric the mean and a 95% Student-t confidence interval of the
mean over replicates. It prints a wide table (one
column per scenario) and saves the tidy version (one row per batch, scenario, point and
metric) as CSV, with the wide table as Markdown beside it.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pandas as pd
from scipy import stats

from sim.batch.columns import METRICS
from sim.batch.integrity import check_intact, distinct
from sim.batch.store import count_runs, read_manifest, read_table
from sim.outputs import staged_files

NUMERIC = [name for name, kind in METRICS if str(kind) in ("int64", "double")]


def mean_interval(values: pd.Series, level: float = 0.95) -> tuple[int, float, float, float]:
    """(n, mean, low, high): the mean with its Student-t interval (NaN bounds for n < 2)."""
    values = values.dropna().astype(float)
    n = len(values)
    if n == 0:
        return 0, math.nan, math.nan, math.nan
    mean = float(values.mean())
    if n < 2:
        return n, mean, math.nan, math.nan
    half = float(stats.t.ppf((1 + level) / 2, n - 1) * values.std(ddof=1) / math.sqrt(n))
    return n, mean, mean - half, mean + half


def load_runs(folder: Path) -> pd.DataFrame:
    """The batch's runs table (one line of InputError if ``folder`` has none)."""
    return read_table(folder, "runs")


def tidy_comparison(folders: list[Path]) -> pd.DataFrame:
    rows = []
    for folder in folders:
        runs = load_runs(folder)
        ok = runs[runs.status == "ok"]
        for (scenario, point), group in ok.groupby(["scenario", "point"], sort=True):
            for metric in NUMERIC:
                n, mean, low, high = mean_interval(group[metric])
                rows.append(
                    {
                        "batch": str(folder),
                        "scenario": scenario,
                        "point": int(point),
                        "metric": metric,
                        "n": n,
                        "mean": mean,
                        "low": low,
                        "high": high,
                        "failed": int(
                            (
                                runs[(runs.scenario == scenario) & (runs.point == point)].status
                                == "error"
                            ).sum()
                        ),
                    }
                )
    return pd.DataFrame(rows)


def _cell(row) -> str:
    if math.isnan(row["low"]):
        return f"{row['mean']:.4g}"
    return f"{row['mean']:.4g} [{row['low']:.4g}, {row['high']:.4g}]"


def wide_table(tidy: pd.DataFrame) -> pd.DataFrame:
    labels = tidy.apply(
        lambda r: (
            f"{Path(r['batch']).name}:{r['scenario']}"
            + (
                f"/p{r['point']}"
                if tidy[tidy.scenario == r["scenario"]].point.nunique() > 1
                else ""
            )
        ),
        axis=1,
    )
    table = tidy.assign(column=labels, cell=tidy.apply(_cell, axis=1))
    wide = table.pivot(index="metric", columns="column", values="cell")
    counts = table.groupby("column").n.max().astype(str)
    wide.loc["replicates (n)"] = counts
    order = ["replicates (n)", *NUMERIC]
    return wide.reindex(order)


def compare_batches(folders: list[Path], out: Path | None = None) -> str:
    """Build, save and return (as text) the comparison of ``folders``: each folder once,
    checked (a damaged file is one line); an unfinished batch is compared on the runs it
    has, with a one-line warning."""
    folders = distinct(folders)
    for folder in folders:
        manifest = read_manifest(folder)
        check_intact(folder)
        finished, planned = count_runs(folder), manifest.get("runs")
        if isinstance(planned, int) and finished < planned:
            print(
                f"warning: {folder}: {finished} of {planned} runs finished; compared on "
                "those (run the batch command again to finish it)",
                file=sys.stderr,
            )
    tidy = tidy_comparison(folders)
    wide = wide_table(tidy)
    out = Path(out) if out else Path(folders[0]) / "comparison"
    out = out.with_suffix("")
    markdown = wide.to_markdown()
    with staged_files(out.parent) as stage:  # both files or neither, each fsynced
        tidy.to_csv(stage / f"{out.name}.csv", index=False)
        (stage / f"{out.name}.md").write_text(
            "Mean and 95% confidence interval over replicates (Student t).\n\n" + markdown + "\n",
            encoding="utf-8",
        )
    text = wide.to_string()
    return (
        f"{text}\n\nmean [95% interval] over replicates; saved "
        f"{out.with_suffix('.csv')} and {out.with_suffix('.md')}"
    )
