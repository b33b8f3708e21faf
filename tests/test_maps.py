"""Maps are tested by reading legends, colours and texts off the returned Axes (as geopandas'
test_plotting does), on a tiny city of six box-shaped Quartiere in two Sozialräume."""

import re
import textwrap

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex, to_rgba
from matplotlib.legend import Legend
from matplotlib.text import Text
from shapely.geometry import Point, box

from sozialraum.config import ConfigError, load_config
from sozialraum.present import indikatorkarten, kartenbasis, kartengeometrie, maps

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
    faces = collection(fig.axes[0], kartenbasis.GID_KLASSEN).get_facecolors()
    # B: Berg sehr niedrig, Hang sehr niedrig, Kuppe mittel (in geometry order)
    expected = [to_rgba(c) for c in (STATUS_FARBEN[3], STATUS_FARBEN[3], STATUS_FARBEN[1])]
    np.testing.assert_allclose(faces, expected)


def test_neighbours_are_grey_context_with_grey_names(tiny_cfg, quartiere, index):
    fig, _ = maps.class_map(tiny_cfg, quartiere, index, "B", "status")
    ax = fig.axes[0]
    context = collection(ax, kartenbasis.GID_KONTEXT)
    assert len(context.get_paths()) == 3
    assert {to_hex(c) for c in context.get_facecolors()} == {kartenbasis.KONTEXT_FARBE}
    grey_names = {
        t.get_text() for t in ax.texts if to_hex(t.get_color()) == kartenbasis.KONTEXT_SCHRIFT
    }
    assert {"Hafen", "Werft"} <= grey_names
    # the Sozialraum's own Quartiere are labelled in black with their class
    assert "Kuppe\nmittel" in [t.get_text() for t in ax.texts]
    assert "Sozialquartiere außerhalb des Sozialraums" in [t for t, _ in legend_entries(ax)]
    # zoomed to B (y 5,701,000-5,702,000) with a margin, not to the whole city
    y0, y1 = ax.get_ylim()
    assert (y0 + y1) / 2 == pytest.approx(5_701_500)
    x0, x1 = ax.get_xlim()
    assert x0 < 350_000 and x1 > 353_000


def test_excluded_quartier_is_hatched_with_its_reason_in_the_legend(tiny_cfg, quartiere, index):
    fig, _ = maps.class_map(tiny_cfg, quartiere, index, "A", "status")
    ax = fig.axes[0]
    hatched = collection(ax, kartenbasis.GID_NICHT_BEWERTET)
    assert hatched.get_hatch() == kartenbasis.SCHRAFFUR
    assert len(hatched.get_paths()) == 1
    entries = dict(legend_entries(ax))
    label = "nicht bewertet: weniger als 300 Einwohner*innen (1)"
    assert label in entries
    assert entries[label].get_hatch() == kartenbasis.SCHRAFFUR


def test_quartier_missing_from_index_is_not_rated_not_blank(tiny_cfg, quartiere, index):
    fig, alt = maps.class_map(tiny_cfg, quartiere, index[index["quartier_id"] != "06"], "B")
    entries = [t for t, _ in legend_entries(fig.axes[0])]
    assert "nicht bewertet: kein Indexwert (1)" in entries
    assert "Nicht bewertet: 1 (Kuppe)" in alt


def test_overview_shows_the_whole_city_without_context(tiny_cfg, quartiere, index):
    fig, alt = maps.class_map(tiny_cfg, quartiere, index, None, "status")
    ax = fig.axes[0]
    assert not [c for c in ax.collections if c.get_gid() == kartenbasis.GID_KONTEXT]
    labels = [t for t, _ in legend_entries(ax)]
    assert labels[:4] == ["hoch (1)", "mittel (1)", "niedrig (1)", "sehr niedrig (2)"]
    assert "in der Stadt Kleinstadt, 6 Sozialquartiere" in alt


def test_kombi_legend_is_a_status_by_dynamik_matrix(tiny_cfg, quartiere, index):
    fig, _ = maps.class_map(tiny_cfg, quartiere, index, None, "kombi")
    leg = fig.axes[0].get_legend()
    texts = [t.get_text() for t in leg.get_texts()]
    farben = kartenbasis.klassen_farben(tiny_cfg, "kombi")
    assert list(farben) == kartenbasis.kombi_klassen(tiny_cfg)
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
    farben = list(kartenbasis.klassen_farben(tiny_cfg, "kombi").values())
    assert len(set(farben)) == 12
    assert kartenbasis.KONTEXT_FARBE not in farben
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
    bar = [t.get_text() for t in ax.texts if t.get_gid() == kartenbasis.GID_MASSSTAB]
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
    chosen = collection(ax, kartenbasis.GID_AUSWAHL)
    assert len(chosen.get_paths()) == 3
    assert {to_hex(c) for c in chosen.get_facecolors()} == {kartenbasis.HERVORHEBUNG}
    bold = [t.get_text() for t in ax.texts if t.get_fontweight() == "bold" and t.get_text() != "N"]
    assert bold == ["Bergviertel"]
    assert alt.startswith(
        "Lagekarte: Der Sozialraum Bergviertel liegt im Norden der Stadt Kleinstadt"
    )
    assert "3 der 6 Sozialquartiere (Berg, Hang und Kuppe)" in alt


