"""What both report kinds share: the base class, the data namespace, cover, logo and helpers.

The two report classes build on this; notebooks reach it through :mod:`sozialraum.report`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from IPython.display import HTML
from markupsafe import Markup

from sozialraum import __version__
from sozialraum.compute.aggregation import publish
from sozialraum.compute.store import Prepared, langlebig, prepare, read_store
from sozialraum.config import Config, ConfigError, load_config
from sozialraum.fmt import (
    aufzaehlung,
    fmt_date,
    fmt_date_text,
    fmt_int,
    fmt_latest_date,
    fmt_num,
    heute,
    latest_date,
)
from sozialraum.grammatik import genitiv, genitiv_plural, id_name, ohne_artikel
from sozialraum.herkunft import git_commit
from sozialraum.present import indikatortabellen, interaktiv, kartenbasis, maps, tables
from sozialraum.present.figures import PNG_DPI, figure_html
from sozialraum.present.vorlagen import block, markup
from sozialraum.publish import methodik_index
from sozialraum.publish.methodik import einheiten_satz, geometrie_korrekturen, methodentext
from sozialraum.publish.methodik_begriffe import begriffe


def _vorlage(makro: str, /, **daten: Any) -> Markup:
    """One macro of ``bericht.html.j2``, the template of the report's own blocks."""
    return block("bericht.html.j2", makro, **daten)


#: The note on top of a report from invented sample data.
BANNER = _vorlage("banner")


#: Image types a logo may have: the file's first bytes -> MIME type.
_BILD_SIGNATUREN = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def logo_data_uri(cfg: Config) -> str | None:
    """The logo named in ``[stadt] logo`` as a data URI, or None where none is configured.

    A report is one self-contained file, so the image travels inside it. It is shown as an
    image element: a script inside an SVG does not run there, so an SVG needs no sanitising. The
    type is read from the file's content, not its name. A missing file or one that is not a
    PNG, JPEG or SVG is a configuration error that names the key.
    """
    import base64

    if not cfg.stadt.logo:
        return None
    pfad = (cfg.basis / cfg.stadt.logo).resolve()
    wo = f"{cfg.pfad}: [stadt] logo = „{cfg.stadt.logo}“"
    if not pfad.is_file():
        raise ConfigError(
            f"{wo}: Die Datei {pfad} gibt es nicht. Erwartet: ein Bild (PNG, JPEG oder SVG)."
        )
    daten = pfad.read_bytes()
    mime = next((m for sig, m in _BILD_SIGNATUREN.items() if daten.startswith(sig)), None)
    if mime is None:
        kopf = daten[:2048].lstrip(b"\xef\xbb\xbf").lstrip().lower()
        if (
            kopf.startswith((b"<svg", b"<?xml", b"<!--", b"<!doctype svg"))
            and b"<svg" in daten.lower()
        ):
            mime = "image/svg+xml"
    if mime is None:
        raise ConfigError(
            f"{wo}: Die Datei ist kein Bild. Erwartet: ein Logo oder Wappen als PNG, JPEG oder SVG."
        )
    return f"data:{mime};base64," + base64.b64encode(daten).decode("ascii")


def deckblatt(cfg: Config, titel: str, untertitel: str, banner: str = "") -> Markup:
    """The cover block: logo, publisher, title, subtitle, edition and "Stand".

    A committee member who prints page one sees at once whose report it is, for which area,
    which edition and how recent.
    """
    return _vorlage(
        "deckblatt",
        banner=markup(banner),
        logo=logo_data_uri(cfg),
        herausgeber=cfg.stadt.herausgeber or f"Stadt {cfg.stadt.name}",
        titel=titel,
        untertitel=untertitel,
        ausgabe=cfg.ausgabe,
        stand=fmt_date(heute()),
    )


def _h(level: int, text: str) -> Markup:
    """A heading of the given level."""
    return _vorlage("h", level=level, text=text)


def _p(text: str) -> Markup:
    """A paragraph of plain text."""
    return _vorlage("p", text=text)


def _figure(
    chart: tuple[Any, str], caption: str, csv: pd.DataFrame | None = None, **kw: Any
) -> str:
    """A chart as figure, or the sentence the chart function gives when there is nothing to draw."""
    fig, alt = chart
    if fig is None:
        return tables.hinweis(alt)
    return figure_html(fig, alt, caption, csv=csv, **kw)


