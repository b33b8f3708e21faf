"""Berlin's MSS 2021 from its untouched published files, by configuration alone.

The files live beside the project (``../shared/real/berlin-mss-2021/``), never in it. A missing
folder is a failure, not a skip: CI runs with it, and a silent skip would hide a broken example.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT
from sozialraum.compute.abgleich import abgleichen
from sozialraum.compute.store import prepare
from sozialraum.config import load_config
from sozialraum.read.validate import validate

BERLIN = ROOT.parent / "shared" / "real" / "berlin-mss-2021"
CONFIG = ROOT / "examples" / "berlin-mss-2021" / "berlin.toml"


def _published_checksums() -> dict[str, str]:
    assert BERLIN.is_dir(), f"Berlin's published files are expected in {BERLIN}"
    sums = {}
    for line in (BERLIN / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split(maxsplit=1)
        sums[name.strip()] = digest
    return sums


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def prepared():
    return prepare(load_config(CONFIG))


def test_validates_with_no_error_and_names_its_own_vocabulary():
    report = validate(load_config(CONFIG))
    assert report.fehler == [], report.text()
    assert report.summary.startswith("12 Bezirke, 542 Planungsräume, Jahr 2020")


def test_published_classes_come_back_for_every_area(prepared):
    result = abgleichen(prepared.cfg, prepared.result)
    assert result.bewertet == 536
    assert result.treffer == {"Status": 536, "Dynamik": 536, "Kombination": 536}
    assert (result.nicht_bewertet, result.nicht_bewertet_treffer) == (6, 6)
    assert result.ok, result.text(prepared.cfg)
    # the untouched official file lists every area, and the output says which columns it read
    assert (result.nicht_in_datei, result.nur_amtlich) == ([], [])
    assert result.spalten == {
        "Gebiets-ID": "PLR_ID",
        "Status": "SI_V",
        "Dynamik": "DI_V",
        "Kombination": "SDI_V",
        "Gültigkeit": "KOM",
    }
    assert "nicht in der amtlichen Datei" not in result.text(prepared.cfg)


def test_invalid_areas_carry_the_reason_from_kom_once(prepared):
    idx = prepared.result.index.set_index("quartier_id")
    assert idx.loc["10100205", "ausschluss_grund"] == "ungültig (Ausreißer)"
    assert idx.loc["03400831", "ausschluss_grund"] == "ungültig (EW unter 300)"  # empty EW
    reasons = idx.loc[idx["ausgeschlossen"], "ausschluss_grund"]
    assert len(reasons) == 6 and not reasons.str.contains(";").any()


def test_dynamics_use_the_published_changes_not_an_invented_year(prepared):
    ver = prepared.result.veraenderung.set_index(["quartier_id", "indikator"])
    # PLR 01100101 Stülerstraße: D1 = 1.46443 in mss_2021_index_indikatoren.csv
    assert ver.loc[("01100101", "s1"), "veraenderung_pp"] == pytest.approx(1.46443)
    assert ver["anteil_vergleichsjahr"].isna().all()
    assert set(prepared.result.werte["jahr"]) == {2020}


def test_the_published_files_are_unchanged_after_a_run(prepared):
    for name, digest in _published_checksums().items():
        assert _sha(BERLIN / name) == digest, f"{name} was changed"


def test_no_published_file_is_copied_into_the_repository():
    published = set(_published_checksums().values())
    names = set(_published_checksums())
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    for rel in filter(None, tracked):
        path = ROOT / rel.decode()
        assert path.name not in names, f"{rel.decode()} looks like a copy of Berlin's data"
        if path.is_file() and path.stat().st_size > 1000:
            assert _sha(path) not in published, f"{rel.decode()} is a copy of Berlin's data"


@pytest.mark.slow
def test_a_bezirk_report_the_overview_and_the_index_render(tmp_path):
    import re

    from bs4 import BeautifulSoup
    from test_druck import pruefe_papier

    from sozialraum.publish.batch import run_batch

    cfg = load_config(CONFIG)
    result = run_batch(
        cfg, sozialraeume=["Mitte"], gesamtstadt=True, out=tmp_path, jobs=2, progress=False,
        pdf=True,
    )  # fmt: skip
    assert result.render.ok, [f.message for f in result.render.failed]
    year = tmp_path / "2020"
    # on paper the Bezirk has every table, no near-empty page, no heading at a page's foot
    pruefe_papier(year / "mitte.html", year / "mitte.pdf")
    assert sorted(p.name for p in year.glob("*.html")) == [
        "gesamtstadt.html",
        "index.html",
        "mitte.html",
    ]
    forbidden = re.compile(r"Sozialr[aä]um|Sozialquartier|Sozialbericht|Veranstaltung|Expert")
    for page in year.glob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        text = " ".join(soup.get_text(" ").split())
        found = sorted(set(forbidden.findall(text)))
        assert not found, f"{page.name} speaks of {found}"
        assert "Datenquelle: SenSBW Berlin, Monitoring Soziale Stadtentwicklung 2021" in text
        assert "Beispieldaten" not in text  # real data: no sample banner
    mitte = BeautifulSoup((year / "mitte.html").read_text(encoding="utf-8"), "html.parser")
    text = " ".join(mitte.get_text(" ").split())
    assert "Bezirk Mitte" in text and "MSS 2021" in text and "Planungsraum-ID" in text
    assert "Veränderung 2018–2020" in text or "Dynamikindex 2018–2020" in text


def _variant(tmp_path: Path, status: str, index: str) -> Path:
    """berlin.toml with another [methode.status] and an [eingaben.index], paths made absolute."""
    text = CONFIG.read_text(encoding="utf-8")
    text = text.replace("../../../shared/real/berlin-mss-2021/", f"{BERLIN.resolve()}/")
    start = text.index("[methode.status]\n")
    end = text.index("beschreibung = [", start)
    text = text[:start] + status + text[end:]
    text = text.replace("[bericht]\n", f"{index}\n[bericht]\n")
    path = tmp_path / "berlin-gegeben.toml"
    path.write_text(text, encoding="utf-8")
    return path


_LABELS = (
    'labels = ["hoch", "mittel", "niedrig", "sehr niedrig"]\n'
    'farben = ["#fef0d9", "#fdcc8a", "#fc8d59", "#b30000"]\n'
)
_Z_WERTE = (
    "[eingaben.index]\n"
    f'datei = "{BERLIN.resolve()}/mss_2021_index-indikatoren_z-werte_plr.csv"\n'
    'spalten = { quartier_id = "PLR-ID" }\n'
)


@pytest.mark.parametrize(
    "status",
    [
        # the published (unrounded to the index's two decimals) status sum, classed at -1/+1/+1.5 SD
        '[methode.status]\nquelle = "wert"\nspalte = "Status-summe"\n'
        "schwellen = [-1.0, 1.0, 1.5]\n",
        # the same as a composite: the sum of the published z-values, each with weight 1
        '[methode.status]\nquelle = "wert"\nzusammensetzung = "gewichtet"\nteilindizes = ['
        '{ spalte = "zS1", gewicht = 1 }, { spalte = "zS3", gewicht = 1 }, '
        '{ spalte = "zS4", gewicht = 1 }]\nschwellen = [-1.0, 1.0, 1.5]\n',
    ],
    ids=["statussumme", "teilindizes"],
)
def test_published_scores_reproduce_the_published_status_classes(tmp_path, status):
    cfg = load_config(_variant(tmp_path, status + _LABELS, _Z_WERTE))
    result = prepare(cfg).result
    pub = abgleichen(cfg, result)
    assert pub.bewertet == 536
    assert pub.treffer["Status"] == 536, pub.text(cfg)
    z = result.index.set_index("quartier_id")["statusindex"]
    assert z["01100101"] == pytest.approx(-0.97)  # Stülerstraße, Status-summe as published


def test_published_classes_are_taken_over_for_every_area(tmp_path):
    status = (
        '[methode.status]\nquelle = "klasse"\nspalte = "SI_N"\n'
        'klassenwerte = ["1", "2", "3", "4"]\n'
    )
    index = (
        "[eingaben.index]\n"
        f'datei = "{BERLIN.resolve()}/mss_2021_indizes.csv"\n'
        'spalten = { quartier_id = "PLR_ID" }\nfehlwerte = ["-9999"]\n'
    )
    cfg = load_config(_variant(tmp_path, status + _LABELS, index))
    result = prepare(cfg).result
    pub = abgleichen(cfg, result)
    assert pub.treffer == {"Status": 536, "Dynamik": 536, "Kombination": 536}, pub.text(cfg)
    assert result.index["statusindex"].isna().all()  # no number where only classes exist


def test_units_from_the_first_two_digits_of_the_id_match_the_bez_column(tmp_path):
    text = CONFIG.read_text(encoding="utf-8").replace(
        "../../../shared/real/berlin-mss-2021", str(BERLIN)
    )
    assert ', sozialraum_id = "BEZ" }' in text
    derived = (
        text.replace(', sozialraum_id = "BEZ" }', " }") + '\n[einheiten]\naus = "id"\nstellen = 2\n'
    )
    path = tmp_path / "berlin-id.toml"
    path.write_text(derived, encoding="utf-8")
    by_column = validate(load_config(CONFIG)).inputs.quartiere
    by_id = validate(load_config(path))
    assert by_id.ok, by_id.text()
    a = dict(zip(by_column["quartier_id"], by_column["sozialraum_id"], strict=True))
    b = dict(
        zip(
            by_id.inputs.quartiere["quartier_id"],
            by_id.inputs.quartiere["sozialraum_id"],
            strict=True,
        )
    )
    assert len(a) == 542 and a == b
