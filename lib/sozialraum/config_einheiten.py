"""Where a city's report units come from, and the declared corrections of its geometry.

Cities hold the larger unit (Sozialraum, Bezirk) in different places: a geometry column, a
mapping table, the first digits of the area id, or nowhere at all (the whole city is one unit).
:class:`Einheiten` says which, :func:`einheit_aus_id` derives a unit from an id, and
:func:`namen_lesen` reads the units' names from a table, so that no file has to be edited
before the first report. :class:`Korrektur` fixes a wrong id of one geometry feature in the
config, with the reason the method section prints.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sozialraum.names import normalize_header


class EinheitenFehler(Exception):
    """The names table of the units cannot be used (German message: file, row, what, hint)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Zuordnung(_Strict):
    """A table that assigns every area to its unit (``aus = "tabelle"``).

    Any table with the two columns will do: a mapping table of its own, or a statistics table
    that carries the unit beside the area id (repeated rows must agree).
    """

    datei: Path = Field(
        description="Die Tabelle (CSV, XLSX oder JSON), relativ zur Konfigurationsdatei"
    )
    spalten: dict[Literal["quartier_id", "sozialraum_id"], str] = Field(
        default_factory=dict,
        description="Spaltenköpfe in der Datei für die ID des Gebiets und die ID der Einheit "
        "(Vorgabe: quartier_id, sozialraum_id)",
    )


class Namenstabelle(_Strict):
    """A table with one row per unit: its id and its name (the slug is made from the name)."""

    datei: Path = Field(
        description="Die Tabelle (CSV, XLSX oder JSON), relativ zur Konfigurationsdatei"
    )
    spalten: dict[Literal["sozialraum_id", "name"], str] = Field(
        default_factory=dict,
        description="Spaltenköpfe in der Datei für die ID der Einheit und ihren Namen (Vorgabe: "
        "sozialraum_id, name)",
    )


def _datei(value: object) -> object:
    """Accept a plain path where a table is expected."""
    if isinstance(value, str | Path):
        return {"datei": value}
    return value


