"""A trained model version: one calibrated XGBoost model per horizon, with what made it.

Stored as files in the registry: ``booster_h<h>.ubj`` (XGBoost's own binary JSON),
``calibrator_h<h>.json`` and ``metadata.json``; nothing pickled.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
import xgboost as xgb

from features.panel import Panel
from models.backtest import run_backtest
from models.calibration import Calibrator
from models.design import design_at
from models.forecasters import HistoricalRate, XGBRiskModel
from models.metrics import score_predictions
from models.registry import ModelStore, RegistryError
from models.spec import TrainSpec
from risk import __version__

GATE_METRICS = {"average_precision": +1, "brier": -1}  # +1: higher is better


@dataclass
class ModelBundle:
    models: dict[int, XGBRiskModel]
    metadata: dict

    @property
    def horizons(self) -> list[int]:
        return sorted(self.models)

    @property
    def feature_names(self) -> list[str]:
        return self.metadata["feature_names"]

    def to_files(self) -> dict[str, bytes]:
        files = {"metadata.json": json.dumps(self.metadata, indent=1, sort_keys=True, default=str).encode()}
        for h, model in self.models.items():
            files[f"booster_h{h}.ubj"] = bytes(model.booster_.save_raw(raw_format="ubj"))
            files[f"calibrator_h{h}.json"] = json.dumps(model.calibrator_.to_dict()).encode()
        return files

    @classmethod
    def from_files(cls, files: dict[str, bytes]) -> ModelBundle:
        metadata = json.loads(files["metadata.json"])
        spec = TrainSpec(
            **{
                **metadata["train_spec"],
                "horizons": tuple(metadata["train_spec"]["horizons"]),
                "bands": tuple(tuple(b) for b in metadata["train_spec"]["bands"]),
            }
        )
        models = {}
        for h in spec.horizons:
            model = XGBRiskModel(spec)
            model.booster_ = xgb.Booster()
            model.booster_.load_model(bytearray(files[f"booster_h{h}.ubj"]))
            model.calibrator_ = Calibrator.from_dict(json.loads(files[f"calibrator_h{h}.json"]))
            model.feature_names_ = metadata["feature_names"]
            models[h] = model
        return cls(models, metadata)

    def spec(self) -> TrainSpec:
        return next(iter(self.models.values())).spec


def train_bundle(
    panel: Panel,
    spec: TrainSpec,
    until: pd.Period,
    *,
    data_fingerprint: str,
    backtest_origins: int = 12,
    progress: bool = False,
) -> ModelBundle:
    """Train one model per horizon on what was known at ``until``, and backtest the recipe on the
    ``backtest_origins`` origins before it (outcomes as known at ``until``)."""
    targets = panel.targets_known_by(until, spec.horizons)
    models = {h: XGBRiskModel(spec).fit(design_at(panel, h, until, targets).train) for h in spec.horizons}
    backtest = {}
    if backtest_origins > 0:
        origins = backtest_origins_before(until, spec, backtest_origins)
        predictions, _ = run_backtest(
            panel, origins, spec, baselines=(HistoricalRate,), progress=progress, truth=targets
        )
        backtest = summarise_backtest(predictions, origins)
    metadata = bundle_metadata(
        panel,
        spec,
        until,
        models,
        first_period=panel.frame.index.levels[1].min(),
        data_fingerprint=data_fingerprint,
        backtest=backtest,
    )
    return ModelBundle(models, metadata)


def bundle_metadata(
    panel,
    spec: TrainSpec,
    until: pd.Period,
    models: dict,
    *,
    first_period,
    data_fingerprint,
    backtest,
    **extra,
) -> dict:
    """What a version records of how it was made (``panel``: a panel or a distributed panel)."""
    return {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "package_version": __version__,
        "training_window": {"first": str(first_period), "until": str(until)},
        "horizons": list(spec.horizons),
        "feature_names": panel.feature_names,
        "feature_catalogue_hash": panel.catalogue_digest,
        "data_fingerprint": data_fingerprint,
        "panel_spec": {"freq": panel.spec.freq, "digest": panel.spec.digest()},
        "train_spec": spec.to_dict(),
        "rounds": {str(h): m.n_rounds_ for h, m in models.items()},
        "backtest": backtest,
        **extra,
    }


def backtest_origins_before(until: pd.Period, spec: TrainSpec, n_origins: int) -> pd.PeriodIndex:
    """The last ``n_origins`` origins whose outcomes are all known at ``until``."""
    last = until - max(spec.horizons)
    return pd.period_range(end=last, periods=n_origins, freq=last.freq)


def summarise_backtest(predictions: pd.DataFrame, origins: pd.PeriodIndex) -> dict:
    """The XGBoost model's backtest metrics per horizon, as a version records them (for the gate)."""
    metrics = score_predictions(predictions)
    keep = ["average_precision", "roc_auc", "brier", "brier_skill_vs_historical"]
    out = {"origins": [str(origins[0]), str(origins[-1])]}
    for row in metrics[metrics["model"] == "xgboost"].itertuples():
        out[str(row.horizon)] = {
            k: (None if pd.isna(getattr(row, k)) else float(getattr(row, k))) for k in keep
        }
    return out


