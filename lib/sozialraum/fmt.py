"""German number, date and plural formatting for every table, chart and sentence of a report.

One module so that "12,5 %" looks the same in a table cell, an axis label and the summary. The
functions never depend on the machine's locale: a batch run on a server with ``LANG=C`` must
produce the same report as an analyst's laptop.

Conventions (used consistently by tables, charts and narrative):

- thousands separator ``.``, decimal comma: ``1.234``, ``12,5``;
- percent with a space: ``12,5 %``;
- percentage-point changes in tables and charts carry a sign and the abbreviation
  ``Pp.`` (``+1,2 Pp.``, ``−1,2 Pp.`` with a true minus sign); in running text the unit is
  spelled out (``1,2 Prozentpunkte``) and the direction is a word (gestiegen/gesunken);
- a missing value is ``–``; a value withheld for confidentiality is ``•`` (:data:`UNTERDRUECKT`).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from collections.abc import Iterable
from numbers import Real
from typing import Any

import pandas as pd

from sozialraum import grammatik

UNTERDRUECKT = "•"
"""Cell marker of statistical offices for a value withheld for confidentiality."""

FEHLT = "–"
"""Cell marker for a value that does not exist or is unknown."""

MINUS = "\u2212"
"""Typographic minus sign; a hyphen is too short to read reliably in a table."""

MONATE = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)


def is_missing(value: Any) -> bool:
    """True for ``None``, ``NaN``, ``pd.NA`` and ``NaT``; pandas 3 mixes all of them."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and other containers are not "missing"
        return False


def _grouped(value: float, decimals: int) -> str:
    """Format with German separators without touching the locale."""
    text = f"{abs(value):,.{decimals}f}"
    text = text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")
    return text


def fmt_num(value: Any, decimals: int = 1, *, missing: str = FEHLT, sign: bool = False) -> str:
    """Format a number German style (``1.234,5``).

    Parameters
    ----------
    value
        Any real number; missing values give ``missing``.
    decimals
        Digits after the comma.
    missing
        Text for a missing value.
    sign
        Prefix ``+`` for positive values (for changes); negative values always get ``−``.
    """
    if is_missing(value):
        return missing
    value = float(value)
    if not math.isfinite(value):
        return missing
    if round(value, decimals) == 0:  # must not show as "−0,0" or "+0,0"
        value = 0.0
    text = _grouped(value, decimals)
    if value < 0:
        return MINUS + text
    return ("+" + text) if sign and value > 0 else text


def fmt_int(value: Any, *, missing: str = FEHLT) -> str:
    """Format a count: ``1234`` -> ``"1.234"``."""
    if is_missing(value):
        return missing
    return fmt_num(round(float(value)), 0, missing=missing)


def fmt_pct(value: Any, decimals: int = 1, *, missing: str = FEHLT) -> str:
    """Format a share given in percent: ``12.5`` -> ``"12,5 %"``."""
    if is_missing(value):
        return missing
    return f"{fmt_num(value, decimals, missing=missing)} %"


def fmt_pp(value: Any, decimals: int = 1, *, missing: str = FEHLT) -> str:
    """Format a change in percentage points for tables: ``-1.2`` -> ``"−1,2 Pp."``.

    The sign is always shown because a change without sign is ambiguous in a table column.
    """
    if is_missing(value):
        return missing
    return f"{fmt_num(value, decimals, missing=missing, sign=True)} Pp."


def fmt_pp_text(value: Any, decimals: int = 1) -> str:
    """Size of a change for running text, unit spelled out: ``-1.2`` -> ``"1,2 Prozentpunkte"``.

    The direction belongs in the verb of the sentence (gestiegen/gesunken), so the number is
    shown without sign; "1,0 Prozentpunkte" stays plural as German usage has it.
    """
    return f"{fmt_num(abs(float(value)), decimals)} Prozentpunkte"


def _as_date(value: Any) -> dt.date:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return pd.Timestamp(value).date()
    raise TypeError(f"not a date: {value!r}")


def fmt_date(value: Any, genauigkeit: str = "tag", *, missing: str = FEHLT) -> str:
    """Format a date: ``"06.09.2023"``, or ``"November 2019"`` where only the month is known.

    Parameters
    ----------
    value
        ``date``, ``datetime``, ``pd.Timestamp`` or ISO string.
    genauigkeit
        ``"tag"`` or ``"monat"``, as in the column ``datum_genauigkeit`` of the events file:
        an event known only by its month must not be shown with an invented day.
    missing
        Text for a missing date.
    """
    if is_missing(value):
        return missing
    day = _as_date(value)
    if genauigkeit == "monat":
        return f"{MONATE[day.month - 1]} {day.year}"
    if genauigkeit != "tag":
        raise ValueError(f"genauigkeit must be 'tag' or 'monat', not {genauigkeit!r}")
    return day.strftime("%d.%m.%Y")


