"""Accessible HTML tables with German number format, and their data as an Excel-ready CSV.

Every table of a report is built here: ``<table>`` with ``<caption>`` and ``<th scope>`` (BITV
2.0 / WCAG 1.3.1), numbers right-aligned in German format, suppressed cells as ``•`` with a
footnote, and the data behind it as a CSV download embedded in the page (reports are read
offline). Everything that comes from the data is HTML-escaped here, so a card text such as
``<script>`` can never become markup.

The ``*_tabelle`` functions return a complete HTML block (or a German sentence in a
``<p class="hinweis">`` where there is nothing to show); the notebook only displays it.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from sozialraum.config import Config
from sozialraum.fmt import (
    FEHLT,
    UNTERDRUECKT,
    anzahl,
    csv_zelle,
    fmt_date,
    fmt_int,
    fmt_num,
    fmt_pct,
    fmt_pp,
    genauigkeiten,
    genitiv,
    html_text,
    is_missing,
    natural_key,
    slug,
)

CSV_LABEL = "CSV herunterladen"
LISTE_MAX = 50
"""Cards shown per channel (and per free-text question) and feedback words shown in the
page; the rest is counted in a line ("… und 99.950 weitere Karten") and is in the CSV."""
SUPPRESSION_NOTE = (
    f"{UNTERDRUECKT} = aus Datenschutzgründen nicht ausgewiesen (zu kleine Fallzahl)."
)
EBENEN = ("quartier", "sozialraum", "stadt")

# Text that reads as a number in a cell: such columns are right-aligned.
_NUMERIC_CELL = re.compile(r"^(?:[−+-]?[\d.]+(?:,\d+)?(?: %| Pp\.)?|[•–]|< ?\d+|[\d,]+–[\d,]+ %)$")

Formatter = Callable[[Any], str]


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
    return (
        f'<a download="{html_text(filename)}" href="{href}" '
        f'aria-label="{html_text(f"{label}: {filename}")}">{html_text(label)}</a>'
    )


def hinweis(text: str) -> str:
    """A German sentence in place of a table or figure when there is nothing to show."""
    return f'<p class="hinweis">{html_text(text)}</p>'


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
        Make the first column ``<th scope="row">`` so each cell is announced with its row.
    footnotes
        Lines shown below the table. If a cell shows ``•`` and no footnote explains it, a
        standard note is added: a suppressed value must never be left unexplained.
    numeric
        Columns to right-align; by default those whose cells all read as numbers.
    table_id
        Optional ``id`` of the ``<table>``.

    Returns
    -------
    str
        ``<table>`` followed by the footnotes (``<p class="klein fussnote">``); all text escaped.
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

    def cls(c: str) -> str:
        return ' class="zahl"' if c in numeric_cols else ""

    id_attr = f' id="{html_text(table_id)}"' if table_id else ""
    # A break opportunity after "/" lets headers like "Nord/Süd" wrap in narrow columns.
    head = "".join(
        f'<th scope="col"{cls(c)}>{str(html_text(str(c))).replace("/", "/<wbr>")}</th>'
        for c in cols
    )
    rows = []
    for i in range(len(df)):
        tds = []
        for j, c in enumerate(cols):
            text = html_text(str(cells[c][i]))
            if j == 0 and row_header:
                tds.append(f'<th scope="row"{cls(c)}>{text}</th>')
            else:
                tds.append(f"<td{cls(c)}>{text}</td>")
        rows.append("<tr>" + "".join(tds) + "</tr>")
    notes = list(footnotes)
    shows_suppressed = any(UNTERDRUECKT in str(x) for c in cols for x in cells[c])
    if shows_suppressed and not any(n.lstrip().startswith(UNTERDRUECKT) for n in notes):
        notes.append(SUPPRESSION_NOTE)
    html = (
        f"<table{id_attr}><caption>{html_text(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    html += "".join(f'<p class="klein fussnote">{html_text(n)}</p>' for n in notes)
    return html


def tabelle(
    df: pd.DataFrame,
    caption: str,
    *,
    csv: pd.DataFrame | None = None,
    filename: str | None = None,
    label: str = CSV_LABEL,
    **kwargs: Any,
) -> str:
    """Table, footnotes and CSV download in one ``<div class="tabelle">``.

    ``csv`` is the data behind the table (unformatted numbers); it defaults to ``df`` itself.
    Keyword arguments go to :func:`html_table`.
    """
    data = df if csv is None else csv
    name = filename or "tabelle.csv"
    link = f'<p class="klein">{csv_download_link(data, name, label)}</p>'
    return f'<div class="tabelle">{html_table(df, caption, **kwargs)}{link}</div>'


def aufklappen(zusammenfassung: str, inhalt: str) -> str:
    """``inhalt`` in a collapsed ``<details>``: the table behind a chart, shown on request.

    Each result appears once in its best form (the chart); whoever wants the numbers opens the
    table or downloads its CSV. The element opens and closes without any script.
    """
    return (
        f'<details class="daten"><summary>{html_text(zusammenfassung)}</summary>{inhalt}</details>'
    )


def _suppressed(shown: str, unterdrueckt: Any) -> str:
    return UNTERDRUECKT if (not is_missing(unterdrueckt) and bool(unterdrueckt)) else shown


# --------------------------------------------------------------------------------------------
# Indicators: Quartiere, Sozialraum and city, with change since the last Sozialbericht
# --------------------------------------------------------------------------------------------
def gebiete_werte(
    werte: pd.DataFrame,
    quartiere: pd.DataFrame,
    sozialraum_id: str,
    sozialraum_agg: pd.DataFrame,
    stadt_agg: pd.DataFrame,
    *,
    sozialraum_name: str,
    stadt_name: str,
) -> pd.DataFrame:
    """One long frame of shares for the Quartiere of a Sozialraum, the Sozialraum and the city.

    Parameters
    ----------
    werte
        ``IndexResult.werte``: ``quartier_id``, ``jahr``, ``indikator``, ``anteil``,
        ``unterdrueckt`` (``zaehler``/``nenner`` optional).
    quartiere
        ``quartier_id``, ``quartier``, ``sozialraum_id``.
    sozialraum_id
        The Sozialraum whose Quartiere are listed.
    sozialraum_agg, stadt_agg
        Output of ``index.aggregate`` for the two levels (``jahr``, ``indikator``, ``anteil``,
        optionally ``unterdrueckt``, ``zaehler``, ``nenner``; the Sozialraum level may hold all
        Sozialräume in a column ``sozialraum_id``).
    sozialraum_name, stadt_name
        Row labels of the two aggregate levels.

    Returns
    -------
    DataFrame
        Columns ``ebene`` (``quartier``/``sozialraum``/``stadt``), ``gebiet_id``, ``gebiet``,
        ``jahr``, ``indikator``, ``zaehler``, ``nenner``, ``anteil``, ``veraenderung`` (the
        published change in percentage points where the data carry one, else NaN),
        ``unterdrueckt``; Quartiere sorted by name, then the Sozialraum, then the city.
    """
    own = quartiere[quartiere["sozialraum_id"].astype(str) == str(sozialraum_id)]
    names = own[["quartier_id", "quartier"]].astype({"quartier_id": "string"})
    q = werte.astype({"quartier_id": "string"}).merge(
        names, on="quartier_id", how="inner", validate="m:1"
    )
    q = q.rename(columns={"quartier_id": "gebiet_id", "quartier": "gebiet"}).assign(
        ebene="quartier"
    )
    sr = sozialraum_agg
    if "sozialraum_id" in sr.columns:
        sr = sr[sr["sozialraum_id"].astype(str) == str(sozialraum_id)]
    sr = sr.assign(ebene="sozialraum", gebiet_id=str(sozialraum_id), gebiet=sozialraum_name)
    st = stadt_agg.assign(ebene="stadt", gebiet_id="stadt", gebiet=stadt_name)
    cols = [
        "ebene",
        "gebiet_id",
        "gebiet",
        "jahr",
        "indikator",
        "zaehler",
        "nenner",
        "anteil",
        "veraenderung",
    ]
    parts = []
    for part in (q, sr, st):
        part = part.copy()
        for c in ("zaehler", "nenner", "anteil", "veraenderung"):
            if c not in part.columns:
                part[c] = np.nan
        part["unterdrueckt"] = (
            part["unterdrueckt"].fillna(False).astype(bool)
            if "unterdrueckt" in part.columns
            else False
        )
        # Blank what is withheld here too, so no table or CSV built later can leak it.
        hidden = ["zaehler", "anteil", "veraenderung"]
        part[hidden] = part[hidden].astype("float64")
        part.loc[part["unterdrueckt"], hidden] = np.nan
        parts.append(part[[*cols, "unterdrueckt"]])
    out = pd.concat(parts, ignore_index=True)
    out["jahr"] = out["jahr"].astype("int64")
    out["_e"] = out["ebene"].map({e: i for i, e in enumerate(EBENEN)})
    out = out.sort_values(["_e", "gebiet", "indikator", "jahr"], kind="stable")
    return out.drop(columns="_e").reset_index(drop=True)


def indikator_daten(cfg: Config, gebiete: pd.DataFrame, indikator: str) -> pd.DataFrame:
    """Shares of one indicator per area and year, with the change in percentage points.

    The change is ``anteil(berichtsjahr) − anteil(vergleichsjahr)`` and is suppressed when
    either year is, or the published change; suppressed shares are blanked, so the frame is safe
    to offer as CSV.

    Returns
    -------
    DataFrame
        Columns ``gebiet_id``, ``gebiet``, ``ebene``, ``anteil_<jahr>`` and
        ``unterdrueckt_<jahr>`` for every year of ``cfg.methode.jahre``, ``veraenderung_pp`` and
        ``veraenderung_unterdrueckt``. For an indicator with ``veraenderung = "veroeffentlicht"``
        the change is the published one (no share of the vergleichsjahr is needed).
    """
    m = cfg.methode
    d = gebiete[gebiete["indikator"] == indikator]
    order = d[["gebiet_id", "gebiet", "ebene"]].drop_duplicates("gebiet_id")
    out = order.set_index("gebiet_id")
    for year in m.jahre:
        y = d[d["jahr"] == year].set_index("gebiet_id")
        hidden = y["unterdrueckt"].reindex(out.index).fillna(False).astype(bool)
        share = y["anteil"].reindex(out.index).astype("float64")
        out[f"anteil_{year}"] = share.where(~hidden)
        out[f"unterdrueckt_{year}"] = hidden
    b, v = m.berichtsjahr, m.vergleichsjahr
    if cfg.indikator(indikator).veraenderung == "veroeffentlicht":
        # published with the data: there are no shares of the vergleichsjahr to subtract
        y = d[d["jahr"] == b].set_index("gebiet_id")
        pub = y["veraenderung"] if "veraenderung" in y.columns else pd.Series(dtype="float64")
        out["veraenderung_pp"] = (
            pub.reindex(out.index).astype("float64").where(~out[f"unterdrueckt_{b}"])
        )
        out["veraenderung_unterdrueckt"] = out[f"unterdrueckt_{b}"]
    else:
        out["veraenderung_pp"] = out[f"anteil_{b}"] - out[f"anteil_{v}"]
        out["veraenderung_unterdrueckt"] = out[f"unterdrueckt_{b}"] | out[f"unterdrueckt_{v}"]
    return out.reset_index()


def reihenfolge(cfg: Config, gebiete: pd.DataFrame) -> list[str]:
    """Ids of areas in the documented order of every area table and CSV (``methode.sortierung``).

    ``"id"``: by area id, digit runs compared as numbers ("2" before "10"); ``"name"``: by name
    (case and umlauts ignored), then id; ``"klasse"``: worst status class first, then id, the
    areas without a class ("nicht bewertet", "keine Angabe") last.

    Parameters
    ----------
    cfg
        Gives ``methode.sortierung``.
    gebiete
        One row per area with ``quartier_id`` and ``quartier`` (``status_stufe`` for
        ``"klasse"``; without it ``"klasse"`` orders by id), e.g. ``IndexResult.index``.
    """
    df = gebiete.reset_index(drop=True)
    ids = df["quartier_id"].astype(str)
    art = cfg.methode.sortierung
    if art == "name":
        keys = [(natural_key(n), natural_key(i)) for n, i in zip(df["quartier"], ids, strict=True)]
    elif art == "klasse" and "status_stufe" in df.columns:
        stufe = pd.to_numeric(df["status_stufe"], errors="coerce")
        keys = [
            (1 if pd.isna(s) else 0, 0 if pd.isna(s) else -int(s), natural_key(i))
            for s, i in zip(stufe, ids, strict=True)
        ]
    else:
        keys = [natural_key(i) for i in ids]
    order = sorted(range(len(df)), key=lambda k: keys[k])
    return [ids[k] for k in order]


def sortiert(cfg: Config, gebiete: pd.DataFrame) -> pd.DataFrame:
    """``gebiete`` (one row per area, see :func:`reihenfolge`) in the documented order."""
    pos = {i: n for n, i in enumerate(reihenfolge(cfg, gebiete))}
    key = gebiete["quartier_id"].astype(str).map(pos)
    return gebiete.assign(_o=key.to_numpy()).sort_values("_o", kind="stable").drop(columns="_o")


def dateiname(stamm: str, *teile: Any) -> str:
    """CSV file name from a stem and the unit's slug and year: ``sozialindex-mitte-2020.csv``."""
    parts = [_file_stem(str(stamm))] + [_file_stem(str(t)) for t in teile if str(t)]
    return "-".join(parts) + ".csv"


