"""Two languages (issue 19): English, and Chinese in the seeds' and statutes' own terms.

Messages are written in English in the code, inside ``_()`` (``_ = gettext(lang)``), with
named fields filled by ``str.format``; their Chinese is in the gettext catalogue
``sim/locale/zh/LC_MESSAGES/sim.po``, compiled to ``sim.mo`` beside it with Babel
(``pybabel compile -d sim/locale -D sim``; the tests check that the two agree and that every
message in the code has its Chinese). Python's own :mod:`gettext` reads the catalogue at run
time. The README's glossary gives, for each Chinese term, the seed or statute line it is
taken from.

The language is ``--lang zh|en`` where a command offers it; by default the environment's
(``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``, in gettext's order: Chinese if the first
one set starts with ``zh``), else English. Amounts of money are written as a Chinese reader
expects them in Chinese (万元 and 亿元 from ten thousand yuan up) and with thousands
separators in English.
"""

from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path

LANGS = ("en", "zh")
LOCALE = Path(__file__).resolve().parent / "locale"
DOMAIN = "sim"
_WAN, _YI = 10_000, 100_000_000


def default_lang(environ: Mapping[str, str] = os.environ) -> str:
    """The environment's language, as gettext reads it: ``zh`` or ``en``."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


@cache
def gettext(lang: str) -> Callable[[str], str]:
    """The ``_`` of ``lang``: a message's translation (English: the message itself)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {LANGS}")
    if lang == "en":
        return _gettext.NullTranslations().gettext
    return _gettext.translation(DOMAIN, LOCALE, languages=[lang]).gettext


def lang_option(parser, environment: bool = True) -> None:
    """``--lang zh|en`` on a command's ``argparse`` parser: the language it writes in
    (default: the environment's; with ``environment=False``, None: the command decides)."""
    parser.add_argument(
        "--lang",
        choices=LANGS,
        default=default_lang() if environment else None,
        help="language: zh (中文) or en (default: the environment's locale, else en)",
    )


def wrote(out, files: list[str], lang: str) -> str:
    """The line a command prints last: the folder and the files it wrote."""
    _ = gettext(lang)
    return _("  wrote    {out}/: {files}").format(out=out, files=", ".join(files))


def N_(message: str) -> str:
    """Marks a message kept in a constant for the catalogue (translated where it is used)."""
    return message


def named(key: str, names: dict[str, str], lang: str, english: str | None = None) -> str:
    """A key as a reader sees it: in English ``english`` (default: the key itself), in
    another language the translation of its name in ``names`` (messages marked with
    :func:`N_`; a key without a name stays as in English)."""
    if lang == "en" or key not in names:
        return key if english is None else english
    return gettext(lang)(names[key])


def money(value: float, lang: str) -> str:
    """An amount of yuan: ``1,234,567.89`` in English (the unit is in the sentence);
    ``123.46 万元`` or ``1.23 亿元`` in Chinese (``1,234.50 元`` below ten thousand)."""
    if lang == "en":
        return f"{value:,.2f}"
    size = abs(value)
    if size >= _YI:
        return f"{value / _YI:,.2f} 亿元"
    if size >= _WAN:
        return f"{value / _WAN:,.2f} 万元"
    return f"{value:,.2f} 元"
