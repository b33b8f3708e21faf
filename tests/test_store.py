"""The prepared-data store and its cache folder: never beside the reports, never a link.

The store holds raw, unsuppressed counts. A cache folder inside the output folder would publish
them with the reports; a link planted as the store would have the batch read, write or remove
wherever it points. Each case is refused with a German message before anything is written.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from fixtures_city import make_city

from sozialraum.cli import main
from sozialraum.compute.store import StoreError, cache_dir, pruefe_ablage, read_store
from sozialraum.config import load_config
from sozialraum.publish.ausgabe import AusgabeFehler
from sozialraum.publish.batch import run_batch, store_path
from sozialraum.read.checksums import FileDigests, fingerprint, input_checksums


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    return load_config(make_city(tmp_path_factory.mktemp("stadt")))


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if not p.is_dir()) if folder.exists() else []


@pytest.mark.parametrize(
    "inside",
    ["2023/.daten", ".", "2023", "tief/unten/cache"],
    ids=["alter-ort", "der-ordner-selbst", "jahresordner", "tiefer"],
)
def test_a_cache_in_the_output_folder_is_refused_before_anything_is_written(
    city, tmp_path, monkeypatch, inside
):
    out = tmp_path / "berichte"
    cache = out / inside
    monkeypatch.setenv("SOZIALRAUM_CACHE", str(cache))
    with pytest.raises(AusgabeFehler) as err:
        run_batch(city, out=out, warm=False, progress=False)
    text = str(err.value)
    assert f"Der Cache-Ordner {cache.resolve()}" in text
    assert "Umgebungsvariable SOZIALRAUM_CACHE" in text
    assert f"liegt im Ausgabeordner {out.resolve()}" in text
    assert "Fallzahlen unter der Mindestfallzahl" in text
    assert "Tipp: SOZIALRAUM_CACHE auf einen Ordner außerhalb" in text
    assert not out.exists()  # neither reports nor the cache: nothing at all


def test_a_cache_that_reaches_the_output_folder_through_a_link_is_refused(
    city, tmp_path, monkeypatch
):
    out = tmp_path / "berichte"
    out.mkdir()
    (tmp_path / "verweis").symlink_to(out)
    monkeypatch.setenv("SOZIALRAUM_CACHE", str(tmp_path / "verweis" / "cache"))
    with pytest.raises(AusgabeFehler, match="liegt im Ausgabeordner"):
        run_batch(city, out=out, warm=False, progress=False)
    assert _files(out) == []


def test_an_output_folder_reached_through_a_link_is_compared_resolved(city, tmp_path, monkeypatch):
    real = tmp_path / "echt"
    real.mkdir()
    (tmp_path / "ausgabe").symlink_to(real)
    monkeypatch.setenv("SOZIALRAUM_CACHE", str(real / ".cache"))
    with pytest.raises(AusgabeFehler, match=f"liegt im Ausgabeordner {real}"):
        run_batch(city, out=tmp_path / "ausgabe", warm=False, progress=False)
    assert _files(real) == []


def test_the_console_says_it_in_german_and_exits_1(city, tmp_path, monkeypatch):
    out = tmp_path / "berichte"
    monkeypatch.setenv("SOZIALRAUM_CACHE", str(out / "2023" / ".daten"))
    result = CliRunner().invoke(main, ["render", "--config", str(city.pfad), "--out", str(out)])
    assert result.exit_code == 1
    assert "Fehler: Der Cache-Ordner" in result.output
    assert "Traceback" not in result.output and "Unerwarteter Fehler" not in result.output
    assert not out.exists()


def _store_of(cfg) -> Path:
    checksums = input_checksums(cfg, FileDigests(None))
    return store_path(fingerprint(cfg, checksums))


def test_a_link_planted_as_the_store_is_named_with_its_fix(city, tmp_path, monkeypatch):
    monkeypatch.setenv("SOZIALRAUM_CACHE", str(tmp_path / "cache"))
    elsewhere = tmp_path / "fremd"
    elsewhere.mkdir()
    (elsewhere / "wichtig.txt").write_text("bleibt")
    store = _store_of(city)
    store.parent.mkdir(parents=True, exist_ok=True)
    store.symlink_to(elsewhere)
    out = tmp_path / "berichte"
    with pytest.raises(AusgabeFehler) as err:
        run_batch(city, out=out, warm=False, progress=False)
    text = str(err.value)
    assert f"{store}: Der vorbereitete Datenstand im Cache ist ein symbolischer Link" in text
    assert f"auf {elsewhere}" in text
    assert f"Tipp: den Link entfernen: rm {store}" in text
    assert "rmtree" not in text
    assert [p.name for p in elsewhere.iterdir()] == ["wichtig.txt"]  # not followed, not removed
    assert store.is_symlink()
    assert _files(out) == []
    store.unlink()  # the fix the message names
    assert pruefe_ablage(store, cache_dir()) == store


def test_a_store_path_never_leads_out_of_the_cache_folder(tmp_path):
    root = tmp_path / "cache"
    root.mkdir()
    outside = tmp_path / "draussen"
    outside.mkdir()
    (root / "zwischen").symlink_to(outside)
    with pytest.raises(StoreError) as err:
        pruefe_ablage(root / "zwischen" / "datenstand-x", root)
    assert "läge außerhalb des Cache-Ordners" in str(err.value)
    assert f"aufgelöst: {outside / 'datenstand-x'}" in str(err.value)
    with pytest.raises(StoreError, match="symbolischer Link"):
        read_store(root / "zwischen", root=root)
    assert pruefe_ablage(root / "datenstand-y", root) == root / "datenstand-y"
    assert os.listdir(outside) == []
