"""Nothing confidential beside the published reports.

The mini city gets counts that must be withheld: an indicator count below ``mindestfallzahl``
(and the count that secondary suppression withholds with it) and an offer with fewer dots than
``mindeststimmen``. After a real batch, every file in the output folder is read as a reader
could read it — page text, CSV downloads decoded from their data URIs, executed notebooks — and
none may contain a withheld value, the share computed from it, or a total that gives it back.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.parse
from pathlib import Path

import pytest
from fixtures_city import make_city, with_project_notebooks

from sozialraum.compute.store import prepare
from sozialraum.config import load_config
from sozialraum.publish.batch import run_batch

# Weststadt (04) 2023 sgb2: 73 of 2950 (2,47 %), below mindestfallzahl = 100; Mühlenfeld (03),
# the only other Quartier of its Sozialraum, must then be withheld too (secondary).
WEST = ("04;Weststadt;2023;sgb2;", "04;Weststadt;2023;sgb2;73;2950;;Test;ja")
MUEHLENFELD = ("03;Mühlenfeld;2023;sgb2;", "03;Mühlenfeld;2023;sgb2;1234;8300;;Test;ja")
# KIM Case-Management, Nord: 43 JA and 26 NEIN dots = 69 < mindeststimmen = 80
KIM_JA = ("2023-nord;r2-integration;r2-integration-kim;r2-kennen;JA;5;nein", "JA;43;nein")
KIM_NEIN = ("2023-nord;r2-integration;r2-integration-kim;r2-kennen;NEIN;3;ja", "NEIN;26;ja")


def _indikatoren(text: str) -> str:
    lines = []
    for line in text.splitlines():
        for prefix, row in (WEST, MUEHLENFELD):
            if line.startswith(prefix):
                line = row
        lines.append(line)
    return "\n".join(lines) + "\n"


def _abstimmungen(text: str) -> str:
    for old, new in (KIM_JA, KIM_NEIN):
        assert old in text
        text = text.replace(old, old.rsplit(";", 3)[0] + ";" + new)
    return text


def _config(text: str) -> str:
    text = text.replace(
        "vergleichsjahr = 2020", "vergleichsjahr = 2020\nmindestfallzahl = 100\nmindeststimmen = 80"
    )
    return with_project_notebooks(text)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    root = tmp_path_factory.mktemp("geheim")
    config = make_city(root, indikatoren=_indikatoren, abstimmungen=_abstimmungen, config=_config)
    cfg = load_config(config)
    out = root / "berichte"
    result = run_batch(cfg, out=out, jobs=2, progress=False)
    assert result.render.ok, [f.message for f in result.render.failed]
    return cfg, out


#: Attributes a reader meets (alt and tooltip texts, the interactive map's data, download
#: names); the others are geometry and styling (SVG path data, colours such as ``#009e73``).
READABLE_ATTRIBUTES = {"alt", "title", "aria-label", "aria-description", "download", "content"}


def _visible_html(html: str) -> str:
    """Page text and the attributes a reader sees, with the CSV data URIs kept for decoding."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for style in soup.find_all("style"):
        style.decompose()
    attrs = [
        str(v)
        for tag in soup.find_all(True)
        for k, v in tag.attrs.items()
        if k.lower() in READABLE_ATTRIBUTES or k.lower().startswith("data-")
    ]
    uris = re.findall(r"data:text/csv[^\"'\s>]*", html)
    return soup.get_text(" ") + "\n" + "\n".join(attrs) + "\n" + "\n".join(uris)


def _readable_text(path: Path) -> str:
    """What a reader of the file can see: text, with CSV data URIs decoded, images dropped."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".ipynb":  # what the notebook shows: sources and outputs, not its counters
        nb = json.loads(text)
        shown = []
        for cell in nb["cells"]:
            shown.append("".join(cell.get("source", "")))
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                shown.append(_visible_html("".join(data.get("text/html", ""))))
                for key in ("text/plain", "text/markdown"):
                    shown.append("".join(data.get(key, "")))
                shown.append("".join(output.get("text", "")))
        text = "\n".join(shown)
    if path.suffix == ".html":
        text = _visible_html(text)
    parts = [re.sub(r"data:image/[^\"')\s]+", " ", text)]
    for uri in re.findall(r"data:text/csv[^\"'\s>]*", text):
        head, _, data = uri.partition(",")
        raw = base64.b64decode(data) if ";base64" in head else urllib.parse.unquote(data).encode()
        parts.append(raw.decode("utf-8-sig", errors="replace"))
    return "\n".join(parts)


def _number(value: str) -> re.Pattern[str]:
    """The value as a number a reader sees: not part of a longer number, nor of a word or a
    hex checksum such as ``cd5d5da69d3b`` in the provenance line."""
    return re.compile(rf"(?<![\w.,]){re.escape(value)}(?![\w]|[.,]\d)")


def test_the_withheld_cells_really_are_withheld(rendered):
    cfg, _ = rendered
    werte = prepare(cfg).result.werte.set_index(["quartier_id", "jahr", "indikator"])
    assert werte.loc[("04", 2023, "sgb2"), "unterdrueckt_grund"] == "primär"
    assert werte.loc[("03", 2023, "sgb2"), "unterdrueckt_grund"] == "sekundär"


def test_no_file_in_the_output_folder_reveals_a_withheld_value(rendered):
    cfg, out = rendered
    files = [p for p in out.rglob("*") if p.is_file()]
    assert {p.suffix for p in files} >= {".html", ".ipynb"}
    assert not [p for p in files if p.suffix in (".parquet", ".json", ".feather", ".pkl")]
    mühlenfeld = prepare(cfg).result.werte.set_index(["quartier_id", "jahr", "indikator"])
    m_count = int(mühlenfeld.loc[("03", 2023, "sgb2"), "zaehler"])
    secrets = {
        "73": "count of Weststadt",
        "2,5 %": "share of Weststadt",
        "2,47": "share of Weststadt",
        "2.47": "share of Weststadt",
        str(m_count): "secondarily withheld count of Mühlenfeld",
        f"{m_count:,}".replace(",", "."): "secondarily withheld count of Mühlenfeld",
        "43": "JA dots of a suppressed offer",
        "26": "NEIN dots of a suppressed offer",
        "69": "dots in total of a suppressed offer",
        "62,3 %": "JA share of a suppressed offer",
        "62,32": "JA share of a suppressed offer",
    }
    for path in files:
        if path.suffix == ".key":  # the cache key: one hex digest, it cannot carry a value
            assert re.fullmatch(r"[0-9a-f]{64}\n?", path.read_text(encoding="utf-8"))
            continue
        # the test's own temporary folders (``…/pytest-43/…``) are not the reports' content
        text = re.sub(r"/[^\s\"']*pytest-of-[^\s\"']*", "<tmp>", _readable_text(path))
        for value, what in secrets.items():
            hit = _number(value).search(text)
            assert hit is None, (
                f"{path.name} shows {what} ({value}): "
                f"…{text[max(0, hit.start() - 80) : hit.end() + 40]}…"
            )
