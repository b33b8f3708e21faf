"""The executed notebook kept beside a page names no folder of the machine and does not churn."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

from sozialraum.publish.ablage import INJECTED_CELL_ID, portable, portable_parameters

ROOT = Path(__file__).resolve().parents[1]


def _executed(folder: str, cell_id: str = "a1b2c3d4") -> str:
    """A notebook as papermill writes it: absolute paths, times, a random injected cell id."""
    nb = nbformat.v4.new_notebook()
    spec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["kernelspec"] = spec
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    params = {
        "config": f"{folder}/stadt/config/stadt.toml",
        "store": f"{folder}/cache/datenstand-abc",
        "sozialraum": "Nord",
    }
    nb.metadata["papermill"] = {
        "input_path": f"{folder}/stadt/notebooks/bericht.ipynb",
        "output_path": "/tmp/sozialraum-xyz/nord.ipynb",
        "parameters": params,
        "start_time": "2026-12-04T04:00:00.1",
        "end_time": "2026-12-04T04:00:09.9",
        "duration": 9.8,
    }
    injected = nbformat.v4.new_code_cell(
        "# Parameters\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in params.items())
    )
    injected["id"] = cell_id
    injected.metadata["tags"] = ["injected-parameters"]
    injected.metadata["execution"] = {"iopub.status.busy": "2026-12-04T04:00:01.2"}
    first = nbformat.v4.new_code_cell("1 + 1")
    first["id"] = "erste"
    nb.cells = [first, injected]
    return nbformat.writes(nb)


def test_parameters_become_relative_to_the_kept_notebook_and_the_cache_goes():
    got = portable_parameters(
        {"config": "/p/stadt/config/a.toml", "store": "/home/x/.cache/d", "jahr": 2023},
        Path("/p/reports/2023"),
    )
    assert got == {"config": "../../stadt/config/a.toml", "store": None, "jahr": 2023}


def test_two_machines_and_two_days_give_the_same_kept_notebook():
    a = portable(_executed("/tmp/a"), Path("/tmp/a/reports/2023"), epoch="1700000000")
    b = portable(_executed("/srv/b/c", "ffff0000"), Path("/srv/b/c/reports/2023"), "1700000000")
    assert a == b
    assert "/tmp" not in a and "3.11.7" not in a
    nb = json.loads(a)
    injected = nb["cells"][1]
    assert injected["id"] == INJECTED_CELL_ID
    assert '"../../stadt/config/stadt.toml"' in "".join(injected["source"])
    assert "store = None" in "".join(injected["source"])
    assert nb["metadata"]["papermill"]["input_path"] == "../../stadt/notebooks/bericht.ipynb"
    assert nb["metadata"]["papermill"]["output_path"] == "nord.ipynb"
    nbformat.validate(nbformat.reads(a, as_version=4))  # the fixed id is a valid nbformat id


def test_without_source_date_epoch_the_times_stay_as_evidence():
    kept = json.loads(portable(_executed("/tmp/a"), Path("/tmp/a/reports/2023"), epoch=""))
    assert kept["metadata"]["papermill"]["duration"] == 9.8
    assert kept["metadata"]["language_info"]["version"] == "3.11.7"
    assert kept["cells"][1]["id"] == INJECTED_CELL_ID  # stable also without a fixed clock


def test_an_unchanged_injected_cell_is_written_as_papermill_wrote_it():
    from papermill.translators import translate_parameters

    params = {"config": "a.toml", "store": None, "berichtsjahr": None, "herkunft": 'x "y"'}
    text = _executed("/tmp/a")
    nb = nbformat.reads(text, as_version=4)
    nb.metadata["papermill"]["parameters"] = params
    nb.cells[1].source = translate_parameters("python3", "python", params, "Parameters")
    kept = nbformat.reads(portable(nbformat.writes(nb), Path("/tmp")), as_version=4)
    assert kept.cells[1].source == nb.cells[1].source
