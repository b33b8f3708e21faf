"""Validation of the events (Veranstaltungen, stations, questions, votes, cards, feedback words).

The references between the event files, the events' dates against the config's Termine, and the
Mentimeter exports named in the config.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from sozialraum.config import termin_datum
from sozialraum.names import NameMatcher, closest
from sozialraum.read.mentimeter import MentimeterError, mentimeter_words, read_mentimeter
from sozialraum.read.problems import nearby_file
from sozialraum.read.schemas import BEWERTUNG, FRAGETYPEN, JA_NEIN, Converted, Erlaubt
from sozialraum.read.validation_run import _Run


def _ids(conv: Converted | None, column: str) -> tuple[str, ...] | None:
    if conv is None:
        return None
    return tuple(conv.df[column].dropna().astype(str).unique())


def _ref(values: tuple[str, ...] | None, what: str, datei: str) -> Erlaubt | None:
    if values is None:
        return None
    return Erlaubt(values, f"kommt in {datei} nicht vor", f"eine {what} aus {datei}")


def _events(run: _Run, sr_erlaubt: Erlaubt) -> dict[str, Converted]:
    ev = run.read("veranstaltungen")
    st = run.read("stationen")
    an = run.read("angebote")
    fr = run.read("fragen")
    ab = run.read("abstimmungen")
    ka = run.read("karten")
    fb = run.read("feedback")

    def label(c: Converted | None, name: str) -> str:
        return c.raw.datei if c is not None else name

    ev_ref = _ref(_ids(ev, "veranstaltung_id"), "veranstaltung_id", label(ev, "veranstaltungen"))
    st_ref = _ref(_ids(st, "station_id"), "station_id", label(st, "stationen"))
    an_ref = _ref(_ids(an, "angebot_id"), "angebot_id", label(an, "angebote"))
    fr_ref = _ref(_ids(fr, "frage_id"), "frage_id", label(fr, "fragen"))

    def only(**refs: Erlaubt | None) -> dict[str, Erlaubt]:
        return {k: v for k, v in refs.items() if v is not None}

    if fr is not None:  # tolerate "JA_NEIN" or "Ja-Nein" where the type is meant
        fr.df["typ"] = fr.df["typ"].map(_canonical(FRAGETYPEN), na_action="ignore")
    if ab is not None:
        ab.df["antwort"] = ab.df["antwort"].str.strip().str.upper()
    run.validate_schema("veranstaltungen", ev, {"sozialraum_id": sr_erlaubt})
    run.validate_schema("stationen", st)
    run.validate_schema("angebote", an, only(station_id=st_ref))
    run.validate_schema(
        "fragen",
        fr,
        {
            "typ": Erlaubt(
                FRAGETYPEN, "ist kein Fragetyp", "ja_nein, freitext, bewertung oder feedback_wort"
            )
        },
    )
    run.validate_schema(
        "abstimmungen",
        ab,
        only(veranstaltung_id=ev_ref, station_id=st_ref, angebot_id=an_ref, frage_id=fr_ref),
    )
    run.validate_schema(
        "karten", ka, only(veranstaltung_id=ev_ref, station_id=st_ref, frage_id=fr_ref)
    )
    run.validate_schema("feedback", fb, only(veranstaltung_id=ev_ref))

    if ev is not None:
        _termine(run, ev)
    typ = dict(zip(fr.df["frage_id"], fr.df["typ"], strict=True)) if fr is not None else {}
    if ab is not None:
        station_of = dict(zip(an.df["angebot_id"], an.df["station_id"], strict=True)) if an else {}
        for pos in range(len(ab.df)):
            row = ab.df.iloc[pos]
            t = typ.get(row["frage_id"])
            if t is not None and t not in ("ja_nein", "bewertung"):
                run.cell(
                    ab,
                    pos,
                    "frage_id",
                    f'Die Frage "{row["frage_id"]}" hat den Typ {t}; abgestimmt wird nur über '
                    "Fragen vom Typ ja_nein oder bewertung",
                    erwartet="eine frage_id vom Typ ja_nein oder bewertung",
                )
            allowed = JA_NEIN if t == "ja_nein" else BEWERTUNG if t == "bewertung" else None
            if allowed and not pd.isna(row["antwort"]) and row["antwort"] not in allowed:
                run.cell(
                    ab,
                    pos,
                    "antwort",
                    f'"{ab.raw.df["antwort"].iloc[pos]}" ist keine Antwort auf eine Frage vom '
                    f"Typ {t}",
                    erwartet=" oder ".join(allowed),
                )
            angebot = row["angebot_id"]
            if (
                not pd.isna(angebot)
                and angebot in station_of
                and station_of[angebot] != row["station_id"]
            ):
                run.cell(
                    ab,
                    pos,
                    "angebot_id",
                    f'Das Angebot "{angebot}" gehört zur Station "{station_of[angebot]}", nicht '
                    f'zu "{row["station_id"]}"',
                    erwartet="ein Angebot der angegebenen Station",
                    vorschlag=station_of[angebot],
                )
    if ka is not None:
        for pos in range(len(ka.df)):
            t = typ.get(ka.df["frage_id"].iloc[pos])
            if t is not None and t != "freitext":
                run.cell(
                    ka,
                    pos,
                    "frage_id",
                    f'Die Frage "{ka.df["frage_id"].iloc[pos]}" hat den Typ {t}; Karten gehören '
                    "zu Fragen vom Typ freitext",
                    erwartet="eine frage_id vom Typ freitext",
                )
    if fb is not None:
        for pos, wort in enumerate(fb.df["wort"]):
            if isinstance(wort, str) and len(wort.split()) > 2:
                run.cell(
                    fb,
                    pos,
                    "wort",
                    f'"{wort}" hat mehr als zwei Wörter',
                    erwartet="ein bis zwei Wörter",
                    schwere="Warnung",
                )
    return {k: v for k, v in {"veranstaltungen": ev, "feedback": fb}.items() if v is not None}


def _canonical(values: tuple[str, ...]) -> Callable[[str], str]:
    matcher = NameMatcher(values)

    def to_canonical(value: str) -> str:
        match = matcher.match(value.strip())
        return match.name if match.ok else value

    return to_canonical


def _termine(run: _Run, ev: Converted) -> None:
    """An event's date must agree with the config's Termin of its Sozialraum and round."""
    by_id = {s.id: s for s in run.cfg.sozialraeume}
    df = ev.df
    for pos in range(len(df)):
        sr = by_id.get(df["sozialraum_id"].iloc[pos])
        datum = df["datum"].iloc[pos]
        runde = df["runde"].iloc[pos]
        if sr is None or pd.isna(datum) or pd.isna(runde):
            continue
        termine = [t for t in sr.termine if t.runde == int(runde)]
        if not termine:
            run.cell(
                ev,
                pos,
                "runde",
                f"Die Konfiguration hat für {sr.name} keinen Termin der Runde {runde}",
                erwartet="einen Termin in [[sozialraeume]] termine",
                schwere="Warnung",
            )
            continue
        termin = termine[0]
        soll = termin_datum(termin.datum)
        month_only = len(termin.datum) == 7 or df["datum_genauigkeit"].iloc[pos] == "monat"
        same = (datum.year, datum.month) == (soll.year, soll.month)
        if not month_only:
            same = datum.date() == soll
        if not same:
            shown = soll.strftime("%m/%Y") if len(termin.datum) == 7 else soll.strftime("%d.%m.%Y")
            run.cell(
                ev,
                pos,
                "datum",
                f"Das Datum passt nicht zum Termin der Konfiguration ({sr.name}, Runde {runde}: "
                f"{shown})",
                erwartet=f"den Termin aus der Konfiguration ({shown})",
            )


def _mentimeter(run: _Run, events: dict[str, Converted]) -> pd.DataFrame:
    """Feedback words from the Mentimeter exports named in the config."""
    frames = []
    ev = events.get("veranstaltungen")
    known = set(ev.df["veranstaltung_id"].dropna()) if ev is not None else None
    for m in run.cfg.eingaben.mentimeter:
        path = (run.cfg.basis / m.datei).resolve()
        datei = run.label(path)
        if known is not None and m.veranstaltung_id not in known:
            run.problem(
                run.label(run.cfg.pfad),
                f'[[eingaben.mentimeter]] nennt die Veranstaltung "{m.veranstaltung_id}", die in '
                f"{ev.raw.datei} nicht vorkommt",
                wert=m.veranstaltung_id,
                erwartet="eine veranstaltung_id aus der Veranstaltungen-Datei",
                vorschlag=closest(m.veranstaltung_id, known, 0.6),
            )
        if not path.is_file():
            run.problem(
                datei,
                "Die Datei existiert nicht",
                erwartet="ein Mentimeter-Export",
                vorschlag=nearby_file(path),
            )
            continue
        try:
            export = read_mentimeter(path)
            words, notes = mentimeter_words(export, m.frage)
        except MentimeterError as exc:
            run.problem(datei, str(exc), erwartet=f'eine Frage, die mit "{m.frage}" beginnt')
            continue
        for note in notes:
            run.problem(datei, note, schwere="Warnung")
        words = words.assign(
            veranstaltung_id=m.veranstaltung_id,
            erfunden=bool(getattr(m, "erfunden", False)),
            quelle=datei,
        )
        frames.append(words[["veranstaltung_id", "wort", "erfunden", "quelle"]])
    if not frames:
        return pd.DataFrame(
            {
                "veranstaltung_id": pd.Series([], dtype="str"),
                "wort": pd.Series([], dtype="str"),
                "erfunden": pd.Series([], dtype=bool),
                "quelle": pd.Series([], dtype="str"),
            }
        )
    return pd.concat(frames, ignore_index=True)
