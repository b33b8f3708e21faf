"""``sozialraum init FOLDER``: a first config from a folder of a city's files.

A planner who receives a geometry and a few tables should see a first Sozialindex report before
reading any documentation. :func:`erkennen` reads the folder (:mod:`sozialraum.init_lesen`),
judges every column (:mod:`sozialraum.init_erkennen`) and decides which file plays which part;
:func:`init` writes the commented proposal ``FOLDER/sozialraum.toml``
(:mod:`sozialraum.init_toml`) and returns what was guessed and what the planner should check.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from sozialraum.init_erkennen import (
    NAME_EINHEIT,
    Einheiten,
    Erkennung,
    Indikatorvorschlag,
    Spalte,
    Tabelle,
    einheit_aus_id,
    einheit_spalten,
    einwohner_spalte,
    geo_id_spalte,
    geo_name_spalte,
    jahr_aus,
    spanne_text,
    tabelle_erkennen,
    veraenderung_zu,
    wertspalten,
    wertung_indikatoren,
)
from sozialraum.init_lesen import (
    GEOMETRIE_ENDUNGEN,
    Geometrie,
    InitFehler,
    dateien,
    lies_geometrie,
    lies_tabelle,
    metrisches_crs,
)
from sozialraum.names import normalize_header

#: Name of the proposal written into the folder.
VORSCHLAG = "sozialraum.toml"

__all__ = ["VORSCHLAG", "Erkennung", "InitFehler", "erkennen", "init"]


def erkennen(ordner: str | Path) -> Erkennung:
    """Read a folder of a city's files and decide which file and column plays which part.

    Raises
    ------
    InitFehler
        The folder does not exist, or lacks a geometry, a table with the geometry's ids or any
        numbers an index could be computed from (the message says which).
    """
    ordner = Path(ordner)
    if not ordner.is_dir():
        raise InitFehler(f"Der Ordner {ordner} existiert nicht.")
    tabellen_pfade, geo_pfade = dateien(ordner)
    if not geo_pfade:
        raise InitFehler(
            f"Im Ordner {ordner} fehlt eine Geometrie der Gebiete (gesucht: "
            + ", ".join(GEOMETRIE_ENDUNGEN)
            + "). Tipp: die Grenzen der Gebiete als Shapefile (mit .shx, .dbf, .prj), GeoJSON "
            "oder GeoPackage in den Ordner legen."
        )
    if not tabellen_pfade:
        raise InitFehler(
            f"Im Ordner {ordner} fehlt eine Tabelle mit Zahlen je Gebiet (gesucht: CSV, XLSX "
            "oder JSON). Tipp: die Indikatoren je Gebiet als CSV- oder Excel-Datei daneben legen."
        )
    geraten: list[str] = []
    quellen = []
    for pfad in tabellen_pfade:
        try:
            quellen.append(lies_tabelle(pfad))
        except InitFehler as exc:
            geraten.append(f"{pfad.name} nicht verwendet: {exc}")
    geos = [lies_geometrie(p) for p in geo_pfade]
    wahl = [(geo_id_spalte(g, quellen, nur_codes=True), g) for g in geos]
    (geo_id, wertung), geo = max(wahl, key=lambda w: w[0][1])
    if wertung == 0 and _ohne_gemeinsame_ids(geo, quellen):
        raise InitFehler(_ohne_gemeinsame_ids(geo, quellen) + "Tipp: die IDs als Text speichern.")
    if wertung == 0:  # no code matches: names may still join
        wahl = [(geo_id_spalte(g, quellen), g) for g in geos]
        (geo_id, wertung), geo = max(wahl, key=lambda w: w[0][1])
    if geo_id is None or wertung == 0:
        raise InitFehler(
            _ohne_gemeinsame_ids(geo, quellen)
            + f"Keine Tabelle im Ordner {ordner} hat eine Spalte mit den IDs der Geometrie "
            f"{geo.name} (Spalten der Geometrie: {', '.join(geo.df.columns)}). Tipp: die Tabellen "
            "brauchen eine Spalte mit denselben Gebiets-IDs wie die Geometrie, als Text "
            "geschrieben (führende Nullen wie in der Geometrie)."
        )
    geo_ids = set(geo.df[geo_id])
    tabellen = [tabelle_erkennen(q, geo_ids) for q in quellen]
    erk = _zusammenstellen(ordner, geo, geo_id, tabellen, geraten)
    for g in geos:
        if g is not geo:
            erk.geraten.append(f"Geometrie {g.name} nicht verwendet (ihre IDs passen schlechter)")
    return erk


def _ohne_gemeinsame_ids(geo: Geometrie, quellen: list) -> str:
    """A hint when ids agree once leading zeros are dropped (a number column lost them)."""

    def ohne_nullen(werte: object) -> set[str]:
        return {str(v).strip().lstrip("0") for v in werte if str(v).strip()}

    for spalte in geo.df.columns:
        ids = ohne_nullen(geo.df[spalte])
        for q in quellen:
            for c in q.df.columns:
                if len(ids) == len(geo.df) and len(ids & ohne_nullen(q.df[c])) >= 0.5 * len(ids):
                    return (
                        f"Die IDs in {geo.name} (Spalte {spalte}) und {q.name} (Spalte {c}) "
                        "stimmen nur ohne führende Nullen überein – eine Datei hat sie als Zahl "
                        "gespeichert und die Nullen verloren. "
                    )
    return ""


def _zusammenstellen(
    ordner: Path, geo: Geometrie, geo_id: str, tabellen: list[Tabelle], geraten: list[str]
) -> Erkennung:
    pruefen: list[str] = []
    kandidaten = sorted(tabellen, key=wertung_indikatoren, reverse=True)
    index_werte, klassen = _veroeffentlicht(tabellen)
    if (not kandidaten or wertung_indikatoren(kandidaten[0]) == 0) and klassen:
        kandidaten = [klassen[0][0]]  # only published classes: the index table is the table
    if not kandidaten or wertung_indikatoren(kandidaten[0]) == 0 and not klassen:
        raise InitFehler(
            f"Im Ordner {ordner} fehlt eine Tabelle mit Zahlen je Gebiet, die zur Geometrie "
            f"{geo.name} passt (Anteile in Prozent, Zähler und Nenner oder z-Werte, je Gebiet "
            f"eine Zeile mit der ID aus der Spalte {geo_id}). Gelesen: "
            + ", ".join(f"{t.quelle.name} ({len(t.zahlen)} Zahlenspalten)" for t in tabellen)
            + "."
        )
    ind = kandidaten[0]
    geo_name = geo_name_spalte(geo, geo_id)
    if geo_name is None:
        raise InitFehler(
            f"{geo.name}: Die Geometrie hat keine Spalte mit den Namen der Gebiete (nur "
            f"{', '.join(geo.df.columns)}). Tipp: im GIS eine Spalte mit den Namen ergänzen; "
            "die Berichte nennen jedes Gebiet beim Namen."
        )
    geraten.append(
        f"Geometrie: {geo.name} ({geo.format}, {len(geo.df)} Gebiete, KBS {geo.crs}); "
        f"ID-Spalte {geo_id}, Namen aus Spalte {geo_name}"
    )
    for t in tabellen:
        q = t.quelle
        text = f"{q.name}: {q.beschreibung()}"
        if t.id_spalte and t.treffer >= 0.5:
            text += f"; ID-Spalte {t.id_spalte} ({t.treffer:.0%} der Gebiete gefunden)".replace(
                "%", " %"
            )
        else:
            text += " – passt nicht zur Geometrie, nicht verwendet"
        geraten.append(text)
    jahre, berichtsjahr = _jahre(ind, pruefen)
    vorschlaege = _indikatoren(ind, berichtsjahr, jahre, pruefen)
    gegeben = None
    if not vorschlaege and (index_werte or klassen):
        gegeben = _gegebener_index(index_werte, klassen, pruefen)
        ind = gegeben[0]
    elif not vorschlaege:
        raise InitFehler(
            f"{ind.quelle.name}: keine Spalte lässt sich als Indikator lesen (erwartet: Anteile "
            "in Prozent, Zähler und Nenner oder z-Werte je Gebiet)."
        )
    mit_jahren = [i for i in vorschlaege if i.dynamik and i.veraenderung == "berechnet"]
    vergleichsjahr = jahre[-2] if mit_jahren and len(jahre) > 1 else berichtsjahr - 1
    if gegeben is not None:
        pass  # only a published index: no indicators, no change data to speak of
    elif not any(i.dynamik for i in vorschlaege):
        pruefen.append(
            "Keine Veränderungsdaten gefunden (nur ein Jahr, keine veröffentlichte Veränderung): "
            "ohne vergleichsjahr und [methode.dynamik] – die Berichte zeigen den Status, keinen "
            "Dynamikindex"
        )
    elif not mit_jahren:
        pruefen.append(
            f"Veröffentlichte Veränderungen gefunden – vergleichsjahr = {vergleichsjahr} geraten: "
            "das Jahr eintragen, seit dem die Veränderung gemessen ist"
        )
    erk = Erkennung(
        ordner=ordner,
        geo=geo,
        geo_id=geo_id,
        geo_name=geo_name,
        crs=metrisches_crs(geo),
        tabellen=tabellen,
        indikatoren=ind,
        indikatorvorschlaege=vorschlaege,
        jahre=jahre,
        berichtsjahr=berichtsjahr,
        vergleichsjahr=vergleichsjahr,
        einheiten=_einheiten(geo, geo_id, tabellen, pruefen),
        geraten=geraten,
        pruefen=pruefen,
    )
    if erk.crs != geo.crs:
        pruefen.append(f"Die Geometrie hat {geo.crs} (Grad); Karten in {erk.crs} gezeichnet")
    erk.bevoelkerung = _bevoelkerung(ind, tabellen, berichtsjahr, pruefen)
    erk.index_werte, erk.klassen, erk.gegeben = index_werte, klassen, gegeben
    if len(kandidaten) > 1 and wertung_indikatoren(kandidaten[1]) > 0:
        andere = kandidaten[1]
        pruefen.append(
            f"Indikatoren aus {ind.quelle.name} gelesen; auch {andere.quelle.name} hat "
            f"{len(andere.arten('anteil', 'anteil01'))} Anteile – prüfen: [eingaben.indikatoren] "
            "datei"
        )
    return erk


def _jahre(ind: Tabelle, pruefen: list[str]) -> tuple[list[int], int]:
    df = ind.quelle.df
    if ind.jahr_spalte and ind.jahr is None:
        jahre = sorted({j for j in (jahr_aus(v) for v in df[ind.jahr_spalte]) if j})
        return jahre, jahre[-1]
    if ind.jahr is not None:
        return [ind.jahr], ind.jahr
    breit = sorted({j for spalten in ind.jahre_breit.values() for j in spalten})
    if breit:
        if len(breit) > 1:
            pruefen.append(
                f"Jahre als Spalten erkannt ({', '.join(map(str, breit))}): heute gelesen wird "
                f"{breit[-1]}; die Veränderung aus zwei Jahren braucht eine lange Tabelle (eine "
                "Zeile je Gebiet und Jahr)"
            )
        return [breit[-1]], breit[-1]
    jahr = jahr_aus(re.sub(r"[^0-9]", " ", ind.quelle.pfad.stem))
    if jahr:
        pruefen.append(f"Kein Jahr in {ind.quelle.name}: {jahr} aus dem Dateinamen – prüfen")
        return [jahr], jahr
    jahr = dt.date.today().year - 1
    pruefen.append(f"Kein Jahr gefunden: berichtsjahr = {jahr} geraten – eintragen")
    return [jahr], jahr


def _slug(text: str, genommen: set[str]) -> str:
    basis = re.sub(r"[^a-z0-9_]+", "_", normalize_header(text)).strip("_") or "indikator"
    slug, n = basis, 2
    while slug in genommen:
        slug, n = f"{basis}_{n}", n + 1
    genommen.add(slug)
    return slug


def _indikatoren(
    ind: Tabelle, berichtsjahr: int, jahre: list[int], pruefen: list[str]
) -> list[Indikatorvorschlag]:
    if ind.lang and ind.indikator_spalte:
        return _indikatoren_lang(ind, jahre, pruefen)
    genommen: set[str] = set()
    spalten = ind.arten("anteil", "anteil01")
    aeltere = {c for js in ind.jahre_breit.values() for j, c in js.items() if j != berichtsjahr}
    spalten = [s for s in spalten if s.name not in aeltere]
    als = "Anteil in Prozent"
    stamm = {c: st for st, js in ind.jahre_breit.items() for c in js.values()}
    out = []
    for s in spalten:
        label = stamm.get(s.name, s.name)
        v = Indikatorvorschlag(
            id=_slug(label, genommen),
            label=label,
            spalten={"anteil": s.name},
            spalte=s,
            als="Anteil (0–1)" if s.art == "anteil01" else als,
        )
        d = veraenderung_zu(ind, s.name)
        if d:
            v.spalten["veraenderung"] = d
            v.veraenderung, v.dynamik = "veroeffentlicht", True
        out.append(v)
        pruefen.append(
            f"Spalte {s.name} als {v.als} gelesen (Werte {spanne_text(s)})"
            + (f", Veränderung aus Spalte {d}" if d else "")
            + " — prüfen: richtung, label"
        )
    return out


def _veroeffentlicht(tabellen: list[Tabelle]) -> tuple[list, list]:
    """Published z-values/scores and class columns of the tables that join the geometry."""
    werte, klassen = [], []
    for t in tabellen:
        if t.id_spalte and t.treffer >= 0.5 and not t.lang:
            werte += [(t, s) for s in t.arten("z")]
            klassen += [(t, s) for s in t.arten("klasse") if not NAME_EINHEIT.search(s.name)]
    return werte, klassen


def _gegebener_index(
    index_werte: list[tuple[Tabelle, Spalte]],
    klassen: list[tuple[Tabelle, Spalte]],
    pruefen: list[str],
) -> tuple[Tabelle, str, Spalte, Spalte | None]:
    """A folder with only a published index: which column the proposal takes over.

    Returns (table, ``quelle``, column, score column beside the classes). The classes are
    preferred where there are any: they are what the office published, and thresholds on the
    score would only approximate them; the score is then shown in the checks.
    """
    if klassen:
        t, sp = klassen[0]
        wert = next((s for tt, s in index_werte if tt is t), None)
        codes = ", ".join(_klassencodes(sp))
        text = (
            f"Nur ein veröffentlichter Index gefunden (keine Anteile oder Zähler und Nenner): "
            f"die Klassen aus {t.quelle.name}, Spalte {sp.name} (Werte {codes}) als quelle = "
            '"klasse" übernommen — prüfen: die Reihenfolge von klassenwerte (beste zuerst) und '
            "die labels"
        )
        if wert is not None:
            text += (
                f"; der Indexwert steht in Spalte {wert.name} (Werte {spanne_text(wert)}), "
                f'Alternative: quelle = "wert" mit spalte = "{wert.name}" und schwellen'
            )
        pruefen.append(text)
        return t, "klasse", sp, wert
    t, sp = index_werte[0]
    andere = [s.name for tt, s in index_werte if s is not sp]
    pruefen.append(
        f"Nur ein veröffentlichter Index gefunden (keine Anteile oder Zähler und Nenner): der "
        f"Indexwert aus {t.quelle.name}, Spalte {sp.name} (Werte {spanne_text(sp)}) als quelle = "
        '"wert" übernommen, Klassen bei -1 und +1 Standardabweichung — prüfen: spalte, schwellen'
        + (
            f" (weitere z-Werte: {', '.join(andere)}; als Teilindizes: teilindizes)"
            if andere
            else ""
        )
    )
    return t, "wert", sp, None


def _klassencodes(sp: Spalte) -> list[str]:
    """The published class codes in ascending order (``["1", "2", "3", "4"]``)."""
    return [str(int(v)) for v in sorted(set(sp.werte))]


def _indikatoren_lang(ind: Tabelle, jahre: list[int], pruefen: list[str]) -> list:
    df = ind.quelle.df
    werte = wertspalten(ind)
    if not werte:
        return []
    out = []
    vergleich = jahre[-2] if len(jahre) > 1 else None
    for name in sorted(df[ind.indikator_spalte].unique(), key=str):
        if not re.fullmatch(r"[a-z0-9_]+", name):
            pruefen.append(
                f'Indikator "{name}" in Spalte {ind.indikator_spalte} nicht verwendet: als id '
                "gehen nur Kleinbuchstaben, Ziffern und _ (in der Datei umbenennen)"
            )
            continue
        zeilen = df[df[ind.indikator_spalte] == name]
        gefuellt = {c: (zeilen[s].str.strip() != "").any() for c, s in werte.items()}
        eingabe = "anzahl" if gefuellt.get("zaehler") and gefuellt.get("nenner") else "anteil"
        dynamik = False
        if vergleich and ind.jahr_spalte:
            im_jahr = zeilen[zeilen[ind.jahr_spalte].map(jahr_aus) == vergleich]
            dynamik = not im_jahr.empty
        out.append(Indikatorvorschlag(id=name, label=name, eingabe=eingabe, dynamik=dynamik))
        pruefen.append(
            f'Indikator "{name}" aus Spalte {ind.indikator_spalte}: '
            + ("Zähler und Nenner" if eingabe == "anzahl" else "Anteil")
            + " — prüfen: label, richtung"
        )
    return out


def _bevoelkerung(
    ind: Tabelle, tabellen: list[Tabelle], berichtsjahr: int, pruefen: list[str]
) -> tuple[Tabelle, str] | None:
    reihenfolge = [ind] + [t for t in tabellen if t is not ind]
    for t in reihenfolge:
        if t.id_spalte is None or t.treffer < 0.5 or (t.lang and t is ind):
            continue
        if t.lang and t.indikator_spalte:
            continue
        s = einwohner_spalte(t)
        if s is None:
            continue
        pruefen.append(
            f"Einwohnerzahlen aus {t.quelle.name}, Spalte {s.name} (Werte {spanne_text(s)}) — "
            "prüfen"
        )
        return t, s.name
    pruefen.append(
        "Keine Einwohnerzahlen gefunden: mindestbevoelkerung = 0 (kein Gebiet wird wegen "
        "geringer Einwohnerzahl ausgeschlossen)"
    )
    return None


def _einheiten(
    geo: Geometrie, geo_id: str, tabellen: list[Tabelle], pruefen: list[str]
) -> Einheiten:
    ids = sorted(geo.df[geo_id])
    aus_id = einheit_aus_id(ids)
    tabelle_spalte = None
    for t in tabellen:
        if t.id_spalte and t.treffer >= 0.5 and not t.lang:
            for spalte, k in einheit_spalten(t.quelle.df, t.id_spalte):
                art = t.zahlen[spalte].art if spalte in t.zahlen else None
                if art == "klasse" and not NAME_EINHEIT.search(spalte):
                    continue  # a published class (1..k) groups areas too, but is no unit
                tabelle_spalte = (t.quelle.name, spalte, k, t.id_spalte)
                break
        if tabelle_spalte:
            break
    kandidaten = einheit_spalten(geo.df, geo_id)
    if kandidaten:
        spalte, k = kandidaten[0]
        werte = sorted(set(geo.df[spalte]), key=_natuerlich)
        namen = _einheit_namen(geo, spalte, werte)
        pruefen.append(
            f"Einheiten aus Spalte {spalte} der Geometrie ({k} Werte) — "
            + ("Namen prüfen" if namen else "Namen eintragen")
        )
        return Einheiten(spalte, werte, namen, "spalte", aus_id, tabelle_spalte)
    if aus_id:
        stellen, k = aus_id
        werte = sorted({i[:stellen] for i in ids}, key=_natuerlich)
        pruefen.append(
            f"Einheiten aus den ersten {stellen} Stellen der IDs ({k} Einheiten; die Geometrie "
            "hat dafür keine Spalte) — Namen eintragen"
        )
        return Einheiten(None, werte, {}, "id", aus_id, tabelle_spalte)
    if tabelle_spalte:
        datei, spalte, k, _ = tabelle_spalte
        t = next(t for t in tabellen if t.quelle.name == datei)
        werte = sorted({str(v) for v in t.quelle.df[spalte] if str(v).strip()}, key=_natuerlich)
        pruefen.append(
            f"Einheiten aus {datei}, Spalte {spalte} ({k} Werte; die Geometrie hat dafür keine "
            "Spalte) — Namen eintragen"
        )
        return Einheiten(None, werte, {}, "tabelle", aus_id, tabelle_spalte)
    pruefen.append(
        "Keine größere Einheit gefunden (keine Spalte der Geometrie, kein Muster in den IDs): "
        'die ganze Stadt ist ein Bericht ([einheiten] aus = "keine")'
    )
    return Einheiten(None, [], {}, "keine", aus_id, tabelle_spalte)


def _einheit_namen(geo: Geometrie, spalte: str, werte: list[str]) -> dict[str, str]:
    """Names of the units from a text column that has one value per unit."""
    for c in geo.df.columns:
        if c == spalte or c in geo.zahlen_spalten:
            continue
        paare = geo.df[[spalte, c]].drop_duplicates()
        if len(paare) == len(werte) and paare[c].nunique() == len(werte):
            if not paare[c].str.fullmatch(r"[\d\s.,-]*").all():
                return dict(zip(paare[spalte], paare[c], strict=True))
    return {}


def _natuerlich(text: str) -> tuple:
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text))


def init(ordner: str | Path) -> tuple[Path, Erkennung]:
    """Write the proposal ``FOLDER/sozialraum.toml`` and return it with what was detected.

    Raises
    ------
    InitFehler
        A proposal already exists (it is never overwritten), or :func:`erkennen` fails.
    """
    from sozialraum.init_toml import vorschlag_toml

    ordner = Path(ordner)
    ziel = ordner / VORSCHLAG
    if ziel.exists():
        raise InitFehler(
            f"{ziel} gibt es schon; init überschreibt keine Konfiguration. Tipp: die Datei "
            "umbenennen oder löschen, wenn ein neuer Vorschlag entstehen soll, oder sie mit "
            f"`sozialraum validate --config {ziel}` prüfen."
        )
    erk = erkennen(ordner)
    text = vorschlag_toml(erk)
    teil = ziel.with_name(f".{VORSCHLAG}.teil")
    try:
        teil.write_text(text, encoding="utf-8")
        os.link(teil, ziel)  # fails if the file appeared meanwhile: nothing is overwritten
    except FileExistsError as exc:
        raise InitFehler(f"{ziel} gibt es schon; init überschreibt keine Konfiguration.") from exc
    finally:
        teil.unlink(missing_ok=True)
    return ziel, erk
