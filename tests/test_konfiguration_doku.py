"""docs/konfiguration.md: every config key described, the committed page current, anchors valid."""

from __future__ import annotations

import re

import pytest
from fixtures_city import make_city
from konfiguration import SEITE, seite

from sozialraum.config import Config, ConfigError, load_config
from sozialraum.config_doku import DOKU_SEITE, abschnitte, anker, felder, ohne_beschreibung


def test_every_key_reachable_from_config_has_a_description():
    assert ohne_beschreibung(Config) == []


def test_a_field_without_description_is_found():
    from pydantic import BaseModel

    class Innen(BaseModel):
        a: int = 1

    class Wurzel(BaseModel):
        innen: list[Innen] | None = None

    assert ohne_beschreibung(Wurzel) == ["Wurzel.innen", "Innen.a"]


def test_the_committed_page_is_what_the_script_generates_now():
    assert SEITE.read_text(encoding="utf-8") == seite(), (
        f"{DOKU_SEITE} ist veraltet: python scripts/konfiguration.py ausführen"
    )


def test_every_key_has_its_anchor_type_default_and_example_on_the_page():
    text = seite()
    ids = set(re.findall(r'<a id="([^"]+)"></a>', text))
    for a in abschnitte(Config):
        assert anker(a.model) in ids
        for name, _ in felder(a.model):
            assert anker(a.model, name) in ids
    entries = [line for line in text.splitlines() if line.startswith("- <a id=")]
    assert len(entries) == sum(len(list(felder(a.model))) for a in abschnitte(Config))
    assert text.count("  Wert: ") == len(entries) and text.count("  Beispiel: ") == len(entries)
    assert "**`datensaetze`**" in text and "`pfad`" not in text  # set by the loader, not written


def test_a_config_message_points_to_the_key_on_the_page(tmp_path):
    cfg = make_city(tmp_path, config=lambda t: t.replace('crs = "EPSG:25832"', "crs = 25832"))
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    assert f"Siehe {DOKU_SEITE}#stadt-crs." in str(info.value)
    assert anker(Config.model_fields["stadt"].annotation, "crs") == "stadt-crs"


def test_an_unknown_key_points_to_its_section(tmp_path):
    cfg = make_city(tmp_path, config=lambda t: t.replace("[methode]\n", "[methode]\njahr = 1\n"))
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    assert f"Siehe {DOKU_SEITE}#methode." in str(info.value)


#: Common English words that are no German words (``die``, ``was``, ``an``, ``per`` are left out).
ENGLISCH = frozenset(
    "a the of and is are be it its this that these which when where what why with without from "
    "for to on at as if than each every file files column columns row rows table must may can "
    "set by or not default only one shown used given instead".split()
)

#: Quoted or code text is kept verbatim (keys, values, TOML snippets) and not checked.
_ZITAT = re.compile(r"`[^`]*`|\"[^\"]*\"|„[^“]*“|(?<!\w)'[^']*'(?!\w)")


def englische_woerter(text: str) -> list[str]:
    """The common English words of ``text``, outside backticks and quotes, lowercase."""
    woerter = re.findall(r"[^\W\d_]+", _ZITAT.sub(" ", text).lower())
    return [w for w in woerter if w in ENGLISCH]


def _alle_felder():
    """Every field of every model reachable from Config, the loader's own (``pfad``) too."""
    for a in abschnitte(Config):
        for name, info in a.model.model_fields.items():
            yield f"{a.model.__name__}.{name}", info.description or ""


def test_every_description_is_german():
    englisch = {
        feld: (text, englische_woerter(text))
        for feld, text in _alle_felder()
        if englische_woerter(text)
    }
    assert englisch == {}


@pytest.mark.parametrize(
    "text",
    [
        "Smallest dot count shown; smaller counts are suppressed",
        "What the numerator counts",
        "The config file itself (set by load_config)",
        "Year of every row, for files without a year",
    ],
)
def test_an_english_description_is_found(text):
    assert englische_woerter(text)


def test_keys_values_and_quotes_are_not_taken_for_english():
    assert englische_woerter("Bei aus = \"id\": die ersten n Zeichen, z. B. '^(\\d{2})'") == []
    assert englische_woerter("Genitiv nach „des“/„der“ (`the = 1`), was an Name per Datei") == []
