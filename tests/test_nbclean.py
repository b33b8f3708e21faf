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


def _v3(prompt: int = 1) -> dict:
    """An IPython 2 notebook (nbformat 3): cells in worksheets, counts in prompt_number."""
    code = {"cell_type": "code", "collapsed": False, "input": ["1 + 1"], "language": "python",
            "metadata": {"scrolled": True}, "prompt_number": prompt,
            "outputs": [{"output_type": "pyout", "prompt_number": prompt, "metadata": {},
                         "text": ["2"]}]}  # fmt: skip
    text = {"cell_type": "markdown", "metadata": {}, "source": ["# Titel"]}
    sheets = [{"cells": [text, code], "metadata": {}}]
    meta = {"name": "alt", "signature": "sha256:abc"}
    return {"metadata": meta, "nbformat": 3, "nbformat_minor": 0, "worksheets": sheets}


def test_an_nbformat_3_notebook_loses_its_outputs_too(monkeypatch, capsysbinary):
    code, out, _ = _filter(json.dumps(_v3()).encode(), monkeypatch, capsysbinary)
    assert code == 0
    stored = json.loads(out)
    cell = stored["worksheets"][0]["cells"][1]
    assert cell["outputs"] == [] and "prompt_number" not in cell and cell["metadata"] == {}
    assert stored["metadata"] == {"name": "alt"}  # the signature goes, v3 needs its name
    assert stored["nbformat"] == 3 and nbclean.is_clean(out.decode())
    assert not nbclean.is_clean(nbclean.dumps(_v3()))


@pytest.mark.parametrize("minor", [0, 1, 2, 3, 4, 5])
def test_every_nbformat_4_minor_version_is_stripped_and_kept(minor):
    ran = _run(_notebook())
    ran["nbformat_minor"] = minor
    if minor < 5:
        for cell in ran["cells"]:
            cell.pop("id")
    cleaned = json.loads(nbclean.dumps(nbclean.clean(ran)))
    assert cleaned["nbformat_minor"] == minor
    assert all(c.get("outputs", []) == [] for c in cleaned["cells"])
    assert all(c.get("execution_count") is None for c in cleaned["cells"])
    assert all(("id" in c) == (minor == 5) for c in cleaned["cells"])


def _jupyterlab_save(committed: dict) -> str:
    """What JupyterLab 4 with ipykernel writes after Run All, an edit of the parameter cell
    and a save: outputs, counters, its kernel description, editor state per cell."""
    nb = json.loads(json.dumps(committed))
    nb["metadata"]["kernelspec"] = {
        "display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"
    }  # fmt: skip
    nb["metadata"]["language_info"] = {
        "codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
        "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
        "pygments_lexer": "ipython3", "version": "3.12.3",
    }  # fmt: skip
    nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    for n, cell in enumerate(nb["cells"], start=1):
        cell["metadata"].update({"scrolled": True, "collapsed": False, "editable": True})
        cell["metadata"].setdefault("tags", [])  # left behind by removing the last tag
        if cell["cell_type"] == "markdown":
            cell["metadata"]["jp-MarkdownHeadingCollapsed"] = True
            continue
        cell["execution_count"] = n
        cell["metadata"]["execution"] = {
            "iopub.execute_input": "2026-12-04T04:00:00.000Z",
            "shell.execute_reply": "2026-12-04T04:00:01.000Z",
        }
        cell["outputs"] = [
            {"output_type": "stream", "name": "stdout", "text": ["ok\n"]},
            {"output_type": "execute_result", "execution_count": n, "metadata": {},
             "data": {"text/plain": ["2"]}},
        ]  # fmt: skip
        if "parameters" in cell["metadata"].get("tags", []):
            cell["source"] = ['sozialraum = "Ein anderer"\n']
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("path", [p for p in _tracked_notebooks() if p.startswith("notebooks/")])
def test_a_jupyterlab_run_and_save_gives_the_committed_bytes(path, monkeypatch, capsysbinary):
    committed = (ROOT / path).read_text(encoding="utf-8")
    saved = _jupyterlab_save(json.loads(committed))
    assert saved != committed
    monkeypatch.setattr(nbclean, "_committed_version", lambda *a, **k: json.loads(committed))
    code, out, _ = _filter(saved.encode(), monkeypatch, capsysbinary, name=path)
    assert code == 0 and out.decode("utf-8") == committed


def test_papermill_s_injected_cell_and_metadata_go():
    committed = _notebook()
    ran = _run(committed)
    injected = nbformat.v4.new_code_cell('# Parameters\nsozialraum = "Nord"\n')
    injected.metadata["tags"] = ["injected-parameters"]
    injected.metadata["papermill"] = {"status": "completed", "duration": 0.1}
    ran["cells"].insert(2, json.loads(json.dumps(injected)))
    ran["metadata"]["papermill"] = {"parameters": {"sozialraum": "Nord"}, "input_path": "/x"}
    assert nbclean.dumps(nbclean.clean(ran, committed)) == nbclean.dumps(committed)


# Each of nbstripout's (0.9) default behaviours, which ours covers by its allow-lists:
NBSTRIPOUT_KEYS = [
    ("metadata", "signature"), ("metadata", "widgets"), ("cell", "collapsed"),
    ("cell", "ExecuteTime"), ("cell", "execution"), ("cell", "heading_collapsed"),
    ("cell", "hidden"), ("cell", "scrolled"),
]  # fmt: skip


@pytest.mark.parametrize("where, key", NBSTRIPOUT_KEYS)
def test_what_nbstripout_strips_goes(where, key):
    nb = _notebook()
    target = nb["metadata"] if where == "metadata" else nb["cells"][2]["metadata"]
    target[key] = {"x": 1}
    cleaned = nbclean.clean(nb)
    assert key not in (
        cleaned["metadata"] if where == "metadata" else cleaned["cells"][2]["metadata"]
    )


def test_output_counts_and_init_cells_go_but_cell_ids_stay():
    """nbstripout keeps outputs of ``init_cell`` cells and renumbers ids 0, 1, 2; a committed
    notebook keeps its ids here (JupyterLab does not change them), so a new cell is one line
    of diff, not a renumbering of all below it."""
    ran = _run(_notebook())
    ran["cells"][2]["metadata"]["init_cell"] = True
    ran["metadata"]["keep_output"] = True
    cleaned = nbclean.clean(ran)
    assert cleaned["cells"][2]["outputs"] == []
    assert "init_cell" not in cleaned["cells"][2]["metadata"]
    assert [c["id"] for c in cleaned["cells"]] == ["c0", "c1", "c2"]
    assert "keep_output" not in cleaned["metadata"]
