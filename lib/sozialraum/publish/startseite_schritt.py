"""The batch's index-page step: which reports the page links, its city map, when to refresh it.

Its own module because the index page is refreshed after the reports, from what exists on disk.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from sozialraum.compute.store import Prepared
from sozialraum.config import Config
from sozialraum.publish.ausgabe import os_meldung, write_atomic
from sozialraum.publish.jobs import (
    GESAMTSTADT_SLUG,
    Job,
    JobFailure,
    RenderResult,
    code_fingerprint,
)
from sozialraum.publish.startseite import IndexEntry


def _einheit_titel(cfg: Config, name: str) -> str:
    return f"{cfg.begriffe.einheit.name} {name}"


def _index_entries(cfg: Config, prepared: Prepared, year_dir: Path) -> list[IndexEntry]:
    """Link every report that exists, including those of units not rendered this time."""
    from sozialraum.publish.bericht import gesamtstadt_beschreibung, index_beschreibung

    entries = []
    for s in cfg.sozialraeume:
        if (year_dir / f"{s.slug}.html").is_file():
            entries.append(
                IndexEntry(
                    titel=_einheit_titel(cfg, s.name),
                    href=f"{s.slug}.html",
                    beschreibung=index_beschreibung(prepared, s.id),
                )
            )
    if (year_dir / f"{GESAMTSTADT_SLUG}.html").is_file():
        entries.append(
            IndexEntry(
                titel=f"Gesamtstadt {cfg.stadt.name}",
                href=f"{GESAMTSTADT_SLUG}.html",
                beschreibung=gesamtstadt_beschreibung(cfg),
                gesamtstadt=True,
            )
        )
    return entries


def _existing_links(cfg: Config, year_dir: Path) -> list[str]:
    slugs = [s.slug for s in cfg.sozialraeume] + [GESAMTSTADT_SLUG]
    return [s for s in slugs if (year_dir / f"{s}.html").is_file()]


def _index_key(data_fingerprint: str, links: list[str]) -> str:
    """Key of the index page: data and code (its map), and which reports it links."""
    h = hashlib.sha256()
    for part in ("index-v1", data_fingerprint, code_fingerprint(), ",".join(links)):
        h.update(hashlib.sha256(part.encode()).digest())
    return h.hexdigest()


def _index_current(index_path: Path, key: str) -> bool:
    key_path = index_path.with_suffix(".key")
    return (
        index_path.is_file()
        and key_path.is_file()
        and key_path.read_text(encoding="utf-8").strip() == key
    )


def _note(progress: bool | None, text: str) -> None:
    enabled = sys.stderr.isatty() if progress is None else progress
    if enabled:
        print(text, file=sys.stderr, flush=True)


def _stadtkarte(
    prepared: Prepared,
    store: Path,
    progress: bool | None,
    links: dict[str, str] | None = None,
) -> str:
    """The index page's city map, drawn once per data state, code version and set of links.

    An inline SVG: without JavaScript a plain map with the units' names and a title per area,
    with it a tooltip on hover and focus; a click opens the unit's report.
    """
    from sozialraum.present.interaktiv import stadtkarte_interaktiv

    links = links or {}
    code = hashlib.sha256((code_fingerprint() + repr(sorted(links.items()))).encode()).hexdigest()[
        :16
    ]
    cached = store / f"stadtkarte-{code}.html"
    if cached.is_file():
        return cached.read_text(encoding="utf-8")
    n = len(prepared.inputs.quartiere)
    g = prepared.cfg.begriffe.gebiet
    _note(progress, f"Zeichne die Stadtkarte der Startseite ({n} {g.mehrzahl}) …")
    interaktiv = stadtkarte_interaktiv(
        prepared.cfg, prepared.inputs.quartiere, prepared.result.index, links=links
    )
    html = interaktiv  # the SVG is the map, also without JavaScript: shown once, not twice
    try:
        write_atomic(cached, html)
    except OSError:
        pass  # a read-only cache costs time on the next run, not the result
    return html


def _links(cfg: Config, year_dir: Path) -> dict[str, str]:
    """Unit id -> report file, for the reports that exist (the index map links them)."""
    return {
        s.id: f"{s.slug}.html" for s in cfg.sozialraeume if (year_dir / f"{s.slug}.html").is_file()
    }


def _fehlend(cfg: Config, year_dir: Path, result: RenderResult) -> list[tuple[str, str]]:
    """Reports the index page cannot link, and why: failed in this run, or never rendered."""
    failed = {f.job.slug: f for f in result.failed}
    out = []
    for s in cfg.sozialraeume:
        if s.slug in failed:
            f = failed[s.slug]
            out.append((_einheit_titel(cfg, s.name), f"fehlgeschlagen ({f.ename})"))
        elif not (year_dir / f"{s.slug}.html").is_file():
            out.append((_einheit_titel(cfg, s.name), "noch nicht erzeugt"))
    return out


def _write_index(
    cfg: Config,
    prepared: Prepared,
    store: Path,
    year_dir: Path,
    result: RenderResult,
    force: bool,
    progress: bool | None,
) -> Path | None:
    """Refresh the index page; a failure is one more failed job, never a lost batch summary."""
    from sozialraum.publish.startseite import write_index_page

    index_path = year_dir / "index.html"
    # reports missing for lack of a file are in the links; failures of this run are not
    failed = "".join(sorted(f.job.slug for f in result.failed))
    key = _index_key(prepared.fingerprint + failed, _existing_links(cfg, year_dir))
    key_path = index_path.with_suffix(".key")
    if not force and _index_current(index_path, key):
        return index_path
    key_path.unlink(missing_ok=True)
    try:
        page = write_index_page(
            cfg,
            _index_entries(cfg, prepared, year_dir),
            index_path,
            _stadtkarte(prepared, store, progress, links=_links(cfg, year_dir)),
            jahr=cfg.methode.berichtsjahr,
            beispieldaten=prepared.inputs.erfunden,
            fehlend=_fehlend(cfg, year_dir, result),
        )
        write_atomic(key_path, key + "\n")
        return page
    except Exception as exc:  # noqa: BLE001 - reported with the other outcomes
        job = Job("index", Path(__file__), {}, index_path, title="Startseite")
        evalue = os_meldung(exc) if isinstance(exc, OSError) else str(exc)
        result.failed.append(JobFailure(job, type(exc).__name__, evalue))
        return None
