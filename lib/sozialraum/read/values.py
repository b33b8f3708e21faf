"""Cell values read from text: numbers with either decimal separator, dates, ja/nein.

Kept apart from the readers so that the CSV reader (decimal detection) and the schemas (cell
conversion) parse alike.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

_INT = re.compile(r"^[+-]?\d+$")
_COMMA_DEC = re.compile(r"^[+-]?\d*,\d+$")
_POINT_DEC = re.compile(r"^[+-]?\d*\.\d+$")
_DE_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")
_EN_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_PLACEHOLDERS = {"n.v.", "nv", "k.a.", "ka", "-", "–", ".", "/", "na", "n/a"}
MAX_STELLEN = 15
"""More digits than a float holds exactly: such a count is a typo or a formula gone wrong."""


def detect_decimal(df: pd.DataFrame, delimiter: str | None) -> str:
    """Decimal separator of a CSV file: the one most of its numbers use.

    Values such as ``1.234`` are ambiguous (German thousands or English decimals) and do not
    count; without evidence a ``;`` file is taken to come from German Excel (decimal comma).
    """
    n_comma = n_point = 0
    for col in df.columns:
        values = df[col]
        n_comma += int(values.str.fullmatch(_COMMA_DEC.pattern).sum())
        point = values.str.fullmatch(_POINT_DEC.pattern)
        if delimiter == ";":
            point &= ~values.str.fullmatch(_DE_THOUSANDS.pattern)
        n_point += int(point.sum())
    if n_comma != n_point:
        return "," if n_comma > n_point else "."
    return "," if delimiter == ";" else "."


@dataclass(frozen=True)
class Parsed:
    """Result of parsing one cell: a value, or what is wrong with it (German) and a hint."""

    value: Any = None
    fehler: str | None = None
    hinweis: str | None = None


def parse_number(text: str, decimal: str = ".") -> Parsed:
    """Parse a number written with the file's decimal separator; empty gives None.

    A number written with the other separator is an error with a hint, not a silent guess:
    ``1.5`` in a decimal-comma file could also be a mistyped ``15``.
    """
    s = text.strip().replace("\u00a0", "").replace(" ", "")
    if not s:
        return Parsed(None)
    if _INT.match(s):
        if len(s.lstrip("+-")) > MAX_STELLEN:
            return Parsed(
                None,
                f"ist mit {len(s.lstrip('+-'))} Stellen zu groß (höchstens {MAX_STELLEN} Stellen)",
                "Tippfehler oder eine Formel statt eines Wertes?",
            )
        return Parsed(float(int(s)))
    if s.startswith("#") and s.endswith(("!", "?", "V", "A")):
        return Parsed(
            None,
            "ist ein Excel-Fehlerwert, keine Zahl",
            "die Formel in Excel prüfen und den Wert als Zahl exportieren",
        )
    if s.endswith("%"):
        return Parsed(None, "enthält ein Prozentzeichen", "nur die Zahl eintragen, ohne „%“")
    if s.casefold() in _PLACEHOLDERS:
        return Parsed(
            None,
            "ist ein Platzhalter, keine Zahl",
            f'fehlt der Wert bewusst, das in der Konfiguration sagen: fehlwerte = ["{s}"] beim '
            "Eintrag dieser Datei in [eingaben]",
        )
    if decimal == ",":
        if _DE_THOUSANDS.match(s):
            return Parsed(float(s.replace(".", "").replace(",", ".")))
        if _COMMA_DEC.match(s):
            return Parsed(float(s.replace(",", ".")))
        if _POINT_DEC.match(s) or _EN_THOUSANDS.match(s):
            return Parsed(
                None,
                "hat das falsche Dezimaltrennzeichen (Punkt statt Komma wie im Rest der Datei)",
                f'Dezimalkomma verwenden: "{s.replace(".", ",")}"',
            )
    else:
        if _POINT_DEC.match(s):
            return Parsed(float(s))
        if _EN_THOUSANDS.match(s) and not _COMMA_DEC.match(s):
            return Parsed(float(s.replace(",", "")))
        if _COMMA_DEC.match(s) or _DE_THOUSANDS.match(s):
            return Parsed(
                None,
                "hat das falsche Dezimaltrennzeichen (Komma statt Punkt wie im Rest der Datei)",
                f'Dezimalpunkt verwenden: "{s.replace(".", "").replace(",", ".")}"',
            )
        try:
            value = float(s)
        except ValueError:
            pass
        else:
            if math.isfinite(value) and abs(value) < 10.0**MAX_STELLEN:
                return Parsed(value)
    return Parsed(None, "ist keine Zahl")


_DATE_FORMATS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"^\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2})?)?$"), "%Y-%m-%d", "tag"),
    (re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}$"), "%d.%m.%Y", "tag"),
    (re.compile(r"^\d{4}-\d{1,2}$"), "%Y-%m", "monat"),
    (re.compile(r"^\d{1,2}/\d{4}$"), "%m/%Y", "monat"),
)
_JAHRE = (1900, 2199)
_EXCEL_SERIAL = re.compile(r"^\d{5}$")
_KURZES_JAHR = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2})$")
DATE_EXPECTED = "ein Datum als JJJJ-MM-TT oder TT.MM.JJJJ (nur Monat: JJJJ-MM oder MM/JJJJ)"


def parse_date(text: str, month_ok: bool = True) -> Parsed:
    """Parse a date; value is ``(Timestamp, "tag" | "monat")``, empty gives None."""
    s = text.strip()
    if not s:
        return Parsed(None)
    for pattern, fmt, precision in _DATE_FORMATS:
        if pattern.match(s):
            if precision == "monat" and not month_ok:
                break
            try:
                day = dt.datetime.strptime(re.split("[ T]", s)[0], fmt)
            except ValueError:
                return Parsed(None, "ist kein gültiges Datum (diesen Tag gibt es nicht)")
            if not _JAHRE[0] <= day.year <= _JAHRE[1]:
                return Parsed(
                    None,
                    f"liegt im Jahr {day.year}, nicht zwischen {_JAHRE[0]} und {_JAHRE[1]}",
                    "Tippfehler im Jahr?",
                )
            return Parsed((pd.Timestamp(day), precision))
    kurz = _KURZES_JAHR.match(s)
    if kurz:
        tag, monat, jahr = kurz.groups()
        return Parsed(
            None,
            "hat ein zweistelliges Jahr",
            f"das Jahr vierstellig schreiben, z. B. {int(tag):02d}.{int(monat):02d}.20{jahr}",
        )
    if _EXCEL_SERIAL.match(s) and 1 <= int(s) <= 109_574:
        tag = dt.date(1899, 12, 30) + dt.timedelta(days=int(s))
        return Parsed(
            None,
            "ist eine Excel-Datumszahl, kein Datum",
            f"in Excel die Spalte als Datum formatieren ({s} ist der {tag:%d.%m.%Y})",
        )
    return Parsed(None, "ist kein Datum")


_TRUE = {"ja", "j", "x", "true", "wahr", "1", "yes", "y"}
_FALSE = {"nein", "n", "false", "falsch", "0", "no", ""}


def parse_bool(text: str) -> Parsed:
    """Parse ``ja``/``nein`` (and the usual variants); empty means ``nein``."""
    s = text.strip().casefold()
    if s in _TRUE:
        return Parsed(True)
    if s in _FALSE:
        return Parsed(False)
    return Parsed(None, "ist weder „ja“ noch „nein“")
