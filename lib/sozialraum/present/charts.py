"""Charts of a Sozialraum report, each with a text alternative generated from its data.

Every function returns ``(figure, alt_text)``; the notebook passes both to
:func:`~.figures.figure_html`. The alt text says what the chart shows *and* its main
finding, because a reader who cannot see the image needs the point of it, not "Diagramm".
Where there is nothing to draw, the figure is ``None`` and the text is the German sentence to
show instead.

Design: Okabe–Ito colours (distinguishable with the common colour-vision deficiencies) and a
second cue besides colour (line style, marker shape, direct labels); German labels and number
format; fonts of at least 10 pt at the report's resolution. Figures are created without pyplot,
so a batch of reports keeps no global figure state.
"""

from __future__ import annotations

import math
import textwrap
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sozialraum.compute.events import STATUS_REIHENFOLGE, extreme
from sozialraum.config import Config
from sozialraum.fmt import (
    AUSLASSUNG,
    anzahl,
    aufzaehlung,
    figur_text,
    fmt_int,
    fmt_pct,
    fmt_pp,
    zitat,
)
from sozialraum.grammatik import ohne_artikel
from sozialraum.present.figures import literal_text

# Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = {
    "orange": "#E69F00",
    "himmelblau": "#56B4E9",
    "gruen": "#009E73",
    "gelb": "#F0E442",
    "blau": "#0072B2",
    "zinnober": "#D55E00",
    "purpur": "#CC79A7",
    "grau": "#6E6E6E",
    "schwarz": "#000000",
}
FARBE_SOZIALRAUM = OKABE_ITO["blau"]
FARBE_STADT = OKABE_ITO["zinnober"]
FARBE_BALKEN = OKABE_ITO["blau"]
STATUS_FARBEN = {
    "offen": OKABE_ITO["grau"],
    "in Umsetzung": OKABE_ITO["orange"],
    "umgesetzt": OKABE_ITO["gruen"],
    "zurückgestellt": OKABE_ITO["purpur"],
}
SCHRIFT = 11
SCHRIFT_KLEIN = 10
BREITE = 8.0  # inches; at the report's ~110 dpi about 880 px, the width of the text column
LABEL_BREITE = 38  # characters per line of a bar label before it wraps
WORT_ZEICHEN = 40  # longest word of the word cloud (characters); longer ones end in "…"

Chart = tuple[Figure | None, str]

_PCT = FuncFormatter(lambda v, _pos: fmt_pct(v, 0))


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _y_bereich(ax: Axes, werte: pd.Series) -> bool:
    """Fit the y-axis to the values with a margin; True when it starts at 0.

    An axis from 0 drew shares of 20–22 % as two flat lines on the top frame: the change a
    committee asks about was not visible. The range now comes from the data (a quarter of the
    spread, at least half a point, above and below); it starts at 0 only when the values come
    near it, and the figure's title says which one the reader sees. Tick labels carry "%" on
    every panel, with a decimal where the ticks are less than a point apart.
    """
    v = werte.dropna().astype("float64")
    if v.empty:
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(_PCT)
        return True
    lo, hi = float(v.min()), float(v.max())
    pad = max((hi - lo) * 0.25, hi * 0.03, 0.5)
    bottom = lo - pad if lo - pad > pad else 0.0
    ax.set_ylim(bottom, hi + pad)
    ticks = ax.yaxis.get_major_locator().tick_values(bottom, hi + pad)
    stellen = 0 if len(ticks) < 2 or ticks[1] - ticks[0] >= 1 else 1
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _pos: fmt_pct(y, stellen)))
    return bottom == 0


def _style(ax: Axes) -> None:
    ax.tick_params(labelsize=SCHRIFT_KLEIN)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _label(text: str, width: int = LABEL_BREITE) -> str:
    """A bar label from the data: literal, at most two lines of ``width``, "…" when cut."""
    clean = figur_text(text, 3 * width)
    lines = textwrap.wrap(clean, width)
    if len(lines) > 2:
        lines = [lines[0], lines[1][: width - 1].rstrip() + AUSLASSUNG]
    return "\n".join(lines) or clean


