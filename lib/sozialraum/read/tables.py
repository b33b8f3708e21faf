"""A table read as text, before any conversion, and how rows of cells become one.

Shared by the CSV and the Excel reader: header row, duplicate headers, rows wider than the
header are handled once for both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from sozialraum.names import normalize_header
from sozialraum.read.problems import Ort, Problem, position
from sozialraum.read.values import detect_decimal


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
    ort: Ort = "Zeile"
    """``"Datensatz"`` for a JSON file (``zeilen`` then count records from 2, as rows would)."""

    def position(self, zeile: int) -> str:
        """Row ``zeile`` as the analyst finds it in the file ("Zeile 7", "Datensatz 6")."""
        return position(zeile, self.ort)

    def spalte_von(self, pos: int | None, column: str) -> str:
        """The column header the analyst finds in the file for ``column`` in row ``pos``."""
        if pos is not None and (pos, column) in self.herkunft:
            return self.herkunft[(pos, column)]
        return self.spalten.get(column, column)


def _expected(columns: list[str] | None) -> str:
    if not columns:
        return "eine Tabelle mit Kopfzeile"
    return "eine CSV-Tabelle mit den Spalten " + ", ".join(f'"{c}"' for c in columns)


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
