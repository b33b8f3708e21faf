import base64
import html
import re

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from matplotlib.figure import Figure
from matplotlib.text import Text

from sozialraum.present.figures import figure_html, figure_png, figure_svg, show_figure

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def small_figure():
    fig = Figure(figsize=(2, 2))
    ax = fig.add_subplot()
    ax.bar(["a", "b"], [1, 2])
    return fig


def parse(markup):
    return BeautifulSoup(markup, "html.parser")


def test_figure_embeds_an_inline_svg_with_alt_and_caption():
    out = figure_html(small_figure(), "Balken: b ist doppelt so hoch wie a", "Abb. 1: Test")
    svg = parse(out).find("figure").find("svg")
    assert svg["role"] == "img"
    assert svg["aria-label"] == "Balken: b ist doppelt so hoch wie a"
    assert svg.find("title").get_text() == "Balken: b ist doppelt so hoch wie a"
    assert int(svg["width"]) > 100 and int(svg["height"]) > 100
    assert parse(out).find("figcaption").get_text() == "Abb. 1: Test"
    assert "http" not in out  # nothing to fetch when read offline, not even a namespace URL
    assert "<img" not in out


def test_alt_and_caption_are_escaped():
    alt = 'Karte "A" <script>alert(1)</script> & mehr'
    caption = "<b>Lirich-Süd</b> & Alstaden"
    out = figure_html(small_figure(), alt, caption)
    assert "<script>" not in out and "<b>" not in out
    assert html.escape(alt, quote=True) in out
    soup = parse(out)
    assert soup.find("svg")["aria-label"] == alt
    assert soup.find("svg").find("title").get_text() == alt
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
    # no library version or date in the metadata: caches and checksums depend on data only
    assert figure_png(small_figure()) == figure_png(small_figure())
    assert b"matplotlib" not in figure_png(small_figure())
    assert figure_svg(small_figure()) == figure_svg(small_figure())
    assert figure_html(small_figure(), "A", "B") == figure_html(small_figure(), "A", "B")
    svg = figure_svg(small_figure())
    assert "<metadata" not in svg and "<dc:date" not in svg and "Matplotlib v" not in svg


def test_show_figure_returns_displayable_html():
    shown = show_figure(small_figure(), "Balken", "Abb. 2")
    assert type(shown).__name__ == "HTML"
    assert shown.data.startswith('<figure><svg class="abbildung"')
    assert "Abb. 2" in shown._repr_html_()


# -- exact class colours -------------------------------------------------------------------------
def _rgb(hex_colour):
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


def test_png_palette_keeps_every_class_colour_exact_even_for_a_rare_class(tmp_path):
    """One Quartier out of 200 in its class: its fill and its legend swatch must come out in
    exactly the configured RGB (the old adaptive palette merged rare colours into others)."""
    import io

    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image
    from shapely import maximum_inscribed_circle

    from sozialraum.present import kartenbasis, maps
    from sozialraum.present.figures import PNG_DPI

    cfg, geo, index = _city(tmp_path)
    rare = int(np.argmax(geo.geometry.area))  # _city gives this area the rare classes
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

    farben = kartenbasis.klassen_farben(cfg, "kombi")
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

    from sozialraum.present.figures import _quantize

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
    assert 'aria-label="Alt $x$ &lt;b&gt;"' in out
    texts = [t.get_text() for t in parse(out).find("svg").find_all("text")]
    assert "$$x$$ \\frac{1}{2}" in texts and "$a$" in texts and "bc" in texts  # as typed
    assert "Preis $5 und $$" in texts


def test_literal_text_decorator_switches_mathtext_off_for_everything_a_builder_draws():
    from matplotlib import rcParams

    from sozialraum.present.figures import literal_text

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


# -- inline SVG: text is text, colours exact, ids unique, drawn once ----------------------------
HOSTILE = ["Lirich-Süd", "<script>alert(1)</script>", "]]> &amp;", "$x$ \\alpha", "Café 🎉 Ω"]


def _labelled_chart(labels=HOSTILE, title="Titel"):
    fig = Figure(figsize=(5, 3), layout="constrained")
    ax = fig.add_subplot()
    ax.bar(range(len(labels)), range(1, len(labels) + 1), color="#fd8d59")
    ax.set_xticks(range(len(labels)), labels, rotation=30)
    ax.set_title(title, fontweight="bold")
    return fig


