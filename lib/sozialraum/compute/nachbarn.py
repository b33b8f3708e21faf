"""Which report units border each other: the "Nachbarn" links of a report.

A reader who looks at one unit wants the units next to it, not the next one in the config's
list. Neighbours are computed from the geometries alone, so every city gets them without
configuration.
"""

from __future__ import annotations

from typing import Any

import shapely

#: Shared border shorter than this share of the smaller unit's perimeter counts as a corner.
MINDESTANTEIL_GRENZE = 1e-4


def nachbarn(quartiere: Any, spalte: str = "sozialraum_id") -> dict[str, list[str]]:
    """Units whose dissolved areas share a border of positive length, per unit id.

    Two units that meet only in a point (or along a sliver shorter than
    :data:`MINDESTANTEIL_GRENZE` of the smaller perimeter, digitising noise) are not
    neighbours: a reader would not call areas that touch at a corner adjacent.

    Parameters
    ----------
    quartiere
        GeoDataFrame of the areas with the unit id in column ``spalte``.
    spalte
        Column naming the unit of each area.

    Returns
    -------
    dict
        Unit id → ids of its neighbours, sorted; every unit is a key (possibly with no
        neighbours).
    """
    einheiten = quartiere[[spalte, "geometry"]].dissolve(by=spalte)
    ids = [str(i) for i in einheiten.index]
    geoms = shapely.make_valid(einheiten.geometry.to_numpy())
    baum = shapely.STRtree(geoms)
    out: dict[str, list[str]] = {i: [] for i in ids}
    links, rechts = baum.query(geoms, predicate="intersects")
    for a, b in zip(links, rechts, strict=True):
        if a >= b:
            continue
        grenze = shapely.intersection(geoms[a].boundary, geoms[b].boundary)
        kleiner = min(geoms[a].length, geoms[b].length)
        if kleiner > 0 and grenze.length > MINDESTANTEIL_GRENZE * kleiner:
            out[ids[a]].append(ids[b])
            out[ids[b]].append(ids[a])
    return {i: sorted(n) for i, n in out.items()}
