"""Check every input against the data contract and load them for the reports.

One run reports *all* problems (file, row, column, value, expectation, suggestion), so that an
analyst fixes a file once instead of once per error. Per-file rules live in
:mod:`sozialraum.read.schemas`; the rules that need two files or the config live here.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sozialraum.config import Config, termin_datum
from sozialraum.names import NameMatcher, closest
from sozialraum.read.adapt import GUELTIGKEIT_GRUND, adapt
from sozialraum.read.io import (
    MentimeterError,
    Problem,
    RawTable,
    ReadError,
    mentimeter_words,
    nearby_file,
    read_geometry,
    read_mentimeter,
    read_table,
)
from sozialraum.read.schemas import (
    BEWERTUNG,
    FRAGETYPEN,
    HE_STATUS,
    JA_NEIN,
    SCHEMAS,
    Converted,
    Erlaubt,
    build_schema,
    check,
    convert,
)

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


def _count(n: int, one: str, many: str) -> str:
    return f"{_de_int(n)} {one if n == 1 else many}"


def _de_int(n: int) -> str:
    return f"{n:,}".replace(",", ".")


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
class _Run:
    """State of one validation run: the config, the problems so far, the converted tables."""

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.root = cfg.basis.parent
        self.problems: list[Problem] = []
        self.tables: dict[str, Converted] = {}
        self.ausschluesse: dict[str, str] = {}  # quartier_id -> reason, first reason wins
        self.raws: dict[str, RawTable] = {}

    def label(self, path: Path) -> str:
        """How messages name a file: relative to the project folder (the config's parent)."""
        return Path(os.path.relpath(path, self.root)).as_posix()

    def add(self, problems: list[Problem]) -> None:
        self.problems.extend(problems)

    def problem(self, datei: str, meldung: str, **kwargs: Any) -> None:
        self.problems.append(Problem(datei, meldung, **kwargs))

    def read(self, name: str) -> Converted | None:
        """Read and convert the input ``name`` of ``[eingaben]``; None if it cannot be read."""
        if getattr(self.cfg.eingaben, name, None) is None:
            return None
        path = self.cfg.datei(name)
        model = SCHEMAS[name]
        required = [c for c, col in model.to_schema().columns.items() if col.required]
        try:
            raw = read_table(path, self.label(path), expected_columns=required)
        except ReadError as exc:
            self.problems.append(exc.problem)
            return None
        self.add(raw.probleme)
        self.raws[raw.datei] = raw
        raw, layout = adapt(raw, self.cfg.eingabe(name), self.cfg, name)
        self.add(layout)
        if any(p.schwere == "Fehler" for p in layout):
            return None
        conv = convert(raw, model)
        self.add(conv.problems)
        if conv.df is None:
            return None
        self.tables[name] = conv
        return conv

    def validate_schema(
        self,
        name: str,
        conv: Converted | None,
        erlaubt: dict[str, Erlaubt] | None = None,
        skip_rows: set[int] | None = None,
    ) -> None:
        if conv is None:
            return
        schema = build_schema(SCHEMAS[name], erlaubt)
        self.add(check(conv, schema, erlaubt, skip_rows))

    def cell(self, conv: Converted, pos: int, column: str, meldung: str, **kwargs: Any) -> None:
        """A problem about one cell; the value is taken as written in the file."""
        raw = conv.raw
        wert = raw.df[column].iloc[pos] if column in raw.df.columns else None
        kwargs.setdefault("wert", wert)
        self.problems.append(
            Problem(
                raw.datei,
                meldung,
                zeile=conv.zeile(pos),
                spalte=raw.spalte_von(pos, column),
                **kwargs,
            )
        )


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
        f"ist kein {cfg.begriffe.einheit.name} der Konfiguration",
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
    if bev is not None:
        _einwohner(run, bev, excluded)
    if ind is not None:
        _indikatoren(run, ind, excluded)
    if geo is not None:
        _coverage(run, geo, bev, ind, excluded)

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
    inputs = None
    errors = [p for p in run.problems if p.schwere == "Fehler"]
    if not errors:
        inputs = _inputs(run, quartiere, mentimeter)
    summary = _summary(run, quartiere, mentimeter)
    return ValidationReport(run.problems, inputs, summary)


def _fold_truncated(run: _Run) -> None:
    """Keep one line for the follow-up errors of a file that is cut off.

    A truncated export produces a message for every row and Quartier it lacks; the analyst needs
    to hear "the file is cut off" once, not 285 times.
    """
    for datei, raw in run.raws.items():
        if raw.abgeschnitten is None:
            continue
        cause = [p for p in run.problems if p.datei == datei and "abgeschnitten" in p.meldung]
        follow = [
            p for p in run.problems if p.datei == datei and p.schwere == "Fehler" and p not in cause
        ]
        if not follow:
            continue
        run.problems = [p for p in run.problems if p not in follow]
        run.problem(
            datei,
            f"{_count(len(follow), 'weiterer Fehler', 'weitere Fehler')} in dieser Datei sind "
            f"wahrscheinlich Folgen davon (der erste: {follow[0].meldung})",
            erwartet="eine vollständige Datei; danach erneut prüfen",
        )


def load_inputs(cfg: Config) -> Inputs:
    """The checked inputs of ``cfg``; raises :class:`ValidationFailed` listing every problem."""
    report = validate(cfg)
    if report.inputs is None:
        raise ValidationFailed(report.problems)
    return report.inputs


# ---------------------------------------------------------------------------------------------
# Geometry and Quartiere
# ---------------------------------------------------------------------------------------------
@dataclass
class _Geo:
    ids: list[str]
    name_by_id: dict[str, str]
    sr_by_id: dict[str, str]
    matcher: NameMatcher
    datei: str
    ids_by_name: dict[str, list[str]] = field(default_factory=dict)

    def id_of(self, name: str) -> str | None:
        """The id of the area called ``name``, None if several areas share that name."""
        ids = self.ids_by_name.get(name, [])
        return ids[0] if len(ids) == 1 else None


def _geometry(run: _Run, sr_erlaubt: Erlaubt) -> tuple[Any, _Geo | None]:
    cfg = run.cfg
    path = cfg.datei("geometrie")
    datei = run.label(path)
    try:
        gdf, notes = read_geometry(
            path,
            cfg.stadt.crs,
            datei,
            expected_columns=list(SCHEMAS["geometrie"].to_schema().columns),
        )
    except ReadError as exc:
        run.problems.append(exc.problem)
        return None, None
    run.add(notes)
    attrs = gdf.drop(columns="geometry")
    text = pd.DataFrame(
        {c: [_attr_text(v) for v in attrs[c]] for c in attrs.columns}, dtype="str"
    ).reset_index(drop=True)
    raw = RawTable(
        datei,
        text,
        [i + 2 for i in range(len(text))],
        {c: c for c in text.columns},
    )
    raw, layout = adapt(raw, cfg.eingabe("geometrie"), cfg, "geometrie")
    run.add(layout)
    if any(p.schwere == "Fehler" for p in layout):
        return None, None
    conv = convert(raw, SCHEMAS["geometrie"])
    run.add(conv.problems)
    if conv.df is None:
        return None, None
    run.validate_schema("geometrie", conv, {"sozialraum_id": sr_erlaubt})
    bad_geom = ~gdf.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    for pos in np.flatnonzero(bad_geom):
        run.problem(
            datei,
            "Das Objekt ist keine Fläche ("
            + (str(gdf.geometry.iloc[pos].geom_type) if gdf.geometry.iloc[pos] else "leer")
            + ")",
            zeile=int(pos) + 2,
            spalte="geometry",
            wert=str(conv.df["quartier"].iloc[pos]),
            erwartet=f"ein Polygon oder MultiPolygon je {cfg.begriffe.gebiet.name}",
        )
    df = conv.df
    _topology(run, gdf.geometry.to_numpy(), df["quartier"].fillna("?").tolist(), datei)
    quartiere = gdf[["geometry"]].copy()
    for c in ("quartier_id", "quartier", "sozialraum_id", "erfunden"):
        quartiere[c] = df[c].to_numpy()
    quartiere = quartiere[["quartier_id", "quartier", "sozialraum_id", "erfunden", "geometry"]]
    ok = df["quartier_id"].notna() & df["quartier"].notna() & ~df["quartier_id"].duplicated()
    ids = df.loc[ok, "quartier_id"].tolist()
    ids_by_name: dict[str, list[str]] = {}
    for qid, name in zip(ids, df.loc[ok, "quartier"], strict=True):
        ids_by_name.setdefault(name, []).append(qid)
    for name, same in ids_by_name.items():
        if len(same) > 1:
            run.problem(
                datei,
                f'Der Name "{name}" steht für {len(same)} Gebiete (IDs {", ".join(same)}); sie '
                "werden über ihre ID zugeordnet, Zeilen mit diesem Namen ohne ID sind mehrdeutig",
                spalte=raw.spalte_von(None, "quartier"),
                wert=name,
                erwartet="eindeutige Namen, oder die ID in jeder Datei",
                schwere="Warnung",
            )
    geo = _Geo(
        ids=ids,
        name_by_id=dict(zip(ids, df.loc[ok, "quartier"], strict=True)),
        sr_by_id=dict(zip(ids, df.loc[ok, "sozialraum_id"], strict=True)),
        matcher=NameMatcher(list(ids_by_name)),
        datei=datei,
        ids_by_name=ids_by_name,
    )
    return quartiere, geo


#: Overlaps and gaps smaller than this (m²) are digitising noise, not a finding.
_TOPOLOGIE_M2 = 1.0
_TOPOLOGIE_MAX = 20


def _m2(area: float) -> str:
    """An area the way a GIS colleague says it: m², ha, km²."""
    if area >= 1_000_000:
        return f"{area / 1_000_000:.2f} km²".replace(".", ",")
    if area >= 10_000:
        return f"{area / 10_000:.1f} ha".replace(".", ",")
    return f"{area:,.0f} m²".replace(",", ".")


def _topology(run: _Run, geoms: np.ndarray, names: list[str], datei: str) -> None:
    """Warn where areas overlap or leave gaps: a map would show it and the counts double."""
    import shapely

    ok = np.array([g is not None and not g.is_empty for g in geoms])
    idx = np.flatnonzero(ok)
    if len(idx) < 2:
        return
    valid = geoms[idx]
    tree = shapely.STRtree(valid)
    a, b = tree.query(valid, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    found = 0
    if len(a):
        areas = shapely.area(shapely.intersection(valid[a], valid[b]))
        for i in np.flatnonzero(areas > _TOPOLOGIE_M2):
            found += 1
            if found > _TOPOLOGIE_MAX:
                continue
            qa, qb = names[idx[a[i]]], names[idx[b[i]]]
            run.problem(
                datei,
                f'Die Flächen von "{qa}" und "{qb}" überlappen sich ({_m2(float(areas[i]))})',
                zeile=int(idx[a[i]]) + 2,
                spalte="geometry",
                wert=qa,
                erwartet="Flächen, die sich höchstens an den Grenzen berühren",
                hinweis="im GIS prüfen (QGIS: Vektor → Geometriewerkzeuge → Topologieprüfung)",
                schwere="Warnung",
            )
    union = shapely.union_all(valid)
    polys = list(getattr(union, "geoms", [union]))
    for poly in polys:
        for ring in getattr(poly, "interiors", []):
            hole = shapely.Polygon(ring)
            if hole.area <= _TOPOLOGIE_M2:
                continue
            found += 1
            if found > _TOPOLOGIE_MAX:
                continue
            near = tree.query(hole.buffer(1.0), predicate="intersects")
            around = ", ".join(f'"{names[idx[j]]}"' for j in sorted(near)[:6])
            run.problem(
                datei,
                f"Zwischen {around} liegt eine Lücke von {_m2(hole.area)}, die zu keinem Gebiet "
                "gehört",
                spalte="geometry",
                erwartet="Flächen ohne Lücken zwischen Nachbarn",
                hinweis="im GIS prüfen, ob dort eine Fläche fehlt oder Grenzen nicht aufeinander "
                "liegen",
                schwere="Warnung",
            )
    if found > _TOPOLOGIE_MAX:
        run.problem(
            datei,
            f"… und {_de_int(found - _TOPOLOGIE_MAX)} weitere Überlappungen oder Lücken",
            spalte="geometry",
            schwere="Warnung",
        )


def _attr_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, bool | np.bool_):
        return "ja" if value else "nein"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _resolve_quartiere(run: _Run, conv: Converted, geo: _Geo) -> set[int]:
    """Put the geometry's quartier_id and name on every row; return rows that did not resolve.

    The id wins where there is one (ids are what the offices agree on); the name must then
    agree with the geometry's name for that id, or the two files contradict each other.
    """
    df = conv.df
    has_id = "quartier_id" in conv.raw.df.columns
    has_name = "quartier" in conv.raw.df.columns
    if not has_id and not has_name:
        run.problem(
            conv.raw.datei,
            'Weder die Spalte "quartier_id" noch "quartier" ist vorhanden',
            zeile=1,
            erwartet="die Spalte quartier_id oder quartier (oder beide)",
        )
        return set(range(len(df)))
    unresolved: set[int] = set()
    ids: list[Any] = []
    names: list[Any] = []
    for pos, (qid, name) in enumerate(zip(df["quartier_id"], df["quartier"], strict=True)):
        qid = None if pd.isna(qid) else str(qid)
        name = None if pd.isna(name) else str(name)
        resolved: str | None = None
        match = geo.matcher.match(name) if name else None
        if qid is not None:
            if qid in geo.name_by_id:
                resolved = qid
                # The id wins (ids are what the offices agree on); a name that says otherwise
                # is worth a warning, since the GIS or the table may carry an old name.
                if match is not None and match.ok and match.name != geo.name_by_id[qid]:
                    other = geo.id_of(match.name) or ", ".join(geo.ids_by_name[match.name])
                    run.cell(
                        conv,
                        pos,
                        "quartier",
                        f'ID und Name widersprechen sich: "{qid}" ist in {geo.datei} '
                        f'"{geo.name_by_id[qid]}", der Name "{name}" gehört dort zur ID '
                        f'"{other}"; verwendet wird die ID',
                        erwartet="eine quartier_id und einen Namen, die zusammengehören",
                        vorschlag=geo.name_by_id[qid],
                        schwere="Warnung",
                    )
                elif match is not None and not match.ok:
                    run.cell(
                        conv,
                        pos,
                        "quartier",
                        f'Der Name "{name}" passt zu keinem Namen der Geometrie; "{qid}" ist dort '
                        f'"{geo.name_by_id[qid]}", verwendet wird die ID',
                        erwartet=f"den Namen aus der Geometrie {geo.datei}",
                        vorschlag=geo.name_by_id[qid],
                        schwere="Warnung",
                    )
            else:
                vorschlag = None
                if match is not None and match.ok:
                    vorschlag = geo.id_of(match.name)
                else:
                    stripped = {i.lstrip("0"): i for i in geo.ids}
                    vorschlag = stripped.get(qid.lstrip("0")) or closest(qid, geo.ids, 0.8)
                shown = f' ("{name}")' if name else ""
                run.cell(
                    conv,
                    pos,
                    "quartier_id",
                    f'{_der(run)} "{qid}"{shown} fehlt in der Geometrie {geo.datei}',
                    erwartet="eine quartier_id aus der Geometrie",
                    vorschlag=vorschlag,
                )
        elif name is not None and match is not None:
            if match.ok and geo.id_of(match.name) is None:
                run.cell(
                    conv,
                    pos,
                    "quartier",
                    f'"{name}" ist mehrdeutig: so heißen die Gebiete mit den IDs '
                    + ", ".join(geo.ids_by_name[match.name]),
                    erwartet="die quartier_id statt des Namens",
                )
            elif match.ok:
                resolved = geo.id_of(match.name)
            else:
                _unknown_name(run, conv, pos, name, match, geo)
        else:
            run.cell(
                conv,
                pos,
                "quartier_id" if has_id else "quartier",
                "Weder quartier_id noch quartier ist angegeben",
                erwartet="die ID oder den Namen eines Gebiets der Geometrie",
            )
        if resolved is None:
            unresolved.add(pos)
        ids.append(resolved)
        names.append(geo.name_by_id.get(resolved) if resolved else name)
    df["quartier_id"] = pd.Series(ids, dtype="str", index=df.index)
    df["quartier"] = pd.Series(names, dtype="str", index=df.index)
    return unresolved


def _sozialraum_spalte(
    run: _Run, conv: Converted, geo: _Geo, sr_erlaubt: Erlaubt, skip: set[int]
) -> None:
    """An optional ``sozialraum_id`` column in a statistics file must agree with the geometry.

    The column lets an analyst filter a Sozialraum in Excel; the geometry stays the authority,
    so a value that says otherwise is an error (the sums in Excel would not match the report).
    """
    if "sozialraum_id" not in conv.raw.df.columns:
        return
    einheit = run.cfg.begriffe.einheit.name
    zum = "zur" if run.cfg.begriffe.einheit.genus == "f" else "zum"
    names = {s.id: s.name for s in run.cfg.sozialraeume}
    for pos, (qid, wert) in enumerate(
        zip(conv.df["quartier_id"], conv.df["sozialraum_id"], strict=True)
    ):
        if pos in skip or pd.isna(wert) or str(wert).strip() == "" or pd.isna(qid):
            continue
        soll = geo.sr_by_id.get(str(qid))
        if soll is None:
            continue
        text = str(wert).strip()
        if text not in sr_erlaubt.werte or text == soll:
            continue  # unknown ids are reported by the schema check
        ort = f'{_der(run)} "{qid}" ("{geo.name_by_id[str(qid)]}")'
        soll_text = f'"{soll}"' + (f" ({names[soll]})" if soll in names else "")
        run.cell(
            conv,
            pos,
            "sozialraum_id",
            f'{einheit} "{text}" passt nicht zur Geometrie: {ort} gehört in {geo.datei} {zum} '
            f"{einheit} {soll_text}",
            erwartet=f"die sozialraum_id aus der Geometrie {geo.datei} (oder die Spalte leer "
            "lassen)",
            vorschlag=soll,
            hinweis=f"die Zuordnung in {geo.datei} prüfen, falls dort die Angabe falsch ist",
        )


def _der(run: _Run) -> str:
    g = run.cfg.begriffe.gebiet
    return f"{g.form('der').capitalize()} {g.name}"


def _kein_bekannt(run: _Run) -> str:
    """The gendered phrase: "kein bekanntes Sozialquartier", "kein bekannter Planungsraum"."""
    g = run.cfg.begriffe.gebiet
    endung = {"m": "kein bekannter", "f": "keine bekannte", "n": "kein bekanntes"}[g.genus]
    return f"{endung} {g.name}"


def _unknown_name(run: _Run, conv: Converted, pos: int, name: str, match: Any, geo: _Geo) -> None:
    if match.art == "mehrdeutig":
        run.cell(
            conv,
            pos,
            "quartier",
            f'"{name}" ist mehrdeutig: passt zu ' + ", ".join(f'"{k}"' for k in match.kandidaten),
            erwartet="einen eindeutigen Namen aus der Geometrie oder die quartier_id",
        )
    else:
        run.cell(
            conv,
            pos,
            "quartier",
            f'"{name}" ist {_kein_bekannt(run)}',
            erwartet=f"ein Name aus der Geometrie {geo.datei}",
            vorschlag=match.vorschlag,
        )


def _ausschluesse(run: _Run, bev: Converted | None, ind: Converted | None) -> set[str]:
    """Areas that are not rated, whatever the reason; records the config's and the data's.

    One path for every reason, so that none is reported twice and none is forgotten: a listed
    exclusion (``methode.ausgeschlossen``) comes first, then a validity column of the data
    (e.g. Berlin's ``KOM``); :func:`~.compute.index.ausschluesse` adds the population rule. The
    returned set holds all of them: such areas may lack rows and values without an error.
    """
    for a in run.cfg.methode.ausgeschlossen:
        run.ausschluesse.setdefault(a.quartier_id, a.grund)
    for conv in (ind, bev):
        if conv is None or GUELTIGKEIT_GRUND not in conv.df.columns:
            continue
        for qid, grund in zip(conv.df["quartier_id"], conv.df[GUELTIGKEIT_GRUND], strict=True):
            if isinstance(qid, str) and isinstance(grund, str) and grund.strip():
                run.ausschluesse.setdefault(qid, grund.strip())
    excluded = set(run.ausschluesse)
    m = run.cfg.methode
    if bev is not None and m.mindestbevoelkerung > 0:
        df = bev.df[bev.df["jahr"] == m.berichtsjahr]
        for qid, n in zip(df["quartier_id"], df["einwohner"], strict=True):
            if isinstance(qid, str) and (pd.isna(n) or n < m.mindestbevoelkerung):
                excluded.add(qid)
    return excluded


def _declared_missing(conv: Converted, pos: int, col: str) -> bool:
    return (pos, col) in conv.raw.fehlend


def _missing_hint(conv: Converted, pos: int, col: str) -> str | None:
    if conv.raw.df[col].iloc[pos].strip():
        return None
    return (
        "liefert die Statistikstelle hier bewusst keinen Wert, das in der Konfiguration sagen: "
        'fehlwerte = [""] beim Eintrag dieser Datei in [eingaben]'
    )


def _einwohner(run: _Run, conv: Converted, excluded: set[str]) -> None:
    """An empty population is an error unless declared missing or the area is not rated."""
    df = conv.df
    for pos in range(len(df)):
        if not pd.isna(df["einwohner"].iloc[pos]) or (pos, "einwohner") in conv.bad:
            continue
        if _declared_missing(conv, pos, "einwohner") or df["quartier_id"].iloc[pos] in excluded:
            continue
        run.cell(
            conv,
            pos,
            "einwohner",
            "Der Wert fehlt",
            erwartet="eine ganze Zahl ≥ 0",
            hinweis=_missing_hint(conv, pos, "einwohner"),
        )


def _indikatoren(run: _Run, conv: Converted, excluded: set[str]) -> None:
    df = conv.df
    m = run.cfg.methode
    eingabe = {i.id: i.eingabe for i in run.cfg.indikatoren}
    veroeffentlicht = {
        i.id for i in run.cfg.indikatoren if i.dynamik and i.veraenderung == "veroeffentlicht"
    }

    gezaehlt = sorted({i for i in df["indikator"].dropna() if eingabe.get(i) == "anzahl"})
    absent = [c for c in ("zaehler", "nenner") if c not in conv.raw.df.columns]
    if gezaehlt and absent:
        found = list(conv.raw.df.columns)
        shown = ", ".join(f'"{conv.raw.spalten.get(f, f)}"' for f in found)
        for col in absent:
            near = closest(col, found, cutoff=0.7)
            run.problem(
                conv.raw.datei,
                f'Die Spalte "{col}" fehlt (gefunden: {shown}); die Indikatoren '
                f'{", ".join(gezaehlt)} werden als Anzahl eingegeben (eingabe = "anzahl")',
                zeile=1,
                spalte=col,
                erwartet='die Spalten "zaehler" und "nenner", oder eingabe = "anteil" mit "anteil"',
                vorschlag=conv.raw.spalten.get(near, near) if near else None,
            )
        return

    def fehlt(pos: int, col: str, v: float) -> bool:
        """A missing value that is an error: not declared, not unconvertible, area rated."""
        return (
            np.isnan(v)
            and (pos, col) not in conv.bad
            and not _declared_missing(conv, pos, col)
            and df["quartier_id"].iloc[pos] not in excluded
        )

    for pos in range(len(df)):
        ind = df["indikator"].iloc[pos]
        art = eingabe.get(ind)
        z, n, a = df["zaehler"].iloc[pos], df["nenner"].iloc[pos], df["anteil"].iloc[pos]
        if art == "anzahl":
            for col, v in (("zaehler", z), ("nenner", n)):
                if fehlt(pos, col, v):
                    run.cell(
                        conv,
                        pos,
                        col,
                        f"Der Wert fehlt (Indikator {ind} wird als Anzahl eingegeben)",
                        erwartet="eine ganze Zahl ≥ 0",
                        hinweis=_missing_hint(conv, pos, col),
                    )
            if not np.isnan(z) and not np.isnan(n) and z > n:
                run.cell(
                    conv,
                    pos,
                    "zaehler",
                    f'Der Zähler "{conv.raw.df["zaehler"].iloc[pos]}" ist größer als der Nenner '
                    f'"{conv.raw.df["nenner"].iloc[pos]}"',
                    erwartet="zaehler ≤ nenner (der Zähler ist eine Teilmenge des Nenners)",
                    hinweis="Zähler und Nenner vertauscht?",
                )
        elif art == "anteil" and fehlt(pos, "anteil", a):
            run.cell(
                conv,
                pos,
                "anteil",
                f"Der Wert fehlt (Indikator {ind} wird als Anteil eingegeben)",
                erwartet="ein Anteil in Prozent zwischen 0 und 100",
                hinweis=_missing_hint(conv, pos, "anteil"),
            )
        if ind in veroeffentlicht and df["jahr"].iloc[pos] == m.berichtsjahr:
            v = df["veraenderung"].iloc[pos]
            if fehlt(pos, "veraenderung", v):
                run.cell(
                    conv,
                    pos,
                    "veraenderung",
                    f"Die veröffentlichte Veränderung fehlt (Indikator {ind}, "
                    'veraenderung = "veroeffentlicht")',
                    erwartet="eine Veränderung in Prozentpunkten",
                    hinweis=_missing_hint(conv, pos, "veraenderung"),
                )


def _coverage(
    run: _Run, geo: _Geo, bev: Converted | None, ind: Converted | None, excluded: set[str]
) -> None:
    """Every rated Quartier of the geometry needs its statistics, or its index is missing."""
    cfg = run.cfg
    g = cfg.begriffe.gebiet
    gebiet = f"{g.form('der').capitalize()} {g.name}"
    quartiere = [q for q in geo.ids if q not in excluded]
    if bev is not None:
        have = set(zip(bev.df["quartier_id"], bev.df["jahr"], strict=True))
        for jahr in cfg.methode.jahre:
            missing = [q for q in quartiere if (q, jahr) not in have]
            for q in missing:
                run.problem(
                    bev.raw.datei,
                    f'{gebiet} "{geo.name_by_id[q]}" (ID {q}) fehlt für {jahr}',
                    spalte="quartier_id",
                    wert=q,
                    erwartet=f"eine Zeile je {g.name} der Geometrie und Jahr",
                )
    if ind is not None:
        df = ind.df
        have = set(zip(df["quartier_id"], df["jahr"], df["indikator"], strict=True))
        present = set(zip(df["jahr"], df["indikator"], strict=True))
        needed_years = {cfg.methode.berichtsjahr}
        for indikator in cfg.indikatoren:
            computed = indikator.dynamik and indikator.veraenderung == "berechnet"
            years = needed_years | ({cfg.methode.vergleichsjahr} if computed else set())
            for jahr in cfg.methode.jahre:
                if (jahr, indikator.id) not in present:
                    run.problem(
                        ind.raw.datei,
                        f'Für den Indikator "{indikator.id}" fehlen alle Werte des Jahres {jahr}',
                        spalte="indikator",
                        wert=indikator.id,
                        erwartet="Werte für jedes Jahr der Methode",
                        schwere="Fehler" if jahr in years else "Warnung",
                    )
                    continue
                for q in quartiere:
                    if (q, jahr, indikator.id) not in have:
                        run.problem(
                            ind.raw.datei,
                            f'{gebiet} "{geo.name_by_id[q]}" (ID {q}) fehlt für '
                            f'{jahr} beim Indikator "{indikator.id}"',
                            spalte="quartier_id",
                            wert=q,
                            erwartet=f"eine Zeile je {g.name}, Jahr und Indikator",
                        )


# ---------------------------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------------------------
def _ids(conv: Converted | None, column: str) -> tuple[str, ...] | None:
    if conv is None:
        return None
    return tuple(conv.df[column].dropna().astype(str).unique())


def _ref(values: tuple[str, ...] | None, what: str, datei: str) -> Erlaubt | None:
    if values is None:
        return None
    return Erlaubt(values, f"kommt in {datei} nicht vor", f"eine {what} aus {datei}")


def _events(run: _Run, sr_erlaubt: Erlaubt) -> dict[str, Converted]:
    ev = run.read("veranstaltungen")
    st = run.read("stationen")
    an = run.read("angebote")
    fr = run.read("fragen")
    ab = run.read("abstimmungen")
    ka = run.read("karten")
    fb = run.read("feedback")

    def label(c: Converted | None, name: str) -> str:
        return c.raw.datei if c is not None else name

    ev_ref = _ref(_ids(ev, "veranstaltung_id"), "veranstaltung_id", label(ev, "veranstaltungen"))
    st_ref = _ref(_ids(st, "station_id"), "station_id", label(st, "stationen"))
    an_ref = _ref(_ids(an, "angebot_id"), "angebot_id", label(an, "angebote"))
    fr_ref = _ref(_ids(fr, "frage_id"), "frage_id", label(fr, "fragen"))

    def only(**refs: Erlaubt | None) -> dict[str, Erlaubt]:
        return {k: v for k, v in refs.items() if v is not None}

    if fr is not None:  # tolerate "JA_NEIN" or "Ja-Nein" where the type is meant
        fr.df["typ"] = fr.df["typ"].map(_canonical(FRAGETYPEN), na_action="ignore")
    if ab is not None:
        ab.df["antwort"] = ab.df["antwort"].str.strip().str.upper()
    run.validate_schema("veranstaltungen", ev, {"sozialraum_id": sr_erlaubt})
    run.validate_schema("stationen", st)
    run.validate_schema("angebote", an, only(station_id=st_ref))
    run.validate_schema(
        "fragen",
        fr,
        {
            "typ": Erlaubt(
                FRAGETYPEN, "ist kein Fragetyp", "ja_nein, freitext, bewertung oder feedback_wort"
            )
        },
    )
    run.validate_schema(
        "abstimmungen",
        ab,
        only(veranstaltung_id=ev_ref, station_id=st_ref, angebot_id=an_ref, frage_id=fr_ref),
    )
    run.validate_schema(
        "karten", ka, only(veranstaltung_id=ev_ref, station_id=st_ref, frage_id=fr_ref)
    )
    run.validate_schema("feedback", fb, only(veranstaltung_id=ev_ref))

    if ev is not None:
        _termine(run, ev)
    typ = dict(zip(fr.df["frage_id"], fr.df["typ"], strict=True)) if fr is not None else {}
    if ab is not None:
        station_of = dict(zip(an.df["angebot_id"], an.df["station_id"], strict=True)) if an else {}
        for pos in range(len(ab.df)):
            row = ab.df.iloc[pos]
            t = typ.get(row["frage_id"])
            if t is not None and t not in ("ja_nein", "bewertung"):
                run.cell(
                    ab,
                    pos,
                    "frage_id",
                    f'Die Frage "{row["frage_id"]}" hat den Typ {t}; abgestimmt wird nur über '
                    "Fragen vom Typ ja_nein oder bewertung",
                    erwartet="eine frage_id vom Typ ja_nein oder bewertung",
                )
            allowed = JA_NEIN if t == "ja_nein" else BEWERTUNG if t == "bewertung" else None
            if allowed and not pd.isna(row["antwort"]) and row["antwort"] not in allowed:
                run.cell(
                    ab,
                    pos,
                    "antwort",
                    f'"{ab.raw.df["antwort"].iloc[pos]}" ist keine Antwort auf eine Frage vom '
                    f"Typ {t}",
                    erwartet=" oder ".join(allowed),
                )
            angebot = row["angebot_id"]
            if (
                not pd.isna(angebot)
                and angebot in station_of
                and station_of[angebot] != row["station_id"]
            ):
                run.cell(
                    ab,
                    pos,
                    "angebot_id",
                    f'Das Angebot "{angebot}" gehört zur Station "{station_of[angebot]}", nicht '
                    f'zu "{row["station_id"]}"',
                    erwartet="ein Angebot der angegebenen Station",
                    vorschlag=station_of[angebot],
                )
    if ka is not None:
        for pos in range(len(ka.df)):
            t = typ.get(ka.df["frage_id"].iloc[pos])
            if t is not None and t != "freitext":
                run.cell(
                    ka,
                    pos,
                    "frage_id",
                    f'Die Frage "{ka.df["frage_id"].iloc[pos]}" hat den Typ {t}; Karten gehören '
                    "zu Fragen vom Typ freitext",
                    erwartet="eine frage_id vom Typ freitext",
                )
    if fb is not None:
        for pos, wort in enumerate(fb.df["wort"]):
            if isinstance(wort, str) and len(wort.split()) > 2:
                run.cell(
                    fb,
                    pos,
                    "wort",
                    f'"{wort}" hat mehr als zwei Wörter',
                    erwartet="ein bis zwei Wörter",
                    schwere="Warnung",
                )
    return {k: v for k, v in {"veranstaltungen": ev, "feedback": fb}.items() if v is not None}


def _canonical(values: tuple[str, ...]) -> Callable[[str], str]:
    matcher = NameMatcher(values)

    def to_canonical(value: str) -> str:
        match = matcher.match(value.strip())
        return match.name if match.ok else value

    return to_canonical


def _termine(run: _Run, ev: Converted) -> None:
    """An event's date must agree with the config's Termin of its Sozialraum and round."""
    by_id = {s.id: s for s in run.cfg.sozialraeume}
    df = ev.df
    for pos in range(len(df)):
        sr = by_id.get(df["sozialraum_id"].iloc[pos])
        datum = df["datum"].iloc[pos]
        runde = df["runde"].iloc[pos]
        if sr is None or pd.isna(datum) or pd.isna(runde):
            continue
        termine = [t for t in sr.termine if t.runde == int(runde)]
        if not termine:
            run.cell(
                ev,
                pos,
                "runde",
                f"Die Konfiguration hat für {sr.name} keinen Termin der Runde {runde}",
                erwartet="einen Termin in [[sozialraeume]] termine",
                schwere="Warnung",
            )
            continue
        termin = termine[0]
        soll = termin_datum(termin.datum)
        month_only = len(termin.datum) == 7 or df["datum_genauigkeit"].iloc[pos] == "monat"
        same = (datum.year, datum.month) == (soll.year, soll.month)
        if not month_only:
            same = datum.date() == soll
        if not same:
            shown = soll.strftime("%m/%Y") if len(termin.datum) == 7 else soll.strftime("%d.%m.%Y")
            run.cell(
                ev,
                pos,
                "datum",
                f"Das Datum passt nicht zum Termin der Konfiguration ({sr.name}, Runde {runde}: "
                f"{shown})",
                erwartet=f"den Termin aus der Konfiguration ({shown})",
            )


# ---------------------------------------------------------------------------------------------
# Handlungsempfehlungen, Mentimeter
# ---------------------------------------------------------------------------------------------
def _handlungsempfehlungen(run: _Run, he: Converted, sr_erlaubt: Erlaubt, geo: _Geo | None) -> None:
    df = he.df
    df["status"] = df["status"].map(_canonical(HE_STATUS), na_action="ignore")
    run.validate_schema(
        "handlungsempfehlungen",
        he,
        {
            "sozialraum_id": sr_erlaubt,
            "status": Erlaubt(HE_STATUS, "ist kein Status", ", ".join(HE_STATUS)),
        },
    )
    lists: list[list[str]] = []
    for pos, text in enumerate(df["quartiere"]):
        ids: list[str] = []
        parts = [] if pd.isna(text) else [p.strip() for p in str(text).split(",") if p.strip()]
        for part in parts:
            if geo is None:
                break
            if part in geo.name_by_id:
                ids.append(part)
                continue
            match = geo.matcher.match(part)
            if match.ok and geo.id_of(match.name) is not None:
                qid = geo.id_of(match.name)
                ids.append(qid)
                if geo.sr_by_id.get(qid) != df["sozialraum_id"].iloc[pos]:
                    run.cell(
                        he,
                        pos,
                        "quartiere",
                        f'"{part}" liegt nicht im Sozialraum {df["sozialraum_id"].iloc[pos]}',
                        erwartet="Quartiere des Sozialraums der Handlungsempfehlung",
                        schwere="Warnung",
                    )
            else:
                run.cell(
                    he,
                    pos,
                    "quartiere",
                    f'"{part}" ist {_kein_bekannt(run)}',
                    wert=part,
                    erwartet="IDs oder Namen aus der Geometrie, mit Komma getrennt",
                    vorschlag=match.vorschlag,
                )
        lists.append(ids)
    df["quartier_ids"] = pd.Series(lists, dtype=object, index=df.index)


def _statusverlauf(run: _Run, sv: Converted, he: Converted | None) -> None:
    """Check the status history against the recommendations it belongs to.

    The history must end where ``handlungsempfehlungen`` stands: its latest row per he_id
    carries that file's status and date. Otherwise the report would show two different
    current states of one recommendation.
    """
    df = sv.df
    df["status"] = df["status"].map(_canonical(HE_STATUS), na_action="ignore")
    erlaubt = {"status": Erlaubt(HE_STATUS, "ist kein Status", ", ".join(HE_STATUS))}
    ref = _ref(_ids(he, "he_id"), "he_id", he.raw.datei) if he is not None else None
    if ref is not None:
        erlaubt["he_id"] = ref
    run.validate_schema("statusverlauf", sv, erlaubt)
    if he is None or df["status_datum"].isna().any():
        return
    current = he.df.set_index("he_id")
    latest = df.reset_index(drop=True).reset_index(names="pos")
    latest = latest.sort_values(["he_id", "status_datum"], kind="stable").groupby("he_id").tail(1)
    for row in latest.itertuples():
        if row.he_id not in current.index:
            continue
        soll_status = current.at[row.he_id, "status"]
        soll_datum = current.at[row.he_id, "status_datum"]
        if pd.isna(soll_datum):
            continue
        later = row.status_datum > soll_datum
        monat = "status_datum_genauigkeit" in current and (
            current.at[row.he_id, "status_datum_genauigkeit"] == "monat"
        )
        if monat:  # "2023-02" covers the whole month
            later = row.status_datum.to_period("M") > soll_datum.to_period("M")
        stand = soll_datum.strftime("%m/%Y" if monat else "%d.%m.%Y")
        if later:
            run.cell(
                sv,
                int(row.pos),
                "status_datum",
                f'Der Verlauf von "{row.he_id}" reicht über den Stand in {he.raw.datei} '
                f"({stand}) hinaus",
                erwartet=f"als letzten Eintrag den Stand aus {he.raw.datei}",
                hinweis=f"den neuen Status auch in {he.raw.datei} eintragen",
            )
        elif row.status != soll_status:
            run.cell(
                sv,
                int(row.pos),
                "status",
                f'Der letzte Status von "{row.he_id}" im Verlauf ist "{row.status}", in '
                f'{he.raw.datei} steht "{soll_status}"',
                erwartet=f"als letzten Eintrag den Stand aus {he.raw.datei}",
                vorschlag=soll_status,
                hinweis=f"den aktuellen Stand als eigene Zeile anfügen ({soll_status})",
            )


def _mentimeter(run: _Run, events: dict[str, Converted]) -> pd.DataFrame:
    """Feedback words from the Mentimeter exports named in the config."""
    frames = []
    ev = events.get("veranstaltungen")
    known = set(ev.df["veranstaltung_id"].dropna()) if ev is not None else None
    for m in run.cfg.eingaben.mentimeter:
        path = (run.cfg.basis / m.datei).resolve()
        datei = run.label(path)
        if known is not None and m.veranstaltung_id not in known:
            run.problem(
                run.label(run.cfg.pfad),
                f'[[eingaben.mentimeter]] nennt die Veranstaltung "{m.veranstaltung_id}", die in '
                f"{ev.raw.datei} nicht vorkommt",
                wert=m.veranstaltung_id,
                erwartet="eine veranstaltung_id aus der Veranstaltungen-Datei",
                vorschlag=closest(m.veranstaltung_id, known, 0.6),
            )
        if not path.is_file():
            run.problem(
                datei,
                "Die Datei existiert nicht",
                erwartet="ein Mentimeter-Export",
                vorschlag=nearby_file(path),
            )
            continue
        try:
            export = read_mentimeter(path)
            words, notes = mentimeter_words(export, m.frage)
        except MentimeterError as exc:
            run.problem(datei, str(exc), erwartet=f'eine Frage, die mit "{m.frage}" beginnt')
            continue
        for note in notes:
            run.problem(datei, note, schwere="Warnung")
        words = words.assign(
            veranstaltung_id=m.veranstaltung_id,
            erfunden=bool(getattr(m, "erfunden", False)),
            quelle=datei,
        )
        frames.append(words[["veranstaltung_id", "wort", "erfunden", "quelle"]])
    if not frames:
        return pd.DataFrame(
            {
                "veranstaltung_id": pd.Series([], dtype="str"),
                "wort": pd.Series([], dtype="str"),
                "erfunden": pd.Series([], dtype=bool),
                "quelle": pd.Series([], dtype="str"),
            }
        )
    return pd.concat(frames, ignore_index=True)


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
        bevoelkerung=_frame(
            run,
            "bevoelkerung",
            ["quartier_id", "jahr", "einwohner", "erfunden", "quelle"],
            ints=("jahr",),
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
