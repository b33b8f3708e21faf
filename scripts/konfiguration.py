"""Write docs/konfiguration.md, the reference of every config key, from the pydantic models.

Type, default and meaning come from the models of ``sozialraum.config`` (a field added there
appears here without a change); the example is the field's ``examples``, else the value the two
example configs use (Oberhausen, Berlin), else the default, else a placeholder of its type.

    python scripts/konfiguration.py           # write the page
    python scripts/konfiguration.py --check   # exit 1 if the committed page is stale
"""

from __future__ import annotations

import argparse
import sys
import tomllib
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from sozialraum.config import Config
from sozialraum.config_doku import DOKU_SEITE, Abschnitt, abschnitte, anker, felder, modelle_in
from sozialraum.config_expect import _describe, _literal_values, _strip, _toml

ROOT = Path(__file__).resolve().parents[1]
SEITE = ROOT / DOKU_SEITE
BEISPIELE = [ROOT / "config" / "oberhausen.toml", ROOT / "examples/berlin-mss-2021/berlin.toml"]

KOPF = """\
# Konfiguration: alle Schlüssel

Diese Seite wird aus den Modellen in `lib/sozialraum/config.py` erzeugt
(`python scripts/konfiguration.py`); bitte nicht von Hand ändern. Eine Konfiguration ist eine
TOML-Datei (Beispiele: `config/oberhausen.toml`, `examples/berlin-mss-2021/berlin.toml`).
Pfade gelten relativ zur Konfigurationsdatei. Unbekannte Schlüssel sind ein Fehler; die
Fehlermeldungen von `sozialraum validate` verweisen auf den passenden Abschnitt dieser Seite.

Je Schlüssel: was er bedeutet, welcher Wert erwartet wird, was ohne Angabe gilt, ein Beispiel.
"""


#: Headings for models whose class name is no German word (the anchor stays the class name).
TITEL = {"Config": "Konfiguration"}


def _titel(model: type[BaseModel]) -> str:
    return TITEL.get(model.__name__, model.__name__)


def _ort(ort: tuple[str, ...]) -> str:
    """A data path as TOML writes its table: ``[eingaben.geometrie]``, ``[[sozialraeume]]``."""
    if not ort:
        return "oberste Ebene der Datei"
    parts = [p for p in ort if p != "[]"]
    name = ".".join(parts)
    return f"`[[{name}]]`" if ort[-1] == "[]" else f"`[{name}]`"


def _beispielwert(data: Any, ort: tuple[str, ...], feld: str) -> Any:
    node = data
    for part in ort:
        if part == "[]":
            node = node[0] if isinstance(node, list) and node else None
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return None
    if isinstance(node, str) and feld == "datei":  # a plain path stands for { datei = … }
        return node
    if isinstance(node, list):  # the first entry of a list of tables that has the key
        node = next((n for n in node if isinstance(n, dict) and feld in n), None)
    return node.get(feld) if isinstance(node, dict) else None


def _platzhalter(ann: Any) -> Any:
    ann = _strip(ann)
    values = _literal_values(ann)
    if values:
        return values[0]
    if ann is bool:
        return True
    if ann is int:
        return 1
    if ann is float:
        return 1.0
    if ann is Path:
        return "../data/datei.csv"
    if typing.get_origin(ann) is list:
        return [_platzhalter(typing.get_args(ann)[0])]
    if typing.get_origin(ann) is dict:
        return {"schluessel": "Wert"}
    return "…"


def _standard(info: Any) -> Any:
    if info.is_required():
        return PydanticUndefined
    if info.default_factory is not None:
        return info.default_factory()
    return info.default


def _toml_wert(value: Any) -> str:
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json", exclude_defaults=False)
    if isinstance(value, Path):
        value = value.as_posix()
    return _toml(value)


def _beispiel(abschnitt: Abschnitt, name: str, info: Any, configs: list[dict]) -> str:
    sub = modelle_in(info.annotation)
    if sub:
        links = ", ".join(f"[{_titel(m)}](#{anker(m)})" for m in sub)
        return f"siehe {links}"
    if info.examples:
        value = info.examples[0]
    else:
        value = None
        for data in configs:
            for ort in abschnitt.orte:
                value = _beispielwert(data, ort, name)
                if value is not None:
                    break
            if value is not None:
                break
        if value is None:
            default = _standard(info)
            useful = default not in (PydanticUndefined, None, "", [], {})
            value = default if useful else _platzhalter(info.annotation)
    return f"`{name} = {_toml_wert(value)}`"


def _zeile(abschnitt: Abschnitt, name: str, info: Any, configs: list[dict]) -> str:
    default = _standard(info)
    if default is PydanticUndefined:
        pflicht = "**Pflicht**"
    elif isinstance(default, BaseModel):
        pflicht = "freiwillig, ohne Angabe gelten die Standardwerte des Abschnitts"
    elif default is None or default in ("", [], {}):
        pflicht = "freiwillig, ohne Angabe: nichts"
    else:
        pflicht = f"freiwillig, ohne Angabe: `{_toml_wert(default)}`"
    beschreibung = " ".join((info.description or "").split())
    typ = _describe(info.annotation, info)
    return (
        f'- <a id="{anker(abschnitt.model, name)}"></a>**`{name}`** — {beschreibung}.  \n'
        f"  Wert: {typ}; {pflicht}.  \n"
        f"  Beispiel: {_beispiel(abschnitt, name, info, configs)}"
    )


def seite(root: type[BaseModel] = Config) -> str:
    """The whole page, as the models of ``root`` describe it now."""
    configs = [tomllib.loads(p.read_text(encoding="utf-8")) for p in BEISPIELE if p.is_file()]
    teile = [KOPF]
    alle = abschnitte(root)
    teile.append("## Inhalt\n")
    teile += [f"- [{_titel(a.model)}](#{anker(a.model)}): {_orte(a)}" for a in alle]
    teile.append("")
    for a in alle:
        teile.append(f'<a id="{anker(a.model)}"></a>\n\n## {_titel(a.model)}\n')
        teile.append(f"Steht in: {_orte(a)}.\n")
        teile += [_zeile(a, name, info, configs) for name, info in felder(a.model)]
        teile.append("")
    return "\n".join(teile).rstrip("\n") + "\n"


def _orte(a: Abschnitt) -> str:
    return ", ".join(dict.fromkeys(_ort(o) for o in a.orte))


def main(argv: list[str] | None = None) -> int:
    """Write the page, or with ``--check`` say whether the committed one is current."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="nur prüfen, nicht schreiben")
    args = parser.parse_args(argv)
    text = seite()
    if args.check:
        current = SEITE.read_text(encoding="utf-8") if SEITE.is_file() else ""
        if current != text:
            print(f"{DOKU_SEITE} ist veraltet: python scripts/konfiguration.py ausführen")
            return 1
        return 0
    SEITE.write_text(text, encoding="utf-8")
    print(f"{DOKU_SEITE} geschrieben")
    return 0


if __name__ == "__main__":
    sys.exit(main())
