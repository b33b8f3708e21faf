"""Tables of the indicators: Quartiere, Sozialraum and city, with the change since the last report.

Also the documented order of the areas (``methode.sortierung``) that every area table and CSV
follows.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from sozialraum.config import Config
from sozialraum.fmt import (
    UNTERDRUECKT,
    fmt_pct,
    fmt_pp,
    genitiv,
    is_missing,
    natural_key,
)
from sozialraum.grammatik import genitiv_plural
from sozialraum.present.tables import hinweis, tabelle

EBENEN = ("quartier", "sozialraum", "stadt")


def _suppressed(shown: str, unterdrueckt: Any) -> str:
    return UNTERDRUECKT if (not is_missing(unterdrueckt) and bool(unterdrueckt)) else shown


def gebiete_werte(
    werte: pd.DataFrame,
    quartiere: pd.DataFrame,
    sozialraum_id: str,
    sozialraum_agg: pd.DataFrame,
    stadt_agg: pd.DataFrame,
    *,
    sozialraum_name: str,
    stadt_name: str,
) -> pd.DataFrame:
    """One long frame of shares for the Quartiere of a Sozialraum, the Sozialraum and the city.

    Parameters
    ----------
    werte
        ``IndexResult.werte``: ``quartier_id``, ``jahr``, ``indikator``, ``anteil``,
        ``unterdrueckt`` (``zaehler``/``nenner`` optional).
    quartiere
        ``quartier_id``, ``quartier``, ``sozialraum_id``.
    sozialraum_id
        The Sozialraum whose Quartiere are listed.
    sozialraum_agg, stadt_agg
        Output of ``index.aggregate`` for the two levels (``jahr``, ``indikator``, ``anteil``,
        optionally ``unterdrueckt``, ``zaehler``, ``nenner``; the Sozialraum level may hold all
        Sozialräume in a column ``sozialraum_id``).
    sozialraum_name, stadt_name
        Row labels of the two aggregate levels.

    Returns
    -------
    DataFrame
        Columns ``ebene`` (``quartier``/``sozialraum``/``stadt``), ``gebiet_id``, ``gebiet``,
        ``jahr``, ``indikator``, ``zaehler``, ``nenner``, ``anteil``, ``veraenderung`` (the
        published change in percentage points where the data carry one, else NaN),
        ``unterdrueckt``; Quartiere sorted by name, then the Sozialraum, then the city.
    """
    own = quartiere[quartiere["sozialraum_id"].astype(str) == str(sozialraum_id)]
    names = own[["quartier_id", "quartier"]].astype({"quartier_id": "string"})
    q = werte.astype({"quartier_id": "string"}).merge(
        names, on="quartier_id", how="inner", validate="m:1"
    )
    q = q.rename(columns={"quartier_id": "gebiet_id", "quartier": "gebiet"}).assign(
        ebene="quartier"
    )
    sr = sozialraum_agg
    if "sozialraum_id" in sr.columns:
        sr = sr[sr["sozialraum_id"].astype(str) == str(sozialraum_id)]
    sr = sr.assign(ebene="sozialraum", gebiet_id=str(sozialraum_id), gebiet=sozialraum_name)
    st = stadt_agg.assign(ebene="stadt", gebiet_id="stadt", gebiet=stadt_name)
    cols = [
        "ebene",
        "gebiet_id",
        "gebiet",
        "jahr",
        "indikator",
        "zaehler",
        "nenner",
        "anteil",
        "veraenderung",
    ]
    parts = []
    for part in (q, sr, st):
        part = part.copy()
        for c in ("zaehler", "nenner", "anteil", "veraenderung"):
            if c not in part.columns:
                part[c] = np.nan
        part["unterdrueckt"] = (
            part["unterdrueckt"].fillna(False).astype(bool)
            if "unterdrueckt" in part.columns
            else False
        )
        # Blank what is withheld here too, so no table or CSV built later can leak it.
        hidden = ["zaehler", "anteil", "veraenderung"]
        part[hidden] = part[hidden].astype("float64")
        part.loc[part["unterdrueckt"], hidden] = np.nan
        parts.append(part[[*cols, "unterdrueckt"]])
    out = pd.concat(parts, ignore_index=True)
    out["jahr"] = out["jahr"].astype("int64")
    out["_e"] = out["ebene"].map({e: i for i, e in enumerate(EBENEN)})
    out = out.sort_values(["_e", "gebiet", "indikator", "jahr"], kind="stable")
    return out.drop(columns="_e").reset_index(drop=True)


def indikator_daten(cfg: Config, gebiete: pd.DataFrame, indikator: str) -> pd.DataFrame:
    """Shares of one indicator per area and year, with the change in percentage points.

    The change is ``anteil(berichtsjahr) − anteil(vergleichsjahr)`` and is suppressed when
    either year is, or the published change; suppressed shares are blanked, so the frame is safe
    to offer as CSV.

    Returns
    -------
    DataFrame
        Columns ``gebiet_id``, ``gebiet``, ``ebene``, ``anteil_<jahr>`` and
        ``unterdrueckt_<jahr>`` for every year of ``cfg.methode.jahre``, ``veraenderung_pp`` and
        ``veraenderung_unterdrueckt``. For an indicator with ``veraenderung = "veroeffentlicht"``
        the change is the published one (no share of the vergleichsjahr is needed). Without
        change data (``cfg.mit_dynamik`` false) the two change columns are absent.
    """
    hit = _alle_daten(cfg, gebiete).get(indikator)
    if hit is not None:
        return hit.copy()
    return _indikator_daten(cfg, gebiete, indikator)


def _anteile_je_jahr(
    d: pd.DataFrame, columns: list[str], key: list[str], years: list[int]
) -> pd.DataFrame:
    """One row per ``key`` with each year's share and whether it is suppressed (then no share)."""
    out = d[columns].drop_duplicates(key).set_index(key)
    for year in years:
        y = d[d["jahr"] == year].set_index(key)
        hidden = y["unterdrueckt"].reindex(out.index).fillna(False).astype(bool)
        share = y["anteil"].reindex(out.index).astype("float64")
        out[f"anteil_{year}"] = share.where(~hidden)
        out[f"unterdrueckt_{year}"] = hidden
    return out