# --------------------------------------------------------------------------------------------
# Indicators over the report years
# --------------------------------------------------------------------------------------------
@literal_text
def trend_chart(cfg: Config, gebiete: pd.DataFrame, sozialraum_name: str, stadt_name: str) -> Chart:
    """Small multiples: each indicator over the report years, Sozialraum against the city.

    Parameters
    ----------
    cfg
        Gives the indicators (one panel each, in config order) and the report years.
    gebiete
        Output of :func:`~.tables.gebiete_werte` (rows with ``ebene`` ``sozialraum``
        and ``stadt`` are used; withheld shares are NaN and leave a gap).
    sozialraum_name, stadt_name
        Legend labels; the alt text names both.
    """
    m = cfg.methode
    d = gebiete[gebiete["ebene"].isin(["sozialraum", "stadt"])]
    if d["anteil"].notna().sum() == 0:
        return None, f"Für {sozialraum_name} liegen keine Indikatorwerte vor."
    inds = cfg.indikatoren
    ncols = 4 if len(inds) > 4 else len(inds)
    nrows = math.ceil((len(inds) + 1) / ncols) if len(inds) > 4 else 1
    fig = _figure(BREITE * 1.25, 2.6 * nrows + 0.4)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    years = list(m.jahre)
    above, changes, ab_null = 0, [], []
    for ax, ind in zip(axes, inds, strict=False):
        for ebene, colour, style, marker, name in (
            ("sozialraum", FARBE_SOZIALRAUM, "-", "o", sozialraum_name),
            ("stadt", FARBE_STADT, "--", "s", stadt_name),
        ):
            s = d[(d["ebene"] == ebene) & (d["indikator"] == ind.id)].set_index("jahr")
            y = s["anteil"].reindex(years).astype("float64")
            ax.plot(years, y, style, color=colour, marker=marker, lw=2, ms=5, label=name)
        sr = d[(d["ebene"] == "sozialraum") & (d["indikator"] == ind.id)].set_index("jahr")
        st = d[(d["ebene"] == "stadt") & (d["indikator"] == ind.id)].set_index("jahr")
        b_sr, b_st = sr["anteil"].get(m.berichtsjahr), st["anteil"].get(m.berichtsjahr)
        if pd.notna(b_sr) and pd.notna(b_st) and b_sr > b_st:
            above += 1
        v_sr = sr["anteil"].get(m.vergleichsjahr)
        if pd.notna(b_sr) and pd.notna(v_sr):
            changes.append((float(b_sr - v_sr), ind.kurz))
        ax.set_title(ind.kurz, fontsize=SCHRIFT, loc="left")
        ax.set_xticks(years, [str(y) for y in years])
        ax.yaxis.set_major_locator(MaxNLocator(4, steps=[1, 2, 2.5, 5, 10]))
        ab_null.append(_y_bereich(ax, d[d["indikator"] == ind.id]["anteil"]))
        ax.grid(axis="y", color="#dddddd", lw=0.8)
        _style(ax)
    rest = axes[len(inds) :]
    for ax in rest:
        ax.axis("off")
    handles = [
        Line2D([], [], color=FARBE_SOZIALRAUM, ls="-", marker="o", lw=2, label=sozialraum_name),
        Line2D([], [], color=FARBE_STADT, ls="--", marker="s", lw=2, label=stadt_name),
    ]
    if len(rest):
        rest[0].legend(handles=handles, loc="center", fontsize=SCHRIFT, frameon=False)
    else:
        fig.legend(handles=handles, loc="outside lower center", ncols=2, fontsize=SCHRIFT)
    if all(ab_null):
        achsen = "Anteile in %, alle Achsen ab 0"
    elif any(ab_null):
        achsen = "Anteile in %; Achsen ab 0 nur, wo „0 %“ steht, sonst der Bereich der Werte"
    else:
        achsen = "Anteile in %; die Achsen zeigen den Bereich der Werte, nicht ab 0"
    fig.suptitle(achsen, fontsize=SCHRIFT, x=0.01, ha="left")

    n_ind = len(inds)
    alt = (
        f"Liniendiagramme: Entwicklung von {anzahl(n_ind, 'Indikator', 'Indikatoren')} "
        f"{years[0]}–{years[-1]} in {sozialraum_name} (durchgezogene Linie) und in "
        f"{stadt_name} (gestrichelte Linie). {m.berichtsjahr} liegt {sozialraum_name} bei "
        f"{above} von {n_ind} Indikatoren über dem städtischen Wert."
    )
    if changes:
        rise = max(changes)
        fall = min(changes)
        if rise[0] > 0.05:
            alt += (
                f" Am stärksten gestiegen seit {m.vergleichsjahr}: {rise[1]} ({fmt_pp(rise[0])})."
            )
        if fall[0] < -0.05:
            alt += f" Am stärksten gesunken seit {m.vergleichsjahr}: {fall[1]} ({fmt_pp(fall[0])})."
    return fig, alt


