"""German number format for frames shown in a notebook: ``12,5`` and ``1.234``, not ``12.5``.

The analysts' template (``notebooks/eigene-auswertung.ipynb``) shows ``bericht.daten`` frames
as tables; pandas prints them with English decimals. Importing :mod:`sozialraum.report` calls
:func:`deutsche_anzeige`, so the facade sets the format and no notebook code has to. The values
themselves are not changed (no rounding of the data), only their display.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

#: Decimals shown for floats (shares are reported with one decimal throughout the reports).
NACHKOMMASTELLEN = 1


def tabelle_html(df: pd.DataFrame) -> str:
    """The frame as an HTML table with German decimal and thousands separators.

    Long frames show their first ``display.max_rows`` rows with a caption saying so, as pandas
    itself shortens them; blanks (withheld or missing values) stay empty.
    """
    grenze = int(pd.get_option("display.max_rows") or len(df) or 1)
    teil = df if len(df) <= grenze else df.head(grenze)
    deutsch = {"precision": NACHKOMMASTELLEN, "decimal": ",", "thousands": ".", "escape": "html"}
    styler = (
        teil.style.set_uuid("daten")  # fixed ids: a saved notebook does not change on every run
        .format(na_rep="", **deutsch)
        .format_index(axis=0, **deutsch)
        .format_index(axis=1, **deutsch)
    )
    if len(df) > grenze:
        styler = styler.set_caption(f"Die ersten {grenze} von {len(df)} Zeilen")
    return styler.to_html()


def deutsche_anzeige(ipython: Any | None = None) -> bool:
    """Show every DataFrame of this IPython session in German format; False outside IPython.

    Why a display formatter and not ``pd.options``: pandas' own options know no thousands
    separator for integers, and the analyst's frames stay untouched for further work.
    """
    if ipython is None:
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - IPython comes with every notebook
            return False
        ipython = get_ipython()
    if ipython is None:
        return False
    ipython.display_formatter.formatters["text/html"].for_type(pd.DataFrame, tabelle_html)
    return True
