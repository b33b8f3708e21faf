"""Keep notebooks clean in git by construction: a git "clean" filter for ``*.ipynb``.

Analysts run the report notebook in JupyterLab, which autosaves outputs, execution counts and
the Sozialraum they picked into the tracked file. Asking them to clear outputs before each
commit does not work in practice; git's clean filter runs on every ``git add``/``git status``
instead, so what reaches the repository is always the notebook without outputs, and the
parameter cell as committed (the defaults every batch run overrides anyway).

``make venv`` installs the filter (:func:`install`); ``.gitattributes`` names it for every
notebook. git alone cannot keep ``git status`` quiet (a file whose size changed counts as
modified until the next ``git add``), so ``make lab`` also gives JupyterLab
:func:`pre_save_hook`: a notebook git tracks is saved in its clean form, and running it leaves
the file as committed. A clone without the filter still works: git then stores the file as it
is, and ``tests/test_nbclean.py`` fails on any committed notebook that is not clean.

Set ``SOZIALRAUM_PARAMETER_AENDERN=1`` for the ``git add`` that is meant to change the
defaults of a parameter cell.

Why not nbstripout: it does each thing this filter does by default (outputs, counters, the
editor keys ``collapsed``, ``scrolled``, ``execution``, ``ExecuteTime``, ``hidden``,
``heading_collapsed``, ``signature``, ``widgets``; ``tests/test_nbclean.py`` has a test per key),
but not the rest: it keeps the kernel description JupyterLab rewrites (``git status`` is dirty
after a save), keeps papermill's cell and metadata unless configured, renumbers cell ids (a new
cell shifts every id below it), cannot protect the parameter cell, and answers a malformed
notebook with a traceback. A second tool for a subset would be one more thing to install.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

FILTER_NAME = "sozialraum-notebook"
PARAMETER_TAG = "parameters"
KEEP_PARAMETERS_ENV = "SOZIALRAUM_PARAMETER_AENDERN"
#: Cell metadata worth keeping: tags steer papermill (``parameters``) and the export
#: (``remove``); everything else (collapsed, scrolled, execution times) is editor state.
KEEP_CELL_METADATA = ("tags",)
#: Notebook metadata worth keeping; JupyterLab and papermill add their run state next to these.
KEEP_NOTEBOOK_METADATA = ("kernelspec", "language_info", "title")


#: papermill's cell of the parameters of one run (``papermill -p``): never part of the notebook.
INJECTED_TAG = "injected-parameters"


class KeinNotebook(ValueError):
    """The file is no notebook the filter can clean; the message says why, in German."""


def _cell_lists(nb: dict[str, Any]) -> list[list[Any]]:
    """The notebook's lists of cells: one in nbformat 4, one per worksheet in nbformat 3."""
    if "worksheets" in nb:
        sheets = nb["worksheets"]
        if not isinstance(sheets, list) or not all(isinstance(w, dict) for w in sheets):
            raise KeinNotebook("»worksheets« ist keine Liste von Arbeitsblättern")
        lists = [w.get("cells", []) for w in sheets]
    elif "cells" in nb:
        lists = [nb["cells"]]
    else:
        raise KeinNotebook("weder »cells« noch »worksheets« gefunden")
    for cells in lists:
        if not isinstance(cells, list):
            raise KeinNotebook("»cells« ist keine Liste von Zellen")
        for n, cell in enumerate(cells, start=1):
            if not isinstance(cell, dict):
                raise KeinNotebook(f"Zelle {n} ist kein JSON-Objekt")
            if not isinstance(cell.get("metadata", {}), dict):
                raise KeinNotebook(f"»metadata« von Zelle {n} ist kein JSON-Objekt")
    return lists


def _parameter_source(nb: dict[str, Any]) -> Any | None:
    for cells in _cell_lists(nb) if isinstance(nb, dict) and nb else []:
        for cell in cells:
            if PARAMETER_TAG in cell.get("metadata", {}).get("tags", []):
                return cell.get("input", cell.get("source"))  # nbformat 3: input
    return None


