"""Config errors phrased like the data problems: file, line, key, value, expectation, suggestion.

Pydantic reports ``('sozialraeume', 2, 'slug')`` and "String should match pattern …"; the analyst
needs ``config/stadt.toml, Zeile 29, [[sozialraeume]] Nr. 3 → slug: "Nord Ost" ist hier nicht
erlaubt. Erwartet: nur Kleinbuchstaben, …``. ``tomllib`` gives no positions, so
:class:`~sozialraum.config_toml.TomlPositions` scans the (already valid) TOML text for the line
of every key, table and array entry. What a key expects is read from the pydantic models along
the error's ``loc`` (:mod:`sozialraum.config_expect`), so fields added to the config are
described without changes here. TOML syntax errors are in :mod:`sozialraum.config_syntax`.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sozialraum.config_doku import verweis
from sozialraum.config_expect import (
    _describe,
    _explain_pattern,
    _fix_for_pattern,
    _is_model,
    _literal_values,
    _oder,
    _pattern,
    _strip,
    _Target,
    _target,
    _toml,
)
from sozialraum.config_toml import Loc, TomlPositions, _display, _header_text
from sozialraum.names import closest

_MISSING = object()
_MAX_VALUE = 60


# ---------------------------------------------------------------------------------------------
# One problem, one line
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ConfigProblem:
    """One finding about the config file, in the form of :class:`sozialraum.read.problems.Problem`.

    ``schluessel`` is the TOML key as the analyst sees it (``[methode.status] schwellen``,
    ``[[sozialraeume]] Nr. 2 → slug``); ``spalte`` is a character column (TOML syntax errors).
    """

    datei: str
    meldung: str
    zeile: int | None = None
    spalte: int | None = None
    schluessel: str | None = None
    erwartet: str | None = None
    vorschlag: str | None = None
    hinweis: str | None = None
    doku: str | None = None
    """Where the key is described ("Siehe docs/konfiguration.md#tabelle-datei"), for the
    message :func:`format_problems` builds; ``str()`` leaves it out."""

    def __str__(self) -> str:
        where = [self.datei]
        if self.zeile is not None:
            where.append(f"Zeile {self.zeile}")
        if self.spalte is not None:
            where.append(f"Spalte {self.spalte}")
        if self.schluessel:
            where.append(self.schluessel)
        text = ", ".join(where) + ": " + _sentence(self.meldung)
        if self.erwartet:
            text += f" Erwartet: {_sentence(self.erwartet)}"
        if self.vorschlag:
            text += f' Meinten Sie "{self.vorschlag}"?'
        if self.hinweis:
            text += f" Tipp: {_sentence(self.hinweis)}"
        return text


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def display_path(path: str | Path) -> str:
    """The file as the analyst finds it: relative to the working directory if below it."""
    p = Path(path).resolve()
    try:
        return p.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(p)


def format_problems(problems: list[ConfigProblem], path: str | Path) -> str:
    """The message of a :class:`~sozialraum.config.ConfigError`: a heading, one line a problem."""
    n = len(problems)
    head = f"Die Konfiguration {display_path(path)} hat {n} Fehler:"
    lines = [f"  - {p}" + (f" {_sentence(p.doku)}" if p.doku else "") for p in problems]
    return "\n".join([head, *lines])


# ---------------------------------------------------------------------------------------------
# pydantic errors → problems
# ---------------------------------------------------------------------------------------------
@dataclass
class _Error:
    path: Loc  # data path: keys and list indexes, union branch tags removed
    type: str
    input: Any
    ctx: dict[str, Any]
    msg: str
    tag_depth: int | None = None  # len(path) where the first union branch tag stood
    tag: str | None = None
    key_error: bool = False  # the error is about a key of a dict (loc ends with "[key]")


def _parse_loc(err: dict[str, Any], data: Any) -> _Error:
    loc = list(err["loc"])
    out = _Error((), err["type"], err.get("input"), dict(err.get("ctx") or {}), err["msg"])
    path: list[str | int] = []
    for k, part in enumerate(loc):
        last = k == len(loc) - 1
        if part == "[key]":
            out.key_error = True
        elif isinstance(part, int) and isinstance(data, list):
            path.append(part)
            data = data[part] if 0 <= part < len(data) else _MISSING
        elif isinstance(part, str) and isinstance(data, dict) and part in data:
            path.append(part)
            data = data[part]
        elif isinstance(part, str) and last and err["type"] == "missing":
            path.append(part)
            data = _MISSING
        elif out.tag is None:
            out.tag_depth, out.tag = len(path), str(part)
    out.path = tuple(path)
    return out


_TYPE_ONLY = {
    "int_type",
    "int_parsing",
    "int_from_float",
    "float_type",
    "float_parsing",
    "string_type",
    "bool_type",
    "bool_parsing",
    "list_type",
    "dict_type",
    "model_type",
    "model_attributes_type",
    "path_type",
    "is_instance_of",
    "none_required",
    "literal_error",
    "date_type",
    "date_parsing",
    "date_from_datetime_parsing",
}


def _pick_union_branches(errors: list[_Error]) -> list[_Error]:
    """Of the errors of one union, keep the most useful branch (or merge type errors into one).

    A branch whose errors reach inside the value (a table with a wrong key) was the one meant;
    where every branch only rejected the type, one problem lists what each branch would take.
    """
    sites: dict[Loc, list[_Error]] = {}
    out: list[_Error] = []
    for e in errors:
        if e.tag is None:
            out.append(e)
        else:
            sites.setdefault(e.path[: e.tag_depth], []).append(e)
    for site, errs in sites.items():
        branches: dict[str, list[_Error]] = {}
        for e in errs:
            branches.setdefault(e.tag or "", []).append(e)
        deep = {
            t: es
            for t, es in branches.items()
            if any(len(e.path) > len(site) or e.type not in _TYPE_ONLY for e in es)
        }
        if deep:
            best = max(deep.values(), key=lambda es: (max(len(e.path) for e in es), -len(es)))
            out += best
        else:
            first = errs[0]
            out.append(_Error(site, "union", first.input, {}, first.msg))
    return out


class _Describer:
    """Turns parsed pydantic errors into :class:`ConfigProblem` lines."""

    def __init__(
        self,
        model: type[BaseModel],
        data: Any,
        pos: TomlPositions,
        datei: str,
        internal: Iterable[str] = (),
    ):
        self.model, self.data, self.pos, self.datei = model, data, pos, datei
        self.internal = set(internal)

    def _data_at(self, path: Loc) -> Any:
        data = self.data
        for part in path:
            try:
                data = data[part]
            except (KeyError, IndexError, TypeError):
                return _MISSING
        return data

    def _written(self, e: _Error) -> str:
        raw = self.pos.raw(e.path)
        text = raw if raw is not None else _toml(e.input)
        return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1].rstrip() + "…"

    def _is_header(self, path: Loc) -> bool:
        """True where ``path`` would be written as a [table] (its parent is a header or top)."""
        parent = path[:-1]
        return not parent or self.pos.table_prefix(parent) == len(parent)

    def _header_kind(self, path: Loc, ann: Any) -> str | None:
        if not self._is_header(path):
            return None
        ann = _strip(ann)
        if _is_model(ann):
            return "table"
        if typing.get_origin(ann) is list and _is_model(_strip(typing.get_args(ann)[0])):
            return "aotlist"
        return None

    def problem(self, e: _Error) -> ConfigProblem:
        target = _target(self.model, e.path)
        method = getattr(self, "_" + e.type, None)
        if method is None:
            method = self._number_bound if e.type in _BOUNDS else self._generic
        fields = method(e, target)
        fields.setdefault("schluessel", _display(e.path, self.pos) or None)
        fields.setdefault("zeile", self.pos.line(e.path))
        if self.model.__module__ == "sozialraum.config":  # the page documents these models only
            fields.setdefault("doku", _doku(target, e.path))
        return ConfigProblem(datei=self.datei, **fields)

    # -- one method per pydantic error type --------------------------------------------------
    def _missing(self, e: _Error, t: _Target) -> dict[str, Any]:
        key, parent = str(e.path[-1]), e.path[:-1]
        kind = self._header_kind(e.path, t.ann)
        shown = _display(e.path, self.pos, as_header=kind)
        where = self._container(parent)
        if kind == "table":
            meldung = f"die Tabelle {shown} fehlt{where}"
        elif kind == "aotlist":
            meldung = f"die Einträge {shown} fehlen{where}"
        else:
            meldung = f'der Pflichtschlüssel "{key}" fehlt{where}'
        return {
            "schluessel": shown,
            "meldung": meldung,
            "erwartet": _describe(t.ann, t.info, header=shown if kind else None),
        }

    def _container(self, parent: Loc) -> str:
        if not parent:
            return " in der Datei"
        line = self.pos.line(parent)
        node = self.pos.node(parent)
        shown = _display(parent, self.pos)
        since = f" (beginnt in Zeile {line})" if line is not None else ""
        if node is None:
            return f" in {shown}"
        if node.kind == "table":
            return f" in der Tabelle {shown}{since}"
        if node.kind == "aot":
            return f" im Eintrag {shown}{since}"
        return f" in {shown} (Zeile {line})"

    def _extra_forbidden(self, e: _Error, t: _Target) -> dict[str, Any]:
        key = str(e.path[-1])
        node = self.pos.node(e.path)
        owner = t.owner
        allowed = list(owner.model_fields) if owner is not None else []
        if len(e.path) == 1:  # keys the loader sets itself are not the analyst's to write
            allowed = [a for a in allowed if a not in self.internal]
        given = self._data_at(e.path[:-1])
        unused = [a for a in allowed if not (isinstance(given, dict) and a in given)]
        guess = closest(key, unused) or closest(key, allowed)
        if node is not None and node.kind in ("table", "aotlist", "aot"):
            kind = "aotlist" if node.kind != "table" else "table"
            shown = _header_text(e.path, kind)
            article = "unbekannte Tabelle" if kind == "table" else "unbekannte Einträge"
            vorschlag = _header_text((*e.path[:-1], guess), kind) if guess else None
            fields: dict[str, Any] = {"schluessel": shown, "meldung": f"{article} {shown}"}
        else:
            fields = {"meldung": f'unbekannter Schlüssel "{key}" = {self._written(e)}'}
            vorschlag = guess
        if vorschlag:
            fields["vorschlag"] = vorschlag
        elif allowed:
            fields["erwartet"] = "einer der Schlüssel " + _oder(allowed)
        return fields

    def _type_error(self, e: _Error, t: _Target, was: str) -> dict[str, Any]:
        header = None
        if self._header_kind(e.path, t.ann) == "table":
            header = _header_text(e.path, "table") + " oder { … }"
        return {
            "meldung": f"{self._written(e)} ist {was}",
            "erwartet": _describe(t.ann, t.info, header=header),
        }

    def _int_type(self, e: _Error, t: _Target) -> dict[str, Any]:
        fields = self._type_error(e, t, "keine ganze Zahl")
        if isinstance(e.input, str) and re.fullmatch(r"\s*[+-]?\d+\s*", e.input):
            fields["hinweis"] = f"ohne Anführungszeichen schreiben: {e.input.strip()}"
        return fields

    _int_parsing = _int_type
    _int_from_float = _int_type

    def _float_type(self, e: _Error, t: _Target) -> dict[str, Any]:
        fields = self._type_error(e, t, "keine Zahl")
        if isinstance(e.input, str):
            number = e.input.strip().replace(",", ".")
            if re.fullmatch(r"[+-]?\d+(\.\d+)?", number):
                fields["hinweis"] = f"ohne Anführungszeichen und mit Dezimalpunkt: {number}"
        return fields

    _float_parsing = _float_type

    def _string_type(self, e: _Error, t: _Target) -> dict[str, Any]:
        fields = self._type_error(e, t, "kein Text")
        if isinstance(e.input, bool | int | float | dt.date | dt.time | dt.datetime):
            fields["hinweis"] = f'in Anführungszeichen setzen: "{self._written(e)}"'
        return fields

    def _bool_type(self, e: _Error, t: _Target) -> dict[str, Any]:
        return self._type_error(e, t, "kein Wahrheitswert")

    _bool_parsing = _bool_type

    def _path_type(self, e: _Error, t: _Target) -> dict[str, Any]:
        return self._type_error(e, t, "kein Dateipfad")

    def _date_type(self, e: _Error, t: _Target) -> dict[str, Any]:
        return self._type_error(e, t, "kein Datum")

    _date_parsing = _date_type
    _date_from_datetime_parsing = _date_type

    def _list_type(self, e: _Error, t: _Target) -> dict[str, Any]:
        node = self.pos.node(e.path)
        item = typing.get_args(_strip(t.ann))
        of_tables = bool(item) and _is_model(_strip(item[0]))
        if node is not None and node.kind == "table":
            shown = _header_text(e.path, "table")
            fields = {"schluessel": shown, "meldung": f"{shown} ist eine einzelne Tabelle"}
        else:
            fields = {"meldung": f"{self._written(e)} ist keine Liste"}
        if of_tables and self._is_header(e.path):
            header = _header_text(e.path, "aotlist")
            fields["erwartet"] = f"Tabellen {header}, eine je Eintrag"
            fields["hinweis"] = f"jeden Eintrag mit doppelten eckigen Klammern beginnen: {header}"
        else:
            fields["erwartet"] = _describe(t.ann, t.info)
            if not isinstance(e.input, dict):
                fields["hinweis"] = f"in eckige Klammern setzen: [{self._written(e)}]"
        return fields

    _tuple_type = _list_type
    _set_type = _list_type

    def _model_type(self, e: _Error, t: _Target) -> dict[str, Any]:
        return self._type_error(e, t, "keine Tabelle")

    _dict_type = _model_type
    _model_attributes_type = _model_type

    def _literal_error(self, e: _Error, t: _Target) -> dict[str, Any]:
        if e.key_error:  # a key of a dict[Literal[...], ...]: the parent's key type
            mapping = _strip(_target(self.model, e.path[:-1]).ann)
            keys = typing.get_args(mapping) if typing.get_origin(mapping) is dict else ()
            allowed = _literal_values(keys[0]) if keys else []
        else:
            allowed = _literal_values(t.ann)
        if allowed:
            expected = _oder(_toml(v) for v in allowed)
        else:  # not found in the annotation: pydantic's own list ('a', 'b' or 'c')
            expected = str(e.ctx.get("expected", "")).replace(" or ", " oder ").replace("'", '"')
        texts = [v for v in allowed if isinstance(v, str)]
        guess = closest(str(e.input), texts, cutoff=0.6) if texts else None
        if e.key_error:
            return {
                "meldung": f'unbekannter Schlüssel "{e.input}"',
                "erwartet": "einer der Schlüssel " + expected.replace('"', ""),
                **({"vorschlag": guess} if guess else {}),
            }
        return {
            "meldung": f"{self._written(e)} ist kein erlaubter Wert",
            "erwartet": expected,
            **({"vorschlag": guess} if guess else {}),
        }

    def _string_pattern_mismatch(self, e: _Error, t: _Target) -> dict[str, Any]:
        pattern = str(e.ctx.get("pattern") or _pattern(t.info) or "")
        fields: dict[str, Any] = {
            "meldung": f"{self._written(e)} ist hier nicht erlaubt",
            "erwartet": _explain_pattern(pattern),
        }
        fix = _fix_for_pattern(str(e.input), pattern) if pattern else None
        if fix:
            fields["vorschlag"] = fix
        return fields

    def _number_bound(self, e: _Error, t: _Target) -> dict[str, Any]:
        words = _BOUNDS[e.type]
        limit = next(iter(e.ctx.values()), "?")
        base = "eine ganze Zahl" if _strip(t.ann) is int else "eine Zahl"
        return {
            "meldung": f"{self._written(e)} ist {words[0]}",
            "erwartet": f"{base} {words[1]} {limit}",
        }

    def _too_short(self, e: _Error, t: _Target) -> dict[str, Any]:
        n = e.ctx.get("min_length", "?")
        return {
            "meldung": f"{self._written(e)} hat zu wenige Einträge",
            "erwartet": f"mindestens {n} {'Eintrag' if n == 1 else 'Einträge'}",
        }

    def _too_long(self, e: _Error, t: _Target) -> dict[str, Any]:
        n = e.ctx.get("max_length", "?")
        return {
            "meldung": f"{self._written(e)} hat zu viele Einträge",
            "erwartet": f"höchstens {n} {'Eintrag' if n == 1 else 'Einträge'}",
        }

    def _value_error(self, e: _Error, t: _Target) -> dict[str, Any]:
        text = e.msg
        for prefix in ("Value error, ", "Assertion failed, "):
            text = text.removeprefix(prefix)
        fields: dict[str, Any] = {"meldung": text}
        named = self._named_key(e.path, text)
        if named is not None:
            fields["schluessel"] = _display(named, self.pos, as_header="aotlist")
            fields["zeile"] = self.pos.line(named)
        elif e.path and self._header_kind(e.path, t.ann):
            fields["schluessel"] = _display(e.path, self.pos, as_header="table")
        return fields

    def _named_key(self, path: Loc, text: str) -> Loc | None:
        """The written key a validator's message starts with ("schwellen müssen …")."""
        m = re.match(r"\[*([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*)\b", text)
        if m is None:
            return None
        found: Loc | None = None
        for part in m.group(1).split("."):
            target = _target(self.model, (*path, part))
            if target.info is None or self.pos.node((*path, part)) is None:
                break
            path = found = (*path, part)
        return found

    _assertion_error = _value_error

    def _union(self, e: _Error, t: _Target) -> dict[str, Any]:
        return {
            "meldung": f"{self._written(e)} passt hier nicht",
            "erwartet": _describe(t.ann, t.info),
        }

    def _generic(self, e: _Error, t: _Target) -> dict[str, Any]:
        fields: dict[str, Any] = {"meldung": f"{self._written(e)} ist hier nicht gültig"}
        if t.ann is not None:
            fields["erwartet"] = _describe(t.ann, t.info)
        return fields