class Einheiten(_Strict):
    """How each area is assigned to a report unit, and where the units' names come from.

    ``aus = "geometrie"`` (default) reads the unit from the geometry (``[eingaben.geometrie]
    spalten.sozialraum_id``); ``"tabelle"`` from a mapping table; ``"id"`` derives it from the
    area id (``stellen`` leading characters, or the first group of ``muster``); ``"keine"``
    makes the whole city one unit.
    """

    aus: Literal["geometrie", "tabelle", "id", "keine"] = Field(
        "geometrie",
        description='Woher die Einheit jedes Gebiets kommt: "geometrie" (eine Spalte der '
        'Geometrie), "tabelle" (eine Zuordnungstabelle), "id" (abgeleitet aus der ID des '
        'Gebiets), "keine" (die ganze Stadt ist eine Einheit)',
    )
    stellen: int | None = Field(
        None,
        ge=1,
        description='Bei aus = "id": die ID der Einheit besteht aus den ersten n Zeichen '
        "der ID des Gebiets",
    )
    muster: str | None = Field(
        None,
        description='Bei aus = "id": ein regulärer Ausdruck mit einer Gruppe, die die ID der '
        "Einheit in der ID des Gebiets findet, z. B. '^(\\\\d{2})'",
    )
    tabelle: Zuordnung | None = Field(
        None,
        description='Bei aus = "tabelle": die Tabelle, die jedes Gebiet seiner Einheit zuordnet',
    )
    namen: Namenstabelle | None = Field(
        None,
        description="IDs und Namen der Einheiten aus einer Tabelle statt aus [[sozialraeume]]",
    )

    _as_table = field_validator("tabelle", "namen", mode="before")(_datei)

    @model_validator(mode="after")
    def _passend(self) -> Einheiten:
        if self.aus == "id":
            if (self.stellen is None) == (self.muster is None):
                raise ValueError(
                    '[einheiten] aus = "id" braucht genau eine Angabe: stellen = 2 (die ersten '
                    'Zeichen der ID) oder muster = "^(\\\\d{2})" (ein regulärer Ausdruck mit '
                    "einer Gruppe)"
                )
            if self.muster is not None:
                try:
                    groups = re.compile(self.muster).groups
                except re.error as exc:
                    raise ValueError(
                        f'[einheiten] muster "{self.muster}" ist kein gültiger regulärer Ausdruck '
                        f'({_re_fehler(exc)}); Beispiel: muster = "^(\\\\d{{2}})"'
                    ) from None
                if groups != 1:
                    raise ValueError(
                        f'[einheiten] muster "{self.muster}" hat {groups} Gruppen in Klammern, '
                        "gebraucht wird genau eine: die ID der Einheit, z. B. "
                        'muster = "^(\\\\d{2})"'
                    )
        else:
            for key in ("stellen", "muster"):
                if getattr(self, key) is not None:
                    raise ValueError(
                        f'[einheiten] {key} gilt nur für aus = "id" (angegeben: aus = "{self.aus}")'
                    )
        if self.aus == "tabelle" and self.tabelle is None:
            raise ValueError(
                '[einheiten] aus = "tabelle" braucht tabelle = { datei = "…", spalten = { '
                'quartier_id = "…", sozialraum_id = "…" } }'
            )
        if self.aus != "tabelle" and self.tabelle is not None:
            raise ValueError(
                f'[einheiten] tabelle gilt nur für aus = "tabelle" (angegeben: aus = "{self.aus}")'
            )
        if self.aus == "keine" and self.namen is not None:
            raise ValueError(
                '[einheiten] aus = "keine" macht die ganze Stadt zu einer Einheit; namen passt '
                "nicht dazu (weglassen)"
            )
        return self

    def beschreibung(self) -> str:
        """How the unit of an area is found, in German, for messages ("die ersten 2 Zeichen")."""
        if self.aus == "id" and self.stellen is not None:
            return (
                f"die ersten {self.stellen} Zeichen der ID ([einheiten] stellen = {self.stellen})"
            )
        if self.aus == "id":
            return f'die Gruppe des Musters "{self.muster}" in der ID ([einheiten] muster)'
        if self.aus == "tabelle" and self.tabelle is not None:
            return f"die Zuordnungstabelle {self.tabelle.datei} ([einheiten] tabelle)"
        if self.aus == "keine":
            return 'die ganze Stadt ([einheiten] aus = "keine")'
        return "die Spalte sozialraum_id der Geometrie"


def _re_fehler(exc: re.error) -> str:
    where = f" an Stelle {exc.pos + 1}" if exc.pos is not None else ""
    return f"Fehler{where}"


def einheit_aus_id(einheiten: Einheiten, quartier_id: str) -> str | None:
    """The unit id derived from an area id (``aus = "id"``); None when the id does not fit.

    A prefix shorter than ``stellen`` or an id the pattern does not find is None, so that the
    caller can name the area rather than assign it to a unit that happens to match.
    """
    qid = str(quartier_id).strip()
    if einheiten.stellen is not None:
        return qid[: einheiten.stellen] if len(qid) >= einheiten.stellen else None
    if einheiten.muster is None:
        return None
    found = re.search(einheiten.muster, qid)
    if found is None or not found.group(1):
        return None
    return found.group(1)


class Korrektur(_Strict):
    """A declared fix of one geometry feature's id, applied when reading, shown in the report.

    Written as ``{ merkmal = 17, id = "0810", neue_id = "0811", grund = "…" }``: feature 17 (the
    row number validate names for it) carries the id ``0810`` in the file and gets ``0811``.
    """

    merkmal: int = Field(
        ge=2,
        description="Nummer des Geometrie-Objekts, wie validate sie meldet („Zeile 17“; das erste "
        "Objekt hat die 2, wie in einer Tabellenkalkulation mit Kopfzeile)",
    )
    id: str = Field(
        description="Die ID, die das Objekt in der Datei hat (wird vor der Änderung geprüft)"
    )
    neue_id: str = Field(min_length=1, description="Die ID, die das Objekt bekommt")
    grund: str = Field(min_length=1, description="Warum (steht im Methodenteil)")