def _kernel_metadata(nb: dict[str, Any], committed: dict[str, Any] | None) -> dict[str, Any]:
    """Notebook metadata without run state; the kernel described as git has it.

    Running a notebook rewrites how its kernel is described: JupyterLab with ipykernel calls
    ``python3`` "Python 3 (ipykernel)", the kernel adds its version, lexer and mimetype. None of
    it changes which kernel runs the notebook, so the committed description stays.
    """
    meta = nb.get("metadata", {})
    if not isinstance(meta, dict):
        raise KeinNotebook("»metadata« ist kein JSON-Objekt")
    keep = KEEP_NOTEBOOK_METADATA + (("name",) if nb.get("nbformat", 4) < 4 else ())
    out = {k: v for k, v in meta.items() if k in keep}
    old = (committed or {}).get("metadata", {})
    old = old if isinstance(old, dict) else {}
    spec, old_spec = out.get("kernelspec"), old.get("kernelspec")
    if isinstance(spec, dict) and isinstance(old_spec, dict):
        if spec.get("name") == old_spec.get("name"):
            out["kernelspec"] = old_spec
    info = out.get("language_info")
    if committed is not None and "language_info" not in old:
        out.pop("language_info", None)  # added by the kernel on the first run
    elif isinstance(info, dict):  # the running kernel adds its version details
        out["language_info"] = {"name": info.get("name", "python")}
    return out


def clean(nb: dict[str, Any], committed: dict[str, Any] | None = None) -> dict[str, Any]:
    """The notebook as it belongs in git: no outputs, no counters, no editor state.

    Every nbformat version: nbformat 3 keeps its cells in worksheets and counts in
    ``prompt_number``. papermill's injected parameter cell goes. ``committed`` is the version
    git already has; its parameter cell wins over an edited one, so that choosing another
    Sozialraum to look at is never committed by accident, and its kernel description wins over
    the running kernel's (see :func:`_kernel_metadata`).

    Raises
    ------
    KeinNotebook
        When ``nb`` has no notebook's structure (German reason, for the one-line message).
    """
    if not isinstance(nb, dict):
        raise KeinNotebook("die oberste Ebene ist kein JSON-Objekt")
    keep_parameters = committed is None or os.environ.get(KEEP_PARAMETERS_ENV) == "1"
    try:
        old_parameters = None if keep_parameters else _parameter_source(committed or {})
    except KeinNotebook:  # a broken committed version has no parameters to protect
        old_parameters = None
    out = dict(nb)
    out["metadata"] = _kernel_metadata(nb, committed)
    lists = _cell_lists(nb)
    cleaned_lists = []
    for cells in lists:
        cleaned = []
        for cell in cells:
            tags = cell.get("metadata", {}).get("tags", [])
            if isinstance(tags, list) and INJECTED_TAG in tags:
                continue
            cleaned.append(_clean_cell(cell, old_parameters))
        cleaned_lists.append(cleaned)
    if "worksheets" in nb:
        sheets = zip(nb["worksheets"], cleaned_lists, strict=True)
        out["worksheets"] = [{**sheet, "cells": cells} for sheet, cells in sheets]
    else:
        out["cells"] = cleaned_lists[0]
        if (nb.get("nbformat"), nb.get("nbformat_minor", 0)) >= (4, 5):
            _fill_ids(out["cells"])
    return out


def _fill_ids(cells: list[dict[str, Any]]) -> None:
    """Cells without an id get one from their position (nbformat would draw a random one)."""
    taken = {c.get("id") for c in cells}
    for n, cell in enumerate(cells, start=1):
        if "id" not in cell:
            new = f"zelle-{n}"
            while new in taken:
                new += "-1"
            cell["id"] = new
            taken.add(new)


def _clean_cell(cell: dict[str, Any], old_parameters: Any | None) -> dict[str, Any]:
    cell = dict(cell)
    meta = {k: v for k, v in cell.get("metadata", {}).items() if k in KEEP_CELL_METADATA and v}
    cell["metadata"] = meta  # an empty tag list (papermill adds one to every cell) goes too
    if cell.get("cell_type") == "code":
        cell["outputs"] = []
        if "input" in cell:  # nbformat 3
            cell.pop("prompt_number", None)
        else:
            cell["execution_count"] = None
        if old_parameters is not None and PARAMETER_TAG in meta.get("tags", []):
            cell["input" if "input" in cell else "source"] = old_parameters
    else:
        cell.pop("outputs", None)
        cell.pop("execution_count", None)
    return cell