def _doku(target: _Target, path: Loc) -> str | None:
    """Where docs/konfiguration.md describes the key (or the table) a problem is about."""
    ann = _strip(target.ann)
    if _is_model(ann):
        return verweis(ann)
    if target.owner is not None and target.info is not None and path:
        return verweis(target.owner, str(path[-1]))
    if target.owner is not None:
        return verweis(target.owner)
    return None


_BOUNDS = {
    "greater_than_equal": ("zu klein", "ab"),
    "greater_than": ("zu klein", "größer als"),
    "less_than_equal": ("zu groß", "bis höchstens"),
    "less_than": ("zu groß", "kleiner als"),
}


def config_problems(
    exc: ValidationError,
    path: str | Path,
    model: type[BaseModel],
    text: str | None = None,
    internal: Iterable[str] = (),
) -> list[ConfigProblem]:
    """One :class:`ConfigProblem` per pydantic error of ``model`` read from the file ``path``.

    ``text`` is the TOML text (read from ``path`` if not given); ``internal`` names top-level
    fields the loader fills in itself (never suggested). The problems come in the order of their
    lines, problems of the whole file last.
    """
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = ""
    try:
        data: Any = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        data = {}
    pos = TomlPositions(text)
    describer = _Describer(model, data, pos, display_path(path), internal)
    errors = _pick_union_branches([_parse_loc(err, data) for err in exc.errors()])
    problems = [describer.problem(e) for e in errors]
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.zeile is None, p.zeile or 0))


def validation_message(
    exc: ValidationError,
    path: str | Path,
    model: type[BaseModel],
    text: str | None = None,
    internal: Iterable[str] = (),
) -> str:
    """The German message for a config that does not fit ``model``: heading, one line each."""
    return format_problems(config_problems(exc, path, model, text, internal), path)
