"""Map a table as the statistics office publishes it onto the data contract, by configuration.

Real cities publish their own layouts: their own column names (``PLR_ID``), wide tables with one
column per indicator, sentinels such as ``-9999`` for "no value", a validity column with the
reason why an area is not rated (Berlin's ``KOM``), no year column because the file is one
edition. The config's ``[eingaben]`` entry (:class:`~sozialraum.config.Tabelle`) says how to read
each file; this module turns the text table into the contract's long layout *before* any value
is converted, so that every later message still names the row and the column header the analyst
finds in the file. The files themselves are never changed.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from sozialraum.config import Config
from sozialraum.config_eingaben import Tabelle
from sozialraum.names import closest, normalize_header
from sozialraum.read.problems import Problem
from sozialraum.read.tables import RawTable

#: Column added to an adapted table: the validity column's text where an area is not valid.
GUELTIGKEIT_GRUND = "gueltigkeit_grund"

#: Contract columns of the long indicator table that a wide table's cells move into.
_WERTSPALTEN = ("anteil", "zaehler", "nenner", "veraenderung")


def _find(raw: RawTable, header: str) -> str | None:
    """Normalised column of ``raw`` holding the file's ``header`` (exact or normalised)."""
    key = normalize_header(header)
    if key in raw.df.columns:
        return key
    for norm, original in raw.spalten.items():
        if original.strip() == header.strip() and norm in raw.df.columns:
            return norm
    return None


def _missing_column(raw: RawTable, header: str, wozu: str, key: str) -> Problem:
    # the file's own headers (not the contract names an earlier step added for messages)
    found = [h for n, h in raw.spalten.items() if n == normalize_header(h)]
    near = closest(header, found, cutoff=0.6)
    return Problem(
        raw.datei,
        f'Die Spalte "{header}" ({wozu}, laut Konfiguration {key}) fehlt in der Datei',
        zeile=1,
        spalte=header,
        erwartet="eine Spalte dieses Namens; gefunden: " + ", ".join(f'"{f}"' for f in found),
        vorschlag=near,
    )


def adapt(raw: RawTable, spec: Tabelle, cfg: Config, name: str) -> tuple[RawTable, list[Problem]]:
    """The contract's view of ``raw`` as configured by ``spec``; problems if the layout differs.

    Steps, in this order: rename the configured columns to the contract's names; remember the
    validity column's reason for invalid areas (:data:`GUELTIGKEIT_GRUND`); add the configured
    year; blank the declared missing-value markers and remember those cells
    (``RawTable.fehlend``); for a wide indicator table, one row per area and indicator.
    """
    key = f"[eingaben.{name}]"
    problems: list[Problem] = []
    df = raw.df.copy()
    spalten = dict(raw.spalten)

    rename: dict[str, str] = {}
    for contract, header in spec.spalten.items():
        col = _find(raw, header)
        if col is None:
            problems.append(_missing_column(raw, header, f'für "{contract}"', f"{key} spalten"))
            continue
        rename[col] = contract
    # A file column that already carries a contract name gives way to the configured one.
    clash = [c for c in rename.values() if c in df.columns and c not in rename]
    df = df.drop(columns=clash).rename(columns=rename)
    for col, contract in rename.items():
        spalten[contract] = raw.spalten.get(col, col)

    if spec.gueltigkeit is not None:
        col = _find(raw, spec.gueltigkeit.spalte)
        if col is None:
            problems.append(
                _missing_column(raw, spec.gueltigkeit.spalte, "Gültigkeit", f"{key} gueltigkeit")
            )
        else:
            col = rename.get(col, col)
            gueltig = {g.strip() for g in spec.gueltigkeit.gueltig}
            text = df[col].str.strip()
            # An empty cell says nothing against the area: only a stated reason excludes it.
            df[GUELTIGKEIT_GRUND] = text.where(~text.isin(gueltig), "")

    if spec.jahr is not None:
        if "jahr" in df.columns:
            problems.append(
                Problem(
                    raw.datei,
                    f"Die Konfiguration gibt jahr = {spec.jahr} an, die Datei hat aber selbst "
                    f'eine Spalte "{spalten.get("jahr", "jahr")}"',
                    zeile=1,
                    spalte=spalten.get("jahr", "jahr"),
                    erwartet=f"entweder {key} jahr oder eine Jahresspalte, nicht beides",
                )
            )
        else:
            df["jahr"] = str(spec.jahr)
            spalten["jahr"] = f"jahr (Konfiguration: {spec.jahr})"

    out = replace(raw, df=df.reset_index(drop=True), spalten=spalten, fehlend=set(raw.fehlend))
    if name == "indikatoren" and spec.form == "breit":
        out, more = _melt(out, cfg, key)
        problems.extend(more)
    _blank_markers(out, spec.fehlwerte, skip={GUELTIGKEIT_GRUND})
    return out, problems


