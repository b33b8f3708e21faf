"""Compare the computed index with the classes a city has published (``sozialraum abgleich``).

A municipality that already publishes its Sozialindex can only trust the workbook if it gives
the published classes back from the published inputs. The published table is read like every
input (same reader: CSV, Excel or JSON); the comparison reports every disagreement by area id,
so a method setting that is off (sum vs mean, population vs sample SD) shows at once. Official
files often list only the rated areas: the others are counted as "nicht in der amtlichen Datei",
not as failures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sozialraum.compute.index import IndexResult
from sozialraum.compute.klassen import NICHT_BEWERTET
from sozialraum.config import Abgleich, Config, ConfigError
from sozialraum.names import closest, normalize_header
from sozialraum.read.io import read_table
from sozialraum.read.problems import ReadError
from sozialraum.read.tables import RawTable


@dataclass(frozen=True)
class Abweichung:
    """One area where computed and published results differ."""

    quartier_id: str
    quartier: str
    was: str
    berechnet: str
    veroeffentlicht: str

    def __str__(self) -> str:
        return (
            f'{self.quartier_id} "{self.quartier}": {self.was} berechnet "{self.berechnet}", '
            f'veröffentlicht "{self.veroeffentlicht}"'
        )


#: What each key of ``[abgleich] spalten`` is read as, in the order the output names them.
ROLLEN = {
    "quartier_id": "Gebiets-ID",
    "status": "Status",
    "dynamik": "Dynamik",
    "kombi": "Kombination",
    "gueltigkeit": "Gültigkeit",
}


@dataclass(frozen=True)
class AbgleichErgebnis:
    """Counts of agreement per class kind, and every disagreement.

    ``nicht_in_datei`` are our areas the official file does not list (counted, no failure: many
    publications leave out unrated areas); ``nur_amtlich`` are official ids we do not know (a
    failure: the publication rates an area the inputs lack). ``spalten`` names the official
    columns that were read, by role (``"Status"`` → ``"SI_V"``).
    """

    bewertet: int
    treffer: dict[str, int]
    nicht_bewertet: int
    nicht_bewertet_treffer: int
    abweichungen: list[Abweichung] = field(default_factory=list)
    nicht_in_datei: list[tuple[str, str]] = field(default_factory=list)
    nur_amtlich: list[str] = field(default_factory=list)
    spalten: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every listed area agrees with the publication and none is unknown."""
        return not self.abweichungen and not self.nur_amtlich

    def text(self, cfg: Config) -> str:
        """The result as the console prints it (German)."""
        g = cfg.begriffe.gebiet
        datei = cfg.abgleich.datei.name if cfg.abgleich else "?"
        lines = [f"Abgleich mit {datei}: {self.bewertet} bewertete {g.mehrzahl}"]
        if self.spalten:
            lines.append(
                "  gelesene Spalten der amtlichen Datei: "
                + ", ".join(f'{rolle} = "{spalte}"' for rolle, spalte in self.spalten.items())
            )
        for was, n in self.treffer.items():
            lines.append(f"  {was}: {n}/{self.bewertet} wie veröffentlicht")
        lines.append(
            f"  nicht bewertet: {self.nicht_bewertet_treffer}/{self.nicht_bewertet} mit dem "
            "veröffentlichten Grund"
        )
        if self.nicht_in_datei:
            shown = ", ".join(f'{q} "{n}"' for q, n in self.nicht_in_datei[:20])
            more = len(self.nicht_in_datei) - 20
            lines.append(
                f"  nicht in der amtlichen Datei: {len(self.nicht_in_datei)} {g.mehrzahl} "
                f"(nicht verglichen): {shown}" + (f" … und {more} weitere" if more > 0 else "")
            )
        if self.nur_amtlich:
            shown = ", ".join(self.nur_amtlich[:20])
            more = len(self.nur_amtlich) - 20
            lines.append(
                f"  nur in der amtlichen Datei: {len(self.nur_amtlich)} IDs, die es in den "
                f"Eingaben nicht gibt: {shown}" + (f" … und {more} weitere" if more > 0 else "")
            )
        for a in self.abweichungen[:50]:
            lines.append(f"  Abweichung: {a}")
        if len(self.abweichungen) > 50:
            lines.append(f"  … und {len(self.abweichungen) - 50} weitere Abweichungen")
        if self.ok:
            lines.append("Ergebnis: stimmt überein.")
        else:
            parts = []
            if self.abweichungen:
                parts.append(f"{len(self.abweichungen)} Abweichungen")
            if self.nur_amtlich:
                parts.append(f"{len(self.nur_amtlich)} unbekannte IDs")
            lines.append("Ergebnis: " + ", ".join(parts) + ".")
        return "\n".join(lines)


def _column(raw: RawTable, header: str, datei: str, key: str) -> str:
    """Normalised column of ``raw`` holding the official ``header``; a German error if absent."""
    for norm, original in raw.spalten.items():
        if original.strip() == header.strip() and norm in raw.df.columns:
            return norm
    norm = normalize_header(header)
    if norm in raw.df.columns:
        return norm
    found = list(raw.spalten.values())
    near = closest(header, found, cutoff=0.6)
    raise ConfigError(
        f'{datei}: Die Spalte "{header}" aus [abgleich] spalten.{key} fehlt in der amtlichen '
        "Datei. Gefunden: "
        + ", ".join(f'"{f}"' for f in found)
        + (f'. Meinten Sie "{near}"?' if near else ".")
    )


