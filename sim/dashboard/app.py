"""The dashboard page (Solara): pick a scenario, move its controls, and the year is run again
at once on the compiled engine and drawn.

``python -m sim dashboard [SCENARIO] [--port P]`` serves it (:mod:`sim.dashboard.server`);
the scenario it opens with comes in ``SIM_DASHBOARD_SCENARIO``. Each change of a control
runs :func:`sim.batch.run.simulate` in a background thread (the page stays live; a bar shows
the run is on its way) on the scenario the controls make (:mod:`sim.dashboard.controls`),
then shows the run's headline, its day series and where the money went
(:mod:`sim.dashboard.figures`), the red flags of the run, and the run's tables to download;
beside it the ensemble and A/B tabs (:mod:`sim.dashboard.views`).
"""

from __future__ import annotations

import io
import os

import pyarrow as pa
import pyarrow.parquet as pq
import solara
import solara.lab

from sim.batch.run import RunResult, simulate
from sim.dashboard.controls import controls_for, controls_of, scenario_with, shipped_names
from sim.dashboard.server import page_lang
from sim.dashboard.views import ClaimsView, CompareView, EnsembleView, LiveView
from sim.errors import BeyondRange, InputError
from sim.i18n import N_, gettext
from sim.report.fonts import drawing
from sim.report.run_figures import PANELS, headline, money_flow, series_figure
from sim.scenario.points import scenario_from
from sim.scenario.root import Scenario

START = os.environ.get("SIM_DASHBOARD_SCENARIO", "national-100k")
LANG = page_lang()  # python -m sim dashboard --lang
_ = gettext(LANG)
GROUPS = (
    N_("rules"),
    N_("split"),
    N_("distribution"),
    N_("inflow"),
    N_("population"),
    N_("stress"),
)
VIEWS = (
    N_("One run"),
    N_("Live"),
    N_("Ensemble"),
    N_("A/B"),
    N_("Claims"),
)  # what the main column shows (buttons above it)


def _scenario(name: str, values: dict) -> Scenario | str:
    """The scenario the controls make, or the one-line reason it is refused."""
    try:
        return scenario_with(scenario_from(name), values)
    except InputError as problem:
        return str(problem)


def _run(scenario: Scenario | str, seed: int, days: int) -> RunResult | str:
    """The run the page shows, or the one-line reason it cannot run."""
    if isinstance(scenario, str):
        return scenario
    try:
        return simulate(scenario, seed=seed, days=days)
    except (InputError, BeyondRange) as problem:
        return str(problem)


@solara.component
def Control(control, value, on_value):
    """One slider or choice; its change goes to ``on_value``."""
    label = _(control.label)
    if control.choices:
        solara.Select(label, values=list(control.choices), value=value, on_value=on_value)
    elif control.whole:
        solara.SliderInt(
            f"{label}: {int(value):,}",
            value=int(value),
            min=int(control.low),
            max=int(control.high),
            step=int(control.step),
            on_value=on_value,
        )
    else:
        solara.SliderFloat(
            f"{label}: {float(value):g}",
            value=float(value),
            min=control.low,
            max=control.high,
            step=control.step,
            on_value=on_value,
        )


@solara.component
def Controls(values: dict, set_values):
    controls = controls_of(values)
    for group in GROUPS:
        shown = [c for c in controls if c.group == group and c.path in values]
        if not shown:
            continue
        with solara.Card(_(group), margin=0, classes=["my-1"]):
            for control in shown:

                def changed(new, path=control.path):
                    set_values({**values, path: new})

                Control(control, values[control.path], changed)


@solara.component
def Downloads(result: RunResult):
    def parquet(table: pa.Table):
        def make():
            sink = io.BytesIO()
            pq.write_table(table, sink)
            return sink.getvalue()

        return make

    days = pa.Table.from_pandas(result.timeseries(), preserve_index=False)
    members = result.members_output()
    with solara.Row():
        solara.FileDownload(parquet(days), "timeseries.parquet", label=_("time series (Parquet)"))
        solara.FileDownload(
            lambda: result.timeseries().to_csv(index=False).encode(),
            "timeseries.csv",
            label=_("time series (CSV)"),
        )
        solara.FileDownload(parquet(members), "members.parquet", label=_("members (Parquet)"))


