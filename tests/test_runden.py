"""Rounds compared (sozialraum.compute.runden): needs of round 1, recommendations, status history.

Expectations on the sample data are recomputed from the CSV files with the ``csv`` module, not
copied from a run; the mini city gets the rounds each test needs written into it.
"""

import csv
import io
import re
from collections import Counter
from pathlib import Path

import pytest
from fixtures_city import make_city

from sozialraum.compute import runden
from sozialraum.config import ConfigError, load_config
from sozialraum.present import runden as runden_html
from sozialraum.read.validate import validate


def _rows(cfg, name: str) -> list[dict[str, str]]:
    text = cfg.datei(name).read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


@pytest.fixture(scope="module")
def sample(cfg):
    report = validate(cfg)
    assert report.inputs is not None, report.text()
    return report.inputs


# ---- the sample data ------------------------------------------------------------------------
@pytest.mark.parametrize("sr", ["1", "2", "3", "4", "5", "6"])
def test_needs_of_round_one_are_the_cards_of_its_event(cfg, sample, sr):
    events = {e["veranstaltung_id"]: e for e in _rows(cfg, "veranstaltungen")}
    first = min(
        (e for e in events.values() if e["sozialraum_id"] == sr), key=lambda e: int(e["runde"])
    )
    cards = [k for k in _rows(cfg, "karten") if k["veranstaltung_id"] == first["veranstaltung_id"]]
    want = Counter((k["station_id"], k["text"]) for k in cards)
    b = runden.bedarfe(sample, sr)
    got = Counter({(r.station_id, r.bedarf): int(r.karten) for r in b.itertuples()})
    assert got == want and len(want) > 0
    assert set(b["runde"]) == {int(first["runde"])}
    titles = {s["station_id"]: s["station"] for s in _rows(cfg, "stationen")}
    assert (b["station"] == b["station_id"].map(titles)).all()
    assert b["erfunden"].all()  # every invented card keeps its mark


def test_needs_beside_recommendations_per_handlungsfeld(cfg, sample):
    he = [h for h in _rows(cfg, "handlungsempfehlungen") if h["sozialraum_id"] == "2"]
    df = runden.bedarfe_und_empfehlungen(sample, "2").set_index("handlungsfeld")
    per_field = Counter(h["handlungsfeld"] for h in he)
    assert df["empfehlungen"].to_dict() == {f: per_field.get(f, 0) for f in df.index}
    for f, row in df.iterrows():
        titles = {h["titel"] for h in he if h["handlungsfeld"] == f}
        assert set(filter(None, row["titel"].split(" | "))) == titles
        status = Counter(h["status"] for h in he if h["handlungsfeld"] == f)
        assert all(row[s] == status.get(s, 0) for s in runden.STATUS_REIHENFOLGE)
    b = runden.bedarfe(sample, "2")
    assert df["bedarfe"].sum() == b["karten"].sum()


def test_rounds_side_by_side(cfg, sample):
    ue = runden.runden_uebersicht(sample, "1")
    assert ue["runde"].tolist() == [1, 2]
    cards = Counter(k["veranstaltung_id"] for k in _rows(cfg, "karten"))
    dots = Counter()
    for v in _rows(cfg, "abstimmungen"):
        dots[v["veranstaltung_id"]] += int(v["anzahl"])
    assert ue["karten"].tolist() == [cards[v] for v in ue["veranstaltung_id"]]
    assert ue["punkte"].tolist() == [dots[v] for v in ue["veranstaltung_id"]]
    assert ue["art"].tolist() == ["Thementisch", "Themeninsel"]
    assert ue.loc[0, "fragen"] == "Was fehlt im Sozialraum?"


