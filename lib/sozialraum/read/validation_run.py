"""The state of one validation run: the config, the problems found so far, the converted tables.

Every per-kind check (``check_*``) adds to the same run, so that one run reports all problems;
:func:`_fold_truncated` keeps one line for the follow-up errors of a cut-off file.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from sozialraum.config import Config
from sozialraum.read.adapt import adapt
from sozialraum.read.io import read_table
from sozialraum.read.problems import Problem, ReadError, eingabe_pfad
from sozialraum.read.schemas import SCHEMAS, Converted, Erlaubt, build_schema, check, convert
from sozialraum.read.tables import RawTable


def _count(n: int, one: str, many: str) -> str:
    return f"{_de_int(n)} {one if n == 1 else many}"


def _de_int(n: int) -> str:
    return f"{n:,}".replace(",", ".")


class _Run:
    """State of one validation run: the config, the problems so far, the converted tables."""

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.root = cfg.basis.parent
        self.problems: list[Problem] = []
        self.tables: dict[str, Converted] = {}
        self.ausschluesse: dict[str, str] = {}  # quartier_id -> reason, first reason wins
        self.raws: dict[str, RawTable] = {}

    def label(self, path: Path) -> str:
        """How messages name a file: relative to the project folder (the config's parent)."""
        return Path(os.path.relpath(path, self.root)).as_posix()

    def add(self, problems: list[Problem]) -> None:
        self.problems.extend(problems)

    def problem(self, datei: str, meldung: str, **kwargs: Any) -> None:
        self.problems.append(Problem(datei, meldung, **kwargs))

    def read(self, name: str) -> Converted | None:
        """Read and convert the input ``name`` of ``[eingaben]``; None if it cannot be read."""
        if getattr(self.cfg.eingaben, name, None) is None:
            return None
        path = eingabe_pfad(self.cfg, name)
        spec = self.cfg.eingabe(name)
        model = SCHEMAS[name]
        required = [c for c, col in model.to_schema().columns.items() if col.required]
        try:
            raw = read_table(path, self.label(path), required, spec.datensaetze)
        except ReadError as exc:
            self.problems.append(exc.problem)
            return None
        self.add(raw.probleme)
        self.raws[raw.datei] = raw
        raw, layout = adapt(raw, spec, self.cfg, name)
        self.add(layout)
        if any(p.schwere == "Fehler" for p in layout):
            return None
        conv = convert(raw, model)
        self.add(conv.problems)
        if conv.df is None:
            return None
        self.tables[name] = conv
        return conv

    def validate_schema(
        self,
        name: str,
        conv: Converted | None,
        erlaubt: dict[str, Erlaubt] | None = None,
        skip_rows: set[int] | None = None,
    ) -> None:
        if conv is None:
            return
        schema = build_schema(SCHEMAS[name], erlaubt)
        self.add(check(conv, schema, erlaubt, skip_rows))

    def cell(self, conv: Converted, pos: int, column: str, meldung: str, **kwargs: Any) -> None:
        """A problem about one cell; the value is taken as written in the file."""
        raw = conv.raw
        wert = raw.df[column].iloc[pos] if column in raw.df.columns else None
        kwargs.setdefault("wert", wert)
        self.problems.append(
            Problem(
                raw.datei,
                meldung,
                zeile=conv.zeile(pos),
                spalte=raw.spalte_von(pos, column),
                **kwargs,
            )
        )


def _fold_truncated(run: _Run) -> None:
    """Keep one line for the follow-up errors of a file that is cut off.

    A truncated export produces a message for every row and Quartier it lacks; the analyst needs
    to hear "the file is cut off" once, not 285 times.
    """
    for datei, raw in run.raws.items():
        if raw.abgeschnitten is None:
            continue
        cause = [p for p in run.problems if p.datei == datei and "abgeschnitten" in p.meldung]
        follow = [
            p for p in run.problems if p.datei == datei and p.schwere == "Fehler" and p not in cause
        ]
        if not follow:
            continue
        run.problems = [p for p in run.problems if p not in follow]
        run.problem(
            datei,
            f"{_count(len(follow), 'weiterer Fehler', 'weitere Fehler')} in dieser Datei sind "
            f"wahrscheinlich Folgen davon (der erste: {follow[0].meldung})",
            erwartet="eine vollständige Datei; danach erneut prüfen",
        )


def _mark_records(run: _Run) -> None:
    """Let every finding about a JSON file name the record and the key, not a row and column.

    The checks treat a JSON file like a CSV file (rows numbered from 2); which file is which is
    only known here, where the tables of the run are.
    """
    records = {datei for datei, raw in run.raws.items() if raw.ort == "Datensatz"}
    if records:
        run.problems = [
            replace(p, ort="Datensatz") if p.datei in records else p for p in run.problems
        ]
