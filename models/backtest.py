"""Rolling-origin backtests: at each origin, train only on what was known then, forecast every district.

The feature panel is built once; each origin recomputes only its targets as known then. Origins
run in parallel (joblib) with a progress bar.  Outcomes are the eventual truth from all data.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from tqdm.auto import tqdm

from features.panel import Panel
from models.design import design_at
from models.forecasters import BASELINES, XGBRiskModel
from models.metrics import score_predictions
from models.spec import TrainSpec

log = logging.getLogger(__name__)


def _one_origin(
    panel: Panel, origin: pd.Period, spec: TrainSpec, truth: pd.DataFrame, baselines: tuple
) -> tuple[pd.DataFrame, dict]:
    targets = panel.targets_known_by(origin, spec.horizons)
    frames, importance = [], {}
    for h in spec.horizons:
        design = design_at(panel, h, origin, targets)
        models = [XGBRiskModel(spec), *(cls() for cls in baselines)]
        outcome = truth[f"y_{h}"].xs(origin, level="period").reindex(design.score.district).to_numpy()
        for model in models:
            model.fit(design.train)
            frames.append(
                pd.DataFrame(
                    {
                        "origin": str(origin),
                        "horizon": h,
                        "district_id": design.score.district,
                        "model": model.name,
                        "probability": model.predict(design.score),
                        "outcome": outcome,
                    }
                )
            )
            if isinstance(model, XGBRiskModel):
                importance[h] = model.booster_.get_score(importance_type="total_gain")
    return pd.concat(frames, ignore_index=True), importance


def run_backtest(
    panel: Panel,
    origins: pd.PeriodIndex,
    spec: TrainSpec | None = None,
    *,
    baselines: tuple = BASELINES,
    n_jobs: int = 2,
    progress: bool = True,
    truth: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Predictions (origin, horizon, district_id, model, probability, outcome) and summed feature gains.

    ``truth`` holds the outcomes to score against (default: the panel's targets from all data).
    """
    spec = spec or TrainSpec()
    if truth is None:  # the eventual truth: everything the data holds
        truth = panel.targets_known_by(panel.frame.index.levels[1].max(), spec.horizons)
    truth = truth[[f"y_{h}" for h in spec.horizons]]
    # A few origins per task: the panel is sent to a worker once per task, not once per origin.
    per_task = max(1, min(4, len(origins) // max(4 * n_jobs, 1)))
    batches = [origins[i : i + per_task] for i in range(0, len(origins), per_task)]
    jobs = (delayed(_origins)(panel, batch, spec, truth, baselines) for batch in batches)
    results = Parallel(n_jobs=n_jobs, return_as="generator")(jobs)
    frames, gains = [], {}
    with tqdm(total=len(origins), desc="backtest origins", disable=not progress) as bar:
        for batch_results in results:
            for frame, importance in batch_results:
                frames.append(frame)
                for h, scores in importance.items():
                    for name, value in scores.items():
                        gains.setdefault(h, {}).setdefault(name, 0.0)
                        gains[h][name] += value
                bar.update(1)
    return pd.concat(frames, ignore_index=True), gains


def _origins(panel: Panel, origins, spec: TrainSpec, truth: pd.DataFrame, baselines: tuple) -> list:
    return [_one_origin(panel, o, spec, truth, baselines) for o in origins]


def origins_between(panel: Panel, start: str, end: str) -> pd.PeriodIndex:
    periods = panel.frame.index.levels[1]
    first, last = pd.Period(start, periods.freq), pd.Period(end, periods.freq)
    if first > last:
        raise ValueError(f"--start {start} is after --end {end}")
    if first < periods.min() or last > periods.max():
        raise ValueError(
            f"origins {start}..{end} fall outside the panel ({periods.min()} .. {periods.max()})"
        )
    return pd.period_range(first, last, freq=periods.freq)


def write_backtest(out: Path, predictions: pd.DataFrame, gains: dict, panel: Panel) -> pd.DataFrame:
    """Write predictions.csv, metrics.json and report.html (with PNG plots) to ``out``."""
    from models.report import write_report

    out.mkdir(parents=True, exist_ok=True)
    predictions.to_csv(out / "predictions.csv", index=False)
    metrics = score_predictions(predictions)
    metrics.replace({np.nan: None}).to_json(out / "metrics.json", orient="records", indent=1)
    write_report(out, predictions, metrics, gains, panel)
    return metrics
