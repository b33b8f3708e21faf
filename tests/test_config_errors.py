"""Config errors read like data errors: German, with file, line, key, value and a suggestion."""

import re
import tomllib
from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from conftest import PROJECT_CONFIG
from sozialraum.config import ConfigError, load_config
from sozialraum.config_errors import config_problems
from sozialraum.config_syntax import toml_message
from sozialraum.config_toml import TomlPositions

DATEI = "config/stadt.toml"
ENGLISH = ("Input should", "Field required", "Extra inputs", "Value error", "String should")


@pytest.fixture
def broken(tmp_path, monkeypatch):
    """Write the project's config with one replacement into tmp_path; return path and text."""
    monkeypatch.chdir(tmp_path)

    def write(old: str, new: str) -> tuple[Path, str]:
        text = PROJECT_CONFIG.read_text(encoding="utf-8")
        assert old in text, f"{old!r} is no longer in the project config"
        text = text.replace(old, new, 1)
        path = tmp_path / "config" / "stadt.toml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path, text

    return write


def line_of(text: str, snippet: str, occurrence: int = 1) -> int:
    """1-based line of the ``occurrence``-th line containing ``snippet``."""
    found = [i for i, line in enumerate(text.splitlines(), 1) if snippet in line]
    return found[occurrence - 1]


def problems(path: Path) -> list[str]:
    """The problem lines of the ConfigError that loading ``path`` raises."""
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert isinstance(err.value.__cause__, ValidationError)
    message = str(err.value)
    assert not any(word in message for word in ENGLISH), message
    head, *lines = message.splitlines()
    assert head == f"Die Konfiguration {DATEI} hat {len(lines)} Fehler:"
    assert all(line.startswith("  - ") for line in lines)
    # each line ends pointing to its key in docs/konfiguration.md (tests/test_konfiguration_doku)
    return [re.sub(DOKU, "", line.removeprefix("  - ")) for line in lines]


#: The pointer to docs/konfiguration.md at the end of a config message line.
DOKU = r" Siehe docs/konfiguration\.md#[a-z0-9_-]+\.$"


def test_misspelt_key_suggests_the_field(broken):
    path, text = broken("mindestbevoelkerung = 300", "mindesbevoelkerung = 300")
    n = line_of(text, "mindesbevoelkerung")
    assert problems(path) == [
        f"{DATEI}, Zeile {n}, [methode] mindesbevoelkerung: unbekannter Schlüssel "
        f'"mindesbevoelkerung" = 300. Meinten Sie "mindestbevoelkerung"?'
    ]


def test_misspelt_table_is_unknown_and_the_real_one_missing(broken):
    path, text = broken("[methode.status]", "[methode.stauts]")
    methode, stauts = line_of(text, "[methode]"), line_of(text, "[methode.stauts]")
    assert problems(path) == [
        f"{DATEI}, Zeile {methode}, [methode.status]: die Tabelle [methode.status] fehlt in der "
        f"Tabelle [methode] (beginnt in Zeile {methode}). Erwartet: eine Tabelle "
        "[methode.status] mit den Pflichtschlüsseln labels und farben.",
        f"{DATEI}, Zeile {stauts}, [methode.stauts]: unbekannte Tabelle [methode.stauts]. "
        'Meinten Sie "[methode.status]"?',
    ]


def test_missing_key_names_its_table_and_where_it_starts(broken):
    path, text = broken('name = "Oberhausen"\n', "")
    n = line_of(text, "[stadt]")
    assert problems(path) == [
        f'{DATEI}, Zeile {n}, [stadt] name: der Pflichtschlüssel "name" fehlt in der Tabelle '
        f"[stadt] (beginnt in Zeile {n}). Erwartet: ein Text in Anführungszeichen."
    ]


def test_text_where_a_whole_number_is_expected(broken):
    path, text = broken("berichtsjahr = 2023", 'berichtsjahr = "2023/24"')
    n = line_of(text, "berichtsjahr =")
    assert problems(path) == [
        f'{DATEI}, Zeile {n}, [methode] berichtsjahr: "2023/24" ist keine ganze Zahl. '
        "Erwartet: eine ganze Zahl (ohne Anführungszeichen)."
    ]


def test_word_for_a_number_states_the_lower_bound(broken):
    path, text = broken("mindestfallzahl = 3 ", 'mindestfallzahl = "drei" ')
    n = line_of(text, "mindestfallzahl")
    assert problems(path) == [
        f'{DATEI}, Zeile {n}, [methode] mindestfallzahl: "drei" ist keine ganze Zahl. '
        "Erwartet: eine ganze Zahl ab 1 (ohne Anführungszeichen)."
    ]


