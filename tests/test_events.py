import math

import pandas as pd
import pytest

from sozialraum.compute import events


def _veranstaltungen():
    return pd.DataFrame(
        {
            "veranstaltung_id": ["r1-a", "r2-a", "r2-b", "r2-c"],
            "sozialraum_id": ["1", "1", "2", "3"],
            "runde": [1, 2, 2, 2],
            "datum": pd.to_datetime(["2019-11-01", "2023-09-06", "2023-08-16", "2023-10-26"]),
            "datum_genauigkeit": ["monat", "tag", "tag", "tag"],
            "format": ["Thementische", "World-Café", "World-Café", "World-Café"],
            "teilnehmende": pd.array([40, 88, 70, pd.NA], dtype="Int64"),
            "institutionen": pd.array([20, 38, pd.NA, 30], dtype="Int64"),
            "dauer_minuten": pd.array([pd.NA, 75, 75, 75], dtype="Int64"),
            "erfunden": [True, False, True, True],
        }
    )


def _stationen():
    return pd.DataFrame(
        {
            "station_id": ["t1", "s-int", "s-job"],
            "runde": [1, 2, 2],
            "art": ["Thementisch", "Themeninsel", "Themeninsel"],
            "station": ["Familie", "Integration", "Bürgergeld"],
            "bereich": ["x", "y", "z"],
            "erfunden": [True, True, True],
        }
    )


def _angebote():
    return pd.DataFrame(
        {
            "angebot_id": ["kim", "iz", "jc", "but"],
            "station_id": ["s-int", "s-int", "s-job", "s-job"],
            "angebot": ["KIM-Case-Management", "Integrationszentrum", "Jobcenter", "BuT"],
            "bereich": ["a", "b", "c", "d"],
            "url": [None, None, None, None],
            "erfunden": [True, True, True, True],
        }
    )


def _fragen():
    return pd.DataFrame(
        {
            "frage_id": ["r2-kennen", "r2-bekannter", "r2-woher", "r1-fehlt"],
            "runde": [2, 2, 2, 1],
            "frage": [
                "Kennen Sie das Angebot?",
                "Wie kann das Angebot bekannter gemacht werden?",
                "Woher kennen Sie uns?",
                "Was fehlt?",
            ],
            "typ": ["ja_nein", "freitext", "freitext", "freitext"],
            "kanalcodierung": [False, True, True, False],
        }
    )


def _votes(rows):
    df = pd.DataFrame(
        rows, columns=["veranstaltung_id", "station_id", "angebot_id", "antwort", "anzahl"]
    )
    df["angebot_id"] = df["angebot_id"].astype("string")
    df["frage_id"] = "r2-kennen"
    df["erfunden"] = True
    return df


@pytest.fixture
def abstimmungen():
    return _votes(
        [
            # own event r2-a
            ("r2-a", "s-job", "jc", "JA", 20),
            ("r2-a", "s-job", "jc", "NEIN", 3),
            ("r2-a", "s-int", "kim", "JA", 2),
            ("r2-a", "s-int", "kim", "NEIN", 15),
            ("r2-a", "s-int", "iz", "JA", 1),  # n = 2 < 3: suppressed
            ("r2-a", "s-int", "iz", "NEIN", 1),
            # no dot at all for "but" at r2-a
            # other events of the round
            ("r2-b", "s-job", "jc", "JA", 10),
            ("r2-b", "s-job", "jc", "NEIN", 10),
            ("r2-c", "s-job", "jc", "JA", 9),
            ("r2-c", "s-job", "jc", "NEIN", 1),
            ("r2-c", "s-int", "kim", "JA", 1),  # suppressed at r2-c: not in its mean
            ("r2-c", "s-int", "kim", "NEIN", 0),
        ]
    )


def _bk(abst, vid="r2-a", mind=3):
    return events.bekanntheit(
        abst, _angebote(), _stationen(), _fragen(), _veranstaltungen(), vid, mind
    )


def test_veranstaltung_latest_round_and_missing():
    ev = events.veranstaltung(_veranstaltungen(), "1")
    assert ev["veranstaltung_id"] == "r2-a"
    assert events.veranstaltung(_veranstaltungen(), "1", runde=1)["veranstaltung_id"] == "r1-a"
    assert events.veranstaltung(_veranstaltungen(), "9") is None


