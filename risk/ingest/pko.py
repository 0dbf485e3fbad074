"""Peacekeeping deployments as a state-presence source: Geo-PKO and RADPKO files.

Each row is a deployment location (a base, a town) at a report date, with its troops.
The loader places each location in a district (by the usual assignment rule) and writes,
per district and report date, two presence observations:

* ``<source>_troops``: UN troops deployed in the district (missing if any location's
  troop number is unknown), and
* ``<source>_bases``: the number of deployment locations in the district,

where ``<source>`` is ``geopko`` or ``radpko``.  A report date says where the mission *was*,
so every other district of the same country gets 0 for that date: a withdrawal shows up
as a drop, not as a stale value carried forward.

Geo-PKO: Cil, Fjelde, Hultman & Nilsson (2020), "Mapping blue helmets", Journal of Peace
Research 57(2).  RADPKO: Hunnicutt & Nomikos, "Robust Africa Deployments of Peacekeeping
Operations".
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from risk.ingest.checks import RowChecks
from risk.ingest.parsed import Parsed
from risk.ingest.readers import raw_text, read_table

GEOPKO_REQUIRED = ("year", "month", "location", "latitude", "longitude", "No.troops")
RADPKO_REQUIRED = ("base", "date", "latitude", "longitude", "untrp")


def _frame(
    checks: RowChecks,
    source: str,
    date: pd.Series,
    troops: pd.Series,
    location: pd.Series,
    lon_column: str = "longitude",
) -> Parsed:
    frame = pd.DataFrame(
        {
            "source": source,
            "date": date,
            "location": location,
            "latitude": checks.number("latitude", minimum=-90, maximum=90),
            "longitude": checks.number(lon_column, minimum=-180, maximum=180),
            "troops": troops,
            "raw": raw_text(checks.cells).to_numpy(),
        }
    )
    return Parsed.from_checks(checks, frame)


def parse_geopko(path: Path, *, encoding: str | None = None) -> Parsed:
    table = read_table(path, encoding=encoding)
    checks = RowChecks(table)
    checks.require_columns(GEOPKO_REQUIRED, "Geo-PKO")
    year = checks.number("year", integer=True, minimum=1945, maximum=2100)
    month = checks.number("month", integer=True, minimum=1, maximum=12)
    date = pd.to_datetime(
        pd.DataFrame({"year": year.fillna(2000), "month": month.fillna(1), "day": 1}), errors="coerce"
    ).where(year.notna() & month.notna())
    troops_text = table.cells["No.troops"].astype(str).str.strip()
    troops = pd.to_numeric(troops_text, errors="coerce")
    # Troop numbers are sometimes text ("unknown"): the location still counts as a base.
    checks.flag(troops < 0, "No.troops", "below the minimum 0: '" + troops_text + "'")
    location = checks.text("location", required=True)
    return _frame(checks, "geopko", date, troops, location)


def parse_radpko(path: Path, *, encoding: str | None = None) -> Parsed:
    table = read_table(path, encoding=encoding)
    checks = RowChecks(table)
    checks.require_columns(RADPKO_REQUIRED, "RADPKO")
    date = checks.date("date")
    troops = checks.number("untrp", minimum=0, required=False)
    # RADPKO gives Ménaka (Mali) a longitude with the wrong sign; a corrected column wins where present.
    lon_column = "longitude_fixed" if "longitude_fixed" in table.cells else "longitude"
    return _frame(checks, "radpko", date, troops, checks.text("base", required=True), lon_column)


def district_observations(
    records: pd.DataFrame, district_ids: pd.Series, country_of: dict[str, str]
) -> pd.DataFrame:
    """Per (district, date): troops and bases, with zeros for the other districts of the country.

    ``district_ids`` aligns with ``records`` (None where a location is in no district).
    """
    placed = records.assign(district_id=district_ids.to_numpy())[district_ids.notna().to_numpy()]
    if placed.empty:
        return pd.DataFrame(columns=["district_id", "date", "indicator", "value", "source", "row"])
    source = str(placed["source"].iloc[0])
    grouped = placed.groupby(["district_id", "date"])
    per = pd.DataFrame(
        {
            "troops": grouped["troops"].sum(min_count=1).where(grouped["troops"].count() == grouped.size()),
            "bases": grouped.size().astype(float),
            "row": grouped["row"].min(),
        }
    ).reset_index()
    countries = {country_of[d] for d in per["district_id"]}
    all_ids = sorted(d for d, c in country_of.items() if c in countries)
    dates = sorted(per["date"].unique())
    full = pd.MultiIndex.from_product([all_ids, dates], names=["district_id", "date"])
    per = per.set_index(["district_id", "date"]).reindex(full).reset_index()
    absent = per["bases"].isna()
    per.loc[absent, ["troops", "bases"]] = 0.0
    per["row"] = per["row"].fillna(0).astype(int)
    long = per.melt(id_vars=["district_id", "date", "row"], value_vars=["troops", "bases"], var_name="what")
    long = long[long["value"].notna()]
    long["indicator"] = source + "_" + long["what"]
    long["source"] = source
    return long[["district_id", "date", "indicator", "value", "source", "row"]].reset_index(drop=True)


__all__ = ["district_observations", "parse_geopko", "parse_radpko"]
