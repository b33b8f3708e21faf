"""Validate passes ⇒ render succeeds, for cities drawn across the config space.

A planner's config that ``sozialraum validate`` accepts must give every page; one it refuses must
say why in German. Hypothesis draws cities (:mod:`stadtgenerator`): 3–600 areas, with and
without events and change data, units from a geometry column, from the id, from a mapping table
or none, the index computed or published as scores or as classes, nouns of each gender and
multi-word ones, missing-value markers, a geometry in another CRS, a published index without any
indicator values. The examples are derandomised
so that CI sees the same cities on every run; ``@example`` pins the corners.
"""

from __future__ import annotations

import base64
import re
import tempfile
import urllib.parse
from pathlib import Path

from bs4 import BeautifulSoup
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from stadtgenerator import CRS, EINHEITEN, ENGLISCH, GEBIETE, INDEXNAMEN, Stadt, write_city

from sozialraum.config import ConfigError, load_config
from sozialraum.publish.batch import run_batch
from sozialraum.read.validate import validate

#: The axes this release supports; each value must validate and render.
EINHEITEN_AUS = ("spalte", "id", "tabelle", "keine")
INDEX_QUELLEN = ("berechnet", "wert", "klasse")
DYNAMIK = (True, False)

SETTINGS = settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # a failing city is shown as drawn, unshrunk
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def staedte(draw: st.DrawFn, ohne_indikatoren: bool = True) -> Stadt:
    """A city of the supported space; area counts on a log scale, so most cities are small.

    ``ohne_indikatoren``: a city with a published index may come without indicator values
    (only the index table); the broken cities keep theirs, since their edits need the files.
    """
    areas = round(draw(st.floats(1.1, 6.4)) ** 2.0 * 14.6)  # about 3 … 600
    areas = max(3, min(600, areas))
    index = draw(st.sampled_from(INDEX_QUELLEN))
    return Stadt(
        areas=areas,
        units=draw(st.integers(1, min(4, areas))),
        einheiten=draw(st.sampled_from(EINHEITEN_AUS)),
        index=index,
        indikatoren=draw(st.booleans()) if index != "berechnet" and ohne_indikatoren else True,
        dynamik=draw(st.sampled_from(DYNAMIK)),
        veranstaltungen=draw(st.booleans()),
        einheit=draw(st.sampled_from(EINHEITEN)),
        gebiet=draw(st.sampled_from(GEBIETE)),
        indexname=draw(st.sampled_from(INDEXNAMEN)),
        fehlwerte=draw(st.booleans()),
        crs=draw(st.sampled_from(CRS)),
        seed=draw(st.integers(1, 50)),
    )


def _visible(html: str) -> str:
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(["style", "script"]):
        tag.decompose()
    parts = [soup.get_text(" ")]
    for tag in soup.find_all(attrs={"alt": True}):
        parts.append(tag["alt"])
    for tag in soup.find_all(attrs={"title": True}):
        parts.append(tag["title"])
    return "\n".join(parts)


def _csv_downloads(html: str) -> list[str]:
    out = []
    for uri in re.findall(r"data:text/csv[^\"'\s>]*", html):
        head, _, data = uri.partition(",")
        raw = base64.b64decode(data) if ";base64" in head else urllib.parse.unquote(data).encode()
        out.append(raw.decode("utf-8-sig", errors="replace"))
    return out


def _german(message: str) -> None:
    hit = ENGLISCH.search(message)
    assert hit is None, (
        f"English in a message: …{message[max(0, hit.start() - 120) : hit.end() + 60]}…"
    )


