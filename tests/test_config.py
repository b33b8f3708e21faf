import json
import shutil
from pathlib import Path

import pytest

from conftest import PROJECT_CONFIG, ROOT
from sozialraum.config import ConfigError, find_default_config, load_config, termin_datum


def test_project_config_loads_with_six_sozialraeume(cfg):
    assert len(cfg.sozialraeume) == 6
    assert len(cfg.indikatoren) == 7
    assert cfg.datei("geometrie") == (ROOT / "geo" / "sozialquartiere.geojson").resolve()


def test_default_config_is_found_from_a_subfolder():
    assert find_default_config(ROOT / "notebooks") == PROJECT_CONFIG.resolve()


def test_copied_project_uses_its_own_config(tmp_path):
    (tmp_path / "config").mkdir()
    shutil.copy(PROJECT_CONFIG, tmp_path / "config" / "andere-stadt.toml")
    (tmp_path / "notebooks").mkdir()
    found = find_default_config(tmp_path / "notebooks")
    assert found == (tmp_path / "config" / "andere-stadt.toml").resolve()
    # paths inside the config are relative to the config file, not to the working directory
    assert load_config(found).datei("indikatoren") == (tmp_path / "data" / "indikatoren.csv")


def test_unknown_key_is_an_error_naming_it(tmp_path):
    text = PROJECT_CONFIG.read_text().replace("mindestfallzahl = 3", "mindestfalzahl = 3")
    bad = tmp_path / "stadt.toml"
    bad.write_text(text)
    with pytest.raises(
        ConfigError, match=r"\[methode\] mindestfalzahl.*Meinten Sie \"mindestfallzahl\""
    ):
        load_config(bad)


def test_class_labels_must_match_thresholds(tmp_path):
    text = PROJECT_CONFIG.read_text().replace(
        'labels = ["positiv", "stabil", "negativ"]', 'labels = ["positiv", "negativ"]'
    )
    bad = tmp_path / "stadt.toml"
    bad.write_text(text)
    with pytest.raises(ConfigError, match="3 Klassen"):
        load_config(bad)


def test_unknown_sozialraum_lists_valid_names(cfg):
    with pytest.raises(ConfigError) as err:
        cfg.sozialraum("Sterkrade Süd")
    assert '"Sterkrade-Nord"' in str(err.value) and '"Mitte/Styrum"' in str(err.value)


def test_sozialraum_found_by_id_slug_and_name(cfg):
    by_name = cfg.sozialraum(cfg.sozialraeume[1].name)
    assert cfg.sozialraum(by_name.slug) is by_name
    assert cfg.sozialraum(by_name.id) is by_name


def test_missing_config_file_is_reported(tmp_path):
    with pytest.raises(ConfigError, match="existiert nicht"):
        load_config(tmp_path / "fehlt.toml")


def test_termin_month_precision():
    assert termin_datum("2019-11").isoformat() == "2019-11-01"
    assert termin_datum("2023-09-06").isoformat() == "2023-09-06"


def test_no_city_names_in_lib(cfg):
    geo = json.loads((ROOT / "geo" / "sozialquartiere.geojson").read_text(encoding="utf-8"))
    quartiere = {f["properties"]["quartier"] for f in geo["features"]}
    names = {cfg.stadt.name, cfg.stadt.veranstaltung.name} | quartiere
    names |= {s.name for s in cfg.sozialraeume}
    sources = [
        *(ROOT / "lib" / "sozialraum").rglob("*.py"),
        *(ROOT / "lib").rglob("*.j2"),
        *(ROOT / "notebooks").glob("*.ipynb"),
    ]
    for path in sources:
        text = path.read_text(encoding="utf-8")
        found = [n for n in names if n in text]
        assert not found, f"{path} names {found}: city names belong in the config"