# ---------------------------------------------------------------------------------------------
# Names and slugs
# ---------------------------------------------------------------------------------------------
_UMLAUTE = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}


def slug_aus(name: str) -> str:
    """ASCII file-name part from a name: "Tempelhof-Schöneberg" → "tempelhof-schoeneberg"."""
    text = unicodedata.normalize("NFC", str(name)).casefold()
    for umlaut, spelled in _UMLAUTE.items():
        text = text.replace(umlaut, spelled)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text or "einheit"


def eindeutige_slugs(namen: list[str]) -> list[str]:
    """Slugs of ``namen``, made unique by a number where two names give the same slug."""
    out: list[str] = []
    for name in namen:
        base = slug_aus(name)
        slug, n = base, 2
        while slug in out:
            slug, n = f"{base}-{n}", n + 1
        out.append(slug)
    return out


def _rows(path: Path, datei: str) -> list[tuple[int, dict[str, str]]]:
    """Rows of a small table (CSV, XLSX or JSON) as text, with the row number as Excel shows it."""
    if not path.is_file():
        raise EinheitenFehler(f"{datei}: Die Datei existiert nicht. Erwartet: eine Tabelle.")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        import openpyxl

        sheet = openpyxl.load_workbook(path, read_only=True, data_only=True).worksheets[0]
        values = [
            ["" if v is None else str(v).strip() for v in r]
            for r in sheet.iter_rows(values_only=True)
        ]
        header, body = (values[0], values[1:]) if values else ([], [])
        return [(n + 2, dict(zip(header, r, strict=False))) for n, r in enumerate(body)]
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if suffix == ".json":
        try:
            records: Any = json.loads(text)
        except json.JSONDecodeError as exc:
            raise EinheitenFehler(
                f"{datei}, Zeile {exc.lineno}: Die Datei ist kein gültiges JSON ({exc.msg}). "
                "Erwartet: eine Liste von Datensätzen."
            ) from None
        if isinstance(records, dict):
            lists = [v for v in records.values() if isinstance(v, list)]
            records = lists[0] if len(lists) == 1 else None
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise EinheitenFehler(
                f"{datei}: Die Datei enthält keine Liste von Datensätzen. Erwartet: "
                '[{"sozialraum_id": "01", "name": "…"}, …].'
            )
        return [
            (n + 1, {str(k): "" if v is None else str(v).strip() for k, v in r.items()})
            for n, r in enumerate(records)
        ]
    lines = text.splitlines()
    first = lines[0] if lines else ""
    counts = {d: first.count(d) for d in (";", ",", "\t")}
    delimiter = max(counts, key=lambda d: (counts[d], d == ";"))
    reader = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = [h.strip() for h in reader[0]] if reader else []
    return [
        (n + 2, dict(zip(header, [c.strip() for c in r], strict=False)))
        for n, r in enumerate(reader[1:])
        if any(c.strip() for c in r)
    ]


