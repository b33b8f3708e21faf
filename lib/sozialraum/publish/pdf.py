"""Print a finished report page to an A4 PDF with the system's Chromium, offline.

The page already carries its print stylesheet (``@media print`` in ``bericht.css``): A4, the
report title at the top left of every page, "Seite n von m" at the bottom right, headings kept
with what follows, figures with their captions, tables broken between rows with the header row
repeated. :func:`html_to_pdf` adds one small ``style`` element with the title and, for invented
data, the marker "Beispieldaten" in the top margin of *every* page (CSS page-margin boxes, Chromium
131 or newer), so any HTML page prints the same way, not only our reports.

Chromium is driven from the command line (``--headless --print-to-pdf``), so no Python package
beyond the standard library is needed: Debian's ``chromium`` is enough. The PDF is tagged (the
heading and table structure reaches screen readers) and has a document outline from the
headings. Nothing is downloaded: the pages are self-contained and the browser runs with a fresh,
throw-away profile and without background networking.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

#: Environment variable naming the Chromium (or Chrome) executable to use.
CHROMIUM_ENV = "SOZIALRAUM_CHROMIUM"
_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Seconds one page may take; a report with twenty maps prints in about five.
TIMEOUT = 180.0
#: Printed in the top margin of every page of a report built from invented data.
MARKER_BEISPIELDATEN = "BEISPIELDATEN – keine amtliche Veröffentlichung"
INSTALL_HINT = (
    "Für PDF-Ausgaben wird Chromium gebraucht. Installieren mit\n"
    "    sudo apt-get install chromium\n"
    "(Debian/Ubuntu; unter anderen Systemen Chromium oder Google Chrome installieren) "
    f"oder den Pfad zum Programm in der Umgebungsvariablen {CHROMIUM_ENV} angeben."
)


class PdfFehler(RuntimeError):
    """The PDF could not be written; the message says why in German. The HTML stays as it is."""


def chromium_pfad() -> str | None:
    """The Chromium executable: ``$SOZIALRAUM_CHROMIUM`` or the first one on ``PATH``."""
    explicit = os.environ.get(CHROMIUM_ENV, "").strip()
    if explicit:
        return explicit if Path(explicit).is_file() else shutil.which(explicit)
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _css_string(text: str) -> str:
    """``text`` as a double-quoted CSS string that cannot end the string or the style element."""
    text = " ".join(str(text).split())  # no newlines in a page margin
    out = []
    for ch in text:
        if ch in '"\\<>&' or ord(ch) < 0x20 or ch == "\x7f":
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def seitenrand_css(titel: str, beispieldaten: bool) -> str:
    """The ``@page`` rules putting title, page number and the marker into every page margin."""
    rules = [
        "@page {",
        f"  @top-left {{ content: {_css_string(titel)}; }}",
        '  @bottom-right { content: "Seite " counter(page) " von " counter(pages); }',
    ]
    if beispieldaten:
        rules.append(f"  @top-right {{ content: {_css_string(MARKER_BEISPIELDATEN)}; }}")
    else:
        rules.append("  @top-right { content: none; }")
    rules.append("}")
    return "\n".join(rules)


_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)


def _with_margins(page: str, titel: str, beispieldaten: bool) -> str:
    style = f'<style media="print">\n{seitenrand_css(titel, beispieldaten)}\n</style>\n'
    match = _HEAD_END.search(page)
    if match is None:
        return style + page
    return page[: match.start()] + style + page[match.start() :]


def html_to_pdf(
    html: Path,
    pdf: Path,
    *,
    titel: str,
    beispieldaten: bool,
    chromium: str | None = None,
    timeout: float = TIMEOUT,
) -> Path:
    """Print ``html`` to ``pdf`` (A4, page numbers, title and marker on every page).

    Parameters
    ----------
    html
        A self-contained page, e.g. a finished report.
    pdf
        The PDF to write; written atomically (readers see the old file or the complete new one),
        the folder must exist.
    titel
        Printed at the top left of every page; any text, it is escaped for CSS.
    beispieldaten
        True when the data are invented: every page says so at the top right.
    chromium
        Executable to use; default :func:`chromium_pfad`.
    timeout
        Seconds before the attempt is given up.

    Returns
    -------
    Path
        ``pdf``.

    Raises
    ------
    PdfFehler
        Chromium missing, failing or too slow, or the PDF could not be written. ``html`` is never
        changed and no partial PDF is left behind.
    """
    html, pdf = Path(html), Path(pdf)
    exe = chromium or chromium_pfad()
    if not exe:
        raise PdfFehler(f"Kein PDF für {html.name}: Chromium wurde nicht gefunden.\n{INSTALL_HINT}")
    try:
        page = html.read_text(encoding="utf-8")
    except OSError as exc:
        raise PdfFehler(f"Kein PDF: {html} lässt sich nicht lesen ({exc.strerror}).") from exc
    token = f"{os.getpid()}.{secrets.token_hex(4)}"
    # The copy stays beside the original so that relative links and images resolve alike.
    source = html.with_name(f".{html.stem}.{token}.druck.html")
    tmp = pdf.with_name(f".{pdf.name}.{token}.tmp")
    try:
        source.write_text(_with_margins(page, titel, beispieldaten), encoding="utf-8")
        with tempfile.TemporaryDirectory(prefix="sozialraum-chromium-") as profile:
            args = [
                exe,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--no-default-browser-check",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                "--no-pdf-header-footer",
                "--export-tagged-pdf",
                "--generate-pdf-document-outline",
                f"--print-to-pdf={tmp}",
                source.resolve().as_uri(),
            ]
            try:
                proc = subprocess.run(
                    args,
                    capture_output=True,
                    text=True,
                    timeout=timeout,
                    stdin=subprocess.DEVNULL,
                    env={**os.environ, "LANG": os.environ.get("LANG", "C.UTF-8")},
                )
            except FileNotFoundError as exc:
                raise PdfFehler(
                    f"Kein PDF für {html.name}: {exe} ist nicht ausführbar.\n{INSTALL_HINT}"
                ) from exc
            except subprocess.TimeoutExpired as exc:
                raise PdfFehler(
                    f"Kein PDF für {html.name}: Chromium brauchte länger als "
                    f"{timeout:.0f} Sekunden und wurde abgebrochen."
                ) from exc
        if proc.returncode != 0 or not tmp.is_file() or tmp.stat().st_size == 0:
            detail = _letzte_meldung(proc.stderr)
            raise PdfFehler(
                f"Kein PDF für {html.name}: Chromium meldete Exit-Code {proc.returncode}"
                + (f" ({detail})" if detail else "")
                + "."
            )
        if not tmp.read_bytes()[:5] == b"%PDF-":
            raise PdfFehler(f"Kein PDF für {html.name}: Chromium schrieb keine PDF-Datei.")
        _fixed_dates(tmp)
        os.replace(tmp, pdf)
    except OSError as exc:
        raise PdfFehler(
            f"Kein PDF für {html.name}: {exc.filename or pdf} – {exc.strerror or exc}."
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)
        source.unlink(missing_ok=True)
    return pdf


_PDF_DATE = re.compile(rb"\(D:\d{14}(?:Z|[+-]\d\d'\d\d')\)")


def _fixed_dates(path: Path) -> None:
    """With ``SOURCE_DATE_EPOCH``, the PDF's creation and change dates are that moment.

    Chromium writes the time of printing into /CreationDate and /ModDate; everything else of
    the file follows from the page. The replacement has the same length, so the byte offsets of
    the file's cross-reference table stay right.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch.isdigit():
        return
    import datetime as dt

    when = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    data = path.read_bytes()

    def stamp(m: re.Match[bytes]) -> bytes:
        new = when.strftime("(D:%Y%m%d%H%M%S").encode()
        tail = b"Z)" if m.group(0).endswith(b"Z)") else b"+00'00')"
        return new + tail

    path.write_bytes(_PDF_DATE.sub(stamp, data))


_NOISE = ("dbus", "Fontconfig", "gpu", "GPU", "sandbox", "DevTools", "bytes written")


def _letzte_meldung(stderr: str) -> str:
    """The last line of Chromium's stderr that is not its usual start-up noise."""
    lines = [ln.strip() for ln in (stderr or "").splitlines() if ln.strip()]
    useful = [ln for ln in lines if not any(n in ln for n in _NOISE)]
    return (useful or lines or [""])[-1][:300]


__all__ = ["MARKER_BEISPIELDATEN", "PdfFehler", "chromium_pfad", "html_to_pdf", "seitenrand_css"]
