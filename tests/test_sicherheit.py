"""The Content-Security-Policy of the pages: scripts by hash, nothing loads (issue 16)."""

from __future__ import annotations

import base64
import hashlib

import pytest

from sozialraum.publish.sicherheit import PLATZHALTER, mit_richtlinie, richtlinie, skript_hashes

SEITE = (
    '<html><head><meta charset="utf-8">'
    f'<meta http-equiv="Content-Security-Policy" content="{PLATZHALTER}"></head>'
    "<body><p>&lt;script&gt;x&lt;/script&gt;</p><script>\nvar a = 1 < 2;\n</script></body></html>"
)


def _sha(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'"


def test_the_hash_covers_the_exact_script_text_and_escaped_text_is_no_script():
    assert skript_hashes(SEITE) == [_sha("\nvar a = 1 < 2;\n")]


def test_the_policy_forbids_every_request_and_allows_only_the_hashed_script():
    regeln = dict(r.split(" ", 1) for r in richtlinie(SEITE).split("; "))
    assert regeln["default-src"] == "'none'"
    assert regeln["img-src"] == regeln["font-src"] == "data:"
    assert regeln["script-src"] == _sha("\nvar a = 1 < 2;\n")
    assert "unsafe-inline" not in regeln["script-src"]
    assert richtlinie("<p>x</p>").endswith("script-src 'none'")


def test_the_placeholder_is_filled_once_and_a_page_without_it_is_refused():
    page = mit_richtlinie(SEITE)
    assert PLATZHALTER not in page and "default-src 'none'" in page
    with pytest.raises(ValueError, match="Platzhalter"):
        mit_richtlinie("<html><head></head></html>")
