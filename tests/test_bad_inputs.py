"""A corpus of bad inputs: each case breaks one thing in the mini city and must give one clear,
German message (file, row, column, value, what was expected, a suggestion) – and no new file.

The message asserted is the first line of the validation; the run is the real console command
``sozialraum render``, which must stop before it writes anything into the output folder.
"""

from __future__ import annotations

import io
import os
import warnings
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from fixtures_city import FILES, QUARTIERE, make_city, quartiere_gdf
from shapely.geometry import Point

from sozialraum.cli import main


def rep(old, new):
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return edit


def zipbytes():
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr("karten.csv", "a;b\n")
        z.writestr("liesmich.txt", "x")
    return b.getvalue()


def geo_dup():
    g = quartiere_gdf()
    g.loc[3, "quartier_id"] = "01"
    return g


def geo_sr():
    g = quartiere_gdf()
    g.loc[3, "sozialraum_id"] = "9"
    return g


def geo_point():
    g = quartiere_gdf()
    g.loc[2, "geometry"] = Point(350500, 5705500)
    return g


def geo_nocol():
    return quartiere_gdf().drop(columns="quartier")


def geo_noprj(path):
    p = path.with_suffix(".shp")
    quartiere_gdf().to_file(p)
    p.with_suffix(".prj").unlink()


def geo_latlon(path):
    g = quartiere_gdf().set_crs("EPSG:4326", allow_override=True)
    g.to_file(path)


CASES = {
    "bev_leer": dict(bevoelkerung=""),
    "ind_pdf": dict(indikatoren=b"%PDF-1.4 ..."),
    "ind_html": dict(indikatoren="<html><table><tr><td>1</td></tr></table></html>"),
    "ind_json": dict(indikatoren='[{"a": 1}]'),
    "karten_zip": dict(karten=zipbytes()),
    "karten_quote": dict(karten=lambda t: t + 'r2-x;r2-sport;f-bekannt;"abgebrochen'),
    "ind_kurz": dict(indikatoren=lambda t: t.rstrip("\n") + "\n04;Weststadt;2023;sgb2"),
    "ind_binaer": dict(indikatoren=b"quartier_id;jahr\x00\x01\x02;;\n"),
    "ind_kein_trenner": dict(indikatoren="Tabelle der Indikatoren\n1 2 3\n"),
    "bev_felder": dict(
        bevoelkerung=rep("01;Altstadt;2023;5200;Test;ja", "01;Altstadt;2023;5200;Test;ja;x;y")
    ),
    "bev_doppelkopf": dict(
        bevoelkerung=rep(
            "quartier_id;quartier;jahr;einwohner", "quartier_id;quartier;jahr;jahr;einwohner"
        )
    ),
    "bev_ohne_ew": dict(
        bevoelkerung=lambda t: (
            "\n".join(
                ";".join(c for i, c in enumerate(row.split(";")) if i != 3)
                for row in t.splitlines()
            )
            + "\n"
        )
    ),
    "bev_ew_tippfehler": dict(bevoelkerung=rep("einwohner", "Einwohnr")),
    "bev_negativ": dict(bevoelkerung=rep("01;Altstadt;2023;5200", "01;Altstadt;2023;-5200")),
    "bev_bruch": dict(bevoelkerung=rep("01;Altstadt;2023;5200", "01;Altstadt;2023;5200,5")),
    "bev_text": dict(bevoelkerung=rep("01;Altstadt;2023;5200", "01;Altstadt;2023;viele")),
    "bev_jahr": dict(bevoelkerung=rep("01;Altstadt;2023;5200", "01;Altstadt;2022;5200")),
    "bev_jahr_text": dict(bevoelkerung=rep("01;Altstadt;2023;5200", "01;Altstadt;2O23;5200")),
    "ind_name": dict(indikatoren=lambda t: t.replace("01;Altstadt;", ";Altstat;")),
    "ind_id": dict(indikatoren=rep("04;Weststadt;2023;sgb2", "44;Weststadt;2023;sgb2")),
    "bev_doppelt": dict(bevoelkerung=lambda t: t + "02;Lirich Sued;2023;4100;Test;ja\n"),
    "ind_unbekannt": dict(indikatoren=rep(";2023;sgb2;", ";2023;sgb3;")),
    "ind_zaehler_gross": dict(
        indikatoren=rep("01;Altstadt;2020;sgb2;1040;5200", "01;Altstadt;2020;sgb2;6000;5200")
    ),
    "ind_dezimal": dict(
        indikatoren=rep("01;Altstadt;2020;sgb2;1040;5200", "01;Altstadt;2020;sgb2;1040,5;5200")
    ),
    "ind_leer": dict(
        indikatoren=rep("01;Altstadt;2020;sgb2;1040;5200", "01;Altstadt;2020;sgb2;;5200")
    ),
    "ind_jahr_fehlt": dict(
        indikatoren=lambda t: (
            "\n".join(row for row in t.splitlines() if ";2020;kinderarmut;" not in row) + "\n"
        )
    ),
    "ind_zeile_fehlt": dict(
        indikatoren=lambda t: (
            "\n".join(
                row for row in t.splitlines() if not row.startswith("03;Mühlenfeld;2023;sgb2")
            )
            + "\n"
        )
    ),
    "ev_sr": dict(veranstaltungen=rep("2023-sued;2;", "2023-sued;7;")),
    "ev_datum": dict(veranstaltungen=rep("06.09.2023", "31.02.2023")),
    "ev_termin": dict(veranstaltungen=rep("06.09.2023", "07.09.2023")),
    "ev_doppelt": dict(veranstaltungen=rep("2023-sued;2;", "2023-nord;2;")),
    "ev_negativ": dict(veranstaltungen=rep(";88;", ";-88;")),
    "st_leer": dict(stationen=rep("Themeninsel;Sport/Bewegung;", "Themeninsel;;")),
    "an_station": dict(angebote=rep("r2-sport-verein;r2-sport;", "r2-sport-verein;r2-spot;")),
}
CASES2 = {
    "fr_typ": dict(fragen=lambda t: t.replace(";ja_nein;", ";multiple;", 1)),
    "ab_antwort": dict(abstimmungen=lambda t: t.replace(";JA;", ";VIELLEICHT;", 1)),
    "ab_anzahl": dict(abstimmungen=lambda t: t.replace(";JA;", ";JA;drei;x", 1)),
    "ka_leer": dict(karten=lambda t: t.replace("Verteilung in Kita", "", 1)),
    "ka_lang": dict(karten=lambda t: t.replace("Verteilung in Kita", "x" * 1_000_001, 1)),
    "fb_ev": dict(feedback=lambda t: t.replace("2023-sued", "2023-west", 1)),
    "he_status": dict(handlungsempfehlungen=lambda t: t.replace(";offen;", ";fertig;", 1)),
    "he_datum": dict(handlungsempfehlungen=lambda t: t.replace(";15.02.2023", ";15.13.2023", 1)),
    "he_doppelt": dict(handlungsempfehlungen=lambda t: t.replace("HE-2;", "HE-1;", 1)),
    "he_quartier": dict(
        handlungsempfehlungen=lambda t: t.replace("01, Lirich Sued", "01, Lirich Nord", 1)
    ),
    "kr_doppelt": dict(kanalregeln=lambda t: t.replace("2;Flyer", "1;Flyer", 1)),
    "geo_dup": dict(geometrie=geo_dup()),
    "geo_sr": dict(geometrie=geo_sr()),
    "geo_punkt": dict(geometrie=geo_point()),
    "geo_ohne_name": dict(geometrie=geo_nocol()),
    "geo_ohne_prj": dict(geometrie=geo_noprj, geometrie_datei="geo/quartiere.shp"),
    "geo_grad": dict(geometrie=geo_latlon),
    "karten_utf16": dict(karten=FILES["karten"].encode("utf-16")),
    "karten_utf16_ohne_bom": dict(karten=FILES["karten"].encode("utf-16-le")),
}

