"""Renders every report from the sample data through the real command and reads the HTML back.

Expected values are recomputed here from the raw input files with the standard library only, so
that a bug in the package's readers or index cannot hide itself.
"""

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import PROJECT_CONFIG, ROOT

SOZIALRAUM_CLI = Path(sys.executable).with_name("sozialraum")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def _geo_quartiere() -> list[dict]:
    data = json.loads((ROOT / "geo" / "sozialquartiere.geojson").read_text(encoding="utf-8"))
    return [f["properties"] for f in data["features"]]


def _de_pct(value: float) -> str:
    """As on the page: the report joins number and "%" with a no-break space."""
    return f"{value:.1f}".replace(".", ",") + "\u00a0%"


@pytest.fixture(scope="module")
def render_run(sample_render):
    return sample_render


@pytest.fixture(scope="module")
def rendered(render_run):
    return render_run[1]


def test_successful_batch_prints_only_its_summary(render_run):
    """Kernel log lines (jupyter_client interrupts before shutdown) must not look like errors."""
    proc, _ = render_run
    lines = [line for line in (proc.stdout + proc.stderr).splitlines() if line.strip()]
    assert lines and lines[0].startswith(
        "7 gerendert, 0 unverändert übersprungen, 0 fehlgeschlagen"
    )
    assert [line for line in lines[1:] if not line.startswith("Startseite: ")] == []


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _table_text(soup: BeautifulSoup) -> str:
    return " ".join(t.get_text(" ") for t in soup.find_all("table"))


def test_all_reports_written(rendered, cfg):
    expected = {f"{s.slug}.html" for s in cfg.sozialraeume} | {"gesamtstadt.html", "index.html"}
    assert expected <= {p.name for p in rendered.glob("*.html")}
    for s in cfg.sozialraeume:
        assert (rendered / f"{s.slug}.ipynb").is_file(), "executed notebook kept for audit"


def test_each_report_names_only_its_own_quartiere(rendered, cfg):
    quartiere = _geo_quartiere()
    for s in cfg.sozialraeume:
        text = _table_text(_soup(rendered / f"{s.slug}.html"))
        own = [q["quartier"] for q in quartiere if q["sozialraum_id"] == s.id]
        others = [q["quartier"] for q in quartiere if q["sozialraum_id"] != s.id]
        for name in own:
            assert name in text, f"{s.name}: own Quartier {name} missing from tables"
        # a Quartier name can be contained in another (e.g. "Sterkrade-Mitte"); compare cells
        cells = {
            c.get_text(" ", strip=True)
            for c in _soup(rendered / f"{s.slug}.html").select("table td, table th")
        }
        leaked = [name for name in others if name in cells]
        assert not leaked, f"{s.name}: tables name Quartiere of other Sozialräume: {leaked}"


@pytest.mark.parametrize("name", ["sozialraum", "gesamtstadt"])
def test_reports_are_clean_and_self_contained(rendered, cfg, name):
    paths = (
        [rendered / f"{s.slug}.html" for s in cfg.sozialraeume]
        if name == "sozialraum"
        else [rendered / "gesamtstadt.html", rendered / "index.html"]
    )
    for path in paths:
        html = path.read_text(encoding="utf-8")
        soup = BeautifulSoup(html, "html.parser")
        assert soup.html.get("lang") == "de", path
        assert "Beispieldaten" in soup.get_text(), f"{path.name}: banner missing"
        assert "Traceback" not in html and "Error" not in soup.get_text(), path.name
        assert not soup.select(".jp-InputArea, .input_area, .highlight"), f"{path.name}: code"
        assert "{{" not in html and "{%" not in html, path.name
        for tag in soup.find_all(["script", "img", "link", "iframe", "source", "video"]):
            for attr in ("src", "href"):
                value = tag.get(attr) or ""
                assert not re.match(r"^(https?:)?//", value), f"{path.name}: loads {value}"
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", html), f"{path.name}: CSS loads"
        assert "@import" not in html, path.name


