"""The short glossary "Begriffe" at the end of the method section.

A committee reads the running text in plain German; the few technical terms a report cannot
avoid (in the method, the awareness figure and the provenance line) are explained once, here,
each with ``<dfn>`` where it is explained. Only the terms the page actually uses are listed, so
that a city without events is not told what a confidence interval is.
"""

from __future__ import annotations

from typing import Any

#: (anchor, term, explanation, word whose presence in the page's method text needs the entry)
_Z = (
    "z-standardisiert",
    "z-standardisiert",
    "Jeder Wert wird als Abstand vom Durchschnitt aller bewerteten Gebiete ausgedrückt, "
    "gemessen in Standardabweichungen (der üblichen Streuung um den Durchschnitt). 0 heißt "
    "„genau durchschnittlich“, +1 „eine übliche Streuung darüber“. So lassen sich Indikatoren "
    "verschiedener Größenordnung zusammenfassen.",
)
_PP = (
    "prozentpunkte",
    "Prozentpunkte (Pp.)",
    "Der Abstand zwischen zwei Anteilen: von 10 % auf 12 % sind es 2 Prozentpunkte "
    "(und nicht 20 Prozent).",
)
_VB = (
    "vertrauensbereich",
    "Vertrauensbereich",
    "Bei wenigen Klebepunkten ist ein Anteil unsicher. Der Vertrauensbereich ist der Bereich, "
    "in dem der wahre Anteil mit 95 % Wahrscheinlichkeit liegt; berechnet nach Wilson, einem "
    "Verfahren, das auch bei 0 % und 100 % sinnvolle Grenzen gibt.",
)
_PS = (
    "pruefsumme",
    "Prüfsumme",
    "Eine aus dem Inhalt einer Datei berechnete Zeichenfolge (Verfahren SHA-256): ändert sich "
    "die Datei, ändert sich die Prüfsumme. So lässt sich nachprüfen, aus welchen Dateien der "
    "Bericht entstand.",
)
_KD = (
    "kennung-datenstand",
    "Kennung des Datenstands",
    "Eine Prüfsumme über alle Eingaben und Einstellungen zusammen: Berichte mit derselben "
    "Kennung beruhen auf denselben Daten.",
)
_GC = (
    "git-commit",
    "Git-Commit",
    "Die Kennung der Programmversion, mit der der Bericht erstellt wurde.",
)


def begriffe(
    absaetze: list[str], *, prozentpunkte: bool, vertrauensbereich: bool
) -> list[dict[str, Any]]:
    """The glossary entries a page needs, in reading order.

    Parameters
    ----------
    absaetze
        The method paragraphs of the page: "z-standardisiert" is explained only where they use
        it (a city with only a published index standardises nothing).
    prozentpunkte
        The page shows changes of shares (indicator tables and figures in "Pp.").
    vertrauensbereich
        The page shows the awareness of offers with its confidence interval.

    Returns
    -------
    list of dict
        Keys ``id`` (anchor, ``begriff-<id>``), ``begriff`` and ``erklaerung``; the provenance
        terms (Prüfsumme, Kennung des Datenstands, Git-Commit) always, since every page has
        the provenance line.
    """
    eintraege = []
    if any("standardisiert" in a for a in absaetze):
        eintraege.append(_Z)
    if prozentpunkte:
        eintraege.append(_PP)
    if vertrauensbereich:
        eintraege.append(_VB)
    eintraege += [_PS, _KD, _GC]
    return [{"id": i, "begriff": b, "erklaerung": e} for i, b, e in eintraege]
