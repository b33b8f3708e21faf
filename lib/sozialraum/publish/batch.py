"""The yearly batch: validate once, compute the index once, render what changed in parallel.

Decisions, in order: fingerprint the raw inputs (cheap: file checksums), so that a batch where
nothing changed ends before anything is validated or drawn; validate and compute once; keep the
prepared data (raw, unsuppressed counts) in a cache folder *outside* the output folder, so that
whoever zips the reports to publish them cannot publish those counts too; render one report per
requested unit, the city overview only when it is asked for (or its inputs changed), and refresh
the index page, whose city map is drawn once per data and code version.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sozialraum.compute.store import (
    CACHE_ENV,
    Prepared,
    StoreError,
    cache_dir,
    prepare,
    pruefe_ablage,
    read_store,
    write_store,
)
from sozialraum.config import Config
from sozialraum.herkunft import git_commit
from sozialraum.publish.ausgabe import AusgabeFehler, pruefen, sperre, write_atomic
from sozialraum.publish.jobs import (
    GESAMTSTADT_SLUG,
    Job,
    RenderResult,
    _is_current,
    cache_key,
    code_fingerprint,
)
from sozialraum.publish.render import _stop_workers, _terminate, render_reports, warm_pool
from sozialraum.publish.startseite import startseitentitel
from sozialraum.publish.startseite_schritt import (
    _einheit_titel,
    _existing_links,
    _index_current,
    _index_key,
    _note,
    _write_index,
)
from sozialraum.publish.zellen import ENGINE_NAME
from sozialraum.read.checksums import (
    STAT_CACHE,
    FileDigests,
    fingerprint,
    input_checksums,
    mentimeter_files,
    unit_fingerprint,
)

#: Where earlier versions kept the prepared data: beside the reports. Removed when found.
LEGACY_STORE_DIR = ".daten"


@dataclass(frozen=True)
class BatchResult:
    """What the batch rendered, and where."""

    render: RenderResult
    out_dir: Path
    index_page: Path | None


def store_path(data_fingerprint: str) -> Path:
    """The prepared store of one data state; the same data always find the same store.

    The package's code is part of the name: what the store holds (the index and the totals of
    every Sozialraum) is computed by it, and a store written by older code must not be read as
    current after an update that kept the version number.
    """
    key = hashlib.sha256(f"{data_fingerprint}\n{code_fingerprint()}".encode()).hexdigest()
    return cache_dir() / f"datenstand-{key[:24]}"


def report_jobs(
    cfg: Config,
    sozialraeume: list[str],
    year_dir: Path,
    store: Path,
    *,
    gesamtstadt: bool = True,
    herkunft: str | None = None,
) -> list[Job]:
    """One job per requested unit, plus the city-wide overview when ``gesamtstadt``.

    ``herkunft`` is the run's commit line, the same on every page (None: each page asks git).
    """
    common = {"config": str(cfg.pfad), "store": str(store), "berichtsjahr": None}
    common["herkunft"] = herkunft
    nav = navigation(cfg)
    jobs = [
        Job(
            slug=s.slug,
            notebook=cfg.bericht_pfad("notebook_sozialraum"),
            parameters={**common, "sozialraum": s.name},
            output=year_dir / f"{s.slug}.html",
            title=_einheit_titel(cfg, s.name),
            nav=nav.get(s.slug, nav[GESAMTSTADT_SLUG]),
        )
        for s in (cfg.sozialraum(key) for key in sozialraeume)
    ]
    if gesamtstadt:
        jobs.append(overview_job(cfg, year_dir, store, herkunft))
    return jobs


def einheiten_berichte(cfg: Config) -> list:
    """The units that get a report of their own by default.

    A city without units (``[einheiten] aus = "keine"``) is reported once, by the city-wide
    report: a unit report of the whole city would repeat it beside itself.
    """
    return [] if cfg.einheiten.aus == "keine" else list(cfg.sozialraeume)


def navigation(cfg: Config) -> dict[str, dict]:
    """Links of every report: the index page and, on a unit's report, the city-wide overview.

    No previous/next in the config's list order: the next unit in a list is rarely the one a
    reader wants; each unit report links the units that border it (see
    :func:`sozialraum.compute.nachbarn.nachbarn`). All pages of a year share one folder.
    """
    start = {"href": "index.html", "titel": startseitentitel(cfg)}  # the report year's
    gesamt = {"href": f"{GESAMTSTADT_SLUG}.html", "titel": f"Gesamtstadt {cfg.stadt.name}"}
    nav: dict[str, dict] = {GESAMTSTADT_SLUG: {"startseite": start}}
    for s in einheiten_berichte(cfg):
        nav[s.slug] = {"startseite": start, "gesamtstadt": gesamt}
    return nav


def overview_job(cfg: Config, year_dir: Path, store: Path, herkunft: str | None = None) -> Job:
    """The city-wide overview report."""
    return Job(
        slug=GESAMTSTADT_SLUG,
        notebook=cfg.bericht_pfad("notebook_gesamtstadt"),
        parameters={
            "config": str(cfg.pfad),
            "store": str(store),
            "berichtsjahr": None,
            "herkunft": herkunft,
        },
        output=year_dir / f"{GESAMTSTADT_SLUG}.html",
        zuerst=True,
        title=f"Gesamtstadt {cfg.stadt.name}",
        nav=navigation(cfg)[GESAMTSTADT_SLUG],
    )


def _current(job: Job, data_fingerprint: str) -> bool:
    """Whether a job's page is up to date; a missing notebook is reported by the render."""
    try:
        return _is_current(job.output, cache_key(data_fingerprint, job))
    except OSError:
        return False


