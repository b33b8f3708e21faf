"""Maps are tested by reading legends, colours and texts off the returned Axes (as geopandas'
test_plotting does), on a tiny city of six box-shaped Quartiere in two Sozialräume."""

import re
import textwrap

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex, to_rgba
from matplotlib.legend import Legend
from shapely.geometry import Point, box

from sozialraum import maps
from sozialraum.config import ConfigError, load_config

TOML = textwrap.dedent(
    """
    [stadt]
    name = "Kleinstadt"
    herausgeber = "Stadt Kleinstadt, Sozialplanung"
    crs = "EPSG:25832"
    geometrie_version = "Testgeometrie v1"
    geometrie_schematisch = true

    [[sozialraeume]]
    id = "A"
    name = "Altstadt/Hafen"
    slug = "altstadt-hafen"

    [[sozialraeume]]
    id = "B"
    name = "Bergviertel"
    slug = "bergviertel"

    [[indikatoren]]
    id = "sgb2"
    label = "SGB-II-Quote"
    kurz = "SGB II"
    zaehler = "Personen in SGB II"
    nenner = "Einwohner*innen unter 65"

    [[indikatoren]]
    id = "kinderarmut"
    label = "Kinderarmut"
    kurz = "Kinderarmut"
    zaehler = "Kinder in SGB II"
    nenner = "Kinder unter 15"

    [[indikatoren]]
    id = "nichtdeutsche"
    label = "Nichtdeutsche"
    kurz = "Nichtdeutsche"
    zaehler = "Nichtdeutsche"
    nenner = "Einwohner*innen"

    [methode]
    jahre = [2020, 2023]
    berichtsjahr = 2023
    vergleichsjahr = 2020
    mindestfallzahl = 3

    [methode.status]
    schwellen = [-1.0, 1.0, 1.5]
    labels = ["hoch", "mittel", "niedrig", "sehr niedrig"]
    farben = ["#fef0d9", "#fdcc8a", "#fc8d59", "#b30000"]

    [methode.dynamik]
    schwellen = [-1.0, 1.0]
    labels = ["positiv", "stabil", "negativ"]
    farben = ["#2166ac", "#f7f7f7", "#b2182b"]

    [eingaben]
    geometrie = "geo.geojson"
    bevoelkerung = "b.csv"
    indikatoren = "i.csv"
    veranstaltungen = "v.csv"
    stationen = "s.csv"
    angebote = "a.csv"
    fragen = "f.csv"
    abstimmungen = "ab.csv"
    karten = "k.csv"
    handlungsempfehlungen = "h.csv"
    kanalregeln = "kr.csv"
    """
)

STATUS_FARBEN = ["#fef0d9", "#fdcc8a", "#fc8d59", "#b30000"]


@pytest.fixture(scope="module")
def tiny_cfg(tmp_path_factory):
    path = tmp_path_factory.mktemp("cfg") / "kleinstadt.toml"
    path.write_text(TOML, encoding="utf-8")
    return load_config(path)


