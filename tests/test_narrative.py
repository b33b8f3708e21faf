import copy
import datetime as dt
import re
from types import SimpleNamespace

import pandas as pd
import pytest

from sozialraum.config import Begriff, Veranstaltungsart
from sozialraum.present import indikatortabellen, narrative, narrative_stadt

BASE = {
    "sozialraum": "Alstaden/Lirich",
    "stadt": "Musterstadt",
    "berichtsjahr": 2023,
    "vergleichsjahr": 2020,
    "veranstaltungsart": Veranstaltungsart(
        name="Expert*innendialog", mehrzahl="Expert*innendialoge", genus="m"
    ),
    "status": {
        "n_quartiere": 3,
        "n_bewertet": 3,
        "n_nicht_bewertet": 0,
        "klassen": [{"label": "sehr niedrig", "n": 1}, {"label": "niedrig", "n": 1}],
        "alle_klassen": [{"label": "sehr niedrig", "n": 1}, {"label": "niedrig", "n": 1}],
        "n_auffaellig": 2,
        "dynamik_label": "negativ",
        "n_dynamik_bewertet": 3,
        "n_dynamik_schlecht": 1,
        "dynamik_quartiere": ["Lirich-Süd"],
    },
    "leitindikator": {
        "id": "sgb2",
        "kurz": "SGB II",
        "label": "SGB-II-Quote",
        "jahr": 2023,
        "sozialraum_anteil": 19.04,
        "stadt_anteil": 17.1,
        "n_quartiere": 3,
        "hoechst_quartiere": ["Lirich-Süd"],
        "hoechst_anteil": 25.3,
        "hoechst_differenz": 8.2,
    },
    "trend": {
        "kurz": "SGB II",
        "label": "SGB-II-Quote",
        "von": 2020,
        "bis": 2023,
        "sozialraum_von": 18.0,
        "sozialraum_bis": 19.2,
        "sozialraum_diff": 1.2,
        "sozialraum_richtung": "gestiegen",
        "stadt_diff": -0.4,
        "stadt_richtung": "gesunken",
    },
    "veranstaltung": {
        "veranstaltung_id": "x",
        "runde": 2,
        "datum": dt.date(2023, 9, 6),
        "datum_genauigkeit": "tag",
        "datum_text": "06.09.2023",
        "format": "World-Café",
        "teilnehmende": 88,
        "institutionen": 38,
        "dauer_minuten": 75,
        "stationen": 13,
        "station_art": "Themeninsel",
        "station_art_plural": "Themeninseln",
    },
    "bekanntheit": {
        "n_angebote": 30,
        "n_ausgewiesen": 28,
        "n_unterdrueckt": 2,
        "hoechst": ["Jobcenter"],
        "hoechst_anteil": 87.0,
        "niedrigst": ["Geoportale"],
        "niedrigst_anteil": 12.0,
    },
    "kanal": [
        {"frage": "Wie bekannter machen?", "n_karten": 40, "top": ["Kita/Schule"], "top_n": 12},
        {"frage": "Woher kennen Sie uns?", "n_karten": 5, "top": [], "top_n": 0},
    ],
    "feedback": {"n_nennungen": 91, "n_verschieden": 40, "top": ["informativ"], "top_n": 14},
    "handlungsempfehlungen": {
        "n": 7,
        "umgesetzt": 2,
        "in_umsetzung": 3,
        "offen": 2,
        "zurueckgestellt": 0,
        "stand": "15.02.2023",
    },
}


def _ctx(**changes):
    ctx = copy.deepcopy(BASE)
    for path, value in changes.items():
        *head, last = path.split("__")
        target = ctx
        for key in head:
            target = target[key]
        target[last] = value
    return ctx


def _sentence(ctx, start):
    hits = [s for s in narrative.summary(ctx) if s.startswith(start)]
    assert len(hits) == 1, narrative.summary(ctx)
    return hits[0]


#: a sentence ends at ".", "!" or "?" before a capital or an opening quote (dates like
#: 06.09.2023 and "z. B." do not match)
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-ZÄÖÜ„]|$)")


