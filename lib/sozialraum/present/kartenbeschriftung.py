"""The names, numbers and values written into the maps.

Which text goes where on a map; the placement itself is :mod:`sozialraum.present.labels`.
"""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from matplotlib.axes import Axes
from shapely.geometry.base import BaseGeometry

from sozialraum.fmt import figur_text, fmt_num
from sozialraum.present.kartenbasis import (
    GID_KONTEXT,
    GID_NAME,
    GID_NUMMER,
    GID_SOZIALRAUM_NAME,
    GID_WERT,
    KONTEXT_SCHRIFT,
    SCHLUESSEL_SPALTEN,
    _leerer_schluessel,
)
from sozialraum.present.labelgebiete import gepuffert
from sozialraum.present.labels import (
    MIN_FONTSIZE,
    Outside,
    Placed,
    Placer,
    Variant,
    name_variants,
    outside_margin_px,
    place_outside,
    wrap,
)

_AREA_SIZES = (8.0, 7.0, 6.0)  # Quartier names in a Sozialraum map, largest first
_CITY_AREA_SIZES = (6.5, 6.0)  # Quartier names in a city map (only on request)
_CONTEXT_SIZES = (7.0, 6.5, 6.0)
_UNIT_SIZES = (9.0, 8.5, 8.0, 7.5, 7.0)  # Sozialraum names
_CHOSEN_SIZES = (10.5, 10.0, 9.5, 9.0, 8.5)
_VALUE_SIZES = (6.5, 6.0)
_UNIT_SPILL_PX = 14.0  # how far a unit's name may reach over its outline before it goes outside
_VALUES_MIN_SHARE = 0.75  # fewer values fit: show none (gaps read as missing data)


def _block_furniture(placer: Placer, nordpfeil: bool, scale_bar: bool = True) -> None:
    """Keep names off the corners where the scale bar and the north arrow go."""
    ax = placer.ax
    corners = []
    if scale_bar:
        corners.append(((0.0, 0.0), (0.32, 0.115)))
    if nordpfeil:
        corners.append(((0.9, 0.84), (1.0, 1.0)))
    for lo, hi in corners:
        (x0, y0), (x1, y1) = ax.transAxes.transform([lo, hi])
        placer.block((x0, y0, x1, y1))


def _largest_part(geometry: BaseGeometry) -> BaseGeometry:
    if geometry.geom_type == "MultiPolygon":
        return max(geometry.geoms, key=lambda g: g.area)
    return geometry


def _area_labels(
    placer: Placer,
    focus: gpd.GeoDataFrame,
    klassen_text: dict[Any, str] | None,
    sizes: tuple[float, ...],
) -> pd.DataFrame:
    """Names inside their Quartier; a number where the name does not fit; returns the key.

    A number is the Quartier's position in id order among the shown Quartiere, so the three
    maps of a Sozialraum use the same numbers even where the class line makes a name fit in
    one map and not in the other.
    """
    nummer = {qid: k for k, qid in enumerate(sorted(focus["quartier_id"].astype(str)), start=1)}
    numbered = []
    for row in focus.itertuples():
        extra = klassen_text.get(row.Index) if klassen_text is not None else None
        variants = name_variants(figur_text(row.quartier), sizes, extra=extra)
        if placer.place(row.geometry, variants, color="black", gid=GID_NAME) is None:
            numbered.append(row)
    rows = []
    num_sizes = tuple(dict.fromkeys((*sizes, MIN_FONTSIZE)))
    for row in numbered:
        n = nummer[str(row.quartier_id)]
        variants = [Variant(str(n), size) for size in num_sizes]
        if placer.place(row.geometry, variants, color="black", gid=GID_NUMMER) is not None:
            rows.append({"nummer": n, "quartier_id": row.quartier_id, "quartier": row.quartier})
    if not rows:
        return _leerer_schluessel()
    key = pd.DataFrame(rows, columns=list(SCHLUESSEL_SPALTEN)).sort_values("nummer")
    return key.reset_index(drop=True)


def _context_labels(placer: Placer, context: gpd.GeoDataFrame) -> None:
    """Grey names of the neighbours, only inside their visible part and clear of all others.

    A neighbour's name is orientation only; printed across a Quartier of the Sozialraum it
    makes both unreadable, so it yields to everything.
    """
    for row in context.itertuples():
        variants = name_variants(figur_text(row.quartier), _CONTEXT_SIZES)
        placer.place(row.geometry, variants, color=KONTEXT_SCHRIFT, gap=3.0, gid=GID_KONTEXT)