def _blank_markers(raw: RawTable, markers: list[str], skip: set[str]) -> None:
    """Blank every declared missing-value marker in place and remember where it stood."""
    if not markers:
        return
    wanted = {m.strip() for m in markers}
    for col in raw.df.columns:
        if col in skip:
            continue
        values = raw.df[col]
        hit = values.str.strip().isin(wanted)
        if not hit.any():
            continue
        for pos in hit[hit].index:
            raw.fehlend.add((int(pos), col))
        raw.df.loc[hit, col] = ""


def _melt(raw: RawTable, cfg: Config, key: str) -> tuple[RawTable, list[Problem]]:
    """One row per area and indicator from a table with one column per indicator.

    Excel row numbers repeat (an area's row holds all its indicators), and every moved cell keeps
    the header it had in the file, so that a bad value is reported as "Zeile 7, Spalte S3".
    """
    problems: list[Problem] = []
    df = raw.df
    if "indikator" in df.columns:
        problems.append(
            Problem(
                raw.datei,
                'Die Tabelle hat eine Spalte "indikator", die Konfiguration sagt aber form = '
                '"breit" (eine Spalte je Indikator)',
                zeile=1,
                spalte=raw.spalten.get("indikator", "indikator"),
                erwartet='form = "lang" für eine Zeile je Gebiet, Jahr und Indikator',
            )
        )
        return raw, problems
    columns: dict[str, dict[str, str]] = {}
    for ind in cfg.indikatoren:
        found: dict[str, str] = {}
        for what, header in ind.spalten.items():
            col = _find(raw, header)
            if col is None:
                problems.append(
                    _missing_column(
                        raw,
                        header,
                        f'{_was(what)} des Indikators "{ind.id}"',
                        f"[[indikatoren]] {ind.id} spalten.{what}",
                    )
                )
                continue
            found[what] = col
        columns[ind.id] = found
    if problems:
        return raw, problems

    keep = [c for c in df.columns if c not in {c for f in columns.values() for c in f.values()}]
    parts = []
    herkunft: dict[tuple[int, str], str] = {}
    zeilen: list[int] = []
    n = len(df)
    for k, ind in enumerate(cfg.indikatoren):
        part = df[keep].copy()
        part["indikator"] = ind.id
        for what in _WERTSPALTEN:
            col = columns[ind.id].get(what)
            part[what] = df[col].to_numpy() if col else ""
            if col:
                header = raw.spalten.get(col, col)
                for pos in range(n):
                    herkunft[(k * n + pos, what)] = header
        parts.append(part)
        zeilen.extend(raw.zeilen)
    long = pd.concat(parts, ignore_index=True) if parts else df.iloc[0:0]
    spalten = {c: raw.spalten.get(c, c) for c in keep}
    spalten["indikator"] = "indikator (Konfiguration: eine Spalte je Indikator)"
    for what in _WERTSPALTEN:
        spalten[what] = what
    return (
        replace(raw, df=long, zeilen=zeilen, spalten=spalten, herkunft=herkunft),
        problems,
    )


def _was(what: str) -> str:
    return {
        "anteil": "Anteil",
        "zaehler": "Zähler",
        "nenner": "Nenner",
        "veraenderung": "veröffentlichte Veränderung",
    }[what]
