"""Check every input against the data contract and load them for the reports.

One run reports *all* problems (file, row, column, value, expectation, suggestion), so that an
analyst fixes a file once instead of once per error. Per-file rules live in
:mod:`sozialraum.read.schemas`; the rules that need two files or the config live here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sozialraum.config import Config
from sozialraum.grammatik import nomen
from sozialraum.read.check_events import _events, _mentimeter
from sozialraum.read.check_geometry import _geometry, _resolve_quartiere, _sozialraum_spalte
from sozialraum.read.check_handlungsempfehlungen import _handlungsempfehlungen, _statusverlauf
from sozialraum.read.check_index import pruefe_index
from sozialraum.read.check_statistics import (
    _ausschluesse,
    _coverage,
    _einwohner,
    _indikatoren,
    _nenner,
    _vorschlaege,
)
from sozialraum.read.problems import Problem
from sozialraum.read.schemas import SCHEMAS, Erlaubt
from sozialraum.read.validation_run import _count, _de_int, _fold_truncated, _mark_records, _Run

__all__ = [
    "Inputs",
    "Problem",
    "ValidationFailed",
    "ValidationReport",
    "load_inputs",
    "validate",
]


@dataclass(frozen=True)
class Inputs:
    """All inputs of one city, typed and checked; ids are text, Quartiere resolved to ids."""

    quartiere: Any  # GeoDataFrame in cfg.stadt.crs
    bevoelkerung: pd.DataFrame
    indikatoren: pd.DataFrame
    veranstaltungen: pd.DataFrame
    stationen: pd.DataFrame
    angebote: pd.DataFrame
    fragen: pd.DataFrame
    abstimmungen: pd.DataFrame
    karten: pd.DataFrame
    feedback: pd.DataFrame
    handlungsempfehlungen: pd.DataFrame
    kanalregeln: pd.DataFrame
    statusverlauf: pd.DataFrame = field(default_factory=lambda: _empty_statusverlauf())
    """Earlier states of the recommendations (optional input), one row per he_id and date."""
    ausschluesse: pd.DataFrame = field(default_factory=lambda: _empty_ausschluesse())
    """Areas excluded by the data themselves (a validity column) or the config, one reason each."""
    index: pd.DataFrame = field(default_factory=lambda: _empty_index())
    """The published index values (``[eingaben.index]``), one row per area: quartier_id and one
    column per value a given index reads (:func:`~sozialraum.read.check_index.spalte`)."""
    checksums: dict[str, str] = field(default_factory=dict)

    @property
    def erfunden(self) -> bool:
        """True if any record of any input is invented (the reports then carry a banner)."""
        for f in dataclasses.fields(self):
            df = getattr(self, f.name)
            if not isinstance(df, pd.DataFrame) or "erfunden" not in df.columns:
                continue
            if bool(df["erfunden"].fillna(False).astype(bool).any()):
                return True
        return False


def _empty_statusverlauf() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "he_id": pd.Series([], dtype="str"),
            "status": pd.Series([], dtype="str"),
            "status_datum": pd.Series([], dtype="datetime64[ns]"),
            "status_datum_genauigkeit": pd.Series([], dtype="str"),
            "erfunden": pd.Series([], dtype="bool"),
            "quelle": pd.Series([], dtype="str"),
        }
    )


def _empty_index() -> pd.DataFrame:
    return pd.DataFrame({"quartier_id": pd.Series([], dtype="str")})


def _empty_ausschluesse() -> pd.DataFrame:
    return pd.DataFrame(
        {"quartier_id": pd.Series([], dtype="str"), "grund": pd.Series([], dtype="str")}
    )


class ValidationFailed(Exception):
    """Inputs break the contract; ``problems`` holds every finding, errors and warnings."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        errors = [p for p in self.problems if p.schwere == "Fehler"]
        lines = [f"Die Eingabedaten haben {_count(len(errors), 'Fehler', 'Fehler')}:"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class ValidationReport:
    """Outcome of :func:`validate`: all problems, the inputs if usable, a German summary."""

    problems: list[Problem]
    inputs: Inputs | None
    summary: str

    @property
    def fehler(self) -> list[Problem]:
        """Problems that stop a run."""
        return [p for p in self.problems if p.schwere == "Fehler"]

    @property
    def warnungen(self) -> list[Problem]:
        """Problems reported without stopping."""
        return [p for p in self.problems if p.schwere == "Warnung"]

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.fehler

    def text(self) -> str:
        """The report as the CLI prints it: every problem, then the verdict."""
        lines = [str(p) for p in self.problems]
        if self.ok:
            lines.append(f"Alle Eingaben sind gültig: {self.summary}.")
        else:
            lines.append(
                f"{_count(len(self.fehler), 'Fehler', 'Fehler')}, "
                f"{_count(len(self.warnungen), 'Warnung', 'Warnungen')}."
            )
        return "\n".join(lines)


def input_checksums(cfg: Config) -> dict[str, str]:
    """SHA-256 of every configured input file, keyed by its path relative to the config.

    Cheap compared with validation, so that a batch can tell "nothing changed" before it reads
    a single table; one implementation (:func:`~.checksums.input_checksums`) for the batch
    and the provenance line.
    """
    from sozialraum.read.checksums import input_checksums as checksums

    return checksums(cfg)


# ---------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------
def validate(cfg: Config) -> ValidationReport:
    """Check every input of ``cfg`` and load them if there is no error.

    Returns
    -------
    ValidationReport
        ``inputs`` is None when there is an error; ``summary`` counts what was read.
    """
    run = _Run(cfg)
    sr_ids = [s.id for s in cfg.sozialraeume]
    sr_erlaubt = Erlaubt(
        tuple(sr_ids),
        f"ist {nomen(cfg.begriffe.einheit, art='kein')} der Konfiguration",
        "eine id aus [[sozialraeume]]: "
        + ", ".join(f"{s.id} ({s.name})" for s in cfg.sozialraeume),
        aliases={
            **{s.name: s.id for s in cfg.sozialraeume},
            **{s.slug: s.id for s in cfg.sozialraeume},
        },
    )

    quartiere, geo = _geometry(run, sr_erlaubt)
    bev = run.read("bevoelkerung")
    ind = run.read("indikatoren")
    jahre = cfg.methode.jahre
    jahr_erlaubt = Erlaubt(
        tuple(jahre),
        "ist kein Jahr der Methode",
        "ein Jahr aus methode.jahre: " + ", ".join(str(j) for j in jahre),
    )
    ind_ids = [i.id for i in cfg.indikatoren]
    ind_erlaubt = Erlaubt(
        tuple(ind_ids),
        "ist kein Indikator der Konfiguration",
        "eine id aus [[indikatoren]]: " + ", ".join(ind_ids),
    )
    for name, conv, extra in (
        ("bevoelkerung", bev, {"sozialraum_id": sr_erlaubt}),
        ("indikatoren", ind, {"indikator": ind_erlaubt, "sozialraum_id": sr_erlaubt}),
    ):
        if conv is None:
            continue
        skip = _resolve_quartiere(run, conv, geo) if geo is not None else set(range(len(conv.df)))
        run.validate_schema(name, conv, {"jahr": jahr_erlaubt, **extra}, skip)
        if geo is not None:
            _sozialraum_spalte(run, conv, geo, sr_erlaubt, skip)
    excluded = _ausschluesse(run, bev, ind) if geo is not None else set()
    gegeben, _ = pruefe_index(run, geo, excluded)
    if bev is not None:
        _einwohner(run, bev, excluded)
    if ind is not None:
        _indikatoren(run, ind, excluded)
        _nenner(run, bev, ind, excluded)
    if geo is not None:
        _coverage(run, geo, bev, ind, excluded)
        _vorschlaege(run, geo, bev, ind, excluded)

    events = _events(run, sr_erlaubt)
    he = run.read("handlungsempfehlungen")
    if he is not None:
        _handlungsempfehlungen(run, he, sr_erlaubt, geo)
    sv = run.read("statusverlauf")
    if sv is not None:
        _statusverlauf(run, sv, he)
    kanal = run.read("kanalregeln")
    run.validate_schema("kanalregeln", kanal)
    mentimeter = _mentimeter(run, events)

    _fold_truncated(run)
    _mark_records(run)
    inputs = None
    errors = [p for p in run.problems if p.schwere == "Fehler"]
    if not errors:
        inputs = _inputs(run, quartiere, mentimeter)
        if gegeben is not None:
            inputs = dataclasses.replace(inputs, index=gegeben)
    summary = _summary(run, quartiere, mentimeter)
    return ValidationReport(run.problems, inputs, summary)


def load_inputs(cfg: Config) -> Inputs:
    """The checked inputs of ``cfg``; raises :class:`ValidationFailed` listing every problem."""
    report = validate(cfg)
    if report.inputs is None:
        raise ValidationFailed(report.problems)
    return report.inputs


# ---------------------------------------------------------------------------------------------
# Assembling the inputs
# ---------------------------------------------------------------------------------------------
def _frame(run: _Run, name: str, columns: list[str], ints: tuple[str, ...] = ()) -> pd.DataFrame:
    conv = run.tables.get(name)
    if conv is None:
        schema = SCHEMAS[name].to_schema()
        return pd.DataFrame(
            {
                c: pd.Series(
                    [], dtype=str(schema.columns[c].dtype) if c in schema.columns else "str"
                )
                for c in columns
            }
        )
    df = conv.df[[c for c in columns if c in conv.df.columns]].copy()
    for c in ints:
        df[c] = df[c].astype("int64")
    return df


def _bekannt(df: pd.DataFrame) -> pd.DataFrame:
    """Rows of areas of the geometry (excluded areas without geometry are left out)."""
    return df[df["quartier_id"].notna()].reset_index(drop=True)


def _statusverlauf_frame(run: _Run) -> pd.DataFrame:
    if "statusverlauf" not in run.tables:
        return _empty_statusverlauf()
    df = _frame(
        run,
        "statusverlauf",
        ["he_id", "status", "status_datum", "status_datum_genauigkeit", "erfunden", "quelle"],
    )
    return df.sort_values(["he_id", "status_datum"], kind="stable").reset_index(drop=True)


def _inputs(run: _Run, quartiere: Any, mentimeter: pd.DataFrame) -> Inputs:
    ind = _frame(
        run,
        "indikatoren",
        [
            "quartier_id",
            "jahr",
            "indikator",
            "zaehler",
            "nenner",
            "anteil",
            "veraenderung",
            "erfunden",
            "quelle",
        ],
        ints=("jahr",),
    )
    # rows of areas without geometry that the config excludes were reported and are not used
    ind = _bekannt(ind)
    if "veraenderung" not in ind.columns:
        ind["veraenderung"] = np.nan
    eingabe = {i.id: i.eingabe for i in run.cfg.indikatoren}
    counted = ind["indikator"].map(eingabe).eq("anzahl") & (ind["nenner"] > 0)
    ind.loc[counted, "anteil"] = ind["zaehler"] / ind["nenner"] * 100
    ev = _frame(
        run,
        "veranstaltungen",
        [
            "veranstaltung_id",
            "sozialraum_id",
            "runde",
            "datum",
            "datum_genauigkeit",
            "format",
            "teilnehmende",
            "institutionen",
            "dauer_minuten",
            "erfunden",
            "quelle",
        ],
        ints=("runde",),
    )
    fb = _frame(run, "feedback", ["veranstaltung_id", "wort", "erfunden", "quelle"])
    feedback = pd.concat([fb, mentimeter], ignore_index=True) if len(mentimeter) else fb
    he = _frame(
        run,
        "handlungsempfehlungen",
        [
            "he_id",
            "sozialraum_id",
            "handlungsfeld",
            "titel",
            "zustaendig",
            "quartier_ids",
            "status",
            "status_datum",
            "status_datum_genauigkeit",
            "erfunden",
            "quelle",
        ],
    )
    return Inputs(
        quartiere=quartiere,
        bevoelkerung=_bekannt(
            _frame(
                run,
                "bevoelkerung",
                ["quartier_id", "jahr", "einwohner", "erfunden", "quelle"],
                ints=("jahr",),
            )
        ),
        indikatoren=ind,
        veranstaltungen=ev,
        stationen=_frame(
            run,
            "stationen",
            [
                "station_id",
                "runde",
                "art",
                "station",
                "bereich",
                "handlungsfeld",
                "erfunden",
                "quelle",
            ],
            ints=("runde",),
        ),
        angebote=_frame(
            run,
            "angebote",
            ["angebot_id", "station_id", "angebot", "bereich", "url", "erfunden", "quelle"],
        ),
        fragen=_frame(
            run,
            "fragen",
            ["frage_id", "runde", "frage", "typ", "kanalcodierung", "erfunden", "quelle"],
            ints=("runde",),
        ),
        abstimmungen=_frame(
            run,
            "abstimmungen",
            [
                "veranstaltung_id",
                "station_id",
                "angebot_id",
                "frage_id",
                "antwort",
                "anzahl",
                "erfunden",
                "quelle",
            ],
            ints=("anzahl",),
        ),
        karten=_frame(
            run,
            "karten",
            ["veranstaltung_id", "station_id", "frage_id", "text", "erfunden", "quelle"],
        ),
        feedback=feedback,
        handlungsempfehlungen=he,
        statusverlauf=_statusverlauf_frame(run),
        kanalregeln=_frame(
            run,
            "kanalregeln",
            ["reihenfolge", "kategorie", "muster", "erfunden", "quelle"],
            ints=("reihenfolge",),
        ),
        ausschluesse=pd.DataFrame(
            {
                "quartier_id": pd.Series(list(run.ausschluesse), dtype="str"),
                "grund": pd.Series(list(run.ausschluesse.values()), dtype="str"),
            }
        ),
        checksums=input_checksums(run.cfg),
    )


def _summary(run: _Run, quartiere: Any, mentimeter: pd.DataFrame) -> str:
    """One German line that tells the analyst what was read ("6 Sozialräume, …")."""
    t = run.tables
    b = run.cfg.begriffe
    parts = [_count(len(run.cfg.sozialraeume), b.einheit.name, b.einheit.mehrzahl)]
    if quartiere is not None:
        parts.append(_count(len(quartiere), b.gebiet.name, b.gebiet.mehrzahl))
    years: set[int] = set()
    for name in ("bevoelkerung", "indikatoren"):
        if name in t:
            years |= {int(j) for j in t[name].df["jahr"].dropna()}
    if years:
        parts.append(
            ("Jahr " if len(years) == 1 else "Jahre ") + ", ".join(map(str, sorted(years)))
        )
    if "veranstaltungen" in t:
        parts.append(_count(len(t["veranstaltungen"].df), "Veranstaltung", "Veranstaltungen"))
    if "abstimmungen" in t:
        votes = int(t["abstimmungen"].df["anzahl"].fillna(0).sum())
        parts.append(_count(votes, "Stimme", "Stimmen"))
    if "karten" in t:
        parts.append(_count(len(t["karten"].df), "Karte", "Karten"))
    words = len(t["feedback"].df) if "feedback" in t else 0
    words += len(mentimeter)
    if run.cfg.mit_veranstaltungen:
        parts.append(_count(words, "Feedbackwort", "Feedbackwörter"))
    if run.ausschluesse:
        n = _de_int(len(run.ausschluesse))
        parts.append(f"davon {n} laut Daten oder Konfiguration nicht bewertet")
    if "handlungsempfehlungen" in t:
        parts.append(
            _count(
                len(t["handlungsempfehlungen"].df), "Handlungsempfehlung", "Handlungsempfehlungen"
            )
        )
    return ", ".join(parts)