@solara.component
def RunView(result: RunResult):
    summary = result.summary
    title = _("{scenario}, seed {seed}, {days} days").format(
        scenario=result.scenario.name, seed=result.seed, days=result.days
    )
    solara.v.Html(tag="h3", children=[title])
    solara.Text(headline(summary, LANG), classes=["run-headline"])
    days = result.timeseries()
    with drawing(LANG):
        figures = [series_figure(days, panel, lang=LANG) for panel in PANELS]
        figures.append(money_flow(summary, LANG))
    with solara.ColumnsResponsive(12, large=6):
        for figure in figures:
            solara.FigureMatplotlib(figure, format="png")
    solara.v.Html(tag="h3", children=[_("Red flags of this run")])
    FlagTable(result.red_flags(LANG))
    Downloads(result)


@solara.component
def FlagTable(flags: list[dict]):
    """The run's red flags, headed and named in the page's language, as a plain HTML table
    (Solara's DataFrame needs a Vue component this page does not load: it showed nothing)."""
    cell = "border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top"

    def row(values, tag):
        return solara.v.Html(
            tag="tr",
            children=[solara.v.Html(tag=tag, style_=cell, children=[v]) for v in values],
        )

    head = (_("red flag"), _("reading"), _("raised"), _("what was measured"))
    body = [
        row(
            (
                _(flag["key"]),
                _(flag["reading"]),
                _("yes").strip() if flag["raised"] else _("no"),
                flag["explanation"],
            ),
            "td",
        )
        for flag in flags
    ]
    solara.v.Html(
        tag="table",
        class_="run-flags",
        style_="border-collapse:collapse;font-size:0.9em",
        children=[row(head, "th"), *body],
    )


@solara.component
def Page():
    name, set_name = solara.use_state(START)
    base = solara.use_memo(lambda: scenario_from(name), dependencies=[name])
    values, set_values = solara.use_state(controls_for(base), key=f"values-{name}")
    seed, set_seed = solara.use_state(base.run.seed, key=f"seed-{name}")
    days, set_days = solara.use_state(base.run.days, key=f"days-{name}")
    view, set_view = solara.use_state(VIEWS[0])
    frozen = tuple(sorted(values.items()))
    current = solara.use_memo(lambda: _scenario(name, values), dependencies=[name, frozen])
    task = solara.lab.use_task(
        lambda: _run(current, seed, days), dependencies=[name, frozen, seed, days]
    )
    names = shipped_names()
    names += [] if name in names else [name]  # a file given on the command line
    solara.Title(_("消费增值 points scheme: dashboard"))
    with solara.Columns([1, 3]):
        with solara.Column():
            solara.Select(_("scenario"), values=names, value=name, on_value=set_name)
            solara.InputInt(_("seed"), value=seed, on_value=set_seed)
            solara.SliderInt(
                _("days: {days}").format(days=days),
                value=days,
                min=30,
                max=1095,
                step=5,
                on_value=set_days,
            )
            Controls(values, set_values)
        with solara.Column():
            solara.ProgressLinear(task.pending)
            if task.finished and isinstance(task.value, str):
                solara.Error(task.value)
            elif task.finished:
                shown = {_(v): v for v in VIEWS}  # the buttons say a view in the page's words
                solara.ToggleButtonsSingle(
                    value=_(view), values=list(shown), on_value=lambda v: set_view(shown[v])
                )
                if view == "One run":
                    RunView(task.value)
                elif view == "Live":
                    LiveView(current, seed, days)
                elif view == "Ensemble":
                    EnsembleView(current, seed, days)
                elif view == "A/B":
                    CompareView(task.value, names)
                else:
                    ClaimsView(task.value)
