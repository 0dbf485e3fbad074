"""Scores of probabilistic forecasts: ranking, calibration and what a planner sees in the top 10."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score

TOP_K = 10


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """Weighted mean gap between forecast and observed frequency over equal-width probability bins."""
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        m = which == b
        if m.any():
            total += m.mean() * abs(p[m].mean() - y[m].mean())
    return float(total)


def top_k_recall(frame: pd.DataFrame, k: int = TOP_K) -> float:
    """Share of district-periods with violence that were among the k highest forecasts of their origin."""
    ranked = frame.assign(rank=frame.groupby("origin")["probability"].rank(ascending=False, method="first"))
    positives = ranked["outcome"] == 1
    return float((ranked.loc[positives, "rank"] <= k).mean()) if positives.any() else float("nan")


def score_predictions(predictions: pd.DataFrame) -> pd.DataFrame:
    """One row per (horizon, model): AP, ROC AUC, Brier, Brier skill vs the historical rate, log loss,
    ECE, top-10 recall, and counts."""
    rows = []
    done = predictions.dropna(subset=["outcome"])
    reference = {
        h: brier_score_loss(g["outcome"], g["probability"])
        for h, g in done[done["model"] == "historical_rate"].groupby("horizon")
    }
    for (horizon, model), g in done.groupby(["horizon", "model"], sort=True):
        y, p = g["outcome"].to_numpy(float), np.clip(g["probability"].to_numpy(float), 1e-6, 1 - 1e-6)
        two_classes = len(np.unique(y)) == 2
        brier = brier_score_loss(y, p)
        rows.append(
            {
                "horizon": int(horizon),
                "model": model,
                "n": len(g),
                "positives": int(y.sum()),
                "average_precision": average_precision_score(y, p) if two_classes else np.nan,
                "roc_auc": roc_auc_score(y, p) if two_classes else np.nan,
                "brier": brier,
                "brier_skill_vs_historical": 1 - brier / reference[horizon]
                if reference.get(horizon)
                else np.nan,
                "log_loss": log_loss(y, p, labels=[0, 1]),
                "ece": expected_calibration_error(y, p),
                "top10_recall": top_k_recall(g),
            }
        )
    return pd.DataFrame(rows)
