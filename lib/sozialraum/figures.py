"""Embed matplotlib figures in the HTML reports as self-contained ``<figure>`` elements.

Reports are read offline, in meetings and by e-mail: every image travels inside the page as a PNG
data URI, with its data as a CSV download next to it, so nothing is fetched from anywhere.
"""

from __future__ import annotations

import base64
import html
import io
import re
import unicodedata
from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.figure import Figure
from PIL import Image

from sozialraum.tables import csv_download_link

if TYPE_CHECKING:
    from IPython.display import HTML

PNG_DPI = 110
# Charts and maps use few flat colours; a 128-colour palette keeps text edges smooth and makes
# the PNGs about three times smaller, which matters when reports are sent by e-mail.
PNG_FARBEN = 128
CSV_LINK_TEXT = "Daten als CSV"

_UMLAUTE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def figure_png(fig: Figure, dpi: int = PNG_DPI) -> bytes:
    """PNG bytes of ``fig``; the figure is closed afterwards.

    Metadata naming the matplotlib version is left out so that the same data always gives the
    same bytes: the report cache and the provenance checksums must not change with a library
    upgrade alone.
    """
    buf = io.BytesIO()
    try:
        fig.savefig(
            buf,
            format="png",
            dpi=dpi,
            bbox_inches="tight",
            pad_inches=0.1,
            facecolor="white",
            metadata={"Software": None},
        )
    finally:
        _close(fig)
    return _quantize(buf.getvalue())


def _quantize(png: bytes, colors: int = PNG_FARBEN) -> bytes:
    """Re-encode a PNG with an adaptive palette (deterministic: median cut, no dithering)."""
    with Image.open(io.BytesIO(png)) as img:
        small = img.convert("RGB").quantize(colors=colors, dither=Image.Dither.NONE)
        out = io.BytesIO()
        small.save(out, format="PNG", optimize=True)
    return out.getvalue()


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
        f'<img src="{src}" alt="{html.escape(alt.strip(), quote=True)}" '
        f'width="{width}" height="{height}" style="max-width:100%;height:auto">'
    )
    parts = [html.escape(caption)]
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
    text = text.lower().translate(_UMLAUTE)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60].rstrip("-")
    return stem or "daten"


def _png_size(png: bytes) -> tuple[int, int]:
    """Pixel size from the PNG header, so the browser reserves the space before decoding."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _close(fig: Figure) -> None:
    """Release a pyplot figure; a figure built without pyplot just goes out of scope."""
    if getattr(fig.canvas, "manager", None) is not None:
        import matplotlib.pyplot as plt

        plt.close(fig)
