"""The commented proposal ``sozialraum.toml`` that ``sozialraum init`` writes.

Written from an :class:`~sozialraum.init.Erkennung` alone, so that it validates and renders as it
stands; every key has a comment saying what it means and which alternatives exist, and what was
guessed is marked „prüfen“. One small function per choice (``_einheiten_quelle``,
``_index_quelle``, ``_json_datensaetze``, ``_ohne_dynamik``) keeps each decision in one place.
"""

from __future__ import annotations

import json
import re

from sozialraum.init_erkennen import (
    Erkennung,
    Tabelle,
    spanne_text,
    wertspalten,
)


def s(text: object) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(str(text), ensure_ascii=False)


def _liste(werte: list) -> str:
    return "[" + ", ".join(s(w) if isinstance(w, str) else str(w) for w in werte) + "]"


def _tabelle(spalten: dict[str, str]) -> str:
    return "{ " + ", ".join(f"{k} = {s(v)}" for k, v in spalten.items()) + " }"


def _slug(text: str, genommen: set[str]) -> str:
    basis = re.sub(r"[^a-z0-9]+", "-", _lesbar(text)).strip("-")
    basis = basis or "einheit"
    slug, n = basis, 2
    while slug in genommen:
        slug, n = f"{basis}-{n}", n + 1
    genommen.add(slug)
    return slug


def _lesbar(text: str) -> str:
    """Lower case with umlauts spelled out (``Süd`` → ``sued``), for file names."""
    out = str(text).casefold()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        out = out.replace(a, b)
    return out


def vorschlag_toml(erk: Erkennung) -> str:
    """The whole proposal: every section with a comment on what it means and the alternatives."""
    teile = [
        _kopf(erk),
        _stadt(erk),
        _einheiten(erk),
        _indikatoren(erk),
        _methode(erk),
        _eingaben(erk),
        _bericht(),
    ]
    return "\n".join(teile)


def _kopf(erk: Erkennung) -> str:
    zeilen = [
        "# Vorschlag von `sozialraum init` – aus den Dateien dieses Ordners erraten.",
        "# Er ist gültig und erzeugt so, wie er ist, einen ersten Bericht:",
        "#   sozialraum validate --config sozialraum.toml",
        "#   sozialraum render --config sozialraum.toml",
        "# Jede Zeile ist kommentiert; „prüfen“ markiert, was geraten ist. Pfade gelten relativ",
        "# zu dieser Datei. Alle Schlüssel: docs/konfiguration.md und data/README.md.",
        "#",
        "# Was init gelesen hat:",
    ]
    zeilen += [f"#   {g}" for g in erk.geraten]
    zeilen += ["#", "# Bitte prüfen:"] + [f"#   - {p}" for p in erk.pruefen]
    return "\n".join(zeilen) + "\n"


def _stadt(erk: Erkennung) -> str:
    name = erk.ordner.resolve().name.replace("_", " ").replace("-", " ").strip().title()
    return f"""[stadt]
name = {s(name or "Stadt")}  # prüfen: der Name der Stadt, wie ihn die Berichte nennen
crs = {s(erk.crs)}  # Koordinatenbezugssystem der Karten (metrisch); die Geometrie hat {erk.geo.crs}
geometrie_version = {s(f"{erk.geo.name} ({len(erk.geo.df)} Gebiete)")}  # prüfen: Stand der Grenzen
# herausgeber = "…"      # steht auf jeder Seite
# quellenangabe = "…"    # Namensnennung, wenn die Datenlizenz sie verlangt
# [begriffe] einheit/gebiet/index: die Wörter der Stadt (Vorgabe Sozialraum, Sozialquartier,
# Sozialindex), z. B.  einheit = {{ name = "Bezirk", mehrzahl = "Bezirke", genus = "m" }}
"""


