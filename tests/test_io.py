import datetime as dt

import geopandas as gpd
import pytest
from fixtures_city import MENTIMETER_SLIDES, quartiere_gdf
from mentimeter_export import write_mentimeter_export
from openpyxl import Workbook, load_workbook
from shapely.geometry import Polygon

from sozialraum.read.geometry import read_geometry
from sozialraum.read.io import read_table
from sozialraum.read.mentimeter import MentimeterError, read_mentimeter, read_mentimeter_words
from sozialraum.read.problems import ReadError
from sozialraum.read.values import parse_date, parse_number


# -- CSV detection --------------------------------------------------------------------------
def test_german_excel_csv_semicolon_decimal_comma_cp1252(tmp_path):
    p = tmp_path / "t.csv"
    p.write_bytes(
        "Quartier;Anteil\r\nLirich-Süd;12,5\r\nBrücktorviertel;1.234,5\r\n".encode("cp1252")
    )
    raw = read_table(p)
    assert (raw.encoding, raw.delimiter, raw.decimal) == ("cp1252", ";", ",")
    assert raw.df["quartier"].tolist() == ["Lirich-Süd", "Brücktorviertel"]
    assert raw.zeilen == [2, 3]
    assert parse_number("1.234,5", raw.decimal).value == 1234.5


def test_utf8_bom_comma_decimal_point(tmp_path):
    p = tmp_path / "t.csv"
    p.write_bytes("\ufeffquartier_id,anteil\n01,12.5\n02,3.25\n".encode())
    raw = read_table(p)
    assert (raw.encoding, raw.delimiter, raw.decimal) == ("utf-8", ",", ".")
    assert list(raw.df.columns) == ["quartier_id", "anteil"]
    assert raw.df["quartier_id"].tolist() == ["01", "02"]  # leading zeros kept


