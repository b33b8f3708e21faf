"""Benchmarks of the workbook, each printed as a ratio against a baseline run in this process.

``make bench`` (``.venv/bin/python benches/run.py [--wiederholungen 3]``) prints the batch table,
all measured in the same run, each as median ± half range over the repetitions:

- the plain loop (papermill CLI, then ``jupyter nbconvert --to html --no-input``, per
  Sozialraum, exactly as a shell script would do it) as the baseline;
- ``sozialraum render --force`` with 2 workers, with the cache of the previous run and with an
  empty one (then the inputs are validated again); the floor (the same pages' sections built by the
  package in one process, no kernel, no nbconvert); ``sozialraum render`` with nothing changed;
- the ratios against the targets, the sections of one report by time, the peak memory of the
  largest process, the HTML size per report;
- Berlin's 12 Bezirke (``examples/berlin-mss-2021/berlin.toml``) rendered the same way, with the
  same workers and a cache and output folder of their own in a temporary folder: time, pages,
  peak memory, largest page. It reads Berlin's published files in ``../shared/real/
  berlin-mss-2021`` beside the project; without them it prints "Berlin: übersprungen (…)";
- time per report and peak memory for synthetic cities of (areas, units) = (27, 6), (150, 20),
  (550, 12) and (600, 60), generated from a fixed seed (``--nur tabelle`` runs only this part);
- last, the summary: every target of the table with its measured value and "erfüllt" or
  "NICHT erfüllt".

``--engine NAME`` is passed on to every ``sozialraum render`` (the bench stops if ``sozialraum
render --help`` does not list ``--engine``); without it the option is left out. ``--quick`` is a
short run for development: one repetition, no run with an empty cache, and only (27, 6) and
(550, 12) in the scale table.

``--nur alt`` runs the older groups below (``--quick`` skips their render part). Absolute seconds
depend on the machine; the ratios are what to compare between versions:

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
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "config" / "oberhausen.toml"
NOTEBOOKS = ROOT / "notebooks"  # every city's reports run these notebooks
#: Berlin's MSS 2021: its published files lie beside the project, in ../shared/real/
BERLIN = ROOT / "examples" / "berlin-mss-2021" / "berlin.toml"


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
    from sozialraum.read.validate import load_inputs

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
    from sozialraum.compute.index import compute_index
    from sozialraum.read.validate import load_inputs

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
    from sozialraum.publish.batch import run_batch

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
    from sozialraum.compute.store import prepare
    from sozialraum.publish.gesamtstadtbericht import Gesamtstadtbericht
    from sozialraum.publish.sozialraumbericht import Sozialraumbericht

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
    from sozialraum.read.validate import load_inputs

    q = load_inputs(cfg).quartiere
    counts = q["sozialraum_id"].value_counts()
    return {s.name: int(counts.get(s.id, 0)) for s in cfg.sozialraeume}


# -- the batch table (make bench) -------------------------------------------------------------
#: Synthetic cities of the scale table: (areas, units), generated from SEED.
SIZES = [(27, 6), (150, 20), (550, 12), (600, 60)]
SEED = 1
BIN = Path(sys.executable).parent


def _child(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run ``cmd`` in a fresh wrapper; wall seconds and peak RSS (MB) of its largest process.

    ``RUSAGE_CHILDREN`` of the wrapper covers every process below it that was waited for: the
    CLI, its workers and their kernels; its ``ru_maxrss`` is that of the largest one.
    """
    import json
    import os
    import subprocess

    probe = (
        "import json, resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
        "dt = time.perf_counter() - t\n"
        "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps([rc, dt, rss]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *cmd],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    )
    rc, seconds, rss = json.loads(out.stdout.strip().splitlines()[-1])
    if rc != 0:
        said = "\n".join(out.stderr.strip().splitlines()[-20:])  # the command's own message
        raise RuntimeError(f"{cmd[0]} failed ({rc}): {' '.join(cmd)}\n{said}")
    return seconds, rss


def _stats(values: list[float]) -> str:
    med = statistics.median(values)
    spread = (max(values) - min(values)) / 2
    return f"{med:8.2f} ± {spread:5.2f}"


def _plain_loop(cfg, out: Path, store: Path) -> tuple[float, float]:
    """What a shell script does: papermill CLI, then nbconvert CLI, per Sozialraum."""
    import os
    import resource
    import subprocess

    nb = cfg.bericht_pfad("notebook_sozialraum")
    start = time.perf_counter()
    for s in cfg.sozialraeume:
        executed = out / f"{s.slug}.ipynb"
        subprocess.run(
            [
                str(BIN / "papermill"),
                str(nb),
                str(executed),
                "-p",
                "sozialraum",
                s.name,
                "-p",
                "config",
                str(cfg.pfad),
                "-p",
                "store",
                str(store),
                "--cwd",
                str(nb.parent),
                "-k",
                "python3",
                "--no-progress-bar",
            ],
            check=True,
            capture_output=True,
            env={**os.environ},
        )
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
            check=True,
            capture_output=True,
        )
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return time.perf_counter() - start, rss


