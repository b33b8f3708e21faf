"""What every map shares, so that the maps of all reports look and read alike.

Colours, hatches and layer ids; the colours of the classes; the key of the numbers drawn
instead of names; legend, scale bar, north arrow, source lines and the canvas around them.
"""

from __future__ import annotations

import math
import textwrap
from typing import Literal

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.patches import Patch, Rectangle

from sozialraum.compute.klassen import klassen_tabelle, kombi_klassen
from sozialraum.config import Begriff, Config
from sozialraum.config_klassen import Klassen
from sozialraum.grammatik import genitiv_plural
from sozialraum.present.labels import (
    HALO,
    measuring_renderer,
)

Kind = Literal["status", "dynamik", "kombi"]
Beschriftung = Literal["auto", "quartiere", "sozialraeume", "keine"]

# Colours and hatches shared by all maps; tests and tables read them from here.
KONTEXT_FARBE = "#d6d6d6"  # Quartiere outside the Sozialraum: context only, no data shown
KONTEXT_RAND = "#a3a3a3"
KONTEXT_SCHRIFT = "#6b6b6b"
RAND = "#4d4d4d"
NICHT_BEWERTET_FARBE = "#ffffff"
SCHRAFFUR = "///"  # hatched = excluded, not rated or suppressed, never a silent blank
KEINE_DATEN_SCHRAFFUR = "..."
HERVORHEBUNG = "#e66101"  # the chosen Sozialraum on the locator map (orange: colour-blind safe)
INDIKATOR_CMAP = "PuBu"  # sequential ColorBrewer ramp, colour-blind safe; unlike the status ramp
INDIKATOR_KLASSEN = 4  # quartiles over all Quartiere of the city

# Collection ids (``Artist.get_gid``): the layers of a map, named so tests and callers find them.
GID_KLASSEN = "klassen"
GID_KONTEXT = "kontext"
GID_NICHT_BEWERTET = "nicht_bewertet"
GID_UNTERDRUECKT = "unterdrueckt"
GID_KEINE_DATEN = "keine_daten"
GID_GRENZE = "sozialraum_grenze"
GID_AUSWAHL = "auswahl"
GID_MASSSTAB = "massstab"
GID_NAME = "name"  # a Quartier's name (and class) inside its polygon
GID_NUMMER = "nummer"  # a Quartier's number, explained by the key table
GID_SOZIALRAUM_NAME = "sozialraum_name"
GID_WERT = "wert"  # a value in the small multiples

# The key of the numbers drawn instead of names (see ``kartenschluessel``).
SCHLUESSEL_SPALTEN = ("nummer", "quartier_id", "quartier")
_SCHLUESSEL_ATTR = "_sozialraum_schluessel"
_HALO = HALO


def _schluessel_hinweis(gebiet: Begriff) -> str:
    return (
        f"Zahlen in der Karte: Nummern {genitiv_plural(gebiet)}, deren Name dort keinen Platz hat "
        "(Schlüssel in der Tabelle zur Karte)."
    )


def schluessel_titel(gebiet: Begriff) -> str:
    """Caption of the key table beside a map: "Tabelle zur Karte: Nummern der Planungsräume"."""
    return f"Tabelle zur Karte: Nummern {genitiv_plural(gebiet)}"


# -- classes and colours -------------------------------------------------------------------------
def klassen_farben(cfg: Config, kind: Kind) -> dict[str, str]:
    """Label -> colour of every class of ``kind``, in config order.

    The one place that decides how a class looks, so that maps, tables and legends agree in every
    report. For the combination, lightness follows the status class and hue the dynamics class
    (a 4 x 3 bivariate scheme built from the two config palettes); see ``_bivariat``.
    """
    if kind == "status":
        return _farben(cfg.methode.status)
    if kind in ("dynamik", "kombi") and cfg.methode.dynamik is None:
        raise ValueError(
            f'Die Kartenart "{kind}" braucht einen Dynamikindex; die Konfiguration hat kein '
            "[methode.dynamik] (keine Veränderungsdaten). Gültig ist hier nur: status"
        )
    if kind == "dynamik":
        return _farben(cfg.methode.dynamik)
    if kind == "kombi":
        farben = _bivariat(cfg.methode.status, cfg.methode.dynamik)
        return dict(zip(kombi_klassen(cfg), farben, strict=True))
    raise ValueError(f'Unbekannte Kartenart "{kind}". Gültig sind: status, dynamik, kombi')


