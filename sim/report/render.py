"""The report written: one self-contained HTML file and a Markdown summary beside it.

The HTML page (``templates/report.html.j2``, a Jinja2 template shipped in the package) has its
figures embedded as PNG ``data:`` URIs, no script, no link to anywhere, and every piece of
scenario text escaped (autoescape on); the Markdown summary (``NAME.md``) repeats the summary,
the claims and the main tables, with HTML special characters escaped too. :func:`write_report`
writes both, all or nothing.
"""

from __future__ import annotations

import html
from pathlib import Path

from jinja2 import Environment, PackageLoader

from sim import __version__
from sim.analysis.claims import FAILED, HELD, MIXED, verdict_word
from sim.errors import InputError
from sim.i18n import N_, default_lang, gettext
from sim.outputs import staged_files
from sim.report.build import Report, build_report
from sim.report.fonts import font_face, with_reload
from sim.report.replay_report import is_replay_folder, replay_report
from sim.report.schemes_report import holds_comparison, schemes_report
from sim.report.sections import fmt

TEMPLATES = Environment(loader=PackageLoader("sim.report", "templates"), autoescape=True)


def _columns(rows: list[dict]) -> list[str]:
    return list(dict.fromkeys(k for row in rows for k in row))


def _css(verdict: str) -> str:
    return {HELD: "held", FAILED: "failed", MIXED: "mixed"}.get(verdict, "untestable")


def _words(report: Report, lang: str) -> dict[str, str]:
    """The page's own words in ``lang``."""
    _ = gettext(lang)
    return {
        "lang": "zh-Hans" if lang == "zh" else "en",
        "claims": _("The vendor's claims, tested"),
        "claim": _("claim (SPEC §5)"),
        "verdict": _("verdict"),
        "evidence": _("evidence"),
        "notes": _("Notes"),
        "made_by": _(
            "Made by consumption-points-sim {version}. {source}; nothing in this file is "
            "loaded from the network."
        ).format(version=__version__, source=_(report.source)),
    }


def render_html(report: Report, lang: str = "en") -> str:
    """The page, with the glyphs of its Chinese characters embedded (:mod:`sim.report.fonts`:
    the page is made once to know its characters, then with their font)."""
    template = TEMPLATES.get_template("report.html.j2")
    fields = {"report": report, "columns": _columns, "css": _css, "words": _words(report, lang)}
    fields["fmt"] = lambda value: fmt(value, lang)
    fields["head"] = lambda column: header(column, lang)
    fields["said"] = lambda verdict: verdict_word(verdict, lang)
    page = template.render(**fields, version=__version__, font_face="")
    face = font_face(page)
    if not face:
        return page
    return with_reload(template.render(**fields, version=__version__, font_face=face))


def _md(text: str) -> str:
    """Scenario text in Markdown: HTML special characters escaped (a viewer renders raw HTML)."""
    return html.escape(str(text), quote=False)


def _md_cell(value, lang: str = "en") -> str:
    return _md(fmt(value, lang)).replace("|", "\\|").replace("\n", " ")


def header(column: str, lang: str) -> str:
    """A table's column as its reader sees it: in Chinese its name from the catalogue (every
    section marks its columns' names), a column without one (a swept parameter) as it is."""
    return gettext(lang)(column) if column and lang != "en" else column


def _md_table(rows: list[dict], lang: str = "en") -> str:
    columns = _columns(rows)
    heads = [_md(header(c, lang)) for c in columns] if lang != "en" else columns
    lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_md_cell(row.get(c), lang) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


MARKDOWN_SECTIONS = (  # the sections whose tables the Markdown summary repeats
    N_("How often, and how soon, it collapsed"),
    N_("Who gained and who lost"),
    N_("The break-even law beside the runs"),
    N_("Compensation: who the distribution layer paid, and how deep"),
    N_("Legal red flags"),
)


def render_markdown(report: Report, html_name: str, lang: str = "en") -> str:
    _ = gettext(lang)
    figures = _("Figures and tables: [{name}]({name}).").format(name=html_name)
    parts = [f"# {_md(report.title)}", "", figures, ""]
    repeated = {_(title) for title in MARKDOWN_SECTIONS}
    for heading, sentences in report.summary:
        parts += [f"## {heading}", "", *[f"- {_md(s)}" for s in sentences], ""]
    if report.verdicts:
        parts += ["## " + _("The claims, tested"), ""]
        parts.append(
            _md_table(
                [
                    {
                        "#": v.number,
                        _("claim"): v.claim,
                        _("verdict"): verdict_word(v.verdict, lang),
                        _("evidence"): v.evidence,
                    }
                    for v in report.verdicts
                ]
            )
        )
    for section in report.sections:
        if report.all_tables_in_markdown or section.title in repeated:
            parts += ["", f"## {section.title}", ""]
            if report.text_in_markdown:
                parts += [item for text in section.text for item in (_md(text), "")]
            for caption, rows in section.tables:
                if rows:
                    parts += [caption + _(":"), "", _md_table(rows, lang), ""]
    if report.notes:
        parts += ["", "## " + _("Notes"), "", *[f"- {_md(n)}" for n in report.notes]]
    return "\n".join(parts).rstrip() + "\n"


def write_report(
    folders: list[str | Path],
    out: str | Path,
    reruns: int,
    title: str | None = None,
    lang: str | None = None,
) -> tuple[Path, Path]:
    """Build the report of batch folders (the side-by-side report of schemes when one holds a
    comparison scheme's runs), or of one replay folder, and write ``out`` (.html) and the .md
    beside it, all or nothing."""
    out = Path(out)
    if out.suffix.lower() != ".html":
        raise InputError("--out must name an .html file, e.g. reports/NAME.html", file=out)
    if out.is_dir():
        raise InputError("output path is a folder; give a file name ending in .html", file=out)
    replays = [folder for folder in folders if is_replay_folder(folder)]
    if replays and len(folders) > 1:
        raise InputError("report a replay folder on its own, not beside others", file=replays[0])
    schemes = not replays and any(holds_comparison(folder) for folder in folders)
    lang = lang or default_lang()  # given, else the environment's language
    if schemes:  # 消费增值 beside the schemes courts judged
        report = schemes_report(folders, title, lang)
    elif replays:  # the auditor's report
        report = replay_report(replays[0], title, lang)
    else:
        report = build_report(folders, reruns, title, lang)
    page = render_html(report, lang)
    markdown = render_markdown(report, out.name, lang)
    markdown_path = out.with_suffix(".md")
    with staged_files(out.parent) as stage:
        (stage / out.name).write_text(page, encoding="utf-8")
        (stage / markdown_path.name).write_text(markdown, encoding="utf-8")
    return out, markdown_path