def _schluessel(charts: list[tuple[Any, str]]) -> pd.DataFrame:
    """The number keys of maps (``kartenbasis.kartenschluessel``) in one frame, each number once.

    Read before the figures are rendered: ``figure_html`` closes them. The class maps of one
    unit number the areas alike, so their keys merge into one.
    """
    keys = [kartenbasis.kartenschluessel(fig) for fig, _ in charts if fig is not None]
    keys = [k for k in keys if not k.empty]
    if not keys:
        return kartenbasis.kartenschluessel(None)
    both = pd.concat(keys, ignore_index=True).drop_duplicates("nummer")
    return both.sort_values("nummer", kind="stable").reset_index(drop=True)


def _schluessel_html(cfg: Config, key: pd.DataFrame, wo: str = "") -> str:
    """The key table printed right after a map with numbers (empty without numbers)."""
    caption = kartenbasis.schluessel_titel(cfg.begriffe.gebiet) + (f", {wo}" if wo else "")
    return tables.schluessel_tabelle(key, caption)


def _with_year(cfg: Config, berichtsjahr: int | None) -> Config:
    """The config for another report year of the series (papermill does not check parameters)."""
    if berichtsjahr is None or berichtsjahr == cfg.methode.berichtsjahr:
        return cfg
    jahre = sorted(cfg.methode.jahre)
    if not cfg.mit_dynamik:  # no change is computed: every year of the series can be reported
        if berichtsjahr not in jahre:
            valid = ", ".join(str(j) for j in jahre)
            raise ConfigError(
                f"Berichtsjahr {berichtsjahr} ist nicht möglich. Gültig sind: {valid}"
            )
        methode = cfg.methode.model_copy(update={"berichtsjahr": berichtsjahr})
        return cfg.model_copy(update={"methode": methode})
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
        prepared = read_store(Path(store), cfg)
        langlebig()
        return prepared
    return prepare(cfg)


@dataclass(frozen=True)
class Berichtsdaten:
    """The data behind the sections of one report, as pandas/GeoPandas frames.

    ``bericht.daten.bekanntheit`` is the very frame the section "Bekanntheit der Angebote"
    draws its chart, table and CSV download from: an analyst who wants to go further starts
    from what the report shows, not from a recomputation that might differ. Everything here is
    publishable (suppression applied, no z-values); the unprotected counts stay in the cache.
    The namespace is frozen; copy a frame (``.copy()``) before changing it.

    Attributes
    ----------
    quartiere
        GeoDataFrame, one row per area of the report with geometry, population, status,
        dynamics and combined class (without change data the status class alone) and the
        reason where an area is not rated.
    indikatoren
        Shares of every indicator and year for the areas, the report unit and the city (long
        format; ``ebene`` says which), withheld values blank and ``unterdrueckt`` True. In the
        city-wide report: the report units and the city.
    bekanntheit
        Awareness of each offer with the 95 % Wilson interval and the mean of the other units
        (city-wide: one row per offer and unit, latest round).
    karten
        The moderation cards of the event, coded into channels (``kategorie``).
    feedback
        The feedback words with count and share.
    handlungsempfehlungen
        The Handlungsempfehlungen with their status.
    """

    quartiere: gpd.GeoDataFrame
    indikatoren: pd.DataFrame
    bekanntheit: pd.DataFrame
    karten: pd.DataFrame
    feedback: pd.DataFrame
    handlungsempfehlungen: pd.DataFrame

    def __repr__(self) -> str:
        teile = ", ".join(f"{f.name}: {len(getattr(self, f.name))} Zeilen" for f in fields(self))
        return f"Berichtsdaten({teile})"


def _quartiere_geo(quartiere: gpd.GeoDataFrame, index: pd.DataFrame) -> gpd.GeoDataFrame:
    """Geometry of the areas joined with their published index classes, in index order."""
    cols = ["quartier_id", quartiere.geometry.name]
    geo = pd.DataFrame(index).merge(quartiere[cols], on="quartier_id", how="left")
    return gpd.GeoDataFrame(geo, geometry=quartiere.geometry.name, crs=quartiere.crs)


