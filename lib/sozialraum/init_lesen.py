"""Read every file of a city's folder for ``sozialraum init``, as text, and say how it is written.

``init`` meets files nobody has described yet: CSV with any separator and encoding, Excel, JSON
(a list of records, or records under a key), a geometry. This module reads each of them into a
table of text cells (leading zeros kept) and records what it found about the file itself:
format, encoding, byte-order mark, separator, decimal separator. What the columns mean is
judged in :mod:`sozialraum.init_erkennen`.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

#: File endings read as tables, and as geometries (a Shapefile is named by its ``.shp``).
TABELLEN_ENDUNGEN = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".json")
GEOMETRIE_ENDUNGEN = (".shp", ".geojson", ".gpkg")

#: Largest number of rows looked at per table (more says nothing new about a column).
MAX_ZEILEN = 20_000


class InitFehler(Exception):
    """The folder cannot become a proposal; the message (German) says what is missing."""


@dataclass
class Quelle:
    """One table of the folder, read as text.

    ``df`` has the file's own headers and only ``str`` cells (empty string for no value);
    ``json_pfad`` is the key the records sit under in a JSON file (``""``: the file is a list).
    """

    pfad: Path
    format: str
    df: pd.DataFrame
    encoding: str | None = None
    bom: bool = False
    trennzeichen: str | None = None
    dezimal: str = "."
    json_pfad: str | None = None
    hinweise: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The file name, as messages and the proposal name it."""
        return self.pfad.name

    def beschreibung(self) -> str:
        """How the file is written, in German (for the printed summary and the comments)."""
        teile = [self.format]
        if self.encoding:
            teile.append(self.encoding + (" mit BOM" if self.bom else ""))
        if self.trennzeichen:
            zeichen = {"\t": "Tabulator", ";": "Semikolon", ",": "Komma"}
            teile.append("Trennzeichen " + zeichen.get(self.trennzeichen, self.trennzeichen))
        if self.format != "JSON":
            teile.append("Dezimalkomma" if self.dezimal == "," else "Dezimalpunkt")
        if self.json_pfad:
            teile.append(f'Datensätze unter "{self.json_pfad}"')
        return ", ".join(teile)


@dataclass
class Geometrie:
    """The folder's geometry: its attribute table as text, its CRS and number of features."""

    pfad: Path
    format: str
    df: pd.DataFrame
    crs: str
    geografisch: bool
    mitte: tuple[float, float]
    zahlen_spalten: set[str] = field(default_factory=set)

    @property
    def name(self) -> str:
        """The file name, as the proposal names it."""
        return self.pfad.name


def dateien(ordner: Path) -> tuple[list[Path], list[Path]]:
    """The folder's table files and geometry files, sorted by name (hidden files left out)."""
    tabellen, geometrien = [], []
    for pfad in sorted(ordner.iterdir()):
        if pfad.name.startswith(".") or not pfad.is_file():
            continue
        endung = pfad.suffix.lower()
        if endung in GEOMETRIE_ENDUNGEN:
            geometrien.append(pfad)
        elif endung in TABELLEN_ENDUNGEN and not _ist_geojson(pfad):
            tabellen.append(pfad)
    return tabellen, geometrien


def _ist_geojson(pfad: Path) -> bool:
    """A ``.json`` file holding a GeoJSON FeatureCollection is a geometry, not a table."""
    if pfad.suffix.lower() != ".json":
        return False
    kopf = pfad.read_bytes()[:2000].decode("utf-8", "replace")
    return '"FeatureCollection"' in kopf or '"Feature"' in kopf


def lies_tabelle(pfad: Path) -> Quelle:
    """Read one table file as text; JSON with the standard library, the rest as validate does.

    Raises
    ------
    InitFehler
        The file is no table the workbook could read (the message names the file and why).
    """
    if pfad.suffix.lower() == ".json":
        return _lies_json(pfad)
    from sozialraum.read.io import read_table
    from sozialraum.read.problems import ReadError

    try:
        raw = read_table(pfad)
    except ReadError as exc:
        raise InitFehler(str(exc)) from exc
    df = raw.df.head(MAX_ZEILEN).rename(columns=raw.spalten)
    df.columns = [str(c).strip() if str(c).strip() else str(c) for c in df.columns]
    ist_xlsx = raw.delimiter is None and pfad.suffix.lower() in (".xlsx", ".xlsm")
    bom = pfad.read_bytes()[:3] == b"\xef\xbb\xbf"
    return Quelle(
        pfad=pfad,
        format="Excel (XLSX)" if ist_xlsx else "CSV",
        df=df.reset_index(drop=True),
        encoding=None if ist_xlsx else ("UTF-8" if raw.encoding == "utf-8" else raw.encoding),
        bom=bom,
        trennzeichen=raw.delimiter,
        dezimal=raw.decimal,
    )