# --------------------------------------------------------------------------------------------
# Event
# --------------------------------------------------------------------------------------------
def _andere(einheiten: Any) -> str:
    """The other units after "der": "anderen Bezirke" (a plain plural is taken as written)."""
    return ohne_artikel(einheiten, "genitiv", mehrzahl=True, nach="der", adjektiv="ander")


@literal_text
def bekanntheit_chart(
    bk: pd.DataFrame, sozialraum_name: str, mindeststimmen: int, einheiten: Any = "Sozialräume"
) -> Chart:
    """Horizontal bars of the JA share per offer, Wilson whiskers, the other Sozialräume' mean.

    Suppressed offers keep their row, labelled "nicht ausgewiesen", so that no offer silently
    disappears from the chart. ``einheiten`` is the config's plural of the report unit
    (``cfg.begriffe.einheit.mehrzahl``) for the legend and the alt text.
    """
    if bk.empty:
        return None, (
            f"Für {sozialraum_name} liegen keine Abstimmungen zur Bekanntheit von Angeboten vor."
        )
    d = bk.iloc[::-1].reset_index(drop=True)  # barh draws bottom-up: best known on top
    hidden = d["unterdrueckt"].astype(bool).to_numpy()
    y = np.arange(len(d))
    fig = _figure(BREITE, 0.36 * len(d) + 1.4)
    ax = fig.subplots()
    share = d["anteil_ja"].astype("float64").fillna(0).to_numpy()
    ax.barh(y[~hidden], share[~hidden], color=FARBE_BALKEN, height=0.6)
    lo = d["ki_unten"].astype("float64").to_numpy()
    hi = d["ki_oben"].astype("float64").to_numpy()
    shown = ~hidden
    ax.errorbar(
        share[shown],
        y[shown],
        # clipped: at 0 % and 100 % the Wilson bound equals the share up to rounding error
        xerr=np.clip([share[shown] - lo[shown], hi[shown] - share[shown]], 0, None),
        fmt="none",
        ecolor=OKABE_ITO["schwarz"],
        elinewidth=1.2,
        capsize=3,
    )
    other = d["andere_anteil_ja"].astype("float64").to_numpy()
    has_other = ~np.isnan(other)
    ax.scatter(
        other[has_other],
        y[has_other],
        marker="D",
        s=36,
        color=OKABE_ITO["orange"],
        edgecolor=OKABE_ITO["schwarz"],
        zorder=3,
    )
    for yi in y[hidden]:
        ax.text(
            1,
            yi,
            f"nicht ausgewiesen (n < {mindeststimmen})",
            va="center",
            fontsize=SCHRIFT_KLEIN,
            color=OKABE_ITO["grau"],
        )
    labels = [
        _label(a) + ("" if h else f" (n = {fmt_int(n)})")
        for a, n, h in zip(d["angebot"], d["n"], hidden, strict=True)
    ]
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.7, len(d) - 0.3)
    ax.xaxis.set_major_formatter(_PCT)
    ax.set_xlabel("Anteil „JA“ (Kennen Sie das Angebot?)", fontsize=SCHRIFT)
    ax.grid(axis="x", color="#dddddd", lw=0.8)
    ax.set_axisbelow(True)
    _style(ax)
    handles = [
        Line2D([], [], color=FARBE_BALKEN, lw=8, label=f"{sozialraum_name}: Anteil JA"),
        Line2D([], [], color="black", lw=1.2, marker="|", ms=8, label="Vertrauensbereich"),
    ]
    if has_other.any():
        handles.append(
            Line2D(
                [],
                [],
                ls="",
                marker="D",
                color=OKABE_ITO["orange"],
                markeredgecolor="black",
                label=f"Mittel der {_andere(einheiten)}",
            )
        )
    ax.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncols=len(handles),
        fontsize=SCHRIFT_KLEIN,
        frameon=False,
    )

    n_all = len(bk)
    alt = (
        f"Balkendiagramm: Bekanntheit von {anzahl(n_all, 'Angebot', 'Angeboten')} in "
        f"{sozialraum_name} (Anteil der JA-Punkte mit Vertrauensbereich"
        + (f", Raute: Mittel der {_andere(einheiten)})." if has_other.any() else ").")
    )
    ex = extreme(bk)
    if not ex["hoechst"].empty:
        best, least = ex["hoechst"], ex["niedrigst"]
        alt += (
            f" Am bekanntesten: {aufzaehlung(best['angebot'])} "
            f"({fmt_pct(best['anteil_ja'].iloc[0], 0)} JA)"
        )
        if set(least["angebot"]) != set(best["angebot"]):
            alt += (
                f", am wenigsten bekannt: {aufzaehlung(least['angebot'])} "
                f"({fmt_pct(least['anteil_ja'].iloc[0], 0)} JA)"
            )
        alt += "."
        comp = bk[~bk["unterdrueckt"].astype(bool) & bk["andere_anteil_ja"].notna()]
        if not comp.empty:
            higher = int((comp["anteil_ja"] > comp["andere_anteil_ja"]).sum())
            alt += (
                f" Bei {higher} von {anzahl(len(comp), 'Angebot', 'Angeboten')} liegt der "
                f"Anteil über dem Mittel der {_andere(einheiten)}."
            )
    n_hidden = int(bk["unterdrueckt"].astype(bool).sum())
    if n_hidden:
        verb = "ist" if n_hidden == 1 else "sind"
        alt += (
            f" {anzahl(n_hidden, 'Angebot', 'Angebote')} mit weniger als {mindeststimmen} "
            f"Punkten {verb} nicht ausgewiesen."
        )
    return fig, alt