def klassen_grenzen(cfg: Config, kind: Kind, schwellen: list[float] | None) -> dict[str, str]:
    """Label -> the limits of that class ("unter −0,52", "−0,52 bis unter 0,31", "ab 0,31").

    Only for quantile classes: their limits come from the data, so a legend that leaves them
    out would not say what a class means. Other classes (limits in the method section, or given
    classes without limits) and the combination map get no range (empty dict).
    """
    from sozialraum.fmt import fmt_num

    klassen = getattr(cfg.methode, kind, None) if kind in ("status", "dynamik") else None
    if klassen is None or klassen.schwellen_typ != "quantile" or klassen.quelle == "klasse":
        return {}
    if not schwellen or any(math.isnan(x) for x in schwellen):
        return {}
    out = {}
    for row in klassen_tabelle(klassen, list(schwellen)).itertuples(index=False):
        von, bis = fmt_num(row.von, 2), fmt_num(row.bis, 2)
        if math.isnan(row.von):
            out[row.label] = f"unter {bis}"
        elif math.isnan(row.bis):
            out[row.label] = f"ab {von}"
        else:
            out[row.label] = f"{von} bis unter {bis}"
    return out


def _farben(klassen: Klassen) -> dict[str, str]:
    return {
        label: to_hex(farbe) for label, farbe in zip(klassen.labels, klassen.farben, strict=True)
    }


def _bivariat(status: Klassen, dynamik: Klassen) -> list[str]:
    """Status x dynamics colours: CIELAB lightness from the status rank, hue from dynamics.

    Multiplying the two palettes (the usual bivariate recipe) makes the darkest status class
    nearly black in every dynamics column; instead each dynamics colour keeps its hue (blue /
    red in the sample config) and the status classes step evenly through lightness, which
    survives colour-vision deficiencies. A neutral dynamics class (grey) takes the muted hue of
    the status palette instead, so that it cannot be mistaken for the grey context Quartiere.
    """
    s_lab = np.array([_lab(c) for c in status.farben])
    top = min(s_lab[:, 0].max(), 90.0)
    bottom = max(s_lab[:, 0].min(), 32.0)
    light = np.linspace(top, bottom, len(status.labels))
    out = []
    for (_, sa, sb), lightness in zip(s_lab, light, strict=True):
        for farbe in dynamik.farben:
            _, a, b = _lab(farbe)
            if math.hypot(a, b) < _NEUTRAL_CHROMA:
                a, b, cap = sa, sb, _MUTED_CHROMA
            else:
                cap = _MAX_CHROMA
            out.append(_lab_to_hex(lightness, min(math.hypot(a, b), cap), math.atan2(b, a)))
    return out


_NEUTRAL_CHROMA = 8.0
_MUTED_CHROMA = 18.0
_MAX_CHROMA = 55.0
_WHITE = np.array([0.95047, 1.0, 1.08883])
_M = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)


