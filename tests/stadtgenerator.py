"""Cities across the config space, written into a folder, for the "validate ⇒ render" test.

A :class:`Stadt` names one point of the space (size, how areas map to units, how the index is
obtained, change data or none, events or none, the city's nouns, missing-value markers, the
geometry's CRS); :func:`write_city` writes its geometry, tables and config. The geometry and the
statistics come from :mod:`sozialraum.synthetic` (invented, marked ``erfunden``); the events are
the mini city's (``fixtures_city.FILES``) repeated for every unit.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from fixtures_city import FILES, ROOT

from sozialraum import synthetic
from sozialraum.config_einheiten import stadt_einheit

#: (name, plural, gender) of report units and of areas: each gender, single and multi-word.
EINHEITEN = (
    ("Sozialraum", "Sozialräume", "m"),
    ("Stadtregion", "Stadtregionen", "f"),
    ("Planungsgebiet", "Planungsgebiete", "n"),
    ("Statistischer Bezirk", "Statistische Bezirke", "m"),
    ("Soziale Stadtregion", "Soziale Stadtregionen", "f"),
)
GEBIETE = (
    ("Sozialquartier", "Sozialquartiere", "n"),
    ("Planungsraum", "Planungsräume", "m"),
    ("Wohnlage", "Wohnlagen", "f"),
    ("Statistisches Gebiet", "Statistische Gebiete", "n"),
    ("Statistischer Bezirk", "Statistische Bezirke", "m"),
)
INDEXNAMEN = ("Sozialindex", "Armutsindex", "Index soziale Lage")
CRS = ("EPSG:25832", "EPSG:4326", "EPSG:3035")
SENTINEL = "-9999"
STADT = "Teststadt"


@dataclass(frozen=True)
class Stadt:
    """One generated city; every field is one axis of the config space."""

    areas: int = 12
    units: int = 3
    einheiten: str = "spalte"  # spalte | id | tabelle | keine
    index: str = "berechnet"  # berechnet | wert | klasse
    dynamik: bool = True
    indikatoren: bool = True  # False: the office publishes only the index (index wert|klasse)
    veranstaltungen: bool = False
    einheit: tuple[str, str, str] = EINHEITEN[0]
    gebiet: tuple[str, str, str] = GEBIETE[0]
    indexname: str = INDEXNAMEN[0]
    fehlwerte: bool = False
    crs: str = CRS[0]
    seed: int = 1

    @property
    def n_units(self) -> int:
        """Units the reports are made for (the whole city is one without a unit assignment)."""
        return 1 if self.einheiten == "keine" else self.units


def _toml(value: object) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return repr(value)


def _begriff(key: str, noun: tuple[str, str, str]) -> str:
    name, mehrzahl, genus = noun
    return (
        f"{key} = {{ name = {_toml(name)}, mehrzahl = {_toml(mehrzahl)}, genus = {_toml(genus)} }}"
    )


def _unit_ids(gdf: gpd.GeoDataFrame) -> list[str]:
    return sorted(gdf["sozialraum_id"].unique())


def _area_ids(stadt: Stadt, gdf: gpd.GeoDataFrame) -> pd.Series:
    """Area ids: the synthetic ones (unit code + number) where units come from the id, else
    numbers in random order, so that no prefix gives the unit away."""
    if stadt.einheiten == "id":
        return gdf["quartier_id"]
    order = np.random.default_rng(stadt.seed).permutation(len(gdf))
    return pd.Series([f"{k + 1:04d}" for k in order], index=gdf.index)


def write_city(stadt: Stadt, folder: Path) -> Path:
    """Write ``stadt`` into ``folder`` and return the path of its config."""
    folder = Path(folder)
    synthetic.make_city(folder, stadt.areas, stadt.units, stadt.seed)
    geo_path = folder / synthetic.GEOMETRIE_DATEI
    gdf = gpd.read_file(geo_path)
    gdf["quartier_id"] = gdf["quartier_id"].astype(str)
    gdf["sozialraum_id"] = gdf["sozialraum_id"].astype(str)
    new_ids = dict(zip(gdf["quartier_id"], _area_ids(stadt, gdf), strict=True))
    gdf["quartier_id"] = gdf["quartier_id"].map(new_ids)
    units = _unit_ids(gdf)

    data = folder / "data"
    bev = pd.read_csv(data / "bevoelkerung.csv", sep=";", dtype={"quartier_id": str})
    ind = pd.read_csv(data / "indikatoren.csv", sep=";", dtype={"quartier_id": str})
    for frame in (bev, ind):
        frame["quartier_id"] = frame["quartier_id"].map(new_ids)
    jahre = sorted(bev["jahr"].unique())
    if not stadt.dynamik:
        bev = bev[bev["jahr"] == jahre[-1]]
        ind = ind[ind["jahr"] == jahre[-1]]
    ind = ind.astype({"zaehler": object})
    if stadt.fehlwerte:  # a few unpublished counts, marked the office's way
        rng = np.random.default_rng(stadt.seed)
        hit = rng.choice(len(ind), size=max(1, len(ind) // 40), replace=False)
        ind.iloc[hit, ind.columns.get_loc("zaehler")] = SENTINEL
    bev.to_csv(data / "bevoelkerung.csv", sep=";", index=False)
    ind.to_csv(data / "indikatoren.csv", sep=";", index=False)
    if not stadt.indikatoren:  # only the published index: no indicator values at all
        if stadt.index == "berechnet":
            raise ValueError("Stadt(indikatoren=False) braucht index = 'wert' oder 'klasse'")
        (data / "indikatoren.csv").unlink()

    geometry_name = "geo/quartiere.gpkg"
    keep = ["quartier_id", "quartier", "erfunden", "geometry"]
    if stadt.einheiten == "spalte":
        keep.insert(2, "sozialraum_id")
    gdf[keep].to_crs(stadt.crs).to_file(folder / geometry_name)
    geo_path.unlink()
    if stadt.einheiten == "tabelle":
        gdf[["quartier_id", "sozialraum_id"]].rename(
            columns={"quartier_id": "gebiet", "sozialraum_id": "einheit"}
        ).to_csv(data / "zuordnung.csv", sep=";", index=False)
    if stadt.index != "berechnet":
        _published_index(stadt, folder, ind)
    if stadt.veranstaltungen:  # without units the city's one unit holds the events
        _events(data, [stadt_einheit(STADT)["id"]] if stadt.einheiten == "keine" else units)
    cfg = folder / "config" / "stadt.toml"
    cfg.write_text(config_toml(stadt, units, jahre, geometry_name), encoding="utf-8")
    return cfg


def _published_index(stadt: Stadt, folder: Path, ind: pd.DataFrame) -> None:
    """A published index table: a score per area (mean share, standardised) and its class."""
    year = ind["jahr"].max()
    cur = ind[ind["jahr"] == year].copy()
    cur["zaehler"] = pd.to_numeric(cur["zaehler"], errors="coerce")
    share = (cur["zaehler"] / cur["nenner"]).groupby(cur["quartier_id"]).mean()
    score = (share - share.mean()) / (share.std(ddof=0) or 1.0)
    klasse = np.digitize(score.fillna(0), [-1.0, 1.0]) + 1
    table = pd.DataFrame({"gebiet": score.index, "wert": score.round(3).values, "klasse": klasse})
    if not stadt.indikatoren and stadt.dynamik:  # a published Dynamikindex beside the status
        table["dynamik"] = np.random.default_rng(stadt.seed).normal(size=len(table)).round(3)
    table.to_csv(folder / "data" / "index.csv", sep=";", index=False, na_rep="")


def _events(data: Path, units: list[str]) -> None:
    """One event per unit with the mini city's stations, offers, questions and answers."""
    header = {name: FILES[name].splitlines()[0] for name in FILES}
    ver = [header["veranstaltungen"]]
    abst = [header["abstimmungen"]]
    karten = [header["karten"]]
    feedback = [header["feedback"]]
    for k, unit in enumerate(units):
        vid = f"2023-e{k + 1}"
        ver.append(f"{vid};{unit};2;{6 + k % 20:02d}.09.2023;World-Café;{40 + k};;;ja")
        abst.append(f"{vid};r2-sport;r2-sport-verein;r2-kennen;JA;{7 + k};ja")
        abst.append(f"{vid};r2-sport;r2-sport-verein;r2-kennen;NEIN;{4 + k % 3};ja")
        karten.append(f"{vid};r2-sport;r2-bekannter;Flyer <b>im</b> Rathaus {k};ja")
        feedback.append(f"{vid};informativ;ja")
    texts = {
        "veranstaltungen": ver,
        "abstimmungen": abst,
        "karten": karten,
        "feedback": feedback,
    }
    for name in ("stationen", "angebote", "fragen"):
        texts[name] = FILES[name].splitlines()
    for name, lines in texts.items():
        (data / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def config_toml(stadt: Stadt, units: list[str], jahre: list[int], geometry: str) -> str:
    """The config of ``stadt`` in the keys the workbook documents."""
    berichtsjahr = int(jahre[-1])
    lines = [
        "# Generierte Teststadt (erfunden)",
        "[stadt]",
        f"name = {_toml(STADT)}",
        f'crs = "{CRS[0]}"',
        'geometrie_version = "Generierte Geometrie (erfunden)"',
        "geometrie_schematisch = true",
        "",
        "[begriffe]",
        _begriff("einheit", stadt.einheit),
        _begriff("gebiet", stadt.gebiet),
        f"index = {_toml(stadt.indexname)}",
        "",
    ]
    if stadt.einheiten != "keine":
        for k, unit in enumerate(units):
            lines += [
                "[[sozialraeume]]",
                f"id = {_toml(unit)}",
                f"name = {_toml(f'Teil {k + 1}')}",
                f'slug = "teil-{k + 1}"',
                "",
            ]
    if stadt.einheiten != "spalte":
        lines += ["[einheiten]", f"aus = {_toml(_EINHEITEN_AUS[stadt.einheiten])}"]
        if stadt.einheiten == "id":
            lines.append("stellen = 2")
        if stadt.einheiten == "tabelle":
            lines.append(
                'tabelle = { datei = "../data/zuordnung.csv", '
                'spalten = { quartier_id = "gebiet", sozialraum_id = "einheit" } }'
            )
        lines.append("")
    for iid, label, kurz, zaehler, nenner, _, _ in synthetic.INDIKATOREN * stadt.indikatoren:
        lines += [
            "[[indikatoren]]",
            f"id = {_toml(iid)}",
            f"label = {_toml(label)}",
            f"kurz = {_toml(kurz)}",
            f"zaehler = {_toml(zaehler)}",
            f"nenner = {_toml(nenner)}",
            "",
        ]
    lines += [
        "[methode]",
        f"jahre = {_toml([int(j) for j in (jahre if stadt.dynamik else jahre[-1:])])}",
        f"berichtsjahr = {berichtsjahr}",
    ]
    if stadt.dynamik:
        lines.append(f"vergleichsjahr = {int(jahre[0])}")
    lines += [
        "",
        "[methode.status]",
        *_status_lines(stadt),
        'labels = ["hoch", "mittel", "niedrig"]',
        'farben = ["#fef0d9", "#fc8d59", "#b30000"]',
        "",
    ]
    if stadt.dynamik:
        lines += [
            "[methode.dynamik]",
            *([] if stadt.indikatoren else ['quelle = "wert"', 'spalte = "dynamik"']),
            "schwellen = [-1.0, 1.0]",
            'labels = ["positiv", "stabil", "negativ"]',
            'farben = ["#2166ac", "#f7f7f7", "#b2182b"]',
            "",
        ]
    fehlwerte = f", fehlwerte = {_toml([SENTINEL])}" if stadt.fehlwerte else ""
    lines += [
        "[eingaben]",
        f'geometrie = "../{geometry}"',
        'bevoelkerung = "../data/bevoelkerung.csv"',
    ]
    if stadt.indikatoren:
        lines.append(f'indikatoren = {{ datei = "../data/indikatoren.csv"{fehlwerte} }}')
    if stadt.index != "berechnet":
        lines.append(
            'index = { datei = "../data/index.csv", spalten = { quartier_id = "gebiet" } }'
        )
    if stadt.veranstaltungen:
        for name in ("veranstaltungen", "stationen", "angebote", "fragen", "abstimmungen"):
            lines.append(f'{name} = "../data/{name}.csv"')
        lines += ['karten = "../data/karten.csv"', 'feedback = "../data/feedback.csv"']
    lines += [
        "",
        "[bericht]",
        f'notebook_sozialraum = "{ROOT / "notebooks" / "sozialraumbericht.ipynb"}"',
        f'notebook_gesamtstadt = "{ROOT / "notebooks" / "gesamtstadt.ipynb"}"',
        'ausgabe = "../berichte"',
        "",
    ]
    return "\n".join(lines)


_EINHEITEN_AUS = {"id": "id", "tabelle": "tabelle", "keine": "keine", "spalte": "geometrie"}


def _status_lines(stadt: Stadt) -> list[str]:
    if stadt.index == "wert":
        return ['quelle = "wert"', 'spalte = "wert"', "schwellen = [-1.0, 1.0]"]
    if stadt.index == "klasse":
        return ['quelle = "klasse"', 'spalte = "klasse"', 'klassenwerte = ["1", "2", "3"]']
    return ["schwellen = [-1.0, 1.0]"]


#: Words that only an exception or a missing value puts into German text.
ENGLISCH = re.compile(
    r"\b(Traceback|Error|Exception|KeyError|ValueError|TypeError|AttributeError|IndexError|"
    r"NaN|nan|None|null|undefined|object has no attribute)\b"
)


def log_scale(n: float) -> int:
    """Helper for strategies: an area count drawn on a log scale is mostly small."""
    return int(round(math.exp(n)))
