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


@needs_chromium
def test_paper_has_every_table_even_the_collapsed_ones(gedruckt):
    for soup, pdf in gedruckt:
        assert soup.select("main details caption"), "the sample has collapsed tables"
        text = _norm("".join(_seiten(pdf)))
        for caption in soup.select("main caption"):
            assert _norm(caption.get_text(" ", strip=True)) in text, caption.get_text()


@needs_chromium
def test_every_page_but_the_last_is_at_least_a_quarter_full(gedruckt):
    for _, pdf in gedruckt:
        fill = _fuellung(pdf)
        assert len(fill) == len(_seiten(pdf)) > 5
        schwach = [(i, round(f, 2)) for i, f in enumerate(fill[:-1], start=1) if f < 0.25]
        assert not schwach, (pdf.name, schwach)


@needs_chromium
def test_no_page_ends_with_a_heading_or_a_table_caption(gedruckt):
    for soup, pdf in gedruckt:
        koepfe = [
            _norm(e.get_text(" ", strip=True))
            for e in soup.select("main h1, main h2, main h3, main h4, main caption")
        ]
        for i, seite in enumerate(_seiten(pdf)[:-1], start=1):
            zeilen = [z.strip() for z in seite.splitlines() if z.strip()]
            zeilen = [re.sub(r"\s*Seite \d+ von \d+$", "", z) for z in zeilen]
            letzte = _norm(next(z for z in reversed(zeilen) if z))
            assert not any(k.endswith(letzte) for k in koepfe if len(letzte) >= 4), (i, letzte)


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
