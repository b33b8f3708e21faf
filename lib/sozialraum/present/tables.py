"""Accessible HTML tables with German number format, and their data as an Excel-ready CSV.

Every table of a report is built here: a ``table`` element with a ``caption`` and header cells
with ``scope`` (BITV 2.0 / WCAG 1.3.1), numbers right-aligned in German format, suppressed
cells as ``•`` with a footnote, and the data behind it as a CSV download embedded in the page
(reports are read offline). Everything that comes from the data is HTML-escaped, so a card
text holding a script element can never become markup.

The ``*_tabelle`` functions return a complete HTML block (or a German sentence in a paragraph
of class ``hinweis`` where there is nothing to show); the notebook only displays it. The markup
comes from the macros of ``templates/abschnitte/tabellen.html.j2``.

This module holds the building blocks (HTML table, CSV download, notes, file names); the tables
of the indicators are in :mod:`~sozialraum.present.indikatortabellen`, those of the events in
:mod:`~sozialraum.present.veranstaltungstabellen`.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from sozialraum.fmt import (
    FEHLT,
    UNTERDRUECKT,
    csv_zelle,
    fmt_date,
    fmt_int,
    fmt_num,
    is_missing,
    slug,
)
from sozialraum.present.vorlagen import block, markup

CSV_LABEL = "CSV herunterladen"
SUPPRESSION_NOTE = (
    f"{UNTERDRUECKT} = aus Datenschutzgründen nicht ausgewiesen (zu kleine Fallzahl)."
)

# Text that reads as a number in a cell: such columns are right-aligned.
_NUMERIC_CELL = re.compile(r"^(?:[−+-]?[\d.]+(?:,\d+)?(?: %| Pp\.)?|[•–]|< ?\d+|[\d,]+–[\d,]+ %)$")

Formatter = Callable[[Any], str]

VORLAGE = "tabellen.html.j2"


def _block(makro: str, /, **daten: Any) -> str:
    """A macro of the table template as a plain string (callers join and concatenate it)."""
    return str(block(VORLAGE, makro, **daten))


# --------------------------------------------------------------------------------------------
# Generic building blocks
# --------------------------------------------------------------------------------------------
def _csv_value(value: Any) -> Any:
    """Cell for German Excel: decimal comma, dates as TT.MM.JJJJ, booleans as ja/nein."""
    if isinstance(value, list | tuple | np.ndarray):
        return ", ".join(str(v) for v in value)
    if is_missing(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return "ja" if value else "nein"
    if isinstance(value, float | np.floating):
        return repr(round(float(value), 6)).replace(".", ",").removesuffix(",0")
    if isinstance(value, pd.Timestamp | dt.date):
        return fmt_date(value)
    return value


def _csv_cell(value: Any) -> Any:
    """The written cell: text (and joined lists) neutralised, numbers as they are."""
    if isinstance(value, str | list | tuple | np.ndarray):
        return csv_zelle(_csv_value(value))
    return _csv_value(value)


def csv_bytes(df: pd.DataFrame) -> bytes:
    """The frame as CSV for German Excel: ``;``, decimal comma, UTF-8 with BOM.

    Without the BOM Excel reads UTF-8 as Windows-1252 and mangles umlauts; with ``,`` as
    separator it puts a whole row into one cell. Floats are written with up to six decimals so
    the file stays readable, booleans as ``ja``/``nein``, dates as ``TT.MM.JJJJ``.

    Text from the public must not run as a formula when the file is opened (CSV injection,
    OWASP): every *text* cell and header starting with ``=``, ``+``, ``-``, ``@``, tab or
    carriage return gets a leading ``'`` (see :func:`sozialraum.fmt.csv_zelle`). Numbers are
    never changed, so negative values stay numbers in Excel.
    """
    out = df.copy()
    for col in out.columns:
        out[col] = out[col].astype(object).map(_csv_cell)
    out.columns = [csv_zelle(str(c)) for c in out.columns]
    text = out.to_csv(sep=";", index=False, lineterminator="\r\n")
    return ("\ufeff" + text).encode("utf-8")


def csv_download_link(df: pd.DataFrame, filename: str, label: str = CSV_LABEL) -> str:
    """A link that downloads ``df`` as CSV from a data URI, so it works offline and by e-mail.

    The accessible name repeats the file name, because a page with ten links all called
    "CSV herunterladen" is useless to a screen reader listing its links.
    """
    href = "data:text/csv;charset=utf-8;base64," + base64.b64encode(csv_bytes(df)).decode("ascii")
    return _block(
        "csv_download_link",
        filename=filename,
        href=href,
        aria_label=f"{label}: {filename}",
        label=label,
    )


def hinweis(text: str) -> str:
    """A German sentence in place of a table or figure when there is nothing to show."""
    return _block("hinweis", text=text)


def _default_formatter(series: pd.Series) -> Formatter:
    if pd.api.types.is_bool_dtype(series):
        return lambda v: FEHLT if is_missing(v) else ("ja" if v else "nein")
    if pd.api.types.is_integer_dtype(series):
        return fmt_int
    if pd.api.types.is_float_dtype(series):
        return lambda v: fmt_num(v, 1)
    if pd.api.types.is_datetime64_any_dtype(series):
        return fmt_date
    return lambda v: FEHLT if is_missing(v) else str(v)


def html_table(
    df: pd.DataFrame,
    caption: str,
    *,
    formats: Mapping[str, Formatter] | None = None,
    row_header: bool = True,
    footnotes: Sequence[str] = (),
    numeric: Iterable[str] | None = None,
    table_id: str | None = None,
    anhang: str = "",
) -> str:
    """Render a frame as an accessible HTML table with German number format.

    Parameters
    ----------
    df
        Columns in display order, headed by their display names. Cells may already be text
        (``"12,5 %"``, ``"•"``); numbers are formatted by ``formats`` or by dtype
        (integers ``1.234``, floats ``1,2``, dates ``TT.MM.JJJJ``).
    caption
        Visible caption; screen readers announce it with the table.
    formats
        Formatter per column name.
    row_header
        Make the first column row headers (``scope="row"``) so each cell is announced with its row.
    footnotes
        Lines shown below the table. If a cell shows ``•`` and no footnote explains it, a
        standard note is added: a suppressed value must never be left unexplained.
    numeric
        Columns to right-align; by default those whose cells all read as numbers.
    table_id
        Optional ``id`` of the table.
    anhang
        Markup placed right after the table, before the footnotes (e.g. :func:`weitere`).

    Returns
    -------
    str
        The table followed by the footnotes (paragraphs of class ``klein fussnote``); all text
        escaped.
    """
    formats = dict(formats or {})
    cols = list(df.columns)
    formatters = {c: formats.get(c) or _default_formatter(df[c]) for c in cols}
    cells = {c: [formatters[c](v) for v in df[c]] for c in cols}
    if numeric is None:
        numeric_cols = {
            c
            for c in cols
            if (row_header is False or c != cols[0])
            and cells[c]
            and all(_NUMERIC_CELL.match(str(x)) for x in cells[c])
            and any(str(x) not in (FEHLT, UNTERDRUECKT) for x in cells[c])
        }
    else:
        numeric_cols = set(numeric)

    # The header is cut at each "/": the template puts a break opportunity after it, so headers
    # like "Nord/Süd" wrap in narrow columns.
    kopf = [{"teile": str(c).split("/"), "zahl": c in numeric_cols} for c in cols]
    zeilen = [
        [
            {"text": str(cells[c][i]), "zahl": c in numeric_cols, "th": j == 0 and row_header}
            for j, c in enumerate(cols)
        ]
        for i in range(len(df))
    ]
    notes = list(footnotes)
    shows_suppressed = any(UNTERDRUECKT in str(x) for c in cols for x in cells[c])
    if shows_suppressed and not any(n.lstrip().startswith(UNTERDRUECKT) for n in notes):
        notes.append(SUPPRESSION_NOTE)
    return _block(
        "html_table",
        caption=caption,
        table_id=table_id,
        kopf=kopf,
        zeilen=zeilen,
        anhang=markup(anhang),
        fussnoten=notes,
    )


def tabelle(
    df: pd.DataFrame,
    caption: str,
    *,
    csv: pd.DataFrame | None = None,
    filename: str | None = None,
    label: str = CSV_LABEL,
    **kwargs: Any,
) -> str:
    """Table, footnotes and CSV download in one block of class ``tabelle``.

    ``csv`` is the data behind the table (unformatted numbers); it defaults to ``df`` itself.
    Keyword arguments go to :func:`html_table`.
    """
    data = df if csv is None else csv
    name = filename or "tabelle.csv"
    return _block(
        "tabelle",
        tabelle=markup(html_table(df, caption, **kwargs)),
        link=markup(csv_download_link(data, name, label)),
    )


def aufklappen(zusammenfassung: str, inhalt: str) -> str:
    """``inhalt`` (markup) in a collapsed ``details`` element: the table behind a chart.

    Each result appears once in its best form (the chart); whoever wants the numbers opens the
    table or downloads its CSV. The element opens and closes without any script.
    """
    return _block("aufklappen", zusammenfassung=zusammenfassung, inhalt=markup(inhalt))


# --------------------------------------------------------------------------------------------
# File names and the key table of the maps
# --------------------------------------------------------------------------------------------
def dateiname(stamm: str, *teile: Any) -> str:
    """CSV file name from a stem and the unit's slug and year: ``sozialindex-mitte-2020.csv``."""
    parts = [_file_stem(str(stamm))] + [_file_stem(str(t)) for t in teile if str(t)]
    return "-".join(parts) + ".csv"