def _count_sentences(items: list[str]) -> int:
    return sum(len(_SENTENCE_END.findall(item)) for item in items)


def test_full_summary_has_eight_clean_sentences():
    out = narrative.summary(BASE)
    assert len(out) == 8
    assert _count_sentences(out) == 8, "one sentence an item, 4-8 in all"
    for s in out:
        assert s.endswith("."), s
        assert "  " not in s and " ," not in s and " ." not in s, s
        assert not re.search(r"[{}]|\bNone\b|\bnan\b", s), s


def test_status_sentence_variants():
    assert _sentence(BASE, "In Alstaden") == (
        "In Alstaden/Lirich hat 1 Sozialquartier den Status „sehr niedrig“ und 1 Sozialquartier "
        "den Status „niedrig“ (von 3 bewerteten Sozialquartieren)."
    )
    none = _ctx(status__klassen=[], status__n_auffaellig=0)
    assert _sentence(none, "Keines") == (
        "Keines der 3 Sozialquartiere in Alstaden/Lirich hat den Status „sehr niedrig“ oder "
        "„niedrig“."
    )
    two = _ctx(
        status__klassen=[{"label": "niedrig", "n": 2}],
        status__n_auffaellig=2,
        status__n_bewertet=2,
        status__n_nicht_bewertet=1,
    )
    assert _sentence(two, "In Alstaden") == (
        "In Alstaden/Lirich haben 2 Sozialquartiere den Status „niedrig“ – das sind alle 2 "
        "bewerteten Sozialquartiere. 1 Sozialquartier ist nicht in den Sozialindex eingegangen."
    )


def test_leitindikator_sentence_variants():
    assert _sentence(BASE, "Beim Indikator") == (
        "Beim Indikator „SGB-II-Quote“ liegt der Sozialraum Alstaden/Lirich 2023 bei 19,0 % "
        "(Stadt Musterstadt: 17,1 %); den höchsten Wert hat das Sozialquartier Lirich-Süd mit "
        "25,3 %, 8,2 Prozentpunkte über dem städtischen Wert."
    )
    tie_below = _ctx(
        leitindikator__hoechst_quartiere=["A", "B"],
        leitindikator__hoechst_anteil=16.0,
        leitindikator__hoechst_differenz=-1.1,
    )
    assert (
        "den höchsten Wert haben die Sozialquartiere A und B mit je 16,0 %, 1,1 Prozentpunkte "
        "unter dem"
    ) in (_sentence(tie_below, "Beim Indikator"))
    one_quartier = _ctx(leitindikator__n_quartiere=1)
    assert "höchsten" not in _sentence(one_quartier, "Beim Indikator")


def test_trend_sentence_variants():
    s = _sentence(BASE, "Seit dem Sozialbericht")
    assert s == (
        "Seit dem Sozialbericht 2020 ist dieser Anteil in Alstaden/Lirich um 1,2 Prozentpunkte "
        "gestiegen (von 18,0 % auf 19,2 %), in der Stadt insgesamt dagegen um 0,4 Prozentpunkte "
        "gesunken; die Dynamikklasse „negativ“ hat 1 Sozialquartier: Lirich-Süd."
    )
    same = _ctx(
        trend__stadt_diff=0.8, trend__stadt_richtung="gestiegen", status__n_dynamik_schlecht=0
    )
    s = _sentence(same, "Seit dem Sozialbericht")
    assert "in der Stadt insgesamt um 0,8 Prozentpunkte;" in s
    assert s.endswith("; kein Sozialquartier hat die Dynamikklasse „negativ“.")
    assert _count_sentences([s]) == 1
    flat = _ctx(trend__sozialraum_richtung="gleich", trend__stadt_richtung="gleich")
    assert "nahezu unverändert geblieben (19,2 %), ebenso in der Stadt insgesamt;" in _sentence(
        flat, "Seit dem Sozialbericht"
    )
    no_dynamics = _ctx(status__n_dynamik_bewertet=0)
    assert _sentence(no_dynamics, "Seit dem Sozialbericht").endswith(
        "um 0,4 Prozentpunkte gesunken."
    )


