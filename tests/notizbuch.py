"""Small notebooks for tests of the engines: a parameter cell and code cells, run as python3."""

from __future__ import annotations

from pathlib import Path

import nbformat


def notizbuch(path: Path, parameter: str, cells: list[str]) -> Path:
    """Write a notebook of a ``parameters`` cell (``parameter``) and ``cells``; returns ``path``."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(parameter)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params] + [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path
