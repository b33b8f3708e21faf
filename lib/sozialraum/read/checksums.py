"""Checksums of the inputs: which files a city's data consist of, and what state they are in.

The batch decides from these alone, before pandas is imported, whether anything changed; the
same checksums go into the provenance line of every page and name the prepared store.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sozialraum import __version__
from sozialraum.config import Config
from sozialraum.read.problems import eingabe_pfad

#: Checksums of files by (path, size, mtime): a file whose stat did not change is not re-read.
STAT_CACHE = "dateistand.json"


def sha256_file(path: Path) -> str:
    """SHA-256 of a file, read in blocks: geometries can be tens of megabytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class FileDigests:
    """SHA-256 of files, remembered by (path, size, mtime) in a small JSON file in the cache.

    A batch where nothing changed must decide so in well under a second, also for a city whose
    geometry and tables are tens of megabytes: a file whose size and modification time (in
    nanoseconds) are those of the last run is not read again. A file rewritten within the same
    nanosecond with the same size would be missed; editors and Excel change at least the time.
    """

    def __init__(self, cache_file: Path | None) -> None:
        self.cache_file = cache_file
        self.known: dict[str, list[Any]] = {}
        self.changed = False
        if cache_file is not None:
            try:
                data = json.loads(cache_file.read_text(encoding="utf-8"))
                if isinstance(data, dict):
                    self.known = data
            except (OSError, ValueError):
                pass

    def digest(self, path: Path) -> str:
        """The file's SHA-256, from the cache when its stat is unchanged."""
        st = path.stat()
        key = str(path.resolve())
        stamp = [st.st_size, st.st_mtime_ns]
        entry = self.known.get(key)
        if isinstance(entry, list) and len(entry) == 3 and entry[:2] == stamp:
            return str(entry[2])
        value = sha256_file(path)
        self.known[key] = [*stamp, value]
        self.changed = True
        return value

    def save(self) -> None:
        """Write the remembered digests back (atomically; a read-only cache is no error)."""
        if not self.changed or self.cache_file is None:
            return
        try:
            self.cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.cache_file.with_name(f".{self.cache_file.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(self.known, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self.cache_file)
            self.changed = False
        except OSError:
            pass


def input_files(cfg: Config) -> list[Path]:
    """Every configured input file and the logo; a Shapefile counts with its sidecars."""
    files: list[Path] = []
    for name in type(cfg.eingaben).model_fields:
        if name == "mentimeter" or cfg.eingabe(name) is None:
            continue
        files.append(eingabe_pfad(cfg, name))
    files += [(cfg.basis / m.datei).resolve() for m in cfg.eingaben.mentimeter]
    if cfg.stadt.logo:  # embedded in every page: a new image under the same name is a change
        files.append((cfg.basis / cfg.stadt.logo).resolve())
    out: list[Path] = []
    for path in files:
        out.append(path)
        if path.suffix.lower() == ".shp":
            out += [path.with_suffix(e) for e in (".dbf", ".shx", ".prj", ".cpg")]
    return out


def input_checksums(cfg: Config, digests: FileDigests | None = None) -> dict[str, str]:
    """The same checksums as :func:`sozialraum.read.validate.input_checksums`, without pandas.

    The batch calls this before anything is validated, so it must not import the data stack;
    ``tests/test_batch.py`` checks that both give the same result.
    """
    digests = digests or FileDigests(None)
    out: dict[str, str] = {}
    for p in input_files(cfg):
        if p.is_file():
            out[Path(os.path.relpath(p, cfg.basis)).as_posix()] = _digest(digests, p)
    return dict(sorted(out.items()))


def _digest(digests: FileDigests, path: Path) -> str:
    """The checksum, or a marker for a file that cannot be read: validation then names it.

    A file of ``/proc`` or a device is never read here (``/proc/self/mem`` fails with an I/O
    error, a device may never end); the marker differs from every checksum, so the batch
    validates, and :func:`~sozialraum.read.problems.pruefe_eingabe` says in German what it is.
    """
    if os.path.realpath(path).startswith(("/proc/", "/sys/", "/dev/")):
        return "keine gewöhnliche Datei"
    try:
        return digests.digest(path)
    except OSError:
        return "nicht lesbar"


def mentimeter_files(cfg: Config) -> dict[str, str]:
    """Checksum name (as in :func:`input_checksums`) of each Mentimeter export -> its event id."""
    return {
        Path(os.path.relpath((cfg.basis / m.datei).resolve(), cfg.basis)).as_posix(): str(
            m.veranstaltung_id
        )
        for m in cfg.eingaben.mentimeter
    }


def unit_fingerprint(
    cfg: Config, checksums: dict[str, str], own: Iterable[str] | None = None
) -> str:
    """Like :func:`fingerprint`, but leaving out the event files of other units.

    ``own`` names the checksum entries (Mentimeter exports) that belong to this unit; every
    other Mentimeter export is left out, so that correcting one unit's event file re-renders that
    unit's report (and the overview and index, which use all of them), not every report. With
    ``own=None`` nothing is left out.
    """
    if own is None:
        return fingerprint(cfg, checksums)
    mine = set(own)
    foreign = set(mentimeter_files(cfg)) - mine
    return fingerprint(cfg, {k: v for k, v in checksums.items() if k not in foreign})


def fingerprint(cfg: Config, checksums: dict[str, str]) -> str:
    """Key of the data a report is built from: config text, input checksums, package version."""
    digest = hashlib.sha256()
    digest.update(cfg.pfad.read_bytes())
    for name in sorted(checksums):
        digest.update(f"{name}={checksums[name]}\n".encode())
    digest.update(__version__.encode())
    return digest.hexdigest()
