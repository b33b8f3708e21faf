"""Text from the public is text, everywhere (issue "Hostile input").

Card texts, feedback words, offer names and area names may hold markup, ``$…$`` (matplotlib
mathtext), backslashes, control characters and whole pages of text. The section builders are
called in-process on the mini city with such text put into the prepared data: the HTML must show
it literally (escaped, no new markup), every figure must render, and no CSV cell may start a
formula. A second part feeds 100,000 cards and checks that the page lists a bounded number.
"""

from __future__ import annotations

import base64
import csv
import dataclasses
import io
import re
import time

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from fixtures_city import FILES, make_city
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sozialraum.compute import events
from sozialraum.fmt import csv_zelle, figur_text, html_text, ohne_steuerzeichen, slug, zitat
from sozialraum.present import charts
from sozialraum.present.tables import csv_bytes, dateiname
from sozialraum.present.veranstaltungstabellen import feedback_tabelle, kanal_tabellen
from sozialraum.publish.sozialraumbericht import Sozialraumbericht

FREITEXT_FRAGE = "r2-fehlt;2;Was fehlt im Stadtteil?;freitext;nein\n"

# Only these elements may appear in a section; anything else came from the data.
ERLAUBT = {
    "h2", "h3", "h4", "p", "ul", "li", "strong", "span", "div", "small", "table", "caption",
    "thead", "tbody", "tr", "th", "td", "a", "figure", "img", "figcaption", "wbr",
    "details", "summary",  # the table behind a chart, collapsed
    "nav",  # the links to the neighbouring units
}  # fmt: skip
# Inside a figure's inline SVG (figures.figure_html): drawing elements, never a script.
ERLAUBT_SVG = {
    "svg", "title", "defs", "style", "g", "path", "text", "clippath", "rect", "use",
    "filter", "femorphology", "feflood", "fecomposite",  # the white halo of map labels
}  # fmt: skip
FORMEL = ("=", "+", "-", "@", "\t", "\r")
ZAHL = re.compile(r"[+-]?\d+(?:[.,]\d+)*")

HOSTILE = [
    "$$x$$",
    "$\\frac{1}{2}$",
    "\\",
    "a\\nb",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE karten; --",
    '=HYPERLINK("http://x")',
    "+SUMME(A1:A9)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1)",
    "\x00\x07\x1b[31m",
    "\u202e\u200b",
    "x" * 3000,
    "{{ jinja }} {% raw %}",
    "_unterstrich",
]

texte = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(min_size=1, max_size=60),
    st.text(alphabet="$\\<>&\"'=+-@{}%_\t\r\n\x00\x1b ab", min_size=1, max_size=40),
    st.text(min_size=300, max_size=2000),
)


@pytest.fixture(scope="module")
def basis(tmp_path_factory):
    """The mini city with a free-text question; its prepared data, loaded once."""
    path = make_city(
        tmp_path_factory.mktemp("freitext"),
        fragen=lambda t: t + FREITEXT_FRAGE,
        karten=lambda t: t + "2023-nord;r2-sport;r2-fehlt;Ein Treffpunkt;nein\n",
    )
    return Sozialraumbericht.laden("Nord", config=path).data


def _bericht(data, *, karte=None, wort=None, angebot=None, quartier=None) -> Sozialraumbericht:
    """A report of Nord whose prepared data hold the given texts."""
    i, r = data.inputs, data.result
    changes = {}
    if karte is not None:
        k = i.karten.copy()
        k["text"] = k["text"].astype(object)
        k.loc[k["veranstaltung_id"] == "2023-nord", "text"] = karte
        changes["karten"] = k
    if wort is not None:
        f = pd.DataFrame(
            {"veranstaltung_id": ["2023-nord"] * 3, "wort": [wort, wort, "gut"], "erfunden": True}
        )
        changes["feedback"] = f.reindex(columns=i.feedback.columns, fill_value=True).assign(
            veranstaltung_id="2023-nord", wort=f["wort"]
        )
    if angebot is not None:
        changes["angebote"] = i.angebote.assign(angebot=[angebot, angebot + " 2"])
    if quartier is not None:
        q = i.quartiere.copy()
        q["quartier"] = q["quartier"].astype(object)
        q.loc[q["quartier_id"] == "01", "quartier"] = quartier
        changes["quartiere"] = q
        ix = r.index.copy()
        ix["quartier"] = ix["quartier"].astype(object)
        ix.loc[ix["quartier_id"] == "01", "quartier"] = quartier
        r = dataclasses.replace(r, index=ix)
    inputs = dataclasses.replace(i, **changes)
    prepared = dataclasses.replace(data, inputs=inputs, result=r)
    return Sozialraumbericht(prepared, dpi=40, sozialraum_id="1")  # small PNGs: fast


