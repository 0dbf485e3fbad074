"""Webhook delivery against a local receiver: signatures, retries, dead letters, restart after a kill."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time

import pandas as pd
import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook
from werkzeug import Response

from models.spec import TrainSpec
from risk.config import load_settings
from risk.store import open_store
from risk.store.schema import Alert, DeliveryAttempt, OutboxMessage
from service.alerts.cli import create_rule
from service.alerts.evaluate import evaluate_rules
from service.alerts.outbox import RetryPolicy, deliver_due, normalise_secret

SECRET = normalise_secret("correct horse battery staple")
T0 = dt.datetime(2025, 1, 1, 12, 0)


def _alert(store, url: str, districts: int = 1) -> None:
    create_rule(store, name="north", horizon=1, condition="threshold", threshold=0.5, url=url, secret=SECRET)
    scores = pd.DataFrame(
        {
            "district_id": [f"D{i + 1}" for i in range(districts)],
            "district_name": [f"Cercle {i + 1}" for i in range(districts)],
            "as_of": "2024-05",
            "horizon": 1,
            "probability": 0.8,
            "band": TrainSpec().band(0.8),
            "top_drivers": "7 attacks recorded in the last 3 months",
        }
    )
    assert evaluate_rules(store, scores, 4, now=T0)


def _message(store) -> OutboxMessage:
    with store.session() as session:
        return session.scalars(select(OutboxMessage)).one()


def test_receiver_failing_then_recovering_gets_it_exactly_once(store, httpserver):
    received = []

    def handler(request):
        headers = {k.lower(): v for k, v in request.headers.items()}
        Webhook(SECRET).verify(request.get_data(), headers)  # raises on a bad signature
        received.append(headers["webhook-id"])
        return Response("busy", status=503) if len(received) <= 2 else Response("ok", status=200)

    httpserver.expect_request("/hook", method="POST").respond_with_handler(handler)
    _alert(store, httpserver.url_for("/hook"))
    policy = RetryPolicy(max_attempts=5, base_delay_seconds=60)
    now = T0
    for _ in range(6):
        deliver_due(store, now=now, policy=policy)
        now += dt.timedelta(minutes=10)
    message = _message(store)
    assert message.status == "delivered" and message.attempts == 3
    assert len(received) == 3 and set(received) == {
        message.webhook_id
    }  # one id: the receiver's idempotency key
    body = json.loads(message.payload)["data"]
    assert (
        body["district_name"] == "Cercle 1"
        and body["probability"] == 0.8
        and "7 attacks" in body["top_drivers"]
    )
    with store.session() as session:
        attempts = session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id)).all()
    assert [a.status_code for a in attempts] == [503, 503, 200]


def test_backoff_waits_between_attempts(store, httpserver):
    httpserver.expect_request("/hook").respond_with_data("no", status=500)
    _alert(store, httpserver.url_for("/hook"))
    policy = RetryPolicy(max_attempts=5, base_delay_seconds=60)
    assert deliver_due(store, now=T0, policy=policy)["retry"] == 1
    assert deliver_due(store, now=T0 + dt.timedelta(seconds=59), policy=policy) == {
        "delivered": 0,
        "retry": 0,
        "dead": 0,
        "skipped": 0,
    }
    assert deliver_due(store, now=T0 + dt.timedelta(seconds=61), policy=policy)["retry"] == 1
    assert _message(store).next_attempt_at == T0 + dt.timedelta(seconds=61 + 120)  # 60 s, then 120 s


def test_receiver_down_throughout_is_dead_lettered_and_nothing_is_lost(store):
    _alert(store, "http://127.0.0.1:9/hook")  # nothing listens there
    policy = RetryPolicy(max_attempts=3, base_delay_seconds=1)
    now = T0
    for _ in range(5):
        deliver_due(store, now=now, policy=policy)
        now += dt.timedelta(hours=1)
    message = _message(store)
    assert message.status == "dead" and message.attempts == 3 and "ConnectionError" in message.last_error
    with store.session() as session:
        assert session.scalar(select(Alert.state)) == "open"  # the alert itself is kept
        assert len(session.scalars(select(DeliveryAttempt)).all()) == 3


@pytest.mark.slow
def test_killed_mid_delivery_resumes_after_restart(tmp_path, httpserver):
    seen = []

    def slow_then_fast(request):
        seen.append(request.headers["webhook-id"])
        if len(seen) == 1:
            time.sleep(4)  # the sender is killed while waiting for this answer
        return Response("ok", status=200)

    httpserver.expect_request("/hook").respond_with_handler(slow_then_fast)
    settings = load_settings({"RISK_HOME": str(tmp_path)})
    store = open_store(settings.database_url)
    _alert(store, httpserver.url_for("/hook"))
    env = {**os.environ, "RISK_HOME": str(tmp_path)}
    env.pop("RISK_DATABASE_URL", None)
    command = [sys.executable, "-c", "from risk.cli import main; main()", "alerts", "deliver"]
    first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 30
    while not seen and time.time() < deadline:
        time.sleep(0.05)
    first.kill()
    first.wait()
    assert _message(store).status == "pending"  # killed before it knew the outcome
    time.sleep(4.5)  # let the receiver finish its slow answer
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert second.returncode == 0 and "delivered 1" in second.stdout
    message = _message(store)
    assert message.status == "delivered" and set(seen) == {message.webhook_id} and len(seen) == 2
    store.dispose()


@pytest.mark.slow
def test_two_senders_at_once_send_each_message_once(store, httpserver):
    # Without claims both senders would post every message (8 requests); with them, 4 in all.
    seen = []

    def slow(request):
        seen.append(request.headers["webhook-id"])
        time.sleep(0.5)
        return Response("ok", status=200)

    httpserver.expect_request("/hook").respond_with_handler(slow)
    _alert(store, httpserver.url_for("/hook"), districts=4)
    env = {**os.environ, "RISK_DATABASE_URL": store.engine.url.render_as_string(hide_password=False)}
    command = [sys.executable, "-c", "from risk.cli import main; main()", "alerts", "deliver"]
    senders = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [s.communicate(timeout=120)[0] for s in senders]
    assert all(s.returncode == 0 for s in senders), outputs
    assert len(seen) == 4 and len(set(seen)) == 4, seen
    with store.session() as session:
        messages = session.scalars(select(OutboxMessage)).all()
        assert {m.status for m in messages} == {"delivered"} and {m.attempts for m in messages} == {1}
        assert all(m.claimed_by is None for m in messages)  # claims released after sending
        assert len(session.scalars(select(DeliveryAttempt)).all()) == 4
