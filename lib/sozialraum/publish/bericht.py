"""The sections of a report, each one HTML block for one notebook cell.

The notebooks stay thin: a cell calls one method here and shows what it returns. Every number,
name and sentence comes from the prepared data; every text from the public is escaped by the
functions that put it into HTML.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from IPython.display import HTML

from sozialraum import __version__
from sozialraum.compute import events
from sozialraum.compute.index import publish
from sozialraum.compute.store import Prepared, prepare, read_store
from sozialraum.config import Config, ConfigError, load_config
from sozialraum.fmt import (
    anzahl,
    aufzaehlung,
    dativ_plural,
    fmt_date,
    fmt_date_text,
    fmt_int,
    fmt_latest_date,
    fmt_num,
    fmt_pct,
    fmt_pp,
    genitiv,
    heute,
    html_text,
    im,
    latest_date,
    zitat,
)
from sozialraum.present import charts, interaktiv, maps, narrative, tables
from sozialraum.present.figures import PNG_DPI, figure_html

BANNER = (
    '<div class="beispieldaten-banner" role="note"><strong>Beispieldaten.</strong> '
    "Dieser Bericht enthält erfundene Werte zur Erprobung des Werkzeugs. Die Zahlen sind "
    "keine amtlichen Angaben und dürfen nicht als solche verwendet werden.</div>"
)


#: Image types a logo may have: the file's first bytes -> MIME type.
_BILD_SIGNATUREN = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def logo_data_uri(cfg: Config) -> str | None:
    """The logo named in ``[stadt] logo`` as a data URI, or None where none is configured.

    A report is one self-contained file, so the image travels inside it. It is shown as an
    ``<img>``: a script inside an SVG does not run there, so an SVG needs no sanitising. The
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


def deckblatt(cfg: Config, titel: str, untertitel: str, banner: str = "") -> str:
    """The cover block: logo, publisher, title, subtitle, edition and "Stand".

    A committee member who prints page one sees at once whose report it is, for which area,
    which edition and how recent.
    """
    herausgeber = cfg.stadt.herausgeber or f"Stadt {cfg.stadt.name}"
    logo = logo_data_uri(cfg)
    bild = (
        f'<img class="deckblatt-logo" src="{logo}" alt="{html_text(f"Logo: {herausgeber}")}">'
        if logo
        else ""
    )
    return (
        banner
        + '<header class="deckblatt">'
        + bild
        + f'<p class="deckblatt-herausgeber">{html_text(herausgeber)}</p>'
        + f"<h1>{html_text(titel)}</h1>"
        + f'<p class="untertitel">{html_text(untertitel)}</p>'
        + f'<p class="deckblatt-stand">{html_text(cfg.ausgabe)} · Stand: '
        + f"{html_text(fmt_date(heute()))}</p></header>"
    )


def _h(level: int, text: str) -> str:
    return f"<h{level}>{html_text(text)}</h{level}>"


def _p(text: str) -> str:
    return f"<p>{html_text(text)}</p>"


def _figure(
    chart: tuple[Any, str], caption: str, csv: pd.DataFrame | None = None, **kw: Any
) -> str:
    """A chart as figure, or the sentence the chart function gives when there is nothing to draw."""
    fig, alt = chart
    if fig is None:
        return tables.hinweis(alt)
    return figure_html(fig, alt, caption, csv=csv, **kw)


def _schluessel(charts: list[tuple[Any, str]]) -> pd.DataFrame:
    """The number keys of maps (``maps.kartenschluessel``) in one frame, each number once.

    Read before the figures are rendered: ``figure_html`` closes them. The class maps of one
    unit number the areas alike, so their keys merge into one.
    """
    keys = [maps.kartenschluessel(fig) for fig, _ in charts if fig is not None]
    keys = [k for k in keys if not k.empty]
    if not keys:
        return maps.kartenschluessel(None)
    both = pd.concat(keys, ignore_index=True).drop_duplicates("nummer")
    return both.sort_values("nummer", kind="stable").reset_index(drop=True)


