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
    gdf = gdf.to_crs(crs).reset_index(drop=True)
    problems: list[Problem] = []
    invalid = ~gdf.geometry.is_valid & gdf.geometry.notna()
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