def _lab(colour: str) -> tuple[float, float, float]:
    rgb = np.array(to_rgb(colour))
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = _M @ lin / _WHITE
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def _lab_to_hex(lightness: float, chroma: float, hue: float) -> str:
    """LCh -> sRGB hex; chroma is reduced until the colour fits into sRGB."""
    for c in np.linspace(chroma, 0.0, 56):
        a, b = c * math.cos(hue), c * math.sin(hue)
        fy = (lightness + 16) / 116
        f = np.array([fy + a / 500, fy, fy - b / 200])
        xyz = np.where(f > 6 / 29, f**3, 3 * (6 / 29) ** 2 * (f - 4 / 29)) * _WHITE
        lin = np.linalg.solve(_M, xyz)
        if np.all(lin >= -1e-4) and np.all(lin <= 1 + 1e-4):
            lin = np.clip(lin, 0, 1)
            rgb = np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)
            return to_hex(np.clip(rgb, 0, 1))
    raise AssertionError("grey is always inside sRGB")  # pragma: no cover


# -- key of the numbers --------------------------------------------------------------------------
def kartenschluessel(fig: Figure | None) -> pd.DataFrame:
    """The key of the numbers drawn into a map instead of names.

    ``class_map`` writes a number where a Quartier is too small for its name; this returns one
    row per drawn number (columns ``nummer``, ``quartier_id``, ``quartier``, sorted by number),
    to be printed as a table next to the figure. Empty (with those columns) when every name
    fits or the figure is not a class map.
    """
    key = getattr(fig, _SCHLUESSEL_ATTR, None) if fig is not None else None
    return key.copy() if key is not None else _leerer_schluessel()


def _leerer_schluessel() -> pd.DataFrame:
    return pd.DataFrame(
        {c: pd.Series(dtype=object if c != "nummer" else int) for c in SCHLUESSEL_SPALTEN}
    )


def _set_schluessel(fig: Figure, key: pd.DataFrame) -> None:
    setattr(fig, _SCHLUESSEL_ATTR, key)


# -- map furniture, legends and source lines -----------------------------------------------------
_BAR_LENGTHS = (100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000)