# -- indicator small multiples -------------------------------------------------------------------
def test_small_multiples_one_map_per_indicator_in_config_order(tiny_cfg, quartiere, werte):
    fig, alt = indikatorkarten.indicator_small_multiples(tiny_cfg, quartiere, werte, "A", 2023)
    assert [ax.get_title(loc="left") for ax in fig.axes] == [
        "SGB II",
        "Kinderarmut",
        "Nichtdeutsche",
    ]
    assert "im Sozialraum Altstadt/Hafen" in alt and "Kinderarmut:" in alt


def test_small_multiples_bins_are_the_same_in_every_sozialraum(tiny_cfg, quartiere, werte):
    bins = []
    for sr in ("A", "B", None):
        fig, _ = indikatorkarten.indicator_small_multiples(tiny_cfg, quartiere, werte, sr, 2023)
        bins.append(
            [[without_count(t) for t, _ in legend_entries(ax) if t[0].isdigit()] for ax in fig.axes]
        )
    assert bins[0] == bins[1] == bins[2]
    limits = indikatorkarten.indikator_klassen(tiny_cfg, werte, 2023)
    assert bins[0][0] == indikatorkarten.klassen_labels(limits["sgb2"])
    assert len(bins[0][0]) == 4


def test_small_multiples_counts_only_the_sozialraum(tiny_cfg, quartiere, werte):
    fig, _ = indikatorkarten.indicator_small_multiples(tiny_cfg, quartiere, werte, "A", 2023)
    counts = [int(re.search(r"\((\d+)\)$", t).group(1)) for t, _ in legend_entries(fig.axes[0])]
    assert sum(counts) == 3


def test_suppressed_values_are_hatched_and_explained(tiny_cfg, quartiere, werte):
    fig, alt = indikatorkarten.indicator_small_multiples(tiny_cfg, quartiere, werte, "B", 2023)
    ax = fig.axes[1]  # Kinderarmut, Hang (05) suppressed
    assert collection(ax, kartenbasis.GID_UNTERDRUECKT).get_hatch() == kartenbasis.SCHRAFFUR
    entries = dict(legend_entries(ax))
    label = "• Wert unterdrückt (weniger als 3 Fälle) (1)"
    assert entries[label].get_hatch() == kartenbasis.SCHRAFFUR
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
    limits = indikatorkarten.indikator_klassen(tiny_cfg, werte, 2023)
    assert limits["kinderarmut"] == []
    sgb2 = limits["sgb2"]
    assert sgb2[0] == 2.0 and sgb2[-1] == 17.5  # suppressed 40,06 left out
    assert len(sgb2) == 5
    labels = indikatorkarten.klassen_labels([12.5, 17.0, 20.25])
    assert labels == ["12,5–17,0 %", "17,0–20,2 %"]
    assert indikatorkarten.klasse_von([12.5, 17.0, 20.3], 17.0) == 0
    assert indikatorkarten.klasse_von([12.5, 17.0, 20.3], 17.01) == 1


def test_no_sentinel_or_infinity_in_any_legend(tiny_cfg, quartiere, index, werte):
    figures = [maps.locator_map(tiny_cfg, quartiere, "A")[0]]
    for kind in ("status", "dynamik", "kombi"):
        for sr in ("A", None):
            figures.append(maps.class_map(tiny_cfg, quartiere, index, sr, kind)[0])
    figures.append(
        indikatorkarten.indicator_small_multiples(tiny_cfg, quartiere, werte, None, 2020)[0]
    )
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
    grey = [t for t in ax.texts if to_hex(t.get_color()) == kartenbasis.KONTEXT_SCHRIFT]
    # the 300 m strip is too narrow for "sehr niedrig" on one line: the class line is wrapped
    assert ["Berg", "sehr", "niedrig"] in [t.get_text().split() for t in black]
    assert "Hafen" not in [t.get_text() for t in grey], "the colliding neighbour name is dropped"
    assert "Werft" in [t.get_text() for t in grey], "a neighbour name with room stays"
    for t in grey:
        assert not any(
            t.get_window_extent(renderer).overlaps(b.get_window_extent(renderer)) for b in black
        ), t.get_text()


