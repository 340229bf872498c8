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

from sim.analysis.evidence import verdict_word
from sim.batch.compare_text import number
from sim.batch.run import RunResult, simulate
from sim.dashboard.claims import claims_of_run
from sim.dashboard.ensemble import SERIES, Ensemble, run_ensemble
from sim.dashboard.server import page_lang
from sim.i18n import gettext
from sim.model.mesa_model import SchemeModel
from sim.report.figures import bands
from sim.report.fonts import drawing
from sim.report.run_figures import PANELS, series_figure
from sim.scenario.points import scenario_from
from sim.scenario.root import Scenario


def _percent_or_yuan(row: dict, lang: str = "en") -> str:
    """An ensemble figure with its interval, in its unit (:func:`sim.batch.compare_text.number`;
    shares kept within [0, 1], NaN bounds of too few runs as "n/a")."""
    _ = gettext(lang)
    values = (row["value"], row["low"], row["high"])
    if row["figure"].startswith(("share", "runs")):
        text = [number(min(max(x, 0.0), 1.0), "share", lang) for x in values]
    else:
        text = [number(x, "yuan", lang) for x in values]
    return _("{figure}: {value} ({level} {interval} interval {low} to {high}, {runs} runs)").format(
        figure=_(row["figure"]),
        value=text[0],
        level="95%",
        interval=_(row["interval"]),
        low=text[1],
        high=text[2],
        runs=row["runs"],
    )


@solara.component
def EnsembleView(scenario: Scenario, seed: int, days: int):
    replicates, set_replicates = solara.use_state(20)
    series, set_series = solara.use_state("price")
    task = solara.lab.use_task(
        lambda: (scenario, seed, days, run_ensemble(scenario, seed, days, replicates)),
        dependencies=None,
    )
    _ = gettext(page_lang())
    with solara.Row():
        solara.SliderInt(
            _("replicates: {replicates}").format(replicates=replicates),
            value=replicates,
            min=2,
            max=200,
            step=1,
            on_value=set_replicates,
        )
        solara.Select(_("series"), values=list(SERIES), value=series, on_value=set_series)
        solara.Button(_("Run the ensemble"), on_click=task, disabled=task.pending, color="primary")
    solara.ProgressLinear(task.pending)
    if task.finished and isinstance(task.value[-1], Ensemble):
        ran, ran_seed, ran_days, ensemble = task.value
        stale = (ran, ran_seed, ran_days) != (scenario, seed, days)
        said = _(
            "{replicates} replicates of {scenario} over {days} days, seeds as sim batch gives "
            "them from seed {seed}"
        ).format(replicates=len(ensemble.runs), scenario=ran.name, days=ran_days, seed=ran_seed)
        if stale:
            said += _("; the settings have changed since: run again to follow them")
        solara.Text(said, classes=["ensemble-headline"])
        label = _(SERIES[series])
        with drawing(page_lang()):
            picture = bands({label: ensemble.quantiles(series)}, label)
        solara.Image(base64.b64decode(picture.split(",", 1)[1]))  # a data URI's PNG
        solara.Text(
            _(
                "The line is the median over replicates, the dark band the middle half of "
                "them, the light band {outer}."
            ).format(outer="90%")
        )
        for row in ensemble.figures():
            solara.Text(_percent_or_yuan(row, page_lang()), classes=["ensemble-figure"])


def series_pair(
    a: pd.DataFrame, b: pd.DataFrame, names: tuple[str, str], column: str, lang: str = "en"
) -> Figure:
    """``column`` of two runs on the same axes."""
    _ = gettext(lang)
    figure = Figure(figsize=(7.5, 3.2), layout="constrained")
    axis = figure.subplots()
    for days, name in zip((a, b), names, strict=True):
        axis.plot(days["day"], days[column], label=name)
    axis.set_xlabel(_("day"))
    axis.set_title(_(SERIES[column]) if column in SERIES else column, fontsize=10)
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
    lang = page_lang()
    _ = gettext(lang)
    with solara.Row():
        solara.Select(_("B: scenario as written"), values=choices, value=other, on_value=set_other)
        solara.Select(_("series"), values=list(SERIES), value=series, on_value=set_series)
    solara.ProgressLinear(task.pending)
    if task.finished:
        names = (
            _("A: {scenario} (the controls)").format(scenario=current.scenario.name),
            f"B: {other}",
        )
        with drawing(page_lang()):
            pair = (current.timeseries(), task.value.timeseries())
            figure = series_pair(*pair, names, series, lang)
        solara.FigureMatplotlib(figure, format="png")
        solara.Text(
            _("same seed ({seed}) and days ({days}) on both sides").format(
                seed=current.seed, days=current.days
            ),
            classes=["ab-headline"],
        )


@solara.component
def ClaimsView(current: RunResult):
    """The six claims tested on the current run (:mod:`sim.dashboard.claims`)."""
    lang = page_lang()
    task = solara.lab.use_task(lambda: (current, claims_of_run(current, lang)), dependencies=None)
    _ = gettext(lang)
    solara.Button(
        _("Test the six claims on this run"), on_click=task, disabled=task.pending, color="primary"
    )
    solara.ProgressLinear(task.pending)
    if not task.finished:
        return
    tested, verdicts = task.value
    stale = tested is not current
    said = _(
        "{scenario}, seed {seed}, {days} days: one run, judged as a batch of one replicate"
    ).format(scenario=tested.scenario.name, seed=tested.seed, days=tested.days)
    if stale:
        said += _("; the run has changed since: test again to follow it")
    solara.Text(said, classes=["claims-headline"])
    for verdict in verdicts:
        solara.Text(
            _("{number}. {claim} — {verdict}: {evidence}").format(
                number=verdict.number,
                claim=verdict.claim,
                verdict=verdict_word(verdict.verdict, lang).upper(),
                evidence=verdict.headline or verdict.evidence,
            ),
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
    lang = page_lang()
    _ = gettext(lang)
    solara.Button(_("Watch it step"), on_click=task, disabled=task.pending, color="primary")
    frame = shown.value
    if frame is None or not len(frame):
        return
    said = _("{scenario}: day {day} of {days}").format(
        scenario=scenario.name, day=int(frame["day"].iloc[-1]) + 1, days=days
    )
    solara.Text(said + (_(" (done)") if task.finished else ""), classes=["live-headline"])
    with drawing(page_lang()):
        figures = [series_figure(frame, panel, lang=lang) for panel in list(PANELS)[:3]]
    with solara.ColumnsResponsive(12, large=6):
        for figure in figures:
            solara.FigureMatplotlib(figure, format="png")
