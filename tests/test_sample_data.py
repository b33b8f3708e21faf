"""Plausibility of the generated sample data set (scripts/make_sample_data.py).

The expectations restate PRODUCT.md (names, assignment, areas, public ranges) so that a change of
the generator that drifts away from the brief fails here.
"""

import subprocess
import sys
from itertools import combinations
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "make_sample_data.py"

# Sozialraum id -> {Quartier: target area in km²} (PRODUCT.md)
EXPECTED = {
    "1": {"Innenstadt": 1.2, "Marienviertel-West": 1.6, "Styrum": 1.4},
    "2": {"Lirich-Nord": 3.9, "Lirich-Süd": 1.6, "Alstaden": 3.4},
    "3": {
        "Osterfeld-Mitte/Vonderort": 2.4,
        "Vondern/Osterfeld-Süd": 3.0,
        "Eisenheim/Heide": 1.5,
        "Rothebusch": 1.5,
        "Tackenberg-Ost": 1.6,
        "Klosterhardt": 1.5,
    },
    "4": {
        "Marienviertel-Ost": 0.8,
        "Brücktorviertel": 0.9,
        "Bermensfeld": 0.8,
        "Dümpten": 1.7,
        "Schlad": 1.5,
        "Borbeck": 3.8,
    },
    "5": {
        "Sterkrade-Mitte": 2.3,
        "Tackenberg-West": 2.6,
        "Buschhausen": 6.4,
        "Alsfeld": 3.6,
        "Schwarze Heide/Biefang": 2.9,
    },
    "6": {
        "Holten/Barmingholten": 6.6,
        "Schmachtendorf": 4.6,
        "Walsumermark": 7.8,
        "Königshardt": 6.4,
    },
}
AREA = {q: a for quartiere in EXPECTED.values() for q, a in quartiere.items()}
SOUTH = [
    "Innenstadt",
    "Lirich-Süd",
    "Marienviertel-West",
    "Marienviertel-Ost",
    "Brücktorviertel",
    "Osterfeld-Mitte/Vonderort",
]
NORTH = ["Walsumermark", "Königshardt", "Schmachtendorf", "Holten/Barmingholten", "Klosterhardt"]
CSV_INPUTS = [
    "bevoelkerung",
    "indikatoren",
    "veranstaltungen",
    "stationen",
    "angebote",
    "fragen",
    "abstimmungen",
    "karten",
    "feedback",
    "handlungsempfehlungen",
    "statusverlauf",
    "kanalregeln",
]
DOKU = "Dokumentation Expert*innendialoge 2023"


def read(cfg, name: str) -> pd.DataFrame:
    return pd.read_csv(
        cfg.datei(name), sep=";", dtype=str, encoding="utf-8-sig", keep_default_na=False
    )


@pytest.fixture(scope="module")
def geo(cfg) -> gpd.GeoDataFrame:
    return gpd.read_file(cfg.datei("geometrie"))


@pytest.fixture(scope="module")
def rates(cfg) -> pd.DataFrame:
    ind = read(cfg, "indikatoren")
    ind[["zaehler", "nenner"]] = ind[["zaehler", "nenner"]].astype(int)
    return ind.assign(jahr=ind["jahr"].astype(int), anteil=100 * ind["zaehler"] / ind["nenner"])


# ---- geometry -----------------------------------------------------------------------------------
def test_27_quartiere_with_names_and_sozialraum_as_in_the_brief(geo):
    assert sorted(geo["quartier_id"]) == [f"{i:02d}" for i in range(1, 28)]
    got = geo.groupby("sozialraum_id")["quartier"].apply(set).to_dict()
    assert got == {sr: set(q) for sr, q in EXPECTED.items()}
    assert geo["sozialraum_id"].value_counts().sort_index().tolist() == [3, 3, 6, 6, 5, 4]


def test_ids_follow_sozialraum_then_name(geo):
    ordered = geo.sort_values("quartier_id")
    assert ordered["sozialraum_id"].tolist() == sorted(ordered["sozialraum_id"])
    assert ordered["quartier"].iloc[:3].tolist() == ["Innenstadt", "Marienviertel-West", "Styrum"]


def test_geometry_is_in_etrs89_utm32_with_whole_metre_coordinates(geo):
    assert geo.crs.to_epsg() == 25832
    coords = geo.get_coordinates()
    assert (coords == coords.round()).all().all()
    # Oberhausen lies around 350 km E / 5708 km N in UTM 32N
    minx, miny, maxx, maxy = geo.total_bounds
    assert 340_000 < minx < maxx < 362_000 and 5_695_000 < miny < maxy < 5_720_000


def test_polygons_valid_without_overlaps(geo):
    assert geo.is_valid.all()
    assert set(geo.geom_type) <= {"Polygon", "MultiPolygon"}
    for a, b in combinations(geo.geometry, 2):
        assert a.intersection(b).area < 1.0  # square metres
    assert geo.union_all().area / 1e6 == pytest.approx(77, rel=0.03)


