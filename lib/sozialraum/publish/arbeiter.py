"""The batch's worker processes: started warm, stopped quietly, and what a dead one leaves.

:mod:`sozialraum.publish.render` submits the jobs; this module owns the processes they run in.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

from sozialraum.publish import zellen
from sozialraum.publish.engine import _warm_kernel
from sozialraum.publish.export import _report_exporter_class
from sozialraum.publish.jobs import Job
from sozialraum.publish.zellen import ENGINE_NAME


def _running_jobs(marks: Path) -> set[str]:
    """The slugs whose mark stayed (they were running when a worker died); the marks go."""
    running = set()
    for mark in marks.iterdir():
        if mark.is_file():
            running.add(mark.name)
            mark.unlink(missing_ok=True)
    return running


def _crash_failure(job: Job) -> dict[str, str]:  # noqa: ARG001 - one failure per job
    return {
        "ename": "Absturz",
        "evalue": (
            "Der Arbeitsprozess endete unerwartet, während dieser Bericht lief, auch beim "
            "zweiten Versuch allein. Ursache ist meist eine Zelle, die den Prozess beendet, "
            "oder zu wenig Arbeitsspeicher. Tipp: den Bericht mit --engine kernel erzeugen; "
            "dann zeigt das ausgeführte Notebook die letzte Zelle, die lief."
        ),
    }


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM ends the batch like Ctrl-C: workers are stopped, nothing half-written stays."""
    raise KeyboardInterrupt


def local_pool(workers: int) -> cf.ProcessPoolExecutor:
    """Worker processes on this machine that die with the batch (see ``ausgabe.worker_init``).

    The platform's default start method: "spawn" (macOS, Windows) re-imports the caller's main
    module and breaks for scripts without a main guard or code piped to python.
    """
    from sozialraum.publish.ausgabe import worker_init

    return cf.ProcessPoolExecutor(
        max_workers=workers, initializer=worker_init, initargs=(os.getpid(),)
    )


def _warm_up(cwd: str, timeout: int, engine: str = "kernel") -> int:
    """Prepare this worker for its first job: its kernel started and loaded, nbconvert loaded.

    Run on every worker while the batch still validates the inputs and computes the index, so
    that the seconds a kernel needs to import pandas, geopandas, matplotlib and the package are
    spent in parallel with that work instead of after it. Returns the worker's pid.
    """
    if engine == ENGINE_NAME and zellen.can_run_here():
        zellen.warm_up()
    else:
        _warm_kernel().manager(Path(cwd), timeout)
    _report_exporter_class()  # imports nbconvert and its templates' machinery
    import bs4  # noqa: F401 - the export's parser
    import papermill  # noqa: F401

    return os.getpid()


def warm_pool(
    workers: int, cwd: Path, timeout: int, engine: str = ENGINE_NAME
) -> cf.ProcessPoolExecutor:
    """:func:`local_pool` whose workers start their kernels right away (see :func:`_warm_up`).

    One warm-up per worker is submitted; a worker that takes two finds its kernel running the
    second time. Jobs submitted later queue behind the warm-ups, so none waits longer than it
    would have waited for a cold kernel.
    """
    pool = local_pool(workers)
    for _ in range(workers):
        pool.submit(_warm_up, str(cwd), timeout, engine)
    return pool


def _stop_workers(pool: cf.ProcessPoolExecutor) -> None:
    """Stop every worker now (their kernels follow them within a second), quietly.

    The pool's manager thread is joined before this returns: left running, it closes its wake-up
    pipe while the interpreter's exit handler (``concurrent.futures.process._python_exit``)
    writes to that pipe, and on a busy machine the exit printed "Bad file descriptor" with a
    traceback after the German message. A second Ctrl-C or SIGTERM while stopping is ignored:
    the stop is under way, an interrupt would only leave workers behind.
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    with _ohne_unterbrechung():
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
                proc.join(timeout=5)
        if manager is not None:
            manager.join(timeout=10)


@contextlib.contextmanager
def _ohne_unterbrechung() -> Iterator[None]:
    """SIGINT and SIGTERM ignored inside (main thread only; elsewhere nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            if handler is not None:  # None: set outside Python, cannot be put back
                signal.signal(sig, handler)
