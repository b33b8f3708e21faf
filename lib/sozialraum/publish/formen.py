"""Shapes a page draws more than once are written once.

A unit's three class maps (status, dynamics, both) draw the same areas in other colours: in a
Berlin Bezirk with 49 Planungsräume that is 3 × 250 KB of the same outlines, a third of the page.
Each outline drawn in two or more figures is written once, as a ``<path>`` without style in the
``<defs>`` of the first figure that draws it, and every figure draws it with ``<use>``, keeping
its own style and clip (the used shape inherits them from the ``<use>``). The page looks the
same in a browser and on paper; only its bytes shrink.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bs4 import BeautifulSoup, Tag

#: Shorter outlines (a legend patch, a frame) cost less than the ``<use>`` that would replace them.
MIN_LAENGE = 200

#: Attributes matplotlib writes on a drawn shape; a shape with others (an interactive area with
#: its label and role) stays as it is.
_ZEICHNUNG = {"d", "style", "clip-path"}

ID_PREFIX = "form-"


def gemeinsame_formen(soup: BeautifulSoup) -> int:
    """Write every outline drawn in two or more figures once; returns how many were shared."""
    by_outline: dict[str, list[Tag]] = defaultdict(list)
    for path in soup.find_all("path"):
        d = path.get("d")
        if not d or len(d) < MIN_LAENGE or set(path.attrs) - _ZEICHNUNG:
            continue
        if path.find_parent("defs") is not None or path.find_parent("svg") is None:
            continue
        by_outline[d].append(path)
    taken = {str(tag["id"]) for tag in soup.find_all(id=True)}
    number = shared = 0
    for d, paths in by_outline.items():
        figures = {id(p.find_parent("svg")) for p in paths}
        if len(figures) < 2:  # within one figure matplotlib draws each shape once anyway
            continue
        shared += 1
        number += 1
        while f"{ID_PREFIX}{number}" in taken:
            number += 1
        ident = f"{ID_PREFIX}{number}"
        first_svg = paths[0].find_parent("svg")
        defs = first_svg.find("defs", recursive=False)
        if defs is None:
            defs = soup.new_tag("defs")
            first_svg.insert(0, defs)
        defs.append(soup.new_tag("path", attrs={"id": ident, "d": d}))
        for path in paths:
            attrs = {"xlink:href": f"#{ident}"}
            attrs.update({k: v for k, v in path.attrs.items() if k != "d"})
            path.replace_with(soup.new_tag("use", attrs=attrs))
    return shared
