"""The backtest report: a metrics table and the plots a person would rather look at."""

from __future__ import annotations

import html
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no screen
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, precision_recall_curve

from features.panel import Panel

COLOURS = {
    "xgboost": "#c0392b",
    "logistic": "#2980b9",
    "historical_rate": "#7f8c8d",
    "persistence": "#27ae60",
}


def _by_horizon(predictions: pd.DataFrame):
    done = predictions.dropna(subset=["outcome"])
    return sorted(done["horizon"].unique()), done


def _figure(n: int):
    fig, axes = plt.subplots(1, n, figsize=(5.5 * n, 4.2), squeeze=False)
    return fig, axes[0]


def plot_reliability(predictions: pd.DataFrame, path: Path) -> None:
    horizons, done = _by_horizon(predictions)
    fig, axes = _figure(len(horizons))
    for ax, h in zip(axes, horizons, strict=True):
        ax.plot([0, 1], [0, 1], color="black", lw=0.8, ls=":")
        for model, g in done[done["horizon"] == h].groupby("model"):
            frac, mean = calibration_curve(g["outcome"], g["probability"], n_bins=10, strategy="quantile")
            ax.plot(mean, frac, marker="o", ms=3, label=model, color=COLOURS.get(model))
        ax.set(
            title=f"Reliability, {h}-period horizon",
            xlabel="forecast probability",
            ylabel="observed frequency",
        )
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_precision_recall(predictions: pd.DataFrame, path: Path) -> None:
    horizons, done = _by_horizon(predictions)
    fig, axes = _figure(len(horizons))
    for ax, h in zip(axes, horizons, strict=True):
        for model, g in done[done["horizon"] == h].groupby("model"):
            precision, recall, _ = precision_recall_curve(g["outcome"], g["probability"])
            ax.plot(recall, precision, label=model, color=COLOURS.get(model))
        ax.set(
            title=f"Precision-recall, {h}-period horizon", xlabel="recall", ylabel="precision", ylim=(0, 1.02)
        )
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_skill_over_time(predictions: pd.DataFrame, path: Path) -> None:
    """Brier skill against the historical rate, per origin year."""
    horizons, done = _by_horizon(predictions)
    done = done.assign(year=done["origin"].str.slice(0, 4))
    fig, axes = _figure(len(horizons))
    for ax, h in zip(axes, horizons, strict=True):
        sub = done[done["horizon"] == h]
        ref = (
            sub[sub["model"] == "historical_rate"]
            .groupby("year")
            .apply(lambda g: brier_score_loss(g["outcome"], g["probability"]), include_groups=False)
        )
        for model, g in sub[sub["model"] != "historical_rate"].groupby("model"):
            brier = g.groupby("year").apply(
                lambda x: brier_score_loss(x["outcome"], x["probability"]), include_groups=False
            )
            skill = 1 - brier / ref.reindex(brier.index)
            ax.plot(skill.index, skill.to_numpy(), marker="o", label=model, color=COLOURS.get(model))
        ax.axhline(0, color="black", lw=0.8)
        ax.set(
            title=f"Brier skill vs historical rate, {h}-period horizon", xlabel="origin year", ylabel="skill"
        )
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_importance(gains: dict, panel: Panel, path: Path, top: int = 15) -> None:
    labels = {f.name: f"{f.name} ({f.family})" for f in panel.catalogue}
    horizons = sorted(gains)
    fig, axes = _figure(max(len(horizons), 1))
    for ax, h in zip(axes, horizons, strict=False):
        series = pd.Series(gains[h]).sort_values().tail(top)
        ax.barh([labels.get(n, n) for n in series.index], series.to_numpy() / series.sum(), color="#c0392b")
        ax.set(
            title=f"Most important features, {h}-period horizon", xlabel="share of total gain (top features)"
        )
        ax.tick_params(axis="y", labelsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(
    out: Path, predictions: pd.DataFrame, metrics: pd.DataFrame, gains: dict, panel: Panel
) -> Path:
    plots = {
        "reliability.png": ("Reliability diagram", plot_reliability, predictions),
        "precision_recall.png": ("Precision-recall curves", plot_precision_recall, predictions),
        "skill_over_time.png": ("Skill over time", plot_skill_over_time, predictions),
    }
    for name, (_, draw, data) in plots.items():
        draw(data, out / name)
    plot_importance(gains, panel, out / "importance.png")
    origins = predictions["origin"]
    table = metrics.round(4).to_html(index=False, na_rep="-", border=0)
    sections = "".join(
        f"<h2>{html.escape(title)}</h2><img src='{name}' alt='{html.escape(title)}'>"
        for name, (title, _, _) in plots.items()
    )
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Backtest report</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1200px}} table{{border-collapse:collapse}}
td,th{{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}} img{{max-width:100%}}</style>
</head><body>
<h1>Backtest report</h1>
<p>Rolling origins {html.escape(str(origins.min()))} to {html.escape(str(origins.max()))}
({origins.nunique()} origins); at each origin every model was trained only on what was known then.
Brier skill is measured against the district's historical rate.</p>
<h2>Metrics</h2>{table}{sections}
<h2>Most important features</h2><img src="importance.png" alt="feature importance">
</body></html>"""
    path = out / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


__all__ = ["write_report"]
