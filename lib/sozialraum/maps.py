"""Static maps of the Sozialräume and their Sozialquartiere for the reports.

Every map is a plain matplotlib figure without basemap tiles, so reports render offline and look
the same in all six Sozialräume: class colours and labels come from the config, indicator bins
are computed once over the whole city, and every legend lists every class (count 0 allowed).
Each function returns ``(figure, alt_text)``; the alt text is generated from the same data as the
map, so that readers of a screen reader get the content, not just "a map".
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Sequence
from typing import Any, Literal

import geopandas as gpd
import mapclassify
import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Text
from shapely.geometry import Point

from sozialraum.config import Config, Klassen, Sozialraum
from sozialraum.fmt import anzahl, aufzaehlung, fmt_num
from sozialraum.index import KEINE_ANGABE, kombi_klasse, kombi_klassen

Kind = Literal["status", "dynamik", "kombi"]

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

_KLASSEN_SPALTE = {"status": "status_klasse", "dynamik": "dynamik_klasse", "kombi": "kombi_klasse"}
_TITEL = {
    "status": "Statusindex",
    "dynamik": "Dynamikindex",
    "kombi": "Status und Dynamik",
}
_KARTENNAME = {
    "status": "Karte der Statusindex-Klassen",
    "dynamik": "Karte der Dynamikindex-Klassen",
    "kombi": "Karte der Kombination aus Status- und Dynamikklasse",
}
_DEFAULT_GRUND = "kein Indexwert"
_FEHLT_GRUND = "Indikatorwert fehlt"
_HALO = [patheffects.withStroke(linewidth=2.4, foreground="white")]
_SINGLE_MAP_SIZE = (8.0, 8.0)


# -- classes and colours -------------------------------------------------------------------------
def klassen_farben(cfg: Config, kind: Kind) -> dict[str, str]:
    """Label -> colour of every class of ``kind``, in config order.

    The one place that decides how a class looks, so that maps, tables and legends agree in every
    report. For the combination, lightness follows the status class and hue the dynamics class
    (a 4 x 3 bivariate scheme built from the two config palettes); see ``_bivariat``.
    """
    if kind == "status":
        return _farben(cfg.methode.status)
    if kind == "dynamik":
        return _farben(cfg.methode.dynamik)
    if kind == "kombi":
        farben = _bivariat(cfg.methode.status, cfg.methode.dynamik)
        return dict(zip(kombi_klassen(cfg), farben, strict=True))
    raise ValueError(f'Unbekannte Kartenart "{kind}". Gültig sind: status, dynamik, kombi')


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


# -- public maps ---------------------------------------------------------------------------------
def locator_map(
    cfg: Config,
    quartiere: gpd.GeoDataFrame,
    sozialraum_id: str,
    *,
    erfunden: bool = False,
    nordpfeil: bool = True,
) -> tuple[Figure, str]:
    """Where the Sozialraum lies in the city: all Sozialräume outlined, the chosen one filled.

    Parameters
    ----------
    cfg
        City config (CRS, names, source line).
    quartiere
        Geometry of all Sozialquartiere (``quartier_id``, ``quartier``, ``sozialraum_id``).
    sozialraum_id
        Id, slug or name of the Sozialraum.
    erfunden
        True when the report uses invented sample data; the source line says so.
    nordpfeil
        Draw a north arrow.

    Returns
    -------
    tuple[Figure, str]
        The figure and its alt text.
    """
    sr = cfg.sozialraum(sozialraum_id)
    gdf = _geo(cfg, quartiere)
    inside = gdf["sozialraum_id"] == sr.id
    raeume = _sozialraeume(gdf)

    fig, ax = _single_map_figure()
    _plot(ax, gdf[~inside], GID_KONTEXT, color="#f2f2f2", edgecolor="#c2c2c2", linewidth=0.4)
    _plot(ax, gdf[inside], GID_AUSWAHL, color=HERVORHEBUNG, edgecolor="white", linewidth=0.6)
    _plot_boundary(ax, raeume, color="#525252", linewidth=1.1)
    _plot_boundary(ax, raeume[raeume["sozialraum_id"] == sr.id], color="black", linewidth=2.4)
    _set_extent(ax, gdf, margin=0.03)

    namen = {s.id: s.name for s in cfg.sozialraeume}
    points = {row.sozialraum_id: row.geometry.representative_point() for row in raeume.itertuples()}
    chosen_point = points[sr.id] if sr.id in points else None
    width = float(np.diff(ax.get_xlim())[0])
    for rid, point in points.items():
        chosen = rid == sr.id
        if not chosen and chosen_point is not None and point.distance(chosen_point) < 0.2 * width:
            continue  # the chosen name wins; the outline still shows the neighbour
        ax.text(
            point.x,
            point.y,
            _wrap(namen.get(rid, rid)),
            ha="center",
            va="center",
            fontsize=10.5 if chosen else 8,
            fontweight="bold" if chosen else "normal",
            color="black" if chosen else "#4d4d4d",
            path_effects=_HALO,
            zorder=6,
        )
    _scale_bar(ax)
    if nordpfeil:
        _north_arrow(ax)
    n_in, n_all = int(inside.sum()), len(gdf)
    handles = [
        Patch(facecolor=HERVORHEBUNG, edgecolor="black", label=f"Sozialraum {sr.name}"),
        Patch(facecolor="#f2f2f2", edgecolor="#525252", label="weitere Sozialräume"),
    ]
    legend = ax.legend(handles=handles, **_legend_style(ncol=2))
    _source(ax, legend, cfg, erfunden)

    names = gdf.loc[inside, "quartier"].tolist()
    alt = (
        f"Lagekarte: Der Sozialraum {sr.name} liegt {_lage(gdf, inside)} der Stadt "
        f"{cfg.stadt.name} und umfasst {n_in} der {n_all} Sozialquartiere"
        + (f" ({aufzaehlung(names)})." if names else ".")
    )
    return fig, alt


def class_map(
    cfg: Config,
    quartiere: gpd.GeoDataFrame,
    index: pd.DataFrame,
    sozialraum_id: str | None = None,
    kind: Kind = "status",
    *,
    erfunden: bool = False,
    nordpfeil: bool = True,
    klassen_beschriften: bool | None = None,
) -> tuple[Figure, str]:
    """Sozialindex classes of the Quartiere, with one legend shared by all reports.

    Parameters
    ----------
    cfg
        City config; class labels and colours come from ``cfg.methode.status`` / ``dynamik``.
    quartiere
        Geometry of all Sozialquartiere.
    index
        ``IndexResult.index``: one row per Quartier with ``status_klasse``, ``dynamik_klasse``,
        ``kombi_klasse``, ``ausgeschlossen`` and ``ausschluss_grund``.
    sozialraum_id
        Id, slug or name: zoom to this Sozialraum and show the neighbours as grey context.
        None: the whole city.
    kind
        ``"status"``, ``"dynamik"`` or ``"kombi"`` (status x dynamics, 12 classes).
    erfunden
        True when the report uses invented sample data; the source line says so.
    nordpfeil
        Draw a north arrow.
    klassen_beschriften
        Write the class under each Quartier's name, so the map is readable without telling
        colours apart (WCAG 1.4.1). Default: only when zoomed to a Sozialraum.

    Returns
    -------
    tuple[Figure, str]
        The figure and its alt text.
    """
    farben = klassen_farben(cfg, kind)
    sr = cfg.sozialraum(sozialraum_id) if sozialraum_id is not None else None
    gdf = _join(cfg, quartiere, index)
    klasse = _klasse(gdf, kind)
    gdf = gdf.assign(karten_klasse=klasse)
    focus_mask = gdf["sozialraum_id"] == sr.id if sr else pd.Series(True, index=gdf.index)
    focus, context = gdf[focus_mask], gdf[~focus_mask]
    bewertet = focus["karten_klasse"].isin(list(farben)) & ~focus["ausgeschlossen"]
    rated, unrated = focus[bewertet], focus[~bewertet]
    if klassen_beschriften is None:
        klassen_beschriften = sr is not None

    fig, ax = _single_map_figure()
    _plot(ax, context, GID_KONTEXT, color=KONTEXT_FARBE, edgecolor=KONTEXT_RAND, linewidth=0.5)
    _plot(
        ax,
        rated,
        GID_KLASSEN,
        color=[farben[k] for k in rated["karten_klasse"]],
        edgecolor=RAND,
        linewidth=0.6,
    )
    _plot(
        ax,
        unrated,
        GID_NICHT_BEWERTET,
        color=NICHT_BEWERTET_FARBE,
        edgecolor="#636363",
        linewidth=0.6,
        hatch=SCHRAFFUR,
    )
    raeume = _sozialraeume(gdf)
    if sr:
        _plot_boundary(ax, raeume[raeume["sozialraum_id"] == sr.id], color="black", linewidth=2.4)
        _set_extent(ax, focus, margin=0.12, square=True)
    else:
        _plot_boundary(ax, raeume, color="#1a1a1a", linewidth=1.6)
        _set_extent(ax, gdf, margin=0.03)

    grund = _gruende(unrated)
    eigene = []
    for row in focus.itertuples():
        text = _wrap(row.quartier)
        if klassen_beschriften:
            text += "\n" + (row.karten_klasse if row.Index in rated.index else "nicht bewertet")
        eigene.append(_label(ax, row.geometry, text, color="black", fontsize=8 if sr else 6.5))
    _separate_labels(ax, eigene, list(focus.geometry))
    if sr:
        nachbarn = [
            _label(ax, row.geometry, _wrap(row.quartier), color=KONTEXT_SCHRIFT, fontsize=7)
            for row in context.itertuples()
        ]
        _drop_overlapping(ax, keep=eigene, optional=nachbarn)
    _scale_bar(ax)
    if nordpfeil:
        _north_arrow(ax)

    counts = rated["karten_klasse"].value_counts()
    klassen = [(label, farbe, int(counts.get(label, 0))) for label, farbe in farben.items()]
    extras = [
        Patch(
            facecolor=NICHT_BEWERTET_FARBE,
            edgecolor="#636363",
            hatch=SCHRAFFUR,
            label=f"nicht bewertet: {g} ({n})",
        )
        for g, n in grund.items()
    ]
    if sr and not context.empty:
        extras.append(
            Patch(
                facecolor=KONTEXT_FARBE,
                edgecolor=KONTEXT_RAND,
                label="Quartiere außerhalb des Sozialraums",
            )
        )
    ncol = len(cfg.methode.dynamik.labels) if kind == "kombi" else 1
    title = f"{_TITEL[kind]} (Anzahl Sozialquartiere{' im Sozialraum' if sr else ''})"
    legend = _class_legend(ax, klassen, extras, ncol=ncol, title=title)
    _source(ax, legend, cfg, erfunden)

    alt = _class_alt(cfg, kind, sr, rated, unrated, farben)
    return fig, alt


def indicator_small_multiples(
    cfg: Config,
    quartiere: gpd.GeoDataFrame,
    werte: pd.DataFrame,
    sozialraum_id: str | None,
    jahr: int,
    *,
    erfunden: bool = False,
) -> tuple[Figure, str]:
    """One small map per indicator, binned the same way in every report.

    Bins are quantiles over all Quartiere of the city for that indicator and year
    (``indikator_klassen``), so a colour means the same share in all six reports.

    Parameters
    ----------
    cfg
        City config: indicator order and short titles (``kurz``), suppression threshold.
    quartiere
        Geometry of all Sozialquartiere.
    werte
        ``IndexResult.werte``: ``quartier_id``, ``jahr``, ``indikator``, ``anteil`` (percent),
        ``unterdrueckt``.
    sozialraum_id
        Id, slug or name to zoom to; None for the whole city.
    jahr
        Year shown.
    erfunden
        True when the report uses invented sample data; the source line says so.

    Returns
    -------
    tuple[Figure, str]
        The figure (one axes per indicator, in config order) and its alt text.
    """
    sr = cfg.sozialraum(sozialraum_id) if sozialraum_id is not None else None
    gdf = _geo(cfg, quartiere)
    focus_mask = gdf["sozialraum_id"] == sr.id if sr else pd.Series(True, index=gdf.index)
    bins = indikator_klassen(cfg, werte, jahr)
    year = _year_values(werte, jahr)

    n = len(cfg.indikatoren)
    ncols = 3 if n > 4 else max(n, 1)
    nrows = math.ceil(n / ncols)
    map_w, row_h = 3.2, 4.3
    fig = Figure(figsize=(ncols * map_w, nrows * row_h + 0.9))
    height = fig.get_figheight()
    alt_parts = []
    for i, ind in enumerate(cfg.indikatoren):
        r, c = divmod(i, ncols)
        left = (c * map_w + 0.1) / fig.get_figwidth()
        bottom = (height - (r + 1) * row_h + 1.35) / height
        ax = fig.add_axes((left, bottom, (map_w - 0.2) / fig.get_figwidth(), 2.85 / height))
        v = year[year["indikator"] == ind.id].set_index("quartier_id")
        g = gdf.assign(
            anteil=gdf["quartier_id"].map(v["anteil"]),
            unterdrueckt=gdf["quartier_id"].map(v["unterdrueckt"]).fillna(False).astype(bool),
        )
        alt_parts.append(
            _small_map(ax, cfg, ind.kurz, g, focus_mask, bins[ind.id], sr is not None, first=i == 0)
        )

    note = (
        f"Klassen: {_QUANTIL_NAME.get(INDIKATOR_KLASSEN, 'Quantile')} der Anteile aller "
        f"Sozialquartiere der Stadt {jahr}, in allen Berichten gleich. "
        f"Anteile in Prozent der jeweiligen Bezugsgruppe."
    )
    lines = [note, *_source_lines(cfg, erfunden)]
    free = n % ncols
    if free:  # the empty cells of the last row hold the notes
        x, y, width = free * map_w + 0.2, (nrows - 1) * row_h + 0.3, (ncols - free) * map_w - 0.4
        va = "top"
    else:
        x, y, width = 0.1, height - 0.2, ncols * map_w - 0.2
        va = "bottom"
    wrapped = "\n".join(textwrap.fill(line, int(width * 16)) for line in lines)
    fig.text(
        x / fig.get_figwidth(),
        1 - y / height,
        wrapped,
        ha="left",
        va=va,
        fontsize=7.5,
        color="#333333",
    )

    wo = f"im Sozialraum {sr.name}" if sr else f"in der Stadt {cfg.stadt.name}"
    alt = (
        f"{n} Karten der Indikatoranteile {jahr} {wo}, klassiert nach "
        f"{_QUANTIL_NAME.get(INDIKATOR_KLASSEN, 'Quantile')}n aller Sozialquartiere der Stadt. "
        + " ".join(alt_parts)
    )
    return fig, alt


_QUANTIL_NAME = {4: "Quartile", 5: "Quintile", 3: "Terzile"}


def indikator_klassen(cfg: Config, werte: pd.DataFrame, jahr: int) -> dict[str, list[float]]:
    """Fixed class limits per indicator: quantiles of the shares of all Quartiere of the city.

    Computed over the whole city (never over one Sozialraum), so that all reports of a year
    share the same bins. Limits are rounded to one decimal, the precision of every label, and
    the first entry is the lower limit: ``[min, q1, q2, q3, max]`` -> four classes.
    Suppressed values do not enter the quantiles.
    """
    year = _year_values(werte, jahr)
    out: dict[str, list[float]] = {}
    for ind in cfg.indikatoren:
        v = year.loc[(year["indikator"] == ind.id) & ~year["unterdrueckt"], "anteil"].dropna()
        values = v.to_numpy(dtype=float)
        if values.size == 0:
            out[ind.id] = []
            continue
        lo = math.floor(values.min() * 10) / 10
        hi = math.ceil(values.max() * 10) / 10
        k = min(INDIKATOR_KLASSEN, len(np.unique(values)))
        inner: list[float] = []
        if k > 1:
            q = mapclassify.Quantiles(values, k=k)
            inner = [round(float(b), 1) for b in q.bins[:-1]]
        limits = sorted({lo, *[b for b in inner if lo < b < hi], hi})
        out[ind.id] = limits if len(limits) > 1 else [lo, hi]
    return out


def klassen_labels(limits: Sequence[float]) -> list[str]:
    """German labels of the bins from ``indikator_klassen``, e.g. ``12,5–17,0 %``."""
    return [f"{fmt_num(a)}–{fmt_num(b)} %" for a, b in zip(limits[:-1], limits[1:], strict=False)]


def klasse_von(limits: Sequence[float], value: float) -> int:
    """Index of the bin holding ``value`` (upper limit inclusive, as mapclassify does)."""
    i = int(np.searchsorted(np.asarray(limits[1:], dtype=float), value, side="left"))
    return min(i, len(limits) - 2)


# -- pieces of the small multiples ---------------------------------------------------------------
def _small_map(
    ax: Axes,
    cfg: Config,
    titel: str,
    g: gpd.GeoDataFrame,
    focus_mask: pd.Series,
    limits: list[float],
    zoomed: bool,
    first: bool,
) -> str:
    """Draw one indicator; returns its sentence for the alt text."""
    focus, context = g[focus_mask], g[~focus_mask]
    farben = _indikator_farben(max(len(limits) - 1, 1))
    labels = klassen_labels(limits)
    suppressed = focus[focus["unterdrueckt"]]
    missing = focus[~focus["unterdrueckt"] & focus["anteil"].isna()]
    valued = focus[~focus["unterdrueckt"] & focus["anteil"].notna()]
    idx = [klasse_von(limits, a) for a in valued["anteil"]] if limits else []

    _plot(ax, context, GID_KONTEXT, color=KONTEXT_FARBE, edgecolor=KONTEXT_RAND, linewidth=0.3)
    _plot(ax, valued, GID_KLASSEN, color=[farben[i] for i in idx], edgecolor=RAND, linewidth=0.4)
    _plot(
        ax,
        suppressed,
        GID_UNTERDRUECKT,
        color=NICHT_BEWERTET_FARBE,
        edgecolor="#636363",
        linewidth=0.4,
        hatch=SCHRAFFUR,
    )
    _plot(
        ax,
        missing,
        GID_KEINE_DATEN,
        color=NICHT_BEWERTET_FARBE,
        edgecolor="#636363",
        linewidth=0.4,
        hatch=KEINE_DATEN_SCHRAFFUR,
    )
    raeume = _sozialraeume(g)
    if zoomed:
        ids = focus["sozialraum_id"].unique()
        _plot_boundary(ax, raeume[raeume["sozialraum_id"].isin(ids)], color="black", linewidth=1.6)
        _set_extent(ax, focus, margin=0.08, square=True)
        for row in focus.itertuples():
            if row.unterdrueckt:
                text = "•"  # the statistical offices' mark for a suppressed cell
            elif pd.isna(row.anteil):
                text = "–"
            else:
                text = f"{fmt_num(row.anteil)} %"
            _label(ax, row.geometry, text, color="black", fontsize=9 if text == "•" else 6.5)
    else:
        _plot_boundary(ax, raeume, color="#1a1a1a", linewidth=0.8)
        _set_extent(ax, g, margin=0.02, square=True)
    if first:
        _scale_bar(ax, fontsize=6)
    ax.set_title(titel, fontsize=9.5, fontweight="bold", loc="left")

    counts = pd.Series(idx, dtype=int).value_counts()
    handles = [
        Patch(facecolor=farben[i], edgecolor=RAND, label=f"{lab} ({int(counts.get(i, 0))})")
        for i, lab in enumerate(labels)
    ]
    if not suppressed.empty:
        handles.append(
            Patch(
                facecolor=NICHT_BEWERTET_FARBE,
                edgecolor="#636363",
                hatch=SCHRAFFUR,
                label=f"• Wert unterdrückt (weniger als {cfg.methode.mindestfallzahl} Fälle) "
                f"({len(suppressed)})",
            )
        )
    if not missing.empty:
        handles.append(
            Patch(
                facecolor=NICHT_BEWERTET_FARBE,
                edgecolor="#636363",
                hatch=KEINE_DATEN_SCHRAFFUR,
                label=f"keine Daten ({len(missing)})",
            )
        )
    if not handles:
        handles.append(
            Patch(facecolor=NICHT_BEWERTET_FARBE, edgecolor="#636363", label="keine Daten")
        )
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.0, -0.01),
        fontsize=6.5,
        frameon=False,
        handlelength=1.4,
        handleheight=1.0,
        borderaxespad=0.2,
        labelspacing=0.3,
    )
    return _small_alt(titel, valued, suppressed, missing, zoomed)


def _small_alt(
    titel: str,
    valued: pd.DataFrame,
    suppressed: pd.DataFrame,
    missing: pd.DataFrame,
    zoomed: bool,
) -> str:
    if zoomed and len(valued) + len(suppressed) + len(missing) <= 10:
        parts = [
            f"{q} {fmt_num(a)} %"
            for q, a in valued.sort_values("anteil", ascending=False)[
                ["quartier", "anteil"]
            ].itertuples(index=False)
        ]
        parts += [f"{q} unterdrückt" for q in suppressed["quartier"]]
        parts += [f"{q} ohne Daten" for q in missing["quartier"]]
        return f"{titel}: {', '.join(parts)}."
    if valued.empty:
        return f"{titel}: keine Werte."
    a = valued["anteil"]
    text = (
        f"{titel}: {fmt_num(a.min())} bis {fmt_num(a.max())} % (Median {fmt_num(a.median())} %)"
        if len(valued) > 1
        else f"{titel}: {fmt_num(a.iloc[0])} %"
    )
    if not suppressed.empty:
        text += f", {len(suppressed)} unterdrückt"
    return text + "."


def _indikator_farben(k: int) -> list[str]:
    cmap = mpl.colormaps[INDIKATOR_CMAP]
    return [to_hex(cmap(x)) for x in np.linspace(0.12, 0.85, k)] if k > 1 else [to_hex(cmap(0.5))]


def _year_values(werte: pd.DataFrame, jahr: int) -> pd.DataFrame:
    year = werte.loc[werte["jahr"] == jahr, ["quartier_id", "indikator", "anteil", "unterdrueckt"]]
    return year.assign(
        anteil=pd.to_numeric(year["anteil"], errors="coerce").astype(float),
        unterdrueckt=year["unterdrueckt"].fillna(False).astype(bool),
    )


# -- alt texts -----------------------------------------------------------------------------------
def _class_alt(
    cfg: Config,
    kind: Kind,
    sr: Sozialraum | None,
    rated: pd.DataFrame,
    unrated: pd.DataFrame,
    farben: dict[str, str],
) -> str:
    """Counts per class in config order; names while they fit into one sentence."""
    total = len(rated) + len(unrated)
    wo = f"im Sozialraum {sr.name}" if sr else f"in der Stadt {cfg.stadt.name}"
    with_names = total <= 10
    parts = []
    for label in farben:
        names = rated.loc[rated["karten_klasse"] == label, "quartier"].tolist()
        if not names:
            continue
        part = f"„{label}“: {len(names)}"
        if with_names:
            part += f" ({aufzaehlung(names)})"
        parts.append(part)
    text = f"{_KARTENNAME[kind]} {wo}, {anzahl(total, 'Sozialquartier', 'Sozialquartiere')}. "
    if parts:
        text += "Klassen: " + "; ".join(parts) + "."
    else:
        text += "Kein Sozialquartier ist bewertet."
    if not unrated.empty:
        names = unrated["quartier"].tolist()
        text += f" Nicht bewertet: {len(names)}" + (
            f" ({aufzaehlung(names)})" if with_names else ""
        )
        text += "."
    if sr:
        text += " Angrenzende Quartiere außerhalb des Sozialraums sind grau dargestellt."
    return text


def _lage(gdf: gpd.GeoDataFrame, inside: pd.Series) -> str:
    """Where the Sozialraum lies relative to the city centre, as a German phrase."""
    city = gdf.geometry.union_all()
    part = gdf.loc[inside].geometry.union_all()
    dx = part.centroid.x - city.centroid.x
    dy = part.centroid.y - city.centroid.y
    radius = math.sqrt(city.area / math.pi)
    if math.hypot(dx, dy) < 0.2 * radius:
        return "in der Mitte"
    names = [
        "Osten",
        "Nordosten",
        "Norden",
        "Nordwesten",
        "Westen",
        "Südwesten",
        "Süden",
        "Südosten",
    ]
    sector = round(math.degrees(math.atan2(dy, dx)) / 45) % 8
    return f"im {names[sector]}"


# -- data preparation ----------------------------------------------------------------------------
def _geo(cfg: Config, quartiere: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Quartiere in the city's CRS; metres are needed for the scale bar."""
    missing = {"quartier_id", "quartier", "sozialraum_id"} - set(quartiere.columns)
    if missing:
        raise ValueError(f"Der Geometrie fehlen die Spalten: {', '.join(sorted(missing))}")
    if quartiere.crs is None:
        raise ValueError("Die Geometrie hat kein Koordinatensystem.")
    gdf = quartiere[["quartier_id", "quartier", "sozialraum_id", quartiere.geometry.name]]
    if not gdf.crs.equals(cfg.stadt.crs):
        gdf = gdf.to_crs(cfg.stadt.crs)
    return gdf.reset_index(drop=True)


