"""In Chromium, as a committee member sees it: the map's tooltip, phones, links between reports."""

from __future__ import annotations

import shutil

import pytest
from bs4 import BeautifulSoup
from test_pdf import bericht_html

from sozialraum.present.interaktiv import stadtkarte_interaktiv, tabellen_fokussierbar
from sozialraum.publish.startseite import IndexEntry, write_index_page

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="make test installs chromium")
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        yield b
        b.close()


@pytest.fixture(scope="module")
def startseite(tmp_path_factory, cfg):
    from sozialraum.compute.store import prepare

    folder = tmp_path_factory.mktemp("startseite")
    prepared = prepare(cfg)
    links = {str(s.id): f"{s.slug}.html" for s in cfg.sozialraeume}
    for s in cfg.sozialraeume:
        (folder / f"{s.slug}.html").write_text(
            f'<!DOCTYPE html><html lang="de"><title>{s.slug}</title><h1>{s.name}</h1></html>',
            encoding="utf-8",
        )
    karte = stadtkarte_interaktiv(
        cfg, prepared.inputs.quartiere, prepared.result.index, links=links
    )
    entries = [IndexEntry(s.name, f"{s.slug}.html") for s in cfg.sozialraeume]
    return write_index_page(cfg, entries, folder / "index.html", karte, beispieldaten=True)


