"""``sozialraum init FOLDER``: a proposal that validates and renders, from files alone.

Three folders: a copy of the sample's files, a synthetic city as German Excel writes it (wide,
``;``, decimal comma, Windows-1252, ids with leading zeros, years as columns) and Berlin's
published MSS 2021 (symlinks: init writes its proposal into the folder, never beside the
originals). Each proposal must pass ``validate`` and render a report; the detection is checked
on small columns of known shape.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from shapely.geometry import box
from stadtgenerator import ENGLISCH

from conftest import ROOT
from sozialraum.cli import main
from sozialraum.config import load_config
from sozialraum.init import VORSCHLAG, erkennen, init
from sozialraum.init_erkennen import einheit_aus_id, spalte_lesen
from sozialraum.init_lesen import InitFehler, lies_tabelle
from sozialraum.publish.batch import run_batch
from sozialraum.read.validate import validate

BERLIN = ROOT.parent / "shared" / "real" / "berlin-mss-2021"

#: The synthetic city: area id, name (with umlauts), Bezirk id, Bezirk name.
GEBIETE = [
    (f"{b:02d}{g:02d}", f"{name} {g}", f"{b:02d}", bezirk)
    for b, (name, bezirk) in enumerate(
        [("Mühlenviertel", "Nord"), ("Südhang", "Süd"), ("Östliche Aue", "Ost")], 1
    )
    for g in range(1, 5)
]


def _render_one(cfg_path: Path, out: Path | None = None):
    from sozialraum.publish.batch import run_batch

    cfg = load_config(cfg_path)
    result = run_batch(
        cfg,
        sozialraeume=[cfg.sozialraeume[0].name],
        gesamtstadt=False,
        out=out,
        jobs=1,
        progress=False,
    )
    assert result.render.ok, [f.message for f in result.render.failed]
    return cfg, result


def _valid(cfg_path: Path):
    report = validate(load_config(cfg_path))
    assert report.ok, report.text()
    return report


def synthetic_city(folder: Path, *, with_units: bool = True) -> Path:
    """A wide CSV as German Excel saves it and a GeoJSON with ids with leading zeros."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["Gebiet-ID;Gebietsname;Einwohner;SGB2_2021;SGB2_2022;Kinderarmut_2021;Kinderarmut_2022"]
    for i, (gid, name, _, _) in enumerate(GEBIETE):
        sgb = [f"{5 + i * 1.3:.1f}", f"{5.4 + i * 1.25:.1f}"]
        kind = [f"{12 + (i * 7) % 23:.2f}", f"{11.5 + (i * 5) % 21:.2f}"]
        if i == 3:
            kind[1] = "."  # the office's marker for "no value"
        if i == 5:
            sgb[0] = "–"
        cells = [gid, name, str(900 + 250 * i), *sgb, *kind]
        rows.append(";".join(c.replace(".", ",") if c[0].isdigit() else c for c in cells))
    (folder / "indikatoren.csv").write_bytes(("\r\n".join(rows) + "\r\n").encode("cp1252"))
    geo = {
        "gebiet_id": [g[0] for g in GEBIETE],
        "name": [g[1] for g in GEBIETE],
        "geometry": [box(i * 1000, 0, i * 1000 + 1000, 1000) for i in range(len(GEBIETE))],
    }
    if with_units:
        geo["Bezirk"] = [g[2] for g in GEBIETE]
        geo["Bezirksname"] = [g[3] for g in GEBIETE]
    else:
        geo["stand"] = ["2024-01-01"] * len(GEBIETE)
    gdf = gpd.GeoDataFrame(geo, crs="EPSG:25832")
    gdf["geometry"] = gdf.geometry.translate(350_000, 5_705_000)
    gdf.to_file(folder / "gebiete.geojson", driver="GeoJSON")
    return folder


