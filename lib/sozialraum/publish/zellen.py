"""The papermill engine ``sozialraum``: a notebook's cells run in the worker process itself.

papermill still reads, parametrises, records and writes the notebook; only the cells run in an
IPython shell of this process instead of a kernel. That saves what a kernel costs per report:
its start and imports, and moving every output (a report's figures are 400 KB of HTML) through
the kernel's channels twice. The outputs are those a kernel gives (``stream``, ``display_data``,
``execute_result``, ``error``, matplotlib's inline figures, prompt numbers from 1), so the pages
are the same bytes (``tests/test_zellen.py`` renders the sample with both engines).

A cell over its time limit is stopped by ``SIGALRM``; signals reach only the main thread, so
this engine runs only there. The batch uses the kernel engine elsewhere (a dask worker's threads)
and a worker that died in a cell is replaced by the batch (:mod:`sozialraum.publish.render`).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import signal
import sys
import threading
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

ENGINE_NAME = "sozialraum"

#: What ipykernel reports as ``language_info`` (``IPythonKernel.language_info``): the kept
#: notebook says the same whichever engine ran it.
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": sys.version_info[0]},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
    "version": sys.version.split()[0],
}

#: The backend a kernel uses (ipykernel sets it through ``MPLBACKEND``): figures left open at the
#: end of a cell are shown, and matplotlib's settings are the inline ones.
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


class CellTimeoutError(TimeoutError):
    """A cell ran longer than its limit (the name nbclient gives the same event)."""


class _Zeitlimit(BaseException):
    """Raised into the running cell by the alarm.

    A BaseException, so that ``except Exception`` in a cell does not swallow it.
    """


def can_run_here() -> bool:
    """Only the main thread receives the alarm that ends a cell over its limit."""
    return threading.current_thread() is threading.main_thread()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")


def _jsonable(bundle: Mapping[str, Any]) -> dict[str, Any]:
    """A mime bundle as it arrives from a kernel: through JSON, bytes as base64 (jupyter_client)."""
    from jupyter_client.jsonutil import json_default

    return json.loads(json.dumps(bundle, default=json_default))


class _Sink:
    """The outputs of the running cell, as nbclient builds them from a kernel's messages."""

    def __init__(self) -> None:
        self.outputs: list[Any] | None = None
        self.clear_pending = False
        self.buffered: dict[str, str] = {"stdout": "", "stderr": ""}

    def start(self, outputs: list[Any] | None) -> None:
        self.outputs = outputs
        self.clear_pending = False
        self.buffered = {"stdout": "", "stderr": ""}

    def _add(self, output: dict[str, Any]) -> None:
        from nbformat import from_dict

        if self.outputs is None:  # output outside a cell (e.g. while resetting) goes nowhere
            return
        if self.clear_pending:
            self.outputs.clear()
            self.clear_pending = False
        self.outputs.append(from_dict(output))

    def stream(self, name: str, text: str) -> None:
        """Buffered as ipykernel buffers its streams: sent when anything else is shown."""
        if self.outputs is not None and text:
            self.buffered[name] = self.buffered.get(name, "") + text

    def flush(self) -> None:
        """stdout, then stderr, as ipykernel flushes them before every other message."""
        for name in ("stdout", "stderr"):
            text, self.buffered[name] = self.buffered.get(name, ""), ""
            if text:
                self._add({"output_type": "stream", "name": name, "text": text})

    def display(self, data: Mapping[str, Any], metadata: Mapping[str, Any] | None) -> None:
        self.flush()
        self._add(
            {
                "output_type": "display_data",
                "data": _jsonable(data),
                "metadata": _jsonable(metadata or {}),
            }
        )

    def result(self, data: Mapping[str, Any], metadata: Mapping[str, Any], count: int) -> None:
        self.flush()
        self._add(
            {
                "output_type": "execute_result",
                "data": _jsonable(data),
                "metadata": _jsonable(metadata),
                "execution_count": count,
            }
        )

    def error(self, ename: str, evalue: str, traceback: list[str]) -> None:
        self.flush()
        self._add(
            {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": traceback}
        )

    def clear(self, wait: bool) -> None:
        if self.outputs is None:
            return
        self.flush()
        if wait:
            self.clear_pending = True
        else:
            self.outputs.clear()


class _Stream(io.TextIOBase):
    """``sys.stdout`` / ``sys.stderr`` of a running cell."""

    def __init__(self, sink: _Sink, name: str) -> None:
        self.sink = sink
        self.name = name

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self.sink.stream(self.name, text)
        return len(text)

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def isatty(self) -> bool:
        return False


_SINK = _Sink()


@lru_cache(maxsize=1)
def _shell_classes() -> type:
    """The IPython shell class, built on first use (IPython loads in the worker only)."""
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    class _Anzeige(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kw):
            if not update:  # a kernel's update of an earlier display changes no new output
                _SINK.display(data, metadata)

        def clear_output(self, wait=False):
            _SINK.clear(wait)

    class _Ergebnis(DisplayHook):
        """The value of a cell's last expression: ``execute_result`` with the prompt number."""

        def start_displayhook(self):
            self._bundle = ({}, {})

        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            self._bundle = (format_dict, md_dict or {})

        def finish_displayhook(self):
            data, metadata = self._bundle
            if data:
                _SINK.result(data, metadata, self.prompt_count)

    class ZellenShell(InteractiveShell):
        displayhook_class = _Ergebnis
        display_pub_class = _Anzeige
        #: how many shells this worker has had (a new one after every failed job)
        gezaehlt = 0

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            type(self).gezaehlt += 1
            self.nummer = type(self).gezaehlt

        def _showtraceback(self, etype, evalue, stb):
            _SINK.error(str(etype.__name__), str(evalue), list(stb))

        def enable_gui(self, gui=None):
            pass  # no event loop to integrate: the inline backend needs none

    return ZellenShell


_STATE = threading.local()


def _shell() -> Any:
    """The shell of this worker, created on first use with the kernel's settings."""
    shell = getattr(_STATE, "shell", None)
    if shell is not None:
        return shell
    import os

    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False  # as the batch kernels: no history database
    main = sys.modules.get("__main__")
    cls = _shell_classes()
    shell = cls.instance(config=config)
    if main is not None:
        sys.modules["__main__"] = main  # the worker's own main module stays (pickling)
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib

        matplotlib.use(INLINE_BACKEND)
        shell.enable_matplotlib("inline")
    else:
        os.environ["MPLBACKEND"] = INLINE_BACKEND
    _STATE.shell = shell
    return shell


#: Loaded once per worker, as the warm kernel does (see ``engine._WARM_UP_CODE``).
_WARM_UP_CODE = """\
import builtins as _b
import matplotlib
import sozialraum.report
import matplotlib.pyplot
_b._sozialraum_rc = dict(matplotlib.rcParams)
del _b
"""


def warm_up() -> None:
    """Create the shell and import what every report imports; freeze those objects for the GC."""
    import gc

    shell = _shell()
    if getattr(_STATE, "warm", False):
        return
    _run_quietly(shell, _WARM_UP_CODE)
    gc.collect()
    gc.freeze()
    _STATE.warm = True


def _run_quietly(shell: Any, code: str) -> None:
    _SINK.start(None)
    result = shell.run_cell(code, store_history=False, silent=True)
    if not result.success:
        error = result.error_before_exec or result.error_in_exec
        raise RuntimeError(f"Die Zellen ließen sich nicht vorbereiten: {error!r}")


def reset() -> None:
    """What a fresh kernel would have, as far as a report can tell (see ``engine._RESET_CODE``)."""
    shell = _shell()
    shell.run_line_magic("reset", "-f")
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    saved = getattr(sys.modules["builtins"], "_sozialraum_rc", None)
    if saved is not None:
        sys.modules["matplotlib"].rcParams.update(saved)
    shell.execution_count = 1


def discard() -> None:
    """Throw the shell away after a failed job: the next job gets a new one."""
    shell = getattr(_STATE, "shell", None)
    _STATE.shell = None
    _STATE.warm = False
    if shell is not None:
        from IPython.core.interactiveshell import InteractiveShell

        try:
            shell.run_line_magic("reset", "-f")
        except Exception:  # noqa: BLE001 - the shell goes anyway
            pass
        InteractiveShell.clear_instance()
        type(shell).clear_instance()


def aufraeumen() -> None:
    """After a job: what it left is collected and its freed memory given back to the system.

    A kernel's memory went with the kernel's reset; here the worker lives on, and glibc keeps
    freed heap for reuse, so a worker's footprint would be that of its largest job plus the
    scraps of all before it (measured: Berlin's overview after eleven Bezirke).
    """
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: the memory is reused by the next job anyway
        pass


def _on_alarm(signum: int, frame: object) -> None:
    raise _Zeitlimit


def _run_cell(shell: Any, cell: Any, timeout: float | None) -> BaseException | None:
    """Run one code cell into ``cell.outputs``; return its error (None when it succeeded)."""
    cell.metadata["execution"] = {}
    execution = cell.metadata["execution"]  # the node nbformat made of the dict
    cell.outputs = []
    _SINK.start(cell.outputs)
    execution["iopub.status.busy"] = _now()
    cell.execution_count = shell.execution_count
    execution["iopub.execute_input"] = _now()
    saved = sys.stdout, sys.stderr, sys.stdin
    sys.stdout, sys.stderr = _Stream(_SINK, "stdout"), _Stream(_SINK, "stderr")
    sys.stdin = io.StringIO()  # input() ends at once, as a batch kernel allows no input
    previous = signal.signal(signal.SIGALRM, _on_alarm) if timeout else None
    try:
        if timeout:
            signal.setitimer(signal.ITIMER_REAL, float(timeout))
        try:
            result = shell.run_cell(cell.source, store_history=True, silent=False)
        finally:
            if timeout:
                signal.setitimer(signal.ITIMER_REAL, 0)
    except _Zeitlimit as exc:  # the alarm came after the cell's own code had ended
        return exc
    finally:
        if previous is not None:
            signal.signal(signal.SIGALRM, previous)
        sys.stdout, sys.stderr, sys.stdin = saved
        _SINK.flush()  # what the cell printed last, as the kernel sends it when the cell ends
        _SINK.start(None)
    execution["shell.execute_reply"] = _now()
    execution["iopub.status.idle"] = _now()
    if result.success:
        return None
    return result.error_before_exec or result.error_in_exec or RuntimeError("Zellenfehler")


@lru_cache(maxsize=1)
def _engine_class() -> type:
    """Papermill's Engine subclass (papermill loads in the worker only)."""
    from papermill.engines import Engine

    class ZellenEngine(Engine):
        """Runs the cells of papermill's notebook in this process's IPython shell."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, execution_timeout=None, **kwargs):
            if not can_run_here():
                raise RuntimeError(
                    "Die Engine »sozialraum« läuft nur im Hauptthread eines Prozesses; "
                    "hier bitte die Kernel-Engine wählen (--engine kernel)."
                )
            reset()  # every notebook starts as in a fresh kernel
            shell = _shell()
            # papermill writes the whole notebook before and after every cell; it is written
            # once, when the run ends, also after a failure (papermill's notebook_complete)
            save, nb_man.save = nb_man.save, lambda **kw: None
            try:
                for index, cell in enumerate(nb_man.nb.cells):
                    try:
                        nb_man.cell_start(cell, index)
                        if cell.cell_type != "code" or not cell.source.strip():
                            continue
                        error = _run_cell(shell, cell, execution_timeout)
                        if error is not None:
                            nb_man.cell_exception(cell, cell_index=index, exception=error)
                            if isinstance(error, _Zeitlimit):
                                raise CellTimeoutError(
                                    f"Cell {index} took longer than {execution_timeout} s"
                                )
                            break
                    finally:
                        nb_man.cell_complete(cell, cell_index=index)
                nb_man.nb.metadata["language_info"] = dict(LANGUAGE_INFO)
            finally:
                nb_man.save = save
            return nb_man.nb

    return ZellenEngine


_ENGINE: type | None = None


def engine_name() -> str:
    """Register the engine with papermill (the entry point does so too); return its name."""
    global _ENGINE
    from papermill.engines import papermill_engines

    if _ENGINE is None:
        _ENGINE = _engine_class()
    papermill_engines.register(ENGINE_NAME, _ENGINE)
    return ENGINE_NAME


def __getattr__(name: str) -> Any:
    """``sozialraum.publish.zellen:ZellenEngine``, the entry point, built on first access.

    papermill loads only when it asks for the engine, not when this module is imported.
    """
    if name == "ZellenEngine":
        global _ENGINE
        if _ENGINE is None:
            _ENGINE = _engine_class()
        return _ENGINE
    raise AttributeError(name)


def execute(notebook: Any, output: Any, parameters: dict, timeout: int) -> Any:
    """Run one notebook with papermill in this process's shell (the engine resets it first)."""
    import papermill as pm

    warm_up()  # the batch's kernels import the package before the first report, as here
    return pm.execute_notebook(
        str(notebook),
        str(output),
        parameters=parameters,
        kernel_name="python3",
        engine_name=engine_name(),
        cwd=str(notebook.parent),
        progress_bar=False,
        log_output=False,
        execution_timeout=timeout,
    )