def test_status_changes_in_date_order_from_the_history(cfg, sample):
    sv = [s for s in _rows(cfg, "statusverlauf") if s["he_id"].startswith("HE-3-")]
    df = runden.statusaenderungen(sample, "3")
    # a row that repeats the status before it (an "offen" confirmed later) is no change
    changes = [
        s
        for i, s in enumerate(sv)
        if i == 0 or (sv[i - 1]["he_id"], sv[i - 1]["status"]) != (s["he_id"], s["status"])
    ]
    assert len(df) == len(changes) < len(sv)
    assert df["status_datum"].is_monotonic_increasing
    starts = df[df["von"] == ""]
    assert set(starts["status"]) == {"offen"} and len(starts) == len({s["he_id"] for s in sv})
    assert (starts["status_datum_genauigkeit"] == "monat").all()
    current = {h["he_id"]: h["status"] for h in _rows(cfg, "handlungsempfehlungen")}
    last = df.groupby("he_id").tail(1).set_index("he_id")["status"]
    assert last.to_dict() == {k: current[k] for k in last.index}


def test_section_of_the_sample_report(cfg, sample):
    html = runden_html.rundenvergleich_html(cfg, sample, "2")
    heads = re.findall(r"<h3>(.*?)</h3>", html)
    assert heads == [
        "Die Runden im Vergleich",
        "Was Runde 1 gesammelt hat",
        "Bedarfe und Handlungsempfehlungen",
        "Verlauf der Handlungsempfehlungen",
    ]
    assert "November 2019" in html and "06.09.2023" in html  # month-only date stays a month
    assert "Februar 2023" in html and "offen → in Umsetzung" in html
    # the recommendations that all began in February 2023 are one line of the timeline
    n = sum(h["sozialraum_id"] == "2" for h in _rows(cfg, "handlungsempfehlungen"))
    assert html.count(f"<td>{n} Handlungsempfehlungen</td>") == 1
    assert "Runde 1: „Was fehlt im Sozialraum?“" in html
    assert html.count('download="') == 4  # each table with its CSV
    assert runden_html.rundenvergleich_html(cfg, sample, "2", ueberschrift=4).count("<h4>") == 4


@pytest.mark.parametrize("sr", ["1", "2", "3", "4", "5", "6"])
def test_stations_in_the_text_agree_with_the_rounds_table(cfg, sample, sr):
    html = runden_html.rundenvergleich_html(cfg, sample, sr)
    st = [s for s in _rows(cfg, "stationen") if s["runde"] == "1"]
    ev = {
        e["veranstaltung_id"]
        for e in _rows(cfg, "veranstaltungen")
        if e["sozialraum_id"] == sr and e["runde"] == "1"
    }
    mit_karte = {k["station_id"] for k in _rows(cfg, "karten") if k["veranstaltung_id"] in ev}
    ohne = [s["station"] for s in st if s["station_id"] not in mit_karte]
    # the table counts every station of the round; the text says how many got cards
    assert f"<td>{len(st)} (Thementisch)</td>" in html
    if ohne:
        assert f"an {len(st) - len(ohne)} der {len(st)} Stationen" in html
        assert all(f"„{s}“" in html for s in ohne)
    else:
        assert f"an {len(st)} Stationen" in html


def test_a_month_only_round_beside_a_dated_one_is_explained(cfg, sample):
    html = runden_html.rundenvergleich_html(cfg, sample, "2")  # Runde 1 in November 2019
    assert "Für Runde 1 ist nur der Monat dokumentiert, kein Tag." in html


# ---- the mini city ---------------------------------------------------------------------------
ROUND1 = {
    "veranstaltungen": lambda t: t + "2019-nord;1;1;10.10.2019;Thementische;70;30;;ja\n",
    "stationen": lambda t: (
        t
        + "r1-a;1;Thementisch;Tisch A;Moderation;Familie\n"
        + "r1-b;1;Thementisch;Wohnen im Quartier;Moderation;\n"
    ),
    "fragen": lambda t: t + "r1-bedarf;1;Was fehlt?;freitext;nein\n",
    "karten": lambda t: (
        t
        + "2019-nord;r1-a;r1-bedarf;Familienzentrum;ja\n"
        + "2019-nord;r1-a;r1-bedarf;familienzentrum ;ja\n"
        + "2019-nord;r1-b;r1-bedarf;<script>alert(1)</script>;ja\n"
    ),
}


