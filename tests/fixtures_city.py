"""A mini city (2 Sozialräume, 4 Quartiere) written into a temporary folder.

``make_city(tmp_path)`` writes a config, a small geometry and every input file and returns the
config path; keyword overrides replace single files, so that each test breaks exactly one thing.
Used by the validation tests and by the "second city needs no change to lib/" test.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
from shapely.geometry import box

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from mentimeter_export import write_mentimeter_export  # noqa: E402

CRS = "EPSG:25832"
X0, Y0 = 350_000, 5_705_000

QUARTIERE = [
    # quartier_id, quartier, sozialraum_id, column, row of a 2 x 2 grid of 1 km squares
    ("01", "Altstadt", "1", 0, 1),
    ("02", "Lirich-Süd", "1", 1, 1),
    ("03", "Mühlenfeld", "2", 0, 0),
    ("04", "Weststadt", "2", 1, 0),
]

CONFIG = """\
[stadt]
name = "Musterstadt"
crs = "EPSG:25832"
geometrie_version = "Testgeometrie v1"

[[sozialraeume]]
id = "1"
name = "Nord"
slug = "nord"
termine = [{ runde = 2, datum = "2023-09-06" }]

[[sozialraeume]]
id = "2"
name = "Süd"
slug = "sued"
termine = [{ runde = 2, datum = "2023-10" }]

[[indikatoren]]
id = "sgb2"
label = "SGB-II-Quote"
kurz = "SGB II"
zaehler = "Personen in SGB II"
nenner = "Einwohner*innen unter 65"

[[indikatoren]]
id = "kinderarmut"
label = "Kinderarmut"
kurz = "Kinderarmut"
zaehler = "Kinder in SGB II"
nenner = "Kinder unter 15"

[methode]
jahre = [2020, 2023]
berichtsjahr = 2023
vergleichsjahr = 2020

[methode.status]
schwellen = [-1.0, 1.0]
labels = ["hoch", "mittel", "niedrig"]
farben = ["#eeeeee", "#999999", "#333333"]

[methode.dynamik]
schwellen = [-1.0, 1.0]
labels = ["positiv", "stabil", "negativ"]
farben = ["#2166ac", "#f7f7f7", "#b2182b"]

[eingaben]
geometrie = "../{geometrie}"
bevoelkerung = "../data/bevoelkerung.csv"
indikatoren = "../data/indikatoren.csv"
veranstaltungen = "../data/veranstaltungen.csv"
stationen = "../data/stationen.csv"
angebote = "../data/angebote.csv"
fragen = "../data/fragen.csv"
abstimmungen = "../data/abstimmungen.csv"
karten = "../data/karten.csv"
feedback = "../data/feedback.csv"
handlungsempfehlungen = "../data/handlungsempfehlungen.csv"
kanalregeln = "../data/kanalregeln.csv"

[[eingaben.mentimeter]]
veranstaltung_id = "2023-nord"
datei = "../data/mentimeter/2023-nord.xlsx"
frage = "Formulieren Sie in 1-2 Worten Ihr Feedback"
"""

EINWOHNER = {"01": 5200, "02": 4100, "03": 8300, "04": 2950}


def _bevoelkerung() -> str:
    lines = ["quartier_id;quartier;jahr;einwohner;quelle;erfunden"]
    for qid, name, *_ in QUARTIERE:
        for jahr, factor in ((2020, 0.98), (2023, 1.0)):
            lines.append(f"{qid};{name};{jahr};{round(EINWOHNER[qid] * factor)};Test;ja")
    return "\n".join(lines) + "\n"


def _indikatoren() -> str:
    lines = ["quartier_id;quartier;jahr;indikator;zaehler;nenner;anteil;quelle;erfunden"]
    for k, (qid, name, *_) in enumerate(QUARTIERE):
        for jahr in (2020, 2023):
            base = EINWOHNER[qid]
            lines.append(f"{qid};{name};{jahr};sgb2;{base // (5 + k)};{base};;Test;ja")
            lines.append(f"{qid};{name};{jahr};kinderarmut;{base // (20 + k)};{base // 7};;Test;ja")
    return "\n".join(lines) + "\n"


FILES: dict[str, str] = {
    "veranstaltungen": (
        "veranstaltung_id;sozialraum_id;runde;datum;format;teilnehmende;institutionen;"
        "dauer_minuten;erfunden\n"
        "2023-nord;1;2;06.09.2023;World-Café;88;38;75;nein\n"
        "2023-sued;2;2;10/2023;World-Café;61;;;ja\n"
    ),
    "stationen": (
        "station_id;runde;art;station;bereich\n"
        "r2-sport;2;Themeninsel;Sport/Bewegung;Bereich 2-5 Sport\n"
        "r2-integration;2;Themeninsel;Integration;Bereich 2-6\n"
    ),
    "angebote": (
        "angebot_id;station_id;angebot;bereich;url\n"
        "r2-sport-verein;r2-sport;Sport im Verein;Stadtsportbund;\n"
        "r2-integration-kim;r2-integration;KIM Case-Management;Bereich 2-6;https://example.org\n"
    ),
    "fragen": (
        "frage_id;runde;frage;typ;kanalcodierung\n"
        "r2-kennen;2;Kennen Sie das Angebot?;ja_nein;nein\n"
        "r2-bekannter;2;Wie kann das Angebot bekannter gemacht werden?;freitext;ja\n"
        "r2-feedback;2;Formulieren Sie in 1-2 Worten Ihr Feedback;feedback_wort;nein\n"
    ),
    "abstimmungen": (
        "veranstaltung_id;station_id;angebot_id;frage_id;antwort;anzahl;erfunden\n"
        "2023-nord;r2-integration;r2-integration-kim;r2-kennen;JA;5;nein\n"
        "2023-nord;r2-integration;r2-integration-kim;r2-kennen;NEIN;3;ja\n"
        "2023-nord;r2-sport;r2-sport-verein;r2-kennen;JA;7;ja\n"
        "2023-sued;r2-sport;r2-sport-verein;r2-kennen;NEIN;4;ja\n"
    ),
    "karten": (
        "veranstaltung_id;station_id;frage_id;text;erfunden\n"
        "2023-nord;r2-sport;r2-bekannter;Verteilung in Kita;nein\n"
        "2023-sued;r2-sport;r2-bekannter;<b>Flyer</b> im Rathaus;ja\n"
    ),
    "feedback": (
        "veranstaltung_id;wort;erfunden\n2023-sued;informativ;ja\n2023-sued;gute Gespräche;ja\n"
    ),
    "handlungsempfehlungen": (
        "he_id;sozialraum_id;handlungsfeld;titel;zustaendig;quartiere;status;status_datum\n"
        "HE-1;1;Familie;Angebote bündeln;Bereich 3-1;01, Lirich Sued;in Umsetzung;2023-02\n"
        "HE-2;2;Bildung;Teilhabe bekannter machen;Bereich 3-3;;offen;15.02.2023\n"
    ),
    "kanalregeln": ("reihenfolge;kategorie;muster\n1;Kita/Schule;kita*\n2;Flyer/Print;flyer*\n"),
}


def quartiere_gdf() -> gpd.GeoDataFrame:
    """The mini city's four 1 km squares in EPSG:25832."""
    return gpd.GeoDataFrame(
        {
            "quartier_id": [q[0] for q in QUARTIERE],
            "quartier": [q[1] for q in QUARTIERE],
            "sozialraum_id": [q[2] for q in QUARTIERE],
            "erfunden": ["ja"] * len(QUARTIERE),
        },
        geometry=[
            box(X0 + c * 1000, Y0 + r * 1000, X0 + (c + 1) * 1000, Y0 + (r + 1) * 1000)
            for *_, c, r in QUARTIERE
        ],
        crs=CRS,
    )


