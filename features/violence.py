"""Event indicators: attacks, armed-group clashes and state-involved fighting, as seen at each period.

Only events visible at period t (``visible_period(date_end) <= t``) count for t.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from features.grid import Grid, decayed, periods_since, window_sum
from features.spec import PanelSpec
from risk.categories import ATTACK, CLASH, STATE_FIGHTING, VIOLENT
from risk.periods import visible_period

#: Feature-name prefix of each event category.
KINDS = {ATTACK: "attacks", CLASH: "clashes", STATE_FIGHTING: "state_fighting"}

#: Actors that are not armed groups: states' forces, civilians, crowds, the unknown.
NOT_ARMED_GROUP = re.compile(
    r"^\s*(government of|military forces of|police forces of|civilians|protesters|rioters|unidentified"
    r"|unknown)",
    re.IGNORECASE,
)


def visible_cells(grid: Grid, events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of each event in the grid at the period it becomes visible."""
    if events.empty:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    rows = grid.period_index(visible_period(events["date_end"], grid.freq))
    return rows, grid.district_index(events["district_id"])


def event_matrices(grid: Grid, events: pd.DataFrame) -> dict[str, dict[str, np.ndarray]]:
    """Per category: visible counts, deaths and civilian deaths as ``(T, D)`` arrays."""
    rows, cols = visible_cells(grid, events)
    out = {}
    for category, kind in KINDS.items():
        mask = (events["category"] == category).to_numpy()
        out[kind] = {
            "count": grid.count(rows[mask], cols[mask]),
            "deaths": grid.count(rows[mask], cols[mask], events["fatalities"].to_numpy(dtype=float)[mask]),
            "civilian_deaths": grid.count(
                rows[mask], cols[mask], np.nan_to_num(events["civilian_deaths"].to_numpy(dtype=float)[mask])
            ),
        }
    return out


def violence_features(grid: Grid, events: pd.DataFrame, spec: PanelSpec) -> dict[str, np.ndarray]:
    matrices = event_matrices(grid, events)
    features: dict[str, np.ndarray] = {}
    for kind in ("attacks", "clashes", "state_fighting"):
        m = matrices[kind]
        for w in spec.windows:
            features[f"{kind}_count_{w}"] = window_sum(m["count"], w)
            if kind != "state_fighting":
                features[f"{kind}_deaths_{w}"] = window_sum(m["deaths"], w)
        features[f"{kind}_decay"] = decayed(m["count"], spec.half_life)
        features[f"{kind}_since"] = periods_since(m["count"] > 0)
    civilian = sum(matrices[k]["civilian_deaths"] for k in matrices)
    for w in spec.windows:
        features[f"civilian_deaths_{w}"] = window_sum(civilian, w)
    features[f"armed_groups_{spec.group_window}"] = armed_groups_active(grid, events, spec.group_window)
    return features


def armed_groups_active(grid: Grid, events: pd.DataFrame, window: int) -> np.ndarray:
    """Distinct armed groups in violent events visible in the last ``window`` periods, per district.

    Each (district, group, period) sighting keeps the group active for ``window`` periods; the union
    of those intervals per (district, group) is taken with sorted differences, then +1/-1 marks at the
    ends are summed over time.
    """
    n_t, n_d = grid.shape
    violent = events[events["category"].isin(VIOLENT)]
    rows, cols = visible_cells(grid, violent)
    sightings = pd.DataFrame(
        {
            "t": np.r_[rows, rows],
            "d": np.r_[cols, cols],
            "actor": np.r_[
                violent["actor1"].to_numpy(dtype=object), violent["actor2"].to_numpy(dtype=object)
            ],
        }
    )
    sightings = sightings[(sightings["d"] >= 0) & (sightings["t"] >= 0) & (sightings["t"] < n_t)]
    sightings = sightings[sightings["actor"].notna()]
    sightings = sightings[~sightings["actor"].astype(str).str.match(NOT_ARMED_GROUP)]
    marks = np.zeros((n_t + window + 1, n_d))
    if sightings.empty:
        return marks[:n_t]
    s = sightings.drop_duplicates().sort_values(["d", "actor", "t"], ignore_index=True)
    same = (s["d"].to_numpy()[1:] == s["d"].to_numpy()[:-1]) & (
        s["actor"].to_numpy()[1:] == s["actor"].to_numpy()[:-1]
    )
    gap = np.diff(s["t"].to_numpy()) > window
    starts = np.r_[True, ~same | gap]
    ends = np.r_[~same | gap, True]
    start_t, end_t = s["t"].to_numpy()[starts], s["t"].to_numpy()[ends] + window
    d_start, d_end = s["d"].to_numpy()[starts], s["d"].to_numpy()[ends]
    np.add.at(marks, (start_t, d_start), 1)
    np.add.at(marks, (end_t, d_end), -1)
    return np.cumsum(marks, axis=0)[:n_t]
