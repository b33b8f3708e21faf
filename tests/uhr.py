"""Another day for a whole process tree, with time-machine (a pip package, no system binary).

time-machine moves the clock of the process it runs in. A batch is a tree of Python processes
(the command, its workers, their kernels), so :func:`anderer_tag` writes a ``sitecustomize``
that every Python process of the tree imports at start: each one travels to the same day and
ticks on from there. Chromium, a child of Python that is not Python, keeps the real clock; what
the product takes from it (the PDF's dates) must come from ``SOURCE_DATE_EPOCH`` anyway.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ENV = "SOZIALRAUM_TEST_HEUTE"

SITECUSTOMIZE = f"""\
import os

if os.environ.get("{ENV}"):
    import time_machine

    time_machine.travel(os.environ["{ENV}"], tick=True).start()
"""


def anderer_tag(env: dict[str, str], tag: str, folder: Path) -> dict[str, str]:
    """``env`` for processes that believe it is ``tag`` (``"2026-01-05 10:00:00"``, UTC)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    path = os.pathsep.join(p for p in (str(folder), env.get("PYTHONPATH", "")) if p)
    out = {**env, "PYTHONPATH": path, ENV: tag}
    # the clock really moved, or the test would compare two renders of the same day
    heute = subprocess.run(
        [sys.executable, "-c", "import datetime; print(datetime.date.today())"],
        env=out,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert heute == tag[:10], f"the clock did not move: {heute} instead of {tag[:10]}"
    return out
