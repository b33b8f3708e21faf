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
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
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


def _parameter_source(nb: dict[str, Any]) -> Any | None:
    for cell in nb.get("cells", []):
        if PARAMETER_TAG in cell.get("metadata", {}).get("tags", []):
            return cell.get("source")
    return None


def clean(nb: dict[str, Any], committed: dict[str, Any] | None = None) -> dict[str, Any]:
    """The notebook as it belongs in git: no outputs, no counters, no editor state.

    ``committed`` is the version git already has; its parameter cell wins over an edited one,
    so that choosing another Sozialraum to look at is never committed by accident.
    """
    keep_parameters = committed is None or os.environ.get(KEEP_PARAMETERS_ENV) == "1"
    old_parameters = None if keep_parameters else _parameter_source(committed or {})
    out = dict(nb)
    out["metadata"] = {
        k: v for k, v in nb.get("metadata", {}).items() if k in KEEP_NOTEBOOK_METADATA
    }
    info = out["metadata"].get("language_info")
    if committed is not None and "language_info" not in committed.get("metadata", {}):
        out["metadata"].pop("language_info", None)  # added by the kernel on the first run
    elif isinstance(info, dict):  # the running kernel adds its version details
        out["metadata"]["language_info"] = {"name": info.get("name", "python")}
    cells = []
    for cell in nb.get("cells", []):
        cell = dict(cell)
        meta = {k: v for k, v in cell.get("metadata", {}).items() if k in KEEP_CELL_METADATA}
        cell["metadata"] = meta
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
            if old_parameters is not None and PARAMETER_TAG in meta.get("tags", []):
                cell["source"] = old_parameters
        else:
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
        cells.append(cell)
    out["cells"] = cells
    return out


def dumps(nb: dict[str, Any]) -> str:
    """The JSON layout JupyterLab writes (through nbformat), so a clean file does not churn."""
    import nbformat

    text = nbformat.writes(nbformat.from_dict(nb), version=nbformat.NO_CONVERT)
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
    cleaned = clean(model["content"], committed)
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


def main(argv: list[str] | None = None) -> int:
    """Git filter entry point: notebook on stdin, clean notebook on stdout.

    A file that is no notebook JSON passes through unchanged: a filter that fails would
    block every ``git add`` of the project, which is worse than one unclean file that the
    test then reports.
    """
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "--install":
        install(Path(args[1] if len(args) > 1 else "."))
        return 0
    raw = sys.stdin.buffer.read()
    try:
        nb = json.loads(raw.decode("utf-8"))
        if not isinstance(nb, dict) or "cells" not in nb:
            raise ValueError("no notebook")
    except (UnicodeDecodeError, ValueError):
        sys.stdout.buffer.write(raw)
        return 0
    committed = _committed_version(args[0]) if args else None
    sys.stdout.buffer.write(dumps(clean(nb, committed)).encode("utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