EXPECTED = {
    "bev_leer": 'data/bevoelkerung.csv: Die Datei ist leer. Erwartet: eine CSV-Tabelle mit den Spalten "jahr", "einwohner".',
    "ind_pdf": 'data/indikatoren.csv: Die Datei ist keine CSV-Datei, sondern ein PDF-Dokument. Erwartet: eine CSV-Tabelle mit den Spalten "jahr", "indikator". Tipp: in Excel „Speichern unter“ → „CSV (Trennzeichen-getrennt)“ wählen.',
    "ind_html": 'data/indikatoren.csv: Die Datei ist keine CSV-Datei, sondern HTML/XML. Erwartet: eine CSV-Tabelle mit den Spalten "jahr", "indikator". Tipp: vermutlich eine gespeicherte Webseite oder ein „Excel-Export“ als HTML: die Datei in Excel öffnen und als „CSV (Trennzeichen-getrennt)“ speichern.',
    "ind_json": 'data/indikatoren.csv: Die Datei ist keine CSV-Datei, sondern JSON. Erwartet: eine CSV-Tabelle mit den Spalten "jahr", "indikator". Tipp: die Datei in .json umbenennen, dann wird sie als JSON gelesen.',
    "karten_zip": 'data/karten.csv: Die Datei ist ein ZIP-Archiv, keine Tabelle (es enthält: karten.csv, liesmich.txt). Erwartet: eine CSV-Tabelle mit den Spalten "veranstaltung_id", "station_id", "frage_id", "text". Tipp: das Archiv entpacken und die Tabelle darin angeben.',
    "karten_quote": "data/karten.csv, Zeile 4: Die Datei ist offenbar abgeschnitten: ein Anführungszeichen wird nicht mehr geschlossen. Erwartet: eine vollständige Datei, deren letzte Zeile alle Felder hat. Tipp: die Datei erneut exportieren oder vollständig kopieren.",
    "ind_kurz": "data/indikatoren.csv, Zeile 18: Die Datei ist offenbar abgeschnitten: die letzte Zeile hat nur 4 von 9 Feldern und keinen Zeilenumbruch. Erwartet: eine vollständige Datei, deren letzte Zeile alle Felder hat. Tipp: die Datei erneut exportieren oder vollständig kopieren.",
    "ind_binaer": 'data/indikatoren.csv: Die Datei ist keine CSV-Datei (sie enthält Binärdaten). Erwartet: eine CSV-Tabelle mit den Spalten "jahr", "indikator".',
    "ind_kein_trenner": 'data/indikatoren.csv, Zeile 1: Die Datei ist keine CSV-Tabelle: in der Kopfzeile steht kein Trennzeichen (; oder ,). Erwartet: eine CSV-Tabelle mit den Spalten "jahr", "indikator".',
    "bev_felder": "data/bevoelkerung.csv, Zeile 3: Die Zeile hat 8 Felder, die Kopfzeile nur 6. Erwartet: 6 Felder wie in der Kopfzeile.",
    "bev_doppelkopf": 'data/bevoelkerung.csv, Zeile 1, Spalte "jahr": Die Spalte "jahr" kommt in der Kopfzeile mehrfach vor. Erwartet: jede Spalte einmal.',
    "bev_ohne_ew": 'data/bevoelkerung.csv, Zeile 1, Spalte "einwohner": Die Spalte "einwohner" fehlt (gefunden: "quartier_id", "quartier", "jahr", "quelle", "erfunden"). Erwartet: die Spalten "jahr", "einwohner".',
    "bev_ew_tippfehler": 'data/bevoelkerung.csv, Zeile 1, Spalte "einwohner": Die Spalte "einwohner" fehlt (gefunden: "quartier_id", "quartier", "jahr", "Einwohnr", "quelle", "erfunden"). Erwartet: die Spalten "jahr", "einwohner". Meinten Sie "Einwohnr"?',
    "bev_negativ": 'data/bevoelkerung.csv, Zeile 3, Spalte "einwohner": "-5200" ist negativ. Erwartet: eine ganze Zahl ≥ 0.',
    "bev_bruch": 'data/bevoelkerung.csv, Zeile 3, Spalte "einwohner": "5200,5" ist keine ganze Zahl. Erwartet: eine ganze Zahl ≥ 0.',
    "bev_text": 'data/bevoelkerung.csv, Zeile 3, Spalte "einwohner": "viele" ist keine Zahl. Erwartet: eine ganze Zahl ≥ 0.',
    "bev_jahr": 'data/bevoelkerung.csv, Zeile 3, Spalte "jahr": "2022" ist kein Jahr der Methode. Erwartet: ein Jahr aus methode.jahre: 2020, 2023. Meinten Sie "2023"?',
    "bev_jahr_text": 'data/bevoelkerung.csv, Zeile 3, Spalte "jahr": "2O23" ist keine Zahl. Erwartet: ein Jahr (ganze Zahl).',
    "ind_name": 'data/indikatoren.csv, Zeile 2, Spalte "quartier": "Altstat" ist kein bekanntes Sozialquartier. Erwartet: ein Name aus der Geometrie geo/quartiere.gpkg. Meinten Sie "Altstadt"?',
    "ind_id": 'data/indikatoren.csv, Zeile 16, Spalte "quartier_id": Das Sozialquartier "44" ("Weststadt") fehlt in der Geometrie geo/quartiere.gpkg. Erwartet: eine quartier_id aus der Geometrie. Meinten Sie "04"? Tipp: hat das Gebiet keine Fläche und wird nicht bewertet: [methode] ausgeschlossen = [{ quartier_id = "44", grund = "ohne Geometrie" }].',
    "bev_doppelt": 'data/bevoelkerung.csv, Zeile 10, Spalte "quartier_id, jahr": Doppelte Zeile: quartier_id = 02, jahr = 2023 steht schon in Zeile 5. Erwartet: jede Kombination aus quartier_id, jahr nur einmal.',
    "ind_unbekannt": 'data/indikatoren.csv, Zeile 4, Spalte "indikator": "sgb3" ist kein Indikator der Konfiguration. Erwartet: eine id aus [[indikatoren]]: sgb2, kinderarmut. Meinten Sie "sgb2"?',
    "ind_zaehler_gross": 'data/indikatoren.csv, Zeile 2, Spalte "zaehler": Der Zähler "6000" ist größer als der Nenner "5200". Erwartet: zaehler ≤ nenner (der Zähler ist eine Teilmenge des Nenners). Tipp: Zähler und Nenner vertauscht?',
    "ind_dezimal": 'data/indikatoren.csv, Zeile 2, Spalte "zaehler": "1040,5" ist keine ganze Zahl. Erwartet: eine ganze Zahl ≥ 0.',
    "ind_leer": 'data/indikatoren.csv, Zeile 2, Spalte "zaehler": Der Wert fehlt (Indikator sgb2 wird als Anzahl eingegeben). Erwartet: eine ganze Zahl ≥ 0. Tipp: liefert die Statistikstelle hier bewusst keinen Wert, das in der Konfiguration sagen: fehlwerte = [""] beim Eintrag dieser Datei in [eingaben].',
    "ind_jahr_fehlt": 'data/indikatoren.csv, Spalte "indikator": Für den Indikator "kinderarmut" fehlen alle Werte des Jahres 2020. Erwartet: Werte für jedes Jahr der Methode.',
    "ind_zeile_fehlt": 'data/indikatoren.csv, Spalte "quartier_id": Das Sozialquartier "Mühlenfeld" (ID 03) fehlt für 2023 beim Indikator "sgb2". Erwartet: eine Zeile je Sozialquartier, Jahr und Indikator. Tipp: hat das Gebiet keine Statistik und wird nicht bewertet: [methode] ausgeschlossen = [{ quartier_id = "03", grund = "keine Statistik" }].',
    "ev_sr": 'data/veranstaltungen.csv, Zeile 3, Spalte "sozialraum_id": "7" ist kein Sozialraum der Konfiguration. Erwartet: eine id aus [[sozialraeume]]: 1 (Nord), 2 (Süd).',
    "ev_datum": 'data/veranstaltungen.csv, Zeile 2, Spalte "datum": "31.02.2023" ist kein gültiges Datum (diesen Tag gibt es nicht). Erwartet: ein Datum als JJJJ-MM-TT oder TT.MM.JJJJ (nur Monat: JJJJ-MM oder MM/JJJJ).',
    "ev_termin": 'data/veranstaltungen.csv, Zeile 2, Spalte "datum": Das Datum passt nicht zum Termin der Konfiguration (Nord, Runde 2: 06.09.2023). Erwartet: den Termin aus der Konfiguration (06.09.2023).',
    "ev_doppelt": 'data/veranstaltungen.csv, Zeile 3, Spalte "veranstaltung_id": Doppelter Wert "2023-nord": steht schon in Zeile 2. Erwartet: jeden Wert in "veranstaltung_id" nur einmal.',
    "ev_negativ": 'data/veranstaltungen.csv, Zeile 2, Spalte "teilnehmende": "-88" ist negativ. Erwartet: eine ganze Zahl ≥ 0.',
    "st_leer": 'data/stationen.csv, Zeile 2, Spalte "station": Der Wert fehlt. Erwartet: der Titel der Station.',
    "an_station": 'data/angebote.csv, Zeile 2, Spalte "station_id": "r2-spot" kommt in data/stationen.csv nicht vor. Erwartet: eine station_id aus data/stationen.csv. Meinten Sie "r2-sport"?',
    "fr_typ": 'data/fragen.csv, Zeile 2, Spalte "typ": "multiple" ist kein Fragetyp. Erwartet: ja_nein, freitext, bewertung oder feedback_wort.',
    "ab_antwort": 'data/abstimmungen.csv, Zeile 2, Spalte "antwort": "VIELLEICHT" ist keine Antwort auf eine Frage vom Typ ja_nein. Erwartet: JA oder NEIN.',
    "ab_anzahl": "data/abstimmungen.csv, Zeile 2: Die Zeile hat 8 Felder, die Kopfzeile nur 7. Erwartet: 7 Felder wie in der Kopfzeile.",
    "ka_leer": 'data/karten.csv, Zeile 2, Spalte "text": Der Wert fehlt. Erwartet: der Text der Karte (nicht leer).',
    "ka_lang": 'data/karten.csv, Zeile 2, Spalte "text": Der Text ist mit 1.000.001 Zeichen zu lang. Erwartet: höchstens 100.000 Zeichen. Tipp: ist versehentlich eine ganze Datei in die Zelle geraten?',
    "fb_ev": 'data/feedback.csv, Zeile 2, Spalte "veranstaltung_id": "2023-west" kommt in data/veranstaltungen.csv nicht vor. Erwartet: eine veranstaltung_id aus data/veranstaltungen.csv. Meinten Sie "2023-sued"?',
    "he_status": 'data/handlungsempfehlungen.csv, Zeile 3, Spalte "status": "fertig" ist kein Status. Erwartet: offen, in Umsetzung, umgesetzt, zurückgestellt.',
    "he_datum": 'data/handlungsempfehlungen.csv, Zeile 3, Spalte "status_datum": "15.13.2023" ist kein gültiges Datum (diesen Tag gibt es nicht). Erwartet: ein Datum als JJJJ-MM-TT oder TT.MM.JJJJ (nur Monat: JJJJ-MM oder MM/JJJJ).',
    "he_doppelt": 'data/handlungsempfehlungen.csv, Zeile 3, Spalte "he_id": Doppelter Wert "HE-1": steht schon in Zeile 2. Erwartet: jeden Wert in "he_id" nur einmal.',
    "he_quartier": 'data/handlungsempfehlungen.csv, Zeile 2, Spalte "quartiere": "Lirich Nord" ist kein bekanntes Sozialquartier. Erwartet: IDs oder Namen aus der Geometrie, mit Komma getrennt.',
    "kr_doppelt": 'data/kanalregeln.csv, Zeile 3, Spalte "reihenfolge": Doppelter Wert "1": steht schon in Zeile 2. Erwartet: jeden Wert in "reihenfolge" nur einmal.',
    "geo_dup": 'geo/quartiere.gpkg, Zeile 5, Spalte "quartier_id": Doppelter Wert "01": steht schon in Zeile 2. Erwartet: jeden Wert in "quartier_id" nur einmal. Tipp: gehört die Fläche zu einer anderen ID, in der Konfiguration berichtigen: [eingaben.geometrie] korrekturen = [{ merkmal = 5, id = "01", neue_id = "…", grund = "…" }].',
    "geo_sr": 'geo/quartiere.gpkg, Zeile 5, Spalte "sozialraum_id": "9" ist kein Sozialraum der Konfiguration. Erwartet: eine id aus [[sozialraeume]]: 1 (Nord), 2 (Süd).',
    "geo_punkt": 'geo/quartiere.gpkg, Zeile 4, Spalte "geometry": Das Objekt ist keine Fläche (Point). Erwartet: ein Polygon oder MultiPolygon je Sozialquartier.',
    "geo_ohne_name": 'geo/quartiere.gpkg, Zeile 1, Spalte "quartier": Die Spalte "quartier" fehlt (gefunden: "quartier_id", "sozialraum_id", "erfunden"). Erwartet: die Spalten "quartier_id", "quartier", "sozialraum_id". Meinten Sie "quartier_id"?',
    "geo_ohne_prj": "geo/quartiere.shp: Die Geometrie hat kein Koordinatenbezugssystem (KBS). Erwartet: ein angegebenes KBS, z. B. EPSG:25832. Tipp: EPSG:25832 setzen, z. B. in QGIS (Layer → Layer-KBS setzen) oder eine .prj-Datei neben die .shp legen.",
    "geo_grad": "geo/quartiere.gpkg: Die Koordinaten passen nicht zum angegebenen KBS EPSG:4326 (Werte außerhalb von ±180°). Erwartet: Koordinaten im angegebenen KBS. Tipp: das richtige KBS angeben, vermutlich EPSG:25832.",
    "karten_utf16": "data/karten.csv: Warnung: Die Datei ist als UTF-16 („Unicode-Text“) gespeichert; sie wurde gelesen. Erwartet: CSV in UTF-8 oder Windows-1252. Tipp: in Excel „CSV UTF-8 (durch Trennzeichen getrennt)“ wählen.",
    "karten_utf16_ohne_bom": "data/karten.csv: Warnung: Die Datei ist als UTF-16 („Unicode-Text“) gespeichert; sie wurde gelesen. Erwartet: CSV in UTF-8 oder Windows-1252. Tipp: in Excel „CSV UTF-8 (durch Trennzeichen getrennt)“ wählen.",
}