def test_quartiere_too_small_for_their_name_get_numbers_and_a_key(tiny_cfg, quartiere, index):
    """Berg and Hang as two thin strips side by side: their names would run across each other
    (the old code pushed them apart, out of their strips); now each strip gets a number inside
    it, and the key names them. Adapted: the old test asserted the names themselves."""
    g = quartiere.copy()
    strips = {
        "Berg": box(350_000, 5_701_000, 350_100, 5_702_000),
        "Hang": box(350_100, 5_701_000, 350_200, 5_702_000),
    }
    for name, geom in strips.items():
        g.loc[g["quartier"] == name, "geometry"] = geom
    fig, alt = maps.class_map(tiny_cfg, g, index, "B", "status")
    ax = fig.axes[0]
    renderer = FigureCanvasAgg(fig).get_renderer()
    key = kartenbasis.kartenschluessel(fig)
    assert list(key.columns) == ["nummer", "quartier_id", "quartier"]
    # numbers count the Sozialraum's Quartiere in id order: 04 Berg, 05 Hang, 06 Kuppe
    assert key.to_dict("records") == [
        {"nummer": 1, "quartier_id": "04", "quartier": "Berg"},
        {"nummer": 2, "quartier_id": "05", "quartier": "Hang"},
    ]
    numbers = {t.get_text(): t for t in ax.texts if t.get_gid() == kartenbasis.GID_NUMMER}
    assert set(numbers) == {"1", "2"}
    to_data = ax.transData.inverted()
    for name, n in (("Berg", "1"), ("Hang", "2")):
        ext = numbers[n].get_window_extent(renderer)
        (x0, y0), (x1, y1) = to_data.transform([(ext.x0, ext.y0), (ext.x1, ext.y1)])
        assert strips[name].contains(box(x0, y0, x1, y1)), name
    assert (
        not numbers["1"]
        .get_window_extent(renderer)
        .overlaps(numbers["2"].get_window_extent(renderer))
    )
    assert "Kuppe\nmittel" in [t.get_text() for t in ax.texts]  # the big one keeps its name
    assert "Nummer" in alt
    assert any("Nummern der Sozialquartiere" in t for t in all_texts(fig))


def test_key_is_empty_when_every_name_fits(tiny_cfg, quartiere, index):
    fig, _ = maps.class_map(tiny_cfg, quartiere, index, "A", "status")
    key = kartenbasis.kartenschluessel(fig)
    assert key.empty and list(key.columns) == ["nummer", "quartier_id", "quartier"]
    assert not any("Nummern der Sozialquartiere" in t for t in all_texts(fig))


# -- big city (synthetic, 520 Quartiere in 12 Sozialräume) -----------------------------------------
BERLIN_NAMEN = [
    "Mitte",
    "Friedrichshain-Kreuzberg",
    "Pankow",
    "Charlottenburg-Wilmersdorf",
    "Spandau",
    "Steglitz-Zehlendorf",
    "Tempelhof-Schöneberg",
    "Neukölln",
    "Treptow-Köpenick",
    "Marzahn-Hellersdorf",
    "Lichtenberg",
    "Reinickendorf",
]


@pytest.fixture(scope="module")
def gross(tmp_path_factory):
    """(config, geometry, index, werte) of a synthetic city of 520 Quartiere in 12 units.

    The frames are built here, not by the pipeline, so the map tests do not depend on it. One
    Quartier is the only one of its status class ("hoch"), to test exact class colours.
    """
    from sozialraum import synthetic

    path = synthetic.make_city(tmp_path_factory.mktemp("gross"), areas=520, units=12, seed=1)
    cfg = load_config(path)
    geo = gpd.read_file(path.parents[1] / "geo" / "quartiere.geojson")
    rng = np.random.default_rng(5)
    labels = ["mittel", "niedrig", "sehr niedrig"]
    status = rng.choice(labels, size=len(geo), p=[0.6, 0.25, 0.15]).astype(object)
    status[int(np.argmax(geo.geometry.area))] = "hoch"  # rare: exactly one Quartier
    dynamik = rng.choice(["positiv", "stabil", "negativ"], size=len(geo)).astype(object)
    index = pd.DataFrame(
        {
            "quartier_id": geo["quartier_id"],
            "status_klasse": status,
            "dynamik_klasse": dynamik,
            "kombi_klasse": [f"{s} / {d}" for s, d in zip(status, dynamik, strict=True)],
            "ausgeschlossen": False,
            "ausschluss_grund": pd.NA,
        }
    )
    rows = []
    for ind in cfg.indikatoren:
        share = rng.uniform(2, 40, size=len(geo))
        rows.append(
            pd.DataFrame(
                {
                    "quartier_id": geo["quartier_id"],
                    "jahr": 2023,
                    "indikator": ind.id,
                    "anteil": share,
                    "unterdrueckt": rng.uniform(size=len(geo)) < 0.03,
                }
            )
        )
    werte = pd.concat(rows, ignore_index=True)
    werte.loc[werte["unterdrueckt"], "anteil"] = np.nan
    return cfg, geo, index, werte


