"""The section "Runden im Vergleich" of a Sozialraum's report, as HTML.

The comparison itself is computed in :mod:`sozialraum.compute.runden`; this module lays it out
as German text and tables with their CSV downloads.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from sozialraum.compute.events import geschuetzte_punkte
from sozialraum.compute.runden import (
    STATUS_REIHENFOLGE,
    _key,
    bedarfe,
    bedarfe_und_empfehlungen,
    runden_uebersicht,
    statusaenderungen,
)
from sozialraum.config import Config
from sozialraum.fmt import FEHLT, UNTERDRUECKT, anzahl, aufzaehlung, fmt_date, zitat
from sozialraum.grammatik import genitiv_plural
from sozialraum.present.tables import hinweis, tabelle
from sozialraum.present.vorlagen import block, markup

VORLAGE = "runden.html.j2"


def _datum(d: Any, g: Any) -> str:
    return fmt_date(d, "monat" if g == "monat" else "tag")


def _iso(d: Any, g: Any) -> str:
    if pd.isna(d):
        return ""
    return pd.Timestamp(d).strftime("%Y-%m" if g == "monat" else "%Y-%m-%d")


def _punkte_geschuetzt(cfg: Config, inputs: Any, ue: pd.DataFrame) -> pd.DataFrame:
    """``ue`` with ``punkte`` blank for events where it would give withheld dots away.

    The total of an event's dots minus the published ``n`` of its offers is the sum of the
    withheld ones; where that is above 0 the total is withheld too (secondary suppression).
    """
    m = cfg.methode.mindeststimmen
    verdeckt = [
        geschuetzte_punkte(inputs.abstimmungen, inputs.fragen, inputs.veranstaltungen, v, m) > 0
        for v in ue["veranstaltung_id"]
    ]
    return ue.assign(punkte=ue["punkte"].astype("Int64").mask(verdeckt))


def rundenvergleich_html(
    cfg: Config, inputs: Any, sozialraum_id: str, *, ueberschrift: int = 3
) -> str:
    """The section "Runden im Vergleich" of one Sozialraum's report, or ``""``.

    Parts, each only where the data have it: the rounds side by side; the needs of the
    earliest round per station; needs beside recommendations per Handlungsfeld (with a line
    naming fields whose needs no recommendation answers); the status changes in date order.
    Headings are of level ``ueberschrift``; every text from the data is escaped, tables come with
    their CSV download. ``""`` where the Sozialraum has fewer than two rounds and no status
    history (a city without events or without ``statusverlauf`` gets no section).
    """
    sr = cfg.sozialraum(sozialraum_id)
    h = f"h{int(ueberschrift)}"
    teile: list[str] = []
    ue = runden_uebersicht(inputs, sozialraum_id)
    veranstaltung = cfg.stadt.veranstaltung
    if ue["runde"].nunique() >= 2:
        ue = _punkte_geschuetzt(cfg, inputs, ue)
        show = pd.DataFrame(
            {
                "Runde": [str(r) for r in ue["runde"]],
                "Datum": [
                    _datum(d, g) for d, g in zip(ue["datum"], ue["datum_genauigkeit"], strict=True)
                ],
                "Format": ue["format"].fillna(FEHLT),
                "Teilnehmende": ue["teilnehmende"],
                "Stationen": [
                    f"{n} ({a})" if a else str(n)
                    for n, a in zip(ue["stationen"], ue["art"], strict=True)
                ],
                "Karten": ue["karten"],
                "Klebepunkte": [UNTERDRUECKT if pd.isna(p) else p for p in ue["punkte"]],
            }
        )
        gefragt = [
            f"Runde {r}: " + aufzaehlung(zitat(x) for x in f.split(" | "))
            for r, f in zip(ue["runde"], ue["fragen"], strict=True)
            if f
        ]
        csv = ue.assign(
            datum=[_iso(d, g) for d, g in zip(ue["datum"], ue["datum_genauigkeit"], strict=True)]
        )
        csv = csv.drop(columns="datum_genauigkeit")
        teile.append(
            _ueberschrift(
                h,
                "Die Runden im Vergleich",
                f"Jede Runde {genitiv_plural(veranstaltung)} in {sr.name} hatte ein "
                "eigenes Format und eigene Fragen; die Tabelle stellt sie nebeneinander."
                + _nur_monat(ue),
            )
        )
        teile.append(
            tabelle(
                show,
                f"Runden {genitiv_plural(veranstaltung)} in {sr.name}",
                csv=csv,
                filename=f"runden-{sr.slug}.csv",
                numeric=["Teilnehmende", "Karten", "Klebepunkte"],
                footnotes=(
                    [
                        f"{UNTERDRUECKT} = nicht ausgewiesen: Die Summe gäbe zusammen mit der "
                        "Bekanntheit der Angebote die Punkte von Angeboten mit weniger als "
                        f"{cfg.methode.mindeststimmen} Punkten preis."
                    ]
                    if ue["punkte"].isna().any()
                    else ()
                ),
            )
        )
        if gefragt:
            teile.append(str(block(VORLAGE, "gefragt", zeilen=gefragt)))
        b = bedarfe(inputs, sozialraum_id)
        erste = int(ue["runde"].min())
        if b.empty:
            teile.append(hinweis(f"Aus Runde {erste} liegen für {sr.name} keine Karten vor."))
        else:
            n_k = int(b["karten"].sum())
            stationen = list(dict.fromkeys(b["station"]))
            # the rounds table counts every station of the round: the text says how many of
            # them got cards, and which got none, so that the two numbers do not disagree
            st = inputs.stationen
            alle = [str(x) for x in st.loc[st["runde"] == erste, "station"]]
            ohne = [x for x in alle if x not in stationen]
            an = anzahl(len(stationen), "Station", "Stationen")
            if len(alle) > len(stationen):
                an = f"{len(stationen)} der {len(alle)} Stationen"
            text = (
                f"In Runde {erste} kamen {anzahl(n_k, 'Karte', 'Karten')} an {an} zusammen "
                f"({aufzaehlung(stationen)})."
            )
            if ohne:
                blieb = "blieb" if len(ohne) == 1 else "blieben"
                text += f" Ohne Karte {blieb} {aufzaehlung(zitat(x) for x in ohne)}."
            teile.append(_ueberschrift(h, f"Was Runde {erste} gesammelt hat", text))
            show_b = pd.DataFrame(
                {
                    "Station": b["station"],
                    "Handlungsfeld": b["handlungsfeld"],
                    "Genannt": b["bedarf"],
                    "Karten": b["karten"].astype(int),
                }
            )
            if (b["station"].map(_key) == b["handlungsfeld"].map(_key)).all():
                show_b = show_b.drop(columns="Handlungsfeld")  # the stations are the fields
            teile.append(
                tabelle(
                    show_b,
                    f"Genannte Bedarfe in {sr.name}, Runde {erste}",
                    csv=b,
                    filename=f"bedarfe-runde-{erste}-{sr.slug}.csv",
                    numeric=["Karten"],
                )
            )
            teile.append(_bedarfe_und_empfehlungen_html(inputs, sozialraum_id, sr.name, sr.slug, h))
    teile.append(_verlauf_html(inputs, sozialraum_id, sr.name, sr.slug, h))
    teile = [t for t in teile if t]
    if not teile:
        return ""
    return str(block(VORLAGE, "rundenvergleich", teile=[markup(t) for t in teile]))


def _ueberschrift(h: str, titel: str, text: str) -> str:
    """A heading of the section (``h`` is e.g. ``"h3"``) and the paragraph under it."""
    return str(block(VORLAGE, "ueberschrift", ebene=h, titel=titel, text=text))


def _bedarfe_und_empfehlungen_html(
    inputs: Any, sozialraum_id: str, name: str, slug: str, h: str
) -> str:
    df = bedarfe_und_empfehlungen(inputs, sozialraum_id)
    if df.empty:
        return ""
    out = [
        _ueberschrift(
            h,
            "Bedarfe und Handlungsempfehlungen",
            "Eine Handlungsempfehlung bezieht sich auf die Bedarfe ihres Handlungsfelds. "
            "Ein Handlungsfeld mit Bedarfen, aber ohne Empfehlung, ist eine offene Frage an die "
            "nächste Fortschreibung.",
        )
    ]

    def stand(row: pd.Series) -> str:
        parts = [f"{row[s]} {s}" for s in STATUS_REIHENFOLGE if row[s]]
        return ", ".join(parts) if parts else FEHLT

    show = pd.DataFrame(
        {
            "Handlungsfeld": df["handlungsfeld"],
            "Karten": df["bedarfe"].astype(int),
            "Häufigste Bedarfe": df["nennungen"].replace("", FEHLT),
            "Handlungsempfehlungen": [
                t.replace(" | ", "; ") if t else "keine" for t in df["titel"]
            ],
            "Stand": [stand(r) for _, r in df.iterrows()],
        }
    )
    out.append(
        tabelle(
            show,
            f"Bedarfe und Handlungsempfehlungen je Handlungsfeld in {name}",
            csv=df,
            filename=f"bedarfe-empfehlungen-{slug}.csv",
            numeric=["Karten"],
        )
    )
    offen = df.loc[(df["bedarfe"] > 0) & (df["empfehlungen"] == 0), "handlungsfeld"].tolist()
    if offen:
        out.append(
            hinweis(
                f"Ohne Handlungsempfehlung: {aufzaehlung(offen)} "
                f"({anzahl(len(offen), 'Handlungsfeld', 'Handlungsfelder')} mit genannten "
                "Bedarfen)."
            )
        )
    else:
        out.append(
            hinweis("Zu jedem Handlungsfeld mit genannten Bedarfen gibt es eine Empfehlung.")
        )
    ohne = df[(df["bedarfe"] == 0) & (df["empfehlungen"] > 0)]
    if len(ohne):
        out.append(
            hinweis(
                "Ohne genannten Bedarf in dieser Runde: "
                + aufzaehlung(
                    f"{f} ({anzahl(n, 'Handlungsempfehlung', 'Handlungsempfehlungen')})"
                    for f, n in zip(ohne["handlungsfeld"], ohne["empfehlungen"], strict=True)
                )
                + "."
            )
        )
    return "".join(out)


def _verlauf_html(inputs: Any, sozialraum_id: str, name: str, slug: str, h: str) -> str:
    df = statusaenderungen(inputs, sozialraum_id)
    if df.empty:
        return ""
    wechsel = df[df["von"] != ""]
    start = df[df["von"] == ""]
    lead = (
        f"Seit {_datum(start['status_datum'].min(), start['status_datum_genauigkeit'].iloc[0])} "
        f"änderte sich der Status {anzahl(len(wechsel), 'Mal', 'Mal')}"
        if len(start)
        else f"Der Status änderte sich {anzahl(len(wechsel), 'Mal', 'Mal')}"
    )
    rows = []
    done: set[tuple[Any, str]] = set()
    for r in df.itertuples():
        if not r.von:
            # Recommendations that all began on one date in one status are one line, not eight.
            same = df[(df["von"] == "") & (df["status_datum"] == r.status_datum)]
            same = same[same["status"] == r.status]
            if len(same) > 1:
                if (r.status_datum, r.status) in done:
                    continue
                done.add((r.status_datum, r.status))
                rows.append(
                    (
                        _datum(r.status_datum, r.status_datum_genauigkeit),
                        anzahl(len(same), "Handlungsempfehlung", "Handlungsempfehlungen"),
                        FEHLT,
                        f"{r.status} (Beginn)",
                    )
                )
                continue
        rows.append(
            (
                _datum(r.status_datum, r.status_datum_genauigkeit),
                r.titel,
                r.handlungsfeld,
                f"{r.von} → {r.status}" if r.von else f"{r.status} (Beginn)",
            )
        )
    show = pd.DataFrame(rows, columns=["Stand", "Handlungsempfehlung", "Handlungsfeld", "Status"])
    csv = df.assign(
        status_datum=[
            _iso(d, g)
            for d, g in zip(df["status_datum"], df["status_datum_genauigkeit"], strict=True)
        ]
    ).drop(columns="status_datum_genauigkeit")
    return _ueberschrift(
        h,
        "Verlauf der Handlungsempfehlungen",
        lead + " (jede Zeile ein Statuswechsel, nach Datum).",
    ) + str(
        tabelle(
            show,
            f"Statuswechsel der Handlungsempfehlungen in {name}",
            csv=csv,
            filename=f"he-verlauf-{slug}.csv",
        )
    )


def _nur_monat(ue: pd.DataFrame) -> str:
    """A sentence on rounds dated only by month or year beside ones dated by day, or ``""``.

    "November 2021" next to "28.09.2023" reads like a mistake unless the page says that the
    earlier documentation names no day.
    """
    genau = [str(g or "tag") for g in ue["datum_genauigkeit"]]
    grob = [str(r) for r, g in zip(ue["runde"], genau, strict=True) if g != "tag"]
    if not grob or len(grob) == len(genau):
        return ""
    wer = f"Runde {grob[0]}" if len(grob) == 1 else "Runden " + aufzaehlung(grob)
    return f" Für {wer} ist nur der Monat dokumentiert, kein Tag."
