"""The city-wide summary "Auf einen Blick" of the overview report.

The same two steps as :mod:`sozialraum.present.narrative` (a context of numbers and names, then
one template per sentence from ``templates/narrative/stadt/``); its own module so that each
summary reads alone.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from sozialraum.config import Config
from sozialraum.present.narrative import (
    _STANDARD,
    _begriffe_kontext,
    _clean,
    _env,
    schlechte_haelfte,
)

SAETZE_STADT = ("status", "schwerpunkt", "spannweite", "veranstaltungen", "handlungsempfehlungen")
"""Sentences of the city-wide summary; templates in ``templates/narrative/stadt/``."""


def stadt_summary(context: dict[str, Any]) -> list[str]:
    """The sentences of "Auf einen Blick" for the whole city (see :func:`stadt_kontext`)."""
    ctx = _STANDARD | {name: None for name in SAETZE_STADT} | dict(context)
    out = []
    for name in SAETZE_STADT:
        text = _clean(_env().get_template(f"stadt/{name}.txt.j2").render(**ctx))
        if text:
            out.append(text)
    return out


def stadt_kontext(
    cfg: Config, inputs: Any, index: pd.DataFrame, sr_agg: pd.DataFrame, stadt_agg: pd.DataFrame
) -> dict[str, Any]:
    """Numbers and names of the city-wide summary, no wording.

    The "low" status classes are the worse half of the config's labels without a middle class
    (:func:`schlechte_haelfte`), as in :func:`status_kontext`; the lead indicator is the first
    of the config.
    """
    names = {s.id: s.name for s in cfg.sozialraeume}
    jahr = cfg.methode.berichtsjahr
    labels = cfg.methode.status.labels
    schlecht = schlechte_haelfte(labels)
    low = index[index["status_klasse"].isin(schlecht)]
    total = float(index["einwohner"].sum())
    ctx: dict[str, Any] = {
        "berichtsjahr": jahr,
        "stadt": cfg.stadt.name,
        "veranstaltungsart": cfg.stadt.veranstaltung,
        **_begriffe_kontext(cfg),
    }
    ctx["status"] = {
        "n": len(low),
        "klassen": list(schlecht),
        "einwohner": float(low["einwohner"].sum()),
        "einwohner_stadt": total,
        "anteil": 100 * float(low["einwohner"].sum()) / total if total else None,
    }
    # with one unit (a city without units) there is nothing to compare units by
    mehrere = len(cfg.sozialraeume) > 1
    if not low.empty and mehrere:
        per_sr = low.groupby("sozialraum_id").size()
        top = per_sr[per_sr == per_sr.max()].index
        ctx["schwerpunkt"] = {
            "sozialraeume": [names[s] for s in names if s in top],
            "n": int(per_sr.max()),
        }
    # a city with only a published index has no indicator values: no sentence on a lead one
    lead = cfg.indikatoren[0] if cfg.indikatoren else None
    lead_id = lead.id if lead else None
    st = stadt_agg[(stadt_agg["indikator"] == lead_id) & (stadt_agg["jahr"] == jahr)]
    sr = sr_agg[(sr_agg["indikator"] == lead_id) & (sr_agg["jahr"] == jahr)].dropna(
        subset=["anteil"]
    )
    if lead and mehrere and not st.empty and pd.notna(st["anteil"].iloc[0]) and not sr.empty:
        hi, lo = sr.loc[sr["anteil"].idxmax()], sr.loc[sr["anteil"].idxmin()]
        ctx["spannweite"] = {
            "label": lead.label,
            "stadt": float(st["anteil"].iloc[0]),
            "min": float(lo["anteil"]),
            "min_sozialraum": names[lo["sozialraum_id"]],
            "max": float(hi["anteil"]),
            "max_sozialraum": names[hi["sozialraum_id"]],
        }
    ev = inputs.veranstaltungen
    if not ev.empty:
        runde = int(ev["runde"].max())
        latest = ev[ev["runde"] == runde]
        ctx["veranstaltungen"] = {
            "n": len(latest),
            "runde": runde,
            "von": latest["datum"].min(),
            "bis": latest["datum"].max(),
            "teilnehmende": float(latest["teilnehmende"].fillna(0).sum()),
        }
    he = inputs.handlungsempfehlungen
    if cfg.eingabe("handlungsempfehlungen") is not None and not he.empty:
        ctx["handlungsempfehlungen"] = {
            "n": len(he),
            "umgesetzt": int((he["status"] == "umgesetzt").sum()),
            "in_umsetzung": int((he["status"] == "in Umsetzung").sum()),
        }
    return ctx