def test_event_name_and_its_gender_come_from_the_config():
    konferenz = Veranstaltungsart(
        name="Sozialraumkonferenz", mehrzahl="Sozialraumkonferenzen", genus="f"
    )
    assert _sentence(_ctx(veranstaltungsart=konferenz), "An der") == (
        "An der Sozialraumkonferenz am 06.09.2023 nahmen 88 Teilnehmende aus 38 Institutionen "
        "teil; das Format „World-Café“ umfasste 13 Themeninseln."
    )
    unknown = _ctx(veranstaltungsart=konferenz, veranstaltung__teilnehmende=None)
    assert _sentence(unknown, "Für die Sozialraumkonferenz am 06.09.2023 ist die Zahl")
    none_yet = _ctx(veranstaltungsart=konferenz, veranstaltung=None)
    assert "Für Alstaden/Lirich ist noch keine Sozialraumkonferenz erfasst." in narrative.summary(
        none_yet
    )
    forum = Veranstaltungsart(name="Stadtteilforum", mehrzahl="Stadtteilforen", genus="n")
    assert _sentence(_ctx(veranstaltungsart=forum), "Am Stadtteilforum am 06.09.2023 nahmen")


def test_veranstaltung_sentence_variants():
    assert _sentence(BASE, "Am Expert") == (
        "Am Expert*innendialog am 06.09.2023 nahmen 88 Teilnehmende aus 38 Institutionen teil; "
        "das Format „World-Café“ umfasste 13 Themeninseln."
    )
    month = _ctx(
        veranstaltung__datum=dt.date(2019, 11, 1),
        veranstaltung__datum_genauigkeit="monat",
        veranstaltung__institutionen=None,
        veranstaltung__format=None,
        veranstaltung__stationen=1,
        veranstaltung__station_art="Thementisch",
    )
    assert _sentence(month, "Am Expert") == (
        "Am Expert*innendialog im November 2019 nahmen 88 Teilnehmende teil; die Veranstaltung "
        "umfasste 1 Thementisch."
    )
    unknown = _ctx(veranstaltung__teilnehmende=None, veranstaltung__station_art_plural=None)
    assert _sentence(unknown, "Für den") == (
        "Für den Expert*innendialog am 06.09.2023 ist die Zahl der Teilnehmenden nicht erfasst; "
        "das Format „World-Café“ umfasste 13 Stationen."
    )
    assert "Für Alstaden/Lirich ist noch kein Expert*innendialog erfasst." in narrative.summary(
        _ctx(veranstaltung=None)
    )


def test_bekanntheit_sentence_variants():
    assert _sentence(BASE, "Am bekanntesten") == (
        "Am bekanntesten war das Angebot „Jobcenter“ (87 % „JA“), am wenigsten bekannt das "
        "Angebot „Geoportale“ (12 % „JA“)."
    )
    ties = _ctx(bekanntheit__hoechst=["A", "B"], bekanntheit__niedrigst=["C", "D", "E"])
    assert _sentence(ties, "Am bekanntesten") == (
        "Am bekanntesten waren die Angebote „A“ und „B“ (je 87 % „JA“), am wenigsten bekannt die "
        "Angebote „C“, „D“ und „E“ (je 12 % „JA“)."
    )
    nothing = _ctx(bekanntheit__n_ausgewiesen=0, bekanntheit__hoechst=[], bekanntheit__niedrigst=[])
    assert _sentence(nothing, "Für keines") == (
        "Für keines der 30 Angebote kamen genug Klebepunkte zusammen, um die Bekanntheit "
        "auszuweisen."
    )
    assert not any(
        s.startswith("Am bekanntesten") for s in narrative.summary(_ctx(bekanntheit=None))
    )


