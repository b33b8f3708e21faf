"""Every number in "Auf einen Blick" is a value of the table its sentence sums up.

Text and tables must never disagree: each sentence of the summary is rendered from the sample
data, its numbers are read back (German format) and each is looked up among the values of the
frame the report shows for that part (index table, indicator table, event key facts, awareness,
channel and feedback counts, recommendations), formatted as the page formats them.
"""

import re

import pytest

from sozialraum.compute import events
from sozialraum.compute.store import prepare
from sozialraum.fmt import fmt_date, fmt_int, fmt_num
from sozialraum.present import narrative

DATUM = re.compile(r"\b\d{2}\.\d{2}\.\d{4}\b")
ZAHL = re.compile(r"(?<![\w,.])\d{1,3}(?:\.\d{3})*(?:,\d+)?(?![\w])|(?<![\w,.])\d+(?:,\d+)?")


def zahlen(satz: str) -> list[str]:
    """Dates and numbers of a German sentence, as written (quoted names left out)."""
    ohne_zitate = re.sub(r"„[^“]*“", "", satz)
    daten = DATUM.findall(ohne_zitate)
    rest = DATUM.sub(" ", ohne_zitate)
    return daten + ZAHL.findall(rest)


def test_german_numbers_are_read_back():
    satz = "Am 28.09.2023 nahmen 1.234 Personen teil; 18,7 % (von 6 in „Runde 2“)."
    assert zahlen(satz) == ["28.09.2023", "1.234", "18,7", "6"]


def _formen(werte) -> set[str]:
    """A value as the page may write it: count, one decimal, rounded to a whole percent."""
    out = set()
    for v in werte:
        if v is None or v != v:  # missing
            continue
        v = float(v)
        out |= {fmt_int(round(v)), fmt_num(v, 1), fmt_num(abs(v), 1), fmt_num(v, 0)}
    return out


@pytest.fixture(scope="module")
def sample(cfg):
    return prepare(cfg)


@pytest.mark.parametrize("slug", ["osterfeld", "sterkrade-nord", "alstaden-lirich"])
def test_every_number_of_the_summary_is_in_its_table(cfg, sample, slug):
    sr = cfg.sozialraum(slug)
    inputs, result = sample.inputs, sample.result
    ctx = narrative.build_context(cfg, inputs, result, sr.id)
    saetze = dict(narrative.benannte_saetze(ctx))
    jahre = {str(cfg.methode.berichtsjahr), str(cfg.methode.vergleichsjahr)}

    # the frames each sentence comes from, as the report shows them
    ix = result.index[result.index["sozialraum_id"].astype(str) == str(sr.id)]
    klassen = ix["status_klasse"].value_counts()
    bewertet = ix["status_klasse"].isin(cfg.methode.status.labels)
    dyn = ix["dynamik_klasse"].value_counts() if "dynamik_klasse" in ix else klassen.iloc[:0]
    status = _formen([*klassen, bewertet.sum(), (~bewertet).sum(), *dyn])

    gebiete = narrative._gebiete(cfg, inputs, result, sr.id, sr.name)
    lead = gebiete[gebiete["indikator"] == cfg.indikatoren[0].id]
    anteile = list(lead["anteil"].dropna())
    stadt = lead[(lead["ebene"] == "stadt") & (lead["jahr"] == cfg.methode.berichtsjahr)]
    # differences the text states: a Quartier's share against the city's, one year to the next
    diffs = [a - float(stadt["anteil"].iloc[0]) for a in anteile] + [
        a - b for a in anteile for b in anteile
    ]
    indikator = _formen(anteile + diffs) | jahre

    k = events.kennzahlen(inputs.veranstaltungen, inputs.stationen, sr.id)
    vid = k["veranstaltung_id"]
    ev = inputs.veranstaltungen[inputs.veranstaltungen["veranstaltung_id"] == vid].iloc[0]
    st = inputs.stationen[inputs.stationen["runde"] == ev["runde"]]
    veranstaltung = _formen([ev["teilnehmende"], ev["institutionen"], len(st)]) | {
        fmt_date(ev["datum"], ev.get("datum_genauigkeit") or "tag")
    }
    bk = events.bekanntheit(
        inputs.abstimmungen,
        inputs.angebote,
        inputs.stationen,
        inputs.fragen,
        inputs.veranstaltungen,
        vid,
        cfg.methode.mindeststimmen,
    )
    bekanntheit = _formen(bk["anteil_ja"].dropna()) | _formen([len(bk)])
    kodiert = events.karten_kodiert(
        inputs.karten, inputs.fragen, inputs.stationen, inputs.kanalregeln, vid
    )
    h = events.kanal_haeufigkeit(kodiert)
    kanal = _formen([*h["anzahl"], *h.groupby("frage_id")["anzahl"].sum()])
    fb = events.feedback_haeufigkeit(inputs.feedback, vid)
    feedback = _formen([*fb["anzahl"], fb["anzahl"].sum(), len(fb)])
    he = events.handlungsempfehlungen(inputs.handlungsempfehlungen, sr.id)
    handlung = _formen([*he["status"].value_counts(), len(he)]) | {
        fmt_date(d) for d in he["status_datum"].dropna()
    }

    quellen = {
        "status": status,
        "leitindikator": indikator,
        "trend": indikator | status,  # its last clause counts the worst dynamics class
        "veranstaltung": veranstaltung,
        "bekanntheit": bekanntheit,
        "kanal": kanal,
        "feedback": feedback,
        "handlungsempfehlungen": handlung,
    }
    assert set(saetze) == set(quellen), saetze  # the sample has every sentence
    for name, satz in saetze.items():
        gefunden = zahlen(satz)
        assert gefunden, satz  # every sentence of the sample states a number
        fremd = [z for z in gefunden if z not in quellen[name]]
        assert not fremd, f"{name}: {fremd} nicht in der Tabelle – {satz}"