def test_reports_have_figures_with_meaningful_alt_text(rendered, cfg):
    for s in cfg.sozialraeume:
        # inline SVG figures (figures.figure_html), PNG for a figure over the SVG budget
        imgs = _soup(rendered / f"{s.slug}.html").select("figure > svg.abbildung, figure > img")
        assert len(imgs) >= 6, f"{s.name}: only {len(imgs)} figures"
        alts = []
        for img in imgs:
            alt = (img.get("alt") or img.get("aria-label") or "").strip()
            assert len(alt) > 30 and alt.lower() not in {"png", "image", "bild"}, alt
            if img.name == "img":
                assert img["src"].startswith("data:image/"), "figures are embedded"
            else:
                title = img.find("title").get_text().replace("\xa0", " ")  # "18,9 %" joined
                assert img["role"] == "img" and title == alt.replace("\xa0", " ")
            alts.append(alt)
        assert any(s.name in alt for alt in alts), "alt texts name the Sozialraum"


def test_recomputed_sgb2_share_of_each_sozialraum_appears(rendered, cfg):
    """The Sozialraum's SGB II share, recomputed as ratio of sums from the raw CSV."""
    ids = {q["quartier_id"]: q["sozialraum_id"] for q in _geo_quartiere()}
    rows = _read_csv(ROOT / "data" / "indikatoren.csv")
    year = str(cfg.methode.berichtsjahr)
    for s in cfg.sozialraeume:
        num = den = 0
        for r in rows:
            if r["indikator"] == "sgb2" and r["jahr"] == year and ids[r["quartier_id"]] == s.id:
                num += int(r["zaehler"])
                den += int(r["nenner"])
        expected = _de_pct(100 * num / den)
        text = _soup(rendered / f"{s.slug}.html").get_text(" ")
        assert expected in text, f"{s.name}: expected SGB II share {expected} in the report"


def test_footer_says_the_publisher_does_not_stand_behind_sample_numbers(rendered, cfg):
    for path in sorted(rendered.glob("*.html")):
        footer = _soup(path).find("footer")
        assert footer is not None, path.name
        text = footer.get_text(" ", strip=True)
        assert cfg.stadt.herausgeber in text and "Beispieldaten" in text, (path.name, text)


def test_summary_has_four_to_eight_sentences(rendered, cfg):
    for path in [rendered / f"{s.slug}.html" for s in cfg.sozialraeume] + [
        rendered / "gesamtstadt.html"
    ]:
        items = [li.get_text(" ") for li in _soup(path).select("ul.auf-einen-blick > li")]
        sentences = sum(len(re.findall(r"[.!?](?=\s+[A-ZÄÖÜ„]|$)", item)) for item in items)
        assert 4 <= sentences <= 8 and sentences == len(items), (path.name, items)


def test_participants_from_the_events_file_appear(rendered, cfg):
    events = _read_csv(ROOT / "data" / "veranstaltungen.csv")
    for s in cfg.sozialraeume:
        latest = max(
            (e for e in events if e["sozialraum_id"] == s.id),
            key=lambda e: int(e["runde"]),
        )
        text = _soup(rendered / f"{s.slug}.html").get_text(" ")
        assert f"{int(latest['teilnehmende'])} Teilnehmende" in text, s.name


def test_card_text_is_escaped(rendered, cfg):
    for s in cfg.sozialraeume:
        html = (rendered / f"{s.slug}.html").read_text(encoding="utf-8")
        assert "<b>mehr Infos</b>" not in html