def namen_lesen(namen: Namenstabelle, basis: Path, datei: str) -> list[dict[str, str]]:
    """The units from a names table, as ``[[sozialraeume]]`` entries (id, name, slug).

    Parameters
    ----------
    namen
        The ``[einheiten] namen`` entry.
    basis
        Folder of the config file (``datei`` is relative to it).
    datei
        How messages name the file.

    Raises
    ------
    EinheitenFehler
        The file is missing, lacks a column, or repeats an id or a name (file, row, hint).
    """
    rows = _rows((basis / namen.datei).resolve(), datei)
    if not rows:
        raise EinheitenFehler(
            f"{datei}: Die Tabelle hat keine Zeilen. Erwartet: eine Zeile je Einheit mit ID und "
            "Name."
        )
    headers = list(rows[0][1])
    cols: dict[str, str] = {}
    for key in ("sozialraum_id", "name"):
        wanted = namen.spalten.get(key, key)
        found = next((h for h in headers if h == wanted), None) or next(
            (h for h in headers if normalize_header(h) == normalize_header(wanted)), None
        )
        if found is None:
            raise EinheitenFehler(
                f'{datei}, Zeile 1, Spalte "{wanted}": Die Spalte fehlt (gefunden: '
                + ", ".join(f'"{h}"' for h in headers)
                + f"). Erwartet: die Spalte für {key}. Tipp: in [einheiten] namen = {{ spalten = "
                f'{{ {key} = "…" }} }} den Spaltennamen der Datei angeben.'
            )
        cols[key] = found
    out: list[dict[str, str]] = []
    seen: dict[str, tuple[str, int]] = {}
    for zeile, row in rows:
        sid, name = row.get(cols["sozialraum_id"], ""), row.get(cols["name"], "")
        if not sid or not name:
            leer = cols["sozialraum_id"] if not sid else cols["name"]
            raise EinheitenFehler(
                f'{datei}, Zeile {zeile}, Spalte "{leer}": Der Wert fehlt. Erwartet: eine ID '
                "und einen Namen je Einheit."
            )
        for what, value in (("ID", sid), ("Name", name)):
            key = f"{what}:{value}"
            if key in seen:
                raise EinheitenFehler(
                    f'{datei}, Zeile {zeile}: Doppelter {what} "{value}": steht schon in Zeile '
                    f"{seen[key][1]}. Erwartet: jede Einheit nur einmal."
                )
            seen[key] = (value, zeile)
        out.append({"id": sid, "name": name})
    for entry, slug in zip(out, eindeutige_slugs([e["name"] for e in out]), strict=True):
        entry["slug"] = slug
    return out


def stadt_einheit(stadt_name: str) -> dict[str, str]:
    """The one unit of a city without units (``aus = "keine"``), named after the city."""
    slug = slug_aus(stadt_name)
    return {"id": slug, "name": str(stadt_name), "slug": slug}


def mit_stadt_einheit(raw: object) -> object:
    """The raw config with one unit named after the city, for ``aus = "keine"`` alone.

    Runs before the model is checked, so that ``[[sozialraeume]]`` may be left out; anything
    malformed is passed on unchanged for the model's own messages.
    """
    if not isinstance(raw, dict) or raw.get("sozialraeume"):
        return raw
    einheiten, stadt = raw.get("einheiten"), raw.get("stadt")
    if not (isinstance(einheiten, dict) and einheiten.get("aus") == "keine"):
        return raw
    if not (isinstance(stadt, dict) and isinstance(stadt.get("name"), str)):
        return raw
    return {**raw, "sozialraeume": [stadt_einheit(stadt["name"])]}


def einheiten_pruefen(e: Einheiten, n_einheiten: int, geometrie_spalten: dict[str, str]) -> None:
    """Check ``[einheiten]`` against ``[[sozialraeume]]`` and the geometry's columns.

    Raises
    ------
    ValueError
        In German, naming the keys that contradict each other and what to do instead.
    """
    if e.namen is not None and n_einheiten:
        raise ValueError(
            "[einheiten] namen und [[sozialraeume]] schließen sich aus: die Einheiten "
            "entweder in der Konfiguration oder in der Namenstabelle angeben"
        )
    if not n_einheiten and e.namen is None:
        raise ValueError(
            "[[sozialraeume]]: mindestens eine Einheit wird gebraucht (oder [einheiten] "
            'namen = { datei = "…" } oder aus = "keine")'
        )
    if e.aus == "keine" and n_einheiten > 1:
        raise ValueError(
            '[einheiten] aus = "keine" macht die ganze Stadt zu einer Einheit: höchstens ein '
            f"[[sozialraeume]]-Eintrag (gefunden: {n_einheiten})"
        )
    if e.aus != "geometrie" and "sozialraum_id" in geometrie_spalten:
        raise ValueError(
            f'[eingaben.geometrie] spalten.sozialraum_id passt nicht zu [einheiten] aus = "'
            f'{e.aus}": die Einheit kommt nur aus einer Quelle (spalten.sozialraum_id '
            'weglassen oder aus = "geometrie")'
        )
