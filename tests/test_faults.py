"""Fault tests: processes killed with SIGKILL mid-ingest and mid-training leave nothing half done."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from models.registry import FileModelStore
from risk.config import load_settings
from risk.store import open_store
from risk.store.schema import Event, IngestRun
from risk.synth import generate, ingest_scenario

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


def test_ingest_killed_midway_stores_nothing_and_a_rerun_stores_everything(tmp_path):
    scenario = generate(tmp_path / "scenario", seed=4)
    events = pd.read_csv(scenario["ged_events.csv"], dtype=str)
    big = pd.concat([events] * 30, ignore_index=True)
    big["id"] = (np.arange(len(big)) + 1).astype(str)
    path = tmp_path / "big.csv"
    big.to_csv(path, index=False)
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
        assert session.scalar(select(func.count()).select_from(Event)) == len(big)
    store.dispose()


def test_training_killed_midway_leaves_no_half_model(tmp_path):
    settings = load_settings({"RISK_HOME": str(tmp_path / "home")})
    store = open_store(settings.database_url)
    ingest_scenario(store, generate(tmp_path / "scenario", seed=4))
    env = _env(settings.home)
    first = subprocess.run(
        [*COMMAND, "train", "--backtest-origins", "0"], env=env, capture_output=True, text=True, timeout=300
    )
    assert first.returncode == 0, first.stderr
    _kill_after(["train", "--backtest-origins", "24"], env, 6.0)
    registry = FileModelStore(settings.registry_dir)
    assert registry.versions() == [1] and registry.alias("production") == 1
    assert registry.read_files(1)  # still whole and verified
    again = subprocess.run(
        [*COMMAND, "train", "--backtest-origins", "0"], env=env, capture_output=True, text=True, timeout=300
    )
    assert again.returncode == 0 and again.stdout.strip().splitlines()[-1] == "2"
    store.dispose()
