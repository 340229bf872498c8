"""The report's figures, drawn with matplotlib and embedded as PNG data URIs.

Why PNG in a ``data:`` URI: the report must be one file that loads nothing from anywhere;
an SVG would carry ``http://`` namespace strings, and PNG metadata would carry matplotlib's
address, so it is dropped. Every figure is at least 900 pixels wide (legible on a screen
and in print) and drawn with a 64-colour palette to keep the files small.
"""

from __future__ import annotations

import base64
import io
import math

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import ScalarFormatter
from PIL import Image

from sim.analysis.compensation import depth_rows
from sim.i18n import gettext

DPI = 100
WIDTH = 9.6  # inches: 960 px
COLORS = matplotlib.colormaps["tab10"].colors


def _figure(width: float, height: float) -> Figure:
    """A figure outside pyplot: no global backend is touched (a notebook keeps its own)."""
    return Figure(figsize=(width, height))


def data_uri(figure) -> str:
    """The figure as a small PNG ``data:`` URI (and the figure closed)."""
    raw = io.BytesIO()
    figure.savefig(raw, format="png", dpi=DPI, metadata={"Software": None})
    image = Image.open(io.BytesIO(raw.getvalue())).convert("RGB")
    small = io.BytesIO()
    image.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(small, "PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(small.getvalue()).decode("ascii")


def _grid(panels: int, row_height: float = 2.6, columns: int = 2):
    columns = 1 if panels == 1 else columns
    rows = math.ceil(panels / columns)
    figure = _figure(WIDTH, max(3.2, row_height * rows + 0.6))
    axes = figure.subplots(rows, columns, squeeze=False)
    flat = axes.ravel()
    for extra in flat[panels:]:
        extra.set_visible(False)
    return figure, flat[:panels]


def collapse_bars(
    table: pd.DataFrame,
    xlabel: str = "share of runs that collapsed (bar) and its 95% Wilson interval",
):
    """Collapse probability per scenario with its 95% interval (``label, p, low, high``)."""
    height = max(2.8, 0.45 * len(table) + 1.2)
    figure = _figure(WIDTH, height)
    axis = figure.subplots()
    positions = np.arange(len(table))[::-1]
    axis.barh(positions, table["p"], color=COLORS[3], alpha=0.75)
    axis.errorbar(
        table["p"],
        positions,
        xerr=[
            (table["p"] - table["low"]).clip(lower=0),
            (table["high"] - table["p"]).clip(lower=0),
        ],
        fmt="none",
        ecolor="black",
        capsize=4,
    )
    axis.set_yticks(positions, table["label"])
    axis.set_xlim(0, 1)
    axis.set_xlabel(xlabel)
    axis.grid(axis="x", alpha=0.3)
    figure.tight_layout()
    return data_uri(figure)


def heatmap(cells: pd.DataFrame, x: str, y: str, value: str, title: str, fmt: str = "{:.0%}"):
    """A phase diagram: ``value`` over the grid of ``x`` × ``y`` (one row per cell, with ``n``)."""
    xs = sorted(cells[x].unique())
    ys = sorted(cells[y].unique())
    grid = np.full((len(ys), len(xs)), np.nan)
    counts = np.zeros_like(grid)
    for _, row in cells.iterrows():
        grid[ys.index(row[y]), xs.index(row[x])] = row[value]
        counts[ys.index(row[y]), xs.index(row[x])] = row["n"]
    figure = _figure(WIDTH, max(3.6, 0.7 * len(ys) + 2.2))
    axis = figure.subplots()
    shown = axis.imshow(grid, origin="lower", cmap="Reds", vmin=0, vmax=1, aspect="auto")
    for (i, j), v in np.ndenumerate(grid):
        if not np.isnan(v):
            axis.text(
                j,
                i,
                fmt.format(v) + f"\nn={int(counts[i, j])}",
                ha="center",
                va="center",
                color="white" if v > 0.6 else "black",
                fontsize=9,
            )
    axis.set_xticks(range(len(xs)), [_tick(v) for v in xs])
    axis.set_yticks(range(len(ys)), [_tick(v) for v in ys])
    axis.set_xlabel(x)
    axis.set_ylabel(y)
    axis.set_title(title)
    figure.colorbar(shown, ax=axis, fraction=0.04)
    figure.tight_layout()
    return data_uri(figure)


def _tick(value) -> str:
    if isinstance(value, pd.Interval):
        return f"{value.left:.3g}–{value.right:.3g}"
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def collapse_ecdf(curves: dict[str, tuple[np.ndarray, int, int]], lang: str = "en"):
    """Share of runs collapsed by each day, per scenario: ``label -> (collapse days, runs,
    horizon)``; each curve ends at the scenario's collapse probability."""
    _ = gettext(lang)
    figure = _figure(WIDTH, 4.2)
    axis = figure.subplots()
    for color, (label, (days, runs, horizon)) in zip(COLORS, curves.items(), strict=False):
        days = np.sort(np.asarray(days, dtype=float))
        xs = np.concatenate([[0], days, [horizon]])
        ys = np.concatenate([[0], np.arange(1, len(days) + 1) / runs, [len(days) / runs]])
        axis.step(xs, ys, where="post", label=f"{label} ({len(days)}/{runs})", color=color)
    axis.set_xlabel(_("day"))
    axis.set_ylabel(_("share of runs collapsed by that day"))
    axis.set_ylim(0, 1.02)
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8, loc="upper left")
    figure.tight_layout()
    return data_uri(figure)