def _prepared_store(prepared: Prepared, progress: bool | None) -> Path:
    """The cached store of ``prepared``, written once per data state, never outside the cache."""
    folder = store_path(prepared.fingerprint)
    try:
        read_store(folder, prepared.cfg, root=cache_dir())
        return folder
    except (StoreError, OSError, ValueError, KeyError):
        pass
    _note(progress, "Lege den vorbereiteten Datenstand im Cache ab …")
    try:
        return write_store(prepared, folder, root=cache_dir())
    except StoreError as exc:  # a planted link: the message names it and the fix
        raise AusgabeFehler(str(exc)) from exc


def cache_ausserhalb(out_dir: Path) -> Path:
    """The cache folder, refused when it lies in the output folder (or is it).

    The cache holds the raw counts, also those below ``mindestfallzahl``; whoever publishes the
    output folder must not publish them too. Both paths are compared resolved (through
    symbolic links), before anything is written.
    """
    cache = cache_dir()
    out = Path(out_dir).expanduser().resolve()
    if cache.is_relative_to(out):
        woher = (
            f"die Umgebungsvariable {CACHE_ENV}"
            if os.environ.get(CACHE_ENV)
            else "die Vorgabe ($XDG_CACHE_HOME/sozialraum bzw. ~/.cache/sozialraum)"
        )
        raise AusgabeFehler(
            f"Der Cache-Ordner {cache} (gesetzt durch {woher}) liegt im Ausgabeordner {out}: "
            "dort lägen die ungeschützten Rohzahlen, auch Fallzahlen unter der Mindestfallzahl, "
            f"neben den veröffentlichten Berichten. Tipp: {CACHE_ENV} auf einen Ordner außerhalb "
            f"von {out} setzen oder mit --out einen anderen Ausgabeordner wählen."
        )
    return cache


