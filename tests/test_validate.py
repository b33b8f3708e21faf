"""Each test breaks one thing in the mini city and asserts the analyst's message."""

from pathlib import Path

import pytest
from fixtures_city import make_city, quartiere_gdf
from shapely.geometry import Polygon

from sozialraum.config import load_config
from sozialraum.read.validate import ValidationFailed, load_inputs, validate

ROOT = Path(__file__).resolve().parents[1]


def run(tmp_path, **overrides):
    return validate(load_config(make_city(tmp_path, **overrides)))


def one(report, *parts, schwere="Fehler"):
    """The single problem whose text contains all ``parts``."""
    hits = [p for p in report.problems if p.schwere == schwere and all(s in str(p) for s in parts)]
    assert len(hits) == 1, "\n".join(str(p) for p in report.problems)
    return hits[0]


def replace(old, new):
    return lambda text: text.replace(old, new, 1)


# -- the good city --------------------------------------------------------------------------
def test_mini_city_is_valid_with_summary(tmp_path):
    report = run(tmp_path)
    assert report.ok and not report.problems
    assert report.summary == (
        "2 Sozialräume, 4 Sozialquartiere, Jahre 2020, 2023, 2 Veranstaltungen, 19 Stimmen, "
        "2 Karten, 6 Feedbackwörter, 2 Handlungsempfehlungen"
    )


def test_load_inputs_types_ids_and_provenance(tmp_path):
    inputs = load_inputs(load_config(make_city(tmp_path)))
    assert inputs.quartiere.crs.to_epsg() == 25832
    assert inputs.bevoelkerung["quartier_id"].iloc[0] == "01"
    assert str(inputs.bevoelkerung["einwohner"].dtype) == "Int64"  # empty where declared missing
    ind = inputs.indikatoren.set_index(["quartier_id", "jahr", "indikator"])
    assert ind.loc[("01", 2023, "sgb2"), "anteil"] == pytest.approx(1040 / 5200 * 100)
    ev = inputs.veranstaltungen.set_index("veranstaltung_id")
    assert ev.loc["2023-sued", "datum_genauigkeit"] == "monat"
    assert ev.loc["2023-nord", "datum"].strftime("%d.%m.%Y") == "06.09.2023"
    assert inputs.handlungsempfehlungen["quartier_ids"].iloc[0] == ["01", "02"]
    assert "Vernetzung" in set(inputs.feedback["wort"])
    assert inputs.erfunden
    # keyed like the paths in the config: relative to the config file, not to the working dir
    assert "../data/bevoelkerung.csv" in inputs.checksums
    assert "../data/mentimeter/2023-nord.xlsx" in inputs.checksums
    assert len(inputs.checksums["../geo/quartiere.gpkg"]) == 64


def test_name_only_statistics_match_after_normalising(tmp_path):
    def names_only(text):
        lines = [line.split(";", 1)[1] for line in text.splitlines()]
        return "\n".join(lines).replace("Lirich-Süd", "Lirich Sued") + "\n"

    report = run(tmp_path, bevoelkerung=names_only)
    assert report.ok, report.text()
    assert set(report.inputs.bevoelkerung["quartier_id"]) == {"01", "02", "03", "04"}


def test_windows_1252_umlauts_are_read(tmp_path):
    text = make_city(tmp_path / "a").parent.parent.joinpath("data/bevoelkerung.csv").read_text()
    report = run(tmp_path / "b", bevoelkerung=text.encode("cp1252"))
    assert report.ok, report.text()
    assert "Lirich-Süd" in text


def test_windows_1252_misspelt_umlaut_name_in_message(tmp_path):
    text = "quartier;jahr;einwohner\nLirch-Süd;2023;10\n"
    report = run(tmp_path, bevoelkerung=text.encode("cp1252"))
    p = one(report, '"Lirch-Süd" ist kein bekanntes Sozialquartier')
    assert (p.zeile, p.spalte, p.vorschlag) == (2, "quartier", "Lirich-Süd")


