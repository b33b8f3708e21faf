"""The index page of a year: links to every report, the city map, what is missing."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sozialraum
from sozialraum.grammatik import genitiv_plural
from sozialraum.resources import TEMPLATES_DIR

if TYPE_CHECKING:
    from sozialraum.config import Config

from sozialraum.publish.ausgabe import write_atomic
from sozialraum.publish.jobs import (
    CSS_FILE,
    FUSSNOTE_BEISPIELDATEN,
    GESAMTSTADT_SLUG,
    LANGUAGE_CODE,
    Job,
)

INDEX_TEMPLATE = "startseite.html.j2"


def startseitentitel(cfg: Config, jahr: int | None = None) -> str:
    """Title of the index page: "Berichte der Sozialräume – Musterstadt, Sozialbericht 2023".

    The edition names the year the way the city does ("MSS 2021" for data as of 2020); another
    report year of the series (``jahr``) is named by its year. Here, beside the index page and
    without the data stack, because a batch builds its links before it knows whether anything
    has to be drawn.
    """
    b = cfg.begriffe
    edition = cfg.ausgabe if jahr in (None, cfg.methode.berichtsjahr) else f"{b.reihe} {jahr}"
    return f"Berichte {genitiv_plural(b.einheit)} – {cfg.stadt.name}, {edition}"


@dataclasses.dataclass(frozen=True)
class IndexEntry:
    """One link on the index page."""

    titel: str
    href: str
    beschreibung: str = ""
    gesamtstadt: bool = False

    @classmethod
    def from_job(cls, job: Job, index_dir: Path, beschreibung: str = "") -> IndexEntry:
        """Link to a job's HTML, relative to the index page so the folder can be moved."""
        href = Path(os.path.relpath(Path(job.output), Path(index_dir))).as_posix()
        return cls(job.page_title, href, beschreibung, job.slug == GESAMTSTADT_SLUG)


def _jinja_env() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def write_index_page(
    cfg: Config,
    entries: Sequence[IndexEntry | Job],
    out_path: Path,
    map_html: str,
    *,
    jahr: int | None = None,
    beispieldaten: bool = False,
    fehlend: Sequence[tuple[str, str]] = (),
) -> Path:
    """Write the page that links all reports of one year (``reports/<jahr>/index.html``).

    Parameters
    ----------
    cfg
        The city's config: name and publisher for the title and footer.
    entries
        Reports to link; jobs are turned into links relative to the page. The city-wide report
        (slug ``gesamtstadt``) is listed apart from the Sozialräume.
    out_path
        The page to write (atomically).
    map_html
        Overview map as an HTML snippet from the maps module; inserted as is (trusted), while
        every other text is escaped.
    jahr
        Report year in the title; defaults to the config's ``berichtsjahr``.
    beispieldaten
        Show the banner saying the data are invented sample data.
    fehlend
        Reports the page cannot link, as (title, why): failed in this run or not yet rendered.
    """
    from markupsafe import Markup

    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    links = [
        e if isinstance(e, IndexEntry) else IndexEntry.from_job(e, out_path.parent) for e in entries
    ]
    jahr = jahr if jahr is not None else cfg.methode.berichtsjahr
    page = (
        _jinja_env()
        .get_template(INDEX_TEMPLATE)
        .render(
            lang=LANGUAGE_CODE,
            titel=startseitentitel(cfg, jahr),
            herausgeber=cfg.stadt.herausgeber,
            quellenangabe=cfg.stadt.quellenangabe,
            begriffe=cfg.begriffe,
            fussnote=FUSSNOTE_BEISPIELDATEN if beispieldaten else "",
            gesamtstadt=[e for e in links if e.gesamtstadt],
            sozialraeume=[e for e in links if not e.gesamtstadt],
            karte=Markup(map_html or ""),
            css=Markup(CSS_FILE.read_text(encoding="utf-8")),
            beispieldaten=beispieldaten,
            version=sozialraum.__version__,
            fehlend=list(fehlend),
        )
    )
    from sozialraum.publish.sicherheit import mit_richtlinie

    write_atomic(out_path, mit_richtlinie(page))
    return out_path