def test_kanal_feedback_he_variants():
    assert _sentence(BASE, "Am häufigsten genannt") == (
        "Am häufigsten genannt auf den Moderationskarten zur Frage „Wie bekannter machen?“: "
        "„Kita/Schule“ (12 von 40 Karten); zur Frage „Woher kennen Sie uns?“: kein zuordenbarer "
        "Kanal (5 Karten)."
    )
    assert _sentence(BASE, "Im Feedback") == (
        "Im Feedback wurde am häufigsten „informativ“ genannt (14 von 91 Nennungen)."
    )
    tie = _ctx(feedback__top=["gut", "toll"], feedback__top_n=9)
    assert "wurden am häufigsten „gut“ und „toll“ genannt (je 9 von 91" in _sentence(tie, "Im")
    flat = _ctx(feedback__top=["a", "b"], feedback__top_n=1, feedback__n_verschieden=2)
    assert (
        _sentence(flat, "Im")
        == "Im Feedback wurden 2 verschiedene Wörter genannt, keines davon mehrfach."
    )
    assert _sentence(BASE, "Von den 7") == (
        "Von den 7 Handlungsempfehlungen für Alstaden/Lirich sind 2 umgesetzt, 3 weitere sind in "
        "Umsetzung (Stand: 15.02.2023)."
    )
    one = _ctx(handlungsempfehlungen__umgesetzt=1, handlungsempfehlungen__in_umsetzung=1)
    assert "ist 1 umgesetzt, 1 weitere ist in Umsetzung" in _sentence(one, "Von den 7")
    zero = _ctx(handlungsempfehlungen__umgesetzt=0, handlungsempfehlungen__in_umsetzung=0)
    assert "ist noch keine umgesetzt; keine ist derzeit in Umsetzung" in _sentence(zero, "Von den")
    assert _sentence(_ctx(handlungsempfehlungen__n=0), "Für Alstaden") == (
        "Für Alstaden/Lirich liegen keine Handlungsempfehlungen vor."
    )


def test_summary_html_escapes():
    html = narrative.summary_html(["„<script>alert(1)</script>“ & mehr"])
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&amp; mehr" in html


def test_templates_exist_for_every_sentence():
    for name in narrative.SAETZE:
        assert (narrative.TEMPLATE_DIR / f"{name}.txt.j2").is_file()


# -- context from frames ---------------------------------------------------------------------
def _index():
    return pd.DataFrame(
        {
            "quartier_id": ["01", "02", "03", "04", "09"],
            "quartier": ["Nord", "Süd", "West", "Klein", "Fremd"],
            "sozialraum_id": ["1", "1", "1", "1", "2"],
            "status_klasse": ["sehr niedrig", "niedrig", "hoch", "nicht bewertet", "sehr niedrig"],
            "dynamik_klasse": ["negativ", "stabil", "negativ", "nicht bewertet", "negativ"],
            "ausgeschlossen": [False, False, False, True, False],
        }
    )


def test_status_kontext_follows_config_labels(cfg):
    s = narrative.status_kontext(cfg, _index(), "1")
    assert s["n_quartiere"] == 4 and s["n_bewertet"] == 3 and s["n_nicht_bewertet"] == 1
    assert s["alle_klassen"] == [{"label": "sehr niedrig", "n": 1}, {"label": "niedrig", "n": 1}]
    assert s["n_auffaellig"] == 2
    assert s["dynamik_label"] == "negativ" and s["n_dynamik_schlecht"] == 2
    assert s["dynamik_quartiere"] == ["Nord", "West"]
    assert narrative.status_kontext(cfg, _index(), "7") is None


def test_status_kontext_without_change_data_has_no_dynamics_clause(cfg):
    methode = cfg.methode.model_copy(update={"dynamik": None, "vergleichsjahr": None})
    ohne = cfg.model_copy(update={"methode": methode})
    index = _index().drop(columns="dynamik_klasse")  # compute_index leaves it out
    s = narrative.status_kontext(ohne, index, "1")
    mit = narrative.status_kontext(cfg, _index(), "1")
    assert s["alle_klassen"] == mit["alle_klassen"] and s["n_bewertet"] == mit["n_bewertet"]
    assert s["n_dynamik_bewertet"] == 0 and s["dynamik_label"] is None
    assert narrative.trend_kontext(ohne, _gebiete(cfg)) is None
    assert "Dynamikklasse" in " ".join(narrative.summary({**_ctx(), "status": mit}))
    # the dynamics clause goes even beside a change sentence, and with it the change sentence
    assert "Dynamik" not in " ".join(narrative.summary({**_ctx(), "status": s}))
    text = " ".join(narrative.summary({**_ctx(), "status": s, "trend": None}))
    assert "Dynamik" not in text and "Seit dem" not in text


