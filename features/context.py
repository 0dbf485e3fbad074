"""Neighbours and context: what happens next door and in the region, the season, the long-run rate."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from features.grid import Grid, window_sum
from features.located import LocatedEvents
from features.spec import PanelSpec

#: Own indicators whose neighbour sums are features too.
NEIGHBOUR_SOURCES = ("attacks_count_{w}", "clashes_count_{w}", "attacks_decay", "clashes_decay")
REGION_WINDOW = 3


def adjacency_matrix(grid: Grid, neighbours: pd.DataFrame) -> sparse.csr_matrix:
    n_d = grid.shape[1]
    a = grid.district_index(neighbours["district_id"])
    b = grid.district_index(neighbours["neighbour_id"])
    ok = (a >= 0) & (b >= 0)
    return sparse.csr_matrix((np.ones(ok.sum()), (a[ok], b[ok])), shape=(n_d, n_d))


def neighbour_features(
    own: dict[str, np.ndarray], adjacency: sparse.csr_matrix, spec: PanelSpec
) -> dict[str, np.ndarray]:
    """Sum of each source indicator over a district's neighbours."""
    names = [n.format(w=w) for n in NEIGHBOUR_SOURCES for w in (spec.windows if "{w}" in n else (None,))]
    return {f"nb_{name}": np.asarray(adjacency @ own[name].T).T for name in dict.fromkeys(names)}


def region_features(grid: Grid, events: LocatedEvents, parents: pd.Series) -> dict[str, np.ndarray]:
    """Violent events placed in no district but known to be in the district's region (last 3 periods)."""
    n_t, n_d = grid.shape
    regions = pd.Index(sorted(parents.dropna().unique()))
    loose = events.violent & (events.district < 0)
    lookup = np.r_[regions.get_indexer(pd.Index(events.region_names)), -1]
    cols = lookup[events.region[loose]]
    region_grid = Grid(grid.periods, np.asarray(regions, dtype=object))
    counts = window_sum(region_grid.count(events.t_visible[loose], cols.astype(np.int64)), REGION_WINDOW)
    district_region = regions.get_indexer(parents)
    out = np.zeros((n_t, n_d))
    has = district_region >= 0
    out[:, has] = counts[:, district_region[has]]
    return {f"region_unplaced_{REGION_WINDOW}": out}


def calendar_features(grid: Grid) -> dict[str, np.ndarray]:
    n_d = grid.shape[1]
    month = grid.periods.start_time.month.to_numpy(dtype=float)
    return {"month_of_year": np.repeat(month[:, None], n_d, axis=1)}


def longrun_features(grid: Grid, fatal_visible: np.ndarray) -> dict[str, np.ndarray]:
    """Share of periods so far (from the panel start) with fatal violence seen in the district."""
    periods_so_far = np.arange(1, grid.shape[0] + 1, dtype=float)[:, None]
    return {"longrun_violence_rate": np.cumsum(fatal_visible > 0, axis=0) / periods_so_far}