MENTIMETER_SLIDES: list[dict[str, Any]] = [
    {
        "type": "choices",
        "question": "Waren Sie schon einmal bei einem Expert*innendialog?",
        "responses": {1: "Ja", 2: "Nein", 3: "Ja"},
    },
    {
        "type": "wordcloud",
        "question": "Formulieren Sie in 1–2 Worten Ihr Feedback",
        "responses": {1: ["toll", "gute Gespräche"], 2: ["informativ"], 4: ["Vernetzung"]},
    },
]


Override = str | bytes | Callable[[str], str] | None


def make_city(
    tmp_path: Path,
    *,
    geometrie: gpd.GeoDataFrame | Callable[[Path], None] | None = None,
    geometrie_datei: str = "geo/quartiere.gpkg",
    config: Callable[[str], str] | None = None,
    mentimeter: list[dict[str, Any]] | None = None,
    **files: Override,
) -> Path:
    """Write the mini city into ``tmp_path`` and return the path of its config.

    Parameters
    ----------
    geometrie
        A GeoDataFrame to write instead of the default squares, or a function that writes the
        file itself (given its path), e.g. a Shapefile without ``.prj``.
    geometrie_datei
        Path of the geometry relative to ``tmp_path``; its suffix chooses the format.
    config
        Function that edits the config text.
    mentimeter
        Slides for the Mentimeter export (see ``scripts/mentimeter_export.py``).
    **files
        Per input name (``bevoelkerung=...``): the text to write (UTF-8), raw bytes, a function
        that edits the default text, or None to leave the file out.
    """
    defaults = {"bevoelkerung": _bevoelkerung(), "indikatoren": _indikatoren(), **FILES}
    unknown = set(files) - set(defaults)
    if unknown:
        raise TypeError(f"unknown input(s): {sorted(unknown)}")
    (tmp_path / "data").mkdir(parents=True, exist_ok=True)
    for name, default in defaults.items():
        value = files.get(name, default)
        target = tmp_path / "data" / f"{name}.csv"
        if value is None:
            continue
        if callable(value):
            value = value(default)
        if isinstance(value, bytes):
            target.write_bytes(value)
        else:
            target.write_text(value, encoding="utf-8")
    geo_path = tmp_path / geometrie_datei
    geo_path.parent.mkdir(parents=True, exist_ok=True)
    if callable(geometrie) and not isinstance(geometrie, gpd.GeoDataFrame):
        geometrie(geo_path)
    else:
        (geometrie if geometrie is not None else quartiere_gdf()).to_file(geo_path)
    write_mentimeter_export(
        tmp_path / "data" / "mentimeter" / "2023-nord.xlsx",
        MENTIMETER_SLIDES if mentimeter is None else mentimeter,
        voters=[1, 2, 3, 4, 5],
    )
    text = CONFIG.replace("{geometrie}", geometrie_datei)
    if config is not None:
        text = config(text)
    cfg_path = tmp_path / "config" / "stadt.toml"
    cfg_path.parent.mkdir(exist_ok=True)
    cfg_path.write_text(text, encoding="utf-8")
    return cfg_path


def with_project_notebooks(text: str) -> str:
    """Config edit for a city in tmp_path that renders with this project's notebooks."""
    return text + (
        "\n[bericht]\n"
        f'notebook_sozialraum = "{ROOT / "notebooks" / "sozialraumbericht.ipynb"}"\n'
        f'notebook_gesamtstadt = "{ROOT / "notebooks" / "gesamtstadt.ipynb"}"\n'
        'ausgabe = "../reports"\n'
    )
