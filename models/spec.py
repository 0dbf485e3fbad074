"""Training parameters, validated in one declarative place."""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import asdict, dataclass, field

DEFAULT_XGB = {
    "objective": "binary:logistic",
    "eval_metric": "logloss",
    "eta": 0.05,
    "max_depth": 4,
    "min_child_weight": 3.0,
    "subsample": 0.8,
    "colsample_bytree": 0.8,
    "lambda": 1.0,
    "tree_method": "hist",
    "nthread": 1,
}

#: Risk bands: a probability at or above the bound gets the band (checked from the top).
DEFAULT_BANDS = (("very high", 0.6), ("high", 0.3), ("elevated", 0.1), ("low", 0.0))


@dataclass(frozen=True)
class TrainSpec:
    """How each horizon's model is trained.

    horizons
        Periods ahead: one classifier per horizon.
    val_share, calib_share
        Time-ordered shares of the training periods used for early stopping (the middle slice)
        and for calibration (the latest slice, never seen by the booster).
    calibration
        ``"sigmoid"`` (Platt scaling on the booster margin) or ``"isotonic"``.
    """

    horizons: tuple[int, ...] = (1, 3)
    num_boost_round: int = 400
    early_stopping_rounds: int = 30
    val_share: float = 0.15
    calib_share: float = 0.2
    calibration: str = "sigmoid"
    seed: int = 0
    xgb_params: dict = field(default_factory=lambda: dict(DEFAULT_XGB))
    bands: tuple[tuple[str, float], ...] = DEFAULT_BANDS

    def __post_init__(self) -> None:
        for name, check, expected in _RULES:
            value = getattr(self, name)
            if not check(value):
                raise ValueError(f"TrainSpec.{name} must be {expected}; got {value!r}")

    def to_dict(self) -> dict:
        return asdict(self)

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:16]

    def band(self, probability: float) -> str:
        return next(name for name, bound in self.bands if probability >= bound)


_RULES = (
    (
        "horizons",
        lambda v: isinstance(v, tuple) and v and all(isinstance(h, int) and h > 0 for h in v),
        "a non-empty tuple of positive whole numbers",
    ),
    ("num_boost_round", lambda v: isinstance(v, int) and v > 0, "a positive whole number"),
    ("early_stopping_rounds", lambda v: isinstance(v, int) and v > 0, "a positive whole number"),
    ("val_share", lambda v: 0 < v < 0.5, "between 0 and 0.5"),
    ("calib_share", lambda v: 0 < v < 0.5, "between 0 and 0.5"),
    ("calibration", lambda v: v in ("sigmoid", "isotonic"), "'sigmoid' or 'isotonic'"),
    (
        "bands",
        lambda v: bool(v) and v[-1][1] == 0.0 and all(a[1] > b[1] for a, b in itertools.pairwise(v)),
        "bands in decreasing order of bound, the last at 0",
    ),
)
