"""Report sections on a mini city: missing event data, missing Handlungsempfehlungen, parameters."""

import datetime as dt
import re

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from fixtures_city import FILES, make_city, quartiere_gdf

from sozialraum.config import ConfigError
from sozialraum.publish.gesamtstadtbericht import Gesamtstadtbericht
from sozialraum.publish.sozialraumbericht import Sozialraumbericht


def _without_sued(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if "sued" not in line) + "\n"


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """Süd has had no event yet and has no Handlungsempfehlungen."""
    tmp = tmp_path_factory.mktemp("stadt")
    return make_city(
        tmp,
        config=lambda t: t.replace(
            'slug = "sued"\ntermine = [{ runde = 2, datum = "2023-10" }]',
            'slug = "sued"\ntermine = []',
        ),
        veranstaltungen=_without_sued,
        abstimmungen=_without_sued,
        karten=_without_sued,
        feedback=lambda t: t.splitlines()[0] + "\n",
        handlungsempfehlungen=lambda t: "\n".join(t.splitlines()[:2]) + "\n",
    )


def _text(html) -> str:
    return BeautifulSoup(html.data, "html.parser").get_text(" ")


def test_fixture_really_removes_sued():
    assert "2023-sued" in FILES["veranstaltungen"]
    assert "2023-sued" not in _without_sued(FILES["veranstaltungen"])


def test_sozialraum_without_event_says_so_in_every_event_section(city):
    bericht = Sozialraumbericht.laden("Süd", config=city)
    assert "Für den Sozialraum Süd ist noch keine Veranstaltung erfasst" in _text(bericht.titel())
    assert "noch keine Veranstaltung erfasst" in _text(bericht.veranstaltung())
    assert "keine Ja/Nein-Abstimmungen" in _text(bericht.bekanntheit())
    assert "Keine Moderationskarten erfasst" in _text(bericht.moderationskarten())
    assert "Kein Feedback erfasst" in _text(bericht.feedback())
    assert "keine Handlungsempfehlungen erfasst" in _text(bericht.handlungsempfehlungen())


def test_sozialraum_with_event_shows_it(city):
    bericht = Sozialraumbericht.laden("Nord", config=city)
    assert "88 Teilnehmende" in _text(bericht.veranstaltung())
    assert "KIM Case-Management" in _text(bericht.bekanntheit())
    assert "Angebote bündeln" in _text(bericht.handlungsempfehlungen())


def test_banner_follows_invented_records(city):
    bericht = Sozialraumbericht.laden("Nord", config=city)
    assert bericht.data.inputs.erfunden
    assert "Beispieldaten" in _text(bericht.titel())


def test_summary_sentences_come_from_the_data(city):
    text = _text(Sozialraumbericht.laden("Nord", config=city).auf_einen_blick())
    assert "Auf einen Blick" in text and "Nord" in text and "88 Teilnehmende" in text


def test_default_sozialraum_is_the_first_of_the_config(city):
    assert Sozialraumbericht.laden(config=city).sozialraum_id == "1"


def test_unknown_sozialraum_parameter_lists_valid_names(city):
    with pytest.raises(ConfigError, match='Gültig sind: "Nord", "Süd"'):
        Sozialraumbericht.laden("Ost", config=city)


def test_report_year_without_previous_year_is_refused(city):
    with pytest.raises(ConfigError, match="Gültig sind .*2023"):
        Sozialraumbericht.laden("Nord", berichtsjahr=2020, config=city)


def test_datenstand_names_statistics_event_and_status_dates(city):
    """Nord: event 06.09.2023; its one Handlungsempfehlung has a status known by month only."""
    text = " ".join(_text(Sozialraumbericht.laden("Nord", config=city).methodik()).split())
    assert "Statistik der Sozialbericht-Jahre 2020 und 2023 (Berichtsjahr 2023)" in text
    assert "letzte Veranstaltung am 06.09.2023" in text  # the config names no event: default
    assert "Handlungsempfehlungen mit Stand bis Februar 2023" in text
    assert f"Bericht erstellt am {dt.date.today():%d.%m.%Y}" in text
    assert "Grenzen bei \u22121,0" in text, "a real minus sign, as in the tables"
    city_text = " ".join(_text(Gesamtstadtbericht.laden(config=city).methodik()).split())
    assert "letzte Veranstaltung am 06.09.2023" in city_text  # Süd has none yet
    assert "Handlungsempfehlungen mit Stand bis Februar 2023" in city_text


def test_sozialraum_without_event_or_recommendations_has_a_shorter_datenstand(city):
    text = " ".join(_text(Sozialraumbericht.laden("Süd", config=city).methodik()).split())
    assert "Datenstand: Statistik der" in text
    assert "Veranstaltung" not in text.split("Datenstand:")[1]
    assert "Handlungsempfehlungen mit Stand" not in text


