"""Benchmarks of the workbook, each printed as a ratio against a baseline run in this process.

Run: ``make bench`` (or ``.venv/bin/python benches/run.py [--quick]``). Absolute seconds depend on
the machine; the ratios are what to compare between versions:

- validation: reading and checking every input vs. a bare ``pandas.read_csv`` of the same files
  (the price of the contract);
- index: ``compute_index`` on the city scaled up 100-fold vs. the city itself (should stay near
  linear: the ratio divided by 100 is the cost per Quartier relative to the small run);
- render: a report served from the cache vs. rendered; all reports with two worker processes vs.
  one (parallel speed-up);
- size: the report exported through our template vs. nbconvert's stock ``lab`` template;
- scale: the sections of one report (everything the notebook builds, in this process) for a
  synthetic city of 542 areas in 12 units, and for Berlin's MSS 2021 when its published files
  lie beside the project, vs. one report of the sample city (targets: a unit report at most 3x,
  the city overview at most 5x one sample report).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "config" / "oberhausen.toml"
NOTEBOOKS = ROOT / "notebooks"  # every city's reports run these notebooks


def timed(fn, repeat: int = 3) -> float:
    """Median wall time of ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def line(name: str, base: float, value: float, unit: str = "s", note: str = "") -> None:
    print(
        f"{name:<44} baseline {base:9.3f} {unit}  measured {value:9.3f} {unit}  "
        f"ratio {value / base:7.2f}  {note}"
    )


def bench_validation(cfg) -> None:
    from sozialraum.validate import load_inputs

    files = [
        cfg.datei(name)
        for name, value in cfg.eingaben
        if name != "mentimeter" and value is not None and Path(value.datei).suffix == ".csv"
    ]

    def raw() -> None:
        for f in files:
            # latin-1 decodes any byte: the baseline does no detection and no checks at all
            pd.read_csv(f, sep=";", encoding="latin-1")

    line("validation: load_inputs vs bare read_csv", timed(raw), timed(lambda: load_inputs(cfg)))


def bench_index(cfg) -> None:
    from sozialraum.index import compute_index
    from sozialraum.validate import load_inputs

    inputs = load_inputs(cfg)
    q, bev, ind = inputs.quartiere, inputs.bevoelkerung, inputs.indikatoren
    factor = 100

    def scale(df: pd.DataFrame) -> pd.DataFrame:
        parts = [df.assign(quartier_id=df["quartier_id"] + f"-{k}") for k in range(factor)]
        out = pd.concat(parts, ignore_index=True)
        if "quartier" in out:
            out["quartier"] = out["quartier"] + " " + out["quartier_id"]
        return out

    big = (scale(pd.DataFrame(q.drop(columns="geometry"))), scale(bev), scale(ind))
    base = timed(lambda: compute_index(cfg, q, bev, ind))
    value = timed(lambda: compute_index(cfg, *big), repeat=1)
    line(
        f"index: {factor}x Quartiere vs 1x",
        base,
        value,
        note=f"(per Quartier: {value / base / factor:.2f} of the small run)",
    )


def bench_render(cfg) -> None:
    from sozialraum.batch import run_batch

    first = cfg.sozialraeume[0].name
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        cold = timed(
            lambda: run_batch(
                cfg, sozialraeume=[first], out=out, jobs=1, force=True, progress=False
            ),
            repeat=1,
        )
        warm = timed(
            lambda: run_batch(cfg, sozialraeume=[first], out=out, jobs=1, progress=False), repeat=1
        )
        line("render: cached vs rendered (1 report + overview)", cold, warm)
        one = timed(lambda: run_batch(cfg, out=out, jobs=1, force=True, progress=False), repeat=1)
        two = timed(lambda: run_batch(cfg, out=out, jobs=2, force=True, progress=False), repeat=1)
        line("render: all reports, 2 workers vs 1", one, two)
        slug = cfg.sozialraeume[0].slug
        bench_size(out / str(cfg.methode.berichtsjahr), slug)