@pytest.fixture(scope="module")
def quartiere():
    """Two rows of three 1 km boxes: A in the south, B in the north."""
    x0, y0 = 350_000, 5_700_000
    rows = []
    names = ["Hafen", "Altstadt-Nord/Am langen Bahnhof", "Werft", "Berg", "Hang", "Kuppe"]
    for i, name in enumerate(names):
        col, row = i % 3, i // 3
        geom = box(x0 + col * 1000, y0 + row * 1000, x0 + (col + 1) * 1000, y0 + (row + 1) * 1000)
        rows.append(
            {
                "quartier_id": f"0{i + 1}",
                "quartier": name,
                "sozialraum_id": "AB"[row],
                "geometry": geom,
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:25832")


@pytest.fixture(scope="module")
def index(quartiere):
    status = ["niedrig", "hoch", "nicht bewertet", "sehr niedrig", "sehr niedrig", "mittel"]
    dynamik = ["negativ", "stabil", "nicht bewertet", "positiv", "negativ", "stabil"]
    return pd.DataFrame(
        {
            "quartier_id": quartiere["quartier_id"],
            "quartier": quartiere["quartier"],
            "sozialraum_id": quartiere["sozialraum_id"],
            "einwohner": [5000, 4000, 120, 6000, 5500, 3000],
            "statusindex": [1.2, -1.5, np.nan, 1.8, 1.6, 0.1],
            "status_klasse": status,
            "dynamikindex": [1.3, 0.0, np.nan, -1.2, 1.1, 0.2],
            "dynamik_klasse": dynamik,
            "kombi_klasse": [f"{s} / {d}" for s, d in zip(status, dynamik, strict=True)],
            "ausgeschlossen": [False, False, True, False, False, False],
            "ausschluss_grund": [pd.NA, pd.NA, "weniger als 300 Einwohner*innen"] + [pd.NA] * 3,
        }
    )


@pytest.fixture(scope="module")
def werte(quartiere):
    rows = []
    rng = np.random.default_rng(7)
    for jahr in (2020, 2023):
        for ind in ("sgb2", "kinderarmut", "nichtdeutsche"):
            for qid in quartiere["quartier_id"]:
                rows.append(
                    {
                        "quartier_id": qid,
                        "jahr": jahr,
                        "indikator": ind,
                        "anteil": float(rng.uniform(2, 30)),
                        "unterdrueckt": False,
                    }
                )
    df = pd.DataFrame(rows)
    hidden = (df["quartier_id"] == "05") & (df["indikator"] == "kinderarmut")
    df.loc[hidden, "unterdrueckt"] = True
    df.loc[hidden, "anteil"] = np.nan
    return df


def collection(ax, gid):
    found = [c for c in ax.collections if c.get_gid() == gid]
    assert len(found) == 1, f"expected one collection {gid}, got {len(found)}"
    return found[0]


def legend_entries(ax):
    """(text, handle) of the visible legend entries, in legend order."""
    leg = ax.get_legend()
    return [
        (t.get_text(), h)
        for t, h in zip(leg.get_texts(), leg.legend_handles, strict=True)
        if t.get_text()
    ]


def without_count(label):
    return re.sub(r" \(\d+\)$", "", label)


def all_texts(fig):
    texts = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        texts += [t.get_text() for t in ax.texts]
        for leg in ax.findobj(Legend):
            texts += [t.get_text() for t in leg.get_texts()] + [leg.get_title().get_text()]
    return texts


# -- class maps ----------------------------------------------------------------------------------
def test_status_legend_lists_every_config_class_in_order_with_counts(tiny_cfg, quartiere, index):
    fig, _ = maps.class_map(tiny_cfg, quartiere, index, "A", "status")
    labels = [text for text, _ in legend_entries(fig.axes[0])]
    # Sozialraum A: Hafen niedrig, Altstadt-Nord hoch, Werft excluded
    assert labels[:4] == ["hoch (1)", "mittel (0)", "niedrig (1)", "sehr niedrig (0)"]


def test_legend_is_the_same_in_every_sozialraum(tiny_cfg, quartiere, index):
    legends = []
    for sr in ("A", "B", None):
        fig, _ = maps.class_map(tiny_cfg, quartiere, index, sr, "dynamik")
        entries = legend_entries(fig.axes[0])[:3]
        legends.append([(without_count(t), to_hex(h.get_facecolor())) for t, h in entries])
    assert legends[0] == legends[1] == legends[2]
    assert legends[0] == [("positiv", "#2166ac"), ("stabil", "#f7f7f7"), ("negativ", "#b2182b")]


def test_quartier_colours_are_the_config_colours_of_their_class(tiny_cfg, quartiere, index):
    fig, _ = maps.class_map(tiny_cfg, quartiere, index, "B", "status")
    faces = collection(fig.axes[0], maps.GID_KLASSEN).get_facecolors()
    # B: Berg sehr niedrig, Hang sehr niedrig, Kuppe mittel (in geometry order)
    expected = [to_rgba(c) for c in (STATUS_FARBEN[3], STATUS_FARBEN[3], STATUS_FARBEN[1])]
    np.testing.assert_allclose(faces, expected)


def test_neighbours_are_grey_context_with_grey_names(tiny_cfg, quartiere, index):
    fig, _ = maps.class_map(tiny_cfg, quartiere, index, "B", "status")
    ax = fig.axes[0]
    context = collection(ax, maps.GID_KONTEXT)
    assert len(context.get_paths()) == 3
    assert {to_hex(c) for c in context.get_facecolors()} == {maps.KONTEXT_FARBE}
    grey_names = {t.get_text() for t in ax.texts if to_hex(t.get_color()) == maps.KONTEXT_SCHRIFT}
    assert {"Hafen", "Werft"} <= grey_names
    # the Sozialraum's own Quartiere are labelled in black with their class
    assert "Kuppe\nmittel" in [t.get_text() for t in ax.texts]
    assert "Quartiere außerhalb des Sozialraums" in [t for t, _ in legend_entries(ax)]
    # zoomed to B (y 5,701,000-5,702,000) with a margin, not to the whole city
    y0, y1 = ax.get_ylim()
    assert (y0 + y1) / 2 == pytest.approx(5_701_500)
    x0, x1 = ax.get_xlim()
    assert x0 < 350_000 and x1 > 353_000


def test_excluded_quartier_is_hatched_with_its_reason_in_the_legend(tiny_cfg, quartiere, index):
    fig, _ = maps.class_map(tiny_cfg, quartiere, index, "A", "status")
    ax = fig.axes[0]
    hatched = collection(ax, maps.GID_NICHT_BEWERTET)
    assert hatched.get_hatch() == maps.SCHRAFFUR
    assert len(hatched.get_paths()) == 1
    entries = dict(legend_entries(ax))
    label = "nicht bewertet: weniger als 300 Einwohner*innen (1)"
    assert label in entries
    assert entries[label].get_hatch() == maps.SCHRAFFUR


def test_quartier_missing_from_index_is_not_rated_not_blank(tiny_cfg, quartiere, index):
    fig, alt = maps.class_map(tiny_cfg, quartiere, index[index["quartier_id"] != "06"], "B")
    entries = [t for t, _ in legend_entries(fig.axes[0])]
    assert "nicht bewertet: kein Indexwert (1)" in entries
    assert "Nicht bewertet: 1 (Kuppe)" in alt


def test_overview_shows_the_whole_city_without_context(tiny_cfg, quartiere, index):
    fig, alt = maps.class_map(tiny_cfg, quartiere, index, None, "status")
    ax = fig.axes[0]
    assert not [c for c in ax.collections if c.get_gid() == maps.GID_KONTEXT]
    labels = [t for t, _ in legend_entries(ax)]
    assert labels[:4] == ["hoch (1)", "mittel (1)", "niedrig (1)", "sehr niedrig (2)"]
    assert "in der Stadt Kleinstadt, 6 Sozialquartiere" in alt


def test_kombi_legend_is_a_status_by_dynamik_matrix(tiny_cfg, quartiere, index):
    fig, _ = maps.class_map(tiny_cfg, quartiere, index, None, "kombi")
    leg = fig.axes[0].get_legend()
    texts = [t.get_text() for t in leg.get_texts()]
    farben = maps.klassen_farben(tiny_cfg, "kombi")
    assert list(farben) == maps.kombi_klassen(tiny_cfg)
    assert len(farben) == 12
    # column-major fill of 3 columns: reading row by row gives the config order
    ncol = 3
    nrows = len(texts) // ncol
    by_rows = [texts[c * nrows + r] for r in range(nrows) for c in range(ncol)]
    shown = [without_count(t) for t in by_rows if t][:12]
    assert shown == list(farben)
    assert "sehr niedrig / negativ (1)" in texts and "hoch / stabil (1)" in texts
    for t, h in zip(texts, leg.legend_handles, strict=True):
        if without_count(t) in farben:
            assert to_hex(h.get_facecolor()) == farben[without_count(t)]


def test_kombi_colours_are_distinct_and_never_the_context_grey(tiny_cfg):
    farben = list(maps.klassen_farben(tiny_cfg, "kombi").values())
    assert len(set(farben)) == 12
    assert maps.KONTEXT_FARBE not in farben
    # the darkest status row is darker than the lightest in every dynamics column
    light = [sum(to_rgba(c)[:3]) for c in farben]
    for col in range(3):
        assert light[col] > light[9 + col]


def test_alt_text_names_the_sozialraum_and_the_counts(tiny_cfg, quartiere, index):
    _, alt = maps.class_map(tiny_cfg, quartiere, index, "altstadt-hafen", "status")
    assert "im Sozialraum Altstadt/Hafen, 3 Sozialquartiere" in alt
    assert "„hoch“: 1 (Altstadt-Nord/Am langen Bahnhof)" in alt
    assert "„niedrig“: 1 (Hafen)" in alt
    assert "Nicht bewertet: 1 (Werft)" in alt
    assert "mittel" not in alt  # classes without Quartiere are not listed


def test_source_line_names_geometry_and_marks_schematic_and_invented_data(
    tiny_cfg, quartiere, index
):
    fig, _ = maps.class_map(tiny_cfg, quartiere, index, "A", erfunden=True)
    text = "\n".join(all_texts(fig))
    # invented values never name the city as their source
    assert "Quelle: Beispieldaten (erfunden); Geometrie: Testgeometrie v1" in text
    assert "Stadt Kleinstadt" not in text
    assert "Schematische Grenzen" in text
    fig, _ = maps.class_map(tiny_cfg, quartiere, index, "A", erfunden=False)
    text = "\n".join(all_texts(fig))
    assert "Quelle: Stadt Kleinstadt, Sozialplanung; Geometrie: Testgeometrie v1" in text
    assert "Beispieldaten" not in text


def test_scale_bar_in_metres_even_for_wgs84_input(tiny_cfg, quartiere, index):
    fig, _ = maps.class_map(tiny_cfg, quartiere.to_crs("EPSG:4326"), index, None)
    ax = fig.axes[0]
    assert ax.get_xlim()[0] > 300_000  # drawn in EPSG:25832
    bar = [t.get_text() for t in ax.texts if t.get_gid() == maps.GID_MASSSTAB]
    assert bar == ["500 m"]  # a quarter of a 3 km wide city


def test_long_names_are_wrapped(tiny_cfg, quartiere, index):
    fig, _ = maps.class_map(tiny_cfg, quartiere, index, "A", klassen_beschriften=False)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "Altstadt-Nord/Am\nlangen Bahnhof" in texts


def test_unknown_kind_and_sozialraum_fail_with_valid_values(tiny_cfg, quartiere, index):
    with pytest.raises(ValueError, match="status, dynamik, kombi"):
        maps.class_map(tiny_cfg, quartiere, index, "A", "sozial")
    with pytest.raises(ConfigError, match='"Bergviertel"'):
        maps.class_map(tiny_cfg, quartiere, index, "Z")


# -- locator map ---------------------------------------------------------------------------------
def test_locator_map_highlights_the_sozialraum(tiny_cfg, quartiere):
    fig, alt = maps.locator_map(tiny_cfg, quartiere, "Bergviertel")
    ax = fig.axes[0]
    chosen = collection(ax, maps.GID_AUSWAHL)
    assert len(chosen.get_paths()) == 3
    assert {to_hex(c) for c in chosen.get_facecolors()} == {maps.HERVORHEBUNG}
    bold = [t.get_text() for t in ax.texts if t.get_fontweight() == "bold" and t.get_text() != "N"]
    assert bold == ["Bergviertel"]
    assert alt.startswith(
        "Lagekarte: Der Sozialraum Bergviertel liegt im Norden der Stadt Kleinstadt"
    )
    assert "3 der 6 Sozialquartiere (Berg, Hang und Kuppe)" in alt


# -- indicator small multiples -------------------------------------------------------------------
def test_small_multiples_one_map_per_indicator_in_config_order(tiny_cfg, quartiere, werte):
    fig, alt = maps.indicator_small_multiples(tiny_cfg, quartiere, werte, "A", 2023)
    assert [ax.get_title(loc="left") for ax in fig.axes] == [
        "SGB II",
        "Kinderarmut",
        "Nichtdeutsche",
    ]
    assert "im Sozialraum Altstadt/Hafen" in alt and "Kinderarmut:" in alt


def test_small_multiples_bins_are_the_same_in_every_sozialraum(tiny_cfg, quartiere, werte):
    bins = []
    for sr in ("A", "B", None):
        fig, _ = maps.indicator_small_multiples(tiny_cfg, quartiere, werte, sr, 2023)
        bins.append(
            [[without_count(t) for t, _ in legend_entries(ax) if t[0].isdigit()] for ax in fig.axes]
        )
    assert bins[0] == bins[1] == bins[2]
    limits = maps.indikator_klassen(tiny_cfg, werte, 2023)
    assert bins[0][0] == maps.klassen_labels(limits["sgb2"])
    assert len(bins[0][0]) == 4


def test_small_multiples_counts_only_the_sozialraum(tiny_cfg, quartiere, werte):
    fig, _ = maps.indicator_small_multiples(tiny_cfg, quartiere, werte, "A", 2023)
    counts = [int(re.search(r"\((\d+)\)$", t).group(1)) for t, _ in legend_entries(fig.axes[0])]
    assert sum(counts) == 3


def test_suppressed_values_are_hatched_and_explained(tiny_cfg, quartiere, werte):
    fig, alt = maps.indicator_small_multiples(tiny_cfg, quartiere, werte, "B", 2023)
    ax = fig.axes[1]  # Kinderarmut, Hang (05) suppressed
    assert collection(ax, maps.GID_UNTERDRUECKT).get_hatch() == maps.SCHRAFFUR
    entries = dict(legend_entries(ax))
    label = "• Wert unterdrückt (weniger als 3 Fälle) (1)"
    assert entries[label].get_hatch() == maps.SCHRAFFUR
    assert "•" in [t.get_text() for t in ax.texts]
    assert "Hang unterdrückt" in alt
    # the suppressed Quartier does not enter the city-wide bins of that indicator
    assert "Wert unterdrückt" not in " ".join(t for t, _ in legend_entries(fig.axes[0]))


def test_indikator_klassen_are_city_quantiles_with_german_labels(tiny_cfg):
    werte = pd.DataFrame(
        {
            "quartier_id": [f"0{i}" for i in range(1, 9)],
            "jahr": 2023,
            "indikator": "sgb2",
            "anteil": [2.04, 5.0, 7.5, 10.0, 12.5, 15.0, 17.5, 40.06],
            "unterdrueckt": [False] * 7 + [True],
        }
    )
    limits = maps.indikator_klassen(tiny_cfg, werte, 2023)
    assert limits["kinderarmut"] == []
    sgb2 = limits["sgb2"]
    assert sgb2[0] == 2.0 and sgb2[-1] == 17.5  # suppressed 40,06 left out
    assert len(sgb2) == 5
    labels = maps.klassen_labels([12.5, 17.0, 20.25])
    assert labels == ["12,5–17,0 %", "17,0–20,2 %"]
    assert maps.klasse_von([12.5, 17.0, 20.3], 17.0) == 0
    assert maps.klasse_von([12.5, 17.0, 20.3], 17.01) == 1


def test_no_sentinel_or_infinity_in_any_legend(tiny_cfg, quartiere, index, werte):
    figures = [maps.locator_map(tiny_cfg, quartiere, "A")[0]]
    for kind in ("status", "dynamik", "kombi"):
        for sr in ("A", None):
            figures.append(maps.class_map(tiny_cfg, quartiere, index, sr, kind)[0])
    figures.append(maps.indicator_small_multiples(tiny_cfg, quartiere, werte, None, 2020)[0])
    for fig in figures:
        text = " ".join(all_texts(fig)).lower()
        assert "inf" not in text.replace("informat", "")
        assert "nan" not in text
        assert "e+" not in text


def test_neighbour_names_never_cover_the_sozialraum_labels(tiny_cfg, quartiere, index):
    """Berg (in B) made thin, with the neighbour Hafen (in A) a thin strip right beside it: the
    grey "Hafen" would be printed across "Berg / sehr niedrig"."""
    g = quartiere.copy()
    g.loc[g["quartier"] == "Berg", "geometry"] = box(350_000, 5_701_000, 350_300, 5_702_000)
    g.loc[g["quartier"] == "Hafen", "geometry"] = box(350_300, 5_701_000, 350_450, 5_702_000)
    fig, _ = maps.class_map(tiny_cfg, g, index, "B", "status")
    ax = fig.axes[0]
    renderer = FigureCanvasAgg(fig).get_renderer()
    black = [t for t in ax.texts if to_hex(t.get_color()) == "#000000" and t.get_text()]
    grey = [t for t in ax.texts if to_hex(t.get_color()) == maps.KONTEXT_SCHRIFT]
    assert "Berg\nsehr niedrig" in [t.get_text() for t in black]
    assert "Hafen" not in [t.get_text() for t in grey], "the colliding neighbour name is dropped"
    assert "Werft" in [t.get_text() for t in grey], "a neighbour name with room stays"
    for t in grey:
        assert not any(
            t.get_window_extent(renderer).overlaps(b.get_window_extent(renderer)) for b in black
        ), t.get_text()


def test_names_of_small_neighbouring_quartiere_are_pushed_apart_inside_their_own(
    tiny_cfg, quartiere, index
):
    """Berg and Hang as two thin strips side by side: their labels start on top of each other."""
    g = quartiere.copy()
    strips = {
        "Berg": box(350_000, 5_701_000, 350_100, 5_702_000),
        "Hang": box(350_100, 5_701_000, 350_200, 5_702_000),
    }
    for name, geom in strips.items():
        g.loc[g["quartier"] == name, "geometry"] = geom
    fig, _ = maps.class_map(tiny_cfg, g, index, "B", "status")
    ax = fig.axes[0]
    renderer = FigureCanvasAgg(fig).get_renderer()
    labels = {t.get_text().split("\n")[0]: t for t in ax.texts if t.get_text()}
    berg, hang = labels["Berg"], labels["Hang"]
    assert not berg.get_window_extent(renderer).overlaps(hang.get_window_extent(renderer))
    for name, text in (("Berg", berg), ("Hang", hang)):
        assert strips[name].contains(Point(text.get_position())), name