def _soup(html: str) -> BeautifulSoup:
    soup = BeautifulSoup(html, "html.parser")
    # inline SVG of figures and of the interactive map (sozialraum.present.interaktiv)
    svgs = soup.select("svg.abbildung, figure.ikarte svg")
    in_svg = {t for svg in svgs for t in [svg, *svg.find_all(True)]}
    tags = {t.name for t in soup.find_all(True) if t not in in_svg}
    assert tags <= ERLAUBT, tags - ERLAUBT
    svg_tags = {t.name for t in in_svg}
    assert svg_tags <= ERLAUBT_SVG, svg_tags - ERLAUBT_SVG
    for t in soup.find_all(True):
        assert not [a for a in t.attrs if a.startswith("on")], t.attrs
    return soup


def _text(soup: BeautifulSoup) -> str:
    return soup.get_text("")


def _sichtbar(text: str) -> str:
    """What the page shows of ``text``: control characters dropped, CR as HTML parses it."""
    return ohne_steuerzeichen(text)


def _csv_cells(soup: BeautifulSoup) -> list[str]:
    cells = []
    for a in soup.find_all("a", download=True):
        raw = base64.b64decode(a["href"].split(",", 1)[1]).decode("utf-8-sig")
        for row in csv.reader(io.StringIO(raw, newline=""), delimiter=";"):
            cells += row
    return cells


def _assert_neutralised(cells: list[str]) -> None:
    bad = [c for c in cells if c.startswith(FORMEL) and not ZAHL.fullmatch(c)]
    assert not bad, bad[:3]


def _bilder(soup: BeautifulSoup) -> list:
    """The report figures: inline SVGs (``svg.abbildung``) and PNG fallbacks."""
    return soup.select("svg.abbildung, figure > img")


def _alt(bild) -> str:
    return bild["aria-label"] if bild.name == "svg" else bild["alt"]


def _imgs_render(soup: BeautifulSoup) -> None:
    for bild in _bilder(soup):
        if bild.name == "svg":
            assert bild["role"] == "img" and bild.find("title").get_text() == _alt(bild)
            assert bild.find("text") is not None, "labels stay text"
        else:
            assert bild["src"].startswith("data:image/png;base64,")
        assert _alt(bild).strip()


PROPERTY = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@PROPERTY
@given(text=texte)
def test_card_texts_are_shown_literally_and_neutralised_in_csv(basis, text):
    karte = f"Karte {text} Ende"
    soup = _soup(_bericht(basis, karte=karte).moderationskarten().data)
    shown = _text(soup)
    assert _sichtbar(karte).replace("\r", "\n") in shown.replace("\r", "\n")
    _imgs_render(soup)
    cells = _csv_cells(soup)
    assert any(_sichtbar(karte) in c or karte in c for c in cells), "all cards in the CSV"
    _assert_neutralised(cells)


@PROPERTY
@given(text=texte)
def test_feedback_words_are_shown_literally_and_the_figures_render(basis, text):
    bericht = _bericht(basis, wort=f"Wort {text} Ende")
    soup = _soup(bericht.feedback().data)
    freq = events.feedback_haeufigkeit(bericht.data.inputs.feedback, "2023-nord")
    for wort in freq["wort"]:
        assert _sichtbar(wort) in _text(soup)
    assert len(_bilder(soup)) == 1, "the bar chart only: each result once (no word cloud)"
    _imgs_render(soup)
    _assert_neutralised(_csv_cells(soup))


