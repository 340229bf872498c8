"""Side-by-side comparison of batches: each metric's mean and 95% interval over replicates.

``python -m sim compare DIR...`` reads each batch's ``runs`` table
(:func:`sim.batch.store.read_table`), groups successful runs by scenario and sweep point,
and gives for every outcome metric the mean and a 95% Student-t confidence interval of the
mean over replicates. It prints a wide table (one
column per scenario) and saves the tidy version (one row per batch, scenario, point and
metric) as CSV, with the wide table as Markdown beside it.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pandas as pd
from scipy import stats

from sim.batch.columns import METRICS
from sim.batch.compare_text import (
    NOT_APPLICABLE,
    REPLICATES,
    blocks,
    cell,
    column_label,
    metric_label,
)
from sim.batch.integrity import check_intact, distinct
from sim.batch.scheme_metrics import applies
from sim.batch.store import count_runs, read_manifest, read_table
from sim.i18n import gettext
from sim.outputs import staged_files

NUMERIC = [name for name, kind in METRICS if str(kind) in ("int64", "double")]
Z95 = 1.959963984540054  # the normal 97.5% quantile: two-sided 95% intervals


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


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float, float]:
    """Share ``k / n`` with its Wilson score interval (95% by default)."""
    if n == 0:
        return math.nan, math.nan, math.nan
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    low = 0.0 if k == 0 else max(0.0, centre - half)  # exact at the ends, not 1e-17 off
    high = 1.0 if k == n else min(1.0, centre + half)
    return p, low, high


def load_runs(folder: Path) -> pd.DataFrame:
    """The batch's runs table (one line of InputError if ``folder`` has none)."""
    return read_table(folder, "runs")


def tidy_comparison(folders: list[Path]) -> pd.DataFrame:
    """One row per batch, scenario, sweep point and metric: the runs (``n``), the mean and
    its 95% interval — Student t for the metrics, Wilson for ``collapsed`` (a share of runs;
    ``interval`` says which; ``not_applicable`` for a metric the scheme does not have) —
    the point's values (``params``) and the runs that failed."""
    rows = []
    for folder in folders:
        runs = load_runs(folder)
        ok = runs[runs.status == "ok"]
        for (scenario, point), group in ok.groupby(["scenario", "point"], sort=True):
            everyone = runs[(runs.scenario == scenario) & (runs.point == point)]
            same = {
                "batch": str(folder),
                "scenario": scenario,
                "point": int(point),
                "params": _point_values(group),
                "runs": len(group),
                "failed": int((everyone.status == "error").sum()),
            }
            share, low, high = wilson(int(group["collapsed"].astype(bool).sum()), len(group))
            rows.append(
                {**same, "metric": "collapsed", "n": len(group), "mean": share, "low": low,
                 "high": high, "interval": "wilson"}
            )  # fmt: skip
            scheme = group["scheme"].iloc[0] if "scheme" in group else None
            for metric in NUMERIC:
                if not applies(metric, scheme):  # a points-scheme metric, a comparison run
                    nothing = {"n": 0, "mean": math.nan, "low": math.nan, "high": math.nan}
                    rows.append({**same, "metric": metric, **nothing, "interval": NOT_APPLICABLE})
                    continue
                n, mean, low, high = mean_interval(group[metric])
                rows.append(
                    {**same, "metric": metric, "n": n, "mean": mean, "low": low,
                     "high": high, "interval": "student_t"}
                )  # fmt: skip
    return pd.DataFrame(rows)


def _point_values(group: pd.DataFrame) -> str | None:
    """The sweep point's values (the runs table's dotted-path columns) as JSON, or None."""
    values = {
        column: group[column].iloc[0]
        for column in group.columns
        if "." in column and pd.notna(group[column].iloc[0])
    }
    return json.dumps(values, default=str) if values else None


def wide_table(tidy: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Metric rows, one column of text per batch, scenario and point (:mod:`compare_text`),
    labelled in ``lang``."""
    points = tidy.groupby(["batch", "scenario"]).point.nunique()
    labels = tidy.apply(
        lambda r: column_label(
            r["batch"], r["scenario"], r["params"], points[r["batch"], r["scenario"]] > 1
        ),
        axis=1,
    )
    cells = tidy.apply(lambda r: cell(r, r["runs"], lang), axis=1)
    table = tidy.assign(column=labels, cell=cells)
    wide = table.pivot(index="metric", columns="column", values="cell")
    wide = wide[list(dict.fromkeys(labels))]  # the batches' order, then points in order
    counts = table.groupby("column").runs.max()
    wide.loc[REPLICATES] = [f"{counts[c]:,}" for c in wide.columns]
    wide = wide.reindex([REPLICATES, "collapsed", *NUMERIC])
    wide = wide.rename(index=lambda metric: metric_label(metric, lang))
    _ = gettext(lang)
    wide.index.name = _("metric")
    return wide


def compare_batches(folders: list[Path], out: Path | None = None, lang: str = "en") -> str:
    """Build, save and return (as text, in ``lang``) the comparison of ``folders``: each
    folder once, checked (a damaged file is one line); an unfinished batch is compared on the
    runs it has, with a one-line warning. The Markdown table is in ``lang``
    (``NAME.zh.md`` in Chinese); the CSV is the same in both."""
    _ = gettext(lang)
    folders = distinct(folders)
    for folder in folders:
        manifest = read_manifest(folder)
        check_intact(folder)
        finished, planned = count_runs(folder), manifest.get("runs")
        if isinstance(planned, int) and finished < planned:
            warning = _(
                "warning: {folder}: {finished} of {planned} runs finished; compared on those "
                "(run the batch command again to finish it)"
            )
            print(
                warning.format(folder=folder, finished=finished, planned=planned), file=sys.stderr
            )
    tidy = tidy_comparison(folders)
    wide = wide_table(tidy, lang)
    out = Path(out) if out else Path(folders[0]) / "comparison"
    out = out.with_suffix("")
    table = out.parent / (out.name + (".md" if lang == "en" else f".{lang}.md"))
    markdown = wide.rename(columns=lambda c: c.replace("\n", " ")).to_markdown()
    heading = _(
        "Mean and {level} confidence interval over replicates (Student t; collapsed: the "
        "share of runs, Wilson)."
    ).format(level="95%")
    with staged_files(out.parent) as stage:  # both files or neither, each fsynced
        tidy.to_csv(stage / f"{out.name}.csv", index=False)
        (stage / table.name).write_text(heading + "\n\n" + markdown + "\n", encoding="utf-8")
    legend = _(
        "mean [{level} interval] over replicates (collapsed: the share of runs, Wilson "
        "interval; shares in percent, money in yuan)"
    ).format(level="95%")
    saved = _("saved {csv}\n  and {markdown}").format(csv=out.with_suffix(".csv"), markdown=table)
    return f"{blocks(wide, lang=lang)}\n\n{legend}\n{saved}"
