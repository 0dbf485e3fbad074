"""Training on a Dask cluster: the same recipe as :class:`models.forecasters.XGBRiskModel`, with the
boosters fitted by ``xgboost.dask`` on rows that stay on the workers.

The design (which rows train, which are scored, targets as known at the cut-off) is computed per
block of districts by :func:`models.design.design_at`, the single-process code, on the worker that
holds the block: every rule in it is per district, so blocks need nothing from each other.  Only
what is small comes back to the client: the distinct training periods (to split by time for all
blocks alike), calibration margins, per-district counts, and the rows to score.

The result is an ordinary :class:`models.bundle.ModelBundle`: the registry, scoring and
explanations do not know which engine trained it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from tqdm.auto import tqdm
from xgboost import dask as dxgb

from features.distributed import DistributedPanel
from features.panel import Panel
from models.bundle import (
    ModelBundle,
    backtest_origins_before,
    bundle_metadata,
    summarise_backtest,
)
from models.calibration import Calibrator
from models.design import Design, concat_rows, design_at, split_points
from models.forecasters import HistoricalRate, XGBRiskModel, district_counts
from models.spec import TrainSpec

if TYPE_CHECKING:
    from distributed import Future

log = logging.getLogger(__name__)

LABEL = "__target__"


def _design(block: Panel, horizon: int, cutoff: pd.Period) -> Design:
    return design_at(block, horizon, cutoff)


def _train_periods(design: Design) -> np.ndarray:
    return np.unique(design.train.period.asi8)


def _slice(design: Design, lo: int | None, hi: int | None) -> pd.DataFrame:
    """Training rows with ``lo <= period ordinal < hi``, features as float32 and the target."""
    ordinal = design.train.period.asi8
    mask = np.ones(len(ordinal), dtype=bool)
    if lo is not None:
        mask &= ordinal >= lo
    if hi is not None:
        mask &= ordinal < hi
    out = design.train.X[mask].astype(np.float32).reset_index(drop=True)
    out[LABEL] = design.train.y[mask].astype(np.float32)
    return out


def _counts(design: Design) -> pd.DataFrame:
    return district_counts(design.train)


def _score_rows(design: Design):
    return design.score


class DaskXGBRiskModel(XGBRiskModel):
    """:class:`XGBRiskModel`'s recipe (fit, early-stop on the next slice, refit on both, calibrate
    on the latest slice) with each booster trained by ``xgboost.dask`` across the cluster.

    ``fit`` takes the per-block designs (futures) rather than rows in this process; once fitted,
    the model predicts, explains and is stored exactly like its single-process parent.
    """

    name = "xgboost"

    def __init__(self, spec: TrainSpec | None = None, client=None) -> None:
        super().__init__(spec)
        self.client = client

    def fit(self, designs: list[Future], feature_names: list[str]) -> DaskXGBRiskModel:
        client, spec = self.client, self.spec
        periods = np.concatenate(client.gather([client.submit(_train_periods, d) for d in designs]))
        val_from, calib_from = split_points(periods, spec.val_share, spec.calib_share)
        self.feature_names_ = list(feature_names)
        params = {**spec.xgb_params, "seed": spec.seed}
        first = dxgb.train(
            client,
            params,
            self._dask_matrix(designs, None, val_from),
            num_boost_round=spec.num_boost_round,
            evals=[(self._dask_matrix(designs, val_from, calib_from), "val")],
            early_stopping_rounds=spec.early_stopping_rounds,
            verbose_eval=False,
        )["booster"]
        self.n_rounds_ = int(first.best_iteration) + 1
        self.booster_ = dxgb.train(
            client, params, self._dask_matrix(designs, None, calib_from), num_boost_round=self.n_rounds_
        )["booster"]
        calib = self._frame(designs, calib_from, None)
        margin = dxgb.predict(client, self.booster_, calib[self.feature_names_], output_margin=True)
        margin, y_calib = client.compute([margin, calib[LABEL]], sync=True)
        self.calibrator_ = Calibrator(spec.calibration).fit(
            np.asarray(margin), np.asarray(y_calib, dtype=float)
        )
        counts = pd.concat(client.gather([client.submit(_counts, d) for d in designs]))
        self.base_rate_ = float(counts["sum"].sum() / counts["count"].sum())
        return self

    def _frame(self, designs: list[Future], lo: int | None, hi: int | None):
        import dask.dataframe as dd

        meta = pd.DataFrame({name: pd.Series(dtype=np.float32) for name in [*self.feature_names_, LABEL]})
        parts = [self.client.submit(_slice, d, lo, hi) for d in designs]
        return dd.from_delayed(parts, meta=meta, verify_meta=False)

    def _dask_matrix(self, designs: list[Future], lo: int | None, hi: int | None) -> dxgb.DaskDMatrix:
        frame = self._frame(designs, lo, hi)
        return dxgb.DaskDMatrix(self.client, frame[self.feature_names_], frame[LABEL], missing=np.nan)


def _fit_at(panel: DistributedPanel, spec: TrainSpec, horizon: int, cutoff: pd.Period):
    designs = panel.map_blocks(_design, horizon, cutoff)
    model = DaskXGBRiskModel(spec, panel.client).fit(designs, panel.feature_names)
    return model, designs


def _outcomes(block: Panel, horizon: int, origin: pd.Period, known_by: pd.Period) -> pd.Series:
    return block.targets_known_by(known_by, (horizon,))[f"y_{horizon}"].xs(origin, level="period")


def distributed_backtest(
    panel: DistributedPanel,
    origins: pd.PeriodIndex,
    spec: TrainSpec,
    *,
    known_by: pd.Period | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Predictions of the XGBoost recipe and the historical rate at each origin, trained on the
    cluster; outcomes as known at ``known_by`` (default: the panel's as-of period)."""
    known_by = known_by or panel.window.as_of
    client, frames = panel.client, []
    for origin in tqdm(origins, desc="backtest origins", disable=not progress):
        for h in spec.horizons:
            model, designs = _fit_at(panel, spec, h, origin)
            score = concat_rows(client.gather([client.submit(_score_rows, d) for d in designs]))
            rate = HistoricalRate().fit_counts(
                pd.concat(client.gather([client.submit(_counts, d) for d in designs]))
            )
            truth = pd.concat(client.gather(panel.map_blocks(_outcomes, h, origin, known_by)))
            outcome = truth.reindex(score.district).to_numpy()
            for fitted in (model, rate):
                frames.append(
                    pd.DataFrame(
                        {
                            "origin": str(origin),
                            "horizon": h,
                            "district_id": score.district,
                            "model": fitted.name,
                            "probability": fitted.predict(score),
                            "outcome": outcome,
                        }
                    )
                )
    return pd.concat(frames, ignore_index=True)