def veraenderung_titel(cfg: Config, indikatoren: Iterable[Any] | None = None) -> str:
    """Header of a change column: "Veränderung 2020–2023", "Veränderung 2018–2020 (veröffentlicht)".

    Published when every given indicator (default: those of the config) has
    ``veraenderung = "veroeffentlicht"``: the period is that of the published data, not an
    edition of the report series.
    """
    m = cfg.methode
    inds = list(cfg.indikatoren if indikatoren is None else indikatoren)
    text = f"Veränderung {m.vergleichsjahr}–{m.berichtsjahr}"
    if inds and all(i.veraenderung == "veroeffentlicht" for i in inds):
        text += " (veröffentlicht)"
    return text


def indikator_tabelle(
    cfg: Config,
    gebiete: pd.DataFrame,
    indikator: str,
    *,
    sozialraum_name: str = "",
    reihe: Sequence[str] | None = None,
    filename: str | None = None,
) -> str:
    """HTML table of one indicator: every area, the report unit and the city, all years.

    Parameters
    ----------
    cfg
        Indicators, years and the city's nouns (``begriffe``) for row labels and notes.
    gebiete
        Output of :func:`gebiete_werte`.
    indikator
        Id of the indicator.
    sozialraum_name
        Named in the caption.
    reihe
        Ids of the areas in display order (see :func:`reihenfolge`); by default the order of
        ``cfg.methode.sortierung`` by id or name.
    filename
        Name of the CSV download (default ``indikator-<id>.csv``).
    """
    ind = cfg.indikator(indikator)
    daten = indikator_daten(cfg, gebiete, indikator)
    if daten.empty:
        return hinweis(f"Für den Indikator „{ind.label}“ liegen keine Werte vor.")
    m, b = cfg.methode, cfg.begriffe
    areas = daten[daten["ebene"] == "quartier"]
    if reihe is None:
        reihe = reihenfolge(
            cfg, areas.rename(columns={"gebiet_id": "quartier_id", "gebiet": "quartier"})
        )
    pos = {str(i): n for n, i in enumerate(reihe)}
    level = {e: n for n, e in enumerate(EBENEN)}
    daten = (
        daten.assign(
            _e=daten["ebene"].map(level),
            _o=daten["gebiet_id"].astype(str).map(pos).fillna(len(pos)),
        )
        .sort_values(["_e", "_o"], kind="stable")
        .drop(columns=["_e", "_o"])
        .reset_index(drop=True)
    )
    # The two totals are named with their level so they stand out from the area rows.
    prefix = {"sozialraum": f"{b.einheit.name} ", "stadt": "Stadt "}
    show = pd.DataFrame(
        {
            "Gebiet": [
                prefix.get(e, "") + str(g)
                for e, g in zip(daten["ebene"], daten["gebiet"], strict=True)
            ],
            "ID": [
                "" if e == "stadt" else str(i)
                for e, i in zip(daten["ebene"], daten["gebiet_id"], strict=True)
            ],
        }
    )
    for year in m.jahre:
        show[str(year)] = [
            _suppressed(fmt_pct(a), u)
            for a, u in zip(daten[f"anteil_{year}"], daten[f"unterdrueckt_{year}"], strict=True)
        ]
    veroeffentlicht = ind.veraenderung == "veroeffentlicht"
    change = veraenderung_titel(cfg, [ind])
    show[change] = [
        _suppressed(fmt_pp(a), u)
        for a, u in zip(daten["veraenderung_pp"], daten["veraenderung_unterdrueckt"], strict=True)
    ]
    where = f" – {sozialraum_name}" if sozialraum_name else ""
    caption = f"{ind.label}{where}: Anteil in % und Veränderung in Prozentpunkten (Pp.)"
    if ind.eingabe == "anzahl":
        notes = [f"Anteil: {ind.zaehler} je 100 {ind.nenner}."]
    else:
        notes = [
            (f"Anteil: {ind.beschreibung} (veröffentlichter Wert). " if ind.beschreibung else "")
            + f"Werte {genitiv(b.einheit)} und der Stadt: mit der Einwohnerzahl gewichtete "
            f"Mittel der {b.gebiet.mehrzahl} (Schätzung, die Nenner sind nicht veröffentlicht)."
        ]
    if veroeffentlicht:
        notes.append(
            f"Veränderung {m.vergleichsjahr}–{m.berichtsjahr}: mit den Daten veröffentlicht, "
            "nicht aus zwei Jahren berechnet."
        )
    suppressed_note = (
        f"{UNTERDRUECKT} = aus Datenschutzgründen nicht ausgewiesen "
        f"(weniger als {m.mindestfallzahl} Fälle)."
    )
    if daten.filter(like="unterdrueckt").any().any():
        notes.append(suppressed_note)
    csv = daten[
        ["gebiet_id", "gebiet", "ebene", *[f"anteil_{y}" for y in m.jahre], "veraenderung_pp"]
    ].copy()
    csv.insert(3, "indikator", ind.id)
    return tabelle(
        show,
        caption,
        csv=csv,
        filename=filename or f"indikator-{ind.id}.csv",
        footnotes=notes,
    )


