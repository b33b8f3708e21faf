"""The batch: one unit renders one unit, the overview only when asked or stale, nothing leaks.

A real run on the mini city (papermill + nbconvert), in the order an analyst works: one unit
while preparing its event, the next one, then the whole batch, then a data correction.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fixtures_city import MENTIMETER_SLIDES, make_city, with_project_notebooks

from sozialraum.compute.store import cache_dir
from sozialraum.config import load_config
from sozialraum.publish import batch, jobs
from sozialraum.publish.batch import run_batch


def _links(index: Path) -> list[str]:
    soup = BeautifulSoup(index.read_text(encoding="utf-8"), "html.parser")
    return sorted({a["href"] for a in soup.find_all("a", href=True) if a["href"].endswith(".html")})


def _slugs(jobs) -> list[str]:
    return sorted(j.slug for j in jobs)


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    root = tmp_path_factory.mktemp("stadt")
    config = make_city(root, config=with_project_notebooks)
    return load_config(config), root / "berichte"


@pytest.fixture(scope="module")
def runs(city):
    """Four batches in a row; each later test looks at one of them."""
    cfg, out = city
    year = out / "2023"
    first = run_batch(cfg, sozialraeume=["Nord"], out=out, jobs=2, progress=False)
    index_after_first = _links(year / "index.html")
    overview_after_first = (year / "gesamtstadt.html").exists()
    nord_mtime = (year / "nord.html").stat().st_mtime_ns
    second = run_batch(cfg, sozialraeume=["Süd"], out=out, jobs=2, progress=False)
    index_after_second = _links(year / "index.html")
    nord_untouched = (year / "nord.html").stat().st_mtime_ns == nord_mtime
    full = run_batch(cfg, out=out, jobs=2, progress=False)
    return {
        "first": first,
        "index_first": index_after_first,
        "overview_first": overview_after_first,
        "second": second,
        "index_second": index_after_second,
        "nord_untouched": nord_untouched,
        "full": full,
        "year": year,
    }


def test_one_unit_renders_that_unit_and_the_index_only(runs):
    first = runs["first"]
    assert _slugs(first.render.done) == ["nord"]
    assert not runs["overview_first"]
    assert runs["index_first"] == ["nord.html"]


def test_next_unit_leaves_the_first_alone_and_the_index_links_both(runs):
    assert _slugs(runs["second"].render.done) == ["sued"]
    assert runs["nord_untouched"]
    assert runs["index_second"] == ["nord.html", "sued.html"]


def test_full_batch_adds_the_overview_and_skips_current_units(runs):
    full = runs["full"]
    assert _slugs(full.render.done) == ["gesamtstadt"]
    assert _slugs(full.render.skipped) == ["nord", "sued"]
    assert _links(runs["year"] / "index.html") == ["gesamtstadt.html", "nord.html", "sued.html"]


def test_unchanged_rerun_decides_before_validating(runs, city, monkeypatch):
    cfg, out = city

    def no_validation(*args, **kwargs):
        raise AssertionError("an unchanged batch must not validate the inputs again")

    monkeypatch.setattr(batch, "prepare", no_validation)
    again = run_batch(cfg, out=out, jobs=2, progress=False)
    assert again.render.done == [] and _slugs(again.render.skipped) == [
        "gesamtstadt",
        "nord",
        "sued",
    ]


def test_forced_rerun_uses_the_verified_store_and_a_damaged_one_is_rebuilt(runs, city, monkeypatch):
    """``--force`` renders again from the store of the same inputs and code; a store whose file
    no longer matches its checksum is never used: the inputs are validated again."""
    cfg, out = city
    real_prepare = batch.prepare
    calls = []

    def no_validation(*args, **kwargs):
        raise AssertionError("the store of these very inputs is there and intact")

    monkeypatch.setattr(batch, "prepare", no_validation)
    forced = run_batch(cfg, sozialraeume=["Nord"], out=out, jobs=1, force=True, progress=False)
    assert _slugs(forced.render.done) == ["nord"] and forced.render.failed == []

    (store,) = [
        p
        for p in cache_dir().glob("datenstand-*")
        if (p / "result.index.parquet").is_file()
        and p == batch.store_path(batch.fingerprint(cfg, batch.input_checksums(cfg)))
    ]
    with (store / "result.index.parquet").open("ab") as fh:
        fh.write(b"\0")  # damaged: its checksum no longer matches the manifest

    def counting(*args, **kwargs):
        calls.append(args)
        return real_prepare(*args, **kwargs)

    monkeypatch.setattr(batch, "prepare", counting)
    again = run_batch(cfg, sozialraeume=["Nord"], out=out, jobs=1, force=True, progress=False)
    assert len(calls) == 1
    assert _slugs(again.render.done) == ["nord"] and again.render.failed == []
    batch.read_store(store, cfg)  # rebuilt whole


def test_store_name_follows_the_package_code(monkeypatch):
    """A store computed by other code is another store: an update never reads an old one."""
    before = batch.store_path("f" * 64)
    monkeypatch.setattr(batch, "code_fingerprint", lambda: "sources=anders")
    assert batch.store_path("f" * 64) != before


def test_prepared_data_live_in_the_cache_not_beside_the_reports(runs):
    published = [p for p in runs["year"].rglob("*") if p.is_file()]
    assert published, "the batch wrote reports"
    assert not any(p.suffix == ".parquet" or p.name == "manifest.json" for p in published)
    assert not (runs["year"] / ".daten").exists()
    stores = list(cache_dir().glob("datenstand-*/manifest.json"))
    assert stores, "the prepared store is in the cache folder"
    assert os.path.commonpath([cache_dir(), runs["year"]]) != str(runs["year"])


def test_changed_data_rerenders_the_unit_and_the_stale_overview(runs, city):
    cfg, out = city
    path = cfg.datei("bevoelkerung")
    path.write_text(path.read_text(encoding="utf-8").replace(";5200;", ";5300;"), "utf-8")
    changed = run_batch(cfg, sozialraeume=["Nord"], out=out, jobs=2, progress=False)
    assert _slugs(changed.render.done) == ["gesamtstadt", "nord"]
    assert _slugs(changed.render.skipped) == []


def test_drawing_the_index_map_is_announced(city, tmp_path, capsys):
    cfg, _ = city
    from sozialraum.compute.store import prepare
    from sozialraum.publish.startseite_schritt import _stadtkarte

    html = _stadtkarte(prepare(cfg), tmp_path, progress=True)
    assert "<svg" in html and "Nord" in html  # the units are named on the map
    err = capsys.readouterr().err
    assert "Zeichne die Stadtkarte der Startseite (4 Sozialquartiere) …" in err
    # drawn once per data and code: the second call reads the cached map and says nothing
    assert _stadtkarte(prepare(cfg), tmp_path, progress=True) == html
    assert "Zeichne" not in capsys.readouterr().err


def test_reports_link_the_index_and_their_neighbours(runs):
    year = runs["year"]
    nord = BeautifulSoup((year / "nord.html").read_text(encoding="utf-8"), "html.parser")
    nav = nord.find("nav", class_="berichtsnavigation")
    assert nav is not None
    hrefs = {a["href"] for a in nav.find_all("a", href=True)}
    # the index page and the overview; no next report in list order (neighbours are in the page)
    assert hrefs == {"index.html", "gesamtstadt.html", "#toc-t"}
    nachbarn = {a["href"] for a in nord.select("nav.nachbarn a")}
    assert nachbarn == {"sued.html"}  # the two units of the test city share a border


def test_index_lists_the_reports_not_yet_rendered(city, tmp_path):
    cfg, _ = city
    out = tmp_path / "einzeln"
    run_batch(cfg, sozialraeume=["Nord"], out=out, jobs=1, progress=False)
    page = BeautifulSoup((out / "2023" / "index.html").read_text("utf-8"), "html.parser")
    text = " ".join(page.get_text(" ").split())
    assert "Nicht erstellte Berichte" in text and "Sozialraum Süd : noch nicht erzeugt" in text


def test_light_checksums_match_those_of_the_validator(city):
    cfg, _ = city
    from sozialraum.read.checksums import FileDigests, input_checksums
    from sozialraum.read.validate import input_checksums as validated

    assert input_checksums(cfg) == validated(cfg)
    # remembered by (path, size, mtime): a second pass answers from the stat cache, unchanged
    digests = FileDigests(cache_dir() / "probe-dateistand.json")
    first = input_checksums(cfg, digests)
    digests.save()
    again = FileDigests(cache_dir() / "probe-dateistand.json")
    assert input_checksums(cfg, again) == first and not again.changed


@pytest.fixture(scope="module")
def event_city(tmp_path_factory):
    """A second mini city, rendered completely once (Nord has an event file, Süd has none)."""
    root = tmp_path_factory.mktemp("ereignis")
    # the fingerprint of the package as a fresh process sees it now (the CLI test compares)
    jobs.code_fingerprint.cache_clear()
    cfg = load_config(make_city(root, config=with_project_notebooks))
    out = root / "berichte"
    full = run_batch(cfg, out=out, jobs=2, progress=False)
    assert _slugs(full.render.done) == ["gesamtstadt", "nord", "sued"]
    return cfg, out


def test_unchanged_cli_run_renders_nothing_and_never_loads_the_data_stack(event_city):
    """Observable: the process that decided "unchanged" never imported pandas (no validation)."""
    import subprocess
    import sys

    cfg, out = event_city
    probe = (
        "import sys\n"
        "from sozialraum.cli import main\n"
        "try:\n"
        f"    main(['render', '--config', {str(cfg.pfad)!r}, '--out', {str(out)!r}])\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print('pandas geladen:', 'pandas' in sys.modules, 'nbconvert' in sys.modules)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr
    assert "0 gerendert, 3 unverändert übersprungen, 0 fehlgeschlagen" in run.stdout
    assert "pandas geladen: False False" in run.stdout


def test_edited_event_file_rerenders_its_unit_the_overview_and_the_index_only(event_city):
    from mentimeter_export import write_mentimeter_export

    cfg, out = event_city
    year = out / "2023"
    index_before = (year / "index.html").stat().st_mtime_ns
    sued_before = (year / "sued.html").read_bytes()
    slides = [dict(s) for s in MENTIMETER_SLIDES]
    slides[1] = {**slides[1], "responses": {1: ["toll"], 2: ["Vernetzung"], 3: ["neu"]}}
    write_mentimeter_export(
        cfg.datei("veranstaltungen").parent / "mentimeter" / "2023-nord.xlsx",
        slides,
        voters=[1, 2, 3, 4, 5],
    )
    changed = run_batch(cfg, out=out, jobs=2, progress=False)
    assert _slugs(changed.render.done) == ["gesamtstadt", "nord"]
    assert _slugs(changed.render.skipped) == ["sued"]
    assert (year / "index.html").stat().st_mtime_ns != index_before
    assert (year / "sued.html").read_bytes() == sued_before


def test_a_new_logo_under_the_same_name_is_a_change(cfg, tmp_path):
    from sozialraum.read.checksums import input_checksums

    logo = tmp_path / "wappen.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"eins")
    with_logo = cfg.model_copy(update={"stadt": cfg.stadt.model_copy(update={"logo": str(logo)})})
    first = input_checksums(with_logo)
    assert set(first) - set(input_checksums(cfg)) == {os.path.relpath(logo, cfg.basis)}
    logo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"zwei")
    assert input_checksums(with_logo) != first
