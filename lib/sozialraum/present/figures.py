"""Embed matplotlib figures in the HTML reports as self-contained ``figure`` elements.

Reports are read offline, in meetings and by e-mail: every figure travels inside the page, with
its data as a CSV download next to it, so nothing is fetched from anywhere. A figure is an
inline SVG whenever that stays within :data:`SVG_BUDGET` bytes: sharp at every zoom and in
print, its words stay text (searchable, selectable, extractable from the PDF) in the font the
page ships inline (:mod:`sozialraum.publish.schrift`). A figure too detailed for that (a city map of
hundreds of areas) becomes a PNG at print resolution instead.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html as _html
import io
import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.collections import Collection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from PIL import Image

from sozialraum.fmt import html_text, ohne_steuerzeichen, slug
from sozialraum.present.tables import csv_download_link
from sozialraum.present.textmasse import svg_textmasse
from sozialraum.present.vorlagen import block, markup

if TYPE_CHECKING:
    from IPython.display import HTML

VORLAGE = "abbildung.html.j2"
PNG_DPI = 110
# Charts and maps use few flat colours; a 128-colour palette keeps text edges smooth and makes
# the PNGs about three times smaller, which matters when reports are sent by e-mail. The
# palette always holds every flat fill colour of the figure exactly (class colours, context
# greys), so a class looks the same in every map and legend however rare it is.
PNG_FARBEN = 128
_MAX_FEST = 224  # flat colours kept exactly; beyond that the figure is no flat-colour figure
_HAEUFIG_ANTEIL = 0.0005  # a colour covering this share of the pixels counts as flat too
CSV_LINK_TEXT = "Daten als CSV"

SVG_BUDGET = 350_000
"""Largest inline SVG of one figure, in bytes; a larger figure is embedded as PNG.

A report holds about a dozen figures and must stay within 1.5 MB for a city of about 30 areas
(PRODUCT.md). Charts and Sozialraum maps are 20-150 kB as SVG; a whole-city map with hundreds
of detailed areas can reach megabytes, where a palette PNG of the same map is ~150 kB.
"""
PRINT_DPI = 150
"""Resolution of the PNG a figure over :data:`SVG_BUDGET` falls back to.

Such a figure is a whole-city map about 7.7 inches wide at 150 dpi; printed across the A4
text width (6.7 inches) that is about 170 dpi, sharp on paper. 200 dpi made Berlin's
overview page (three such maps) 1.36 MB of the 1.2 MB a page of a 550-area city may weigh;
150 dpi makes it 1.13 MB. An analyst who prints posters raises the notebook's ``bild_dpi``.
"""
_SVG_BYTES_PER_VERTEX = 16  # "L 123.45 67.89 " after rounding to 1/100 pt
_PAD_INCHES = 0.1  # white margin around the drawn content, as savefig's tight box had
SVG_FONT_FAMILY = "'DejaVu Sans', sans-serif"
"""Font list written into every SVG text: the face the page embeds, then the reader's sans."""
_SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "sozialraum", "svg.image_inline": True}
_HALO_GID = "__halo"

LITERAL_TEXT_RC = {"text.parse_math": False, "text.usetex": False}
"""Matplotlib settings under which every figure of the package is built and saved.

Names and words from the public may hold ``$…$`` or backslashes; with mathtext on, matplotlib
would typeset them as formulas (and a name such as ``$$x$$`` made a whole report fail). With
these settings every ``Text`` prints its string literally, and no TeX installation is used.
"""

_P = ParamSpec("_P")
_R = TypeVar("_R")


@contextmanager
def literal_text_context() -> Iterator[None]:
    """Context in which new matplotlib texts are literal (:data:`LITERAL_TEXT_RC`).

    Text from the public may hold characters the figure font lacks (emoji, rare scripts);
    matplotlib then draws a box and warns once per glyph, which floods a batch log. Those
    warnings are silenced here: the HTML next to the figure (tables, alt text) shows the text
    in the browser's fonts.
    """
    with mpl.rc_context(LITERAL_TEXT_RC), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")
        yield


