"""Static maps of the Sozialräume and their Sozialquartiere for the reports.

Every map is a plain matplotlib figure without basemap tiles, so reports render offline and look
the same in all six Sozialräume: class colours and labels come from the config, indicator bins
are computed once over the whole city, and every legend lists every class (count 0 allowed).
Each function returns ``(figure, alt_text)``; the alt text is generated from the same data as the
map, so that readers of a screen reader get the content, not just "a map".

Names are placed by :mod:`sozialraum.present.labels`: only inside their own area, else as a number
whose key :func:`kartenschluessel` returns for a table beside the map; city maps name the
Sozialräume, not every Quartier.
"""

from __future__ import annotations

import math
import textwrap
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.colors import to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.patches import Patch, Rectangle
from shapely.geometry.base import BaseGeometry

from sozialraum.compute.index import KEINE_ANGABE, kombi_klasse, kombi_klassen
from sozialraum.config import Begriff, Config, Klassen, Sozialraum
from sozialraum.fmt import anzahl, aufzaehlung, figur_text, fmt_num, genitiv, im
from sozialraum.present.figures import literal_text
from sozialraum.present.labels import (
    HALO,
    MIN_FONTSIZE,
    Outside,
    Placed,
    Placer,
    Variant,
    measuring_renderer,
    name_variants,
    outside_margin_px,
    place_outside,
    wrap,
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
_HALO = HALO
_SINGLE_MAP_SIZE = (8.0, 8.0)
_AREA_SIZES = (8.0, 7.0, 6.0)  # Quartier names in a Sozialraum map, largest first
_CITY_AREA_SIZES = (6.5, 6.0, 5.5)  # Quartier names in a city map (only on request)
_CONTEXT_SIZES = (7.0, 6.5, 6.0)
_UNIT_SIZES = (9.0, 8.5, 8.0, 7.5, 7.0)  # Sozialraum names
_CHOSEN_SIZES = (10.5, 10.0, 9.5, 9.0, 8.5)
_VALUE_SIZES = (6.5, 6.0, 5.5)
_VALUES_MIN_SHARE = 0.75  # fewer values fit: show none (gaps read as missing data)


def _schluessel_hinweis(gebiet: Begriff) -> str:
    return (
        f"Zahlen in der Karte: Nummern der {gebiet.mehrzahl}, deren Name dort keinen Platz hat "
        "(Schlüssel in der Tabelle zur Karte)."
    )


def schluessel_titel(gebiet: Begriff) -> str:
    """Caption of the key table beside a map: "Tabelle zur Karte: Nummern der Planungsräume"."""
    return f"Tabelle zur Karte: Nummern der {gebiet.mehrzahl}"


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
@literal_text
def locator_map(
    cfg: Config,
    quartiere: gpd.GeoDataFrame,
    sozialraum_id: str,
    *,
    erfunden: bool = False,
    nordpfeil: bool = True,
) -> tuple[Figure, str]:
    """Where the Sozialraum lies in the city: all Sozialräume outlined, the chosen one filled.

    Every Sozialraum is named exactly once (the chosen one in bold): inside its outline where
    the name fits, otherwise beside the city with a leader line. No name is skipped, because a
    reader looks for their own part of town.

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
    e, g = cfg.begriffe.einheit, cfg.begriffe.gebiet
    gdf = _geo(cfg, quartiere)
    inside = gdf["sozialraum_id"] == sr.id
    lage = _lage(gdf, inside)  # from the exact geometry, never the simplified one
    anzeige = _anzeige(cfg, quartiere, gdf, _ausdehnung(gdf))
    gdf = _mit_geometrie(gdf, anzeige.quartiere)
    raeume = anzeige.raeume

    fig, ax = _single_map_figure()
    _plot(ax, gdf[~inside], GID_KONTEXT, color="#f2f2f2", edgecolor="#c2c2c2", linewidth=0.4)
    _plot(ax, gdf[inside], GID_AUSWAHL, color=HERVORHEBUNG, edgecolor="white", linewidth=0.6)
    _plot_boundary(ax, raeume, color="#525252", linewidth=1.1)
    _plot_boundary(ax, raeume[raeume["sozialraum_id"] == sr.id], color="black", linewidth=2.4)
    _set_extent(ax, gdf, margin=0.03)

    namen = {s.id: s.name for s in cfg.sozialraeume}
    _unit_labels(ax, raeume, namen, chosen=sr.id, nordpfeil=nordpfeil)
    _scale_bar(ax)
    if nordpfeil:
        _north_arrow(ax)
    n_in, n_all = int(inside.sum()), len(gdf)
    handles = [
        Patch(facecolor=HERVORHEBUNG, edgecolor="black", label=f"{e.name} {figur_text(sr.name)}"),
        Patch(facecolor="#f2f2f2", edgecolor="#525252", label=f"weitere {e.mehrzahl}"),
    ]
    legend = ax.legend(handles=handles, **_legend_style(ncol=2))
    _source(ax, legend, cfg, erfunden)

    names = gdf.loc[inside, "quartier"].tolist()
    alt = (
        f"Lagekarte: {e.form('der').capitalize()} {e.name} {sr.name} liegt {lage} der Stadt "
        f"{cfg.stadt.name} und umfasst {n_in} der {n_all} {g.mehrzahl}"
        + (f" ({aufzaehlung(names)})." if names else ".")
    )
    _fit_canvas(fig)
    return fig, alt


@literal_text
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
    beschriftung: Beschriftung = "auto",
) -> tuple[Figure, str]:
    """Sozialindex classes of the Quartiere, with one legend shared by all reports.

    Labels never run across a neighbour: a Quartier's name is written only where it fits
    inside the Quartier (smaller and re-wrapped if needed). A Quartier too small for its name
    gets a number; :func:`kartenschluessel` returns the key (``nummer``, ``quartier_id``,
    ``quartier``) for a table next to the map, and numbers stay the same in the status,
    dynamics and combination maps of one Sozialraum (they count the Quartiere in id order).
    The city map names the Sozialräume instead of hundreds of Quartiere.

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
    beschriftung
        ``"quartiere"``: names (or numbers) of the Quartiere; ``"sozialraeume"``: names of the
        Sozialräume; ``"keine"``: no names. ``"auto"`` (default): Quartiere when zoomed to a
        Sozialraum, Sozialräume for the whole city.

    Returns
    -------
    tuple[Figure, str]
        The figure and its alt text. The number key is attached to the figure; read it with
        :func:`kartenschluessel`.
    """
    if beschriftung not in ("auto", "quartiere", "sozialraeume", "keine"):
        raise ValueError(
            f'Unbekannte Beschriftung "{beschriftung}". '
            "Gültig sind: auto, quartiere, sozialraeume, keine"
        )
    farben = klassen_farben(cfg, kind)
    sr = cfg.sozialraum(sozialraum_id) if sozialraum_id is not None else None
    e, g = cfg.begriffe.einheit, cfg.begriffe.gebiet
    gdf = _join(cfg, quartiere, index)
    gezeigt = gdf[gdf["sozialraum_id"] == sr.id] if sr else gdf
    anzeige = _anzeige(cfg, quartiere, gdf, _ausdehnung(gezeigt if len(gezeigt) else gdf))
    gdf = _mit_geometrie(gdf, anzeige.quartiere)
    klasse = _klasse(gdf, kind)
    gdf = gdf.assign(karten_klasse=klasse)
    focus_mask = gdf["sozialraum_id"] == sr.id if sr else pd.Series(True, index=gdf.index)
    focus, context = gdf[focus_mask], gdf[~focus_mask]
    if sr:
        context = _im_ausschnitt(context, _ausschnitt(focus, margin=0.12, square=True))
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
    raeume = anzeige.raeume
    if sr:
        _plot_boundary(ax, raeume[raeume["sozialraum_id"] == sr.id], color="black", linewidth=2.4)
        _set_extent(ax, focus, margin=0.12, square=True)
    else:
        _plot_boundary(ax, raeume, color="#1a1a1a", linewidth=1.6)
        _set_extent(ax, gdf, margin=0.03)

    grund = _gruende(unrated)
    if beschriftung == "auto":
        beschriftung = "quartiere" if sr else "sozialraeume"
    if beschriftung == "sozialraeume":
        namen = {s.id: s.name for s in cfg.sozialraeume}
        shown = raeume if sr is None else raeume[raeume["sozialraum_id"] == sr.id]
        _unit_labels(ax, shown, namen, chosen=None, nordpfeil=nordpfeil)
    placer = Placer(ax)
    _block_furniture(placer, nordpfeil)
    for text in ax.texts:  # Sozialraum names drawn above
        placer.block_artist(text)
    schluessel = _leerer_schluessel()
    if beschriftung == "quartiere":
        klassen_text = dict.fromkeys(focus.index, "nicht bewertet")
        klassen_text.update(rated["karten_klasse"].astype(str).to_dict())
        schluessel = _area_labels(
            placer,
            focus,
            klassen_text if klassen_beschriften else None,
            _AREA_SIZES if sr else _CITY_AREA_SIZES,
        )
    if sr:
        _context_labels(placer, context)
    _set_schluessel(fig, schluessel)
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
            label=f"nicht bewertet: {figur_text(grund_text)} ({n})",
        )
        for grund_text, n in grund.items()
    ]
    if sr and not context.empty:
        extras.append(
            Patch(
                facecolor=KONTEXT_FARBE,
                edgecolor=KONTEXT_RAND,
                label=f"{g.mehrzahl} außerhalb {genitiv(e)}",
            )
        )
    ncol = len(cfg.methode.dynamik.labels) if kind == "kombi" else 1
    title = f"{_TITEL[kind]} (Anzahl {g.mehrzahl}{' ' + im(e) if sr else ''})"
    legend = _class_legend(ax, klassen, extras, ncol=ncol, title=title)
    _source(ax, legend, cfg, erfunden, hinweis=_schluessel_hinweis(g) if len(schluessel) else None)

    alt = _class_alt(cfg, kind, sr, rated, unrated, farben)
    if len(schluessel):
        traegt = anzahl(len(schluessel), f"{g.name} trägt", f"{g.mehrzahl} tragen")
        alt += f" {traegt} statt des Namens eine Nummer; die Tabelle zur Karte nennt sie."
    _fit_canvas(fig)
    return fig, alt


@literal_text
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
    e, gb = cfg.begriffe.einheit, cfg.begriffe.gebiet
    gdf = _geo(cfg, quartiere)
    focus_mask = gdf["sozialraum_id"] == sr.id if sr else pd.Series(True, index=gdf.index)
    anzeige = _anzeige(cfg, quartiere, gdf, _ausdehnung(gdf[focus_mask] if sr else gdf))
    gdf = _mit_geometrie(gdf, anzeige.quartiere)
    bins = indikator_klassen(cfg, werte, jahr)
    year = _year_values(werte, jahr)

    n = len(cfg.indikatoren)
    ncols = 3 if n > 4 else max(n, 1)
    nrows = math.ceil(n / ncols)
    map_w, row_h = 3.2, 4.3
    fig = Figure(figsize=(ncols * map_w, nrows * row_h + 0.9))
    height = fig.get_figheight()
    alt_parts = []
    werte_labels: list[tuple[list[Placed], int]] = []
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
        alt_part, wert_texte = _small_map(
            ax,
            cfg,
            ind.kurz,
            g,
            focus_mask,
            bins[ind.id],
            sr is not None,
            first=i == 0,
            raeume=anzeige.raeume,
        )
        alt_parts.append(alt_part)
        if wert_texte is not None:
            werte_labels.append(wert_texte)
    if any(not placed and n for placed, n in werte_labels):
        # one map without values: none with values, so all maps of the figure read alike
        for placed, _ in werte_labels:
            for p in placed:
                p.remove()
        werte_labels = [([], n) for _, n in werte_labels]
    ohne_wert = sum(n - len(placed) for placed, n in werte_labels)

    note = (
        f"Klassen: {_QUANTIL_NAME.get(INDIKATOR_KLASSEN, 'Quantile')} der Anteile aller "
        f"{gb.mehrzahl} der Stadt {jahr}, in allen Berichten gleich. "
        f"Anteile in Prozent der jeweiligen Bezugsgruppe."
    )
    if ohne_wert:
        note += (
            f" Wo die Fläche {genitiv(gb)} für die Zahl zu klein ist, steht sie nicht in der "
            "Karte; die Farbe zeigt die Klasse, die Tabelle den Wert."
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

    wo = f"{im(e)} {sr.name}" if sr else f"in der Stadt {cfg.stadt.name}"
    alt = (
        f"{n} Karten der Indikatoranteile {jahr} {wo}, klassiert nach "
        f"{_QUANTIL_NAME.get(INDIKATOR_KLASSEN, 'Quantile')}n aller {gb.mehrzahl} der Stadt. "
        + " ".join(alt_parts)
    )
    _fit_canvas(fig)
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
            inner = [round(float(b), 1) for b in quantil_grenzen(values, k)[:-1]]
        limits = sorted({lo, *[b for b in inner if lo < b < hi], hi})
        out[ind.id] = limits if len(limits) > 1 else [lo, hi]
    return out


def quantil_grenzen(values: np.ndarray, k: int) -> np.ndarray:
    """Upper limits of ``k`` quantile classes, as ``mapclassify.Quantiles(values, k).bins``.

    The same numbers (linear interpolation, ties collapsed), without importing mapclassify:
    it loads scipy.stats, a second per process, paid by every kernel and every report.
    """
    w = 100.0 / k
    p = np.arange(w, 100 + w, w)
    p[-1] = min(p[-1], 100.0)
    return np.unique(np.percentile(np.asarray(values, dtype=float), p))


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
    raeume: gpd.GeoDataFrame,
) -> tuple[str, tuple[list[Placed], int] | None]:
    """Draw one indicator.

    Returns its sentence for the alt text and, when zoomed, the value labels drawn and the
    number of Quartiere they are for.
    """
    focus, context = g[focus_mask], g[~focus_mask]
    if zoomed:
        context = _im_ausschnitt(context, _ausschnitt(focus, margin=0.08, square=True))
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
    wert_texte: tuple[list[Placed], int] | None = None
    if zoomed:
        ids = focus["sozialraum_id"].unique()
        _plot_boundary(ax, raeume[raeume["sozialraum_id"].isin(ids)], color="black", linewidth=1.6)
        _set_extent(ax, focus, margin=0.08, square=True)
        wert_texte = _value_labels(ax, focus, scale_bar=first), len(focus)
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
    return _small_alt(titel, valued, suppressed, missing, zoomed), wert_texte


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
    e, g = cfg.begriffe.einheit, cfg.begriffe.gebiet
    wo = f"{im(e)} {sr.name}" if sr else f"in der Stadt {cfg.stadt.name}"
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
    text = f"{_KARTENNAME[kind]} {wo}, {anzahl(total, g.name, g.mehrzahl)}. "
    if parts:
        text += "Klassen: " + "; ".join(parts) + "."
    else:
        text += f"{g.form('kein').capitalize()} {g.name} ist bewertet."
    if not unrated.empty:
        names = unrated["quartier"].tolist()
        text += f" Nicht bewertet: {len(names)}" + (
            f" ({aufzaehlung(names)})" if with_names else ""
        )
        text += "."
    if sr:
        text += f" Angrenzende {g.mehrzahl} außerhalb {genitiv(e)} sind grau dargestellt."
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


# -- geometry for display ------------------------------------------------------------------------
ANZEIGE_PIXEL = 4000
"""Pixels across the map extent at which the display simplification stays invisible.

A map is about 880 pixels wide at the report's resolution (8 inches at 110 dpi) and 2,400 in
print (300 dpi); a vertex moved by at most 1/4000 of the extent moves well under a pixel.
"""
_ANZEIGE_MIN_PUNKTE = 20_000  # below this many vertices drawing is fast: nothing to simplify
_ANZEIGE_CACHE_GROESSE = 8


@dataclass(frozen=True)
class _Anzeige:
    """Display geometry of one geometry frame at one tolerance (never used for computations)."""

    quartiere: np.ndarray  # one geometry per row of ``_geo(cfg, quartiere)``, same order
    raeume: gpd.GeoDataFrame  # the units (``sozialraum_id``, geometry), dissolved exactly
    toleranz: float
    punkte_vorher: int
    punkte_nachher: int


_ANZEIGE_CACHE: OrderedDict[tuple, tuple[weakref.ref, _Anzeige]] = OrderedDict()


def _ausdehnung(gdf: gpd.GeoDataFrame) -> float:
    """The larger side of the frame's bounding box in map units (metres)."""
    minx, miny, maxx, maxy = gdf.total_bounds
    return float(max(maxx - minx, maxy - miny, 0.0))


def _anzeige(
    cfg: Config, quartiere: gpd.GeoDataFrame, gdf: gpd.GeoDataFrame, ausdehnung: float
) -> _Anzeige:
    """Geometry to draw: simplified to :data:`ANZEIGE_PIXEL` of the map's extent, cached.

    Berlin's 542 areas have 198,000 vertices; drawing them (and placing labels in them) at
    full detail costs seconds per map for detail far below a pixel. Simplification keeps the
    topology (no self-intersections; shared borders stay shared with ``coverage_simplify``
    where GEOS has it), its tolerance is relative to the extent the map shows, and the result
    is cached per geometry frame and tolerance, so the maps of one report simplify once per
    zoom level. Everything computed (areas, position in the city, counts) uses the exact
    geometry; only drawing and the placement of labels in the drawn shapes use this.

    ``gdf`` is ``_geo(cfg, quartiere)`` (or a frame with its rows in the same order).
    """
    toleranz = ausdehnung / ANZEIGE_PIXEL if ausdehnung > 0 else 0.0
    # rounded to 2 significant digits: maps of similar extent share one simplification
    toleranz = float(f"{toleranz:.2g}") if toleranz > 0 else 0.0
    key = (id(quartiere), str(cfg.stadt.crs), len(quartiere), toleranz)
    hit = _ANZEIGE_CACHE.get(key)
    if hit is not None and hit[0]() is quartiere:
        _ANZEIGE_CACHE.move_to_end(key)
        return hit[1]
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    vorher = int(shapely.get_num_coordinates(geoms).sum())
    if vorher <= _ANZEIGE_MIN_PUNKTE or toleranz <= 0:
        einfach = geoms
    else:
        einfach = _vereinfachen(geoms, toleranz)
    raeume = _sozialraeume(gdf)
    if int(shapely.get_num_coordinates(raeume.geometry.array).sum()) > _ANZEIGE_MIN_PUNKTE:
        raeume = raeume.set_geometry(
            shapely.simplify(np.asarray(raeume.geometry.array), toleranz, preserve_topology=True),
            crs=raeume.crs,
        )
    result = _Anzeige(
        quartiere=einfach,
        raeume=raeume,
        toleranz=toleranz,
        punkte_vorher=vorher,
        punkte_nachher=int(shapely.get_num_coordinates(einfach).sum()),
    )
    try:
        ref = weakref.ref(quartiere)
    except TypeError:  # pragma: no cover - frames support weak references
        return result
    _ANZEIGE_CACHE[key] = (ref, result)
    while len(_ANZEIGE_CACHE) > _ANZEIGE_CACHE_GROESSE:
        _ANZEIGE_CACHE.popitem(last=False)
    return result


def _mit_geometrie(gdf: gpd.GeoDataFrame, geometrie: np.ndarray) -> gpd.GeoDataFrame:
    """``gdf`` with another geometry of the same rows (the display geometry)."""
    return gdf.set_geometry(gpd.GeoSeries(geometrie, index=gdf.index, crs=gdf.crs))


def _vereinfachen(geoms: np.ndarray, toleranz: float) -> np.ndarray:
    """Topology-preserving simplification; shared borders kept shared where GEOS can.

    ``coverage_simplify`` (GEOS 3.12) simplifies the shared edges of a coverage once, so
    neighbours keep meeting without gaps; it needs a valid coverage (no overlaps), so anything
    it returns that is not valid falls back to simplifying each polygon on its own (gaps are
    then below the tolerance, i.e. below a pixel).
    """
    polygonal = shapely.get_type_id(geoms) >= 3  # polygons and multipolygons
    if hasattr(shapely, "coverage_simplify") and bool(polygonal.all()):
        try:
            out = np.asarray(shapely.coverage_simplify(geoms, toleranz), dtype=object)
            if bool(shapely.is_valid(out).all()) and not bool(shapely.is_empty(out).any()):
                return out
        except shapely.errors.GEOSException:
            pass
    return np.asarray(shapely.simplify(geoms, toleranz, preserve_topology=True), dtype=object)


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


def _ausschnitt(
    gdf: gpd.GeoDataFrame, margin: float, square: bool = False
) -> tuple[float, float, float, float]:
    """The map's view (xmin, ymin, xmax, ymax): ``gdf``'s bounds with a margin."""
    minx, miny, maxx, maxy = gdf.total_bounds
    w, h = maxx - minx, maxy - miny
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    if square:
        w = h = max(w, h)
    pad = margin * max(w, h)
    return cx - w / 2 - pad, cy - h / 2 - pad, cx + w / 2 + pad, cy + h / 2 + pad


def _im_ausschnitt(gdf: gpd.GeoDataFrame, view: tuple[float, float, float, float]):
    """The rows of ``gdf`` that reach into ``view``: the rest would be drawn and clipped away.

    A zoomed map of one unit in a city of hundreds of areas would otherwise carry every area
    of the city in its SVG, cut off by the frame: a page grows by megabytes, drawing by seconds.
    """
    if gdf.empty:
        return gdf
    b = gdf.geometry.bounds
    x0, y0, x1, y1 = view
    inside = (b["maxx"] >= x0) & (b["minx"] <= x1) & (b["maxy"] >= y0) & (b["miny"] <= y1)
    return gdf[inside.to_numpy()]


def _set_extent(ax: Axes, gdf: gpd.GeoDataFrame, margin: float, square: bool = False) -> None:
    x0, y0, x1, y1 = _ausschnitt(gdf, margin, square)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")  # geopandas labels projected axes "Easting [metre]"
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_color("#bdbdbd")
        spine.set_linewidth(0.6)


# -- labels --------------------------------------------------------------------------------------
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


def _block_furniture(placer: Placer, nordpfeil: bool, scale_bar: bool = True) -> None:
    """Keep names off the corners where the scale bar and the north arrow go."""
    ax = placer.ax
    corners = []
    if scale_bar:
        corners.append(((0.0, 0.0), (0.32, 0.115)))
    if nordpfeil:
        corners.append(((0.9, 0.84), (1.0, 1.0)))
    for lo, hi in corners:
        (x0, y0), (x1, y1) = ax.transAxes.transform([lo, hi])
        placer.block((x0, y0, x1, y1))


def _largest_part(geometry: BaseGeometry) -> BaseGeometry:
    if geometry.geom_type == "MultiPolygon":
        return max(geometry.geoms, key=lambda g: g.area)
    return geometry


def _area_labels(
    placer: Placer,
    focus: gpd.GeoDataFrame,
    klassen_text: dict[Any, str] | None,
    sizes: tuple[float, ...],
) -> pd.DataFrame:
    """Names inside their Quartier; a number where the name does not fit; returns the key.

    A number is the Quartier's position in id order among the shown Quartiere, so the three
    maps of a Sozialraum use the same numbers even where the class line makes a name fit in
    one map and not in the other.
    """
    nummer = {qid: k for k, qid in enumerate(sorted(focus["quartier_id"].astype(str)), start=1)}
    numbered = []
    for row in focus.itertuples():
        extra = klassen_text.get(row.Index) if klassen_text is not None else None
        variants = name_variants(figur_text(row.quartier), sizes, extra=extra)
        if placer.place(row.geometry, variants, color="black", gid=GID_NAME) is None:
            numbered.append(row)
    rows = []
    num_sizes = tuple(dict.fromkeys((*sizes, MIN_FONTSIZE)))
    for row in numbered:
        n = nummer[str(row.quartier_id)]
        variants = [Variant(str(n), size) for size in num_sizes]
        if placer.place(row.geometry, variants, color="black", gid=GID_NUMMER) is not None:
            rows.append({"nummer": n, "quartier_id": row.quartier_id, "quartier": row.quartier})
    if not rows:
        return _leerer_schluessel()
    key = pd.DataFrame(rows, columns=list(SCHLUESSEL_SPALTEN)).sort_values("nummer")
    return key.reset_index(drop=True)


def _context_labels(placer: Placer, context: gpd.GeoDataFrame) -> None:
    """Grey names of the neighbours, only inside their visible part and clear of all others.

    A neighbour's name is orientation only; printed across a Quartier of the Sozialraum it
    makes both unreadable, so it yields to everything.
    """
    for row in context.itertuples():
        variants = name_variants(figur_text(row.quartier), _CONTEXT_SIZES)
        placer.place(row.geometry, variants, color=KONTEXT_SCHRIFT, gap=3.0, gid=GID_KONTEXT)


def _value_labels(ax: Axes, focus: gpd.GeoDataFrame, scale_bar: bool) -> list[Placed]:
    """Shares inside their Quartier where they fit; returns the labels drawn.

    Written as "12,5 %" when every value fits that way, else all without the "%" sign (the
    note says the values are percentages), which fits a third more Quartiere; one format per
    map, so the values read alike. When fewer than three quarters fit, none are shown (gaps
    would read as missing data): the colour and its legend carry the class, the table the
    value.
    """
    placer = Placer(ax, inset_px=2.0)
    _block_furniture(placer, nordpfeil=False, scale_bar=scale_bar)
    allowed_misses = len(focus) - math.ceil(_VALUES_MIN_SHARE * len(focus))
    placed: list[Placed] = []
    for suffix in (" %", ""):
        placed = []
        for k, row in enumerate(focus.itertuples()):
            if k - len(placed) > allowed_misses:
                break  # too many do not fit: none will be shown, stop measuring
            if row.unterdrueckt:
                variants = [Variant("•", 9.0), Variant("•", 7.0)]  # the offices' mark
            elif pd.isna(row.anteil):
                variants = [Variant("–", size) for size in _VALUE_SIZES]
            else:
                text = fmt_num(row.anteil) + suffix
                variants = [Variant(text, size) for size in _VALUE_SIZES]
            found = placer.place(row.geometry, variants, color="black", gap=1.5, gid=GID_WERT)
            if found is not None:
                placed.append(found)
        if len(placed) == len(focus):
            return placed
        if suffix:  # try again without the "%" sign
            for p in placed:
                p.remove()
            placer = Placer(ax, inset_px=2.0)
            _block_furniture(placer, nordpfeil=False, scale_bar=scale_bar)
    if len(placed) < _VALUES_MIN_SHARE * len(focus):
        for p in placed:
            p.remove()
        return []
    return placed


def _unit_labels(
    ax: Axes,
    raeume: gpd.GeoDataFrame,
    namen: dict[str, str],
    chosen: str | None,
    nordpfeil: bool,
) -> list[Placed]:
    """Name every Sozialraum exactly once, none on top of another.

    Inside its outline where the name fits (the chosen one first, larger and bold); the others
    beside the city, with a leader line to a point well inside. To make room beside the city
    the map is widened and everything placed again, since the scale changes.
    """
    order = sorted(raeume.itertuples(), key=lambda r: (r.sozialraum_id != chosen, -r.geometry.area))
    city = raeume.geometry.union_all()
    cx = (city.bounds[0] + city.bounds[2]) / 2
    widened = False
    outside: dict[str, Outside] = {}
    while True:
        placer = Placer(ax)
        _block_furniture(placer, nordpfeil)
        # names known not to fit go first, so the inside names keep off their leader lines
        placed = place_outside(placer, list(outside.values()), city, color="#333333")
        failed: list[Outside] = []
        for row in order:
            if str(row.sozialraum_id) in outside:
                continue
            is_chosen = row.sozialraum_id == chosen
            name = figur_text(namen.get(row.sozialraum_id, row.sozialraum_id))
            weight = "bold" if is_chosen or chosen is None else "normal"
            variants = name_variants(
                name, _CHOSEN_SIZES if is_chosen else _UNIT_SIZES, fontweight=weight
            )
            color = "black" if is_chosen or chosen is None else "#333333"
            found = placer.place(
                row.geometry, variants, color=color, gap=2.0, zorder=6, gid=GID_SOZIALRAUM_NAME
            )
            if found is not None:
                placed.append(found)
                continue
            part = _largest_part(row.geometry)
            tol = math.sqrt(part.area) / 100
            anchor = shapely.get_point(shapely.maximum_inscribed_circle(part, tol), 0)
            variant = Variant(wrap(name), 9.0 if is_chosen else 8.0, weight)
            failed.append(Outside(str(row.sozialraum_id), variant, anchor))
        if not failed:
            return placed
        for p in placed:
            p.remove()
        outside.update({o.key: o for o in failed})
        if not widened:
            # Once only: widening shrinks the map, and more names would stop fitting inside.
            left = [o for o in outside.values() if o.anchor.x < cx]
            right = [o for o in outside.values() if o.anchor.x >= cx]
            _widen(ax, city, outside_margin_px(placer, left), outside_margin_px(placer, right))
            widened = True
        # every round moves at least one name outside, so this ends


def _widen(ax: Axes, city: BaseGeometry, left_px: float, right_px: float) -> bool:
    """Widen the x range so ``left_px`` / ``right_px`` pixels are free beside the city.

    Returns True when the limits changed (and labels must be placed again).
    """
    minx, _, maxx, _ = city.bounds
    changed = False
    for _ in range(6):
        ax.apply_aspect()
        ppu = float(abs(ax.transData.get_matrix()[0, 0]))
        need_l, need_r = left_px / ppu, right_px / ppu
        x0, x1 = ax.get_xlim()
        if minx - x0 >= need_l * 0.99 and x1 - maxx >= need_r * 0.99:
            break
        ax.set_xlim(min(x0, minx - need_l * 1.05), max(x1, maxx + need_r * 1.05))
        changed = True
    return changed


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
            f"Schematische Grenzen: keine amtlichen Grenzen der {cfg.begriffe.gebiet.mehrzahl}."
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
