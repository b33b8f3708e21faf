"""Label placement for the maps: every name inside its own area, or a number, or nothing.

The old approach (draw every name at its representative point, then push overlapping pairs
apart) compared all pairs of labels in every round: 29 minutes for Berlin's 542 areas, and the
result was still a carpet of names running across neighbouring areas. The rule here is
simpler and readable at any scale:

* a label is drawn only where its whole text box (with the white halo) fits inside its own
  polygon, trying the pole of inaccessibility first, then smaller font sizes and narrower line
  breaks;
* an area whose name does not fit gets a number instead; the caller turns the numbers into a
  key table (see ``sozialraum.present.kartenbasis.kartenschluessel``);
* every placed box goes into a uniform grid (:class:`LabelIndex`), so checking a new label
  against the placed ones costs the few labels in the neighbouring cells, not all of them:
  placement of n labels is O(n) grid work plus O(n) polygon tests.

Boxes are kept in display pixels (what the reader sees); polygons in data coordinates. Maps
use an equal aspect ratio, so one scale factor converts between the two.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
import shapely.affinity
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.text import Text
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from sozialraum.present.labelgebiete import clearance, gebiet_im_ausschnitt
from sozialraum.present.textmasse import schrift_schluessel, text_ausdehnung

HALO = [patheffects.withStroke(linewidth=2.4, foreground="white")]
HALO_PX = 1.6  # the halo's reach beyond the text extent, at 100 dpi (2.4 pt / 2)
LINESPACING = 1.05
MIN_FONTSIZE = 6.0  # smaller is not readable in print; 9 CSS px on screen at 110 dpi

_NUMERIC = re.compile(r"[\d.,% ]+")
PxBox = tuple[float, float, float, float]  # x0, y0, x1, y1 in display pixels


def measuring_renderer(fig: Any) -> Any:
    """A renderer to measure text with, as Agg will draw it.

    A bare ``Figure()`` has no renderer. Attaching an Agg canvas would give one, but then
    every later ``draw_idle`` (geopandas calls it after each plot) redraws the whole figure;
    a tiny Agg renderer of the same dpi measures text identically without that.
    """
    canvas = fig.canvas
    if hasattr(canvas, "get_renderer"):
        return canvas.get_renderer()
    return _renderer_for(float(fig.dpi))


@functools.lru_cache(maxsize=8)
def _renderer_for(dpi: float) -> Any:
    """One measuring renderer per dpi for the whole process.

    matplotlib caches text extents per renderer: with one renderer for every figure, a name
    or a tick label measured for one map is not measured again for the next (the three class
    maps of a report label the same areas; measuring text is most of a map's layout).
    """
    return RendererAgg(1, 1, dpi)


# -- spatial index -------------------------------------------------------------------------------
@dataclass
class LabelIndex:
    """Placed boxes in a uniform grid of ``cell`` pixels.

    A box is registered in every cell it touches, so a query only compares against boxes in the
    cells the new box touches. Labels are at most a few cells big, so both operations cost
    O(1) on average and placing n labels O(n) - instead of O(n²) for all pairs.
    ``comparisons`` counts box-box tests, so tests can check that the index is used.
    """

    cell: float = 40.0
    boxes: list[PxBox] = field(default_factory=list)
    comparisons: int = 0
    _grid: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    _stand: int = 0  # fingerprint of the boxes so far, see ``stand``

    @property
    def stand(self) -> tuple[int, int]:
        """The boxes registered so far, as a key: equal keys, equal answers of ``collides``."""
        return len(self.boxes), self._stand

    def _cells(self, b: PxBox) -> Iterable[tuple[int, int]]:
        c = self.cell
        for i in range(math.floor(b[0] / c), math.floor(b[2] / c) + 1):
            for j in range(math.floor(b[1] / c), math.floor(b[3] / c) + 1):
                yield i, j

    def collides(self, b: PxBox, gap: float = 0.0) -> bool:
        """True when ``b`` (grown by ``gap`` pixels) overlaps a registered box."""
        g = (b[0] - gap, b[1] - gap, b[2] + gap, b[3] + gap)
        seen: set[int] = set()
        for key in self._cells(g):
            for k in self._grid.get(key, ()):
                if k in seen:
                    continue
                seen.add(k)
                self.comparisons += 1
                o = self.boxes[k]
                if g[0] < o[2] and o[0] < g[2] and g[1] < o[3] and o[1] < g[3]:
                    return True
        return False

    def add(self, b: PxBox) -> None:
        """Register a placed box (label, scale bar, north arrow ...)."""
        k = len(self.boxes)
        self.boxes.append(b)
        self._stand = hash((self._stand, tuple(b)))
        for key in self._cells(b):
            self._grid.setdefault(key, []).append(k)


# -- requests and results ------------------------------------------------------------------------
@dataclass(frozen=True)
class Variant:
    """One way to write a label: text (with line breaks) and font size."""

    text: str
    fontsize: float
    fontweight: str = "normal"


@dataclass
class Placed:
    """A label that found room: the drawn artist and its box in display pixels."""

    text: Text
    box: PxBox
    variant: Variant
    leaders: list[Any] = field(default_factory=list)  # leader line and dot, if outside

    def remove(self) -> None:
        """Take the label (and its leader line) off the map."""
        self.text.remove()
        for artist in self.leaders:
            artist.remove()


def wrap(name: str, width: int = 16) -> str:
    """Break long names after spaces, hyphens and slashes (``Nord-Mitte/`` ``Am Bahnhof``)."""
    pieces = [p for p in re.split(r"(?<=[\s/-])", name) if p]
    lines: list[str] = []
    current = ""
    for piece in pieces:
        if current and len((current + piece).rstrip()) > width:
            lines.append(current.rstrip())
            current = piece
        else:
            current += piece
    lines.append(current.rstrip())
    return "\n".join(lines)


def name_variants(
    name: str,
    fontsizes: Sequence[float],
    extra: str | None = None,
    fontweight: str = "normal",
) -> list[Variant]:
    """The ways to write ``name`` (plus an optional second line), most readable first.

    Per font size, from large to small: the usual break at 16 characters, then narrower breaks
    (for tall, thin areas), then one line (for wide, low ones).
    """
    out: list[Variant] = []
    seen: set[tuple[str, float]] = set()
    for size in fontsizes:
        for width in (16, 10, 200):
            text = wrap(name, width)
            if extra:
                text += "\n" + (wrap(extra, width) if width < 16 else extra)
            if (text, size) not in seen:
                seen.add((text, size))
                out.append(Variant(text, size, fontweight))
    return out


# -- the placer ----------------------------------------------------------------------------------
#: Sizes of label texts measured in this process, by (variant, dpi, font settings): the status,
#: dynamics and combined maps of a report, and every report of a batch's worker, write the same
#: names; each is measured once.
_GROESSEN: dict[tuple, tuple[float, float]] = {}
_GROESSEN_MAX = 50_000
_PASSUNGEN: dict[tuple, tuple[BaseGeometry, tuple | None]] = {}  # see ``Placer.fit``
_PASSUNGEN_MAX = 20_000


class Placer:
    """Measures texts and finds room for them inside polygons of one axes.

    Create it after the extent is final (``set_xlim``/``set_ylim``), because the pixel size of
    a data unit depends on it.
    """

    def __init__(self, ax: Axes, index: LabelIndex | None = None, inset_px: float = 4.0) -> None:
        self.ax = ax
        self.index = index if index is not None else LabelIndex()
        ax.apply_aspect()  # text extents depend on the final axes box
        self.renderer: Any = measuring_renderer(ax.figure)
        self.dpi_scale = ax.figure.dpi / 100.0
        m = ax.transData.get_matrix()
        self.px_per_unit = float(abs(m[0, 0]))  # equal aspect: the same in x and y
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        inset = inset_px / self.px_per_unit
        self.view = shapely.box(x0 + inset, y0 + inset, x1 - inset, y1 - inset)
        self._probe = Text(0, 0, "", linespacing=LINESPACING)
        self._probe.set_figure(ax.figure)

    # measuring
    def size(self, v: Variant) -> tuple[float, float]:
        """Width and height of ``v`` in pixels, halo included (cached).

        Numbers are measured as zeros: DejaVu's digits all have the same width, so "12,5 %"
        and "47,1 %" share one measurement (measuring text is the slow part of placement).
        """
        if _NUMERIC.fullmatch(v.text):
            v = Variant(re.sub(r"\d", "0", v.text), v.fontsize, v.fontweight)
        key = (v, self.ax.figure.dpi, schrift_schluessel())
        found = _GROESSEN.get(key)
        if found is None:
            self._probe.set_fontsize(v.fontsize)
            self._probe.set_fontweight(v.fontweight)
            ext = text_ausdehnung(self._probe, v.text, self.renderer)
            if ext is None:
                self._probe.set_text(v.text)
                box = self._probe.get_window_extent(self.renderer)
                ext = (box.width, box.height)
            halo = 2 * HALO_PX * self.dpi_scale
            found = (ext[0] + halo, ext[1] + halo)
            if len(_GROESSEN) >= _GROESSEN_MAX:
                _GROESSEN.clear()
            _GROESSEN[key] = found
        return found

    def pixel_box(self, x: float, y: float, w: float, h: float) -> PxBox:
        """Box of ``w`` x ``h`` pixels centred on the data point (x, y)."""
        cx, cy = self.ax.transData.transform((x, y))
        return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)

    def block(self, b: PxBox) -> None:
        """Keep labels off this box (scale bar, north arrow, leader lines' targets)."""
        self.index.add(b)

    def block_segment(self, p0: tuple[float, float], p1: tuple[float, float], px: float = 4.0):
        """Keep labels off a line between two data points (a leader line), as small boxes."""
        (x0, y0), (x1, y1) = self.ax.transData.transform([p0, p1])
        steps = max(1, math.ceil(math.hypot(x1 - x0, y1 - y0) / px))
        for k in range(steps + 1):
            x, y = x0 + (x1 - x0) * k / steps, y0 + (y1 - y0) * k / steps
            self.index.add((x - px / 2, y - px / 2, x + px / 2, y + px / 2))

    def block_artist(self, artist: Any) -> None:
        """Keep labels off a drawn artist."""
        ext = artist.get_window_extent(self.renderer)
        self.index.add((ext.x0, ext.y0, ext.x1, ext.y1))

    # fitting
    def anchors(self, polygon: BaseGeometry, w: float, h: float) -> list[Point]:
        """Candidate centres, most room first.

        The pole of inaccessibility of the polygon squeezed to the label's aspect ratio is the
        centre of the largest label-shaped ellipse; then the plain pole, the centroid and the
        representative point (always inside).
        """
        out: list[Point] = []
        if w > 0 and h > 0:
            sy = w / h
            squeezed = shapely.affinity.scale(polygon, xfact=1.0, yfact=sy, origin=(0, 0))
            tol = max(h / self.px_per_unit * sy / 8, 1e-9)
            c = shapely.get_point(shapely.maximum_inscribed_circle(squeezed, tol), 0)
            out.append(Point(c.x, c.y / sy))
        tol = max(h / self.px_per_unit / 8, 1e-9)
        out.append(shapely.get_point(shapely.maximum_inscribed_circle(polygon, tol), 0))
        out.append(polygon.centroid)
        out.append(polygon.representative_point())
        return out

    def fit(
        self,
        polygon: BaseGeometry,
        variants: Sequence[Variant],
        gap: float = 1.0,
    ) -> tuple[Variant, float, float, PxBox] | None:
        """First variant whose box fits inside ``polygon`` (clipped to the view), free of others.

        Returns the variant, its centre in data coordinates and its pixel box, or None.

        Remembered per polygon, variants, view, scale and the boxes placed before: the
        status, dynamics and combined maps of the overview name the same units in the same
        frame, one after the other, so the second and third map find every answer here
        instead of searching the polygons again (a third of drawing a city map).
        """
        key = (
            id(polygon),
            tuple(variants),
            gap,
            self.view.bounds,
            tuple(self.ax.transData.get_matrix().ravel()),
            self.ax.figure.dpi,
            schrift_schluessel(),
            self.index.stand,
        )
        hit = _PASSUNGEN.get(key)
        if hit is not None and hit[0] is polygon:
            return hit[1]
        found = self._fit(polygon, variants, gap)
        if len(_PASSUNGEN) >= _PASSUNGEN_MAX:
            _PASSUNGEN.clear()
        _PASSUNGEN[key] = (polygon, found)  # the polygon is kept alive: its id stays its own
        return found

    def _fit(
        self,
        polygon: BaseGeometry,
        variants: Sequence[Variant],
        gap: float,
    ) -> tuple[Variant, float, float, PxBox] | None:
        gebiet = gebiet_im_ausschnitt(polygon, self.view)
        if gebiet is None:
            return None
        region = gebiet.region
        minx, miny, maxx, maxy = region.bounds
        room_w, room_h = (maxx - minx) * self.px_per_unit, (maxy - miny) * self.px_per_unit
        clearance = gebiet.clearance * self.px_per_unit
        grid: list[Point] | None = None  # more anchors, only computed when the first fail
        for v in variants:
            # Measuring text is the slow part: skip variants that cannot fit by a lower bound
            # of their size (a line is at least one em high and 0.35 em per character wide; a
            # box fits only where a circle of its smaller side fits).
            lines = v.text.split("\n")
            em = v.fontsize * self.ax.figure.dpi / 72
            h_lo, w_lo = len(lines) * em, 0.35 * em * max(len(line) for line in lines)
            if h_lo > room_h or w_lo > room_w or min(h_lo, w_lo) > 2 * clearance:
                continue
            w, h = self.size(v)
            if w > room_w or h > room_h or min(w, h) > 2 * clearance:
                continue
            wd, hd = w / self.px_per_unit, h / self.px_per_unit
            blocked = False
            key = (w, h, self.px_per_unit)
            anchors = gebiet.anchors.get(key)
            if anchors is None:
                anchors = gebiet.anchors[key] = self.anchors(region, w, h)
            for p in anchors:
                found = self._try(region, p, w, h, wd, hd, gap)
                if found is True:
                    blocked = True
                elif found is not None:
                    return v, *found
            if not blocked:
                continue  # too big for its area, not crowded out: no use trying elsewhere
            if grid is None:
                grid = gebiet.grid
            for p in _LazyGrid(region, grid):
                found = self._try(region, p, w, h, wd, hd, gap)
                if found is not None and found is not True:
                    return v, *found
        return None

    def _try(
        self,
        region: BaseGeometry,
        p: Point,
        w: float,
        h: float,
        wd: float,
        hd: float,
        gap: float,
    ) -> tuple[float, float, PxBox] | bool | None:
        """Box centred on ``p``: (x, y, pixel box) if free, True if inside but taken, else None."""
        rect = shapely.box(p.x - wd / 2, p.y - hd / 2, p.x + wd / 2, p.y + hd / 2)
        if not region.contains(rect):
            return None
        b = self.pixel_box(p.x, p.y, w, h)
        if self.index.collides(b, gap):
            return True
        return p.x, p.y, b

    @staticmethod
    def _clearance(region: BaseGeometry) -> float:
        """Upper bound of the radius of the largest circle inside ``region``."""
        return clearance(region)

    def draw(
        self,
        v: Variant,
        x: float,
        y: float,
        b: PxBox,
        color: str,
        zorder: float = 5,
        **kwargs: Any,
    ) -> Placed:
        """Draw ``v`` centred on (x, y) and register its box."""
        text = self.ax.text(
            x,
            y,
            v.text,
            ha="center",
            va="center",
            fontsize=v.fontsize,
            fontweight=v.fontweight,
            color=color,
            path_effects=HALO,
            zorder=zorder,
            clip_on=True,
            linespacing=LINESPACING,
            **kwargs,
        )
        self.index.add(b)
        return Placed(text, b, v)

    def place(
        self,
        polygon: BaseGeometry,
        variants: Sequence[Variant],
        color: str,
        gap: float = 1.0,
        **kwargs: Any,
    ) -> Placed | None:
        """Fit and draw; None when no variant has room."""
        found = self.fit(polygon, variants, gap)
        if found is None:
            return None
        v, x, y, b = found
        return self.draw(v, x, y, b, color, **kwargs)


class _LazyGrid:
    """Interior points of a region on a 7 x 7 grid, most interior first, computed on demand.

    The few central anchors fail when another label or a leader line sits there; then the
    label may still fit elsewhere in its area. The points are cached in ``cache`` so all
    variants of one label share them.
    """

    def __init__(self, region: BaseGeometry, cache: list[Point]) -> None:
        self.region, self.cache = region, cache

    def __iter__(self) -> Iterator[Point]:
        if not self.cache:
            minx, miny, maxx, maxy = self.region.bounds
            xs, ys = np.meshgrid(np.linspace(minx, maxx, 9)[1:-1], np.linspace(miny, maxy, 9)[1:-1])
            pts = shapely.points(xs.ravel(), ys.ravel())
            inside = pts[shapely.contains(self.region, pts)]
            depth = shapely.distance(inside, self.region.boundary)
            self.cache.extend(inside[np.argsort(-depth, kind="stable")].tolist())
        return iter(self.cache)


# -- labels outside, with leader lines -----------------------------------------------------------
@dataclass
class Outside:
    """A label that did not fit inside its polygon: drawn beside the map with a leader line."""

    key: str
    variant: Variant
    anchor: Point  # where the leader line ends, inside the polygon


def outside_margin_px(placer: Placer, items: Sequence[Outside], gap_px: float = 14.0) -> float:
    """Pixels needed on each side of the map for the widest outside label and its leader."""
    if not items:
        return 0.0
    return max(placer.size(o.variant)[0] for o in items) + gap_px


def place_outside(
    placer: Placer,
    items: Sequence[Outside],
    shape: BaseGeometry,
    color: str = "black",
    gap_px: float = 10.0,
) -> list[Placed]:
    """Stack labels left and right of ``shape`` (the city) and draw leader lines to the anchors.

    Each label goes to the side nearer its anchor and starts at the anchor's height; a sweep
    from top to bottom pushes overlapping labels down (and the whole column up if it leaves
    the map), keeping the vertical order, so leader lines do not cross.
    """
    ax = placer.ax
    minx, _, maxx, _ = shape.bounds
    cx = (minx + maxx) / 2
    vy0, vy1 = ax.get_ylim()
    placed: list[Placed] = []
    for side in ("left", "right"):
        col = [o for o in items if (o.anchor.x < cx) == (side == "left")]
        if not col:
            continue
        col.sort(key=lambda o: -o.anchor.y)
        edge_x = minx if side == "left" else maxx
        ex, _ = ax.transData.transform((edge_x, 0))
        top_px = ax.transData.transform((0, vy1))[1] - 4
        bottom_px = ax.transData.transform((0, vy0))[1] + 4
        sizes = [placer.size(o.variant) for o in col]
        ys = [ax.transData.transform((o.anchor.x, o.anchor.y))[1] for o in col]
        # sweep down, then shift up if the column runs out of the map
        pos: list[float] = []
        for (_, h), y in zip(sizes, ys, strict=True):
            y = min(y, top_px - h / 2)
            if pos:
                prev_h = sizes[len(pos) - 1][1]
                y = min(y, pos[-1] - prev_h / 2 - h / 2 - 2)
            pos.append(y)
        overflow = bottom_px - (pos[-1] - sizes[-1][1] / 2)
        if overflow > 0:
            pos = [p + overflow for p in pos]
        for o, (w, h), y in zip(col, sizes, pos, strict=True):
            if side == "left":
                x_px = ex - gap_px - w / 2
                edge = ex - gap_px
            else:
                x_px = ex + gap_px + w / 2
                edge = ex + gap_px
            b = (x_px - w / 2, y - h / 2, x_px + w / 2, y + h / 2)
            x, yd = ax.transData.inverted().transform((x_px, y))
            ex_d, _ = ax.transData.inverted().transform((edge, y))
            (line,) = ax.plot(
                [ex_d, o.anchor.x],
                [yd, o.anchor.y],
                color="#4d4d4d",
                linewidth=0.7,
                zorder=5.5,
                solid_capstyle="round",
                gid="fuehrungslinie",
            )
            (dot,) = ax.plot(
                [o.anchor.x], [o.anchor.y], "o", color="#4d4d4d", markersize=2.2, zorder=5.5
            )
            placer.block_segment((ex_d, yd), (o.anchor.x, o.anchor.y))
            text = ax.text(
                x,
                yd,
                o.variant.text,
                ha="center",
                va="center",
                fontsize=o.variant.fontsize,
                fontweight=o.variant.fontweight,
                color=color,
                path_effects=HALO,
                zorder=6,
                linespacing=LINESPACING,
            )
            text.set_gid("aussen")
            placer.index.add(b)
            placed.append(Placed(text, b, o.variant, [line, dot]))
    return placed


def reading_order(points: Sequence[Point], band: float) -> list[int]:
    """Indices of ``points`` from top-left to bottom-right, in horizontal bands of ``band``."""
    return sorted(range(len(points)), key=lambda i: (-round(points[i].y / band), points[i].x))
