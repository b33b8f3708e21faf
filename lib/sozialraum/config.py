"""Typed, read-only settings of one city, read from its TOML config file.

A typo in the config must be an error, not a silent default (``extra="forbid"``), and every path
is resolved against the config file so that a copied project works from its own folder.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sozialraum.config_begriffe import (  # noqa: F401 (re-exported)
    VERGLEICHBARE_VERFAHREN,
    Begriff,
    Begriffe,
    Indexname,
    Veranstaltungsart,
)

PROJECT_FILE = "pyproject.toml"
DEFAULT_CONFIG_DIR = "config"


class ConfigError(Exception):
    """The config file is missing or does not describe a city the workbook can use."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Stadt(_Strict):
    """The city as a whole."""

    name: str
    crs: str = "EPSG:25832"
    geometrie_version: str = Field(
        description="Named in every report, because comparisons break when boundaries change."
    )
    geometrie_schematisch: bool = False
    herausgeber: str = ""
    quellenangabe: str = Field(
        "", description="Attribution line the data licence asks for, printed on every page"
    )
    veranstaltung: Veranstaltungsart = Veranstaltungsart()
    logo: str = Field(
        "",
        description="Logo or coat of arms on the cover (PNG, JPEG or SVG), path relative to the "
        "config file; embedded in every report",
    )


class Termin(_Strict):
    """One event of a Sozialraum, as planned in the config (the events file must agree)."""

    runde: int
    datum: str = Field(description="ISO date YYYY-MM-DD, or YYYY-MM where only the month is known")


class Sozialraum(_Strict):
    """One Sozialraum: id used in the data, display name, slug for file names."""

    id: str
    name: str
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    termine: list[Termin] = []


