"""The panel's axes (periods x districts) and the helpers every builder shares.

Every builder works on dense ``(T, D)`` arrays: row ``t`` is a period, column ``d``
a district (in id order).  Records are binned into them with :meth:`Grid.count`,
windows are differences of cumulative sums, decay is a first-order filter: all
vectorised, with no loop over events or district-periods.

Time visibility is not decided here: callers bin by :func:`risk.periods.visible_period`
for features and by :func:`risk.periods.outcome_period` for targets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from risk.periods import FREQUENCIES


@dataclass(frozen=True)
class Grid:
    periods: pd.PeriodIndex
    district_ids: np.ndarray

    @classmethod
    def build(cls, start: pd.Period, end: pd.Period, district_ids) -> Grid:
        return cls(pd.period_range(start, end, freq=start.freq), np.asarray(district_ids, dtype=object))

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.periods), len(self.district_ids)

    @property
    def freq(self) -> str:
        return next(
            name
            for name, alias in FREQUENCIES.items()
            if pd.Period("2000-01-03", alias).freqstr == self.periods.freqstr
        )

    def period_index(self, periods: pd.PeriodIndex) -> np.ndarray:
        """Row of each period (may fall outside 0..T-1)."""
        return (periods.asi8 - self.periods[0].ordinal).astype(np.int64)

    def district_index(self, district_ids: pd.Series) -> np.ndarray:
        """Column of each district id (-1 for unknown or missing)."""
        codes, distinct = pd.factorize(district_ids)  # hash the many rows once, then look up the few ids
        lookup = np.r_[pd.Index(self.district_ids).get_indexer(pd.Index(distinct)), -1]
        return lookup[codes].astype(np.int64)

    def count(self, rows: np.ndarray, cols: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Sum of ``weights`` (or 1) per cell; records outside the grid are dropped."""
        n_t, n_d = self.shape
        ok = (rows >= 0) & (rows < n_t) & (cols >= 0) & (cols < n_d)
        flat = rows[ok] * n_d + cols[ok]
        w = None if weights is None else np.asarray(weights, dtype=float)[ok]
        return np.bincount(flat, weights=w, minlength=n_t * n_d).reshape(n_t, n_d).astype(float)

    def frame(self, columns: dict[str, np.ndarray]) -> pd.DataFrame:
        """Long table (district-major, then period) from ``(T, D)`` arrays, as one float block."""
        n_t, n_d = self.shape
        index = pd.MultiIndex(
            levels=[pd.Index(self.district_ids, dtype=object), self.periods],
            codes=[np.repeat(np.arange(n_d), n_t), np.tile(np.arange(n_t), n_d)],
            names=["district_id", "period"],
            verify_integrity=False,
        )
        # pandas keeps a block as (columns, rows): fill that layout and hand it over uncopied.  Float32
        # halves the memory and is what XGBoost computes in; counts stay exact up to 16 million.
        block = np.empty((len(columns), n_d, n_t), dtype=np.float32)
        for k, arr in enumerate(columns.values()):
            block[k] = arr.T
        return pd.DataFrame(
            block.reshape(len(columns), n_d * n_t).T, index=index, columns=list(columns), copy=False
        )


def window_sum(matrix: np.ndarray, window: int) -> np.ndarray:
    """Sum over the last ``window`` periods, this one included."""
    return window_sums(matrix, (window,))[window]


def window_sums(matrix: np.ndarray, windows) -> dict[int, np.ndarray]:
    """Sums over each of several look-back windows, from one cumulative sum."""
    cum = np.cumsum(matrix, axis=0)
    out = {}
    for window in windows:
        total = cum.copy()
        total[window:] -= cum[:-window]
        out[window] = total
    return out


def decayed(matrix: np.ndarray, half_life: float) -> np.ndarray:
    """Exponentially decayed sum ``x[t] + r x[t-1] + r^2 x[t-2] ...``, with ``r = 0.5 ** (1/half_life)``."""
    ratio = 0.5 ** (1.0 / half_life)
    return lfilter([1.0], [1.0, -ratio], matrix, axis=0)


def periods_since(mask: np.ndarray) -> np.ndarray:
    """Periods since the last ``True`` at or before each row (0 in a row where it is True; NaN if never)."""
    n_t = mask.shape[0]
    t = np.arange(n_t, dtype=float)[:, None]
    last = np.maximum.accumulate(np.where(mask, t, -1.0), axis=0)
    return np.where(last >= 0, t - last, np.nan)


def forward_fill(values: np.ndarray) -> np.ndarray:
    """Carry the last non-missing value down each column (missing before the first)."""
    n_t = values.shape[0]
    t = np.arange(n_t)[:, None]
    last = np.maximum.accumulate(np.where(np.isnan(values), -1, t), axis=0)
    filled = values[np.clip(last, 0, None), np.arange(values.shape[1])[None, :]]
    return np.where(last >= 0, filled, np.nan)