def indikatoren_tabellen(
    cfg: Config,
    gebiete: pd.DataFrame,
    *,
    sozialraum_name: str = "",
    reihe: Sequence[str] | None = None,
    dateien: Callable[[str], str] | None = None,
) -> str:
    """The tables of all indicators of the config, in its order.

    ``dateien`` gives the CSV file name of an indicator id (e.g. with the unit's slug and year).
    """
    return "\n".join(
        indikator_tabelle(
            cfg,
            gebiete,
            i.id,
            sozialraum_name=sozialraum_name,
            reihe=reihe,
            filename=dateien(i.id) if dateien else None,
        )
        for i in cfg.indikatoren
    )


# --------------------------------------------------------------------------------------------
# Event tables
# --------------------------------------------------------------------------------------------
def kennzahlen_html(
    k: dict[str, Any] | None,
    *,
    sozialraum_name: str = "",
    einheit: Any = None,
    veranstaltung: Any = None,
) -> str:
    """Key facts of the event as a short list ("88 Teilnehmende", "13 Themeninseln", …).

    ``einheit`` and ``veranstaltung`` are the config's nouns (``cfg.begriffe.einheit``,
    ``cfg.stadt.veranstaltung``) for the sentence shown before the first event.
    """
    if k is None:
        where = f" {sozialraum_name}" if sozialraum_name else ""
        wer = f"{einheit.form('den')} {einheit.name}" if einheit is not None else "den Sozialraum"
        was = (
            f"{veranstaltung.form('kein')} {veranstaltung.name}"
            if veranstaltung is not None
            else "keine Veranstaltung"
        )
        return hinweis(f"Für {wer}{where} ist noch {was} erfasst.")
    items = [f"Datum: {k['datum_text']}"]
    if k.get("format"):
        items.append(f"Format: {k['format']}")
    if k.get("teilnehmende") is not None:
        n = k["teilnehmende"]
        items.append(f"{fmt_int(n)} {'teilnehmende Person' if n == 1 else 'Teilnehmende'}")
    if k.get("institutionen") is not None:
        n = k["institutionen"]
        items.append(f"{fmt_int(n)} {'Institution' if n == 1 else 'Institutionen'}")
    if k.get("stationen"):
        n = k["stationen"]
        art = k.get("station_art")
        word = (art if n == 1 else k.get("station_art_plural")) if art else None
        items.append(f"{fmt_int(n)} {word or ('Station' if n == 1 else 'Stationen')}")
    if k.get("dauer_minuten") is not None:
        items.append(f"Dauer: {fmt_int(k['dauer_minuten'])} Minuten")
    return '<ul class="kennzahlen">' + "".join(f"<li>{html_text(i)}</li>" for i in items) + "</ul>"


