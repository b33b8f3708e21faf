"""Config errors phrased like the data problems: file, line, key, value, expectation, suggestion.

Pydantic reports ``('sozialraeume', 2, 'slug')`` and "String should match pattern …"; the analyst
needs ``config/stadt.toml, Zeile 29, [[sozialraeume]] Nr. 3 → slug: "Nord Ost" ist hier nicht
erlaubt. Erwartet: nur Kleinbuchstaben, …``. ``tomllib`` gives no positions, so
:class:`TomlPositions` scans the (already valid) TOML text for the line of every key, table and
array entry. What a key expects is read from the pydantic models along the error's ``loc``, so
fields added to the config are described without changes here.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
import tomllib
import types
import typing
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import annotated_types
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from sozialraum.names import closest

Loc = tuple[str | int, ...]

_MISSING = object()
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_MAX_VALUE = 60


# ---------------------------------------------------------------------------------------------
# One problem, one line
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ConfigProblem:
    """One finding about the config file, in the form of :class:`sozialraum.read.io.Problem`.

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
    return "\n".join([head, *(f"  - {p}" for p in problems)])


# ---------------------------------------------------------------------------------------------
# Where keys stand in the TOML text
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Node:
    line: int
    #: "table" ([a.b] or its implicit parents), "aotlist" ([[a]] as a whole), "aot" (one
    #: [[a]] entry), "key" (key = value), "dotted" (parent made by a.b = …), "item" (array entry)
    kind: str
    raw: str | None = None