def genauigkeiten(values: Any, n: int) -> list[str]:
    """Precision of ``n`` dates, ``"tag"`` or ``"monat"``; none given or unknown: a full date."""
    if values is None:
        return ["tag"] * n
    return ["monat" if v == "monat" else "tag" for v in values]


def latest_date(dates: Any, genauigkeit: Any = None) -> tuple[pd.Timestamp, str] | None:
    """The latest of ``dates`` with its own precision; at a tie, a full date wins."""
    d = pd.to_datetime(pd.Series(dates, dtype=object), errors="coerce").reset_index(drop=True)
    g = pd.Series(genauigkeiten(genauigkeit, len(d)), dtype=object)
    if d.isna().all():
        return None
    at_max = d == d.max()
    precise = at_max & (g == "tag")
    pos = (precise if precise.any() else at_max).idxmax()
    return d[pos], g[pos]


def fmt_latest_date(dates: Any, genauigkeit: Any = None) -> str | None:
    """The latest of ``dates`` formatted with its own precision, or None when there is none.

    A status known only by its month ("2023-02") must read "Februar 2023", not "01.02.2023".
    """
    latest = latest_date(dates, genauigkeit)
    return None if latest is None else fmt_date(*latest)


def fmt_date_text(value: Any, genauigkeit: str = "tag") -> str:
    """Date with its preposition for running text: ``"am 06.09.2023"`` or ``"im November 2019"``."""
    return ("im " if genauigkeit == "monat" else "am ") + fmt_date(value, genauigkeit)


def plural(n: Any, singular: str, mehrzahl: str) -> str:
    """The noun form that fits the count ``n``: only exactly one takes the singular."""
    if isinstance(n, Real) and not is_missing(n) and float(n) == 1:
        return singular
    return mehrzahl


def anzahl(n: Any, singular: str, mehrzahl: str) -> str:
    """Count and noun together: ``anzahl(1, "Quartier", "Quartiere")`` -> ``"1 Quartier"``."""
    return f"{fmt_int(n)} {plural(n, singular, mehrzahl)}"


def aufzaehlung(items: Iterable[Any], und: str = "und") -> str:
    """Join names the German way: ``["A", "B", "C"]`` -> ``"A, B und C"``."""
    names = [str(i) for i in items]
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} {und} {names[-1]}"


def zitat(text: Any) -> str:
    """Put a name in German quotation marks: ``„Sozialnavigator“``."""
    return f"\u201e{text}\u201c"


_PLURAL_ENDINGS = (
    # (ending, replacement) — regular German plurals of the station kinds seen in practice;
    # the first matching ending wins, so longer endings come first.
    ("tisch", "tische"),
    ("ion", "ionen"),
    ("ung", "ungen"),
    ("heit", "heiten"),
    ("keit", "keiten"),
    ("schaft", "schaften"),
    ("el", "eln"),
    ("e", "en"),
)


def plural_wort(wort: str) -> str | None:
    """Regular plural of a noun read from the data (e.g. the kind of station), or ``None``.

    Station kinds ("Themeninsel", "Thementisch", "Station") come from the data, so their plural
    cannot be written into a template. Only the regular endings listed in the module are
    handled; for anything else ``None`` tells the caller to fall back to a neutral phrase
    instead of guessing a wrong form.
    """
    wort = wort.strip()
    lower = wort.lower()
    for ending, replacement in _PLURAL_ENDINGS:
        if lower.endswith(ending):
            return wort[: len(wort) - len(ending)] + replacement
    return None


# --------------------------------------------------------------------------------------------
# The city's own nouns (``cfg.begriffe``) in the cases the report's sentences need
# --------------------------------------------------------------------------------------------
# Kept here for the templates and notebooks that import them from ``fmt``; the grammar itself,
# with adjectives and irregular nouns, is in :mod:`sozialraum.grammatik`.
genitiv = grammatik.genitiv
genitiv_plural = grammatik.genitiv_plural
dativ = grammatik.dativ
dativ_plural = grammatik.dativ_plural
im = grammatik.im
keiner = grammatik.keiner


def natural_key(value: Any) -> tuple:
    """Sort key that puts "2" before "10" and compares text without case ("Ä" after "A")."""
    text = "" if is_missing(value) else str(value)
    parts = re.split(r"(\d+)", text.casefold())
    umlaute = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p.translate(umlaute)) for p in parts)