def bench_size(year_dir: Path, slug: str) -> None:
    import nbformat
    from nbconvert import HTMLExporter

    page = year_dir / f"{slug}.html"
    ours = page.stat().st_size
    ours_external = page.read_text(encoding="utf-8").count('src="http')
    nb = nbformat.read(year_dir / f"{slug}.ipynb", as_version=4)
    stock = HTMLExporter(template_name="lab", exclude_input=True)
    body, _ = stock.from_notebook_node(nb)
    stock_external = body.count('src="http')
    line(
        "size: our template vs stock lab (KB)",
        len(body) / 1e3,
        ours / 1e3,
        unit="KB",
        note=f"(scripts loaded from servers: stock {stock_external}, ours {ours_external})",
    )


def _sections(notebook: Path) -> list[str]:
    """The report methods the notebook calls, in its order (``bericht.titel()`` …)."""
    import json
    import re

    nb = json.loads(notebook.read_text(encoding="utf-8"))
    calls = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            calls += re.findall(r"^bericht\.(\w+)\(\)", "".join(cell["source"]), re.M)
    return calls


def report_seconds(cfg, sozialraum: str | None, repeat: int = 3) -> float:
    """Median time to build every section of one report in this process (no kernel)."""
    from sozialraum.report import Gesamtstadtbericht, Sozialraumbericht
    from sozialraum.store import prepare

    prepared = prepare(cfg)  # validation and index are shared by the batch, not per report
    if sozialraum is None:
        methods = _sections(NOTEBOOKS / "gesamtstadt.ipynb")

        def build() -> None:
            bericht = Gesamtstadtbericht(prepared)
            for name in methods:
                getattr(bericht, name)()
    else:
        methods = _sections(NOTEBOOKS / "sozialraumbericht.ipynb")
        sr_id = cfg.sozialraum(sozialraum).id

        def build() -> None:
            bericht = Sozialraumbericht(prepared, sozialraum_id=sr_id)
            for name in methods:
                getattr(bericht, name)()

    return timed(build, repeat=repeat)


def bench_scale(cfg) -> None:
    from sozialraum.config import load_config
    from sozialraum.synthetic import make_city

    base = report_seconds(cfg, cfg.sozialraeume[0].name)
    cities = []
    with tempfile.TemporaryDirectory() as tmp:
        synth = load_config(make_city(Path(tmp), areas=542, units=12, seed=1))
        cities.append(("synthetic 542 areas / 12 units", synth))
        berlin = ROOT / "examples" / "berlin-mss-2021" / "berlin.toml"
        shared = ROOT.parent / "shared" / "real" / "berlin-mss-2021"
        if shared.is_dir():
            cities.append(("Berlin MSS 2021, 542 areas / 12 units", load_config(berlin)))
        else:
            print(f"(Berlin's published files not found in {shared}: Berlin left out)")
        for label, city in cities:
            sizes = city_sizes(city)
            biggest = max(sizes, key=sizes.get)
            unit = report_seconds(city, biggest)
            line(
                f"scale: {label}, largest unit ({sizes[biggest]} areas) vs sample report",
                base,
                unit,
                note="(target <= 3)",
            )
            overview = report_seconds(city, None, repeat=1)
            line(
                f"scale: {label}, city overview vs sample report",
                base,
                overview,
                note="(target <= 5)",
            )


def city_sizes(cfg) -> dict[str, int]:
    from sozialraum.validate import load_inputs

    q = load_inputs(cfg).quartiere
    counts = q["sozialraum_id"].value_counts()
    return {s.name: int(counts.get(s.id, 0)) for s in cfg.sozialraeume}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the render benchmarks")
    parser.add_argument("--nur", choices=["scale"], help="run only this group")
    args = parser.parse_args()
    from sozialraum.config import load_config

    cfg = load_config(CONFIG)
    if args.nur == "scale":
        bench_scale(cfg)
        return 0
    bench_validation(cfg)
    bench_index(cfg)
    bench_scale(cfg)
    if not args.quick:
        bench_render(cfg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