def cfgrep(old, new):
    def edit(t):
        assert old in t, old
        return t.replace(old, new, 1)

    return edit


def with_sozialraum(wrong: str, value: str):
    """Add the optional sozialraum_id column (as in the sample data), one row says ``value``."""

    def edit(text: str) -> str:
        sr = {q[0]: q[2] for q in QUARTIERE}
        lines = text.splitlines()
        out = [lines[0].replace("quartier;", "quartier;sozialraum_id;", 1)]
        for line in lines[1:]:
            qid, name, rest = line.split(";", 2)
            v = value if line.startswith(wrong) else sr[qid]
            out.append(f"{qid};{name};{v};{rest}")
        return "\n".join(out) + "\n"

    return edit


def geo_empty(path):
    path.write_bytes(b"")


def geo_missing(path):
    pass


CASES3 = {
    "cfg_schluessel": dict(
        config=cfgrep("vergleichsjahr = 2020", "vergleichsjahr = 2020\nmindesbevoelkerung = 300")
    ),
    "cfg_slug": dict(config=cfgrep('slug = "nord"', 'slug = "Nord Stadt"')),
    "cfg_toml": dict(config=cfgrep('name = "Musterstadt"', "name = Musterstadt")),
    "cfg_datei_fehlt": dict(
        config=cfgrep(
            'indikatoren = "../data/indikatoren.csv"', 'indikatoren = "../data/indikatorn.csv"'
        )
    ),
    "cfg_mentimeter_frage": dict(
        config=cfgrep(
            'frage = "Formulieren Sie in 1-2 Worten Ihr Feedback"', 'frage = "Wie fanden Sie es"'
        )
    ),
    "cfg_mentimeter_datei": dict(
        config=cfgrep(
            'datei = "../data/mentimeter/2023-nord.xlsx"',
            'datei = "../data/mentimeter/2023-nort.xlsx"',
        )
    ),
    "cfg_klassen": dict(
        config=cfgrep('labels = ["hoch", "mittel", "niedrig"]', 'labels = ["hoch", "niedrig"]')
    ),
    "cfg_farbe": dict(
        config=cfgrep(
            'farben = ["#eeeeee", "#999999", "#333333"]', 'farben = ["#eeeeee", "grau", "#333333"]'
        )
    ),
    "geo_leer": dict(geometrie=geo_empty),
    "geo_fehlt": dict(geometrie=geo_missing),
    "he_sozialraum": dict(handlungsempfehlungen=cfgrep("HE-2;2;", "HE-2;3;")),
    "ab_freitext": dict(abstimmungen=cfgrep("r2-kennen", "r2-bekannter")),
    "ka_janein": dict(karten=cfgrep("r2-bekannter", "r2-kennen")),
    "kr_leer": dict(kanalregeln=cfgrep(";kita*", ";")),
    "ev_datum_text": dict(veranstaltungen=cfgrep("06.09.2023", "Anfang September")),
    "bev_sozialraum": dict(bevoelkerung=with_sozialraum("02;Lirich-Süd;2023", "2")),
    "ind_sozialraum": dict(indikatoren=with_sozialraum("04;Weststadt;2020;kinderarmut", "1")),
}


