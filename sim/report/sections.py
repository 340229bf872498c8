"""What every section of the report is made of, and how one of its cells is shown.

A section builder (:mod:`sim.report.sections_runs`, :mod:`sim.report.sections_law`) returns a
:class:`ReportSection`: a title, paragraphs, figures (PNG ``data:`` URIs from
:mod:`sim.report.figures`) and tables (rows of plain values). :func:`fmt` turns a value into the
text of a table cell, the same in the HTML page and in the Markdown summary
(:mod:`sim.report.render`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sim.i18n import gettext


@dataclass
class ReportSection:
    """One section of the report (named apart from the scenario's ``Section`` base class)."""

    title: str
    text: list[str] = field(default_factory=list)
    figures: list[tuple[str, str]] = field(default_factory=list)  # (data URI, caption)
    tables: list[tuple[str, list[dict]]] = field(default_factory=list)  # (caption, rows)


def fmt(value, lang: str = "en") -> str:
    """A table cell in words: "–" for nothing, "yes" or "no" for a flag (是 or 否 in
    Chinese), integers and numbers from 1,000 up whole with thousands separators, smaller
    numbers to 3 or 4 digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool | np.bool_):
        _ = gettext(lang)
        return (_("yes") if value else _("no")).strip()
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        value = float(value)
        if value != 0 and abs(value) < 0.01:
            return f"{value:.3g}"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:,.2f}" if abs(value) >= 100 else f"{value:.4g}"
    return str(value)
