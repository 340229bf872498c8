"""The dashboard's other views: the ensemble of the scenario the controls make (replicates
with bands, collapse and loss figures with intervals), A/B (the current run beside another
scenario, on the same axes), the six claims tested on the current run, and the run
stepping live, the Mesa way.

The ensemble runs when asked (a button: N runs take seconds to minutes), on every core, in
the background; A/B runs the other scenario as written with the same seed and days whenever
either side changes.
"""

from __future__ import annotations

import base64

import pandas as pd
import solara
import solara.lab
from matplotlib.figure import Figure

from sim.batch.compare_text import number
from sim.batch.run import RunResult, simulate
from sim.dashboard.claims import claims_of_run
from sim.dashboard.ensemble import SERIES, Ensemble, run_ensemble
from sim.model.mesa_model import SchemeModel
from sim.report.figures import bands
from sim.report.run_figures import PANELS, series_figure
from sim.scenario.points import scenario_from
from sim.scenario.root import Scenario


def _percent_or_yuan(row: dict) -> str:
    """An ensemble figure with its interval, in its unit (:func:`sim.batch.compare_text.number`;
    shares kept within [0, 1], NaN bounds of too few runs as "n/a")."""
    values = (row["value"], row["low"], row["high"])
    if row["figure"].startswith(("share", "runs")):
        text = [number(min(max(x, 0.0), 1.0), "share") for x in values]
    else:
        text = [number(x, "yuan") for x in values]
    return (
        f"{row['figure']}: {text[0]} (95% {row['interval']} interval {text[1]} to {text[2]}, "
        f"{row['runs']} runs)"
    )


@solara.component
def EnsembleView(scenario: Scenario, seed: int, days: int):
    replicates, set_replicates = solara.use_state(20)
    series, set_series = solara.use_state("price")
    task = solara.lab.use_task(
        lambda: (scenario, seed, days, run_ensemble(scenario, seed, days, replicates)),
        dependencies=None,
    )
    with solara.Row():
        solara.SliderInt(
            f"replicates: {replicates}",
            value=replicates,
            min=2,
            max=200,
            step=1,
            on_value=set_replicates,
        )
        solara.Select("series", values=list(SERIES), value=series, on_value=set_series)
        solara.Button("Run the ensemble", on_click=task, disabled=task.pending, color="primary")
    solara.ProgressLinear(task.pending)
    if task.finished and isinstance(task.value[-1], Ensemble):
        ran, ran_seed, ran_days, ensemble = task.value
        stale = (ran, ran_seed, ran_days) != (scenario, seed, days)
        solara.Text(
            f"{len(ensemble.runs)} replicates of {ran.name} over {ran_days} days, seeds as "
            f"sim batch gives them from seed {ran_seed}"
            + ("; the settings have changed since: run again to follow them" if stale else ""),
            classes=["ensemble-headline"],
        )
        picture = bands({SERIES[series]: ensemble.quantiles(series)}, SERIES[series])
        solara.Image(base64.b64decode(picture.split(",", 1)[1]))  # a data URI's PNG
        solara.Text(
            "The line is the median over replicates, the dark band the middle half of them, "
            "the light band 90%."
        )
        for row in ensemble.figures():
            solara.Text(_percent_or_yuan(row), classes=["ensemble-figure"])


def series_pair(a: pd.DataFrame, b: pd.DataFrame, names: tuple[str, str], column: str) -> Figure:
    """``column`` of two runs on the same axes."""
    figure = Figure(figsize=(7.5, 3.2), layout="constrained")
    axis = figure.subplots()
    for days, name in zip((a, b), names, strict=True):
        axis.plot(days["day"], days[column], label=name)
    axis.set_xlabel("day")
    axis.set_title(SERIES.get(column, column), fontsize=10)
    axis.legend(fontsize=8)
    return figure


@solara.component
def CompareView(current: RunResult, choices: list[str]):
    other, set_other = solara.use_state(next(n for n in choices if n != current.scenario.name))
    series, set_series = solara.use_state("price")
    task = solara.lab.use_task(
        lambda: simulate(scenario_from(other), seed=current.seed, days=current.days),
        dependencies=[other, current.seed, current.days],
    )
    with solara.Row():
        solara.Select("B: scenario as written", values=choices, value=other, on_value=set_other)
        solara.Select("series", values=list(SERIES), value=series, on_value=set_series)
    solara.ProgressLinear(task.pending)
    if task.finished:
        names = (f"A: {current.scenario.name} (the controls)", f"B: {other}")
        figure = series_pair(current.timeseries(), task.value.timeseries(), names, series)
        solara.FigureMatplotlib(figure, format="png")
        solara.Text(
            f"same seed ({current.seed}) and days ({current.days}) on both sides",
            classes=["ab-headline"],
        )


@solara.component
def ClaimsView(current: RunResult):
    """The six claims tested on the current run (:mod:`sim.dashboard.claims`)."""
    task = solara.lab.use_task(lambda: (current, claims_of_run(current)), dependencies=None)
    solara.Button(
        "Test the six claims on this run", on_click=task, disabled=task.pending, color="primary"
    )
    solara.ProgressLinear(task.pending)
    if not task.finished:
        return
    tested, verdicts = task.value
    stale = tested is not current
    solara.Text(
        f"{tested.scenario.name}, seed {tested.seed}, {tested.days} days: one run, judged as a "
        "batch of one replicate"
        + ("; the run has changed since: test again to follow it" if stale else ""),
        classes=["claims-headline"],
    )
    for verdict in verdicts:
        solara.Text(
            f"{verdict.number}. {verdict.claim} — {verdict.verdict.upper()}: "
            f"{verdict.headline or verdict.evidence}",
            classes=["claim-verdict"],
        )


@solara.component
def LiveView(scenario: Scenario, seed: int, days: int):
    """The run stepping day by day, the Mesa way (``SchemeModel.step()`` while ``running``;
    the series from ``model.datacollector``), drawn every few days as it goes."""
    shown = solara.use_reactive(None)

    def step_through():
        model = SchemeModel(scenario, seed=seed, days=days)
        every = max(days // 30, 1)
        try:
            while model.running:
                model.step()
                if model.day % every == 0 or not model.running:
                    shown.set(model.datacollector.get_model_vars_dataframe())
        finally:
            model.close()
        return model.day

    task = solara.lab.use_task(step_through, dependencies=None)
    solara.Button("Watch it step", on_click=task, disabled=task.pending, color="primary")
    frame = shown.value
    if frame is None or not len(frame):
        return
    solara.Text(
        f"{scenario.name}: day {int(frame['day'].iloc[-1]) + 1} of {days}"
        + (" (done)" if task.finished else ""),
        classes=["live-headline"],
    )
    with solara.ColumnsResponsive(12, large=6):
        for title in list(PANELS)[:3]:
            solara.FigureMatplotlib(series_figure(frame, title), format="png")
