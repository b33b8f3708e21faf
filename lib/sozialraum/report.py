"""The analysts' entry point in a notebook: ``from sozialraum.report import Sozialraumbericht``.

The report itself is built in :mod:`sozialraum.publish.bericht`; this module only keeps the
names that notebooks, the analysis template and the README use, so that a notebook written
against them keeps working whatever folder the code moves to.
"""

from sozialraum.publish.bericht import (
    Berichtsdaten,
    Gesamtstadtbericht,
    Sozialraumbericht,
    berichtstitel,
    gesamtstadt_beschreibung,
    index_beschreibung,
    methodentext,
)
from sozialraum.publish.startseite import startseitentitel

__all__ = [
    "Berichtsdaten",
    "Gesamtstadtbericht",
    "Sozialraumbericht",
    "berichtstitel",
    "gesamtstadt_beschreibung",
    "index_beschreibung",
    "methodentext",
    "startseitentitel",
]
