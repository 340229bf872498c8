"""``run --plot``: one run's main series on a self-contained HTML page (``run.html`` beside
the run's tables): the headline, price with pool and points, members, orders, sales and
forced exits, the withdrawal queue and unpaid claims, where the money went, and the red
flags raised. The pictures are PNG ``data:`` URIs: the page loads nothing from anywhere.
"""

from __future__ import annotations

from html import escape

import pandas as pd

from sim.batch.tables import timeseries_rows
from sim.report.figures import data_uri
from sim.report.run_figures import (
    PANELS,
    SCHEME_PANELS,
    headline,
    money_flow,
    scheme_headline,
    series_figure,
)

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1400px; margin: 1.5em auto;
       padding: 0 1em; color: #222; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr));
        gap: 1em; }
img { width: 100%; height: auto; }
table { border-collapse: collapse; font-size: 0.9em; }
td, th { border-bottom: 1px solid #ddd; padding: 0.3em 0.6em; text-align: left; }
"""


def run_page(result) -> str:
    """The page of a finished run (:class:`sim.batch.run.RunResult`)."""
    summary = result.summary
    if summary.get("scheme"):  # a comparison scheme's run
        return _scheme_page(result)
    days = result.timeseries()
    figures = [series_figure(days, title) for title in PANELS] + [money_flow(summary)]
    raised = [flag for flag in summary["red_flags"] if flag["raised"]]
    flags = (
        "<table><tr><th>red flag</th><th>reading</th><th>what was measured</th></tr>"
        + "".join(
            f"<tr><td>{escape(f['key'])}</td><td>{escape(f['reading'])}</td>"
            f"<td>{escape(f['explanation'])}</td></tr>"
            for f in raised
        )
        + "</table>"
        if raised
        else "<p>None of the red flags is raised at the end of the run.</p>"
    )
    titles = [*PANELS, "where the money went"]
    more = f"<h2>Red flags raised</h2>\n{flags}\n"
    return _page(result, headline(summary), titles, figures, more)


def _scheme_page(result) -> str:
    """A comparison scheme's run (``classic_ponzi``, ``daily_release``): the fund against
    what it owes, money in and out, members; the day it could not pay marked."""
    days = pd.DataFrame(timeseries_rows(result.rows, result.unit))
    day = result.summary["collapse_day"]
    figures = [series_figure(days, title, day) for title in SCHEME_PANELS]
    return _page(result, scheme_headline(result.summary), list(SCHEME_PANELS), figures, "")


def _page(result, line: str, titles: list[str], figures: list, more: str) -> str:
    pictures = "\n".join(
        f'<img alt="{escape(title)}" src="{data_uri(figure)}">'
        for title, figure in zip(titles, figures, strict=True)
    )
    title = f"{result.scenario.name}, seed {result.seed}, {result.days} days"
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>\n"
        f'<h1>{escape(title)}</h1>\n<p id="summary" class="headline">'
        f"{escape(line)}</p>\n"
        f'<div class="grid">\n{pictures}\n</div>\n{more}'
        "<p>Money in yuan; the run's tables are beside this page (timeseries.parquet, "
        "members.parquet, summary.json).</p>\n</body></html>\n"
    )
