"""The notebook engine: one warm kernel per worker, reset before every job, on Unix sockets."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the heavy modules load when a page is built, not when a batch is checked
    pass


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


def socket_parent() -> str | None:
    """Where a kernel's socket folder goes: the temp folder, unless its path is too long.

    A Unix socket's path holds at most 107 bytes; ipykernel names its sockets
    ``<folder>/kernel-<n>``. Under a long ``TMPDIR`` (a test's own, a deep home folder) the
    kernel would fail to bind; then the folder goes into the system's short ``/tmp``.
    """
    import os
    import tempfile

    if len(tempfile.gettempdir()) <= 60:
        return None
    for candidate in ("/tmp", "/var/tmp", "/dev/shm"):
        if os.path.isdir(candidate) and os.access(candidate, os.W_OK | os.X_OK):
            return candidate
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
        self.scratch = Path(tempfile.mkdtemp(prefix="sozialraum-kernel-", dir=socket_parent()))
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