def test_kennzahlen():
    k = events.kennzahlen(_veranstaltungen(), _stationen(), "1")
    assert k["teilnehmende"] == 88
    assert k["institutionen"] == 38
    assert k["stationen"] == 2
    assert k["station_art"] == "Themeninsel"
    assert k["station_art_plural"] == "Themeninseln"
    assert k["datum_text"] == "06.09.2023"
    k1 = events.kennzahlen(_veranstaltungen(), _stationen(), "1", runde=1)
    assert k1["datum_text"] == "November 2019"
    assert k1["station_art_plural"] == "Thementische"
    kc = events.kennzahlen(_veranstaltungen(), _stationen(), "3")
    assert kc["teilnehmende"] is None
    assert events.kennzahlen(_veranstaltungen(), _stationen(), "9") is None


def test_wilson_known_values():
    lo, hi = events.wilson(20, 23)
    # Reference: Wilson 95 % interval for 20/23 = (0.679, 0.955)
    assert lo == pytest.approx(67.9, abs=0.1)
    assert hi == pytest.approx(95.5, abs=0.1)
    lo, hi = events.wilson(0, 10)
    assert lo == 0.0 and hi == pytest.approx(27.8, abs=0.1)
    assert all(math.isnan(x) for x in events.wilson(0, 0))


def test_bekanntheit_shares_order_and_comparison(abstimmungen):
    bk = _bk(abstimmungen)
    assert list(bk["angebot"]) == ["Jobcenter", "KIM-Case-Management", "BuT", "Integrationszentrum"]
    jc = bk.iloc[0]
    assert (jc["ja"], jc["nein"], jc["n"]) == (20, 3, 23)
    assert jc["anteil_ja"] == pytest.approx(20 / 23 * 100)
    assert jc["ki_unten"] < jc["anteil_ja"] < jc["ki_oben"]
    # mean of the other events: (50 % + 90 %) / 2
    assert jc["andere_anteil_ja"] == pytest.approx(70.0)
    assert jc["andere_veranstaltungen"] == 2
    kim = bk.iloc[1]
    # KIM was suppressed at r2-c, so no comparison value exists
    assert math.isnan(kim["andere_anteil_ja"])
    assert kim["andere_veranstaltungen"] == 0


def test_bekanntheit_suppresses_but_keeps_small_offers(abstimmungen):
    bk = _bk(abstimmungen).set_index("angebot")
    # An offer with too few dots, and one without any dot, are still listed ...
    assert {"Integrationszentrum", "BuT"} <= set(bk.index)
    # ... but marked and with every count blanked, so no table or CSV can show them.
    for name in ("Integrationszentrum", "BuT"):
        row = bk.loc[name]
        assert bool(row["unterdrueckt"])
        assert pd.isna(row["ja"]) and pd.isna(row["n"]) and pd.isna(row["nein"])
        assert math.isnan(row["anteil_ja"]) and math.isnan(row["ki_oben"])
    # with a lower threshold the 1-of-2 offer is shown
    bk1 = _bk(abstimmungen, mind=2).set_index("angebot")
    assert not bool(bk1.loc["Integrationszentrum", "unterdrueckt"])
    assert bk1.loc["Integrationszentrum", "anteil_ja"] == pytest.approx(50.0)


def test_bekanntheit_without_votes_lists_offers_suppressed():
    bk = _bk(_votes([]))
    assert len(bk) == 4
    assert bk["unterdrueckt"].all()
    assert events.extreme(bk)["hoechst"].empty


def test_bekanntheit_round_without_yes_no_question():
    bk = _bk(_votes([]), vid="r1-a")
    assert bk.empty
    assert list(bk.columns) == events.BEKANNTHEIT_SPALTEN


def test_extreme_ties(abstimmungen):
    extra = _votes([("r2-a", "s-job", "but", "JA", 20), ("r2-a", "s-job", "but", "NEIN", 3)])
    bk = _bk(pd.concat([abstimmungen, extra], ignore_index=True))
    ex = events.extreme(bk)
    assert list(ex["hoechst"]["angebot"]) == ["BuT", "Jobcenter"]
    assert list(ex["niedrigst"]["angebot"]) == ["KIM-Case-Management"]