def run_batch(
    cfg: Config,
    *,
    sozialraeume: list[str] | None = None,
    gesamtstadt: bool | None = None,
    out: Path | None = None,
    jobs: int | None = None,
    force: bool = False,
    progress: bool | None = None,
    pdf: bool = False,
    warm: bool = True,
    executor: Any = None,
    engine: str = ENGINE_NAME,
) -> BatchResult:
    """Render the reports of the config's report year into ``<out>/<year>/``.

    Parameters
    ----------
    cfg
        The city's config.
    sozialraeume
        Units to render (names, slugs or ids); None renders all of them and the overview.
    gesamtstadt
        Render the city overview. None: with all units yes; with a selection only if an
        existing overview is out of date (its own inputs changed).
    out
        Output folder (default: ``[bericht] ausgabe``); reports go to ``<out>/<year>/``.
    jobs
        Worker processes (default: every CPU).
    force
        Render even what the cache says is current.
    progress
        Show what is going on (default: when stderr is a terminal).
    pdf
        Also print every report to a PDF beside its HTML.
    warm
        Reuse one kernel per worker (see :func:`sozialraum.publish.render.render_reports`).
    executor
        Run the reports on this executor and leave it running (see :func:`run_batches`).
    engine
        Where the cells run: ``"sozialraum"`` in the worker, ``"kernel"`` in a Jupyter kernel
        (see :func:`sozialraum.publish.render.render_reports`).
    """
    keys = sozialraeume or [s.name for s in einheiten_berichte(cfg)]
    for key in keys:  # fail before any work with the list of valid names
        cfg.sozialraum(key)
    out_dir = Path(out) if out else cfg.bericht_pfad("ausgabe")
    cache_ausserhalb(out_dir)  # before anything is written, also into the cache
    year_dir = out_dir / str(cfg.methode.berichtsjahr)
    shutil.rmtree(year_dir / LEGACY_STORE_DIR, ignore_errors=True)

    # Fingerprint before validating: an unchanged batch ends here, before pandas is imported.
    digests = FileDigests(cache_dir() / STAT_CACHE)
    checksums = input_checksums(cfg, digests)
    digests.save()
    data_fp = fingerprint(cfg, checksums)
    zuordnung = _read_zuordnung(cfg, checksums)
    store = store_path(data_fp)
    try:  # a link planted as the store: refused before anything is read, written or removed
        pruefe_ablage(store, cache_dir())
    except StoreError as exc:
        raise AusgabeFehler(str(exc)) from exc
    pdf_key = (
        "|pdf" if pdf else ""
    )  # as render_reports: a page with a PDF link is another page than one without
    (overview,) = _with_datenstand(cfg, [overview_job(cfg, year_dir, store)], checksums, None)
    if gesamtstadt is None:
        gesamtstadt = sozialraeume is None or (
            overview.output.is_file() and not _current(overview, pdf_key)
        )
    planned = _with_datenstand(
        cfg,
        report_jobs(cfg, keys, year_dir, store, gesamtstadt=gesamtstadt),
        checksums,
        zuordnung,
    )
    index_path = year_dir / "index.html"
    pdfs_there = not pdf or all(j.output.with_suffix(".pdf").is_file() for j in planned)
    if not force and pdfs_there and all(_current(j, pdf_key) for j in planned):
        if _index_current(index_path, _index_key(data_fp, _existing_links(cfg, year_dir))):
            return BatchResult(RenderResult(skipped=list(planned)), year_dir, index_path)

    pool = None
    if executor is None and warm:
        # Workers start their kernels while this process validates and computes the index.
        offen = [j for j in planned if force or pdf or not _current(j, pdf_key)]
        workers = max(1, min(jobs or os.cpu_count() or 1, len(offen)))
        if offen:
            _note(
                progress,
                f"Starte {workers} {'Prozess' if workers == 1 else 'parallele Prozesse'} …",
            )
            pool = warm_pool(
                workers,
                cfg.bericht_pfad("notebook_sozialraum").parent,
                cfg.bericht.zeitlimit_abschnitt,
                engine,
            )
    # SIGTERM ends the batch like Ctrl-C from here on: the workers already run
    previous = signal.signal(signal.SIGTERM, _terminate) if pool is not None else None
    try:
        result, index_page = _prepare_and_render(
            cfg,
            store,
            keys,
            year_dir,
            out_dir,
            gesamtstadt,
            jobs=jobs,
            force=force,
            progress=progress,
            pdf=pdf,
            warm=warm,
            engine=engine,
            executor=pool if pool is not None else executor,
        )
        if pool is not None:  # inside: a Ctrl-C while the workers end stops them, too
            pool.shutdown(wait=True)
    except BaseException:
        if pool is not None:
            _stop_workers(pool)
        raise
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return BatchResult(result, year_dir, index_page)