def bekanntheit_tabelle(
    bk: pd.DataFrame,
    mindeststimmen: int,
    *,
    sozialraum_name: str = "",
    einheiten: str = "Sozialräume",
    filename: str = "bekanntheit-angebote.csv",
) -> str:
    """Awareness of each offer: share JA with n, Wilson interval and the other Sozialräume' mean.

    Suppressed offers stay in the table with ``•`` and ``n`` shown as ``< mindeststimmen``.
    """
    if bk.empty:
        return hinweis(
            "Für diese Veranstaltung liegen keine Abstimmungen zur Bekanntheit von Angeboten vor."
        )
    hidden = bk["unterdrueckt"].astype(bool)
    show = pd.DataFrame(
        {
            "Angebot": bk["angebot"],
            "JA": [
                UNTERDRUECKT if h else fmt_int(v) for v, h in zip(bk["ja"], hidden, strict=True)
            ],
            "n": [
                f"< {mindeststimmen}" if h else fmt_int(v)
                for v, h in zip(bk["n"], hidden, strict=True)
            ],
            "Anteil JA": [
                UNTERDRUECKT if h else fmt_pct(v, 0)
                for v, h in zip(bk["anteil_ja"], hidden, strict=True)
            ],
            "95-%-Intervall": [
                UNTERDRUECKT if h else f"{fmt_num(lo, 0)}–{fmt_num(hi, 0)} %"
                for lo, hi, h in zip(bk["ki_unten"], bk["ki_oben"], hidden, strict=True)
            ],
            f"Andere {einheiten} (Mittel)": [fmt_pct(v, 0) for v in bk["andere_anteil_ja"]],
        }
    )
    frage = bk["frage"].dropna().iloc[0] if bk["frage"].notna().any() else "Kennen Sie das Angebot?"
    where = f" in {sozialraum_name}" if sozialraum_name else ""
    caption = f"Bekanntheit der Angebote{where}: Anteil „JA“ auf die Frage „{frage}“"
    notes = [
        "n = Zahl aller Punkte (JA und NEIN) zum Angebot. 95-%-Intervall nach Wilson: Bei so "
        "wenigen Punkten ist der Anteil unsicher; der wahre Wert liegt mit hoher "
        "Wahrscheinlichkeit in diesem Bereich.",
        f"Andere {einheiten} (Mittel): ungewichteter Mittelwert der Anteile bei den anderen "
        "Veranstaltungen derselben Runde (– = dort nicht abgefragt oder zu wenige Punkte).",
    ]
    if hidden.any():
        notes.append(
            f"{UNTERDRUECKT} = nicht ausgewiesen, weil weniger als {mindeststimmen} Punkte "
            "geklebt wurden (Schutz einzelner Teilnehmender)."
        )
    csv = bk[
        [
            "station",
            "angebot",
            "ja",
            "nein",
            "n",
            "anteil_ja",
            "ki_unten",
            "ki_oben",
            "andere_anteil_ja",
            "andere_veranstaltungen",
            "unterdrueckt",
        ]
    ].copy()
    csv[["anteil_ja", "ki_unten", "ki_oben", "andere_anteil_ja"]] = csv[
        ["anteil_ja", "ki_unten", "ki_oben", "andere_anteil_ja"]
    ].round(1)
    return tabelle(show, caption, csv=csv, filename=filename, footnotes=notes)