def _hbar_counts(
    labels: list[str], counts: list[int], xlabel: str, colour: str = FARBE_BALKEN
) -> Figure:
    """Horizontal bars, largest on top, each labelled with its count (no need for colour)."""
    fig = _figure(BREITE, 0.38 * len(labels) + 1.2)
    ax = fig.subplots()
    y = np.arange(len(labels))[::-1]
    ax.barh(y, counts, color=colour, height=0.65)
    top = max(counts) if counts else 1
    for yi, c in zip(y, counts, strict=True):
        ax.text(c + top * 0.01, yi, fmt_int(c), va="center", fontsize=SCHRIFT_KLEIN)
    ax.set_yticks(y, [_label(lab) for lab in labels])
    ax.set_xlim(0, top * 1.12)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt_int(v)))
    ax.set_xlabel(xlabel, fontsize=SCHRIFT)
    _style(ax)
    return fig


@literal_text
def kanal_chart(haeufigkeit: pd.DataFrame, frage_id: str, sozialraum_name: str) -> Chart:
    """Cards of one channel-coded question per category ("Sonstiges" last)."""
    h = haeufigkeit[haeufigkeit["frage_id"] == frage_id]
    if h.empty:
        return None, f"Für {sozialraum_name} liegen zu dieser Frage keine Moderationskarten vor."
    frage = str(h["frage"].iloc[0])
    counts = [int(c) for c in h["anzahl"]]
    fig = _hbar_counts(list(h["kategorie"].astype(str)), counts, "Zahl der Karten")
    total = sum(counts)
    alt = (
        f"Balkendiagramm: {anzahl(total, 'Moderationskarte', 'Moderationskarten')} zur Frage "
        f"{zitat(frage)} in {sozialraum_name}, nach Kanal."
    )
    named = h[h["kategorie"] != "Sonstiges"]
    if not named.empty:
        top = named[named["anzahl"] == named["anzahl"].max()]
        n_top = int(top["anzahl"].iloc[0])
        alt += (
            f" Am häufigsten: {aufzaehlung(top['kategorie'])} "
            f"({'je ' if len(top) > 1 else ''}{anzahl(n_top, 'Karte', 'Karten')}, "
            f"{fmt_pct(top['anteil'].iloc[0], 0)})."
        )
    else:
        alt += " Keine Karte ließ sich einem Kanal zuordnen."
    return fig, alt


