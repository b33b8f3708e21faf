"""Screenshots of a notebook in JupyterLab for the docs, after "Run All", in headless Chromium.

Usage: ``.venv/bin/python scripts/lab_screenshot.py notebooks/sozialraumbericht.ipynb docs/x.png``

Starts JupyterLab with the arguments of ``make lab`` on a free port, opens the notebook, runs
all cells, waits until the kernel is idle and takes one screenshot per ``--scroll`` offset.
The notebook file is not changed (see ``lib/sozialraum/nbclean.py``).
"""

from __future__ import annotations

import argparse
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("png", type=Path, nargs="+")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument(
        "--scroll", type=int, nargs="+", default=[0, 2600], help="scroll offsets, one per PNG"
    )
    args = parser.parse_args()
    notebook = args.notebook.resolve()
    token, port = secrets.token_hex(16), _free_port()
    lab_args = shlex.split(
        subprocess.run(
            ["make", "-s", "lab-args"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
    )
    jupyter = Path(sys.executable).with_name("jupyter")
    server = subprocess.Popen(
        [
            str(jupyter),
            "lab",
            f"--notebook-dir={notebook.parent}",
            f"--ServerApp.port={port}",
            f"--IdentityProvider.token={token}",
            *lab_args,
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        chromium = shutil.which("chromium") or "/usr/bin/chromium"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": args.width, "height": args.height})
            page.goto(f"{base}/lab/tree/{notebook.name}?token={token}")
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
            page.wait_for_selector(
                ".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000
            )
            # Shift+Enter from the first cell down: what an analyst does, and what "Run All" does
            page.locator(".jp-Notebook .jp-Cell").first.click()
            cells = page.locator(".jp-Notebook .jp-Cell").count()
            page.keyboard.press("Escape")
            for _ in range(cells):
                page.keyboard.press("Shift+Enter")
                time.sleep(0.3)
            time.sleep(2)
            page.wait_for_selector(
                ".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=300_000
            )
            time.sleep(1)
            page.keyboard.press("Escape")
            for png, offset in zip(args.png, args.scroll, strict=False):
                png.parent.mkdir(parents=True, exist_ok=True)
                page.locator(".jp-WindowedPanel-outer").first.evaluate(
                    f"e => e.scrollTop = {offset}"
                )
                time.sleep(1.5)
                page.screenshot(path=str(png))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
