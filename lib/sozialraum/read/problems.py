"""Findings about input files: a :class:`Problem` an analyst can act on, or a :class:`ReadError`.

Every reader and every check hands these on; they live apart so that each can import them
without importing a reader.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

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


_SYSTEMORDNER = ("/proc/", "/sys/", "/dev/")


def pruefe_eingabe(
    path: Path, datei: str, erwartet: str | None, *, ordner_ok: bool = False
) -> None:
    """Stop with a German problem if ``path`` is there but is no ordinary, readable file.

    A symlink loop, a named pipe, a device or a file of ``/proc`` would otherwise end in an
    English exception, or, for a pipe, in a read that never returns. A path that does not exist
    is left to the caller, which knows a similar name to suggest. ``ordner_ok`` for geometries:
    a FileGDB or a folder of Shapefiles is a directory.
    """

    def fehler(meldung: str, hinweis: str) -> ReadError:
        return ReadError(Problem(datei, meldung, erwartet=erwartet, hinweis=hinweis))

    try:
        info = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise fehler(
                "Die Datei ist ein Verweis (Symlink), der im Kreis auf sich selbst zeigt",
                "den Verweis löschen und die Datei selbst (oder einen Verweis auf sie) ablegen",
            ) from None
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return
        raise fehler(
            f"Die Datei lässt sich nicht öffnen ({exc.strerror or exc.errno})",
            "Berechtigungen und Pfad prüfen",
        ) from None
    if stat.S_ISDIR(info.st_mode):
        if ordner_ok:
            return
        raise fehler("Der Pfad ist ein Ordner, keine Datei", "den Pfad zur Datei angeben")
    echt = os.path.realpath(path)
    if not stat.S_ISREG(info.st_mode) or echt.startswith(_SYSTEMORDNER):
        raise fehler(
            f"Der Pfad ist keine gewöhnliche Datei, sondern ein Gerät, eine Pipe oder eine "
            f"Systemdatei ({echt})",
            "den Pfad zur exportierten Datei angeben",
        )


def lies_bytes(path: Path, datei: str, erwartet: str | None) -> bytes:
    """The bytes of an input file; a failing read is a German problem naming the file."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ReadError(
            Problem(
                datei,
                f"Die Datei lässt sich nicht lesen ({exc.strerror or exc.errno})",
                erwartet=erwartet,
                hinweis="ist der Datenträger getrennt oder die Datei beschädigt?",
            )
        ) from None


def eingabe_pfad(cfg: Any, name: str) -> Path:
    """Absolute path of the input ``name``, also when resolving it fails on a symlink loop.

    ``Path.resolve`` raises ``RuntimeError`` on a loop (before Python 3.13); the unresolved path
    then reaches :func:`pruefe_eingabe`, which names the loop in German.
    """
    try:
        return cfg.datei(name)
    except (RuntimeError, OSError):
        return Path(os.path.abspath(cfg.basis / cfg.eingabe(name).datei))
