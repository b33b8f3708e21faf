"""A synthetic city of any size, for testing maps and reports at big-city scale.

A sample city of 27 Quartiere hides problems that a city like Berlin (542 areas in 12 units)
shows at once: label carpets, slow label placement, rare classes. ``make_city`` writes a
reproducible city of ``areas`` Voronoi cells in ``units`` contiguous Sozialräume, with
population and indicator counts for two years, and a config that points at those files. Every
value and name is invented and marked so (``erfunden``); the names only *look* like German
place names.

Command line::

    python -m sozialraum.synthetic --areas 550 --units 12 --seed 1 --out /tmp/grossstadt
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPoint, Polygon

CRS = "EPSG:25832"
CENTRE = (390_000.0, 5_820_000.0)  # somewhere in zone 32; the values only need to be metres
MEAN_AREA_M2 = 1.6e6  # Berlin: about 890 km² over 542 areas
JAHRE = (2020, 2023)
GEOMETRIE_DATEI = "geo/quartiere.geojson"

# Indicators: id, label, short title, numerator, denominator, denominator share of residents,
# city-wide mean share (percent).
INDIKATOREN = (
    ("sgb2", "SGB-II-Quote", "SGB II", "Personen in SGB II", "Einwohner*innen unter 65", 0.8, 14),
    ("kinderarmut", "Kinderarmut", "Kinderarmut", "Kinder in SGB II", "Kinder unter 15", 0.13, 24),
    (
        "altersarmut",
        "Altersarmut (Grundsicherung im Alter)",
        "Altersarmut",
        "Empfänger*innen von Grundsicherung im Alter",
        "Einwohner*innen ab 65",
        0.2,
        6,
    ),
)

_ANFANG = (
    "Lich", "Ro", "Hohen", "Schön", "Fal", "Wil", "Mahls", "Karls", "Frie", "Bu", "Lank",
    "Marien", "Wann", "Zeh", "Ruh", "Tegel", "Hei", "Span", "Gat", "Kla", "Bies", "Kauls",
    "Mar", "Hellers", "Blan", "Weißen", "Pan", "Nieder", "Ober", "Grün", "Trep",
    "Köpe", "Rahns", "Schmök", "Lüb", "Dah", "Gro", "Staa", "Wit", "Her", "Bor",
    "Kreuz", "Eich", "Linden", "Birken", "Tann", "Espen", "Rosen", "Mühl", "Wend",
    "Falken", "Hasel", "Buch", "Stein",
)  # fmt: skip
_MITTE = ("", "", "", "", "en", "er", "ke", "ten", "ne", "s", "el", "ers")
_ENDE = (
    "berg", "dorf", "felde", "hagen", "hausen", "au", "werder", "heide", "see", "brück",
    "walde", "rade", "ow", "itz", "enau", "hof", "horst", "winkel", "bruch", "stedt", "höhe",
    "ried", "grund", "thal", "burg", "busch", "heim", "leben", "kamp", "wiese", "furt",
)  # fmt: skip
_LAGE = ("Nord", "Süd", "Ost", "West", "Mitte", "Nordost", "Südwest", "Zentrum")
_FLUR = ("Feld", "Heide", "Aue", "Kiez", "Siedlung", "Viertel", "Höhe", "Anger", "Park")
_AM = ("Graben", "Weg", "Anger", "Park", "Forst", "Damm", "Ufer", "Platz", "Markt", "Tor")
_LANG = ("Gartenstadt", "Siedlung", "Wohnpark", "Großsiedlung", "Villenkolonie", "Waldsiedlung")


def make_city(folder: Path, areas: int, units: int, seed: int = 1) -> Path:
    """Write a synthetic city into ``folder`` and return the path of its config.

    The same ``areas``, ``units`` and ``seed`` give the same files, byte for byte, so tests and
    benchmarks can regenerate the city instead of storing it.

    Parameters
    ----------
    folder
        Target folder; ``config/stadt.toml``, ``geo/quartiere.geojson``,
        ``data/bevoelkerung.csv`` and ``data/indikatoren.csv`` are written into it.
    areas
        Number of Sozialquartiere (Voronoi cells).
    units
        Number of Sozialräume, named "Bezirk 01", "Bezirk 02", … (slugs ``bezirk-01``, …).
    seed
        Random seed.

    Returns
    -------
    Path
        The config file.
    """
    if units < 1 or areas < units:
        raise ValueError(f"Mindestens eine Einheit und je Einheit ein Gebiet: {areas=}, {units=}")
    folder = Path(folder)
    rng = np.random.default_rng(seed)
    gdf = quartiere(areas, units, rng)
    (folder / "geo").mkdir(parents=True, exist_ok=True)
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "config").mkdir(parents=True, exist_ok=True)
    geo_path = folder / GEOMETRIE_DATEI
    geo_path.unlink(missing_ok=True)  # the GeoJSON driver refuses to overwrite
    gdf.to_file(geo_path, driver="GeoJSON")
    einwohner, indikatoren = _daten(gdf, rng)
    einwohner.to_csv(folder / "data" / "bevoelkerung.csv", sep=";", index=False)
    indikatoren.to_csv(folder / "data" / "indikatoren.csv", sep=";", index=False)
    cfg_path = folder / "config" / "stadt.toml"
    cfg_path.write_text(config_toml(units), encoding="utf-8")
    return cfg_path


def quartiere(areas: int, units: int, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Voronoi cells of random points inside a rough city outline, grouped into units.

    Points are denser towards the centre (small inner-city areas, large outskirts, as in real
    cities) and relaxed twice (Lloyd) so that no cell is a sliver. Units are k-means clusters of
    the cell centres, which makes them contiguous blobs of similar size.
    """
    radius = math.sqrt(areas * MEAN_AREA_M2 / math.pi)
    outline = _outline(radius, rng)
    points = _points(outline, areas, radius, rng)
    cells = _voronoi(points, outline)
    for _ in range(2):
        points = np.array([[c.centroid.x, c.centroid.y] for c in cells])
        cells = _voronoi(points, outline)
    centres = np.array([[c.centroid.x, c.centroid.y] for c in cells])
    unit = _kmeans(centres, units, rng)
    # Number units north-west to south-east, and areas within a unit from north to south.
    unit_centre = np.array([centres[unit == u].mean(axis=0) for u in range(units)])
    order = np.lexsort((unit_centre[:, 0], -np.round(unit_centre[:, 1] / (radius / 3))))
    rank = np.empty(units, dtype=int)
    rank[order] = np.arange(units)
    unit = rank[unit]
    names = _namen(areas, rng)
    rows = []
    per_unit = np.bincount(unit, minlength=units)
    width = max(2, len(str(per_unit.max())))
    for u in range(units):
        members = np.flatnonzero(unit == u)
        members = members[np.lexsort((centres[members, 0], -centres[members, 1]))]
        for k, i in enumerate(members, start=1):
            rows.append(
                {
                    "quartier_id": f"{u + 1:02d}{k:0{width}d}",
                    "quartier": names[i],
                    "sozialraum_id": f"{u + 1:02d}",
                    "erfunden": True,
                    "geometry": shapely.set_precision(cells[i], 1.0),
                }
            )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


