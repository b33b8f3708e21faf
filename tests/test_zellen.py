"""The papermill engine ``sozialraum``: the same outputs as a kernel, found by papermill itself.

The pages of both engines are compared byte for byte in ``tests/test_render.py`` (the mini city);
here the outputs of single cells are compared with what nbclient records from ipykernel, for
the kinds of output a notebook can make.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import papermill as pm
import pytest
from notizbuch import notizbuch

from sozialraum.publish import zellen

PAPERMILL = Path(sys.executable).with_name("papermill")

CELLS = [
    "import html\nfrom IPython.display import HTML, Markdown, display\n"
    "display(HTML('<p>a &amp; b</p>'))\ndisplay(Markdown('**fett**'))",
    "print('eins')\nprint('zwei')\nimport sys\nprint('fehler', file=sys.stderr)\nprint('drei')",
    "x = 41\nx + 1",  # execute_result with its prompt number
    "x = 1  # no output",
    "",  # an empty cell is not run and gets no number
    "import warnings\nwarnings.warn('achtung', stacklevel=1)",
    "from IPython.display import clear_output\nprint('weg')\nclear_output()\nprint('bleibt')",
    "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([1, 2], [3, 4])\nNone",
    "import matplotlib\nsorted((k, str(v)) for k, v in matplotlib.rcParams.items()"
    " if k.startswith(('figure.', 'font.size', 'savefig.')))",
    "import pandas as pd\npd.DataFrame({'a': [1, 2]})",
    "{'image/png': b'\\x89PNG'}\nfrom IPython.display import display\n"
    "display({'image/png': b'\\x89PNG\\r\\n'}, raw=True)",
    "import os\nos.getcwd() == %r",
]


def _notebook(folder: Path, cells: list[str]) -> Path:
    return notizbuch(folder / "zellen.ipynb", "wert = 1", cells)


def _outputs(nb) -> list:
    """Each code cell's number and outputs; figures by their kind only (pixels may differ)."""
    out = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs = []
        for o in cell.outputs:
            o = dict(o)
            if o.get("output_type") == "error":
                o = {k: o[k] for k in ("output_type", "ename", "evalue")}
            if "image/png" in o.get("data", {}) and "Figure" in o["data"].get("text/plain", ""):
                o["data"] = {k: "…" for k in o["data"]} | {"text/plain": o["data"]["text/plain"]}
            outputs.append(o)
        out.append((cell.execution_count, outputs))
    return out


def _warning_text(kernel: list, ours: list) -> None:
    """A warning's line names the cell's file, which a kernel names after its pid: both say the
    same warning; the comparison then goes on without the file."""
    for k, o in zip(kernel, ours, strict=True):
        for a, b in zip(k[1], o[1], strict=False):
            if a.get("name") == "stderr" and "UserWarning: achtung" in a.get("text", ""):
                assert "UserWarning: achtung" in b.get("text", ""), b
                a["text"] = b["text"] = "UserWarning: achtung"


def test_every_kind_of_output_is_what_the_kernel_gives(tmp_path):
    """papermill's command, once with its kernel engine, once with ours: as a user runs it."""
    cells = CELLS[:-1] + [CELLS[-1] % str(tmp_path)]
    notebook = _notebook(tmp_path, cells)
    runs = {}
    for engine in ("nbclient", "sozialraum"):
        proc = subprocess.run(
            [str(PAPERMILL), "--engine", engine, "--no-progress-bar", "-p", "wert", "2"]
            + ["--cwd", str(tmp_path), str(notebook), str(tmp_path / f"{engine}.ipynb")],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr
        runs[engine] = nbformat.read(tmp_path / f"{engine}.ipynb", as_version=4)
    kernel, ours = _outputs(runs["nbclient"]), _outputs(runs["sozialraum"])
    _warning_text(kernel, ours)
    assert len(kernel) == len(ours)
    for index, (k, o) in enumerate(zip(kernel, ours, strict=True)):
        assert o == k, f"cell {index}: {cells[index - 2] if index >= 2 else 'parameters'}"
    # what the comparison rests on: these outputs are there at all
    kinds = [[o["output_type"] for o in outputs] for _, outputs in ours]
    assert ["display_data", "display_data"] in kinds and ["execute_result"] in kinds
    assert any("stream" in k for k in kinds) and ours[-1][1][0]["data"]["text/plain"] == "True"
    assert (
        runs["sozialraum"].metadata["language_info"] == runs["nbclient"].metadata["language_info"]
    )


def test_an_error_stops_the_notebook_like_the_kernel(tmp_path):
    notebook = _notebook(tmp_path, ["a = 1", "1 / 0", "b = 2"])
    for engine in ("nbclient", zellen.engine_name()):
        with pytest.raises(pm.PapermillExecutionError) as info:
            pm.execute_notebook(
                str(notebook),
                str(tmp_path / f"{engine}.ipynb"),
                engine_name=engine,
                kernel_name="python3",
                progress_bar=False,
            )
        assert info.value.ename == "ZeroDivisionError"
        assert info.value.cell_index == 2  # parameters, a = 1, 1 / 0 (no parameters injected)
        assert info.value.exec_count == 3
        nb = nbformat.read(tmp_path / f"{engine}.ipynb", as_version=4)
        assert nb.cells[-1].execution_count is None  # the cell after the error never ran


def test_a_cell_over_its_limit_ends_with_the_timeout_error(tmp_path):
    swallow = "import time\ntry:\n    time.sleep(30)\nexcept Exception:\n    pass"
    notebook = _notebook(tmp_path, [swallow])  # the limit is no Exception a cell can swallow
    with pytest.raises(zellen.CellTimeoutError):
        pm.execute_notebook(
            str(notebook),
            str(tmp_path / "aus.ipynb"),
            engine_name=zellen.engine_name(),
            kernel_name="python3",
            progress_bar=False,
            execution_timeout=1,
        )


def test_papermill_finds_the_engine_by_its_entry_point(tmp_path):
    """A new process, nothing of ours imported: ``papermill --engine sozialraum`` runs the
    cells in papermill's own process."""
    notebook = _notebook(tmp_path, ["import os\nprint(os.getpid())"])
    cmd = [str(PAPERMILL), "--engine", "sozialraum", "--no-progress-bar"]
    proc = subprocess.Popen(
        [*cmd, str(notebook), str(tmp_path / "aus.ipynb")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    nb = nbformat.read(tmp_path / "aus.ipynb", as_version=4)
    assert int(nb.cells[-1].outputs[0]["text"]) == proc.pid
