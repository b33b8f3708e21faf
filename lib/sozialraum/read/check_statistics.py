"""Validation of the statistics: population, indicators, exclusions and coverage.

The rules that need the config or the geometry besides a statistics file: missing values, the
areas that are not rated, and whether every rated area has its rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sozialraum.grammatik import gross, nomen
from sozialraum.names import closest
from sozialraum.read.adapt import GUELTIGKEIT_GRUND
from sozialraum.read.check_geometry import _Geo
from sozialraum.read.einheiten import ausschluss_zeile
from sozialraum.read.schemas import Converted
from sozialraum.read.validation_run import _Run


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
        i.id for i in run.cfg.dynamik_indikatoren if i.veraenderung == "veroeffentlicht"
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


#: A nenner more than this many times the area's population is implausible (but possible).
NENNER_FAKTOR = 2


def _nenner(run: _Run, bev: Converted | None, ind: Converted, excluded: set[str]) -> None:
    """A nenner of 0 is an error (no share exists); one far above the population a warning.

    The nenner is a part of the population (e.g. "Einwohner*innen unter 65"); 99,999,999 in an
    area of 11,615 people is a typo or a wrong column, yet a special count may be larger, so the
    analyst is told and the run goes on.
    """
    df = ind.df
    eingabe = {i.id: i.eingabe for i in run.cfg.indikatoren}
    einwohner: dict[tuple[str, int], float] = {}
    if bev is not None:
        for qid, jahr, n in zip(
            bev.df["quartier_id"], bev.df["jahr"], bev.df["einwohner"], strict=True
        ):
            if isinstance(qid, str) and not pd.isna(jahr) and not pd.isna(n):
                einwohner[(qid, int(jahr))] = float(n)
    for pos in range(len(df)):
        qid, jahr, n = df["quartier_id"].iloc[pos], df["jahr"].iloc[pos], df["nenner"].iloc[pos]
        if eingabe.get(df["indikator"].iloc[pos]) != "anzahl" or np.isnan(n) or qid in excluded:
            continue
        wert = ind.raw.df["nenner"].iloc[pos]
        if n == 0:
            run.cell(
                ind,
                pos,
                "nenner",
                "Der Nenner ist 0: ein Anteil lässt sich nicht berechnen",
                erwartet="eine ganze Zahl > 0",
                hinweis="hat das Gebiet niemanden in dieser Gruppe, es nicht bewerten: [methode] "
                f'ausgeschlossen = [{{ quartier_id = "{qid}", grund = "…" }}]',
            )
            continue
        ew = einwohner.get((qid, int(jahr))) if not pd.isna(jahr) else None
        if ew and n > NENNER_FAKTOR * ew:
            run.cell(
                ind,
                pos,
                "nenner",
                f'Der Nenner "{wert}" ist mehr als {NENNER_FAKTOR}-mal so groß wie die '
                f"Einwohnerzahl des Gebiets ({_de(ew)} im Jahr {int(jahr)})",
                erwartet="ein Nenner, der ein Teil der Bevölkerung ist",
                hinweis="Tippfehler oder eine falsche Spalte?",
                schwere="Warnung",
            )


def _de(n: float) -> str:
    return f"{n:,.0f}".replace(",", ".")


def _coverage(
    run: _Run, geo: _Geo, bev: Converted | None, ind: Converted | None, excluded: set[str]
) -> None:
    """Every rated Quartier of the geometry needs its statistics, or its index is missing."""
    cfg = run.cfg
    g = cfg.begriffe.gebiet
    gebiet = gross(nomen(g))
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
                    hinweis=_ohne_statistik(q),
                )
    if ind is not None:
        df = ind.df
        have = set(zip(df["quartier_id"], df["jahr"], df["indikator"], strict=True))
        present = set(zip(df["jahr"], df["indikator"], strict=True))
        needed_years = {cfg.methode.berichtsjahr}
        dyn = {i.id for i in cfg.dynamik_indikatoren}
        for indikator in cfg.indikatoren:
            computed = indikator.id in dyn and indikator.veraenderung == "berechnet"
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
                            hinweis=_ohne_statistik(q),
                        )


def _ohne_statistik(qid: str) -> str:
    return "hat das Gebiet keine Statistik und wird nicht bewertet: " + ausschluss_zeile(
        qid, "keine Statistik"
    )


def _vorschlaege(
    run: _Run, geo: _Geo, bev: Converted | None, ind: Converted | None, excluded: set[str]
) -> None:
    """Propose exclusions the data suggest: no inhabitants, or every value of the year 0.

    Such areas get a class from nothing (a standardised 0 is an extreme); offices leave them
    unrated. A hint, not an error: the planner decides, and the line to paste is given.
    """
    cfg = run.cfg
    g = cfg.begriffe.gebiet
    gebiet = f"{g.form('der').capitalize()} {g.name}"
    jahr = cfg.methode.berichtsjahr
    sein = "ihr" if g.genus == "f" else "sein"
    es = {"m": "er", "f": "sie", "n": "es"}[g.genus]
    gemeldet: set[str] = set()
    if bev is not None:
        df = bev.df[bev.df["jahr"] == jahr]
        for qid, n in zip(df["quartier_id"], df["einwohner"], strict=True):
            if isinstance(qid, str) and qid not in excluded and not pd.isna(n) and n == 0:
                gemeldet.add(qid)
                run.problem(
                    bev.raw.datei,
                    f'{gebiet} "{geo.name_by_id.get(qid, qid)}" (ID {qid}) hat {jahr} keine '
                    f"Einwohner*innen; {sein} Index wäre ohne Aussage",
                    spalte=bev.raw.spalte_von(None, "einwohner"),
                    wert=qid,
                    erwartet="Einwohner*innen in jedem bewerteten Gebiet",
                    hinweis="das Gebiet ausschließen: " + ausschluss_zeile(qid, "keine Einwohner"),
                    schwere="Warnung",
                )
    if ind is None:
        return
    df = ind.df[ind.df["jahr"] == jahr]
    if df.empty:
        return
    # a row says 0 when its share is 0, or its count is (the share is then 0 or undefined)
    null = pd.Series(False, index=df.index)
    for col in ("anteil", "zaehler"):
        if col in df.columns:
            null |= df[col].astype("float64").eq(0)
    zero = null.groupby(df["quartier_id"]).all()
    for qid, all_zero in zero.items():
        if not all_zero or qid in excluded or qid in gemeldet:
            continue
        run.problem(
            ind.raw.datei,
            f'{gebiet} "{geo.name_by_id.get(qid, qid)}" (ID {qid}) hat {jahr} bei jedem '
            f"Indikator den Wert 0; vermutlich wird {es} nicht bewertet",
            spalte="quartier_id",
            wert=str(qid),
            erwartet="Werte, die das Gebiet beschreiben",
            hinweis="das Gebiet ausschließen: " + ausschluss_zeile(str(qid), "alle Werte 0"),
            schwere="Warnung",
        )
