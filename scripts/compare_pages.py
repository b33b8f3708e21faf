"""Compare the pages of two output folders byte for byte, apart from the commit they name.

    python scripts/compare_pages.py ALT NEU

Every ``*.html`` below ALT must exist below NEU with the same bytes (and no page may be new);
the only allowed difference is the commit the provenance line names ("Git-Commit 1a2b3c…",
perhaps "(mit lokalen Änderungen)"): it names the code the page was built with. To check that a
change of the code's layout changed nothing for users, render both states with the same
``SOURCE_DATE_EPOCH`` from the same place into two folders, then compare. Prints one line per
differing page with the first difference in context and ends with "N Seiten verglichen,
M verschieden"; exits 1 when any page differs.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

#: The provenance line names the commit; it differs between two states of the code by design.
COMMIT = re.compile(r"Commit [0-9a-f]{7,40}( \(mit lokalen Änderungen\))?".encode())


def normalised(page: bytes) -> bytes:
    """The page with the commit of its provenance line replaced by a placeholder."""
    return COMMIT.sub(b"Commit <commit>", page)


def first_difference(a: bytes, b: bytes, context: int = 60) -> str:
    """Where two byte strings first differ, with some context of both."""
    pairs = enumerate(zip(a, b, strict=False))
    n = next((i for i, (x, y) in pairs if x != y), min(len(a), len(b)))
    lo = max(n - context, 0)
    alt = a[lo : n + context].decode("utf-8", "replace")
    neu = b[lo : n + context].decode("utf-8", "replace")
    return f"ab Byte {n}: alt …{alt!r}… neu …{neu!r}…"


def compare(alt: Path, neu: Path) -> list[str]:
    """One message per page that differs, is missing or is new."""
    pages_alt = {p.relative_to(alt) for p in alt.rglob("*.html")}
    pages_neu = {p.relative_to(neu) for p in neu.rglob("*.html")}
    out = [f"{p}: fehlt in {neu}" for p in sorted(pages_alt - pages_neu)]
    out += [f"{p}: neu in {neu}" for p in sorted(pages_neu - pages_alt)]
    for page in sorted(pages_alt & pages_neu):
        a = normalised((alt / page).read_bytes())
        b = normalised((neu / page).read_bytes())
        if a != b:
            out.append(f"{page}: verschieden, {first_difference(a, b)}")
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    alt, neu = (Path(a) for a in argv)
    for folder in (alt, neu):
        if not folder.is_dir():
            print(f"{folder}: kein Ordner", file=sys.stderr)
            return 2
    problems = compare(alt, neu)
    for line in problems:
        print(line)
    total = len({p.relative_to(alt) for p in alt.rglob("*.html")})
    print(f"{total} Seiten verglichen, {len(problems)} verschieden")
    return 1 if problems or total == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
