import base64

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from sozialraum.compute import events
from sozialraum.present import indikatortabellen, tables, veranstaltungstabellen


def _soup(html):
    return BeautifulSoup(html, "html.parser")


def _csv_from_link(html):
    a = _soup(html).find("a", attrs={"download": True})
    prefix = "data:text/csv;charset=utf-8;base64,"
    assert a["href"].startswith(prefix)
    return base64.b64decode(a["href"][len(prefix) :])


def test_csv_is_german_excel_style():
    df = pd.DataFrame(
        {
            "Gebiet": ["Süd", "Nord"],
            "anteil": [12.5, float("nan")],
            "n": pd.array([3, None], dtype="Int64"),
            "ok": [True, False],
            "datum": pd.to_datetime(["2023-09-06", None]),
        }
    )
    raw = tables.csv_bytes(df)
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM for Excel
    text = raw.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "Gebiet;anteil;n;ok;datum"
    assert lines[1] == "Süd;12,5;3;ja;06.09.2023"
    assert lines[2] == "Nord;;;nein;"


def test_csv_download_link():
    df = pd.DataFrame({"a": [1.5]})
    html = tables.csv_download_link(df, 'x"y.csv')
    a = _soup(html).find("a")
    assert a["download"] == 'x"y.csv'
    assert a.get_text() == "CSV herunterladen"
    assert "CSV herunterladen" in a["aria-label"]
    assert _csv_from_link(html).decode("utf-8-sig").splitlines() == ["a", "1,5"]


def test_html_table_is_accessible_and_escaped():
    df = pd.DataFrame(
        {
            "Angebot": ["<script>alert(1)</script>", "Jobcenter"],
            "Anzahl": pd.array([1234, 5], dtype="int64"),
            "Anteil": ["12,5 %", "•"],
        }
    )
    html = tables.html_table(df, "Titel & mehr")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    soup = _soup(html)
    assert soup.find("caption").get_text() == "Titel & mehr"
    assert [th["scope"] for th in soup.find("thead").find_all("th")] == ["col"] * 3
    rows = soup.find("tbody").find_all("tr")
    assert rows[0].find("th")["scope"] == "row"
    cells = [td.get_text() for td in rows[0].find_all("td")]
    assert cells == ["1.234", "12,5 %"]
    # numeric columns are right aligned, text is not
    assert "zahl" in rows[0].find_all("td")[0]["class"]
    assert not rows[0].find("th").get("class")
    # a "•" without explanation gets the standard footnote
    assert "Datenschutz" in soup.find("p", class_="fussnote").get_text()


def test_html_table_own_suppression_note_not_duplicated():
    df = pd.DataFrame({"Gebiet": ["A"], "Wert": ["•"]})
    html = tables.html_table(df, "T", footnotes=["• = eigene Erklärung"])
    assert len(_soup(html).find_all("p", class_="fussnote")) == 1


def test_tabelle_combines_table_and_csv():
    df = pd.DataFrame({"Gebiet": ["A"], "Wert": ["1,5 %"]})
    raw = pd.DataFrame({"gebiet": ["A"], "wert": [1.5]})
    html = tables.tabelle(df, "T", csv=raw, filename="t.csv")
    soup = _soup(html)
    assert soup.find("div", class_="tabelle").find("table")
    assert _csv_from_link(html).decode("utf-8-sig").splitlines()[1] == "A;1,5"


# -- indicator tables ------------------------------------------------------------------------
def _gebiete(cfg):
    quartiere = pd.DataFrame(
        {
            "quartier_id": ["01", "02", "09"],
            "quartier": ["Nordstadt", "Südstadt", "Anderswo"],
            "sozialraum_id": ["1", "1", "2"],
        }
    )
    rows = []
    for qid, base in (("01", 10.0), ("02", 20.0), ("09", 5.0)):
        for i, year in enumerate(cfg.methode.jahre):
            rows.append((qid, year, "sgb2", base + i, False))
    werte = pd.DataFrame(
        rows, columns=["quartier_id", "jahr", "indikator", "anteil", "unterdrueckt"]
    )
    werte["zaehler"] = 100.0
    werte["nenner"] = 1000.0
    # Südstadt 2017 withheld (its value must not leak)
    werte.loc[(werte["quartier_id"] == "02") & (werte["jahr"] == 2017), "unterdrueckt"] = True
    # Nordstadt: the comparison year is withheld -> the change is withheld too
    werte.loc[(werte["quartier_id"] == "01") & (werte["jahr"] == 2020), "unterdrueckt"] = True
    sr = pd.DataFrame(
        {
            "ebene": "sozialraum",
            "sozialraum_id": ["1", "1", "1", "2", "2", "2"],
            "jahr": cfg.methode.jahre * 2,
            "indikator": "sgb2",
            "anteil": [15.0, 15.5, 16.75, 5.0, 6.0, 7.0],
            "unterdrueckt": False,
        }
    )
    st = pd.DataFrame(
        {
            "ebene": "stadt",
            "jahr": cfg.methode.jahre,
            "indikator": "sgb2",
            "anteil": [12.0, 12.5, 12.0],
        }
    )
    return indikatortabellen.gebiete_werte(
        werte, quartiere, "1", sr, st, sozialraum_name="Mitte", stadt_name="Musterstadt"
    )


