"""Embed matplotlib figures in the HTML reports as self-contained ``<figure>`` elements.

Reports are read offline, in meetings and by e-mail: every image travels inside the page as a PNG
data URI, with its data as a CSV download next to it, so nothing is fetched from anywhere.
"""

from __future__ import annotations

import base64
import functools
import io
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.collections import Collection
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.text import Text
from PIL import Image

from sozialraum.fmt import html_text, ohne_steuerzeichen, slug
from sozialraum.tables import csv_download_link

if TYPE_CHECKING:
    from IPython.display import HTML

PNG_DPI = 110
# Charts and maps use few flat colours; a 128-colour palette keeps text edges smooth and makes
# the PNGs about three times smaller, which matters when reports are sent by e-mail. The
# palette always holds every flat fill colour of the figure exactly (class colours, context
# greys), so a class looks the same in every map and legend however rare it is.
PNG_FARBEN = 128
_MAX_FEST = 224  # flat colours kept exactly; beyond that the figure is no flat-colour figure
_HAEUFIG_ANTEIL = 0.0005  # a colour covering this share of the pixels counts as flat too
CSV_LINK_TEXT = "Daten als CSV"

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


def figure_png(fig: Figure, dpi: int = PNG_DPI) -> bytes:
    """PNG bytes of ``fig``; the figure is closed afterwards.

    Metadata naming the matplotlib version is left out so that the same data always gives the
    same bytes: the report cache and the provenance checksums must not change with a library
    upgrade alone. The palette keeps every opaque fill colour of the figure byte-exact (see
    :func:`_quantize`).
    """
    buf = io.BytesIO()
    try:
        with literal_text_context():
            make_literal(fig)
            fig.savefig(
                buf,
                format="png",
                dpi=dpi,
                bbox_inches="tight",
                pad_inches=0.1,
                facecolor="white",
                metadata={"Software": None},
            )
        keep = flat_colours(fig)
    finally:
        _close(fig)
    return _quantize(buf.getvalue(), keep=keep)


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
    """The figure as an HTML ``<figure>`` with an inline PNG, caption and optional CSV download.

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
        :func:`sozialraum.tables.csv_bytes`).
    csv_name
        File name of the download; derived from the caption when omitted.
    dpi
        Resolution of the PNG (the notebooks' ``bild_dpi`` parameter): higher for print.

    Returns
    -------
    str
        One ``<figure>`` element; it needs no network and no script.
    """
    if not alt or not alt.strip():
        _close(fig)
        raise ValueError(
            "Der Alternativtext der Abbildung ist leer. Beschreiben Sie, was die Abbildung zeigt."
        )
    png = figure_png(fig, dpi=dpi)
    width, height = _png_size(png)
    # Shown at the size it has at the standard resolution, so more dpi means sharper, not larger.
    width, height = round(width * PNG_DPI / dpi), round(height * PNG_DPI / dpi)
    src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    img = (
        f'<img src="{src}" alt="{html_text(alt.strip())}" '
        f'width="{width}" height="{height}" style="max-width:100%;height:auto">'
    )
    parts = [html_text(caption)]
    if csv is not None:
        name = csv_name or _slug(caption) + ".csv"
        parts.append(csv_download_link(csv, name, label=CSV_LINK_TEXT))
    figcaption = " ".join(p for p in parts if p)
    return f"<figure>{img}<figcaption>{figcaption}</figcaption></figure>"


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
