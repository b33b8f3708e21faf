"""Legible at every size, measured in Chromium at 1280 px: figures and tables as a reader sees them.

Every text of a figure (an inline matplotlib SVG) is measured where the browser draws it: its
rendered font size (computed font size × the SVG's scale, rendered width / viewBox width) is at
least 9 CSS px, no two texts of one figure overlap, none leaves its figure. Every table keeps all
its columns within its frame, without sideways scrolling. Measured on the sample's reports (the
shared render) and on a city of 500 areas in two units (one unit report and the overview,
rendered once for this module).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="make test installs chromium")

MIN_PX = 9.0  # smallest rendered text, CSS px at a 1280 px window
EPS = 1.0  # px: boxes that touch (lines of one label, 1.2 em apart) do not overlap

#: per figure: rendered font size, box of every text; overlaps and texts outside the figure
MESSUNG = """(eps) => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const out = [];
  document.querySelectorAll('svg.abbildung, figure.ikarte svg').forEach((svg, nr) => {
    const box = svg.getBoundingClientRect();
    if (box.width === 0) return;  // print only
    const vb = svg.viewBox.baseVal;
    // the drawing within the element: an interactive map keeps its aspect ("meet") and may
    // leave room beside it, where a label would be cut on a narrower screen
    const scale = Math.min(box.width / vb.width, box.height / vb.height);
    const dx = (box.width - vb.width * scale) / 2, dy = (box.height - vb.height * scale) / 2;
    const r = {left: box.left + dx, right: box.right - dx, top: box.top + dy,
               bottom: box.bottom - dy, width: box.width - 2 * dx};
    const texte = [];
    svg.querySelectorAll('text').forEach(t => {
      const b = t.getBoundingClientRect();
      if (b.width === 0 || !t.textContent.trim()) return;
      const fs = parseFloat(getComputedStyle(t).fontSize);
      const clip = t.closest('[clip-path]');
      let rahmen = null;
      if (clip) {
        const id = clip.getAttribute('clip-path').match(/#([^)]*)/)[1];
        const rect = svg.querySelector('[id="' + id + '"] rect');
        if (rect) {
          const m = svg.getScreenCTM(), x = rect.x.baseVal.value, y = rect.y.baseVal.value;
          rahmen = {left: m.e + m.a * x, top: m.f + m.d * y,
                    right: m.e + m.a * (x + rect.width.baseVal.value),
                    bottom: m.f + m.d * (y + rect.height.baseVal.value)};
        }
      }
      // the em box: the font's box less its line gap above the ascenders (0.16 em in DejaVu)
      texte.push({text: t.textContent.trim(), px: fs * scale, rahmen,
                  l: b.left, r: b.right, t: Math.max(b.top, b.bottom - fs * scale), b: b.bottom});
    });
    const ueberlappungen = [], draussen = [];
    for (let i = 0; i < texte.length; i++) {
      const a = texte[i];
      let k = a.rahmen || r;  // a label clipped to its map's frame must lie within the frame
      if (a.l < k.left - eps || a.r > k.right + eps || a.t < k.top - eps || a.b > k.bottom + eps)
        draussen.push(a.text);
      for (let j = i + 1; j < texte.length; j++) {
        const c = texte[j];
        const w = Math.min(a.r, c.r) - Math.max(a.l, c.l);
        const h = Math.min(a.b, c.b) - Math.max(a.t, c.t);
        if (w > eps && h > eps) ueberlappungen.push([a.text, c.text, +w.toFixed(1), +h.toFixed(1)]);
      }
    }
    out.push({nr, titel: svg.getAttribute('aria-label') || '', breite: r.width,
              entwurf: +svg.getAttribute('width'), texte, ueberlappungen, draussen});
  });
  return out;
}"""

#: per picture (a map too detailed for SVG is a PNG): its shown and its design width
BILDER = """() => [...document.querySelectorAll('figure > img')]
  .filter(i => i.getBoundingClientRect().width > 0)
  .map(i => ({alt: i.alt.slice(0, 60), breite: i.getBoundingClientRect().width,
              entwurf: +i.getAttribute('width')}))"""

#: per table: how far it reaches beyond its frame and whether the frame hides columns
TABELLEN = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const out = [];
  document.querySelectorAll('main table, body table').forEach((t, nr) => {
    const r = t.getBoundingClientRect();
    if (r.width === 0) return;
    const frame = t.closest('.tabelle') || t.parentElement;
    const f = frame.getBoundingClientRect();
    const main = (t.closest('main') || document.body).getBoundingClientRect();
    out.push({nr, caption: (t.caption ? t.caption.textContent : '').trim().slice(0, 60),
              ueber: r.right - Math.min(f.right, main.right + 14 * 16),
              versteckt: frame.scrollWidth > frame.clientWidth + 1});
  });
  return out;
}"""


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def grossstadt(tmp_path_factory) -> Path:
    """A city of 500 areas in 2 units: one unit report and the overview, rendered once."""
    from click.testing import CliRunner

    from sozialraum import synthetic
    from sozialraum.cli import main

    root = tmp_path_factory.mktemp("grossstadt")
    config = synthetic.make_city(root / "stadt", areas=500, units=2)
    out = root / "reports"
    args = ["render", "--config", str(config), "--out", str(out), "--jobs", "1"]
    args += ["--sozialraum", "Bezirk 01", "--gesamtstadt"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return out / "2023"


def _messen(browser, html: Path, breite: int = 1280) -> tuple[list[dict], list[dict], list[dict]]:
    page = browser.new_page(viewport={"width": breite, "height": 900})
    try:
        page.goto(html.as_uri())
        return page.evaluate(MESSUNG, EPS), page.evaluate(TABELLEN), page.evaluate(BILDER)
    finally:
        page.close()


def _fehler(figuren: list[dict], tabellen: list[dict], bilder: list[dict]) -> list[str]:
    out = []
    for b in bilder:  # a picture's text is as large as designed only at its design width
        if b["breite"] < b["entwurf"] - 1:
            out.append(f"Bild {b['alt']!r}: {b['breite']:.0f} statt {b['entwurf']} px breit")
    for f in figuren:
        name = f"Abbildung {f['nr']} ({f['titel'][:50]}…)"
        klein = sorted({(round(t["px"], 1), t["text"]) for t in f["texte"] if t["px"] < MIN_PX})
        if klein:
            out.append(f"{name}: {len(klein)} Texte unter {MIN_PX} px, z. B. {klein[:3]}")
        if f["ueberlappungen"]:
            out.append(f"{name}: überlappende Texte {f['ueberlappungen'][:3]}")
        if f["draussen"]:
            out.append(f"{name}: Texte außerhalb des Rahmens {f['draussen'][:3]}")
    for t in tabellen:
        if t["ueber"] > EPS or t["versteckt"]:
            zeile = f"Tabelle {t['caption']!r}: ragt {t['ueber']:.0f} px hinaus"
            out.append(zeile + (", Spalten nur mit seitlichem Scrollen" if t["versteckt"] else ""))
    return out


@pytest.mark.parametrize("seite", ["osterfeld", "sterkrade-nord", "gesamtstadt"])
def test_sample_figures_and_tables_are_legible_at_1280(browser, sample_render, seite):
    figuren, tabellen, bilder = _messen(browser, sample_render[1] / f"{seite}.html")
    assert len(figuren) >= 3 and all(f["texte"] for f in figuren)
    assert _fehler(figuren, tabellen, bilder) == []


@pytest.mark.parametrize("seite", ["bezirk-01", "gesamtstadt"])
def test_500_area_city_figures_and_tables_are_legible_at_1280(browser, grossstadt, seite):
    figuren, tabellen, bilder = _messen(browser, grossstadt / f"{seite}.html")
    assert len(figuren) >= 2 and tabellen
    assert _fehler(figuren, tabellen, bilder) == []


@pytest.mark.parametrize("seite", ["osterfeld", "index"])
def test_interactive_map_names_stay_on_the_map_on_a_phone(browser, sample_render, seite):
    """At 390 px the interactive map fills the width: a name past the drawing's edge is cut."""
    figuren, _, _ = _messen(browser, sample_render[1] / f"{seite}.html", breite=390)
    karten = [f for f in figuren if f["entwurf"] == 0]  # the interactive maps have no width
    assert karten and all(k["texte"] for k in karten)
    assert [(k["titel"][:40], k["draussen"], k["ueberlappungen"]) for k in karten
            if k["draussen"] or k["ueberlappungen"]] == []  # fmt: skip