def drawn(fig):
    """Draw the figure with Agg; returns the renderer."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def text_box(ax, text, renderer):
    """Data-coordinate box of a drawn text."""
    ext = text.get_window_extent(renderer)
    (x0, y0), (x1, y1) = ax.transData.inverted().transform([(ext.x0, ext.y0), (ext.x1, ext.y1)])
    return box(x0, y0, x1, y1)


def assert_no_overlap(texts, renderer):
    """No two drawn texts overlap (an STRtree over their boxes; pairs only where they touch)."""
    import shapely

    texts = [t for t in texts if t.get_text() and t.get_visible()]
    boxes = np.array([box(*t.get_window_extent(renderer).extents) for t in texts], dtype=object)
    if len(boxes) < 2:
        return
    tree = shapely.STRtree(boxes)
    left, right = tree.query(boxes, predicate="intersects")
    clashes = [(i, j) for i, j in zip(left, right, strict=True) if i < j]
    overlapping = [
        (texts[i].get_text(), texts[j].get_text())
        for i, j in clashes
        if boxes[i].intersection(boxes[j]).area > 0
    ]
    assert not overlapping, overlapping[:5]


def units_of(geo):
    return geo.dissolve(by="sozialraum_id").geometry


def test_acceptance_big_city_map_names_units_without_overlap(gross):
    """The city map of 520 Quartiere names the 12 Sozialräume, each inside its own outline."""
    cfg, geo, index, _ = gross
    fig, alt = maps.class_map(cfg, geo, index, None, "status")
    renderer = drawn(fig)
    ax = fig.axes[0]
    texts = [t for t in ax.texts if t.get_text()]
    assert_no_overlap(texts, renderer)
    names = [t for t in texts if t.get_gid() == kartenbasis.GID_SOZIALRAUM_NAME]
    assert sorted(t.get_text().replace("\n", " ") for t in names) == [
        f"Bezirk {i:02d}" for i in range(1, 13)
    ]
    assert not [t for t in texts if t.get_gid() in (kartenbasis.GID_NAME, kartenbasis.GID_NUMMER)]
    units = units_of(geo)
    for t in names:
        uid = t.get_text().split()[-1]
        assert units[uid].contains(text_box(ax, t, renderer)), t.get_text()
    assert "520 Sozialquartiere" in alt


def test_acceptance_big_unit_map_labels_inside_their_own_quartier(gross):
    """A unit map with over 40 Quartiere: names where they fit, numbers elsewhere, all inside
    their own Quartier, none overlapping; the key lists exactly the numbers drawn."""
    cfg, geo, index, _ = gross
    sizes = geo["sozialraum_id"].value_counts()
    uid = sizes[sizes >= 40].index[0]
    fig, alt = maps.class_map(cfg, geo, index, uid, "status")
    renderer = drawn(fig)
    ax = fig.axes[0]
    texts = [t for t in ax.texts if t.get_text()]
    assert_no_overlap(texts, renderer)
    own = geo[geo["sozialraum_id"] == uid].set_index("quartier_id")
    by_name = {n: qid for qid, n in own["quartier"].items()}
    key = kartenbasis.kartenschluessel(fig)
    by_number = dict(zip(key["nummer"].astype(str), key["quartier_id"], strict=True))
    names = [t for t in texts if t.get_gid() == kartenbasis.GID_NAME]
    numbers = [t for t in texts if t.get_gid() == kartenbasis.GID_NUMMER]
    assert names and numbers
    labelled = set()
    for t in names:
        lines = t.get_text().split("\n")
        # the last line(s) are the class; find the name among the line prefixes
        qid = next(
            by_name[n]
            for k in range(len(lines), 0, -1)
            for n in {" ".join(lines[:k]).replace("- ", "-").replace("/ ", "/")}
            if n in by_name
        )
        assert own.geometry[qid].contains(text_box(ax, t, renderer)), t.get_text()
        labelled.add(qid)
    for t in numbers:
        qid = by_number[t.get_text()]
        assert own.geometry[qid].contains(text_box(ax, t, renderer)), t.get_text()
        labelled.add(qid)
    assert sorted(t.get_text() for t in numbers) == sorted(by_number)
    assert not labelled & set(key["quartier_id"]) - {by_number[t.get_text()] for t in numbers}
    assert len(labelled) >= 0.9 * len(own)  # almost every Quartier has a name or a number
    assert "Nummer" in alt


def test_number_key_is_the_same_in_all_three_maps_of_a_unit(gross):
    cfg, geo, index, _ = gross
    uid = geo["sozialraum_id"].value_counts().index[-1]  # the smallest unit: fast enough
    keys = []
    for kind in ("status", "dynamik", "kombi"):
        fig, _ = maps.class_map(cfg, geo, index, uid, kind)
        keys.append(kartenbasis.kartenschluessel(fig).set_index("quartier_id")["nummer"])
    common = keys[0].index.intersection(keys[1].index).intersection(keys[2].index)
    assert len(common) > 0
    for k in keys[1:]:
        assert (k[common] == keys[0][common]).all()


def test_locator_names_all_twelve_units_without_overlap(gross, tmp_path):
    """Berlin's twelve long district names: each shown exactly once, none on another."""
    cfg, geo, *_ = gross
    renamed = cfg.model_copy(
        update={
            "sozialraeume": [
                s.model_copy(update={"name": n})
                for s, n in zip(cfg.sozialraeume, BERLIN_NAMEN, strict=True)
            ]
        }
    )
    for chosen in ("01", "07"):
        fig, _ = maps.locator_map(renamed, geo, chosen)
        renderer = drawn(fig)
        ax = fig.axes[0]
        texts = [t for t in ax.texts if t.get_text()]
        assert_no_overlap(texts, renderer)
        shown = [t.get_text().replace("-\n", "-").replace("\n", " ") for t in texts]
        for name in BERLIN_NAMEN:
            assert shown.count(name) == 1, name
        bold = [t for t in texts if t.get_fontweight() == "bold" and t.get_text() != "N"]
        assert len(bold) == 1


