"""Fault tests: the CLI, the server and the scheduler killed with SIGKILL mid-ingest, mid-training and
mid-delivery leave nothing half done; after a restart no data is lost, no model is half written and
no alert is raised or sent twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pandas as pd
import pytest
import requests
from sqlalchemy import func, select

from models.registry import FileModelStore
from risk.config import load_settings
from risk.ingest import ingest_file
from risk.store import open_store
from risk.store.schema import Alert, Event, IngestRun, Job, OutboxMessage
from risk.synth import generate, ingest_scenario
from service.auth import create_key
from service.background import gunicorn_server

pytestmark = pytest.mark.slow
COMMAND = [sys.executable, "-c", "from risk.cli import main; main()"]


def _env(home) -> dict:
    env = {**os.environ, "RISK_HOME": str(home)}
    env.pop("RISK_DATABASE_URL", None)
    return env


def _kill_after(args, env, seconds: float) -> None:
    process = subprocess.Popen(
        [*COMMAND, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    time.sleep(seconds)
    assert process.poll() is None, "the process finished before it could be killed; make the work larger"
    process.send_signal(signal.SIGKILL)
    process.wait()


def _big_ged_csv(tmp_path, scenario, copies: int = 30):
    events = pd.read_csv(scenario["ged_events.csv"], dtype=str)
    big = pd.concat([events] * copies, ignore_index=True)
    big["id"] = (np.arange(len(big)) + 1).astype(str)
    path = tmp_path / "big.csv"
    big.to_csv(path, index=False)
    return path, len(big)


def _count(store, what) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(what))


def _trained_home(tmp_path):
    """The synthetic scenario ingested and version 1 trained by the CLI: (settings, store, env)."""
    settings = load_settings({"RISK_HOME": str(tmp_path / "home")})
    store = open_store(settings.database_url)
    ingest_scenario(store, generate(tmp_path / "scenario", seed=4))
    env = _env(settings.home)
    first = subprocess.run(
        [*COMMAND, "train", "--backtest-origins", "0"], env=env, capture_output=True, text=True, timeout=300
    )
    assert first.returncode == 0, first.stderr
    return settings, store, env


def test_ingest_killed_midway_stores_nothing_and_a_rerun_stores_everything(tmp_path):
    path, n_rows = _big_ged_csv(tmp_path, generate(tmp_path / "scenario", seed=4))
    settings = load_settings({"RISK_HOME": str(tmp_path / "home")})
    store = open_store(settings.database_url)
    _kill_after(["ingest", "ucdp", str(path)], _env(settings.home), 2.5)
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Event)) == 0  # one file, one transaction
        assert session.scalar(select(func.count()).where(IngestRun.status == "ok")) == 0
    done = subprocess.run(
        [*COMMAND, "ingest", "ucdp", str(path), "--json"],
        env=_env(settings.home),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Event)) == n_rows
    store.dispose()


def test_training_killed_midway_leaves_no_half_model(tmp_path):
    settings, store, env = _trained_home(tmp_path)
    _kill_after(["train", "--backtest-origins", "24"], env, 6.0)
    registry = FileModelStore(settings.registry_dir)
    assert registry.versions() == [1] and registry.alias("production") == 1
    assert registry.read_files(1)  # still whole and verified
    again = subprocess.run(
        [*COMMAND, "train", "--backtest-origins", "0"], env=env, capture_output=True, text=True, timeout=300
    )
    assert again.returncode == 0 and again.stdout.strip().splitlines()[-1] == "2"
    store.dispose()


def test_server_killed_mid_upload_keeps_nothing_of_it_and_the_retry_keeps_all(tmp_path, monkeypatch):
    scenario = generate(tmp_path / "scenario", seed=4)
    settings = load_settings({"RISK_HOME": str(tmp_path / "home")})
    store = open_store(settings.database_url)
    ingest_file(store, "districts", scenario["districts.geojson"])
    key = create_key(store, "analyst", "fault test")[1]
    path, n_rows = _big_ged_csv(tmp_path, scenario)
    body = path.read_bytes()
    monkeypatch.setenv("RISK_MAX_REQUEST_BYTES", str(len(body) * 2))
    upload = {
        "data": body,
        "headers": {"Authorization": f"Bearer {key}", "Content-Type": "text/csv"},
        "params": {"format": "ucdp"},
        "timeout": 300,
    }
    outcome = {}

    def post(base):
        try:
            outcome["status"] = requests.post(base + "/v1/events", **upload).status_code
        except requests.RequestException as exc:
            outcome["error"] = exc

    with gunicorn_server(settings.home, workers=1, wait_for="/healthz") as server:  # no model yet
        sender = threading.Thread(target=post, args=(server.base,))
        sender.start()
        time.sleep(3.0)  # the body is in; the ingest is under way (it takes ~10 s)
        assert sender.is_alive(), f"the upload finished before the kill: {outcome}"
        server.kill()
        sender.join(timeout=30)
    assert "error" in outcome, outcome  # the connection died with the server: no answer
    assert _count(store, Event) == 0  # one upload, one transaction
    with store.session() as session:
        ok_runs = select(func.count()).where(IngestRun.status == "ok", IngestRun.kind == "ucdp")
        assert session.scalar(ok_runs) == 0

    with gunicorn_server(settings.home, workers=1, wait_for="/healthz") as server:  # restarted: same upload
        first = requests.post(server.base + "/v1/events", **upload)
        again = requests.post(server.base + "/v1/events", **upload)
    assert first.status_code == 200 and first.json()["accepted"] == n_rows, first.text
    assert again.status_code == 200 and again.json()["already_ingested"], again.text
    assert _count(store, Event) == n_rows  # everything once
    store.dispose()


def test_server_killed_mid_training_job_leaves_no_half_model_and_says_so(tmp_path):
    settings, store, _ = _trained_home(tmp_path)
    headers = {"Authorization": f"Bearer {create_key(store, 'analyst', 'fault test')[1]}"}
    registry = FileModelStore(settings.registry_dir)
    with gunicorn_server(settings.home, workers=1) as server:
        accepted = requests.post(
            server.base + "/v1/models/train", json={"backtest_origins": 60}, headers=headers, timeout=30
        )
        assert accepted.status_code == 202, accepted.text
        job_id = accepted.json()["job_id"]
        deadline = time.time() + 60
        while _job(store, job_id).status != "running" and time.time() < deadline:
            time.sleep(0.2)
        time.sleep(2.0)  # well into the job's backtest
        assert _job(store, job_id).status == "running"
        server.kill()
    assert registry.versions() == [1] and registry.alias("production") == 1
    assert registry.read_files(1)  # still whole and verified

    with gunicorn_server(settings.home, workers=1) as server:  # restarted
        job = requests.get(server.base + f"/v1/jobs/{job_id}", headers=headers, timeout=30).json()
        assert job["status"] == "failed" and job["error"].startswith("interrupted"), job
        retry = requests.post(
            server.base + "/v1/models/train", json={"backtest_origins": 0}, headers=headers, timeout=30
        ).json()["job_id"]
        deadline = time.time() + 240
        while (status := _job(store, retry).status) not in ("succeeded", "failed") and time.time() < deadline:
            time.sleep(0.5)
        assert status == "succeeded", _job(store, retry).error
    assert registry.versions() == [1, 2] and registry.alias("production") == 1  # production untouched
    assert registry.alias("candidate") == 2
    store.dispose()


def _job(store, job_id) -> Job:
    with store.session() as session:
        return session.get(Job, job_id)


def test_scheduler_killed_mid_delivery_sends_each_alert_once_after_restart(tmp_path, httpserver):
    from werkzeug import Response

    from service.alerts.cli import create_rule

    seen = []

    def slow_first(request):
        seen.append(request.headers["webhook-id"])
        if len(seen) == 1:
            time.sleep(5)  # the scheduler is killed while waiting for this answer
        return Response("ok", status=200)

    httpserver.expect_request("/hook").respond_with_handler(slow_first)
    _, store, env = _trained_home(tmp_path)
    create_rule(
        store,
        name="any elevated risk",
        horizon=3,
        condition="threshold",
        threshold=0.3,
        url=httpserver.url_for("/hook"),
        secret="whsec_c2VjcmV0c2VjcmV0",
    )
    scheduler = subprocess.Popen(
        [*COMMAND, "scheduler", "--once"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.time() + 180
    while not seen and time.time() < deadline:
        time.sleep(0.05)
    assert seen, "the scheduler sent nothing"
    scheduler.send_signal(signal.SIGKILL)
    scheduler.wait()
    alerts = _count(store, Alert)
    assert alerts > 1 and _count(store, OutboxMessage) == alerts
    time.sleep(5.5)  # let the receiver finish its slow answer

    again = subprocess.run(
        [*COMMAND, "scheduler", "--once"], env=env, capture_output=True, text=True, timeout=300
    )
    assert again.returncode == 0, again.stderr
    assert _count(store, Alert) == alerts  # no alert raised twice
    with store.session() as session:
        messages = session.scalars(select(OutboxMessage)).all()
        assert {m.status for m in messages} == {"delivered"}
    # Every alert reached the receiver; only the one cut short was sent twice, with the same id.
    assert sorted(set(seen)) == sorted(m.webhook_id for m in messages)
    assert len(seen) == len(messages) + 1 and seen.count(seen[0]) == 2
    store.dispose()