def test_city_overview_lists_every_sozialraum_and_recommendation_state(city):
    bericht = Gesamtstadtbericht.laden(config=city)
    assert "2 Sozialräume" in _text(bericht.titel())
    he = _text(bericht.handlungsempfehlungen())
    assert "Nord" in he and "in Umsetzung" in he


def test_bild_dpi_sharpens_figures_without_changing_their_size(city, monkeypatch):
    from sozialraum.present import figures

    def first(dpi, name):
        html = Sozialraumbericht.laden("Nord", config=city, dpi=dpi).lage().data
        return BeautifulSoup(html, "html.parser").find(name)

    # SVG figures are sharp at any resolution: bild_dpi changes nothing
    assert str(first(110, "svg")) == str(first(300, "svg"))
    # a figure too large for SVG is a PNG of at least PRINT_DPI, sharper with more bild_dpi
    monkeypatch.setattr(figures, "SVG_BUDGET", 0)
    normal, sharp = first(110, "img"), first(400, "img")
    assert normal["width"] == sharp["width"]
    assert len(sharp["src"]) > 1.5 * len(normal["src"])


# -- a real city's shape by configuration alone: Bezirk/Planungsraum, published shares and
#    changes, a validity column, no events, no Handlungsempfehlungen, no invented records ----
BERLIN_ARTIG = """\
[stadt]
name = "Musterstadt"
crs = "EPSG:25832"
geometrie_version = "Testgeometrie v1"
quellenangabe = "Datenquelle: Testamt Musterstadt, Monitoring 2021."

[begriffe]
einheit = { name = "Bezirk", mehrzahl = "Bezirke", genus = "m" }
gebiet = { name = "Planungsraum", mehrzahl = "Planungsräume", genus = "m" }
index = "Index Soziale Ungleichheit"
reihe = "Monitoring Soziale Stadtentwicklung"
ausgabe = "MSS 2021"
vergleichbare_verfahren = ["Sozialindex der Stadt Oberhausen"]

[[sozialraeume]]
id = "1"
name = "Nord"
slug = "nord"

[[sozialraeume]]
id = "2"
name = "Süd"
slug = "sued"

[[indikatoren]]
id = "s1"
label = "Arbeitslosigkeit"
kurz = "Arbeitslosigkeit"
beschreibung = "Anteil der Arbeitslosen an den Einwohner*innen von 15 bis unter 65 Jahren"
eingabe = "anteil"
veraenderung = "veroeffentlicht"
spalten = { anteil = "S1", veraenderung = "D1" }

[[indikatoren]]
id = "s4"
label = "Kinderarmut"
kurz = "Kinderarmut"
beschreibung = "Anteil der unter 15-Jährigen in Bedarfsgemeinschaften nach SGB II"
eingabe = "anteil"
veraenderung = "veroeffentlicht"
spalten = { anteil = "S4", veraenderung = "D4" }

[methode]
jahre = [2020]
berichtsjahr = 2020
vergleichsjahr = 2018
kombination = "summe"
erneut_standardisieren = true
mindestbevoelkerung = 0
sortierung = "id"

[methode.status]
schwellen = [-1.0, 1.0]
labels = ["hoch", "mittel", "niedrig"]
farben = ["#eeeeee", "#999999", "#333333"]

[methode.dynamik]
schwellen = [-1.0, 1.0]
labels = ["positiv", "stabil", "negativ"]
farben = ["#2166ac", "#f7f7f7", "#b2182b"]

[eingaben]
geometrie = "../geo/quartiere.gpkg"

[eingaben.bevoelkerung]
datei = "../data/bevoelkerung.csv"
spalten = { quartier_id = "PLR_ID", einwohner = "EW" }
jahr = 2020
fehlwerte = ["-9999"]

[eingaben.indikatoren]
datei = "../data/indikatoren.csv"
form = "breit"
spalten = { quartier_id = "PLR_ID" }
jahr = 2020
fehlwerte = ["-9999"]
gueltigkeit = { spalte = "KOM", gueltig = ["gültig"] }
"""
BERLIN_BEV = "PLR_ID;EW\n01;5200\n02;4100\n03;8300\n04;250\n"
# 03 lacks one value ("keine Angabe"), 04 is invalid by the data's own column ("nicht bewertet")
BERLIN_IND = (
    "PLR_ID;S1;D1;S4;D4;KOM\n"
    "01;6,5;0,3;20,1;-1,2;gültig\n"
    "02;4,1;-0,2;12,0;0,4;gültig\n"
    "03;8,2;0,5;-9999;1,1;gültig\n"
    "04;-9999;-9999;-9999;-9999;ungültig (EW unter 300)\n"
)
EVENT_FILES = (
    "veranstaltungen",
    "stationen",
    "angebote",
    "fragen",
    "abstimmungen",
    "karten",
    "feedback",
    "kanalregeln",
)
VERBOTEN = re.compile(r"Sozialr[aä]um|Sozialquartier|Sozialbericht")


