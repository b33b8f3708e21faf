"""Kept for notebooks written from the analysis template before the stages had folders.

The template showed ``from sozialraum.maps import klassen_farben``; an analyst's copy of it
keeps working. New notebooks import it from :mod:`sozialraum.report`, the notebooks' one entry
point; the maps themselves are drawn in :mod:`sozialraum.present`.
"""

from sozialraum.present.kartenbasis import klassen_farben

__all__ = ["klassen_farben"]
