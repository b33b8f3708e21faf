"""The sections of a report, each one HTML block for one notebook cell.

The notebooks stay thin: a cell calls one method here and shows what it returns. Every number,
name and sentence comes from the prepared data; every text from the public is escaped by the
functions that put it into HTML.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import HTML
from markupsafe import escape

from sozialraum import __version__, charts, events, maps, narrative, tables
from sozialraum.config import Config, ConfigError, load_config
from sozialraum.figures import PNG_DPI, figure_html
from sozialraum.fmt import (
    anzahl,
    aufzaehlung,
    fmt_date,
    fmt_date_text,
    fmt_int,
    fmt_latest_date,
    fmt_num,
    fmt_pct,
    fmt_pp,
    latest_date,
)
from sozialraum.index import aggregate, publish
from sozialraum.store import Prepared, prepare, read_store

BANNER = (
    '<div class="beispieldaten-banner" role="note"><strong>Beispieldaten.</strong> '
    "Dieser Bericht enthält erfundene Werte zur Erprobung des Werkzeugs. Die Zahlen sind "
    "keine amtlichen Angaben und dürfen nicht als solche verwendet werden.</div>"
)


def _h(level: int, text: str) -> str:
    return f"<h{level}>{escape(text)}</h{level}>"


def _p(text: str) -> str:
    return f"<p>{escape(text)}</p>"


def _figure(
    chart: tuple[Any, str], caption: str, csv: pd.DataFrame | None = None, **kw: Any
) -> str:
    """A chart as figure, or the sentence the chart function gives when there is nothing to draw."""
    fig, alt = chart
    if fig is None:
        return tables.hinweis(alt)
    return figure_html(fig, alt, caption, csv=csv, **kw)


def _with_year(cfg: Config, berichtsjahr: int | None) -> Config:
    """The config for another report year of the series (papermill does not check parameters)."""
    if berichtsjahr is None or berichtsjahr == cfg.methode.berichtsjahr:
        return cfg
    jahre = sorted(cfg.methode.jahre)
    if berichtsjahr not in jahre[1:]:
        valid = ", ".join(str(j) for j in jahre[1:])
        raise ConfigError(
            f"Berichtsjahr {berichtsjahr} ist nicht möglich. Gültig sind (mit Vorjahr zum "
            f"Vergleich): {valid}"
        )
    methode = cfg.methode.model_copy(
        update={
            "berichtsjahr": berichtsjahr,
            "vergleichsjahr": jahre[jahre.index(berichtsjahr) - 1],
        }
    )
    return cfg.model_copy(update={"methode": methode})


def load_prepared(
    config: str | Path | None, store: str | Path | None, berichtsjahr: int | None
) -> Prepared:
    """Read the batch's store when given, else validate and compute from the raw inputs."""
    cfg = load_config(config)
    if berichtsjahr is not None and berichtsjahr != cfg.methode.berichtsjahr:
        return prepare(_with_year(cfg, berichtsjahr))
    if store is not None:
        return read_store(Path(store), cfg)
    return prepare(cfg)


