"""Turning simulated monthly counts into event rows, and writing them in the source layouts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from risk.categories import ATTACK, CLASH, STATE_FIGHTING, UCDP_TYPE_OF_VIOLENCE
from risk.ingest.ucdp import GED_COLUMNS
from risk.synth.geography import Geography
from risk.synth.process import Simulation

COUNTRY, COUNTRY_ID, GOVERNMENT = "Synthetia", 999, "Government of Synthetia"
ARMED_GROUPS = (
    "Northern Liberation Front",
    "Coalition of the Dunes",
    "Movement for Unity",
    "Self-defence militia",
)
_MEAN_DEATHS = {ATTACK: 2.5, CLASH: 3.5, STATE_FIGHTING: 4.0}
_TYPE_OF = {category: code for code, category in UCDP_TYPE_OF_VIOLENCE.items()}


def _points_in(rng: np.random.Generator, polygon, n: int) -> np.ndarray:
    """``n`` uniform points inside ``polygon`` (rejection sampling, vectorised)."""
    minx, miny, maxx, maxy = polygon.bounds
    found = np.empty((0, 2))
    while len(found) < n:
        cand = np.c_[rng.uniform(minx, maxx, 2 * n + 8), rng.uniform(miny, maxy, 2 * n + 8)]
        found = np.vstack([found, cand[shapely.contains_xy(polygon, cand[:, 0], cand[:, 1])]])
    return np.round(found[:n], 5)


def expand_events(rng: np.random.Generator, sim: Simulation, geo: Geography) -> pd.DataFrame:
    """One row per event: category, dates, district, point, precision, deaths and actors."""
    frames = []
    for category, counts in (
        (ATTACK, sim.attacks),
        (CLASH, sim.clashes),
        (STATE_FIGHTING, sim.state_fighting),
    ):
        t_idx, d_idx = np.nonzero(counts)
        reps = counts[t_idx, d_idx]
        frames.append(
            pd.DataFrame({"t": np.repeat(t_idx, reps), "d": np.repeat(d_idx, reps), "category": category})
        )
    events = pd.concat(frames, ignore_index=True).sort_values(
        ["t", "d", "category"], kind="stable", ignore_index=True
    )
    n = len(events)
    start_month = sim.months[events["t"].to_numpy()].start_time
    days = sim.months[events["t"].to_numpy()].days_in_month.to_numpy()
    start = start_month + pd.to_timedelta(np.floor(rng.random(n) * days), unit="D")
    lasting = rng.random(n) < 0.1
    duration = np.where(lasting, rng.integers(1, 7, n), 0)
    last_day = sim.months[-1].end_time.normalize()
    events["date_start"] = start
    events["date_end"] = np.minimum(start + pd.to_timedelta(duration, unit="D"), last_day)
    points = np.zeros((n, 2))
    for d in np.unique(events["d"]):  # a loop over districts, vectorised within each
        rows = np.flatnonzero(events["d"].to_numpy() == d)
        points[rows] = _points_in(rng, geo.polygons[d], len(rows))
    events["longitude"], events["latitude"] = points[:, 0], points[:, 1]
    u = rng.random(n)
    events["where_prec"] = np.select([u < 0.02, u < 0.06, u < 0.3], [6, 4, 2], 1)
    mean = events["category"].map(_MEAN_DEATHS).to_numpy()
    deaths = rng.negative_binomial(1.2, 1.2 / (1.2 + mean))
    events["best"] = deaths
    events["low"] = np.floor(deaths * rng.uniform(0.6, 1.0, n)).astype(int)
    events["high"] = deaths + rng.poisson(0.3 * deaths + 0.1)
    group = rng.integers(0, len(ARMED_GROUPS), n)
    other = (group + 1 + rng.integers(0, len(ARMED_GROUPS) - 1, n)) % len(ARMED_GROUPS)
    groups = np.asarray(ARMED_GROUPS, dtype=object)
    category = events["category"].to_numpy()
    events["side_a"] = np.where(category == STATE_FIGHTING, GOVERNMENT, groups[group])
    events["side_b"] = np.where(
        category == ATTACK, "Civilians", groups[np.where(category == CLASH, other, group)]
    )
    events["deaths_civilians"] = np.where(category == ATTACK, deaths, 0)
    events["id"] = np.arange(1, n + 1) + 900000
    return events


def ged_rows(events: pd.DataFrame, geo: Geography) -> pd.DataFrame:
    """The events in the standard 49-column UCDP GED layout."""
    names = np.asarray(geo.names, dtype=object)[events["d"].to_numpy()]
    regions = np.asarray(geo.regions, dtype=object)[events["d"].to_numpy()]
    type_code = events["category"].map(_TYPE_OF)
    dyad = events["side_a"] + " - " + events["side_b"]
    fmt = "%Y-%m-%d 00:00:00.000"
    state_side = events["category"] == STATE_FIGHTING
    out = pd.DataFrame(
        {
            "id": events["id"],
            "relid": "SYN-" + events["date_start"].dt.year.astype(str) + "-" + events["id"].astype(str),
            "year": events["date_start"].dt.year,
            "active_year": 1,
            "code_status": "Clear",
            "type_of_violence": type_code,
            "conflict_dset_id": 9000 + type_code,
            "conflict_new_id": 9000 + type_code,
            "conflict_name": dyad,
            "dyad_dset_id": 9100 + type_code,
            "dyad_new_id": 9100 + type_code,
            "dyad_name": dyad,
            "side_a_dset_id": 1,
            "side_a_new_id": 1,
            "side_a": events["side_a"],
            "side_b_dset_id": 2,
            "side_b_new_id": 2,
            "side_b": events["side_b"],
            "number_of_sources": 1,
            "source_article": "synthetic",
            "source_office": "",
            "source_date": "",
            "source_headline": "",
            "source_original": "",
            "where_prec": events["where_prec"],
            "where_coordinates": names,
            "where_description": "",
            "adm_1": regions + " province",
            "adm_2": names + " region",
            "latitude": events["latitude"],
            "longitude": events["longitude"],
            "geom_wkt": "POINT ("
            + events["longitude"].astype(str)
            + " "
            + events["latitude"].astype(str)
            + ")",
            "priogrid_gid": 0,
            "country": COUNTRY,
            "country_id": COUNTRY_ID,
            "region": "Africa",
            "event_clarity": 1,
            "date_prec": 1,
            "date_start": events["date_start"].dt.strftime(fmt),
            "date_end": events["date_end"].dt.strftime(fmt),
            "deaths_a": np.where(state_side, events["best"] // 3, 0),
            "deaths_b": np.where(
                events["category"] == ATTACK, 0, events["best"] - events["deaths_civilians"]
            ),
            "deaths_civilians": events["deaths_civilians"],
            "deaths_unknown": 0,
            "best": events["best"],
            "high": events["high"],
            "low": events["low"],
            "gwnoa": np.where(state_side, str(COUNTRY_ID), ""),
            "gwnob": "",
        }
    )
    out["deaths_b"] = out["best"] - out["deaths_a"] - out["deaths_civilians"]
    return out[list(GED_COLUMNS)]


def field_reports(rng: np.random.Generator, geo: Geography, months: pd.PeriodIndex) -> pd.DataFrame:
    """Protests and riots from mission field reports, in the project's events format.

    Half carry coordinates; the other half name the district only, as field teams often do.
    """
    n = 240
    d = rng.integers(0, len(geo.ids), n)
    t = rng.integers(0, len(months), n)
    start = months[t].start_time + pd.to_timedelta(rng.integers(0, 28, n), unit="D")
    points = np.array([_points_in(rng, geo.polygons[j], 1)[0] for j in d])  # 240 reports
    named = rng.random(n) < 0.5
    order = np.argsort(start.to_numpy(), kind="stable")
    frame = pd.DataFrame(
        {
            "event_id": [f"FR-{i + 1:04d}" for i in range(n)],
            "date_start": start.strftime("%Y-%m-%d"),
            "date_end": "",
            "latitude": np.where(named, np.nan, points[:, 1]),
            "longitude": np.where(named, np.nan, points[:, 0]),
            "district": np.where(named, np.asarray(geo.names, dtype=object)[d], ""),
            "category": "unrest",
            "actor1": "Protesters",
            "actor2": "",
            "fatalities": (rng.random(n) < 0.05).astype(int),
            "notes": "synthetic field report",
        }
    )
    return frame.iloc[order].reset_index(drop=True)
