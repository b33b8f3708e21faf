"""A city without change data: no Dynamikindex anywhere, the status part complete.

The mini city of :mod:`fixtures_city` loses its ``[methode.dynamik]`` table, its
``vergleichsjahr`` and the earlier year's data. It must validate, compute a Statusindex equal to
the one with change data, and render every page (each unit's report, the city-wide report and
the index page) without a word of dynamics: no dynamics map, column, legend entry, sentence or
CSV, no combined status x dynamics view, and no "ohne Angabe" for what was never asked.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from fixtures_city import make_city, with_project_notebooks
from test_leak import _readable_text

from sozialraum.compute import index as ix
from sozialraum.compute.store import prepare
from sozialraum.config import ConfigError, load_config
from sozialraum.present import kartenbasis, maps
from sozialraum.publish.batch import run_batch
from sozialraum.publish.bericht_basis import _with_year
from sozialraum.publish.methodik import methodentext

DYNAMIK_TABELLE = (
    "[methode.dynamik]\n"
    "schwellen = [-1.0, 1.0]\n"
    'labels = ["positiv", "stabil", "negativ"]\n'
    'farben = ["#2166ac", "#f7f7f7", "#b2182b"]\n'
)

#: What a page of a city without change data must not say (case-insensitive).
VERBOTEN = re.compile(
    r"dynamik|veränderung|veraenderung|kombination|kombi|ohne angabe|keine angabe|"
    r"\bpositiv\b|\bstabil\b|\bnegativ\b|\b2020\b",
    re.IGNORECASE,
)

#: The method section's general rule for a missing indicator value names the status's
#: "keine Angabe" class; it is about the Statusindex, not about dynamics, and stays.
STATUSREGEL = re.compile(r"Fehlt ein Indikatorwert, bleibt der Index leer \(„keine Angabe“")


def ohne_dynamik(text: str) -> str:
    """Config edit: no vergleichsjahr, no [methode.dynamik], one year."""
    assert DYNAMIK_TABELLE in text and "vergleichsjahr = 2020\n" in text
    text = text.replace(DYNAMIK_TABELLE, "").replace("vergleichsjahr = 2020\n", "")
    return text.replace("jahre = [2020, 2023]", "jahre = [2023]")


def nur_2023(text: str) -> str:
    """Data edit: the rows of the earlier year removed."""
    kept = [line for line in text.splitlines() if ";2020;" not in line]
    assert len(kept) < len(text.splitlines())
    return "\n".join(kept) + "\n"


def _city(root: Path, config=ohne_dynamik) -> Path:
    return make_city(root, config=config, bevoelkerung=nur_2023, indikatoren=nur_2023)


def _ohne_statusregel(text: str) -> str:
    return STATUSREGEL.sub("", text)


# -- config -----------------------------------------------------------------------------------
def test_a_config_without_change_data_validates(tmp_path):
    cfg = load_config(_city(tmp_path))
    assert not cfg.mit_dynamik
    assert cfg.methode.vergleichsjahr is None and cfg.methode.dynamik is None
    assert cfg.dynamik_indikatoren == []  # Indikator.dynamik (default true) is ignored
    assert not cfg.veraenderung_veroeffentlicht
    assert prepare(cfg).inputs.indikatoren["jahr"].unique().tolist() == [2023]


def test_the_sample_config_keeps_its_dynamics(tmp_path):
    cfg = load_config(make_city(tmp_path))
    assert cfg.mit_dynamik
    assert [i.id for i in cfg.dynamik_indikatoren] == ["sgb2", "kinderarmut"]


def test_a_comparison_year_without_dynamics_is_allowed_and_unused(tmp_path):
    def edit(text: str) -> str:
        return text.replace(DYNAMIK_TABELLE, "")

    cfg = load_config(make_city(tmp_path, config=edit))
    assert cfg.methode.vergleichsjahr == 2020
    assert not cfg.mit_dynamik
    assert ix.DYNAMIK_SPALTEN[0] not in prepare(cfg).result.index.columns


def test_dynamics_without_a_comparison_year_is_a_german_error(tmp_path):
    def edit(text: str) -> str:
        return text.replace("vergleichsjahr = 2020\n", "")

    with pytest.raises(ConfigError) as err:
        load_config(make_city(tmp_path, config=edit))
    message = str(err.value)
    assert "[methode.dynamik] braucht methode.vergleichsjahr" in message
    assert "weglassen" in message  # the way out: a report without a Dynamikindex


def test_a_published_change_without_dynamics_is_rejected(tmp_path):
    def edit(text: str) -> str:
        text = ohne_dynamik(text)
        return text.replace(
            'kurz = "SGB II"\n', 'kurz = "SGB II"\nveraenderung = "veroeffentlicht"\n'
        )

    with pytest.raises(ConfigError) as err:
        load_config(_city(tmp_path, config=edit))
    message = str(err.value)
    assert 'Indikator "sgb2"' in message and "[methode.dynamik] fehlt" in message


def test_a_comparison_of_dynamics_classes_without_dynamics_is_rejected(tmp_path):
    def edit(text: str) -> str:
        return ohne_dynamik(text) + (
            '\n[abgleich]\ndatei = "../data/amtlich.csv"\n'
            'spalten = { quartier_id = "id", status = "S", dynamik = "D" }\n'
        )

    with pytest.raises(ConfigError) as err:
        load_config(_city(tmp_path, config=edit))
    assert "[abgleich] spalten nennt dynamik" in str(err.value)


def test_without_dynamics_every_year_of_the_series_can_be_reported(tmp_path):
    def edit(text: str) -> str:
        return ohne_dynamik(text).replace("jahre = [2023]", "jahre = [2020, 2023]")

    cfg = load_config(make_city(tmp_path, config=edit))
    assert _with_year(cfg, 2020).methode.berichtsjahr == 2020  # no earlier year needed
    with pytest.raises(ConfigError, match="Gültig sind: 2020, 2023"):
        _with_year(cfg, 2019)


# -- compute ----------------------------------------------------------------------------------
def test_compute_index_without_dynamics_has_no_dynamics_columns(tmp_path):
    result = prepare(load_config(_city(tmp_path))).result
    assert not set(ix.DYNAMIK_SPALTEN) & set(result.index.columns)
    assert list(result.schwellen) == ["status"]
    assert result.veraenderung.empty
    assert "veraenderung_pp" in result.veraenderung.columns  # the shape the store expects


def test_status_classes_equal_those_computed_with_dynamics(tmp_path):
    ohne = prepare(load_config(_city(tmp_path / "ohne"))).result
    mit = prepare(load_config(make_city(tmp_path / "mit"))).result
    assert set(ix.DYNAMIK_SPALTEN) <= set(mit.index.columns)
    cols = ["quartier_id", "statusindex", "status_stufe", "status_klasse", "ausgeschlossen"]
    pd.testing.assert_frame_equal(ohne.index[cols], mit.index[cols])
    assert ohne.schwellen["status"] == mit.schwellen["status"]
    assert ohne.index["status_klasse"].nunique() > 1  # the comparison is not trivially equal


def test_no_dynamics_map_and_the_status_legend_names_no_dynamics(tmp_path):
    cfg = load_config(_city(tmp_path))
    data = prepare(cfg)
    with pytest.raises(ValueError, match=r"braucht einen Dynamikindex.*\[methode\.dynamik\]"):
        kartenbasis.klassen_farben(cfg, "kombi")
    fig, alt = maps.class_map(cfg, data.inputs.quartiere, data.result.index, None, "status")
    legend = fig.axes[0].get_legend()
    texts = [t.get_text() for t in legend.get_texts()] + [legend.get_title().get_text()]
    assert any(t.startswith("hoch") for t in texts)
    for text in [*texts, alt]:
        assert not VERBOTEN.search(text), text


def test_the_method_text_describes_no_change_computation(tmp_path):
    cfg = load_config(_city(tmp_path))
    text = " ".join(methodentext(cfg, prepare(cfg).result.index))
    assert "Statusindex" in text
    assert not VERBOTEN.search(_ohne_statusregel(text)), text


# -- every page -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def gerendert(tmp_path_factory):
    root = tmp_path_factory.mktemp("ohne-dynamik")
    cfg = load_config(_city(root, config=lambda text: with_project_notebooks(ohne_dynamik(text))))
    out = root / "berichte"
    result = run_batch(cfg, out=out, jobs=2, progress=False)
    assert result.render.ok, [f.message for f in result.render.failed]
    return cfg, out


def _seiten(out: Path, art: str = ".html") -> dict[str, str]:
    return {p.name: _readable_text(p) for p in sorted(out.rglob(f"*{art}"))}


def test_every_page_renders(gerendert):
    cfg, out = gerendert
    names = set(_seiten(out))
    assert {f"{s.slug}.html" for s in cfg.sozialraeume} <= names
    assert "gesamtstadt.html" in names
    assert "index.html" in names


def test_no_page_and_no_download_mentions_dynamics(gerendert):
    _, out = gerendert
    seiten = {**_seiten(out), **_seiten(out, ".ipynb")}  # the executed notebooks too
    assert len(seiten) == 7  # two units, the city-wide report, the index page
    for name, text in seiten.items():
        text = re.sub(r"/[^\s\"']*pytest-of-[^\s\"']*", "<tmp>", _ohne_statusregel(text))
        hit = VERBOTEN.search(text)
        assert hit is None, f"{name}: …{text[max(0, hit.start() - 100) : hit.end() + 60]}…"


def test_the_csv_downloads_have_no_change_column(gerendert):
    _, out = gerendert
    html = (out / "2023" / "nord.html").read_text(encoding="utf-8")
    assert "data:text/csv" in html
    text = _readable_text(out / "2023" / "nord.html")
    assert "anteil_2023" in text  # the indicator downloads were decoded
    assert "veraenderung" not in text.lower()


def test_the_status_part_is_complete(gerendert):
    cfg, out = gerendert
    index = prepare(cfg).result.index
    for sr in cfg.sozialraeume:
        text = _readable_text(out / "2023" / f"{sr.slug}.html")
        assert "Statusindex 2023" in text
        own = index[index["sozialraum_id"] == sr.id]
        for quartier, klasse in zip(own["quartier"], own["status_klasse"], strict=True):
            assert re.search(rf"{re.escape(quartier)}\b.*{re.escape(klasse)}", text, re.S)
    gesamt = _readable_text(out / "2023" / "gesamtstadt.html")
    assert "Statusindex 2023" in gesamt
    assert all(q in gesamt for q in index["quartier"])
