"""The analysts' entry point in a notebook: ``from sozialraum.report import Sozialraumbericht``.

The report itself is built in :mod:`sozialraum.publish`; this module only keeps the
names that notebooks, the analysis template (``klassen_farben`` for a map in the report's
colours) and the README use, so that a notebook written
against them keeps working whatever folder the code moves to. Importing it sets the German
number format for frames shown in the notebook (:mod:`sozialraum.present.anzeige`).
"""

from sozialraum.present.anzeige import deutsche_anzeige
from sozialraum.present.kartenbasis import klassen_farben
from sozialraum.publish.bericht import berichtstitel, gesamtstadt_beschreibung, index_beschreibung
from sozialraum.publish.bericht_basis import Berichtsdaten
from sozialraum.publish.gesamtstadtbericht import Gesamtstadtbericht
from sozialraum.publish.methodik import methodentext
from sozialraum.publish.sozialraumbericht import Sozialraumbericht
from sozialraum.publish.startseite import startseitentitel

deutsche_anzeige()  # frames shown in a notebook read 12,5 and 1.234 (issue 16)

__all__ = [
    "Berichtsdaten",
    "Gesamtstadtbericht",
    "Sozialraumbericht",
    "berichtstitel",
    "gesamtstadt_beschreibung",
    "index_beschreibung",
    "klassen_farben",
    "methodentext",
    "startseitentitel",
]
