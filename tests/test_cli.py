"""The console command, end to end in tmp_path: another city, a misspelt Quartier, parameters."""

import shutil
import subprocess
import sys
from pathlib import Path

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
