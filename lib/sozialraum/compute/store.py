"""The prepared-data store: validated inputs and the computed index, written once per batch.

The batch reads and checks the raw inputs once and computes the index once; every report notebook
then reads this store instead of the raw files. A manifest holds a checksum of every stored file
and a fingerprint of what the store was built from (config, inputs, package version), so a
notebook never works on a store that was changed or built from other data.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sozialraum import __version__
from sozialraum.config import Config, load_config
from sozialraum.read.checksums import fingerprint, sha256_file

if TYPE_CHECKING:  # pandas & co. load when data are read, not when a batch checks for changes
    import pandas as pd

    from sozialraum.compute.index import IndexResult
    from sozialraum.read.validate import Inputs

MANIFEST = "manifest.json"

#: Environment variable naming the cache folder (default: ``$XDG_CACHE_HOME/sozialraum``).
CACHE_ENV = "SOZIALRAUM_CACHE"


def cache_dir() -> Path:
    """The folder for prepared data: never inside a folder of published reports."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser().resolve()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return (Path(base) / "sozialraum").resolve()


class StoreError(Exception):
    """The prepared-data store is missing, damaged or built from other data."""


def pruefe_ablage(folder: Path, root: Path | None = None) -> Path:
    """Refuse a store that is a symbolic link or that leads out of the cache folder ``root``.

    The store holds raw, unsuppressed counts. A link planted as the store (or a store path that
    resolves elsewhere) would have the batch read foreign data or write those counts, and
    remove a folder, wherever the link points; it is never followed, and the message names
    the path and the fix.
    """
    folder = Path(folder)
    if folder.is_symlink():
        raise StoreError(
            f"{folder}: Der vorbereitete Datenstand im Cache ist ein symbolischer Link "
            f"(auf {os.readlink(folder)}); ihm wird nicht gefolgt. "
            f"Tipp: den Link entfernen: rm {folder}"
        )
    if root is not None:
        root = Path(root).resolve()
        if not folder.resolve().is_relative_to(root):
            raise StoreError(
                f"{folder}: Der vorbereitete Datenstand läge außerhalb des Cache-Ordners {root} "
                f"(aufgelöst: {folder.resolve()}). Tipp: den Link im Pfad entfernen oder "
                f"{CACHE_ENV} auf einen eigenen Ordner setzen."
            )
    return folder


@dataclass(frozen=True)
class Prepared:
    """Everything a report needs, validated and computed."""

    cfg: Config
    inputs: Inputs
    result: IndexResult
    fingerprint: str


def prepare(cfg: Config) -> Prepared:
    """Validate the raw inputs and compute the index (raises ValidationFailed on bad input)."""
    from sozialraum.compute.index import compute_index, mit_aggregaten
    from sozialraum.read.validate import load_inputs

    inputs = load_inputs(cfg)
    result = compute_index(
        cfg,
        inputs.quartiere,
        inputs.bevoelkerung,
        inputs.indikatoren,
        inputs.ausschluesse,
        inputs.index,
    )
    result = mit_aggregaten(cfg, result, inputs.quartiere)
    prepared = Prepared(cfg, inputs, result, fingerprint(cfg, inputs.checksums))
    langlebig()
    return prepared


def langlebig() -> None:
    """Take everything alive now (the data state, loaded libraries) out of the collector's view.

    Why: every figure makes thousands of short-lived objects, and each full collection of the
    cyclic garbage collector then walks the data state and all of matplotlib and pandas again:
    an eighth of the time of a report. Frozen objects are still freed when no longer referenced;
    the objects frozen by an earlier call are unfrozen and collected first, so cyclic garbage of
    a data state loaded before (a notebook run twice) is not kept.
    """
    import gc

    gc.unfreeze()
    gc.collect()
    gc.freeze()


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


def write_store(prepared: Prepared, folder: Path, root: Path | None = None) -> Path:
    """Write the store atomically: a half-written store never replaces a good one.

    ``root``, when given, is the cache folder the store must stay inside (see
    :func:`pruefe_ablage`); the check comes before anything is written.
    """
    folder = pruefe_ablage(folder, root)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".store-", dir=folder.parent))
    try:
        files = {}
        for name, frame in _frames(prepared).items():
            target = tmp / f"{name}.parquet"
            frame.to_parquet(target, index=False)
            files[target.name] = sha256_file(target)
        manifest = {
            "fingerprint": prepared.fingerprint,
            "config": str(prepared.cfg.pfad),
            "version": __version__,
            "checksums": prepared.inputs.checksums,
            "files": files,
            # the limits applied (quantile limits come from the data; legends must show them)
            "schwellen": {k: list(v) for k, v in prepared.result.schwellen.items()},
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


def read_store(folder: Path, cfg: Config | None = None, root: Path | None = None) -> Prepared:
    """Read a store after checking every file against the manifest's checksums.

    ``root``: the cache folder the store must stay inside (see :func:`pruefe_ablage`).
    """
    folder = pruefe_ablage(folder, root)
    manifest = read_manifest(folder)
    cfg = cfg or load_config(manifest["config"])
    for name, expected in manifest["files"].items():
        path = folder / name
        if not path.is_file() or sha256_file(path) != expected:
            raise StoreError(f"{path}: Datei fehlt oder wurde verändert (Prüfsumme stimmt nicht)")
    if fingerprint(cfg, manifest["checksums"]) != manifest["fingerprint"]:
        raise StoreError(
            f"{folder}: wurde mit einer anderen Konfiguration oder Paketversion erstellt; "
            "bitte neu vorbereiten (sozialraum render erledigt das)"
        )

    import geopandas as gpd
    import pandas as pd

    from sozialraum.compute.index import IndexResult
    from sozialraum.read.validate import Inputs

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
    result_kwargs["schwellen"] = {
        k: [float(x) for x in v] for k, v in manifest.get("schwellen", {}).items()
    }
    return Prepared(cfg, inputs, IndexResult(**result_kwargs), manifest["fingerprint"])
