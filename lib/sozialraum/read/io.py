"""Readers for the files analysts really receive, as they receive them.

CSV from German Excel (``;``, decimal comma, Windows-1252) and from elsewhere (``,``, decimal
point, UTF-8 with or without BOM) is detected, never configured; ``.xlsx`` is read from its first
sheet; geometries come in any CRS; Mentimeter exports are read in Mentimeter's own layout.
Tables are read as text first, so that a later conversion can name the row and the value that do
not fit. Row numbers are those the analyst sees in Excel: the header is row 1.
"""

from __future__ import annotations

import csv
import datetime as dt
import io as _io
import math
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from sozialraum.names import closest, normalize_header

Schwere = Literal["Fehler", "Warnung"]


# ---------------------------------------------------------------------------------------------
# Problems: one line an analyst can act on
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """One finding about an input file, phrased for the analyst who has to fix it.

    Attributes
    ----------
    datei
        File path relative to the project folder (as the analyst finds it).
    zeile
        Row as Excel shows it (header = 1, first data row = 2); None for whole-file findings.
    spalte
        Column header as the contract names it.
    wert
        The offending value, as written in the file.
    meldung
        What is wrong (German sentence without final full stop).
    erwartet
        What the contract expects.
    vorschlag
        A valid value close to ``wert`` ("Meinten Sie …?").
    hinweis
        Advice that is not a value (e.g. "Dezimalkomma verwenden").
    schwere
        ``"Fehler"`` stops the run; ``"Warnung"`` is reported and the run goes on.
    """

    datei: str
    meldung: str
    zeile: int | None = None
    spalte: str | None = None
    wert: str | None = None
    erwartet: str | None = None
    vorschlag: str | None = None
    hinweis: str | None = None
    schwere: Schwere = "Fehler"

    def __str__(self) -> str:
        where = [self.datei]
        if self.zeile is not None:
            where.append(f"Zeile {self.zeile}")
        if self.spalte:
            where.append(f'Spalte "{self.spalte}"')
        text = ", ".join(where) + ": "
        if self.schwere == "Warnung":
            text += "Warnung: "
        text += self.meldung.rstrip(".") + "."
        if self.erwartet:
            text += f" Erwartet: {self.erwartet.rstrip('.')}."
        if self.vorschlag:
            text += f' Meinten Sie "{self.vorschlag}"?'
        if self.hinweis:
            tip = self.hinweis.rstrip(".")
            text += f" Tipp: {tip}" + ("" if tip.endswith(("?", "!")) else ".")
        return text


