"""The method section's text: how the index is computed, in German sentences from the config.

Kept apart from the report classes: it is plain text built from the config alone, no HTML.
"""

from __future__ import annotations

import pandas as pd

from sozialraum.config import Config
from sozialraum.fmt import (
    anzahl,
    aufzaehlung,
    fmt_int,
    zitat,
)
from sozialraum.grammatik import genitiv_plural, gross, nomen, ohne_artikel, und
from sozialraum.publish.methodik_index import gegeben, herkunft, indizes


def methodentext(cfg: Config, index: pd.DataFrame | None = None) -> list[str]:
    """The method as configured, in German sentences (one paragraph each, plain text).

    Everything is read from ``cfg``: combination ("die Summe" / "der Mittelwert"),
    re-standardisation, computed or published change, the exclusion rules actually configured
    (minimum population only when > 0, the data's validity column, listed areas), suppression
    only where counts exist, and the sentence on population-weighted estimates only where
    published shares exist. ``index`` (``IndexResult.index``) adds how many areas of this data
    set are "nicht bewertet" or "keine Angabe".
    """
    m, b = cfg.methode, cfg.begriffe
    g = b.gebiet
    inds = cfg.indikatoren
    kombi = "der Mittelwert" if m.kombination == "mittelwert" else "die Summe"
    status_n = sum(i.status for i in inds)
    dyn = cfg.dynamik_indikatoren  # none without change data: no sentence on a Dynamikindex
    given = gegeben(cfg)
    if not inds:  # only a published index (config: no [[indikatoren]])
        out = [
            f"{gross(nomen(b.index))} wird wie veröffentlicht übernommen. Indikatorwerte liegen "
            f"in diesen Daten nicht vor; gezeigt werden die Klassen je "
            f"{ohne_artikel(g, 'akkusativ')}"
            + (
                " und der veröffentlichte Wert."
                if any(k.quelle == "wert" for _, k in indizes(cfg))
                else "."
            )
        ]
    elif len(given) == len(indizes(cfg)):
        out = [
            f"{gross(nomen(b.index))} wird nicht aus den Indikatoren berechnet, sondern wie "
            f"veröffentlicht übernommen. Die {anzahl(len(inds), 'Indikator', 'Indikatoren')} je "
            f"{ohne_artikel(g, 'akkusativ')} werden zur Einordnung gezeigt."
        ]
    else:
        out = [
            f"{gross(nomen(b.index))} fasst {anzahl(len(inds), 'Indikator', 'Indikatoren')} je "
            f"{ohne_artikel(g, 'akkusativ')} zusammen. Jeder Indikator wird über "
            f"{nomen(g, 'akkusativ', mehrzahl=True, adjektiv='bewertet')} der Stadt "
            "z-standardisiert (Mittelwert 0, Standardabweichung 1)."
        ]
    satz = (
        f"{gross(nomen(b.statusindex))} ist {kombi} der z-Werte der "
        f"{anzahl(status_n, 'Statusindikators', 'Statusindikatoren')} im Jahr {m.berichtsjahr}"
    )
    if status_n == 1:
        satz = (
            f"{gross(nomen(b.statusindex))} ist der z-Wert des Statusindikators im Jahr "
            f"{m.berichtsjahr}"
        )
    if "status" in given:
        satz = herkunft(cfg, "status")
    if "dynamik" in given:
        satz += ("" if "status" in given else ".") + " " + herkunft(cfg, "dynamik")
    elif dyn:
        pub = [i for i in dyn if i.veraenderung == "veroeffentlicht"]
        zeitraum = f"von {m.vergleichsjahr} bis {m.berichtsjahr}"
        if len(pub) == len(dyn):
            art = f"veröffentlichten Veränderungen in Prozentpunkten {zeitraum}"
        elif not pub:
            art = f"Veränderungen in Prozentpunkten {zeitraum}"
        else:
            art = (
                f"Veränderungen in Prozentpunkten {zeitraum} (veröffentlicht für "
                f"{aufzaehlung(i.kurz for i in pub)}, sonst aus beiden Jahren berechnet)"
            )
        if "status" in given:
            satz += f" {gross(nomen(b.dynamikindex))} ist {kombi} der z-standardisierten {art}."
        else:
            satz += f", {nomen(b.dynamikindex)} {kombi} der z-standardisierten {art}."
        if pub:
            satz += (
                " Die veröffentlichten Veränderungen kommen mit den Daten; für "
                f"{m.vergleichsjahr} liegen keine Anteile vor."
            )
    elif "status" not in given:
        satz += "."
    out.append(satz)
    berechnet = [art for art, _ in indizes(cfg) if art not in given]
    stufen = any(
        k.schwellen_typ == "standardabweichung" for art, k in indizes(cfg) if art in berechnet
    )
    status_wird = f"{gross(nomen(b.statusindex))} wird"
    if not given:
        beide = f"{und(b.statusindex, b.dynamikindex)} werden" if dyn else status_wird
    else:
        beide = {
            ("status", "dynamik"): f"{und(b.statusindex, b.dynamikindex)} werden",
            ("status",): status_wird,
            ("dynamik",): f"{gross(nomen(b.dynamikindex))} wird",
        }.get(tuple(berechnet))
    if beide is None:
        pass
    elif m.erneut_standardisieren:
        out.append(
            f"{beide} danach erneut z-standardisiert"
            + (
                ", die Klassengrenzen gelten also in Standardabweichungen des Index."
                if stufen
                else "."
            )
        )
    else:
        out.append(
            f"{beide} nicht erneut standardisiert"
            + (
                "; Klassengrenzen in Standardabweichungen beziehen sich auf Mittelwert und "
                "Standardabweichung des Index über "
                f"{nomen(g, 'akkusativ', mehrzahl=True, adjektiv='bewertet')}."
                if stufen
                else "."
            )
        )
    regeln = []
    # without indicators nothing is standardised: excluded areas are simply not rated
    ein = "gehen nicht in die Standardisierung ein" if inds else "werden nicht bewertet"
    if m.mindestbevoelkerung > 0:
        regeln.append(
            f"{g.mehrzahl} mit weniger als {fmt_int(m.mindestbevoelkerung)} Einwohner*innen {ein}."
        )
    for name in ("geometrie", "bevoelkerung", "indikatoren"):
        tab = cfg.eingabe(name)
        gueltig = getattr(tab, "gueltigkeit", None) if tab is not None else None
        if gueltig is not None:
            regeln.append(
                f"Ob {nomen(g)} gültig ist, steht in der Spalte "
                f"{zitat(gueltig.spalte)} der Daten; wo dort nicht "
                f"{aufzaehlung((zitat(v) for v in gueltig.gueltig), 'oder')} steht, "
                + (
                    f"geht {nomen(g)} nicht in die Standardisierung ein"
                    if inds
                    else f"wird {nomen(g)} nicht bewertet"
                )
                + ", und der Eintrag "
                "ist der genannte Grund."
            )
    if m.ausgeschlossen:
        namen = {}
        if index is not None:
            namen = dict(zip(index["quartier_id"].astype(str), index["quartier"], strict=False))
        liste = "; ".join(
            f"{namen.get(a.quartier_id, a.quartier_id)} ({a.quartier_id}): {a.grund}"
            for a in m.ausgeschlossen
        )
        regeln.append(
            f"Von der {'Standardisierung' if inds else 'Bewertung'} ausgenommen sind: {liste}."
        )
    if regeln:
        regeln.append(
            f"Solche {ohne_artikel(g, mehrzahl=True, nach='der')} erhalten keinen Index, sondern "
            "die Klasse „nicht bewertet“ mit ihrem Grund"
            + ("; ihre Anteile werden weiter gezeigt." if inds else ".")
        )
    elif inds:
        regeln.append(
            f"Alle {ohne_artikel(g, mehrzahl=True, nach='der')} gehen in die Standardisierung ein."
        )
    if berechnet:
        regeln.append(
            "Fehlt ein Indikatorwert, bleibt der Index leer („keine Angabe“, der fehlende Wert "
            f"steht als Hinweis dabei): {kombi} über weniger Indikatoren wäre nicht vergleichbar."
        )
    if given:
        regeln.append(
            "Fehlt ein veröffentlichter Wert, bleibt die Klasse leer („keine Angabe“, die leere "
            "Spalte steht als Hinweis dabei); ein veröffentlichter Wert wird nie neu berechnet."
        )
    if index is not None:
        from sozialraum.compute.klassen import KEINE_ANGABE, NICHT_BEWERTET

        n_nb = int((index["status_klasse"] == NICHT_BEWERTET).sum())
        ohne = index["status_klasse"] == KEINE_ANGABE
        if "dynamik_klasse" in index.columns:  # only where a Dynamikindex was computed
            ohne |= index["dynamik_klasse"] == KEINE_ANGABE
        n_ka = int(ohne.sum())
        if n_nb or n_ka:
            teile = []
            if n_nb:
                teile.append(f"{anzahl(n_nb, g.name, g.mehrzahl)} „nicht bewertet“")
            if n_ka:
                teile.append(f"{anzahl(n_ka, g.name, g.mehrzahl)} ohne Angabe")
            einer = n_nb + n_ka == 1
            regeln.append(f"In diesen Daten {'ist' if einer else 'sind'} {aufzaehlung(teile)}.")
    if regeln:
        out.append(" ".join(regeln))
    gezaehlt = [i for i in inds if i.eingabe == "anzahl"]
    anteile = [i for i in inds if i.eingabe == "anteil"]
    agg = []
    if gezaehlt:
        agg.append(
            f"Die Anteile {genitiv_plural(b.einheit)} und der Stadt sind Verhältnisse der Summen "
            f"über ihre {ohne_artikel(g, 'akkusativ', mehrzahl=True, nach='der')} (nicht Mittel "
            "der Anteile). Fallzahlen unter "
            f"{m.mindestfallzahl} werden nicht veröffentlicht (•), ebenso Werte, aus denen sie "
            "sich zurückrechnen ließen."
        )
    if anteile:
        welche = "" if not gezaehlt else f" ({aufzaehlung(i.kurz for i in anteile)})"
        agg.append(
            f"Für die als Anteil veröffentlichten Indikatoren{welche} sind die Werte der "
            f"{ohne_artikel(b.einheit, 'genitiv', mehrzahl=True, nach='der')} und der Stadt mit "
            "der Einwohnerzahl gewichtete Mittel der Werte ihrer "
            f"{ohne_artikel(g, 'genitiv', mehrzahl=True, nach='der')} – Schätzungen, weil die "
            "Nenner nicht veröffentlicht sind"
            + (
                "; ebenso ihre Veränderungen."
                if any(i.veraenderung == "veroeffentlicht" for i in anteile) and cfg.mit_dynamik
                else "."
            )
        )
    if agg:
        out.append(" ".join(agg))
    return out


