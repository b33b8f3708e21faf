"""The executed notebook kept beside each page: the same bytes on every machine and every day.

papermill records where it ran (absolute paths of the notebook, the config and the cache), when
(start, end and duration of the run and of every cell, the kernel's message times) and gives its
injected parameter cell a random id. The kept notebook is evidence of what produced the page,
published beside it: it must not name the folders of the machine that rendered it, and two runs
of the same inputs must give the same file (``SOURCE_DATE_EPOCH`` fixes the times, see
:func:`portable`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from pathlib import Path
from typing import Any

#: The id of papermill's injected parameter cell (papermill draws a random one per run); valid
#: per nbformat 4.5 (letters, digits, ``-`` and ``_``, at most 64 characters).
INJECTED_CELL_ID = "injected-parameters"
#: Parameters that name a cache, not an input: a run without them reads the same data from the
#: inputs, so the kept notebook records None instead of a folder of this machine.
CACHE_PARAMETERS = ("store",)


def _relative(value: str, folder: Path) -> str:
    """An absolute path as seen from the kept notebook's folder (a re-run there resolves it)."""
    return Path(os.path.relpath(value, folder)).as_posix()


def portable_parameters(parameters: dict[str, Any], folder: Path) -> dict[str, Any]:
    """The run's parameters without this machine's folders, in their order.

    Parameters
    ----------
    parameters
        What papermill injected.
    folder
        The folder of the kept notebook: absolute paths become relative to it, so that the
        notebook opened and run again there finds the same config; the cache folder becomes
        None (the data are then computed from the inputs, with the same result).
    """
    out: dict[str, Any] = {}
    for key, value in parameters.items():
        if key in CACHE_PARAMETERS:
            value = None
        elif isinstance(value, str) and os.path.isabs(value):
            value = _relative(value, folder)
        out[key] = value
    return out


def _injected_source(cell: Any, parameters: dict[str, Any], nb: Any) -> str:
    """The injected cell's code for ``parameters``, in the order papermill wrote them."""
    from papermill.translators import translate_parameters

    order = re.findall(r"^(\w+) = ", cell.source, flags=re.MULTILINE)
    ordered = {k: parameters[k] for k in order if k in parameters}
    ordered.update({k: v for k, v in parameters.items() if k not in ordered})
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    # a kernel that died before it said its language left no language_info; the notebook's
    # kernelspec names it too
    language = nb.metadata.get("language_info", {}).get("name") or nb.metadata.get(
        "kernelspec", {}
    ).get("language")
    return translate_parameters(kernel, language, ordered, comment="Parameters")


def _stable_ids(nb: Any) -> None:
    """The injected cell gets a fixed id (a hash of its code if the notebook has that id)."""
    taken = {c.get("id") for c in nb.cells if "injected-parameters" not in _tags(c)}
    for cell in nb.cells:
        if "injected-parameters" in _tags(cell) and "id" in cell:
            cell["id"] = INJECTED_CELL_ID
            if INJECTED_CELL_ID in taken:
                cell["id"] = hashlib.sha256(cell.source.encode()).hexdigest()[:8]


def _tags(cell: Any) -> list:
    return cell.get("metadata", {}).get("tags", [])


def _fixed_times(nb: Any, epoch: int) -> None:
    """Every recorded time becomes ``epoch``, every duration 0; the kernel's version goes."""
    stamp = dt.datetime.fromtimestamp(epoch, tz=dt.UTC).isoformat()

    def fix(meta: dict) -> None:
        pm_meta = meta.get("papermill")
        if isinstance(pm_meta, dict):
            for k in ("start_time", "end_time"):
                if pm_meta.get(k):
                    pm_meta[k] = stamp
            if "duration" in pm_meta:
                pm_meta["duration"] = 0.0
        execution = meta.get("execution")
        if isinstance(execution, dict):
            for k in list(execution):
                execution[k] = stamp

    fix(nb.metadata)
    for cell in nb.cells:
        fix(cell.metadata)
    info = nb.metadata.get("language_info")
    if isinstance(info, dict):  # the interpreter's patch level is the machine's, not the run's
        info.pop("version", None)


def portable(text: str, folder: Path, epoch: str | None = None) -> str:
    """The executed notebook as kept beside the page: no folders of this machine, stable ids.

    Parameters
    ----------
    text
        The notebook papermill wrote (JSON).
    folder
        Where it is kept; the paths it records become relative to this folder.
    epoch
        ``SOURCE_DATE_EPOCH`` (default: from the environment): when set, every time the run
        recorded is this one and the interpreter version is left out, so that two runs of the
        same inputs on two machines give the same bytes. Without it the times stay as evidence.

    Returns
    -------
    str
        The notebook's JSON, as nbformat writes it.
    """
    import nbformat

    nb = nbformat.reads(text, as_version=4)
    pm_meta = nb.metadata.get("papermill")
    if isinstance(pm_meta, dict):
        if pm_meta.get("output_path"):
            pm_meta["output_path"] = Path(pm_meta["output_path"]).name  # not the scratch folder
        if isinstance(pm_meta.get("input_path"), str) and os.path.isabs(pm_meta["input_path"]):
            pm_meta["input_path"] = _relative(pm_meta["input_path"], folder)
        if isinstance(pm_meta.get("parameters"), dict):
            params = portable_parameters(pm_meta["parameters"], folder)
            pm_meta["parameters"] = params
            for cell in nb.cells:
                if "injected-parameters" in _tags(cell):
                    cell["source"] = _injected_source(cell, params, nb)
    _stable_ids(nb)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "") if epoch is None else epoch
    if epoch.strip().isdigit():
        _fixed_times(nb, int(epoch.strip()))
    return nbformat.writes(nb)