def _einheiten(erk: Erkennung) -> str:
    e = erk.einheiten
    zeilen = ["# --- Berichtseinheiten: je Einheit ein Bericht " + "-" * 40]
    zeilen += _einheiten_quelle(erk)
    if e.art != "keine":
        zeilen += ["# name: so heißt der Bericht; slug: der Dateiname (a-z, 0-9, -)."]
    genommen: set[str] = set()
    for i in e.ids:
        name = e.namen.get(i) or i  # the report says "<Einheit> <name>": "Sozialraum 01"
        kommentar = "" if e.namen.get(i) else "  # prüfen: Namen eintragen"
        zeilen += [
            "",
            "[[sozialraeume]]",
            f"id = {s(i)}",
            f"name = {s(name)}{kommentar}",
            f"slug = {s(_slug(name if e.namen.get(i) else f'sozialraum-{i}', genommen))}",
        ]
    return "\n".join(zeilen) + "\n"


def _einheiten_quelle(erk: Erkennung) -> list[str]:
    """Where each area's unit comes from: ``[einheiten]``, with the alternatives as comments."""
    e = erk.einheiten
    alternativen = [
        '# Andere Wege ([einheiten] aus = …): "geometrie" (eine Spalte der Geometrie), "id"',
        '# (stellen = N: die ersten N Stellen der ID), "tabelle" (eine Zuordnungstabelle Gebiet →',
        '# Einheit) oder "keine" (die ganze Stadt ist ein Bericht).',
    ]
    if e.art == "spalte":
        return [
            f"# Die Gebiete gehören zu der Einheit in Spalte {e.spalte} der Geometrie (siehe",
            "# [eingaben.geometrie] spalten.sozialraum_id).",
            *alternativen,
        ]
    out = [*alternativen, "[einheiten]"]
    if e.art == "id":
        out += ['aus = "id"', f"stellen = {e.aus_id[0]}  # die ersten Stellen der ID = Einheit"]
    elif e.art == "tabelle":
        datei, spalte, _, id_spalte = e.tabelle_spalte
        spalten = _tabelle({"quartier_id": id_spalte, "sozialraum_id": spalte})
        out += ['aus = "tabelle"', f"tabelle = {{ datei = {s(datei)}, spalten = {spalten} }}"]
    else:
        out += ['aus = "keine"  # ein Bericht für die ganze Stadt und die Startseite']
    return out


def _indikatoren(erk: Erkennung) -> str:
    zeilen = [
        "# --- Indikatoren des Index " + "-" * 60,
        "# Je Indikator: id (a-z, 0-9, _), label (lang) und kurz (für Tabellen und Karten);",
        "# richtung = 1: ein höherer Wert heißt mehr Benachteiligung, -1: das Gegenteil.",
        '# eingabe = "anteil" (veröffentlichter Anteil) oder "anzahl" (Zähler und Nenner).',
        "# status/dynamik = false: der Indikator geht nicht in den Status- bzw. Dynamikindex ein.",
    ]
    zeilen += _index_quelle(erk)
    if erk.gegeben is not None:
        return "\n".join(zeilen) + "\n"
    breit = not erk.indikatoren.lang
    for v in erk.indikatorvorschlaege:
        zeilen += ["", "[[indikatoren]]", f"id = {s(v.id)}", f"label = {s(v.label)}  # prüfen"]
        zeilen.append(f"kurz = {s(v.label[:30].strip())}")
        if v.spalte is not None:
            zeilen.append(
                f"# gelesen als {v.als}, Werte {spanne_text(v.spalte)}; Alternative: eingabe = "
                '"anzahl" mit spalten = { zaehler = …, nenner = … }'
            )
        zeilen.append(f"eingabe = {s(v.eingabe)}")
        zeilen.append("richtung = 1  # prüfen: richtung")
        if breit:
            zeilen.append(f"spalten = {_tabelle(v.spalten)}")
        if v.veraenderung == "veroeffentlicht":
            zeilen.append(
                'veraenderung = "veroeffentlicht"  # die Veränderung steht in spalten.veraenderung'
            )
        if not v.dynamik and erk.mit_dynamik:
            zeilen.append("dynamik = false  # keine Veränderungsdaten für diesen Indikator")
    return "\n".join(zeilen) + "\n"