def _lies_json(pfad: Path) -> Quelle:
    try:
        data = json.loads(pfad.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InitFehler(
            f"{pfad.name}: Die Datei ist kein lesbares JSON ({type(exc).__name__}). Tipp: in "
            "einem Editor prüfen, ob sie vollständig ist."
        ) from exc
    schluessel, datensaetze = _datensaetze(data)
    if datensaetze is None:
        raise InitFehler(
            f"{pfad.name}: Im JSON steht keine Liste von Datensätzen (erwartet: eine Liste von "
            'Objekten wie [{"id": "01", "wert": 3.5}, …] oder eine solche Liste unter einem '
            "Schlüssel)."
        )
    zeilen = [{k: _text(v) for k, v in d.items()} for d in datensaetze[:MAX_ZEILEN]]
    df = pd.DataFrame(zeilen).fillna("").astype(str)
    return Quelle(pfad=pfad, format="JSON", df=df, encoding="UTF-8", json_pfad=schluessel)


def _datensaetze(data: Any, pfad: str = "") -> tuple[str, list[dict] | None]:
    """The first list of objects in ``data`` (depth first) and the dotted key leading to it."""
    if isinstance(data, list) and data and all(isinstance(d, dict) for d in data):
        return pfad, data
    if isinstance(data, dict):
        for key, value in data.items():
            gefunden = _datensaetze(value, f"{pfad}.{key}" if pfad else str(key))
            if gefunden[1] is not None:
                return gefunden
    return pfad, None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def lies_geometrie(pfad: Path) -> Geometrie:
    """Read a geometry's attribute table as text, with its CRS and where its middle lies.

    Raises
    ------
    InitFehler
        The file cannot be read, is empty or has no CRS (the message says what to do).
    """
    import geopandas as gpd

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gdf = gpd.read_file(pfad)
    except Exception as exc:  # noqa: BLE001 - GDAL raises many types; the file is what counts
        raise InitFehler(
            f"{pfad.name}: Die Geometrie lässt sich nicht lesen. Tipp: Eine Shapefile braucht "
            ".shp, .shx, .dbf und .prj nebeneinander; sonst als GeoPackage oder GeoJSON "
            "exportieren."
        ) from exc
    if gdf.empty:
        raise InitFehler(f"{pfad.name}: Die Geometrie enthält keine Flächen.")
    if gdf.crs is None:
        raise InitFehler(
            f"{pfad.name}: Die Geometrie hat kein Koordinatenbezugssystem (KBS). Tipp: im GIS "
            "das KBS setzen (QGIS: Layer → Layer-KBS setzen) oder eine .prj-Datei daneben legen."
        )
    epsg = gdf.crs.to_epsg()
    crs = f"EPSG:{epsg}" if epsg else gdf.crs.to_string()
    minx, miny, maxx, maxy = gdf.to_crs("EPSG:4326").total_bounds
    attribute = gdf.drop(columns=gdf.geometry.name)
    zahlen = {c for c in attribute.columns if pd.api.types.is_numeric_dtype(attribute[c])}
    df = pd.DataFrame({c: attribute[c].map(_text) for c in attribute.columns})
    endung = pfad.suffix.lower()
    formate = {".shp": "Shapefile", ".gpkg": "GeoPackage"}
    return Geometrie(
        pfad=pfad,
        format=formate.get(endung, "GeoJSON"),
        df=df.reset_index(drop=True),
        crs=crs,
        geografisch=bool(gdf.crs.is_geographic),
        mitte=((minx + maxx) / 2, (miny + maxy) / 2),
        zahlen_spalten=zahlen,
    )


def metrisches_crs(geo: Geometrie) -> str:
    """A metric CRS for the maps: the file's own if projected, else ETRS89/UTM of its middle.

    Maps measure areas and distances; a geometry in degrees (EPSG:4326) is drawn in the UTM
    zone it lies in (Germany: EPSG:25832 west of 12° E, EPSG:25833 east of it).
    """
    if not geo.geografisch:
        return geo.crs
    lon, lat = geo.mitte
    zone = int((lon + 180) // 6) + 1
    if 28 <= zone <= 38 and lat > 0:
        return f"EPSG:{25800 + zone}"
    return f"EPSG:{32600 + zone}" if lat >= 0 else f"EPSG:{32700 + zone}"