def _prepare_and_render(
    cfg: Config,
    known_store: Path,
    keys: list[str],
    year_dir: Path,
    out_dir: Path,
    gesamtstadt: bool,
    **render: Any,
) -> tuple[RenderResult, Path | None]:
    """Validate, compute the index, store it, render the reports and write the index page.

    The store is named by the inputs' and the package's fingerprints: when it exists and every
    file matches its checksum (``read_store``), it holds exactly what validating and computing
    the same bytes again would give, and it is used as it is (also with ``--force``, which
    renders the reports again). A changed input gives another name, so validation runs.
    """
    progress, force = render["progress"], render["force"]
    store: Path | None = known_store
    try:
        prepared = read_store(known_store, cfg, root=cache_dir())
    except (StoreError, OSError, ValueError, KeyError):
        _note(progress, "Prüfe die Eingaben und berechne den Index …")
        prepared, store = prepare(cfg), None
    zuordnung = _write_zuordnung(cfg, prepared)
    pruefen(year_dir)
    with sperre(out_dir):
        store = store or _prepared_store(prepared, progress)
        result = render_reports(
            cfg,
            notebook_jobs=_with_datenstand(
                cfg,
                report_jobs(
                    cfg,
                    keys,
                    year_dir,
                    store,
                    gesamtstadt=gesamtstadt,
                    herkunft=git_commit(cfg.basis),  # once per run, the same on every page
                ),
                prepared.inputs.checksums,
                zuordnung,
            ),
            out_dir=year_dir,
            data_fingerprint="",
            beispieldaten=prepared.inputs.erfunden,
            **render,
        )
        for failure in result.failed:  # never link a report built from older data
            for stale in (failure.job.output, failure.job.output.with_suffix(".key")):
                if Path(stale).exists():
                    Path(stale).unlink()
        index_page = _write_index(cfg, prepared, store, year_dir, result, force, progress)
    return result, index_page


def _zuordnung_path(cfg: Config, checksums: dict[str, str]) -> Path:
    """Where the batch remembers which unit each event file belongs to, for this event table."""
    h = hashlib.sha256(cfg.pfad.read_bytes())
    for name in sorted(checksums):
        if name not in mentimeter_files(cfg):  # the tables that say which event is whose
            h.update(f"{name}={checksums[name]}\n".encode())
    return cache_dir() / f"ereignisdateien-{h.hexdigest()[:24]}.json"


