"""Readers for the files analysts really receive, as they receive them.

CSV from German Excel (``;``, decimal comma, Windows-1252) and from elsewhere (``,``, decimal
point, UTF-8 with or without BOM) is detected, never configured; ``.xlsx`` is read from its first
sheet, ``.json`` as a list of records (:mod:`.json_tabelle`); geometries come in any CRS;
Mentimeter exports are read in Mentimeter's own layout.
Tables are read as text first, so that a later conversion can name the row and the value that do
not fit. Row numbers are those the analyst sees in Excel: the header is row 1.

This module reads CSV and text files (encodings, delimiters, cut-off files) and dispatches
workbooks to :mod:`.xlsx`; geometries are read in :mod:`.geometry`, Mentimeter exports in
:mod:`.mentimeter`, cell values parsed in :mod:`.values`.
"""

from __future__ import annotations

import csv
import io as _io
from pathlib import Path

from sozialraum.read.json_tabelle import read_json
from sozialraum.read.problems import (
    Problem,
    ReadError,
    lies_bytes,
    nearby_file,
    pruefe_eingabe,
)
from sozialraum.read.tables import RawTable, _expected, _to_raw
from sozialraum.read.xlsx import _read_xlsx, _read_zip

#: Largest table file read (bytes): statistics tables and poster transcripts stay far below it;
#: anything bigger is a wrong export, and reading it would stall validation for minutes.
MAX_TABELLE_BYTES = 200 * 1024 * 1024

#: Largest single cell, in characters (a moderation card is a sentence, not a book).
MAX_FELD_ZEICHEN = 100_000

_BINARY_SIGNATURES = {
    b"%PDF": "ein PDF-Dokument",
    b"\xd0\xcf\x11\xe0": "eine alte Excel-/Office-Datei (.xls/.doc)",
    b"\x89PNG": "ein Bild (PNG)",
    b"\xff\xd8\xff": "ein Bild (JPEG)",
    b"GIF8": "ein Bild (GIF)",
}


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM), else as Windows-1252; return text, encoding."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined
        return data.decode("latin-1"), "latin-1"


def sniff_delimiter(header_line: str) -> str | None:
    """Delimiter of a CSV file, judged from its header line; ``;`` wins ties (German Excel)."""
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ";"))
    return best if counts[best] else None


def read_table(
    path: str | Path,
    datei: str | None = None,
    expected_columns: list[str] | None = None,
    datensaetze: str | None = None,
) -> RawTable:
    """Read a CSV, ``.xlsx`` or ``.json`` file as text with normalised headers.

    Parameters
    ----------
    path
        The file.
    datei
        How problems name the file (default: the file name).
    expected_columns
        Columns the caller needs; only used to say what was expected when the file is no table.
    datensaetze
        For a ``.json`` file: the dotted key path to its list of records (see :mod:`.json_tabelle`).

    Raises
    ------
    ReadError
        The file is empty, binary, HTML, or has no delimiter where several columns are needed.
    """
    path = Path(path)
    datei = datei or path.name
    pruefe_eingabe(path, datei, _expected(expected_columns))
    if not path.is_file():
        raise ReadError(
            Problem(
                datei,
                "Die Datei existiert nicht",
                erwartet=_expected(expected_columns),
                vorschlag=nearby_file(path),
            )
        )
    size = path.stat().st_size
    if size > MAX_TABELLE_BYTES:
        raise ReadError(
            Problem(
                datei,
                f"Die Datei ist mit {size / 1024 / 1024:.0f} MB zu groß für eine Tabelle".replace(
                    ".", ","
                ),
                erwartet=f"höchstens {MAX_TABELLE_BYTES // 1024 // 1024} MB",
                hinweis="prüfen, ob die richtige Datei exportiert wurde",
            )
        )
    data = lies_bytes(path, datei, _expected(expected_columns))
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise ReadError(Problem(datei, "Die Datei ist leer", erwartet=_expected(expected_columns)))
    if data[:4] == b"PK\x03\x04":
        return _read_zip(path, datei, data, expected_columns)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, datei, expected_columns)
    for signature, what in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise ReadError(
                Problem(
                    datei,
                    f"Die Datei ist keine CSV-Datei, sondern {what}",
                    erwartet=_expected(expected_columns),
                    hinweis="in Excel „Speichern unter“ → „CSV (Trennzeichen-getrennt)“ wählen",
                )
            )
    utf16 = _utf16(data)
    if utf16 is not None:
        text, encoding = data.decode(utf16).lstrip("\ufeff"), "utf-16"
    elif b"\x00" in data[:4096]:
        raise ReadError(
            Problem(
                datei,
                "Die Datei ist keine CSV-Datei (sie enthält Binärdaten)",
                erwartet=_expected(expected_columns),
            )
        )
    else:
        text, encoding = decode(data)
    if path.suffix.lower() == ".json":
        return read_json(text, datei, encoding, datensaetze)
    if datensaetze:
        raise ReadError(
            Problem(
                datei,
                f'datensaetze = "{datensaetze}" gilt nur für JSON-Dateien, diese heißt '
                f"„{path.suffix}“",
                erwartet="eine Datei mit der Endung .json, oder datensaetze weglassen",
            )
        )
    head = text.lstrip()[:200].lower()
    if head.startswith(("<!doctype", "<html", "<?xml", "<table", "{", "[")):
        what = "JSON" if head.startswith(("{", "[")) else "HTML/XML"
        hint = "die Datei in .json umbenennen, dann wird sie als JSON gelesen"
        if what == "HTML/XML":
            hint = (
                "vermutlich eine gespeicherte Webseite oder ein „Excel-Export“ als HTML: die Datei "
                "in Excel öffnen und als „CSV (Trennzeichen-getrennt)“ speichern"
            )
        raise ReadError(
            Problem(
                datei,
                f"Die Datei ist keine CSV-Datei, sondern {what}",
                erwartet=_expected(expected_columns),
                hinweis=hint,
            )
        )
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = sniff_delimiter(first_line)
    if delimiter is None and expected_columns and len(expected_columns) > 1:
        raise ReadError(
            Problem(
                datei,
                "Die Datei ist keine CSV-Tabelle: in der Kopfzeile steht kein Trennzeichen "
                "(; oder ,)",
                zeile=1,
                wert=first_line[:60],
                erwartet=_expected(expected_columns),
            )
        )
    # Read long fields whole, so that validation can name the row and column of a field that is
    # too long instead of the reader failing on the whole file.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_TABELLE_BYTES))
    try:
        records = list(csv.reader(_io.StringIO(text, newline=""), delimiter=delimiter or ";"))
    except csv.Error as exc:
        raise ReadError(
            Problem(
                datei,
                f"Die Datei lässt sich nicht als CSV lesen ({exc})",
                erwartet=_expected(expected_columns),
                hinweis="ein Feld ist extrem lang oder ein Anführungszeichen ist nicht geschlossen",
            )
        ) from exc
    _check_mixed_delimiter(records, datei, delimiter)
    raw = _to_raw(records, datei, encoding=encoding, delimiter=delimiter, text=True)
    _check_truncated(raw, text, records)
    if encoding == "utf-16":
        raw.probleme.append(
            Problem(
                datei,
                "Die Datei ist als UTF-16 („Unicode-Text“) gespeichert; sie wurde gelesen",
                erwartet="CSV in UTF-8 oder Windows-1252",
                hinweis="in Excel „CSV UTF-8 (durch Trennzeichen getrennt)“ wählen",
                schwere="Warnung",
            )
        )
    return raw


