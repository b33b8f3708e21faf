"""The ``sozialraum`` console command: a thin skin over the importable API."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from sozialraum.cli_deutsch import (
    VERSION_HILFE,
    VERSION_TEXT,
    AufrufFehler,
    Auswahl,
    Fehler,
    GanzeZahl,
    Gruppe,
    Ordner,
)
from sozialraum.config import Config, ConfigError, load_config

CONFIG_HELP = (
    "Konfigurationsdatei der Stadt (TOML). Ohne Angabe: die Konfiguration des Projekts im "
    "aktuellen Ordner (pyproject.toml, [tool.sozialraum] config)."
)


def _config(path: Path | None) -> Config:
    try:
        return load_config(path)
    except ConfigError as exc:
        raise Fehler(str(exc)) from exc


class _Gruppe(Gruppe):
    """Every failure is a German message; ``--debug`` shows the traceback for developers."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo(
                "Abgebrochen. Fertige Berichte bleiben erhalten, angefangene wurden nicht "
                "geschrieben.",
                err=True,
            )
            sys.exit(130)
        except Exception as exc:
            if _debug(ctx):
                raise
            click.echo(_meldung(exc), err=True)
            click.echo(
                "Für Entwickler: mit --debug (oder SOZIALRAUM_DEBUG=1) den vollständigen "
                "Verlauf anzeigen.",
                err=True,
            )
            sys.exit(1)


def _debug(ctx: click.Context) -> bool:
    root = ctx.find_root()
    return bool((root.params or {}).get("debug")) or os.environ.get("SOZIALRAUM_DEBUG") == "1"


def _meldung(exc: Exception) -> str:
    from sozialraum.publish.ausgabe import AusgabeFehler, os_meldung

    if isinstance(exc, AusgabeFehler):
        return f"Fehler: {exc}"
    if isinstance(exc, OSError):
        return f"Fehler: {os_meldung(exc)}"
    if isinstance(exc, MemoryError):
        return "Fehler: Der Arbeitsspeicher reicht nicht. Tipp: --jobs 1 versuchen."
    return (
        f"Unerwarteter Fehler ({type(exc).__name__}): {exc}. Bitte mit der Ausgabe von --debug "
        "an die Entwicklung melden."
    )


def _validation_failed(exc: Exception) -> bool:
    """Whether ``exc`` is a failed validation, without importing the validator (pandas) first.

    An unchanged batch must end in well under a second; importing ``sozialraum.read.validate`` just
    to name its exception would cost most of that. If validation ran, the module is loaded.
    """
    module = sys.modules.get("sozialraum.read.validate")
    return module is not None and isinstance(exc, module.ValidationFailed)


@click.group(cls=_Gruppe)
@click.version_option(package_name="sozialraum", message=VERSION_TEXT, help=VERSION_HILFE)
@click.option("--debug", is_flag=True, help="Bei Fehlern den vollständigen Verlauf zeigen.")
def main(debug: bool) -> None:
    """Sozialraum-Berichte: Daten prüfen, Sozialindex berechnen, Berichte erzeugen."""


@main.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    metavar="DATEI",
    help=CONFIG_HELP,
)
def validate(config_path: Path | None) -> None:
    """Prüft alle Eingabedateien und meldet jedes Problem mit Datei, Zeile und Spalte."""
    from sozialraum.read.validate import validate as run_validation

    report = run_validation(_config(config_path))
    click.echo(report.text(), err=not report.ok)
    if not report.ok:
        click.echo(
            "Die Daten sind so nicht verwendbar: bitte die genannten Zeilen korrigieren und "
            "erneut prüfen.",
            err=True,
        )
        sys.exit(1)


@main.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    metavar="DATEI",
    help=CONFIG_HELP,
)
def abgleich(config_path: Path | None) -> None:
    """Vergleicht die berechneten Klassen mit den veröffentlichten ([abgleich] der Config)."""
    from sozialraum.compute.abgleich import abgleichen
    from sozialraum.compute.store import prepare
    from sozialraum.read.validate import ValidationFailed

    cfg = _config(config_path)
    try:
        result = abgleichen(cfg, prepare(cfg).result)
    except ConfigError as exc:
        raise Fehler(str(exc)) from exc
    except ValidationFailed as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(result.text(cfg))
    if not result.ok:
        sys.exit(1)