def test_second_city_validates_with_its_own_names(tmp_path):
    gdf = quartiere_gdf()
    gdf["quartier"] = ["Hafen", "Lirich-Süd", "Mühlenfeld", "Weststadt"]
    report = run(
        tmp_path,
        geometrie=gdf,
        bevoelkerung=lambda t: t.replace("Altstadt", "Hafen"),
        indikatoren=lambda t: t.replace("Altstadt", "Hafen"),
    )
    assert report.ok, report.text()


# -- bad files: each asserts file, row, column, value and suggestion --------------------------
def test_misspelt_quartier_with_suggestion(tmp_path):
    report = run(tmp_path, indikatoren=replace("02;Lirich-Süd;2020;sgb2", ";Lirch-Süd;2020;sgb2"))
    p = one(report, "Lirch-Süd")
    assert str(p) == (
        'data/indikatoren.csv, Zeile 6, Spalte "quartier": "Lirch-Süd" ist kein bekanntes '
        "Sozialquartier. Erwartet: ein Name aus der Geometrie geo/quartiere.gpkg. "
        'Meinten Sie "Lirich-Süd"?'
    )
    assert not report.ok and report.inputs is None


def test_unknown_quartier_without_suggestion(tmp_path):
    report = run(tmp_path, bevoelkerung=replace("03;Mühlenfeld;2020", ";Atlantis;2020"))
    p = one(report, '"Atlantis" ist kein bekanntes Sozialquartier')
    assert (p.datei, p.zeile, p.wert, p.vorschlag) == ("data/bevoelkerung.csv", 6, "Atlantis", None)


def test_quartier_missing_from_geometry(tmp_path):
    report = run(tmp_path, bevoelkerung=lambda t: t + "05;Neustadt;2023;800;Test;ja\n")
    p = one(report, 'Das Sozialquartier "05" ("Neustadt") fehlt in der Geometrie geo/quartiere')
    assert (p.zeile, p.spalte, p.wert) == (10, "quartier_id", "05")


def test_quartier_id_without_leading_zero_suggests_the_id(tmp_path):
    report = run(tmp_path, bevoelkerung=replace("04;Weststadt;2020", "4;;2020"))
    p = one(report, '"4"', "fehlt in der Geometrie")
    assert p.vorschlag == "04"


def test_quartier_missing_from_statistics(tmp_path):
    def drop(text):
        return "".join(
            line for line in text.splitlines(True) if not line.startswith("03;Mühlenfeld;2020")
        )

    report = run(tmp_path, bevoelkerung=drop)
    p = one(report, 'Das Sozialquartier "Mühlenfeld" (ID 03) fehlt für 2020')
    assert p.datei == "data/bevoelkerung.csv" and p.zeile is None


def test_indicator_value_missing_for_a_quartier(tmp_path):
    def drop(text):
        return "".join(
            line
            for line in text.splitlines(True)
            if not line.startswith("04;Weststadt;2023;kinderarmut")
        )

    report = run(tmp_path, indikatoren=drop)
    one(report, '"Weststadt" (ID 04) fehlt für 2023 beim Indikator "kinderarmut"')


def test_id_and_name_disagree_between_files(tmp_path):
    report = run(tmp_path, bevoelkerung=replace("01;Altstadt;2023", "01;Weststadt;2023"))
    # The id wins (Berlin's tables and geometry swap two names): a warning, not a stop.
    p = one(report, "ID und Name widersprechen sich", schwere="Warnung")
    assert '"01" ist in geo/quartiere.gpkg "Altstadt"' in str(p)
    assert 'der Name "Weststadt" gehört dort zur ID "04"; verwendet wird die ID' in str(p)
    assert (p.zeile, p.spalte, p.vorschlag) == (3, "quartier", "Altstadt")
    assert report.ok


def test_duplicate_rows(tmp_path):
    report = run(tmp_path, bevoelkerung=lambda t: t + "02;Lirich Sued;2023;4100;Test;ja\n")
    p = one(report, "Doppelte Zeile")
    assert "quartier_id = 02, jahr = 2023 steht schon in Zeile 5" in str(p)
    assert p.zeile == 10


