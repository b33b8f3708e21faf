import contextlib
import io
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from notizbuch import notizbuch

from sozialraum.publish import jobs, render
from sozialraum.publish.ausgabe import write_atomic
from sozialraum.publish.export import add_table_of_contents, keep_units_with_numbers
from sozialraum.publish.jobs import Job, cache_key
from sozialraum.publish.render import render_reports
from sozialraum.publish.startseite import IndexEntry, write_index_page

NOTEBOOKS = Path(__file__).parent / "notebooks"
OK = NOTEBOOKS / "ok.ipynb"
BROKEN = NOTEBOOKS / "broken.ipynb"
WERT = "Wert <&> 1"


def ok_job(wert: str = WERT, output: str = "ok.html") -> Job:
    return Job("ok", OK, {"wert": wert}, Path(output), title="Testbericht »ok«")


@pytest.fixture(scope="module")
def batch(tmp_path_factory, cfg):
    """One real run (papermill + nbconvert) of a good and a broken notebook, in parallel."""
    out = tmp_path_factory.mktemp("berichte")
    jobs = [ok_job(), Job("broken", BROKEN, {"wert": "x"}, Path("broken.html"))]
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        result = render_reports(
            cfg, notebook_jobs=jobs, out_dir=out, jobs=2, force=False, progress=True
        )
    return result, out, stderr.getvalue()


@pytest.fixture(scope="module")
def page(batch):
    _, out, _ = batch
    return (out / "ok.html").read_text(encoding="utf-8")


# -- the rendered page --------------------------------------------------------------------------
def test_page_shows_the_parameter_through_an_html_output(page):
    assert '<p class="wert">Wert: Wert &lt;&amp;&gt; 1</p>' in page


def test_page_has_no_code_prompts_or_console_output(page):
    assert "In [" not in page and "In&nbsp;[" not in page
    assert "kennung_im_code" not in page  # code cell source
    assert "display(HTML" not in page
    assert "KONSOLENAUSGABE" not in page  # print()
    assert "WARNUNG-IM-BERICHT" not in page  # warnings (stderr)
    assert "REPR-AM-ZELLENENDE" not in page  # bare repr of the last value
    assert "ENTFERNTE-ZELLE" not in page  # cell tagged "remove"
    assert "{{" not in page and "{%" not in page


def test_page_loads_nothing_from_the_network(page):
    soup = BeautifulSoup(page, "html.parser")
    assert not [s for s in soup.find_all("script") if s.get("src")]
    assert not [link for link in soup.find_all("link") if link.get("href")]
    for tag in soup.find_all(src=True):
        assert not re.match(r"https?://", tag["src"])
    assert "@import" not in page


def test_page_is_accessible_and_has_a_table_of_contents(page):
    soup = BeautifulSoup(page, "html.parser")
    assert soup.html["lang"] == "de"
    assert soup.title.string == "Testbericht »ok«"
    skip = soup.find("a", class_="skip-link")
    assert skip["href"] == "#inhalt" and soup.find("main")["id"] == "inhalt"
    nav = soup.find("nav")
    links = {a.get_text(): a["href"] for a in nav.find_all("a")}
    assert links == {
        "Einleitung": "#einleitung",
        "Ergebnis": "#ergebnis",
        "Unterabschnitt": "#unterabschnitt",
    }
    # the heading from a markdown cell and those from HTML outputs carry the ids
    assert soup.find("h2", id="einleitung") and soup.find("h2", id="ergebnis")
    # h3 nested below its h2
    assert nav.find("a", href="#unterabschnitt").find_parent("li").find_parent("li")
    assert soup.find("img")["alt"] == "Testbild mit Alternativtext"


def test_page_is_small(page):
    # the stock `lab` template is ~280 KB for this notebook; ours carries its CSS (print and phone
    # rules included), the CSP and the navigation: about 21 KB
    assert len(page.encode()) < 24_000


