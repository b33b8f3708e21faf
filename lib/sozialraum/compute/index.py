"""The Sozialindex: indicator rates, z-values, Statusindex, Dynamikindex, classes, aggregates.

Everything a city may do differently is a parameter of the config (``cfg.methode`` and
``cfg.indikatoren``): counts or published rates, mean or sum of the z-values, re-standardisation,
class thresholds in standard deviations or fixed, minimum population, Quartiere left out with a
reason, the minimum publishable count. ``docs/methodik.md`` states the method with its formulas;
this module is its implementation (with :mod:`.klassen` for the classes and :mod:`.aggregation`
for totals and suppression), so a change to one must change the other.

Two kinds of output exist side by side. The *internal* frames hold every value, including small
counts, because the index is computed from them. Only what :func:`~.aggregation.publish` returns
may leave the department: it withholds suppressed cells and the numeric index values (which
could be solved for a suppressed z-value), keeping the classes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from sozialraum.compute import gegeben as gg
from sozialraum.compute.aggregation import _plain, aggregate, unterdruecken
from sozialraum.compute.klassen import (
    KEINE_ANGABE,
    NICHT_BEWERTET,
    klassieren,
    kombi_klasse,
    schwellen_absolut,
)
from sozialraum.config import Config
from sozialraum.config_klassen import Klassen

_SD_ZERO = 1e-12

#: Columns of ``IndexResult.index`` that exist only for a city with a Dynamikindex.
DYNAMIK_SPALTEN = ["dynamikindex", "dynamik_stufe", "dynamik_klasse", "kombi_klasse"]


@dataclass(frozen=True)
class IndexResult:
    """Everything :func:`compute_index` derives; internal values, see :func:`publish`.

    Attributes
    ----------
    werte
        One row per quartier_id x jahr x indikator: ``zaehler``, ``nenner``, ``anteil`` (percent),
        ``einwohner`` (of that Quartier and year, the weight of published rates),
        ``unterdrueckt``, ``unterdrueckt_grund`` (``"primär"``/``"sekundär"``/NaN) and ``z``
        (z-value of the share in that year over the included Quartiere, not yet multiplied by
        ``richtung``; NaN for excluded Quartiere).
    index
        One row per Quartier: ``quartier``, ``sozialraum_id``, ``einwohner`` (berichtsjahr),
        ``statusindex``, ``status_stufe``, ``status_klasse``, ``dynamikindex``,
        ``dynamik_stufe``, ``dynamik_klasse``, ``kombi_klasse``, ``ausgeschlossen``,
        ``ausschluss_grund``. A ``*_stufe`` is the 0-based position of the class in the config
        (0 = best), ``<NA>`` for "nicht bewertet" and "keine Angabe". Without
        ``[methode.dynamik]`` (``cfg.mit_dynamik`` false) the dynamics and combined columns
        (:data:`DYNAMIK_SPALTEN`) are absent: a class that was never computed is not shown.
    veraenderung
        One row per quartier_id x indikator: shares of vergleichsjahr and berichtsjahr, their
        change ``veraenderung_pp`` and, for dynamik indicators, ``z_dynamik`` (z-value of the
        change over the included Quartiere, not yet multiplied by ``richtung``). Empty (same
        columns) without ``[methode.dynamik]``.
    schwellen
        The absolute class limits actually applied, ``{"status": [...], "dynamik": [...]}``:
        for ``schwellen_typ = "standardabweichung"`` they depend on the data, and maps and
        legends must show the limits that were used. Only ``"status"`` without dynamics.
    sozialraeume, stadt
        :func:`aggregate` of ``werte`` for every Sozialraum and for the city, once per batch
        (:func:`mit_aggregaten`): every report shows them, and a report of a city with hundreds
        of areas must not add them up again. ``None`` until computed.
    """

    werte: pd.DataFrame
    index: pd.DataFrame
    veraenderung: pd.DataFrame
    schwellen: dict[str, list[float]] = field(default_factory=dict)
    sozialraeume: pd.DataFrame | None = None
    stadt: pd.DataFrame | None = None

    def aggregat(
        self, cfg: Config, quartiere: pd.DataFrame, ebene: Literal["sozialraum", "stadt"]
    ) -> pd.DataFrame:
        """The totals of ``ebene``: the ones computed for the batch, else computed now."""
        known = self.sozialraeume if ebene == "sozialraum" else self.stadt
        return known if known is not None else aggregate(cfg, self.werte, quartiere, ebene)


def mit_aggregaten(cfg: Config, result: IndexResult, quartiere: pd.DataFrame) -> IndexResult:
    """``result`` with the Sozialraum and city totals filled in (see ``IndexResult.stadt``)."""
    from dataclasses import replace

    return replace(
        result,
        sozialraeume=aggregate(cfg, result.werte, quartiere, "sozialraum"),
        stadt=aggregate(cfg, result.werte, quartiere, "stadt"),
    )


# -- small building blocks --------------------------------------------------------------------
def _int_de(n: int) -> str:
    """Whole number with German thousands separator, independent of the machine's locale."""
    return f"{n:,}".replace(",", ".")