def weitere(n: int, singular: str, mehrzahl: str) -> str:
    """The line after a shortened list: "… und 99.950 weitere Karten" (nothing for n = 0)."""
    if n <= 0:
        return ""
    return f'<p class="klein weitere">… und {html_text(anzahl(n, singular, mehrzahl))}</p>'


def kanal_tabellen(
    kodiert: pd.DataFrame,
    haeufigkeit: pd.DataFrame,
    *,
    dateiteile: Sequence[Any] = (),
    max_karten: int = LISTE_MAX,
) -> str:
    """Per channel-coded question: cards per category, then the card texts of each category.

    The texts are the public's own words and are always escaped. ``dateiteile`` (slug, year)
    end the CSV file names. Each channel lists at most ``max_karten`` cards and counts the
    rest ("… und 99.950 weitere Karten"); the CSV download of the question holds all of them,
    so 100,000 cards still give a page of bounded size.
    """
    if kodiert.empty:
        return hinweis("Für diese Veranstaltung liegen keine Moderationskarten vor.")
    blocks = []
    for frage_id, h in haeufigkeit.groupby("frage_id", sort=False):
        frage = str(h["frage"].iloc[0])
        show = pd.DataFrame(
            {
                "Kanal": h["kategorie"],
                "Karten": h["anzahl"].astype("int64"),
                "Anteil": [fmt_pct(v, 0) for v in h["anteil"]],
            }
        )
        table = tabelle(
            show,
            f"„{frage}“: Moderationskarten nach Kanal",
            csv=kodiert[kodiert["frage_id"] == frage_id][["station", "kategorie", "text"]],
            filename=dateiname("karten", frage_id, *dateiteile),
            footnotes=[
                "Zuordnung der Karten zu Kanälen nach Schlagwortregeln "
                "(erste passende Regel; ohne Treffer: „Sonstiges“)."
            ],
        )
        lists = []
        k = kodiert[kodiert["frage_id"] == frage_id]
        gruppen = dict(tuple(k.groupby("kategorie", sort=False)))
        for kategorie in h["kategorie"]:
            texts = gruppen.get(kategorie, k.iloc[0:0])
            n = len(texts)
            shown = texts.head(max_karten)
            items = "".join(
                f'<li>{html_text(t)} <span class="klein">({html_text(s)})</span></li>'
                if not is_missing(s)
                else f"<li>{html_text(t)}</li>"
                for t, s in zip(shown["text"], shown["station"], strict=True)
            )
            lists.append(
                f'<p class="kanal"><strong>{html_text(kategorie)}</strong> '
                f"({anzahl(n, 'Karte', 'Karten')})</p><ul>{items}</ul>"
                + weitere(n - len(shown), "weitere Karte", "weitere Karten")
            )
        blocks.append(f'<div class="kanalfrage">{table}{"".join(lists)}</div>')
    return "\n".join(blocks)