def _floor(cfg, prepared, timings: dict[str, list[float]] | None = None) -> float:
    """The same pages' sections, built by the package in this process, one after the other."""
    from sozialraum.publish.gesamtstadtbericht import Gesamtstadtbericht
    from sozialraum.publish.sozialraumbericht import Sozialraumbericht

    unit_methods = _sections(cfg.bericht_pfad("notebook_sozialraum"))
    city_methods = _sections(cfg.bericht_pfad("notebook_gesamtstadt"))
    start = time.perf_counter()
    for s in cfg.sozialraeume:
        bericht = Sozialraumbericht(prepared, sozialraum_id=s.id)
        for name in unit_methods:
            t = time.perf_counter()
            getattr(bericht, name)()
            if timings is not None and s is cfg.sozialraeume[0]:
                timings.setdefault(name, []).append(time.perf_counter() - t)
    bericht = Gesamtstadtbericht(prepared)
    for name in city_methods:
        getattr(bericht, name)()
    return time.perf_counter() - start


@contextmanager
def _environ(env: dict[str, str]):
    """``os.environ`` with ``env`` added, restored afterwards (the cache folder of one city)."""
    import os

    before = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _render_cli(cfg, jobs: int, extra: list[str]) -> list[str]:
    """``sozialraum render`` for ``cfg`` with ``jobs`` workers (``extra``: e.g. ``--engine X``)."""
    cli = [str(BIN / "sozialraum"), "render", "--config", str(cfg.pfad), "--jobs", str(jobs)]
    return [*cli, *extra]


def engine_args(engine: str | None) -> list[str]:
    """``["--engine", engine]`` if given and ``sozialraum render --help`` lists it, else ``[]``."""
    import subprocess

    if engine is None:
        return []
    hilfe = subprocess.run(
        [str(BIN / "sozialraum"), "render", "--help"], capture_output=True, text=True, check=True
    ).stdout
    if "--engine" not in hilfe:
        raise SystemExit(
            f"--engine {engine}: `sozialraum render --help` kennt --engine (noch) nicht; "
            "den Benchmark ohne --engine starten."
        )
    return ["--engine", engine]