def test_unit_names_that_barely_miss_their_outline_stay_on_their_unit():
    """Berlin's city map: every Bezirk named on its Bezirk, reaching over its edge, no leaders.

    Four names (Lichtenberg, Marzahn-Hellersdorf, …) stood beside the city with leader lines
    across other Bezirke; a name a few pixels wider than its unit now stays on it, most of its
    box over its own unit. Berlin's real outlines: synthetic units are too round to show it.
    """
    from test_berlin import CONFIG

    from sozialraum.compute.store import prepare

    cfg = load_config(CONFIG)
    prepared = prepare(cfg)
    geo = prepared.inputs.quartiere
    fig, _ = maps.class_map(cfg, geo, prepared.result.index, None, "kombi")
    renderer = drawn(fig)
    ax = fig.axes[0]
    assert not [line for line in ax.lines if line.get_gid() == "fuehrungslinie"]
    units = geo.dissolve("sozialraum_id").geometry
    names = {s.name: s.id for s in cfg.sozialraeume}
    texts = [t for t in ax.texts if t.get_gid() == kartenbasis.GID_SOZIALRAUM_NAME]
    assert len(texts) == len(cfg.sozialraeume) == 12
    assert_no_overlap(texts, renderer)
    for t in texts:
        box = text_box(ax, t, renderer)
        uid = names[t.get_text().replace("-\n", "-").replace("\n", " ")]
        assert units[uid].intersection(box).area > 0.5 * box.area, t.get_text()


def test_locator_puts_a_name_that_does_not_fit_beside_the_city_with_a_leader_line(gross):
    """A tiny Sozialraum (one small Quartier) with a long name: named outside, line to it."""
    cfg, geo, *_ = gross
    g = geo.copy()
    tiny = int(np.argmin(g.geometry.area))
    g.loc[tiny, "sozialraum_id"] = "13"
    extra = cfg.sozialraeume[0].model_copy(
        update={"id": "13", "name": "Insel am Kanal mit langem Namen", "slug": "insel"}
    )
    cfg13 = cfg.model_copy(update={"sozialraeume": [*cfg.sozialraeume, extra]})
    fig, _ = maps.locator_map(cfg13, g, "01")
    renderer = drawn(fig)
    ax = fig.axes[0]
    texts = [t for t in ax.texts if t.get_text()]
    assert_no_overlap(texts, renderer)
    flat = {t.get_text().replace("\n", " "): t for t in texts}
    assert "Insel am Kanal mit langem Namen" in flat
    outside = flat["Insel am Kanal mit langem Namen"]
    city = g.geometry.union_all()
    assert not city.intersects(text_box(ax, outside, renderer))  # beside the city
    leaders = [line for line in ax.lines if line.get_gid() == "fuehrungslinie"]
    assert leaders
    end = Point(leaders[0].get_xdata()[-1], leaders[0].get_ydata()[-1])
    assert g.geometry[tiny].contains(end)
    for i in range(1, 13):
        assert sum(f"Bezirk {i:02d}" == k for k in flat) == 1


