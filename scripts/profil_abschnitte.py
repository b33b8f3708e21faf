"""CPU seconds per report section, built in one process without a kernel (the "floor").

Every report is built once, as in a batch (a report built twice would find its own work in
the process caches and look faster than any real run):

* ``sample``: the sample city (``config/oberhausen.toml``); one report to warm the process
  (fonts, imports), then every other Sozialraum once, mean per section; then the overview.
* ``s27``, ``s550``: synthetic cities of 27 and 550 areas (12 units for 550, 6 for 27); the
  smallest unit to warm up, then the largest unit's report once.
* ``s600``: the overview of a synthetic city of 600 areas in 60 units.

CPU time (``time.process_time``) because the machine may be shared; ``--profil SECTION``
writes a cProfile of that section (or ``all``) to ``--ausgabe``.

    PYTHONPATH=lib python scripts/profil_abschnitte.py sample s27 s550 s600
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benches"))

SYNTHETISCH = {"s27": (27, 6), "s550": (550, 12), "s600": (600, 60)}


def main() -> int:
    import run as bench  # benches/run.py: the notebooks' section calls

    from sozialraum.compute.store import prepare
    from sozialraum.config import load_config
    from sozialraum.publish.gesamtstadtbericht import Gesamtstadtbericht
    from sozialraum.publish.sozialraumbericht import Sozialraumbericht
    from sozialraum.synthetic import make_city

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("staedte", nargs="*", default=["sample", "s27", "s550", "s600"])
    parser.add_argument("--profil", help="section to profile (or 'all')")
    parser.add_argument("--ausgabe", default="profil.pstats", help="cProfile output file")
    args = parser.parse_args()

    profile = cProfile.Profile()
    gc_zeit = {"t": 0.0, "start": 0.0}

    def gc_uhr(phase: str, _info: dict) -> None:
        if phase == "start":
            gc_zeit["start"] = time.process_time()
        else:
            gc_zeit["t"] += time.process_time() - gc_zeit["start"]

    gc.callbacks.append(gc_uhr)

    def build(bericht, methods: list[str], acc: dict[str, list[float]] | None) -> None:
        for name in methods:
            on = acc is not None and args.profil in (name, "all")
            start = time.process_time()
            if on:
                profile.enable()
            getattr(bericht, name)()
            if on:
                profile.disable()
            if acc is not None:
                acc.setdefault(name, []).append(time.process_time() - start)

    def show(label: str, acc: dict[str, list[float]], gc_s: float) -> float:
        mean = {k: sum(v) / len(v) for k, v in acc.items()}
        total = sum(mean.values())
        n = len(next(iter(acc.values())))
        print(f"== {label}: {total:.3f} s per report (n={n}, of it gc {gc_s / n:.3f} s)")
        print("   " + "  ".join(f"{k}={v:.3f}" for k, v in mean.items() if v >= 0.0005))
        return total

    unit_methods = bench._sections(ROOT / "notebooks" / "sozialraumbericht.ipynb")
    city_methods = bench._sections(ROOT / "notebooks" / "gesamtstadt.ipynb")
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="profil-") as tmp:
        for stadt in args.staedte:
            if stadt == "sample":
                cfg = load_config(ROOT / "config" / "oberhausen.toml")
            else:
                areas, units = SYNTHETISCH[stadt]
                cfg = load_config(make_city(Path(tmp) / stadt, areas=areas, units=units, seed=1))
                shutil.copytree(ROOT / "notebooks", Path(tmp) / stadt / "notebooks")
            prepared = prepare(cfg)
            counts = prepared.inputs.quartiere["sozialraum_id"].value_counts()
            by_size = sorted(cfg.sozialraeume, key=lambda s: int(counts.get(s.id, 0)))
            if stadt != "s600":
                first = cfg.sozialraeume[0] if stadt == "sample" else by_size[0]
                build(Sozialraumbericht(prepared, sozialraum_id=first.id), unit_methods, None)
                todo = cfg.sozialraeume[1:] if stadt == "sample" else [by_size[-1]]
                acc: dict[str, list[float]] = {}
                gc0 = gc_zeit["t"]
                for s in todo:
                    build(Sozialraumbericht(prepared, sozialraum_id=s.id), unit_methods, acc)
                areas_in = int(counts.get(todo[-1].id, 0))
                label = f"{stadt}: report of a unit ({areas_in} areas)"
                results[stadt] = show(label, acc, gc_zeit["t"] - gc0)
            if stadt in ("sample", "s600"):
                acc = {}
                gc0 = gc_zeit["t"]
                build(Gesamtstadtbericht(prepared), city_methods, acc)
                label = f"{stadt}: overview"
                results[f"{stadt}-overview"] = show(label, acc, gc_zeit["t"] - gc0)
    if {"s550", "s27"} <= results.keys():
        print(f"s550 / s27 unit report: {results['s550'] / results['s27']:.2f} (target <= 1.5)")
    if {"s600-overview", "sample-overview"} <= results.keys():
        ratio = results["s600-overview"] / results["sample-overview"]
        print(f"s600 overview / sample overview: {ratio:.2f} (target <= 2)")
    if args.profil:
        profile.dump_stats(args.ausgabe)
        print(f"profile written to {args.ausgabe}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
