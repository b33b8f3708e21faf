"""Execute the report notebooks and turn them into self-contained HTML pages for committees.

One job = one notebook run with papermill and exported with nbconvert through our ``bericht``
template, in the same worker process. Jobs run in parallel worker processes, a job whose inputs
are unchanged is skipped (the cache key covers data, config, parameters, notebook, template and
package), and a failing job never stops the others: the batch leaves the failed executed notebook
as evidence and reports the cell and the error.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import hashlib
import json
import logging
import os
import re
import secrets
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import sozialraum

if TYPE_CHECKING:  # the heavy modules load when a page is built, not when a batch is checked
    import nbformat
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    from sozialraum.config import Config

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
TEMPLATE_NAME = "bericht"
TEMPLATE_DIR = TEMPLATES_DIR / TEMPLATE_NAME
CSS_FILE = TEMPLATE_DIR / "static" / "bericht.css"
INDEX_TEMPLATE = "startseite.html.j2"

#: Cells carrying this tag are left out of the report (e.g. set-up cells with helper output).
REMOVE_CELL_TAG = "remove"
KERNEL_NAME = "python3"
#: ipykernel warns on every start that its local TCP sockets are unencrypted (as in JupyterLab),
#: and jupyter_client interrupts every kernel before shutting it down, which ipykernel logs as
#: "ERROR | KeyboardInterrupt caught in kernel" after a successful run. In a batch of seven
#: reports that noise would hide the lines that matter; failures of cells reach us through
#: papermill, and a dying kernel through nbclient, not through this log. A batch kernel keeps
#: no input history: parallel kernels would contend for IPython's history database, and a
#: reused kernel would write the same line numbers again.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL", "--HistoryManager.enabled=False"]


def _ipc_kernel_manager(folder: Path) -> type:
    """A kernel manager that talks to its kernel over Unix sockets in ``folder``, not TCP.

    With TCP, jupyter_client picks "free" ports by binding and releasing them; parallel workers
    starting kernels at the same moment can pick the same port, and that kernel dies with
    "Address already in use" (seen in CI). Each job's sockets live in its own scratch folder
    (jupyter_client's default would be the notebook folder, shared by all workers), so two
    kernels never collide, and nothing listens on the network while a report renders.
    """
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class IpcKernelManager(AsyncKernelManager):
        @default("transport")
        def _default_transport(self) -> str:
            return "ipc"

        @default("ip")
        def _default_ip(self) -> str:
            return str(folder / "kernel")

    return IpcKernelManager


LANGUAGE_CODE = "de"
#: Under the publisher's name on every page built from invented data: the name alone would
#: read as if the publisher stood behind the numbers.
FUSSNOTE_BEISPIELDATEN = "Probebericht aus Beispieldaten – keine amtliche Veröffentlichung."
#: Placeholder in the template where the table of contents goes.
TOC_PLACEHOLDER = "sozialraum:inhaltsverzeichnis"
TOC_LEVELS = ("h2", "h3")
#: Slug of the city-wide report; the index page lists it apart from the Sozialräume.
GESAMTSTADT_SLUG = "gesamtstadt"


# -- jobs and results -------------------------------------------------------------------------
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


# -- cache ------------------------------------------------------------------------------------
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
    from sozialraum.store import STAT_CACHE, FileDigests

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
    from sozialraum.batch import cache_dir

    return cache_dir()


#: Parameters that do not enter the cache key (see :func:`cache_key`).
KEY_IGNORES = frozenset({"store"})


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


# -- atomic write -----------------------------------------------------------------------------
def write_atomic(path: Path, produce: str | Callable[[], str]) -> None:
    """Write text so that readers see the old file or the complete new one, never a torn one.

    ``produce`` may be a callable: if it raises, nothing is written and no temporary file stays
    behind. The temporary file lives in the target folder because ``os.replace`` is only atomic
    within one file system; it is created with ``os.open`` so the umask applies as for any file.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        text = produce() if callable(produce) else produce
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# -- export -----------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _report_output_filter() -> type:
    """The nbconvert preprocessor class, defined on first use (nbconvert loads slowly)."""
    from nbconvert.preprocessors import Preprocessor

    class ReportOutputFilter(Preprocessor):
        """Drop outputs a committee must never see: console streams, tracebacks, bare reprs.

        A ``print`` or a warning is a note to the analyst, a traceback means the job failed
        anyway, and an ``execute_result`` that is only ``text/plain`` is the repr of a cell's
        last value (``[<Line2D …>]``) — code debris, not content.
        """

        def preprocess_cell(self, cell, resources, index):
            """Keep only the outputs that belong in a report."""
            if cell.get("cell_type") == "code" and cell.get("outputs"):
                cell.outputs = [o for o in cell.outputs if _keep_output(o)]
            return cell, resources

    return ReportOutputFilter


def _keep_output(output: Mapping[str, Any]) -> bool:
    kind = output.get("output_type")
    if kind in ("stream", "error"):
        return False
    if kind == "execute_result":
        return bool(set(output.get("data", {})) - {"text/plain"})
    return True


@lru_cache(maxsize=1)
def _report_exporter_class() -> type:
    """The HTML exporter of nbconvert, without its own parse of the finished page.

    ``HTMLExporter.from_notebook_node`` parses the whole page with BeautifulSoup and serialises
    it again, only to add English alt texts to images without one and ``tabindex`` to the
    ``.jp-Notebook`` output areas of its own templates; a report page is then parsed a second
    time by :func:`export_html` for its own finishing steps. Two parses of a 400 KB page were a
    third of the export. Our template has neither: every figure carries its German alt text (the
    browser tests check every page with axe), and ``export_html`` makes tables focusable itself.
    """
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight_code = self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
            )
            resources = self._init_resources(resources)
            filter_data_type = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight_code)
            self.register_filter("filter_data_type", filter_data_type)
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return ReportExporter