class Indikator(_Strict):
    """One indicator of the Sozialindex, as the data dictionary describes it."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    label: str
    kurz: str
    zaehler: str = Field("", description="What the numerator counts (German, for the method page)")
    nenner: str = Field("", description="What the denominator counts")
    beschreibung: str = Field("", description="Definition of a published share (method page)")
    eingabe: Literal["anzahl", "anteil"] = "anzahl"
    veraenderung: Literal["berechnet", "veroeffentlicht"] = Field(
        "berechnet",
        description="'veroeffentlicht': the change in percentage points is published with the "
        "data (no earlier year needed); 'berechnet': computed from two years",
    )
    spalten: dict[Literal["anteil", "zaehler", "nenner", "veraenderung"], str] = Field(
        default_factory=dict,
        description="Columns of a wide indicator table holding this indicator's values",
    )
    richtung: Literal[1, -1] = Field(
        1, description="+1: a higher share means more poverty risk; -1: the opposite"
    )
    status: bool = True
    dynamik: bool = True

    @model_validator(mode="after")
    def _spalten(self) -> Indikator:
        if "veraenderung" in self.spalten and self.veraenderung != "veroeffentlicht":
            raise ValueError(
                f'Indikator "{self.id}": spalten.veraenderung nennt eine Spalte mit der '
                'veröffentlichten Veränderung; dann muss veraenderung = "veroeffentlicht" sein'
            )
        if self.eingabe == "anteil" and ({"zaehler", "nenner"} & set(self.spalten)):
            raise ValueError(
                f'Indikator "{self.id}" wird als Anteil eingegeben (eingabe = "anteil"): '
                "spalten.zaehler und spalten.nenner passen nicht dazu, gemeint ist spalten.anteil"
            )
        return self


class Klassen(_Strict):
    """Class limits, labels and colours shared by every map, table and sentence."""

    schwellen_typ: Literal["standardabweichung", "fest"] = "standardabweichung"
    schwellen: list[float]
    labels: list[str]
    farben: list[str]
    beschreibung: list[str] = []

    @model_validator(mode="after")
    def _consistent(self) -> Klassen:
        if sorted(self.schwellen) != list(self.schwellen):
            raise ValueError("schwellen müssen aufsteigend sortiert sein")
        n = len(self.schwellen) + 1
        if len(self.labels) != n or len(self.farben) != n:
            raise ValueError(
                f"{len(self.schwellen)} Schwellen ergeben {n} Klassen: labels und farben brauchen "
                f"je {n} Einträge (gefunden: {len(self.labels)} labels, {len(self.farben)} farben)"
            )
        if self.beschreibung and len(self.beschreibung) != n:
            raise ValueError(f"beschreibung braucht {n} Einträge (eine je Klasse)")
        bad = [f for f in self.farben if not re.fullmatch(r"#[0-9a-fA-F]{6}", f)]
        if bad:
            raise ValueError(
                "farben müssen Farben im Format #rrggbb sein (z. B. #b30000), nicht: "
                + ", ".join(bad)
            )
        return self


class Ausschluss(_Strict):
    """A Quartier left out of the standardisation, with the reason shown in reports.

    Written as ``{ quartier_id = "06", grund = "Erstaufnahmeeinrichtung" }``.
    """

    quartier_id: str
    grund: str


class Methode(_Strict):
    """Parameters of the Sozialindex method; cities differ, so none of this is fixed in code."""

    jahre: list[int]
    berichtsjahr: int
    vergleichsjahr: int
    kombination: Literal["mittelwert", "summe"] = "mittelwert"
    erneut_standardisieren: bool = False
    mindestfallzahl: int = Field(3, ge=1)
    mindestbevoelkerung: int = Field(300, ge=0)
    ausgeschlossen: list[Ausschluss] = []
    status: Klassen
    dynamik: Klassen
    mindeststimmen: int = Field(
        3, ge=1, description="Smallest dot count shown; smaller counts are suppressed"
    )
    sortierung: Literal["id", "name", "klasse"] = Field(
        "id",
        description="Order of area tables and CSV downloads: by area id, by name, or by status "
        "class (worst first, then id)",
    )

    @model_validator(mode="after")
    def _years(self) -> Methode:
        if self.berichtsjahr not in self.jahre:
            raise ValueError(f"berichtsjahr {self.berichtsjahr} fehlt in jahre = {self.jahre}")
        if self.vergleichsjahr >= self.berichtsjahr:
            raise ValueError(
                f"vergleichsjahr ({self.vergleichsjahr}) muss vor dem berichtsjahr "
                f"({self.berichtsjahr}) liegen"
            )
        return self


class Mentimeter(_Strict):
    """A Mentimeter results export holding the feedback words of one event."""

    veranstaltung_id: str
    datei: Path
    frage: str = Field(description="Start of the question text of the word-cloud slide")
    erfunden: bool = Field(False, description="The export holds invented sample answers")


class Gueltigkeit(_Strict):
    """A column that says whether an area is valid, and why not (Berlin's ``KOM``).

    An area whose cell holds one of ``gueltig`` is valid; any other text excludes it from the
    standardisation, and that text is the reason shown in the reports.
    """

    spalte: str
    gueltig: list[str] = Field(min_length=1)


class Tabelle(_Strict):
    """An input file as the statistics office publishes it, and how to read it.

    A plain path (``indikatoren = "../data/indikatoren.csv"``) means a file in the contract's own
    layout. A table ``{ datei = …, spalten = {…}, … }`` maps a published layout onto it without
    touching the file: column names, wide tables, missing-value markers, a validity column.
    """

    datei: Path
    form: Literal["lang", "breit"] = Field(
        "lang",
        description="'lang': one row per area, year and indicator; 'breit': one row per area, "
        "one column per indicator ([[indikatoren]] spalten)",
    )
    spalten: dict[str, str] = Field(
        default_factory=dict, description="contract column -> column header in the file"
    )
    fehlwerte: list[str] = Field(
        default_factory=list,
        description="Cell texts meaning 'no value' (e.g. '-9999', '.', '–', '' for empty)",
    )
    jahr: int | None = Field(None, description="Year of every row, for files without a year")
    gueltigkeit: Gueltigkeit | None = None


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

    Only the geometry and the indicators are needed. Population is needed where the method uses
    it (``mindestbevoelkerung``, weights of published shares); the events and the
    Handlungsempfehlungen are optional as a whole: a city without them configures none.
    """

    geometrie: Tabelle
    bevoelkerung: Tabelle | None = None
    indikatoren: Tabelle
    veranstaltungen: Tabelle | None = None
    stationen: Tabelle | None = None
    angebote: Tabelle | None = None
    fragen: Tabelle | None = None
    abstimmungen: Tabelle | None = None
    karten: Tabelle | None = None
    feedback: Tabelle | None = None
    mentimeter: list[Mentimeter] = []
    handlungsempfehlungen: Tabelle | None = None
    statusverlauf: Tabelle | None = None
    kanalregeln: Tabelle | None = None

    _as_table = field_validator(
        "geometrie",
        "bevoelkerung",
        "indikatoren",
        *EVENT_INPUTS,
        "handlungsempfehlungen",
        "statusverlauf",
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


class Abgleich(_Strict):
    """Published classes to compare the computed ones with (``sozialraum abgleich``).

    A city that publishes its index can prove the workbook reproduces it: every rated area must
    get the published status, dynamics and combined class, every area the publication leaves
    unrated must be "nicht bewertet" with the published reason.
    """

    datei: Path
    spalten: dict[Literal["quartier_id", "status", "dynamik", "kombi", "gueltigkeit"], str]
    kombi_muster: str = Field(
        "{status} / {dynamik}",
        description="How the file writes a combined class, e.g. 'Status {status} , Dynamik "
        "{dynamik}'",
    )
    gueltig: list[str] = Field(default_factory=lambda: ["gültig"])


class Bericht(_Strict):
    """Where the report notebooks live and where rendered reports go, relative to the config."""

    notebook_sozialraum: Path = Path("../notebooks/sozialraumbericht.ipynb")
    notebook_gesamtstadt: Path = Path("../notebooks/gesamtstadt.ipynb")
    ausgabe: Path = Path("../reports")
    zeitlimit_abschnitt: int = Field(
        900,
        ge=10,
        description="Seconds one report section (notebook cell) may take before it is stopped",
    )


class Config(_Strict):
    """The whole config of one city."""

    stadt: Stadt
    begriffe: Begriffe = Begriffe()
    sozialraeume: list[Sozialraum]
    indikatoren: list[Indikator]
    methode: Methode
    eingaben: Eingaben
    bericht: Bericht = Bericht()
    abgleich: Abgleich | None = None
    pfad: Path = Field(description="The config file itself (set by load_config)")

    @model_validator(mode="after")
    def _unique(self) -> Config:
        for what, values in (
            ("sozialraeume.id", [s.id for s in self.sozialraeume]),
            ("sozialraeume.slug", [s.slug for s in self.sozialraeume]),
            ("sozialraeume.name", [s.name for s in self.sozialraeume]),
            ("indikatoren.id", [i.id for i in self.indikatoren]),
        ):
            dupes = sorted({v for v in values if values.count(v) > 1})
            if dupes:
                raise ValueError(
                    f"{what} muss eindeutig sein; mehrfach vergeben: {', '.join(dupes)}"
                )
        if not self.sozialraeume:
            raise ValueError("[[sozialraeume]]: mindestens eine Einheit wird gebraucht")
        m = self.methode
        berechnet = [i.id for i in self.indikatoren if i.dynamik and i.veraenderung == "berechnet"]
        if berechnet and m.vergleichsjahr not in m.jahre:
            raise ValueError(
                f"vergleichsjahr {m.vergleichsjahr} fehlt in jahre = {m.jahre}; die Veränderung "
                f"von {', '.join(berechnet)} wird aus zwei Jahren berechnet (oder "
                'veraenderung = "veroeffentlicht" angeben, wenn sie mit den Daten kommt)'
            )
        if self.eingaben.bevoelkerung is None and m.mindestbevoelkerung > 0:
            raise ValueError(
                f"methode.mindestbevoelkerung = {m.mindestbevoelkerung} braucht die Einwohnerzahlen"
                " ([eingaben] bevoelkerung); ohne sie mindestbevoelkerung = 0 setzen"
            )
        breit = self.eingaben.indikatoren.form == "breit"
        for i in self.indikatoren:
            if breit and not i.spalten:
                raise ValueError(
                    f'Indikator "{i.id}": die Indikatortabelle ist breit (form = "breit"), dann '
                    "braucht jeder Indikator spalten = { anteil = … } bzw. { zaehler = …, "
                    "nenner = … }"
                )
        return self

    # -- lookups used throughout the package --------------------------------------------------
    @property
    def basis(self) -> Path:
        """Folder of the config file; every relative path is resolved against it."""
        return self.pfad.parent

    def datei(self, name: str) -> Path:
        """Absolute path of the input called ``name`` in ``[eingaben]``."""
        value = self.eingabe(name)
        if value is None:
            raise ConfigError(f"{self.pfad}: [eingaben] hat keinen Eintrag „{name}“")
        return (self.basis / value.datei).resolve()

    def eingabe(self, name: str) -> Tabelle | None:
        """How the input ``name`` is read (None if the city does not have it)."""
        return getattr(self.eingaben, name)

    @property
    def ausgabe(self) -> str:
        """Name of this edition of the statistics ("Sozialbericht 2023", "MSS 2021")."""
        b = self.begriffe
        return b.ausgabe or f"{b.reihe} {self.methode.berichtsjahr}"

    @property
    def mit_veranstaltungen(self) -> bool:
        """True when the city evaluates participation events."""
        return self.eingaben.mit_veranstaltungen

    @property
    def veraenderung_veroeffentlicht(self) -> bool:
        """True when every dynamics indicator comes with its published change."""
        dyn = [i for i in self.indikatoren if i.dynamik]
        return bool(dyn) and all(i.veraenderung == "veroeffentlicht" for i in dyn)

    def bericht_pfad(self, name: str) -> Path:
        """Absolute path of a ``[bericht]`` entry (notebooks, output folder)."""
        return (self.basis / getattr(self.bericht, name)).resolve()

    def sozialraum(self, key: str) -> Sozialraum:
        """Find a Sozialraum by id, slug or display name; the error lists the valid names."""
        for s in self.sozialraeume:
            if key in (s.id, s.slug, s.name):
                return s
        valid = ", ".join(f'"{s.name}"' for s in self.sozialraeume)
        raise ConfigError(f'Unbekannter {self.begriffe.einheit.name} "{key}". Gültig sind: {valid}')

    def indikator(self, key: str) -> Indikator:
        """Find an indicator by id."""
        for i in self.indikatoren:
            if i.id == key:
                return i
        raise ConfigError(f'Unbekannter Indikator "{key}"')


def termin_datum(value: str) -> dt.date:
    """Parse a Termin date; month precision (YYYY-MM) becomes the first of the month."""
    if len(value) == 7:
        return dt.date.fromisoformat(value + "-01")
    return dt.date.fromisoformat(value)


def find_default_config(start: Path | None = None) -> Path:
    """Locate the config of the project the user is working in.

    The project's ``pyproject.toml`` names it under ``[tool.sozialraum] config``; failing that, a
    single ``config/*.toml`` in the project folder is used. Searching upwards from the working
    directory lets analysts run commands from any subfolder (``notebooks/`` in JupyterLab).
    """
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        project = folder / PROJECT_FILE
        if project.is_file():
            with project.open("rb") as fh:
                tool = tomllib.load(fh).get("tool", {}).get("sozialraum", {})
            if "config" in tool:
                return (folder / tool["config"]).resolve()
        candidates = sorted((folder / DEFAULT_CONFIG_DIR).glob("*.toml"))
        if len(candidates) == 1:
            return candidates[0].resolve()
    raise ConfigError(
        f"Keine Konfiguration gefunden (gesucht ab {start}). Geben Sie --config an oder legen "
        "Sie im Projektordner eine config/<stadt>.toml an."
    )


def load_config(path: str | Path | None = None) -> Config:
    """Read and check a city's config; errors name the file and the offending key."""
    path = Path(path).resolve() if path else find_default_config()
    if not path.is_file():
        raise ConfigError(f"Konfigurationsdatei {path} existiert nicht.")
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        from sozialraum.config_syntax import toml_message

        raise ConfigError(toml_message(exc, path)) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: Die Konfiguration ist keine UTF-8-Textdatei (Byte {exc.start}). Tipp: im "
            "Editor als UTF-8 speichern."
        ) from exc
    if "pfad" in raw:
        raise ConfigError(
            f'{path}: Der Schlüssel "pfad" wird vom Programm gesetzt (die Konfigurationsdatei '
            "selbst) und darf nicht in der Datei stehen. Tipp: die Zeile löschen."
        )
    try:
        return Config(**raw, pfad=path)
    except ValidationError as exc:
        from sozialraum.config_errors import validation_message

        raise ConfigError(validation_message(exc, path, Config, internal=["pfad"])) from exc
