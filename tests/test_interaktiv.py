"""The offline interactive map: one focusable, named path per area, escaped, small."""

from __future__ import annotations

import re

import geopandas as gpd
import pytest
from bs4 import BeautifulSoup
from shapely.geometry import box

from conftest import ROOT
from sozialraum.present.interaktiv import (
    interaktive_karte,
    skript_html,
    stadtkarte_interaktiv,
    tabellen_fokussierbar,
)

FARBEN = {"hoch": "#fee8c8", "mittel": "#fdbb84", "niedrig": "#e34a33"}
BOESE = '<script>alert("x")</script> & "Süd"'


def gebiete(n: int = 6) -> gpd.GeoDataFrame:
    rows = []
    for i in range(n):
        x, y = 350_000 + (i % 3) * 1000.4, 5_700_000 + (i // 3) * 1000.6
        rows.append(
            {
                "quartier_id": f"{i + 1:02d}",
                "quartier": BOESE if i == 0 else f"Quartier {i + 1}",
                "sozialraum_id": str(i // 3 + 1),
                "klasse": ["hoch", "mittel", "niedrig", None][i % 4],
                "einwohner": 1000 * (i + 1),
                "anteil": f"{i + 0.5:.1f} %".replace(".", ","),
                "geometry": box(x, y, x + 1000.4, y + 1000.6),
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:25832")


def karte(**kwargs) -> str:
    args = {
        "titel": "Statusindex 2023",
        "felder": [("einwohner", "Einwohner*innen"), ("anteil", "SGB II")],
        "klasse_spalte": "klasse",
        "farben": FARBEN,
    }
    args.update(kwargs)
    return interaktive_karte(gebiete(), **args)


def test_one_focusable_named_path_per_area():
    soup = BeautifulSoup(karte(), "html.parser")
    paths = soup.select("svg .gebiete path")
    assert len(paths) == 6
    for p in paths:
        assert p["tabindex"] == "0" and p["role"] == "img"
        assert p["aria-label"].count(":") >= 3  # name: class; values
        assert p.find("title") is not None  # the tooltip without JavaScript
    second = paths[1]
    assert second["aria-label"] == (
        "Quartier 2: Klasse: mittel; Einwohner*innen: 2.000; SGB II: 1,5 %"
    )
    assert second.find("title").get_text() == (
        "Quartier 2\nKlasse: mittel\nEinwohner*innen: 2.000\nSGB II: 1,5 %"
    )
    assert paths[0]["fill"] == "#fee8c8"
    assert paths[3]["fill"] == "#d9d9d9"  # no class: grey and "keine Angabe"
    assert "keine Angabe" in paths[3]["aria-label"]
    legend = [li.get_text(" ", strip=True) for li in soup.select(".ikarte-legende li")]
    assert legend == ["hoch (2)", "mittel (2)", "niedrig (1)", "keine Angabe (1)"]


def test_text_from_data_is_escaped_and_never_in_a_script():
    html = karte()
    assert "<script>alert" not in html
    assert html.count("<script") == 1  # only our own
    soup = BeautifulSoup(html, "html.parser")
    first = soup.select("svg .gebiete path")[0]
    assert first["aria-label"].startswith(BOESE)  # shown literally
    script = soup.find("script").string
    assert "alert" not in script and "Quartier" not in script


def test_links_make_areas_links_and_unsafe_links_are_dropped():
    links = {"01": "osterfeld.html", "02": "javascript:alert(1)", "03": " data:text/html,x"}
    soup = BeautifulSoup(karte(links=links), "html.parser")
    anchors = soup.select("svg .gebiete a")
    assert [a["href"] for a in anchors] == ["osterfeld.html"]
    assert anchors[0].get("aria-label", "").startswith(BOESE)
    assert anchors[0].path is not None and anchors[0].path.get("tabindex") is None
    assert "javascript" not in str(soup) and "data:text/html" not in str(soup)


def test_script_once_per_page():
    assert "<script" not in karte(mit_skript=False)
    assert skript_html().count("<script") == 1
    assert len(skript_html()) < 6000


def test_coordinates_are_whole_metres_in_the_view_box():
    html = karte()
    soup = BeautifulSoup(html, "html.parser")
    vb = [int(v) for v in soup.svg["viewbox"].split()]
    assert vb[:2] == [0, 0] and 2990 < vb[2] < 3010 and 1990 < vb[3] < 2010
    for p in soup.select("svg path"):
        assert re.fullmatch(r"(M-?\d+ -?\d+l[-\d ]+z)+", p["d"]), p["d"]


def test_area_borders_of_units_are_drawn():
    soup = BeautifulSoup(karte(grenzen_spalte="sozialraum_id"), "html.parser")
    assert len(soup.select("svg .grenzen path")) == 2


def test_missing_columns_and_bad_colours_are_german_errors():
    with pytest.raises(ValueError, match="fehlen die Spalten: gibtsnicht"):
        karte(felder=[("gibtsnicht", "X")])
    with pytest.raises(ValueError, match="Ungültige Farbe"):
        karte(farben={"hoch": "red;}</style>"})


def test_scrolling_table_frames_become_focusable_regions():
    soup = BeautifulSoup(
        '<div class="tabelle"><table><caption>Anteile</caption></table></div>'
        '<div class="tabelle"><table></table></div>',
        "html.parser",
    )
    tabellen_fokussierbar(soup)
    first, second = soup.select("div.tabelle")
    assert first["tabindex"] == "0" and first["role"] == "region"
    assert soup.find(id=first["aria-labelledby"]).get_text() == "Anteile"
    assert second["aria-label"] == "Tabelle 2"


@pytest.fixture(scope="module")
def berlin():
    from sozialraum.compute.store import prepare
    from sozialraum.config import load_config

    return prepare(load_config(ROOT / "examples" / "berlin-mss-2021" / "berlin.toml"))


def test_berlin_city_map_stays_small(berlin):
    cfg = berlin.cfg
    links = {str(s.id): f"{s.slug}.html" for s in cfg.sozialraeume}
    html = stadtkarte_interaktiv(cfg, berlin.inputs.quartiere, berlin.result.index, links=links)
    soup = BeautifulSoup(html, "html.parser")
    areas = soup.select("svg .gebiete a")
    assert len(areas) == len(berlin.inputs.quartiere) == 542
    assert len(html.encode()) < 400_000, len(html.encode())
    assert {a["href"] for a in areas} == set(links.values())
    assert len(soup.select("svg .grenzen path")) == len(cfg.sozialraeume)


def test_report_map_shows_classes_and_published_shares_only(cfg):
    """The map of one unit: its areas only, status, dynamics, shares; withheld shares as •."""
    import pandas as pd

    from sozialraum.present.interaktiv import quartierskarte_interaktiv

    g = gebiete(6)
    index = pd.DataFrame(
        {
            "quartier_id": g["quartier_id"],
            "quartier": g["quartier"],
            "sozialraum_id": g["sozialraum_id"],
            "einwohner": [1000.0 * (i + 1) for i in range(6)],
            "status_klasse": ["mittel"] * 6,
            "dynamik_klasse": ["stabil"] * 6,
            "ausgeschlossen": [False] * 5 + [True],
        }
    )
    jahr = cfg.methode.berichtsjahr
    ind = cfg.indikatoren[0]
    werte = pd.DataFrame(
        {
            "quartier_id": ["01", "02", "03", "01", "06"],
            "jahr": [jahr, jahr, jahr, jahr - 1, jahr],
            "indikator": [ind.id] * 5,
            "anteil": [12.34, float("nan"), 7.0, 99.0, 0.0],
            "unterdrueckt": [False, True, False, False, False],
        }
    )
    html = quartierskarte_interaktiv(cfg, g, index, werte, sozialraum_id="1", jahr=jahr)
    soup = BeautifulSoup(html, "html.parser")
    tips = {a["data-gebiet"]: a.find("title").get_text() for a in soup.select("[data-gebiet]")}
    assert sorted(tips) == ["01", "02", "03"]  # only unit 1
    assert f"{ind.kurz} {jahr}: 12,3 %" in tips["01"].splitlines()
    assert f"{ind.kurz} {jahr}: •" in tips["02"].splitlines()  # withheld, as in the tables
    assert "99,0" not in html  # another year's value is not shown
    assert "Status: mittel" in tips["03"] and "Dynamik: stabil" in tips["03"]
    assert "<script>alert" not in html.split("<script>\n", 1)[0]  # the hostile name is escaped
    whole = quartierskarte_interaktiv(cfg, g, index, werte, jahr=jahr, mit_skript=False)
    wsoup = BeautifulSoup(whole, "html.parser")
    assert len(wsoup.select("[data-gebiet]")) == 6 and wsoup.find("script") is None
    excluded = wsoup.find(attrs={"data-gebiet": "06"}).find("title").get_text()
    # an excluded area reads as in the static maps and tables, and shows no share
    assert "Status: nicht bewertet" in excluded
    assert ind.kurz not in excluded and "0,0" not in excluded
