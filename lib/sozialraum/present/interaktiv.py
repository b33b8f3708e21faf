"""An interactive overview map that works offline and without JavaScript.

:func:`interaktive_karte` turns the areas of a GeoDataFrame into one inline SVG: one ``path``
per area, filled with its class colour, focusable, named for screen readers (area, class, key
values) and with a ``title`` that every browser shows on hover. That SVG *is* the map: with
JavaScript switched off it still shows, links and explains itself. A few kilobytes of our own
script (``templates/bericht/static/karte.js``, no library) add a styled tooltip on hover and on
keyboard focus; on the index page a click on an area opens its report.

Nothing from the data ever reaches a script: names and values are written, escaped, into
attributes and ``title`` elements, and the script reads them with ``textContent``.

The geometry is simplified as a coverage (shared borders stay shared) with a tolerance of about
half a screen pixel and rounded to whole metres; Berlin's 542 planning areas come to well under
a few hundred kilobytes.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from numbers import Integral, Real
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from sozialraum.compute.klassen import KEINE_ANGABE, NICHT_BEWERTET
from sozialraum.fmt import FEHLT, fmt_int, fmt_num, html_text, is_missing
from sozialraum.grammatik import genitiv_plural
from sozialraum.present.vorlagen import block, markup
from sozialraum.resources import TEMPLATES_DIR

VORLAGE = "karte.html.j2"

SKRIPT_DATEI = TEMPLATES_DIR / "bericht" / "static" / "karte.js"
#: Fill of areas whose class is missing or has no colour.
KEINE_FARBE = "#d9d9d9"
KEINE_KLASSE = KEINE_ANGABE
#: A tooltip field with this value is left out (the shares of an unrated area).
OHNE_WERT = ""
#: What a withheld value reads in a tooltip (as in the tables).
UNTERDRUECKT = "•"
#: Simplification tolerance as a share of the larger side of the map (≈ ½ px at 1000 px).
TOLERANZ_ANTEIL = 1 / 2000
_FARBE = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?(?:[0-9a-fA-F]{2})?")


def skript_html() -> str:
    """The tooltip script as one ``script`` element; needed once per page, for every map."""
    code = SKRIPT_DATEI.read_text(encoding="utf-8")
    if "</" in code:  # our own file; this guards against an edit that would end the element
        raise ValueError(f"{SKRIPT_DATEI.name} darf die Zeichenfolge '</' nicht enthalten.")
    return str(block(VORLAGE, "skript", code=markup(code)))


def interaktive_karte(
    gdf: gpd.GeoDataFrame,
    *,
    titel: str,
    felder: Sequence[tuple[str, str]],
    klasse_spalte: str,
    farben: Mapping[str, str],
    links: Mapping[str, str] | None = None,
    id_spalte: str = "quartier_id",
    name_spalte: str = "quartier",
    klasse_titel: str = "Klasse",
    grenzen_spalte: str | None = None,
    hinweis: str | None = None,
    mit_skript: bool = True,
    toleranz: float | None = None,
    grenzen_namen: Mapping[str, str] | None = None,
) -> str:
    """One inline-SVG map with a tooltip per area, as an HTML snippet.

    Parameters
    ----------
    gdf
        One row per area, polygons in a metric CRS (a geographic CRS is projected to UTM).
    titel
        Caption of the map and accessible name of the SVG.
    felder
        ``(spalte, beschriftung)`` of the values shown for each area, e.g.
        ``[("einwohner", "Einwohner*innen")]``. Numbers are formatted the German way (integers
        with a thousands separator, others with one decimal); strings are shown as they are, so
        pass pre-formatted columns (``"17,1 %"``) where a unit is needed.
    klasse_spalte
        Column with each area's class label; it picks the fill from ``farben``.
    farben
        Class label -> colour (``#rrggbb``), in legend order (e.g. ``kartenbasis.klassen_farben``).
    links
        Area id -> href (relative, ``http(s)://`` or ``#…``): the area becomes a link. On the
        index page, every area links to the report of its unit.
    id_spalte, name_spalte
        Columns with the area's id and name.
    klasse_titel
        How the class is introduced in the tooltip ("Status").
    grenzen_spalte
        Optional column (e.g. ``"sozialraum_id"``): areas with the same value are outlined
        together with a heavier line.
    hinweis
        Sentence under the map; default explains hover, keyboard and (with links) the click.
    mit_skript
        Include the tooltip script. Pass False for the second and later maps of one page (the
        script serves every map on the page) or insert :func:`skript_html` yourself.
    toleranz
        Simplification tolerance in metres; default 1/2000 of the map's larger side.
    grenzen_namen
        Value of ``grenzen_spalte`` -> name written on the map (the report units on the index
        page); the text is decoration for sighted readers, the areas' names carry it for others.

    Returns
    -------
    str
        A ``figure`` of class ``ikarte`` with the SVG, its caption, a legend and (optionally) the
        script. Every text from the data is escaped.
    """
    needed = {id_spalte, name_spalte, klasse_spalte, *(c for c, _ in felder)}
    missing = needed | ({grenzen_spalte} if grenzen_spalte else set())
    missing -= set(gdf.columns)
    if missing:
        raise ValueError(f"Der Karte fehlen die Spalten: {', '.join(sorted(missing))}")
    if gdf.crs is not None and gdf.crs.is_geographic:
        gdf = gdf.to_crs(gdf.estimate_utm_crs())
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    if gdf.empty:
        raise ValueError("Die Karte hat keine Gebiete mit Geometrie.")
    farben = {str(k): _farbe(v) for k, v in farben.items()}
    links = {str(k): v for k, v in (links or {}).items()}

    minx, miny, maxx, maxy = (float(v) for v in gdf.total_bounds)
    breite, hoehe = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    tol = toleranz if toleranz is not None else max(breite, hoehe) * TOLERANZ_ANTEIL
    geoms = _vereinfacht(list(gdf.geometry), tol)
    ox, oy = math.floor(minx), math.ceil(maxy)
    vb_w, vb_h = math.ceil(maxx) - ox, oy - math.floor(miny)

    praefix = "ikarte-" + hashlib.sha256(titel.encode()).hexdigest()[:8]
    zaehler: dict[str, int] = {}
    gebiete: list[str] = []
    for (_, row), geom in zip(gdf.iterrows(), geoms, strict=True):
        d = _pfad(geom, ox, oy)
        if not d:
            continue
        gid = _text(row[id_spalte])
        name = _text(row[name_spalte]) or gid
        klasse = _text(row[klasse_spalte])
        farbe = farben.get(klasse)
        if farbe is None:
            farbe, klasse = KEINE_FARBE, klasse or KEINE_KLASSE
        zaehler[klasse] = zaehler.get(klasse, 0) + 1
        zeilen = [name, f"{klasse_titel}: {klasse}"]
        zeilen += [
            f"{beschriftung}: {_wert(row[spalte])}"
            for spalte, beschriftung in felder
            if not (isinstance(row[spalte], str) and row[spalte] == OHNE_WERT)
        ]
        label = html_text(f"{zeilen[0]}: " + "; ".join(zeilen[1:]))
        tip = html_text("\n".join(zeilen))
        pfad = f'<path d="{d}" fill="{farbe}"/>'
        href = _link(links.get(gid))
        attrs = f'class="gebiet" data-gebiet="{html_text(gid)}" aria-label="{label}"'
        if href:
            gebiete.append(f'<a href="{html_text(href)}" {attrs}><title>{tip}</title>{pfad}</a>')
        else:
            gebiete.append(
                f'<path {attrs} tabindex="0" role="img" d="{d}" fill="{farbe}">'
                f"<title>{tip}</title></path>"
            )

    grenzen = ""
    if grenzen_spalte:
        gruppen = {}
        for key, geom in zip(gdf[grenzen_spalte].astype(str), geoms, strict=True):
            gruppen.setdefault(key, []).append(geom)
        vereint = {k: shapely.union_all(g).buffer(0) for k, g in gruppen.items()}
        teile = [_pfad(u, ox, oy) for u in vereint.values()]
        grenzen = (
            '<g class="grenzen" aria-hidden="true" fill="none">'
            + "".join(f'<path d="{d}"/>' for d in teile if d)
            + "</g>"
        )
        if grenzen_namen:
            groesse = max(breite, hoehe) / 40
            texte = _namen(vereint, grenzen_namen, groesse, ox, oy, (minx, miny, maxx, maxy))
            grenzen += '<g class="namen" aria-hidden="true">' + "".join(texte) + "</g>"

    if hinweis is None:
        hinweis = (
            "Zeigen Sie mit der Maus auf ein Gebiet, tippen Sie es an oder wählen Sie es mit der "
            "Tabulatortaste, um Name, Klasse und Werte zu sehen."
        )
        if links:
            hinweis += " Ein Klick auf ein Gebiet öffnet seinen Bericht."
    legende = [
        {"farbe": farbe, "label": label, "anzahl": zaehler.get(label, 0)}
        for label, farbe in farben.items()
    ]
    legende += [
        {"farbe": KEINE_FARBE, "label": k, "anzahl": zaehler[k]} for k in zaehler if k not in farben
    ]
    return str(
        block(
            VORLAGE,
            "karte",
            praefix=praefix,
            breite=vb_w,
            hoehe=vb_h,
            gebiete=markup("".join(gebiete)),
            grenzen=markup(grenzen),
            titel=titel,
            hinweis=hinweis,
            klasse_titel=klasse_titel,
            legende=legende,
            skript=markup(skript_html()) if mit_skript else None,
        )
    )


def _namen(
    flaechen: Mapping[str, Any],
    namen: Mapping[str, str],
    size: float,
    ox: float,
    oy: float,
    rahmen: tuple[float, float, float, float],
) -> list[str]:
    """Unit names on the map, each inside its unit, within the map's frame and none over another.

    Greedy, largest unit first: the name goes to the unit's representative point, or is moved
    up or down in steps of a line until its box is free and its centre still in the unit;
    failing that it is written smaller, and a name that fits nowhere is left out (the areas'
    tooltips and the list above the map still name it). A name near the map's edge is pushed
    inwards: on a phone the map fills the screen's width and the edge would cut it.
    """
    from shapely.geometry import Point, box

    placed: list[Any] = []
    out: list[str] = []
    rand = box(*rahmen)
    order = sorted(flaechen, key=lambda k: -flaechen[k].area)
    for key in order:
        name, u = namen.get(key), flaechen[key]
        if not name or u.is_empty:
            continue
        p0 = u.representative_point()
        done = False
        for scale in (1.0, 0.8, 0.65):
            fs = size * scale
            w, h = 0.68 * fs * len(name), 1.2 * fs  # bold DejaVu: up to 0.67 em a letter
            for dy in (0, 1, -1, 2, -2, 3, -3):
                for dx in (0, 0.25, -0.25):
                    x, y = p0.x + dx * w, p0.y + dy * h
                    x = min(max(x, rahmen[0] + w / 2), rahmen[2] - w / 2)
                    frame = box(x - w / 2, y - h / 2, x + w / 2, y + h / 2)
                    if not rand.contains(frame) or not u.contains(Point(x, y)):
                        continue
                    if any(frame.intersects(b) for b in placed):
                        continue
                    placed.append(frame)
                    out.append(
                        f'<text x="{round(x - ox)}" y="{round(oy - y)}" font-size="{fs:.0f}">'
                        f"{html_text(_text(name))}</text>"
                    )
                    done = True
                    break
                if done:
                    break
            if done:
                break
    return out


def _karten_tabelle(
    cfg: Any, quartiere: Any, index: Any, *, mit_einheit: bool
) -> tuple[Any, list[tuple[str, str]]]:
    """Areas with their map class and the tooltip fields every status map shows.

    Excluded areas get no class; the tooltip names the unit (where the map shows several),
    the dynamics class and the population, as far as the index has them.
    """
    import pandas as pd

    keep = [c for c in index.columns if c not in ("quartier", "sozialraum_id", "geometry")]
    gdf = quartiere[["quartier_id", "quartier", "sozialraum_id", quartiere.geometry.name]].merge(
        pd.DataFrame(index[keep]), on="quartier_id", how="left"
    )
    status = gdf.get("status_klasse", pd.Series(pd.NA, index=gdf.index)).astype(object)
    if "ausgeschlossen" in gdf:
        # the term the static maps and tables use for an area left out of the index
        status = status.where(~gdf["ausgeschlossen"].fillna(False).astype(bool), NICHT_BEWERTET)
    gdf["karten_klasse"] = status
    felder: list[tuple[str, str]] = []
    if mit_einheit:
        namen = {str(s.id): s.name for s in cfg.sozialraeume}
        gdf["einheit_name"] = gdf["sozialraum_id"].astype(str).map(namen)
        felder.append(("einheit_name", cfg.begriffe.einheit.name))
    if "dynamik_klasse" in gdf:
        felder.append(("dynamik_klasse", "Dynamik"))
    if "einwohner" in gdf:
        gdf["einwohner"] = gdf["einwohner"].map(lambda v: v if is_missing(v) else int(v))
        felder.append(("einwohner", "Einwohner*innen"))
    return gdf, felder


def stadtkarte_interaktiv(
    cfg: Any,
    quartiere: gpd.GeoDataFrame,
    index: Any,
    *,
    links: Mapping[str, str] | None = None,
    jahr: int | None = None,
    mit_skript: bool = True,
) -> str:
    """The index page's city map: status class of every area; a click opens its unit's report.

    Parameters
    ----------
    cfg
        The city's config (class colours, the city's words, the report year).
    quartiere
        Geometry of all areas (``quartier_id``, ``quartier``, ``sozialraum_id``).
    index
        ``IndexResult.index`` (``status_klasse``, ``dynamik_klasse``, ``einwohner``, …).
    links
        Unit id (``sozialraum_id``) -> href of its report, relative to the index page; areas of
        units without a report are shown but not linked.
    jahr
        Year in the caption; default ``cfg.methode.berichtsjahr``.
    mit_skript
        Include the tooltip script (see :func:`interaktive_karte`).
    """
    from sozialraum.present.kartenbasis import klassen_farben

    jahr = jahr if jahr is not None else cfg.methode.berichtsjahr
    gdf, felder = _karten_tabelle(cfg, quartiere, index, mit_einheit=True)
    namen = {str(s.id): s.name for s in cfg.sozialraeume}
    area_links = None
    if links:
        ids = gdf["sozialraum_id"].astype(str)
        area_links = {
            str(q): links[s] for q, s in zip(gdf["quartier_id"], ids, strict=True) if s in links
        }
    return interaktive_karte(
        gdf,
        titel=f"{cfg.begriffe.statusindex} {jahr} {genitiv_plural(cfg.begriffe.gebiet)}",
        felder=felder,
        klasse_spalte="karten_klasse",
        farben=klassen_farben(cfg, "status"),
        links=area_links,
        klasse_titel="Status",
        grenzen_spalte="sozialraum_id",
        mit_skript=mit_skript,
        grenzen_namen=namen,
    )


def quartierskarte_interaktiv(
    cfg: Any,
    quartiere: gpd.GeoDataFrame,
    index: Any,
    werte: Any,
    *,
    sozialraum_id: str | None = None,
    jahr: int | None = None,
    mit_skript: bool = True,
) -> str:
    """The areas of one report unit (or of the city) with status, dynamics and key values.

    Every Sozialraum report and the city-wide report carry this map: hover or keyboard focus
    on an area shows its name, status class, dynamics class, population and the share of each
    indicator in ``jahr`` – the published shares only (``werte`` from ``index.publish``), so a
    withheld value reads "•" in the tooltip just as in the tables.

    Parameters
    ----------
    cfg
        The city's config (class colours, the city's words, indicators, report year).
    quartiere
        Geometry of all areas (``quartier_id``, ``quartier``, ``sozialraum_id``).
    index
        ``IndexResult.index`` (``status_klasse``, ``dynamik_klasse``, ``einwohner``, …).
    werte
        Published indicator values per area (``publish(IndexResult.werte)``).
    sozialraum_id
        Only the areas of this unit; None: the whole city, outlined by unit.
    jahr
        Year of the shares and of the caption; default ``cfg.methode.berichtsjahr``.
    mit_skript
        Include the tooltip script (see :func:`interaktive_karte`).
    """
    import pandas as pd

    from sozialraum.fmt import fmt_pct
    from sozialraum.present.kartenbasis import klassen_farben

    jahr = jahr if jahr is not None else cfg.methode.berichtsjahr
    q = quartiere
    if sozialraum_id is not None:
        q = q[q["sozialraum_id"].astype(str) == str(sozialraum_id)]
    gdf, felder = _karten_tabelle(cfg, q, index, mit_einheit=sozialraum_id is None)
    namen = {str(s.id): s.name for s in cfg.sozialraeume}
    w = werte[werte["jahr"] == jahr]
    for n, ind in enumerate(cfg.indikatoren):
        sub = w[w["indikator"] == ind.id].set_index("quartier_id")
        anteil = sub["anteil"]
        weg = sub["unterdrueckt"] if "unterdrueckt" in sub else pd.Series(False, index=sub.index)
        spalte = f"_ind_{n}"
        # an unrated area shows no shares: "0,0 %" beside "nicht bewertet" reads as a rating
        gdf[spalte] = [
            OHNE_WERT
            if klasse == NICHT_BEWERTET
            else (UNTERDRUECKT if bool(weg.get(qid, False)) else fmt_pct(anteil.get(qid)))
            for qid, klasse in zip(gdf["quartier_id"], gdf["karten_klasse"], strict=True)
        ]
        felder.append((spalte, f"{ind.kurz} {jahr}"))
    wo = (
        f"{cfg.begriffe.einheit.name} {namen.get(str(sozialraum_id), '')}"
        if sozialraum_id is not None
        else cfg.stadt.name
    )
    return interaktive_karte(
        gdf,
        titel=f"{cfg.begriffe.statusindex} {jahr} {genitiv_plural(cfg.begriffe.gebiet)}: {wo} "
        "(interaktiv)",
        felder=felder,
        klasse_spalte="karten_klasse",
        farben=klassen_farben(cfg, "status"),
        klasse_titel="Status",
        # the city: units outlined and named; one unit: its areas named on the map
        grenzen_spalte="sozialraum_id" if sozialraum_id is None else "quartier_id",
        grenzen_namen=(
            namen
            if sozialraum_id is None
            else dict(zip(gdf["quartier_id"].astype(str), gdf["quartier"], strict=True))
        ),
        mit_skript=mit_skript,
    )


def tabellen_fokussierbar(soup: Any) -> None:
    """Let keyboard users scroll a table that is wider than a phone (WCAG 2.1.1).

    On a narrow screen every ``div.tabelle`` scrolls sideways inside its own frame; a frame that
    cannot take the focus cannot be scrolled without a mouse, and axe-core reports it
    (``scrollable-region-focusable``). Each frame becomes a focusable, named region: named by
    its table's caption where there is one. Works on a BeautifulSoup document, in place.
    """
    for n, frame in enumerate(soup.select("div.tabelle"), start=1):
        if frame.get("tabindex") is None:
            frame["tabindex"] = "0"
        if frame.get("role") is None:
            frame["role"] = "region"
        if frame.get("aria-label") or frame.get("aria-labelledby"):
            continue
        caption = frame.find("caption")
        if caption is not None:
            if not caption.get("id"):
                caption["id"] = f"tabelle-{n}-titel"
            frame["aria-labelledby"] = caption["id"]
        else:
            frame["aria-label"] = f"Tabelle {n}"
    # figures scroll the same way on phones, so that their labels keep a readable size; a
    # figure is named by its figcaption already
    for figure in soup.select("figure"):
        if figure.find("svg", class_="abbildung", recursive=False) is not None:
            if figure.get("tabindex") is None:
                figure["tabindex"] = "0"


# -- helpers -----------------------------------------------------------------------------------
def _text(value: Any) -> str:
    """A one-line string (line breaks separate the tooltip's lines, so none inside a value)."""
    return "" if is_missing(value) else " ".join(str(value).split())


def _wert(value: Any) -> str:
    if is_missing(value):
        return FEHLT
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, Integral):
        return fmt_int(value)
    if isinstance(value, Real):
        return fmt_num(value, 1)
    return _text(value)


