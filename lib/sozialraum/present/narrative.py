"""The generated summary "Auf einen Blick": sentences whose every number comes from the data.

Two steps, so that each can be tested alone:

1. :func:`build_context` (and the ``*_kontext`` functions it calls) turns the frames into a
   plain dict of numbers, names and lists — no wording;
2. :func:`summary` renders one Jinja2 template per sentence from ``templates/narrative/`` and
   returns the non-empty sentences as plain text.

All wording lives in the templates, where analysts can change it without touching code; every
case distinction a reader would notice (one or several, none at all, above or below the city)
is made there. The sentences are plain text: :func:`summary_html` escapes them for the report.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import jinja2
import pandas as pd

from sozialraum import grammatik
from sozialraum.compute import events
from sozialraum.config import Begriffe, Config, Veranstaltungsart
from sozialraum.fmt import (
    anzahl,
    aufzaehlung,
    dativ,
    dativ_plural,
    fmt_date,
    fmt_date_text,
    fmt_int,
    fmt_latest_date,
    fmt_pct,
    fmt_pp,
    fmt_pp_text,
    genitiv,
    im,
    keiner,
    plural,
    zitat,
)
from sozialraum.names import benannt
from sozialraum.present.vorlagen import block
from sozialraum.resources import TEMPLATES_DIR

TEMPLATE_DIR = TEMPLATES_DIR / "narrative"
SAETZE = (
    "status",
    "leitindikator",
    "trend",
    "veranstaltung",
    "bekanntheit",
    "kanal",
    "feedback",
    "handlungsempfehlungen",
)
"""The sentences of the summary, in reading order; one template ``<name>.txt.j2`` each."""

#: A change smaller than this (percentage points) reads as "unchanged": it rounds to 0,0.
UNVERAENDERT_PP = 0.05


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------
def _quoted_list(items: Any, und: str = "und") -> str:
    return aufzaehlung([zitat(i) for i in items], und)


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        # Plain-text sentences; escaping happens once, where they are put into HTML.
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(
        {
            "int": fmt_int,
            "pct": fmt_pct,
            "pp": fmt_pp,
            "pp_text": fmt_pp_text,
            "datum": fmt_date,
            "datum_text": fmt_date_text,
            "plural": lambda n, s, p: plural(n, s, p),
            "anzahl": lambda n, s, p: anzahl(n, s, p),
            "liste": aufzaehlung,
            "zitate": _quoted_list,
            "zitat": zitat,
            "genitiv": genitiv,
            "dativ": dativ,
            "dativ_plural": dativ_plural,
            "im": im,
            "keiner": keiner,
            "benannt": benannt,
            "nomen": grammatik.nomen,
            "ohne_artikel": grammatik.ohne_artikel,
            "artikel": grammatik.artikel,
            "am": grammatik.am,
            "gross": grammatik.gross,
        }
    )
    return env


def _begriffe_kontext(cfg: Config | None) -> dict[str, Any]:
    """The city's nouns for the templates; without a config, the default nouns."""
    b = cfg.begriffe if cfg is not None else Begriffe()
    return {
        "einheit": b.einheit,
        "gebiet": b.gebiet,
        "index_name": b.index,
        "reihe": b.reihe,
        "mit_veranstaltungen": cfg.mit_veranstaltungen if cfg is not None else True,
    }


#: What a context without the config's nouns is completed with (the sample city's words).
_STANDARD = _begriffe_kontext(None) | {"veranstaltungsart": Veranstaltungsart()}


def _clean(text: str) -> str:
    """One line, single spaces, no space before punctuation: templates may wrap freely."""
    text = " ".join(text.split())
    text = re.sub(r"\s+([,.;:)])", r"\1", text)
    text = re.sub(r"\(\s+", "(", text)
    return text.strip()


