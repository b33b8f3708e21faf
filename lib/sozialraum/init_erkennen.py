"""What the columns of a city's files mean, judged from their values (for ``sozialraum init``).

Nothing here knows a city: the id column is the one whose values match the geometry's ids best,
a share is a number between 0 and 100 with decimals, a z-value lies around 0 with a standard
deviation near 1, a class is a small integer 1..k, a year column holds years. Every guess keeps
what it was based on (values, counts), so that ``init`` can say what the planner should check.
"""

from __future__ import annotations

import math
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sozialraum.init_lesen import Geometrie, Quelle
from sozialraum.names import normalize_header

#: Texts that statistics offices write for "no value" in a column of numbers.
TEXT_FEHLWERTE = (".", "–", "—", "-", "x", "X", "k.A.", "k. A.", "/", "*", "n.v.", "NA", "..")
#: Numbers used as "no value" markers.
ZAHL_FEHLWERTE = (-9999.0, -999.0, -99999.0, -99.0, 9999.0, 99999.0)

_JAHR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_NAME_EINWOHNER = re.compile(r"(^|[^a-z])(ew|einw|bev|pop|einwohner|bevoelkerung)", re.I)
_NAME_JAHR = re.compile(r"^(jahr|year|zeit|stand|berichtsjahr|datenstand)$", re.I)
NAME_EINHEIT = re.compile(r"bez|sozialraum|einheit|stadtteil|bezirk|region|sr_?id", re.I)


@dataclass
class Spalte:
    """One column of numbers: what it looks like and the values it was judged from."""

    name: str
    art: str
    """``anteil`` (percent 0–100), ``anteil01`` (0–1), ``anzahl``, ``z``, ``veraenderung``
    (signed change), ``klasse`` (1..k), ``jahr`` or ``zahl`` (anything else)."""
    werte: list[float]
    fehlwerte: list[str] = field(default_factory=list)
    leer: int = 0

    @property
    def spanne(self) -> tuple[float, float]:
        """Smallest and largest value."""
        return min(self.werte), max(self.werte)


@dataclass
class Tabelle:
    """One table of the folder with the meaning of its columns."""

    quelle: Quelle
    id_spalte: str | None = None
    treffer: float = 0.0
    zahlen: dict[str, Spalte] = field(default_factory=dict)
    jahr_spalte: str | None = None
    jahr: int | None = None
    indikator_spalte: str | None = None
    name_spalte: str | None = None
    gueltigkeit: tuple[str, list[str]] | None = None
    jahre_breit: dict[str, dict[int, str]] = field(default_factory=dict)
    """Wide columns per year: stem → {year: column} (e.g. "Anteil" → {2020: "Anteil_2020"})."""

    @property
    def lang(self) -> bool:
        """One row per area and year or indicator (the id repeats)."""
        if self.id_spalte is None:
            return False
        return bool(self.quelle.df[self.id_spalte].duplicated().any())

    def arten(self, *arten: str) -> list[Spalte]:
        """The number columns of the given kinds, in file order."""
        return [s for s in self.zahlen.values() if s.art in arten]


def zahl(text: str, dezimal: str) -> float | None:
    """A cell as a number (``None`` if it is none), with the file's decimal separator."""
    from sozialraum.read.values import parse_number

    wert = parse_number(text, dezimal)
    return None if wert.fehler else wert.value