def make_berlin_like(tmp, config=None):
    """The mini city as Berlin publishes: Bezirke of Planungsräume, no events, real data."""
    text = BERLIN_ARTIG if config is None else config(BERLIN_ARTIG)
    return make_city(
        tmp,
        config=lambda _t: text,
        geometrie=quartiere_gdf().drop(columns="erfunden"),
        bevoelkerung=BERLIN_BEV,
        indikatoren=BERLIN_IND,
        handlungsempfehlungen=None,
        **dict.fromkeys(EVENT_FILES),
    )


@pytest.fixture(scope="module")
def berlin(tmp_path_factory):
    return make_berlin_like(tmp_path_factory.mktemp("berlin"))


SR_ABSCHNITTE = (
    "titel",
    "auf_einen_blick",
    "lage",
    "sozialindex",
    "indikatoren",
    "veranstaltung",
    "bekanntheit",
    "moderationskarten",
    "feedback",
    "handlungsempfehlungen",
    "methodik",
)
GS_ABSCHNITTE = (
    "titel",
    "auf_einen_blick",
    "sozialindex",
    "indikatoren",
    "bekanntheit",
    "handlungsempfehlungen",
    "methodik",
)


def _page(bericht, abschnitte) -> str:
    return "\n".join(getattr(bericht, a)().data for a in abschnitte)


def _clean(html: str) -> str:
    return " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())


def _own_text(html: str) -> str:
    """Visible text, captions and tables of a page (the maps' alt texts are the maps' own)."""
    return " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())


def test_berlin_like_reports_use_the_configured_words_only(berlin):
    sr = Sozialraumbericht.laden("Süd", config=berlin)
    gs = Gesamtstadtbericht.laden(config=berlin)
    for bericht, abschnitte in ((sr, SR_ABSCHNITTE), (gs, GS_ABSCHNITTE)):
        text = _own_text(_page(bericht, abschnitte))
        found = VERBOTEN.findall(text)
        assert not found, f"{type(bericht).__name__}: {sorted(set(found))}"
        assert "Sozialbericht 2018" not in text and "MSS 2021" in text
        assert "Planungsr" in text and "Bezirk" in text
    sr_text = _own_text(_page(sr, ("titel", "auf_einen_blick", "sozialindex", "indikatoren")))
    assert "Bezirk Süd" in sr_text
    assert "Index Soziale Ungleichheit 2020: Planungsräume in Süd" in sr_text
    assert "Veränderung 2018–2020 (veröffentlicht)" in sr_text
    assert "Dynamikindex 2018–2020 (veröffentlichte Veränderung)" in sr_text
    assert "Werte des Bezirks und der Stadt" in sr_text  # genitive of a masculine noun
    gs_text = _own_text(_page(gs, ("titel", "auf_einen_blick", "indikatoren")))
    assert "alle Bezirke im Vergleich" in gs_text and "2 Bezirke" in gs_text
    assert "Indikatoren nach Bezirk" in gs_text


def test_berlin_like_summary_speaks_of_the_published_change(berlin):
    text = _clean(Sozialraumbericht.laden("Nord", config=berlin).auf_einen_blick().data)
    assert "Von 2018 bis 2020 ist dieser Anteil in Nord um" in text
    assert "veröffentlichte Veränderung" in text
    assert "Seit dem" not in text and "2018 auf" not in text  # no share of 2018 is invented
    assert "Planungsräume" in text or "Planungsraum" in text


def test_index_page_helpers_use_the_configured_words(berlin):
    from sozialraum.publish.bericht import (
        berichtstitel,
        gesamtstadt_beschreibung,
        index_beschreibung,
    )
    from sozialraum.publish.startseite import startseitentitel

    data = Sozialraumbericht.laden("Nord", config=berlin).data
    assert index_beschreibung(data, "1") == "2 Planungsräume"  # and no event line
    assert berichtstitel(data.cfg, "nord") == "Bezirk Nord"
    assert berichtstitel(data.cfg) == "Gesamtstadt Musterstadt"
    assert startseitentitel(data.cfg) == "Berichte der Bezirke – Musterstadt, MSS 2021"
    assert gesamtstadt_beschreibung(data.cfg) == "Alle Bezirke im Vergleich"