def _outline(radius: float, rng: np.random.Generator) -> Polygon:
    """A blob: a circle whose radius wobbles with a few random harmonics."""
    t = np.linspace(0, 2 * np.pi, 240, endpoint=False)
    r = np.ones_like(t)
    for k in range(2, 7):
        r += rng.uniform(0.02, 0.09) * np.cos(k * t + rng.uniform(0, 2 * np.pi))
    x = CENTRE[0] + radius * r * np.cos(t) * 1.15  # cities are rarely round
    y = CENTRE[1] + radius * r * np.sin(t) * 0.87
    return Polygon(np.column_stack([x, y]))


def _points(outline: Polygon, n: int, radius: float, rng: np.random.Generator) -> np.ndarray:
    """``n`` points inside the outline, about three times as dense in the centre."""
    minx, miny, maxx, maxy = outline.bounds
    out: list[np.ndarray] = []
    prepared = shapely.prepared.prep(outline)
    while sum(len(o) for o in out) < n:
        cand = rng.uniform((minx, miny), (maxx, maxy), size=(4 * n, 2))
        d = np.hypot(cand[:, 0] - CENTRE[0], cand[:, 1] - CENTRE[1]) / radius
        keep = rng.uniform(size=len(cand)) < np.clip(1.0 - 0.7 * d, 0.3, 1.0)
        cand = cand[keep]
        inside = np.array([prepared.contains_properly(shapely.Point(p)) for p in cand])
        out.append(cand[inside])
    return np.concatenate(out)[:n]