@PROPERTY
@given(text=texte)
def test_offer_names_are_shown_literally_and_the_chart_renders(basis, text):
    name = f"Angebot {text} Ende"
    soup = _soup(_bericht(basis, angebot=name).bekanntheit().data)
    assert _sichtbar(name) in _text(soup)
    assert len(_bilder(soup)) == 1
    _imgs_render(soup)
    _assert_neutralised(_csv_cells(soup))


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=texte)
def test_area_names_are_shown_literally_in_tables_alt_texts_and_maps(basis, text):
    name = f"Quartier {text} Ende"
    bericht = _bericht(basis, quartier=name)
    for section in (bericht.lage, bericht.sozialindex):
        soup = _soup(section().data)
        _imgs_render(soup)
        _assert_neutralised(_csv_cells(soup))
        if section == bericht.lage:
            assert _sichtbar(name) in _alt(_bilder(soup)[0])
        else:
            assert _sichtbar(name) in _text(soup)


# -- one helper per output kind --------------------------------------------------------------------
@given(text=st.text(max_size=200))
@settings(max_examples=100, deadline=None)
def test_helpers_of_each_output_kind(text):
    escaped = html_text(text)
    assert not set("<>\"'") & set(escaped)
    shown = BeautifulSoup(f'<p title="{escaped}">{escaped}</p>', "html.parser").p.get_text()
    # the text comes back as typed; whitespace as a browser shows it (a lone tab may come back
    # as a space, and both render the same)
    assert shown.split() == ohne_steuerzeichen(text).split()
    title = BeautifulSoup(f'<p title="{escaped}">x</p>', "html.parser").p["title"]
    assert title.split() == ohne_steuerzeichen(text).split()  # the parser turns tabs to spaces
    fig = figur_text(text)
    assert len(fig) <= 60 and not re.search("[\x00-\x1f\x7f-\x9f]", fig)
    cell = csv_zelle(text)
    assert not (cell.startswith(FORMEL) and not ZAHL.fullmatch(cell))
    name = slug(text)
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]{0,59}", name) and ".." not in name
    assert re.fullmatch(r"[a-z0-9-]+\.csv", dateiname("karten", text, "../../etc", 2023))