def _gebiete(cfg):
    rows = []
    values = {
        ("quartier", "01", "Nord"): [10.0, 11.0, 12.0],
        ("quartier", "02", "Süd"): [20.0, 22.0, 25.34],
        ("sozialraum", "1", "Mitte"): [15.0, 16.0, 17.0],
        ("stadt", "stadt", "Musterstadt"): [14.0, 15.0, 14.6],
    }
    for (ebene, gid, name), vals in values.items():
        for year, v in zip(cfg.methode.jahre, vals, strict=True):
            rows.append((ebene, gid, name, year, cfg.indikatoren[0].id, v, False))
    return pd.DataFrame(
        rows,
        columns=["ebene", "gebiet_id", "gebiet", "jahr", "indikator", "anteil", "unterdrueckt"],
    )


def test_leitindikator_and_trend_kontext(cfg):
    g = _gebiete(cfg)
    leit = narrative.leitindikator_kontext(cfg, g)
    assert leit["sozialraum_anteil"] == 17.0 and leit["stadt_anteil"] == 14.6
    assert leit["hoechst_quartiere"] == ["Süd"]
    assert leit["hoechst_differenz"] == pytest.approx(25.34 - 14.6)
    t = narrative.trend_kontext(cfg, g)
    assert t["sozialraum_diff"] == pytest.approx(1.0) and t["sozialraum_richtung"] == "gestiegen"
    assert t["stadt_diff"] == pytest.approx(-0.4) and t["stadt_richtung"] == "gesunken"
    # a withheld Quartier value must not be named as the highest
    g.loc[(g["gebiet"] == "Süd") & (g["jahr"] == 2023), ["anteil", "unterdrueckt"]] = [None, True]
    assert narrative.leitindikator_kontext(cfg, g)["hoechst_quartiere"] == ["Nord"]


def test_build_context_end_to_end_from_frames(cfg):
    from test_events import (
        REGELN,
        _angebote,
        _fragen,
        _he,
        _karten,
        _stationen,
        _veranstaltungen,
        _votes,
    )

    inputs = SimpleNamespace(
        veranstaltungen=_veranstaltungen().assign(sozialraum_id=["1", "1", "2", "3"]),
        stationen=_stationen(),
        angebote=_angebote(),
        fragen=_fragen(),
        abstimmungen=_votes(
            [
                ("r2-a", "s-job", "jc", "JA", 20),
                ("r2-a", "s-job", "jc", "NEIN", 3),
                ("r2-a", "s-int", "kim", "JA", 2),
                ("r2-a", "s-int", "kim", "NEIN", 15),
            ]
        ),
        karten=_karten(),
        feedback=pd.DataFrame(
            {"veranstaltung_id": ["r2-a"] * 3, "wort": ["gut", "Gut", "<b>x</b>"]}
        ),
        handlungsempfehlungen=_he(),
        kanalregeln=REGELN,
    )
    result = SimpleNamespace(index=_index())
    sr = cfg.sozialraeume[0]
    ctx = narrative.build_context(cfg, inputs, result, sr.id, gebiete=_gebiete(cfg))
    assert ctx["sozialraum"] == sr.name and ctx["stadt"] == cfg.stadt.name
    assert ctx["veranstaltung"]["teilnehmende"] == 88
    assert ctx["bekanntheit"]["hoechst"] == ["Jobcenter"]
    assert ctx["feedback"]["top"] == ["Gut"] and ctx["feedback"]["top_n"] == 2
    assert ctx["handlungsempfehlungen"]["n"] == 3
    out = narrative.summary(ctx)
    assert 4 <= len(out) <= 8
    text = " ".join(out)
    assert "88 Teilnehmende" in text
    assert "„Jobcenter“ (87 % „JA“)" in text
    # one card each for two channels: no channel stands out; one card alone is named
    assert "Wie kann das Angebot bekannter gemacht werden?“: kein Kanal mehrfach (3 Karten)" in text
    assert "„Woher kennen Sie uns?“: „Mundpropaganda“ (1 Karte)." in text
    assert "Von den 3 Handlungsempfehlungen" in text
    assert not re.search(r"\{\{|\{%", text)
    html = narrative.summary_html(out)
    assert "<b>" not in html


