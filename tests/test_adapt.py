"""Published layouts read by configuration alone: a tiny city shaped like Berlin's MSS files.

Each test writes the files as a statistics office publishes them (wide, own column names,
``-9999``, a validity column, published changes, no events) and changes one thing.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from sozialraum.compute.store import prepare
from sozialraum.config import load_config
from sozialraum.read.validate import validate

# PLR_ID, name in the geometry, Bezirk, EW, S1, S3, D1, D3, KOM
AREAS = [
    ("01100101", "Stülerstraße", "01", "3419", "4.2", "8.0", "1.4", "0.4", "gültig"),
    ("01100102", "Großer Tiergarten", "01", "1791", "1.2", "3.5", "0.2", "0.9", "gültig"),
    ("01100103", "Lützowstraße", "01", "5000", "9.5", "12.1", "-0.3", "1.1", "gültig"),
    ("02100104", "Schloßstraße", "02", "4100", "6.3", "9.9", "-1.2", "-0.4", "gültig"),
    ("02100105", "Schloßstraße", "02", "2800", "7.7", "5.5", "0.8", "-0.9", "gültig"),
    (
        "02100106",
        "Gartenfeld",
        "02",
        "21",
        "-9999",
        "-9999",
        "-9999",
        "-9999",
        "ungültig (EW unter 300)",
    ),
    (
        "02100107",
        "Pankower Tor",
        "02",
        "",
        "-9999",
        "-9999",
        "-9999",
        "-9999",
        "ungültig (EW unter 300)",
    ),
]

CONFIG = """\
[stadt]
name = "Teststadt"
crs = "EPSG:25833"
geometrie_version = "Test-LOR 2021"

[begriffe]
einheit = {{ name = "Bezirk", mehrzahl = "Bezirke", genus = "m" }}
gebiet = {{ name = "Planungsraum", mehrzahl = "Planungsräume", genus = "m" }}
reihe = "Monitoring"
ausgabe = "MSS 2021"

[[sozialraeume]]
id = "01"
name = "Mitte"
slug = "mitte"

[[sozialraeume]]
id = "02"
name = "Ost"
slug = "ost"

[[indikatoren]]
id = "s1"
label = "Arbeitslosigkeit"
kurz = "Arbeitslosigkeit"
eingabe = "anteil"
veraenderung = "veroeffentlicht"
spalten = {{ anteil = "S1", veraenderung = "D1" }}

[[indikatoren]]
id = "s3"
label = "Transferbezug"
kurz = "Transfer"
eingabe = "anteil"
veraenderung = "veroeffentlicht"
spalten = {{ anteil = "S3", veraenderung = "D3" }}

[methode]
jahre = [2020]
berichtsjahr = 2020
vergleichsjahr = 2018
kombination = "summe"
erneut_standardisieren = true
mindestbevoelkerung = {mindest}

[methode.status]
schwellen = [-1.0, 1.0]
labels = ["hoch", "mittel", "niedrig"]
farben = ["#eeeeee", "#999999", "#333333"]

[methode.dynamik]
schwellen = [-1.0, 1.0]
labels = ["positiv", "stabil", "negativ"]
farben = ["#2166ac", "#f7f7f7", "#b2182b"]

[eingaben.geometrie]
datei = "plr.gpkg"
spalten = {{ quartier_id = "PLR_ID", quartier = "PLR_NAME", sozialraum_id = "BEZ" }}

[eingaben.bevoelkerung]
datei = "indizes.csv"
spalten = {{ quartier_id = "PLR_ID", einwohner = "EW" }}
jahr = 2020
fehlwerte = {fehlwerte_ew}

