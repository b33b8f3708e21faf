from pathlib import Path

import pytest

from sozialraum.config import Config, load_config

ROOT = Path(__file__).resolve().parents[1]
PROJECT_CONFIG = ROOT / "config" / "oberhausen.toml"


@pytest.fixture(scope="session")
def cfg() -> Config:
    """The project's own config with the sample data set."""
    return load_config(PROJECT_CONFIG)