def test_numerator_larger_than_denominator(tmp_path):
    report = run(
        tmp_path,
        indikatoren=replace("01;Altstadt;2020;sgb2;1040;5200", "01;Altstadt;2020;sgb2;6000;5200"),
    )
    p = one(report, 'Der Zähler "6000" ist größer als der Nenner "5200"')
    assert (p.datei, p.zeile, p.spalte) == ("data/indikatoren.csv", 2, "zaehler")


def test_negative_count(tmp_path):
    report = run(tmp_path, bevoelkerung=replace("5200;Test", "-5;Test"))
    p = one(report, '"-5" ist negativ')
    assert (p.zeile, p.spalte, p.erwartet) == (3, "einwohner", "eine ganze Zahl ≥ 0")


def test_non_numeric_count(tmp_path):
    report = run(tmp_path, abstimmungen=replace(";JA;5;", ";JA;fünf;"))
    p = one(report, '"fünf" ist keine Zahl')
    assert (p.datei, p.zeile, p.spalte) == ("data/abstimmungen.csv", 2, "anzahl")


def test_vote_count_not_a_whole_number(tmp_path):
    report = run(tmp_path, abstimmungen=replace(";NEIN;3;", ";NEIN;2,5;"))
    p = one(report, '"2,5" ist keine ganze Zahl')
    assert (p.zeile, p.spalte) == (3, "anzahl")


def test_wrong_decimal_separator(tmp_path):
    # the file uses decimal commas (German Excel); one value was typed with a point
    def anteil(text):
        text = text.replace(";;Test", ";12,5;Test")
        return text.replace(
            "01;Altstadt;2023;sgb2;1040;5200;12,5", "01;Altstadt;2023;sgb2;1040;5200;20.5"
        )

    report = run(tmp_path, indikatoren=anteil)
    p = one(report, '"20.5" hat das falsche Dezimaltrennzeichen')
    assert (p.zeile, p.spalte) == (4, "anteil")
    assert p.hinweis == 'Dezimalkomma verwenden: "20,5"'


def test_missing_column_with_suggestion(tmp_path):
    report = run(tmp_path, indikatoren=replace("zaehler", "Zaeler"))
    p = one(report, 'Die Spalte "zaehler" fehlt')
    assert '"Zaeler"' in p.meldung and p.vorschlag == "Zaeler" and p.zeile == 1


def test_umlaut_header_is_accepted(tmp_path):
    report = run(tmp_path, indikatoren=replace("zaehler;nenner", "Zähler;Nenner"))
    assert report.ok, report.text()


def test_empty_file(tmp_path):
    report = run(tmp_path, karten="")
    p = one(report, "data/karten.csv", "Die Datei ist leer")
    assert '"veranstaltung_id"' in p.erwartet and '"text"' in p.erwartet


