"""Paper and phone as a committee member sees them: nothing lost in print, the title first.

Reads the shared sample render (tests/conftest.py); prints two of its reports once per module.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from test_browser import CHROMIUM, browser  # noqa: F401 (the module's browser fixture)
from test_pdf import needs_chromium

from sozialraum.publish.pdf import html_to_pdf

#: Page margins of bericht.css (@page): top and bottom, in millimetres.
RAND_OBEN, RAND_UNTEN = 18, 16
DPI = 20
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="make test installs chromium")


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _seiten(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def _fuellung(pdf: Path) -> list[float]:
    """Per page, how far down the printable area something is drawn (0 empty, 1 full)."""
    from PIL import Image

    out = []
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", str(pdf), f"{d}/s"], check=True)
        for png in sorted(Path(d).iterdir()):
            im = Image.open(png)
            w, h = im.size
            top = int(RAND_OBEN / 25.4 * DPI) + 1
            bottom = h - int(RAND_UNTEN / 25.4 * DPI) - 1
            px = im.load()
            rows = [y for y in range(top, bottom) if any(px[x, y] < 200 for x in range(w))]
            out.append(((rows[-1] if rows else top) - top) / (bottom - top))
    return out


@pytest.fixture(scope="module")
def gedruckt(sample_render, cfg, tmp_path_factory):
    """Two sample reports (one with a long event part) as HTML soup and printed PDF."""
    _, folder = sample_render
    out = tmp_path_factory.mktemp("druck")
    result = []
    for sr in (cfg.sozialraeume[2], cfg.sozialraeume[-1]):
        html = folder / f"{sr.slug}.html"
        pdf = html_to_pdf(html, out / f"{sr.slug}.pdf", titel=sr.name, beispieldaten=True)
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        result.append((soup, pdf))
    return result


def fehlende_tabellen(soup: BeautifulSoup, pdf: Path) -> list[str]:
    """Captions of the page's tables whose text is not in the PDF (collapsed or lost)."""
    text = _norm("".join(_seiten(pdf)))
    captions = [c.get_text(" ", strip=True) for c in soup.select("main caption")]
    return [c for c in captions if _norm(c) not in text]


def schwach_gefuellt(pdf: Path) -> list[tuple[int, float]]:
    """Pages but the last that are less than a quarter full: (page, fill)."""
    fill = _fuellung(pdf)
    assert len(fill) == len(_seiten(pdf))
    return [(i, round(f, 2)) for i, f in enumerate(fill[:-1], start=1) if f < 0.25]


def kopf_am_seitenende(soup: BeautifulSoup, pdf: Path) -> list[tuple[int, str]]:
    """Pages but the last whose last line ends a heading or a table caption: (page, line)."""
    koepfe = [
        _norm(e.get_text(" ", strip=True))
        for e in soup.select("main h1, main h2, main h3, main h4, main caption")
    ]
    out = []
    for i, seite in enumerate(_seiten(pdf)[:-1], start=1):
        zeilen = [re.sub(r"\s*Seite \d+ von \d+$", "", z.strip()) for z in seite.splitlines()]
        letzte = _norm(next((z for z in reversed(zeilen) if z), ""))
        # the whole heading, or the last line of a longer one that wrapped
        if any(k == letzte or (len(letzte) >= 12 and k.endswith(letzte)) for k in koepfe):
            out.append((i, letzte))
    return out


def pruefe_papier(html: Path, pdf: Path) -> None:
    """Everything of item 1 for one printed report (also used by tests/test_berlin.py)."""
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    assert len(_seiten(pdf)) > 3, pdf
    assert not fehlende_tabellen(soup, pdf), (pdf.name, fehlende_tabellen(soup, pdf))
    assert not schwach_gefuellt(pdf), (pdf.name, schwach_gefuellt(pdf))
    assert not kopf_am_seitenende(soup, pdf), (pdf.name, kopf_am_seitenende(soup, pdf))


@needs_chromium
def test_paper_has_every_table_even_the_collapsed_ones(gedruckt):
    for soup, pdf in gedruckt:
        assert soup.select("main details caption"), "the sample has collapsed tables"
        assert not fehlende_tabellen(soup, pdf)