def _join(cfg: Config, quartiere: gpd.GeoDataFrame, index: pd.DataFrame) -> gpd.GeoDataFrame:
    """Geometry with the index classes; a Quartier missing from the index counts as not rated."""
    gdf = _geo(cfg, quartiere)
    keep = [c for c in index.columns if c not in ("quartier", "sozialraum_id", "geometry")]
    merged = gdf.merge(pd.DataFrame(index[keep]), on="quartier_id", how="left", validate="1:1")
    if "ausgeschlossen" not in merged:
        merged["ausgeschlossen"] = False
    merged["ausgeschlossen"] = merged["ausgeschlossen"].fillna(False).astype(bool)
    if "ausschluss_grund" not in merged:
        merged["ausschluss_grund"] = pd.NA
    return merged


def _klasse(gdf: pd.DataFrame, kind: Kind) -> pd.Series:
    col = _KLASSEN_SPALTE[kind]
    if col in gdf:
        return gdf[col].astype(object)
    if kind == "kombi" and {"status_klasse", "dynamik_klasse"} <= set(gdf.columns):
        pairs = zip(gdf["status_klasse"], gdf["dynamik_klasse"], strict=True)
        return pd.Series([kombi_klasse(str(a), str(b)) for a, b in pairs], index=gdf.index)
    raise ValueError(f"Dem Index fehlt die Spalte {col}.")