def literal_text(builder: Callable[_P, _R]) -> Callable[_P, _R]:
    """Decorator for every figure builder: all texts it creates are drawn literally.

    The one place that switches mathtext off (``text.parse_math = False``,
    ``text.usetex = False``) for charts and maps; :func:`figure_png` saves under the same
    settings, because tick labels are created while drawing.
    """

    @functools.wraps(builder)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with literal_text_context():
            return builder(*args, **kwargs)

    return wrapper


def make_literal(fig: Figure) -> None:
    """Make every text already in ``fig`` literal and free of control characters.

    A safety net for texts created outside :func:`literal_text` (the builders shorten and
    clean labels themselves, see :func:`sozialraum.fmt.figur_text`).
    """
    for text in fig.findobj(Text):
        text.set_parse_math(False)
        text.set_usetex(False)
        raw = text.get_text()
        clean = ohne_steuerzeichen(raw)
        if clean != raw:
            text.set_text(clean)


def layout_once(fig: Figure) -> Bbox:
    """Lay ``fig`` out and return the box to save, in inches, without drawing the figure.

    ``savefig(bbox_inches="tight")`` and a layout engine each make matplotlib draw the whole
    figure once just to measure it, then again to save it: twice the time for every map. Here
    the layout engine (the charts' constrained layout) runs by itself and is then switched
    off, and the content box comes from measuring the artists, so saving is the only draw.
    """
    from sozialraum.present.labels import measuring_renderer

    engine = fig.get_layout_engine()
    if engine is not None:
        if fig.axes:
            engine.execute(fig)
        # Done: without an engine, savefig has nothing to lay out and draws only to save.
        # (``set_layout_engine("none")`` leaves a placeholder engine, which savefig would
        # still honour with a measuring draw.)
        fig._layout_engine = None
    tight = fig.get_tightbbox(measuring_renderer(fig))
    return tight.padded(_PAD_INCHES)


def figure_png(fig: Figure, dpi: int = PNG_DPI) -> bytes:
    """PNG bytes of ``fig``, drawn once; the figure is closed afterwards.

    Metadata naming the matplotlib version is left out so that the same data always gives the
    same bytes: the report cache and the provenance checksums must not change with a library
    upgrade alone. The palette keeps every opaque fill colour of the figure byte-exact (see
    :func:`_quantize`).
    """
    try:
        with literal_text_context():
            make_literal(fig)
            png = _save_png(fig, layout_once(fig), dpi)
        keep = flat_colours(fig)
    finally:
        _close(fig)
    return _quantize(png, keep=keep)


def _save_png(fig: Figure, box: Bbox, dpi: int) -> bytes:
    buf = io.BytesIO()
    fig.savefig(
        buf,
        format="png",
        dpi=dpi,
        bbox_inches=box,
        facecolor="white",
        metadata={"Software": None},
    )
    return buf.getvalue()


def figure_svg(fig: Figure) -> str:
    """The figure as a standalone SVG document, drawn once; the figure is closed afterwards.

    Text stays text (``svg.fonttype = "none"``) in :data:`SVG_FONT_FAMILY`; fills keep the
    configured colours verbatim (``fill: #fd8d59``). Deterministic: no date or creator
    metadata, a fixed hash salt for clip-path ids, coordinates rounded to 1/100 pt (far below
    what a screen or printer resolves, and a third fewer bytes).
    """
    try:
        with literal_text_context():
            make_literal(fig)
            return _save_svg(fig, layout_once(fig))
    finally:
        _close(fig)


def _save_svg(fig: Figure, box: Bbox) -> str:
    halos: dict[str, tuple[str | None, str, float]] = {}
    taken: list[tuple[Text, str | None, list]] = []
    buf = io.BytesIO()
    try:
        _halo_to_marker(fig, halos, taken)
        with mpl.rc_context(_SVG_RC), svg_textmasse():
            fig.savefig(
                buf,
                format="svg",
                bbox_inches=box,
                facecolor="white",
                metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
            )
    finally:  # a PNG fallback draws the halos as matplotlib does
        for text, gid, effects in taken:
            text.set_gid(gid)
            text.set_path_effects(effects)
    return _tidy_svg(buf.getvalue().decode("utf-8"), halos)


