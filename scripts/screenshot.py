"""Screenshot of a rendered report for the README, taken with headless Chromium.

Usage: ``.venv/bin/python scripts/screenshot.py reports/2023/alstaden-lirich.html docs/x.png``
"""

import argparse
import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path)
    parser.add_argument("png", type=Path)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=1500)
    args = parser.parse_args()
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-background-networking"]
        )
        page = browser.new_page(viewport={"width": args.width, "height": args.height})
        page.goto(args.html.resolve().as_uri())
        args.png.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(args.png))
        browser.close()


if __name__ == "__main__":
    main()