@literal_text
def feedback_chart(freq: pd.DataFrame, sozialraum_name: str, top: int = 15) -> Chart:
    """The ``top`` most frequent feedback words as horizontal bars."""
    if freq.empty:
        return None, f"Für {sozialraum_name} liegen keine Feedbackwörter vor."
    f = freq.head(top)
    fig = _hbar_counts(
        list(f["wort"].astype(str)), [int(c) for c in f["anzahl"]], "Zahl der Nennungen"
    )
    total = int(freq["anzahl"].sum())
    lead = f[f["anzahl"] == f["anzahl"].max()]
    shown = (
        f"die {len(f)} häufigsten von {len(freq)} verschiedenen Feedbackwörtern"
        if len(freq) > len(f)
        else anzahl(len(freq), "Feedbackwort", "verschiedene Feedbackwörter")
    )
    alt = (
        f"Balkendiagramm: {shown} ({anzahl(total, 'Nennung', 'Nennungen')}) in "
        f"{sozialraum_name}. Am häufigsten: {aufzaehlung(zitat(w) for w in lead['wort'])} "
        f"({'je ' if len(lead) > 1 else ''}"
        f"{anzahl(int(lead['anzahl'].iloc[0]), 'Nennung', 'Nennungen')})."
    )
    return fig, alt


