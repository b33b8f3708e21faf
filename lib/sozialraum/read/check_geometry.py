"""Validation of the geometry and of the Quartiere that other inputs name.

The geometry is the authority on areas: its polygons are checked (type, overlaps, gaps), and the
statistics files' quartier_id, name and sozialraum_id are resolved against it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sozialraum.grammatik import gross, nomen, zu
from sozialraum.names import NameMatcher, closest, normalize_name
from sozialraum.read.adapt import adapt
from sozialraum.read.einheiten import (
    ausschluss_zeile,
    doppelte_ids,
    einheiten_pruefen,
    einheiten_zuordnen,
    korrektur_zeile,
    korrekturen_anwenden,
)
from sozialraum.read.geometry import read_geometry
from sozialraum.read.problems import ReadError, eingabe_pfad
from sozialraum.read.schemas import SCHEMAS, Converted, Erlaubt, convert
from sozialraum.read.tables import RawTable
from sozialraum.read.validation_run import _de_int, _Run


@dataclass
class _Geo:
    ids: list[str]
    name_by_id: dict[str, str]
    sr_by_id: dict[str, str]
    matcher: NameMatcher
    datei: str
    ids_by_name: dict[str, list[str]] = field(default_factory=dict)
    doppelt: list[tuple[int, str, str]] = field(default_factory=list)
    """Features whose id an earlier feature has: (row, id, name)."""

    def id_of(self, name: str) -> str | None:
        """The id of the area called ``name``, None if several areas share that name."""
        ids = self.ids_by_name.get(name, [])
        return ids[0] if len(ids) == 1 else None


def _geometry(run: _Run, sr_erlaubt: Erlaubt) -> tuple[Any, _Geo | None]:
    cfg = run.cfg
    path = eingabe_pfad(cfg, "geometrie")
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
    raw = korrekturen_anwenden(run, raw)
    raw, failed = einheiten_zuordnen(run, raw)
    conv = convert(raw, SCHEMAS["geometrie"])
    run.add(conv.problems)
    if conv.df is None:
        return None, None
    einheiten_pruefen(run, conv, failed)
    derived = cfg.einheiten.aus != "geometrie"  # unknown units are reported by einheiten_pruefen
    run.validate_schema("geometrie", conv, None if derived else {"sozialraum_id": sr_erlaubt})
    doppelt = doppelte_ids(run, conv)
    bad_geom = (  # missing and empty geometries are reported by read_geometry
        ~gdf.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
        & gdf.geometry.notna().to_numpy()
    )
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
    with warnings.catch_warnings():  # shapely's overflow warnings for far-off coordinates
        warnings.simplefilter("ignore")
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
        doppelt=doppelt,
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
            elif (twin := _doppelt(geo, name)) is not None:
                zeile, dup_id = twin
                run.cell(
                    conv,
                    pos,
                    "quartier_id",
                    f'{_der(run)} "{qid}" ("{name}") fehlt in der Geometrie {geo.datei}; '
                    f'"{name}" steht in der Geometrie doppelt unter der ID "{dup_id}" (Zeile '
                    f'{zeile}), vermutlich gehört die zweite Fläche zu "{qid}"',
                    erwartet="eine quartier_id aus der Geometrie",
                    hinweis="Korrektur: " + korrektur_zeile(zeile, dup_id, qid),
                )
            elif qid in {a.quartier_id for a in run.cfg.methode.ausgeschlossen}:
                shown = f' ("{name}")' if name else ""
                run.cell(
                    conv,
                    pos,
                    "quartier_id",
                    f'{_der(run)} "{qid}"{shown} fehlt in der Geometrie {geo.datei} und ist in '
                    "[methode] ausgeschlossen; die Zeile wird nicht verwendet",
                    erwartet="eine quartier_id aus der Geometrie",
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
                    hinweis="hat das Gebiet keine Fläche und wird nicht bewertet: "
                    + ausschluss_zeile(qid, "ohne Geometrie"),
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


def _doppelt(geo: _Geo, name: str | None) -> tuple[int, str] | None:
    """Row and id of a repeated feature that carries ``name`` (the copy of a missing area)."""
    if not name:
        return None
    key = normalize_name(name)
    for zeile, qid, dup_name in geo.doppelt:
        if normalize_name(dup_name) == key:
            return zeile, qid
    return None


def _sozialraum_spalte(
    run: _Run, conv: Converted, geo: _Geo, sr_erlaubt: Erlaubt, skip: set[int]
) -> None:
    """An optional ``sozialraum_id`` column in a statistics file must agree with the geometry.

    The column lets an analyst filter a Sozialraum in Excel; the geometry stays the authority,
    so a value that says otherwise is an error (the sums in Excel would not match the report).
    """
    if "sozialraum_id" not in conv.raw.df.columns:
        return
    e = run.cfg.begriffe.einheit
    einheit = e.name
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
            f'{einheit} "{text}" passt nicht zur Geometrie: {ort} gehört in {geo.datei} {zu(e)} '
            f"{soll_text}",
            erwartet=f"die sozialraum_id aus der Geometrie {geo.datei} (oder die Spalte leer "
            "lassen)",
            vorschlag=soll,
            hinweis=f"die Zuordnung in {geo.datei} prüfen, falls dort die Angabe falsch ist",
        )


def _der(run: _Run) -> str:
    g = run.cfg.begriffe.gebiet
    return gross(nomen(g))


def _kein_bekannt(run: _Run) -> str:
    """The gendered phrase: "kein bekanntes Sozialquartier", "kein bekannter Planungsraum"."""
    g = run.cfg.begriffe.gebiet
    return nomen(g, art="kein", adjektiv="bekannt")


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
