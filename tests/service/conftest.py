"""Service fixtures in the manner of Flask's tutorial: ``app``, ``client``, and one key per role."""

from __future__ import annotations

import pandas as pd
import pytest

from features.inputs import fingerprint, load_inputs
from features.panel import build_panel
from models.bundle import promote, save_bundle, train_bundle
from models.registry import FileModelStore
from models.spec import TrainSpec
from risk.config import load_settings
from risk.store import open_store
from risk.synth import generate, ingest_scenario
from service import create_app
from service.auth import create_key, revoke_key


@pytest.fixture(scope="session")
def service_home(tmp_path_factory):
    """A synthetic scenario with a production model (v1) and a weaker candidate (v2, trained earlier)."""
    home = tmp_path_factory.mktemp("service")
    settings = load_settings({"RISK_HOME": str(home)})
    store = open_store(settings.database_url)
    ingest_scenario(store, generate(home / "scenario", seed=0))
    inputs = load_inputs(store)
    panel = build_panel(inputs)
    registry = FileModelStore(settings.registry_dir)
    for until in ("2024-12", "2016-06"):
        bundle = train_bundle(
            panel,
            TrainSpec(),
            pd.Period(until, "M"),
            data_fingerprint=fingerprint(inputs),
            backtest_origins=3,
        )
        save_bundle(registry, bundle)
    promote(registry, 1)
    registry.set_alias("candidate", 2)
    keys = {role: create_key(store, role, f"test {role}")[1] for role in ("viewer", "analyst", "admin")}
    revoked_id, keys["revoked"] = create_key(store, "admin", "revoked")
    revoke_key(store, revoked_id)
    store.dispose()
    return settings, keys


@pytest.fixture(scope="session")
def app(service_home):
    settings, _ = service_home
    application = create_app({"SETTINGS": settings, "TESTING": True})
    yield application
    application.extensions["risk"].jobs.shutdown(cancel_pending=True)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def keys(service_home):
    return service_home[1]


@pytest.fixture
def auth(keys):
    """Headers for a role: ``auth("analyst")``."""
    return lambda role: {"Authorization": f"Bearer {keys[role]}"} if role else {}