def spalte_lesen(name: str, werte: pd.Series, dezimal: str) -> Spalte | None:
    """Judge a column: a column of numbers (with markers for no value), else ``None``.

    A column counts as numbers when at least half of its non-empty cells are numbers; the other
    cells must be one of the usual "no value" texts (``.``, ``–``, ``k.A.``). Numbers such as
    ``-9999`` far outside the other values are taken as markers as well.
    """
    texte = [str(v).strip() for v in werte]
    leer = sum(1 for t in texte if not t)
    gefuellt = [t for t in texte if t]
    if not gefuellt:
        return None
    zahlen, marker = [], set()
    for t in gefuellt:
        z = zahl(t, dezimal)
        if z is None:
            if t not in TEXT_FEHLWERTE:
                return None
            marker.add(t)
        else:
            zahlen.append(z)
    if len(zahlen) < 0.5 * len(gefuellt) or not zahlen:
        return None
    rest = [z for z in zahlen if z not in ZAHL_FEHLWERTE]
    if rest and len(rest) < len(zahlen):
        lo, hi = min(rest), max(rest)
        for m in sorted({z for z in zahlen if z in ZAHL_FEHLWERTE}):
            if m < lo - 10 * (hi - lo + 1) or m > hi + 10 * (hi - lo + 1) or abs(m) >= 9999:
                marker.add(_zahltext(m))
            else:
                rest.append(m)
        zahlen = rest
    if not zahlen:
        return None
    return Spalte(name, _art(name, zahlen), zahlen, sorted(marker), leer)


def _zahltext(wert: float) -> str:
    return str(int(wert)) if wert.is_integer() else str(wert)


def _art(name: str, werte: list[float]) -> str:
    ganz = all(v.is_integer() for v in werte)
    lo, hi = min(werte), max(werte)
    verschieden = len(set(werte))
    if ganz and 1900 <= lo and hi <= 2100 and (verschieden <= 12 or _NAME_JAHR.match(name)):
        return "jahr"
    if ganz and 0 <= lo and hi <= 12 and 2 <= verschieden <= 12:
        return "klasse"
    if 0 <= lo and hi <= 1 and not ganz:
        return "anteil01"
    if 0 <= lo and hi <= 100 and not ganz:
        return "anteil"
    if lo < 0 < hi and len(werte) >= 3:
        mittel, sd = statistics.fmean(werte), statistics.pstdev(werte)
        if abs(mittel) < 0.3 and 0.6 <= sd <= 1.4:
            return "z"
        return "veraenderung"
    if ganz and lo >= 0:
        return "anzahl"
    return "zahl"


def jahr_aus(text: str) -> int | None:
    """A year written as ``2020``, ``202012`` or ``31.12.2020`` (``None`` if there is none)."""
    t = text.strip()
    if re.fullmatch(r"(19|20)\d\d", t):
        return int(t)
    if re.fullmatch(r"(19|20)\d\d(0[1-9]|1[0-2])", t):
        return int(t[:4])
    m = _JAHR.search(t)
    return int(m.group(1)) if m and len(t) <= 10 else None


def id_treffer(werte: pd.Series, geo_ids: set[str]) -> float:
    """Share of the geometry's ids found in a column (text as written: leading zeros count)."""
    if not geo_ids:
        return 0.0
    vorhanden = {str(v).strip() for v in werte if str(v).strip()}
    return len(vorhanden & geo_ids) / len(geo_ids)


def geo_id_spalte(
    geo: Geometrie, quellen: list[Quelle], *, nur_codes: bool = False
) -> tuple[str | None, float]:
    """The geometry column whose values the tables' columns match best (and how well).

    Only columns with a distinct value per feature can be ids; the score is the best share of
    these ids found in any one table column, summed over the tables. ``nur_codes``: only
    columns that look like codes (no spaces, at most 20 characters), not names.
    """
    beste, wertung = None, 0.0
    for spalte in geo.df.columns:
        ids = set(geo.df[spalte])
        if len(ids) < len(geo.df) or "" in ids:
            continue
        if nur_codes and not all(" " not in i and len(i) <= 20 for i in ids):
            continue
        summe = sum(
            max((id_treffer(q.df[c], ids) for c in q.df.columns), default=0) for q in quellen
        )
        if summe > wertung:
            beste, wertung = spalte, summe
    return beste, wertung


def geo_name_spalte(geo: Geometrie, id_spalte: str) -> str | None:
    """A text column of the geometry with (nearly) a distinct value per area: the names."""
    beste, anzahl = None, 0
    for spalte in geo.df.columns:
        if spalte == id_spalte or spalte in geo.zahlen_spalten:
            continue
        werte = geo.df[spalte]
        if werte.str.fullmatch(r"[\d.,\s-]*").all():
            continue
        n = werte.nunique()
        if n >= 0.8 * len(werte) and n > anzahl:
            beste, anzahl = spalte, n
    return beste