@needs_chromium
def test_every_page_but_the_last_is_at_least_a_quarter_full(gedruckt):
    for _, pdf in gedruckt:
        assert len(_seiten(pdf)) > 5
        assert not schwach_gefuellt(pdf), pdf.name


@needs_chromium
def test_no_page_ends_with_a_heading_or_a_table_caption(gedruckt):
    for soup, pdf in gedruckt:
        assert not kopf_am_seitenende(soup, pdf), pdf.name


def test_the_checks_see_a_lost_table_an_empty_page_and_a_lonely_heading(tmp_path):
    """The measures themselves: a PDF that breaks each rule is caught by each check."""
    html = tmp_path / "schlecht.html"
    html.write_text(
        "<!DOCTYPE html><html lang='de'><head><meta charset='utf-8'><style>"
        "@page { size: A4; margin: 18mm 16mm 16mm; } .neu { break-before: page; }"
        "details::details-content { content-visibility: hidden; }</style></head><body><main>"
        "<h1>Bericht</h1><p>Kurz.</p><div style='height: 215mm'></div><h2>Allein am Ende</h2>"
        "<p class='neu'>Weiter.</p><details><summary>Zeigen</summary><table>"
        "<caption>Verborgene Tabelle</caption><tr><td>1</td></tr></table></details>"
        "<h2 class='neu'>Letzte Seite</h2></main></body></html>",
        encoding="utf-8",
    )
    pdf = html_to_pdf(html, tmp_path / "schlecht.pdf", titel="T", beispieldaten=False)
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    assert fehlende_tabellen(soup, pdf) == ["Verborgene Tabelle"]
    assert [i for i, _ in schwach_gefuellt(pdf)] == [2]
    assert kopf_am_seitenende(soup, pdf) == [(1, "AlleinamEnde")]


# -- on screen ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seite(sample_render, cfg):
    _, folder = sample_render
    return folder / f"{cfg.sozialraeume[2].slug}.html"


def test_phone_first_screen_shows_title_and_summary_contents_one_tap_away(browser, seite):  # noqa: F811
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(seite.as_uri())
    oben = page.evaluate(
        "() => [document.querySelector('h1'), document.getElementById('auf-einen-blick')]"
        ".map(e => e.getBoundingClientRect().top)"
    )
    assert all(0 <= y < 844 for y in oben), oben
    eintrag = page.locator("nav.inhaltsverzeichnis a").first
    assert not eintrag.is_visible()
    page.locator("nav.berichtsnavigation.oben .inhalt a").click()
    assert eintrag.is_visible()
    box = eintrag.bounding_box()
    assert 0 <= box["y"] < 844, box
    eintrag.click()  # choosing an entry closes the contents and shows the section
    assert not eintrag.is_visible()
    assert page.evaluate("document.getElementById('auf-einen-blick').getBoundingClientRect().top")
    page.close()


def test_desktop_keeps_the_contents_open(browser, seite):  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(seite.as_uri())
    assert page.locator("nav.inhaltsverzeichnis a").first.is_visible()
    assert not page.locator("nav.berichtsnavigation .inhalt a").is_visible()
    page.close()


_BILDER = """() => [...document.querySelectorAll('main figure svg, main figure img')]
  .filter(e => e.closest('figure').checkVisibility())
  .map(e => e.tagName === 'IMG' ? e.src : e.innerHTML.replace(/id="[^"]*"/g, ''))"""


@pytest.mark.parametrize("breite", [1280, 390])
def test_one_status_map_on_screen_static_one_on_paper(browser, seite, breite):  # noqa: F811
    page = browser.new_page(viewport={"width": breite, "height": 900})
    page.goto(seite.as_uri())
    bilder = page.evaluate(_BILDER)
    assert len(bilder) == len(set(bilder)) > 3  # no figure twice on the page
    assert page.locator("figure.ikarte").first.is_visible()
    assert page.locator(".nur-druck figure").count() == 1
    assert not page.locator(".nur-druck figure").is_visible()
    page.emulate_media(media="print")
    assert page.locator(".nur-druck figure").is_visible()
    assert not page.locator("figure.ikarte").first.is_visible()
    page.close()