def bands(panels: dict[str, pd.DataFrame], ylabel: str, log: bool = False, xlabel: str = "day"):
    """Median and 25–75% / 5–95% bands over replicates, one panel per scenario; each frame has
    ``day, q05, q25, q50, q75, q95`` and optionally ``extra`` (a second median, dashed)."""
    figure, axes = _grid(len(panels))
    for axis, (label, frame) in zip(axes, panels.items(), strict=True):
        axis.fill_between(frame["day"], frame["q05"], frame["q95"], color=COLORS[0], alpha=0.18)
        axis.fill_between(frame["day"], frame["q25"], frame["q75"], color=COLORS[0], alpha=0.35)
        axis.plot(frame["day"], frame["q50"], color=COLORS[0], lw=1.4, label="median")
        if "extra" in frame:
            axis.plot(frame["day"], frame["extra"], color=COLORS[3], lw=1.2, ls="--")
        axis.set_title(label, fontsize=9)
        axis.set_ylabel(ylabel, fontsize=8)
        axis.tick_params(labelsize=8)
        axis.grid(alpha=0.3)
        if log:
            axis.set_yscale("log")
    axes[-1].set_xlabel(xlabel)
    figure.tight_layout()
    return data_uri(figure)


def medians(
    curves: dict[str, pd.DataFrame], ylabel: str, percent: bool = False, xlabel: str = "day"
):
    """Several medians on one axis (``day, q50`` each, one colour per label): for figures
    whose values share a scale across scenarios."""
    figure = _figure(WIDTH, 4.2)
    axis = figure.subplots()
    for index, (label, frame) in enumerate(curves.items()):
        colour = COLORS[index % len(COLORS)]
        axis.plot(frame["day"], frame["q50"], color=colour, lw=1.6, label=label)
    axis.set_xlabel(xlabel)
    axis.set_ylabel(ylabel)
    if percent:
        axis.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    return data_uri(figure)


def cohort_exits(cohorts: dict[str, pd.DataFrame], lang: str = "en"):
    """Claim 2: share of each join cohort forced out within the window, per scenario."""
    _ = gettext(lang)
    figure = _figure(WIDTH, 4.0)
    axis = figure.subplots()
    for color, (label, frame) in zip(COLORS, cohorts.items(), strict=False):
        axis.plot(
            frame["cohort_start"], frame["share_exited_within"], "o-", color=color, label=label
        )
    axis.set_xlabel(_("first day of the join cohort"))
    axis.set_ylabel(_("share forced out within the window"))
    axis.set_ylim(0, 1.02)
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    return data_uri(figure)


