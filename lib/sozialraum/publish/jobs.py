"""What a batch renders and what comes of it: jobs, failures, results, the cache key of a page."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import sozialraum
from sozialraum.resources import PACKAGE_DIR, TEMPLATES_DIR

TEMPLATE_NAME = "bericht"
TEMPLATE_DIR = TEMPLATES_DIR / TEMPLATE_NAME
CSS_FILE = TEMPLATE_DIR / "static" / "bericht.css"

#: Cells carrying this tag are left out of the report (e.g. set-up cells with helper output).
REMOVE_CELL_TAG = "remove"

LANGUAGE_CODE = "de"

#: Under the publisher's name on every page built from invented data: the name alone would
#: read as if the publisher stood behind the numbers.
FUSSNOTE_BEISPIELDATEN = "Probebericht aus Beispieldaten – keine amtliche Veröffentlichung."

#: Slug of the city-wide report; the index page lists it apart from the Sozialräume.
GESAMTSTADT_SLUG = "gesamtstadt"


@dataclasses.dataclass(frozen=True)
class Job:
    """One report to render.

    Parameters
    ----------
    slug
        Deterministic name of the report; also names the executed notebook and the cache sidecar.
    notebook
        The source notebook; it is executed with its own folder as working directory.
    parameters
        Values papermill injects after the cell tagged ``parameters``.
    output
        The HTML file to write; relative paths are taken relative to ``out_dir``.
    title
        Page title (``<title>``) and link text on the index page; defaults to the slug.
    """

    slug: str
    notebook: Path
    parameters: Mapping[str, Any]
    output: Path
    title: str = ""
    nav: Mapping[str, Any] | None = None
    """Links to the index page and the previous/next report (``startseite``, ``vorher``,
    ``nachher``: each ``{"href", "titel"}``); part of the cache key, since they are on the page."""
    datenstand: str = ""
    """Fingerprint of the data this page is built from, when the caller knows it per page (the
    batch leaves out other units' event files); part of the cache key, beside the batch's."""
    zuerst: bool = False
    """Start this job before the others (the city overview: it has the most areas of a batch, and
    a long job started last keeps one worker busy while the others wait); not in the cache key."""

    @property
    def page_title(self) -> str:
        """Title shown in the browser tab and on the index page."""
        return self.title or self.slug


@dataclasses.dataclass(frozen=True)
class JobFailure:
    """Why one report could not be rendered, in the terms an analyst needs to fix it.

    Attributes
    ----------
    cell_index
        Index (from 0) of the failing cell in the executed notebook, which also holds
        papermill's injected-parameters cell; ``None`` when no cell failed (e.g. export).
    execution_count
        The ``In [n]`` the analyst sees in the failed notebook.
    cell_source
        First non-empty line of the failing cell.
    executed_notebook
        The executed notebook with papermill's error banner, kept as evidence.
    """

    job: Job
    ename: str
    evalue: str
    cell_index: int | None = None
    execution_count: int | None = None
    cell_source: str = ""
    executed_notebook: Path | None = None

    @property
    def message(self) -> str:
        """German one-paragraph description for the console."""
        text = f"Bericht »{self.job.slug}« fehlgeschlagen"
        if self.cell_index is not None:
            text += f"\n    in Zelle {self.cell_index} des ausgeführten Notebooks"
            if self.execution_count is not None:
                text += f" (In [{self.execution_count}])"
            if self.cell_source:
                text += f", beginnt mit: {self.cell_source}"
        text += f"\n    {self.ename}: {self.evalue}"
        if self.executed_notebook is not None:
            text += f"\n    Ausgeführtes Notebook mit Fehlermarke: {self.executed_notebook}"
        return text


@dataclasses.dataclass
class RenderResult:
    """Outcome of a batch; lists follow the order of the jobs passed in."""

    done: list[Job] = dataclasses.field(default_factory=list)
    skipped: list[Job] = dataclasses.field(default_factory=list)
    failed: list[JobFailure] = dataclasses.field(default_factory=list)
    warnungen: list[str] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no job failed (the CLI exits 1 otherwise)."""
        return not self.failed

    def summary(self) -> str:
        """German closing line for the console."""
        return (
            f"{len(self.done)} gerendert, {len(self.skipped)} unverändert übersprungen, "
            f"{len(self.failed)} fehlgeschlagen"
        )


@dataclasses.dataclass(frozen=True)
class _Outcome:
    """What a worker sends back: picklable, no exception objects."""

    slug: str
    seconds: float
    failure: dict[str, Any] | None = None
    warnung: str | None = None


def _digest_files(files: Sequence[Path], root: Path, digests: Any = None) -> str:
    h = hashlib.sha256()
    for path in sorted(files):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(b"\0")
        if digests is None:
            h.update(path.read_bytes())
        else:  # the file's own digest, remembered by (path, size, mtime)
            h.update(digests.digest(path).encode())
        h.update(b"\0")
    return h.hexdigest()


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Fingerprint of what turns a notebook into a page, besides the notebook itself.

    Covers the package version, the template files and the package's Python sources: in an
    editable install the version stays the same while the code that writes tables and sentences
    changes, and a cache keyed on the version alone would serve stale reports. Each file's
    digest is remembered by (path, size, mtime) in the cache folder, so that an unchanged batch
    reads no source file.
    """
    from sozialraum.read.checksums import STAT_CACHE, FileDigests

    digests = FileDigests(_cache_folder() / STAT_CACHE)
    templates = [p for p in TEMPLATES_DIR.rglob("*") if p.is_file()]
    sources = [p for p in PACKAGE_DIR.rglob("*.py") if "__pycache__" not in p.parts]
    text = "\n".join(
        [
            f"version={sozialraum.__version__}",
            f"templates={_digest_files(templates, TEMPLATES_DIR, digests)}",
            f"sources={_digest_files(sources, PACKAGE_DIR, digests)}",
        ]
    )
    digests.save()
    return text


def _cache_folder() -> Path:
    from sozialraum.compute.store import cache_dir

    return cache_dir()


#: Parameters that do not enter the cache key (see :func:`cache_key`).
KEY_IGNORES = frozenset({"store", "herkunft"})


def cache_key(data_fingerprint: str, job: Job) -> str:
    """Key that changes whenever the report could change.

    Quarto's ``freeze`` and Jupyter Book key on the source only and go stale when data change;
    this key covers the data and config (``data_fingerprint``, from the caller, and the job's
    own ``datenstand``), the notebook, the parameters, the template and the package. The
    ``store`` parameter is left out: it names the folder of the whole data state, which the data
    fingerprints already cover, and would tie every page to every input file.
    """
    parameters = {k: v for k, v in dict(job.parameters).items() if k not in KEY_IGNORES}
    h = hashlib.sha256()
    for part in (
        b"sozialraum-render-v2",
        data_fingerprint.encode(),
        job.datenstand.encode(),
        Path(job.notebook).read_bytes(),
        json.dumps(parameters, sort_keys=True, ensure_ascii=False, default=str).encode(),
        job.page_title.encode(),
        json.dumps(dict(job.nav or {}), sort_keys=True, ensure_ascii=False).encode(),
        code_fingerprint().encode(),
    ):
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def _key_path(html_path: Path) -> Path:
    return html_path.with_suffix(".key")


def executed_notebook_path(html_path: Path) -> Path:
    """Where the executed notebook is kept, beside the HTML, for traceability."""
    return html_path.with_suffix(".ipynb")


def _is_current(html_path: Path, key: str) -> bool:
    key_file = _key_path(html_path)
    if not (html_path.is_file() and key_file.is_file()):
        return False
    return key_file.read_text(encoding="utf-8").strip() == key