def dumps(nb: dict[str, Any]) -> str:
    """The JSON layout JupyterLab writes (through nbformat), so a clean file does not churn.

    Raises
    ------
    KeinNotebook
        When the notebook breaks nbformat's schema (a filter must not write what Jupyter
        cannot open).
    """
    import nbformat

    node = nbformat.from_dict(nb)
    try:
        nbformat.validate(node)
    except nbformat.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "oberste Ebene"
        raise KeinNotebook(
            f"der Aufbau entspricht nicht nbformat {nb.get('nbformat')} (bei »{where}«)"
        ) from None
    text = nbformat.writes(node, version=nbformat.NO_CONVERT)
    return text if text.endswith("\n") else text + "\n"


def is_clean(text: str) -> bool:
    """True if the file's text is exactly what the filter would commit."""
    nb = json.loads(text)
    return dumps(clean(nb, committed=nb)) == text


def _committed_version(path: str, cwd: str | None = None) -> dict[str, Any] | None:
    """The staged (else the last committed) version of ``path``, if git has one."""
    for ref in (f":{path}", f"HEAD:{path}"):
        res = subprocess.run(["git", "show", ref], capture_output=True, check=False, cwd=cwd)
        if res.returncode == 0:
            try:
                return json.loads(res.stdout.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                return None
    return None


def pre_save_hook(model: dict[str, Any], path: str, contents_manager: Any, **_: Any) -> None:
    """JupyterLab's save of a notebook that git tracks writes its clean form.

    The open notebook keeps its outputs and the analyst's parameters in the browser; only the
    file stays as committed. Notebooks git does not track (an analyst's own copy) are saved as
    they are.
    """
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    os_path = Path(contents_manager._get_os_path(path))
    committed = _committed_version(f"./{os_path.name}", cwd=str(os_path.parent))
    if committed is None:
        return
    try:
        cleaned = clean(model["content"], committed)
    except KeinNotebook:  # JupyterLab saves what it has; the git filter names the file later
        return
    model["content"].clear()
    model["content"].update(cleaned)


def install(repo: Path, python: str = sys.executable) -> None:
    """Register the filter in ``repo``'s git config (git does not clone config, hence make)."""
    command = f'"{python}" -m sozialraum.nbclean %f'
    for key, value in (
        (f"filter.{FILTER_NAME}.clean", command),
        (f"filter.{FILTER_NAME}.smudge", "cat"),
    ):
        subprocess.run(["git", "-C", str(repo), "config", key, value], check=True)


def _read(raw: bytes) -> dict[str, Any]:
    """The notebook in ``raw``; :class:`KeinNotebook` with the German reason if it is none."""
    if not raw.strip():
        raise KeinNotebook("die Datei ist leer")
    try:
        nb = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise KeinNotebook("die Datei ist nicht in UTF-8 kodiert") from None
    except json.JSONDecodeError as exc:
        raise KeinNotebook(f"kein gültiges JSON (Zeile {exc.lineno}, Spalte {exc.colno})") from None
    if not isinstance(nb, dict):
        raise KeinNotebook("die oberste Ebene ist kein JSON-Objekt")
    version = nb.get("nbformat")
    if version not in (3, 4):
        raise KeinNotebook(f"»nbformat« ist {version!r}, erwartet wird 3 oder 4")
    return nb


def main(argv: list[str] | None = None) -> int:
    """Git filter entry point: notebook on stdin, clean notebook on stdout.

    A file that is no notebook gets one German line on stderr and exit code 1, nothing on
    stdout. git does not block on that: a filter that is not ``required`` and fails leaves
    the file as it is (git adds it unchanged and says so), and ``tests/test_nbclean.py``
    then reports the unclean file.
    """
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "--install":
        install(Path(args[1] if len(args) > 1 else "."))
        return 0
    name = args[0] if args else "<stdin>"
    raw = sys.stdin.buffer.read()
    try:
        with warnings.catch_warnings():  # nbformat's warnings are English; failures are ours
            warnings.simplefilter("ignore")
            nb = _read(raw)
            committed = _committed_version(args[0]) if args else None
            text = dumps(clean(nb, committed))
    except KeinNotebook as exc:
        grund = str(exc)
    except Exception:  # noqa: BLE001 - nbformat rejects a structure we did not foresee
        grund = "der Aufbau entspricht keinem Notebook-Format"
    else:
        sys.stdout.buffer.write(text.encode("utf-8"))
        return 0
    sys.stderr.write(
        f"Notebook-Filter: {name} ist kein bereinigbares Notebook: {grund}. "
        "Tipp: die Datei in JupyterLab öffnen und speichern oder mit `git restore` "
        "zurückholen.\n"
    )
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
