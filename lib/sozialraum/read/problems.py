"""Findings about input files: a :class:`Problem` an analyst can act on, or a :class:`ReadError`.

Every reader and every check hands these on; they live apart so that each can import them
without importing a reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sozialraum.names import closest

Schwere = Literal["Fehler", "Warnung"]

#: How a file counts its rows: a table has rows ("Zeile 2"), a JSON file records ("Datensatz 1").
Ort = Literal["Zeile", "Datensatz"]


def position(zeile: int, ort: Ort = "Zeile") -> str:
    """A row as the analyst finds it: "Zeile 7" in a table, "Datensatz 6" in a JSON file.

    Rows of a JSON file are numbered like those of a CSV file (1 = the keys), so that every check
    can treat both alike; only what the analyst reads differs.
    """
    return f"Datensatz {zeile - 1}" if ort == "Datensatz" else f"Zeile {zeile}"


@dataclass(frozen=True)
class Problem:
    """One finding about an input file, phrased for the analyst who has to fix it.

    Attributes
    ----------
    datei
        File path relative to the project folder (as the analyst finds it).
    zeile
        Row as Excel shows it (header = 1, first data row = 2); None for whole-file findings.
    spalte
        Column header as the contract names it.
    wert
        The offending value, as written in the file.
    meldung
        What is wrong (German sentence without final full stop).
    erwartet
        What the contract expects.
    vorschlag
        A valid value close to ``wert`` ("Meinten Sie …?").
    hinweis
        Advice that is not a value (e.g. "Dezimalkomma verwenden").
    schwere
        ``"Fehler"`` stops the run; ``"Warnung"`` is reported and the run goes on.
    ort
        ``"Datensatz"`` for a JSON file: ``zeile`` keeps the CSV convention (1 = the keys,
        2 = the first record) and is shown as the record number, ``spalte`` as the key.
    """

    datei: str
    meldung: str
    zeile: int | None = None
    spalte: str | None = None
    wert: str | None = None
    erwartet: str | None = None
    vorschlag: str | None = None
    hinweis: str | None = None
    schwere: Schwere = "Fehler"
    ort: Ort = "Zeile"

    def __str__(self) -> str:
        where = [self.datei]
        if self.zeile is not None and not (self.ort == "Datensatz" and self.zeile < 2):
            where.append(position(self.zeile, self.ort))
        if self.spalte:
            where.append(f'{"Schlüssel" if self.ort == "Datensatz" else "Spalte"} "{self.spalte}"')
        text = ", ".join(where) + ": "
        if self.schwere == "Warnung":
            text += "Warnung: "
        text += self.meldung.rstrip(".") + "."
        if self.erwartet:
            text += f" Erwartet: {self.erwartet.rstrip('.')}."
        if self.vorschlag:
            text += f' Meinten Sie "{self.vorschlag}"?'
        if self.hinweis:
            tip = self.hinweis.rstrip(".")
            text += f" Tipp: {tip}" + ("" if tip.endswith(("?", "!")) else ".")
        return text


class ReadError(Exception):
    """A file cannot be read at all; carries the problem that says why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def nearby_file(path: Path) -> str | None:
    """The name of a file beside ``path`` that is spelt almost the same (a typo in the config)."""
    folder = path.parent
    if not folder.is_dir():
        return None
    names = [p.name for p in folder.iterdir() if p.is_file()]
    return closest(path.name, names, cutoff=0.75)
