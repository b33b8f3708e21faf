"""Label placement: a grid index instead of all pairs, boxes inside their own polygon."""

import numpy as np
import pytest
from matplotlib.figure import Figure
from shapely.geometry import Point, Polygon, box

from sozialraum.present import labels
from sozialraum.present.labels import LabelIndex, Outside, Placer, Variant


def axes(xlim=(0, 1000), ylim=(0, 1000)):
    fig = Figure(figsize=(6, 6))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    return ax


def data_box(placer, text):
    ext = text.get_window_extent(placer.renderer)
    (x0, y0), (x1, y1) = placer.ax.transData.inverted().transform(
        [(ext.x0, ext.y0), (ext.x1, ext.y1)]
    )
    return box(x0, y0, x1, y1)


def test_grid_index_finds_overlaps_and_compares_only_neighbours():
    index = LabelIndex(cell=40)
    rng = np.random.default_rng(1)
    n = 3000
    for x, y in rng.uniform(0, 20_000, size=(n, 2)):
        b = (x, y, x + 30, y + 12)
        if not index.collides(b):
            index.add(b)
    # all pairs would be about n²/2 = 4.5 million tests; the grid needs a few per label
    assert index.comparisons < 10 * n
    assert len(index.boxes) > 0.9 * n
    index.add((100, 100, 200, 120))
    assert index.collides((150, 110, 160, 130))
    assert not index.collides((201, 100, 230, 120))
    assert index.collides((201, 100, 230, 120), gap=2)


def test_name_variants_from_large_to_small_with_narrower_breaks():
    vs = labels.name_variants("Altstadt-Nord/Am langen Bahnhof", (8, 7), extra="sehr niedrig")
    assert vs[0] == Variant("Altstadt-Nord/Am\nlangen Bahnhof\nsehr niedrig", 8)
    assert [v.fontsize for v in vs] == sorted((v.fontsize for v in vs), reverse=True)
    assert any(v.text.endswith("sehr\nniedrig") for v in vs)  # narrow: the class wraps too
    assert len({(v.text, v.fontsize) for v in vs}) == len(vs)


def test_label_fits_inside_its_polygon_or_not_at_all():
    ax = axes()
    placer = Placer(ax)
    big = box(100, 100, 600, 400)
    placed = placer.place(big, labels.name_variants("Schönholzer Heide", (8,)), "black")
    assert placed is not None
    assert big.contains(data_box(placer, placed.text))
    thin = box(700, 100, 705, 900)  # a 5 m wide strip: less than a pixel
    assert placer.place(thin, labels.name_variants("Kuppe", (8, 6)), "black") is None


def test_l_shaped_polygon_gets_the_label_in_its_wide_arm():
    ax = axes()
    placer = Placer(ax)
    ell = Polygon([(0, 0), (900, 0), (900, 120), (60, 120), (60, 900), (0, 900)])
    placed = placer.place(ell, [Variant("Gartenstadt Falkenhöhe", 8)], "black")
    assert placed is not None
    assert ell.contains(data_box(placer, placed.text))
    assert placed.text.get_position()[1] < 120  # in the horizontal arm


def test_a_placed_box_blocks_the_next_label():
    ax = axes()
    placer = Placer(ax)
    area = box(300, 300, 700, 700)
    first = placer.place(area, [Variant("Mitte", 8)], "black")
    assert first is not None
    x, y = first.text.get_position()
    cx, cy = ax.transData.transform((x, y))
    placer.block((cx - 300, cy - 300, cx + 300, cy + 300))  # everything around it taken
    assert placer.place(area, [Variant("Zweite", 8)], "black") is None


def test_labels_outside_are_stacked_without_overlap_with_leader_lines():
    ax = axes(xlim=(-1000, 2000), ylim=(-500, 1500))
    placer = Placer(ax)
    city = box(0, 0, 1000, 1000)
    items = [
        Outside(f"u{i}", Variant(f"Bezirk mit langem Namen {i}", 8), Point(100 + i, 500 + i))
        for i in range(8)
    ]
    placed = labels.place_outside(placer, items, city)
    assert len(placed) == 8
    boxes = [p.text.get_window_extent(placer.renderer) for p in placed]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)
    for p in placed:  # beside the city, not on it
        assert not city.intersects(data_box(placer, p.text))
    leaders = [line for line in ax.lines if line.get_gid() == "fuehrungslinie"]
    assert len(leaders) == 8


@pytest.mark.parametrize(
    ("width", "expected"),
    [
        (16, "Altstadt-Nord/Am\nlangen Bahnhof"),
        (10, "Altstadt-\nNord/Am\nlangen\nBahnhof"),
        (200, "Altstadt-Nord/Am langen Bahnhof"),
    ],
)
def test_wrap_breaks_after_hyphens_spaces_and_slashes(width, expected):
    assert labels.wrap("Altstadt-Nord/Am langen Bahnhof", width) == expected
    assert labels.wrap("Kuppe", width) == "Kuppe"