def git_commit(folder: Path) -> str:
    """The commit of the project the report was rendered from, for the provenance line."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        return out.stdout.strip() + (" (mit lokalen Änderungen)" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unbekannt (kein Git-Repository)"


@dataclass
class _Bericht:
    """What both report kinds share: data, aggregates, method and provenance."""

    data: Prepared
    dpi: int = PNG_DPI
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def cfg(self) -> Config:
        return self.data.cfg

    @property
    def jahr(self) -> int:
        return self.cfg.methode.berichtsjahr

    @property
    def erfunden(self) -> bool:
        return bool(self.data.inputs.erfunden)

    @cached_property
    def sr_agg(self) -> pd.DataFrame:
        r = self.data.result
        return aggregate(self.cfg, r.werte, self.data.inputs.quartiere, "sozialraum")

    @cached_property
    def stadt_agg(self) -> pd.DataFrame:
        r = self.data.result
        return aggregate(self.cfg, r.werte, self.data.inputs.quartiere, "stadt")

    def _fig(self, chart: tuple[Any, str], caption: str, csv=None, **kw: Any) -> str:
        """A chart at the report's resolution (the notebook's ``bild_dpi``)."""
        return _figure(chart, caption, csv, dpi=self.dpi, **kw)

    def _banner(self) -> str:
        return BANNER if self.erfunden else ""

    def _index_table(self, index: pd.DataFrame, caption: str, by_sozialraum: bool) -> str:
        names = {s.id: s.name for s in self.cfg.sozialraeume}
        df = publish(index).copy()
        show = pd.DataFrame(
            {
                "Sozialquartier": df["quartier"],
                **({"Sozialraum": df["sozialraum_id"].map(names)} if by_sozialraum else {}),
                "Einwohner*innen": df["einwohner"],
                "Status": df["status_klasse"],
                "Dynamik": df["dynamik_klasse"],
                "Hinweis": df["ausschluss_grund"].fillna(""),
            }
        )
        return tables.tabelle(
            show,
            caption,
            csv=show,
            filename="sozialindex.csv",
            formats={"Einwohner*innen": fmt_int},
        )

    def _method_html(self) -> str:
        cfg, m = self.cfg, self.cfg.methode
        parts = [_h(2, "Methodik, Quellen und Datenstand")]
        rows = pd.DataFrame(
            {
                "Indikator": [i.label for i in cfg.indikatoren],
                "Zähler": [i.zaehler for i in cfg.indikatoren],
                "Nenner": [i.nenner for i in cfg.indikatoren],
                "Statusindex": ["ja" if i.status else "nein" for i in cfg.indikatoren],
                "Dynamikindex": ["ja" if i.dynamik else "nein" for i in cfg.indikatoren],
            }
        )
        kombi = "Mittelwert" if m.kombination == "mittelwert" else "Summe"
        parts.append(
            _p(
                f"Der Sozialindex fasst {anzahl(len(cfg.indikatoren), 'Indikator', 'Indikatoren')} "
                f"der Armutsgefährdung je Sozialquartier zusammen. Jeder Anteil wird über die "
                f"Quartiere der Stadt z-standardisiert (städtischer Durchschnitt 0); der "
                f"Statusindex ist der {kombi} der z-Werte im Jahr {m.berichtsjahr}, der "
                f"Dynamikindex der {kombi} der standardisierten Veränderungen in Prozentpunkten "
                f"von {m.vergleichsjahr} bis {m.berichtsjahr}. Quartiere mit weniger als "
                f"{fmt_int(m.mindestbevoelkerung)} Einwohner*innen gehen nicht in die "
                f"Standardisierung ein. Fallzahlen unter {m.mindestfallzahl} werden nicht "
                f"veröffentlicht (•), ebenso Werte, aus denen sie sich zurückrechnen ließen."
            )
        )
        parts.append(
            tables.tabelle(
                rows, "Indikatoren des Sozialindex", csv=rows, filename="indikatoren-definition.csv"
            )
        )
        for titel, klassen in (
            ("Klassen des Statusindex", m.status),
            ("Klassen des Dynamikindex", m.dynamik),
        ):
            einheit = (
                "Standardabweichungen"
                if klassen.schwellen_typ == "standardabweichung"
                else "Indexpunkte"
            )
            grenzen = aufzaehlung(fmt_num(s, 1, sign=True) for s in klassen.schwellen)
            beschreibung = "; ".join(
                f"{lab}: {txt}"
                for lab, txt in zip(klassen.labels, klassen.beschreibung, strict=False)
            )
            parts.append(_p(f"{titel}: Grenzen bei {grenzen} {einheit}. {beschreibung}."))
        parts.append(
            _p(
                "Der Index allein sagt nicht, wo gehandelt werden muss: Er zeigt, wo sich "
                "Armutsrisiken statistisch bündeln. Ob und welcher Handlungsbedarf besteht, "
                "ergibt sich erst zusammen mit dem Wissen der Fachleute vor Ort – deshalb stehen "
                f"in diesem Bericht die Ergebnisse der {cfg.stadt.veranstaltung.mehrzahl} neben "
                "dem Index. "
                "Vergleichbare Verfahren: Monitoring Soziale Stadtentwicklung (Berlin), "
                "Sozialmonitoring Integrierte Stadtteilentwicklung (Hamburg)."
            )
        )
        geo = f"Geometrie: {cfg.stadt.geometrie_version}."
        if cfg.stadt.geometrie_schematisch:
            geo += " Die Grenzen sind schematisch, keine amtlichen Grenzen."
        parts.append(_p(geo))
        quellen = sorted(
            {
                str(q)
                for name in (
                    "bevoelkerung",
                    "indikatoren",
                    "veranstaltungen",
                    "abstimmungen",
                    "karten",
                    "handlungsempfehlungen",
                )
                for q in getattr(self.data.inputs, name)
                .get("quelle", pd.Series(dtype=str))
                .dropna()
                .unique()
                if str(q).strip()
            }
        )
        if quellen:
            parts.append(
                "<p>Quellen der Daten:</p><ul>"
                + "".join(f"<li>{escape(q)}</li>" for q in quellen)
                + "</ul>"
            )
        parts.append(_p("Datenstand: " + "; ".join(self._datenstand()) + "."))
        sums = "; ".join(
            f"{name}: {digest[:12]}" for name, digest in sorted(self.data.inputs.checksums.items())
        )
        parts.append(
            '<p class="provenienz"><small>Herkunft: sozialraum '
            f"{escape(__version__)}, Git-Commit {escape(git_commit(cfg.basis))}, "
            f"Datenfingerabdruck {escape(self.data.fingerprint[:16])}. "
            f"Prüfsummen (SHA-256) der Eingaben: {escape(sums)}.</small></p>"
        )
        return "\n".join(parts)

    def methodik(self) -> HTML:
        """Method, sources, data as of, provenance."""
        return HTML(self._method_html())

    def _veranstaltungen(self) -> pd.DataFrame:
        """The events this report speaks of (all of them for the city)."""
        return self.data.inputs.veranstaltungen

    def _handlungsempfehlungen(self) -> pd.DataFrame:
        return self.data.inputs.handlungsempfehlungen

    def _datenstand(self) -> list[str]:
        """What "as of" means for each kind of input: a committee asks how fresh each part is."""
        m = self.cfg.methode
        teile = [
            f"Statistik der Sozialbericht-Jahre {aufzaehlung(str(j) for j in m.jahre)} "
            f"(Berichtsjahr {m.berichtsjahr})"
        ]
        ev = self._veranstaltungen()
        last = latest_date(ev["datum"], ev.get("datum_genauigkeit"))
        if last is not None:
            va = self.cfg.stadt.veranstaltung
            teile.append(f"{va.form('letzter')} {va.name} {fmt_date_text(*last)}")
        he = self._handlungsempfehlungen()
        stand = fmt_latest_date(
            he.get("status_datum", pd.Series(dtype=object)), he.get("status_datum_genauigkeit")
        )
        if stand:
            teile.append(f"Handlungsempfehlungen mit Stand bis {stand}")
        teile.append(f"Bericht erstellt am {fmt_date(dt.date.today())}")
        return teile


@dataclass
class Sozialraumbericht(_Bericht):
    """The report of one Sozialraum: index, indicators, event, Handlungsempfehlungen."""

    sozialraum_id: str = ""

    @classmethod
    def laden(
        cls,
        sozialraum: str | None = None,
        berichtsjahr: int | None = None,
        config: str | Path | None = None,
        store: str | Path | None = None,
        dpi: int = PNG_DPI,
    ) -> Sozialraumbericht:
        """Check the parameters against the config, then load the prepared data."""
        cfg = load_config(config)
        sr = cfg.sozialraum(sozialraum) if sozialraum else cfg.sozialraeume[0]
        _with_year(cfg, berichtsjahr)  # fails early with the valid years
        return cls(load_prepared(cfg.pfad, store, berichtsjahr), dpi, sozialraum_id=sr.id)

    # -- data of this Sozialraum ------------------------------------------------------------
    @property
    def sr(self):
        """The config entry of this Sozialraum."""
        return self.cfg.sozialraum(self.sozialraum_id)

    @cached_property
    def gebiete(self) -> pd.DataFrame:
        """Shares of its Quartiere, the Sozialraum and the city, all years."""
        r = self.data.result
        return tables.gebiete_werte(
            r.werte,
            self.data.inputs.quartiere,
            self.sozialraum_id,
            self.sr_agg,
            self.stadt_agg,
            sozialraum_name=self.sr.name,
            stadt_name=self.cfg.stadt.name,
        )

    @cached_property
    def kennzahlen(self) -> dict | None:
        """Key facts of its latest event (None before the first)."""
        i = self.data.inputs
        return events.kennzahlen(i.veranstaltungen, i.stationen, self.sozialraum_id)

    @cached_property
    def veranstaltung_id(self) -> str | None:
        """Id of its latest event."""
        return self.kennzahlen["veranstaltung_id"] if self.kennzahlen else None

    @cached_property
    def bekanntheit_df(self) -> pd.DataFrame:
        """Awareness of each offer at its latest event."""
        i = self.data.inputs
        if self.veranstaltung_id is None:
            return pd.DataFrame(columns=events.BEKANNTHEIT_SPALTEN)
        return events.bekanntheit(
            i.abstimmungen,
            i.angebote,
            i.stationen,
            i.fragen,
            i.veranstaltungen,
            self.veranstaltung_id,
            self.cfg.methode.mindeststimmen,
        )

    @cached_property
    def he(self) -> pd.DataFrame:
        """Its Handlungsempfehlungen."""
        i = self.data.inputs
        return events.handlungsempfehlungen(
            i.handlungsempfehlungen, self.sozialraum_id, i.quartiere
        )

    def _veranstaltungen(self) -> pd.DataFrame:
        ev = self.data.inputs.veranstaltungen
        return ev[ev["sozialraum_id"] == self.sozialraum_id]

    def _handlungsempfehlungen(self) -> pd.DataFrame:
        return self.he

    # -- sections ---------------------------------------------------------------------------
    def titel(self) -> HTML:
        """Title, banner and the event's key facts."""
        k = self.kennzahlen
        untertitel = f"Sozialbericht {self.jahr}"
        if k:
            untertitel += f" und {self.cfg.stadt.veranstaltung.name} {k['datum_text']}"
        return HTML(
            self._banner() + f'<h1>Sozialraum {escape(self.sr.name)}</h1><p class="untertitel">'
            f"{escape(self.cfg.stadt.name)} · {escape(untertitel)}</p>"
            + tables.kennzahlen_html(k, sozialraum_name=self.sr.name)
        )

    def auf_einen_blick(self) -> HTML:
        """The generated summary."""
        ctx = narrative.build_context(
            self.cfg,
            self.data.inputs,
            self.data.result,
            self.sozialraum_id,
            gebiete=self.gebiete,
        )
        return HTML(_h(2, "Auf einen Blick") + narrative.summary_html(narrative.summary(ctx)))

    def lage(self) -> HTML:
        """Where the Sozialraum lies in the city."""
        chart = maps.locator_map(
            self.cfg, self.data.inputs.quartiere, self.sozialraum_id, erfunden=self.erfunden
        )
        return HTML(
            _h(2, "Lage in der Stadt")
            + self._fig(chart, f"Lage des Sozialraums {self.sr.name} in {self.cfg.stadt.name}")
        )

    def sozialindex(self) -> HTML:
        """Status, dynamics and combined class maps, with the Quartier table."""
        q, ix = self.data.inputs.quartiere, self.data.result.index
        parts = [_h(2, "Sozialindex der Sozialquartiere")]
        parts.append(
            _p(
                "Die Karten zeigen die Quartiere des Sozialraums farbig, die benachbarten "
                "Quartiere grau als Umgebung. Gleiche Klassen haben in allen Berichten dieselbe "
                "Farbe."
            )
        )
        for kind, titel in (
            ("status", f"Statusindex {self.jahr}"),
            ("dynamik", f"Dynamikindex {self.cfg.methode.vergleichsjahr}–{self.jahr}"),
            ("kombi", "Status und Dynamik kombiniert"),
        ):
            parts.append(_h(3, titel))
            chart = maps.class_map(
                self.cfg, q, ix, self.sozialraum_id, kind, erfunden=self.erfunden
            )
            parts.append(self._fig(chart, f"{titel}: Sozialraum {self.sr.name}"))
        own = ix[ix["sozialraum_id"] == self.sozialraum_id]
        parts.append(
            self._index_table(
                own, f"Sozialindex {self.jahr}: Quartiere in {self.sr.name}", by_sozialraum=False
            )
        )
        return HTML("\n".join(parts))

    def indikatoren(self) -> HTML:
        """The seven indicators: maps, trends, tables."""
        r = self.data.result
        parts = [_h(2, "Die Indikatoren im Einzelnen")]
        chart = maps.indicator_small_multiples(
            self.cfg,
            self.data.inputs.quartiere,
            r.werte,
            self.sozialraum_id,
            self.jahr,
            erfunden=self.erfunden,
        )
        parts.append(
            self._fig(chart, f"Indikatoren {self.jahr} in den Quartieren von {self.sr.name}")
        )
        trend = charts.trend_chart(self.cfg, self.gebiete, self.sr.name, self.cfg.stadt.name)
        parts.append(_h(3, "Entwicklung seit " + str(min(self.cfg.methode.jahre))))
        parts.append(
            self._fig(
                trend,
                f"Entwicklung der Indikatoren: {self.sr.name} und {self.cfg.stadt.name}",
                csv=publish(self.gebiete),
                csv_name="indikatoren-entwicklung.csv",
            )
        )
        parts.append(_h(3, "Tabellen"))
        parts.append(
            tables.indikatoren_tabellen(self.cfg, self.gebiete, sozialraum_name=self.sr.name)
        )
        return HTML("\n".join(parts))

    def veranstaltung(self) -> HTML:
        """The event: what it was."""
        k = self.kennzahlen
        va = self.cfg.stadt.veranstaltung
        parts = [_h(2, f"{va.name} im Sozialraum")]
        if k is None:
            parts.append(
                tables.hinweis(
                    f"Für den Sozialraum {self.sr.name} ist noch keine Veranstaltung erfasst."
                )
            )
            return HTML("\n".join(parts))
        teil = (
            f"{fmt_int(k['teilnehmende'])} Teilnehmende"
            if k["teilnehmende"] is not None
            else "eine nicht erfasste Zahl von Teilnehmenden"
        )
        inst = (
            f" aus {anzahl(k['institutionen'], 'Institution', 'Institutionen')}"
            if k["institutionen"] is not None
            else ""
        )
        parts.append(
            _p(
                f"{va.form('der').capitalize()} {va.name} fand {narrative_date(k)} statt"
                + (f" ({k['format']})" if k["format"] else "")
                + f". Es kamen {teil}{inst}."
            )
        )
        return HTML("\n".join(parts))

    def bekanntheit(self) -> HTML:
        """Awareness of each offer, with interval and comparison."""
        parts = [_h(3, "Bekanntheit der Angebote")]
        bk = self.bekanntheit_df
        if bk.empty:
            parts.append(
                tables.hinweis("Zu dieser Veranstaltung liegen keine Ja/Nein-Abstimmungen vor.")
            )
            return HTML("\n".join(parts))
        m = self.cfg.methode.mindeststimmen
        parts.append(
            _p(
                "„Kennen Sie das Angebot?“ – Anteil der grünen Punkte (JA) an allen Punkten je "
                "Angebot, mit 95-%-Vertrauensbereich nach Wilson und dem Mittel der anderen "
                f"Sozialräume. Angebote mit weniger als {m} Punkten werden nicht ausgewiesen (•). "
                "Als am bekanntesten gilt das Angebot mit der höchsten Untergrenze des "
                "Vertrauensbereichs, als am wenigsten bekannt das mit der niedrigsten Obergrenze – "
                "so zählen wenige Punkte nicht mehr als viele."
            )
        )
        parts.append(
            self._fig(
                charts.bekanntheit_chart(bk, self.sr.name, m),
                f"Bekanntheit der Angebote in {self.sr.name}",
            )
        )
        parts.append(tables.bekanntheit_tabelle(bk, m, sozialraum_name=self.sr.name))
        return HTML("\n".join(parts))

    def moderationskarten(self) -> HTML:
        """The cards, grouped by channel."""
        i = self.data.inputs
        parts = [_h(3, "Moderationskarten")]
        if self.veranstaltung_id is None:
            parts.append(tables.hinweis("Keine Moderationskarten erfasst."))
            return HTML("\n".join(parts))
        kodiert = events.karten_kodiert(
            i.karten, i.fragen, i.stationen, i.kanalregeln, self.veranstaltung_id
        )
        if kodiert.empty:
            parts.append(tables.hinweis("Zu dieser Veranstaltung sind keine Karten erfasst."))
        else:
            parts.append(
                _p(
                    "Die Karten wurden nach Schlagwortregeln Kanälen zugeordnet (Regeln in "
                    "data/kanalregeln.csv); Karten ohne passende Regel stehen unter „Sonstiges“."
                )
            )
            freq = events.kanal_haeufigkeit(kodiert)
            for frage_id in freq["frage_id"].drop_duplicates():
                frage = i.fragen.loc[i.fragen["frage_id"] == frage_id, "frage"].iloc[0]
                parts.append(_h(4, str(frage)))
                parts.append(
                    self._fig(
                        charts.kanal_chart(freq, frage_id, self.sr.name),
                        f"{frage} – Karten nach Kanal, {self.sr.name}",
                    )
                )
            parts.append(tables.kanal_tabellen(kodiert, freq))
        frei = events.karten_freitext(i.karten, i.fragen, i.stationen, self.veranstaltung_id)
        if not frei.empty:
            parts.append(_h(4, "Weitere Karten"))
            parts.append(tables.freitext_liste(frei))
        return HTML("\n".join(parts))

    def feedback(self) -> HTML:
        """The one-word feedback."""
        parts = [_h(3, "Feedback zur Veranstaltung")]
        if self.veranstaltung_id is None:
            parts.append(tables.hinweis("Kein Feedback erfasst."))
            return HTML("\n".join(parts))
        freq = events.feedback_haeufigkeit(self.data.inputs.feedback, self.veranstaltung_id)
        if freq.empty:
            parts.append(tables.hinweis("Zu dieser Veranstaltung ist kein Feedback erfasst."))
            return HTML("\n".join(parts))
        parts.append(
            self._fig(
                charts.feedback_chart(freq, self.sr.name),
                f"Häufigste Feedbackwörter, {self.sr.name}",
            )
        )
        parts.append(
            self._fig(
                charts.wortwolke(freq, self.sr.name), f"Wortwolke des Feedbacks, {self.sr.name}"
            )
        )
        parts.append(tables.feedback_tabelle(freq))
        return HTML("\n".join(parts))

    def handlungsempfehlungen(self) -> HTML:
        """The Handlungsempfehlungen and their status."""
        parts = [_h(2, "Handlungsempfehlungen und Umsetzungsstand")]
        if self.he.empty:
            parts.append(
                tables.hinweis(
                    f"Für den Sozialraum {self.sr.name} sind keine Handlungsempfehlungen erfasst."
                )
            )
            return HTML("\n".join(parts))
        zaehlung = events.status_zaehlung(self.he)
        parts.append(
            self._fig(
                charts.status_chart(zaehlung, self.sr.name),
                f"Umsetzungsstand der Handlungsempfehlungen, {self.sr.name}",
            )
        )
        parts.append(tables.handlungsempfehlungen_tabelle(self.he, sozialraum_name=self.sr.name))
        return HTML("\n".join(parts))


