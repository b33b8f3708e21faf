"""Report units however a city has them: a geometry column, a mapping table, the id, or none.

Each test builds the mini city without events (units and areas are what matters here), changes
where the units come from, and asserts the assignment or the analyst's message.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from fixtures_city import make_city, quartiere_gdf, with_project_notebooks

from sozialraum.config import ConfigError, load_config
from sozialraum.config_einheiten import Einheiten, eindeutige_slugs, einheit_aus_id, slug_aus
from sozialraum.present.indikatortabellen import gebiete_werte, indikator_daten
from sozialraum.read.validate import load_inputs, validate

#: The mini city's inputs without the participation part.
EINGABEN = """
[eingaben]
geometrie = "../geo/quartiere.gpkg"
bevoelkerung = "../data/bevoelkerung.csv"
indikatoren = "../data/indikatoren.csv"
"""
OHNE_VERANSTALTUNGEN = {
    name: None
    for name in (
        "veranstaltungen",
        "stationen",
        "angebote",
        "fragen",
        "abstimmungen",
        "karten",
        "feedback",
        "handlungsempfehlungen",
        "kanalregeln",
    )
}


def _ids(mapping: dict[str, str]):
    """Edit of a statistics file that renames the area ids at the start of each row."""

    def edit(text: str) -> str:
        lines = text.splitlines()
        out = [lines[0]]
        for line in lines[1:]:
            qid, rest = line.split(";", 1)
            out.append(f"{mapping.get(qid, qid)};{rest}")
        return "\n".join(out) + "\n"

    return edit


def city(
    tmp_path,
    *,
    einheiten: str = "",
    sozialraeume: str | None = None,
    ids: dict[str, str] | None = None,
    mit_spalte: bool = False,
    geometrie_extra: str = "",
    methode_extra: str = "",
    geometrie=None,
    notebooks: bool = False,
    **files,
):
    """The mini city with ``[einheiten]``, its own ``[[sozialraeume]]`` and renamed ids."""
    ids = ids or {}
    g = quartiere_gdf() if geometrie is None else geometrie
    g["quartier_id"] = [ids.get(q, q) for q in g["quartier_id"]]
    if not mit_spalte:
        g = g.drop(columns="sozialraum_id")

    def config(text: str) -> str:
        text = text[: text.index("[eingaben]")]
        text = re.sub(r"termine = .*\n", "", text)
        if sozialraeume is not None:
            head, rest = text.split("[[sozialraeume]]", 1)
            text = head + sozialraeume + rest[rest.index("[[indikatoren]]") :]
        if methode_extra:
            text = text.replace("[methode.status]", methode_extra + "\n[methode.status]")
        geo = EINGABEN.replace(
            'geometrie = "../geo/quartiere.gpkg"',
            'geometrie = { datei = "../geo/quartiere.gpkg"' + geometrie_extra + " }",
        )
        text = text + geo + (f"\n[einheiten]\n{einheiten}\n" if einheiten else "")
        return with_project_notebooks(text) if notebooks else text

    stats = {"bevoelkerung": _ids(ids), "indikatoren": _ids(ids)}
    stats.update(files)
    return make_city(tmp_path, geometrie=g, config=config, **{**OHNE_VERANSTALTUNGEN, **stats})


def units(cfg_path) -> dict[str, str]:
    """Area id → unit id as the checked inputs have it."""
    q = load_inputs(load_config(cfg_path)).quartiere
    return dict(zip(q["quartier_id"], q["sozialraum_id"], strict=True))


def one(report, *parts, schwere="Fehler"):
    """The single problem whose text contains all ``parts``."""
    hits = [p for p in report.problems if p.schwere == schwere and all(s in str(p) for s in parts)]
    assert len(hits) == 1, "\n".join(str(p) for p in report.problems)
    return hits[0]


PRAEFIX = {"01": "1001", "02": "1002", "03": "2003", "04": "2004"}


# -- where the unit comes from ------------------------------------------------------------------
def test_units_by_geometry_column_as_before(tmp_path):
    assert units(city(tmp_path, mit_spalte=True)) == {"01": "1", "02": "1", "03": "2", "04": "2"}


def test_units_by_prefix_of_the_area_id(tmp_path):
    path = city(tmp_path, einheiten='aus = "id"\nstellen = 1', ids=PRAEFIX)
    assert units(path) == {"1001": "1", "1002": "1", "2003": "2", "2004": "2"}


def test_units_by_pattern_in_the_area_id(tmp_path):
    ids = {"01": "N-1-a", "02": "N-1-b", "03": "N-2-a", "04": "N-2-b"}
    path = city(tmp_path, einheiten='aus = "id"\nmuster = "^N-(\\\\d)-"', ids=ids)
    assert units(path) == {"N-1-a": "1", "N-1-b": "1", "N-2-a": "2", "N-2-b": "2"}


def test_units_by_mapping_table(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "zuordnung.csv").write_text(
        "Gebiet;Raum\n01;2\n02;2\n03;1\n04;1\n", encoding="utf-8"
    )
    path = city(
        tmp_path,
        einheiten='aus = "tabelle"\ntabelle = { datei = "../data/zuordnung.csv", spalten = { '
        'quartier_id = "Gebiet", sozialraum_id = "Raum" } }',
    )
    assert units(path) == {"01": "2", "02": "2", "03": "1", "04": "1"}


def test_units_by_a_column_of_a_statistics_table_with_repeated_rows(tmp_path):
    def with_unit(text):
        sr = {"01": "1", "02": "1", "03": "2", "04": "2"}
        lines = text.splitlines()
        out = [lines[0] + ";bezirk"] + [f"{line};{sr[line[:2]]}" for line in lines[1:]]
        return "\n".join(out) + "\n"

    path = city(
        tmp_path,
        einheiten='aus = "tabelle"\ntabelle = { datei = "../data/bevoelkerung.csv", spalten = '
        '{ sozialraum_id = "bezirk" } }',
        bevoelkerung=with_unit,
    )
    assert units(path) == {"01": "1", "02": "1", "03": "2", "04": "2"}


def test_no_units_makes_the_city_one_unit_named_after_it(tmp_path):
    path = city(tmp_path, einheiten='aus = "keine"', sozialraeume="")
    cfg = load_config(path)
    assert [(s.id, s.name, s.slug) for s in cfg.sozialraeume] == [
        ("musterstadt", "Musterstadt", "musterstadt")
    ]
    assert set(units(path).values()) == {"musterstadt"}


def test_unit_names_from_a_names_table_give_ascii_unique_slugs(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "namen.csv").write_text(
        "Nr;Bezeichnung\n1;Nord-Ost Süd\n2;Nord Ost-Süd\n", encoding="utf-8"
    )
    path = city(
        tmp_path,
        einheiten='namen = { datei = "../data/namen.csv", spalten = { sozialraum_id = "Nr", '
        'name = "Bezeichnung" } }',
        sozialraeume="",
        mit_spalte=True,
    )
    cfg = load_config(path)
    assert [(s.id, s.name, s.slug) for s in cfg.sozialraeume] == [
        ("1", "Nord-Ost Süd", "nord-ost-sued"),
        ("2", "Nord Ost-Süd", "nord-ost-sued-2"),
    ]
    assert validate(cfg).ok


def test_slugs_are_ascii_and_unique():
    assert slug_aus("Tempelhof-Schöneberg") == "tempelhof-schoeneberg"
    assert slug_aus("Île de Ré") == "ile-de-re"
    assert eindeutige_slugs(["A b", "a-B", "a b"]) == ["a-b", "a-b-2", "a-b-3"]


def test_derivation_from_an_id():
    e = Einheiten(aus="id", stellen=2)
    assert einheit_aus_id(e, "01100101") == "01"
    assert einheit_aus_id(e, "1") is None
    m = Einheiten(aus="id", muster=r"-(\d+)$")
    assert einheit_aus_id(m, "Bez-12") == "12"
    assert einheit_aus_id(m, "Bez") is None


# -- unit ids equal to area ids --------------------------------------------------------------
def test_each_area_its_own_unit_validates_and_its_tables_keep_both_levels(tmp_path):
    names = {"01": "Altstadt", "02": "Lirich-Süd", "03": "Mühlenfeld", "04": "Weststadt"}
    srs = "".join(
        f'[[sozialraeume]]\nid = "{q}"\nname = "{n}"\nslug = "q{q}"\n\n' for q, n in names.items()
    )
    g = quartiere_gdf()
    g["sozialraum_id"] = g["quartier_id"]
    path = city(tmp_path, sozialraeume=srs, mit_spalte=True, geometrie=g)
    assert units(path) == {q: q for q in names}
    # the table of an indicator: the area row and the unit row share the id "01"
    werte = pd.DataFrame(
        {
            "quartier_id": ["01", "01"],
            "jahr": [2020, 2023],
            "indikator": ["sgb2", "sgb2"],
            "anteil": [10.0, 12.0],
            "unterdrueckt": [False, False],
        }
    )
    agg = werte.drop(columns="quartier_id").assign(sozialraum_id="01", anteil=[20.0, 23.0])
    gebiete = gebiete_werte(
        werte,
        g,
        "01",
        agg,
        agg.drop(columns="sozialraum_id").assign(anteil=[30.0, 31.0]),
        sozialraum_name="Altstadt",
        stadt_name="Musterstadt",
    )
    daten = indikator_daten(load_config(path), gebiete, "sgb2").set_index("ebene")
    assert list(daten.columns[:2]) == ["gebiet_id", "gebiet"]
    assert daten.loc["quartier", "anteil_2023"] == 12.0
    assert daten.loc["sozialraum", "anteil_2023"] == 23.0
    assert daten.loc["sozialraum", "veraenderung_pp"] == pytest.approx(3.0)


# -- messages ------------------------------------------------------------------------------
def test_a_pattern_without_a_group_is_a_config_error(tmp_path):
    path = city(tmp_path, einheiten='aus = "id"\nmuster = "^\\\\d{2}"', ids=PRAEFIX)
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    assert 'muster "^\\d{2}" hat 0 Gruppen in Klammern' in str(exc.value)


def test_an_invalid_pattern_is_a_config_error(tmp_path):
    path = city(tmp_path, einheiten='aus = "id"\nmuster = "^(\\\\d"', ids=PRAEFIX)
    with pytest.raises(ConfigError, match="kein gültiger regulärer Ausdruck"):
        load_config(path)


def test_prefix_and_pattern_together_are_refused(tmp_path):
    path = city(tmp_path, einheiten='aus = "id"\nstellen = 2\nmuster = "^(..)"', ids=PRAEFIX)
    with pytest.raises(ConfigError, match="braucht genau eine Angabe"):
        load_config(path)


def test_a_geometry_column_and_a_derived_unit_contradict(tmp_path):
    path = city(
        tmp_path,
        einheiten='aus = "id"\nstellen = 1',
        ids=PRAEFIX,
        geometrie_extra=', spalten = { sozialraum_id = "sozialraum_id" }',
        mit_spalte=True,
    )
    with pytest.raises(ConfigError, match="die Einheit kommt nur aus einer Quelle"):
        load_config(path)


def test_a_derived_unit_that_is_not_configured_names_its_areas(tmp_path):
    path = city(tmp_path, einheiten='aus = "id"\nstellen = 2', ids=PRAEFIX)
    report = validate(load_config(path))
    p = one(report, 'Sozialraum "10"')
    assert str(p) == (
        'geo/quartiere.gpkg, Zeile 2, Spalte "sozialraum_id (aus der ID abgeleitet, '
        '[einheiten])": Sozialraum "10" (die ersten 2 Zeichen der ID ([einheiten] stellen = 2)) '
        'ist nicht konfiguriert; betrifft 2 Sozialquartiere: "1001", "1002". Erwartet: eine id '
        'aus [[sozialraeume]]: 1 (Nord), 2 (Süd). Tipp: [[sozialraeume]] id = "10", name = "…", '
        'slug = "…" ergänzen, oder [einheiten] prüfen.'
    )
    # and the configured units now have no area
    one(report, 'Der Sozialraum "1" (Nord) hat kein Sozialquartier in der Geometrie')


def test_an_id_too_short_for_its_prefix_is_named(tmp_path):
    ids = {**PRAEFIX, "04": "2"}
    report = validate(load_config(city(tmp_path, einheiten='aus = "id"\nstellen = 2', ids=ids)))
    p = one(report, 'Aus der ID "2"')
    assert (p.zeile, p.wert, p.erwartet) == (5, "2", "eine ID mit mindestens 2 Zeichen")


def test_an_area_missing_from_the_mapping_table_is_named(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "zuordnung.csv").write_text(
        "quartier_id;sozialraum_id\n01;1\n02;1\n03;2\n99;2\n", encoding="utf-8"
    )
    path = city(tmp_path, einheiten='aus = "tabelle"\ntabelle = "../data/zuordnung.csv"')
    report = validate(load_config(path))
    p = one(report, 'Das Sozialquartier "04" ("Weststadt") fehlt in der Zuordnungstabelle')
    assert (p.datei, p.zeile) == ("geo/quartiere.gpkg", 5)
    assert p.hinweis == 'in data/zuordnung.csv eine Zeile für "04" ergänzen'
    w = one(report, '"99" steht in der Zuordnungstabelle', schwere="Warnung")
    assert (w.datei, w.zeile) == ("data/zuordnung.csv", 5)


def test_a_unit_without_areas_is_an_error(tmp_path):
    srs = (
        '[[sozialraeume]]\nid = "1"\nname = "Nord"\nslug = "nord"\n\n'
        '[[sozialraeume]]\nid = "2"\nname = "Süd"\nslug = "sued"\n\n'
        '[[sozialraeume]]\nid = "3"\nname = "West"\nslug = "west"\n\n'
    )
    report = validate(load_config(city(tmp_path, sozialraeume=srs, mit_spalte=True)))
    p = one(report, '"3" (West)')
    assert p.datei == "config/stadt.toml"
    assert p.meldung.startswith('Der Sozialraum "3" (West) hat kein Sozialquartier')


# -- corrections of the geometry ------------------------------------------------------------
def _dup_geometry():
    g = quartiere_gdf()
    g.loc[3, "quartier_id"] = "01"  # Weststadt (feature 5) published under Altstadt's id
    return g


KORREKTUR = ', korrekturen = [{ merkmal = 5, id = "01", neue_id = "04", grund = "doppelt" }]'


def test_a_duplicated_id_points_at_the_correction_not_at_a_neighbour(tmp_path):
    report = validate(load_config(city(tmp_path, geometrie=_dup_geometry(), mit_spalte=True)))
    dup = one(report, 'Doppelter Wert "01"')
    assert dup.hinweis.endswith(
        '[eingaben.geometrie] korrekturen = [{ merkmal = 5, id = "01", neue_id = "…", '
        'grund = "…" }]'
    )
    missing = [p for p in report.problems if 'Das Sozialquartier "04"' in p.meldung]
    assert missing and all(p.vorschlag is None for p in missing)
    assert missing[0].meldung.endswith(
        '"Weststadt" steht in der Geometrie doppelt unter der ID "01" (Zeile 5), vermutlich '
        'gehört die zweite Fläche zu "04"'
    )
    assert 'neue_id = "04"' in missing[0].hinweis


def test_a_declared_correction_fixes_the_id_when_reading(tmp_path):
    path = city(tmp_path, geometrie=_dup_geometry(), mit_spalte=True, geometrie_extra=KORREKTUR)
    report = validate(load_config(path))
    assert report.ok, report.text()
    q = report.inputs.quartiere.set_index("quartier")
    assert q.loc["Weststadt", "quartier_id"] == "04"
    from sozialraum.publish.methodik import geometrie_korrekturen

    assert geometrie_korrekturen(load_config(path)) == [
        "Objekt 5 der Geometrie trägt in der Datei die ID „01“; es wird als Sozialquartier „04“ "
        "gelesen. Grund: doppelt"
    ]


def test_a_correction_whose_id_no_longer_fits_is_refused(tmp_path):
    extra = KORREKTUR.replace('id = "01"', 'id = "02"')
    path = city(tmp_path, geometrie=_dup_geometry(), mit_spalte=True, geometrie_extra=extra)
    p = one(validate(load_config(path)), "korrekturen Nr. 1 (merkmal = 5)")
    assert (p.zeile, p.wert) == (5, "01")
    assert 'das Objekt hat die ID "01", nicht "02"' in p.meldung


def test_a_correction_of_a_feature_that_does_not_exist(tmp_path):
    extra = KORREKTUR.replace("merkmal = 5", "merkmal = 9")
    path = city(tmp_path, mit_spalte=True, geometrie_extra=extra)
    p = one(validate(load_config(path)), "korrekturen Nr. 1 (merkmal = 9)")
    assert p.erwartet.startswith("eine Nummer von 2 bis 5")


# -- rendering ------------------------------------------------------------------------------
SOZIALRAUM_CLI = Path(sys.executable).with_name("sozialraum")


def _render(config) -> Path:
    proc = subprocess.run(
        [str(SOZIALRAUM_CLI), "render", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return config.parent.parent / "reports" / "2023"


def _text(path: Path) -> str:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").get_text(" ")


def test_a_city_without_units_renders_one_report_and_the_index_page(tmp_path):
    path = city(
        tmp_path,
        einheiten='aus = "keine"',
        sozialraeume="",
        notebooks=True,
        geometrie=_dup_geometry(),
        geometrie_extra=KORREKTUR,
    )
    out = _render(path)
    assert sorted(p.name for p in out.glob("*.html")) == ["gesamtstadt.html", "index.html"]
    text = _text(out / "gesamtstadt.html")
    assert "Musterstadt" in text
    assert "Korrekturen der Geometrie" in text
    assert "Grund: doppelt" in text
    assert "ohne Gliederung in Sozialräume; alle Sozialquartiere gehören zu „Musterstadt“" in text
    assert "gesamtstadt.html" in (out / "index.html").read_text(encoding="utf-8")
    # one unit: no sentence compares units with each other ("von 6,2 % in X bis 6,2 % in X")
    assert "reicht von" not in text and "Die meisten davon liegen" not in text


def test_units_from_the_id_render_a_report_per_unit_named_after_it(tmp_path):
    path = city(tmp_path, einheiten='aus = "id"\nstellen = 1', ids=PRAEFIX, notebooks=True)
    out = _render(path)
    assert {p.name for p in out.glob("*.html")} == {
        "nord.html",
        "sued.html",
        "gesamtstadt.html",
        "index.html",
    }
    nord = _text(out / "nord.html")
    assert "Sozialraum Nord" in nord and "Lirich-Süd" in nord
    assert "Die Sozialräume ergeben sich aus dem ersten Zeichen der ID der Sozialquartiere" in nord
    assert "Sozialraum Süd" in _text(out / "sued.html")