def _indikator_daten(cfg: Config, gebiete: pd.DataFrame, indikator: str) -> pd.DataFrame:
    """:func:`indikator_daten` of one indicator by itself (one absent from ``gebiete``)."""
    m = cfg.methode
    d = gebiete[gebiete["indikator"] == indikator]
    # Keyed by level and id: a unit may carry the same id as its only area.
    key = ["ebene", "gebiet_id"]
    out = _anteile_je_jahr(d, ["gebiet_id", "gebiet", "ebene"], key, m.jahre)
    b, v = m.berichtsjahr, m.vergleichsjahr
    if not cfg.mit_dynamik:
        return out.reset_index()
    if cfg.indikator(indikator).veraenderung == "veroeffentlicht":
        # published with the data: there are no shares of the vergleichsjahr to subtract
        y = d[d["jahr"] == b].set_index(key)
        pub = y["veraenderung"] if "veraenderung" in y.columns else pd.Series(dtype="float64")
        out["veraenderung_pp"] = (
            pub.reindex(out.index).astype("float64").where(~out[f"unterdrueckt_{b}"])
        )
        out["veraenderung_unterdrueckt"] = out[f"unterdrueckt_{b}"]
    else:
        out["veraenderung_pp"] = out[f"anteil_{b}"] - out[f"anteil_{v}"]
        out["veraenderung_unterdrueckt"] = out[f"unterdrueckt_{b}"] | out[f"unterdrueckt_{v}"]
    out = out.reset_index()
    return out[
        ["gebiet_id", "gebiet", "ebene", *out.columns.drop(["gebiet_id", "gebiet", "ebene"])]
    ]


_DATEN_CACHE: OrderedDict[tuple[int, int], tuple[weakref.ref, weakref.ref, dict]] = OrderedDict()
_DATEN_CACHE_GROESSE = 4


