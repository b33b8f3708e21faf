"""Sizes of texts in the maps and charts, measured once per process.

Laying out text in the font is most of the time of placing map labels and of saving a
figure; the helpers here give matplotlib's own numbers without its per-object overhead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
from matplotlib.text import Text


def schrift_schluessel() -> tuple:
    """The font settings a text's size depends on besides its own size and weight."""
    rc = mpl.rcParams
    return (tuple(rc["font.family"]), tuple(rc["font.sans-serif"]), rc["font.style"])


_HOEHEN: dict[tuple, tuple[float, float]] = {}


def text_ausdehnung(probe: Text, text: str, renderer: Any) -> tuple[float, float] | None:
    """Width and height of ``text`` as ``probe.get_window_extent`` gives them, or None.

    Why: a label's size is asked for every variant of every name; ``Text`` lays a text out
    through many property look-ups and the font's tables each time, most of placing a label.
    This is the same arithmetic for the probe's case (left, baseline, unrotated, fixed line
    spacing, no mathtext): the width of the widest line, the height of the lines at the
    font's line height, with the lines measured by matplotlib's own cached metrics. Any other
    case (None) is left to ``Text``.
    """
    from matplotlib import font_manager
    from matplotlib import text as mtext

    metrics = getattr(mtext, "_get_text_metrics_with_cache", None)
    if (
        not text
        or metrics is None
        or probe.get_usetex()
        or probe.get_parse_math()
        or probe.get_rotation() != 0
        or probe.get_wrap()
        or probe.get_horizontalalignment() != "left"
        or probe.get_verticalalignment() != "baseline"
        or isinstance(probe._linespacing, str)
        or hasattr(renderer, "_get_font_height_metrics")
    ):
        return None
    prop = probe.get_fontproperties()
    dpi = probe.get_figure(root=True).dpi
    key = (prop.get_size_in_points(), prop.get_weight(), dpi, schrift_schluessel())
    hoehen = _HOEHEN.get(key)
    if hoehen is None:
        font = font_manager.get_font(font_manager.fontManager._find_fonts_by_props(prop))
        for table_name, ascent_key, descent_key in (
            ("OS/2", "sTypoAscender", "sTypoDescender"),
            ("hhea", "ascent", "descent"),
        ):
            table = font.get_sfnt_table(table_name)
            if table is None:
                continue
            units_per_em = font.get_sfnt_table("head")["unitsPerEm"]
            scale = 1 / units_per_em * prop.get_size_in_points() * dpi / 72
            hoehen = (table[ascent_key] * scale, -table[descent_key] * scale)
            break
        if hoehen is None:
            return None
        _HOEHEN[key] = hoehen
    min_ascent, min_descent = hoehen
    line_height = probe._linespacing * (min_ascent + min_descent)
    thisy, width, d, last = 0.0, 0.0, 0.0, 0.0
    for line in text.split("\n"):
        if line:
            w, h, d = metrics(renderer, line, prop, ismath=False, dpi=dpi)
        else:
            w = h = d = 0
        a = h - d
        leading = line_height - (a + d)
        a += leading / 2
        d += leading / 2
        thisy -= a
        last = thisy
        thisy -= d
        width = max(width, w)
    ymin = last - d
    height = 0 - ymin
    y0 = ymin - (ymin + d)
    return (0.0 + width) - 0.0, (y0 + height) - y0


_SVG_TEXTMASSE: dict[tuple, tuple[float, float, float]] = {}
_SVG_TEXTMASSE_MAX = 50_000


@contextmanager
def svg_textmasse() -> Iterator[None]:
    """While saving an SVG, text sizes are remembered for the whole process.

    Why: matplotlib makes a new SVG renderer for every saved figure, and its cache of text
    sizes lives with the renderer, so every label, tick and legend text of every map was laid
    out in the font again. An SVG text's size depends only on the text and its font (the SVG
    renderer measures at a fixed scale), so the sizes measured for one figure hold for all.
    """
    from matplotlib.backends import backend_svg

    cls = backend_svg.RendererSVG
    original = cls.get_text_width_height_descent

    def remembered(self, s, prop, ismath):
        if ismath:
            return original(self, s, prop, ismath)
        rc = mpl.rcParams
        fonts = (tuple(rc["font.family"]), tuple(rc["font.sans-serif"]))
        key = (s, tuple(prop.__dict__.items()), fonts)
        found = _SVG_TEXTMASSE.get(key)
        if found is None:
            found = original(self, s, prop, ismath)
            if len(_SVG_TEXTMASSE) >= _SVG_TEXTMASSE_MAX:
                _SVG_TEXTMASSE.clear()
            _SVG_TEXTMASSE[key] = found
        return found

    cls.get_text_width_height_descent = remembered
    try:
        yield
    finally:
        cls.get_text_width_height_descent = original
