"""The one Jinja2 environment every HTML block of a page is rendered in.

Escaping lives here and nowhere else: autoescape is on, and every value a template prints goes
through :func:`sozialraum.fmt.html_text` (``& < > " '`` as entities, control characters that
HTML forbids dropped), the same rule for text and quoted attributes. Values that are already
markup (a block rendered by another macro, a figure) pass unchanged. Python hands data to the
macros in ``templates/abschnitte/``, one template per section family, and never builds markup.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup

from sozialraum.fmt import html_text
from sozialraum.resources import TEMPLATES_DIR

ABSCHNITTE_DIR = TEMPLATES_DIR / "abschnitte"


def _escaped(value: Any) -> Any:
    """Every printed value as escaped markup; markup stays as it is."""
    if hasattr(value, "__html__"):
        return value
    return Markup(html_text(value))


@lru_cache(maxsize=1)
def umgebung() -> jinja2.Environment:
    """The environment of the section templates (built once per process)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(ABSCHNITTE_DIR)),
        autoescape=True,
        finalize=_escaped,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def block(vorlage: str, makro: str, /, **daten: Any) -> Markup:
    """One macro of a section template, rendered with ``daten``.

    Parameters
    ----------
    vorlage
        File name in ``templates/abschnitte/`` (e.g. ``"tabellen.html.j2"``).
    makro
        Name of the macro in that file.
    **daten
        The macro's arguments: plain values are escaped, markup is kept.
    """
    return getattr(umgebung().get_template(vorlage).module, makro)(**daten)


def markup(html: str) -> Markup:
    """Mark a block that this package rendered as trusted markup (never text from the data)."""
    return Markup(html)
