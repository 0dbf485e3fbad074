"""UCDP GED event files (``GEDEvent_vXX_1.csv`` or the zip it comes in).

Mapping: ``type_of_violence`` 1/2/3 -> ``state_fighting``/``clash``/``attack``
(see :mod:`risk.categories`); ``where_prec`` is kept as the location precision;
``best``/``low``/``high`` are the fatality estimates; ``deaths_civilians`` the
civilian deaths; ``side_a``/``side_b`` the actors.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from risk.categories import UCDP_TYPE_OF_VIOLENCE
from risk.ingest.checks import RowChecks
from risk.ingest.parsed import Parsed
from risk.ingest.readers import RawTable, decode, parse_delimited, raw_text, read_bytes

SOURCE = "ucdp"

#: The standard 49-column GED layout, used when a file comes without a header row.
GED_COLUMNS = [
    "id",
    "relid",
    "year",
    "active_year",
    "code_status",
    "type_of_violence",
    "conflict_dset_id",
    "conflict_new_id",
    "conflict_name",
    "dyad_dset_id",
    "dyad_new_id",
    "dyad_name",
    "side_a_dset_id",
    "side_a_new_id",
    "side_a",
    "side_b_dset_id",
    "side_b_new_id",
    "side_b",
    "number_of_sources",
    "source_article",
    "source_office",
    "source_date",
    "source_headline",
    "source_original",
    "where_prec",
    "where_coordinates",
    "where_description",
    "adm_1",
    "adm_2",
    "latitude",
    "longitude",
    "geom_wkt",
    "priogrid_gid",
    "country",
    "country_id",
    "region",
    "event_clarity",
    "date_prec",
    "date_start",
    "date_end",
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
    "best",
    "high",
    "low",
    "gwnoa",
    "gwnob",
]

REQUIRED = ("id", "type_of_violence", "date_start", "date_end", "latitude", "longitude", "where_prec", "best")


def _with_standard_header(table: RawTable) -> RawTable:
    """GED candidate releases sometimes have no header: the first row is then an event."""
    if "id" in table.header or len(table.header) not in (len(GED_COLUMNS), len(GED_COLUMNS) - 1):
        return table
    if not table.header[0].strip().isdigit():
        return table
    columns = (
        GED_COLUMNS if len(table.header) == len(GED_COLUMNS) else [c for c in GED_COLUMNS if c != "geom_wkt"]
    )
    first = pd.DataFrame([table.header], columns=columns, dtype=object)
    cells = table.cells.copy()
    cells.columns = columns
    return RawTable(
        file=table.file,
        header=list(columns),
        cells=pd.concat([first, cells], ignore_index=True),
        rows=np.r_[1, table.rows],
        bad_shape=table.bad_shape,
    )


def parse(path: Path, *, encoding: str | None = None) -> Parsed:
    table = parse_delimited(decode(read_bytes(path), str(path), encoding), str(path))
    return parse_table(_with_standard_header(table))


def parse_table(table: RawTable) -> Parsed:
    checks = RowChecks(table)
    checks.require_columns(REQUIRED, "UCDP GED")
    source_id = checks.text("id", required=True, max_length=64)
    violence = checks.number("type_of_violence", integer=True)
    category = violence.map(UCDP_TYPE_OF_VIOLENCE)
    checks.flag(
        np.isfinite(violence) & category.isna(),
        "type_of_violence",
        "unknown type_of_violence " + table.cells["type_of_violence"].astype(str).radd("'") + "' (expected 1 "
        "state-based, 2 non-state, 3 one-sided)",
    )
    start = checks.date("date_start")
    end = checks.date("date_end")
    checks.flag(end < start, "date_end", "date_end is before date_start")
    lat = checks.number("latitude", minimum=-90, maximum=90)
    lon = checks.number("longitude", minimum=-180, maximum=180)
    precision = checks.number("where_prec", integer=True, minimum=1, maximum=7)
    best = checks.number("best", integer=True, minimum=0)
    low = checks.number("low", integer=True, minimum=0, required=False)
    high = checks.number("high", integer=True, minimum=0, required=False)
    civilians = checks.number("deaths_civilians", integer=True, minimum=0, required=False)
    frame = pd.DataFrame(
        {
            "source": SOURCE,
            "source_id": source_id,
            "date_start": start,
            "date_end": end,
            "latitude": lat,
            "longitude": lon,
            "location_precision": precision,
            "admin1": checks.text("adm_1"),
            "category": category,
            "actor1": checks.text("side_a"),
            "actor2": checks.text("side_b"),
            "fatalities_best": best,
            "fatalities_low": low,
            "fatalities_high": high,
            "civilian_deaths": civilians,
            "district_hint": None,
            "raw": raw_text(table.cells).to_numpy(),
        }
    )
    parsed = Parsed.from_checks(checks, frame)
    # Real GED releases have a few events whose best estimate lies outside low..high; they are kept
    # as published (the best estimate is what counts) and only counted here.
    kept = parsed.records
    parsed.notes["best_outside_low_high"] = int(
        (
            (kept["fatalities_low"] > kept["fatalities_best"])
            | (kept["fatalities_high"] < kept["fatalities_best"])
        ).sum()
    )
    return parsed