def test_gebiete_werte_feeds_context(cfg):
    """The frame from indikatortabellen.gebiete_werte is what leitindikator_kontext expects."""
    werte = pd.DataFrame(
        {
            "quartier_id": ["01"] * 3,
            "jahr": cfg.methode.jahre,
            "indikator": cfg.indikatoren[0].id,
            "anteil": [1.0, 2.0, 3.0],
            "unterdrueckt": False,
        }
    )
    quartiere = pd.DataFrame({"quartier_id": ["01"], "quartier": ["Nord"], "sozialraum_id": ["1"]})
    agg = werte.drop(columns="quartier_id")
    g = indikatortabellen.gebiete_werte(
        werte,
        quartiere,
        "1",
        agg.assign(sozialraum_id="1"),
        agg,
        sozialraum_name="M",
        stadt_name="S",
    )
    leit = narrative.leitindikator_kontext(cfg, g)
    assert leit["sozialraum_anteil"] == 3.0 and leit["hoechst_quartiere"] == ["Nord"]


# -- city-wide summary --------------------------------------------------------------------------
def _stadt_ctx(n_low: int, top: list[str]) -> dict:
    return {
        "berichtsjahr": 2023,
        "stadt": "Musterstadt",
        "status": {
            "n": n_low,
            "klassen": ["niedrig", "sehr niedrig"],
            "einwohner": 1234.0 * n_low,
            "einwohner_stadt": 20000.0,
            "anteil": 100 * 1234.0 * n_low / 20000,
        },
        "schwerpunkt": {"sozialraeume": top, "n": 2} if n_low else None,
        "handlungsempfehlungen": {"n": 1, "umgesetzt": 1, "in_umsetzung": 0},
    }


def test_stadt_summary_singular_and_plural():
    one = narrative_stadt.stadt_summary(_stadt_ctx(1, ["Nord"]))
    assert one[0].startswith("1 Sozialquartier hat einen Status „niedrig“ oder „sehr niedrig“")
    assert "in ihm leben 1.234 von 20.000 Einwohner*innen (6,2 %)" in one[0]
    assert one[1] == "Die meisten davon liegen im Sozialraum Nord (2 Sozialquartiere)."
    assert one[-1] == "Von 1 Handlungsempfehlung ist 1 umgesetzt und 0 in Umsetzung."
    many = narrative_stadt.stadt_summary(_stadt_ctx(3, ["Nord", "Süd"]))
    assert many[0].startswith("3 Sozialquartiere haben") and "in ihnen leben" in many[0]
    assert "in den Sozialräumen Nord und Süd (je 2 Sozialquartiere)" in many[1]


def test_stadt_summary_without_low_status():
    text = narrative_stadt.stadt_summary(_stadt_ctx(0, []))
    assert text[0] == "Kein Sozialquartier hat einen Status „niedrig“ oder „sehr niedrig“."
    assert not any("Die meisten davon" in t for t in text)


def test_published_change_names_its_period_not_an_earlier_report():
    pub = _ctx(trend__veroeffentlicht=True, trend__von=2018, trend__bis=2020)
    s = _sentence(pub, "Von 2018 bis 2020")
    assert s.startswith("Von 2018 bis 2020 ist dieser Anteil in Alstaden/Lirich um 1,2 ")
    assert "veröffentlichte Veränderung" in s
    assert "Sozialbericht" not in s and "von 18,0 %" not in s  # no share of 2018 exists