def test_index_page_template_takes_the_configured_words(berlin):
    import jinja2

    from sozialraum.resources import TEMPLATES_DIR

    cfg = Sozialraumbericht.laden("Nord", config=berlin).cfg
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    common = dict(
        lang="de",
        titel="T",
        herausgeber="",
        fussnote="",
        gesamtstadt=[],
        sozialraeume=[{"href": "nord.html", "titel": "Bezirk Nord", "beschreibung": ""}],
        karte="",
        css="",
        beispieldaten=False,
        version="0",
    )
    page = env.get_template("startseite.html.j2").render(
        **common, begriffe=cfg.begriffe, quellenangabe=cfg.stadt.quellenangabe
    )
    assert '<h2 id="sozialraeume">Bezirke</h2>' in page
    assert cfg.stadt.quellenangabe in page
    # without the new variables the page keeps its old wording
    assert "Sozialräume</h2>" in env.get_template("startseite.html.j2").render(**common)


def test_city_without_events_shows_no_event_section_at_all(berlin):
    from sozialraum.publish.export import add_table_of_contents

    sr = Sozialraumbericht.laden("Nord", config=berlin)
    for a in ("veranstaltung", "bekanntheit", "moderationskarten", "feedback"):
        assert getattr(sr, a)().data == "", a
    assert sr.handlungsempfehlungen().data == ""
    gs = Gesamtstadtbericht.laden(config=berlin)
    assert gs.bekanntheit().data == "" and gs.handlungsempfehlungen().data == ""
    for bericht, abschnitte in ((sr, SR_ABSCHNITTE), (gs, GS_ABSCHNITTE)):
        page = (
            '<html><body><!-- sozialraum:inhaltsverzeichnis --><main id="inhalt">'
            + _page(bericht, abschnitte)
            + "</main></body></html>"
        )
        soup = BeautifulSoup(add_table_of_contents(page), "html.parser")
        toc = " ".join(a.get_text() for a in soup.find("nav").find_all("a"))
        for word in ("Veranstaltung", "Bekanntheit", "Moderationskarten", "Feedback", "Handlungs"):
            assert word not in toc, (type(bericht).__name__, word, toc)
        text = _clean(page)
        for phrase in ("Veranstaltung", "Handlungsempfehlung", "deshalb stehen", "Teilnehmende"):
            assert phrase not in text, (type(bericht).__name__, phrase)
        headings = [h.get_text(strip=True) for h in soup.find_all(["h2", "h3", "h4"])]
        assert all(headings), "no empty headings"


@pytest.fixture(scope="module")
def ohne_he(tmp_path_factory):
    """Events, but the city keeps no Handlungsempfehlungen."""
    return make_city(
        tmp_path_factory.mktemp("ohne_he"),
        config=lambda t: t.replace(
            'handlungsempfehlungen = "../data/handlungsempfehlungen.csv"\n', ""
        ),
        handlungsempfehlungen=None,
    )


def test_events_without_recommendations_show_events_but_no_recommendation_section(ohne_he):
    sr = Sozialraumbericht.laden("Nord", config=ohne_he)
    assert sr.cfg.eingabe("handlungsempfehlungen") is None
    assert sr.handlungsempfehlungen().data == ""
    assert "88 Teilnehmende" in _clean(sr.veranstaltung().data)
    blick = _clean(sr.auf_einen_blick().data)
    assert "Handlungsempfehlung" not in blick and "88 Teilnehmende" in blick
    assert "deshalb stehen in diesem Bericht die Ergebnisse der" in _clean(sr.methodik().data)
    gs = Gesamtstadtbericht.laden(config=ohne_he)
    assert gs.handlungsempfehlungen().data == ""
    assert "Handlungsempfehlung" not in _clean(gs.titel().data + gs.auf_einen_blick().data)


