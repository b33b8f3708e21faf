"""The frames are the page (issue 16): each frame of ``bericht.daten`` equals its section's CSV.

An analyst who starts from ``bericht.daten`` must get what the committee reads and downloads.
The sections are built in-process for one Sozialraum of the sample; every CSV download is
parsed (German format) and compared, value by value, with the frame it comes from.
"""

from __future__ import annotations

import base64
import io
import math

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from sozialraum.fmt import csv_zelle
from sozialraum.publish.sozialraumbericht import Sozialraumbericht


@pytest.fixture(scope="module")
def bericht(cfg):
    b = Sozialraumbericht.laden(str(cfg.sozialraeume[0].id), config=cfg.pfad)
    b.dpi = 40  # small figures: the CSVs are what counts
    return b


def _csvs(html: str) -> dict[str, pd.DataFrame]:
    out = {}
    for a in BeautifulSoup(html, "html.parser").find_all("a", download=True):
        raw = base64.b64decode(a["href"].split(",", 1)[1]).decode("utf-8-sig")
        out[a["download"]] = pd.read_csv(
            io.StringIO(raw), sep=";", dtype=str, keep_default_na=False
        )
    return out


def _gleich(wert, zelle: str) -> bool:
    """Does the CSV cell show the frame's value? Numbers to the decimals the cell has."""
    if wert is None or (not isinstance(wert, str) and pd.isna(wert)):
        return zelle == ""
    if isinstance(wert, bool) or type(wert).__name__ == "bool_":
        return zelle == ("ja" if wert else "nein")
    if isinstance(wert, int | float) or pd.api.types.is_number(wert):
        if zelle == "":
            return False
        stellen = len(zelle.split(",")[1]) if "," in zelle else 0
        return math.isclose(round(float(wert), stellen), float(zelle.replace(",", ".")))
    return csv_zelle(str(wert)) == zelle


def _vergleiche(frame: pd.DataFrame, csv: pd.DataFrame, spalten: dict[str, str]) -> None:
    assert len(frame) == len(csv), "same rows"
    for frame_spalte, csv_spalte in spalten.items():
        for k, (w, z) in enumerate(zip(frame[frame_spalte], csv[csv_spalte], strict=True)):
            assert _gleich(w, z), (frame_spalte, k, w, z)


def _eine(csvs: dict[str, pd.DataFrame], anfang: str) -> pd.DataFrame:
    (name,) = [n for n in csvs if n.startswith(anfang)]
    return csvs[name]


def test_feedback_frame_is_the_feedback_download(bericht):
    csv = _eine(_csvs(bericht.feedback().data), "feedbackwoerter")
    _vergleiche(bericht.daten.feedback, csv, {c: c for c in ("wort", "anzahl", "anteil")})


def test_bekanntheit_frame_is_the_bekanntheit_download(bericht):
    csv = _eine(_csvs(bericht.bekanntheit().data), "bekanntheit")
    assert set(csv.columns) <= set(bericht.daten.bekanntheit.columns)
    _vergleiche(bericht.daten.bekanntheit, csv, {c: c for c in csv.columns})


def test_karten_frame_is_the_cards_downloads(bericht):
    csvs = _csvs(bericht.moderationskarten().data)
    alle = pd.concat(list(csvs.values()), ignore_index=True)
    spalten = ["station", "kategorie", "text"]
    frame = bericht.daten.karten[spalten].astype(str)
    assert sorted(map(tuple, frame.to_numpy())) == sorted(map(tuple, alle[spalten].to_numpy()))


def test_handlungsempfehlungen_frame_is_its_download(bericht):
    csv = _eine(_csvs(bericht.handlungsempfehlungen().data), "handlungsempfehlungen")
    frame = bericht.daten.handlungsempfehlungen
    spalten = [c for c in csv.columns if c != "status_datum"]
    _vergleiche(frame, csv, {c: c for c in spalten})
    tage = [d.date().isoformat() for d in pd.to_datetime(frame["status_datum"])]
    assert tage == list(csv["status_datum"])


def test_quartiere_frame_is_the_sozialindex_download(bericht):
    csv = _eine(_csvs(bericht.sozialindex().data), "sozialindex")
    frame = bericht.daten.quartiere
    b = bericht.b
    spalten = dict(zip(csv.columns, ["quartier", "quartier_id", "einwohner"], strict=False))
    _vergleiche(frame, csv, {v: k for k, v in spalten.items()})
    assert list(csv.columns[:2]) == [b.gebiet.name, f"{b.gebiet.name}-ID"]
    for spalte, klasse in (("Status", "status_klasse"), ("Dynamik", "dynamik_klasse")):
        assert list(csv[spalte]) == [str(k) for k in frame[klasse]]


