"""Analyses of the events in the Sozialräume: key facts, awareness of offers, cards, feedback words.

Every function takes the frames of :class:`sozialraum.read.validate.Inputs` and returns a new
DataFrame (or a small dict); nothing here formats or renders. Question kinds are data
(``fragen.typ``), not code, so a new round with new stations and questions needs no change here.
An event without any votes, cards or words yields empty frames, never an error: the report then
says in words that there is nothing to show.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from sozialraum.fmt import fmt_date, is_missing, plural_wort

SONSTIGES = "Sonstiges"
"""Category of a card no channel rule matches."""

STATUS_REIHENFOLGE = ("offen", "in Umsetzung", "umgesetzt", "zurückgestellt")
"""Fixed order of the Handlungsempfehlung states, so every report lists them alike."""

Z_95 = 1.959963984540054
"""Normal quantile for a two-sided 95 % interval."""

BEKANNTHEIT_SPALTEN = [
    "frage_id",
    "frage",
    "station_id",
    "station",
    "angebot_id",
    "angebot",
    "ja",
    "nein",
    "n",
    "anteil_ja",
    "ki_unten",
    "ki_oben",
    "unterdrueckt",
    "andere_anteil_ja",
    "andere_veranstaltungen",
]


# --------------------------------------------------------------------------------------------
# The event and its key facts
# --------------------------------------------------------------------------------------------
def veranstaltung(
    veranstaltungen: pd.DataFrame, sozialraum_id: str, runde: int | None = None
) -> pd.Series | None:
    """The event of a Sozialraum in a round; without ``runde`` the latest one.

    Returns ``None`` when the Sozialraum has no event (yet), so that a report can be prepared
    before its event took place.
    """
    rows = veranstaltungen[veranstaltungen["sozialraum_id"].astype(str) == str(sozialraum_id)]
    if runde is not None:
        rows = rows[rows["runde"] == runde]
    if rows.empty:
        return None
    return rows.sort_values(["runde", "datum"]).iloc[-1]


def kennzahlen(
    veranstaltungen: pd.DataFrame,
    stationen: pd.DataFrame,
    sozialraum_id: str,
    runde: int | None = None,
) -> dict[str, Any] | None:
    """Key facts of an event: date, format, participants, institutions and stations.

    The number of stations is that of the round (every event of a round shows the same
    stations). The kind of station ("Themeninsel", "Thementisch") is read from the data, with
    its plural where it is regular, so that the same sentence fits every round.

    Returns
    -------
    dict or None
        Keys ``veranstaltung_id``, ``runde``, ``datum``, ``datum_genauigkeit``, ``datum_text``,
        ``format``, ``teilnehmende``, ``institutionen``, ``dauer_minuten`` (``None`` where
        unknown), ``stationen`` (count), ``station_art`` and ``station_art_plural`` (``None`` when
        the round mixes kinds or the plural is irregular). ``None`` without an event.
    """
    ev = veranstaltung(veranstaltungen, sozialraum_id, runde)
    if ev is None:
        return None
    st = stationen[stationen["runde"] == ev["runde"]]
    arten = st["art"].dropna().astype(str).unique().tolist()
    art = arten[0] if len(arten) == 1 else None
    genauigkeit = str(ev.get("datum_genauigkeit") or "tag")

    def _int(value: Any) -> int | None:
        return None if is_missing(value) else int(value)

    return {
        "veranstaltung_id": str(ev["veranstaltung_id"]),
        "runde": int(ev["runde"]),
        "datum": ev["datum"],
        "datum_genauigkeit": genauigkeit,
        "datum_text": fmt_date(ev["datum"], genauigkeit),
        "format": None if is_missing(ev.get("format")) else str(ev["format"]),
        "teilnehmende": _int(ev.get("teilnehmende")),
        "institutionen": _int(ev.get("institutionen")),
        "dauer_minuten": _int(ev.get("dauer_minuten")),
        "stationen": int(len(st)),
        "station_art": art,
        "station_art_plural": plural_wort(art) if art else None,
    }


# --------------------------------------------------------------------------------------------
# Awareness of offers ("Kennen Sie das Angebot?")
# --------------------------------------------------------------------------------------------
def wilson(ja: Any, n: Any, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval of a share, in percent.

    Dot counts per offer are small (often under 30) and shares near 0 or 100 % are common; the
    Wilson interval stays inside 0–100 % and keeps its coverage there, unlike the textbook
    normal approximation. ``n == 0`` gives ``(nan, nan)``.
    """
    if is_missing(n) or is_missing(ja) or n <= 0:
        return (math.nan, math.nan)
    n = float(n)
    p = float(ja) / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    return (max(0.0, centre - half) * 100, min(1.0, centre + half) * 100)