def bench_batch(cfg, repeat: int, jobs: int = 2, extra: list[str] = (), quick: bool = False):
    """The issue's table: plain loop, render --force, floor, unchanged re-run, per section.

    Returns the medians the summary needs (seconds, MB); ``quick`` leaves out the run with an
    empty cache.
    """
    from sozialraum.compute.store import prepare
    from sozialraum.publish.batch import _prepared_store

    with tempfile.TemporaryDirectory(prefix="bench-") as tmp, ExitStack() as stack:
        tmp = Path(tmp)
        env = {"SOZIALRAUM_CACHE": str(tmp / "cache")}
        stack.enter_context(_environ(env))
        prepared = prepare(cfg)
        store = _prepared_store(prepared, progress=False)
        cli = _render_cli(cfg, jobs, list(extra))
        loop, force, cold, floor, unchanged, prep = [], [], [], [], [], []
        rss_loop = rss_force = 0.0
        sections: dict[str, list[float]] = {}
        for i in range(repeat):
            print(f"  Wiederholung {i + 1}/{repeat} …", file=sys.stderr, flush=True)
            folder = tmp / f"schleife-{i}"
            folder.mkdir()
            seconds, rss = _plain_loop(cfg, folder, store)
            loop.append(seconds)
            rss_loop = max(rss_loop, rss)
            out = tmp / "berichte"
            seconds, rss = _child([*cli, "--out", str(out), "--force"], env)
            force.append(seconds)
            rss_force = max(rss_force, rss)
            unchanged.append(_child([*cli, "--out", str(out)], env)[0])
            # an empty cache: inputs validated and the index computed again, as after an edit
            kalt = {"SOZIALRAUM_CACHE": str(tmp / f"cache-leer-{i}")}
            if not quick:
                cold.append(_child([*cli, "--out", str(tmp / f"kalt-{i}"), "--force"], kalt)[0])
            start = time.perf_counter()
            prepare(cfg)
            prep.append(time.perf_counter() - start)
            floor.append(_floor(cfg, prepared, sections))
            print(
                f"  run {i + 1}: plain loop {loop[-1]:.1f} s, render --force {force[-1]:.1f} s, "
                f"empty cache {cold[-1] if cold else float('nan'):.1f} s, "
                f"floor {floor[-1]:.1f} s, "
                f"unchanged {unchanged[-1]:.2f} s",
                file=sys.stderr,
                flush=True,
            )
        year = out / str(cfg.methode.berichtsjahr)
        sizes = {p.stem: p.stat().st_size / 1e3 for p in sorted(year.glob("*.html"))}
    n = len(cfg.sozialraeume)
    m_loop, m_force = statistics.median(loop), statistics.median(force)
    m_floor, m_unch = statistics.median(floor), statistics.median(unchanged)
    print(
        f"\nBatch, {cfg.stadt.name}: {n} reports + overview + index, {jobs} workers, "
        f"median ± half range of {repeat} runs (seconds)"
    )
    print(f"  {'plain loop (papermill + nbconvert CLI, ' + str(n) + ' reports)':<58}{_stats(loop)}")
    m_cold = statistics.median(cold) if cold else float("nan")
    m_prep = statistics.median(prep)
    cold = cold or [float("nan")]
    print(f"  {'sozialraum render --force (7 pages + index)':<58}{_stats(force)}")
    print(f"  {'  the same with an empty cache (validates the inputs)':<58}{_stats(cold)}")
    print(f"  {'floor: the 7 pages in one process, sequential':<58}{_stats(floor)}")
    print(f"  {'  validating the inputs and computing the index':<58}{_stats(prep)}")
    print(f"  {'sozialraum render, nothing changed':<58}{_stats(unchanged)}")
    print("Ratios (targets in brackets)")
    print(f"  plain loop / render --force                  {m_loop / m_force:6.2f}   (>= 5)")
    print(f"  plain loop / render --force, empty cache     {m_loop / m_cold:6.2f}")
    print(
        f"  render --force / (floor / {jobs} workers)          "
        f"{m_force / (m_floor / jobs):6.2f}   (<= 1.25)"
    )
    print(
        f"  empty cache / (validation + floor / {jobs})        "
        f"{m_cold / (m_prep + m_floor / jobs):6.2f}"
    )
    print(f"  unchanged re-run                             {m_unch:6.2f} s (< 1 s)")
    print(
        f"Peak memory of the largest process: render --force {rss_force:.0f} MB, "
        f"plain loop {rss_loop:.0f} MB (target <= 500 MB per worker)"
    )
    print(f"Sections of one report ({cfg.sozialraeume[0].name}), median seconds:")
    for name, values in sorted(sections.items(), key=lambda kv: -statistics.median(kv[1])):
        print(f"  {name:<40}{statistics.median(values):7.3f}")
    print("HTML size per report (KB): " + ", ".join(f"{k} {v:.0f}" for k, v in sizes.items()))
    return {
        "pages": len(sizes),
        "loop": m_loop,
        "force": m_force,
        "floor": m_floor,
        "unchanged": m_unch,
        "rss": rss_force,
        "jobs": jobs,
        "city": cfg.stadt.name,
    }