def test_areas_close_to_targets(geo):
    ratio = geo.set_index("quartier").area / 1e6 / pd.Series(AREA)
    assert ratio.between(0.65, 1.35).all(), ratio[~ratio.between(0.65, 1.35)]
    areas = geo.set_index("quartier").area
    assert areas.idxmax() == "Walsumermark"


# ---- statistics ---------------------------------------------------------------------------------
def test_population_totals_plausible(cfg, geo):
    bev = read(cfg, "bevoelkerung").astype({"einwohner": int, "jahr": int})
    assert len(bev) == 27 * 3 and set(bev["jahr"]) == set(cfg.methode.jahre)
    assert (bev.groupby("jahr")["einwohner"].sum() / 210_000).between(0.95, 1.05).all()
    key = ["quartier_id", "sozialraum_id"]
    sr = bev[bev["jahr"] == 2023].merge(geo[key], on=key)
    assert len(sr) == 27
    per_sr = sr.groupby("sozialraum_id")["einwohner"].sum()
    assert per_sr[["1", "2", "4"]].sum() == pytest.approx(92_000, rel=0.1)
    assert per_sr[["5", "6"]].sum() == pytest.approx(82_000, rel=0.1)
    assert per_sr["3"] == pytest.approx(38_000, rel=0.1)


def test_indicator_counts_complete_and_consistent(cfg, rates):
    assert set(rates["indikator"]) == {i.id for i in cfg.indikatoren}
    assert len(rates) == 27 * 3 * 7
    assert not rates.duplicated(["quartier_id", "jahr", "indikator"]).any()
    assert (rates["zaehler"] >= 0).all() and (rates["zaehler"] <= rates["nenner"]).all()
    # at least one cell must be suppressed, or suppression is never exercised
    assert (rates["zaehler"] < cfg.methode.mindestfallzahl).any()


def test_south_poorer_than_north(rates):
    sgb2 = rates[(rates["jahr"] == 2023) & (rates["indikator"] == "sgb2")].set_index("quartier")
    assert sgb2.loc[SOUTH, "anteil"].mean() > 2 * sgb2.loc[NORTH, "anteil"].mean()
    assert sgb2["anteil"].between(3, 35).all()
    city = sgb2["zaehler"].sum() / sgb2["nenner"].sum() * 100
    assert 14 < city < 20  # public figure: about 17 %


def test_innenstadt_worsens_and_north_does_not(rates):
    sgb2 = rates[rates["indikator"] == "sgb2"].pivot(
        index="quartier", columns="jahr", values="anteil"
    )
    assert sgb2.loc["Innenstadt", 2023] > sgb2.loc["Innenstadt", 2020] + 1
    assert (sgb2.loc[NORTH, 2023] <= sgb2.loc[NORTH, 2020] + 0.5).all()


# ---- files, encodings, provenance ---------------------------------------------------------------
@pytest.mark.parametrize("name", CSV_INPUTS)
def test_csv_looks_like_a_german_excel_export(cfg, name):
    """One encoding for every sample file: UTF-8 with BOM, ";", CRLF (German Excel's CSV UTF-8)."""
    raw = cfg.datei(name).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")  # raises if any byte is not UTF-8
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    header = text.splitlines()[0]
    assert ";" in header and "," not in header


def test_the_reader_sees_one_encoding_and_delimiter_in_all_sample_files(cfg):
    """The reader detects UTF-8 (BOM or not) and ";" everywhere: no Windows-1252 file is left."""
    from sozialraum.read.io import read_table

    for name in CSV_INPUTS:
        raw = read_table(cfg.datei(name), name)
        assert (raw.encoding, raw.delimiter) == ("utf-8", ";"), name
    umlauts = read(cfg, "bevoelkerung")
    assert "Lirich-Süd" in set(umlauts["quartier"]) and "Königshardt" in set(umlauts["quartier"])


@pytest.mark.parametrize("name", ["bevoelkerung", "indikatoren"])
def test_statistics_carry_the_sozialraum_of_the_geometry(cfg, geo, name):
    df = read(cfg, name)
    assert df.columns.tolist()[:3] == ["quartier_id", "quartier", "sozialraum_id"]
    want = geo.set_index("quartier_id")["sozialraum_id"]
    assert (df["sozialraum_id"] == df["quartier_id"].map(want)).all()
    assert df["sozialraum_id"].nunique() == 6


@pytest.mark.parametrize("name", CSV_INPUTS)
def test_every_record_has_provenance(cfg, name):
    df = read(cfg, name)
    assert {"quelle", "erfunden"} <= set(df.columns)
    assert set(df["erfunden"]) <= {"ja", "nein"}
    assert (df["quelle"].str.strip() != "").all()