def _check_mixed_delimiter(records: list[list[str]], datei: str, delimiter: str | None) -> None:
    """Stop when the header uses one delimiter and every data row the other.

    Happens when a header is typed by hand above rows exported from Excel; without this check
    every row would be one unknown id, and the analyst would get one message per row.
    """
    if delimiter not in (";", ",") or len(records) < 2 or len(records[0]) < 2:
        return
    other = ";" if delimiter == "," else ","
    rows = [r for r in records[1:] if any(c.strip() for c in r)]
    if rows and all(len(r) == 1 and len(r[0].split(other)) == len(records[0]) for r in rows):
        raise ReadError(
            Problem(
                datei,
                f"Die Kopfzeile ist mit „{delimiter}“ getrennt, die Datenzeilen mit „{other}“",
                zeile=2,
                erwartet="ein Trennzeichen in der ganzen Datei",
                hinweis=f"die Kopfzeile mit „{other}“ trennen oder die Tabelle in Excel neu als "
                "CSV speichern",
            )
        )


def _utf16(data: bytes) -> str | None:
    """``"utf-16"`` when the bytes are UTF-16 text (Excel's "Unicode-Text"), else None."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    sample = data[:4096]
    if len(sample) >= 8:
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
            return "utf-16-le"
        if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
            return "utf-16-be"
    return None


def _check_truncated(raw: RawTable, text: str, records: list[list[str]]) -> None:
    """Name a file that ends in the middle of a row (a cut-off export or copy) as such.

    Two signs: an open quotation mark at the end (the reader then swallows the rest into one
    field), or a last line without line break that has fewer fields than the header. Everything
    validation finds after that is most likely a consequence; :attr:`RawTable.abgeschnitten`
    lets it fold those messages into one line.
    """
    if not raw.zeilen:
        return
    width = len(raw.spalten)
    last = records[-1] if records else []
    open_quote = text.count('"') % 2 == 1
    short = (
        not text.endswith(("\n", "\r"))
        and 0 < len([c for c in last if c.strip()])
        and (len(last) < width)
    )
    if not (open_quote or short):
        return
    zeile = raw.zeilen[-1]
    grund = (
        "ein Anführungszeichen wird nicht mehr geschlossen"
        if open_quote
        else f"die letzte Zeile hat nur {len(last)} von {width} Feldern und keinen Zeilenumbruch"
    )
    raw.abgeschnitten = zeile
    raw.probleme.append(
        Problem(
            raw.datei,
            f"Die Datei ist offenbar abgeschnitten: {grund}",
            zeile=zeile,
            erwartet="eine vollständige Datei, deren letzte Zeile alle Felder hat",
            hinweis="die Datei erneut exportieren oder vollständig kopieren",
        )
    )
