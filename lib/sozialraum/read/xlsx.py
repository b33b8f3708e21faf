"""Excel workbooks (``.xlsx``, also under a wrong file name), read from their first sheet.

Cells become text as the analyst reads them in Excel; the Mentimeter reader uses the same.
"""

from __future__ import annotations

import datetime as dt
import io as _io
import math
import warnings
from pathlib import Path
from typing import Any

from sozialraum.read.problems import Problem, ReadError
from sozialraum.read.tables import RawTable, _expected, _to_raw


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