def narrative_date(k: dict) -> str:
    """'am 06.09.2023' or 'im November 2019', from the event's key facts."""
    from sozialraum.fmt import fmt_date_text

    return fmt_date_text(k["datum"], k["datum_genauigkeit"])


@dataclass
class Gesamtstadtbericht(_Bericht):
    """The city-wide overview: all Sozialräume side by side."""

    @classmethod
    def laden(
        cls,
        berichtsjahr: int | None = None,
        config: str | Path | None = None,
        store: str | Path | None = None,
        dpi: int = PNG_DPI,
    ) -> Gesamtstadtbericht:
        """Check the parameters against the config, then load the prepared data."""
        cfg = load_config(config)
        _with_year(cfg, berichtsjahr)
        return cls(load_prepared(cfg.pfad, store, berichtsjahr), dpi)

    def titel(self) -> HTML:
        """Title, banner and key facts of the city."""
        i = self.data.inputs
        ev = i.veranstaltungen
        runde = int(ev["runde"].max()) if not ev.empty else None
        items = [
            anzahl(len(self.cfg.sozialraeume), "Sozialraum", "Sozialräume"),
            anzahl(len(i.quartiere), "Sozialquartier", "Sozialquartiere"),
        ]
        if runde is not None:
            latest = ev[ev["runde"] == runde]
            items.append(
                f"Runde {runde} der {self.cfg.stadt.veranstaltung.mehrzahl}: "
                + anzahl(len(latest), "Veranstaltung", "Veranstaltungen")
                + f", {fmt_int(latest['teilnehmende'].sum())} Teilnehmende"
            )
        items.append(
            anzahl(len(i.handlungsempfehlungen), "Handlungsempfehlung", "Handlungsempfehlungen")
        )
        return HTML(
            self._banner() + f"<h1>Gesamtstadt {escape(self.cfg.stadt.name)}</h1>"
            f'<p class="untertitel">Sozialbericht {self.jahr} · alle Sozialräume im '
            f'Vergleich</p><ul class="kennzahlen">'
            + "".join(f"<li>{escape(t)}</li>" for t in items)
            + "</ul>"
        )

    def auf_einen_blick(self) -> HTML:
        """City-wide sentences from the data."""
        ctx = narrative.stadt_kontext(
            self.cfg, self.data.inputs, self.data.result.index, self.sr_agg, self.stadt_agg
        )
        return HTML(_h(2, "Auf einen Blick") + narrative.summary_html(narrative.stadt_summary(ctx)))

    def sozialindex(self) -> HTML:
        """The index maps of all Quartiere."""
        q, ix = self.data.inputs.quartiere, self.data.result.index
        parts = [_h(2, "Sozialindex aller Sozialquartiere")]
        for kind, titel in (
            ("status", f"Statusindex {self.jahr}"),
            ("dynamik", f"Dynamikindex {self.cfg.methode.vergleichsjahr}–{self.jahr}"),
            ("kombi", "Status und Dynamik kombiniert"),
        ):
            parts.append(_h(3, titel))
            chart = maps.class_map(self.cfg, q, ix, None, kind, erfunden=self.erfunden)
            parts.append(self._fig(chart, f"{titel}: {self.cfg.stadt.name}"))
        order = {s.id: n for n, s in enumerate(self.cfg.sozialraeume)}
        ix = ix.assign(_o=ix["sozialraum_id"].map(order)).sort_values(["_o", "quartier"])
        parts.append(
            self._index_table(
                ix.drop(columns="_o"),
                f"Sozialindex {self.jahr}: alle Sozialquartiere",
                by_sozialraum=True,
            )
        )
        return HTML("\n".join(parts))

    def indikatoren(self) -> HTML:
        """Indicators per Sozialraum and city, with change."""
        cfg, m = self.cfg, self.cfg.methode
        names = {s.id: s.name for s in cfg.sozialraeume}
        sr = publish(self.sr_agg)
        st = publish(self.stadt_agg).assign(sozialraum_id="__stadt__")
        both = pd.concat([sr, st], ignore_index=True)
        now = both[both["jahr"] == m.berichtsjahr].set_index(["sozialraum_id", "indikator"])
        before = both[both["jahr"] == m.vergleichsjahr].set_index(["sozialraum_id", "indikator"])
        areas = {**names, "__stadt__": cfg.stadt.name}

        def table(values: dict, fmt, caption: str, filename: str) -> str:
            # one row per indicator, one column per area: fits the reading column and print
            df = pd.DataFrame(
                [
                    {"Indikator": ind.kurz, **{areas[k]: values[(k, ind.id)] for k in areas}}
                    for ind in cfg.indikatoren
                ]
            )
            formats = {c: fmt for c in df.columns if c != "Indikator"}
            return tables.tabelle(df, caption, csv=df, filename=filename, formats=formats)

        anteil = {(k, i.id): now["anteil"].get((k, i.id)) for k in areas for i in cfg.indikatoren}
        delta = {
            key: (val - prev)
            if pd.notna(val) and pd.notna(prev := before["anteil"].get(key))
            else None
            for key, val in anteil.items()
        }
        return HTML(
            _h(2, "Indikatoren nach Sozialraum")
            + _p(
                f"Anteile {m.berichtsjahr} als Verhältnis der Summen über die Quartiere (nicht als "
                f"Mittel der Quartiersanteile) und ihre Veränderung seit {m.vergleichsjahr} in "
                "Prozentpunkten (Pp.)."
            )
            + table(
                anteil,
                fmt_pct,
                f"Indikatoren {m.berichtsjahr} nach Sozialraum (Anteil in %)",
                "indikatoren-sozialraeume.csv",
            )
            + table(
                delta,
                fmt_pp,
                f"Veränderung {m.vergleichsjahr}–{m.berichtsjahr} nach Sozialraum (Pp.)",
                "indikatoren-veraenderung.csv",
            )
        )

    def bekanntheit(self) -> HTML:
        """Awareness of every offer across the events of the latest round."""
        i = self.data.inputs
        ev = i.veranstaltungen
        parts = [_h(2, "Bekanntheit der Angebote in allen Sozialräumen")]
        if ev.empty or i.abstimmungen.empty:
            parts.append(tables.hinweis("Es liegen keine Abstimmungen vor."))
            return HTML("\n".join(parts))
        runde = int(
            ev.loc[ev["veranstaltung_id"].isin(i.abstimmungen["veranstaltung_id"]), "runde"].max()
        )
        names = {s.id: s.name for s in self.cfg.sozialraeume}
        m = self.cfg.methode.mindeststimmen
        frames = []
        for _, e in ev[ev["runde"] == runde].iterrows():
            bk = events.bekanntheit(
                i.abstimmungen, i.angebote, i.stationen, i.fragen, ev, e["veranstaltung_id"], m
            )
            frames.append(bk.assign(Sozialraum=names.get(e["sozialraum_id"], "")))
        alle = pd.concat(frames, ignore_index=True)
        wide = alle.pivot_table(
            index="angebot", columns="Sozialraum", values="anteil_ja", aggfunc="first", dropna=False
        )
        wide = wide[[n for n in names.values() if n in wide.columns]].reset_index()
        wide = wide.rename(columns={"angebot": "Angebot"})
        parts.append(
            _p(
                f"Anteil JA („Kennen Sie das Angebot?“) je Angebot und Sozialraum, Runde {runde}. "
                f"Angebote mit weniger als {m} Punkten in einem Sozialraum: •."
            )
        )
        parts.append(
            tables.tabelle(
                wide,
                f"Bekanntheit der Angebote, Runde {runde}",
                csv=wide,
                filename="bekanntheit-alle.csv",
                formats={c: fmt_pct for c in wide.columns if c != "Angebot"},
            )
        )
        return HTML("\n".join(parts))

    def handlungsempfehlungen(self) -> HTML:
        """Status of all Handlungsempfehlungen."""
        he = self.data.inputs.handlungsempfehlungen
        parts = [_h(2, "Handlungsempfehlungen aller Sozialräume")]
        if he.empty:
            parts.append(tables.hinweis("Es sind keine Handlungsempfehlungen erfasst."))
            return HTML("\n".join(parts))
        zaehlung = events.status_zaehlung(he)
        parts.append(
            self._fig(
                charts.status_chart(zaehlung, self.cfg.stadt.name),
                f"Umsetzungsstand aller Handlungsempfehlungen, {self.cfg.stadt.name}",
            )
        )
        names = {s.id: s.name for s in self.cfg.sozialraeume}
        kreuz = he.assign(Sozialraum=he["sozialraum_id"].map(names)).pivot_table(
            index="Sozialraum", columns="status", values="he_id", aggfunc="count", fill_value=0
        )
        order = [s for s in events.STATUS_REIHENFOLGE if s in kreuz.columns]
        kreuz = kreuz.reindex([n for n in names.values() if n in kreuz.index])[order]
        kreuz = kreuz.reset_index()
        parts.append(
            tables.tabelle(
                kreuz,
                "Handlungsempfehlungen nach Sozialraum und Status",
                csv=kreuz,
                filename="handlungsempfehlungen-status.csv",
            )
        )
        for s in self.cfg.sozialraeume:
            sub = events.handlungsempfehlungen(he, s.id, self.data.inputs.quartiere)
            if not sub.empty:
                parts.append(_h(3, s.name))
                parts.append(tables.handlungsempfehlungen_tabelle(sub, sozialraum_name=s.name))
        return HTML("\n".join(parts))


