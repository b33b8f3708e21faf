import tomllib
from pathlib import Path

import pytest

from sozialraum.config import Begriff, Begriffe, Veranstaltungsart
from sozialraum.names import NameMatcher, benannt, closest, normalize_header, normalize_name


def test_umlaut_spellings_hyphens_and_case_share_one_key():
    assert normalize_name("Lirich Sued") == normalize_name("Lirich-Süd") == "lirichsued"
    assert normalize_name("WALSUMER MARK") == normalize_name("Walsumermark")
    assert normalize_name("Osterfeld-Mitte / Vonderort") == normalize_name(
        "Osterfeld-Mitte/Vonderort"
    )
    assert normalize_name("Straße") == normalize_name("Strasse")


def test_headers_are_normalised_to_contract_names():
    assert normalize_header(" Zähler ") == "zaehler"
    assert normalize_header("\ufeffQuartier ID") == "quartier_id"


def test_matcher_resolves_unambiguous_spellings():
    m = NameMatcher(["Lirich-Süd", "Lirich-Nord", "Innenstadt"])
    assert m.match("Lirich-Süd").art == "exakt"
    hit = m.match("lirich sued")
    assert (hit.name, hit.art) == ("Lirich-Süd", "normalisiert")


def test_matcher_refuses_ambiguous_keys():
    m = NameMatcher(["Holten-Süd", "Holten Sued"])
    hit = m.match("holten süd ")
    assert hit.name is None and hit.art == "mehrdeutig"
    assert set(hit.kandidaten) == {"Holten-Süd", "Holten Sued"}


def test_misspelling_is_unknown_with_a_suggestion():
    m = NameMatcher(["Lirich-Süd", "Lirich-Nord", "Innenstadt"])
    hit = m.match("Lirch-Süd")
    assert not hit.ok and hit.art == "unbekannt" and hit.vorschlag == "Lirich-Süd"
    assert m.match("Xyzzy").vorschlag is None


def test_closest_works_on_normalised_keys():
    assert closest("zaeler", ["zaehler", "nenner"]) == "zaehler"
    assert closest("Sterkrade Nord", ["Sterkrade-Nord", "Sterkrade-Mitte"]) == "Sterkrade-Nord"


# -- names in sentences: the noun carries the article, so every name reads right --------------
BERLIN = Path(__file__).resolve().parents[1] / "examples" / "berlin-mss-2021" / "berlin.toml"


def _berlin_begriffe() -> Begriffe:
    """Berlin's own words, read from the example config (Bezirk, Planungsraum)."""
    return Begriffe(**tomllib.loads(BERLIN.read_text(encoding="utf-8"))["begriffe"])


@pytest.mark.parametrize(
    ("name", "erwartet"),
    [
        # names that take an article in German ("die Innenstadt", "die Neue Mitte") and names
        # that take none ("Alstaden") read correctly alike, because the article is the noun's
        ("Innenstadt", "das Sozialquartier Innenstadt"),
        ("Neue Mitte", "das Sozialquartier Neue Mitte"),
        ("Alstaden-Ost", "das Sozialquartier Alstaden-Ost"),
        ("Marxloh", "das Sozialquartier Marxloh"),
    ],
)
def test_benannt_puts_the_city_noun_with_its_article_before_any_name(name, erwartet):
    assert benannt(name, Begriffe().gebiet) == erwartet


def test_benannt_uses_the_gender_and_case_of_the_configured_noun():
    b = _berlin_begriffe()
    assert benannt("Mitte", b.einheit) == "der Bezirk Mitte"
    assert benannt("Mitte", b.einheit, "dativ") == "dem Bezirk Mitte"
    assert benannt("Mitte", b.einheit, "akkusativ") == "den Bezirk Mitte"
    assert benannt("Unter den Linden", b.gebiet) == "der Planungsraum Unter den Linden"
    # several names: the plural, and the dative plural ends in -n
    assert benannt(["Moabit West", "Tiergarten Süd"], b.gebiet) == (
        "die Planungsräume Moabit West und Tiergarten Süd"
    )
    assert benannt(["A", "B", "C"], b.gebiet, "dativ") == "den Planungsräumen A, B und C"
    assert benannt(["A", "B"], Begriffe().gebiet, "dativ") == "den Sozialquartieren A und B"
    region = Begriff(name="Region", mehrzahl="Regionen", genus="f")
    assert benannt("Innenstadt", region, "dativ") == "der Region Innenstadt"
    assert benannt(["A", "B"], region, "dativ") == "den Regionen A und B"  # no second -n
    konferenz = Veranstaltungsart(name="Sozialraumkonferenz", mehrzahl="Sozialraumkonferenzen")
    assert benannt("Nord", konferenz, "akkusativ") == "die Sozialraumkonferenz Nord"


def test_benannt_refuses_an_empty_list():
    with pytest.raises(ValueError, match="mindestens einen Namen"):
        benannt([], Begriffe().gebiet)
