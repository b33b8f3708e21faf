"""The published index (``[eingaben.index]``): read, checked and handed on as one frame.

An index given as published (``quelle = "wert"`` or ``"klasse"`` in ``[methode.status]`` /
``[methode.dynamik]``) is read from its own table like every input: the same reader, the same
column mapping, missing-value markers and validity column, joined on the area id. The columns
that hold the values are named in the config, so they are checked here: that each exists in
the file, that a score is a number, that a class is one of ``klassenwerte``, that every rated
area has its row and value. Every message names the file, the row, the column and what was
expected.
"""

from __future__ import annotations

import pandas as pd

from sozialraum.config_klassen import Klassen
from sozialraum.names import closest
from sozialraum.read.adapt import GUELTIGKEIT_GRUND, _find, _missing_column
from sozialraum.read.check_geometry import _Geo, _resolve_quartiere
from sozialraum.read.schemas import Converted
from sozialraum.read.validation_run import _Run
from sozialraum.read.values import parse_number


def _indexname(cfg, art: str) -> str:
    """The configured name of the index ``art`` ("Statusindex", or what the city calls it)."""
    return str(cfg.begriffe.statusindex if art == "status" else cfg.begriffe.dynamikindex)


def spalte(art: str, was: str, k: int = 0) -> str:
    """Internal column name of a published value, e.g. ``status_wert`` or ``status_teil_1``.

    The file's own headers differ from city to city; the compute stage reads these names only.

    Parameters
    ----------
    art
        ``"status"`` or ``"dynamik"``.
    was
        ``"wert"`` (score), ``"teil"`` (sub-index number ``k``) or ``"klasse"`` (class code).
    k
        Position of the sub-index in ``teilindizes`` (only for ``"teil"``).
    """
    return f"{art}_teil_{k}" if was == "teil" else f"{art}_{was}"


def spalten(art: str, klassen: Klassen) -> list[str]:
    """The internal columns that ``klassen`` reads, in the order of the config."""
    if klassen.quelle == "klasse":
        return [spalte(art, "klasse")]
    if klassen.quelle == "wert" and klassen.teilindizes:
        return [spalte(art, "teil", k) for k in range(len(klassen.teilindizes))]
    if klassen.quelle == "wert":
        return [spalte(art, "wert")]
    return []


def gegebene_indizes(run: _Run) -> list[tuple[str, Klassen]]:
    """The indices of the config that are taken over as published, as (art, Klassen)."""
    out = []
    for art in ("status", "dynamik"):
        klassen = getattr(run.cfg.methode, art, None)
        if klassen is not None and klassen.gegeben:
            out.append((art, klassen))
    return out


def _index_lesen(run: _Run, geo: _Geo | None) -> tuple[Converted | None, set[int]]:
    """Read ``[eingaben.index]`` and resolve its areas; the rows that did not resolve."""
    conv = run.read("index")
    if conv is None:
        return None, set()
    skip = _resolve_quartiere(run, conv, geo) if geo is not None else set(range(len(conv.df)))
    run.validate_schema("index", conv, None, skip)
    return conv, skip


def index_ausschluesse(run: _Run, conv: Converted | None, excluded: set[str]) -> None:
    """Areas the index table itself marks invalid (its ``gueltigkeit``) are not rated either."""
    if conv is None or GUELTIGKEIT_GRUND not in conv.df.columns:
        return
    for qid, grund in zip(conv.df["quartier_id"], conv.df[GUELTIGKEIT_GRUND], strict=True):
        if isinstance(qid, str) and isinstance(grund, str) and grund.strip():
            run.ausschluesse.setdefault(qid, grund.strip())
            excluded.add(qid)


def _werte(
    run: _Run, conv: Converted, col: str, klassen: Klassen, art: str, skip: set[int]
) -> list[object]:
    """The cells of ``col`` as numbers or class codes; each bad cell is one problem."""
    key = f"[methode.{art}]"
    out: list[object] = []
    werte = [w.strip() for w in klassen.klassenwerte]
    for pos, text in enumerate(conv.raw.df[col].tolist()):
        text = text.strip()
        if pos in skip or not text:
            out.append(None)
            continue
        if klassen.quelle == "klasse":
            if text in werte:
                out.append(text)
                continue
            hinweis = None
            if text in klassen.labels:
                hinweis = (
                    "die Datei nennt die Klassen mit ihren Namen: klassenwerte = ["
                    + ", ".join(f'"{lab}"' for lab in klassen.labels)
                    + "]"
                )
            elif parse_number(text).value is not None:
                hinweis = (
                    f'steht "{text}" für „kein Wert“, das in der Konfiguration sagen: '
                    f'fehlwerte = ["{text}"] bei [eingaben.index]'
                )
            run.cell(
                conv,
                pos,
                col,
                f'"{text}" ist keine Klasse aus {key} klassenwerte',
                erwartet="einer der Werte "
                + ", ".join(f"„{w}“ ({lab})" for w, lab in zip(werte, klassen.labels, strict=True)),
                vorschlag=closest(text, werte, cutoff=0.6),
                hinweis=hinweis,
            )
            out.append(None)
            continue
        parsed = parse_number(text, conv.raw.decimal)
        if parsed.fehler:
            run.cell(
                conv,
                pos,
                col,
                f'"{text}" {parsed.fehler}',
                erwartet=f'eine Zahl: der veröffentlichte Wert ({key} quelle = "wert")',
                hinweis=parsed.hinweis,
            )
            out.append(None)
            continue
        out.append(parsed.value)
    return out