def test_small_multiples_at_sixty_quartiere_have_no_overlapping_values(gross):
    cfg, geo, _, werte = gross
    sizes = geo["sozialraum_id"].value_counts()
    uid = (sizes - 60).abs().idxmin()
    fig, _ = indikatorkarten.indicator_small_multiples(cfg, geo, werte, uid, 2023)
    renderer = drawn(fig)
    own = geo[geo["sozialraum_id"] == uid]
    shown = [sum(t.get_gid() == kartenbasis.GID_WERT for t in ax.texts) for ax in fig.axes]
    assert all(shown) or not any(shown), shown  # all maps with values, or none
    for ax in fig.axes:
        values = [t for t in ax.texts if t.get_gid() == kartenbasis.GID_WERT]
        assert_no_overlap([t for t in ax.texts if t.get_text()], renderer)
        for t in values:  # inside the Quartier it describes
            b = text_box(ax, t, renderer)
            assert own.geometry.contains(b).any(), t.get_text()
        assert not values or len(values) >= 0.75 * len(own)  # shown where they fit, or none


def saved_bbox_inches(fig, renderer):
    """The box savefig(bbox_inches="tight", pad_inches=0.1) writes, in inches."""
    return fig.get_tightbbox(renderer).padded(0.1)


def assert_legends_inside_and_uncovered(fig):
    renderer = drawn(fig)
    saved = saved_bbox_inches(fig, renderer)
    canvas = fig.bbox  # whatever way the figure is shown, the canvas is never cut
    axes_boxes = [(ax, ax.get_window_extent(renderer)) for ax in fig.axes]
    for ax in fig.axes:
        for leg in ax.findobj(Legend):
            ext = leg.get_window_extent(renderer)
            inches = ext.transformed(fig.dpi_scale_trans.inverted())
            assert saved.x0 <= inches.x0 and inches.x1 <= saved.x1, (inches, saved)
            assert saved.y0 <= inches.y0 and inches.y1 <= saved.y1, (inches, saved)
            assert canvas.x0 <= ext.x0 and ext.x1 <= canvas.x1, (ext, canvas)
            assert canvas.y0 <= ext.y0 and ext.y1 <= canvas.y1, (ext, canvas)
            for other, obox in axes_boxes:  # no other map drawn over the legend
                if other is not ax:
                    assert not ext.overlaps(obox), ax.get_title(loc="left")
            for t in fig.texts:  # nor the notes of the figure
                assert not ext.overlaps(t.get_window_extent(renderer))
    for t in fig.findobj(Text):  # the source lines under the legend are on the canvas too
        if t.get_text() and t.get_visible() and not t.get_clip_on():
            ext = t.get_window_extent(renderer)
            assert canvas.y0 <= ext.y0 and ext.x1 <= canvas.x1 + 0.5, t.get_text()[:40]


def test_legends_are_never_clipped_or_covered(gross, tiny_cfg, quartiere, index, werte):
    cfg, geo, big_index, big_werte = gross
    bi = big_index.copy()
    for k, grund in enumerate(["Erstaufnahmeeinrichtung", "Gewerbegebiet", "Friedhof"]):
        bi.loc[bi.index[k * 5 + 1], ["ausgeschlossen", "ausschluss_grund"]] = [True, grund]
    figures = [
        maps.class_map(cfg, geo, bi, None, "kombi", erfunden=True)[0],
        maps.class_map(cfg, geo, bi, "01", "kombi", erfunden=True)[0],
        maps.locator_map(cfg, geo, "03", erfunden=True)[0],
        indikatorkarten.indicator_small_multiples(cfg, geo, big_werte, "02", 2023, erfunden=True)[
            0
        ],
        indikatorkarten.indicator_small_multiples(
            tiny_cfg, quartiere, werte, "B", 2023, erfunden=True
        )[0],
    ]
    # six indicators: the notes go below the last row of legends
    six = tiny_cfg.model_copy(update={"indikatoren": [*tiny_cfg.indikatoren] * 2})
    w6 = werte.copy()
    figures.append(indikatorkarten.indicator_small_multiples(six, quartiere, w6, "B", 2023)[0])
    for fig in figures:
        assert_legends_inside_and_uncovered(fig)


def test_city_map_can_name_quartiere_on_request_and_refuses_unknown_modes(
    tiny_cfg, quartiere, index
):
    fig, _ = maps.class_map(tiny_cfg, quartiere, index, None, beschriftung="quartiere")
    names = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == kartenbasis.GID_NAME]
    assert "Kuppe" in names
    assert not [t for t in fig.axes[0].texts if t.get_gid() == kartenbasis.GID_SOZIALRAUM_NAME]
    fig, _ = maps.class_map(tiny_cfg, quartiere, index, "A", beschriftung="keine")
    assert not [
        t
        for t in fig.axes[0].texts
        if t.get_gid() in (kartenbasis.GID_NAME, kartenbasis.GID_NUMMER)
    ]
    with pytest.raises(ValueError, match="auto, quartiere, sozialraeume, keine"):
        maps.class_map(tiny_cfg, quartiere, index, "A", beschriftung="alle")


