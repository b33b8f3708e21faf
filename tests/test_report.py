"""Report sections on a mini city: missing event data, missing Handlungsempfehlungen, parameters."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from fixtures_city import FILES, make_city

from sozialraum.config import ConfigError
from sozialraum.report import Gesamtstadtbericht, Sozialraumbericht


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


def test_bild_dpi_sharpens_figures_without_changing_their_size(city):
    def first_img(dpi):
        html = Sozialraumbericht.laden("Nord", config=city, dpi=dpi).lage().data
        return BeautifulSoup(html, "html.parser").find("img")

    normal, sharp = first_img(110), first_img(220)
    assert normal["width"] == sharp["width"]
    assert len(sharp["src"]) > 1.5 * len(normal["src"])