def _index_quelle(erk: Erkennung) -> list[str]:
    """Later keys ``quelle = "wert"/"klasse"`` of ``[methode.status]``: today a comment."""
    out = []
    for was, gefunden in (
        ("z-Werte (Mittel ≈ 0, Streuung ≈ 1)", erk.index_werte),
        ("Klassen (kleine ganze Zahlen 1..k)", erk.klassen),
    ):
        je_datei: dict[str, list[str]] = {}
        for t, sp in gefunden:
            je_datei.setdefault(t.quelle.name, []).append(sp.name)
        for datei, spalten in je_datei.items():
            mehr = f" und {len(spalten) - 6} weitere" if len(spalten) > 6 else ""
            out.append(f"# Gefunden: {was} in {datei}: {', '.join(spalten[:6])}{mehr}.")
    if erk.gegeben is not None:
        out += [
            "# Keine Indikatorwerte gefunden: der Index wird wie veröffentlicht übernommen",
            "# ([methode.status] quelle, [eingaben.index]); daher keine [[indikatoren]].",
        ]
    elif out:
        out.append("# Der Index wird hier aus den Anteilen berechnet (Standardisierung).")
    return out


#: Colours of published classes, light (best) to dark; k classes take k of them evenly.
_FARBEN = ("#fef0d9", "#fdd49e", "#fdbb84", "#fc8d59", "#ef6548", "#d7301f", "#b30000", "#7f0000")


def _farben(k: int) -> list[str]:
    if k <= len(_FARBEN):
        schritt = (len(_FARBEN) - 1) / max(k - 1, 1)
        return [_FARBEN[round(n * schritt)] for n in range(k)]
    return [_FARBEN[min(n, len(_FARBEN) - 1)] for n in range(k)]


def _gegebener_status(erk: Erkennung) -> str:
    """``[methode.status]`` of a published index: its values with thresholds, or its classes."""
    t, quelle, sp, wert = erk.gegeben
    if quelle == "klasse":
        codes = [str(int(v)) for v in sorted(set(sp.werte))]
        labels = [f"Klasse {c}" for c in codes]
        hinweis = (
            f"# Daneben steht der Indexwert in Spalte {wert.name}. Alternative: quelle = "
            f'"wert",\n# spalte = {s(wert.name)}, schwellen_typ = "standardabweichung", '
            "schwellen = [-1.0, 1.0]\n# und drei labels/farben (dann ohne klassenwerte).\n"
            if wert is not None
            else ""
        )
        return f"""
# Der Index ist veröffentlicht: die Klassen werden aus [eingaben.index] übernommen, nicht
# berechnet. klassenwerte: die Codes der Datei in der Reihenfolge von labels (beste zuerst).
{hinweis}[methode.status]
quelle = "klasse"
spalte = {s(sp.name)}  # die Spalte mit den veröffentlichten Klassen
klassenwerte = {_liste(codes)}  # prüfen: die Codes der Datei, beste Klasse zuerst
labels = {_liste(labels)}  # prüfen: die Namen der Klassen, wie sie das Amt nennt
farben = {_liste(_farben(len(codes)))}
"""
    return f"""
# Der Index ist veröffentlicht: der Wert wird aus [eingaben.index] übernommen, nicht berechnet;
# die Klassen entstehen aus Grenzen in Standardabweichungen um den Mittelwert (Alternativen:
# schwellen_typ = "fest" mit Grenzen auf der Skala des Index, oder "quantile" ohne schwellen).
[methode.status]
quelle = "wert"
spalte = {s(sp.name)}  # prüfen: die Spalte mit dem veröffentlichten Indexwert ({spanne_text(sp)})
schwellen_typ = "standardabweichung"
schwellen = [-1.0, 1.0]  # prüfen: drei Klassen bei -1 und +1 Standardabweichung
labels = ["hoch", "mittel", "niedrig"]  # prüfen: ein höherer Wert heißt mehr Benachteiligung
farben = ["#fef0d9", "#fc8d59", "#b30000"]
"""