def law_beside_runs(panels: dict[str, tuple[pd.DataFrame, list]], lang: str = "en"):
    """The break-even law beside the runs (:mod:`sim.analysis.lawcheck`), one panel per scenario:
    for the first order of each day, the growth of cumulative orders it took until its points were
    worth each target (dots, every replicate), the law's growth (dashed line, same colour) and
    the growth still to come by the run's end (grey: an order below it cannot get there)."""
    _ = gettext(lang)
    figure, axes = _grid(len(panels), row_height=3.0)
    for axis, (label, (paths, wanted)) in zip(axes, panels.items(), strict=True):
        if len(paths):
            end = paths.groupby("day")["growth_by_end"].median()
            axis.plot(end.index, end.to_numpy(), color="0.45", lw=1.3, label=_("growth by the end"))
        for i, (color, target) in enumerate(zip(COLORS, wanted, strict=False)):
            got = paths[paths[f"reached_{i}"] >= 0] if len(paths) else paths
            if len(got):
                axis.scatter(
                    got["day"],
                    got[f"growth_{i}"],
                    s=7,
                    color=color,
                    alpha=0.6,
                    label=_("runs: {target}").format(target=target.label),
                )
            if target.law_growth is not None:
                axis.axhline(
                    target.law_growth,
                    color=color,
                    ls="--",
                    lw=1.2,
                    label=_("law: {target}").format(target=target.label),
                )
        axis.set_yscale("log")
        axis.set_xscale("log")  # the orders that get there are the first days' few
        axis.xaxis.set_major_formatter(ScalarFormatter())
        axis.set_title(label, fontsize=9)
        axis.set_ylabel(_("growth of cumulative orders"), fontsize=8)
        axis.tick_params(labelsize=8)
        axis.grid(alpha=0.3)
        axis.legend(fontsize=7, loc="upper right")
    for axis in axes[-2:]:
        axis.set_xlabel(_("day the order was placed (log scale)"), fontsize=8)
    figure.tight_layout()
    return data_uri(figure)


def depth_figure(named: dict[str, dict], lang: str = "en") -> str | None:
    """Payouts by level, one bar series per scenario (``named``: scenario name → the
    distribution layer's exact figures, :func:`sim.distribution.summary.figures`),
    as a PNG data URI: how deep up the network each scheme pays
    (:func:`sim.analysis.compensation.depth_rows`). Level 0 is pay off the
    chain. The y axis is logarithmic when the bars span more than two orders of magnitude,
    as unlimited-depth pay does. None when no run had the layer."""
    series = {
        name: np.array([row["yuan"] for row in rows])
        for name, layer in named.items()
        if (rows := depth_rows(layer))
    }
    if not series:
        return None
    _ = gettext(lang)
    depth = max(len(paid) for paid in series.values())
    figure = Figure(figsize=(WIDTH, 3.6), dpi=DPI)
    axis = figure.subplots()
    width = 0.8 / len(series)
    for i, (name, paid) in enumerate(series.items()):
        levels = np.arange(len(paid))
        offset = (i - (len(series) - 1) / 2) * width
        axis.bar(levels + offset, paid, width, color=COLORS[i % len(COLORS)], label=name)
    positive = [y for paid in series.values() for y in paid if y > 0]
    if positive and max(positive) / min(positive) > 100:
        axis.set_yscale("log")
    ticks = range(0, depth, max(1, math.ceil(depth / 25)))
    axis.set_xticks(list(ticks), [_("0\noff chain") if t == 0 else str(t) for t in ticks])
    axis.set_xlabel(_("level paid: distance up the network from the buyer"), fontsize=9)
    axis.set_ylabel(_("yuan paid"), fontsize=9)
    axis.tick_params(labelsize=8)
    axis.grid(axis="y", alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    return data_uri(figure)