REGELN = pd.DataFrame(
    {
        "reihenfolge": [30, 10, 20, 40, 50, 60],
        "kategorie": [
            "Kita/Schule",
            "Social Media/Web",
            "Kita/Schule",
            "Flyer/Print",
            "Mundpropaganda",
            "Netzwerke/Gremien",
        ],
        "muster": ["kita*", "instagram", "schule*", "flyer*", "über bekannte", "ag"],
    }
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Verteilung in Kita", "Kita/Schule"),  # whole word
        ("KITAS anschreiben!", "Kita/Schule"),  # case and prefix
        ("Kita-Newsletter", "Kita/Schule"),  # hyphen separates words
        ("Ankita fragen", "Sonstiges"),  # not at a word start
        ("Flyer, Plakate", "Flyer/Print"),  # punctuation after the word
        ("„Flyer“ in der Schule", "Kita/Schule"),  # order: schule* (20) before flyer* (40)
        ("Instagram der Schule", "Social Media/Web"),  # order: instagram (10) first
        ("Instagramm", "Sonstiges"),  # no * : whole word only
        ("ÜBER  Bekannte erfahren", "Mundpropaganda"),  # umlaut case + multi-word + spaces
        ("u\u0308ber Bekannte", "Mundpropaganda"),  # decomposed umlaut (macOS input)
        ("in der AG Jugend", "Netzwerke/Gremien"),
        ("Tagung", "Sonstiges"),  # "ag" inside a word does not count
        ("", "Sonstiges"),
        ("über KHM-Beratungsstelle", "Sonstiges"),
    ],
)
def test_kodiere_kanaele(text, expected):
    assert events.kodiere_kanaele([text], REGELN).iloc[0] == expected


def test_kodiere_kanaele_keeps_index_and_missing():
    s = pd.Series(["Kita", None], index=[5, 7], dtype="string")
    out = events.kodiere_kanaele(s, REGELN)
    assert list(out.index) == [5, 7]
    assert list(out) == ["Kita/Schule", "Sonstiges"]


def test_muster_regex_rejects_empty_pattern():
    with pytest.raises(ValueError):
        events.muster_regex(" * ")


def test_kategorien_reihenfolge():
    assert events.kategorien_reihenfolge(REGELN) == [
        "Social Media/Web",
        "Kita/Schule",
        "Flyer/Print",
        "Mundpropaganda",
        "Netzwerke/Gremien",
        "Sonstiges",
    ]


def _karten():
    rows = [
        ("r2-a", "s-job", "r2-bekannter", "Flyer in Kitas"),
        ("r2-a", "s-job", "r2-bekannter", "<script>alert(1)</script>"),
        ("r2-a", "s-int", "r2-bekannter", "Flyer beim Arzt"),
        ("r2-a", "s-int", "r2-woher", "über Bekannte"),
        ("r2-a", "s-int", "r2-bekannter", "   "),  # blank card is ignored
        ("r2-b", "s-int", "r2-woher", "Instagram"),  # other event
        ("r1-a", "t1", "r1-fehlt", "Mehr Spielplätze"),
    ]
    df = pd.DataFrame(rows, columns=["veranstaltung_id", "station_id", "frage_id", "text"])
    df["erfunden"] = True
    return df


def test_karten_kodiert_and_haeufigkeit():
    k = events.karten_kodiert(_karten(), _fragen(), _stationen(), REGELN, "r2-a")
    assert len(k) == 4
    assert set(k["frage_id"]) == {"r2-bekannter", "r2-woher"}
    bek = k[k["frage_id"] == "r2-bekannter"]
    assert list(bek["kategorie"]) == ["Kita/Schule", "Flyer/Print", "Sonstiges"]
    assert bek.iloc[0]["station"] == "Bürgergeld"
    h = events.kanal_haeufigkeit(k)
    hb = h[h["frage_id"] == "r2-bekannter"]
    assert list(hb["kategorie"]) == ["Flyer/Print", "Kita/Schule", "Sonstiges"]
    assert hb["anteil"].sum() == pytest.approx(100.0)
    assert hb["frage"].iloc[0] == "Wie kann das Angebot bekannter gemacht werden?"


def test_karten_without_cards_gives_empty_frames():
    k = events.karten_kodiert(_karten(), _fragen(), _stationen(), REGELN, "r2-c")
    assert k.empty
    assert events.kanal_haeufigkeit(k).empty


def test_karten_freitext_only_uncoded_questions():
    f = events.karten_freitext(_karten(), _fragen(), _stationen(), "r1-a")
    assert list(f["text"]) == ["Mehr Spielplätze"]
    assert f["station"].iloc[0] == "Familie"


def test_feedback_haeufigkeit_normalises():
    fb = pd.DataFrame(
        {
            "veranstaltung_id": ["e"] * 7 + ["x"],
            "wort": [
                "informativ",
                "Informativ ",
                "informativ!",
                "gute_Vernetzung",
                "gute  Vernetzung",
                "Spannend",
                "  ",
                "informativ",
            ],
            "erfunden": True,
        }
    )
    h = events.feedback_haeufigkeit(fb, "e")
    assert list(h["wort"]) == ["informativ", "gute Vernetzung", "Spannend"]
    assert list(h["anzahl"]) == [3, 2, 1]
    assert h["anteil"].iloc[0] == pytest.approx(50.0)
    assert events.feedback_haeufigkeit(fb, "none").empty


