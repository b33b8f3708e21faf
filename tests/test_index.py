"""Tests of the Sozialindex engine against a small example computed by hand.

The example (used by most tests): five Quartiere in two Sozialräume, two indicators, two years.

    Sozialraum "1": Q1 (1.000 Einwohner*innen), Q2 (2.000)
    Sozialraum "2": Q3 (1.500), Q4 (3.000), Q5 (250 -> below the minimum of 300, left out)

    indicator a (richtung +1)          indicator b (richtung -1)
             2020         2023                 2020       2023
    Q1    9/100 =  9 %  2/20  = 10 %       50/100 = 50 %  57/100 = 57 %
    Q2   11/100 = 11 %  10/100 = 10 %      50/100 = 50 %  51/100 = 51 %
    Q3   29/100 = 29 %  30/100 = 30 %      50/100 = 50 %  49/100 = 49 %
    Q4   62/200 = 31 %  60/200 = 30 %      50/100 = 50 %  43/100 = 43 %
    Q5   40/50  = 80 %  45/50  = 90 %      10/50  = 20 %   5/50  = 10 %

Q1's count of 2 in 2023 is below the minimum count of 3.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sozialraum.compute import aggregation as ag
from sozialraum.compute import index as ix
from sozialraum.compute import klassen as kx
from sozialraum.config import Ausschluss, Config, Indikator, Methode, Sozialraum, Stadt
from sozialraum.config_eingaben import Eingaben
from sozialraum.config_klassen import Klassen

S09 = math.sqrt(0.9)
S02 = math.sqrt(0.2)


# -- fixtures ---------------------------------------------------------------------------------
def make_cfg(
    *,
    eingabe_a: str = "anzahl",
    status: Klassen | None = None,
    dynamik: Klassen | None = None,
    **methode: object,
) -> Config:
    params: dict[str, object] = {
        "jahre": [2020, 2023],
        "berichtsjahr": 2023,
        "vergleichsjahr": 2020,
        "kombination": "mittelwert",
        "erneut_standardisieren": True,
        "mindestfallzahl": 3,
        "mindestbevoelkerung": 300,
        "status": status
        or Klassen(
            schwellen=[-1.0, 1.0, 1.5],
            labels=["hoch", "mittel", "niedrig", "sehr niedrig"],
            farben=["#111111", "#222222", "#333333", "#444444"],
        ),
        "dynamik": dynamik
        or Klassen(
            schwellen=[-1.0, 1.0],
            labels=["positiv", "stabil", "negativ"],
            farben=["#aaaaaa", "#bbbbbb", "#cccccc"],
        ),
    }
    params.update(methode)
    p = Path("nicht-vorhanden.csv")
    return Config(
        stadt=Stadt(name="Teststadt", geometrie_version="Test v1"),
        sozialraeume=[
            Sozialraum(id="1", name="Nord", slug="nord"),
            Sozialraum(id="2", name="Süd", slug="sued"),
        ],
        indikatoren=[
            Indikator(id="a", label="A", kurz="A", zaehler="z", nenner="n", eingabe=eingabe_a),
            Indikator(id="b", label="B", kurz="B", zaehler="z", nenner="n", richtung=-1),
        ],
        methode=Methode(**params),
        eingaben=Eingaben(
            geometrie=p,
            bevoelkerung=p,
            indikatoren=p,
            veranstaltungen=p,
            stationen=p,
            angebote=p,
            fragen=p,
            abstimmungen=p,
            karten=p,
            handlungsempfehlungen=p,
            kanalregeln=p,
        ),
        pfad=Path("/tmp/test.toml"),
    )


QUARTIERE = pd.DataFrame(
    {
        "quartier_id": ["Q1", "Q2", "Q3", "Q4", "Q5"],
        "quartier": ["Eins", "Zwei", "Drei", "Vier", "Fünf"],
        "sozialraum_id": ["1", "1", "2", "2", "2"],
    }
)
EINWOHNER = {"Q1": 1000, "Q2": 2000, "Q3": 1500, "Q4": 3000, "Q5": 250}
BEVOELKERUNG = pd.DataFrame(
    [(q, j, e) for q, e in EINWOHNER.items() for j in (2020, 2023)],
    columns=["quartier_id", "jahr", "einwohner"],
)
# (quartier, jahr, indikator): (zaehler, nenner)
COUNTS = {
    ("Q1", 2020, "a"): (9, 100),
    ("Q2", 2020, "a"): (11, 100),
    ("Q3", 2020, "a"): (29, 100),
    ("Q4", 2020, "a"): (62, 200),
    ("Q5", 2020, "a"): (40, 50),
    ("Q1", 2023, "a"): (2, 20),
    ("Q2", 2023, "a"): (10, 100),
    ("Q3", 2023, "a"): (30, 100),
    ("Q4", 2023, "a"): (60, 200),
    ("Q5", 2023, "a"): (45, 50),
    ("Q1", 2020, "b"): (50, 100),
    ("Q2", 2020, "b"): (50, 100),
    ("Q3", 2020, "b"): (50, 100),
    ("Q4", 2020, "b"): (50, 100),
    ("Q5", 2020, "b"): (10, 50),
    ("Q1", 2023, "b"): (57, 100),
    ("Q2", 2023, "b"): (51, 100),
    ("Q3", 2023, "b"): (49, 100),
    ("Q4", 2023, "b"): (43, 100),
    ("Q5", 2023, "b"): (5, 50),
}


def indikatoren(counts: dict = COUNTS) -> pd.DataFrame:
    rows = [
        {"quartier_id": q, "jahr": j, "indikator": i, "zaehler": z, "nenner": n, "anteil": np.nan}
        for (q, j, i), (z, n) in counts.items()
    ]
    return pd.DataFrame(rows)


def run(cfg: Config | None = None, data: pd.DataFrame | None = None) -> ix.IndexResult:
    return ix.compute_index(
        cfg or make_cfg(), QUARTIERE, BEVOELKERUNG, indikatoren() if data is None else data
    )


def col(frame: pd.DataFrame, column: str, key: str = "quartier_id") -> dict:
    return dict(zip(frame[key], frame[column], strict=True))


def z_of(res: ix.IndexResult, jahr: int, ind: str) -> dict:
    w = res.werte
    return col(w[(w["jahr"] == jahr) & (w["indikator"] == ind)], "z")


# -- shares and z-values ----------------------------------------------------------------------
def test_shares_are_percent_of_counts():
    w = run().werte
    row = w[(w["quartier_id"] == "Q4") & (w["jahr"] == 2020) & (w["indikator"] == "a")].iloc[0]
    assert row["anteil"] == pytest.approx(31.0)  # 100 * 62 / 200
    assert row["einwohner"] == 3000


def test_z_values_by_hand_and_small_quartier_left_out():
    res = run()
    # a, 2023, Q1-Q4: 10, 10, 30, 30 -> mean 20; SD (ddof=0) = sqrt((100+100+100+100)/4) = 10.
    # Q5 (90 %) is left out; had it counted, the mean would be 34.
    za = z_of(res, 2023, "a")
    assert za["Q1"] == pytest.approx(-1.0)  # (10 - 20) / 10
    assert za["Q2"] == pytest.approx(-1.0)  # tie with Q1: equal share, equal z
    assert za["Q3"] == pytest.approx(1.0)
    assert za["Q4"] == pytest.approx(1.0)
    assert math.isnan(za["Q5"])
    # b, 2023: 57, 51, 49, 43 -> mean 50; deviations 7, 1, -1, -7; SD = sqrt(100/4) = 5.
    zb = z_of(res, 2023, "b")
    assert [zb[q] for q in ("Q1", "Q2", "Q3", "Q4")] == pytest.approx([1.4, 0.2, -0.2, -1.4])
    # b, 2020: all 50 -> SD 0 -> every z is 0 (nobody deviates), not NaN or inf.
    assert [z_of(res, 2020, "b")[q] for q in ("Q1", "Q2", "Q3", "Q4")] == [0.0] * 4


def test_statusindex_by_hand():
    res = run()
    idx = res.index.set_index("quartier_id")
    # richtung: a +1, b -1 -> oriented z: Q1 (-1, -1.4), Q2 (-1, -0.2), Q3 (1, 0.2), Q4 (1, 1.4)
    # mean: Q1 -1.2, Q2 -0.6, Q3 0.6, Q4 1.2; their mean 0, SD sqrt((1.44+.36+.36+1.44)/4)
    # = sqrt(0.9); standardised again: -1.2/sqrt(.9) = -1.2649, -0.6325, 0.6325, 1.2649.
    expected = [-1.2 / S09, -0.6 / S09, 0.6 / S09, 1.2 / S09]
    got = idx.loc[["Q1", "Q2", "Q3", "Q4"], "statusindex"].tolist()
    assert got == pytest.approx(expected)
    # thresholds [-1, 1, 1.5] on the standardised scale (SD 1): higher = more poverty risk
    assert idx.loc[["Q1", "Q2", "Q3", "Q4"], "status_klasse"].tolist() == [
        "hoch",
        "mittel",
        "mittel",
        "niedrig",
    ]
    assert idx.loc[["Q1", "Q2", "Q3", "Q4"], "status_stufe"].tolist() == [0, 1, 1, 2]
    assert res.schwellen["status"] == pytest.approx([-1.0, 1.0, 1.5])


def test_without_dynamics_no_dynamics_columns_and_the_same_status():
    mit = make_cfg()
    methode = Methode(
        **{**mit.methode.model_dump(exclude_unset=True), "dynamik": None, "vergleichsjahr": None}
    )
    ohne = mit.model_copy(update={"methode": methode})
    assert not ohne.mit_dynamik and ohne.dynamik_indikatoren == []
    nur_2023 = indikatoren({k: v for k, v in COUNTS.items() if k[1] == 2023})
    res, ref = run(ohne, nur_2023), run(mit)
    # absent, not filled with "keine Angabe": a class that was never computed is not shown
    assert not set(ix.DYNAMIK_SPALTEN) & set(res.index.columns)
    assert set(ix.DYNAMIK_SPALTEN) <= set(ref.index.columns)
    assert list(res.schwellen) == ["status"] and res.veraenderung.empty
    cols = ["quartier_id", "statusindex", "status_stufe", "status_klasse", "ausschluss_grund"]
    pd.testing.assert_frame_equal(res.index[cols], ref.index[cols])
    with pytest.raises(ValueError, match="vergleichsjahr"):
        ix.veraenderung(res.werte, ohne)


def test_dynamikindex_by_hand():
    res = run()
    ver = res.veraenderung
    a = ver[ver["indikator"] == "a"].set_index("quartier_id")
    # change a in pp: Q1 10-9 = +1, Q2 10-11 = -1, Q3 +1, Q4 -1 -> mean 0, SD 1 -> z = change
    assert a.loc[["Q1", "Q2", "Q3", "Q4"], "veraenderung_pp"].tolist() == pytest.approx(
        [1, -1, 1, -1]
    )
    assert a.loc[["Q1", "Q2", "Q3", "Q4"], "z_dynamik"].tolist() == pytest.approx([1, -1, 1, -1])
    # change b: +7, +1, -1, -7 -> z 1.4, 0.2, -0.2, -1.4; richtung -1 -> -1.4, -0.2, 0.2, 1.4
    # mean of (a, -b): Q1 (1-1.4)/2 = -0.2, Q2 (-1-0.2)/2 = -0.6, Q3 0.6, Q4 0.2
    # SD sqrt((.04+.36+.36+.04)/4) = sqrt(0.2); standardised: -0.4472, -1.3416, 1.3416, 0.4472
    idx = res.index.set_index("quartier_id")
    expected = [-0.2 / S02, -0.6 / S02, 0.6 / S02, 0.2 / S02]
    assert idx.loc[["Q1", "Q2", "Q3", "Q4"], "dynamikindex"].tolist() == pytest.approx(expected)
    assert idx.loc[["Q1", "Q2", "Q3", "Q4"], "dynamik_klasse"].tolist() == [
        "stabil",
        "positiv",
        "negativ",
        "stabil",
    ]
    assert idx.loc[["Q1", "Q2", "Q3", "Q4", "Q5"], "kombi_klasse"].tolist() == [
        "hoch / stabil",
        "mittel / positiv",
        "mittel / negativ",
        "niedrig / stabil",
        "nicht bewertet",
    ]


def test_quartier_below_minimum_population_is_marked_not_silent():
    idx = run().index.set_index("quartier_id")
    q5 = idx.loc["Q5"]
    assert bool(q5["ausgeschlossen"]) is True
    assert q5["ausschluss_grund"] == "weniger als 300 Einwohner*innen"
    assert q5["status_klasse"] == kx.NICHT_BEWERTET
    assert q5["dynamik_klasse"] == kx.NICHT_BEWERTET
    assert math.isnan(q5["statusindex"])
    assert pd.isna(q5["status_stufe"])
    assert not idx.loc[["Q1", "Q2", "Q3", "Q4"], "ausgeschlossen"].any()
    assert idx.loc[["Q1", "Q2", "Q3", "Q4"], "ausschluss_grund"].isna().all()


def test_quartier_excluded_by_config_carries_its_reason():
    grund = "Erstaufnahmeeinrichtung (Ausreißer)"
    cfg = make_cfg(
        ausgeschlossen=[
            Ausschluss(quartier_id="Q4", grund=grund),
            Ausschluss(quartier_id="Q5", grund="Sonderfall"),
        ]
    )
    res = run(cfg)
    idx = res.index.set_index("quartier_id")
    assert idx.loc["Q4", "ausschluss_grund"] == grund
    assert idx.loc["Q4", "status_klasse"] == kx.NICHT_BEWERTET
    # both reasons are kept
    # One reason per Quartier, never two: the listed exclusion comes before the population rule.
    assert idx.loc["Q5", "ausschluss_grund"] == "Sonderfall"
    # a, 2023 over Q1-Q3: 10, 10, 30 -> mean 50/3; deviations -20/3, -20/3, 40/3;
    # SD = sqrt((400+400+1600)/9/3) = sqrt(800/9) = 9.428 -> z = -1/sqrt(2), -1/sqrt(2), sqrt(2)
    za = z_of(res, 2023, "a")
    r2 = math.sqrt(2)
    assert [za["Q1"], za["Q2"], za["Q3"]] == pytest.approx([-1 / r2, -1 / r2, r2])
    assert math.isnan(za["Q4"])


def test_unknown_quartier_in_exclusion_list_is_an_error():
    cfg = make_cfg(ausgeschlossen=[Ausschluss(quartier_id="Q9", grund="x")])
    with pytest.raises(ValueError, match="Q9"):
        run(cfg)


def test_zero_denominator_gives_missing_share_and_no_index():
    counts = dict(COUNTS)
    counts[("Q2", 2023, "a")] = (0, 0)
    res = run(data=indikatoren(counts))
    w = res.werte
    cell = w[(w["quartier_id"] == "Q2") & (w["jahr"] == 2023) & (w["indikator"] == "a")].iloc[0]
    assert math.isnan(cell["anteil"])  # not inf
    assert math.isnan(cell["z"])
    # remaining a, 2023: Q1 10, Q3 30, Q4 30 -> mean 70/3; deviations -40/3, 20/3, 20/3;
    # SD = sqrt((1600+400+400)/9/3) = sqrt(800/9) -> z = -sqrt(2), 1/sqrt(2), 1/sqrt(2)
    za = z_of(res, 2023, "a")
    r2 = math.sqrt(2)
    assert [za["Q1"], za["Q3"], za["Q4"]] == pytest.approx([-r2, 1 / r2, 1 / r2])
    idx = res.index.set_index("quartier_id")
    assert math.isnan(idx.loc["Q2", "statusindex"])
    assert idx.loc["Q2", "status_klasse"] == kx.KEINE_ANGABE
    assert idx.loc["Q2", "dynamik_klasse"] == kx.KEINE_ANGABE
    assert idx.loc["Q2", "kombi_klasse"] == kx.KEINE_ANGABE
    assert not bool(idx.loc["Q2", "ausgeschlossen"])
    assert idx.loc["Q1", "status_klasse"] != kx.KEINE_ANGABE


def test_rates_given_directly_give_the_same_index_and_weighted_aggregates():
    rows = []
    for (q, j, i), (z, n) in COUNTS.items():
        if i == "a":
            rows.append((q, j, i, np.nan, np.nan, 100 * z / n))
        else:
            rows.append((q, j, i, z, n, np.nan))
    data = pd.DataFrame(
        rows, columns=["quartier_id", "jahr", "indikator", "zaehler", "nenner", "anteil"]
    )
    cfg = make_cfg(eingabe_a="anteil")
    res = run(cfg, data)
    ref = run()
    pd.testing.assert_series_equal(res.index["statusindex"], ref.index["statusindex"])
    assert z_of(res, 2023, "a")["Q1"] == pytest.approx(-1.0)
    # published rates are not counts: nothing to suppress
    wa = res.werte[res.werte["indikator"] == "a"]
    assert not wa["unterdrueckt"].any()
    assert wa["zaehler"].isna().all()
    agg = ag.aggregate(cfg, res.werte, QUARTIERE, "sozialraum")
    a23 = agg[(agg["indikator"] == "a") & (agg["jahr"] == 2023)].set_index("sozialraum_id")
    # Sozialraum 1: (10*1000 + 10*2000) / 3000 = 10
    # Sozialraum 2: (30*1500 + 30*3000 + 90*250) / 4750 = 157500 / 4750 = 33.158
    assert a23.loc["1", "anteil"] == pytest.approx(10.0)
    assert a23.loc["2", "anteil"] == pytest.approx(157500 / 4750)
    assert a23.loc["2", "einwohner"] == 4750
    assert math.isnan(a23.loc["2", "zaehler"])
    assert math.isnan(a23.loc["2", "nenner"])


# -- combination, re-standardisation, thresholds ----------------------------------------------
FEST = Klassen(
    schwellen_typ="fest",
    schwellen=[-1.0, 1.0, 2.0],
    labels=["hoch", "mittel", "niedrig", "sehr niedrig"],
    farben=["#111111", "#222222", "#333333", "#444444"],
)


def test_mean_versus_sum_with_fixed_thresholds():
    q = ["Q1", "Q2", "Q3", "Q4"]
    mean = run(make_cfg(erneut_standardisieren=False, status=FEST)).index.set_index("quartier_id")
    # mean of oriented z: -1.2, -0.6, 0.6, 1.2 against fixed limits -1, 1, 2
    assert mean.loc[q, "statusindex"].tolist() == pytest.approx([-1.2, -0.6, 0.6, 1.2])
    assert mean.loc[q, "status_klasse"].tolist() == ["hoch", "mittel", "mittel", "niedrig"]
    summe = run(
        make_cfg(kombination="summe", erneut_standardisieren=False, status=FEST)
    ).index.set_index("quartier_id")
    # sum: -2.4, -1.2, 1.2, 2.4 -> the same fixed limits give other classes
    assert summe.loc[q, "statusindex"].tolist() == pytest.approx([-2.4, -1.2, 1.2, 2.4])
    assert summe.loc[q, "status_klasse"].tolist() == ["hoch", "hoch", "niedrig", "sehr niedrig"]


def test_sd_thresholds_without_restandardisation_scale_with_the_sd():
    res = run(make_cfg(kombination="summe", erneut_standardisieren=False))
    # sums -2.4, -1.2, 1.2, 2.4: mean 0, SD sqrt((5.76+1.44+1.44+5.76)/4) = sqrt(3.6)
    sd = math.sqrt(3.6)
    assert res.schwellen["status"] == pytest.approx([-sd, sd, 1.5 * sd])
    idx = res.index.set_index("quartier_id")
    # -2.4 < -1.897 -> hoch; 2.4 lies between 1.897 and 2.846 -> niedrig (Berlin-style sum)
    assert idx.loc[["Q1", "Q2", "Q3", "Q4"], "status_klasse"].tolist() == [
        "hoch",
        "mittel",
        "mittel",
        "niedrig",
    ]


def test_restandardisation_gives_mean_zero_sd_one():
    res = run(make_cfg(kombination="summe", erneut_standardisieren=True))
    s = res.index.loc[~res.index["ausgeschlossen"], "statusindex"]
    assert s.mean() == pytest.approx(0.0, abs=1e-12)
    assert s.std(ddof=0) == pytest.approx(1.0)
    # sum and mean differ by the factor 2 only, so after re-standardisation they agree
    ref = run(make_cfg(kombination="mittelwert", erneut_standardisieren=True))
    assert s.tolist() == pytest.approx(ref.index.loc[s.index, "statusindex"].tolist())


def test_value_on_a_threshold_goes_to_the_upper_class():
    limits = Klassen(
        schwellen_typ="fest",
        schwellen=[-1.2, 0.6, 1.2],
        labels=["hoch", "mittel", "niedrig", "sehr niedrig"],
        farben=["#111111", "#222222", "#333333", "#444444"],
    )
    idx = run(make_cfg(erneut_standardisieren=False, status=limits)).index.set_index("quartier_id")
    # -1.2, -0.6, 0.6, 1.2: three of them lie exactly on a limit (up to float noise)
    assert idx.loc[["Q1", "Q2", "Q3", "Q4"], "status_stufe"].tolist() == [1, 1, 2, 3]


def test_klassieren_boundaries():
    got = kx.klassieren(pd.Series([-1.0000001, -1.0, 0.999, 1.0, 1.5, np.nan]), [-1.0, 1.0, 1.5])
    assert got.iloc[:5].tolist() == [0, 1, 1, 2, 3]
    assert pd.isna(got.iloc[5])


def test_sd_thresholds_hit_exactly_on_data_points():
    kl = Klassen(
        schwellen=[-1.0, 1.0, 1.5],
        labels=list("abcd"),
        farben=["#aaaaaa", "#bbbbbb", "#cccccc", "#dddddd"],
    )
    werte = pd.Series([-1.0, -1.0, 1.0, 1.0])  # mean 0, SD 1
    cuts = kx.schwellen_absolut(kl, werte, pd.Series([True] * 4))
    assert cuts == pytest.approx([-1.0, 1.0, 1.5])
    assert kx.klassieren(werte, cuts).tolist() == [1, 1, 2, 2]


def test_threshold_ties_survive_floating_point_noise():
    kl = Klassen(
        schwellen=[-1.0, 1.0], labels=list("abc"), farben=["#aaaaaa", "#bbbbbb", "#cccccc"]
    )
    # 0.1, 0.1, 0.3, 0.3: mean 0.2, SD 0.1 -> limits 0.1 and 0.3 exactly, but in floating point
    # 0.2 - 0.1 = 0.10000000000000002 > 0.1: without rounding, 0.1 would fall below its limit.
    werte = pd.Series([0.1, 0.1, 0.3, 0.3])
    cuts = kx.schwellen_absolut(kl, werte, pd.Series([True] * 4))
    assert kx.klassieren(werte, cuts).tolist() == [1, 1, 2, 2]


def test_ties_get_equal_values_and_classes():
    counts = dict(COUNTS)
    for j in (2020, 2023):
        for i in ("a", "b"):
            counts[("Q2", j, i)] = counts[("Q3", j, i)]
    idx = run(data=indikatoren(counts)).index.set_index("quartier_id")
    for c in ("statusindex", "dynamikindex"):
        assert idx.loc["Q2", c] == pytest.approx(idx.loc["Q3", c])
    for c in ("status_klasse", "dynamik_klasse", "kombi_klasse"):
        assert idx.loc["Q2", c] == idx.loc["Q3", c]


def test_kombi_klassen_for_legends(cfg):
    k = kx.kombi_klassen(cfg)
    assert len(k) == 12
    assert k[0] == "hoch / positiv"
    assert k[-1] == "sehr niedrig / negativ"
    assert kx.kombi_klasse("mittel", kx.NICHT_BEWERTET) == kx.NICHT_BEWERTET


def test_klassen_tabelle_has_open_ends_not_infinity():
    t = kx.klassen_tabelle(make_cfg().methode.status, [-1.0, 1.0, 1.5])
    assert t["label"].tolist() == ["hoch", "mittel", "niedrig", "sehr niedrig"]
    assert math.isnan(t["von"].iloc[0]) and math.isnan(t["bis"].iloc[-1])
    assert t["von"].iloc[1] == -1.0 and t["bis"].iloc[1] == 1.0
    assert not np.isinf(t[["von", "bis"]].to_numpy(dtype=float)).any()


# -- aggregation ------------------------------------------------------------------------------
def test_aggregate_is_ratio_of_sums_not_mean_of_rates():
    cfg = make_cfg()
    res = run(cfg)
    sr = ag.aggregate(cfg, res.werte, QUARTIERE, "sozialraum")
    a23 = sr[(sr["indikator"] == "a") & (sr["jahr"] == 2023)].set_index("sozialraum_id")
    # Sozialraum 2: (30 + 60 + 45) / (100 + 200 + 50) = 135 / 350 = 38.57 %
    # (the mean of the rates 30, 30, 90 would be 50 %; Q5, left out of the index, still counts)
    assert a23.loc["2", "zaehler"] == 135
    assert a23.loc["2", "nenner"] == 350
    assert a23.loc["2", "anteil"] == pytest.approx(100 * 135 / 350)
    assert a23.loc["2", "n_quartiere"] == 3
    assert a23.loc["1", "anteil"] == pytest.approx(100 * 12 / 120)
    st = ag.aggregate(cfg, res.werte, QUARTIERE, "stadt")
    c = st[(st["indikator"] == "a") & (st["jahr"] == 2023)].iloc[0]
    assert c["zaehler"] == 147 and c["nenner"] == 470  # 12 + 135, 120 + 350
    assert c["anteil"] == pytest.approx(100 * 147 / 470)
    assert c["n_quartiere"] == 5
    assert not bool(c["unterdrueckt"])
    assert set(st["ebene"]) == {"stadt"} and "sozialraum_id" not in st.columns


def test_veraenderung_of_aggregates_in_percentage_points():
    cfg = make_cfg()
    sr = ag.aggregate(cfg, run(cfg).werte, QUARTIERE, "sozialraum")
    ver = ix.veraenderung(sr, cfg)
    row = ver[(ver["sozialraum_id"] == "2") & (ver["indikator"] == "a")].iloc[0]
    # 2020: (29 + 62 + 40) / 350 = 131/350; 2023: 135/350 -> +4/350 = +1.143 pp
    assert row["veraenderung_pp"] == pytest.approx(100 * 4 / 350)
    assert (row["vergleichsjahr"], row["berichtsjahr"]) == (2020, 2023)
    assert ix.change is ix.veraenderung


# -- suppression ------------------------------------------------------------------------------
def _cell(w: pd.DataFrame, q: str, j: int, i: str) -> pd.Series:
    return w[(w["quartier_id"] == q) & (w["jahr"] == j) & (w["indikator"] == i)].iloc[0]


def test_primary_and_secondary_suppression_marks():
    w = run().werte
    q1 = _cell(w, "Q1", 2023, "a")
    assert bool(q1["unterdrueckt"]) and q1["unterdrueckt_grund"] == ag.PRIMAER
    # Q2 is the only other Quartier of Sozialraum 1: withheld too, or 12 - 10 gives Q1's 2
    q2 = _cell(w, "Q2", 2023, "a")
    assert bool(q2["unterdrueckt"]) and q2["unterdrueckt_grund"] == ag.SEKUNDAER
    # 5 >= 3 is publishable (Q5, b, 2023); nothing else is withheld
    assert not bool(_cell(w, "Q5", 2023, "b")["unterdrueckt"])
    assert int(w["unterdrueckt"].sum()) == 2


def test_zero_count_is_published():
    counts = dict(COUNTS)
    counts[("Q3", 2023, "a")] = (0, 100)
    w = run(data=indikatoren(counts)).werte
    assert not bool(_cell(w, "Q3", 2023, "a")["unterdrueckt"])
    assert ag.publish(w).pipe(_cell, "Q3", 2023, "a")["zaehler"] == 0


def _recover(werte: pd.DataFrame, totals: pd.DataFrame, quartiere: pd.DataFrame) -> dict:
    """What a reader can compute from published numbers: total minus the published parts."""
    sr = quartiere.set_index("quartier_id")["sozialraum_id"]
    w = werte.assign(sozialraum_id=werte["quartier_id"].map(sr))
    found = {}
    for _, t in totals.iterrows():
        if pd.isna(t["zaehler"]):
            continue
        parts = w[
            (w["sozialraum_id"] == t["sozialraum_id"])
            & (w["jahr"] == t["jahr"])
            & (w["indikator"] == t["indikator"])
        ]
        # a withheld share times its published denominator would give the count, too
        known = parts["zaehler"].fillna(parts["anteil"] * parts["nenner"] / 100)
        if known.isna().sum() == 1:
            q = parts.loc[known.isna(), "quartier_id"].iloc[0]
            found[(q, t["jahr"], t["indikator"])] = t["zaehler"] - known.sum()
    return found


def test_published_numbers_do_not_reveal_a_suppressed_cell():
    cfg = make_cfg()
    res = run(cfg)
    totals = ag.publish(ag.aggregate(cfg, res.werte, QUARTIERE, "sozialraum"))
    published = ag.publish(res.werte)
    assert math.isnan(_cell(published, "Q1", 2023, "a")["zaehler"])
    assert math.isnan(_cell(published, "Q1", 2023, "a")["anteil"])
    # z-values go entirely: two published (share, z) pairs give mean and SD, and with them the
    # sum and the sum of squares of the withheld shares - two equations for Q1 and Q2.
    assert "z" not in published.columns
    assert _cell(published, "Q1", 2023, "a")["nenner"] == 20
    assert _recover(published, totals, QUARTIERE) == {}
    # the attack is real: with primary suppression only, Q1's 2 comes straight back
    naive = res.werte.copy()
    naive.loc[naive["unterdrueckt_grund"] == ag.SEKUNDAER, "unterdrueckt"] = False
    assert _recover(ag.publish(naive), totals, QUARTIERE) == {("Q1", 2023, "a"): 2}


def _tiny(counts: dict[str, int], sr: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    quartiere = pd.DataFrame(
        {"quartier_id": list(sr), "quartier": list(sr), "sozialraum_id": list(sr.values())}
    )
    werte = pd.DataFrame(
        {
            "quartier_id": list(counts),
            "jahr": 2023,
            "indikator": "a",
            "zaehler": [float(v) for v in counts.values()],
            "nenner": 100.0,
            "anteil": [float(v) for v in counts.values()],
            "einwohner": 1000.0,
        }
    )
    return werte, quartiere


def test_two_withheld_cells_at_their_upper_limit_need_a_third():
    # 2 + 2 = 4 with minimum 3: both cells hold at most 2, so a sum of 4 pins both to 2.
    cfg = make_cfg()
    werte, quartiere = _tiny({"A": 2, "B": 2, "C": 20, "D": 30}, dict.fromkeys("ABCD", "1"))
    w = ag.unterdruecken(cfg, werte, quartiere).set_index("quartier_id")
    assert w.loc[["A", "B"], "unterdrueckt_grund"].tolist() == [ag.PRIMAER] * 2
    assert w.loc["C", "unterdrueckt_grund"] == ag.SEKUNDAER  # smallest positive other
    assert not bool(w.loc["D", "unterdrueckt"])
    # 1 + 2 = 3 cannot be split uniquely (1+2 or 2+1): no complement needed
    werte, quartiere = _tiny({"A": 1, "B": 2, "C": 20}, dict.fromkeys("ABC", "1"))
    w = ag.unterdruecken(cfg, werte, quartiere).set_index("quartier_id")
    assert not bool(w.loc["C", "unterdrueckt"])


def test_sozialraum_total_withheld_when_its_quartiere_cannot_protect_each_other():
    cfg = make_cfg()
    sr = {"A": "1", "B": "1", "C": "2", "D": "2"}
    werte, quartiere = _tiny({"A": 2, "B": 2, "C": 40, "D": 50}, sr)
    w = ag.unterdruecken(cfg, werte, quartiere)
    agg = ag.aggregate(cfg, w, quartiere, "sozialraum").set_index("sozialraum_id")
    assert agg.loc["1", "unterdrueckt_grund"] == ag.SEKUNDAER
    assert not bool(agg.loc["2", "unterdrueckt"])
    # ... and then the city total, which minus Sozialraum 2 would give Sozialraum 1
    st = ag.publish(ag.aggregate(cfg, w, quartiere, "stadt")).iloc[0]
    assert bool(st["unterdrueckt"]) and math.isnan(st["zaehler"]) and math.isnan(st["anteil"])


def test_city_total_withheld_when_it_would_reveal_a_small_sozialraum():
    cfg = make_cfg()
    sr = {"A": "1", "B": "1", "C": "2", "D": "2"}
    # Sozialraum 1 holds 2 cases in all: withheld; city 92 - Sozialraum 2's 90 would give 2.
    werte, quartiere = _tiny({"A": 2, "B": 0, "C": 40, "D": 50}, sr)
    res_sr = ag.aggregate(cfg, werte, quartiere, "sozialraum").set_index("sozialraum_id")
    assert res_sr.loc["1", "unterdrueckt_grund"] == ag.PRIMAER
    st = ag.aggregate(cfg, werte, quartiere, "stadt").iloc[0]
    assert bool(st["unterdrueckt"]) and st["unterdrueckt_grund"] == ag.SEKUNDAER
    assert math.isnan(ag.publish(ag.aggregate(cfg, werte, quartiere, "stadt"))["zaehler"].iloc[0])
    # with all Sozialraum totals published, the city total is just their sum: published
    werte, quartiere = _tiny({"A": 2, "B": 10, "C": 40, "D": 50}, sr)
    st = ag.aggregate(cfg, werte, quartiere, "stadt").iloc[0]
    assert not bool(st["unterdrueckt"]) and st["zaehler"] == 102


def test_change_is_withheld_when_either_year_is():
    cfg = make_cfg()
    res = run(cfg)
    ver = ag.publish(ix.veraenderung(res.werte, cfg))
    row = ver[(ver["quartier_id"] == "Q1") & (ver["indikator"] == "a")].iloc[0]
    assert bool(row["unterdrueckt"])
    assert math.isnan(row["veraenderung_pp"]) and math.isnan(row["anteil_berichtsjahr"])
    assert row["anteil_vergleichsjahr"] == pytest.approx(9.0)  # 2020 itself is publishable


def test_publish_keeps_classes_drops_numeric_index():
    res = run()
    pub = ag.publish(res.index)
    assert "statusindex" not in pub.columns and "dynamikindex" not in pub.columns
    assert pub["status_stufe"].dtype == "Int64"
    assert "z_dynamik" not in ag.publish(res.veraenderung).columns
    assert pub["status_klasse"].tolist() == res.index["status_klasse"].tolist()
    assert "unterdrueckt_grund" not in ag.publish(res.werte).columns
    # the internal values stay untouched for the index computation
    assert _cell(res.werte, "Q1", 2023, "a")["zaehler"] == 2


def test_geodataframe_input_is_accepted():
    gpd = pytest.importorskip("geopandas")
    from shapely.geometry import Point

    geo = gpd.GeoDataFrame(
        QUARTIERE, geometry=[Point(i, i) for i in range(len(QUARTIERE))], crs="EPSG:25832"
    )
    res = ix.compute_index(make_cfg(), geo, BEVOELKERUNG, indikatoren())
    assert "geometry" not in res.index.columns
    assert type(res.index) is pd.DataFrame


def _reference_aggregate(cfg: Config, werte, quartiere, ebene):
    """The aggregation as first written, one group at a time: the reference for the fast one."""
    m = cfg.methode.mindestfallzahl
    werte = ag.unterdruecken(cfg, werte, quartiere)
    sr = quartiere.set_index("quartier_id")["sozialraum_id"]
    w = werte.assign(sozialraum_id=werte["quartier_id"].map(sr))
    eingabe = w["indikator"].map({i.id: i.eingabe for i in cfg.indikatoren})
    srs = ag._summen(w, eingabe, ["sozialraum_id", "jahr", "indikator"], m)
    for key, gruppe in w[eingabe == "anzahl"].groupby(["sozialraum_id", "jahr", "indikator"]):
        gruppe = gruppe[gruppe["zaehler"].notna()]
        hit = (
            (srs["sozialraum_id"] == key[0])
            & (srs["jahr"] == key[1])
            & (srs["indikator"] == key[2])
        )
        if not srs.loc[hit, "unterdrueckt"].any() and not ag._gruppe_geschuetzt(gruppe, m):
            srs.loc[hit, ["unterdrueckt", "unterdrueckt_grund"]] = [True, ag.SEKUNDAER]
    if ebene == "sozialraum":
        return srs
    out = ag._summen(w, eingabe, ["jahr", "indikator"], m)
    for i, row in out.iterrows():
        if row["unterdrueckt"] or pd.isna(row["zaehler"]):
            continue
        teile = srs[(srs["jahr"] == row["jahr"]) & (srs["indikator"] == row["indikator"])]
        if not ag._gruppe_geschuetzt(teile[teile["zaehler"].notna()], m):
            out.loc[i, ["unterdrueckt", "unterdrueckt_grund"]] = [True, ag.SEKUNDAER]
    return out


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(["1", "2", "3"]), min_size=2, max_size=9),
    st.data(),
)
def test_aggregate_withholds_exactly_what_the_group_by_group_rule_withholds(raeume, data):
    """Many small counts in few Sozialräume, over two years and two indicators: the totals
    withheld (and why) are those of the rule applied to one group after the other."""
    cfg = make_cfg()
    ids = [f"Q{i}" for i in range(len(raeume))]
    quartiere = pd.DataFrame({"quartier_id": ids, "quartier": ids, "sozialraum_id": raeume})
    rows = []
    for q in ids:
        for jahr in (2020, 2023):
            for ind in ("a", "b"):
                z = data.draw(st.one_of(st.none(), st.integers(0, 12)))
                rows.append(
                    {
                        "quartier_id": q,
                        "jahr": jahr,
                        "indikator": ind,
                        "zaehler": np.nan if z is None else float(z),
                        "nenner": 100.0,
                        "anteil": np.nan if z is None else float(z),
                        "einwohner": 1000.0,
                    }
                )
    werte = pd.DataFrame(rows)
    for ebene in ("sozialraum", "stadt"):
        got = ag.aggregate(cfg, werte, quartiere, ebene)
        want = _reference_aggregate(cfg, werte, quartiere, ebene)
        keys = (
            ["sozialraum_id", "jahr", "indikator"]
            if ebene == "sozialraum"
            else ["jahr", "indikator"]
        )
        got = got.sort_values(keys).reset_index(drop=True)
        want = want.sort_values(keys).reset_index(drop=True)
        assert got["unterdrueckt"].tolist() == want["unterdrueckt"].tolist()
        assert (
            got["unterdrueckt_grund"].fillna("").tolist()
            == want["unterdrueckt_grund"].fillna("").tolist()
        )