def _runde_von(veranstaltungen: pd.DataFrame, veranstaltung_id: str) -> int:
    rows = veranstaltungen[veranstaltungen["veranstaltung_id"] == veranstaltung_id]
    if rows.empty:
        raise KeyError(f"Unbekannte Veranstaltung {veranstaltung_id!r}")
    return int(rows["runde"].iloc[0])


def _ja_nein_zaehlung(abstimmungen: pd.DataFrame, frage_ids: Iterable[str]) -> pd.DataFrame:
    """JA and NEIN dots per event, question, station and offer (offer may be missing)."""
    keys = ["veranstaltung_id", "frage_id", "station_id", "angebot_id"]
    v = abstimmungen[abstimmungen["frage_id"].isin(list(frage_ids))].copy()
    v["antwort"] = v["antwort"].astype("string").str.strip().str.upper()
    v = v[v["antwort"].isin(["JA", "NEIN"])]
    if v.empty:
        return pd.DataFrame(columns=[*keys, "ja", "nein"])
    # A question asked of a whole station has no offer; the station then stands for it.
    v["angebot_id"] = v["angebot_id"].astype("string").fillna("")
    counts = (
        v.pivot_table(index=keys, columns="antwort", values="anzahl", aggfunc="sum", fill_value=0)
        .reindex(columns=["JA", "NEIN"], fill_value=0)
        .rename(columns={"JA": "ja", "NEIN": "nein"})
        .reset_index()
    )
    counts.columns.name = None
    return counts


