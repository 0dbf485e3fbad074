"""Training, scoring and explaining on the synthetic scenario."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import brier_score_loss

from models.bundle import ModelBundle, train_bundle
from models.design import design_at, time_split
from models.explain import explain, score_districts
from models.forecasters import XGBRiskModel
from models.spec import TrainSpec


def test_backtest_prediction_equals_train_until_then_score_as_of(cli, tmp_path):
    """Acceptance: the backtest at origin t is exactly `risk train --until t` + `risk score --as-of t`."""
    t = "2021-06"
    result = cli(
        "backtest",
        "--start",
        t,
        "--end",
        t,
        "--horizon",
        "1",
        "--horizon",
        "3",
        "--output",
        str(tmp_path / "bt"),
        "--jobs",
        "1",
    )
    assert result.exit_code == 0, result.output
    backtest = pd.read_csv(tmp_path / "bt" / "predictions.csv")
    for name in ("metrics.json", "report.html", "reliability.png", "precision_recall.png", "importance.png"):
        assert (tmp_path / "bt" / name).exists()
    trained = cli("train", "--until", t, "--horizon", "1", "--horizon", "3", "--backtest-origins", "0")
    assert trained.exit_code == 0, trained.output
    version = trained.output.strip().splitlines()[-1]
    scored = cli("score", "--as-of", t, "--format", "csv", "--version", version)
    assert scored.exit_code == 0, scored.output
    live = pd.read_csv(io.StringIO(scored.output))
    assert {"district_id", "district_name", "as_of", "horizon", "probability", "band", "top_drivers"} <= set(
        live
    )
    ours = backtest[backtest["model"] == "xgboost"].merge(live, on=["district_id", "horizon"])
    assert len(ours) == 2 * 50
    np.testing.assert_allclose(ours["probability_x"], ours["probability_y"], rtol=0, atol=1e-7)


def test_same_data_and_settings_give_the_same_model(scenario_home):
    _, _, _, panel = scenario_home
    until = pd.Period("2020-12", "M")
    rows = design_at(panel, 3, until).train
    a, b = XGBRiskModel().fit(rows), XGBRiskModel().fit(rows)
    assert bytes(a.booster_.save_raw("ubj")) == bytes(b.booster_.save_raw("ubj"))


def test_probabilities_are_valid_and_calibration_helps_on_later_data(scenario_home):
    _, _, _, panel = scenario_home
    spec = TrainSpec()
    rows = design_at(panel, 3, pd.Period("2022-12", "M")).train
    model = XGBRiskModel(spec).fit(rows)
    later = design_at(panel, 3, pd.Period("2024-09", "M")).train
    new = np.asarray(later.period > pd.Period("2022-12", "M"))
    p = model.predict(later)
    assert ((p >= 0) & (p <= 1)).all()
    raw = 1 / (1 + np.exp(-model.margin(later.X)))
    assert brier_score_loss(later.y[new], p[new]) <= brier_score_loss(later.y[new], raw[new]) + 0.002
    fit, val, calib = time_split(rows.period, spec.val_share, spec.calib_share)
    assert (
        rows.period[fit].max() < rows.period[val].min() and rows.period[val].max() < rows.period[calib].min()
    )


def test_training_never_sees_targets_after_the_cutoff(scenario_home):
    _, _, _, panel = scenario_home
    cutoff = pd.Period("2019-06", "M")
    design = design_at(panel, 3, cutoff)
    assert design.train.period.max() == cutoff - 3
    assert (design.score.period == cutoff).all() and len(design.score.X) == 50


def test_contributions_carry_the_generators_signs(scenario_home):
    """Acceptance: mean TreeSHAP contributions of agreement-delay features are positive where provisions
    are overdue, and of presence features negative where presence is high (over all district-months)."""
    _, _, _, panel = scenario_home
    until = pd.Period("2024-09", "M")
    model = XGBRiskModel().fit(design_at(panel, 3, until).train)
    features = panel.frame[panel.feature_names]
    X = features[features.index.get_level_values("period") <= until]
    contributions = pd.DataFrame(model.contributions(X)[:, :-1], columns=panel.feature_names, index=X.index)
    agreement = [c for c in contributions if c.startswith("provisions")]
    presence = [c for c in contributions if c.startswith(("presence_", "nb_presence"))]
    overdue = X["provisions_overdue"] > 0
    high = X["presence_state_presence_index"] >= X["presence_state_presence_index"].quantile(0.75)
    assert contributions.loc[overdue, agreement].sum(axis=1).mean() > 0
    assert contributions.loc[~overdue, agreement].sum(axis=1).mean() < 0
    assert contributions.loc[high, presence].sum(axis=1).mean() < 0


def test_explanations_add_up_and_read_as_sentences(scenario_home):
    _, _, inputs, panel = scenario_home
    until = pd.Period("2024-09", "M")
    bundle = train_bundle(panel, TrainSpec(horizons=(3,)), until, data_fingerprint="test", backtest_origins=0)
    again = ModelBundle.from_files(bundle.to_files())  # what the registry stores reads back the same
    for district in ["SYN-ADM2-001", "SYN-ADM2-025", "SYN-ADM2-050"]:
        result = explain(again, panel, inputs, district, until, 3)
        assert result["contributions_match_margin"] and 0 <= result["probability"] <= 1
        assert abs(sum(result["families"].values()) + result["bias"] - result["margin"]) < 1e-3
        assert len(result["drivers"]) == 6 and all(d["sentence"] for d in result["drivers"])
        assert result["band"] == again.spec().band(result["probability"])
        assert all(e["date_start"] <= "2024-09-30" for e in result["recent_events"])
        json.dumps(result)  # the API can send it as it is
    with pytest.raises(KeyError, match="unknown district"):
        explain(again, panel, inputs, "nowhere", until, 3)


def test_scores_rank_districts_and_name_their_drivers(scenario_home):
    panel = scenario_home[3]
    until = pd.Period("2024-09", "M")
    bundle = train_bundle(panel, TrainSpec(horizons=(1,)), until, data_fingerprint="t", backtest_origins=0)
    table = score_districts(bundle, panel, until, [1])
    assert table["probability"].is_monotonic_decreasing and len(table) == 50
    assert set(table["band"]) <= {"very high", "high", "elevated", "low"}
    assert table["top_drivers"].str.len().gt(0).mean() > 0.5
    with pytest.raises(ValueError, match="not in the data"):
        score_districts(bundle, panel, pd.Period("2031-01", "M"), [1])


def test_cli_explain_models_and_rollback(cli):
    first = cli("train", "--backtest-origins", "2", "--horizon", "1").output.strip().splitlines()[-1]
    second = cli("train", "--backtest-origins", "2", "--horizon", "1").output.strip().splitlines()[-1]
    assert int(second) == int(first) + 1
    listing = cli("models", "list").output
    assert f"{second}\t" in listing and "candidate" in listing
    shown = json.loads(cli("models", "show", second).output)
    assert len(shown["files"]["booster_h1.ubj"]) == 64 and shown["metadata"]["backtest"]["1"]["brier"] > 0
    promoted = cli("models", "promote", second, "--force")
    assert promoted.exit_code == 0
    assert "again" in cli("models", "rollback").output
    explained = cli("explain", "SYN-ADM2-001", "--horizon", "1", "--json")
    assert json.loads(explained.output)["district_id"] == "SYN-ADM2-001"
    unknown = cli("explain", "Atlantis", "--horizon", "1")
    assert unknown.exit_code == 1 and "unknown district" in unknown.output