class ReadError(Exception):
    """A file cannot be read at all; carries the problem that says why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


# ---------------------------------------------------------------------------------------------
# Tables (CSV and .xlsx) as text
# ---------------------------------------------------------------------------------------------
@dataclass
class RawTable:
    """A table read as text, before any conversion.

    ``df`` has normalised headers (``"Zähler "`` → ``"zaehler"``), only ``str`` cells (empty
    string for an empty cell) and a RangeIndex; ``zeilen[i]`` is the Excel row number of
    ``df.iloc[i]``. ``spalten`` maps each normalised header back to the header in the file.
    """

    datei: str
    df: pd.DataFrame
    zeilen: list[int]
    spalten: dict[str, str]
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str = "."
    probleme: list[Problem] = field(default_factory=list)
    fehlend: set[tuple[int, str]] = field(default_factory=set)
    """Cells (position, column) that held a declared missing-value marker such as ``-9999``."""
    herkunft: dict[tuple[int, str], str] = field(default_factory=dict)
    """Header in the file of a cell that a wide table moved into a contract column."""
    abgeschnitten: int | None = None
    """Row at which the file seems cut off; later findings are likely consequences."""

    def spalte_von(self, pos: int | None, column: str) -> str:
        """The column header the analyst finds in the file for ``column`` in row ``pos``."""
        if pos is not None and (pos, column) in self.herkunft:
            return self.herkunft[(pos, column)]
        return self.spalten.get(column, column)


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


def nearby_file(path: Path) -> str | None:
    """The name of a file beside ``path`` that is spelt almost the same (a typo in the config)."""
    folder = path.parent
    if not folder.is_dir():
        return None
    names = [p.name for p in folder.iterdir() if p.is_file()]
    return closest(path.name, names, cutoff=0.75)


def _expected(columns: list[str] | None) -> str:
    if not columns:
        return "eine Tabelle mit Kopfzeile"
    return "eine CSV-Tabelle mit den Spalten " + ", ".join(f'"{c}"' for c in columns)


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
) -> RawTable:
    """Read a CSV or ``.xlsx`` file as text with normalised headers.

    Parameters
    ----------
    path
        The file.
    datei
        How problems name the file (default: the file name).
    expected_columns
        Columns the caller needs; only used to say what was expected when the file is no table.

    Raises
    ------
    ReadError
        The file is empty, binary, HTML, or has no delimiter where several columns are needed.
    """
    path = Path(path)
    datei = datei or path.name
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
    data = path.read_bytes()
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
    head = text.lstrip()[:200].lower()
    if head.startswith(("<!doctype", "<html", "<?xml", "<table", "{", "[")):
        what = "JSON" if head.startswith(("{", "[")) else "HTML/XML"
        hint = None
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


def _read_zip(path: Path, datei: str, data: bytes, expected_columns: list[str] | None) -> RawTable:
    """An Excel workbook (whatever its name), or a ZIP archive that has to be unpacked first."""
    import zipfile

    try:
        with zipfile.ZipFile(_io.BytesIO(data)) as zf:
            names = zf.namelist()
    except zipfile.BadZipFile as exc:
        raise ReadError(
            Problem(
                datei,
                "Die Datei ist ein beschädigtes ZIP- oder Excel-Archiv (unvollständig kopiert?)",
                erwartet=_expected(expected_columns),
            )
        ) from exc
    if "xl/workbook.xml" not in names:
        listed = ", ".join(names[:5]) + (" …" if len(names) > 5 else "")
        raise ReadError(
            Problem(
                datei,
                f"Die Datei ist ein ZIP-Archiv, keine Tabelle (es enthält: {listed})",
                erwartet=_expected(expected_columns),
                hinweis="das Archiv entpacken und die Tabelle darin angeben",
            )
        )
    raw = _read_xlsx(path, datei, expected_columns)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raw.probleme.append(
            Problem(
                datei,
                f"Die Datei heißt „{path.suffix}“, ist aber eine Excel-Arbeitsmappe (.xlsx); "
                "sie wurde als Excel gelesen",
                erwartet="eine Endung, die zum Inhalt passt",
                hinweis="die Datei in .xlsx umbenennen oder als CSV speichern",
                schwere="Warnung",
            )
        )
    return raw


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


def _cell_text(value: Any) -> str:
    """Text of an Excel cell as the analyst would read it (2023.0 → "2023", dates as ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _read_xlsx(path: Path, datei: str, expected_columns: list[str] | None) -> RawTable:
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it does not know
            wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure means the same to the analyst
        raise ReadError(
            Problem(
                datei,
                f"Die Excel-Datei lässt sich nicht öffnen ({type(exc).__name__})",
                erwartet="eine .xlsx-Datei mit der Tabelle im ersten Blatt",
            )
        ) from exc
    try:
        ws = wb.worksheets[0]
        records = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    if not any(any(c.strip() for c in r) for r in records):
        raise ReadError(Problem(datei, "Die Datei ist leer", erwartet=_expected(expected_columns)))
    return _to_raw(records, datei, encoding=None, delimiter=None, text=False)


def _to_raw(
    records: list[list[str]],
    datei: str,
    *,
    encoding: str | None,
    delimiter: str | None,
    text: bool,
) -> RawTable:
    problems: list[Problem] = []
    header_at = next(i for i, r in enumerate(records) if any(c.strip() for c in r))
    header = [c.strip().lstrip("\ufeff") for c in records[header_at]]
    while header and not header[-1]:
        header.pop()
    names = [normalize_header(h) or f"spalte_{i + 1}" for i, h in enumerate(header)]
    spalten: dict[str, str] = {}
    for n, h in zip(names, header, strict=True):
        if n in spalten:
            problems.append(
                Problem(
                    datei,
                    f'Die Spalte "{h}" kommt in der Kopfzeile mehrfach vor',
                    zeile=header_at + 1,
                    spalte=h,
                    erwartet="jede Spalte einmal",
                )
            )
        spalten.setdefault(n, h)
    width = len(header)
    rows: list[list[str]] = []
    zeilen: list[int] = []
    for i, record in enumerate(records[header_at + 1 :], start=header_at + 2):
        cells = [c.strip() for c in record]
        if not any(cells):
            continue  # blank lines and ";;;;" lines that Excel leaves at the end
        if len(cells) > width and any(cells[width:]):
            hint = None
            if delimiter == ",":
                hint = (
                    "Zahlen mit Dezimalkomma in einer mit Komma getrennten Datei in "
                    "Anführungszeichen setzen oder die Datei mit ; als Trennzeichen speichern"
                )
            problems.append(
                Problem(
                    datei,
                    f"Die Zeile hat {len(cells)} Felder, die Kopfzeile nur {width}",
                    zeile=i,
                    wert=(delimiter or ";").join(record)[:80],
                    erwartet=f"{width} Felder wie in der Kopfzeile",
                    hinweis=hint,
                )
            )
        cells = (cells + [""] * width)[:width]
        rows.append(cells)
        zeilen.append(i)
    df = pd.DataFrame(rows, columns=names, dtype="str") if rows else _empty(names)
    df = df.loc[:, ~df.columns.duplicated()]
    decimal = detect_decimal(df, delimiter) if text else "."
    return RawTable(datei, df, zeilen, spalten, encoding, delimiter, decimal, problems)


def _empty(names: list[str]) -> pd.DataFrame:
    return pd.DataFrame({n: pd.Series([], dtype="str") for n in dict.fromkeys(names)})


# ---------------------------------------------------------------------------------------------
# Values: numbers with either decimal separator, dates with day or month precision, ja/nein
# ---------------------------------------------------------------------------------------------
_INT = re.compile(r"^[+-]?\d+$")
_COMMA_DEC = re.compile(r"^[+-]?\d*,\d+$")
_POINT_DEC = re.compile(r"^[+-]?\d*\.\d+$")
_DE_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")
_EN_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


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
        return Parsed(float(int(s)))
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
            if math.isfinite(value):
                return Parsed(value)
    return Parsed(None, "ist keine Zahl")


_DATE_FORMATS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"^\d{4}-\d{1,2}-\d{1,2}( \d{1,2}:\d{2}(:\d{2})?)?$"), "%Y-%m-%d", "tag"),
    (re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}$"), "%d.%m.%Y", "tag"),
    (re.compile(r"^\d{4}-\d{1,2}$"), "%Y-%m", "monat"),
    (re.compile(r"^\d{1,2}/\d{4}$"), "%m/%Y", "monat"),
)
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
                day = dt.datetime.strptime(s.split(" ")[0], fmt)
            except ValueError:
                return Parsed(None, "ist kein gültiges Datum (diesen Tag gibt es nicht)")
            return Parsed((pd.Timestamp(day), precision))
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


