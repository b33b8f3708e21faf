import base64
import html

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from matplotlib.figure import Figure

from sozialraum.figures import figure_html, figure_png, show_figure

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def small_figure():
    fig = Figure(figsize=(2, 2))
    ax = fig.add_subplot()
    ax.bar(["a", "b"], [1, 2])
    return fig


def parse(markup):
    return BeautifulSoup(markup, "html.parser")


def test_figure_embeds_a_png_data_uri_with_alt_and_caption():
    out = figure_html(small_figure(), "Balken: b ist doppelt so hoch wie a", "Abb. 1: Test")
    img = parse(out).find("figure").find("img")
    prefix = "data:image/png;base64,"
    assert img["src"].startswith(prefix)
    png = base64.b64decode(img["src"][len(prefix) :])
    assert png.startswith(PNG_SIGNATURE)
    assert img["alt"] == "Balken: b ist doppelt so hoch wie a"
    assert int(img["width"]) > 100 and int(img["height"]) > 100
    assert parse(out).find("figcaption").get_text() == "Abb. 1: Test"
    assert "http" not in out  # nothing to fetch when read offline


def test_alt_and_caption_are_escaped():
    alt = 'Karte "A" <script>alert(1)</script> & mehr'
    caption = "<b>Lirich-Süd</b> & Alstaden"
    out = figure_html(small_figure(), alt, caption)
    assert "<script>" not in out and "<b>" not in out
    assert html.escape(alt, quote=True) in out
    soup = parse(out)
    assert soup.find("img")["alt"] == alt
    assert soup.find("figcaption").get_text() == caption


@pytest.mark.parametrize("alt", ["", "   "])
def test_empty_alt_text_is_refused(alt):
    with pytest.raises(ValueError, match="Alternativtext"):
        figure_html(small_figure(), alt, "Abb.")


def test_csv_download_link_in_the_caption():
    df = pd.DataFrame({"Quartier": ["Lirich-Süd", "Alstaden"], "Anteil": [12.5, 7.25]})
    out = figure_html(small_figure(), "Alt", "Anteile je Quartier", csv=df, csv_name="anteile.csv")
    link = parse(out).find("figcaption").find("a")
    assert link["download"] == "anteile.csv"
    assert link.get_text() == "Daten als CSV"
    prefix = "data:text/csv;charset=utf-8;base64,"
    assert link["href"].startswith(prefix)
    data = base64.b64decode(link["href"][len(prefix) :])
    assert data.startswith("\ufeff".encode())  # BOM: Excel reads the umlauts as UTF-8
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == "Quartier;Anteil"
    assert "Lirich-Süd;12,5" in text and "Alstaden;7,25" in text


def test_csv_name_defaults_to_a_slug_of_the_caption():
    df = pd.DataFrame({"x": [1]})
    out = figure_html(small_figure(), "Alt", "Statusindex-Klassen: Übersicht", csv=df)
    assert parse(out).find("a")["download"] == "statusindex-klassen-uebersicht.csv"


def test_no_csv_no_link():
    assert "<a " not in figure_html(small_figure(), "Alt", "Abb.")


def test_pyplot_figure_is_closed_after_rendering():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    number = fig.number
    figure_html(fig, "Linie", "Abb.")
    assert not plt.fignum_exists(number)


def test_same_figure_gives_the_same_bytes():
    # no library version in the PNG metadata: caches and checksums depend on data only
    assert figure_png(small_figure()) == figure_png(small_figure())
    assert b"matplotlib" not in figure_png(small_figure())


def test_show_figure_returns_displayable_html():
    shown = show_figure(small_figure(), "Balken", "Abb. 2")
    assert type(shown).__name__ == "HTML"
    assert shown.data.startswith('<figure><img src="data:image/png;base64,')
    assert "Abb. 2" in shown._repr_html_()