@main.command(name="list")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    metavar="DATEI",
    help=CONFIG_HELP,
)
def list_sozialraeume(config_path: Path | None) -> None:
    """Listet die Sozialräume, genau so geschrieben, wie der Notebook-Parameter sie nimmt."""
    for s in _config(config_path).sozialraeume:
        click.echo(s.name)


@main.command()
@click.option(
    "--config",
    "config_paths",
    type=click.Path(path_type=Path),
    metavar="DATEI",
    multiple=True,
    help=CONFIG_HELP + " Mehrfach angebbar: mehrere Städte in einem Lauf (mit --out je Stadt "
    "ein Unterordner <out>/<Name der Konfiguration>/).",
)
@click.option(
    "--executor",
    type=Auswahl(["local", "dask"]),
    default="local",
    help="Wo die Berichte entstehen: local = Prozesse auf diesem Rechner, dask = die Worker "
    "eines laufenden dask.distributed-Clusters (siehe docs/betrieb.md). Vorgabe: local.",
)
@click.option(
    "--scheduler",
    metavar="ADRESSE",
    help="Adresse des dask-Schedulers, z. B. tcp://rechner:8786 (nur mit --executor dask).",
)
@click.option(
    "--sozialraum",
    "sozialraeume",
    multiple=True,
    metavar="NAME",
    help="Nur diesen Sozialraum (Name wie in `sozialraum list`); mehrfach angebbar. "
    "Ohne Angabe: alle.",
)
@click.option(
    "--out",
    type=Ordner(),
    metavar="ORDNER",
    help="Ausgabeordner; die Berichte landen in <out>/<berichtsjahr>/. "
    "Ohne Angabe: [bericht] ausgabe der Konfiguration (reports/).",
)
@click.option(
    "--jobs",
    type=GanzeZahl(1),
    default=None,
    help="Parallele Prozesse (Vorgabe: Zahl der Prozessorkerne).",
)
@click.option(
    "--gesamtstadt/--ohne-gesamtstadt",
    default=None,
    help="Den Überblick über die Gesamtstadt (neu) erzeugen. Vorgabe: ohne --sozialraum ja; "
    "mit --sozialraum nur, wenn ein vorhandener Überblick veraltet ist.",
)
@click.option("--force", is_flag=True, help="Auch unveränderte Berichte neu erzeugen.")
@click.option(
    "--engine",
    type=Auswahl(["sozialraum", "kernel"]),
    default="sozialraum",
    help="Wo die Zellen der Notebooks laufen: sozialraum = im Arbeitsprozess selbst (schnell), "
    "kernel = in einem Jupyter-Kernel je Prozess. Beide ergeben dieselben Seiten. "
    "Vorgabe: sozialraum.",
)
@click.option(
    "--pdf",
    is_flag=True,
    help="Zu jedem Bericht eine Druckfassung (PDF, A4) erzeugen; braucht Chromium (Debian).",
)
def render(
    config_paths: tuple[Path, ...],
    executor: str,
    scheduler: str | None,
    sozialraeume: tuple[str, ...],
    out: Path | None,
    jobs: int | None,
    gesamtstadt: bool | None,
    force: bool,
    engine: str,
    pdf: bool,
) -> None:
    """Erzeugt die HTML-Berichte je Sozialraum, die Gesamtstadt und die Startseite."""
    from sozialraum.publish.batch import run_batches

    if executor == "dask" and not scheduler:
        raise AufrufFehler("--executor dask braucht --scheduler ADRESSE (z. B. tcp://host:8786).")
    cfgs = [_config(p) for p in config_paths] if config_paths else [_config(None)]
    for cfg in cfgs:
        _notebooks_pruefen(cfg, gesamtstadt is not False)
    if sozialraeume and len(cfgs) > 1:
        raise AufrufFehler("--sozialraum geht nur mit einer Konfiguration.")
    if pdf:
        from sozialraum.publish.pdf import INSTALL_HINT, chromium_pfad

        if chromium_pfad() is None:
            raise Fehler(
                f"Für --pdf wird Chromium gebraucht, es wurde nicht gefunden.\n{INSTALL_HINT}"
            )
    try:
        results = run_batches(
            cfgs,
            out=out,
            jobs=jobs,
            executor=executor,
            scheduler=scheduler,
            sozialraeume=list(sozialraeume) or None,
            gesamtstadt=gesamtstadt,
            force=force,
            pdf=pdf,
            engine=engine,
        )
    except OSError as exc:
        if executor == "dask" and not _is_file_error(exc):
            raise Fehler(
                f"Der dask-Scheduler {scheduler} ist nicht erreichbar ({exc}). Tipp: Adresse "
                "prüfen und ob der Cluster läuft (docs/betrieb.md)."
            ) from exc
        raise
    except ConfigError as exc:
        raise Fehler(str(exc)) from exc
    except Exception as exc:
        if not _validation_failed(exc):
            raise
        click.echo(str(exc), err=True)
        click.echo("Keine Berichte erzeugt: bitte zuerst die Daten korrigieren.", err=True)
        sys.exit(1)
    for result in results:
        for failure in result.render.failed:
            click.echo(failure.message, err=True)
        for warnung in result.render.warnungen:
            click.echo(f"Warnung: {warnung}", err=True)
        click.echo(f"{result.render.summary()} – {result.out_dir}")
        if result.index_page:
            click.echo(f"Startseite: {result.index_page}")
    if not all(result.render.ok for result in results):
        sys.exit(1)


