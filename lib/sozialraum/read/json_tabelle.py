"""JSON files as offices publish them (open-data portals, atlases), read as a table.

A JSON file holds a list of records (``[{"id": "01", "anteil": 12.5}, …]``), or such a list under
a key (``{"daten": {"gebiete": [...]}}``, configured as ``datensaetze = "daten.gebiete"``). Each
record becomes a row, each key a column, every value text as in a CSV file, so that the same
column mapping, missing-value markers and checks apply. Rows keep the CSV numbering (the keys are
"row 1"); :attr:`RawTable.ort` makes every message say "Datensatz 3, Schlüssel …" instead.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pandas as pd

from sozialraum.names import closest
from sozialraum.read.problems import Problem, ReadError
from sozialraum.read.tables import RawTable, _to_raw
from sozialraum.read.values import detect_decimal

#: The messages of :class:`json.JSONDecodeError` in German, by their English beginning.
_SYNTAX = {
    "Expecting value": "fehlt ein Wert (eine Zahl, ein Text in Anführungszeichen, [ oder {)",
    "Expecting ',' delimiter": "fehlt ein Komma zwischen zwei Einträgen (oder eine Klammer)",
    "Expecting ':' delimiter": "fehlt der Doppelpunkt zwischen Schlüssel und Wert",
    "Expecting property name enclosed in double quotes": (
        "wird ein Schlüssel in doppelten Anführungszeichen erwartet (ein Komma zu viel?)"
    ),
    "Unterminated string starting at": "beginnt ein Text, dessen Anführungszeichen nie schließt",
    "Extra data": "folgt nach dem Ende der Daten noch weiterer Text",
    "Invalid control character at": "steht ein Steuerzeichen (z. B. ein Zeilenumbruch) im Text",
    "Invalid \\uXXXX escape": "steht eine ungültige Zeichenangabe \\uXXXX",
    "Invalid \\escape": "steht ein ungültiges Zeichen nach einem Backslash (\\)",
}

_ERWARTET = 'eine Liste von Datensätzen: [{ "schluessel": wert, … }, …]'


def read_json(
    text: str,
    datei: str,
    encoding: str,
    datensaetze: str | None = None,
) -> RawTable:
    """Read the records of a JSON file as a text table with normalised headers.

    Parameters
    ----------
    text
        The decoded file.
    datei
        How problems name the file.
    encoding
        The encoding the text was decoded from (kept for the summary, as for CSV).
    datensaetze
        Dotted key path to the list of records (``"daten.gebiete"``); None: the file is the list.

    Raises
    ------
    ReadError
        The file is no valid JSON, the key path does not exist, or there is no list of objects.
        A nested value in a record is no read error but a problem of that record and key.
    """
    try:
        data = json.loads(text, parse_constant=lambda c: None if c == "NaN" else c)
    except json.JSONDecodeError as exc:
        raise ReadError(_syntax_problem(exc, datei)) from exc
    records = _records(data, datei, datensaetze)
    keys: dict[str, None] = {}
    for record in records:
        keys.update(dict.fromkeys(str(k) for k in record))
    header = list(keys)
    problems: list[Problem] = []
    decimal = _decimal(records)
    rows: list[list[str]] = []
    for nr, record in enumerate(records, start=1):
        row = []
        for key in header:
            value = record.get(key)
            if isinstance(value, dict | list):
                problems.append(_nested(datei, nr, key, value))
                value = None
            row.append(_text(value, decimal))
        rows.append(row)
    raw = _to_raw([header, *rows], datei, encoding=encoding, delimiter=None, text=False)
    raw.decimal = decimal
    raw.ort = "Datensatz"
    raw.probleme = [_mark(p) for p in raw.probleme] + problems
    return raw


def _mark(problem: Problem) -> Problem:
    return replace(problem, ort="Datensatz")


def _syntax_problem(exc: json.JSONDecodeError, datei: str) -> Problem:
    what = next((de for en, de in _SYNTAX.items() if exc.msg.startswith(en)), None)
    return Problem(
        datei,
        f"Die Datei ist kein gültiges JSON: in Zeile {exc.lineno}, Zeichen {exc.colno} "
        + (what or "stimmt die Schreibweise nicht"),
        erwartet=_ERWARTET,
        hinweis="die Datei mit einem JSON-Prüfprogramm oder im Browser öffnen; oft fehlt ein "
        "Komma oder eine Klammer, oder die Datei ist abgeschnitten",
    )


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "ein Objekt { … }"
    if isinstance(value, list):
        return "eine Liste [ … ]"
    if isinstance(value, str):
        return "ein Text"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "ein Wahrheitswert"
    return "eine Zahl"


def _lists_of_objects(data: Any, prefix: str = "", depth: int = 0) -> list[str]:
    """Key paths below ``data`` that hold a list of objects (what ``datensaetze`` could name)."""
    if not isinstance(data, dict) or depth > 3:
        return []
    found = []
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            found.append(path)
        else:
            found += _lists_of_objects(value, path, depth + 1)
    return found


def _records(data: Any, datei: str, datensaetze: str | None) -> list[dict[str, Any]]:
    """The list of records, found along ``datensaetze``; a clear error where it is not there."""
    shown = f'datensaetze = "{datensaetze}"' if datensaetze else None
    if datensaetze:
        node, walked = data, []
        for key in datensaetze.split("."):
            if not isinstance(node, dict):
                raise ReadError(
                    Problem(
                        datei,
                        f"Unter „{'.'.join(walked)}“ steht {_kind(node)}, kein Objekt mit dem "
                        f"Schlüssel „{key}“ (laut Konfiguration {shown})",
                        erwartet="einen Schlüsselpfad zu einer Liste von Datensätzen",
                    )
                )
            if key not in node:
                where = f"unter „{'.'.join(walked)}“" if walked else "auf oberster Ebene"
                present = [str(k) for k in node]
                raise ReadError(
                    Problem(
                        datei,
                        f"Der Schlüssel „{key}“ (laut Konfiguration {shown}) fehlt {where}",
                        erwartet="einen der vorhandenen Schlüssel: "
                        + (", ".join(present) or "keine"),
                        vorschlag=closest(key, present, cutoff=0.6),
                    )
                )
            node, walked = node[key], [*walked, key]
        data = node
    if isinstance(data, dict):
        paths = _lists_of_objects(data)
        if data.get("type") in ("FeatureCollection", "Feature"):
            hint = "eine Geometrie (GeoJSON) gehört nach [eingaben] geometrie"
        elif paths:
            hint = f'in der Konfiguration datensaetze = "{paths[0]}" angeben'
            if len(paths) > 1:
                hint += " (Listen von Datensätzen stehen unter: " + ", ".join(paths) + ")"
        else:
            hint = None
        raise ReadError(
            Problem(
                datei,
                "Die Datei enthält "
                + (f"unter {shown} " if shown else "")
                + "ein einzelnes Objekt, keine Liste von Datensätzen",
                erwartet=_ERWARTET,
                hinweis=hint,
            )
        )
    if not isinstance(data, list):
        raise ReadError(
            Problem(
                datei,
                "Die Datei enthält " + (f"unter {shown} " if shown else "") + f"{_kind(data)}, "
                "keine Liste von Datensätzen",
                erwartet=_ERWARTET,
            )
        )
    if not data:
        raise ReadError(
            Problem(
                datei,
                "Die Liste der Datensätze ist leer" + (f" ({shown})" if shown else ""),
                erwartet=_ERWARTET,
            )
        )
    for nr, record in enumerate(data, start=1):
        if not isinstance(record, dict):
            raise ReadError(
                Problem(
                    datei,
                    f"Datensatz {nr} ist {_kind(record)}, kein Objekt mit Schlüsseln und Werten",
                    wert=json.dumps(record, ensure_ascii=False)[:60],
                    erwartet=_ERWARTET,
                )
            )
    return data


def _nested(datei: str, nr: int, key: str, value: Any) -> Problem:
    return Problem(
        datei,
        f"Der Wert ist {_kind(value)}; ein Datensatz darf nur Zahlen, Texte oder null enthalten",
        zeile=nr + 1,
        spalte=key,
        wert=json.dumps(value, ensure_ascii=False)[:60],
        erwartet="einen einfachen Wert je Schlüssel",
        hinweis="die Werte des inneren Objekts als eigene Schlüssel in den Datensatz schreiben, "
        "oder datensaetze auf die innere Liste richten",
        ort="Datensatz",
    )


def _decimal(records: list[dict[str, Any]]) -> str:
    """Decimal separator of the numbers written as text ("12,5"); JSON numbers have none."""
    texts: dict[str, list[str]] = {}
    for record in records:
        for key, value in record.items():
            if isinstance(value, str):
                texts.setdefault(str(key), []).append(value.strip())
    if not texts:
        return "."
    df = pd.DataFrame({k: pd.Series(v, dtype="str") for k, v in texts.items()})
    return detect_decimal(df.fillna(""), None)


def _text(value: Any, decimal: str) -> str:
    """A JSON value as the text a CSV cell would hold; numbers with the file's separator."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value.is_integer():
            return str(int(value))
        text = format(Decimal(repr(value)), "f")
        return text.replace(".", ",") if decimal == "," else text
    return str(value)