def _halo_to_marker(
    fig: Figure,
    out: dict[str, tuple[str | None, str, float]],
    taken: list[tuple[Text, str | None, list]],
) -> None:
    """Take the white halo (``withStroke``) off texts and mark them to get it back in SVG.

    Matplotlib draws a text with path effects as outlines, so a map label would no longer be
    text. The halo returns in :func:`_tidy_svg` as an SVG filter (see :func:`_halo_filter`).
    ``out`` receives marker -> (original gid, colour, width), ``taken`` what to restore.
    """
    from matplotlib import patheffects

    for n, text in enumerate(fig.findobj(Text)):
        effects = text.get_path_effects()
        strokes = [e for e in effects if isinstance(e, patheffects.withStroke)]
        if not strokes or len(effects) != 1:
            continue
        stroke = strokes[0]
        gc = stroke._gc  # the stroke's keyword arguments: linewidth, foreground
        colour = mpl.colors.to_hex(gc.get("foreground", "white"))
        width = float(gc.get("linewidth", 2.0))
        marker = f"{_HALO_GID}{n}"
        out[marker] = (text.get_gid(), colour, width)
        taken.append((text, text.get_gid(), effects))
        text.set_gid(marker)
        text.set_path_effects([])


_TAG = re.compile(r"<[^<>]*>")
_NUMBER = re.compile(r"-?\d+\.\d{3,}")
_GEOMETRY_ATTR = re.compile(r'(\s(?:d|x|y|width|height|viewBox|transform|points)=")([^"]*)(")')
_FONT_FAMILY = re.compile(r"font-family:[^;\"]*")


def _round_numbers(value: str) -> str:
    value = _NUMBER.sub(lambda m: f"{float(m.group()):.2f}".rstrip("0").rstrip("."), value)
    return re.sub(r"\s+", " ", value).strip()


def _tidy_svg(svg: str, halos: dict[str, tuple[str | None, str, float]]) -> str:
    """Matplotlib's SVG made fit for inlining: no XML prolog or metadata, short fonts, halos.

    Only tags are rewritten, never text content: a label such as ``id="x"`` stays as it is
    (matplotlib escapes ``< > &`` in text, so a tag cannot start inside one).
    """
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = re.sub(r"\n\s*", "\n", svg)
    halo: list[tuple[str, float]] = []  # the halo of the text group being rewritten
    depth = [0, -1]  # <g> nesting now, and where the halo group opened (its lines nest deeper)
    filters: dict[tuple[str, float], str] = {}
    lines = [0]

    def tag(m: re.Match[str]) -> str:
        t = m.group()
        t = _GEOMETRY_ATTR.sub(lambda a: a.group(1) + _round_numbers(a.group(2)) + a.group(3), t)
        if t.startswith("<g") and not t.endswith("/>"):
            depth[0] += 1
        if t.startswith("<g id=") and _HALO_GID in t:
            gid = re.search(r'id="([^"]*)"', t).group(1)  # type: ignore[union-attr]
            original, colour, width = halos.get(gid, (None, "#ffffff", 2.0))
            halo[:] = [(colour, width)]
            depth[1] = depth[0]
            return f'<g id="{_html.escape(original)}">' if original else "<g>"
        if t.startswith("<text"):
            t = _FONT_FAMILY.sub("font-family: " + SVG_FONT_FAMILY, t)
            if halo:  # every line of a multi-line label
                key = halo[0]
                filters.setdefault(key, f"halo{len(filters) + 1}")
                lines[0] += 1
                own = f"halotext{lines[0]}"
                t = t.replace("<text ", f'<text id="{own}" ', 1)
                # painted first, from the same text: not a second copy of the words
                use = f'<use xlink:href="#{own}" filter="url(#{filters[key]})" aria-hidden="true"/>'
                t = use + t
        elif t == "</g>":
            if depth[0] == depth[1]:
                halo.clear()
                depth[1] = -1
            depth[0] -= 1
        return t

    out = []
    pos = 0
    for m in _TAG.finditer(svg):
        # text between tags: a tick label made while drawing may still hold control characters
        out.append(ohne_steuerzeichen(svg[pos : m.start()]))
        out.append(tag(m))
        pos = m.end()
    out.append(ohne_steuerzeichen(svg[pos:]))
    svg = "".join(out).strip()
    if filters:
        defs = "".join(_halo_filter(fid, c, w) for (c, w), fid in filters.items())
        svg = svg.removesuffix("</svg>") + f"<defs>{defs}</defs></svg>"
    return svg


