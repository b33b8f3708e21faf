"""Generate the complete, reproducible sample data set under ``geo/`` and ``data/``.

Everything written here is **invented** (``erfunden = ja``) except these facts, which carry
``erfunden = nein`` (or name themselves in ``quelle`` where a row mixes facts and inventions):

* the names of the six Sozialräume and of the 27 Sozialquartiere and their assignment (best public
  knowledge, partly assumed; see ``data/README.md``);
* the dates of the Expert*innendialoge (rounds 1 and 2), the formats of both rounds, the titles of
  the round-1 Thementische and the questions asked;
* the 13 Themeninseln of 2023 with their presenting departments and the offers the documentation
  names;
* from the documentation of Alstaden/Lirich 2023: 88 participants, 75 minutes of World-Café,
  5 green dots on the Integration poster, and three card texts at Sport/Bewegung;
* the Kanal coding rules, which are the workbook's own rules, not data.

The geometry is schematic (power-diagram cells grown from approximate centres towards
approximate areas, see ``sample_geometry.py``). Statistics follow the public north-south
pattern only in shape. One fixed seed makes every run byte-identical.

Run: ``.venv/bin/python scripts/make_sample_data.py [--out DIR]`` (default: the project root).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import sys
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mentimeter_export import write_mentimeter_export  # noqa: E402
from sample_geometry import CRS, schematic_cells  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEED = 2023
JAHRE = (2017, 2020, 2023)
INVENTED = "Beispieldaten"
DOKU = "Dokumentation Expert*innendialoge 2023"
CITY_AREA_KM2 = 77.0

# ---- Sozialräume and Sozialquartiere ------------------------------------------------------------
SOZIALRAEUME = {
    "1": ("Mitte/Styrum", "mitte-styrum"),
    "2": ("Alstaden/Lirich", "alstaden-lirich"),
    "3": ("Osterfeld", "osterfeld"),
    "4": ("Oberhausen-Ost", "oberhausen-ost"),
    "5": ("Sterkrade-Mitte", "sterkrade-mitte"),
    "6": ("Sterkrade-Nord", "sterkrade-nord"),
}

# Centre and area from PRODUCT.md. Invented: inhabitants 2023 (near public Stadtteil figures),
# risk score s (0 = least, 1 = most poverty risk, after public reporting on the index) and the
# relative change of the risk rates per three years (positive = worsening).
# (sozialraum_id, name, lat, lon, area_km2, einwohner_2023, s, trend)
QUARTIERE = [
    ("1", "Innenstadt", 51.469, 6.854, 1.2, 11800, 1.00, 0.12),
    ("1", "Marienviertel-West", 51.483, 6.859, 1.6, 9200, 0.80, 0.05),
    ("1", "Styrum", 51.461, 6.850, 1.4, 8600, 0.55, 0.02),
    ("2", "Lirich-Nord", 51.481, 6.830, 3.9, 8300, 0.70, 0.03),
    ("2", "Lirich-Süd", 51.474, 6.842, 1.6, 6900, 0.90, 0.05),
    ("2", "Alstaden", 51.460, 6.829, 3.4, 17800, 0.35, 0.00),
    ("3", "Osterfeld-Mitte/Vonderort", 51.505, 6.889, 2.4, 9600, 0.80, 0.04),
    ("3", "Vondern/Osterfeld-Süd", 51.498, 6.899, 3.0, 6000, 0.50, 0.01),
    ("3", "Eisenheim/Heide", 51.508, 6.869, 1.5, 5400, 0.42, -0.02),
    ("3", "Rothebusch", 51.514, 6.887, 1.5, 5100, 0.60, -0.08),
    ("3", "Tackenberg-Ost", 51.522, 6.880, 1.6, 6200, 0.60, -0.07),
    ("3", "Klosterhardt", 51.531, 6.876, 1.5, 5700, 0.15, -0.02),
    ("4", "Marienviertel-Ost", 51.481, 6.868, 0.8, 5600, 0.85, 0.04),
    ("4", "Brücktorviertel", 51.481, 6.877, 0.9, 4900, 0.90, 0.03),
    ("4", "Bermensfeld", 51.479, 6.888, 0.8, 4800, 0.55, 0.01),
    ("4", "Dümpten", 51.471, 6.884, 1.7, 5600, 0.40, 0.00),
    ("4", "Schlad", 51.465, 6.870, 1.5, 4600, 0.45, 0.02),
    ("4", "Borbeck", 51.490, 6.890, 3.8, 5200, 0.45, -0.01),
    ("5", "Sterkrade-Mitte", 51.512, 6.853, 2.3, 13500, 0.60, 0.03),
    ("5", "Tackenberg-West", 51.527, 6.862, 2.6, 8000, 0.15, -0.03),
    ("5", "Buschhausen", 51.500, 6.837, 6.4, 8100, 0.40, 0.00),
    ("5", "Alsfeld", 51.531, 6.842, 3.6, 9000, 0.30, -0.01),
    ("5", "Schwarze Heide/Biefang", 51.519, 6.826, 2.9, 9500, 0.35, 0.00),
    ("6", "Holten/Barmingholten", 51.529, 6.798, 6.6, 12000, 0.15, -0.02),
    ("6", "Schmachtendorf", 51.545, 6.809, 4.6, 10500, 0.10, -0.03),
    ("6", "Walsumermark", 51.561, 6.831, 7.8, 3900, 0.00, -0.02),
    ("6", "Königshardt", 51.550, 6.855, 6.4, 7300, 0.05, -0.03),
]


def din_key(name: str) -> str:
    """Sort key after DIN 5007-1 (umlauts as their base letter), independent of the locale."""
    return name.lower().translate(str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"}))


def quartier_table() -> pd.DataFrame:
    """The 27 Quartiere with ids "01".."27", ordered by Sozialraum id, then name."""
    cols = ["sozialraum_id", "quartier", "lat", "lon", "flaeche_km2", "einwohner", "s", "trend"]
    df = pd.DataFrame(QUARTIERE, columns=cols)
    df = df.assign(key=df["quartier"].map(din_key)).sort_values(["sozialraum_id", "key"])
    df = df.drop(columns="key").reset_index(drop=True)
    df.insert(0, "quartier_id", [f"{i:02d}" for i in range(1, len(df) + 1)])
    return df


def provenance(df: pd.DataFrame, quelle: str = INVENTED, erfunden: str = "ja") -> pd.DataFrame:
    """Add the ``quelle``/``erfunden`` columns every file carries (kept if already set)."""
    df = df.copy()
    for col, value in (("quelle", quelle), ("erfunden", erfunden)):
        df[col] = df[col].fillna(value) if col in df else value
    return df


# ---- geo/sozialquartiere.geojson ----------------------------------------------------------------
def geometrie(q: pd.DataFrame) -> gpd.GeoDataFrame:
    centres = list(zip(q["lat"], q["lon"], strict=True))
    cells = schematic_cells(centres, q["flaeche_km2"], CITY_AREA_KM2)
    return gpd.GeoDataFrame(
        {
            "quartier_id": q["quartier_id"],
            "quartier": q["quartier"],
            "sozialraum_id": q["sozialraum_id"],
            "erfunden": "ja",
            "quelle": "Schematische Beispielgeometrie, generiert",
        },
        geometry=cells,
        crs=CRS,
    )


# ---- data/bevoelkerung.csv and data/indikatoren.csv ---------------------------------------------
def with_sozialraum(df: pd.DataFrame, q: pd.DataFrame) -> pd.DataFrame:
    """Add ``sozialraum_id`` after ``quartier``: the assignment, readable without the GeoJSON.

    An analyst recomputing a Sozialraum's share by hand filters this column in Excel; the
    validation checks it against the geometry, which stays the authority.
    """
    sr = df["quartier_id"].map(dict(zip(q["quartier_id"], q["sozialraum_id"], strict=True)))
    df = df.copy()
    df.insert(df.columns.get_loc("quartier") + 1, "sozialraum_id", sr)
    return df


def bevoelkerung(q: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Inhabitants per Quartier and year: the poorer south grows a little, the north shrinks."""
    rows = []
    for r in q.itertuples():
        growth = 0.015 * (r.s - 0.4)  # per three years
        for jahr in JAHRE:
            steps = (2023 - jahr) / 3
            n = r.einwohner * (1 - growth * steps) * (1 + rng.normal(0, 0.004))
            rows.append((r.quartier_id, r.quartier, jahr, int(round(n))))
    df = pd.DataFrame(rows, columns=["quartier_id", "quartier", "jahr", "einwohner"])
    return provenance(with_sozialraum(df, q))