def einheit_spalten(df: pd.DataFrame, id_spalte: str) -> list[tuple[str, int]]:
    """Columns that group the areas into a few larger units: few values, one per area.

    Returns (column, number of units), the likeliest first: a name that sounds like a unit
    (Bezirk, Sozialraum, Stadtteil), then fewer units.
    """
    gefunden = []
    n = df[id_spalte].nunique()
    for spalte in df.columns:
        if spalte == id_spalte:
            continue
        werte = df[[id_spalte, spalte]].drop_duplicates()
        k = werte[spalte].nunique()
        if not 2 <= k <= min(100, max(2, n // 3)) or "" in set(werte[spalte]):
            continue
        if werte[id_spalte].duplicated().any():
            continue
        if all(jahr_aus(v) for v in werte[spalte]):
            continue
        gefunden.append((spalte, k))
    return sorted(gefunden, key=lambda sk: (not NAME_EINHEIT.search(sk[0]), sk[1]))


def einheit_aus_id(ids: list[str]) -> tuple[int, int] | None:
    """A prefix of the ids that groups them into a few units: (prefix length, number of units).

    Area ids are often hierarchical (Berlin ``01100101``: Bezirk ``01`` + …): the numbering of
    the rest starts anew in every group. Plain running numbers (``0001`` … ``0600``, ``G001`` …)
    are not: their groups either start at different numbers or fill the whole range of the rest
    (``0100`` … ``0199``), so neither is taken for units.
    """
    ids = [i for i in ids if i]
    if len(ids) < 4 or len({len(i) for i in ids}) != 1:
        return None
    for stellen in range(1, len(ids[0])):
        rest: dict[str, list[str]] = {}
        for i in ids:
            rest.setdefault(i[:stellen], []).append(i[stellen:])
        if len(rest) < 2:
            continue
        if len(rest) > len(ids) // 3:
            return None
        gruppen = [sorted(v) for _, v in sorted(rest.items())]
        if sum(len(g) >= 2 for g in gruppen) < 0.8 * len(gruppen):
            continue
        anfaenge = pd.Series([g[0] for g in gruppen]).value_counts()
        neu_gezaehlt = anfaenge.iloc[0] >= 0.8 * len(gruppen)
        voll = all(len(g) >= 10 ** len(g[0]) - 1 for g in gruppen[:-1]) and gruppen[0][0].isdigit()
        if neu_gezaehlt and not voll:
            return stellen, len(gruppen)
    return None


def gueltigkeit(quelle: Quelle, zahlen: dict[str, Spalte]) -> tuple[str, list[str]] | None:
    """A text column that says whether an area is rated (Berlin's ``KOM``): column, valid texts.

    Recognised by its values: a few texts, the most frequent one on most rows, and the rows with
    any other text carry no numbers.
    """
    df = quelle.df
    for spalte in df.columns:
        if spalte in zahlen:
            continue
        haeufig = df[spalte].value_counts()
        if not 2 <= len(haeufig) <= 10 or haeufig.iloc[0] < 0.8 * len(df):
            continue
        gueltig = str(haeufig.index[0])
        andere = df[df[spalte] != gueltig]
        werte = [s for s, sp in zahlen.items() if sp.art in ("anteil", "anteil01", "z")]
        if not werte or andere.empty:
            continue
        leer = all(
            all(not str(v).strip() or str(v).strip() in zahlen[s].fehlwerte for v in andere[s])
            for s in werte
        )
        if werte and leer and gueltig.strip():
            return spalte, [gueltig]
    return None


def tabelle_erkennen(quelle: Quelle, geo_ids: set[str]) -> Tabelle:
    """The meaning of one table's columns: id, year, indicator, numbers, validity."""
    df = quelle.df
    tab = Tabelle(quelle)
    treffer = [(id_treffer(df[c], geo_ids), c) for c in df.columns]
    beste = max(treffer, default=(0.0, None))
    if beste[0] > 0:
        tab.treffer, tab.id_spalte = beste
    for spalte in df.columns:
        if spalte == tab.id_spalte:
            continue
        s = spalte_lesen(spalte, df[spalte], quelle.dezimal)
        if s is not None:
            tab.zahlen[spalte] = s
    _jahre(tab)
    if tab.lang:
        _indikator_spalte(tab)
    tab.gueltigkeit = gueltigkeit(quelle, tab.zahlen)
    texte = [c for c in df.columns if c not in tab.zahlen and c != tab.id_spalte]
    namen = [c for c in texte if df[c].nunique() >= 0.8 * df[tab.id_spalte or c].nunique()]
    tab.name_spalte = namen[0] if namen else None
    return tab


def _jahre(tab: Tabelle) -> None:
    df = tab.quelle.df
    for spalte in list(df.columns):
        if spalte == tab.id_spalte:
            continue
        werte = {v.strip() for v in df[spalte] if v.strip()}
        if not werte or len(werte) > 30:
            continue
        jahre = {jahr_aus(v) for v in werte}
        if None in jahre:
            continue
        if _NAME_JAHR.match(spalte.strip()) or all(re.fullmatch(r"\d{4}(\d\d)?", v) for v in werte):
            tab.jahr_spalte = spalte
            tab.zahlen.pop(spalte, None)
            if len(jahre) == 1:
                tab.jahr = jahre.pop()
            return
    for spalte, s in tab.zahlen.items():
        m = _JAHR.search(spalte)
        if m and s.art != "jahr":
            stamm = (spalte[: m.start()] + spalte[m.end() :]).strip(" _-") or "Wert"
            tab.jahre_breit.setdefault(stamm, {})[int(m.group(1))] = spalte
    tab.jahre_breit = {k: v for k, v in tab.jahre_breit.items() if len(v) >= 1}


def _indikator_spalte(tab: Tabelle) -> None:
    df = tab.quelle.df
    schluessel = [tab.id_spalte] + ([tab.jahr_spalte] if tab.jahr_spalte else [])
    if not df.duplicated(schluessel).any():
        return
    for spalte in df.columns:
        if spalte in tab.zahlen or spalte in schluessel:
            continue
        n = df[spalte].nunique()
        if 2 <= n <= 50 and not df.duplicated([*schluessel, spalte]).any():
            tab.indikator_spalte = spalte
            return


def einwohner_spalte(tab: Tabelle) -> Spalte | None:
    """The population column: a count named like Einwohner (EW, Bevölkerung, population)."""
    kandidaten = [s for s in tab.arten("anzahl") if _NAME_EINWOHNER.search(s.name)]
    if not kandidaten:
        return None
    return max(kandidaten, key=lambda s: statistics.median(s.werte))


def wertung_indikatoren(tab: Tabelle) -> float:
    """How likely a table holds the index indicators (more shares; Kontext-tables rank lower)."""
    if tab.id_spalte is None or tab.treffer < 0.5:
        return 0.0
    n = len(tab.arten("anteil", "anteil01"))
    if tab.lang and tab.indikator_spalte:
        n = max(n, 1) + tab.quelle.df[tab.indikator_spalte].nunique()
    if n == 0:  # published z-values only: below every table with shares
        n = 0.01 * len(tab.arten("z"))
    name = tab.quelle.name.lower()
    faktor = 1.0
    if "kontext" in name:
        faktor *= 0.3
    if "indikator" in name or "index" in name:
        faktor *= 1.5
    return n * faktor * tab.treffer


def veraenderung_zu(tab: Tabelle, anteil: str) -> str | None:
    """The published change column that belongs to a share column (S1 → D1), if any.

    Paired by name: the same number or rest after a short prefix (``S1``/``D1``,
    ``Anteil_SGB2``/``Veraenderung_SGB2``), and the change column has signed values.
    """
    m = re.fullmatch(r"([A-Za-z]+)[_ ]?(.+)", anteil)
    if not m:
        return None
    rest = m.group(2)
    for s in tab.arten("veraenderung", "z"):
        if s.name.startswith(("z", "Z")):
            continue
        n = re.fullmatch(r"([A-Za-z]+)[_ ]?(.+)", s.name)
        if n and n.group(2) == rest and n.group(1).lower()[0] in "dv" and s.name != anteil:
            return s.name
    return None


def spanne_text(s: Spalte) -> str:
    """The range of a column in German number format (``0,5–38,2``)."""
    from sozialraum.fmt import fmt_num

    lo, hi = s.spanne
    stellen = 0 if all(v.is_integer() for v in s.werte) else 1
    if not math.isfinite(lo) or not math.isfinite(hi):
        return "?"
    return f"{fmt_num(lo, stellen)}–{fmt_num(hi, stellen)}"


def wertspalten(ind: Tabelle) -> dict[str, str]:
    """Value columns of a long table by their names: zaehler, nenner, anteil, veraenderung."""
    namen = {
        "zaehler": ("zaehler", "anzahl", "fallzahl"),
        "nenner": ("nenner", "basis", "bezug", "grundgesamtheit"),
        "anteil": ("anteil", "quote", "wert", "prozent"),
        "veraenderung": ("veraenderung", "differenz"),
    }
    out = {}
    for spalte in ind.zahlen:
        key = normalize_header(spalte)
        for contract, woerter in namen.items():
            if contract not in out and any(w in key for w in woerter):
                out[contract] = spalte
                break
    return out


@dataclass
class Indikatorvorschlag:
    """One proposed ``[[indikatoren]]`` entry and the column it was read from."""

    id: str
    label: str
    eingabe: str = "anteil"
    spalten: dict[str, str] = field(default_factory=dict)
    veraenderung: str = "berechnet"
    dynamik: bool = False
    spalte: Spalte | None = None
    als: str = "Anteil in Prozent"


@dataclass
class Einheiten:
    """How the areas are grouped into report units, today and as detected for later keys.

    ``spalte`` is the geometry column used today; ``aus_id`` the prefix structure of the ids
    (length, number of units) and ``tabelle_spalte`` a unit column of a table, both kept for
    ``[einheiten]`` (``aus = "id"`` / ``"tabelle"``) once it exists.
    """

    spalte: str | None
    ids: list[str]
    namen: dict[str, str]
    art: str
    """``spalte`` (a unit column of the geometry), ``id`` (a prefix of the ids), ``tabelle`` (a
    unit column of a statistics table) or ``keine`` (the whole city is one unit)."""
    aus_id: tuple[int, int] | None = None
    tabelle_spalte: tuple[str, str, int, str] | None = None


@dataclass
class Erkennung:
    """Everything ``init`` found in a folder; the proposal is written from this alone."""

    ordner: Path
    geo: Geometrie
    geo_id: str
    geo_name: str
    crs: str
    tabellen: list[Tabelle]
    indikatoren: Tabelle
    indikatorvorschlaege: list[Indikatorvorschlag]
    jahre: list[int]
    berichtsjahr: int
    vergleichsjahr: int
    einheiten: Einheiten
    bevoelkerung: tuple[Tabelle, str] | None = None
    index_werte: list[tuple[Tabelle, Spalte]] = field(default_factory=list)
    klassen: list[tuple[Tabelle, Spalte]] = field(default_factory=list)
    gegeben: tuple[Tabelle, str, Spalte, Spalte | None] | None = None
    """Only a published index: (table, ``quelle`` "wert"/"klasse", its column, the score column
    beside the classes); None when the index is computed from indicators."""
    geraten: list[str] = field(default_factory=list)
    pruefen: list[str] = field(default_factory=list)

    @property
    def mit_dynamik(self) -> bool:
        """Whether any indicator has change data (two years or a published change)."""
        return any(i.dynamik for i in self.indikatorvorschlaege)
