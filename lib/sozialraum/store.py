"""The prepared-data store: validated inputs and the computed index, written once per batch.

The batch reads and checks the raw inputs once and computes the index once; every report notebook
then reads this store instead of the raw files. A manifest holds a checksum of every stored file
and a fingerprint of what the store was built from (config, inputs, package version), so a
notebook never works on a store that was changed or built from other data.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sozialraum import __version__
from sozialraum.config import Config, load_config

if TYPE_CHECKING:  # pandas & co. load when data are read, not when a batch checks for changes
    import pandas as pd

    from sozialraum.index import IndexResult
    from sozialraum.validate import Inputs

MANIFEST = "manifest.json"
#: Checksums of files by (path, size, mtime): a file whose stat did not change is not re-read.
STAT_CACHE = "dateistand.json"


class StoreError(Exception):
    """The prepared-data store is missing, damaged or built from other data."""


@dataclass(frozen=True)
class Prepared:
    """Everything a report needs, validated and computed."""

    cfg: Config
    inputs: Inputs
    result: IndexResult
    fingerprint: str


def _sha256(path: Path) -> str:
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
        value = _sha256(path)
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
        files.append(cfg.datei(name))
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
    """The same checksums as :func:`sozialraum.validate.input_checksums`, without pandas.

    The batch calls this before anything is validated, so it must not import the data stack;
    ``tests/test_batch.py`` checks that both give the same result.
    """
    digests = digests or FileDigests(None)
    out: dict[str, str] = {}
    for p in input_files(cfg):
        if p.is_file():
            out[Path(os.path.relpath(p, cfg.basis)).as_posix()] = digests.digest(p)
    return dict(sorted(out.items()))


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


def prepare(cfg: Config) -> Prepared:
    """Validate the raw inputs and compute the index (raises ValidationFailed on bad input)."""
    from sozialraum.index import compute_index, mit_aggregaten
    from sozialraum.validate import load_inputs

    inputs = load_inputs(cfg)
    result = compute_index(
        cfg, inputs.quartiere, inputs.bevoelkerung, inputs.indikatoren, inputs.ausschluesse
    )
    result = mit_aggregaten(cfg, result, inputs.quartiere)
    return Prepared(cfg, inputs, result, fingerprint(cfg, inputs.checksums))


def _frames(prepared: Prepared) -> dict[str, pd.DataFrame]:
    import pandas as pd

    frames = {}
    for field in dataclasses.fields(prepared.inputs):
        value = getattr(prepared.inputs, field.name)
        if isinstance(value, pd.DataFrame):
            frames[f"inputs.{field.name}"] = value
    for field in dataclasses.fields(prepared.result):
        value = getattr(prepared.result, field.name)
        if isinstance(value, pd.DataFrame):
            frames[f"result.{field.name}"] = value
    return frames


def write_store(prepared: Prepared, folder: Path) -> Path:
    """Write the store atomically: a half-written store never replaces a good one."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".store-", dir=folder.parent))
    try:
        files = {}
        for name, frame in _frames(prepared).items():
            target = tmp / f"{name}.parquet"
            frame.to_parquet(target, index=False)
            files[target.name] = _sha256(target)
        manifest = {
            "fingerprint": prepared.fingerprint,
            "config": str(prepared.cfg.pfad),
            "version": __version__,
            "checksums": prepared.inputs.checksums,
            "files": files,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder


def read_manifest(folder: Path) -> dict:
    """The store's manifest; a missing one means there is no store."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise StoreError(f"{folder}: kein vorbereiteter Datenstand (manifest.json fehlt)")
    return json.loads(path.read_text())


def read_store(folder: Path, cfg: Config | None = None) -> Prepared:
    """Read a store after checking every file against the manifest's checksums."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    cfg = cfg or load_config(manifest["config"])
    for name, expected in manifest["files"].items():
        path = folder / name
        if not path.is_file() or _sha256(path) != expected:
            raise StoreError(f"{path}: Datei fehlt oder wurde verändert (Prüfsumme stimmt nicht)")
    if fingerprint(cfg, manifest["checksums"]) != manifest["fingerprint"]:
        raise StoreError(
            f"{folder}: wurde mit einer anderen Konfiguration oder Paketversion erstellt; "
            "bitte neu vorbereiten (sozialraum render erledigt das)"
        )

    import geopandas as gpd
    import pandas as pd

    from sozialraum.index import IndexResult
    from sozialraum.validate import Inputs

    def load(name: str) -> pd.DataFrame:
        path = folder / f"{name}.parquet"
        if name == "inputs.quartiere":
            return gpd.read_parquet(path)
        return pd.read_parquet(path)

    inputs_kwargs = {
        f.name: load(f"inputs.{f.name}")
        for f in dataclasses.fields(Inputs)
        if f"inputs.{f.name}.parquet" in manifest["files"]
    }
    inputs_kwargs["checksums"] = manifest["checksums"]
    inputs = Inputs(**inputs_kwargs)
    result_kwargs = {
        f.name: load(f"result.{f.name}")
        for f in dataclasses.fields(IndexResult)
        if f"result.{f.name}.parquet" in manifest["files"]
    }
    return Prepared(cfg, inputs, IndexResult(**result_kwargs), manifest["fingerprint"])