@pytest.fixture(scope="module")
def bericht(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bericht")
    nav = {
        "startseite": {"href": "index.html", "titel": "Sozialberichte 2023"},
        "vorher": {"href": "nord.html", "titel": "Sozialraum Nord"},
        "nachher": ("west.html", "Sozialraum <West>"),
        "pdf": "sued.pdf",
    }
    html = bericht_html(folder, bericht=nav, abschnitte=2, zeilen=8)
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    tabellen_fokussierbar(soup)  # as export.export_html does
    html.write_text(str(soup), encoding="utf-8")
    return html


def _tip(page) -> str:
    tip = page.locator(".ikarte-tip")
    return tip.inner_text() if tip.is_visible() else ""


def test_hover_shows_the_areas_tooltip(browser, startseite):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(startseite.as_uri())
    areas = page.locator(".ikarte .gebiet")
    assert areas.count() == 27
    assert not page.locator(".ikarte title").count()  # no second, native tooltip
    for k in (0, 13):
        area = areas.nth(k)
        area.scroll_into_view_if_needed()
        box = area.locator("path").bounding_box()
        # the middle of the bounding box may be a neighbour: hover a point inside the path
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        hovered = page.evaluate(
            "([x, y]) => document.elementFromPoint(x, y).closest('[data-gebiet]')"
            ".getAttribute('aria-label')",
            [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
        )
        name = hovered.split(":")[0]
        assert _tip(page).splitlines()[0] == name
        assert "Status:" in _tip(page)
    page.mouse.move(2, 2)
    assert _tip(page) == ""
    page.close()


def test_tab_focus_shows_the_tooltip_and_escape_hides_it(browser, startseite):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(startseite.as_uri())
    page.locator(".ikarte-weiter").focus()
    labels = []
    for _ in range(3):
        page.keyboard.press("Tab")
        label = page.evaluate("document.activeElement.getAttribute('aria-label')")
        labels.append(label)
        assert _tip(page).splitlines()[0] == label.split(":")[0]
    assert len(set(labels)) == 3
    page.keyboard.press("Escape")
    assert _tip(page) == ""
    page.close()


def test_click_on_an_area_opens_its_report(browser, startseite, cfg):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(startseite.as_uri())
    area = page.locator(".ikarte a.gebiet").first
    href = area.get_attribute("href")
    area.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/" + href)
    page.go_back()
    area = page.locator(".ikarte a.gebiet").nth(20)
    href = area.get_attribute("href")
    box = area.locator("path").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    under = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('a').getAttribute('href')", [x, y]
    )
    with page.expect_navigation():
        page.mouse.click(x, y)
    assert page.url.endswith("/" + under)
    page.close()


def test_map_works_without_javascript(browser, startseite):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(startseite.as_uri())
    svg = page.locator(".ikarte svg").bounding_box()
    assert svg["width"] > 300 and svg["height"] > 300
    assert page.locator(".ikarte .gebiet title").count() == 27
    assert page.locator(".ikarte-tip").count() == 0
    context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_index_page_passes_axe(browser, startseite, width):
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(startseite.as_uri())
    page.locator(".ikarte .gebiet").first.focus()  # with the tooltip open
    result = Axe().run(page, options=WCAG)
    violations = [(v["id"], v["nodes"][0]["target"]) for v in result.response["violations"]]
    assert not violations, violations
    page.close()


def test_phone_layout_scrolls_tables_not_the_page(browser, bericht):
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page.goto(bericht.as_uri())
    m = page.evaluate(
        """() => {
        const de = document.documentElement, f = document.querySelector('.tabelle');
        const cap = f.querySelector('caption').getBoundingClientRect();
        const img = document.querySelector('figure svg.abbildung, figure img')
            .getBoundingClientRect();
        f.scrollLeft = 200;
        const cell = f.querySelector('tbody tr > :first-child').getBoundingClientRect();
        const frame = f.getBoundingClientRect();
        return {page: de.scrollWidth - de.clientWidth, frame: f.scrollWidth - f.clientWidth,
                scrolled: f.scrollLeft, cellLeft: cell.left - frame.left,
                capRight: cap.right - frame.right, imgRight: img.right - de.clientWidth,
                capLines: cap.height};
    }"""
    )
    assert m["page"] == 0, m  # the page never scrolls sideways
    assert m["frame"] > 100 and m["scrolled"] > 0, m  # the table scrolls in its frame
    assert abs(m["cellLeft"]) < 1, m  # first column stays in view
    assert m["capRight"] <= 1, m  # the caption wraps inside the frame
    assert m["imgRight"] <= 0, m
    page.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_report_page_passes_axe(browser, bericht, width):
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(bericht.as_uri())
    result = Axe().run(page, options=WCAG)
    violations = [(v["id"], v["nodes"][0]["target"]) for v in result.response["violations"]]
    assert not violations, violations
    page.close()


def test_report_links_to_index_and_neighbours(bericht):
    soup = BeautifulSoup(bericht.read_text(encoding="utf-8"), "html.parser")
    top, bottom = soup.select("nav.berichtsnavigation")
    assert top["aria-label"] != bottom["aria-label"]
    assert [a["href"] for a in top.select("a")] == [
        "index.html",
        "nord.html",
        "west.html",
        "#toc-t",  # the contents, one tap away on a phone (shown there only)
        "sued.pdf",
    ]
    assert top.select_one("a[rel=next]").get_text(strip=True) == (
        "Nächster Bericht: Sozialraum <West>→"
    )
    assert "<West>" not in str(top)  # escaped


def test_report_without_navigation_keys_has_no_nav(tmp_path):
    html = bericht_html(tmp_path, abschnitte=1, zeilen=2).read_text(encoding="utf-8")
    assert '<nav class="berichtsnavigation' not in html


# -- the map in every report: hover and keyboard show the right area ---------------------------
@pytest.fixture(scope="module")
def sozialraum_seite(sample_render, cfg):
    """One Sozialraum report and the city-wide report, rendered by the real command."""
    _, folder = sample_render
    sr = cfg.sozialraeume[0]
    return sr, folder / f"{sr.slug}.html", folder / "gesamtstadt.html"


def _erwartet(cfg, sr) -> dict[str, tuple[str, str]]:
    """Area name -> (status, dynamics) as the report's own data say."""
    from sozialraum.publish.sozialraumbericht import Sozialraumbericht

    q = Sozialraumbericht.laden(sr.id, config=cfg.pfad).daten.quartiere
    return {
        n: (str(s), str(d))
        for n, s, d in zip(q["quartier"], q["status_klasse"], q["dynamik_klasse"], strict=True)
    }


@pytest.mark.slow
def test_report_map_hover_shows_the_right_areas_tooltip(browser, sozialraum_seite, cfg):
    sr, seite, _ = sozialraum_seite
    erwartet = _erwartet(cfg, sr)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(seite.as_uri())
    karte = page.locator("figure.ikarte").first
    areas = karte.locator(".gebiet")
    assert areas.count() == len(erwartet)  # only the areas of this Sozialraum
    gesehen = set()
    for k in range(areas.count()):
        area = areas.nth(k)
        area.scroll_into_view_if_needed()
        box = area.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        under = page.evaluate(
            "([x, y]) => { const e = document.elementFromPoint(x, y).closest('[data-gebiet]');"
            " return e ? e.getAttribute('aria-label') : null; }",
            [x, y],
        )
        if under is None:  # the middle of a concave area's box lies outside it
            continue
        page.mouse.move(x, y)
        zeilen = _tip(page).splitlines()
        name = zeilen[0]
        assert under.startswith(name + ":")
        status, dynamik = erwartet[name]
        assert f"Status: {status}" in zeilen and f"Dynamik: {dynamik}" in zeilen
        assert any(
            z.startswith(f"{cfg.indikatoren[0].kurz} {cfg.methode.berichtsjahr}: ") for z in zeilen
        )
        gesehen.add(name)
    assert gesehen, "no area was hovered"
    page.mouse.move(2, 2)
    assert _tip(page) == ""
    page.close()


@pytest.mark.slow
def test_report_map_keyboard_focus_shows_each_areas_tooltip(browser, sozialraum_seite, cfg):
    sr, seite, _ = sozialraum_seite
    erwartet = _erwartet(cfg, sr)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(seite.as_uri())
    page.locator("figure.ikarte .ikarte-weiter").first.focus()
    namen = []
    for _ in erwartet:
        page.keyboard.press("Tab")
        label = page.evaluate("document.activeElement.getAttribute('aria-label')")
        zeilen = _tip(page).splitlines()
        assert label.startswith(zeilen[0] + ":")
        assert f"Status: {erwartet[zeilen[0]][0]}" in zeilen
        namen.append(zeilen[0])
    assert sorted(namen) == sorted(erwartet)  # every area once, in the tab order
    page.keyboard.press("Escape")
    assert _tip(page) == ""
    page.close()


@pytest.mark.slow
def test_city_report_map_shows_every_area_and_stays_static_without_script(
    browser, sozialraum_seite, cfg
):
    _, _, stadt = sozialraum_seite
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(stadt.as_uri())
    karte = page.locator("figure.ikarte").first
    assert karte.locator(".gebiet").count() == 27
    assert karte.locator("title").count() == 27  # the native tooltip stays without script
    assert karte.locator("svg").bounding_box()["height"] > 200
    ctx.close()


# -- Content-Security-Policy (issue 16) ------------------------------------------------------
_VERSTOSS_SAMMELN = (
    "window.__verstoesse = [];"
    "document.addEventListener('securitypolicyviolation',"
    " e => window.__verstoesse.push(e.violatedDirective + ' ' + e.blockedURI));"
)


def _oeffnen(browser, pfad):
    """A page with every CSP violation collected (events and console), before any script runs."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    meldungen = []
    page.on("console", lambda m: meldungen.append(m.text))
    page.add_init_script(_VERSTOSS_SAMMELN)
    page.goto(pfad.as_uri())
    return page, meldungen


def _verstoesse(page, meldungen) -> list[str]:
    csp = [m for m in meldungen if "Content Security Policy" in m or m.startswith("Refused")]
    return csp + page.evaluate("window.__verstoesse")


def test_index_page_and_report_break_no_csp_rule_and_the_map_still_works(browser, startseite):
    page, meldungen = _oeffnen(browser, startseite)
    policy = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
    assert "default-src 'none'" in policy and "'sha256-" in policy
    area = page.locator(".ikarte .gebiet").first
    area.scroll_into_view_if_needed()
    area.hover()
    assert "Status:" in _tip(page), "the hashed script runs"
    assert _verstoesse(page, meldungen) == []
    page.close()


def test_report_page_breaks_no_csp_rule(browser, bericht):
    page, meldungen = _oeffnen(browser, bericht)
    assert page.locator('meta[http-equiv="Content-Security-Policy"]').count() == 1
    page.wait_for_load_state("load")
    assert _verstoesse(page, meldungen) == []
    page.close()


@pytest.mark.slow
def test_rendered_reports_break_no_csp_rule(browser, sozialraum_seite):
    _, seite, stadt = sozialraum_seite
    for pfad in (seite, stadt):
        page, meldungen = _oeffnen(browser, pfad)
        page.wait_for_load_state("load")
        assert _verstoesse(page, meldungen) == [], pfad.name
        page.close()


def test_an_injected_script_without_the_hash_is_blocked(browser, startseite, tmp_path):
    html = startseite.read_text(encoding="utf-8")
    boese = "<script>document.title = 'gekapert';</script>"
    assert "Content-Security-Policy" in html
    kaputt = tmp_path / "index.html"
    kaputt.write_text(
        html.replace("</main>", boese + "<img src='http://127.0.0.1:9/x.png'></main>")
    )
    page, meldungen = _oeffnen(browser, kaputt)
    page.wait_for_load_state("load")
    assert page.title() != "gekapert"
    gemeldet = " ".join(_verstoesse(page, meldungen))
    assert "script-src" in gemeldet and "img-src" in gemeldet
    page.close()


def _ungeteilt(html: str) -> str:
    """The page as it was before its shared outlines were written once (publish/formen.py)."""
    soup = BeautifulSoup(html, "html.parser")
    formen = {p["id"]: p for p in soup.select("defs > path[id^=form-]")}
    for use in soup.find_all("use"):
        form = formen.get(use.get("xlink:href", "").removeprefix("#"))
        if form is not None:
            attrs = {k: v for k, v in use.attrs.items() if k != "xlink:href"}
            use.replace_with(soup.new_tag("path", attrs={"d": form["d"], **attrs}))
    for form in formen.values():
        form.decompose()
    return str(soup)


@pytest.mark.slow
def test_shared_outlines_draw_the_same_pixels(browser, sozialraum_seite, tmp_path):
    _, unit_page, _ = sozialraum_seite
    html = unit_page.read_text(encoding="utf-8")
    assert "form-1" in html
    (tmp_path / "ungeteilt.html").write_text(_ungeteilt(html), encoding="utf-8")
    shots = []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    for path in (unit_page, tmp_path / "ungeteilt.html"):
        page.goto(path.as_uri())
        shots.append(page.screenshot(full_page=True))
    page.close()
    assert shots[0] == shots[1]