def freitext_liste(
    karten: pd.DataFrame,
    *,
    dateiteile: Sequence[Any] = (),
    max_karten: int = LISTE_MAX,
) -> str:
    """Cards of questions that are not channel-coded, grouped by question and station.

    Per question at most ``max_karten`` cards are listed, then "… und 1.234 weitere Karten";
    the question's CSV download (file name ends in ``dateiteile``) holds every card.
    """
    if karten.empty:
        return hinweis("Für diese Veranstaltung liegen keine weiteren Moderationskarten vor.")
    parts = []
    for (frage_id, frage), k in karten.groupby(["frage_id", "frage"], sort=False):
        parts.append(f'<p class="kanal"><strong>„{html_text(frage)}“</strong></p>')
        shown = k.head(max_karten)
        for station, ks in shown.groupby("station", sort=False, dropna=False):
            head = "" if is_missing(station) else f"<p>{html_text(station)}</p>"
            items = "".join(f"<li>{html_text(t)}</li>" for t in ks["text"])
            parts.append(f"{head}<ul>{items}</ul>")
        parts.append(weitere(len(k) - len(shown), "weitere Karte", "weitere Karten"))
        name = dateiname("karten", frage_id, *dateiteile)
        parts.append(f'<p class="klein">{csv_download_link(k[["station", "text"]], name)}</p>')
    return "\n".join(p for p in parts if p)


