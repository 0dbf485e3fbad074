"""The project's own CSV formats: events, state-presence observations, agreement provisions.

The formats, with an example each, are documented in ``docs/formats.md``.
District references (``district`` columns, provision scopes) may be a district id
or a name (accents, case and punctuation do not matter); the loader resolves them
against the districts in the store.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from risk.categories import CATEGORIES
from risk.ingest.checks import RowChecks
from risk.ingest.parsed import Parsed
from risk.ingest.readers import raw_text, read_table

SOURCE = "native"
EVENT_REQUIRED = ("event_id", "date_start", "category", "fatalities")
PRESENCE_REQUIRED = ("district", "date", "indicator", "value", "source")
PROVISION_REQUIRED = ("provision_id", "title", "scope", "planned_date")
SCOPE_KINDS = ("national", "region", "districts")


def parse_events(path: Path, *, encoding: str | None = None) -> Parsed:
    table = read_table(path, encoding=encoding)
    checks = RowChecks(table)
    checks.require_columns(EVENT_REQUIRED, "events")
    source_id = checks.text("event_id", required=True, max_length=64)
    start = checks.date("date_start")
    end_given = checks.date("date_end", required=False)
    end = end_given.fillna(start)
    checks.flag(end < start, "date_end", "date_end is before date_start")
    category = checks.text("category", required=True).str.casefold()
    checks.flag(
        category.notna() & ~category.isin(CATEGORIES),
        "category",
        "unknown category '" + category.astype(str) + f"' (expected one of {', '.join(CATEGORIES)})",
    )
    lat = checks.number("latitude", minimum=-90, maximum=90, required=False)
    lon = checks.number("longitude", minimum=-180, maximum=180, required=False)
    district = checks.text("district")
    has_point = np.isfinite(lat) & np.isfinite(lon)
    checks.flag(
        np.isfinite(lat) != np.isfinite(lon), "longitude", "latitude and longitude must be given together"
    )
    checks.flag(~has_point & district.isna(), "latitude", "give coordinates or a district")
    precision = checks.number("location_precision", integer=True, minimum=1, maximum=7, required=False)
    precision = precision.fillna(pd.Series(np.where(has_point, 1.0, 3.0), index=precision.index))
    best = checks.number("fatalities", integer=True, minimum=0)
    low = checks.number("fatalities_low", integer=True, minimum=0, required=False)
    high = checks.number("fatalities_high", integer=True, minimum=0, required=False)
    checks.flag(low > best, "fatalities_low", "low estimate is above the best estimate")
    checks.flag(high < best, "fatalities_high", "high estimate is below the best estimate")
    frame = pd.DataFrame(
        {
            "source": SOURCE,
            "source_id": source_id,
            "date_start": start,
            "date_end": end,
            "latitude": lat,
            "longitude": lon,
            "location_precision": precision,
            "admin1": checks.text("admin1"),
            "category": category,
            "actor1": checks.text("actor1"),
            "actor2": checks.text("actor2"),
            "fatalities_best": best,
            "fatalities_low": low,
            "fatalities_high": high,
            "civilian_deaths": checks.number("civilian_deaths", integer=True, minimum=0, required=False),
            "district_hint": district.where(~has_point, None),
            "raw": raw_text(table.cells).to_numpy(),
        }
    )
    return Parsed.from_checks(checks, frame)


def parse_presence(path: Path, *, encoding: str | None = None) -> Parsed:
    table = read_table(path, encoding=encoding)
    checks = RowChecks(table)
    checks.require_columns(PRESENCE_REQUIRED, "presence")
    frame = pd.DataFrame(
        {
            "district_hint": checks.text("district", required=True),
            "date": checks.date("date"),
            "indicator": checks.text("indicator", required=True, max_length=100),
            "value": checks.number("value"),
            "source": checks.text("source", required=True, max_length=200),
            "raw": raw_text(table.cells).to_numpy(),
        }
    )
    return Parsed.from_checks(checks, frame)


def parse_provisions(path: Path, *, encoding: str | None = None) -> Parsed:
    table = read_table(path, encoding=encoding)
    checks = RowChecks(table)
    checks.require_columns(PROVISION_REQUIRED, "provisions")
    scope = checks.text("scope", required=True)
    parts = scope.fillna("").astype(object).str.partition(":")  # "region:Kidal" -> region, :, Kidal
    kind = parts[0].str.strip().str.casefold()
    target = parts[2].str.strip().where(parts[2].str.strip() != "", None)
    checks.flag(
        scope.notna() & ~kind.isin(SCOPE_KINDS),
        "scope",
        "unknown scope '" + scope.astype(str) + "' (expected national, region:NAME or districts:A;B)",
    )
    checks.flag(
        kind.isin(["region", "districts"]) & (target.fillna("") == ""), "scope", "scope names nothing"
    )
    planned = checks.date("planned_date")
    completed = checks.date("completed_date", required=False)
    frame = pd.DataFrame(
        {
            "id": checks.text("provision_id", required=True, max_length=64),
            "title": checks.text("title", required=True, max_length=500),
            "scope_kind": kind,
            "scope_target": target.where(kind != "national", None),
            "planned_date": planned,
            "completed_date": completed,
            "source": checks.text("source", max_length=200),
            "raw": raw_text(table.cells).to_numpy(),
        }
    )
    return Parsed.from_checks(checks, frame)
