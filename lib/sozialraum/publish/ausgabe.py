"""The output folder: is it usable, who is writing into it, and what an OS error means in German.

Analysts render onto network shares, USB sticks and nearly full home folders. A batch must say
in German what is wrong with the folder before it spends minutes rendering, two batches must not
write into one folder at once, and workers must not outlive the command that started them.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import errno
import os
import secrets
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the heavy modules load when a page is built, not when a batch is checked
    pass

LOCK_NAME = ".sozialraum-lauf.lock"

_ERRNO_TEXT = {
    errno.ENOSPC: "Auf dem Datenträger ist kein Platz mehr frei",
    errno.EDQUOT: "Das Speicherkontingent (Quota) ist erschöpft",
    errno.EACCES: "Keine Schreibberechtigung",
    errno.EPERM: "Der Vorgang ist nicht erlaubt",
    errno.EROFS: "Der Datenträger ist schreibgeschützt",
    errno.ENOENT: "Der Ordner existiert nicht und lässt sich nicht anlegen",
    errno.ENOTDIR: "Ein Teil des Pfads ist eine Datei, kein Ordner",
    errno.EISDIR: "Der Pfad ist ein Ordner, keine Datei",
    errno.ENAMETOOLONG: "Der Pfad ist zu lang",
    errno.EIO: "Ein- und Ausgabefehler des Datenträgers (defekt oder getrennt?)",
    errno.EFBIG: "Die Datei wird größer, als erlaubt ist (Grenze für die Dateigröße, ulimit -f)",
    errno.ELOOP: "Der Pfad ist ein Verweis (Symlink), der im Kreis auf sich selbst zeigt",
    errno.EMFILE: "Zu viele Dateien gleichzeitig geöffnet",
}

_ERRNO_TIPP = {
    errno.ENOSPC: "Platz schaffen oder mit --out einen anderen Ordner wählen",
    errno.EDQUOT: "Platz schaffen oder mit --out einen anderen Ordner wählen",
    errno.EACCES: "mit --out einen Ordner wählen, in den Sie schreiben dürfen",
    errno.EPERM: "mit --out einen Ordner wählen, in den Sie schreiben dürfen",
    errno.EROFS: "mit --out einen beschreibbaren Ordner wählen",
    errno.ENOENT: "mit --out einen Ordner auf einem beschreibbaren Laufwerk wählen",
    errno.EFBIG: "die Grenze aufheben (ulimit -f unlimited) oder mit --out einen anderen "
    "Datenträger wählen",
    errno.ELOOP: "den Verweis löschen oder auf den richtigen Ordner zeigen lassen",
    errno.EMFILE: "mit --jobs weniger parallele Prozesse wählen",
}


class AusgabeFehler(Exception):
    """The output folder cannot be used; the message says why and what to do (German)."""


def os_meldung(exc: OSError, path: Path | str | None = None) -> str:
    """An OS error as one German sentence with the path and, where one exists, a tip."""
    where = path or exc.filename or ""
    text = _ERRNO_TEXT.get(exc.errno or -1, f"Betriebssystemfehler ({exc.strerror or exc})")
    tip = _ERRNO_TIPP.get(exc.errno or -1)
    line = f"{where}: {text}." if where else f"{text}."
    return line + (f" Tipp: {tip}." if tip else "")


def pruefen(folder: Path) -> None:
    """Create ``folder`` if needed and prove that a file can be written and removed there."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".schreibprobe-{os.getpid()}"
        with probe.open("wb") as fh:
            fh.write(b"x" * 4096)
            fh.flush()
            os.fsync(fh.fileno())
        probe.unlink()
    except OSError as exc:
        raise AusgabeFehler("Ausgabeordner " + os_meldung(exc, folder)) from exc


@contextmanager
def sperre(folder: Path) -> Iterator[Path]:
    """Hold the folder's lock for one batch; a second batch stops with a message.

    ``flock`` locks die with their process, so a batch killed with ``kill -9`` never blocks the
    next one; the lock file only names who holds it.
    """
    import fcntl

    folder = Path(folder)
    path = folder / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 200).decode("utf-8", "replace").strip() or "unbekannt"
            raise AusgabeFehler(
                f"{folder}: Ein anderer Lauf schreibt gerade Berichte in diesen Ordner ({holder}). "
                "Tipp: warten, bis er fertig ist, oder mit --out einen anderen Ordner wählen."
            ) from None
        os.ftruncate(fd, 0)
        stamp = dt.datetime.now().strftime("%d.%m.%Y %H:%M")
        os.write(fd, f"Prozess {os.getpid()}, gestartet {stamp}".encode())
        yield path
    finally:
        try:
            path.unlink(missing_ok=True)
        finally:
            os.close(fd)


def worker_init(parent_pid: int) -> None:
    """Run in every worker process: die with the parent, whatever kills it.

    On Linux the kernel sends SIGTERM to the worker when its parent dies (``PR_SET_PDEATHSIG``),
    even after ``kill -9``; the report kernels watch their parent (ipykernel's parent poller)
    and end within a second after that. Elsewhere the pool's own shutdown has to do.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides; it terminates us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler, inherited by fork
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL("libc.so.6", use_errno=True)
            libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except OSError:
            pass
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


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
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and not exc.filename:
            exc.filename = str(path)  # a failed write (disk full, ulimit -f) names no file
        raise
