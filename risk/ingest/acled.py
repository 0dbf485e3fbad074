"""ACLED export files: the current layout and the older one with a second ``#`` tag row.

Mapping (see :mod:`risk.categories`): *Violence against civilians* and
*Explosions/Remote violence* -> ``attack``; *Battles* -> ``clash``, or
``state_fighting`` when ``inter1``/``inter2`` names state or external forces;
*Riots*/*Protests* -> ``unrest``; *Strategic developments* -> ``other``.

Location precision: ``geo_precision`` 1 (the place itself) -> 1, 2 (a nearby
place) -> 2, 3 (a larger region) -> 4, which is vaguer than a district, so the
event is stored but not placed in a district.  ACLED has no separate civilian
death count: the fatalities of *Violence against civilians* are taken as civilian
deaths, other kinds leave it unknown.  ``date_start`` = ``date_end`` = ``event_date``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from risk.categories import acled_categories
from risk.ingest.checks import RowChecks
from risk.ingest.parsed import Parsed
from risk.ingest.readers import RawTable, raw_text, read_table

SOURCE = "acled"
REQUIRED = (
    "event_id_cnty",
    "event_date",
    "event_type",
    "latitude",
    "longitude",
    "geo_precision",
    "fatalities",
)
GEO_PRECISION = {1.0: 1, 2.0: 2, 3.0: 4}


def _without_tag_row(table: RawTable) -> RawTable:
    """Older exports (e.g. from HDX) carry HXL tags such as ``#event+code`` in their second row."""
    if len(table.cells) and str(table.cells.iloc[0, 0]).startswith("#"):
        return RawTable(
            table.file,
            table.header,
            table.cells.iloc[1:].reset_index(drop=True),
            table.rows[1:],
            table.bad_shape,
        )
    return table


def parse(path: Path, *, encoding: str | None = None) -> Parsed:
    return parse_table(_without_tag_row(read_table(path, encoding=encoding)))


def parse_table(table: RawTable) -> Parsed:
    checks = RowChecks(table)
    checks.require_columns(REQUIRED, "ACLED")
    cells = table.cells
    empty = pd.Series("", index=cells.index, dtype=object)
    event_type = cells["event_type"].astype(str)
    category = acled_categories(event_type, cells.get("inter1", empty), cells.get("inter2", empty))
    source_id = checks.text("event_id_cnty", required=True, max_length=64)
    checks.flag(category.isna(), "event_type", "unknown ACLED event_type '" + event_type + "'")
    date = checks.date("event_date")
    lat = checks.number("latitude", minimum=-90, maximum=90)
    lon = checks.number("longitude", minimum=-180, maximum=180)
    geo = checks.number("geo_precision", integer=True, minimum=1, maximum=3)
    fatalities = checks.number("fatalities", integer=True, minimum=0)
    against_civilians = event_type.str.strip().str.casefold() == "violence against civilians"
    frame = pd.DataFrame(
        {
            "source": SOURCE,
            "source_id": source_id,
            "date_start": date,
            "date_end": date,
            "latitude": lat,
            "longitude": lon,
            "location_precision": geo.map(GEO_PRECISION),
            "admin1": checks.text("admin1"),
            "category": category,
            "actor1": checks.text("actor1"),
            "actor2": checks.text("actor2"),
            "fatalities_best": fatalities,
            "fatalities_low": np.nan,
            "fatalities_high": np.nan,
            "civilian_deaths": fatalities.where(against_civilians),
            "district_hint": None,
            "raw": raw_text(cells).to_numpy(),
        }
    )
    return Parsed.from_checks(checks, frame)
