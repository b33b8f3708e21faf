"""A published index taken over as it is: scores, composites, given classes, quantile classes.

Uses the hand-computed example of ``test_index.py`` (five Quartiere, Q5 below the minimum
population) for the engine, and the mini city of ``fixtures_city.py`` for reading and rendering.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fixtures_city import make_city, with_project_notebooks
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from test_index import BEVOELKERUNG, QUARTIERE, indikatoren, make_cfg

from sozialraum.compute import gegeben as gg
from sozialraum.compute import index as ix
from sozialraum.compute import klassen as kx
from sozialraum.config import ConfigError, load_config
from sozialraum.config_klassen import Klassen
from sozialraum.read.validate import validate

LABELS = ["hoch", "mittel", "niedrig"]
FARBEN = ["#111111", "#222222", "#333333"]
RATED = ["Q1", "Q2", "Q3", "Q4"]  # Q5 is below the minimum population


def klassen(**kw: object) -> Klassen:
    kw.setdefault("labels", LABELS)
    kw.setdefault("farben", FARBEN)
    return Klassen(**kw)


def cfg_mit(status: Klassen):
    """The test config with a given status index (the config check for the file is skipped)."""
    cfg = make_cfg()
    return cfg.model_copy(update={"methode": cfg.methode.model_copy(update={"status": status})})


def run(status: Klassen, gegeben: pd.DataFrame) -> ix.IndexResult:
    return ix.compute_index(cfg_mit(status), QUARTIERE, BEVOELKERUNG, indikatoren(), None, gegeben)


def by_id(res: ix.IndexResult, column: str) -> dict:
    return dict(zip(res.index["quartier_id"], res.index[column], strict=True))


# -- quantiles --------------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.integers(-5000, 5000).map(lambda x: x / 100), min_size=6, max_size=200, unique=True
    ),
    st.integers(2, 6),
)
def test_quantile_classes_give_n_nearly_equal_groups(values, n):
    werte = pd.Series(values)
    limits = kx.quantil_schwellen(werte, n)
    stufe = kx.klassieren(werte, limits)
    sizes = stufe.value_counts().reindex(range(n), fill_value=0)
    assert len(limits) == n - 1 and limits == sorted(limits)
    assert sizes.sum() == len(values)
    assert sizes.max() - sizes.min() <= 1


def test_quantile_limits_of_the_engine_are_in_the_result_and_split_the_rated_areas():
    status = klassen(
        quelle="wert", spalte="idx", schwellen_typ="quantile", labels=["a", "b"], farben=FARBEN[:2]
    )
    werte = {"Q1": 4.0, "Q2": 1.0, "Q3": 3.0, "Q4": 2.0, "Q5": 100.0}
    res = run(
        status, pd.DataFrame({"quartier_id": list(werte), "status_wert": list(werte.values())})
    )
    rated = sorted(werte[q] for q in RATED)
    assert res.schwellen["status"] == [pytest.approx((rated[1] + rated[2]) / 2)]
    klasse = by_id(res, "status_klasse")
    assert [klasse[q] for q in ("Q2", "Q4", "Q3", "Q1")] == ["a", "a", "b", "b"]
    assert klasse["Q5"] == kx.NICHT_BEWERTET  # excluded areas stay out of the quantiles


# -- scores and composites --------------------------------------------------------------------
TEILE = pd.DataFrame(
    {
        "quartier_id": ["Q1", "Q2", "Q3", "Q4", "Q5"],
        "status_teil_0": [0.5, -1.5, 2.0, 0.25, 9.0],
        "status_teil_1": [1.5, -0.5, 1.0, np.nan, 9.0],
        "status_teil_2": [-0.5, 0.0, 0.5, 0.75, 9.0],
    }
)
TEILINDIZES = [{"spalte": "A"}, {"spalte": "B"}, {"spalte": "C"}]


def test_composite_mean_of_published_sub_indices():
    status = klassen(
        quelle="wert", teilindizes=TEILINDIZES, schwellen_typ="fest", schwellen=[-0.5, 0.5]
    )
    res = run(status, TEILE)
    teile = TEILE.set_index("quartier_id")
    wert = by_id(res, "statusindex")
    for q in ("Q1", "Q2", "Q3"):
        assert wert[q] == pytest.approx(teile.loc[q].mean())
    assert np.isnan(wert["Q4"])  # one sub-index missing: no mean over fewer parts
    assert by_id(res, "status_klasse")["Q4"] == kx.KEINE_ANGABE
    assert "„B“" in by_id(res, "ausschluss_grund")["Q4"]
    expected = kx.klassieren(
        pd.Series([teile.loc[q].mean() for q in ("Q1", "Q2", "Q3")]), [-0.5, 0.5]
    )
    assert [by_id(res, "status_stufe")[q] for q in ("Q1", "Q2", "Q3")] == expected.tolist()


def test_composite_weighted_sum_uses_the_published_weights():
    gewichte = [0.5, 0.3, 0.2]
    teil = [{"spalte": s, "gewicht": w} for s, w in zip("ABC", gewichte, strict=True)]
    status = klassen(
        quelle="wert",
        teilindizes=teil,
        zusammensetzung="gewichtet",
        schwellen_typ="fest",
        schwellen=[0.0, 1.0],
    )
    res = run(status, TEILE)
    teile = TEILE.set_index("quartier_id")
    wert = by_id(res, "statusindex")
    for q in ("Q1", "Q2", "Q3"):
        expected = sum(w * teile.loc[q, f"status_teil_{k}"] for k, w in enumerate(gewichte))
        assert wert[q] == pytest.approx(expected)


def test_given_scores_are_not_recomputed_and_classed_by_thresholds():
    werte = {"Q1": -1.2, "Q2": 0.3, "Q3": 1.0, "Q4": 2.5, "Q5": 0.0}
    frame = pd.DataFrame({"quartier_id": list(werte), "status_wert": list(werte.values())})
    fest = run(
        klassen(quelle="wert", spalte="X", schwellen_typ="fest", schwellen=[-1.0, 1.0]), frame
    )
    assert {q: by_id(fest, "statusindex")[q] for q in RATED} == {q: werte[q] for q in RATED}
    expected = kx.klassieren(pd.Series([werte[q] for q in RATED]), [-1.0, 1.0])
    assert [by_id(fest, "status_stufe")[q] for q in RATED] == expected.tolist()
    sd = run(klassen(quelle="wert", spalte="X", schwellen=[-1.0, 1.0]), frame)
    basis = np.array([werte[q] for q in RATED])
    mean, std = basis.mean(), basis.std()
    assert sd.schwellen["status"] == pytest.approx([mean - std, mean + std])
    # the dynamics index is still computed from the indicators, as before
    assert by_id(sd, "dynamik_klasse") == by_id(
        ix.compute_index(make_cfg(), QUARTIERE, BEVOELKERUNG, indikatoren()), "dynamik_klasse"
    )


def test_given_classes_are_taken_over_unchanged_and_carry_no_number():
    codes = {"Q1": "3", "Q2": "1", "Q3": "2", "Q4": "", "Q5": "1"}
    frame = pd.DataFrame({"quartier_id": list(codes), "status_klasse": list(codes.values())})
    frame.loc[frame["status_klasse"] == "", "status_klasse"] = None
    status = klassen(quelle="klasse", spalte="K", klassenwerte=["1", "2", "3"])
    res = run(status, frame)
    klasse = by_id(res, "status_klasse")
    for q in ("Q1", "Q2", "Q3"):
        assert klasse[q] == LABELS[status.klassenwerte.index(codes[q])]
    assert klasse["Q4"] == kx.KEINE_ANGABE and klasse["Q5"] == kx.NICHT_BEWERTET
    assert res.index["statusindex"].isna().all()
    assert res.schwellen["status"] == []
    assert kx.klassen_tabelle(status, [])["von"].isna().all()


def test_gegebener_wert_aligns_by_id_not_by_row():
    frame = pd.DataFrame({"quartier_id": ["b", "a"], "status_wert": [2.0, 1.0]})
    out = gg.gegebener_wert(
        "status",
        klassen(quelle="wert", spalte="X", schwellen=[0.0, 1.0]),
        frame,
        pd.Index(["a", "b", "c"]),
    )
    assert out.tolist()[:2] == [1.0, 2.0] and np.isnan(out.iloc[2])


# -- config -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kw", "fragment"),
    [
        ({"quelle": "wert", "schwellen": [0.0, 1.0]}, "entweder spalte"),
        (
            {"quelle": "wert", "spalte": "X", "teilindizes": TEILINDIZES, "schwellen": [0.0, 1.0]},
            "nicht beides",
        ),
        ({"quelle": "klasse", "spalte": "K", "klassenwerte": ["1", "2"]}, "3 Einträgen"),
        ({"quelle": "klasse", "spalte": "K", "klassenwerte": ["1", "1", "2"]}, "mehrfach"),
        (
            {
                "quelle": "klasse",
                "spalte": "K",
                "klassenwerte": ["1", "2", "3"],
                "schwellen": [0.0, 1.0],
            },
            "schwellen weglassen",
        ),
        ({"schwellen_typ": "quantile", "schwellen": [0.0, 1.0]}, "schwellen weglassen"),
        (
            {
                "quelle": "wert",
                "teilindizes": [{"spalte": "A"}, {"spalte": "B"}],
                "zusammensetzung": "gewichtet",
                "schwellen": [0.0, 1.0],
            },
            "gewicht für jeden",
        ),
        (
            {
                "quelle": "wert",
                "teilindizes": [{"spalte": "A", "gewicht": 2}, {"spalte": "B"}],
                "schwellen": [0.0, 1.0],
            },
            "ein Mittelwert hat keine Gewichte",
        ),
        ({"spalte": "X", "schwellen": [0.0, 1.0]}, 'quelle = "wert"'),
        ({}, "schwellen fehlt"),
    ],
)
def test_inconsistent_index_source_is_a_german_config_error(kw, fragment):
    with pytest.raises(ValidationError, match=fragment):
        klassen(**kw)


def test_quantile_classes_need_no_thresholds():
    k = klassen(schwellen_typ="quantile")
    assert k.schwellen == [] and len(k.labels) == 3


def _gegeben_config(spalte: str = "Armut"):
    def edit(text: str) -> str:
        text = text.replace(
            "[methode.status]\nschwellen = [-1.0, 1.0]\n",
            f'[methode.status]\nquelle = "wert"\nspalte = "{spalte}"\nschwellen_typ = "quantile"\n',
        )
        return with_project_notebooks(
            text + '\n[eingaben.index]\ndatei = "../data/index.csv"\n'
            'spalten = { quartier_id = "Gebiet" }\nfehlwerte = ["-"]\n'
        )

    return edit


INDEX_CSV = "Gebiet;Armut;Klasse\n01;-0,8;A\n02;0,4;B\n03;1,3;C\n04;-;B\n"


def _city(tmp_path, csv: str = INDEX_CSV, **kw) -> object:
    path = make_city(tmp_path, config=_gegeben_config(**kw))
    (tmp_path / "data" / "index.csv").write_text(csv, encoding="utf-8")
    return load_config(path)


def test_given_index_without_its_file_is_a_config_error(tmp_path):
    path = make_city(
        tmp_path,
        config=lambda t: t.replace(
            "[methode.status]\n", '[methode.status]\nquelle = "wert"\nspalte = "X"\n'
        ),
    )
    with pytest.raises(ConfigError, match=r"\[eingaben.index\]"):
        load_config(path)


def test_unknown_column_names_file_and_column(tmp_path):
    report = validate(_city(tmp_path, spalte="Armutt"))
    fehler = [p for p in report.fehler if p.spalte == "Armutt"]
    assert len(fehler) == 1, report.text()
    p = fehler[0]
    assert p.datei.endswith("data/index.csv") and p.zeile == 1
    assert "[methode.status] spalte" in p.meldung and "Armut" in (p.erwartet or "")
    assert p.vorschlag == "Armut"


def test_bad_score_and_missing_row_are_reported_with_row_and_column(tmp_path):
    csv = "Gebiet;Armut\n01;-0,8\n02;hoch\n03;1,3\n"
    report = validate(_city(tmp_path, csv=csv))
    texts = [str(p) for p in report.fehler]
    assert any("Zeile 3" in t and "Armut" in t and "keine Zahl" in t for t in texts), texts
    assert any("Weststadt" in t and "(ID 04) fehlt" in t for t in texts), texts
    assert report.inputs is None


def test_given_class_outside_klassenwerte_names_row_column_and_expected(tmp_path):
    def edit(text: str) -> str:
        text = text.replace(
            "[methode.status]\nschwellen = [-1.0, 1.0]\n",
            '[methode.status]\nquelle = "klasse"\nspalte = "Klasse"\n'
            'klassenwerte = ["A", "B", "C"]\n',
        )
        return (
            text + '\n[eingaben.index]\ndatei = "../data/index.csv"\n'
            'spalten = { quartier_id = "Gebiet" }\n'
        )

    path = make_city(tmp_path, config=edit)
    (tmp_path / "data" / "index.csv").write_text(
        "Gebiet;Klasse\n01;A\n02;D\n03;C\n04;B\n", encoding="utf-8"
    )
    report = validate(load_config(path))
    (p,) = report.fehler
    assert (p.zeile, p.spalte, p.wert) == (3, "Klasse", "D")
    assert "klassenwerte" in p.meldung and "„A“ (hoch)" in p.erwartet


def test_declared_missing_value_gives_keine_angabe_with_the_column(tmp_path):
    report = validate(_city(tmp_path))
    assert report.ok, report.text()
    assert report.inputs.index.set_index("quartier_id")["status_wert"].isna().tolist() == [
        False,
        False,
        False,
        True,
    ]


@pytest.mark.slow
def test_report_of_a_given_index_states_its_source(tmp_path):
    from bs4 import BeautifulSoup

    from sozialraum.publish.batch import run_batch

    cfg = _city(tmp_path / "stadt")
    result = run_batch(
        cfg, sozialraeume=["Nord"], gesamtstadt=False, out=tmp_path / "aus", jobs=1, progress=False
    )
    assert result.render.ok, [f.message for f in result.render.failed]
    html = (tmp_path / "aus" / "2023" / "nord.html").read_text(encoding="utf-8")
    text = " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())
    assert "wie veröffentlicht übernommen: Spalte „Armut“ der Datei index.csv" in text
    assert "Quantile des Index), angewandte Grenzen bei" in text
    assert "Der Statusindex ist der Mittelwert der z-Werte" not in text