@pytest.mark.parametrize(
    ("crs", "expected"),
    [("EPSG:99999", "kein bekanntes Koordinatenreferenzsystem"), ("EPSG:4326", "misst in Grad")],
)
def test_the_maps_crs_must_be_a_known_projected_one(tmp_path, crs, expected):
    text = PROJECT_CONFIG.read_text(encoding="utf-8").replace(
        'crs = "EPSG:25832"', f'crs = "{crs}"', 1
    )
    assert f'crs = "{crs}"' in text
    path = tmp_path / "stadt.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert expected in str(err.value) and "[stadt] crs" in str(err.value)


def test_report_paths_in_a_project_are_as_before(cfg):
    assert cfg.bericht_pfad("notebook_sozialraum") == ROOT / "notebooks" / "sozialraumbericht.ipynb"
    assert cfg.bericht_pfad("ausgabe") == ROOT / "reports"


def _outside(tmp_path, bericht: str = "") -> Path:
    text = (ROOT / "config" / "oberhausen.toml").read_text(encoding="utf-8")
    folder = tmp_path / "stadt"
    folder.mkdir()
    path = folder / "sozialraum.toml"
    path.write_text(text + bericht, encoding="utf-8")
    return path


def test_a_config_outside_a_project_finds_the_workbooks_notebooks(tmp_path):
    from sozialraum.resources import NOTEBOOKS_DIR

    cfg = load_config(_outside(tmp_path))
    assert cfg.bericht_pfad("notebook_sozialraum") == NOTEBOOKS_DIR / "sozialraumbericht.ipynb"
    assert cfg.bericht_pfad("notebook_gesamtstadt").is_file()
    assert NOTEBOOKS_DIR == ROOT / "notebooks"  # the folder analysts open, not a copy
    assert cfg.bericht_pfad("ausgabe") == tmp_path / "stadt" / "berichte"


def test_report_paths_the_config_sets_are_kept_outside_a_project(tmp_path):
    bericht = '\n[bericht]\nnotebook_sozialraum = "nb/mein.ipynb"\nausgabe = "../aus"\n'
    cfg = load_config(_outside(tmp_path, bericht))
    assert cfg.bericht_pfad("notebook_sozialraum") == tmp_path / "stadt" / "nb" / "mein.ipynb"
    assert cfg.bericht_pfad("ausgabe") == tmp_path / "aus"


def _nur_index(tmp_path: Path, index: str = "wert", dynamik: bool = False) -> Path:
    from stadtgenerator import Stadt, write_city

    return write_city(
        Stadt(areas=6, units=2, index=index, indikatoren=False, dynamik=dynamik), tmp_path
    )


@pytest.mark.parametrize("index", ["wert", "klasse"])
def test_a_published_index_needs_no_indicators(tmp_path, index):
    cfg = load_config(_nur_index(tmp_path, index))
    assert cfg.indikatoren == [] and cfg.eingaben.indikatoren is None
    assert cfg.methode.status.quelle == index


def test_without_indicators_a_computed_index_is_a_german_error(tmp_path):
    path = _nur_index(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('quelle = "wert"\nspalte = "wert"\n', ""), encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    message = str(exc.value)
    assert "Nötig sind entweder Indikatoren oder ein veröffentlichter Index" in message
    assert "[methode.status]" in message and 'quelle = "wert"' in message


def test_a_computed_dynamikindex_without_indicators_is_refused(tmp_path):
    path = _nur_index(tmp_path, dynamik=True)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('quelle = "wert"\nspalte = "dynamik"\n', ""), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"aus denen \[methode.dynamik\] berechnet wird"):
        load_config(path)


def test_indicators_without_their_file_are_refused(tmp_path):
    from stadtgenerator import Stadt, write_city

    path = write_city(Stadt(areas=6, units=2, index="wert"), tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('indikatoren = { datei = "../data/indikatoren.csv" }\n', ""), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"\[\[indikatoren\]\] braucht die Datei"):
        load_config(path)