def heute() -> dt.date:
    """Today, or the day of ``SOURCE_DATE_EPOCH`` (UTC) when it is set.

    Reproducible builds set ``SOURCE_DATE_EPOCH`` so that the same inputs give the same bytes on
    any day: a report's "erstellt am" must then name that day, not the day of the run.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()


# --------------------------------------------------------------------------------------------
# Text from the public, one helper per output kind
# --------------------------------------------------------------------------------------------
# Card texts, feedback words, offer and area names come from citizens and spreadsheets: they
# may hold markup, ``$…$`` (matplotlib mathtext), backslashes, control characters or whole
# pages of text. Every writer passes such text through the helper of its output kind, so that
# it always arrives literally: ``html_text`` (HTML text and attribute values), ``figur_text``
# (matplotlib; the figures also switch mathtext off, see ``present.figures.literal_text``),
# ``csv_zelle`` (CSV cells) and ``slug`` (file names).

# C0 and C1 control characters except tab, line feed and carriage return: not allowed in HTML,
# drawn as boxes (or not at all) in figures.
_STEUERZEICHEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_ALLE_STEUERZEICHEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_HTML_ERSATZ = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}
_HTML_ZEICHEN = re.compile("[&<>\"']")

AUSLASSUNG = "\u2026"
"""The ellipsis that ends a shortened label ("…")."""

FIGUR_ZEICHEN = 60
"""Longest label a figure draws (characters per label); the tables show the full text."""


def ohne_steuerzeichen(text: Any) -> str:
    """``text`` as a string without C0/C1 control characters (tab and line breaks stay)."""
    return _STEUERZEICHEN.sub("", "" if is_missing(text) else str(text))


def html_text(text: Any) -> str:
    """Escape ``text`` for HTML text *and* quoted attribute values (``title``, ``alt``, ``data-``).

    ``& < > " '`` become entities, control characters that HTML does not allow are dropped;
    everything else (``$``, backslashes, any script) stays as it is and shows literally.
    Missing values give an empty string.
    """
    return _HTML_ZEICHEN.sub(lambda m: _HTML_ERSATZ[m.group()], ohne_steuerzeichen(text))


def kuerzen(text: str, max_zeichen: int) -> str:
    """``text`` cut to at most ``max_zeichen`` characters, ending in "…" when cut."""
    if len(text) <= max_zeichen:
        return text
    return text[: max(max_zeichen - 1, 0)].rstrip() + AUSLASSUNG


def figur_text(text: Any, max_zeichen: int | None = FIGUR_ZEICHEN) -> str:
    """Text for a matplotlib label: no control characters, one line, at most ``max_zeichen``.

    ``$`` and backslashes are kept: the figures draw every text with mathtext switched off
    (``sozialraum.present.figures.literal_text``), so they print as typed. Line breaks and tabs from
    the data become spaces (the figure wraps by itself); ``max_zeichen=None`` keeps any length.
    """
    clean = " ".join(_ALLE_STEUERZEICHEN.sub(" ", ohne_steuerzeichen(text)).split())
    return clean if max_zeichen is None else kuerzen(clean, max_zeichen)


_FORMEL_ANFANG = ("=", "+", "-", "@", "\t", "\r")
_ZAHL = re.compile(r"[+-]?\d+(?:[.,]\d+)*")


def csv_zelle(value: Any) -> Any:
    """A CSV cell that a spreadsheet cannot run as a formula (OWASP, "CSV Injection").

    A *text* cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a
    single quote in front (``'=HYPERLINK(…)``), so Excel and LibreOffice show it as text
    instead of evaluating it. Numbers are left alone, so negative values stay numbers: real
    numbers (``int``/``float``) are never touched, and a text cell that is nothing but a number
    (``-1,5``) cannot be a formula and keeps its form. Other values are returned unchanged.
    """
    if isinstance(value, str) and value.startswith(_FORMEL_ANFANG) and not _ZAHL.fullmatch(value):
        return "'" + value
    return value


_SLUG_UMLAUTE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def slug(text: Any, max_zeichen: int = 60, leer: str = "daten") -> str:
    """ASCII file-name part of any text: ``"Süd/Ost"`` -> ``"sued-ost"``, never empty.

    Lower case, umlauts transliterated, everything else but ``a-z0-9`` becomes ``-``; at most
    ``max_zeichen`` characters, so a name from the data can neither leave the folder
    (``../``) nor make a file name too long.
    """
    import unicodedata

    lower = ("" if is_missing(text) else str(text)).lower().translate(_SLUG_UMLAUTE)
    ascii_ = unicodedata.normalize("NFKD", lower).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-")[:max_zeichen].rstrip("-")
    return stem or leer
