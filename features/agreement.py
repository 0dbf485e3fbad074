"""Agreement delays: overdue provisions covering each district, as known at the end of each period.

A provision is *due* at period t once its planned date is on or before the end of t; it is
*completed* at t once its completion date is on or before the end of t (completion becomes
known on its date); *overdue* means due and not completed.  National provisions cover every
district, regional ones the districts whose parent is that region.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from features.grid import Grid, periods_since
from risk.periods import visible_period


def coverage(grid: Grid, provisions: pd.DataFrame, parents: pd.Series) -> np.ndarray:
    """``(P, D)`` boolean: which districts each provision covers (one loop over provisions)."""
    n_d = grid.shape[1]
    cover = np.zeros((len(provisions), n_d), dtype=bool)
    parent_values = parents.to_numpy(dtype=object)
    for i, p in enumerate(provisions.itertuples(index=False)):
        if p.scope_kind == "national":
            cover[i] = True
        elif p.scope_kind == "region":
            cover[i] = parent_values == p.scope_region
        else:
            columns = grid.district_index(pd.Series(list(p.scope_districts or []), dtype=object))
            cover[i, columns[columns >= 0]] = True  # a district not on the grid covers nothing
    return cover


def agreement_features(grid: Grid, provisions: pd.DataFrame, parents: pd.Series) -> dict[str, np.ndarray]:
    n_t, n_d = grid.shape
    nan = np.full((n_t, n_d), np.nan)
    if provisions.empty:
        zeros = np.zeros((n_t, n_d))
        return {
            "provisions_overdue": zeros,
            "provisions_days_overdue": zeros,
            "provisions_mean_days_overdue": nan,
            "provisions_on_time_share": nan,
            "provisions_since_completion": nan,
        }
    period_end = grid.periods.end_time.normalize().to_numpy()[:, None]  # (T, 1)
    planned = provisions["planned_date"].to_numpy(dtype="datetime64[ns]")[None, :]  # (1, P)
    completed = provisions["completed_date"].to_numpy(dtype="datetime64[ns]")[None, :]
    done = ~np.isnat(completed) & (completed <= period_end)  # (T, P) completion known by the end of t
    due = planned <= period_end
    overdue = due & ~done
    days = np.where(overdue, (period_end - planned) / np.timedelta64(1, "D"), 0.0)
    on_time = due & done & (completed <= planned)
    cover = coverage(grid, provisions, parents).astype(float)  # (P, D)
    n_overdue = overdue.astype(float) @ cover
    total_days = days @ cover
    n_due = due.astype(float) @ cover
    completion_rows = grid.period_index(visible_period(pd.Series(provisions["completed_date"]), grid.freq))
    completed_here = np.zeros((n_t, n_d), dtype=bool)
    for p, row in enumerate(completion_rows):  # one loop over provisions
        if not np.isnat(completed[0, p]) and row < n_t:
            # A completion before the panel starts is marked in its first period.
            completed_here[max(row, 0)] |= cover[p].astype(bool)
    return {
        "provisions_overdue": n_overdue,
        "provisions_days_overdue": total_days,
        "provisions_mean_days_overdue": np.where(
            n_overdue > 0, total_days / np.maximum(n_overdue, 1), np.nan
        ),
        "provisions_on_time_share": np.where(
            n_due > 0, (on_time.astype(float) @ cover) / np.maximum(n_due, 1), np.nan
        ),
        "provisions_since_completion": periods_since(completed_here),
    }