@dataclass
class _Bericht:
    """What both report kinds share: data, aggregates, method and provenance."""

    data: Prepared
    dpi: int = PNG_DPI
    _cache: dict = field(default_factory=dict, repr=False)
    herkunft: str | None = None
    """The commit line of the batch (one for every page of a run); None: asked of git here."""

    @property
    def cfg(self) -> Config:
        return self.data.cfg

    @property
    def b(self):
        """The city's own words (``cfg.begriffe``): report unit, area, index, series."""
        return self.cfg.begriffe

    @property
    def jahr(self) -> int:
        return self.cfg.methode.berichtsjahr

    @property
    def slug(self) -> str:
        """Part of every CSV file name, with the year: whose data a download holds."""
        return "gesamtstadt"

    @property
    def erfunden(self) -> bool:
        return bool(self.data.inputs.erfunden)

    @property
    def mit_veranstaltungen(self) -> bool:
        """The city evaluates events: only then are there event sections at all."""
        return self.cfg.mit_veranstaltungen

    @property
    def _mit_vertrauensbereich(self) -> bool:
        """The page shows the awareness of offers, with its confidence interval."""
        return self.mit_veranstaltungen and not self.data.inputs.abstimmungen.empty

    @property
    def mit_handlungsempfehlungen(self) -> bool:
        """The city keeps Handlungsempfehlungen: only then is there a section for them."""
        return self.cfg.eingabe("handlungsempfehlungen") is not None

    @cached_property
    def sr_agg(self) -> pd.DataFrame:
        return self.data.result.aggregat(self.cfg, self.data.inputs.quartiere, "sozialraum")

    @cached_property
    def stadt_agg(self) -> pd.DataFrame:
        return self.data.result.aggregat(self.cfg, self.data.inputs.quartiere, "stadt")

    def _datei(self, stamm: str, *teile: Any) -> str:
        """CSV file name with the report's slug and year: ``sozialindex-mitte-2020.csv``."""
        return tables.dateiname(stamm, *teile, self.slug, self.jahr)

    def _fig(self, chart: tuple[Any, str], caption: str, csv=None, **kw: Any) -> str:
        """A chart at the report's resolution (the notebook's ``bild_dpi``)."""
        return _figure(chart, caption, csv, dpi=self.dpi, **kw)

    def _banner(self) -> Markup:
        return BANNER if self.erfunden else Markup("")

    def _klassenkarten(
        self, sozialraum_id: str | None, wo: str, name: str, interaktiv: str = ""
    ) -> list[str]:
        """Status, dynamics and combined map, with the key of their numbers.

        With ``interaktiv`` (the interactive status map) that map stands under the status
        heading on screen and the static status map is marked for paper only (``nur-druck``):
        a reader sees each map once, and paper, where nothing can be hovered, gets the static one.

        The three maps share their numbers, so the key is printed once, right after the first
        map that draws numbers. Without change data (``cfg.mit_dynamik`` false) there is only
        the status map.
        """
        q, ix = self.data.inputs.quartiere, self.data.result.index
        titel: tuple[tuple[str, str], ...] = (("status", f"{self.b.statusindex} {self.jahr}"),)
        if self.cfg.mit_dynamik:
            titel += (
                ("dynamik", self._dynamik_titel()),
                ("kombi", "Status und Dynamik kombiniert"),
            )
        charts = [
            maps.class_map(
                self.cfg,
                q,
                ix,
                sozialraum_id,
                kind,
                erfunden=self.erfunden,
                schwellen=self.data.result.schwellen.get(kind),
            )
            for kind, _ in titel
        ]
        key = _schluessel(charts)
        parts: list[str] = []
        gezeigt = False
        for (kind, text), chart in zip(titel, charts, strict=True):
            nummern = chart[0] is not None and not kartenbasis.kartenschluessel(chart[0]).empty
            parts.append(_h(3, text))
            figur = self._fig(chart, f"{text}: {wo}")
            if interaktiv and kind == "status":
                parts.append(interaktiv)
                figur = f'<div class="nur-druck">{figur}</div>'
            parts.append(figur)
            if nummern and not gezeigt:
                parts.append(_schluessel_html(self.cfg, key, name))
                gezeigt = True
        return parts

    def _interaktive_karte(self, sozialraum_id: str | None) -> str:
        """The inline-SVG map with a tooltip per area (works offline and without script).

        The tooltip script is not part of the section: the report template adds it once per
        page (``templates/bericht``), so a section holds no script at all; in the notebook the
        areas' SVG title elements show the same text.
        """
        return interaktiv.quartierskarte_interaktiv(
            self.cfg,
            self.data.inputs.quartiere,
            self.data.result.index,
            publish(self.data.result.werte),
            sozialraum_id=sozialraum_id,
            jahr=self.jahr,
            mit_skript=False,
        )

    def _dynamik_titel(self) -> str:
        """Heading of the dynamics map; names the published change where the data bring one."""
        m = self.cfg.methode
        text = f"{self.b.dynamikindex} {m.vergleichsjahr}–{m.berichtsjahr}"
        if self.cfg.veraenderung_veroeffentlicht:
            text += " (veröffentlichte Veränderung)"
        return text

    def _index_table(self, index: pd.DataFrame, caption: str, by_sozialraum: bool) -> str:
        """The areas with their classes, in the documented order, with id and reason."""
        b = self.b
        names = {s.id: s.name for s in self.cfg.sozialraeume}
        df = indikatortabellen.sortiert(self.cfg, publish(index)).reset_index(drop=True)
        show = pd.DataFrame(
            {
                b.gebiet.name: df["quartier"],
                id_name(b.gebiet): df["quartier_id"].astype(str),
                **({b.einheit.name: df["sozialraum_id"].map(names)} if by_sozialraum else {}),
            }
        )
        if df["einwohner"].notna().any():
            show["Einwohner*innen"] = df["einwohner"]
        show["Status"] = df["status_klasse"]
        formats: dict = {"Einwohner*innen": fmt_int, id_name(b.gebiet): str}
        werte = self._gegebene_werte(df)
        show = show.assign(**werte)
        formats.update(dict.fromkeys(werte, lambda x: fmt_num(x, 2, sign=True)))
        if self.cfg.mit_dynamik:
            show["Dynamik"] = df["dynamik_klasse"]
        hinweis = df["ausschluss_grund"].fillna("").astype(str)
        if hinweis.str.strip().ne("").any():  # the column only where a row has a note
            show["Hinweis"] = hinweis
        return tables.tabelle(
            show,
            caption,
            csv=show,
            filename=self._datei("sozialindex"),
            formats=formats,
        )

    def _gegebene_werte(self, df: pd.DataFrame) -> dict[str, Any]:
        """The published values of a given index (``quelle = "wert"``), one column each.

        A computed index is published as classes only (:func:`publish` drops its values, which
        would give back withheld shares); a published value is public already, and for a city
        without indicators it is the only number there is to show.
        """
        index = self.data.result.index
        out = {}
        for art, name in (("status", "Statuswert"), ("dynamik", "Dynamikwert")):
            klassen = getattr(self.cfg.methode, art, None)
            spalte = f"{art}index"
            if klassen is None or klassen.quelle != "wert" or spalte not in index.columns:
                continue
            werte = index.set_index(index["quartier_id"].astype(str))[spalte]
            out[f"{name} (veröffentlicht)"] = (
                df["quartier_id"].astype(str).map(werte).astype(float).to_numpy()
            )
        return out

    def _indikatoren_tabelle(self) -> str:
        """Definition of each indicator: counts, or the published share's description."""
        cfg, m = self.cfg, self.cfg.methode
        inds = cfg.indikatoren
        if not inds:  # only a published index: no indicator to define, no empty table
            return ""
        rows = pd.DataFrame({"Indikator": [i.label for i in inds]})
        if any(i.eingabe == "anzahl" for i in inds):
            rows["Zähler"] = [i.zaehler if i.eingabe == "anzahl" else "–" for i in inds]
            rows["Nenner"] = [i.nenner if i.eingabe == "anzahl" else "–" for i in inds]
        if any(i.eingabe == "anteil" or i.beschreibung for i in inds):
            rows["Beschreibung"] = [
                i.beschreibung or ("veröffentlichter Anteil" if i.eingabe == "anteil" else "–")
                for i in inds
            ]
        # A published index is not computed from the indicators: no column claims they enter it.
        dyn = {i.id for i in cfg.dynamik_indikatoren}
        if not m.status.gegeben:
            rows[str(self.b.statusindex)] = ["ja" if i.status else "nein" for i in inds]
        if m.dynamik is not None and not m.dynamik.gegeben:
            rows[str(self.b.dynamikindex)] = ["ja" if i.id in dyn else "nein" for i in inds]
        if dyn:
            rows["Veränderung"] = [
                "–"
                if i.id not in dyn
                else (
                    f"veröffentlicht ({m.vergleichsjahr}–{m.berichtsjahr})"
                    if i.veraenderung == "veroeffentlicht"
                    else f"berechnet aus {m.vergleichsjahr} und {m.berichtsjahr}"
                )
                for i in inds
            ]
        return tables.tabelle(
            rows,
            f"Indikatoren {genitiv(self.b.index)}",
            csv=rows,
            filename=tables.dateiname("indikatoren-definition", self.jahr),
        )

    def _method_html(self) -> Markup:
        cfg, b = self.cfg, self.b
        weitere: list[str] = []
        for art, klassen in methodik_index.indizes(cfg):
            name = b.statusindex if art == "status" else b.dynamikindex
            titel = f"Klassen {genitiv(name)}"
            schwellen = list(self.data.result.schwellen.get(art, []))
            weitere.append(methodik_index.klassen_satz(titel, klassen, schwellen, b.gebiet))
        schluss = (
            "Der Index allein sagt nicht, wo gehandelt werden muss: Er zeigt, wo sich soziale "
            "Benachteiligung statistisch bündelt. Ob und welcher Handlungsbedarf besteht, ergibt "
            "sich erst zusammen mit dem Wissen der Fachleute vor Ort"
        )
        if self.mit_veranstaltungen:
            schluss += (
                " – deshalb stehen in diesem Bericht die Ergebnisse "
                f"{genitiv_plural(cfg.stadt.veranstaltung)} neben dem Index."
            )
        else:
            schluss += "."
        if b.vergleichbare_verfahren:
            schluss += f" Vergleichbare Verfahren: {aufzaehlung(b.vergleichbare_verfahren)}."
        weitere.append(schluss)
        geo = f"Geometrie: {cfg.stadt.geometrie_version}."
        if cfg.stadt.geometrie_schematisch:
            geo += " Die Grenzen sind schematisch, keine amtlichen Grenzen."
        weitere.append(geo)
        if (satz := einheiten_satz(cfg)) is not None:
            weitere.append(satz)
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
        sums = "; ".join(
            f"{name}: {digest[:12]}" for name, digest in sorted(self.data.inputs.checksums.items())
        )
        absaetze = methodentext(cfg, self.data.result.index)
        return _vorlage(
            "methodik",
            absaetze=absaetze,
            begriffe=begriffe(
                absaetze,
                prozentpunkte=bool(cfg.indikatoren) and cfg.mit_dynamik,
                vertrauensbereich=self._mit_vertrauensbereich,
            ),
            tabelle=markup(self._indikatoren_tabelle()),
            weitere=weitere,
            korrekturen=geometrie_korrekturen(cfg),
            quellen=quellen,
            quellenangabe=cfg.stadt.quellenangabe,
            datenstand="Datenstand: " + "; ".join(self._datenstand()) + ".",
            version=__version__,
            commit=self.herkunft or git_commit(cfg.basis),
            fingerabdruck=self.data.fingerprint[:16],
            pruefsummen=sums,
        )

    def methodik(self) -> HTML:
        """Method, sources, data as of, provenance."""
        return HTML(str(self._method_html()))

    def _veranstaltungen(self) -> pd.DataFrame:
        """The events this report speaks of (all of them for the city)."""
        return self.data.inputs.veranstaltungen

    def _handlungsempfehlungen(self) -> pd.DataFrame:
        return self.data.inputs.handlungsempfehlungen

    def _datenstand(self) -> list[str]:
        """What "as of" means for each kind of input: a committee asks how fresh each part is."""
        cfg, m = self.cfg, self.cfg.methode
        if len(m.jahre) > 1 and not cfg.begriffe.ausgabe:
            statistik = (
                f"Statistik der {cfg.begriffe.reihe}-Jahre "
                f"{aufzaehlung(str(j) for j in m.jahre)} (Berichtsjahr {m.berichtsjahr})"
            )
        else:
            statistik = f"Statistik: {cfg.ausgabe} (Berichtsjahr {m.berichtsjahr}"
            if any(i.veraenderung == "veroeffentlicht" for i in cfg.dynamik_indikatoren):
                statistik += f", Veränderung {m.vergleichsjahr}–{m.berichtsjahr} veröffentlicht"
            statistik += ")"
        teile = [statistik]
        ev = self._veranstaltungen()
        last = latest_date(ev["datum"], ev.get("datum_genauigkeit")) if not ev.empty else None
        if last is not None:
            va = self.cfg.stadt.veranstaltung
            teile.append(f"{ohne_artikel(va, adjektiv='letzt')} {fmt_date_text(*last)}")
        he = self._handlungsempfehlungen()
        stand = fmt_latest_date(
            he.get("status_datum", pd.Series(dtype=object)), he.get("status_datum_genauigkeit")
        )
        if stand:
            teile.append(f"Handlungsempfehlungen mit Stand bis {stand}")
        teile.append(f"Bericht erstellt am {fmt_date(heute())}")
        return teile