def _voronoi(points: np.ndarray, outline: Polygon) -> list[Polygon]:
    """One clipped Voronoi cell per point, in the order of ``points``."""
    regions = shapely.voronoi_polygons(MultiPoint(points), extend_to=outline.buffer(1000))
    cells = list(regions.geoms)
    tree = shapely.STRtree(cells)
    pts = shapely.points(points)
    hit = tree.query(pts, predicate="within")
    owner = np.full(len(points), -1)
    owner[hit[0]] = hit[1]
    out = []
    for i, j in enumerate(owner):
        cell = shapely.intersection(cells[j], outline)
        if cell.geom_type != "Polygon":  # keep the part with the seed point
            part = [g for g in cell.geoms if g.geom_type == "Polygon" and g.covers(pts[i])]
            cell = part[0] if part else max(cell.geoms, key=lambda g: g.area)
        out.append(cell)
    return out


def _kmeans(xy: np.ndarray, k: int, rng: np.random.Generator, rounds: int = 30) -> np.ndarray:
    """Cluster labels (0 … k-1) of ``xy``; k-means++ start, then Lloyd iterations."""
    centres = [xy[rng.integers(len(xy))]]
    for _ in range(1, k):
        d = np.min([np.sum((xy - c) ** 2, axis=1) for c in centres], axis=0)
        centres.append(xy[rng.choice(len(xy), p=d / d.sum())])
    c = np.array(centres)
    label = np.zeros(len(xy), dtype=int)
    for _ in range(rounds):
        label = np.argmin(((xy[:, None, :] - c[None, :, :]) ** 2).sum(axis=2), axis=1)
        for j in range(k):
            if np.any(label == j):
                c[j] = xy[label == j].mean(axis=0)
            else:  # an empty cluster takes the point farthest from its centre
                far = np.argmax(((xy - c[label]) ** 2).sum(axis=1))
                c[j] = xy[far]
                label[far] = j
    return label


def _stamm(rng: np.random.Generator) -> str:
    """A place-name stem from syllables: ``Lich`` + ``ten`` + ``rade``."""
    anfang, mitte, ende = (str(rng.choice(x)) for x in (_ANFANG, _MITTE, _ENDE))
    if mitte.startswith("s") and (anfang.endswith("s") or ende.startswith("s")):
        mitte = ""  # no "Karlsswiese"
    if anfang.endswith("s") and ende.startswith("s"):
        ende = ende[1:] if ende[1:2] not in ("", "e") else "au"
    return anfang + mitte + ende


def _er(stamm: str) -> str:
    """Adjective of a place name: ``Tegel`` -> ``Tegeler``, ``Heide`` -> ``Heider``."""
    return stamm + ("r" if stamm.endswith("e") else "er")


def _name(rng: np.random.Generator) -> str:
    stamm = _stamm(rng)
    form = rng.integers(12)
    if form <= 3:
        return stamm
    if form == 4:
        return f"{stamm}-{rng.choice(_LAGE)}"
    if form == 5:
        return f"{rng.choice(('Alt', 'Neu'))}-{stamm}"
    if form == 6:
        return f"{_er(stamm)} {rng.choice(_FLUR)}"
    if form == 7:
        return f"Am {_er(stamm)} {rng.choice(_AM)}"
    if form == 8:
        return f"{stamm}-{_stamm(rng)}"
    if form == 9:  # the long ones that break labels: 25 characters and more
        flur = [f for f in _FLUR if f not in ("Siedlung", "Viertel")]
        return f"{rng.choice(_LANG)} {_er(stamm)} {rng.choice(flur)}"
    if form == 10:
        return f"{rng.choice(_LANG)} {stamm}-{_stamm(rng)}"
    return f"{stamm} {rng.choice(_LAGE)}"


def _namen(n: int, rng: np.random.Generator) -> list[str]:
    """``n`` unique names; some 25 characters or longer."""
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        name = _name(rng)
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


