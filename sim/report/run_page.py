"""``run --plot``: one run's main series on a self-contained HTML page (``run.html`` beside
the run's tables): the headline, price with pool and points, members, orders, sales and
forced exits, the withdrawal queue and unpaid claims, where the money went, and the red
flags raised. The pictures are PNG ``data:`` URIs: the page loads nothing from anywhere. In
Chinese (``run --plot --lang zh``) the figures are drawn in the CJK font, the page embeds
the glyphs it uses (:mod:`sim.report.fonts`), and the flags are measured again on the run's
members to be explained in Chinese (``summary.json`` keeps them in English).
"""

from __future__ import annotations

from html import escape

import pandas as pd

from sim.analysis.flag import statute_text
from sim.batch.tables import timeseries_rows
from sim.i18n import gettext
from sim.report.figures import data_uri
from sim.report.fonts import EMBEDDED, drawing, font_face, with_reload
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


def run_page(result, lang: str = "en") -> str:
    """The page of a finished run (:class:`sim.batch.run.RunResult`), in ``lang``."""
    with drawing(lang):
        page = _page_of(result, lang)
    return page if lang == "en" else _with_font(page)


def _with_font(page: str) -> str:
    """The page with the glyphs of its Chinese embedded (``@font-face``) and named first."""
    face = font_face(page)
    if not face:
        return page
    first = f'body{{font-family:"{EMBEDDED}",system-ui,sans-serif}}'
    return with_reload(page.replace("<style>", f"<style>{face}{first}", 1))


def _page_of(result, lang: str) -> str:
    _ = gettext(lang)
    summary = result.summary
    if summary.get("scheme"):  # a comparison scheme's run
        return _scheme_page(result, lang)
    days = result.timeseries()
    figures = [series_figure(days, title, lang=lang) for title in PANELS]
    figures.append(money_flow(summary, lang))
    raised = [flag for flag in result.red_flags(lang) if flag["raised"]]
    none_raised = _("None of the red flags is raised at the end of the run.")
    heads = (_("red flag"), _("reading"), _("statute"), _("what was measured"))
    rows = []
    for flag in raised:
        cells = (
            _(flag["key"]),
            _(flag["reading"]),
            statute_text(flag["law"], lang),
            flag["explanation"],
        )
        rows.append("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in cells) + "</tr>")
    head = "".join(f"<th>{escape(cell)}</th>" for cell in heads)
    flags = (
        f"<table><tr>{head}</tr>{''.join(rows)}</table>"
        if raised
        else f"<p>{escape(none_raised)}</p>"
    )
    titles = [*(_(title) for title in PANELS), _("where the money went")]
    heading = _("Red flags raised")
    more = f"<h2>{escape(heading)}</h2>\n{flags}\n"
    return _page(result, headline(summary, lang), titles, figures, more, lang)


def _scheme_page(result, lang: str) -> str:
    """A comparison scheme's run (``classic_ponzi``, ``daily_release``): the fund against
    what it owes, money in and out, members; the day it could not pay marked."""
    _ = gettext(lang)
    days = pd.DataFrame(timeseries_rows(result.rows, result.unit))
    day = result.summary["collapse_day"]
    figures = [series_figure(days, title, day, lang) for title in SCHEME_PANELS]
    titles = [_(title) for title in SCHEME_PANELS]
    return _page(result, scheme_headline(result.summary, lang), titles, figures, "", lang)


def _page(result, line: str, titles: list[str], figures: list, more: str, lang: str) -> str:
    _ = gettext(lang)
    pictures = "\n".join(
        f'<img alt="{escape(title)}" src="{data_uri(figure)}">'
        for title, figure in zip(titles, figures, strict=True)
    )
    title = _("{scenario}, seed {seed}, {days} days").format(
        scenario=result.scenario.name, seed=result.seed, days=result.days
    )
    footer = _(
        "Money in yuan; the run's tables are beside this page (timeseries.parquet, "
        "members.parquet, summary.json)."
    )
    return (
        f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>\n"
        f'<h1>{escape(title)}</h1>\n<p id="summary" class="headline">'
        f"{escape(line)}</p>\n"
        f'<div class="grid">\n{pictures}\n</div>\n{more}'
        f"<p>{escape(footer)}</p>\n</body></html>\n"
    )
