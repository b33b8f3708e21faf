import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from sozialraum.compute import events
from sozialraum.present import charts, indikatortabellen


def _bk():
    bk = pd.DataFrame(
        {
            "angebot": ["Jobcenter", "Integrationskurse", "Geoportale", "Smart City"],
            "station": "x",
            "ja": pd.array([20, 10, 2, pd.NA], dtype="Int64"),
            "n": pd.array([23, 20, 17, pd.NA], dtype="Int64"),
            "unterdrueckt": [False, False, False, True],
            "andere_anteil_ja": [70.0, 60.0, np.nan, np.nan],
        }
    )
    bk["anteil_ja"] = bk["ja"].astype("float64") / bk["n"].astype("float64") * 100
    bk["ki_unten"] = [
        events.wilson(j, n)[0] if not h else np.nan
        for j, n, h in zip(bk.ja, bk.n, bk.unterdrueckt, strict=True)
    ]
    bk["ki_oben"] = [
        events.wilson(j, n)[1] if not h else np.nan
        for j, n, h in zip(bk.ja, bk.n, bk.unterdrueckt, strict=True)
    ]
    return bk


def test_bekanntheit_chart_keeps_suppressed_offer_and_describes_finding():
    fig, alt = charts.bekanntheit_chart(_bk(), "Alstaden/Lirich", 3)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    # best known on top (last tick), suppressed offer still present (first tick)
    assert labels[-1] == "Jobcenter (n = 23)"
    assert labels[0] == "Smart City"
    assert any("nicht ausgewiesen (n < 3)" in t.get_text() for t in ax.texts)
    assert alt.startswith("Balkendiagramm: Bekanntheit von 4 Angeboten in Alstaden/Lirich")
    assert (
        "Am bekanntesten: Jobcenter (87 % JA), am wenigsten bekannt: Geoportale (12 % JA)." in alt
    )
    assert "Bei 1 von 2 Angeboten liegt der Anteil über dem Mittel" in alt
    assert "1 Angebot mit weniger als 3 Punkten ist nicht ausgewiesen." in alt
    # the comparison marker appears once per offer with a comparison value
    assert ax.collections[-1].get_offsets().shape[0] == 2
    # German axis labels
    fig.canvas.draw()
    assert "100 %" in [t.get_text() for t in ax.get_xticklabels()]


def test_bekanntheit_chart_empty():
    fig, alt = charts.bekanntheit_chart(pd.DataFrame(columns=events.BEKANNTHEIT_SPALTEN), "Ost", 3)
    assert fig is None
    assert alt == "Für Ost liegen keine Abstimmungen zur Bekanntheit von Angeboten vor."


def test_status_chart_fixed_order_and_alt():
    z = pd.DataFrame({"status": list(events.STATUS_REIHENFOLGE), "anzahl": [2, 3, 1, 0]})
    fig, alt = charts.status_chart(z, "Ost")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(events.STATUS_REIHENFOLGE)
    assert [round(p.get_height()) for p in ax.patches] == [2, 3, 1, 0]
    colours = {tuple(p.get_facecolor()) for p in ax.patches}
    assert len(colours) == 4  # one colour per status
    assert alt == (
        "Säulendiagramm: Stand der 6 Handlungsempfehlungen für Ost: 2 offen, 3 in Umsetzung, "
        "1 umgesetzt und 0 zurückgestellt."
    )
    fig, alt = charts.status_chart(z.assign(anzahl=0), "Ost")
    assert fig is None and "keine Handlungsempfehlungen" in alt


def test_feedback_chart_top_15():
    freq = pd.DataFrame(
        {"wort": [f"w{i:02d}" for i in range(20)], "anzahl": list(range(40, 20, -1))}
    )
    freq["anteil"] = freq["anzahl"] / freq["anzahl"].sum() * 100
    fig, alt = charts.feedback_chart(freq, "Ost")
    ax = fig.axes[0]
    assert len(ax.patches) == 15
    top = max(ax.get_yticklabels(), key=lambda t: t.get_position()[1])
    assert top.get_text() == "w00"  # most frequent on top
    assert "die 15 häufigsten von 20 verschiedenen Feedbackwörtern" in alt
    assert "Am häufigsten: „w00“ (40 Nennungen)." in alt
    assert charts.feedback_chart(freq.iloc[0:0], "Ost")[0] is None


def test_wortwolke_draws_every_word_once():
    freq = pd.DataFrame({"wort": ["informativ", "Vernetzung", "gut"], "anzahl": [5, 3, 1]})
    fig, alt = charts.wortwolke(freq, "Ost")
    texts = sorted(t.get_text() for t in fig.axes[0].texts)
    assert texts == ["Vernetzung", "gut", "informativ"]
    sizes = {t.get_text(): t.get_fontsize() for t in fig.axes[0].texts}
    assert sizes["informativ"] > sizes["Vernetzung"] > sizes["gut"] >= 10
    assert "Am größten: „informativ“ (5 Nennungen)" in alt