def _make_exporter() -> HTMLExporter:
    from traitlets.config import Config as TraitletsConfig

    c = TraitletsConfig()
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = {REMOVE_CELL_TAG}
    exporter = _report_exporter_class()(
        config=c,
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        embed_images=True,
        sanitize_html=False,
        language_code=LANGUAGE_CODE,
    )
    exporter.register_preprocessor(_report_output_filter()(), enabled=True)
    return exporter


def export_html(nb: nbformat.NotebookNode, job: Job, bericht: Mapping[str, str]) -> str:
    """Executed notebook → finished page: template, then headings get ids and a contents list."""
    import nbformat
    from bs4 import BeautifulSoup

    nb = nbformat.from_dict(nb)  # a copy: the executed notebook on disk keeps every output
    nb.metadata["title"] = job.page_title
    resources = {
        "metadata": {"name": job.page_title, "path": str(Path(job.notebook).parent)},
        "bericht": {**dict(bericht), **dict(job.nav or {})},
    }
    body, _ = _make_exporter().from_notebook_node(nb, resources=resources)
    soup = BeautifulSoup(body, "html.parser")  # parsed once for all finishing steps
    _insert_table_of_contents(soup)
    _join_units(soup)
    from sozialraum.interaktiv import tabellen_fokussierbar

    tabellen_fokussierbar(soup)
    from sozialraum.schrift import schrift_einbetten

    schrift_einbetten(soup)  # the SVG figures' font, subset and inline, once per page
    return str(soup)


_NUMBER_UNIT = re.compile(r"(?<=\d) (?=%)")
_NO_TEXT_TAGS = {"script", "style", "textarea", "pre", "code"}


def keep_units_with_numbers(page: str) -> str:
    """Join "24,5 %" with a no-break space so a line never ends in a number and starts with "%".

    Done on the page, not in ``fmt``, because the same strings go into CSV downloads and chart
    labels, where a plain space is what Excel and matplotlib expect.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    _join_units(soup)
    return str(soup)


def _join_units(soup: BeautifulSoup) -> None:
    from bs4 import Comment

    for node in soup.find_all(string=_NUMBER_UNIT):
        if isinstance(node, Comment) or node.parent.name in _NO_TEXT_TAGS:
            continue
        node.replace_with(_NUMBER_UNIT.sub("\u00a0", str(node)))


def _slugify(text: str) -> str:
    slug = re.sub(r"[^\w]+", "-", text.lower()).strip("-_")
    return slug or "abschnitt"


def _is_toc_placeholder(node: object) -> bool:
    from bs4 import Comment

    return isinstance(node, Comment) and node.strip() == TOC_PLACEHOLDER


def add_table_of_contents(page: str) -> str:
    """Give every h2/h3 inside <main> an id and put a <nav> linking them at the placeholder.

    Done on the finished page rather than from the cells because headings come both from
    markdown cells and from HTML the library writes; existing ids are kept.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    _insert_table_of_contents(soup)
    return str(soup)