def bench_berlin(repeat: int, jobs: int = 2, extra: list[str] = (), config: Path | None = None):
    """Berlin's 12 Bezirke (``render --force``), as the sample batch: time, pages, memory, size.

    Reads the published files beside the project (``../shared/real/berlin-mss-2021``); without
    them it says so and returns None. The cache and the reports go to a temporary folder; the
    cache is filled first (validation and index, in this process), as for the sample city.
    """
    import os

    from sozialraum.compute.store import prepare
    from sozialraum.config import load_config
    from sozialraum.publish.batch import _prepared_store

    cfg = load_config(config or BERLIN)
    files = [
        (cfg.basis / item.datei).resolve()
        for _, value in cfg.eingaben
        for item in (value if isinstance(value, list) else [value])
        if getattr(item, "datei", None)
    ]
    missing = [f for f in files if not f.exists()]
    if missing:
        folder = Path(os.path.commonpath(missing))
        shown = str(folder) if not folder.exists() else ", ".join(map(str, missing))
        print(f"\nBerlin: übersprungen (Dateien nicht gefunden: {shown})")
        return None
    force, rss_all, pages, biggest = [], 0.0, 0, ("", 0)
    with tempfile.TemporaryDirectory(prefix="bench-berlin-") as tmp, ExitStack() as stack:
        tmp = Path(tmp)
        env = {"SOZIALRAUM_CACHE": str(tmp / "cache")}
        stack.enter_context(_environ(env))
        _prepared_store(prepare(cfg), progress=False)
        cli = _render_cli(cfg, jobs, list(extra))
        for i in range(repeat):
            print(f"  Berlin, Wiederholung {i + 1}/{repeat} …", file=sys.stderr, flush=True)
            out = tmp / "berichte"
            seconds, rss = _child([*cli, "--out", str(out), "--force"], env)
            force.append(seconds)
            rss_all = max(rss_all, rss)
            print(f"  Berlin run {i + 1}: render --force {seconds:.1f} s", file=sys.stderr)
        html = sorted((out / str(cfg.methode.berichtsjahr)).glob("*.html"))
        pages = len(html)
        biggest = max(((p.stem, p.stat().st_size) for p in html), key=lambda kv: kv[1])
    m_force = statistics.median(force)
    print(
        f"\nBatch, Berlin MSS 2021: {len(cfg.sozialraeume)} Bezirke + overview + index "
        f"({pages} pages), {jobs} workers, median ± half range of {repeat} runs (seconds)"
    )
    print(f"  {'sozialraum render --force':<58}{_stats(force)}")
    print(
        f"  peak memory of the largest process {rss_all:.0f} MB; largest page {biggest[0]} "
        f"{biggest[1] / 1e6:.2f} MB"
    )
    return {"pages": pages, "force": m_force, "rss": rss_all, "page_mb": biggest[1] / 1e6}


