import base64
import re

import pytest
from bs4 import BeautifulSoup
from matplotlib.figure import Figure

from sozialraum.present import figures
from sozialraum.publish import schrift


def _chart(labels, title="Übersicht"):
    fig = Figure(figsize=(4, 3), layout="constrained")
    ax = fig.add_subplot()
    ax.bar(range(len(labels)), range(1, len(labels) + 1))
    ax.set_xticks(range(len(labels)), labels)
    ax.set_title(title, fontweight="bold")
    return fig


def _page(*figs):
    body = "".join(figures.figure_html(f, "Alt", "Abb.") for f in figs)
    return f"<!DOCTYPE html><html><head><title>T</title></head><body>{body}</body></html>"


def _faces(page):
    """{weight: font bytes} of the page's embedded figure font."""
    style = BeautifulSoup(page, "html.parser").find_all("style", id=schrift.STYLE_ID)
    assert len(style) == 1
    css = style[0].string
    urls = re.findall(r"url\(([^)]*)\)", css)
    assert urls and all(u.startswith("data:font/") for u in urls)  # nothing to fetch
    out = {}
    for weight, data in re.findall(
        r"font-weight:(\d+);src:url\(data:font/woff2?;base64,([A-Za-z0-9+/=]+)\)", css
    ):
        out[int(weight)] = base64.b64decode(data)
    assert len(out) == css.count("@font-face")
    return out


def test_subset_holds_the_used_characters_and_little_else():
    font = schrift.subset_font(["Lirich-Süd 12,5\u00a0%", "Ältere (≥ 65)"])
    cmap = schrift.glyph_codepoints(font)
    for c in "Lirich-Süd 12,5\u00a0%Ältere(≥65)":
        assert ord(c) in cmap, c
    assert ord("Q") not in cmap and ord("z") not in cmap
    assert len(font) < 15_000  # the whole DejaVu Sans is 750 kB
    assert font[:4] in (b"wOFF", b"wOF2")


def test_subset_is_deterministic_and_survives_characters_the_font_lacks():
    texts = ["Café 🎉 ẞ 𝔄 中文 \u200b", "<script>"]
    font = schrift.subset_font(texts)
    assert font == schrift.subset_font(list(reversed(texts)))
    cmap = schrift.glyph_codepoints(font)
    assert ord("é") in cmap and ord("<") in cmap
    assert ord("🎉") not in cmap  # left to the reader's fonts, glyph by glyph


def test_the_svg_asks_for_the_family_the_page_defines():
    assert figures.SVG_FONT_FAMILY.startswith(f"'{schrift.FAMILIE}'")
    assert figures.SVG_FONT_FAMILY.rstrip().endswith("sans-serif")  # fallback for the rest
    css = schrift.font_face_css(["abc"])
    assert f'font-family:"{schrift.FAMILIE}"' in css


def test_page_gets_one_inline_font_with_every_figure_character_by_weight():
    page = schrift.mit_schrift(_page(_chart(["Nord", "Süd"]), _chart(["Ost", "Wörth"], "Zweite")))
    faces = _faces(page)
    assert set(faces) == {400, 700}
    regular, bold = (schrift.glyph_codepoints(faces[w]) for w in (400, 700))
    for c in "NordSüdOstWörth0.5":  # tick labels and numbers are regular
        assert ord(c) in regular, c
    soup = BeautifulSoup(page, "html.parser")
    used = "".join(t.get_text() for t in soup.select("svg text") if "700" not in t["style"])
    assert {ord(c) for c in used} <= regular
    for c in "ÜbersichtZweite":  # the bold titles
        assert ord(c) in bold, c
    assert ord("W") not in bold
    soup = BeautifulSoup(page, "html.parser")
    assert soup.head.find("style", id=schrift.STYLE_ID) is not None
    again = schrift.mit_schrift(page)  # idempotent: still one rule set
    assert _faces(again) == faces


def test_page_without_svg_figures_gets_no_font():
    page = "<html><head></head><body><p>Kein Bild</p></body></html>"
    assert schrift.mit_schrift(page) == str(BeautifulSoup(page, "html.parser"))


@pytest.mark.slow
def test_chromium_draws_figure_text_in_the_embedded_font_at_matplotlibs_width(tmp_path):
    """Labels were placed by matplotlib's measurements; the browser must set them the same."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath
    from playwright.sync_api import sync_playwright

    label = "Sterkrade-Mitte Überblick 12,5"
    page = schrift.mit_schrift(_page(_chart([label, "b"])))
    path = tmp_path / "seite.html"
    path.write_text(page, encoding="utf-8")
    width, _, _ = TextToPath().get_text_width_height_descent(
        label, FontProperties(family="DejaVu Sans", size=10), ismath=False
    )
    requests = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        tab = browser.new_page()
        tab.on("request", lambda r: requests.append(r.url))
        tab.goto(path.as_uri())
        tab.evaluate("document.fonts.ready")
        faces = tab.evaluate("[...document.fonts].map(f => [f.family, f.weight, f.status])")
        drawn = tab.evaluate(
            """(label) => [...document.querySelectorAll('svg.abbildung text')]
                .filter(t => t.textContent === label)
                .map(t => t.getComputedTextLength())""",
            label,
        )
        selectable = tab.evaluate("document.body.innerText")
        browser.close()
    assert ["DejaVu Sans", "400", "loaded"] in [list(f) for f in faces]
    assert len(drawn) == 1 and drawn[0] == pytest.approx(width, rel=0.01)
    assert label in selectable  # text, not outlines: found by Ctrl+F, copied with the mouse
    assert all(u.startswith(("file:", "data:")) for u in requests)


@pytest.mark.slow
def test_pdf_keeps_figure_labels_as_extractable_text(tmp_path):
    """Printed by Chromium, an SVG label is PDF text in the embedded font, not a bitmap."""
    import shutil
    import subprocess

    from sozialraum.present.labels import HALO
    from sozialraum.publish.pdf import html_to_pdf

    label = "Lirich-Süd Übersicht"
    fig = _chart([label, "b"])
    fig.axes[0].text(0.2, 1.2, "Haloname Quartier", path_effects=HALO)  # as map labels
    html = tmp_path / "seite.html"
    html.write_text(schrift.mit_schrift(_page(fig)), encoding="utf-8")
    pdf = html_to_pdf(html, tmp_path / "seite.pdf", titel="Test", beispieldaten=False)
    text = subprocess.run(
        [shutil.which("pdftotext"), "-layout", str(pdf), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert label in text and "Übersicht" in text
    assert text.count("Haloname Quartier") == 1  # the halo is not a second copy of the words
    fonts = subprocess.run(
        [shutil.which("pdffonts"), str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert "DejaVuSans" in fonts  # the page's subset, embedded by Chromium
