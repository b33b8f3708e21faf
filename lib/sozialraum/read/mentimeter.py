"""Mentimeter results exports, read in Mentimeter's own layout.

The Voters sheet and the slide blocks of the session sheets, and the words of one word-cloud
question; kept apart from the table readers because the layout is Mentimeter's, not the contract's.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sozialraum.names import closest
from sozialraum.read.problems import ReadError, pruefe_eingabe
from sozialraum.read.xlsx import _cell_text


class MentimeterError(ValueError):
    """The export does not hold what the config says (e.g. the question is not there)."""


@dataclass(frozen=True)
class MentimeterSlide:
    """One slide block of a session sheet.

    ``antworten`` holds the raw rows of a ``Responses`` block (word cloud, open); ``ergebnis``
    the ``Choices | Votes`` or ``Choices | Weighted average | 1 … 5`` table.
    """

    session: str
    titel: str
    typ: str
    frage: str
    respondents: int | None
    antworten: tuple[str, ...] = ()
    ergebnis: pd.DataFrame | None = None


@dataclass(frozen=True)
class MentimeterExport:
    """A whole export: the Voters sheet (one row per participant) and the slide blocks."""

    voters: pd.DataFrame
    fragen: tuple[str, ...]
    slides: tuple[MentimeterSlide, ...]

    def questions(self) -> list[str]:
        """All question texts, from the Voters header and the session sheets."""
        found = list(self.fragen) + [s.frage for s in self.slides if s.typ != "slide"]
        return list(dict.fromkeys(q for q in found if q))


def _norm_question(text: str) -> str:
    text = re.sub(r"[\u2010-\u2015]", "-", str(text))
    return " ".join(text.split()).rstrip(":").strip().casefold()


def read_mentimeter(path: str | Path) -> MentimeterExport:
    """Read a Mentimeter results export as Mentimeter writes it.

    The Voters header is found by its ``Voter`` cell (row 3 in every export seen, but notes
    above it vary); ``Date`` and ``Date (UTC)`` are both accepted. Slide blocks are found by
    their ``Type`` rows, so the number of empty rows between blocks does not matter.
    """
    from openpyxl import load_workbook

    path = Path(path)
    try:
        pruefe_eingabe(path, path.name, "ein Mentimeter-Export (.xlsx)")
    except ReadError as exc:
        raise MentimeterError(str(exc)) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001
        raise MentimeterError(
            f"{path.name}: kein lesbarer Mentimeter-Export (.xlsx) ({type(exc).__name__})"
        ) from exc
    try:
        sheets = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb}
    finally:
        wb.close()
    voters = pd.DataFrame()
    fragen: list[str] = []
    if "Voters" in sheets:
        voters, fragen = _voters(sheets["Voters"])
    slides: list[MentimeterSlide] = []
    for name, rows in sheets.items():
        if name != "Voters":
            slides.extend(_slides(name, rows))
    if voters.empty and not fragen and not slides:
        raise MentimeterError(
            f"{path.name}: kein Mentimeter-Export: weder ein Blatt „Voters“ noch Blätter "
            f"„Session 1“ … gefunden (Blätter: {', '.join(sheets)})"
        )
    return MentimeterExport(voters, tuple(fragen), tuple(slides))


def _voters(rows: list[list[Any]]) -> tuple[pd.DataFrame, list[str]]:
    header_at = None
    for i, row in enumerate(rows[:20]):
        if any(str(c).strip() == "Voter" for c in row if c is not None):
            header_at = i
            break
    if header_at is None:
        return pd.DataFrame(), []
    header = [str(c).strip() if c is not None else "" for c in rows[header_at]]
    while header and not header[-1]:
        header.pop()
    columns = []
    for h in header:
        if h in ("Date", "Date (UTC)"):
            columns.append("date")
        elif h in ("Session", "Voter"):
            columns.append(h.lower())
        else:
            columns.append(h.rstrip(":").strip())
    data = [
        [_cell_text(c) for c in (list(r) + [None] * len(columns))[: len(columns)]]
        for r in rows[header_at + 1 :]
        if any(c not in (None, "") for c in r)
    ]
    df = pd.DataFrame(data, columns=columns, dtype="str")
    fragen = [c for c in columns if c not in ("date", "session", "voter")]
    return df, fragen


def _slides(session: str, rows: list[list[Any]]) -> list[MentimeterSlide]:
    def first(row: list[Any]) -> str:
        return str(row[0]).strip() if row and row[0] is not None else ""

    def second(row: list[Any]) -> Any:
        return row[1] if len(row) > 1 else None

    # A block starts at its "Slide k"/"Question k" title; without titles, at its "Date" row.
    titles = [i for i, row in enumerate(rows) if re.fullmatch(r"(Slide|Question) \d+", first(row))]
    if not titles:
        titles = [i for i, row in enumerate(rows) if first(row) in ("Date", "Date (UTC)")]
    slides = []
    for n, start in enumerate(titles):
        end = titles[n + 1] if n + 1 < len(titles) else len(rows)
        block = rows[start:end]
        meta: dict[str, Any] = {}
        body_at = len(block)
        for j, row in enumerate(block):
            key = first(row)
            if key in ("Date", "Date (UTC)", "Session", "Type", "Question", "Respondents"):
                meta.setdefault(key, second(row))
            elif key in ("Responses", "Choices", "No votes for this session"):
                body_at = j
                break
        typ = str(meta.get("Type") or "").strip()
        antworten: list[str] = []
        ergebnis = None
        body = block[body_at:]
        if body and first(body[0]) == "Responses":
            antworten = [_cell_text(r[0]) for r in body[1:] if r and r[0] not in (None, "")]
        elif body and first(body[0]) == "Choices":
            head = [_cell_text(c) for c in body[0]]
            while head and not head[-1]:
                head.pop()
            lines = []
            for r in body[1:]:
                if not r or r[0] in (None, ""):
                    break
                lines.append((list(r) + [None] * len(head))[: len(head)])
            ergebnis = pd.DataFrame(lines, columns=head)
        respondents = meta.get("Respondents")
        try:
            respondents = int(respondents) if respondents not in (None, "") else None
        except (TypeError, ValueError):
            respondents = None
        slides.append(
            MentimeterSlide(
                session=str(meta.get("Session") or session),
                titel=first(block[0]),
                typ=typ,
                frage=str(meta.get("Question") or "").strip(),
                respondents=respondents,
                antworten=tuple(antworten),
                ergebnis=ergebnis,
            )
        )
    return slides


def split_words(cell: str) -> list[str]:
    """One voter's word-cloud cell as entries: split at spaces, ``_`` joins multi-word entries."""
    return [w.replace("_", " ").strip() for w in str(cell).split() if w.replace("_", "").strip()]


