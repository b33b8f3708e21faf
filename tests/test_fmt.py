import datetime as dt
import math

import pandas as pd
import pytest

from sozialraum import fmt


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1234, "1.234"), (0, "0"), (1234567, "1.234.567"), (12.6, "13"), (-1500, "−1.500")],
)
def test_fmt_int(value, expected):
    assert fmt.fmt_int(value) == expected


@pytest.mark.parametrize("missing", [None, math.nan, pd.NA, pd.NaT])
def test_missing_values_show_dash(missing):
    assert fmt.fmt_int(missing) == "–"
    assert fmt.fmt_pct(missing) == "–"
    assert fmt.fmt_pp(missing) == "–"
    assert fmt.fmt_date(missing) == "–"


def test_fmt_pct_and_num():
    assert fmt.fmt_pct(12.5) == "12,5 %"
    assert fmt.fmt_pct(12.5, 0) == "12 %"  # Python rounds half to even
    assert fmt.fmt_pct(1234.56) == "1.234,6 %"
    assert fmt.fmt_num(3.14159, 2) == "3,14"


def test_fmt_pp_sign_and_zero():
    assert fmt.fmt_pp(-1.2) == "−1,2 Pp."
    assert fmt.fmt_pp(1.2) == "+1,2 Pp."
    # A tiny negative change rounds to zero and must not read "−0,0".
    assert fmt.fmt_pp(-0.04) == "0,0 Pp."
    assert fmt.fmt_pp_text(-1.25) == "1,2 Prozentpunkte"


def test_fmt_date_day_and_month_precision():
    assert fmt.fmt_date(dt.date(2023, 9, 6)) == "06.09.2023"
    assert fmt.fmt_date(pd.Timestamp("2019-11-01"), "monat") == "November 2019"
    assert fmt.fmt_date("2023-03-28") == "28.03.2023"
    assert fmt.fmt_date_text(dt.date(2019, 3, 1), "monat") == "im März 2019"
    assert fmt.fmt_date_text(dt.date(2023, 9, 6)) == "am 06.09.2023"
    with pytest.raises(ValueError):
        fmt.fmt_date(dt.date(2023, 9, 6), "jahr")


def test_plural_and_anzahl():
    assert fmt.plural(1, "Quartier", "Quartiere") == "Quartier"
    assert fmt.plural(0, "Quartier", "Quartiere") == "Quartiere"
    assert fmt.plural(2, "Quartier", "Quartiere") == "Quartiere"
    assert fmt.anzahl(1, "Karte", "Karten") == "1 Karte"
    assert fmt.anzahl(1200, "Karte", "Karten") == "1.200 Karten"


def test_aufzaehlung():
    assert fmt.aufzaehlung([]) == ""
    assert fmt.aufzaehlung(["A"]) == "A"
    assert fmt.aufzaehlung(["A", "B"]) == "A und B"
    assert fmt.aufzaehlung(["A", "B", "C"], und="oder") == "A, B oder C"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Themeninsel", "Themeninseln"),
        ("Thementisch", "Thementische"),
        ("Station", "Stationen"),
        ("Werkstatt", None),
    ],
)
def test_plural_wort(word, expected):
    assert fmt.plural_wort(word) == expected


def test_latest_date_keeps_its_precision():
    assert fmt.fmt_latest_date(["2023-02-01", "2022-12-24"], ["monat", "tag"]) == "Februar 2023"
    assert fmt.fmt_latest_date(["2023-02-01", "2023-02-01"], ["monat", "tag"]) == "01.02.2023"
    assert fmt.fmt_latest_date(pd.to_datetime(["2021-05-06", "2024-01-02"])) == "02.01.2024"
    assert fmt.fmt_latest_date([None, "kein Datum"]) is None
    assert fmt.fmt_latest_date([]) is None


def _begriff(name, mehrzahl, genus):
    from sozialraum.config import Begriff

    return Begriff(name=name, mehrzahl=mehrzahl, genus=genus)


@pytest.mark.parametrize(
    ("begriff", "gen", "dat", "dat_pl", "im", "keiner"),
    [
        (
            ("Bezirk", "Bezirke", "m"),
            "des Bezirks",
            "dem Bezirk",
            "Bezirken",
            "im Bezirk",
            "keiner",
        ),
        (
            ("Sozialquartier", "Sozialquartiere", "n"),
            "des Sozialquartiers",
            "dem Sozialquartier",
            "Sozialquartieren",
            "im Sozialquartier",
            "keines",
        ),
        (
            ("Region", "Regionen", "f"),
            "der Region",
            "der Region",
            "Regionen",
            "in der Region",
            "keine",
        ),
        (("Kiez", "Kieze", "m"), "des Kiezes", "dem Kiez", "Kiezen", "im Kiez", "keiner"),
    ],
)
def test_configured_nouns_in_the_cases_sentences_need(begriff, gen, dat, dat_pl, im, keiner):
    b = _begriff(*begriff)
    assert fmt.genitiv(b) == gen
    assert fmt.dativ(b) == dat
    assert fmt.dativ_plural(b) == dat_pl
    assert fmt.im(b) == im
    assert fmt.keiner(b) == keiner


def test_natural_key_sorts_ids_as_numbers_and_names_without_case():
    assert sorted(["10", "2", "01", "1a"], key=fmt.natural_key) == ["01", "1a", "2", "10"]
    assert sorted(["Zoo", "ärger", "Bahn"], key=fmt.natural_key) == ["ärger", "Bahn", "Zoo"]
