"""The city's own nouns in the config (``[begriffe]``, ``[stadt] veranstaltung``).

Cities name the same things differently (Sozialraum, Bezirk, Stadtteil; Sozialquartier,
Planungsraum, Statistischer Bezirk; Sozialindex, Index Soziale Ungleichheit), and German sentences
need the gender and the plural for their articles and endings. The models only hold the words;
:mod:`sozialraum.grammatik` declines them, so a sentence never glues an article in front of a
noun it does not know.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sozialraum import grammatik

_GENUS = "Grammatisches Geschlecht: m, f oder n"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


#: Article and adjective forms the report's sentences need, by grammatical gender.
_FORMEN = {
    "m": {"der": "der", "den": "den", "am": "am", "kein": "kein", "letzter": "letzter"},
    "f": {"der": "die", "den": "die", "am": "an der", "kein": "keine", "letzter": "letzte"},
    "n": {"der": "das", "den": "das", "am": "am", "kein": "kein", "letzter": "letztes"},
}


class Begriff(_Strict):
    """A noun the reports use, with its plural and grammatical gender.

    Cities name the same things differently (Sozialraum, Bezirk, Stadtteil; Sozialquartier,
    Planungsraum, Statistischer Bezirk), and German sentences need the gender for their
    articles: "der Bezirk", "die Sozialraumkonferenz", "das Sozialquartier". A leading
    adjective is declined too ("des Statistischen Bezirks"); ``genitiv`` and ``dativ_plural``
    are only needed for nouns the rules get wrong.
    """

    name: str = Field(description="Das Wort in der Einzahl, z. B. Bezirk")
    mehrzahl: str = Field(description="Das Wort in der Mehrzahl, z. B. Bezirke")
    genus: Literal["m", "f", "n"] = Field("m", description="Genus: m, f oder n (für der/die/das)")
    genitiv: str = Field(
        "",
        description="Genitiv Einzahl nach „des“/„der“, nur für unregelmäßige Nomen (z. B. "
        '"Herzens"); leer: nach der Regel (-s, -es)',
    )
    dativ_plural: str = Field(
        "",
        description="Dativ Mehrzahl nach „den“, nur für unregelmäßige Nomen; leer: nach der "
        "Regel (Mehrzahl + -n)",
    )

    def __str__(self) -> str:
        """The name as written, so that ``f"{begriff}"`` reads like the configured word."""
        return self.name

    def form(self, wort: str) -> str:
        """The form of ``der``, ``den``, ``am``, ``kein`` or ``letzter`` for this gender.

        Only for a single-word noun; a phrase with an adjective needs :meth:`nomen`.
        """
        return _FORMEN[self.genus][wort]

    def nomen(self, fall: grammatik.Fall = "nominativ", **kwargs: Any) -> str:
        """The noun phrase in ``fall`` (see :func:`sozialraum.grammatik.nomen`)."""
        return grammatik.nomen(self, fall, **kwargs)


class Veranstaltungsart(Begriff):
    """What the city calls its yearly event in each Sozialraum.

    Cities name it differently (Sozialraumkonferenz, Stadtteilforum, ...), and German sentences
    need its gender: "an der Sozialraumkonferenz", "am Stadtteilforum".
    """

    name: str = Field("Veranstaltung", description="Das Wort in der Einzahl")
    mehrzahl: str = Field("Veranstaltungen", description="Das Wort in der Mehrzahl")
    genus: Literal["m", "f", "n"] = Field("f", description="Genus: m, f oder n")


def _index_mehrzahl(name: str) -> str:
    """Plural of an index name: "Sozialindex" → "Sozialindizes", anything else unchanged."""
    worte = name.split()
    for i, wort in enumerate(worte):
        if wort.lower().endswith("index"):
            worte[i] = wort[: -len("index")] + ("indizes" if wort[-5].islower() else "Indizes")
            return " ".join(worte)
    return name


class Indexname(Begriff):
    """The name of an index: a string ("Armutsindex") or a table with gender and plural.

    The reports speak of the index ("des Sozialindex", "in den Index eingegangen"), so a name of
    another gender ("Soziale Lage", f) needs ``genus``; the plural is rarely needed and follows
    "-index" → "-indizes" unless given.
    """

    mehrzahl: str = Field("", description="Mehrzahl; leer: aus dem Namen (-index → -indizes)")
    genus: Literal["m", "f", "n"] = Field("m", description=_GENUS)

    @model_validator(mode="before")
    @classmethod
    def _aus_text(cls, value: Any) -> Any:
        """A plain string is the name of a masculine index."""
        if isinstance(value, str):
            return {"name": value}
        if not isinstance(value, dict | BaseModel):
            raise ValueError(
                f"{value!r} ist weder ein Name noch eine Tabelle. Erwartet: ein Name in "
                'Anführungszeichen (z. B. "Armutsindex") oder { name = "…", genus = "f" }'
            )
        return value

    @model_validator(mode="after")
    def _mehrzahl(self) -> Indexname:
        if not self.name.strip():
            raise ValueError("Der Name eines Index darf nicht leer sein.")
        if not self.mehrzahl:
            object.__setattr__(self, "mehrzahl", _index_mehrzahl(self.name))
        return self


#: What comparable monitoring systems are called; a city names its own series in the config.
VERGLEICHBARE_VERFAHREN = [
    "Monitoring Soziale Stadtentwicklung (Berlin)",
    "Sozialmonitoring Integrierte Stadtteilentwicklung (Hamburg)",
]


class Begriffe(_Strict):
    """The city's own words for its report units, areas, index and publication series.

    The defaults are the words of a typical NRW Sozialbericht; Berlin says "Bezirk",
    "Planungsraum" and "MSS 2021".
    """

    einheit: Begriff = Field(
        Begriff(name="Sozialraum", mehrzahl="Sozialräume", genus="m"),
        description="Die Berichtseinheit, je Einheit ein Bericht (Sozialraum, Bezirk, Stadtteil)",
    )
    gebiet: Begriff = Field(
        Begriff(name="Sozialquartier", mehrzahl="Sozialquartiere", genus="n"),
        description="Das kleinste Gebiet der Statistik (Sozialquartier, Planungsraum)",
    )
    index: Indexname = Field(
        Indexname(name="Sozialindex"),
        description='Name des Index in den Berichten: Text ("Sozialindex") oder Tabelle '
        '{ name = "Soziale Lage", genus = "f", mehrzahl = "…" }',
    )
    statusindex: Indexname = Field(
        Indexname(name="Statusindex"),
        description='Name des Statusindex (Text oder Tabelle wie bei index), z. B. "Armutsindex"',
    )
    dynamikindex: Indexname = Field(
        Indexname(name="Dynamikindex"),
        description="Name des Dynamikindex (Text oder Tabelle wie bei index), z. B. "
        '"Entwicklungsindex"',
    )
    reihe: str = Field(
        "Sozialbericht", description="Die Veröffentlichungsreihe, aus der die Statistik stammt"
    )
    ausgabe: str = Field(
        "",
        description='Name dieser Ausgabe (z. B. "MSS 2021"); Vorgabe: reihe und berichtsjahr',
    )
    vergleichbare_verfahren: list[str] = Field(
        default_factory=lambda: list(VERGLEICHBARE_VERFAHREN),
        description="Vergleichbare Verfahren, die der Methodenteil nennt (das eigene weglassen)",
    )