def test_blank_lines_are_skipped_but_row_numbers_stay_excel_rows(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("a;b\n1;2\n;\n\n3;4\n", encoding="utf-8")
    raw = read_table(p)
    assert raw.df["a"].tolist() == ["1", "3"] and raw.zeilen == [2, 5]


def test_xlsx_first_sheet_as_text(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["Quartier ID", "Jahr", "Datum"])
    ws.append(["01", 2023, dt.datetime(2023, 9, 6)])
    p = tmp_path / "t.xlsx"
    wb.save(p)
    raw = read_table(p)
    assert raw.df.iloc[0].tolist() == ["01", "2023", "2023-09-06"]


def test_parse_number_reports_wrong_separator_with_hint():
    bad = parse_number("1.5", ",")
    assert bad.value is None and "Dezimaltrennzeichen" in bad.fehler and '"1,5"' in bad.hinweis
    assert parse_number("12,5", ".").hinweis == 'Dezimalpunkt verwenden: "12.5"'
    assert parse_number("abc", ",").fehler == "ist keine Zahl"


def test_parse_date_formats_and_precision():
    assert parse_date("06.09.2023").value[1] == "tag"
    assert parse_date("2019-11").value == (parse_date("11/2019").value[0], "monat")
    assert parse_date("31.02.2023").fehler.startswith("ist kein gültiges Datum")
    assert parse_date("2019-11", month_ok=False).fehler == "ist kein Datum"


# -- geometry -------------------------------------------------------------------------------
def test_geometry_in_wgs84_is_transformed(tmp_path):
    p = tmp_path / "q.geojson"
    quartiere_gdf().to_crs("EPSG:4326").to_file(p)
    gdf, notes = read_geometry(p, "EPSG:25832")
    assert gdf.crs.to_epsg() == 25832 and not notes
    assert abs(gdf.geometry.iloc[0].area - 1_000_000) < 50


def test_bowtie_is_repaired_with_a_warning_naming_the_quartier(tmp_path):
    gdf = quartiere_gdf()
    gdf.loc[1, "geometry"] = Polygon(
        [(350000, 5705000), (351000, 5706000), (351000, 5705000), (350000, 5706000)]
    )
    p = tmp_path / "q.gpkg"
    gdf.to_file(p)
    out, notes = read_geometry(p, "EPSG:25832")
    assert out.geometry.is_valid.all()
    assert out.geometry.iloc[1].geom_type in ("Polygon", "MultiPolygon")
    assert len(notes) == 1 and notes[0].schwere == "Warnung"
    assert "Lirich-Süd" in str(notes[0]) and "Self-intersection" in str(notes[0])


# -- Mentimeter ----------------------------------------------------------------------------
def test_mentimeter_writer_follows_the_export_layout(tmp_path):
    p = write_mentimeter_export(
        tmp_path / "m.xlsx", MENTIMETER_SLIDES, voters=[1, 2, 3], date_header="Date (UTC)"
    )
    wb = load_workbook(p)
    assert wb.sheetnames == ["Voters", "Session 1"]
    voters = list(wb["Voters"].iter_rows(values_only=True))
    assert voters[0][0] and voters[1][0]  # notes in A1 and A2
    assert voters[2][:3] == ("Date (UTC)", "Session", "Voter")
    assert voters[2][4] == "Formulieren Sie in 1–2 Worten Ihr Feedback:"
    assert voters[3][4] == "toll gute_Gespräche"
    assert voters[4][3] == "Nein" and voters[5][4] is None
    col_a = [r[0] for r in wb["Session 1"].iter_rows(values_only=True)]
    assert col_a[:6] == ["Question 1", "Date", "Session", "Type", "Question", "Respondents"]
    assert col_a[7] == "Choices"
    first_block_end = col_a.index("Question 2")
    assert col_a[first_block_end - 3 : first_block_end] == [None, None, None]


def test_read_mentimeter_words_from_voters_sheet(tmp_path):
    p = write_mentimeter_export(tmp_path / "m.xlsx", MENTIMETER_SLIDES, voters=[1, 2, 3, 4])
    words = read_mentimeter_words(p, "formulieren sie in 1-2 worten")
    assert words["wort"].tolist() == ["toll", "gute Gespräche", "informativ", "Vernetzung"]
    assert words["voter"].tolist() == ["1", "1", "2", "4"]


def test_read_mentimeter_falls_back_to_session_sheet(tmp_path):
    p = write_mentimeter_export(tmp_path / "m.xlsx", MENTIMETER_SLIDES)
    wb = load_workbook(p)
    del wb["Voters"]
    wb.save(p)
    words = read_mentimeter_words(p, "Formulieren Sie")
    assert sorted(words["wort"]) == sorted(["toll", "gute Gespräche", "informativ", "Vernetzung"])


def test_mentimeter_structure_and_no_votes(tmp_path):
    slides = [*MENTIMETER_SLIDES, {"type": "open", "question": "Was fehlt?", "responses": {}}]
    export = read_mentimeter(write_mentimeter_export(tmp_path / "m.xlsx", slides))
    assert [s.typ for s in export.slides] == ["choices", "wordcloud", "open"]
    assert export.slides[0].ergebnis.set_index("Choices")["Votes"].to_dict() == {"Ja": 2, "Nein": 1}
    assert export.slides[1].respondents == 3 and export.slides[2].antworten == ()


def test_unknown_question_lists_the_questions_found(tmp_path):
    p = write_mentimeter_export(tmp_path / "m.xlsx", MENTIMETER_SLIDES)
    with pytest.raises(MentimeterError) as err:
        read_mentimeter_words(p, "Wie hat es Ihnen gefallen")
    msg = str(err.value)
    assert "Wie hat es Ihnen gefallen" in msg
    assert "Formulieren Sie in 1–2 Worten Ihr Feedback" in msg
    assert "Waren Sie schon einmal bei einem Expert*innendialog?" in msg


def test_read_table_missing_file_is_a_read_error(tmp_path):
    with pytest.raises(ReadError, match="existiert nicht"):
        read_table(tmp_path / "fehlt.csv")


@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::RuntimeWarning")
def test_shapefile_geometry_reads_with_truncated_column_names_restored(tmp_path):
    p = tmp_path / "q.shp"
    quartiere_gdf().to_crs("EPSG:3035").to_file(p)
    gdf, _ = read_geometry(p, "EPSG:25832", expected_columns=["quartier_id", "sozialraum_id"])
    assert gdf["quartier"].tolist()[1] == "Lirich-Süd"
    assert gdf["quartier_id"].tolist()[0] == "01" and gdf["sozialraum_id"].tolist()[3] == "2"
    assert isinstance(gdf, gpd.GeoDataFrame) and gdf.crs.to_epsg() == 25832


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16"])
def test_sample_statistics_saved_in_another_encoding_read_the_same(tmp_path, cfg, encoding):
    """The sample files are all UTF-8 with BOM; a copy in Windows-1252 (old Excel "CSV") or
    UTF-16 ("Unicode-Text"), made here, must give the same table, umlauts included."""
    source = cfg.datei("bevoelkerung")
    text = source.read_bytes().decode("utf-8-sig")
    if encoding == "utf-16":  # Excel's "Unicode-Text" is tab-separated
        text = text.replace(";", "\t")
    copy = tmp_path / "bevoelkerung.csv"
    copy.write_bytes(text.encode(encoding))
    original, other = read_table(source), read_table(copy)
    assert other.encoding != original.encoding
    assert other.df.equals(original.df)
    assert "Königshardt" in set(other.df["quartier"])