def test_number_below_its_minimum(broken):
    path, text = broken("mindestfallzahl = 3 ", "mindestfallzahl = 0 ")
    n = line_of(text, "mindestfallzahl")
    assert problems(path) == [
        f"{DATEI}, Zeile {n}, [methode] mindestfallzahl: 0 ist zu klein. "
        "Erwartet: eine ganze Zahl ab 1."
    ]


def test_bad_slug_explains_the_pattern_and_suggests_one(broken):
    path, text = broken('slug = "mitte-styrum"', 'slug = "Mitte Styrum"')
    n = line_of(text, 'slug = "Mitte Styrum"')
    assert problems(path) == [
        f'{DATEI}, Zeile {n}, [[sozialraeume]] Nr. 1 → slug: "Mitte Styrum" ist hier nicht '
        "erlaubt. Erwartet: nur Kleinbuchstaben, Ziffern und Bindestriche, am Anfang ein "
        'Kleinbuchstabe oder eine Ziffer. Meinten Sie "mitte-styrum"?'
    ]


def test_literal_lists_the_allowed_values(broken):
    path, text = broken('kombination = "mittelwert"', 'kombination = "median"')
    n = line_of(text, "kombination")
    assert problems(path) == [
        f'{DATEI}, Zeile {n}, [methode] kombination: "median" ist kein erlaubter Wert. '
        'Erwartet: "mittelwert" oder "summe".'
    ]


def test_literal_in_other_case_is_suggested(broken):
    path, text = broken('kombination = "mittelwert"', 'kombination = "Summe"')
    n = line_of(text, "kombination")
    assert problems(path) == [
        f'{DATEI}, Zeile {n}, [methode] kombination: "Summe" ist kein erlaubter Wert. '
        'Erwartet: "mittelwert" oder "summe". Meinten Sie "summe"?'
    ]


def test_unknown_key_in_the_third_sozialraum(broken):
    path, text = broken('slug = "osterfeld"', 'slug = "osterfeld"\nfarbe = "rot"')
    n = line_of(text, 'farbe = "rot"')
    assert n > line_of(text, "[[sozialraeume]]", 3)
    assert problems(path) == [
        f'{DATEI}, Zeile {n}, [[sozialraeume]] Nr. 3 → farbe: unbekannter Schlüssel "farbe" = '
        '"rot". Erwartet: einer der Schlüssel id, name, slug oder termine.'
    ]


def test_misspelt_key_in_the_third_sozialraum_and_the_missing_one(broken):
    path, text = broken('name = "Osterfeld"', 'nmae = "Osterfeld"')
    header, n = line_of(text, "[[sozialraeume]]", 3), line_of(text, "nmae")
    assert problems(path) == [
        f'{DATEI}, Zeile {header}, [[sozialraeume]] Nr. 3 → name: der Pflichtschlüssel "name" '
        f"fehlt im Eintrag [[sozialraeume]] Nr. 3 (beginnt in Zeile {header}). "
        "Erwartet: ein Text in Anführungszeichen.",
        f'{DATEI}, Zeile {n}, [[sozialraeume]] Nr. 3 → nmae: unbekannter Schlüssel "nmae" = '
        '"Osterfeld". Meinten Sie "name"?',
    ]


def test_key_of_an_inline_table(broken):
    path, text = broken('genus = "m" }', 'genus = "maennlich" }')
    n = line_of(text, "veranstaltung = {")
    assert problems(path) == [
        f'{DATEI}, Zeile {n}, [stadt] veranstaltung → genus: "maennlich" ist kein erlaubter '
        'Wert. Erwartet: "m", "f" oder "n".'
    ]


def test_date_without_quotes_in_a_list_of_inline_tables(broken):
    path, text = broken('datum = "2019-10-10"', "datum = 2019-10-10")
    n = line_of(text, "datum = 2019-10-10")
    assert problems(path) == [
        f"{DATEI}, Zeile {n}, [[sozialraeume]] Nr. 1 → termine Nr. 1 → datum: 2019-10-10 ist "
        "kein Text. Erwartet: ein Text in Anführungszeichen. Tipp: in Anführungszeichen setzen: "
        '"2019-10-10".'
    ]


def test_decimal_comma_in_a_list_entry(broken):
    path, text = broken("schwellen = [-1.0, 1.0]\n", 'schwellen = [-1.0, "1,5"]\n')
    n = line_of(text, '"1,5"')
    assert problems(path) == [
        f'{DATEI}, Zeile {n}, [methode.dynamik] schwellen Nr. 2: "1,5" ist keine Zahl. Erwartet: '
        "eine Zahl mit Dezimalpunkt (ohne Anführungszeichen), z. B. 1.5. Tipp: ohne "
        "Anführungszeichen und mit Dezimalpunkt: 1.5."
    ]


