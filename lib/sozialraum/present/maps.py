"""Static maps of the Sozialräume and their Sozialquartiere for the reports.

Every map is a plain matplotlib figure without basemap tiles, so reports render offline and look
the same in all six Sozialräume: class colours and labels come from the config, indicator bins
are computed once over the whole city, and every legend lists every class (count 0 allowed).
Each function returns ``(figure, alt_text)``; the alt text is generated from the same data as the
map, so that readers of a screen reader get the content, not just "a map".

Names are placed by :mod:`sozialraum.present.labels`: only inside their own area, else as a number
whose key :func:`~sozialraum.present.kartenbasis.kartenschluessel` returns for a table beside
the map; city maps name the Sozialräume, not every Quartier.

This module holds the class maps (one Sozialraum or the whole city) and the locator map; what all
maps share is in :mod:`~sozialraum.present.kartenbasis` (colours, key, legends),
:mod:`~sozialraum.present.kartengeometrie` (geometry) and
:mod:`~sozialraum.present.kartenbeschriftung` (names in the map); the indicator maps are in
:mod:`~sozialraum.present.indikatorkarten`.
"""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sozialraum.config import Config, Sozialraum
from sozialraum.fmt import anzahl, aufzaehlung, figur_text
from sozialraum.grammatik import genitiv, gross, im, kompositum, nomen, ohne_artikel
from sozialraum.present.figures import literal_text
from sozialraum.present.kartenbasis import (
    GID_AUSWAHL,
    GID_KLASSEN,
    GID_KONTEXT,
    GID_NICHT_BEWERTET,
    HERVORHEBUNG,
    KONTEXT_FARBE,
    KONTEXT_RAND,
    NICHT_BEWERTET_FARBE,
    RAND,
    SCHRAFFUR,
    Beschriftung,
    Kind,
    _class_legend,
    _fit_canvas,
    _leerer_schluessel,
    _legend_style,
    _north_arrow,
    _scale_bar,
    _schluessel_hinweis,
    _set_schluessel,
    _source,
    klassen_farben,
    klassen_grenzen,
)
from sozialraum.present.kartenbeschriftung import (
    _AREA_SIZES,
    _CITY_AREA_SIZES,
    _area_labels,
    _block_furniture,
    _context_labels,
    _unit_labels,
)
from sozialraum.present.kartengeometrie import (
    _anzeige,
    _ausdehnung,
    _ausschnitt,
    _geo,
    _gruende,
    _im_ausschnitt,
    _join,
    _klasse,
    _mit_geometrie,
    _plot,
    _plot_boundary,
    _set_extent,
    _single_map_figure,
)
from sozialraum.present.labels import Placer


def _titel(cfg: Config, kind: Kind) -> str:
    """Legend title of a class map: the configured index name, or "Status und Dynamik"."""
    b = cfg.begriffe
    return {"status": str(b.statusindex), "dynamik": str(b.dynamikindex)}.get(
        kind, "Status und Dynamik"
    )


def _kartenname(cfg: Config, kind: Kind) -> str:
    """What the map shows, for its alt text: "Karte der Statusindex-Klassen"."""
    b = cfg.begriffe
    if kind == "kombi":
        return "Karte der Kombination aus Status- und Dynamikklasse"
    return "Karte der " + kompositum(
        b.statusindex if kind == "status" else b.dynamikindex, "Klassen"
    )


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
        f"Lagekarte: {gross(nomen(e))} {sr.name} liegt {lage} der Stadt "
        f"{cfg.stadt.name} und umfasst {n_in} der {n_all} "
        f"{ohne_artikel(g, 'genitiv', mehrzahl=True, nach='der')}"
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
    schwellen: list[float] | None = None,
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
    schwellen
        The limits applied to ``kind`` (``IndexResult.schwellen[kind]``): quantile classes show
        them in the legend, because they come from the data (``klassen_grenzen``).

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
    grenzen = klassen_grenzen(cfg, kind, schwellen)
    klassen = [
        (f"{lab}: {grenzen[lab]}" if lab in grenzen else lab, farbe, int(counts.get(lab, 0)))
        for lab, farbe in farben.items()
    ]
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
    title = f"{_titel(cfg, kind)} (Anzahl {g.mehrzahl}{' ' + im(e) if sr else ''})"
    legend = _class_legend(ax, klassen, extras, ncol=ncol, title=title)
    _source(ax, legend, cfg, erfunden, hinweis=_schluessel_hinweis(g) if len(schluessel) else None)

    alt = _class_alt(cfg, kind, sr, rated, unrated, farben)
    if len(schluessel):
        traegt = anzahl(len(schluessel), f"{g.name} trägt", f"{g.mehrzahl} tragen")
        alt += f" {traegt} statt des Namens eine Nummer; die Tabelle zur Karte nennt sie."
    _fit_canvas(fig)
    return fig, alt


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
    text = f"{_kartenname(cfg, kind)} {wo}, {anzahl(total, g.name, g.mehrzahl)}. "
    if parts:
        text += "Klassen: " + "; ".join(parts) + "."
    else:
        text += f"{gross(nomen(g, art='kein'))} ist bewertet."
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
    """Where the Sozialraum lies in the city, as a German phrase (see :func:`lage`)."""
    return lage(gdf.loc[inside].geometry.union_all(), gdf.geometry.union_all())


#: An area whose centre lies inside this fraction of the city's half width and half height
#: (an ellipse around the city's centre, as wide and as tall as the city) lies "in der Mitte".
MITTE = 1 / 3
_RICHTUNGEN = (
    "Osten",
    "Nordosten",
    "Norden",
    "Nordwesten",
    "Westen",
    "Südwesten",
    "Süden",
    "Südosten",
)


def lage(teil: Any, stadt: Any) -> str:
    """Where ``teil`` lies in ``stadt`` (shapely geometries): "im Nordosten", "in der Mitte".

    Measured from the city's centroid. The middle is an ellipse scaled to the city's extent
    (:data:`MITTE` of its half width and half height), so that an elongated or ragged city
    has a middle as wide as itself and its central part is not sent to a compass point;
    outside it, the direction is one of eight sectors of 45°.
    """
    minx, miny, maxx, maxy = stadt.bounds
    halb_x, halb_y = max((maxx - minx) / 2, 1e-9), max((maxy - miny) / 2, 1e-9)
    mitte, punkt = stadt.centroid, teil.centroid
    dx, dy = punkt.x - mitte.x, punkt.y - mitte.y
    if math.hypot(dx / halb_x, dy / halb_y) < MITTE:
        return "in der Mitte"
    sektor = round(math.degrees(math.atan2(dy, dx)) / 45) % 8
    return f"im {_RICHTUNGEN[sektor]}"
