"""The city's nouns declined in every case the report's sentences use (sozialraum.grammatik)."""

from __future__ import annotations

import re

import pytest

from sozialraum import grammatik as g
from sozialraum.config import Begriff, Begriffe, ConfigError, Indexname

BEZIRK = Begriff(name="Bezirk", mehrzahl="Bezirke", genus="m")
REGION = Begriff(name="Sozialregion", mehrzahl="Sozialregionen", genus="f")
QUARTIER = Begriff(name="Quartier", mehrzahl="Quartiere", genus="n")
STAT_BEZIRK = Begriff(name="Statistischer Bezirk", mehrzahl="Statistische Bezirke", genus="m")
STADTREGION = Begriff(name="Soziale Stadtregion", mehrzahl="Soziale Stadtregionen", genus="f")
STAT_QUARTIER = Begriff(name="Statistisches Quartier", mehrzahl="Statistische Quartiere", genus="n")

FAELLE = ("nominativ", "genitiv", "dativ", "akkusativ")

#: (noun, singular with "der", plural with "der", singular with "ein") in the four cases.
ERWARTET = [
    (
        BEZIRK,
        ["der Bezirk", "des Bezirks", "dem Bezirk", "den Bezirk"],
        ["die Bezirke", "der Bezirke", "den Bezirken", "die Bezirke"],
        ["ein Bezirk", "eines Bezirks", "einem Bezirk", "einen Bezirk"],
    ),
    (
        REGION,
        ["die Sozialregion", "der Sozialregion", "der Sozialregion", "die Sozialregion"],
        ["die Sozialregionen", "der Sozialregionen", "den Sozialregionen", "die Sozialregionen"],
        ["eine Sozialregion", "einer Sozialregion", "einer Sozialregion", "eine Sozialregion"],
    ),
    (
        QUARTIER,
        ["das Quartier", "des Quartiers", "dem Quartier", "das Quartier"],
        ["die Quartiere", "der Quartiere", "den Quartieren", "die Quartiere"],
        ["ein Quartier", "eines Quartiers", "einem Quartier", "ein Quartier"],
    ),
    (
        STAT_BEZIRK,
        [
            "der Statistische Bezirk",
            "des Statistischen Bezirks",
            "dem Statistischen Bezirk",
            "den Statistischen Bezirk",
        ],
        [
            "die Statistischen Bezirke",
            "der Statistischen Bezirke",
            "den Statistischen Bezirken",
            "die Statistischen Bezirke",
        ],
        [
            "ein Statistischer Bezirk",
            "eines Statistischen Bezirks",
            "einem Statistischen Bezirk",
            "einen Statistischen Bezirk",
        ],
    ),
    (
        STADTREGION,
        [
            "die Soziale Stadtregion",
            "der Sozialen Stadtregion",
            "der Sozialen Stadtregion",
            "die Soziale Stadtregion",
        ],
        [
            "die Sozialen Stadtregionen",
            "der Sozialen Stadtregionen",
            "den Sozialen Stadtregionen",
            "die Sozialen Stadtregionen",
        ],
        [
            "eine Soziale Stadtregion",
            "einer Sozialen Stadtregion",
            "einer Sozialen Stadtregion",
            "eine Soziale Stadtregion",
        ],
    ),
    (
        STAT_QUARTIER,
        [
            "das Statistische Quartier",
            "des Statistischen Quartiers",
            "dem Statistischen Quartier",
            "das Statistische Quartier",
        ],
        [
            "die Statistischen Quartiere",
            "der Statistischen Quartiere",
            "den Statistischen Quartieren",
            "die Statistischen Quartiere",
        ],
        [
            "ein Statistisches Quartier",
            "eines Statistischen Quartiers",
            "einem Statistischen Quartier",
            "ein Statistisches Quartier",
        ],
    ),
]


@pytest.mark.parametrize(("begriff", "der", "die", "ein"), ERWARTET, ids=lambda x: str(x)[:20])
def test_every_case_with_definite_and_indefinite_article(begriff, der, die, ein):
    assert [g.nomen(begriff, f) for f in FAELLE] == der
    assert [g.nomen(begriff, f, mehrzahl=True) for f in FAELLE] == die
    assert [g.nomen(begriff, f, art="ein") for f in FAELLE] == ein