def check_city(stadt: Stadt, folder: Path) -> str:
    """Validate and render ``stadt``; returns "abgelehnt" or "gerendert" after the checks."""
    config = write_city(stadt, folder)
    try:
        cfg = load_config(config)
    except ConfigError as exc:
        _german(str(exc))
        return "abgelehnt"
    report = validate(cfg)
    if not report.ok:
        _german(report.text())
        return "abgelehnt"
    result = run_batch(cfg, out=folder / "berichte", jobs=2, progress=False)
    assert result.render.ok, [f.message for f in result.render.failed]
    year = folder / "berichte" / str(cfg.methode.berichtsjahr)
    pages = {p.name: p.read_text(encoding="utf-8") for p in year.glob("*.html")}
    assert "index.html" in pages
    if stadt.einheiten == "keine":  # the whole city is the one unit: its report and the index
        assert set(pages) == {"gesamtstadt.html", "index.html"}, sorted(pages)
    else:
        assert {f"{u.slug}.html" for u in cfg.sozialraeume} <= set(pages), sorted(pages)
        assert len(pages) == len(cfg.sozialraeume) + 2, sorted(pages)
    for name, html in pages.items():
        text = _visible(html)
        hit = ENGLISCH.search(text)
        assert hit is None, f"{name}: …{text[max(0, hit.start() - 120) : hit.end() + 60]}…"
        if not stadt.indikatoren:  # only a published index: no indicator section or table
            assert not re.search(r"Die Indikatoren im Einzelnen|Indikatoren des|0 Indikator", text)
        if not stadt.dynamik:
            for shown in (text, *_csv_downloads(html)):
                assert not re.search(r"Dynamik|Veränderung|Kombination", shown), name
    return "gerendert"


@given(staedte())
@example(Stadt(areas=3, units=1, einheiten="keine"))
@example(Stadt(areas=30, units=3, einheiten="tabelle", index="wert"))
@example(Stadt(areas=40, units=3, index="klasse", veranstaltungen=True, dynamik=False))
@example(Stadt(areas=600, units=2, einheiten="id", fehlwerte=True, crs="EPSG:4326"))
@example(Stadt(areas=25, units=2, index="wert", indikatoren=False, dynamik=False))
@example(Stadt(areas=25, units=3, einheiten="keine", index="klasse", indikatoren=False))
@SETTINGS
def test_a_generated_city_validates_and_renders_every_page(stadt: Stadt) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        assert check_city(stadt, Path(tmp)) == "gerendert", stadt


def _replace(old: str, new: str):
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return edit


def _second_row_value(column: str, value: str):
    def edit(text: str) -> str:
        lines = text.splitlines()
        header = lines[0].split(";")
        cells = lines[1].split(";")
        cells[header.index(column)] = value
        lines[1] = ";".join(cells)
        return "\n".join(lines) + "\n"

    return edit


#: Ways a planner breaks a city: (what, file, edit). Each must be refused, in German.
FEHLER = (
    ("Tippfehler im Schlüssel", "config/stadt.toml", _replace("berichtsjahr", "berichtsjar")),
    ("unbekanntes KBS", "config/stadt.toml", _replace('"EPSG:25832"', '"EPSG:99999"')),
    ("Text statt Zahl", "data/bevoelkerung.csv", _second_row_value("einwohner", "zwanzig")),
    ("fehlende Spalte", "data/indikatoren.csv", _replace("nenner", "menner")),
    (
        "Berichtsjahr ohne Daten",
        "config/stadt.toml",
        _replace("berichtsjahr = 2023", "berichtsjahr = 2024"),
    ),
    ("Abschnitt vertippt", "config/stadt.toml", _replace("[[indikatoren]]", "[[indikatorenn]]")),
    ("Gebiet ohne Geometrie", "data/indikatoren.csv", _second_row_value("quartier_id", "9999")),
)


@given(staedte(ohne_indikatoren=False), st.sampled_from(FEHLER))
@SETTINGS
def test_a_broken_city_is_refused_in_german(stadt: Stadt, fehler) -> None:
    what, name, edit = fehler
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        config = write_city(stadt, folder)
        path = folder / name
        path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
        try:
            report = validate(load_config(config))
        except ConfigError as exc:
            message = str(exc)
        else:
            assert not report.ok, f"{what}: validate accepted it"
            message = report.text()
        _german(message)
        assert name.split("/")[-1] in message or "stadt.toml" in message, message
