"""Faults: a killed batch leaves no process and no torn file, a full or read-only disk is a German
message, two batches never write into one folder at once, and renders are reproducible.

Each test runs the real console command on the mini city. Full and read-only disks are real
file systems: a small tmpfs mounted in a user and mount namespace of the test's own
(``unshare``), so no root rights and no loop devices are needed.

No run may print a traceback, also under load: every test asserts that stderr holds neither
"Traceback" nor "Exception ignored" (what Python prints when a thread or an exit handler fails
at shutdown), and the tests of the exit paths (error exit, SIGINT, SIGTERM) run beside two
processes that keep both CPUs busy (:func:`zwei_brenner`), as on the machine where the
interpreter's exit once printed "Bad file descriptor" after the German message.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fixtures_city import make_city, with_project_notebooks
from uhr import anderer_tag

from sozialraum import synthetic
from sozialraum.publish.ausgabe import sperre

SOZIALRAUM_CLI = Path(sys.executable).with_name("sozialraum")


@pytest.fixture
def city(tmp_path):
    return make_city(tmp_path / "stadt", config=with_project_notebooks)


@pytest.fixture
def long_city(tmp_path):
    """Eight unit reports: a batch that is still running when a signal is sent to it."""
    return synthetic.make_city(tmp_path / "grossstadt", areas=64, units=8, seed=3)


@pytest.fixture
def zwei_brenner():
    """Two busy loops at normal priority beside the test: a machine whose CPUs are taken."""
    burners = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True)
        for _ in range(2)
    ]
    try:
        yield burners
    finally:
        for burner in burners:
            burner.kill()
            burner.wait(timeout=10)


def _ruhig(stderr: str) -> None:
    """No traceback reached the user: neither an exception nor a failing exit handler."""
    assert "Traceback" not in stderr, stderr
    assert "Exception ignored" not in stderr, stderr


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["SOZIALRAUM_CACHE"] = str(tmp_path / "cache")
    env.update(extra)
    return env


def _children() -> dict[int, int]:
    """pid -> parent pid of every process on the machine."""
    out = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # the command name may contain spaces: the fields after the last ")" are fixed
            fields = stat.rsplit(")", 1)[1].split()
            if fields[0] != "Z":  # zombies are dead already, only not reaped yet
                out[int(entry.name)] = int(fields[1])
    return out


def _descendants(pid: int) -> set[int]:
    table = _children()
    found: set[int] = set()
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        for child, ppid in table.items():
            if ppid == parent and child not in found:
                found.add(child)
                frontier.append(child)
    return found


def _assert_complete(folder: Path) -> None:
    """Every file in the output folder is whole: no temp file, HTML closed, notebooks JSON."""
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        assert not path.name.endswith(".tmp"), f"temporary file left: {path}"
        if path.suffix == ".html":
            text = path.read_text(encoding="utf-8")
            assert text.rstrip().endswith("</html>"), f"torn HTML: {path}"
        if path.suffix == ".ipynb":
            json.loads(path.read_text(encoding="utf-8"))


def _start_and_signal(tmp_path: Path, city: Path, sig: int, attempt: int, engine: str):
    """Start a batch, wait until its workers render reports, send ``sig``; None if it ended first.

    A report is being rendered while its mark lies in the batch's folder of marks (in the
    command's own TMPDIR here). On a busy machine the mini city's batch can finish between the
    first report's start and the signal; that run proves nothing, so the caller tries again
    with fresh folders.
    """
    out = tmp_path / f"berichte-{attempt}"
    scratch = tmp_path / f"tmp-{attempt}"
    scratch.mkdir()
    proc = subprocess.Popen(
        [str(SOZIALRAUM_CLI), "render", "--config", str(city), "--out", str(out), "--jobs", "2"]
        + ["--engine", engine],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=_env(
            tmp_path, SOZIALRAUM_CACHE=str(tmp_path / f"cache-{attempt}"), TMPDIR=str(scratch)
        ),
        start_new_session=True,
        # as in a terminal: a test run started in the background (`make test &`) inherits an
        # ignored SIGINT, and Python keeps it ignored; Ctrl-C is what this test is about
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    tree: set[int] = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        tree |= _descendants(proc.pid)
        if list(scratch.glob("sozialraum-laeufe-*/*")) or proc.poll() is not None:
            break
        time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("the batch never started a report")
    time.sleep(0.3)
    tree |= _descendants(proc.pid)
    if proc.poll() is not None:
        return None
    os.kill(proc.pid, sig)
    proc.wait(timeout=30)
    return proc, tree, out


@pytest.mark.parametrize(
    ("sig", "engine"),
    [
        (signal.SIGKILL, "sozialraum"),
        (signal.SIGTERM, "sozialraum"),
        (signal.SIGINT, "sozialraum"),
        (signal.SIGKILL, "kernel"),  # the kernels, grandchildren of the command, die too
    ],
)
def test_killed_batch_leaves_no_process_and_no_torn_file(tmp_path, long_city, sig, engine, request):
    if sig != signal.SIGKILL:  # SIGTERM and Ctrl-C stop the workers: under load, and quietly
        request.getfixturevalue("zwei_brenner")
    for attempt in range(3):
        started = _start_and_signal(tmp_path, long_city, sig, attempt, engine)
        if started is not None:
            break
    else:
        pytest.fail("three batches ended before the signal could reach them")
    proc, tree, out = started
    deadline = time.monotonic() + 5
    alive = {p for p in tree if p in _children()}
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = {p for p in tree if p in _children()}
    for pid in alive:  # clean up before failing, so no other test suffers
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert not alive, f"{len(alive)} processes outlived the command 5 s after {sig.name}"
    if out.exists():
        _assert_complete(out)
    stderr = proc.stderr.read().decode()
    _ruhig(stderr)  # also after kill -9: workers and kernels die without a word
    if sig != signal.SIGKILL:
        assert proc.returncode != 0
        assert "Abgebrochen. Fertige Berichte bleiben erhalten" in stderr, stderr


def test_second_batch_into_the_same_folder_stops_with_a_message(tmp_path, city):
    out = tmp_path / "berichte"
    (out / "2023").mkdir(parents=True)
    with sperre(out):
        proc = subprocess.run(
            [
                str(SOZIALRAUM_CLI),
                "render",
                "--config",
                str(city),
                "--out",
                str(out),
                "--jobs",
                "1",
            ],
            capture_output=True,
            text=True,
            env=_env(tmp_path),
            timeout=300,
        )
    assert proc.returncode == 1
    assert "Ein anderer Lauf schreibt gerade Berichte in diesen Ordner" in proc.stderr
    assert f"Prozess {os.getpid()}" in proc.stderr
    _ruhig(proc.stderr)  # the warm workers were stopped after validating: quietly
    assert sorted(p.name for p in (out / "2023").iterdir()) == []


def _in_namespace(script: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    if shutil.which("unshare") is None:
        pytest.fail("unshare (util-linux) is needed for the disk tests")
    return subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=600,
    )


def test_full_disk_is_a_german_message_and_leaves_no_torn_file(tmp_path, city):
    disk = tmp_path / "voll"
    disk.mkdir()
    check = (
        "import json,pathlib,sys\n"
        f"files=[p for p in pathlib.Path('{disk}').rglob('*') if p.is_file()]\n"
        "bad=[str(p) for p in files if p.name.endswith('.tmp')"
        " or (p.suffix=='.html' and not p.read_text().rstrip().endswith('</html>'))]\n"
        "for p in files:\n"
        "    if p.suffix=='.ipynb':\n"
        "        try: json.loads(p.read_text())\n"
        "        except ValueError: bad.append(str(p))\n"
        "print('ZERRISSEN' if bad else 'GANZ', len(files), bad)\n"
    )
    script = (
        f"mount -t tmpfs -o size=160k tmpfs {disk} && "
        f"{SOZIALRAUM_CLI} render --config {city} --out {disk} --jobs 1; rc=$?; "
        f'{sys.executable} -c "{check}"; exit $rc'
    )
    proc = _in_namespace(script, tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Auf dem Datenträger ist kein Platz mehr frei" in proc.stderr, proc.stderr
    _ruhig(proc.stderr)
    assert "GANZ" in proc.stdout, proc.stdout  # every file left on the full disk is complete


def test_read_only_folder_is_a_german_message(tmp_path, city):
    disk = tmp_path / "nur-lesen"
    disk.mkdir()
    script = (
        f"mount -t tmpfs -o size=1m,ro tmpfs {disk} && "
        f"{SOZIALRAUM_CLI} render --config {city} --out {disk}/berichte"
    )
    proc = _in_namespace(script, tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Der Datenträger ist schreibgeschützt" in proc.stderr
    assert "Tipp: mit --out einen beschreibbaren Ordner wählen" in proc.stderr
    _ruhig(proc.stderr)


def test_output_below_proc_is_a_german_message(tmp_path, city, zwei_brenner):
    """The error exit after the warm worker started, under load (one worker: the same stop)."""
    proc = subprocess.run(
        [
            str(SOZIALRAUM_CLI),
            "render",
            "--config",
            str(city),
            "--out",
            "/proc/berichte",
            "--jobs",
            "1",
        ],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=300,
    )
    assert proc.returncode == 1
    assert "Ausgabeordner /proc/berichte/2023" in proc.stderr
    _ruhig(proc.stderr)  # the error exit stops the warm workers; the interpreter's exit is quiet


def test_debug_switch_shows_the_traceback(tmp_path, city):
    args = [str(SOZIALRAUM_CLI), "--debug", "render", "--config", str(city)]
    proc = subprocess.run(
        [*args, "--out", "/proc/berichte"],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=300,
    )
    assert proc.returncode == 1
    assert "Traceback" in proc.stderr and "AusgabeFehler" in proc.stderr
    assert "Exception ignored" not in proc.stderr  # one traceback, the one asked for


def test_two_renders_on_different_days_are_byte_identical(tmp_path, city):
    outs = []
    for day in ("2026-01-05 10:00:00", "2026-03-09 15:30:00"):
        out = tmp_path / day[:10]
        env = _env(tmp_path, SOURCE_DATE_EPOCH="1700000000")
        proc = subprocess.run(
            [
                str(SOZIALRAUM_CLI),
                "render",
                "--config",
                str(city),
                "--out",
                str(out),
                "--sozialraum",
                "Nord",
            ],
            capture_output=True,
            text=True,
            env=anderer_tag(env, day, tmp_path / f"uhr-{day[:10]}"),
            timeout=600,
        )
        assert proc.returncode == 0, proc.stderr
        _ruhig(proc.stderr)
        outs.append(out / "2023")
    for name in ("nord.html", "nord.ipynb", "index.html"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    text = BeautifulSoup((outs[0] / "nord.html").read_text("utf-8"), "html.parser").get_text()
    assert "Bericht erstellt am 14.11.2023" in text  # the day of SOURCE_DATE_EPOCH, not today


def test_index_page_failure_is_listed_with_every_report_and_exits_1(tmp_path, city):
    out = tmp_path / "berichte"
    (out / "2023" / "index.html").mkdir(parents=True)  # the page cannot be written there
    proc = subprocess.run(
        [str(SOZIALRAUM_CLI), "render", "--config", str(city), "--out", str(out)],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=600,
    )
    assert proc.returncode == 1
    assert "Bericht »index« fehlgeschlagen" in proc.stderr
    assert "Der Pfad ist ein Ordner, keine Datei" in proc.stderr
    assert "3 gerendert, 0 unverändert übersprungen, 1 fehlgeschlagen" in proc.stdout
    _ruhig(proc.stderr)
    assert {p.name for p in (out / "2023").glob("*.html")} >= {"nord.html", "sued.html"}


#: A pool whose manager thread is slow to close its wake-up pipe while the interpreter's exit
#: handler writes to it: what a busy machine does by chance, here every time.
_LANGSAMER_PIPE = """
import concurrent.futures.process as p, sys, time
close, wakeup = p._ThreadWakeup.close, p._ThreadWakeup.wakeup
def slow_close(self):
    time.sleep(0.3)
    close(self)
def slow_wakeup(self):
    if not self._closed:
        time.sleep(0.6)
        self._writer.send_bytes(b"")
p._ThreadWakeup.close, p._ThreadWakeup.wakeup = slow_close, slow_wakeup
from sozialraum.publish.render import _stop_workers, local_pool
pool = local_pool(1)
pool.submit(time.sleep, 30).running() or time.sleep(0.3)
_stop_workers(pool)
print("Fehler: gestoppt", file=sys.stderr)
sys.exit(1)
"""


def test_stopping_the_workers_leaves_the_interpreter_exit_quiet(tmp_path):
    """The race behind "Bad file descriptor" at exit, forced: stopping joins the manager."""
    proc = subprocess.run(
        [sys.executable, "-c", _LANGSAMER_PIPE],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stderr == "Fehler: gestoppt\n"
    _ruhig(proc.stderr)