@literal_text
def wortwolke(freq: pd.DataFrame, sozialraum_name: str, top: int = 30) -> Chart:
    """A simple word cloud: words in rows, font size by frequency, most frequent in the middle.

    Drawn with plain matplotlib text (no extra package). Deterministic: the same words always
    give the same picture, so the report cache and checksums stay stable. The bar chart of
    :func:`feedback_chart` carries the exact counts; this picture is only the familiar view.
    """
    if freq.empty:
        return None, f"Für {sozialraum_name} liegen keine Feedbackwörter vor."
    f = freq.head(top).reset_index(drop=True)
    cmax, cmin = int(f["anzahl"].max()), int(f["anzahl"].min())
    span = max(cmax - cmin, 1)
    sizes = [12 + 24 * math.sqrt((int(c) - cmin) / span) for c in f["anzahl"]]
    colours = [OKABE_ITO[k] for k in ("blau", "zinnober", "gruen", "purpur", "schwarz")]

    width_in = BREITE
    fig = Figure(figsize=(width_in, 4.0))
    renderer = FigureCanvasAgg(fig).get_renderer()
    ax = fig.add_axes((0, 0, 1, 1))
    ax.axis("off")
    texts = [
        ax.text(
            0,
            0,
            figur_text(w, WORT_ZEICHEN),
            fontsize=size,
            color=colours[i % len(colours)],
            ha="center",
            va="center",
            fontweight="bold" if int(c) == cmax else "normal",
        )
        for i, (w, c, size) in enumerate(zip(f["wort"], f["anzahl"], sizes, strict=True))
    ]
    # Measured widths (inches) plus a gap of a third of the font size between words.
    widths = [
        t.get_window_extent(renderer).width / fig.dpi + s / 72 / 3
        for t, s in zip(texts, sizes, strict=True)
    ]
    rows: list[list[int]] = [[]]
    used = 0.0
    for i, w in enumerate(widths):
        if rows[-1] and used + w > width_in - 0.3:
            rows.append([])
            used = 0.0
        rows[-1].append(i)
        used += w
    # The row with the most frequent words goes in the middle, the others alternate around it.
    display: list[list[int]] = []
    for k, row in enumerate(rows):
        if k % 2:
            display.insert(0, row)
        else:
            display.append(row)
    heights = [max(sizes[i] for i in row) / 72 * 1.3 for row in display]
    fig_h = sum(heights) + 0.3
    fig.set_size_inches(width_in, fig_h)
    y = fig_h - 0.15
    for row, h in zip(display, heights, strict=True):
        y -= h
        x = (width_in - sum(widths[i] for i in row)) / 2
        for i in row:
            texts[i].set_position(((x + widths[i] / 2) / width_in, (y + h / 2) / fig_h))
            x += widths[i]
    lead = f[f["anzahl"] == cmax]["wort"]
    alt = (
        f"Wortwolke der Feedbackwörter in {sozialraum_name} "
        f"({anzahl(len(f), 'Wort', 'Wörter')}, Schriftgröße nach Häufigkeit). Am größten: "
        f"{aufzaehlung(zitat(w) for w in lead)} "
        f"({anzahl(cmax, 'Nennung', 'Nennungen')})."
    )
    return fig, alt


# --------------------------------------------------------------------------------------------
# Handlungsempfehlungen
# --------------------------------------------------------------------------------------------
@literal_text
def status_chart(zaehlung: pd.DataFrame, sozialraum_name: str) -> Chart:
    """Handlungsempfehlungen per status, in the fixed order offen → zurückgestellt."""
    total = int(zaehlung["anzahl"].sum())
    if total == 0:
        return None, f"Für {sozialraum_name} liegen keine Handlungsempfehlungen vor."
    fig = _figure(BREITE * 0.75, 3.6)
    ax = fig.subplots()
    labels = list(zaehlung["status"].astype(str))
    counts = [int(c) for c in zaehlung["anzahl"]]
    colours = [STATUS_FARBEN.get(s, OKABE_ITO["himmelblau"]) for s in labels]
    x = np.arange(len(labels))
    ax.bar(x, counts, color=colours, width=0.65, edgecolor="black", linewidth=0.6)
    for xi, c in zip(x, counts, strict=True):
        ax.text(xi, c + max(counts) * 0.02, fmt_int(c), ha="center", fontsize=SCHRIFT)
    ax.set_xticks(x, [figur_text(s, 30) for s in labels])
    ax.set_ylim(0, max(counts) * 1.15 + 0.5)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("Zahl der Handlungsempfehlungen", fontsize=SCHRIFT_KLEIN)
    _style(ax)
    parts = [f"{fmt_int(c)} {s}" for s, c in zip(labels, counts, strict=True)]
    known = [s for s in labels if s in STATUS_REIHENFOLGE]
    alt = (
        f"Säulendiagramm: Stand der "
        f"{anzahl(total, 'Handlungsempfehlung', 'Handlungsempfehlungen')} für "
        f"{sozialraum_name}: {aufzaehlung(parts)}."
    )
    if len(known) < len(labels):
        alt += " Nicht vorgesehene Statuswerte sind zusätzlich aufgeführt."
    return fig, alt