def test_method_text_follows_the_configured_method(berlin, city):
    text = _clean(Sozialraumbericht.laden("Nord", config=berlin).methodik().data)
    assert "Der Index Soziale Ungleichheit fasst 2 Indikatoren je Planungsraum zusammen" in text
    assert "Der Statusindex ist die Summe der z-Werte" in text
    assert "ist der Summe" not in text
    assert (
        "der Dynamikindex die Summe der z-standardisierten veröffentlichten Veränderungen" in text
    )
    assert "erneut z-standardisiert" in text and "nicht erneut" not in text
    assert "Spalte „KOM“" in text and "„gültig“" in text
    assert "Einwohner*innen gehen nicht in die Standardisierung ein" not in text  # minimum 0
    assert "Fallzahlen unter" not in text  # no counts, nothing to withhold
    assert "mit der Einwohnerzahl gewichtete Mittel" in text
    assert "Vergleichbare Verfahren: Sozialindex der Stadt Oberhausen." in text
    assert "Monitoring Soziale Stadtentwicklung (Berlin)" not in text
    assert "Datenquelle: Testamt Musterstadt, Monitoring 2021." in text
    assert "Statistik: MSS 2021 (Berichtsjahr 2020, Veränderung 2018–2020 veröffentlicht)" in text
    assert "deshalb stehen" not in text
    assert "1 Planungsraum „nicht bewertet“ und 1 Planungsraum ohne Angabe" in text
    soup = BeautifulSoup(
        Sozialraumbericht.laden("Nord", config=berlin).methodik().data, "html.parser"
    )
    head = [th.get_text() for th in soup.find("table").find("thead").find_all("th")]
    assert "Beschreibung" in head and "Zähler" not in head
    assert "veröffentlicht (2018–2020)" in soup.find("table").get_text()

    own = _clean(Sozialraumbericht.laden("Nord", config=city).methodik().data)
    assert "Der Statusindex ist der Mittelwert der z-Werte" in own
    assert "nicht erneut standardisiert" in own
    assert "Sozialquartiere mit weniger als 300 Einwohner*innen gehen nicht" in own
    assert "Fallzahlen unter 3" in own and "gewichtete Mittel" not in own
    assert "Spalte" not in own
    assert "Vergleichbare Verfahren: Monitoring Soziale Stadtentwicklung (Berlin)" in own
    soup = BeautifulSoup(
        Sozialraumbericht.laden("Nord", config=city).methodik().data, "html.parser"
    )
    head = [th.get_text() for th in soup.find("table").find("thead").find_all("th")]
    assert "Zähler" in head and "Nenner" in head and "Beschreibung" not in head
    assert "berechnet aus 2020 und 2023" in soup.find("table").get_text()


def test_method_text_fixed_thresholds_and_listed_exclusions(tmp_path):
    def edit(t):
        t = t.replace(
            "vergleichsjahr = 2020\n",
            'vergleichsjahr = 2020\nkombination = "summe"\nmindestbevoelkerung = 0\n'
            'ausgeschlossen = [{ quartier_id = "02", grund = "Erstaufnahmeeinrichtung" }]\n',
        )
        return t.replace("[methode.status]\n", '[methode.status]\nschwellen_typ = "fest"\n', 1)

    cfg_path = make_city(tmp_path, config=edit)
    text = _clean(Sozialraumbericht.laden("Nord", config=cfg_path).methodik().data)
    assert (
        "Von der Standardisierung ausgenommen sind: Lirich-Süd (02): Erstaufnahmeeinrichtung"
        in text
    )
    assert (
        "Klassen des Statusindex: Grenzen bei −1,00 und +1,00 Indexpunkten (feste Grenzen)" in text
    )
    assert "Klassen des Dynamikindex: Grenzen bei −1,0 und +1,0 Standardabweichungen" in text
    assert "Einwohner*innen gehen nicht" not in text
    table = _clean(Sozialraumbericht.laden("Nord", config=cfg_path).sozialindex().data)
    assert "Erstaufnahmeeinrichtung" in table


def _rows(html: str, caption_start: str):
    soup = BeautifulSoup(html, "html.parser")
    for t in soup.find_all("table"):
        if t.find("caption").get_text().startswith(caption_start):
            head = [th.get_text() for th in t.find("thead").find_all("th")]
            body = [
                [c.get_text() for c in tr.find_all(["th", "td"])]
                for tr in t.find("tbody").find_all("tr")
            ]
            return head, body
    raise AssertionError(f"no table {caption_start}")


def test_excluded_and_missing_areas_show_their_one_reason(berlin):
    sued = Sozialraumbericht.laden("Süd", config=berlin).sozialindex().data
    head, body = _rows(sued, "Index Soziale Ungleichheit 2020")
    assert head[:2] == ["Planungsraum", "Planungsraum-ID"] and head[-1] == "Hinweis"
    rows = {r[1]: r for r in body}
    assert rows["04"][head.index("Status")] == "nicht bewertet"
    assert rows["04"][-1] == "ungültig (EW unter 300)"
    assert rows["03"][head.index("Status")] == "keine Angabe"
    assert rows["03"][-1] == "kein Wert 2020 für Kinderarmut"
    nord = Sozialraumbericht.laden("Nord", config=berlin).sozialindex().data
    head, _ = _rows(nord, "Index Soziale Ungleichheit 2020")
    assert "Hinweis" not in head, "no empty note column"


def _csv_links(html: str) -> dict[str, str]:
    import base64

    soup = BeautifulSoup(html, "html.parser")
    return {
        a["download"]: base64.b64decode(a["href"].split(",", 1)[1]).decode("utf-8-sig")
        for a in soup.find_all("a", download=True)
    }


