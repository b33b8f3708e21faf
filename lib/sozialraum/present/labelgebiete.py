"""The areas labels are placed in: clipped to the map's view, with their inscribed circles.

Remembered per polygon object, because the maps of one report (and of a batch) draw the same
display geometry again and again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

_GROESSE = 20_000  # entries per cache; the display geometry of a few cities


_PUFFER: dict[tuple[int, float], tuple[BaseGeometry, BaseGeometry]] = {}


def gepuffert(geometry: BaseGeometry, distance: float) -> BaseGeometry:
    """``geometry.buffer(distance)``, the same object for the same geometry and distance.

    Why: :meth:`Placer.fit` remembers its answers per polygon object; a buffer made anew for
    every map would never be found again.
    """
    key = (id(geometry), distance)
    hit = _PUFFER.get(key)
    if hit is not None and hit[0] is geometry:
        return hit[1]
    out = geometry.buffer(distance)
    if len(_PUFFER) >= _GROESSE:
        _PUFFER.clear()
    _PUFFER[key] = (geometry, out)
    return out


def clearance(region: BaseGeometry) -> float:
    """Upper bound of the radius of the largest circle inside ``region``.

    GEOS finds the circle up to ``tol``; adding it keeps this an upper bound, so no
    variant that would fit is skipped.
    """
    tol = max(math.sqrt(region.area) / 200, 1e-9)
    return float(shapely.length(shapely.maximum_inscribed_circle(region, tol))) + tol


@dataclass
class Gebiet:
    """A polygon clipped to a view, with what every label search in it needs again."""

    region: BaseGeometry  # prepared
    clearance: float  # upper bound of the largest inscribed circle's radius, data units
    grid: list[Point] = field(default_factory=list)  # filled by ``_LazyGrid``
    anchors: dict[tuple[float, float, float], list[Point]] = field(default_factory=dict)


_GEBIETE: dict[tuple, tuple[BaseGeometry, Gebiet | None]] = {}


def gebiet_im_ausschnitt(polygon: BaseGeometry, view: BaseGeometry) -> Gebiet | None:
    """``polygon`` within ``view``, remembered per polygon and view (None: nothing visible).

    Why: the three class maps of a report show the same areas in the same frame; clipping
    them, finding their inscribed circles and their grid points once instead of per map and
    label variant saves most of the geometry work of placing their labels.
    """
    key = (id(polygon), view.bounds)
    hit = _GEBIETE.get(key)
    if hit is not None and hit[0] is polygon:
        return hit[1]
    region = shapely.intersection(polygon, view)
    gebiet = None
    if not (region.is_empty or region.area <= 0):
        shapely.prepare(region)
        gebiet = Gebiet(region, clearance(region))
    if len(_GEBIETE) >= _GROESSE:
        _GEBIETE.clear()
    _GEBIETE[key] = (polygon, gebiet)  # the polygon is kept alive: its id stays its own
    return gebiet