def _file_stem(text: str) -> str:
    return slug(text)


def schluessel_tabelle(key: pd.DataFrame, caption: str, *, spalten: int | None = None) -> str:
    """The key of the numbers a map draws instead of names, as a compact table.

    ``key`` is :func:`sozialraum.present.kartenbasis.kartenschluessel` (``nummer``, ``quartier_id``,
    ``quartier``). At Berlin scale most of 40–80 areas become numbers, so the key is laid out
    in up to four column pairs (number, name with id), filled column by column: 80 entries
    take 20 rows, not 80. Nothing (an empty string) when the map drew no numbers.
    """
    if key.empty:
        return ""
    key = key.sort_values("nummer", kind="stable").reset_index(drop=True)
    n = len(key)
    k = spalten or (1 if n <= 6 else 2 if n <= 16 else 3 if n <= 36 else 4)
    k = max(1, min(k, n))
    rows = -(-n // k)  # ceiling

    def eintrag(i: int) -> dict[str, Any] | None:
        if i >= n:
            return None  # an empty pair of cells fills the last column
        e = key.iloc[i]
        return {
            "nummer": str(int(e["nummer"])),
            "quartier": e["quartier"],
            "quartier_id": e["quartier_id"],
        }

    zeilen = [[eintrag(c * rows + r) for c in range(k)] for r in range(rows)]
    return _block("schluessel_tabelle", caption=caption, spalten=k, zeilen=zeilen)
