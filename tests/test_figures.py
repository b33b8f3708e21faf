import base64
import html
import re

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


# -- exact class colours -------------------------------------------------------------------------
def _rgb(hex_colour):
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


def test_png_palette_keeps_every_class_colour_exact_even_for_a_rare_class(tmp_path):
    """One Quartier out of 200 in its class: its fill and its legend swatch must come out in
    exactly the configured RGB (the old adaptive palette merged rare colours into others)."""
    import io

    import geopandas as gpd
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image
    from shapely import maximum_inscribed_circle

    from sozialraum import maps, synthetic
    from sozialraum.config import load_config
    from sozialraum.figures import PNG_DPI

    path = synthetic.make_city(tmp_path, areas=200, units=4, seed=2)
    cfg = load_config(path)
    geo = gpd.read_file(tmp_path / "geo" / "quartiere.geojson")
    rng = np.random.default_rng(0)
    status = rng.choice(["mittel", "niedrig"], size=len(geo), p=[0.8, 0.2]).astype(object)
    dynamik = rng.choice(["stabil", "negativ"], size=len(geo), p=[0.7, 0.3]).astype(object)
    rare = int(np.argmax(geo.geometry.area))
    status[rare], dynamik[rare] = "sehr niedrig", "positiv"
    index = pd.DataFrame(
        {
            "quartier_id": geo["quartier_id"],
            "status_klasse": status,
            "dynamik_klasse": dynamik,
            "kombi_klasse": [f"{s} / {d}" for s, d in zip(status, dynamik, strict=True)],
        }
    )
    fig, _ = maps.class_map(cfg, geo, index, None, "kombi", beschriftung="keine")
    png = figure_png(fig)
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))

    # where things are in the PNG: savefig's tight box, padded by 0.1 inch, at PNG_DPI (text
    # widths are not exactly proportional to the dpi, so measure at the dpi of the PNG)
    fig.set_dpi(PNG_DPI)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    saved = fig.get_tightbbox(renderer).padded(0.1)
    assert abs(image.shape[1] - saved.width * PNG_DPI) <= 2

    def pixel(x_display, y_display):
        x_in, y_in = x_display / fig.dpi, y_display / fig.dpi
        return round((x_in - saved.x0) * PNG_DPI), round((saved.y1 - y_in) * PNG_DPI)

    def block(x_display, y_display, r=2):
        col, row = pixel(x_display, y_display)
        return image[row - r : row + r + 1, col - r : col + r + 1].reshape(-1, 3)

    farben = maps.klassen_farben(cfg, "kombi")
    ax = fig.axes[0]
    centre = maximum_inscribed_circle(geo.geometry[rare]).coords[0]
    want = _rgb(farben["sehr niedrig / positiv"])
    assert {tuple(p) for p in block(*ax.transData.transform(centre))} == {want}
    leg = ax.get_legend()
    checked = 0
    for text, handle in zip(leg.get_texts(), leg.legend_handles, strict=True):
        label = re.sub(r" \(\d+\)$", "", text.get_text())
        if label not in farben:
            continue
        ext = handle.get_window_extent(renderer)
        got = {tuple(p) for p in block((ext.x0 + ext.x1) / 2, (ext.y0 + ext.y1) / 2)}
        assert got == {_rgb(farben[label])}, label
        checked += 1
    assert checked == 12
    assert len(png) < 250_000  # still a palette PNG


def test_quantize_keeps_listed_colours_and_stays_small():
    """Gradient plus one small patch of a colour close to a frequent one: the patch survives."""
    import io

    import numpy as np
    from PIL import Image

    from sozialraum.figures import _quantize

    x = np.linspace(0, 255, 400)
    img = np.zeros((300, 400, 3), dtype=np.uint8)
    img[..., 0] = x.astype(np.uint8)[None, :]
    img[..., 1] = np.linspace(0, 255, 300).astype(np.uint8)[:, None]
    img[..., 2] = 200
    img[10:14, 10:14] = (253, 141, 89)  # 16 pixels, near the gradient's colours
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG")
    out = _quantize(buf.getvalue(), keep=[(253, 141, 89)])
    back = np.asarray(Image.open(io.BytesIO(out)).convert("RGB"))
    assert (back[10:14, 10:14] == (253, 141, 89)).all()
    assert Image.open(io.BytesIO(out)).mode == "P"
    # few colours: stored losslessly
    flat = np.full((50, 50, 3), 255, dtype=np.uint8)
    flat[:10] = (1, 2, 3)
    buf = io.BytesIO()
    Image.fromarray(flat).save(buf, format="PNG")
    assert (
        np.asarray(Image.open(io.BytesIO(_quantize(buf.getvalue()))).convert("RGB")) == flat
    ).all()


def test_text_from_the_public_is_drawn_literally_even_outside_the_builders():
    """``$$x$$`` made matplotlib's mathtext parser fail a whole report; now it is plain text."""
    fig = Figure(figsize=(3, 2))
    ax = fig.add_subplot()
    ax.set_title("$$x$$ \\frac{1}{2}")
    ax.set_xticks([0, 1], ["$a$", "b\x00\x07c"])
    ax.text(0.5, 0.5, "Preis $5 und $$")
    out = figure_html(fig, "Alt $x$ <b>", "Titel $$x$$ <script>")
    assert "<script>" not in out and "&lt;script&gt;" in out and "$$x$$" in out
    assert 'alt="Alt $x$ &lt;b&gt;"' in out


def test_literal_text_decorator_switches_mathtext_off_for_everything_a_builder_draws():
    from matplotlib import rcParams

    from sozialraum.figures import literal_text

    @literal_text
    def builder():
        fig = Figure()
        ax = fig.add_subplot()
        ax.text(0, 0, "$x$")
        assert not rcParams["text.parse_math"] and not rcParams["text.usetex"]
        return fig

    fig = builder()
    assert all(not t.get_parse_math() for t in fig.axes[0].texts)
    assert rcParams["text.parse_math"], "the setting is restored afterwards"