def test_negative_numbers_stay_numbers_and_text_formulas_are_quoted():
    df = pd.DataFrame(
        {
            "wert": [-1.5, 2.0, -3.25],
            "anzahl": [-4, 5, 6],
            "text": ["=1+1", "-2+3", "-7"],
            "=kopf": ["a", "@x", "\tb"],
        }
    )
    rows = list(csv.reader(io.StringIO(csv_bytes(df).decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["wert", "anzahl", "text", "'=kopf"]
    assert rows[1] == ["-1,5", "-4", "'=1+1", "a"]
    assert rows[2] == ["2", "5", "'-2+3", "'@x"]
    assert rows[3] == ["-3,25", "6", "-7", "'\tb"]


def test_figure_labels_are_shortened_with_an_ellipsis_only_in_figures():
    long = "Sehr langes Angebot " * 50
    assert figur_text(long).endswith("…") and len(figur_text(long)) == 60
    assert figur_text("a\nb\tc\x00d") == "a b cd"
    assert figur_text("$$x$$ \\ ") == "$$x$$ \\"


# -- long lists --------------------------------------------------------------------------------
N_KARTEN = 100_000


@pytest.fixture(scope="module")
def viele(basis):
    """100,000 cards in one channel and 100,000 free-text cards; 100,000 feedback words."""
    k = basis.inputs.karten
    one = k[k["veranstaltung_id"] == "2023-nord"]
    coded = one[one["frage_id"] == "r2-bekannter"].iloc[[0]]
    frei = one[one["frage_id"] == "r2-fehlt"].iloc[[0]]
    many = pd.concat(
        [
            coded.loc[coded.index.repeat(N_KARTEN)].assign(
                text=[f"Flyer in der Kita {n}" for n in range(N_KARTEN)]
            ),
            frei.loc[frei.index.repeat(N_KARTEN)].assign(
                text=[f"Mehr Bänke {n}" for n in range(N_KARTEN)]
            ),
        ],
        ignore_index=True,
    )
    words = pd.DataFrame(
        {"veranstaltung_id": "2023-nord", "wort": [f"wort{n}" for n in range(N_KARTEN)]}
    ).reindex(columns=basis.inputs.feedback.columns)
    words["veranstaltung_id"], words["wort"] = "2023-nord", [f"w{n}" for n in range(N_KARTEN)]
    inputs = dataclasses.replace(basis.inputs, karten=many.reset_index(drop=True), feedback=words)
    return Sozialraumbericht(dataclasses.replace(basis, inputs=inputs), sozialraum_id="1")


def test_100000_cards_are_summarised_and_all_in_the_csv(viele):
    start = time.perf_counter()
    html = viele.moderationskarten().data
    took = time.perf_counter() - start
    assert took < 20, f"{took:.1f} s"
    soup = BeautifulSoup(html, "html.parser")
    items = soup.find_all("li")
    assert len(items) <= 2 * 50 + 10, len(items)
    text = " ".join(soup.get_text(" ").split())
    assert "Kita/Schule (100.000 Karten)" in text
    assert text.count("… und 99.950 weitere Karten") == 2  # the channel and the free text
    downloads = {a["download"]: a for a in soup.find_all("a", download=True)}
    assert {"karten-r2-bekannter-nord-2023.csv", "karten-r2-fehlt-nord-2023.csv"} <= set(downloads)
    for name in ("karten-r2-bekannter-nord-2023.csv", "karten-r2-fehlt-nord-2023.csv"):
        raw = base64.b64decode(downloads[name]["href"].split(",", 1)[1]).decode("utf-8-sig")
        assert raw.count("\r\n") == N_KARTEN + 1, name


def test_100000_feedback_words_are_summarised_and_all_in_the_csv(viele):
    start = time.perf_counter()
    html = viele.feedback().data
    took = time.perf_counter() - start
    assert took < 20, f"{took:.1f} s"
    soup = BeautifulSoup(html, "html.parser")
    table = soup.find("table")
    assert len(table.find("tbody").find_all("tr")) == 50
    text = " ".join(soup.get_text(" ").split())
    assert "… und 99.950 weitere Wörter" in text
    assert "Feedbackwörter (100.000 Nennungen), die 50 häufigsten" in text
    raw = base64.b64decode(soup.find("a", download=True)["href"].split(",", 1)[1])
    assert raw.decode("utf-8-sig").count("\r\n") == N_KARTEN + 1


def test_short_lists_are_not_summarised(basis):
    html = _bericht(basis).moderationskarten().data + _bericht(basis).feedback().data
    assert "weitere" not in BeautifulSoup(html, "html.parser").get_text()
    freq = pd.DataFrame({"wort": ["a", "b"], "anzahl": [2, 1], "anteil": [66.7, 33.3]})
    assert "weitere" not in feedback_tabelle(freq)
    kodiert = pd.DataFrame(
        {"frage_id": ["f"], "frage": ["F?"], "station": ["S"], "text": ["t"], "kategorie": ["K"]}
    )
    h = pd.DataFrame(
        {"frage_id": ["f"], "frage": ["F?"], "kategorie": ["K"], "anzahl": [1], "anteil": [100.0]}
    )
    assert "(1 Karte)" in kanal_tabellen(kodiert, h) and "weitere" not in kanal_tabellen(kodiert, h)


def test_fixture_city_has_the_cards_the_tests_replace():
    assert "r2-bekannter" in FILES["karten"]


# -- feedback words exactly as typed (issue 16) -----------------------------------------------
WOERTER = [
    "{{7*7}}",
    "&lt;/script&gt;",
    "</script>",
    "<b>x</b>",
    "\"'",
    "${x}",
    "a\u202eb",
    "🎉",
    ";",
    "!wow?",
    "(Klammer)",
    "„Zitat“",
]


@pytest.mark.parametrize("wort", WOERTER)
def test_feedback_words_keep_their_edge_characters_in_table_chart_and_cloud(basis, wort):
    bericht = _bericht(basis, wort=wort)
    soup = _soup(bericht.feedback().data)
    shown = _sichtbar(wort)
    cells = [td.get_text("") for td in soup.find_all(["td", "th"])]
    assert shown in cells, "the table cell is the word as typed, nothing interpreted"
    assert wort in _csv_cells(soup) or shown in _csv_cells(soup)
    (chart,) = _bilder(soup)
    assert shown in [t.get_text("") for t in chart.find_all("text")] or shown in _alt(chart)
    freq = events.feedback_haeufigkeit(bericht.data.inputs.feedback, "2023-nord")
    fig, alt = charts.wortwolke(freq, "Nord")
    assert [t.get_text() for t in fig.axes[0].texts].count(figur_text(wort, 10**6)) == 1
    assert zitat(shown) in alt or shown in alt
