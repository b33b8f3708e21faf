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
* :func:`sozialraum.present.runden.rundenvergleich_html` – all of it as one German report
  section (``""`` where a Sozialraum has neither two rounds nor a status history, e.g. a city
  without events).

Nothing is city-specific: rounds, stations, questions and Handlungsfelder come from the data.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

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