def test_geometry_marked_invented(geo):
    assert (geo["erfunden"] == "ja").all()


def test_real_facts_are_not_marked_invented(cfg):
    votes = read(cfg, "abstimmungen")
    kim = votes[
        (votes["veranstaltung_id"] == "2023-alstaden-lirich")
        & (votes["angebot_id"] == "r2-integration-kim")
        & (votes["antwort"] == "JA")
    ]
    assert kim[["anzahl", "erfunden"]].values.tolist() == [["5", "nein"]]
    assert DOKU in kim["quelle"].iloc[0]
    assert (votes["erfunden"] == "nein").sum() == 1

    cards = read(cfg, "karten")
    real = cards[cards["erfunden"] == "nein"]
    assert set(real["text"]) == {
        "Verteilung in Kita",
        "Verteilung am 1. Elternabend",
        "über KHM-Beratungsstelle",
    }
    assert set(real["station_id"]) == {"r2-sport"}
    assert set(real["veranstaltung_id"]) == {"2023-alstaden-lirich"}

    ev = read(cfg, "veranstaltungen").set_index("veranstaltung_id").loc["2023-alstaden-lirich"]
    assert (ev["teilnehmende"], ev["dauer_minuten"]) == ("88", "75")
    assert DOKU in ev["quelle"] and ev["erfunden"] == "ja"  # institutions are invented


# ---- events -------------------------------------------------------------------------------------
def test_events_match_config_termine(cfg):
    ev = read(cfg, "veranstaltungen")
    assert len(ev) == 12 and ev["veranstaltung_id"].is_unique
    for sr in cfg.sozialraeume:
        for t in sr.termine:
            row = ev[(ev["sozialraum_id"] == sr.id) & (ev["runde"] == str(t.runde))]
            assert len(row) == 1
            y, m, *d = t.datum.split("-")
            want = f"{d[0]}.{m}.{y}" if d else f"{m}/{y}"
            assert row["datum"].iloc[0] == want
            assert row["veranstaltung_id"].iloc[0] == f"{y}-{sr.slug}"
    n = ev["teilnehmende"].astype(int)
    assert n.between(60, 95).all() and ev["institutionen"].astype(int).le(45).all()


def test_stations_offers_questions_are_consistent(cfg):
    st, ang, fr = read(cfg, "stationen"), read(cfg, "angebote"), read(cfg, "fragen")
    assert (st["art"] == "Themeninsel").sum() == 13
    assert set(ang["station_id"]) <= set(st["station_id"])
    assert ang.groupby("station_id").size().between(1, 5).all()
    assert (ang["url"] == "").all()  # no invented addresses that look official
    types = fr.set_index("frage_id")["typ"]

    votes = read(cfg, "abstimmungen")
    assert set(votes["angebot_id"]) <= set(ang["angebot_id"])
    assert set(types[votes["frage_id"]]) == {"ja_nein"}
    assert set(votes["antwort"]) == {"JA", "NEIN"}
    counts = votes["anzahl"].astype(int)
    assert (counts >= 0).all() and (counts < cfg.methode.mindeststimmen).any()

    cards = read(cfg, "karten")
    assert set(types[cards["frage_id"]]) == {"freitext"}
    assert set(cards["station_id"]) <= set(st["station_id"])
    per_event = cards[cards["veranstaltung_id"].str.startswith("2023")].groupby("veranstaltung_id")
    assert len(per_event) == 6 and per_event.size().between(15, 30).all()
    assert '<b>mehr Infos</b> & "Aushänge"' in set(cards["text"])


def test_feedback_words_for_the_other_five_events(cfg):
    fb = read(cfg, "feedback")
    sizes = fb.groupby("veranstaltung_id").size()
    assert "2023-alstaden-lirich" not in sizes  # comes from the Mentimeter export
    assert len(sizes) == 5 and sizes.between(60, 95).all()
    assert sizes["2023-mitte-styrum"] == 91


def test_mentimeter_export_in_the_real_layout(cfg):
    menti = cfg.eingaben.mentimeter[0]
    wb = openpyxl.load_workbook((cfg.basis / menti.datei).resolve())
    assert wb.sheetnames == ["Voters", "Session 1"]
    voters = list(wb["Voters"].iter_rows(values_only=True))
    header = voters[2]
    assert header[:3] == ("Date", "Session", "Voter")
    cloud = [i for i, h in enumerate(header) if h and str(h).startswith(menti.frage)]
    assert len(cloud) == 1 and header[cloud[0]].endswith(":")
    assert len(header) > 4  # a second question the reader must skip
    answers = [row[cloud[0]] for row in voters[3:]]
    assert 30 <= len(answers) <= 50 and None in answers
    assert all(" " not in w for a in answers if a for w in a.split(" "))
    assert any("_" in a for a in answers if a)
    types = [r[1] for r in wb["Session 1"].iter_rows(values_only=True) if r[0] == "Type"]
    assert {"choices", "wordcloud"} <= set(types)


