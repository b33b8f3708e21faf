"""Frames in the analysts' notebook show German numbers (issue 16): 12,5 and 1.234."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
from bs4 import BeautifulSoup
from IPython.core.formatters import HTMLFormatter

from sozialraum.present.anzeige import deutsche_anzeige, tabelle_html

FRAME = pd.DataFrame(
    {"anteil": [12.5, 33.0, None], "einwohner": [1234, 5, 11615], "name": ["<b>x</b>", "y", "z"]},
    index=pd.Index([0.5, 1.0, 2.0]),
)


def _zellen(html: str) -> list[str]:
    return [td.get_text() for td in BeautifulSoup(html, "html.parser").find_all("td")]


def test_numbers_are_german_text_is_escaped_and_blanks_stay_blank():
    html = tabelle_html(FRAME)
    assert _zellen(html) == ["12,5", "1.234", "<b>x</b>", "33,0", "5", "y", "", "11.615", "z"]
    assert "<b>" not in html
    assert [th.get_text() for th in BeautifulSoup(html, "html.parser").find_all("th")][-3:] == [
        "0,5",
        "1,0",
        "2,0",
    ]
    assert tabelle_html(FRAME) == html, "the same frame gives the same page"


def test_a_long_frame_is_cut_like_pandas_does_and_says_so():
    with pd.option_context("display.max_rows", 2):
        html = tabelle_html(FRAME)
    assert len(BeautifulSoup(html, "html.parser").find_all("tr")) == 3
    assert "Die ersten 2 von 3 Zeilen" in html


def test_the_facade_registers_the_format_in_ipython_and_does_nothing_outside():
    formatter = HTMLFormatter()
    shell = SimpleNamespace(display_formatter=SimpleNamespace(formatters={"text/html": formatter}))
    assert deutsche_anzeige(shell)
    assert "12,5" in formatter(FRAME) and "12.5" not in formatter(FRAME)
    assert deutsche_anzeige() is False  # a plain Python process: no IPython shell