def test_gebiete_werte_order_and_levels(cfg):
    g = _gebiete(cfg)
    assert list(g.drop_duplicates("gebiet_id")["gebiet"]) == [
        "Nordstadt",
        "Südstadt",
        "Mitte",
        "Musterstadt",
    ]
    assert "Anderswo" not in set(g["gebiet"])
    hidden = g[(g["gebiet"] == "Südstadt") & (g["jahr"] == 2017)]
    assert hidden["anteil"].isna().all() and hidden["zaehler"].isna().all()


def test_indikator_daten_change_in_pp(cfg):
    d = indikatortabellen.indikator_daten(cfg, _gebiete(cfg), "sgb2").set_index("gebiet")
    assert d.loc["Südstadt", "veraenderung_pp"] == pytest.approx(1.0)
    assert d.loc["Mitte", "veraenderung_pp"] == pytest.approx(1.25)
    assert d.loc["Musterstadt", "veraenderung_pp"] == pytest.approx(-0.5)
    assert bool(d.loc["Nordstadt", "veraenderung_unterdrueckt"])
    assert pd.isna(d.loc["Nordstadt", "veraenderung_pp"])


def test_indikator_tabelle_html(cfg):
    html = indikatortabellen.indikator_tabelle(cfg, _gebiete(cfg), "sgb2", sozialraum_name="Mitte")
    soup = _soup(html)
    caption = soup.find("caption").get_text()
    assert cfg.indikator("sgb2").label in caption and "Mitte" in caption
    head = [th.get_text() for th in soup.find("thead").find_all("th")]
    assert head == ["Gebiet", "ID", "2017", "2020", "2023", "Veränderung 2020–2023"]
    rows = {
        tr.find("th").get_text(): [td.get_text() for td in tr.find_all("td")][1:]
        for tr in soup.find("tbody").find_all("tr")
    }
    ids = [tr.find("td").get_text() for tr in soup.find("tbody").find_all("tr")]
    assert ids[-1] == "" and all(ids[:-1]), "every area row and the unit carry their id"
    assert rows["Südstadt"] == ["•", "21,0 %", "22,0 %", "+1,0 Pp."]
    assert rows["Nordstadt"] == ["10,0 %", "•", "12,0 %", "•"]
    assert rows["Sozialraum Mitte"][2:] == ["16,8 %", "+1,2 Pp."]
    assert rows["Stadt Musterstadt"][3] == "−0,5 Pp."
    notes = " ".join(p.get_text() for p in soup.find_all("p", class_="fussnote"))
    assert "weniger als 3 Fälle" in notes
    csv = _csv_from_link(html).decode("utf-8-sig")
    assert "Südstadt;quartier;sgb2;;21;22;1" in csv  # suppressed 2017 value is empty


def test_indikatoren_tabellen_one_per_indicator(cfg):
    html = indikatortabellen.indikatoren_tabellen(cfg, _gebiete(cfg))
    # only sgb2 has data; the other indicators say so in words
    assert len(_soup(html).find_all("table")) == 1
    assert len(_soup(html).find_all("p", class_="hinweis")) == len(cfg.indikatoren) - 1