# --- the three folders --------------------------------------------------------------------
def test_the_samples_files_give_a_proposal_that_validates_and_renders(tmp_path):
    folder = tmp_path / "stadt"
    folder.mkdir()
    for rel in ("data/indikatoren.csv", "data/bevoelkerung.csv", "geo/sozialquartiere.geojson"):
        shutil.copy(ROOT / rel, folder)
    path, erk = init(folder)
    assert path == folder / VORSCHLAG
    assert erk.indikatoren.quelle.name == "indikatoren.csv" and erk.indikatoren.lang
    assert erk.jahre == [2017, 2020, 2023] and erk.vergleichsjahr == 2020
    assert erk.bevoelkerung is not None and erk.bevoelkerung[1] == "einwohner"
    cfg = load_config(path)
    assert [s.id for s in cfg.sozialraeume] == ["1", "2", "3", "4", "5", "6"]
    assert {i.id for i in cfg.indikatoren} >= {"sgb2", "kinderarmut"}
    assert all(i.eingabe == "anzahl" and i.dynamik for i in cfg.indikatoren)
    _valid(path)
    _, result = _render_one(path, out=tmp_path / "out")
    assert (tmp_path / "out" / "2023" / "sozialraum-1.html").is_file()


def test_a_german_excel_folder_is_read_as_it_is_and_renders(tmp_path):
    folder = synthetic_city(tmp_path / "musterstadt")
    path, erk = init(folder)
    q = erk.indikatoren.quelle
    assert (q.encoding, q.trennzeichen, q.dezimal, q.bom) == ("cp1252", ";", ",", False)
    assert erk.geo_id == "gebiet_id" and erk.indikatoren.id_spalte == "Gebiet-ID"
    assert erk.berichtsjahr == 2022
    assert [v.spalten["anteil"] for v in erk.indikatorvorschlaege] == [
        "SGB2_2022",
        "Kinderarmut_2022",
    ]
    assert not erk.mit_dynamik  # years as columns: today only the latest year is read
    text = path.read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    assert raw["eingaben"]["indikatoren"]["fehlwerte"] == ["."]
    assert raw["eingaben"]["bevoelkerung"]["spalten"]["einwohner"] == "Einwohner"
    assert [(s["id"], s["name"]) for s in raw["sozialraeume"]] == [
        ("01", "Nord"),
        ("02", "Süd"),
        ("03", "Ost"),
    ]
    assert "prüfen: richtung" in text and "# " in text.splitlines()[0]
    _valid(path)
    cfg, _ = _render_one(path)  # no [bericht]: the workbook's notebooks, berichte/ beside it
    page = folder / "berichte" / "2022" / f"{cfg.sozialraeume[0].slug}.html"
    assert page.is_file()
    assert "Mühlenviertel 1" in page.read_text(encoding="utf-8")


@pytest.mark.slow
def test_berlins_published_folder_gets_a_proposal_that_validates_and_renders(tmp_path):
    assert BERLIN.is_dir(), f"Berlin's published files are expected in {BERLIN}"
    folder = tmp_path / "berlin"
    folder.mkdir()
    for f in BERLIN.iterdir():
        (folder / f.name).symlink_to(f)
    path, erk = init(folder)
    assert not (BERLIN / VORSCHLAG).exists()
    assert erk.indikatoren.quelle.name == "mss_2021_index_indikatoren.csv"
    assert [v.spalten for v in erk.indikatorvorschlaege] == [
        {"anteil": "S1", "veraenderung": "D1"},
        {"anteil": "S3", "veraenderung": "D3"},
        {"anteil": "S4", "veraenderung": "D4"},
    ]
    assert erk.einheiten.spalte == "BEZ" and len(erk.einheiten.ids) == 12
    assert erk.indikatoren.gueltigkeit == ("KOM", ["gültig"])
    assert erk.crs == "EPSG:25833" and erk.berichtsjahr == 2020
    report = _valid(path)
    assert "6 laut Daten oder Konfiguration nicht bewertet" in report.text()
    _render_one(path, out=tmp_path / "out")
    assert (tmp_path / "out" / "2020" / "sozialraum-01.html").is_file()


# --- what init refuses --------------------------------------------------------------------
def test_an_existing_proposal_is_never_overwritten(tmp_path):
    folder = synthetic_city(tmp_path / "stadt")
    (folder / VORSCHLAG).write_text("# meine Konfiguration\n", encoding="utf-8")
    with pytest.raises(InitFehler, match="gibt es schon; init überschreibt keine"):
        init(folder)
    assert (folder / VORSCHLAG).read_text(encoding="utf-8") == "# meine Konfiguration\n"


def test_a_folder_without_geometry_says_that_the_geometry_is_missing(tmp_path):
    folder = synthetic_city(tmp_path / "stadt")
    (folder / "gebiete.geojson").unlink()
    with pytest.raises(InitFehler, match="fehlt eine Geometrie der Gebiete") as exc:
        init(folder)
    assert "Shapefile" in str(exc.value)
    assert not (folder / VORSCHLAG).exists()


