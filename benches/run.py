"""Benchmarks of the workbook, each printed as a ratio against a baseline run in this process.

Run: ``make bench`` (or ``.venv/bin/python benches/run.py [--quick]``). Absolute seconds depend on
the machine; the ratios are what to compare between versions:

- validation: reading and checking every input vs. a bare ``pandas.read_csv`` of the same files
  (the price of the contract);
- index: ``compute_index`` on the city scaled up 100-fold vs. the city itself (should stay near
  linear: the ratio divided by 100 is the cost per Quartier relative to the small run);
- render: a report served from the cache vs. rendered; all reports with two worker processes vs.
  one (parallel speed-up);
- size: the report exported through our template vs. nbconvert's stock ``lab`` template.
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
        if isinstance(value, Path) and value.suffix == ".csv"
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the render benchmarks")
    args = parser.parse_args()
    from sozialraum.config import load_config

    cfg = load_config(CONFIG)
    bench_validation(cfg)
    bench_index(cfg)
    if not args.quick:
        bench_render(cfg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