def _own_peak_mb() -> float:
    """Peak RSS (MB) of this process's own memory since it started its program.

    ``ru_maxrss`` of ``RUSAGE_SELF`` is no use here: Linux carries it over an ``exec``, so a
    child of the bench reports at least the RSS the bench had when it started the child. The
    high-water mark ``VmHWM`` belongs to the program's own address space.
    """
    import resource

    try:
        for text in Path("/proc/self/status").read_text().splitlines():
            if text.startswith("VmHWM:"):
                return int(text.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _scale_one(areas: int, units: int, repeat: int) -> None:
    """Child process of bench_scale_table: one synthetic city, JSON on stdout."""
    import json
    import shutil

    from sozialraum.compute.store import prepare
    from sozialraum.config import load_config
    from sozialraum.synthetic import make_city

    with tempfile.TemporaryDirectory(prefix="bench-stadt-") as tmp:
        cfg = load_config(make_city(Path(tmp), areas=areas, units=units, seed=SEED))
        shutil.copytree(NOTEBOOKS, Path(tmp) / "notebooks")  # the project's report notebooks
        prepared = prepare(cfg)
        from sozialraum.publish.sozialraumbericht import Sozialraumbericht

        methods = _sections(cfg.bericht_pfad("notebook_sozialraum"))
        counts = prepared.inputs.quartiere["sozialraum_id"].value_counts()
        biggest = max(cfg.sozialraeume, key=lambda s: int(counts.get(s.id, 0)))
        times = []
        # one report first, not counted: a worker of a batch renders many, and the first one
        # of a process pays for loading fonts and warming caches, in every city alike
        for i in range(repeat + 1):
            start = time.perf_counter()
            bericht = Sozialraumbericht(prepared, sozialraum_id=biggest.id)
            for name in methods:
                getattr(bericht, name)()
            if i:
                times.append(time.perf_counter() - start)
    peak = _own_peak_mb()
    print(json.dumps({"times": times, "areas_in_unit": int(counts.get(biggest.id, 0)), "mb": peak}))


def bench_scale_table(repeat: int, sizes: list[tuple[int, int]] = SIZES) -> dict:
    """Time per report (the largest unit's sections) and peak memory per synthetic city.

    Returns ``{(areas, units): median seconds}`` and the peak MB over all of them.
    """
    import json
    import subprocess

    rows = []
    for areas, units in sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--_scale-one", str(areas), str(units), str(repeat)],
            capture_output=True,
            text=True,
            check=True,
        )
        data = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append((areas, units, data, data["mb"]))
    base = statistics.median(rows[0][2]["times"])
    print(
        f"\nScale: time per report (largest unit, sections in one process after one report not "
        f"counted, seed {SEED}), median ± half range of {repeat} runs"
    )
    print(
        f"  {'(areas, units)':<16}{'areas in unit':>14}{'seconds':>18}{'vs (27, 6)':>12}"
        f"{'peak MB':>10}"
    )
    for areas, units, data, rss in rows:
        med = statistics.median(data["times"])
        print(
            f"  {str((areas, units)):<16}{data['areas_in_unit']:>14}{_stats(data['times']):>18}"
            f"{med / base:>12.2f}{rss:>10.0f}"
        )
    print("  targets: (550, 12) and (600, 60) within 1.5x of (27, 6); peak <= 500 MB")
    return {
        "seconds": {(a, u): statistics.median(d["times"]) for a, u, d, _ in rows},
        "rss": max(rss for *_, rss in rows),
    }


def _row(label: str, value: float | None, fmt: str, target: str, ok: bool | None) -> str:
    shown = "–" if value is None else format(value, fmt)
    verdict = "nicht gemessen" if ok is None else ("erfüllt" if ok else "NICHT erfüllt")
    return f"| {label:<62} | {shown:>9} | {target:<9} | {verdict:<14} |"


