"""``risk train --engine dask``: xgboost.dask on a local cluster gives a model of the same quality."""

from __future__ import annotations

import numpy as np
import pytest

from models.bundle import load_bundle, train_bundle
from models.design import design_at
from models.registry import FileModelStore
from models.spec import TrainSpec

pytestmark = pytest.mark.slow


def test_dask_training_matches_the_single_process_model_within_noise(scenario_home, cli):
    home, _, _, panel = scenario_home
    until = panel.frame.index.levels[1].max()
    spec = TrainSpec()
    local = train_bundle(panel, spec, until, data_fingerprint="local", backtest_origins=3)

    # No --scheduler: the command starts (and stops) its own two-process local cluster.
    result = cli("train", "--engine", "dask", "--workers", "2", "--backtest-origins", "3")
    assert result.exit_code == 0, result.output
    version, bundle = load_bundle(FileModelStore(home / "registry"), int(result.output.split()[-1]))
    assert bundle.metadata["engine"] == {"name": "dask", "workers": 2, "blocks": 4}
    assert bundle.metadata["training_window"] == local.metadata["training_window"]
    assert bundle.metadata["feature_catalogue_hash"] == local.metadata["feature_catalogue_hash"]
    assert bundle.metadata["backtest"]["origins"] == local.metadata["backtest"]["origins"]

    for h in spec.horizons:
        rows = design_at(panel, h, until).score
        ours, theirs = bundle.models[h].predict(rows), local.models[h].predict(rows)
        assert np.all((ours >= 0) & (ours <= 1))
        assert np.corrcoef(ours, theirs)[0, 1] > 0.95, h
        # Model quality within noise: the same backtest, both engines.
        mine, reference = bundle.metadata["backtest"][str(h)], local.metadata["backtest"][str(h)]
        assert abs(mine["average_precision"] - reference["average_precision"]) < 0.05, (h, mine, reference)
        assert abs(mine["brier"] - reference["brier"]) < 0.01, (h, mine, reference)

    scored = cli("score", "--version", str(version), "--format", "csv")
    assert scored.exit_code == 0 and scored.output.count("\n") > 50