def _insert_table_of_contents(soup: BeautifulSoup) -> None:
    placeholder = soup.find(string=_is_toc_placeholder)
    main = soup.find("main")
    if placeholder is None or main is None:
        return
    used = {tag["id"] for tag in soup.find_all(id=True)}
    entries: list[tuple[str, str, str]] = []
    for heading in main.find_all(list(TOC_LEVELS)):
        text = " ".join(heading.get_text(" ", strip=True).split())
        if not text:
            continue
        if not heading.get("id"):
            base = _slugify(text)
            anchor, n = base, 2
            while anchor in used:
                anchor, n = f"{base}-{n}", n + 1
            heading["id"] = anchor
            used.add(anchor)
        entries.append((heading.name, heading["id"], text))
    if not entries:
        placeholder.extract()
        return

    nav = soup.new_tag("nav", attrs={"class": "inhaltsverzeichnis", "aria-labelledby": "toc-t"})
    box = soup.new_tag("div")
    title = soup.new_tag("p", attrs={"class": "inhaltsverzeichnis-titel", "id": "toc-t"})
    title.string = "Inhalt"
    box.append(title)
    top = soup.new_tag("ol")
    box.append(top)
    nav.append(box)
    current_sub = None
    last_item = None
    for level, anchor, text in entries:
        item = soup.new_tag("li")
        link = soup.new_tag("a", href=f"#{anchor}")
        link.string = text
        item.append(link)
        if level == TOC_LEVELS[0] or last_item is None:
            top.append(item)
            last_item, current_sub = item, None
        else:
            if current_sub is None:
                current_sub = soup.new_tag("ol")
                last_item.append(current_sub)
            current_sub.append(item)
    placeholder.replace_with(nav)


# -- worker -----------------------------------------------------------------------------------
def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            return line.strip()[:120]
    return ""


def _reproducible(text: str) -> str:
    """The executed notebook without run-specific noise; with ``SOURCE_DATE_EPOCH`` fixed times.

    papermill records start, end and duration of the run and of every cell, and the kernel the
    times of each message: two runs of the same data on different days would differ only there.
    """
    import nbformat

    nb = nbformat.reads(text, as_version=4)
    pm_meta = nb.metadata.get("papermill")
    if isinstance(pm_meta, dict) and pm_meta.get("output_path"):
        pm_meta["output_path"] = Path(pm_meta["output_path"]).name  # not the scratch folder
    for cell in nb.cells:  # papermill gives its parameter cell a random id on every run
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = hashlib.sha256(cell.source.encode()).hexdigest()[:8]
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch.isdigit():
        return nbformat.writes(nb)
    import datetime as dt

    stamp = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).isoformat()

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
    return nbformat.writes(nb)


def _running_cell(tmp: Path) -> str:
    """First line of the cell papermill was executing when the run stopped."""
    import nbformat

    try:
        nb = nbformat.read(tmp, as_version=4)
    except Exception:  # noqa: BLE001 - the name is a courtesy; the failure stands without it
        return "unbekannt"
    started = [c for c in nb.cells if c.metadata.get("papermill", {}).get("start_time")]
    running = [c for c in started if c.metadata["papermill"].get("status") == "running"]
    cell = (running or started or [None])[-1]  # papermill may already have closed the cell
    return _first_line(cell.source) if cell is not None else "unbekannt"


def _keep_notebook(tmp: Path, executed: Path) -> str | None:
    """Move the executed notebook from the scratch folder into place, atomically."""
    if not tmp.is_file():
        return None
    write_atomic(executed, _reproducible(tmp.read_text(encoding="utf-8")))
    return str(executed)


def _with_pdf(nb: nbformat.NotebookNode, job: Job, bericht: Mapping[str, str]) -> str | None:
    """Write the page with a link to its PDF, then the PDF; a failed PDF leaves the page whole.

    Returns a German note when the PDF could not be made (the HTML stands, without the link).
    """
    from sozialraum.pdf import PdfFehler, html_to_pdf

    html_path = Path(job.output)
    pdf_path = html_path.with_suffix(".pdf")
    with_link = {**bericht, "pdf": pdf_path.name}
    write_atomic(html_path, lambda: export_html(nb, job, with_link))
    try:
        html_to_pdf(
            html_path,
            pdf_path,
            titel=job.page_title,
            beispieldaten=bool(bericht.get("fussnote")),
        )
    except PdfFehler as exc:
        pdf_path.unlink(missing_ok=True)  # never a PDF from older data beside the new page
        write_atomic(html_path, lambda: export_html(nb, job, bericht))
        return str(exc)
    return None


#: Run in a warm kernel before each job: what a fresh kernel would have, as far as a report can
#: tell. The user namespace and the output history go (``%reset -f``), open figures are closed,
#: matplotlib's settings return to those the kernel had after its imports, the working folder
#: is the job's, and the prompt counter starts at 1 again, so that the executed notebook and
#: the page are byte for byte those of a fresh kernel (``tests/test_render.py`` checks that).
_RESET_CODE = """\
get_ipython().run_line_magic("reset", "-f")
import os as _os, sys as _sys
_ip = get_ipython()
if "matplotlib.pyplot" in _sys.modules:
    _sys.modules["matplotlib.pyplot"].close("all")
if "matplotlib" in _sys.modules and "_sozialraum_rc" in _sys.modules["builtins"].__dict__:
    _sys.modules["matplotlib"].rcParams.update(_sys.modules["builtins"]._sozialraum_rc)
_os.chdir({cwd!r})
_ip.execution_count = 1
del _os, _sys, _ip
"""

