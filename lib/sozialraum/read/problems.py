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

    def __str__(self) -> str:
        where = [self.datei]
        if self.zeile is not None:
            where.append(f"Zeile {self.zeile}")
        if self.spalte:
            where.append(f'Spalte "{self.spalte}"')
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