def _read_zuordnung(cfg: Config, checksums: dict[str, str]) -> dict[str, list[str]] | None:
    """Unit id -> its event files (checksum names), as the last validated run found them."""
    try:
        data = json.loads(_zuordnung_path(cfg, checksums).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_zuordnung(cfg: Config, prepared: Prepared) -> dict[str, list[str]]:
    """Which unit each event file belongs to, from the validated event table."""
    events = prepared.inputs.veranstaltungen
    owner: dict[str, str] = {}
    if len(events) and {"veranstaltung_id", "sozialraum_id"} <= set(events.columns):
        owner = dict(
            zip(
                events["veranstaltung_id"].astype(str),
                events["sozialraum_id"].astype(str),
                strict=True,
            )
        )
    zuordnung: dict[str, list[str]] = {s.id: [] for s in cfg.sozialraeume}
    for name, event in mentimeter_files(cfg).items():
        unit = owner.get(event)
        if unit in zuordnung:
            zuordnung[unit].append(name)
    try:
        write_atomic(
            _zuordnung_path(cfg, prepared.inputs.checksums),
            json.dumps(zuordnung, sort_keys=True),
        )
    except OSError:
        pass  # without it the next unchanged run validates once more; the result is the same
    return zuordnung


def _with_datenstand(
    cfg: Config,
    planned: list[Job],
    checksums: dict[str, str],
    zuordnung: dict[str, list[str]] | None,
) -> list[Job]:
    """Give each job the fingerprint of the data its page is built from.

    A unit's report depends on every table and geometry (it compares with the other units) but
    only on its own event files; the overview depends on all of them. Without a known mapping
    from event files to units every page depends on every file.
    """
    ids = {s.slug: s.id for s in cfg.sozialraeume}
    out = []
    for job in planned:
        own = None
        if zuordnung is not None and job.slug in ids:
            own = zuordnung.get(ids[job.slug], [])
        out.append(replace(job, datenstand=unit_fingerprint(cfg, checksums, own)))
    return out


#: Where the reports' jobs run: worker processes on this machine, or a dask.distributed cluster.
EXECUTORS = ("local", "dask")


def city_out(cfg: Config, out: Path | None, several: bool) -> Path | None:
    """Output folder of one city: ``<out>/<config name>/`` when several cities share ``out``.

    Without ``out`` each city writes into its own ``[bericht] ausgabe``.
    """
    if out is None or not several:
        return out
    return Path(out) / cfg.pfad.stem


def run_batches(
    cfgs: list[Config],
    *,
    out: Path | None = None,
    jobs: int | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    **options: Any,
) -> list[BatchResult]:
    """Render several cities in one batch: one pool of workers (and warm kernels) for all.

    Parameters
    ----------
    cfgs
        The cities' configs, rendered in this order.
    out
        Common output folder; each city gets ``<out>/<config name>/<year>/`` (see
        :func:`city_out`). Without it each city writes into its own ``[bericht] ausgabe``.
    jobs
        Local worker processes (default: every CPU); on a cluster its workers decide.
    executor
        ``"local"``: worker processes on this machine. ``"dask"``: the workers of the
        dask.distributed cluster at ``scheduler``; every worker needs this package, the
        ``python3`` kernel and the data, notebooks and output folder at the same paths.
    scheduler
        Address of the dask scheduler (``tcp://host:8786``), for ``executor="dask"``.
    options
        Passed on to :func:`run_batch` (``force``, ``progress``, ``pdf``, ``sozialraeume`` …).
    """
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {EXECUTORS}, not {executor!r}")
    several = len(cfgs) > 1
    results: list[BatchResult] = []
    if executor == "dask":
        if not scheduler:
            raise ValueError("--executor dask needs --scheduler ADDRESS")
        from distributed import Client

        with Client(scheduler, set_as_default=False) as client:
            pool = client.get_executor(pure=False)
            for cfg in cfgs:
                results.append(
                    run_batch(cfg, out=city_out(cfg, out, several), executor=pool, **options)
                )
        return results
    if not several:
        return [run_batch(cfgs[0], out=out, jobs=jobs, **options)]
    from sozialraum.publish.render import _stop_workers, local_pool

    pool = local_pool(max(1, jobs or os.cpu_count() or 1))
    try:
        for cfg in cfgs:
            results.append(
                run_batch(cfg, out=city_out(cfg, out, several), executor=pool, **options)
            )
        pool.shutdown(wait=True)
    except BaseException:
        _stop_workers(pool)
        raise
    return results


def clean_store(data_fingerprint: str) -> None:
    """Remove the cached prepared data of one data state (it is rebuilt by the next run)."""
    shutil.rmtree(store_path(data_fingerprint), ignore_errors=True)
