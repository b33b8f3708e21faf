"""Rounds compared: what an earlier round collected, what the latest found, what followed.

The city's events change their format from round to round (round 1 collected needs at
Thementische, round 2 asked about offers at Themeninseln), and a report that shows only the
latest round hides what was asked before in the same Sozialraum and whether the
Handlungsempfehlungen answer it. This module builds that comparison from the data alone:

* :func:`runden_uebersicht` – one row per round of a Sozialraum (date, format, stations, cards,
  dots, the questions asked);
* :func:`bedarfe` – the cards of the earliest round (the needs), each with the Handlungsfeld of
  its station (column ``handlungsfeld`` of ``stationen``, else the station's title);
* :func:`bedarfe_und_empfehlungen` – per Handlungsfeld the needs beside the recommendations that
  refer to them (same Handlungsfeld) and their status;
* :func:`statusaenderungen` – the status changes of the recommendations in date order, where
  ``statusverlauf`` has several dates for them;
* :func:`rundenvergleich_html` – all of it as one German report section (``""`` where a
  Sozialraum has neither two rounds nor a status history, e.g. a city without events).

Nothing is city-specific: rounds, stations, questions and Handlungsfelder come from the data.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from sozialraum.config import Config
from sozialraum.fmt import FEHLT, anzahl, aufzaehlung, fmt_date, html_text, zitat
from sozialraum.present.tables import hinweis, tabelle

STATUS_REIHENFOLGE = ("offen", "in Umsetzung", "umgesetzt", "zurückgestellt")
NENNUNGEN_MAX = 3
"""Most frequent needs named per Handlungsfeld in the table (all are in the CSV)."""


def _key(text: Any) -> str:
    """Compare Handlungsfelder and card texts without case and surrounding or double spaces."""
    return " ".join(str(text).split()).casefold() if not pd.isna(text) else ""


def _events_of(inputs: Any, sozialraum_id: str) -> pd.DataFrame:
    ev = inputs.veranstaltungen
    if ev.empty:
        return ev
    ev = ev[ev["sozialraum_id"].astype(str) == str(sozialraum_id)]
    return ev.sort_values(["runde", "datum"], kind="stable")


def runden(inputs: Any, sozialraum_id: str) -> list[int]:
    """The rounds in which the Sozialraum had an event, ascending."""
    ev = _events_of(inputs, sozialraum_id)
    return sorted({int(r) for r in ev["runde"].dropna()}) if not ev.empty else []


def runden_uebersicht(inputs: Any, sozialraum_id: str) -> pd.DataFrame:
    """One row per event of the Sozialraum: what each round was and what it collected.

    Columns: ``runde``, ``veranstaltung_id``, ``datum``, ``datum_genauigkeit``, ``format``,
    ``teilnehmende``, ``stationen`` (how many stations the round had), ``art`` (their kinds,
    e.g. "Thementisch"), ``karten``, ``punkte`` (dots and ratings), ``fragen`` (the wording of
    the round's questions, joined by " | ").
    """
    ev = _events_of(inputs, sozialraum_id)
    cols = [
        "runde",
        "veranstaltung_id",
        "datum",
        "datum_genauigkeit",
        "format",
        "teilnehmende",
        "stationen",
        "art",
        "karten",
        "punkte",
        "fragen",
    ]
    if ev.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    st, fr = inputs.stationen, inputs.fragen
    ka, ab = inputs.karten, inputs.abstimmungen
    rows = []
    for e in ev.itertuples():
        runde = int(e.runde)
        st_r = st[st["runde"] == runde]
        arten = list(dict.fromkeys(str(a) for a in st_r["art"].dropna()))
        fragen = [str(f) for f in fr.loc[fr["runde"] == runde, "frage"].dropna()]
        rows.append(
            {
                "runde": runde,
                "veranstaltung_id": e.veranstaltung_id,
                "datum": e.datum,
                "datum_genauigkeit": getattr(e, "datum_genauigkeit", "tag"),
                "format": e.format,
                "teilnehmende": e.teilnehmende,
                "stationen": len(st_r),
                "art": ", ".join(arten),
                "karten": int((ka["veranstaltung_id"] == e.veranstaltung_id).sum()),
                "punkte": int(ab.loc[ab["veranstaltung_id"] == e.veranstaltung_id, "anzahl"].sum()),
                "fragen": " | ".join(fragen),
            }
        )
    return pd.DataFrame(rows, columns=cols)


def _handlungsfeld_der_stationen(stationen: pd.DataFrame) -> dict[str, str]:
    """station_id → Handlungsfeld: the explicit column where filled, else the station's title."""
    feld = stationen.get("handlungsfeld")
    out = {}
    for i, row in enumerate(stationen.itertuples()):
        explicit = None if feld is None else feld.iloc[i]
        text = explicit if isinstance(explicit, str) and explicit.strip() else row.station
        out[str(row.station_id)] = " ".join(str(text).split())
    return out


def bedarfe(inputs: Any, sozialraum_id: str, runde: int | None = None) -> pd.DataFrame:
    """The needs a round collected in the Sozialraum: its cards, counted by text and station.

    ``runde`` defaults to the Sozialraum's earliest round, and only when there is a later one
    (the needs are what came *before* the latest round). Texts that differ only in case or
    spacing count as one need, shown as first written. Columns: ``runde``,
    ``handlungsfeld``, ``station_id``, ``station``, ``bedarf``, ``karten``, ``erfunden``;
    ordered by Handlungsfeld as the stations are listed, then most cards first.
    """
    cols = ["runde", "handlungsfeld", "station_id", "station", "bedarf", "karten", "erfunden"]
    empty = pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    rs = runden(inputs, sozialraum_id)
    if runde is None:
        if len(rs) < 2:
            return empty
        runde = rs[0]
    ev = _events_of(inputs, sozialraum_id)
    ids = set(ev.loc[ev["runde"] == runde, "veranstaltung_id"])
    ka = inputs.karten[inputs.karten["veranstaltung_id"].isin(ids)]
    if ka.empty:
        return empty
    st = inputs.stationen
    feld_of = _handlungsfeld_der_stationen(st)
    name_of = dict(zip(st["station_id"].astype(str), st["station"], strict=True))
    order = {sid: i for i, sid in enumerate(st["station_id"].astype(str))}
    ka = ka.assign(
        station_id=ka["station_id"].astype(str),
        _k=ka["text"].map(_key),
        erfunden=ka["erfunden"].fillna(False).astype(bool) if "erfunden" in ka else False,
    )
    grouped = (
        ka.groupby(["station_id", "_k"], sort=False)
        .agg(bedarf=("text", "first"), karten=("text", "size"), erfunden=("erfunden", "any"))
        .reset_index()
    )
    grouped["runde"] = int(runde)
    grouped["handlungsfeld"] = grouped["station_id"].map(feld_of)
    grouped["station"] = grouped["station_id"].map(name_of)
    grouped["_o"] = grouped["station_id"].map(order).fillna(len(order))
    grouped = grouped.sort_values(["_o", "karten", "_k"], ascending=[True, False, True])
    return grouped[cols].reset_index(drop=True)


def _he_of(inputs: Any, sozialraum_id: str) -> pd.DataFrame:
    he = inputs.handlungsempfehlungen
    if he.empty:
        return he
    return he[he["sozialraum_id"].astype(str) == str(sozialraum_id)]


def bedarfe_und_empfehlungen(inputs: Any, sozialraum_id: str) -> pd.DataFrame:
    """Per Handlungsfeld: the needs of the earliest round beside the recommendations for it.

    A recommendation refers to the needs of its Handlungsfeld (the station's ``handlungsfeld``
    or title, compared without case and extra spaces). Handlungsfelder with needs but no
    recommendation, and recommendations in a field without needs, both appear: either gap is
    what the analyst looks for. Columns: ``handlungsfeld``, ``bedarfe`` (cards),
    ``nennungen`` (the most frequent needs with their counts), ``empfehlungen``,
    ``titel`` (recommendation titles, " | "-joined), and one count column per status.
    """
    b = bedarfe(inputs, sozialraum_id)
    he = _he_of(inputs, sozialraum_id)
    cols = ["handlungsfeld", "bedarfe", "nennungen", "empfehlungen", "titel", *STATUS_REIHENFOLGE]
    if b.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    felder: dict[str, str] = {}
    for f in list(b["handlungsfeld"]) + list(he["handlungsfeld"].dropna()):
        felder.setdefault(_key(f), " ".join(str(f).split()))
    rows = []
    for k, name in felder.items():
        bf = b[b["handlungsfeld"].map(_key) == k].sort_values("karten", ascending=False)
        hf = he[he["handlungsfeld"].map(_key) == k] if not he.empty else he
        top = bf.head(NENNUNGEN_MAX)
        row = {
            "handlungsfeld": name,
            "bedarfe": int(bf["karten"].sum()),
            "nennungen": "; ".join(
                f"{t} ({n})" if n > 1 else str(t)
                for t, n in zip(top["bedarf"], top["karten"], strict=True)
            ),
            "empfehlungen": len(hf),
            "titel": " | ".join(str(t) for t in hf["titel"]) if len(hf) else "",
        }
        for s in STATUS_REIHENFOLGE:
            row[s] = int((hf["status"] == s).sum()) if len(hf) else 0
        rows.append(row)
    return pd.DataFrame(rows, columns=cols)


def statusaenderungen(inputs: Any, sozialraum_id: str) -> pd.DataFrame:
    """The status changes of the Sozialraum's recommendations, in date order.

    From ``statusverlauf``: a row whose status repeats the one before (a confirmed state) is
    no change and is left out; the first state of each recommendation counts as its start.
    Empty unless at least one recommendation has states on two or more dates – one date is a
    state, not a history. Columns: ``status_datum``, ``status_datum_genauigkeit``, ``he_id``,
    ``titel``, ``handlungsfeld``, ``von`` (empty at the start), ``status``, ``erfunden``.
    """
    cols = [
        "status_datum",
        "status_datum_genauigkeit",
        "he_id",
        "titel",
        "handlungsfeld",
        "von",
        "status",
        "erfunden",
    ]
    empty = pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    sv = getattr(inputs, "statusverlauf", None)
    he = _he_of(inputs, sozialraum_id)
    if sv is None or sv.empty or he.empty:
        return empty
    sv = sv[sv["he_id"].isin(set(he["he_id"]))].copy()
    if sv.empty or sv.groupby("he_id")["status_datum"].nunique().max() < 2:
        return empty
    if "status_datum_genauigkeit" not in sv:
        sv["status_datum_genauigkeit"] = "tag"
    sv = sv.sort_values(["he_id", "status_datum"], kind="stable")
    sv["von"] = sv.groupby("he_id")["status"].shift(1)
    sv = sv[sv["von"].isna() | (sv["von"] != sv["status"])]
    sv["von"] = sv["von"].fillna("")
    info = he.set_index("he_id")
    sv["titel"] = sv["he_id"].map(info["titel"])
    sv["handlungsfeld"] = sv["he_id"].map(info["handlungsfeld"])
    sv["erfunden"] = sv["erfunden"].fillna(False).astype(bool) if "erfunden" in sv else False
    sv = sv.sort_values(["status_datum", "he_id"], kind="stable")
    return sv[cols].reset_index(drop=True)


def _datum(d: Any, g: Any) -> str:
    return fmt_date(d, "monat" if g == "monat" else "tag")


def _iso(d: Any, g: Any) -> str:
    if pd.isna(d):
        return ""
    return pd.Timestamp(d).strftime("%Y-%m" if g == "monat" else "%Y-%m-%d")


def rundenvergleich_html(
    cfg: Config, inputs: Any, sozialraum_id: str, *, ueberschrift: int = 3
) -> str:
    """The section "Runden im Vergleich" of one Sozialraum's report, or ``""``.

    Parts, each only where the data have it: the rounds side by side; the needs of the
    earliest round per station; needs beside recommendations per Handlungsfeld (with a line
    naming fields whose needs no recommendation answers); the status changes in date order.
    Headings are ``<h{ueberschrift}>``; every text from the data is escaped, tables come with
    their CSV download. ``""`` where the Sozialraum has fewer than two rounds and no status
    history (a city without events or without ``statusverlauf`` gets no section).
    """
    sr = cfg.sozialraum(sozialraum_id)
    h = f"h{int(ueberschrift)}"
    teile: list[str] = []
    ue = runden_uebersicht(inputs, sozialraum_id)
    veranstaltung = cfg.stadt.veranstaltung
    if ue["runde"].nunique() >= 2:
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
                "Klebepunkte": ue["punkte"],
            }
        )
        gefragt = "".join(
            f"<li>{html_text(f'Runde {r}: ' + aufzaehlung(zitat(x) for x in f.split(' | ')))}</li>"
            for r, f in zip(ue["runde"], ue["fragen"], strict=True)
            if f
        )
        csv = ue.assign(
            datum=[_iso(d, g) for d, g in zip(ue["datum"], ue["datum_genauigkeit"], strict=True)]
        )
        csv = csv.drop(columns="datum_genauigkeit")
        teile.append(f"<{h}>Die Runden im Vergleich</{h}>")
        teile.append(
            "<p>"
            + html_text(
                f"Jede Runde {genitiv_plural(veranstaltung.mehrzahl)} in {sr.name} hatte ein "
                "eigenes Format und eigene Fragen; die Tabelle stellt sie nebeneinander."
            )
            + "</p>"
        )
        teile.append(
            tabelle(
                show,
                f"Runden {genitiv_plural(veranstaltung.mehrzahl)} in {sr.name}",
                csv=csv,
                filename=f"runden-{sr.slug}.csv",
                numeric=["Teilnehmende", "Karten", "Klebepunkte"],
            )
        )
        if gefragt:
            teile.append(f'<p class="klein">Gefragt wurde:</p><ul class="klein">{gefragt}</ul>')
        b = bedarfe(inputs, sozialraum_id)
        erste = int(ue["runde"].min())
        if b.empty:
            teile.append(hinweis(f"Aus Runde {erste} liegen für {sr.name} keine Karten vor."))
        else:
            teile.append(f"<{h}>Was Runde {erste} gesammelt hat</{h}>")
            n_k = int(b["karten"].sum())
            stationen = list(dict.fromkeys(b["station"]))
            teile.append(
                "<p>"
                + html_text(
                    f"In Runde {erste} kamen {anzahl(n_k, 'Karte', 'Karten')} an "
                    f"{anzahl(len(stationen), 'Station', 'Stationen')} zusammen "
                    f"({aufzaehlung(stationen)})."
                )
                + "</p>"
            )
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
    html = "".join(t for t in teile if t)
    return f'<section class="rundenvergleich">{html}</section>' if html else ""


def genitiv_plural(mehrzahl: str) -> str:
    """The genitive plural of a configured term: "der Veranstaltungen"."""
    return f"der {mehrzahl}"


def _bedarfe_und_empfehlungen_html(
    inputs: Any, sozialraum_id: str, name: str, slug: str, h: str
) -> str:
    df = bedarfe_und_empfehlungen(inputs, sozialraum_id)
    if df.empty:
        return ""
    out = [f"<{h}>Bedarfe und Handlungsempfehlungen</{h}>"]
    out.append(
        "<p>"
        + html_text(
            "Eine Handlungsempfehlung bezieht sich auf die Bedarfe ihres Handlungsfelds. "
            "Ein Handlungsfeld mit Bedarfen, aber ohne Empfehlung, ist eine offene Frage an die "
            "nächste Fortschreibung."
        )
        + "</p>"
    )

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
    return (
        f"<{h}>Verlauf der Handlungsempfehlungen</{h}>"
        f"<p>{html_text(lead + ' (jede Zeile ein Statuswechsel, nach Datum).')}</p>"
        + tabelle(
            show,
            f"Statuswechsel der Handlungsempfehlungen in {name}",
            csv=csv,
            filename=f"he-verlauf-{slug}.csv",
        )
    )