def _schluessel_html(cfg: Config, key: pd.DataFrame, wo: str = "") -> str:
    """The key table printed right after a map with numbers (empty without numbers)."""
    caption = maps.schluessel_titel(cfg.begriffe.gebiet) + (f", {wo}" if wo else "")
    return tables.schluessel_tabelle(key, caption)


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
        dynamics and combined class and the reason where an area is not rated.
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

    def _banner(self) -> str:
        return BANNER if self.erfunden else ""

    def _klassenkarten(self, sozialraum_id: str | None, wo: str, name: str) -> list[str]:
        """Status, dynamics and combined map, with the key of their numbers.

        The three maps share their numbers, so the key is printed once, right after the first
        map that draws numbers.
        """
        q, ix = self.data.inputs.quartiere, self.data.result.index
        titel = (
            ("status", f"Statusindex {self.jahr}"),
            ("dynamik", self._dynamik_titel()),
            ("kombi", "Status und Dynamik kombiniert"),
        )
        charts = [
            maps.class_map(self.cfg, q, ix, sozialraum_id, kind, erfunden=self.erfunden)
            for kind, _ in titel
        ]
        key = _schluessel(charts)
        parts: list[str] = []
        gezeigt = False
        for (_, text), chart in zip(titel, charts, strict=True):
            nummern = chart[0] is not None and not maps.kartenschluessel(chart[0]).empty
            parts.append(_h(3, text))
            parts.append(self._fig(chart, f"{text}: {wo}"))
            if nummern and not gezeigt:
                parts.append(_schluessel_html(self.cfg, key, name))
                gezeigt = True
        return parts

    def _interaktive_karte(self, sozialraum_id: str | None) -> str:
        """The inline-SVG map with a tooltip per area (works offline and without script).

        The tooltip script is not part of the section: the report template adds it once per
        page (``templates/bericht``), so a section holds no script at all; in the notebook the
        areas' ``<title>`` shows the same text.
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
        text = f"Dynamikindex {m.vergleichsjahr}–{m.berichtsjahr}"
        if self.cfg.veraenderung_veroeffentlicht:
            text += " (veröffentlichte Veränderung)"
        return text

    def _index_table(self, index: pd.DataFrame, caption: str, by_sozialraum: bool) -> str:
        """The areas with their classes, in the documented order, with id and reason."""
        b = self.b
        names = {s.id: s.name for s in self.cfg.sozialraeume}
        df = tables.sortiert(self.cfg, publish(index)).reset_index(drop=True)
        show = pd.DataFrame(
            {
                b.gebiet.name: df["quartier"],
                f"{b.gebiet.name}-ID": df["quartier_id"].astype(str),
                **({b.einheit.name: df["sozialraum_id"].map(names)} if by_sozialraum else {}),
            }
        )
        if df["einwohner"].notna().any():
            show["Einwohner*innen"] = df["einwohner"]
        show["Status"] = df["status_klasse"]
        show["Dynamik"] = df["dynamik_klasse"]
        hinweis = df["ausschluss_grund"].fillna("").astype(str)
        if hinweis.str.strip().ne("").any():  # the column only where a row has a note
            show["Hinweis"] = hinweis
        return tables.tabelle(
            show,
            caption,
            csv=show,
            filename=self._datei("sozialindex"),
            formats={"Einwohner*innen": fmt_int, f"{b.gebiet.name}-ID": str},
        )

    def _indikatoren_tabelle(self) -> str:
        """Definition of each indicator: counts, or the published share's description."""
        cfg, m = self.cfg, self.cfg.methode
        inds = cfg.indikatoren
        rows = pd.DataFrame({"Indikator": [i.label for i in inds]})
        if any(i.eingabe == "anzahl" for i in inds):
            rows["Zähler"] = [i.zaehler if i.eingabe == "anzahl" else "–" for i in inds]
            rows["Nenner"] = [i.nenner if i.eingabe == "anzahl" else "–" for i in inds]
        if any(i.eingabe == "anteil" or i.beschreibung for i in inds):
            rows["Beschreibung"] = [
                i.beschreibung or ("veröffentlichter Anteil" if i.eingabe == "anteil" else "–")
                for i in inds
            ]
        rows["Statusindex"] = ["ja" if i.status else "nein" for i in inds]
        rows["Dynamikindex"] = ["ja" if i.dynamik else "nein" for i in inds]
        if any(i.dynamik for i in inds):
            rows["Veränderung"] = [
                "–"
                if not i.dynamik
                else (
                    f"veröffentlicht ({m.vergleichsjahr}–{m.berichtsjahr})"
                    if i.veraenderung == "veroeffentlicht"
                    else f"berechnet aus {m.vergleichsjahr} und {m.berichtsjahr}"
                )
                for i in inds
            ]
        return tables.tabelle(
            rows,
            f"Indikatoren des {self.b.index}",
            csv=rows,
            filename=tables.dateiname("indikatoren-definition", self.jahr),
        )

    def _method_html(self) -> str:
        cfg, m, b = self.cfg, self.cfg.methode, self.b
        parts = [_h(2, "Methodik, Quellen und Datenstand")]
        parts.extend(_p(t) for t in methodentext(cfg, self.data.result.index))
        parts.append(self._indikatoren_tabelle())
        for titel, klassen in (
            ("Klassen des Statusindex", m.status),
            ("Klassen des Dynamikindex", m.dynamik),
        ):
            if klassen.schwellen_typ == "standardabweichung":
                einheit = "Standardabweichungen"
                grenzen = aufzaehlung(fmt_num(s, 1, sign=True) for s in klassen.schwellen)
            else:
                einheit = "Indexpunkten (feste Grenzen)"
                grenzen = aufzaehlung(fmt_num(s, 2, sign=True) for s in klassen.schwellen)
            text = f"{titel}: Grenzen bei {grenzen} {einheit}."
            if klassen.beschreibung:
                text += " " + "; ".join(
                    f"{lab}: {txt}"
                    for lab, txt in zip(klassen.labels, klassen.beschreibung, strict=False)
                )
                text += "."
            parts.append(_p(text))
        schluss = (
            "Der Index allein sagt nicht, wo gehandelt werden muss: Er zeigt, wo sich soziale "
            "Benachteiligung statistisch bündelt. Ob und welcher Handlungsbedarf besteht, ergibt "
            "sich erst zusammen mit dem Wissen der Fachleute vor Ort"
        )
        if self.mit_veranstaltungen:
            schluss += (
                " – deshalb stehen in diesem Bericht die Ergebnisse der "
                f"{cfg.stadt.veranstaltung.mehrzahl} neben dem Index."
            )
        else:
            schluss += "."
        if b.vergleichbare_verfahren:
            schluss += f" Vergleichbare Verfahren: {aufzaehlung(b.vergleichbare_verfahren)}."
        parts.append(_p(schluss))
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
                + "".join(f"<li>{html_text(q)}</li>" for q in quellen)
                + "</ul>"
            )
        if cfg.stadt.quellenangabe:
            parts.append(f'<p class="quelle">{html_text(cfg.stadt.quellenangabe)}</p>')
        parts.append(_p("Datenstand: " + "; ".join(self._datenstand()) + "."))
        sums = "; ".join(
            f"{name}: {digest[:12]}" for name, digest in sorted(self.data.inputs.checksums.items())
        )
        parts.append(
            '<p class="provenienz"><small>Herkunft: sozialraum '
            f"{html_text(__version__)}, Git-Commit {html_text(git_commit(cfg.basis))}, "
            f"Datenfingerabdruck {html_text(self.data.fingerprint[:16])}. "
            f"Prüfsummen (SHA-256) der Eingaben: {html_text(sums)}.</small></p>"
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
        cfg, m = self.cfg, self.cfg.methode
        if len(m.jahre) > 1 and not cfg.begriffe.ausgabe:
            statistik = (
                f"Statistik der {cfg.begriffe.reihe}-Jahre "
                f"{aufzaehlung(str(j) for j in m.jahre)} (Berichtsjahr {m.berichtsjahr})"
            )
        else:
            statistik = f"Statistik: {cfg.ausgabe} (Berichtsjahr {m.berichtsjahr}"
            if any(i.dynamik and i.veraenderung == "veroeffentlicht" for i in cfg.indikatoren):
                statistik += f", Veränderung {m.vergleichsjahr}–{m.berichtsjahr} veröffentlicht"
            statistik += ")"
        teile = [statistik]
        ev = self._veranstaltungen()
        last = latest_date(ev["datum"], ev.get("datum_genauigkeit")) if not ev.empty else None
        if last is not None:
            va = self.cfg.stadt.veranstaltung
            teile.append(f"{va.form('letzter')} {va.name} {fmt_date_text(*last)}")
        he = self._handlungsempfehlungen()
        stand = fmt_latest_date(
            he.get("status_datum", pd.Series(dtype=object)), he.get("status_datum_genauigkeit")
        )
        if stand:
            teile.append(f"Handlungsempfehlungen mit Stand bis {stand}")
        teile.append(f"Bericht erstellt am {fmt_date(heute())}")
        return teile


def methodentext(cfg: Config, index: pd.DataFrame | None = None) -> list[str]:
    """The method as configured, in German sentences (one paragraph each, plain text).

    Everything is read from ``cfg``: combination ("die Summe" / "der Mittelwert"),
    re-standardisation, computed or published change, the exclusion rules actually configured
    (minimum population only when > 0, the data's validity column, listed areas), suppression
    only where counts exist, and the sentence on population-weighted estimates only where
    published shares exist. ``index`` (``IndexResult.index``) adds how many areas of this data
    set are "nicht bewertet" or "keine Angabe".
    """
    m, b = cfg.methode, cfg.begriffe
    g = b.gebiet
    inds = cfg.indikatoren
    kombi = "der Mittelwert" if m.kombination == "mittelwert" else "die Summe"
    status_n = sum(i.status for i in inds)
    dyn = [i for i in inds if i.dynamik]
    out = [
        f"Der {b.index} fasst {anzahl(len(inds), 'Indikator', 'Indikatoren')} je {g.name} "
        f"zusammen. Jeder Indikator wird über die bewerteten {g.mehrzahl} der Stadt "
        "z-standardisiert (Mittelwert 0, Standardabweichung 1)."
    ]
    satz = (
        f"Der Statusindex ist {kombi} der z-Werte der "
        f"{anzahl(status_n, 'Statusindikators', 'Statusindikatoren')} im Jahr {m.berichtsjahr}"
    )
    if status_n == 1:
        satz = f"Der Statusindex ist der z-Wert des Statusindikators im Jahr {m.berichtsjahr}"
    if dyn:
        pub = [i for i in dyn if i.veraenderung == "veroeffentlicht"]
        zeitraum = f"von {m.vergleichsjahr} bis {m.berichtsjahr}"
        if len(pub) == len(dyn):
            art = f"veröffentlichten Veränderungen in Prozentpunkten {zeitraum}"
        elif not pub:
            art = f"Veränderungen in Prozentpunkten {zeitraum}"
        else:
            art = (
                f"Veränderungen in Prozentpunkten {zeitraum} (veröffentlicht für "
                f"{aufzaehlung(i.kurz for i in pub)}, sonst aus beiden Jahren berechnet)"
            )
        satz += f", der Dynamikindex {kombi} der z-standardisierten {art}."
        if pub:
            satz += (
                " Die veröffentlichten Veränderungen kommen mit den Daten; für "
                f"{m.vergleichsjahr} liegen keine Anteile vor."
            )
    else:
        satz += "."
    out.append(satz)
    stufen = m.status.schwellen_typ == "standardabweichung" or (
        m.dynamik.schwellen_typ == "standardabweichung"
    )
    beide = "Status- und Dynamikindex werden" if dyn else "Der Statusindex wird"
    if m.erneut_standardisieren:
        out.append(
            f"{beide} danach erneut z-standardisiert"
            + (
                ", die Klassengrenzen gelten also in Standardabweichungen des Index."
                if stufen
                else "."
            )
        )
    else:
        out.append(
            f"{beide} nicht erneut standardisiert"
            + (
                "; Klassengrenzen in Standardabweichungen beziehen sich auf Mittelwert und "
                "Standardabweichung des Index über die bewerteten "
                f"{g.mehrzahl}."
                if stufen
                else "."
            )
        )
    regeln = []
    if m.mindestbevoelkerung > 0:
        regeln.append(
            f"{g.mehrzahl} mit weniger als {fmt_int(m.mindestbevoelkerung)} Einwohner*innen "
            "gehen nicht in die Standardisierung ein."
        )
    for name in ("geometrie", "bevoelkerung", "indikatoren"):
        tab = cfg.eingabe(name)
        gueltig = getattr(tab, "gueltigkeit", None) if tab is not None else None
        if gueltig is not None:
            regeln.append(
                f"Ob {g.form('der')} {g.name} gültig ist, steht in der Spalte "
                f"{zitat(gueltig.spalte)} der Daten; wo dort nicht "
                f"{aufzaehlung((zitat(v) for v in gueltig.gueltig), 'oder')} steht, geht "
                f"{g.form('der')} {g.name} nicht in die Standardisierung ein, und der Eintrag "
                "ist der genannte Grund."
            )
    if m.ausgeschlossen:
        namen = {}
        if index is not None:
            namen = dict(zip(index["quartier_id"].astype(str), index["quartier"], strict=False))
        liste = "; ".join(
            f"{namen.get(a.quartier_id, a.quartier_id)} ({a.quartier_id}): {a.grund}"
            for a in m.ausgeschlossen
        )
        regeln.append(f"Von der Standardisierung ausgenommen sind: {liste}.")
    if regeln:
        regeln.append(
            f"Solche {g.mehrzahl} erhalten keinen Index, sondern die Klasse „nicht bewertet“ "
            "mit ihrem Grund; ihre Anteile werden weiter gezeigt."
        )
    else:
        regeln.append(f"Alle {g.mehrzahl} gehen in die Standardisierung ein.")
    regeln.append(
        "Fehlt ein Indikatorwert, bleibt der Index leer („keine Angabe“, der fehlende Wert steht "
        f"als Hinweis dabei): {kombi} über weniger Indikatoren wäre nicht vergleichbar."
    )
    if index is not None:
        from sozialraum.compute.index import KEINE_ANGABE, NICHT_BEWERTET

        n_nb = int((index["status_klasse"] == NICHT_BEWERTET).sum())
        n_ka = int(
            (
                (index["status_klasse"] == KEINE_ANGABE) | (index["dynamik_klasse"] == KEINE_ANGABE)
            ).sum()
        )
        if n_nb or n_ka:
            teile = []
            if n_nb:
                teile.append(f"{anzahl(n_nb, g.name, g.mehrzahl)} „nicht bewertet“")
            if n_ka:
                teile.append(f"{anzahl(n_ka, g.name, g.mehrzahl)} ohne Angabe")
            regeln.append(f"In diesen Daten sind {aufzaehlung(teile)}.")
    out.append(" ".join(regeln))
    gezaehlt = [i for i in inds if i.eingabe == "anzahl"]
    anteile = [i for i in inds if i.eingabe == "anteil"]
    agg = []
    if gezaehlt:
        agg.append(
            f"Die Anteile der {b.einheit.mehrzahl} und der Stadt sind Verhältnisse der Summen "
            f"über ihre {g.mehrzahl} (nicht Mittel der Anteile). Fallzahlen unter "
            f"{m.mindestfallzahl} werden nicht veröffentlicht (•), ebenso Werte, aus denen sie "
            "sich zurückrechnen ließen."
        )
    if anteile:
        welche = "" if not gezaehlt else f" ({aufzaehlung(i.kurz for i in anteile)})"
        agg.append(
            f"Für die als Anteil veröffentlichten Indikatoren{welche} sind die Werte der "
            f"{b.einheit.mehrzahl} und der Stadt mit der Einwohnerzahl gewichtete Mittel der "
            f"Werte ihrer {g.mehrzahl} – Schätzungen, weil die Nenner nicht veröffentlicht sind"
            + (
                "; ebenso ihre Veränderungen."
                if any(i.veraenderung == "veroeffentlicht" for i in anteile)
                else "."
            )
        )
    if agg:
        out.append(" ".join(agg))
    return out


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

    @cached_property
    def index_df(self) -> pd.DataFrame:
        """Its areas' published index classes, in the documented order."""
        ix = self.data.result.index
        own = ix[ix["sozialraum_id"] == self.sozialraum_id]
        return tables.sortiert(self.cfg, publish(own)).reset_index(drop=True)

    @cached_property
    def gebiete_veroeffentlicht(self) -> pd.DataFrame:
        """``gebiete`` as published: withheld shares blank (the trend chart's download)."""
        return publish(self.gebiete)

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
            html += tables.kennzahlen_html(
                k, sozialraum_name=self.sr.name, einheit=self.b.einheit, veranstaltung=va
            )
        return HTML(html)

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
            + self._fig(
                chart, f"Lage {genitiv(self.b.einheit)} {self.sr.name} in {self.cfg.stadt.name}"
            )
        )

    @cached_property
    def reihe(self) -> list[str]:
        """Ids of its areas in the documented order (``methode.sortierung``)."""
        ix = self.data.result.index
        return tables.reihenfolge(self.cfg, ix[ix["sozialraum_id"] == self.sozialraum_id])

    def sozialindex(self) -> HTML:
        """Status, dynamics and combined class maps, with the area table."""
        b = self.b
        parts = [_h(2, f"{b.index} der {b.gebiet.mehrzahl}")]
        parts.append(
            _p(
                f"Die Karten zeigen die {b.gebiet.mehrzahl} {genitiv(b.einheit)} farbig, die "
                f"benachbarten {b.gebiet.mehrzahl} grau als Umgebung. Gleiche Klassen haben in "
                "allen Berichten dieselbe Farbe."
            )
        )
        wo = f"{b.einheit.name} {self.sr.name}"
        parts.append(self._interaktive_karte(self.sozialraum_id))
        parts.extend(self._klassenkarten(self.sozialraum_id, wo, wo))
        parts.append(
            self._index_table(
                self.index_df,
                f"{b.index} {self.jahr}: {b.gebiet.mehrzahl} in {self.sr.name}",
                by_sozialraum=False,
            )
        )
        return HTML("\n".join(parts))

    def indikatoren(self) -> HTML:
        """The indicators: maps, trends (with more than one year), tables."""
        r, m = self.data.result, self.cfg.methode
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
            tables.indikatoren_tabellen(
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
                tables.kennzahlen_html(
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
                f"{va.form('der').capitalize()} {va.name} fand {narrative_date(k)} statt"
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
        andere = self.b.einheit.mehrzahl
        parts.append(
            _p(
                "„Kennen Sie das Angebot?“ – Anteil der grünen Punkte (JA) an allen Punkten je "
                "Angebot, mit 95-%-Vertrauensbereich nach Wilson und dem Mittel der anderen "
                f"{andere}. Angebote mit weniger als {m} Punkten werden nicht ausgewiesen (•). "
                "Als am bekanntesten gilt das Angebot mit der höchsten Untergrenze des "
                "Vertrauensbereichs, als am wenigsten bekannt das mit der niedrigsten Obergrenze – "
                "so zählen wenige Punkte nicht mehr als viele."
            )
        )
        parts.append(
            self._fig(
                charts.bekanntheit_chart(bk, self.sr.name, m, einheiten=andere),
                f"Bekanntheit der Angebote in {self.sr.name}",
            )
        )
        parts.append(
            tables.aufklappen(
                "Tabelle mit Vertrauensbereichen",
                tables.bekanntheit_tabelle(
                    bk,
                    m,
                    sozialraum_name=self.sr.name,
                    einheiten=andere,
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
                        tables.kanal_tabellen(
                            eigene,
                            freq[freq["frage_id"] == frage_id],
                            dateiteile=(self.slug, self.jahr),
                        ),
                    )
                )
        frei = events.karten_freitext(i.karten, i.fragen, i.stationen, self.veranstaltung_id)
        if not frei.empty:
            parts.append(_h(4, "Weitere Karten"))
            parts.append(tables.freitext_liste(frei, dateiteile=(self.slug, self.jahr)))
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
                tables.feedback_tabelle(freq, filename=self._datei("feedbackwoerter")),
            )
        )
        return HTML("\n".join(parts))

    def handlungsempfehlungen(self) -> HTML:
        """The Handlungsempfehlungen and their status (nothing where the city keeps none)."""
        if not self.mit_handlungsempfehlungen:
            return HTML("")
        e = self.b.einheit
        parts = [_h(2, "Handlungsempfehlungen und Umsetzungsstand")]
        if self.he.empty:
            parts.append(
                tables.hinweis(
                    f"Für {e.form('den')} {e.name} {self.sr.name} sind keine "
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
            tables.handlungsempfehlungen_tabelle(
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
        from sozialraum.compute import runden

        teile = runden.rundenvergleich_html(self.cfg, self.data.inputs, self.sr.id, ueberschrift=3)
        if not teile:
            return HTML("")
        return HTML(_h(2, f"Runden im Vergleich: {self.sr.name}") + teile)


def narrative_date(k: dict) -> str:
    """'am 06.09.2023' or 'im November 2019', from the event's key facts."""
    from sozialraum.fmt import fmt_date_text

    return fmt_date_text(k["datum"], k["datum_genauigkeit"])


@dataclass
class Gesamtstadtbericht(_Bericht):
    """The city-wide overview: all Sozialräume side by side."""

    @cached_property
    def index_df(self) -> pd.DataFrame:
        """All areas' published index classes, in the documented order."""
        return tables.sortiert(self.cfg, publish(self.data.result.index)).reset_index(drop=True)

    @cached_property
    def indikatoren_df(self) -> pd.DataFrame:
        """Shares of the report units and the city, all years, as published (long format)."""
        sr = publish(self.sr_agg)
        st = publish(self.stadt_agg).assign(sozialraum_id="__stadt__")
        return pd.concat([sr, st], ignore_index=True)

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
    ) -> Gesamtstadtbericht:
        """Check the parameters against the config, then load the prepared data."""
        cfg = load_config(config)
        _with_year(cfg, berichtsjahr)
        return cls(load_prepared(cfg.pfad, store, berichtsjahr), dpi)

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
            items.append(
                f"Runde {runde} der {self.cfg.stadt.veranstaltung.mehrzahl}: "
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
            f"{self.cfg.ausgabe} · alle {b.einheit.mehrzahl} im Vergleich",
            self._banner(),
        )
        return HTML(
            kopf
            + '<ul class="kennzahlen">'
            + "".join(f"<li>{html_text(t)}</li>" for t in items)
            + "</ul>"
        )

    def auf_einen_blick(self) -> HTML:
        """City-wide sentences from the data."""
        ctx = narrative.stadt_kontext(
            self.cfg, self.data.inputs, self.data.result.index, self.sr_agg, self.stadt_agg
        )
        if not self.mit_veranstaltungen:
            ctx["veranstaltungen"] = None
        return HTML(_h(2, "Auf einen Blick") + narrative.summary_html(narrative.stadt_summary(ctx)))

    def sozialindex(self) -> HTML:
        """The index maps of all areas, and the table of all areas in the documented order."""
        b = self.b
        parts = [_h(2, f"{b.index} aller {b.gebiet.mehrzahl}")]
        stadt = self.cfg.stadt.name
        parts.append(self._interaktive_karte(None))
        parts.extend(self._klassenkarten(None, stadt, f"Gesamtstadt {stadt}"))
        parts.append(
            self._index_table(
                self.index_df,
                f"{b.index} {self.jahr}: alle {b.gebiet.mehrzahl}",
                by_sozialraum=True,
            )
        )
        return HTML("\n".join(parts))

    def indikatoren(self) -> HTML:
        """Indicators per Sozialraum and city, with change (computed or published)."""
        cfg, m, b = self.cfg, self.cfg.methode, self.b
        names = {s.id: s.name for s in cfg.sozialraeume}
        both = self.indikatoren_df
        now = both[both["jahr"] == m.berichtsjahr].set_index(["sozialraum_id", "indikator"])
        before = both[both["jahr"] == m.vergleichsjahr].set_index(["sozialraum_id", "indikator"])
        areas = {**names, "__stadt__": cfg.stadt.name}
        pub = {i.id for i in cfg.indikatoren if i.veraenderung == "veroeffentlicht"}

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

        def change(key: tuple[str, str]) -> float | None:
            val = anteil[key]
            if key[1] in pub:
                published = now["veraenderung"].get(key) if "veraenderung" in now else None
                return None if published is None or pd.isna(published) else float(published)
            prev = before["anteil"].get(key)
            return (val - prev) if pd.notna(val) and pd.notna(prev) else None

        delta = {key: change(key) for key in anteil}
        gezaehlt = [i for i in cfg.indikatoren if i.eingabe == "anzahl"]
        anteile = [i for i in cfg.indikatoren if i.eingabe == "anteil"]
        wie = []
        if gezaehlt:
            wie.append(
                f"als Verhältnis der Summen über die {b.gebiet.mehrzahl} (nicht als Mittel ihrer "
                "Anteile)"
            )
        if anteile:
            wie.append(
                ("die veröffentlichten Anteile " if gezaehlt else "")
                + f"als mit der Einwohnerzahl gewichtete Mittel der {b.gebiet.mehrzahl} "
                "(Schätzung)"
            )
        if pub and len(pub) == len(cfg.indikatoren):
            seit = (
                f"die veröffentlichte Veränderung {m.vergleichsjahr}–{m.berichtsjahr}, ebenso "
                "gewichtet,"
            )
        else:
            seit = f"ihre Veränderung seit {m.vergleichsjahr}"
        return HTML(
            _h(2, f"Indikatoren nach {b.einheit.name}")
            + _p(f"Anteile {m.berichtsjahr} {', '.join(wie)} und {seit} in Prozentpunkten (Pp.).")
            + table(
                anteil,
                fmt_pct,
                f"Indikatoren {m.berichtsjahr} nach {b.einheit.name} (Anteil in %)",
                self._datei("indikatoren"),
            )
            + table(
                delta,
                fmt_pp,
                f"{tables.veraenderung_titel(cfg)} nach {b.einheit.name} (Pp.)",
                self._datei("indikatoren-veraenderung"),
            )
        )

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
                f"Anteil JA („Kennen Sie das Angebot?“) je Angebot und {e.name}, Runde {runde}. "
                f"Angebote mit weniger als {m} Punkten in {'einer' if e.genus == 'f' else 'einem'} "
                f"{e.name}: •."
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
        parts = [_h(2, f"Handlungsempfehlungen aller {e.mehrzahl}")]
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
                f"Handlungsempfehlungen nach {e.name} und Status",
                csv=kreuz,
                filename=self._datei("handlungsempfehlungen-status"),
            )
        )
        for s in self.cfg.sozialraeume:
            sub = events.handlungsempfehlungen(he, s.id, self.data.inputs.quartiere)
            if not sub.empty:
                parts.append(_h(3, s.name))
                parts.append(
                    tables.handlungsempfehlungen_tabelle(
                        sub,
                        sozialraum_name=s.name,
                        gebiete=self.b.gebiet.mehrzahl,
                        filename=tables.dateiname("handlungsempfehlungen", s.slug, self.jahr),
                    )
                )
        return HTML("\n".join(parts))


# -- for the batch's index page ---------------------------------------------------------------
def berichtstitel(cfg: Config, sozialraum: str | None = None) -> str:
    """Page title and link text of a report: "Bezirk Mitte", "Gesamtstadt Berlin"."""
    if sozialraum is None:
        return f"Gesamtstadt {cfg.stadt.name}"
    return f"{cfg.begriffe.einheit.name} {cfg.sozialraum(sozialraum).name}"


def gesamtstadt_beschreibung(cfg: Config) -> str:
    """The line under the city-wide report's link: "Alle Bezirke im Vergleich"."""
    return f"Alle {cfg.begriffe.einheit.mehrzahl} im Vergleich"


def index_beschreibung(prepared: Prepared, sozialraum_id: str) -> str:
    """One line under each report's link: its areas and, where there are events, the event."""
    cfg = prepared.cfg
    q = prepared.inputs.quartiere
    n = int((q["sozialraum_id"] == sozialraum_id).sum())
    text = anzahl(n, cfg.begriffe.gebiet.name, cfg.begriffe.gebiet.mehrzahl)
    if not cfg.mit_veranstaltungen:
        return text
    k = events.kennzahlen(prepared.inputs.veranstaltungen, prepared.inputs.stationen, sozialraum_id)
    if k:
        name = cfg.stadt.veranstaltung.name
        text += f" · {name} {fmt_date(k['datum'], k['datum_genauigkeit'])}"
        if k["teilnehmende"] is not None:
            text += f" · {fmt_int(k['teilnehmende'])} Teilnehmende"
    return text


__all__ = [
    "Gesamtstadtbericht",
    "Sozialraumbericht",
    "berichtstitel",
    "gesamtstadt_beschreibung",
    "index_beschreibung",
    "methodentext",
]