#: Run once when a warm kernel starts: load what every report imports (that is what keeping the
#: kernel pays off), then remember matplotlib's settings for the reset before each job. The
#: objects of those modules live as long as the kernel: frozen, the collector never walks them
#: again (``%reset`` collects after every job, and every report allocates a lot).
_WARM_UP_CODE = """\
import builtins as _b
import gc as _gc
import matplotlib
import sozialraum.report
_b._sozialraum_rc = dict(matplotlib.rcParams)
_gc.collect()
_gc.freeze()
del _b, _gc
"""


class _WarmKernel:
    """One kernel per worker process, started on the first job and reused for the next ones.

    Starting a kernel and importing pandas, geopandas, matplotlib and the package costs seconds
    per report; a batch of hundreds of units pays it once per worker instead. The kernel talks
    over Unix sockets in the worker's own scratch folder (see :func:`_ipc_kernel_manager`) and
    watches its parent: it ends with the worker, also when the worker is killed. After a failed
    job the kernel is thrown away, so that a half-run report never leaks into the next one.
    """

    def __init__(self) -> None:
        self.km: Any = None
        self.kc: Any = None  # the client of the resets, ready once per kernel
        self.scratch: Path | None = None

    def manager(self, cwd: Path, timeout: int) -> Any:
        """The running kernel's manager; starts the kernel if there is none (or it died)."""
        import tempfile

        from jupyter_core.utils import run_sync

        if self.km is not None and run_sync(self.km.is_alive)():
            return self.km
        self.discard()
        self.scratch = Path(tempfile.mkdtemp(prefix="sozialraum-kernel-"))
        km = _ipc_kernel_manager(self.scratch)(kernel_name=KERNEL_NAME)
        run_sync(km.start_kernel)(extra_arguments=list(KERNEL_ARGUMENTS), cwd=str(cwd))
        self.km = km
        self.run(_WARM_UP_CODE, timeout)
        return km

    def run(self, code: str, timeout: int) -> None:
        """Run ``code`` outside the notebook (not counted, not recorded); raise if it fails.

        The client stays connected for the kernel's life: getting a new one ready waits a
        fixed 0.2 s for stray messages (``wait_for_ready``), before every report.
        """
        if self.kc is None:
            kc = self.km.blocking_client()
            kc.start_channels()
            try:
                kc.wait_for_ready(timeout=60)
            except BaseException:
                kc.stop_channels()
                raise
            self.kc = kc
        reply = self.kc.execute_interactive(
            code, store_history=False, silent=False, timeout=timeout, output_hook=_quiet
        )
        if reply["content"].get("status") != "ok":
            raise RuntimeError(
                "Der Kernel ließ sich nicht vorbereiten: "
                f"{reply['content'].get('ename')}: {reply['content'].get('evalue')}"
            )

    def execute(self, notebook: Path, output: Path, parameters: dict, timeout: int) -> Any:
        """Run one notebook with papermill in this kernel, reset to a fresh state first."""
        import papermill as pm

        km = self.manager(notebook.parent, timeout)
        self.run(_RESET_CODE.format(cwd=str(notebook.parent)), timeout)
        return pm.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            engine_name=_warm_engine(),
            km=km,
            cwd=str(notebook.parent),
            progress_bar=False,
            log_output=False,
            execution_timeout=timeout,
        )

    def discard(self) -> None:
        """Shut the kernel down and remove its sockets (also at the worker's regular exit)."""
        import shutil

        from jupyter_core.utils import run_sync

        kc, self.kc = self.kc, None
        if kc is not None:
            try:
                kc.stop_channels()
            except Exception:  # noqa: BLE001 - the kernel may be gone already
                pass
        km, self.km = self.km, None
        if km is not None:
            try:
                run_sync(km.shutdown_kernel)(now=True)
            except Exception:  # noqa: BLE001 - a dead kernel is what we wanted
                pass
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None


def _quiet(msg: Mapping[str, Any]) -> None:
    """Output of the reset and warm-up code goes nowhere (it is not part of any report)."""


_WARM = threading.local()


