"""The pictures in ``docs/ansicht/``: how a committee member sees a report on screen and on paper.

Renders one sample report and, when Berlin's published files lie beside the project, one Berlin
Bezirk (each with its PDF) into a temporary folder, then writes for each:

- ``<name>-1280.png`` and ``<name>-390.png``: the first screen in Chromium at 1280 × 800 and on a
  phone (390 × 844);
- ``<name>-1280-karte.png`` and ``<name>-390-karte.png``: the screen at the status map (the
  first subsection of the index section);
- ``<name>-pdf.png``: every page of the printed report side by side (poppler, low resolution),
  and ``<name>-pdf-seite-1.png``, ``<name>-pdf-seite-3.png``: two pages large enough to read.

Usage: ``.venv/bin/python scripts/ansicht.py [--out docs/ansicht]``. The pictures are made by this
script only, so they can be made again after any change to the reports.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

from sozialraum.config import load_config
from sozialraum.publish.batch import run_batch
from sozialraum.publish.pdf import chromium_pfad

ROOT = Path(__file__).resolve().parents[1]
BEISPIEL = (ROOT / "config" / "oberhausen.toml", "Osterfeld", "beispiel-osterfeld")
BERLIN = (ROOT / "examples" / "berlin-mss-2021" / "berlin.toml", "Mitte", "berlin-mitte")
BERLIN_DATEN = ROOT.parent / "shared" / "real" / "berlin-mss-2021"

BILDSCHIRME = {1280: (1280, 800), 390: (390, 844)}


def rendern(config: Path, einheit: str, out: Path) -> tuple[Path, Path]:
    """The report's HTML and PDF, rendered from the config's data into ``out``."""
    cfg = load_config(config)
    result = run_batch(
        cfg, sozialraeume=[einheit], gesamtstadt=False, out=out, jobs=1, progress=False, pdf=True
    )
    if not result.render.ok:
        raise SystemExit("; ".join(f.message for f in result.render.failed))
    html = next(p for p in out.rglob("*.html") if p.name != "index.html")
    return html, html.with_suffix(".pdf")


def bildschirm(html: Path, ziel: Path, name: str) -> list[Path]:
    """First screen and the status map at each width."""
    bilder = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_pfad() or "/usr/bin/chromium",
            args=["--no-sandbox", "--disable-background-networking"],
        )
        for breite, (w, h) in BILDSCHIRME.items():
            page = browser.new_page(viewport={"width": w, "height": h})
            page.goto(html.resolve().as_uri())
            page.wait_for_load_state("load")
            bilder.append(ziel / f"{name}-{breite}.png")
            page.screenshot(path=str(bilder[-1]))
            # the first subsection of the index section: the status map and its legend
            karte = page.locator("main h3").first
            if karte.count():
                karte.evaluate("e => e.scrollIntoView({block: 'start'})")
                bilder.append(ziel / f"{name}-{breite}-karte.png")
                page.screenshot(path=str(bilder[-1]))
            page.close()
        browser.close()
    return bilder


def papier(pdf: Path, ziel: Path, name: str, spalten: int = 6) -> list[Path]:
    """All pages of ``pdf`` as one contact sheet (page 1 top left), and pages 1 and 3."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", "28", "-png", str(pdf), f"{tmp}/s"], check=True)
        seiten = [Image.open(p) for p in sorted(Path(tmp).glob("s-*.png"))]
        w, h = seiten[0].size
        zeilen = -(-len(seiten) // spalten)
        blatt = Image.new("RGB", (spalten * (w + 8) + 8, zeilen * (h + 8) + 8), "#9a9a9a")
        for i, s in enumerate(seiten):
            blatt.paste(s, (8 + (i % spalten) * (w + 8), 8 + (i // spalten) * (h + 8)))
        out = [ziel / f"{name}-pdf.png"]
        blatt.save(out[0], optimize=True)
        for nr in (1, 3):  # the title page and the status map, large enough to read
            stamm = ziel / f"{name}-pdf-seite-{nr}"
            befehl = ["pdftoppm", "-r", "60", "-png", "-singlefile", "-f", str(nr), "-l", str(nr)]
            subprocess.run([*befehl, str(pdf), str(stamm)], check=True)
            out.append(stamm.with_suffix(".png"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "ansicht")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    faelle = [BEISPIEL] + ([BERLIN] if BERLIN_DATEN.is_dir() else [])
    if len(faelle) == 1:
        print(f"Berlin fehlt ({BERLIN_DATEN} nicht vorhanden): nur der Beispielbericht.")
    for config, einheit, name in faelle:
        with tempfile.TemporaryDirectory() as tmp:
            html, pdf = rendern(config, einheit, Path(tmp))
            for bild in [*bildschirm(html, args.out, name), *papier(pdf, args.out, name)]:
                print(bild.relative_to(ROOT) if bild.is_relative_to(ROOT) else bild)


if __name__ == "__main__":
    main()