def test_without_article_the_adjective_takes_the_strong_ending():
    assert [g.nomen(STAT_BEZIRK, f, art=None) for f in FAELLE] == [
        "Statistischer Bezirk",
        "Statistischen Bezirks",
        "Statistischem Bezirk",
        "Statistischen Bezirk",
    ]
    assert g.nomen(STAT_BEZIRK, "genitiv", mehrzahl=True, art=None) == "Statistischer Bezirke"
    assert g.nomen(STADTREGION, "dativ", art=None) == "Sozialer Stadtregion"
    assert g.nomen(STAT_QUARTIER, "akkusativ", art=None) == "Statistisches Quartier"
    # "12 Statistische Bezirke", "alle Statistischen Bezirke", "kein Statistischer Bezirk"
    assert g.ohne_artikel(STAT_BEZIRK, mehrzahl=True) == STAT_BEZIRK.mehrzahl
    assert g.ohne_artikel(STAT_BEZIRK, mehrzahl=True, nach="der") == "Statistischen Bezirke"
    assert g.nomen(STAT_BEZIRK, art="kein") == "kein Statistischer Bezirk"
    assert g.nomen(STADTREGION, "akkusativ", mehrzahl=True, art="kein") == (
        "keine Sozialen Stadtregionen"
    )


def test_an_adjective_of_the_sentence_is_declined_with_the_noun():
    assert g.nomen(STAT_BEZIRK, "akkusativ", mehrzahl=True, adjektiv="bewertet") == (
        "die bewerteten Statistischen Bezirke"
    )
    assert g.ohne_artikel(STAT_QUARTIER, adjektiv="letzt") == "letztes Statistisches Quartier"
    assert g.nomen(REGION, art="kein", adjektiv="bekannt") == "keine bekannte Sozialregion"


def test_prepositions_with_the_article_merged():
    assert [g.im(b) for b in (BEZIRK, STADTREGION, STAT_QUARTIER)] == [
        "im Bezirk",
        "in der Sozialen Stadtregion",
        "im Statistischen Quartier",
    ]
    assert [g.zu(b) for b in (STAT_BEZIRK, REGION)] == [
        "zum Statistischen Bezirk",
        "zur Sozialregion",
    ]
    assert [g.am(b) for b in (QUARTIER, REGION)] == ["am Quartier", "an der Sozialregion"]
    assert g.dativ_plural(STAT_BEZIRK) == "Statistischen Bezirken"


def test_the_id_label_is_never_glued_to_a_phrase():
    assert g.id_name(QUARTIER) == "Quartier-ID"
    assert g.id_name(Begriff(name="Sozialquartier", mehrzahl="Sozialquartiere", genus="n")) == (
        "Sozialquartier-ID"
    )
    assert g.id_name(STAT_BEZIRK) == "ID des Statistischen Bezirks"
    assert g.id_name(STADTREGION) == "ID der Sozialen Stadtregion"
    assert g.kompositum(Indexname(name="Armutsindex"), "Klassen") == "Armutsindex-Klassen"


def test_genitive_endings_and_explicit_forms_for_irregular_nouns():
    assert g.genitiv(Begriff(name="Kreis", mehrzahl="Kreise")) == "des Kreises"
    assert g.genitiv(Indexname(name="Sozialindex")) == "des Sozialindex"  # as the reports say
    herz = Begriff(name="Herz", mehrzahl="Herzen", genus="n", genitiv="Herzens")
    assert g.genitiv(herz) == "des Herzens"
    kunde = Begriff(
        name="Großer Kunde", mehrzahl="Große Kunden", genitiv="Großen Kunden", dativ_plural="Kunden"
    )
    assert g.genitiv(kunde) == "des Großen Kunden"
    assert g.nomen(kunde, "dativ", mehrzahl=True) == "den Großen Kunden"


def test_words_after_the_noun_stay_as_written():
    index = Indexname(name="Index Soziale Ungleichheit")
    assert g.genitiv(index) == "des Index Soziale Ungleichheit"
    assert g.nomen(index, "akkusativ") == "den Index Soziale Ungleichheit"
    assert g.id_name(index) == "ID des Index Soziale Ungleichheit"
    lor = Begriff(
        name="Lebensweltlich orientierter Raum", mehrzahl="Lebensweltlich orientierte Räume"
    )
    assert g.genitiv(lor) == "des Lebensweltlich orientierten Raums"


def test_gross_keeps_the_rest_of_the_phrase():
    assert g.gross(g.nomen(STAT_BEZIRK)) == "Der Statistische Bezirk"
    assert g.und(Indexname(name="Statusindex"), Indexname(name="Dynamikindex")) == (
        "Status- und Dynamikindex"
    )
    assert g.und("Soziale Lage", "Entwicklungsindex") == "Soziale Lage und Entwicklungsindex"