def test_downloads_carry_unit_slug_year_and_area_id(berlin):
    sr = Sozialraumbericht.laden("Süd", config=berlin)
    links = _csv_links(sr.sozialindex().data + sr.indikatoren().data)
    assert {"sozialindex-sued-2020.csv", "indikator-s1-sued-2020.csv"} <= set(links)
    assert links["sozialindex-sued-2020.csv"].startswith("Planungsraum;Planungsraum-ID;")
    assert "\r\nMühlenfeld;03;" in links["sozialindex-sued-2020.csv"]
    assert links["indikator-s1-sued-2020.csv"].startswith("gebiet_id;gebiet;ebene;indikator;")
    gs = Gesamtstadtbericht.laden(config=berlin)
    assert "sozialindex-gesamtstadt-2020.csv" in _csv_links(gs.sozialindex().data)


@pytest.mark.parametrize(
    ("sortierung", "erwartet"),
    [
        ("id", ["01", "02", "03", "04"]),
        ("name", ["01", "02", "03", "04"]),  # Altstadt, Lirich-Süd, Mühlenfeld, Weststadt
        ("klasse", None),
    ],
)
def test_area_tables_follow_the_configured_order(tmp_path, sortierung, erwartet):
    cfg_path = make_berlin_like(
        tmp_path, config=lambda t: t.replace('sortierung = "id"', f'sortierung = "{sortierung}"')
    )
    gs = Gesamtstadtbericht.laden(config=cfg_path)
    head, body = _rows(gs.sozialindex().data, "Index Soziale Ungleichheit 2020")
    ids = [r[1] for r in body]
    if erwartet is not None:
        assert ids == erwartet
    else:
        labels = gs.cfg.methode.status.labels
        stufe = [
            labels.index(r[head.index("Status")]) if r[head.index("Status")] in labels else -1
            for r in body
        ]
        rated = [s for s in stufe if s >= 0]
        assert rated == sorted(rated, reverse=True), "worst class first"
        assert stufe[-2:] == [-1, -1], "areas without a class last"
    csv = _csv_links(gs.sozialindex().data)["sozialindex-gesamtstadt-2020.csv"]
    assert [line.split(";")[1] for line in csv.splitlines()[1:]] == ids, "CSV in the same order"


def test_real_data_get_no_sample_banner(berlin):
    bericht = Sozialraumbericht.laden("Nord", config=berlin)
    assert not bericht.data.inputs.erfunden
    assert "Beispieldaten" not in _clean(bericht.titel().data)
    assert "Beispieldaten" not in _clean(Gesamtstadtbericht.laden(config=berlin).titel().data)


# -- number keys of the maps ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def grossstadt(tmp_path_factory):
    """A synthetic city of 90 areas in two units: most names do not fit and become numbers."""
    from sozialraum import synthetic

    return synthetic.make_city(tmp_path_factory.mktemp("gross"), areas=90, units=2, seed=3)


def test_map_numbers_are_explained_by_one_compact_key_table_per_section(grossstadt):
    from sozialraum.present import kartenbasis, maps

    bericht = Sozialraumbericht.laden(config=grossstadt)
    html = bericht.sozialindex().data
    soup = BeautifulSoup(html, "html.parser")
    keys = [
        t
        for t in soup.find_all("table")
        if t.find("caption").get_text().startswith("Tabelle zur Karte: Nummern der ")
    ]
    assert len(keys) == 1, "the three class maps share their numbers: one key per section"
    key = keys[0]
    caption = key.find("caption").get_text()
    assert caption.startswith(f"Tabelle zur Karte: Nummern der {bericht.b.gebiet.mehrzahl}")
    # right after the first map that draws numbers
    # (the interactive map comes first and needs no key: its areas name themselves)
    first_figure = next(f for f in soup.find_all("figure") if "ikarte" not in f.get("class", []))
    # on screen the static status map is for paper only: it stands in a div.nur-druck
    first_map = first_figure.find_parent("div", class_="nur-druck") or first_figure
    assert first_map.find_next_sibling(["figure", "div", "h3"]) is key.parent
    # every number drawn in any of the three maps is in the key, with its name and id
    q, ix = bericht.data.inputs.quartiere, bericht.data.result.index
    drawn = pd.concat(
        [
            kartenbasis.kartenschluessel(
                maps.class_map(bericht.cfg, q, ix, bericht.sozialraum_id, k)[0]
            )
            for k in ("status", "dynamik", "kombi")
        ]
    ).drop_duplicates("nummer")
    assert len(drawn) > 10
    cells = [td.get_text(" ", strip=True) for td in key.find("tbody").find_all("td")]
    numbers = {c for c in cells[0::2] if c}
    assert numbers == {str(n) for n in drawn["nummer"]}
    names = " ".join(cells[1::2])
    for name, qid in zip(drawn["quartier"], drawn["quartier_id"], strict=True):
        assert f"{name} ( {qid} )" in names or f"{name} ({qid})" in names
    # compact: several column pairs, far fewer rows than entries
    rows = key.find("tbody").find_all("tr")
    assert len(rows) <= len(drawn) / 2 + 1
    assert len(key.find("thead").find_all("th")) >= 4