def summary(context: dict[str, Any]) -> list[str]:
    """The sentences of "Auf einen Blick" for one Sozialraum, as plain German text.

    Parameters
    ----------
    context
        As built by :func:`build_context`. Top-level keys ``sozialraum``, ``stadt``,
        ``berichtsjahr`` and ``vergleichsjahr`` are required; the config's nouns (``einheit``,
        ``gebiet``, ``index_name``, ``reihe``, ``veranstaltungsart``) and
        ``mit_veranstaltungen`` default to the sample city's; each section (the names in
        :data:`SAETZE`) may be missing or ``None``.

    Returns
    -------
    list of str
        Non-empty sentences, one an entry (4-8 in a full report), in the order of
        :data:`SAETZE`; not HTML-escaped. A section that is ``None`` is left out, except the
        event: that there was none yet is itself worth saying — unless the city has no events
        at all (``mit_veranstaltungen`` False).
    """
    return [text for _, text in benannte_saetze(context)]


def benannte_saetze(context: dict[str, Any]) -> list[tuple[str, str]]:
    """As :func:`summary`, each sentence with its name from :data:`SAETZE`.

    The report links a sentence to the section it sums up (the open recommendations to theirs),
    so it needs to know which sentence is which.
    """
    ctx = _STANDARD | {name: None for name in SAETZE} | dict(context)
    out = []
    for name in SAETZE:
        text = _clean(_env().get_template(f"{name}.txt.j2").render(**ctx))
        if text:
            out.append((name, text))
    return out


