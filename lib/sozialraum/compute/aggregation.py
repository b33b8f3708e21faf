"""Sozialraum and city totals of the Quartier values, and the withholding of small counts.

Marks the cells that must not be published (primary and secondary suppression), adds up the
totals suppression-safe (:func:`aggregate`) and blanks what may not leave the department
(:func:`publish`).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import pandas as pd

from sozialraum.config import Config

PRIMAER = "primär"
"""Reason of a cell withheld because its own count is small."""

SEKUNDAER = "sekundär"
"""Reason of a cell withheld because a published total would otherwise reveal a small count."""


def _plain(quartiere: pd.DataFrame) -> pd.DataFrame:
    """Quartier attributes without geometry; a GeoDataFrame would drag its geometry along."""
    cols = ["quartier_id", "quartier", "sozialraum_id"]
    missing = [c for c in cols if c not in quartiere.columns]
    if missing:
        raise ValueError(f"Den Quartieren fehlen die Spalten: {', '.join(missing)}")
    out = pd.DataFrame(quartiere[cols]).copy()
    out["quartier_id"] = out["quartier_id"].astype(str)
    out["sozialraum_id"] = out["sozialraum_id"].astype(str)
    if out["quartier_id"].duplicated().any():
        raise ValueError("quartier_id ist in den Quartieren nicht eindeutig.")
    return out.reset_index(drop=True)


# -- suppression ------------------------------------------------------------------------------
def _geschuetzt(werte: list[float], gruende: list[str], m: int) -> bool:
    """Whether a published total keeps its withheld parts unknown.

    A reader knows that a primarily withheld cell holds 1 to m-1 cases and a secondarily
    withheld one at least m. The total minus the published parts gives the sum T of the withheld
    parts. They stay unknown if there are at least two, T is not itself a small count (T >= m),
    and T lies strictly between the smallest and the largest sum the intervals allow (at either
    end every part would be pinned, e.g. two cells of 2 with m = 3 sum to the maximum 4).
    """
    if not werte:
        return True
    if len(werte) < 2:
        return False
    t = sum(werte)
    lo = sum(1 if g == PRIMAER else m for g in gruende)
    hi = sum(m - 1 if g == PRIMAER else math.inf for g in gruende)
    return t >= m and lo < t < hi


def _je_gruppe_geschuetzt(
    teile: pd.DataFrame, keys: list[str], m: int, totals: pd.DataFrame
) -> pd.Series:
    """:func:`_geschuetzt` for every group of ``teile`` at once, aligned to the rows of ``totals``.

    ``teile`` are the parts (rows with a count; ``unterdrueckt``, ``unterdrueckt_grund``), the
    groups are the rows of ``totals`` by ``keys``. A group without withheld parts, or without
    parts at all, is protected. One pass over the table instead of one per group: a city of
    hundreds of areas and a dozen years has thousands of groups.
    """
    s = teile[teile["unterdrueckt"] & teile["zaehler"].notna()]
    primaer = (s["unterdrueckt_grund"] == PRIMAER).to_numpy()
    parts = pd.DataFrame(
        {
            **{k: s[k].to_numpy() for k in keys},
            "t": s["zaehler"].to_numpy(dtype=float),
            "lo": np.where(primaer, 1.0, float(m)),
            "hi": np.where(primaer, float(m - 1), np.inf),
        }
    )
    g = parts.groupby(keys, sort=False)
    agg = pd.DataFrame({"n": g.size(), "t": g["t"].sum(), "lo": g["lo"].sum(), "hi": g["hi"].sum()})
    ok = (agg["n"] >= 2) & (agg["t"] >= m) & (agg["lo"] < agg["t"]) & (agg["t"] < agg["hi"])
    where = pd.MultiIndex.from_frame(totals[keys]) if len(keys) > 1 else totals[keys[0]]
    return pd.Series(ok.reindex(where, fill_value=True).to_numpy(dtype=bool), index=totals.index)


def _gruppe_geschuetzt(gruppe: pd.DataFrame, m: int) -> bool:
    s = gruppe[gruppe["unterdrueckt"]]
    return _geschuetzt(s["zaehler"].tolist(), s["unterdrueckt_grund"].tolist(), m)


def unterdruecken(cfg: Config, werte: pd.DataFrame, quartiere: pd.DataFrame) -> pd.DataFrame:
    """Mark the cells that must not be published: small counts and their complements.

    Primary: a count with ``0 < zaehler < mindestfallzahl`` (0 is published: it identifies
    nobody). Secondary: within a Sozialraum, year and indicator whose total will be published
    (total >= mindestfallzahl), further Quartiere are withheld, smallest count first, until the
    total no longer reveals a withheld count (see ``docs/methodik.md``). Only Quartiere with a
    positive count can protect: a withheld 0 would be recognisable. Published rates (``"anteil"``
    indicators) were protected by their source and are never withheld here.
    """
    m = cfg.methode.mindestfallzahl
    w = werte.drop(columns=["unterdrueckt", "unterdrueckt_grund"], errors="ignore").copy()
    klein = (w["zaehler"] > 0) & (w["zaehler"] < m)
    w["unterdrueckt"] = klein.fillna(False).astype(bool)
    w["unterdrueckt_grund"] = pd.Series(np.nan, index=w.index, dtype="str")
    w.loc[w["unterdrueckt"], "unterdrueckt_grund"] = PRIMAER

    sr = _plain(quartiere).set_index("quartier_id")["sozialraum_id"]
    w["_sr"] = w["quartier_id"].map(sr)
    gezaehlt = w["zaehler"].notna() & w["_sr"].notna()
    for _, gruppe in w[gezaehlt].groupby(["_sr", "jahr", "indikator"], sort=False):
        total = gruppe["zaehler"].sum()
        if total < m or not gruppe["unterdrueckt"].any():
            # A small total is itself withheld (aggregate), which protects its parts.
            continue
        gruppe = gruppe.copy()
        while not _gruppe_geschuetzt(gruppe, m):
            frei = gruppe[~gruppe["unterdrueckt"] & (gruppe["zaehler"] > 0)]
            if frei.empty:
                break  # cannot be protected here: aggregate() withholds the Sozialraum total
            pick = frei.sort_values(["zaehler", "quartier_id"]).index[0]
            gruppe.loc[pick, ["unterdrueckt", "unterdrueckt_grund"]] = [True, SEKUNDAER]
            w.loc[pick, ["unterdrueckt", "unterdrueckt_grund"]] = [True, SEKUNDAER]
    return w.drop(columns="_sr")


# -- totals ----------------------------------------------------------------------------------------
def aggregate(
    cfg: Config,
    werte: pd.DataFrame,
    quartiere: pd.DataFrame,
    ebene: Literal["sozialraum", "stadt"],
) -> pd.DataFrame:
    """Shares of Sozialräume or of the whole city as ratio of sums, suppression-safe.

    A Sozialraum's share is sum(zaehler) / sum(nenner) over its Quartiere, not the mean of their
    shares: a small Quartier must not weigh as much as a large one. For ``"anteil"`` indicators
    the counts are unknown and the share is weighted by population,
    sum(anteil * einwohner) / sum(einwohner). All Quartiere count, also those left out of the
    standardisation.

    Totals are withheld (``unterdrueckt``) if they are small counts themselves, or if they would
    reveal a withheld part (see :func:`unterdruecken`). The city total is withheld, rather than a
    second Sozialraum, when the Sozialraum totals cannot protect each other: a second Sozialraum
    withheld could be added up again from its published Quartiere.

    Parameters
    ----------
    cfg
        Supplies the indicators' input type and ``methode.mindestfallzahl``.
    werte
        ``IndexResult.werte`` (or :func:`anteile` output; suppression is then applied here).
    quartiere
        Assigns each Quartier to its Sozialraum.
    ebene
        ``"sozialraum"``: one row per sozialraum_id x jahr x indikator; ``"stadt"``: one row per
        jahr x indikator.

    Returns
    -------
    DataFrame
        ``ebene``, (``sozialraum_id``,) ``jahr``, ``indikator``, ``zaehler``, ``nenner``,
        ``anteil``, ``einwohner`` (of the Quartiere with a value), ``n_quartiere``,
        ``unterdrueckt``, ``unterdrueckt_grund``. Internal values: pass through :func:`publish`.
    """
    if ebene not in ("sozialraum", "stadt"):
        raise ValueError(f'ebene muss "sozialraum" oder "stadt" sein, nicht "{ebene}"')
    m = cfg.methode.mindestfallzahl
    if "unterdrueckt" not in werte.columns:
        werte = unterdruecken(cfg, werte, quartiere)
    sr = _plain(quartiere).set_index("quartier_id")["sozialraum_id"]
    w = werte.copy()
    w["sozialraum_id"] = w["quartier_id"].astype(str).map(sr)
    if w["sozialraum_id"].isna().any():
        fehlt = sorted(w.loc[w["sozialraum_id"].isna(), "quartier_id"].unique())
        raise ValueError(f"Quartiere ohne Sozialraum: {', '.join(fehlt)}")
    eingabe = w["indikator"].map({i.id: i.eingabe for i in cfg.indikatoren})
    srs = _summen(w, eingabe, ["sozialraum_id", "jahr", "indikator"], m)

    # A Sozialraum total that cannot keep its withheld Quartiere unknown is withheld itself.
    sr_keys = ["sozialraum_id", "jahr", "indikator"]
    offen = ~_je_gruppe_geschuetzt(w[eingabe == "anzahl"], sr_keys, m, srs)
    srs.loc[offen & ~srs["unterdrueckt"], ["unterdrueckt", "unterdrueckt_grund"]] = [
        True,
        SEKUNDAER,
    ]

    if ebene == "sozialraum":
        out = srs.assign(ebene="sozialraum")
        cols = ["ebene", "sozialraum_id", "jahr", "indikator"]
    else:
        # The city total, where its Sozialraum totals cannot keep a withheld one unknown.
        out = _summen(w, eingabe, ["jahr", "indikator"], m).assign(ebene="stadt")
        offen = ~_je_gruppe_geschuetzt(srs, ["jahr", "indikator"], m, out)
        offen &= ~out["unterdrueckt"] & out["zaehler"].notna()
        out.loc[offen, ["unterdrueckt", "unterdrueckt_grund"]] = [True, SEKUNDAER]
        cols = ["ebene", "jahr", "indikator"]
    rest = [
        "zaehler",
        "nenner",
        "anteil",
        "veraenderung",
        "einwohner",
        "n_quartiere",
        "unterdrueckt",
        "unterdrueckt_grund",
    ]
    return out[cols + rest].reset_index(drop=True)


def _summen(w: pd.DataFrame, eingabe: pd.Series, keys: list[str], m: int) -> pd.DataFrame:
    """Ratio of sums per group, with primary suppression of small totals.

    Published shares and published changes are averaged with the population as weight (an
    estimate: the indicator's own denominator is unknown); without any population (a method
    that does not use it) each area weighs the same.
    """
    gezaehlt = eingabe == "anzahl"
    mit_wert = np.where(gezaehlt, w["zaehler"].notna() & w["nenner"].notna(), w["anteil"].notna())
    gewicht = w["einwohner"] if w["einwohner"].notna().any() else pd.Series(1.0, index=w.index)
    veraenderung = w["veraenderung"] if "veraenderung" in w.columns else np.nan
    x = w.assign(
        _mit=mit_wert,
        _z=w["zaehler"].where(gezaehlt),
        _n=w["nenner"].where(gezaehlt),
        _gew=w["einwohner"].where(mit_wert),
        _aw=(w["anteil"] * gewicht).where(~gezaehlt),
        _ga=gewicht.where(~gezaehlt & w["anteil"].notna()),
        _vw=veraenderung * gewicht,
        _gv=gewicht.where(pd.Series(veraenderung, index=w.index).notna()),
        _g=gezaehlt,
    )
    x = x[x["_mit"]]
    g = x.groupby(keys, sort=True)
    out = pd.DataFrame(
        {
            "zaehler": g["_z"].sum(min_count=1),
            "nenner": g["_n"].sum(min_count=1),
            "einwohner": g["_gew"].sum(min_count=1),
            "_aw": g["_aw"].sum(min_count=1),
            "_gewa": g["_ga"].sum(min_count=1),
            "_vw": g["_vw"].sum(min_count=1),
            "_gv": g["_gv"].sum(min_count=1),
            "n_quartiere": g.size(),
            "_g": g["_g"].all(),
        }
    ).reset_index()
    anteil_z = 100.0 * out["zaehler"] / out["nenner"].where(out["nenner"] > 0)
    anteil_a = out["_aw"] / out["_gewa"].where(out["_gewa"] > 0)
    out["anteil"] = anteil_z.where(out["_g"], anteil_a)
    out["veraenderung"] = out["_vw"] / out["_gv"].where(out["_gv"] > 0)
    out["unterdrueckt"] = ((out["zaehler"] > 0) & (out["zaehler"] < m)).fillna(False).astype(bool)
    out["unterdrueckt_grund"] = pd.Series(np.nan, index=out.index, dtype="str")
    out.loc[out["unterdrueckt"], "unterdrueckt_grund"] = PRIMAER
    out["n_quartiere"] = out["n_quartiere"].astype(int)
    return out.drop(columns=["_aw", "_gewa", "_vw", "_gv", "_g"])


# -- what may be published -------------------------------------------------------------------------
def publish(frame: pd.DataFrame) -> pd.DataFrame:
    """What may be published: withheld values blanked, z-values and index values removed.

    Works on ``IndexResult.werte``, ``IndexResult.index``, ``IndexResult.veraenderung``,
    :func:`aggregate` and :func:`veraenderung` output. Where ``unterdrueckt`` is True, count,
    share and change become NaN (tables print "•"); the reason column is dropped, since knowing
    which cells are only secondary narrows the primary ones down. z-values and the numeric
    ``statusindex`` / ``dynamikindex`` are dropped altogether: two published pairs of share and
    z-value give the mean and SD over the Quartiere, and these give back the withheld shares.
    The index is published as classes.
    """
    out = frame.copy()
    if "unterdrueckt" in out.columns:
        mask = out["unterdrueckt"].fillna(False).astype(bool)
        for col in ("zaehler", "anteil", "veraenderung_pp"):
            if col in out.columns:
                out[col] = out[col].astype(float).mask(mask)
    for s in ("vergleichsjahr", "berichtsjahr"):
        flag = f"unterdrueckt_{s}"
        if flag in out.columns:
            mask = out[flag].fillna(False).astype(bool)
            for col in (f"anteil_{s}", f"zaehler_{s}"):
                if col in out.columns:
                    out[col] = out[col].astype(float).mask(mask)
    intern = ["unterdrueckt_grund", "z", "z_dynamik", "statusindex", "dynamikindex"]
    return out.drop(columns=intern, errors="ignore")
