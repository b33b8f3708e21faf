"""TOML syntax errors of the config file as German messages with line, column and a hint.

``tomllib``'s English messages are matched against a table of meanings and hints.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

from sozialraum.config_errors import ConfigProblem, display_path
from sozialraum.config_toml import _key_text

_TOML_POSITION = re.compile(
    r"^(?P<msg>.*?)\s*\((?:at line (?P<line>\d+), column (?P<col>\d+)|"
    r"at end of document)\)\s*$",
    re.S,
)

_TOML_HINT_VALUES = (
    'Texte in Anführungszeichen setzen ("…"), Zahlen mit Dezimalpunkt (1.5), Wahrheitswerte als '
    "true oder false"
)
_TOML_ARRAY_OF_TABLES = "Einträge einer Liste von Tabellen beginnen jeweils mit [[name]]"

#: tomllib's messages (Python 3.11–3.13): German meaning and a hint.
_TOML_MESSAGES: list[tuple[str, str, str | None]] = [
    (r"Invalid value", "ungültiger Wert", _TOML_HINT_VALUES),
    (
        r"Invalid statement",
        "ungültige Zeile",
        "jede Zeile ist eine Tabelle [name], ein Eintrag schluessel = wert oder ein Kommentar "
        "mit #",
    ),
    (
        r"Expected '=' after a key in a key/value pair",
        "nach dem Schlüssel fehlt das Gleichheitszeichen",
        "Einträge schreiben Sie als schluessel = wert; Schlüssel mit Leerzeichen in "
        "Anführungszeichen setzen",
    ),
    (
        r"Expected '\]' at the end of a table declaration",
        "die Tabellenüberschrift ist nicht mit ] geschlossen",
        "Tabellen schreiben Sie als [name] in einer eigenen Zeile",
    ),
    (
        r"Expected '\]\]' at the end of an array declaration",
        "die Überschrift ist nicht mit ]] geschlossen",
        _TOML_ARRAY_OF_TABLES,
    ),
    (
        r"Expected newline or end of document after a statement",
        "nach dem Eintrag folgt in derselben Zeile noch etwas",
        "jeder Eintrag steht in einer eigenen Zeile; Texte mit Leerzeichen in Anführungszeichen "
        "setzen; Kommentare beginnen mit #",
    ),
    (
        r"Invalid date or datetime",
        "ungültiges Datum",
        "ein Datum als JJJJ-MM-TT schreiben, oder als Text in Anführungszeichen",
    ),
    (
        r"Invalid initial character for a key part",
        "ungültiges Zeichen am Anfang eines Schlüssels",
        "Schlüssel bestehen aus Buchstaben, Ziffern, _ und -; andere Schlüssel in "
        "Anführungszeichen setzen",
    ),
    (
        r"Unclosed array",
        "die Liste ist nicht mit ] geschlossen",
        "Listeneinträge durch Kommas trennen und die Liste mit ] schließen",
    ),
    (
        r"Unclosed inline table",
        "die Tabelle { … } ist nicht mit } geschlossen",
        "Einträge durch Kommas trennen und die Tabelle in derselben Zeile mit } schließen",
    ),
    (
        r"Unterminated string",
        "der Text ist nicht mit Anführungszeichen geschlossen",
        'jeder Text braucht ein schließendes " in derselben Zeile',
    ),
    (
        r"Cannot overwrite a value",
        "dieser Schlüssel hat schon einen Wert",
        "jeden Schlüssel nur einmal angeben; " + _TOML_ARRAY_OF_TABLES,
    ),
    (
        r"Cannot declare (?P<x>.+) twice",
        "die Tabelle {x} kommt zweimal vor",
        "jede Tabelle [name] nur einmal angeben; " + _TOML_ARRAY_OF_TABLES,
    ),
    (
        r"Cannot (?:mutate immutable|redefine) namespace (?P<x>.+)",
        "{x} ist schon vollständig angegeben und kann hier nicht ergänzt werden",
        "alle Schlüssel einer Tabelle an einer Stelle angeben",
    ),
    (
        r"Duplicate inline table key (?P<x>.+)",
        "der Schlüssel {x} kommt in { … } zweimal vor",
        "jeden Schlüssel nur einmal angeben",
    ),
    (
        r"Unescaped '\\' in a string",
        "ein einzelner \\ im Text",
        "Pfade mit / schreiben, \\ verdoppeln oder den Text in einfache Anführungszeichen '…' "
        "setzen",
    ),
    (
        r"(?:Found invalid|Illegal) character (?P<x>.+)",
        "unzulässiges Zeichen {x}",
        "Steuerzeichen und Tabulatoren innerhalb von Texten vermeiden",
    ),
    (
        r"Invalid hex value|Escaped character is not a Unicode scalar value",
        "ungültige \\u-Folge im Text",
        "\\ in Texten verdoppeln oder den Text in einfache Anführungszeichen '…' setzen",
    ),
    (r"Expected (?P<x>.+)", "hier fehlt {x}", None),
]


_TOML_LINE_END = (
    "der Text ist nicht mit Anführungszeichen geschlossen",
    'jeder Text braucht ein schließendes " in derselben Zeile',
)


def toml_problem(exc: tomllib.TOMLDecodeError, path: str | Path) -> ConfigProblem:
    """The syntax error ``tomllib`` found, with line, column, German meaning and a hint."""
    text = str(exc)
    m = _TOML_POSITION.match(text)
    msg = m.group("msg") if m else text
    zeile = int(m.group("line")) if m and m.group("line") else None
    spalte = int(m.group("col")) if m and m.group("col") else None
    meldung, hinweis = f'kein gültiges TOML ("{msg}")', None
    for pattern, german, hint in _TOML_MESSAGES:
        found = re.fullmatch(pattern, msg, re.S)
        if found:
            x = _toml_key(found.groupdict().get("x"))
            if x in ("'\\n'", "'\\r'"):
                german, hint = _TOML_LINE_END
            meldung = "kein gültiges TOML (" + (german.replace("{x}", x) if x else german) + ")"
            hinweis = hint
            break
    where = "am Dateiende" if m and zeile is None else None
    return ConfigProblem(
        display_path(path), meldung, zeile=zeile, spalte=spalte, schluessel=where, hinweis=hinweis
    )


def _toml_key(x: str | None) -> str | None:
    """``('methode', 'status')`` (how Python 3.11 names a key) → ``[methode.status]``."""
    if x is None or not x.startswith("("):
        return x
    try:
        parts = ast.literal_eval(x)
    except (ValueError, SyntaxError):
        return x
    if isinstance(parts, tuple) and all(isinstance(p, str) for p in parts):
        return "[" + ".".join(_key_text(p) for p in parts) + "]"
    return x


def toml_message(exc: tomllib.TOMLDecodeError, path: str | Path) -> str:
    """The message of the :class:`~sozialraum.config.ConfigError` for a TOML syntax error."""
    return str(toml_problem(exc, path))
