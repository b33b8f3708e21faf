"""The synthetic city: reproducible, well-formed, big enough to test big-city maps."""

import geopandas as gpd
import pandas as pd
import pytest

from sozialraum import synthetic
from sozialraum.config import load_config


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    return synthetic.make_city(tmp_path_factory.mktemp("stadt"), areas=120, units=5, seed=3)


def test_same_seed_same_bytes_other_seed_other_city(tmp_path, city):
    again = synthetic.make_city(tmp_path / "a", areas=120, units=5, seed=3)
    other = synthetic.make_city(tmp_path / "b", areas=120, units=5, seed=4)
    root, root_again, root_other = city.parents[1], again.parents[1], other.parents[1]
    for rel in ("geo/quartiere.geojson", "data/bevoelkerung.csv", "data/indikatoren.csv"):
        assert (root / rel).read_bytes() == (root_again / rel).read_bytes(), rel
        assert (root / rel).read_bytes() != (root_other / rel).read_bytes(), rel
    assert city.read_text(encoding="utf-8") == again.read_text(encoding="utf-8")


def test_geometry_is_a_partition_into_contiguous_units(city):
    gdf = gpd.read_file(city.parents[1] / "geo" / "quartiere.geojson")
    assert len(gdf) == 120
    assert gdf.crs.to_epsg() == 25832
    assert list(gdf.columns) == ["quartier_id", "quartier", "sozialraum_id", "erfunden", "geometry"]
    assert gdf["erfunden"].all()
    assert gdf.geometry.is_valid.all() and (gdf.geom_type == "Polygon").all()
    assert gdf["quartier_id"].is_unique
    # cells tile the outline: no overlaps, so the area of the union equals the sum
    assert gdf.geometry.union_all().area == pytest.approx(gdf.geometry.area.sum(), rel=1e-6)
    assert sorted(gdf["sozialraum_id"].unique()) == ["01", "02", "03", "04", "05"]
    for _, part in gdf.groupby("sozialraum_id"):
        assert part.geometry.union_all().geom_type == "Polygon"  # one piece


def test_names_look_like_place_names_unique_some_long(city):
    names = gpd.read_file(city.parents[1] / "geo" / "quartiere.geojson")["quartier"]
    assert names.is_unique
    assert (names.str.len() >= 25).any()
    assert names.str.match(r"^[A-ZÄÖÜ][\w äöüßÄÖÜ-]+$").all()


def test_data_files_have_the_long_format_for_two_years(city):
    root = city.parents[1]
    bev = pd.read_csv(root / "data" / "bevoelkerung.csv", sep=";", dtype={"quartier_id": str})
    ind = pd.read_csv(root / "data" / "indikatoren.csv", sep=";", dtype={"quartier_id": str})
    assert list(bev.columns) == ["quartier_id", "jahr", "einwohner", "erfunden"]
    assert list(ind.columns) == [
        "quartier_id",
        "jahr",
        "indikator",
        "zaehler",
        "nenner",
        "erfunden",
    ]
    assert sorted(bev["jahr"].unique()) == [2020, 2023]
    assert len(bev) == 2 * 120
    assert 2 <= ind["indikator"].nunique() <= 3
    assert len(ind) == 2 * 120 * ind["indikator"].nunique()
    assert (ind["zaehler"] <= ind["nenner"]).all() and (ind["nenner"] > 0).all()
    assert set(bev["erfunden"]) == {"ja"} == set(ind["erfunden"])


def test_config_names_units_bezirk_and_loads(city):
    text = city.read_text(encoding="utf-8")
    assert 'name = "Bezirk 01"' in text and 'slug = "bezirk-05"' in text
    assert "veranstaltungen" not in text  # event inputs are optional; the city has none
    cfg = load_config(city)
    assert [s.slug for s in cfg.sozialraeume] == [f"bezirk-{i:02d}" for i in range(1, 6)]
    assert [i.id for i in cfg.indikatoren] == [i[0] for i in synthetic.INDIKATOREN]
    assert cfg.datei("geometrie").exists()


def test_command_line(tmp_path, capsys):
    assert (
        synthetic.main(["--areas", "30", "--units", "3", "--seed", "2", "--out", str(tmp_path)])
        == 0
    )
    assert "stadt.toml" in capsys.readouterr().out
    assert len(gpd.read_file(tmp_path / "geo" / "quartiere.geojson")) == 30


def test_too_few_areas_is_refused(tmp_path):
    with pytest.raises(ValueError, match="je Einheit"):
        synthetic.make_city(tmp_path, areas=2, units=3)
