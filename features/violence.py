"""Event indicators: attacks, armed-group clashes and state-involved fighting, as seen at each period.

Only events visible at period t (``visible_period(date_end) <= t``) count for t.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from features.grid import Grid, decayed, periods_since, window_sums
from features.located import LocatedEvents
from features.spec import PanelSpec
from risk.categories import ATTACK, CLASH, STATE_FIGHTING

#: Feature-name prefix of each event category.
KINDS = {ATTACK: "attacks", CLASH: "clashes", STATE_FIGHTING: "state_fighting"}


def violence_features(grid: Grid, events: LocatedEvents, spec: PanelSpec) -> dict[str, np.ndarray]:
    features: dict[str, np.ndarray] = {}
    civilian = np.zeros(grid.shape)
    for category, kind in KINDS.items():
        m = events.of(category)
        rows, cols = events.t_visible[m], events.district[m]
        count = grid.count(rows, cols)
        for w, total in window_sums(count, spec.windows).items():
            features[f"{kind}_count_{w}"] = total
        if kind != "state_fighting":
            deaths = grid.count(rows, cols, events.fatalities[m])
            for w, total in window_sums(deaths, spec.windows).items():
                features[f"{kind}_deaths_{w}"] = total
        features[f"{kind}_decay"] = decayed(count, spec.half_life)
        features[f"{kind}_since"] = periods_since(count > 0)
        civilian += grid.count(rows, cols, events.civilian_deaths[m])
    for w, total in window_sums(civilian, spec.windows).items():
        features[f"civilian_deaths_{w}"] = total
    features[f"armed_groups_{spec.group_window}"] = armed_groups_active(grid, events, spec.group_window)
    return features


def armed_groups_active(grid: Grid, events: LocatedEvents, window: int) -> np.ndarray:
    """Distinct armed groups in violent events visible in the last ``window`` periods, per district.

    Each (district, group, period) sighting keeps the group active for ``window`` periods.  The
    sightings are packed into one sorted integer key; the union of the intervals of each (district,
    group) is found from the gaps, and +1/-1 marks at their ends are summed over time.
    """
    n_t, n_d = grid.shape
    v = events.violent & (events.district >= 0) & (events.t_visible >= 0) & (events.t_visible < n_t)
    t = np.r_[events.t_visible[v], events.t_visible[v]]
    d = np.r_[events.district[v], events.district[v]]
    actor = np.r_[events.actors[v, 0], events.actors[v, 1]]
    keep = actor >= 0
    keep[keep] = events.actor_is_armed_group[actor[keep]]
    if not keep.any():
        return np.zeros((n_t, n_d))
    n_actors = len(events.actor_is_armed_group)
    key = np.sort((d[keep] * n_actors + actor[keep]) * n_t + t[keep])  # by district, group, time
    key = key[np.r_[True, key[1:] != key[:-1]]]
    group, t = key // n_t, key % n_t
    new_interval = np.r_[True, (group[1:] != group[:-1]) | (np.diff(t) > window)]
    last_of_interval = np.r_[new_interval[1:], True]
    d_of = group // n_actors
    marks = Grid(pd.period_range(grid.periods[0], periods=n_t + window + 1), grid.district_ids)
    starts = marks.count(t[new_interval], d_of[new_interval])
    ends = marks.count(t[last_of_interval] + window, d_of[last_of_interval])
    return np.cumsum(starts - ends, axis=0)[:n_t]
