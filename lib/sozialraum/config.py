"""Typed, read-only settings of one city, read from its TOML config file.

A typo in the config must be an error, not a silent default (``extra="forbid"``), and every path
is resolved against the config file so that a copied project works from its own folder.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

PROJECT_FILE = "pyproject.toml"
DEFAULT_CONFIG_DIR = "config"


class ConfigError(Exception):
    """The config file is missing or does not describe a city the workbook can use."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


#: Article and adjective forms the report's sentences need, by grammatical gender.
_FORMEN = {
    "m": {"der": "der", "den": "den", "am": "am", "kein": "kein", "letzter": "letzter"},
    "f": {"der": "die", "den": "die", "am": "an der", "kein": "keine", "letzter": "letzte"},
    "n": {"der": "das", "den": "das", "am": "am", "kein": "kein", "letzter": "letztes"},
}


class Veranstaltungsart(_Strict):
    """What the city calls its yearly event in each Sozialraum.

    Cities name it differently (Sozialraumkonferenz, Stadtteilforum, ...), and German sentences
    need its gender: "an der Sozialraumkonferenz", "am Stadtteilforum".
    """

    name: str = "Veranstaltung"
    mehrzahl: str = "Veranstaltungen"
    genus: Literal["m", "f", "n"] = "f"

    def form(self, wort: str) -> str:
        """The form of ``der``, ``den``, ``am``, ``kein`` or ``letzter`` for this gender."""
        return _FORMEN[self.genus][wort]


class Stadt(_Strict):
    """The city as a whole."""

    name: str
    crs: str = "EPSG:25832"
    geometrie_version: str = Field(
        description="Named in every report, because comparisons break when boundaries change."
    )
    geometrie_schematisch: bool = False
    herausgeber: str = ""
    veranstaltung: Veranstaltungsart = Veranstaltungsart()


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
    zaehler: str = Field(description="What the numerator counts (German, for the method page)")
    nenner: str = Field(description="What the denominator counts")
    eingabe: Literal["anzahl", "anteil"] = "anzahl"
    richtung: Literal[1, -1] = Field(
        1, description="+1: a higher share means more poverty risk; -1: the opposite"
    )
    status: bool = True
    dynamik: bool = True


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
            raise ValueError("schwellen must be in ascending order")
        n = len(self.schwellen) + 1
        if len(self.labels) != n or len(self.farben) != n:
            raise ValueError(
                f"{len(self.schwellen)} schwellen make {n} classes: labels and farben need "
                f"{n} entries each (got {len(self.labels)} labels, {len(self.farben)} farben)"
            )
        if self.beschreibung and len(self.beschreibung) != n:
            raise ValueError(f"beschreibung needs {n} entries")
        return self


class Ausschluss(_Strict):
    """A Quartier left out of the standardisation, with the reason shown in reports."""

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

    @model_validator(mode="after")
    def _years(self) -> Methode:
        for y in (self.berichtsjahr, self.vergleichsjahr):
            if y not in self.jahre:
                raise ValueError(f"year {y} is not in jahre {self.jahre}")
        if self.vergleichsjahr >= self.berichtsjahr:
            raise ValueError("vergleichsjahr must lie before berichtsjahr")
        return self


class Mentimeter(_Strict):
    """A Mentimeter results export holding the feedback words of one event."""

    veranstaltung_id: str
    datei: Path
    frage: str = Field(description="Start of the question text of the word-cloud slide")
    erfunden: bool = Field(False, description="The export holds invented sample answers")


class Eingaben(_Strict):
    """Input files, relative to the config file."""

    geometrie: Path
    bevoelkerung: Path
    indikatoren: Path
    veranstaltungen: Path
    stationen: Path
    angebote: Path
    fragen: Path
    abstimmungen: Path
    karten: Path
    feedback: Path | None = None
    mentimeter: list[Mentimeter] = []
    handlungsempfehlungen: Path
    kanalregeln: Path


class Bericht(_Strict):
    """Where the report notebooks live and where rendered reports go, relative to the config."""

    notebook_sozialraum: Path = Path("../notebooks/sozialraumbericht.ipynb")
    notebook_gesamtstadt: Path = Path("../notebooks/gesamtstadt.ipynb")
    ausgabe: Path = Path("../reports")


class Config(_Strict):
    """The whole config of one city."""

    stadt: Stadt
    sozialraeume: list[Sozialraum]
    indikatoren: list[Indikator]
    methode: Methode
    eingaben: Eingaben
    bericht: Bericht = Bericht()
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
                raise ValueError(f"{what} must be unique; repeated: {', '.join(dupes)}")
        if not self.sozialraeume:
            raise ValueError("sozialraeume: at least one Sozialraum is needed")
        return self

    # -- lookups used throughout the package --------------------------------------------------
    @property
    def basis(self) -> Path:
        """Folder of the config file; every relative path is resolved against it."""
        return self.pfad.parent

    def datei(self, name: str) -> Path:
        """Absolute path of the input called ``name`` in ``[eingaben]``."""
        value = getattr(self.eingaben, name)
        if value is None:
            raise ConfigError(f"{self.pfad}: [eingaben] has no entry '{name}'")
        return (self.basis / value).resolve()

    def bericht_pfad(self, name: str) -> Path:
        """Absolute path of a ``[bericht]`` entry (notebooks, output folder)."""
        return (self.basis / getattr(self.bericht, name)).resolve()

    def sozialraum(self, key: str) -> Sozialraum:
        """Find a Sozialraum by id, slug or display name; the error lists the valid names."""
        for s in self.sozialraeume:
            if key in (s.id, s.slug, s.name):
                return s
        valid = ", ".join(f'"{s.name}"' for s in self.sozialraeume)
        raise ConfigError(f'Unbekannter Sozialraum "{key}". Gültig sind: {valid}')

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
        raise ConfigError(f"{path}: kein gültiges TOML: {exc}") from exc
    try:
        return Config(**raw, pfad=path)
    except ValidationError as exc:
        lines = [f"{path}: Die Konfiguration ist fehlerhaft:"]
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"])
            lines.append(f"  - {where}: {err['msg']}")
        raise ConfigError("\n".join(lines)) from exc
