"""The model-level series the way Mesa users read them: ``model.datacollector``, a
:class:`mesa.DataCollector` with one model reporter per column of the run's time series.

Each day the model keeps its row of exact figures (:mod:`sim.model.daily`); the collector
records the same row as the time-series file shows it (yuan, points, yuan per point), so
``model.datacollector.get_model_vars_dataframe()`` in a notebook equals ``timeseries.parquet``
day for day. The columns are those of the first day's row (every account is opened before
it). The last day's row is redone when the run finishes (:meth:`DaySeries.redo_last`).
"""

from __future__ import annotations

import mesa

from sim.model.daily import output_row


class DaySeries:
    """Feeds one model's rows to its :class:`mesa.DataCollector`."""

    def __init__(self, unit: int) -> None:
        self.unit = unit
        self.collector: mesa.DataCollector | None = None
        self.today: dict = {}  # the row being collected, as the file shows it

    def collect(self, model, row: dict) -> mesa.DataCollector:
        """Record the day's exact ``row``; returns the collector (made on the first day)."""
        self.today = output_row(row, self.unit)
        if self.collector is None:
            reporters = {name: self._reporter(name) for name in self.today}
            self.collector = mesa.DataCollector(model_reporters=reporters)
        self.collector.collect(model)
        return self.collector

    def redo_last(self, row: dict) -> None:
        """Replace the last day's record by ``row`` (exact), as the model redid it."""
        if self.collector is None:
            return
        self.today = output_row(row, self.unit)
        for name, values in self.collector.model_vars.items():
            values[-1] = self.today.get(name)

    def _reporter(self, name: str):
        return lambda model: self.today.get(name)