# indicator: ((rate 2023 in percent at s = 0, at s = 1), denominator)
RATES = {
    "sgb2": ((5.0, 30.0), "unter65"),
    "kinderarmut": ((8.0, 46.0), "unter15"),
    "jugendarbeitslosigkeit": ((1.0, 9.0), "jugend"),
    "altersarmut": ((2.0, 12.0), "ab65"),
    "alleinerziehende": ((16.0, 35.0), "haushalte"),
    "kinderreiche": ((6.6, 19.4), "haushalte"),
    "nichtdeutsche": ((10.0, 26.5), "einwohner"),
}


def denominators(einwohner: int, s: float) -> dict[str, int]:
    """Age groups and households from the population: the north is older, the south younger."""
    ab65 = einwohner * (0.18 + 0.07 * (1 - s))
    return {
        "einwohner": einwohner,
        "ab65": round(ab65),
        "unter65": einwohner - round(ab65),
        "unter15": round(einwohner * (0.12 + 0.05 * s)),
        "jugend": round(einwohner * (0.095 + 0.01 * s)),
        "haushalte": round(einwohner / 9 * (0.9 + 0.2 * s)),
    }


def indikatoren(q: pd.DataFrame, bev: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Numerators and denominators with the north-south pattern and per-Quartier trends."""
    pop = bev.set_index(["quartier_id", "jahr"])["einwohner"]
    rows = []
    for r in q.itertuples():
        level = {k: rng.lognormal(0, 0.06) for k in RATES}  # fixed Quartier character
        for jahr in JAHRE:
            steps = (2023 - jahr) / 3
            nenner = denominators(int(pop[(r.quartier_id, jahr)]), r.s)
            for ind, ((lo, hi), basis) in RATES.items():
                rate = (lo + (hi - lo) * r.s) * level[ind] * rng.lognormal(0, 0.02)
                if ind == "nichtdeutsche":  # rises city-wide by about 1.2 points per 3 years
                    rate -= 1.2 * steps
                else:
                    rate *= 1 - r.trend * steps
                n = nenner[basis]
                rows.append((r.quartier_id, r.quartier, jahr, ind, round(n * rate / 100), n))
    cols = ["quartier_id", "quartier", "jahr", "indikator", "zaehler", "nenner"]
    df = pd.DataFrame(rows, columns=cols)
    # One small cell (< 3 cases) so that suppression is exercised: few young unemployed people
    # in the thinly populated Walsumermark.
    small = (df["quartier"] == "Walsumermark") & (df["indikator"] == "jugendarbeitslosigkeit")
    df.loc[small & (df["jahr"] == 2023), "zaehler"] = 2
    df["anteil"] = ""  # only for indicators delivered as published shares
    return provenance(with_sozialraum(df, q))


# ---- data/veranstaltungen.csv -------------------------------------------------------------------
ROUND1_DATES = {"1": "10.10.2019", "2": "11/2019", "3": "11/2021", "4": "03.02.2020"}
ROUND1_DATES |= {"5": "05/2022", "6": "05/2022"}
ROUND2_DATES = {"1": "16.08.2023", "2": "06.09.2023", "3": "28.09.2023", "4": "26.10.2023"}
ROUND2_DATES |= {"5": "07.11.2023", "6": "23.11.2023"}
FORMAT = {1: "Thementische", 2: "World-Café – Markt der Möglichkeiten"}


def event_id(datum: str, sr: str) -> str:
    return f"{datum[-4:]}-{SOZIALRAEUME[sr][1]}"


def veranstaltungen(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for runde, dates in ((1, ROUND1_DATES), (2, ROUND2_DATES)):
        for sr, datum in dates.items():
            row = {
                "veranstaltung_id": event_id(datum, sr),
                "sozialraum_id": sr,
                "runde": runde,
                "datum": datum,
                "format": FORMAT[runde],
                "teilnehmende": int(rng.integers(60, 96)),
                "institutionen": int(rng.integers(25, 46)),
                "dauer_minuten": 75 if runde == 2 else None,  # round 1: not documented
            }
            rows.append(row)
    df = pd.DataFrame(rows)
    mitte = df["veranstaltung_id"] == "2023-mitte-styrum"
    df.loc[mitte, "teilnehmende"] = 94  # at least the 91 Mentimeter responses
    al = df["veranstaltung_id"] == "2023-alstaden-lirich"
    df.loc[al, "teilnehmende"] = 88
    df.loc[al, "quelle"] = f"Teilnehmende und Dauer: {DOKU}, übrige Werte erfunden"
    df = provenance(df)
    df["dauer_minuten"] = df["dauer_minuten"].astype("Int64")
    return df


# ---- data/stationen.csv and data/angebote.csv ---------------------------------------------------
ROUND1_TABLES = [
    ("r1-familie", "Familie im Stadtteil"),
    ("r1-bildung", "Bildungsteilhabe"),
    ("r1-arbeit", "Arbeitsmarkt und existenzsichernde Leistungen"),
    ("r1-lebensraum", "Lebensraum und Zusammenleben"),
]
B04 = "Bereich 0-4 Chancengleichheit"
B31 = "Bereich 3-1 Kinder, Jugend und Familie"
B34 = "Bereich 3-4 Gesundheit"
# station_id, title, presenting departments
THEMENINSELN = [
    ("r2-wohnumfeld", "Wohnumfeld", "Stadt Oberhausen (Bereich nicht dokumentiert)"),
    ("r2-bildung", "(Weiter)Bildung/Kultur", "Bereich 0-3 Bert-Brecht-Bildungszentrum (VHS)"),
    ("r2-ehrenamt", "Ehrenamt", B04),
    ("r2-inklusion", "Inklusion", B04),
    ("r2-sport", "Sport/Bewegung", "Bereich 2-5 Sport und Stadtsportbund Oberhausen"),
    ("r2-integration", "Integration", "Bereich 2-6 Kommunales Integrationszentrum"),
    ("r2-buergergeld", "Bürgergeld/Bildung und Teilhabe", "Jobcenter Oberhausen"),
    (
        "r2-statistik",
        "Statistik, Daten, Portale",
        "Bereich 4-5 Statistik, Bereich 3-2 Soziales und Smart City",
    ),
    ("r2-gesundheit", "Gesundheit", B34),
    ("r2-alter", "Leben im Alter", B04),
    (
        "r2-uebergang",
        "Übergang Schule-Beruf",
        "Koordinierungsstelle Übergang Schule-Beruf und Beratungsstelle Jugend und Beruf",
    ),
    (
        "r2-familie",
        "Familien(grundschul)zentren, Präventionsketten, Frühe Hilfen",
        f"Bereich 3-3 Schule und {B31}",
    ),
    ("r2-jugend", "Jugend", B31),
]


def stationen() -> pd.DataFrame:
    r1 = pd.DataFrame(
        [
            (sid, 1, "Thementisch", t, "Bereich 3-2 Soziales (Moderation)")
            for sid, t in ROUND1_TABLES
        ]
    )
    r1 = r1.set_axis(["station_id", "runde", "art", "station", "bereich"], axis=1)
    # Which Handlungsfeld a Thementisch's needs belong to, for the comparison of rounds: the
    # Handlungsfelder of the Strategiepapiere carry the titles of the round-1 tables.
    r1["handlungsfeld"] = r1["station"]
    r1 = provenance(r1, "Titel nach den Kurzdokumentationen der Runde 1, Moderation angenommen")
    r2 = pd.DataFrame([(sid, 2, "Themeninsel", t, b) for sid, t, b in THEMENINSELN])
    r2 = r2.set_axis(["station_id", "runde", "art", "station", "bereich"], axis=1)
    r2["handlungsfeld"] = ""
    r2 = provenance(r2, f"{DOKU} (Ehrenamt und Inklusion als zwei Inseln gezählt)", "nein")
    return pd.concat([r1, r2], ignore_index=True)


# station_id, offer id suffix, offer, department, awareness (share JA, invented), real?
ANGEBOTE = [
    ("r2-wohnumfeld", "quartiersbuero", "Quartiersbüros", "Stadt Oberhausen", 0.7, False),
    ("r2-wohnumfeld", "spielplatz", "Spielplatzpatenschaften", "Stadt Oberhausen", 0.35, False),
    ("r2-bildung", "abschluesse", "Schulabschlüsse nachholen (ESA, EESA, MSA)", "VHS", 0.6, True),
    ("r2-bildung", "integrationskurse", "Integrationskurse", "VHS", 0.75, True),
    ("r2-bildung", "gesundheitskurse", "Gesundheitskurse", "VHS", 0.5, True),
    ("r2-ehrenamt", "boerse", "Vermittlung ins Ehrenamt", B04, 0.45, False),
    ("r2-inklusion", "beratung", "Beratung zu Barrierefreiheit und Teilhabe", B04, 0.4, False),
    ("r2-sport", "kinder", "Sportangebote für Kinder und Familien", "Stadtsportbund", 0.6, False),
    ("r2-sport", "vereine", "Vereinsberatung Integration durch Sport", "Bereich 2-5", 0.35, False),
    ("r2-integration", "kim", "KIM-NRW Case-Management", "Bereich 2-6 KI", 0.4, True),
    ("r2-integration", "eltern", "Elternbildungsangebote", "Bereich 2-6 KI", 0.5, False),
    ("r2-buergergeld", "but", "Bildung und Teilhabe", "Jobcenter Oberhausen", 0.85, True),
    ("r2-buergergeld", "beratung", "Beratung zum Bürgergeld", "Jobcenter Oberhausen", 0.8, False),
    ("r2-statistik", "obis", "O.BIS – Oberhausener Informationssystem", "Bereich 4-5", 0.3, True),
    ("r2-statistik", "atlas", "Sozialstrukturatlas", "Bereich 4-5 Statistik", 0.2, True),
    ("r2-statistik", "geoportale", "Geoportale", "Bereich 4-5 Statistik", 0.25, True),
    ("r2-statistik", "navigator", "Sozialnavigator", "Bereich 3-2 Soziales", 0.4, False),
    (
        "r2-gesundheit",
        "behinderung",
        "Beratungsstelle für Menschen mit Behinderungen",
        B34,
        0.55,
        True,
    ),
    ("r2-gesundheit", "kjgd", "Kinder- und Jugendgesundheitsdienst", B34, 0.65, True),
    ("r2-gesundheit", "zahn", "Zahnmedizinischer Dienst", B34, 0.5, True),
    ("r2-gesundheit", "sucht", "Suchtberatung", B34, 0.6, True),
    ("r2-gesundheit", "spdi", "Sozialpsychiatrischer Dienst", B34, 0.45, True),
    ("r2-alter", "beratung", "Beratung rund um das Leben im Alter", B04, 0.5, False),
    ("r2-alter", "netzwerke", "Seniorennetzwerke im Quartier", B04, 0.4, False),
    (
        "r2-uebergang",
        "koordinierung",
        "Koordinierungsstelle Übergang Schule-Beruf",
        "KSB",
        0.45,
        True,
    ),
    ("r2-uebergang", "jub", "Beratungsstelle Jugend und Beruf", B31, 0.55, True),
    ("r2-familie", "familienzentren", "Familienzentren", B31, 0.85, True),
    ("r2-familie", "fgz", "Familiengrundschulzentren", "Bereich 3-3 Schule", 0.55, True),
    ("r2-familie", "fruehehilfen", "Frühe Hilfen", B31, 0.7, True),
    ("r2-familie", "praevention", "Präventionskette", B31, 0.4, True),
    ("r2-jugend", "offene", "Offene Kinder- und Jugendarbeit", B31, 0.7, False),
    ("r2-jugend", "jugendschutz", "Jugendschutz und Streetwork", B31, 0.45, False),
]
LONG_NAMES = {"VHS": "Bereich 0-3 Bert-Brecht-Bildungszentrum (VHS)", "KSB": "Stadt Oberhausen"}
LONG_NAMES |= {"Bereich 2-6 KI": "Bereich 2-6 Kommunales Integrationszentrum"}
LONG_NAMES |= {"Bereich 2-5": "Bereich 2-5 Sport", "Bereich 4-5": "Bereich 4-5 Statistik"}


def angebote() -> pd.DataFrame:
    rows = [
        {
            "angebot_id": f"{sid}-{suffix}",
            "station_id": sid,
            "angebot": name,
            "bereich": LONG_NAMES.get(bereich, bereich),
            "url": "",  # never invent addresses that look official
            "quelle": DOKU if real else INVENTED,
            "erfunden": "nein" if real else "ja",
        }
        for sid, suffix, name, bereich, _, real in ANGEBOTE
    ]
    return pd.DataFrame(rows)


# ---- data/fragen.csv ----------------------------------------------------------------------------
FEEDBACK_FRAGE = "Formulieren Sie in 1-2 Worten Ihr Feedback"


def fragen() -> pd.DataFrame:
    rows = [
        ("r1-bedarf", 1, "Was fehlt im Sozialraum?", "freitext", "nein"),
        ("r2-kennen", 2, "Kennen Sie das Angebot?", "ja_nein", "nein"),
        ("r2-bekannter", 2, "Wie kann das Angebot bekannter gemacht werden?", "freitext", "ja"),
        ("r2-woher", 2, "Woher kennen Sie uns?", "freitext", "ja"),
        ("r2-feedback", 2, FEEDBACK_FRAGE, "feedback_wort", "nein"),
    ]
    df = pd.DataFrame(rows, columns=["frage_id", "runde", "frage", "typ", "kanalcodierung"])
    return provenance(df, DOKU, "nein")


# ---- data/abstimmungen.csv ----------------------------------------------------------------------
def abstimmungen(ver: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Green (JA) and red (NEIN) dots per event and offer; awareness differs by offer."""
    rows = []
    for vid in ver.loc[ver["runde"] == 2, "veranstaltung_id"]:
        for sid, suffix, _, _, p, _ in ANGEBOTE:
            n = int(rng.integers(4, 27))
            ja = int(rng.binomial(n, float(np.clip(p + rng.normal(0, 0.08), 0.02, 0.98))))
            for antwort, k in (("JA", ja), ("NEIN", n - ja)):
                rows.append((vid, sid, f"{sid}-{suffix}", "r2-kennen", antwort, k))
    cols = ["veranstaltung_id", "station_id", "angebot_id", "frage_id", "antwort", "anzahl"]
    df = pd.DataFrame(rows, columns=cols)
    real = (
        (df["veranstaltung_id"] == "2023-alstaden-lirich")
        & (df["angebot_id"] == "r2-integration-kim")
        & (df["antwort"] == "JA")
    )
    fact = [5, f"{DOKU} (Foto Plakat Integration)", "nein"]
    df.loc[real, ["anzahl", "quelle", "erfunden"]] = fact
    return provenance(df)


# ---- data/karten.csv ----------------------------------------------------------------------------
# fmt: off
BEKANNTER = [
    "Flyer in Arztpraxen", "Instagram", "über die Schule", "Stadtteilkonferenz", "WAZ",
    "Aushang im Supermarkt", "Elternbrief", "Newsletter", "Netzwerktreffen",
    "Vorstellung im Arbeitskreis", "Infostand auf dem Wochenmarkt", "Plakate an Haltestellen",
    "Homepage übersichtlicher machen", "Facebook-Gruppe im Stadtteil", "Infos in mehreren Sprachen",
    "in einfacher Sprache", "Mund-zu-Mund-Propaganda", "Lokalradio", "Pressemitteilung",
    "Vorstellung in der Lehrerkonferenz", "Broschüre im Bürgerbüro", "über Kitas verteilen",
    "WhatsApp-Gruppe der Eltern", "auf dem Stadtteilfest vorstellen", "über das Jobcenter",
]
WOHER = [
    "über Kolleg*innen", "Netzwerktreffen", "Internet", "Homepage der Stadt", "WAZ", "Flyer",
    "Mund-zu-Mund", "Beratungsstelle", "Stadtteilkonferenz", "Arbeitskreis Kinderarmut",
    "aus der Kita", "Elternabend", "Instagram", "Fortbildung", "Sozialnavigator", "Zeitung",
    "Expert*innendialog 2019", "von Nachbarn", "schon lange bekannt", "Schulsozialarbeit",
]
BEDARF = [
    "mehr Kita-Plätze", "Treffpunkte für Jugendliche", "Sprachkurse mit Kinderbetreuung",
    "Beratung in der Muttersprache", "bezahlbarer Wohnraum", "Kinderärzt*innen im Stadtteil",
    "Schuldnerberatung vor Ort", "Ausbildungsplätze", "sichere Spielplätze", "Angebote für Ältere",
    "Hilfe bei Anträgen", "Ferienangebote", "weniger Müll auf den Straßen", "Familienzentrum",
]
# fmt: on
REAL_CARDS = ["Verteilung in Kita", "Verteilung am 1. Elternabend", "über KHM-Beratungsstelle"]
ESCAPE_CARD = '<b>mehr Infos</b> & "Aushänge"'  # must come out HTML-escaped in every report


# fmt: off
# Needs a Thementisch of round 1 plausibly collects ("Was fehlt im Sozialraum?"), all invented.
BEDARF_JE_TISCH = {
    "r1-familie": [
        "mehr Kita-Plätze", "Familienzentrum", "Kinderärzt*innen im Stadtteil",
        "Ferienangebote", "Hebammen im Stadtteil", "Unterstützung für Alleinerziehende",
        "Elterncafé", "Frühe Hilfen bekannter machen",
    ],
    "r1-bildung": [
        "Hausaufgabenhilfe", "Sprachförderung in der Kita", "Hilfe bei Anträgen",
        "Bildung und Teilhabe bekannter machen", "mehr Schulsozialarbeit",
        "Übergang Kita–Grundschule begleiten", "Lernförderung",
    ],
    "r1-arbeit": [
        "Ausbildungsplätze", "Sprachkurse mit Kinderbetreuung", "Schuldnerberatung vor Ort",
        "Beratung in der Muttersprache", "Teilzeitausbildung", "Beratung zum Bürgergeld",
        "Jugendberufshilfe im Stadtteil",
    ],
    "r1-lebensraum": [
        "Treffpunkte für Jugendliche", "sichere Spielplätze", "Angebote für Ältere",
        "weniger Müll auf den Straßen", "bezahlbarer Wohnraum", "Bänke und Grünflächen",
        "Nachbarschaftstreff", "bessere Beleuchtung",
    ],
}
# fmt: on


def bedarfe_runde1(ver: pd.DataFrame) -> list[tuple[str, str, str, str]]:
    """Round-1 cards: 10 to 16 needs per Sozialraum, each at the Thementisch it belongs to.

    Drawn from their own seeded stream so that the other files stay as they were; some needs
    come up more than once in a Sozialraum (several cards, as on a real pin board).
    """
    rng = np.random.default_rng([SEED, 1])
    rows = []
    for v in ver.loc[ver["runde"] == 1].itertuples():
        # each Sozialraum leans towards one or two tables
        weights = rng.dirichlet(np.full(len(ROUND1_TABLES), 1.5))
        for _ in range(int(rng.integers(10, 17))):
            sid = ROUND1_TABLES[int(rng.choice(len(ROUND1_TABLES), p=weights))][0]
            pool = BEDARF_JE_TISCH[sid]
            # the first needs of a pool are the common ones
            p = np.linspace(2.0, 1.0, len(pool))
            text = pool[int(rng.choice(len(pool), p=p / p.sum()))]
            rows.append((v.veranstaltung_id, sid, "r1-bedarf", text))
    return rows


def karten(ver: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    islands = [sid for sid, _, _ in THEMENINSELN]
    rows = []
    for v in ver.itertuples():
        if v.runde == 1:
            # The first version drew round-1 cards from the main stream; these draws stay so that
            # every later file (votes, feedback, Mentimeter, recommendations) is unchanged.
            for _ in range(int(rng.integers(4, 8))):
                rng.integers(len(ROUND1_TABLES))
                rng.choice(BEDARF)
            continue
        for _ in range(int(rng.integers(15, 27))):
            sid = str(rng.choice(islands))
            frage, pool = ("r2-bekannter", BEKANNTER) if rng.random() < 0.6 else ("r2-woher", WOHER)
            rows.append((v.veranstaltung_id, sid, frage, str(rng.choice(pool))))
    rows += bedarfe_runde1(ver)
    df = provenance(
        pd.DataFrame(rows, columns=["veranstaltung_id", "station_id", "frage_id", "text"])
    )
    al = "2023-alstaden-lirich"
    extra = pd.DataFrame(
        [
            (al, "r2-sport", "r2-bekannter", t, f"{DOKU} (Plakat Sport/Bewegung)", "nein")
            for t in REAL_CARDS
        ]
        + [(al, "r2-bildung", "r2-bekannter", ESCAPE_CARD, INVENTED, "ja")],
        columns=df.columns,
    )
    df = pd.concat([df, extra], ignore_index=True)
    order = {vid: i for i, vid in enumerate(ver["veranstaltung_id"])}
    return df.sort_values("veranstaltung_id", key=lambda s: s.map(order), kind="stable")


# ---- data/feedback.csv and the Mentimeter export ------------------------------------------------
# fmt: off
WORDS = {  # word: relative frequency
    "informativ": 9, "super": 6, "Super": 2, "gute Vernetzung": 6, "hilfreich": 5, "spannend": 4,
    "interessant": 6, "Vernetzung": 5, "danke": 3, "toll": 3, "vielfältig": 3, "bereichernd": 2,
    "gut organisiert": 3, "lehrreich": 2, "kurzweilig": 2, "zu kurz": 3, "mehr Zeit": 2,
    "zu laut": 2, "Austausch": 4, "gelungen": 2, "praxisnah": 2, "wertvoll": 2, "weiter so": 2,
    "inspirierend": 1, "zu voll": 1, "anstrengend": 1, "Marktplatz-Idee": 1,
}
# fmt: on


def draw_words(rng: np.random.Generator, n: int, distinct: bool = False) -> list[str]:
    """``n`` feedback words by their frequency; ``distinct`` for the entries of one person."""
    words = list(WORDS)
    p = np.array(list(WORDS.values()), dtype=float)
    return [str(w) for w in rng.choice(words, size=n, replace=not distinct, p=p / p.sum())]


def feedback(ver: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Typed-up words for the 2023 events; Alstaden/Lirich comes from its Mentimeter export."""
    rows = []
    for vid in ver.loc[ver["runde"] == 2, "veranstaltung_id"]:
        if vid == "2023-alstaden-lirich":
            continue
        n = 91 if vid == "2023-mitte-styrum" else int(rng.integers(60, 96))
        rows += [(vid, w) for w in draw_words(rng, n)]
    return provenance(pd.DataFrame(rows, columns=["veranstaltung_id", "wort"]))


def mentimeter(path: Path, rng: np.random.Generator) -> None:
    """An invented export of the Alstaden/Lirich poll, in the layout real exports have."""
    voters = list(range(1, 41))
    skip = (7, 23)  # voters who answered the first question only
    words = {v: draw_words(rng, int(rng.integers(1, 4)), True) for v in voters if v not in skip}
    grades = ["Sehr gut", "Gut", "Geht so", "Nicht gut"]
    choice = rng.choice(grades, size=len(voters), p=[0.5, 0.38, 0.1, 0.02])
    liked = {v: str(c) for v, c in zip(voters, choice, strict=True) if v != 31}
    slides = [
        {"type": "slide", "question": "Expert*innendialog Alstaden/Lirich"},
        {
            "type": "choices",
            "question": "Wie hat Ihnen die Veranstaltung gefallen?",
            "responses": liked,
            "choices": {g: sum(a == g for a in liked.values()) for g in grades},
        },
        {
            "type": "wordcloud",
            "question": f"{FEEDBACK_FRAGE} zum Expert*innendialog Alstaden/Lirich",
            "responses": words,
        },
    ]
    write_mentimeter_export(path, slides, voters, date=dt.datetime(2023, 9, 6, 12, 40))
    normalise_xlsx(path)


def normalise_xlsx(path: Path) -> None:
    """Pin the timestamps openpyxl writes, so that the workbook is byte-identical on every run."""
    stamp = "2023-09-06T12:45:00Z"
    with zipfile.ZipFile(path) as zin:
        items = [(info.filename, zin.read(info.filename)) for info in zin.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in items:
            if name == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*", rf"\g<1>{stamp}", text)
                data = text.encode("utf-8")
            info = zipfile.ZipInfo(name, date_time=(2023, 9, 6, 12, 45, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(info, data)
    path.write_bytes(buf.getvalue())


# ---- data/handlungsempfehlungen.csv -------------------------------------------------------------
# fmt: off
EMPFEHLUNGEN = {  # Handlungsfeld: (responsible department, titles)
    "Familie im Stadtteil": (B31, [
        "Familienzentrum im Quartier ausbauen", "Elterncafé als offenen Treffpunkt verstetigen",
        "Frühe Hilfen bekannter machen", "Angebote für Alleinerziehende bündeln",
        "Hebammensprechstunde im Stadtteil einrichten",
        "Ferienbetreuung für Grundschulkinder ausweiten",
    ]),
    "Bildungsteilhabe": ("Bereich 3-3 Schule", [
        "Sprachförderung in Kitas verstetigen", "Familiengrundschulzentrum einrichten",
        "Leistungen für Bildung und Teilhabe bekannter machen",
        "Lernförderung an Grundschulen ausbauen", "Schulsozialarbeit verstetigen",
        "Übergang Kita–Grundschule begleiten",
    ]),
    "Arbeitsmarkt und existenzsichernde Leistungen": ("Jobcenter Oberhausen", [
        "Beratung zum Bürgergeld im Stadtteil anbieten", "Jugendberufshilfe im Quartier verankern",
        "Teilzeitausbildung für Alleinerziehende fördern", "Schuldnerberatung wohnortnah anbieten",
        "Sprachkurse mit Kinderbetreuung anbieten", "Übergang Schule–Beruf enger begleiten",
    ]),
    "Lebensraum und Zusammenleben": ("Bereich 3-2 Soziales", [
        "Spielflächen aufwerten", "Treffpunkte für Jugendliche schaffen",
        "Quartiersbüro verstetigen", "Nachbarschaftsprojekte für Ältere fördern",
        "Stadtteilkonferenz als Netzwerk stärken", "Begegnungsorte für Zugewanderte schaffen",
    ]),
}
# fmt: on
HE_PER_SOZIALRAUM = {"1": 8, "2": 7, "3": 7, "4": 7, "5": 7, "6": 6}  # 42 in all
STATUS = ["offen", "in Umsetzung", "umgesetzt", "zurückgestellt"]


def handlungsempfehlungen(q: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    felder = list(EMPFEHLUNGEN)
    start, days = dt.date(2023, 2, 15), (dt.date(2025, 6, 30) - dt.date(2023, 2, 15)).days
    rows = []
    for sr, n in HE_PER_SOZIALRAUM.items():
        names = q.loc[q["sozialraum_id"] == sr].sort_values("s", ascending=False)["quartier"]
        titles = {f: list(rng.permutation(EMPFEHLUNGEN[f][1])) for f in felder}
        for k in range(1, n + 1):
            feld = felder[(k - 1) % len(felder)]
            # Recommendations mostly target the Quartiere with the highest risks; some the whole
            # Sozialraum (empty).
            m = int(rng.choice([0, 1, 1, 2]))
            picked = set(rng.choice(names.iloc[:3], size=m, replace=False)) if m else set()
            betroffen = ", ".join(n for n in names if n in picked)
            datum = start + dt.timedelta(days=int(rng.integers(0, days)))
            rows.append(
                {
                    "he_id": f"HE-{sr}-{k:02d}",
                    "sozialraum_id": sr,
                    "handlungsfeld": feld,
                    "titel": str(titles[feld].pop()),
                    "zustaendig": EMPFEHLUNGEN[feld][0],
                    "quartiere": betroffen,
                    "status": str(rng.choice(STATUS, p=[0.25, 0.4, 0.25, 0.1])),
                    "status_datum": datum.strftime("%d.%m.%Y"),
                }
            )
    return provenance(pd.DataFrame(rows))


FORTSCHREIBUNG = dt.date(2023, 2, 1)  # all recommendations were updated in February 2023 (fact)


def statusverlauf(he: pd.DataFrame) -> pd.DataFrame:
    """The status history behind each recommendation's current status (all steps invented).

    Every history starts "offen" in February 2023, when the Handlungsempfehlungen of all six
    Sozialräume were updated (known only to the month, hence ``2023-02``), and ends with the
    status and date of ``handlungsempfehlungen.csv``; in between, finished or postponed ones
    mostly passed through "in Umsetzung". Own seeded stream: the other files stay unchanged.
    """
    rng = np.random.default_rng([SEED, 2])
    rows = []
    for r in he.itertuples():
        ende = dt.datetime.strptime(r.status_datum, "%d.%m.%Y").date()
        rows.append((r.he_id, "offen", FORTSCHREIBUNG.strftime("%Y-%m")))
        room = (ende - FORTSCHREIBUNG).days - 31
        if r.status in ("umgesetzt", "zurückgestellt") and room > 30 and rng.random() < 0.85:
            mitte = FORTSCHREIBUNG + dt.timedelta(days=31 + int(rng.integers(0, room)))
            rows.append((r.he_id, "in Umsetzung", mitte.strftime("%d.%m.%Y")))
        rows.append((r.he_id, r.status, r.status_datum))
    df = pd.DataFrame(rows, columns=["he_id", "status", "status_datum"])
    return provenance(
        df, "Beispieldaten (Fortschreibung im Februar 2023 belegt, Statusschritte erfunden)"
    )


# ---- data/kanalregeln.csv -----------------------------------------------------------------------
KANALREGELN = {
    "Kita/Schule": "kita* kindergarten* schul* elternabend* elternbrief* lehrer* ogs "
    "grundschul* klasse*",
    "Flyer/Print": "flyer* plakat* aushang* aushäng* broschüre* postkarte* infoblatt handzettel "
    "poster* aufsteller",
    "Social Media/Web": "instagram facebook* tiktok whatsapp* internet homepage website webseite* "
    "online newsletter* app youtube sozialnavigator",
    "Netzwerke/Gremien": "netzwerk* konferenz* stadtteilkonferenz* arbeitskreis* gremi* fachtag* "
    "vernetzung",
    "Presse": "waz presse* pressemitteilung* zeitung* radio* lokalradio wochenblatt",
    "Mundpropaganda": "mund* kolleg* freunde* bekannte* nachbar* weitersagen empfehlung*",
    "Beratung/Einrichtungen": "beratungsstelle* beratung* khm* arztpraxis* arztpraxen ärzt* "
    "jobcenter bürgerbüro* stadtteilbüro* quartiersbüro* apotheke*",
    "Veranstaltungen": "veranstaltung* infostand* stadtteilfest* fest* wochenmarkt* expert* "
    "fortbildung* aktionstag*",
}


def kanalregeln() -> pd.DataFrame:
    rows = [(k, m) for k, muster in KANALREGELN.items() for m in muster.split()]
    df = pd.DataFrame(rows, columns=["kategorie", "muster"])
    df.insert(0, "reihenfolge", range(1, len(df) + 1))
    return provenance(df, "Kodierregeln des Workbooks", "nein")


# ---- writing ------------------------------------------------------------------------------------
def write_csv(df: pd.DataFrame, path: Path, encoding: str = "utf-8-sig") -> None:
    """Write like German Excel does: UTF-8 with BOM, ``;``, decimal comma, CRLF line ends.

    One encoding for every sample file, so that a number can be recomputed in Excel or
    LibreOffice without guessing; other encodings (Windows-1252, UTF-16) are exercised by files
    the tests build themselves.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, sep=";", decimal=",", index=False, encoding=encoding, lineterminator="\r\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT, help="project folder to write into")
    out = parser.parse_args(argv).out
    rng = np.random.default_rng(SEED)
    q = quartier_table()

    geo = geometrie(q)
    (out / "geo").mkdir(parents=True, exist_ok=True)
    geo_path = out / "geo" / "sozialquartiere.geojson"
    geo_path.unlink(missing_ok=True)
    geo.to_file(geo_path, driver="GeoJSON", COORDINATE_PRECISION=0)

    data = out / "data"
    bev = bevoelkerung(q, rng)
    write_csv(bev, data / "bevoelkerung.csv")
    write_csv(indikatoren(q, bev, rng), data / "indikatoren.csv")
    ver = veranstaltungen(rng)
    write_csv(ver, data / "veranstaltungen.csv")
    write_csv(stationen(), data / "stationen.csv")
    write_csv(angebote(), data / "angebote.csv")
    write_csv(fragen(), data / "fragen.csv")
    write_csv(abstimmungen(ver, rng), data / "abstimmungen.csv")
    write_csv(karten(ver, rng), data / "karten.csv")
    write_csv(feedback(ver, rng), data / "feedback.csv")
    mentimeter(data / "mentimeter" / "2023-alstaden-lirich.xlsx", rng)
    he = handlungsempfehlungen(q, rng)
    write_csv(he, data / "handlungsempfehlungen.csv")
    write_csv(statusverlauf(he), data / "statusverlauf.csv")
    write_csv(kanalregeln(), data / "kanalregeln.csv")
    print(f"Beispieldaten geschrieben nach {out}")


if __name__ == "__main__":
    main()