def test_maps_without_numbers_get_no_key(city):
    html = Sozialraumbericht.laden("Nord", config=city).sozialindex().data
    assert "Tabelle zur Karte" not in BeautifulSoup(html, "html.parser").get_text()
    gs = Gesamtstadtbericht.laden(config=city).sozialindex().data
    assert "<caption>Tabelle zur Karte" not in gs


# -- the data behind every section: bericht.daten ----------------------------------------------
def test_daten_are_the_frames_the_sections_download(city):
    """What an analyst gets from ``bericht.daten`` is byte for byte what the page offers."""
    import dataclasses

    import geopandas as gpd

    from sozialraum.present.tables import csv_bytes, dateiname

    bericht = Sozialraumbericht.laden("Nord", config=city)
    d = bericht.daten
    raw = {}
    for html in (bericht.indikatoren(), bericht.moderationskarten(), bericht.feedback()):
        raw |= {
            a["download"]: a["href"].split(",", 1)[1]
            for a in BeautifulSoup(html.data, "html.parser").find_all("a", download=True)
        }

    def csv_of(name: str) -> bytes:
        import base64

        return base64.b64decode(raw[name])

    assert csv_of("feedbackwoerter-nord-2023.csv") == csv_bytes(d.feedback)
    assert not d.feedback.empty
    assert csv_of("indikatoren-entwicklung-nord-2023.csv") == csv_bytes(d.indikatoren)
    frage = d.karten["frage_id"].iloc[0]
    eigene = d.karten[d.karten["frage_id"] == frage][["station", "kategorie", "text"]]
    assert csv_of(dateiname("karten", frage, "nord", 2023)) == csv_bytes(eigene)
    # the same objects, not recomputed copies
    assert d.bekanntheit is bericht.bekanntheit_df and d.handlungsempfehlungen is bericht.he
    assert isinstance(d.quartiere, gpd.GeoDataFrame) and d.quartiere.geometry.notna().all()
    assert set(d.quartiere["sozialraum_id"]) == {bericht.sozialraum_id}
    # published only: no z-values or index values
    assert not {"statusindex", "dynamikindex", "z"} & set(d.quartiere.columns)
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.feedback = pd.DataFrame()


def test_daten_quartiere_hold_the_classes_of_the_index_table(city):
    bericht = Sozialraumbericht.laden("Nord", config=city)
    links = _csv_links(bericht.sozialindex().data)
    tabelle = pd.read_csv(
        __import__("io").StringIO(links["sozialindex-nord-2023.csv"]), sep=";", dtype=str
    )
    q = bericht.daten.quartiere
    assert list(tabelle["Sozialquartier"]) == list(q["quartier"])
    assert list(tabelle["Status"]) == list(q["status_klasse"])
    gs = Gesamtstadtbericht.laden(config=city).daten
    assert len(gs.quartiere) == len(quartiere_gdf()) and gs.karten.empty


# -- each result once --------------------------------------------------------------------------
def test_each_event_result_is_shown_once_with_its_table_on_request(city):
    bericht = Sozialraumbericht.laden("Nord", config=city)
    fb = BeautifulSoup(bericht.feedback().data, "html.parser")
    assert len(fb.find_all("figure")) == 1, "feedback: one chart, no word cloud"
    assert "Wortwolke" not in fb.get_text()
    assert fb.find("details").find("table") is not None
    assert all(t.find_parent("details") for t in fb.find_all("table"))
    mk = BeautifulSoup(bericht.moderationskarten().data, "html.parser")
    fragen = bericht.daten.karten["frage_id"].nunique()
    assert len(mk.find_all("figure")) == fragen
    # the per-channel table and the card lists only in a collapsed <details>
    kanal = mk.find_all("div", class_="kanalfrage")
    assert len(kanal) == fragen and all(k.find_parent("details") for k in kanal)
    assert all(d.get("open") is None for d in mk.find_all("details"))
    bk = BeautifulSoup(bericht.bekanntheit().data, "html.parser")
    assert len(bk.find_all("figure")) == 1 and bk.find("table").find_parent("details")