def _daten(gdf: gpd.GeoDataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Population and indicator counts, spatially smooth (poor and rich parts of town).

    A few areas have under 300 residents (parks, industry), so the not-rated class occurs.
    """
    n = len(gdf)
    xy = np.column_stack([gdf.geometry.centroid.x, gdf.geometry.centroid.y])
    scale = np.ptp(xy, axis=0).max()
    field = np.zeros(n)
    for _ in range(6):  # a few hot and cold spots
        c = xy[rng.integers(n)]
        field += rng.normal() * np.exp(-np.sum((xy - c) ** 2, axis=1) / (0.2 * scale) ** 2)
    field = (field - field.mean()) / (field.std() or 1.0)
    einwohner = np.round(rng.lognormal(np.log(7000), 0.45, size=n)).astype(int)
    tiny = rng.choice(n, size=max(1, n // 150), replace=False)
    einwohner[tiny] = rng.integers(40, 280, size=len(tiny))
    trend = rng.normal(0, 0.6, size=n)
    bev, ind = [], []
    for j, jahr in enumerate(JAHRE):
        ew = np.round(einwohner * (1 + 0.01 * j * rng.normal(size=n))).astype(int)
        ew = np.maximum(ew, 20)
        bev.append(pd.DataFrame({"quartier_id": gdf["quartier_id"], "jahr": jahr, "einwohner": ew}))
        for iid, _, _, _, _, share, mean in INDIKATOREN:
            nenner = np.maximum(np.round(ew * share * rng.uniform(0.85, 1.15, n)), 1).astype(int)
            logit = math.log(mean / (100 - mean)) + 0.55 * field + 0.2 * rng.normal(size=n)
            logit += 0.08 * j * trend
            p = 1 / (1 + np.exp(-logit))
            zaehler = np.minimum(rng.binomial(nenner, p), nenner)
            ind.append(
                pd.DataFrame(
                    {
                        "quartier_id": gdf["quartier_id"],
                        "jahr": jahr,
                        "indikator": iid,
                        "zaehler": zaehler,
                        "nenner": nenner,
                    }
                )
            )
    bevoelkerung = pd.concat(bev, ignore_index=True).assign(erfunden="ja")
    indikatoren = pd.concat(ind, ignore_index=True).assign(erfunden="ja")
    return bevoelkerung, indikatoren


def config_toml(units: int) -> str:
    """The city config: units "Bezirk 01" …, the indicators, the method of the sample config."""
    lines = [
        "# Synthetische Stadt (erfunden), erzeugt mit python -m sozialraum.synthetic.",
        "[stadt]",
        'name = "Synthstadt"',
        'herausgeber = "Synthetische Testdaten"',
        f'crs = "{CRS}"',
        'geometrie_version = "Synthetische Geometrie (Voronoi, erfunden)"',
        "geometrie_schematisch = true",
        "",
    ]
    for u in range(1, units + 1):
        lines += [
            "[[sozialraeume]]",
            f'id = "{u:02d}"',
            f'name = "Bezirk {u:02d}"',
            f'slug = "bezirk-{u:02d}"',
            "",
        ]
    for iid, label, kurz, zaehler, nenner, _, _ in INDIKATOREN:
        lines += [
            "[[indikatoren]]",
            f'id = "{iid}"',
            f'label = "{label}"',
            f'kurz = "{kurz}"',
            f'zaehler = "{zaehler}"',
            f'nenner = "{nenner}"',
            "",
        ]
    lines += [
        "[methode]",
        f"jahre = [{', '.join(str(j) for j in JAHRE)}]",
        f"berichtsjahr = {JAHRE[-1]}",
        f"vergleichsjahr = {JAHRE[0]}",
        "",
        "[methode.status]",
        "schwellen = [-1.0, 1.0, 1.5]",
        'labels = ["hoch", "mittel", "niedrig", "sehr niedrig"]',
        'farben = ["#fef0d9", "#fdcc8a", "#fc8d59", "#b30000"]',
        "",
        "[methode.dynamik]",
        "schwellen = [-1.0, 1.0]",
        'labels = ["positiv", "stabil", "negativ"]',
        'farben = ["#2166ac", "#f7f7f7", "#b2182b"]',
        "",
        "[eingaben]",
        f'geometrie = "../{GEOMETRIE_DATEI}"',
        'bevoelkerung = "../data/bevoelkerung.csv"',
        'indikatoren = "../data/indikatoren.csv"',
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m sozialraum.synthetic --areas 550 --units 12 --seed 1 --out DIR``."""
    parser = argparse.ArgumentParser(
        prog="python -m sozialraum.synthetic",
        description="Schreibt eine synthetische Stadt (erfundene Geometrie und Daten).",
    )
    parser.add_argument("--areas", type=int, default=550, help="Anzahl Sozialquartiere")
    parser.add_argument("--units", type=int, default=12, help="Anzahl Sozialräume")
    parser.add_argument("--seed", type=int, default=1, help="Zufallsstartwert")
    parser.add_argument("--out", type=Path, required=True, help="Zielordner")
    args = parser.parse_args(argv)
    path = make_city(args.out, args.areas, args.units, args.seed)
    print(f"Synthetische Stadt geschrieben: {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
