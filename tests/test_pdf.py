"""PDF for print: A4, every page numbered and titled, the sample-data marker on every page."""

from __future__ import annotations

import base64
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from uhr import anderer_tag

from sozialraum.publish import pdf as pdfmod
from sozialraum.publish.export import export_html
from sozialraum.publish.jobs import FUSSNOTE_BEISPIELDATEN, Job
from sozialraum.publish.pdf import PdfFehler, html_to_pdf, seitenrand_css

CHROMIUM = pdfmod.chromium_pfad()
PDFTOTEXT = shutil.which("pdftotext")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None or PDFTOTEXT is None, reason="make test installs chromium and poppler-utils"
)
TITEL = 'Sozialraumbericht Süd "A&B" </style> 2023'


# -- a report page built like the real ones, without running a notebook ------------------------
def _png(width: float = 6.0, height: float = 7.5) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width, height), dpi=60)
    ax.fill([0, 1, 1, 0], [0, 0, 1, 1], color="#fdae61")
    ax.set_title("Karte")
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def _tabelle(n_rows: int, titel: str, spalten: int = 5) -> str:
    head = "".join(
        f'<th scope="col" class="zahl">Anteil Bedarfsgemeinschaften {j}</th>'
        for j in range(spalten)
    )
    rows = "".join(
        f'<tr><th scope="row">Q{i:02d}</th>'
        + "".join(f'<td class="zahl">{i + j},{j} %</td>' for j in range(spalten))
        + "</tr>"
        for i in range(n_rows)
    )
    return (
        f'<div class="tabelle"><table><caption>{titel}</caption>'
        f'<thead><tr><th scope="col">Gebiet</th>{head}</tr></thead><tbody>{rows}</tbody></table>'
        '<p class="klein"><a download="t.csv" href="data:text/csv;base64,YQ==" '
        'aria-label="CSV herunterladen: t.csv">CSV herunterladen</a></p></div>'
    )


