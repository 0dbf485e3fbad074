"""Probability calibration on held-out later data, stored as plain numbers (JSON), never pickled."""

from __future__ import annotations

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression


class Calibrator:
    """Maps a booster margin (log-odds) to a calibrated probability.

    ``sigmoid``: Platt scaling, ``p = 1 / (1 + exp(-(a * margin + b)))``, fitted with scikit-learn's
    logistic regression.  ``isotonic``: scikit-learn's isotonic regression on the raw probability,
    kept as its breakpoints.
    """

    def __init__(self, method: str = "sigmoid") -> None:
        self.method = method

    def fit(self, margin: np.ndarray, y: np.ndarray) -> Calibrator:
        margin, y = np.asarray(margin, float), np.asarray(y, float)
        if len(np.unique(y)) < 2:
            # Nothing to learn the slope from: keep the margin as it is, shifted to the observed rate.
            rate = np.clip(y.mean(), 1e-4, 1 - 1e-4)
            self.a_, self.b_ = 0.0, float(np.log(rate / (1 - rate)))
            self.method = "sigmoid"
            return self
        if self.method == "sigmoid":
            model = LogisticRegression(C=1e6, max_iter=1000).fit(margin[:, None], y)
            self.a_, self.b_ = float(model.coef_[0, 0]), float(model.intercept_[0])
        else:
            iso = IsotonicRegression(out_of_bounds="clip", y_min=1e-4, y_max=1 - 1e-4).fit(
                _sigmoid(margin), y
            )
            self.x_, self.y_ = iso.X_thresholds_.tolist(), iso.y_thresholds_.tolist()
        return self

    def predict(self, margin: np.ndarray) -> np.ndarray:
        margin = np.asarray(margin, float)
        if self.method == "sigmoid":
            return _sigmoid(self.a_ * margin + self.b_)
        return np.interp(_sigmoid(margin), self.x_, self.y_)

    def to_dict(self) -> dict:
        if self.method == "sigmoid":
            return {"method": "sigmoid", "a": self.a_, "b": self.b_}
        return {"method": "isotonic", "x": self.x_, "y": self.y_}

    @classmethod
    def from_dict(cls, data: dict) -> Calibrator:
        out = cls(data["method"])
        if out.method == "sigmoid":
            out.a_, out.b_ = float(data["a"]), float(data["b"])
        else:
            out.x_, out.y_ = list(map(float, data["x"])), list(map(float, data["y"]))
        return out


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))
