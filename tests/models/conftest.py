"""A synthetic scenario ingested once for the model tests, with a CLI pointed at it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from features.inputs import load_inputs
from features.panel import build_panel
from risk.store import open_store
from risk.synth import generate, ingest_scenario


@pytest.fixture(scope="module")
def scenario_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    store = open_store(f"sqlite:///{home / 'risk.sqlite3'}")
    ingest_scenario(store, generate(home / "scenario", seed=0))
    inputs = load_inputs(store)
    yield home, store, inputs, build_panel(inputs)
    store.dispose()


@pytest.fixture
def cli(scenario_home, monkeypatch):
    home = scenario_home[0]
    monkeypatch.setenv("RISK_HOME", str(home))
    monkeypatch.delenv("RISK_DATABASE_URL", raising=False)
    from risk.cli import main

    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args), catch_exceptions=False)
