from pathlib import Path

import pytest

from sozialraum.config import Config, load_config

ROOT = Path(__file__).resolve().parents[1]
PROJECT_CONFIG = ROOT / "config" / "oberhausen.toml"


@pytest.fixture(scope="session")
def cfg() -> Config:
    """The project's own config with the sample data set."""
    return load_config(PROJECT_CONFIG)


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Prepared data of test renders go to a temporary cache, not the user's ~/.cache."""
    import os

    os.environ["SOZIALRAUM_CACHE"] = str(tmp_path_factory.mktemp("cache"))
