"""Shapes drawn in several figures of a page are written once (publish/formen.py)."""

from __future__ import annotations

from bs4 import BeautifulSoup

from sozialraum.publish.formen import MIN_LAENGE, gemeinsame_formen

LANG = "M0 0" + "l1 2" * MIN_LAENGE + "z"
ANDERS = "M5 5" + "l2 1" * MIN_LAENGE + "z"


def _figur(fill: str, *extra: str) -> str:
    return (
        '<svg viewBox="0 0 10 10"><g>'
        f'<path d="{LANG}" style="fill: {fill}" clip-path="url(#c{fill})"/>'
        f'<path d="{ANDERS}" style="fill: {fill}"/>'
        '<path d="M0 0l1 1z" style="fill: red"/>' + "".join(extra) + "</g></svg>"
    )


def test_an_outline_in_three_figures_is_written_once_and_keeps_each_style_and_clip():
    page = f"<body>{_figur('#111')}{_figur('#222')}{_figur('#333')}</body>"
    soup = BeautifulSoup(page, "html.parser")
    assert gemeinsame_formen(soup) == 2
    out = str(soup)
    assert out.count(LANG) == 1 and out.count(ANDERS) == 1
    assert len(out) < len(page) / 2
    shared = soup.find("defs").find_all("path")
    assert [p.attrs.keys() for p in shared] == [{"id", "d"}] * 2  # no style of its own
    uses = soup.find_all("use")
    assert len(uses) == 6
    first = [u for u in uses if u["xlink:href"] == "#" + shared[0]["id"]]
    assert [u["style"] for u in first] == ["fill: #111", "fill: #222", "fill: #333"]
    assert [u["clip-path"] for u in first] == ["url(#c#111)", "url(#c#222)", "url(#c#333)"]
    assert out.count("M0 0l1 1z") == 3  # short shapes stay where they are


def test_shapes_of_one_figure_interactive_areas_and_taken_ids_are_left_alone():
    interaktiv = f'<path d="{LANG}" class="gebiet" aria-label="Nord" tabindex="0"/>'
    page = (
        f'<body><p id="form-1">x</p>{_figur("#111", interaktiv)}'
        f'<svg><path d="{ANDERS}" style="fill: blue"/></svg></body>'
    )
    soup = BeautifulSoup(page, "html.parser")
    assert gemeinsame_formen(soup) == 1  # ANDERS is in two figures; LANG once plus interactive
    assert soup.find("path", class_="gebiet")["d"] == LANG
    ids = [t["id"] for t in soup.find_all(id=True)]
    assert len(ids) == len(set(ids)) and "form-2" in ids


def test_every_page_of_the_sample_writes_each_long_outline_once(sample_render):
    _, folder = sample_render
    pages = sorted(folder.glob("*.html"))
    assert len(pages) >= 7
    shared = 0
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        ids = {t["id"] for t in soup.find_all(id=True)}
        for use in soup.find_all("use"):
            assert use["xlink:href"].removeprefix("#") in ids, (page.name, use)
        figures: dict[str, set[int]] = {}
        for number, svg in enumerate(soup.find_all("svg")):
            for p in svg.find_all("path"):
                if len(p.get("d", "")) >= MIN_LAENGE and not set(p.attrs) - {
                    "d",
                    "style",
                    "clip-path",
                }:
                    figures.setdefault(p["d"], set()).add(number)
        in_several = [d[:40] for d, where in figures.items() if len(where) > 1]
        assert not in_several, (page.name, in_several)
        shared += sum(1 for u in soup.find_all("use") if u["xlink:href"].startswith("#form-"))
    assert shared > 0  # the class maps share their areas
