"""Whether a config's change data fit its Dynamikindex (a check of :class:`~.config.Config`).

Kept apart from the models so that :mod:`sozialraum.config` stays one readable file; it reads
the config by its attributes only and imports nothing of the package.
"""

from __future__ import annotations

from typing import Any


def dynamik_fehler(cfg: Any) -> str | None:
    """The German message when change data and Dynamikindex do not fit, else None.

    A Dynamikindex (``[methode.dynamik]``) needs changes and their period: ``vergleichsjahr``
    always (reports name the period), and it must be one of ``jahre`` unless every dynamics
    indicator's change is published with the data.

    Without ``[methode.dynamik]`` no change is shown at all, so a published change
    (``spalten.veraenderung``, ``veraenderung = "veroeffentlicht"``) would be read for
    nothing: it is rejected rather than silently ignored, since the planner evidently expects
    it to appear; so is an ``[abgleich]`` of dynamics or combined classes.
    ``Indikator.dynamik`` (default true) and a ``vergleichsjahr`` are then unused.

    Parameters
    ----------
    cfg
        A :class:`~sozialraum.config.Config` under construction (its fields are set).
    """
    m = cfg.methode
    if m.dynamik is None:
        for i in cfg.indikatoren:
            if "veraenderung" in i.spalten or i.veraenderung == "veroeffentlicht":
                return (
                    f'Indikator "{i.id}" nennt eine veröffentlichte Veränderung '
                    '(veraenderung = "veroeffentlicht" bzw. spalten.veraenderung), aber '
                    "[methode.dynamik] fehlt: ohne Dynamikindex wird keine Veränderung "
                    "gezeigt. Entweder [methode.dynamik] mit schwellen, labels und farben "
                    "angeben oder die Veränderung beim Indikator streichen"
                )
        spalten = set(cfg.abgleich.spalten) & {"dynamik", "kombi"} if cfg.abgleich else set()
        if spalten:
            return (
                f"[abgleich] spalten nennt {', '.join(sorted(spalten))}, aber [methode.dynamik] "
                "fehlt: ohne Dynamikindex gibt es keine Dynamik- und keine kombinierte Klasse "
                "zum Vergleichen. Tipp: diese Einträge aus [abgleich] spalten streichen"
            )
        return None
    berechnet = [i.id for i in cfg.indikatoren if i.dynamik and i.veraenderung == "berechnet"]
    if m.vergleichsjahr is None:
        return (
            "[methode.dynamik] braucht methode.vergleichsjahr: das Jahr, seit dem die "
            "Veränderung gemessen wird (aus zwei Jahren berechnet oder, bei "
            'veraenderung = "veroeffentlicht", der Beginn des veröffentlichten Zeitraums). '
            "Ohne Veränderungsdaten [methode.dynamik] weglassen: dann ohne Dynamikindex"
        )
    if berechnet and m.vergleichsjahr not in m.jahre:
        return (
            f"vergleichsjahr {m.vergleichsjahr} fehlt in jahre = {m.jahre}; die Veränderung "
            f"von {', '.join(berechnet)} wird aus zwei Jahren berechnet (oder "
            'veraenderung = "veroeffentlicht" angeben, wenn sie mit den Daten kommt)'
        )
    return None
