"""One provenance per run: every page of a batch names the same commit.

On a busy machine a git call can time out; when every page asked git itself, one run showed
the commit on some pages and "unbekannt" on others. The batch asks once and hands the answer to
every page. Here a ``git`` on the PATH answers only the first question of the run (the commit and
the dirty check) and fails afterwards, as a timed-out call would: only a batch that asks once
gives every page the commit.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from fixtures_city import make_city, with_project_notebooks

from sozialraum.herkunft import git_commit

SOZIALRAUM_CLI = Path(sys.executable).with_name("sozialraum")


def _repo(folder: Path) -> str:
    git = ["git", "-C", str(folder), "-c", "user.name=Test", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "Stadt"], check=True)
    return subprocess.run(
        [*git, "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()


def _flaky_git(folder: Path, answers: int) -> Path:
    """A ``git`` that answers the first ``answers`` calls and then fails like a timeout."""
    folder.mkdir()
    script = folder / "git"
    script.write_text(
        "#!/bin/sh\n"
        f'echo x >> "{folder / "calls"}"\n'
        f'if [ "$(wc -l < "{folder / "calls"}")" -le {answers} ]; then '
        f'exec "{shutil.which("git")}" "$@"; fi\n'
        'echo "fatal: Zeitlimit" >&2\nexit 128\n',
        encoding="utf-8",
    )
    script.chmod(0o755)
    return folder


def test_every_page_of_a_run_names_the_same_commit_even_if_git_fails_later(tmp_path):
    city = tmp_path / "stadt"
    config = make_city(city, config=with_project_notebooks)
    commit = _repo(city)
    shim = _flaky_git(tmp_path / "bin", answers=2)  # rev-parse and status, once
    env = dict(os.environ, PATH=f"{shim}{os.pathsep}{os.environ['PATH']}")
    env["SOZIALRAUM_CACHE"] = str(tmp_path / "cache")
    out = tmp_path / "berichte"
    run = subprocess.run(
        [str(SOZIALRAUM_CLI), "render", "--config", str(config), "--out", str(out), "--jobs", "2"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    lines = {}
    for page in sorted((out / "2023").glob("*.html")):
        found = re.findall(r"Git-Commit ([^,<]+)", page.read_text(encoding="utf-8"))
        if found:
            lines[page.name] = set(found)
    assert len(lines) >= 3, lines  # two unit reports and the city report carry the line
    assert all(found == {commit} for found in lines.values()), lines
    assert len((shim / "calls").read_text().splitlines()) >= 2  # the shim was really asked


def test_a_notebook_run_by_hand_asks_git_itself(tmp_path):
    (tmp_path / "a.txt").write_text("a", encoding="utf-8")
    commit = _repo(tmp_path)
    assert git_commit(tmp_path) == commit
    (tmp_path / "a.txt").write_text("b", encoding="utf-8")
    assert git_commit(tmp_path) == f"{commit} (mit lokalen Änderungen)"
    assert git_commit(tmp_path.parent / "nirgends") == "unbekannt (kein Git-Repository)"