def bekanntheit(
    abstimmungen: pd.DataFrame,
    angebote: pd.DataFrame,
    stationen: pd.DataFrame,
    fragen: pd.DataFrame,
    veranstaltungen: pd.DataFrame,
    veranstaltung_id: str,
    mindeststimmen: int,
) -> pd.DataFrame:
    """Share of JA dots per offer at one event, with Wilson interval and the other events' mean.

    Every offer of the round's stations is listed, also one without any dot: an offer must not
    vanish from the report just because nobody voted. Offers with fewer than ``mindeststimmen``
    dots in total are kept but suppressed (``unterdrueckt``), and their counts and shares are
    blanked *in the returned frame*, so that no table or CSV built from it can reveal them.

    The comparison value ``andere_anteil_ja`` is the unweighted mean of the shares at the other
    events of the same round (the other Sozialräume), each counted only where it is not
    suppressed there; ``andere_veranstaltungen`` says how many events that mean rests on.

    Returns
    -------
    DataFrame
        Columns :data:`BEKANNTHEIT_SPALTEN`; shares in percent; sorted by share (highest first,
        suppressed last), then by offer name.
    """
    runde = _runde_von(veranstaltungen, veranstaltung_id)
    fr = fragen[(fragen["runde"] == runde) & (fragen["typ"] == "ja_nein")]
    round_events = veranstaltungen.loc[veranstaltungen["runde"] == runde, "veranstaltung_id"]
    counts = _ja_nein_zaehlung(
        abstimmungen[abstimmungen["veranstaltung_id"].isin(round_events)], fr["frage_id"]
    )
    counts["n"] = counts["ja"] + counts["nein"]
    counts["anteil_ja"] = counts["ja"] / counts["n"].where(counts["n"] > 0) * 100

    # Universe of rows for this event: every (question, station, offer) voted on anywhere in the
    # round, plus, for a round with a single yes/no question, every offer of its stations.
    keys = ["frage_id", "station_id", "angebot_id"]
    universe = counts[keys].drop_duplicates()
    if len(fr) == 1:
        st_ids = stationen.loc[stationen["runde"] == runde, "station_id"]
        offers = angebote[angebote["station_id"].isin(st_ids)][["station_id", "angebot_id"]]
        offers = offers.assign(frage_id=fr["frage_id"].iloc[0])[keys]
        universe = pd.concat([universe, offers.astype("string")], ignore_index=True)
    universe = universe.astype("string").drop_duplicates()
    if universe.empty:
        return pd.DataFrame(columns=BEKANNTHEIT_SPALTEN)

    counts[keys] = counts[keys].astype("string")
    own = counts[counts["veranstaltung_id"] == veranstaltung_id].drop(columns="veranstaltung_id")
    out = universe.merge(own, on=keys, how="left", validate="1:1")
    for col in ("ja", "nein", "n"):
        out[col] = out[col].fillna(0).astype("int64")

    others = counts[
        (counts["veranstaltung_id"] != veranstaltung_id) & (counts["n"] >= mindeststimmen)
    ]
    mean_others = (
        others.groupby(keys)["anteil_ja"]
        .agg(andere_anteil_ja="mean", andere_veranstaltungen="count")
        .reset_index()
    )
    out = out.merge(mean_others, on=keys, how="left", validate="1:1")
    out["andere_veranstaltungen"] = out["andere_veranstaltungen"].fillna(0).astype("int64")

    intervals = [wilson(j, n) for j, n in zip(out["ja"], out["n"], strict=True)]
    out["ki_unten"] = [lo for lo, _ in intervals]
    out["ki_oben"] = [hi for _, hi in intervals]
    out["anteil_ja"] = (out["ja"] / out["n"].where(out["n"] > 0) * 100).astype("float64")
    out["unterdrueckt"] = out["n"] < mindeststimmen

    hidden = out["unterdrueckt"]
    out[["ja", "nein", "n"]] = out[["ja", "nein", "n"]].astype("Int64")
    out.loc[hidden, ["ja", "nein", "n"]] = pd.NA
    out.loc[hidden, ["anteil_ja", "ki_unten", "ki_oben"]] = np.nan

    names_q = fragen.set_index("frage_id")["frage"].astype("string")
    names_s = stationen.set_index("station_id")["station"].astype("string")
    names_a = angebote.set_index("angebot_id")["angebot"].astype("string")
    out["frage"] = out["frage_id"].map(names_q)
    out["station"] = out["station_id"].map(names_s)
    out["angebot"] = out["angebot_id"].map(names_a).fillna(out["station"])
    out["angebot_id"] = out["angebot_id"].replace("", pd.NA)
    out = out.sort_values(
        ["unterdrueckt", "anteil_ja", "angebot"], ascending=[True, False, True], na_position="last"
    )
    return out[BEKANNTHEIT_SPALTEN].reset_index(drop=True)


def geschuetzte_punkte(
    abstimmungen: pd.DataFrame,
    fragen: pd.DataFrame,
    veranstaltungen: pd.DataFrame,
    veranstaltung_id: str,
    mindeststimmen: int,
) -> int:
    """How many yes/no dots of an event sit in offers :func:`bekanntheit` withholds.

    Why: a published total of the event's dots minus the published ``n`` of every offer gives
    back the withheld ones (secondary disclosure). Where this is above 0, the event's dot total
    must be withheld too.
    """
    runde = _runde_von(veranstaltungen, veranstaltung_id)
    fr = fragen[(fragen["runde"] == runde) & (fragen["typ"] == "ja_nein")]
    eigene = abstimmungen[abstimmungen["veranstaltung_id"] == veranstaltung_id]
    counts = _ja_nein_zaehlung(eigene, fr["frage_id"])
    n = counts["ja"] + counts["nein"]
    return int(n[(n > 0) & (n < mindeststimmen)].sum())