def train_bundle_distributed(
    panel: DistributedPanel,
    spec: TrainSpec,
    until: pd.Period | None = None,
    *,
    data_fingerprint: str,
    backtest_origins: int = 12,
    progress: bool = False,
) -> ModelBundle:
    """:func:`models.bundle.train_bundle` on a Dask cluster: trained on what was known at ``until``
    (default: the panel's as-of period)."""
    until = until or panel.window.as_of
    models = {h: _fit_at(panel, spec, h, until)[0] for h in spec.horizons}
    for model in models.values():
        model.client = None  # the bundle outlives the cluster
    backtest = {}
    if backtest_origins > 0:
        origins = backtest_origins_before(until, spec, backtest_origins)
        predictions = distributed_backtest(panel, origins, spec, known_by=until, progress=progress)
        backtest = summarise_backtest(predictions, origins)
    n_workers = len(panel.client.scheduler_info()["workers"])
    metadata = bundle_metadata(
        panel,
        spec,
        until,
        models,
        first_period=panel.window.start,
        data_fingerprint=data_fingerprint,
        backtest=backtest,
        engine={"name": "dask", "workers": n_workers, "blocks": len(panel.blocks)},
    )
    log.info("trained horizons %s on %d Dask workers", list(spec.horizons), n_workers)
    return ModelBundle(models, metadata)


__all__ = ["DaskXGBRiskModel", "distributed_backtest", "train_bundle_distributed"]