def feedback_tabelle(
    freq: pd.DataFrame, top: int | None = LISTE_MAX, *, filename: str = "feedbackwoerter.csv"
) -> str:
    """Feedback words with their counts: the ``top`` most frequent (None: all).

    The rest is counted below the table ("… und 1.234 weitere Wörter"); the CSV holds every
    word.
    """
    if freq.empty:
        return hinweis("Für diese Veranstaltung liegen keine Feedbackwörter vor.")
    f = freq if top is None else freq.head(top)
    show = pd.DataFrame(
        {
            "Wort": f["wort"],
            "Nennungen": f["anzahl"].astype("int64"),
            "Anteil": [fmt_pct(v, 0) for v in f["anteil"]],
        }
    )
    total = int(freq["anzahl"].sum())
    caption = f"Feedbackwörter ({anzahl(total, 'Nennung', 'Nennungen')})"
    if len(f) < len(freq):
        caption += f", die {fmt_int(len(f))} häufigsten"
    rest = weitere(len(freq) - len(f), "weiteres Wort", "weitere Wörter")
    return tabelle(show, caption, csv=freq, filename=filename).replace(
        "</table>", "</table>" + rest, 1
    )


def _dates_with_precision(df: pd.DataFrame, column: str) -> list[tuple[Any, str]]:
    precision = genauigkeiten(df.get(f"{column}_genauigkeit"), len(df))
    return list(zip(df[column], precision, strict=True))