def summary(batch: dict | None, berlin: dict | None, scale: dict | None, berlin_note: str) -> None:
    """The final table: every ratio of this run against its target."""
    import os
    from operator import ge, le, lt

    def check(value, limit, op):
        return None if value is None else op(value, limit)

    rows = []
    b = batch or {}
    n = b.get("pages", 8)
    loop_ratio = b["loop"] / b["force"] if batch else None
    rows.append(
        (
            f"plain loop / render --force ({b.get('city', 'sample city')}, {n} pages)",
            loop_ratio,
            ".2f",
            ">= 5",
            ge,
            5,
        )
    )
    cores = min(b.get("jobs", 2), os.cpu_count() or 1)
    floor_ratio = b["force"] / (b["floor"] / cores) if batch else None
    rows.append(
        (f"render --force / (floor / {cores} cores)", floor_ratio, ".2f", "<= 1.25", le, 1.25)
    )
    pages = f"{berlin['pages']} pages" if berlin else berlin_note
    berlin_ratio = berlin["force"] / b["force"] if berlin and batch else None
    rows.append(
        (
            f"Berlin batch ({pages}) / {b.get('city', 'sample')} batch ({n} pages)",
            berlin_ratio,
            ".2f",
            "<= 2",
            le,
            2,
        )
    )
    page = berlin["page_mb"] if berlin else None
    rows.append(("largest Berlin HTML page (MB)", page, ".2f", "<= 1.2 MB", le, 1.2))
    sec = (scale or {}).get("seconds", {})
    scale_ratio = sec[(550, 12)] / sec[(27, 6)] if (550, 12) in sec and (27, 6) in sec else None
    rows.append(("per report at 550 areas / at 27 areas", scale_ratio, ".2f", "<= 1.5", le, 1.5))
    unchanged = b.get("unchanged")
    rows.append(("unchanged re-run (s)", unchanged, ".2f", "< 1 s", lt, 1))
    peaks = [d["rss"] for d in (batch, berlin) if d]
    peak = max(peaks) if peaks else None
    label = "peak memory per worker (MB, render --force, largest process)"
    rows.append((label, peak, ".0f", "<= 500 MB", le, 500))
    print("\nSummary (all measured in this run)")
    print(f"| {'':<62} | {'measured':>9} | {'target':<9} | {'':<14} |")
    print(f"|{'-' * 64}|{'-' * 11}|{'-' * 11}|{'-' * 16}|")
    for label, value, fmt, target, op, limit in rows:
        print(_row(label, value, fmt, target, check(value, limit, op)))


def _load() -> str:
    """The load average of the machine: other processes running beside the bench skew it."""
    import os

    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="with --nur alt: skip the render benchmarks; otherwise a short run for development "
        "(1 repetition, no empty-cache run, scale table only (27, 6) and (550, 12))",
    )
    parser.add_argument(
        "--engine",
        help="passed on to `sozialraum render --engine` (only if its --help lists --engine)",
    )
    parser.add_argument(
        "--nur", choices=["scale", "batch", "tabelle", "alt"], help="run only this group"
    )
    parser.add_argument("--wiederholungen", type=int, default=3, help="repetitions (>= 3)")
    parser.add_argument("--_scale-one", nargs=3, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._scale_one:
        _scale_one(*args._scale_one)
        return 0
    extra = engine_args(args.engine)  # before anything runs: stops if render has no --engine
    from sozialraum.config import load_config

    cfg = load_config(CONFIG)
    if args.nur == "scale":
        bench_scale(cfg)
        return 0
    if args.nur == "alt":
        bench_validation(cfg)
        bench_index(cfg)
        bench_scale(cfg)
        if not args.quick:
            bench_render(cfg)
        return 0
    import os
    import platform

    print(
        f"Machine: {platform.node()}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {_load()}"
    )
    repeat = 1 if args.quick else args.wiederholungen
    batch = berlin = scale = None
    berlin_note = "not run"
    if args.nur in (None, "batch"):
        batch = bench_batch(cfg, repeat, extra=extra, quick=args.quick)
        berlin = bench_berlin(repeat, extra=extra)
        berlin_note = "übersprungen" if berlin is None else ""
    if args.nur in (None, "tabelle"):
        sizes = [(27, 6), (550, 12)] if args.quick else SIZES
        scale = bench_scale_table(repeat, sizes)
    summary(batch, berlin, scale, berlin_note)
    import os

    busy = os.getloadavg()[1] > (os.cpu_count() or 1)
    note = "above the number of CPUs: other work shared the machine" if busy else "a quiet machine"
    print(f"({_load()} at the end; {note})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
