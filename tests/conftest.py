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