def test_yes_in_german_is_no_boolean(broken):
    path, text = broken("geometrie_schematisch = true", 'geometrie_schematisch = "ja"')
    n = line_of(text, "geometrie_schematisch")
    assert problems(path) == [
        f'{DATEI}, Zeile {n}, [stadt] geometrie_schematisch: "ja" ist kein Wahrheitswert. '
        "Erwartet: true oder false (klein geschrieben, ohne Anführungszeichen)."
    ]


def test_single_brackets_for_a_list_of_tables(broken):
    path, text = broken("[[eingaben.mentimeter]]", "[eingaben.mentimeter]")
    n = line_of(text, "[eingaben.mentimeter]")
    assert problems(path) == [
        f"{DATEI}, Zeile {n}, [eingaben.mentimeter]: [eingaben.mentimeter] ist eine einzelne "
        "Tabelle. Erwartet: Tabellen [[eingaben.mentimeter]], eine je Eintrag. Tipp: jeden "
        "Eintrag mit doppelten eckigen Klammern beginnen: [[eingaben.mentimeter]]."
    ]


def test_scalar_where_a_list_is_expected(broken):
    path, text = broken("jahre = [2017, 2020, 2023]", "jahre = 2023")
    n = line_of(text, "jahre = 2023")
    [line] = problems(path)
    assert line == (
        f"{DATEI}, Zeile {n}, [methode] jahre: 2023 ist keine Liste. Erwartet: eine Liste in "
        "eckigen Klammern, jeder Eintrag eine ganze Zahl (ohne Anführungszeichen). Tipp: in "
        "eckige Klammern setzen: [2023]."
    )


def test_misspelt_top_level_table(broken):
    path, text = broken("[stadt]", "[stadtt]")
    n = line_of(text, "[stadtt]")
    assert problems(path) == [
        f'{DATEI}, Zeile {n}, [stadtt]: unbekannte Tabelle [stadtt]. Meinten Sie "[stadt]"?',
        f"{DATEI}, [stadt]: die Tabelle [stadt] fehlt in der Datei. Erwartet: eine Tabelle "
        "[stadt] mit den Pflichtschlüsseln name und geometrie_version.",
    ]


def test_validator_message_is_passed_through_at_its_table(broken):
    path, text = broken("schwellen = [-1.0, 1.0]\n", "schwellen = [1.0, -1.0]\n")
    [line] = problems(path)
    header, key = line_of(text, "[methode.dynamik]"), line_of(text, "schwellen = [1.0, -1.0]")
    # the text is the model validator's own (German); it is shown at the table or its key
    assert line.startswith(
        (
            f"{DATEI}, Zeile {header}, [methode.dynamik]: ",
            f"{DATEI}, Zeile {key}, [methode.dynamik] schwellen: ",
        )
    )


def test_several_problems_in_the_order_of_their_lines(broken):
    path, text = broken('slug = "osterfeld"', 'slug = "Osterfeld"\nfarbe = "rot"')
    text = text.replace("mindestfallzahl = 3 ", "mindestfallzahl = 0 ")
    path.write_text(text, encoding="utf-8")
    lines = problems(path)
    assert [line.split(",")[1] for line in lines] == [
        f" Zeile {line_of(text, 'Osterfeld', 2)}",
        f" Zeile {line_of(text, 'farbe')}",
        f" Zeile {line_of(text, 'mindestfallzahl')}",
    ]
    assert 'Meinten Sie "osterfeld"?' in lines[0]


def test_file_outside_the_working_directory_is_named_absolutely(tmp_path, monkeypatch):
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    path = folder / "stadt.toml"
    path.write_text(PROJECT_CONFIG.read_text(encoding="utf-8").replace("[stadt]", "[stadtt]"))
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value).splitlines()[1].startswith(f"  - {path.resolve()}, Zeile ")


# -- TOML syntax errors ------------------------------------------------------------------------
def toml_error(text: str) -> tomllib.TOMLDecodeError:
    with pytest.raises(tomllib.TOMLDecodeError) as err:
        tomllib.loads(text)
    return err.value


