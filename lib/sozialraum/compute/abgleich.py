"""Compare the computed index with the classes a city has published (``sozialraum abgleich``).

A municipality that already publishes its Sozialindex can only trust the workbook if it gives
the published classes back from the published inputs. The published table is read like every
input (same reader, same column mapping); the comparison reports every disagreement by area id,
so a method setting that is off (sum vs mean, population vs sample SD) shows at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from sozialraum.compute.index import IndexResult
from sozialraum.compute.klassen import NICHT_BEWERTET
from sozialraum.config import Abgleich, Config, ConfigError
from sozialraum.names import normalize_header
from sozialraum.read.io import read_table


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


@dataclass(frozen=True)
class AbgleichErgebnis:
    """Counts of agreement per class kind, and every disagreement."""

    bewertet: int
    treffer: dict[str, int]
    nicht_bewertet: int
    nicht_bewertet_treffer: int
    abweichungen: list[Abweichung] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every area agrees with the publication."""
        return not self.abweichungen

    def text(self, cfg: Config) -> str:
        """The result as the console prints it (German)."""
        g = cfg.begriffe.gebiet
        datei = cfg.abgleich.datei.name if cfg.abgleich else "?"
        lines = [f"Abgleich mit {datei}: {self.bewertet} bewertete {g.mehrzahl}"]
        for was, n in self.treffer.items():
            lines.append(f"  {was}: {n}/{self.bewertet} wie veröffentlicht")
        lines.append(
            f"  nicht bewertet: {self.nicht_bewertet_treffer}/{self.nicht_bewertet} mit dem "
            "veröffentlichten Grund"
        )
        for a in self.abweichungen[:50]:
            lines.append(f"  Abweichung: {a}")
        if len(self.abweichungen) > 50:
            lines.append(f"  … und {len(self.abweichungen) - 50} weitere Abweichungen")
        lines.append(
            "Ergebnis: stimmt überein."
            if self.ok
            else f"Ergebnis: {len(self.abweichungen)} Abweichungen."
        )
        return "\n".join(lines)


def _column(df: pd.DataFrame, header: str, datei: str) -> pd.Series:
    key = normalize_header(header)
    if key not in df.columns:
        raise ConfigError(
            f'{datei}: Die Spalte "{header}" aus [abgleich] spalten fehlt. Gefunden: '
            + ", ".join(df.columns)
        )
    return df[key].str.strip()


def veroeffentlicht(cfg: Config) -> pd.DataFrame:
    """The published classes, one row per area: quartier_id, status, dynamik, kombi, gueltig."""
    spec: Abgleich | None = cfg.abgleich
    if spec is None:
        raise ConfigError(f"{cfg.pfad}: Die Konfiguration hat keinen Abschnitt [abgleich].")
    path = (cfg.basis / spec.datei).resolve()
    raw = read_table(path, path.name)
    out = pd.DataFrame({"quartier_id": _column(raw.df, spec.spalten["quartier_id"], path.name)})
    for what in ("status", "dynamik", "kombi", "gueltigkeit"):
        if what in spec.spalten:
            out[what] = _column(raw.df, spec.spalten[what], path.name).to_numpy()
    if "gueltigkeit" in out.columns:
        out["gueltig"] = out["gueltigkeit"].isin([g.strip() for g in spec.gueltig])
    else:
        out["gueltig"] = True
    return out


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
    """Compare ``result`` with the published classes of ``cfg.abgleich``."""
    pub = veroeffentlicht(cfg)
    idx = result.index.merge(pub, on="quartier_id", how="outer", indicator=True)
    abw: list[Abweichung] = []
    for row in idx[idx["_merge"] != "both"].itertuples():
        where = "nur berechnet" if row._merge == "left_only" else "nur veröffentlicht"
        abw.append(Abweichung(str(row.quartier_id), str(row.quartier), "Gebiet", where, ""))
    idx = idx[idx["_merge"] == "both"]
    bewertet = idx[idx["gueltig"]]
    pattern = _kombi_pattern(cfg.abgleich.kombi_muster) if cfg.abgleich else None
    treffer: dict[str, int] = {}
    for was, ours, theirs in (
        ("Status", "status_klasse", "status"),
        ("Dynamik", "dynamik_klasse", "dynamik"),
        ("Kombination", "kombi_klasse", "kombi"),
    ):
        if theirs not in bewertet.columns:
            continue
        n = 0
        for row in bewertet.itertuples():
            published = str(getattr(row, theirs))
            computed = str(getattr(row, ours))
            if theirs == "kombi" and pattern is not None:
                m = pattern.match(published)
                same = bool(m) and computed == f"{m['status'].strip()} / {m['dynamik'].strip()}"
            else:
                same = computed == published
            n += same
            if not same:
                abw.append(Abweichung(row.quartier_id, row.quartier, was, computed, published))
        treffer[was] = n
    unbewertet = idx[~idx["gueltig"]]
    nb_ok = 0
    for row in unbewertet.itertuples():
        same = row.status_klasse == NICHT_BEWERTET and (
            "gueltigkeit" not in unbewertet.columns or row.ausschluss_grund == row.gueltigkeit
        )
        nb_ok += same
        if not same:
            abw.append(
                Abweichung(
                    row.quartier_id,
                    row.quartier,
                    "nicht bewertet",
                    f"{row.status_klasse} ({row.ausschluss_grund})",
                    str(getattr(row, "gueltigkeit", NICHT_BEWERTET)),
                )
            )
    return AbgleichErgebnis(len(bewertet), treffer, len(unbewertet), nb_ok, abw)
