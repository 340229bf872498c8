"""The Chinese glyphs a report uses, embedded in it (issue 19): a subset of Noto Sans CJK SC
(SIL Open Font License; Debian's ``fonts-noto-cjk``) made with fontTools to exactly the
characters of the page, as an ``@font-face`` ``data:`` URL, so that 消费增值, the statutes'
names and every Chinese word render the same on any machine, with or without CJK fonts
(a stock headless Chromium shows empty boxes otherwise).

Only printable ASCII and the page's other characters that the font has are kept (a few
hundred glyphs: tens of kilobytes); a page with no Chinese character embeds nothing. Where the font
is not installed, a page that needs it is one line of :class:`InputError` saying how to get
it.
"""

from __future__ import annotations

import base64
import contextlib
import io
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from sim.errors import InputError

FAMILY = "Noto Sans CJK SC"  # the face the page names first (embedded as "Report CJK")
EMBEDDED = "Report CJK"
WEIGHTS = "100 900"  # the face stands for every weight (its reload says the same)
ASCII = "".join(chr(code) for code in range(0x20, 0x7F))  # kept too: the page reads the
# same on a machine with no font at all
PLACES = (  # where Debian, Fedora and Homebrew put the collection
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc"),
    Path("/opt/homebrew/share/fonts/NotoSansCJK-Regular.ttc"),
)
HOW_TO_GET = (
    "the report has Chinese characters and embeds their glyphs from Noto Sans CJK SC, "
    "which is not installed: apt-get install fonts-noto-cjk (or put NotoSansCJK-Regular.ttc "
    f"in {PLACES[0].parent})"
)


def needs_font(text: str) -> set[str]:
    """The characters of ``text`` an ASCII font may lack (everything above U+007F)."""
    return {c for c in text if ord(c) > 0x7F}


@cache
def _collection_index() -> tuple[Path, int] | None:
    """The installed collection and the index of its Simplified Chinese face."""
    from fontTools.ttLib import TTCollection

    for path in PLACES:
        if path.is_file():
            for index, font in enumerate(TTCollection(str(path), lazy=True).fonts):
                if font["name"].getDebugName(1) == FAMILY:
                    return path, index
    return None


def font_face(text: str) -> str:
    """The CSS ``@font-face`` rule embedding the glyphs of ``text``'s characters outside
    ASCII (empty when there are none the font has, or none at all)."""
    wanted = needs_font(text)
    if not any(ord(c) >= 0x2E80 for c in wanted):  # no CJK: the page's own fonts do
        return ""
    found = _collection_index()
    if found is None:
        raise InputError(HOW_TO_GET)
    data = _subset(*found, ASCII + "".join(sorted(wanted)))
    uri = "data:font/otf;base64," + base64.b64encode(data).decode("ascii")
    return (
        f'@font-face{{font-family:"{EMBEDDED}";src:url({uri}) format("opentype");'
        f"font-weight:{WEIGHTS};}}"
    )


# Loads the embedded face again from its own bytes if the CSS one fails: a Chromium whose
# fontconfig knows no font fails some loads of a page's data: URL font with "NetworkError: A
# network error occurred" (about 1 load in 4 of the larger Chinese reports, at random), while
# a FontFace made from the bytes fetches no URL. It acts only on that failure, and costs no
# second copy of the font: the bytes are read back from the page's own @font-face rule.
RELOAD = (
    "<script>/* the embedded face again from its bytes if its data: URL failed to load */\n"
    "document.fonts.forEach((face) => {\n"
    f"  if (face.family.replaceAll('\"', '') !== '{EMBEDDED}') return;\n"
    "  face.loaded.catch(() => {\n"
    "    for (const sheet of document.styleSheets) for (const rule of sheet.cssRules) {\n"
    "      const src = rule instanceof CSSFontFaceRule && rule.style.getPropertyValue('src');\n"
    "      const found = src && /base64,([A-Za-z0-9+\\/=]+)/.exec(src);\n"
    "      if (!found) continue;\n"
    "      const bytes = Uint8Array.from(atob(found[1]), (c) => c.charCodeAt(0));\n"
    f"      document.fonts.add(new FontFace('{EMBEDDED}', bytes, {{weight: '{WEIGHTS}'}}));\n"
    "    }\n"
    "  });\n"
    "});\n"
    "</script>"
)


def with_reload(page: str) -> str:
    """``page`` (with an embedded face) with :data:`RELOAD` after its first style sheet."""
    return page.replace("</style>", "</style>" + RELOAD, 1)


def _subset(path: Path, index: int, characters: str) -> bytes:
    """The face at ``index`` of the collection, cut to ``characters`` (no hinting, names kept
    short)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(path), fontNumber=index, lazy=False, recalcTimestamp=False)
    options = subset.Options()
    options.hinting = False
    options.desubroutinize = True
    options.name_IDs = [1, 2, 4, 6]
    options.layout_features = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def covered(font_data: bytes) -> set[str]:
    """The characters an embedded font (its bytes) has glyphs for (its character map)."""
    from fontTools.ttLib import TTFont

    return {chr(code) for code in TTFont(io.BytesIO(font_data)).getBestCmap()}


@contextlib.contextmanager
def figure_font() -> Iterator[None]:
    """Figures made inside draw their text in Noto Sans CJK SC (DejaVu Sans for what it
    lacks), so a Chinese title, label or legend is not a row of boxes; one line of
    :class:`InputError` where the font is not installed."""
    import matplotlib

    found = _collection_index()
    if found is None:
        raise InputError(HOW_TO_GET)
    _register(found[0])
    with matplotlib.rc_context({"font.family": [FAMILY, "DejaVu Sans"]}):
        yield


def drawing(lang: str) -> contextlib.AbstractContextManager:
    """Where a figure in ``lang`` is drawn: inside :func:`figure_font` for Chinese, as it
    is for English."""
    return figure_font() if lang != "en" else contextlib.nullcontext()


@cache
def _register(path: Path) -> None:
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(path))  # every face of the collection, SC among them
