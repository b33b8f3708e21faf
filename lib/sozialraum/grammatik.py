"""German declension of the city's own nouns (``cfg.begriffe``) for the report's sentences.

Cities call their areas "Planungsraum", "Sozialregion" or "Statistischer Bezirk", and a sentence
that glues such a noun behind a fixed article goes wrong as soon as the noun has another gender
or an adjective: "der Statistische Bezirke", "Statistischer Bezirk-ID". Every sentence therefore
asks this module for the whole noun phrase in the case it needs: the article, a leading
adjective with its strong, weak or mixed ending, and the noun with its case ending
("des Statistischen Bezirks", "den Sozialen Stadtregionen").

A noun is anything with ``name``, ``mehrzahl`` and ``genus`` (``config.Begriff``), optionally
``genitiv`` and ``dativ_plural`` for irregular nouns (the form that follows the definite
article, e.g. ``genitiv = "Herzens"``). Leading adjectives are recognised from the config's own
forms: the singular ends in the strong ending of its gender ("Statistischer" m, "Soziale" f,
"Statistisches" n) and the plural in ``-e`` ("Statistische Bezirke"). Words after the noun
stay as written ("Index Soziale Ungleichheit" → "des Index Soziale Ungleichheit").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Fall = Literal["nominativ", "genitiv", "dativ", "akkusativ"]
Artikel = Literal["der", "ein", "kein"] | None

#: Definite article by case and gender ("p": plural).
_DER = {
    "nominativ": {"m": "der", "f": "die", "n": "das", "p": "die"},
    "genitiv": {"m": "des", "f": "der", "n": "des", "p": "der"},
    "dativ": {"m": "dem", "f": "der", "n": "dem", "p": "den"},
    "akkusativ": {"m": "den", "f": "die", "n": "das", "p": "die"},
}
#: Indefinite article ("ein"); "kein" is the same with a leading k and has a plural.
_EIN = {
    "nominativ": {"m": "ein", "f": "eine", "n": "ein", "p": "eine"},
    "genitiv": {"m": "eines", "f": "einer", "n": "eines", "p": "einer"},
    "dativ": {"m": "einem", "f": "einer", "n": "einem", "p": "einen"},
    "akkusativ": {"m": "einen", "f": "eine", "n": "ein", "p": "eine"},
}
#: Adjective endings without article (strong), after "der" (weak) and after "ein" (mixed).
_STARK = {
    "nominativ": {"m": "er", "f": "e", "n": "es", "p": "e"},
    "genitiv": {"m": "en", "f": "er", "n": "en", "p": "er"},
    "dativ": {"m": "em", "f": "er", "n": "em", "p": "en"},
    "akkusativ": {"m": "en", "f": "e", "n": "es", "p": "e"},
}
_SCHWACH = {
    "nominativ": {"m": "e", "f": "e", "n": "e", "p": "en"},
    "genitiv": {"m": "en", "f": "en", "n": "en", "p": "en"},
    "dativ": {"m": "en", "f": "en", "n": "en", "p": "en"},
    "akkusativ": {"m": "en", "f": "e", "n": "e", "p": "en"},
}
_GEMISCHT = {
    "nominativ": {"m": "er", "f": "e", "n": "es", "p": "en"},
    "genitiv": {"m": "en", "f": "en", "n": "en", "p": "en"},
    "dativ": {"m": "en", "f": "en", "n": "en", "p": "en"},
    "akkusativ": {"m": "en", "f": "e", "n": "es", "p": "en"},
}
_ENDUNGEN = {"der": _SCHWACH, "ein": _GEMISCHT, None: _STARK}

#: Latin loanwords that keep their form in the genitive ("des Sozialindex").
_GENITIV_OHNE_ENDUNG = ("index",)
#: Adverbial words before an adjective that take no ending ("lebensweltlich orientierter Raum").
_UNGEBEUGT = ("lich", "isch", "ig", "bar", "al", "iv")


@dataclass(frozen=True)
class _Wort:
    """A noun given as plain text (an index name from an older caller): masculine, no plural."""

    name: str
    mehrzahl: str
    genus: str = "m"


def _begriff(begriff: Any) -> Any:
    """``begriff`` itself, or a masculine noun where a caller passes plain text."""
    return _Wort(begriff, begriff) if isinstance(begriff, str) else begriff


@dataclass(frozen=True)
class _Teile:
    """A configured noun split into what is declined and what stays as written."""

    vorn: tuple[tuple[str, bool], ...]  # words before the noun: (stem or word, declined?)
    kopf: str  # the noun, singular
    kopf_mehrzahl: str  # the noun, plural
    hinten: str  # words after the noun, as written (may be "")
    hinten_mehrzahl: str


def _teile(begriff: Any) -> _Teile:
    """Split ``begriff`` into leading adjectives, the noun and trailing words."""
    genus = begriff.genus
    worte, mehr = str(begriff.name).split(), str(begriff.mehrzahl).split()
    endung = _STARK["nominativ"][genus]
    vorn: list[tuple[str, bool]] = []
    if not worte or not mehr:
        return _Teile((), " ".join(worte), " ".join(mehr), "", "")
    if len(worte) == len(mehr):
        for i, (wort, plural) in enumerate(zip(worte[:-1], mehr[:-1], strict=True)):
            stamm = wort[: -len(endung)]
            if wort.endswith(endung) and stamm and plural == stamm + "e":
                vorn.append((stamm, True))
            elif wort == plural and wort.lower().endswith(_UNGEBEUGT) and i + 1 < len(worte) - 1:
                vorn.append((wort, False))  # an adverb before a further adjective
            else:
                break
        n = len(vorn)
        return _Teile(
            tuple(vorn),
            worte[n],
            mehr[n],
            " ".join(worte[n + 1 :]),
            " ".join(mehr[n + 1 :]),
        )
    if len(worte) > 1 and len(mehr) > 1 and worte[1:] == mehr[1:]:
        return _Teile((), worte[0], mehr[0], " ".join(worte[1:]), " ".join(mehr[1:]))
    return _Teile((), " ".join(worte), " ".join(mehr), "", "")


def _genitiv_endung(wort: str) -> str:
    """``-es`` after a hissing sound (Kreises), nothing for Latin loanwords, otherwise ``-s``."""
    lower = wort.lower()
    if lower.endswith(_GENITIV_OHNE_ENDUNG):
        return ""
    if lower[-1:] in ("s", "ß", "x", "z"):
        return "es"
    return "s"


def _kopf(begriff: Any, teile: _Teile, fall: Fall, mehrzahl: bool) -> str:
    """The noun itself in ``fall``: genitive ``-s`` (m, n), dative plural ``-n``."""
    if mehrzahl:
        if fall != "dativ":
            return teile.kopf_mehrzahl
        explizit = str(getattr(begriff, "dativ_plural", "") or "")
        if explizit:
            worte = explizit.split()
            return worte[len(teile.vorn)] if len(worte) > len(teile.vorn) else explizit
        wort = teile.kopf_mehrzahl
        return wort if wort[-1:] in ("n", "s") else wort + "n"
    if fall != "genitiv" or begriff.genus == "f":
        return teile.kopf
    explizit = str(getattr(begriff, "genitiv", "") or "")
    if explizit:
        worte = explizit.split()
        return worte[len(teile.vorn)] if len(worte) > len(teile.vorn) else explizit
    return teile.kopf + _genitiv_endung(teile.kopf)


def ohne_artikel(
    begriff: Any,
    fall: Fall = "nominativ",
    *,
    mehrzahl: bool = False,
    nach: Artikel = None,
    adjektiv: str = "",
) -> str:
    """The noun phrase without an article, for a sentence that writes its own determiner.

    ``nach`` tells which kind of word precedes: ``"der"`` for the definite article and words
    declined like it ("alle", "diese", "ihre" in the plural: weak endings), ``"ein"`` for the
    indefinite article and possessives in the singular (mixed endings), ``None`` for nothing or
    a number (strong endings): "alle Statistischen Bezirke", "12 Statistische Bezirke".
    ``adjektiv`` is the stem of an adjective the sentence puts before the noun ("bewertet",
    "letzt"); it takes the same ending: "die bewerteten Statistischen Bezirke".
    """
    begriff = _begriff(begriff)
    teile = _teile(begriff)
    schluessel = "p" if mehrzahl else begriff.genus
    art = "der" if nach == "kein" and mehrzahl else ("ein" if nach == "kein" else nach)
    endung = _ENDUNGEN[art][fall][schluessel]
    vorn = ((adjektiv, True),) * bool(adjektiv) + teile.vorn
    worte = [stamm + endung if gebeugt else stamm for stamm, gebeugt in vorn]
    worte.append(_kopf(begriff, teile, fall, mehrzahl))
    hinten = teile.hinten_mehrzahl if mehrzahl else teile.hinten
    if hinten:
        worte.append(hinten)
    return " ".join(worte)


def artikel(
    begriff: Any, fall: Fall = "nominativ", *, mehrzahl: bool = False, art: str = "der"
) -> str:
    """Only the article ("der", "ein", "kein") in ``fall``; "" for "ein" in the plural."""
    begriff = _begriff(begriff)
    schluessel = "p" if mehrzahl else begriff.genus
    if art == "der":
        return _DER[fall][schluessel]
    if art == "ein":
        return "" if mehrzahl else _EIN[fall][schluessel]
    if art == "kein":
        return "k" + _EIN[fall][schluessel]
    raise ValueError(f'Unbekannter Artikel "{art}": gültig sind der, ein, kein.')


def nomen(
    begriff: Any,
    fall: Fall = "nominativ",
    *,
    mehrzahl: bool = False,
    art: Artikel = "der",
    adjektiv: str = "",
) -> str:
    """The noun phrase with its article: "des Statistischen Bezirks", "keine Soziale Region".

    ``art`` is ``"der"`` (definite), ``"ein"`` (indefinite; the plural has none and takes
    strong endings) or ``"kein"``; ``None`` gives the phrase without article (strong endings).
    ``adjektiv`` as in :func:`ohne_artikel` ("der letzte Statistische Bezirk").
    """
    if art is None or (art == "ein" and mehrzahl):
        return ohne_artikel(begriff, fall, mehrzahl=mehrzahl, adjektiv=adjektiv)
    return f"{artikel(begriff, fall, mehrzahl=mehrzahl, art=art)} " + ohne_artikel(
        begriff, fall, mehrzahl=mehrzahl, nach=art, adjektiv=adjektiv
    )


def genitiv(begriff: Any) -> str:
    """Genitive singular with article: "des Bezirks", "der Sozialen Stadtregion"."""
    return nomen(begriff, "genitiv")


def genitiv_plural(begriff: Any) -> str:
    """Genitive plural with article: "der Statistischen Bezirke"."""
    return nomen(begriff, "genitiv", mehrzahl=True)


def dativ(begriff: Any) -> str:
    """Dative singular with article: "dem Statistischen Bezirk", "der Region"."""
    return nomen(begriff, "dativ")


def dativ_plural(begriff: Any) -> str:
    """Dative plural without article: "Bezirken", "Statistischen Bezirken".

    Strong and weak endings coincide in the dative plural, so the form fits after "den", after
    a number ("von 5 bewerteten …") and alone.
    """
    return ohne_artikel(begriff, "dativ", mehrzahl=True, nach="der")


def im(begriff: Any) -> str:
    """The preposition "in" with the dative: "im Statistischen Bezirk", "in der Region"."""
    begriff = _begriff(begriff)
    text = dativ(begriff)
    return "im " + text[4:] if begriff.genus != "f" else "in " + text


def am(begriff: Any) -> str:
    """The preposition "an" with the dative: "am Stadtteilforum", "an der Konferenz"."""
    begriff = _begriff(begriff)
    text = dativ(begriff)
    return ("an " + text) if begriff.genus == "f" else "am " + text[4:]


def zu(begriff: Any) -> str:
    """The preposition "zu" with the dative: "zum Statistischen Bezirk", "zur Region"."""
    begriff = _begriff(begriff)
    text = dativ(begriff)
    return ("zur " if begriff.genus == "f" else "zum ") + text[4:]


def gross(text: str) -> str:
    """The first letter upper case, the rest as written ("der Statistische …" → "Der …").

    ``str.capitalize`` would lower the rest ("Der statistische bezirk").
    """
    return text[:1].upper() + text[1:]


def und(erster: Any, zweiter: Any) -> str:
    """Two names joined by "und", a shared "-index" abbreviated: "Status- und Dynamikindex".

    Names without the shared ending are joined in full ("Armutslage und Entwicklungsindex").
    """
    a, b = str(erster), str(zweiter)
    if " " not in a + b and a.endswith("index") and b.endswith("index") and len(a) > 5:
        return f"{a[:-5]}- und {b}"
    return f"{a} und {b}"


def keiner(begriff: Any) -> str:
    """The pronoun "none of them" in the noun's gender: "keiner", "keine", "keines"."""
    return {"m": "keiner", "f": "keine", "n": "keines"}[begriff.genus]


def kompositum(begriff: Any, grundwort: str) -> str:
    """The noun joined to ``grundwort``: "Statusindex-Klassen", "Klassen des Index Soziale …".

    A single word takes the hyphenated compound; a phrase cannot ("Statistischer Bezirk-ID" is
    wrong), so ``grundwort`` comes first and the noun follows in the genitive.
    """
    name = str(begriff.name).strip()
    if " " not in name:
        return f"{name}-{grundwort}"
    return f"{grundwort} {genitiv(begriff)}"


def id_name(begriff: Any) -> str:
    """Label of the noun's id: "Sozialquartier-ID", "ID des Statistischen Bezirks"."""
    return kompositum(begriff, "ID")