@main.command()
@click.argument("ordner", type=Ordner())
def init(ordner: Path) -> None:
    """Schlägt aus den Dateien eines Ordners eine Konfiguration vor (ORDNER/sozialraum.toml).

    Erkennt Formate, Kodierungen, Trennzeichen, die ID-Spalte zur Geometrie, Jahre, Anteile,
    Einwohnerzahlen und Einheiten; schreibt einen kommentierten Vorschlag, der so, wie er ist,
    geprüft und gerendert werden kann, und sagt, was zu prüfen ist. Überschreibt nichts.
    """
    from sozialraum.init import init as vorschlagen
    from sozialraum.init_lesen import InitFehler

    try:
        ziel, erk = vorschlagen(ordner)
    except InitFehler as exc:
        raise Fehler(str(exc)) from exc
    click.echo("Gelesen:")
    for zeile in erk.geraten:
        click.echo(f"  {zeile}")
    click.echo("Bitte prüfen:")
    for zeile in erk.pruefen:
        click.echo(f"  - {zeile}")
    click.echo(f"Vorschlag geschrieben: {ziel}")
    click.echo(
        f"Weiter: sozialraum validate --config {ziel}, dann sozialraum render --config {ziel}"
    )


def _notebooks_pruefen(cfg: Config, gesamtstadt: bool) -> None:
    """Stop before any work if a ``[bericht]`` notebook is missing (e.g. a copied config).

    Without this, validation and the data cache run first and every page then fails with an
    English ``FileNotFoundError``; the message names the key and how to fall back to the
    workbook's own notebooks.
    """
    keys = ["notebook_sozialraum"] + (["notebook_gesamtstadt"] if gesamtstadt else [])
    for key in keys:
        pfad = cfg.bericht_pfad(key)
        if pfad.is_file():
            continue
        gezeigt = os.path.relpath(pfad, cfg.basis.parent)
        raise Fehler(
            f"{cfg.pfad}, [bericht] {key}: Das Notebook {gezeigt} existiert nicht. Erwartet: "
            "der Pfad zu einem Berichts-Notebook, relativ zur Konfiguration. Tipp: den Eintrag "
            "löschen, dann nimmt sozialraum die Notebooks des Arbeitsbuchs."
        )


def _is_file_error(exc: OSError) -> bool:
    """An error about a file (it has a name), not about a network connection."""
    return exc.filename is not None


if __name__ == "__main__":  # pragma: no cover
    main()