def _halo_filter(fid: str, colour: str, width: float) -> str:
    """An SVG filter painting a text's shape widened by ``width / 2`` in ``colour``.

    A halo as ``stroke`` with ``paint-order`` looks the same on screen, but Chromium prints
    stroke and fill as two text runs, so every map label came out twice in the PDF's text
    (search hits, copied text). A filtered ``use`` of the label is printed as a small image
    behind the one real text run.
    """
    return (
        f'<filter id="{fid}" x="-50%" y="-100%" width="200%" height="300%">'
        f'<feMorphology in="SourceAlpha" operator="dilate" radius="{width / 2:g}" result="w"/>'
        f'<feFlood flood-color="{colour}"/><feComposite in2="w" operator="in"/></filter>'
    )


def flat_colours(fig: Figure) -> list[tuple[int, int, int]]:
    """The opaque face colours of the figure's patches and collections, as 8-bit RGB.

    These are the colours drawn as flat areas: class fills of maps and their legend swatches,
    bars, context greys. A quantizer must not move them, or a rare class would come out in a
    neighbouring colour and no longer match its legend.
    """
    out: dict[tuple[int, int, int], None] = {}
    for artist in fig.findobj(lambda a: isinstance(a, Collection | Patch)):
        if not artist.get_visible():
            continue
        faces = np.atleast_2d(np.asarray(artist.get_facecolor(), dtype=float))
        for rgba in faces:
            if rgba.size == 4 and rgba[3] >= 1.0:
                out[tuple(int(round(c * 255)) for c in rgba[:3])] = None  # type: ignore[misc]
    return list(out)