def _alle_daten(cfg: Config, gebiete: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """:func:`indikator_daten` of every indicator of ``gebiete`` at once, remembered per frame.

    A report asks for every indicator twice (the tables and the change column of the long
    frame); reshaping the long frame once for all indicators instead of once per indicator and
    call took a fifth of the time of the indicator section.
    """
    key = (id(cfg), id(gebiete))
    hit = _DATEN_CACHE.get(key)
    if hit is not None and hit[0]() is cfg and hit[1]() is gebiete:
        _DATEN_CACHE.move_to_end(key)
        return hit[2]
    out = _alle_daten_rechnen(cfg, gebiete)
    try:
        _DATEN_CACHE[key] = (weakref.ref(cfg), weakref.ref(gebiete), out)
    except TypeError:  # pragma: no cover - a config without weak references: not remembered
        return out
    while len(_DATEN_CACHE) > _DATEN_CACHE_GROESSE:
        _DATEN_CACHE.popitem(last=False)
    return out


def _alle_daten_rechnen(cfg: Config, gebiete: pd.DataFrame) -> dict[str, pd.DataFrame]:
    m = cfg.methode
    if gebiete.empty:
        return {}
    known = {i.id for i in cfg.indikatoren}  # any other asks the config, as before
    key = ["indikator", "ebene", "gebiet_id"]
    out = _anteile_je_jahr(gebiete, ["indikator", "gebiet_id", "gebiet", "ebene"], key, m.jahre)
    b, v = m.berichtsjahr, m.vergleichsjahr
    if cfg.mit_dynamik:
        published = {i.id for i in cfg.indikatoren if i.veraenderung == "veroeffentlicht"}
        is_pub = out.index.get_level_values("indikator").isin(list(published))
        y = gebiete[gebiete["jahr"] == b].set_index(key)
        pub = y["veraenderung"] if "veraenderung" in y.columns else pd.Series(dtype="float64")
        pub = pub.reindex(out.index).astype("float64").where(~out[f"unterdrueckt_{b}"])
        if f"anteil_{v}" in out.columns:
            computed = out[f"anteil_{b}"] - out[f"anteil_{v}"]
            hidden_both = out[f"unterdrueckt_{b}"] | out[f"unterdrueckt_{v}"]
        else:  # only published changes: the others are left to the single way (and its error)
            known = published
            computed, hidden_both = pub, out[f"unterdrueckt_{b}"]
        out["veraenderung_pp"] = computed.where(~is_pub, pub)
        out["veraenderung_unterdrueckt"] = out[f"unterdrueckt_{b}"].where(is_pub, hidden_both)
    out = out.reset_index()
    if cfg.mit_dynamik:
        front = ["gebiet_id", "gebiet", "ebene"]
    else:
        front = ["ebene", "gebiet_id", "gebiet"]
    rest = [c for c in out.columns if c not in (*front, "indikator")]
    return {
        ind: part[[*front, *rest]].reset_index(drop=True)
        for ind, part in out.groupby("indikator", sort=False)
        if ind in known
    }


def mit_veraenderung(cfg: Config, gebiete: pd.DataFrame) -> pd.DataFrame:
    """``gebiete`` with ``veraenderung`` as the tables show it, in the berichtsjahr's rows.

    Why: the long frame is what analysts get as ``bericht.daten.indikatoren``; its change must
    be the change of the page (computed from two years, or the published one), not only the one
    that came with the data. Other years' rows and withheld changes stay blank.
    """
    out = gebiete.copy()
    out["veraenderung"] = np.nan
    b = cfg.methode.berichtsjahr
    for ind in out["indikator"].dropna().unique():
        d = indikator_daten(cfg, gebiete, ind)
        change = d["veraenderung_pp"].where(~d["veraenderung_unterdrueckt"].astype(bool))
        werte = dict(
            zip(zip(d["ebene"], d["gebiet_id"].astype(str), strict=True), change, strict=True)
        )
        rows = (out["indikator"] == ind) & (out["jahr"] == b)
        keys = zip(out.loc[rows, "ebene"], out.loc[rows, "gebiet_id"].astype(str), strict=True)
        out.loc[rows, "veraenderung"] = [werte.get(k, np.nan) for k in keys]
    return out


def reihenfolge(cfg: Config, gebiete: pd.DataFrame) -> list[str]:
    """Ids of areas in the documented order of every area table and CSV (``methode.sortierung``).

    ``"id"``: by area id, digit runs compared as numbers ("2" before "10"); ``"name"``: by name
    (case and umlauts ignored), then id; ``"klasse"``: worst status class first, then id, the
    areas without a class ("nicht bewertet", "keine Angabe") last.

    Parameters
    ----------
    cfg
        Gives ``methode.sortierung``.
    gebiete
        One row per area with ``quartier_id`` and ``quartier`` (``status_stufe`` for
        ``"klasse"``; without it ``"klasse"`` orders by id), e.g. ``IndexResult.index``.
    """
    df = gebiete.reset_index(drop=True)
    ids = df["quartier_id"].astype(str)
    art = cfg.methode.sortierung
    if art == "name":
        keys = [(natural_key(n), natural_key(i)) for n, i in zip(df["quartier"], ids, strict=True)]
    elif art == "klasse" and "status_stufe" in df.columns:
        stufe = pd.to_numeric(df["status_stufe"], errors="coerce")
        keys = [
            (1 if pd.isna(s) else 0, 0 if pd.isna(s) else -int(s), natural_key(i))
            for s, i in zip(stufe, ids, strict=True)
        ]
    else:
        keys = [natural_key(i) for i in ids]
    order = sorted(range(len(df)), key=lambda k: keys[k])
    return [ids[k] for k in order]


def sortiert(cfg: Config, gebiete: pd.DataFrame) -> pd.DataFrame:
    """``gebiete`` (one row per area, see :func:`reihenfolge`) in the documented order."""
    pos = {i: n for n, i in enumerate(reihenfolge(cfg, gebiete))}
    key = gebiete["quartier_id"].astype(str).map(pos)
    return gebiete.assign(_o=key.to_numpy()).sort_values("_o", kind="stable").drop(columns="_o")


def veraenderung_titel(cfg: Config, indikatoren: Iterable[Any] | None = None) -> str:
    """Header of a change column: "Veränderung 2020–2023", "Veränderung 2018–2020 (veröffentlicht)".

    Published when every given indicator (default: those of the config) has
    ``veraenderung = "veroeffentlicht"``: the period is that of the published data, not an
    edition of the report series.
    """
    m = cfg.methode
    inds = list(cfg.indikatoren if indikatoren is None else indikatoren)
    text = f"Veränderung {m.vergleichsjahr}–{m.berichtsjahr}"
    if inds and all(i.veraenderung == "veroeffentlicht" for i in inds):
        text += " (veröffentlicht)"
    return text


def indikator_tabelle(
    cfg: Config,
    gebiete: pd.DataFrame,
    indikator: str,
    *,
    sozialraum_name: str = "",
    reihe: Sequence[str] | None = None,
    filename: str | None = None,
) -> str:
    """HTML table of one indicator: every area, the report unit and the city, all years.

    Parameters
    ----------
    cfg
        Indicators, years and the city's nouns (``begriffe``) for row labels and notes.
    gebiete
        Output of :func:`gebiete_werte`.
    indikator
        Id of the indicator.
    sozialraum_name
        Named in the caption.
    reihe
        Ids of the areas in display order (see :func:`reihenfolge`); by default the order of
        ``cfg.methode.sortierung`` by id or name.
    filename
        Name of the CSV download (default ``indikator-<id>.csv``).
    """
    ind = cfg.indikator(indikator)
    daten = indikator_daten(cfg, gebiete, indikator)
    if daten.empty:
        return hinweis(f"Für den Indikator „{ind.label}“ liegen keine Werte vor.")
    m, b = cfg.methode, cfg.begriffe
    areas = daten[daten["ebene"] == "quartier"]
    if reihe is None:
        reihe = reihenfolge(
            cfg, areas.rename(columns={"gebiet_id": "quartier_id", "gebiet": "quartier"})
        )
    pos = {str(i): n for n, i in enumerate(reihe)}
    level = {e: n for n, e in enumerate(EBENEN)}
    daten = (
        daten.assign(
            _e=daten["ebene"].map(level),
            _o=daten["gebiet_id"].astype(str).map(pos).fillna(len(pos)),
        )
        .sort_values(["_e", "_o"], kind="stable")
        .drop(columns=["_e", "_o"])
        .reset_index(drop=True)
    )
    # The two totals are named with their level so they stand out from the area rows.
    prefix = {"sozialraum": f"{b.einheit.name} ", "stadt": "Stadt "}
    show = pd.DataFrame(
        {
            "Gebiet": [
                prefix.get(e, "") + str(g)
                for e, g in zip(daten["ebene"], daten["gebiet"], strict=True)
            ],
            "ID": [
                "" if e == "stadt" else str(i)
                for e, i in zip(daten["ebene"], daten["gebiet_id"], strict=True)
            ],
        }
    )
    for year in m.jahre:
        show[str(year)] = [
            _suppressed(fmt_pct(a), u)
            for a, u in zip(daten[f"anteil_{year}"], daten[f"unterdrueckt_{year}"], strict=True)
        ]
    veroeffentlicht = ind.veraenderung == "veroeffentlicht"
    mit_veraenderung = "veraenderung_pp" in daten.columns  # only with change data
    if mit_veraenderung:
        show[veraenderung_titel(cfg, [ind])] = [
            _suppressed(fmt_pp(a), u)
            for a, u in zip(
                daten["veraenderung_pp"], daten["veraenderung_unterdrueckt"], strict=True
            )
        ]
    where = f" – {sozialraum_name}" if sozialraum_name else ""
    caption = f"{ind.label}{where}: Anteil in %"
    if mit_veraenderung:
        caption += " und Veränderung in Prozentpunkten (Pp.)"
    if ind.eingabe == "anzahl":
        notes = [f"Anteil: {ind.zaehler} je 100 {ind.nenner}."]
    else:
        notes = [
            (f"Anteil: {ind.beschreibung} (veröffentlichter Wert). " if ind.beschreibung else "")
            + f"Werte {genitiv(b.einheit)} und der Stadt: mit der Einwohnerzahl gewichtete "
            f"Mittel {genitiv_plural(b.gebiet)} (Schätzung, die Nenner sind nicht veröffentlicht)."
        ]
    if veroeffentlicht:
        notes.append(
            f"Veränderung {m.vergleichsjahr}–{m.berichtsjahr}: mit den Daten veröffentlicht, "
            "nicht aus zwei Jahren berechnet."
        )
    suppressed_note = (
        f"{UNTERDRUECKT} = aus Datenschutzgründen nicht ausgewiesen "
        f"(weniger als {m.mindestfallzahl} Fälle)."
    )
    if daten.filter(like="unterdrueckt").any().any():
        notes.append(suppressed_note)
    spalten = ["gebiet_id", "gebiet", "ebene", *[f"anteil_{y}" for y in m.jahre]]
    csv = daten[spalten + (["veraenderung_pp"] if mit_veraenderung else [])].copy()
    csv.insert(3, "indikator", ind.id)
    return tabelle(
        show,
        caption,
        csv=csv,
        filename=filename or f"indikator-{ind.id}.csv",
        footnotes=notes,
    )


def indikatoren_tabellen(
    cfg: Config,
    gebiete: pd.DataFrame,
    *,
    sozialraum_name: str = "",
    reihe: Sequence[str] | None = None,
    dateien: Callable[[str], str] | None = None,
) -> str:
    """The tables of all indicators of the config, in its order.

    ``dateien`` gives the CSV file name of an indicator id (e.g. with the unit's slug and year).
    """
    return "\n".join(
        indikator_tabelle(
            cfg,
            gebiete,
            i.id,
            sozialraum_name=sozialraum_name,
            reihe=reihe,
            filename=dateien(i.id) if dateien else None,
        )
        for i in cfg.indikatoren
    )
