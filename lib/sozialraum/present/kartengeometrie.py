"""The geometry behind every map, and the helpers that draw it.

The frames in the city's CRS joined with the index classes, the display geometry (simplified
and cached), the layers drawn from it and the view set around them.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path

from sozialraum.compute.klassen import KEINE_ANGABE, kombi_klasse
from sozialraum.config import Config
from sozialraum.present.kartenbasis import (
    GID_GRENZE,
    Kind,
)

_KLASSEN_SPALTE = {"status": "status_klasse", "dynamik": "dynamik_klasse", "kombi": "kombi_klasse"}
_DEFAULT_GRUND = "kein Indexwert"
_FEHLT_GRUND = "Indikatorwert fehlt"
_SINGLE_MAP_SIZE = (8.0, 8.0)


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
    """Draw ``gdf``'s polygons as one collection, as ``gdf.plot(ax=ax, ...)`` would.

    The same paths and styles as geopandas draws (normalised rings, one compound path per
    area), but the paths come from :func:`_flaechen_pfade`, built once per display geometry:
    the maps of every report of a batch draw the same areas, and making their paths was a
    third of the time of drawing a map.
    """
    if gdf.empty:
        return
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    art = shapely.get_type_id(geoms)
    drawable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    polygonal = (art == 3) | (art == 6)
    if not bool(polygonal[drawable].all()) or (gdf.crs is not None and gdf.crs.is_geographic):
        gdf.plot(ax=ax, **kwargs)  # anything but (multi)polygons in metres: geopandas' way
        ax.collections[-1].set_gid(gid)
        return
    if not drawable.any():
        return
    color = kwargs.pop("color", None)
    if color is not None and not isinstance(color, str) and len(color) == len(geoms):
        color = [c for c, d in zip(color, drawable, strict=True) if d]
    ax.set_aspect("equal")
    collection = _Flaechen(_flaechen_pfade(geoms[drawable]), facecolor=color, **kwargs)
    ax.add_collection(collection, autolim=True)
    ax.autoscale_view()
    collection.set_gid(gid)


def _plot_boundary(ax: Axes, raeume: gpd.GeoDataFrame, **kwargs: object) -> None:
    """Outline the units, as ``raeume.boundary.plot(ax=ax, zorder=4, ...)`` would, cached."""
    if raeume.empty:
        return
    geoms = np.asarray(raeume.geometry.array, dtype=object)
    drawable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not drawable.any():
        return
    ax.set_aspect("equal")
    segments = [s for g in geoms[drawable] for s in _grenz_linien(g)]
    collection = LineCollection(segments, zorder=4, **kwargs)
    ax.add_collection(collection, autolim=True)
    ax.autoscale_view()
    collection.set_gid(GID_GRENZE)


class _Flaechen(PatchCollection):
    """The areas of one map layer (a class of its own, as geopandas' collection is)."""


_PFAD_CACHE_GROESSE = 20_000
_PFAD_CACHE: OrderedDict[int, tuple[object, PathPatch]] = OrderedDict()
_LINIEN_CACHE: OrderedDict[int, tuple[object, list[np.ndarray]]] = OrderedDict()


def _gemerkt(cache: OrderedDict, geom: object, make):
    """``make(geom)``, remembered per geometry; the entry keeps it alive, so its id stays unique."""
    key = id(geom)
    hit = cache.get(key)
    if hit is not None and hit[0] is geom:
        return hit[1]
    value = make(geom)
    cache[key] = (geom, value)
    while len(cache) > _PFAD_CACHE_GROESSE:
        cache.popitem(last=False)
    return value


def _flaechen_patch(geom: object) -> PathPatch:
    """One area as geopandas draws it: normalised, every ring a closed subpath."""
    g = shapely.normalize(geom)
    parts = [g] if shapely.get_type_id(g) == 3 else list(g.geoms)
    rings = []
    for part in parts:
        rings.append(Path(np.asarray(part.exterior.coords)[:, :2], closed=True))
        rings.extend(Path(np.asarray(r.coords)[:, :2], closed=True) for r in part.interiors)
    return PathPatch(Path.make_compound_path(*rings))


def _flaechen_pfade(geoms: np.ndarray) -> list[PathPatch]:
    """The patches of the areas; the display geometry is shared, so are its patches."""
    return [_gemerkt(_PFAD_CACHE, g, _flaechen_patch) for g in geoms]


def _grenz_linien(geom: object) -> list[np.ndarray]:
    """The outline of one unit as line segments, as ``boundary.plot`` splits it."""

    def make(g: object) -> list[np.ndarray]:
        boundary = shapely.normalize(shapely.boundary(g))
        return [np.asarray(p.coords)[:, :2] for p in shapely.get_parts(boundary)]

    return _gemerkt(_LINIEN_CACHE, geom, make)


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
    # A map has no ticks and no axis labels: hidden axes are neither measured for the layout
    # nor drawn (an empty group each in the SVG); the frame is the spines, which stay.
    ax.xaxis.set_visible(False)
    ax.yaxis.set_visible(False)
    for spine in ax.spines.values():
        spine.set_color("#bdbdbd")
        spine.set_linewidth(0.6)