def _iso_dates(df: pd.DataFrame, column: str) -> list[str]:
    """ISO dates for CSV, "JJJJ-MM" where only the month is known (as the analyst typed it)."""
    return [
        "" if pd.isna(d) else pd.Timestamp(d).strftime("%Y-%m" if g == "monat" else "%Y-%m-%d")
        for d, g in _dates_with_precision(df, column)
    ]


def handlungsempfehlungen_tabelle(
    he_sr: pd.DataFrame,
    *,
    sozialraum_name: str = "",
    gebiete: str = "Quartiere",
    filename: str = "handlungsempfehlungen.csv",
) -> str:
    """The Handlungsempfehlungen of a Sozialraum with Quartiere, responsibility, status and date."""
    where = f" für {sozialraum_name}" if sozialraum_name else ""
    if he_sr.empty:
        return hinweis(f"Es liegen keine Handlungsempfehlungen{where} vor.")
    show = pd.DataFrame(
        {
            "Handlungsempfehlung": he_sr["titel"],
            "Handlungsfeld": he_sr["handlungsfeld"],
            gebiete: he_sr["quartiere_text"],
            "Zuständig": he_sr["zustaendig"],
            "Status": he_sr["status"],
            "Stand": [fmt_date(d, g) for d, g in _dates_with_precision(he_sr, "status_datum")],
        }
    )
    csv = he_sr[
        ["he_id", "handlungsfeld", "titel", "zustaendig", "quartiere_text", "status"]
    ].assign(status_datum=_iso_dates(he_sr, "status_datum"))
    return tabelle(
        show,
        f"Handlungsempfehlungen{where} und Stand der Umsetzung",
        csv=csv,
        filename=filename,
    )


def status_tabelle(zaehlung: pd.DataFrame) -> str:
    """Number of Handlungsempfehlungen per status, fixed order."""
    if int(zaehlung["anzahl"].sum()) == 0:
        return hinweis("Es liegen keine Handlungsempfehlungen vor.")
    show = pd.DataFrame({"Status": zaehlung["status"], "Anzahl": zaehlung["anzahl"]})
    return tabelle(
        show, "Handlungsempfehlungen nach Status", csv=zaehlung, filename="he-status.csv"
    )


def _file_stem(text: str) -> str:
    return slug(text)


def schluessel_tabelle(key: pd.DataFrame, caption: str, *, spalten: int | None = None) -> str:
    """The key of the numbers a map draws instead of names, as a compact table.

    ``key`` is :func:`sozialraum.present.maps.kartenschluessel` (``nummer``, ``quartier_id``,
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
    head = '<th scope="col" class="zahl">Nr.</th><th scope="col">Name (ID)</th>' * k
    body = []
    for r in range(rows):
        cells = []
        for c in range(k):
            i = c * rows + r
            if i < n:
                e = key.iloc[i]
                cells.append(
                    f'<td class="zahl">{html_text(str(int(e["nummer"])))}</td>'
                    f"<td>{html_text(e['quartier'])} "
                    f'<span class="klein">({html_text(e["quartier_id"])})</span></td>'
                )
            else:
                cells.append("<td></td><td></td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<div class="tabelle kartenschluessel"><table><caption>{html_text(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )
