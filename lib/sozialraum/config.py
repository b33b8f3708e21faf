"""Typed, read-only settings of one city, read from its TOML config file.

A typo in the config must be an error, not a silent default (``extra="forbid"``), and every path
is resolved against the config file so that a copied project works from its own folder.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from sozialraum.config_eingaben import Eingaben, Tabelle, indikatoren_fehler
from sozialraum.config_klassen import Klassen, Teilindex, _Strict

__all__ = ["Klassen", "Teilindex"]  # re-exported: the rest of the package imports them from here

from sozialraum.config_begriffe import (  # noqa: F401 (re-exported)
    VERGLEICHBARE_VERFAHREN,
    Begriff,
    Begriffe,
    Indexname,
    Veranstaltungsart,
)
from sozialraum.config_dynamik import dynamik_fehler
from sozialraum.config_einheiten import (
    Einheiten,
    EinheitenFehler,
    einheiten_pruefen,
    mit_stadt_einheit,
    namen_lesen,
)

PROJECT_FILE = "pyproject.toml"
DEFAULT_CONFIG_DIR = "config"


class ConfigError(Exception):
    """The config file is missing or does not describe a city the workbook can use."""


class Stadt(_Strict):
    """The city as a whole."""

    name: str = Field(description="Name der Stadt, wie er in den Berichten steht")
    crs: str = Field(
        "EPSG:25832",
        description="Projiziertes Koordinatenbezugssystem der Karten in Metern (EPSG-Code); die "
        "Geometrie darf in jedem System vorliegen, sie wird umgerechnet",
    )
    geometrie_version: str = Field(
        description="Steht in jedem Bericht, weil Vergleiche nicht mehr stimmen, wenn sich Grenzen "
        "ändern"
    )
    geometrie_schematisch: bool = Field(False, description="true: die Flächen sind nur schematisch")
    herausgeber: str = Field("", description="Herausgeber der Berichte (Amt, Dienststelle)")
    quellenangabe: str = Field(
        "", description="Quellenangabe, die die Datenlizenz verlangt; steht auf jeder Seite"
    )
    veranstaltung: Veranstaltungsart = Field(
        Veranstaltungsart(), description="Wie die Stadt ihre jährliche Veranstaltung nennt"
    )
    logo: str = Field(
        "",
        description="Logo oder Wappen auf dem Titelblatt (PNG, JPEG oder SVG), Pfad relativ zur "
        "Konfigurationsdatei; in jeden Bericht eingebettet",
    )

    @field_validator("crs")
    @classmethod
    def _crs(cls, value: str) -> str:
        # pyproj is imported here only: reading a config must not load it for every command
        from pyproj import CRS
        from pyproj.exceptions import CRSError

        try:
            crs = CRS.from_user_input(value)
        except CRSError:
            raise ValueError(
                f"„{value}“ ist kein bekanntes Koordinatenreferenzsystem; erwartet wird ein "
                "EPSG-Code wie „EPSG:25832“ (ETRS89 / UTM 32N) oder „EPSG:25833“ (UTM 33N)"
            ) from None
        if not crs.is_projected:
            raise ValueError(
                f"„{value}“ misst in Grad, die Karten brauchen ein projiziertes System in Metern, "
                "z. B. „EPSG:25832“ (ETRS89 / UTM 32N); die Geometrie selbst darf in jedem "
                "System vorliegen, sie wird umgerechnet"
            )
        return value


class Termin(_Strict):
    """One event of a Sozialraum, as planned in the config (the events file must agree)."""

    runde: int = Field(description="Nummer der Runde der Veranstaltungen")
    datum: str = Field(
        description="ISO-Datum JJJJ-MM-TT, oder JJJJ-MM, wenn nur der Monat bekannt ist"
    )


class Sozialraum(_Strict):
    """One Sozialraum: id used in the data, display name, slug for file names."""

    id: str = Field(description="ID der Einheit, wie sie in den Daten steht")
    name: str = Field(description="Name der Einheit in den Berichten")
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Kurzname für Dateinamen")
    termine: list[Termin] = Field([], description="Termine der Veranstaltungen")


class Indikator(_Strict):
    """One indicator of the Sozialindex, as the data dictionary describes it."""

    id: str = Field(pattern=r"^[a-z0-9_]+$", description="Kurze ID des Indikators, z. B. sgb2")
    label: str = Field(description="Name des Indikators in den Berichten")
    kurz: str = Field(description="Kurzer Name für Tabellen und Karten")
    zaehler: str = Field(
        "", description="Was der Zähler zählt (deutscher Text für den Methodenteil)"
    )
    nenner: str = Field("", description="Was der Nenner zählt")
    beschreibung: str = Field(
        "", description="Definition eines veröffentlichten Anteils (Methodenteil)"
    )
    eingabe: Literal["anzahl", "anteil"] = Field("anzahl", description="Zähler/Nenner oder Anteil")
    veraenderung: Literal["berechnet", "veroeffentlicht"] = Field(
        "berechnet",
        description='"veroeffentlicht": die Veränderung in Prozentpunkten wird mit den Daten '
        'veröffentlicht (kein früheres Jahr nötig); "berechnet": aus zwei Jahren berechnet',
    )
    spalten: dict[Literal["anteil", "zaehler", "nenner", "veraenderung"], str] = Field(
        default_factory=dict,
        description="Spalten einer breiten Indikatorentabelle mit den Werten dieses Indikators",
    )
    richtung: Literal[1, -1] = Field(
        1, description="+1: ein höherer Anteil bedeutet mehr Armutsrisiko; -1: umgekehrt"
    )
    status: bool = Field(True, description="Geht in den Statusindex ein")
    dynamik: bool = Field(True, description="Geht in den Dynamikindex ein")

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


class Ausschluss(_Strict):
    """A Quartier left out of the standardisation, with the reason shown in reports.

    Written as ``{ quartier_id = "06", grund = "Erstaufnahmeeinrichtung" }``.
    """

    quartier_id: str = Field(description="ID des Gebiets")
    grund: str = Field(description="Grund, steht in den Berichten")


class Methode(_Strict):
    """Parameters of the Sozialindex method; cities differ, so none of this is fixed in code."""

    jahre: list[int] = Field(description="Alle Jahre, die die Daten enthalten")
    berichtsjahr: int = Field(description="Das Jahr, über das berichtet wird")
    vergleichsjahr: int | None = Field(
        None,
        description="Das frühere Jahr, von dem an die Veränderung gerechnet wird (braucht "
        "[methode.dynamik]); ohne Veränderungsdaten weglassen, dann gibt es keinen Dynamikindex",
    )
    kombination: Literal["mittelwert", "summe"] = Field(
        "mittelwert", description="Mittelwert oder Summe der z-Werte"
    )
    erneut_standardisieren: bool = Field(False, description="Den Index erneut standardisieren")
    mindestfallzahl: int = Field(3, ge=1, description="Kleinere Fallzahlen werden unterdrückt")
    mindestbevoelkerung: int = Field(300, ge=0, description="Kleinere Gebiete: unbewertet")
    ausgeschlossen: list[Ausschluss] = Field([], description="Gebiete, die nicht bewertet werden")
    status: Klassen = Field(description="Klassen des Statusindex")
    dynamik: Klassen | None = Field(
        None,
        description="Klassen des Dynamikindex; ohne Veränderungsdaten weglassen (kein "
        "Dynamikindex, keine Kombination aus Status und Dynamik)",
    )
    mindeststimmen: int = Field(
        3,
        ge=1,
        description="Kleinste gezeigte Zahl von Klebepunkten; kleinere Zahlen werden unterdrückt",
    )
    sortierung: Literal["id", "name", "klasse"] = Field(
        "id",
        description="Reihenfolge der Gebietstabellen und CSV-Dateien zum Herunterladen: nach ID "
        "des Gebiets, nach Namen oder nach Statusklasse (schlechteste zuerst, dann nach ID)",
    )

    @model_validator(mode="after")
    def _years(self) -> Methode:
        if self.berichtsjahr not in self.jahre:
            raise ValueError(f"berichtsjahr {self.berichtsjahr} fehlt in jahre = {self.jahre}")
        if self.vergleichsjahr is not None and self.vergleichsjahr >= self.berichtsjahr:
            raise ValueError(
                f"vergleichsjahr ({self.vergleichsjahr}) muss vor dem berichtsjahr "
                f"({self.berichtsjahr}) liegen"
            )
        return self


class Abgleich(_Strict):
    """Published classes to compare the computed ones with (``sozialraum abgleich``).

    A city that publishes its index can prove the workbook reproduces it: every rated area must
    get the published status, dynamics and combined class, every area the publication leaves
    unrated must be "nicht bewertet" with the published reason.
    """

    datei: Path = Field(description="Die amtliche Datei mit den Klassen")
    spalten: dict[Literal["quartier_id", "status", "dynamik", "kombi", "gueltigkeit"], str] = Field(
        description="Spalte der amtlichen Datei je Rolle; quartier_id und status sind Pflicht"
    )
    kombi_muster: str = Field(
        "{status} / {dynamik}",
        description="Wie die Datei eine kombinierte Klasse schreibt, z. B. 'Status {status} , "
        "Dynamik {dynamik}'",
    )
    gueltig: list[str] = Field(default_factory=lambda: ["gültig"], description="Texte für gültig")

    @model_validator(mode="after")
    def _pflichtspalten(self) -> Abgleich:
        missing = [k for k in ("quartier_id", "status") if k not in self.spalten]
        if missing:
            raise ValueError(
                "spalten braucht " + " und ".join(missing) + " (die Spalten der amtlichen Datei "
                'mit der Gebiets-ID und der Statusklasse), z. B. { quartier_id = "ID", status = '
                '"Status" }; dynamik, kombi und gueltigkeit sind freiwillig'
            )
        return self


class Bericht(_Strict):
    """Where the report notebooks live and where rendered reports go, relative to the config.

    Without an entry, a config in a project (``config/`` beside ``notebooks/``) uses the
    project's notebooks and ``../reports``; a config anywhere else (a folder of a city's files,
    as ``sozialraum init`` writes it) uses the workbook's own notebooks and ``berichte/`` beside
    the config.
    """

    notebook_sozialraum: Path = Field(
        Path("../notebooks/sozialraumbericht.ipynb"),
        description="Notebook für den Bericht je Einheit; Vorgabe: das des Projekts, sonst das "
        "des Workbooks",
    )
    notebook_gesamtstadt: Path = Field(
        Path("../notebooks/gesamtstadt.ipynb"),
        description="Notebook für den Überblick über die Stadt; Vorgabe wie notebook_sozialraum",
    )
    ausgabe: Path = Field(
        Path("../reports"),
        description="Ordner der fertigen Berichte; Vorgabe: ../reports in einem Projekt, sonst "
        "berichte/ neben der Konfiguration",
    )
    zeitlimit_abschnitt: int = Field(
        900,
        ge=10,
        description="Sekunden, die ein Abschnitt des Berichts (Notebook-Zelle) dauern darf, bevor "
        "er abgebrochen wird",
    )


class Config(_Strict):
    """The whole config of one city."""

    stadt: Stadt = Field(description="Die Stadt: Name, Koordinatensystem, Herausgeber")
    begriffe: Begriffe = Field(Begriffe(), description="Eigene Wörter der Stadt")
    einheiten: Einheiten = Field(
        Einheiten(),
        description="Woher die Berichtseinheit jedes Gebiets kommt (Vorgabe: aus der Geometrie)",
    )
    sozialraeume: list[Sozialraum] = Field(
        default_factory=list,
        description="Die Berichtseinheiten, je ein Eintrag; darf fehlen mit [einheiten] namen "
        'oder aus = "keine"',
    )
    indikatoren: list[Indikator] = Field(
        default_factory=list,
        description="Die Indikatoren, je ein Eintrag; darf fehlen, wenn die Stadt nur einen "
        'veröffentlichten Index hat ([methode.status] quelle = "wert" oder "klasse")',
    )
    methode: Methode = Field(description="Jahre, Verfahren und Klassen des Index")
    eingaben: Eingaben = Field(description="Die Eingabedateien, Pfade relativ zur Konfiguration")
    bericht: Bericht = Field(Bericht(), description="Notebooks und Ausgabeordner der Berichte")
    abgleich: Abgleich | None = Field(None, description="Veröffentlichte Klassen zum Vergleich")
    pfad: Path = Field(description="Die Konfigurationsdatei selbst (von load_config gesetzt)")

    _eine_einheit = model_validator(mode="before")(mit_stadt_einheit)

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
        einheiten_pruefen(self.einheiten, len(self.sozialraeume), self.eingaben.geometrie.spalten)
        m = self.methode
        fehler = dynamik_fehler(self)
        if fehler:
            raise ValueError(fehler)
        if self.eingaben.bevoelkerung is None and m.mindestbevoelkerung > 0:
            raise ValueError(
                f"methode.mindestbevoelkerung = {m.mindestbevoelkerung} braucht die Einwohnerzahlen"
                " ([eingaben] bevoelkerung); ohne sie mindestbevoelkerung = 0 setzen"
            )
        for art in ("status", "dynamik"):
            klassen = getattr(m, art, None)
            if klassen is not None and klassen.gegeben and self.eingaben.index is None:
                raise ValueError(
                    f'[methode.{art}] quelle = "{klassen.quelle}" braucht die Datei mit dem '
                    'veröffentlichten Index: [eingaben.index] datei = "…" (mit spalten = '
                    '{ quartier_id = "…" }, wenn die ID-Spalte anders heißt)'
                )
        fehler = indikatoren_fehler(self)
        if fehler:
            raise ValueError(fehler)
        tab = self.eingaben.indikatoren
        breit = tab is not None and tab.form == "breit"
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
    def mit_dynamik(self) -> bool:
        """True when the city has change data and a Dynamikindex (``[methode.dynamik]``).

        Without it every report leaves out what rests on changes: the Dynamikindex, its classes,
        the combined status x dynamics view and the change columns of the indicator tables.
        """
        return self.methode.dynamik is not None

    @property
    def dynamik_indikatoren(self) -> list[Indikator]:
        """The indicators of the Dynamikindex; none without ``[methode.dynamik]``.

        ``Indikator.dynamik`` defaults to true, so a city without change data must not find
        its indicators listed as dynamics indicators: ask here, not the indicator.
        """
        return [i for i in self.indikatoren if i.dynamik] if self.mit_dynamik else []

    @property
    def veraenderung_veroeffentlicht(self) -> bool:
        """True when every dynamics indicator comes with its published change."""
        dyn = self.dynamik_indikatoren
        return bool(dyn) and all(i.veraenderung == "veroeffentlicht" for i in dyn)

    def bericht_pfad(self, name: str) -> Path:
        """Absolute path of a ``[bericht]`` entry (notebooks, output folder).

        An entry the config leaves out resolves as :class:`Bericht` says: inside a project as
        before, outside one to the workbook's notebooks and ``berichte/`` beside the config, so
        that a config written into a folder of a city's files renders without absolute paths.
        """
        wert = getattr(self.bericht, name)
        if name in self.bericht.model_fields_set or self._im_projekt:
            return (self.basis / wert).resolve()
        if name == "ausgabe":
            return (self.basis / "berichte").resolve()
        from sozialraum.resources import NOTEBOOKS_DIR

        return (NOTEBOOKS_DIR / Path(wert).name).resolve()

    @property
    def _im_projekt(self) -> bool:
        """The config sits in a project: its parent folder has the report notebooks."""
        return (self.basis / Bericht().notebook_sozialraum).is_file()

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
        cfg = Config(**raw, pfad=path)
    except ValidationError as exc:
        from sozialraum.config_errors import validation_message

        raise ConfigError(validation_message(exc, path, Config, internal=["pfad"])) from exc
    namen = cfg.einheiten.namen
    if namen is None:
        return cfg
    try:
        rows = namen_lesen(namen, cfg.basis, str(namen.datei))
    except EinheitenFehler as exc:
        raise ConfigError(f"{path}: [einheiten] namen: {exc}") from exc
    return cfg.model_copy(update={"sozialraeume": [Sozialraum(**r) for r in rows]})