def _value_labels(ax: Axes, focus: gpd.GeoDataFrame, scale_bar: bool) -> list[Placed]:
    """Shares inside their Quartier where they fit; returns the labels drawn.

    Written as "12,5 %" when every value fits that way, else all without the "%" sign (the
    note says the values are percentages), which fits a third more Quartiere; one format per
    map, so the values read alike. When fewer than three quarters fit, none are shown (gaps
    would read as missing data): the colour and its legend carry the class, the table the
    value.
    """
    placer = Placer(ax, inset_px=2.0)
    _block_furniture(placer, nordpfeil=False, scale_bar=scale_bar)
    allowed_misses = len(focus) - math.ceil(_VALUES_MIN_SHARE * len(focus))
    placed: list[Placed] = []
    for suffix in (" %", ""):
        placed = []
        for k, row in enumerate(focus.itertuples()):
            if k - len(placed) > allowed_misses:
                break  # too many do not fit: none will be shown, stop measuring
            if row.unterdrueckt:
                variants = [Variant("•", 9.0), Variant("•", 7.0)]  # the offices' mark
            elif pd.isna(row.anteil):
                variants = [Variant("–", size) for size in _VALUE_SIZES]
            else:
                text = fmt_num(row.anteil) + suffix
                variants = [Variant(text, size) for size in _VALUE_SIZES]
            found = placer.place(row.geometry, variants, color="black", gap=1.5, gid=GID_WERT)
            if found is not None:
                placed.append(found)
        if len(placed) == len(focus):
            return placed
        if suffix:  # try again without the "%" sign
            for p in placed:
                p.remove()
            placer = Placer(ax, inset_px=2.0)
            _block_furniture(placer, nordpfeil=False, scale_bar=scale_bar)
    if len(placed) < _VALUES_MIN_SHARE * len(focus):
        for p in placed:
            p.remove()
        return []
    return placed


def _unit_labels(
    ax: Axes,
    raeume: gpd.GeoDataFrame,
    namen: dict[str, str],
    chosen: str | None,
    nordpfeil: bool,
) -> list[Placed]:
    """Name every Sozialraum exactly once, none on top of another.

    Inside its outline where the name fits (the chosen one first, larger and bold); the others
    beside the city, with a leader line to a point well inside. To make room beside the city
    the map is widened and everything placed again, since the scale changes.
    """
    order = sorted(raeume.itertuples(), key=lambda r: (r.sozialraum_id != chosen, -r.geometry.area))
    city = raeume.geometry.union_all()
    cx = (city.bounds[0] + city.bounds[2]) / 2
    widened = False
    outside: dict[str, Outside] = {}
    while True:
        placer = Placer(ax)
        _block_furniture(placer, nordpfeil)
        # names known not to fit go first, so the inside names keep off their leader lines
        placed = place_outside(placer, list(outside.values()), city, color="#333333")
        failed: list[Outside] = []
        for row in order:
            if str(row.sozialraum_id) in outside:
                continue
            is_chosen = row.sozialraum_id == chosen
            name = figur_text(namen.get(row.sozialraum_id, row.sozialraum_id))
            weight = "bold" if is_chosen or chosen is None else "normal"
            variants = name_variants(
                name, _CHOSEN_SIZES if is_chosen else _UNIT_SIZES, fontweight=weight
            )
            color = "black" if is_chosen or chosen is None else "#333333"
            found = placer.place(
                row.geometry, variants, color=color, gap=2.0, zorder=6, gid=GID_SOZIALRAUM_NAME
            )
            if found is None:
                # a name a little wider than its unit still reads there (the halo keeps it
                # legible over the neighbour's edge): better than a leader line drawn beside
                # the city across other units, which a reader at 447 areas could not follow
                found = placer.place(
                    gepuffert(row.geometry, _UNIT_SPILL_PX / placer.px_per_unit),
                    variants,
                    color=color,
                    gap=2.0,
                    zorder=6,
                    gid=GID_SOZIALRAUM_NAME,
                )
            if found is not None:
                placed.append(found)
                continue
            part = _largest_part(row.geometry)
            tol = math.sqrt(part.area) / 100
            anchor = shapely.get_point(shapely.maximum_inscribed_circle(part, tol), 0)
            variant = Variant(wrap(name), 9.0 if is_chosen else 8.0, weight)
            failed.append(Outside(str(row.sozialraum_id), variant, anchor))
        if not failed:
            return placed
        for p in placed:
            p.remove()
        outside.update({o.key: o for o in failed})
        if not widened:
            # Once only: widening shrinks the map, and more names would stop fitting inside.
            left = [o for o in outside.values() if o.anchor.x < cx]
            right = [o for o in outside.values() if o.anchor.x >= cx]
            _widen(ax, city, outside_margin_px(placer, left), outside_margin_px(placer, right))
            widened = True
        # every round moves at least one name outside, so this ends


def _widen(ax: Axes, city: BaseGeometry, left_px: float, right_px: float) -> bool:
    """Widen the x range so ``left_px`` / ``right_px`` pixels are free beside the city.

    Returns True when the limits changed (and labels must be placed again).
    """
    minx, _, maxx, _ = city.bounds
    changed = False
    for _ in range(6):
        ax.apply_aspect()
        ppu = float(abs(ax.transData.get_matrix()[0, 0]))
        need_l, need_r = left_px / ppu, right_px / ppu
        x0, x1 = ax.get_xlim()
        if minx - x0 >= need_l * 0.99 and x1 - maxx >= need_r * 0.99:
            break
        ax.set_xlim(min(x0, minx - need_l * 1.05), max(x1, maxx + need_r * 1.05))
        changed = True
    return changed
