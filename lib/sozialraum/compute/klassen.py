"""Classes of the Sozialindex: thresholds from the config, classing, legend lists.

Status and dynamics values become 0-based classes by the config's limits (fixed or multiples of
the standard deviation); the special classes "nicht bewertet" and "keine Angabe" are named here.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sozialraum.config import Config
from sozialraum.config_klassen import Klassen

NICHT_BEWERTET = "nicht bewertet"
"""Class of a Quartier left out of the standardisation (too small, or listed in the config)."""

KEINE_ANGABE = "keine Angabe"
"""Class of a Quartier whose index cannot be computed because an indicator value is missing."""

_DECIMALS = 9
"""Index values and thresholds are compared after rounding to this many decimals, so that a
value lying on a threshold in exact arithmetic is not pushed aside by floating-point noise."""


# -- class lists for legends ------------------------------------------------------------------
def status_klassen(cfg: Config) -> list[str]:
    """Status class labels, best (least poverty risk) first, as every legend lists them."""
    return list(cfg.methode.status.labels)


def dynamik_klassen(cfg: Config) -> list[str]:
    """Dynamics class labels, best (risks falling most) first; none without change data."""
    return list(cfg.methode.dynamik.labels) if cfg.methode.dynamik is not None else []


def kombi_klasse(status: str, dynamik: str) -> str:
    """Label of the combined status x dynamics class, or the special class that applies."""
    if NICHT_BEWERTET in (status, dynamik):
        return NICHT_BEWERTET
    if KEINE_ANGABE in (status, dynamik):
        return KEINE_ANGABE
    return f"{status} / {dynamik}"


def kombi_klassen(cfg: Config) -> list[str]:
    """All combined classes in legend order: status best to worst, within it dynamics.

    Empty without ``[methode.dynamik]``: there is no combined view then.
    """
    return [kombi_klasse(s, d) for s in status_klassen(cfg) for d in dynamik_klassen(cfg)]


def klassen_tabelle(klassen: Klassen, schwellen: list[float]) -> pd.DataFrame:
    """One row per class with its limits, for legends that must not show ``-inf``.

    Parameters
    ----------
    klassen
        ``cfg.methode.status`` or ``cfg.methode.dynamik``.
    schwellen
        The absolute limits applied (``IndexResult.schwellen["status"]`` etc.).

    Returns
    -------
    DataFrame
        ``stufe``, ``label``, ``farbe``, ``beschreibung``, ``von`` (inclusive, NaN = open) and
        ``bis`` (exclusive, NaN = open): class *i* holds ``von <= wert < bis``.
    """
    n = len(klassen.labels)
    # Given classes (quelle = "klasse") have no limits: every class is open on both sides.
    grenzen = [math.nan, *schwellen, math.nan] if schwellen else [math.nan] * (n + 1)
    return pd.DataFrame(
        {
            "stufe": range(n),
            "label": klassen.labels,
            "farbe": klassen.farben,
            "beschreibung": klassen.beschreibung or [""] * n,
            "von": grenzen[:-1],
            "bis": grenzen[1:],
        }
    )


# -- limits and classing ---------------------------------------------------------------------------
def schwellen_absolut(klassen: Klassen, werte: pd.Series, einbezogen: pd.Series) -> list[float]:
    """Class limits on the scale of ``werte``.

    ``"fest"`` limits are used as given. ``"standardabweichung"`` limits are multiples *k* of
    the standard deviation around the mean of the included, non-missing values: mean + k * SD
    (after re-standardisation the mean is 0 and the SD 1, so the limit is *k* itself).
    ``"quantile"`` limits split the included, non-missing values into as many nearly equal
    groups as there are labels (:func:`quantil_schwellen`). Given classes have no limits.
    """
    if klassen.quelle == "klasse":
        return []
    if klassen.schwellen_typ == "fest":
        return [float(s) for s in klassen.schwellen]
    einbezogen = einbezogen.reindex(werte.index, fill_value=False).astype(bool)
    basis = werte[einbezogen & werte.notna()].astype(float)
    if klassen.schwellen_typ == "quantile":
        return quantil_schwellen(basis, len(klassen.labels))
    if basis.empty:
        return [math.nan] * len(klassen.schwellen)
    mittel, sd = basis.mean(), basis.std(ddof=0)
    return [round(float(mittel + k * sd), _DECIMALS) for k in klassen.schwellen]


def quantil_schwellen(werte: pd.Series, n: int) -> list[float]:
    """Limits that split ``werte`` into ``n`` groups of nearly equal size.

    With *N* values sorted, group *i* holds the ranks from ``floor(i N / n + 1/2)`` up to
    ``floor((i + 1) N / n + 1/2)`` (exclusive), so group sizes differ by at most one. The limit
    between two groups lies midway between the last value of one and the first of the next, so
    no value sits on a limit unless values are tied (ties stay together, in the upper group).
    Fewer than two values give no limits (NaN): quantiles of one area say nothing.

    Parameters
    ----------
    werte
        The index values of the rated areas (no NaN).
    n
        Number of classes (``len(labels)``).
    """
    s = np.sort(werte.astype(float).to_numpy())
    total = len(s)
    if total < 2:
        return [math.nan] * (n - 1)
    out = []
    for k in range(1, n):
        p = min(max(math.floor(k * total / n + 0.5), 1), total - 1)
        out.append(round(float((s[p - 1] + s[p]) / 2), _DECIMALS))
    return out


def klassieren(werte: pd.Series, schwellen: list[float]) -> pd.Series:
    """0-based class of each value: the number of limits at or below it.

    Class *i* holds ``schwellen[i-1] <= wert < schwellen[i]``; a value exactly on a limit goes to
    the upper class. Missing values (and NaN limits) give ``<NA>``.
    """
    cuts = np.round(np.asarray(schwellen, dtype=float), _DECIMALS)
    out = pd.Series(pd.NA, index=werte.index, dtype="Int64")
    if np.isnan(cuts).any():
        return out
    ok = werte.notna()
    vals = np.round(werte[ok].astype(float).to_numpy(), _DECIMALS)
    out[ok] = np.searchsorted(cuts, vals, side="right")
    return out
