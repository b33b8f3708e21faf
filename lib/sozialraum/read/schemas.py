"""The data contract of every input file (``data/README.md``), declared once as pandera models.

Each model gives a column's type, whether it may be empty, its range and allowed values, a German
description (used as "Erwartet: …" in messages) and the key that must be unique. Allowed values
that depend on the city (Sozialraum ids, years, indicators) are added from the config at run time
by :func:`build_schema`. :func:`convert` turns a text table into the model's types and
:func:`check` turns pandera's ``failure_cases`` into :class:`~.problems.Problem` lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from sozialraum.names import closest
from sozialraum.read.io import MAX_FELD_ZEICHEN
from sozialraum.read.problems import Problem
from sozialraum.read.tables import RawTable
from sozialraum.read.values import DATE_EXPECTED, parse_bool, parse_date, parse_number

FRAGETYPEN = ("ja_nein", "freitext", "bewertung", "feedback_wort")
HE_STATUS = ("offen", "in Umsetzung", "umgesetzt", "zurückgestellt")
JA_NEIN = ("JA", "NEIN")
BEWERTUNG = ("1", "2", "3", "4", "5")

GANZ = "eine ganze Zahl ≥ 0"


def _text(description: str, *, optional: bool = False, **kwargs: Any) -> Any:
    """A text column; ``optional`` columns may be missing from the file and empty."""
    return pa.Field(nullable=optional, required=not optional, description=description, **kwargs)


class _Herkunft(pa.DataFrameModel):
    """Provenance columns every file may carry (``erfunden = ja`` drives the sample banner)."""

    quelle: Series[str] = _text("Quelle der Zeile (Text)", optional=True)
    erfunden: Series[bool] = pa.Field(
        required=False, description="„ja“ oder „nein“", metadata={"default": False}
    )

    class Config:
        strict = False


class QuartiereSchema(_Herkunft):
    """``geo/…``: one polygon per Sozialquartier."""

    quartier_id: Series[str] = _text("eine eindeutige ID des Sozialquartiers (Text)", unique=True)
    quartier: Series[str] = _text("der Name des Sozialquartiers")
    sozialraum_id: Series[str] = _text("eine id aus [[sozialraeume]] der Konfiguration")


class BevoelkerungSchema(_Herkunft):
    """``bevoelkerung``: inhabitants per Quartier and year."""

    quartier_id: Series[str] = _text("die ID eines Sozialquartiers der Geometrie", optional=True)
    quartier: Series[str] = _text("der Name eines Sozialquartiers der Geometrie", optional=True)
    sozialraum_id: Series[str] = _text(
        "die id des Sozialraums, zu dem das Gebiet laut Geometrie gehört (optional)",
        optional=True,
    )
    jahr: Series[pd.Int64Dtype] = pa.Field(description="ein Jahr (ganze Zahl)")
    einwohner: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0, description=GANZ)

    class Config:
        """Rows are unique by this key."""

        unique = ["quartier_id", "jahr"]


class IndikatorenSchema(_Herkunft):
    """``indikatoren``: numerator and denominator per Quartier, year and indicator."""

    quartier_id: Series[str] = _text("die ID eines Sozialquartiers der Geometrie", optional=True)
    quartier: Series[str] = _text("der Name eines Sozialquartiers der Geometrie", optional=True)
    sozialraum_id: Series[str] = _text(
        "die id des Sozialraums, zu dem das Gebiet laut Geometrie gehört (optional)",
        optional=True,
    )
    jahr: Series[pd.Int64Dtype] = pa.Field(description="ein Jahr (ganze Zahl)")
    indikator: Series[str] = _text("eine id aus [[indikatoren]] der Konfiguration")
    zaehler: Series[float] = pa.Field(nullable=True, required=False, ge=0, description=GANZ)
    nenner: Series[float] = pa.Field(nullable=True, required=False, ge=0, description=GANZ)
    anteil: Series[float] = pa.Field(
        nullable=True,
        required=False,
        in_range={"min_value": 0, "max_value": 100},
        description="ein Anteil in Prozent zwischen 0 und 100",
    )
    veraenderung: Series[float] = pa.Field(
        nullable=True,
        required=False,
        in_range={"min_value": -100, "max_value": 100},
        description="die veröffentlichte Veränderung in Prozentpunkten (−100 bis 100)",
    )

    @pa.check("zaehler", "nenner", name="ganze_zahl")
    @classmethod
    def _ganze_zahl(cls, s: Series[float]) -> Series[bool]:
        return s.isna() | (s % 1 == 0)

    class Config:
        """Rows are unique by this key."""

        unique = ["quartier_id", "jahr", "indikator"]


class VeranstaltungenSchema(_Herkunft):
    """``veranstaltungen``: the yearly event of each Sozialraum, one row per round."""

    veranstaltung_id: Series[str] = _text("eine eindeutige ID der Veranstaltung", unique=True)
    sozialraum_id: Series[str] = _text("eine id aus [[sozialraeume]] der Konfiguration")
    runde: Series[pd.Int64Dtype] = pa.Field(ge=1, description="eine ganze Zahl ≥ 1")
    datum: Series[pa.DateTime] = pa.Field(description=DATE_EXPECTED, metadata={"monat": True})
    format: Series[str] = _text("das Format der Veranstaltung (Text)", optional=True)
    teilnehmende: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0, description=GANZ)
    institutionen: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0, description=GANZ)
    dauer_minuten: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, required=False, ge=0, description=GANZ
    )


class StationenSchema(_Herkunft):
    """``stationen``: Thementische and Themeninseln of a round."""

    station_id: Series[str] = _text("eine eindeutige ID der Station", unique=True)
    runde: Series[pd.Int64Dtype] = pa.Field(ge=1, description="eine ganze Zahl ≥ 1")
    art: Series[str] = _text("die Art der Station, z. B. „Themeninsel“")
    station: Series[str] = _text("der Titel der Station")
    bereich: Series[str] = _text("die präsentierenden Bereiche", optional=True)
    handlungsfeld: Series[str] = _text(
        "das Handlungsfeld, dem die Station im Rundenvergleich zugeordnet ist (optional)",
        optional=True,
    )


class AngeboteSchema(_Herkunft):
    """``angebote``: offers presented at the stations."""

    angebot_id: Series[str] = _text("eine eindeutige ID des Angebots", unique=True)
    station_id: Series[str] = _text("eine station_id aus der Stationen-Datei")
    angebot: Series[str] = _text("der Name des Angebots")
    bereich: Series[str] = _text("die zuständige Dienststelle", optional=True)
    url: Series[str] = _text("eine Kontaktseite (optional)", optional=True)


class FragenSchema(_Herkunft):
    """``fragen``: the questions of a round; their type is data, not code."""

    frage_id: Series[str] = _text("eine eindeutige ID der Frage", unique=True)
    runde: Series[pd.Int64Dtype] = pa.Field(ge=1, description="eine ganze Zahl ≥ 1")
    frage: Series[str] = _text("der Wortlaut der Frage")
    typ: Series[str] = _text("ja_nein, freitext, bewertung oder feedback_wort")
    kanalcodierung: Series[bool] = pa.Field(
        required=False, description="„ja“ oder „nein“", metadata={"default": False}
    )


class AbstimmungenSchema(_Herkunft):
    """``abstimmungen``: sticky dots and ratings."""

    veranstaltung_id: Series[str] = _text("eine veranstaltung_id aus der Veranstaltungen-Datei")
    station_id: Series[str] = _text("eine station_id aus der Stationen-Datei")
    angebot_id: Series[str] = _text("eine angebot_id aus der Angebote-Datei", optional=True)
    frage_id: Series[str] = _text("eine frage_id aus der Fragen-Datei")
    antwort: Series[str] = _text("JA oder NEIN (ja_nein) bzw. 1 bis 5 (bewertung)")
    anzahl: Series[pd.Int64Dtype] = pa.Field(ge=0, description=GANZ)

    class Config:
        """Rows are unique by this key."""

        unique = ["veranstaltung_id", "station_id", "angebot_id", "frage_id", "antwort"]


class KartenSchema(_Herkunft):
    """``karten``: moderation cards (free text of the public)."""

    veranstaltung_id: Series[str] = _text("eine veranstaltung_id aus der Veranstaltungen-Datei")
    station_id: Series[str] = _text("eine station_id aus der Stationen-Datei")
    frage_id: Series[str] = _text("eine frage_id aus der Fragen-Datei")
    text: Series[str] = _text("der Text der Karte (nicht leer)")


class FeedbackSchema(_Herkunft):
    """``feedback``: feedback words typed from the word cloud."""

    veranstaltung_id: Series[str] = _text("eine veranstaltung_id aus der Veranstaltungen-Datei")
    wort: Series[str] = _text("ein bis zwei Wörter")


class HandlungsempfehlungenSchema(_Herkunft):
    """``handlungsempfehlungen``: recommendations and their implementation status."""

    he_id: Series[str] = _text("eine eindeutige ID der Handlungsempfehlung", unique=True)
    sozialraum_id: Series[str] = _text("eine id aus [[sozialraeume]] der Konfiguration")
    handlungsfeld: Series[str] = _text("das Handlungsfeld")
    titel: Series[str] = _text("der Titel der Handlungsempfehlung")
    zustaendig: Series[str] = _text("der verantwortliche Bereich", optional=True)
    quartiere: Series[str] = _text(
        "IDs oder Namen von Sozialquartieren, mit Komma getrennt", optional=True
    )
    status: Series[str] = _text("offen, in Umsetzung, umgesetzt oder zurückgestellt")
    status_datum: Series[pa.DateTime] = pa.Field(
        nullable=True, description=DATE_EXPECTED, metadata={"monat": True}
    )


class StatusverlaufSchema(_Herkunft):
    """``statusverlauf``: earlier states of the recommendations, one row per he_id and date.

    A separate file, not more rows in ``handlungsempfehlungen``: that file stays one row per
    recommendation (its current state), and cities without a history simply leave this out.
    """

    he_id: Series[str] = _text("eine he_id aus der Handlungsempfehlungen-Datei")
    status: Series[str] = _text("offen, in Umsetzung, umgesetzt oder zurückgestellt")
    status_datum: Series[pa.DateTime] = pa.Field(
        description=DATE_EXPECTED, metadata={"monat": True}
    )

    class Config:
        """One state per recommendation and date."""

        unique = ["he_id", "status_datum"]


class KanalregelnSchema(_Herkunft):
    """``kanalregeln``: keyword rules that sort cards into channels; first match wins."""

    reihenfolge: Series[pd.Int64Dtype] = pa.Field(
        unique=True, description="eine eindeutige ganze Zahl"
    )
    kategorie: Series[str] = _text("eine Kanal-Kategorie, z. B. „Kita/Schule“")
    muster: Series[str] = _text("ein Suchwort")


class IndexSchema(_Herkunft):
    """``index``: the published index, one row per area; its value columns come from the config.

    Which columns hold scores, sub-indices or classes is configured per index
    (``[methode.status] spalte`` …) and checked in :mod:`sozialraum.read.check_index`.
    """

    quartier_id: Series[str] = _text("die ID eines Sozialquartiers der Geometrie", optional=True)
    quartier: Series[str] = _text("der Name eines Sozialquartiers der Geometrie", optional=True)

    class Config:
        """One row per area."""

        unique = ["quartier_id"]


SCHEMAS: dict[str, type[pa.DataFrameModel]] = {
    "geometrie": QuartiereSchema,
    "bevoelkerung": BevoelkerungSchema,
    "indikatoren": IndikatorenSchema,
    "veranstaltungen": VeranstaltungenSchema,
    "stationen": StationenSchema,
    "angebote": AngeboteSchema,
    "fragen": FragenSchema,
    "abstimmungen": AbstimmungenSchema,
    "karten": KartenSchema,
    "feedback": FeedbackSchema,
    "handlungsempfehlungen": HandlungsempfehlungenSchema,
    "statusverlauf": StatusverlaufSchema,
    "kanalregeln": KanalregelnSchema,
    "index": IndexSchema,
}


# ---------------------------------------------------------------------------------------------
# Allowed values from the config
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Erlaubt:
    """Allowed values of one column, known only from the config or another file.

    ``aliases`` maps other spellings (e.g. a Sozialraum's name) to the allowed value, so that the
    suggestion can say which id was meant.
    """

    werte: tuple[str | int, ...]
    meldung: str
    erwartet: str
    aliases: Mapping[str, str | int] | None = None


_SEP = "\x1f"  # joins message parts in a pandera check's error string


def build_schema(
    model: type[pa.DataFrameModel], erlaubt: Mapping[str, Erlaubt] | None = None
) -> pa.DataFrameSchema:
    """The model's schema with the city's allowed values added as ``isin`` checks."""
    schema = model.to_schema()
    updates = {}
    for column, allowed in (erlaubt or {}).items():
        if column not in schema.columns:
            continue
        check = pa.Check.isin(
            list(allowed.werte), error=f"isin{_SEP}{allowed.meldung}{_SEP}{allowed.erwartet}"
        )
        updates[column] = {"checks": [*schema.columns[column].checks, check]}
    return schema.update_columns(updates) if updates else schema


# ---------------------------------------------------------------------------------------------
# Text → types
# ---------------------------------------------------------------------------------------------
@dataclass
class Converted:
    """A table in the model's types, with the problems of conversion.

    ``df`` has a RangeIndex aligned with ``raw.df``; ``bad`` holds the (position, column) cells
    that could not be converted (they are NA in ``df`` and already reported).
    """

    raw: RawTable
    df: pd.DataFrame | None
    problems: list[Problem]
    bad: set[tuple[int, str]]

    def zeile(self, pos: int) -> int:
        """Excel row number of a position in ``df``."""
        return self.raw.zeilen[pos]


def _kind(dtype: Any) -> str:
    text = str(dtype)
    if text.startswith("datetime"):
        return "datum"
    if text in ("Int64", "int64"):
        return "ganz"
    if text == "float64":
        return "zahl"
    if text in ("bool", "boolean"):
        return "bool"
    return "text"


def convert(raw: RawTable, model: type[pa.DataFrameModel]) -> Converted:
    """Convert the text table ``raw`` to the types of ``model``.

    Every cell that does not convert becomes a problem naming row, column and value; a missing
    required column makes the whole file unusable (``df`` is None) after listing what was found.
    """
    schema = model.to_schema()
    problems: list[Problem] = []
    bad: set[tuple[int, str]] = set()
    found = list(raw.df.columns)
    missing = [c for c, col in schema.columns.items() if col.required and c not in found]
    for c in missing:
        shown = ", ".join(f'"{raw.spalten.get(f, f)}"' for f in found) or "keine"
        problems.append(
            Problem(
                raw.datei,
                f'Die Spalte "{c}" fehlt (gefunden: {shown})',
                zeile=1,
                spalte=c,
                erwartet="die Spalten "
                + ", ".join(f'"{n}"' for n, col in schema.columns.items() if col.required),
                vorschlag=raw.spalten.get(closest(c, found, cutoff=0.7) or "", None),
            )
        )
    if missing:
        return Converted(raw, None, problems, bad)

    n = len(raw.df)
    out: dict[str, Any] = {}
    for name, col in schema.columns.items():
        kind = _kind(col.dtype)
        meta = col.metadata or {}
        if name not in found:
            if kind == "bool":
                out[name] = pd.Series([bool(meta.get("default", False))] * n, dtype=bool)
            elif kind in ("ganz", "zahl"):
                out[name] = pd.Series([np.nan] * n, dtype="Int64" if kind == "ganz" else float)
            elif kind == "datum":
                out[name] = pd.Series([pd.NaT] * n, dtype="datetime64[ns]")
            else:
                out[name] = pd.Series([pd.NA] * n, dtype="str")
            continue
        texts = raw.df[name].tolist()
        if kind == "text":
            for pos, t in enumerate(texts):
                if len(t) > MAX_FELD_ZEICHEN:
                    bad.add((pos, name))
                    problems.append(
                        Problem(
                            raw.datei,
                            f"Der Text ist mit {len(t):,} Zeichen zu lang".replace(",", "."),
                            zeile=raw.zeilen[pos],
                            spalte=raw.spalte_von(pos, name),
                            wert=t[:40] + "…",
                            erwartet=f"höchstens {MAX_FELD_ZEICHEN:,} Zeichen".replace(",", "."),
                            hinweis="ist versehentlich eine ganze Datei in die Zelle geraten?",
                        )
                    )
                    texts[pos] = ""
            out[name] = pd.Series([t if t else None for t in texts], dtype="str")
            continue
        values: list[Any] = []
        precision: list[Any] = []
        for pos, t in enumerate(texts):
            if kind in ("ganz", "zahl"):
                parsed = parse_number(t, raw.decimal)
                if parsed.fehler is None and kind == "ganz" and parsed.value is not None:
                    if not float(parsed.value).is_integer():
                        parsed = type(parsed)(None, "ist keine ganze Zahl")
            elif kind == "datum":
                parsed = parse_date(t, month_ok=bool(meta.get("monat")))
            else:
                parsed = parse_bool(t)
            if parsed.fehler:
                bad.add((pos, name))
                problems.append(
                    Problem(
                        raw.datei,
                        f'"{t}" {parsed.fehler}',
                        zeile=raw.zeilen[pos],
                        spalte=raw.spalte_von(pos, name),
                        wert=t,
                        erwartet=col.description,
                        hinweis=parsed.hinweis,
                    )
                )
            value = parsed.value
            if kind == "datum":
                precision.append(value[1] if value else None)
                value = value[0] if value else None
            values.append(value)
        if kind == "ganz":
            out[name] = pd.array([int(v) if v is not None else None for v in values], dtype="Int64")
        elif kind == "zahl":
            out[name] = np.array([np.nan if v is None else v for v in values], dtype=float)
        elif kind == "datum":
            out[name] = pd.to_datetime(pd.Series(values, dtype="object")).astype("datetime64[ns]")
            out[f"{name}_genauigkeit"] = pd.Series(precision, dtype="str")
        else:
            default = bool(meta.get("default", False))
            out[name] = pd.Series([default if v is None else v for v in values], dtype=bool)
    df = pd.DataFrame(out, index=pd.RangeIndex(n))
    extra = [c for c in found if c not in df.columns]
    for c in extra:  # kept as text: other helpers may use columns the contract does not name
        df[c] = raw.df[c].to_numpy()
    return Converted(raw, df, problems, bad)


# ---------------------------------------------------------------------------------------------
# pandera failure cases → problems
# ---------------------------------------------------------------------------------------------
def _num(text: str) -> str:
    return text.strip("()").split(",")[0].strip()


def check(
    conv: Converted,
    schema: pa.DataFrameSchema,
    erlaubt: Mapping[str, Erlaubt] | None = None,
    skip_rows: set[int] | None = None,
) -> list[Problem]:
    """Validate ``conv.df`` lazily and phrase every failure case as a problem.

    Cells that already failed conversion are not reported again; neither are key duplicates in
    ``skip_rows`` (rows whose key could not be resolved).
    """
    if conv.df is None:
        return []
    df = conv.df.reset_index(drop=True)  # pandera misplaces str failures on other indexes
    try:
        schema.validate(df, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    erlaubt = erlaubt or {}
    skip_rows = skip_rows or set()
    raw = conv.raw
    problems: list[Problem] = []
    seen_rows: set[int] = set()
    unique_cols = schema.unique or []
    if unique_cols and isinstance(unique_cols[0], str):
        unique_cols = list(unique_cols)
    for case in cases.itertuples(index=False):
        column = case.column
        pos = case.index
        if pos is None or (isinstance(pos, float) and np.isnan(pos)):
            continue
        pos = int(pos)
        what = str(case.check)
        if (pos, column) in conv.bad:
            continue
        wert = raw.df[column].iloc[pos] if column in raw.df.columns else str(case.failure_case)
        col = schema.columns.get(column)
        erwartet = col.description if col is not None else None
        shown = raw.spalte_von(pos, column)
        common = dict(zeile=conv.zeile(pos), spalte=shown, wert=wert)
        if what == "multiple_fields_uniqueness":
            key = list(unique_cols)
            if pos in skip_rows or pos in seen_rows:
                continue
            seen_rows.add(pos)
            values = df.loc[pos, key]
            same = (df[key] == values).fillna(df[key].isna() & values.isna()).all(axis=1)
            first = int(np.flatnonzero(same.to_numpy())[0])
            if first == pos:
                continue  # the first occurrence is fine; its repetitions are the problem
            key_text = ", ".join(f"{k} = {_show(df.loc[pos, k])}" for k in key)
            problems.append(
                Problem(
                    raw.datei,
                    f"Doppelte Zeile: {key_text} steht schon in {raw.position(conv.zeile(first))}",
                    zeile=conv.zeile(pos),
                    spalte=", ".join(raw.spalten.get(k, k) for k in key),
                    wert=key_text,
                    erwartet="jede Kombination aus " + ", ".join(key) + " nur einmal",
                )
            )
            continue
        if what == "field_uniqueness":
            same = np.flatnonzero((df[column] == df.loc[pos, column]).fillna(False).to_numpy())
            if same[0] == pos:
                continue
            problems.append(
                Problem(
                    raw.datei,
                    f'Doppelter Wert "{wert}": steht schon in '
                    f"{raw.position(conv.zeile(int(same[0])))}",
                    erwartet=f'jeden Wert in "{shown}" nur einmal',
                    **common,
                )
            )
            continue
        if what == "not_nullable":
            meldung = "Der Wert fehlt"
        elif what.startswith("isin" + _SEP):
            _, meldung, erwartet = what.split(_SEP)
            allowed = erlaubt.get(column)
            vorschlag = None
            if allowed is not None:
                choices = {str(v): str(v) for v in allowed.werte}
                choices.update({str(k): str(v) for k, v in (allowed.aliases or {}).items()})
                near = closest(str(wert), list(choices), cutoff=0.6)
                vorschlag = choices[near] if near else None
            problems.append(
                Problem(
                    raw.datei,
                    f'"{wert}" {meldung}',
                    erwartet=erwartet,
                    vorschlag=vorschlag,
                    **common,
                )
            )
            continue
        elif what.startswith("greater_than_or_equal_to"):
            limit = _num(what[len("greater_than_or_equal_to") :])
            meldung = f'"{wert}" ist negativ' if float(limit) == 0 else f'"{wert}" ist zu klein'
        elif what.startswith("in_range"):
            meldung = f'"{wert}" liegt außerhalb des erlaubten Bereichs'
        elif what == "ganze_zahl":
            meldung = f'"{wert}" ist keine ganze Zahl'
        elif what.startswith("str_length"):
            meldung = "Das Feld ist leer"
        else:
            meldung = f'"{wert}" verletzt die Regel {what}'
        problems.append(Problem(raw.datei, meldung, erwartet=erwartet, **common))
    return problems


def _show(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "(leer)"
    return str(value)