def _read(path: Path) -> RawTable:
    try:
        raw = read_table(path, path.name)
    except ReadError as exc:
        raise ConfigError(f"[abgleich] datei: {exc.problem}") from exc
    errors = [p for p in raw.probleme if p.schwere == "Fehler"]
    if errors:
        raise ConfigError("\n".join(f"[abgleich] datei: {p}" for p in errors))
    return raw


def veroeffentlicht(cfg: Config) -> tuple[pd.DataFrame, dict[str, str]]:
    """The published classes, one row per listed area, and the official columns used.

    Columns: quartier_id, those of status, dynamik, kombi, gueltigkeit the config names, and
    ``gueltig`` (rated in the publication: the validity column says so, or, without one, the
    status cell is not empty).
    """
    spec: Abgleich | None = cfg.abgleich
    if spec is None:
        raise ConfigError(f"{cfg.pfad}: Die Konfiguration hat keinen Abschnitt [abgleich].")
    path = (cfg.basis / spec.datei).resolve()
    raw = _read(path)
    out = pd.DataFrame(index=raw.df.index)
    used: dict[str, str] = {}
    for what, rolle in ROLLEN.items():
        if what in spec.spalten:
            col = _column(raw, spec.spalten[what], path.name, what)
            out[what] = raw.df[col].str.strip().to_numpy()
            used[rolle] = raw.spalten.get(col, spec.spalten[what])
    out = out[out["quartier_id"] != ""]
    dupes = sorted(set(out.loc[out["quartier_id"].duplicated(), "quartier_id"]))
    if dupes:
        raise ConfigError(
            f"{path.name}: Die amtliche Datei nennt IDs mehrfach ({', '.join(dupes[:10])}); "
            "der Abgleich braucht eine Zeile je Gebiet"
        )
    if "gueltigkeit" in out.columns:
        out["gueltig"] = out["gueltigkeit"].isin([g.strip() for g in spec.gueltig])
    else:
        out["gueltig"] = out["status"] != ""
    return out.reset_index(drop=True), used


def _kombi_pattern(muster: str) -> re.Pattern[str]:
    parts = re.split(r"(\{status\}|\{dynamik\})", muster)
    regex = "".join(
        "(?P<status>.+?)"
        if p == "{status}"
        else "(?P<dynamik>.+?)"
        if p == "{dynamik}"
        else r"\s*".join(re.escape(w) for w in p.split())
        if p.strip()
        else r"\s*"
        for p in parts
    )
    return re.compile(rf"^\s*{regex}\s*$")


def abgleichen(cfg: Config, result: IndexResult) -> AbgleichErgebnis:
    """Compare ``result`` with the published classes of ``cfg.abgleich``.

    Only the areas both sides know are compared; the kinds of class compared are those the
    config names a column for and the workbook computed (no dynamics without change data).
    """
    pub, used = veroeffentlicht(cfg)
    ours = result.index
    known = set(ours["quartier_id"])
    listed = set(pub["quartier_id"])
    fehlend = ours[~ours["quartier_id"].isin(listed)]
    nicht_in_datei = list(zip(fehlend["quartier_id"], fehlend["quartier"].astype(str), strict=True))
    nur_amtlich = sorted(listed - known)
    both = ours.merge(pub, on="quartier_id", how="inner")
    abw: list[Abweichung] = []
    bewertet = both[both["gueltig"]]
    pattern = _kombi_pattern(cfg.abgleich.kombi_muster) if cfg.abgleich else None
    treffer: dict[str, int] = {}
    for was, mine, theirs in (
        ("Status", "status_klasse", "status"),
        ("Dynamik", "dynamik_klasse", "dynamik"),
        ("Kombination", "kombi_klasse", "kombi"),
    ):
        if theirs not in bewertet.columns or mine not in bewertet.columns:
            continue
        n = 0
        for row in bewertet.to_dict("records"):
            published = str(row[theirs])
            computed = str(row[mine])
            if theirs == "kombi" and pattern is not None:
                m = pattern.match(published)
                same = bool(m) and computed == f"{m['status'].strip()} / {m['dynamik'].strip()}"
            else:
                same = computed == published
            n += same
            if not same:
                abw.append(
                    Abweichung(row["quartier_id"], row["quartier"], was, computed, published)
                )
        treffer[was] = n
    unbewertet = both[~both["gueltig"]]
    nb_ok = 0
    for row in unbewertet.to_dict("records"):
        grund = row.get("gueltigkeit")
        same = row["status_klasse"] == NICHT_BEWERTET and (
            grund is None or row["ausschluss_grund"] == grund
        )
        nb_ok += same
        if not same:
            abw.append(
                Abweichung(
                    row["quartier_id"],
                    row["quartier"],
                    "nicht bewertet",
                    f"{row['status_klasse']} ({row['ausschluss_grund']})",
                    str(grund if grund is not None else NICHT_BEWERTET),
                )
            )
    return AbgleichErgebnis(
        len(bewertet), treffer, len(unbewertet), nb_ok, abw, nicht_in_datei, nur_amtlich, used
    )