def extreme(bk: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The best and the least known offers (all of them when several share the extreme).

    Ranked by the Wilson interval, not the bare share: 4 of 4 dots (100 %, interval 51–100 %)
    must not count as better known than 21 of 22 (95 %, 78–99 %). The best known offer has the
    highest lower bound, the least known the lowest upper bound. Suppressed offers take no part:
    their share is not shown, so it cannot be named either.

    Returns
    -------
    dict
        ``{"hoechst": rows, "niedrigst": rows}``; both empty when no share is shown.
    """
    shown = bk[~bk["unterdrueckt"].astype(bool) & bk["anteil_ja"].notna()]
    if shown.empty:
        return {"hoechst": shown, "niedrigst": shown}
    # Compare rounded bounds: 86.96 % and 87.04 % both read "87,0 %" and are a tie to the reader.
    unten = shown["ki_unten"].round(1)
    oben = shown["ki_oben"].round(1)
    return {
        "hoechst": shown[unten == unten.max()].sort_values("angebot"),
        "niedrigst": shown[oben == oben.min()].sort_values("angebot"),
    }


# --------------------------------------------------------------------------------------------
# Cards: channel coding by keyword rules
# --------------------------------------------------------------------------------------------
def _norm(text: str) -> str:
    # NFC so that "ü" typed on a Mac (u + combining diaeresis) equals "ü" typed on Windows;
    # casefold so that "STRASSE", "Straße" and "strasse" compare equal.
    return unicodedata.normalize("NFC", str(text)).casefold()


def muster_regex(muster: str) -> re.Pattern[str]:
    """Compile one keyword pattern of ``kanalregeln`` (see :func:`kodiere_kanaele`)."""
    raw = _norm(muster).strip()
    prefix = raw.endswith("*")
    raw = raw.rstrip("*").strip()
    if not raw:
        raise ValueError(f"Leeres Suchmuster in den Kanalregeln: {muster!r}")
    words = [re.escape(w) for w in raw.split()]
    body = r"\s+".join(words)
    tail = "" if prefix else r"(?!\w)"
    return re.compile(rf"(?<!\w){body}{tail}")


def _compiled_rules(regeln: pd.DataFrame) -> list[tuple[re.Pattern[str], str]]:
    ordered = regeln.sort_values("reihenfolge", kind="stable")
    return [
        (muster_regex(str(m)), str(k))
        for m, k in zip(ordered["muster"], ordered["kategorie"], strict=True)
        if not is_missing(m) and str(m).strip()
    ]


def kodiere_kanaele(
    texte: pd.Series | Iterable[str], regeln: pd.DataFrame, sonstiges: str = SONSTIGES
) -> pd.Series:
    """Assign each card text a channel category by the keyword rules of ``kanalregeln``.

    The rule, as the analysts maintain it in ``kanalregeln.csv``:

    - Rules are tried in ascending ``reihenfolge``; the **first** rule whose ``muster`` occurs in
      the text decides the category (so put specific rules before general ones).
    - Matching ignores case (also of umlauts: "Über" = "über"; "ß" = "ss") and Unicode form.
    - A pattern matches only at the **start of a word**: "kita" matches "Kita", "in der Kita." and
      "Kita-Newsletter" (a hyphen separates words) but not "Ankita".
    - Without ``*`` the pattern must be the **whole word**: "kita" does not match "Kitas".
      A ``*`` at the end makes it a **prefix**: "kita*" matches "Kita", "Kitas", "Kitagruppe".
    - A pattern of several words ("soziale medien") matches those words separated by any
      whitespace. Punctuation in a pattern ("e-mail") is matched literally.
    - A text no rule matches gets ``sonstiges``.

    Parameters
    ----------
    texte
        Card texts.
    regeln
        Columns ``reihenfolge``, ``kategorie``, ``muster``.
    sonstiges
        Category for texts without a match.

    Returns
    -------
    Series
        One category per text, aligned with ``texte``.
    """
    series = texte if isinstance(texte, pd.Series) else pd.Series(list(texte), dtype="string")
    rules = _compiled_rules(regeln)

    def code(text: Any) -> str:
        if is_missing(text):
            return sonstiges
        norm = _norm(text)
        for pattern, kategorie in rules:
            if pattern.search(norm):
                return kategorie
        return sonstiges

    return series.map(code).astype("string")


def kategorien_reihenfolge(regeln: pd.DataFrame, sonstiges: str = SONSTIGES) -> list[str]:
    """Categories in the order of their first rule, with ``sonstiges`` last."""
    ordered = regeln.sort_values("reihenfolge", kind="stable")["kategorie"].astype(str)
    cats = list(dict.fromkeys(ordered))
    return [c for c in cats if c != sonstiges] + [sonstiges]


def _karten_mit_namen(
    karten: pd.DataFrame, fragen: pd.DataFrame, stationen: pd.DataFrame, veranstaltung_id: str
) -> pd.DataFrame:
    k = karten[karten["veranstaltung_id"] == veranstaltung_id]
    k = k.merge(
        fragen[["frage_id", "frage", "kanalcodierung"]], on="frage_id", how="left", validate="m:1"
    )
    k = k.merge(stationen[["station_id", "station"]], on="station_id", how="left", validate="m:1")
    k["text"] = k["text"].astype("string").str.strip()
    return k[k["text"].fillna("") != ""]


def karten_kodiert(
    karten: pd.DataFrame,
    fragen: pd.DataFrame,
    stationen: pd.DataFrame,
    kanalregeln: pd.DataFrame,
    veranstaltung_id: str,
) -> pd.DataFrame:
    """The cards of the questions marked ``kanalcodierung``, each with its channel category.

    Covers both "how can the offer become better known?" and "where do you know us from?":
    which questions are coded is data (``fragen.kanalcodierung``), and results stay grouped by
    question because the two questions mean different things.

    Returns
    -------
    DataFrame
        Columns ``frage_id``, ``frage``, ``station_id``, ``station``, ``text``, ``kategorie``,
        sorted by question, category order (:func:`kategorien_reihenfolge`), station and text.
        The texts are raw public input: escape them wherever they reach HTML.
    """
    cols = ["frage_id", "frage", "station_id", "station", "text", "kategorie"]
    k = _karten_mit_namen(karten, fragen, stationen, veranstaltung_id)
    k = k[k["kanalcodierung"].fillna(False).astype(bool)]
    if k.empty:
        return pd.DataFrame(columns=cols)
    k = k.assign(kategorie=kodiere_kanaele(k["text"], kanalregeln).to_numpy())
    order = {c: i for i, c in enumerate(kategorien_reihenfolge(kanalregeln))}
    k["_ord"] = k["kategorie"].map(order)
    k = k.sort_values(["frage_id", "_ord", "station", "text"])
    return k[cols].reset_index(drop=True)


def kanal_haeufigkeit(kodiert: pd.DataFrame, sonstiges: str = SONSTIGES) -> pd.DataFrame:
    """Cards per question and channel category, with the share of the question's cards.

    Returns
    -------
    DataFrame
        Columns ``frage_id``, ``frage``, ``kategorie``, ``anzahl``, ``anteil`` (percent); per
        question the most frequent category first and ``sonstiges`` always last.
    """
    cols = ["frage_id", "frage", "kategorie", "anzahl", "anteil"]
    if kodiert.empty:
        return pd.DataFrame(columns=cols)
    h = kodiert.groupby(["frage_id", "frage", "kategorie"]).size().rename("anzahl").reset_index()
    h["anteil"] = h["anzahl"] / h.groupby("frage_id")["anzahl"].transform("sum") * 100
    h["_last"] = h["kategorie"] == sonstiges
    h = h.sort_values(["frage_id", "_last", "anzahl", "kategorie"], ascending=[1, 1, 0, 1])
    return h[cols].reset_index(drop=True)


def karten_freitext(
    karten: pd.DataFrame, fragen: pd.DataFrame, stationen: pd.DataFrame, veranstaltung_id: str
) -> pd.DataFrame:
    """The cards of questions *not* channel-coded (e.g. "what is missing?"), by station.

    Returns
    -------
    DataFrame
        Columns ``frage_id``, ``frage``, ``station_id``, ``station``, ``text``.
    """
    cols = ["frage_id", "frage", "station_id", "station", "text"]
    k = _karten_mit_namen(karten, fragen, stationen, veranstaltung_id)
    k = k[~k["kanalcodierung"].fillna(False).astype(bool)]
    return k.sort_values(["frage_id", "station", "text"])[cols].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Feedback words
# --------------------------------------------------------------------------------------------
_RAND = " \t\n.,;:!?\"'„“”‚‘’«»()[]{}"


def normalisiere_wort(wort: Any) -> str:
    """A feedback word as typed, tidied only where nobody typed anything: NFC, ``_`` as space.

    Mentimeter joins multi-word answers with ``_``; runs of blanks become one space and blanks at
    the edges go. No other character is removed: ``{{7*7}}`` or ``&lt;/script&gt;`` is shown as
    typed (issue 16), so the page never shows a word nobody wrote.
    """
    if is_missing(wort):
        return ""
    text = unicodedata.normalize("NFC", str(wort)).replace("_", " ")
    return " ".join(text.split())


def _wortkern(wort: str) -> str:
    """The word without edge punctuation, for counting only ("informativ!" counts as "informativ").

    A word made of punctuation alone keeps itself, so it is counted, not dropped.
    """
    return wort.strip(_RAND) or wort


def feedback_haeufigkeit(feedback: pd.DataFrame, veranstaltung_id: str) -> pd.DataFrame:
    """How often each feedback word was given at an event.

    Spellings that differ only in case, spacing or edge punctuation count as one word
    ("Informativ", "informativ ", "informativ!"). The word shown is always one as typed: the
    most frequent spelling (ties: alphabetically first), and of its forms the one without edge
    punctuation where somebody typed it so, else the most frequent form.

    Returns
    -------
    DataFrame
        Columns ``wort``, ``anzahl``, ``anteil`` (percent of all words of the event), most
        frequent first, ties alphabetically.
    """
    cols = ["wort", "anzahl", "anteil"]
    words = feedback.loc[feedback["veranstaltung_id"] == veranstaltung_id, "wort"]
    typed = pd.Series([normalisiere_wort(w) for w in words], dtype="string")
    typed = typed[typed != ""]
    if typed.empty:
        return pd.DataFrame(columns=cols)
    core = pd.Series([_wortkern(w) for w in typed], index=typed.index, dtype="string")
    df = pd.DataFrame({"form": typed, "kern": core, "key": core.str.casefold()})
    spell = df.groupby(["key", "kern"]).size().rename("k").reset_index()
    spell = spell.sort_values(["key", "k", "kern"], ascending=[True, False, True])
    best = spell.drop_duplicates("key").set_index("key")["kern"]
    forms = df[df["kern"] == df["key"].map(best)]
    forms = forms.groupby(["key", "form"]).size().rename("k").reset_index()
    forms["roh"] = forms["form"] != forms["key"].map(best)
    forms = forms.sort_values(["key", "roh", "k", "form"], ascending=[True, True, False, True])
    label = forms.drop_duplicates("key").set_index("key")["form"]
    counts = df.groupby("key").size().rename("anzahl")
    out = pd.DataFrame({"wort": label, "anzahl": counts}).reset_index(drop=True)
    out["anzahl"] = out["anzahl"].astype("int64")
    out["anteil"] = out["anzahl"] / out["anzahl"].sum() * 100
    return out.sort_values(["anzahl", "wort"], ascending=[False, True])[cols].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Handlungsempfehlungen
# --------------------------------------------------------------------------------------------
def handlungsempfehlungen(
    he: pd.DataFrame,
    sozialraum_id: str,
    quartiere: pd.DataFrame | None = None,
    ganzer_sozialraum: str = "ganzer Sozialraum",
) -> pd.DataFrame:
    """The Handlungsempfehlungen of one Sozialraum, with the Quartier names spelled out.

    Returns
    -------
    DataFrame
        The rows of ``he`` for the Sozialraum plus ``quartiere_text`` (names joined by ", ";
        ``ganzer_sozialraum`` where the list is empty), sorted by Handlungsfeld and id.
    """
    rows = he[he["sozialraum_id"].astype(str) == str(sozialraum_id)].copy()
    names: dict[str, str] = {}
    if quartiere is not None:
        names = dict(zip(quartiere["quartier_id"].astype(str), quartiere["quartier"], strict=True))

    def text(ids: Any) -> str:
        if ids is None or (not isinstance(ids, list | tuple | np.ndarray) and is_missing(ids)):
            return ganzer_sozialraum
        ids = list(ids)
        if not ids:
            return ganzer_sozialraum
        return ", ".join(names.get(str(i), str(i)) for i in ids)

    rows["quartiere_text"] = [text(v) for v in rows["quartier_ids"]]
    return rows.sort_values(["handlungsfeld", "he_id"]).reset_index(drop=True)


def status_zaehlung(he_sr: pd.DataFrame) -> pd.DataFrame:
    """Number of Handlungsempfehlungen per status in the fixed order, zeros included.

    A status outside :data:`STATUS_REIHENFOLGE` is not dropped but listed after the known ones.

    Returns
    -------
    DataFrame
        Columns ``status``, ``anzahl``.
    """
    counts = he_sr["status"].astype("string").value_counts()
    extra = sorted(s for s in counts.index if s not in STATUS_REIHENFOLGE)
    order = [*STATUS_REIHENFOLGE, *extra]
    return pd.DataFrame({"status": order, "anzahl": [int(counts.get(s, 0)) for s in order]}).astype(
        {"status": "string", "anzahl": "int64"}
    )