def test_svg_labels_stay_text_escaped_and_literal():
    out = figure_html(_labelled_chart(), "Alt", "Abb.")
    svg = parse(out).find("svg")
    texts = [t.get_text() for t in svg.find_all("text")]
    for label in HOSTILE:
        assert label in texts, label  # one <text> per label, exactly as typed
    assert "<script" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "]]&gt; &amp;amp;" in out  # no CDATA trick, no entity decoded twice
    bold = [t for t in svg.find_all("text") if t.get_text() == "Titel"]
    assert "font-weight: 700" in bold[0]["style"]
    assert "font-family: 'DejaVu Sans', sans-serif" in bold[0]["style"]


def _city(tmp_path, areas=200):
    import geopandas as gpd
    import numpy as np

    from sozialraum import synthetic
    from sozialraum.config import load_config

    path = synthetic.make_city(tmp_path, areas=areas, units=4, seed=2)
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
    return cfg, geo, index


def test_svg_map_fills_are_the_configured_colours_verbatim(tmp_path):
    from sozialraum.present import kartenbasis, maps

    cfg, geo, index = _city(tmp_path)
    fig, alt = maps.class_map(cfg, geo, index, None, "kombi", beschriftung="keine")
    out = figure_html(fig, alt, "Karte")
    svg = parse(out).find("svg")
    farben = kartenbasis.klassen_farben(cfg, "kombi")
    classes = svg.find(id=re.compile(rf"-{kartenbasis.GID_KLASSEN}$"))
    assert classes is not None
    drawn = {m.lower() for m in re.findall(r"fill: (#[0-9a-fA-F]{6})", str(classes))}
    # the one area of the rare class is filled in exactly its configured colour
    assert farben["sehr niedrig / positiv"].lower() in drawn
    assert drawn <= {f.lower() for f in farben.values()}
    for label, farbe in farben.items():  # every legend swatch, rare or unused
        assert f"fill: {farbe.lower()}" in out, label
    assert any(t.get_text().startswith("sehr niedrig / positiv (1)") for t in svg("text"))


def test_ids_are_unique_on_a_page_and_every_reference_resolves(tmp_path):
    page = figure_html(small_figure(), "A", "Abb. 1") + figure_html(_labelled_chart(), "B", "2")
    page += figure_html(small_figure(), "A", "Abb. 3")  # same figure again, other caption
    soup = parse(page)
    ids = [t["id"] for t in soup.find_all(id=True)]
    assert len(ids) > 30 and len(ids) == len(set(ids))
    for svg in soup.find_all("svg"):
        own = {t["id"] for t in svg.find_all(id=True)}
        refs = re.findall(r"url\(#([^)]+)\)", str(svg)) + [
            u["xlink:href"][1:] for u in svg.find_all("use")
        ]
        assert refs and set(refs) <= own  # clip paths and tick marks of this very figure


@pytest.fixture
def draws(monkeypatch):
    """Number of full figure draws (``Figure.draw``) since the fixture was made."""
    calls = []
    original = Figure.draw

    def counting(self, renderer):
        calls.append(renderer)
        return original(self, renderer)

    monkeypatch.setattr(Figure, "draw", counting)
    return calls


def test_each_figure_is_drawn_once(tmp_path, draws):
    from sozialraum.present import maps

    figure_html(_labelled_chart(), "Alt", "Abb.")  # constrained layout, no measuring draw
    assert len(draws) == 1
    cfg, geo, index = _city(tmp_path, areas=40)
    fig, alt = maps.class_map(cfg, geo, index, None, "status")
    figure_html(fig, alt, "Karte")
    assert len(draws) == 2
    figure_png(_labelled_chart())
    assert len(draws) == 3


