"""Crossing, hysteresis, cooldown, band and jump rules, table-driven, with a frozen clock."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import func, select

from models.spec import TrainSpec
from risk.store.schema import Alert, OutboxMessage
from service.alerts.cli import create_rule
from service.alerts.conditions import BandRise, Jump, Seen, Threshold
from service.alerts.evaluate import evaluate_rules

T0 = dt.datetime(2025, 1, 1, 12, 0)
BAND = TrainSpec().band


def _scores(values: dict[str, float], as_of: str, horizon: int = 1) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "district_id": list(values),
            "district_name": list(values),
            "as_of": as_of,
            "horizon": horizon,
            "probability": list(values.values()),
            "band": [BAND(p) for p in values.values()],
            "top_drivers": "7 attacks",
        }
    )


def _run(store, rule: dict, series: list[float], hours_between: float = 24.0) -> list[bool]:
    """Feed one district a probability per month; say for each month whether an alert fired."""
    create_rule(store, name="r", **rule)
    fired = []
    for i, p in enumerate(series):
        month = str(pd.Period("2024-01", "M") + i)
        new = evaluate_rules(
            store, _scores({"D1": p}, month), 1, now=T0 + dt.timedelta(hours=hours_between * i)
        )
        fired.append(bool(new))
    return fired


@pytest.mark.parametrize(
    ("rule", "series", "hours", "expected"),
    [
        # threshold 0.5, margin 0.1: fires on crossing, stays quiet while above, re-arms only below 0.4
        (
            {"horizon": 1, "condition": "threshold", "threshold": 0.5, "margin": 0.1},
            [0.2, 0.6, 0.7, 0.45, 0.55, 0.3, 0.8],
            24,
            [False, True, False, False, False, False, True],
        ),
        # already above when the rule is created: one alert at the first scoring
        (
            {"horizon": 1, "condition": "threshold", "threshold": 0.5, "margin": 0.1},
            [0.9, 0.9, 0.9],
            24,
            [True, False, False],
        ),
        # cooldown 72 h with a scoring every 24 h: a re-crossing within the cooldown waits, then fires
        (
            {"horizon": 1, "condition": "threshold", "threshold": 0.5, "margin": 0.1, "cooldown_hours": 72},
            [0.6, 0.1, 0.6, 0.6, 0.6],
            24,
            [True, False, False, True, False],
        ),
        # jump of 0.2 since the previous scoring
        (
            {"horizon": 1, "condition": "jump", "delta": 0.2},
            [0.1, 0.25, 0.5, 0.55, 0.2, 0.45],
            24,
            [False, False, True, False, False, True],
        ),
        # band rises (low < elevated 0.1 < high 0.3 < very high 0.6)
        (
            {"horizon": 1, "condition": "band"},
            [0.05, 0.15, 0.12, 0.35, 0.2, 0.7],
            24,
            [False, True, False, True, False, True],
        ),
    ],
)
def test_rules(store, rule, series, hours, expected):
    assert _run(store, rule, series, hours) == expected


def test_scoring_the_same_period_again_makes_no_second_alert(store):
    create_rule(
        store,
        name="r",
        horizon=1,
        condition="threshold",
        threshold=0.5,
        url="http://127.0.0.1:9/x",
        secret="whsec_c2VjcmV0c2VjcmV0",
    )
    assert evaluate_rules(store, _scores({"D1": 0.9}, "2024-05"), 1, now=T0)
    assert not evaluate_rules(store, _scores({"D1": 0.9}, "2024-05"), 1, now=T0)
    assert not evaluate_rules(store, _scores({"D1": 0.95}, "2024-05"), 2, now=T0 + dt.timedelta(days=9))
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Alert)) == 1
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_an_alert_is_resolved_when_the_risk_falls_back(store):
    create_rule(store, name="r", horizon=1, condition="threshold", threshold=0.5, margin=0.1)
    evaluate_rules(store, _scores({"D1": 0.7}, "2024-05"), 1, now=T0)
    evaluate_rules(store, _scores({"D1": 0.45}, "2024-06"), 1, now=T0)  # within the margin: still open
    with store.session() as session:
        assert session.scalar(select(Alert.state)) == "open"
    evaluate_rules(store, _scores({"D1": 0.3}, "2024-07"), 1, now=T0)
    with store.session() as session:
        assert session.scalar(select(Alert.state)) == "resolved"


def test_scope_and_horizon(store):
    create_rule(store, name="only D2, h3", horizon=3, condition="threshold", threshold=0.5, districts=["D2"])
    assert not evaluate_rules(store, _scores({"D1": 0.9, "D2": 0.9}, "2024-05", horizon=1), 1, now=T0)
    new = evaluate_rules(store, _scores({"D1": 0.9, "D2": 0.9}, "2024-05", horizon=3), 1, now=T0)
    with store.session() as session:
        assert [a.district_id for a in session.scalars(select(Alert).where(Alert.id.in_(new)))] == ["D2"]


def test_condition_objects_directly():
    seen = Seen(probability=0.55, band="high", previous_probability=0.3, previous_band="high", armed=True)
    assert Threshold(0.5).decide(seen).fire and not Threshold(0.6).decide(seen).fire
    assert Jump(0.2).decide(seen).fire and not Jump(0.3).decide(seen).fire
    assert not BandRise().decide(seen).fire
    with pytest.raises(ValueError, match="margin"):
        Threshold(0.5, margin=0.6)