# -- the city's own words ------------------------------------------------------------------------
OBERHAUSEN_WOERTER = re.compile(r"Sozialr[aä]um|Sozialquartier|Quartier")


@pytest.fixture(scope="module")
def berlin_cfg(tmp_path_factory):
    """The tiny city in Berlin's words: Bezirke of Planungsräume."""
    path = tmp_path_factory.mktemp("berlin") / "berlin.toml"
    path.write_text(
        TOML.replace(
            "[[sozialraeume]]",
            "[begriffe]\n"
            'einheit = { name = "Bezirk", mehrzahl = "Bezirke", genus = "m" }\n'
            'gebiet = { name = "Planungsraum", mehrzahl = "Planungsräume", genus = "m" }\n\n'
            "[[sozialraeume]]",
            1,
        ),
        encoding="utf-8",
    )
    return load_config(path)


def _tiny_numbered(quartiere):
    """Berg and Hang (Bergviertel) as two thin strips, so that they carry numbers."""
    q = quartiere.copy()
    q.loc[q.index[3], "geometry"] = box(350_000, 5_701_000, 350_100, 5_702_000)
    q.loc[q.index[4], "geometry"] = box(350_100, 5_701_000, 350_200, 5_702_000)
    return q


def test_maps_speak_the_configured_words_only(berlin_cfg, quartiere, index, werte):
    """Alt texts, legends, titles and notes of every map say Bezirk/Planungsraum."""
    q = _tiny_numbered(quartiere)
    figures = [maps.locator_map(berlin_cfg, q, "B")]
    for sr in ("A", "B", None):
        for kind in ("status", "dynamik", "kombi"):
            figures.append(maps.class_map(berlin_cfg, q, index, sr, kind))
    figures.append(indikatorkarten.indicator_small_multiples(berlin_cfg, q, werte, "A", 2023))
    figures.append(indikatorkarten.indicator_small_multiples(berlin_cfg, q, werte, None, 2023))
    assert not kartenbasis.kartenschluessel(figures[4][0]).empty, "the Bergviertel map has numbers"
    seen = []
    for fig, alt in figures:
        texts = [alt, *all_texts(fig)]
        seen += texts
        found = [t for t in texts if OBERHAUSEN_WOERTER.search(t)]
        assert not found, found
    joined = " ".join(seen)
    assert "Lagekarte: Der Bezirk Bergviertel liegt" in joined
    assert "im Bezirk Altstadt/Hafen, 3 Planungsräume" in joined
    assert "Planungsräume außerhalb des Bezirks" in joined
    assert "Anzahl Planungsräume im Bezirk" in joined
    assert "Nummern der Planungsräume" in joined
    assert "Planungsräume tragen statt des Namens eine Nummer" in joined
    assert "weitere Bezirke" in joined
    assert "Schematische Grenzen: keine amtlichen Grenzen der Planungsräume." in joined
    assert kartenbasis.schluessel_titel(berlin_cfg.begriffe.gebiet) == (
        "Tabelle zur Karte: Nummern der Planungsräume"
    )


# -- big geometries --------------------------------------------------------------------------------
def _riesenpolygon(n=200_000):
    """A wavy polygon of ``n`` vertices, 3 km across, next to five small boxes."""
    import math

    from shapely.geometry import Polygon

    x0, y0 = 350_000, 5_700_000
    t = np.linspace(0, 2 * math.pi, n, endpoint=False)
    r = 1400 + 60 * np.sin(t * 40) + 0.3 * np.sin(t * 3777)  # over-digitised, as surveyed
    big = Polygon(np.c_[x0 + 1500 + r * np.cos(t), y0 + 1500 + r * np.sin(t)])
    geoms = [big] + [box(x0 + 3200, y0 + k * 600, x0 + 3800, y0 + (k + 1) * 600) for k in range(5)]
    return gpd.GeoDataFrame(
        {
            "quartier_id": [f"0{i + 1}" for i in range(6)],
            "quartier": ["Riesenquartier", "Q2", "Q3", "Q4", "Q5", "Q6"],
            "sozialraum_id": ["A", "A", "A", "B", "B", "B"],
        },
        geometry=geoms,
        crs="EPSG:25832",
    )


