"""The XGBoost risk model and the baselines, behind one small interface: ``fit(rows)``, ``predict(rows)``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from models.calibration import Calibrator
from models.design import Rows, time_split
from models.spec import TrainSpec


class XGBRiskModel:
    """Gradient-boosted trees with early stopping on a later slice and calibration on the latest one.

    The booster is first fitted on the earliest periods with early stopping on the next slice; it is
    then refitted on both with the number of rounds found; the calibrator learns on the latest
    slice, which the booster never saw.
    """

    name = "xgboost"

    def __init__(self, spec: TrainSpec | None = None) -> None:
        self.spec = spec or TrainSpec()

    def fit(self, rows: Rows) -> XGBRiskModel:
        spec = self.spec
        fit, val, calib = time_split(rows.period, spec.val_share, spec.calib_share)
        params = {**spec.xgb_params, "seed": spec.seed}
        self.feature_names_ = list(rows.X.columns)
        dfit, dval = self._matrix(rows.X[fit], rows.y[fit]), self._matrix(rows.X[val], rows.y[val])
        first = xgb.train(
            params,
            dfit,
            num_boost_round=spec.num_boost_round,
            evals=[(dval, "val")],
            early_stopping_rounds=spec.early_stopping_rounds,
            verbose_eval=False,
        )
        self.n_rounds_ = int(first.best_iteration) + 1
        del first, dfit, dval  # free their matrices before the refit builds its own (a third less peak)
        both = fit | val
        self.booster_ = xgb.train(
            params, self._matrix(rows.X[both], rows.y[both]), num_boost_round=self.n_rounds_
        )
        self.calibrator_ = Calibrator(spec.calibration).fit(self.margin(rows.X[calib]), rows.y[calib])
        self.base_rate_ = float(np.mean(rows.y))
        return self

    def _matrix(self, X: pd.DataFrame, y: np.ndarray | None = None) -> xgb.DMatrix:
        return xgb.DMatrix(
            X.to_numpy(dtype=np.float32), label=y, missing=np.nan, feature_names=self.feature_names_
        )

    def margin(self, X: pd.DataFrame) -> np.ndarray:
        return self.booster_.predict(self._matrix(X), output_margin=True)

    def predict(self, rows: Rows) -> np.ndarray:
        return self.calibrator_.predict(self.margin(rows.X))

    def contributions(self, X: pd.DataFrame) -> np.ndarray:
        """TreeSHAP contributions to the margin, one column per feature plus the bias (last)."""
        return self.booster_.predict(self._matrix(X), pred_contribs=True)


class Persistence:
    """Violence in the last h periods, turned into a probability by its training frequency."""

    name = "persistence"

    def fit(self, rows: Rows) -> Persistence:
        known = ~np.isnan(rows.recent)
        recent, y = rows.recent[known] > 0, rows.y[known]
        overall = float(np.mean(rows.y))
        self.p_recent_ = float(y[recent].mean()) if recent.any() else overall
        self.p_quiet_ = float(y[~recent].mean()) if (~recent).any() else overall
        self.p_unknown_ = overall
        return self

    def predict(self, rows: Rows) -> np.ndarray:
        out = np.where(rows.recent > 0, self.p_recent_, self.p_quiet_)
        return np.where(np.isnan(rows.recent), self.p_unknown_, out)


class HistoricalRate:
    """Each district's own rate of violence over its training periods (lightly shrunk to the overall rate)."""

    name = "historical_rate"

    def __init__(self, prior_weight: float = 2.0) -> None:
        self.prior_weight = prior_weight

    def fit(self, rows: Rows) -> HistoricalRate:
        return self.fit_counts(district_counts(rows))

    def fit_counts(self, counts: pd.DataFrame) -> HistoricalRate:
        """Fit from per-district ``sum`` and ``count`` of the target (blocks of districts add up)."""
        counts = counts.groupby(level=0)[["sum", "count"]].sum()
        self.overall_ = float(counts["sum"].sum() / counts["count"].sum())
        rate = (counts["sum"] + self.prior_weight * self.overall_) / (counts["count"] + self.prior_weight)
        self.rates_ = rate.to_dict()
        return self

    def predict(self, rows: Rows) -> np.ndarray:
        return pd.Series(rows.district).map(self.rates_).fillna(self.overall_).to_numpy(dtype=float)


def district_counts(rows: Rows) -> pd.DataFrame:
    """Per district: how many training rows saw violence (``sum``) out of how many (``count``)."""
    return pd.DataFrame({"d": rows.district, "y": rows.y}).groupby("d")["y"].agg(["sum", "count"])


class LogisticBaseline:
    """A logistic regression on the same features (median-imputed, with missing-value flags, standardised)."""

    name = "logistic"

    def fit(self, rows: Rows) -> LogisticBaseline:
        self.constant_ = float(np.mean(rows.y)) if len(np.unique(rows.y)) < 2 else None
        if self.constant_ is not None:
            return self
        self.model_ = make_pipeline(
            SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
            StandardScaler(),
            LogisticRegression(C=0.1, max_iter=2000),
        ).fit(rows.X.to_numpy(dtype=float), rows.y)
        return self

    def predict(self, rows: Rows) -> np.ndarray:
        if self.constant_ is not None:
            return np.full(len(rows.X), self.constant_)
        return self.model_.predict_proba(rows.X.to_numpy(dtype=float))[:, 1]


BASELINES = (Persistence, HistoricalRate, LogisticBaseline)
