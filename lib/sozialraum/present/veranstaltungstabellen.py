"""Tables of an event: key facts, awareness of offers, cards per channel, feedback words.

Also the Handlungsempfehlungen and their status; built from the blocks of
:mod:`~sozialraum.present.tables`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from sozialraum.fmt import (
    UNTERDRUECKT,
    anzahl,
    fmt_date,
    fmt_int,
    fmt_num,
    fmt_pct,
    genauigkeiten,
    is_missing,
)
from sozialraum.grammatik import gross, nomen, ohne_artikel
from sozialraum.present.tables import VORLAGE, csv_download_link, dateiname, hinweis, tabelle
from sozialraum.present.vorlagen import block, markup

LISTE_MAX = 50
"""Cards shown per channel (and per free-text question) and feedback words shown in the
page; the rest is counted in a line ("… und 99.950 weitere Karten") and is in the CSV."""


def _block(makro: str, /, **daten: Any) -> str:
    """A macro of the table template as a plain string (callers join and concatenate it)."""
    return str(block(VORLAGE, makro, **daten))


def kennzahlen_html(
    k: dict[str, Any] | None,
    *,
    sozialraum_name: str = "",
    einheit: Any = None,
    veranstaltung: Any = None,
) -> str:
    """Key facts of the event as a short list ("88 Teilnehmende", "13 Themeninseln", …).

    ``einheit`` and ``veranstaltung`` are the config's nouns (``cfg.begriffe.einheit``,
    ``cfg.stadt.veranstaltung``) for the sentence shown before the first event.
    """
    if k is None:
        where = f" {sozialraum_name}" if sozialraum_name else ""
        wer = nomen(einheit, "akkusativ") if einheit is not None else "den Sozialraum"
        was = (
            nomen(veranstaltung, art="kein") if veranstaltung is not None else "keine Veranstaltung"
        )
        return hinweis(f"Für {wer}{where} ist noch {was} erfasst.")
    items = [f"Datum: {k['datum_text']}"]
    if k.get("format"):
        items.append(f"Format: {k['format']}")
    if k.get("teilnehmende") is not None:
        n = k["teilnehmende"]
        items.append(f"{fmt_int(n)} {'teilnehmende Person' if n == 1 else 'Teilnehmende'}")
    if k.get("institutionen") is not None:
        n = k["institutionen"]
        items.append(f"{fmt_int(n)} {'Institution' if n == 1 else 'Institutionen'}")
    if k.get("stationen"):
        n = k["stationen"]
        art = k.get("station_art")
        word = (art if n == 1 else k.get("station_art_plural")) if art else None
        items.append(f"{fmt_int(n)} {word or ('Station' if n == 1 else 'Stationen')}")
    if k.get("dauer_minuten") is not None:
        items.append(f"Dauer: {fmt_int(k['dauer_minuten'])} Minuten")
    return _block("kennzahlen", eintraege=items)


def bekanntheit_tabelle(
    bk: pd.DataFrame,
    mindeststimmen: int,
    *,
    sozialraum_name: str = "",
    einheiten: Any = "Sozialräume",
    filename: str = "bekanntheit-angebote.csv",
) -> str:
    """Awareness of each offer: share JA with n, Wilson interval and the other Sozialräume' mean.

    Suppressed offers stay in the table with ``•`` and ``n`` shown as ``< mindeststimmen``.
    ``einheiten`` is the config's noun of the report unit (``Begriff``; a plain plural is taken
    as written).
    """
    andere = gross(ohne_artikel(einheiten, mehrzahl=True, adjektiv="ander"))
    if bk.empty:
        return hinweis(
            "Für diese Veranstaltung liegen keine Abstimmungen zur Bekanntheit von Angeboten vor."
        )
    hidden = bk["unterdrueckt"].astype(bool)
    show = pd.DataFrame(
        {
            "Angebot": bk["angebot"],
            "JA": [
                UNTERDRUECKT if h else fmt_int(v) for v, h in zip(bk["ja"], hidden, strict=True)
            ],
            "n": [
                f"< {mindeststimmen}" if h else fmt_int(v)
                for v, h in zip(bk["n"], hidden, strict=True)
            ],
            "Anteil JA": [
                UNTERDRUECKT if h else fmt_pct(v, 0)
                for v, h in zip(bk["anteil_ja"], hidden, strict=True)
            ],
            "Vertrauensbereich": [
                UNTERDRUECKT if h else f"{fmt_num(lo, 0)}–{fmt_num(hi, 0)} %"
                for lo, hi, h in zip(bk["ki_unten"], bk["ki_oben"], hidden, strict=True)
            ],
            f"{andere} (Mittel)": [fmt_pct(v, 0) for v in bk["andere_anteil_ja"]],
        }
    )
    frage = bk["frage"].dropna().iloc[0] if bk["frage"].notna().any() else "Kennen Sie das Angebot?"
    where = f" in {sozialraum_name}" if sozialraum_name else ""
    caption = f"Bekanntheit der Angebote{where}: Anteil „JA“ auf die Frage „{frage}“"
    notes = [
        "n = Zahl aller Punkte (JA und NEIN) zum Angebot. Vertrauensbereich (siehe „Begriffe“): "
        "Bei so wenigen Punkten ist der Anteil unsicher; der wahre Wert liegt mit hoher "
        "Wahrscheinlichkeit in diesem Bereich.",
        f"{andere} (Mittel): ungewichteter Mittelwert der Anteile bei den anderen "
        "Veranstaltungen derselben Runde (– = dort nicht abgefragt oder zu wenige Punkte).",
    ]
    if hidden.any():
        notes.append(
            f"{UNTERDRUECKT} = nicht ausgewiesen, weil weniger als {mindeststimmen} Punkte "
            "geklebt wurden (Schutz einzelner Teilnehmender)."
        )
    csv = bk[
        [
            "station",
            "angebot",
            "ja",
            "nein",
            "n",
            "anteil_ja",
            "ki_unten",
            "ki_oben",
            "andere_anteil_ja",
            "andere_veranstaltungen",
            "unterdrueckt",
        ]
    ].copy()
    csv[["anteil_ja", "ki_unten", "ki_oben", "andere_anteil_ja"]] = csv[
        ["anteil_ja", "ki_unten", "ki_oben", "andere_anteil_ja"]
    ].round(1)
    return tabelle(show, caption, csv=csv, filename=filename, footnotes=notes)


def weitere(n: int, singular: str, mehrzahl: str) -> str:
    """The line after a shortened list: "… und 99.950 weitere Karten" (nothing for n = 0)."""
    if n <= 0:
        return ""
    return _block("weitere", text=anzahl(n, singular, mehrzahl))


def kanal_tabellen(
    kodiert: pd.DataFrame,
    haeufigkeit: pd.DataFrame,
    *,
    dateiteile: Sequence[Any] = (),
    max_karten: int = LISTE_MAX,
) -> str:
    """Per channel-coded question: cards per category, then the card texts of each category.

    The texts are the public's own words and are always escaped. ``dateiteile`` (slug, year)
    end the CSV file names. Each channel lists at most ``max_karten`` cards and counts the
    rest ("… und 99.950 weitere Karten"); the CSV download of the question holds all of them,
    so 100,000 cards still give a page of bounded size.
    """
    if kodiert.empty:
        return hinweis("Für diese Veranstaltung liegen keine Moderationskarten vor.")
    blocks = []
    for frage_id, h in haeufigkeit.groupby("frage_id", sort=False):
        frage = str(h["frage"].iloc[0])
        show = pd.DataFrame(
            {
                "Kanal": h["kategorie"],
                "Karten": h["anzahl"].astype("int64"),
                "Anteil": [fmt_pct(v, 0) for v in h["anteil"]],
            }
        )
        table = tabelle(
            show,
            f"„{frage}“: Moderationskarten nach Kanal",
            csv=kodiert[kodiert["frage_id"] == frage_id][["station", "kategorie", "text"]],
            filename=dateiname("karten", frage_id, *dateiteile),
            footnotes=[
                "Zuordnung der Karten zu Kanälen nach Schlagwortregeln "
                "(erste passende Regel; ohne Treffer: „Sonstiges“)."
            ],
        )
        kanaele = []
        k = kodiert[kodiert["frage_id"] == frage_id]
        gruppen = dict(tuple(k.groupby("kategorie", sort=False)))
        for kategorie in h["kategorie"]:
            texts = gruppen.get(kategorie, k.iloc[0:0])
            n = len(texts)
            shown = texts.head(max_karten)
            karten = [
                {"text": t, "station": None if is_missing(s) else s}
                for t, s in zip(shown["text"], shown["station"], strict=True)
            ]
            kanaele.append(
                {
                    "kategorie": kategorie,
                    "anzahl": anzahl(n, "Karte", "Karten"),
                    "karten": karten,
                    "weitere": markup(weitere(n - len(shown), "weitere Karte", "weitere Karten")),
                }
            )
        blocks.append(_block("kanalfrage", tabelle=markup(table), kanaele=kanaele))
    return "\n".join(blocks)


def freitext_liste(
    karten: pd.DataFrame,
    *,
    dateiteile: Sequence[Any] = (),
    max_karten: int = LISTE_MAX,
) -> str:
    """Cards of questions that are not channel-coded, grouped by question and station.

    Per question at most ``max_karten`` cards are listed, then "… und 1.234 weitere Karten";
    the question's CSV download (file name ends in ``dateiteile``) holds every card.
    """
    if karten.empty:
        return hinweis("Für diese Veranstaltung liegen keine weiteren Moderationskarten vor.")
    fragen = []
    for (frage_id, frage), k in karten.groupby(["frage_id", "frage"], sort=False):
        shown = k.head(max_karten)
        gruppen = [
            {"station": None if is_missing(station) else station, "texte": list(ks["text"])}
            for station, ks in shown.groupby("station", sort=False, dropna=False)
        ]
        name = dateiname("karten", frage_id, *dateiteile)
        fragen.append(
            {
                "frage": frage,
                "gruppen": gruppen,
                "weitere": markup(weitere(len(k) - len(shown), "weitere Karte", "weitere Karten")),
                "link": markup(csv_download_link(k[["station", "text"]], name)),
            }
        )
    return _block("freitext_liste", fragen=fragen)


def feedback_tabelle(
    freq: pd.DataFrame, top: int | None = LISTE_MAX, *, filename: str = "feedbackwoerter.csv"
) -> str:
    """Feedback words with their counts: the ``top`` most frequent (None: all).

    The rest is counted below the table ("… und 1.234 weitere Wörter"); the CSV holds every
    word.
    """
    if freq.empty:
        return hinweis("Für diese Veranstaltung liegen keine Feedbackwörter vor.")
    f = freq if top is None else freq.head(top)
    show = pd.DataFrame(
        {
            "Wort": f["wort"],
            "Nennungen": f["anzahl"].astype("int64"),
            "Anteil": [fmt_pct(v, 0) for v in f["anteil"]],
        }
    )
    total = int(freq["anzahl"].sum())
    caption = f"Feedbackwörter ({anzahl(total, 'Nennung', 'Nennungen')})"
    if len(f) < len(freq):
        caption += f", die {fmt_int(len(f))} häufigsten"
    rest = weitere(len(freq) - len(f), "weiteres Wort", "weitere Wörter")
    return tabelle(show, caption, csv=freq, filename=filename, anhang=rest)


def _dates_with_precision(df: pd.DataFrame, column: str) -> list[tuple[Any, str]]:
    precision = genauigkeiten(df.get(f"{column}_genauigkeit"), len(df))
    return list(zip(df[column], precision, strict=True))


def _iso_dates(df: pd.DataFrame, column: str) -> list[str]:
    """ISO dates for CSV, "JJJJ-MM" where only the month is known (as the analyst typed it)."""
    return [
        "" if pd.isna(d) else pd.Timestamp(d).strftime("%Y-%m" if g == "monat" else "%Y-%m-%d")
        for d, g in _dates_with_precision(df, column)
    ]


def handlungsempfehlungen_tabelle(
    he_sr: pd.DataFrame,
    *,
    sozialraum_name: str = "",
    gebiete: str = "Quartiere",
    filename: str = "handlungsempfehlungen.csv",
) -> str:
    """The Handlungsempfehlungen of a Sozialraum with Quartiere, responsibility, status and date."""
    where = f" für {sozialraum_name}" if sozialraum_name else ""
    if he_sr.empty:
        return hinweis(f"Es liegen keine Handlungsempfehlungen{where} vor.")
    show = pd.DataFrame(
        {
            "Handlungsempfehlung": he_sr["titel"],
            "Handlungsfeld": he_sr["handlungsfeld"],
            gebiete: he_sr["quartiere_text"],
            "Zuständig": he_sr["zustaendig"],
            "Status": he_sr["status"],
            "Stand": [fmt_date(d, g) for d, g in _dates_with_precision(he_sr, "status_datum")],
        }
    )
    csv = he_sr[
        ["he_id", "handlungsfeld", "titel", "zustaendig", "quartiere_text", "status"]
    ].assign(status_datum=_iso_dates(he_sr, "status_datum"))
    return tabelle(
        show,
        f"Handlungsempfehlungen{where} und Stand der Umsetzung",
        csv=csv,
        filename=filename,
    )


def status_tabelle(zaehlung: pd.DataFrame) -> str:
    """Number of Handlungsempfehlungen per status, fixed order."""
    if int(zaehlung["anzahl"].sum()) == 0:
        return hinweis("Es liegen keine Handlungsempfehlungen vor.")
    show = pd.DataFrame({"Status": zaehlung["status"], "Anzahl": zaehlung["anzahl"]})
    return tabelle(
        show, "Handlungsempfehlungen nach Status", csv=zaehlung, filename="he-status.csv"
    )
