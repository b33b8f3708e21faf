"""scripts/systempakete.sh on a bare machine: it installs what is missing or says what to run.

Each case runs the script with a PATH of fake programs only (a folder of small shell scripts),
so no package is installed and no real sudo is asked: without apt-get, without sudo, with a
sudo that wants a password, and with a sudo that works.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "systempakete.sh"
BASH = "/bin/bash"


def _bin(tmp_path: Path, **programs: str) -> Path:
    """A folder of fake programs: name -> shell code (every call is logged to calls.log)."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    log = tmp_path / "calls.log"
    for name, code in programs.items():
        path = folder / name
        path.write_text(f'#!{BASH}\necho "{name} $*" >> {log}\n{code}\n')
        path.chmod(0o755)
    return folder


def _run(tmp_path: Path, folder: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": str(folder), "HOME": str(tmp_path / "home"), "LANG": "C.UTF-8"}
    return subprocess.run(
        [BASH, str(SCRIPT)], capture_output=True, text=True, env=env, timeout=60, cwd=tmp_path
    )


def _calls(tmp_path: Path) -> list[str]:
    log = tmp_path / "calls.log"
    return log.read_text().splitlines() if log.exists() else []


# `id` says "not root" (1000); dpkg and find find no DejaVu font, whatever this machine has.
NOT_ROOT = {"id": "echo 1000", "dpkg": "exit 1", "find": "exit 0"}


def test_without_apt_get_it_names_the_packages_and_the_way(tmp_path):
    proc = _run(tmp_path, _bin(tmp_path, **NOT_ROOT))
    assert proc.returncode == 1
    assert "Für die Tests fehlen Systempakete: chromium poppler-utils fonts-dejavu-core." in (
        proc.stderr
    )
    assert "Kein apt-get gefunden (kein Debian/Ubuntu)" in proc.stderr
    assert "Danach erneut: make test" in proc.stderr


def test_without_sudo_it_says_to_run_apt_get_as_root(tmp_path):
    proc = _run(tmp_path, _bin(tmp_path, **NOT_ROOT, **{"apt-get": "exit 0"}))
    assert proc.returncode == 1
    assert "ohne sudo lässt sich nichts installieren" in proc.stderr
    assert (
        "Bitte als root ausführen: apt-get install -y chromium poppler-utils fonts-dejavu-core"
        in proc.stderr
    )
    assert not any(c.startswith("apt-get") for c in _calls(tmp_path))  # nothing was tried


def test_a_sudo_that_wants_a_password_is_never_asked_interactively(tmp_path):
    # sudo -n fails as it does when a password is needed (a plain sudo would prompt)
    sudo = '[ "$1" = "-n" ] && { echo "sudo: a password is required" >&2; exit 1; }; exit 0'
    proc = _run(tmp_path, _bin(tmp_path, **NOT_ROOT, sudo=sudo, **{"apt-get": "exit 0"}))
    assert proc.returncode == 1
    assert "sudo verlangt ein Passwort" in proc.stderr
    assert "sudo apt-get update && sudo apt-get install -y chromium" in proc.stderr
    assert "a password is required" not in proc.stderr  # sudo's English stays out
    calls = _calls(tmp_path)
    assert [c for c in calls if c.startswith("sudo")] == ["sudo -n true"]
    assert not any(c.startswith("apt-get") for c in calls)  # nothing was tried


def test_a_working_sudo_installs_only_what_is_missing_without_a_prompt(tmp_path):
    folder = _bin(
        tmp_path,
        **NOT_ROOT,
        sudo='shift; "$@"',  # sudo -n CMD: run CMD
        chromium="exit 0",
        **{"apt-get": "exit 0"},
    )
    proc = _run(tmp_path, folder)
    assert proc.returncode == 0, proc.stderr
    assert "Installiere Debian-Pakete für die Tests: poppler-utils fonts-dejavu-core" in proc.stdout
    calls = _calls(tmp_path)
    assert "sudo -n apt-get install -y -qq poppler-utils fonts-dejavu-core" in calls
    assert "apt-get install -y -qq poppler-utils fonts-dejavu-core" in calls


def test_a_failing_apt_get_is_a_german_message_with_the_command(tmp_path):
    folder = _bin(tmp_path, **NOT_ROOT, sudo='shift; "$@"', **{"apt-get": "exit 100"})
    proc = _run(tmp_path, folder)
    assert proc.returncode == 1
    assert "Die Installation mit apt-get ist fehlgeschlagen" in proc.stderr
    assert "sudo apt-get update && sudo apt-get install -y chromium" in proc.stderr


@pytest.mark.parametrize("root", [True, False], ids=["root", "nicht-root"])
def test_nothing_missing_means_nothing_to_do(tmp_path, root):
    folder = _bin(
        tmp_path,
        id="echo 0" if root else "echo 1000",
        dpkg="exit 0",
        chromium="exit 0",
        pdftoppm="exit 0",
    )
    proc = _run(tmp_path, folder)
    assert proc.returncode == 0 and proc.stdout == "" and proc.stderr == ""
    assert [c for c in _calls(tmp_path) if not c.startswith("dpkg")] == []


def test_the_test_run_calls_the_script_first():
    makefile = (SCRIPT.parents[1] / "Makefile").read_text()
    assert "bash scripts/systempakete.sh" in makefile
    assert "\ntest: $(STAMP) system-packages\n" in makefile
    assert os.access(BASH, os.X_OK)