# -- event tables ----------------------------------------------------------------------------
def _bk():
    return pd.DataFrame(
        {
            "frage_id": ["k", "k"],
            "frage": ["Kennen Sie das Angebot?"] * 2,
            "station_id": ["s1", "s2"],
            "station": ["Integration", "Bürgergeld"],
            "angebot_id": ["a", "b"],
            "angebot": ["Jobcenter", "Geoportal"],
            "ja": pd.array([20, pd.NA], dtype="Int64"),
            "nein": pd.array([3, pd.NA], dtype="Int64"),
            "n": pd.array([23, pd.NA], dtype="Int64"),
            "anteil_ja": [20 / 23 * 100, float("nan")],
            "ki_unten": [67.9, float("nan")],
            "ki_oben": [95.5, float("nan")],
            "unterdrueckt": [False, True],
            "andere_anteil_ja": [70.0, float("nan")],
            "andere_veranstaltungen": [2, 0],
        }
    )


def test_bekanntheit_tabelle_suppression_shown():
    html = veranstaltungstabellen.bekanntheit_tabelle(_bk(), 3, sozialraum_name="Mitte")
    soup = _soup(html)
    rows = {
        tr.find("th").get_text(): [td.get_text() for td in tr.find_all("td")]
        for tr in soup.find("tbody").find_all("tr")
    }
    assert rows["Jobcenter"] == ["20", "23", "87 %", "68–96 %", "70 %"]
    assert rows["Geoportal"] == ["•", "< 3", "•", "•", "–"]
    assert "weniger als 3 Punkte" in soup.get_text()
    first = soup.find("tbody").find("tr").find_all("td")
    assert all("zahl" in td.get("class", []) for td in first)  # all right-aligned
    csv = _csv_from_link(html).decode("utf-8-sig").splitlines()
    assert csv[2].startswith("Bürgergeld;Geoportal;;;;")


def test_bekanntheit_tabelle_empty_gives_sentence():
    html = veranstaltungstabellen.bekanntheit_tabelle(
        pd.DataFrame(columns=events.BEKANNTHEIT_SPALTEN), 3
    )
    assert _soup(html).find("p", class_="hinweis")
    assert "keine Abstimmungen" in html


def test_kennzahlen_html():
    k = {
        "datum_text": "06.09.2023",
        "format": "World-Café",
        "teilnehmende": 88,
        "institutionen": 1,
        "stationen": 13,
        "station_art": "Themeninsel",
        "station_art_plural": "Themeninseln",
        "dauer_minuten": None,
    }
    text = _soup(veranstaltungstabellen.kennzahlen_html(k)).get_text(" ")
    assert "88 Teilnehmende" in text
    assert "1 Institution" in text and "Institutionen" not in text
    assert "13 Themeninseln" in text
    assert "Dauer" not in text
    assert "noch keine Veranstaltung" in veranstaltungstabellen.kennzahlen_html(None)


def test_kanal_tabellen_escape_card_texts():
    kodiert = pd.DataFrame(
        {
            "frage_id": ["f", "f", "f"],
            "frage": ["Wie bekannter machen?"] * 3,
            "station_id": ["s", "s", "s"],
            "station": ["Sport", "Sport", "<i>Sport</i>"],
            "text": ["<script>alert(1)</script>", "Flyer", "Kita"],
            "kategorie": ["Sonstiges", "Flyer/Print", "Kita/Schule"],
        }
    )
    html = veranstaltungstabellen.kanal_tabellen(kodiert, events.kanal_haeufigkeit(kodiert))
    assert "<script>" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    soup = _soup(html)
    assert "„Wie bekannter machen?“" in soup.find("caption").get_text()
    items = [li.get_text() for li in soup.find_all("li")]
    assert "<script>alert(1)</script> (Sport)" in items
    assert "Sonstiges (1 Karte)" in soup.get_text()
    assert "CSV herunterladen" in soup.get_text()


def test_kanal_and_feedback_empty_give_sentences():
    empty = pd.DataFrame(
        columns=["frage_id", "frage", "station_id", "station", "text", "kategorie"]
    )
    assert "keine Moderationskarten" in veranstaltungstabellen.kanal_tabellen(
        empty, events.kanal_haeufigkeit(empty)
    )
    assert "keine Feedbackwörter" in veranstaltungstabellen.feedback_tabelle(
        pd.DataFrame(columns=["wort", "anzahl", "anteil"])
    )


