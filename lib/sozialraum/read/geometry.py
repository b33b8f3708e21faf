"""Polygons of the areas from GeoPackage, GeoJSON or Shapefile, in the configured CRS.

Kept apart from the table readers: geometries need geopandas and shapely, and are repaired where
the GIS left them invalid.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from sozialraum.names import normalize_header
from sozialraum.read.problems import (
    Problem,
    ReadError,
    lies_bytes,
    nearby_file,
    pruefe_eingabe,
)


def read_geometry(
    path: str | Path,
    crs: str,
    datei: str | None = None,
    label_column: str = "quartier",
    expected_columns: list[str] | None = None,
) -> tuple[Any, list[Problem]]:
    """Read polygons from GeoPackage, GeoJSON or Shapefile and transform them to ``crs``.

    Invalid polygons are repaired (``make_valid``, polygonal parts only) with a warning that
    names the Quartier, because a self-intersection drawn in the GIS should not stop a report,
    but the GIS should hear about it.

    Returns
    -------
    GeoDataFrame with normalised column names and a RangeIndex, and the warnings.

    Raises
    ------
    ReadError
        The file cannot be read, is empty or has no CRS.
    """
    import geopandas as gpd
    import shapely

    path = Path(path)
    datei = datei or path.name
    pruefe_eingabe(path, datei, "eine Geometriedatei", ordner_ok=True)
    if not path.exists():
        raise ReadError(
            Problem(
                datei,
                "Die Datei existiert nicht",
                erwartet="eine Geometriedatei",
                vorschlag=nearby_file(path),
            )
        )
    if path.is_file() and not lies_bytes(path, datei, "eine Geometriedatei")[:4096].strip():
        raise ReadError(
            Problem(datei, "Die Datei ist leer", erwartet="Polygone der Sozialquartiere")
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gdf = gpd.read_file(path)
    except Exception as exc:  # noqa: BLE001 - GDAL raises many types; the message is what counts
        raise ReadError(
            Problem(
                datei,
                f"Die Geometrie lässt sich nicht lesen ({str(exc).splitlines()[0][:120]})",
                erwartet="GeoPackage (.gpkg), GeoJSON oder Shapefile (.shp mit .dbf, .shx, .prj)",
            )
        ) from exc
    if gdf.empty:
        raise ReadError(
            Problem(
                datei, "Die Geometrie enthält keine Flächen", erwartet="ein Polygon je Quartier"
            )
        )
    if gdf.crs is None:
        raise ReadError(
            Problem(
                datei,
                "Die Geometrie hat kein Koordinatenbezugssystem (KBS)",
                erwartet=f"ein angegebenes KBS, z. B. {crs}",
                hinweis=f"{crs} setzen, z. B. in QGIS (Layer → Layer-KBS setzen) oder eine "
                ".prj-Datei neben die .shp legen",
            )
        )
    if gdf.crs.is_geographic:
        minx, miny, maxx, maxy = gdf.total_bounds
        if min(minx, miny) < -180 or max(maxx, maxy) > 180:
            raise ReadError(
                Problem(
                    datei,
                    f"Die Koordinaten passen nicht zum angegebenen KBS {gdf.crs.to_string()} "
                    "(Werte außerhalb von ±180°)",
                    erwartet="Koordinaten im angegebenen KBS",
                    hinweis=f"das richtige KBS angeben, vermutlich {crs}",
                )
            )
    gdf = gdf.rename(columns={c: normalize_header(c) for c in gdf.columns if c != "geometry"})
    # Shapefiles cut column names to 10 characters ("sozialraum_id" -> "sozialraum").
    restore = {}
    for c in gdf.columns:
        longer = [e for e in expected_columns or [] if e.startswith(c) and e != c]
        if len(c) == 10 and len(longer) == 1 and longer[0] not in gdf.columns:
            restore[c] = longer[0]
    gdf = gdf.rename(columns=restore)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gdf = gdf.to_crs(crs).reset_index(drop=True)
    problems = _ohne_flaeche(gdf, datei, label_column)
    problems += _ausserhalb(gdf, datei, label_column)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        invalid = ~gdf.geometry.is_valid & gdf.geometry.notna() & ~gdf.geometry.is_empty
    for i in gdf.index[invalid]:
        geom = gdf.geometry.iloc[i]
        reason = shapely.is_valid_reason(geom)
        repaired = _polygonal(shapely.make_valid(geom))
        gdf.loc[i, "geometry"] = repaired
        name = gdf[label_column].iloc[i] if label_column in gdf.columns else f"Objekt {i + 1}"
        problems.append(
            Problem(
                datei,
                f'Das Polygon von "{name}" ist ungültig ({reason}) und wurde repariert',
                zeile=i + 2,
                spalte="geometry",
                wert=str(name),
                erwartet="ein gültiges Polygon ohne Selbstüberschneidung",
                hinweis="im GIS korrigieren (QGIS: Vektor → Geometriewerkzeuge → "
                "Geometrien reparieren)",
                schwere="Warnung",
            )
        )
    return gdf, problems


def _polygonal(geom: Any) -> Any:
    """Keep the polygonal parts of a repaired geometry (make_valid may add lines and points)."""
    import shapely
    from shapely.geometry import MultiPolygon, Polygon

    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    parts = [
        p
        for p in shapely.get_parts(geom)
        if isinstance(p, Polygon | MultiPolygon) and not p.is_empty
    ]
    polys: list[Polygon] = []
    for p in parts:
        polys.extend(p.geoms if isinstance(p, MultiPolygon) else [p])
    return MultiPolygon(polys) if len(polys) != 1 else polys[0]


def _name(gdf: Any, i: int, label_column: str) -> str:
    value = gdf[label_column].iloc[i] if label_column in gdf.columns else None
    return str(value) if isinstance(value, str) and value.strip() else f"Objekt {i + 1}"


def _ohne_flaeche(gdf: Any, datei: str, label_column: str) -> list[Problem]:
    """One error per object without a usable area: missing, empty, or NaN/infinite coordinates.

    Such an object cannot be drawn or intersected (GEOS fails on NaN); its geometry is set to
    None so that the later checks pass over it, and the analyst hears of each one by name.
    """
    import numpy as np
    import shapely

    problems = []
    for i, geom in enumerate(gdf.geometry):
        if geom is None or geom.is_empty:
            meldung = (
                f'Das Objekt "{_name(gdf, i, label_column)}" hat keine Fläche (leere Geometrie)'
            )
        elif not np.isfinite(shapely.get_coordinates(geom)).all():
            meldung = (
                f'Die Fläche von "{_name(gdf, i, label_column)}" hat ungültige Koordinaten '
                "(NaN oder unendlich)"
            )
        else:
            continue
        gdf.loc[i, "geometry"] = None
        problems.append(
            Problem(
                datei,
                meldung,
                zeile=i + 2,
                spalte="geometry",
                erwartet="ein Polygon mit gültigen Koordinaten je Gebiet",
                hinweis="im GIS die Fläche neu zeichnen oder das Objekt löschen",
            )
        )
    return problems


def _ausserhalb(gdf: Any, datei: str, label_column: str) -> list[Problem]:
    """Warn about areas far outside the region the CRS is made for (e.g. a coordinate of 1e300).

    Possible (a typo in one vertex, a test object), but no city lies there: the map would zoom
    out to nothing. "Far" is more than the region's own size beyond its edge.
    """
    import math

    try:
        area = gdf.crs.area_of_use
        if area is None:
            return []
        from pyproj import Transformer

        t = Transformer.from_crs("EPSG:4326", gdf.crs, always_xy=True)
        minx, miny, maxx, maxy = t.transform_bounds(*area.bounds)
    except Exception:  # noqa: BLE001 - no area of use known: nothing to compare with
        return []
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        return []
    dx, dy = maxx - minx, maxy - miny
    problems = []
    for i, geom in enumerate(gdf.geometry):
        if geom is None:
            continue
        x0, y0, x1, y1 = geom.bounds
        if x0 >= minx - dx and x1 <= maxx + dx and y0 >= miny - dy and y1 <= maxy + dy:
            continue
        weit = max(abs(x0), abs(x1), abs(y0), abs(y1))
        problems.append(
            Problem(
                datei,
                f'Die Fläche von "{_name(gdf, i, label_column)}" liegt weit außerhalb des '
                f"Gebiets, für das {gdf.crs.to_string()} gilt (Koordinaten bis {weit:.3g})",
                zeile=i + 2,
                spalte="geometry",
                erwartet="Koordinaten im Gebiet des Koordinatenbezugssystems",
                hinweis="im GIS die Eckpunkte der Fläche prüfen (ein Tippfehler in einer "
                "Koordinate?)",
                schwere="Warnung",
            )
        )
    return problems