EXPECTED.update(
    {
        "cfg_schluessel": 'config/stadt.toml, Zeile 36, [methode] mindesbevoelkerung: unbekannter Schlüssel "mindesbevoelkerung" = 300. Meinten Sie "mindestbevoelkerung"? Siehe docs/konfiguration.md#methode.',
        "cfg_slug": 'config/stadt.toml, Zeile 9, [[sozialraeume]] Nr. 1 → slug: "Nord Stadt" ist hier nicht erlaubt. Erwartet: nur Kleinbuchstaben, Ziffern und Bindestriche, am Anfang ein Kleinbuchstabe oder eine Ziffer. Meinten Sie "nord-stadt"? Siehe docs/konfiguration.md#sozialraum-slug.',
        "cfg_toml": 'config/stadt.toml, Zeile 2, Spalte 8: kein gültiges TOML (ungültiger Wert). Tipp: Texte in Anführungszeichen setzen ("…"), Zahlen mit Dezimalpunkt (1.5), Wahrheitswerte als true oder false.',
        "cfg_datei_fehlt": 'data/indikatorn.csv: Die Datei existiert nicht. Erwartet: eine CSV-Tabelle mit den Spalten "jahr", "indikator". Meinten Sie "indikatoren.csv"?',
        "cfg_mentimeter_frage": 'data/mentimeter/2023-nord.xlsx: Keine Frage beginnt mit "Wie fanden Sie es". Gefundene Fragen: "Waren Sie schon einmal bei einem Expert*innendialog?"; "Formulieren Sie in 1–2 Worten Ihr Feedback". Erwartet: eine Frage, die mit "Wie fanden Sie es" beginnt.',
        "cfg_mentimeter_datei": 'data/mentimeter/2023-nort.xlsx: Die Datei existiert nicht. Erwartet: ein Mentimeter-Export. Meinten Sie "2023-nord.xlsx"?',
        "cfg_klassen": "config/stadt.toml, Zeile 37, [methode.status]: 2 Schwellen ergeben 3 Klassen: labels und farben brauchen je 3 Einträge (gefunden: 2 labels, 3 farben). Siehe docs/konfiguration.md#klassen.",
        "cfg_farbe": "config/stadt.toml, Zeile 40, [methode.status] farben: farben müssen Farben im Format #rrggbb sein (z. B. #b30000), nicht: grau. Siehe docs/konfiguration.md#klassen.",
        "geo_leer": "geo/quartiere.gpkg: Die Datei ist leer. Erwartet: Polygone der Sozialquartiere.",
        "geo_fehlt": "geo/quartiere.gpkg: Die Datei existiert nicht. Erwartet: eine Geometriedatei.",
        "he_sozialraum": 'data/handlungsempfehlungen.csv, Zeile 3, Spalte "sozialraum_id": "3" ist kein Sozialraum der Konfiguration. Erwartet: eine id aus [[sozialraeume]]: 1 (Nord), 2 (Süd).',
        "ab_freitext": 'data/abstimmungen.csv, Zeile 2, Spalte "frage_id": Die Frage "r2-bekannter" hat den Typ freitext; abgestimmt wird nur über Fragen vom Typ ja_nein oder bewertung. Erwartet: eine frage_id vom Typ ja_nein oder bewertung.',
        "ka_janein": 'data/karten.csv, Zeile 2, Spalte "frage_id": Die Frage "r2-kennen" hat den Typ ja_nein; Karten gehören zu Fragen vom Typ freitext. Erwartet: eine frage_id vom Typ freitext.',
        "kr_leer": 'data/kanalregeln.csv, Zeile 2, Spalte "muster": Der Wert fehlt. Erwartet: ein Suchwort.',
        "ev_datum_text": 'data/veranstaltungen.csv, Zeile 2, Spalte "datum": "Anfang September" ist kein Datum. Erwartet: ein Datum als JJJJ-MM-TT oder TT.MM.JJJJ (nur Monat: JJJJ-MM oder MM/JJJJ).',
        "bev_sozialraum": 'data/bevoelkerung.csv, Zeile 5, Spalte "sozialraum_id": Sozialraum "2" passt nicht zur Geometrie: Das Sozialquartier "02" ("Lirich-Süd") gehört in geo/quartiere.gpkg zum Sozialraum "1" (Nord). Erwartet: die sozialraum_id aus der Geometrie geo/quartiere.gpkg (oder die Spalte leer lassen). Meinten Sie "1"? Tipp: die Zuordnung in geo/quartiere.gpkg prüfen, falls dort die Angabe falsch ist.',
        "ind_sozialraum": 'data/indikatoren.csv, Zeile 15, Spalte "sozialraum_id": Sozialraum "1" passt nicht zur Geometrie: Das Sozialquartier "04" ("Weststadt") gehört in geo/quartiere.gpkg zum Sozialraum "2" (Süd). Erwartet: die sozialraum_id aus der Geometrie geo/quartiere.gpkg (oder die Spalte leer lassen). Meinten Sie "2"? Tipp: die Zuordnung in geo/quartiere.gpkg prüfen, falls dort die Angabe falsch ist.',
    }
)
CASES.update(CASES2)
CASES.update(CASES3)

