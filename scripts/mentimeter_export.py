"""Write a workbook in the layout of a Mentimeter results export (.xlsx).

Tests and the sample-data generator need files that look exactly like what analysts download
from Mentimeter, without copying a real export. The layout:

* Sheet ``Voters``: A1 and A2 hold notes, row 3 is the header ``Date`` (newer exports:
  ``Date (UTC)``), ``Session``, ``Voter`` and one column per slide titled ``<question>:``; one row
  per participant; an empty cell means no answer. A word-cloud answer is one cell holding all of
  that voter's entries separated by spaces, multi-word entries joined with ``_``.
* Sheet ``Session 1`` (the name of the session): one vertical block per slide, ``Question k``
  (``Slide k`` for content slides), then ``Date``, ``Session``, ``Type``, ``Question``,
  ``Respondents``, a blank row and the results: ``Responses`` and one row per respondent for
  ``wordcloud``/``open``; ``Choices | Votes`` for ``choices``; ``Choices | Weighted average |
  1 … 5`` for ``scales``; "No votes for this session" for a slide without answers. Blocks are
  separated by three empty rows.

Usage::

    write_mentimeter_export(
        "feedback.xlsx",
        [{"type": "wordcloud", "question": "Formulieren Sie in 1-2 Worten Ihr Feedback",
          "responses": {1: ["toll", "gute Gespräche"], 2: ["informativ"]}}],
    )
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

SLIDE_TYPES = ("choices", "wordcloud", "scales", "open", "slide")
NO_VOTES = "No votes for this session"
NOTE_A1 = "Results export of a presentation (test layout)."
NOTE_A2 = "Each row is one voter; empty cells mean that the voter did not answer the question."


def wordcloud_cell(entries: Iterable[str]) -> str:
    """Join one voter's word-cloud entries the way Mentimeter does: ``_`` inside, space between."""
    return " ".join("_".join(str(e).split()) for e in entries if str(e).strip())


def _voter_cell(slide: Mapping[str, Any], answer: Any) -> str | None:
    """Text of one voter's answer in the Voters sheet (None = empty cell)."""
    if answer is None:
        return None
    if slide["type"] == "wordcloud" and not isinstance(answer, str):
        return wordcloud_cell(answer) or None
    if isinstance(answer, Mapping):  # scales: {statement: score}
        return ", ".join(f"{k}: {v}" for k, v in answer.items())
    return str(answer)


def write_mentimeter_export(
    path: str | Path,
    slides: Sequence[Mapping[str, Any]],
    voters: Sequence[Any] | None = None,
    *,
    session: str = "Session 1",
    date: dt.datetime | str = dt.datetime(2023, 9, 6, 15, 30),
    date_header: str = "Date",
) -> Path:
    """Write ``slides`` as a Mentimeter results export and return the path.

    Parameters
    ----------
    path
        Target ``.xlsx`` file.
    slides
        One dict per slide, in presentation order, with keys

        ``type``
            ``"choices"``, ``"wordcloud"``, ``"scales"``, ``"open"`` or ``"slide"``.
        ``question``
            Question text (the Voters column header is this text plus ``":"``).
        ``responses`` (optional)
            ``{voter: answer}``. Word cloud: a list of entries (multi-word entries allowed) or a
            ready cell string; choices/open: a string; scales: ``{statement: score 1..5}``.
        ``choices`` (optional)
            Choices: ``{choice: votes}``, default counted from ``responses``. Scales:
            ``{statement: [n1, n2, n3, n4, n5]}``, default counted from ``responses``.
        ``in_voters`` (optional, default True except for ``slide``)
            Whether the slide gets a column in the Voters sheet.
    voters
        Voter ids in sheet order, including voters without any answer; default: every voter that
        answered, in order of first appearance.
    session
        Name of the session; also the name of its sheet.
    date
        Timestamp written to the Date column and the slide blocks.
    date_header
        ``"Date"`` (older exports) or ``"Date (UTC)"`` (newer exports).
    """
    for s in slides:
        if s["type"] not in SLIDE_TYPES:
            raise ValueError(f"unknown slide type {s['type']!r}; use one of {SLIDE_TYPES}")
    if voters is None:
        seen: dict[Any, None] = {}
        for s in slides:
            for v in s.get("responses", {}):
                seen.setdefault(v, None)
        voters = list(seen)
    stamp = date.strftime("%Y-%m-%d %H:%M:%S") if isinstance(date, dt.datetime) else str(date)

    wb = Workbook()
    ws = wb.active
    ws.title = "Voters"
    ws["A1"] = NOTE_A1
    ws["A2"] = NOTE_A2
    in_voters = [s for s in slides if s.get("in_voters", s["type"] != "slide")]
    ws.append([date_header, "Session", "Voter", *[f"{s['question']}:" for s in in_voters]])
    for voter in voters:
        cells = [_voter_cell(s, s.get("responses", {}).get(voter)) for s in in_voters]
        ws.append([stamp, session, voter, *cells])

    ss = wb.create_sheet(session)
    row = 1
    question_no = 0
    for k, slide in enumerate(slides, start=1):
        responses = {v: a for v, a in slide.get("responses", {}).items() if a not in (None, "")}
        if slide["type"] == "slide":
            title = f"Slide {k}"
        else:
            question_no += 1
            title = f"Question {question_no}"
        block: list[list[Any]] = [
            [title],
            ["Date", stamp],
            ["Session", session],
            ["Type", slide["type"]],
            ["Question", slide["question"]],
            ["Respondents", len(responses)],
            [],
        ]
        choices = slide.get("choices")
        if slide["type"] == "choices":
            counts = dict(choices) if choices is not None else dict(Counter(responses.values()))
            if sum(counts.values()) == 0:
                block.append([NO_VOTES])
            else:
                block.append(["Choices", "Votes"])
                block.extend([c, n] for c, n in counts.items())
        elif slide["type"] == "scales":
            if choices is None:
                tally: dict[str, list[int]] = {}
                for answer in responses.values():
                    for statement, score in answer.items():
                        tally.setdefault(statement, [0] * 5)[int(score) - 1] += 1
                choices = tally
            if not choices:
                block.append([NO_VOTES])
            else:
                block.append(["Choices", "Weighted average", 1, 2, 3, 4, 5])
                for statement, ns in choices.items():
                    total = sum(ns)
                    avg = sum((i + 1) * n for i, n in enumerate(ns)) / total if total else None
                    block.append([statement, round(avg, 2) if avg else None, *ns])
        elif slide["type"] in ("wordcloud", "open"):
            if not responses:
                block.append([NO_VOTES])
            else:
                block.append(["Responses"])
                block.extend([_voter_cell(slide, a)] for a in responses.values())
        for line in block:
            for col, value in enumerate(line, start=1):
                ss.cell(row=row, column=col, value=value)
            row += 1
        row += 3  # three empty rows between blocks

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


if __name__ == "__main__":  # pragma: no cover - a quick look at the layout
    import sys

    out = write_mentimeter_export(
        sys.argv[1] if len(sys.argv) > 1 else "mentimeter-beispiel.xlsx",
        [
            {
                "type": "wordcloud",
                "question": "Formulieren Sie in 1-2 Worten Ihr Feedback",
                "responses": {1: ["toll", "gute Gespräche"], 2: ["informativ"]},
            },
            {"type": "choices", "question": "Waren Sie schon einmal dabei?", "responses": {}},
        ],
        voters=[1, 2, 3],
    )
    print(out)
