"""The figure font, shipped inside the page: a subset of DejaVu Sans as ``@font-face``.

Figures are inline SVG whose words stay text (:mod:`~.present.figures`), so the browser draws
them in a font. Named only, that font would be whatever the reader's machine has: labels would
run wider or narrower than matplotlib measured them and collide. The page therefore carries the
font matplotlib measured with, DejaVu Sans from matplotlib's own data (nothing is downloaded),
cut down to the characters the page's figures use and embedded once per page as a ``data:``
URI. Characters the font lacks (emoji, rare scripts in names from the public) fall back, glyph
by glyph, to the reader's sans-serif font: they show, only not in DejaVu Sans.
"""

from __future__ import annotations

import base64
import functools
import io
import re
from collections.abc import Iterable
from pathlib import Path

import matplotlib as mpl
from bs4 import BeautifulSoup
from fontTools import subset
from fontTools.ttLib import TTFont

FAMILIE = "DejaVu Sans"
"""Family name the SVG texts ask for (``figures.SVG_FONT_FAMILY``) and the page defines."""
_DATEIEN = {400: "DejaVuSans.ttf", 700: "DejaVuSans-Bold.ttf"}
_FETT = re.compile(r"font-weight:\s*(?:bold|[6-9]00)")
STYLE_ID = "abbildungsschrift"


def _flavor() -> str:
    """WOFF2 (Brotli, a third smaller) when the ``brotli`` module is installed, else WOFF."""
    try:
        import brotli  # noqa: F401
    except ImportError:
        return "woff"
    return "woff2"


def font_path(weight: int = 400) -> Path:
    """The TrueType file of matplotlib's bundled DejaVu Sans for ``weight`` (400 or 700)."""
    return Path(mpl.get_data_path()) / "fonts" / "ttf" / _DATEIEN[weight]


@functools.lru_cache(maxsize=64)
def _subset_bytes(zeichen: frozenset[str], weight: int, flavor: str) -> bytes:
    options = subset.Options()
    options.flavor = flavor
    options.hinting = False  # screens and Chromium's PDF render unhinted outlines well
    options.desubroutinize = True
    options.recalc_timestamp = False  # same characters, same bytes
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]  # FontForge's timestamps: unused, and fontTools warns
    font = subset.load_font(str(font_path(weight)), options, dontLoadGlyphNames=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in zeichen))
    subsetter.subset(font)
    buf = io.BytesIO()
    subset.save_font(font, buf, options)
    return buf.getvalue()


def subset_font(zeichen: Iterable[str], weight: int = 400) -> bytes:
    """DejaVu Sans reduced to ``zeichen`` (characters the font lacks are left out), as WOFF(2).

    Deterministic: the same characters always give the same bytes, so the report cache and the
    provenance checksums depend on the data only.
    """
    chars = frozenset(c for text in zeichen for c in text if not c.isspace() or c == "\u00a0")
    return _subset_bytes(chars | {" "}, weight, _flavor())


def glyph_codepoints(font_bytes: bytes) -> set[int]:
    """The code points a font file maps to glyphs (for checking a subset)."""
    font = TTFont(io.BytesIO(font_bytes))
    return set(font.getBestCmap())


def font_face_css(texte: Iterable[str], weight: int = 400) -> str:
    """One ``@font-face`` rule with the subset for ``texte`` inline: no ``url(http…)``."""
    flavor = _flavor()
    data = base64.b64encode(subset_font(texte, weight)).decode("ascii")
    return (
        f'@font-face{{font-family:"{FAMILIE}";font-style:normal;font-weight:{weight};'
        f'src:url(data:font/{flavor};base64,{data}) format("{flavor}")}}'
    )


def figure_texts(soup: BeautifulSoup) -> dict[int, list[str]]:
    """The texts of the page's SVG figures, by font weight (400 regular, 700 bold)."""
    out: dict[int, list[str]] = {400: [], 700: []}
    for text in soup.select("svg.abbildung text"):
        weight = 700 if _FETT.search(text.get("style", "")) else 400
        out[weight].append(text.get_text())
    return out


def schrift_einbetten(soup: BeautifulSoup) -> None:
    """Put the figure font into the page once: one ``style`` element in the head, if needed.

    A page without SVG figures stays unchanged; calling it twice replaces the earlier rule, so
    a page that gains figures later gets a subset covering all of them.
    """
    old = soup.find("style", id=STYLE_ID)
    if old is not None:
        old.decompose()
    texts = figure_texts(soup)
    rules = [font_face_css(t, w) for w, t in texts.items() if any(s.strip() for s in t)]
    if not rules:
        return
    style = soup.new_tag("style", id=STYLE_ID)
    style.string = "".join(rules)
    target = soup.head or soup.find("body") or soup
    if target is soup.head or target is soup:
        target.append(style)
    else:
        target.insert(0, style)


def mit_schrift(page: str) -> str:
    """``page`` (HTML) with the figure font embedded, see :func:`schrift_einbetten`."""
    soup = BeautifulSoup(page, "html.parser")
    schrift_einbetten(soup)
    return str(soup)
