"""Execute the report notebooks and turn them into self-contained HTML pages for committees.

One job = one notebook run with papermill and exported with nbconvert through our ``bericht``
template, in the same worker process. Jobs run in parallel worker processes, a job whose inputs
are unchanged is skipped (the cache key covers data, config, parameters, notebook, template and
package), and a failing job never stops the others: the batch leaves the failed executed notebook
as evidence and reports the cell and the error.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import dataclasses
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import IO, TYPE_CHECKING

import sozialraum

if TYPE_CHECKING:  # the heavy modules load when a page is built, not when a batch is checked
    import nbformat

    from sozialraum.config import Config
from sozialraum.publish import zellen
from sozialraum.publish.ablage import portable
from sozialraum.publish.arbeiter import (
    _crash_failure,
    _running_jobs,
    _stop_workers,
    _terminate,
    local_pool,
    warm_pool,
)
from sozialraum.publish.ausgabe import write_atomic
from sozialraum.publish.engine import (
    KERNEL_ARGUMENTS,
    KERNEL_NAME,
    _ipc_kernel_manager,
    _warm_kernel,
    socket_parent,
)
from sozialraum.publish.export import export_html
from sozialraum.publish.jobs import (
    FUSSNOTE_BEISPIELDATEN,
    Job,
    JobFailure,
    RenderResult,
    _is_current,
    _key_path,
    _Outcome,
    cache_key,
    executed_notebook_path,
)
from sozialraum.publish.zellen import ENGINE_NAME


# -- worker -----------------------------------------------------------------------------------
def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            return line.strip()[:120]
    return ""


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
    text = portable(tmp.read_text(encoding="utf-8"), executed.parent)
    write_atomic(executed, text)
    return str(executed)


def _with_pdf(nb: nbformat.NotebookNode, job: Job, bericht: Mapping[str, str]) -> str | None:
    """Write the page with a link to its PDF, then the PDF; a failed PDF leaves the page whole.

    Returns a German note when the PDF could not be made (the HTML stands, without the link).
    """
    from sozialraum.publish.pdf import PdfFehler, html_to_pdf

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


@contextlib.contextmanager
def _laufmarke(bericht: Mapping[str, str], job: Job) -> Iterator[None]:
    """A mark in the batch's folder of marks while the job runs (see ``arbeiter._running_jobs``).

    A job whose mark stays was running when its worker died (the ``finally`` never ran): a cell
    that crashed the process, or a job beside it in a pool that broke. The batch retries those
    alone, once.
    """
    folder = bericht.get("laufmarken")
    mark = Path(folder) / job.slug if folder else None
    if mark is not None:
        try:
            mark.touch()
        except OSError:
            mark = None  # a worker on another machine (dask): no marks, the pool does not break
    try:
        yield
    finally:
        if mark is not None:
            mark.unlink(missing_ok=True)


def _render_job(
    job: Job,
    key: str,
    bericht: Mapping[str, str],
    warm: bool = False,
    engine: str = "kernel",
) -> _Outcome:
    """Run one job in a worker process; every error becomes a failure record, never a raise.

    papermill writes the executed notebook while it runs; it writes into a scratch folder, so
    that a killed or failing run never leaves a torn notebook beside the reports. Only complete
    files are moved into the output folder (the failed notebook too, as evidence).

    ``engine`` "sozialraum" runs the cells in this process (:mod:`sozialraum.publish.zellen`)
    where it can (the main thread), else in this worker's warm kernel.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from sozialraum.publish.ausgabe import os_meldung

    started = time.monotonic()
    html_path = Path(job.output)
    executed = executed_notebook_path(html_path)
    _key_path(html_path).unlink(missing_ok=True)  # a failure must not leave the old key valid
    marks = bericht.get("laufmarken")
    # inside the batch's folder of marks when there is one: a worker that dies leaves nothing
    # behind in /tmp, the batch removes that folder at its end
    within = marks if marks and os.path.isdir(marks) else None
    with (
        _laufmarke(bericht, job),
        contextlib.ExitStack() as stack,
        tempfile.TemporaryDirectory(prefix="sozialraum-", dir=within) as scratch,
    ):
        tmp = Path(scratch) / executed.name
        try:
            notebook = Path(job.notebook).resolve()
            if engine == ENGINE_NAME and warm and zellen.can_run_here():
                try:
                    nb = zellen.execute(
                        notebook,
                        tmp,
                        dict(job.parameters),
                        int(bericht.get("zeitlimit_abschnitt") or 900),
                    )
                except BaseException:
                    zellen.discard()  # never reuse a shell a job failed in
                    raise
                finally:
                    zellen.aufraeumen()
            elif warm:
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
                sockets = stack.enter_context(
                    tempfile.TemporaryDirectory(prefix="sozialraum-kernel-", dir=socket_parent())
                )
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
                    kernel_manager_class=_ipc_kernel_manager(Path(sockets)),
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
    engine: str = ENGINE_NAME,
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
        of ``jobs`` worker processes for this call and stops it afterwards. A worker process
        that dies is replaced; the jobs it was running are tried again alone, once.
    engine
        ``"sozialraum"``: the cells run in the worker process (:mod:`sozialraum.publish.zellen`;
        in a dask worker's threads the warm kernel instead); ``"kernel"``: in a Jupyter kernel
        per worker. Both give the same pages. Only with ``warm``: without, every job gets a
        fresh kernel.

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
        marks = Path(tempfile.mkdtemp(prefix="sozialraum-laeufe-"))
        run_bericht = {**bericht, "laufmarken": str(marks)}
        alone: list[cf.ProcessPoolExecutor] = []  # one worker each, for jobs retried alone
        futures: dict = {}
        retried: set[str] = set()

        def record(job: Job, outcome: _Outcome) -> None:
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

        try:
            # the longest first (a stable sort: the others keep their order)
            queue = [
                (job, key, False) for job, key in sorted(pending, key=lambda p: not p[0].zuerst)
            ]
            while queue:
                futures = {}
                for job, key, isolated in queue:
                    target = pool
                    if isolated:
                        target = local_pool(1)
                        alone.append(target)
                    future = target.submit(_render_job, job, key, run_bericht, warm, engine)
                    futures[future] = (job, key, isolated)
                queue = []
                broken: list[tuple[Job, str, bool]] = []
                for future in cf.as_completed(futures):
                    job, key, isolated = futures[future]
                    try:
                        outcome = future.result()
                    except BrokenProcessPool:
                        broken.append((job, key, isolated))
                        continue
                    except Exception as exc:  # e.g. a dask worker killed by the OS
                        outcome = _Outcome(
                            job.slug, 0.0, {"ename": type(exc).__name__, "evalue": str(exc)}
                        )
                    record(job, outcome)
                if not broken:
                    break
                # A worker died. The jobs whose mark stayed were running then: each runs again
                # alone, once; the jobs still waiting in the broken pool go to a new one.
                running = _running_jobs(marks)
                for job, key, isolated in broken:
                    if isolated or job.slug in retried:
                        record(job, _Outcome(job.slug, 0.0, _crash_failure(job)))
                    elif job.slug in running:
                        retried.add(job.slug)
                        queue.append((job, key, True))
                    else:
                        queue.append((job, key, False))
                if any(not isolated for _, _, isolated in queue):
                    if own_pool:
                        _stop_workers(pool)
                    workers = getattr(pool, "_max_workers", None) or jobs or os.cpu_count() or 1
                    pool, own_pool = local_pool(workers), True  # the replacement is ours
                if queue:
                    bar.note(
                        "Ein Arbeitsprozess ist abgestürzt; "
                        f"{len(queue)} {'Bericht wird' if len(queue) == 1 else 'Berichte werden'} "
                        "neu gestartet …"
                    )
        except BaseException:
            if own_pool:
                _stop_workers(pool)
            else:  # a shared pool: its owner stops it; our jobs must not run on
                for future in futures:
                    future.cancel()
            for extra in alone:
                _stop_workers(extra)
            raise
        else:
            if own_pool:
                pool.shutdown(wait=True)
            for extra in alone:
                extra.shutdown(wait=True)
        finally:
            signal.signal(signal.SIGTERM, previous)
            shutil.rmtree(marks, ignore_errors=True)

    return RenderResult(
        done=[j for j in resolved if j.slug in done],
        skipped=[j for j in resolved if j.slug in skipped],
        failed=[failures[j.slug] for j in resolved if j.slug in failures],
        warnungen=warnungen,
    )


# -- index page -------------------------------------------------------------------------------


__all__ = ["local_pool", "render_reports", "warm_pool"]