def test_executed_notebook_is_kept_beside_the_page(batch):
    _, out, _ = batch
    nb = nbformat.read(out / "ok.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and "Wert <&> 1" in injected[0].source
    assert (out / "ok.key").is_file()


# -- failures -----------------------------------------------------------------------------------
def test_broken_job_fails_with_cell_and_error_while_the_other_succeeds(batch):
    result, out, _ = batch
    assert [j.slug for j in result.done] == ["ok"]
    assert result.skipped == []
    assert not result.ok
    [failure] = result.failed
    assert failure.job.slug == "broken"
    assert failure.ename == "ValueError"
    assert failure.evalue == "kaputt mit Absicht: x"
    assert failure.cell_source == "x = 1"
    # parameters(0), injected parameters(1), markdown(2), failing cell(3)
    assert failure.cell_index == 3
    assert failure.executed_notebook == out / "broken.ipynb"
    failed_nb = failure.executed_notebook.read_text(encoding="utf-8")
    assert "papermill-error-cell-tag" in failed_nb
    assert not (out / "broken.html").exists()
    assert not (out / "broken.key").exists()
    assert "x = 1" in failure.message and "ValueError: kaputt mit Absicht: x" in failure.message


def test_progress_names_each_report_with_count(batch):
    _, _, stderr = batch
    assert re.search(r"\[\d/2\] ok: fertig in \d+,\d s", stderr)
    assert re.search(r"\[\d/2\] broken: FEHLER", stderr)


def test_progress_is_quiet_when_stderr_is_no_terminal():
    stream = io.StringIO()
    bar = render._Progress(total=1, enabled=None, stream=stream)
    bar.report("ok", "fertig")
    assert stream.getvalue() == ""


def test_missing_notebook_fails_that_job_without_raising(cfg, tmp_path):
    job = Job("fehlt", tmp_path / "gibt-es-nicht.ipynb", {}, Path("fehlt.html"))
    result = render_reports(cfg, notebook_jobs=[job], out_dir=tmp_path, progress=False)
    assert [f.ename for f in result.failed] == ["FileNotFoundError"]


def test_duplicate_outputs_are_rejected(cfg, tmp_path):
    with pytest.raises(ValueError, match="slug"):
        render_reports(
            cfg, notebook_jobs=[ok_job(), ok_job(output="b.html")], out_dir=tmp_path, jobs=1
        )


# -- cache --------------------------------------------------------------------------------------
def test_unchanged_report_is_skipped_and_rerendered_on_force_or_new_parameters(cfg, tmp_path):
    def run(job, **kw):
        return render_reports(
            cfg, notebook_jobs=[job], out_dir=tmp_path, jobs=1, progress=False, **kw
        )

    first = run(ok_job(), data_fingerprint="daten-1")
    assert [j.slug for j in first.done] == ["ok"]
    html = tmp_path / "ok.html"
    before = html.stat().st_mtime_ns

    second = run(ok_job(), data_fingerprint="daten-1")
    assert [j.slug for j in second.skipped] == ["ok"] and second.done == []
    assert html.stat().st_mtime_ns == before

    forced = run(ok_job(), data_fingerprint="daten-1", force=True)
    assert [j.slug for j in forced.done] == ["ok"]

    changed = run(ok_job(wert="Anderer Wert"), data_fingerprint="daten-1")
    assert [j.slug for j in changed.done] == ["ok"]
    assert "Wert: Anderer Wert" in html.read_text(encoding="utf-8")


def test_cache_key_covers_data_notebook_parameters_and_title(tmp_path):
    notebook = tmp_path / "nb.ipynb"
    shutil.copy(OK, notebook)
    job = Job("a", notebook, {"x": 1, "y": "z"}, Path("a.html"))
    base = cache_key("daten", job)
    assert cache_key("daten", Job("a", notebook, {"y": "z", "x": 1}, Path("a.html"))) == base
    assert cache_key("daten-neu", job) != base
    assert cache_key("daten", Job("a", notebook, {"x": 2, "y": "z"}, Path("a.html"))) != base
    assert cache_key("daten", Job("a", notebook, {"x": 1, "y": "z"}, Path("a.html"), "T")) != base
    notebook.write_bytes(notebook.read_bytes() + b"\n")
    assert cache_key("daten", job) != base


def test_code_fingerprint_names_version_and_templates():
    fingerprint = jobs.code_fingerprint()
    assert "version=" in fingerprint and "templates=" in fingerprint


# -- atomic write -------------------------------------------------------------------------------
def test_write_atomic_leaves_nothing_when_producing_fails(tmp_path):
    target = tmp_path / "bericht.html"

    def kaputt():
        raise RuntimeError("Export gescheitert")

    with pytest.raises(RuntimeError):
        write_atomic(target, kaputt)
    assert list(tmp_path.iterdir()) == []
    write_atomic(target, "<p>fertig</p>")
    assert target.read_text(encoding="utf-8") == "<p>fertig</p>"
    assert [p.name for p in tmp_path.iterdir()] == ["bericht.html"]


def test_failed_export_leaves_no_html_file(tmp_path, monkeypatch):
    def kaputt(*args, **kwargs):
        raise RuntimeError("Export gescheitert")

    monkeypatch.setattr(render, "export_html", kaputt)
    job = Job("ok", OK, {"wert": "x"}, tmp_path / "ok.html")
    outcome = render._render_job(job, "schluessel", {})  # in-process, so the patch applies
    assert outcome.failure["ename"] == "RuntimeError"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.ipynb"]  # no html, tmp or key


# -- table of contents --------------------------------------------------------------------------
def test_table_of_contents_gives_unique_ids_and_keeps_existing_ones():
    page = (
        "<html><body><!-- sozialraum:inhaltsverzeichnis --><main id='inhalt'>"
        "<h2>Ergebnis</h2><h3 id='eigen'>Teil &amp; Rest</h3><h2>Ergebnis</h2>"
        "<h2>Inhalt</h2></main><h2>Fußzeile</h2></body></html>"
    )
    soup = BeautifulSoup(add_table_of_contents(page), "html.parser")
    hrefs = [a["href"] for a in soup.nav.find_all("a")]
    assert hrefs == ["#ergebnis", "#eigen", "#ergebnis-2", "#inhalt-2"]
    assert soup.nav.find("a", href="#eigen").get_text() == "Teil & Rest"


def test_percent_sign_stays_on_the_line_of_its_number_and_text_stays_escaped():
    page = (
        "<html><body><main><p>Quote 24,5 % &lt;b&gt;x&lt;/b&gt;</p><td>7 %</td>"
        "<p>100 % und mehr</p><pre>3 %</pre><p>ein % allein</p>"
        "<a download='a.csv' href='data:text/csv,1 %'>CSV</a></main></body></html>"
    )
    soup = BeautifulSoup(keep_units_with_numbers(page), "html.parser")
    texts = [tag.get_text() for tag in soup.find_all(["p", "td", "pre"])]
    assert texts == [
        "Quote 24,5\u00a0% <b>x</b>",
        "7\u00a0%",
        "100\u00a0% und mehr",
        "3 %",
        "ein % allein",
    ]
    assert soup.a["href"] == "data:text/csv,1 %", "attributes (CSV downloads) keep plain spaces"
    assert "&lt;b&gt;" in keep_units_with_numbers(page), "replaced text is escaped again"


def test_table_of_contents_is_left_out_without_headings():
    page = "<html><body><!-- sozialraum:inhaltsverzeichnis --><main><p>x</p></main></body></html>"
    result = add_table_of_contents(page)
    assert "<nav" not in result and "inhaltsverzeichnis" not in result


# -- index page ---------------------------------------------------------------------------------
def test_index_page_links_reports_and_escapes_data(cfg, tmp_path):
    year = tmp_path / "2023"
    entries = [
        Job("mitte-styrum", OK, {}, year / "mitte-styrum.html", title="Mitte/Styrum <b>"),
        Job("gesamtstadt", OK, {}, year / "gesamtstadt.html", title="Gesamtstadt"),
        IndexEntry("Extra", "extra.html", beschreibung="<script>alert(1)</script>"),
    ]
    out = write_index_page(
        cfg, entries, year / "index.html", '<figure><svg role="img"></svg></figure>'
    )
    text = out.read_text(encoding="utf-8")
    soup = BeautifulSoup(text, "html.parser")
    assert soup.html["lang"] == "de"
    assert (
        soup.title.string
        == f"Berichte der Sozialräume – {cfg.stadt.name}, Sozialbericht {cfg.methode.berichtsjahr}"
    )
    hrefs = [a["href"] for a in soup.main.find_all("a")]
    assert hrefs == ["gesamtstadt.html", "mitte-styrum.html", "extra.html"]
    assert "Mitte/Styrum &lt;b&gt;" in text
    assert "<script>" not in text
    assert soup.find("svg") is not None  # the map snippet is inserted as HTML
    assert "{{" not in text and "{%" not in text
    assert soup.find(class_="beispieldaten-banner") is None
    assert "Beispieldaten" not in soup.footer.get_text()


def test_index_page_shows_banner_for_sample_data(cfg, tmp_path):
    out = write_index_page(cfg, [], tmp_path / "index.html", "", beispieldaten=True)
    soup = BeautifulSoup(out.read_text(encoding="utf-8"), "html.parser")
    assert "Beispieldaten" in soup.find(class_="beispieldaten-banner").get_text()
    footer = soup.footer.get_text(" ", strip=True)
    assert cfg.stadt.herausgeber in footer and "keine amtliche Veröffentlichung" in footer


@pytest.mark.parametrize("engine", ["sozialraum", "kernel"])
def test_a_section_over_its_time_limit_is_named_in_german(tmp_path, cfg, engine):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell("wert = None", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import time\nbericht_langsam = time.sleep(60)"),
    ]
    slow = tmp_path / "langsam.ipynb"
    nbformat.write(nb, slow)
    quick = cfg.model_copy(
        update={"bericht": cfg.bericht.model_copy(update={"zeitlimit_abschnitt": 10})}
    )
    result = render_reports(
        quick,
        notebook_jobs=[Job("langsam", slow, {"wert": 1}, Path("langsam.html"))],
        out_dir=tmp_path / "out",
        jobs=1,
        progress=False,
        engine=engine,
    )
    (failure,) = result.failed
    assert failure.ename == "Zeitlimit"
    assert failure.evalue.startswith(
        "Der Abschnitt »import time« brauchte länger als 10 Sekunden und wurde abgebrochen."
    )
    assert "zeitlimit_abschnitt" in failure.evalue
    assert not (tmp_path / "out" / "langsam.html").exists()


# -- warm kernels -------------------------------------------------------------------------------
def _probe_notebook(folder: Path) -> Path:
    """A notebook that shows its kernel's pid and whether a name from an earlier job survived."""
    probe = (
        "import os\n"
        "from IPython.display import HTML, display\n"
        "frueher = globals().get('spur', 'keine')\n"
        "spur = wert\n"
        "shell = getattr(get_ipython(), 'nummer', 0)\n"
        "display(HTML(f'<p class=\"probe\">{os.getpid()}|{frueher}|{os.getcwd()}|{shell}</p>'))"
    )
    return notizbuch(folder / "probe.ipynb", "wert = 'x'", [probe])


def _probes(out: Path, slugs: list[str]) -> list[list[str]]:
    values = []
    for slug in slugs:
        soup = BeautifulSoup((out / f"{slug}.html").read_text(encoding="utf-8"), "html.parser")
        values.append(soup.find("p", class_="probe").get_text().split("|"))
    return values


@pytest.mark.parametrize(
    ("engine", "warm"), [("sozialraum", True), ("kernel", True), ("kernel", False)]
)
def test_warm_kernel_is_reused_without_leaking_state(cfg, tmp_path, engine, warm):
    notebook = _probe_notebook(tmp_path)
    jobs = [Job(s, notebook, {"wert": s}, Path(f"{s}.html")) for s in ("eins", "zwei", "drei")]
    result = render_reports(
        cfg, notebook_jobs=jobs, out_dir=tmp_path / "aus", jobs=1, warm=warm, engine=engine
    )
    assert [j.slug for j in result.done] == ["eins", "zwei", "drei"], result.failed
    probes = _probes(tmp_path / "aus", ["eins", "zwei", "drei"])
    pids = {p[0] for p in probes}
    assert len(pids) == (1 if warm else 3)  # one kernel (or worker) for all jobs, or one per job
    assert [p[1] for p in probes] == ["keine"] * 3  # no name survives into the next job
    assert {p[2] for p in probes} == {str(tmp_path)}  # the notebook's folder, as in a new kernel
    counts = [
        c.execution_count
        for c in nbformat.read(tmp_path / "aus" / "drei.ipynb", as_version=4).cells
        if c.cell_type == "code"
    ]
    assert counts == [1, 2, 3]  # prompts start at 1 as in a fresh kernel (with injected cell)


@pytest.mark.parametrize("engine", ["sozialraum", "kernel"])
def test_warm_kernel_is_replaced_after_a_failed_job(cfg, tmp_path, engine):
    notebook = _probe_notebook(tmp_path)
    jobs = [
        Job("vorher", notebook, {"wert": "a"}, Path("vorher.html")),
        Job("kaputt", BROKEN, {"wert": "x"}, Path("kaputt.html")),
        Job("nachher", notebook, {"wert": "b"}, Path("nachher.html")),
    ]
    result = render_reports(
        cfg, notebook_jobs=jobs, out_dir=tmp_path / "aus", jobs=1, engine=engine
    )
    assert [f.job.slug for f in result.failed] == ["kaputt"]
    before, after = _probes(tmp_path / "aus", ["vorher", "nachher"])
    if engine == "kernel":
        assert before[0] != after[0]  # a kernel a job failed in is never reused
    else:  # the same worker, but a new shell: nothing of the failed job's namespace
        assert before[0] == after[0] and before[3] != after[3]
    assert after[1] == "keine"


def _own_notebooks(text: str) -> str:
    """Config edit: the city renders with its own copy of the project's notebooks."""
    return text + (
        '\n[bericht]\nnotebook_sozialraum = "../notebooks/sozialraumbericht.ipynb"\n'
        'notebook_gesamtstadt = "../notebooks/gesamtstadt.ipynb"\nausgabe = "../reports"\n'
    )


@pytest.mark.slow
def test_both_engines_and_fresh_kernels_in_three_folders_give_the_same_bytes(tmp_path, monkeypatch):
    """The mini city with the project's notebooks, copied whole into three folders of different
    depth, each with its own cache: cells in the worker (engine ``sozialraum``), in warm kernels
    and in fresh ones. Every page and every kept notebook is the same, byte for byte (no folder
    of the machine in them)."""
    import json

    from fixtures_city import make_city

    from sozialraum import nbclean
    from sozialraum.config import load_config
    from sozialraum.publish.batch import run_batch

    root = Path(__file__).resolve().parents[1]
    source = make_city(tmp_path / "vorlage", config=_own_notebooks).parent.parent
    shutil.copytree(root / "notebooks", source / "notebooks")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    years = []
    runs = (
        (tmp_path / "zellen", "sozialraum", True),
        (tmp_path / "b" / "warm", "kernel", True),
        (tmp_path / "c" / "d" / "kalt", "kernel", False),
    )
    for project, engine, warm in runs:
        shutil.copytree(source, project)
        monkeypatch.setenv("SOZIALRAUM_CACHE", str(project / "cache"))
        city = load_config(project / "config" / "stadt.toml")
        result = run_batch(city, jobs=1, force=True, progress=False, warm=warm, engine=engine)
        assert not result.render.failed, [f.message for f in result.render.failed]
        assert len(result.render.done) == 3
        years.append(project / "reports" / "2023")
    files = sorted(p.name for p in years[0].iterdir() if p.is_file())
    for other in years[1:]:
        assert files == sorted(p.name for p in other.iterdir() if p.is_file())
    assert {"nord.html", "sued.html", "gesamtstadt.html", "nord.ipynb"} <= set(files)
    for name in (n for n in files if not n.endswith(".key")):  # cache keys are per folder
        a = (years[0] / name).read_bytes()
        for other in years[1:]:
            assert a == (other / name).read_bytes(), f"{name}: {other}"
        assert str(tmp_path).encode() not in a and str(root).encode() not in a, name
    committed = (root / "notebooks" / "sozialraumbericht.ipynb").read_text(encoding="utf-8")
    kept = json.loads((years[0] / "nord.ipynb").read_text(encoding="utf-8"))
    assert nbclean.dumps(nbclean.clean(kept, json.loads(committed))) == committed  # git's view


# -- a worker that dies -------------------------------------------------------------------------
def _crash_notebook(folder: Path) -> Path:
    """A notebook whose cell ends its process when the parameter ``absturz`` says so: always,
    or only the first time (a file beside the notebook remembers that it happened)."""
    absturz = (
        "import os, pathlib\n"
        "from IPython.display import HTML, display\n"
        "spur = pathlib.Path('abgestuerzt-' + absturz)\n"
        "if absturz == 'immer' or (absturz == 'einmal' and not spur.exists()):\n"
        "    spur.touch()\n"
        "    os._exit(3)\n"
        "display(HTML(f'<p class=\"probe\">{os.getpid()}</p>'))"
    )
    return notizbuch(folder / "absturz.ipynb", "absturz = 'nie'", [absturz])


@pytest.mark.parametrize("engine", ["sozialraum", "kernel"])
def test_a_worker_that_dies_in_a_cell_is_replaced_and_only_its_report_fails(cfg, tmp_path, engine):
    notebook = _crash_notebook(tmp_path)
    modes = {"a": "nie", "immer": "immer", "b": "nie", "einmal": "einmal", "c": "nie", "d": "nie"}
    jobs = [Job(s, notebook, {"absturz": m}, Path(f"{s}.html")) for s, m in modes.items()]
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        result = render_reports(
            cfg, notebook_jobs=jobs, out_dir=tmp_path / "aus", jobs=2, engine=engine, progress=True
        )
    if engine == "sozialraum":  # the worker died: the batch ran the report again alone, once
        good = ["a", "b", "c", "d", "einmal"]
        (failure,) = result.failed
        assert failure.job.slug == "immer"
        assert failure.ename == "Absturz"
        assert "auch beim zweiten Versuch allein" in failure.evalue
        assert "abgestürzt" in stderr.getvalue()
    else:  # the kernel died, the worker lives on: that job fails, the others run
        good = ["a", "b", "c", "d"]
        assert sorted(f.job.slug for f in result.failed) == ["einmal", "immer"]
        assert {f.ename for f in result.failed} == {"DeadKernelError"}, [
            f.evalue for f in result.failed
        ]
    assert sorted(j.slug for j in result.done) == good
    assert (tmp_path / "abgestuerzt-einmal").exists()  # it did crash once
    assert not (tmp_path / "aus" / "immer.html").exists()
    for slug in good:
        assert (tmp_path / "aus" / f"{slug}.html").is_file()