def _with_round1(config_text: str) -> str:
    return config_text.replace(
        'termine = [{ runde = 2, datum = "2023-09-06" }]',
        'termine = [{ runde = 1, datum = "2019-10-10" }, { runde = 2, datum = "2023-09-06" }]',
    )


def _stationen_header(text: str) -> str:
    return text.replace("station;bereich\n", "station;bereich;handlungsfeld\n", 1)


def _mini(tmp_path: Path, statusverlauf: str | None = None, **extra):
    files = dict(ROUND1)
    st = files["stationen"]
    files["stationen"] = lambda t: st(_stationen_header(t))
    files.update(extra)

    def config(text: str) -> str:
        text = _with_round1(text)
        if statusverlauf is not None:
            text = text.replace(
                'handlungsempfehlungen = "../data/handlungsempfehlungen.csv"\n',
                'handlungsempfehlungen = "../data/handlungsempfehlungen.csv"\n'
                'statusverlauf = "../data/statusverlauf.csv"\n',
            )
        return text

    path = make_city(tmp_path, config=config, **files)
    if statusverlauf is not None:
        (tmp_path / "data" / "statusverlauf.csv").write_text(statusverlauf, encoding="utf-8")
    cfg = load_config(path)
    return cfg, validate(cfg)


def test_explicit_handlungsfeld_links_a_table_and_a_gap_is_named(tmp_path):
    cfg, report = _mini(tmp_path)
    assert report.inputs is not None, report.text()
    b = runden.bedarfe(report.inputs, "1")
    # "Familienzentrum" and "familienzentrum " are one need with two cards
    assert b.loc[b["station_id"] == "r1-a", ["bedarf", "karten"]].values.tolist() == [
        ["Familienzentrum", 2]
    ]
    df = runden.bedarfe_und_empfehlungen(report.inputs, "1").set_index("handlungsfeld")
    assert df.loc["Familie", "empfehlungen"] == 1  # "Tisch A" is Familie by the column
    assert df.loc["Wohnen im Quartier", "empfehlungen"] == 0  # no column: the title
    html = runden_html.rundenvergleich_html(cfg, report.inputs, "1")
    assert "Ohne Handlungsempfehlung: Wohnen im Quartier" in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_no_section_with_one_round_and_no_history(tmp_path):
    cfg = load_config(make_city(tmp_path))
    inputs = validate(cfg).inputs
    assert runden.runden(inputs, "1") == [2]
    assert runden.bedarfe(inputs, "1").empty
    assert runden_html.rundenvergleich_html(cfg, inputs, "1") == ""
    assert runden_html.rundenvergleich_html(cfg, inputs, "2") == ""


HISTORY = (
    "he_id;status;status_datum\n"
    "HE-1;offen;2023-01\n"
    "HE-1;offen;20.01.2023\n"  # confirmed, not a change
    "HE-1;in Umsetzung;2023-02\n"
    "HE-2;offen;15.02.2023\n"
)


def test_history_drops_repeated_states_and_keeps_month_dates(tmp_path):
    cfg, report = _mini(tmp_path, statusverlauf=HISTORY)
    assert report.ok, report.text()
    df = runden.statusaenderungen(report.inputs, "1")
    assert df[["von", "status"]].values.tolist() == [["", "offen"], ["offen", "in Umsetzung"]]
    assert df["status_datum_genauigkeit"].tolist() == ["monat", "monat"]
    html = runden_html.rundenvergleich_html(cfg, report.inputs, "1")
    assert "Januar 2023" in html and "offen → in Umsetzung" in html
    # Sozialraum 2 has one state on one date: a state, not a history
    assert runden.statusaenderungen(report.inputs, "2").empty


def test_history_must_end_where_the_recommendation_stands(tmp_path):
    bad = HISTORY.replace("HE-1;in Umsetzung;2023-02", "HE-1;umgesetzt;2023-02")
    _, report = _mini(tmp_path, statusverlauf=bad)
    hits = [str(p) for p in report.problems if p.schwere == "Fehler"]
    assert len(hits) == 1, hits
    assert hits[0].startswith('data/statusverlauf.csv, Zeile 4, Spalte "status":')
    assert '"umgesetzt"' in hits[0] and '"in Umsetzung"' in hits[0]
    assert 'Meinten Sie "in Umsetzung"?' in hits[0]


