"""pyproject.toml and environment.yml must list the same dependencies."""

import pathlib
import re
import tomllib

import yaml

from conftest import ROOT

# pip and conda-forge spell a few packages differently.
CONDA_NAME = {"jinja2": "jinja2"}


def _name_spec(requirement: str) -> tuple[str, str]:
    m = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", requirement.strip())
    assert m, requirement
    return m.group(1).lower(), m.group(2).replace(" ", "")


def _pyproject() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + project["optional-dependencies"]["dev"]
    return dict(_name_spec(r) for r in reqs)


def _environment() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    specs = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and not dep.startswith(("python", "pip")):
            name, spec = _name_spec(dep)
            specs[name] = spec
        elif isinstance(dep, dict):  # the pip: section, for packages conda-forge lacks
            for pip_dep in dep.get("pip", []):
                if not pip_dep.startswith("-e"):
                    name, spec = _name_spec(pip_dep)
                    specs[name] = spec
    return specs


def test_same_packages_in_pyproject_and_environment():
    pyproject = {CONDA_NAME.get(k, k): v for k, v in _pyproject().items()}
    environment = _environment()
    assert sorted(pyproject) == sorted(environment), (
        f"only in pyproject: {sorted(set(pyproject) - set(environment))}; "
        f"only in environment.yml: {sorted(set(environment) - set(pyproject))}"
    )


def test_same_version_bounds():
    pyproject = {CONDA_NAME.get(k, k): v for k, v in _pyproject().items()}
    environment = _environment()
    differ = {
        k: (pyproject[k], environment[k]) for k in pyproject if pyproject[k] != environment[k]
    }
    assert not differ, f"version bounds differ (pyproject, environment.yml): {differ}"


def test_python_version_agrees():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_python = next(
        d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python")
    )
    assert conda_python.removeprefix("python") == project["requires-python"]


def test_the_files_the_scheduler_names_exist():
    """A renamed test file would silently fall back to the collection order and file scope."""
    import conftest

    root = pathlib.Path(__file__).resolve().parents[1]
    for name in (*conftest.EINZELN, *conftest.ZUERST):
        assert (root / name).is_file(), name