# Round 2: the red team's cases and the habits of Excel users.
EW = "01;Altstadt;2023;5200"
ZN = "01;Altstadt;2020;sgb2;1040;5200"
ERWARTET_KARTEN = (
    'Erwartet: eine CSV-Tabelle mit den Spalten "veranstaltung_id", "station_id", "frage_id", '
    '"text".'
)


def geo_nan():
    from shapely.geometry import Polygon

    g = quartiere_gdf()
    ring = [(350000, 5705000), (float("nan"), 5705000), (351000, 5706000), (350000, 5705000)]
    with warnings.catch_warnings():  # shapely warns about the NaN it is asked to build
        warnings.simplefilter("ignore")
        g.loc[2, "geometry"] = Polygon(ring)
    return g


def geo_leer(rows=(2,)):
    from shapely.geometry import Polygon

    g = quartiere_gdf()
    for row in rows:
        g.loc[row, "geometry"] = Polygon()
    return g


def geo_weit():
    from shapely.geometry import box

    g = quartiere_gdf()
    g.loc[2, "geometry"] = box(350000, 5705000, 1e300, 1e300)
    return g


def symlink_schleife(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(path.name)


def karten_ersetzen(how):
    """A hook run after the city is written: replace data/karten.csv by ``how(path)``."""

    def hook(root: Path) -> None:
        path = root / "data" / "karten.csv"
        path.unlink()
        how(path)

    return hook


CASES4 = {
    "bev_ew_zu_gross": dict(bevoelkerung=rep(EW, "01;Altstadt;2023;99999999999999999999999999")),
    "bev_ew_int64": dict(bevoelkerung=rep(EW, "01;Altstadt;2023;9223372036854775807")),
    "bev_ew_platzhalter": dict(bevoelkerung=rep(EW, "01;Altstadt;2023;n.v.")),
    "bev_ew_excelfehler": dict(bevoelkerung=rep(EW, "01;Altstadt;2023;#NV")),
    "bev_jahr_apostroph": dict(bevoelkerung=rep(EW, "01;Altstadt;'2023;5200")),
    "bev_komma_kopf": dict(
        bevoelkerung=rep(
            "quartier_id;quartier;jahr;einwohner;quelle;erfunden",
            "quartier_id,quartier,jahr,einwohner,quelle,erfunden",
        )
    ),
    "ind_prozent": dict(indikatoren=rep(ZN, "01;Altstadt;2020;sgb2;12,5 %;5200")),
    "ind_strich": dict(indikatoren=rep(ZN, "01;Altstadt;2020;sgb2;-;5200")),
    "ind_div0": dict(indikatoren=rep(ZN, "01;Altstadt;2020;sgb2;#DIV/0!;5200")),
    "ind_jahr_x": dict(indikatoren=rep(ZN, "01;Altstadt;20x3;sgb2;1040;5200")),
    "ind_jahr_dezimal": dict(indikatoren=rep(ZN, "01;Altstadt;2023.5;sgb2;1040;5200")),
    "ind_nenner_0": dict(indikatoren=rep(ZN, "01;Altstadt;2020;sgb2;0;0")),
    "ind_nenner_gross": dict(indikatoren=rep(ZN, "01;Altstadt;2020;sgb2;1040;99999999")),
    "ev_excel_datum": dict(veranstaltungen=rep("06.09.2023", "45175")),
    "ev_kurzes_jahr": dict(veranstaltungen=rep("06.09.2023", "6.9.23")),
    "ev_ka": dict(veranstaltungen=rep(";88;", ";k.A.;")),
    "ev_dezimal": dict(veranstaltungen=rep(";88;", ";88,5;")),
    "he_excel_datum": dict(handlungsempfehlungen=rep(";15.02.2023", ";44972")),
    "he_jahr_3000": dict(handlungsempfehlungen=rep(";15.02.2023", ";01.01.3000")),
    "ab_anzahl_riesig": dict(abstimmungen=rep(";JA;5;", ";JA;9223372036854775807;")),
    "ab_anzahl_text": dict(abstimmungen=rep(";JA;5;", ";JA;fünf;")),
    "geo_nan": dict(geometrie=geo_nan()),
    "geo_leere_flaeche": dict(geometrie=geo_leer()),
    "geo_weit_draussen": dict(geometrie=geo_weit()),
    "geo_symlink_schleife": dict(geometrie=symlink_schleife),
    "ka_symlink_schleife": dict(nachher=karten_ersetzen(lambda p: p.symlink_to(p.name))),
    "ka_fifo": dict(nachher=karten_ersetzen(os.mkfifo)),
    "ka_ordner": dict(nachher=karten_ersetzen(Path.mkdir)),
    "cfg_notebook_fehlt": dict(
        config=lambda t: t + '\n[bericht]\nnotebook_sozialraum = "../notebooks/bericht.ipynb"\n'
    ),
}
GANZ = "Erwartet: eine ganze Zahl ≥ 0."
DATUM = "Erwartet: ein Datum als JJJJ-MM-TT oder TT.MM.JJJJ (nur Monat: JJJJ-MM oder MM/JJJJ)."
PLATZHALTER = "fehlt der Wert bewusst, das in der Konfiguration sagen: fehlwerte = "
EXPECTED.update(
    {
        "bev_ew_zu_gross": 'data/bevoelkerung.csv, Zeile 3, Spalte "einwohner": "99999999999999999999999999" ist mit 26 Stellen zu groß (höchstens 15 Stellen). '
        + GANZ
        + " Tipp: Tippfehler oder eine Formel statt eines Wertes?",
        "bev_ew_int64": 'data/bevoelkerung.csv, Zeile 3, Spalte "einwohner": "9223372036854775807" ist mit 19 Stellen zu groß (höchstens 15 Stellen). '
        + GANZ
        + " Tipp: Tippfehler oder eine Formel statt eines Wertes?",
        "bev_ew_platzhalter": 'data/bevoelkerung.csv, Zeile 3, Spalte "einwohner": "n.v." ist ein Platzhalter, keine Zahl. '
        + GANZ
        + f' Tipp: {PLATZHALTER}["n.v."] beim Eintrag dieser Datei in [eingaben].',
        "bev_ew_excelfehler": 'data/bevoelkerung.csv, Zeile 3, Spalte "einwohner": "#NV" ist ein Excel-Fehlerwert, keine Zahl. '
        + GANZ
        + " Tipp: die Formel in Excel prüfen und den Wert als Zahl exportieren.",
        "bev_jahr_apostroph": 'data/bevoelkerung.csv, Zeile 3, Spalte "jahr": "\'2023" ist keine Zahl. Erwartet: ein Jahr (ganze Zahl).',
        "bev_komma_kopf": "data/bevoelkerung.csv, Zeile 2: Die Kopfzeile ist mit „,“ getrennt, die Datenzeilen mit „;“. Erwartet: ein Trennzeichen in der ganzen Datei. Tipp: die Kopfzeile mit „;“ trennen oder die Tabelle in Excel neu als CSV speichern.",
        "ind_prozent": 'data/indikatoren.csv, Zeile 2, Spalte "zaehler": "12,5 %" enthält ein Prozentzeichen. '
        + GANZ
        + " Tipp: nur die Zahl eintragen, ohne „%“.",
        "ind_strich": 'data/indikatoren.csv, Zeile 2, Spalte "zaehler": "-" ist ein Platzhalter, keine Zahl. '
        + GANZ
        + f' Tipp: {PLATZHALTER}["-"] beim Eintrag dieser Datei in [eingaben].',
        "ind_div0": 'data/indikatoren.csv, Zeile 2, Spalte "zaehler": "#DIV/0!" ist ein Excel-Fehlerwert, keine Zahl. '
        + GANZ
        + " Tipp: die Formel in Excel prüfen und den Wert als Zahl exportieren.",
        "ind_jahr_x": 'data/indikatoren.csv, Zeile 2, Spalte "jahr": "20x3" ist keine Zahl. Erwartet: ein Jahr (ganze Zahl).',
        "ind_jahr_dezimal": 'data/indikatoren.csv, Zeile 2, Spalte "jahr": "2023.5" ist keine ganze Zahl. Erwartet: ein Jahr (ganze Zahl).',
        "ind_nenner_0": 'data/indikatoren.csv, Zeile 2, Spalte "nenner": Der Nenner ist 0: ein Anteil lässt sich nicht berechnen. Erwartet: eine ganze Zahl > 0. Tipp: hat das Gebiet niemanden in dieser Gruppe, es nicht bewerten: [methode] ausgeschlossen = [{ quartier_id = "01", grund = "…" }].',
        "ind_nenner_gross": 'data/indikatoren.csv, Zeile 2, Spalte "nenner": Warnung: Der Nenner "99999999" ist mehr als 2-mal so groß wie die Einwohnerzahl des Gebiets (5.096 im Jahr 2020). Erwartet: ein Nenner, der ein Teil der Bevölkerung ist. Tipp: Tippfehler oder eine falsche Spalte?',
        "ev_excel_datum": 'data/veranstaltungen.csv, Zeile 2, Spalte "datum": "45175" ist eine Excel-Datumszahl, kein Datum. '
        + DATUM
        + " Tipp: in Excel die Spalte als Datum formatieren (45175 ist der 06.09.2023).",
        "ev_kurzes_jahr": 'data/veranstaltungen.csv, Zeile 2, Spalte "datum": "6.9.23" hat ein zweistelliges Jahr. '
        + DATUM
        + " Tipp: das Jahr vierstellig schreiben, z. B. 06.09.2023.",
        "ev_ka": 'data/veranstaltungen.csv, Zeile 2, Spalte "teilnehmende": "k.A." ist ein Platzhalter, keine Zahl. '
        + GANZ
        + f' Tipp: {PLATZHALTER}["k.A."] beim Eintrag dieser Datei in [eingaben].',
        "ev_dezimal": 'data/veranstaltungen.csv, Zeile 2, Spalte "teilnehmende": "88,5" ist keine ganze Zahl. '
        + GANZ,
        "he_excel_datum": 'data/handlungsempfehlungen.csv, Zeile 3, Spalte "status_datum": "44972" ist eine Excel-Datumszahl, kein Datum. '
        + DATUM
        + " Tipp: in Excel die Spalte als Datum formatieren (44972 ist der 15.02.2023).",
        "he_jahr_3000": 'data/handlungsempfehlungen.csv, Zeile 3, Spalte "status_datum": "01.01.3000" liegt im Jahr 3000, nicht zwischen 1900 und 2199. '
        + DATUM
        + " Tipp: Tippfehler im Jahr?",
        "ab_anzahl_riesig": 'data/abstimmungen.csv, Zeile 2, Spalte "anzahl": "9223372036854775807" ist mit 19 Stellen zu groß (höchstens 15 Stellen). '
        + GANZ
        + " Tipp: Tippfehler oder eine Formel statt eines Wertes?",
        "ab_anzahl_text": 'data/abstimmungen.csv, Zeile 2, Spalte "anzahl": "fünf" ist keine Zahl. '
        + GANZ,
        "geo_nan": 'geo/quartiere.gpkg, Zeile 4, Spalte "geometry": Die Fläche von "Mühlenfeld" hat ungültige Koordinaten (NaN oder unendlich). Erwartet: ein Polygon mit gültigen Koordinaten je Gebiet. Tipp: im GIS die Fläche neu zeichnen oder das Objekt löschen.',
        "geo_leere_flaeche": 'geo/quartiere.gpkg, Zeile 4, Spalte "geometry": Das Objekt "Mühlenfeld" hat keine Fläche (leere Geometrie). Erwartet: ein Polygon mit gültigen Koordinaten je Gebiet. Tipp: im GIS die Fläche neu zeichnen oder das Objekt löschen.',
        "geo_weit_draussen": 'geo/quartiere.gpkg, Zeile 4, Spalte "geometry": Warnung: Die Fläche von "Mühlenfeld" liegt weit außerhalb des Gebiets, für das EPSG:25832 gilt (Koordinaten bis 1e+300). Erwartet: Koordinaten im Gebiet des Koordinatenbezugssystems. Tipp: im GIS die Eckpunkte der Fläche prüfen (ein Tippfehler in einer Koordinate?).',
        "geo_symlink_schleife": "geo/quartiere.gpkg: Die Datei ist ein Verweis (Symlink), der im Kreis auf sich selbst zeigt. Erwartet: eine Geometriedatei. Tipp: den Verweis löschen und die Datei selbst (oder einen Verweis auf sie) ablegen.",
        "ka_symlink_schleife": "data/karten.csv: Die Datei ist ein Verweis (Symlink), der im Kreis auf sich selbst zeigt. "
        + ERWARTET_KARTEN
        + " Tipp: den Verweis löschen und die Datei selbst (oder einen Verweis auf sie) ablegen.",
        "ka_fifo": "data/karten.csv: Der Pfad ist keine gewöhnliche Datei, sondern ein Gerät, eine Pipe oder eine Systemdatei (data/karten.csv). "
        + ERWARTET_KARTEN
        + " Tipp: den Pfad zur exportierten Datei angeben.",
        "ka_ordner": "data/karten.csv: Der Pfad ist ein Ordner, keine Datei. "
        + ERWARTET_KARTEN
        + " Tipp: den Pfad zur Datei angeben.",
        "cfg_notebook_fehlt": "config/stadt.toml, [bericht] notebook_sozialraum: Das Notebook notebooks/bericht.ipynb existiert nicht. Erwartet: der Pfad zu einem Berichts-Notebook, relativ zur Konfiguration. Tipp: den Eintrag löschen, dann nimmt sozialraum die Notebooks des Arbeitsbuchs.",
    }
)
CASES.update(CASES4)
EXPECTED_WARNUNG = {
    "karten_utf16",
    "karten_utf16_ohne_bom",
    "ind_nenner_gross",
    "geo_weit_draussen",
}


def _run(tmp_path: Path, overrides: dict) -> tuple[int, str, Path]:
    overrides = dict(overrides)
    nachher = overrides.pop("nachher", None)
    config = make_city(tmp_path, **overrides)
    if nachher is not None:
        nachher(tmp_path)
    out = tmp_path / "berichte"
    before = sorted(p for p in tmp_path.rglob("*"))
    result = CliRunner().invoke(main, ["render", "--config", str(config), "--out", str(out)])
    after = sorted(p for p in tmp_path.rglob("*"))
    assert after == before, f"new files: {sorted(set(after) - set(before))}"
    return result.exit_code, result.output.replace(f"{tmp_path}/", ""), out


@pytest.mark.parametrize("name", sorted(set(EXPECTED) - EXPECTED_WARNUNG))
def test_bad_input_gives_its_message_and_writes_nothing(tmp_path, name):
    code, output, out = _run(tmp_path, CASES[name])
    assert code == 1, output
    lines = [line.strip().removeprefix("- ") for line in output.splitlines()]
    assert EXPECTED[name] in lines, output
    assert "Traceback" not in output
    assert not out.exists()


@pytest.mark.parametrize("name", sorted(EXPECTED_WARNUNG))
def test_warned_input_is_read(tmp_path, name):
    from sozialraum.config import load_config
    from sozialraum.read.validate import validate

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no geopandas, shapely or pandas text for the analyst
        report = validate(load_config(make_city(tmp_path, **CASES[name])))
    assert report.ok, report.text()
    assert EXPECTED[name] in [str(p) for p in report.problems]
    assert len(report.inputs.karten) == 2  # every card read
    assert "Verteilung in Kita" in set(report.inputs.karten["text"])


def test_corpus_is_large_enough():
    assert len(CASES) >= 90
    assert set(CASES) == set(EXPECTED)


def _overlapping():
    from shapely.geometry import box

    g = quartiere_gdf()
    x0, y0, x1, y1 = g.geometry.iloc[1].bounds
    g.loc[1, "geometry"] = box(x0 - 200, y0, x1, y1)  # Lirich-Süd reaches 200 m into Altstadt
    return g


def _gap():
    g = quartiere_gdf()
    g.loc[3, "geometry"] = g.geometry.iloc[3].difference(
        g.geometry.iloc[3].centroid.buffer(100)  # a hole in Weststadt, part of no Quartier
    )
    return g


@pytest.mark.parametrize(
    ("geometrie", "expected"),
    [
        (
            _overlapping,
            'geo/quartiere.gpkg, Zeile 2, Spalte "geometry": Warnung: Die Flächen von '
            '"Altstadt" und "Lirich-Süd" überlappen sich (20,0 ha). Erwartet: Flächen, '
            "die sich höchstens an den Grenzen berühren. Tipp: im GIS prüfen (QGIS: Vektor → "
            "Geometriewerkzeuge → Topologieprüfung).",
        ),
        (
            _gap,
            'geo/quartiere.gpkg, Spalte "geometry": Warnung: Zwischen "Weststadt" liegt eine '
            "Lücke von 3,1 ha, die zu keinem Gebiet gehört. Erwartet: Flächen ohne Lücken "
            "zwischen Nachbarn. Tipp: im GIS prüfen, ob dort eine Fläche fehlt oder Grenzen nicht "
            "aufeinander liegen.",
        ),
    ],
)
def test_overlaps_and_gaps_are_warned_with_the_quartiere_named(tmp_path, geometrie, expected):
    from sozialraum.config import load_config
    from sozialraum.read.validate import validate

    report = validate(load_config(make_city(tmp_path, geometrie=geometrie())))
    assert expected in [str(p) for p in report.problems], report.text()


def _validate_ohne_warnungen(config: Path):
    from sozialraum.config import load_config
    from sozialraum.read.validate import validate

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a library's English warning would reach the analyst
        return validate(load_config(config))


def test_every_empty_geometry_is_one_german_line_and_no_library_warning(tmp_path):
    report = _validate_ohne_warnungen(make_city(tmp_path, geometrie=geo_leer(rows=(1, 3))))
    lines = [str(p) for p in report.problems]
    assert not report.ok
    assert [line for line in lines if "keine Fläche" in line] == [
        f'geo/quartiere.gpkg, Zeile {z}, Spalte "geometry": Das Objekt "{name}" hat keine Fläche '
        "(leere Geometrie). Erwartet: ein Polygon mit gültigen Koordinaten je Gebiet. Tipp: im GIS "
        "die Fläche neu zeichnen oder das Objekt löschen."
        for z, name in ((3, "Lirich-Süd"), (5, "Weststadt"))
    ]


def test_a_date_out_of_range_does_not_hide_the_other_errors_of_its_file(tmp_path):
    def edit(text: str) -> str:
        return text.replace(";15.02.2023", ";01.01.3000").replace(";offen;", ";fertig;")

    report = _validate_ohne_warnungen(make_city(tmp_path, handlungsempfehlungen=edit))
    lines = [str(p) for p in report.problems]
    assert EXPECTED["he_jahr_3000"] in lines
    assert EXPECTED["he_status"] in lines


def test_a_file_of_proc_as_input_is_named(tmp_path):
    config = make_city(tmp_path)
    karten = tmp_path / "data" / "karten.csv"
    karten.unlink()
    karten.symlink_to("/proc/self/mem")
    before = sorted(tmp_path.rglob("*"))
    result = CliRunner().invoke(main, ["render", "--config", str(config)])
    assert result.exit_code == 1
    assert sorted(tmp_path.rglob("*")) == before
    ziel = os.path.realpath("/proc/self/mem")
    shown = os.path.relpath(ziel, tmp_path)
    assert (
        f"{shown}: Der Pfad ist keine gewöhnliche Datei, sondern ein Gerät, eine Pipe oder eine "
        f"Systemdatei ({ziel}). {ERWARTET_KARTEN} Tipp: den Pfad zur exportierten Datei angeben."
    ) in [line.strip().removeprefix("- ") for line in result.output.splitlines()]


def test_file_size_limit_is_a_german_message_naming_the_file(tmp_path):
    """``ulimit -f`` hit while writing: Python ignores SIGXFSZ, the write fails with EFBIG."""
    import subprocess
    import sys

    target = tmp_path / "bericht.html"
    code = (
        "import resource, sys\n"
        "from pathlib import Path\n"
        "from sozialraum.publish.ausgabe import os_meldung, write_atomic\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (1000, resource.RLIM_INFINITY))\n"
        "try:\n"
        f"    write_atomic(Path({str(target)!r}), 'x' * 5000)\n"
        "except OSError as exc:\n"
        f"    print(os_meldung(exc, {str(target)!r}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.strip() == (
        f"{target}: Die Datei wird größer, als erlaubt ist (Grenze für die Dateigröße, ulimit -f). "
        "Tipp: die Grenze aufheben (ulimit -f unlimited) oder mit --out einen anderen Datenträger "
        "wählen."
    ), proc.stderr
    assert list(tmp_path.iterdir()) == []  # no torn file, no temporary file
