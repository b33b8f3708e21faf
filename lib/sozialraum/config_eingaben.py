"""Where a city's input files are and how each is read: the [eingaben] section of the config."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from sozialraum.config_einheiten import Korrektur
from sozialraum.config_klassen import _Strict


class Mentimeter(_Strict):
    """A Mentimeter results export holding the feedback words of one event."""

    veranstaltung_id: str = Field(description="ID der Veranstaltung")
    datei: Path = Field(description="Pfad zum Export (.xlsx)")
    frage: str = Field(description="Anfang des Fragetexts der Wortwolken-Folie")
    erfunden: bool = Field(False, description="Der Export enthält erfundene Beispielantworten")


class Gueltigkeit(_Strict):
    """A column that says whether an area is valid, and why not (Berlin's ``KOM``).

    An area whose cell holds one of ``gueltig`` is valid; any other text excludes it from the
    standardisation, and that text is the reason shown in the reports.
    """

    spalte: str = Field(description="Name der Spalte in der Datei")
    gueltig: list[str] = Field(min_length=1, description="Texte, die gültig bedeuten")


class Tabelle(_Strict):
    """An input file as the statistics office publishes it, and how to read it.

    A plain path (``indikatoren = "../data/indikatoren.csv"``) means a file in the contract's own
    layout. A table ``{ datei = …, spalten = {…}, … }`` maps a published layout onto it without
    touching the file: column names, wide tables, missing-value markers, a validity column.
    """

    datei: Path = Field(description="Pfad zur Datei (CSV, XLSX oder JSON)")
    form: Literal["lang", "breit"] = Field(
        "lang",
        description='"lang": eine Zeile je Gebiet, Jahr und Indikator; "breit": eine Zeile je '
        "Gebiet, eine Spalte je Indikator ([[indikatoren]] spalten)",
    )
    spalten: dict[str, str] = Field(
        default_factory=dict,
        description="Spaltenname, den das Programm erwartet -> Spaltenkopf in der Datei",
    )
    fehlwerte: list[str] = Field(
        default_factory=list,
        description="Zellinhalte, die „kein Wert“ bedeuten (z. B. '-9999', '.', '–', '' für leer)",
    )
    jahr: int | None = Field(None, description="Jahr aller Zeilen, für Dateien ohne Jahr")
    gueltigkeit: Gueltigkeit | None = Field(None, description="Spalte mit der Gültigkeit")
    datensaetze: str | None = Field(
        None,
        description="Nur für JSON-Dateien: Schlüsselpfad zur Liste der Datensätze, Ebenen durch "
        'Punkte getrennt (z. B. "daten.gebiete"); ohne Angabe ist die Datei selbst die Liste',
    )


class Geometrietabelle(Tabelle):
    """The geometry input: a :class:`Tabelle` plus declared corrections of feature ids."""

    korrekturen: list[Korrektur] = Field(
        default_factory=list,
        description="Korrekturen falscher oder doppelter IDs der Geometrie, beim Lesen angewandt "
        "und im Methodenteil genannt: [{ merkmal = 17, id = '…', neue_id = '…', grund = '…' }]",
    )


def _tabelle(value: object) -> object:
    """Accept a plain path where a :class:`Tabelle` is expected."""
    if isinstance(value, str | Path):
        return {"datei": value}
    return value


#: Inputs of the participation part; a city without events configures none of them.
EVENT_INPUTS = (
    "veranstaltungen",
    "stationen",
    "angebote",
    "fragen",
    "abstimmungen",
    "karten",
    "feedback",
    "kanalregeln",
)


class Eingaben(_Strict):
    """Input files, relative to the config file.

    Only the geometry and the indicators are needed; a city whose office publishes only a
    finished index gives ``index`` instead of the indicators. Population is needed where the
    method uses it (``mindestbevoelkerung``, weights of published shares); the events and the
    Handlungsempfehlungen are optional as a whole: a city without them configures none.
    """

    geometrie: Geometrietabelle = Field(description="Die Flächen der Gebiete")
    bevoelkerung: Tabelle | None = Field(None, description="Einwohnerzahlen je Gebiet und Jahr")
    indikatoren: Tabelle | None = Field(
        None,
        description="Die Werte der Indikatoren; darf fehlen, wenn die Stadt nur einen "
        'veröffentlichten Index hat ([methode.status] quelle = "wert" oder "klasse", ohne '
        "[[indikatoren]])",
    )
    veranstaltungen: Tabelle | None = Field(None, description="Die Veranstaltungen")
    stationen: Tabelle | None = Field(None, description="Stationen der Veranstaltungen")
    angebote: Tabelle | None = Field(None, description="Angebote je Station")
    fragen: Tabelle | None = Field(None, description="Fragen der Veranstaltungen")
    abstimmungen: Tabelle | None = Field(None, description="Ergebnisse der Abstimmungen")
    karten: Tabelle | None = Field(None, description="Texte der Moderationskarten")
    feedback: Tabelle | None = Field(None, description="Feedback-Wörter")
    mentimeter: list[Mentimeter] = Field([], description="Mentimeter-Exporte")
    handlungsempfehlungen: Tabelle | None = Field(None, description="Die Handlungsempfehlungen")
    statusverlauf: Tabelle | None = Field(None, description="Verlauf der Empfehlungen")
    kanalregeln: Tabelle | None = Field(None, description="Regeln für die Kanäle")
    index: Tabelle | None = Field(
        None,
        description="Der veröffentlichte Index (Werte, Teilindizes oder Klassen je Gebiet), für "
        '[methode.status] / [methode.dynamik] mit quelle = "wert" oder "klasse"; darf dieselbe '
        "Datei wie die Indikatoren sein",
    )

    _as_table = field_validator(
        "geometrie",
        "bevoelkerung",
        "indikatoren",
        *EVENT_INPUTS,
        "handlungsempfehlungen",
        "statusverlauf",
        "index",
        mode="before",
    )(_tabelle)

    @model_validator(mode="after")
    def _events_complete(self) -> Eingaben:
        needed = ("veranstaltungen", "stationen", "angebote", "fragen")
        given = [n for n in needed if getattr(self, n) is not None]
        if given and len(given) != len(needed):
            missing = [n for n in needed if getattr(self, n) is None]
            raise ValueError(
                "Veranstaltungen brauchen die Dateien "
                + ", ".join(needed)
                + "; es fehlen: "
                + ", ".join(missing)
                + " (oder keine davon angeben, wenn die Stadt keine Veranstaltungen auswertet)"
            )
        if self.mentimeter and self.veranstaltungen is None:
            raise ValueError("[[eingaben.mentimeter]] braucht [eingaben] veranstaltungen")
        if self.statusverlauf is not None and self.handlungsempfehlungen is None:
            raise ValueError("[eingaben] statusverlauf braucht [eingaben] handlungsempfehlungen")
        return self

    @property
    def mit_veranstaltungen(self) -> bool:
        """True when the city evaluates participation events."""
        return self.veranstaltungen is not None


def indikatoren_fehler(cfg: Any) -> str | None:
    """The German message when a config has neither indicators nor a published index, else None.

    A city whose office publishes only a finished index (``quelle = "wert"`` or ``"klasse"``)
    has no indicator values: ``[[indikatoren]]`` and ``[eingaben] indikatoren`` may then be left
    out, for the status index and, if configured, the Dynamikindex. Anything computed needs
    both; indicators without their file, or a file without indicators, are rejected so that
    nothing configured is silently ignored.

    Parameters
    ----------
    cfg
        A :class:`~sozialraum.config.Config` under construction (its fields are set).
    """
    m = cfg.methode
    tabelle = cfg.eingaben.indikatoren
    if cfg.indikatoren and tabelle is None:
        return (
            "[[indikatoren]] braucht die Datei mit ihren Werten: [eingaben] indikatoren = "
            '"…" (oder die [[indikatoren]] streichen, wenn nur ein veröffentlichter Index '
            'vorliegt: [methode.status] quelle = "wert" oder "klasse")'
        )
    if cfg.indikatoren:
        return None
    berechnet = [
        f"[methode.{art}]"
        for art in ("status", "dynamik")
        if getattr(m, art, None) is not None and not getattr(m, art).gegeben
    ]
    if berechnet:
        return (
            "Es fehlen die Indikatoren ([[indikatoren]] und [eingaben] indikatoren), aus denen "
            f"{' und '.join(berechnet)} berechnet wird. Nötig sind entweder Indikatoren oder ein "
            'veröffentlichter Index: [methode.status] quelle = "wert" (mit spalte = "…" des '
            'Indexwerts) oder quelle = "klasse" (mit spalte und klassenwerte), dazu '
            '[eingaben.index] datei = "…"'
        )
    if tabelle is not None:
        return (
            f"[eingaben] indikatoren = {str(tabelle.datei)!r} ist angegeben, aber es gibt keine "
            "[[indikatoren]]: entweder die Indikatoren der Datei als [[indikatoren]] eintragen "
            "oder [eingaben] indikatoren streichen (der Index kommt aus [eingaben.index])"
        ).replace("'", '"')
    return None
