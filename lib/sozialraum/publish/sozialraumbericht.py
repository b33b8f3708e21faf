"""The report of one Sozialraum (class :class:`Sozialraumbericht`), one method per section.

Its own module so that each report kind reads alone; the shared parts are in
:mod:`~sozialraum.publish.bericht_basis`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd
from IPython.display import HTML

from sozialraum.compute import events
from sozialraum.compute.aggregation import publish
from sozialraum.compute.nachbarn import nachbarn
from sozialraum.config import load_config
from sozialraum.fmt import (
    anzahl,
    dativ_plural,
    fmt_int,
    genitiv,
    im,
)
from sozialraum.grammatik import genitiv_plural, gross, nomen, ohne_artikel
from sozialraum.present import (
    charts,
    indikatorkarten,
    indikatortabellen,
    maps,
    narrative,
    tables,
    veranstaltungstabellen,
)
from sozialraum.present.figures import PNG_DPI
from sozialraum.present.vorlagen import block
from sozialraum.publish.bericht_basis import (
    Berichtsdaten,
    _Bericht,
    _h,
    _p,
    _quartiere_geo,
    _with_year,
    deckblatt,
    load_prepared,
)

#: Heading of the recommendations' section; "Auf einen Blick" links to it.
HE_TITEL = "Handlungsempfehlungen und Umsetzungsstand"


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
        herkunft: str | None = None,
    ) -> Sozialraumbericht:
        """Check the parameters against the config, then load the prepared data."""
        cfg = load_config(config)
        sr = cfg.sozialraum(sozialraum) if sozialraum else cfg.sozialraeume[0]
        _with_year(cfg, berichtsjahr)  # fails early with the valid years
        return cls(
            load_prepared(cfg.pfad, store, berichtsjahr),
            dpi,
            sozialraum_id=sr.id,
            herkunft=herkunft,
        )

    # -- data of this Sozialraum ------------------------------------------------------------
    @property
    def sr(self):
        """The config entry of this Sozialraum."""
        return self.cfg.sozialraum(self.sozialraum_id)

    @cached_property
    def gebiete(self) -> pd.DataFrame:
        """Shares of its Quartiere, the Sozialraum and the city, all years."""
        r = self.data.result
        return indikatortabellen.gebiete_werte(
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
            i.handlungsempfehlungen,
            self.sozialraum_id,
            i.quartiere,
            ohne_artikel(self.b.einheit, adjektiv="ganz"),
        )

    @cached_property
    def index_df(self) -> pd.DataFrame:
        """Its areas' published index classes, in the documented order."""
        ix = self.data.result.index
        own = ix[ix["sozialraum_id"] == self.sozialraum_id]
        return indikatortabellen.sortiert(self.cfg, publish(own)).reset_index(drop=True)

    @cached_property
    def gebiete_veroeffentlicht(self) -> pd.DataFrame:
        """``gebiete`` as published: withheld shares blank (the trend chart's download).

        ``veraenderung`` is the change the indicator tables show, in the berichtsjahr's rows.

        Without change data there is no ``veraenderung`` column: nothing was asked for it.
        """
        out = publish(self.gebiete)
        if not self.cfg.mit_dynamik:
            return out.drop(columns="veraenderung", errors="ignore")
        return indikatortabellen.mit_veraenderung(self.cfg, out)

    @cached_property
    def karten_df(self) -> pd.DataFrame:
        """The cards of its latest event, coded into channels."""
        i = self.data.inputs
        vid = self.veranstaltung_id or ""  # no event: no card matches
        return events.karten_kodiert(i.karten, i.fragen, i.stationen, i.kanalregeln, vid)

    @cached_property
    def feedback_df(self) -> pd.DataFrame:
        """Feedback words of its latest event with count and share."""
        return events.feedback_haeufigkeit(self.data.inputs.feedback, self.veranstaltung_id or "")

    @cached_property
    def daten(self) -> Berichtsdaten:
        """The frames behind the sections (see :class:`Berichtsdaten`)."""
        return Berichtsdaten(
            quartiere=_quartiere_geo(self.data.inputs.quartiere, self.index_df),
            indikatoren=self.gebiete_veroeffentlicht,
            bekanntheit=self.bekanntheit_df,
            karten=self.karten_df,
            feedback=self.feedback_df,
            handlungsempfehlungen=self.he,
        )

    def _veranstaltungen(self) -> pd.DataFrame:
        ev = self.data.inputs.veranstaltungen
        return ev[ev["sozialraum_id"] == self.sozialraum_id]

    def _handlungsempfehlungen(self) -> pd.DataFrame:
        return self.he

    # -- sections ---------------------------------------------------------------------------
    # A section with nothing to show for this city (no events, no Handlungsempfehlungen
    # configured) returns empty HTML: no heading, so the contents list does not name it.
    @property
    def slug(self) -> str:
        """Slug of the Sozialraum, part of its CSV file names."""
        return self.sr.slug

    def titel(self) -> HTML:
        """Title, banner and the event's key facts."""
        k = self.kennzahlen if self.mit_veranstaltungen else None
        va = self.cfg.stadt.veranstaltung
        untertitel = self.cfg.ausgabe
        if k:
            untertitel += f" und {va.name} {k['datum_text']}"
        html = deckblatt(
            self.cfg,
            f"{self.b.einheit.name} {self.sr.name}",
            f"{self.cfg.stadt.name} · {untertitel}",
            self._banner(),
        )
        if self.mit_veranstaltungen:
            html = "".join(
                (
                    html,
                    veranstaltungstabellen.kennzahlen_html(
                        k, sozialraum_name=self.sr.name, einheit=self.b.einheit, veranstaltung=va
                    ),
                )
            )
        return HTML(str(html))

    def auf_einen_blick(self) -> HTML:
        """The generated summary."""
        ctx = narrative.build_context(
            self.cfg,
            self.data.inputs,
            self.data.result,
            self.sozialraum_id,
            gebiete=self.gebiete,
        )
        saetze = narrative.benannte_saetze(ctx)
        he = ctx.get("handlungsempfehlungen") or {}
        # the sentence naming open recommendations leads to their table
        # the heading's anchor as the exporter makes it: lower case, spaces as hyphens
        anker = "#" + HE_TITEL.lower().replace(" ", "-")
        ziel = {"href": anker, "text": "Zu den Handlungsempfehlungen"}
        verweise = [
            ziel if n == "handlungsempfehlungen" and he.get("offene") else None for n, _ in saetze
        ]
        html = narrative.summary_html([t for _, t in saetze], verweise)
        return HTML("".join((_h(2, "Auf einen Blick"), html)))

    def lage(self) -> HTML:
        """Where the Sozialraum lies in the city."""
        chart = maps.locator_map(
            self.cfg, self.data.inputs.quartiere, self.sozialraum_id, erfunden=self.erfunden
        )
        titel = f"Lage {genitiv(self.b.einheit)} {self.sr.name} in {self.cfg.stadt.name}"
        return HTML(
            "".join((_h(2, "Lage in der Stadt"), self._fig(chart, titel), self._nachbarn()))
        )

    @cached_property
    def nachbar_einheiten(self) -> list:
        """The units sharing a border with this one (from the geometries, not the list order)."""
        ids = nachbarn(self.data.inputs.quartiere).get(str(self.sozialraum_id), [])
        return [s for s in self.cfg.sozialraeume if str(s.id) in ids]

    def _nachbarn(self) -> str:
        """Links to the neighbouring units' reports, which lie in the same folder."""
        if not self.nachbar_einheiten:
            return ""
        b = self.b
        label = gross(ohne_artikel(b.einheit, mehrzahl=True, adjektiv="angrenzend"))
        links = [{"href": f"{s.slug}.html", "titel": s.name} for s in self.nachbar_einheiten]
        return str(block("bericht.html.j2", "nachbarn", label=label, links=links))

    @cached_property
    def reihe(self) -> list[str]:
        """Ids of its areas in the documented order (``methode.sortierung``)."""
        ix = self.data.result.index
        return indikatortabellen.reihenfolge(
            self.cfg, ix[ix["sozialraum_id"] == self.sozialraum_id]
        )

    def sozialindex(self) -> HTML:
        """Status, dynamics and combined class maps, with the area table.

        Without change data only the status map.
        """
        b = self.b
        parts = [_h(2, f"{b.index} {genitiv_plural(b.gebiet)}")]
        parts.append(
            _p(
                f"Die Karten zeigen {nomen(b.gebiet, 'akkusativ', mehrzahl=True)} "
                f"{genitiv(b.einheit)} farbig, "
                f"{nomen(b.gebiet, 'akkusativ', mehrzahl=True, adjektiv='benachbart')} grau als "
                "Umgebung. Gleiche Klassen haben in "
                "allen Berichten dieselbe Farbe."
            )
        )
        wo = f"{b.einheit.name} {self.sr.name}"
        karte = self._interaktive_karte(self.sozialraum_id)
        parts.extend(self._klassenkarten(self.sozialraum_id, wo, wo, karte))
        parts.append(
            self._index_table(
                self.index_df,
                f"{b.index} {self.jahr}: {b.gebiet.mehrzahl} in {self.sr.name}",
                by_sozialraum=False,
            )
        )
        return HTML("\n".join(parts))

    def indikatoren(self) -> HTML:
        """The indicators: maps, trends (with more than one year), tables.

        Nothing for a city with only a published index: it has no indicator values.
        """
        r, m = self.data.result, self.cfg.methode
        if not self.cfg.indikatoren:
            return HTML("")
        parts = [_h(2, "Die Indikatoren im Einzelnen")]
        chart = indikatorkarten.indicator_small_multiples(
            self.cfg,
            self.data.inputs.quartiere,
            r.werte,
            self.sozialraum_id,
            self.jahr,
            erfunden=self.erfunden,
        )
        parts.append(
            self._fig(
                chart,
                f"Indikatoren {self.jahr} in den {dativ_plural(self.b.gebiet)} von {self.sr.name}",
            )
        )
        if len(m.jahre) > 1:  # one year of data: nothing develops, the tables show the change
            trend = charts.trend_chart(self.cfg, self.gebiete, self.sr.name, self.cfg.stadt.name)
            parts.append(_h(3, "Entwicklung seit " + str(min(m.jahre))))
            parts.append(
                self._fig(
                    trend,
                    f"Entwicklung der Indikatoren: {self.sr.name} und {self.cfg.stadt.name}",
                    csv=self.gebiete_veroeffentlicht,
                    csv_name=self._datei("indikatoren-entwicklung"),
                )
            )
        parts.append(_h(3, "Tabellen"))
        parts.append(
            indikatortabellen.indikatoren_tabellen(
                self.cfg,
                self.gebiete,
                sozialraum_name=self.sr.name,
                reihe=self.reihe,
                dateien=lambda ind: self._datei("indikator", ind),
            )
        )
        return HTML("\n".join(parts))

    def veranstaltung(self) -> HTML:
        """The event: what it was (nothing for a city without events)."""
        if not self.mit_veranstaltungen:
            return HTML("")
        k = self.kennzahlen
        va = self.cfg.stadt.veranstaltung
        parts = [_h(2, f"{va.name} {im(self.b.einheit)}")]
        if k is None:
            parts.append(
                veranstaltungstabellen.kennzahlen_html(
                    None, sozialraum_name=self.sr.name, einheit=self.b.einheit, veranstaltung=va
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
                f"{gross(nomen(va))} fand {narrative_date(k)} statt"
                + (f" ({k['format']})" if k["format"] else "")
                + f". Es kamen {teil}{inst}."
            )
        )
        return HTML("\n".join(parts))

    def bekanntheit(self) -> HTML:
        """Awareness of each offer, with interval and comparison."""
        if not self.mit_veranstaltungen:
            return HTML("")
        parts = [_h(3, "Bekanntheit der Angebote")]
        bk = self.bekanntheit_df
        if bk.empty:
            parts.append(
                tables.hinweis("Zu dieser Veranstaltung liegen keine Ja/Nein-Abstimmungen vor.")
            )
            return HTML("\n".join(parts))
        m = self.cfg.methode.mindeststimmen
        andere = ohne_artikel(
            self.b.einheit, "genitiv", mehrzahl=True, nach="der", adjektiv="ander"
        )
        parts.append(
            _p(
                "„Kennen Sie das Angebot?“ – Anteil der grünen Punkte (JA) an allen Punkten je "
                "Angebot, mit dem Bereich, in dem der wahre Anteil wahrscheinlich liegt "
                "(Vertrauensbereich, siehe „Begriffe“ im Methodenteil), und dem Mittel der "
                f"{andere}. Angebote mit weniger als {m} Punkten werden nicht ausgewiesen (•). "
                "Als am bekanntesten gilt das Angebot mit der höchsten Untergrenze des "
                "Vertrauensbereichs, als am wenigsten bekannt das mit der niedrigsten Obergrenze – "
                "so zählen wenige Punkte nicht mehr als viele."
            )
        )
        parts.append(
            self._fig(
                charts.bekanntheit_chart(bk, self.sr.name, m, einheiten=self.b.einheit),
                f"Bekanntheit der Angebote in {self.sr.name}",
            )
        )
        parts.append(
            tables.aufklappen(
                "Tabelle mit Vertrauensbereichen",
                veranstaltungstabellen.bekanntheit_tabelle(
                    bk,
                    m,
                    sozialraum_name=self.sr.name,
                    einheiten=self.b.einheit,
                    filename=self._datei("bekanntheit-angebote"),
                ),
            )
        )
        return HTML("\n".join(parts))

    def moderationskarten(self) -> HTML:
        """The cards, grouped by channel."""
        if not self.mit_veranstaltungen:
            return HTML("")
        i = self.data.inputs
        parts = [_h(3, "Moderationskarten")]
        if self.veranstaltung_id is None:
            parts.append(tables.hinweis("Keine Moderationskarten erfasst."))
            return HTML("\n".join(parts))
        kodiert = self.karten_df
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
            # each question once: the chart (its cards as CSV), table and wording on request
            for frage_id in freq["frage_id"].drop_duplicates():
                frage = i.fragen.loc[i.fragen["frage_id"] == frage_id, "frage"].iloc[0]
                eigene = kodiert[kodiert["frage_id"] == frage_id]
                parts.append(_h(4, str(frage)))
                parts.append(
                    self._fig(
                        charts.kanal_chart(freq, frage_id, self.sr.name),
                        f"{frage} – Karten nach Kanal, {self.sr.name}",
                        csv=eigene[["station", "kategorie", "text"]],
                        csv_name=tables.dateiname("karten", frage_id, self.slug, self.jahr),
                    )
                )
                parts.append(
                    tables.aufklappen(
                        "Tabelle und alle Karten im Wortlaut",
                        veranstaltungstabellen.kanal_tabellen(
                            eigene,
                            freq[freq["frage_id"] == frage_id],
                            dateiteile=(self.slug, self.jahr),
                        ),
                    )
                )
        frei = events.karten_freitext(i.karten, i.fragen, i.stationen, self.veranstaltung_id)
        if not frei.empty:
            parts.append(_h(4, "Weitere Karten"))
            parts.append(
                veranstaltungstabellen.freitext_liste(frei, dateiteile=(self.slug, self.jahr))
            )
        return HTML("\n".join(parts))

    def feedback(self) -> HTML:
        """The one-word feedback."""
        if not self.mit_veranstaltungen:
            return HTML("")
        parts = [_h(3, "Feedback zur Veranstaltung")]
        if self.veranstaltung_id is None:
            parts.append(tables.hinweis("Kein Feedback erfasst."))
            return HTML("\n".join(parts))
        freq = self.feedback_df
        if freq.empty:
            parts.append(tables.hinweis("Zu dieser Veranstaltung ist kein Feedback erfasst."))
            return HTML("\n".join(parts))
        # once, as a bar chart (exact counts, unlike a word cloud); the table on request
        parts.append(
            self._fig(
                charts.feedback_chart(freq, self.sr.name),
                f"Häufigste Feedbackwörter, {self.sr.name}",
                csv=freq,
                csv_name=self._datei("feedbackwoerter"),
            )
        )
        parts.append(
            tables.aufklappen(
                "Tabelle der Feedbackwörter",
                veranstaltungstabellen.feedback_tabelle(
                    freq, filename=self._datei("feedbackwoerter")
                ),
            )
        )
        return HTML("\n".join(parts))

    def handlungsempfehlungen(self) -> HTML:
        """The Handlungsempfehlungen and their status (nothing where the city keeps none)."""
        if not self.mit_handlungsempfehlungen:
            return HTML("")
        e = self.b.einheit
        parts = [_h(2, HE_TITEL)]
        if self.he.empty:
            parts.append(
                tables.hinweis(
                    f"Für {nomen(e, 'akkusativ')} {self.sr.name} sind keine "
                    "Handlungsempfehlungen erfasst."
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
        parts.append(
            veranstaltungstabellen.handlungsempfehlungen_tabelle(
                self.he,
                sozialraum_name=self.sr.name,
                gebiete=self.b.gebiet.mehrzahl,
                filename=self._datei("handlungsempfehlungen"),
            )
        )
        return HTML("\n".join(parts))

    def runden(self) -> HTML:
        """Earlier rounds beside the latest, and what the Handlungsempfehlungen made of them.

        Nothing where the Sozialraum has had one round and no status history: a city without
        events, or in its first year, gets no empty section.
        """
        from sozialraum.present import runden

        teile = runden.rundenvergleich_html(self.cfg, self.data.inputs, self.sr.id, ueberschrift=3)
        if not teile:
            return HTML("")
        return HTML("".join((_h(2, f"Runden im Vergleich: {self.sr.name}"), teile)))


def narrative_date(k: dict) -> str:
    """'am 06.09.2023' or 'im November 2019', from the event's key facts."""
    from sozialraum.fmt import fmt_date_text

    return fmt_date_text(k["datum"], k["datum_genauigkeit"])
