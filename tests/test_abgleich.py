"""``sozialraum abgleich`` against official files that list only some areas, in their own columns.

The official table is made from the mini city's own computed classes (so that it agrees), then
one thing is changed: rows left out, an unknown id, a wrong class, columns without dynamics.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from fixtures_city import make_city

from sozialraum.cli import main
from sozialraum.compute.abgleich import abgleichen
from sozialraum.compute.store import prepare
from sozialraum.config import ConfigError, load_config

SPALTEN_ALLE = (
    'spalten = { quartier_id = "Gebiet", status = "Statusklasse", dynamik = "Dynamik", '
    'kombi = "Status und Dynamik" }'
)


def _city(tmp_path, spalten=SPALTEN_ALLE, datei="amtlich.csv"):
    section = f'\n[abgleich]\ndatei = "../data/{datei}"\n{spalten}\n'
    return make_city(tmp_path, config=lambda t: t + section)


def _official(prepared):
    """The computed classes in the office's own column names, one dict per area."""
    return [
        {
            "Gebiet": r["quartier_id"],
            "Statusklasse": r["status_klasse"],
            "Dynamik": r["dynamik_klasse"],
            "Status und Dynamik": r["kombi_klasse"],
        }
        for r in prepared.result.index.to_dict("records")
    ]


def _write_csv(tmp_path, rows, name="amtlich.csv"):
    header = list(rows[0])
    lines = [";".join(header), *(";".join(r[h] for h in header) for r in rows)]
    (tmp_path / "data" / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def city(tmp_path):
    cfg = load_config(_city(tmp_path))
    return cfg, prepare(cfg)


def test_areas_left_out_of_the_official_file_are_listed_not_failures(tmp_path, city):
    cfg, prepared = city
    rows = [r for r in _official(prepared) if r["Gebiet"] != "02"]
    _write_csv(tmp_path, rows)
    result = abgleichen(cfg, prepared.result)
    assert result.ok, result.text(cfg)
    assert result.nicht_in_datei == [("02", "Lirich-Süd")]
    assert result.bewertet == 3
    assert result.treffer == {"Status": 3, "Dynamik": 3, "Kombination": 3}
    text = result.text(cfg)
    assert (
        'nicht in der amtlichen Datei: 1 Sozialquartiere (nicht verglichen): 02 "Lirich-Süd"'
        in (text)
    )
    assert text.endswith("Ergebnis: stimmt überein.")


def test_the_output_names_the_official_columns_it_read(tmp_path, city):
    cfg, prepared = city
    _write_csv(tmp_path, _official(prepared))
    text = abgleichen(cfg, prepared.result).text(cfg)
    assert (
        'gelesene Spalten der amtlichen Datei: Gebiets-ID = "Gebiet", Status = "Statusklasse", '
        'Dynamik = "Dynamik", Kombination = "Status und Dynamik"'
    ) in text


def test_official_ids_unknown_to_the_inputs_are_reported_and_fail(tmp_path, city):
    cfg, prepared = city
    rows = _official(prepared)
    rows.append({**rows[0], "Gebiet": "99"})
    _write_csv(tmp_path, rows)
    result = abgleichen(cfg, prepared.result)
    assert result.nur_amtlich == ["99"] and result.abweichungen == []
    assert not result.ok
    text = result.text(cfg)
    assert "nur in der amtlichen Datei: 1 IDs, die es in den Eingaben nicht gibt: 99" in text
    assert text.endswith("Ergebnis: 1 unbekannte IDs.")


def test_a_different_class_is_a_disagreement_by_id(tmp_path, city):
    cfg, prepared = city
    rows = _official(prepared)
    wrong = "niedrig" if rows[0]["Statusklasse"] != "niedrig" else "hoch"
    rows[0] = {**rows[0], "Statusklasse": wrong}
    _write_csv(tmp_path, rows)
    result = abgleichen(cfg, prepared.result)
    (a,) = result.abweichungen
    assert (a.quartier_id, a.was, a.veroeffentlicht) == ("01", "Status", wrong)
    assert result.treffer["Status"] == 3


def test_without_dynamics_columns_only_status_is_compared(tmp_path):
    spalten = 'spalten = { quartier_id = "Gebiet", status = "Statusklasse" }'
    cfg = load_config(_city(tmp_path, spalten))
    prepared = prepare(cfg)
    rows = [{k: r[k] for k in ("Gebiet", "Statusklasse")} for r in _official(prepared)]
    _write_csv(tmp_path, rows)
    result = abgleichen(cfg, prepared.result)
    assert result.treffer == {"Status": 4} and result.ok
    assert result.spalten == {"Gebiets-ID": "Gebiet", "Status": "Statusklasse"}


def test_an_empty_status_cell_counts_as_unrated_in_the_publication(tmp_path, city):
    cfg, prepared = city
    rows = _official(prepared)
    rows[1] = {**rows[1], "Statusklasse": "", "Dynamik": "", "Status und Dynamik": ""}
    _write_csv(tmp_path, rows)
    result = abgleichen(cfg, prepared.result)
    assert (result.bewertet, result.nicht_bewertet) == (3, 1)
    # the workbook did rate that area: that is a disagreement, named as such
    (a,) = result.abweichungen
    assert (a.quartier_id, a.was) == ("02", "nicht bewertet")


def test_the_official_file_may_be_json(tmp_path):
    cfg = load_config(_city(tmp_path, datei="amtlich.json"))
    prepared = prepare(cfg)
    rows = _official(prepared)[1:]
    (tmp_path / "data" / "amtlich.json").write_text(json.dumps(rows), encoding="utf-8")
    result = abgleichen(cfg, prepared.result)
    assert result.ok and [q for q, _ in result.nicht_in_datei] == ["01"]


def test_a_misspelt_official_column_is_a_german_error_with_suggestion(tmp_path):
    spalten = 'spalten = { quartier_id = "Gebiet", status = "Statusklase" }'
    cfg = load_config(_city(tmp_path, spalten))
    prepared = prepare(cfg)
    _write_csv(tmp_path, _official(prepared))
    with pytest.raises(ConfigError) as info:
        abgleichen(cfg, prepared.result)
    message = str(info.value)
    assert 'Die Spalte "Statusklase" aus [abgleich] spalten.status fehlt' in message
    assert 'Meinten Sie "Statusklasse"?' in message


def test_status_and_id_columns_are_required_in_the_config(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(_city(tmp_path, 'spalten = { quartier_id = "Gebiet" }'))
    assert "spalten braucht status" in str(info.value)


def test_an_unreadable_official_file_is_a_german_error(tmp_path, city):
    cfg, prepared = city
    (tmp_path / "data" / "amtlich.csv").write_bytes(b"%PDF-1.4")
    with pytest.raises(ConfigError, match="keine CSV-Datei, sondern ein PDF-Dokument"):
        abgleichen(cfg, prepared.result)


def test_the_command_no_longer_crashes_when_areas_are_left_out(tmp_path, city):
    cfg, prepared = city
    _write_csv(tmp_path, [r for r in _official(prepared) if r["Gebiet"] not in ("01", "03")])
    run = CliRunner().invoke(main, ["abgleich", "--config", str(cfg.pfad)])
    assert run.exit_code == 0, run.output
    assert "Unerwarteter Fehler" not in run.output
    assert "nicht in der amtlichen Datei: 2 Sozialquartiere" in run.output
