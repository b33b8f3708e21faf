"""Notebooks reach git clean: no outputs, no counters, the parameter cell as committed."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from sozialraum import nbclean

ROOT = Path(__file__).resolve().parents[1]


def _tracked_notebooks() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return out.stdout.split()


def _notebook(param: str = "sozialraum = None") -> dict:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    p = nbformat.v4.new_code_cell(param)
    p.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Titel"), p, nbformat.v4.new_code_cell("1 + 1")]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i}"
    return json.loads(nbformat.writes(nb))


def _run(nb: dict) -> dict:
    """The notebook as JupyterLab saves it after Run All."""
    nb = json.loads(json.dumps(nb))
    nb["metadata"]["language_info"] = {"name": "python", "version": "3.11.7"}
    nb["metadata"]["papermill"] = {"duration": 1.5}
    for n, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            cell["execution_count"] = n
            cell["outputs"] = [
                {
                    "output_type": "execute_result",
                    "execution_count": n,
                    "metadata": {},
                    "data": {"text/plain": "2"},
                }  # fmt: skip
            ]
            cell["metadata"]["scrolled"] = True
    return nb


@pytest.mark.parametrize("path", _tracked_notebooks())
def test_every_committed_notebook_is_clean(path):
    text = (ROOT / path).read_text(encoding="utf-8")
    assert nbclean.is_clean(text), (
        f"{path} is committed with outputs, counters or editor state; "
        "run `make venv` (installs the git filter) and add it again"
    )


def test_a_run_notebook_is_not_clean_and_cleaning_gives_the_committed_file():
    committed = _notebook()
    text = nbclean.dumps(committed)
    assert nbclean.is_clean(text)
    ran = _run(committed)
    assert not nbclean.is_clean(nbclean.dumps(ran))
    assert nbclean.dumps(nbclean.clean(ran, committed)) == text


def test_edited_parameters_do_not_leak_unless_asked(monkeypatch):
    committed = _notebook()
    edited = _run(_notebook('sozialraum = "Osterfeld"'))
    assert "Osterfeld" not in nbclean.dumps(nbclean.clean(edited, committed))
    monkeypatch.setenv(nbclean.KEEP_PARAMETERS_ENV, "1")
    assert "Osterfeld" in nbclean.dumps(nbclean.clean(edited, committed))


def test_other_edits_are_kept():
    committed = _notebook()
    edited = _run(committed)
    edited["cells"].append({"cell_type": "code", "id": "neu", "metadata": {}, "outputs": [],
                            "execution_count": 3, "source": "bericht.daten"})  # fmt: skip
    cleaned = nbclean.clean(edited, committed)
    assert cleaned["cells"][-1]["source"] == "bericht.daten"
    assert cleaned["cells"][-1]["execution_count"] is None


def _filter(raw: bytes, monkeypatch, capsysbinary, name: str = "x.ipynb") -> tuple:
    """The filter run in this process (cheap): (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    code = nbclean.main([name])
    out, err = capsysbinary.readouterr()
    return code, out, err.decode("utf-8")


MALFORMED = {
    "cells-kein-array": (b'{"cells": "x", "nbformat": 4}', "»cells« ist keine Liste"),
    "cells-ohne-nbformat": (b'{"cells": "x"}', "»nbformat« ist None"),
    "kein-json": (b"kein JSON {", "kein gültiges JSON (Zeile 1, Spalte 1)"),
    "leer": (b"", "die Datei ist leer"),
    "nur-leerzeichen": (b"  \n", "die Datei ist leer"),
    "liste": (b"[1, 2]", "die oberste Ebene ist kein JSON-Objekt"),
    "zelle-keine-map": (b'{"cells": [1], "nbformat": 4}', "Zelle 1 ist kein JSON-Objekt"),
    "nbformat-5": (b'{"cells": [], "nbformat": 5}', "»nbformat« ist 5"),
    "schema": (b'{"cells": [{"cell_type": "code"}], "nbformat": 4, "nbformat_minor": 5, '
               b'"metadata": {}}', "entspricht nicht nbformat 4 (bei »cells/0«)"),
    "worksheets-kein-array": (b'{"worksheets": 1, "nbformat": 3}', "»worksheets« ist keine"),
    "latin-1": ('{"cells": [], "x": "ä"}'.encode("latin-1"), "nicht in UTF-8"),
}  # fmt: skip


@pytest.mark.parametrize("raw, reason", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_notebook_gets_one_german_line_and_a_failure(
    raw, reason, monkeypatch, capsysbinary
):
    code, out, err = _filter(raw, monkeypatch, capsysbinary, name="notebooks/kaputt.ipynb")
    assert code == 1 and out == b""
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert err.startswith("Notebook-Filter: notebooks/kaputt.ipynb ist kein bereinigbares Notebook")
    assert reason in err


def test_the_filter_process_prints_no_traceback_for_a_malformed_notebook():
    res = subprocess.run(
        [sys.executable, "-m", "sozialraum.nbclean", "x.ipynb"],
        input=b'{"cells": "x"}',
        capture_output=True,
    )
    assert res.returncode == 1 and res.stdout == b""
    assert res.stderr.decode().count("\n") == 1 and "Traceback" not in res.stderr.decode()


def test_git_add_of_a_malformed_notebook_is_not_blocked(tmp_path):
    """git keeps a failing (not required) filter's file as it is; our line says which file."""
    repo = _repo(tmp_path)
    (repo / "kaputt.ipynb").write_text('{"cells": "x"}', encoding="utf-8")
    res = subprocess.run([*_git(repo), "add", "kaputt.ipynb"], capture_output=True, text=True)
    assert res.returncode == 0
    assert "kaputt.ipynb ist kein bereinigbares Notebook" in res.stderr
    stored = subprocess.run([*_git(repo), "show", ":kaputt.ipynb"], capture_output=True).stdout
    assert stored == b'{"cells": "x"}'


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run([*_git(repo), "init", "-q"], check=True)
    nbclean.install(repo)
    (repo / ".gitattributes").write_text((ROOT / ".gitattributes").read_text())
    return repo


def _git(repo: Path) -> list[str]:
    return ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]


def test_git_add_stores_the_clean_notebook(tmp_path):
    repo = _repo(tmp_path)
    git = _git(repo)
    nb = repo / "a.ipynb"
    nb.write_text(json.dumps(_run(_notebook())), encoding="utf-8")
    subprocess.run([*git, "add", "-A"], check=True)
    stored = subprocess.run([*git, "show", ":a.ipynb"], capture_output=True, text=True).stdout
    assert nbclean.is_clean(stored)
    assert '"outputs": []' in stored and '"execution_count": null' in stored
