"""Neighbours from the geometries, and the links every sample page carries (issue 17, item 6)."""

import geopandas as gpd
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from shapely.geometry import box

from sozialraum.compute.nachbarn import nachbarn
from sozialraum.compute.store import prepare


def test_units_sharing_a_border_are_neighbours_a_corner_is_not():
    # A is two areas (dissolved first); C touches A only at the corner (1, 1)
    gdf = gpd.GeoDataFrame(
        {"sozialraum_id": ["A", "A", "B", "C", "D"]},
        geometry=[
            box(0, 0, 0.5, 1),
            box(0.5, 0, 1, 1),
            box(1, 0, 2, 1),
            box(1, 1, 2, 2),
            box(5, 5, 6, 6),
        ],
    )
    assert nachbarn(gdf) == {"A": ["B"], "B": ["A", "C"], "C": ["B"], "D": []}


@pytest.fixture(scope="module")
def seiten(sample_render, cfg):
    _, folder = sample_render
    return {
        p.stem: BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser")
        for p in folder.glob("*.html")
        if p.stem != "index"
    }


def test_every_report_links_the_index_and_the_overview(seiten, cfg):
    assert set(seiten) == {s.slug for s in cfg.sozialraeume} | {"gesamtstadt"}
    for slug, soup in seiten.items():
        for nav in soup.select("nav.berichtsnavigation"):  # top and bottom
            hrefs = [a["href"] for a in nav.select("a")]
            assert "index.html" in hrefs, slug
            assert slug == "gesamtstadt" or "gesamtstadt.html" in hrefs, slug


def test_neighbours_are_the_units_touching_it_on_the_map(seiten, cfg):
    q = prepare(cfg).inputs.quartiere
    einheiten = {str(k): g.union_all() for k, g in q.groupby("sozialraum_id").geometry}
    slug_of = {str(s.id): s.slug for s in cfg.sozialraeume}
    for sid, geom in einheiten.items():
        # a shared border longer than a metre (EPSG:25832), computed here without the module
        erwartet = {
            slug_of[o]
            for o, g in einheiten.items()
            if o != sid and geom.boundary.intersection(g.boundary).length > 1
        }
        links = seiten[slug_of[sid]].select("nav.nachbarn a")
        assert {a["href"].removesuffix(".html") for a in links} == erwartet, sid
        assert erwartet  # every sample unit has a neighbour: the check is not empty


def test_auf_einen_blick_names_the_open_recommendations(seiten, cfg):
    he = pd.read_csv(cfg.datei("handlungsempfehlungen"), sep=";", dtype=str, encoding="utf-8-sig")
    for s in cfg.sozialraeume:
        blick = seiten[s.slug].select_one("ul.auf-einen-blick")
        text = " ".join(blick.get_text(" ").split())
        eigene = he[he["sozialraum_id"] == str(s.id)]
        offen = eigene[eigene["status"].isin(["offen", "in Umsetzung"])]
        for titel in offen["titel"]:
            assert f"„{titel}“" in text, (s.slug, titel)
        for titel in eigene.loc[eigene["status"] == "umgesetzt", "titel"]:
            assert f"„{titel}“" not in text, (s.slug, titel)
        if not offen.empty:
            ziel = blick.select_one("a")["href"].lstrip("#")
            assert seiten[s.slug].find(id=ziel).name == "h2"


def test_method_section_explains_its_terms_and_the_text_avoids_jargon(seiten):
    for slug, soup in seiten.items():
        terms = {d.get_text() for d in soup.select("dl.begriffe dfn")}
        assert {"z-standardisiert", "Prüfsumme", "Kennung des Datenstands"} <= terms, slug
        for a in soup.select("p.provenienz a[href^='#begriff-']"):
            assert soup.find(id=a["href"][1:]) is not None  # the link reaches its entry
        assert soup.select_one("p.provenienz abbr[title]").get_text() == "SHA-256"
        text = soup.get_text(" ")
        assert "Datenfingerabdruck" not in text and "Vertrauensbereich nach Wilson" not in text
