"""The Chinese glyphs a report uses travel inside it (issue 19, item 3): a subset of Noto
Sans CJK SC cut to the page's characters; none for a page without Chinese; a one-line
error saying how to get the font where it is not installed."""

from __future__ import annotations

import base64
import re

import pytest

from sim.errors import InputError
from sim.report import fonts


def _embedded(face: str) -> set[str]:
    found = re.search(r"data:font/otf;base64,([A-Za-z0-9+/=]+)", face)
    assert found, face[:200]
    return fonts.covered(base64.b64decode(found[1]))


def test_a_page_without_chinese_embeds_nothing():
    assert fonts.font_face("price = pool ÷ points, 95% – 100%") == ""


def test_the_subset_holds_the_pages_characters_and_ascii():
    text = "《禁止传销条例》第七条：消费增值 – 7,493.30 万元"
    face = fonts.font_face(text)
    assert face.startswith('@font-face{font-family:"Report CJK";src:url(data:font/otf;base64,')
    held = _embedded(face)
    assert set(text) <= held
    assert {chr(c) for c in range(0x20, 0x7F)} <= held
    assert "云" not in held  # only what the page uses
    assert len(face) < 150_000  # tens of kilobytes, not the 19 MB collection


def test_without_the_font_a_chinese_page_is_one_line_saying_how_to_get_it(monkeypatch, tmp_path):
    monkeypatch.setattr(fonts, "PLACES", (tmp_path / "NotoSansCJK-Regular.ttc",))
    fonts._collection_index.cache_clear()
    try:
        with pytest.raises(InputError, match="apt-get install fonts-noto-cjk") as raised:
            fonts.font_face("消费增值")
        assert "\n" not in str(raised.value)
        assert fonts.font_face("no Chinese here") == ""  # an English page needs no font
    finally:
        fonts._collection_index.cache_clear()


def test_the_embedded_font_is_the_same_bytes_every_time(monkeypatch):
    """A report is reproducible: the subset keeps the font's own dates, not the time it was
    cut (the clock moves between the two cuts here)."""
    from fontTools.ttLib.tables import _h_e_a_d

    ticks = iter(range(10**9, 10**9 + 100))
    monkeypatch.setattr(_h_e_a_d, "timestampNow", lambda: next(ticks))
    text = "消费增值 beside 云联惠"
    assert fonts.font_face(text) == fonts.font_face(text)