def schlechte_haelfte(labels: Any) -> list[str]:
    """The worse half of the status classes (labels best first), without a middle class.

    With an odd number of classes the middle one ("durchschnittlich", "mittel") is neither good
    nor bad: counted among the low ones it would put average areas under a heading like
    "unterdurchschnittlich". Four classes give the last two, three and five the last one, two.
    """
    labels = list(labels)
    return labels[(len(labels) + 1) // 2 :]


def summary_html(sentences: list[str], verweise: list[dict | None] | None = None) -> str:
    """The sentences as an HTML list, escaped (names and words come from the public's data).

    ``verweise`` holds, per sentence, ``None`` or ``{"href", "text"}``: a link after the
    sentence to the section that tells more (the open recommendations to their table).
    """
    links = list(verweise or []) + [None] * (len(sentences) - len(verweise or []))
    eintraege = [{"text": t, "verweis": v} for t, v in zip(sentences, links, strict=False)]
    return str(block("abbildung.html.j2", "auf_einen_blick", saetze=eintraege))


# --------------------------------------------------------------------------------------------
# Context: numbers and names, no wording
# --------------------------------------------------------------------------------------------
def _names(rows: pd.DataFrame, col: str) -> list[str]:
    return sorted(str(v) for v in rows[col])


def status_kontext(cfg: Config, index: pd.DataFrame, sozialraum_id: str) -> dict[str, Any] | None:
    """How many Quartiere of the Sozialraum fall into the worse half of the status classes.

    The "worse half" is the second half of ``cfg.methode.status.labels`` without a middle class
    (:func:`schlechte_haelfte`; for four classes "niedrig" and "sehr niedrig"), so the sentence
    follows the config, not a fixed label. The
    classes are listed worst first. Also counts the Quartiere in the worst dynamics class
    (none without ``[methode.dynamik]``).
    """
    q = index[index["sozialraum_id"].astype(str) == str(sozialraum_id)]
    if q.empty:
        return None
    labels = list(cfg.methode.status.labels)
    schlecht = schlechte_haelfte(labels)[::-1]
    bewertet = q[q["status_klasse"].isin(labels)]
    klassen = [
        {"label": lab, "n": int((bewertet["status_klasse"] == lab).sum())} for lab in schlecht
    ]
    # without change data no area has a dynamics class: the clause on it is left out
    dyn_labels = list(cfg.methode.dynamik.labels) if cfg.methode.dynamik is not None else []
    dyn_schlecht = dyn_labels[-1] if dyn_labels else None
    dyn_bewertet = q[q["dynamik_klasse"].isin(dyn_labels)] if dyn_labels else q.iloc[:0]
    dyn_rows = q.iloc[:0]
    if dyn_labels:
        dyn_rows = dyn_bewertet[dyn_bewertet["dynamik_klasse"] == dyn_schlecht]
    return {
        "n_quartiere": len(q),
        "n_bewertet": len(bewertet),
        "n_nicht_bewertet": len(q) - len(bewertet),
        "klassen": [k for k in klassen if k["n"] > 0],
        "alle_klassen": klassen,
        "n_auffaellig": sum(k["n"] for k in klassen),
        "dynamik_label": dyn_schlecht,
        "n_dynamik_bewertet": len(dyn_bewertet),
        "n_dynamik_schlecht": len(dyn_rows),
        "dynamik_quartiere": _names(dyn_rows, "quartier") if "quartier" in q.columns else [],
    }


def _wert(d: pd.DataFrame, ebene: str, jahr: int) -> float | None:
    rows = d[(d["ebene"] == ebene) & (d["jahr"] == jahr)]
    rows = rows[~rows["unterdrueckt"].astype(bool)]
    if rows.empty or rows["anteil"].isna().all():
        return None
    return float(rows["anteil"].dropna().iloc[0])


def leitindikator_kontext(cfg: Config, gebiete: pd.DataFrame) -> dict[str, Any] | None:
    """The lead indicator (first of the config) in the Sozialraum, its highest Quartier, the city.

    The first indicator of the config is the one the summary talks about (in the sample config the
    SGB II rate): the config's order expresses its importance. None for a city with only a
    published index (no indicators).
    """
    if not cfg.indikatoren:
        return None
    ind = cfg.indikatoren[0]
    d = gebiete[gebiete["indikator"] == ind.id]
    b = cfg.methode.berichtsjahr
    sr = _wert(d, "sozialraum", b)
    st = _wert(d, "stadt", b)
    q = d[(d["ebene"] == "quartier") & (d["jahr"] == b) & ~d["unterdrueckt"].astype(bool)]
    q = q[q["anteil"].notna()]
    if sr is None and q.empty:
        return None
    top = q[q["anteil"].round(1) == q["anteil"].round(1).max()] if not q.empty else q
    hoechst = float(top["anteil"].iloc[0]) if not top.empty else None
    return {
        "id": ind.id,
        "kurz": ind.kurz,
        "label": ind.label,
        "jahr": b,
        "sozialraum_anteil": sr,
        "stadt_anteil": st,
        "n_quartiere": int(d.loc[d["ebene"] == "quartier", "gebiet_id"].nunique()),
        "hoechst_quartiere": _names(top, "gebiet"),
        "hoechst_anteil": hoechst,
        "hoechst_differenz": (hoechst - st) if (hoechst is not None and st is not None) else None,
    }


def _veraenderung(d: pd.DataFrame, ebene: str, jahr: int) -> float | None:
    """The published change of one level (``veraenderung`` of :func:`gebiete_werte`)."""
    if "veraenderung" not in d.columns:
        return None
    rows = d[(d["ebene"] == ebene) & (d["jahr"] == jahr) & ~d["unterdrueckt"].astype(bool)]
    rows = rows["veraenderung"].dropna()
    return None if rows.empty else float(rows.iloc[0])


def trend_kontext(cfg: Config, gebiete: pd.DataFrame) -> dict[str, Any] | None:
    """Change of the lead indicator since the previous report, Sozialraum and city.

    None without change data (``cfg.mit_dynamik`` false), as where a value is missing.

    For an indicator whose change is published with the data (``veraenderung =
    "veroeffentlicht"``) there is no share of the vergleichsjahr: the change is the published
    one (for the unit and the city their population-weighted mean), and ``veroeffentlicht`` is
    True so that the sentence names the period instead of an earlier report.
    """
    if not cfg.mit_dynamik or not cfg.indikatoren:  # no change data: no sentence on a change
        return None
    ind = cfg.indikatoren[0]
    d = gebiete[gebiete["indikator"] == ind.id]
    von, bis = cfg.methode.vergleichsjahr, cfg.methode.berichtsjahr
    sr_bis, st_bis = _wert(d, "sozialraum", bis), _wert(d, "stadt", bis)
    veroeffentlicht = ind.veraenderung == "veroeffentlicht"
    if veroeffentlicht:
        sr_diff = _veraenderung(d, "sozialraum", bis)
        st_diff = _veraenderung(d, "stadt", bis)
        if sr_diff is None or sr_bis is None:
            return None
        sr_von = sr_bis - sr_diff
    else:
        sr_von = _wert(d, "sozialraum", von)
        st_von = _wert(d, "stadt", von)
        if sr_von is None or sr_bis is None:
            return None
        sr_diff = sr_bis - sr_von
        st_diff = (st_bis - st_von) if (st_von is not None and st_bis is not None) else None

    def richtung(diff: float | None) -> str | None:
        if diff is None:
            return None
        if abs(diff) < UNVERAENDERT_PP:
            return "gleich"
        return "gestiegen" if diff > 0 else "gesunken"

    return {
        "kurz": ind.kurz,
        "label": ind.label,
        "von": von,
        "bis": bis,
        "sozialraum_von": sr_von,
        "sozialraum_bis": sr_bis,
        "sozialraum_diff": sr_diff,
        "sozialraum_richtung": richtung(sr_diff),
        "stadt_diff": st_diff,
        "stadt_richtung": richtung(st_diff),
        "veroeffentlicht": veroeffentlicht,
    }


def bekanntheit_kontext(bk: pd.DataFrame) -> dict[str, Any] | None:
    """Best and least known offers (all names when tied), from :func:`events.bekanntheit`."""
    if bk.empty:
        return None
    ex = events.extreme(bk)
    shown = int((~bk["unterdrueckt"].astype(bool)).sum())
    ctx: dict[str, Any] = {
        "n_angebote": len(bk),
        "n_ausgewiesen": shown,
        "n_unterdrueckt": len(bk) - shown,
        "hoechst": [],
        "hoechst_anteil": None,
        "niedrigst": [],
        "niedrigst_anteil": None,
    }
    if not ex["hoechst"].empty:
        ctx |= {
            "hoechst": _names(ex["hoechst"], "angebot"),
            "hoechst_anteil": float(ex["hoechst"]["anteil_ja"].iloc[0]),
            "niedrigst": _names(ex["niedrigst"], "angebot"),
            "niedrigst_anteil": float(ex["niedrigst"]["anteil_ja"].iloc[0]),
        }
    return ctx


def kanal_kontext(haeufigkeit: pd.DataFrame) -> list[dict[str, Any]] | None:
    """Per channel-coded question: its cards and the most frequent named channel(s)."""
    if haeufigkeit.empty:
        return None
    out = []
    for _, h in haeufigkeit.groupby("frage_id", sort=True):
        named = h[h["kategorie"] != events.SONSTIGES]
        top = named[named["anzahl"] == named["anzahl"].max()] if not named.empty else named
        out.append(
            {
                "frage": str(h["frage"].iloc[0]),
                "n_karten": int(h["anzahl"].sum()),
                "top": sorted(str(k) for k in top["kategorie"]),
                "top_n": int(top["anzahl"].iloc[0]) if not top.empty else 0,
            }
        )
    return out


def feedback_kontext(freq: pd.DataFrame) -> dict[str, Any] | None:
    """The most frequent feedback word(s) and the number of words."""
    if freq.empty:
        return None
    top = freq[freq["anzahl"] == freq["anzahl"].max()]
    return {
        "n_nennungen": int(freq["anzahl"].sum()),
        "n_verschieden": len(freq),
        "top": list(top["wort"].astype(str)),
        "top_n": int(top["anzahl"].iloc[0]),
    }


def handlungsempfehlungen_kontext(he_sr: pd.DataFrame) -> dict[str, Any]:
    """Counts per status and the latest status date; ``n == 0`` is a case the text states."""
    z = events.status_zaehlung(he_sr).set_index("status")["anzahl"]
    return {
        "n": int(len(he_sr)),
        "umgesetzt": int(z.get("umgesetzt", 0)),
        "in_umsetzung": int(z.get("in Umsetzung", 0)),
        "offen": int(z.get("offen", 0)),
        "zurueckgestellt": int(z.get("zurückgestellt", 0)),
        "stand": fmt_latest_date(he_sr["status_datum"], he_sr.get("status_datum_genauigkeit")),
        "offene": _offene(he_sr),
    }


#: Status of a recommendation a committee still has to follow: not done, not put aside.
OFFENE_STATUS = ("offen", "in Umsetzung")


def _offene(he_sr: pd.DataFrame) -> list[dict[str, str]]:
    """Titles and status of the recommendations still open or under way, in the data's order."""
    if he_sr.empty or "titel" not in he_sr.columns:
        return []
    rows = he_sr[he_sr["status"].isin(OFFENE_STATUS)]
    return [
        {"titel": " ".join(str(t).split()), "status": str(st)}
        for t, st in zip(rows["titel"], rows["status"], strict=True)
    ]


def build_context(
    cfg: Config,
    inputs: Any,
    result: Any,
    sozialraum_id: str,
    *,
    gebiete: pd.DataFrame | None = None,
    runde: int | None = None,
) -> dict[str, Any]:
    """Everything the summary needs for one Sozialraum, from the validated inputs and the index.

    Parameters
    ----------
    cfg
        The city's config.
    inputs
        ``validate.Inputs`` (any object with its frames as attributes).
    result
        ``index.IndexResult`` (``index`` and ``werte`` are used).
    sozialraum_id
        Id, slug or name of the Sozialraum.
    gebiete
        Output of :func:`sozialraum.present.indikatortabellen.gebiete_werte`; computed with
        ``index.aggregate`` when omitted. Pass it when the notebook has it already.
    runde
        Round of the event; the latest when omitted.

    Returns
    -------
    dict
        Keys ``sozialraum``, ``stadt``, ``berichtsjahr``, ``vergleichsjahr``, ``veranstaltungsart``
        (the config's name of the event, with its gender), the config's nouns ``einheit``,
        ``gebiet`` (``Begriff``), ``index_name`` and ``reihe``, ``mit_veranstaltungen`` and
        one entry per name in :data:`SAETZE` (``None`` where there is nothing to say; the event
        and the Handlungsempfehlungen also when the city has none configured).
    """
    sr = cfg.sozialraum(sozialraum_id)
    if gebiete is None:
        gebiete = _gebiete(cfg, inputs, result, sr.id, sr.name)
    ctx: dict[str, Any] = {
        "sozialraum": sr.name,
        "stadt": cfg.stadt.name,
        "berichtsjahr": cfg.methode.berichtsjahr,
        "vergleichsjahr": cfg.methode.vergleichsjahr,
        "veranstaltungsart": cfg.stadt.veranstaltung,
        **_begriffe_kontext(cfg),
        "status": status_kontext(cfg, result.index, sr.id),
        "leitindikator": leitindikator_kontext(cfg, gebiete),
        "trend": trend_kontext(cfg, gebiete),
    }
    k = (
        events.kennzahlen(inputs.veranstaltungen, inputs.stationen, sr.id, runde)
        if cfg.mit_veranstaltungen
        else None
    )
    ctx["veranstaltung"] = k
    ctx["bekanntheit"] = ctx["kanal"] = ctx["feedback"] = None
    if k is not None:
        vid = k["veranstaltung_id"]
        bk = events.bekanntheit(
            inputs.abstimmungen,
            inputs.angebote,
            inputs.stationen,
            inputs.fragen,
            inputs.veranstaltungen,
            vid,
            cfg.methode.mindeststimmen,
        )
        ctx["bekanntheit"] = bekanntheit_kontext(bk)
        kodiert = events.karten_kodiert(
            inputs.karten, inputs.fragen, inputs.stationen, inputs.kanalregeln, vid
        )
        ctx["kanal"] = kanal_kontext(events.kanal_haeufigkeit(kodiert))
        ctx["feedback"] = feedback_kontext(events.feedback_haeufigkeit(inputs.feedback, vid))
    ctx["handlungsempfehlungen"] = None
    if cfg.eingabe("handlungsempfehlungen") is not None:
        he_sr = events.handlungsempfehlungen(inputs.handlungsempfehlungen, sr.id)
        ctx["handlungsempfehlungen"] = handlungsempfehlungen_kontext(he_sr)
    return ctx


def _gebiete(cfg: Config, inputs: Any, result: Any, sr_id: str, sr_name: str) -> pd.DataFrame:
    from sozialraum.present.indikatortabellen import gebiete_werte

    quartiere = pd.DataFrame(inputs.quartiere.drop(columns="geometry", errors="ignore"))
    sr_agg = result.aggregat(cfg, quartiere, "sozialraum")
    st_agg = result.aggregat(cfg, quartiere, "stadt")
    return gebiete_werte(
        result.werte,
        quartiere,
        sr_id,
        sr_agg,
        st_agg,
        sozialraum_name=sr_name,
        stadt_name=cfg.stadt.name,
    )