def test_kanal_chart():
    h = pd.DataFrame(
        {
            "frage_id": "f",
            "frage": "Woher kennen Sie uns?",
            "kategorie": ["Kita/Schule", "Presse", "Sonstiges"],
            "anzahl": [4, 4, 9],
            "anteil": [4 / 17 * 100, 4 / 17 * 100, 9 / 17 * 100],
        }
    )
    fig, alt = charts.kanal_chart(h, "f", "Ost")
    assert len(fig.axes[0].patches) == 3
    # "Sonstiges" is never the main finding
    assert "Am häufigsten: Kita/Schule und Presse (je 4 Karten, 24 %)." in alt
    assert alt.startswith(
        "Balkendiagramm: 17 Moderationskarten zur Frage „Woher kennen Sie uns?“ in Ost"
    )
    assert charts.kanal_chart(h, "other", "Ost")[0] is None


def test_trend_chart_small_multiples(cfg):
    years = cfg.methode.jahre
    rows = []
    for ind_i, ind in enumerate(cfg.indikatoren):
        for y_i, year in enumerate(years):
            rows.append(
                (
                    "sozialraum",
                    "1",
                    "Mitte",
                    year,
                    ind.id,
                    10.0 + y_i * (1 if ind_i == 0 else -0.5),
                    False,
                )
            )
            rows.append(("stadt", "stadt", "Musterstadt", year, ind.id, 12.0, False))
    g = pd.DataFrame(
        rows,
        columns=["ebene", "gebiet_id", "gebiet", "jahr", "indikator", "anteil", "unterdrueckt"],
    )
    fig, alt = charts.trend_chart(cfg, g, "Mitte", "Musterstadt")
    titles = [ax.get_title(loc="left") for ax in fig.axes if ax.get_title(loc="left")]
    assert titles == [i.kurz for i in cfg.indikatoren]
    first = fig.axes[0]
    assert len(first.lines) == 2
    styles = {line.get_linestyle() for line in first.lines}
    assert styles == {"-", "--"}  # not by colour alone
    assert "Mitte (durchgezogene Linie) und in Musterstadt (gestrichelte Linie)" in alt
    # 2023: Mitte 12 vs city 12 for the first, 9 vs 12 for the others -> above in none
    assert "liegt Mitte bei 0 von 7 Indikatoren über dem städtischen Wert" in alt
    assert (
        f"Am stärksten gestiegen seit {cfg.methode.vergleichsjahr}: "
        f"{cfg.indikatoren[0].kurz} (+1,0 Pp.)" in alt
    )
    empty = g.assign(anteil=np.nan)
    assert charts.trend_chart(cfg, empty, "Mitte", "Musterstadt")[0] is None


def test_trend_chart_y_range_shows_the_change_and_says_where_it_starts(cfg):
    """Shares of 20–22 % fill the panel instead of lying as flat lines on its top frame."""
    rows = [
        (ebene, ebene, ebene, year, ind.id, base + y_i * 0.5, False)
        for ind in cfg.indikatoren
        for y_i, year in enumerate(cfg.methode.jahre)
        for ebene, base in (("sozialraum", 21.0), ("stadt", 20.0))
    ]
    cols = ["ebene", "gebiet_id", "gebiet", "jahr", "indikator", "anteil", "unterdrueckt"]
    g = pd.DataFrame(rows, columns=cols)
    fig, _ = charts.trend_chart(cfg, g, "Mitte", "Musterstadt")
    ax = fig.axes[0]
    lo, hi = ax.get_ylim()
    assert 0 < lo < 20.0 and 22.0 < hi < 24.0  # the values span most of the height
    assert (22.0 - 20.0) / (hi - lo) > 0.5
    assert "nicht ab 0" in fig._suptitle.get_text()
    fig.canvas.draw()
    ticks = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert ticks and all(t.endswith("%") for t in ticks)  # the unit on every panel
    assert len(set(ticks)) == len(ticks)  # no "6 %" twice for ticks half a point apart
    near_zero = g.assign(anteil=g["anteil"] - 19.5)  # 0.5–3 %: the axis starts at 0
    fig, _ = charts.trend_chart(cfg, near_zero, "Mitte", "Musterstadt")
    assert fig.axes[0].get_ylim()[0] == 0
    assert "alle Achsen ab 0" in fig._suptitle.get_text()


def test_trend_chart_accepts_gebiete_werte_output(cfg):
    werte = pd.DataFrame(
        {
            "quartier_id": "01",
            "jahr": cfg.methode.jahre,
            "indikator": "sgb2",
            "anteil": [1.0, 2.0, 3.0],
            "unterdrueckt": False,
        }
    )
    q = pd.DataFrame({"quartier_id": ["01"], "quartier": ["Nord"], "sozialraum_id": ["1"]})
    agg = werte.drop(columns="quartier_id")
    g = indikatortabellen.gebiete_werte(
        werte, q, "1", agg, agg, sozialraum_name="M", stadt_name="S"
    )
    fig, alt = charts.trend_chart(cfg, g, "M", "S")
    assert isinstance(fig, Figure) and "M" in alt


@pytest.mark.parametrize("name", ["bekanntheit", "status"])
def test_charts_embed_via_figures(name):
    figures = pytest.importorskip("sozialraum.present.figures")
    if name == "bekanntheit":
        fig, alt = charts.bekanntheit_chart(_bk(), "Ost", 3)
    else:
        fig, alt = charts.status_chart(
            pd.DataFrame({"status": list(events.STATUS_REIHENFOLGE), "anzahl": [1, 1, 1, 1]}), "Ost"
        )
    html = figures.figure_html(fig, alt, "Titel")
    assert f'aria-label="{alt}"' in html and "Ost" in html
