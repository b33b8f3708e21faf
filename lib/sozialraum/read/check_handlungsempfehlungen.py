"""Validation of the Handlungsempfehlungen and of their status history.

Their Quartiere must be areas of the geometry, and the history must end where the
recommendations file stands.
"""

from __future__ import annotations

import pandas as pd

from sozialraum.read.check_events import _canonical, _ids, _ref
from sozialraum.read.check_geometry import _Geo, _kein_bekannt
from sozialraum.read.schemas import HE_STATUS, Converted, Erlaubt
from sozialraum.read.validation_run import _Run


def _handlungsempfehlungen(run: _Run, he: Converted, sr_erlaubt: Erlaubt, geo: _Geo | None) -> None:
    df = he.df
    df["status"] = df["status"].map(_canonical(HE_STATUS), na_action="ignore")
    run.validate_schema(
        "handlungsempfehlungen",
        he,
        {
            "sozialraum_id": sr_erlaubt,
            "status": Erlaubt(HE_STATUS, "ist kein Status", ", ".join(HE_STATUS)),
        },
    )
    lists: list[list[str]] = []
    for pos, text in enumerate(df["quartiere"]):
        ids: list[str] = []
        parts = [] if pd.isna(text) else [p.strip() for p in str(text).split(",") if p.strip()]
        for part in parts:
            if geo is None:
                break
            if part in geo.name_by_id:
                ids.append(part)
                continue
            match = geo.matcher.match(part)
            if match.ok and geo.id_of(match.name) is not None:
                qid = geo.id_of(match.name)
                ids.append(qid)
                if geo.sr_by_id.get(qid) != df["sozialraum_id"].iloc[pos]:
                    run.cell(
                        he,
                        pos,
                        "quartiere",
                        f'"{part}" liegt nicht im Sozialraum {df["sozialraum_id"].iloc[pos]}',
                        erwartet="Quartiere des Sozialraums der Handlungsempfehlung",
                        schwere="Warnung",
                    )
            else:
                run.cell(
                    he,
                    pos,
                    "quartiere",
                    f'"{part}" ist {_kein_bekannt(run)}',
                    wert=part,
                    erwartet="IDs oder Namen aus der Geometrie, mit Komma getrennt",
                    vorschlag=match.vorschlag,
                )
        lists.append(ids)
    df["quartier_ids"] = pd.Series(lists, dtype=object, index=df.index)


def _statusverlauf(run: _Run, sv: Converted, he: Converted | None) -> None:
    """Check the status history against the recommendations it belongs to.

    The history must end where ``handlungsempfehlungen`` stands: its latest row per he_id
    carries that file's status and date. Otherwise the report would show two different
    current states of one recommendation.
    """
    df = sv.df
    df["status"] = df["status"].map(_canonical(HE_STATUS), na_action="ignore")
    erlaubt = {"status": Erlaubt(HE_STATUS, "ist kein Status", ", ".join(HE_STATUS))}
    ref = _ref(_ids(he, "he_id"), "he_id", he.raw.datei) if he is not None else None
    if ref is not None:
        erlaubt["he_id"] = ref
    run.validate_schema("statusverlauf", sv, erlaubt)
    if he is None or df["status_datum"].isna().any():
        return
    current = he.df.set_index("he_id")
    latest = df.reset_index(drop=True).reset_index(names="pos")
    latest = latest.sort_values(["he_id", "status_datum"], kind="stable").groupby("he_id").tail(1)
    for row in latest.itertuples():
        if row.he_id not in current.index:
            continue
        soll_status = current.at[row.he_id, "status"]
        soll_datum = current.at[row.he_id, "status_datum"]
        if pd.isna(soll_datum):
            continue
        later = row.status_datum > soll_datum
        monat = "status_datum_genauigkeit" in current and (
            current.at[row.he_id, "status_datum_genauigkeit"] == "monat"
        )
        if monat:  # "2023-02" covers the whole month
            later = row.status_datum.to_period("M") > soll_datum.to_period("M")
        stand = soll_datum.strftime("%m/%Y" if monat else "%d.%m.%Y")
        if later:
            run.cell(
                sv,
                int(row.pos),
                "status_datum",
                f'Der Verlauf von "{row.he_id}" reicht über den Stand in {he.raw.datei} '
                f"({stand}) hinaus",
                erwartet=f"als letzten Eintrag den Stand aus {he.raw.datei}",
                hinweis=f"den neuen Status auch in {he.raw.datei} eintragen",
            )
        elif row.status != soll_status:
            run.cell(
                sv,
                int(row.pos),
                "status",
                f'Der letzte Status von "{row.he_id}" im Verlauf ist "{row.status}", in '
                f'{he.raw.datei} steht "{soll_status}"',
                erwartet=f"als letzten Eintrag den Stand aus {he.raw.datei}",
                vorschlag=soll_status,
                hinweis=f"den aktuellen Stand als eigene Zeile anfügen ({soll_status})",
            )