def test_handlungsempfehlungen(cfg, geo):
    he = read(cfg, "handlungsempfehlungen")
    assert len(he) == 42 and he["he_id"].is_unique
    assert set(he["sozialraum_id"]) == {s.id for s in cfg.sozialraeume}
    assert set(he["status"]) <= {"offen", "in Umsetzung", "umgesetzt", "zurückgestellt"}
    assert (he["erfunden"] == "ja").all()
    years = pd.to_datetime(he["status_datum"], format="%d.%m.%Y").dt.year
    assert years.between(2023, 2025).all()
    names = geo.groupby("sozialraum_id")["quartier"].apply(set)
    for row in he.itertuples():
        listed = {q.strip() for q in row.quartiere.split(",") if q.strip()}
        assert listed <= names[row.sozialraum_id], row.he_id
    assert (he["quartiere"] == "").any()  # whole Sozialraum


def test_round_one_needs_for_every_sozialraum_marked_invented(cfg):
    ev, st, cards = read(cfg, "veranstaltungen"), read(cfg, "stationen"), read(cfg, "karten")
    r1 = ev[ev["runde"] == "1"]
    tables = st[st["runde"] == "1"].set_index("station_id")
    assert (tables["art"] == "Thementisch").all() and len(tables) == 4
    # the Thementisch is the Handlungsfeld the needs belong to, as in the Strategiepapiere
    assert (tables["handlungsfeld"] == tables["station"]).all()
    assert (st.loc[st["runde"] == "2", "handlungsfeld"] == "").all()
    needs = cards[cards["veranstaltung_id"].isin(r1["veranstaltung_id"])]
    per_sr = needs.groupby("veranstaltung_id").size()
    assert len(per_sr) == 6 and per_sr.between(10, 16).all()
    assert set(needs["station_id"]) <= set(tables.index)
    assert (needs["frage_id"] == "r1-bedarf").all()
    assert (needs["erfunden"] == "ja").all() and (needs["quelle"] == "Beispieldaten").all()
    # several cards of one need in a Sozialraum, as on a real pin board
    assert needs.duplicated(["veranstaltung_id", "text"]).any()
    he = read(cfg, "handlungsempfehlungen")
    assert set(tables["handlungsfeld"]) == set(he["handlungsfeld"])


def test_status_history_ends_where_the_recommendations_stand(cfg):
    sv, he = read(cfg, "statusverlauf"), read(cfg, "handlungsempfehlungen")
    assert set(sv["he_id"]) == set(he["he_id"]) and (sv["erfunden"] == "ja").all()
    assert not sv.duplicated(["he_id", "status_datum"]).any()
    first = sv.groupby("he_id").head(1)
    assert (first["status"] == "offen").all() and (first["status_datum"] == "2023-02").all()
    last = sv.groupby("he_id").tail(1).set_index("he_id")
    cur = he.set_index("he_id")
    assert (last["status"] == cur["status"]).all()
    assert (last["status_datum"] == cur["status_datum"]).all()
    steps = sv.groupby("he_id").size()
    assert steps.max() == 3 and steps.min() == 2  # some pass through "in Umsetzung"


def test_kanalregeln_patterns(cfg):
    rules = read(cfg, "kanalregeln")
    assert 50 <= len(rules) <= 90
    assert rules["reihenfolge"].astype(int).tolist() == list(range(1, len(rules) + 1))
    assert rules["muster"].str.fullmatch(r"[a-zäöüß-]+\*?").all()
    assert {"Kita/Schule", "Flyer/Print", "Presse", "Mundpropaganda"} <= set(rules["kategorie"])
    assert (rules["erfunden"] == "nein").all()


# ---- reproducibility ----------------------------------------------------------------------------
def test_regeneration_is_byte_identical(tmp_path, cfg):
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path)], check=True)
    for name in CSV_INPUTS:
        fresh = tmp_path / "data" / cfg.datei(name).name
        assert fresh.read_bytes() == cfg.datei(name).read_bytes(), name
    # Geometry: same cells; a different GEOS build may move a rounded vertex by a metre.
    fresh = gpd.read_file(tmp_path / "geo" / "sozialquartiere.geojson")
    kept = gpd.read_file(cfg.datei("geometrie"))
    assert fresh.drop(columns="geometry").equals(kept.drop(columns="geometry"))
    assert (fresh.symmetric_difference(kept).area < 1e-3 * kept.area).all()
    menti = (cfg.basis / cfg.eingaben.mentimeter[0].datei).resolve()
    assert (tmp_path / "data" / "mentimeter" / menti.name).read_bytes() == menti.read_bytes()