def _methode(erk: Erkennung) -> str:
    jahre = _liste(erk.jahre)
    if erk.gegeben is not None:  # a published index: no indicators, no change data
        return f"""
# --- Methode des Index ------------------------------------------------------------------
# Ohne Veränderungsdaten kein vergleichsjahr und kein [methode.dynamik]: kein Dynamikindex.
[methode]
jahre = {jahre}  # die Jahre in den Daten
berichtsjahr = {erk.berichtsjahr}  # prüfen: das Jahr, über das berichtet wird
mindestbevoelkerung = 0  # prüfen: kleinere Gebiete auslassen (braucht die Einwohnerzahlen)
ausgeschlossen = []  # z. B. [{{ quartier_id = "…", grund = "Erstaufnahmeeinrichtung" }}]
{_gegebener_status(erk)}"""
    return f"""
# --- Methode des Index ------------------------------------------------------------------
[methode]
jahre = {jahre}  # die Jahre in den Daten
berichtsjahr = {erk.berichtsjahr}  # prüfen: das Jahr, über das berichtet wird
{_ohne_dynamik(erk)}
kombination = "mittelwert"  # oder "summe": wie die z-Werte der Indikatoren zusammengehen
erneut_standardisieren = true  # den kombinierten Wert noch einmal standardisieren
mindestbevoelkerung = 0  # prüfen: kleinere Gebiete auslassen (üblich: 300)
ausgeschlossen = []  # z. B. [{{ quartier_id = "…", grund = "Erstaufnahmeeinrichtung" }}]

# Klassen des Statusindex: Schwellen in Standardabweichungen (schwellen_typ =
# "standardabweichung") oder feste Werte ("fest"); je Klasse ein label und eine Farbe.
[methode.status]
schwellen_typ = "standardabweichung"
schwellen = [-1.0, 1.0, 1.5]
labels = ["hoch", "mittel", "niedrig", "sehr niedrig"]
farben = ["#fef0d9", "#fdcc8a", "#fc8d59", "#b30000"]

{_dynamik_klassen(erk)}"""


def _dynamik_klassen(erk: Erkennung) -> str:
    if not erk.mit_dynamik:
        return ""
    return """
[methode.dynamik]
schwellen_typ = "standardabweichung"
schwellen = [-1.0, 1.0]
labels = ["positiv", "stabil", "negativ"]
farben = ["#2166ac", "#f7f7f7", "#b2182b"]
"""


def _ohne_dynamik(erk: Erkennung) -> str:
    """The comparison year, or a comment: without change data there is no Dynamikindex."""
    if erk.mit_dynamik:
        return (
            f"vergleichsjahr = {erk.vergleichsjahr}  # prüfen: Beginn des Zeitraums der "
            "Veränderung (Dynamik)"
        )
    return (
        "# Keine Veränderungsdaten: ohne vergleichsjahr und [methode.dynamik] zeigen die "
        "Berichte\n# den Status, keinen Dynamikindex."
    )


def _json_datensaetze(t: Tabelle) -> list[str]:
    """``datensaetze`` of a JSON table whose records sit under a key (none for a plain list)."""
    if t.quelle.format != "JSON" or not t.quelle.json_pfad:
        return []
    return [f"datensaetze = {s(t.quelle.json_pfad)}  # JSON: die Datensätze unter diesem Schlüssel"]


def _fehlwerte(t: Tabelle, spalten: list[str]) -> list[str]:
    marker: set[str] = set()
    for name in spalten:
        sp = t.zahlen.get(name)
        if sp is not None:
            marker.update(sp.fehlwerte)
            if sp.leer:
                marker.add("")
    return sorted(marker)


def _eingaben(erk: Erkennung) -> str:
    g = erk.geo
    geo_spalten = {"quartier_id": erk.geo_id, "quartier": erk.geo_name}
    if erk.einheiten.art == "spalte":
        geo_spalten["sozialraum_id"] = erk.einheiten.spalte
    zeilen = [
        "# --- Eingabedateien, unverändert gelesen " + "-" * 46,
        "# spalten: Spalte des Vertrags = Spaltenkopf in der Datei; fehlwerte: Zelltexte für",
        '# „kein Wert“ ("" = leere Zelle); jahr: das Jahr aller Zeilen einer Datei ohne Jahr.',
        "",
        "[eingaben.geometrie]",
        f"datei = {s(g.name)}  # {g.format}",
        f"spalten = {_tabelle(geo_spalten)}",
    ]
    if erk.gegeben is not None:
        zeilen += ["", "[eingaben.index]"] + _indextabelle(erk)
    else:
        zeilen += ["", "[eingaben.indikatoren]"] + _indikatortabelle(erk)
    if erk.bevoelkerung is not None:
        zeilen += ["", "[eingaben.bevoelkerung]"] + _bevoelkerungstabelle(erk)
    return "\n".join(zeilen) + "\n"


