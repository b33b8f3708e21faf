"""Titles and link lines of the reports on the batch's index page, in the city's own words.

The report classes live in :mod:`~sozialraum.publish.sozialraumbericht` and
:mod:`~sozialraum.publish.gesamtstadtbericht` (their shared base in
:mod:`~sozialraum.publish.bericht_basis`); notebooks import them from :mod:`sozialraum.report`.
"""

from __future__ import annotations

from sozialraum.compute import events
from sozialraum.compute.store import Prepared
from sozialraum.config import Config
from sozialraum.fmt import anzahl, fmt_date, fmt_int
from sozialraum.grammatik import ohne_artikel


def berichtstitel(cfg: Config, sozialraum: str | None = None) -> str:
    """Page title and link text of a report: "Bezirk Mitte", "Gesamtstadt Berlin"."""
    if sozialraum is None:
        return f"Gesamtstadt {cfg.stadt.name}"
    return f"{cfg.begriffe.einheit.name} {cfg.sozialraum(sozialraum).name}"


def gesamtstadt_beschreibung(cfg: Config) -> str:
    """The line under the city-wide report's link: "Alle Bezirke im Vergleich"."""
    return f"Alle {ohne_artikel(cfg.begriffe.einheit, mehrzahl=True, nach='der')} im Vergleich"


def index_beschreibung(prepared: Prepared, sozialraum_id: str) -> str:
    """One line under each report's link: its areas and, where there are events, the event."""
    cfg = prepared.cfg
    q = prepared.inputs.quartiere
    n = int((q["sozialraum_id"] == sozialraum_id).sum())
    text = anzahl(n, cfg.begriffe.gebiet.name, cfg.begriffe.gebiet.mehrzahl)
    if not cfg.mit_veranstaltungen:
        return text
    k = events.kennzahlen(prepared.inputs.veranstaltungen, prepared.inputs.stationen, sozialraum_id)
    if k:
        name = cfg.stadt.veranstaltung.name
        text += f" · {name} {fmt_date(k['datum'], k['datum_genauigkeit'])}"
        if k["teilnehmende"] is not None:
            text += f" · {fmt_int(k['teilnehmende'])} Teilnehmende"
    return text


__all__ = ["berichtstitel", "gesamtstadt_beschreibung", "index_beschreibung"]
