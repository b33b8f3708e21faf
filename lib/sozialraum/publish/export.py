"""A run notebook becomes a page: nbconvert through the ``bericht`` template.

Outputs a committee must not see are dropped, the table of contents is built, the figure font
embedded and units kept on the line of their numbers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sozialraum.resources import TEMPLATES_DIR

if TYPE_CHECKING:  # the heavy modules load when a page is built, not when a batch is checked
    import nbformat
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

from sozialraum.publish.jobs import (
    LANGUAGE_CODE,
    REMOVE_CELL_TAG,
    TEMPLATE_NAME,
    Job,
)

#: Placeholder in the template where the table of contents goes.
TOC_PLACEHOLDER = "sozialraum:inhaltsverzeichnis"


TOC_LEVELS = ("h2", "h3")


@lru_cache(maxsize=1)
def _report_output_filter() -> type:
    """The nbconvert preprocessor class, defined on first use (nbconvert loads slowly)."""
    from nbconvert.preprocessors import Preprocessor

    class ReportOutputFilter(Preprocessor):
        """Drop outputs a committee must never see: console streams, tracebacks, bare reprs.

        A ``print`` or a warning is a note to the analyst, a traceback means the job failed
        anyway, and an ``execute_result`` that is only ``text/plain`` is the repr of a cell's
        last value (``[<Line2D …>]``) — code debris, not content.
        """

        def preprocess_cell(self, cell, resources, index):
            """Keep only the outputs that belong in a report."""
            if cell.get("cell_type") == "code" and cell.get("outputs"):
                cell.outputs = [o for o in cell.outputs if _keep_output(o)]
            return cell, resources

    return ReportOutputFilter


def _keep_output(output: Mapping[str, Any]) -> bool:
    kind = output.get("output_type")
    if kind in ("stream", "error"):
        return False
    if kind == "execute_result":
        return bool(set(output.get("data", {})) - {"text/plain"})
    return True


@lru_cache(maxsize=1)
def _report_exporter_class() -> type:
    """The HTML exporter of nbconvert, without its own parse of the finished page.

    ``HTMLExporter.from_notebook_node`` parses the whole page with BeautifulSoup and serialises
    it again, only to add English alt texts to images without one and ``tabindex`` to the
    ``.jp-Notebook`` output areas of its own templates; a report page is then parsed a second
    time by :func:`export_html` for its own finishing steps. Two parses of a 400 KB page were a
    third of the export. Our template has neither: every figure carries its German alt text (the
    browser tests check every page with axe), and ``export_html`` makes tables focusable itself.
    """
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight_code = self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
            )
            resources = self._init_resources(resources)
            filter_data_type = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight_code)
            self.register_filter("filter_data_type", filter_data_type)
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return ReportExporter


def _make_exporter() -> HTMLExporter:
    from traitlets.config import Config as TraitletsConfig

    c = TraitletsConfig()
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = {REMOVE_CELL_TAG}
    exporter = _report_exporter_class()(
        config=c,
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        embed_images=True,
        sanitize_html=False,
        language_code=LANGUAGE_CODE,
    )
    exporter.register_preprocessor(_report_output_filter()(), enabled=True)
    return exporter


def export_html(nb: nbformat.NotebookNode, job: Job, bericht: Mapping[str, str]) -> str:
    """Executed notebook → finished page: template, then headings get ids and a contents list."""
    import nbformat
    from bs4 import BeautifulSoup

    nb = nbformat.from_dict(nb)  # a copy: the executed notebook on disk keeps every output
    nb.metadata["title"] = job.page_title
    resources = {
        "metadata": {"name": job.page_title, "path": str(Path(job.notebook).parent)},
        "bericht": {**dict(bericht), **dict(job.nav or {})},
    }
    body, _ = _make_exporter().from_notebook_node(nb, resources=resources)
    soup = BeautifulSoup(body, "html.parser")  # parsed once for all finishing steps
    _insert_table_of_contents(soup)
    _join_units(soup)
    from sozialraum.present.interaktiv import tabellen_fokussierbar

    tabellen_fokussierbar(soup)
    from sozialraum.publish.formen import gemeinsame_formen

    gemeinsame_formen(soup)  # the class maps' outlines once per page
    from sozialraum.publish.schrift import schrift_einbetten

    schrift_einbetten(soup)  # the SVG figures' font, subset and inline, once per page
    from sozialraum.publish.sicherheit import mit_richtlinie

    return mit_richtlinie(str(soup))  # last: the policy hashes the scripts as finally written


_NUMBER_UNIT = re.compile(r"(?<=\d) (?=%)")


_NO_TEXT_TAGS = {"script", "style", "textarea", "pre", "code"}


def keep_units_with_numbers(page: str) -> str:
    """Join "24,5 %" with a no-break space so a line never ends in a number and starts with "%".

    Done on the page, not in ``fmt``, because the same strings go into CSV downloads and chart
    labels, where a plain space is what Excel and matplotlib expect.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    _join_units(soup)
    return str(soup)


def _join_units(soup: BeautifulSoup) -> None:
    from bs4 import Comment

    for node in soup.find_all(string=_NUMBER_UNIT):
        if isinstance(node, Comment) or node.parent.name in _NO_TEXT_TAGS:
            continue
        node.replace_with(_NUMBER_UNIT.sub("\u00a0", str(node)))


def _slugify(text: str) -> str:
    slug = re.sub(r"[^\w]+", "-", text.lower()).strip("-_")
    return slug or "abschnitt"


def _is_toc_placeholder(node: object) -> bool:
    from bs4 import Comment

    return isinstance(node, Comment) and node.strip() == TOC_PLACEHOLDER


def add_table_of_contents(page: str) -> str:
    """Give every h2/h3 of the main part an id and put a navigation linking them at the placeholder.

    Done on the finished page rather than from the cells because headings come both from
    markdown cells and from HTML the library writes; existing ids are kept.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    _insert_table_of_contents(soup)
    return str(soup)


def _insert_table_of_contents(soup: BeautifulSoup) -> None:
    placeholder = soup.find(string=_is_toc_placeholder)
    main = soup.find("main")
    if placeholder is None or main is None:
        return
    used = {tag["id"] for tag in soup.find_all(id=True)}
    entries: list[tuple[str, str, str]] = []
    for heading in main.find_all(list(TOC_LEVELS)):
        text = " ".join(heading.get_text(" ", strip=True).split())
        if not text:
            continue
        if not heading.get("id"):
            base = _slugify(text)
            anchor, n = base, 2
            while anchor in used:
                anchor, n = f"{base}-{n}", n + 1
            heading["id"] = anchor
            used.add(anchor)
        entries.append((heading.name, heading["id"], text))
    if not entries:
        placeholder.extract()
        return

    nav = soup.new_tag("nav", attrs={"class": "inhaltsverzeichnis", "aria-labelledby": "toc-t"})
    box = soup.new_tag("div")
    title = soup.new_tag("p", attrs={"class": "inhaltsverzeichnis-titel", "id": "toc-t"})
    title.string = "Inhalt"
    box.append(title)
    top = soup.new_tag("ol")
    box.append(top)
    nav.append(box)
    current_sub = None
    last_item = None
    for level, anchor, text in entries:
        item = soup.new_tag("li")
        link = soup.new_tag("a", href=f"#{anchor}")
        link.string = text
        item.append(link)
        if level == TOC_LEVELS[0] or last_item is None:
            top.append(item)
            last_item, current_sub = item, None
        else:
            if current_sub is None:
                current_sub = soup.new_tag("ol")
                last_item.append(current_sub)
            current_sub.append(item)
    placeholder.replace_with(nav)
