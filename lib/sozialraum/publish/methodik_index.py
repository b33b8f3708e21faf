"""How each index was obtained and classed, in German sentences for the method section.

An index is computed from the indicators, or taken over as published (a score, a composite of
published sub-indices, or the classes themselves); its classes come from limits in standard
deviations, fixed limits, quantiles, or the publication. The reader must learn which, and a
given value must never be described as if the workbook had computed it. Plain text from the
config (and the limits actually applied), no HTML.
"""

from __future__ import annotations

import math

from sozialraum.config import Begriff, Config
from sozialraum.config_klassen import Klassen
from sozialraum.fmt import aufzaehlung, fmt_num, zitat
from sozialraum.grammatik import genitiv, gross, nomen

#: The name of each index in the report's sentences.


def indizes(cfg: Config) -> list[tuple[str, Klassen]]:
    """The indices of this config as (art, Klassen); a city without dynamics has only status."""
    out = [("status", cfg.methode.status)]
    dynamik = cfg.methode.dynamik
    if dynamik is not None:
        out.append(("dynamik", dynamik))
    return out


def gegeben(cfg: Config) -> list[str]:
    """The indices (``"status"``, ``"dynamik"``) that are taken over as published."""
    return [art for art, klassen in indizes(cfg) if klassen.gegeben]


def _datei(cfg: Config) -> str:
    tab = cfg.eingabe("index")
    return tab.datei.name if tab is not None else "?"


def _zahl(x: float) -> str:
    """A weight as the office wrote it: no trailing zeros (1 → „1“, 0.25 → „0,25“)."""
    text = f"{x:.6f}".rstrip("0").rstrip(".")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return fmt_num(x, decimals)


def herkunft(cfg: Config, art: str) -> str:
    """One or two sentences saying where a given index comes from (file, columns, formula).

    Parameters
    ----------
    cfg
        The config; ``[methode.<art>]`` must be given (``quelle`` ``"wert"`` or ``"klasse"``).
    art
        ``"status"`` or ``"dynamik"``.
    """
    klassen: Klassen = getattr(cfg.methode, art)
    name = cfg.begriffe.statusindex if art == "status" else cfg.begriffe.dynamikindex
    datei = _datei(cfg)
    if klassen.quelle == "klasse":
        codes = _codes(klassen)
        return (
            f"Die Klassen {genitiv(name)} werden wie veröffentlicht übernommen: Spalte "
            f"{zitat(klassen.spalte)} der Datei {datei} ({codes}). Einen Zahlenwert "
            f"{genitiv(name)} gibt es in diesen Daten nicht; gezeigt wird nur die Klasse."
        )
    if not klassen.teilindizes:
        wie = "wird" if not cfg.indikatoren else "wird nicht aus den Indikatoren berechnet, sondern"
        return (
            f"{gross(nomen(name))} {wie} wie veröffentlicht übernommen: Spalte "
            f"{zitat(klassen.spalte)} der Datei {datei}."
        )
    teile = [zitat(t.spalte) for t in klassen.teilindizes]
    if klassen.zusammensetzung == "gewichtet":
        gewichte = aufzaehlung(
            f"{zitat(t.spalte)} mit {_zahl(float(t.gewicht or 0))}" for t in klassen.teilindizes
        )
        formel = (
            "die Summe der veröffentlichten Teilindizes, jeder mit seinem veröffentlichten "
            f"Gewicht: {gewichte}"
        )
    else:
        formel = f"der Mittelwert der veröffentlichten Teilindizes {aufzaehlung(teile)}"
    return (
        f"{gross(nomen(name))} ist {formel} (Datei {datei}). Die Teilindizes werden wie "
        "veröffentlicht übernommen, nicht aus den Indikatoren berechnet; fehlt einer, bleibt der "
        "Index leer."
    )


def _codes(klassen: Klassen) -> str:
    """``„1“ = hoch, „2“ = mittel …``: which published code is which class."""
    paare = zip(klassen.klassenwerte, klassen.labels, strict=True)
    return aufzaehlung(f"{zitat(w)} = {lab}" for w, lab in paare)


def _grenzen(schwellen: list[float], decimals: int) -> str:
    return aufzaehlung(fmt_num(s, decimals, sign=True) for s in schwellen)


def klassen_satz(titel: str, klassen: Klassen, schwellen: list[float], gebiet: Begriff) -> str:
    """How the classes of one index are formed, with the limits that were applied.

    Parameters
    ----------
    titel
        How the sentence starts, e.g. "Klassen des Statusindex".
    klassen
        ``cfg.methode.status`` or ``cfg.methode.dynamik``.
    schwellen
        The limits applied (``IndexResult.schwellen``): for quantiles they come from the data
        and are stated, so that a reader can check a class.
    gebiet
        The area noun (``cfg.begriffe.gebiet``).
    """
    if klassen.quelle == "klasse":
        codes = _codes(klassen)
        text = f"{titel}: wie veröffentlicht ({codes}), ohne Zahlenwert und ohne Grenzen."
    elif klassen.schwellen_typ == "quantile":
        n = len(klassen.labels)
        if schwellen and not any(math.isnan(s) for s in schwellen):
            angewandt = f"angewandte Grenzen bei {_grenzen(schwellen, 2)}"
        else:
            angewandt = f"zu wenige bewertete {gebiet.mehrzahl} für Grenzen"
        text = (
            f"{titel}: {n} etwa gleich große Gruppen der bewerteten {gebiet.mehrzahl} "
            f"(Quantile des Index), {angewandt}."
        )
    elif klassen.schwellen_typ == "standardabweichung":
        text = f"{titel}: Grenzen bei {_grenzen(klassen.schwellen, 1)} Standardabweichungen"
        if klassen.gegeben:
            text += (
                " um den Mittelwert des veröffentlichten Werts über die bewerteten "
                f"{gebiet.mehrzahl}"
            )
        text += "."
    else:
        grenzen = _grenzen(klassen.schwellen, 2)
        text = f"{titel}: Grenzen bei {grenzen} Indexpunkten (feste Grenzen)."
    if klassen.beschreibung:
        text += " " + "; ".join(
            f"{lab}: {txt}" for lab, txt in zip(klassen.labels, klassen.beschreibung, strict=False)
        )
        text += "."
    return text
