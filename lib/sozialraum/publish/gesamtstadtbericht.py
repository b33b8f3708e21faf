"""The city-wide overview report (class :class:`Gesamtstadtbericht`), one method per section.

Its own module so that each report kind reads alone; the shared parts are in
:mod:`~sozialraum.publish.bericht_basis`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import HTML

from sozialraum.compute import events
from sozialraum.compute.aggregation import publish
from sozialraum.config import load_config
from sozialraum.fmt import (
    anzahl,
    dativ_plural,
    fmt_int,
    fmt_pct,
    fmt_pp,
)
from sozialraum.grammatik import genitiv_plural, nomen, ohne_artikel
from sozialraum.present import (
    charts,
    indikatortabellen,
    narrative,
    narrative_stadt,
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


@dataclass
class Gesamtstadtbericht(_Bericht):
    """The city-wide overview: all Sozialräume side by side."""

    @cached_property
    def index_df(self) -> pd.DataFrame:
        """All areas' published index classes, in the documented order."""
        return indikatortabellen.sortiert(self.cfg, publish(self.data.result.index)).reset_index(
            drop=True
        )

    @cached_property
    def indikatoren_df(self) -> pd.DataFrame:
        """Shares of the report units and the city, all years, as published (long format)."""
        sr = publish(self.sr_agg)
        st = publish(self.stadt_agg).assign(sozialraum_id="__stadt__")
        both = pd.concat([sr, st], ignore_index=True)
        if not self.cfg.mit_dynamik:  # no change data: no empty change column either
            return both.drop(columns="veraenderung", errors="ignore")
        # The change the page shows, in the berichtsjahr's rows (issue 16: it was empty): the
        # published one where the config says so, else the difference of the two years' shares.
        m = self.cfg.methode
        pub = {i.id for i in self.cfg.dynamik_indikatoren if i.veraenderung == "veroeffentlicht"}
        key = ["sozialraum_id", "indikator"]
        vorher = both[both["jahr"] == (m.vergleichsjahr or 0)].set_index(key)["anteil"]
        jetzt = both["jahr"] == m.berichtsjahr
        if "veraenderung" not in both.columns:
            both["veraenderung"] = np.nan
        both["veraenderung"] = (
            both["veraenderung"].astype("float64").where(jetzt & both["indikator"].isin(pub))
        )
        rechnen = jetzt & ~both["indikator"].isin(pub)
        alt = pd.MultiIndex.from_frame(both.loc[rechnen, key]).map(vorher.to_dict().get)
        both.loc[rechnen, "veraenderung"] = both.loc[rechnen, "anteil"].astype(
            "float64"
        ) - pd.to_numeric(pd.Series(list(alt), index=both.index[rechnen]), errors="coerce")
        return both

    @cached_property
    def _bekanntheit_runde(self) -> int | None:
        """The latest round with votes (None without any)."""
        i = self.data.inputs
        ev = i.veranstaltungen
        if not self.mit_veranstaltungen or ev.empty or i.abstimmungen.empty:
            return None
        mit = ev["veranstaltung_id"].isin(i.abstimmungen["veranstaltung_id"])
        return int(ev.loc[mit, "runde"].max()) if mit.any() else None

    @cached_property
    def bekanntheit_df(self) -> pd.DataFrame:
        """Awareness of every offer at every event of the latest round (column ``einheit``)."""
        i = self.data.inputs
        runde = self._bekanntheit_runde
        if runde is None:
            return pd.DataFrame(columns=[*events.BEKANNTHEIT_SPALTEN, "einheit"])
        ev = i.veranstaltungen
        names = {s.id: s.name for s in self.cfg.sozialraeume}
        m = self.cfg.methode.mindeststimmen
        frames = [
            events.bekanntheit(
                i.abstimmungen, i.angebote, i.stationen, i.fragen, ev, row["veranstaltung_id"], m
            ).assign(einheit=names.get(row["sozialraum_id"], ""))
            for _, row in ev[ev["runde"] == runde].iterrows()
        ]
        return pd.concat(frames, ignore_index=True)

    @cached_property
    def daten(self) -> Berichtsdaten:
        """The frames behind the sections (see :class:`Berichtsdaten`); no event frames."""
        i = self.data.inputs
        return Berichtsdaten(
            quartiere=_quartiere_geo(i.quartiere, self.index_df),
            indikatoren=self.indikatoren_df,
            bekanntheit=self.bekanntheit_df,
            karten=pd.DataFrame(columns=["frage_id", "frage", "station", "text", "kategorie"]),
            feedback=pd.DataFrame(columns=["wort", "anzahl", "anteil"]),
            handlungsempfehlungen=i.handlungsempfehlungen,
        )

    @classmethod
    def laden(
        cls,
        berichtsjahr: int | None = None,
        config: str | Path | None = None,
        store: str | Path | None = None,
        dpi: int = PNG_DPI,
        herkunft: str | None = None,
    ) -> Gesamtstadtbericht:
        """Check the parameters against the config, then load the prepared data."""
        cfg = load_config(config)
        _with_year(cfg, berichtsjahr)
        return cls(load_prepared(cfg.pfad, store, berichtsjahr), dpi, herkunft=herkunft)

    def titel(self) -> HTML:
        """Title, banner and key facts of the city."""
        i, b = self.data.inputs, self.b
        ev = i.veranstaltungen if self.mit_veranstaltungen else i.veranstaltungen.iloc[0:0]
        runde = int(ev["runde"].max()) if not ev.empty else None
        items = [
            anzahl(len(self.cfg.sozialraeume), b.einheit.name, b.einheit.mehrzahl),
            anzahl(len(i.quartiere), b.gebiet.name, b.gebiet.mehrzahl),
        ]
        if runde is not None:
            latest = ev[ev["runde"] == runde]
            va = self.cfg.stadt.veranstaltung
            items.append(
                f"Runde {runde} {genitiv_plural(va)}: "
                + anzahl(len(latest), "Veranstaltung", "Veranstaltungen")
                + f", {fmt_int(latest['teilnehmende'].sum())} Teilnehmende"
            )
        if self.mit_handlungsempfehlungen:
            items.append(
                anzahl(len(i.handlungsempfehlungen), "Handlungsempfehlung", "Handlungsempfehlungen")
            )
        kopf = deckblatt(
            self.cfg,
            f"Gesamtstadt {self.cfg.stadt.name}",
            f"{self.cfg.ausgabe} · alle {ohne_artikel(b.einheit, mehrzahl=True, nach='der')} "
            "im Vergleich",
            self._banner(),
        )
        return HTML("".join((kopf, block("bericht.html.j2", "kennzahlen", items=items))))

    def auf_einen_blick(self) -> HTML:
        """City-wide sentences from the data."""
        ctx = narrative_stadt.stadt_kontext(
            self.cfg, self.data.inputs, self.data.result.index, self.sr_agg, self.stadt_agg
        )
        if not self.mit_veranstaltungen:
            ctx["veranstaltungen"] = None
        return HTML(
            "".join(
                (
                    _h(2, "Auf einen Blick"),
                    narrative.summary_html(narrative_stadt.stadt_summary(ctx)),
                )
            )
        )

    def sozialindex(self) -> HTML:
        """The index maps of all areas, and the table of all areas in the documented order."""
        b = self.b
        parts = [
            _h(2, f"{b.index} aller {ohne_artikel(b.gebiet, 'genitiv', mehrzahl=True, nach='der')}")
        ]
        stadt = self.cfg.stadt.name
        karte = self._interaktive_karte(None)
        parts.extend(self._klassenkarten(None, stadt, f"Gesamtstadt {stadt}", karte))
        parts.append(
            self._index_table(
                self.index_df,
                f"{b.index} {self.jahr}: alle {ohne_artikel(b.gebiet, mehrzahl=True, nach='der')}",
                by_sozialraum=True,
            )
        )
        return HTML("\n".join(parts))

    def indikatoren(self) -> HTML:
        """Indicators per Sozialraum and city, with change (computed or published).

        Nothing for a city with only a published index: it has no indicator values.
        """
        cfg, m, b = self.cfg, self.cfg.methode, self.b
        if not cfg.indikatoren:
            return HTML("")
        names = {s.id: s.name for s in cfg.sozialraeume}
        both = self.indikatoren_df
        now = both[both["jahr"] == m.berichtsjahr].set_index(["sozialraum_id", "indikator"])
        before = both[both["jahr"] == (m.vergleichsjahr or 0)].set_index(
            ["sozialraum_id", "indikator"]
        )
        areas = {**names, "__stadt__": cfg.stadt.name}
        pub = {i.id for i in cfg.dynamik_indikatoren if i.veraenderung == "veroeffentlicht"}

        def table(values: dict, fmt, caption: str, filename: str) -> str:
            # one row per indicator, one column per area: fits the reading column and print up
            # to 7 areas; more (Berlin's 12 Bezirke and the city) are rows, so that every column
            # stays visible at 1280 px without sideways scrolling
            if len(areas) <= 7:
                df = pd.DataFrame(
                    [
                        {"Indikator": ind.kurz, **{areas[k]: values[(k, ind.id)] for k in areas}}
                        for ind in cfg.indikatoren
                    ]
                )
            else:
                df = pd.DataFrame(
                    [
                        {
                            b.einheit.name: name,
                            **{i.kurz: values[(k, i.id)] for i in cfg.indikatoren},
                        }
                        for k, name in areas.items()
                    ]
                )
            formats = {c: fmt for c in df.columns[1:]}
            return tables.tabelle(df, caption, csv=df, filename=filename, formats=formats)

        anteil = {(k, i.id): now["anteil"].get((k, i.id)) for k in areas for i in cfg.indikatoren}

        def change(key: tuple[str, str]) -> float | None:
            val = anteil[key]
            if key[1] in pub:
                published = now["veraenderung"].get(key) if "veraenderung" in now else None
                return None if published is None or pd.isna(published) else float(published)
            prev = before["anteil"].get(key)
            return (val - prev) if pd.notna(val) and pd.notna(prev) else None

        gezaehlt = [i for i in cfg.indikatoren if i.eingabe == "anzahl"]
        anteile = [i for i in cfg.indikatoren if i.eingabe == "anteil"]
        wie = []
        if gezaehlt:
            wie.append(
                "als Verhältnis der Summen über "
                f"{nomen(b.gebiet, 'akkusativ', mehrzahl=True)} (nicht als Mittel ihrer Anteile)"
            )
        if anteile:
            wie.append(
                ("die veröffentlichten Anteile " if gezaehlt else "")
                + f"als mit der Einwohnerzahl gewichtete Mittel {genitiv_plural(b.gebiet)} "
                "(Schätzung)"
            )
        if not cfg.mit_dynamik:  # no change data: the shares alone
            seit = ""
        elif pub and len(pub) == len(cfg.indikatoren):
            seit = (
                f"die veröffentlichte Veränderung {m.vergleichsjahr}–{m.berichtsjahr}, ebenso "
                "gewichtet,"
            )
        else:
            seit = f"ihre Veränderung seit {m.vergleichsjahr}"
        satz = f"Anteile {m.berichtsjahr} {', '.join(wie)}"
        satz += f" und {seit} in Prozentpunkten (Pp.)." if seit else "."
        tabellen = [
            table(
                anteil,
                fmt_pct,
                f"Indikatoren {m.berichtsjahr} nach {ohne_artikel(b.einheit, 'dativ')} "
                "(Anteil in %)",
                self._datei("indikatoren"),
            )
        ]
        if cfg.mit_dynamik:
            delta = {key: change(key) for key in anteil}
            tabellen.append(
                table(
                    delta,
                    fmt_pp,
                    f"{indikatortabellen.veraenderung_titel(cfg)} nach "
                    f"{ohne_artikel(b.einheit, 'dativ')} (Pp.)",
                    self._datei("indikatoren-veraenderung"),
                )
            )
        return HTML("".join((_h(2, f"Indikatoren nach {b.einheit.name}"), _p(satz), *tabellen)))

    def bekanntheit(self) -> HTML:
        """Awareness of every offer across the events of the latest round."""
        if not self.mit_veranstaltungen:
            return HTML("")
        e = self.b.einheit
        parts = [_h(2, f"Bekanntheit der Angebote in allen {dativ_plural(e)}")]
        if self._bekanntheit_runde is None or self.bekanntheit_df.empty:
            parts.append(tables.hinweis("Es liegen keine Abstimmungen vor."))
            return HTML("\n".join(parts))
        runde = self._bekanntheit_runde
        names = {s.id: s.name for s in self.cfg.sozialraeume}
        m = self.cfg.methode.mindeststimmen
        wide = self.bekanntheit_df.pivot_table(
            index="angebot", columns="einheit", values="anteil_ja", aggfunc="first", dropna=False
        )
        wide = wide[[n for n in names.values() if n in wide.columns]].reset_index()
        wide = wide.rename(columns={"angebot": "Angebot"})
        wide.columns.name = None
        parts.append(
            _p(
                "Anteil JA („Kennen Sie das Angebot?“) je Angebot und "
                f"{ohne_artikel(e, 'akkusativ')}, "
                f"Runde {runde}. Angebote mit weniger als {m} Punkten in "
                f"{nomen(e, 'dativ', art='ein')}: •."
            )
        )
        parts.append(
            tables.tabelle(
                wide,
                f"Bekanntheit der Angebote, Runde {runde}",
                csv=wide,
                filename=self._datei("bekanntheit-alle"),
                formats={c: fmt_pct for c in wide.columns if c != "Angebot"},
            )
        )
        return HTML("\n".join(parts))

    def handlungsempfehlungen(self) -> HTML:
        """Status of all Handlungsempfehlungen (nothing where the city keeps none)."""
        if not self.mit_handlungsempfehlungen:
            return HTML("")
        e = self.b.einheit
        he = self.data.inputs.handlungsempfehlungen
        parts = [
            _h(
                2,
                "Handlungsempfehlungen aller "
                + ohne_artikel(e, "genitiv", mehrzahl=True, nach="der"),
            )
        ]
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
        kreuz = he.assign(_einheit=he["sozialraum_id"].map(names)).pivot_table(
            index="_einheit", columns="status", values="he_id", aggfunc="count", fill_value=0
        )
        order = [s for s in events.STATUS_REIHENFOLGE if s in kreuz.columns]
        kreuz = kreuz.reindex([n for n in names.values() if n in kreuz.index])[order]
        kreuz = kreuz.rename_axis(index=e.name, columns=None).reset_index()
        parts.append(
            tables.tabelle(
                kreuz,
                f"Handlungsempfehlungen nach {ohne_artikel(e, 'dativ')} und Status",
                csv=kreuz,
                filename=self._datei("handlungsempfehlungen-status"),
            )
        )
        for s in self.cfg.sozialraeume:
            sub = events.handlungsempfehlungen(
                he, s.id, self.data.inputs.quartiere, ohne_artikel(e, adjektiv="ganz")
            )
            if not sub.empty:
                parts.append(_h(3, s.name))
                parts.append(
                    veranstaltungstabellen.handlungsempfehlungen_tabelle(
                        sub,
                        sozialraum_name=s.name,
                        gebiete=self.b.gebiet.mehrzahl,
                        filename=tables.dateiname("handlungsempfehlungen", s.slug, self.jahr),
                    )
                )
        return HTML("\n".join(parts))