def test_indikatoren_frame_is_the_trend_and_every_indicator_download(bericht, cfg):
    csvs = _csvs(bericht.indikatoren().data)
    frame = bericht.daten.indikatoren
    _vergleiche(frame, _eine(csvs, "indikatoren-entwicklung"), {c: c for c in frame.columns})
    b = cfg.methode.berichtsjahr
    lang = frame.set_index(["indikator", "ebene", "gebiet_id", "jahr"])
    geprueft = 0
    for ind in cfg.indikatoren:
        csv = _eine(csvs, f"indikator-{ind.id}-")
        for _, row in csv.iterrows():
            key = (ind.id, row["ebene"], row["gebiet_id"])
            for jahr in cfg.methode.jahre:
                assert _gleich(lang.loc[(*key, jahr), "anteil"], row[f"anteil_{jahr}"])
            assert _gleich(lang.loc[(*key, b), "veraenderung"], row["veraenderung_pp"]), key
            geprueft += row["veraenderung_pp"] != ""
    assert geprueft, "the changes the page shows are in the frame (issue 16: they were empty)"


# -- the suppression rule on every rendered page (issue 16, docs/methodik.md) -------------------
def _zahl(zelle: str) -> float | None:
    return None if zelle == "" else float(zelle.replace(",", "."))


@pytest.mark.slow
def test_no_published_count_of_the_rendered_sample_breaks_the_rule(sample_render, cfg):
    """Every CSV of every page: each published n and Zähler is 0 or at least the threshold; a
    withheld offer shows nothing; a published dot total gives back no withheld dots."""
    _, folder = sample_render
    m_stimmen, m_fall = cfg.methode.mindeststimmen, cfg.methode.mindestfallzahl
    seiten = sorted(folder.glob("*.html"))
    geprueft = {"n": 0, "zaehler": 0}
    for seite in seiten:
        csvs = _csvs(seite.read_text(encoding="utf-8"))
        punkte_veroeffentlicht = 0
        for name, csv in csvs.items():
            if name.startswith("bekanntheit") and "n" in csv.columns:  # city-wide: shares only
                for _, row in csv.iterrows():
                    n = _zahl(row["n"])
                    if row["unterdrueckt"] == "ja":
                        assert all(row[c] == "" for c in ("ja", "nein", "n", "anteil_ja")), name
                    else:
                        assert n is not None and n >= m_stimmen, (seite.name, row.to_dict())
                        assert _zahl(row["ja"]) + _zahl(row["nein"]) == n
                        punkte_veroeffentlicht += n
                        geprueft["n"] += 1
            if "zaehler" in csv.columns and "unterdrueckt" in csv.columns:
                for z in csv["zaehler"]:
                    wert = _zahl(z)
                    assert wert is None or wert == 0 or wert >= m_fall, (name, z)
                    geprueft["zaehler"] += wert is not None
        for name, csv in csvs.items():
            if name.startswith("runden-") and punkte_veroeffentlicht:
                # the latest event's total minus its published offers: nothing withheld left
                letzte = csv.iloc[-1]
                if letzte["punkte"] != "":
                    assert _zahl(letzte["punkte"]) >= punkte_veroeffentlicht
    assert seiten and geprueft["n"] and geprueft["zaehler"], geprueft


def test_city_wide_indikatoren_frame_is_its_share_and_change_downloads(cfg):
    from sozialraum.publish.gesamtstadtbericht import Gesamtstadtbericht

    g = Gesamtstadtbericht.laden(config=cfg.pfad)
    g.dpi = 40
    csvs = _csvs(g.indikatoren().data)
    frame = g.daten.indikatoren
    jetzt = frame[frame["jahr"] == cfg.methode.berichtsjahr].set_index(
        ["sozialraum_id", "indikator"]
    )
    areas = {s.name: s.id for s in cfg.sozialraeume} | {cfg.stadt.name: "__stadt__"}
    kurz = {i.kurz: i.id for i in cfg.indikatoren}
    for anfang, spalte in (
        ("indikatoren-gesamtstadt", "anteil"),
        ("indikatoren-veraenderung", "veraenderung"),
    ):
        csv = _eine(csvs, anfang)
        for _, row in csv.iterrows():
            for name, sid in areas.items():
                wert = jetzt.loc[(sid, kurz[row["Indikator"]]), spalte]
                assert _gleich(wert, row[name]), (anfang, row["Indikator"], name, wert, row[name])