def _he():
    return pd.DataFrame(
        {
            "he_id": ["he-2", "he-1", "he-3", "he-9"],
            "sozialraum_id": ["1", "1", "1", "2"],
            "handlungsfeld": ["Familie", "Familie", "Arbeit", "Arbeit"],
            "titel": ["B", "A", "C", "D"],
            "zustaendig": ["x", "x", "y", "z"],
            "quartier_ids": [["01", "02"], [], ["03"], []],
            "status": ["umgesetzt", "offen", "umgesetzt", "offen"],
            "status_datum": pd.to_datetime(["2023-02-01"] * 4),
            "erfunden": True,
        }
    )


def test_handlungsempfehlungen_and_status():
    q = pd.DataFrame({"quartier_id": ["01", "02", "03"], "quartier": ["Nord", "Süd", "West"]})
    he = events.handlungsempfehlungen(_he(), "1", q)
    assert list(he["he_id"]) == ["he-3", "he-1", "he-2"]
    assert list(he["quartiere_text"]) == ["West", "ganzer Sozialraum", "Nord, Süd"]
    st = events.status_zaehlung(he)
    assert list(st["status"]) == list(events.STATUS_REIHENFOLGE)
    assert list(st["anzahl"]) == [1, 0, 2, 0]


def test_status_zaehlung_keeps_unknown_status():
    he = _he().assign(status=["offen", "pausiert", "offen", "offen"])
    st = events.status_zaehlung(he)
    assert list(st["status"])[-1] == "pausiert"
    assert st["anzahl"].sum() == 4


def test_extreme_ranks_by_interval_so_few_dots_do_not_win():
    bk = pd.DataFrame(
        {
            "angebot": ["Wenige", "Viele", "Unbekannt-wenig", "Unbekannt-viel"],
            "unterdrueckt": [False] * 4,
            "anteil_ja": [100.0, 95.0, 0.0, 5.0],
        }
    )
    n = [4, 22, 4, 40]
    ja = [4, 21, 0, 2]
    bounds = [events.wilson(j, k) for j, k in zip(ja, n, strict=True)]
    bk["ki_unten"] = [b[0] for b in bounds]
    bk["ki_oben"] = [b[1] for b in bounds]
    ex = events.extreme(bk)
    assert list(ex["hoechst"]["angebot"]) == ["Viele"]
    assert list(ex["niedrigst"]["angebot"]) == ["Unbekannt-viel"]


def test_geschuetzte_punkte_are_the_dots_of_withheld_offers(abstimmungen):
    args = (_fragen(), _veranstaltungen())
    assert events.geschuetzte_punkte(abstimmungen, *args, "r2-a", 3) == 2  # Integrationszentrum
    assert events.geschuetzte_punkte(abstimmungen, *args, "r2-b", 3) == 0
    assert events.geschuetzte_punkte(abstimmungen, *args, "r2-c", 3) == 1  # KIM, 1 of 1
    assert events.geschuetzte_punkte(abstimmungen, *args, "r2-a", 2) == 0  # nothing withheld


@pytest.mark.parametrize("mind", [1, 2, 3, 5, 20, 24])
def test_no_published_n_is_small_and_the_total_minus_the_published_is_the_withheld(
    abstimmungen, mind
):
    """The rule (docs/methodik.md): every published n is >= mindeststimmen; what a dot total
    minus the published n would reveal is exactly what geschuetzte_punkte reports."""
    for vid in ("r2-a", "r2-b", "r2-c"):
        bk = _bk(abstimmungen, vid=vid, mind=mind)
        shown = bk[~bk["unterdrueckt"]]
        assert (shown["n"] >= mind).all()
        assert (shown["ja"] + shown["nein"] == shown["n"]).all()
        hidden = bk[bk["unterdrueckt"]]
        assert hidden[["ja", "nein", "n"]].isna().all().all()
        assert hidden[["anteil_ja", "ki_unten", "ki_oben"]].isna().all().all()
        total = int(abstimmungen.loc[abstimmungen["veranstaltung_id"] == vid, "anzahl"].sum())
        rest = total - int(shown["n"].sum())
        assert rest == events.geschuetzte_punkte(
            abstimmungen, _fragen(), _veranstaltungen(), vid, mind
        )
