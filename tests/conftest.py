import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock

from sozialraum.config import Config, load_config

ROOT = Path(__file__).resolve().parents[1]
PROJECT_CONFIG = ROOT / "config" / "oberhausen.toml"
SOZIALRAUM_CLI = Path(sys.executable).with_name("sozialraum")


@pytest.fixture(scope="session")
def cfg() -> Config:
    """The project's own config with the sample data set."""
    return load_config(PROJECT_CONFIG)


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Prepared data of test renders go to a temporary cache, not the user's ~/.cache."""
    os.environ["SOZIALRAUM_CACHE"] = str(tmp_path_factory.mktemp("cache"))


def shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every pytest-xdist worker of this run sees (each worker has its own basetemp)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def sample_render(
    tmp_path_factory: pytest.TempPathFactory, cfg: Config, _private_cache: None
) -> tuple[subprocess.CompletedProcess, Path]:
    """The sample data rendered once per test run by the real command: (process, year folder).

    Every test that reads the sample's pages reads this one render; the first worker to ask
    renders (the others wait on the lock), and the command's output is kept with the pages, so
    that a test of what the command prints sees the run that made them. Tests only read here.
    """
    root = shared_folder(tmp_path_factory) / "sample-render"
    out = root / "reports"
    done = root / "lauf.json"
    args = [str(SOZIALRAUM_CLI), "render", "--config", str(PROJECT_CONFIG), "--out", str(out)]
    root.mkdir(exist_ok=True)
    with FileLock(str(root / ".lock")):
        if not done.is_file():
            proc = subprocess.run(args, capture_output=True, text=True, timeout=1200)
            done.write_text(
                json.dumps([proc.returncode, proc.stdout, proc.stderr]), encoding="utf-8"
            )
    returncode, stdout, stderr = json.loads(done.read_text(encoding="utf-8"))
    proc = subprocess.CompletedProcess(args, returncode, stdout, stderr)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc, out / str(cfg.methode.berichtsjahr)


# -- how the suite is spread over the workers ---------------------------------------------------
#: Files whose tests are independent and long (each renders a city of its own): every test is a
#: unit of work by itself, so that two workers share them instead of one taking the whole file.
#: (``--dist loadgroup`` would say the same per test, but pytest 9.2 with xdist 3.8 ignores the
#: groups: xdist sets ``item._nodeid``, pytest reads ``item._id``; measured.)
EINZELN = (
    "tests/test_faults.py",
    "tests/test_jede_stadt.py",
    "tests/test_einheiten.py",
    "tests/test_herkunft.py",
    "tests/test_zellen.py",
)

#: The files that take a minute or more in a run (``pytest --durations``), in that order, ahead
#: of the others in the collection. xdist still sorts the units by their number of tests (its
#: ``loadscopereorder``); this order breaks its ties. Keeping the collection order instead was
#: slower on 2 cores (9 min 7 s against 8 min 7 s for the whole suite, measured 04.12.2026).
ZUERST = (
    "tests/test_jede_stadt.py",
    "tests/test_end_to_end.py",
    "tests/test_faults.py",
    "tests/test_browser.py",
    "tests/test_batch.py",
    "tests/test_berlin.py",
    "tests/test_dask.py",
    "tests/test_render.py",
    "tests/test_lab.py",
    "tests/test_druck.py",
    "tests/test_freitext.py",
)


def _datei(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Longest files first; the order within a file stays (module fixtures are built once)."""
    rang = {name: i for i, name in enumerate(ZUERST)}
    items.sort(key=lambda item: rang.get(_datei(item.nodeid), len(ZUERST)))


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """One file per worker (as ``--dist loadfile``), except the tests of :data:`EINZELN`."""
    from xdist.scheduler import LoadScopeScheduling

    class DateiOderTest(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            datei = _datei(nodeid)
            return nodeid if datei in EINZELN else datei

    return DateiOderTest(config, log)
