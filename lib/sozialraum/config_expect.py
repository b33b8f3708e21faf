"""What a config key expects, read from the pydantic models along an error's path, in German.

Field types, bounds and patterns become noun phrases ("eine ganze Zahl ab 1") and fixes for
values that miss a pattern, for the messages of :mod:`sozialraum.config_errors`.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sozialraum.config_toml import Loc, _key_text


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
