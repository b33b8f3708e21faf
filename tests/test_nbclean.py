"""Notebooks reach git clean: no outputs, no counters, the parameter cell as committed."""

from __future__ import annotations

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


def test_filter_passes_files_that_are_no_notebook_through():
    raw = b"kein JSON {"
    res = subprocess.run(
        [sys.executable, "-m", "sozialraum.nbclean", "x.ipynb"], input=raw, capture_output=True
    )
    assert res.returncode == 0 and res.stdout == raw


def test_git_add_stores_the_clean_notebook(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    nbclean.install(repo)
    (repo / ".gitattributes").write_text((ROOT / ".gitattributes").read_text())
    nb = repo / "a.ipynb"
    nb.write_text(json.dumps(_run(_notebook())), encoding="utf-8")
    subprocess.run([*git, "add", "-A"], check=True)
    stored = subprocess.run([*git, "show", ":a.ipynb"], capture_output=True, text=True).stdout
    assert nbclean.is_clean(stored)
    assert '"outputs": []' in stored and '"execution_count": null' in stored