def test_freitext_liste_escaped():
    k = pd.DataFrame(
        {
            "frage_id": ["f"],
            "frage": ["Was fehlt?"],
            "station_id": ["s"],
            "station": ["Familie"],
            "text": ["<b>mehr Infos</b>"],
        }
    )
    html = veranstaltungstabellen.freitext_liste(k)
    assert "<b>mehr Infos</b>" not in html and "&lt;b&gt;mehr Infos&lt;/b&gt;" in html


def test_feedback_tabelle():
    freq = pd.DataFrame({"wort": ["informativ", "<b>"], "anzahl": [3, 1], "anteil": [75.0, 25.0]})
    html = veranstaltungstabellen.feedback_tabelle(freq)
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert "4 Nennungen" in _soup(html).find("caption").get_text()


def test_handlungsempfehlungen_tabellen():
    he = pd.DataFrame(
        {
            "he_id": ["he-1"],
            "sozialraum_id": ["1"],
            "handlungsfeld": ["Familie"],
            "titel": ["Familienzentren ausbauen"],
            "zustaendig": ["Bereich 3-1"],
            "quartier_ids": [[]],
            "status": ["in Umsetzung"],
            "status_datum": pd.to_datetime(["2023-02-15"]),
        }
    )
    he_sr = events.handlungsempfehlungen(he, "1")
    soup = _soup(
        veranstaltungstabellen.handlungsempfehlungen_tabelle(he_sr, sozialraum_name="Mitte")
    )
    row = soup.find("tbody").find("tr")
    assert row.find("th").get_text() == "Familienzentren ausbauen"
    assert [td.get_text() for td in row.find_all("td")] == [
        "Familie",
        "ganzer Sozialraum",
        "Bereich 3-1",
        "in Umsetzung",
        "15.02.2023",
    ]
    st = _soup(veranstaltungstabellen.status_tabelle(events.status_zaehlung(he_sr)))
    assert [th.get_text() for th in st.find("tbody").find_all("th")] == list(
        events.STATUS_REIHENFOLGE
    )
    empty = he_sr.iloc[0:0]
    assert (
        "keine Handlungsempfehlungen für Mitte"
        in veranstaltungstabellen.handlungsempfehlungen_tabelle(empty, sozialraum_name="Mitte")
    )
    assert "keine Handlungsempfehlungen" in veranstaltungstabellen.status_tabelle(
        events.status_zaehlung(empty)
    )


def test_status_known_only_by_month_is_not_given_an_invented_day():
    he = pd.DataFrame(
        {
            "he_id": ["he-1", "he-2"],
            "sozialraum_id": ["1", "1"],
            "handlungsfeld": ["Familie", "Familie"],
            "titel": ["A", "B"],
            "zustaendig": ["Bereich 3-1", "Bereich 3-1"],
            "quartier_ids": [[], []],
            "status": ["offen", "umgesetzt"],
            "status_datum": pd.to_datetime(["2023-02-01", "2024-03-15"]),
            "status_datum_genauigkeit": ["monat", "tag"],
        }
    )
    html = veranstaltungstabellen.handlungsempfehlungen_tabelle(
        events.handlungsempfehlungen(he, "1")
    )
    stand = [tr.find_all("td")[-1].get_text() for tr in _soup(html).find("tbody").find_all("tr")]
    assert stand == ["Februar 2023", "15.03.2024"]
    csv = _csv_from_link(html).decode("utf-8-sig")
    assert ";2023-02\r\n" in csv or ";2023-02\n" in csv, csv
    assert "2024-03-15" in csv and "2023-02-01" not in csv


def _sortier_cfg(cfg, art):
    return cfg.model_copy(update={"methode": cfg.methode.model_copy(update={"sortierung": art})})


def test_area_order_follows_methode_sortierung(cfg):
    index = pd.DataFrame(
        {
            "quartier_id": ["10", "2", "3", "1"],
            "quartier": ["Alt", "Zentrum", "Berg", "Mitte"],
            "status_stufe": pd.array([1, 3, pd.NA, 3], dtype="Int64"),
        }
    )
    assert indikatortabellen.reihenfolge(_sortier_cfg(cfg, "id"), index) == ["1", "2", "3", "10"]
    assert indikatortabellen.reihenfolge(_sortier_cfg(cfg, "name"), index) == ["10", "3", "1", "2"]
    # worst class first, ties by id, areas without a class last
    assert indikatortabellen.reihenfolge(_sortier_cfg(cfg, "klasse"), index) == [
        "1",
        "2",
        "10",
        "3",
    ]
    assert list(indikatortabellen.sortiert(_sortier_cfg(cfg, "id"), index)["quartier"]) == [
        "Mitte",
        "Zentrum",
        "Berg",
        "Alt",
    ]


