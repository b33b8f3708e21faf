"""Schematic Sozialquartier polygons from approximate centres and target areas.

The real boundaries are not openly licensed, so the sample data places *schematic* cells in the
right part of the city: a power diagram (weighted Voronoi) of the centre points whose weights are
adjusted until every cell's area is close to its target, clipped to a smooth outline built around
the points. Nothing here reads any geodata: the centres and areas are all we use.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import Point, Polygon
from shapely.ops import unary_union

CRS = "EPSG:25832"
_HALF_PLANE_SIZE = 100_000.0  # metres; far larger than any city
_CLOSING = 1_500.0  # metres; closes the bays between the discs of the outline


def project(lat_lon: Sequence[tuple[float, float]]) -> np.ndarray:
    """WGS84 (lat, lon) to EPSG:25832 easting/northing."""
    tr = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
    lat, lon = np.array(lat_lon, dtype=float).T
    x, y = tr.transform(lon, lat)
    return np.column_stack([x, y])


def outline(points: np.ndarray, areas_m2: np.ndarray, total_m2: float) -> Polygon:
    """A smooth outline around the points whose area equals ``total_m2``.

    Each point gets a disc proportional to the radius of its target area, so that large Quartiere
    at the edge of the city get room; closing (buffer out, then in) fills the gaps between discs.
    The disc scale is found by bisection.
    """
    radii = np.sqrt(areas_m2 / math.pi)

    def shape(k: float) -> Polygon:
        discs = [Point(p).buffer(k * r, quad_segs=16) for p, r in zip(points, radii, strict=True)]
        closed = unary_union(discs).buffer(_CLOSING, quad_segs=16).buffer(-_CLOSING, quad_segs=16)
        if closed.geom_type == "MultiPolygon":
            closed = max(closed.geoms, key=lambda g: g.area)
        return Polygon(closed.exterior).simplify(25)

    lo, hi = 0.3, 3.0
    for _ in range(40):
        mid = (lo + hi) / 2
        if shape(mid).area < total_m2:
            lo = mid
        else:
            hi = mid
    return shape((lo + hi) / 2)


def _half_plane(pi: np.ndarray, pj: np.ndarray, wi: float, wj: float) -> Polygon:
    """Points whose power distance to ``pi`` is not larger than to ``pj``."""
    d = pj - pi
    dist = float(np.hypot(*d))
    n = d / dist
    c = (pj @ pj - pi @ pi + wi - wj) / (2 * dist)
    mid = (pi + pj) / 2
    q = mid + n * (c - n @ mid)  # on the bisector, near the two points
    t = np.array([-n[1], n[0]])
    big = _HALF_PLANE_SIZE
    return Polygon([q + big * t, q - big * t, q - big * t - big * n, q + big * t - big * n])


def power_cells(points: np.ndarray, weights: np.ndarray, clip: Polygon) -> list:
    """Power-diagram cells of the points, clipped to ``clip``."""
    cells = []
    for i, pi in enumerate(points):
        cell = clip
        for j, pj in enumerate(points):
            if i != j:
                cell = cell.intersection(_half_plane(pi, pj, weights[i], weights[j]))
                if cell.is_empty:
                    break
        cells.append(cell)
    return cells


def fit_weights(
    points: np.ndarray, targets: np.ndarray, clip: Polygon, iterations: int = 300
) -> np.ndarray:
    """Adjust the power weights until each cell's area approaches its target.

    Raising a weight by ``delta`` moves the cell's edges outwards by about ``delta / (4 r)``, so the
    area grows by about ``pi * delta / 2``; a damped step of that size converges smoothly.
    """
    scale = clip.area / targets.sum()
    want = targets * scale
    weights = np.zeros(len(points))
    for _ in range(iterations):
        areas = np.array([c.area for c in power_cells(points, weights, clip)])
        err = want - areas
        if np.max(np.abs(err) / want) < 0.01:
            break
        weights += 0.5 * 2 * err / math.pi
    return weights


def _single_parts(cells: list, points: np.ndarray) -> list:
    """Give stray parts of a cell (cut off by a concave outline) to the neighbour touching most."""
    cells = [shapely.make_valid(c) for c in cells]
    strays = []
    for i, cell in enumerate(cells):
        parts = list(getattr(cell, "geoms", [cell]))
        parts = [p for p in parts if p.geom_type == "Polygon" and p.area > 0]
        if len(parts) > 1:
            site = Point(points[i])
            keep = min(parts, key=lambda p: (not p.contains(site), -p.area))
            strays += [(i, p) for p in parts if p is not keep]
            cells[i] = keep
        elif parts:
            cells[i] = parts[0]
    for owner, part in strays:
        shared = [
            (part.boundary.intersection(c.boundary).length, j)
            for j, c in enumerate(cells)
            if j != owner
        ]
        _, best = max(shared)
        cells[best] = unary_union([cells[best], part])
    return cells


def snap_coverage(cells: list, grid: float = 1.0) -> list:
    """Round all vertices to ``grid`` metres while keeping shared edges identical.

    Rounding each polygon on its own could open slivers or overlaps between neighbours, so the
    noded linework of all cells is rounded once, polygonised into faces, and each face goes back to
    the cell it overlaps most.
    """
    lines = shapely.set_precision(unary_union([c.boundary for c in cells]), grid)
    faces = list(shapely.polygonize(list(getattr(lines, "geoms", [lines]))).geoms)
    groups: list[list] = [[] for _ in cells]
    for face in faces:
        owner = max(range(len(cells)), key=lambda i: cells[i].intersection(face).area)
        groups[owner].append(face)
    out = []
    for group in groups:
        merged = unary_union(group)
        out.append(shapely.set_precision(merged, grid))
    return out


def schematic_cells(
    lat_lon: Sequence[tuple[float, float]], areas_km2: Sequence[float], total_km2: float
) -> list:
    """Polygons (EPSG:25832, 1 m grid) around the centres with areas close to the targets."""
    points = project(lat_lon)
    targets = np.asarray(areas_km2, dtype=float) * 1e6
    clip = outline(points, targets, total_km2 * 1e6)
    weights = fit_weights(points, targets, clip)
    cells = _single_parts(power_cells(points, weights, clip), points)
    return snap_coverage(cells)