class TomlPositions:
    """Lines of the keys, tables and array entries of a TOML text, by data path.

    Paths are those of the parsed data: ``("methode", "status", "schwellen", 1)``,
    ``("sozialraeume", 2, "slug")`` (the third ``[[sozialraeume]]``). The text must be valid TOML
    (it was parsed before); should the scan still stumble, the positions found so far are kept.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.nodes: dict[Loc, _Node] = {}
        self._starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        self._aot: dict[Loc, int] = {}
        try:
            self._scan()
        except (IndexError, ValueError, tomllib.TOMLDecodeError):  # pragma: no cover - defensive
            pass

    # -- queries ------------------------------------------------------------------------------
    def node(self, path: Loc) -> _Node | None:
        """The node of exactly ``path``, if it is written in the file."""
        return self.nodes.get(tuple(path))

    def line(self, path: Loc) -> int | None:
        """Line of ``path``, or of its nearest written parent (for keys that are missing)."""
        for i in range(len(path), 0, -1):
            node = self.nodes.get(tuple(path[:i]))
            if node is not None:
                return node.line
        return None

    def raw(self, path: Loc) -> str | None:
        """The value at ``path`` as written (whitespace collapsed), if it is a written value."""
        node = self.nodes.get(tuple(path))
        if node is None or node.raw is None:
            return None
        return " ".join(node.raw.split())

    def table_prefix(self, path: Loc) -> int:
        """Length of the longest prefix of ``path`` that is a table header ([a] or [[a]])."""
        for i in range(len(path), 0, -1):
            node = self.nodes.get(tuple(path[:i]))
            if node is not None and node.kind in ("table", "aot"):
                return i
        return 0

    # -- scanning -----------------------------------------------------------------------------
    def _line_of(self, pos: int) -> int:
        return bisect_right(self._starts, pos)

    def _skip_ws(self, pos: int) -> int:
        s = self.text
        while pos < len(s) and s[pos] in " \t":
            pos += 1
        return pos

    def _skip_blank(self, pos: int) -> int:
        """Skip whitespace, newlines and comments (inside arrays and inline tables)."""
        s = self.text
        while pos < len(s):
            if s[pos] in " \t\r\n":
                pos += 1
            elif s[pos] == "#":
                pos = self._end_of_line(pos)
            else:
                break
        return pos

    def _end_of_line(self, pos: int) -> int:
        end = self.text.find("\n", pos)
        return len(self.text) if end < 0 else end

    def _string_end(self, pos: int) -> int:
        s, q = self.text, self.text[pos]
        if s.startswith(q * 3, pos):
            i = pos + 3
            while True:
                if q == '"' and s[i] == "\\":
                    i += 2
                elif s.startswith(q * 3, i):
                    j = i + 3
                    while j < len(s) and s[j] == q and j - i < 5:  # quotes ending the content
                        j += 1
                    return j
                else:
                    i += 1
        i = pos + 1
        while s[i] != q:
            i += 2 if q == '"' and s[i] == "\\" else 1
        return i + 1

    def _key(self, pos: int) -> tuple[list[str], int]:
        s, parts = self.text, []
        while True:
            pos = self._skip_ws(pos)
            if s[pos] in "\"'":
                end = self._string_end(pos)
                parts.append(tomllib.loads("k = " + s[pos:end])["k"])
            else:
                m = _BARE_KEY.match(s, pos)
                if m is None:
                    raise ValueError(f"no key at {pos}")
                end = m.end()
                parts.append(m.group())
            pos = self._skip_ws(end)
            if pos < len(s) and s[pos] == ".":
                pos += 1
                continue
            return parts, pos

    def _value(self, pos: int, path: Loc) -> tuple[int, str]:
        s, start = self.text, pos
        if s[pos] in "\"'":
            end = self._string_end(pos)
        elif s[pos] == "[":
            end = self._array(pos, path)
        elif s[pos] == "{":
            end = self._inline(pos, path)
        else:
            end = pos
            while end < len(s) and s[end] not in ",]}#\r\n":
                end += 1
            while end > pos and s[end - 1] in " \t":
                end -= 1
        return end, s[start:end]

    def _array(self, pos: int, path: Loc) -> int:
        s, i, index = self.text, pos + 1, 0
        while True:
            i = self._skip_blank(i)
            if s[i] == "]":
                return i + 1
            item = (*path, index)
            start = i
            i, raw = self._value(i, item)
            self.nodes[item] = _Node(self._line_of(start), "item", raw)
            index += 1
            i = self._skip_blank(i)
            if s[i] == ",":
                i += 1

    def _inline(self, pos: int, path: Loc) -> int:
        s, i = self.text, pos + 1
        while True:
            i = self._skip_blank(i)
            if s[i] == "}":
                return i + 1
            i = self._key_value(i, path)
            i = self._skip_blank(i)
            if s[i] == ",":
                i += 1

    def _key_value(self, pos: int, table: Loc) -> int:
        line = self._line_of(pos)
        parts, i = self._key(pos)
        i = self._skip_ws(i)
        if self.text[i] != "=":
            raise ValueError(f"no '=' at {i}")
        i = self._skip_ws(i + 1)
        full = (*table, *parts)
        for k in range(len(table) + 1, len(full)):
            self.nodes.setdefault(full[:k], _Node(line, "dotted"))
        i, raw = self._value(i, full)
        self.nodes[full] = _Node(line, "key", raw)
        return i

    def _header(self, parts: list[str], aot: bool, line: int) -> Loc:
        out: list[str | int] = []
        for k, part in enumerate(parts):
            out.append(part)
            key = tuple(out)
            if aot and k == len(parts) - 1:
                self.nodes.setdefault(key, _Node(line, "aotlist"))
                n = self._aot.get(key, 0)
                self._aot[key] = n + 1
                out.append(n)
                self.nodes[tuple(out)] = _Node(line, "aot")
            elif key in self._aot:
                out.append(self._aot[key] - 1)
            elif k == len(parts) - 1:
                self.nodes[key] = _Node(line, "table")
            else:
                self.nodes.setdefault(key, _Node(line, "table"))
        return tuple(out)

    def _scan(self) -> None:
        s, pos, table = self.text, 0, ()
        while pos < len(s):
            pos = self._skip_ws(pos)
            if pos >= len(s):
                break
            c = s[pos]
            if c in "\r\n":
                pos += 1
                continue
            if c != "#":
                line = self._line_of(pos)
                if s.startswith("[[", pos):
                    parts, pos = self._key(pos + 2)
                    table = self._header(parts, True, line)
                elif c == "[":
                    parts, pos = self._key(pos + 1)
                    table = self._header(parts, False, line)
                else:
                    pos = self._key_value(pos, table)
            pos = self._end_of_line(pos)


# ---------------------------------------------------------------------------------------------
# Keys as the analyst sees them
# ---------------------------------------------------------------------------------------------
def _key_text(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else '"' + key.replace('"', '\\"') + '"'


def _header_text(path: Loc, kind: str) -> str:
    names = ".".join(_key_text(p) for p in path if isinstance(p, str))
    if kind == "aot" and path and isinstance(path[-1], int):
        text = f"[[{names}]] Nr. {path[-1] + 1}"
        inner = path[:-1]
    elif kind == "aotlist":
        text, inner = f"[[{names}]]", path
    else:
        text, inner = f"[{names}]", path
    for k, part in enumerate(inner):
        if isinstance(part, int):
            outer = ".".join(_key_text(p) for p in inner[:k] if isinstance(p, str))
            text += f" (in [[{outer}]] Nr. {part + 1})"
    return text


def _display(path: Loc, pos: TomlPositions, as_header: str | None = None) -> str:
    """``[methode.status] schwellen``, ``[[sozialraeume]] Nr. 2 → slug``, ``[stadt]``.

    ``as_header`` ("table" or "aotlist") shows a key that is not written (a missing table) as
    the header the analyst would add, when its parent is a header or the top of the file.
    """
    path = tuple(path)
    if not path:
        return ""
    node = pos.node(path)
    if node is not None and node.kind == "aotlist":
        return _header_text(path, "aotlist")
    k = pos.table_prefix(path)
    if as_header and k == len(path) - 1 and pos.node(path) is None:
        return _header_text(path, as_header)
    head, rest = path[:k], path[k:]
    head_kind = pos.nodes[head].kind if head else ""
    text = _header_text(head, head_kind) if head else ""
    for i, part in enumerate(rest):
        if isinstance(part, int):
            text += f" Nr. {part + 1}"
        elif i == 0 and head_kind != "aot":
            text += (" " if text else "") + _key_text(part)
        else:
            text += " → " + _key_text(part)
    return text


# ---------------------------------------------------------------------------------------------
# What the models expect, read along the error's loc
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Target:
    owner: type[BaseModel] | None  # model that holds the last key of the path
    info: FieldInfo | None
    ann: Any  # annotation of the value at the path; None where unknown


def _strip(ann: Any) -> Any:
    """Annotation without ``Annotated`` and without ``None`` of an optional."""
    while typing.get_origin(ann) is typing.Annotated:
        ann = typing.get_args(ann)[0]
    if _is_union(ann):
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        if len(args) == 1:
            return _strip(args[0])
    return ann


def _is_union(ann: Any) -> bool:
    return typing.get_origin(ann) in (typing.Union, types.UnionType)


def _alternatives(ann: Any) -> list[Any]:
    ann = _strip(ann)
    if _is_union(ann):
        return [_strip(a) for a in typing.get_args(ann) if a is not type(None)]
    return [ann]


def _is_model(ann: Any) -> bool:
    return isinstance(ann, type) and issubclass(ann, BaseModel)


def _target(model: type[BaseModel], path: Loc) -> _Target:
    ann: Any = model
    owner: type[BaseModel] | None = None
    info: FieldInfo | None = None
    for part in path:
        options = _alternatives(ann)
        if isinstance(part, str):
            models = [a for a in options if _is_model(a)]
            found = next((m for m in models if part in m.model_fields), None)
            if found is not None:
                owner, info = found, found.model_fields[part]
                ann = info.annotation
                continue
            mapping = next((a for a in options if typing.get_origin(a) is dict), None)
            if mapping is not None:
                owner, info, ann = None, None, typing.get_args(mapping)[1]
                continue
            return _Target(models[0] if models else None, None, None)
        seq = next((a for a in options if typing.get_origin(a) in (list, tuple, set)), None)
        if seq is None:
            return _Target(None, None, None)
        owner, info, ann = None, None, typing.get_args(seq)[0]
    return _Target(owner, info, ann)


def _literal_values(ann: Any) -> list[Any]:
    values: list[Any] = []
    for a in _alternatives(ann):
        if typing.get_origin(a) is typing.Literal:
            values += list(typing.get_args(a))
    return values


def _toml(value: Any) -> str:
    """A Python value written as TOML (for values that cannot be read back from the text)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(f"{_key_text(str(k))} = {_toml(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    return str(value)


def _oder(items: Iterable[str], und: str = "oder") -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {und} " + items[-1]


def _bounds(info: FieldInfo | None) -> str:
    if info is None:
        return ""
    parts = []
    for m in info.metadata:
        if isinstance(m, annotated_types.Ge):
            parts.append(f"ab {m.ge}")
        elif isinstance(m, annotated_types.Gt):
            parts.append(f"größer als {m.gt}")
        elif isinstance(m, annotated_types.Le):
            parts.append(f"bis {m.le}")
        elif isinstance(m, annotated_types.Lt):
            parts.append(f"kleiner als {m.lt}")
    return (" " + " und ".join(parts)) if parts else ""


def _pattern(info: FieldInfo | None) -> str | None:
    for m in info.metadata if info else ():
        pattern = getattr(m, "pattern", None)
        if isinstance(pattern, str):
            return pattern
    return None


def _describe(ann: Any, info: FieldInfo | None = None, header: str | None = None) -> str:
    """What a value of type ``ann`` looks like in TOML, as a German noun phrase."""
    options = _alternatives(ann)
    if len(options) > 1:
        return _oder(dict.fromkeys(_describe(a, None, header) for a in options))
    ann = options[0]
    literal = _literal_values(ann)
    if literal:
        return _oder(_toml(v) for v in literal)
    pattern = _pattern(info)
    if ann is bool:
        return "true oder false (klein geschrieben, ohne Anführungszeichen)"
    if ann is int:
        return f"eine ganze Zahl{_bounds(info)} (ohne Anführungszeichen)"
    if ann is float:
        return f"eine Zahl{_bounds(info)} mit Dezimalpunkt (ohne Anführungszeichen), z. B. 1.5"
    if ann is str:
        if pattern:
            return f"ein Text in Anführungszeichen aus {_explain_pattern(pattern)}"
        return "ein Text in Anführungszeichen"
    if isinstance(ann, type) and issubclass(ann, Path):
        return "ein Dateipfad in Anführungszeichen"
    if ann is dt.date:
        return "ein Datum JJJJ-MM-TT (ohne Anführungszeichen)"
    if _is_model(ann):
        required = [n for n, f in ann.model_fields.items() if f.is_required()]
        what = f"eine Tabelle {header}" if header else "eine Tabelle"
        if len(required) == 1:
            return f"{what} mit dem Pflichtschlüssel {required[0]}"
        return what + (f" mit den Pflichtschlüsseln {_oder(required, 'und')}" if required else "")
    origin = typing.get_origin(ann)
    args = typing.get_args(ann)
    if origin in (list, tuple, set):
        item = _strip(args[0]) if args else None
        if _is_model(item) and header:
            return f"Tabellen {header}, eine je Eintrag"
        if item is None:
            return "eine Liste in eckigen Klammern"
        return f"eine Liste in eckigen Klammern, jeder Eintrag {_describe(item)}"
    if origin is dict:
        keys = _literal_values(args[0]) if args else []
        if keys:
            return "eine Tabelle { … } mit den Schlüsseln " + _oder(str(k) for k in keys)
        return "eine Tabelle { schlüssel = … }"
    return getattr(ann, "__name__", str(ann))


_CHARS = {"a-z": "Kleinbuchstaben", "A-Z": "Großbuchstaben", "0-9": "Ziffern"}
_CHAR = {"a-z": "ein Kleinbuchstabe", "A-Z": "ein Großbuchstabe", "0-9": "eine Ziffer"}
_SIGNS = {"-": "Bindestriche", "_": "Unterstriche", ".": "Punkte", " ": "Leerzeichen"}
_SIGN = {"-": "ein Bindestrich", "_": "ein Unterstrich", ".": "ein Punkt", " ": "ein Leerzeichen"}
_SIMPLE_PATTERN = re.compile(r"\^(?:\[([^\]^]+)\])?\[([^\]^]+)\]([*+])\$|\^\[([^\]^]+)\]\$")


def _char_class(cls: str, plural: bool) -> list[str] | None:
    words, i = [], 0
    names, signs = (_CHARS, _SIGNS) if plural else (_CHAR, _SIGN)
    while i < len(cls):
        if cls[i : i + 3] in names:
            words.append(names[cls[i : i + 3]])
            i += 3
        elif cls[i] == "\\" and i + 1 < len(cls):
            words.append(signs.get(cls[i + 1], f'"{cls[i + 1]}"'))
            i += 2
        else:
            words.append(signs.get(cls[i], f'"{cls[i]}"'))
            i += 1
    return words or None


def _explain_pattern(pattern: str) -> str:
    """``^[a-z0-9][a-z0-9-]*$`` → "nur Kleinbuchstaben, Ziffern und Bindestriche, …"."""
    m = _SIMPLE_PATTERN.fullmatch(pattern)
    if m is None:
        return f"Zeichen passend zum Muster {pattern}"
    first, rest, _, single = m.groups()
    if single:
        one = _char_class(single, plural=False)
        return f"genau einem Zeichen: {_oder(one or [])}"
    words = _char_class(rest, plural=True) or []
    text = "nur " + _oder(words, "und")
    if first and first != rest:
        text += ", am Anfang " + _oder(_char_class(first, plural=False) or [])
    return text


def _fix_for_pattern(value: str, pattern: str) -> str | None:
    """A value close to ``value`` that matches ``pattern`` (umlauts spelled out, separators)."""
    text = value.strip().casefold()
    for umlaut, spelled in {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}.items():
        text = text.replace(umlaut, spelled)
    for sep in ("-", "_"):
        candidate = re.sub(r"[^a-z0-9]+", sep, text).strip(sep)
        if candidate and candidate != value and re.fullmatch(pattern, candidate):
            return candidate
    return None


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


# ---------------------------------------------------------------------------------------------
# TOML syntax errors
# ---------------------------------------------------------------------------------------------
_TOML_POSITION = re.compile(
    r"^(?P<msg>.*?)\s*\((?:at line (?P<line>\d+), column (?P<col>\d+)|"
    r"at end of document)\)\s*$",
    re.S,
)

_TOML_HINT_VALUES = (
    'Texte in Anführungszeichen setzen ("…"), Zahlen mit Dezimalpunkt (1.5), Wahrheitswerte als '
    "true oder false"
)
_TOML_ARRAY_OF_TABLES = "Einträge einer Liste von Tabellen beginnen jeweils mit [[name]]"

#: tomllib's messages (Python 3.11–3.13): German meaning and a hint.
_TOML_MESSAGES: list[tuple[str, str, str | None]] = [
    (r"Invalid value", "ungültiger Wert", _TOML_HINT_VALUES),
    (
        r"Invalid statement",
        "ungültige Zeile",
        "jede Zeile ist eine Tabelle [name], ein Eintrag schluessel = wert oder ein Kommentar "
        "mit #",
    ),
    (
        r"Expected '=' after a key in a key/value pair",
        "nach dem Schlüssel fehlt das Gleichheitszeichen",
        "Einträge schreiben Sie als schluessel = wert; Schlüssel mit Leerzeichen in "
        "Anführungszeichen setzen",
    ),
    (
        r"Expected '\]' at the end of a table declaration",
        "die Tabellenüberschrift ist nicht mit ] geschlossen",
        "Tabellen schreiben Sie als [name] in einer eigenen Zeile",
    ),
    (
        r"Expected '\]\]' at the end of an array declaration",
        "die Überschrift ist nicht mit ]] geschlossen",
        _TOML_ARRAY_OF_TABLES,
    ),
    (
        r"Expected newline or end of document after a statement",
        "nach dem Eintrag folgt in derselben Zeile noch etwas",
        "jeder Eintrag steht in einer eigenen Zeile; Texte mit Leerzeichen in Anführungszeichen "
        "setzen; Kommentare beginnen mit #",
    ),
    (
        r"Invalid date or datetime",
        "ungültiges Datum",
        "ein Datum als JJJJ-MM-TT schreiben, oder als Text in Anführungszeichen",
    ),
    (
        r"Invalid initial character for a key part",
        "ungültiges Zeichen am Anfang eines Schlüssels",
        "Schlüssel bestehen aus Buchstaben, Ziffern, _ und -; andere Schlüssel in "
        "Anführungszeichen setzen",
    ),
    (
        r"Unclosed array",
        "die Liste ist nicht mit ] geschlossen",
        "Listeneinträge durch Kommas trennen und die Liste mit ] schließen",
    ),
    (
        r"Unclosed inline table",
        "die Tabelle { … } ist nicht mit } geschlossen",
        "Einträge durch Kommas trennen und die Tabelle in derselben Zeile mit } schließen",
    ),
    (
        r"Unterminated string",
        "der Text ist nicht mit Anführungszeichen geschlossen",
        'jeder Text braucht ein schließendes " in derselben Zeile',
    ),
    (
        r"Cannot overwrite a value",
        "dieser Schlüssel hat schon einen Wert",
        "jeden Schlüssel nur einmal angeben; " + _TOML_ARRAY_OF_TABLES,
    ),
    (
        r"Cannot declare (?P<x>.+) twice",
        "die Tabelle {x} kommt zweimal vor",
        "jede Tabelle [name] nur einmal angeben; " + _TOML_ARRAY_OF_TABLES,
    ),
    (
        r"Cannot (?:mutate immutable|redefine) namespace (?P<x>.+)",
        "{x} ist schon vollständig angegeben und kann hier nicht ergänzt werden",
        "alle Schlüssel einer Tabelle an einer Stelle angeben",
    ),
    (
        r"Duplicate inline table key (?P<x>.+)",
        "der Schlüssel {x} kommt in { … } zweimal vor",
        "jeden Schlüssel nur einmal angeben",
    ),
    (
        r"Unescaped '\\' in a string",
        "ein einzelner \\ im Text",
        "Pfade mit / schreiben, \\ verdoppeln oder den Text in einfache Anführungszeichen '…' "
        "setzen",
    ),
    (
        r"(?:Found invalid|Illegal) character (?P<x>.+)",
        "unzulässiges Zeichen {x}",
        "Steuerzeichen und Tabulatoren innerhalb von Texten vermeiden",
    ),
    (
        r"Invalid hex value|Escaped character is not a Unicode scalar value",
        "ungültige \\u-Folge im Text",
        "\\ in Texten verdoppeln oder den Text in einfache Anführungszeichen '…' setzen",
    ),
    (r"Expected (?P<x>.+)", "hier fehlt {x}", None),
]


_TOML_LINE_END = (
    "der Text ist nicht mit Anführungszeichen geschlossen",
    'jeder Text braucht ein schließendes " in derselben Zeile',
)


def toml_problem(exc: tomllib.TOMLDecodeError, path: str | Path) -> ConfigProblem:
    """The syntax error ``tomllib`` found, with line, column, German meaning and a hint."""
    text = str(exc)
    m = _TOML_POSITION.match(text)
    msg = m.group("msg") if m else text
    zeile = int(m.group("line")) if m and m.group("line") else None
    spalte = int(m.group("col")) if m and m.group("col") else None
    meldung, hinweis = f'kein gültiges TOML ("{msg}")', None
    for pattern, german, hint in _TOML_MESSAGES:
        found = re.fullmatch(pattern, msg, re.S)
        if found:
            x = _toml_key(found.groupdict().get("x"))
            if x in ("'\\n'", "'\\r'"):
                german, hint = _TOML_LINE_END
            meldung = "kein gültiges TOML (" + (german.replace("{x}", x) if x else german) + ")"
            hinweis = hint
            break
    where = "am Dateiende" if m and zeile is None else None
    return ConfigProblem(
        display_path(path), meldung, zeile=zeile, spalte=spalte, schluessel=where, hinweis=hinweis
    )


def _toml_key(x: str | None) -> str | None:
    """``('methode', 'status')`` (how Python 3.11 names a key) → ``[methode.status]``."""
    if x is None or not x.startswith("("):
        return x
    try:
        parts = ast.literal_eval(x)
    except (ValueError, SyntaxError):
        return x
    if isinstance(parts, tuple) and all(isinstance(p, str) for p in parts):
        return "[" + ".".join(_key_text(p) for p in parts) + "]"
    return x


def toml_message(exc: tomllib.TOMLDecodeError, path: str | Path) -> str:
    """The message of the :class:`~sozialraum.config.ConfigError` for a TOML syntax error."""
    return str(toml_problem(exc, path))