# -- the map in every report -------------------------------------------------------------------
def test_every_report_has_an_interactive_map_of_its_areas(city):
    bericht = Sozialraumbericht.laden("Nord", config=city)
    soup = BeautifulSoup(bericht.sozialindex().data, "html.parser")
    karte = soup.find("figure", class_="ikarte")
    own = bericht.daten.quartiere
    ids = [a["data-gebiet"] for a in karte.select("[data-gebiet]")]
    assert sorted(ids) == sorted(own["quartier_id"].astype(str))
    first = own.iloc[0]
    tip = karte.find(attrs={"data-gebiet": str(first["quartier_id"])}).find("title").get_text()
    assert tip.splitlines()[0] == first["quartier"]
    assert f"Status: {first['status_klasse']}" in tip
    assert soup.find("script") is None  # the template adds the tooltip script once per page
    stadt = BeautifulSoup(Gesamtstadtbericht.laden(config=city).sozialindex().data, "html.parser")
    assert len(stadt.find("figure", class_="ikarte").select("[data-gebiet]")) == len(
        quartiere_gdf()
    )


# -- the cover block and its logo --------------------------------------------------------------
def _logo_city(tmp_path, name: str, content: bytes | None):
    if content is not None:
        (tmp_path / "config" / name).parent.mkdir(parents=True, exist_ok=True)
    cfg = make_city(
        tmp_path,
        config=lambda t: t.replace("[stadt]\n", f'[stadt]\nlogo = "{name}"\n', 1),
    )
    if content is not None:
        (cfg.parent / name).write_bytes(content)
    return cfg


def _png() -> bytes:
    """A real PNG made here (the sample city has no coat of arms; none is invented)."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(0.5, 0.5))
    fig.patch.set_facecolor("#1a4f8b")
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def test_cover_names_city_title_edition_and_stand_and_embeds_the_logo(tmp_path):
    import base64

    png = _png()
    cfg = _logo_city(tmp_path, "wappen.png", png)
    html = Sozialraumbericht.laden("Nord", config=cfg).titel().data
    cover = BeautifulSoup(html, "html.parser").find("header", class_="deckblatt")
    assert cover.find("h1").get_text() == "Sozialraum Nord"
    stand = cover.find(class_="deckblatt-stand").get_text()
    assert re.search(r"Stand: \d\d\.\d\d\.\d{4}$", stand)
    img = cover.find("img")
    assert img["src"].startswith("data:image/png;base64,")
    assert base64.b64decode(img["src"].split(",", 1)[1]) == png
    assert img["alt"].startswith("Logo: ")
    gs = Gesamtstadtbericht.laden(config=cfg).titel().data
    assert 'class="deckblatt-logo" src="data:image/png;base64,' in gs


def test_svg_logo_is_an_img_data_uri_so_its_script_cannot_run(tmp_path):
    svg = (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b'<script>alert(1)</script><rect width="10" height="10"/></svg>'
    )
    cfg = _logo_city(tmp_path, "logo.svg", svg)
    html = Sozialraumbericht.laden("Nord", config=cfg).titel().data
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("img")["src"].startswith("data:image/svg+xml;base64,")
    assert soup.find("script") is None and "alert" not in html
    assert soup.find("svg") is None  # never inline, where a script would run


def test_cover_without_logo_has_no_image(city):
    cover = BeautifulSoup(Sozialraumbericht.laden("Nord", config=city).titel().data, "html.parser")
    assert cover.find("header", class_="deckblatt") is not None and cover.find("img") is None


@pytest.mark.parametrize(
    ("name", "content", "meldung"),
    [
        ("fehlt.png", None, "gibt es nicht"),
        ("wappen.png", b"kein Bild, nur Text", "ist kein Bild"),
    ],
)
def test_bad_logo_is_a_german_error_naming_the_key(tmp_path, name, content, meldung):
    cfg = _logo_city(tmp_path, name, content)
    with pytest.raises(ConfigError) as err:
        Sozialraumbericht.laden("Nord", config=cfg).titel()
    text = str(err.value)
    assert "[stadt] logo" in text and name in text and meldung in text


def test_names_notebooks_import_still_work():
    """The report notebooks, the analysis template and older copies of it import these."""
    import importlib

    report = importlib.import_module("sozialraum.report")
    legacy = importlib.import_module("sozialraum.maps")
    for name in ("Sozialraumbericht", "Gesamtstadtbericht", "Berichtsdaten", "klassen_farben"):
        assert callable(getattr(report, name)), name
    assert legacy.klassen_farben is report.klassen_farben
    assert report.Sozialraumbericht.laden.__qualname__ == "Sozialraumbericht.laden"
