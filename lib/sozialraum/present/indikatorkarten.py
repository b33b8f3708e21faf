"""Small multiples of the indicators: one map per indicator, the bins shared by all reports.

The class limits are quantiles over the whole city, so a colour means the same in every report.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sozialraum.config import Config
from sozialraum.fmt import fmt_num
from sozialraum.grammatik import genitiv, im, ohne_artikel
from sozialraum.present.figures import literal_text
from sozialraum.present.kartenbasis import (
    GID_KEINE_DATEN,
    GID_KLASSEN,
    GID_KONTEXT,
    GID_UNTERDRUECKT,
    INDIKATOR_CMAP,
    INDIKATOR_KLASSEN,
    KEINE_DATEN_SCHRAFFUR,
    KONTEXT_FARBE,
    KONTEXT_RAND,
    NICHT_BEWERTET_FARBE,
    RAND,
    SCHRAFFUR,
    _fit_canvas,
    _scale_bar,
    _source_lines,
)
from sozialraum.present.kartenbeschriftung import _value_labels
from sozialraum.present.kartengeometrie import (
    _anzeige,
    _ausdehnung,
    _ausschnitt,
    _geo,
    _im_ausschnitt,
    _mit_geometrie,
    _plot,
    _plot_boundary,
    _set_extent,
)
from sozialraum.present.labels import Placed


@literal_text
def indicator_small_multiples(
    cfg: Config,
    quartiere: gpd.GeoDataFrame,
    werte: pd.DataFrame,
    sozialraum_id: str | None,
    jahr: int,
    *,
    erfunden: bool = False,
) -> tuple[Figure, str]:
    """One small map per indicator, binned the same way in every report.

    Bins are quantiles over all Quartiere of the city for that indicator and year
    (``indikator_klassen``), so a colour means the same share in all six reports.

    Parameters
    ----------
    cfg
        City config: indicator order and short titles (``kurz``), suppression threshold.
    quartiere
        Geometry of all Sozialquartiere.
    werte
        ``IndexResult.werte``: ``quartier_id``, ``jahr``, ``indikator``, ``anteil`` (percent),
        ``unterdrueckt``.
    sozialraum_id
        Id, slug or name to zoom to; None for the whole city.
    jahr
        Year shown.
    erfunden
        True when the report uses invented sample data; the source line says so.

    Returns
    -------
    tuple[Figure, str]
        The figure (one axes per indicator, in config order) and its alt text.
    """
    sr = cfg.sozialraum(sozialraum_id) if sozialraum_id is not None else None
    e, gb = cfg.begriffe.einheit, cfg.begriffe.gebiet
    gdf = _geo(cfg, quartiere)
    focus_mask = gdf["sozialraum_id"] == sr.id if sr else pd.Series(True, index=gdf.index)
    anzeige = _anzeige(cfg, quartiere, gdf, _ausdehnung(gdf[focus_mask] if sr else gdf))
    gdf = _mit_geometrie(gdf, anzeige.quartiere)
    bins = indikator_klassen(cfg, werte, jahr)
    year = _year_values(werte, jahr)

    n = len(cfg.indikatoren)
    ncols = 3 if n > 4 else max(n, 1)
    nrows = math.ceil(n / ncols)
    # three panels within 60rem (960 px at 110 dpi), the widest a report page shows a figure
    map_w, row_h = 2.85, 4.3
    fig = Figure(figsize=(ncols * map_w, nrows * row_h + 0.9))
    height = fig.get_figheight()
    alt_parts = []
    werte_labels: list[tuple[list[Placed], int]] = []
    for i, ind in enumerate(cfg.indikatoren):
        r, c = divmod(i, ncols)
        left = (c * map_w + 0.1) / fig.get_figwidth()
        bottom = (height - (r + 1) * row_h + 1.35) / height
        ax = fig.add_axes((left, bottom, (map_w - 0.2) / fig.get_figwidth(), 2.85 / height))
        v = year[year["indikator"] == ind.id].set_index("quartier_id")
        g = gdf.assign(
            anteil=gdf["quartier_id"].map(v["anteil"]),
            unterdrueckt=gdf["quartier_id"].map(v["unterdrueckt"]).fillna(False).astype(bool),
        )
        alt_part, wert_texte = _small_map(
            ax,
            cfg,
            ind.kurz,
            g,
            focus_mask,
            bins[ind.id],
            sr is not None,
            first=i == 0,
            raeume=anzeige.raeume,
        )
        alt_parts.append(alt_part)
        if wert_texte is not None:
            werte_labels.append(wert_texte)
    if any(not placed and n for placed, n in werte_labels):
        # one map without values: none with values, so all maps of the figure read alike
        for placed, _ in werte_labels:
            for p in placed:
                p.remove()
        werte_labels = [([], n) for _, n in werte_labels]
    ohne_wert = sum(n - len(placed) for placed, n in werte_labels)

    note = (
        f"Klassen: {_QUANTIL_NAME.get(INDIKATOR_KLASSEN, 'Quantile')} der Anteile aller "
        f"{ohne_artikel(gb, 'genitiv', mehrzahl=True, nach='der')} der Stadt {jahr}, in allen "
        "Berichten gleich. "
        f"Anteile in Prozent der jeweiligen Bezugsgruppe."
    )
    if ohne_wert:
        note += (
            f" Wo die Fläche {genitiv(gb)} für die Zahl zu klein ist, steht sie nicht in der "
            "Karte; die Farbe zeigt die Klasse, die Tabelle den Wert."
        )
    lines = [note, *_source_lines(cfg, erfunden)]
    free = n % ncols
    if free:  # the empty cells of the last row hold the notes
        x, y, width = free * map_w + 0.2, (nrows - 1) * row_h + 0.3, (ncols - free) * map_w - 0.4
        va = "top"
    else:
        x, y, width = 0.1, height - 0.2, ncols * map_w - 0.2
        va = "bottom"
    wrapped = "\n".join(textwrap.fill(line, int(width * 16)) for line in lines)
    fig.text(
        x / fig.get_figwidth(),
        1 - y / height,
        wrapped,
        ha="left",
        va=va,
        fontsize=7.5,
        color="#333333",
    )

    wo = f"{im(e)} {sr.name}" if sr else f"in der Stadt {cfg.stadt.name}"
    alt = (
        f"{n} Karten der Indikatoranteile {jahr} {wo}, klassiert nach "
        f"{_QUANTIL_NAME.get(INDIKATOR_KLASSEN, 'Quantile')}n aller "
        f"{ohne_artikel(gb, 'genitiv', mehrzahl=True, nach='der')} der Stadt. "
        + " ".join(alt_parts)
    )
    _fit_canvas(fig)
    return fig, alt


_QUANTIL_NAME = {4: "Quartile", 5: "Quintile", 3: "Terzile"}


def indikator_klassen(cfg: Config, werte: pd.DataFrame, jahr: int) -> dict[str, list[float]]:
    """Fixed class limits per indicator: quantiles of the shares of all Quartiere of the city.

    Computed over the whole city (never over one Sozialraum), so that all reports of a year
    share the same bins. Limits are rounded to one decimal, the precision of every label, and
    the first entry is the lower limit: ``[min, q1, q2, q3, max]`` -> four classes.
    Suppressed values do not enter the quantiles.
    """
    year = _year_values(werte, jahr)
    out: dict[str, list[float]] = {}
    for ind in cfg.indikatoren:
        v = year.loc[(year["indikator"] == ind.id) & ~year["unterdrueckt"], "anteil"].dropna()
        values = v.to_numpy(dtype=float)
        if values.size == 0:
            out[ind.id] = []
            continue
        lo = math.floor(values.min() * 10) / 10
        hi = math.ceil(values.max() * 10) / 10
        k = min(INDIKATOR_KLASSEN, len(np.unique(values)))
        inner: list[float] = []
        if k > 1:
            inner = [round(float(b), 1) for b in quantil_grenzen(values, k)[:-1]]
        limits = sorted({lo, *[b for b in inner if lo < b < hi], hi})
        out[ind.id] = limits if len(limits) > 1 else [lo, hi]
    return out


def quantil_grenzen(values: np.ndarray, k: int) -> np.ndarray:
    """Upper limits of ``k`` quantile classes, as ``mapclassify.Quantiles(values, k).bins``.

    The same numbers (linear interpolation, ties collapsed), without importing mapclassify:
    it loads scipy.stats, a second per process, paid by every kernel and every report.
    """
    w = 100.0 / k
    p = np.arange(w, 100 + w, w)
    p[-1] = min(p[-1], 100.0)
    return np.unique(np.percentile(np.asarray(values, dtype=float), p))


def klassen_labels(limits: Sequence[float]) -> list[str]:
    """German labels of the bins from ``indikator_klassen``, e.g. ``12,5–17,0 %``."""
    return [f"{fmt_num(a)}–{fmt_num(b)} %" for a, b in zip(limits[:-1], limits[1:], strict=False)]


def klasse_von(limits: Sequence[float], value: float) -> int:
    """Index of the bin holding ``value`` (upper limit inclusive, as mapclassify does)."""
    i = int(np.searchsorted(np.asarray(limits[1:], dtype=float), value, side="left"))
    return min(i, len(limits) - 2)


# -- pieces of the small multiples ---------------------------------------------------------------
def _small_map(
    ax: Axes,
    cfg: Config,
    titel: str,
    g: gpd.GeoDataFrame,
    focus_mask: pd.Series,
    limits: list[float],
    zoomed: bool,
    first: bool,
    raeume: gpd.GeoDataFrame,
) -> tuple[str, tuple[list[Placed], int] | None]:
    """Draw one indicator.

    Returns its sentence for the alt text and, when zoomed, the value labels drawn and the
    number of Quartiere they are for.
    """
    focus, context = g[focus_mask], g[~focus_mask]
    if zoomed:
        context = _im_ausschnitt(context, _ausschnitt(focus, margin=0.08, square=True))
    farben = _indikator_farben(max(len(limits) - 1, 1))
    labels = klassen_labels(limits)
    suppressed = focus[focus["unterdrueckt"]]
    missing = focus[~focus["unterdrueckt"] & focus["anteil"].isna()]
    valued = focus[~focus["unterdrueckt"] & focus["anteil"].notna()]
    idx = [klasse_von(limits, a) for a in valued["anteil"]] if limits else []

    _plot(ax, context, GID_KONTEXT, color=KONTEXT_FARBE, edgecolor=KONTEXT_RAND, linewidth=0.3)
    _plot(ax, valued, GID_KLASSEN, color=[farben[i] for i in idx], edgecolor=RAND, linewidth=0.4)
    _plot(
        ax,
        suppressed,
        GID_UNTERDRUECKT,
        color=NICHT_BEWERTET_FARBE,
        edgecolor="#636363",
        linewidth=0.4,
        hatch=SCHRAFFUR,
    )
    _plot(
        ax,
        missing,
        GID_KEINE_DATEN,
        color=NICHT_BEWERTET_FARBE,
        edgecolor="#636363",
        linewidth=0.4,
        hatch=KEINE_DATEN_SCHRAFFUR,
    )
    wert_texte: tuple[list[Placed], int] | None = None
    if zoomed:
        ids = focus["sozialraum_id"].unique()
        _plot_boundary(ax, raeume[raeume["sozialraum_id"].isin(ids)], color="black", linewidth=1.6)
        _set_extent(ax, focus, margin=0.08, square=True)
        wert_texte = _value_labels(ax, focus, scale_bar=first), len(focus)
    else:
        _plot_boundary(ax, raeume, color="#1a1a1a", linewidth=0.8)
        _set_extent(ax, g, margin=0.02, square=True)
    if first:
        _scale_bar(ax, fontsize=6)
    ax.set_title(titel, fontsize=9.5, fontweight="bold", loc="left")

    counts = pd.Series(idx, dtype=int).value_counts()
    handles = [
        Patch(facecolor=farben[i], edgecolor=RAND, label=f"{lab} ({int(counts.get(i, 0))})")
        for i, lab in enumerate(labels)
    ]
    if not suppressed.empty:
        handles.append(
            Patch(
                facecolor=NICHT_BEWERTET_FARBE,
                edgecolor="#636363",
                hatch=SCHRAFFUR,
                label=f"• Wert unterdrückt (weniger als {cfg.methode.mindestfallzahl} Fälle) "
                f"({len(suppressed)})",
            )
        )
    if not missing.empty:
        handles.append(
            Patch(
                facecolor=NICHT_BEWERTET_FARBE,
                edgecolor="#636363",
                hatch=KEINE_DATEN_SCHRAFFUR,
                label=f"keine Daten ({len(missing)})",
            )
        )
    if not handles:
        handles.append(
            Patch(facecolor=NICHT_BEWERTET_FARBE, edgecolor="#636363", label="keine Daten")
        )
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.0, -0.01),
        fontsize=6.5,
        frameon=False,
        handlelength=1.4,
        handleheight=1.0,
        borderaxespad=0.2,
        labelspacing=0.3,
    )
    return _small_alt(titel, valued, suppressed, missing, zoomed), wert_texte


def _small_alt(
    titel: str,
    valued: pd.DataFrame,
    suppressed: pd.DataFrame,
    missing: pd.DataFrame,
    zoomed: bool,
) -> str:
    if zoomed and len(valued) + len(suppressed) + len(missing) <= 10:
        parts = [
            f"{q} {fmt_num(a)} %"
            for q, a in valued.sort_values("anteil", ascending=False)[
                ["quartier", "anteil"]
            ].itertuples(index=False)
        ]
        parts += [f"{q} unterdrückt" for q in suppressed["quartier"]]
        parts += [f"{q} ohne Daten" for q in missing["quartier"]]
        return f"{titel}: {', '.join(parts)}."
    if valued.empty:
        return f"{titel}: keine Werte."
    a = valued["anteil"]
    text = (
        f"{titel}: {fmt_num(a.min())} bis {fmt_num(a.max())} % (Median {fmt_num(a.median())} %)"
        if len(valued) > 1
        else f"{titel}: {fmt_num(a.iloc[0])} %"
    )
    if not suppressed.empty:
        text += f", {len(suppressed)} unterdrückt"
    return text + "."


def _indikator_farben(k: int) -> list[str]:
    cmap = mpl.colormaps[INDIKATOR_CMAP]
    return [to_hex(cmap(x)) for x in np.linspace(0.12, 0.85, k)] if k > 1 else [to_hex(cmap(0.5))]


def _year_values(werte: pd.DataFrame, jahr: int) -> pd.DataFrame:
    year = werte.loc[werte["jahr"] == jahr, ["quartier_id", "indikator", "anteil", "unterdrueckt"]]
    return year.assign(
        anteil=pd.to_numeric(year["anteil"], errors="coerce").astype(float),
        unterdrueckt=year["unterdrueckt"].fillna(False).astype(bool),
    )