def _fehlende_werte(
    run: _Run, conv: Converted, col: str, werte: list[object], excluded: set[str], skip: set[int]
) -> None:
    """An empty cell of a rated area is an error unless the config declares it missing."""
    g = run.cfg.begriffe.gebiet
    for pos, wert in enumerate(werte):
        if wert is not None or pos in skip or (pos, col) in conv.bad:
            continue
        qid = conv.df["quartier_id"].iloc[pos]
        if qid in excluded or (pos, col) in conv.raw.fehlend:
            continue
        if conv.raw.df[col].iloc[pos].strip():
            continue  # already reported as a bad value
        run.cell(
            conv,
            pos,
            col,
            "Der Wert fehlt",
            erwartet=f"ein Wert für jeden bewerteten {g.name}",
            hinweis=(
                "liefert die Statistikstelle hier bewusst keinen Wert, das in der Konfiguration "
                'sagen: fehlwerte = [""] bei [eingaben.index]; sonst den Wert nachtragen'
            ),
        )


def _abdeckung(run: _Run, conv: Converted, geo: _Geo | None, excluded: set[str]) -> None:
    """Every rated area of the geometry needs its row in the index table."""
    if geo is None:
        return
    g = run.cfg.begriffe.gebiet
    have = set(conv.df["quartier_id"].dropna().astype(str))
    for q in geo.ids:
        if q in excluded or q in have:
            continue
        run.problem(
            conv.raw.datei,
            f'{g.form("der").capitalize()} {g.name} "{geo.name_by_id[q]}" (ID {q}) fehlt in der '
            "Datei mit dem veröffentlichten Index",
            spalte=conv.raw.spalten.get("quartier_id", "quartier_id"),
            wert=q,
            erwartet=f"eine Zeile je bewertetem {g.name} der Geometrie",
            hinweis=f"soll {g.form('der')} {g.name} nicht bewertet werden, ihn in "
            "methode.ausgeschlossen aufnehmen",
        )


def pruefe_index(
    run: _Run, geo: _Geo | None, excluded: set[str]
) -> tuple[pd.DataFrame | None, Converted | None]:
    """Read and check ``[eingaben.index]``; the published values under internal names.

    Parameters
    ----------
    run
        The validation run (config, problems so far).
    geo
        The geometry's ids and names, to resolve the table's areas (None if it failed).
    excluded
        Areas that are not rated (they may lack a value); the table's own validity column adds
        to it.

    Returns
    -------
    tuple
        The frame ``quartier_id`` plus one column per published value
        (:func:`spalte`), or None when there is nothing to read or
        the table is unusable; and the converted table.
    """
    if run.cfg.eingabe("index") is None:
        return None, None
    conv, skip = _index_lesen(run, geo)
    if conv is None:
        return None, None
    index_ausschluesse(run, conv, excluded)
    out = pd.DataFrame({"quartier_id": conv.df["quartier_id"].astype("str")})
    ok = True
    for art, klassen in gegebene_indizes(run):
        namen = spalten(art, klassen)
        for k, header in enumerate(klassen.spalten):
            col = _find(conv.raw, header)
            if col is None:
                wo = "spalte" if klassen.spalte else f"teilindizes Nr. {k + 1} spalte"
                run.add(
                    [
                        _missing_column(
                            conv.raw,
                            header,
                            f"{_indexname(run.cfg, art)}, quelle = „{klassen.quelle}“",
                            f"[methode.{art}] {wo}",
                        )
                    ]
                )
                ok = False
                continue
            werte = _werte(run, conv, col, klassen, art, skip)
            _fehlende_werte(run, conv, col, werte, excluded, skip)
            dtype = "str" if klassen.quelle == "klasse" else "float"
            out[namen[k]] = pd.Series(
                [float("nan") if w is None and dtype == "float" else w for w in werte],
                dtype="object" if dtype == "str" else float,
            )
    if not ok:
        return None, conv
    _abdeckung(run, conv, geo, excluded)
    keep = [pos for pos in range(len(out)) if pos not in skip]
    return out.iloc[keep].reset_index(drop=True), conv