def _scale_bar(ax: Axes, fontsize: float = 8) -> None:
    """Scale bar in map units (metres): a round length close to a fifth of the map width."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    w, h = x1 - x0, y1 - y0
    fitting = [b for b in _BAR_LENGTHS if b <= 0.25 * w]
    length = fitting[-1] if fitting else _BAR_LENGTHS[0]
    bx, by, bh = x0 + 0.04 * w, y0 + 0.04 * h, 0.012 * h
    for i, fc in enumerate(("black", "white")):
        ax.add_patch(
            Rectangle(
                (bx + i * length / 2, by),
                length / 2,
                bh,
                facecolor=fc,
                edgecolor="black",
                linewidth=0.6,
                zorder=7,
                gid=GID_MASSSTAB,
            )
        )
    label = f"{length // 1000} km" if length >= 1000 else f"{length} m"
    ax.text(
        bx + length / 2,
        by + bh + 0.008 * h,
        label,
        ha="center",
        va="bottom",
        fontsize=fontsize,
        path_effects=_HALO,
        zorder=7,
        gid=GID_MASSSTAB,
    )


def _north_arrow(ax: Axes) -> None:
    ax.annotate(
        "",
        xy=(0.95, 0.95),
        xytext=(0.95, 0.87),
        xycoords="axes fraction",
        arrowprops={
            "arrowstyle": "-|>,head_width=0.35,head_length=0.7",
            "color": "black",
            "lw": 1.4,
        },
        zorder=7,
    )
    ax.text(
        0.95, 0.955, "N", transform=ax.transAxes, ha="center", va="bottom", fontsize=10,
        fontweight="bold", path_effects=_HALO, zorder=7,
    )  # fmt: skip


def _legend_style(ncol: int) -> dict[str, object]:
    return {
        "loc": "upper left",
        "bbox_to_anchor": (0.0, -0.01),
        "ncol": ncol,
        "fontsize": 8,
        "title_fontsize": 8.5,
        "frameon": False,
        "alignment": "left",
        "handlelength": 1.6,
        "handleheight": 1.1,
        "columnspacing": 1.4,
    }


def _class_legend(
    ax: Axes,
    klassen: list[tuple[str, str, int]],
    extras: list[Patch],
    ncol: int,
    title: str,
) -> Legend:
    """Every config class in config order, then the notes (hatched, context).

    With ``ncol`` = number of dynamics classes the combination legend reads as a matrix: one row
    per status class, one column per dynamics class. Matplotlib fills legends column by column,
    so the entries are transposed and every row padded with invisible entries.
    """
    grid = [
        Patch(facecolor=farbe, edgecolor=RAND, label=f"{label} ({n})")
        for label, farbe, n in klassen
    ]
    rows = [grid[i : i + ncol] for i in range(0, len(grid), ncol)]
    rows += [extras[i : i + ncol] for i in range(0, len(extras), ncol)]
    rows = [row + [Patch(visible=False, label="")] * (ncol - len(row)) for row in rows]
    handles = [rows[r][c] for c in range(ncol) for r in range(len(rows))]
    return ax.legend(handles=handles, title=title, **_legend_style(ncol))


def _fit_canvas(fig: Figure, pad: float = 0.08) -> None:
    """Grow the figure so legends, notes and source lines lie on the canvas, not beyond it.

    Legends and source lines hang below the map; a long legend (the 12 classes of the
    combination plus several reasons for "nicht bewertet") reached past the bottom edge.
    ``figure_png`` saves with a tight box and kept it, but every other way of showing the
    figure (notebook settings, ``savefig`` without ``bbox_inches``) cut the last lines off.
    The axes keep their size in inches, so the label placement stays valid.
    """
    tight = fig.get_tightbbox(measuring_renderer(fig))
    w, h = fig.get_size_inches()
    left = max(0.0, pad - tight.x0)
    bottom = max(0.0, pad - tight.y0)
    right = max(0.0, tight.x1 + pad - w)
    top = max(0.0, tight.y1 + pad - h)
    if not (left or bottom or right or top):
        return
    boxes = [ax.get_position() for ax in fig.axes]
    texts = [(t, t.get_position()) for t in fig.texts]
    new_w, new_h = w + left + right, h + bottom + top
    fig.set_size_inches(new_w, new_h)
    for ax, b in zip(fig.axes, boxes, strict=True):
        ax.set_position(
            (
                (b.x0 * w + left) / new_w,
                (b.y0 * h + bottom) / new_h,
                b.width * w / new_w,
                b.height * h / new_h,
            )
        )
    for t, (x, y) in texts:  # figure-fraction texts (the notes of the small multiples)
        t.set_position(((x * w + left) / new_w, (y * h + bottom) / new_h))


def _source_lines(cfg: Config, erfunden: bool) -> list[str]:
    # Invented values must not carry the city's name as their source.
    quelle = "Beispieldaten (erfunden)" if erfunden else cfg.stadt.herausgeber or cfg.stadt.name
    lines = [f"Quelle: {quelle}; Geometrie: {cfg.stadt.geometrie_version}"]
    if cfg.stadt.geometrie_schematisch:
        lines.append(
            f"Schematische Grenzen: keine amtlichen Grenzen {genitiv_plural(cfg.begriffe.gebiet)}."
        )
    if erfunden:
        lines.append("Beispieldaten: Die dargestellten Werte sind erfunden.")
    return lines


def _source(
    ax: Axes, legend: Legend, cfg: Config, erfunden: bool, hinweis: str | None = None
) -> None:
    """Source line directly under the legend, whatever the legend's height.

    ``hinweis`` is a note about the map (e.g. what the numbers mean), placed before it.
    """
    lines = ([hinweis] if hinweis else []) + _source_lines(cfg, erfunden)
    ax.annotate(
        "\n".join(textwrap.fill(line, 120) for line in lines),
        xy=(0.0, 0.0),
        xycoords=("axes fraction", legend),
        xytext=(0, -6),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=7,
        color="#333333",
        annotation_clip=False,
    )
