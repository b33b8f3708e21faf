"""The console command, end to end in tmp_path: another city, a misspelt Quartier, parameters."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from fixtures_city import make_city, with_project_notebooks

from conftest import PROJECT_CONFIG, ROOT
from sozialraum.cli import main
from sozialraum.compute.index import compute_index
from sozialraum.config import load_config
from sozialraum.read.validate import load_inputs

SOZIALRAUM_CLI = Path(sys.executable).with_name("sozialraum")


def test_list_prints_the_names_the_notebook_takes(cfg):
    result = CliRunner().invoke(main, ["list", "--config", str(PROJECT_CONFIG)])
    assert result.exit_code == 0
    assert result.output.splitlines() == [s.name for s in cfg.sozialraeume]


def test_validate_sample_data_prints_summary():
    result = CliRunner().invoke(main, ["validate", "--config", str(PROJECT_CONFIG)])
    assert result.exit_code == 0, result.output
    assert "27 Sozialquartiere" in result.output and "6 Sozialräume" in result.output


def _sample_copy_with_misspelling(tmp_path: Path) -> int:
    """Copy config and sample data; misspell one Quartier in the statistics. Returns the row."""
    for folder in ("config", "data", "geo"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    path = tmp_path / "data" / "indikatoren.csv"
    raw = path.read_bytes().decode("utf-8-sig")
    lines = raw.splitlines(keepends=True)
    row = next(i for i, line in enumerate(lines) if ";Lirich-Süd;" in line)
    # a row typed by name only (no id): the misspelt name cannot be resolved, which is an error
    lines[row] = ";" + lines[row].split(";", 1)[1].replace("Lirich-Süd;", "Lirich-Sud;", 1)
    path.write_bytes("".join(lines).encode("utf-8-sig"))
    return row


def test_misspelt_quartier_in_a_copy_of_the_sample_data(tmp_path):
    row = _sample_copy_with_misspelling(tmp_path)
    proc = subprocess.run(
        [str(SOZIALRAUM_CLI), "validate", "--config", str(tmp_path / "config" / "oberhausen.toml")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert f"data/indikatoren.csv, Zeile {row + 1}" in proc.stderr
    assert '"Lirich-Sud"' in proc.stderr and 'Meinten Sie "Lirich-Süd"?' in proc.stderr


def test_render_with_bad_data_writes_nothing(tmp_path):
    _sample_copy_with_misspelling(tmp_path)
    out = tmp_path / "berichte"
    proc = subprocess.run(
        [
            str(SOZIALRAUM_CLI),
            "render",
            "--config",
            str(tmp_path / "config" / "oberhausen.toml"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert 'Meinten Sie "Lirich-Süd"?' in proc.stderr
    assert "Keine Berichte erzeugt" in proc.stderr
    assert not out.exists()


def test_unknown_sozialraum_for_render_lists_valid_names(tmp_path):
    result = CliRunner().invoke(
        main,
        ["render", "--config", str(PROJECT_CONFIG), "--sozialraum", "Atlantis", "--out", tmp_path],
    )
    assert result.exit_code != 0
    assert '"Atlantis"' in result.output and '"Sterkrade-Nord"' in result.output
    assert not any(tmp_path.iterdir()), "nothing written before the parameters are checked"


def test_second_city_computes_its_index_and_renders_without_code_changes(tmp_path):
    config = make_city(tmp_path, config=with_project_notebooks)
    cfg = load_config(config)
    inputs = load_inputs(cfg)
    result = compute_index(cfg, inputs.quartiere, inputs.bevoelkerung, inputs.indikatoren)
    assert set(result.index["quartier_id"]) == {"01", "02", "03", "04"}
    assert result.index["status_klasse"].isin(cfg.methode.status.labels).all()

    proc = subprocess.run(
        [str(SOZIALRAUM_CLI), "render", "--config", str(config), "--sozialraum", "Nord"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    html = (tmp_path / "reports" / "2023" / "nord.html").read_text(encoding="utf-8")
    text = BeautifulSoup(html, "html.parser").get_text(" ")
    assert "Sozialraum Nord" in text and "Musterstadt" in text
    assert "Oberhausen" not in text
    assert (tmp_path / "reports" / "2023" / "index.html").is_file()


def test_cluster_and_several_cities_options_are_checked_before_any_work(tmp_path):
    runner = CliRunner()
    no_scheduler = runner.invoke(
        main, ["render", "--config", str(PROJECT_CONFIG), "--executor", "dask"]
    )
    assert no_scheduler.exit_code == 2
    assert "--executor dask braucht --scheduler ADRESSE" in no_scheduler.output
    two = runner.invoke(
        main,
        [
            "render",
            "--config",
            str(PROJECT_CONFIG),
            "--config",
            str(PROJECT_CONFIG),
            "--sozialraum",
            "Osterfeld",
            "--out",
            str(tmp_path),
        ],
    )
    assert two.exit_code == 2
    assert "--sozialraum geht nur mit einer Konfiguration" in two.output
    assert not any(tmp_path.iterdir())  # refused before anything was written


def _sozialraum(args):
    """Run the console command in-process under its real name (CliRunner would say "main")."""
    return CliRunner().invoke(main, args, prog_name="sozialraum")


ENGLISCH = (
    "Usage",
    "Options",
    "Commands",
    "Show this message",
    "exit",
    "Error",
    "Try",
    "Invalid",
    "No such",
    "default",
    "PATH",
    "TEXT",
    "DIRECTORY",
    "INTEGER",
)


@pytest.mark.parametrize("befehl", [[], ["validate"], ["render"], ["list"], ["abgleich"], ["init"]])
def test_help_of_every_command_is_german(befehl):
    result = _sozialraum([*befehl, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Aufruf: sozialraum {' '.join(befehl)}".rstrip() + " ")
    assert "Optionen:" in result.output
    assert "--help     Diese Hilfe zeigen und beenden." in result.output or (
        "Diese Hilfe zeigen und beenden." in result.output
    )
    assert [w for w in ENGLISCH if w in result.output] == []


def test_group_help_lists_the_commands_under_befehle():
    result = _sozialraum(["--help"])
    befehle = result.output.split("Befehle:\n", 1)[1].split()
    assert {"validate", "render", "list", "abgleich", "init"} <= set(befehle)
    assert "--version  Die Version zeigen und beenden." in result.output


@pytest.mark.parametrize(
    ("args", "zeile"),
    [
        (["render", "--jbos", "2"], 'Unbekannte Option "--jbos". Meinten Sie "--jobs"?'),
        (["validate", "--force"], 'Unbekannte Option "--force".'),
        (["render", "--jobs", "0"], 'Ungültiger Wert für --jobs: "0" ist kleiner als 1.'),
        (["render", "--jobs", "x"], 'Ungültiger Wert für --jobs: "x" ist keine ganze Zahl.'),
        (["render", "--jobs"], 'Die Option "--jobs" braucht einen Wert.'),
        (["render", "--force=1"], 'Die Option "--force" nimmt keinen Wert.'),
        (
            ["renderr"],
            'Unbekannter Befehl "renderr". Befehle: abgleich, init, list, render, validate. '
            'Meinten Sie "render"?',
        ),
        (
            ["render", "--executor", "k8s"],
            'Ungültiger Wert für --executor: "k8s" ist nicht erlaubt (erlaubt: "local", "dask").',
        ),
        (["init"], "Es fehlt das Argument ORDNER."),
        (["list", "extra"], "Unerwartete weitere Angabe: extra."),
        (["--debug"], "Es fehlt der Befehl."),
        (
            ["render", "--executor", "dask"],
            "--executor dask braucht --scheduler ADRESSE (z. B. tcp://host:8786).",
        ),
    ],
)
def test_usage_errors_are_one_german_line(args, zeile):
    result = _sozialraum(args)
    assert result.exit_code == 2, result.output
    assert zeile in result.output.splitlines()
    assert result.output.splitlines()[-1].startswith("Hilfe: sozialraum")
    assert [w for w in ENGLISCH if w in result.output] == []


def test_out_that_is_a_file_is_a_german_usage_error(tmp_path):
    datei = tmp_path / "bericht.txt"
    datei.write_text("x")
    result = _sozialraum(["render", "--out", str(datei)])
    assert result.exit_code == 2
    assert f'Ungültiger Wert für --out: "{datei}" ist eine Datei, kein Ordner.' in result.output
    assert "Hilfe: sozialraum render --help" in result.output


def test_a_config_error_is_printed_without_an_english_prefix(tmp_path):
    result = _sozialraum(["list", "--config", str(tmp_path / "fehlt.toml")])
    assert result.exit_code == 1
    assert result.output == f"Konfigurationsdatei {tmp_path / 'fehlt.toml'} existiert nicht.\n"
    assert "Error" not in result.output