def test_history_with_unknown_recommendation_and_status(tmp_path):
    bad = HISTORY + "HE-9;offen;01.03.2023\nHE-2;fertig;01.04.2023\n"
    _, report = _mini(tmp_path, statusverlauf=bad)
    errors = "\n".join(str(p) for p in report.problems if p.schwere == "Fehler")
    assert 'Zeile 6, Spalte "he_id"' in errors and "HE-9" in errors
    assert 'Zeile 7, Spalte "status"' in errors and "fertig" in errors
    assert report.inputs is None


def test_history_needs_the_recommendations(tmp_path):
    path = make_city(
        tmp_path,
        handlungsempfehlungen=None,
        config=lambda t: t.replace(
            'handlungsempfehlungen = "../data/handlungsempfehlungen.csv"\n',
            'statusverlauf = "../data/statusverlauf.csv"\n',
        ),
    )
    with pytest.raises(ConfigError, match="statusverlauf braucht"):
        load_config(path)


def test_history_within_the_month_of_a_month_only_state_is_not_later(tmp_path):
    # HE-1 stands "in Umsetzung" as of "2023-02"; a history entry on 20.02.2023 is that month
    history = HISTORY.replace("HE-1;in Umsetzung;2023-02", "HE-1;in Umsetzung;20.02.2023")
    _, report = _mini(tmp_path, statusverlauf=history)
    assert report.ok, report.text()
    later = history.replace("HE-1;in Umsetzung;20.02.2023", "HE-1;in Umsetzung;02.03.2023")
    _, report = _mini(tmp_path / "spaeter", statusverlauf=later)
    errors = [str(p) for p in report.problems if p.schwere == "Fehler"]
    assert len(errors) == 1 and "reicht über den Stand" in errors[0] and "(02/2023)" in errors[0]
    assert 'Zeile 4, Spalte "status_datum"' in errors[0]


# ---- suppression (issue 16) -----------------------------------------------------------------
def test_a_dot_total_that_would_reveal_withheld_offers_is_withheld(cfg, sample):
    """Total of an event's dots − published n of its offers = the withheld dots: not published."""
    import base64
    import dataclasses

    from sozialraum.compute import events

    ab = sample.abstimmungen.copy()
    ev = sample.veranstaltungen
    letzte = ev[ev["sozialraum_id"].astype(str) == "2"].sort_values("runde").iloc[-1]
    vid = letzte["veranstaltung_id"]
    eigene = ab.index[(ab["veranstaltung_id"] == vid) & ab["antwort"].isin(["JA", "NEIN"])]
    angebot = ab.loc[eigene[0], "angebot_id"]
    zeilen = eigene[ab.loc[eigene, "angebot_id"] == angebot]
    ab.loc[zeilen, "anzahl"] = 0
    ab.loc[zeilen[0], "anzahl"] = 1  # one dot: below mindeststimmen
    inputs = dataclasses.replace(sample, abstimmungen=ab)
    m = cfg.methode.mindeststimmen
    assert events.geschuetzte_punkte(ab, inputs.fragen, ev, vid, m) == 1
    html = runden_html.rundenvergleich_html(cfg, inputs, "2")
    (href,) = re.findall(r'download="runden-[^"]+" href="(data:text/csv[^"]+)"', html)
    raw = base64.b64decode(href.split(",", 1)[1]).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(raw), delimiter=";"))
    punkte = {r["veranstaltung_id"]: r["punkte"] for r in rows}
    assert punkte[vid] == "", "withheld in the CSV"
    assert all(p != "" for v, p in punkte.items() if v != vid), "the other rounds stay"
    assert "• = nicht ausgewiesen" in html
    # unchanged data: every total is published
    assert "• = nicht ausgewiesen" not in runden_html.rundenvergleich_html(cfg, sample, "2")