def _warm_kernel() -> _WarmKernel:
    """The kernel of this worker thread; shut down when the worker process ends normally.

    One per thread: a dask worker may run several jobs at once in threads, and a kernel runs
    one notebook at a time.
    """
    kernel = getattr(_WARM, "kernel", None)
    if kernel is None:
        import atexit
        from multiprocessing import util

        kernel = _WARM.kernel = _WarmKernel()
        util.Finalize(kernel, kernel.discard, exitpriority=10)  # pool worker processes
        atexit.register(kernel.discard)  # other processes (dask workers)
    return kernel


@lru_cache(maxsize=1)
def _warm_engine() -> str:
    """Register papermill's engine for a kernel that outlives the notebook; returns its name.

    papermill's own engine hands nbclient a kernel manager it does not own, so nbclient leaves
    the kernel running, but it never closes the client's channels; over hundreds of reports a
    worker would run out of file handles. This engine closes them after every notebook.
    """
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.utils import merge_kwargs, remove_args

    class WarmEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man,
            kernel_name,
            log_output=False,
            start_timeout=60,
            execution_timeout=None,
            **kwargs,
        ):
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            final = merge_kwargs(
                kwargs,
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logging.getLogger("papermill"),
                log_output=log_output,
            )
            client = PapermillNotebookClient(nb_man, **final)
            # papermill writes the whole notebook before and after every cell (40 writes of a
            # growing 400 KB file per report); it is written once, when the run ends, also
            # after a failure (papermill's notebook_complete, after this method).
            save, nb_man.save = nb_man.save, lambda **kwargs: None
            try:
                return client.execute()
            finally:
                nb_man.save = save
                if client.kc is not None:
                    client.kc.stop_channels()
                    client.kc = None

    papermill_engines.register("sozialraum-warm", WarmEngine)
    return "sozialraum-warm"