def test_index_names_come_as_text_or_as_a_table():
    b = Begriffe.model_validate(
        {
            "index": {"name": "Soziale Lage", "genus": "f"},
            "statusindex": "Armutsindex",
            "dynamikindex": "Entwicklungsindex",
        }
    )
    assert (str(b.index), b.index.genus, g.genitiv(b.index)) == (
        "Soziale Lage",
        "f",
        "der Sozialen Lage",
    )
    assert f"{b.statusindex}" == "Armutsindex"
    assert b.statusindex.mehrzahl == "Armutsindizes"
    assert (str(Begriffe().statusindex), str(Begriffe().dynamikindex)) == (
        "Statusindex",
        "Dynamikindex",
    )


@pytest.mark.parametrize(
    ("zeile", "erwartet"),
    [
        ('index = { genus = "x" }', '"m", "f" oder "n"'),
        ("index = 5", 'ein Name in Anführungszeichen (z. B. "Armutsindex") oder { name'),
        ('statusindex = ""', "Der Name eines Index darf nicht leer sein"),
    ],
)
def test_a_bad_index_name_is_a_german_config_error(tmp_path, zeile, erwartet):
    from fixtures_city import make_city

    from sozialraum.config import load_config

    path = make_city(tmp_path, config=lambda t: t + f"\n[begriffe]\n{zeile}\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    text = str(err.value)
    assert "[begriffe]" in text and erwartet in text, text


# -- a rendered city with other nouns --------------------------------------------------------
ANDERE_BEGRIFFE = """
[begriffe]
einheit = { name = "Soziale Stadtregion", mehrzahl = "Soziale Stadtregionen", genus = "f" }
gebiet = { name = "Statistischer Bezirk", mehrzahl = "Statistische Bezirke", genus = "m" }
index = { name = "Soziale Lage", genus = "f" }
statusindex = "Armutsindex"
dynamikindex = "Entwicklungsindex"
"""

#: Forms a sentence gets wrong when it glues an article or a suffix to a configured phrase.
FALSCHE_FORMEN = re.compile(
    r"\b(?:[Dd]ie|der|den|alle|aller|keine|ihre|ihrer|anderen)\s+(?:Statistische|Soziale)\s+"
    r"(?:Bezirke|Stadtregionen)\b"  # plural after a determiner: -en
    r"|\b(?:des|dem|den|einem|eines|keinem)\s+Statistischer\b"
    r"|\b(?:der|einer|keiner)\s+Soziale\s+Stadtregion\b(?!en)"
    r"|Statistischer Bezirk-|Statistischer Bezirks|Statistische Bezirken|Soziale Stadtregion-"
    r"|\b[Dd]er statistische|\b[Dd]ie soziale"  # str.capitalize() lowered the phrase
)


@pytest.fixture(scope="module")
def andere_stadt(tmp_path_factory):
    from fixtures_city import make_city, with_project_notebooks

    from sozialraum.config import load_config
    from sozialraum.publish.batch import run_batch

    root = tmp_path_factory.mktemp("begriffe")
    config = make_city(root, config=lambda t: with_project_notebooks(t) + ANDERE_BEGRIFFE)
    result = run_batch(load_config(config), out=root / "berichte", jobs=1, progress=False)
    assert result.render.ok, [f.message for f in result.render.failed]
    return sorted((root / "berichte").rglob("*.html"))


@pytest.mark.slow
def test_a_city_with_other_nouns_reads_them_declined_on_every_page(andere_stadt):
    from test_leak import _readable_text

    assert len(andere_stadt) >= 4  # two units, the city, the index page
    for page in andere_stadt:
        text = _readable_text(page)
        for default in ("Statusindex", "Dynamikindex", "Sozialindex", "Sozialquartier", "Sozialr"):
            assert default not in text, (page.name, default, _umgebung(text, default))
        falsch = FALSCHE_FORMEN.search(text)
        assert falsch is None, (page.name, _umgebung(text, falsch.group(0)))
    seiten = "\n".join(_readable_text(p) for p in andere_stadt)
    for richtig in (
        "ID des Statistischen Bezirks",
        "der Statistischen Bezirke",
        "Armutsindex",
        "Entwicklungsindex",
        "in der Sozialen Stadtregion",
        "Soziale Lage aller Statistischen Bezirke",
    ):
        assert richtig in seiten, richtig


def _umgebung(text: str, wort: str) -> str:
    """The text around the first ``wort``, for a failure message that shows the sentence."""
    i = text.find(wort)
    return text[max(0, i - 80) : i + 80]
