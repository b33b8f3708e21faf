"""The ``sozialraum`` console command: a thin skin over the importable API."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .config import Config, ConfigError, load_config

CONFIG_HELP = (
    "Konfigurationsdatei der Stadt (TOML). Ohne Angabe: die Konfiguration des Projekts im "
    "aktuellen Ordner (pyproject.toml, [tool.sozialraum] config)."
)


def _config(path: Path | None) -> Config:
    try:
        return load_config(path)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group()
@click.version_option(package_name="sozialraum")
def main() -> None:
    """Sozialraum-Berichte: Daten prüfen, Sozialindex berechnen, Berichte erzeugen."""


@main.command()
@click.option("--config", "config_path", type=click.Path(path_type=Path), help=CONFIG_HELP)
def validate(config_path: Path | None) -> None:
    """Prüft alle Eingabedateien und meldet jedes Problem mit Datei, Zeile und Spalte."""
    from .validate import validate as run_validation

    cfg = _config(config_path)
    report = run_validation(cfg)
    errors = [p for p in report.problems if p.schwere == "Fehler"]
    warnings = [p for p in report.problems if p.schwere != "Fehler"]
    for problem in warnings:
        click.echo(f"Warnung: {problem}", err=True)
    for problem in errors:
        click.echo(f"Fehler: {problem}", err=True)
    if errors:
        click.echo(
            f"\n{len(errors)} Fehler, {len(warnings)} Warnungen – die Daten sind so nicht "
            "verwendbar. Bitte die genannten Zeilen korrigieren und erneut prüfen.",
            err=True,
        )
        sys.exit(1)
    click.echo(f"Daten in Ordnung ({len(warnings)} Warnungen): {report.summary}")


@main.command(name="list")
@click.option("--config", "config_path", type=click.Path(path_type=Path), help=CONFIG_HELP)
def list_sozialraeume(config_path: Path | None) -> None:
    """Listet die Sozialräume, genau so geschrieben, wie der Notebook-Parameter sie nimmt."""
    for s in _config(config_path).sozialraeume:
        click.echo(s.name)


if __name__ == "__main__":  # pragma: no cover
    main()
