"""Mesa's face of a run: :class:`SchemeModel`, a ``mesa.Model`` one step a day, and its
``datacollector``.

The run itself is :class:`sim.model.scheme.SchemeRun`, which needs no Mesa; this module
is the only one that imports it, so ``python -m sim run`` and a batch's runs do not pay for
Mesa's import (with scipy's and networkx's). ``SchemeModel`` is that run with Mesa's
counters (``steps``, ``running``, ``random``, ``rng``): the same generator, the same draws,
the same files.

``model.datacollector`` is a :class:`mesa.DataCollector` with one model reporter per column
of the run's time series, made from the model's exact day rows (:mod:`sim.model.daily`)
when asked for and showing them as the time-series file does (yuan, points, yuan per
point): ``model.datacollector.get_model_vars_dataframe()`` in a notebook equals
``timeseries.parquet`` day for day, the last day as the run's close redid it. Nothing is
collected while the model steps.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.model.daily import output_row
from sim.model.scheme import SchemeRun


class SchemeModel(SchemeRun, mesa.Model):
    """One run of a scenario with one seed, as a ``mesa.Model``: ``step()`` is one day,
    ``running`` turns False at the horizon (``run_model()``, ``mesa.batch_run``).

    ``scenario`` is a scenario, a scenario file or a shipped scenario's name; keyword
    arguments named by dotted path set its values (``**{"points.exit_multiple": 2.0}``), the
    way ``mesa.batch_run`` passes its parameters. ``seed`` defaults to ``run.seed`` and
    ``days`` to ``run.days``."""

    def _start(self, rng: np.random.Generator) -> None:
        """Mesa's own start, which takes the generator's first draw for its stdlib
        ``random`` just as :meth:`SchemeRun._start` does."""
        mesa.Model.__init__(self, rng=rng)

    @property
    def datacollector(self) -> mesa.DataCollector:
        """The day rows so far as Mesa's :class:`~mesa.DataCollector` (yuan and points, as
        ``timeseries.parquet``)."""
        return day_collector(self.day_rows, self.book.mechanics.unit)

    def close(self) -> None:
        """Drop Mesa's class-level id counter for this model, which would keep it alive
        (mesa#3179) across the runs of a batch."""
        mesa.Agent._ids.pop(self, None)


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