def geometrie_korrekturen(cfg: Config) -> list[str]:
    """The declared corrections of geometry ids, one line each with the reason.

    The report must say where it departs from the published geometry, so that a reader who
    compares with the file is not surprised by an id it does not hold there.
    """
    g = cfg.begriffe.gebiet
    return [
        f"Objekt {k.merkmal} der Geometrie trägt in der Datei die ID {zitat(k.id)}; es wird als "
        f"{g.name} {zitat(k.neue_id)} gelesen. Grund: {k.grund}"
        for k in cfg.eingaben.geometrie.korrekturen
    ]


def einheiten_satz(cfg: Config) -> str | None:
    """How areas are assigned to units, where it is not a column of the geometry (else None)."""
    e, b = cfg.einheiten, cfg.begriffe
    if e.aus == "geometrie":
        return None
    if e.aus == "keine":
        return (
            f"Die Stadt wird als Ganzes berichtet, ohne Gliederung in {b.einheit.mehrzahl}; "
            f"alle {b.gebiet.mehrzahl} gehören zu „{cfg.sozialraeume[0].name}“."
        )
    if e.aus == "tabelle":
        return (
            f"Die {b.einheit.mehrzahl} der {b.gebiet.mehrzahl} stehen in einer Zuordnungstabelle."
        )
    if e.stellen == 1:
        quelle = "dem ersten Zeichen der ID"
    elif e.stellen is not None:
        quelle = f"den ersten {fmt_int(e.stellen)} Zeichen der ID"
    else:
        quelle = f"der ID (Muster {zitat(e.muster or '')})"
    return f"Die {b.einheit.mehrzahl} ergeben sich aus {quelle} der {b.gebiet.mehrzahl}."