def find_question(export: MentimeterExport, question_prefix: str, datei: str = "") -> str:
    """The question that starts with ``question_prefix`` (tolerant of case, dashes, spaces).

    Raises
    ------
    MentimeterError
        No or several questions match; the message lists the questions found.
    """
    prefix = _norm_question(question_prefix)
    found = export.questions()
    hits = [q for q in found if _norm_question(q).startswith(prefix)]
    if len(hits) == 1:
        return hits[0]
    listed = "; ".join(f'"{q}"' for q in found) or "keine"
    where = f"{datei}: " if datei else ""
    if not hits:
        near = closest(question_prefix, found, cutoff=0.5)
        tip = f' Meinten Sie "{near}"?' if near else ""
        raise MentimeterError(
            f'{where}Keine Frage beginnt mit "{question_prefix}". Gefundene Fragen: {listed}.{tip}'
        )
    raise MentimeterError(
        f'{where}Mehrere Fragen beginnen mit "{question_prefix}": {listed}. Bitte den Anfang der '
        "Frage in der Konfiguration länger angeben."
    )


def mentimeter_words(
    export: MentimeterExport, question_prefix: str, datei: str = ""
) -> tuple[pd.DataFrame, list[str]]:
    """Words of one word-cloud question, and notes where Voters and session sheets disagree.

    The Voters sheet is the source (it knows who answered what); the session sheets'
    ``Responses`` blocks are the fallback and the cross-check.
    """
    question = find_question(export, question_prefix, datei)
    notes: list[str] = []
    from_sessions = [
        w
        for s in export.slides
        if _norm_question(s.frage) == _norm_question(question)
        for cell in s.antworten
        for w in split_words(cell)
    ]
    if question in export.fragen:
        rows = [
            (w, voter)
            for voter, cell in zip(export.voters["voter"], export.voters[question], strict=True)
            for w in split_words(cell)
        ]
        words = pd.DataFrame(rows, columns=["wort", "voter"], dtype="str")
        has_block = any(_norm_question(s.frage) == _norm_question(question) for s in export.slides)
        if has_block and sorted(from_sessions) != sorted(words["wort"]):
            notes.append(
                f'Blatt „Voters“ hat {len(words)} Wörter zur Frage "{question}", die '
                f"Sitzungsblätter {len(from_sessions)}; verwendet wird „Voters“"
            )
    else:
        words = pd.DataFrame(
            {"wort": from_sessions, "voter": [pd.NA] * len(from_sessions)}, dtype="str"
        )
    return words.reset_index(drop=True), notes


def read_mentimeter_words(path: str | Path, question_prefix: str) -> pd.DataFrame:
    """Feedback words (``wort``, ``voter``) of the word-cloud question starting with the prefix.

    Raises
    ------
    MentimeterError
        The question is not in the export; the message lists the questions found.
    """
    path = Path(path)
    words, _ = mentimeter_words(read_mentimeter(path), question_prefix, path.name)
    return words