def _farbe(value: str) -> str:
    text = str(value).strip()
    if not _FARBE.fullmatch(text):
        raise ValueError(f'Ungültige Farbe "{text}" für die Karte (erwartet z. B. "#1f77b4").')
    return text.lower()


def _link(href: str | None) -> str | None:
    """Only relative, http(s) and fragment links; ``javascript:`` and ``data:`` are dropped."""
    if not href:
        return None
    href = str(href).strip()
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in href) or href.startswith(("//", "\\")):
        return None
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", href)
    if scheme and scheme.group(1).lower() not in ("http", "https"):
        return None
    return href


def _vereinfacht(geoms: list[BaseGeometry], tol: float) -> list[BaseGeometry]:
    """Simplify as a coverage (neighbours keep one shared border); per area as a fallback."""
    arr = shapely.make_valid(shapely.from_wkb(shapely.to_wkb(geoms)))
    if tol <= 0:
        return list(arr)
    try:
        out = shapely.coverage_simplify(arr, tol)
        if all(g is not None and not g.is_empty for g in out):
            return list(out)
    except (AttributeError, shapely.errors.GEOSException, ValueError):
        pass
    return list(shapely.simplify(arr, tol, preserve_topology=True))


def _ringe(geom: BaseGeometry) -> list[list[tuple[float, float]]]:
    if isinstance(geom, Polygon):
        return [list(geom.exterior.coords), *(list(r.coords) for r in geom.interiors)]
    if isinstance(geom, MultiPolygon):
        return [ring for part in geom.geoms for ring in _ringe(part)]
    if hasattr(geom, "geoms"):  # a GeometryCollection from make_valid: keep the polygons
        return [ring for part in geom.geoms for ring in _ringe(part)]
    return []


def _pfad(geom: BaseGeometry, ox: int, oy: int) -> str:
    """SVG path data: absolute start, then relative steps in whole metres (y downwards)."""
    out = []
    for ring in _ringe(geom):
        pts = [(round(x - ox), round(oy - y)) for x, y, *_ in ring]
        steps = []
        px, py = pts[0]
        for x, y in pts[1:]:
            dx, dy = x - px, y - py
            if dx or dy:
                steps.append(f"{dx} {dy}")
                px, py = x, y
        if len(steps) < 2:
            continue
        if steps[-1] and (px, py) == pts[0]:
            steps.pop()  # "z" closes the ring
        out.append(f"M{pts[0][0]} {pts[0][1]}l" + " ".join(steps) + "z")
    return "".join(out).replace(" -", "-")


__all__ = [
    "interaktive_karte",
    "quartierskarte_interaktiv",
    "skript_html",
    "stadtkarte_interaktiv",
    "tabellen_fokussierbar",
]