def check_gate(candidate: dict, production: dict, tolerance: float) -> list[str]:
    """Reasons to refuse promoting ``candidate`` over ``production`` (empty when it may be promoted)."""
    reasons = []
    for h, metrics in production.get("backtest", {}).items():
        if h == "origins":
            continue
        theirs = candidate.get("backtest", {}).get(h)
        if theirs is None:
            reasons.append(f"horizon {h}: the candidate has no backtest metrics")
            continue
        for name, direction in GATE_METRICS.items():
            old, new = metrics.get(name), theirs.get(name)
            if old is None or new is None:
                continue
            if direction * (new - old) < -tolerance:
                reasons.append(f"horizon {h}: {name} {new:.4f} is worse than production's {old:.4f}")
    return reasons


def promote(store: ModelStore, version: int, *, force: bool = False, tolerance: float = 0.01) -> int:
    """Make ``version`` production, unless its backtest is worse than production's (then refuse)."""
    current = store.alias("production")
    if current is not None and current != version and not force:
        candidate = store.manifest(version)["metadata"]
        reasons = check_gate(candidate, store.manifest(current)["metadata"], tolerance)
        if reasons:
            raise RegistryError("GATE_REFUSED", "; ".join(reasons) + " (use --force to promote anyway)")
    store.set_alias("production", version)
    return version


def load_bundle(store: ModelStore, version: int | None = None) -> tuple[int, ModelBundle]:
    """The given version, else production, else the newest; files verified on the way."""
    if version is None:
        version = store.alias("production") or (store.versions() or [None])[-1]
    if version is None:
        raise RegistryError("NOT_FOUND", "no trained model yet: run `risk train`")
    return version, ModelBundle.from_files(store.read_files(version))


def register(store: ModelStore, bundle: ModelBundle, *, promote_if_first: bool = True) -> tuple[int, bool]:
    """Store a new version and mark it ``candidate``; with ``promote_if_first``, it also becomes
    ``production`` when there is none yet.  Returns (version, whether it was promoted)."""
    version = save_bundle(store, bundle)
    store.set_alias("candidate", version)
    first = promote_if_first and store.alias("production") is None
    if first:
        promote(store, version)
    return version, first


def save_bundle(store: ModelStore, bundle: ModelBundle) -> int:
    files = bundle.to_files()
    summary = {
        k: bundle.metadata[k]
        for k in (
            "training_window",
            "horizons",
            "feature_catalogue_hash",
            "data_fingerprint",
            "backtest",
            "package_version",
        )
    }
    summary["train_spec"] = bundle.metadata["train_spec"]
    return store.create_version(files, summary)


__all__ = ["ModelBundle", "check_gate", "load_bundle", "promote", "register", "save_bundle", "train_bundle"]
