"""The geometry's feature ids as corrected in the config, and each area's report unit.

Both happen on the geometry's text table, after its columns are mapped and before any value is
converted, so that every later message names the corrected id and the row the analyst finds:
:func:`korrekturen_anwenden` applies ``[eingaben.geometrie] korrekturen``,
:func:`einheiten_zuordnen` fills ``sozialraum_id`` as ``[einheiten]`` says (a geometry column, a
mapping table, the area id, or one unit for the whole city), and :func:`einheiten_pruefen`
reports areas whose unit is not configured and units without areas.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from sozialraum.config_einheiten import einheit_aus_id
from sozialraum.read.adapt import _find, _missing_column
from sozialraum.read.io import read_table
from sozialraum.read.problems import ReadError
from sozialraum.read.schemas import Converted
from sozialraum.read.tables import RawTable
from sozialraum.read.validation_run import _de_int, _Run

#: Shown instead of a column header where the unit does not come from a column of the file.
_HERKUNFT = {
    "id": "sozialraum_id (aus der ID abgeleitet, [einheiten])",
    "tabelle": "sozialraum_id (aus der Zuordnungstabelle, [einheiten] tabelle)",
    "keine": 'sozialraum_id ([einheiten] aus = "keine")',
}


def _gebiet(run: _Run) -> str:
    g = run.cfg.begriffe.gebiet
    return f"{g.form('der').capitalize()} {g.name}"


def korrekturen_anwenden(run: _Run, raw: RawTable) -> RawTable:
    """The geometry's table with the declared id corrections applied; problems go to ``run``.

    A correction names the feature by the row number validate reports and the id it has in the
    file: if the file no longer has that id there (a new edition), the correction is refused
    rather than applied to the wrong area.
    """
    korrekturen = run.cfg.eingaben.geometrie.korrekturen
    if not korrekturen or "quartier_id" not in raw.df.columns:
        return raw
    df = raw.df.copy()
    spalte = raw.spalten.get("quartier_id", "quartier_id")
    for nr, k in enumerate(korrekturen, 1):
        key = f"[eingaben.geometrie] korrekturen Nr. {nr} (merkmal = {k.merkmal})"
        if k.merkmal not in raw.zeilen:
            run.problem(
                raw.datei,
                f"{key}: die Geometrie hat kein Objekt mit dieser Nummer",
                erwartet=f"eine Nummer von 2 bis {_de_int(len(raw.zeilen) + 1)}, wie validate "
                "sie als Zeile nennt",
            )
            continue
        pos = raw.zeilen.index(k.merkmal)
        hat = df["quartier_id"].iloc[pos].strip()
        if hat != k.id.strip():
            run.problem(
                raw.datei,
                f'{key}: das Objekt hat die ID "{hat}", nicht "{k.id}"; die Korrektur wird nicht '
                "angewandt",
                zeile=k.merkmal,
                spalte=spalte,
                wert=hat,
                erwartet=f'die ID "{k.id}" in Zeile {k.merkmal}, wie in der Korrektur angegeben',
                hinweis="hat sich die Geometrie geändert? Die Korrektur prüfen oder entfernen",
            )
            continue
        df.iloc[pos, df.columns.get_loc("quartier_id")] = k.neue_id.strip()
    return replace(raw, df=df)


def einheiten_zuordnen(run: _Run, raw: RawTable) -> tuple[RawTable, set[int]]:
    """The geometry's table with ``sozialraum_id`` filled as ``[einheiten]`` says.

    Returns
    -------
    The table, and the positions whose unit could not be found (already reported, so that the
    schema check does not report them a second time).
    """
    e = run.cfg.einheiten
    if e.aus == "geometrie" or "quartier_id" not in raw.df.columns:
        return raw, set()
    ids = raw.df["quartier_id"].str.strip()
    failed: set[int] = set()
    if e.aus == "keine":
        units = pd.Series(run.cfg.sozialraeume[0].id, index=raw.df.index, dtype="str")
    elif e.aus == "id":
        derived = [einheit_aus_id(e, qid) if qid else "" for qid in ids]
        for pos, (qid, unit) in enumerate(zip(ids, derived, strict=True)):
            if qid and unit is None:
                failed.add(pos)
                _not_derived(run, raw, pos, qid)
        units = pd.Series([u or "" for u in derived], index=raw.df.index, dtype="str")
    else:
        mapping = _zuordnung(run)
        if mapping is None:
            return raw, set(range(len(raw.df)))
        datei, by_id = mapping
        for pos, qid in enumerate(ids):
            if qid and qid not in by_id:
                failed.add(pos)
                run.problem(
                    raw.datei,
                    f'{_gebiet(run)} "{qid}" ("{_name(raw, pos)}") fehlt in der '
                    f"Zuordnungstabelle {datei}",
                    zeile=raw.zeilen[pos],
                    spalte=raw.spalten.get("quartier_id", "quartier_id"),
                    wert=qid,
                    erwartet=f"eine Zeile je {run.cfg.begriffe.gebiet.name} der Geometrie mit "
                    "quartier_id und sozialraum_id",
                    hinweis=f'in {datei} eine Zeile für "{qid}" ergänzen',
                )
        geo_ids = set(ids)
        for qid, (_, zeile) in by_id.items():
            if qid not in geo_ids:
                run.problem(
                    datei,
                    f'"{qid}" steht in der Zuordnungstabelle, aber nicht in der Geometrie '
                    f"{raw.datei}; die Zeile wird nicht verwendet",
                    zeile=zeile,
                    wert=qid,
                    erwartet="nur IDs der Geometrie",
                    schwere="Warnung",
                )
        units = pd.Series([by_id.get(q, ("", 0))[0] for q in ids], index=raw.df.index, dtype="str")
    df = raw.df.copy()
    df["sozialraum_id"] = units.to_numpy()
    spalten = {**raw.spalten, "sozialraum_id": _HERKUNFT[e.aus]}
    return replace(raw, df=df, spalten=spalten), failed


def _name(raw: RawTable, pos: int) -> str:
    return raw.df["quartier"].iloc[pos] if "quartier" in raw.df.columns else "?"


def _not_derived(run: _Run, raw: RawTable, pos: int, qid: str) -> None:
    e = run.cfg.einheiten
    einheit = run.cfg.begriffe.einheit.name
    if e.stellen is not None:
        erwartet = f"eine ID mit mindestens {e.stellen} Zeichen"
        hinweis = "[einheiten] stellen prüfen, oder die ID mit einer Korrektur berichtigen"
    else:
        erwartet = f'eine ID, in der das Muster "{e.muster}" eine Gruppe findet'
        hinweis = "[einheiten] muster prüfen (z. B. auf regex101.com mit dieser ID testen)"
    run.problem(
        raw.datei,
        f'Aus der ID "{qid}" ("{_name(raw, pos)}") lässt sich kein {einheit} ableiten '
        f"({e.beschreibung()})",
        zeile=raw.zeilen[pos],
        spalte=raw.spalten.get("quartier_id", "quartier_id"),
        wert=qid,
        erwartet=erwartet,
        hinweis=hinweis,
    )


def _zuordnung(run: _Run) -> tuple[str, dict[str, tuple[str, int]]] | None:
    """Area id → (unit id, row) from the mapping table; None if it cannot be used."""
    spec = run.cfg.einheiten.tabelle
    assert spec is not None  # guaranteed by the config model for aus = "tabelle"
    path = (run.cfg.basis / spec.datei).resolve()
    datei = run.label(path)
    key = "[einheiten] tabelle spalten"
    try:
        raw = read_table(path, datei, expected_columns=["quartier_id", "sozialraum_id"])
    except ReadError as exc:
        run.problems.append(exc.problem)
        return None
    run.add(raw.probleme)
    cols: dict[str, str] = {}
    for contract in ("quartier_id", "sozialraum_id"):
        header = spec.spalten.get(contract, contract)
        col = _find(raw, header)
        if col is None:
            run.add([_missing_column(raw, header, f'für "{contract}"', key)])
        else:
            cols[contract] = col
    if len(cols) < 2:
        return None
    by_id: dict[str, tuple[str, int]] = {}
    for pos in range(len(raw.df)):
        qid = raw.df[cols["quartier_id"]].iloc[pos].strip()
        unit = raw.df[cols["sozialraum_id"]].iloc[pos].strip()
        zeile = raw.zeilen[pos]
        if not qid:
            continue
        if not unit:
            run.problem(
                datei,
                f'Für "{qid}" fehlt die Einheit',
                zeile=zeile,
                spalte=raw.spalten.get(cols["sozialraum_id"], cols["sozialraum_id"]),
                erwartet=f"die ID der Einheit ({run.cfg.begriffe.einheit.name})",
            )
            continue
        if qid in by_id and by_id[qid][0] != unit:
            first, frow = by_id[qid]
            run.problem(
                datei,
                f'"{qid}" ist hier "{unit}" zugeordnet, in Zeile {frow} aber "{first}"',
                zeile=zeile,
                spalte=raw.spalten.get(cols["sozialraum_id"], cols["sozialraum_id"]),
                wert=unit,
                erwartet=f"eine Einheit je {run.cfg.begriffe.gebiet.name}",
            )
            continue
        by_id.setdefault(qid, (unit, zeile))
    return datei, by_id


def einheiten_pruefen(run: _Run, conv: Converted, failed: set[int]) -> None:
    """Areas whose unit is not configured, and configured units without any area.

    In every mode but ``"geometrie"`` the unit is derived, so the message says how it was derived
    and which areas carry it, once per unknown unit rather than once per area; a unit without
    areas would give an empty report.
    """
    cfg = run.cfg
    e = cfg.einheiten
    b = cfg.begriffe
    df = conv.df
    known = {s.id for s in cfg.sozialraeume}
    for pos in failed:
        conv.bad.add((pos, "sozialraum_id"))
    if e.aus != "geometrie":
        unknown: dict[str, list[int]] = {}
        for pos, unit in enumerate(df["sozialraum_id"]):
            if pos in failed or pd.isna(unit) or unit in known:
                continue
            unknown.setdefault(str(unit), []).append(pos)
            conv.bad.add((pos, "sozialraum_id"))
        for unit, rows in unknown.items():
            shown = ", ".join(f'"{df["quartier_id"].iloc[p]}"' for p in rows[:5])
            more = f" und {_de_int(len(rows) - 5)} weitere" if len(rows) > 5 else ""
            if e.namen is not None:
                erwartet = f"eine ID aus der Namenstabelle {e.namen.datei}"
                hinweis = f'in {e.namen.datei} eine Zeile für "{unit}" ergänzen'
            else:
                erwartet = "eine id aus [[sozialraeume]]: " + ", ".join(
                    f"{s.id} ({s.name})" for s in cfg.sozialraeume
                )
                hinweis = (
                    f'[[sozialraeume]] id = "{unit}", name = "…", slug = "…" ergänzen, oder '
                    "[einheiten] prüfen"
                )
            gebiete = b.gebiet.name if len(rows) == 1 else b.gebiet.mehrzahl
            run.problem(
                conv.raw.datei,
                f'{b.einheit.name} "{unit}" ({e.beschreibung()}) ist nicht konfiguriert; '
                f"betrifft {_de_int(len(rows))} {gebiete}: {shown}{more}",
                zeile=conv.zeile(rows[0]),
                spalte=conv.raw.spalte_von(rows[0], "sozialraum_id"),
                wert=unit,
                erwartet=erwartet,
                hinweis=hinweis,
            )
    used = set(df["sozialraum_id"].dropna().astype(str))
    for s in cfg.sozialraeume:
        if s.id in used:
            continue
        run.problem(
            run.label(cfg.pfad),
            f'{b.einheit.form("der").capitalize()} {b.einheit.name} "{s.id}" ({s.name}) hat '
            f"{b.gebiet.form('kein')} {b.gebiet.name} in der Geometrie {conv.raw.datei} "
            f"({e.beschreibung()})",
            spalte="[[sozialraeume]] id" if e.namen is None else f"{e.namen.datei}",
            wert=s.id,
            erwartet=f"mindestens {b.gebiet.form('kein')[1:]} {b.gebiet.name} je {b.einheit.name}",
            hinweis=f"{b.einheit.form('den')} {b.einheit.name} entfernen oder die Zuordnung der "
            f"{b.gebiet.mehrzahl} prüfen",
        )


def ausschluss_zeile(quartier_id: str, grund: str) -> str:
    """The config line that leaves one area out of the index, ready to paste."""
    return f'[methode] ausgeschlossen = [{{ quartier_id = "{quartier_id}", grund = "{grund}" }}]'


def korrektur_zeile(merkmal: int, alt: str, neu: str = "…") -> str:
    """The config line that fixes one feature's id, ready to paste."""
    return (
        f'[eingaben.geometrie] korrekturen = [{{ merkmal = {merkmal}, id = "{alt}", '
        f'neue_id = "{neu}", grund = "…" }}]'
    )


def doppelte_ids(run: _Run, conv: Converted) -> list[tuple[int, str, str]]:
    """Features whose id an earlier feature already has: (row, id, name) of each repetition.

    The schema check's "Doppelter Wert" message about each of them gets the correction line as
    its hint, so that the analyst can fix the id in the config instead of in the file.
    """
    df = conv.df
    if df is None or "quartier_id" not in df.columns:
        return []
    dup = df["quartier_id"].notna() & df["quartier_id"].duplicated()
    out = [
        (conv.zeile(int(pos)), str(df["quartier_id"].iloc[pos]), str(df["quartier"].iloc[pos]))
        for pos in dup[dup].index
    ]
    by_row = {zeile: qid for zeile, qid, _ in out}
    spalte = conv.raw.spalte_von(None, "quartier_id")
    for n, p in enumerate(run.problems):
        if (
            p.datei == conv.raw.datei
            and p.zeile in by_row
            and p.spalte == spalte
            and p.meldung.startswith("Doppelter Wert")
        ):
            run.problems[n] = replace(
                p,
                hinweis="gehört die Fläche zu einer anderen ID, in der Konfiguration berichtigen: "
                + korrektur_zeile(p.zeile, by_row[p.zeile]),
            )
    return out