def test_a_200000_vertex_polygon_is_simplified_for_display_only(tiny_cfg, index):
    """Drawing is simplified once per geometry frame and zoom; computations stay exact."""
    import time

    import shapely

    from sozialraum.present.figures import figure_html

    geo = _riesenpolygon()
    assert shapely.get_num_coordinates(geo.geometry.iloc[0]) > 200_000
    start = time.perf_counter()
    fig, alt = maps.class_map(tiny_cfg, geo, index, "A", "status")
    figure_html(fig, alt, "Karte")
    fig, alt = maps.locator_map(tiny_cfg, geo, "A")
    figure_html(fig, alt, "Karte")
    assert time.perf_counter() - start < 30, "minutes before the display simplification"
    anzeige = kartengeometrie._anzeige(tiny_cfg, geo, kartengeometrie._geo(tiny_cfg, geo), 3800.0)
    assert anzeige is kartengeometrie._anzeige(
        tiny_cfg, geo, kartengeometrie._geo(tiny_cfg, geo), 3800.0
    ), "cached"
    assert anzeige.punkte_vorher > 200_000
    assert anzeige.punkte_nachher < 0.1 * anzeige.punkte_vorher
    assert anzeige.toleranz == pytest.approx(3800 / kartengeometrie.ANZEIGE_PIXEL, rel=0.05)
    simple = anzeige.quartiere[0]
    assert shapely.is_valid(simple)
    # the drawn outline stays within the tolerance of the exact one
    assert shapely.hausdorff_distance(simple, geo.geometry.iloc[0]) <= anzeige.toleranz * 1.01
    # the input frame is not touched: every computation keeps the exact geometry
    assert shapely.get_num_coordinates(geo.geometry.iloc[0]) > 200_000
    drawn_paths = collection(fig.axes[0], kartenbasis.GID_AUSWAHL).get_paths()
    assert sum(len(p.vertices) for p in drawn_paths) < 20_000


def test_small_frames_are_drawn_exactly(tiny_cfg, quartiere):
    anzeige = kartengeometrie._anzeige(
        tiny_cfg, quartiere, kartengeometrie._geo(tiny_cfg, quartiere), 3000.0
    )
    assert list(anzeige.quartiere) == list(kartengeometrie._geo(tiny_cfg, quartiere).geometry)


# -- text from the public is text ------------------------------------------------------------------
def test_names_with_mathtext_and_control_characters_are_drawn_literally(tiny_cfg, index):
    from sozialraum.present.figures import figure_html

    q = _tiny_numbered(
        gpd.GeoDataFrame(
            {
                "quartier_id": [f"0{i + 1}" for i in range(6)],
                "quartier": ["$$x$$", "a\\b $y$", "<script>", "Ka\x00p\x1bpe", "\\frac{1}", "_x"],
                "sozialraum_id": list("AAABBB"),
            },
            geometry=[
                box(350_000 + (i % 3) * 1000, 5_700_000 + (i // 3) * 1000,
                    351_000 + (i % 3) * 1000, 5_701_000 + (i // 3) * 1000)
                for i in range(6)
            ],
            crs="EPSG:25832",
        )
    )  # fmt: skip
    for sr in ("A", "B", None):
        fig, alt = maps.class_map(tiny_cfg, q, index, sr, "status", beschriftung="quartiere")
        texts = [t for ax in fig.axes for t in ax.texts]
        assert all(not t.get_parse_math() for t in texts)
        shown = " ".join(t.get_text() for t in texts)
        assert "\x00" not in shown and "\x1b" not in shown
        html = figure_html(fig, alt, "Karte $$x$$")
        assert "<figure>" in html and "$$x$$" in html
    assert "$$x$$" in shown or "$$x$$" in " ".join(kartenbasis.kartenschluessel(fig)["quartier"])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.floats(min_value=0, max_value=100, allow_nan=False, width=32), min_size=2, max_size=80
    ),
    st.integers(min_value=2, max_value=7),
)
def test_quantile_limits_are_those_of_mapclassify(values, k):
    """Our quantiles (no scipy import) give mapclassify's class limits, ties included.

    As ``indikator_klassen`` asks: never more classes than distinct values.
    """
    import warnings

    import mapclassify

    values = np.asarray(values, dtype=float)
    assume(k <= len(np.unique(values)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # mapclassify warns when ties collapse classes
        expected = mapclassify.Quantiles(values, k=k).bins
    np.testing.assert_allclose(
        indikatorkarten.quantil_grenzen(values, k), expected, rtol=0, atol=1e-9
    )


def test_a_central_area_lies_in_the_middle_and_others_at_their_compass_point():
    stadt = box(0, 0, 9000, 3000)  # elongated: 9 km wide, 3 km high
    assert maps.lage(box(3000, 1000, 6000, 2000), stadt) == "in der Mitte"
    assert maps.lage(box(0, 1000, 3000, 2000), stadt) == "im Westen"
    assert maps.lage(box(0, 0, 1000, 1000), box(0, 0, 3000, 3000)) == "im Südwesten"
    assert maps.lage(box(3000, 2000, 6000, 3000), stadt) == "im Norden"
    assert maps.lage(box(6000, 1000, 9000, 2000), stadt) == "im Osten"
    # slightly off the centre, as a city's central district usually is: still the middle
    assert maps.lage(box(3500, 500, 6500, 2500), stadt) == "in der Mitte"
