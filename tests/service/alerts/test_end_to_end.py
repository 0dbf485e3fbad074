"""End to end on the synthetic scenario: a district whose risk rises makes exactly one delivered webhook."""

from __future__ import annotations

import itertools
import json
import shutil

import pandas as pd
from click.testing import CliRunner
from standardwebhooks.webhooks import Webhook
from werkzeug import Response

from features.inputs import load_inputs
from features.panel import build_panel
from models.bundle import load_bundle
from models.explain import score_districts
from models.registry import FileModelStore
from risk.cli import main
from risk.config import load_settings
from risk.store import open_store
from service.alerts.outbox import normalise_secret


def _rising_district(settings) -> tuple[str, str, str, float]:
    """A district and two consecutive months where its 1-month risk rises across a line."""
    store = open_store(settings.database_url)
    panel = build_panel(load_inputs(store))
    _, bundle = load_bundle(FileModelStore(settings.registry_dir))
    months = pd.period_range("2023-01", "2024-11", freq="M")
    scores = {
        m: score_districts(bundle, panel, m, [1]).set_index("district_id")["probability"] for m in months
    }
    store.dispose()
    for before, after in itertools.pairwise(months):
        rise = scores[after] - scores[before]
        for district in rise.sort_values(ascending=False).index:
            low, high = scores[before][district], scores[after][district]
            if low < 0.3 and high > 0.5:
                return district, str(before), str(after), round((low + high) / 2, 3)
    raise AssertionError("no rising district in the scenario")


def test_a_rising_district_makes_exactly_one_delivered_webhook(
    service_home, tmp_path, monkeypatch, httpserver
):
    settings, _ = service_home
    home = tmp_path / "home"
    shutil.copytree(settings.home, home)
    local = load_settings({"RISK_HOME": str(home)})
    district, before, after, threshold = _rising_district(local)
    secret = normalise_secret("end-to-end secret")
    received = []

    def receiver(request):
        body = Webhook(secret).verify(request.get_data(), dict(request.headers))
        received.append((request.headers["webhook-id"], body))
        return Response("ok")

    httpserver.expect_request("/alerts", method="POST").respond_with_handler(receiver)
    monkeypatch.setenv("RISK_HOME", str(home))
    monkeypatch.delenv("RISK_DATABASE_URL", raising=False)
    runner = CliRunner()
    added = runner.invoke(
        main,
        [
            "alerts",
            "rules",
            "add",
            "--name",
            "rising",
            "--horizon",
            "1",
            "--threshold",
            str(threshold),
            "--district",
            district,
            "--webhook",
            httpserver.url_for("/alerts"),
            "--secret",
            secret,
        ],
    )
    assert added.exit_code == 0, added.output
    for month in (before, after, after):  # the last one repeats a period: no second alert
        scored = runner.invoke(main, ["score", "--as-of", month, "--horizon", "1", "--format", "csv"])
        assert scored.exit_code == 0, scored.output
    assert len(received) == 1
    webhook_id, body = received[0]
    data = body["data"]
    assert data["district_id"] == district and data["as_of"] == after and data["probability"] >= threshold
    assert data["district_name"] and data["top_drivers"] and data["model_version"] == 1
    listed = runner.invoke(main, ["alerts", "list"]).output
    assert "delivered" in listed and after in listed
    assert json.dumps(body) and webhook_id.startswith("msg_")
