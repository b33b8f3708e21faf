"""The yearly batch: validate once, compute the index once, render every report in parallel."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from sozialraum.config import Config
from sozialraum.render import GESAMTSTADT_SLUG, IndexEntry, Job, RenderResult, render_reports
from sozialraum.store import Prepared, prepare, write_store

STORE_DIR = ".daten"


@dataclass(frozen=True)
class BatchResult:
    """What the batch rendered, and where."""

    render: RenderResult
    out_dir: Path
    index_page: Path | None


def report_jobs(cfg: Config, sozialraeume: list[str], year_dir: Path, store: Path) -> list[Job]:
    """One job per Sozialraum plus the city-wide overview, all reading the prepared store."""
    common = {"config": str(cfg.pfad), "store": str(store), "berichtsjahr": None}
    jobs = [
        Job(
            slug=s.slug,
            notebook=cfg.bericht_pfad("notebook_sozialraum"),
            parameters={**common, "sozialraum": s.name},
            output=year_dir / f"{s.slug}.html",
            title=f"Sozialraum {s.name}",
        )
        for s in (cfg.sozialraum(key) for key in sozialraeume)
    ]
    jobs.append(
        Job(
            slug=GESAMTSTADT_SLUG,
            notebook=cfg.bericht_pfad("notebook_gesamtstadt"),
            parameters=common,
            output=year_dir / f"{GESAMTSTADT_SLUG}.html",
            title=f"Gesamtstadt {cfg.stadt.name}",
        )
    )
    return jobs


def _index_entries(cfg: Config, prepared: Prepared, year_dir: Path) -> list[IndexEntry]:
    """Link every report that exists, including those of Sozialräume not rendered this time."""
    from sozialraum.report import index_beschreibung

    entries = []
    for s in cfg.sozialraeume:
        if (year_dir / f"{s.slug}.html").is_file():
            entries.append(
                IndexEntry(
                    titel=f"Sozialraum {s.name}",
                    href=f"{s.slug}.html",
                    beschreibung=index_beschreibung(prepared, s.id),
                )
            )
    if (year_dir / f"{GESAMTSTADT_SLUG}.html").is_file():
        entries.append(
            IndexEntry(
                titel=f"Gesamtstadt {cfg.stadt.name}",
                href=f"{GESAMTSTADT_SLUG}.html",
                beschreibung="Alle Sozialräume im Vergleich",
                gesamtstadt=True,
            )
        )
    return entries


def run_batch(
    cfg: Config,
    *,
    sozialraeume: list[str] | None = None,
    out: Path | None = None,
    jobs: int | None = None,
    force: bool = False,
    progress: bool | None = None,
) -> BatchResult:
    """Render the reports of the config's report year into ``<out>/<year>/``."""
    from sozialraum.render import write_index_page
    from sozialraum.report import stadtkarte_html

    keys = sozialraeume or [s.name for s in cfg.sozialraeume]
    for key in keys:  # fail before any work with the list of valid names
        cfg.sozialraum(key)
    prepared = prepare(cfg)
    out_dir = Path(out) if out else cfg.bericht_pfad("ausgabe")
    year_dir = out_dir / str(cfg.methode.berichtsjahr)
    store = write_store(prepared, year_dir / STORE_DIR)
    result = render_reports(
        cfg,
        notebook_jobs=report_jobs(cfg, keys, year_dir, store),
        out_dir=year_dir,
        jobs=jobs,
        force=force,
        progress=progress,
        data_fingerprint=prepared.fingerprint,
        beispieldaten=prepared.inputs.erfunden,
    )
    for failure in result.failed:  # never link a report built from older data
        for stale in (failure.job.output, failure.job.output.with_suffix(".key")):
            if Path(stale).exists():
                Path(stale).unlink()
    index_page = write_index_page(
        cfg,
        _index_entries(cfg, prepared, year_dir),
        year_dir / "index.html",
        stadtkarte_html(prepared),
        jahr=cfg.methode.berichtsjahr,
        beispieldaten=prepared.inputs.erfunden,
    )
    return BatchResult(result, year_dir, index_page)


def clean_store(year_dir: Path) -> None:
    """Remove the prepared data of a batch (it is rebuilt by the next run)."""
    shutil.rmtree(Path(year_dir) / STORE_DIR, ignore_errors=True)