# -- for the batch's index page ---------------------------------------------------------------
def stadtkarte_html(prepared: Prepared) -> str:
    """The city's status map for the index page."""
    cfg = prepared.cfg
    chart = maps.class_map(
        cfg,
        prepared.inputs.quartiere,
        prepared.result.index,
        None,
        "status",
        erfunden=bool(prepared.inputs.erfunden),
    )
    return _figure(chart, f"Statusindex {cfg.methode.berichtsjahr} der Sozialquartiere")


def index_beschreibung(prepared: Prepared, sozialraum_id: str) -> str:
    """One line under each report's link: Quartiere and the event."""
    q = prepared.inputs.quartiere
    n = int((q["sozialraum_id"] == sozialraum_id).sum())
    text = anzahl(n, "Sozialquartier", "Sozialquartiere")
    k = events.kennzahlen(prepared.inputs.veranstaltungen, prepared.inputs.stationen, sozialraum_id)
    if k:
        name = prepared.cfg.stadt.veranstaltung.name
        text += f" · {name} {fmt_date(k['datum'], k['datum_genauigkeit'])}"
        if k["teilnehmende"] is not None:
            text += f" · {fmt_int(k['teilnehmende'])} Teilnehmende"
    return text


__all__ = [
    "Gesamtstadtbericht",
    "Sozialraumbericht",
    "index_beschreibung",
    "stadtkarte_html",
]