def test_second_render_is_served_from_cache(rendered, cfg):
    out = rendered.parent
    proc = subprocess.run(
        [str(SOZIALRAUM_CLI), "render", "--config", str(PROJECT_CONFIG), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert "unverändert" in proc.stdout + proc.stderr


@pytest.mark.skipif(CHROMIUM is None, reason="make test installs chromium")
def test_browser_makes_no_request_to_any_server(rendered, cfg):
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        page = browser.new_page()
        page.on("request", lambda r: requests.append(r.url))
        for name in ("index.html", f"{cfg.sozialraeume[0].slug}.html", "gesamtstadt.html"):
            page.goto((rendered / name).as_uri())
            page.wait_for_load_state("networkidle")
            assert page.title(), name
        browser.close()
    external = [u for u in requests if not u.startswith(("file://", "data:", "about:"))]
    assert not external, external


@pytest.mark.skipif(CHROMIUM is None, reason="make test installs chromium")
@pytest.mark.slow
@pytest.mark.parametrize("width", [1280, 390])
def test_every_page_passes_automated_wcag_checks_and_fits_the_screen(rendered, cfg, width):
    """axe-core's WCAG 2.1 A/AA rules (contrast, alt texts, table headers, lang, …) on every
    rendered page, on a desktop and on a phone; on the phone the page never scrolls sideways."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    axe = Axe()
    found = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        page = browser.new_page(viewport={"width": width, "height": 900})
        overflow = {}
        for name in sorted(p.name for p in rendered.glob("*.html")):
            page.goto((rendered / name).as_uri())
            extra = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if extra > 0:
                overflow[name] = extra
            result = axe.run(
                page,
                options={
                    "runOnly": {
                        "type": "tag",
                        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"],
                    }
                },
            )
            found[name] = [
                (v["id"], v["nodes"][0]["target"]) for v in result.response["violations"]
            ]
        browser.close()
    assert len(found) == len(cfg.sozialraeume) + 2  # every report, the overview, the index
    assert all(not v for v in found.values()), found
    assert not overflow, f"pages wider than the {width} px screen: {overflow}"


def test_chromium_test_is_not_skipped_in_ci():
    if os.environ.get("CI"):
        assert CHROMIUM, "make test must install chromium (scripts/systempakete.sh)"


def test_notebook_run_with_its_defaults_shows_the_first_sozialraum(tmp_path, cfg):
    """As an analyst in JupyterLab: no parameters, working directory notebooks/."""
    import papermill

    out = tmp_path / "interaktiv.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "sozialraumbericht.ipynb"),
        str(out),
        cwd=str(ROOT / "notebooks"),
        progress_bar=False,
        kernel_name="python3",
    )
    nb = json.loads(out.read_text(encoding="utf-8"))
    html = "".join(
        "".join(o.get("data", {}).get("text/html", ""))
        for c in nb["cells"]
        for o in c.get("outputs", [])
    )
    first = cfg.sozialraeume[0].name
    assert f"<h1>Sozialraum {first}</h1>" in html
    assert "Methodik, Quellen und Datenstand" in html


# -- a real city's shape by configuration alone, rendered through the real command -----------
@pytest.fixture(scope="module")
def berlin_like_run(tmp_path_factory):
    from test_report import make_berlin_like

    tmp = tmp_path_factory.mktemp("berlin_artig")
    notebooks = (
        "\n[bericht]\n"
        f'notebook_sozialraum = "{(ROOT / "notebooks" / "sozialraumbericht.ipynb").as_posix()}"\n'
        f'notebook_gesamtstadt = "{(ROOT / "notebooks" / "gesamtstadt.ipynb").as_posix()}"\n'
    )
    cfg_path = make_berlin_like(tmp / "stadt", config=lambda t: t + notebooks)
    out = tmp / "out"
    proc = subprocess.run(
        [str(SOZIALRAUM_CLI), "render", "--config", str(cfg_path), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out / "2020"


def test_berlin_like_pages_speak_the_city_s_language(berlin_like_run):
    from test_report import VERBOTEN

    pages = {p.stem: _soup(p) for p in berlin_like_run.glob("*.html") if p.stem != "index"}
    assert {"nord", "sued", "gesamtstadt"} <= set(pages)
    for name, soup in pages.items():
        main = " ".join(soup.find("main").get_text(" ").split())
        assert not VERBOTEN.findall(main), (name, sorted(set(VERBOTEN.findall(main))))
        assert "MSS 2021" in main and "Sozialbericht 2018" not in main
        assert "Datenquelle: Testamt Musterstadt, Monitoring 2021." in main
        assert "Beispieldaten" not in main, "real data: no sample banner"
        toc = " ".join(a.get_text() for a in soup.find("nav").find_all("a"))
        for word in ("Veranstaltung", "Bekanntheit", "Moderationskarten", "Feedback", "Handlungs"):
            assert word not in toc, (name, word)
        for heading in soup.find("main").find_all(["h2", "h3", "h4"]):
            assert heading.get_text(strip=True), f"{name}: empty heading"
    nord = " ".join(pages["nord"].find("main").get_text(" ").split())
    assert "Bezirk Nord" in nord and "Planungsraum-ID" in nord


def test_berlin_like_titles_footer_and_index_page(berlin_like_run):
    from test_report import VERBOTEN

    for page in berlin_like_run.glob("*.html"):
        soup = _soup(page)
        footer = soup.find("footer")
        assert footer is not None and "Datenquelle: Testamt Musterstadt" in footer.get_text()
        text = soup.find("title").get_text() + " " + soup.find("main").get_text(" ")
        assert not VERBOTEN.findall(text), (page.name, sorted(set(VERBOTEN.findall(text))))


# -- the analyst's own template ----------------------------------------------------------------
def test_render_does_not_render_the_analysis_template(rendered):
    """The batch renders only the configured notebooks; the template makes no report."""
    assert (ROOT / "notebooks" / "eigene-auswertung.ipynb").is_file()
    assert not [p.name for p in rendered.iterdir() if "eigene-auswertung" in p.name]


def test_analysis_template_runs_and_makes_a_table_and_a_map(tmp_path, cfg):
    """As an analyst opening it in JupyterLab: from ``bericht.daten`` to one table, one map."""
    import papermill

    src = ROOT / "notebooks" / "eigene-auswertung.ipynb"
    committed = json.loads(src.read_text(encoding="utf-8"))
    assert all(not c.get("outputs") for c in committed["cells"] if c["cell_type"] == "code")
    assert "Vorlage" in "".join(committed["cells"][0]["source"])
    out = tmp_path / "eigene.ipynb"
    papermill.execute_notebook(
        str(src), str(out), cwd=str(ROOT / "notebooks"), progress_bar=False, kernel_name="python3"
    )
    nb = json.loads(out.read_text(encoding="utf-8"))
    outputs = [o for c in nb["cells"] for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    bilder = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(bilder) == 1, "one map"
    tabellen = [
        "".join(o["data"]["text/html"])
        for o in outputs
        if "<table" in "".join(o.get("data", {}).get("text/html", ""))
    ]
    assert len(tabellen) == 1, "one table"
    first = cfg.sozialraeume[0]
    namen = [n for n, s in _quartier_namen(cfg) if s == first.id]
    assert namen and all(n in tabellen[0] for n in namen)
    zellen = [td.get_text() for td in BeautifulSoup(tabellen[0], "html.parser").find_all("td")]
    assert any(re.fullmatch(r"\d+,\d", z) for z in zellen), "German decimals (issue 16)"
    assert not [z for z in zellen if re.fullmatch(r"\d+\.\d", z)], "no English decimals"


def _quartier_namen(cfg) -> list[tuple[str, str]]:
    return [(p["quartier"], str(p["sozialraum_id"])) for p in _geo_quartiere()]


def test_every_sozialraum_report_compares_its_rounds(rendered, cfg):
    """Round 1's needs (from the cards of each Sozialraum's first event) appear in its report."""
    events = _read_csv(cfg.datei("veranstaltungen"))
    cards = _read_csv(cfg.datei("karten"))
    for s in cfg.sozialraeume:
        own = [e for e in events if e["sozialraum_id"] == s.id]
        first = min(own, key=lambda e: int(e["runde"]))
        needs = {k["text"] for k in cards if k["veranstaltung_id"] == first["veranstaltung_id"]}
        assert len({e["runde"] for e in own}) >= 2 and needs
        soup = _soup(rendered / f"{s.slug}.html")
        h2 = [h.get_text(" ", strip=True) for h in soup.find_all("h2")]
        assert f"Runden im Vergleich: {s.name}" in h2, h2
        section = soup.find("h2", string=re.compile("Runden im Vergleich")).find_parent("section")
        text = (section or soup).get_text(" ", strip=True)
        missing = [n for n in needs if n not in text]
        assert not missing, f"{s.name}: needs of round 1 missing: {missing[:3]}"