def test_a_folder_without_numbers_says_that_a_table_of_numbers_is_missing(tmp_path):
    folder = synthetic_city(tmp_path / "stadt")
    (folder / "indikatoren.csv").write_text(
        "Gebiet-ID;Gebietsname\n" + "".join(f"{g[0]};{g[1]}\n" for g in GEBIETE),
        encoding="utf-8",
    )
    with pytest.raises(InitFehler, match="fehlt eine Tabelle mit Zahlen je Gebiet"):
        init(folder)
    (folder / "indikatoren.csv").unlink()
    with pytest.raises(InitFehler, match="fehlt eine Tabelle mit Zahlen je Gebiet"):
        init(folder)
    assert not (folder / VORSCHLAG).exists()


def test_the_command_prints_what_it_guessed_and_fails_in_german(tmp_path):
    folder = synthetic_city(tmp_path / "stadt")
    result = CliRunner().invoke(main, ["init", str(folder)])
    assert result.exit_code == 0, result.output
    assert "Spalte SGB2_2022 als Anteil in Prozent gelesen (Werte" in result.output
    assert "— prüfen: richtung" in result.output
    assert "Einheiten aus Spalte Bezirk der Geometrie (3 Werte)" in result.output
    assert "Vorschlag geschrieben" in result.output
    again = CliRunner().invoke(main, ["init", str(folder)])
    assert again.exit_code == 1 and "überschreibt keine Konfiguration" in again.output
    assert "Traceback" not in again.output


# --- detection --------------------------------------------------------------------------
def test_units_encoded_in_the_ids_are_found_when_the_geometry_has_no_unit_column(tmp_path):
    folder = synthetic_city(tmp_path / "stadt", with_units=False)
    erk = erkennen(folder)
    assert erk.einheiten.aus_id == (2, 3)  # "01" + "01": Bezirk, then area
    assert erk.einheiten.art == "id" and erk.einheiten.ids == ["01", "02", "03"]
    path, _ = init(folder)
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    assert raw["einheiten"] == {"aus": "id", "stellen": 2}
    assert "sozialraum_id" not in raw["eingaben"]["geometrie"]["spalten"]
    report = _valid(path)
    quartiere = report.inputs.quartiere.set_index("quartier_id")["sozialraum_id"]
    assert quartiere["0203"] == "02" and quartiere["0301"] == "03"


def test_a_city_without_any_larger_unit_is_one_report(tmp_path):
    folder = synthetic_city(tmp_path / "stadt", with_units=False)
    gdf = gpd.read_file(folder / "gebiete.geojson")
    gdf["gebiet_id"] = [f"G{k:03d}" for k in (7, 2, 9, 4, 1, 12, 3, 8, 5, 11, 6, 10)]
    (folder / "gebiete.geojson").unlink()
    gdf.to_file(folder / "gebiete.geojson", driver="GeoJSON")
    text = (folder / "indikatoren.csv").read_bytes().decode("cp1252")
    for old, new in zip(GEBIETE, gdf["gebiet_id"], strict=True):
        text = text.replace(old[0] + ";", new + ";", 1)
    (folder / "indikatoren.csv").write_bytes(text.encode("cp1252"))
    path, erk = init(folder)
    assert erk.einheiten.art == "keine"
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    assert raw["einheiten"] == {"aus": "keine"} and "sozialraeume" not in raw
    _valid(path)


@pytest.mark.parametrize(
    ("werte", "art"),
    [
        (["0,5", "38,2", "12,0", "7,3"], "anteil"),
        (["-1,2", "0,3", "1,1", "-0,4", "0,9", "-0,7"], "z"),
        (["1", "2", "3", "4", "2", "1"], "klasse"),
        (["120", "4500", "980", "13"], "anzahl"),
        (["-2,5", "3,0", "-6,0", "4,5", "0,1"], "veraenderung"),
    ],
)
def test_a_column_is_judged_by_its_values(werte, art):
    assert spalte_lesen("x", pd.Series(werte), ",").art == art


def test_markers_for_no_value_are_found_and_text_is_no_number():
    s = spalte_lesen("S1", pd.Series(["4,2", "-9999", "8,0", "–", ""]), ",")
    assert s.art == "anteil" and s.fehlwerte == ["-9999", "–"] and s.leer == 1
    assert spalte_lesen("Name", pd.Series(["Altstadt", "Hafen", "3"]), ",") is None


