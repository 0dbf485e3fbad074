"""State presence: the latest observation of each indicator known at the period, its age, next door."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from scipy import sparse

from features.grid import Grid, forward_fill, periods_since
from risk.periods import visible_period


def indicator_slug(indicator: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", indicator.strip().lower()).strip("_") or "indicator"


def presence_indicators(presence: pd.DataFrame) -> list[str]:
    return sorted({indicator_slug(i) for i in presence["indicator"].dropna().unique()})


def presence_features(
    grid: Grid,
    presence: pd.DataFrame,
    adjacency: sparse.csr_matrix,
    indicators: list[str] | None = None,
) -> dict[str, np.ndarray]:
    """For each indicator: value carried forward, its age in periods, and the neighbours' sum.

    A district never observed stays missing (never a silent zero).  ``indicators`` (default: those
    in ``presence``) fixes the columns, so a block of districts gets the same ones as the whole.
    """
    n_t, n_d = grid.shape
    out: dict[str, np.ndarray] = {}
    indicators = presence_indicators(presence) if indicators is None else indicators
    if not indicators:
        return out
    slugs = {name: indicator_slug(name) for name in presence["indicator"].dropna().unique()}
    obs = presence.assign(slug=presence["indicator"].map(slugs))
    obs["t"] = grid.period_index(visible_period(obs["date"], grid.freq))
    obs["d"] = grid.district_index(obs["district_id"])
    obs = obs[(obs["t"] >= 0) & (obs["t"] < n_t) & (obs["d"] >= 0)]
    # Within one period the latest observation wins (ties: the later row).
    obs = obs.sort_values(["date"], kind="stable").drop_duplicates(["slug", "t", "d"], keep="last")
    for slug in indicators:
        rows = obs[obs["slug"] == slug]
        values = np.full((n_t, n_d), np.nan)
        values[rows["t"].to_numpy(), rows["d"].to_numpy()] = rows["value"].to_numpy(dtype=float)
        observed = ~np.isnan(values)
        filled = forward_fill(values)
        out[f"presence_{slug}"] = filled
        out[f"presence_{slug}_age"] = periods_since(observed)
        known = ~np.isnan(filled)
        nb_sum = np.asarray(adjacency @ np.nan_to_num(filled).T).T
        nb_known = np.asarray(adjacency @ known.T.astype(float)).T
        out[f"nb_presence_{slug}"] = np.where(nb_known > 0, nb_sum, np.nan)
    return out
