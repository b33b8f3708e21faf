"""A published index taken over as it is: a score, a composite of sub-indices, or the classes.

Some offices publish their index finished; recomputing it from counts gives other values (other
rounding, other populations) and, at fixed limits, other classes. Where the config says
``quelle = "wert"`` or ``"klasse"`` (:class:`~sozialraum.config_klassen.Klassen`), the published
value is used unchanged: at most the published sub-indices are combined the way the office says
(their mean, or their sum with the published weights), and a score is classed by the configured
limits. Given classes carry no number at all.

The published values arrive from :mod:`sozialraum.read.check_index` as one frame with a row per
area and internal column names (:func:`~sozialraum.read.check_index.spalte`), whatever the
columns are called in the file.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sozialraum.config_klassen import Klassen
from sozialraum.read.check_index import spalte, spalten

__all__ = ["spalte", "spalten"]  # the internal names, defined where the values are read


def _ausgerichtet(gegeben: pd.DataFrame | None, ids: pd.Index, cols: list[str]) -> pd.DataFrame:
    """The published columns ``cols`` with one row per id of ``ids`` (missing rows are NaN)."""
    if gegeben is None or gegeben.empty:
        return pd.DataFrame(np.nan, index=ids, columns=cols, dtype=object)
    frame = gegeben.assign(quartier_id=gegeben["quartier_id"].astype(str)).set_index("quartier_id")
    return frame.reindex(index=ids, columns=cols)


def zusammensetzen(teile: pd.DataFrame, klassen: Klassen) -> pd.Series:
    """The composite of published sub-indices: their mean, or their weighted sum.

    ``zusammensetzung = "mittelwert"``: the plain mean; ``"gewichtet"``: the sum of each
    sub-index times its published weight (the office's own formula, so the weights are not
    normalised). An area missing any sub-index gets no value: a mean over fewer parts would not
    be comparable, the same rule as for the indicators.

    Parameters
    ----------
    teile
        One column per sub-index, in the order of ``klassen.teilindizes``.
    klassen
        The index's config (``teilindizes``, ``zusammensetzung``).
    """
    werte = teile.astype(float)
    if klassen.zusammensetzung == "gewichtet":
        gewichte = np.asarray([t.gewicht for t in klassen.teilindizes], dtype=float)
        return (werte * gewichte).sum(axis=1, skipna=False)
    return werte.mean(axis=1, skipna=False)


def gegebener_wert(
    art: str, klassen: Klassen, gegeben: pd.DataFrame | None, ids: pd.Index
) -> pd.Series:
    """The published index value of every area (NaN where there is none, always for classes).

    ``quelle = "klasse"`` has no numeric index: the series is NaN throughout, so that nothing
    downstream can show a number that was never published.
    """
    if klassen.quelle == "klasse":
        return pd.Series(np.nan, index=ids, dtype=float)
    cols = spalten(art, klassen)
    frame = _ausgerichtet(gegeben, ids, cols)
    if klassen.teilindizes:
        return zusammensetzen(frame, klassen)
    return frame[cols[0]].astype(float)


def gegebene_stufen(
    art: str, klassen: Klassen, gegeben: pd.DataFrame | None, ids: pd.Index
) -> pd.Series:
    """The 0-based class of every area from its published class code (``<NA>`` if none).

    The code's position in ``klassenwerte`` is the class (``klassenwerte[i]`` is ``labels[i]``);
    read validation has already refused codes outside ``klassenwerte``.
    """
    codes = _ausgerichtet(gegeben, ids, [spalte(art, "klasse")]).iloc[:, 0]
    position = {str(w).strip(): i for i, w in enumerate(klassen.klassenwerte)}
    stufe = [position.get(str(c).strip()) if isinstance(c, str) else None for c in codes]
    return pd.Series(pd.array(stufe, dtype="Int64"), index=ids)


def fehlt_text(
    art: str, klassen: Klassen, gegeben: pd.DataFrame | None, qid: str, titel: str
) -> str:
    """Why a rated area has no given index: the published columns that are empty for it."""
    cols = spalten(art, klassen)
    frame = _ausgerichtet(gegeben, pd.Index([qid], name="quartier_id"), cols)
    namen = klassen.spalten
    leer = [namen[k] for k, c in enumerate(cols) if pd.isna(frame.iloc[0][c])] or namen
    was = "keine veröffentlichte Klasse" if klassen.quelle == "klasse" else "kein veröffentlichter"
    if klassen.quelle != "klasse":
        was += f" {titel}"
    return f"{was} (Spalte {', '.join(f'„{n}“' for n in leer)})"
