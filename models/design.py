"""What a model may learn from at a cut-off, and what it scores: the one place models meet time.

At cut-off (origin) t, for horizon h:

* targets are those known at t (``Panel.targets_known_by(t)``): a window must end by t and
  only events visible by t count;
* training rows are the district-periods s <= t - h with a known target;
* scoring rows are the districts at period t, with the features of t (which only use data
  visible at t);
* ``recent`` is the persistence signal: violence in the last h periods, i.e. the target of
  period s - h, which is known at s.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from features.panel import Panel


@dataclass
class Rows:
    X: pd.DataFrame  # features
    y: np.ndarray | None  # target (None when scoring)
    district: np.ndarray
    period: pd.PeriodIndex
    recent: np.ndarray  # persistence signal (NaN where unknown)


@dataclass
class Design:
    train: Rows
    score: Rows


def design_at(panel: Panel, horizon: int, cutoff: pd.Period, targets: pd.DataFrame | None = None) -> Design:
    """Training and scoring rows for ``horizon`` at ``cutoff``; pass ``targets`` to reuse them."""
    if targets is None or f"y_{horizon}" not in targets:
        targets = panel.targets_known_by(cutoff, (horizon,))
    y = targets[f"y_{horizon}"]
    recent = y.groupby(level="district_id", sort=False).shift(horizon)
    period = panel.frame.index.get_level_values("period")
    features = panel.frame[panel.feature_names]
    train_mask = np.asarray((period <= cutoff - horizon) & y.notna().to_numpy())
    score_mask = np.asarray(period == cutoff)
    if not score_mask.any():
        raise ValueError(f"period {cutoff} is not in the panel ({period.min()} .. {period.max()})")
    return Design(
        train=_rows(features, y, recent, train_mask, with_y=True),
        score=_rows(features, y, recent, score_mask, with_y=False),
    )


def _rows(features: pd.DataFrame, y: pd.Series, recent: pd.Series, mask: np.ndarray, with_y: bool) -> Rows:
    index = features.index[mask]
    return Rows(
        X=features[mask],
        y=y.to_numpy()[mask].astype(float) if with_y else None,
        district=index.get_level_values("district_id").to_numpy(dtype=object),
        period=pd.PeriodIndex(index.get_level_values("period")),
        recent=recent.to_numpy()[mask].astype(float),
    )


def split_points(distinct_ordinals: np.ndarray, val_share: float, calib_share: float) -> tuple[int, int]:
    """Ordinals of the first validation and first calibration period, from the distinct training
    periods (sorted): the latest periods calibrate, the ones before them validate."""
    distinct = np.sort(np.unique(distinct_ordinals))
    n = len(distinct)
    n_calib = max(round(n * calib_share), 1)
    n_val = max(round(n * val_share), 1)
    if n - n_calib - n_val < 2:
        raise ValueError(f"only {n} training periods: too few to split into fit, validation and calibration")
    return int(distinct[n - n_calib - n_val]), int(distinct[n - n_calib])


def time_split(period: pd.PeriodIndex, val_share: float, calib_share: float) -> tuple[np.ndarray, ...]:
    """Masks (fit, validation, calibration) over rows, by time: the latest periods calibrate."""
    val_from, calib_from = split_points(period.unique().asi8, val_share, calib_share)
    ordinal = period.asi8
    return ordinal < val_from, (ordinal >= val_from) & (ordinal < calib_from), ordinal >= calib_from


def concat_rows(parts: list[Rows]) -> Rows:
    """One :class:`Rows` from several (blocks of districts), in the given order."""
    return Rows(
        X=pd.concat([p.X for p in parts]),
        y=None if parts[0].y is None else np.concatenate([p.y for p in parts]),
        district=np.concatenate([p.district for p in parts]),
        period=pd.PeriodIndex.from_ordinals(
            np.concatenate([p.period.asi8 for p in parts]), freq=parts[0].period.freq
        ),
        recent=np.concatenate([p.recent for p in parts]),
    )
