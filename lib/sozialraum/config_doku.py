"""The reference of the config keys (``docs/konfiguration.md``): which models, where, which anchor.

The page is generated from the pydantic models of :mod:`sozialraum.config` by
``scripts/konfiguration.py``; a field added to any model reachable from ``Config`` appears there
without a change here. The anchors are derived from model and field names alone, so that config
messages (:mod:`sozialraum.config_errors`) can point to the key they are about.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

#: The page, relative to the project folder (as config messages name it).
DOKU_SEITE = "docs/konfiguration.md"

#: Fields the loader sets itself; they are no key an analyst writes.
INTERN = {("Config", "pfad")}


def anker(model: type[BaseModel] | str, feld: str | None = None) -> str:
    """Anchor of a model's section (``tabelle``) or of one of its keys (``tabelle-datei``)."""
    name = (model if isinstance(model, str) else model.__name__).lower()
    return f"{name}-{feld}" if feld else name


def verweis(model: type[BaseModel] | str, feld: str | None = None) -> str:
    """The line a config message ends with: where the key is described."""
    return f"Siehe {DOKU_SEITE}#{anker(model, feld)}"


def _is_model(ann: Any) -> bool:
    return isinstance(ann, type) and issubclass(ann, BaseModel)


def modelle_in(ann: Any) -> list[type[BaseModel]]:
    """The models an annotation holds: itself, in a union, a list or as the values of a dict."""
    if _is_model(ann):
        return [ann]
    origin = typing.get_origin(ann)
    args = typing.get_args(ann)
    if origin is dict and len(args) == 2:
        args = args[1:]
    if origin is typing.Annotated:
        args = args[:1]
    if origin in (typing.Union, types.UnionType, list, tuple, set, dict, typing.Annotated):
        return [m for a in args for m in modelle_in(a)]
    return []


def ist_liste(ann: Any) -> bool:
    """True for a list of tables (written ``[[…]]`` in TOML)."""
    if typing.get_origin(ann) in (typing.Union, types.UnionType):
        return any(ist_liste(a) for a in typing.get_args(ann))
    return typing.get_origin(ann) in (list, tuple) and bool(modelle_in(ann))


@dataclass
class Abschnitt:
    """One model of the config and every place it stands (``("eingaben", "geometrie")`` …).

    ``orte`` are data paths; a ``[]`` part marks a list of tables (``sozialraeume[].termine``).
    """

    model: type[BaseModel]
    orte: list[tuple[str, ...]] = field(default_factory=list)


def abschnitte(root: type[BaseModel]) -> list[Abschnitt]:
    """Every model reachable from ``root``, in the order a config file meets them.

    Depth first along the fields, so that ``[stadt]`` comes before ``[methode.status]``; a model
    used in several places (one Tabelle per input) is one section listing all of them.
    """
    found: dict[type[BaseModel], Abschnitt] = {}

    def walk(model: type[BaseModel], ort: tuple[str, ...]) -> None:
        first = model not in found
        found.setdefault(model, Abschnitt(model)).orte.append(ort)
        if not first:
            return
        for name, info in felder(model):
            sub = (*ort, name, "[]") if ist_liste(info.annotation) else (*ort, name)
            for m in modelle_in(info.annotation):
                walk(m, sub)

    walk(root, ())
    return list(found.values())


def felder(model: type[BaseModel]) -> Iterator[tuple[str, Any]]:
    """The keys of ``model`` an analyst writes, with their field info."""
    for name, info in model.model_fields.items():
        if (model.__name__, name) not in INTERN:
            yield name, info


def ohne_beschreibung(root: type[BaseModel]) -> list[str]:
    """``Model.feld`` of every key reachable from ``root`` that has no description."""
    return [
        f"{a.model.__name__}.{name}"
        for a in abschnitte(root)
        for name, info in felder(a.model)
        if not (info.description or "").strip()
    ]