def test_file_that_is_not_csv(tmp_path):
    report = run(tmp_path, stationen=b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    p = one(report, "data/stationen.csv", "keine CSV-Datei, sondern ein PDF-Dokument")
    assert '"station_id"' in p.erwartet


def test_text_without_delimiter_is_not_a_table(tmp_path):
    report = run(tmp_path, fragen="Bitte die Fragen hier eintragen\nDanke\n")
    p = one(report, "data/fragen.csv", "kein Trennzeichen")
    assert p.zeile == 1 and '"frage_id", "runde", "frage", "typ"' in p.erwartet


@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::RuntimeWarning")
def test_geometry_without_crs(tmp_path):
    def write(path):
        quartiere_gdf().set_crs(None, allow_override=True).to_file(path)
        path.with_suffix(".prj").unlink(missing_ok=True)

    report = run(tmp_path, geometrie=write, geometrie_datei="geo/quartiere.shp")
    p = one(report, "geo/quartiere.shp", "kein Koordinatenbezugssystem")
    assert "EPSG:25832 setzen, z. B. in QGIS" in p.hinweis


def test_self_intersecting_polygon_is_repaired_with_warning(tmp_path):
    gdf = quartiere_gdf()
    gdf.loc[2, "geometry"] = Polygon(
        [(350000, 5705000), (351000, 5706000), (351000, 5705000), (350000, 5706000)]
    )
    report = run(tmp_path, geometrie=gdf)
    p = one(report, 'Das Polygon von "Mühlenfeld" ist ungültig', schwere="Warnung")
    assert p.zeile == 4 and "repariert" in str(p)
    assert report.ok and report.inputs.quartiere.geometry.is_valid.all()


def test_event_for_sozialraum_that_does_not_exist(tmp_path):
    report = run(tmp_path, veranstaltungen=replace("2023-sued;2;", "2023-sued;Sued;"))
    p = one(report, '"Sued" ist kein Sozialraum der Konfiguration')
    assert (p.datei, p.zeile, p.spalte, p.vorschlag) == (
        "data/veranstaltungen.csv",
        3,
        "sozialraum_id",
        "2",
    )
    assert "1 (Nord), 2 (Süd)" in p.erwartet


def test_date_that_is_not_a_date(tmp_path):
    report = run(tmp_path, veranstaltungen=replace("06.09.2023", "im Herbst"))
    p = one(report, '"im Herbst" ist kein Datum')
    assert (p.zeile, p.spalte) == (2, "datum") and "TT.MM.JJJJ" in p.erwartet


def test_date_that_does_not_match_the_config(tmp_path):
    report = run(tmp_path, veranstaltungen=replace("06.09.2023", "07.09.2023"))
    p = one(report, "Das Datum passt nicht zum Termin der Konfiguration")
    assert "Nord, Runde 2: 06.09.2023" in str(p) and p.wert == "07.09.2023"


def test_vote_for_unknown_offer_and_wrong_answer(tmp_path):
    report = run(
        tmp_path,
        abstimmungen=lambda t: t.replace(
            "r2-sport-verein;r2-kennen;JA", "r2-sport-vereim;r2-kennen;JA"
        ).replace("r2-sport-verein;r2-kennen;NEIN", "r2-sport-verein;r2-kennen;VIELLEICHT"),
    )
    p = one(report, '"r2-sport-vereim" kommt in data/angebote.csv nicht vor')
    assert (p.zeile, p.spalte, p.vorschlag) == (4, "angebot_id", "r2-sport-verein")
    p = one(report, '"VIELLEICHT" ist keine Antwort auf eine Frage vom Typ ja_nein')
    assert p.zeile == 5 and p.erwartet == "JA oder NEIN"


def test_empty_card_text(tmp_path):
    report = run(tmp_path, karten=replace("Verteilung in Kita", ""))
    p = one(report, "data/karten.csv", "Der Wert fehlt")
    assert (p.zeile, p.spalte) == (2, "text")


def test_unknown_status_and_quartier_in_handlungsempfehlungen(tmp_path):
    report = run(
        tmp_path,
        handlungsempfehlungen=lambda t: t.replace(";offen;", ";erledigt;").replace(
            "Lirich Sued", "Lirich Sud"
        ),
    )
    one(report, '"erledigt" ist kein Status')
    p = one(report, '"Lirich Sud" ist kein bekanntes Sozialquartier')
    assert p.vorschlag == "Lirich-Süd" and p.spalte == "quartiere"


def test_mentimeter_question_not_found(tmp_path):
    report = run(tmp_path, config=replace("Formulieren Sie in 1-2 Worten", "Wie fanden Sie"))
    p = one(report, "data/mentimeter/2023-nord.xlsx", 'Keine Frage beginnt mit "Wie fanden Sie')
    assert "Formulieren Sie in 1–2 Worten Ihr Feedback" in str(p)


def test_duplicate_id_in_events(tmp_path):
    report = run(tmp_path, veranstaltungen=replace("2023-sued;2;", "2023-nord;2;"))
    p = one(report, 'Doppelter Wert "2023-nord": steht schon in Zeile 2')
    assert (p.datei, p.zeile, p.spalte) == ("data/veranstaltungen.csv", 3, "veranstaltung_id")


def test_year_and_indicator_not_in_config(tmp_path):
    report = run(
        tmp_path,
        indikatoren=lambda t: t.replace("01;Altstadt;2020;sgb2", "01;Altstadt;2021;sgb2").replace(
            "02;Lirich-Süd;2023;kinderarmut", "02;Lirich-Süd;2023;kinderarmt"
        ),
    )
    p = one(report, '"2021" ist kein Jahr der Methode')
    assert p.zeile == 2 and p.erwartet == "ein Jahr aus methode.jahre: 2020, 2023"
    p = one(report, '"kinderarmt" ist kein Indikator der Konfiguration')
    assert (p.zeile, p.vorschlag) == (9, "kinderarmut")


def test_comma_separated_file_with_unquoted_decimal_commas(tmp_path):
    text = "veranstaltung_id,wort\n2023-sued,gut\n2023-sued,1,5 Stunden\n"
    report = run(tmp_path, feedback=text)
    p = one(report, "data/feedback.csv", "Die Zeile hat 3 Felder, die Kopfzeile nur 2")
    assert p.zeile == 3 and "Anführungszeichen" in p.hinweis


def test_all_problems_in_one_run_and_exception_lists_them(tmp_path):
    cfg = load_config(
        make_city(
            tmp_path,
            bevoelkerung=replace("5200;Test", "-5;Test"),
            abstimmungen=replace(";JA;5;", ";JA;fünf;"),
            veranstaltungen=replace("06.09.2023", "im Herbst"),
        )
    )
    with pytest.raises(ValidationFailed) as err:
        load_inputs(cfg)
    assert len(err.value.problems) == 3
    text = str(err.value)
    assert text.startswith("Die Eingabedaten haben 3 Fehler:")
    assert '"-5" ist negativ' in text and '"fünf"' in text and '"im Herbst"' in text


def test_sample_data_of_the_project_is_valid(cfg):
    if not (ROOT / "data" / "bevoelkerung.csv").exists():
        pytest.skip("sample data not generated")
    report = validate(cfg)
    assert report.ok, report.text()
    assert report.summary.startswith("6 Sozialräume, 27 Sozialquartiere, Jahre 2017, 2020, 2023")


# -- the optional sozialraum_id column of the statistics ---------------------------------------
def _with_sozialraum(text, value_for=None):
    """Add sozialraum_id after quartier, as the sample data have it; ``value_for`` overrides."""
    sr = {"01": "1", "02": "1", "03": "2", "04": "2"}
    lines = text.splitlines()
    out = [lines[0].replace("quartier;", "quartier;sozialraum_id;", 1)]
    for line in lines[1:]:
        qid, name, rest = line.split(";", 2)
        out.append(f"{qid};{name};{(value_for or {}).get(line, sr[qid])};{rest}")
    return "\n".join(out) + "\n"


def test_sozialraum_column_that_agrees_with_the_geometry_is_valid(tmp_path):
    report = run(tmp_path, bevoelkerung=_with_sozialraum, indikatoren=_with_sozialraum)
    assert report.ok and not report.problems, report.text()
    # the geometry stays the authority: the loaded frames are the same as without the column
    plain = run(tmp_path / "plain")
    assert report.inputs.bevoelkerung.equals(plain.inputs.bevoelkerung)


def test_sozialraum_column_with_a_name_instead_of_the_id(tmp_path):
    def names(text):
        return _with_sozialraum(text, {"01;Altstadt;2023;5200;Test;ja": "Nord"})

    report = run(tmp_path, bevoelkerung=names)
    p = one(report, "data/bevoelkerung.csv", 'Spalte "sozialraum_id"')
    assert p.zeile == 3 and p.wert == "Nord" and p.vorschlag == "1"


def test_sozialraum_column_may_stay_empty_in_some_rows(tmp_path):
    def blank(text):
        return _with_sozialraum(text, {"03;Mühlenfeld;2020;8134;Test;ja": ""})

    report = run(tmp_path, bevoelkerung=blank)
    assert report.ok and not report.problems, report.text()


# -- proposed exclusions ----------------------------------------------------------------------
def _zero(qid, cols):
    """Edit of a statistics text: every value of ``qid`` in 2023 in ``cols`` becomes 0."""

    def edit(text):
        lines = text.splitlines()
        head = lines[0].split(";")
        out = [lines[0]]
        for line in lines[1:]:
            cells = line.split(";")
            if cells[0] == qid and cells[head.index("jahr")] == "2023":
                for c in cols:
                    cells[head.index(c)] = "0"
            out.append(";".join(cells))
        return "\n".join(out) + "\n"

    return edit


def test_an_area_without_inhabitants_is_proposed_for_exclusion(tmp_path):
    report = run(
        tmp_path,
        bevoelkerung=_zero("04", ["einwohner"]),
        config=replace("vergleichsjahr = 2020", "vergleichsjahr = 2020\nmindestbevoelkerung = 0"),
    )
    assert report.ok
    p = one(report, "hat 2023 keine Einwohner*innen", schwere="Warnung")
    assert p.hinweis == (
        'das Gebiet ausschließen: [methode] ausgeschlossen = [{ quartier_id = "04", '
        'grund = "keine Einwohner" }]'
    )


def test_an_area_whose_values_are_all_zero_is_proposed_for_exclusion(tmp_path):
    report = run(tmp_path, indikatoren=_zero("03", ["zaehler"]))
    p = one(report, "bei jedem Indikator den Wert 0", schwere="Warnung")
    assert p.wert == "03"
    assert 'quartier_id = "03", grund = "alle Werte 0"' in p.hinweis
    # once excluded, no proposal is left
    listed = replace(
        "vergleichsjahr = 2020",
        'vergleichsjahr = 2020\nausgeschlossen = [{ quartier_id = "03", grund = "alle 0" }]',
    )
    again = run(tmp_path / "b", indikatoren=_zero("03", ["zaehler"]), config=listed)
    assert not [p for p in again.problems if "Wert 0" in p.meldung]


def test_geometry_without_statistics_gets_the_exclusion_line(tmp_path):
    def without_04(text):
        return "".join(line + "\n" for line in text.splitlines() if not line.startswith("04;"))

    report = run(tmp_path, bevoelkerung=without_04)
    p = one(report, "(ID 04) fehlt für 2023")
    assert 'ausgeschlossen = [{ quartier_id = "04", grund = "keine Statistik" }]' in p.hinweis


def test_statistics_without_geometry_excluded_in_the_config_are_left_out(tmp_path):
    g = quartiere_gdf().iloc[:3]
    report = run(tmp_path, geometrie=g)
    p = [x for x in report.fehler if '"04" ("Weststadt") fehlt in der Geometrie' in x.meldung][0]
    assert 'ausgeschlossen = [{ quartier_id = "04", grund = "ohne Geometrie" }]' in p.hinweis
    listed = replace(
        "vergleichsjahr = 2020",
        'vergleichsjahr = 2020\nausgeschlossen = [{ quartier_id = "04", grund = "ohne Fläche" }]',
    )
    # the Handlungsempfehlungen name no area 04, so the city is valid without it
    again = run(tmp_path / "b", geometrie=g, config=listed)
    assert again.ok, again.text()
    assert "04" not in set(again.inputs.indikatoren["quartier_id"])
    assert "04" not in set(again.inputs.bevoelkerung["quartier_id"])
    ignored = [p for p in again.warnungen if "die Zeile wird nicht verwendet" in p.meldung]
    assert len(ignored) == 6  # 2 population rows, 4 indicator rows, each named


def test_a_city_with_only_a_published_index_has_an_empty_indicator_frame(tmp_path):
    from stadtgenerator import Stadt, write_city

    cfg = load_config(
        write_city(Stadt(areas=9, units=2, index="klasse", indikatoren=False), tmp_path)
    )
    report = validate(cfg)
    assert report.ok, report.text()
    assert not any("ndikator" in p.meldung for p in report.problems)
    ind = report.inputs.indikatoren
    assert ind.empty
    assert {"quartier_id", "jahr", "indikator", "zaehler", "nenner", "anteil"} <= set(ind.columns)
    assert report.inputs.index is not None and len(report.inputs.index) == 9