def test_layout_without_a_draw_gives_the_box_a_tight_save_would(tmp_path):
    """Draw-once must not move anything: the box equals ``bbox_inches="tight"`` after a draw."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from sozialraum.present import maps
    from sozialraum.present.figures import layout_once, literal_text_context

    cfg, geo, index = _city(tmp_path, areas=40)
    for make in (lambda: maps.class_map(cfg, geo, index, None, "kombi")[0], _labelled_chart):
        with literal_text_context():
            ours = layout_once(make())
            fig = make()
            canvas = FigureCanvasAgg(fig)
            canvas.draw()
        theirs = fig.get_tightbbox(canvas.get_renderer()).padded(0.1)
        assert abs(ours.x0 - theirs.x0) < 0.02 and abs(ours.x1 - theirs.x1) < 0.02
        assert abs(ours.y0 - theirs.y0) < 0.02 and abs(ours.y1 - theirs.y1) < 0.02


def test_a_figure_over_the_budget_becomes_a_print_resolution_png(monkeypatch, draws):
    import io

    import numpy as np
    from PIL import Image

    from sozialraum.present import figures

    as_svg = parse(figure_html(_labelled_chart(), "Alt", "Abb.")).find("svg")
    assert len(draws) == 1
    monkeypatch.setattr(figures, "SVG_BUDGET", 100)
    draws.clear()
    out = figure_html(_labelled_chart(), "Alt <b>", "Abb.")
    assert len(draws) == 1, "the estimate skips the SVG: still one draw"
    img = parse(out).find("img")
    assert parse(out).find("svg") is None and img["alt"] == "Alt <b>"
    png = base64.b64decode(img["src"].removeprefix("data:image/png;base64,"))
    assert png.startswith(PNG_SIGNATURE)
    pixels = Image.open(io.BytesIO(png))
    # same place on the page as the SVG, with PRINT_DPI pixels per inch
    assert abs(int(img["width"]) - int(as_svg["width"])) <= 1
    assert abs(pixels.width - int(img["width"]) * figures.PRINT_DPI / figures.PNG_DPI) <= 3
    rgb = np.asarray(pixels.convert("RGB")).reshape(-1, 3)
    assert (rgb == (253, 141, 89)).all(axis=1).any(), "bar colour exact in the PNG too"

    # an SVG that the estimate lets through but that turns out too large: PNG after all
    monkeypatch.setattr(figures, "svg_estimate", lambda fig: 0)
    draws.clear()
    out = figure_html(_labelled_chart(), "Alt", "Abb.")
    assert parse(out).find("img") is not None and len(draws) == 2


def test_svg_estimate_grows_with_the_vertices(tmp_path):
    from sozialraum.present import maps
    from sozialraum.present.figures import svg_estimate

    cfg, geo, index = _city(tmp_path, areas=200)
    small = svg_estimate(maps.class_map(cfg, geo.iloc[:20], index, None, "status")[0])
    large = svg_estimate(maps.class_map(cfg, geo, index, None, "status")[0])
    assert 0 < small < large
    fig, alt = maps.class_map(cfg, geo, index, None, "status")
    estimate = svg_estimate(fig)
    actual = len(figure_svg(fig).encode())
    assert 0.3 * actual < estimate < 3 * actual


def test_map_labels_keep_their_halo_as_text_and_the_figure_keeps_its_effects(tmp_path):
    from sozialraum.present import figures, maps

    cfg, geo, index = _city(tmp_path, areas=40)
    fig, _ = maps.class_map(
        cfg, geo, index, cfg.sozialraeume[0].id, "status", beschriftung="quartiere"
    )
    haloed = [t for t in fig.findobj(Text) if t.get_path_effects()]
    assert haloed
    before = [(t.get_text(), t.get_gid(), t.get_path_effects()) for t in haloed]
    with figures.literal_text_context():
        svg = figures._save_svg(fig, figures.layout_once(fig))
    soup = parse(svg)
    behind = {u["xlink:href"][1:]: u["filter"] for u in soup.find_all("use", filter=True)}
    stroked = [t for t in soup.find_all("text") if t.get("id") in behind]
    shown = [t.get_text() for t in haloed if t.get_visible()]  # placed labels
    lines = {line for text in shown for line in text.split("\n") if line}
    assert {t.get_text() for t in stroked} >= lines  # every line of every label, as text
    assert all("stroke" not in t["style"] for t in stroked)  # one text run, not two (PDF)
    (halo,) = soup.find_all("filter")  # one white halo of the configured width
    assert set(behind.values()) == {f"url(#{halo['id']})"}
    assert halo.find("feflood")["flood-color"] == "#ffffff"
    assert float(halo.find("femorphology")["radius"]) == pytest.approx(2.4 / 2)
    # a PNG fallback after the SVG still draws the halos: nothing was left changed
    assert [(t.get_text(), t.get_gid(), t.get_path_effects()) for t in haloed] == before