def _quantize(
    png: bytes, colors: int = PNG_FARBEN, keep: Sequence[tuple[int, int, int]] = ()
) -> bytes:
    """Re-encode a PNG with a palette of at most ``colors`` colours (more if ``keep`` needs it).

    The palette holds, exactly: the ``keep`` colours found in the image, then every colour
    that covers a noticeable share of the pixels; the remaining slots go to a median-cut
    palette of the image for anti-aliased edges. Each pixel then takes its nearest palette
    colour, so a kept colour maps to itself. (PIL's own adaptive palette merges a rare flat
    colour into a frequent neighbour, which changed class colours.) An image with at most 256
    colours is stored losslessly. Deterministic: no dithering, no randomness.
    """
    with Image.open(io.BytesIO(png)) as img:
        rgb = np.asarray(img.convert("RGB"))
    h, w, _ = rgb.shape
    packed = (rgb[..., 0].astype(np.uint32) << 16) | (rgb[..., 1].astype(np.uint32) << 8)
    packed |= rgb[..., 2].astype(np.uint32)
    uniq, inverse, counts = np.unique(packed.ravel(), return_inverse=True, return_counts=True)
    if len(uniq) <= 256:
        palette = uniq
        index = inverse
    else:
        present = set(uniq.tolist())
        fixed: dict[int, None] = {}
        for r, g, b in keep:
            key = (r << 16) | (g << 8) | b
            if key in present:
                fixed[key] = None
        frequent = uniq[np.argsort(-counts, kind="stable")]
        frequent_counts = np.sort(counts)[::-1]
        for key, n in zip(frequent.tolist(), frequent_counts.tolist(), strict=True):
            if len(fixed) >= min(_MAX_FEST, colors - 16) or n < _HAEUFIG_ANTEIL * h * w:
                break
            fixed.setdefault(key, None)
        fixed_list = list(fixed)[: max(_MAX_FEST, 0)]
        free = max(colors - len(fixed_list), 16)
        with Image.fromarray(rgb) as im:
            cut = im.quantize(colors=free, dither=Image.Dither.NONE)
            pal = np.asarray(cut.getpalette()[: 3 * free], dtype=np.uint32).reshape(-1, 3)
        cut_keys = (pal[:, 0] << 16) | (pal[:, 1] << 8) | pal[:, 2]
        palette = np.array(list(dict.fromkeys([*fixed_list, *cut_keys.tolist()]))[:256])
        index = _nearest(uniq, palette)[inverse]
    pal_rgb = np.stack([(palette >> 16) & 255, (palette >> 8) & 255, palette & 255], axis=1)
    out_img = Image.fromarray(index.reshape(h, w).astype(np.uint8), mode="P")
    out_img.putpalette(pal_rgb.astype(np.uint8).ravel().tolist())
    out = io.BytesIO()
    out_img.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _nearest(colours: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Index of the nearest palette colour (squared RGB distance) for each packed colour."""

    def split(packed: np.ndarray) -> np.ndarray:
        return np.stack([(packed >> 16) & 255, (packed >> 8) & 255, packed & 255], axis=1).astype(
            np.int32
        )

    c, p = split(colours), split(palette)
    out = np.empty(len(c), dtype=np.int64)
    for start in range(0, len(c), 8192):  # bounded memory for large anti-aliased images
        block = c[start : start + 8192]
        d = ((block[:, None, :] - p[None, :, :]) ** 2).sum(axis=2)
        out[start : start + 8192] = np.argmin(d, axis=1)
    return out


def figure_html(
    fig: Figure,
    alt: str,
    caption: str,
    csv: pd.DataFrame | None = None,
    csv_name: str | None = None,
    dpi: int = PNG_DPI,
) -> str:
    """The figure as an HTML ``figure`` with an inline SVG (or PNG), caption and CSV download.

    Parameters
    ----------
    fig
        A matplotlib figure; it is closed after rendering, so batch runs keep memory flat.
    alt
        Text alternative for readers who cannot see the image (BITV 2.0 / WCAG 1.1.1). It must
        say what the figure shows, so it may not be empty.
    caption
        Visible caption; HTML-escaped.
    csv
        Data behind the figure, offered as a download in the caption, because committee members
        want the numbers in Excel, not only the picture (German Excel CSV, see
        :func:`sozialraum.present.tables.csv_bytes`).
    csv_name
        File name of the download; derived from the caption when omitted.
    dpi
        Resolution of a PNG (the notebooks' ``bild_dpi`` parameter); a figure over
        :data:`SVG_BUDGET` is a PNG of at least :data:`PRINT_DPI`. SVGs need none.

    Returns
    -------
    str
        One ``figure`` element; it needs no network and no script. An SVG's ids are prefixed
        with a hash of the figure, its alt text and caption, so several figures on one page
        never share an id (a shared clip-path id would clip one map with another's outline).
    """
    if not alt or not alt.strip():
        _close(fig)
        raise ValueError(
            "Der Alternativtext der Abbildung ist leer. Beschreiben Sie, was die Abbildung zeigt."
        )
    alt = alt.strip()
    try:
        with literal_text_context():
            make_literal(fig)
            box = layout_once(fig)
            keep = flat_colours(fig)
            svg = None
            if svg_estimate(fig) <= SVG_BUDGET:
                svg = _save_svg(fig, box)
            if svg is not None and len(svg.encode("utf-8")) <= SVG_BUDGET:
                image = _svg_element(svg, alt, caption)
            else:  # the SVG would be too large: one more draw, as PNG for print
                png_dpi = max(dpi, PRINT_DPI)
                image = _img_element(
                    _quantize(_save_png(fig, box, png_dpi), keep=keep), alt, png_dpi
                )
    finally:
        _close(fig)
    download = None
    if csv is not None:
        name = csv_name or _slug(caption) + ".csv"
        download = markup(csv_download_link(csv, name, label=CSV_LINK_TEXT))
    return str(
        block(VORLAGE, "abbildung", bild=markup(image), beschriftung=caption, download=download)
    )


def svg_estimate(fig: Figure) -> int:
    """Rough SVG size of ``fig`` in bytes, from its vertices, to skip an SVG that won't fit.

    Counting is cheap; drawing a city map of 500 detailed areas as SVG only to throw it away
    would double its drawing time.
    """
    vertices = 0
    for artist in fig.findobj(lambda a: isinstance(a, Collection | Patch | Line2D)):
        if not artist.get_visible():
            continue
        if isinstance(artist, Collection):
            vertices += sum(len(p.vertices) for p in artist.get_paths())
        elif isinstance(artist, Patch):
            vertices += len(artist.get_path().vertices)
        else:
            vertices += len(artist.get_xydata())
    return vertices * _SVG_BYTES_PER_VERTEX


def _svg_element(svg: str, alt: str, caption: str) -> str:
    """Inline ``svg`` of role ``img`` with the alt text as its accessible name and title."""
    digest = hashlib.sha256("\x00".join((svg, alt, caption)).encode("utf-8")).hexdigest()
    prefix = f"f{digest[:10]}-"
    ids = set(re.findall(r'\sid="([^"]*)"', svg))
    seen: dict[str, int] = {}

    def tag(m: re.Match[str]) -> str:
        t = m.group()

        def new_id(a: re.Match[str]) -> str:
            old = a.group(1)
            n = seen[old] = seen.get(old, 0) + 1  # matplotlib repeats a text's gid per line
            return f' id="{prefix}{old}{"" if n == 1 else f"-{n}"}"'

        t = re.sub(r'\sid="([^"]*)"', new_id, t)
        t = re.sub(r"url\(#([^)]*)\)", lambda a: f"url(#{prefix}{a.group(1)})", t)
        return re.sub(
            r'(href=")#([^"]*)"',
            lambda a: f'{a.group(1)}#{prefix}{a.group(2)}"' if a.group(2) in ids else a.group(),
            t,
        )

    svg = _TAG.sub(tag, svg)
    head = re.match(r"<svg\b[^>]*>", svg)
    assert head is not None
    attrs = head.group()
    w_pt = float(re.search(r'\swidth="([\d.]+)pt"', attrs).group(1))  # type: ignore[union-attr]
    h_pt = float(re.search(r'\sheight="([\d.]+)pt"', attrs).group(1))  # type: ignore[union-attr]
    view = re.search(r'viewBox="([^"]*)"', attrs).group(1)  # type: ignore[union-attr]
    # shown at the size the PNG had at the standard resolution, so the page layout is unchanged
    width, height = round(w_pt / 72 * PNG_DPI), round(h_pt / 72 * PNG_DPI)
    label = html_text(alt)
    root = (
        # no xmlns: inside HTML the parser puts <svg> and xlink:href in their namespaces
        f'<svg class="abbildung" viewBox="{view}" width="{width}" height="{height}" '
        f'role="img" aria-label="{label}" style="max-width:100%;height:auto">'
        f"<title>{label}</title>"
    )
    body = svg[head.end() :]
    body = body.replace('<style type="text/css">*{', "<style>svg.abbildung *{", 1)
    return root + body


def _img_element(png: bytes, alt: str, dpi: int) -> str:
    width, height = _png_size(png)
    # Shown at the size it has at the standard resolution, so more dpi means sharper, not larger.
    width, height = round(width * PNG_DPI / dpi), round(height * PNG_DPI / dpi)
    src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return str(block(VORLAGE, "bild", src=src, alt=alt, breite=width, hoehe=height))


def show_figure(
    fig: Figure,
    alt: str,
    caption: str,
    csv: pd.DataFrame | None = None,
    csv_name: str | None = None,
) -> HTML:
    """Display a figure in Jupyter exactly as it will appear in the report.

    The notebook cell output is what nbconvert writes into the HTML report, so the alt text and
    the CSV link reach the reader only if the cell shows this HTML, not the bare figure.
    """
    from IPython.display import HTML

    return HTML(figure_html(fig, alt, caption, csv=csv, csv_name=csv_name))


def _slug(text: str) -> str:
    """ASCII file-name stem of a caption: ``Statusindex-Klassen`` -> ``statusindex-klassen``."""
    return slug(text)


def _png_size(png: bytes) -> tuple[int, int]:
    """Pixel size from the PNG header, so the browser reserves the space before decoding."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _close(fig: Figure) -> None:
    """Release a pyplot figure; a figure built without pyplot just goes out of scope."""
    if getattr(fig.canvas, "manager", None) is not None:
        import matplotlib.pyplot as plt

        plt.close(fig)
