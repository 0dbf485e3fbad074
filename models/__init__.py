"""Models: XGBoost risk scores, backtests, calibration, registry, explanations (issue #4; not built yet)."""
