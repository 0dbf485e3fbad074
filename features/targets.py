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
from features.spec import PanelSpec
from risk.periods import outcome_period, visible_period


def fatal_events(events: pd.DataFrame, spec: PanelSpec) -> pd.DataFrame:
    mask = events["category"].isin(spec.target_categories) & (
        events["fatalities"].astype(float) >= spec.target_min_deaths
    )
    return events[mask.to_numpy()]


def target_name(horizon: int) -> str:
    return f"y_{horizon}"


def build_targets(
    grid: Grid, events: pd.DataFrame, spec: PanelSpec, known_by: pd.Period | None = None
) -> dict[str, np.ndarray]:
    n_t = grid.shape[0]
    fatal = fatal_events(events, spec)
    if known_by is None:
        known_by = visible_period(events["date_end"], grid.freq).max() if len(events) else grid.periods[-1]
    if len(fatal):
        fatal = fatal[(visible_period(fatal["date_end"], grid.freq) <= known_by)]
    horizon_max = max(spec.horizons)
    extended = Grid.build(grid.periods[0], grid.periods[-1] + horizon_max, grid.district_ids)
    rows = (
        extended.period_index(outcome_period(fatal["date_start"], grid.freq))
        if len(fatal)
        else np.empty(0, np.int64)
    )
    cols = extended.district_index(fatal["district_id"]) if len(fatal) else np.empty(0, np.int64)
    happened = extended.count(rows, cols) > 0
    last_known_row = extended.period_index(pd.PeriodIndex([known_by]))[0]
    out = {}
    for h in spec.horizons:
        ahead = window_sum(happened.astype(float), h)  # ahead[t + h] covers t+1 .. t+h
        y = (ahead[h : h + n_t] > 0).astype(float)
        t = np.arange(n_t)
        y[t + h > last_known_row] = np.nan
        out[target_name(h)] = y
    return out