def _gruende(unrated: pd.DataFrame) -> dict[str, int]:
    """Count of not-rated Quartiere per reason, in order of first appearance."""
    grund = unrated["ausschluss_grund"].astype(object)
    default = np.where(unrated["karten_klasse"] == KEINE_ANGABE, _FEHLT_GRUND, _DEFAULT_GRUND)
    grund = grund.where(grund.notna() & (grund.astype(str).str.strip() != ""), default)
    return {str(g): int(n) for g, n in grund.value_counts(sort=False).items()}


def _sozialraeume(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf[["sozialraum_id", gdf.geometry.name]].dissolve(by="sozialraum_id", as_index=False)


# -- drawing helpers -----------------------------------------------------------------------------
def _single_map_figure() -> tuple[Figure, Axes]:
    """A figure outside pyplot, so Jupyter does not show it a second time next to the HTML."""
    fig = Figure(figsize=_SINGLE_MAP_SIZE)
    ax = fig.add_axes((0.02, 0.2, 0.96, 0.78))
    return fig, ax


def _plot(ax: Axes, gdf: gpd.GeoDataFrame, gid: str, **kwargs: object) -> None:
    if gdf.empty:
        return
    gdf.plot(ax=ax, **kwargs)
    ax.collections[-1].set_gid(gid)


def _plot_boundary(ax: Axes, raeume: gpd.GeoDataFrame, **kwargs: object) -> None:
    if raeume.empty:
        return
    raeume.boundary.plot(ax=ax, zorder=4, **kwargs)
    ax.collections[-1].set_gid(GID_GRENZE)


def _set_extent(ax: Axes, gdf: gpd.GeoDataFrame, margin: float, square: bool = False) -> None:
    minx, miny, maxx, maxy = gdf.total_bounds
    w, h = maxx - minx, maxy - miny
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    if square:
        w = h = max(w, h)
    pad = margin * max(w, h)
    ax.set_xlim(cx - w / 2 - pad, cx + w / 2 + pad)
    ax.set_ylim(cy - h / 2 - pad, cy + h / 2 + pad)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")  # geopandas labels projected axes "Easting [metre]"
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_color("#bdbdbd")
        spine.set_linewidth(0.6)


def _renderer(ax: Axes) -> Any:
    ax.apply_aspect()  # text extents depend on the final axes box
    canvas = ax.figure.canvas
    if not hasattr(canvas, "get_renderer"):  # a bare Figure(): measure text as Agg will draw it
        canvas = FigureCanvasAgg(ax.figure)
    return canvas.get_renderer()


def _separate_labels(
    ax: Axes, texts: list[Text | None], geometries: list[Any], rounds: int = 40
) -> None:
    """Push apart names that overlap (small Quartiere side by side in the city map).

    Each step moves the two labels of an overlapping pair up and down by half their overlap; a
    label only moves while its anchor stays inside its own Quartier, so a name never drifts
    onto a neighbour. What cannot be separated that way stays where it was.
    """
    renderer = _renderer(ax)
    items = [(t, g) for t, g in zip(texts, geometries, strict=True) if t is not None]
    to_data = ax.transData.inverted()
    for _ in range(rounds):
        boxes = [t.get_window_extent(renderer) for t, _ in items]
        moved = False
        for i in range(len(items)):
            for j in range(i + 1, len(items)):
                a, b = boxes[i], boxes[j]
                if not a.overlaps(b):
                    continue
                upper, lower = (i, j) if a.y0 + a.y1 >= b.y0 + b.y1 else (j, i)
                gap = min(a.y1, b.y1) - max(a.y0, b.y0)
                step = gap / 2 + 1
                for k, direction in ((upper, step), (lower, -step)):
                    text, geom = items[k]
                    x, y = ax.transData.transform(text.get_position())
                    nx, ny = to_data.transform((x, y + direction))
                    if geom.contains(Point(nx, ny)):
                        text.set_position((nx, ny))
                        moved = True
                boxes[i] = items[i][0].get_window_extent(renderer)
                boxes[j] = items[j][0].get_window_extent(renderer)
        if not moved:
            return


def _drop_overlapping(ax: Axes, keep: list[Text | None], optional: list[Text | None]) -> None:
    """Remove optional labels (grey neighbour names) that would cover a kept one or each other.

    A neighbour's name is orientation only; printed across a Quartier of the Sozialraum it makes
    both unreadable.
    """
    renderer = _renderer(ax)
    taken = [t.get_window_extent(renderer) for t in keep if t is not None]
    for text in optional:
        if text is None:
            continue
        box = text.get_window_extent(renderer).expanded(1.05, 1.1)
        if any(box.overlaps(other) for other in taken):
            text.remove()
        else:
            taken.append(box)


def _label(ax: Axes, geometry: object, text: str, color: str, fontsize: float) -> Text | None:
    """Label at a point inside the polygon; labels at or beyond the frame are left out."""
    point = geometry.representative_point()
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    inset = 0.06 * (x1 - x0)  # a name cut off at the frame is worse than none
    if not (x0 + inset <= point.x <= x1 - inset and y0 + inset <= point.y <= y1 - inset):
        return None
    return ax.text(
        point.x,
        point.y,
        text,
        ha="center",
        va="center",
        fontsize=fontsize,
        color=color,
        path_effects=_HALO,
        zorder=5,
        clip_on=True,
        linespacing=1.05,
    )


def _wrap(name: str, width: int = 16) -> str:
    """Break long names after spaces, hyphens and slashes (``Nord-Mitte/`` ``Am Bahnhof``)."""
    pieces = [p for p in re.split(r"(?<=[\s/-])", name) if p]
    lines: list[str] = []
    current = ""
    for piece in pieces:
        if current and len((current + piece).rstrip()) > width:
            lines.append(current.rstrip())
            current = piece
        else:
            current += piece
    lines.append(current.rstrip())
    return "\n".join(lines)


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


def _source_lines(cfg: Config, erfunden: bool) -> list[str]:
    # Invented values must not carry the city's name as their source.
    quelle = "Beispieldaten (erfunden)" if erfunden else cfg.stadt.herausgeber or cfg.stadt.name
    lines = [f"Quelle: {quelle}; Geometrie: {cfg.stadt.geometrie_version}"]
    if cfg.stadt.geometrie_schematisch:
        lines.append("Schematische Grenzen: keine amtlichen Grenzen der Sozialquartiere.")
    if erfunden:
        lines.append("Beispieldaten: Die dargestellten Werte sind erfunden.")
    return lines


def _source(ax: Axes, legend: Legend, cfg: Config, erfunden: bool) -> None:
    """Source line directly under the legend, whatever the legend's height."""
    ax.annotate(
        "\n".join(textwrap.fill(line, 120) for line in _source_lines(cfg, erfunden)),
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
