"""JSON inputs: a list of records, or records under a key, read like a CSV table.

The end-to-end tests reuse the Berlin-shaped mini city of ``test_adapt`` (wide table, own column
names, ``-9999``, a validity column) and give its tables as JSON instead of CSV.
"""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pytest
from fixtures_city import quartiere_gdf
from test_adapt import AREAS, make

from sozialraum.compute.store import prepare
from sozialraum.config import load_config
from sozialraum.read.geometry import read_geometry
from sozialraum.read.io import read_table
from sozialraum.read.problems import ReadError
from sozialraum.read.validate import validate
from sozialraum.read.values import parse_number

ENGLISH = re.compile(r"Expecting|delimiter|property name|Extra data|line \d|column \d|char \d")


def _write(tmp_path, data, name="t.json"):
    p = tmp_path / name
    p.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return p


def _read_error(path, **kwargs) -> str:
    with pytest.raises(ReadError) as info:
        read_table(path, **kwargs)
    text = str(info.value)
    assert not ENGLISH.search(text), text
    return text


# -- the reader ------------------------------------------------------------------------------
def test_a_list_of_records_becomes_a_text_table_numbered_by_record(tmp_path):
    p = _write(
        tmp_path,
        [
            {"Quartier ID": "01", "Anteil": 12.5, "Jahr": 2023, "neu": True},
            {"Quartier ID": "02", "Anteil": None, "Jahr": 2023.0},
        ],
    )
    raw = read_table(p)
    assert list(raw.df.columns) == ["quartier_id", "anteil", "jahr", "neu"]
    assert raw.df.to_numpy().tolist() == [["01", "12.5", "2023", "ja"], ["02", "", "2023", ""]]
    assert raw.zeilen == [2, 3] and raw.ort == "Datensatz"
    assert raw.position(3) == "Datensatz 2"
    assert raw.spalten["quartier_id"] == "Quartier ID"


def test_german_decimal_commas_in_strings_and_json_numbers_agree(tmp_path):
    p = _write(tmp_path, [{"a": "12,5", "b": 0.1}, {"a": "1.234,5", "b": 3}])
    raw = read_table(p)
    assert raw.decimal == ","
    values = [parse_number(v, raw.decimal).value for v in raw.df.to_numpy().ravel()]
    assert values == [12.5, 0.1, 1234.5, 3.0]


def test_small_and_large_floats_are_written_without_exponent(tmp_path):
    raw = read_table(_write(tmp_path, [{"a": 1e-05, "b": 12345678.25}]))
    assert raw.df.iloc[0].tolist() == ["0.00001", "12345678.25"]


def test_records_under_a_key_path(tmp_path):
    p = _write(tmp_path, {"meta": {"stand": "2024"}, "daten": {"gebiete": [{"id": "A"}]}})
    raw = read_table(p, datensaetze="daten.gebiete")
    assert raw.df["id"].tolist() == ["A"]


def test_missing_key_path_lists_the_keys_that_exist(tmp_path):
    p = _write(tmp_path, {"daten": {"gebiet": [{"id": "A"}], "quelle": "Amt"}})
    text = _read_error(p, datensaetze="daten.gebiete")
    assert (
        'Der Schlüssel „gebiete“ (laut Konfiguration datensaetze = "daten.gebiete") fehlt' in text
    )
    assert "unter „daten“" in text and "gebiet, quelle" in text
    assert 'Meinten Sie "gebiet"?' in text


def test_an_object_without_datensaetze_names_the_key_path_to_configure(tmp_path):
    p = _write(tmp_path, {"meta": {}, "daten": {"gebiete": [{"id": "A"}]}})
    text = _read_error(p)
    assert "ein einzelnes Objekt, keine Liste von Datensätzen" in text
    assert 'datensaetze = "daten.gebiete" angeben' in text


def test_a_geojson_given_as_table_points_to_the_geometry_input(tmp_path):
    p = _write(tmp_path, {"type": "FeatureCollection", "features": []})
    assert "[eingaben] geometrie" in _read_error(p)


def test_a_record_that_is_no_object_is_named_by_number(tmp_path):
    text = _read_error(_write(tmp_path, [{"id": "A"}, ["B", 2]]))
    assert "Datensatz 2 ist eine Liste [ … ], kein Objekt" in text


def test_not_a_list_at_all(tmp_path):
    assert "ein Text, keine Liste von Datensätzen" in _read_error(_write(tmp_path, "abc"))
    assert "Die Liste der Datensätze ist leer" in _read_error(_write(tmp_path, []))


