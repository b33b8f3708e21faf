"""How one index (status or dynamics) is obtained and classed, as the config says.

Kept apart from :mod:`sozialraum.config` because an index has grown many ways: computed from the
indicators (today's method), or taken over as an office published it (a score, a composite of
published sub-indices, or the classes themselves); classed by thresholds in standard deviations,
fixed thresholds, quantiles, or not at all because the classes are given.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Teilindex(_Strict):
    """One published sub-index of a composite index, e.g. ``{ spalte = "zS1", gewicht = 0.5 }``."""

    spalte: str = Field(
        min_length=1,
        description="Spalte des veröffentlichten Teilindex in der Datei [eingaben.index]",
    )
    gewicht: float | None = Field(
        None,
        description='Veröffentlichtes Gewicht des Teilindex; nur mit zusammensetzung = "gewichtet"',
    )


class Klassen(_Strict):
    """Where an index comes from, and its class limits, labels and colours.

    Labels, colours and descriptions are shared by every map, table and sentence. The default
    (``quelle = "berechnet"``) computes the index from the indicators; a published index is taken
    over from ``[eingaben.index]`` and never recomputed.
    """

    quelle: Literal["berechnet", "wert", "klasse"] = Field(
        "berechnet",
        description='"berechnet": aus den Indikatoren berechnet; "wert": der veröffentlichte '
        'Indexwert (Punktwert, z-Wert) aus [eingaben.index] spalte bzw. teilindizes; "klasse": '
        "die veröffentlichten Klassen aus [eingaben.index] spalte",
    )
    spalte: str = Field(
        "",
        description='Spalte in [eingaben.index]: der Indexwert (quelle = "wert") oder die Klasse '
        '(quelle = "klasse")',
    )
    teilindizes: list[Teilindex] = Field(
        default_factory=list,
        description="Veröffentlichte Teilindizes, aus denen der Index zusammengesetzt wird (quelle "
        '= "wert"), z. B. [{ spalte = "A" }, { spalte = "B" }]',
    )
    zusammensetzung: Literal["mittelwert", "gewichtet"] = Field(
        "mittelwert",
        description='Wie die teilindizes zusammengesetzt werden: "mittelwert" oder "gewichtet" '
        "(Summe mit den veröffentlichten Gewichten)",
    )
    klassenwerte: list[str] = Field(
        default_factory=list,
        description='Die Klassenwerte der Datei (quelle = "klasse") in der Reihenfolge von labels, '
        'z. B. ["1", "2", "3", "4"]',
    )
    schwellen_typ: Literal["standardabweichung", "fest", "quantile"] = Field(
        "standardabweichung",
        description='"standardabweichung": Grenzen in Standardabweichungen um den Mittelwert; '
        '"fest": Grenzen auf der Skala des Index; "quantile": so viele gleich große Gruppen der '
        "bewerteten Gebiete wie labels (keine schwellen)",
    )
    schwellen: list[float] = Field(
        default_factory=list,
        description='Klassengrenzen, aufsteigend (nicht bei quantile und bei quelle = "klasse")',
    )
    labels: list[str] = Field(description="Namen der Klassen, beste zuerst")
    farben: list[str] = Field(description="Farbe jeder Klasse als #rrggbb")
    beschreibung: list[str] = Field(
        default_factory=list, description="Ein Satz je Klasse für den Methodenteil (optional)"
    )

    @property
    def gegeben(self) -> bool:
        """True when the index is taken over as published, not computed."""
        return self.quelle != "berechnet"

    @property
    def spalten(self) -> list[str]:
        """The columns of ``[eingaben.index]`` this index reads (empty when computed)."""
        if self.quelle == "berechnet":
            return []
        return [self.spalte] if self.spalte else [t.spalte for t in self.teilindizes]

    @model_validator(mode="after")
    def _consistent(self) -> Klassen:
        self._quelle_passt()
        n = self._anzahl()
        if len(self.labels) != n or len(self.farben) != n:
            if self.quelle == "klasse" or self.schwellen_typ == "quantile":
                raise ValueError(
                    f"labels und farben brauchen gleich viele Einträge (gefunden: "
                    f"{len(self.labels)} labels, {len(self.farben)} farben)"
                )
            raise ValueError(
                f"{len(self.schwellen)} Schwellen ergeben {n} Klassen: labels und farben brauchen "
                f"je {n} Einträge (gefunden: {len(self.labels)} labels, {len(self.farben)} farben)"
            )
        if self.beschreibung and len(self.beschreibung) != n:
            raise ValueError(f"beschreibung braucht {n} Einträge (eine je Klasse)")
        bad = [f for f in self.farben if not re.fullmatch(r"#[0-9a-fA-F]{6}", f)]
        if bad:
            raise ValueError(
                "farben müssen Farben im Format #rrggbb sein (z. B. #b30000), nicht: "
                + ", ".join(bad)
            )
        if self.quelle == "klasse":
            self._klassenwerte_passen()
        return self

    def _anzahl(self) -> int:
        """Number of classes; checks the limits where they define it."""
        if self.quelle == "klasse" or self.schwellen_typ == "quantile":
            if self.schwellen:
                grund = (
                    'mit quelle = "klasse" kommen die Klassen aus der Datei'
                    if self.quelle == "klasse"
                    else 'mit schwellen_typ = "quantile" ergeben sich die Grenzen aus den Daten'
                )
                raise ValueError(f"{grund}; schwellen weglassen")
            if len(self.labels) < 2:
                raise ValueError("labels braucht mindestens zwei Klassen")
            return len(self.labels)
        if not self.schwellen:
            raise ValueError(
                f'schwellen fehlt: schwellen_typ = "{self.schwellen_typ}" braucht die '
                'Klassengrenzen, z. B. schwellen = [-1.0, 1.0] (oder schwellen_typ = "quantile")'
            )
        if sorted(self.schwellen) != list(self.schwellen):
            raise ValueError("schwellen müssen aufsteigend sortiert sein")
        return len(self.schwellen) + 1

    def _quelle_passt(self) -> None:
        gesetzt = self.model_fields_set
        if self.quelle == "berechnet":
            nur_gegeben = ("spalte", "teilindizes", "zusammensetzung", "klassenwerte")
            fremd = [k for k in nur_gegeben if k in gesetzt]
            if fremd:
                raise ValueError(
                    f"{', '.join(fremd)} gilt nur für einen veröffentlichten Index: dazu "
                    'quelle = "wert" oder quelle = "klasse" angeben'
                )
            return
        if self.quelle == "klasse":
            if not self.spalte:
                raise ValueError(
                    'quelle = "klasse" braucht spalte = "…" (die Spalte mit der veröffentlichten '
                    "Klasse in [eingaben.index])"
                )
            if self.teilindizes or "zusammensetzung" in gesetzt:
                raise ValueError(
                    'teilindizes und zusammensetzung gelten nur für quelle = "wert"; mit quelle = '
                    '"klasse" nennt spalte die Klassen'
                )
            if "schwellen_typ" in gesetzt:
                raise ValueError(
                    'mit quelle = "klasse" kommen die Klassen aus der Datei; '
                    "schwellen_typ weglassen"
                )
            return
        if self.klassenwerte:
            raise ValueError(
                'klassenwerte gilt nur für quelle = "klasse"; mit quelle = "wert" werden die '
                "Klassen über schwellen_typ gebildet"
            )
        if bool(self.spalte) == bool(self.teilindizes):
            raise ValueError(
                'quelle = "wert" braucht entweder spalte = "…" (ein veröffentlichter Indexwert) '
                'oder teilindizes = [{ spalte = "…" }, …] (veröffentlichte Teilindizes), nicht '
                + ("beides" if self.spalte else "keins von beiden")
            )
        if "zusammensetzung" in gesetzt and not self.teilindizes:
            raise ValueError("zusammensetzung gilt nur zusammen mit teilindizes")
        if self.teilindizes:
            self._teilindizes_passen()

    def _teilindizes_passen(self) -> None:
        spalten = [t.spalte for t in self.teilindizes]
        doppelt = sorted({s for s in spalten if spalten.count(s) > 1})
        if doppelt:
            raise ValueError(f"teilindizes nennt Spalten mehrfach: {', '.join(doppelt)}")
        if len(spalten) < 2:
            raise ValueError(
                "teilindizes braucht mindestens zwei Teilindizes; für einen einzelnen Wert "
                f'spalte = "{spalten[0]}" angeben'
            )
        ohne = [t.spalte for t in self.teilindizes if t.gewicht is None]
        mit = [t.spalte for t in self.teilindizes if t.gewicht is not None]
        if self.zusammensetzung == "gewichtet" and ohne:
            raise ValueError(
                'zusammensetzung = "gewichtet" braucht ein gewicht für jeden Teilindex; es fehlt '
                f"bei: {', '.join(ohne)}"
            )
        if self.zusammensetzung == "mittelwert" and mit:
            raise ValueError(
                f"gewicht bei {', '.join(mit)}: ein Mittelwert hat keine Gewichte; für eine "
                'gewichtete Summe zusammensetzung = "gewichtet" angeben'
            )

    def _klassenwerte_passen(self) -> None:
        n = len(self.labels)
        werte = [w.strip() for w in self.klassenwerte]
        if len(werte) != n:
            raise ValueError(
                f'quelle = "klasse" braucht klassenwerte mit {n} Einträgen, einen je Label in der '
                f"Reihenfolge von labels ({', '.join(self.labels)}); gefunden: {len(werte)}"
            )
        if any(not w for w in werte):
            raise ValueError("klassenwerte dürfen nicht leer sein")
        doppelt = sorted({w for w in werte if werte.count(w) > 1})
        if doppelt:
            raise ValueError(f"klassenwerte nennt Werte mehrfach: {', '.join(doppelt)}")