def test_toml_syntax_error_in_german_with_line_and_column(broken):
    path, text = broken("mindestfallzahl = 3 ", "mindestfallzahl = drei ")
    n = line_of(text, "mindestfallzahl = drei")
    assert toml_message(toml_error(text), path) == (
        f"{DATEI}, Zeile {n}, Spalte 19: kein gültiges TOML (ungültiger Wert). Tipp: Texte in "
        'Anführungszeichen setzen ("…"), Zahlen mit Dezimalpunkt (1.5), Wahrheitswerte als true '
        "oder false."
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'name = "Ober\nx = 1',
            "Zeile 1, Spalte 13: kein gültiges TOML (der Text ist nicht mit Anführungszeichen "
            'geschlossen). Tipp: jeder Text braucht ein schließendes " in derselben Zeile.',
        ),
        (
            "[stadt]\nname = 'a'\n[stadt]\n",
            "Zeile 3, Spalte 7: kein gültiges TOML (die Tabelle [stadt] kommt zweimal vor). Tipp: "
            "jede Tabelle [name] nur einmal angeben; Einträge einer Liste von Tabellen beginnen "
            "jeweils mit [[name]].",
        ),
        (
            "jahre = [2017, 2020",
            "am Dateiende: kein gültiges TOML (die Liste ist nicht mit ] geschlossen). Tipp: "
            "Listeneinträge durch Kommas trennen und die Liste mit ] schließen.",
        ),
        (
            "name = Oberhausen Stadt",
            "Zeile 1, Spalte 8: kein gültiges TOML (ungültiger Wert).",
        ),
    ],
)
def test_toml_syntax_errors(tmp_path, monkeypatch, text, expected):
    monkeypatch.chdir(tmp_path)
    message = toml_message(toml_error(text), tmp_path / "stadt.toml")
    assert message.startswith(f"stadt.toml, {expected}")
    assert "Invalid" not in message and "Expected" not in message and "Cannot" not in message


# -- the locator and unions, independent of the project's config -----------------------------
def test_positions_of_tables_arrays_and_inline_tables():
    text = (
        '# [keine] Tabelle\ntitel = """zwei\n[zeilen] = "x"\n"""\n'
        '[a . "b c"]\nk = [\n  1, # eins\n  { m = 2, n.o = [3, 4] },\n]\n'
        "[[t]]\nv = 1\n[t.sub]\nw = 2\n[[t]]\nv = 2\n[[t.inner]]\nz = 'x'\n"
    )
    tomllib.loads(text)
    pos = TomlPositions(text)
    assert pos.line(("titel",)) == 2
    assert pos.line(("a", "b c")) == 5
    assert pos.line(("a", "b c", "k", 1, "n", "o", 1)) == 8
    assert pos.raw(("a", "b c", "k", 1)) == "{ m = 2, n.o = [3, 4] }"
    assert pos.line(("t", 0, "sub", "w")) == 13
    assert pos.line(("t", 1)) == 14
    assert pos.line(("t", 1, "inner", 0, "z")) == 17
    assert pos.line(("t", 1, "fehlt")) == 14  # a missing key: its table's line


class _Tabelle(BaseModel):
    model_config = ConfigDict(extra="forbid")
    datei: str
    form: Literal["lang", "breit"] = "lang"


class _Wurzel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    quelle: int | _Tabelle


def _problems_of(text: str) -> list[str]:
    with pytest.raises(ValidationError) as err:
        _Wurzel(**tomllib.loads(text))
    return [str(p) for p in config_problems(err.value, Path("x.toml"), _Wurzel, text)]


def test_union_uses_the_branch_the_table_was_meant_for(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert _problems_of('[quelle]\ndatei = "a.csv"\nfrom = "lang"\n') == [
        'x.toml, Zeile 3, [quelle] from: unbekannter Schlüssel "from" = "lang". Meinten Sie "form"?'
    ]


def test_union_of_type_errors_is_one_line_listing_the_alternatives(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert _problems_of('quelle = "viele"\n') == [
        'x.toml, Zeile 1, quelle: "viele" passt hier nicht. Erwartet: eine ganze Zahl (ohne '
        "Anführungszeichen) oder eine Tabelle mit dem Pflichtschlüssel datei."
    ]


def test_unknown_top_level_key_lists_the_tables_but_not_the_loaders_own(broken):
    path, text = broken("[stadt]", 'titel = "Sozialbericht"\n[stadt]')
    [line] = problems(path)
    assert line.startswith(
        f'{DATEI}, Zeile {line_of(text, "titel")}, titel: unbekannter Schlüssel "titel" = '
        '"Sozialbericht". Erwartet: einer der Schlüssel stadt, '
    )
    assert "methode" in line and "pfad" not in line


def _data_paths(data, prefix=()):
    items = data.items() if isinstance(data, dict) else enumerate(data)
    for key, value in items:
        yield (*prefix, key)
        if isinstance(value, dict | list):
            yield from _data_paths(value, (*prefix, key))


def test_every_key_of_the_project_config_is_located():
    text = PROJECT_CONFIG.read_text(encoding="utf-8")
    pos = TomlPositions(text)
    lines = text.splitlines()
    for path in _data_paths(tomllib.loads(text)):
        node = pos.node(path)
        assert node is not None, path
        if isinstance(path[-1], str):
            assert path[-1] in lines[node.line - 1], path
