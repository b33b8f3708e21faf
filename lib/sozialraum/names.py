"""Tolerant matching of place names that different offices spell differently.

The statistics office writes "Nord Sued", the GIS "Nord-Süd". Names are compared after
normalising case, umlaut spellings, hyphens, slashes and whitespace, but a match is only accepted
where it is unambiguous: a wrong match would silently put one Quartier's numbers on another.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

_UMLAUTS = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015/_.,;:'\"()+&*]+")


def normalize_name(name: str) -> str:
    """Reduce a name to a key in which spelling variants of the same place coincide.

    Case, ``ä``/``ae``, ``ß``/``ss``, hyphens, slashes and whitespace do not tell two places
    apart in practice, so they are removed ("Nord Sued" and "Nord-Süd" both give
    ``"nordsued"``).
    """
    text = unicodedata.normalize("NFC", str(name)).casefold()
    for umlaut, spelled in _UMLAUTS.items():
        text = text.replace(umlaut, spelled)
    # Remaining accents (é, è) are dropped rather than kept: they are typed inconsistently.
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _SEPARATORS.sub("", text)


def normalize_header(name: str) -> str:
    """Column header as the schemas name it: ``" Zähler "`` becomes ``"zaehler"``."""
    text = unicodedata.normalize("NFC", str(name)).strip().lstrip("\ufeff").casefold()
    for umlaut, spelled in _UMLAUTS.items():
        text = text.replace(umlaut, spelled)
    return re.sub(r"[\s\-]+", "_", text)


@dataclass(frozen=True)
class Match:
    """Outcome of looking up one name.

    ``art`` is ``"exakt"`` (spelled as known), ``"normalisiert"`` (matched after normalising),
    ``"mehrdeutig"`` (several known names share the key; ``kandidaten`` lists them) or
    ``"unbekannt"`` (``vorschlag`` holds the closest known name, if any is close).
    """

    name: str | None
    art: Literal["exakt", "normalisiert", "mehrdeutig", "unbekannt"]
    kandidaten: tuple[str, ...] = ()
    vorschlag: str | None = None

    @property
    def ok(self) -> bool:
        """True where the name was resolved to exactly one known name."""
        return self.name is not None


class NameMatcher:
    """Resolve spellings to the canonical names of one list (e.g. the Quartiere of the geometry).

    Parameters
    ----------
    names
        The canonical names. Several names sharing a normalised key make that key ambiguous:
        it then matches none of them.
    cutoff
        Similarity (0–1, ``difflib`` ratio on normalised keys) a name must reach to be offered
        as a suggestion.
    """

    def __init__(self, names: Iterable[str], cutoff: float = 0.75) -> None:
        self.names = list(dict.fromkeys(str(n) for n in names))
        self.cutoff = cutoff
        self._by_key: dict[str, list[str]] = {}
        for n in self.names:
            self._by_key.setdefault(normalize_name(n), []).append(n)

    def match(self, name: str) -> Match:
        """Look ``name`` up: exact spelling first, then the normalised key."""
        if name in self.names:
            return Match(name, "exakt")
        candidates = self._by_key.get(normalize_name(name), [])
        if len(candidates) == 1:
            return Match(candidates[0], "normalisiert")
        if len(candidates) > 1:
            return Match(None, "mehrdeutig", kandidaten=tuple(candidates))
        return Match(None, "unbekannt", vorschlag=self.suggest(name))

    def suggest(self, name: str) -> str | None:
        """Closest known name, for a "Meinten Sie …?" in error messages."""
        return closest(name, self.names, cutoff=self.cutoff)


def closest(value: str, choices: Iterable[str], cutoff: float = 0.75) -> str | None:
    """The choice most similar to ``value`` after normalising both, or None if none is close."""
    choices = list(dict.fromkeys(str(c) for c in choices))
    keys: dict[str, str] = {}
    for c in choices:
        keys.setdefault(normalize_name(c) or c, c)
    key = normalize_name(value) or str(value)
    found = difflib.get_close_matches(key, list(keys), n=1, cutoff=cutoff)
    return keys[found[0]] if found else None


# -- names in sentences ------------------------------------------------------------------------
def benannt(namen: str | Iterable[str], begriff: object, fall: str = "nominativ") -> str:
    """Names with article and the city's noun: "das Sozialquartier Altstadt".

    Some place names take an article ("die Altstadt", "die Neue Mitte"), most do not
    ("Kleinfeld"), and no list of names can tell which: "den höchsten Wert hat Altstadt" is
    wrong, "… hat die Kleinfeld" wrong too. Putting the noun first is right for
    every name, in every city, because the article then belongs to the noun ("der Bezirk
    Mitte", "den Planungsräumen A und B", "dem Statistischen Bezirk Mitte"). ``begriff`` is a
    ``config.Begriff`` (name, mehrzahl, genus); ``fall`` is ``"nominativ"``, ``"genitiv"``,
    ``"dativ"`` or ``"akkusativ"``. Several names take the plural.
    """
    from sozialraum.fmt import aufzaehlung
    from sozialraum.grammatik import nomen

    liste = [namen] if isinstance(namen, str) else [str(n) for n in namen]
    if not liste:
        raise ValueError("benannt() braucht mindestens einen Namen.")
    if len(liste) == 1:
        return f"{nomen(begriff, fall)} {liste[0]}"
    return f"{nomen(begriff, fall, mehrzahl=True)} {aufzaehlung(liste)}"
