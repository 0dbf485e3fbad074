"""The one home of the target: does a district see violence in the next h periods?

``y_h(t) = 1`` when at least one event of the target categories with at least
``target_min_deaths`` deaths *starts* in periods t+1 .. t+h (events count as outcomes
in the period of their ``date_start``).  The target is missing where that window is
not fully known: it runs past ``known_by`` (default: the last period of the data),
and only events visible by ``known_by`` count, so a backtest that passes its cut-off
sees the targets as they were known then.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from features.grid import Grid, window_sum
from features.located import LocatedEvents
from features.spec import PanelSpec


def fatal_mask(events: LocatedEvents, spec: PanelSpec) -> np.ndarray:
    """Events that count as violence for the target."""
    return events.of(*spec.target_categories) & (events.fatalities >= spec.target_min_deaths)


def target_name(horizon: int) -> str:
    return f"y_{horizon}"


def build_targets(
    grid: Grid, events: LocatedEvents, spec: PanelSpec, known_by: pd.Period
) -> dict[str, np.ndarray]:
    n_t = grid.shape[0]
    last_known_row = known_by.ordinal - grid.periods[0].ordinal
    fatal = fatal_mask(events, spec) & (events.t_visible <= last_known_row)
    horizon_max = max(spec.horizons)
    extended = Grid.build(grid.periods[0], grid.periods[-1] + horizon_max, grid.district_ids)
    happened = extended.count(events.t_outcome[fatal], events.district[fatal]) > 0
    out = {}
    for h in spec.horizons:
        ahead = window_sum(happened.astype(float), h)  # ahead[t + h] covers t+1 .. t+h
        y = (ahead[h : h + n_t] > 0).astype(float)
        y[np.arange(n_t) + h > last_known_row] = np.nan
        out[target_name(h)] = y
    return out
