"""Acceptance on the real CAR data: the model beats the naive baselines in an honest backtest."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

CAR_FILES = [
    ("districts", "caf_adm2_geoboundaries.geojson"),
    ("ucdp", "ucdp_ged231_caf_events_1991_2020.csv"),
    ("geopko", "geopko_minusca_caf.csv"),
    ("radpko", "radpko_minusca_bases_caf.csv"),
]


def test_car_backtest_2018_2020_beats_the_baselines(data_dir, tmp_path, monkeypatch):
    from risk.cli import main

    monkeypatch.setenv("RISK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("RISK_DATABASE_URL", raising=False)
    runner = CliRunner()
    for kind, name in CAR_FILES:
        assert runner.invoke(main, ["ingest", kind, str(data_dir / name)]).exit_code == 0
    out = tmp_path / "backtest"
    result = runner.invoke(
        main,
        [
            "backtest",
            "--start",
            "2018-01",
            "--end",
            "2020-12",
            "--horizon",
            "1",
            "--horizon",
            "3",
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    metrics = {(m["horizon"], m["model"]): m for m in json.loads((out / "metrics.json").read_text())}
    for h in (1, 3):
        model = metrics[(h, "xgboost")]
        best_naive = max(
            metrics[(h, "persistence")]["average_precision"],
            metrics[(h, "historical_rate")]["average_precision"],
        )
        assert model["average_precision"] >= 1.10 * best_naive, (h, model, best_naive)
        assert model["brier"] < metrics[(h, "historical_rate")]["brier"], h
        assert model["n"] == 72 * (36 - h)  # the last h origins have no known outcome yet (data end 2020-12)
