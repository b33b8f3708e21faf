"""Where a report comes from: the commit of the project it was rendered from.

A batch asks git once and hands the answer to every page, so that all pages of one run name the
same commit, also on a busy machine where a git call can time out; a notebook run by hand asks
itself.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


def git_commit(folder: Path) -> str:
    """The commit of the project the report was rendered from, for the provenance line."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        return out.stdout.strip() + (" (mit lokalen Änderungen)" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unbekannt (kein Git-Repository)"
