"""Scores and their explanations: probability, band, the drivers in plain words, the events behind it.

Contributions come from XGBoost's own TreeSHAP (``pred_contribs``) and are in log-odds (margin)
units before calibration: they add up, with the bias, to the model's margin, and calibration then
maps that margin to the probability shown.  Each driver is phrased with the feature catalogue.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from features.inputs import Inputs
from features.panel import Panel
from models.bundle import ModelBundle
from risk.periods import visible_period

log = logging.getLogger(__name__)
RECENT_EVENT_PERIODS = 6
_WARNED: set[int] = set()


def _features_at(bundle: ModelBundle, panel: Panel, as_of: pd.Period) -> pd.DataFrame:
    if panel.catalogue_digest != bundle.metadata.get("feature_catalogue_hash") and id(bundle) not in _WARNED:
        _WARNED.add(id(bundle))  # once per loaded model, not on every request
        log.warning(
            "the feature catalogue changed since this model was trained; missing features are left empty"
        )
    periods = panel.frame.index.levels[1]
    if as_of not in periods:
        raise ValueError(f"as-of period {as_of} is not in the data ({periods.min()} .. {periods.max()})")
    return panel.frame.xs(as_of, level="period").reindex(columns=bundle.feature_names)


def _drivers(
    panel: Panel, names: list[str], values: np.ndarray, contribs: np.ndarray, top: int
) -> list[dict]:
    info = {f.name: f for f in panel.catalogue}
    order = np.argsort(-np.abs(contribs))[:top]
    out = []
    for i in order:
        feature = info.get(names[i])
        value = float(values[i]) if np.isfinite(values[i]) else None
        out.append(
            {
                "feature": names[i],
                "family": feature.family if feature else "unknown",
                "value": value,
                "contribution": round(float(contribs[i]), 4),
                "direction": "raises" if contribs[i] > 0 else "lowers",
                "sentence": feature.sentence(np.nan if value is None else value) if feature else names[i],
            }
        )
    return out


def score_districts(
    bundle: ModelBundle,
    panel: Panel,
    as_of: pd.Period,
    horizons: list[int] | None = None,
    names: dict[str, str] | None = None,
    top: int = 3,
) -> pd.DataFrame:
    """One row per district and horizon: probability, band and the top drivers that raise it."""
    X = _features_at(bundle, panel, as_of)
    spec = bundle.spec()
    frames = []
    for h in horizons or bundle.horizons:
        model = bundle.models[h]
        probability = model.calibrator_.predict(model.margin(X))
        contribs = model.contributions(X)[:, :-1]
        drivers = []
        for row_values, row_contribs in zip(
            X.to_numpy(dtype=float), contribs, strict=True
        ):  # one row per district
            raising = [
                d
                for d in _drivers(panel, bundle.feature_names, row_values, row_contribs, top * 2)
                if d["contribution"] > 0
            ][:top]
            drivers.append("; ".join(d["sentence"] for d in raising))
        frames.append(
            pd.DataFrame(
                {
                    "district_id": X.index.to_numpy(),
                    "district_name": [(names or {}).get(d, d) for d in X.index],
                    "as_of": str(as_of),
                    "horizon": h,
                    "probability": probability,
                    "band": [spec.band(p) for p in probability],
                    "top_drivers": drivers,
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["horizon", "probability"], ascending=[True, False], ignore_index=True)


def explain(
    bundle: ModelBundle,
    panel: Panel,
    inputs: Inputs,
    district_id: str,
    as_of: pd.Period,
    horizon: int,
    top: int = 6,
) -> dict:
    """Everything behind one district's score, for a planner and for the API."""
    if horizon not in bundle.models:
        raise ValueError(f"this model has no horizon {horizon}; it has {bundle.horizons}")
    X = _features_at(bundle, panel, as_of)
    if district_id not in X.index:
        raise KeyError(f"unknown district {district_id!r}")
    row = X.loc[[district_id]]
    model = bundle.models[horizon]
    margin = float(model.margin(row)[0])
    contribs = model.contributions(row)[0]
    bias = float(contribs[-1])
    probability = float(model.calibrator_.predict(np.array([margin]))[0])
    values = row.to_numpy(dtype=float)[0]
    families: dict[str, float] = {}
    info = {f.name: f.family for f in panel.catalogue}
    for name, c in zip(bundle.feature_names, contribs[:-1], strict=True):
        families[info.get(name, "unknown")] = families.get(info.get(name, "unknown"), 0.0) + float(c)
    return {
        "district_id": district_id,
        "as_of": str(as_of),
        "horizon": horizon,
        "probability": probability,
        "band": bundle.spec().band(probability),
        "margin": margin,
        "bias": bias,
        "contributions_match_margin": bool(abs(contribs.sum() - margin) < 1e-3),
        "drivers": _drivers(panel, bundle.feature_names, values, contribs[:-1], top),
        "families": {k: round(v, 4) for k, v in sorted(families.items(), key=lambda kv: -abs(kv[1]))},
        "recent_events": recent_events(inputs, district_id, as_of),
    }


def recent_events(
    inputs: Inputs, district_id: str, as_of: pd.Period, periods: int = RECENT_EVENT_PERIODS
) -> list:
    """The district's events visible in the last few periods up to ``as_of`` (what the score stands on)."""
    events = inputs.events[inputs.events["district_id"] == district_id]
    if events.empty:
        return []
    seen = visible_period(events["date_end"], "month" if as_of.freqstr.startswith("M") else "week")
    recent = events[(seen <= as_of) & (seen > as_of - periods)].sort_values("date_start", ascending=False)
    return [
        {
            "source": r.source,
            "id": str(r.source_id),
            "date_start": str(r.date_start.date()),
            "date_end": str(r.date_end.date()),
            "category": r.category,
            "fatalities": int(r.fatalities),
            "actors": [a for a in (r.actor1, r.actor2) if isinstance(a, str) and a],
        }
        for r in recent.head(25).itertuples()
    ]


def score_history(bundle: ModelBundle, panel: Panel, district_id: str, horizon: int) -> pd.DataFrame:
    """The district's probability in every period of the panel beside the outcome (NaN while unknown).

    Periods the model was trained on are in-sample; honest past skill comes from a backtest.
    """
    rows = panel.frame.xs(district_id, level="district_id")
    model = bundle.models[horizon]
    probability = model.calibrator_.predict(model.margin(rows.reindex(columns=bundle.feature_names)))
    target = f"y_{horizon}"
    outcome = rows[target].to_numpy(dtype=float) if target in rows else np.full(len(rows), np.nan)
    return pd.DataFrame(
        {"period": [str(p) for p in rows.index], "probability": probability, "violence": outcome}
    )