def standardisieren(werte: pd.Series, einbezogen: pd.Series) -> pd.Series:
    """z-values over the included areas; excluded areas get NaN.

    The population standard deviation (``ddof=0``) is used: the Quartiere are the whole city,
    not a sample of it. If all included values are equal, every z-value is 0 (no area deviates).

    Parameters
    ----------
    werte
        Values indexed like ``einbezogen``; NaN values take no part and stay NaN.
    einbezogen
        True for areas that enter the mean and the standard deviation.
    """
    einbezogen = einbezogen.reindex(werte.index, fill_value=False).astype(bool)
    werte = werte.astype(float)
    basis = werte[einbezogen & werte.notna()]
    if basis.empty:
        return pd.Series(np.nan, index=werte.index, dtype=float)
    mittel = basis.mean()
    sd = basis.std(ddof=0)
    if sd <= _SD_ZERO * max(1.0, abs(mittel)):
        z = (werte - mittel) * 0.0
    else:
        z = (werte - mittel) / sd
    return z.where(einbezogen)


def _kombinieren(z: pd.DataFrame, art: str) -> pd.Series:
    """Mean or sum of oriented z-values; missing if any indicator is missing."""
    if z.shape[1] == 0:
        return pd.Series(np.nan, index=z.index, dtype=float)
    if art == "summe":
        return z.sum(axis=1, skipna=False)
    return z.mean(axis=1, skipna=False)


# -- rates and exclusions ---------------------------------------------------------------------
def anteile(cfg: Config, indikatoren: pd.DataFrame, bevoelkerung: pd.DataFrame) -> pd.DataFrame:
    """Population-independent shares per Quartier, year and indicator, with the population.

    ``"anzahl"`` indicators: ``anteil = 100 * zaehler / nenner``; a zero denominator gives a
    missing share (not infinity). ``"anteil"`` indicators keep the published percentage;
    ``zaehler`` and ``nenner`` are NaN, and ``einwohner`` serves as weight when aggregating.
    """
    ids = [i.id for i in cfg.indikatoren]
    unbekannt = sorted(set(indikatoren["indikator"].astype(str)) - set(ids))
    if unbekannt:
        raise ValueError(f"Unbekannte Indikatoren in den Daten: {', '.join(unbekannt)}")
    w = pd.DataFrame(
        {
            "quartier_id": indikatoren["quartier_id"].astype(str),
            "jahr": indikatoren["jahr"].astype(int),
            "indikator": indikatoren["indikator"].astype(str),
            "zaehler": pd.to_numeric(indikatoren["zaehler"], errors="coerce").astype(float),
            "nenner": pd.to_numeric(indikatoren["nenner"], errors="coerce").astype(float),
            "anteil_gegeben": pd.to_numeric(
                indikatoren.get("anteil", pd.Series(np.nan, index=indikatoren.index)),
                errors="coerce",
            ).astype(float),
            "veraenderung": pd.to_numeric(
                indikatoren.get("veraenderung", pd.Series(np.nan, index=indikatoren.index)),
                errors="coerce",
            ).astype(float),
        }
    )
    veroeffentlicht = {i.id for i in cfg.indikatoren if i.veraenderung == "veroeffentlicht"}
    w["veraenderung"] = w["veraenderung"].where(w["indikator"].isin(veroeffentlicht))
    if "erfunden" in indikatoren.columns:
        w["erfunden"] = indikatoren["erfunden"].astype(bool).to_numpy()
    eingabe = w["indikator"].map({i.id: i.eingabe for i in cfg.indikatoren})
    gezaehlt = eingabe == "anzahl"
    # A zero denominator makes the share undefined, not infinite: the Quartier has no such people.
    nenner_ok = w["nenner"] > 0
    berechnet = 100.0 * w["zaehler"] / w["nenner"].where(nenner_ok)
    w["anteil"] = berechnet.where(gezaehlt, w["anteil_gegeben"])
    w.loc[~gezaehlt, ["zaehler", "nenner"]] = np.nan
    w = w.drop(columns="anteil_gegeben")

    bev = pd.DataFrame(
        {
            "quartier_id": bevoelkerung["quartier_id"].astype(str),
            "jahr": bevoelkerung["jahr"].astype(int),
            "einwohner": pd.to_numeric(bevoelkerung["einwohner"], errors="coerce").astype(float),
        }
    )
    w = w.merge(bev, on=["quartier_id", "jahr"], how="left", validate="m:1")
    if bev.empty:
        # Without population (a method that does not use it) every area weighs the same.
        w["einwohner"] = np.nan
    order = {i: n for n, i in enumerate(ids)}
    w = (
        w.assign(_o=w["indikator"].map(order))
        .sort_values(["quartier_id", "jahr", "_o"])
        .drop(columns="_o")
        .reset_index(drop=True)
    )
    cols = ["quartier_id", "jahr", "indikator", "zaehler", "nenner", "anteil", "einwohner"]
    return w[cols + [c for c in w.columns if c not in cols]]