def test_csv_file_names_carry_slug_and_year():
    assert tables.dateiname("sozialindex", "mitte", 2020) == "sozialindex-mitte-2020.csv"
    assert tables.dateiname("indikator", "s1", "mitte", 2020) == "indikator-s1-mitte-2020.csv"
    assert tables.dateiname("sozialindex", "Mitte/Styrum", 2023) == (
        "sozialindex-mitte-styrum-2023.csv"
    )


def test_indikator_tabelle_rows_follow_the_given_order_and_name_the_published_change(cfg):
    g = _gebiete(cfg)
    ids = list(g.loc[g["ebene"] == "quartier", "gebiet_id"].drop_duplicates())
    html = indikatortabellen.indikator_tabelle(
        cfg, g, "sgb2", reihe=ids[::-1], filename="x-mitte-2023.csv"
    )
    soup = _soup(html)
    first = [tr.find("td").get_text() for tr in soup.find("tbody").find_all("tr")]
    assert first[: len(ids)] == ids[::-1]
    assert 'download="x-mitte-2023.csv"' in html


def test_map_key_table_is_compact_and_escaped():
    key = pd.DataFrame(
        {
            "nummer": list(range(1, 81)),
            "quartier_id": [f"{n:03d}" for n in range(1, 81)],
            "quartier": ["<b>Nord</b>"] + [f"Planungsraum {n}" for n in range(2, 81)],
        }
    )
    html = tables.schluessel_tabelle(key, "Tabelle zur Karte: Nummern der Planungsräume")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("caption").get_text() == "Tabelle zur Karte: Nummern der Planungsräume"
    assert len(soup.find("tbody").find_all("tr")) == 20  # 80 entries in four column pairs
    assert "<b>" not in html and "&lt;b&gt;Nord&lt;/b&gt;" in html
    first_col = [tr.find("td").get_text() for tr in soup.find("tbody").find_all("tr")]
    assert first_col == [str(n) for n in range(1, 21)], "filled column by column"
    assert tables.schluessel_tabelle(key.iloc[0:0], "x") == ""
    small = BeautifulSoup(tables.schluessel_tabelle(key.head(3), "x"), "html.parser")
    assert len(small.find("tbody").find_all("tr")) == 3


def test_csv_cells_that_start_a_formula_are_quoted_numbers_are_not():
    df = pd.DataFrame({"text": ["=A1", "ok", "-3"], "zahl": [-1.5, -2.0, 3.0]})
    text = tables.csv_bytes(df).decode("utf-8-sig")
    assert text.splitlines() == ["text;zahl", "'=A1;-1,5", "ok;-2", "-3;3"]


def test_file_names_from_the_data_are_safe_slugs():
    assert tables.dateiname("karten", "../../Süd/Ost", "mitte", 2023) == (
        "karten-sued-ost-mitte-2023.csv"
    )
    assert tables.dateiname("karten", "x" * 500, 2023).count("x") == 60


def _ohne_dynamik(cfg):
    """The config as if it had no change data (``[methode.dynamik]`` left out)."""
    methode = cfg.methode.model_copy(update={"dynamik": None, "vergleichsjahr": None})
    return cfg.model_copy(update={"methode": methode})


def test_indikator_tabelle_without_change_data_shows_the_shares_alone(cfg):
    ohne = _ohne_dynamik(cfg)
    assert not ohne.mit_dynamik
    d = indikatortabellen.indikator_daten(ohne, _gebiete(cfg), "sgb2")
    assert "veraenderung_pp" not in d.columns and "veraenderung_unterdrueckt" not in d.columns
    html = indikatortabellen.indikator_tabelle(ohne, _gebiete(cfg), "sgb2")
    soup = _soup(html)
    head = [th.get_text() for th in soup.find("thead").find_all("th")]
    assert head == ["Gebiet", "ID", "2017", "2020", "2023"]
    assert "Veränderung" not in soup.get_text() and "Pp." not in soup.get_text()
    csv = _csv_from_link(html).decode("utf-8-sig")
    assert csv.splitlines()[0].endswith("anteil_2023")  # no empty change column