def _html_cell(html: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": html})]
    return cell


def bericht_notebook(abschnitte: int = 4, zeilen: int = 45) -> nbformat.NotebookNode:
    """A notebook shaped like a report: headings, text, full-page maps, long tables."""
    png = _png()
    absatz = (
        "Der Statusindex fasst die Indikatoren je Quartier zusammen; er zeigt, wo sich "
        "soziale Benachteiligung häuft, und sagt allein noch nicht, wo gehandelt werden muss. "
    ) * 4
    cells = [nbformat.v4.new_markdown_cell("# Sozialraum Süd\n\n" + absatz)]
    for k in range(1, abschnitte + 1):
        cells.append(nbformat.v4.new_markdown_cell(f"## Abschnitt {k}\n\n{absatz}\n\n{absatz}"))
        cells.append(
            _html_cell(
                f'<figure><img src="data:image/png;base64,{png}" alt="Karte {k}">'
                f"<figcaption>Statusindex, Karte {k}</figcaption></figure>"
            )
        )
        cells.append(nbformat.v4.new_markdown_cell(f"### Tabelle {k}\n\n{absatz}"))
        cells.append(_html_cell(_tabelle(zeilen, f"Tabelle {k}: Anteile in den Quartieren")))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def bericht_html(
    folder: Path,
    *,
    slug: str = "sued",
    titel: str = TITEL,
    beispieldaten: bool = True,
    bericht: dict | None = None,
    **kwargs,
) -> Path:
    """Export the sample notebook through our template, as publish/export.py does."""
    out = folder / f"{slug}.html"
    job = Job(slug, folder / f"{slug}.ipynb", {}, out, title=titel)
    resources = {
        "herausgeber": "Stadt Beispiel, Sozialplanung",
        "quellenangabe": "Daten: Stadt Beispiel",
        "version": "0",
        "fussnote": FUSSNOTE_BEISPIELDATEN if beispieldaten else "",
        **(bericht or {}),
    }
    out.write_text(export_html(bericht_notebook(**kwargs), job, resources), encoding="utf-8")
    return out


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        [PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def _pdfinfo(pdf: Path) -> str:
    return subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout


# -- without a browser ---------------------------------------------------------------------------
def test_title_is_a_safe_css_string():
    css = seitenrand_css('a"b\\c</style><script>alert(1)</script>\nx', True)
    top_left = css.splitlines()[1]
    assert "</" not in css and "<" not in css
    assert top_left.count('"') == 2  # the string is not ended early
    assert "BEISPIELDATEN" in css
    assert "BEISPIELDATEN" not in seitenrand_css("T", False)


def test_missing_chromium_says_how_to_install_it(tmp_path, monkeypatch):
    html = tmp_path / "b.html"
    html.write_text("<html><head></head><body>x</body></html>", encoding="utf-8")
    monkeypatch.setenv("PATH", str(tmp_path / "leer"))
    monkeypatch.delenv(pdfmod.CHROMIUM_ENV, raising=False)
    with pytest.raises(PdfFehler, match="apt-get install chromium"):
        html_to_pdf(html, tmp_path / "b.pdf", titel="T", beispieldaten=False)
    assert html.read_text(encoding="utf-8") == "<html><head></head><body>x</body></html>"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.html"]


def test_failing_chromium_leaves_html_and_old_pdf_standing(tmp_path):
    html = tmp_path / "b.html"
    html.write_text("<html><head></head><body>x</body></html>", encoding="utf-8")
    old = tmp_path / "b.pdf"
    old.write_bytes(b"%PDF-1.4 alt")
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\necho 'Fatal: kaputt' >&2\nexit 3\n", encoding="utf-8")
    fake.chmod(0o755)
    with pytest.raises(PdfFehler, match="Exit-Code 3.*kaputt"):
        html_to_pdf(html, old, titel="T", beispieldaten=True, chromium=str(fake))
    assert old.read_bytes() == b"%PDF-1.4 alt"
    assert html.is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.html", "b.pdf", "chromium"]


def test_template_carries_the_print_margins(tmp_path):
    page = bericht_html(tmp_path, abschnitte=1, zeilen=3).read_text(encoding="utf-8")
    style = re.search(r'<style media="print">(.*?)</style>', page, re.S).group(1)
    assert "@top-left" in style and "Sozialraumbericht S" in style
    assert "</" not in style and '"A&B"' not in style  # quotes and & escaped for CSS
    assert "BEISPIELDATEN" in style
    plain = bericht_html(tmp_path, slug="echt", beispieldaten=False, abschnitte=1, zeilen=3)
    assert "BEISPIELDATEN" not in plain.read_text(encoding="utf-8")


# -- with Chromium -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def druck(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pdf")
    html = bericht_html(folder)
    pdf = html_to_pdf(html, folder / "sued.pdf", titel=TITEL, beispieldaten=True)
    return html, pdf


@needs_chromium
def test_every_page_has_number_title_and_marker(druck):
    _, pdf = druck
    pages = _pages(pdf)
    n = len(pages)
    assert 6 <= n <= 20, n  # 4 full-page maps and 4 tables of 45 rows
    for i, text in enumerate(pages, start=1):
        assert f"Seite {i} von {n}" in text, (i, text[-300:])
        assert "BEISPIELDATEN" in text, i
        assert 'Sozialraumbericht Süd "A&B" </style> 2023' in text, i


@needs_chromium
def test_pdf_is_a4_tagged_with_text(druck):
    _, pdf = druck
    info = _pdfinfo(pdf)
    assert "(A4)" in info
    assert re.search(r"Tagged:\s+yes", info)
    text = "".join(_pages(pdf))
    assert "Der Statusindex fasst die Indikatoren" in text
    assert "Q44" in text
    assert "CSV herunterladen" not in text  # a download link means nothing on paper
    assert "Inhalt" not in text.split("Sozialraum Süd", 1)[0]  # no table of contents on paper


@needs_chromium
def test_tables_repeat_their_header_and_headings_never_end_a_page(druck):
    _, pdf = druck
    pages = _pages(pdf)
    for text in pages:
        body = [ln.strip() for ln in text.splitlines() if ln.strip()]
        body = [ln for ln in body if not ln.startswith(("Seite ", "Sozialraumbericht"))]
        rows = [i for i, ln in enumerate(body) if re.match(r"Q\d\d ", ln)]
        if rows:  # a page with table rows shows the header row above them
            first_row = rows[0]
            assert any(ln.startswith("Gebiet") for ln in body[:first_row]), body[:first_row]
        last = body[-1] if body else ""
        assert not re.fullmatch(r"(Abschnitt|Tabelle) \d", last), last


@needs_chromium
def test_no_near_empty_pages(druck):
    _, pdf = druck
    pages = _pages(pdf)
    # every page but the last has more than its margin lines and a few words
    for i, text in enumerate(pages[:-1], start=1):
        words = [w for w in text.split() if w not in ("Seite", "von")]
        assert len(words) > 25, (i, text)


@needs_chromium
def test_pdf_without_sample_data_has_no_marker(tmp_path):
    html = bericht_html(tmp_path, beispieldaten=False, abschnitte=1, zeilen=60)
    pdf = html_to_pdf(html, tmp_path / "sued.pdf", titel="Bericht Süd", beispieldaten=False)
    pages = _pages(pdf)
    assert len(pages) >= 2
    assert all("BEISPIELDATEN" not in p for p in pages)
    assert all(f"Seite {i} von {len(pages)}" in p for i, p in enumerate(pages, start=1))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sued.html", "sued.pdf"]


def test_same_page_printed_on_two_days_gives_the_same_pdf_bytes(tmp_path):
    html = tmp_path / "seite.html"
    html.write_text(
        "<!DOCTYPE html><html lang='de'><head><meta charset='utf-8'><title>T</title></head>"
        "<body><h1>Bericht</h1><p>Inhalt</p></body></html>",
        encoding="utf-8",
    )
    script = (
        "import sys; from pathlib import Path; from sozialraum.publish.pdf import html_to_pdf; "
        "html_to_pdf(Path(sys.argv[1]), Path(sys.argv[2]), titel='T', beispieldaten=False)"
    )
    outs = []
    for day in ("2026-01-05 10:00:00", "2026-03-09 15:30:00"):
        out = tmp_path / f"{day[:10]}.pdf"
        env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
        subprocess.run(
            [sys.executable, "-c", script, str(html), str(out)],
            check=True,
            env=anderer_tag(env, day, tmp_path / f"uhr-{day[:10]}"),
            timeout=180,
        )
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert b"(D:20231114221320" in outs[0]  # the moment of SOURCE_DATE_EPOCH, in UTC


@needs_chromium
@pytest.mark.slow
def test_a_real_report_prints_without_split_figures_or_near_empty_pages(tmp_path, cfg):
    """The sample report with its SVG maps and its tallest chart (awareness of ~30 offers)."""
    from sozialraum.publish.batch import run_batch

    sr = cfg.sozialraeume[2]
    result = run_batch(cfg, sozialraeume=[sr.id], gesamtstadt=False, out=tmp_path, jobs=1,
                       progress=False, pdf=True)  # fmt: skip
    assert result.render.ok, [f.message for f in result.render.failed]
    pdf = tmp_path / str(cfg.methode.berichtsjahr) / f"{sr.slug}.pdf"
    pages = _pages(pdf)
    for i, text in enumerate(pages[:-1], start=1):
        words = [w for w in text.split() if w not in ("Seite", "von")]
        assert len(words) > 25, (i, text)
    # a figure taller than a page would be cut in two: its caption then stands on a page that
    # shows none of its labels; every caption shares its page with the figure's own text
    for i, text in enumerate(pages, start=1):
        if "Bekanntheit der Angebote in" in text:
            assert "Anteil „JA“" in text, (i, text[:400])