def _render_job(job: Job, key: str, bericht: Mapping[str, str], warm: bool = False) -> _Outcome:
    """Run one job in a worker process; every error becomes a failure record, never a raise.

    papermill writes the executed notebook while it runs; it writes into a scratch folder, so
    that a killed or failing run never leaves a torn notebook beside the reports. Only complete
    files are moved into the output folder (the failed notebook too, as evidence).
    """
    import tempfile

    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from sozialraum.ausgabe import os_meldung

    started = time.monotonic()
    html_path = Path(job.output)
    executed = executed_notebook_path(html_path)
    _key_path(html_path).unlink(missing_ok=True)  # a failure must not leave the old key valid
    with tempfile.TemporaryDirectory(prefix="sozialraum-") as scratch:
        tmp = Path(scratch) / executed.name
        try:
            notebook = Path(job.notebook).resolve()
            if warm:
                try:
                    nb = _warm_kernel().execute(
                        notebook,
                        tmp,
                        dict(job.parameters),
                        int(bericht.get("zeitlimit_abschnitt") or 900),
                    )
                except BaseException:
                    _warm_kernel().discard()  # never reuse a kernel a job failed in
                    raise
            else:
                nb = pm.execute_notebook(
                    str(notebook),
                    str(tmp),
                    parameters=dict(job.parameters),
                    kernel_name=KERNEL_NAME,
                    cwd=str(notebook.parent),
                    progress_bar=False,
                    log_output=False,
                    extra_arguments=list(KERNEL_ARGUMENTS),
                    execution_timeout=int(bericht.get("zeitlimit_abschnitt") or 900),
                    kernel_manager_class=_ipc_kernel_manager(Path(scratch)),
                )
            _keep_notebook(tmp, executed)
            pdf_note = None
            if bericht.get("pdf_erzeugen"):
                pdf_note = _with_pdf(nb, job, bericht)
            else:
                write_atomic(html_path, lambda: export_html(nb, job, bericht))
            write_atomic(_key_path(html_path), key + "\n")
            if pdf_note:
                return _Outcome(job.slug, time.monotonic() - started, warnung=pdf_note)
        except PapermillExecutionError as exc:
            failure = {
                "ename": exc.ename,
                "evalue": exc.evalue,
                "cell_index": exc.cell_index,
                "execution_count": exc.exec_count,
                "cell_source": _first_line(exc.source or ""),
                "executed_notebook": _keep_notebook(tmp, executed),
            }
            return _Outcome(job.slug, time.monotonic() - started, failure)
        except TimeoutError as exc:  # nbclient's CellTimeoutError: a section ran too long
            limit = int(bericht.get("zeitlimit_abschnitt") or 900)
            section = _running_cell(tmp)
            failure = {
                "ename": "Zeitlimit" if type(exc).__name__ == "CellTimeoutError" else "Timeout",
                "evalue": (
                    f"Der Abschnitt »{section}« brauchte länger als {limit} Sekunden und wurde "
                    "abgebrochen. Tipp: [bericht] zeitlimit_abschnitt in der Konfiguration "
                    "erhöhen, oder die Daten dieses Abschnitts prüfen (ungewöhnlich viele Zeilen?)."
                ),
                "cell_source": section,
                "executed_notebook": _keep_notebook(tmp, executed),
            }
            return _Outcome(job.slug, time.monotonic() - started, failure)
        except OSError as exc:
            failure = {"ename": "Ausgabefehler", "evalue": os_meldung(exc)}
            return _Outcome(job.slug, time.monotonic() - started, failure)
        except Exception as exc:  # one broken report must not stop the batch
            try:
                kept = _keep_notebook(tmp, executed)
            except OSError:
                kept = None
            failure = {
                "ename": type(exc).__name__,
                "evalue": str(exc),
                "executed_notebook": kept,
            }
            return _Outcome(job.slug, time.monotonic() - started, failure)
    return _Outcome(job.slug, time.monotonic() - started)


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM ends the batch like Ctrl-C: workers are stopped, nothing half-written stays."""
    raise KeyboardInterrupt


def local_pool(workers: int) -> cf.ProcessPoolExecutor:
    """Worker processes on this machine that die with the batch (see ``ausgabe.worker_init``).

    The platform's default start method: "spawn" (macOS, Windows) re-imports the caller's main
    module and breaks for scripts without a main guard or code piped to python.
    """
    from sozialraum.ausgabe import worker_init

    return cf.ProcessPoolExecutor(
        max_workers=workers, initializer=worker_init, initargs=(os.getpid(),)
    )


def _warm_up(cwd: str, timeout: int) -> int:
    """Prepare this worker for its first job: its kernel started and loaded, nbconvert loaded.

    Run on every worker while the batch still validates the inputs and computes the index, so
    that the seconds a kernel needs to import pandas, geopandas, matplotlib and the package are
    spent in parallel with that work instead of after it. Returns the worker's pid.
    """
    _warm_kernel().manager(Path(cwd), timeout)
    _report_exporter_class()  # imports nbconvert and its templates' machinery
    import bs4  # noqa: F401 - the export's parser
    import papermill  # noqa: F401

    return os.getpid()


def warm_pool(workers: int, cwd: Path, timeout: int) -> cf.ProcessPoolExecutor:
    """:func:`local_pool` whose workers start their kernels right away (see :func:`_warm_up`).

    One warm-up per worker is submitted; a worker that takes two finds its kernel running the
    second time. Jobs submitted later queue behind the warm-ups, so none waits longer than it
    would have waited for a cold kernel.
    """
    pool = local_pool(workers)
    for _ in range(workers):
        pool.submit(_warm_up, str(cwd), timeout)
    return pool


def _stop_workers(pool: cf.ProcessPoolExecutor) -> None:
    """Stop every worker now (their kernels follow them within a second)."""
    processes = list(getattr(pool, "_processes", {}).values())
    for proc in processes:
        try:
            proc.terminate()
        except (OSError, AttributeError):
            pass
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        proc.join(timeout=5)
        if proc.is_alive():
            proc.kill()


# -- progress ---------------------------------------------------------------------------------
def _sekunden(seconds: float) -> str:
    return f"{seconds:.1f}".replace(".", ",") + " s"


class _Progress:
    """One line per finished report on stderr; silent unless stderr is a terminal."""

    def __init__(self, total: int, enabled: bool | None, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.total = total
        self.count = 0
        self.started = time.monotonic()

    def report(self, slug: str, status: str) -> None:
        self.count += 1
        if not self.enabled:
            return
        width = len(str(self.total))
        elapsed = _sekunden(time.monotonic() - self.started)
        line = f"[{self.count:>{width}}/{self.total}] {slug}: {status} (bisher {elapsed})"
        print(line, file=self.stream, flush=True)

    def note(self, text: str) -> None:
        """A line that is not a finished report (e.g. what is about to start)."""
        if self.enabled:
            print(text, file=self.stream, flush=True)


# -- batch ------------------------------------------------------------------------------------
def _resolve_jobs(notebook_jobs: Sequence[Job], out_dir: Path) -> list[Job]:
    resolved = []
    for job in notebook_jobs:
        output = Path(job.output)
        if not output.is_absolute():
            output = out_dir / output
        resolved.append(
            dataclasses.replace(job, notebook=Path(job.notebook).resolve(), output=output.resolve())
        )
    for what, values in (
        ("slug", [j.slug for j in resolved]),
        ("output", [j.output for j in resolved]),
    ):
        dupes = sorted({str(v) for v in values if values.count(v) > 1})
        if dupes:
            raise ValueError(f"render jobs share the same {what}: {', '.join(dupes)}")
    return resolved


def render_reports(
    cfg: Config,
    *,
    notebook_jobs: Sequence[Job],
    out_dir: Path,
    jobs: int | None = None,
    force: bool = False,
    progress: bool | None = None,
    data_fingerprint: str = "",
    beispieldaten: bool = False,
    pdf: bool = False,
    warm: bool = True,
    executor: cf.Executor | None = None,
) -> RenderResult:
    """Render every job, in parallel, skipping reports whose inputs did not change.

    Parameters
    ----------
    cfg
        The city's config; its publisher goes into the page footer.
    notebook_jobs
        The reports to render.
    out_dir
        Folder for relative ``Job.output`` paths; created if missing.
    jobs
        Number of worker processes; ``None`` uses every CPU.
    force
        Render even when the cache says the report is current.
    progress
        Show progress on stderr; ``None`` shows it only when stderr is a terminal.
    data_fingerprint
        Checksums of the inputs and the config file's content, from the caller: the part of the
        cache key the renderer cannot see itself.
    beispieldaten
        The inputs contain invented records: every page's footer says so under the publisher.
    pdf
        Also print each page to a PDF beside it (Debian's Chromium); a failed PDF is a warning.
    warm
        Keep one kernel per worker and reuse it, reset, for the next job (the pages are the
        same bytes as from a fresh kernel); ``False`` starts a fresh kernel for every job.
    executor
        Run the jobs on this executor (shared by several batches, e.g. :func:`local_pool` or a
        dask cluster's ``Client.get_executor()``) and leave it running; ``None`` starts a pool
        of ``jobs`` worker processes for this call and stops it afterwards.

    Returns
    -------
    RenderResult
        Done, skipped and failed jobs; failures name the cell, the error and the failed
        executed notebook. A failure never stops the other jobs.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    resolved = _resolve_jobs(notebook_jobs, out_dir)
    bericht = {
        "herausgeber": cfg.stadt.herausgeber,
        "quellenangabe": cfg.stadt.quellenangabe,
        "zeitlimit_abschnitt": str(cfg.bericht.zeitlimit_abschnitt),
        "pdf_erzeugen": "ja" if pdf else "",
        "version": sozialraum.__version__,
        "fussnote": FUSSNOTE_BEISPIELDATEN if beispieldaten else "",
    }
    bar = _Progress(len(resolved), progress)
    done: set[str] = set()
    skipped: set[str] = set()
    failures: dict[str, JobFailure] = {}
    warnungen: list[str] = []

    pending: list[tuple[Job, str]] = []
    for job in resolved:
        if not Path(job.notebook).is_file():
            failures[job.slug] = JobFailure(
                job, "FileNotFoundError", f"Notebook {job.notebook} existiert nicht."
            )
            bar.report(job.slug, "FEHLER")
            continue
        # a page with a PDF link is another page than one without
        key = cache_key(data_fingerprint + ("|pdf" if pdf else ""), job)
        pdf_missing = pdf and not Path(job.output).with_suffix(".pdf").is_file()
        if not force and not pdf_missing and _is_current(job.output, key):
            skipped.add(job.slug)
            bar.report(job.slug, "unverändert, übersprungen")
        else:
            job.output.parent.mkdir(parents=True, exist_ok=True)
            pending.append((job, key))

    if pending:
        own_pool = executor is None
        if own_pool:
            workers = max(1, min(jobs or os.cpu_count() or 1, len(pending)))
            bar.note(
                f"Erzeuge {len(pending)} von {len(resolved)} Berichten mit "
                f"{workers} {'Prozess' if workers == 1 else 'parallelen Prozessen'} …"
            )
            pool = local_pool(workers)
        else:
            bar.note(f"Erzeuge {len(pending)} von {len(resolved)} Berichten …")
            pool = executor
        previous = signal.signal(signal.SIGTERM, _terminate)
        futures: dict = {}
        try:
            futures = {
                pool.submit(_render_job, job, key, bericht, warm): job for job, key in pending
            }
            for future in cf.as_completed(futures):
                job = futures[future]
                try:
                    outcome = future.result()
                except Exception as exc:  # e.g. a worker killed by the OS
                    outcome = _Outcome(
                        job.slug, 0.0, {"ename": type(exc).__name__, "evalue": str(exc)}
                    )
                if outcome.failure is None:
                    done.add(job.slug)
                    bar.report(job.slug, f"fertig in {_sekunden(outcome.seconds)}")
                    if outcome.warnung:
                        warnungen.append(f"Bericht »{job.slug}«: {outcome.warnung}")
                else:
                    info = dict(outcome.failure)
                    nb_path = info.pop("executed_notebook", None)
                    failures[job.slug] = JobFailure(
                        job, executed_notebook=Path(nb_path) if nb_path else None, **info
                    )
                    bar.report(job.slug, "FEHLER")
        except BaseException:
            if own_pool:
                _stop_workers(pool)
            else:  # a shared pool: its owner stops it; our jobs must not run on
                for future in futures:
                    future.cancel()
            raise
        else:
            if own_pool:
                pool.shutdown(wait=True)
        finally:
            signal.signal(signal.SIGTERM, previous)

    return RenderResult(
        done=[j for j in resolved if j.slug in done],
        skipped=[j for j in resolved if j.slug in skipped],
        failed=[failures[j.slug] for j in resolved if j.slug in failures],
        warnungen=warnungen,
    )


# -- index page -------------------------------------------------------------------------------
def startseitentitel(cfg: Config, jahr: int | None = None) -> str:
    """Title of the index page: "Berichte der Sozialräume – Musterstadt, Sozialbericht 2023".

    The edition names the year the way the city does ("MSS 2021" for data as of 2020); another
    report year of the series (``jahr``) is named by its year. Here, beside the index page and
    without the data stack, because a batch builds its links before it knows whether anything
    has to be drawn.
    """
    b = cfg.begriffe
    edition = cfg.ausgabe if jahr in (None, cfg.methode.berichtsjahr) else f"{b.reihe} {jahr}"
    return f"Berichte der {b.einheit.mehrzahl} – {cfg.stadt.name}, {edition}"


@dataclasses.dataclass(frozen=True)
class IndexEntry:
    """One link on the index page."""

    titel: str
    href: str
    beschreibung: str = ""
    gesamtstadt: bool = False

    @classmethod
    def from_job(cls, job: Job, index_dir: Path, beschreibung: str = "") -> IndexEntry:
        """Link to a job's HTML, relative to the index page so the folder can be moved."""
        href = Path(os.path.relpath(Path(job.output), Path(index_dir))).as_posix()
        return cls(job.page_title, href, beschreibung, job.slug == GESAMTSTADT_SLUG)


def _jinja_env() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def write_index_page(
    cfg: Config,
    entries: Sequence[IndexEntry | Job],
    out_path: Path,
    map_html: str,
    *,
    jahr: int | None = None,
    beispieldaten: bool = False,
    fehlend: Sequence[tuple[str, str]] = (),
) -> Path:
    """Write the page that links all reports of one year (``reports/<jahr>/index.html``).

    Parameters
    ----------
    cfg
        The city's config: name and publisher for the title and footer.
    entries
        Reports to link; jobs are turned into links relative to the page. The city-wide report
        (slug ``gesamtstadt``) is listed apart from the Sozialräume.
    out_path
        The page to write (atomically).
    map_html
        Overview map as an HTML snippet from the maps module; inserted as is (trusted), while
        every other text is escaped.
    jahr
        Report year in the title; defaults to the config's ``berichtsjahr``.
    beispieldaten
        Show the banner saying the data are invented sample data.
    fehlend
        Reports the page cannot link, as (title, why): failed in this run or not yet rendered.
    """
    from markupsafe import Markup

    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    links = [
        e if isinstance(e, IndexEntry) else IndexEntry.from_job(e, out_path.parent) for e in entries
    ]
    jahr = jahr if jahr is not None else cfg.methode.berichtsjahr
    page = (
        _jinja_env()
        .get_template(INDEX_TEMPLATE)
        .render(
            lang=LANGUAGE_CODE,
            titel=startseitentitel(cfg, jahr),
            herausgeber=cfg.stadt.herausgeber,
            quellenangabe=cfg.stadt.quellenangabe,
            begriffe=cfg.begriffe,
            fussnote=FUSSNOTE_BEISPIELDATEN if beispieldaten else "",
            gesamtstadt=[e for e in links if e.gesamtstadt],
            sozialraeume=[e for e in links if not e.gesamtstadt],
            karte=Markup(map_html or ""),
            css=Markup(CSS_FILE.read_text(encoding="utf-8")),
            beispieldaten=beispieldaten,
            version=sozialraum.__version__,
            fehlend=list(fehlend),
        )
    )
    write_atomic(out_path, page)
    return out_path


__all__ = [
    "GESAMTSTADT_SLUG",
    "REMOVE_CELL_TAG",
    "IndexEntry",
    "Job",
    "JobFailure",
    "RenderResult",
    "add_table_of_contents",
    "cache_key",
    "export_html",
    "render_reports",
    "write_atomic",
    "write_index_page",
]
