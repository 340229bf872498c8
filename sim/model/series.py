"""The model-level series the way Mesa users read them: ``model.datacollector``, a
:class:`mesa.DataCollector` with one model reporter per column of the run's time series.

The model keeps one row of exact figures a day (:mod:`sim.model.daily`); the collector is
made from those rows when asked for, showing them as the time-series file does (yuan,
points, yuan per point), so ``model.datacollector.get_model_vars_dataframe()`` in a notebook
equals ``timeseries.parquet`` day for day, the last day as the run's close redid it. Nothing
is collected while the model steps.
"""

from __future__ import annotations

import mesa

from sim.model.daily import output_row


def day_collector(rows: list[dict], unit: int) -> mesa.DataCollector:
    """``rows`` (exact, one a day) as a collector: its records the rows as the file shows
    them, its reporters reading the model's last row (should a caller collect again)."""
    shown = [output_row(row, unit) for row in rows]
    names = list(shown[0]) if shown else []
    collector = mesa.DataCollector(model_reporters={name: _last(name, unit) for name in names})
    for name in names:
        collector.model_vars[name] = [row.get(name) for row in shown]
    return collector


def _last(name: str, unit: int):
    return lambda model: output_row(model.day_rows[-1], unit).get(name)