def test_nested_value_is_a_problem_of_record_and_key(tmp_path):
    raw = read_table(_write(tmp_path, [{"id": "A", "x": 1}, {"id": "B", "x": {"wert": 2}}]))
    (p,) = raw.probleme
    assert str(p).startswith('t.json, Datensatz 2, Schlüssel "x": Der Wert ist ein Objekt { … }')
    assert raw.df["x"].tolist() == ["1", ""]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('[{"id": "A"},\n {"id": "B" "x": 1}]', "Zeile 2, Zeichen 13 fehlt ein Komma"),
        ('[{"id": "A",}]', "Zeile 1, Zeichen 13 wird ein Schlüssel in doppelten"),
        ('[{"id": "A"}', "Zeile 1, Zeichen 13 fehlt ein Komma"),
        ('[{"id": "A}]', "Zeile 1, Zeichen 9 beginnt ein Text, dessen Anführungszeichen nie"),
        ('[{"id": "A"}] x', "Zeile 1, Zeichen 15 folgt nach dem Ende der Daten"),
        ('[{"id": "A\\x"}]', "Zeile 1, Zeichen 11 steht ein ungültiges Zeichen nach einem"),
    ],
)
def test_invalid_json_says_where_in_german(tmp_path, text, where):
    p = tmp_path / "t.json"
    p.write_text(text, encoding="utf-8")
    assert "Die Datei ist kein gültiges JSON: in " + where in _read_error(p)


def test_datensaetze_for_a_csv_file_is_an_error(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("a;b\n1;2\n", encoding="utf-8")
    assert "gilt nur für JSON-Dateien" in _read_error(p, datensaetze="daten")


def test_json_in_a_csv_file_suggests_renaming(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text('[{"a": 1}]', encoding="utf-8")
    assert "in .json umbenennen" in _read_error(p)


def test_a_geojson_named_json_is_still_read_as_geometry(tmp_path):
    path = tmp_path / "quartiere.json"
    quartiere_gdf().to_file(path, driver="GeoJSON")
    gdf, _ = read_geometry(path, "EPSG:25832")
    assert isinstance(gdf, gpd.GeoDataFrame) and len(gdf) == 4


# -- a whole city from JSON ------------------------------------------------------------------
def _as_json(tmp_path, *, nested=False):
    """The mini city of test_adapt with both tables as JSON (numbers as numbers, some as text)."""
    cfg = make(tmp_path)
    records = []
    for plr, name, _bez, ew, s1, s3, d1, d3, kom in AREAS:
        records.append(
            {
                "ZEIT": 202012,
                "PLR_ID": plr,
                "PLR_NAME": name,
                "EW": int(ew) if ew else None,
                "S1": s1.replace(".", ","),  # text with a German decimal comma
                "S3": float(s3),
                "D1": float(d1),
                "D3": {"wert": float(d3)} if nested and plr == "01100102" else float(d3),
                "KOM": kom,
            }
        )
    _write(tmp_path, {"stand": "2020", "daten": {"gebiete": records}}, "indikatoren.json")
    _write(tmp_path, records, "indizes.json")
    text = cfg.read_text(encoding="utf-8")
    text = text.replace(
        'datei = "indikatoren.csv"', 'datei = "indikatoren.json"\ndatensaetze = "daten.gebiete"'
    ).replace('datei = "indizes.csv"', 'datei = "indizes.json"')
    (tmp_path / "indikatoren.csv").unlink()
    (tmp_path / "indizes.csv").unlink()
    json_cfg = tmp_path / "json.toml"
    json_cfg.write_text(text, encoding="utf-8")
    return json_cfg


def test_a_city_from_json_gives_the_same_index_as_from_csv(tmp_path):
    (tmp_path / "csv").mkdir()
    (tmp_path / "json").mkdir()
    csv_result = prepare(load_config(make(tmp_path / "csv"))).result
    cfg = _as_json(tmp_path / "json")
    report = validate(load_config(cfg))
    assert report.fehler == [], report.text()
    json_result = prepare(load_config(cfg)).result
    cols = ["quartier_id", "status_klasse", "dynamik_klasse", "ausschluss_grund"]
    assert json_result.index[cols].equals(csv_result.index[cols])
    z_json = json_result.werte.set_index(["quartier_id", "indikator"])["z"]
    z_csv = csv_result.werte.set_index(["quartier_id", "indikator"])["z"]
    assert z_json.round(9).equals(z_csv.round(9))
    # the sentinel -9999 (a JSON number) was declared missing, as in the CSV file
    assert json_result.index.set_index("quartier_id").loc["02100106", "status_klasse"] == (
        "nicht bewertet"
    )


def test_problems_in_a_json_table_name_the_record_and_the_key(tmp_path):
    report = validate(load_config(_as_json(tmp_path, nested=True)))
    found = [str(p).split("/")[-1] for p in report.fehler]
    nested = 'Datensatz 2, Schlüssel "D3": Der Wert ist ein Objekt { … }'
    assert f"indikatoren.json, {nested}" in "\n".join(found)
    assert f"indizes.json, {nested}" in "\n".join(found)
    # checks after reading (here: the published change is missing) speak of records as well
    assert any(
        p.startswith('indikatoren.json, Datensatz 2, Schlüssel "D3": Die ver') for p in found
    )
    assert not any("Zeile" in p.split(":")[0] or "Spalte" in p.split(":")[0] for p in found)