# ---------------------------------------------------------------------------------------------
# Geometry
# ---------------------------------------------------------------------------------------------
def read_geometry(
    path: str | Path,
    crs: str,
    datei: str | None = None,
    label_column: str = "quartier",
    expected_columns: list[str] | None = None,
) -> tuple[Any, list[Problem]]:
    """Read polygons from GeoPackage, GeoJSON or Shapefile and transform them to ``crs``.

    Invalid polygons are repaired (``make_valid``, polygonal parts only) with a warning that
    names the Quartier, because a self-intersection drawn in the GIS should not stop a report,
    but the GIS should hear about it.

    Returns
    -------
    GeoDataFrame with normalised column names and a RangeIndex, and the warnings.

    Raises
    ------
    ReadError
        The file cannot be read, is empty or has no CRS.
    """
    import geopandas as gpd
    import shapely

    path = Path(path)
    datei = datei or path.name
    if not path.exists():
        raise ReadError(
            Problem(
                datei,
                "Die Datei existiert nicht",
                erwartet="eine Geometriedatei",
                vorschlag=nearby_file(path),
            )
        )
    if path.is_file() and not path.read_bytes()[:4096].strip():
        raise ReadError(
            Problem(datei, "Die Datei ist leer", erwartet="Polygone der Sozialquartiere")
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gdf = gpd.read_file(path)
    except Exception as exc:  # noqa: BLE001 - GDAL raises many types; the message is what counts
        raise ReadError(
            Problem(
                datei,
                f"Die Geometrie lässt sich nicht lesen ({str(exc).splitlines()[0][:120]})",
                erwartet="GeoPackage (.gpkg), GeoJSON oder Shapefile (.shp mit .dbf, .shx, .prj)",
            )
        ) from exc
    if gdf.empty:
        raise ReadError(
            Problem(
                datei, "Die Geometrie enthält keine Flächen", erwartet="ein Polygon je Quartier"
            )
        )
    if gdf.crs is None:
        raise ReadError(
            Problem(
                datei,
                "Die Geometrie hat kein Koordinatenbezugssystem (KBS)",
                erwartet=f"ein angegebenes KBS, z. B. {crs}",
                hinweis=f"{crs} setzen, z. B. in QGIS (Layer → Layer-KBS setzen) oder eine "
                ".prj-Datei neben die .shp legen",
            )
        )
    if gdf.crs.is_geographic:
        minx, miny, maxx, maxy = gdf.total_bounds
        if min(minx, miny) < -180 or max(maxx, maxy) > 180:
            raise ReadError(
                Problem(
                    datei,
                    f"Die Koordinaten passen nicht zum angegebenen KBS {gdf.crs.to_string()} "
                    "(Werte außerhalb von ±180°)",
                    erwartet="Koordinaten im angegebenen KBS",
                    hinweis=f"das richtige KBS angeben, vermutlich {crs}",
                )
            )
    gdf = gdf.rename(columns={c: normalize_header(c) for c in gdf.columns if c != "geometry"})
    # Shapefiles cut column names to 10 characters ("sozialraum_id" -> "sozialraum").
    restore = {}
    for c in gdf.columns:
        longer = [e for e in expected_columns or [] if e.startswith(c) and e != c]
        if len(c) == 10 and len(longer) == 1 and longer[0] not in gdf.columns:
            restore[c] = longer[0]
    gdf = gdf.rename(columns=restore)
    gdf = gdf.to_crs(crs).reset_index(drop=True)
    problems: list[Problem] = []
    invalid = ~gdf.geometry.is_valid & gdf.geometry.notna()
    for i in gdf.index[invalid]:
        geom = gdf.geometry.iloc[i]
        reason = shapely.is_valid_reason(geom)
        repaired = _polygonal(shapely.make_valid(geom))
        gdf.loc[i, "geometry"] = repaired
        name = gdf[label_column].iloc[i] if label_column in gdf.columns else f"Objekt {i + 1}"
        problems.append(
            Problem(
                datei,
                f'Das Polygon von "{name}" ist ungültig ({reason}) und wurde repariert',
                zeile=i + 2,
                spalte="geometry",
                wert=str(name),
                erwartet="ein gültiges Polygon ohne Selbstüberschneidung",
                hinweis="im GIS korrigieren (QGIS: Vektor → Geometriewerkzeuge → "
                "Geometrien reparieren)",
                schwere="Warnung",
            )
        )
    return gdf, problems


def _polygonal(geom: Any) -> Any:
    """Keep the polygonal parts of a repaired geometry (make_valid may add lines and points)."""
    import shapely
    from shapely.geometry import MultiPolygon, Polygon

    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    parts = [
        p
        for p in shapely.get_parts(geom)
        if isinstance(p, Polygon | MultiPolygon) and not p.is_empty
    ]
    polys: list[Polygon] = []
    for p in parts:
        polys.extend(p.geoms if isinstance(p, MultiPolygon) else [p])
    return MultiPolygon(polys) if len(polys) != 1 else polys[0]


# ---------------------------------------------------------------------------------------------
# Mentimeter results export
# ---------------------------------------------------------------------------------------------
class MentimeterError(ValueError):
    """The export does not hold what the config says (e.g. the question is not there)."""


@dataclass(frozen=True)
class MentimeterSlide:
    """One slide block of a session sheet.

    ``antworten`` holds the raw rows of a ``Responses`` block (word cloud, open); ``ergebnis``
    the ``Choices | Votes`` or ``Choices | Weighted average | 1 … 5`` table.
    """

    session: str
    titel: str
    typ: str
    frage: str
    respondents: int | None
    antworten: tuple[str, ...] = ()
    ergebnis: pd.DataFrame | None = None


@dataclass(frozen=True)
class MentimeterExport:
    """A whole export: the Voters sheet (one row per participant) and the slide blocks."""

    voters: pd.DataFrame
    fragen: tuple[str, ...]
    slides: tuple[MentimeterSlide, ...]

    def questions(self) -> list[str]:
        """All question texts, from the Voters header and the session sheets."""
        found = list(self.fragen) + [s.frage for s in self.slides if s.typ != "slide"]
        return list(dict.fromkeys(q for q in found if q))


def _norm_question(text: str) -> str:
    text = re.sub(r"[\u2010-\u2015]", "-", str(text))
    return " ".join(text.split()).rstrip(":").strip().casefold()


def read_mentimeter(path: str | Path) -> MentimeterExport:
    """Read a Mentimeter results export as Mentimeter writes it.

    The Voters header is found by its ``Voter`` cell (row 3 in every export seen, but notes
    above it vary); ``Date`` and ``Date (UTC)`` are both accepted. Slide blocks are found by
    their ``Type`` rows, so the number of empty rows between blocks does not matter.
    """
    from openpyxl import load_workbook

    path = Path(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001
        raise MentimeterError(
            f"{path.name}: kein lesbarer Mentimeter-Export (.xlsx) ({type(exc).__name__})"
        ) from exc
    try:
        sheets = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb}
    finally:
        wb.close()
    voters = pd.DataFrame()
    fragen: list[str] = []
    if "Voters" in sheets:
        voters, fragen = _voters(sheets["Voters"])
    slides: list[MentimeterSlide] = []
    for name, rows in sheets.items():
        if name != "Voters":
            slides.extend(_slides(name, rows))
    if voters.empty and not fragen and not slides:
        raise MentimeterError(
            f"{path.name}: kein Mentimeter-Export: weder ein Blatt „Voters“ noch Blätter "
            f"„Session 1“ … gefunden (Blätter: {', '.join(sheets)})"
        )
    return MentimeterExport(voters, tuple(fragen), tuple(slides))


def _voters(rows: list[list[Any]]) -> tuple[pd.DataFrame, list[str]]:
    header_at = None
    for i, row in enumerate(rows[:20]):
        if any(str(c).strip() == "Voter" for c in row if c is not None):
            header_at = i
            break
    if header_at is None:
        return pd.DataFrame(), []
    header = [str(c).strip() if c is not None else "" for c in rows[header_at]]
    while header and not header[-1]:
        header.pop()
    columns = []
    for h in header:
        if h in ("Date", "Date (UTC)"):
            columns.append("date")
        elif h in ("Session", "Voter"):
            columns.append(h.lower())
        else:
            columns.append(h.rstrip(":").strip())
    data = [
        [_cell_text(c) for c in (list(r) + [None] * len(columns))[: len(columns)]]
        for r in rows[header_at + 1 :]
        if any(c not in (None, "") for c in r)
    ]
    df = pd.DataFrame(data, columns=columns, dtype="str")
    fragen = [c for c in columns if c not in ("date", "session", "voter")]
    return df, fragen


def _slides(session: str, rows: list[list[Any]]) -> list[MentimeterSlide]:
    def first(row: list[Any]) -> str:
        return str(row[0]).strip() if row and row[0] is not None else ""

    def second(row: list[Any]) -> Any:
        return row[1] if len(row) > 1 else None

    # A block starts at its "Slide k"/"Question k" title; without titles, at its "Date" row.
    titles = [i for i, row in enumerate(rows) if re.fullmatch(r"(Slide|Question) \d+", first(row))]
    if not titles:
        titles = [i for i, row in enumerate(rows) if first(row) in ("Date", "Date (UTC)")]
    slides = []
    for n, start in enumerate(titles):
        end = titles[n + 1] if n + 1 < len(titles) else len(rows)
        block = rows[start:end]
        meta: dict[str, Any] = {}
        body_at = len(block)
        for j, row in enumerate(block):
            key = first(row)
            if key in ("Date", "Date (UTC)", "Session", "Type", "Question", "Respondents"):
                meta.setdefault(key, second(row))
            elif key in ("Responses", "Choices", "No votes for this session"):
                body_at = j
                break
        typ = str(meta.get("Type") or "").strip()
        antworten: list[str] = []
        ergebnis = None
        body = block[body_at:]
        if body and first(body[0]) == "Responses":
            antworten = [_cell_text(r[0]) for r in body[1:] if r and r[0] not in (None, "")]
        elif body and first(body[0]) == "Choices":
            head = [_cell_text(c) for c in body[0]]
            while head and not head[-1]:
                head.pop()
            lines = []
            for r in body[1:]:
                if not r or r[0] in (None, ""):
                    break
                lines.append((list(r) + [None] * len(head))[: len(head)])
            ergebnis = pd.DataFrame(lines, columns=head)
        respondents = meta.get("Respondents")
        try:
            respondents = int(respondents) if respondents not in (None, "") else None
        except (TypeError, ValueError):
            respondents = None
        slides.append(
            MentimeterSlide(
                session=str(meta.get("Session") or session),
                titel=first(block[0]),
                typ=typ,
                frage=str(meta.get("Question") or "").strip(),
                respondents=respondents,
                antworten=tuple(antworten),
                ergebnis=ergebnis,
            )
        )
    return slides


def split_words(cell: str) -> list[str]:
    """One voter's word-cloud cell as entries: split at spaces, ``_`` joins multi-word entries."""
    return [w.replace("_", " ").strip() for w in str(cell).split() if w.replace("_", "").strip()]


def find_question(export: MentimeterExport, question_prefix: str, datei: str = "") -> str:
    """The question that starts with ``question_prefix`` (tolerant of case, dashes, spaces).

    Raises
    ------
    MentimeterError
        No or several questions match; the message lists the questions found.
    """
    prefix = _norm_question(question_prefix)
    found = export.questions()
    hits = [q for q in found if _norm_question(q).startswith(prefix)]
    if len(hits) == 1:
        return hits[0]
    listed = "; ".join(f'"{q}"' for q in found) or "keine"
    where = f"{datei}: " if datei else ""
    if not hits:
        near = closest(question_prefix, found, cutoff=0.5)
        tip = f' Meinten Sie "{near}"?' if near else ""
        raise MentimeterError(
            f'{where}Keine Frage beginnt mit "{question_prefix}". Gefundene Fragen: {listed}.{tip}'
        )
    raise MentimeterError(
        f'{where}Mehrere Fragen beginnen mit "{question_prefix}": {listed}. Bitte den Anfang der '
        "Frage in der Konfiguration länger angeben."
    )


def mentimeter_words(
    export: MentimeterExport, question_prefix: str, datei: str = ""
) -> tuple[pd.DataFrame, list[str]]:
    """Words of one word-cloud question, and notes where Voters and session sheets disagree.

    The Voters sheet is the source (it knows who answered what); the session sheets'
    ``Responses`` blocks are the fallback and the cross-check.
    """
    question = find_question(export, question_prefix, datei)
    notes: list[str] = []
    from_sessions = [
        w
        for s in export.slides
        if _norm_question(s.frage) == _norm_question(question)
        for cell in s.antworten
        for w in split_words(cell)
    ]
    if question in export.fragen:
        rows = [
            (w, voter)
            for voter, cell in zip(export.voters["voter"], export.voters[question], strict=True)
            for w in split_words(cell)
        ]
        words = pd.DataFrame(rows, columns=["wort", "voter"], dtype="str")
        has_block = any(_norm_question(s.frage) == _norm_question(question) for s in export.slides)
        if has_block and sorted(from_sessions) != sorted(words["wort"]):
            notes.append(
                f'Blatt „Voters“ hat {len(words)} Wörter zur Frage "{question}", die '
                f"Sitzungsblätter {len(from_sessions)}; verwendet wird „Voters“"
            )
    else:
        words = pd.DataFrame(
            {"wort": from_sessions, "voter": [pd.NA] * len(from_sessions)}, dtype="str"
        )
    return words.reset_index(drop=True), notes


def read_mentimeter_words(path: str | Path, question_prefix: str) -> pd.DataFrame:
    """Feedback words (``wort``, ``voter``) of the word-cloud question starting with the prefix.

    Raises
    ------
    MentimeterError
        The question is not in the export; the message lists the questions found.
    """
    path = Path(path)
    words, _ = mentimeter_words(read_mentimeter(path), question_prefix, path.name)
    return words