def test_the_city_s_own_nouns_and_genders_in_every_sentence():
    from sozialraum.config import Begriff

    bezirk = Begriff(name="Bezirk", mehrzahl="Bezirke", genus="m")
    plr = Begriff(name="Planungsraum", mehrzahl="Planungsräume", genus="m")
    ctx = _ctx(status__klassen=[], status__n_auffaellig=0, status__n_dynamik_schlecht=0)
    ctx |= {
        "einheit": bezirk,
        "gebiet": plr,
        "index_name": "Index Soziale Ungleichheit",
        "reihe": "Monitoring Soziale Stadtentwicklung",
        "mit_veranstaltungen": False,
        "veranstaltung": None,
        "handlungsempfehlungen": None,
    }
    ctx["status"]["n_nicht_bewertet"] = 1
    text = " ".join(narrative.summary(ctx))
    assert "Keiner der 3 Planungsräume in Alstaden/Lirich hat den Status" in text
    assert "1 Planungsraum ist nicht in den Index Soziale Ungleichheit eingegangen" in text
    assert "kein Planungsraum hat die Dynamikklasse" in text
    assert not re.search("Sozialr|Sozialq|Quartier|Sozialindex|Veranstaltung|erfasst", text), text
    stadt = narrative_stadt.stadt_summary(
        {
            "berichtsjahr": 2020,
            "stadt": "Berlin",
            "einheit": bezirk,
            "gebiet": plr,
            "status": {
                "n": 2,
                "klassen": ["niedrig"],
                "einwohner": 10.0,
                "einwohner_stadt": 100.0,
                "anteil": 10.0,
            },
            "schwerpunkt": {"sozialraeume": ["Mitte", "Neukölln"], "n": 1},
        }
    )
    assert stadt[0].startswith("2 Planungsräume haben einen Status „niedrig“")
    assert (
        stadt[1]
        == "Die meisten davon liegen in den Bezirken Mitte und Neukölln (je 1 Planungsraum)."
    )


def test_leitindikator_sentence_names_areas_with_noun_and_article():
    """ "den höchsten Wert hat Innenstadt" is wrong German: the noun carries the article."""
    ctx = _ctx(leitindikator__hoechst_quartiere=["Innenstadt"], sozialraum="Mitte")
    s = _sentence(ctx, "Beim Indikator")
    assert "liegt der Sozialraum Mitte 2023 bei" in s
    assert "den höchsten Wert hat das Sozialquartier Innenstadt mit" in s
    berlin = _ctx(
        leitindikator__hoechst_quartiere=["Unter den Linden", "Moabit West"], sozialraum="Mitte"
    )
    berlin["einheit"] = Begriff(name="Bezirk", mehrzahl="Bezirke", genus="m")
    berlin["gebiet"] = Begriff(name="Planungsraum", mehrzahl="Planungsräume", genus="m")
    s = _sentence(berlin, "Beim Indikator")
    assert "liegt der Bezirk Mitte 2023 bei" in s
    assert "den höchsten Wert haben die Planungsräume Unter den Linden und Moabit West mit je" in s
    # without the Sozialraum's own share the sentence names the area as subject, too
    ohne = _ctx(
        leitindikator__sozialraum_anteil=None, leitindikator__hoechst_quartiere=["Innenstadt"]
    )
    assert "hat in Alstaden/Lirich das Sozialquartier Innenstadt 2023 den höchsten Wert" in (
        _sentence(ohne, "Beim Indikator")
    )


def test_a_middle_status_class_is_not_counted_among_the_low_ones(cfg):
    drei = ["überdurchschnittlich", "durchschnittlich", "unterdurchschnittlich"]
    assert narrative.schlechte_haelfte(drei) == ["unterdurchschnittlich"]
    assert narrative.schlechte_haelfte(["a", "b", "c", "d"]) == ["c", "d"]
    assert narrative.schlechte_haelfte(["a", "b", "c", "d", "e"]) == ["d", "e"]
    # the city's summary counts the areas of the low classes only
    index = _index().assign(einwohner=1000.0)
    labels = list(cfg.methode.status.labels)
    ctx = narrative_stadt.stadt_kontext(
        cfg,
        SimpleNamespace(veranstaltungen=pd.DataFrame(), handlungsempfehlungen=pd.DataFrame()),
        index,
        pd.DataFrame(columns=["indikator", "jahr", "anteil", "sozialraum_id"]),
        pd.DataFrame(columns=["indikator", "jahr", "anteil"]),
    )
    assert ctx["status"]["n"] == int(index["status_klasse"].isin(labels[2:]).sum())