def _indikatortabelle(erk: Erkennung) -> list[str]:
    t = erk.indikatoren
    q = t.quelle
    zeilen = [f"datei = {s(q.name)}  # {q.beschreibung()} (erkannt, nicht einzustellen)"]
    zeilen += _json_datensaetze(t)
    spalten: dict[str, str] = {}
    if t.id_spalte != "quartier_id":
        spalten["quartier_id"] = t.id_spalte or ""
    if t.lang:
        zeilen.append('form = "lang"  # eine Zeile je Gebiet, Jahr und Indikator')
        if t.jahr_spalte and t.jahr is None and t.jahr_spalte != "jahr":
            spalten["jahr"] = t.jahr_spalte
        if t.indikator_spalte and t.indikator_spalte != "indikator":
            spalten["indikator"] = t.indikator_spalte
        werte = wertspalten(t)
        spalten.update({k: v for k, v in werte.items() if k != v})
        benutzt = list(werte.values())
    else:
        zeilen.append('form = "breit"  # eine Zeile je Gebiet, eine Spalte je Indikator')
        benutzt = [c for v in erk.indikatorvorschlaege for c in v.spalten.values()]
    if spalten:
        zeilen.append(f"spalten = {_tabelle(spalten)}")
    if not (t.lang and t.jahr_spalte and t.jahr is None):
        zeilen.append(f"jahr = {erk.berichtsjahr}  # prüfen: das Jahr der Daten")
    fehl = _fehlwerte(t, benutzt)
    if fehl:
        zeilen.append(f"fehlwerte = {_liste(fehl)}  # erkannte Zeichen für „kein Wert“")
    if t.gueltigkeit:
        spalte, gueltig = t.gueltigkeit
        zeilen.append(
            f"gueltigkeit = {{ spalte = {s(spalte)}, gueltig = {_liste(gueltig)} }}  # andere "
            "Texte schließen das Gebiet aus und sind der Grund"
        )
    return zeilen


def _indextabelle(erk: Erkennung) -> list[str]:
    """``[eingaben.index]``: the table of the published index, its id column and markers."""
    t, _, sp, wert = erk.gegeben
    q = t.quelle
    zeilen = [f"datei = {s(q.name)}  # {q.beschreibung()} (der veröffentlichte Index)"]
    zeilen += _json_datensaetze(t)
    if t.id_spalte != "quartier_id":
        zeilen.append(f"spalten = {_tabelle({'quartier_id': t.id_spalte or ''})}  # die ID-Spalte")
    fehl = _fehlwerte(t, [sp.name] + ([wert.name] if wert is not None else []))
    if fehl:
        zeilen.append(f"fehlwerte = {_liste(fehl)}  # erkannte Zeichen für „kein Wert“")
    return zeilen


def _bevoelkerungstabelle(erk: Erkennung) -> list[str]:
    t, spalte = erk.bevoelkerung
    q = t.quelle
    zeilen = [f"datei = {s(q.name)}  # {q.beschreibung()}"]
    zeilen += _json_datensaetze(t)
    spalten = {"quartier_id": t.id_spalte or "", "einwohner": spalte}
    spalten = {k: v for k, v in spalten.items() if k != v}
    if t.lang and t.jahr_spalte and t.jahr is None and t.jahr_spalte != "jahr":
        spalten["jahr"] = t.jahr_spalte
    if spalten:
        zeilen.append(f"spalten = {_tabelle(spalten)}")
    if not (t.lang and t.jahr_spalte and t.jahr is None):
        zeilen.append(f"jahr = {erk.berichtsjahr}")
    fehl = _fehlwerte(t, [spalte])
    if fehl:
        zeilen.append(f"fehlwerte = {_liste(fehl)}")
    return zeilen


def _bericht() -> str:
    return """
# --- Berichte -----------------------------------------------------------------------------
# Ohne Angabe: die Notebooks des Workbooks und der Ordner berichte/ neben dieser Datei.
# [bericht]
# ausgabe = "berichte"
# notebook_sozialraum = "…/sozialraumbericht.ipynb"   # eigene Kopie des Berichts-Notebooks
"""