def test_the_id_prefix_of_a_hierarchy_is_found_and_flat_ids_have_none():
    ids = [f"{b:02d}{g:03d}" for b in range(1, 6) for g in range(1, 7)]
    assert einheit_aus_id(ids) == (2, 5)
    assert einheit_aus_id([f"{i:03d}" for i in range(1, 10)]) is None


def test_json_records_under_a_key_are_read_with_their_key(tmp_path):
    path = tmp_path / "atlas.json"
    records = [{"id": "001", "anteil": 3.5, "name": "Hafen"}, {"id": "002", "anteil": 7}]
    path.write_text(json.dumps({"meta": {}, "daten": {"gebiete": records}}), encoding="utf-8")
    q = lies_tabelle(path)
    assert q.json_pfad == "daten.gebiete" and q.format == "JSON"
    assert list(q.df["id"]) == ["001", "002"] and list(q.df["anteil"]) == ["3.5", "7"]


def _nur_index(folder: Path, *, klasse: bool = True, wert: bool = True) -> Path:
    """A folder whose office publishes only a finished index: geometry and one index table."""
    folder = synthetic_city(folder)
    (folder / "indikatoren.csv").unlink()
    zs = [-1.5, -1.0, -0.6, -0.3, 0.0, 0.2, 0.4, 0.7, 1.0, 1.3, -0.2, 0.0]
    kopf = ["ID", "Name", "Einwohner"] + ["Index"] * wert + ["Klasse"] * klasse
    rows = [";".join(kopf)]
    for k, ((gid, name, _, _), z) in enumerate(zip(GEBIETE, zs, strict=True)):
        cells = [gid, name, str(900 + 250 * k)] + [f"{z:.2f}".replace(".", ",")] * wert
        rows.append(";".join(cells + [str(min(4, int((z + 1.6) / 0.8) + 1))] * klasse))
    (folder / "sozialindex_2023.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def test_a_folder_with_only_a_published_index_gets_a_proposal_that_renders(tmp_path):
    folder = _nur_index(tmp_path / "stadt")
    path, erk = init(folder)
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    assert "indikatoren" not in raw and "indikatoren" not in raw["eingaben"]
    assert "dynamik" not in raw["methode"] and "vergleichsjahr" not in raw["methode"]
    status = raw["methode"]["status"]
    # the classes are what the office published: preferred over thresholds on the score
    assert status["quelle"] == "klasse" and status["spalte"] == "Klasse"
    assert status["klassenwerte"] == ["1", "2", "3", "4"]
    assert status["labels"] == ["Klasse 1", "Klasse 2", "Klasse 3", "Klasse 4"]
    assert raw["eingaben"]["index"]["datei"] == "sozialindex_2023.csv"
    assert raw["eingaben"]["index"]["spalten"] == {"quartier_id": "ID"}
    assert any("Spalte Index" in p and 'quelle = "wert"' in p for p in erk.pruefen)
    _valid(path)
    cfg = load_config(path)
    result = run_batch(
        cfg, sozialraeume=[cfg.sozialraeume[0].name], gesamtstadt=True, jobs=1, progress=False
    )  # one report of a unit and the city report, in one render
    assert result.render.ok, [f.message for f in result.render.failed]
    jahr = folder / "berichte" / str(cfg.methode.berichtsjahr)
    for name in (f"{cfg.sozialraeume[0].slug}.html", "gesamtstadt.html", "index.html"):
        soup = BeautifulSoup((jahr / name).read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(["style", "script"]):
            tag.decompose()
        seite = soup.get_text(" ")
        assert ENGLISCH.search(seite) is None, (name, ENGLISCH.search(seite))
        assert "Die Indikatoren im Einzelnen" not in seite and "Indikatoren des" not in seite
        if name == "index.html":
            continue
        assert "Klasse 1" in seite and "Klasse 4" in seite, name  # map legend and table
        assert "wie veröffentlicht übernommen" in seite and "Indikatorwerte liegen" in seite
        assert "z-standardisiert" not in seite and "0 Indikatoren" not in seite


def test_a_published_score_alone_is_classed_by_standard_deviations(tmp_path):
    folder = _nur_index(tmp_path / "stadt", klasse=False)
    path, erk = init(folder)
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    status = raw["methode"]["status"]
    assert status["quelle"] == "wert" and status["spalte"] == "Index"
    assert status["schwellen_typ"] == "standardabweichung" and status["schwellen"] == [-1.0, 1.0]
    assert len(status["labels"]) == len(status["farben"]) == 3
    assert "indikatoren" not in raw
    _valid(path)


def test_published_classes_alone_are_taken_over_for_checking(tmp_path):
    folder = _nur_index(tmp_path / "stadt", wert=False)
    path, erk = init(folder)
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    assert raw["methode"]["status"]["quelle"] == "klasse"
    zeilen = path.read_text(encoding="utf-8").splitlines()
    for key in ("klassenwerte = ", "labels = "):
        zeile = next(z for z in zeilen if z.startswith(key))
        assert "prüfen" in zeile, zeile
    _valid(path)


def test_an_excel_table_is_read_and_named_as_excel(tmp_path):
    folder = synthetic_city(tmp_path / "stadt")
    table = pd.DataFrame(
        {"Gebiet-ID": [g[0] for g in GEBIETE], "Quote": [2.5 + i for i in range(len(GEBIETE))]}
    )
    (folder / "indikatoren.csv").unlink()
    table.to_excel(folder / "quoten.xlsx", index=False)
    erk = erkennen(folder)
    q = erk.indikatoren.quelle
    assert q.name == "quoten.xlsx" and q.format == "Excel (XLSX)" and q.encoding is None
    assert erk.indikatoren.id_spalte == "Gebiet-ID"  # Excel keeps the text "0101"
    assert [v.spalten["anteil"] for v in erk.indikatorvorschlaege] == ["Quote"]


def test_ids_that_lost_their_leading_zeros_are_named_as_the_cause(tmp_path):
    folder = synthetic_city(tmp_path / "stadt")
    text = (folder / "indikatoren.csv").read_bytes().decode("cp1252")
    (folder / "indikatoren.csv").write_text(
        "\n".join(line[1:] if line[:1] == "0" else line for line in text.splitlines()),
        encoding="cp1252",
    )
    with pytest.raises(InitFehler, match="stimmen nur ohne führende Nullen überein"):
        init(folder)


def test_a_json_atlas_with_records_under_a_key_gets_a_proposal_that_validates(tmp_path):
    folder = synthetic_city(tmp_path / "atlas")
    (folder / "indikatoren.csv").unlink()
    records = [
        {"gebiet": gid, "name": name, "einwohner": 900 + 250 * i, "sgb2": 5 + i * 1.3,
         "kinderarmut": round(12.4 + (i * 7) % 23 * 1.1, 1)}
        for i, (gid, name, _, _) in enumerate(GEBIETE)
    ]  # fmt: skip
    atlas = {"stand": "2024", "daten": {"gebiete": records}}
    (folder / "sozialatlas_2024.json").write_text(json.dumps(atlas), encoding="utf-8")
    path, erk = init(folder)
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    assert raw["eingaben"]["indikatoren"]["datensaetze"] == "daten.gebiete"
    assert {i["spalten"]["anteil"] for i in raw["indikatoren"]} == {"sgb2", "kinderarmut"}
    _valid(path)


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        ([f"{b:02d}{g:02d}" for b in range(1, 4) for g in range(1, 5)], (2, 3)),
        ([f"{b}{g:03d}" for b in range(1, 6) for g in range(1, 3 + b)], (1, 5)),
        ([f"{k:04d}" for k in range(1, 601)], None),  # running numbers, not units
        ([f"G{k:03d}" for k in range(1, 13)], None),
        ([f"{k:03d}" for k in range(1, 37)], None),
    ],
)
def test_a_unit_in_the_ids_is_a_prefix_whose_rest_is_numbered_anew(ids, expected):
    assert einheit_aus_id(ids) == expected


def test_without_change_data_the_proposal_has_no_dynamics_at_all(tmp_path):
    folder = synthetic_city(tmp_path / "stadt")
    path, erk = init(folder)
    assert not erk.mit_dynamik  # one year of shares, no published change
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    assert "vergleichsjahr" not in raw["methode"] and "dynamik" not in raw["methode"]
    assert not any("dynamik" in i or "veraenderung" in i for i in raw["indikatoren"])
    assert not load_config(path).mit_dynamik
    _valid(path)