[eingaben.indikatoren]
datei = "indikatoren.csv"
form = "breit"
spalten = {{ quartier_id = "PLR_ID" }}
jahr = 2020
fehlwerte = {fehlwerte}
{gueltigkeit}
"""

GUELTIGKEIT = 'gueltigkeit = { spalte = "KOM", gueltig = ["gültig"] }'


def make(
    tmp_path: Path,
    *,
    areas: list[tuple[str, ...]] | None = None,
    indikatoren_header: str = "ZEIT,PLR_ID,PLR_NAME,EW,S1,S3,D1,D3,KOM",
    mindest: int = 0,
    fehlwerte: str = '["-9999"]',
    fehlwerte_ew: str = '["-9999", ""]',
    gueltigkeit: str = GUELTIGKEIT,
) -> Path:
    areas = AREAS if areas is None else areas
    geoms = [box(i * 1000, 0, i * 1000 + 1000, 1000) for i in range(len(areas))]
    gpd.GeoDataFrame(
        {
            "PLR_ID": [a[0] for a in areas],
            "PLR_NAME": [a[1] for a in areas],
            "BEZ": [a[2] for a in areas],
        },
        geometry=geoms,
        crs="EPSG:25833",
    ).to_file(tmp_path / "plr.gpkg")
    rows = [indikatoren_header]
    for plr, name, _bez, ew, s1, s3, d1, d3, kom in areas:
        rows.append(f'202012,"{plr}",{name},{ew},{s1},{s3},{d1},{d3},{kom}')
    (tmp_path / "indikatoren.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    ind = ["ZEIT,PLR_ID,PLR_NAME,EW,BEZ_ID,KOM"]
    ind += [f'202012,"{a[0]}",{a[1]},{a[3]},"{a[2]}",{a[8]}' for a in areas]
    (tmp_path / "indizes.csv").write_text("\n".join(ind) + "\n", encoding="utf-8")
    cfg = tmp_path / "stadt.toml"
    cfg.write_text(
        CONFIG.format(
            mindest=mindest, fehlwerte=fehlwerte, fehlwerte_ew=fehlwerte_ew, gueltigkeit=gueltigkeit
        ),
        encoding="utf-8",
    )
    return cfg


def problems(report, schwere="Fehler"):
    return [str(p) for p in report.problems if p.schwere == schwere]


def test_wide_published_layout_validates_without_any_transformation(tmp_path):
    report = validate(load_config(make(tmp_path)))
    assert problems(report) == []
    assert "2 Bezirke, 7 Planungsräume, Jahr 2020" in report.summary
    # the name used twice is a warning, the id joins the files
    assert any('"Schloßstraße" steht für 2 Gebiete' in p for p in problems(report, "Warnung"))


def test_validity_column_excludes_with_its_own_reason_once(tmp_path):
    result = prepare(load_config(make(tmp_path, mindest=300))).result
    idx = result.index.set_index("quartier_id")
    # the listed reason from KOM wins over the population rule (EW 21 < 300, EW empty)
    assert idx.loc["02100106", "ausschluss_grund"] == "ungültig (EW unter 300)"
    assert idx.loc["02100107", "ausschluss_grund"] == "ungültig (EW unter 300)"
    assert idx.loc["02100106", "status_klasse"] == "nicht bewertet"
    assert idx["ausgeschlossen"].sum() == 2
    # excluded areas take no part in the standardisation
    z = result.werte.set_index(["quartier_id", "indikator"])["z"]
    assert math.isnan(z.loc[("02100106", "s1")])
    valid = result.werte[~result.werte["quartier_id"].isin(["02100106", "02100107"])]
    assert valid.groupby("indikator")["z"].mean().abs().max() < 1e-9


def test_published_change_drives_dynamics_without_an_earlier_year(tmp_path):
    result = prepare(load_config(make(tmp_path))).result
    ver = result.veraenderung.set_index(["quartier_id", "indikator"])
    assert ver.loc[("01100101", "s1"), "veraenderung_pp"] == pytest.approx(1.4)
    assert ver.loc[("02100104", "s3"), "veraenderung_pp"] == pytest.approx(-0.4)
    assert bool(ver.loc[("01100101", "s1"), "veraenderung_veroeffentlicht"])
    assert math.isnan(ver.loc[("01100101", "s1"), "anteil_vergleichsjahr"])  # nothing invented
    d = result.index.set_index("quartier_id")["dynamik_klasse"]
    assert set(d.drop(["02100106", "02100107"])) <= {"positiv", "stabil", "negativ"}


def test_sentinel_in_a_valid_area_gives_keine_angabe_with_reason(tmp_path):
    areas = list(AREAS)
    areas[2] = ("01100103", "Lützowstraße", "01", "5000", "-9999", "12.1", "-0.3", "1.1", "gültig")
    result = prepare(load_config(make(tmp_path, areas=areas))).result
    row = result.index.set_index("quartier_id").loc["01100103"]
    assert row["status_klasse"] == "keine Angabe"
    assert row["ausschluss_grund"] == "kein Wert 2020 für Arbeitslosigkeit"
    assert not row["ausgeschlossen"]


def test_undeclared_empty_cell_is_an_error_with_the_fix(tmp_path):
    areas = list(AREAS)
    areas[2] = ("01100103", "Lützowstraße", "01", "5000", "", "12.1", "-0.3", "1.1", "gültig")
    report = validate(load_config(make(tmp_path, areas=areas)))
    (p,) = problems(report)
    assert p.split("/")[-1].startswith('indikatoren.csv, Zeile 4, Spalte "S1": Der Wert fehlt')
    assert 'fehlwerte = [""]' in p


def test_undeclared_sentinel_is_named_as_out_of_range(tmp_path):
    report = validate(load_config(make(tmp_path, fehlwerte="[]", gueltigkeit="")))
    found = problems(report)
    assert any(
        'Zeile 7, Spalte "S1": "-9999" liegt außerhalb des erlaubten Bereichs' in p for p in found
    )


def test_missing_rows_accepted_for_areas_excluded_by_population(tmp_path):
    # without a validity column, an area below mindestbevoelkerung may lack its indicator rows
    areas = [a for a in AREAS if a[0] != "02100107"]
    cfg = make(tmp_path, areas=areas, mindest=300, gueltigkeit="")
    rows = (tmp_path / "indikatoren.csv").read_text(encoding="utf-8").splitlines()
    (tmp_path / "indikatoren.csv").write_text(
        "\n".join(r for r in rows if "02100106" not in r) + "\n", encoding="utf-8"
    )
    report = validate(load_config(cfg))
    assert problems(report) == []
    idx = prepare(load_config(cfg)).result.index.set_index("quartier_id")
    assert idx.loc["02100106", "ausschluss_grund"] == "weniger als 300 Einwohner*innen"


def test_misspelt_column_in_config_names_file_and_suggests(tmp_path):
    report = validate(
        load_config(make(tmp_path, indikatoren_header="ZEIT,PLR_ID,PLR_NAME,EW,S_1,S3,D1,D3,KOM"))
    )
    (p,) = problems(report)
    assert p.split("/", 1)[1] == (
        'indikatoren.csv, Zeile 1, Spalte "S1": Die Spalte "S1" (Anteil des Indikators "s1", '
        "laut Konfiguration [[indikatoren]] s1 spalten.anteil) fehlt in der Datei. Erwartet: "
        'eine Spalte dieses Namens; gefunden: "ZEIT", "PLR_ID", "PLR_NAME", "EW", "S_1", "S3", '
        '"D1", "D3", "KOM". Meinten Sie "S_1"?'
    )


def test_long_layout_with_published_change_column(tmp_path):
    (tmp_path / "breit").mkdir()
    (tmp_path / "lang").mkdir()
    wide = prepare(load_config(make(tmp_path / "breit"))).result.index
    tmp_path = tmp_path / "lang"
    cfg = make(tmp_path)
    text = cfg.read_text(encoding="utf-8")
    text = text.replace('form = "breit"\n', "").replace(
        'datei = "indikatoren.csv"', 'datei = "lang.csv"'
    )
    text = text.replace('spalten = { anteil = "S1", veraenderung = "D1" }\n', "")
    text = text.replace('spalten = { anteil = "S3", veraenderung = "D3" }\n', "")
    cfg.write_text(text, encoding="utf-8")
    lines = ["PLR_ID;indikator;anteil;veraenderung;KOM"]
    for plr, _n, _b, _ew, s1, s3, d1, d3, kom in AREAS:
        lines.append(f"{plr};s1;{s1};{d1};{kom}".replace(".", ","))
        lines.append(f"{plr};s3;{s3};{d3};{kom}".replace(".", ","))
    (tmp_path / "lang.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    long = prepare(load_config(cfg)).result.index
    assert long["status_klasse"].tolist() == wide["status_klasse"].tolist()
    assert long["dynamik_klasse"].tolist() == wide["dynamik_klasse"].tolist()