def ausschluesse(
    cfg: Config,
    quartiere: pd.DataFrame,
    bevoelkerung: pd.DataFrame,
    gruende: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Which Quartiere stay out of the standardisation, and the one reason why (German).

    The reasons, first match wins so that no Quartier carries two: the config's
    ``methode.ausgeschlossen`` and the data's own validity column (both arrive in ``gruende``,
    in that order: ``quartier_id``, ``grund``); then, where the method uses population
    (``mindestbevoelkerung > 0``), an unknown population in the berichtsjahr; then fewer
    inhabitants than ``mindestbevoelkerung`` (the shares rest on too few people to compare).
    """
    q = _plain(quartiere)
    jahr = cfg.methode.berichtsjahr
    bev = bevoelkerung[bevoelkerung["jahr"].astype(int) == jahr]
    einwohner = pd.Series(
        pd.to_numeric(bev["einwohner"], errors="coerce").astype(float).to_numpy(),
        index=bev["quartier_id"].astype(str),
    )
    einwohner = einwohner[~einwohner.index.duplicated()]
    q["einwohner"] = q["quartier_id"].map(einwohner).astype("Int64")

    listed: dict[str, str] = {a.quartier_id: a.grund for a in cfg.methode.ausgeschlossen}
    unbekannt = sorted(set(listed) - set(q["quartier_id"]))
    if unbekannt:
        raise ValueError(
            "methode.ausgeschlossen nennt Quartiere, die es nicht gibt: " + ", ".join(unbekannt)
        )
    if gruende is not None:
        for qid, grund in zip(gruende["quartier_id"], gruende["grund"], strict=True):
            listed.setdefault(str(qid), str(grund))
    minimum = cfg.methode.mindestbevoelkerung

    def grund(row: pd.Series) -> str | float:
        if row["quartier_id"] in listed:
            return listed[row["quartier_id"]]
        if minimum > 0 and pd.isna(row["einwohner"]):
            return f"keine Einwohnerzahl für {jahr}"
        if minimum > 0 and row["einwohner"] < minimum:
            return f"weniger als {_int_de(minimum)} Einwohner*innen"
        return math.nan

    q["ausschluss_grund"] = pd.Series(
        [grund(row) for _, row in q.iterrows()], index=q.index, dtype="object"
    ).astype("str")
    q["ausschluss_grund"] = q["ausschluss_grund"].where(q["ausschluss_grund"] != "nan")
    q["ausgeschlossen"] = q["ausschluss_grund"].notna()
    return q[["quartier_id", "einwohner", "ausgeschlossen", "ausschluss_grund"]]


# -- change ----------------------------------------------------------------------------------------
def veraenderung(
    frame: pd.DataFrame,
    cfg: Config,
    von: int | None = None,
    bis: int | None = None,
) -> pd.DataFrame:
    """Change of each share in percentage points between two report years.

    ``veraenderung_pp = anteil(bis) - anteil(von)``, by default berichtsjahr minus
    vergleichsjahr: a positive value means the share rose. Works on Quartier values
    (``IndexResult.werte``) and on :func:`aggregate` output alike; the key columns present
    (``ebene``, ``sozialraum_id``, ``quartier_id``) are kept. ``unterdrueckt`` is True if either
    year is withheld, because the change and one published share give the other share.
    """
    von = cfg.methode.vergleichsjahr if von is None else von
    bis = cfg.methode.berichtsjahr if bis is None else bis
    if von is None:
        raise ValueError("Ohne methode.vergleichsjahr gibt es keine berechnete Veränderung")
    keys = [c for c in ("ebene", "sozialraum_id", "quartier_id") if c in frame.columns]
    keys.append("indikator")
    has_flag = "unterdrueckt" in frame.columns

    def jahr(j: int, suffix: str) -> pd.DataFrame:
        part = frame[frame["jahr"] == j]
        cols = {"anteil": f"anteil_{suffix}"}
        if has_flag:
            cols["unterdrueckt"] = f"unterdrueckt_{suffix}"
        return part[keys + list(cols)].rename(columns=cols)

    out = jahr(von, "vergleichsjahr").merge(
        jahr(bis, "berichtsjahr"), on=keys, how="outer", validate="1:1"
    )
    out.insert(len(keys), "vergleichsjahr", von)
    out.insert(len(keys) + 1, "berichtsjahr", bis)
    out["veraenderung_pp"] = out["anteil_berichtsjahr"] - out["anteil_vergleichsjahr"]
    veroeffentlicht = [i.id for i in cfg.indikatoren if i.veraenderung == "veroeffentlicht"]
    if veroeffentlicht and "veraenderung" in frame.columns and bis == cfg.methode.berichtsjahr:
        # The office publishes the change itself: no earlier year is invented to compute it.
        pub = frame[frame["jahr"] == bis][keys + ["veraenderung"]]
        out = out.merge(pub, on=keys, how="left", validate="1:1")
        is_pub = out["indikator"].isin(veroeffentlicht)
        out["veraenderung_pp"] = out["veraenderung_pp"].where(~is_pub, out["veraenderung"])
        out["veraenderung_veroeffentlicht"] = is_pub
        out = out.drop(columns="veraenderung")
    else:
        out["veraenderung_veroeffentlicht"] = False
    for s in ("vergleichsjahr", "berichtsjahr"):
        col = f"unterdrueckt_{s}"
        out[col] = out[col].fillna(False).astype(bool) if has_flag else False
    out["unterdrueckt"] = out["unterdrueckt_vergleichsjahr"] | out["unterdrueckt_berichtsjahr"]
    return out.reset_index(drop=True)


change = veraenderung
"""English alias of :func:`veraenderung`, as named in the shared interface."""


# -- the index --------------------------------------------------------------------------------
def _index_teil(
    z_lang: pd.DataFrame,
    wert: str,
    richtung: dict[str, int],
    ids: pd.Index,
    einbezogen: pd.Series,
    cfg: Config,
    klassen: Klassen,
    art: str = "status",
    gegeben: pd.DataFrame | None = None,
) -> tuple[pd.Series, pd.Series, pd.Series, list[float]]:
    """Combine oriented z-values into one index and class it (shared by status and dynamics).

    A published index (``klassen.quelle`` ``"wert"`` or ``"klasse"``) is taken from ``gegeben``
    instead (:mod:`.gegeben`): never combined from the indicators, never standardised again.
    """
    if klassen.quelle == "berechnet":
        inds = list(richtung)
        breit = (
            z_lang.pivot(index="quartier_id", columns="indikator", values=wert)
            .reindex(index=ids, columns=inds)
            .astype(float)
        )
        orientiert = breit * pd.Series(richtung, dtype=float)
        index = _kombinieren(orientiert, cfg.methode.kombination).where(einbezogen)
        if cfg.methode.erneut_standardisieren:
            index = standardisieren(index, einbezogen)
    else:
        index = gg.gegebener_wert(art, klassen, gegeben, ids).where(einbezogen)
    schwellen = schwellen_absolut(klassen, index, einbezogen)
    if klassen.quelle == "klasse":
        stufe = gg.gegebene_stufen(art, klassen, gegeben, ids).where(einbezogen)
    else:
        stufe = klassieren(index, schwellen)
    labels = np.asarray(klassen.labels, dtype=object)
    klasse = pd.Series(KEINE_ANGABE, index=ids, dtype="str")
    ok = stufe.notna()
    klasse[ok] = labels[stufe[ok].astype(int).to_numpy()]
    klasse[~einbezogen] = NICHT_BEWERTET
    return index, stufe, klasse, schwellen


def _fehlende_werte(
    cfg: Config,
    index: pd.DataFrame,
    werte: pd.DataFrame,
    ver: pd.DataFrame,
    gegeben: pd.DataFrame | None = None,
) -> pd.Series:
    """The reason column, with "keine Angabe" explained: which value is missing.

    An excluded area keeps its one exclusion reason; a rated area without an index names the
    indicators whose value (or change) is missing, so that a reader sees why the class is empty;
    for a published index, the published column that is empty.
    """
    s_kl, d_kl = cfg.methode.status, cfg.methode.dynamik
    b = cfg.begriffe
    kurz = {i.id: i.kurz for i in cfg.indikatoren}
    jahr = cfg.methode.berichtsjahr
    jetzt = werte[(werte["jahr"] == jahr) & werte["anteil"].isna()]
    fehlt_s = jetzt.groupby("quartier_id")["indikator"].apply(list).to_dict()
    fehlt_d = ver[ver["veraenderung_pp"].isna()].groupby("quartier_id")["indikator"].apply(list)
    fehlt_d = fehlt_d.to_dict()
    status = {i.id for i in cfg.indikatoren if i.status}
    dyn = {i.id for i in cfg.dynamik_indikatoren}
    out = []
    for row in index.itertuples(index=False):
        if isinstance(row.ausschluss_grund, str):
            out.append(row.ausschluss_grund)
            continue
        teile = []
        s = [kurz[i] for i in fehlt_s.get(row.quartier_id, []) if i in status]
        d = [kurz[i] for i in fehlt_d.get(row.quartier_id, []) if i in dyn]
        if row.status_klasse == KEINE_ANGABE and s_kl.gegeben:
            teile.append(
                gg.fehlt_text("status", s_kl, gegeben, row.quartier_id, str(b.statusindex))
            )
        elif row.status_klasse == KEINE_ANGABE and s:
            teile.append(f"kein Wert {jahr} für {', '.join(s)}")
        dyn_klasse = getattr(row, "dynamik_klasse", None)
        if dyn_klasse == KEINE_ANGABE and d_kl is not None and d_kl.gegeben:
            teile.append(
                gg.fehlt_text("dynamik", d_kl, gegeben, row.quartier_id, str(b.dynamikindex))
            )
        elif dyn_klasse == KEINE_ANGABE and d:
            teile.append(f"keine Veränderung für {', '.join(d)}")
        out.append("; ".join(teile) if teile else None)
    return pd.Series(out, index=index.index, dtype="object")


def compute_index(
    cfg: Config,
    quartiere: pd.DataFrame,
    bevoelkerung: pd.DataFrame,
    indikatoren: pd.DataFrame,
    gruende: pd.DataFrame | None = None,
    gegeben: pd.DataFrame | None = None,
) -> IndexResult:
    """Status- and Dynamikindex of every Quartier, with the values behind them.

    Steps: shares (:func:`anteile`); exclusions (:func:`ausschluesse`); suppression marks
    (:func:`unterdruecken`, for publishing only: the index uses every value); z-values per year
    and indicator over the included Quartiere; Statusindex = mean or sum of ``richtung * z`` of
    the status indicators in the berichtsjahr, optionally standardised again, so that higher
    means more poverty risk; Dynamikindex the same for the z-standardised changes in percentage
    points of the dynamik indicators; classes from the config. A Quartier with any indicator
    missing gets no index ("keine Angabe"): a mean over fewer indicators would not be comparable.

    Parameters
    ----------
    cfg
        Indicators and ``methode``: every choice of the method is read from here.
    quartiere
        quartier_id, quartier, sozialraum_id (a GeoDataFrame is fine; geometry is ignored).
    bevoelkerung
        quartier_id, jahr, einwohner.
    indikatoren
        quartier_id, jahr, indikator, zaehler, nenner, anteil (and the published
        ``veraenderung`` in percentage points, where the config says so).
    gruende
        Areas excluded by the config or the data's validity column (quartier_id, grund), see
        :func:`ausschluesse`.
    gegeben
        The published index values (``Inputs.index``: quartier_id and the columns named by
        :func:`.gegeben.spalte`), for an index with ``quelle = "wert"`` or ``"klasse"``; such an
        index is taken over, not computed, and its areas keep the exclusions above.
    """
    q = _plain(quartiere)
    fremd = sorted(set(indikatoren["quartier_id"].astype(str)) - set(q["quartier_id"]))
    if fremd:
        raise ValueError(f"Indikatorwerte für unbekannte Quartiere: {', '.join(fremd)}")
    aus = ausschluesse(cfg, q, bevoelkerung, gruende)
    ids = pd.Index(q["quartier_id"], name="quartier_id")
    einbezogen = pd.Series(~aus["ausgeschlossen"].to_numpy(), index=ids, dtype=bool)

    werte = unterdruecken(cfg, anteile(cfg, indikatoren, bevoelkerung), q)
    werte["z"] = np.nan
    for _, gruppe in werte.groupby(["jahr", "indikator"], sort=False):
        x = pd.Series(gruppe["anteil"].to_numpy(), index=gruppe["quartier_id"].to_numpy())
        z = standardisieren(x, einbezogen.reindex(x.index, fill_value=False))
        werte.loc[gruppe.index, "z"] = z.to_numpy()

    status_r = {i.id: i.richtung for i in cfg.indikatoren if i.status}
    jetzt = werte[werte["jahr"] == cfg.methode.berichtsjahr]
    s_index, s_stufe, s_klasse, s_schwellen = _index_teil(
        jetzt, "z", status_r, ids, einbezogen, cfg, cfg.methode.status, "status", gegeben
    )

    index = q.merge(aus, on="quartier_id", how="left", validate="1:1")
    for name, teil in (
        ("statusindex", s_index),
        ("status_stufe", s_stufe),
        ("status_klasse", s_klasse),
    ):
        index[name] = teil.reset_index(drop=True)  # keeps Int64 and str dtypes
    schwellen = {"status": s_schwellen}
    if cfg.mit_dynamik:
        ver, schwellen["dynamik"] = _dynamik(cfg, werte, index, ids, einbezogen, gegeben)
    else:
        # No change data: no Dynamikindex, no combined class; an empty change table keeps the
        # shape every consumer (store, aggregates) expects.
        jahr = cfg.methode.berichtsjahr
        ver = veraenderung(werte.iloc[:0], cfg, von=jahr, bis=jahr).assign(z_dynamik=np.nan)
    index["ausschluss_grund"] = _fehlende_werte(cfg, index, werte, ver, gegeben).astype("object")
    cols = [
        "quartier_id",
        "quartier",
        "sozialraum_id",
        "einwohner",
        "statusindex",
        "status_stufe",
        "status_klasse",
        *(DYNAMIK_SPALTEN if cfg.mit_dynamik else []),
        "ausgeschlossen",
        "ausschluss_grund",
    ]
    wcols = [
        "quartier_id",
        "jahr",
        "indikator",
        "zaehler",
        "nenner",
        "anteil",
        "einwohner",
        "unterdrueckt",
        "unterdrueckt_grund",
        "z",
    ]
    werte = werte[wcols + [c for c in werte.columns if c not in wcols]]
    return IndexResult(
        werte=werte.reset_index(drop=True),
        index=index[cols],
        veraenderung=ver,
        schwellen=schwellen,
    )


def _dynamik(
    cfg: Config,
    werte: pd.DataFrame,
    index: pd.DataFrame,
    ids: pd.Index,
    einbezogen: pd.Series,
    gegeben: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, list[float]]:
    """Add the Dynamikindex and the combined class to ``index``; the changes and the limits.

    Only for a city with ``[methode.dynamik]``: the z-standardised changes of the dynamik
    indicators are combined like the status values and classed by ``cfg.methode.dynamik``.
    """
    assert cfg.methode.dynamik is not None
    dyn_r = {i.id: i.richtung for i in cfg.dynamik_indikatoren}
    ver = veraenderung(werte, cfg)
    ver["z_dynamik"] = np.nan
    for ind in dyn_r:
        teil = ver[ver["indikator"] == ind]
        x = pd.Series(teil["veraenderung_pp"].to_numpy(), index=teil["quartier_id"].to_numpy())
        z = standardisieren(x, einbezogen.reindex(x.index, fill_value=False))
        ver.loc[teil.index, "z_dynamik"] = z.to_numpy()
    d_index, d_stufe, d_klasse, d_schwellen = _index_teil(
        ver, "z_dynamik", dyn_r, ids, einbezogen, cfg, cfg.methode.dynamik, "dynamik", gegeben
    )
    for name, teil in (
        ("dynamikindex", d_index),
        ("dynamik_stufe", d_stufe),
        ("dynamik_klasse", d_klasse),
    ):
        index[name] = teil.reset_index(drop=True)
    index["kombi_klasse"] = [
        kombi_klasse(s, d)
        for s, d in zip(index["status_klasse"], index["dynamik_klasse"], strict=True)
    ]
    index["kombi_klasse"] = index["kombi_klasse"].astype("str")
    return ver, d_schwellen
