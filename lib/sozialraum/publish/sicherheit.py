"""A Content-Security-Policy for every published page: defence in depth behind the escaping.

Free text is escaped by the templates already. The policy is the second wall: should anything
ever slip through, the browser loads nothing and runs no script but our own. Pages are
self-contained (images, fonts and downloads are ``data:`` URIs), so the policy forbids every
request; the only script allowed is the tooltip script of the interactive maps, by the SHA-256
hash of its exact text, computed when the page is written. Styles must be allowed inline
(``'unsafe-inline'``): nbconvert's and matplotlib's output and our tables carry ``style``
attributes and ``style`` elements, and a style can run no code.
"""

from __future__ import annotations

import base64
import hashlib
from html.parser import HTMLParser

#: What the page templates write as the policy's content; replaced when the page is finished.
PLATZHALTER = "sozialraum:sicherheitsrichtlinie"
#: Directives without the script list; ``frame-ancestors`` is ignored in a ``meta`` element.
GRUNDREGELN = (
    "default-src 'none'",
    "img-src data:",
    "font-src data:",
    "style-src 'unsafe-inline'",
    "base-uri 'none'",
    "form-action 'none'",
)


class _Skripte(HTMLParser):
    """Collects the text of every script element exactly as written (a CDATA element)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.skripte: list[str] = []
        self._offen: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "script":
            self._offen = []

    def handle_data(self, data: str) -> None:
        if self._offen is not None:
            self._offen.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._offen is not None:
            self.skripte.append("".join(self._offen))
            self._offen = None


def skript_hashes(page: str) -> list[str]:
    """The CSP source expressions (``'sha256-…'``) of every inline script of ``page``, in order.

    Hashed over the exact characters between the tags, as the browser does; a script that is
    changed or added afterwards does not match and is blocked.
    """
    parser = _Skripte()
    parser.feed(page)
    parser.close()
    hashes: list[str] = []
    for code in parser.skripte:
        digest = base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode("ascii")
        if f"'sha256-{digest}'" not in hashes:
            hashes.append(f"'sha256-{digest}'")
    return hashes


def richtlinie(page: str) -> str:
    """The policy for ``page``: nothing loads, only the page's own scripts (by hash) run."""
    hashes = skript_hashes(page)
    script = f"script-src {' '.join(hashes)}" if hashes else "script-src 'none'"
    return "; ".join([*GRUNDREGELN, script])


def mit_richtlinie(page: str) -> str:
    """``page`` with the policy filled in where its template put :data:`PLATZHALTER`.

    Why on the finished text: the hashes must cover the scripts exactly as written, so they are
    taken from the page itself after every other finishing step. A page whose template lacks
    the placeholder is a programming error and raises (never a page without the policy).
    """
    if page.count(PLATZHALTER) != 1:
        raise ValueError(
            "Die Seitenvorlage enthält den Platzhalter der Sicherheitsrichtlinie nicht."
        )
    return page.replace(PLATZHALTER, richtlinie(page.replace(PLATZHALTER, "")))
